#include "messages.hpp"

namespace kiosk::ui {

std::string message(const Catalogue& catalogue, const KioskConfig::Deployment& d, std::string_view locale,
                    std::string_view key, MessageArgs args) {
  // The caller's arguments come first, so they win over a deployment word of the same name.
  args.insert(args.end(), {{"council", d.council},
                           {"survey_topic", d.survey_topic},
                           {"venue", d.venue},
                           {"information_title", d.information_title},
                           {"staff_role", d.staff_role},
                           {"postcode_example", d.postcode_example}});
  return catalogue.get(locale, key, args);
}

}  // namespace kiosk::ui
