// kiosk-hub on PostgreSQL (libpq). Uniqueness of UUIDs is the database's:
// INSERT .. ON CONFLICT (uuid) DO NOTHING, so several hub processes can share
// one database. Each thread has its own connection; a dropped connection is
// reopened on next use.
#include <libpq-fe.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "hub_store.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/crypto.hpp"

namespace kiosk::hub {
namespace {

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS principals(
  name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('kiosk', 'admin')),
  token_hash TEXT NOT NULL UNIQUE, created_utc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices(
  name TEXT PRIMARY KEY, last_seen_utc TEXT, service_point TEXT, app_version TEXT, pending BIGINT,
  oldest_pending_age_seconds BIGINT, free_disk_bytes BIGINT, last_error TEXT);
CREATE TABLE IF NOT EXISTS responses(
  seq BIGSERIAL PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL, device TEXT NOT NULL,
  kiosk_id TEXT NOT NULL, service_point TEXT NOT NULL, survey_id TEXT NOT NULL, survey_version TEXT NOT NULL,
  completed_utc TEXT NOT NULL, received_utc TEXT NOT NULL, document TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS responses_order ON responses(completed_utc, uuid);
CREATE TABLE IF NOT EXISTS conflicts(
  id BIGSERIAL PRIMARY KEY, uuid TEXT NOT NULL, content_hash TEXT NOT NULL, device TEXT NOT NULL,
  received_utc TEXT NOT NULL, document TEXT NOT NULL, UNIQUE (uuid, content_hash));
-- As on SQLite: a stored response is never changed; a conflicting upload is kept aside instead.
CREATE OR REPLACE FUNCTION hub_responses_are_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'stored responses are never overwritten' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE OR REPLACE TRIGGER hub_responses_are_frozen BEFORE UPDATE ON responses
  FOR EACH ROW EXECUTE FUNCTION hub_responses_are_frozen();
-- The ledger's columns, added to databases made before it (and so to new
-- ones too, in the same order as on SQLite).
ALTER TABLE principals ADD COLUMN IF NOT EXISTS revoked_utc TEXT;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS highest_seq BIGINT;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS highest_seq_utc TEXT;
ALTER TABLE devices ADD COLUMN IF NOT EXISTS clock_offset_seconds BIGINT;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS kiosk_seq BIGINT;
ALTER TABLE responses ADD COLUMN IF NOT EXISTS status TEXT NOT NULL DEFAULT 'completed';
CREATE INDEX IF NOT EXISTS responses_ledger ON responses(kiosk_id, kiosk_seq);
-- The ledger's tallies: numbers received per kiosk and block of kLedgerBlock.
CREATE TABLE IF NOT EXISTS ledger_blocks(
  kiosk_id TEXT NOT NULL, block BIGINT NOT NULL, received BIGINT NOT NULL, PRIMARY KEY (kiosk_id, block));
-- Where a kiosk is registered to stand (add-device --service-point).
ALTER TABLE principals ADD COLUMN IF NOT EXISTS service_point TEXT;
)sql";

// Trust (document_check.hpp): every survey version served, refused documents,
// and the summary's tallies; the same tables and columns as on SQLite. Kept
// apart from kSchema so other additions merge.
const char* const kTrustSchema = R"sql(
CREATE TABLE IF NOT EXISTS survey_versions(
  survey_id TEXT NOT NULL, version TEXT NOT NULL, definition TEXT NOT NULL, registered_utc TEXT NOT NULL,
  PRIMARY KEY (survey_id, version));
CREATE TABLE IF NOT EXISTS quarantine(
  id BIGSERIAL PRIMARY KEY, device TEXT NOT NULL, received_utc TEXT NOT NULL, uuid TEXT NOT NULL,
  reason TEXT NOT NULL, document TEXT NOT NULL, document_bytes BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS answer_tallies(
  survey_id TEXT NOT NULL, survey_version TEXT NOT NULL, service_point TEXT NOT NULL, question_id TEXT NOT NULL,
  option_code TEXT NOT NULL, n BIGINT NOT NULL,
  PRIMARY KEY (survey_id, survey_version, service_point, question_id, option_code));
CREATE INDEX IF NOT EXISTS responses_by_service_point ON responses(service_point);
-- An answer kept in the clear beside each response once (its age band): gone.
DROP INDEX IF EXISTS responses_by_age_band;
ALTER TABLE responses DROP COLUMN IF EXISTS age_band;
CREATE INDEX IF NOT EXISTS responses_by_device ON responses(device);
CREATE TABLE IF NOT EXISTS audit_log(
  id BIGSERIAL PRIMARY KEY, at_utc TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);
)sql";

// Sealing (kiosk/seal.hpp): the key that opens each stored document; NULL for
// a document stored plain by a hub without keys (sealed when it gets some).
const char* const kSealSchema = R"sql(
ALTER TABLE responses ADD COLUMN IF NOT EXISTS key_id TEXT;
ALTER TABLE conflicts ADD COLUMN IF NOT EXISTS key_id TEXT;
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS key_id TEXT;
)sql";

// Which schema a database is at: the fingerprint of kSchema, kTrustSchema
// and kSealSchema each hub that changed it applied (PgHubStore::init).
const char* const kSchemaVersions = R"sql(
CREATE TABLE IF NOT EXISTS hub_schema(fingerprint TEXT NOT NULL PRIMARY KEY, applied_utc TEXT NOT NULL);
)sql";

using TallyKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;
void add_marks(std::map<TallyKey, std::int64_t>& sums, const Incoming& it) {
  for (const auto& m : it.marks) ++sums[{it.survey_id, it.survey_version, it.service_point, m.question, m.option}];
}

struct PgResult {
  PGresult* r = nullptr;
  explicit PgResult(PGresult* p) : r(p) {}
  PgResult(const PgResult&) = delete;
  ~PgResult() {
    if (r) PQclear(r);
  }
  bool ok() const {
    const auto s = PQresultStatus(r);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
  }
  int rows() const { return PQntuples(r); }
  std::string get(int row, int col) const { return PQgetvalue(r, row, col); }
  std::int64_t num(int row, int col) const { return std::stoll(PQgetvalue(r, row, col)); }
};

class Conn {
 public:
  explicit Conn(PGconn* c) : c_(c) {}
  Conn(const Conn&) = delete;
  ~Conn() { PQfinish(c_); }
  PGconn* get() const { return c_; }
  // Without parameters: PQexec, which also runs scripts of several statements.
  PgResult exec(const std::string& sql, std::initializer_list<const std::string*> params = {}) {
    if (params.size() == 0) return remember(PQexec(c_, sql.c_str()));
    std::vector<const char*> values;
    for (const auto* p : params) values.push_back(p->c_str());
    return remember(
        PQexecParams(c_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  }
  Error error(const std::string& doing) const {
    std::string m = last_error_.empty() ? PQerrorMessage(c_) : last_error_;
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    // 53100 disk_full, 53200 out_of_memory... class 53: insufficient resources.
    const ErrorKind kind = last_state_ == "53100" ? ErrorKind::DiskFull : ErrorKind::Storage;
    return make_error(kind, "PostgreSQL: " + doing + ": " + m);
  }

 private:
  PgResult remember(PGresult* r) {
    const char* e = r ? PQresultErrorMessage(r) : nullptr;
    last_error_ = e ? e : "";
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    last_state_ = state ? state : "";
    return PgResult(r);
  }
  PGconn* c_;
  std::string last_error_, last_state_;
};

// A transaction on one connection: BEGIN in begin(), COMMIT in commit(),
// and ROLLBACK whenever it ends otherwise (an error returned early, or an
// exception from a callback), so a pooled connection is never handed to the
// thread's next request still inside a transaction with a cursor open.
class PgTransaction {
 public:
  explicit PgTransaction(Conn& c) : c_(c) {}
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  ~PgTransaction() {
    if (open_) (void)c_.exec("ROLLBACK");
  }
  Status begin(const std::string& doing) {
    if (!c_.exec("BEGIN").ok()) return c_.error(doing);
    open_ = true;
    return {};
  }
  Status commit(const std::string& doing) {
    open_ = false;  // a COMMIT that fails has rolled back
    if (!c_.exec("COMMIT").ok()) return c_.error(doing);
    return {};
  }

 private:
  Conn& c_;
  bool open_ = false;
};

class PgHubStore final : public HubStore {
 public:
  PgHubStore(std::string url, const Clock* clock) : url_(std::move(url)), clock_(clock ? *clock : system_clock_) {}
  std::string backend() const override { return "postgresql"; }

  Status init() {
    auto c = connection();
    if (!c) return c.error();
    Conn& conn = **c;
    // The schema this hub needs, by a fingerprint of its definition. A
    // database already at it (another hub made it, or this one before a
    // restart) gets no DDL at all: ALTER TABLE takes its lock before it
    // looks whether there is anything to do, and a lock queued behind a long
    // read (an export, an analyst's query) stalls every other hub's token
    // look-ups behind it.
    const std::string fingerprint = sha256_hex(std::string(kSchema) + kTrustSchema + kSealSchema).substr(0, 32);
    const char* const kAtSchema = "SELECT 1 FROM hub_schema WHERE fingerprint = $1";
    if (auto r = conn.exec(kAtSchema, {&fingerprint}); r.ok() && r.rows() == 1) return {};
    // Otherwise by one hub at a time, in one transaction, each lock waited
    // for at most a few seconds: a start that would wait longer fails,
    // saying why, rather than freeze the hubs already running.
    if (!conn.exec("SELECT pg_advisory_lock(727001)").ok()) return conn.error("waiting to change the schema");
    struct Unlock {  // after the transaction has ended (declared before it)
      Conn& conn;
      ~Unlock() { (void)conn.exec("SELECT pg_advisory_unlock(727001)"); }
    } unlock{conn};
    PgTransaction tx(conn);
    if (auto st = tx.begin("changing the schema"); !st) return st;
    if (!conn.exec("SET LOCAL lock_timeout = '3s'").ok() || !conn.exec(kSchemaVersions).ok())
      return conn.error("changing the schema");
    if (auto r = conn.exec(kAtSchema, {&fingerprint}); r.ok() && r.rows() == 1)
      return tx.commit("changing the schema");  // another hub did it while this one waited
    const std::string now = format_utc(clock_.now());
    for (const char* part : {kSchema, kTrustSchema, kSealSchema}) {
      auto r = conn.exec(part);
      if (r.ok()) continue;
      const char* state = PQresultErrorField(r.r, PG_DIAG_SQLSTATE);
      if (state && std::string(state) == "55P03")  // lock_not_available
        return make_error(ErrorKind::Storage,
                          "PostgreSQL: changing the schema: another session holds the hub's tables (a long "
                          "export or query?) and this hub will not queue behind it, which would stall the "
                          "hubs already running; start it again when that ends");
      return conn.error("changing the schema");
    }
    if (!conn.exec("INSERT INTO hub_schema(fingerprint, applied_utc) VALUES($1, $2) ON CONFLICT DO NOTHING",
                   {&fingerprint, &now})
             .ok())
      return conn.error("recording the schema");
    return tx.commit("recording the schema");
  }

  Result<std::string> add_principal(const std::string& name, const std::string& role) override {
    if (auto st = check_role(role); !st) return st.error();
    auto c = connection();
    if (!c) return c.error();
    const std::string token = new_token(), hash = sha256_hex(token), now = format_utc(clock_.now());
    auto r = (*c)->exec("INSERT INTO principals(name, role, token_hash, created_utc) VALUES($1,$2,$3,$4)",
                        {&name, &role, &hash, &now});
    if (!r.ok()) {
      const char* state = PQresultErrorField(r.r, PG_DIAG_SQLSTATE);
      if (state && std::string(state) == "23505")  // unique_violation
        return make_error(ErrorKind::Validation, "a device or admin named \"" + name + "\" already exists");
      return (*c)->error("adding " + name);
    }
    return token;
  }

  Result<std::optional<Principal>> authenticate(const std::string& token) override {
    auto c = connection();
    if (!c) return c.error();
    const std::string hash = sha256_hex(token);
    auto r = (*c)->exec(
        "SELECT name, role, revoked_utc IS NOT NULL, coalesce(service_point,'') FROM principals WHERE token_hash=$1",
        {&hash});
    if (!r.ok()) return (*c)->error("checking a token");
    if (r.rows() == 0) return std::optional<Principal>{};
    return std::optional<Principal>{Principal{r.get(0, 0), r.get(0, 1), r.get(0, 2) == "t", r.get(0, 3)}};
  }

  Status set_service_point(const std::string& kiosk, const std::string& service_point) override {
    auto c = connection();
    if (!c) return c.error();
    auto r =
        (*c)->exec("UPDATE principals SET service_point=$2 WHERE name=$1 AND role='kiosk'", {&kiosk, &service_point});
    if (!r.ok()) return (*c)->error("registering " + kiosk + "'s service point");
    if (std::string(PQcmdTuples(r.r)) == "0")
      return make_error(ErrorKind::NotFound, "there is no kiosk named \"" + kiosk + "\"");
    return {};
  }

  // Three round trips a batch, however large: one multi-row insert that
  // returns what it stored, one look-up of the rest, and the commit.
  Result<std::vector<ItemResult>> ingest(const std::string& device, const std::vector<Incoming>& items) override {
    auto c = connection();
    if (!c) return c.error();
    Conn& conn = **c;
    const std::string now = format_utc(clock_.now());
    std::vector<ItemResult> out(items.size());
    for (size_t i = 0; i < items.size(); ++i) out[i].uuid = items[i].uuid;
    if (items.empty()) return out;
    PgTransaction tx(conn);
    if (auto st = tx.begin("starting a transaction"); !st) return st.error();
    auto fail = [&](const std::string& doing) { return conn.error(doing); };
    // A batch may carry the same UUID twice: insert each UUID once.
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < items.size(); ++i) first.emplace(items[i].uuid, i);
    // Rows go in in UUID order, so two hubs storing overlapping batches take
    // the same row locks in the same order and never deadlock; and in
    // statements of at most kRows rows, as PostgreSQL takes at most 65,535
    // parameters in one (a batch of 5,000 is 70,000).
    constexpr int kCols = 13;
    constexpr size_t kRows = 1000;
    std::map<std::string, std::string> stored;
    for (auto from = first.begin(); from != first.end();) {
      std::string sql =
          "INSERT INTO responses(uuid, content_hash, device, kiosk_id, service_point, survey_id, survey_version, "
          "completed_utc, received_utc, document, kiosk_seq, status, key_id) VALUES ";
      std::vector<const char*> values;
      // libpq takes text parameters: the numbers live here while the query runs (NULL: no number).
      std::vector<std::string> seqs;
      seqs.reserve(kRows);
      int n = 0;
      for (; from != first.end() && static_cast<size_t>(n) < kRows; ++from) {
        const auto& it = items[from->second];
        sql += n ? ",(" : "(";
        for (int k = 1; k <= kCols; ++k)
          sql += (k == kCols ? "NULLIF($" : "$") + std::to_string(n * kCols + k) + (k == 11 ? "::bigint" : "") +
                 (k == kCols ? ",'')" : "") + (k < kCols ? "," : ")");
        for (const std::string* v : {&it.uuid, &it.content_hash, &device, &it.kiosk_id, &it.service_point,
                                     &it.survey_id, &it.survey_version, &it.completed_utc, &now, &it.document})
          values.push_back(v->c_str());
        seqs.push_back(std::to_string(it.seq));
        values.push_back(it.seq > 0 ? seqs.back().c_str() : nullptr);
        values.push_back(it.status.c_str());
        values.push_back(it.key_id.c_str());
        ++n;
      }
      sql += " ON CONFLICT (uuid) DO NOTHING RETURNING uuid, seq";
      PgResult ins(PQexecParams(conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                nullptr, nullptr, 0));
      if (!ins.ok()) return fail("storing a batch");
      for (int r = 0; r < ins.rows(); ++r) stored[ins.get(r, 0)] = ins.get(r, 1);
    }
    // The ledger's tallies, in the same transaction: one upsert per kiosk and block touched.
    std::map<std::pair<std::string, std::int64_t>, std::int64_t> tallies;
    for (const auto& [uuid, i] : first)
      if (stored.count(uuid) && items[i].seq > 0) ++tallies[{items[i].kiosk_id, items[i].seq / kLedgerBlock}];
    for (const auto& [key, count] : tallies) {
      const std::string block = std::to_string(key.second), added = std::to_string(count);
      auto t = conn.exec(
          "INSERT INTO ledger_blocks(kiosk_id, block, received) VALUES($1,$2::bigint,$3::bigint) "
          "ON CONFLICT (kiosk_id, block) DO UPDATE SET received = ledger_blocks.received + excluded.received",
          {&key.first, &block, &added});
      if (!t.ok()) return fail("counting for the ledger");
    }
    std::map<TallyKey, std::int64_t> sums;
    for (const auto& [uuid, i] : first)
      if (stored.count(uuid)) add_marks(sums, items[i]);
    if (auto st = write_tallies(conn, sums); !st) return st.error();
    // What was not inserted is already held: a duplicate or a conflict.
    std::string missing = "{";
    for (const auto& [uuid, i] : first)
      if (!stored.count(uuid)) missing += (missing.size() > 1 ? "," : "") + uuid;
    missing += "}";
    std::map<std::string, std::pair<std::string, std::string>> held;  // uuid -> (seq, hash)
    if (missing.size() > 2) {
      auto sel = conn.exec("SELECT uuid, seq, content_hash FROM responses WHERE uuid = ANY($1::text[])", {&missing});
      if (!sel.ok()) return fail("reading held responses");
      for (int r = 0; r < sel.rows(); ++r) held[sel.get(r, 0)] = {sel.get(r, 1), sel.get(r, 2)};
    }
    for (size_t i = 0; i < items.size(); ++i) {
      const auto& it = items[i];
      ItemResult& res = out[i];
      if (auto s = stored.find(it.uuid); s != stored.end() && first[it.uuid] == i) {
        res.status = ItemResult::Status::Stored;
        res.receipt = "pg:" + s->second;
        continue;
      }
      std::string seq, hash;
      if (auto s = stored.find(it.uuid); s != stored.end()) {
        seq = s->second;
        hash = items[first[it.uuid]].content_hash;
      } else if (auto h = held.find(it.uuid); h != held.end()) {
        seq = h->second.first;
        hash = h->second.second;
      } else {
        return fail("classifying " + it.uuid);
      }
      if (hash == it.content_hash) {
        res.status = ItemResult::Status::Duplicate;
        res.receipt = "pg:" + seq;
      } else {
        res.status = ItemResult::Status::Conflict;
        res.detail = "the hub already holds a different response with this UUID; this one is kept aside for an admin";
        auto cf = conn.exec(
            "INSERT INTO conflicts(uuid, content_hash, device, received_utc, document, key_id) "
            "VALUES($1,$2,$3,$4,$5,NULLIF($6,'')) ON CONFLICT (uuid, content_hash) DO NOTHING",
            {&it.uuid, &it.content_hash, &device, &now, &it.document, &it.key_id});
        if (!cf.ok()) return fail("keeping a conflict aside");
      }
    }
    // synchronous_commit is on: COMMIT returns once the WAL is flushed.
    if (auto st = tx.commit("committing"); !st) return st.error();
    return out;
  }

  Status heartbeat(const std::string& device, const Heartbeat& hb, const std::string& now) override {
    auto c = connection();
    if (!c) return c.error();
    const std::string pending = std::to_string(hb.pending), age = std::to_string(hb.oldest_pending_age_seconds),
                      disk = std::to_string(hb.free_disk_bytes), highest = std::to_string(hb.highest_seq),
                      offset = hb.clock_offset_seconds ? std::to_string(*hb.clock_offset_seconds) : "";
    // As on SQLite: highest_seq only rises; its time is when it last rose.
    // -1 and "" stand for "not sent" (older kiosk software).
    auto r = (*c)->exec(
        "INSERT INTO devices(name, last_seen_utc, service_point, app_version, pending, oldest_pending_age_seconds, "
        "free_disk_bytes, last_error, highest_seq, highest_seq_utc, clock_offset_seconds) "
        "VALUES($1,$2,$3,$4,$5,$6,$7,$8,NULLIF($9::bigint,-1),CASE WHEN $9::bigint >= 0 THEN $2 END,"
        "NULLIF($10,'')::bigint) ON CONFLICT (name) DO UPDATE SET "
        "last_seen_utc=excluded.last_seen_utc, service_point=excluded.service_point, app_version=excluded.app_version, "
        "pending=excluded.pending, oldest_pending_age_seconds=excluded.oldest_pending_age_seconds, "
        "free_disk_bytes=excluded.free_disk_bytes, last_error=excluded.last_error, "
        "highest_seq_utc=CASE WHEN excluded.highest_seq > coalesce(devices.highest_seq, -1) THEN "
        "excluded.last_seen_utc "
        "ELSE devices.highest_seq_utc END, "
        "highest_seq=GREATEST(devices.highest_seq, excluded.highest_seq), "
        "clock_offset_seconds=coalesce(excluded.clock_offset_seconds, devices.clock_offset_seconds)",
        {&device, &now, &hb.service_point, &hb.app_version, &pending, &age, &disk, &hb.last_error, &highest, &offset});
    if (!r.ok()) return (*c)->error("recording a heartbeat");
    return {};
  }

  Result<std::vector<DeviceRow>> devices() override {
    auto c = connection();
    if (!c) return c.error();
    auto r = (*c)->exec(
        "SELECT p.name, p.role, p.created_utc, coalesce(d.last_seen_utc,''), coalesce(d.service_point,''), "
        "coalesce(d.app_version,''), coalesce(d.last_error,''), coalesce(d.pending,0), "
        "coalesce(d.oldest_pending_age_seconds,0), coalesce(d.free_disk_bytes,-1), "
        "(SELECT count(*) FROM responses r WHERE r.device=p.name) "
        "FROM principals p LEFT JOIN devices d ON d.name=p.name WHERE p.role='kiosk' ORDER BY p.name");
    if (!r.ok()) return (*c)->error("listing devices");
    std::vector<DeviceRow> out;
    for (int i = 0; i < r.rows(); ++i) {
      DeviceRow d;
      d.name = r.get(i, 0);
      d.role = r.get(i, 1);
      d.created_utc = r.get(i, 2);
      d.last_seen_utc = r.get(i, 3);
      d.service_point = r.get(i, 4);
      d.app_version = r.get(i, 5);
      d.last_error = r.get(i, 6);
      d.pending = r.num(i, 7);
      d.oldest_pending_age_seconds = r.num(i, 8);
      d.free_disk_bytes = r.num(i, 9);
      d.responses = r.num(i, 10);
      out.push_back(std::move(d));
    }
    return out;
  }

  Status for_each_document(const std::function<bool(const StoredDocument&)>& fn) override {
    return each_row("SELECT coalesce(key_id,''), document FROM responses ORDER BY completed_utc, uuid",
                    [&](const PgResult& r, int i) {
                      return fn(StoredDocument{r.get(i, 0), r.get(i, 1)});
                    });
  }

  Status for_each_document_after(std::int64_t after, const std::vector<std::int64_t>* only, const NumberedDocument& fn,
                                 bool by_completion) override {
    // Numbers only, written into the statement: nothing a client sent.
    std::string sql = "SELECT seq, coalesce(key_id,''), document FROM responses WHERE seq > " + std::to_string(after);
    if (only) {
      sql += " AND seq = ANY('{";
      for (size_t i = 0; i < only->size(); ++i) sql += (i ? "," : "") + std::to_string((*only)[i]);
      sql += "}'::bigint[])";
    }
    return each_row(sql + (by_completion ? " ORDER BY completed_utc, uuid" : " ORDER BY seq"),
                    [&](const PgResult& r, int i) {
                      return fn(r.num(i, 0), StoredDocument{r.get(i, 1), r.get(i, 2)});
                    });
  }

  Result<std::vector<std::int64_t>> document_numbers() override {
    std::vector<std::int64_t> out;
    auto st = each_row("SELECT seq FROM responses ORDER BY seq", [&](const PgResult& r, int i) {
      out.push_back(r.num(i, 0));
      return true;
    });
    if (!st) return st.error();
    return out;
  }

  // Each row of a SELECT, through a cursor, so memory stays flat however
  // large the dataset; stop early by returning false.
  Status each_row(const std::string& select, const std::function<bool(const PgResult&, int)>& fn) {
    auto c = connection();
    if (!c) return c.error();
    // fn may throw (a client's write, memory): the transaction and its
    // cursor end with it.
    PgTransaction tx(**c);
    if (auto st = tx.begin("starting an export"); !st) return st;
    if (!(*c)->exec("DECLARE docs NO SCROLL CURSOR FOR " + select).ok()) return (*c)->error("starting an export");
    for (;;) {
      auto r = (*c)->exec("FETCH 2000 FROM docs");
      if (!r.ok()) return (*c)->error("exporting");
      bool more = r.rows() > 0;
      for (int i = 0; i < r.rows() && more; ++i) more = fn(r, i);
      if (!more) break;
    }
    return tx.commit("ending an export");
  }

  Result<std::int64_t> response_count() override { return scalar("SELECT count(*) FROM responses"); }
  Result<std::int64_t> conflict_count() override { return scalar("SELECT count(*) FROM conflicts"); }

  // /healthz: its own connection, made and asked within one second, so a
  // database that does not answer (paused, cut off) is reported as down
  // then, not waited for; a connection that missed the deadline is dropped.
  void set_health_deadline(std::chrono::milliseconds d) override { health_deadline_ = d; }

  Status ping() override {
    using namespace std::chrono;
    const auto deadline = steady_clock::now() + health_deadline_.load();
    char secs[32];
    std::snprintf(secs, sizeof secs, "%g", duration<double>(health_deadline_.load()).count());
    const std::string within = std::string("no answer within ") + secs + " s";
    std::unique_lock lock(ping_mutex_, std::defer_lock);
    if (!lock.try_lock_until(deadline)) return make_error(ErrorKind::Storage, "PostgreSQL: " + within);
    auto wait_for = [&](PGconn* c, bool write) {
      const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd p{PQsocket(c), static_cast<short>(write ? POLLOUT : POLLIN), 0};
      return ::poll(&p, 1, static_cast<int>(left)) == 1;
    };
    auto fail = [&](const std::string& why) -> Status {
      ping_conn_.reset();
      return make_error(ErrorKind::Storage, "PostgreSQL: " + why);
    };
    if (!ping_conn_ || PQstatus(ping_conn_->get()) != CONNECTION_OK) {
      ping_conn_ = std::make_unique<Conn>(start_connecting(false));
      PGconn* c = ping_conn_->get();
      if (!c || PQstatus(c) == CONNECTION_BAD) return fail("cannot connect");
      for (auto st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK;) {
        if (st == PGRES_POLLING_FAILED) return fail(std::string("cannot connect: ") + PQerrorMessage(c));
        if (!wait_for(c, st == PGRES_POLLING_WRITING)) return fail(within + " (connecting)");
        st = PQconnectPoll(c);
      }
    }
    PGconn* c = ping_conn_->get();
    if (!PQsendQuery(c, "SELECT 1")) return fail(std::string("asking: ") + PQerrorMessage(c));
    while (PQflush(c) == 1)
      if (!wait_for(c, true)) return fail(within);
    bool ok = true;
    for (;;) {
      while (PQisBusy(c)) {
        if (!wait_for(c, false)) return fail(within);
        if (!PQconsumeInput(c)) return fail(std::string("reading: ") + PQerrorMessage(c));
      }
      PGresult* r = PQgetResult(c);
      if (!r) break;
      ok = ok && PQresultStatus(r) == PGRES_TUPLES_OK;
      PQclear(r);
    }
    if (!ok) return fail("SELECT 1 failed");
    return {};
  }

  // ---- Operators and the ledger ----

  Status revoke_principal(const std::string& name, const std::string& role) override {
    auto c = connection();
    if (!c) return c.error();
    const std::string now = format_utc(clock_.now());
    auto r = (*c)->exec("UPDATE principals SET revoked_utc=coalesce(revoked_utc, $3) WHERE name=$1 AND role=$2",
                        {&name, &role, &now});
    if (!r.ok()) return (*c)->error("revoking " + name);
    if (std::string(PQcmdTuples(r.r)) == "0")
      return make_error(ErrorKind::NotFound, "there is no " + role + " named \"" + name + "\"");
    return {};
  }

  Result<std::vector<PrincipalRow>> principals() override {
    auto c = connection();
    if (!c) return c.error();
    auto r = (*c)->exec(
        "SELECT p.name, p.role, p.created_utc, coalesce(d.last_seen_utc,''), coalesce(p.revoked_utc,'') "
        "FROM principals p LEFT JOIN devices d ON d.name=p.name ORDER BY p.role DESC, p.name");
    if (!r.ok()) return (*c)->error("listing devices");
    std::vector<PrincipalRow> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.get(i, 0), r.get(i, 1), r.get(i, 2), r.get(i, 3), r.get(i, 4)});
    return out;
  }

  Result<std::vector<LedgerRow>> ledger() override {
    auto c = connection();
    if (!c) return c.error();
    Conn& conn = **c;
    auto k = conn.exec(
        "SELECT p.name, coalesce(d.highest_seq,-1), coalesce(d.highest_seq_utc,''), coalesce(d.last_seen_utc,''), "
        "coalesce(d.clock_offset_seconds::text,''), "
        "(SELECT coalesce(max(kiosk_seq),0) FROM responses r WHERE r.kiosk_id=p.name AND r.kiosk_seq > 0) "
        "FROM principals p LEFT JOIN devices d ON d.name=p.name WHERE p.role='kiosk' ORDER BY p.name");
    if (!k.ok()) return conn.error("reading the ledger");
    std::vector<LedgerRow> out;
    for (int i = 0; i < k.rows(); ++i) {
      LedgerRow row;
      row.kiosk = k.get(i, 0);
      const std::int64_t highest = k.num(i, 1);
      const std::string highest_utc = k.get(i, 2);
      row.last_heartbeat_utc = k.get(i, 3);
      if (!k.get(i, 4).empty()) row.clock_offset_seconds = k.num(i, 4);
      const std::int64_t max_seq = k.num(i, 5);
      auto b = conn.exec("SELECT block, received FROM ledger_blocks WHERE kiosk_id=$1", {&row.kiosk});
      if (!b.ok()) return conn.error("reading the ledger");
      std::vector<std::pair<std::int64_t, std::int64_t>> tallies;
      for (int j = 0; j < b.rows(); ++j) tallies.emplace_back(b.num(j, 0), b.num(j, 1));
      // Seeks in the (kiosk_id, kiosk_seq) index, at most kLedgerBlock entries.
      auto scan = [&](std::int64_t first, std::int64_t last, size_t limit, SeqRanges& missing) -> Result<std::int64_t> {
        const std::string a = std::to_string(first), z = std::to_string(last), lim = std::to_string(limit);
        auto n = conn.exec(
            "SELECT count(DISTINCT kiosk_seq) FROM responses WHERE kiosk_id=$1 AND kiosk_seq BETWEEN $2::bigint AND "
            "$3::bigint",
            {&row.kiosk, &a, &z});
        if (!n.ok()) return conn.error("reading the ledger");
        // Gaps between received numbers, with sentinels just outside the range for its ends.
        auto g = conn.exec(
            "SELECT s + 1, nxt - 1 FROM (SELECT s, lead(s, 1, $3::bigint + 1) OVER (ORDER BY s) AS nxt FROM "
            "(SELECT $2::bigint - 1 AS s UNION ALL SELECT kiosk_seq FROM responses WHERE kiosk_id=$1 AND kiosk_seq "
            "BETWEEN $2::bigint AND $3::bigint) u) w WHERE nxt > s + 1 ORDER BY s LIMIT $4::bigint",
            {&row.kiosk, &a, &z, &lim});
        if (!g.ok()) return conn.error("listing missing numbers");
        for (int j = 0; j < g.rows(); ++j) missing.emplace_back(g.num(j, 0), g.num(j, 1));
        return n.num(0, 0);
      };
      if (auto st = fill_ledger_row(row, highest, max_seq, std::move(tallies), scan); !st) return st.error();
      if (row.oldest_missing) {
        const std::string after = std::to_string(row.oldest_missing);
        auto s = conn.exec(
            "SELECT received_utc FROM responses WHERE kiosk_id=$1 AND kiosk_seq > $2::bigint ORDER BY kiosk_seq "
            "LIMIT 1",
            {&row.kiosk, &after});
        if (!s.ok()) return conn.error("reading the ledger");
        row.missing_since_utc = s.rows() ? s.get(0, 0) : highest_utc;
      }
      out.push_back(std::move(row));
    }
    return out;
  }

  // ---- Trust ----

  Status register_survey(const std::string& survey_id, const std::string& version, const std::string& definition,
                         const std::string& now) override {
    auto c = connection();
    if (!c) return c.error();
    auto r = (*c)->exec(
        "INSERT INTO survey_versions(survey_id, version, definition, registered_utc) VALUES($1,$2,$3,$4) "
        "ON CONFLICT (survey_id, version) DO NOTHING",
        {&survey_id, &version, &definition, &now});
    if (!r.ok()) return (*c)->error("registering a survey version");
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
    auto r =
        (*c)->exec("SELECT definition FROM survey_versions WHERE survey_id=$1 AND version=$2", {&survey_id, &version});
    if (!r.ok()) return (*c)->error("reading a survey version");
    if (r.rows() == 0) return std::optional<std::string>{};
    return std::optional<std::string>{r.get(0, 0)};
  }

  Status quarantine(const std::string& device, const std::vector<QuarantineItem>& items) override {
    if (items.empty()) return {};
    auto c = connection();
    if (!c) return c.error();
    const std::string now = format_utc(clock_.now());
    std::string sql =
        "INSERT INTO quarantine(device, received_utc, uuid, reason, document, document_bytes, key_id) VALUES ";
    std::vector<std::string> sizes;
    sizes.reserve(items.size());
    std::vector<const char*> values;
    for (size_t i = 0; i < items.size(); ++i) {
      sql += i ? ",(" : "(";
      for (size_t k = 1; k <= 6; ++k) sql += "$" + std::to_string(i * 7 + k) + ",";
      sql += "NULLIF($" + std::to_string(i * 7 + 7) + ",''))";
      sizes.push_back(std::to_string(items[i].document_bytes));
      for (const std::string* v : std::initializer_list<const std::string*>{
               &device, &now, &items[i].uuid, &items[i].reason, &items[i].document, &sizes.back(), &items[i].key_id})
        values.push_back(v->c_str());
    }
    PgResult r(PQexecParams((*c)->get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                            nullptr, 0));
    if (!r.ok()) return (*c)->error("keeping refused documents in the quarantine");
    return {};
  }

  Result<std::int64_t> quarantine_count() override { return scalar("SELECT count(*) FROM quarantine"); }

  Status audit(const std::string& actor, const std::string& action, const std::string& detail) override {
    auto c = connection();
    if (!c) return c.error();
    const std::string now = format_utc(clock_.now());
    auto r = (*c)->exec("INSERT INTO audit_log(at_utc, actor, action, detail) VALUES($1,$2,$3,$4)",
                        {&now, &actor, &action, &detail});
    if (!r.ok()) return (*c)->error("writing the audit log");
    return {};
  }

  Result<std::vector<AuditRow>> audit_log(int limit) override {
    auto c = connection();
    if (!c) return c.error();
    const std::string n = std::to_string(limit);
    auto r = (*c)->exec("SELECT at_utc, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT $1::bigint", {&n});
    if (!r.ok()) return (*c)->error("reading the audit log");
    std::vector<AuditRow> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.get(i, 0), r.get(i, 1), r.get(i, 2), r.get(i, 3)});
    return out;
  }

  Result<std::vector<QuarantineRow>> quarantine_latest(int limit) override {
    auto c = connection();
    if (!c) return c.error();
    const std::string n = std::to_string(limit);
    auto r = (*c)->exec(
        "SELECT device, received_utc, uuid, reason, document, document_bytes, coalesce(key_id,'') FROM quarantine "
        "ORDER BY id DESC LIMIT $1::bigint",
        {&n});
    if (!r.ok()) return (*c)->error("reading the quarantine");
    std::vector<QuarantineRow> out;
    for (int i = 0; i < r.rows(); ++i)
      out.push_back({r.get(i, 0), r.get(i, 1), r.get(i, 2), r.get(i, 3), r.get(i, 4), r.get(i, 6), r.num(i, 5)});
    return out;
  }

  Result<std::vector<AnswerTally>> answer_tallies(const std::string& survey_id) override {
    auto c = connection();
    if (!c) return c.error();
    auto r = (*c)->exec(
        "SELECT survey_version, service_point, question_id, option_code, n FROM answer_tallies WHERE survey_id=$1",
        {&survey_id});
    if (!r.ok()) return (*c)->error("reading the tallies");
    std::vector<AnswerTally> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.get(i, 0), r.get(i, 1), r.get(i, 2), r.get(i, 3), r.num(i, 4)});
    return out;
  }

  Status fill_answer_tallies_if_empty(const MarksOf& marks_of) override {
    auto c = connection();
    if (!c) return c.error();
    Conn& conn = **c;
    // One hub process fills them; another starting beside it waits, then finds them filled.
    PgTransaction tx(conn);
    if (auto st = tx.begin("starting a transaction"); !st) return st;
    auto fail = [&](const std::string& doing) { return conn.error(doing); };
    if (!conn.exec("SELECT pg_advisory_xact_lock(727002)").ok()) return fail("locking the tallies");
    auto have = conn.exec("SELECT (SELECT count(*) FROM answer_tallies), (SELECT count(*) FROM responses)");
    if (!have.ok()) return fail("counting the tallies");
    if (have.num(0, 0) > 0 || have.num(0, 1) == 0) return tx.commit("counting the tallies");
    if (!conn.exec("DECLARE tally_docs NO SCROLL CURSOR FOR SELECT coalesce(key_id,''), document FROM responses").ok())
      return fail("reading the documents");
    std::map<TallyKey, std::int64_t> sums;
    for (;;) {
      auto r = conn.exec("FETCH 2000 FROM tally_docs");
      if (!r.ok()) return fail("reading the documents");
      if (r.rows() == 0) break;
      for (int i = 0; i < r.rows(); ++i)
        if (auto in = marks_of(StoredDocument{r.get(i, 0), r.get(i, 1)})) add_marks(sums, *in);
    }
    if (!conn.exec("CLOSE tally_docs").ok()) return fail("reading the documents");
    if (auto st = write_tallies(conn, sums); !st) return st;
    return tx.commit("committing the tallies");
  }

  Result<std::int64_t> seal_plain_documents(const SealPlain& seal, const std::string& key_id) override {
    auto c = connection();
    if (!c) return c.error();
    Conn& conn = **c;
    PgTransaction tx(conn);
    if (auto st = tx.begin("starting a transaction"); !st) return st.error();
    auto fail = [&](const std::string& doing) { return conn.error(doing); };
    // One hub process seals; another starting beside it waits, then finds nothing plain.
    if (!conn.exec("SELECT pg_advisory_xact_lock(727003)").ok()) return fail("locking for sealing");
    // Nothing plain (every start but the first with keys): no DDL below, so
    // no lock on the tables that could queue behind another session's read.
    auto plain = conn.exec(
        "SELECT EXISTS(SELECT 1 FROM responses WHERE key_id IS NULL) OR EXISTS(SELECT 1 FROM conflicts WHERE key_id "
        "IS NULL) OR EXISTS(SELECT 1 FROM quarantine WHERE key_id IS NULL)");
    if (!plain.ok()) return fail("looking for plain documents");
    if (plain.get(0, 0) != "t") {
      if (auto st = tx.commit("looking for plain documents"); !st) return st.error();
      return std::int64_t{0};
    }
    // Stored responses are frozen against updates; sealing one in place
    // changes its form, not its content, so the trigger steps aside for this
    // transaction alone (DDL is transactional in PostgreSQL).
    if (!conn.exec("ALTER TABLE responses DISABLE TRIGGER hub_responses_are_frozen").ok())
      return fail("sealing stored documents");
    std::int64_t sealed = 0;
    for (const std::string table : {"responses", "conflicts", "quarantine"}) {
      const std::string id = table == "responses" ? "seq" : "id";
      auto rows = conn.exec("SELECT " + id + ", document FROM " + table + " WHERE key_id IS NULL");
      if (!rows.ok()) return fail("reading plain documents");
      for (int i = 0; i < rows.rows(); ++i) {
        const std::string rowid = rows.get(i, 0), sealed_text = seal(rows.get(i, 1));
        auto up = conn.exec("UPDATE " + table + " SET document=$1, key_id=$2 WHERE " + id + "=$3::bigint",
                            {&sealed_text, &key_id, &rowid});
        if (!up.ok()) return fail("sealing stored documents");
        ++sealed;
      }
    }
    if (!conn.exec("ALTER TABLE responses ENABLE TRIGGER hub_responses_are_frozen").ok())
      return fail("sealing stored documents");
    if (auto st = tx.commit("committing the sealed documents"); !st) return st.error();
    // The old row versions hold the plain text until the tables are rewritten.
    // Once, and as long as it takes: no statement timeout for this (VACUUM
    // runs alone, outside any transaction, so the setting is its own statement).
    if (sealed > 0) {
      (void)conn.exec("SET statement_timeout = 0");
      for (const char* table : {"responses", "conflicts", "quarantine"})
        if (!conn.exec(std::string("VACUUM FULL ") + table).ok()) return conn.error("rewriting " + std::string(table));
      (void)conn.exec("RESET statement_timeout");
    }
    return sealed;
  }

 private:
  // What every connection is made with, unless the URL says otherwise (the
  // URL's own settings win: they come after these): a connection attempt
  // gives up after 5 s, a statement waiting for a lock after 10 s (rather
  // than queueing others behind it), any statement after 10 minutes, and a
  // transaction left idle (a hub stopped mid-way) after 2 minutes.
  PGconn* start_connecting(bool wait) const {
    const char* keys[] = {"connect_timeout", "options", "dbname", nullptr};
    const char* values[] = {"5",
                            "-c lock_timeout=10s -c statement_timeout=10min "
                            "-c idle_in_transaction_session_timeout=2min -c synchronous_commit=on",
                            url_.c_str(), nullptr};
    return wait ? PQconnectdbParams(keys, values, 1) : PQconnectStartParams(keys, values, 1);
  }

  // This thread's connection, made when it has none (or its last broke).
  // Made outside the pool's lock: a database slow to answer delays only the
  // thread that asked, never every other thread's look-up of its own.
  Result<Conn*> connection() {
    const auto me = std::this_thread::get_id();
    {
      std::lock_guard lock(mutex_);
      auto it = pool_.find(me);
      if (it != pool_.end() && it->second && PQstatus(it->second->get()) == CONNECTION_OK) return it->second.get();
    }
    auto c = std::make_unique<Conn>(start_connecting(true));
    if (PQstatus(c->get()) != CONNECTION_OK) return c->error("connecting");
    // Server notices ("relation already exists, skipping") are not errors: keep the log readable.
    PQsetNoticeProcessor(
        c->get(), [](void*, const char*) {}, nullptr);
    std::lock_guard lock(mutex_);
    auto& slot = pool_[me];
    slot = std::move(c);
    return slot.get();
  }
  // One multi-row upsert per 1,000 rows; rows are sorted (std::map), so two
  // hub processes adding to the same rows lock them in the same order.
  static Status write_tallies(Conn& conn, const std::map<TallyKey, std::int64_t>& sums) {
    auto it = sums.begin();
    while (it != sums.end()) {
      std::string sql =
          "INSERT INTO answer_tallies(survey_id, survey_version, service_point, question_id, option_code, n) VALUES ";
      std::vector<std::string> counts;
      counts.reserve(1000);
      std::vector<const char*> values;
      for (size_t i = 0; it != sums.end() && i < 1000; ++it, ++i) {
        sql += i ? ",(" : "(";
        for (size_t k = 1; k <= 6; ++k) sql += "$" + std::to_string(i * 6 + k) + (k < 6 ? "," : "::bigint)");
        counts.push_back(std::to_string(it->second));
        for (const std::string* v : std::initializer_list<const std::string*>{
                 &std::get<0>(it->first), &std::get<1>(it->first), &std::get<2>(it->first), &std::get<3>(it->first),
                 &std::get<4>(it->first), &counts.back()})
          values.push_back(v->c_str());
      }
      sql +=
          " ON CONFLICT (survey_id, survey_version, service_point, question_id, option_code) DO UPDATE SET n = "
          "answer_tallies.n + excluded.n";
      PgResult r(PQexecParams(conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                              nullptr, 0));
      if (!r.ok()) return conn.error("adding to the tallies");
    }
    return {};
  }
  Result<std::int64_t> scalar(const char* sql) {
    auto c = connection();
    if (!c) return c.error();
    auto r = (*c)->exec(sql);
    if (!r.ok() || r.rows() != 1) return (*c)->error("counting");
    return r.num(0, 0);
  }

  std::string url_;
  SystemClock system_clock_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::thread::id, std::unique_ptr<Conn>> pool_;
  std::atomic<std::chrono::milliseconds> health_deadline_{std::chrono::seconds(1)};
  std::timed_mutex ping_mutex_;
  std::unique_ptr<Conn> ping_conn_;
};

}  // namespace

Result<std::unique_ptr<HubStore>> open_pg_hub_store(const std::string& url, const Clock* clock) {
  if (auto st = crypto_init(); !st) return st.error();
  auto s = std::make_unique<PgHubStore>(url, clock);
  if (auto st = s->init(); !st) return st.error();
  return std::unique_ptr<HubStore>(std::move(s));
}

}  // namespace kiosk::hub
