// bench_hub_summary: what /api/v1/summary and the status page cost at the hub
// as the dataset grows. Loads N checked responses straight through the hub's
// store (SQLite file, or --db postgresql://...), starts a real kiosk-hub on
// it, and times the two routes over loopback.
//
//   bench_hub_summary --hub-bin build/sync/hub/kiosk-hub [--responses 1000,100000] [--db URL] [--runs 50]
//                     [--vacuum yes]   (PostgreSQL: VACUUM ANALYZE after loading)
//
// With --db a PostgreSQL URL, every size gets its own fresh database on that
// server (URL + "_" + N is created with psql).
#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "document_check.hpp"
#include "hub_store.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/session.hpp"
#include "kiosk/simulate.hpp"

namespace fs = std::filesystem;
using namespace kiosk;
using Clk = std::chrono::steady_clock;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& dflt) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return dflt;
}

const std::string kSurvey = std::string(KIOSK_SOURCE_DIR) + "/kiosk-config/surveys/bury-libraries-2016.toml";

struct Hub {
  pid_t pid = -1;
  int port = 0;
  Hub(const std::string& bin, const std::string& db) {
    int fds[2];
    if (pipe(fds) != 0) std::exit(1);
    pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      if (FILE* f = std::fopen("/dev/null", "w")) dup2(fileno(f), 2);
      execl(bin.c_str(), bin.c_str(), "serve", "--port", "0", "--db", db.c_str(), "--survey", kSurvey.c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    close(fds[0]);
    if (line.rfind("listening on", 0) != 0) {
      std::fprintf(stderr, "kiosk-hub did not start: %s\n", line.c_str());
      std::exit(1);
    }
    port = std::stoi(line.substr(line.rfind(':') + 1));
  }
  ~Hub() {
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
  }
};

size_t keep(char* p, size_t s, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, s * n);
  return s * n;
}

// Milliseconds per GET on one keep-alive connection: median and p95 of `runs`.
std::pair<double, double> time_get(const std::string& url, const std::string& token, int runs, std::size_t& bytes) {
  CURL* h = curl_easy_init();
  curl_slist* hd = curl_slist_append(nullptr, ("Authorization: Bearer " + token).c_str());
  std::string body;
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  std::vector<double> ms;
  for (int i = 0; i < runs + 2; ++i) {
    body.clear();
    const auto t0 = Clk::now();
    const CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK || code != 200) {
      std::fprintf(stderr, "GET %s failed: %s %ld\n", url.c_str(), curl_easy_strerror(rc), code);
      std::exit(1);
    }
    if (i >= 2) ms.push_back(std::chrono::duration<double, std::milli>(Clk::now() - t0).count());  // 2 warm-ups
  }
  bytes = body.size();
  curl_slist_free_all(hd);
  curl_easy_cleanup(h);
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]};
}

std::string pg_database(const std::string& base, std::int64_t n) {
  const auto slash = base.rfind('/');
  const std::string name = "kiosk_bench_summary_" + std::to_string(n) + "_" + std::to_string(getpid());
  const std::string server = base.substr(0, slash);
  const std::string cmd = "psql -q '" + server + "/postgres' -c 'CREATE DATABASE " + name + "' >/dev/null";
  if (std::system(cmd.c_str()) != 0) std::exit(1);
  return server + "/" + name;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string bin = arg(argc, argv, "hub-bin", "");
  const std::string pg = arg(argc, argv, "db", "");
  const int runs = std::stoi(arg(argc, argv, "runs", "50"));
  std::vector<std::int64_t> sizes;
  std::istringstream list(arg(argc, argv, "responses", "1000,100000"));
  for (std::string s; std::getline(list, s, ',');) sizes.push_back(std::stoll(s));
  if (bin.empty()) {
    std::fprintf(stderr, "usage: bench_hub_summary --hub-bin PATH [--responses 1000,100000] [--db postgresql://...]\n");
    return 2;
  }
  auto survey = load_survey_file(kSurvey);
  if (!survey) return std::fprintf(stderr, "%s\n", survey.message().c_str()), 1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const fs::path dir = fs::temp_directory_path() / ("bench-hub-summary-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::vector<std::string> kiosks = {"kiosk-0", "kiosk-1", "kiosk-2", "kiosk-3", "kiosk-4"};
  const std::vector<std::string> points = {"castle", "bury", "radcliffe", "prestwich", "ramsbottom"};
  for (const std::int64_t n : sizes) {
    const std::string db = pg.empty() ? (dir / ("hub-" + std::to_string(n) + ".db")).string() : pg_database(pg, n);
    std::string admin;
    const auto load0 = Clk::now();
    {
      auto store = hub::open_hub_store(db);
      if (!store) return std::fprintf(stderr, "%s\n", store.message().c_str()), 1;
      admin = *(*store)->add_principal("council", "admin");
      hub::SurveyRegistry registry(**store);
      if (auto st = registry.register_survey(*survey, "2026-11-24T00:00:00Z"); !st)
        return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
      hub::TrustSettings trust{points};
      const auto now = std::chrono::system_clock::now();
      for (size_t k = 0; k < kiosks.size(); ++k) {
        (void)(*store)->add_principal(kiosks[k], "kiosk");
        SimulateOptions o;
        o.kiosk_id = kiosks[k];
        o.seed = k + 1;
        o.service_points = points;
        const std::int64_t per = n / static_cast<std::int64_t>(kiosks.size());
        std::vector<hub::Incoming> batch;
        for (std::int64_t i = 0; i < per; ++i) {
          const CompletedResponse r = simulate_one(*survey, o, static_cast<std::uint64_t>(i));
          hub::Incoming in;
          in.uuid = r.meta.uuid;
          in.document = canonical_document(r.meta, r.answers);
          in.content_hash = sha256_hex(in.document);
          // Checked exactly as an upload is, which also fills the tallies' marks.
          const auto v = hub::check_document(registry, trust, kiosks[k], kiosks[k], in.document, now, &in);
          if (v.kind != hub::Verdict::Kind::Accept) return std::fprintf(stderr, "%s\n", v.detail().c_str()), 1;
          batch.push_back(std::move(in));
          if (batch.size() == 1000 || i + 1 == per) {
            if (auto st = (*store)->ingest(kiosks[k], batch); !st)
              return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
            batch.clear();
          }
        }
      }
    }
    const double load_s = std::chrono::duration<double>(Clk::now() - load0).count();
    // As autovacuum does soon after a load this size: without it PostgreSQL's
    // count(*) visits every row's page (the status page's totals).
    if (!pg.empty() && arg(argc, argv, "vacuum", "no") == "yes")
      if (std::system(("psql -q '" + db + "' -c 'VACUUM ANALYZE' >/dev/null").c_str()) != 0) return 1;
    Hub hub(bin, db);
    const std::string base = "http://127.0.0.1:" + std::to_string(hub.port);
    std::size_t summary_bytes = 0, page_bytes = 0;
    const auto [s50, s95] = time_get(base + "/api/v1/summary", admin, runs, summary_bytes);
    const auto [p50, p95] = time_get(base + "/", admin, runs, page_bytes);
    std::printf("%s, %lld responses (loaded in %.1f s):\n", pg.empty() ? "SQLite" : "PostgreSQL",
                static_cast<long long>(n), load_s);
    std::printf("  GET /api/v1/summary  median %6.2f ms  p95 %6.2f ms  (%zu bytes; target <= 50 ms)\n", s50, s95,
                summary_bytes);
    std::printf("  GET / (status page)  median %6.2f ms  p95 %6.2f ms  (%zu bytes; target <= 50 ms)\n", p50, p95,
                page_bytes);
    std::fflush(stdout);
  }
  fs::remove_all(dir);
  return 0;
}
