// Power-cut test: a child process saves responses and reports each confirmed
// save; the parent kills it with SIGKILL at random moments, many times.
// Afterwards the integrity check passes, every confirmed response is present
// exactly once and completed, and every confirmed answer is still there.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <poll.h>
#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "kiosk/store.hpp"
#include "support.hpp"

#ifndef CRASH_CHILD_BIN
#error "CRASH_CHILD_BIN must be defined by CMake"
#endif

using namespace kiosk;

TEST_CASE("SIGKILL at random moments loses no confirmed answer or response", "[store][crash]") {
  test::TempDir tmp;
  const std::string db_path = tmp.file("crash.db");
  const std::string key_path = tmp.file("council.pub");
  test::write_seal_keys(key_path);
  std::mt19937 rng(20160301);
  std::set<std::string> completed;
  std::map<std::string, std::set<std::string>> answered;  // uuid -> question ids
  constexpr int kRounds = 30;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      const std::string seed = std::to_string(round + 1);
      execl(CRASH_CHILD_BIN, CRASH_CHILD_BIN, db_path.c_str(), test::bury_survey().c_str(), seed.c_str(),
            key_path.c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    // The kill comes after a random number of confirmed saves (so a loaded
    // machine, where saves are slow, still sees completions), then a random
    // few milliseconds more, so it lands at any point of the next save.
    const std::size_t kill_after_saves = rng() % 60;
    const auto extra = std::chrono::microseconds(rng() % 8000);
    std::string buf;
    char chunk[4096];
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::count(buf.begin(), buf.end(), '\n') < static_cast<std::ptrdiff_t>(kill_after_saves) &&
           std::chrono::steady_clock::now() < give_up) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, 50) > 0) {
        const ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
      }
    }
    const auto kill_at = std::chrono::steady_clock::now() + extra;
    while (std::chrono::steady_clock::now() < kill_at) {
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, 1) > 0) {
        const ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n <= 0) break;
        buf.append(chunk, static_cast<size_t>(n));
      }
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    // Whatever the child wrote before dying was confirmed before it was written.
    for (ssize_t n; (n = read(fds[0], chunk, sizeof chunk)) > 0;) buf.append(chunk, static_cast<size_t>(n));
    close(fds[0]);
    REQUIRE(WIFSIGNALED(status));
    std::istringstream lines(buf);
    std::string kind, uuid, qid;
    while (lines >> kind) {
      if (kind == "A") {
        lines >> uuid >> qid;
        answered[uuid].insert(qid);
      } else if (kind == "C") {
        lines >> uuid;
        completed.insert(uuid);
      }
    }
  }
  REQUIRE(completed.size() > 5);  // the test really exercised completions
  auto store = Store::open(db_path, db::OpenMode::Create, test::seal_pub());
  REQUIRE(store.ok());
  auto rep = (*store)->verify();
  REQUIRE(rep.ok());
  CHECK(rep->integrity == "ok");
  CHECK(rep->problems.empty());
  for (const auto& uuid : completed) {
    auto q =
        db::Statement::prepare((*store)->connection(), "SELECT count(*), max(status) FROM responses WHERE uuid=?1");
    REQUIRE(q.ok());
    q->bind(1, uuid);
    REQUIRE(*q->step());
    INFO(uuid);
    CHECK(q->integer(0) == 1);
    CHECK(q->str(1) == "completed");
  }
  // Every confirmed answer is in its response's sealed document: the last
  // draft of one cut off mid-visit (closed as abandoned at the next start),
  // or the frozen document of a completed one.
  std::map<std::string, Answers> docs;
  auto qd = db::Statement::prepare((*store)->connection(),
                                   "SELECT uuid, key_id, sealed FROM responses WHERE sealed IS NOT NULL");
  REQUIRE(qd.ok());
  while (*qd->step()) {
    auto doc = test::keyring().open(qd->str(1), qd->blob(2));
    REQUIRE(doc.ok());
    auto parsed = parse_canonical_document(*doc);
    REQUIRE(parsed.ok());
    CHECK(parsed->first.uuid == qd->str(0));
    docs[qd->str(0)] = parsed->second;
  }
  std::size_t answers_checked = 0;
  for (const auto& [uuid, qids] : answered) {
    for (const auto& id : qids) {
      INFO(uuid << " " << id);
      REQUIRE(docs.count(uuid) == 1);
      CHECK(docs[uuid].count(id) == 1);
      ++answers_checked;
    }
  }
  CHECK(answers_checked > completed.size());
}
