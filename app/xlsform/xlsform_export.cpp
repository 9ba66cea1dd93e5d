// The survey model as an XLSForm workbook, written with libxlsxwriter, in the
// shape ODK and Kobo users write by hand: one label column per language
// ("label::Polish (pl)"), `select_one LIST`, relevant as XPath, an "other"
// answer as a text question `<q>_other` shown when it is chosen. Importing
// the workbook again gives back the same survey (tests/test_xlsform.cpp).
#include <xlsxwriter.h>

#include <cstdio>
#include <functional>
#include <set>

#include "xlsform.hpp"

namespace kiosk::xlsform {

std::string rule_xpath(const Rule& r, const Survey& sv, const std::function<std::string(const std::string&)>& ref) {
  auto lit = [](const std::string& v) { return "'" + v + "'"; };
  auto join = [&](const std::vector<Rule>& rules, const char* op) {
    std::string out;
    for (const auto& c : rules) {
      if (!out.empty()) out += std::string(" ") + op + " ";
      out += "(" + rule_xpath(c, sv, ref) + ")";
    }
    return out;
  };
  const Question* q = nullptr;
  for (const auto& x : sv.questions)
    if (x.id == r.question) q = &x;
  const bool multiple = q && q->type == QuestionType::Multiple;
  switch (r.kind) {
    case Rule::Kind::Equals:
      return multiple ? "selected(" + ref(r.question) + ", " + lit(r.values[0]) + ")"
                      : ref(r.question) + " = " + lit(r.values[0]);
    case Rule::Kind::AnyOf: {
      std::string out;
      for (const auto& v : r.values)
        out += (out.empty() ? "" : " or ") + std::string("selected(") + ref(r.question) + ", " + lit(v) + ")";
      return out;
    }
    case Rule::Kind::Answered: return ref(r.question) + " != ''";
    case Rule::Kind::Not: return "not(" + rule_xpath(r.children.at(0), sv, ref) + ")";
    case Rule::Kind::All: return join(r.children, "and");
    case Rule::Kind::Any: return join(r.children, "or");
  }
  return {};
}

ChoiceLists choice_lists(const Survey& sv) {
  ChoiceLists out;
  std::set<std::string> written, scale_names;
  for (const auto& q : sv.questions)
    if (!q.scale.empty()) scale_names.insert(q.scale);
  const Question* shared_yes_no = nullptr;
  for (const auto& q : sv.questions) {
    if (!q.has_options()) continue;
    std::string name = q.scale;
    if (name.empty() && q.type == QuestionType::YesNo) {
      auto same = [&](const Question& a, const Question& b) {
        for (std::size_t i = 0; i < 2; ++i)
          if (a.options[i].label.by_locale != b.options[i].label.by_locale) return false;
        return true;
      };
      if (!shared_yes_no) shared_yes_no = &q;
      if (same(*shared_yes_no, q) && !scale_names.count("yes_no")) name = "yes_no";
    }
    // A matrix's own answers: one list for all its items, named after it.
    const std::string own = q.in_matrix() ? sv.matrix_of(q)->id : q.id;
    if (name.empty()) name = scale_names.count(own) || own == "yes_no" ? own + "_choices" : own;
    out.of[q.id] = name;
    if (written.insert(name).second) out.lists.emplace_back(name, &q.options);
  }
  return out;
}

namespace {

std::string xpath(const Rule& r, const Survey& sv) {
  return rule_xpath(r, sv, [](const std::string& q) { return "${" + q + "}"; });
}

class Sheet {
 public:
  Sheet(lxw_workbook* wb, const char* name, lxw_format* bold) : ws_(workbook_add_worksheet(wb, name)), bold_(bold) {}
  // A column by header; its index.
  lxw_col_t column(const std::string& header) {
    for (std::size_t i = 0; i < headers_.size(); ++i)
      if (headers_[i] == header) return static_cast<lxw_col_t>(i);
    headers_.push_back(header);
    worksheet_write_string(ws_, 0, static_cast<lxw_col_t>(headers_.size() - 1), header.c_str(), bold_);
    return static_cast<lxw_col_t>(headers_.size() - 1);
  }
  void put(lxw_row_t row, const std::string& header, const std::string& value) {
    lxw_col_t c = column(header);
    if (!value.empty()) worksheet_write_string(ws_, row, c, value.c_str(), nullptr);
  }
  // Texts: one column per language.
  void put(lxw_row_t row, const std::string& base, const LocalText& t, const std::vector<std::string>& locales) {
    for (const auto& l : locales) {
      auto it = t.by_locale.find(l);
      if (it != t.by_locale.end()) put(row, base + "::" + language_label(l), it->second);
    }
  }
  lxw_worksheet* ws() { return ws_; }

 private:
  lxw_worksheet* ws_;
  lxw_format* bold_;
  std::vector<std::string> headers_;
};

}  // namespace

Status export_xlsx(const Survey& sv, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) return make_error(ErrorKind::Storage, path + ": cannot be created");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  Sheet survey(wb, "survey", bold), choices(wb, "choices", bold), settings(wb, "settings", bold);
  // The columns in the order an officer reads them.
  for (const char* h : {"type", "name"}) survey.column(h);
  for (const auto& l : sv.locales) survey.column("label::" + language_label(l));
  for (const char* h : {"list_name", "name"}) choices.column(h);
  for (const auto& l : sv.locales) choices.column("label::" + language_label(l));

  // Choice lists: a scale under its name; a question's own answers under its
  // id; yes_no questions with the same answers share one list.
  const ChoiceLists named = choice_lists(sv);
  std::map<std::string, std::string> list_of = named.of;
  lxw_row_t crow = 1;
  for (const auto& [name, options] : named.lists)
    for (const auto& o : *options) {
      choices.put(crow, "list_name", name);
      choices.put(crow, "name", o.code);
      choices.put(crow, "label", o.label, sv.locales);
      ++crow;
    }

  lxw_row_t row = 1;
  auto question_row = [&](const Question& q) {
    // A matrix: its heading row (its words; its list's answers head the
    // columns), then each item as a list-nolabel row, as ODK writes a table.
    if (const Matrix* m = sv.matrix_of(q); m && m->items.front() == q.index) {
      survey.put(row, "type", "select_one " + list_of[q.id]);
      survey.put(row, "name", m->id);
      survey.put(row, "label", m->text, sv.locales);
      survey.put(row, "hint", m->hint, sv.locales);
      survey.put(row, "title", m->title, sv.locales);
      survey.put(row, "appearance", "label");
      if (q.show_if) survey.put(row, "relevant", xpath(*q.show_if, sv));
      ++row;
    }
    std::string type;
    switch (q.type) {
      case QuestionType::Single:
      case QuestionType::Likert:
      case QuestionType::YesNo: type = "select_one " + list_of[q.id]; break;
      case QuestionType::Multiple: type = "select_multiple " + list_of[q.id]; break;
      case QuestionType::Text:
      case QuestionType::Postcode: type = "text"; break;
      case QuestionType::Integer: type = "integer"; break;
      case QuestionType::Decimal: type = "decimal"; break;
      case QuestionType::Note: type = "note"; break;
      case QuestionType::Date: type = "date"; break;
    }
    survey.put(row, "type", type);
    survey.put(row, "name", q.id);
    survey.put(row, "label", q.text, sv.locales);
    survey.put(row, "hint", q.hint, sv.locales);
    survey.put(row, "title", q.title, sv.locales);
    if (q.required) survey.put(row, "required", "yes");
    if (q.show_if) survey.put(row, "relevant", xpath(*q.show_if, sv));
    if (q.type == QuestionType::Text)
      survey.put(row, "constraint", "string-length(.) <= " + std::to_string(q.max_length));
    if (q.is_number()) {
      std::string c;
      if (q.min_value) c = ". >= " + bound_text(q, *q.min_value);
      if (q.max_value) c += (c.empty() ? "" : " and ") + std::string(". <= ") + bound_text(q, *q.max_value);
      survey.put(row, "constraint", c);
      if (q.type == QuestionType::Decimal) survey.put(row, "decimals", std::to_string(q.decimals));
    }
    if (q.type == QuestionType::Date) {
      std::string c;
      if (!q.min_date.empty()) c = ". >= date('" + q.min_date + "')";
      if (!q.max_date.empty()) c += (c.empty() ? "" : " and ") + std::string(". <= date('") + q.max_date + "')";
      survey.put(row, "constraint", c);
    }
    if (!q.scale.empty()) survey.put(row, "scale", "yes");
    if (q.in_matrix())
      survey.put(row, "appearance", "list-nolabel");
    else if (q.type == QuestionType::Likert)
      survey.put(row, "appearance", "likert");
    if (q.type == QuestionType::Postcode) survey.put(row, "appearance", "postcode");
    ++row;
    // "Other (please specify)": the box, as ODK writes it.
    if (const Option* other = q.other_option()) {
      survey.put(row, "type", "text");
      survey.put(row, "name", q.id + "_" + other->code);
      survey.put(row, "label", other->label, sv.locales);
      Rule r;
      r.kind = Rule::Kind::Equals;
      r.question = q.id;
      r.values = {other->code};
      survey.put(row, "relevant", xpath(r, sv));
      survey.put(row, "constraint", "string-length(.) <= " + std::to_string(q.other_max_length));
      ++row;
    }
  };
  for (std::size_t si = 0; si < sv.sections.size(); ++si) {
    const Section& sec = sv.sections[si];
    const bool grouped = !(sec.heading.empty() && sec.intro.empty() && sec.id == "part_" + std::to_string(si + 1));
    if (grouped) {
      survey.put(row, "type", "begin_group");
      survey.put(row, "name", sec.id);
      survey.put(row, "label", sec.heading, sv.locales);
      ++row;
      if (!sec.intro.empty()) {
        survey.put(row, "type", "note");
        survey.put(row, "name", sec.id + "_intro");
        survey.put(row, "label", sec.intro, sv.locales);
        ++row;
      }
    }
    for (std::size_t qi : sec.questions) question_row(sv.questions[qi]);
    if (grouped) {
      survey.put(row, "type", "end_group");
      survey.put(row, "name", sec.id);
      ++row;
    }
  }

  settings.put(1, "form_id", sv.id);
  settings.put(1, "version", sv.version);
  settings.put(1, "form_title", sv.title, sv.locales);
  settings.put(1, "default_language", language_label(sv.default_locale));
  settings.put(1, "intro", sv.intro, sv.locales);
  settings.put(1, "privacy", sv.privacy, sv.locales);
  settings.put(1, "thank_you", sv.thank_you, sv.locales);
  if (!sv.age_question.empty()) settings.put(1, "age_question", sv.age_question);
  if (sv.minutes_stated) settings.put(1, "minutes", std::to_string(sv.minutes));

  for (auto* s : {&survey, &choices}) worksheet_set_column(s->ws(), 0, 1, 22, nullptr);
  worksheet_set_column(survey.ws(), 2, 40, 40, nullptr);
  worksheet_freeze_panes(survey.ws(), 1, 0);
  worksheet_freeze_panes(choices.ws(), 1, 0);
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return make_error(ErrorKind::Storage, path + ": cannot be written: " + lxw_strerror(err));
  return {};
}

}  // namespace kiosk::xlsform
