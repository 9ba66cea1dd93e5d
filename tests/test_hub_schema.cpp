// The hub's two databases hold the same schema: each store writes its own
// DDL (hub_store_sqlite.cpp, hub_store_pg.cpp), so this compares what each
// makes, table by table: columns in order with their kinds, what may be
// empty, primary keys, indexes and triggers; and that the trigger does what
// it says in both. Runs in the PostgreSQL run (it needs both databases).
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hub_fixture.hpp"
#include "hub_store.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/db.hpp"

using namespace kiosk;

namespace {

// What a table is, in words both databases can be brought to.
struct Shape {
  std::map<std::string, std::vector<std::string>> columns;  // table -> "name kind [not null] [key]" in order
  std::set<std::string> indexes, triggers;
};

std::string kind_of(std::string type) {
  for (auto& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (type == "integer" || type == "bigint") return "integer";
  if (type == "text") return "text";
  return "other:" + type;
}

std::string column(const std::string& name, const std::string& type, bool not_null, bool key) {
  // A primary key is never empty, whether or not the database says NOT NULL
  // (SQLite's INTEGER PRIMARY KEY does not).
  return name + " " + kind_of(type) + (not_null || key ? " not null" : "") + (key ? " key" : "");
}

Shape sqlite_shape(const std::string& path) {
  auto c = db::Connection::open(path, db::OpenMode::ReadOnly);
  REQUIRE(c.ok());
  Shape s;
  auto tables = db::Statement::prepare(*c, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name");
  REQUIRE(tables.ok());
  std::vector<std::string> names;
  while (*tables->step()) names.push_back(tables->str(0));
  for (const auto& t : names) {
    auto cols =
        db::Statement::prepare(*c, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid");
    REQUIRE(cols.ok());
    cols->bind(1, t);
    while (*cols->step())
      s.columns[t].push_back(column(cols->str(0), cols->str(1), cols->integer(2) != 0, cols->integer(3) != 0));
  }
  auto other = db::Statement::prepare(
      *c, "SELECT type, name FROM sqlite_master WHERE type IN ('index','trigger') AND name NOT LIKE 'sqlite_%'");
  REQUIRE(other.ok());
  while (*other->step()) (other->str(0) == "index" ? s.indexes : s.triggers).insert(other->str(1));
  return s;
}

std::vector<std::vector<std::string>> psql_rows(const std::string& url, const std::string& sql) {
  const auto r = test::run("psql -X -q -At -F '|' -v ON_ERROR_STOP=1 '" + url + "' -c \"" + sql + "\"");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> row;
    std::istringstream fields(line);
    for (std::string f; std::getline(fields, f, '|');) row.push_back(f);
    rows.push_back(row);
  }
  return rows;
}

Shape pg_shape(const std::string& url) {
  Shape s;
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& r : psql_rows(url,
                                 "SELECT kcu.table_name, kcu.column_name FROM information_schema.table_constraints tc "
                                 "JOIN information_schema.key_column_usage kcu USING (constraint_schema, "
                                 "constraint_name) WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = "
                                 "'public'"))
    keys.insert({r.at(0), r.at(1)});
  for (const auto& r : psql_rows(url,
                                 "SELECT table_name, column_name, data_type, is_nullable FROM "
                                 "information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, "
                                 "ordinal_position"))
    s.columns[r.at(0)].push_back(column(r.at(1), r.at(2), r.at(3) == "NO", keys.count({r.at(0), r.at(1)}) > 0));
  // Indexes the schema names (not those PostgreSQL makes for a key or a UNIQUE).
  for (const auto& r : psql_rows(url,
                                 "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN "
                                 "pg_namespace n ON n.oid = i.relnamespace WHERE n.nspname = 'public' AND NOT "
                                 "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"))
    s.indexes.insert(r.at(0));
  for (const auto& r : psql_rows(url, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
    s.triggers.insert(r.at(0));
  return s;
}

}  // namespace

TEST_CASE("the hub's SQLite and PostgreSQL schemas agree: tables, columns in order, keys, indexes, triggers",
          "[.][e2e][schema]") {
  // Both databases are needed: only the PostgreSQL run gives one.
  REQUIRE(test::using_postgres());
  test::TempDir tmp;
  const std::string sqlite_path = tmp.file("hub.db"), pg_url = test::hub_database(tmp);
  for (const auto& where : {sqlite_path, pg_url}) {
    auto store = hub::open_hub_store(where);
    INFO(where);
    REQUIRE(store.ok());
  }
  const Shape lite = sqlite_shape(sqlite_path), pg = pg_shape(pg_url);
  std::set<std::string> tables;
  for (const auto& [t, cols] : lite.columns) tables.insert(t);
  for (const auto& [t, cols] : pg.columns) tables.insert(t);
  for (const auto& t : tables) {
    INFO("table " << t);
    REQUIRE(lite.columns.count(t));
    REQUIRE(pg.columns.count(t));
    CHECK(lite.columns.at(t) == pg.columns.at(t));
  }
  CHECK(lite.indexes == pg.indexes);
  CHECK(lite.triggers == pg.triggers);
  CHECK(tables.size() >= 10);

  // The trigger does what it says in both: a stored response is never changed.
  for (const auto& where : {sqlite_path, pg_url}) {
    INFO(where);
    auto store = hub::open_hub_store(where);
    REQUIRE(store.ok());
    hub::Incoming in;
    in.uuid = new_uuid_v4();
    in.document = "{}";
    in.content_hash = sha256_hex(in.document);
    in.kiosk_id = "k1";
    REQUIRE((*store)->ingest("k1", {in}).ok());
  }
  const auto lite_update = test::run("sqlite3 '" + sqlite_path + "' \"UPDATE responses SET document='x'\"");
  CHECK(lite_update.exit_code != 0);
  CHECK_THAT(lite_update.err, Catch::Contains("stored responses are never overwritten"));
  const auto pg_update =
      test::run("psql -X -q -v ON_ERROR_STOP=1 '" + pg_url + "' -c \"UPDATE responses SET document='x'\"");
  CHECK(pg_update.exit_code != 0);
  CHECK_THAT(pg_update.err, Catch::Contains("stored responses are never overwritten"));
}
