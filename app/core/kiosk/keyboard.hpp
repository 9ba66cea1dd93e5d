// On-screen keyboard layouts, one per locale, as data: kiosk-config/keyboards/
// <locale>.toml. A layout is rows of keys (left to right as drawn) and, if it
// has a Shift key, a second layer of the same shape. Postcodes always type on
// the built-in Latin capitals and digits, whatever the visitor's language.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk {

struct KeyboardLayout {
  std::string source;  // the file it came from, for messages
  std::string locale, name;
  // Each row's keys as drawn, left to right; a key is the text it types.
  std::vector<std::vector<std::string>> rows;
  // The same keys with Shift (empty: the layout has no Shift key).
  std::vector<std::vector<std::string>> shifted;
  // The Shift layer holds capitals: a sentence starts with one by itself.
  // (Urdu's Shift layer holds other letters, never typed unasked.)
  bool capitals = false;
  // A number pad: a few wide keys a row, no space bar, the same in every language.
  bool pad = false;

  bool has_shift() const { return !shifted.empty(); }
  // What `key` (a key of the first layer) types with Shift; itself if it has no other form.
  const std::string& shift_of(const std::string& key) const;
  // Whether `key` has a Shift form different from itself.
  bool shiftable(const std::string& key) const { return shift_of(key) != key; }
};

// Parses one layout; errors name SOURCE:LINE:COLUMN. `locale` is the file's stem.
Result<KeyboardLayout> parse_keyboard(std::string_view text, const std::string& source, const std::string& locale);
Result<KeyboardLayout> load_keyboard_file(const std::string& path);

class Keyboards {
 public:
  // Every *.toml in `dir`. A missing folder gives no layouts (the built-in Latin one serves).
  static Result<Keyboards> load(const std::string& dir);
  void add(KeyboardLayout layout);
  // The layout for a locale: its own, else its language's ("pl" for "pl-PL"),
  // else English's, else the built-in Latin layout.
  const KeyboardLayout& for_locale(std::string_view locale) const;
  bool has(const std::string& locale) const { return by_locale_.count(locale) != 0; }

  // Capital letters and digits: postcodes in every language.
  static const KeyboardLayout& postcode();
  // Digits, minus and (for a decimal) the point: numbers in every language.
  static const KeyboardLayout& number(bool decimal);
  // Digits alone: a date's day, month and year.
  static const KeyboardLayout& digits();
  // Typed with when no layout was installed at all: Latin letters and digits.
  static const KeyboardLayout& builtin_latin();

 private:
  std::map<std::string, KeyboardLayout, std::less<>> by_locale_;
};

}  // namespace kiosk
