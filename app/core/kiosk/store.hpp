// The response store: one SQLite file per kiosk.
//
// Guarantees (../shared/docs/product.md, "Sync and data guarantees"):
//  - WAL with synchronous=FULL; every answer is its own durable commit.
//  - Completed responses are frozen by triggers in the schema itself, so no
//    code path (nor a hand-typed UPDATE) can edit one.
//  - A completed response is deleted only after a receipt, by retention.
//  - One Store per thread: it owns its own connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiosk/db.hpp"
#include "kiosk/session.hpp"

namespace kiosk {

struct StoreCounts {
  std::int64_t in_progress = 0, completed = 0, abandoned = 0;
  std::int64_t pending = 0, synced = 0, conflict = 0;
  std::string oldest_pending_utc;  // empty when nothing is pending
  std::string last_synced_utc;
  std::int64_t file_bytes = 0;  // database plus its WAL
};

struct PendingResponse {
  std::int64_t id = 0;
  std::string uuid, content_hash, canonical, completed_utc;
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
  std::int64_t checked = 0;           // completed responses whose hash was recomputed
  std::vector<std::string> problems;  // one line per response that does not match
  bool ok() const { return integrity == "ok" && problems.empty(); }
};

class Store final : public ResponseSink {
 public:
  static constexpr int kSchemaVersion = 2;

  // Create makes the file if needed; every mode but ReadOnly applies migrations.
  static Result<std::unique_ptr<Store>> open(const std::string& path, db::OpenMode mode = db::OpenMode::Create);

  // ResponseSink: the session engine's writes.
  // Numbers the response (meta.seq) in the same commit that saves it.
  Result<std::int64_t> begin_response(ResponseMeta& meta) override;
  Status save_answer(std::int64_t id, const std::string& question_id, const Answer* answer) override;
  Status update_meta(std::int64_t id, const ResponseMeta& meta) override;
  Status complete_response(std::int64_t id, const ResponseMeta& meta, const std::string& canonical,
                           const std::string& content_hash) override;
  // Freezes the document of a numbered response from what is on disk
  // (status "abandoned", the end time as completed_utc) and queues it for
  // upload, so the hub sees every number; an unnumbered one is only flagged.
  Status abandon_response(std::int64_t id, const std::string& ended_utc, const std::string& reason) override;

  // At kiosk start: a response left in progress by a crash or power cut is
  // closed as abandoned (kept, flagged, uploaded). Returns how many.
  Result<int> close_unfinished(const std::string& now_utc);

  // Bulk insert of already completed responses, one transaction (simulation).
  Status insert_completed(const std::vector<CompletedResponse>& batch);

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
  // Deletes synced responses whose receipt is older than `days`; never one without a receipt.
  Result<std::int64_t> apply_retention(int days, const std::string& now_utc);

  // PRAGMA integrity_check plus every content hash recomputed from its document
  // and every document checked against the stored answers.
  Result<VerifyReport> verify();
  // A consistent copy of the open database (VACUUM INTO), never a file copy.
  Status backup_to(const std::string& path);

  Result<std::string> get_meta(const std::string& key);
  Status set_meta(const std::string& key, const std::string& value);

  db::Connection& connection() { return *conn_; }
  const std::string& path() const { return conn_->path(); }

 private:
  explicit Store(std::unique_ptr<db::Connection> c) : conn_(std::move(c)) {}
  Status migrate();
  Status prepare_statements();
  Result<std::int64_t> insert_numbered(ResponseMeta& meta);
  Status freeze_abandoned(std::int64_t id);

  std::unique_ptr<db::Connection> conn_;
  db::Statement insert_response_, upsert_answer_, delete_answer_, update_meta_, next_seq_;
};

}  // namespace kiosk
