// A survey's translation files travel from the hub to the kiosk: the real
// kiosk-hub process on loopback serves the Bury survey with its Polish and
// Urdu files, the kiosk checks them against the survey and keeps them with
// it, and a pull carrying a translation that does not fit is not taken.
#include <httplib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "hub_fixture.hpp"
#include "kiosk/protocol.hpp"
#include "sync_client.hpp"

using namespace kiosk;
using test::HubProcess;

namespace {

sync::SyncSettings settings(const std::string& url, const std::string& token) {
  sync::SyncSettings s;
  s.hub_url = url;
  s.token = token;
  s.kiosk_id = "k1";
  s.service_point = "castle";
  s.connect_timeout_seconds = 2;
  s.stall_timeout_seconds = 2;
  s.total_timeout_seconds = 20;
  return s;
}

// Every translatable text of a survey, key -> text by locale.
std::map<std::string, std::map<std::string, std::string>> texts_of(Survey s) {
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& t : translatable_texts(s)) out[t.key] = t.uses.front()->by_locale;
  return out;
}

// The Bury survey, its translations and the service points, copied where a test may edit them.
std::string copy_bury(const test::TempDir& tmp) {
  std::filesystem::create_directories(tmp.file("surveys"));
  for (const char* f : {"bury-libraries-2016.toml", "bury-libraries-2016.pl.toml", "bury-libraries-2016.ur.toml"})
    std::filesystem::copy_file(test::source_path(std::string("kiosk-config/surveys/") + f),
                               tmp.file(std::string("surveys/") + f));
  std::filesystem::copy_file(test::source_path("kiosk-config/service-points.toml"), tmp.file("service-points.toml"));
  return tmp.file("surveys/bury-libraries-2016.toml");
}

std::string etag_in(const std::string& db) {
  auto store = Store::open(db);
  REQUIRE(store.ok());
  auto e = (*store)->get_meta("hub_survey_etag");
  REQUIRE(e.ok());
  return *e;
}

// Runs the sync thread until its pull is stored (the kept ETag is `etag`) or refused (an error shown).
void pull_with_worker(const sync::SyncSettings& s, const std::string& db, std::string* error_shown = nullptr) {
  sync::SyncWorker worker(s, db, 3600, 3600);
  const std::string before = etag_in(db);
  worker.start();
  const bool done = worker.wait_status(
      [&](const sync::SyncStatus& st) { return error_shown ? !st.last_error.empty() : etag_in(db) != before; },
      std::chrono::seconds(30));
  worker.stop();
  REQUIRE(done);
  if (error_shown) *error_shown = worker.status().last_error;
}

}  // namespace

TEST_CASE("the hub serves a survey's translation files and the kiosk shows its Polish and Urdu texts", "[hub][e2e]") {
  test::TempDir tmp;
  const std::string survey_path = copy_bury(tmp);
  const std::string hub_db = test::hub_database(tmp);
  const auto repo = load_survey_file(test::bury_survey());
  REQUIRE(repo.ok());
  REQUIRE(repo->translation_sources.size() == 2);

  std::string first_etag, token;
  {
    HubProcess hub(hub_db, survey_path, tmp.file("hub.log"));
    token = hub.add("add-device", "k1");
    hub.start();
    auto store = Store::open(tmp.file("k1.db"));
    REQUIRE(store.ok());
    sync::SyncClient client(settings(hub.url(), token), **store);
    auto pulled = client.fetch_survey("");
    REQUIRE(pulled.ok());
    REQUIRE(pulled->has_value());
    CHECK((*pulled)->translations == repo->translation_sources);
    first_etag = (*pulled)->etag;

    // The sync thread keeps the pull; the survey the app rebuilds from it
    // reads as the repository's survey with its translation files.
    pull_with_worker(settings(hub.url(), token), tmp.file("k1.db"));
    auto kept = sync::stored_hub_survey(**store);
    REQUIRE(kept.ok());
    REQUIRE(kept->has_value());
    const auto texts = texts_of(**kept);
    CHECK(texts == texts_of(*repo));
    const Question* q10 = (*kept)->find("q10");
    REQUIRE(q10);
    CHECK((*kept)->text(q10->text, "pl") == repo->text(repo->find("q10")->text, "pl"));
    CHECK((*kept)->text(q10->text, "ur") == repo->text(repo->find("q10")->text, "ur"));
    CHECK((*kept)->text(q10->text, "pl") != (*kept)->text(q10->text, "en"));
    CHECK((*kept)->text(q10->text, "ur") != (*kept)->text(q10->text, "en"));
    CHECK((*kept)->missing_translations == repo->missing_translations);
  }

  // An edited Polish text is a new ETag, and the kiosk takes it.
  const std::string pl_path = survey_translation_path(survey_path, "pl");
  const std::string edited = "Jak często odwiedzasz bibliotekę? (poprawione)";
  {
    std::string pl = test::read_file(pl_path);
    const auto at = pl.find("\"questions.q10.text\"");
    REQUIRE(at != std::string::npos);
    const auto end = pl.find('\n', at);
    pl.replace(at, end - at, "\"questions.q10.text\" = \"" + edited + "\"");
    test::write_file(pl_path, pl);
  }
  {
    HubProcess hub(hub_db, survey_path, tmp.file("hub.log"));
    hub.start();
    auto store = Store::open(tmp.file("k1.db"));
    REQUIRE(store.ok());
    sync::SyncClient client(settings(hub.url(), token), **store);
    auto pulled = client.fetch_survey(first_etag);
    REQUIRE(pulled.ok());
    REQUIRE(pulled->has_value());
    CHECK((*pulled)->etag != first_etag);
    CHECK((*pulled)->definition == repo->source_text);

    pull_with_worker(settings(hub.url(), token), tmp.file("k1.db"));
    CHECK(etag_in(tmp.file("k1.db")) == (*pulled)->etag);
    auto kept = sync::stored_hub_survey(**store);
    REQUIRE(kept.ok());
    REQUIRE(kept->has_value());
    CHECK((*kept)->text((*kept)->find("q10")->text, "pl") == edited);
    CHECK((*kept)->text((*kept)->find("q10")->text, "ur") == repo->text(repo->find("q10")->text, "ur"));
  }
}

TEST_CASE("a broken translation file stops kiosk-hub serve with the file, line and key", "[hub][e2e]") {
  test::TempDir tmp;
  const std::string survey_path = copy_bury(tmp);
  const std::string ur_path = survey_translation_path(survey_path, "ur");
  std::string ur = test::read_file(ur_path);
  if (!ur.empty() && ur.back() != '\n') ur += '\n';
  const int line = static_cast<int>(std::count(ur.begin(), ur.end(), '\n')) + 1;
  test::write_file(ur_path, ur + "\"questions.q99.text\" = \"?\"\n");
  const auto r = test::run(std::string(KIOSK_HUB_BIN) + " serve --port 0 --db '" + test::hub_database(tmp) +
                           "' --survey '" + survey_path + "'");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(ur_path + ":" + std::to_string(line) + ":1: questions.q99.text: unknown key") != std::string::npos);
}

TEST_CASE("a pull whose translation does not fit its survey is not taken, and staff are told the locale and key",
          "[hub][e2e]") {
  test::TempDir tmp;
  const std::string db = tmp.file("k1.db");
  const auto repo = load_survey_file(test::bury_survey());
  REQUIRE(repo.ok());
  HubProcess hub(test::hub_database(tmp), test::bury_survey(), tmp.file("hub.log"));
  const std::string token = hub.add("add-device", "k1");
  hub.start();
  {
    auto store = Store::open(db);
    REQUIRE(store.ok());
  }
  pull_with_worker(settings(hub.url(), token), db);
  const std::string kept_etag = etag_in(db);

  // A hub that sends a Polish file naming a question the survey lacks (the
  // real hub refuses to start with one, so this one is made by hand).
  httplib::Server fake;
  nlohmann::json body{{protocol::field::kApi, protocol::kApiVersion},
                      {protocol::field::kSurveyId, repo->id},
                      {protocol::field::kVersion, repo->version},
                      {protocol::field::kEtag, "\"broken-translation\""},
                      {protocol::field::kDefinition, repo->source_text},
                      {protocol::field::kTranslations,
                       {{"pl", repo->translation_sources.at("pl") + "\"questions.q99.text\" = \"?\"\n"},
                        {"ur", repo->translation_sources.at("ur")}}}};
  fake.Get(protocol::route::kSurvey, [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("ETag", "\"broken-translation\"");
    res.set_content(body.dump(), "application/json");
  });
  fake.Post(protocol::route::kHeartbeat,
            [](const httplib::Request&, httplib::Response& res) { res.set_content("{}", "application/json"); });
  const int port = fake.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  // Bound and listening already: the kiosk's requests wait for the accept loop.
  std::thread serving([&] { fake.listen_after_bind(); });
  const std::string fake_url = "http://127.0.0.1:" + std::to_string(port);

  std::string shown;
  pull_with_worker(settings(fake_url, token), db, &shown);
  {
    auto store = Store::open(db);
    REQUIRE(store.ok());
    sync::SyncClient client(settings(fake_url, token), **store);
    const auto pulled = client.fetch_survey(kept_etag);
    REQUIRE(!pulled.ok());
    CHECK(pulled.kind() == ErrorKind::Validation);
  }
  fake.stop();
  serving.join();

  CHECK(shown.find("\"pl\"") != std::string::npos);
  CHECK(shown.find("questions.q99.text") != std::string::npos);
  CHECK(etag_in(db) == kept_etag);
  auto store = Store::open(db);
  REQUIRE(store.ok());
  auto kept = sync::stored_hub_survey(**store);
  REQUIRE(kept.ok());
  REQUIRE(kept->has_value());
  CHECK(texts_of(**kept) == texts_of(*repo));
}
