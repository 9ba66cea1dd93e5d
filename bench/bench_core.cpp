// Core benchmarks (never part of the test run).
//
//   bench_core answer-save [--dir DIR] [--saves N]
//       latency of one durable answer save through the session engine
//       (p50, p99, max); target p50 < 5 ms, p99 < 20 ms on SSD.
//   bench_core export [--db FILE] [--responses N]
//       CSV export of N simulated responses beside `sqlite3 -csv` running
//       the same two scans over the same rows; prints the ratio (target <= 1.5).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/simulate.hpp"
#include "kiosk/store.hpp"

#ifndef KIOSK_SOURCE_DIR
#error "KIOSK_SOURCE_DIR must be defined"
#endif

using namespace kiosk;
using Clk = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& dflt) {
  for (int i = 2; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return dflt;
}

double ms_since(Clk::time_point t0) { return std::chrono::duration<double, std::milli>(Clk::now() - t0).count(); }

Survey load_bury() {
  auto s = load_survey_file(std::string(KIOSK_SOURCE_DIR) + "/kiosk-config/surveys/bury-libraries-2016.toml");
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    std::exit(1);
  }
  return std::move(s).value();
}

int answer_save(int argc, char** argv) {
  const std::string dir = arg(argc, argv, "dir", std::filesystem::temp_directory_path().string());
  const int saves = std::stoi(arg(argc, argv, "saves", "2000"));
  const std::string path = dir + "/bench-answer-save.db";
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  const Survey survey = load_bury();
  auto store = Store::open(path);
  if (!store) return std::fprintf(stderr, "%s\n", store.message().c_str()), 1;
  SystemClock clock;
  std::vector<double> lat;
  lat.reserve(static_cast<size_t>(saves));
  ResponseMeta m;
  m.kiosk_id = "bench";
  m.service_point = "castle";
  auto session = Session::start(survey, m, clock, store->get());
  const char* codes[] = {"agree", "disagree"};
  for (int i = 0; i < saves; ++i) {
    if ((*session)->stage() != Session::Stage::Question || (*session)->current()->id == "q7") {
      (void)(*session)->abandon("benchmark");
      session = Session::start(survey, m, clock, store->get());
    }
    const auto t0 = Clk::now();
    auto st = (*session)->answer(Answer{{codes[i % 2]}, {}, {}});
    lat.push_back(ms_since(t0));
    if (!st) return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
    if (i % 3 == 2) (void)(*session)->next();
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) { return lat[static_cast<size_t>(p * static_cast<double>(lat.size() - 1))]; };
  std::printf("answer save (durable commit, WAL + synchronous=FULL) on %s, %d saves\n", dir.c_str(), saves);
  std::printf("  p50 %.3f ms   p99 %.3f ms   max %.3f ms   (targets: p50 < 5 ms, p99 < 20 ms)\n", pct(0.5), pct(0.99),
              lat.back());
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return 0;
}

int export_bench(int argc, char** argv) {
  const std::string path = arg(argc, argv, "db", "bench-export.db");
  const long long n = std::stoll(arg(argc, argv, "responses", "1000000"));
  const Survey survey = load_bury();
  {
    auto store = Store::open(path);
    if (!store) return std::fprintf(stderr, "%s\n", store.message().c_str()), 1;
    const auto have = (*store)->counts()->completed;
    if (have < n) {
      std::printf("simulating %lld responses into %s (once; the file is reused)...\n", n - have, path.c_str());
      std::fflush(stdout);
      SimulateOptions o;
      o.responses = n - have;
      o.seed = static_cast<std::uint64_t>(have) + 1;
      o.service_points = {"castle", "bury", "prestwich", "radcliffe", "ramsbottom", "tottington", "whitefield"};
      const auto t0 = Clk::now();
      if (auto r = simulate_into(**store, survey, o); !r) return std::fprintf(stderr, "%s\n", r.message().c_str()), 1;
      std::printf("  simulated in %.1f s\n", ms_since(t0) / 1000);
    }
    std::printf("responses: %lld completed\n", static_cast<long long>((*store)->counts()->completed));
  }
  const std::string out = path + ".csv", ref = path + ".sqlite3.csv";
  double best_ours = 1e18, best_ref = 1e18;
  for (int run = 0; run < 3; ++run) {
    auto store = Store::open(path, db::OpenMode::ReadWrite);
    auto t0 = Clk::now();
    auto r = export_csv(**store, survey, out);
    best_ours = std::min(best_ours, ms_since(t0));
    if (!r) return std::fprintf(stderr, "%s\n", r.message().c_str()), 1;
    const std::string cmd =
        "sqlite3 -csv " + path +
        " \"SELECT id, uuid, survey_id, survey_version, kiosk_id, service_point, locale, mode, staff_id, assistance, "
        "accessibility, started_utc, ended_utc FROM responses WHERE status='completed' AND survey_id='" +
        survey.id +
        "' ORDER BY id; SELECT response_id, question_id, choices, text, other FROM answers ORDER BY response_id;\" > " +
        ref;
    t0 = Clk::now();
    if (std::system(cmd.c_str()) != 0) return std::fprintf(stderr, "sqlite3 failed\n"), 1;
    best_ref = std::min(best_ref, ms_since(t0));
  }
  std::printf("CSV export (best of 3):        %8.0f ms  (%s, %.0f MB)\n", best_ours, out.c_str(),
              static_cast<double>(std::filesystem::file_size(out)) / 1e6);
  std::printf("sqlite3 -csv, same rows:       %8.0f ms  (%.0f MB)\n", best_ref,
              static_cast<double>(std::filesystem::file_size(ref)) / 1e6);
  std::printf("ratio (ours / sqlite3):        %8.2f  (target <= 1.5)\n", best_ours / best_ref);
  std::filesystem::remove(out);
  std::filesystem::remove(ref);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (auto st = crypto_init(); !st) return 1;
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "answer-save") return answer_save(argc, argv);
  if (cmd == "export") return export_bench(argc, argv);
  std::fprintf(stderr, "usage: bench_core answer-save [--dir DIR] [--saves N] | export [--db FILE] [--responses N]\n");
  return 2;
}
