// Response store.
//
// Sections: 1. schema and migrations  2. opening  3. the session's writes
//           4. sync state and retention  5. counts, verify, backup
#include "kiosk/store.hpp"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

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
static_assert(kMigrationCount == Store::kSchemaVersion);

std::string join_codes(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& c : v) {
    if (!s.empty()) s.push_back(',');
    s += c;
  }
  return s;
}

std::int64_t file_size(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

}  // namespace

Status Store::migrate() {
  auto q = Statement::prepare(*conn_, "PRAGMA user_version");
  if (!q) return q.error();
  auto row = q->step();
  if (!row) return row.error();
  const int version = static_cast<int>(q->integer(0));
  if (version > kSchemaVersion)
    return make_error(ErrorKind::Storage, path() + ": the database has schema version " + std::to_string(version) +
                                              ", newer than this program understands (" +
                                              std::to_string(kSchemaVersion) + "); install the newer kiosk software");
  for (int v = version; v < kSchemaVersion; ++v) {
    auto tx = Transaction::begin(*conn_);
    if (!tx) return tx.error();
    if (auto st = conn_->exec(kMigrations[v]); !st)
      return with_kind(make_error("migrating to schema version " + std::to_string(v + 1) + ": " + st.message()),
                       st.kind());
    const std::string set = "PRAGMA user_version=" + std::to_string(v + 1);
    if (auto st = conn_->exec(set.c_str()); !st) return st;
    if (auto st = tx->commit(); !st) return st;
  }
  return {};
}

// ---- 2. Opening ------------------------------------------------------------

Result<std::unique_ptr<Store>> Store::open(const std::string& path, db::OpenMode mode) {
  if (auto st = crypto_init(); !st) return st.error();
  auto c = db::Connection::open(path, mode);
  if (!c) return c.error();
  std::unique_ptr<Store> s(new Store(std::make_unique<db::Connection>(std::move(c).value())));
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
  if (auto st = Statement::prepare(*conn_, "SELECT 1 FROM responses LIMIT 0"); !st) return st.error();
  auto a = Statement::prepare(*conn_,
                              "INSERT INTO responses(uuid, survey_id, survey_version, kiosk_id, service_point, locale, "
                              "mode, staff_id, assistance, accessibility, started_utc, status, seq) "
                              "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,'in_progress',?12)");
  auto b =
      Statement::prepare(*conn_,
                         "INSERT INTO answers(response_id, question_id, choices, text, other) VALUES(?1,?2,?3,?4,?5) "
                         "ON CONFLICT(response_id, question_id) DO UPDATE SET choices=excluded.choices, "
                         "text=excluded.text, other=excluded.other");
  auto c = Statement::prepare(*conn_, "DELETE FROM answers WHERE response_id=?1 AND question_id=?2");
  auto d = Statement::prepare(*conn_,
                              "UPDATE responses SET locale=?2, mode=?3, staff_id=?4, assistance=?5, accessibility=?6 "
                              "WHERE id=?1 AND status='in_progress'");
  if (!a) return a.error();
  if (!b) return b.error();
  if (!c) return c.error();
  if (!d) return d.error();
  auto e = Statement::prepare(*conn_,
                              "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='last_seq' "
                              "RETURNING CAST(value AS INTEGER)");
  if (!e) return e.error();
  next_seq_ = std::move(e).value();
  insert_response_ = std::move(a).value();
  upsert_answer_ = std::move(b).value();
  delete_answer_ = std::move(c).value();
  update_meta_ = std::move(d).value();
  return {};
}

// ---- 3. The session's writes -----------------------------------------------

// The caller holds a transaction: the number and the row commit together,
// so a number is given once and never lost to a failed insert.
Result<std::int64_t> Store::insert_numbered(ResponseMeta& m) {
  auto n = next_seq_.step();
  if (!n) return n.error();
  const std::int64_t seq = *n ? next_seq_.integer(0) : 0;
  next_seq_.reset();
  if (seq <= 0) return make_error(ErrorKind::Storage, path() + ": the response counter (meta last_seq) is missing");
  auto& s = insert_response_;
  s.bind(1, m.uuid).bind(2, m.survey_id).bind(3, m.survey_version).bind(4, m.kiosk_id).bind(5, m.service_point);
  s.bind(6, m.locale).bind(7, m.mode).bind(8, m.staff_id).bind(9, json(m.assistance).dump());
  s.bind(10, json(m.accessibility).dump()).bind(11, m.started_utc).bind(12, seq);
  if (auto st = s.run(); !st) return st.error();
  m.seq = seq;
  return conn_->last_insert_rowid();
}

Result<std::int64_t> Store::begin_response(ResponseMeta& m) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto id = insert_numbered(m);
  if (!id) return id.error();
  if (auto st = tx->commit(); !st) {
    m.seq = 0;
    return st.error();
  }
  return id;
}

Status Store::save_answer(std::int64_t id, const std::string& question_id, const Answer* a) {
  if (!a) {
    delete_answer_.bind(1, id).bind(2, question_id);
    return delete_answer_.run();
  }
  upsert_answer_.bind(1, id)
      .bind(2, question_id)
      .bind(3, join_codes(a->choices))
      .bind(4, a->text)
      .bind(5, a->other_text);
  return upsert_answer_.run();
}

Status Store::update_meta(std::int64_t id, const ResponseMeta& m) {
  update_meta_.bind(1, id).bind(2, m.locale).bind(3, m.mode).bind(4, m.staff_id);
  update_meta_.bind(5, json(m.assistance).dump()).bind(6, json(m.accessibility).dump());
  return update_meta_.run();
}

Status Store::complete_response(std::int64_t id, const ResponseMeta& m, const std::string& canonical,
                                const std::string& hash) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET status='completed', ended_utc=?2, canonical=?3, content_hash=?4, "
                              "sync_state='pending', locale=?5, mode=?6, staff_id=?7, assistance=?8, accessibility=?9 "
                              "WHERE id=?1 AND status='in_progress'");
  if (!u) return u.error();
  u->bind(1, id).bind(2, m.ended_utc).bind(3, canonical).bind(4, hash).bind(5, m.locale).bind(6, m.mode);
  u->bind(7, m.staff_id).bind(8, json(m.assistance).dump()).bind(9, json(m.accessibility).dump());
  if (auto st = u->run(); !st) return st;
  if (conn_->changes() != 1)
    return make_error(ErrorKind::Validation, path() + ": response " + m.uuid + " is not in progress any more");
  return tx->commit();
}

namespace {

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

}  // namespace

// Built from the rows on disk, not from a session's memory: after a crash
// the disk is all there is, and both paths must freeze the same document.
Status Store::freeze_abandoned(std::int64_t id) {
  auto q =
      Statement::prepare(*conn_,
                         "SELECT uuid, survey_id, survey_version, kiosk_id, service_point, locale, mode, staff_id, "
                         "assistance, accessibility, started_utc, ended_utc, seq FROM responses "
                         "WHERE id=?1 AND status='abandoned' AND canonical IS NULL AND seq IS NOT NULL");
  auto qa = Statement::prepare(*conn_, "SELECT question_id, choices, text, other FROM answers WHERE response_id=?1");
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET canonical=?2, content_hash=?3, sync_state='pending' WHERE id=?1");
  if (!q) return q.error();
  if (!qa) return qa.error();
  if (!u) return u.error();
  q->bind(1, id);
  auto r = q->step();
  if (!r) return r.error();
  if (!*r) return {};  // unnumbered (from before the ledger) or already frozen
  ResponseMeta m;
  m.uuid = q->str(0);
  m.survey_id = q->str(1);
  m.survey_version = q->str(2);
  m.kiosk_id = q->str(3);
  m.service_point = q->str(4);
  m.locale = q->str(5);
  m.mode = q->str(6);
  m.staff_id = q->str(7);
  const json assistance = json::parse(q->text(8), nullptr, false);
  const json accessibility = json::parse(q->text(9), nullptr, false);
  if (assistance.is_array())
    for (const auto& v : assistance)
      if (v.is_string()) m.assistance.push_back(v.get<std::string>());
  if (accessibility.is_object())
    for (const auto& [k, v] : accessibility.items())
      if (v.is_string()) m.accessibility[k] = v.get<std::string>();
  m.started_utc = q->str(10);
  m.ended_utc = q->str(11);
  m.seq = q->integer(12);
  m.status = "abandoned";
  const std::string doc = canonical_document(m, read_answers(*qa, id));
  u->bind(1, id).bind(2, doc).bind(3, sha256_hex(doc));
  return u->run();
}

Status Store::abandon_response(std::int64_t id, const std::string& ended_utc, const std::string& reason) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET status='abandoned', ended_utc=?2, abandon_reason=?3 "
                              "WHERE id=?1 AND status='in_progress'");
  if (!u) return u.error();
  u->bind(1, id).bind(2, ended_utc).bind(3, reason);
  if (auto st = u->run(); !st) return st;
  if (conn_->changes() == 1)
    if (auto st = freeze_abandoned(id); !st) return st;
  return tx->commit();
}

Result<int> Store::close_unfinished(const std::string& now_utc) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  std::vector<std::int64_t> ids;
  {
    auto q = Statement::prepare(*conn_, "SELECT id FROM responses WHERE status='in_progress' ORDER BY id");
    if (!q) return q.error();
    for (;;) {
      auto r = q->step();
      if (!r) return r.error();
      if (!*r) break;
      ids.push_back(q->integer(0));
    }
  }
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET status='abandoned', ended_utc=?1, "
                              "abandon_reason='unfinished when the kiosk restarted' WHERE status='in_progress'");
  if (!u) return u.error();
  u->bind(1, now_utc);
  if (auto st = u->run(); !st) return st.error();
  for (const auto id : ids)
    if (auto st = freeze_abandoned(id); !st) return st.error();
  if (auto st = tx->commit(); !st) return st.error();
  return static_cast<int>(ids.size());
}

Status Store::insert_completed(const std::vector<CompletedResponse>& batch) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto complete = Statement::prepare(*conn_,
                                     "UPDATE responses SET status='completed', ended_utc=?2, canonical=?3, "
                                     "content_hash=?4, sync_state='pending' WHERE id=?1");
  if (!complete) return complete.error();
  for (const auto& r : batch) {
    ResponseMeta m = r.meta;
    m.status = "completed";
    auto id = insert_numbered(m);
    if (!id) return id.error();
    for (const auto& [qid, a] : r.answers)
      if (auto st = save_answer(*id, qid, &a); !st) return st;
    const std::string doc = canonical_document(m, r.answers);
    complete->bind(1, *id).bind(2, r.meta.ended_utc).bind(3, doc).bind(4, sha256_hex(doc));
    if (auto st = complete->run(); !st) return st;
  }
  return tx->commit();
}

// ---- 4. Sync state and retention -------------------------------------------

Result<std::vector<PendingResponse>> Store::pending(int limit, std::int64_t after_id) {
  auto q = Statement::prepare(*conn_,
                              "SELECT id, uuid, content_hash, canonical, ended_utc FROM responses "
                              "WHERE sync_state='pending' AND id > ?2 ORDER BY id LIMIT ?1");
  if (!q) return q.error();
  q->bind(1, limit).bind(2, after_id);
  std::vector<PendingResponse> out;
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    out.push_back({q->integer(0), q->str(1), q->str(2), q->str(3), q->str(4)});
  }
  return out;
}

Status Store::mark_synced(const std::string& uuid, const std::string& receipt, const std::string& now_utc) {
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET sync_state='synced', receipt=?2, synced_utc=?3, sync_detail=NULL "
                              "WHERE uuid=?1 AND status IN ('completed', 'abandoned') AND canonical IS NOT NULL");
  if (!u) return u.error();
  u->bind(1, uuid).bind(2, receipt).bind(3, now_utc);
  return u->run();
}

Status Store::mark_synced_all(const std::vector<Receipt>& receipts, const std::string& now_utc) {
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto u = Statement::prepare(*conn_,
                              "UPDATE responses SET sync_state='synced', receipt=?2, synced_utc=?3, sync_detail=NULL "
                              "WHERE uuid=?1 AND status IN ('completed', 'abandoned') AND canonical IS NOT NULL");
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
                              "WHERE uuid=?1 AND canonical IS NOT NULL AND sync_state='pending'");
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
  auto tx = Transaction::begin(*conn_);
  if (!tx) return tx.error();
  auto d =
      Statement::prepare(*conn_,
                         "DELETE FROM responses WHERE status IN ('completed', 'abandoned') AND sync_state='synced' "
                         "AND receipt IS NOT NULL AND julianday(synced_utc) <= julianday(?1) - ?2");
  if (!d) return d.error();
  d->bind(1, now_utc).bind(2, days);
  if (auto st = d->run(); !st) return st.error();
  const auto n = conn_->changes();
  if (auto st = tx->commit(); !st) return st.error();
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
  auto q = Statement::prepare(
      *conn_, "SELECT id, uuid, canonical, content_hash FROM responses WHERE canonical IS NOT NULL ORDER BY id");
  auto qa = Statement::prepare(*conn_, "SELECT question_id, choices, text, other FROM answers WHERE response_id=?1");
  if (!q) return q.error();
  if (!qa) return qa.error();
  for (;;) {
    auto r = q->step();
    if (!r) return r.error();
    if (!*r) break;
    ++rep.checked;
    const std::string uuid = q->str(1), doc = q->str(2), hash = q->str(3);
    if (sha256_hex(doc) != hash) {
      rep.problems.push_back(uuid + ": content hash does not match the stored document");
      continue;
    }
    auto parsed = parse_canonical_document(doc);
    if (!parsed) {
      rep.problems.push_back(uuid + ": " + parsed.message());
      continue;
    }
    if (parsed->first.uuid != uuid) rep.problems.push_back(uuid + ": document carries another uuid");
    const Answers stored = read_answers(*qa, q->integer(0));
    if (stored != parsed->second) rep.problems.push_back(uuid + ": stored answers differ from the frozen document");
  }
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
