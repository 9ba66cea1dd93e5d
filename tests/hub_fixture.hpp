// End-to-end helpers: a real kiosk-hub on a loopback port (served in the
// test's own process from the same command line, or as a process of its
// own where a test needs one), and a fault-injecting proxy that stands
// between a kiosk and the hub.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hub_cli.hpp"
#include "kiosk/clock.hpp"
#include "support.hpp"

#ifndef KIOSK_HUB_BIN
#error "KIOSK_HUB_BIN must be defined by CMake"
#endif

namespace test {

// The kiosk-hub the tests run: the one built beside them, or the one named
// by KIOSK_TEST_HUB_BIN (scripts/test.sh points the tests labelled "plain"
// at the installed package's, the build councils run).
inline const char* hub_bin() {
  static const std::string bin = [] {
    const char* e = std::getenv("KIOSK_TEST_HUB_BIN");
    return std::string(e && *e ? e : KIOSK_HUB_BIN);
  }();
  return bin.c_str();
}

// Whether that hub was built with AddressSanitizer, whose allocator keeps
// what it maps and whose shadow memory triples a process's: its memory
// figures are then not what a council's hub would show.
inline bool hub_sanitized() {
  static const bool sanitized =
      run(std::string("readelf -d '") + hub_bin() + "'").out.find("libasan") != std::string::npos;
  return sanitized;
}

// Whether the tests run an installed kiosk-hub (KIOSK_TEST_HUB_BIN) rather
// than the hub built beside them.
inline bool installed_hub() {
  const char* e = std::getenv("KIOSK_TEST_HUB_BIN");
  return e && *e;
}

// `kiosk-hub ARGS...`: its exit code and what it printed on stdout. Run in
// the test's own process (hub_main), one command at a time, unless the
// tests run an installed hub.
struct HubCommand {
  int code = 0;
  std::string out;
};
inline HubCommand hub_command(const std::vector<std::string>& args) {
  if (installed_hub()) {
    std::string cmd = hub_bin();
    for (const auto& a : args) cmd += " '" + a + "'";
    const auto r = run(cmd);
    return {r.exit_code, r.out};
  }
  static std::mutex m;
  std::lock_guard lock(m);
  std::vector<std::string> argv = {"kiosk-hub"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> v;
  for (auto& a : argv) v.push_back(a.data());
  v.push_back(nullptr);
  std::ostringstream out;
  std::streambuf* was = std::cout.rdbuf(out.rdbuf());
  const int code = kiosk::hub::hub_main(static_cast<int>(argv.size()), v.data());
  std::cout.flush();
  std::cout.rdbuf(was);
  return {code, out.str()};
}

// The hub's database for one test: a SQLite file, or (when the test run is
// given a PostgreSQL server in KIOSK_TEST_PG_URL_FILE) a fresh database on it.
inline std::string hub_database(const TempDir& tmp) {
  const char* url_file = std::getenv("KIOSK_TEST_PG_URL_FILE");
  if (!url_file || !*url_file) return tmp.file("hub.db");
  std::string base = read_file(url_file);
  while (!base.empty() && (base.back() == '\n' || base.back() == ' ')) base.pop_back();
  static std::atomic<int> n{0};
  const std::string name = "kiosk_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
  const auto r = run("psql -q -v ON_ERROR_STOP=1 '" + base + "/postgres' -c 'CREATE DATABASE " + name + "'");
  if (r.exit_code != 0) throw std::runtime_error("cannot create a test database: " + r.err);
  return base + "/" + name;
}

inline bool using_postgres() {
  const char* f = std::getenv("KIOSK_TEST_PG_URL_FILE");
  return f && *f;
}

// A hub serving on a loopback port: `kiosk-hub serve` with the test's
// arguments. By default served in the test's own process (hub_main with a
// ServeControl: the same command line, store, routes and transport, no child
// process). A test that signals the hub, reads its log or measures its
// memory sets `in_process = false` before start() and gets a kiosk-hub
// process; so do the tests run against an installed hub (KIOSK_TEST_HUB_BIN).
class HubProcess {
 public:
  HubProcess(std::string db, std::string survey, std::string log_path = "/dev/null")
      : db_(std::move(db)), survey_(std::move(survey)), log_path_(std::move(log_path)) {}
  ~HubProcess() { stop(); }
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  bool in_process = !installed_hub();

  std::string add(const std::string& what, const std::string& name) {
    // `name` may carry the command's options after it ("k1 --service-point castle").
    std::vector<std::string> args = {what};
    std::istringstream words(name);
    for (std::string w; words >> w;) args.push_back(w);
    args.insert(args.end(), {"--db", db_});
    auto r = hub_command(args);
    if (r.code != 0) throw std::runtime_error("kiosk-hub " + what + " failed (exit " + std::to_string(r.code) + ")");
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out.substr(out.rfind('\n') + 1);
  }

  void start(int port = 0) {
    // A hub seals what it stores, as deployed: its own key pair unless the
    // test gives --key-dir or asks for a hub without keys.
    if (sealing && !keys_ && std::find(extra_args.begin(), extra_args.end(), "--key-dir") == extra_args.end())
      keys_ = keys_for(db_);
    std::vector<std::string> args = extra_args;
    if (sealing && keys_) {
      args.push_back("--key-dir");
      args.push_back(keys_->path);
    }
    if (in_process && !installed_hub()) return start_in_process(port, args);
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      // The request log goes to a file beside the test's data, not the test output.
      const std::string log = log_path_;
      if (FILE* f = std::fopen(log.c_str(), "a")) dup2(fileno(f), STDERR_FILENO);
      const std::string p = std::to_string(port);
      std::vector<const char*> argv = {hub_bin(), "serve",     "--port",   p.c_str(),
                                       "--db",    db_.c_str(), "--survey", survey_.c_str()};
      for (const auto& a : args) argv.push_back(a.c_str());
      argv.push_back(nullptr);
      execv(hub_bin(), const_cast<char* const*>(argv.data()));
      _exit(127);
    }
    close(fds[1]);
    // Ready means the hub has printed "listening on ...": it prints that only
    // after binding. Block on the pipe for it, up to a deadline.
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (char c = 0; c != '\n';) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      pollfd p{fds[0], POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) != 1 || read(fds[0], &c, 1) != 1) break;
      if (c != '\n') line.push_back(c);
    }
    close(fds[0]);
    const auto colon = line.rfind(':');
    if (line.rfind("listening on", 0) != 0 || colon == std::string::npos)
      throw std::runtime_error("kiosk-hub did not start: " + line);
    port_ = std::stoi(line.substr(colon + 1));
  }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st;
      waitpid(pid_, &st, 0);
      pid_ = -1;
    }
    if (served_.joinable()) {
      const char c = 's';
      if (::write(stop_[1], &c, 1) != 1) throw std::runtime_error("cannot stop the hub served in process");
      served_.join();
      ::close(stop_[0]);
      ::close(stop_[1]);
    }
  }
  bool running() const { return pid_ > 0 || served_.joinable(); }
  // The hub's process: only a hub started with in_process = false has one.
  pid_t pid() const {
    if (pid_ <= 0 && served_.joinable())
      throw std::logic_error("this hub is served in the test's own process: set in_process = false before start()");
    return pid_;
  }
  std::vector<std::string> extra_args;  // e.g. --cert FILE --key FILE
  bool sealing = true;                  // false: a hub without keys, storing documents readable
  // The key directory the hub was given by start() ("" when the test gave its own or none).
  std::string own_keys() const { return keys_ ? keys_->path : std::string(); }
  int port() const { return port_; }
  std::string url() const {
    const bool tls = std::find(extra_args.begin(), extra_args.end(), "--cert") != extra_args.end();
    return (tls ? "https://" : "http://") + std::string("127.0.0.1:") + std::to_string(port_);
  }
  const std::string& db() const { return db_; }

 private:
  std::string db_, survey_, log_path_;
  // One key directory per database, shared by every hub process on it (as
  // hubs sharing a PostgreSQL share their keys), removed with the last.
  struct KeyDir {
    std::string path;
    ~KeyDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static std::shared_ptr<KeyDir> keys_for(const std::string& db) {
    static std::mutex m;
    static std::map<std::string, std::weak_ptr<KeyDir>> live;
    std::lock_guard lock(m);
    if (auto k = live[db].lock()) return k;
    char dir[] = "/tmp/kiosk-hub-keys-XXXXXX";
    if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp");
    auto k = std::make_shared<KeyDir>(KeyDir{dir});
    auto r = hub_command({"keygen", "--key-dir", k->path});
    if (r.code != 0) throw std::runtime_error("kiosk-hub keygen failed (exit " + std::to_string(r.code) + ")");
    // The tests' council key (test::seal_key(), which the tests' kiosks seal
    // to) becomes the current one; keygen's own stays readable beside it, as
    // after a rotation.
    const kiosk::SealSecretKey& tk = test::seal_key();
    const std::string key_file = k->path + "/" + tk.pub.id + ".key";
    const int fd = ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + key_file);
    const std::string secret = kiosk::format_secret_key(tk);
    const bool wrote = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
    ::close(fd);
    if (!wrote) throw std::runtime_error("cannot write " + key_file);
    test::write_file(k->path + "/" + tk.pub.id + ".pub", kiosk::format_public_key(tk.pub));
    test::write_file(k->path + "/current", tk.pub.id + ".key\n");
    live[db] = k;
    return k;
  }
  // hub_main in a thread of this process, up to "listening" (or its exit).
  void start_in_process(int port, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"kiosk-hub", "serve", "--port",   std::to_string(port),
                                     "--db",      db_,     "--survey", survey_};
    argv.insert(argv.end(), args.begin(), args.end());
    if (pipe(stop_) != 0) throw std::runtime_error("pipe");
    auto ready = std::make_shared<Ready>();
    served_ = std::thread([argv, ready, this] {
      std::vector<std::string> copy = argv;
      std::vector<char*> v;
      for (auto& a : copy) v.push_back(a.data());
      v.push_back(nullptr);
      kiosk::hub::ServeControl control;
      control.stop_fd = stop_[0];
      control.listening = [ready](int p) {
        std::lock_guard lock(ready->m);
        ready->port = p;
        ready->cv.notify_all();
      };
      const int code = kiosk::hub::hub_main(static_cast<int>(copy.size()), v.data(), &control);
      std::lock_guard lock(ready->m);
      ready->exited = true;
      ready->code = code;
      ready->cv.notify_all();
    });
    std::unique_lock lock(ready->m);
    ready->cv.wait_for(lock, std::chrono::seconds(30), [&] { return ready->port > 0 || ready->exited; });
    if (ready->port <= 0) {
      const bool exited = ready->exited;
      const int code = ready->code;
      lock.unlock();
      if (exited) {
        served_.join();
        ::close(stop_[0]);
        ::close(stop_[1]);
      }
      throw std::runtime_error(exited ? "kiosk-hub serve (in process) ended with exit code " + std::to_string(code)
                                      : "kiosk-hub serve (in process) did not listen within 30 s");
    }
    port_ = ready->port;
  }
  struct Ready {
    std::mutex m;
    std::condition_variable cv;
    int port = 0, code = 0;
    bool exited = false;
  };

  std::shared_ptr<KeyDir> keys_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::thread served_;
  int stop_[2] = {-1, -1};
};

// A one-connection-at-a-time HTTP proxy with switchable faults.
class FaultProxy {
 public:
  enum class Mode { Pass, Canned, SlowReply, DropAfterCommit, SlowLine };

  explicit FaultProxy(int upstream_port) : upstream_(upstream_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 64) != 0)
      throw std::runtime_error("proxy cannot listen");
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~FaultProxy() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    changed_.notify_all();
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
  }

  void pass() { set(Mode::Pass, ""); }
  void canned(const std::string& raw_response) { set(Mode::Canned, raw_response); }
  void slow(int seconds) {
    delay_ = seconds;
    set(Mode::SlowReply, "");
  }
  void drop_after_commit() { set(Mode::DropAfterCommit, ""); }
  // A slow line towards the hub: each request reaches it at this many bytes
  // a second (paced in tenths of a second), the reply at full speed.
  void slow_line(std::size_t bytes_per_second) {
    rate_ = bytes_per_second;
    set(Mode::SlowLine, "");
  }
  int requests() const {
    std::lock_guard lock(m_);
    return requests_;
  }
  // Blocks until the proxy has read `n` requests in all, for at most `timeout`.
  bool wait_for_requests(int n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_);
    return changed_.wait_for(lock, timeout, [&] { return requests_ >= n; });
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  static std::string response(int code, const std::string& reason, const std::string& content_type,
                              const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "Connection: close\r\n\r\n" +
           body;
  }

 private:
  void set(Mode m, std::string canned) {
    {
      std::lock_guard lock(m_);
      mode_ = m;
      canned_ = std::move(canned);
    }
    changed_.notify_all();  // a held slow reply goes out at once
  }

  static bool read_request(int fd, std::string& req) {
    char buf[65536];
    size_t header_end = std::string::npos;
    while (header_end == std::string::npos) {
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      req.append(buf, static_cast<size_t>(n));
      header_end = req.find("\r\n\r\n");
    }
    size_t length = 0;
    std::string lower = req.substr(0, header_end);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto p = lower.find("content-length:"); p != std::string::npos) length = std::stoul(lower.substr(p + 15));
    while (req.size() < header_end + 4 + length) {
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      req.append(buf, static_cast<size_t>(n));
    }
    return true;
  }

  std::string forward(std::string req, std::size_t rate = 0) {
    // Ask the hub to close after replying, so reading to EOF gets all of it.
    const auto eol = req.find("\r\n");
    req.insert(eol + 2, "Connection: close\r\n");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(upstream_));
    std::string resp;
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      if (rate == 0) {
        send(fd, req.data(), req.size(), MSG_NOSIGNAL);
      } else {
        // The line's pace: a tenth of a second's bytes, then the next tenth.
        const size_t step = std::max<size_t>(1, rate / 10);
        auto next = std::chrono::steady_clock::now();
        for (size_t at = 0; at < req.size(); at += step) {
          if (send(fd, req.data() + at, std::min(step, req.size() - at), MSG_NOSIGNAL) < 0) break;
          next += std::chrono::milliseconds(100);
          std::this_thread::sleep_until(next);
        }
      }
      char buf[65536];
      for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) resp.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return resp;
  }

  void loop() {
    while (!stop_) {
      const int c = accept(listen_fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string req;
      if (read_request(c, req)) {
        Mode mode;
        std::string canned;
        {
          std::lock_guard lock(m_);
          ++requests_;
          mode = mode_;
          canned = canned_;
        }
        changed_.notify_all();
        if (mode == Mode::Canned) {
          send(c, canned.data(), canned.size(), MSG_NOSIGNAL);
        } else {
          const std::string resp = forward(req, mode == Mode::SlowLine ? rate_.load() : 0);  // the hub commits here
          if (mode == Mode::SlowReply) {
            // The fault itself: hold the reply for the delay, unless the
            // test changes the mode or the proxy stops first.
            std::unique_lock lock(m_);
            changed_.wait_for(lock, std::chrono::seconds(delay_.load()),
                              [&] { return stop_ || mode_ != Mode::SlowReply; });
            lock.unlock();
            send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
          } else if (mode == Mode::Pass || mode == Mode::SlowLine) {
            send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
          }
          // DropAfterCommit: say nothing at all.
        }
      }
      shutdown(c, SHUT_RDWR);
      close(c);
    }
  }

  int upstream_;
  int listen_fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  int requests_ = 0;  // guarded by m_
  std::atomic<int> delay_{0};
  std::atomic<std::size_t> rate_{0};
  mutable std::mutex m_;
  mutable std::condition_variable changed_;  // a request arrived, the mode changed, or the proxy stops
  Mode mode_ = Mode::Pass;
  std::string canned_;
  std::thread thread_;
};

}  // namespace test
