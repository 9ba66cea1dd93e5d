// The survey model: a survey is data, loaded from a TOML definition under
// kiosk-config/surveys/ (the format is documented in kiosk-config/README.md).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk {

// Text in several locales; `get` falls back to the survey's default locale.
struct LocalText {
  std::map<std::string, std::string> by_locale;
  const std::string& get(const std::string& locale, const std::string& fallback_locale) const;
  bool empty() const { return by_locale.empty(); }
};

// Integer and Decimal are answered with a number pad (the answer's text is
// the number, "42" or "3.5"); a Date with the day, month and year each typed
// on the pad (the answer "2016-06-13"); a Note is a screen of text that takes
// no answer.
enum class QuestionType { Single, Multiple, Likert, YesNo, Text, Postcode, Integer, Decimal, Note, Date };
std::string_view to_string(QuestionType t);
std::optional<QuestionType> question_type_from(std::string_view s);

struct Option {
  std::string code;  // stable: used in exports and rules; [a-z0-9_]+
  LocalText label;
  bool other = false;  // "Other (please specify)": choosing it opens a text field
};

// A show-if rule. Rules may only look at questions that come earlier.
struct Rule {
  enum class Kind { Equals, AnyOf, Answered, Not, All, Any };
  Kind kind = Kind::Equals;
  std::string question;             // Equals, AnyOf, Answered
  std::vector<std::string> values;  // Equals (one), AnyOf (several)
  std::vector<Rule> children;       // Not (one), All, Any
};

struct Question {
  std::string id;  // stable; column name in exports
  QuestionType type = QuestionType::Single;
  LocalText title;  // optional short heading, e.g. "Principle 1"
  LocalText text;   // the question itself
  LocalText hint;   // optional, e.g. "Check all that apply."
  std::vector<Option> options;
  bool required = false;
  int max_length = 0;        // Text: maximum characters
  int other_max_length = 0;  // length of an "Other (please specify)" answer
  // Integer and Decimal: the range allowed (inclusive), and Decimal's places after the point.
  std::optional<double> min_value, max_value;
  int decimals = 0;
  // Date: the range allowed (inclusive), "YYYY-MM-DD"; empty: open.
  std::string min_date, max_date;
  std::optional<Rule> show_if;
  std::string scale;   // the [scales] list its options come from ("": its own options)
  size_t section = 0;  // index into Survey::sections
  size_t index = 0;    // position in Survey::questions
  int matrix = -1;     // an item of a matrix: its index in Survey::matrices

  bool has_options() const { return !options.empty(); }
  bool is_number() const { return type == QuestionType::Integer || type == QuestionType::Decimal; }
  bool takes_answer() const { return type != QuestionType::Note; }
  bool in_matrix() const { return matrix >= 0; }
  const Option* find_option(std::string_view code) const;
  const Option* other_option() const;
};

// A matrix: several items rated on one scale, on one screen ("How would you
// rate each of these?", then a row for each item). Each item is a likert
// question of its own, with its own id and export column, the items one after
// another in Survey::questions, sharing the matrix's scale, `required` and
// `show_if`; the matrix holds the words above them. A rule may look at an
// item, never at the matrix.
struct Matrix {
  std::string id;
  LocalText title, text, hint;
  std::vector<size_t> items;  // indexes into Survey::questions
};

struct Section {
  std::string id;
  LocalText heading;
  LocalText intro;
  std::vector<size_t> questions;  // indexes into Survey::questions
};

struct Survey {
  std::string id;
  std::string version;
  std::string default_locale;
  std::vector<std::string> locales;
  LocalText title;
  LocalText intro;
  LocalText privacy;         // shown before the first question
  LocalText thank_you;       // shown after submitting
  std::string age_question;  // optional: the question whose options are age bands (reporting)
  // About how long it takes, said on the home screen: the definition's
  // `minutes`, else reading_minutes() of its words.
  int minutes = 0;
  bool minutes_stated = false;  // given by the definition, not estimated
  std::vector<Section> sections;
  std::vector<Question> questions;  // in survey order
  std::vector<Matrix> matrices;
  std::string source_text;  // the definition as loaded (for the hub to serve)
  // The translation files applied, locale -> text as read (for the hub to serve with source_text).
  std::map<std::string, std::string> translation_sources;
  // For each locale other than the default: the keys of texts that have no
  // translation in it and fall back to the default (translatable_texts order).
  std::map<std::string, std::vector<std::string>> missing_translations;

  const Question* find(std::string_view question_id) const;
  const Matrix* matrix_of(const Question& q) const {
    return q.in_matrix() ? &matrices[static_cast<size_t>(q.matrix)] : nullptr;
  }
  const std::string& text(const LocalText& t, const std::string& locale) const { return t.get(locale, default_locale); }

 private:
  friend class SurveyLoader;
  std::unordered_map<std::string, size_t> index_;
};

// A question named for a reader of the results: "Title: text", or the text;
// a matrix's item with its matrix's title (else its words): "Services: Books".
std::string question_words(const Survey& s, const Question& q, const std::string& locale);

// How long a 70-year-old takes over the survey, from its words in the default
// language: read at 150 words a minute (older readers of on-screen text; the
// usual adult figure is 200-250), 5 s to choose each answer, 45 s to type a
// text answer and 15 s a postcode; rounded up to whole minutes. Every
// question counts, those shown only under conditions too.
int reading_minutes(const Survey& s);

// A number as a visitor writes it, with at most `decimals` places and no
// trailing zeros: 12, 0.5, -3.
std::string format_number(double v, int decimals);
// A number question's bound as the survey writes it: a whole number for an
// integer, the question's places for a decimal ("0", "100.0").
std::string bound_text(const Question& q, double v);

// A date answer is "YEAR-MONTH-DAY". While it is typed its parts may be
// missing or short ("2016--3"); once complete it is "2016-06-13".
struct DateParts {
  std::string year, month, day;
  bool empty() const { return year.empty() && month.empty() && day.empty(); }
};
DateParts split_date(const std::string& answer);
std::string join_date(const DateParts& parts);  // "" when every part is empty
// A real calendar date (Gregorian, leap years), from whole parts.
bool is_real_date(int year, int month, int day);
// "2016-06-13" from a complete, real date; nullopt otherwise.
std::optional<std::string> iso_date(const DateParts& parts);
// A date as it is written to a visitor here: "13/06/2016".
std::string display_date(const std::string& answer);

// Loads and checks a definition. On error the message reads
//   FILE:LINE:COLUMN: PATH: what is wrong
// e.g. "bury.toml:41:1: sections[1].questions[0].show_if.question: refers to
// \"q9\", which comes after this question".
Result<Survey> load_survey_file(const std::string& path);
Result<Survey> parse_survey(std::string_view text, const std::string& source_name);

// ---- Translation files ------------------------------------------------------
// A survey's texts in another locale may come in a file next to it,
// `<stem>.<locale>.toml` (bury-libraries-2016.pl.toml): a flat table from a
// stable key to the translated text (keys in kiosk-config/README.md), e.g.
//   "questions.q10.options.weekly" = "Mniej więcej raz w tygodniu"
// load_survey_file reads one for every locale in `locales` other than the
// default, if present, and fills Survey::missing_translations.

// One translatable text and where it is used: a scale's label is shared by
// every question that uses the scale.
struct TranslatableText {
  std::string key;
  std::vector<LocalText*> uses;
};
std::vector<TranslatableText> translatable_texts(Survey& survey);
std::string survey_translation_path(const std::string& survey_path, const std::string& locale);
// Errors read FILE:LINE:COLUMN: KEY: what is wrong.
Status apply_survey_translation(Survey& survey, const std::string& locale, std::string_view text,
                                const std::string& source_name);
// Recomputes Survey::missing_translations.
void find_missing_translations(Survey& survey);

}  // namespace kiosk
