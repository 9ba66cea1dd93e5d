// A survey written in this kiosk's TOML format, from the model: what
// `kiosk-admin import` saves and the kiosk's preview runs. The loader
// (kiosk/survey.hpp) reads it back as the same survey.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiosk/survey.hpp"

namespace kiosk {

// The definition (texts in the default locale) and one translation file per
// other locale that has any text. `header_comment` opens each file, a "# "
// before each of its lines.
struct Definition {
  std::string survey_toml;
  std::map<std::string, std::string> translations;  // locale -> file text
};
Definition to_definition(const Survey& survey, const std::string& header_comment);

// Where two surveys differ, in words ("q10: option weekly label in pl: ..."); empty when they are the same
// survey in every question, code, rule and text.
std::vector<std::string> differences(const Survey& a, const Survey& b);

}  // namespace kiosk
