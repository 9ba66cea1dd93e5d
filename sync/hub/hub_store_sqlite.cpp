// kiosk-hub on SQLite. Writes are serialised by one mutex (SQLite has one
// writer at a time; waiting on a mutex is cheaper than spinning on
// SQLITE_BUSY); reads use per-thread connections and run beside them in WAL.
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "hub_store.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/db.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {

using db::Statement;

const char* to_string(ItemResult::Status s) {
  switch (s) {
    case ItemResult::Status::Stored: return protocol::receipt::kStored;
    case ItemResult::Status::Duplicate: return protocol::receipt::kDuplicate;
    case ItemResult::Status::Conflict: return protocol::receipt::kConflict;
    case ItemResult::Status::Rejected: return protocol::receipt::kRejected;
    case ItemResult::Status::Held: return protocol::receipt::kHeld;
  }
  return "?";
}

int http_code(ItemResult::Status s) {
  switch (s) {
    case ItemResult::Status::Stored: return 201;
    case ItemResult::Status::Duplicate: return 200;
    case ItemResult::Status::Conflict: return 409;
    case ItemResult::Status::Rejected: return 422;
    case ItemResult::Status::Held: return 503;
  }
  return 500;
}

Status check_role(const std::string& role) {
  if (role != "kiosk" && role != "admin")
    return make_error(ErrorKind::Validation, "a role is \"kiosk\" or \"admin\", not \"" + role + "\"");
  return {};
}

namespace {

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS principals(
  name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('kiosk', 'admin')),
  token_hash TEXT NOT NULL UNIQUE, created_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices(
  name TEXT PRIMARY KEY, last_seen_utc TEXT, service_point TEXT, app_version TEXT, pending INTEGER,
  oldest_pending_age_seconds INTEGER, free_disk_bytes INTEGER, last_error TEXT);
CREATE TABLE IF NOT EXISTS responses(
  seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL, device TEXT NOT NULL,
  kiosk_id TEXT NOT NULL, service_point TEXT NOT NULL, survey_id TEXT NOT NULL, survey_version TEXT NOT NULL,
  completed_utc TEXT NOT NULL, received_utc TEXT NOT NULL, document TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS responses_order ON responses(completed_utc, uuid);
CREATE TABLE IF NOT EXISTS conflicts(
  id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, content_hash TEXT NOT NULL, device TEXT NOT NULL,
  received_utc TEXT NOT NULL, document TEXT NOT NULL, UNIQUE (uuid, content_hash));
CREATE TRIGGER IF NOT EXISTS hub_responses_are_frozen BEFORE UPDATE ON responses
BEGIN SELECT RAISE(ABORT, 'stored responses are never overwritten'); END;
-- The ledger's tallies: numbers received per kiosk and block of kLedgerBlock.
CREATE TABLE IF NOT EXISTS ledger_blocks(
  kiosk_id TEXT NOT NULL, block INTEGER NOT NULL, received INTEGER NOT NULL, PRIMARY KEY (kiosk_id, block));
-- On PostgreSQL, which schema the database is at (hub_store_pg.cpp: hubs
-- sharing it change it once, not at every start); here for the same tables.
CREATE TABLE IF NOT EXISTS hub_schema(fingerprint TEXT NOT NULL PRIMARY KEY, applied_utc TEXT NOT NULL);
)sql";

// The ledger's columns, added to databases made before it (and so, in the
// same place, to new ones: both end up with the same column order).
struct AddedColumn {
  const char *table, *column, *declaration;
};
const AddedColumn kLedgerColumns[] = {
    {"principals", "revoked_utc", "TEXT"},   {"devices", "highest_seq", "INTEGER"},
    {"devices", "highest_seq_utc", "TEXT"},  {"devices", "clock_offset_seconds", "INTEGER"},
    {"responses", "kiosk_seq", "INTEGER"},   {"responses", "status", "TEXT NOT NULL DEFAULT 'completed'"},
    {"principals", "service_point", "TEXT"},
};
const char* const kLedgerIndex = "CREATE INDEX IF NOT EXISTS responses_ledger ON responses(kiosk_id, kiosk_seq)";

// Trust (document_check.hpp): every survey version served, refused documents,
// and the summary's tallies. Kept apart from kSchema so other additions merge.
const char* const kTrustSchema = R"sql(
CREATE TABLE IF NOT EXISTS survey_versions(
  survey_id TEXT NOT NULL, version TEXT NOT NULL, definition TEXT NOT NULL, registered_utc TEXT NOT NULL,
  PRIMARY KEY (survey_id, version));
CREATE TABLE IF NOT EXISTS quarantine(
  id INTEGER PRIMARY KEY, device TEXT NOT NULL, received_utc TEXT NOT NULL, uuid TEXT NOT NULL,
  reason TEXT NOT NULL, document TEXT NOT NULL, document_bytes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS answer_tallies(
  survey_id TEXT NOT NULL, survey_version TEXT NOT NULL, service_point TEXT NOT NULL, question_id TEXT NOT NULL,
  option_code TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (survey_id, survey_version, service_point, question_id, option_code));
CREATE INDEX IF NOT EXISTS responses_by_service_point ON responses(service_point);
-- An answer kept in the clear beside each response once (its age band): gone.
DROP INDEX IF EXISTS responses_by_age_band;
CREATE INDEX IF NOT EXISTS responses_by_device ON responses(device);
CREATE TABLE IF NOT EXISTS audit_log(
  id INTEGER PRIMARY KEY, at_utc TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
)sql";

// Sealing (kiosk/seal.hpp): the key that opens each stored document; NULL for
// a document stored plain by a hub without keys (sealed when it gets some).
const AddedColumn kSealColumns[] = {
    {"responses", "key_id", "TEXT"}, {"conflicts", "key_id", "TEXT"}, {"quarantine", "key_id", "TEXT"}};
const char* const kFrozenTrigger =
    "CREATE TRIGGER IF NOT EXISTS hub_responses_are_frozen BEFORE UPDATE ON responses "
    "BEGIN SELECT RAISE(ABORT, 'stored responses are never overwritten'); END";

// Columns of databases made before they were dropped (the index on one
// goes first: kTrustSchema drops it).
const AddedColumn kDroppedColumns[] = {{"responses", "age_band", ""}};

Status drop_columns(db::Connection& c) {
  for (const AddedColumn& col : kDroppedColumns) {
    auto q = Statement::prepare(c, "SELECT count(*) FROM pragma_table_info(?1) WHERE name=?2");
    if (!q) return q.error();
    q->bind(1, col.table).bind(2, col.column);
    if (auto r = q->step(); !r) return r.error();
    if (q->integer(0) == 0) continue;
    const std::string drop = std::string("ALTER TABLE ") + col.table + " DROP COLUMN " + col.column;
    if (auto st = c.exec(drop.c_str()); !st) return st;
  }
  return {};
}

Status add_columns(db::Connection& c, const AddedColumn* begin, const AddedColumn* end) {
  for (const AddedColumn* col = begin; col != end; ++col) {
    auto q = Statement::prepare(c, "SELECT count(*) FROM pragma_table_info(?1) WHERE name=?2");
    if (!q) return q.error();
    q->bind(1, col->table).bind(2, col->column);
    if (auto r = q->step(); !r) return r.error();
    if (q->integer(0) > 0) continue;
    const std::string add =
        std::string("ALTER TABLE ") + col->table + " ADD COLUMN " + col->column + " " + col->declaration;
    if (auto st = c.exec(add.c_str()); !st) return st;
  }
  return {};
}

using TallyKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
// A batch's marks summed per row, so each tally row is written once per batch.
void add_marks(std::map<TallyKey, std::int64_t>& sums, const Incoming& it) {
  for (const auto& m : it.marks) ++sums[{it.survey_id, it.survey_version, it.service_point, m.question, m.option}];
}

class SqliteHubStore final : public HubStore {
 public:
  SqliteHubStore(std::string path, const Clock* clock)
      : path_(std::move(path)), clock_(clock ? *clock : system_clock_) {}

  Status init() {
    auto c = connection();
    if (!c) return c.error();
    std::lock_guard lock(write_mutex_);
    auto tx = db::Transaction::begin(**c);
    if (!tx) return tx.error();
    if (auto st = (*c)->exec(kSchema); !st) return st;
    if (auto st = add_columns(**c, std::begin(kLedgerColumns), std::end(kLedgerColumns)); !st) return st;
    if (auto st = (*c)->exec(kLedgerIndex); !st) return st;
    if (auto st = (*c)->exec(kTrustSchema); !st) return st;
    if (auto st = add_columns(**c, std::begin(kSealColumns), std::end(kSealColumns)); !st) return st;
    if (auto st = drop_columns(**c); !st) return st;
    return tx->commit();
  }

  std::string backend() const override { return "sqlite"; }

  Result<std::string> add_principal(const std::string& name, const std::string& role) override {
    if (auto st = check_role(role); !st) return st.error();
    auto c = connection();
    if (!c) return c.error();
    const std::string token = new_token();
    std::lock_guard lock(write_mutex_);
    auto q = Statement::prepare(**c, "INSERT INTO principals(name, role, token_hash, created_utc) VALUES(?1,?2,?3,?4)");
    if (!q) return q.error();
    q->bind(1, name).bind(2, role).bind(3, sha256_hex(token)).bind(4, format_utc(clock_.now()));
    if (auto st = q->run(); !st) {
      // The role was checked above, so the only constraint left to break is
      // the unique name (a token hash colliding is beyond belief).
      if (st.kind() == ErrorKind::Validation)
        return make_error(ErrorKind::Validation, "a device or admin named \"" + name + "\" already exists");
      return st.error();
    }
    return token;
  }

  Result<std::optional<Principal>> authenticate(const std::string& token) override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(
        **c,
        "SELECT name, role, revoked_utc IS NOT NULL, coalesce(service_point,'') FROM principals WHERE token_hash=?1");
    if (!q) return q.error();
    q->bind(1, sha256_hex(token));
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) return std::optional<Principal>{};
    return std::optional<Principal>{Principal{q->str(0), q->str(1), q->integer(2) != 0, q->str(3)}};
  }

  Status set_service_point(const std::string& kiosk, const std::string& service_point) override {
    auto c = connection();
    if (!c) return c.error();
    std::lock_guard lock(write_mutex_);
    auto q = Statement::prepare(**c, "UPDATE principals SET service_point=?2 WHERE name=?1 AND role='kiosk'");
    if (!q) return q.error();
    q->bind(1, kiosk).bind(2, service_point);
    if (auto st = q->run(); !st) return st;
    if ((*c)->changes() == 0) return make_error(ErrorKind::NotFound, "there is no kiosk named \"" + kiosk + "\"");
    return {};
  }

  Result<std::vector<ItemResult>> ingest(const std::string& device, const std::vector<Incoming>& items) override {
    auto c = connection();
    if (!c) return c.error();
    db::Connection& conn = **c;
    const std::string now = format_utc(clock_.now());
    std::vector<ItemResult> out;
    out.reserve(items.size());
    std::lock_guard lock(write_mutex_);
    auto tx = db::Transaction::begin(conn);
    if (!tx) return tx.error();
    auto ins =
        Statement::prepare(conn,
                           "INSERT INTO responses(uuid, content_hash, device, kiosk_id, service_point, survey_id, "
                           "survey_version, completed_utc, received_utc, document, kiosk_seq, status, "
                           "key_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13) ON CONFLICT(uuid) DO NOTHING");
    auto sel = Statement::prepare(conn, "SELECT seq, content_hash FROM responses WHERE uuid=?1");
    auto conf = Statement::prepare(conn,
                                   "INSERT INTO conflicts(uuid, content_hash, device, received_utc, document, key_id) "
                                   "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(uuid, content_hash) DO NOTHING");
    if (!ins) return ins.error();
    if (!sel) return sel.error();
    if (!conf) return conf.error();
    auto tally = Statement::prepare(conn,
                                    "INSERT INTO ledger_blocks(kiosk_id, block, received) VALUES(?1,?2,1) "
                                    "ON CONFLICT(kiosk_id, block) DO UPDATE SET received=received+1");
    if (!tally) return tally.error();
    std::map<TallyKey, std::int64_t> sums;
    for (const auto& it : items) {
      ins->bind(1, it.uuid).bind(2, it.content_hash).bind(3, device).bind(4, it.kiosk_id).bind(5, it.service_point);
      ins->bind(6, it.survey_id).bind(7, it.survey_version).bind(8, it.completed_utc);
      ins->bind(9, now).bind(10, it.document).bind(12, it.status);
      if (it.seq > 0)
        ins->bind(11, it.seq);
      else
        ins->bind_null(11);
      bind_key(*ins, 13, it.key_id);
      if (auto st = ins->run(); !st) return st.error();
      ItemResult r;
      r.uuid = it.uuid;
      if (conn.changes() == 1) {
        r.status = ItemResult::Status::Stored;
        r.receipt = "sqlite:" + std::to_string(conn.last_insert_rowid());
        if (it.seq > 0) {  // the ledger's tally, in the same commit
          tally->bind(1, it.kiosk_id).bind(2, it.seq / kLedgerBlock);
          if (auto st = tally->run(); !st) return st.error();
        }
        add_marks(sums, it);
      } else {
        sel->bind(1, it.uuid);
        auto row = sel->step();
        if (!row) return row.error();
        const std::string seq = std::to_string(sel->integer(0)), hash = sel->str(1);
        sel->reset();
        if (hash == it.content_hash) {
          r.status = ItemResult::Status::Duplicate;
          r.receipt = "sqlite:" + seq;
        } else {
          r.status = ItemResult::Status::Conflict;
          r.detail = "the hub already holds a different response with this UUID; this one is kept aside for an admin";
          conf->bind(1, it.uuid).bind(2, it.content_hash).bind(3, device).bind(4, now).bind(5, it.document);
          bind_key(*conf, 6, it.key_id);
          if (auto st = conf->run(); !st) return st.error();
        }
      }
      out.push_back(std::move(r));
    }
    if (auto st = write_tallies(conn, sums); !st) return st.error();
    if (auto st = tx->commit(); !st) return st.error();
    return out;
  }

  Status heartbeat(const std::string& device, const Heartbeat& hb, const std::string& now) override {
    auto c = connection();
    if (!c) return c.error();
    std::lock_guard lock(write_mutex_);
    // highest_seq only rises (a heartbeat from an older kiosk build says
    // nothing), and its time is when it last rose: how long a number above
    // every received one has been known.
    auto q = Statement::prepare(
        **c,
        "INSERT INTO devices(name, last_seen_utc, service_point, app_version, pending, "
        "oldest_pending_age_seconds, free_disk_bytes, last_error, highest_seq, highest_seq_utc, clock_offset_seconds) "
        "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,CASE WHEN ?9 IS NULL THEN NULL ELSE ?2 END,?10) "
        "ON CONFLICT(name) DO UPDATE SET last_seen_utc=excluded.last_seen_utc, "
        "service_point=excluded.service_point, app_version=excluded.app_version, "
        "pending=excluded.pending, oldest_pending_age_seconds=excluded.oldest_pending_age_seconds, "
        "free_disk_bytes=excluded.free_disk_bytes, last_error=excluded.last_error, "
        "highest_seq_utc=CASE WHEN excluded.highest_seq > coalesce(devices.highest_seq, -1) THEN "
        "excluded.last_seen_utc "
        "ELSE devices.highest_seq_utc END, "
        "highest_seq=max(coalesce(devices.highest_seq, -1), coalesce(excluded.highest_seq, -1)), "
        "clock_offset_seconds=coalesce(excluded.clock_offset_seconds, devices.clock_offset_seconds)");
    if (!q) return q.error();
    q->bind(1, device).bind(2, now).bind(3, hb.service_point).bind(4, hb.app_version).bind(5, hb.pending);
    q->bind(6, hb.oldest_pending_age_seconds).bind(7, hb.free_disk_bytes).bind(8, hb.last_error);
    if (hb.highest_seq >= 0)
      q->bind(9, hb.highest_seq);
    else
      q->bind_null(9);
    if (hb.clock_offset_seconds)
      q->bind(10, *hb.clock_offset_seconds);
    else
      q->bind_null(10);
    return q->run();
  }

  Result<std::vector<DeviceRow>> devices() override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(
        **c,
        "SELECT p.name, p.role, p.created_utc, coalesce(d.last_seen_utc,''), "
        "coalesce(d.service_point,''), coalesce(d.app_version,''), coalesce(d.last_error,''), "
        "coalesce(d.pending,0), coalesce(d.oldest_pending_age_seconds,0), "
        "coalesce(d.free_disk_bytes,-1), (SELECT count(*) FROM responses r WHERE r.device=p.name) "
        "FROM principals p LEFT JOIN devices d ON d.name=p.name WHERE p.role='kiosk' ORDER BY p.name");
    if (!q) return q.error();
    std::vector<DeviceRow> out;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      DeviceRow d;
      d.name = q->str(0);
      d.role = q->str(1);
      d.created_utc = q->str(2);
      d.last_seen_utc = q->str(3);
      d.service_point = q->str(4);
      d.app_version = q->str(5);
      d.last_error = q->str(6);
      d.pending = q->integer(7);
      d.oldest_pending_age_seconds = q->integer(8);
      d.free_disk_bytes = q->integer(9);
      d.responses = q->integer(10);
      out.push_back(std::move(d));
    }
    return out;
  }

  Status for_each_document(const std::function<bool(const StoredDocument&)>& fn) override {
    auto c = connection();
    if (!c) return c.error();
    auto q =
        Statement::prepare(**c, "SELECT coalesce(key_id,''), document FROM responses ORDER BY completed_utc, uuid");
    if (!q) return q.error();
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r || !fn(StoredDocument{q->str(0), q->str(1)})) return {};
    }
  }

  Status for_each_document_after(std::int64_t after, const std::vector<std::int64_t>* only, const NumberedDocument& fn,
                                 bool by_completion) override {
    auto c = connection();
    if (!c) return c.error();
    std::string sql = "SELECT seq, coalesce(key_id,''), document FROM responses WHERE seq > " + std::to_string(after);
    if (only) {
      sql += " AND seq IN (";
      for (size_t i = 0; i < only->size(); ++i) sql += (i ? "," : "") + std::to_string((*only)[i]);
      sql += ")";
    }
    auto q = Statement::prepare(**c, sql + (by_completion ? " ORDER BY completed_utc, uuid" : " ORDER BY seq"));
    if (!q) return q.error();
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r || !fn(q->integer(0), StoredDocument{q->str(1), q->str(2)})) return {};
    }
  }

  Result<std::vector<std::int64_t>> document_numbers() override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(**c, "SELECT seq FROM responses ORDER BY seq");
    if (!q) return q.error();
    std::vector<std::int64_t> out;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) return out;
      out.push_back(q->integer(0));
    }
  }

  Result<std::int64_t> response_count() override { return scalar("SELECT count(*) FROM responses"); }
  Result<std::int64_t> conflict_count() override { return scalar("SELECT count(*) FROM conflicts"); }

  Status ping() override {
    auto n = response_count();
    if (!n) return n.error();
    return {};
  }

  // ---- Operators and the ledger ----

  Status revoke_principal(const std::string& name, const std::string& role) override {
    auto c = connection();
    if (!c) return c.error();
    std::lock_guard lock(write_mutex_);
    auto q = Statement::prepare(
        **c, "UPDATE principals SET revoked_utc=coalesce(revoked_utc, ?3) WHERE name=?1 AND role=?2");
    if (!q) return q.error();
    q->bind(1, name).bind(2, role).bind(3, format_utc(clock_.now()));
    if (auto st = q->run(); !st) return st;
    if ((*c)->changes() == 0) return make_error(ErrorKind::NotFound, "there is no " + role + " named \"" + name + "\"");
    return {};
  }

  Result<std::vector<PrincipalRow>> principals() override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(**c,
                                "SELECT p.name, p.role, p.created_utc, coalesce(d.last_seen_utc,''), "
                                "coalesce(p.revoked_utc,'') FROM principals p LEFT JOIN devices d ON d.name=p.name "
                                "ORDER BY p.role DESC, p.name");
    if (!q) return q.error();
    std::vector<PrincipalRow> out;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      out.push_back({q->str(0), q->str(1), q->str(2), q->str(3), q->str(4)});
    }
    return out;
  }

  // ---- Trust ----

  Status register_survey(const std::string& survey_id, const std::string& version, const std::string& definition,
                         const std::string& now) override {
    auto c = connection();
    if (!c) return c.error();
    std::lock_guard lock(write_mutex_);
    auto q = Statement::prepare(**c,
                                "INSERT INTO survey_versions(survey_id, version, definition, registered_utc) "
                                "VALUES(?1,?2,?3,?4) ON CONFLICT(survey_id, version) DO NOTHING");
    if (!q) return q.error();
    q->bind(1, survey_id).bind(2, version).bind(3, definition).bind(4, now);
    if (auto st = q->run(); !st) return st;
    auto held = survey_definition(survey_id, version);
    if (!held) return held.error();
    if (!*held || **held != definition)
      return make_error(ErrorKind::Config, "survey \"" + survey_id + "\" version \"" + version +
                                               "\" was served before with another definition: give the changed "
                                               "survey a new version");
    return {};
  }

  Result<std::optional<std::string>> survey_definition(const std::string& survey_id,
                                                       const std::string& version) override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(**c, "SELECT definition FROM survey_versions WHERE survey_id=?1 AND version=?2");
    if (!q) return q.error();
    q->bind(1, survey_id).bind(2, version);
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) return std::optional<std::string>{};
    return std::optional<std::string>{q->str(0)};
  }

  Status quarantine(const std::string& device, const std::vector<QuarantineItem>& items) override {
    if (items.empty()) return {};
    auto c = connection();
    if (!c) return c.error();
    const std::string now = format_utc(clock_.now());
    std::lock_guard lock(write_mutex_);
    auto tx = db::Transaction::begin(**c);
    if (!tx) return tx.error();
    auto q = Statement::prepare(**c,
                                "INSERT INTO quarantine(device, received_utc, uuid, reason, document, document_bytes, "
                                "key_id) VALUES(?1,?2,?3,?4,?5,?6,?7)");
    if (!q) return q.error();
    for (const auto& it : items) {
      q->bind(1, device).bind(2, now).bind(3, it.uuid).bind(4, it.reason).bind(5, it.document);
      q->bind(6, it.document_bytes);
      bind_key(*q, 7, it.key_id);
      if (auto st = q->run(); !st) return st;
    }
    return tx->commit();
  }

  Result<std::int64_t> quarantine_count() override { return scalar("SELECT count(*) FROM quarantine"); }

  Status audit(const std::string& actor, const std::string& action, const std::string& detail) override {
    auto c = connection();
    if (!c) return c.error();
    std::lock_guard lock(write_mutex_);
    auto q = Statement::prepare(**c, "INSERT INTO audit_log(at_utc, actor, action, detail) VALUES(?1,?2,?3,?4)");
    if (!q) return q.error();
    q->bind(1, format_utc(clock_.now())).bind(2, actor).bind(3, action).bind(4, detail);
    return q->run();
  }

  Result<std::vector<AuditRow>> audit_log(int limit) override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(**c, "SELECT at_utc, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1");
    if (!q) return q.error();
    q->bind(1, std::int64_t{limit});
    std::vector<AuditRow> out;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      out.push_back({q->str(0), q->str(1), q->str(2), q->str(3)});
    }
    return out;
  }

  Result<std::vector<QuarantineRow>> quarantine_latest(int limit) override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(**c,
                                "SELECT device, received_utc, uuid, reason, document, document_bytes, "
                                "coalesce(key_id,'') FROM quarantine ORDER BY id DESC LIMIT ?1");
    if (!q) return q.error();
    q->bind(1, std::int64_t{limit});
    std::vector<QuarantineRow> out;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      out.push_back({q->str(0), q->str(1), q->str(2), q->str(3), q->str(4), q->str(6), q->integer(5)});
    }
    return out;
  }

  Result<std::vector<LedgerRow>> ledger() override {
    auto c = connection();
    if (!c) return c.error();
    auto kiosks = Statement::prepare(**c,
                                     "SELECT p.name, coalesce(d.highest_seq,-1), coalesce(d.highest_seq_utc,''), "
                                     "coalesce(d.last_seen_utc,''), d.clock_offset_seconds FROM principals p "
                                     "LEFT JOIN devices d ON d.name=p.name WHERE p.role='kiosk' ORDER BY p.name");
    // Each reads one tally row per block, or seeks in the (kiosk_id, kiosk_seq) index.
    auto top =
        Statement::prepare(**c, "SELECT coalesce(max(kiosk_seq),0) FROM responses WHERE kiosk_id=?1 AND kiosk_seq > 0");
    auto blocks = Statement::prepare(**c, "SELECT block, received FROM ledger_blocks WHERE kiosk_id=?1");
    auto count = Statement::prepare(
        **c, "SELECT count(DISTINCT kiosk_seq) FROM responses WHERE kiosk_id=?1 AND kiosk_seq BETWEEN ?2 AND ?3");
    // Gaps between received numbers, with sentinels just outside the range for its ends.
    auto gaps = Statement::prepare(**c,
                                   "SELECT s + 1, nxt - 1 FROM (SELECT s, lead(s, 1, ?3 + 1) OVER (ORDER BY s) AS nxt "
                                   "FROM (SELECT ?2 - 1 AS s UNION ALL SELECT kiosk_seq FROM responses "
                                   "WHERE kiosk_id=?1 AND kiosk_seq BETWEEN ?2 AND ?3)) "
                                   "WHERE nxt > s + 1 ORDER BY s LIMIT ?4");
    auto since = Statement::prepare(**c,
                                    "SELECT received_utc FROM responses WHERE kiosk_id=?1 AND kiosk_seq > ?2 "
                                    "ORDER BY kiosk_seq LIMIT 1");
    for (auto* st : {&kiosks, &top, &blocks, &count, &gaps, &since})
      if (!*st) return st->error();
    std::vector<LedgerRow> out;
    for (;;) {
      auto r = kiosks->step();
      if (!r) return r.error();
      if (!*r) break;
      LedgerRow row;
      row.kiosk = kiosks->str(0);
      const std::int64_t highest = kiosks->integer(1);
      const std::string highest_utc = kiosks->str(2);
      row.last_heartbeat_utc = kiosks->str(3);
      if (!kiosks->is_null(4)) row.clock_offset_seconds = kiosks->integer(4);
      top->bind(1, row.kiosk);
      if (auto t = top->step(); !t) return t.error();
      const std::int64_t max_seq = top->integer(0);
      top->reset();
      std::vector<std::pair<std::int64_t, std::int64_t>> tallies;
      blocks->bind(1, row.kiosk);
      for (;;) {
        auto b = blocks->step();
        if (!b) return b.error();
        if (!*b) break;
        tallies.emplace_back(blocks->integer(0), blocks->integer(1));
      }
      blocks->reset();
      auto scan = [&](std::int64_t first, std::int64_t last, size_t limit, SeqRanges& missing) -> Result<std::int64_t> {
        count->bind(1, row.kiosk).bind(2, first).bind(3, last);
        if (auto n = count->step(); !n) return n.error();
        const std::int64_t distinct = count->integer(0);
        count->reset();
        gaps->bind(1, row.kiosk).bind(2, first).bind(3, last).bind(4, static_cast<std::int64_t>(limit));
        for (;;) {
          auto g = gaps->step();
          if (!g) return g.error();
          if (!*g) break;
          missing.emplace_back(gaps->integer(0), gaps->integer(1));
        }
        gaps->reset();
        return distinct;
      };
      if (auto st = fill_ledger_row(row, highest, max_seq, std::move(tallies), scan); !st) return st.error();
      if (row.oldest_missing) {
        since->bind(1, row.kiosk).bind(2, row.oldest_missing);
        auto s = since->step();
        if (!s) return s.error();
        row.missing_since_utc = *s ? since->str(0) : highest_utc;
        since->reset();
      }
      out.push_back(std::move(row));
    }
    return out;
  }

  Result<std::vector<AnswerTally>> answer_tallies(const std::string& survey_id) override {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(**c,
                                "SELECT survey_version, service_point, question_id, option_code, n FROM answer_tallies "
                                "WHERE survey_id=?1");
    if (!q) return q.error();
    q->bind(1, survey_id);
    std::vector<AnswerTally> out;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      out.push_back({q->str(0), q->str(1), q->str(2), q->str(3), q->integer(4)});
    }
    return out;
  }

  Status fill_answer_tallies_if_empty(const MarksOf& marks_of) override {
    auto c = connection();
    if (!c) return c.error();
    std::lock_guard lock(write_mutex_);
    auto tx = db::Transaction::begin(**c);
    if (!tx) return tx.error();
    auto have =
        Statement::prepare(**c, "SELECT (SELECT count(*) FROM answer_tallies), (SELECT count(*) FROM responses)");
    if (!have) return have.error();
    if (auto r = have->step(); !r) return r.error();
    if (have->integer(0) > 0 || have->integer(1) == 0) return {};
    auto q = Statement::prepare(**c, "SELECT coalesce(key_id,''), document FROM responses");
    if (!q) return q.error();
    std::map<TallyKey, std::int64_t> sums;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      if (auto in = marks_of(StoredDocument{q->str(0), q->str(1)})) add_marks(sums, *in);
    }
    if (auto st = write_tallies(**c, sums); !st) return st;
    return tx->commit();
  }

  Result<std::int64_t> seal_plain_documents(const SealPlain& seal, const std::string& key_id) override {
    auto c = connection();
    if (!c) return c.error();
    db::Connection& conn = **c;
    std::lock_guard lock(write_mutex_);
    std::int64_t sealed = 0;
    {
      auto tx = db::Transaction::begin(conn);
      if (!tx) return tx.error();
      // Stored responses are frozen against updates; sealing one in place
      // changes its form, not its content, so the trigger steps aside for
      // this transaction alone.
      if (auto st = conn.exec("DROP TRIGGER IF EXISTS hub_responses_are_frozen"); !st) return st.error();
      for (const char* table : {"responses", "conflicts", "quarantine"}) {
        const char* id = std::string(table) == "responses" ? "seq" : "id";
        auto sel = Statement::prepare(
            conn, std::string("SELECT ") + id + ", document FROM " + table + " WHERE key_id IS NULL");
        auto up = Statement::prepare(
            conn, std::string("UPDATE ") + table + " SET document=?1, key_id=?2" + " WHERE " + id + "=?3");
        if (!sel) return sel.error();
        if (!up) return up.error();
        std::vector<std::pair<std::int64_t, std::string>> rows;
        for (;;) {
          auto r = sel->step();
          if (!r) return r.error();
          if (!*r) break;
          rows.emplace_back(sel->integer(0), sel->str(1));
        }
        for (auto& [rowid, plain] : rows) {
          up->bind(1, seal(plain)).bind(2, key_id).bind(3, rowid);
          if (auto st = up->run(); !st) return st.error();
          ++sealed;
        }
      }
      if (auto st = conn.exec(kFrozenTrigger); !st) return st.error();
      if (auto st = tx->commit(); !st) return st.error();
    }
    // The plain text's old pages: secure_delete (on for every connection)
    // zeroed them in the database file; the WAL still holds copies until a
    // checkpoint truncates it.
    if (sealed > 0)
      if (auto st = conn.exec("PRAGMA wal_checkpoint(TRUNCATE)"); !st) return st.error();
    return sealed;
  }

 private:
  // One connection per thread (SQLite connections are never shared).
  Result<db::Connection*> connection() {
    std::lock_guard lock(pool_mutex_);
    auto& slot = pool_[std::this_thread::get_id()];
    if (!slot) {
      auto c = db::Connection::open(path_, db::OpenMode::Create, 30000);
      if (!c) return c.error();
      // Space freed by a deleted or rewritten row is zeroed, so text that
      // was sealed in place (seal_plain_documents) leaves no copy behind.
      if (auto st = c->exec("PRAGMA secure_delete=ON"); !st) return st.error();
      slot = std::make_unique<db::Connection>(std::move(c).value());
    }
    return slot.get();
  }
  static void bind_key(Statement& q, int i, const std::string& key_id) {
    if (key_id.empty())
      q.bind_null(i);
    else
      q.bind(i, key_id);
  }
  static Status write_tallies(db::Connection& conn, const std::map<TallyKey, std::int64_t>& sums) {
    if (sums.empty()) return {};
    auto up = Statement::prepare(conn,
                                 "INSERT INTO answer_tallies(survey_id, survey_version, service_point, question_id, "
                                 "option_code, n) VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(survey_id, survey_version, "
                                 "service_point, question_id, option_code) DO UPDATE SET n = n + excluded.n");
    if (!up) return up.error();
    for (const auto& [k, n] : sums) {
      up->bind(1, std::get<0>(k)).bind(2, std::get<1>(k)).bind(3, std::get<2>(k)).bind(4, std::get<3>(k));
      up->bind(5, std::get<4>(k)).bind(6, n);
      if (auto st = up->run(); !st) return st;
    }
    return {};
  }
  Result<std::int64_t> scalar(const char* sql) {
    auto c = connection();
    if (!c) return c.error();
    auto q = Statement::prepare(**c, sql);
    if (!q) return q.error();
    auto r = q->step();
    if (!r) return r.error();
    return q->integer(0);
  }

  std::string path_;
  SystemClock system_clock_;
  const Clock& clock_;
  std::mutex write_mutex_;
  std::mutex pool_mutex_;
  std::unordered_map<std::thread::id, std::unique_ptr<db::Connection>> pool_;
};

}  // namespace

Result<std::unique_ptr<HubStore>> open_sqlite_hub_store(const std::string& path, const Clock* clock) {
  if (auto st = crypto_init(); !st) return st.error();
  auto s = std::make_unique<SqliteHubStore>(path, clock);
  if (auto st = s->init(); !st) return st.error();
  return std::unique_ptr<HubStore>(std::move(s));
}

Result<std::unique_ptr<HubStore>> open_hub_store(const std::string& where, const Clock* clock) {
  if (where.rfind("postgresql://", 0) == 0 || where.rfind("postgres://", 0) == 0)
    return open_pg_hub_store(where, clock);
  return open_sqlite_hub_store(where, clock);
}

}  // namespace kiosk::hub
