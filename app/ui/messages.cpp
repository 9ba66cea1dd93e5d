#include "messages.hpp"

namespace kiosk::ui {

std::string message(const Catalogue& catalogue, const KioskConfig::Deployment& d, std::string_view locale,
                    std::string_view key, MessageArgs args) {
  // The caller's arguments come first, so they win over a deployment word of the same name.
  // Each in the message's language where kiosk.toml gives it (a table by locale).
  for (const char* name : {"council", "survey_topic", "venue", "information_title", "staff_role", "postcode_example"})
    args.emplace_back(name, d.word(name, locale));
  return catalogue.get(locale, key, args);
}

}  // namespace kiosk::ui
