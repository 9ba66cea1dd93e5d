// The kiosk's words at the screen: a catalogue message in the kiosk's current
// language, with the deployment's words (kiosk.toml [deployment]) always
// available to it as placeholders: {council}, {survey_topic}, {venue},
// {information_title}, {staff_role}, {postcode_example}.
#pragma once

#include <string>
#include <string_view>

#include "kiosk/catalogue.hpp"
#include "kiosk/config.hpp"

namespace kiosk::ui {

// The language of the kiosk's own words: the visitor's choice, else the
// kiosk's configured locale (which may be the pseudo-locale en-XA).
inline std::string words_locale(const std::string& chosen, const KioskConfig& cfg) {
  return chosen.empty() ? cfg.default_locale : chosen;
}

std::string message(const Catalogue& catalogue, const KioskConfig::Deployment& deployment, std::string_view locale,
                    std::string_view key, MessageArgs args = {});
inline std::string message(const Catalogue& catalogue, const KioskConfig& cfg, std::string_view locale,
                           std::string_view key, MessageArgs args = {}) {
  return message(catalogue, cfg.deployment, locale, key, std::move(args));
}

}  // namespace kiosk::ui
