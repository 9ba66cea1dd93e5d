// Exports for the consultation report: CSV (one row per closed response: completed,
// or abandoned and flagged so in the status column;
// one column per question, 0/1 columns for multiple choice), JSON Lines (the
// frozen documents), a codebook, and a results summary.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kiosk/result.hpp"
#include "kiosk/seal.hpp"
#include "kiosk/store.hpp"
#include "kiosk/survey.hpp"

namespace kiosk {

// One CSV column and what it holds; the codebook and the CSV share this list.
struct Column {
  enum class Kind { Meta, Value, OptionFlag, OtherText };
  std::string name;
  Kind kind = Kind::Meta;
  const Question* question = nullptr;
  std::string option_code;  // OptionFlag
};
std::vector<Column> csv_columns(const Survey& survey);

// "only if q7 is yes", for codebooks and the admin screen.
std::string describe_rule(const Survey& survey, const Rule& rule, const std::string& locale);

// Writers go to a temporary file beside `path` and rename it into place, so
// a pulled USB stick or a full disk never leaves half an export behind.
// `path` "-" writes to standard output. Returns the number of responses.
// The kiosk keeps responses only sealed: these take the opened canonical
// documents (of `survey`; others are skipped), in the order stored.
Result<std::int64_t> export_csv(const std::vector<std::string>& documents, const Survey& survey,
                                const std::string& path);
Result<std::int64_t> export_jsonl(const std::vector<std::string>& documents, const Survey& survey,
                                  const std::string& path);
Status export_codebook(const Survey& survey, const std::string& path);
// A store's frozen documents of a survey, opened with the secret keys (an
// analyst's or a test's: a kiosk has none). Plaintext stays in memory.
Result<std::vector<std::string>> open_documents(Store& store, const SealKeyring& keys, const std::string& survey_id);
Result<std::int64_t> export_csv(Store& store, const SealKeyring& keys, const Survey& survey, const std::string& path);
Result<std::int64_t> export_jsonl(Store& store, const SealKeyring& keys, const Survey& survey, const std::string& path);

// A sealed export (`kiosk-admin export`, the admin screen's export to USB):
// a folder holding
//   responses.sealed.jsonl  one item a line, as uploaded to the hub:
//                           {"uuid", "content_hash" (SHA-256 of the sealed
//                           bytes), "key_id", "sealed" (standard base64)}
//   survey.toml             the survey definition the responses answer
//   manifest.json           format, kiosk, survey id and version, key ids,
//                           counts; written last, so its presence means complete.
// Nothing in it is readable without the council's secret key.
inline constexpr char kSealedExportFormat[] = "kiosk-sealed-export-v1";
inline constexpr char kSealedResponsesFile[] = "responses.sealed.jsonl";
inline constexpr char kSealedSurveyFile[] = "survey.toml";
inline constexpr char kSealedManifestFile[] = "manifest.json";
struct SealedExport {
  std::string dir;
  std::int64_t responses = 0;
  std::vector<std::string> key_ids;
};
Result<SealedExport> export_sealed(Store& store, const Survey& survey, const std::string& kiosk_id,
                                   const std::string& dir, const std::string& now_utc);
// Makes what an export wrote at `path` (a file or a folder of files) safe on
// its device before anyone takes the device out: each file and folder, the
// folder holding `path`, then the whole filesystem (syncfs). Each file was
// already flushed as it was finished; this adds the renames and folders.
Status sync_to_device(const std::string& path);
// `kiosk-admin open`: checks and opens every item of a sealed export and
// writes out_dir/responses.csv, responses.jsonl and codebook.csv, the same
// files a plain export wrote. Errors name the file and line.
struct OpenedExport {
  std::string survey_id;
  std::int64_t responses = 0;
};
Result<OpenedExport> open_sealed_export(const std::string& in_dir, const SealKeyring& keys, const std::string& out_dir);

// Quotes a CSV field by RFC 4180. A field that would start a spreadsheet
// formula (= + - @ tab CR) is prefixed with an apostrophe (guard_formula);
// the exports guard every column.
void append_csv_field(std::string& out, std::string_view field, bool guard_formula);

// Building blocks for exporting from documents rather than from a kiosk
// store (the hub): the same columns, quoting and guards as export_csv.
// Build the layout once per export, not per row.
struct CsvLayout {
  std::vector<Column> cols;
  std::vector<bool> guard;  // formula guard, per column (on for all)
  explicit CsvLayout(const Survey& survey);
};
void append_csv_header(std::string& out, const std::vector<Column>& cols);
void append_csv_row(std::string& out, const CsvLayout& layout, const ResponseMeta& meta, const Answers& answers);
void append_codebook(std::string& out, const Survey& survey);

struct OptionCount {
  std::string code, label;
  std::int64_t count = 0;
};
struct QuestionSummary {
  std::string id, text;
  QuestionType type = QuestionType::Single;
  std::int64_t answered = 0;  // responses with an answer to this question
  std::vector<OptionCount> options;
};
struct ResultsTable {
  std::int64_t responses = 0;
  std::vector<QuestionSummary> questions;
};
struct Summary {
  ResultsTable overall;
  std::map<std::string, ResultsTable> by_service_point;
};
Result<Summary> summarise(Store& store, const Survey& survey, const std::string& locale);
// The same from documents, one at a time (the hub).
ResultsTable empty_results(const Survey& survey, const std::string& locale);
void add_to_summary(Summary& s, const Survey& survey, const std::string& locale, const ResponseMeta& meta,
                    const Answers& answers);
std::string format_summary(const Survey& survey, const Summary& s);

}  // namespace kiosk
