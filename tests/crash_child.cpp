// Helper for the crash tests: completes responses as fast as it can and
// reports each save the store has confirmed, until it is killed.
//   A <uuid> <question>   an answer is durably saved
//   C <uuid>              a response is durably completed
// Arguments: DB SURVEY SEED PUBLIC_KEY_FILE [ANSWERS_FILE]. With an answers
// file (lines "qid=code" or "qid:text"), it completes one visit with those
// answers, then starts another, gives the same answers, prints "M <uuid>"
// and waits to be killed mid-visit.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "kiosk/config.hpp"
#include "kiosk/simulate.hpp"
#include "kiosk/store.hpp"

using namespace kiosk;

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) return 2;
  auto survey = load_survey_file(argv[2]);
  if (!survey) return 3;
  KioskConfig cfg;
  cfg.seal_public_key_file = argv[4];
  auto key = load_seal_public_key(cfg);
  if (!key) {
    std::fprintf(stderr, "%s\n", key.message().c_str());
    return 4;
  }
  auto store = Store::open(argv[1], db::OpenMode::Create, &*key);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.message().c_str());
    return 4;
  }
  SystemClock clock;
  if (!(*store)->close_unfinished(format_utc(clock.now()))) return 5;
  if (argc == 6) {
    std::map<std::string, Answer> given;
    std::ifstream in(argv[5]);
    for (std::string line; std::getline(in, line);) {
      const auto eq = line.find_first_of("=:");
      if (eq == std::string::npos) continue;
      Answer a;
      if (line[eq] == '=')
        a.choices = {line.substr(eq + 1)};
      else
        a.text = line.substr(eq + 1);
      given[line.substr(0, eq)] = a;
    }
    // Questions the file does not answer take a simulated visitor's answers.
    const CompletedResponse plan = simulate_one(*survey, SimulateOptions{}, 0);
    for (const auto& [qid, a] : plan.answers) given.emplace(qid, a);
    for (int visit = 0; visit < 2; ++visit) {
      ResponseMeta m;
      m.kiosk_id = "crash";
      m.service_point = "castle";
      auto s = Session::start(*survey, m, clock, store->get());
      if (!s) return 6;
      while ((*s)->stage() == Session::Stage::Question) {
        const std::string qid = (*s)->current()->id;
        auto it = given.find(qid);
        if (it != given.end()) {
          if (auto st = (*s)->answer(it->second); !st) {
            std::fprintf(stderr, "%s: %s\n", qid.c_str(), st.message().c_str());
            return 7;
          }
          std::printf("A %s %s\n", (*s)->meta().uuid.c_str(), qid.c_str());
        }
        if (!(*s)->next()) return 8;
      }
      if (visit == 1) {
        std::printf("M %s\n", (*s)->meta().uuid.c_str());
        std::fflush(stdout);
        for (;;) pause();  // killed here, mid-visit (at the review screen)
      }
      if (!(*s)->submit()) return 9;
      std::printf("C %s\n", (*s)->meta().uuid.c_str());
      std::fflush(stdout);
    }
  }
  SimulateOptions opt;
  opt.seed = std::strtoull(argv[3], nullptr, 10);
  for (std::uint64_t i = 0;; ++i) {
    // Replay a simulated visitor's answers through a live session.
    const CompletedResponse plan = simulate_one(*survey, opt, i);
    ResponseMeta m;
    m.kiosk_id = "crash";
    m.service_point = "castle";
    auto s = Session::start(*survey, m, clock, store->get());
    if (!s) return 6;
    while ((*s)->stage() == Session::Stage::Question) {
      const std::string qid = (*s)->current()->id;
      auto it = plan.answers.find(qid);
      if (it != plan.answers.end()) {
        if (!(*s)->answer(it->second)) return 7;
        std::printf("A %s %s\n", (*s)->meta().uuid.c_str(), qid.c_str());
        std::fflush(stdout);
      }
      if (!(*s)->next()) return 8;
    }
    if (!(*s)->submit()) return 9;
    std::printf("C %s\n", (*s)->meta().uuid.c_str());
    std::fflush(stdout);
  }
}
