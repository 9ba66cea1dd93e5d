// End to end: real kiosk-hub processes on loopback, simulated kiosks with
// their own databases, the libcurl sync client, and injected faults. After
// every fault: every response at the hub exactly once, none marked synced
// without a receipt. The same suite runs on SQLite and on PostgreSQL.
#include <httplib.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "fake_systemd.hpp"
#include "hub_fixture.hpp"
#include "hub_ledger.hpp"
#include "hub_store.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/protocol.hpp"
#include "kiosk/simulate.hpp"
#include "sync_client.hpp"

using namespace kiosk;
using test::FaultProxy;
using test::HubProcess;

namespace {

const Survey& bury() { return test::bury(); }

std::unique_ptr<Store> make_kiosk(const test::TempDir& tmp, const std::string& name, int n, std::uint64_t seed) {
  auto s = Store::open(tmp.file(name + ".db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = n;
  o.seed = seed;
  o.kiosk_id = name;
  o.service_points = {"castle", "bury", "radcliffe", "prestwich"};
  REQUIRE(simulate_into(**s, bury(), o).ok());
  return std::move(s).value();
}

sync::SyncSettings settings(const std::string& url, const std::string& token, const std::string& kiosk) {
  sync::SyncSettings s;
  s.hub_url = url;
  s.token = token;
  s.kiosk_id = kiosk;
  s.service_point = "castle";
  s.batch_size = 100;
  // Long enough that no test depends on a busy machine's hub answering
  // within it; a test of the timeout itself sets its own.
  s.connect_timeout_seconds = 5;
  s.stall_timeout_seconds = 10;
  s.total_timeout_seconds = 30;
  return s;
}

// The same, behind a line slower than the hub's deadline: the proxy takes
// each request at once and paces it to the hub, so the kiosk sees no byte
// move while it waits, and its stall timer must outlast the line.
sync::SyncSettings on_slow_line(const std::string& url, const std::string& token, const std::string& kiosk) {
  auto st = settings(url, token, kiosk);
  st.stall_timeout_seconds = 60;
  st.total_timeout_seconds = 60;
  return st;
}

// The JSON Lines export of the hub on `port`, one document a line.
std::vector<std::string> exported_documents(int port, const std::string& admin) {
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/api/v1/export?format=jsonl", {{"Authorization", "Bearer " + admin}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
  std::vector<std::string> out;
  std::istringstream in(r->body);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct Hub {
  test::TempDir tmp;
  HubProcess process{test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log")};
  std::string admin = process.add("add-admin", "council");
  Hub() { process.start(); }

  std::vector<std::string> documents() { return exported_documents(process.port(), admin); }
  std::set<std::string> uuids() {
    std::set<std::string> out;
    for (const auto& d : documents()) out.insert(nlohmann::json::parse(d)["uuid"].get<std::string>());
    return out;
  }
};

std::set<std::string> local_uuids(Store& s) {
  std::set<std::string> out;
  auto q = db::Statement::prepare(s.connection(), "SELECT uuid FROM responses WHERE status='completed'");
  while (*q->step()) out.insert(q->str(0));
  return out;
}

// The store's promise: synced only with a receipt.
void check_no_synced_without_receipt(Store& s) {
  auto q = db::Statement::prepare(
      s.connection(), "SELECT count(*) FROM responses WHERE sync_state='synced' AND (receipt IS NULL OR receipt='')");
  REQUIRE(*q->step());
  CHECK(q->integer(0) == 0);
}

void check_exactly_once(Hub& hub, const std::set<std::string>& expected) {
  const auto docs = hub.documents();
  std::set<std::string> seen;
  for (const auto& d : docs) seen.insert(nlohmann::json::parse(d)["uuid"].get<std::string>());
  CHECK(docs.size() == seen.size());  // no duplicates
  CHECK(seen == expected);            // no gaps
}

}  // namespace

TEST_CASE("ten kiosks sync to one hub: every response exactly once: re-sync changes nothing", "[sync][e2e]") {
  Hub hub;
  test::TempDir tmp;
  std::set<std::string> all;
  std::vector<std::unique_ptr<Store>> kiosks;
  std::string union_csv_rows;
  for (int k = 0; k < 10; ++k) {
    const std::string name = "kiosk-" + std::to_string(k);
    const std::string token = hub.process.add("add-device", name);
    kiosks.push_back(make_kiosk(tmp, name, 40 + k * 7, 100 + static_cast<std::uint64_t>(k)));
    for (const auto& u : local_uuids(*kiosks.back())) all.insert(u);
    sync::SyncClient client(settings(hub.process.url(), token, name), *kiosks.back());
    auto o = client.upload_all();
    INFO(o.message);
    REQUIRE(o.kind == sync::BatchOutcome::Kind::Receipted);
    CHECK(o.stored == 40 + k * 7);
    CHECK(client.send_heartbeat("").ok());
    CHECK(kiosks.back()->counts()->pending == 0);
    check_no_synced_without_receipt(*kiosks.back());
    // Re-sync: nothing left to send.
    CHECK(client.upload_all().kind == sync::BatchOutcome::Kind::NothingPending);
    REQUIRE(export_csv(*kiosks.back(), test::keyring(), bury(), tmp.file(name + ".csv")).ok());
    const std::string csv = test::read_file(tmp.file(name + ".csv"));
    union_csv_rows += csv.substr(csv.find("\r\n") + 2);
  }
  check_exactly_once(hub, all);

  // The hub's CSV holds exactly the union of the kiosks' rows.
  httplib::Client c("127.0.0.1", hub.process.port());
  auto r = c.Get("/api/v1/export?format=csv", {{"Authorization", "Bearer " + hub.admin}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
  auto lines = [](const std::string& text) {
    std::multiset<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.insert(l);
    return out;
  };
  const std::string hub_rows = r->body.substr(r->body.find("\r\n") + 2);
  CHECK(lines(hub_rows) == lines(union_csv_rows));

  // The status page lists every kiosk with its totals.
  auto page = c.Get("/", {httplib::make_basic_authentication_header("staff", hub.admin)});
  REQUIRE(page);
  CHECK(page->status == 200);
  for (int k = 0; k < 10; ++k) CHECK_THAT(page->body, Catch::Contains("kiosk-" + std::to_string(k)));
  CHECK_THAT(page->body, Catch::Contains(std::to_string(all.size())));
  auto unauth = c.Get("/");
  REQUIRE(unauth);
  CHECK(unauth->status == 401);
}

TEST_CASE("hub down, then up", "[sync][e2e][fault]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  auto store = make_kiosk(tmp, "k1", 30, 1);
  const int port = hub.process.port();
  hub.process.stop();
  sync::SyncClient client(settings("http://127.0.0.1:" + std::to_string(port), token, "k1"), *store);
  auto down = client.upload_all();
  CHECK(down.kind == sync::BatchOutcome::Kind::RetryLater);
  CHECK_THAT(down.message, Catch::Contains("Cannot reach the hub"));
  CHECK(store->counts()->synced == 0);
  hub.process.start(port);
  auto up = client.upload_all();
  CHECK(up.kind == sync::BatchOutcome::Kind::Receipted);
  CHECK(store->counts()->pending == 0);
  check_exactly_once(hub, local_uuids(*store));
}

TEST_CASE("a kiosk on a slow line delivers a batch that takes longer than the hub's deadline, and a trickle is cut",
          "[sync][e2e][fault][client]") {
  test::TempDir tmp;
  HubProcess hub(test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log"));
  const std::string token = hub.add("add-device", "k1");
  const std::string token2 = hub.add("add-device", "k2");
  hub.extra_args = {"--request-timeout", "2"};  // the deadline a batch at 10 kB/s passes
  hub.start();
  auto store = make_kiosk(tmp, "k1", 60, 5);
  FaultProxy proxy(hub.port());
  proxy.slow_line(10 * 1024);
  sync::SyncClient client(on_slow_line(proxy.url(), token, "k1"), *store);
  const auto t0 = std::chrono::steady_clock::now();
  const auto o = client.upload_batch();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(o.message);
  CHECK(o.kind == sync::BatchOutcome::Kind::Receipted);
  CHECK(o.stored == 60);
  CHECK(seconds > 2.5);  // the batch did take longer than the deadline on that line
  CHECK(store->counts()->pending == 0);
  // What staff are told: the line as measured, and the smaller batches it carries.
  const auto line = client.line();
  INFO("measured " << line.bytes_per_second << " bytes/s; now " << line.batch_size << " at a time");
  CHECK(line.bytes_per_second > 0);
  CHECK(line.bytes_per_second <= 10.5 * 1024);  // never more than the line carried
  CHECK(line.slow());
  CHECK(line.batch_size < 100);
  CHECK_FALSE(line.too_slow_for_one);
  // At 300 bytes a second the body is cut at the deadline: nothing stored, all kept.
  auto slow = make_kiosk(tmp, "k2", 60, 6);
  proxy.slow_line(300);
  sync::SyncClient trickle(on_slow_line(proxy.url(), token2, "k2"), *slow);
  const auto cut = trickle.upload_batch();
  INFO(cut.message);
  CHECK(cut.kind == sync::BatchOutcome::Kind::RetryLater);
  CHECK(slow->counts()->pending == 60);
  // Cut at one response too: the kiosk can send nothing smaller, and says so.
  {
    auto st = on_slow_line(proxy.url(), token2, "k2");
    st.batch_size = 2;
    sync::SyncClient one_by_one(st, *slow);
    const auto cut_at_one = one_by_one.upload_all();
    INFO(cut_at_one.message);
    CHECK(cut_at_one.kind == sync::BatchOutcome::Kind::RetryLater);
    CHECK(one_by_one.line().too_slow_for_one);
    CHECK(slow->counts()->pending == 60);
  }
  auto store_view = hub::open_hub_store(hub.db());
  REQUIRE(store_view.ok());
  CHECK(*(*store_view)->response_count() == 60);

  // A hub (or a proxy before it) that cuts any request longer than its
  // deadline, whatever the rate: the kiosk halves the batch each time it is
  // cut, and the whole backlog arrives, each response once.
  hub.stop();
  hub.extra_args = {"--request-timeout", "2", "--min-upload-rate", "0"};
  hub.start();
  FaultProxy cutting(hub.port());
  cutting.slow_line(10 * 1024);
  sync::SyncClient halving(on_slow_line(cutting.url(), token2, "k2"), *slow);
  const auto all = halving.upload_all();
  INFO(all.message);
  CHECK(all.kind == sync::BatchOutcome::Kind::Receipted);
  CHECK(slow->counts()->pending == 0);
  CHECK_FALSE(halving.line().too_slow_for_one);
  CHECK(*(*store_view)->response_count() == 120);
}

// Behind something that cuts every request at a fixed total time (here the
// hub itself, with no minimum rate; in the field a proxy or load balancer),
// a batch sized by the line's speed grows back into the cut after each
// success: the kiosk used to be cut three or four times for every batch it
// delivered. It now remembers the smallest batch cut and stays below it.
TEST_CASE(
    "behind a cut at a fixed total time, the kiosk's batches settle below it instead of being cut again and "
    "again",
    "[sync][e2e][fault][client]") {
  test::TempDir tmp;
  HubProcess hub(test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log"));
  const std::string token = hub.add("add-device", "k1");
  hub.extra_args = {"--request-timeout", "1", "--min-upload-rate", "0"};
  hub.start();
  constexpr int kBacklog = 200;
  auto store = make_kiosk(tmp, "k1", kBacklog, 11);
  FaultProxy proxy(hub.port());
  proxy.slow_line(20 * 1024);
  sync::SyncClient client(on_slow_line(proxy.url(), token, "k1"), *store);
  int cuts = 0, delivered = 0, since_last_cut = 0;
  std::vector<int> sizes;
  for (int i = 0; i < 400 && store->counts()->pending > 0; ++i) {
    const auto o = client.upload_batch();
    INFO(o.message);
    sizes.push_back(o.sent);
    if (o.kind == sync::BatchOutcome::Kind::Receipted) {
      ++delivered;
      ++since_last_cut;
    } else {
      REQUIRE(o.kind == sync::BatchOutcome::Kind::RetryLater);
      REQUIRE(o.retry_now);  // cut off: smaller at once
      ++cuts;
      since_last_cut = 0;
    }
  }
  std::string seen;
  for (int n : sizes) seen += std::to_string(n) + " ";
  INFO("batch sizes sent: " << seen);
  CHECK(store->counts()->pending == 0);
  // Each cut lowers the ceiling by a quarter or more: a handful of cuts,
  // then none (before: more cut batches than delivered ones, to the end).
  CHECK(cuts <= 12);
  CHECK(cuts < delivered);
  CHECK(since_last_cut >= 3);
  auto view = hub::open_hub_store(hub.db());
  REQUIRE(view.ok());
  CHECK(*(*view)->response_count() == kBacklog);
}

TEST_CASE("faults between kiosk and hub never mark a response synced without a receipt", "[sync][e2e][fault][client]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  auto store = make_kiosk(tmp, "k1", 250, 2);
  FaultProxy proxy(hub.process.port());
  sync::SyncClient client(settings(proxy.url(), token, "k1"), *store);
  using K = sync::BatchOutcome::Kind;

  SECTION("500") {
    proxy.canned(FaultProxy::response(500, "Internal Server Error", "text/plain", "oops"));
    auto o = client.upload_all();
    CHECK(o.kind == K::RetryLater);
    CHECK(o.http_status == 500);
  }
  SECTION("503 with Retry-After") {
    proxy.canned(FaultProxy::response(503, "Service Unavailable", "text/plain", "busy", "Retry-After: 7\r\n"));
    auto o = client.upload_all();
    CHECK(o.kind == K::RetryLater);
    REQUIRE(o.retry_after_seconds.has_value());
    CHECK(*o.retry_after_seconds == 7);
  }
  SECTION("503 naming the hub's full disk, or its database not answering: said as such") {
    proxy.canned(FaultProxy::response(
        503, "Service Unavailable", "application/json",
        R"({"api":1,"error":"could not store the batch (nothing was stored): the hub's disk is full","reason":"hub_disk_full"})",
        "Retry-After: 300\r\n"));
    auto o = client.upload_all();
    CHECK(o.kind == K::RetryLater);
    CHECK(o.reason == "hub_disk_full");
    CHECK_THAT(o.message, Catch::Contains("The hub's disk is full") && Catch::Contains("Nothing is lost"));
    proxy.canned(FaultProxy::response(503, "Service Unavailable", "application/json",
                                      R"({"api":1,"error":"x","reason":"hub_unavailable"})", "Retry-After: 30\r\n"));
    o = client.upload_all();
    CHECK(o.kind == K::RetryLater);
    CHECK_THAT(o.message, Catch::Contains("database is not answering"));
    proxy.canned(FaultProxy::response(503, "Service Unavailable", "application/json",
                                      R"({"api":1,"error":"x","reason":"hub_busy"})", "Retry-After: 4\r\n"));
    o = client.upload_all();
    CHECK(o.kind == K::RetryLater);
    CHECK_THAT(o.message, Catch::Contains("busy with other kiosks' uploads") && Catch::Contains("in 4 s"));
  }
  SECTION("429 with Retry-After as a date") {
    proxy.canned(FaultProxy::response(429, "Too Many Requests", "application/json", "{}",
                                      "Retry-After: Wed, 21 Oct 2099 07:28:00 GMT\r\n"));
    auto o = client.upload_all();
    CHECK(o.kind == K::RetryLater);
    REQUIRE(o.retry_after_seconds.has_value());
    CHECK(*o.retry_after_seconds == 86400);  // capped
  }
  SECTION("a reply slower than the timeout (the hub committed meanwhile)") {
    proxy.slow(4);
    auto st = settings(proxy.url(), token, "k1");
    st.stall_timeout_seconds = 1;  // fires well before the reply
    sync::SyncClient impatient(st, *store);
    auto o = impatient.upload_batch();
    CHECK(o.kind == K::RetryLater);
    CHECK_THAT(o.message, Catch::Contains("did not answer in time"));
  }
  SECTION("the connection dropped after the hub committed, before it replied") {
    proxy.drop_after_commit();
    auto o = client.upload_batch();
    CHECK(o.kind == K::RetryLater);
    CHECK(hub.uuids().size() == 100);  // the hub did commit the batch
  }
  SECTION("a 200 HTML page (a Wi-Fi sign-in page)") {
    proxy.canned(FaultProxy::response(200, "OK", "text/html", "<html><body>Welcome to Library Wi-Fi</body></html>"));
    auto o = client.upload_all();
    CHECK(o.kind == K::NotAReceipt);
    CHECK_THAT(o.message, Catch::Contains("Wi-Fi sign-in page"));
  }
  SECTION("garbage JSON") {
    proxy.canned(FaultProxy::response(200, "OK", "application/json", "{\"receipts\": [tru"));
    CHECK(client.upload_all().kind == K::NotAReceipt);
  }
  SECTION("JSON that is not the hub's receipt") {
    proxy.canned(FaultProxy::response(200, "OK", "application/json", "{\"ok\": true, \"receipts\": []}"));
    CHECK(client.upload_all().kind == K::NotAReceipt);
  }
  SECTION("a receipt for a UUID that was never sent is ignored") {
    proxy.canned(FaultProxy::response(
        200, "OK", "application/json",
        R"({"api":"kiosk-hub/1","committed":true,"receipts":[{"uuid":"00000000-0000-4000-8000-000000000000","status":"stored","receipt":"x"}]})"));
    CHECK(client.upload_all().kind == K::NotAReceipt);
  }
  // Whatever happened, nothing was marked synced...
  CHECK(store->counts()->synced == 0);
  check_no_synced_without_receipt(*store);
  // ...and once the path is clear, everything arrives exactly once.
  proxy.pass();
  auto o = client.upload_all();
  INFO(o.message);
  CHECK(o.kind == K::Receipted);
  CHECK(store->counts()->pending == 0);
  CHECK(store->counts()->synced == 250);
  check_no_synced_without_receipt(*store);
  check_exactly_once(hub, local_uuids(*store));
}

TEST_CASE("a wrong token stops retrying and tells staff", "[sync][e2e][fault]") {
  Hub hub;
  test::TempDir tmp;
  (void)hub.process.add("add-device", "k1");
  auto store = make_kiosk(tmp, "k1", 5, 3);
  sync::SyncClient client(settings(hub.process.url(), "not-the-token", "k1"), *store);
  auto o = client.upload_all();
  CHECK(o.kind == sync::BatchOutcome::Kind::AuthFailed);
  CHECK_THAT(o.message, Catch::Contains("refused this kiosk's token"));
  CHECK(store->counts()->synced == 0);
  CHECK(hub.uuids().empty());

  store.reset();
  sync::SyncWorker worker(settings(hub.process.url(), "not-the-token", "k1"), tmp.file("k1.db"), 60, 600);
  worker.start();
  CHECK(worker.wait_status([](const sync::SyncStatus& s) { return s.auth_failed; }, std::chrono::seconds(20)));
  const auto st = worker.status();
  CHECK(st.auth_failed);
  CHECK_THAT(st.last_error, Catch::Contains("token"));
  CHECK(st.seconds_to_next_attempt > 3600);  // no retry storm
}

TEST_CASE("another kiosk's token cannot upload its responses, which stay pending, and a changed response is a conflict",
          "[sync][e2e]") {
  Hub hub;
  test::TempDir tmp;
  const std::string t1 = hub.process.add("add-device", "k1");
  const std::string t2 = hub.process.add("add-device", "k2");
  auto s1 = make_kiosk(tmp, "k1", 5, 4);
  // Kiosk k1 configured with k2's token (the batch says k1), and a client
  // claiming to be k2 while its documents are k1's: either way the token is
  // what is wrong, so the whole batch is refused and nothing is stranded.
  for (const std::string claimed : {"k1", "k2"}) {
    INFO("the batch claims " << claimed);
    sync::SyncClient wrong(settings(hub.process.url(), t2, claimed), *s1);
    auto o = wrong.upload_all();
    CHECK(o.kind == sync::BatchOutcome::Kind::AuthFailed);
    CHECK(o.http_status == 403);
    CHECK(o.reason == protocol::reason::kWrongDevice);
    CHECK_THAT(o.message, Catch::Contains("belongs to another device") && Catch::Contains("\"k2\""));
    CHECK(o.rejected == 0);
    CHECK(s1->counts()->pending == 5);
    CHECK(s1->counts()->conflict == 0);
    CHECK(hub.uuids().empty());
  }
  sync::SyncClient right(settings(hub.process.url(), t1, "k1"), *s1);
  CHECK(right.upload_all().stored == 5);
  CHECK(hub.uuids().size() == 5);

  // Same UUID, different content: the hub keeps the first and answers 409.
  test::TempDir tmp2;
  auto a = Store::open(tmp2.file("a.db"), db::OpenMode::Create, test::seal_pub());
  auto b = Store::open(tmp2.file("b.db"), db::OpenMode::Create, test::seal_pub());
  CompletedResponse r = simulate_one(bury(), test::sim_options(9, "k1", "castle"), 0);
  REQUIRE((*a)->insert_completed({r}).ok());
  r.answers["q17"] = Answer{{}, "A different comment", {}};
  REQUIRE((*b)->insert_completed({r}).ok());
  sync::SyncClient ca(settings(hub.process.url(), t1, "k1"), **a), cb(settings(hub.process.url(), t1, "k1"), **b);
  CHECK(ca.upload_all().stored == 1);
  auto conflict = cb.upload_all();
  CHECK(conflict.conflicts == 1);
  CHECK((*b)->counts()->conflict == 1);
  CHECK((*b)->counts()->synced == 0);
  std::vector<std::string> docs;  // the hub also holds k1's five from above
  for (const auto& d : hub.documents())
    if (nlohmann::json::parse(d)["uuid"] == r.meta.uuid) docs.push_back(d);
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].find("A different comment") == std::string::npos);  // never overwritten
  CHECK(hub.documents().size() == 6);
  httplib::Client c("127.0.0.1", hub.process.port());
  auto m = c.Get("/metrics");
  REQUIRE(m);
  CHECK_THAT(m->body, Catch::Contains("kiosk_hub_conflicts_total 1"));
}

TEST_CASE("the same batch posted by 20 clients at once is stored once", "[sync][e2e][fault]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  auto original = make_kiosk(tmp, "k1", 150, 5);
  const auto expected = local_uuids(*original);
  std::vector<std::string> copies;
  for (int i = 0; i < 20; ++i) {
    copies.push_back(tmp.file("copy" + std::to_string(i) + ".db"));
    REQUIRE(original->backup_to(copies.back()).ok());
  }
  std::vector<std::thread> threads;
  std::atomic<int> stored{0}, dups{0}, failures{0};
  for (const auto& path : copies) {
    threads.emplace_back([&, path] {
      auto s = Store::open(path, db::OpenMode::ReadWrite, test::seal_pub());
      if (!s) return void(++failures);
      auto set = settings(hub.process.url(), token, "k1");
      set.batch_size = 150;
      set.stall_timeout_seconds = 20;
      sync::SyncClient c(set, **s);
      auto o = c.upload_all();
      if (o.kind != sync::BatchOutcome::Kind::Receipted || (*s)->counts()->pending != 0) ++failures;
      stored += o.stored;
      dups += o.duplicates;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(stored == 150);
  CHECK(dups == 150 * 19);
  check_exactly_once(hub, expected);
}

TEST_CASE("a kiosk process killed mid-sync loses and duplicates nothing", "[sync][e2e][fault]") {
  Hub hub;
  test::TempDir tmp;
  // The kiosk of kiosk.toml, with its own token (another device's is refused as a whole).
  const std::string token = hub.process.add("add-device", "bury-castle-01");
  auto store = make_kiosk(tmp, "bury-castle-01", 600, 6);
  const auto expected = local_uuids(*store);
  store.reset();
  FaultProxy proxy(hub.process.port());
  proxy.slow(1);  // each batch takes a second, so the kill lands mid-transfer
  const std::string cmd = std::string(KIOSK_ADMIN_BIN) + " sync --once --hub " + proxy.url() + " --token " + token +
                          " --db " + tmp.file("bury-castle-01.db") + " --batch-size 100 --config " + test::kiosk_toml();
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + cmd + " >/dev/null 2>&1").c_str(), nullptr);
    _exit(127);
  }
  // A second request means the first batch's receipt came back and was
  // recorded (the client sends one batch at a time); the kill lands while the
  // proxy holds the second batch's reply.
  const bool second_batch = proxy.wait_for_requests(2, std::chrono::seconds(30));
  kill(pid, SIGKILL);
  int st;
  waitpid(pid, &st, 0);
  CHECK(WIFSIGNALED(st));
  REQUIRE(second_batch);
  {
    auto s = Store::open(tmp.file("bury-castle-01.db"), db::OpenMode::ReadWrite, test::seal_pub());
    REQUIRE(s.ok());
    const auto c = (*s)->counts();
    CHECK(c->synced > 0);   // some batches were receipted
    CHECK(c->pending > 0);  // and the kill interrupted the rest
    check_no_synced_without_receipt(**s);
    CHECK((*s)->verify()->ok());
  }
  proxy.pass();
  auto again = test::run(cmd);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  check_exactly_once(hub, expected);
}

TEST_CASE("bad requests get a clear 4xx, store nothing, and the hub stays up", "[hub][e2e]") {
  Hub hub;
  const std::string token = hub.process.add("add-device", "k1");
  httplib::Client c("127.0.0.1", hub.process.port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto post = [&](const std::string& body) { return c.Post("/api/v1/responses", auth, body, "application/json"); };

  auto r = c.Get("/api/v1/responses", auth);
  REQUIRE(r);
  CHECK(r->status == 405);
  r = post("{\"responses\": [");
  REQUIRE(r);
  CHECK(r->status == 400);
  CHECK_THAT(r->body, Catch::Contains("not valid JSON"));
  CHECK_THAT(r->body, Catch::Contains("line 1"));
  r = post("[]");
  CHECK(r->status == 400);
  r = post("{}");
  CHECK(r->status == 400);
  CHECK_THAT(r->body, Catch::Contains("\\\"responses\\\" is missing"));
  r = post(R"({"responses": [{"uuid": "00000000-0000-4000-8000-000000000000", "content_hash": 5, "document": "{}"}]})");
  CHECK(r->status == 400);
  CHECK_THAT(r->body, Catch::Contains("responses[0].content_hash must be a string"));
  r = post(R"({"responses": [{"uuid": "x"}]})");
  CHECK(r->status == 400);
  CHECK_THAT(r->body, Catch::Contains("responses[0].content_hash is missing"));
  r = post(
      R"({"responses": [{"uuid": "'; DROP TABLE responses; --", "content_hash": "' OR 1=1 --", "document": "{\"schema\":1}"}]})");
  CHECK(r->status == 200);
  auto j = nlohmann::json::parse(r->body);
  CHECK(j["receipts"][0]["status"] == "rejected");
  CHECK(j["receipts"][0]["code"] == 422);
  r = c.Post("/api/v1/responses", auth, std::string(20u << 20, 'x'), "application/json");
  REQUIRE(r);
  CHECK(r->status == 413);
  r = c.Post("/api/v1/responses", "{}", "application/json");
  CHECK(r->status == 401);
  r = c.Get("/api/v1/export?format=csv", auth);  // a kiosk token is not an admin token
  CHECK(r->status == 403);
  r = c.Get("/nowhere");
  CHECK(r->status == 404);
  auto h = c.Get("/healthz");
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(hub.documents().empty());
}

TEST_CASE("the hub serves the survey with an ETag: an unchanged survey is not sent again", "[hub][e2e]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  auto store = make_kiosk(tmp, "k1", 1, 7);
  sync::SyncClient client(settings(hub.process.url(), token, "k1"), *store);
  auto first = client.fetch_survey("");
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  CHECK((*first)->definition == bury().source_text);
  auto second = client.fetch_survey((*first)->etag);
  REQUIRE(second.ok());
  CHECK_FALSE(second->has_value());
}

TEST_CASE("Retry-After and backoff", "[sync]") {
  const auto now = std::chrono::system_clock::from_time_t(1700000000);
  CHECK(sync::parse_retry_after("120", now) == 120);
  CHECK(sync::parse_retry_after("", now) == std::nullopt);
  CHECK(sync::parse_retry_after("Tue, 14 Nov 2023 22:15:00 GMT", now) == 100);
  CHECK(sync::parse_retry_after("soon", now) == std::nullopt);
  sync::Backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(5000), 42);
  std::chrono::milliseconds max{0};
  for (int i = 0; i < 200; ++i) {
    const auto d = b.next();
    CHECK(d.count() >= 0);
    CHECK(d.count() <= 5000);  // capped
    max = std::max(max, d);
  }
  CHECK(max.count() > 2500);  // full jitter reaches towards the cap
  b.reset();
  CHECK(b.next().count() <= 100);
}

TEST_CASE("TLS: the kiosk verifies the hub's certificate and syncs only over a trusted one", "[sync][e2e][tls]") {
  test::TempDir tmp;
  const std::string cert = tmp.file("hub.pem"), key = tmp.file("hub.key");
  auto made = test::run(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  HubProcess hub(test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log"));
  const std::string token = hub.add("add-device", "k1");
  hub.extra_args = {"--cert", cert, "--key", key};
  hub.start();
  REQUIRE(hub.url().rfind("https://", 0) == 0);
  auto store = make_kiosk(tmp, "k1", 20, 8);

  SECTION("an unknown certificate is refused and nothing is marked synced") {
    sync::SyncClient client(settings(hub.url(), token, "k1"), *store);
    auto o = client.upload_all();
    CHECK(o.kind == sync::BatchOutcome::Kind::RetryLater);
    CHECK_THAT(o.message, Catch::Contains("certificate"));
    CHECK(store->counts()->synced == 0);
  }
  SECTION("with the hub's certificate as the kiosk's CA, everything arrives") {
    auto s = settings(hub.url(), token, "k1");
    s.ca_file = cert;
    sync::SyncClient client(s, *store);
    auto o = client.upload_all();
    INFO(o.message);
    CHECK(o.kind == sync::BatchOutcome::Kind::Receipted);
    CHECK(o.stored == 20);
    CHECK(store->counts()->pending == 0);
  }
}

TEST_CASE("two hub processes on one database store a response once, whichever receives it", "[sync][e2e][multi-hub]") {
  test::TempDir tmp;
  const std::string db = test::hub_database(tmp);
  HubProcess a(db, test::bury_survey(), tmp.file("a.log")), b(db, test::bury_survey(), tmp.file("b.log"));
  const std::string token = a.add("add-device", "k1");
  const std::string admin = a.add("add-admin", "council");
  a.start();
  b.start();
  auto original = make_kiosk(tmp, "k1", 120, 12);
  const auto expected = local_uuids(*original);
  std::vector<std::string> copies;
  for (int i = 0; i < 10; ++i) {
    copies.push_back(tmp.file("copy" + std::to_string(i) + ".db"));
    REQUIRE(original->backup_to(copies.back()).ok());
  }
  std::atomic<int> stored{0}, dups{0}, failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i)
    threads.emplace_back([&, i] {
      auto s = Store::open(copies[static_cast<size_t>(i)], db::OpenMode::ReadWrite, test::seal_pub());
      if (!s) return void(++failures);
      auto set = settings((i % 2 ? b : a).url(), token, "k1");
      set.stall_timeout_seconds = 20;
      sync::SyncClient c(set, **s);
      auto o = c.upload_all();
      if (o.kind != sync::BatchOutcome::Kind::Receipted || (*s)->counts()->pending != 0) ++failures;
      stored += o.stored;
      dups += o.duplicates;
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(stored == 120);
  CHECK(dups == 120 * 9);
  // Both hubs see the same single copy of each response.
  for (HubProcess* h : {&a, &b}) {
    httplib::Client c("127.0.0.1", h->port());
    auto r = c.Get("/api/v1/export?format=jsonl", {{"Authorization", "Bearer " + admin}});
    REQUIRE(r);
    std::set<std::string> seen;
    size_t lines = 0;
    std::istringstream in(r->body);
    for (std::string line; std::getline(in, line); ++lines)
      seen.insert(nlohmann::json::parse(line)["uuid"].get<std::string>());
    CHECK(lines == expected.size());
    CHECK(seen == expected);
  }
}

// A region's deployment (issue 19): three hubs on one database, six kiosks
// spread over them, two of which also send every batch to a second hub at
// the same moment (a copy of the kiosk's database syncing elsewhere), and
// one hub stopped and started again while they send. Each kiosk keeps
// trying, as it does, until nothing is pending. Then every hub exports each
// response exactly once, and their ledgers agree: each kiosk numbered up to
// its last response, all received, none missing.
TEST_CASE(
    "three hubs on one database, kiosks spread over them, batches sent to two at once, one hub restarted: every "
    "response once, the ledgers agree",
    "[sync][e2e][multi-hub]") {
  test::TempDir tmp;
  const std::string db = test::hub_database(tmp);
  std::vector<std::unique_ptr<HubProcess>> hubs;
  for (int h = 0; h < 3; ++h)
    hubs.push_back(std::make_unique<HubProcess>(db, test::bury_survey(), tmp.file("hub" + std::to_string(h) + ".log")));
  const std::string admin = hubs[0]->add("add-admin", "council");
  std::vector<std::string> names, tokens;
  for (int k = 0; k < 6; ++k) {
    names.push_back("k" + std::to_string(k + 1));
    tokens.push_back(hubs[0]->add("add-device", names.back()));
  }
  for (auto& h : hubs) h->start();
  std::vector<std::string> files;  // each kiosk's database; kiosks 1 and 2 also have a copy
  std::set<std::string> expected;
  for (int k = 0; k < 6; ++k) {
    auto s = make_kiosk(tmp, names[static_cast<size_t>(k)], 150, 300 + static_cast<std::uint64_t>(k));
    for (const auto& u : local_uuids(*s)) expected.insert(u);
    files.push_back(tmp.file(names[static_cast<size_t>(k)] + ".db"));
    if (k < 2) REQUIRE(s->backup_to(tmp.file(names[static_cast<size_t>(k)] + "-copy.db")).ok());
  }
  REQUIRE(expected.size() == 900);

  // The hubs' URLs, read afresh at each try (a restarted hub keeps its port).
  std::mutex m;
  std::vector<std::string> urls;
  for (auto& h : hubs) urls.push_back(h->url());
  auto url_of = [&](size_t h) {
    std::lock_guard lock(m);
    return urls[h];
  };
  std::atomic<int> unfinished{0};
  std::atomic<int> batches_done{0};
  auto kiosk = [&](const std::string& file, size_t k, size_t hub) {
    auto s = Store::open(file, db::OpenMode::ReadWrite, test::seal_pub());
    if (!s) return void(++unfinished);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (std::chrono::steady_clock::now() < give_up) {
      auto set = settings(url_of(hub), tokens[k], names[k]);
      set.batch_size = 10;
      set.stall_timeout_seconds = 20;
      sync::SyncClient c(set, **s);
      auto o = c.upload_batch();
      if (o.kind == sync::BatchOutcome::Kind::Receipted) ++batches_done;
      if (o.kind == sync::BatchOutcome::Kind::NothingPending) {
        (void)c.send_heartbeat("");
        return;
      }
      if (o.kind != sync::BatchOutcome::Kind::Receipted)  // the hub is restarting: as a kiosk, try again soon
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ++unfinished;
  };
  std::vector<std::thread> threads;
  for (size_t k = 0; k < 6; ++k) threads.emplace_back(kiosk, files[k], k, k % 3);
  // The copies of kiosks 1 and 2 send the same batches to another hub.
  threads.emplace_back(kiosk, tmp.file("k1-copy.db"), 0, 1);
  threads.emplace_back(kiosk, tmp.file("k2-copy.db"), 1, 2);
  // Once some batches are in, hub 3 is stopped and started again on its port.
  while (batches_done < 20 && unfinished == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int port = hubs[2]->port();
  hubs[2]->stop();
  hubs[2]->start(port);
  for (auto& t : threads) t.join();
  CHECK(unfinished == 0);

  std::string first_ledger, first_page;
  for (auto& h : hubs) {
    INFO("the hub on port " << h->port());
    const auto docs = exported_documents(h->port(), admin);
    std::set<std::string> seen;
    for (const auto& d : docs) seen.insert(nlohmann::json::parse(d)["uuid"].get<std::string>());
    CHECK(docs.size() == 900);
    CHECK(seen == expected);
    httplib::Client c("127.0.0.1", h->port());
    auto r = c.Get("/api/v1/ledger", {{"Authorization", "Bearer " + admin}});
    REQUIRE(r);
    REQUIRE(r->status == 200);
    auto ledger = nlohmann::json::parse(r->body);
    REQUIRE(ledger["kiosks"].size() == 6);
    for (auto& row : ledger["kiosks"]) {
      INFO(row.dump());
      CHECK(row["received"] == 150);
      CHECK(row["missing"] == 0);
      CHECK(row["numbered_up_to"] == 150);
      row.erase("missing_for_seconds");  // counted from each hub's own clock
    }
    if (first_ledger.empty()) first_ledger = ledger.dump();
    CHECK(ledger.dump() == first_ledger);
    // The status pages agree too: the same totals and the same row for each
    // kiosk, but for how long ago its heartbeat was (each hub's own clock).
    auto page = c.Get("/", {httplib::make_basic_authentication_header("staff", admin)});
    REQUIRE(page);
    REQUIRE(page->status == 200);
    const auto from = page->body.find("<main>"), to = page->body.find("<h2>Refused documents");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    const std::string shown = std::regex_replace(page->body.substr(from, to - from),
                                                 std::regex("<td data-label=\"Last heartbeat\">[^<]*</td>"), "");
    CHECK_THAT(shown, Catch::Contains("<b>900</b>responses") && Catch::Contains("<b>6</b>kiosks"));
    if (first_page.empty()) first_page = shown;
    CHECK(shown == first_page);
  }
}

namespace {

// psql on the test server: tab-free, unaligned rows, one per line.
test::RunResult psql(const std::string& url, const std::string& sql) {
  return test::run("psql -q -X -At -F '|' -v ON_ERROR_STOP=1 '" + url + "' -c \"" + sql + "\"");
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("a response stored at the hub cannot be changed, even through raw SQL", "[hub][e2e][schema]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  auto store = make_kiosk(tmp, "k1", 3, 21);
  REQUIRE(store->backup_to(tmp.file("copy.db")).ok());  // still pending: sent again below
  sync::SyncClient client(settings(hub.process.url(), token, "k1"), *store);
  REQUIRE(client.upload_all().stored == 3);
  auto before = hub.documents();
  REQUIRE(before.size() == 3);

  const std::string edit = "UPDATE responses SET document = 'edited by hand'";
  if (test::using_postgres()) {
    const auto r = psql(hub.process.db(), edit);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.err, Catch::Contains("stored responses are never overwritten"));
  } else {
    auto c = db::Connection::open(hub.process.db(), db::OpenMode::ReadWrite);
    REQUIRE(c.ok());
    const Status st = c->exec(edit.c_str());
    CHECK_FALSE(st.ok());
    if (!st.ok()) {
      CHECK(st.kind() == ErrorKind::Validation);
      CHECK_THAT(st.message(), Catch::Contains("stored responses are never overwritten"));
    }
  }
  CHECK(hub.documents() == before);
  // The freeze leaves uploads alone: sending the same responses again is a duplicate.
  auto copy = Store::open(tmp.file("copy.db"), db::OpenMode::ReadWrite, test::seal_pub());
  REQUIRE(copy.ok());
  sync::SyncClient resend(settings(hub.process.url(), token, "k1"), **copy);
  const auto again = resend.upload_all();
  INFO(again.message);
  CHECK(again.duplicates == 3);
  CHECK(hub.documents() == before);
}

TEST_CASE("adding a device whose name is taken says so, on either backend", "[hub][e2e]") {
  test::TempDir tmp;
  HubProcess hub(test::hub_database(tmp), test::bury_survey());
  (void)hub.add("add-device", "k1");
  const auto again = test::run(std::string(KIOSK_HUB_BIN) + " add-device k1 --db '" + hub.db() + "'");
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("a device or admin named \"k1\" already exists"));
}

// Hidden from the plain SQLite run (it needs both databases); the PostgreSQL
// run selects it through its [e2e] tag.
TEST_CASE("the SQLite and PostgreSQL hub schemas have the same tables, columns, keys, indexes and freeze trigger",
          "[.][e2e][schema]") {
  REQUIRE(test::using_postgres());
  test::TempDir tmp;
  HubProcess lite(tmp.file("hub.db"), test::bury_survey()), pg(test::hub_database(tmp), test::bury_survey());
  (void)lite.add("add-admin", "council");  // opening the store creates its schema
  (void)pg.add("add-admin", "council");

  // "table.column type null|not null[ key]", types folded to the two families the hub uses.
  auto family = [](std::string t) {
    for (auto& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (t == "integer" || t == "bigint") return std::string("integer");
    return t;
  };
  std::vector<std::string> lite_cols, pg_cols, lite_triggers, pg_triggers, lite_indexes, pg_indexes;
  {
    auto c = db::Connection::open(lite.db(), db::OpenMode::ReadOnly);
    REQUIRE(c.ok());
    // A PRIMARY KEY column is NOT NULL on PostgreSQL; SQLite's pragma reports it by pk, not notnull.
    auto q = db::Statement::prepare(
        *c,
        "SELECT m.name, p.name, p.type, p.\"notnull\" OR p.pk > 0, p.pk > 0 FROM sqlite_schema m, "
        "pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid");
    REQUIRE(q.ok());
    while (*q->step())
      lite_cols.push_back(q->str(0) + "." + q->str(1) + " " + family(q->str(2)) +
                          (q->integer(3) ? " not null" : " null") + (q->integer(4) ? " key" : ""));
    // The indexes the schema names (not those SQLite makes for a key or a UNIQUE).
    auto i = db::Statement::prepare(
        *c, "SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY 1");
    REQUIRE(i.ok());
    while (*i->step()) lite_indexes.push_back(i->str(0));
    auto t = db::Statement::prepare(*c, "SELECT name, tbl_name FROM sqlite_schema WHERE type = 'trigger' ORDER BY 1");
    REQUIRE(t.ok());
    while (*t->step()) lite_triggers.push_back(t->str(0) + " on " + t->str(1));
  }
  {
    const auto r =
        psql(pg.db(),
             "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, EXISTS (SELECT 1 FROM "
             "information_schema.table_constraints tc JOIN information_schema.key_column_usage k USING "
             "(constraint_schema, constraint_name) WHERE tc.constraint_type = 'PRIMARY KEY' AND "
             "k.table_name = c.table_name AND k.column_name = c.column_name) FROM information_schema.columns "
             "c WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const auto& line : lines_of(r.out)) {
      std::vector<std::string> f;
      std::istringstream in(line);
      for (std::string x; std::getline(in, x, '|');) f.push_back(x);
      REQUIRE(f.size() == 5);
      pg_cols.push_back(f[0] + "." + f[1] + " " + family(f[2]) + (f[3] == "NO" ? " not null" : " null") +
                        (f[4] == "t" ? " key" : ""));
    }
    const auto i = psql(pg.db(),
                        "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace "
                        "n ON n.oid = i.relnamespace WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM "
                        "pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY 1");
    INFO(i.err);
    REQUIRE(i.exit_code == 0);
    pg_indexes = lines_of(i.out);
    const auto t = psql(pg.db(),
                        "SELECT DISTINCT trigger_name || ' on ' || event_object_table FROM information_schema.triggers "
                        "WHERE trigger_schema = 'public' ORDER BY 1");
    REQUIRE(t.exit_code == 0);
    pg_triggers = lines_of(t.out);
  }
  REQUIRE_FALSE(lite_cols.empty());
  CHECK(lite_cols == pg_cols);
  CHECK(lite_triggers == pg_triggers);
  CHECK(lite_triggers == std::vector<std::string>{"hub_responses_are_frozen on responses"});
  REQUIRE_FALSE(lite_indexes.empty());
  CHECK(lite_indexes == pg_indexes);
}

TEST_CASE("the sync thread keeps its schedule by the injected clock: Retry-After, retry, heartbeat",
          "[sync][e2e][fault]") {
  using namespace std::chrono_literals;
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  make_kiosk(tmp, "k1", 20, 31).reset();  // the worker opens the file itself
  FaultProxy proxy(hub.process.port());
  proxy.canned(FaultProxy::response(503, "Service Unavailable", "text/plain", "busy", "Retry-After: 120\r\n"));
  test::SharedFakeClock clock;
  sync::SyncWorker worker(settings(proxy.url(), token, "k1"), tmp.file("k1.db"), 60, 600, &clock);
  worker.start();

  // First pass: an upload, a heartbeat, a survey check and the hub's figures, all answered 503.
  REQUIRE(worker.wait_status([](const sync::SyncStatus& s) { return s.pending == 20; }, 20s));
  auto st = worker.status();
  CHECK(st.last_attempt_utc == "2016-03-01T08:00:00Z");
  CHECK_THAT(st.last_error, Catch::Contains("busy"));
  CHECK(st.seconds_to_next_attempt == 120);  // Retry-After outweighs the first backoff (at most 2 s)
  const int first = proxy.requests();
  CHECK(first == 4);

  // 119 s on, nothing is due yet.
  clock.advance(119s);
  worker.wake();
  REQUIRE(worker.wait_status([](const sync::SyncStatus& s) { return s.seconds_to_next_attempt == 1; }, 20s));
  CHECK(proxy.requests() == first);

  // At 120 s the upload is retried, and with the path clear everything arrives;
  // the heartbeat is not due for another 480 s.
  proxy.pass();
  clock.advance(1s);
  worker.wake();
  REQUIRE(worker.wait_status([](const sync::SyncStatus& s) { return s.pending == 0; }, 20s));
  st = worker.status();
  CHECK(st.last_error.empty());
  CHECK(st.last_success_utc == "2016-03-01T08:02:00Z");
  CHECK(proxy.requests() == first + 1);
  CHECK(hub.uuids().size() == 20);

  // At 600 s the heartbeat, the survey check and the figures go out again.
  clock.advance(480s);
  worker.wake();
  CHECK(proxy.wait_for_requests(first + 4, 20s));
  worker.stop();
  CHECK(proxy.requests() == first + 4);
}

TEST_CASE("the hub's store stamps times from its injected clock", "[hub][e2e]") {
  test::TempDir tmp;
  const FakeClock clock;
  auto store = hub::open_hub_store(test::hub_database(tmp), &clock);
  REQUIRE(store.ok());
  REQUIRE((*store)->add_principal("k1", "kiosk").ok());
  const auto devices = (*store)->devices();
  REQUIRE(devices.ok());
  REQUIRE(devices->size() == 1);
  CHECK((*devices)[0].created_utc == "2016-03-01T08:00:00Z");
  const auto bad_role = (*store)->add_principal("k2", "superuser");
  REQUIRE_FALSE(bad_role.ok());
  CHECK(bad_role.kind() == ErrorKind::Validation);
}

TEST_CASE(
    "the hub's store: a reading callback that throws ends its transaction, and the next request finds the "
    "connection clean",
    "[hub][e2e]") {
  test::TempDir tmp;
  const std::string db = test::hub_database(tmp);
  auto store = hub::open_hub_store(db);
  REQUIRE(store.ok());
  hub::HubStore& s = **store;
  std::vector<hub::Incoming> items(3);
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].uuid = new_uuid_v4();
    items[i].document = "{\"n\":" + std::to_string(i) + "}";
    items[i].content_hash = sha256_hex(items[i].document);
    items[i].kiosk_id = "k1";
    items[i].seq = static_cast<std::int64_t>(i + 1);
  }
  REQUIRE(s.ingest("k1", items).ok());
  // An export whose writer throws part-way (a client gone, memory short):
  // on PostgreSQL its cursor and transaction were left open on the thread's
  // pooled connection, and the next export there failed ("cursor already exists").
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    CHECK_THROWS_AS(s.for_each_document([](const hub::StoredDocument&) -> bool { throw std::runtime_error("gone"); }),
                    std::runtime_error);
    int seen = 0;
    auto st = s.for_each_document([&seen](const hub::StoredDocument&) { return ++seen > 0; });
    INFO(st.message());
    CHECK(st.ok());
    CHECK(seen == 3);
  }
  // And what is written after it is committed, not held in a transaction left open.
  std::vector<hub::Incoming> more(1, items[0]);
  more[0].uuid = new_uuid_v4();
  more[0].seq = 4;
  REQUIRE(s.ingest("k1", more).ok());
  auto other = hub::open_hub_store(db);
  REQUIRE(other.ok());
  auto n = (*other)->response_count();
  REQUIRE(n.ok());
  CHECK(*n == 4);
}

TEST_CASE("kiosk-hub --help describes each command, and usage errors name the problem with exit 2", "[hub][cli]") {
  const std::string hub = KIOSK_HUB_BIN;
  auto help = test::run(hub + " --help");
  CHECK(help.exit_code == 0);
  for (const char* cmd : {"serve", "add-device", "add-admin"}) CHECK_THAT(help.out, Catch::Contains(cmd));
  auto serve_help = test::run(hub + " serve --help");
  CHECK(serve_help.exit_code == 0);
  for (const char* opt : {"--db", "--port", "--bind", "--survey", "--cert", "--key", "--max-body", "--threads"})
    CHECK_THAT(serve_help.out, Catch::Contains(opt));
  auto device_help = test::run(hub + " add-device --help");
  CHECK(device_help.exit_code == 0);
  CHECK_THAT(device_help.out, Catch::Contains("NAME"));

  test::TempDir tmp;
  const std::string db = " --db " + tmp.file("hub.db");
  auto bogus = test::run(hub + " serve --bogus 1" + db);
  CHECK(bogus.exit_code == 2);
  CHECK_THAT(bogus.err, Catch::Contains("--bogus"));
  auto bad_port = test::run(hub + " serve --port eighty" + db);
  CHECK(bad_port.exit_code == 2);
  CHECK_THAT(bad_port.err, Catch::Contains("--port"));
  auto half_tls = test::run(hub + " serve --cert x.pem" + db);
  CHECK(half_tls.exit_code == 2);
  CHECK_THAT(half_tls.err, Catch::Contains("--cert and --key go together"));
  auto no_name = test::run(hub + " add-device" + db);
  CHECK(no_name.exit_code == 2);
  auto nothing = test::run(hub);
  CHECK(nothing.exit_code == 2);
  auto unknown = test::run(hub + " frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("frobnicate"));
}

TEST_CASE("the sync client's errors carry their kind: network, auth, config", "[sync][e2e][fault]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  auto store = make_kiosk(tmp, "k1", 2, 41);

  {
    // Scoped: its kept-alive connection would hold up the hub's shutdown below.
    sync::SyncClient wrong_token(settings(hub.process.url(), "not-the-token", "k1"), *store);
    const auto refused = wrong_token.fetch_survey("");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.kind() == ErrorKind::Auth);
    CHECK(wrong_token.upload_all().error().kind == ErrorKind::Auth);
  }

  FaultProxy proxy(hub.process.port());
  sync::SyncClient via_proxy(settings(proxy.url(), token, "k1"), *store);
  proxy.canned(FaultProxy::response(200, "OK", "text/html", "<html><body>Library Wi-Fi</body></html>"));
  const auto portal = via_proxy.fetch_survey("");
  REQUIRE_FALSE(portal.ok());
  CHECK(portal.kind() == ErrorKind::Network);
  proxy.canned(FaultProxy::response(502, "Bad Gateway", "text/plain", "down"));
  CHECK(via_proxy.upload_all().error().kind == ErrorKind::Network);

  const int port = hub.process.port();
  hub.process.stop();
  sync::SyncClient unreachable(settings("http://127.0.0.1:" + std::to_string(port), token, "k1"), *store);
  const auto down = unreachable.fetch_survey("");
  REQUIRE_FALSE(down.ok());
  CHECK(down.kind() == ErrorKind::Network);
  CHECK(unreachable.upload_all().error().kind == ErrorKind::Network);

  sync::SyncClient no_hub(settings("", token, "k1"), *store);
  CHECK(no_hub.upload_all().error().kind == ErrorKind::Config);
  CHECK(store->counts()->synced == 0);
}

// ---- Issue 9: nothing stranded, nothing silent; the ledger --------------------

namespace {

std::string admin_cmd(const std::string& args) { return std::string(KIOSK_ADMIN_BIN) + " " + args; }
std::string hub_cmd(const std::string& args) { return std::string(KIOSK_HUB_BIN) + " " + args; }

// Raw SQL on the hub's database, whichever backend it is.
void hub_sql(const HubProcess& hub, const std::string& sql) {
  if (test::using_postgres()) {
    const auto r = psql(hub.db(), sql);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return;
  }
  auto c = db::Connection::open(hub.db(), db::OpenMode::ReadWrite);
  REQUIRE(c.ok());
  REQUIRE(c->exec(sql.c_str()).ok());
}

nlohmann::json get_json(const Hub& hub, const std::string& path) {
  httplib::Client c("127.0.0.1", hub.process.port());
  auto r = c.Get(path.c_str(), {{"Authorization", "Bearer " + hub.admin}});
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 200);
  return nlohmann::json::parse(r->body);
}

}  // namespace

TEST_CASE("stranded: 1,000 responses and another device's token, then the right one: all arrive",
          "[sync][e2e][stranded]") {
  Hub hub;
  test::TempDir tmp;
  // The kiosk of kiosk.toml is bury-castle-01; it was given bury-castle-02's token.
  const std::string right = hub.process.add("add-device", "bury-castle-01");
  const std::string other = hub.process.add("add-device", "bury-castle-02");
  const std::string db = tmp.file("kiosk.db");
  test::write_seal_keys(tmp.file("council.pub"));  // the council's key, as the hub sends it
  const std::string common =
      " --db " + db + " --config " + test::kiosk_toml() + " --public-key " + tmp.file("council.pub");
  REQUIRE(test::run(admin_cmd("simulate --responses 1000 --seed 9 --abandoned 0" + common)).exit_code == 0);
  auto sync_once = [&](const std::string& token) {
    return test::run(admin_cmd("sync --once --hub " + hub.process.url() + " --token " + token + common));
  };
  auto counts = [&] {
    auto s = Store::open(db, db::OpenMode::ReadWrite, test::seal_pub());
    REQUIRE(s.ok());
    return *(*s)->counts();
  };

  const auto refused = sync_once(other);
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 3);
  CHECK_THAT(refused.err, Catch::Contains("belongs to another device") && Catch::Contains("bury-castle-02") &&
                              Catch::Contains("1000 responses left pending"));
  CHECK(counts().pending == 1000);
  CHECK(counts().conflict == 0);
  CHECK(counts().synced == 0);
  CHECK(hub.uuids().empty());
  // Again: still refused, still nothing marked.
  CHECK(sync_once(other).exit_code == 3);
  CHECK(counts().pending == 1000);
  CHECK(counts().conflict == 0);

  const auto fixed = sync_once(right);
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK_THAT(fixed.out, Catch::Contains("pending now: 0, synced: 1000, conflicts: 0"));
  CHECK(hub.uuids().size() == 1000);
  CHECK(get_json(hub, "/api/v1/summary")["overall"]["responses"] == 1000);
}

TEST_CASE("a revoked token is refused with its reason, and kiosk-hub list-devices shows it", "[sync][e2e][stranded]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  (void)hub.process.add("add-device", "k2");
  auto store = make_kiosk(tmp, "k1", 4, 21);
  const auto revoke = test::run(hub_cmd("revoke-device k1 --db '" + hub.process.db() + "'"));
  INFO(revoke.err);
  REQUIRE(revoke.exit_code == 0);
  sync::SyncClient client(settings(hub.process.url(), token, "k1"), *store);
  const auto o = client.upload_all();
  CHECK(o.kind == sync::BatchOutcome::Kind::AuthFailed);
  CHECK(o.http_status == 401);
  CHECK(o.reason == protocol::reason::kRevokedToken);
  CHECK_THAT(o.message, Catch::Contains("revoked"));
  CHECK(store->counts()->pending == 4);
  CHECK(store->counts()->conflict == 0);
  CHECK(hub.uuids().empty());

  // A token the hub never gave is "unknown", not "revoked".
  sync::SyncClient stranger(settings(hub.process.url(), "not-a-token", "k1"), *store);
  CHECK(stranger.upload_all().reason == protocol::reason::kUnknownToken);

  const auto list = test::run(hub_cmd("list-devices --db '" + hub.process.db() + "'"));
  REQUIRE(list.exit_code == 0);
  const auto rows = lines_of(list.out);
  REQUIRE(rows.size() == 4);  // header, k1, k2, the admin
  CHECK(rows[0] == "name\trole\tcreated\tlast seen\trevoked");
  CHECK_THAT(rows[1], Catch::StartsWith("k1\tkiosk\t") && !Catch::EndsWith("\tno"));
  CHECK_THAT(rows[2], Catch::StartsWith("k2\tkiosk\t") && Catch::EndsWith("\tnever\tno"));
  CHECK_THAT(rows[3], Catch::StartsWith("council\tadmin\t"));
  const auto missing = test::run(hub_cmd("revoke-device nobody --db '" + hub.process.db() + "'"));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("no kiosk named \"nobody\""));
}

TEST_CASE("a held item stays pending, the kiosk says why, and it goes once the hub takes it", "[sync][e2e][stranded]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  auto store = make_kiosk(tmp, "k1", 3, 22);
  // The hub's survey registry is another part of issue 9: here the proxy
  // answers as a hub that does not know the survey version would.
  nlohmann::json receipts = nlohmann::json::array();
  const auto pending = store->pending(10);
  REQUIRE(pending.ok());
  for (const auto& p : *pending)
    receipts.push_back({{"uuid", p.uuid},
                        {"status", protocol::receipt::kHeld},
                        {"code", 503},
                        {"reason", protocol::reason::kUnknownSurveyVersion},
                        {"detail", "survey bury-libraries version 2016.1 is not known to the hub"}});
  const nlohmann::json reply{{"api", protocol::kApiVersion}, {"committed", true}, {"receipts", receipts}};
  FaultProxy proxy(hub.process.port());
  proxy.canned(FaultProxy::response(200, "OK", "application/json", reply.dump()));
  sync::SyncClient client(settings(proxy.url(), token, "k1"), *store);
  const auto o = client.upload_all();
  CHECK(o.kind == sync::BatchOutcome::Kind::Held);
  CHECK(o.held == 3);
  CHECK(o.sent == 3);  // each held response sent once per pass, not again and again
  CHECK(o.reason == protocol::reason::kUnknownSurveyVersion);
  CHECK_THAT(o.message, Catch::Contains("does not know this kiosk's survey version") &&
                            Catch::Contains("3 responses stay pending"));
  CHECK(store->counts()->pending == 3);
  CHECK(store->counts()->conflict == 0);

  const std::string cmd = admin_cmd("sync --once --hub " + proxy.url() + " --token " + token + " --db " +
                                    tmp.file("k1.db") + " --config " + test::kiosk_toml());
  store.reset();
  const auto held = test::run(cmd);
  INFO(held.out << held.err);
  CHECK(held.exit_code == 4);
  CHECK_THAT(held.err, Catch::Contains("3 responses left pending") && Catch::Contains("survey version"));

  proxy.pass();  // the hub now takes them
  auto s = Store::open(tmp.file("k1.db"), db::OpenMode::ReadWrite, test::seal_pub());
  REQUIRE(s.ok());
  sync::SyncClient again(settings(proxy.url(), token, "k1"), **s);
  CHECK(again.upload_all().stored == 3);
  CHECK((*s)->counts()->pending == 0);
  CHECK(hub.uuids().size() == 3);
}

TEST_CASE("conflicts are listed by kiosk-admin conflicts and sent again after requeue", "[sync][e2e][stranded]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "bury-castle-01");
  // Two kiosks' databases holding the same UUID with different content.
  auto a = Store::open(tmp.file("a.db"), db::OpenMode::Create, test::seal_pub());
  auto b = Store::open(tmp.file("b.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CompletedResponse r = simulate_one(bury(), test::sim_options(31, "bury-castle-01", "castle"), 0);
  REQUIRE((*a)->insert_completed({r}).ok());
  r.answers["q17"] = Answer{{}, "A different comment", {}};
  REQUIRE((*b)->insert_completed({r}).ok());
  sync::SyncClient ca(settings(hub.process.url(), token, "bury-castle-01"), **a);
  REQUIRE(ca.upload_all().stored == 1);
  (*b).reset();
  const std::string common = " --db " + tmp.file("b.db") + " --config " + test::kiosk_toml();
  const std::string sync = admin_cmd("sync --once --hub " + hub.process.url() + " --token " + token + common);

  const auto first = test::run(sync);
  INFO(first.out << first.err);
  CHECK(first.exit_code == 5);
  CHECK_THAT(first.err, Catch::Contains("kiosk-admin conflicts"));
  const auto listed = test::run(admin_cmd("conflicts" + common));
  INFO(listed.out << listed.err);
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains(r.meta.uuid) && Catch::Contains("already holds a different response") &&
                             Catch::Contains("1 responses wait for an admin"));

  // Not requeued yet: a sync leaves it alone.
  CHECK(test::run(sync).exit_code == 5);
  CHECK(test::run(admin_cmd("requeue 00000000-0000-4000-8000-000000000000" + common)).exit_code == 1);
  CHECK(test::run(admin_cmd("requeue" + common)).exit_code == 2);

  // The admin resolves it at the hub (the first copy goes), then requeues.
  hub_sql(hub.process, "DELETE FROM responses WHERE uuid = '" + r.meta.uuid + "'");
  const auto requeued = test::run(admin_cmd("requeue " + r.meta.uuid + common));
  INFO(requeued.out << requeued.err);
  CHECK(requeued.exit_code == 0);
  CHECK_THAT(requeued.out, Catch::Contains("requeued 1 responses"));
  const auto sent = test::run(sync);
  INFO(sent.out << sent.err);
  CHECK(sent.exit_code == 0);
  const auto docs = hub.documents();
  REQUIRE(docs.size() == 1);
  CHECK(docs[0].find("A different comment") != std::string::npos);
  CHECK_THAT(test::run(admin_cmd("conflicts" + common)).out, Catch::Contains("no conflicts"));
}

TEST_CASE("the ledger: number 455 of 812 deleted behind the kiosk's back shows as exactly that gap at the hub",
          "[sync][e2e][ledger]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  const std::string token2 = hub.process.add("add-device", "k2");  // a kiosk that has collected nothing
  auto store = Store::open(tmp.file("k1.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(store.ok());
  // 812 responses through the real session engine and store: every tenth
  // one walked away from (abandoned), the rest completed.
  FakeClock clock;
  SimulateOptions opt = test::sim_options(77, "k1", "castle");
  opt.service_points = {"castle", "bury"};
  int abandoned = 0;
  for (std::uint64_t i = 0; i < 812; ++i) {
    if (i % 10 == 3) {
      ResponseMeta meta;
      meta.kiosk_id = "k1";
      meta.service_point = "castle";
      auto s = Session::start(bury(), meta, clock, store->get());
      REQUIRE(s.ok());
      REQUIRE((*s)->answer(Answer{{(*s)->current()->options[0].code}, {}, {}}).ok());
      clock.advance(std::chrono::seconds(30));
      REQUIRE((*s)->abandon("the visitor walked away").ok());
      ++abandoned;
    } else {
      REQUIRE((*store)->insert_completed({simulate_one(bury(), opt, i)}).ok());
    }
  }
  CHECK(*(*store)->highest_seq() == 812);
  CHECK((*store)->counts()->pending == 812);
  // Response number 455 disappears: someone drops the guards and deletes it with raw SQL.
  {
    auto raw = db::Connection::open(tmp.file("k1.db"), db::OpenMode::ReadWrite);
    REQUIRE(raw.ok());
    REQUIRE(raw->exec("DROP TRIGGER unsynced_is_kept; DROP TRIGGER IF EXISTS abandoned_unsynced_is_kept; "
                      "DELETE FROM responses WHERE seq = 455")
                .ok());
    REQUIRE(raw->changes() == 1);
  }
  sync::SyncClient client(settings(hub.process.url(), token, "k1"), **store);
  const auto o = client.upload_all();
  INFO(o.message);
  CHECK(o.kind == sync::BatchOutcome::Kind::Receipted);
  CHECK(o.stored == 811);
  REQUIRE(client.send_heartbeat("").ok());
  // k2's clock runs an hour fast; the hub reports the offset.
  auto empty = Store::open(tmp.file("k2.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(empty.ok());
  const FakeClock fast(std::chrono::system_clock::now() + std::chrono::hours(1));
  sync::SyncClient fast_kiosk(settings(hub.process.url(), token2, "k2"), **empty, &fast);
  REQUIRE(fast_kiosk.send_heartbeat("").ok());
  // A heartbeat whose ledger fields are of the wrong kind is refused, naming the field.
  {
    httplib::Client c("127.0.0.1", hub.process.port());
    // As is a number no kiosk could have reached: stored, it would show that many missing for ever.
    for (const std::string body : {R"({"highest_seq": "many"})", R"({"clock_utc": "not a date"})",
                                   R"({"highest_seq": 9223372036854775807})", R"({"highest_seq": 1000000001})"}) {
      auto r = c.Post("/api/v1/heartbeat", {{"Authorization", "Bearer " + token2}}, body, "application/json");
      REQUIRE(r);
      CHECK(r->status == 400);
      CHECK_THAT(r->body, Catch::Contains(body.substr(2, body.find('"', 2) - 2)));
    }
  }

  // The route.
  const auto j = get_json(hub, "/api/v1/ledger");
  REQUIRE(j["kiosks"].size() == 2);
  const auto& k1 = j["kiosks"][0];
  CHECK(k1["kiosk"] == "k1");
  CHECK(k1["numbered_up_to"] == 812);
  CHECK(k1["received"] == 811);
  CHECK(k1["missing"] == 1);
  CHECK(k1["missing_ranges"] == nlohmann::json::array({nlohmann::json::array({455, 455})}));
  CHECK(k1["oldest_missing"] == 455);
  CHECK(k1["missing_since_utc"].is_string());
  CHECK(k1["missing_for_seconds"].is_number_integer());
  REQUIRE(k1["clock_offset_seconds"].is_number_integer());
  CHECK(std::abs(k1["clock_offset_seconds"].get<std::int64_t>()) <= 5);  // the same machine's clock
  const auto& k2 = j["kiosks"][1];
  CHECK(k2["kiosk"] == "k2");
  CHECK(k2["numbered_up_to"] == 0);
  CHECK(k2["missing"] == 0);
  CHECK(k2["oldest_missing"].is_null());
  REQUIRE(k2["clock_offset_seconds"].is_number_integer());
  CHECK(std::abs(k2["clock_offset_seconds"].get<std::int64_t>() - 3600) <= 5);

  // The CLI: the same figures.
  const auto cli = test::run(hub_cmd("ledger --db '" + hub.process.db() + "'"));
  INFO(cli.err);
  REQUIRE(cli.exit_code == 0);
  const auto rows = lines_of(cli.out);
  REQUIRE(rows.size() == 3);
  CHECK_THAT(rows[1], Catch::StartsWith("k1\t812\t811\t1\t455\t") && Catch::EndsWith("\t455"));
  CHECK_THAT(rows[2], Catch::Matches("k2\t0\t0\t0\t-\t-\t\\+(359[5-9]|360[0-5]) s\tnone"));

  // Abandoned responses arrived flagged; the summary counts only completed ones.
  int flagged = 0;
  for (const auto& d : hub.documents()) flagged += nlohmann::json::parse(d)["status"] == "abandoned" ? 1 : 0;
  CHECK(flagged == abandoned);
  CHECK(get_json(hub, "/api/v1/summary")["overall"]["responses"] == 811 - abandoned);
  httplib::Client c("127.0.0.1", hub.process.port());
  auto csv = c.Get("/api/v1/export?format=csv", {{"Authorization", "Bearer " + hub.admin}});
  REQUIRE(csv);
  REQUIRE(csv->status == 200);
  CHECK_THAT(csv->body.substr(0, csv->body.find("\r\n")), Catch::Contains(",completed_utc,status,"));
  int abandoned_rows = 0;
  for (size_t p = 0; (p = csv->body.find("Z,abandoned,", p)) != std::string::npos; ++p) ++abandoned_rows;
  CHECK(abandoned_rows == abandoned);
}

TEST_CASE("the hub's ledger across blocks: whole blocks missing, gaps at block edges, numbers only a heartbeat knows",
          "[hub][e2e][ledger]") {
  test::TempDir tmp;
  const std::string where = test::hub_database(tmp);
  auto store = hub::open_hub_store(where);
  REQUIRE(store.ok());
  REQUIRE((*store)->add_principal("k1", "kiosk").ok());
  const std::set<std::int64_t> gone = {455, 999, 1000, 2400};  // and all of 1001..1999, and 2501..2600
  std::vector<hub::Incoming> batch;
  auto flush = [&] {
    auto r = (*store)->ingest("k1", batch);
    REQUIRE(r.ok());
    batch.clear();
  };
  std::int64_t sent = 0;
  for (std::int64_t seq = 1; seq <= 2500; ++seq) {
    if (gone.count(seq) || (seq > 1000 && seq < 2000)) continue;
    hub::Incoming in;
    in.uuid = "00000000-0000-4000-8000-" + std::to_string(100000000000 + seq);
    in.content_hash = "h" + std::to_string(seq);
    in.document = "{}";
    in.kiosk_id = "k1";
    in.service_point = "castle";
    in.survey_id = "s";
    in.survey_version = "1";
    in.completed_utc = "2026-01-01T00:00:00Z";
    in.seq = seq;
    batch.push_back(std::move(in));
    ++sent;
    if (batch.size() == 500) flush();
  }
  flush();
  hub::Heartbeat hb;
  hb.highest_seq = 2600;
  hb.clock_offset_seconds = -42;
  REQUIRE((*store)->heartbeat("k1", hb, "2026-01-02T00:00:00Z").ok());
  hb.highest_seq = 10;  // an older number never lowers it
  REQUIRE((*store)->heartbeat("k1", hb, "2026-01-03T00:00:00Z").ok());
  auto rows = (*store)->ledger();
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  const auto& r = rows->front();
  CHECK(r.numbered_up_to == 2600);
  CHECK(r.received == sent);
  CHECK(r.missing == 2600 - sent);
  using R = std::pair<std::int64_t, std::int64_t>;
  CHECK(r.missing_ranges == std::vector<R>{{455, 455}, {999, 1999}, {2400, 2400}, {2501, 2600}});
  CHECK(r.oldest_missing == 455);
  CHECK_FALSE(r.missing_since_utc.empty());  // when 456 arrived
  REQUIRE(r.clock_offset_seconds);
  CHECK(*r.clock_offset_seconds == -42);
  CHECK(hub::format_ranges(r.missing_ranges, r.missing) == "455, 999-1999, 2400, 2501-2600");
}

// SQLite only (a file made by the previous release); PostgreSQL adds the same
// columns with ADD COLUMN IF NOT EXISTS in its schema script.
TEST_CASE("a hub database from before the ledger gains its columns, loses its age band column, and keeps its responses",
          "[hub][schema]") {
  test::TempDir tmp;
  const std::string path = tmp.file("old-hub.db");
  {
    auto c = db::Connection::open(path, db::OpenMode::Create);
    REQUIRE(c.ok());
    REQUIRE(c->exec(R"sql(
CREATE TABLE principals(
  name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('kiosk', 'admin')),
  token_hash TEXT NOT NULL UNIQUE, created_utc TEXT NOT NULL);
CREATE TABLE devices(
  name TEXT PRIMARY KEY, last_seen_utc TEXT, service_point TEXT, app_version TEXT, pending INTEGER,
  oldest_pending_age_seconds INTEGER, free_disk_bytes INTEGER, last_error TEXT);
CREATE TABLE responses(
  seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, content_hash TEXT NOT NULL, device TEXT NOT NULL,
  kiosk_id TEXT NOT NULL, service_point TEXT NOT NULL, survey_id TEXT NOT NULL, survey_version TEXT NOT NULL,
  completed_utc TEXT NOT NULL, age_band TEXT NOT NULL, received_utc TEXT NOT NULL, document TEXT NOT NULL);
CREATE INDEX responses_order ON responses(completed_utc, uuid);
CREATE TABLE conflicts(
  id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, content_hash TEXT NOT NULL, device TEXT NOT NULL,
  received_utc TEXT NOT NULL, document TEXT NOT NULL, UNIQUE (uuid, content_hash));
CREATE TRIGGER hub_responses_are_frozen BEFORE UPDATE ON responses
BEGIN SELECT RAISE(ABORT, 'stored responses are never overwritten'); END;
INSERT INTO principals VALUES('k1', 'kiosk', 'not-a-real-hash', '2026-01-01T00:00:00Z');
INSERT INTO responses(uuid, content_hash, device, kiosk_id, service_point, survey_id, survey_version, completed_utc,
  age_band, received_utc, document) VALUES('00000000-0000-4000-8000-000000000001', 'h', 'k1', 'k1', 'castle', 's',
  '1', '2026-01-01T00:00:00Z', '', '2026-01-01T00:00:00Z', '{}');
)sql")
                .ok());
  }
  const auto before = test::run(hub_cmd("ledger --db '" + path + "'"));
  INFO(before.err);
  REQUIRE(before.exit_code == 0);
  CHECK_THAT(before.out, Catch::Contains("k1\t0\t0\t0\t-"));  // the old response carries no number
  auto store = hub::open_hub_store(path);
  REQUIRE(store.ok());
  hub::Incoming in;
  in.uuid = "00000000-0000-4000-8000-000000000002";
  in.content_hash = "h2";
  in.document = "{}";
  in.kiosk_id = "k1";
  in.service_point = "castle";
  in.survey_id = "s";
  in.survey_version = "1";
  in.completed_utc = "2026-01-02T00:00:00Z";
  in.seq = 2;
  in.status = "abandoned";
  REQUIRE((*store)->ingest("k1", {in}).ok());
  CHECK(*(*store)->response_count() == 2);
  auto rows = (*store)->ledger();
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK(rows->front().numbered_up_to == 2);
  CHECK(rows->front().received == 1);
  CHECK(rows->front().missing_ranges == std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 1}});
  auto c = db::Connection::open(path, db::OpenMode::ReadOnly);
  REQUIRE(c.ok());
  auto q = db::Statement::prepare(*c, "SELECT group_concat(coalesce(kiosk_seq, '-') || ':' || status) FROM responses");
  REQUIRE(q.ok());
  REQUIRE(*q->step());
  CHECK(q->str(0) == "-:completed,2:abandoned");
  // The age band that release kept in the clear beside each response is gone.
  auto cols = db::Statement::prepare(*c, "SELECT count(*) FROM pragma_table_info('responses') WHERE name='age_band'");
  REQUIRE(cols.ok());
  REQUIRE(*cols->step());
  CHECK(cols->integer(0) == 0);
}

TEST_CASE("kiosk-hub add-device prints an enrolment command, and kiosk-admin enrol checks it before writing",
          "[sync][e2e][enrol]") {
  Hub hub;
  const auto added = test::run(std::string(KIOSK_HUB_BIN) + " add-device enrol-kiosk --url " + hub.process.url() +
                               " --db '" + hub.process.db() + "'");
  REQUIRE(added.exit_code == 0);
  // The command line as printed, and the token alone on the last line.
  const auto at = added.out.find("kiosk-admin enrol ");
  REQUIRE(at != std::string::npos);
  const std::string command = added.out.substr(at, added.out.find('\n', at) - at);
  std::string token = added.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  token = token.substr(token.rfind('\n') + 1);
  CHECK(command == "kiosk-admin enrol --hub " + hub.process.url() + " --token " + token);

  test::TempDir tmp;
  std::filesystem::copy(test::source_path("kiosk-config"), tmp.file("cfg"), std::filesystem::copy_options::recursive);
  const std::string cfg = tmp.file("cfg/kiosk.toml");
  std::string text = test::read_file(cfg);
  const auto id = text.find("id = \"");
  text.replace(id, text.find('\n', id) - id, "id = \"enrol-kiosk\"");
  text.replace(text.find("database = "), text.find('\n', text.find("database = ")) - text.find("database = "),
               "database = \"" + tmp.file("kiosk.db") + "\"");
  const auto pk = text.find("public_key_file = ");
  text.replace(pk, text.find('\n', pk) - pk, "public_key_file = \"" + tmp.file("council.pub") + "\"");
  // No key yet, as on a kiosk PC fresh from the package: enrol fetches it.
  test::write_file(cfg, text);
  const std::string before = test::read_file(cfg);
  const std::string enrol = std::string(KIOSK_ADMIN_BIN) + " enrol --config " + cfg;

  // Plain http to another machine is refused before anything is sent; loopback is not.
  auto plain = test::run(enrol + " --hub http://kiosk-hub.example.org:8470 --token " + token);
  CHECK(plain.exit_code == 1);
  CHECK_THAT(plain.err,
             Catch::Contains("plain http") && Catch::Contains("--insecure-http") && Catch::Contains("unchanged"));

  auto wrong = test::run(enrol + " --hub " + hub.process.url() + " --token not-the-token");
  CHECK(wrong.exit_code == 3);
  CHECK_THAT(wrong.err, Catch::Contains("refused the token") && Catch::Contains("unchanged"));
  auto nobody = test::run(enrol + " --hub http://127.0.0.1:1 --token " + token);
  CHECK(nobody.exit_code == 1);
  CHECK_THAT(nobody.err, Catch::Contains("did not answer"));
  CHECK(test::read_file(cfg) == before);

  auto ok = test::run(enrol + " --hub " + hub.process.url() + " --token " + token);
  INFO(ok.out << ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Enrolled: kiosk enrol-kiosk"));
  // The council's public key, as the hub serves it, where kiosk.toml says.
  CHECK(test::read_file(tmp.file("council.pub")) == kiosk::format_public_key(test::seal_key().pub));
  CHECK_THAT(ok.out, Catch::Contains("The hub serves survey bury_libraries_2016") &&
                         Catch::Contains("the same as this kiosk's"));
  auto c = load_config(cfg);
  REQUIRE(c);
  CHECK(c->sync.hub_url == hub.process.url());
  CHECK(c->sync.token == token);
  // Every comment survived: only the two values' lines changed.
  const std::string after = test::read_file(cfg);
  CHECK(std::count(after.begin(), after.end(), '#') == std::count(before.begin(), before.end(), '#'));
  CHECK(std::count(after.begin(), after.end(), '\n') == std::count(before.begin(), before.end(), '\n'));
  // And the kiosk now syncs with what enrol wrote.
  CHECK(test::run(std::string(KIOSK_ADMIN_BIN) + " simulate --responses 3 --config " + cfg).exit_code == 0);
  auto synced = test::run(std::string(KIOSK_ADMIN_BIN) + " sync --once --config " + cfg);
  INFO(synced.out << synced.err);
  CHECK(synced.exit_code == 0);
  CHECK(hub.documents().size() == 3);
}

TEST_CASE("a kiosk registered at a service point has its responses from anywhere else refused", "[sync][e2e][trust]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "sp-kiosk --service-point castle");
  // Spread over four service points, as a rehearsal tool once did.
  auto kiosk = make_kiosk(tmp, "sp-kiosk", 40, 77);
  // Which of them name castle: the same simulation again (it is deterministic;
  // the kiosk's database holds them sealed).
  SimulateOptions same;
  same.responses = 40;
  same.seed = 77;
  same.kiosk_id = "sp-kiosk";
  same.service_points = {"castle", "bury", "radcliffe", "prestwich"};
  std::int64_t at_castle = 0;
  for (std::uint64_t i = 0; i < 40; ++i) at_castle += simulate_one(bury(), same, i).meta.service_point == "castle";
  REQUIRE(at_castle > 0);
  REQUIRE(at_castle < 40);
  sync::SyncClient client(settings(hub.process.url(), token, "sp-kiosk"), *kiosk);
  const auto o = client.upload_all();
  CHECK(o.stored == at_castle);
  CHECK(o.rejected == 40 - at_castle);
  CHECK(hub.documents().size() == static_cast<std::size_t>(at_castle));
  auto c = kiosk->conflicts();
  REQUIRE(c);
  REQUIRE_FALSE(c->empty());
  CHECK_THAT(c->front().detail, Catch::Contains("not where this kiosk is registered") && Catch::Contains("castle"));
  // Moved: registered elsewhere, by the hub's operator.
  auto moved =
      test::run(std::string(KIOSK_HUB_BIN) + " set-service-point sp-kiosk bury --db '" + hub.process.db() + "'");
  CHECK(moved.exit_code == 0);
  CHECK(test::run(std::string(KIOSK_HUB_BIN) + " set-service-point no-such-kiosk bury --db '" + hub.process.db() + "'")
            .exit_code == 1);
}

TEST_CASE("kiosk-hub backup taken while it serves, restored into a fresh hub, holds every response",
          "[sync][e2e][backup]") {
  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "backup-kiosk");
  auto kiosk = make_kiosk(tmp, "backup-kiosk", 60, 31);
  sync::SyncClient client(settings(hub.process.url(), token, "backup-kiosk"), *kiosk);
  REQUIRE(client.upload_all().stored == 60);
  const auto before = hub.uuids();
  REQUIRE(before.size() == 60);

  const std::string hub_bin = KIOSK_HUB_BIN;
  const std::string copy = tmp.file("hub-backup");
  auto b = test::run(hub_bin + " backup --db '" + hub.process.db() + "' --out " + copy);
  INFO(b.out << b.err);
  REQUIRE(b.exit_code == 0);
  struct stat st {};
  REQUIRE(::stat(copy.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // A backup never overwrites: the same command again is refused.
  CHECK(test::run(hub_bin + " backup --db '" + hub.process.db() + "' --out " + copy).exit_code == 1);

  // A new hub's database, from the backup, served with the council's keys.
  test::TempDir fresh_tmp;
  HubProcess fresh(test::hub_database(fresh_tmp), test::bury_survey(), fresh_tmp.file("hub.log"));
  auto r = test::run(hub_bin + " restore --from " + copy + " --db '" + fresh.db() + "'");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  if (!test::using_postgres())  // never over an existing database
    CHECK(test::run(hub_bin + " restore --from " + copy + " --db '" + fresh.db() + "'").exit_code == 1);
  const std::string admin = fresh.add("add-admin", "restored");
  fresh.start();
  std::set<std::string> after;
  for (const auto& d : exported_documents(fresh.port(), admin))
    after.insert(nlohmann::json::parse(d)["uuid"].get<std::string>());
  CHECK(after == before);
  // The kiosks' tokens came across too: the same kiosk syncs on to the restored hub.
  test::TempDir later;
  auto more = make_kiosk(later, "backup-kiosk", 5, 32);
  sync::SyncClient again(settings(fresh.url(), token, "backup-kiosk"), *more);
  const auto o = again.upload_all();
  INFO(o.message);
  CHECK(o.kind == sync::BatchOutcome::Kind::Receipted);
  CHECK(o.stored == 5);
}

#ifdef KIOSK_KIOSK_BIN
namespace {
// A kiosk.toml enrolled by hand (hub and token) with no council key yet.
std::string enrolled_without_key(test::TempDir& tmp, const std::string& hub_url, const std::string& token) {
  const std::string cfg = tmp.file("kiosk.toml");
  test::write_file(cfg, "[kiosk]\nid = \"key-kiosk\"\nname = \"Key test\"\nservice_point = \"castle\"\nsurvey = \"" +
                            test::bury_survey() + "\"\ndatabase = \"" + tmp.file("kiosk.db") + "\"\npages = \"" +
                            test::source_path("kiosk-config/pages") + "\"\nservice_points = \"" +
                            test::source_path("kiosk-config/service-points.toml") + "\"\n[sync]\nhub_url = \"" +
                            hub_url + "\"\ntoken = \"" + token + "\"\n[sealing]\npublic_key_file = \"" +
                            tmp.file("council.pub") + "\"\n");
  return cfg;
}
}  // namespace

TEST_CASE("a kiosk enrolled without the council's key fetches it from the hub and starts by itself",
          "[sync][e2e][enrol][seal]") {
  Hub hub;
  const std::string token = hub.process.add("add-device", "key-kiosk");
  test::TempDir tmp;
  const std::string cfg = enrolled_without_key(tmp, hub.process.url(), token);
  const std::string err = tmp.file("stderr.txt");
  test::FakeSystemd sd(tmp);
  sd.start_program({KIOSK_KIOSK_BIN, "--config", cfg}, err);
  const std::string home = sd.wait_for("STATUS=showing the home screen", std::chrono::seconds(30));
  INFO("kiosk's log: " << test::read_file(err));
  REQUIRE_FALSE(home.empty());
  CHECK(test::read_file(tmp.file("council.pub")) == kiosk::format_public_key(test::seal_key().pub));
  CHECK_THAT(test::read_file(err), Catch::Contains("the council's public key came from the hub"));
  REQUIRE(kill(sd.pid(), SIGTERM) == 0);
  CHECK(sd.wait_exit(std::chrono::seconds(10)) != -1);
}

TEST_CASE("a kiosk whose hub has no sealing key says so to staff and keeps asking", "[sync][e2e][enrol][seal]") {
  test::TempDir hub_tmp;
  HubProcess hub(test::hub_database(hub_tmp), test::bury_survey(), hub_tmp.file("hub.log"));
  hub.sealing = false;
  const std::string token = hub.add("add-device", "key-kiosk");
  hub.start();
  test::TempDir tmp;
  const std::string cfg = enrolled_without_key(tmp, hub.url(), token);
  const std::string err = tmp.file("stderr.txt");
  test::FakeSystemd sd(tmp);
  sd.start_program({KIOSK_KIOSK_BIN, "--config", cfg}, err);
  const std::string status = sd.wait_for("STATUS=out of order", std::chrono::seconds(30));
  INFO("kiosk's log: " << test::read_file(err));
  REQUIRE_FALSE(status.empty());
  CHECK_THAT(status, Catch::Contains("asking the hub for it every minute") && Catch::Contains("no sealing key") &&
                         Catch::Contains("kiosk-hub keygen"));
  CHECK_FALSE(std::filesystem::exists(tmp.file("council.pub")));
  // enrol says the same, and exits 4: enrolled, the kiosk will fetch the key itself.
  auto e =
      test::run(std::string(KIOSK_ADMIN_BIN) + " enrol --config " + cfg + " --hub " + hub.url() + " --token " + token);
  CHECK(e.exit_code == 4);
  CHECK_THAT(e.err, Catch::Contains("no sealing key") && Catch::Contains("asks the hub for the key by itself"));
  REQUIRE(kill(sd.pid(), SIGTERM) == 0);
  CHECK(sd.wait_exit(std::chrono::seconds(10)) != -1);
}
#endif

TEST_CASE("kiosk-hub reads its settings from a file, the command line winning, and says READY to systemd",
          "[hub][cli][service]") {
  test::TempDir tmp;
  const std::string conf = tmp.file("hub.toml");
  test::write_file(conf, "# as /etc/kiosk-hub/hub.toml\n[serve]\ndb = \"" + tmp.file("hub.db") + "\"\nsurvey = \"" +
                             test::bury_survey() + "\"\nbind = \"127.0.0.1\"\nport = 0\nthreads = 2\n");
  const std::string hub = KIOSK_HUB_BIN;
  // Every command takes db from the file.
  REQUIRE(test::run(hub + " add-admin council --config " + conf).exit_code == 0);
  auto list = test::run(hub + " list-devices --config " + conf);
  CHECK(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("council"));
  // A key the hub does not know is named, with the file.
  const std::string bad = tmp.file("bad.toml");
  test::write_file(bad, "[serve]\nport = 0\nmax-bodyy = 5\n");
  auto b = test::run(hub + " serve --config " + bad);
  CHECK(b.exit_code == 2);
  CHECK_THAT(b.err, Catch::Contains(bad) && Catch::Contains("max-bodyy"));

  // serve as systemd runs it: Type=notify, READY once listening, STOPPING on SIGTERM.
  test::FakeSystemd sd(tmp);
  const std::string err = tmp.file("hub.err");
  sd.start_program({hub, "serve", "--config", conf, "--bind", "127.0.0.1"}, err);
  const std::string ready = sd.wait_for("READY=1", std::chrono::seconds(20));
  INFO(test::read_file(err));
  REQUIRE_FALSE(ready.empty());
  CHECK_THAT(ready, Catch::Contains("STATUS=listening on http://127.0.0.1:"));
  // The port it chose answers.
  const auto at = ready.find("127.0.0.1:") + 10;
  const int port = std::stoi(ready.substr(at));
  httplib::Client c("127.0.0.1", port);
  auto h = c.Get("/healthz");
  REQUIRE(h);
  CHECK(h->status == 200);
  REQUIRE(kill(sd.pid(), SIGTERM) == 0);
  CHECK_FALSE(sd.wait_for("STOPPING=1", std::chrono::seconds(10)).empty());
  const int st = sd.wait_exit(std::chrono::seconds(20));
  REQUIRE(st != -1);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
}

TEST_CASE("admin actions are in the audit log with who and when: devices added and revoked, exports",
          "[hub][e2e][audit]") {
  Hub hub;  // adds the admin "council"
  (void)hub.process.add("add-device", "k1");
  const std::string hub_bin = KIOSK_HUB_BIN;
  REQUIRE(test::run(hub_bin + " revoke-device k1 --db '" + hub.process.db() + "'").exit_code == 0);
  (void)hub.documents();  // an export with the council's admin token
  auto audit = test::run(hub_bin + " audit --db '" + hub.process.db() + "'");
  REQUIRE(audit.exit_code == 0);
  std::vector<std::string> lines;
  std::istringstream in(audit.out);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  INFO(audit.out);
  REQUIRE(lines.size() == 5);  // a header, then newest first
  CHECK_THAT(lines[1], Catch::Contains("\tcouncil\texport\tformat jsonl"));
  CHECK_THAT(lines[2], Catch::Contains("\toperator ") && Catch::Contains("\trevoke-device\tk1"));
  CHECK_THAT(lines[3], Catch::Contains("\tadd-device\tk1"));
  CHECK_THAT(lines[4], Catch::Contains("\tadd-admin\tcouncil"));
  for (size_t i = 1; i < lines.size(); ++i) CHECK(lines[i].rfind("20", 0) == 0);  // a UTC time first
  // The status page shows the latest.
  httplib::Client c("127.0.0.1", hub.process.port());
  c.set_basic_auth("admin", hub.admin);
  auto page = c.Get("/");
  REQUIRE(page);
  CHECK_THAT(page->body, Catch::Contains("Admin actions") && Catch::Contains("export: format jsonl"));
}

// One version number for the project: debian/changelog's newest entry (the
// packages'), every program's --version, and what each kiosk reports to its
// hub, shown on the status page, where a kiosk left on another version after
// an upgrade is named.
TEST_CASE("one version number: the packages', every program's --version, and each kiosk's on the status page",
          "[sync][e2e]") {
  std::ifstream changelog(test::source_path("debian/changelog"));
  std::string top;
  std::getline(changelog, top);
  const auto open = top.find('('), close = top.find(')');
  REQUIRE(open != std::string::npos);
  REQUIRE(close > open);
  std::string version = top.substr(open + 1, close - open - 1);
  version = version.substr(0, version.find('-'));  // the upstream part of a Debian version
  std::vector<std::string> programs = {KIOSK_HUB_BIN, KIOSK_ADMIN_BIN};
#if defined(KIOSK_KIOSK_BIN)
  programs.push_back(KIOSK_KIOSK_BIN);
#endif
  for (const auto& p : programs) {
    const auto r = test::run(p + " --version");
    INFO(p << ": " << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == version + "\n");
  }

  Hub hub;
  test::TempDir tmp;
  const std::string token = hub.process.add("add-device", "k1");
  const std::string old_token = hub.process.add("add-device", "k-old");
  auto store = make_kiosk(tmp, "k1", 3, 31);
  auto old_store = make_kiosk(tmp, "k-old", 3, 32);
  sync::SyncClient current(settings(hub.process.url(), token, "k1"), *store);
  REQUIRE(current.send_heartbeat("").ok());
  auto st = settings(hub.process.url(), old_token, "k-old");
  st.app_version = "0.0.9";  // left behind by an upgrade
  sync::SyncClient left_behind(st, *old_store);
  REQUIRE(left_behind.send_heartbeat("").ok());
  httplib::Client c("127.0.0.1", hub.process.port());
  auto page = c.Get("/", {httplib::make_basic_authentication_header("staff", hub.admin)});
  REQUIRE(page);
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Catch::Contains("<td data-label=Version>" + version + "</td>"));
  CHECK_THAT(page->body, Catch::Contains("<td data-label=Version>0.0.9</td>"));
  CHECK_THAT(page->body, Catch::Contains("Runs version 0.0.9; this hub runs " + version));
  CHECK_THAT(page->body, !Catch::Contains("Runs version " + version));
}
