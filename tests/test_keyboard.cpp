// Locales and the on-screen keyboard layouts (kiosk-config/keyboards).
#include <catch2/catch.hpp>

#include "kiosk/keyboard.hpp"
#include "kiosk/locale.hpp"
#include "support.hpp"

using namespace kiosk;

namespace {

Keyboards bundled() {
  auto k = Keyboards::load(test::source_path("kiosk-config/keyboards"));
  INFO((k.ok() ? std::string() : k.message()));
  REQUIRE(k.ok());
  return std::move(k).value();
}

// Every letter a layout can type, in either layer.
bool reachable(const KeyboardLayout& l, const std::string& letter) {
  for (const auto* layer : {&l.rows, &l.shifted})
    for (const auto& row : *layer)
      for (const auto& k : row)
        if (k == letter) return true;
  return false;
}

}  // namespace

TEST_CASE("locales: the language part of a tag, and which read right to left", "[locale]") {
  CHECK(locale_language("ur") == "ur");
  CHECK(locale_language("ur-PK") == "ur");
  CHECK(locale_language("en_GB") == "en");
  CHECK(locale_language("PL") == "pl");
  CHECK(locale_language("") == "");
  for (const char* rtl : {"ar", "ur", "fa", "he", "ps", "sd", "ug", "yi", "ur-PK", "ar-EG", "AR"}) {
    INFO(rtl);
    CHECK(locale_is_rtl(rtl));
  }
  for (const char* ltr : {"en", "pl", "pa", "bn", "gu", "en-XA", "urd", "", "u", "ro"}) {
    INFO(ltr);
    CHECK_FALSE(locale_is_rtl(ltr));
  }
}

TEST_CASE("keyboards: the bundled layouts load, English as the old QWERTY", "[keyboard]") {
  const Keyboards k = bundled();
  REQUIRE(k.has("en"));
  REQUIRE(k.has("pl"));
  REQUIRE(k.has("ur"));
  const KeyboardLayout& en = k.for_locale("en");
  REQUIRE(en.rows.size() == 5);
  CHECK(en.rows[1] == std::vector<std::string>{"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"});
  CHECK(en.rows[2].back() == "'");
  CHECK(en.rows[4] == std::vector<std::string>{"@", "?", "!"});
  CHECK(en.capitals);
  CHECK(en.shift_of("q") == "Q");
  CHECK(en.shift_of("1") == "1");
  CHECK_FALSE(en.shiftable("@"));
}

TEST_CASE("keyboards: Polish letters are on keys of their own, with their capitals", "[keyboard]") {
  const Keyboards k = bundled();
  const KeyboardLayout& pl = k.for_locale("pl");
  CHECK(pl.name == "Polski");
  CHECK(pl.capitals);
  const std::vector<std::pair<std::string, std::string>> letters = {
      {"ą", "Ą"}, {"ć", "Ć"}, {"ę", "Ę"}, {"ł", "Ł"}, {"ń", "Ń"}, {"ó", "Ó"}, {"ś", "Ś"}, {"ź", "Ź"}, {"ż", "Ż"}};
  for (const auto& [small, capital] : letters) {
    INFO(small);
    bool first_layer = false;
    for (const auto& row : pl.rows)
      for (const auto& key : row) first_layer = first_layer || key == small;
    CHECK(first_layer);  // in view without Shift or AltGr
    CHECK(pl.shift_of(small) == capital);
  }
  CHECK(pl.shift_of("z") == "Z");
}

TEST_CASE("keyboards: Urdu has every letter Urdu needs, and no capitals", "[keyboard]") {
  const Keyboards k = bundled();
  const KeyboardLayout& ur = k.for_locale("ur");
  CHECK(ur.name == "اردو");
  CHECK_FALSE(ur.capitals);
  for (const char* letter :
       {"ا", "آ", "ب", "پ", "ت", "ٹ", "ث", "ج", "چ", "ح", "خ", "د", "ڈ", "ذ", "ر", "ڑ", "ز", "ژ", "س", "ش", "ص", "ض",
        "ط", "ظ", "ع", "غ", "ف", "ق", "ک", "گ", "ل", "م", "ن", "ں", "و", "ہ", "ھ", "ء", "ی", "ے", "ئ", "۔", "،", "؟"}) {
    INFO(letter);
    CHECK(reachable(ur, letter));
  }
  // The phonetic pairs: Shift on a letter gives its retroflex or nasal form.
  CHECK(ur.shift_of("ت") == "ٹ");
  CHECK(ur.shift_of("د") == "ڈ");
  CHECK(ur.shift_of("ر") == "ڑ");
  CHECK(ur.shift_of("ن") == "ں");
}

TEST_CASE("keyboards: a locale without a layout of its own", "[keyboard]") {
  const Keyboards k = bundled();
  CHECK(&k.for_locale("pl-PL") == &k.for_locale("pl"));
  CHECK(&k.for_locale("cy") == &k.for_locale("en"));
  CHECK(&k.for_locale("ur-PK") == &k.for_locale("ur"));
  // No keyboards folder at all: Latin letters all the same.
  auto none = Keyboards::load(test::source_path("no-such-folder"));
  REQUIRE(none.ok());
  CHECK(none->for_locale("ur").rows[1].front() == "q");
  // Postcodes: capitals and digits, whatever the language.
  CHECK(Keyboards::postcode().rows[1].front() == "Q");
  CHECK_FALSE(Keyboards::postcode().has_shift());
}

TEST_CASE("keyboards: a faulty layout is refused with its file and line", "[keyboard]") {
  auto parse = [](const std::string& text) { return parse_keyboard(text, "kb/xx.toml", "xx"); };
  const std::string head = "locale = \"xx\"\nname = \"X\"\n";
  struct Case {
    std::string text, where, says;
  };
  const std::vector<Case> cases = {
      {head + "rows = [\n  \"a b\",\n  \"c  d e f g h i j k l m\",\n]\n", "kb/xx.toml:5:", "11 keys"},
      {head + "rows = [\"a b\"]\nshifted = [\"A\"]\n", "kb/xx.toml:4:", "shifted row 1 has 1 keys"},
      {head + "rows = [\"a b\", \"c\"]\nshifted = [\"A B\"]\n", "kb/xx.toml:4:", "shifted has 1 rows"},
      {head + "rows = [\"a b\",\n \"b c\"]\n", "kb/xx.toml:4:", "\"b\" is in the layout twice"},
      {head + "rows = [\"a b c d e f g h i\"]\nshifted = [\"A B C D E F G H I\"]\n", "kb/xx.toml:3:", "at most 8 keys"},
      {head + "rows = [\"a\"]\ncolour = 1\n", "kb/xx.toml:4:", "unknown key \"colour\""},
      {"locale = \"yy\"\nname = \"X\"\nrows = [\"a\"]\n", "kb/xx.toml:1:", "does not match the file's name"},
      {head + "capitals = true\nrows = [\"a\"]\n", "kb/xx.toml:3:", "needs a shifted layer"},
      {head + "rows = [\"a\", \"\"]\n", "kb/xx.toml:3:", "row 2 has no keys"},
      {head + "rows = [\"a\"\n", "kb/xx.toml:", "invalid TOML"},
      {"name = \"X\"\nrows = [\"a\"]\n", "kb/xx.toml:1:", "locale is missing"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = parse(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.kind() == ErrorKind::Config);
    CHECK_THAT(r.message(), Catch::StartsWith(c.where));
    CHECK_THAT(r.message(), Catch::Contains(c.says));
  }
  auto good = parse(head + "rows = [\"a b\"]\n");
  REQUIRE(good.ok());
  CHECK(good->rows[0] == std::vector<std::string>{"a", "b"});
}
