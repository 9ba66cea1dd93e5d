// systemd as the kiosk meets it (sd_notify(3)), played by a test: a datagram
// socket in $NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID in the
// environment, and the real `kiosk` binary started full screen on SDL's
// offscreen driver with its stderr in a file.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "support.hpp"

#ifndef KIOSK_BIN
#define KIOSK_BIN "kiosk"  // only start_program() then
#endif

namespace test {

class FakeSystemd {
  using steady = std::chrono::steady_clock;

 public:
  explicit FakeSystemd(const test::TempDir& tmp) : path_(tmp.file("notify.sock")) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof a.sun_path);
    path_.copy(a.sun_path, path_.size());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  }
  ~FakeSystemd() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(fd_);
  }

  // Starts the kiosk full screen (SDL's offscreen driver), its stderr to a file.
  // parent_is_main: WATCHDOG_PID names the kiosk's parent, as systemd does
  // when cage is the service's main process and the kiosk its child.
  void start(const std::string& config, const std::string& err_file, long watchdog_usec, bool parent_is_main = false) {
    start_program({KIOSK_BIN, "--config", config}, err_file, watchdog_usec, parent_is_main);
  }
  // Any program as a Type=notify service (argv[0] is its path).
  void start_program(const std::vector<std::string>& argv, const std::string& err_file, long watchdog_usec = 0,
                     bool parent_is_main = false) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(err, 2);
      setenv("NOTIFY_SOCKET", path_.c_str(), 1);
      if (watchdog_usec > 0) {
        setenv("WATCHDOG_USEC", std::to_string(watchdog_usec).c_str(), 1);
        setenv("WATCHDOG_PID", std::to_string(parent_is_main ? getppid() : getpid()).c_str(), 1);
      }
      setenv("SDL_VIDEODRIVER", "offscreen", 1);
      setenv("SDL_AUDIODRIVER", "dummy", 1);
      unsetenv("JOURNAL_STREAM");
#if defined(__SANITIZE_ADDRESS__)
      // LeakSanitizer cannot attribute what SDL's run-time loaded video and
      // audio drivers keep (they show as "<unknown module>"), as in the UI
      // tests (ui_harness.hpp); the kiosk's other errors still stop it.
      const char* asan = std::getenv("ASAN_OPTIONS");
      setenv("ASAN_OPTIONS", ((asan ? std::string(asan) + ":" : std::string()) + "detect_leaks=0").c_str(), 1);
#endif
      execv(args[0], args.data());
      _exit(127);
    }
  }

  // The next message within `within`, or "" if none came.
  std::string next(std::chrono::milliseconds within) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(within.count())) != 1) return {};
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  // Reads messages until one contains `what`; returns it, or "" at the deadline.
  std::string wait_for(const std::string& what, std::chrono::milliseconds within) {
    const auto end = steady::now() + within;
    while (steady::now() < end) {
      auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now()));
      if (m.find(what) != std::string::npos) return m;
    }
    return {};
  }
  // The exit status, waiting up to `within`; -1 if it is still running.
  int wait_exit(std::chrono::milliseconds within) {
    const auto end = steady::now() + within;
    while (steady::now() < end) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return status;
      }
      next(std::chrono::milliseconds(10));  // drains notifications while it winds down
    }
    return -1;
  }
  pid_t pid() const { return pid_; }

 private:
  std::string path_;
  int fd_ = -1;
  pid_t pid_ = -1;
};

}  // namespace test
