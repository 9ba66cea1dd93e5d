// Sync benchmarks (never part of the test run).
//
//   bench_sync sync10k --hub-bin PATH [--responses N]
//       N queued responses synced to a kiosk-hub on loopback (SQLite), beside a
//       plain libcurl upload of the same gzip'd batch bodies to a fresh hub:
//       the ratio is what the sync client adds. Target: 10,000 in < 3 s.
//   bench_sync ingest --hub-bin PATH --db FILE|postgresql://... [--kiosks 50] [--per-kiosk 2000]
//       50 simulated kiosks posting batches at once; responses stored per second.
//       Target: >= 5,000/s on SQLite.
#include <curl/curl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "kiosk/crypto.hpp"
#include "kiosk/simulate.hpp"
#include "sync_client.hpp"

#ifndef KIOSK_SOURCE_DIR
#error "KIOSK_SOURCE_DIR must be defined"
#endif

using namespace kiosk;
using Clk = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& dflt) {
  for (int i = 2; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return dflt;
}
double secs_since(Clk::time_point t0) { return std::chrono::duration<double>(Clk::now() - t0).count(); }

std::string run_capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[512];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out.substr(out.rfind('\n') + 1);
}

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
      // The hub stores only documents it can check against the survey they answer.
      const std::string survey = std::string(KIOSK_SOURCE_DIR) + "/kiosk-config/surveys/bury-libraries-2016.toml";
      execl(bin.c_str(), bin.c_str(), "serve", "--port", "0", "--db", db.c_str(), "--threads", "64", "--survey",
            survey.c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    close(fds[0]);
    port = std::stoi(line.substr(line.rfind(':') + 1));
  }
  ~Hub() {
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

size_t discard(char*, size_t s, size_t n, void* out) {
  (void)out;
  return s * n;
}

std::atomic<int> g_retries{0};

// Posts gzip'd bodies one after another on one keep-alive connection; a
// failed batch is sent again, as a kiosk would.
bool post_all(const std::string& url, const std::string& token, const std::vector<std::string>& bodies) {
  CURL* h = curl_easy_init();
  curl_slist* hd = nullptr;
  hd = curl_slist_append(hd, ("Authorization: Bearer " + token).c_str());
  hd = curl_slist_append(hd, "Content-Type: application/json");
  hd = curl_slist_append(hd, "Content-Encoding: gzip");
  hd = curl_slist_append(hd, "Expect:");
  std::string sink;
  bool ok = true;
  for (size_t i = 0; i < bodies.size(); ++i) {
    const auto& b = bodies[i];
    curl_easy_setopt(h, CURLOPT_URL, (url + "/api/v1/responses").c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, b.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(b.size()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    long code = 0;
    const CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK || code != 200) {
      std::fprintf(stderr, "upload failed (%s, HTTP %ld); sending it again\n", curl_easy_strerror(rc), code);
      if (++g_retries > 50) return false;
      --i;
    }
  }
  curl_slist_free_all(hd);
  curl_easy_cleanup(h);
  return ok;
}

std::vector<std::string> batch_bodies(Store& store, int batch) {
  std::vector<std::string> out;
  auto all = store.pending(100000000);
  for (size_t i = 0; i < all->size(); i += static_cast<size_t>(batch)) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t k = i; k < std::min(all->size(), i + static_cast<size_t>(batch)); ++k)
      list.push_back({{"uuid", (*all)[k].uuid},
                      {"content_hash", (*all)[k].content_hash},
                      {"key_id", (*all)[k].key_id},
                      {"sealed", base64_encode((*all)[k].sealed)}});
    out.push_back(sync::gzip(nlohmann::json{{"responses", list}}.dump()));
  }
  return out;
}

Survey load_bury() {
  return std::move(load_survey_file(std::string(KIOSK_SOURCE_DIR) + "/kiosk-config/surveys/bury-libraries-2016.toml"))
      .value();
}

int sync10k(int argc, char** argv) {
  const std::string bin = arg(argc, argv, "hub-bin", "");
  const int n = std::stoi(arg(argc, argv, "responses", "10000"));
  const int batch = std::stoi(arg(argc, argv, "batch", "200"));
  const fs::path dir = fs::temp_directory_path() / ("bench-sync-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const Survey survey = load_bury();
  const SealSecretKey key = generate_seal_key();
  auto store = Store::open((dir / "kiosk.db").string(), db::OpenMode::Create, &key.pub);
  SimulateOptions o;
  o.responses = n;
  o.kiosk_id = "bench-kiosk";
  o.service_points = {"castle", "bury", "radcliffe", "prestwich"};
  (void)simulate_into(**store, survey, o);
  const auto bodies = batch_bodies(**store, batch);
  std::size_t bytes = 0;
  for (const auto& b : bodies) bytes += b.size();

  double ours = 0, plain = 0;
  {
    const std::string db = (dir / "hub-a.db").string();
    const std::string token = run_capture(bin + " add-device bench-kiosk --db " + db);
    Hub hub(bin, db);
    sync::SyncSettings s;
    s.hub_url = hub.url();
    s.token = token;
    s.kiosk_id = "bench-kiosk";
    s.batch_size = batch;
    sync::SyncClient client(s, **store);
    const auto t0 = Clk::now();
    const auto r = client.upload_all();
    ours = secs_since(t0);
    if (r.kind != sync::BatchOutcome::Kind::Receipted || r.stored != n) {
      std::fprintf(stderr, "sync failed: %s\n", r.message.c_str());
      return 1;
    }
  }
  {
    const std::string db = (dir / "hub-b.db").string();
    const std::string token = run_capture(bin + " add-device bench-kiosk --db " + db);
    Hub hub(bin, db);
    const auto t0 = Clk::now();
    if (!post_all(hub.url(), token, bodies)) return std::fprintf(stderr, "plain upload failed\n"), 1;
    plain = secs_since(t0);
  }
  std::printf("sync of %d queued responses to kiosk-hub (SQLite) on loopback, batches of %d (%zu gzip'd bytes)\n", n,
              batch, bytes);
  std::printf("  sync client:                 %.2f s   (target < 3 s)\n", ours);
  std::printf("  plain libcurl, same bytes:   %.2f s\n", plain);
  std::printf("  ratio (client / plain):      %.2f\n", ours / plain);
  fs::remove_all(dir);
  return 0;
}

int ingest(int argc, char** argv) {
  const std::string bin = arg(argc, argv, "hub-bin", "");
  std::string db = arg(argc, argv, "db", "");
  const int kiosks = std::stoi(arg(argc, argv, "kiosks", "50"));
  const int per = std::stoi(arg(argc, argv, "per-kiosk", "2000"));
  const int batch = std::stoi(arg(argc, argv, "batch", "200"));
  const fs::path dir = fs::temp_directory_path() / ("bench-ingest-" + std::to_string(getpid()));
  fs::create_directories(dir);
  if (db.empty()) db = (dir / "hub.db").string();
  const Survey survey = load_bury();
  std::vector<std::vector<std::string>> bodies(static_cast<size_t>(kiosks));
  std::vector<std::string> tokens;
  for (int k = 0; k < kiosks; ++k) {
    const std::string name = "kiosk-" + std::to_string(k);
    static const SealSecretKey key = generate_seal_key();
    auto s = Store::open((dir / (name + ".db")).string(), db::OpenMode::Create, &key.pub);
    SimulateOptions o;
    o.responses = per;
    o.kiosk_id = name;
    o.seed = static_cast<std::uint64_t>(k) + 1;
    o.service_points = {"castle", "bury", "radcliffe", "prestwich"};
    (void)simulate_into(**s, survey, o);
    bodies[static_cast<size_t>(k)] = batch_bodies(**s, batch);
    tokens.push_back(run_capture(bin + " add-device " + name + " --db '" + db + "'"));
  }
  Hub hub(bin, db);
  std::atomic<int> failures{0};
  const auto t0 = Clk::now();
  std::vector<std::thread> threads;
  for (int k = 0; k < kiosks; ++k)
    threads.emplace_back([&, k] {
      if (!post_all(hub.url(), tokens[static_cast<size_t>(k)], bodies[static_cast<size_t>(k)])) ++failures;
    });
  for (auto& t : threads) t.join();
  const double s = secs_since(t0);
  const double total = static_cast<double>(kiosks) * per;
  std::printf("hub ingest on %s: %d kiosks at once, %d responses each, batches of %d\n",
              db.rfind("postgres", 0) == 0 ? "PostgreSQL" : "SQLite", kiosks, per, batch);
  std::printf(
      "  %.0f responses in %.2f s = %.0f responses/s   (target >= 5,000/s on SQLite); batches sent again: %d%s\n",
      total, s, total / s, g_retries.load(), failures ? "   SOME UPLOADS FAILED" : "");
  fs::remove_all(dir);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto_init()) return 1;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  signal(SIGPIPE, SIG_IGN);
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "sync10k") return sync10k(argc, argv);
  if (cmd == "ingest") return ingest(argc, argv);
  std::fprintf(stderr, "usage: bench_sync sync10k --hub-bin PATH | ingest --hub-bin PATH [--db URL]\n");
  return 2;
}
