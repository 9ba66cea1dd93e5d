// Sealed at rest (issue 12): a visit with distinctive answers, the process
// killed with SIGKILL mid-visit after a completed one; then the database, its
// WAL and shm, a backup and a USB export are searched for every answer: none
// is there. `kiosk-admin open --key` recovers them all, and retention after a
// receipt leaves no trace of the sealed bytes in the file or the WAL.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "kiosk/export.hpp"
#include "kiosk/store.hpp"
#include "support.hpp"

#ifndef CRASH_CHILD_BIN
#error "CRASH_CHILD_BIN must be defined by CMake"
#endif
#ifndef KIOSK_ADMIN_BIN
#error "KIOSK_ADMIN_BIN must be defined by CMake"
#endif

using namespace kiosk;

namespace {

const char* const kFreeText = "Please keep Radcliffe open on Sundays, my grandson Idris revises there";
const char* const kOtherText = "Zebra crossing by the Castle is lethal at 3pm";
const char* const kPostcode = "BL0 9QZ";
const char* const kEthnicCode = "asian_bangladeshi";
const char* const kEthnicLabel = "Asian or Asian British Bangladeshi";

// Every way an answer could show in the clear: as typed, as stored in a
// canonical document, as a JSON fragment.
std::vector<std::string> needles() {
  return {kFreeText,
          kOtherText,
          kPostcode,
          "BL09QZ",
          kEthnicLabel,
          std::string("\"choices\":[\"") + kEthnicCode + "\"]",
          std::string("\"text\":\"") + kPostcode + "\"",
          "\"answers\":{",
          "\"completed_utc\":",
          "\"service_point\":\"castle\""};
}

void expect_clean(const std::string& path, const std::vector<std::string>& words) {
  const std::string bytes = test::read_file(path);
  for (const auto& w : words) {
    INFO(path << " holds \"" << w << "\"");
    CHECK(bytes.find(w) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("no answer is readable from the kiosk's disk: killed mid-visit, after sending, in a backup and an export",
          "[store][seal][crash]") {
  test::TempDir tmp;
  const std::string db = tmp.file("kiosk.db"), pub = tmp.file("council.pub"), secret = tmp.file("council.key");
  test::write_seal_keys(pub, secret);
  test::write_file(tmp.file("answers.txt"), std::string("q7=yes\nq8:") + kFreeText + "\nq17:" + kOtherText +
                                                "\nq21:" + kPostcode + "\nq22=" + kEthnicCode + "\n");
  // The kiosk's core in a child process: one visit completed, a second one
  // answered the same way and cut off with SIGKILL before it is submitted.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(CRASH_CHILD_BIN, CRASH_CHILD_BIN, db.c_str(), test::bury_survey().c_str(), "1", pub.c_str(),
          tmp.file("answers.txt").c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (out.find("\nM ") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char chunk[4096];
      const ssize_t n = read(fds[0], chunk, sizeof chunk);
      if (n <= 0) break;
      out.append(chunk, static_cast<size_t>(n));
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  INFO(out);
  REQUIRE(WIFSIGNALED(status));
  std::string completed_uuid, cut_uuid;
  {
    std::istringstream lines(out);
    for (std::string kind, uuid, rest; lines >> kind >> uuid;) {
      if (kind == "C") completed_uuid = uuid;
      if (kind == "M") cut_uuid = uuid;
      if (kind == "A") lines >> rest;
    }
  }
  REQUIRE_FALSE(completed_uuid.empty());
  REQUIRE_FALSE(cut_uuid.empty());

  // Mid-visit and after a completed one, as the kill left them: no answer,
  // not even an option's code in the kiosk's counts.
  std::vector<std::string> with_code = needles();
  with_code.push_back(kEthnicCode);
  for (const char* ext : {"", "-wal", "-shm"}) expect_clean(db + ext, with_code);

  // Restarted: the cut-off visit closed from its last sealed draft; the
  // completed one sent and receipted; a backup and a USB export taken.
  auto store = Store::open(db, db::OpenMode::Create, test::seal_pub());
  REQUIRE(store.ok());
  REQUIRE(*(*store)->close_unfinished("2026-11-24T04:00:00Z") == 1);
  REQUIRE((*store)->mark_synced(completed_uuid, "{\"receipt\":\"r1\"}", "2026-11-24T04:00:01Z").ok());
  REQUIRE((*store)->backup_to(tmp.file("backup.db")).ok());
  auto exported = export_sealed(**store, test::bury(), "k", tmp.file("usb"), "2026-11-24T04:00:02Z");
  REQUIRE(exported.ok());
  CHECK(exported->responses == 2);
  for (const char* ext : {"", "-wal", "-shm"}) expect_clean(db + ext, with_code);
  expect_clean(tmp.file("backup.db"), with_code);
  // The tallies count responses and nothing of their answers.
  CHECK(test::sql_scalar(db, "SELECT count(*) FROM tallies WHERE question_id <> '' OR option_code <> ''") == "0");
  CHECK(test::sql_scalar(db, "SELECT sum(count) FROM tallies") == "1");
  // The export's survey.toml is the questionnaire itself (every option's
  // code and label); the responses and the manifest must hold no answer.
  expect_clean(tmp.file("usb/responses.sealed.jsonl"), with_code);
  expect_clean(tmp.file("usb/manifest.json"), with_code);
  CHECK((*store)->verify()->ok());

  // The analyst's computer opens them all.
  auto opened = test::run(std::string(KIOSK_ADMIN_BIN) + " open --key " + secret + " " + tmp.file("usb") + " --out " +
                          tmp.file("opened"));
  INFO(opened.err);
  REQUIRE(opened.exit_code == 0);
  const std::string jsonl = test::read_file(tmp.file("opened/responses.jsonl"));
  const std::string csv = test::read_file(tmp.file("opened/responses.csv"));
  for (const auto& uuid : {completed_uuid, cut_uuid}) {
    CHECK(jsonl.find(uuid) != std::string::npos);
    CHECK(csv.find(uuid) != std::string::npos);
  }
  for (const char* w : {kFreeText, kOtherText, kPostcode, kEthnicCode}) {
    INFO(w);
    CHECK(jsonl.find(w) != std::string::npos);
    CHECK(csv.find(w) != std::string::npos);
  }
  // Both visits carry every answer: the cut-off one from its last draft.
  std::istringstream docs(jsonl);
  int lines = 0;
  for (std::string line; std::getline(docs, line); ++lines) {
    auto doc = parse_canonical_document(line);
    REQUIRE(doc.ok());
    CHECK(doc->first.status == (doc->first.uuid == completed_uuid ? "completed" : "abandoned"));
    CHECK(doc->second.at("q8").text == kFreeText);
    CHECK(doc->second.at("q21").text == kPostcode);
    CHECK(doc->second.at("q22").choices == std::vector<std::string>{kEthnicCode});
  }
  CHECK(lines == 2);

  // Retention after the receipts: the sealed bytes go from the file and the WAL.
  auto rows = (*store)->sealed_responses("");
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  REQUIRE((*store)->mark_synced(cut_uuid, "{\"receipt\":\"r2\"}", "2026-11-24T04:00:03Z").ok());
  REQUIRE(*(*store)->apply_retention(0, "2026-11-25T00:00:00Z") == 2);
  for (const auto& r : *rows)
    for (const char* ext : {"", "-wal"}) {
      const std::string bytes = test::read_file(db + ext);
      INFO(db + ext << " still holds the sealed bytes of " << r.uuid);
      // Any 32 bytes of the box would do; the middle is neither header nor tag.
      CHECK(bytes.find(r.sealed.substr(r.sealed.size() / 2, 32)) == std::string::npos);
    }
  CHECK(std::filesystem::file_size(db + "-wal") == 0);
  // Nothing unreceipted was removed: the ledger still adds up.
  auto v = (*store)->verify();
  REQUIRE(v.ok());
  CHECK(v->ok());
}

TEST_CASE("a kiosk's database from before schema 4 loses its counts of answers on upgrade, from the file and the WAL",
          "[store][seal]") {
  test::TempDir tmp;
  const std::string db = tmp.file("kiosk.db");
  {
    auto store = Store::open(db, db::OpenMode::Create, test::seal_pub());
    REQUIRE(store.ok());
  }
  // As schema 3 kept them: each option chosen, counted per service point.
  REQUIRE(test::sql_exec(db,
                         "INSERT INTO tallies VALUES('bury_libraries_2016','castle','','',2),"
                         "('bury_libraries_2016','castle','q22','',1),"
                         "('bury_libraries_2016','castle','q22','asian_bangladeshi',1),"
                         "('bury_libraries_2016','castle','q23','limited_a_lot',1); PRAGMA user_version=3;"));
  REQUIRE(test::read_file(db).find(kEthnicCode) != std::string::npos);  // there before
  auto store = Store::open(db, db::OpenMode::Create, test::seal_pub());
  REQUIRE(store.ok());
  CHECK(test::sql_scalar(db, "PRAGMA user_version") == std::to_string(Store::kSchemaVersion));
  CHECK(test::sql_scalar(db, "SELECT count(*) FROM tallies WHERE question_id <> '' OR option_code <> ''") == "0");
  CHECK(test::sql_scalar(db, "SELECT sum(count) FROM tallies") == "2");  // the responses still counted
  for (const char* ext : {"", "-wal"}) expect_clean(db + ext, {kEthnicCode, "limited_a_lot"});
}

TEST_CASE("kiosk-admin open names the file and line of an item the key does not open", "[cli][seal]") {
  test::TempDir tmp;
  test::write_seal_keys(tmp.file("council.pub"), tmp.file("council.key"));
  auto store = Store::open(tmp.file("k.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(store.ok());
  CompletedResponse r;
  r.meta.uuid = new_uuid_v4();
  r.meta.survey_id = test::bury().id;
  r.meta.survey_version = test::bury().version;
  r.meta.kiosk_id = "k";
  r.meta.service_point = "castle";
  r.meta.started_utc = "2026-11-24T04:00:00Z";
  r.meta.ended_utc = "2026-11-24T04:05:00Z";
  REQUIRE((*store)->insert_completed({r}).ok());
  REQUIRE(export_sealed(**store, test::bury(), "k", tmp.file("usb"), "2026-11-24T04:06:00Z").ok());
  // Another council's key: the item does not open.
  const SealSecretKey other = generate_seal_key();
  test::write_file(tmp.file("other.key"), format_secret_key(other));
  auto wrong = test::run(std::string(KIOSK_ADMIN_BIN) + " open --key " + tmp.file("other.key") + " " + tmp.file("usb") +
                         " --out " + tmp.file("o"));
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.err, Catch::Contains(tmp.file("usb/responses.sealed.jsonl") + ":1"));
  CHECK_THAT(wrong.err, Catch::Contains(r.meta.uuid));
  CHECK_FALSE(std::filesystem::exists(tmp.file("o/responses.csv")));
  auto missing = test::run(std::string(KIOSK_ADMIN_BIN) + " open --key " + tmp.file("nope.key") + " " +
                           tmp.file("usb") + " --out " + tmp.file("o"));
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains(tmp.file("nope.key")));
}
