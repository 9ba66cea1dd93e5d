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
