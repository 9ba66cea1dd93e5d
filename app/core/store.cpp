// Response store.
//
// Sections: 1. schema and migrations  2. opening  3. the session's writes
//           4. sync state and retention  5. counts, verify, backup
#include "kiosk/store.hpp"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "kiosk/clock.hpp"
#include "kiosk/crypto.hpp"

namespace kiosk {

using db::Statement;
using db::Transaction;
using nlohmann::json;

// ---- 1. Schema and migrations ---------------------------------------------

namespace {

// Each entry moves the schema from version i to i+1. Never edit a shipped
// entry; add a new one.
const char* const kMigrations[] = {
    // 0 -> 1
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE responses(
  id             INTEGER PRIMARY KEY,
  uuid           TEXT NOT NULL UNIQUE,
  survey_id      TEXT NOT NULL,
  survey_version TEXT NOT NULL,
  kiosk_id       TEXT NOT NULL,
  service_point  TEXT NOT NULL,
  locale         TEXT NOT NULL,
  mode           TEXT NOT NULL CHECK (mode IN ('self', 'assisted')),
  staff_id       TEXT NOT NULL DEFAULT '',
  assistance     TEXT NOT NULL DEFAULT '[]',
  accessibility  TEXT NOT NULL DEFAULT '{}',
  started_utc    TEXT NOT NULL,
  ended_utc      TEXT,
  status         TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'abandoned')),
  abandon_reason TEXT,
  canonical      TEXT,
  content_hash   TEXT,
  sync_state     TEXT NOT NULL DEFAULT 'none' CHECK (sync_state IN ('none', 'pending', 'synced', 'conflict')),
  receipt        TEXT,
  synced_utc     TEXT,
  sync_detail    TEXT,
  CHECK (status <> 'completed' OR (canonical IS NOT NULL AND content_hash IS NOT NULL AND ended_utc IS NOT NULL))
);
CREATE INDEX responses_by_sync ON responses(sync_state, id);
CREATE INDEX responses_by_status ON responses(status);
CREATE TABLE answers(
  response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  choices     TEXT NOT NULL DEFAULT '',
  text        TEXT NOT NULL DEFAULT '',
  other       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (response_id, question_id)
) WITHOUT ROWID;

-- A completed response is frozen: its content never changes, it never goes
-- back to another status, and its answers cannot be touched.
CREATE TRIGGER completed_is_frozen BEFORE UPDATE OF uuid, survey_id, survey_version, kiosk_id, service_point,
  locale, mode, staff_id, assistance, accessibility, started_utc, ended_utc, canonical, content_hash, status
  ON responses WHEN OLD.status = 'completed'
BEGIN SELECT RAISE(ABORT, 'completed responses are never edited'); END;
CREATE TRIGGER abandoned_stays_abandoned BEFORE UPDATE OF status ON responses
  WHEN OLD.status = 'abandoned' AND NEW.status <> 'abandoned'
BEGIN SELECT RAISE(ABORT, 'an abandoned response cannot be reopened'); END;
CREATE TRIGGER unsynced_is_kept BEFORE DELETE ON responses
  WHEN OLD.status = 'completed' AND OLD.sync_state <> 'synced'
BEGIN SELECT RAISE(ABORT, 'a completed response is deleted only after the hub has receipted it'); END;
CREATE TRIGGER answers_frozen_insert BEFORE INSERT ON answers
  WHEN (SELECT status FROM responses WHERE id = NEW.response_id) <> 'in_progress'
BEGIN SELECT RAISE(ABORT, 'answers of a closed response are never edited'); END;
CREATE TRIGGER answers_frozen_update BEFORE UPDATE ON answers
  WHEN (SELECT status FROM responses WHERE id = OLD.response_id) <> 'in_progress'
BEGIN SELECT RAISE(ABORT, 'answers of a closed response are never edited'); END;
CREATE TRIGGER answers_frozen_delete BEFORE DELETE ON answers
  WHEN (SELECT status FROM responses WHERE id = OLD.response_id) = 'completed'
BEGIN SELECT RAISE(ABORT, 'answers of a closed response are never edited'); END;
)sql",
    // 1 -> 2: the ledger. Every response gets the next number of the kiosk's
    // sequence when it begins; the counter lives in meta ("last_seq") so a
    // number is never given twice, even after rows are deleted. Responses
    // from before the ledger keep no number: their frozen documents carry
    // none, and numbering them here would show the hub numbers it can never
    // receive. Abandoned responses now get a frozen document too, uploaded
    // like completed ones, so the hub's counts reconcile.
    R"sql(
ALTER TABLE responses ADD COLUMN seq INTEGER;
ALTER TABLE responses ADD COLUMN conflict_utc TEXT;
CREATE UNIQUE INDEX responses_by_seq ON responses(seq);
INSERT INTO meta(key, value) VALUES('last_seq', '0') ON CONFLICT(key) DO NOTHING;
CREATE TRIGGER seq_is_frozen BEFORE UPDATE OF seq ON responses WHEN OLD.seq IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a response number is never changed'); END;
CREATE TRIGGER abandoned_document_is_frozen BEFORE UPDATE OF uuid, survey_id, survey_version, kiosk_id, service_point,
  locale, mode, staff_id, assistance, accessibility, started_utc, ended_utc, canonical, content_hash
  ON responses WHEN OLD.status = 'abandoned' AND OLD.canonical IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'abandoned responses with a frozen document are never edited'); END;
CREATE TRIGGER abandoned_unsynced_is_kept BEFORE DELETE ON responses
  WHEN OLD.status = 'abandoned' AND OLD.canonical IS NOT NULL AND OLD.sync_state <> 'synced'
BEGIN SELECT RAISE(ABORT, 'an abandoned response is deleted only after the hub has receipted it'); END;
)sql",
};
constexpr int kMigrationCount = static_cast<int>(sizeof kMigrations / sizeof kMigrations[0]);
// The last step (2 -> 3, sealing) is C++: it seals what earlier versions kept in the clear.
// Then 3 -> 4 (count_responses_only): the tallies keep no answer.
static_assert(kMigrationCount + 2 == Store::kSchemaVersion);

// Schema 3: answers only sealed. The plain columns of schema 2 (kiosk,
// service point, language, mode, staff, assistance, accessibility, the
// document and the answers table) are gone; what stays in the clear is what
// the ledger, sync and retention need. The triggers of schema 2 carry over
// onto the sealed document: frozen once closed, kept until receipted.
const char kSealedResponses[] = R"sql(
CREATE TABLE responses_sealed(
  id             INTEGER PRIMARY KEY,
  uuid           TEXT NOT NULL UNIQUE,
  seq            INTEGER,
  survey_id      TEXT NOT NULL,
  survey_version TEXT NOT NULL,
  started_utc    TEXT NOT NULL,
  saved_utc      TEXT,
  ended_utc      TEXT,
  status         TEXT NOT NULL CHECK (status IN ('in_progress', 'completed', 'abandoned')),
  abandon_reason TEXT,
  key_id         TEXT,
  sealed         BLOB,
  content_hash   TEXT,
  sync_state     TEXT NOT NULL DEFAULT 'none' CHECK (sync_state IN ('none', 'pending', 'synced', 'conflict')),
  receipt        TEXT,
  synced_utc     TEXT,
  sync_detail    TEXT,
  conflict_utc   TEXT,
  CHECK ((sealed IS NULL) = (key_id IS NULL) AND (sealed IS NULL) = (content_hash IS NULL)),
  CHECK (status <> 'completed' OR (sealed IS NOT NULL AND ended_utc IS NOT NULL))
);
-- The sealed form of each response that had a document or a draft, made in C++.
CREATE TABLE sealing_work(id INTEGER PRIMARY KEY, key_id TEXT, sealed BLOB, content_hash TEXT, saved_utc TEXT);
-- Completed responses per survey and service point (question_id and
-- option_code ''). Until schema 4 it also counted each option chosen.
CREATE TABLE tallies(
  survey_id     TEXT NOT NULL,
  service_point TEXT NOT NULL,
  question_id   TEXT NOT NULL,
  option_code   TEXT NOT NULL,
  count         INTEGER NOT NULL,
  PRIMARY KEY (survey_id, service_point, question_id, option_code)
) WITHOUT ROWID;
)sql";

const char kSealedSchemaFinish[] = R"sql(
INSERT INTO responses_sealed(id, uuid, seq, survey_id, survey_version, started_utc, saved_utc, ended_utc, status,
                             abandon_reason, key_id, sealed, content_hash, sync_state, receipt, synced_utc,
                             sync_detail, conflict_utc)
  SELECT r.id, r.uuid, r.seq, r.survey_id, r.survey_version, r.started_utc, w.saved_utc, r.ended_utc, r.status,
         r.abandon_reason, w.key_id, w.sealed, w.content_hash, r.sync_state, r.receipt, r.synced_utc,
         r.sync_detail, r.conflict_utc
  FROM responses r LEFT JOIN sealing_work w ON w.id = r.id;
DROP TABLE sealing_work;
DROP TABLE answers;
DROP TABLE responses;
ALTER TABLE responses_sealed RENAME TO responses;
CREATE UNIQUE INDEX responses_by_seq ON responses(seq);
CREATE INDEX responses_by_sync ON responses(sync_state, id);
CREATE INDEX responses_by_status ON responses(status);
CREATE TRIGGER completed_is_frozen BEFORE UPDATE OF uuid, seq, survey_id, survey_version, started_utc, saved_utc,
  ended_utc, key_id, sealed, content_hash, status ON responses WHEN OLD.status = 'completed'
BEGIN SELECT RAISE(ABORT, 'completed responses are never edited'); END;
CREATE TRIGGER abandoned_stays_abandoned BEFORE UPDATE OF status ON responses
  WHEN OLD.status = 'abandoned' AND NEW.status <> 'abandoned'
BEGIN SELECT RAISE(ABORT, 'an abandoned response cannot be reopened'); END;
CREATE TRIGGER abandoned_document_is_frozen BEFORE UPDATE OF uuid, survey_id, survey_version, started_utc, saved_utc,
  ended_utc, key_id, sealed, content_hash ON responses WHEN OLD.status = 'abandoned' AND OLD.sealed IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'abandoned responses with a frozen document are never edited'); END;
CREATE TRIGGER seq_is_frozen BEFORE UPDATE OF seq ON responses WHEN OLD.seq IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a response number is never changed'); END;
CREATE TRIGGER unsynced_is_kept BEFORE DELETE ON responses
  WHEN OLD.status = 'completed' AND (OLD.sync_state <> 'synced' OR OLD.receipt IS NULL)
BEGIN SELECT RAISE(ABORT, 'a completed response is deleted only after the hub has receipted it'); END;
CREATE TRIGGER abandoned_unsynced_is_kept BEFORE DELETE ON responses
  WHEN OLD.status = 'abandoned' AND OLD.sealed IS NOT NULL AND (OLD.sync_state <> 'synced' OR OLD.receipt IS NULL)
BEGIN SELECT RAISE(ABORT, 'an abandoned response is deleted only after the hub has receipted it'); END;
-- Numbers given but no longer here: deleted by retention after a receipt.
-- Anything else missing is a gap verify reports.
INSERT INTO meta(key, value) VALUES('retention_deleted',
  (SELECT CAST(value AS INTEGER) FROM meta WHERE key='last_seq') - (SELECT count(*) FROM responses WHERE seq IS NOT NULL))
  ON CONFLICT(key) DO NOTHING;
)sql";

std::int64_t file_size(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

ResponseMeta meta_of_row(Statement& q, int first) {
  ResponseMeta m;
  m.uuid = q.str(first);
  m.survey_id = q.str(first + 1);
  m.survey_version = q.str(first + 2);
  m.kiosk_id = q.str(first + 3);
  m.service_point = q.str(first + 4);
  m.locale = q.str(first + 5);
  m.mode = q.str(first + 6);
  m.staff_id = q.str(first + 7);
  const json assistance = json::parse(q.text(first + 8), nullptr, false);
  const json accessibility = json::parse(q.text(first + 9), nullptr, false);
  if (assistance.is_array())
    for (const auto& v : assistance)
      if (v.is_string()) m.assistance.push_back(v.get<std::string>());
  if (accessibility.is_object())
    for (const auto& [k, v] : accessibility.items())
      if (v.is_string()) m.accessibility[k] = v.get<std::string>();
  m.started_utc = q.str(first + 10);
  m.seq = q.integer(first + 11);
  return m;
}

Answers read_answers(Statement& qa, std::int64_t response_id) {
  Answers out;
  qa.bind(1, response_id);
  while (auto r = qa.step()) {
    if (!*r) break;
    Answer a;
    std::string_view ch = qa.text(1);
    while (!ch.empty()) {
      const auto comma = ch.find(',');
      a.choices.emplace_back(ch.substr(0, comma));
      ch = comma == std::string_view::npos ? std::string_view{} : ch.substr(comma + 1);
    }
    a.text = qa.str(2);
    a.other_text = qa.str(3);
    out[qa.str(0)] = std::move(a);
  }
  qa.reset();
  return out;
}

const char kTallySql[] =
    "INSERT INTO tallies(survey_id, service_point, question_id, option_code, count) VALUES(?1,?2,?3,?4,1) "
    "ON CONFLICT(survey_id, service_point, question_id, option_code) DO UPDATE SET count = count + 1";

// Responses per survey and service point, and nothing of their answers
// (schema 4): what anyone reads off the kiosk's disk without the key.
Status tally(Statement& t, const ResponseMeta& m, const Answers&) {
  t.bind(1, m.survey_id).bind(2, m.service_point).bind(3, std::string()).bind(4, std::string());
  return t.run();
}

}  // namespace

Status Store::migrate() {
  auto q = Statement::prepare(*conn_, "PRAGMA user_version");
  if (!q) return q.error();
  auto row = q->step();
  if (!row) return row.error();
  const int version = static_cast<int>(q->integer(0));
  q->reset();
  if (version > kSchemaVersion)
    return make_error(ErrorKind::Storage, path() + ": the database has schema version " + std::to_string(version) +
                                              ", newer than this program understands (" +
                                              std::to_string(kSchemaVersion) + "); install the newer kiosk software");
  for (int v = version; v < kMigrationCount; ++v) {
    auto tx = Transaction::begin(*conn_);
    if (!tx) return tx.error();
    if (auto st = conn_->exec(kMigrations[v]); !st)
      return with_kind(make_error("migrating to schema version " + std::to_string(v + 1) + ": " + st.message()),
                       st.kind());
    const std::string set = "PRAGMA user_version=" + std::to_string(v + 1);
    if (auto st = conn_->exec(set.c_str()); !st) return st;
    if (auto st = tx->commit(); !st) return st;
  }
  if (version < 3)
    if (auto st = seal_plain_answers(); !st) return st;
  if (version < 4) return count_responses_only();
  return {};
}

// Schema 3 -> 4. The tallies counted each option chosen per service point:
// numbers, but after one visitor they were that visitor's sex, age band,
// ethnic group and disability, readable without any key, and two backups
// told each later visitor's answers apart. They now count responses only;
// the option rows are deleted (overwritten: secure_delete), the file
// rewritten and the WAL truncated so none stays behind.
Status Store::count_responses_only() {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  if (auto st = conn_->exec("DELETE FROM tallies WHERE question_id <> '' OR option_code <> ''"); !st)
    return with_kind(make_error("migrating to schema version 4: " + st.message()), st.kind());
  const auto deleted = conn_->changes();
  if (auto st = conn_->exec("PRAGMA user_version=4"); !st) return st;
  if (auto st = tx->commit(); !st) return st;
  if (deleted > 0) {
    if (auto st = conn_->exec("VACUUM"); !st) return st;
    return scrub();
  }
  return {};
}

Status Store::create_schema(db::Connection& c, int version) {
  if (version < 1 || version > kMigrationCount)
    return make_error(ErrorKind::Internal, "create_schema: only versions 1 to " + std::to_string(kMigrationCount));
  for (int v = 0; v < version; ++v) {
    if (auto st = c.exec(kMigrations[v]); !st) return st;
    const std::string set = "PRAGMA user_version=" + std::to_string(v + 1);
    if (auto st = c.exec(set.c_str()); !st) return st;
  }
  return {};
}

// Schema 2 -> 3. Answers an earlier version kept in the clear are sealed with
// the key given at open, then the file is rewritten and the WAL truncated so
// no plain copy stays behind in free pages. Without a key, a database that
// holds any is refused (nothing changed): sealing needs the key, and keeping
// plain answers would break the promise. An empty one needs no key.
Status Store::seal_plain_answers() {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  std::int64_t plain = 0;
  {
    auto c = Statement::prepare(*conn_,
                                "SELECT (SELECT count(*) FROM responses WHERE canonical IS NOT NULL OR "
                                "(status='in_progress' AND seq IS NOT NULL)) + (SELECT count(*) FROM answers)");
    if (!c) return c.error();
    if (auto r = c->step(); !r) return r.error();
    plain = c->integer(0);
  }
  if (plain > 0 && !key_)
    return make_error(ErrorKind::Config,
                      path() +
                          ": holds answers saved in the clear by an earlier version of the kiosk; they are "
                          "sealed when the kiosk first starts with the council's public key ([sealing] "
                          "public_key_file in kiosk.toml), and until then this database is not opened");
  if (auto st = conn_->exec(kSealedResponses); !st)
    return with_kind(make_error("migrating to schema version 3: " + st.message()), st.kind());
  if (plain > 0) {
    auto q = Statement::prepare(*conn_,
                                "SELECT id, status, canonical, uuid, survey_id, survey_version, kiosk_id, "
                                "service_point, locale, mode, staff_id, assistance, accessibility, started_utc, seq "
                                "FROM responses WHERE canonical IS NOT NULL OR (status='in_progress' AND seq IS NOT "
                                "NULL) ORDER BY id");
    auto qa = Statement::prepare(*conn_, "SELECT question_id, choices, text, other FROM answers WHERE response_id=?1");
    auto u = Statement::prepare(
        *conn_, "INSERT INTO sealing_work(id, key_id, sealed, content_hash, saved_utc) VALUES(?1,?2,?3,?4,?5)");
    auto t = Statement::prepare(*conn_, kTallySql);
    if (!q) return q.error();
    if (!qa) return qa.error();
    if (!u) return u.error();
    if (!t) return t.error();
    const std::string now = format_utc(SystemClock{}.now());
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      const std::int64_t id = q->integer(0);
      const std::string status = q->str(1);
      std::string doc, saved;
      if (!q->is_null(2)) {
        doc = q->str(2);
        if (status == "completed") {
          auto parsed = parse_canonical_document(doc);
          if (!parsed)
            return make_error(ErrorKind::Storage, path() + ": response " + q->str(3) +
                                                      ": its stored document does not read (" + parsed.message() +
                                                      "); run kiosk-admin verify with the earlier version");
          if (auto st = tally(*t, parsed->first, parsed->second); !st) return st;
        }
      } else {
        // Left in progress by the earlier version: its draft, as of now.
        ResponseMeta m = meta_of_row(*q, 3);
        m.status = "abandoned";
        m.ended_utc = saved = now;
        doc = canonical_document(m, read_answers(*qa, id));
      }
      const std::string sealed = seal_bytes(*key_, doc);
      u->bind(1, id).bind(2, key_->id).bind_blob(3, sealed).bind(4, sha256_hex(sealed));
      if (saved.empty())
        u->bind_null(5);
      else
        u->bind(5, saved);
      if (auto st = u->run(); !st) return st;
    }
  }
  if (auto st = conn_->exec(kSealedSchemaFinish); !st)
    return with_kind(make_error("migrating to schema version 3: " + st.message()), st.kind());
  if (auto st = conn_->exec("PRAGMA user_version=3"); !st) return st;
  if (auto st = tx->commit(); !st) return st;
  if (plain > 0) {
    // The plain pages were freed above (and overwritten: secure_delete);
    // VACUUM rewrites the file from what is left, and the WAL that held the
    // plain frames is truncated.
    if (auto st = conn_->exec("VACUUM"); !st) return st;
    return scrub();
  }
  return {};
}

Status Store::scrub() {
  auto q = Statement::prepare(*conn_, "PRAGMA wal_checkpoint(TRUNCATE)");
  if (!q) return q.error();
  auto r = q->step();
  if (!r) return r.error();
  // busy = 1: another connection held a read; its frames stay until it ends.
  const bool busy = *r && q->integer(0) != 0;
  q->reset();
  if (busy)
    return make_error(ErrorKind::Storage,
                      path() +
                          ": the WAL could not be truncated while another connection reads; it is on the next "
                          "scrub");
  return {};
}

// ---- 2. Opening ------------------------------------------------------------

Result<std::unique_ptr<Store>> Store::open(const std::string& path, db::OpenMode mode, const SealPublicKey* seal_to) {
  if (auto st = crypto_init(); !st) return st.error();
  auto c = db::Connection::open(path, mode);
  if (!c) return c.error();
  std::unique_ptr<Store> s(new Store(std::make_unique<db::Connection>(std::move(c).value())));
  if (seal_to) s->key_ = *seal_to;
  if (mode != db::OpenMode::ReadOnly) {
    if (auto st = s->migrate(); !st) return st.error();
  } else {
    auto q = Statement::prepare(*s->conn_, "SELECT count(*) FROM sqlite_schema WHERE name='responses'");
    if (!q) return q.error();
    if (auto r = q->step(); !r || q->integer(0) == 0)
      return make_error(ErrorKind::Storage, path + ": not a kiosk response database");
  }
  if (auto st = s->prepare_statements(); !st) return st.error();
  return s;
}

Status Store::prepare_statements() {
  auto v = Statement::prepare(*conn_, "PRAGMA user_version");
  if (!v) return v.error();
  if (auto r = v->step(); !r) return r.error();
  if (v->integer(0) != kSchemaVersion)
    return make_error(ErrorKind::Storage, path() + ": schema version " + std::to_string(v->integer(0)) + ", not " +
                                              std::to_string(kSchemaVersion) +
                                              " (open it once read-write with this version to migrate it)");
  auto a = Statement::prepare(*conn_,
                              "INSERT INTO responses(uuid, survey_id, survey_version, started_utc, saved_utc, status, "
                              "seq, key_id, sealed, content_hash) VALUES(?1,?2,?3,?4,?4,'in_progress',?5,?6,?7,?8)");
  auto b = Statement::prepare(*conn_,
                              "UPDATE responses SET key_id=?2, sealed=?3, content_hash=?4, saved_utc=?5 "
                              "WHERE id=?1 AND status='in_progress'");
  auto e = Statement::prepare(*conn_,
                              "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='last_seq' "
                              "RETURNING CAST(value AS INTEGER)");
  auto t = Statement::prepare(*conn_, kTallySql);
  if (!a) return a.error();
  if (!b) return b.error();
  if (!e) return e.error();
  if (!t) return t.error();
  insert_response_ = std::move(a).value();
  save_draft_ = std::move(b).value();
  next_seq_ = std::move(e).value();
  tally_ = std::move(t).value();
  return {};
}

// ---- 3. The session's writes -----------------------------------------------

Result<Store::Sealed> Store::seal(const ResponseMeta& m, const Answers& answers) const {
  if (sealer_) {
    auto bytes = sealer_->seal(m, answers);
    if (!bytes) return bytes.error();
    Sealed s;
    s.key_id = sealer_->key_id();
    s.bytes = std::move(*bytes);
    s.hash = sha256_hex(s.bytes);
    return s;
  }
  if (!key_)
    return make_error(ErrorKind::Config, path() +
                                             ": no public key to seal responses with ([sealing] "
                                             "public_key_file in kiosk.toml): nothing is saved in the clear");
  Sealed s;
  s.key_id = key_->id;
  s.bytes = seal_bytes(*key_, canonical_document(m, answers));
  s.hash = sha256_hex(s.bytes);
  return s;
}

// The caller holds a transaction: the number and the row commit together,
// so a number is given once and never lost to a failed insert. The row is
// written with its first draft (no answers yet, ended when it started), so
// even an untouched start has a document to upload if the kiosk dies.
Result<std::int64_t> Store::insert_numbered(ResponseMeta& m) {
  if (!can_seal()) return seal(m, {}).error();
  auto r = next_seq_.step();
  if (!r) return r.error();
  if (!*r) return make_error(ErrorKind::Storage, path() + ": the response counter is missing (meta last_seq)");
  const std::int64_t seq = next_seq_.integer(0);
  next_seq_.reset();
  ResponseMeta draft = m;
  draft.seq = seq;
  draft.status = "abandoned";
  draft.ended_utc = m.started_utc;
  auto sealed = seal(draft, {});
  if (!sealed) return sealed.error();
  insert_response_.bind(1, m.uuid).bind(2, m.survey_id).bind(3, m.survey_version).bind(4, m.started_utc);
  insert_response_.bind(5, seq).bind(6, sealed->key_id).bind_blob(7, sealed->bytes).bind(8, sealed->hash);
  if (auto st = insert_response_.run(); !st) return st.error();
  m.seq = seq;
  return conn_->last_insert_rowid();
}

Result<std::int64_t> Store::begin_response(ResponseMeta& m) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto id = insert_numbered(m);
  if (!id) {
    m.seq = 0;
    return id.error();
  }
  if (auto st = tx->commit(); !st) {
    m.seq = 0;
    return st.error();
  }
  return id;
}

Status Store::save_draft(std::int64_t id, const ResponseMeta& meta, const Answers& answers) {
  ResponseMeta m = meta;
  m.status = "abandoned";
  auto sealed = seal(m, answers);
  if (!sealed) return sealed.error();
  save_draft_.bind(1, id).bind(2, sealed->key_id).bind_blob(3, sealed->bytes).bind(4, sealed->hash);
  save_draft_.bind(5, m.ended_utc);
  if (auto st = save_draft_.run(); !st) return st;
  if (conn_->changes() != 1)
    return make_error(ErrorKind::Validation, path() + ": response " + m.uuid + " is not in progress any more");
  return {};
}

Status Store::add_to_tallies(const ResponseMeta& m, const Answers& answers) { return tally(tally_, m, answers); }

Result<std::string> Store::complete_response(std::int64_t id, const ResponseMeta& meta, const Answers& answers) {
  ResponseMeta m = meta;
  m.status = "completed";
  auto sealed = seal(m, answers);
  if (!sealed) return sealed.error();
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET status='completed', ended_utc=?2, saved_utc=?2, key_id=?3, "
                              "sealed=?4, content_hash=?5, sync_state='pending' WHERE id=?1 AND status='in_progress'");
  if (!u) return u.error();
  u->bind(1, id).bind(2, m.ended_utc).bind(3, sealed->key_id).bind_blob(4, sealed->bytes).bind(5, sealed->hash);
  if (auto st = u->run(); !st) return st.error();
  if (conn_->changes() != 1)
    return make_error(ErrorKind::Validation, path() + ": response " + m.uuid + " is not in progress any more");
  if (auto st = add_to_tallies(m, answers); !st) return st.error();
  if (auto st = tx->commit(); !st) return st.error();
  return sealed->hash;
}

Status Store::abandon_response(std::int64_t id, const ResponseMeta& meta, const Answers& answers,
                               const std::string& reason) {
  ResponseMeta m = meta;
  m.status = "abandoned";
  auto sealed = seal(m, answers);
  if (!sealed) return sealed.error();
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET status='abandoned', ended_utc=?2, saved_utc=?2, abandon_reason=?3, "
                              "key_id=?4, sealed=?5, content_hash=?6, sync_state='pending' "
                              "WHERE id=?1 AND status='in_progress'");
  if (!u) return u.error();
  u->bind(1, id).bind(2, m.ended_utc).bind(3, reason).bind(4, sealed->key_id).bind_blob(5, sealed->bytes);
  u->bind(6, sealed->hash);
  return u->run();
}

Result<int> Store::close_unfinished(const std::string& now_utc) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  // A sealed draft is promoted as it is: ended when it was saved. One with
  // no draft (unnumbered, from before the ledger) is only flagged.
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET status='abandoned', ended_utc=coalesce(saved_utc, ?1), "
                              "abandon_reason='unfinished when the kiosk restarted', "
                              "sync_state=CASE WHEN sealed IS NOT NULL THEN 'pending' ELSE sync_state END "
                              "WHERE status='in_progress'");
  if (!u) return u.error();
  u->bind(1, now_utc);
  if (auto st = u->run(); !st) return st.error();
  const auto n = conn_->changes();
  if (auto st = tx->commit(); !st) return st.error();
  return static_cast<int>(n);
}

Status Store::insert_completed(const std::vector<CompletedResponse>& batch) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto complete = Statement::prepare(*conn_,
                                     "UPDATE responses SET status=?6, ended_utc=?2, saved_utc=?2, key_id=?3, "
                                     "sealed=?4, content_hash=?5, sync_state='pending', abandon_reason=?7 WHERE id=?1");
  if (!complete) return complete.error();
  for (const auto& r : batch) {
    ResponseMeta m = r.meta;
    const bool abandoned = m.status == "abandoned";
    if (!abandoned) m.status = "completed";
    auto id = insert_numbered(m);
    if (!id) return id.error();
    auto sealed = seal(m, r.answers);
    if (!sealed) return sealed.error();
    complete->bind(1, *id).bind(2, m.ended_utc).bind(3, sealed->key_id).bind_blob(4, sealed->bytes);
    complete->bind(5, sealed->hash).bind(6, m.status);
    if (abandoned)
      complete->bind(7, std::string("left part way (simulated)"));
    else
      complete->bind_null(7);
    if (auto st = complete->run(); !st) return st;
    if (!abandoned)
      if (auto st = add_to_tallies(m, r.answers); !st) return st;
  }
  return tx->commit();
}

Result<std::vector<SealedResponse>> Store::sealed_responses(const std::string& survey_id) {
  auto q = Statement::prepare(*conn_,
                              "SELECT coalesce(seq, 0), uuid, status, survey_id, survey_version, key_id, content_hash, "
                              "sealed FROM responses WHERE (status='completed' OR (status='abandoned' AND sealed IS "
                              "NOT NULL)) AND (?1 = '' OR survey_id=?1) ORDER BY id");
  if (!q) return q.error();
  q->bind(1, survey_id);
  std::vector<SealedResponse> out;
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    out.push_back({q->integer(0), q->str(1), q->str(2), q->str(3), q->str(4), q->str(5), q->str(6), q->blob(7)});
  }
  return out;
}

// ---- 4. Sync state and retention -------------------------------------------

Result<std::vector<PendingResponse>> Store::pending(int limit, std::int64_t after_id) {
  auto q = Statement::prepare(*conn_,
                              "SELECT id, uuid, content_hash, key_id, sealed, ended_utc FROM responses "
                              "WHERE sync_state='pending' AND sealed IS NOT NULL AND id > ?2 ORDER BY id LIMIT ?1");
  if (!q) return q.error();
  q->bind(1, limit).bind(2, after_id);
  std::vector<PendingResponse> out;
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    out.push_back({q->integer(0), q->str(1), q->str(2), q->str(3), q->blob(4), q->str(5)});
  }
  return out;
}

Status Store::mark_synced(const std::string& uuid, const std::string& receipt, const std::string& now_utc) {
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET sync_state='synced', receipt=?2, synced_utc=?3, sync_detail=NULL "
                              "WHERE uuid=?1 AND status IN ('completed', 'abandoned') AND sealed IS NOT NULL");
  if (!u) return u.error();
  u->bind(1, uuid).bind(2, receipt).bind(3, now_utc);
  return u->run();
}

Status Store::mark_synced_all(const std::vector<Receipt>& receipts, const std::string& now_utc) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET sync_state='synced', receipt=?2, synced_utc=?3, sync_detail=NULL "
                              "WHERE uuid=?1 AND status IN ('completed', 'abandoned') AND sealed IS NOT NULL");
  if (!u) return u.error();
  for (const auto& r : receipts) {
    u->bind(1, r.uuid).bind(2, r.receipt).bind(3, now_utc);
    if (auto st = u->run(); !st) return st;
  }
  return tx->commit();
}

Status Store::mark_conflict(const std::string& uuid, const std::string& detail, const std::string& now_utc) {
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET sync_state='conflict', sync_detail=?2, conflict_utc=?3 "
                              "WHERE uuid=?1 AND sealed IS NOT NULL AND sync_state='pending'");
  if (!u) return u.error();
  u->bind(1, uuid).bind(2, detail).bind(3, now_utc);
  return u->run();
}

Result<std::int64_t> Store::highest_seq() {
  auto v = get_meta("last_seq");
  if (!v) return v.error();
  return v->empty() ? 0 : std::stoll(*v);
}

Result<std::vector<ConflictedResponse>> Store::conflicts() {
  auto q = Statement::prepare(*conn_,
                              "SELECT coalesce(seq, 0), uuid, coalesce(ended_utc, ''), coalesce(conflict_utc, ''), "
                              "coalesce(sync_detail, '') FROM responses WHERE sync_state='conflict' ORDER BY id");
  if (!q) return q.error();
  std::vector<ConflictedResponse> out;
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    out.push_back({q->integer(0), q->str(1), q->str(2), q->str(3), q->str(4)});
  }
  return out;
}

Result<std::int64_t> Store::requeue(const std::string& uuid) {
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET sync_state='pending', sync_detail=NULL, conflict_utc=NULL "
                              "WHERE sync_state='conflict' AND (?1 = '' OR uuid=?1)");
  if (!u) return u.error();
  u->bind(1, uuid);
  if (auto st = u->run(); !st) return st.error();
  return conn_->changes();
}

Result<std::int64_t> Store::apply_retention(int days, const std::string& now_utc) {
  if (days < 0) return std::int64_t{0};
  std::int64_t n = 0;
  {
    auto tx = Transaction::begin(*conn_);
    if (!tx) return tx.error();
    const char* const where =
        "WHERE status IN ('completed', 'abandoned') AND sync_state='synced' "
        "AND receipt IS NOT NULL AND julianday(synced_utc) <= julianday(?1) - ?2";
    auto c = Statement::prepare(*conn_, std::string("SELECT count(seq) FROM responses ") + where);
    auto d = Statement::prepare(*conn_, std::string("DELETE FROM responses ") + where);
    auto k = Statement::prepare(*conn_,
                                "INSERT INTO meta(key, value) VALUES('retention_deleted', ?1) ON CONFLICT(key) "
                                "DO UPDATE SET value = CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER)");
    if (!c) return c.error();
    if (!d) return d.error();
    if (!k) return k.error();
    c->bind(1, now_utc).bind(2, days);
    if (auto r = c->step(); !r) return r.error();
    const std::int64_t numbered = c->integer(0);
    c->reset();
    d->bind(1, now_utc).bind(2, days);
    if (auto st = d->run(); !st) return st.error();
    n = conn_->changes();
    k->bind(1, numbered);
    if (auto st = k->run(); !st) return st.error();
    if (auto st = tx->commit(); !st) return st.error();
  }
  // secure_delete overwrote the rows in the pages the commit wrote; those
  // pages are in the WAL until a checkpoint copies them over the old ones
  // in the file, and the WAL (which still holds older frames with the
  // sealed bytes) is then truncated.
  // Another connection reading at that moment keeps the WAL from being
  // truncated: the rows are deleted all the same, and the scrub is owed
  // until a later pass manages it.
  if (n > 0 || scrub_owed_) scrub_owed_ = !scrub().ok();
  return n;
}

// ---- 5. Counts, verify, backup --------------------------------------------

Result<StoreCounts> Store::counts() {
  StoreCounts c;
  auto q = Statement::prepare(*conn_,
                              "SELECT "
                              "(SELECT count(*) FROM responses WHERE status='in_progress'),"
                              "(SELECT count(*) FROM responses WHERE status='completed'),"
                              "(SELECT count(*) FROM responses WHERE status='abandoned'),"
                              "(SELECT count(*) FROM responses WHERE sync_state='pending'),"
                              "(SELECT count(*) FROM responses WHERE sync_state='synced'),"
                              "(SELECT count(*) FROM responses WHERE sync_state='conflict'),"
                              "(SELECT ended_utc FROM responses WHERE sync_state='pending' ORDER BY id LIMIT 1),"
                              "(SELECT max(synced_utc) FROM responses WHERE sync_state='synced')");
  if (!q) return q.error();
  auto r = q->step();
  if (!r) return r.error();
  c.in_progress = q->integer(0);
  c.completed = q->integer(1);
  c.abandoned = q->integer(2);
  c.pending = q->integer(3);
  c.synced = q->integer(4);
  c.conflict = q->integer(5);
  c.oldest_pending_utc = q->str(6);
  c.last_synced_utc = q->str(7);
  c.file_bytes = file_size(path()) + file_size(path() + "-wal");
  return c;
}

Result<VerifyReport> Store::verify() {
  VerifyReport rep;
  {
    auto q = Statement::prepare(*conn_, "PRAGMA integrity_check");
    if (!q) return q.error();
    std::string all;
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      if (!all.empty()) all += "; ";
      all += q->str(0);
    }
    rep.integrity = all;
  }
  auto q = Statement::prepare(*conn_,
                              "SELECT uuid, status, key_id, sealed, content_hash FROM responses "
                              "WHERE sealed IS NOT NULL ORDER BY id");
  if (!q) return q.error();
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    const std::string uuid = q->str(0), status = q->str(1), sealed = q->blob(3);
    if (status == "in_progress") continue;  // a draft: replaced at every answer, not frozen yet
    ++rep.checked;
    if (sha256_hex(sealed) != q->text(4))
      rep.problems.push_back(uuid + ": content hash does not match the stored sealed document");
    else if (sealed.size() <= kSealOverheadBytes || q->text(2).size() != 16)
      rep.problems.push_back(uuid + ": the stored document is not a sealed box (key id " + q->str(2) + ")");
  }
  // The ledger: numbers 1..last_seq were each given to one response, and a
  // response is deleted only by retention after its receipt (the triggers
  // refuse anything else, and retention counts what it deletes). A number
  // missing beyond that count was removed some other way.
  auto l = Statement::prepare(*conn_,
                              "SELECT (SELECT coalesce(CAST(value AS INTEGER), 0) FROM meta WHERE key='last_seq'), "
                              "(SELECT count(*) FROM responses WHERE seq IS NOT NULL), "
                              "(SELECT coalesce(CAST(value AS INTEGER), 0) FROM meta WHERE key='retention_deleted')");
  if (!l) return l.error();
  if (auto r = l->step(); !r) return r.error();
  const std::int64_t given = l->integer(0), here = l->integer(1), deleted = l->integer(2);
  if (here + deleted != given)
    rep.problems.push_back("ledger: " + std::to_string(given) + " response numbers were given, " +
                           std::to_string(here) + " are here and " + std::to_string(deleted) +
                           " were deleted after a receipt: " + std::to_string(given - here - deleted) +
                           " removed without a receipt");
  return rep;
}

Status Store::backup_to(const std::string& dest) {
  auto q = Statement::prepare(*conn_, "VACUUM INTO ?1");
  if (!q) return q.error();
  q->bind(1, dest);
  return q->run();
}

Result<std::string> Store::get_meta(const std::string& key) {
  auto q = Statement::prepare(*conn_, "SELECT value FROM meta WHERE key=?1");
  if (!q) return q.error();
  q->bind(1, key);
  auto r = q->step();
  if (!r) return r.error();
  return *r ? q->str(0) : std::string();
}

Status Store::set_meta(const std::string& key, const std::string& value) {
  auto q = Statement::prepare(*conn_,
                              "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                              "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
  if (!q) return q.error();
  q->bind(1, key).bind(2, value);
  return q->run();
}

}  // namespace kiosk
