#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

#include "kiosk/survey.hpp"
#include "support.hpp"

using namespace kiosk;

TEST_CASE("the Bury 2016 survey loads with all 25 questions in six sections", "[survey]") {
  auto s = load_survey_file(test::bury_survey());
  REQUIRE(s.ok());
  CHECK(s->id == "bury_libraries_2016");
  CHECK(s->questions.size() == 25);
  CHECK(s->sections.size() == 6);
  for (int i = 1; i <= 25; ++i) CHECK(s->find("q" + std::to_string(i)) != nullptr);
  CHECK(s->text(s->title, "en") == "Libraries Initial Public Consultation");
  CHECK(s->age_question == "q20");
}

TEST_CASE("the Bury survey keeps the reference's wording and rules", "[survey]") {
  auto s = load_survey_file(test::bury_survey());
  REQUIRE(s.ok());
  const auto& loc = s->default_locale;
  // Lines the PDF extraction broke, as product.md restores them.
  CHECK(s->text(s->find("q8")->text, loc) ==
        "If yes, what are these principles? Please outline briefly in the box below.");
  CHECK(s->text(s->find("q16")->text, loc) ==
        "Would you consider volunteering to support the Library Service in Bury?");
  CHECK(s->text(s->find("q17")->text, loc) ==
        "Are there any other comments you would like to make about Bury's Library Service review? Please use the "
        "space below to provide these.");
  // Types and options.
  for (int i = 1; i <= 6; ++i) {
    const Question* q = s->find("q" + std::to_string(i));
    CHECK(q->type == QuestionType::Likert);
    REQUIRE(q->options.size() == 5);
    CHECK(s->text(q->options.front().label, loc) == "Strongly agree");
    CHECK(s->text(q->options.back().label, loc) == "Strongly disagree");
  }
  CHECK(s->find("q7")->type == QuestionType::YesNo);
  CHECK(s->find("q12")->type == QuestionType::Multiple);
  CHECK(s->find("q13")->type == QuestionType::Multiple);
  CHECK(s->find("q14")->options.size() == 3);
  CHECK(s->find("q21")->type == QuestionType::Postcode);
  CHECK(s->find("q22")->options.size() == 17);
  CHECK(s->find("q11")->other_option() != nullptr);
  CHECK(s->find("q12")->other_option() != nullptr);
  CHECK(s->find("q19")->other_option() != nullptr);
  // Skip rules: Q8 if Q7 = Yes; Q10, Q11 if Q9 = Yes; Q12 if Q9 = No.
  auto rule_is = [&](const char* q, const char* target, const char* code) {
    const auto& r = s->find(q)->show_if;
    REQUIRE(r.has_value());
    CHECK(r->kind == Rule::Kind::Equals);
    CHECK(r->question == target);
    CHECK(r->values == std::vector<std::string>{code});
  };
  rule_is("q8", "q7", "yes");
  rule_is("q10", "q9", "yes");
  rule_is("q11", "q9", "yes");
  rule_is("q12", "q9", "no");
  // "About you" is optional throughout.
  for (int i = 18; i <= 25; ++i) CHECK_FALSE(s->find("q" + std::to_string(i))->required);
  // Respondents never see question numbers: no visible text starts with one.
  const std::regex numbered(R"(^\s*\d+[.)\s])");
  for (const auto& q : s->questions) CHECK_FALSE(std::regex_search(s->text(q.text, loc), numbered));
}

TEST_CASE("every malformed definition in the corpus gets its precise error", "[survey][corpus]") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_path("tests/malformed"))) {
    const std::string path = entry.path().string();
    const std::string text = test::read_file(path);
    REQUIRE(text.rfind("# expect: ", 0) == 0);
    const std::string expected = text.substr(10, text.find('\n') - 10);
    INFO(path);
    auto s = load_survey_file(path);
    REQUIRE_FALSE(s.ok());
    CHECK_THAT(s.message(), Catch::Contains(expected));
    // The error names the file, and a line and column.
    CHECK(s.message().rfind(path + ":", 0) == 0);
    CHECK(std::regex_search(
        s.message(),
        std::regex("^" + std::regex_replace(path, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + R"(:\d+:\d+: )")));
    ++files;
  }
  CHECK(files >= 30);
}

TEST_CASE("a missing file is reported by name", "[survey]") {
  auto s = load_survey_file("/nonexistent/survey.toml");
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::StartsWith("/nonexistent/survey.toml: cannot open"));
}

TEST_CASE("labels in several locales fall back to the default", "[survey]") {
  const char* text = R"(
format = 1
id = "family_hub"
version = "3"
default_locale = "en"
locales = ["en", "cy"]
title = { en = "Family hub feedback", cy = "Adborth" }
[[sections]]
id = "visit"
[[sections.questions]]
id = "q1"
type = "yes_no"
text = { en = "Did you find what you needed?", cy = "Ddaethoch chi o hyd i'r hyn yr oeddech ei angen?" }
options = [ { code = "yes", label = { en = "Yes", cy = "Do" } }, { code = "no", label = "No" } ]
[[sections.questions]]
id = "q2"
type = "multiple"
text = "What could be better?"
show_if = { any = [ { question = "q1", equals = "no" }, { not = { answered = "q1" } } ] }
options = [ { code = "hours", label = "Opening hours" }, { code = "other", label = "Something else", other = true } ]
)";
  auto s = parse_survey(text, "family.toml");
  REQUIRE(s.ok());
  const Question* q1 = s->find("q1");
  CHECK(s->text(q1->options[0].label, "cy") == "Do");
  CHECK(s->text(q1->options[1].label, "cy") == "No");  // falls back to en
  CHECK(s->find("q2")->show_if->kind == Rule::Kind::Any);
}

// ---- Translation files (issue 11) -------------------------------------------

namespace {

// Each UTF-8 code point of `s`.
std::vector<char32_t> code_points(const std::string& s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n && i + static_cast<size_t>(k) < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

bool has_range(const std::string& s, char32_t lo, char32_t hi) {
  for (char32_t c : code_points(s))
    if (c >= lo && c <= hi) return true;
  return false;
}

const char* kTranslatable = R"(
format = 1
id = "hub"
version = "h1"
default_locale = "en"
locales = ["en", "pl", "ur"]
title = "Family hub feedback"
[scales]
agreement = [ { code = "agree", label = "Agree" }, { code = "disagree", label = "Disagree" } ]
[[sections]]
id = "visit"
heading = "Your visit"
[[sections.questions]]
id = "q1"
type = "likert"
scale = "agreement"
text = "Staff were helpful."
[[sections.questions]]
id = "q2"
type = "likert"
scale = "agreement"
text = "The hub was easy to find."
[[sections.questions]]
id = "q3"
type = "yes_no"
text = "Would you come again?"
hint = "Choose one."
)";

}  // namespace

TEST_CASE("the Bury survey comes in Polish and Urdu, every text translated, codes and order unchanged",
          "[survey][translation]") {
  auto s = load_survey_file(test::bury_survey());
  REQUIRE(s.ok());
  CHECK(s->locales == std::vector<std::string>{"en", "pl", "ur"});
  REQUIRE(s->missing_translations.size() == 2);
  for (const auto& [locale, keys] : s->missing_translations) {
    INFO(locale << " misses " << keys.size() << (keys.empty() ? "" : ", the first " + keys.front()));
    CHECK(keys.empty());
  }
  // Every text has its own wording in both languages.
  auto texts = translatable_texts(*s);
  CHECK(texts.size() > 100);  // options included
  size_t same_pl = 0, same_ur = 0;
  for (const auto& t : texts) {
    const auto& by = t.uses.front()->by_locale;
    INFO(t.key);
    REQUIRE(by.count("pl"));
    REQUIRE(by.count("ur"));
    same_pl += by.at("pl") == by.at("en");
    same_ur += by.at("ur") == by.at("en");
    // Urdu in Arabic script, never Devanagari (Hindi); nothing left in English words only.
    CHECK(has_range(by.at("ur"), 0x0600, 0x06FF));
    CHECK_FALSE(has_range(by.at("ur"), 0x0900, 0x097F));
  }
  CHECK(same_pl == 0);
  CHECK(same_ur == 0);
  // Polish with its letters.
  const Question* q10 = s->find("q10");
  CHECK(s->text(q10->text, "pl") == "Jak często mniej więcej odwiedzasz bibliotekę?");
  CHECK(s->text(q10->find_option("weekly")->label, "pl") == "Mniej więcej raz w tygodniu");
  CHECK(s->text(s->find("q19")->find_option("male")->label, "pl") == "Mężczyzną");
  // A scale's translation reaches every question that uses it.
  for (const char* id : {"q1", "q6", "q15"}) {
    const Question* q = s->find(id);
    CHECK(s->text(q->options.front().label, "ur") == "پوری طرح متفق");
    CHECK(s->text(q->options.front().label, "pl") == "Zdecydowanie się zgadzam");
  }
  // The default yes/no labels too.
  CHECK(s->text(s->find("q7")->options[0].label, "ur") == "ہاں");
  CHECK(s->text(s->find("q9")->options[1].label, "pl") == "Nie");
  // Place names stay as they are.
  CHECK_THAT(s->text(s->find("q9")->text, "ur"), Catch::Contains("Bury"));
  CHECK_THAT(s->text(s->find("q9")->text, "pl"), Catch::Contains("Bury"));
  // English is untouched, and the codes are the English file's.
  CHECK(s->text(q10->text, "en") == "Approximately how often do you visit a library?");
  auto plain = parse_survey(test::read_file(test::bury_survey()), "bury");
  REQUIRE(plain.ok());
  REQUIRE(plain->questions.size() == s->questions.size());
  for (size_t i = 0; i < s->questions.size(); ++i) {
    CHECK(plain->questions[i].id == s->questions[i].id);
    REQUIRE(plain->questions[i].options.size() == s->questions[i].options.size());
    for (size_t k = 0; k < s->questions[i].options.size(); ++k)
      CHECK(plain->questions[i].options[k].code == s->questions[i].options[k].code);
  }
}

TEST_CASE("the Bury translation files say at their top that they are machine-made demonstrations",
          "[survey][translation]") {
  for (const char* locale : {"pl", "ur"}) {
    const std::string path = survey_translation_path(test::bury_survey(), locale);
    CHECK(path == test::source_path(std::string("kiosk-config/surveys/bury-libraries-2016.") + locale + ".toml"));
    const std::string text = test::read_file(path);
    INFO(path);
    REQUIRE(text.rfind("# DEMONSTRATION TRANSLATION, machine-made", 0) == 0);
    const std::string head = text.substr(0, text.find("\n\n"));
    CHECK_THAT(head, Catch::Contains("A qualified translator must check it before"));
    CHECK_THAT(head, Catch::Contains("public use"));
  }
}

TEST_CASE("a translation file fills a survey's texts by key, and what it leaves out falls back and is listed",
          "[survey][translation]") {
  test::TempDir tmp;
  const std::string path = tmp.file("hub.toml");
  test::write_file(path, kTranslatable);
  // Quoted keys and TOML's dotted keys alike; the Urdu file is absent.
  test::write_file(tmp.file("hub.pl.toml"),
                   "# demonstration\n"
                   "\"title\" = \"Opinie o centrum rodzinnym\"\n"
                   "\"scales.agreement.agree\" = \"Zgadzam się\"\n"
                   "questions.q3.text = \"Czy przyjdziesz ponownie?\"\n"
                   "[questions.q3.options]\n"
                   "yes = \"Tak\"\n");
  auto s = load_survey_file(path);
  REQUIRE(s.ok());
  CHECK(s->text(s->title, "pl") == "Opinie o centrum rodzinnym");
  CHECK(s->text(s->find("q1")->options[0].label, "pl") == "Zgadzam się");
  CHECK(s->text(s->find("q2")->options[0].label, "pl") == "Zgadzam się");
  CHECK(s->text(s->find("q3")->text, "pl") == "Czy przyjdziesz ponownie?");
  CHECK(s->text(s->find("q3")->options[0].label, "pl") == "Tak");
  // Not translated: the default locale's text.
  CHECK(s->text(s->find("q3")->options[1].label, "pl") == "No");
  CHECK(s->text(s->find("q1")->text, "pl") == "Staff were helpful.");
  CHECK(s->text(s->title, "ur") == "Family hub feedback");
  CHECK(s->missing_translations.at("pl") == std::vector<std::string>{"sections.visit.heading", "questions.q1.text",
                                                                     "scales.agreement.disagree", "questions.q2.text",
                                                                     "questions.q3.hint", "questions.q3.options.no"});
  CHECK(s->missing_translations.at("ur") ==
        std::vector<std::string>{"title", "sections.visit.heading", "questions.q1.text", "scales.agreement.agree",
                                 "scales.agreement.disagree", "questions.q2.text", "questions.q3.text",
                                 "questions.q3.hint", "questions.q3.options.yes", "questions.q3.options.no"});
  CHECK(s->missing_translations.count("en") == 0);
}

TEST_CASE("a translation is only for one of the survey's other locales, and a broken one changes nothing",
          "[survey][translation]") {
  auto s = parse_survey(kTranslatable, "hub.toml");
  REQUIRE(s.ok());
  auto cy = apply_survey_translation(*s, "cy", "\"title\" = \"Adborth\"\n", "hub.cy.toml");
  REQUIRE_FALSE(cy.ok());
  CHECK(cy.kind() == ErrorKind::Validation);
  CHECK_THAT(cy.message(), Catch::StartsWith("hub.cy.toml: locale \"cy\" is not one of"));
  CHECK_FALSE(apply_survey_translation(*s, "en", "\"title\" = \"Other\"\n", "hub.en.toml").ok());
  // The good first line must not stick when a later one is wrong.
  auto bad =
      apply_survey_translation(*s, "pl", "\"title\" = \"Opinie\"\n\"questions.q9.text\" = \"?\"\n", "hub.pl.toml");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.message(), Catch::StartsWith("hub.pl.toml:2:"));
  CHECK(s->title.by_locale.count("pl") == 0);
}

TEST_CASE("every malformed translation file gets its precise error, naming the file, line and key",
          "[survey][translation][corpus]") {
  const std::string base = test::read_file(test::source_path("tests/malformed-translations/survey.toml"));
  int files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::source_path("tests/malformed-translations/cases"))) {
    const std::string text = test::read_file(entry.path().string());
    REQUIRE(text.rfind("# expect: ", 0) == 0);
    const std::string expected = text.substr(10, text.find('\n') - 10);
    INFO(entry.path().filename().string());
    test::TempDir tmp;
    test::write_file(tmp.file("survey.toml"), base);
    const std::string tpath = tmp.file("survey.pl.toml");
    test::write_file(tpath, text);
    auto s = load_survey_file(tmp.file("survey.toml"));
    REQUIRE_FALSE(s.ok());
    CHECK(s.kind() == ErrorKind::Validation);
    CHECK_THAT(s.message(), Catch::Contains(expected));
    CHECK(std::regex_search(
        s.message(),
        std::regex("^" + std::regex_replace(tpath, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + R"(:\d+:\d+: )")));
    ++files;
  }
  CHECK(files >= 12);
}

// The home screen says how long the survey takes. Bury's said 10 minutes
// (the paper survey's figure), where a 70-year-old reading it on the kiosk
// took 12-15: now the figure comes from the survey's words unless the
// definition states its own.
TEST_CASE("how long a survey takes: stated, or worked out from its words at a 70-year-old's pace", "[survey]") {
  auto bury = load_survey_file(test::bury_survey());
  REQUIRE(bury.ok());
  CHECK_FALSE(bury->minutes_stated);
  CHECK(bury->minutes == reading_minutes(*bury));
  CHECK(bury->minutes >= 12);
  CHECK(bury->minutes <= 15);

  // 300 words at 150 a minute (2 minutes), one choice (5 s) and one text answer (45 s): 2 min 50 s, said as 3.
  std::string words;
  for (int i = 0; i < 290; ++i) words += "word ";
  const std::string survey =
      "format = 1\nid = \"s\"\nversion = \"1\"\ndefault_locale = \"en\"\n" +
      std::string("title = \"One two\"\n") +                    // 2 words
      "[[sections]]\nid = \"a\"\nheading = \"Three four\"\n" +  // 2
      "[[sections.questions]]\nid = \"q1\"\ntype = \"yes_no\"\ntext = \"" + words +
      "\"\noptions = [ { code = \"yes\", label = \"Yes\" }, { code = \"no\", label = \"No\" } ]\n" +
      "[[sections.questions]]\nid = \"q2\"\ntype = \"text\"\ntext = \"Say more please\"\nmax_length = 200\n";
  // 2 + 2 + 290 + 2 (Yes, No) + 3 = 299 words: 119.6 s, with 50 s of answering 169.6 s.
  auto s = parse_survey(survey, "s.toml");
  INFO((s.ok() ? std::string() : s.message()));
  REQUIRE(s.ok());
  CHECK(s->minutes == 3);
  auto stated = parse_survey("minutes = 2\n" + survey, "s.toml");
  REQUIRE(stated.ok());
  CHECK(stated->minutes_stated);
  CHECK(stated->minutes == 2);
}
