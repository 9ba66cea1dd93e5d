// Sealed answers at the hub (issue 12): real kiosk-hub processes on loopback,
// on SQLite and (in the PostgreSQL run) on PostgreSQL. The sealed items are
// built here with seal_bytes from documents the simulator produces, so the
// hub is tested apart from the kiosk's store.
#include <fcntl.h>
#include <httplib.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "hub_fixture.hpp"
#include "hub_store.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/protocol.hpp"
#include "kiosk/seal.hpp"
#include "kiosk/session.hpp"
#include "kiosk/simulate.hpp"
#include "sync_client.hpp"

using namespace kiosk;
using nlohmann::json;
using test::HubProcess;

namespace {

const std::vector<std::string> kPoints = {"castle", "bury", "radcliffe", "prestwich"};
// Answers no survey text, code or id contains: found anywhere, they leaked.
const char kSentence[] = "Quokka librarians recommend marmalade sandwiches";
const char kPostcode[] = "BL8 4QZ";

// `n` simulated documents of kiosk k1; the first carries the distinctive answers.
std::vector<std::pair<std::string, std::string>> documents(int n, std::uint64_t seed) {
  SimulateOptions o;
  o.seed = seed;
  o.kiosk_id = "k1";
  o.service_points = kPoints;
  std::vector<std::pair<std::string, std::string>> out;
  for (int i = 0; i < n; ++i) {
    CompletedResponse r = simulate_one(test::bury(), o, static_cast<std::uint64_t>(i));
    if (i == 0) {
      r.answers["q7"] = Answer{{"yes"}, "", ""};
      r.answers["q8"] = Answer{{}, kSentence, ""};
      r.answers["q21"] = Answer{{}, kPostcode, ""};
    }
    out.emplace_back(r.meta.uuid, canonical_document(r.meta, r.answers));
  }
  return out;
}

SealPublicKey public_key(const std::string& key_dir, const std::string& id) {
  auto k = parse_public_key(test::read_file(key_dir + "/" + id + ".pub"), id);
  REQUIRE(k.ok());
  return *k;
}

std::string keygen(const std::string& key_dir) {
  auto r = test::run(std::string(KIOSK_HUB_BIN) + " keygen --key-dir '" + key_dir + "'");
  REQUIRE(r.exit_code == 0);
  std::string current = test::read_file(key_dir + "/current");
  REQUIRE(current.size() > 5);
  return current.substr(0, current.find(".key"));
}

json sealed_item(const std::string& uuid, const std::string& doc, const SealPublicKey& to) {
  const std::string sealed = seal_bytes(to, doc);
  return {{protocol::field::kUuid, uuid},
          {protocol::field::kContentHash, sha256_hex(sealed)},
          {protocol::field::kKeyId, to.id},
          {protocol::field::kSealed, base64_encode(sealed)}};
}

json plain_item(const std::string& uuid, const std::string& doc) {
  return {{protocol::field::kUuid, uuid},
          {protocol::field::kContentHash, sha256_hex(doc)},
          {protocol::field::kDocument, doc}};
}

struct SealHub {
  test::TempDir tmp;
  std::string keys = tmp.file("keys");
  HubProcess process{test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log")};
  std::string admin = process.add("add-admin", "council");
  std::string token = process.add("add-device", "k1");

  void start(bool with_keys) {
    process.extra_args.clear();
    process.sealing = with_keys;
    if (with_keys) process.extra_args = {"--key-dir", keys};
    process.start();
  }
  // The receipts of one batch.
  json post(const json& items) {
    httplib::Client c("127.0.0.1", process.port());
    c.set_read_timeout(30, 0);
    json body{{"kiosk_id", "k1"}, {"responses", items}};
    auto r = c.Post("/api/v1/responses", {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["receipts"];
  }
  std::string get(const std::string& path) {
    httplib::Client c("127.0.0.1", process.port());
    auto r = c.Get(path, {{"Authorization", "Bearer " + admin}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return r->body;
  }
  std::string csv() { return get("/api/v1/export?format=csv"); }
  std::vector<std::string> jsonl() {
    std::vector<std::string> out;
    std::istringstream in(get("/api/v1/export?format=jsonl"));
    for (std::string line; std::getline(in, line);) out.push_back(line);
    std::sort(out.begin(), out.end());
    return out;
  }
  // Everything the database holds, as bytes: the SQLite file and its WAL, or a dump of the PostgreSQL database.
  std::string database_bytes() {
    if (test::using_postgres()) {
      auto r = test::run("pg_dump '" + process.db() + "'");
      REQUIRE(r.exit_code == 0);
      return r.out;
    }
    std::string all;
    for (const char* suffix : {"", "-wal", "-journal"})
      if (std::filesystem::exists(process.db() + suffix)) all += test::read_file(process.db() + suffix);
    REQUIRE(!all.empty());
    return all;
  }
};

bool holds(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::int64_t count_status(const json& receipts, const std::string& status) {
  return std::count_if(receipts.begin(), receipts.end(), [&](const json& r) { return r["status"] == status; });
}

std::vector<std::string> plain_of(const std::vector<std::pair<std::string, std::string>>& docs) {
  std::vector<std::string> out;
  for (const auto& d : docs) out.push_back(d.second);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("sealed uploads: stored sealed, exported as today's CSV, and the database holds no answer",
          "[sync][e2e][seal]") {
  const auto docs = documents(60, 4242);
  // Today's hub: plain uploads, stored plain.
  SealHub today;
  today.start(false);
  json plain = json::array();
  for (const auto& [uuid, doc] : docs) plain.push_back(plain_item(uuid, doc));
  CHECK(count_status(today.post(plain), "stored") == 60);
  const std::string expected_csv = today.csv();
  CHECK(holds(today.database_bytes(), kSentence));  // the search would find it

  SealHub hub;
  const std::string id = keygen(hub.keys);
  hub.start(true);
  const SealPublicKey key = public_key(hub.keys, id);
  json sealed = json::array();
  for (const auto& [uuid, doc] : docs) sealed.push_back(sealed_item(uuid, doc, key));
  const json receipts = hub.post(sealed);
  CHECK(count_status(receipts, "stored") == 60);
  for (const auto& r : receipts) CHECK(!r.value("receipt", "").empty());

  // A retry, sealed afresh (other bytes, the same document): a duplicate. Other content: a conflict.
  SimulateOptions o;
  o.seed = 4242;
  o.kiosk_id = "k1";
  o.service_points = kPoints;
  CompletedResponse changed = simulate_one(test::bury(), o, 1);
  changed.answers["q21"] = Answer{{}, "BL9 0AA", ""};
  REQUIRE(canonical_document(changed.meta, changed.answers) != docs[1].second);
  const json again =
      hub.post(json::array({sealed_item(docs[0].first, docs[0].second, key), sealed[2],
                            sealed_item(docs[1].first, canonical_document(changed.meta, changed.answers), key)}));
  CHECK(again[0]["status"] == "duplicate");
  CHECK(again[1]["status"] == "duplicate");
  CHECK(again[2]["status"] == "conflict");

  // Exports open each document as it streams: the same CSV as today's, the same documents.
  CHECK(hub.csv() == expected_csv);
  CHECK(hub.jsonl() == plain_of(docs));
  const std::string jsonl = hub.get("/api/v1/export?format=jsonl");
  CHECK(holds(jsonl, kSentence));
  CHECK(holds(jsonl, kPostcode));

  // Refused items: a key the hub lacks is held; altered bytes and a document
  // under another uuid are refused and quarantined, still sealed.
  const SealSecretKey stranger = generate_seal_key();
  auto altered = sealed_item(docs[3].first, docs[3].second, key);
  std::string bytes = *base64_decode(altered["sealed"].get<std::string>());
  bytes[60] = static_cast<char>(bytes[60] ^ 1);
  altered["sealed"] = base64_encode(bytes);
  altered["content_hash"] = sha256_hex(bytes);
  const std::string other_uuid = new_uuid_v4();
  const json refused = hub.post(json::array({sealed_item(new_uuid_v4(), docs[4].second, stranger.pub), altered,
                                             sealed_item(other_uuid, docs[0].second, key)}));
  CHECK(refused[0]["status"] == "held");
  CHECK(refused[0]["code"] == 503);
  CHECK(refused[0]["reason"] == protocol::reason::kUnknownKey);
  CHECK(refused[1]["status"] == "rejected");
  CHECK(refused[1]["code"] == 422);
  CHECK(refused[2]["status"] == "rejected");
  CHECK(holds(refused[2].value("detail", ""), "uuid"));
  // A plain upload refused after its check (a service point the hub does not know) is kept sealed too.
  auto elsewhere = json::parse(docs[0].second);
  elsewhere["uuid"] = new_uuid_v4();
  elsewhere["service_point"] = "atlantis";
  const json refused_plain = hub.post(json::array({plain_item(elsewhere["uuid"], elsewhere.dump())}));
  CHECK(refused_plain[0]["status"] == "rejected");
  {
    auto store = hub::open_hub_store(hub.process.db());
    REQUIRE(store.ok());
    auto q = (*store)->quarantine_latest(10);
    REQUIRE(q.ok());
    REQUIRE(q->size() == 3);
    for (const auto& row : *q) CHECK(!row.key_id.empty());
  }
  const std::string status_page = hub.get("/");
  CHECK(holds(status_page, "sealed (key " + id + ")"));
  CHECK(!holds(status_page, kSentence));

  // Nowhere in the database, its WAL or (PostgreSQL) a dump of it.
  const std::string held = hub.database_bytes();
  CHECK(!holds(held, kSentence));
  CHECK(!holds(held, kPostcode));
}

TEST_CASE("rotation: responses sealed to the old key and to the new one both export, and the survey's ETag changes",
          "[sync][e2e][seal]") {
  const auto docs = documents(40, 99);
  SealHub today;
  today.start(false);
  json plain = json::array();
  for (const auto& [uuid, doc] : docs) plain.push_back(plain_item(uuid, doc));
  REQUIRE(count_status(today.post(plain), "stored") == 40);

  SealHub hub;
  const std::string old_id = keygen(hub.keys);
  hub.start(true);
  auto survey = [&] {
    httplib::Client c("127.0.0.1", hub.process.port());
    auto r = c.Get("/api/v1/survey", {{"Authorization", "Bearer " + hub.token}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  };
  const json first = survey();
  std::string pub_line = test::read_file(hub.keys + "/" + old_id + ".pub");
  pub_line.pop_back();  // the newline
  CHECK(first[protocol::field::kSealPublicKey] == pub_line);
  const SealPublicKey old_key = public_key(hub.keys, old_id);
  json batch = json::array();
  for (int i = 0; i < 20; ++i) batch.push_back(sealed_item(docs[i].first, docs[i].second, old_key));
  CHECK(count_status(hub.post(batch), "stored") == 20);
  hub.process.stop();

  const std::string new_id = keygen(hub.keys);
  REQUIRE(new_id != old_id);
  CHECK(std::filesystem::exists(hub.keys + "/" + old_id + ".key"));
  hub.start(true);
  const json second = survey();
  CHECK(second[protocol::field::kSealPublicKey].get<std::string>().find(new_id) != std::string::npos);
  CHECK(second[protocol::field::kEtag] != first[protocol::field::kEtag]);
  CHECK(second[protocol::field::kDefinition] == first[protocol::field::kDefinition]);

  // New responses sealed to the new key; a kiosk not yet told seals to the
  // old one; an older kiosk sends plain documents (stored sealed to the new key).
  const SealPublicKey new_key = public_key(hub.keys, new_id);
  batch = json::array();
  for (int i = 20; i < 30; ++i) batch.push_back(sealed_item(docs[i].first, docs[i].second, new_key));
  for (int i = 30; i < 35; ++i) batch.push_back(sealed_item(docs[i].first, docs[i].second, old_key));
  for (int i = 35; i < 40; ++i) batch.push_back(plain_item(docs[i].first, docs[i].second));
  CHECK(count_status(hub.post(batch), "stored") == 20);

  CHECK(hub.csv() == today.csv());
  CHECK(hub.jsonl() == plain_of(docs));
  CHECK(!holds(hub.database_bytes(), kSentence));
}

TEST_CASE("a hub given keys after storing plain documents seals them at start and still exports them",
          "[sync][e2e][seal]") {
  const auto docs = documents(30, 7);
  SealHub hub;
  hub.start(false);
  json plain = json::array();
  for (const auto& [uuid, doc] : docs) plain.push_back(plain_item(uuid, doc));
  REQUIRE(count_status(hub.post(plain), "stored") == 30);
  const std::string before = hub.csv();
  auto summary_before = json::parse(hub.get("/api/v1/summary"));
  hub.process.stop();
  REQUIRE(holds(hub.database_bytes(), kSentence));

  keygen(hub.keys);
  hub.start(true);
  CHECK(hub.csv() == before);
  CHECK(hub.jsonl() == plain_of(docs));
  CHECK(json::parse(hub.get("/api/v1/summary")) == summary_before);
  // The same documents sent again are duplicates of what was sealed.
  CHECK(count_status(hub.post(plain), "duplicate") == 30);
  hub.process.stop();
  const std::string held = hub.database_bytes();
  CHECK(!holds(held, kSentence));
  CHECK(!holds(held, kPostcode));
}

TEST_CASE("kiosk-hub keygen writes a 0600 secret and a public key, and serve refuses a key file others may read",
          "[hub][seal]") {
  test::TempDir tmp;
  const std::string keys = tmp.file("keys");
  // Whatever the umask, the secret is created 0600 and the directory 0700.
  auto r = test::run("umask 000; " + std::string(KIOSK_HUB_BIN) + " keygen --key-dir '" + keys + "'");
  REQUIRE(r.exit_code == 0);
  const std::string id = test::read_file(keys + "/current").substr(0, 16);
  struct stat st {};
  REQUIRE(::stat((keys + "/" + id + ".key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((keys + "/" + id + ".pub").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  REQUIRE(::stat(keys.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(parse_secret_key(test::read_file(keys + "/" + id + ".key"), "key").ok());
  CHECK(parse_public_key(test::read_file(keys + "/" + id + ".pub"), "pub").ok());

  // A second key becomes current; the first stays.
  const std::string id2 = keygen(keys);
  CHECK(id2 != id);
  CHECK(std::filesystem::exists(keys + "/" + id + ".key"));

  // A key directory others may write to is refused.
  const std::string open_dir = tmp.file("open");
  std::filesystem::create_directory(open_dir);
  std::filesystem::permissions(open_dir, std::filesystem::perms::all);
  CHECK(test::run(std::string(KIOSK_HUB_BIN) + " keygen --key-dir '" + open_dir + "'").exit_code == 1);

  auto serve = [&](const std::string& dir) {
    return test::run(std::string(KIOSK_HUB_BIN) + " serve --port 0 --db '" + tmp.file("hub.db") + "' --survey '" +
                     test::bury_survey() + "' --key-dir '" + dir + "'");
  };
  auto one_line_naming = [](const test::RunResult& res, const std::string& file) {
    CHECK(res.exit_code == 1);
    CHECK(res.err.find(file) != std::string::npos);
    CHECK(std::count(res.err.begin(), res.err.end(), '\n') == 1);
  };
  // A secret key others may read.
  const std::string key_file = keys + "/" + id + ".key";
  ::chmod(key_file.c_str(), 0644);
  one_line_naming(serve(keys), key_file);
  ::chmod(key_file.c_str(), 0600);
  // A malformed one.
  const std::string bad = keys + "/0123456789abcdef.key";
  {
    const int fd = ::open(bad.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, "kiosk-seal-secret-v1 nonsense\n", 30) == 30);
    ::close(fd);
  }
  one_line_naming(serve(keys), bad);
  std::filesystem::remove(bad);
  // No key at all.
  const std::string empty = tmp.file("empty");
  std::filesystem::create_directory(empty);
  std::filesystem::permissions(empty, std::filesystem::perms::owner_all);
  one_line_naming(serve(empty), empty);
}

TEST_CASE("a survey pull carrying a sealing key that does not parse is not applied, while a good one is written 0644",
          "[sync][e2e][seal]") {
  SealHub hub;
  const std::string id = keygen(hub.keys);
  hub.start(true);
  test::TempDir tmp;
  const std::string key_file = tmp.file("council.pub");

  // The hub's survey as it is, with its key broken in transit or by a bad hub.
  httplib::Client c("127.0.0.1", hub.process.port());
  auto good = c.Get("/api/v1/survey", {{"Authorization", "Bearer " + hub.token}});
  REQUIRE(good);
  json broken = json::parse(good->body);
  broken[protocol::field::kSealPublicKey] = "kiosk-seal-public-v1 " + id + " bm90IGEga2V5";
  broken[protocol::field::kEtag] = "\"broken\"";
  test::FaultProxy proxy(hub.process.port());
  proxy.canned(test::FaultProxy::response(200, "OK", "application/json", broken.dump()));

  sync::SyncSettings s;
  s.hub_url = proxy.url();
  s.token = hub.token;
  s.kiosk_id = "k1";
  s.service_point = "castle";
  s.connect_timeout_seconds = 2;
  s.stall_timeout_seconds = 2;
  s.total_timeout_seconds = 20;
  s.seal_public_key_file = key_file;
  {
    auto store = Store::open(tmp.file("k1.db"));
    REQUIRE(store.ok());
    sync::SyncClient client(s, **store);
    const auto pulled = client.fetch_survey("");
    REQUIRE(!pulled.ok());
    CHECK(pulled.kind() == ErrorKind::Validation);
  }
  {
    sync::SyncWorker worker(s, tmp.file("k1.db"), 3600, 3600);
    worker.start();
    CHECK(worker.wait_status([](const sync::SyncStatus& st) { return !st.last_error.empty(); },
                             std::chrono::seconds(30)));
    worker.stop();
    CHECK(!worker.take_survey_update());
  }
  CHECK(!std::filesystem::exists(key_file));
  {
    auto store = Store::open(tmp.file("k1.db"));
    REQUIRE(store.ok());
    auto etag = (*store)->get_meta("hub_survey_etag");
    CHECK((!etag.ok() || etag->empty()));
  }

  // The real pull: the key file written whole, 0644, the survey taken.
  proxy.pass();
  {
    sync::SyncWorker worker(s, tmp.file("k1.db"), 3600, 3600);
    worker.start();
    CHECK(worker.wait_status([&](const sync::SyncStatus&) { return std::filesystem::exists(key_file); },
                             std::chrono::seconds(30)));
    worker.stop();
    CHECK(worker.take_survey_update());
  }
  CHECK(test::read_file(key_file) == test::read_file(hub.keys + "/" + id + ".pub"));
  struct stat st {};
  REQUIRE(::stat(key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(!std::filesystem::exists(key_file + ".new"));
}
