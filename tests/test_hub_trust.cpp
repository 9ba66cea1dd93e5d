// Trust at the hub, end to end against the real kiosk-hub process (SQLite, and
// PostgreSQL through the "[e2e]" run): documents that lie or are malformed,
// each sent with a matching hash, are refused naming the field and kept in
// the quarantine; the survey registry; the summary from tallies.
#include <httplib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "document_check.hpp"
#include "hub_fixture.hpp"
#include "hub_in_process.hpp"
#include "hub_keys.hpp"
#include "hub_store.hpp"
#include "kiosk/config.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/population.hpp"
#include "kiosk/representativeness.hpp"
#include "kiosk/session.hpp"
#include "kiosk/simulate.hpp"
#include "report.hpp"
#include "sync_client.hpp"

using namespace kiosk;
using nlohmann::json;
using test::HubProcess;

namespace {

const Survey& bury() { return test::bury(); }
const std::vector<std::string> kPoints = {"castle", "bury", "radcliffe", "prestwich"};

// One item whose hash matches its document, as a lying kiosk would send it,
// and its receipt.
template <class Hub>
json post_one(Hub& hub, const std::string& document, const std::string& uuid) {
  json body{
      {"kiosk_id", "k1"},
      {"responses", json::array({{{"uuid", uuid}, {"content_hash", sha256_hex(document)}, {"document", document}}})}};
  auto r = hub.post_body(body.dump());
  REQUIRE(r);
  REQUIRE(r->status == 200);
  auto j = json::parse(r->body);
  REQUIRE(j["receipts"].size() == 1);
  return j["receipts"][0];
}

struct TrustHub {
  test::TempDir tmp;
  HubProcess process{test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log")};
  std::string admin = process.add("add-admin", "council");
  std::string token = process.add("add-device", "k1");
  TrustHub() { process.start(); }

  httplib::Result get(const std::string& path) {
    httplib::Client c("127.0.0.1", process.port());
    return c.Get(path, {{"Authorization", "Bearer " + admin}});
  }
  httplib::Result post_body(const std::string& body) {
    httplib::Client c("127.0.0.1", process.port());
    c.set_read_timeout(30, 0);
    return c.Post("/api/v1/responses", {{"Authorization", "Bearer " + token}}, body, "application/json");
  }
  json post(const std::string& document, const std::string& uuid) { return post_one(*this, document, uuid); }
  std::int64_t quarantined() {
    auto store = hub::open_hub_store(process.db());
    REQUIRE(store.ok());
    auto n = (*store)->quarantine_count();
    REQUIRE(n.ok());
    return *n;
  }
};

// The same hub's routes, called in this process (hub_in_process.hpp): for
// what needs no wire.
struct RoutesHub {
  test::InProcessHub hub;
  std::string admin = hub.add("admin", "council");
  std::string token = hub.add("kiosk", "k1");
  RoutesHub() { hub.start(); }

  std::optional<hub::Reply> get(const std::string& path) { return hub.get(path, admin); }
  std::optional<hub::Reply> post_body(const std::string& body) { return hub.post("/api/v1/responses", token, body); }
  json post(const std::string& document, const std::string& uuid) { return post_one(*this, document, uuid); }
  std::int64_t quarantined() {
    auto n = hub.store().quarantine_count();
    REQUIRE(n.ok());
    return *n;
  }
};

// A true response from kiosk k1 at castle, whose q9 is "yes" (so q12 is hidden).
CompletedResponse good_response(std::uint64_t from) {
  for (std::uint64_t i = from;; ++i) {
    CompletedResponse r = simulate_one(bury(), test::sim_options(42, "k1", "castle", 1454284800), i);
    if (r.answers.count("q9") && r.answers["q9"].has("yes") && r.answers.count("q7") && r.answers["q7"].has("no"))
      return r;
  }
}

struct Lie {
  std::string name;
  std::string document;  // sent as it is, its hash computed over it
  std::string field;     // the detail must name it
};

std::string with(const CompletedResponse& base, const std::function<void(json&)>& change) {
  json d = json::parse(canonical_document(base.meta, base.answers));
  change(d);
  return d.dump();
}

}  // namespace

TEST_CASE("lying and malformed documents are refused naming the field, quarantined, and change nothing stored",
          "[hub][e2e][trust]") {
  RoutesHub hub;
  // Stored first: two true responses, one completed with a number, one abandoned.
  const CompletedResponse first = good_response(0);
  CHECK(hub.post(canonical_document(first.meta, first.answers), first.meta.uuid)["status"] == "stored");
  CompletedResponse second = good_response(100);
  const std::string abandoned = with(second, [](json& d) {
    d["status"] = "abandoned";
    d["seq"] = 2;
    d["answers"].erase("q1");  // required, but an abandoned response may leave it
  });
  CHECK(hub.post(abandoned, second.meta.uuid)["status"] == "stored");
  const auto csv_before = hub.get("/api/v1/export?format=csv");
  const auto jsonl_before = hub.get("/api/v1/export?format=jsonl");
  const auto summary_before = hub.get("/api/v1/summary");
  REQUIRE(csv_before);
  REQUIRE(summary_before);
  REQUIRE(csv_before->status == 200);
  // The abandoned one is held, but only the completed one is counted.
  CHECK(json::parse(summary_before->body)["overall"]["responses"] == 1);

  const CompletedResponse b = good_response(200);
  const std::string doc = canonical_document(b.meta, b.answers);
  auto set = [&](const std::string& key, json value) { return with(b, [&](json& d) { d[key] = value; }); };
  auto answer = [&](const std::string& q, json value) { return with(b, [&](json& d) { d["answers"][q] = value; }); };
  std::string twice = doc;  // "kiosk_id" given twice: nlohmann alone would keep the last silently
  twice.insert(1, "\"kiosk_id\":\"k1\",");
  std::string overflow = doc;
  overflow.insert(1, "\"seq\":1e999999,");
  std::string dup_answer = doc;
  dup_answer.insert(dup_answer.find("\"answers\":{") + 11, "\"q1\":{\"choices\":[\"agree\"]},");
  std::string long_text(5u << 20, 'x');

  const std::vector<Lie> lies = {
      {"unknown service point", set("service_point", "nowhere"), "service_point"},
      {"empty service point", set("service_point", ""), "service_point"},
      {"nonexistent choice code", answer("q1", {{"choices", {"9"}}}), "answers.q1"},
      {"formula as a code", answer("q2", {{"choices", {"=2+2"}}}), "answers.q2"},
      {"formula as the survey version", set("survey_version", "=HYPERLINK(\"http://evil.example\",\"x\")"),
       "survey_version"},
      {"5 MB text answer", answer("q17", {{"text", long_text}}), "answers.q17"},
      {"completed_utc not a date", set("completed_utc", "not a date"), "completed_utc"},
      {"no such day", set("started_utc", "2016-02-30T10:00:00Z"), "started_utc"},
      {"started after completed", set("started_utc", "2016-12-31T23:59:59Z"), "started_utc"},
      {"completed years ahead", set("completed_utc", "2099-01-01T00:00:00Z"), "completed_utc"},
      {"kiosk_id given twice", twice, "kiosk_id"},
      {"1e999999", overflow, "seq"},
      {"question given twice", dup_answer, "answers.q1"},
      {"answer to a hidden question", answer("q12", {{"choices", {"no_need"}}}), "answers.q12"},
      {"answer to a nonexistent question", answer("q99", {{"choices", {"yes"}}}), "answers.q99"},
      {"missing required answer", with(b, [](json& d) { d["answers"].erase("q1"); }), "answers.q1"},
      {"two choices for a single question", answer("q1", {{"choices", {"agree", "disagree"}}}), "answers.q1"},
      {"choices for a text question", answer("q17", {{"choices", {"yes"}}}), "answers.q17"},
      {"other text without other chosen", answer("q11", {{"choices", {"bus"}}, {"other", "sneaky"}}), "answers.q11"},
      {"unknown part of an answer", answer("q1", {{"choices", {"agree"}}, {"score", 5}}), "answers.q1.score"},
      {"answers not an object", set("answers", json::array()), "answers"},
      {"answers missing", with(b, [](json& d) { d.erase("answers"); }), "answers"},
      {"unknown top-level key", set("extra", "x"), "extra"},
      {"schema 3", set("schema", 3), "schema"},
      {"schema 2 without its number", set("schema", 2), "seq"},
      {"mode", set("mode", "robot"), "mode"},
      {"locale", set("locale", "xx"), "locale"},
      {"seq 0", set("seq", 0), "seq"},
      {"seq as text", set("seq", "7"), "seq"},
      {"status", set("status", "deleted"), "status"},
      {"assistance", set("assistance", json::array({"=cmd|' /C calc'!A0"})), "assistance"},
      {"staff_id too long", set("staff_id", std::string(300, 's')), "staff_id"},
      {"not JSON", "hello", "document"},
      {"uuid of another response", set("uuid", new_uuid_v4()), "uuid"},
  };
  REQUIRE(lies.size() >= 30);
  std::int64_t expected_quarantine = 0;
  std::vector<std::string> lied;  // uuids of the refused items
  for (const auto& lie : lies) {
    INFO(lie.name);
    // Each lie under its own uuid: a refusal is never mistaken for a duplicate.
    const std::string uuid = lie.field == "uuid" ? b.meta.uuid : new_uuid_v4();
    std::string document = lie.document;
    if (lie.field != "uuid")
      if (auto at = document.find(b.meta.uuid); at != std::string::npos) document.replace(at, b.meta.uuid.size(), uuid);
    const json receipt = hub.post(document, uuid);
    lied.push_back(uuid);
    INFO(receipt.dump());
    CHECK(receipt["status"] == "rejected");
    CHECK(receipt["code"] == 422);
    CHECK_THAT(receipt.value("detail", ""), Catch::StartsWith(lie.field + ":") || Catch::Contains(lie.field + ":"));
    ++expected_quarantine;
  }

  {  // another device's document: the token is what is wrong, so the whole
     // batch is refused (403 wrong_device) and the kiosk keeps it pending
    const std::string other = set("kiosk_id", "k2");
    json body{{"kiosk_id", "k1"},
              {"responses",
               json::array({{{"uuid", b.meta.uuid}, {"content_hash", sha256_hex(other)}, {"document", other}}})}};
    auto r = hub.post_body(body.dump());
    REQUIRE(r);
    CHECK(r->status == 403);
    CHECK(json::parse(r->body).value("reason", "") == "wrong_device");
  }

  {  // a hash that does not match is refused and kept too
    json body{{"kiosk_id", "k1"},
              {"responses",
               json::array({{{"uuid", new_uuid_v4()}, {"content_hash", std::string(64, '0')}, {"document", doc}}})}};
    auto r = hub.post_body(body.dump());
    REQUIRE(r);
    const auto j = json::parse(r->body);
    CHECK(j["receipts"][0]["status"] == "rejected");
    CHECK_THAT(j["receipts"][0]["detail"].get<std::string>(), Catch::StartsWith("content_hash:"));
    ++expected_quarantine;
  }
  {  // invalid UTF-8 is a 400 naming it, not a 500, and the request is kept
    json body{{"kiosk_id", "k1"},
              {"responses", json::array({{{"uuid", b.meta.uuid}, {"content_hash", "x"}, {"document", "PLACE"}}})}};
    std::string raw = body.dump();
    raw.replace(raw.find("PLACE"), 5, "\xff\xfe{");
    auto r = hub.post_body(raw);
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK_THAT(r->body, Catch::Contains("not valid UTF-8"));
    CHECK_NOTHROW(json::parse(r->body));
    ++expected_quarantine;
  }
  {  // 1e999999 in the request itself is a 400, not a 500
    auto r = hub.post_body("{\"kiosk_id\": \"k1\", \"responses\": [], \"n\": 1e999999}");
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK_THAT(r->body, Catch::Contains("\\\"n\\\"") || Catch::Contains("at n:"));
    ++expected_quarantine;
  }
  {  // an unknown survey version is held, not rejected, and not quarantined
    const std::string held = set("survey_version", "v9-2030");
    const json receipt = hub.post(held, b.meta.uuid);
    CHECK(receipt["status"] == "held");
    CHECK(receipt["code"] == 503);
    CHECK(receipt["reason"] == "unknown_survey_version");
  }

  CHECK(hub.quarantined() == expected_quarantine);
  {  // each lie is in the quarantine, with its reason and (at most 64 KiB of) its document
    auto rows = hub.hub.store().quarantine_latest(1000);
    REQUIRE(rows.ok());
    std::map<std::string, hub::QuarantineRow> by_uuid;
    for (const auto& q : *rows) by_uuid.emplace(q.uuid, q);
    for (size_t i = 0; i < lied.size(); ++i) {
      INFO(lies[i].name);
      REQUIRE(by_uuid.count(lied[i]));
      const auto& q = by_uuid.at(lied[i]);
      CHECK(q.device == "k1");
      CHECK_THAT(q.reason, Catch::Contains(lies[i].field + ":"));
      // Kept sealed to the hub's key (the database holds no answer in the clear); opened here to check it.
      REQUIRE(!q.key_id.empty());
      auto keys = hub::load_hub_keys(hub.hub.files().key_dir);
      REQUIRE(keys.ok());
      const auto sealed = base64_decode(q.document);
      REQUIRE(sealed);
      const auto document = keys->ring.open(q.key_id, *sealed);
      REQUIRE(document.ok());
      CHECK(document->size() <= hub::kQuarantineMaxBytes);
      CHECK(q.document_bytes >= static_cast<std::int64_t>(document->size()) - 8);
    }
  }
  // The hub answers, and what it held before is untouched.
  auto h = hub.hub.request("GET", "/healthz");
  REQUIRE(h);
  CHECK(h->status == 200);
  CHECK(hub.get("/api/v1/export?format=csv")->body == csv_before->body);
  CHECK(hub.get("/api/v1/export?format=jsonl")->body == jsonl_before->body);
  CHECK(hub.get("/api/v1/summary")->body == summary_before->body);
  // The status page shows the quarantine: its count and the latest reasons.
  auto p = hub.hub.request("GET", "/", "Basic " + base64_encode("council:" + hub.admin));
  REQUIRE(p);
  CHECK_THAT(p->body,
             Catch::Contains("<b class=warn>" + std::to_string(expected_quarantine) + "</b>refused documents"));
  CHECK_THAT(p->body, Catch::Contains("is not a service point this hub knows") || Catch::Contains("content_hash") ||
                          Catch::Contains("not valid UTF-8") || Catch::Contains("uuid"));
}

// A kiosk "k1" with `o`'s simulated responses, uploaded to the hub at `url`.
static void sync_simulated(Store& s, const SimulateOptions& o, const std::string& url, const std::string& token) {
  REQUIRE(simulate_into(s, bury(), o).ok());
  sync::SyncSettings set;
  set.hub_url = url;
  set.token = token;
  set.kiosk_id = o.kiosk_id;
  set.batch_size = 100;
  sync::SyncClient client(set, s);
  const auto up = client.upload_all();
  INFO(up.message);
  REQUIRE(up.stored == o.responses);
}

TEST_CASE("the summary from tallies equals the kiosks' own summaries", "[hub][e2e][trust]") {
  TrustHub hub;
  test::TempDir tmp;
  auto s = Store::open(tmp.file("k1.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = 300;
  o.seed = 77;
  o.kiosk_id = "k1";
  o.service_points = kPoints;
  sync_simulated(**s, o, hub.process.url(), hub.token);

  // The kiosk keeps no count of answers: what it sent, counted one by one.
  Summary counted;
  for (std::int64_t i = 0; i < o.responses; ++i) {
    const CompletedResponse c = simulate_one(bury(), o, static_cast<std::uint64_t>(i));
    add_to_summary(counted, bury(), bury().default_locale, c.meta, c.answers);
  }
  const auto* local = &counted;
  auto r = hub.get("/api/v1/summary");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json j = json::parse(r->body);
  auto same = [](const json& t, const ResultsTable& want) {
    CHECK(t["responses"] == want.responses);
    REQUIRE(t["questions"].size() == want.questions.size());
    for (size_t i = 0; i < want.questions.size(); ++i) {
      INFO(want.questions[i].id);
      CHECK(t["questions"][i]["answered"] == want.questions[i].answered);
      for (size_t k = 0; k < want.questions[i].options.size(); ++k)
        CHECK(t["questions"][i]["options"][k]["count"] == want.questions[i].options[k].count);
    }
  };
  same(j["overall"], local->overall);
  CHECK(j["by_service_point"].size() == local->by_service_point.size());
  for (const auto& [sp, t] : local->by_service_point) {
    INFO(sp);
    REQUIRE(j["by_service_point"].contains(sp));
    same(j["by_service_point"][sp], t);
  }
}

TEST_CASE("the hub keeps every survey version it has served: an older one is still checked and stored",
          "[hub][e2e][trust]") {
  test::TempDir tmp;
  const std::string db = test::hub_database(tmp);
  // Version 2: the same questions under a new version string, beside the bundled service points.
  std::string v2 = test::read_file(test::bury_survey());
  const std::string from = "version = \"v2-2016\"";
  REQUIRE(v2.find(from) != std::string::npos);
  v2.replace(v2.find(from), from.size(), "version = \"v2-2017\"");
  const std::string v2_path = tmp.file("bury-v2.toml");
  test::write_file(v2_path, v2);
  {
    HubProcess first(db, test::bury_survey());
    (void)first.add("add-admin", "council");
    first.start();
  }
  HubProcess second(db, v2_path, tmp.file("hub.log"));
  second.extra_args = {"--service-points", test::source_path("kiosk-config/service-points.toml")};
  const std::string token = second.add("add-device", "k1");
  second.start();
  httplib::Client c("127.0.0.1", second.port());
  auto send = [&](const CompletedResponse& r) {
    const std::string d = canonical_document(r.meta, r.answers);
    json body{{"kiosk_id", "k1"},
              {"responses", json::array({{{"uuid", r.meta.uuid}, {"content_hash", sha256_hex(d)}, {"document", d}}})}};
    auto res = c.Post("/api/v1/responses", {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
    REQUIRE(res);
    return json::parse(res->body)["receipts"][0];
  };
  const CompletedResponse old = good_response(0);  // answers v2-2016, which the first process served
  CHECK(send(old)["status"] == "stored");
  CompletedResponse next = good_response(50);
  next.meta.survey_version = "v2-2017";
  CHECK(send(next)["status"] == "stored");
  CompletedResponse future = good_response(90);
  future.meta.survey_version = "v3-2018";
  CHECK(send(future)["status"] == "held");

  // A changed definition under a version already served is refused at start-up.
  second.stop();
  std::string changed = v2;
  changed.replace(changed.find("Principle 1"), 11, "Principle one");
  test::write_file(v2_path, changed);
  const auto r = test::run("timeout 30 " + std::string(KIOSK_HUB_BIN) + " serve --port 0 --db '" + db + "' --survey " +
                           v2_path + " --service-points " + test::source_path("kiosk-config/service-points.toml"));
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("was served before with another definition"));
}

TEST_CASE("strict JSON: duplicate keys anywhere, invalid UTF-8 and overflowing numbers are named", "[hub][trust]") {
  using hub::invalid_utf8_at;
  CHECK(invalid_utf8_at("plain ascii") == std::string_view::npos);
  CHECK(invalid_utf8_at("Caf\xC3\xA9 \xE2\x98\x95 \xF0\x9F\x98\x80") == std::string_view::npos);
  CHECK(invalid_utf8_at("ab\xC0\x80") == 2);         // overlong NUL
  CHECK(invalid_utf8_at("\xED\xA0\x80") == 0);       // a surrogate
  CHECK(invalid_utf8_at("x\xF4\x90\x80\x80") == 1);  // above U+10FFFF
  CHECK(invalid_utf8_at("xy\xE2\x98") == 2);         // cut short
  CHECK(invalid_utf8_at("\xFF") == 0);

  // What the quarantine keeps: valid UTF-8, no NUL, cut between characters.
  CHECK(hub::printable_utf8(std::string("a\0b\xFF"
                                        "c",
                                        5),
                            100) ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD"
        "c");
  CHECK(hub::printable_utf8("\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9");
  CHECK(hub::invalid_utf8_at(hub::printable_utf8("\xE2\x98\x95\xE2\x98\x95", 4)) == std::string_view::npos);

  json out;
  auto p = hub::parse_strict_json(R"({"a":{"b":1,"c":{"d":1,"d":2}}})", out);
  CHECK_FALSE(p.ok);
  CHECK(p.field == "a.c.d");
  p = hub::parse_strict_json(R"({"a":[{"x":1},{"x":2}],"b":{"x":1}})", out);
  CHECK(p.ok);  // the same key in different objects is fine
  p = hub::parse_strict_json(R"({"a":1,"seq":1e999999})", out);
  CHECK_FALSE(p.ok);
  CHECK(p.field == "seq");
  CHECK_THAT(p.words, Catch::Contains("number overflow"));
  p = hub::parse_strict_json("{\"a\":\"\xFF\"}", out);
  CHECK_FALSE(p.ok);
  CHECK_THAT(p.words, Catch::Contains("not valid UTF-8 (byte 6)"));
  p = hub::parse_strict_json(std::string(40, '[') + std::string(40, ']'), out);
  CHECK_FALSE(p.ok);
  CHECK_THAT(p.words, Catch::Contains("nested too deeply"));
}

// A hub started with Bury's population benchmarks, an admin and one kiosk (k1).
struct PopulationHub {
  test::TempDir tmp;
  HubProcess process{test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log")};
  std::string admin = process.add("add-admin", "council");
  std::string token = process.add("add-device", "k1");
  Population pop;
  PopulationHub() {
    const std::string pop_file = test::source_path("kiosk-config/population/bury.toml");
    process.extra_args = {"--population", pop_file};
    process.start();
    auto p = load_population(pop_file, bury());
    REQUIRE(p.ok());
    pop = std::move(p).value();
  }
};

TEST_CASE("the hub's representativeness equals the same figures counted from the responses one by one",
          "[hub][e2e][trust]") {
  PopulationHub hub;
  test::TempDir& tmp = hub.tmp;
  HubProcess& process = hub.process;
  const std::string& admin = hub.admin;
  const std::string& token = hub.token;
  const Population* pop = &hub.pop;
  auto s = Store::open(tmp.file("k1.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = 600;
  o.seed = 5;
  o.kiosk_id = "k1";
  o.service_points = kPoints;
  o.population = pop;
  o.skew = {{"q20.65_plus", 0.4}};
  sync_simulated(**s, o, process.url(), token);
  RepresentativenessTally tally(*pop);
  for (std::int64_t i = 0; i < o.responses; ++i) {
    const CompletedResponse c = simulate_one(bury(), o, static_cast<std::uint64_t>(i));
    std::map<std::string, std::string> choice;
    for (const auto& [q, a] : c.answers)
      if (!a.choices.empty()) choice[q] = a.choices[0];
    tally.add(c.meta.service_point, c.meta.started_utc, choice);
  }
  const auto want = tally.slices();
  httplib::Client c("127.0.0.1", process.port());
  auto r = c.Get("/api/v1/representativeness", {{"Authorization", "Bearer " + admin}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const auto j = json::parse(r->body);
  size_t compared = 0;
  for (const auto& sl : j["slices"]) {
    const RepresentativenessSlice* w = nullptr;
    for (const auto& x : want)
      if ((x.kind == RepresentativenessSlice::Kind::All && sl["kind"] == "all") ||
          (x.kind == RepresentativenessSlice::Kind::ServicePoint && sl["kind"] == "service_point" &&
           sl["key"] == x.key))
        w = &x;
    REQUIRE(w != nullptr);
    CHECK(sl["responses"] == w->responses);
    for (size_t qi = 0; qi < w->questions.size(); ++qi) {
      const auto& jq = sl["questions"][qi];
      const auto& wq = w->questions[qi];
      CHECK(jq["in_base"] == wq.in_base);
      CHECK(jq["outside_base"] == wq.outside_base);
      CHECK(jq["not_answered"] == wq.not_answered);
      for (size_t g = 0; g < wq.groups.size(); ++g) {
        CHECK(jq["groups"][g]["respondents"] == wq.groups[g].respondents);
        CHECK(jq["groups"][g]["verdict"] == verdict_words(wq.groups[g].verdict));
      }
    }
    ++compared;
  }
  size_t not_weeks = 0;  // the hub gives every slice but the weeks (its tallies keep no time)
  for (const auto& x : want) not_weeks += x.kind != RepresentativenessSlice::Kind::Week;
  CHECK(compared == not_weeks);
  CHECK(compared == 1 + kPoints.size());
  CHECK(j["slices"][0]["questions"][1]["groups"][3]["verdict"] == "under-represented");  // 65+ at 0.4 of their share
  // Without a population file: said, not an empty table.
  TrustHub plain;
  httplib::Client pc("127.0.0.1", plain.process.port());
  auto none = pc.Get("/api/v1/representativeness", {{"Authorization", "Bearer " + plain.admin}});
  REQUIRE(none);
  CHECK(none->status == 409);
  CHECK_THAT(none->body, Catch::Contains("start it with --population FILE"));
}

TEST_CASE(
    "the hub gives an admin the workbook, the .sav and the consultation report of what it holds, read back by "
    "gnumeric, PSPP and pdftotext, and a results page filtered by service point and days",
    "[hub][e2e][trust][analyst]") {
  PopulationHub hub;
  test::TempDir& tmp = hub.tmp;
  HubProcess& process = hub.process;
  const std::string& admin = hub.admin;
  const std::string& token = hub.token;
  const Population* pop = &hub.pop;
  httplib::Client c("127.0.0.1", process.port());
  c.set_read_timeout(120, 0);
  const httplib::Headers as_admin = {{"Authorization", "Bearer " + admin}};
  // Nothing held yet: said, not an empty file.
  auto early = c.Get("/api/v1/export?format=report-pdf", as_admin);
  REQUIRE(early);
  CHECK(early->status == 409);
  CHECK_THAT(early->body, Catch::Contains("no completed responses"));

  auto s = Store::open(tmp.file("k1.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = 300;
  o.seed = 21;
  o.kiosk_id = "k1";
  o.service_points = kPoints;
  o.population = pop;
  o.skew = {{"q20.65_plus", 0.4}};
  sync_simulated(**s, o, process.url(), token);
  std::int64_t completed = 0;
  for (std::int64_t i = 0; i < o.responses; ++i)
    completed += simulate_one(bury(), o, static_cast<std::uint64_t>(i)).meta.status == "completed";

  // A kiosk's token is not an admin's.
  auto kiosk = c.Get("/api/v1/export?format=xlsx", {{"Authorization", "Bearer " + token}});
  REQUIRE(kiosk);
  CHECK(kiosk->status == 403);

  auto fetch = [&](const std::string& format, const std::string& file) {
    auto r = c.Get("/api/v1/export?format=" + format, as_admin);
    REQUIRE(r);
    INFO(r->body.substr(0, 300));
    REQUIRE(r->status == 200);
    CHECK_THAT(r->get_header_value("Content-Disposition"),
               Catch::Contains("attachment; filename=\"bury_libraries_2016"));
    test::write_file(tmp.file(file), r->body);
    return r->get_header_value("Content-Type");
  };
  CHECK(fetch("xlsx", "r.xlsx") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  auto conv = test::run("ssconvert --export-file-per-sheet " + tmp.file("r.xlsx") + " " + tmp.file("sheet-%s.csv"));
  INFO(conv.err);
  REQUIRE(conv.exit_code == 0);
  const std::string rows = test::read_file(tmp.file("sheet-Responses.csv"));
  CHECK(std::count(rows.begin(), rows.end(), '\n') == completed + 1);
  CHECK_THAT(test::read_file(tmp.file("sheet-Representativeness.csv")), Catch::Contains("under-represented"));

  CHECK(fetch("sav", "r.sav") == "application/x-spss-sav");
  test::write_file(tmp.file("n.sps"),
                   "GET FILE='" + tmp.file("r.sav") + "'.\nWEIGHT OFF.\nFREQUENCIES /VARIABLES=q16.\n");
  auto pspp = test::run("pspp -O format=csv -o " + tmp.file("n.csv") + " " + tmp.file("n.sps"));
  INFO(pspp.out << pspp.err);
  REQUIRE(pspp.exit_code == 0);
  CHECK_THAT(test::read_file(tmp.file("n.csv")), Catch::Contains("Total,," + std::to_string(completed) + ","));

  CHECK(fetch("report-pdf", "r.pdf") == "application/pdf");
  auto text = test::run("pdftotext -enc UTF-8 " + tmp.file("r.pdf") + " -");
  REQUIRE(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("This report covers " + std::to_string(completed) + " completed responses"));
  CHECK_THAT(text.out, Catch::Contains("3. Who answered, against who lives in Bury"));
  CHECK(fetch("report-html", "r.html") == "text/html; charset=utf-8");
  CHECK_THAT(test::read_file(tmp.file("r.html")), Catch::Contains("5. Results by protected characteristic"));
  // Each download is in the audit log, as every export is.
  // The results page: the same content, filtered by service point and days, for admins only.
  auto page = c.Get("/results", as_admin);
  REQUIRE(page);
  REQUIRE(page->status == 200);
  CHECK_THAT(page->body, Catch::Contains("<form method=\"get\" action=\"/results\"") &&
                             Catch::Contains("All service points. ") &&
                             Catch::Contains("This report covers " + std::to_string(completed) + " completed") &&
                             Catch::Contains("<svg role=\"img\"") && Catch::Contains("<desc id="));
  std::int64_t at_castle = 0, in_june = 0;
  for (std::int64_t i = 0; i < o.responses; ++i) {
    const auto one = simulate_one(bury(), o, static_cast<std::uint64_t>(i));
    if (one.meta.status != "completed") continue;
    at_castle += one.meta.service_point == "castle";
    in_june += one.meta.started_utc.compare(0, 7, "2016-06") == 0;
  }
  REQUIRE(at_castle > 0);
  auto castle = c.Get("/results?service_point=castle", as_admin);
  REQUIRE(castle);
  REQUIRE(castle->status == 200);
  CHECK_THAT(castle->body, Catch::Contains("This report covers " + std::to_string(at_castle) + " completed"));
  CHECK_THAT(castle->body, Catch::Contains("<option value=\"castle\" selected>"));
  auto june = c.Get("/results?from=2016-06-01&to=2016-06-30", as_admin);
  REQUIRE(june);
  REQUIRE(june->status == 200);
  CHECK_THAT(june->body, Catch::Contains("This report covers " + std::to_string(in_june) + " completed"));
  auto none = c.Get("/results?from=2030-01-01", as_admin);
  REQUIRE(none);
  CHECK(none->status == 200);
  CHECK_THAT(none->body, Catch::Contains("No completed responses match these choices yet."));
  auto bad_day = c.Get("/results?from=1%20June", as_admin);
  REQUIRE(bad_day);
  CHECK(bad_day->status == 400);
  CHECK_THAT(bad_day->body, Catch::Contains("YYYY-MM-DD"));
  auto bad_sp = c.Get("/results?service_point=atlantis", as_admin);
  REQUIRE(bad_sp);
  CHECK(bad_sp->status == 400);
  auto as_kiosk = c.Get("/results", {{"Authorization", "Bearer " + token}});
  REQUIRE(as_kiosk);
  CHECK(as_kiosk->status == 403);

  auto store = hub::open_hub_store(process.db());
  REQUIRE(store.ok());
  auto log = (*store)->audit_log(20);
  REQUIRE(log.ok());
  std::string details;
  for (const auto& row : *log) details += row.actor + " " + row.detail + "\n";
  CHECK_THAT(details, Catch::Contains("council format xlsx") && Catch::Contains("council format sav") &&
                          Catch::Contains("council format report-pdf") &&
                          Catch::Contains("council format report-html"));
}

TEST_CASE(
    "the results page and the report count what arrives after they were first shown, through this hub or another "
    "on the same database",
    "[hub][e2e][trust][analyst]") {
  PopulationHub hub;
  HubProcess other(hub.process.db(), test::bury_survey(), hub.tmp.file("other.log"));
  other.extra_args = hub.process.extra_args;
  other.start();
  const std::string token2 = hub.process.add("add-device", "k2");
  const httplib::Headers as_admin = {{"Authorization", "Bearer " + hub.admin}};
  httplib::Client c("127.0.0.1", hub.process.port());
  c.set_read_timeout(120, 0);
  auto completed_of = [&](const SimulateOptions& o) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < o.responses; ++i)
      n += simulate_one(bury(), o, static_cast<std::uint64_t>(i)).meta.status == "completed";
    return n;
  };
  auto covers = [&](const std::string& path) {
    auto r = c.Get(path, as_admin);
    REQUIRE(r);
    INFO(r->body.substr(0, 300));
    REQUIRE(r->status == 200);
    const std::string key = "This report covers ";
    const auto at = r->body.find(key);
    REQUIRE(at != std::string::npos);
    std::string digits;
    for (size_t i = at + key.size();
         i < r->body.size() && (std::isdigit(static_cast<unsigned char>(r->body[i])) || r->body[i] == ','); ++i)
      if (r->body[i] != ',') digits += r->body[i];
    return std::stoll(digits);
  };

  auto s1 = Store::open(hub.tmp.file("k1.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s1.ok());
  SimulateOptions o1;
  o1.responses = 120;
  o1.seed = 31;
  o1.kiosk_id = "k1";
  o1.service_points = kPoints;
  o1.population = &hub.pop;
  sync_simulated(**s1, o1, hub.process.url(), hub.token);
  const std::int64_t first = completed_of(o1);
  CHECK(covers("/results") == first);
  CHECK(covers("/api/v1/export?format=report-html") == first);

  // A second kiosk's responses arrive through the other hub.
  auto s2 = Store::open(hub.tmp.file("k2.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s2.ok());
  SimulateOptions o2 = o1;
  o2.responses = 90;
  o2.seed = 32;
  o2.kiosk_id = "k2";
  sync_simulated(**s2, o2, other.url(), token2);
  const std::int64_t both = first + completed_of(o2);
  CHECK(covers("/results") == both);
  CHECK(covers("/api/v1/export?format=report-html") == both);
  // And a page filtered to one service point counts only its own, new ones included.
  std::int64_t at_castle = 0;
  for (const SimulateOptions* o : {&o1, &o2})
    for (std::int64_t i = 0; i < o->responses; ++i) {
      const auto one = simulate_one(bury(), *o, static_cast<std::uint64_t>(i));
      at_castle += one.meta.status == "completed" && one.meta.service_point == "castle";
    }
  CHECK(covers("/results?service_point=castle") == at_castle);
}

TEST_CASE(
    "the results page counts the hub's copy exactly as kiosk-admin report counts the same responses opened from an "
    "export",
    "[hub][e2e][trust][analyst]") {
  // The hub counts from its compact copy (option numbers, uuids packed,
  // rows kept in order); kiosk-admin reads each response's codes from a
  // file. Two kiosks whose visits interleave in time, so the copy is put
  // back in order as it fills. Every figure, comment and verdict of the
  // report must come out the same, byte for byte.
  PopulationHub hub;
  const httplib::Headers as_admin = {{"Authorization", "Bearer " + hub.admin}};
  const std::string token2 = hub.process.add("add-device", "k2");
  for (int k = 1; k <= 2; ++k) {
    auto s = Store::open(hub.tmp.file("k" + std::to_string(k) + ".db"), db::OpenMode::Create, test::seal_pub());
    REQUIRE(s.ok());
    SimulateOptions o;
    o.responses = 400;
    o.seed = 40 + static_cast<std::uint64_t>(k);
    o.kiosk_id = "k" + std::to_string(k);
    o.service_points = kPoints;
    o.population = &hub.pop;
    o.skew = {{"q20.65_plus", 0.5}};
    sync_simulated(**s, o, hub.process.url(), k == 1 ? hub.token : token2);
  }
  httplib::Client c("127.0.0.1", hub.process.port());
  c.set_read_timeout(120, 0);
  auto get = [&](const std::string& path) {
    auto r = c.Get(path, as_admin);
    REQUIRE(r);
    INFO(path << ": " << r->body.substr(0, 300));
    REQUIRE(r->status == 200);
    return r->body;
  };
  const std::string from_hub = get("/api/v1/export?format=report-html");
  std::filesystem::create_directories(hub.tmp.file("opened"));
  test::write_file(hub.tmp.file("opened/responses.jsonl"), get("/api/v1/export?format=jsonl"));
  cli::ReportOptions r;
  r.file.population = &hub.pop;
  auto points = load_service_points_file(test::source_path("kiosk-config/service-points.toml"));
  REQUIRE(points.ok());
  for (const auto& sp : *points) r.file.service_point_names[sp.id] = sp.name;
  r.file.time_zone.clear();  // as the hub does: the process's own
  const auto doc = cli::build_report(cli::opened_in(hub.tmp.file("opened"), bury()), bury(), r);
  REQUIRE(doc);
  const std::string from_file = cli::report_html(*doc);
  CHECK_THAT(from_hub, Catch::Contains("This report covers ") && Catch::Contains("under-represented"));
  // The first difference, if any, is what the message shows.
  size_t at = 0;
  while (at < from_hub.size() && at < from_file.size() && from_hub[at] == from_file[at]) ++at;
  INFO("first difference at byte " << at << ": hub \"" << from_hub.substr(at > 200 ? at - 200 : 0, 400) << "\"\nfile \""
                                   << from_file.substr(at > 200 ? at - 200 : 0, 400) << "\"");
  CHECK(from_hub.size() == from_file.size());
  CHECK(at == from_hub.size());
}

TEST_CASE(
    "the hub checks numbers, dates, notes and a matrix's items as the kiosk does: out of range, no such day, a "
    "note answered, a matrix answered as one",
    "[hub][trust]") {
  const std::string path = test::source_path("kiosk-config/surveys/family-hub-feedback.toml");
  auto survey = load_survey_file(path);
  REQUIRE(survey.ok());
  test::InProcessHub in(path);
  const std::string token = in.add("kiosk", "k1");
  in.start();
  struct Hub {
    test::InProcessHub& in;
    const std::string& token;
    std::optional<hub::Reply> post_body(const std::string& body) { return in.post("/api/v1/responses", token, body); }
  } hub{in, token};
  // A true response that answered how many children came and when they first came.
  CompletedResponse base;
  bool found = false;
  for (std::uint64_t i = 0; i < 1000 && !found; ++i) {
    base = simulate_one(*survey, test::sim_options(7, "k1", "castle", 1454284800), i);
    found = base.meta.status == "completed" && base.answers.count("children") && base.answers.count("first_visit");
  }
  REQUIRE(found);
  auto with_answer = [&](const std::string& q, json value) {
    return with(base, [&](json& d) {
      d["uuid"] = new_uuid_v4();
      d["answers"][q] = value;
    });
  };
  auto post = [&](const std::string& doc) { return post_one(hub, doc, json::parse(doc)["uuid"]); };
  CHECK(post(with_answer("children", {{"text", "7"}}))["status"] == "stored");
  CHECK(post(with_answer("first_visit", {{"text", "2016-02-29"}}))["status"] == "stored");
  const std::vector<std::pair<std::string, std::string>> lies = {
      {with_answer("children", {{"text", "21"}}), "answers.children: Please type a number from 0 to 20."},
      {with_answer("children", {{"text", "two"}}), "answers.children: Please type a whole number"},
      {with_answer("children", {{"text", "2.5"}}), "answers.children: Please type a whole number"},
      {with_answer("first_visit", {{"text", "2015-02-29"}}), "answers.first_visit: There is no such date"},
      {with_answer("first_visit", {{"text", "1999-12-31"}}),
       "answers.first_visit: Please give a date from 01/01/2000 to 31/12/2026."},
      {with_answer("first_visit", {{"text", "2016-6-1"}}), "answers.first_visit: Please type the day, the month"},
      {with_answer("nearly_done", {{"text", "hello"}}), "answers.nearly_done: This is a note: it takes no answer."},
      // A matrix holds no answer of its own; each item is checked as a question.
      {with_answer("rate", {{"choices", {"good"}}}), "answers.rate: there is no question"},
      {with_answer("rate_play", {{"choices", {"excellent"}}}), "answers.rate_play: code"},
  };
  for (const auto& [doc, detail] : lies) {
    INFO(doc);
    const json receipt = post(doc);
    CHECK(receipt["status"] == "rejected");
    CHECK_THAT(receipt.value("detail", ""), Catch::StartsWith(detail));
  }
}
