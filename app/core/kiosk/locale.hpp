// Locale codes are BCP 47 language tags as surveys use them ("en", "pl",
// "ur", "en-XA"). What the kiosk decides from a tag lives here, so every part
// decides the same way.
#pragma once

#include <string>
#include <string_view>

namespace kiosk {

// The language subtag, lower-cased: "ur" for "ur-PK", "en" for "en_GB".
std::string locale_language(std::string_view locale);

// Whether `tag` reads as a language tag: a language subtag of 2-3 letters,
// then any "-" subtags of letters and digits ("en", "pl", "ur-PK", "es-419").
// Where a name or key carries one (kiosk.toml's word tables, NAME.pl.md).
bool is_locale_tag(std::string_view tag);

// Whether text in this locale reads right to left (and the screen mirrors):
// Arabic, Urdu, Persian, Hebrew, Pashto, Sindhi, Uyghur and Yiddish.
bool locale_is_rtl(std::string_view locale);

}  // namespace kiosk
