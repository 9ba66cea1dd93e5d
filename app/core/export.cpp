// Exports and summary.
//
// Sections: 1. columns and rule wording  2. output files  3. CSV (a merge of
// two ordered scans, for speed)  4. JSON Lines and codebook  5. summary
#include "kiosk/export.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "kiosk/crypto.hpp"

namespace kiosk {

using db::Statement;

// ---- 1. Columns and rule wording -------------------------------------------

namespace {
const char* const kMetaColumns[] = {"response_uuid", "survey_id",     "survey_version", "kiosk_id",   "service_point",
                                    "locale",        "mode",          "staff_id",       "assistance", "accessibility",
                                    "started_utc",   "completed_utc", "status"};
}  // namespace

std::vector<Column> csv_columns(const Survey& survey) {
  std::vector<Column> cols;
  for (const char* m : kMetaColumns) cols.push_back({m, Column::Kind::Meta, nullptr, {}});
  for (const auto& q : survey.questions) {
    if (!q.takes_answer()) continue;  // a note: nothing to export
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

}  // namespace

Status sync_to_device(const std::string& path) {
  namespace fs = std::filesystem;
  auto sync_one = [](const std::string& p) -> Status {
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
      const int err = errno;
      if (fd >= 0) ::close(fd);
      return make_error(ErrorKind::Storage,
                        p + ": could not write it through to its device (" + std::strerror(err) + ")");
    }
    ::close(fd);
    return {};
  };
  std::error_code ec;
  if (fs::is_directory(path, ec))
    for (const auto& e : fs::recursive_directory_iterator(path, ec))
      if (auto st = sync_one(e.path().string()); !st) return st;
  if (auto st = sync_one(path); !st) return st;
  const std::string parent = fs::path(path).parent_path().string();
  if (auto st = sync_one(parent.empty() ? "." : parent); !st) return st;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::syncfs(fd) == 0;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok)
    return make_error(ErrorKind::Storage,
                      path + ": could not write it through to its device (" + std::strerror(err) + ")");
  return {};
}

namespace {
// A field a spreadsheet could take for a formula: one starting with = + - @,
// with a control character (a NUL, which some readers drop; tab; CR), or
// with spaces before one of those.
bool looks_like_formula(std::string_view f) {
  size_t i = 0;
  while (i < f.size() && f[i] == ' ') ++i;
  if (i == f.size()) return false;
  const unsigned char c = static_cast<unsigned char>(f[i]);
  return c == '=' || c == '+' || c == '-' || c == '@' || c < 0x20 || c == 0x7f;
}
}  // namespace

void append_csv_field(std::string& out, std::string_view f, bool guard_formula) {
  const bool formula = guard_formula && looks_like_formula(f);
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

// The documents are opened in memory (kiosk-admin open, the hub); nothing
// plain is written but the export itself.
Result<std::int64_t> export_csv(const std::vector<std::string>& documents, const Survey& survey,
                                const std::string& path) {
  const CsvLayout layout(survey);
  auto out = OutFile::create(path);
  if (!out) return out.error();
  std::string& buf = out->buffer();
  append_csv_header(buf, layout.cols);
  std::int64_t n = 0;
  for (const auto& d : documents) {
    auto doc = parse_canonical_document(d);
    if (!doc) return with_kind(make_error(path + ": " + doc.message()), doc.kind());
    if (doc->first.survey_id != survey.id) continue;
    append_csv_row(buf, layout, doc->first, doc->second);
    ++n;
    if (auto st = out->maybe_flush(); !st) return st.error();
  }
  if (auto st = out->finish(); !st) return st.error();
  return n;
}

// ---- 4. JSON Lines and codebook -------------------------------------------

Result<std::int64_t> export_jsonl(const std::vector<std::string>& documents, const Survey& survey,
                                  const std::string& path) {
  auto out = OutFile::create(path);
  if (!out) return out.error();
  std::int64_t n = 0;
  for (const auto& d : documents) {
    auto doc = parse_canonical_document(d);
    if (!doc) return with_kind(make_error(path + ": " + doc.message()), doc.kind());
    if (doc->first.survey_id != survey.id) continue;
    out->buffer().append(d);
    out->buffer().push_back('\n');
    ++n;
    if (auto st = out->maybe_flush(); !st) return st.error();
  }
  if (auto st = out->finish(); !st) return st.error();
  return n;
}

Result<std::vector<std::string>> open_documents(Store& store, const SealKeyring& keys, const std::string& survey_id) {
  auto rows = store.sealed_responses(survey_id);
  if (!rows) return rows.error();
  std::vector<std::string> docs;
  docs.reserve(rows->size());
  for (const auto& r : *rows) {
    auto doc = keys.open(r.key_id, r.sealed);
    if (!doc) return with_kind(make_error(store.path() + ": response " + r.uuid + ": " + doc.message()), doc.kind());
    docs.push_back(std::move(doc).value());
  }
  return docs;
}

Result<std::int64_t> export_csv(Store& store, const SealKeyring& keys, const Survey& survey, const std::string& path) {
  auto docs = open_documents(store, keys, survey.id);
  if (!docs) return docs.error();
  return export_csv(*docs, survey, path);
}

Result<std::int64_t> export_jsonl(Store& store, const SealKeyring& keys, const Survey& survey,
                                  const std::string& path) {
  auto docs = open_documents(store, keys, survey.id);
  if (!docs) return docs.error();
  return export_jsonl(*docs, survey, path);
}

// ---- 4b. Sealed exports (USB) and opening them ---------------------------

Result<SealedExport> export_sealed(Store& store, const Survey& survey, const std::string& kiosk_id,
                                   const std::string& dir, const std::string& now_utc) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorKind::Storage, dir + ": cannot make the folder (" + ec.message() + ")");
  auto rows = store.sealed_responses(survey.id);
  if (!rows) return rows.error();
  SealedExport e;
  e.dir = dir;
  std::set<std::string> key_ids, versions;
  std::int64_t completed = 0, abandoned = 0;
  {
    auto out = OutFile::create(dir + "/" + kSealedResponsesFile);
    if (!out) return out.error();
    for (const auto& r : *rows) {
      nlohmann::json item = {{"uuid", r.uuid},
                             {"content_hash", r.content_hash},
                             {"key_id", r.key_id},
                             {"sealed", base64_encode(r.sealed)}};
      out->buffer() += item.dump();
      out->buffer().push_back('\n');
      key_ids.insert(r.key_id);
      versions.insert(r.survey_version);
      ++(r.status == "completed" ? completed : abandoned);
      if (auto st = out->maybe_flush(); !st) return st.error();
    }
    if (auto st = out->finish(); !st) return st.error();
  }
  {
    auto out = OutFile::create(dir + "/" + kSealedSurveyFile);
    if (!out) return out.error();
    out->buffer() = survey.source_text;
    if (auto st = out->finish(); !st) return st.error();
  }
  e.responses = static_cast<std::int64_t>(rows->size());
  e.key_ids.assign(key_ids.begin(), key_ids.end());
  const nlohmann::json manifest = {{"format", kSealedExportFormat},
                                   {"kiosk_id", kiosk_id},
                                   {"exported_utc", now_utc},
                                   {"survey_id", survey.id},
                                   {"survey_version", survey.version},
                                   {"response_survey_versions", versions},
                                   {"key_ids", e.key_ids},
                                   {"responses", e.responses},
                                   {"completed", completed},
                                   {"abandoned", abandoned},
                                   {"responses_file", kSealedResponsesFile},
                                   {"survey_file", kSealedSurveyFile}};
  // The manifest last: a folder with one is complete.
  auto out = OutFile::create(dir + "/" + kSealedManifestFile);
  if (!out) return out.error();
  out->buffer() = manifest.dump(2) + "\n";
  if (auto st = out->finish(); !st) return st.error();
  return e;
}

namespace {
Result<std::string> read_whole(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    return make_error(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::Storage,
                      path + ": cannot read (" + std::strerror(errno) + ")");
  std::string s;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) return make_error(ErrorKind::Storage, path + ": read failed");
  return s;
}
}  // namespace

Result<OpenedExport> open_sealed_export(const std::string& in_dir, const SealKeyring& keys,
                                        const std::string& out_dir) {
  const std::string manifest_path = in_dir + "/" + kSealedManifestFile;
  auto manifest_text = read_whole(manifest_path);
  if (!manifest_text)
    return with_kind(make_error(manifest_text.message() + " (is " + in_dir + " a folder `kiosk-admin export` wrote?)"),
                     manifest_text.kind());
  const auto manifest = nlohmann::json::parse(*manifest_text, nullptr, false);
  if (!manifest.is_object() || manifest.value("format", "") != kSealedExportFormat)
    return make_error(ErrorKind::Validation,
                      manifest_path + ": not a sealed export manifest (format " + kSealedExportFormat + ")");
  const std::string survey_path = in_dir + "/" + manifest.value("survey_file", kSealedSurveyFile);
  auto survey_text = read_whole(survey_path);
  if (!survey_text) return survey_text.error();
  auto survey = parse_survey(*survey_text, survey_path);
  if (!survey) return survey.error();
  const std::string items_path = in_dir + "/" + manifest.value("responses_file", kSealedResponsesFile);
  auto items = read_whole(items_path);
  if (!items) return items.error();
  std::vector<std::string> docs;
  std::size_t line_no = 0, pos = 0;
  while (pos < items->size()) {
    const auto nl = items->find('\n', pos);
    const std::string_view line(items->data() + pos, (nl == std::string::npos ? items->size() : nl) - pos);
    pos = nl == std::string::npos ? items->size() : nl + 1;
    ++line_no;
    if (line.empty()) continue;
    const std::string where = items_path + ":" + std::to_string(line_no);
    const auto item = nlohmann::json::parse(line, nullptr, false);
    if (!item.is_object() || !item.contains("sealed") || !item["sealed"].is_string() || !item.contains("key_id") ||
        !item["key_id"].is_string() || !item.contains("uuid") || !item["uuid"].is_string())
      return make_error(ErrorKind::Validation, where + ": not a sealed item (uuid, content_hash, key_id, sealed)");
    const std::string uuid = item["uuid"].get<std::string>();
    auto sealed = base64_decode(item["sealed"].get<std::string>());
    if (!sealed) return make_error(ErrorKind::Validation, where + ": response " + uuid + ": \"sealed\" is not base64");
    if (sha256_hex(*sealed) != item.value("content_hash", ""))
      return make_error(ErrorKind::Validation,
                        where + ": response " + uuid + ": the content hash does not match the sealed bytes");
    auto doc = keys.open(item["key_id"].get<std::string>(), *sealed);
    if (!doc) return with_kind(make_error(where + ": response " + uuid + ": " + doc.message()), doc.kind());
    auto parsed = parse_canonical_document(*doc);
    if (!parsed) return with_kind(make_error(where + ": response " + uuid + ": " + parsed.message()), parsed.kind());
    if (parsed->first.uuid != uuid)
      return make_error(ErrorKind::Validation,
                        where + ": response " + uuid + ": the sealed document carries another uuid");
    docs.push_back(std::move(doc).value());
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return make_error(ErrorKind::Storage, out_dir + ": cannot make the folder (" + ec.message() + ")");
  OpenedExport o;
  o.survey_id = survey->id;
  auto n = export_csv(docs, *survey, out_dir + "/responses.csv");
  if (!n) return n.error();
  if (auto j = export_jsonl(docs, *survey, out_dir + "/responses.jsonl"); !j) return j.error();
  if (auto c = export_codebook(*survey, out_dir + "/codebook.csv"); !c) return c.error();
  o.responses = *n;
  return o;
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
      text = question_words(survey, *q, loc);
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
        } else if (c.question->type == QuestionType::Date) {
          const Question& q = *c.question;
          std::string what = "a date, YYYY-MM-DD";
          if (!q.min_date.empty() && !q.max_date.empty())
            what += ", from " + q.min_date + " to " + q.max_date;
          else if (!q.min_date.empty())
            what += ", on or after " + q.min_date;
          else if (!q.max_date.empty())
            what += ", on or before " + q.max_date;
          row(c.name, c.question, "(date)", what);
        } else if (c.question->is_number()) {
          const Question& q = *c.question;
          std::string what = q.type == QuestionType::Integer
                                 ? "a whole number"
                                 : "a number with at most " + std::to_string(q.decimals) + " decimal places";
          if (q.min_value && q.max_value)
            what += ", from " + bound_text(q, *q.min_value) + " to " + bound_text(q, *q.max_value);
          else if (q.min_value)
            what += ", at least " + bound_text(q, *q.min_value);
          else if (q.max_value)
            what += ", at most " + bound_text(q, *q.max_value);
          row(c.name, c.question, "(number)", what);
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
  // One entry per question, in survey order (question->index finds it), a
  // note's too; the tables shown leave notes out.
  for (const auto& q : survey.questions) {
    QuestionSummary qs;
    qs.id = q.id;
    qs.type = q.type;
    qs.text = q.in_matrix() ? question_words(survey, q, locale) : survey.text(q.title, locale);
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

// From the tallies the store keeps as responses complete: the documents are sealed.
Result<Summary> summarise(Store& store, const Survey& survey, const std::string& locale) {
  Summary s;
  s.overall = empty_results(survey, locale);
  auto q = Statement::prepare(store.connection(),
                              "SELECT service_point, question_id, option_code, count FROM tallies "
                              "WHERE survey_id=?1 ORDER BY service_point, question_id, option_code");
  if (!q) return q.error();
  q->bind(1, survey.id);
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    auto [spi, fresh] = s.by_service_point.try_emplace(q->str(0));
    if (fresh) spi->second = empty_results(survey, locale);
    const std::string_view qid = q->text(1), code = q->text(2);
    const std::int64_t count = q->integer(3);
    if (qid.empty()) {
      spi->second.responses += count;
      s.overall.responses += count;
      continue;
    }
    const Question* question = survey.find(std::string(qid));
    if (!question) continue;
    for (ResultsTable* t : {&s.overall, &spi->second}) {
      auto& qs = t->questions[question->index];
      if (code.empty()) {
        qs.answered += count;
        continue;
      }
      for (auto& oc : qs.options)
        if (oc.code == code) oc.count += count;
    }
  }
  return s;
}

namespace {
void format_table(std::ostringstream& o, const ResultsTable& t) {
  char line[512];
  for (const auto& q : t.questions) {
    if (q.type == QuestionType::Note) continue;  // nothing to count
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
