#include "kiosk/locale.hpp"

#include <algorithm>
#include <array>

namespace kiosk {

std::string locale_language(std::string_view locale) {
  const auto end = locale.find_first_of("-_");
  std::string lang(locale.substr(0, end));
  for (auto& c : lang)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lang;
}

bool locale_is_rtl(std::string_view locale) {
  static constexpr std::array<std::string_view, 8> rtl = {"ar", "ur", "fa", "he", "ps", "sd", "ug", "yi"};
  const std::string lang = locale_language(locale);
  return std::find(rtl.begin(), rtl.end(), lang) != rtl.end();
}

}  // namespace kiosk
