// The hub's routes in this process (hub_in_process.hpp): routing, who may
// call what, the heartbeat's bounds, an upload's receipts and the streamed
// exports, with no port and no child process. SQLite here; PostgreSQL too
// in the "[e2e]" run.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hub_in_process.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/session.hpp"
#include "kiosk/simulate.hpp"
#include "represent.hpp"
#include "response_cache.hpp"

using namespace kiosk;
using nlohmann::json;

namespace {

std::string header_of(const hub::Reply& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

std::string basic(const std::string& token) { return "Basic " + base64_encode("council:" + token); }

// One upload item, plain (the hub seals it to its key as it stores it).
json item(const CompletedResponse& r) {
  const std::string doc = canonical_document(r.meta, r.answers);
  return json{{"uuid", r.meta.uuid}, {"content_hash", sha256_hex(doc)}, {"document", doc}};
}

}  // namespace

TEST_CASE("in process: an unknown path is 404 and a wrong method 405 with Allow, before any token is looked up",
          "[hub][routes]") {
  test::InProcessHub hub;
  hub.start();
  auto r = hub.request("GET", "/api/v1/nothing-here");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK_THAT(r->body, Catch::Contains("/api/v1"));
  r = hub.request("DELETE", "/api/v1/export");
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(header_of(*r, "Allow") == "GET");
  r = hub.request("GET", "/api/v1/responses");
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(header_of(*r, "Allow") == "POST");
  // HEAD is GET without the body (the transport drops it); /healthz needs no token.
  r = hub.request("HEAD", "/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE("in process: a token does only what its role may, and Basic credentials only read", "[hub][routes][e2e]") {
  test::InProcessHub hub;
  const std::string admin = hub.add("admin", "council");
  const std::string kiosk = hub.add("kiosk", "k1", "castle");
  hub.start();

  SECTION("no token: Bearer asked for by the API, Basic by the status page") {
    auto r = hub.request("GET", "/api/v1/export?format=jsonl");
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(header_of(*r, "WWW-Authenticate") == "Bearer");
    CHECK(json::parse(r->body)["reason"] == "unknown_token");
    r = hub.request("GET", "/");
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK_THAT(header_of(*r, "WWW-Authenticate"), Catch::StartsWith("Basic realm="));
    CHECK_THAT(r->content_type, Catch::StartsWith("text/html"));
  }
  SECTION("a kiosk's token may not export, read the status page or the ledger") {
    for (const char* path : {"/api/v1/export?format=csv", "/", "/api/v1/ledger", "/api/v1/summary"}) {
      INFO(path);
      auto r = hub.get(path, kiosk);
      REQUIRE(r);
      CHECK(r->status == 403);
    }
    auto r = hub.get("/api/v1/survey", kiosk);
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  SECTION("an admin's token as Basic reads the status page but changes nothing (a cross-site form's shape)") {
    auto r = hub.request("GET", "/", basic(admin));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK_THAT(r->body, Catch::Contains("<h1"));
    r = hub.request("POST", "/api/v1/responses", basic(admin), R"({"kiosk_id":"k1","responses":[]})",
                    {{"Content-Type", "text/plain"}});
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK_THAT(r->body, Catch::Contains("Basic credentials are taken only to read"));
    r = hub.request("POST", "/api/v1/heartbeat", basic(kiosk), R"({"pending":0})");
    REQUIRE(r);
    CHECK(r->status == 401);
  }
  SECTION("a revoked kiosk is told so, and keeps its responses") {
    REQUIRE(hub.store().revoke_principal("k1", "kiosk").ok());
    auto r = hub.post("/api/v1/heartbeat", kiosk, R"({"pending":3})");
    REQUIRE(r);
    CHECK(r->status == 401);
    CHECK(json::parse(r->body)["reason"] == "revoked_token");
  }
}

TEST_CASE("in process: a heartbeat's counts must be whole numbers a kiosk could have, and a bad one stores nothing",
          "[hub][routes][e2e]") {
  test::InProcessHub hub;
  const std::string kiosk = hub.add("kiosk", "k1", "castle");
  const std::string admin = hub.add("admin", "council");
  hub.start();
  auto beat = [&](const std::string& body) {
    auto r = hub.post("/api/v1/heartbeat", kiosk, body);
    REQUIRE(r);
    return *r;
  };
  CHECK(beat(R"({"pending":2,"highest_seq":40,"clock_utc":"2026-11-24T08:00:00Z"})").status == 200);
  const auto ledger_before = hub.get("/api/v1/ledger", admin)->body;
  CHECK_THAT(ledger_before, Catch::Contains("\"highest_seq\":40") || Catch::Contains("40"));
  for (const std::string bad :
       {R"({"highest_seq":9223372036854775807})", R"({"highest_seq":1000000001})", R"({"highest_seq":-1})",
        R"({"highest_seq":"40"})", R"({"highest_seq":4.5})", R"({"pending":18446744073709551615})",
        R"({"pending":1e300})", R"({"clock_utc":"yesterday"})", R"([1,2])", "not json"}) {
    INFO(bad);
    const auto r = beat(bad);
    CHECK(r.status == 400);
    CHECK_NOTHROW(json::parse(r.body));
  }
  // What was stored before is what the ledger still says: no 9.2e18 missing.
  // (How long the gap has been open counts on by the real clock: left out.)
  auto stored = [](const std::string& body) {
    json j = json::parse(body);
    for (auto& k : j["kiosks"]) k.erase("missing_for_seconds");
    return j;
  };
  CHECK(stored(hub.get("/api/v1/ledger", admin)->body) == stored(ledger_before));
}

TEST_CASE("in process: a batch is receipted item by item, a resent one is a duplicate, and both exports hold it once",
          "[hub][routes][e2e]") {
  test::InProcessHub hub;
  const std::string kiosk = hub.add("kiosk", "k1", "castle");
  const std::string admin = hub.add("admin", "council");
  hub.start();
  std::vector<CompletedResponse> responses;
  for (std::uint64_t i = 0; i < 30; ++i)
    responses.push_back(simulate_one(test::bury(), test::sim_options(7, "k1", "castle", 1454284800), i));
  json batch{{"kiosk_id", "k1"}, {"responses", json::array()}};
  for (const auto& r : responses) batch["responses"].push_back(item(r));
  for (const char* expect : {"stored", "duplicate"}) {
    INFO(expect);
    auto r = hub.post("/api/v1/responses", kiosk, batch.dump());
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const auto j = json::parse(r->body);
    CHECK(j["committed"] == true);
    REQUIRE(j["receipts"].size() == responses.size());
    for (size_t i = 0; i < responses.size(); ++i) {
      CHECK(j["receipts"][i]["uuid"] == responses[i].meta.uuid);
      CHECK(j["receipts"][i]["status"] == expect);
    }
  }
  // Streamed: collected whole here, as a client reads it.
  auto jsonl = hub.get("/api/v1/export?format=jsonl", admin);
  REQUIRE(jsonl);
  CHECK(jsonl->status == 200);
  CHECK(std::count(jsonl->body.begin(), jsonl->body.end(), '\n') == 30);
  for (const auto& r : responses) CHECK_THAT(jsonl->body, Catch::Contains(r.meta.uuid));
  auto csv = hub.get("/api/v1/export?format=csv", admin);
  REQUIRE(csv);
  CHECK(csv->status == 200);
  CHECK_THAT(csv->content_type, Catch::StartsWith("text/csv"));
  // A header and one row each (a free-text answer may hold a newline inside quotes).
  std::size_t rows = 0;
  for (const auto& r : responses) rows += csv->body.find(r.meta.uuid) != std::string::npos;
  CHECK(rows == 30);
  // Each export is in the audit log, with the admin's name.
  auto audit = hub.store().audit_log(10);
  REQUIRE(audit.ok());
  std::size_t exports = 0;
  for (const auto& a : *audit) exports += a.action == "export" && a.actor == "council";
  CHECK(exports == 2);
}

TEST_CASE(
    "in process: the hub's results copy gives back each response as it was uploaded: uuid, place, times, choices and "
    "text, whatever order the visits arrive in",
    "[hub][routes][analyst]") {
  test::InProcessHub hub;
  const std::string kiosk = hub.add("kiosk", "k1", "castle");
  hub.start();
  // Two batches, the second of visits that began months before the first's,
  // so the copy must put its rows back in the visits' order; one uuid in
  // capitals (a UUID the hub takes, not of the form packed in 16 bytes).
  std::vector<CompletedResponse> responses;
  for (std::uint64_t i = 0; i < 40; ++i)
    responses.push_back(simulate_one(test::bury(), test::sim_options(11, "k1", "castle", 1470009600), i));
  for (std::uint64_t i = 0; i < 40; ++i)
    responses.push_back(simulate_one(test::bury(), test::sim_options(12, "k1", "castle", 1454284800), i));
  for (auto& c : responses[7].meta.uuid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (size_t from : {size_t{0}, size_t{40}}) {
    json batch{{"kiosk_id", "k1"}, {"responses", json::array()}};
    for (size_t i = from; i < from + 40; ++i) batch["responses"].push_back(item(responses[i]));
    auto r = hub.post("/api/v1/responses", kiosk, batch.dump());
    REQUIRE(r);
    REQUIRE(r->status == 200);
  }
  std::map<std::string, const CompletedResponse*> sent;
  for (const auto& r : responses) sent[r.meta.uuid] = &r;
  hub::ResponseCache copy(test::bury(), [&](const hub::StoredDocument& s) { return hub.api().open_stored(s); });
  size_t seen = 0;
  std::string last_ended;
  auto st = copy.use(&hub.store(), {}, [&](const cli::OpenedResponses& from) {
    from.for_each([&](const ResponseMeta& m, const Answers& a, const cli::ChosenOptions& chosen) {
      INFO("response " << m.uuid);
      const auto it = sent.find(m.uuid);
      REQUIRE(it != sent.end());
      const CompletedResponse& r = *it->second;
      ++seen;
      CHECK(m.service_point == r.meta.service_point);
      CHECK(m.kiosk_id == r.meta.kiosk_id);
      CHECK(m.locale == r.meta.locale);
      CHECK(m.mode == r.meta.mode);
      CHECK(m.assistance == r.meta.assistance);
      CHECK(m.status == r.meta.status);
      CHECK(m.started_utc == r.meta.started_utc);
      CHECK(m.ended_utc == r.meta.ended_utc);
      CHECK(m.ended_utc >= last_ended);  // in the order the visits ended
      last_ended = m.ended_utc;
      cli::ChosenOptions expected;
      expected.from(test::bury(), r.answers);
      for (const auto& q : test::bury().questions) {
        INFO("question " << q.id);
        const auto got = chosen.of(q.index), want = expected.of(q.index);
        CHECK(std::vector<std::uint16_t>(got.begin(), got.end()) ==
              std::vector<std::uint16_t>(want.begin(), want.end()));
        if (q.options.empty()) {
          const auto x = r.answers.find(q.id);
          const auto y = a.find(q.id);
          CHECK((y == a.end() ? std::string() : y->second.text) ==
                (x == r.answers.end() ? std::string() : x->second.text));
        }
      }
    });
  });
  REQUIRE(st.ok());
  CHECK(seen == responses.size());
  CHECK(copy.size() == responses.size());
}
