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
  auto s = Store::open(path);
  REQUIRE(s.ok());
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
  auto edit = c.exec("UPDATE responses SET canonical='{}' WHERE id=1");
  REQUIRE_FALSE(edit.ok());
  CHECK_THAT(edit.message(), Catch::Contains("completed responses are never edited"));
  CHECK_FALSE(c.exec("UPDATE responses SET status='abandoned' WHERE id=1").ok());
  CHECK_FALSE(c.exec("UPDATE answers SET choices='agree' WHERE response_id=1").ok());
  CHECK_FALSE(c.exec("DELETE FROM answers WHERE response_id=1").ok());
  CHECK_FALSE(c.exec("INSERT INTO answers(response_id, question_id) VALUES(1, 'q99')").ok());
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
  CHECK(scalar(*s, "SELECT choices FROM answers WHERE response_id=" + std::to_string(id) + " AND question_id='q1'") ==
        "agree");
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
  CHECK(scalar(*s, "SELECT count(*) FROM answers WHERE response_id IN (1,2)") == "0");
}

TEST_CASE("a database from a newer program is refused, not damaged", "[store]") {
  test::TempDir tmp;
  const std::string path = tmp.file("r.db");
  {
    auto s = open_new(path);
    REQUIRE(s->connection().exec("PRAGMA user_version=99").ok());
  }
  auto s = Store::open(path);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.message(), Catch::Contains("schema version 99"));
  CHECK_THAT(s.message(), Catch::Contains(path));
}

TEST_CASE("a file that is not a database gets a clear error naming it", "[store]") {
  test::TempDir tmp;
  const std::string path = tmp.file("notes.db");
  test::write_file(path, std::string(8192, 'x'));
  auto s = Store::open(path);
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
  auto copy = Store::open(tmp.file("copy.db"), db::OpenMode::ReadWrite);
  REQUIRE(copy.ok());
  CHECK((*copy)->counts()->completed == 20);
  CHECK((*copy)->verify()->ok());
}
