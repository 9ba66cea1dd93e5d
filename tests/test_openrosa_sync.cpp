// The kiosk against an OpenRosa server (issue 21): the spec-true test server
// of openrosa_server.hpp on loopback, a real kiosk database sealing to the
// form's RSA key, and the kiosk's OpenRosa client over libcurl. Every
// response arrives once, encrypted, with the answers it was given, through
// failures, dropped replies, a Wi-Fi sign-in page and a server restart; a
// refusal leaves everything pending and says what to do.
#include <curl/curl.h>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "kiosk/config.hpp"
#include "kiosk/simulate.hpp"
#include "kiosk/store.hpp"
#include "openrosa_client.hpp"
#include "openrosa_forms.hpp"
#include "openrosa_server.hpp"
#include "submission_sealer.hpp"
#include "support.hpp"
#include "xform.hpp"

using namespace kiosk;
using namespace kiosk::openrosa;
using kiosk::sync::BatchOutcome;
using kiosk::sync::OpenRosaClient;
using kiosk::sync::OpenRosaSettings;

namespace {

const char* const kToken = "gV1P!7l$Bqx9pR2mWd4sT6yZ0aC3eF5hJ8kL1nQ4uX7bE9iM2oS5vY8zA0dG3jK";

const RsaKeyPair& key_pair() { return test::form_key(); }
std::string encrypted_form() { return test::encrypted_visit_form(); }

// A kiosk's side: its database sealing to the form, filled with simulated visits.
struct Kiosk {
  test::TempDir dir;
  std::shared_ptr<const ImportedForm> form;
  std::unique_ptr<Store> store;
  std::map<std::string, Answers> given;  // by UUID: what each visitor answered

  explicit Kiosk(const std::string& xml, int responses) {
    auto f = import_xform(xml, "form library_visit");
    if (!f) throw std::runtime_error(f.message());
    form = std::make_shared<const ImportedForm>(std::move(*f));
    auto sealer = SubmissionSealer::make(form);
    if (!sealer) throw std::runtime_error(sealer.message());
    auto s = Store::open(dir.file("kiosk.db"));
    if (!s) throw std::runtime_error(s.message());
    store = std::move(*s);
    store->set_sealer(*sealer);
    SimulateOptions o;
    o.responses = responses;
    o.seed = 21;
    o.kiosk_id = "castle-1";
    o.service_points = {"castle"};
    std::vector<CompletedResponse> batch;
    for (int i = 0; i < responses; ++i) {
      batch.push_back(simulate_one(form->survey, o, static_cast<std::uint64_t>(i)));
      given[batch.back().meta.uuid] = batch.back().answers;
    }
    if (auto st = store->insert_completed(batch); !st) throw std::runtime_error(st.message());
  }
};

OpenRosaSettings settings_for(const std::string& url) {
  OpenRosaSettings s;
  s.server_url = url;
  s.form_id = "library_visit";
  s.insecure_http = true;
  s.connect_timeout_seconds = 5;
  s.stall_timeout_seconds = 5;
  return s;
}

// The text of the first element of this name, anywhere in the document, as a reader of the XML sees it.
const XmlNode* find_element(const XmlNode& n, const std::string& name) {
  if (n.name == name) return &n;
  for (const auto& c : n.children)
    if (const XmlNode* f = find_element(*c, name)) return f;
  return nullptr;
}
std::string element_text(const std::string& xml, const std::string& name) {
  auto doc = parse_xml(xml, "instance");
  if (!doc) return "(not XML: " + doc.message() + ")";
  const XmlNode* n = find_element(**doc, name);
  return n ? n->text : "(no <" + name + ">)";
}

// The server holds each of the kiosk's responses once, decrypted with the
// private key to the answers the visitor gave.
void check_delivered(const test::OpenRosaServer& server, const Kiosk& k) {
  const auto held = server.held();
  CHECK(held.size() == k.given.size());
  for (const auto& [uuid, answers] : k.given) {
    auto it = held.find("uuid:" + uuid);
    INFO(uuid);
    REQUIRE(it != held.end());
    CHECK(it->second.error.empty());
    const std::string& xml = it->second.xml;
    CHECK(element_text(xml, "instanceID") == "uuid:" + uuid);
    for (const auto& [id, a] : answers) {
      const Question* q = k.form->survey.find(id);
      REQUIRE(q);
      std::string want;
      for (const auto& c : a.choices) want += (want.empty() ? "" : " ") + c;
      if (!q->has_options()) want = a.text;
      INFO(id);
      CHECK(element_text(xml, id) == want);
    }
  }
  CHECK(server.conflicts() == 0);
}

// kiosk-config copied into `tmp`, its database there too; returns its kiosk.toml.
std::string kiosk_config_in(const test::TempDir& tmp) {
  std::filesystem::copy(test::source_path("kiosk-config"), tmp.file("cfg"), std::filesystem::copy_options::recursive);
  const std::string cfg = tmp.file("cfg/kiosk.toml");
  std::string text = test::read_file(cfg);
  text.replace(text.find("database = "), text.find('\n', text.find("database = ")) - text.find("database = "),
               "database = \"" + tmp.file("kiosk.db") + "\"");
  test::write_file(cfg, text);
  return cfg;
}

}  // namespace

TEST_CASE("the form comes from the server's form list once assigned, byte for byte, checked by its hash",
          "[openrosa]") {
  test::OpenRosaServer server(kToken);
  const std::string form = encrypted_form();
  server.publish({"library_visit", "2026120701", form, key_pair().private_pem}, false);
  OpenRosaClient client(settings_for(server.url()));

  // Not yet assigned to the App User: an empty list, and words saying what to do.
  auto list = client.form_list();
  REQUIRE(list.ok());
  CHECK(list->empty());
  auto missing = client.find_form();
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.kind() == ErrorKind::Config);
  CHECK(missing.message().find("give this one access") != std::string::npos);

  server.assign(true);
  auto entry = client.find_form();
  REQUIRE(entry.ok());
  CHECK(entry->version == "2026120701");
  CHECK(entry->hash == "md5:" + md5_hex(form));
  auto bytes = client.download(*entry);
  REQUIRE(bytes.ok());
  CHECK(*bytes == form);
  auto imported = import_xform(*bytes, "form library_visit");
  REQUIRE(imported.ok());
  REQUIRE(imported->binding.key);

  // A form changed on the way does not match its hash.
  auto lied = *entry;
  lied.hash = "md5:" + md5_hex("something else");
  auto refused = client.download(lied);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.message().find("does not match the hash") != std::string::npos);

  // Credentials hidden in every message: Central's token in the path, a Kobo user's password before the host.
  CHECK(kiosk::sync::redacted_url("https://kiosk:s3cret@kc.example.org/kiosk") == "https://…@kc.example.org/kiosk");
  CHECK(kiosk::sync::redacted_url("https://c.example.org/v1/key/T0k$n!/projects/3") ==
        "https://c.example.org/v1/key/…/projects/3");
  OpenRosaClient wrong(settings_for(server.url_with_token("not-the-token")));
  auto denied = wrong.form_list();
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.kind() == ErrorKind::Auth);
  CHECK(denied.message().find("not-the-token") == std::string::npos);

  // The server is spec-true: without the header, 400.
  CURL* h = curl_easy_init();
  std::string sink;
  curl_easy_setopt(h, CURLOPT_URL, (server.url() + "/formList").c_str());
  curl_easy_setopt(
      h, CURLOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void*) { return s * n; });
  REQUIRE(curl_easy_perform(h) == CURLE_OK);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  CHECK(status == 400);
}

TEST_CASE("every response arrives once, encrypted, through failures, dropped replies, a sign-in page and a restart",
          "[openrosa]") {
  test::OpenRosaServer server(kToken);
  server.publish({"library_visit", "2026120701", encrypted_form(), key_pair().private_pem});
  Kiosk k(encrypted_form(), 40);
  OpenRosaClient client(settings_for(server.url()));

  // The server fails twice: the pass stops, nothing is marked, nothing lost.
  server.fail_next(503, 1);
  auto o = client.upload_all(*k.store);
  CHECK(o.kind == BatchOutcome::Kind::RetryLater);
  CHECK(k.store->counts()->pending == 40);

  // A Wi-Fi sign-in page answers 200 to everything: never a receipt.
  server.captive_portal(true);
  o = client.upload_all(*k.store);
  CHECK_FALSE(o.ok());
  CHECK(k.store->counts()->pending == 40);
  CHECK(server.held().empty());
  server.captive_portal(false);

  // Replies lost after the server stored: sent again, the same bytes, 201 again, no second row.
  server.drop_replies_after_storing(3);
  int passes = 0;
  while (k.store->counts()->pending > 0 && passes < 10) {
    o = client.upload_all(*k.store, 15);
    ++passes;
    if (passes == 2) server.restart();  // and the server restarts between passes
  }
  CHECK(k.store->counts()->pending == 0);
  CHECK(server.resends() >= 3);
  check_delivered(server, k);
  CHECK(k.store->conflicts()->empty());
}

TEST_CASE("a refusal stops the pass, leaves every response pending and says what to do, and a 409 is kept aside",
          "[openrosa]") {
  test::OpenRosaServer server(kToken);
  server.publish({"library_visit", "2026120701", encrypted_form(), key_pair().private_pem});
  Kiosk k(encrypted_form(), 5);

  // A revoked token.
  OpenRosaClient wrong(settings_for(server.url_with_token("revoked")));
  auto o = wrong.upload_all(*k.store);
  CHECK(o.kind == BatchOutcome::Kind::AuthFailed);
  CHECK(o.error_kind == ErrorKind::Auth);
  CHECK(o.message.find("revoked") == std::string::npos);  // the token is not in the words
  CHECK(o.message.find("App User") != std::string::npos);
  CHECK(k.store->counts()->pending == 5);

  // The form taken away from the App User: 403 on submission.
  OpenRosaClient client(settings_for(server.url()));
  server.assign(false);
  o = client.upload_all(*k.store);
  CHECK(o.kind == BatchOutcome::Kind::AuthFailed);
  CHECK(o.message.find("Form Access") != std::string::npos);
  CHECK(k.store->counts()->pending == 5);
  server.assign(true);

  // The form replaced by a version the responses were not given: 404.
  server.publish({"library_visit", "2026120801", encrypted_form(), key_pair().private_pem});
  o = client.upload_all(*k.store);
  CHECK(o.kind == BatchOutcome::Kind::Held);
  CHECK(o.http_status == 404);
  CHECK(o.message.find("Nothing is lost") != std::string::npos);
  CHECK(k.store->counts()->pending == 5);
  server.publish({"library_visit", "2026120701", encrypted_form(), key_pair().private_pem});

  // A submission larger than the server takes is held, not sent.
  server.accept_content_length(100);
  o = client.upload_all(*k.store);
  CHECK(o.kind == BatchOutcome::Kind::Held);
  CHECK(server.posts() == 2);  // the 403 and the 404 only
  server.accept_content_length(100000000);

  // Another device's bytes under one of these instance ids: 409, kept aside with the server's words.
  const std::string clash = "uuid:" + k.given.begin()->first;
  server.hold(clash, {"<data id=\"library_visit\" version=\"2026120701\"/>", "", "", ""});
  o = client.upload_all(*k.store);
  CHECK(o.ok());
  CHECK(o.conflicts == 1);
  CHECK(o.stored == 4);
  auto conflicts = k.store->conflicts();
  REQUIRE(conflicts->size() == 1);
  CHECK(conflicts->at(0).uuid == k.given.begin()->first);
  CHECK(conflicts->at(0).detail.find("409") != std::string::npos);
  CHECK(conflicts->at(0).detail.find("already exists") != std::string::npos);
  CHECK(k.store->counts()->pending == 0);
}

TEST_CASE("kiosk-admin enrol --openrosa checks the server, the form and its key before writing, then the kiosk syncs",
          "[openrosa][enrol]") {
  test::OpenRosaServer server(kToken);
  test::TempDir tmp;
  const std::string cfg = kiosk_config_in(tmp);
  const std::string before = test::read_file(cfg);
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string enrol = admin + "enrol --config " + cfg + " --form library_visit --openrosa ";
  auto unchanged = [&] {
    CHECK(test::read_file(cfg) == before);
    CHECK_FALSE(std::filesystem::exists(tmp.file("library_visit.xml")));
  };

  // Nobody there; the token refused (and never printed); the form not yet given to the App User.
  auto nobody = test::run(enrol + "'http://127.0.0.1:1/v1/key/" + kToken + "/projects/1'");
  CHECK(nobody.exit_code == 1);
  CHECK(nobody.err.find(kToken) == std::string::npos);
  auto wrong = test::run(enrol + "'" + server.url_with_token("not-the-token") + "'");
  CHECK(wrong.exit_code == 3);
  CHECK_THAT(wrong.err, Catch::Contains("refused the token") && Catch::Contains("unchanged"));
  CHECK(wrong.err.find("not-the-token") == std::string::npos);
  server.publish({"library_visit", "2026120701", encrypted_form(), key_pair().private_pem}, false);
  auto unassigned = test::run(enrol + "'" + server.url() + "'");
  CHECK(unassigned.exit_code == 6);
  CHECK_THAT(unassigned.err, Catch::Contains("give this one access"));
  // A form that is not encrypted: nothing readable may be kept, so it is refused.
  server.publish({"library_visit", "2026120701", test::visit_form(), ""});
  auto plain = test::run(enrol + "'" + server.url() + "'");
  CHECK(plain.exit_code == 6);
  CHECK_THAT(plain.err, Catch::Contains("not encrypted") && Catch::Contains("turn on encryption"));
  // A form outside what the kiosk asks: the control and the reason.
  std::string located = encrypted_form();
  located.replace(located.find("type=\"date\""), 11, "type=\"geopoint\"");
  server.publish({"library_visit", "2026120701", located, key_pair().private_pem});
  auto outside = test::run(enrol + "'" + server.url() + "'");
  CHECK(outside.exit_code == 6);
  CHECK_THAT(outside.err, Catch::Contains("/data/about/first_visit") && Catch::Contains("location"));
  unchanged();

  server.publish({"library_visit", "2026120701", encrypted_form(), key_pair().private_pem});
  auto ok = test::run(enrol + "'" + server.url() + "'");
  INFO(ok.out << ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Form library_visit version 2026120701") &&
                         Catch::Contains("Not available with an OpenRosa server"));
  CHECK(ok.out.find(kToken) == std::string::npos);
  CHECK(test::read_file(tmp.file("library_visit.xml")) == encrypted_form());
  auto c = load_config(cfg);
  REQUIRE(c);
  CHECK(c->sync.protocol == "openrosa");
  CHECK(c->sync.server_url == server.url());
  CHECK(c->sync.form_id == "library_visit");

  // The kiosk's own commands now run the form and seal to its key; the responses reach the server once.
  auto sim = test::run(admin + "simulate --responses 6 --config " + cfg);
  INFO(sim.out << sim.err);
  REQUIRE(sim.exit_code == 0);
  auto synced = test::run(admin + "sync --once --config " + cfg);
  INFO(synced.out << synced.err);
  CHECK(synced.exit_code == 0);
  const auto held = server.held();
  CHECK(held.size() == 6);
  for (const auto& [id, h] : held) {
    CHECK(h.error.empty());
    CHECK(h.xml.find("<data id=\"library_visit\" version=\"2026120701\">") == 0);
  }
  auto again = test::run(admin + "sync --once --config " + cfg);
  CHECK(again.exit_code == 0);
  CHECK(server.held().size() == 6);
}

TEST_CASE(
    "a kiosk killed while the server holds its submission and has not replied sends it again, and it is there once",
    "[openrosa][crash]") {
  test::OpenRosaServer server(kToken);
  server.publish({"library_visit", "2026120701", encrypted_form(), key_pair().private_pem});
  test::TempDir tmp;
  const std::string cfg = kiosk_config_in(tmp);
  const std::string admin = std::string(KIOSK_ADMIN_BIN);
  REQUIRE(test::run(admin + " enrol --config " + cfg + " --form library_visit --openrosa '" + server.url() + "'")
              .exit_code == 0);
  REQUIRE(test::run(admin + " simulate --responses 30 --config " + cfg).exit_code == 0);

  // The first submission is stored, its reply held back: the kiosk is killed then.
  server.delay_replies(std::chrono::milliseconds(2000));
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    execl(KIOSK_ADMIN_BIN, KIOSK_ADMIN_BIN, "sync", "--once", "--config", cfg.c_str(), nullptr);
    _exit(127);
  }
  const bool reached = server.wait_held(1, std::chrono::seconds(30));
  ::kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  server.delay_replies(std::chrono::milliseconds(0));
  REQUIRE(reached);
  CHECK(WIFSIGNALED(status));
  const std::size_t before = server.held().size();
  CHECK(before == 1);  // killed while the first was held, unanswered

  // Started again: everything goes, the one in flight as the same bytes, and is there once.
  auto again = test::run(admin + " sync --once --config " + cfg);
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(server.held().size() == 30);
  CHECK(server.resends() == 1);
  CHECK(server.conflicts() == 0);
  for (const auto& [id, h] : server.held()) CHECK(h.error.empty());
}

TEST_CASE(
    "the kiosk's own sync thread sends to the OpenRosa server, takes a changed form, and tells staff of a refusal",
    "[openrosa]") {
  using namespace std::chrono_literals;
  test::OpenRosaServer server(kToken);
  const std::string form = encrypted_form();
  server.publish({"library_visit", "2026120701", form, key_pair().private_pem});
  Kiosk k(form, 12);
  test::write_file(k.dir.file("library_visit.xml"), form);
  kiosk::sync::SyncSettings s;
  s.protocol = "openrosa";
  s.server_url = server.url();
  s.form_id = "library_visit";
  s.form_file = k.dir.file("library_visit.xml");
  s.kiosk_id = "castle-1";
  s.insecure_http = true;
  s.connect_timeout_seconds = 5;
  s.stall_timeout_seconds = 5;
  test::SharedFakeClock clock;
  kiosk::sync::SyncWorker worker(s, k.dir.file("kiosk.db"), 60, 600, &clock);
  CHECK(worker.status().configured);
  CHECK(worker.status().openrosa);
  worker.start();

  // Everything pending goes at once, and the form held is the server's: nothing to take.
  REQUIRE(worker.wait_status([](const kiosk::sync::SyncStatus& st) { return st.synced == 12; }, 20s));
  CHECK(server.held().size() == 12);
  // Each names the kiosk, as ODK Collect names itself (?deviceID=).
  const auto devices = server.devices();
  REQUIRE(devices.size() == 12);
  for (const auto& [id, device] : devices) CHECK(device == "library-kiosk:castle-1");
  CHECK_FALSE(worker.take_survey_update());

  // A new version on the server: at the next pull it is fetched, written and handed over.
  std::string changed = form;
  changed.replace(changed.find("version=\"2026120701\""), 20, "version=\"2026120702\"");
  changed.replace(changed.find("Every week</value>"), 10, "Each week");
  server.publish({"library_visit", "2026120702", changed, key_pair().private_pem});
  clock.advance(600s);
  worker.wake();
  REQUIRE(
      worker.wait_status([&](const kiosk::sync::SyncStatus&) { return test::read_file(s.form_file) == changed; }, 20s));
  auto update = worker.take_survey_update();
  REQUIRE(update);
  CHECK(update->xform == changed);
  auto imported = import_xform(update->xform, "update");
  REQUIRE(imported.ok());
  CHECK(imported->survey.version == "2026120702");

  // A version outside what the kiosk asks: refused and said to staff; the kiosk keeps its form.
  std::string located = changed;
  located.replace(located.find("version=\"2026120702\""), 20, "version=\"2026120703\"");
  located.replace(located.find("type=\"date\""), 11, "type=\"geopoint\"");
  server.publish({"library_visit", "2026120703", located, key_pair().private_pem});
  clock.advance(600s);
  worker.wake();
  REQUIRE(worker.wait_status(
      [](const kiosk::sync::SyncStatus& st) { return st.last_error.find("location") != std::string::npos; }, 20s));
  CHECK_THAT(worker.status().last_error, Catch::Contains("/data/about/first_visit"));
  CHECK(test::read_file(s.form_file) == changed);
  CHECK_FALSE(worker.take_survey_update());

  // The App User loses the form: staff read why, and nothing is lost.
  server.assign(false);
  SimulateOptions o;
  o.responses = 1;
  o.seed = 5;
  REQUIRE(k.store->insert_completed({simulate_one(k.form->survey, o, 0)}).ok());
  worker.sync_now();
  REQUIRE(worker.wait_status([](const kiosk::sync::SyncStatus& st) { return st.auth_failed && st.pending == 1; }, 20s));
  const auto st = worker.status();
  CHECK_THAT(st.last_error, Catch::Contains("Form Access") && Catch::Contains("Nothing is lost"));
  CHECK(server.held().size() == 12);
  worker.stop();
}

TEST_CASE("kiosk-admin validate reads an XForm as a kiosk would: what it asks, whether it is encrypted, or the refusal",
          "[openrosa][cli]") {
  test::TempDir tmp;
  const std::string validate = std::string(KIOSK_ADMIN_BIN) + " validate ";
  test::write_file(tmp.file("plain.xml"), test::visit_form());
  auto plain = test::run(validate + tmp.file("plain.xml"));
  INFO(plain.out << plain.err);
  CHECK(plain.exit_code == 0);
  CHECK_THAT(plain.out, Catch::Contains("an XForm: form \"library_visit\" version 2026120701, NOT encrypted") &&
                            Catch::Contains("survey \"library_visit\"") && Catch::Contains("locales: en pl"));
  test::write_file(tmp.file("sealed.xml"), encrypted_form());
  auto sealed = test::run(validate + tmp.file("sealed.xml"));
  CHECK(sealed.exit_code == 0);
  CHECK_THAT(sealed.out, Catch::Contains("encrypted to key "));
  std::string located = encrypted_form();
  located.replace(located.find("type=\"date\""), 11, "type=\"geopoint\"");
  test::write_file(tmp.file("located.xml"), located);
  auto refused = test::run(validate + tmp.file("located.xml"));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("/data/about/first_visit (line 123)") && Catch::Contains("location"));
}
