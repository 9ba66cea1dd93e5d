// Survey definition loader.
//
// Sections of this file:
//   1. LocalText and small lookups
//   2. SurveyLoader: walks the TOML tree, remembering the path and source
//      position of every node so that each error names FILE:LINE:COL: PATH
//   3. Rule checks (only earlier questions, known codes)
//   4. Entry points
//   5. Translation files (<stem>.<locale>.toml next to the survey)
#include "kiosk/survey.hpp"

#include <toml++/toml.h>

#include "kiosk/export.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace kiosk {

// ---- 1. LocalText and small lookups ---------------------------------------

const std::string& LocalText::get(const std::string& locale, const std::string& fallback_locale) const {
  static const std::string empty;
  if (auto it = by_locale.find(locale); it != by_locale.end()) return it->second;
  if (auto it = by_locale.find(fallback_locale); it != by_locale.end()) return it->second;
  return by_locale.empty() ? empty : by_locale.begin()->second;
}

std::string_view to_string(QuestionType t) {
  switch (t) {
    case QuestionType::Single: return "single";
    case QuestionType::Multiple: return "multiple";
    case QuestionType::Likert: return "likert";
    case QuestionType::YesNo: return "yes_no";
    case QuestionType::Text: return "text";
    case QuestionType::Postcode: return "postcode";
    case QuestionType::Integer: return "integer";
    case QuestionType::Decimal: return "decimal";
    case QuestionType::Note: return "note";
    case QuestionType::Date: return "date";
  }
  return "?";
}

std::optional<QuestionType> question_type_from(std::string_view s) {
  for (auto t :
       {QuestionType::Single, QuestionType::Multiple, QuestionType::Likert, QuestionType::YesNo, QuestionType::Text,
        QuestionType::Postcode, QuestionType::Integer, QuestionType::Decimal, QuestionType::Note, QuestionType::Date})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

const Option* Question::find_option(std::string_view code) const {
  for (const auto& o : options)
    if (o.code == code) return &o;
  return nullptr;
}

const Option* Question::other_option() const {
  for (const auto& o : options)
    if (o.other) return &o;
  return nullptr;
}

const Question* Survey::find(std::string_view question_id) const {
  auto it = index_.find(std::string(question_id));
  return it == index_.end() ? nullptr : &questions[it->second];
}

// ---- 2. SurveyLoader -------------------------------------------------------

namespace {

constexpr int kSupportedFormat = 1;
constexpr int kDefaultOtherMaxLength = 200;
constexpr size_t kMaxMatrixItems = 12;
constexpr int kMaxTextLength = 10000;

struct LoadError {
  std::string message;
};

bool is_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  if (!(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool is_code(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace

class SurveyLoader {
 public:
  explicit SurveyLoader(std::string source) : source_(std::move(source)) {}

  Survey load(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      std::ostringstream m;
      m << source_ << ':' << e.source().begin.line << ':' << e.source().begin.column
        << ": invalid TOML: " << e.description();
      throw LoadError{m.str()};
    }
    Survey s;
    s.source_text = std::string(text);
    check_keys(root, "",
               {"format", "id", "version", "default_locale", "locales", "title", "intro", "privacy", "thank_you",
                "age_question", "minutes", "scales", "sections"});
    const auto format = require_int(root, "", "format");
    if (format != kSupportedFormat)
      fail(*root.get("format"), "format",
           "unsupported format " + std::to_string(format) + " (this program reads format " +
               std::to_string(kSupportedFormat) + ")");
    s.id = require_identifier(root, "", "id");
    s.version = require_string(root, "", "version");
    // The version is written into every export row: it must read as text, not a formula, in a spreadsheet.
    if (std::string_view("=+-@").find(s.version.front()) != std::string_view::npos ||
        std::any_of(s.version.begin(), s.version.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
      fail(*root.get("version"), "version",
           "\"" + s.version +
               "\" must not start with = + - @ nor hold control characters (a spreadsheet would "
               "read it as a formula)");
    s.default_locale = require_string(root, "", "default_locale");
    if (const auto* locs = root.get("locales")) {
      const auto* arr = locs->as_array();
      if (!arr || arr->empty())
        fail(*locs, "locales", "must be a non-empty list of locale codes such as [\"en\", \"cy\"]");
      for (size_t i = 0; i < arr->size(); ++i) {
        const auto* v = (*arr)[i].as_string();
        if (!v) fail((*arr)[i], "locales[" + std::to_string(i) + "]", "must be a string");
        s.locales.push_back(v->get());
      }
    } else {
      s.locales = {s.default_locale};
    }
    if (std::find(s.locales.begin(), s.locales.end(), s.default_locale) == s.locales.end())
      fail(*root.get("default_locale"), "default_locale",
           "\"" + s.default_locale + "\" is not one of the survey's locales");
    locales_ = s.locales;
    default_locale_ = s.default_locale;

    s.title = require_text(root, "", "title");
    s.intro = optional_text(root, "", "intro");
    s.privacy = optional_text(root, "", "privacy");
    s.thank_you = optional_text(root, "", "thank_you");
    if (const auto* mn = root.get("minutes")) {
      const auto* v = mn->as_integer();
      if (!v || v->get() < 1 || v->get() > 240) fail(*mn, "minutes", "must be a whole number of minutes from 1 to 240");
      s.minutes = static_cast<int>(v->get());
      s.minutes_stated = true;
    }

    if (const auto* sc = root.get("scales")) {
      const auto* t = sc->as_table();
      if (!t) fail(*sc, "scales", "must be a table of named option lists");
      for (const auto& [k, v] : *t) {
        const std::string path = "scales." + std::string(k.str());
        scales_[std::string(k.str())] = read_options(v, path);
      }
    }

    const auto* secs_node = root.get("sections");
    if (!secs_node) fail(root, "sections", "is missing: a survey needs at least one [[sections]] table");
    const auto* secs = secs_node->as_array();
    if (!secs || secs->empty()) fail(*secs_node, "sections", "must be a non-empty list of [[sections]] tables");

    std::set<std::string> section_ids;
    std::vector<std::pair<const toml::node*, std::string>> question_nodes;  // by question index: node, path
    for (size_t si = 0; si < secs->size(); ++si) {
      const std::string spath = "sections[" + std::to_string(si) + "]";
      const auto* st = (*secs)[si].as_table();
      if (!st) fail((*secs)[si], spath, "must be a table");
      check_keys(*st, spath, {"id", "heading", "intro", "questions"});
      Section sec;
      sec.id = require_identifier(*st, spath, "id");
      if (!section_ids.insert(sec.id).second)
        fail(*st->get("id"), spath + ".id", "duplicate section id \"" + sec.id + "\"");
      sec.heading = optional_text(*st, spath, "heading");
      sec.intro = optional_text(*st, spath, "intro");
      const auto* qs_node = st->get("questions");
      if (!qs_node) fail(*st, spath + ".questions", "is missing: a section needs at least one question");
      const auto* qs = qs_node->as_array();
      if (!qs || qs->empty()) fail(*qs_node, spath + ".questions", "must be a non-empty list of questions");
      for (size_t qi = 0; qi < qs->size(); ++qi) {
        const std::string qpath = spath + ".questions[" + std::to_string(qi) + "]";
        std::vector<MatrixItem> items;
        Question q = read_question((*qs)[qi], qpath, s, items);
        auto add = [&](Question&& one, const toml::node& node, const std::string& path) {
          one.section = s.sections.size();
          one.index = s.questions.size();
          if (s.index_.count(one.id) || matrix_ids_.count(one.id))
            fail(*node.as_table()->get("id"), path + ".id", "duplicate question id \"" + one.id + "\"");
          question_nodes.push_back({&node, path});
          s.index_[one.id] = one.index;
          sec.questions.push_back(one.index);
          s.questions.push_back(std::move(one));
        };
        if (items.empty()) {
          add(std::move(q), (*qs)[qi], qpath);
          continue;
        }
        // A matrix: its words kept apart, each item a likert question of its own.
        if (s.index_.count(q.id) || !matrix_ids_.insert(q.id).second)
          fail(*(*qs)[qi].as_table()->get("id"), qpath + ".id", "duplicate question id \"" + q.id + "\"");
        Matrix m{q.id, q.title, q.text, q.hint, {}};
        for (auto& item : items) {
          Question one = q;
          one.id = item.id;
          one.title = {};
          one.text = std::move(item.text);
          one.hint = {};
          one.matrix = static_cast<int>(s.matrices.size());
          m.items.push_back(s.questions.size());
          add(std::move(one), *item.node, item.path);
        }
        s.matrices.push_back(std::move(m));
      }
      s.sections.push_back(std::move(sec));
    }

    check_columns(s, question_nodes);

    if (const auto* aq = root.get("age_question")) {
      const auto* v = aq->as_string();
      if (!v) fail(*aq, "age_question", "must be a question id");
      const Question* q = s.find(v->get());
      if (!q) fail(*aq, "age_question", "refers to unknown question \"" + v->get() + "\"");
      if (!q->has_options()) fail(*aq, "age_question", "question \"" + v->get() + "\" has no options to count");
      s.age_question = v->get();
    }
    if (!s.minutes_stated) s.minutes = reading_minutes(s);
    return s;
  }

 private:
  [[noreturn]] void fail(const toml::node& n, const std::string& path, const std::string& what) const {
    std::ostringstream m;
    m << source_ << ':' << n.source().begin.line << ':' << n.source().begin.column << ": " << path << ": " << what;
    throw LoadError{m.str()};
  }
  static std::string join(const std::string& base, std::string_view key) {
    return base.empty() ? std::string(key) : base + "." + std::string(key);
  }

  void check_keys(const toml::table& t, const std::string& path,
                  std::initializer_list<std::string_view> allowed) const {
    for (const auto& [k, v] : t) {
      if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(v, join(path, k.str()), "unknown key \"" + std::string(k.str()) + "\" (allowed here: " + list + ")");
      }
    }
  }

  const toml::node& require(const toml::table& t, const std::string& path, std::string_view key) const {
    const auto* n = t.get(key);
    if (!n) {
      std::ostringstream m;
      m << source_ << ':' << t.source().begin.line << ':' << t.source().begin.column << ": " << join(path, key)
        << ": is missing";
      throw LoadError{m.str()};
    }
    return *n;
  }
  std::string require_string(const toml::table& t, const std::string& path, std::string_view key) const {
    const auto& n = require(t, path, key);
    const auto* v = n.as_string();
    if (!v) fail(n, join(path, key), "must be a string");
    if (v->get().empty()) fail(n, join(path, key), "must not be empty");
    return v->get();
  }
  std::string require_identifier(const toml::table& t, const std::string& path, std::string_view key) const {
    std::string s = require_string(t, path, key);
    if (!is_identifier(s))
      fail(*t.get(key), join(path, key),
           "\"" + s + "\" is not a valid id: use lower-case letters, digits and _, starting with a letter");
    return s;
  }
  std::int64_t require_int(const toml::table& t, const std::string& path, std::string_view key) const {
    const auto& n = require(t, path, key);
    const auto* v = n.as_integer();
    if (!v) fail(n, join(path, key), "must be a whole number");
    return v->get();
  }
  bool optional_bool(const toml::table& t, const std::string& path, std::string_view key, bool dflt) const {
    const auto* n = t.get(key);
    if (!n) return dflt;
    const auto* v = n->as_boolean();
    if (!v) fail(*n, join(path, key), "must be true or false");
    return v->get();
  }

  LocalText read_text(const toml::node& n, const std::string& path) const {
    LocalText lt;
    if (const auto* s = n.as_string()) {
      lt.by_locale[default_locale_] = s->get();
    } else if (const auto* t = n.as_table()) {
      for (const auto& [k, v] : *t) {
        const std::string loc(k.str());
        if (std::find(locales_.begin(), locales_.end(), loc) == locales_.end())
          fail(v, join(path, loc), "locale \"" + loc + "\" is not one of the survey's locales");
        const auto* s2 = v.as_string();
        if (!s2) fail(v, join(path, loc), "must be a string");
        lt.by_locale[loc] = s2->get();
      }
      if (!lt.by_locale.count(default_locale_))
        fail(n, path, "has no text in the default locale \"" + default_locale_ + "\"");
    } else {
      fail(n, path, "must be a string or a table of strings by locale");
    }
    if (lt.get(default_locale_, default_locale_).empty()) fail(n, path, "must not be empty");
    return lt;
  }
  LocalText require_text(const toml::table& t, const std::string& path, std::string_view key) const {
    return read_text(require(t, path, key), join(path, key));
  }
  LocalText optional_text(const toml::table& t, const std::string& path, std::string_view key) const {
    const auto* n = t.get(key);
    return n ? read_text(*n, join(path, key)) : LocalText{};
  }

  // What a code means is its label: an empty label, or two options of one
  // question labelled alike, leave the codebook unable to say.
  void check_labels(const Question& q, const toml::node& at, const std::string& qpath) const {
    for (size_t i = 0; i < q.options.size(); ++i) {
      const Option& o = q.options[i];
      const std::string opath = qpath + ".options[" + std::to_string(i) + "].label";
      for (const auto& [loc, label] : o.label.by_locale) {
        if (label.find_first_not_of(" \t\r\n") == std::string::npos)
          fail(at, opath,
               "question \"" + q.id + "\", option \"" + o.code + "\": the label" +
                   (locales_.size() > 1 ? " (" + loc + ")" : "") + " is empty or only spaces");
        for (size_t j = 0; j < i; ++j) {
          auto other = q.options[j].label.by_locale.find(loc);
          if (other != q.options[j].label.by_locale.end() && other->second == label)
            fail(at, opath,
                 "question \"" + q.id + "\", options \"" + q.options[j].code + "\" and \"" + o.code +
                     "\" have the same label \"" + label + "\"" + (locales_.size() > 1 ? " (" + loc + ")" : "") +
                     ": a reader of the results could not tell them apart");
        }
      }
    }
  }

  // Every CSV column must mean one thing: a question id may not be the
  // column another question's option or "other" text produces (q1 with
  // option "yes" makes q1_yes), nor a metadata column.
  void check_columns(const Survey& s, const std::vector<std::pair<const toml::node*, std::string>>& nodes) const {
    auto meaning = [](const Column& c) -> std::string {
      switch (c.kind) {
        case Column::Kind::Meta: return "the metadata column \"" + c.name + "\"";
        case Column::Kind::Value: return "question \"" + c.question->id + "\"";
        case Column::Kind::OptionFlag: return "option \"" + c.option_code + "\" of question \"" + c.question->id + "\"";
        case Column::Kind::OtherText:
          return "the \"other\" text of option \"" + c.option_code + "\" of question \"" + c.question->id + "\"";
      }
      return {};
    };
    std::map<std::string, Column> seen;
    for (const Column& c : csv_columns(s)) {
      auto [it, fresh] = seen.emplace(c.name, c);
      if (fresh) continue;
      // The later of the two is a question's column (metadata columns come first).
      const auto& [node, qpath] = nodes[c.question->index];
      const auto* id = node->as_table()->get("id");
      fail(id ? *id : *node, qpath + ".id",
           "the export column \"" + c.name + "\" would mean two things: " + meaning(it->second) + " and " + meaning(c) +
               "; rename the question or the option so that every column has one meaning");
    }
  }

  std::vector<Option> read_options(const toml::node& n, const std::string& path) const {
    const auto* arr = n.as_array();
    if (!arr) fail(n, path, "must be a list of options, each { code = \"...\", label = \"...\" }");
    if (arr->empty()) fail(n, path, "is empty: a question with choices needs at least one option");
    std::vector<Option> out;
    std::set<std::string> codes;
    bool seen_other = false;
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string opath = path + "[" + std::to_string(i) + "]";
      const auto* t = (*arr)[i].as_table();
      if (!t) fail((*arr)[i], opath, "must be a table such as { code = \"yes\", label = \"Yes\" }");
      check_keys(*t, opath, {"code", "label", "other"});
      Option o;
      o.code = require_string(*t, opath, "code");
      if (!is_code(o.code))
        fail(*t->get("code"), opath + ".code",
             "\"" + o.code + "\" is not a valid option code: use lower-case letters, digits and _");
      if (!codes.insert(o.code).second)
        fail(*t->get("code"), opath + ".code", "duplicate option code \"" + o.code + "\"");
      o.label = require_text(*t, opath, "label");
      o.other = optional_bool(*t, opath, "other", false);
      if (o.other && seen_other)
        fail(*t->get("other"), opath + ".other", "only one option per question may be \"other\"");
      seen_other = seen_other || o.other;
      out.push_back(std::move(o));
    }
    return out;
  }

  // A matrix's item as written: { id = "rate_books", text = "Books" }.
  struct MatrixItem {
    const toml::node* node;
    std::string path, id;
    LocalText text;
  };

  // A question; a matrix (type = "matrix") is read as the likert question
  // every item copies, its items in `items`.
  Question read_question(const toml::node& node, const std::string& qpath, const Survey& s,
                         std::vector<MatrixItem>& items) const {
    const auto* t = node.as_table();
    if (!t) fail(node, qpath, "must be a table");
    check_keys(*t, qpath,
               {"id", "type", "title", "text", "hint", "options", "scale", "required", "max_length", "other_max_length",
                "show_if", "min", "max", "decimals", "items"});
    Question q;
    q.id = require_identifier(*t, qpath, "id");
    const std::string type_name = require_string(*t, qpath, "type");
    const bool matrix = type_name == "matrix";
    const auto type = matrix ? std::optional(QuestionType::Likert) : question_type_from(type_name);
    if (!type)
      fail(*t->get("type"), qpath + ".type",
           "unknown question type \"" + type_name +
               "\" (expected single, multiple, likert, yes_no, text, postcode, integer, decimal, note, date or "
               "matrix)");
    q.type = *type;
    if (const auto* it = t->get("items"); it && !matrix) fail(*it, qpath + ".items", "only a matrix has items");
    if (matrix) items = read_items(*t, qpath);
    q.title = optional_text(*t, qpath, "title");
    q.text = require_text(*t, qpath, "text");
    q.hint = optional_text(*t, qpath, "hint");
    q.required = optional_bool(*t, qpath, "required", false);

    const auto* opts = t->get("options");
    const auto* scale = t->get("scale");
    const bool takes_options = q.type == QuestionType::Single || q.type == QuestionType::Multiple ||
                               q.type == QuestionType::Likert || q.type == QuestionType::YesNo;
    if (!takes_options && (opts || scale))
      fail(opts ? *opts : *scale, qpath + (opts ? ".options" : ".scale"),
           "a " + type_name + " question takes no options");
    if (opts && scale) fail(*scale, qpath + ".scale", "give either options or scale, not both");
    if (opts) {
      q.options = read_options(*opts, qpath + ".options");
    } else if (scale) {
      const auto* name = scale->as_string();
      if (!name) fail(*scale, qpath + ".scale", "must be the name of a table under [scales]");
      auto it = scales_.find(name->get());
      if (it == scales_.end()) fail(*scale, qpath + ".scale", "unknown scale \"" + name->get() + "\"");
      q.options = it->second;
      q.scale = name->get();
    } else if (q.type == QuestionType::YesNo) {
      if (default_locale_ != "en")
        fail(node, qpath + ".options",
             "a yes_no question in a survey whose default locale is not \"en\" needs its options");
      q.options = {Option{"yes", LocalText{{{"en", "Yes"}}}, false}, Option{"no", LocalText{{{"en", "No"}}}, false}};
    } else if (takes_options) {
      fail(node, qpath + ".options", "is missing: a " + type_name + " question needs options (or a scale)");
    }
    if (q.type == QuestionType::YesNo) {
      if (q.options.size() != 2 || q.options[0].code != "yes" || q.options[1].code != "no")
        fail(opts ? *opts : node, qpath + ".options", "a yes_no question has exactly the options \"yes\" then \"no\"");
    }
    if (q.type == QuestionType::Likert && q.options.size() < 2)
      fail(opts ? *opts : *scale, qpath + ".options", "a likert scale needs at least two points");
    if (q.type == QuestionType::Likert || q.type == QuestionType::YesNo) {
      for (const auto& o : q.options)
        if (o.other)
          fail(opts ? *opts : *scale, qpath + ".options",
               "a " + type_name + " question cannot have an \"other\" option");
    }
    check_labels(q, opts ? *opts : scale ? *scale : node, qpath);

    if (const auto* ml = t->get("max_length")) {
      if (q.type != QuestionType::Text) fail(*ml, qpath + ".max_length", "only text questions have a max_length");
      const auto* v = ml->as_integer();
      if (!v) fail(*ml, qpath + ".max_length", "must be a whole number");
      if (v->get() < 1 || v->get() > kMaxTextLength)
        fail(*ml, qpath + ".max_length", "must be between 1 and " + std::to_string(kMaxTextLength));
      q.max_length = static_cast<int>(v->get());
    } else if (q.type == QuestionType::Text) {
      fail(node, qpath + ".max_length", "is missing: a text question needs a max_length");
    }
    if (q.type == QuestionType::Postcode) q.max_length = 8;
    q.other_max_length = kDefaultOtherMaxLength;
    if (const auto* oml = t->get("other_max_length")) {
      if (!q.other_option()) fail(*oml, qpath + ".other_max_length", "the question has no \"other\" option");
      const auto* v = oml->as_integer();
      if (!v || v->get() < 1 || v->get() > kMaxTextLength)
        fail(*oml, qpath + ".other_max_length",
             "must be a whole number between 1 and " + std::to_string(kMaxTextLength));
      q.other_max_length = static_cast<int>(v->get());
    }
    read_number_keys(*t, qpath, q);
    if (q.type == QuestionType::Note && q.required)
      fail(*t->get("required"), qpath + ".required", "a note takes no answer, so it cannot be required");
    if (const auto* si = t->get("show_if")) q.show_if = read_rule(*si, qpath + ".show_if", s, q.id);
    return q;
  }

  // A matrix's items: each its own id (a question id, an export column)
  // and words; one at least, and at most kMaxMatrixItems.
  std::vector<MatrixItem> read_items(const toml::table& t, const std::string& qpath) const {
    const auto* n = t.get("items");
    if (!n) fail(t, qpath + ".items", "is missing: a matrix needs its items, each { id = \"...\", text = \"...\" }");
    const auto* arr = n->as_array();
    if (!arr || arr->empty())
      fail(*n, qpath + ".items", "must be a non-empty list of items, each { id = \"...\", text = \"...\" }");
    if (arr->size() > kMaxMatrixItems)
      fail(*n, qpath + ".items",
           "has " + std::to_string(arr->size()) + " items; a matrix has at most " + std::to_string(kMaxMatrixItems) +
               " (split it in two)");
    std::vector<MatrixItem> out;
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string ipath = qpath + ".items[" + std::to_string(i) + "]";
      const auto* it = (*arr)[i].as_table();
      if (!it) fail((*arr)[i], ipath, "must be a table such as { id = \"rate_books\", text = \"Books\" }");
      check_keys(*it, ipath, {"id", "text"});
      out.push_back({&(*arr)[i], ipath, require_identifier(*it, ipath, "id"), require_text(*it, ipath, "text")});
    }
    return out;
  }

  // min, max and decimals: only number questions have them. A number is
  // typed on a pad, so its box holds as many characters as the widest
  // number in range, with its sign and point.
  void read_number_keys(const toml::table& t, const std::string& qpath, Question& q) const {
    if (q.type == QuestionType::Date) {
      read_date_range(t, qpath, q);
      return;
    }
    auto number = [&](const char* key) -> std::optional<double> {
      const auto* n = t.get(key);
      if (!n) return std::nullopt;
      if (!q.is_number())
        fail(*n, qpath + "." + key, "only integer, decimal and date questions have a " + std::string(key));
      if (const auto* i = n->as_integer()) return static_cast<double>(i->get());
      const auto* f = n->as_floating_point();
      if (!f || q.type == QuestionType::Integer)
        fail(*n, qpath + "." + key, q.type == QuestionType::Integer ? "must be a whole number" : "must be a number");
      if (!std::isfinite(f->get())) fail(*n, qpath + "." + key, "must be a finite number");
      return f->get();
    };
    q.min_value = number("min");
    q.max_value = number("max");
    constexpr double kLargest = 1e12;  // beyond this a pad and a spreadsheet both lose digits
    for (auto [v, key] : {std::pair{q.min_value, "min"}, std::pair{q.max_value, "max"}})
      if (v && std::fabs(*v) > kLargest) fail(*t.get(key), qpath + "." + key, "must be between -10^12 and 10^12");
    if (q.min_value && q.max_value && *q.min_value > *q.max_value)
      fail(*t.get("max"), qpath + ".max", "is less than min");
    if (const auto* d = t.get("decimals")) {
      if (q.type != QuestionType::Decimal) fail(*d, qpath + ".decimals", "only decimal questions have decimals");
      const auto* v = d->as_integer();
      if (!v || v->get() < 1 || v->get() > 6) fail(*d, qpath + ".decimals", "must be a whole number from 1 to 6");
      q.decimals = static_cast<int>(v->get());
    } else if (q.type == QuestionType::Decimal) {
      q.decimals = 2;
    }
    if (q.is_number()) {
      const double widest =
          std::max(std::fabs(q.min_value.value_or(-kLargest)), std::fabs(q.max_value.value_or(kLargest)));
      q.max_length = static_cast<int>(std::to_string(static_cast<long long>(widest)).size()) + 1 +
                     (q.decimals > 0 ? q.decimals + 1 : 0);
    }
  }

  // A date's min and max: "2016-06-13" or a TOML date, 2016-06-13.
  void read_date_range(const toml::table& t, const std::string& qpath, Question& q) const {
    auto date = [&](const char* key) -> std::string {
      const auto* n = t.get(key);
      if (!n) return {};
      std::string text;
      if (const auto* d = n->as_date()) {
        const auto& v = d->get();
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(v.year), static_cast<int>(v.month),
                      static_cast<int>(v.day));
        text = buf;
      } else if (const auto* s = n->as_string()) {
        text = s->get();
      } else {
        fail(*n, qpath + "." + key, "must be a date such as \"2016-06-13\"");
      }
      auto iso = iso_date(split_date(text));
      if (!iso || *iso != text) fail(*n, qpath + "." + key, "must be a real date written as \"2016-06-13\"");
      return *iso;
    };
    if (t.get("decimals")) fail(*t.get("decimals"), qpath + ".decimals", "only decimal questions have decimals");
    q.min_date = date("min");
    q.max_date = date("max");
    if (!q.min_date.empty() && !q.max_date.empty() && q.min_date > q.max_date)
      fail(*t.get("max"), qpath + ".max", "is before min");
    q.max_length = 10;
  }

  // ---- 3. Rule checks ------------------------------------------------------

  const Question& earlier_question(const toml::node& n, const std::string& path, const Survey& s,
                                   const std::string& self) const {
    const auto* v = n.as_string();
    if (!v) fail(n, path, "must be a question id");
    const std::string& id = v->get();
    if (id == self) fail(n, path, "a question cannot depend on itself");
    const Question* q = s.find(id);  // s holds only the questions before this one
    if (!q && matrix_ids_.count(id)) {
      std::string names;
      for (const auto& m : s.matrices)
        if (m.id == id)
          for (size_t i : m.items) names += (names.empty() ? "" : ", ") + s.questions[i].id;
      fail(n, path, "\"" + id + "\" is a matrix: a rule looks at one of its items (" + names + ")");
    }
    if (!q) {
      if (all_ids_.count(id)) fail(n, path, "refers to \"" + id + "\", which comes after this question");
      fail(n, path, "refers to unknown question \"" + id + "\"");
    }
    return *q;
  }

  Rule read_rule(const toml::node& n, const std::string& path, const Survey& s, const std::string& self) const {
    const auto* t = n.as_table();
    if (!t) fail(n, path, "must be a table such as { question = \"q7\", equals = \"yes\" }");
    static constexpr std::string_view ops[] = {"equals", "any_of", "answered", "not", "all", "any"};
    std::vector<std::string_view> present;
    for (auto op : ops)
      if (t->contains(op)) present.push_back(op);
    if (present.empty()) fail(n, path, "has no condition: use equals, any_of, answered, not, all or any");
    if (present.size() > 1)
      fail(n, path,
           "has both \"" + std::string(present[0]) + "\" and \"" + std::string(present[1]) +
               "\": use all or any to combine");
    const std::string_view op = present[0];
    Rule r;
    if (op == "not" || op == "all" || op == "any") {
      check_keys(*t, path, {op});
      if (op == "not") {
        r.kind = Rule::Kind::Not;
        r.children.push_back(read_rule(*t->get("not"), path + ".not", s, self));
      } else {
        r.kind = op == "all" ? Rule::Kind::All : Rule::Kind::Any;
        const auto* arr = t->get(op)->as_array();
        if (!arr || arr->empty()) fail(*t->get(op), path + "." + std::string(op), "must be a non-empty list of rules");
        for (size_t i = 0; i < arr->size(); ++i)
          r.children.push_back(
              read_rule((*arr)[i], path + "." + std::string(op) + "[" + std::to_string(i) + "]", s, self));
      }
      return r;
    }
    if (op == "answered") {
      check_keys(*t, path, {"answered"});
      r.kind = Rule::Kind::Answered;
      r.question = earlier_question(*t->get("answered"), path + ".answered", s, self).id;
      return r;
    }
    check_keys(*t, path, {"question", op});
    if (!t->contains("question"))
      fail(n, path + ".question", "is missing: name the earlier question the rule looks at");
    const Question& target = earlier_question(*t->get("question"), path + ".question", s, self);
    r.question = target.id;
    if (!target.has_options())
      fail(*t->get(op), path + "." + std::string(op),
           "question \"" + target.id + "\" has no options to compare; use { answered = \"" + target.id + "\" }");
    auto check_code = [&](const toml::node& cn, const std::string& cpath) {
      const auto* cv = cn.as_string();
      if (!cv) fail(cn, cpath, "must be an option code (a string)");
      if (!target.find_option(cv->get()))
        fail(cn, cpath, "\"" + cv->get() + "\" is not an option code of question \"" + target.id + "\"");
      r.values.push_back(cv->get());
    };
    if (op == "equals") {
      r.kind = Rule::Kind::Equals;
      check_code(*t->get("equals"), path + ".equals");
    } else {
      r.kind = Rule::Kind::AnyOf;
      const auto* arr = t->get("any_of")->as_array();
      if (!arr || arr->empty()) fail(*t->get("any_of"), path + ".any_of", "must be a non-empty list of option codes");
      for (size_t i = 0; i < arr->size(); ++i) check_code((*arr)[i], path + ".any_of[" + std::to_string(i) + "]");
    }
    return r;
  }

 public:
  // All question ids in the file, so a forward reference can be told from a typo.
  void collect_ids(std::string_view text) {
    try {
      auto root = toml::parse(text, source_);
      if (const auto* secs = root["sections"].as_array())
        for (const auto& sec : *secs)
          if (const auto* st = sec.as_table())
            if (const auto* qs = (*st)["questions"].as_array())
              for (const auto& q : *qs)
                if (const auto* qt = q.as_table()) {
                  if (const auto* id = (*qt)["id"].as_string()) all_ids_.insert(id->get());
                  if (const auto* items = (*qt)["items"].as_array())
                    for (const auto& item : *items)
                      if (const auto* it = item.as_table())
                        if (const auto* id = (*it)["id"].as_string()) all_ids_.insert(id->get());
                }
    } catch (const toml::parse_error&) {
      // reported by load()
    }
  }

 private:
  std::string source_;
  std::string default_locale_;
  std::vector<std::string> locales_;
  std::map<std::string, std::vector<Option>> scales_;
  std::set<std::string> all_ids_;
  std::set<std::string> matrix_ids_;
};

// ---- 4. Entry points -------------------------------------------------------

Result<Survey> parse_survey(std::string_view text, const std::string& source_name) {
  try {
    SurveyLoader loader(source_name);
    loader.collect_ids(text);
    return loader.load(text);
  } catch (const LoadError& e) {
    return make_error(ErrorKind::Validation, e.message);
  }
}

DateParts split_date(const std::string& answer) {
  DateParts p;
  if (answer.empty()) return p;
  const auto a = answer.find('-');
  const auto b = a == std::string::npos ? std::string::npos : answer.find('-', a + 1);
  p.year = answer.substr(0, a);
  if (a != std::string::npos) p.month = answer.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  if (b != std::string::npos) p.day = answer.substr(b + 1);
  return p;
}

std::string join_date(const DateParts& p) { return p.empty() ? std::string() : p.year + "-" + p.month + "-" + p.day; }

bool is_real_date(int year, int month, int day) {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

std::optional<std::string> iso_date(const DateParts& p) {
  auto whole = [](const std::string& s, std::size_t most) {
    if (s.empty() || s.size() > most) return -1;
    for (char c : s)
      if (c < '0' || c > '9') return -1;
    return std::stoi(s);
  };
  const int y = whole(p.year, 4), m = whole(p.month, 2), d = whole(p.day, 2);
  if (p.year.size() != 4 || !is_real_date(y, m, d)) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return std::string(buf);
}

std::string display_date(const std::string& answer) {
  const DateParts p = split_date(answer);
  return p.day + "/" + p.month + "/" + p.year;
}

std::string bound_text(const Question& q, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", q.type == QuestionType::Integer ? 0 : q.decimals, v);
  return buf;
}

std::string format_number(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string out = buf;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string question_words(const Survey& s, const Question& q, const std::string& locale) {
  const LocalText& head =
      s.matrix_of(q) ? (s.matrix_of(q)->title.empty() ? s.matrix_of(q)->text : s.matrix_of(q)->title) : q.title;
  const std::string first = s.text(head, locale);
  return first.empty() ? s.text(q.text, locale) : first + ": " + s.text(q.text, locale);
}

int reading_minutes(const Survey& s) {
  std::size_t words = 0;
  auto count = [&](const LocalText& t) {
    std::istringstream in(s.text(t, s.default_locale));
    for (std::string w; in >> w;) ++words;
  };
  for (const auto* t : {&s.title, &s.intro, &s.privacy}) count(*t);
  for (const auto& sec : s.sections) {
    count(sec.heading);
    count(sec.intro);
  }
  for (const auto& m : s.matrices)
    for (const auto* t : {&m.title, &m.text, &m.hint}) count(*t);
  double seconds = 0;
  for (const auto& q : s.questions) {
    count(q.title);
    count(q.text);
    count(q.hint);
    // A matrix's scale is read once, above its items.
    if (!q.in_matrix() || s.matrices[static_cast<size_t>(q.matrix)].items.front() == q.index)
      for (const auto& o : q.options) count(o.label);
    seconds += q.type == QuestionType::Text       ? 45
               : q.type == QuestionType::Postcode ? 15
               : q.type == QuestionType::Date     ? 15
               : q.is_number()                    ? 10
               : q.type == QuestionType::Note     ? 0
                                                  : 5;
  }
  seconds += static_cast<double>(words) * 60.0 / 150.0;
  return std::max(1, static_cast<int>(std::ceil(seconds / 60.0)));
}

Result<Survey> load_survey_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::NotFound, path + ": cannot open survey definition (does the file exist?)");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(ErrorKind::Storage, path + ": read error");
  auto survey = parse_survey(ss.str(), path);
  if (!survey) return survey;
  const auto locales = survey->locales;  // a translation replaces the survey, this list with it
  for (const auto& locale : locales) {
    if (locale == survey->default_locale) continue;
    // A language tag names a file beside the survey, never a path elsewhere.
    if (locale.empty() || !std::all_of(locale.begin(), locale.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        }))
      continue;
    const std::string tpath = survey_translation_path(path, locale);
    std::error_code ec;
    // No file is not an error: the texts fall back, and validate lists them.
    if (!std::filesystem::exists(tpath, ec)) continue;
    std::ifstream tin(tpath, std::ios::binary);
    if (!tin)
      return make_error(ErrorKind::Storage, tpath + ": cannot read the survey's \"" + locale + "\" translation");
    std::ostringstream ts;
    ts << tin.rdbuf();
    if (tin.bad()) return make_error(ErrorKind::Storage, tpath + ": read error");
    if (auto st = apply_survey_translation(*survey, locale, ts.str(), tpath); !st) return st.error();
    survey->translation_sources[locale] = ts.str();
  }
  find_missing_translations(*survey);
  return survey;
}

// ---- 5. Translation files ---------------------------------------------------

std::vector<TranslatableText> translatable_texts(Survey& s) {
  std::vector<TranslatableText> out;
  auto add = [&](std::string key, LocalText& t) {
    if (!t.empty()) out.push_back({std::move(key), {&t}});
  };
  add("title", s.title);
  add("intro", s.intro);
  add("privacy", s.privacy);
  add("thank_you", s.thank_you);
  for (auto& sec : s.sections) {
    add("sections." + sec.id + ".heading", sec.heading);
    add("sections." + sec.id + ".intro", sec.intro);
  }
  // A scale is translated once, under its own key, for every question using it.
  std::map<std::string, size_t> scale_keys;
  // A matrix's words under its own key; its own options (no scale) once for all its items.
  for (auto& m : s.matrices) {
    add("matrices." + m.id + ".title", m.title);
    add("matrices." + m.id + ".text", m.text);
    add("matrices." + m.id + ".hint", m.hint);
  }
  for (auto& q : s.questions) {
    const std::string base = "questions." + q.id;
    add(base + ".title", q.title);
    add(base + ".text", q.text);
    add(base + ".hint", q.hint);
    for (auto& o : q.options) {
      if (q.scale.empty() && !q.in_matrix()) {
        add(base + ".options." + o.code, o.label);
        continue;
      }
      const std::string key = q.scale.empty()
                                  ? "matrices." + s.matrices[static_cast<size_t>(q.matrix)].id + ".options." + o.code
                                  : "scales." + q.scale + "." + o.code;
      auto [it, fresh] = scale_keys.emplace(key, out.size());
      if (fresh)
        out.push_back({key, {&o.label}});
      else
        out[it->second].uses.push_back(&o.label);
    }
  }
  return out;
}

std::string survey_translation_path(const std::string& survey_path, const std::string& locale) {
  std::filesystem::path p(survey_path);
  return (p.parent_path() / (p.stem().string() + "." + locale + ".toml")).string();
}

void find_missing_translations(Survey& s) {
  s.missing_translations.clear();
  const auto texts = translatable_texts(s);
  for (const auto& locale : s.locales) {
    if (locale == s.default_locale) continue;
    auto& missing = s.missing_translations[locale];
    for (const auto& t : texts)
      if (!t.uses.front()->by_locale.count(locale)) missing.push_back(t.key);
  }
}

namespace {

struct TranslationLoader {
  Survey& survey;
  const std::string& locale;
  const std::string& source;
  std::map<std::string, TranslatableText> by_key;
  std::map<std::string, const toml::node*> seen;

  struct Entry {
    std::string key;
    const toml::node* value;
    toml::source_position at;  // of the key
  };

  [[noreturn]] void fail_at(const toml::source_position& at, const std::string& key, const std::string& what) const {
    std::ostringstream m;
    m << source << ':' << at.line << ':' << at.column << ": " << key << ": " << what;
    throw LoadError{m.str()};
  }
  [[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& what) const {
    fail_at(n.source().begin, key, what);
  }

  // Quoted keys ("questions.q1.text" = ...) and TOML's dotted keys or tables
  // (questions.q1.text = ...) name the same text.
  void collect(const toml::table& t, const std::string& prefix, std::vector<Entry>& out) {
    for (const auto& [k, v] : t) {
      const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (const auto* sub = v.as_table(); sub && !by_key.count(key))
        collect(*sub, key, out);
      else
        out.push_back({key, &v, k.source().begin});
    }
  }

  void apply(const toml::table& root) {
    std::vector<Entry> entries;
    collect(root, "", entries);
    // In file order, so that errors (and "given twice") read top to bottom.
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.at.line != b.at.line ? a.at.line < b.at.line : a.at.column < b.at.column;
    });
    for (const auto& [key, node, at] : entries) {
      const toml::node& v = *node;
      const auto known = by_key.find(key);
      if (known == by_key.end())
        fail_at(at, key,
                "unknown key: the survey \"" + survey.id +
                    "\" has no text with this key (keys are listed in kiosk-config/README.md)");
      const auto* str = v.as_string();
      if (!str) fail(v, key, "must be a string (the text in \"" + locale + "\")");
      if (str->get().find_first_not_of(" \t\r\n") == std::string::npos) fail(v, key, "must not be empty");
      if (auto [it, fresh] = seen.emplace(key, &v); !fresh)
        fail(v, key, "is given twice (first at line " + std::to_string(it->second->source().begin.line) + ")");
      LocalText& first = *known->second.uses.front();
      if (first.by_locale.count(locale))
        fail(v, key, "the survey itself already gives this text in \"" + locale + "\": give it in one place only");
      for (LocalText* use : known->second.uses) use->by_locale[locale] = str->get();
    }
  }

  // As in the survey itself: two answers of one question must not read alike.
  void check_labels() const {
    for (const auto& q : survey.questions)
      for (size_t i = 0; i < q.options.size(); ++i) {
        auto mine = q.options[i].label.by_locale.find(locale);
        if (mine == q.options[i].label.by_locale.end()) continue;
        for (size_t j = 0; j < i; ++j) {
          auto other = q.options[j].label.by_locale.find(locale);
          if (other == q.options[j].label.by_locale.end() || other->second != mine->second) continue;
          const std::string key = !q.scale.empty() ? "scales." + q.scale + "." + q.options[i].code
                                  : q.in_matrix()  ? "matrices." + survey.matrices[static_cast<size_t>(q.matrix)].id +
                                                        ".options." + q.options[i].code
                                                  : "questions." + q.id + ".options." + q.options[i].code;
          const auto at = seen.find(key);
          if (at == seen.end()) continue;  // given inline: the survey's own check reported it
          fail(*at->second, key,
               "question \"" + q.id + "\", options \"" + q.options[j].code + "\" and \"" + q.options[i].code +
                   "\" have the same label \"" + mine->second + "\" in \"" + locale +
                   "\": a visitor could not tell them apart");
        }
      }
  }
};

}  // namespace

Status apply_survey_translation(Survey& survey, const std::string& locale, std::string_view text,
                                const std::string& source_name) {
  if (locale == survey.default_locale ||
      std::find(survey.locales.begin(), survey.locales.end(), locale) == survey.locales.end())
    return make_error(ErrorKind::Validation, source_name + ": locale \"" + locale +
                                                 "\" is not one of the survey's other locales (its `locales` list)");
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    m << source_name << ':' << e.source().begin.line << ':' << e.source().begin.column
      << ": invalid TOML: " << e.description();
    return make_error(ErrorKind::Validation, m.str());
  }
  // Applied to a copy, so a broken file leaves the survey as it was.
  Survey copy = survey;
  TranslationLoader loader{copy, locale, source_name, {}, {}};
  for (auto& t : translatable_texts(copy)) loader.by_key.emplace(t.key, t);
  try {
    loader.apply(root);
    loader.check_labels();
  } catch (const LoadError& e) {
    return make_error(ErrorKind::Validation, e.message);
  }
  survey = std::move(copy);
  return {};
}

}  // namespace kiosk
