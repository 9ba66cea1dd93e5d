// The message catalogue: lookup with fallback, named arguments, CLDR plurals,
// the pseudo-locale, and errors that name the file, the line and the key.
#include <catch2/catch.hpp>

#include "kiosk/catalogue.hpp"
#include "kiosk/config.hpp"
#include "support.hpp"

using kiosk::Catalogue;
using kiosk::load_config;
using test::TempDir;
using test::write_file;

namespace {

const char* kEn = R"([meta]
locale = "en"
name = "English"

[messages]
"home.start" = "Start the survey: {title}"
"bar.help" = "Ask staff for help"
"q.more" = { one = "{n} more answer below", other = "{n} more answers below" }
)";

const char* kPl = R"([meta]
locale = "pl"
name = "Polski"
demonstration = true

[messages]
"home.start" = "Rozpocznij ankietę: {title}"
"q.more" = { one = "{n} odpowiedź poniżej", few = "{n} odpowiedzi poniżej", many = "{n} odpowiedzi niżej", other = "{n} odpowiedzi" }
"home.gone" = "Nieużywany"
)";

Catalogue load(TempDir& tmp, const std::string& pl = kPl) {
  write_file(tmp.file("en.toml"), kEn);
  write_file(tmp.file("pl.toml"), pl);
  auto c = Catalogue::load_dir(tmp.path().string());
  INFO((c.ok() ? std::string() : c.message()));
  REQUIRE(c.ok());
  return std::move(c).value();
}

std::string load_error(const std::string& pl) {
  TempDir tmp;
  write_file(tmp.file("en.toml"), kEn);
  write_file(tmp.file("pl.toml"), pl);
  auto c = Catalogue::load_dir(tmp.path().string());
  REQUIRE_FALSE(c.ok());
  return c.message();
}

}  // namespace

TEST_CASE("catalogue: lookup in the locale, fallback to the default, named arguments", "[catalogue]") {
  TempDir tmp;
  const auto c = load(tmp);
  CHECK(c.get("pl", "home.start", {{"title", "Biblioteki"}}) == "Rozpocznij ankietę: Biblioteki");
  CHECK(c.get("pl", "bar.help") == "Ask staff for help");                            // missing in pl: en
  CHECK(c.get("pl-PL", "home.start", {{"title", "X"}}) == "Rozpocznij ankietę: X");  // the language
  CHECK(c.get("cy", "bar.help") == "Ask staff for help");                            // no such locale: en
  CHECK(c.get("en", "no.such.key") == "no.such.key");
  CHECK(c.get("en", "home.start") == "Start the survey: {title}");  // an argument not given shows
  CHECK(c.language_name("pl") == "Polski");
  CHECK(c.find_locale("pl")->demonstration);
}

TEST_CASE("catalogue: CLDR plural categories for en, pl and ur, and other for any other language", "[catalogue]") {
  using kiosk::plural_category;
  CHECK(plural_category("en", 1) == "one");
  CHECK(plural_category("en", 0) == "other");
  CHECK(plural_category("en", 2) == "other");
  CHECK(plural_category("ur", 1) == "one");
  CHECK(plural_category("ur", 5) == "other");
  CHECK(plural_category("pl", 1) == "one");
  for (long long n : {2, 3, 4, 22, 23, 24, 102, 1004}) CHECK(plural_category("pl", n) == "few");
  for (long long n : {0, 5, 11, 12, 13, 14, 21, 25, 112, 1000}) CHECK(plural_category("pl", n) == "many");
  CHECK(plural_category("xx", 1) == "other");
  TempDir tmp;
  const auto c = load(tmp);
  CHECK(c.get("en", "q.more", {{"n", "1"}}) == "1 more answer below");
  CHECK(c.get("en", "q.more", {{"n", "3"}}) == "3 more answers below");
  CHECK(c.get("pl", "q.more", {{"n", "1"}}) == "1 odpowiedź poniżej");
  CHECK(c.get("pl", "q.more", {{"n", "22"}}) == "22 odpowiedzi poniżej");
  CHECK(c.get("pl", "q.more", {{"n", "12"}}) == "12 odpowiedzi niżej");
}

TEST_CASE("catalogue: en-XA marks and lengthens every message by 40%, placeholders intact", "[catalogue]") {
  TempDir tmp;
  const auto c = load(tmp);
  const std::string plain = c.get("en", "bar.help");
  const std::string pseudo = c.get("en-XA", "bar.help");
  CHECK(pseudo.rfind("\xE2\x9F\xA6", 0) == 0);
  CHECK(pseudo.substr(pseudo.size() - 3) == "\xE2\x9F\xA7");
  auto chars = [](const std::string& s) {
    size_t n = 0;
    for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
    return n;
  };
  CHECK(chars(pseudo) >= chars(plain) * 14 / 10 + 2);
  CHECK(pseudo.find("Àsk") != std::string::npos);
  const std::string filled = c.get("en-XA", "home.start", {{"title", "Libraries"}});
  CHECK(filled.find("Libraries") != std::string::npos);  // the argument went in untouched
  CHECK(c.get("en-XA", "q.more", {{"n", "7"}}).find("7") != std::string::npos);
  CHECK(kiosk::pseudo_localise("{a} {b}").find("{a} {b}") != std::string::npos);
  CHECK(std::find(c.locales().begin(), c.locales().end(), "en-XA") != c.locales().end());
}

TEST_CASE("catalogue: errors name the file, the line and the key", "[catalogue]") {
  SECTION("malformed TOML") {
    const auto m = load_error("[meta]\nlocale = \"pl\"\n[messages]\n\"a\" = \"unclosed\n");
    CHECK_THAT(m, Catch::Contains("pl.toml:4"));
  }
  SECTION("a placeholder the default locale does not have") {
    const auto m = load_error("[meta]\nlocale = \"pl\"\n\n[messages]\n\"home.start\" = \"Start {survey}\"\n");
    CHECK_THAT(m, Catch::Contains("pl.toml:5") && Catch::Contains("home.start") && Catch::Contains("{survey}"));
  }
  SECTION("a plural table without other") {
    const auto m =
        load_error("[meta]\nlocale = \"pl\"\n[messages]\n\"q.more\" = { one = \"{n} x\", few = \"{n} y\" }\n");
    CHECK_THAT(m, Catch::Contains("pl.toml:4") && Catch::Contains("q.more") && Catch::Contains("other"));
  }
  SECTION("a brace not closed") {
    const auto m = load_error("[meta]\nlocale = \"pl\"\n[messages]\n\n\"bar.help\" = \"Pomoc {n\"\n");
    CHECK_THAT(m, Catch::Contains("pl.toml:5") && Catch::Contains("bar.help"));
  }
  SECTION("a file named for another locale") {
    const auto m = load_error("[meta]\nlocale = \"ur\"\n[messages]\n");
    CHECK_THAT(m, Catch::Contains("pl.toml") && Catch::Contains("ur"));
  }
}

TEST_CASE("catalogue: check lists missing and unknown keys and placeholders that differ", "[catalogue]") {
  TempDir tmp2;
  write_file(tmp2.file("en.toml"), kEn);
  write_file(tmp2.file("pl.toml"), std::string(kPl) + "\"bar.help\" = \"Pomoc\"\n");
  auto ok = Catalogue::load_dir(tmp2.path().string());
  REQUIRE(ok.ok());
  write_file(tmp2.file("pl.toml"),
             "[meta]\nlocale = \"pl\"\n[messages]\n\"home.start\" = \"Rozpocznij\"\n\"x.y\" = \"z\"\n");
  auto c2 = Catalogue::load_dir(tmp2.path().string());
  REQUIRE(c2.ok());
  const auto w = c2->check();
  REQUIRE(w.size() == 1);
  CHECK(w[0].locale == "pl");
  CHECK(w[0].missing == std::vector<std::string>{"bar.help", "q.more"});
  CHECK(w[0].unknown == std::vector<std::string>{"x.y"});
  REQUIRE(w[0].placeholder_differs.size() == 1);
  CHECK_THAT(w[0].placeholder_differs[0], Catch::Contains("home.start"));
}

TEST_CASE("catalogue: the bundled en.toml loads and every locale file there is valid", "[catalogue]") {
  auto c = Catalogue::load_dir(test::source_path("kiosk-config/locales"));
  INFO((c.ok() ? std::string() : c.message()));
  REQUIRE(c.ok());
  CHECK(c->get("en", "bar.help") == "Ask staff for help");
  CHECK(c->get("en", "home.minutes", {{"n", "2"}}) == "It takes about 2 minutes.");
}

TEST_CASE("catalogue: the English built into the program is en.toml as it was built", "[catalogue]") {
  auto file = Catalogue::load_dir(test::source_path("kiosk-config/locales"));
  REQUIRE(file.ok());
  const auto built = Catalogue::builtin();
  const auto* a = file->find_locale("en");
  const auto* b = built.find_locale("en");
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  REQUIRE(a->messages.size() == b->messages.size());
  for (const auto& [key, m] : a->messages) {
    INFO(key);
    REQUIRE(b->messages.count(key) == 1);
    CHECK(b->messages.at(key).text == m.text);
    CHECK(b->messages.at(key).forms == m.forms);
  }
  CHECK(built.find_locale("en-XA") != nullptr);
}

// kiosk.toml [deployment]: each word one string, or a table by locale that
// holds the kiosk's own language; a visitor's language without a word of its
// own gets the kiosk's, and validate can list what is missing.
TEST_CASE("the deployment's words by language: tables by locale, fallbacks, and errors naming the key",
          "[config][locale]") {
  test::TempDir tmp;
  const std::string sp = tmp.file("service-points.toml");
  test::write_file(sp, "[[service_point]]\nid = \"castle\"\nname = \"Castle\"\n");
  auto config = [&](const std::string& deployment) {
    const std::string cfg = tmp.file("kiosk.toml");
    test::write_file(cfg, "[kiosk]\nid = \"k\"\nservice_point = \"castle\"\nsurvey = \"" + test::bury_survey() +
                              "\"\nservice_points = \"" + sp + "\"\n\n[deployment]\n" + deployment);
    return load_config(cfg);
  };
  auto c = config(
      "council = { en = \"Bury Council\", pl = \"Rada Bury\", ur = \"Bury کونسل\" }\n"
      "venue = { en = \"library\", pl = \"biblioteka\" }\n"
      "staff_role = \"a member of staff\"\n");
  REQUIRE(c.ok());
  const auto& d = c->deployment;
  CHECK(d.council == "Bury Council");
  CHECK(d.word("council", "en") == "Bury Council");
  CHECK(d.word("council", "pl") == "Rada Bury");
  CHECK(d.word("council", "ur-PK") == "Bury کونسل");  // a regional tag finds its language's word
  CHECK(d.word("venue", "ur") == "library");          // none in Urdu: the kiosk's own
  CHECK(d.word("council", "fr") == "Bury Council");
  CHECK(d.untranslated("pl") == std::vector<std::string>{"information_title", "staff_role"});
  CHECK(d.untranslated("ur") == std::vector<std::string>{"venue", "information_title", "staff_role"});

  auto no_own = config("council = { pl = \"Rada Bury\" }\n");
  REQUIRE_FALSE(no_own);
  CHECK_THAT(no_own.message(), Catch::Contains("kiosk.toml:8") && Catch::Contains("deployment.council") &&
                                   Catch::Contains("no text in \"en\""));
  auto not_text = config("venue = { en = \"library\", pl = 3 }\n");
  REQUIRE_FALSE(not_text);
  CHECK_THAT(not_text.message(), Catch::Contains("deployment.venue.pl") && Catch::Contains("must be a string"));
  auto bad_locale = config("venue = { en = \"library\", polish = \"biblioteka\" }\n");
  REQUIRE_FALSE(bad_locale);
  CHECK_THAT(bad_locale.message(), Catch::Contains("deployment.venue.polish") && Catch::Contains("not a locale"));
  auto wrong_kind = config("venue = [\"library\"]\n");
  REQUIRE_FALSE(wrong_kind);
  CHECK_THAT(wrong_kind.message(), Catch::Contains("deployment.venue") && Catch::Contains("table of strings"));
}
