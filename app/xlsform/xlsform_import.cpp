// XLSForm -> survey model. Rows are read in order, as pyxform reads them:
// the first row of a sheet that holds anything names its columns; a column
// `label::Polish (pl)` is the label in Polish. Columns this importer does not
// know (comments, notes for translators) are left alone; columns it knows
// but cannot honour (calculation, choice_filter, media...) are refused when
// a row uses them.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string_view>

#include "kiosk/export.hpp"
#include "xlsform.hpp"

namespace kiosk::xlsform {
namespace {

// An error found while reading: thrown inside, returned as a Result outside.
struct Refusal {
  std::string message;
};

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Runs of spaces to one, ends trimmed: "select_one  yes_no " -> "select_one yes_no".
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !std::islower(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_code(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Languages as XLSForm names them: "Polish (pl)" (the form ODK asks for), a
// bare code ("pl"), or a few names without their code.
std::optional<std::string> language_code(std::string_view name) {
  std::string n = trim(name);
  auto open = n.rfind('(');
  if (open != std::string::npos && n.back() == ')') n = trim(n.substr(open + 1, n.size() - open - 2));
  auto valid = [](const std::string& c) {
    if (c.size() < 2) return false;
    std::size_t i = 0;
    while (i < c.size() && std::islower(static_cast<unsigned char>(c[i]))) ++i;
    if (i < 2 || i > 3) return false;
    if (i == c.size()) return true;
    if (c[i] != '-' || i + 1 == c.size()) return false;
    return std::all_of(c.begin() + static_cast<long>(i) + 1, c.end(),
                       [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; });
  };
  if (valid(n)) return n;
  for (const auto& [lang, code] : language_names())
    if (lang == lower(n)) return code;
  return std::nullopt;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& language_names() {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"english", "en"}, {"polish", "pl"},     {"urdu", "ur"},    {"welsh", "cy"},      {"french", "fr"},
      {"spanish", "es"}, {"arabic", "ar"},     {"bengali", "bn"}, {"punjabi", "pa"},    {"gujarati", "gu"},
      {"somali", "so"},  {"romanian", "ro"},   {"chinese", "zh"}, {"portuguese", "pt"}, {"italian", "it"},
      {"german", "de"},  {"lithuanian", "lt"}, {"turkish", "tr"}, {"farsi", "fa"},      {"persian", "fa"},
      {"hindi", "hi"},   {"tamil", "ta"},      {"kurdish", "ku"}, {"ukrainian", "uk"},  {"russian", "ru"},
  };
  return names;
}

std::string language_label(const std::string& code) {
  for (const auto& [name, c] : language_names())
    if (c == code) {
      std::string n = name;
      n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
      return n + " (" + code + ")";
    }
  return code;
}

namespace {

struct Column {
  std::size_t index = 0;
  std::string base;    // "label", "list_name": lower case, spaces as _
  std::string locale;  // "" for a column without ::language
  std::string header;  // as written
};

// One sheet with its header row read.
class Table {
 public:
  Table(const xlsx::Sheet& sheet, const std::string& source) : sheet_(&sheet), source_(source) {
    if (sheet.rows.empty()) return;
    header_row_ = sheet.rows.begin()->first;
    const auto& cells = sheet.rows.begin()->second;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      std::string h = trim(cells[i]);
      if (h.empty()) continue;
      Column c;
      c.index = i;
      c.header = h;
      std::string base = h;
      if (auto sep = h.find("::"); sep != std::string::npos) {
        base = trim(h.substr(0, sep));
        std::string lang = trim(h.substr(sep + 2));
        auto b = lower(base);
        // media::image and bind::/body::/instance:: columns name no language.
        if (b == "media" || b == "bind" || b == "body" || b == "instance") {
          base = b + "::" + lower(lang);
        } else {
          auto code = language_code(lang);
          if (!code)
            throw Refusal{where(header_row_, i) + "\"" + lang +
                          "\" is not a language the kiosk can tell the code of: write it as ODK asks, the name "
                          "then the code in brackets, e.g. \"" +
                          b + "::Polish (pl)\""};
          c.locale = *code;
        }
      }
      base = lower(trim(base));
      std::replace(base.begin(), base.end(), ' ', '_');
      c.base = base;
      columns_.push_back(std::move(c));
    }
  }

  const std::string& name() const { return sheet_->name; }
  bool empty() const { return sheet_->rows.size() <= 1; }
  std::size_t header_row() const { return header_row_; }

  const Column* column(std::string_view base, std::string_view locale = "") const {
    for (const auto& c : columns_)
      if (c.base == base && c.locale == locale) return &c;
    return nullptr;
  }
  std::vector<const Column*> columns(std::string_view base) const {
    std::vector<const Column*> out;
    for (const auto& c : columns_)
      if (c.base == base) out.push_back(&c);
    return out;
  }
  const std::vector<Column>& all_columns() const { return columns_; }

  // Data rows, in order, skipping the header.
  std::vector<std::pair<std::size_t, const std::vector<std::string>*>> rows() const {
    std::vector<std::pair<std::size_t, const std::vector<std::string>*>> out;
    for (const auto& [n, cells] : sheet_->rows)
      if (n != header_row_) out.emplace_back(n, &cells);
    return out;
  }

  static std::string cell(const std::vector<std::string>& cells, const Column* c) {
    if (!c || c->index >= cells.size()) return {};
    return trim(cells[c->index]);
  }
  // Texts keep their inner line breaks; only the ends are trimmed.
  static std::string text(const std::vector<std::string>& cells, const Column* c) {
    if (!c || c->index >= cells.size()) return {};
    std::string t = cells[c->index];
    t.erase(std::remove(t.begin(), t.end(), '\r'), t.end());
    return trim(t);
  }

  std::string where(std::size_t row, std::size_t column, const std::string& header = {}) const {
    return source_ + ": sheet \"" + sheet_->name + "\", row " + std::to_string(row) + ", column " +
           xlsx::column_name(column) + (header.empty() ? "" : " (" + header + ")") + ": ";
  }
  std::string where(std::size_t row, const Column* c) const {
    return c ? where(row, c->index, c->header)
             : source_ + ": sheet \"" + sheet_->name + "\", row " + std::to_string(row) + ": ";
  }
  std::string where_row(std::size_t row) const {
    return source_ + ": sheet \"" + sheet_->name + "\", row " + std::to_string(row) + ": ";
  }

 private:
  const xlsx::Sheet* sheet_;
  std::string source_;
  std::size_t header_row_ = 0;
  std::vector<Column> columns_;
};

// ---- relevant: the XPath subset -------------------------------------------

struct Token {
  enum Kind { Ref, String, Number, Name, Op, LParen, RParen, Comma, Dot, End } kind = End;
  std::string text;
  std::size_t pos = 0;  // 1-based character in the expression
};

class RuleParser {
 public:
  // `lookup` gives an earlier question by id, or null; `later` says whether an id is the
  // question itself or one after it.
  RuleParser(std::string expr, std::string where, const Survey& survey, const std::set<std::string>& all_names,
             std::string self)
      : expr_(std::move(expr)), where_(std::move(where)), survey_(survey), all_(all_names), self_(std::move(self)) {
    tokenize();
  }

  Rule parse() {
    Rule r = parse_or();
    if (peek().kind != Token::End) fail(peek(), "unexpected \"" + peek().text + "\"");
    return r;
  }

 private:
  [[noreturn]] void fail(const Token& at, const std::string& why) const {
    throw Refusal{where_ + why + " (at character " + std::to_string(at.pos) + " of \"" + expr_ +
                  "\"). The kiosk understands ${q} = 'code', ${q} != 'code', selected(${q}, 'code'), "
                  "${q} != '', not(...), and, or and brackets."};
  }

  void tokenize() {
    std::size_t i = 0;
    while (i < expr_.size()) {
      char c = expr_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token t;
      t.pos = i + 1;
      if (c == '$' && i + 1 < expr_.size() && expr_[i + 1] == '{') {
        auto close = expr_.find('}', i);
        if (close == std::string::npos) {
          t.text = "${";
          fail(t, "${ is not closed with }");
        }
        t.kind = Token::Ref;
        t.text = trim(expr_.substr(i + 2, close - i - 2));
        i = close + 1;
      } else if (c == '\'' || c == '"') {
        auto close = expr_.find(c, i + 1);
        if (close == std::string::npos) {
          t.text = std::string(1, c);
          fail(t, "a quoted text is not closed");
        }
        t.kind = Token::String;
        t.text = expr_.substr(i + 1, close - i - 1);
        i = close + 1;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i + 1 < expr_.size() && std::isdigit(static_cast<unsigned char>(expr_[i + 1])))) {
        std::size_t j = i + 1;
        while (j < expr_.size() && (std::isdigit(static_cast<unsigned char>(expr_[j])) || expr_[j] == '.')) ++j;
        t.kind = Token::Number;
        t.text = expr_.substr(i, j - i);
        i = j;
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::size_t j = i;
        while (j < expr_.size() && (std::isalnum(static_cast<unsigned char>(expr_[j])) || expr_[j] == '_' ||
                                    expr_[j] == '-' || expr_[j] == ':'))
          ++j;
        t.kind = Token::Name;
        t.text = expr_.substr(i, j - i);
        i = j;
      } else if (c == '(' || c == ')' || c == ',') {
        t.kind = c == '(' ? Token::LParen : c == ')' ? Token::RParen : Token::Comma;
        t.text = std::string(1, c);
        ++i;
      } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        t.kind = Token::Op;
        t.text = std::string(1, c);
        if (i + 1 < expr_.size() && expr_[i + 1] == '=') t.text += '=';
        i += t.text.size();
        if (t.text == "!") fail(t, "\"!\" on its own: write != or not(...)");
      } else if (c == '.') {
        t.kind = Token::Dot;
        t.text = ".";
        ++i;
      } else {
        t.text = std::string(1, c);
        t.kind = Token::Op;
        fail(t, "\"" + t.text + "\" is not part of the rules the kiosk understands");
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.pos = expr_.size() + 1;
    end.text = "the end";
    tokens_.push_back(end);
  }

  const Token& peek() const { return tokens_[next_]; }
  const Token& take() { return tokens_[next_ < tokens_.size() - 1 ? next_++ : next_]; }
  void expect(Token::Kind k, const std::string& what) {
    if (peek().kind != k) fail(peek(), "expected " + what + ", found \"" + peek().text + "\"");
    take();
  }

  Rule parse_or() {
    std::vector<Rule> parts{parse_and()};
    while (peek().kind == Token::Name && peek().text == "or") {
      take();
      parts.push_back(parse_and());
    }
    if (parts.size() == 1) return parts[0];
    // selected(${q}, 'a') or selected(${q}, 'b') reads as "q is a or b".
    bool same = std::all_of(parts.begin(), parts.end(), [&](const Rule& r) {
      return r.kind == Rule::Kind::Equals && r.question == parts[0].question;
    });
    Rule r;
    if (same) {
      r.kind = Rule::Kind::AnyOf;
      r.question = parts[0].question;
      for (auto& p : parts) r.values.push_back(p.values[0]);
    } else {
      r.kind = Rule::Kind::Any;
      r.children = std::move(parts);
    }
    return r;
  }

  Rule parse_and() {
    std::vector<Rule> parts{parse_unary()};
    while (peek().kind == Token::Name && peek().text == "and") {
      take();
      parts.push_back(parse_unary());
    }
    if (parts.size() == 1) return parts[0];
    Rule r;
    r.kind = Rule::Kind::All;
    r.children = std::move(parts);
    return r;
  }

  Rule parse_unary() {
    const Token& t = peek();
    if (t.kind == Token::LParen) {
      take();
      Rule r = parse_or();
      expect(Token::RParen, "\")\"");
      return r;
    }
    if (t.kind == Token::Name && t.text == "not") {
      take();
      expect(Token::LParen, "\"(\" after not");
      Rule inner = parse_or();
      expect(Token::RParen, "\")\"");
      Rule r;
      r.kind = Rule::Kind::Not;
      r.children.push_back(std::move(inner));
      return r;
    }
    if (t.kind == Token::Name && t.text == "selected") {
      take();
      expect(Token::LParen, "\"(\" after selected");
      const Token ref = peek();
      if (ref.kind != Token::Ref) fail(ref, "selected( needs a question as ${name}");
      take();
      const Question& q = question(ref);
      if (!q.has_options())
        fail(ref,
             "selected( looks at a choice, but ${" + q.id + "} is a " + std::string(to_string(q.type)) + " question");
      expect(Token::Comma, "\",\"");
      const Token val = peek();
      if (val.kind != Token::String && val.kind != Token::Number) fail(val, "selected( needs a choice name in quotes");
      take();
      expect(Token::RParen, "\")\"");
      return equals(q, val);
    }
    if (t.kind == Token::Ref) {
      const Token ref = take();
      const Question& q = question(ref);
      const Token op = peek();
      if (op.kind != Token::Op) fail(op, "expected = or != after ${" + ref.text + "}");
      take();
      const Token val = peek();
      if (val.kind != Token::String && val.kind != Token::Number)
        fail(val, "expected a value in quotes after " + op.text);
      take();
      if (op.text != "=" && op.text != "!=")
        fail(op, "\"" + op.text +
                     "\" compares numbers, and the kiosk has no number questions yet: only = and != on a choice");
      Rule base;
      if (val.kind == Token::String && val.text.empty()) {
        base.kind = Rule::Kind::Answered;
        base.question = q.id;
        if (op.text == "!=") return base;
      } else {
        if (q.type == QuestionType::Multiple)
          fail(ref, "${" + q.id + "} allows several answers: write selected(${" + q.id + "}, '" + val.text +
                        "') to ask whether one of them was chosen");
        if (!q.has_options())
          fail(ref, "${" + q.id + "} is a " + std::string(to_string(q.type)) +
                        " question: a rule may compare only a choice with a code, or ask whether a question was "
                        "answered (${" +
                        q.id + "} != '')");
        base = equals(q, val);
        if (op.text == "=") return base;
      }
      Rule r;
      r.kind = Rule::Kind::Not;
      r.children.push_back(std::move(base));
      return r;
    }
    if (t.kind == Token::Name && peek_is_call())
      fail(t, "the function " + t.text + "() is not one the kiosk understands");
    fail(t, "expected ${question}, selected(...), not(...) or \"(\", found \"" + t.text + "\"");
  }

  bool peek_is_call() const { return next_ + 1 < tokens_.size() && tokens_[next_ + 1].kind == Token::LParen; }

  const Question& question(const Token& ref) {
    for (const auto& q : survey_.questions)
      if (q.id == ref.text) return q;
    if (ref.text == self_)
      fail(ref, "${" + ref.text + "} is this question itself: a question cannot depend on its own answer");
    if (all_.count(ref.text))
      fail(ref, "${" + ref.text +
                    "} comes after this question: the kiosk asks questions in order, so a rule may look only at "
                    "answers given earlier (a rule that looks ahead can never be met, or makes a cycle)");
    fail(ref, "${" + ref.text + "} is not a question in the survey sheet");
  }

  Rule equals(const Question& q, const Token& val) {
    if (!q.find_option(val.text)) {
      std::string codes;
      for (const auto& o : q.options) codes += (codes.empty() ? "" : ", ") + o.code;
      fail(val, "'" + val.text + "' is not a choice of ${" + q.id + "} (its choices: " + codes + ")");
    }
    Rule r;
    r.kind = Rule::Kind::Equals;
    r.question = q.id;
    r.values = {val.text};
    return r;
  }

  std::string expr_, where_;
  const Survey& survey_;
  const std::set<std::string>& all_;
  std::string self_;
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
};

// ---- the importer ----------------------------------------------------------

struct ChoiceRow {
  std::string code;
  LocalText label;
  std::size_t row = 0;
};
struct ChoiceList {
  std::vector<ChoiceRow> choices;
  std::size_t first_row = 0;
};

// Columns the importer knows it cannot honour: a row that uses one is refused.
const std::map<std::string, std::string>& unsupported_columns() {
  static const std::map<std::string, std::string> m = {
      {"calculation", "calculations are not supported: the kiosk asks and stores what visitors answer"},
      {"choice_filter", "choice filters are not supported: every question shows all its choices"},
      {"repeat_count", "repeats are not supported: each question is asked once"},
      {"default", "default answers are not supported: a visitor always chooses for themselves"},
      {"trigger", "triggers are not supported"},
      {"parameters", "parameters are not supported"},
      {"image", "images are not supported yet"},
      {"audio", "audio is not supported: the kiosk speaks every question with its own voice"},
      {"video", "video is not supported"},
      {"big-image", "images are not supported yet"},
      {"media::image", "images are not supported yet"},
      {"media::audio", "audio is not supported: the kiosk speaks every question with its own voice"},
      {"media::video", "video is not supported"},
      {"media::big-image", "images are not supported yet"},
  };
  return m;
}

// Types that cannot be imported, with the reason an officer can act on.
std::optional<std::string> refused_type(const std::string& t) {
  static const std::map<std::string, std::string> m = {
      {"range", "a range slider is not supported: use integer, which the kiosk asks with a number pad"},
      {"time", "the kiosk does not ask for a time"},
      {"datetime", "the kiosk does not ask for a date and time"},
      {"geopoint", "a kiosk in a library does not ask for a location"},
      {"geotrace", "a kiosk in a library does not ask for a location"},
      {"geoshape", "a kiosk in a library does not ask for a location"},
      {"start-geopoint", "a kiosk in a library does not record a location"},
      {"image", "the kiosk does not take photos or files"},
      {"audio", "the kiosk does not record sound"},
      {"background-audio", "the kiosk does not record sound"},
      {"video", "the kiosk does not record video"},
      {"file", "the kiosk does not take files"},
      {"barcode", "the kiosk does not scan barcodes"},
      {"calculate", "calculations are not supported: the kiosk asks and stores what visitors answer"},
      {"hidden", "hidden fields are not supported"},
      {"acknowledge", "an acknowledge question is not supported: use select_one with a single choice"},
      {"rank", "ranking is not supported"},
      {"begin_repeat", "repeats are not supported: each question is asked once"},
      {"end_repeat", "repeats are not supported: each question is asked once"},
      {"select_one_from_file", "choices from a file are not supported: list them in the choices sheet"},
      {"select_multiple_from_file", "choices from a file are not supported: list them in the choices sheet"},
      {"xml-external", "external data is not supported"},
      {"csv-external", "external data is not supported"},
  };
  if (auto it = m.find(t); it != m.end()) return it->second;
  return std::nullopt;
}

// Metadata a kiosk records its own way, or not at all: skipped with a warning.
std::optional<std::string> metadata_type(const std::string& t) {
  static const std::map<std::string, std::string> m = {
      {"start", "the kiosk records when each response starts"},
      {"end", "the kiosk records when each response is completed"},
      {"today", "the kiosk records when each response is completed"},
      {"deviceid", "the kiosk records its own id with each response"},
      {"subscriberid", "a kiosk records nothing about the visitor's device"},
      {"simserial", "a kiosk records nothing about the visitor's device"},
      {"phonenumber", "a kiosk records nothing about the visitor's device"},
      {"username", "visitors are anonymous"},
      {"email", "visitors are anonymous"},
      {"audit", "the kiosk keeps no audit of how each visitor moved through the survey"},
  };
  if (auto it = m.find(t); it != m.end()) return it->second;
  return std::nullopt;
}

std::optional<bool> parse_bool(const std::string& v) {
  auto l = lower(trim(v));
  if (l.empty() || l == "no" || l == "false" || l == "false()" || l == "0") return false;
  if (l == "yes" || l == "true" || l == "true()" || l == "1") return true;
  return std::nullopt;
}

class Importer {
 public:
  Importer(const std::vector<xlsx::Sheet>& sheets, std::string source) : source_(std::move(source)) {
    for (const auto& s : sheets) {
      auto n = lower(trim(s.name));
      if (n == "survey") survey_sheet_ = &s;
      if (n == "choices") choices_sheet_ = &s;
      if (n == "settings") settings_sheet_ = &s;
    }
  }

  Imported run() {
    if (!survey_sheet_)
      throw Refusal{source_ +
                    ": has no sheet named \"survey\": an XLSForm has a survey sheet (the questions), a choices "
                    "sheet (their answers) and may have a settings sheet"};
    Table survey(*survey_sheet_, source_);
    if (survey.empty()) throw Refusal{source_ + ": sheet \"survey\" has no questions"};
    read_settings();
    find_languages(survey);
    read_choices();
    read_survey(survey);
    finish();
    return std::move(out_);
  }

 private:
  Survey& s() { return out_.survey; }
  void warn(const std::string& w) { out_.warnings.push_back(w); }

  // Texts of one row in every language: `label`, `label::Polish (pl)`.
  LocalText texts(const Table& t, const std::vector<std::string>& cells, std::string_view base) {
    LocalText lt;
    for (const Column* c : t.columns(base)) {
      std::string v = Table::text(cells, c);
      if (v.empty()) continue;
      std::string loc = c->locale.empty() ? default_locale_ : c->locale;
      // A column for the default language wins over the plain one.
      if (c->locale.empty() && t.column(base, default_locale_)) {
        if (!lt.by_locale.count(loc)) lt.by_locale[loc] = v;
        continue;
      }
      lt.by_locale[loc] = v;
    }
    return lt;
  }

  void read_settings() {
    if (!settings_sheet_) return;
    Table t(*settings_sheet_, source_);
    auto rows = t.rows();
    if (rows.empty()) return;
    if (rows.size() > 1)
      warn(t.where_row(rows[1].first) + "only the first row under the settings sheet's headings is read");
    const auto& [row, cells] = rows[0];
    static const std::set<std::string> ignored = {
        "instance_name", "style",      "public_key",        "submission_url",          "auto_send",
        "auto_delete",   "namespaces", "clean_text_values", "allow_choice_duplicates", "omit_instanceid",
        "name"};
    static const std::set<std::string> known = {"form_id", "version",   "form_title",   "default_language", "intro",
                                                "privacy", "thank_you", "age_question", "minutes"};
    for (const auto& c : t.all_columns()) {
      if (Table::cell(*cells, &c).empty()) continue;
      if (known.count(c.base)) continue;
      if (ignored.count(c.base))
        warn(t.where(row, &c) + "not used: " +
             (c.base == "public_key"       ? "the kiosk seals every answer to the council's key from its hub"
              : c.base == "submission_url" ? "responses go to the hub the kiosk is enrolled with"
                                           : "the kiosk has no use for it"));
    }
    settings_row_ = row;
    settings_cells_ = cells;
    settings_ = std::make_unique<Table>(t);
    if (const Column* c = t.column("default_language"); c && !Table::cell(*cells, c).empty()) {
      auto code = language_code(Table::cell(*cells, c));
      if (!code)
        throw Refusal{t.where(row, c) + "\"" + Table::cell(*cells, c) +
                      "\" is not a language the kiosk can tell the code of: write it as \"English (en)\""};
      default_locale_ = *code;
    }
  }

  // The default language, when settings do not name it: English if a column
  // has no language, else the first language named.
  void find_languages(const Table& survey) {
    std::vector<std::string> seen;
    bool plain = false;
    auto scan = [&](const Table& t) {
      for (const auto& c : t.all_columns()) {
        if (c.base != "label" && c.base != "hint" && c.base != "title" && c.base != "intro" && c.base != "privacy" &&
            c.base != "thank_you" && c.base != "form_title")
          continue;
        if (c.locale.empty())
          plain = true;
        else if (std::find(seen.begin(), seen.end(), c.locale) == seen.end())
          seen.push_back(c.locale);
      }
    };
    scan(survey);
    std::unique_ptr<Table> choices;
    if (choices_sheet_) scan(Table(*choices_sheet_, source_));
    if (settings_) scan(*settings_);
    if (default_locale_.empty()) default_locale_ = (plain || seen.empty()) ? "en" : seen.front();
    s().default_locale = default_locale_;
    s().locales = {default_locale_};
    for (const auto& l : seen)
      if (l != default_locale_) s().locales.push_back(l);
  }

  void read_choices() {
    if (!choices_sheet_) return;
    Table t(*choices_sheet_, source_);
    const Column* list = t.column("list_name");
    const Column* name = t.column("name");
    if (!t.empty() && (!list || !name))
      throw Refusal{source_ + ": sheet \"choices\", row " + std::to_string(t.header_row()) +
                    ": the first row must name the columns list_name, name and label"};
    for (const auto& [row, cells] : t.rows()) {
      std::string l = Table::cell(*cells, list), n = Table::cell(*cells, name);
      LocalText label = texts(t, *cells, "label");
      if (l.empty() && n.empty() && label.empty()) continue;
      if (l.empty()) throw Refusal{t.where(row, list) + "the choice has no list_name"};
      if (n.empty()) throw Refusal{t.where(row, name) + "the choice has no name"};
      for (const auto& [col, why] : unsupported_columns())
        if (const Column* c = t.column(col); c && !Table::cell(*cells, c).empty()) throw Refusal{t.where(row, c) + why};
      if (!is_code(n))
        throw Refusal{t.where(row, name) + "\"" + n +
                      "\" cannot be a choice's name here: use lower-case letters, digits and _ (it is the code in "
                      "every export)" +
                      (is_code(lower(n)) ? "; write it \"" + lower(n) + "\"" : "")};
      auto& cl = lists_[l];
      if (cl.choices.empty()) cl.first_row = row;
      for (const auto& c : cl.choices)
        if (c.code == n)
          throw Refusal{t.where(row, name) + "list \"" + l + "\" already has a choice \"" + n + "\" (row " +
                        std::to_string(c.row) + ")"};
      if (!label.by_locale.count(default_locale_))
        throw Refusal{t.where(row, label_column(t)) + "the choice \"" + n +
                      "\" has no label in the default language (" + default_locale_ + ")"};
      cl.choices.push_back({n, std::move(label), row});
    }
    choices_table_ = std::make_unique<Table>(t);
  }

  void read_survey(const Table& t) {
    const Column* type = t.column("type");
    const Column* name = t.column("name");
    if (!type || !name)
      throw Refusal{source_ + ": sheet \"survey\", row " + std::to_string(t.header_row()) +
                    ": the first row must name the columns type, name and label"};
    // Every name first, so a rule that looks ahead is told so.
    for (const auto& [row, cells] : t.rows()) {
      std::string n = Table::cell(*cells, name);
      if (!n.empty()) all_names_.insert(n);
    }
    bool in_group = false;
    std::optional<Rule> group_rule;
    std::size_t group_row = 0;
    // A matrix, written either of ODK's two ways: a group whose appearance is
    // table-list (each select_one of one list is an item, the group's label
    // the matrix's words), or a select_one with appearance label (the
    // matrix's words; its list's answers head the columns) followed by
    // select_one rows of that list with appearance list-nolabel (the items),
    // which ODK shows as one table inside a field-list group.
    struct OpenMatrix {
      std::string id, list;
      LocalText text, hint, title;
      std::size_t row = 0;            // where it starts
      std::size_t matrix = SIZE_MAX;  // its index in Survey::matrices, once it has an item
    };
    std::optional<OpenMatrix> matrix;
    bool table_group = false;
    std::size_t last_select = SIZE_MAX;  // index of the question just before, if a choice question

    for (const auto& [row, cells] : t.rows()) {
      std::string type_text = Table::cell(*cells, type);
      std::string n = Table::cell(*cells, name);
      LocalText label = texts(t, *cells, "label");
      if (type_text.empty()) {
        if (n.empty() && label.empty()) continue;  // a blank row, or a row of comments
        throw Refusal{t.where(row, type) + "the row has a name or label but no type"};
      }
      auto w = words(type_text);
      std::string kind = lower(w[0]);
      // "begin group", "select one" and the like, as some forms write them.
      if (w.size() >= 2 && (kind == "begin" || kind == "end" || kind == "select")) {
        kind += "_" + lower(w[1]);
        w.erase(w.begin());
        w[0] = kind;
      }
      if (kind == "select_one" || kind == "select_multiple") {
        if (w.size() >= 3 && lower(w[2]) == "from")  // select_one_from_file written with spaces
          throw Refusal{t.where(row, type) + *refused_type("select_one_from_file")};
      }
      for (const auto& [col, why] : unsupported_columns())
        if (const Column* c = t.column(col); c && !Table::cell(*cells, c).empty()) throw Refusal{t.where(row, c) + why};
      if (const Column* c = t.column("read_only"); c && parse_bool(Table::cell(*cells, c)).value_or(true))
        throw Refusal{t.where(row, c) + "read-only questions are not supported"};

      if (auto why = metadata_type(kind)) {
        warn(t.where(row, type) + "\"" + type_text + "\" is left out: " + *why);
        continue;
      }
      if (kind == "begin_group") {
        if (in_group)
          throw Refusal{t.where(row, type) + "a group inside a group (row " + std::to_string(group_row) +
                        "): the kiosk's sections do not nest; close the first group with end_group before this one"};
        in_group = true;
        group_row = row;
        Section sec;
        sec.id = n;
        check_id(t, row, name, n, "group");
        sec.heading = label;
        const Column* look = t.column("appearance");
        const auto looks = words(lower(look ? Table::cell(*cells, look) : std::string()));
        table_group = std::find(looks.begin(), looks.end(), "table-list") != looks.end();
        matrix.reset();
        if (table_group) {
          // The group's label is the matrix's words, not a heading above them.
          matrix = OpenMatrix{n, {}, label, texts(t, *cells, "hint"), {}, row, SIZE_MAX};
          sec.heading = {};
        }
        out_.survey_rows[n] = row;
        s().sections.push_back(std::move(sec));
        open_section_ = s().sections.size() - 1;
        implicit_section_ = false;
        group_rule.reset();
        if (const Column* c = t.column("relevant"); c && !Table::cell(*cells, c).empty())
          group_rule = RuleParser(Table::cell(*cells, c), t.where(row, c), s(), all_names_, n).parse();
        last_select = SIZE_MAX;
        continue;
      }
      if (kind == "end_group") {
        if (!in_group) throw Refusal{t.where(row, type) + "end_group without a begin_group before it"};
        if (s().sections[open_section_].questions.empty())
          throw Refusal{t.where(row, type) + "the group that starts at row " + std::to_string(group_row) +
                        " has no questions"};
        if (table_group && matrix && matrix->matrix == SIZE_MAX)
          throw Refusal{t.where(row, type) + "the table-list group that starts at row " + std::to_string(group_row) +
                        " has no select_one rows to be its items"};
        in_group = false;
        table_group = false;
        matrix.reset();
        group_rule.reset();
        open_section_ = SIZE_MAX;
        last_select = SIZE_MAX;
        continue;
      }
      // A field-list group's header row: a select_one with appearance label.
      const Column* look = t.column("appearance");
      const auto looks = words(lower(look ? Table::cell(*cells, look) : std::string()));
      auto looks_as = [&](const char* a) { return std::find(looks.begin(), looks.end(), a) != looks.end(); };
      if (kind == "select_one" && looks_as("label") && !table_group) {
        if (w.size() != 2)
          throw Refusal{t.where(row, type) + "a matrix's heading row is \"select_one LIST\", without or_other"};
        check_id(t, row, name, n, "matrix");
        out_.survey_rows[n] = row;
        matrix = OpenMatrix{n, w[1], label, texts(t, *cells, "hint"), texts(t, *cells, "title"), row, SIZE_MAX};
        last_select = SIZE_MAX;
        continue;
      }
      const bool item = matrix && (table_group || (kind == "select_one" && looks_as("list-nolabel")));
      if (!item && looks_as("list-nolabel"))
        throw Refusal{t.where(row, look) +
                      "list-nolabel rows follow a select_one row with appearance label, in one "
                      "field-list group: they are the items of that matrix"};
      if (!item && !table_group && matrix && matrix->matrix == SIZE_MAX)
        throw Refusal{t.where(row, type) + "the matrix headed at row " + std::to_string(matrix->row) +
                      " has no list-nolabel rows to be its items"};
      if (!item) matrix.reset();
      if (item && kind != "select_one")
        throw Refusal{t.where(row, type) + "\"" + type_text + "\" in the table-list group that starts at row " +
                      std::to_string(group_row) +
                      ": every question of a table-list group is a select_one of one list, an item of its matrix"};
      if (kind == "note") {
        // A note that opens a group is the section's introduction.
        if (in_group && s().sections[open_section_].questions.empty() && s().sections[open_section_].intro.empty() &&
            !has_rule(t, *cells)) {
          s().sections[open_section_].intro = label;
          continue;
        }
      }
      if (auto why = refused_type(kind)) throw Refusal{t.where(row, type) + "\"" + type_text + "\": " + *why};

      Question q;
      q.id = n;
      if (kind == "select_one" || kind == "select_multiple") {
        if (w.size() < 2)
          throw Refusal{t.where(row, type) + "\"" + type_text + "\" needs the name of a choice list: \"" + kind +
                        " LIST\""};
        if (w.size() > 3 || (w.size() == 3 && lower(w[2]) != "or_other"))
          throw Refusal{t.where(row, type) + "\"" + type_text + "\": after the list's name only or_other may follow"};
        const std::string list = w[1];
        auto it = lists_.find(list);
        if (it == lists_.end())
          throw Refusal{t.where(row, type) + "the choices sheet has no list named \"" + list + "\""};
        q.type = kind == "select_one" ? QuestionType::Single : QuestionType::Multiple;
        for (const auto& c : it->second.choices) q.options.push_back(Option{c.code, c.label, false});
        if (w.size() == 3) {
          if (q.find_option("other"))
            throw Refusal{t.where(row, type) + "or_other adds a choice \"other\", but list \"" + list +
                          "\" already has one (row " + std::to_string(it->second.first_row) + ")"};
          q.options.push_back(Option{"other", LocalText{{{default_locale_, "Other"}}}, true});
        }
        list_of_[n] = w.size() == 3 ? std::string() : list;
        if (const Column* c = t.column("scale"); c && !Table::cell(*cells, c).empty()) {
          auto b = parse_bool(Table::cell(*cells, c));
          if (!b)
            throw Refusal{t.where(row, c) + "write yes when the question's list is a shared scale, or leave it empty"};
          if (*b) scale_marked_.insert(n);
        }
      } else if (kind == "text") {
        q.type = QuestionType::Text;
        q.max_length = kDefaultTextLength;
      } else if (kind == "integer" || kind == "decimal") {
        q.type = kind == "integer" ? QuestionType::Integer : QuestionType::Decimal;
      } else if (kind == "note") {
        q.type = QuestionType::Note;
      } else if (kind == "date") {
        q.type = QuestionType::Date;
      } else {
        throw Refusal{t.where(row, type) + "\"" + type_text + "\" is not an XLSForm question type"};
      }

      check_id(t, row, name, n, "question");
      q.text = label;
      if (!q.text.by_locale.count(default_locale_))
        throw Refusal{t.where(row, label_column(t)) + "the question \"" + n +
                      "\" has no label in the default language (" + default_locale_ + ")"};
      q.hint = texts(t, *cells, "hint");
      q.title = texts(t, *cells, "title");
      if (const Column* c = t.column("required"); c) {
        auto b = parse_bool(Table::cell(*cells, c));
        if (!b)
          throw Refusal{t.where(row, c) + "\"" + Table::cell(*cells, c) +
                        "\": write yes or no (a condition here is not supported)"};
        q.required = *b;
      }
      if (const Column* c = t.column("required_message"); c && !Table::cell(*cells, c).empty())
        warn(t.where(row, c) +
             "not used: the kiosk says that an answer is needed in its own words, in every "
             "language, and speaks them");
      std::optional<Rule> rule;
      if (const Column* c = t.column("relevant"); c && !Table::cell(*cells, c).empty())
        rule = RuleParser(Table::cell(*cells, c), t.where(row, c), s(), all_names_, n).parse();

      // The ODK way of writing "Other (please specify)": a text question
      // named after the choice question, shown when `other` is chosen.
      if (q.type == QuestionType::Text && last_select != SIZE_MAX) {
        Question& prev = s().questions[last_select];
        const Option* other = rule && rule->kind == Rule::Kind::Equals && rule->question == prev.id
                                  ? prev.find_option(rule->values[0])
                                  : nullptr;
        if (other && n == prev.id + "_" + other->code && !prev.other_option()) {
          for (auto& o : prev.options)
            if (o.code == other->code) o.other = true;
          prev.other_max_length = text_length(t, row, *cells, kDefaultOtherLength);
          list_of_[prev.id].clear();  // its options are no longer the list's
          if (const auto& box = q.text.get(default_locale_, default_locale_);
              box != other->label.get(default_locale_, default_locale_))
            warn(t.where(row, label_column(t)) + "the box for \"" + prev.id +
                 "\"'s other answer is shown under that choice, whose label (\"" +
                 other->label.get(default_locale_, default_locale_) + "\") is its prompt; its own label \"" + box +
                 "\" is not shown");
          all_names_.erase(n);
          last_select = SIZE_MAX;
          continue;
        }
      }

      if (q.type == QuestionType::Text) {
        q.max_length = text_length(t, row, *cells, kDefaultTextLength);
      } else if (q.is_number()) {
        number_range(t, row, *cells, q);
      } else if (q.type == QuestionType::Date) {
        date_range(t, row, *cells, q);
      } else if (const Column* c = t.column("constraint"); c && !Table::cell(*cells, c).empty()) {
        throw Refusal{t.where(row, c) + "a constraint on a " +
                      (q.type == QuestionType::Note ? std::string("note") : std::string("choice question")) +
                      " is not supported"};
      }
      if (const Column* c = t.column("decimals"); c && !Table::cell(*cells, c).empty()) {
        const std::string v = Table::cell(*cells, c);
        if (q.type != QuestionType::Decimal) throw Refusal{t.where(row, c) + "only decimal questions have decimals"};
        if (v.size() != 1 || v[0] < '1' || v[0] > '6')
          throw Refusal{t.where(row, c) + "\"" + v + "\": write how many digits after the point, 1 to 6"};
        q.decimals = v[0] - '0';
      } else if (q.type == QuestionType::Decimal) {
        q.decimals = 2;
      }
      if (q.type == QuestionType::Note && q.required)
        throw Refusal{t.where(row, t.column("required")) + "a note takes no answer, so it cannot be required"};
      if (const Column* c = t.column("appearance"); c && !item) appearance(t, row, c, Table::cell(*cells, c), q);

      if (group_rule) {
        if (rule) {
          Rule both;
          both.kind = Rule::Kind::All;
          both.children = {*group_rule, *rule};
          rule = both;
        } else {
          rule = group_rule;
        }
      }
      q.show_if = rule;
      if (item) add_to_matrix(t, row, type, *matrix, w, q, q.show_if);
      if (!in_group && !implicit_section_) {
        Section sec;
        sec.id = "part_" + std::to_string(s().sections.size() + 1);
        s().sections.push_back(std::move(sec));
        open_section_ = s().sections.size() - 1;
        implicit_section_ = true;
      }
      q.section = open_section_;
      q.index = s().questions.size();
      out_.survey_rows[n] = row;
      s().sections[open_section_].questions.push_back(q.index);
      s().questions.push_back(std::move(q));
      last_select = s().questions.back().has_options() ? s().questions.size() - 1 : SIZE_MAX;
    }
    if (in_group)
      throw Refusal{source_ + ": sheet \"survey\", row " + std::to_string(group_row) +
                    ": the group that starts here has no end_group"};
    if (s().questions.empty()) throw Refusal{source_ + ": sheet \"survey\" has no questions the kiosk can ask"};
  }

  // A matrix's item: a select_one of the matrix's list, as required and as
  // shown as the items before it (the kiosk asks a matrix's items together).
  template <class Open>
  void add_to_matrix(const Table& t, std::size_t row, const Column* type, Open& m, const std::vector<std::string>& w,
                     Question& q, const std::optional<Rule>& rule) {
    if (w.size() != 2)
      throw Refusal{t.where(row, type) + "a matrix's item is \"select_one LIST\": or_other has no place in a matrix"};
    if (m.list.empty()) m.list = w[1];
    if (w[1] != m.list)
      throw Refusal{t.where(row, type) + "the items of the matrix that starts at row " + std::to_string(m.row) +
                    " are rated on one list, \"" + m.list + "\"; this row uses \"" + w[1] + "\""};
    if (q.options.size() < 2)
      throw Refusal{t.where(row, type) + "a matrix's list needs at least two choices; \"" + w[1] + "\" has one"};
    Survey& sv = s();
    if (m.matrix == SIZE_MAX) {
      m.matrix = sv.matrices.size();
      sv.matrices.push_back(Matrix{m.id, m.title, m.text, m.hint, {}});
    } else {
      const Question& first = sv.questions[sv.matrices[m.matrix].items.front()];
      if (first.required != q.required)
        throw Refusal{t.where(row, t.column("required")) + "the items of the matrix that starts at row " +
                      std::to_string(m.row) + " are asked together: all required, or none (row " +
                      std::to_string(out_.survey_rows[first.id]) + " differs)"};
      const std::string a = first.show_if ? describe_rule(sv, *first.show_if, default_locale_) : "",
                        b = rule ? describe_rule(sv, *rule, default_locale_) : "";
      if (a != b)
        throw Refusal{t.where(row, t.column("relevant")) + "the items of the matrix that starts at row " +
                      std::to_string(m.row) + " are shown together: give them all the same relevant, or none"};
    }
    q.type = QuestionType::Likert;
    q.matrix = static_cast<int>(m.matrix);
    sv.matrices[m.matrix].items.push_back(sv.questions.size());
  }

  // The label column of the default language.
  const Column* label_column(const Table& t) const {
    const Column* c = t.column("label", default_locale_);
    return c ? c : t.column("label");
  }

  bool has_rule(const Table& t, const std::vector<std::string>& cells) const {
    const Column* c = t.column("relevant");
    return c && !Table::cell(cells, c).empty();
  }

  void check_id(const Table& t, std::size_t row, const Column* name, const std::string& n, const char* what) {
    if (n.empty()) throw Refusal{t.where(row, name) + "the " + std::string(what) + " has no name"};
    if (!is_identifier(n))
      throw Refusal{t.where(row, name) + "\"" + n + "\" cannot be a " + what +
                    "'s name here: use lower-case letters, digits and _, starting with a letter (it is the column "
                    "name in every export)" +
                    (is_identifier(lower(n)) ? "; write it \"" + lower(n) + "\"" : "")};
    if (auto [it, fresh] = ids_.emplace(n, row); !fresh)
      throw Refusal{t.where(row, name) + "\"" + n + "\" is already the name of row " + std::to_string(it->second)};
  }

  // A text's length limit: `string-length(.) <= N` in the constraint column.
  int text_length(const Table& t, std::size_t row, const std::vector<std::string>& cells, int fallback) {
    const Column* c = t.column("constraint");
    std::string v = Table::cell(cells, c);
    if (v.empty()) return fallback;
    std::string compact;
    for (char ch : v)
      if (!std::isspace(static_cast<unsigned char>(ch))) compact += ch;
    const std::string prefix = "string-length(.)";
    int n = -1;
    if (compact.rfind(prefix, 0) == 0) {
      std::string rest = compact.substr(prefix.size());
      bool strict = rest.rfind("<", 0) == 0 && rest.rfind("<=", 0) != 0;
      std::string num = rest.rfind("<=", 0) == 0 ? rest.substr(2) : strict ? rest.substr(1) : std::string();
      if (!num.empty() && num.size() < 7 && std::all_of(num.begin(), num.end(), ::isdigit))
        n = std::stoi(num) - (strict ? 1 : 0);
    }
    if (n < 1 || n > kMaxTextLength)
      throw Refusal{t.where(row, c) + "\"" + v +
                    "\": on a text question the kiosk understands only a length limit, string-length(.) <= N, "
                    "with N from 1 to " +
                    std::to_string(kMaxTextLength)};
    if (const Column* m = t.column("constraint_message"); m && !Table::cell(cells, m).empty())
      warn(t.where(row, m) + "not used: the kiosk's box holds at most " + std::to_string(n) +
           " characters and says so itself");
    return n;
  }

  // A number's range: `. >= 0`, `. <= 120`, joined by and (`. > 0` for a
  // whole number is `. >= 1`).
  void number_range(const Table& t, std::size_t row, const std::vector<std::string>& cells, Question& q) {
    const Column* c = t.column("constraint");
    const std::string v = Table::cell(cells, c);
    if (v.empty()) return;
    auto refuse = [&] {
      return Refusal{t.where(row, c) + "\"" + v +
                     "\": on a number the kiosk understands only a range, such as . >= 0 and . <= 120"};
    };
    std::string rest = v;
    for (;;) {
      auto at = rest.find(" and ");
      std::string compact;
      for (char ch : rest.substr(0, at))
        if (!std::isspace(static_cast<unsigned char>(ch))) compact += ch;
      if (compact.empty() || compact[0] != '.') throw refuse();
      std::string op;
      std::size_t i = 1;
      while (i < compact.size() && (compact[i] == '<' || compact[i] == '>' || compact[i] == '=')) op += compact[i++];
      const std::string num = compact.substr(i);
      char* end = nullptr;
      const double n = std::strtod(num.c_str(), &end);
      if (num.empty() || !end || *end != '\0' || !std::isfinite(n)) throw refuse();
      const bool whole = q.type == QuestionType::Integer;
      if (op == ">=")
        q.min_value = n;
      else if (op == "<=")
        q.max_value = n;
      else if (op == ">" && whole && n == std::floor(n))
        q.min_value = n + 1;
      else if (op == "<" && whole && n == std::floor(n))
        q.max_value = n - 1;
      else
        throw refuse();
      if (at == std::string::npos) break;
      rest = rest.substr(at + 5);
    }
    if (q.min_value && q.max_value && *q.min_value > *q.max_value) throw refuse();
    if (const Column* m = t.column("constraint_message"); m && !Table::cell(cells, m).empty())
      warn(t.where(row, m) + "not used: the kiosk says the range in its own words, in every language");
  }

  // A date's range: `. >= date('2016-06-13')`, `. <= date('2016-09-05')`, joined by and.
  void date_range(const Table& t, std::size_t row, const std::vector<std::string>& cells, Question& q) {
    const Column* c = t.column("constraint");
    const std::string v = Table::cell(cells, c);
    if (v.empty()) return;
    auto refuse = [&] {
      return Refusal{t.where(row, c) + "\"" + v +
                     "\": on a date the kiosk understands only a range of fixed dates, such as "
                     ". >= date('2016-06-13') and . <= date('2016-09-05')"};
    };
    std::string compact;
    for (char ch : v)
      if (!std::isspace(static_cast<unsigned char>(ch))) compact += ch;
    std::size_t at = 0;
    while (at < compact.size()) {
      if (compact.compare(at, 1, ".") != 0) throw refuse();
      const bool ge = compact.compare(at + 1, 2, ">=") == 0, le = compact.compare(at + 1, 2, "<=") == 0;
      if (!ge && !le) throw refuse();
      at += 3;
      const std::string open = "date(";
      if (compact.compare(at, open.size(), open) != 0) throw refuse();
      at += open.size();
      if (at >= compact.size() || (compact[at] != '\'' && compact[at] != '"')) throw refuse();
      const char quote = compact[at];
      const auto end = compact.find(quote, at + 1);
      if (end == std::string::npos || end + 1 >= compact.size() || compact[end + 1] != ')') throw refuse();
      const std::string text = compact.substr(at + 1, end - at - 1);
      const auto iso = iso_date(split_date(text));
      if (!iso || *iso != text) throw refuse();
      (ge ? q.min_date : q.max_date) = *iso;
      at = end + 2;
      if (at < compact.size()) {
        if (compact.compare(at, 3, "and") != 0) throw refuse();
        at += 3;
      }
    }
    if (!q.min_date.empty() && !q.max_date.empty() && q.min_date > q.max_date) throw refuse();
    if (const Column* m = t.column("constraint_message"); m && !Table::cell(cells, m).empty())
      warn(t.where(row, m) + "not used: the kiosk says the range in its own words, in every language");
  }

  void appearance(const Table& t, std::size_t row, const Column* c, const std::string& v, Question& q) {
    for (const auto& a : words(lower(v))) {
      if (a == "likert") {
        if (q.type != QuestionType::Single)
          throw Refusal{t.where(row, c) + "likert is an appearance of select_one questions"};
        q.type = QuestionType::Likert;
      } else if (a == "postcode") {
        if (q.type != QuestionType::Text)
          throw Refusal{t.where(row, c) + "postcode is an appearance of text questions"};
        q.type = QuestionType::Postcode;
        q.max_length = 8;
      } else {
        warn(t.where(row, c) + "appearance \"" + a +
             "\" is not used: the kiosk lays out every question its own way, for touch and large text");
      }
    }
  }

  void finish() {
    Survey& sv = s();
    // yes_no: a select_one whose choices are exactly yes then no.
    for (auto& q : sv.questions)
      if (q.type == QuestionType::Single && q.options.size() == 2 && q.options[0].code == "yes" &&
          q.options[1].code == "no" && !q.options[0].other && !q.options[1].other)
        q.type = QuestionType::YesNo;
    // A list that several choice questions use whole is a scale: its answers
    // are translated once, as "scales.LIST.CODE". A list one question uses is
    // its own options ("questions.ID.options.CODE"), unless the `scale`
    // column says it is a scale.
    // A matrix is one use of its list, whatever its number of items.
    std::map<std::string, int> uses;
    for (const auto& q : sv.questions)
      if (q.type != QuestionType::YesNo && (!q.in_matrix() || sv.matrix_of(q)->items.front() == q.index))
        if (auto it = list_of_.find(q.id); it != list_of_.end() && !it->second.empty()) ++uses[it->second];
    for (auto& q : sv.questions) {
      if (q.type == QuestionType::YesNo) continue;
      auto it = list_of_.find(q.id);
      if (it == list_of_.end() || it->second.empty() || !is_identifier(it->second)) continue;
      if (uses[it->second] > 1 || scale_marked_.count(q.id)) q.scale = it->second;
    }

    Table* st = settings_.get();
    auto setting = [&](const char* key) -> std::string {
      return st ? Table::cell(*settings_cells_, st->column(key)) : std::string();
    };
    std::string id = setting("form_id");
    if (id.empty()) {
      id = lower(std::filesystem::path(source_).stem().string());
      std::replace(id.begin(), id.end(), '-', '_');
      std::replace(id.begin(), id.end(), ' ', '_');
      if (!is_identifier(id))
        throw Refusal{source_ + ": the settings sheet has no form_id, and the file's name \"" +
                      std::filesystem::path(source_).stem().string() +
                      "\" cannot stand in for one: add a settings sheet with a form_id column (lower-case "
                      "letters, digits and _, starting with a letter)"};
      warn(source_ + ": the settings sheet has no form_id: the survey's id is \"" + id + "\", from the file's name");
    } else if (!is_identifier(id)) {
      throw Refusal{st->where(settings_row_, st->column("form_id")) + "\"" + id +
                    "\" cannot be a survey's id here: use lower-case letters, digits and _, starting with a letter"};
    }
    sv.id = id;
    sv.version = setting("version");
    if (sv.version.empty()) {
      sv.version = "1";
      warn(source_ +
           ": the settings sheet has no version: the survey's version is \"1\"; give it one, and change "
           "it whenever the survey changes");
    }
    if (st) {
      sv.title = texts(*st, *settings_cells_, "form_title");
      sv.intro = texts(*st, *settings_cells_, "intro");
      sv.privacy = texts(*st, *settings_cells_, "privacy");
      sv.thank_you = texts(*st, *settings_cells_, "thank_you");
    }
    if (!sv.title.by_locale.count(default_locale_)) sv.title.by_locale[default_locale_] = sv.id;
    if (std::string a = setting("age_question"); !a.empty()) {
      auto q = std::find_if(sv.questions.begin(), sv.questions.end(), [&](const Question& x) { return x.id == a; });
      if (q == sv.questions.end() || !q->has_options())
        throw Refusal{st->where(settings_row_, st->column("age_question")) + "\"" + a +
                      "\" is not a choice question in the survey sheet"};
      sv.age_question = a;
    }
    if (std::string m = setting("minutes"); !m.empty()) {
      if (m.size() > 3 || !std::all_of(m.begin(), m.end(), ::isdigit) || std::stoi(m) < 1)
        throw Refusal{st->where(settings_row_, st->column("minutes")) + "\"" + m + "\" is not a number of minutes"};
      sv.minutes = std::stoi(m);
      sv.minutes_stated = true;
    }
  }

 public:
  static constexpr int kDefaultTextLength = 1000;
  static constexpr int kDefaultOtherLength = 200;
  static constexpr int kMaxTextLength = 10000;

 private:
  std::string source_;
  const xlsx::Sheet* survey_sheet_ = nullptr;
  const xlsx::Sheet* choices_sheet_ = nullptr;
  const xlsx::Sheet* settings_sheet_ = nullptr;
  std::unique_ptr<Table> settings_, choices_table_;
  std::size_t settings_row_ = 0;
  const std::vector<std::string>* settings_cells_ = nullptr;
  std::string default_locale_;
  std::map<std::string, ChoiceList> lists_;
  std::map<std::string, std::string> list_of_;  // question -> the list it uses whole ("" when changed)
  std::map<std::string, std::size_t> ids_;
  std::set<std::string> all_names_;
  std::set<std::string> scale_marked_;  // questions whose `scale` column says yes
  std::size_t open_section_ = SIZE_MAX;
  bool implicit_section_ = false;
  Imported out_;
};

}  // namespace

Result<Imported> import_sheets(const std::vector<xlsx::Sheet>& sheets, const std::string& source) {
  try {
    return Importer(sheets, source).run();
  } catch (const Refusal& r) {
    return make_error(ErrorKind::Validation, r.message);
  }
}

Result<Imported> import_xlsx(const std::string& path, const xlsx::Limits& limits) {
  auto sheets = xlsx::read_workbook(path, {"survey", "choices", "settings"}, limits);
  if (!sheets) return sheets.error();
  return import_sheets(*sheets, path);
}

}  // namespace kiosk::xlsform
