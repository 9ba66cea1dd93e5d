// Exports and summary.
//
// Sections: 1. columns and rule wording  2. output files  3. CSV (a merge of
// two ordered scans, for speed)  4. JSON Lines and codebook  5. summary
#include "kiosk/export.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

namespace kiosk {

using db::Statement;

// ---- 1. Columns and rule wording -------------------------------------------

namespace {
const char* const kMetaColumns[] = {"response_uuid", "survey_id",     "survey_version", "kiosk_id",   "service_point",
                                    "locale",        "mode",          "staff_id",       "assistance", "accessibility",
                                    "started_utc",   "completed_utc", "status"};
constexpr size_t kMetaCount = sizeof kMetaColumns / sizeof kMetaColumns[0];
}  // namespace

std::vector<Column> csv_columns(const Survey& survey) {
  std::vector<Column> cols;
  for (const char* m : kMetaColumns) cols.push_back({m, Column::Kind::Meta, nullptr, {}});
  for (const auto& q : survey.questions) {
    if (q.type == QuestionType::Multiple) {
      for (const auto& o : q.options) cols.push_back({q.id + "_" + o.code, Column::Kind::OptionFlag, &q, o.code});
    } else {
      cols.push_back({q.id, Column::Kind::Value, &q, {}});
    }
    if (const Option* other = q.other_option())
      cols.push_back({q.id + "_" + other->code + "_text", Column::Kind::OtherText, &q, other->code});
  }
  return cols;
}

std::string describe_rule(const Survey& survey, const Rule& r, const std::string& locale) {
  auto label = [&](const std::string& qid, const std::string& code) {
    const Question* q = survey.find(qid);
    const Option* o = q ? q->find_option(code) : nullptr;
    return o ? "\"" + survey.text(o->label, locale) + "\"" : code;
  };
  auto list = [&](const std::vector<Rule>& rs, const char* sep) {
    std::string s;
    for (const auto& c : rs) s += (s.empty() ? "" : sep) + ("(" + describe_rule(survey, c, locale) + ")");
    return s;
  };
  switch (r.kind) {
    case Rule::Kind::Equals: return r.question + " is " + label(r.question, r.values[0]);
    case Rule::Kind::AnyOf: {
      std::string s = r.question + " is any of ";
      for (size_t i = 0; i < r.values.size(); ++i) s += (i ? ", " : "") + label(r.question, r.values[i]);
      return s;
    }
    case Rule::Kind::Answered: return r.question + " is answered";
    case Rule::Kind::Not: return "not (" + describe_rule(survey, r.children[0], locale) + ")";
    case Rule::Kind::All: return list(r.children, " and ");
    case Rule::Kind::Any: return list(r.children, " or ");
  }
  return {};
}

// ---- 2. Output files -------------------------------------------------------

namespace {

class OutFile {
 public:
  static Result<OutFile> create(const std::string& path) {
    OutFile f;
    f.path_ = path;
    if (path == "-") {
      f.f_ = stdout;
      return f;
    }
    f.tmp_ = path + ".partial";
    f.f_ = std::fopen(f.tmp_.c_str(), "wb");
    if (!f.f_)
      return make_error(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::Storage,
                        path + ": cannot write here (" + std::strerror(errno) + ")");
    return f;
  }
  OutFile() = default;
  OutFile(OutFile&& o) noexcept
      : f_(o.f_), path_(std::move(o.path_)), tmp_(std::move(o.tmp_)), buf_(std::move(o.buf_)) {
    o.f_ = nullptr;
  }
  OutFile(const OutFile&) = delete;
  ~OutFile() {
    if (f_ && f_ != stdout) {
      std::fclose(f_);
      std::remove(tmp_.c_str());
    }
  }
  std::string& buffer() { return buf_; }
  Status maybe_flush() { return buf_.size() >= (1u << 20) ? flush() : Status{}; }
  Status flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      return make_error(errno == ENOSPC ? ErrorKind::DiskFull : ErrorKind::Storage,
                        path_ + ": write failed (" + std::strerror(errno) + "; is the disk full?)");
    buf_.clear();
    return {};
  }
  Status finish() {
    if (auto st = flush(); !st) return st;
    if (f_ == stdout) {
      std::fflush(stdout);
      f_ = nullptr;
      return {};
    }
    const bool ok = std::fflush(f_) == 0 && ::fsync(fileno(f_)) == 0;
    const int err = errno;
    std::fclose(f_);
    f_ = nullptr;
    if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      std::remove(tmp_.c_str());
      return make_error((ok ? errno : err) == ENOSPC ? ErrorKind::DiskFull : ErrorKind::Storage,
                        path_ + ": could not finish writing (" + std::strerror(ok ? errno : err) + ")");
    }
    return {};
  }

 private:
  std::FILE* f_ = nullptr;
  std::string path_, tmp_, buf_;
};

std::string flatten_list(std::string_view json_text) {
  if (json_text.size() <= 2) return {};
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  std::string s;
  if (j.is_array()) {
    for (const auto& v : j)
      if (v.is_string()) s += (s.empty() ? "" : ";") + v.get<std::string>();
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items())
      if (v.is_string()) s += (s.empty() ? "" : ";") + k + "=" + v.get<std::string>();
  }
  return s;
}

}  // namespace

void append_csv_field(std::string& out, std::string_view f, bool guard_formula) {
  const bool formula = guard_formula && !f.empty() &&
                       (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@' || f[0] == '\t' || f[0] == '\r');
  const bool quote = f.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote && !formula) {
    out.append(f);
    return;
  }
  if (quote) out.push_back('"');
  if (formula) out.push_back('\'');
  for (char c : f) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  if (quote) out.push_back('"');
}

// ---- 3. CSV ----------------------------------------------------------------

namespace {
// Every column gets the formula guard, not only free text: a hub stores what
// kiosks send, and a survey_version, code, service point or kiosk id such as
// "=HYPERLINK(...)" would otherwise be a live formula in the analyst's
// spreadsheet. Values the exports write themselves (0/1 flags, UTC times)
// never start with a formula character, so the guard leaves them as they are.
std::vector<bool> formula_guards(const std::vector<Column>& cols) { return std::vector<bool>(cols.size(), true); }
}  // namespace

void append_csv_header(std::string& buf, const std::vector<Column>& cols) {
  buf += "\xEF\xBB\xBF";  // BOM: Excel then reads UTF-8 correctly
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) buf.push_back(',');
    append_csv_field(buf, cols[i].name, true);
  }
  buf += "\r\n";
}

CsvLayout::CsvLayout(const Survey& survey) : cols(csv_columns(survey)), guard(formula_guards(cols)) {}

void append_csv_row(std::string& buf, const CsvLayout& layout, const ResponseMeta& m, const Answers& answers) {
  const auto& cols = layout.cols;
  const auto& guard = layout.guard;
  auto join = [](const auto& items, auto fmt) {
    std::string s;
    for (const auto& it : items) s += (s.empty() ? "" : ";") + fmt(it);
    return s;
  };
  const std::string meta_cells[] = {m.uuid,
                                    m.survey_id,
                                    m.survey_version,
                                    m.kiosk_id,
                                    m.service_point,
                                    m.locale,
                                    m.mode,
                                    m.staff_id,
                                    join(m.assistance, [](const std::string& v) { return v; }),
                                    join(m.accessibility, [](const auto& kv) { return kv.first + "=" + kv.second; }),
                                    m.started_utc,
                                    m.ended_utc,
                                    m.status};
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) buf.push_back(',');
    const Column& c = cols[i];
    if (c.kind == Column::Kind::Meta) {
      append_csv_field(buf, meta_cells[i], guard[i]);
      continue;
    }
    auto it = answers.find(c.question->id);
    if (it == answers.end()) continue;
    const Answer& a = it->second;
    switch (c.kind) {
      case Column::Kind::OptionFlag: buf.push_back(a.has(c.option_code) ? '1' : '0'); break;
      case Column::Kind::OtherText: append_csv_field(buf, a.other_text, true); break;
      case Column::Kind::Value:
        if (c.question->has_options())
          append_csv_field(buf, a.choices.empty() ? std::string() : a.choices[0], guard[i]);
        else
          append_csv_field(buf, a.text, guard[i]);
        break;
      case Column::Kind::Meta: break;
    }
  }
  buf += "\r\n";
}

Result<std::int64_t> export_csv(Store& store, const Survey& survey, const std::string& path) {
  const auto cols = csv_columns(survey);
  // Where each question's cells start, by question id.
  struct Slot {
    const Question* q;
    size_t first;      // first column index
    size_t other = 0;  // other-text column, if any
  };
  std::unordered_map<std::string, Slot> slots;
  for (size_t i = kMetaCount; i < cols.size(); ++i) {
    const auto& c = cols[i];
    auto [it, fresh] = slots.try_emplace(c.question->id, Slot{c.question, i});
    if (c.kind == Column::Kind::OtherText) it->second.other = i;
    (void)fresh;
  }

  auto rq = Statement::prepare(store.connection(),
                               "SELECT id, uuid, survey_id, survey_version, kiosk_id, service_point, locale, mode, "
                               "staff_id, assistance, accessibility, started_utc, ended_utc, status FROM responses "
                               "WHERE (status='completed' OR (status='abandoned' AND canonical IS NOT NULL)) "
                               "AND survey_id=?1 ORDER BY id");
  auto aq = Statement::prepare(
      store.connection(), "SELECT response_id, question_id, choices, text, other FROM answers ORDER BY response_id");
  if (!rq) return rq.error();
  if (!aq) return aq.error();
  rq->bind(1, survey.id);
  auto out = OutFile::create(path);
  if (!out) return out.error();
  std::string& buf = out->buffer();
  append_csv_header(buf, cols);
  std::vector<std::string> cells(cols.size());
  const std::vector<bool> guard = formula_guards(cols);

  auto arow = aq->step();
  if (!arow) return arow.error();
  std::int64_t n = 0;
  for (;;) {
    auto r = rq->step();
    if (!r) return r.error();
    if (!*r) break;
    const std::int64_t id = rq->integer(0);
    for (auto& c : cells) c.clear();
    for (size_t i = 0; i < kMetaCount; ++i) {
      if (i == 8 || i == 9)
        cells[i] = flatten_list(rq->text(static_cast<int>(i) + 1));
      else
        cells[i] = rq->text(static_cast<int>(i) + 1);
    }
    // Advance the answers scan to this response, then take its rows.
    while (*arow && aq->integer(0) < id) {
      arow = aq->step();
      if (!arow) return arow.error();
    }
    while (*arow && aq->integer(0) == id) {
      auto it = slots.find(std::string(aq->text(1)));
      if (it != slots.end()) {
        const Slot& s = it->second;
        std::string_view choices = aq->text(2);
        if (s.q->type == QuestionType::Multiple) {
          for (size_t k = 0; k < s.q->options.size(); ++k) cells[s.first + k] = "0";
          while (!choices.empty()) {
            const auto comma = choices.find(',');
            const std::string_view code = choices.substr(0, comma);
            for (size_t k = 0; k < s.q->options.size(); ++k)
              if (s.q->options[k].code == code) cells[s.first + k] = "1";
            choices = comma == std::string_view::npos ? std::string_view{} : choices.substr(comma + 1);
          }
        } else if (s.q->has_options()) {
          cells[s.first] = choices;
        } else {
          cells[s.first] = aq->text(3);
        }
        if (s.other) cells[s.other] = aq->text(4);
      }
      arow = aq->step();
      if (!arow) return arow.error();
    }
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) buf.push_back(',');
      append_csv_field(buf, cells[i], guard[i]);
    }
    buf += "\r\n";
    ++n;
    if (auto st = out->maybe_flush(); !st) return st.error();
  }
  if (auto st = out->finish(); !st) return st.error();
  return n;
}

// ---- 4. JSON Lines and codebook -------------------------------------------

Result<std::int64_t> export_jsonl(Store& store, const Survey& survey, const std::string& path) {
  auto q = Statement::prepare(
      store.connection(), "SELECT canonical FROM responses WHERE canonical IS NOT NULL AND survey_id=?1 ORDER BY id");
  if (!q) return q.error();
  q->bind(1, survey.id);
  auto out = OutFile::create(path);
  if (!out) return out.error();
  std::int64_t n = 0;
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    out->buffer().append(q->text(0));
    out->buffer().push_back('\n');
    ++n;
    if (auto st = out->maybe_flush(); !st) return st.error();
  }
  if (auto st = out->finish(); !st) return st.error();
  return n;
}

Status export_codebook(const Survey& survey, const std::string& path) {
  auto out = OutFile::create(path);
  if (!out) return out.error();
  append_codebook(out->buffer(), survey);
  return out->finish();
}

void append_codebook(std::string& b, const Survey& survey) {
  const std::string& loc = survey.default_locale;
  b += "\xEF\xBB\xBF";
  b += "column,question_id,section,type,required,shown_if,question,value,value_label\r\n";
  auto row = [&](const std::string& col, const Question* q, const std::string& value, const std::string& label) {
    std::string section, type, required, shown, text;
    if (q) {
      section = survey.sections[q->section].id;
      type = std::string(to_string(q->type));
      required = q->required ? "yes" : "no";
      shown = q->show_if ? "only if " + describe_rule(survey, *q->show_if, loc) : "always";
      text = survey.text(q->title, loc);
      if (!text.empty()) text += ": ";
      text += survey.text(q->text, loc);
    }
    const std::string qid = q ? q->id : std::string();
    const std::string* fields[] = {&col, &qid, &section, &type, &required, &shown, &text, &value, &label};
    for (size_t i = 0; i < std::size(fields); ++i) {
      if (i) b.push_back(',');
      append_csv_field(b, *fields[i], true);
    }
    b += "\r\n";
  };
  static const std::map<std::string, std::string> meta_help = {
      {"response_uuid", "unique id of the response, fixed when it was started"},
      {"survey_id", "survey definition id"},
      {"survey_version", "survey definition version"},
      {"kiosk_id", "the kiosk that collected the response"},
      {"service_point", "the library service point where the kiosk stands"},
      {"locale", "language the survey was answered in"},
      {"mode", "self = visitor alone; assisted = with staff help"},
      {"staff_id", "staff member who assisted (assisted mode only)"},
      {"assistance", "how staff helped, ;-separated (read_aloud, scribed, large_print, other)"},
      {"accessibility", "accessibility settings in use, ;-separated key=value"},
      {"started_utc", "when the visitor started (UTC, ISO 8601)"},
      {"completed_utc", "when the visitor submitted, or for an abandoned response when it ended (UTC, ISO 8601)"},
      {"status", "completed, or abandoned (left unfinished; the summary counts only completed ones)"}};
  for (const auto& c : csv_columns(survey)) {
    switch (c.kind) {
      case Column::Kind::Meta: {
        std::string l;
        append_csv_field(l, c.name, true);
        b += l + ",,,,,,";
        append_csv_field(b, meta_help.at(c.name), true);
        b += ",,\r\n";
        break;
      }
      case Column::Kind::Value:
        if (c.question->has_options()) {
          for (const auto& o : c.question->options) row(c.name, c.question, o.code, survey.text(o.label, loc));
        } else {
          row(c.name, c.question, "(text)",
              c.question->type == QuestionType::Postcode
                  ? "UK postcode, full or first part, upper case"
                  : "free text, at most " + std::to_string(c.question->max_length) + " characters");
        }
        row(c.name, c.question, "(blank)", "not shown, or not answered");
        break;
      case Column::Kind::OptionFlag:
        row(c.name, c.question, "1",
            "chose \"" + survey.text(c.question->find_option(c.option_code)->label, loc) + "\"");
        row(c.name, c.question, "0", "answered the question without choosing this");
        row(c.name, c.question, "(blank)", "not shown, or not answered");
        break;
      case Column::Kind::OtherText:
        row(c.name, c.question, "(text)",
            "what the respondent typed for \"" + survey.text(c.question->find_option(c.option_code)->label, loc) +
                "\"");
        break;
    }
  }
}

// ---- 5. Summary ------------------------------------------------------------

ResultsTable empty_results(const Survey& survey, const std::string& locale) {
  ResultsTable t;
  for (const auto& q : survey.questions) {
    QuestionSummary qs;
    qs.id = q.id;
    qs.type = q.type;
    qs.text = survey.text(q.title, locale);
    if (qs.text.empty()) qs.text = survey.text(q.text, locale);
    for (const auto& o : q.options) qs.options.push_back({o.code, survey.text(o.label, locale), 0});
    t.questions.push_back(std::move(qs));
  }
  return t;
}

void add_to_summary(Summary& s, const Survey& survey, const std::string& locale, const ResponseMeta& meta,
                    const Answers& answers) {
  if (s.overall.questions.empty()) s.overall = empty_results(survey, locale);
  auto [spi, fresh] = s.by_service_point.try_emplace(meta.service_point);
  if (fresh) spi->second = empty_results(survey, locale);
  for (ResultsTable* t : {&s.overall, &spi->second}) {
    ++t->responses;
    for (const auto& [qid, a] : answers) {
      const Question* q = survey.find(qid);
      if (!q || a.empty()) continue;
      auto& qs = t->questions[q->index];
      ++qs.answered;
      for (auto& oc : qs.options)
        if (a.has(oc.code)) ++oc.count;
    }
  }
}

Result<Summary> summarise(Store& store, const Survey& survey, const std::string& locale) {
  auto blank_table = [&]() { return empty_results(survey, locale); };
  Summary s;
  s.overall = blank_table();
  auto rq =
      Statement::prepare(store.connection(),
                         "SELECT service_point, count(*) FROM responses WHERE status='completed' AND survey_id=?1 "
                         "GROUP BY service_point");
  if (!rq) return rq.error();
  rq->bind(1, survey.id);
  for (;;) {
    auto r = rq->step();
    if (!r) return r.error();
    if (!*r) break;
    auto& t = s.by_service_point[rq->str(0)];
    t = blank_table();
    t.responses = rq->integer(1);
    s.overall.responses += t.responses;
  }
  auto aq = Statement::prepare(store.connection(),
                               "SELECT r.service_point, a.question_id, a.choices, count(*) FROM answers a "
                               "JOIN responses r ON r.id = a.response_id WHERE r.status='completed' AND r.survey_id=?1 "
                               "GROUP BY r.service_point, a.question_id, a.choices");
  if (!aq) return aq.error();
  aq->bind(1, survey.id);
  for (;;) {
    auto r = aq->step();
    if (!r) return r.error();
    if (!*r) break;
    const Question* q = survey.find(aq->text(1));
    if (!q) continue;
    const std::int64_t count = aq->integer(3);
    for (ResultsTable* t : {&s.overall, &s.by_service_point[aq->str(0)]}) {
      auto& qs = t->questions[q->index];
      qs.answered += count;
      std::string_view ch = aq->text(2);
      while (!ch.empty()) {
        const auto comma = ch.find(',');
        const std::string_view code = ch.substr(0, comma);
        for (auto& oc : qs.options)
          if (oc.code == code) oc.count += count;
        ch = comma == std::string_view::npos ? std::string_view{} : ch.substr(comma + 1);
      }
    }
  }
  return s;
}

namespace {
void format_table(std::ostringstream& o, const ResultsTable& t) {
  char line[512];
  for (const auto& q : t.questions) {
    o << "  " << q.id << "  " << q.text.substr(0, 90) << (q.text.size() > 90 ? "..." : "") << "\n";
    o << "      answered by " << q.answered << " of " << t.responses << "\n";
    for (const auto& oc : q.options) {
      const double pct = q.answered ? 100.0 * static_cast<double>(oc.count) / static_cast<double>(q.answered) : 0.0;
      std::snprintf(line, sizeof line, "      %-55.55s %7lld  %5.1f%%\n", oc.label.c_str(),
                    static_cast<long long>(oc.count), pct);
      o << line;
    }
  }
}
}  // namespace

std::string format_summary(const Survey& survey, const Summary& s) {
  std::ostringstream o;
  o << "Results for " << survey.id << " (" << s.overall.responses << " completed responses)\n";
  o << "Percentages are of those who answered each question; multiple-choice questions may add up to more than "
       "100%.\n\n";
  o << "All service points\n";
  format_table(o, s.overall);
  for (const auto& [sp, t] : s.by_service_point) {
    o << "\nService point: " << sp << " (" << t.responses << " responses)\n";
    format_table(o, t);
  }
  return o.str();
}

}  // namespace kiosk
