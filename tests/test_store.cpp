#include <sqlite3.h>
#include <catch2/catch.hpp>

#include "kiosk/crypto.hpp"
#include "kiosk/simulate.hpp"
#include "kiosk/store.hpp"
#include "support.hpp"

using namespace kiosk;

namespace {
const Survey& bury() { return test::bury(); }
std::string scalar(Store& s, const std::string& sql) {
  auto q = db::Statement::prepare(s.connection(), sql);
  REQUIRE(q.ok());
  auto r = q->step();
  REQUIRE(r.ok());
  return *r ? q->str(0) : std::string("<none>");
}
std::unique_ptr<Store> open_new(const std::string& path) {
  auto s = Store::open(path, db::OpenMode::Create, test::seal_pub());
  if (!s) FAIL(s.message());
  return std::move(s).value();
}
}  // namespace

TEST_CASE("the store runs in WAL mode with synchronous=FULL and a current schema", "[store]") {
  test::TempDir tmp;
  auto s = open_new(tmp.file("r.db"));
  CHECK(scalar(*s, "PRAGMA journal_mode") == "wal");
  CHECK(scalar(*s, "PRAGMA synchronous") == "2");  // FULL
  CHECK(scalar(*s, "PRAGMA user_version") == std::to_string(Store::kSchemaVersion));
  CHECK(scalar(*s, "PRAGMA foreign_keys") == "1");
}

TEST_CASE("completed responses are frozen by the schema itself", "[store]") {
  test::TempDir tmp;
  auto s = open_new(tmp.file("r.db"));
  SimulateOptions o;
  o.responses = 3;
  REQUIRE(simulate_into(*s, bury(), o).ok());
  auto& c = s->connection();
  auto edit = c.exec("UPDATE responses SET sealed=x'00' WHERE id=1");
  REQUIRE_FALSE(edit.ok());
  CHECK_THAT(edit.message(), Catch::Contains("completed responses are never edited"));
  CHECK_FALSE(c.exec("UPDATE responses SET status='abandoned' WHERE id=1").ok());
  CHECK_FALSE(c.exec("UPDATE responses SET content_hash='0' WHERE id=1").ok());
  CHECK_FALSE(c.exec("UPDATE responses SET key_id='0000000000000000' WHERE id=1").ok());
  CHECK_FALSE(c.exec("UPDATE responses SET ended_utc='2000-01-01T00:00:00Z' WHERE id=1").ok());
  auto del = c.exec("DELETE FROM responses WHERE id=1");
  REQUIRE_FALSE(del.ok());
  CHECK_THAT(del.message(), Catch::Contains("only after the hub has receipted it"));
  // Sync state may change.
  CHECK(s->mark_synced(scalar(*s, "SELECT uuid FROM responses WHERE id=1"), "{\"receipt\":1}", "2016-03-02T00:00:00Z")
            .ok());
  CHECK(scalar(*s, "SELECT sync_state FROM responses WHERE id=1") == "synced");
  CHECK(s->verify()->ok());
}

TEST_CASE("an unfinished response is closed as abandoned at restart, answers kept", "[store]") {
  test::TempDir tmp;
  const std::string path = tmp.file("r.db");
  std::int64_t id = 0;
  {
    auto s = open_new(path);
    FakeClock clock;
    ResponseMeta m;
    m.kiosk_id = "k";
    m.service_point = "castle";
    auto sess = Session::start(bury(), m, clock, s.get());
    REQUIRE(sess.ok());
    REQUIRE((*sess)->answer(Answer{{"agree"}, {}, {}}).ok());
    id = (*sess)->response_id();
    // the process "dies" here: no abandon, no submit
  }
  auto s = open_new(path);
  auto n = s->close_unfinished("2016-03-01T09:00:00Z");
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(scalar(*s, "SELECT status FROM responses WHERE id=" + std::to_string(id)) == "abandoned");
  // The last sealed draft is the abandoned document: the answer is in it.
  auto p = s->pending(10);
  REQUIRE(p->size() == 1);
  auto doc = parse_canonical_document(test::opened(p->at(0)));
  REQUIRE(doc.ok());
  CHECK(doc->first.status == "abandoned");
  CHECK(doc->second.at("q1").choices == std::vector<std::string>{"agree"});
  CHECK(s->counts()->abandoned == 1);
}

TEST_CASE("retention deletes only receipted responses older than the limit", "[store]") {
  test::TempDir tmp;
  auto s = open_new(tmp.file("r.db"));
  SimulateOptions o;
  o.responses = 4;
  REQUIRE(simulate_into(*s, bury(), o).ok());
  auto pending = s->pending(10);
  REQUIRE(pending->size() == 4);
  REQUIRE(s->mark_synced(pending->at(0).uuid, "r0", "2016-03-01T00:00:00Z").ok());
  REQUIRE(s->mark_synced(pending->at(1).uuid, "r1", "2016-03-09T00:00:00Z").ok());
  CHECK(*s->apply_retention(-1, "2016-03-10T00:00:00Z") == 0);  // keep for ever
  CHECK(*s->apply_retention(7, "2016-03-10T00:00:00Z") == 1);   // only the first is 9 days old
  CHECK(*s->apply_retention(0, "2016-03-10T00:00:00Z") == 1);
  auto c = s->counts();
  CHECK(c->completed == 2);
  CHECK(c->pending == 2);  // never deleted without a receipt
  CHECK(scalar(*s, "SELECT count(*) FROM responses WHERE id IN (1,2)") == "0");
  CHECK(s->verify()->ok());  // the ledger accounts for the two deleted after their receipts
}

TEST_CASE("a database from a newer program is refused, not damaged", "[store]") {
  test::TempDir tmp;
  const std::string path = tmp.file("r.db");
  {
    auto s = open_new(path);
    REQUIRE(s->connection().exec("PRAGMA user_version=99").ok());
  }
  auto s = Store::open(path, db::OpenMode::Create, test::seal_pub());
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::Contains("schema version 99"));
  CHECK_THAT(s.message(), Catch::Contains(path));
}

TEST_CASE("a file that is not a database gets a clear error naming it", "[store]") {
  test::TempDir tmp;
  const std::string path = tmp.file("notes.db");
  test::write_file(path, std::string(8192, 'x'));
  auto s = Store::open(path, db::OpenMode::Create, test::seal_pub());
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::StartsWith(path + ":"));
  CHECK_THAT(s.message(), Catch::Contains("not a kiosk database"));
  CHECK(test::read_file(path) == std::string(8192, 'x'));  // untouched
}

TEST_CASE("a full disk fails the save with a clear error and loses nothing stored", "[store]") {
  test::TempDir tmp;
  auto s = open_new(tmp.file("r.db"));
  SimulateOptions o;
  o.responses = 5;
  REQUIRE(simulate_into(*s, bury(), o).ok());
  const auto before = s->counts()->completed;
  // Cap the file at its current size: the next writes hit SQLITE_FULL.
  const std::string pages = scalar(*s, "PRAGMA page_count");
  REQUIRE(s->connection().exec(("PRAGMA max_page_count=" + pages).c_str()).ok());
  o.responses = 500;
  o.seed = 2;
  auto r = simulate_into(*s, bury(), o);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.message(), Catch::Contains("disk is full"));
  CHECK(r.kind() == ErrorKind::DiskFull);
  CHECK(s->counts()->completed == before);
  CHECK(s->verify()->ok());
}

TEST_CASE("a consistent backup is taken while the database is open", "[store]") {
  test::TempDir tmp;
  auto s = open_new(tmp.file("r.db"));
  SimulateOptions o;
  o.responses = 20;
  REQUIRE(simulate_into(*s, bury(), o).ok());
  REQUIRE(s->backup_to(tmp.file("copy.db")).ok());
  auto copy = Store::open(tmp.file("copy.db"), db::OpenMode::ReadWrite, test::seal_pub());
  REQUIRE(copy.ok());
  CHECK((*copy)->counts()->completed == 20);
  CHECK((*copy)->verify()->ok());
}

// ---- The ledger: response numbers ------------------------------------------------

namespace {
std::unique_ptr<Session> start_one(Store& s, const Clock& clock) {
  ResponseMeta m;
  m.kiosk_id = "k";
  m.service_point = "castle";
  auto sess = Session::start(bury(), m, clock, &s);
  REQUIRE(sess.ok());
  return std::move(sess).value();
}
}  // namespace

TEST_CASE("every response gets the next number when it begins, never one given before, even after a deletion",
          "[store][ledger]") {
  test::TempDir tmp;
  auto s = open_new(tmp.file("r.db"));
  FakeClock clock;
  auto a = start_one(*s, clock);
  auto b = start_one(*s, clock);
  CHECK(a->meta().seq == 1);
  CHECK(b->meta().seq == 2);
  SimulateOptions o;
  o.responses = 2;
  REQUIRE(simulate_into(*s, bury(), o).ok());  // numbers 3 and 4
  CHECK(*s->highest_seq() == 4);
  CHECK(scalar(*s, "SELECT group_concat(seq) FROM (SELECT seq FROM responses ORDER BY id)") == "1,2,3,4");
  // The newest row goes (receipted, then retention); its number is not given again.
  const std::string last = scalar(*s, "SELECT uuid FROM responses WHERE seq=4");
  REQUIRE(s->mark_synced(last, "r", "2016-03-01T00:00:00Z").ok());
  REQUIRE(*s->apply_retention(0, "2016-03-10T00:00:00Z") == 1);
  auto c = start_one(*s, clock);
  CHECK(c->meta().seq == 5);
  // A number, once given, is never changed.
  CHECK_FALSE(s->connection().exec("UPDATE responses SET seq=9 WHERE seq=1").ok());
  // Reopening keeps the count.
  s.reset();
  s = open_new(tmp.file("r.db"));
  CHECK(start_one(*s, clock)->meta().seq == 6);
}

TEST_CASE("an abandoned response is frozen as a numbered document and queued for the hub", "[store][ledger]") {
  test::TempDir tmp;
  const std::string path = tmp.file("r.db");
  FakeClock clock;
  std::int64_t crashed = 0;
  {
    auto s = open_new(path);
    auto walked = start_one(*s, clock);
    REQUIRE(walked->answer(Answer{{"agree"}, {}, {}}).ok());
    clock.advance(std::chrono::seconds(40));
    REQUIRE(walked->abandon("timed out").ok());
    auto left = start_one(*s, clock);  // the process "dies" with this one open
    crashed = left->response_id();
  }
  auto s = open_new(path);
  REQUIRE(*s->close_unfinished("2016-03-01T09:00:00Z") == 1);
  auto pending = s->pending(10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 2);
  auto first = parse_canonical_document(test::opened(pending->at(0)));
  REQUIRE(first.ok());
  CHECK(first->first.seq == 1);
  CHECK(first->first.status == "abandoned");
  CHECK(first->first.ended_utc == "2016-03-01T08:00:40Z");
  CHECK(first->second.at("q1").choices == std::vector<std::string>{"agree"});
  CHECK(pending->at(0).content_hash == sha256_hex(pending->at(0).sealed));
  auto second = parse_canonical_document(test::opened(pending->at(1)));
  REQUIRE(second.ok());
  CHECK(second->first.seq == 2);
  CHECK(second->first.status == "abandoned");
  // Ended at its last saved draft (its start: nothing was answered), not at
  // the restart: the draft is promoted as sealed, never opened.
  CHECK(second->first.ended_utc == "2016-03-01T08:00:40Z");
  CHECK(pending->at(1).id == crashed);
  CHECK(s->verify()->ok());
  // Frozen, and kept until the hub has it.
  auto& c = s->connection();
  CHECK_FALSE(c.exec("UPDATE responses SET sealed=x'00' WHERE seq=1").ok());
  auto del = c.exec("DELETE FROM responses WHERE seq=1");
  REQUIRE_FALSE(del.ok());
  CHECK_THAT(del.message(), Catch::Contains("only after the hub has receipted it"));
}

TEST_CASE("a schema-1 database migrates: old responses keep no number and still verify, new ones start at 1",
          "[store][ledger]") {
  test::TempDir tmp;
  const std::string path = tmp.file("r.db");
  std::string old_uuid, doc;
  {
    // Made as the release before the ledger made it: schema 1, holding one
    // completed response with a schema-1 document, in the clear.
    auto conn = db::Connection::open(path, db::OpenMode::Create);
    REQUIRE(conn.ok());
    auto& c = *conn;
    REQUIRE(Store::create_schema(c, 1).ok());
    CompletedResponse r = simulate_one(bury(), SimulateOptions{}, 0);
    old_uuid = r.meta.uuid;
    doc = canonical_document(r.meta, r.answers);
    REQUIRE(doc.find("\"schema\":1") != std::string::npos);
    REQUIRE(doc.find("\"seq\"") == std::string::npos);
    auto ins = db::Statement::prepare(c,
                                      "INSERT INTO responses(uuid, survey_id, survey_version, kiosk_id, service_point, "
                                      "locale, mode, started_utc, status) VALUES(?1,?2,?3,?4,?5,'en','self',?6,"
                                      "'in_progress')");
    REQUIRE(ins.ok());
    ins->bind(1, r.meta.uuid).bind(2, r.meta.survey_id).bind(3, r.meta.survey_version).bind(4, r.meta.kiosk_id);
    ins->bind(5, r.meta.service_point).bind(6, r.meta.started_utc);
    REQUIRE(ins->run().ok());
    const std::int64_t id = c.last_insert_rowid();
    auto ans = db::Statement::prepare(
        c, "INSERT INTO answers(response_id, question_id, choices, text, other) VALUES(?1,?2,?3,?4,?5)");
    REQUIRE(ans.ok());
    for (const auto& [qid, a] : r.answers) {
      std::string choices;
      for (const auto& code : a.choices) choices += (choices.empty() ? "" : ",") + code;
      ans->bind(1, id).bind(2, qid).bind(3, choices).bind(4, a.text).bind(5, a.other_text);
      REQUIRE(ans->run().ok());
    }
    auto done = db::Statement::prepare(c,
                                       "UPDATE responses SET status='completed', ended_utc=?2, canonical=?3, "
                                       "content_hash=?4, sync_state='pending' WHERE id=?1");
    REQUIRE(done.ok());
    done->bind(1, id).bind(2, r.meta.ended_utc).bind(3, doc).bind(4, sha256_hex(doc));
    REQUIRE(done->run().ok());
  }
  // Plain answers and no key to seal them with: refused, saying how to go on.
  {
    auto refused = Store::open(path, db::OpenMode::ReadWrite);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.kind() == ErrorKind::Config);
    CHECK_THAT(refused.message(), Catch::StartsWith(path + ":"));
    CHECK_THAT(refused.message(), Catch::Contains("[sealing] public_key_file"));
  }
  auto s = open_new(path);
  CHECK(scalar(*s, "PRAGMA user_version") == std::to_string(Store::kSchemaVersion));
  CHECK(scalar(*s, "SELECT coalesce(seq, 'none') FROM responses WHERE uuid='" + old_uuid + "'") == "none");
  CHECK(s->verify()->ok());
  CHECK(s->counts()->pending == 1);
  // Sealed as it was: the same document, now only in the sealed box.
  const std::string sealed_doc = test::opened(s->pending(1)->at(0));
  CHECK(sealed_doc == doc);
  auto old = parse_canonical_document(sealed_doc);
  REQUIRE(old.ok());
  CHECK(old->first.seq == 0);
  CHECK(old->first.status == "completed");
  // Scrubbed: nothing of the plain document is left in the file or its WAL.
  for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
    const std::string bytes = test::read_file(f);
    CHECK(bytes.find("\"answers\":{") == std::string::npos);
    CHECK(bytes.find("\"kiosk_id\":") == std::string::npos);
  }
  // The tallies took it in.
  auto sum = scalar(*s, "SELECT count FROM tallies WHERE question_id='' AND survey_id='" + bury().id + "'");
  CHECK(sum == "1");
  FakeClock clock;
  CHECK(start_one(*s, clock)->meta().seq == 1);
}

TEST_CASE("conflicts are listed with when and why, and requeued one or all", "[store][ledger]") {
  test::TempDir tmp;
  auto s = open_new(tmp.file("r.db"));
  SimulateOptions o;
  o.responses = 3;
  REQUIRE(simulate_into(*s, bury(), o).ok());
  auto p = s->pending(10);
  REQUIRE(p->size() == 3);
  REQUIRE(s->mark_conflict(p->at(0).uuid, "the hub already holds a different response", "2016-03-02T10:00:00Z").ok());
  REQUIRE(s->mark_conflict(p->at(2).uuid, "rejected by the hub: answers.q1", "2016-03-02T10:00:01Z").ok());
  auto list = s->conflicts();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK(list->at(0).uuid == p->at(0).uuid);
  CHECK(list->at(0).seq == 1);
  CHECK(list->at(0).conflict_utc == "2016-03-02T10:00:00Z");
  CHECK(list->at(1).detail == "rejected by the hub: answers.q1");
  CHECK(s->counts()->pending == 1);
  CHECK(*s->requeue(p->at(0).uuid) == 1);
  CHECK(s->counts()->pending == 2);
  CHECK(s->counts()->conflict == 1);
  CHECK(*s->requeue("") == 1);
  CHECK(s->counts()->conflict == 0);
  CHECK(s->counts()->pending == 3);
}
