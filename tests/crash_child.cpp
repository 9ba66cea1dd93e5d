// Helper for the crash test: completes responses as fast as it can and
// reports each save the store has confirmed, until it is killed.
//   A <uuid> <question>   an answer is durably saved
//   C <uuid>              a response is durably completed
#include <cstdio>
#include <cstdlib>

#include "kiosk/simulate.hpp"
#include "kiosk/store.hpp"

using namespace kiosk;

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  auto survey = load_survey_file(argv[2]);
  if (!survey) return 3;
  auto store = Store::open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.message().c_str());
    return 4;
  }
  SystemClock clock;
  if (!(*store)->close_unfinished(format_utc(clock.now()))) return 5;
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
