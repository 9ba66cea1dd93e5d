// The response store: one SQLite file per kiosk.
//
// Guarantees (../shared/docs/product.md, "Sync and data guarantees"):
//  - Answers are kept only sealed to the council's public key (kiosk/seal.hpp):
//    the file, its WAL, a backup hold no answer in the clear. In the clear
//    stay only the uuid, number, status, times, survey id and version, the
//    key id, the sealed bytes and their SHA-256 (the content hash: over the
//    sealed bytes, since a hash over the short plain document would let anyone
//    holding the disk confirm a guess of the answers), plus tallies (numbers
//    per question and option) for the admin screens. secure_delete is on.
//  - WAL with synchronous=FULL; every answer is its own durable commit (the
//    whole response so far, sealed, replacing the previous draft).
//  - Completed responses are frozen by triggers in the schema itself, so no
//    code path (nor a hand-typed UPDATE) can edit one.
//  - A completed response is deleted only after a receipt, by retention.
//  - One Store per thread: it owns its own connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/db.hpp"
#include "kiosk/seal.hpp"
#include "kiosk/session.hpp"

namespace kiosk {

struct StoreCounts {
  std::int64_t in_progress = 0, completed = 0, abandoned = 0;
  std::int64_t pending = 0, synced = 0, conflict = 0;
  std::string oldest_pending_utc;  // empty when nothing is pending
  std::string last_synced_utc;
  std::int64_t file_bytes = 0;  // database plus its WAL
};

// What the sync client uploads: the sealed document as stored.
struct PendingResponse {
  std::int64_t id = 0;
  std::string uuid, content_hash, key_id;
  std::string sealed;  // raw bytes (base64 on the wire)
  std::string completed_utc;
};

// A frozen response as stored: for a sealed export.
struct SealedResponse {
  std::int64_t seq = 0;
  std::string uuid, status, survey_id, survey_version, key_id, content_hash;
  std::string sealed;  // raw bytes
};

// A response the hub would not take for its content: a true conflict (same
// UUID, other content) or a rejection (the hub quarantined the document).
// It waits for an admin, then `requeue` sends it again.
struct ConflictedResponse {
  std::int64_t seq = 0;  // 0: from before the ledger
  std::string uuid, ended_utc, conflict_utc, detail;
};

struct CompletedResponse {
  ResponseMeta meta;
  Answers answers;
};

struct VerifyReport {
  std::string integrity;              // "ok" or SQLite's findings
  std::int64_t checked = 0;           // frozen responses whose hash was recomputed
  std::vector<std::string> problems;  // one line per response that does not match
  bool ok() const { return integrity == "ok" && problems.empty(); }
};

// What a response is sealed with when it is not the council's libsodium key:
// a kiosk that submits to an OpenRosa server (ODK Central, KoboToolbox)
// seals each draft and each closed response as that server's encrypted
// submission (app/openrosa), which is stored and later sent byte for byte.
class Sealer {
 public:
  virtual ~Sealer() = default;
  // 16 lower-case hex digits naming the key, recorded with each response.
  virtual std::string key_id() const = 0;
  virtual Result<std::string> seal(const ResponseMeta& meta, const Answers& answers) const = 0;
};

class Store final : public ResponseSink {
 public:
  static constexpr int kSchemaVersion = 4;

  // Create makes the file if needed; every mode but ReadOnly applies migrations.
  // `seal_to`: the council's public key, needed to save responses (without
  // it every write of an answer fails with ErrorKind::Config). A database
  // from before sealing that still holds answers in the clear is sealed with
  // it and scrubbed at this open; without a key such a database is refused.
  static Result<std::unique_ptr<Store>> open(const std::string& path, db::OpenMode mode = db::OpenMode::Create,
                                             const SealPublicKey* seal_to = nullptr);

  // The schema of an earlier version, on an empty database: for migration
  // tests and tools that must make a database as an older kiosk did.
  static Status create_schema(db::Connection& c, int version);

  // ResponseSink: the session engine's writes, each sealed before it is written.
  // Numbers the response (meta.seq) in the same commit that saves it, with
  // its first draft (no answers yet).
  Result<std::int64_t> begin_response(ResponseMeta& meta) override;
  Status save_draft(std::int64_t id, const ResponseMeta& meta, const Answers& answers) override;
  // Seals and freezes the document, and adds it to the tallies, in one commit.
  Result<std::string> complete_response(std::int64_t id, const ResponseMeta& meta, const Answers& answers) override;
  // Seals and freezes the abandoned document and queues it for upload, so
  // the hub sees every number.
  Status abandon_response(std::int64_t id, const ResponseMeta& meta, const Answers& answers,
                          const std::string& reason) override;

  // At kiosk start: a response left in progress by a crash or power cut is
  // closed as abandoned (kept, flagged, uploaded). Its last sealed draft is
  // its abandoned document (ended at that draft's save), so no key is
  // needed and nothing is opened. Returns how many.
  Result<int> close_unfinished(const std::string& now_utc);

  // Bulk insert of already closed responses, one transaction (simulation):
  // completed, or abandoned where meta.status says so (not tallied).
  Status insert_completed(const std::vector<CompletedResponse>& batch);

  // The key responses are sealed to (nullptr: none; nothing can be saved).
  const SealPublicKey* seal_key() const { return key_ ? &*key_ : nullptr; }
  void set_seal_key(const SealPublicKey& key) { key_ = key; }
  // Seals with `sealer` instead of a libsodium key (nullptr: back to the key).
  void set_sealer(std::shared_ptr<const Sealer> sealer) { sealer_ = std::move(sealer); }
  bool can_seal() const { return key_ || sealer_; }

  // Frozen (completed, or abandoned with a document) responses of a survey
  // ("": all), sealed as stored, in order: for `kiosk-admin export`.
  Result<std::vector<SealedResponse>> sealed_responses(const std::string& survey_id);

  Result<StoreCounts> counts();
  // Pending responses in id order, after `after_id` (a pass sends each once).
  Result<std::vector<PendingResponse>> pending(int limit, std::int64_t after_id = 0);
  // The highest response number given (0: none yet).
  Result<std::int64_t> highest_seq();
  Result<std::vector<ConflictedResponse>> conflicts();
  // Puts a conflicted response (or all: uuid empty) back to pending; returns how many.
  Result<std::int64_t> requeue(const std::string& uuid);
  Status mark_synced(const std::string& uuid, const std::string& receipt, const std::string& now_utc);
  Status mark_conflict(const std::string& uuid, const std::string& detail, const std::string& now_utc);
  // Many receipts in one durable transaction, all or none.
  struct Receipt {
    std::string uuid, receipt;
  };
  Status mark_synced_all(const std::vector<Receipt>& receipts, const std::string& now_utc);
  // Deletes synced responses whose receipt is older than `days`; never one
  // without a receipt. The freed pages are overwritten (secure_delete) and
  // the WAL is checkpointed and truncated, so the sealed bytes are gone from
  // both files (if another connection holds a read just then, the truncation
  // waits for the next call). Counted in meta "retention_deleted" for
  // verify's ledger check.
  Result<std::int64_t> apply_retention(int days, const std::string& now_utc);

  // PRAGMA integrity_check, every content hash recomputed over the sealed
  // bytes, and the ledger: every number given is still here or was deleted
  // by retention after a receipt.
  Result<VerifyReport> verify();
  // A consistent copy of the open database (VACUUM INTO), never a file copy.
  Status backup_to(const std::string& path);

  Result<std::string> get_meta(const std::string& key);
  Status set_meta(const std::string& key, const std::string& value);

  db::Connection& connection() { return *conn_; }
  const std::string& path() const { return conn_->path(); }

 private:
  explicit Store(std::unique_ptr<db::Connection> c) : conn_(std::move(c)) {}
  struct Sealed {
    std::string key_id, bytes, hash;
  };
  Status migrate();
  Status seal_plain_answers();
  Status count_responses_only();
  Status prepare_statements();
  Result<Sealed> seal(const ResponseMeta& meta, const Answers& answers) const;
  Result<std::int64_t> insert_numbered(ResponseMeta& meta);
  Status add_to_tallies(const ResponseMeta& meta, const Answers& answers);
  Status scrub();

  std::unique_ptr<db::Connection> conn_;
  std::optional<SealPublicKey> key_;
  std::shared_ptr<const Sealer> sealer_;
  bool scrub_owed_ = false;
  db::Statement insert_response_, save_draft_, next_seq_, tally_;
};

}  // namespace kiosk
