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

bool is_locale_tag(std::string_view tag) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  const auto lang = tag.substr(0, tag.find('-'));
  if (lang.size() < 2 || lang.size() > 3 || !std::all_of(lang.begin(), lang.end(), letter)) return false;
  return std::all_of(tag.begin(), tag.end(), [&](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '-'; });
}

bool locale_is_rtl(std::string_view locale) {
  static constexpr std::array<std::string_view, 8> rtl = {"ar", "ur", "fa", "he", "ps", "sd", "ug", "yi"};
  const std::string lang = locale_language(locale);
  return std::find(rtl.begin(), rtl.end(), lang) != rtl.end();
}

}  // namespace kiosk
