// Core benchmarks (never part of the test run).
//
//   bench_core answer-save [--dir DIR] [--saves N]
//       latency of one durable answer save through the session engine
//       (p50, p99, max), sealed (the kiosk's store) beside unsealed (the
//       same document and the same durable commit, written in the clear by a
//       bench-only sink), interleaved in one run; target p99 < 20 ms, and
//       sealing adding < 1 ms at p50.
//   bench_core export [--db FILE] [--responses N]
//       CSV export of N simulated responses beside `sqlite3 -csv` running
//       the same two scans over the same rows; prints the ratio (target <= 1.5).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
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

// Without sealing: what each save wrote before answers were sealed, the
// whole document in the clear, one durable commit into a row of the same
// shape. Only for this comparison; the kiosk has no such path.
class PlainSink final : public ResponseSink {
 public:
  explicit PlainSink(db::Connection& c) : c_(c) {
    (void)c_.exec(
        "CREATE TABLE IF NOT EXISTS plain(id INTEGER PRIMARY KEY, uuid TEXT, doc BLOB, hash TEXT, saved TEXT)");
    u_ = std::move(db::Statement::prepare(c_, "UPDATE plain SET doc=?2, hash=?3, saved=?4 WHERE id=?1")).value();
  }
  Result<std::int64_t> begin_response(ResponseMeta& m) override {
    auto i = db::Statement::prepare(c_, "INSERT INTO plain(uuid) VALUES(?1)");
    if (!i) return i.error();
    i->bind(1, m.uuid);
    if (auto st = i->run(); !st) return st.error();
    return c_.last_insert_rowid();
  }
  Status save_draft(std::int64_t id, const ResponseMeta& m, const Answers& a) override {
    const std::string doc = canonical_document(m, a);
    u_.bind(1, id).bind_blob(2, doc).bind(3, sha256_hex(doc)).bind(4, m.ended_utc);
    return u_.run();
  }
  Result<std::string> complete_response(std::int64_t, const ResponseMeta&, const Answers&) override {
    return std::string();
  }
  Status abandon_response(std::int64_t, const ResponseMeta&, const Answers&, const std::string&) override { return {}; }

 private:
  db::Connection& c_;
  db::Statement u_;
};

struct Lat {
  std::vector<double> v;
  double pct(double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
  }
};

int answer_save(int argc, char** argv) {
  const std::string dir = arg(argc, argv, "dir", std::filesystem::temp_directory_path().string());
  const int saves = std::stoi(arg(argc, argv, "saves", "2000"));
  const std::string path = dir + "/bench-answer-save.db", plain_path = dir + "/bench-answer-save-plain.db";
  for (const auto& p : {path, plain_path})
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(p + ext);
  const Survey survey = load_bury();
  const SealSecretKey key = generate_seal_key();
  auto store = Store::open(path, db::OpenMode::Create, &key.pub);
  if (!store) return std::fprintf(stderr, "%s\n", store.message().c_str()), 1;
  auto plain_db = db::Connection::open(plain_path, db::OpenMode::Create);
  if (!plain_db) return std::fprintf(stderr, "%s\n", plain_db.message().c_str()), 1;
  PlainSink plain(*plain_db);
  SystemClock clock;
  ResponseMeta m;
  m.kiosk_id = "bench";
  m.service_point = "castle";
  ResponseSink* sinks[] = {store->get(), &plain};
  Lat lat[2];
  std::unique_ptr<Session> sessions[2];
  const char* codes[] = {"agree", "disagree"};
  for (int k = 0; k < 2; ++k) {
    auto s = Session::start(survey, m, clock, sinks[k]);
    if (!s) return std::fprintf(stderr, "%s\n", s.message().c_str()), 1;
    sessions[k] = std::move(s).value();
    lat[k].v.reserve(static_cast<size_t>(saves));
  }
  // Interleaved, so both see the same disk and the same load.
  for (int i = 0; i < saves; ++i) {
    for (int k = 0; k < 2; ++k) {
      auto& session = sessions[k];
      if (session->stage() != Session::Stage::Question || session->current()->id == "q7") {
        (void)session->abandon("benchmark");
        session = std::move(Session::start(survey, m, clock, sinks[k])).value();
      }
      const auto t0 = Clk::now();
      auto st = session->answer(Answer{{codes[i % 2]}, {}, {}});
      lat[k].v.push_back(ms_since(t0));
      if (!st) return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
      if (i % 3 == 2) (void)session->next();
    }
  }
  std::printf("answer save (durable commit, WAL + synchronous=FULL) on %s, %d saves each, interleaved\n", dir.c_str(),
              saves);
  const double p50s = lat[0].pct(0.5), p99s = lat[0].pct(0.99), p50p = lat[1].pct(0.5), p99p = lat[1].pct(0.99);
  std::printf("  sealed:    p50 %.3f ms   p99 %.3f ms   max %.3f ms\n", p50s, p99s, lat[0].v.back());
  std::printf("  unsealed:  p50 %.3f ms   p99 %.3f ms   max %.3f ms\n", p50p, p99p, lat[1].v.back());
  std::printf("  sealing adds %.3f ms at p50, %.3f ms at p99   (targets: sealed p99 < 20 ms, added p50 < 1 ms)\n",
              p50s - p50p, p99s - p99p);
  store->reset();
  for (const auto& p : {path, plain_path})
    for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(p + ext);
  return 0;
}

// The export benchmark's file is reused between runs: its key pair with it.
const SealSecretKey& export_key() {
  static const SealSecretKey k = [] {
    const std::string f = "bench-export.key";
    std::FILE* fp = std::fopen(f.c_str(), "rb");
    if (fp) {
      char buf[512];
      const size_t n = std::fread(buf, 1, sizeof buf, fp);
      std::fclose(fp);
      if (auto p = parse_secret_key(std::string_view(buf, n), f); p) return std::move(p).value();
    }
    SealSecretKey fresh = generate_seal_key();
    if ((fp = std::fopen(f.c_str(), "wb"))) {
      const std::string text = format_secret_key(fresh);
      std::fwrite(text.data(), 1, text.size(), fp);
      std::fclose(fp);
    }
    return fresh;
  }();
  return k;
}

int export_bench(int argc, char** argv) {
  const std::string path = arg(argc, argv, "db", "bench-export.db");
  const long long n = std::stoll(arg(argc, argv, "responses", "1000000"));
  const Survey survey = load_bury();
  {
    auto store = Store::open(path, db::OpenMode::Create, &export_key().pub);
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
    SealKeyring keys;
    keys.add(export_key());
    auto r = export_csv(**store, keys, survey, out);
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
