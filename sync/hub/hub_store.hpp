// kiosk-hub storage: the merged dataset from every kiosk, on SQLite (one
// file, WAL, synchronous=FULL) or PostgreSQL (libpq). Both give the same
// answers to the same calls; uniqueness of response UUIDs is enforced by the
// database itself, so several hub processes may share one PostgreSQL.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/clock.hpp"
#include "kiosk/result.hpp"

namespace kiosk::hub {

// What one stored response adds to the summary tallies, per (survey_id,
// survey_version, service_point): {"", ""} for the response itself,
// {question, ""} for each answered question, {question, code} for each choice.
struct AnswerMark {
  std::string question, option;
  bool operator<(const AnswerMark& o) const {
    return question != o.question ? question < o.question : option < o.option;
  }
};

// A response as uploaded, already checked: its hash matches its document.
// Once accepted, a hub with seal keys stores it sealed: `document` is then the
// standard base64 of the sealed bytes and `key_id` names the key that opens
// them, while `content_hash` stays the SHA-256 of the plain document (so a
// retry is a duplicate and other content a conflict, however it was sealed).
// An empty key_id: `document` is the plain document (a hub without keys).
struct Incoming {
  std::string uuid, content_hash, document, key_id;
  std::string kiosk_id, service_point, survey_id, survey_version, completed_utc;
  std::int64_t seq = 0;              // the kiosk's response number; 0: a schema-1 document without one
  std::string status = "completed";  // or "abandoned"
  // Counted in the summary tallies in the same transaction as the response is
  // stored (empty for an abandoned response: the summary counts completed ones).
  std::vector<AnswerMark> marks;
};

// A document the hub refused: kept, never silently dropped (document_check.hpp).
struct QuarantineItem {
  std::string uuid, reason, document;  // document: bounded and made valid UTF-8 by the caller
  std::string key_id;                  // set: `document` is base64 of bytes sealed to this key
  std::int64_t document_bytes = 0;     // its size as uploaded
};
struct AuditRow {
  std::string at_utc, actor, action, detail;
};
struct QuarantineRow {
  std::string device, received_utc, uuid, reason, document, key_id;
  std::int64_t document_bytes = 0;
};

struct AnswerTally {
  std::string survey_version, service_point, question, option;
  std::int64_t count = 0;
};

struct ItemResult {
  enum class Status { Stored, Duplicate, Conflict, Rejected, Held };
  std::string uuid;
  Status status = Status::Rejected;
  std::string receipt;  // set for Stored and Duplicate: the hub's id of the stored row
  std::string detail;
  std::string reason;  // Held: a protocol::reason value
};
const char* to_string(ItemResult::Status s);
int http_code(ItemResult::Status s);
// A principal's role is "kiosk" or "admin" (ErrorKind::Validation otherwise).
Status check_role(const std::string& role);

struct Principal {
  std::string name;
  std::string role;      // "kiosk" or "admin"
  bool revoked = false;  // authenticate() returns revoked principals too: the caller refuses them, saying why
  // A kiosk's registered service point (add-device --service-point): its
  // documents must name it. Empty: not registered, any listed one is taken.
  std::string service_point;
};

struct Heartbeat {
  std::string service_point, app_version, last_error;
  std::int64_t pending = 0, oldest_pending_age_seconds = 0, free_disk_bytes = -1;
  std::int64_t highest_seq = -1;                     // -1: the kiosk did not say (older software)
  std::optional<std::int64_t> clock_offset_seconds;  // the kiosk's clock minus the hub's
};

// One kiosk's ledger: which of its response numbers the hub holds.
struct LedgerRow {
  std::string kiosk;
  std::int64_t numbered_up_to = 0;  // the highest number known: heartbeats and responses received
  std::int64_t received = 0;        // distinct numbers received
  std::int64_t missing = 0;         // numbered_up_to - received
  // The missing numbers as inclusive ranges, lowest first; at most kLedgerRanges
  // of them (`missing` counts them all).
  std::vector<std::pair<std::int64_t, std::int64_t>> missing_ranges;
  std::int64_t oldest_missing = 0;  // 0: nothing missing
  // Missing at least since: when the next number above it arrived, or, if
  // none has, when a heartbeat last raised the highest number.
  std::string missing_since_utc;
  std::string last_heartbeat_utc;
  std::optional<std::int64_t> clock_offset_seconds;
};
inline constexpr size_t kLedgerRanges = 100;
// The ledger stays cheap however many responses a kiosk has sent: each store
// keeps a tally of numbers received per block of kLedgerBlock (table
// ledger_blocks, counted at ingest), so a kiosk's ledger reads one tally row
// per block and looks inside a block (<= kLedgerBlock index entries) only
// when its tally is not what a complete block would hold.
inline constexpr std::int64_t kLedgerBlock = 1000;
using SeqRanges = std::vector<std::pair<std::int64_t, std::int64_t>>;
// Looks inside [first, last] of one kiosk's numbers: returns how many distinct
// numbers were received there and appends the missing ones as ranges (at most `limit`).
using LedgerScan =
    std::function<Result<std::int64_t>(std::int64_t first, std::int64_t last, size_t limit, SeqRanges& missing)>;
// Fills numbered_up_to, received, missing, missing_ranges and oldest_missing
// from the highest number a heartbeat reported (-1: none), the highest
// received (0: none) and the block tallies ({block, received}, any order).
Status fill_ledger_row(LedgerRow& row, std::int64_t highest_reported, std::int64_t max_seq,
                       std::vector<std::pair<std::int64_t, std::int64_t>> blocks, const LedgerScan& scan);

struct PrincipalRow {
  std::string name, role, created_utc, last_seen_utc, revoked_utc;
};

struct DeviceRow {
  std::string name, role, created_utc, last_seen_utc, service_point, app_version, last_error;
  std::int64_t pending = 0, oldest_pending_age_seconds = 0, free_disk_bytes = -1, responses = 0;
};

// A stored response as the store holds it: sealed (key_id set, document the
// base64 of the sealed bytes) or, from a hub without keys, plain.
struct StoredDocument {
  std::string key_id, document;
};

struct Tally {
  std::string key;
  std::int64_t count = 0;
};

class HubStore {
 public:
  virtual ~HubStore() = default;
  virtual std::string backend() const = 0;

  // Creates a device ("kiosk") or admin; returns the token, which is shown
  // once and stored only as its SHA-256.
  virtual Result<std::string> add_principal(const std::string& name, const std::string& role) = 0;
  virtual Result<std::optional<Principal>> authenticate(const std::string& token) = 0;
  // Registers the service point a kiosk stands at (its documents must name
  // it); ErrorKind::NotFound if there is no such kiosk.
  virtual Status set_service_point(const std::string& kiosk, const std::string& service_point) = 0;
  // The token stops working (401 revoked_token); ErrorKind::NotFound if no such name.
  virtual Status revoke_principal(const std::string& name, const std::string& role) = 0;
  virtual Result<std::vector<PrincipalRow>> principals() = 0;
  // Per kiosk, from the indexed (kiosk_id, kiosk_seq) column, never the documents.
  virtual Result<std::vector<LedgerRow>> ledger() = 0;

  // Stores what is new, recognises duplicates, keeps conflicts aside; returns
  // only after the commit is durable.
  virtual Result<std::vector<ItemResult>> ingest(const std::string& device, const std::vector<Incoming>& items) = 0;
  virtual Status heartbeat(const std::string& device, const Heartbeat& hb, const std::string& now_utc) = 0;

  virtual Result<std::vector<DeviceRow>> devices() = 0;
  // In a stable order (completed time, then uuid); stop early by returning false.
  virtual Status for_each_document(const std::function<bool(const StoredDocument&)>& fn) = 0;
  // For a copy of the responses kept up to date in memory (the results
  // page): each stored response numbered above `after` (the number is the
  // store's own, of its row) or, when `only` is given, just those numbered
  // in it; in number order, or with `by_completion` in the order the
  // visits ended (then uuid), as the copy keeps them; stop early by
  // returning false. Numbers are not given in commit order (several hubs,
  // one PostgreSQL), so a copy checks document_numbers() when its count
  // differs from response_count().
  using NumberedDocument = std::function<bool(std::int64_t number, const StoredDocument&)>;
  virtual Status for_each_document_after(std::int64_t after, const std::vector<std::int64_t>* only,
                                         const NumberedDocument& fn, bool by_completion = false) = 0;
  // Every stored response's number, lowest first.
  virtual Result<std::vector<std::int64_t>> document_numbers() = 0;
  virtual Result<std::int64_t> response_count() = 0;
  virtual Result<std::int64_t> conflict_count() = 0;
  // /healthz: whether the database answers within the health deadline.
  virtual Status ping() = 0;
  // How long ping() waits for the database (default 1 s: `kiosk-hub serve
  // --health-timeout`); only PostgreSQL, reached over a socket, can miss it.
  virtual void set_health_deadline(std::chrono::milliseconds) {}

  // ---- Trust: the survey registry, the quarantine, the summary tallies ----
  // Keeps a survey definition the hub has served; a version once registered
  // keeps its definition (ErrorKind::Config if `definition` differs).
  virtual Status register_survey(const std::string& survey_id, const std::string& version,
                                 const std::string& definition, const std::string& now_utc) = 0;
  virtual Result<std::optional<std::string>> survey_definition(const std::string& survey_id,
                                                               const std::string& version) = 0;
  virtual Status quarantine(const std::string& device, const std::vector<QuarantineItem>& items) = 0;
  virtual Result<std::int64_t> quarantine_count() = 0;
  // Newest first.
  virtual Result<std::vector<QuarantineRow>> quarantine_latest(int limit) = 0;

  // The audit log of admin actions (exports, devices added or revoked): who
  // (the admin token's name, or the operator at the command line), what,
  // and when (stamped from the store's clock); newest first.
  virtual Status audit(const std::string& actor, const std::string& action, const std::string& detail) = 0;
  virtual Result<std::vector<AuditRow>> audit_log(int limit) = 0;
  // Every tally row of one survey, all versions and service points.
  virtual Result<std::vector<AnswerTally>> answer_tallies(const std::string& survey_id) = 0;
  // A hub upgraded from before the tallies: fills them once from the stored
  // documents (`marks_of` parses one), in one transaction; does nothing when
  // tallies exist or nothing is stored.
  using MarksOf = std::function<std::optional<Incoming>(const StoredDocument& stored)>;
  virtual Status fill_answer_tallies_if_empty(const MarksOf& marks_of) = 0;

  // A hub given seal keys after it stored plain documents: seals every plain
  // document held (responses, conflicts, the quarantine) with `seal` (plain
  // in, base64 of the sealed bytes out) under `key_id`, clears the age band
  // kept beside each response, in one transaction, and scrubs the old text
  // from the database's files (SQLite: secure_delete, the WAL truncated;
  // PostgreSQL: VACUUM FULL of those tables). Returns how many were sealed.
  using SealPlain = std::function<std::string(const std::string& plain)>;
  virtual Result<std::int64_t> seal_plain_documents(const SealPlain& seal, const std::string& key_id) = 0;
};

// `where` is a file path (SQLite) or a postgresql:// URL. The store stamps
// created and received times from `clock` (nullptr: the system clock), which
// must outlive it.
Result<std::unique_ptr<HubStore>> open_hub_store(const std::string& where, const Clock* clock = nullptr);
Result<std::unique_ptr<HubStore>> open_sqlite_hub_store(const std::string& path, const Clock* clock = nullptr);
Result<std::unique_ptr<HubStore>> open_pg_hub_store(const std::string& url, const Clock* clock = nullptr);

}  // namespace kiosk::hub
