// The real `kiosk` binary under a supervisor, played by this test the way
// systemd does it (sd_notify(3)): a datagram socket in $NOTIFY_SOCKET,
// WATCHDOG_USEC and WATCHDOG_PID in the environment. The kiosk must say
// READY=1 once its first frame is up, keep pinging the watchdog while it
// sits idle on the home screen, and end cleanly on SIGTERM and SIGINT in
// full screen (where no key or window close can end it), saying STOPPING=1,
// exiting 0, and logging why.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "support.hpp"

#ifndef KIOSK_BIN
#error "KIOSK_BIN must be defined by CMake"
#endif

namespace {
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

class FakeSystemd {
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
      execl(KIOSK_BIN, KIOSK_BIN, "--config", config.c_str(), static_cast<char*>(nullptr));
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
      next(10ms);  // drains notifications while it winds down
    }
    return -1;
  }
  pid_t pid() const { return pid_; }

 private:
  std::string path_;
  int fd_ = -1;
  pid_t pid_ = -1;
};

std::string write_config(const test::TempDir& tmp) {
  const std::string cfg = tmp.file("kiosk.toml");
  test::write_file(cfg,
                   "[kiosk]\nid = \"service-test\"\nname = \"Service test\"\nservice_point = \"castle\"\n"
                   "survey = \"" +
                       test::bury_survey() + "\"\ndatabase = \"" + tmp.file("kiosk.db") + "\"\npages = \"" +
                       test::source_path("kiosk-config/pages") + "\"\nservice_points = \"" +
                       test::source_path("kiosk-config/service-points.toml") + "\"\n");
  return cfg;
}

}  // namespace

TEST_CASE("under a supervisor the kiosk says READY, pings the watchdog while idle, and stops cleanly on SIGTERM",
          "[service]") {
  const bool parent_is_main = GENERATE(false, true);
  INFO((parent_is_main ? "the watchdog names the kiosk's parent (cage)" : "the watchdog names the kiosk"));
  test::TempDir tmp;
  const std::string err = tmp.file("stderr.txt");
  FakeSystemd sd(tmp);
  sd.start(write_config(tmp), err, 400'000, parent_is_main);  // WatchdogSec=0.4: pings due every 100 ms

  const std::string ready = sd.wait_for("READY=1", 20s);
  INFO("stderr: " << test::read_file(err));
  REQUIRE_FALSE(ready.empty());

  // Idle on the home screen, the loop would otherwise sleep until an event:
  // it must still ping within the interval, or systemd would restart it.
  std::vector<steady::time_point> pings;
  const auto end = steady::now() + 1500ms;
  while (steady::now() < end) {
    const auto m = sd.next(std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now()));
    if (m.find("WATCHDOG=1") != std::string::npos) pings.push_back(steady::now());
  }
  REQUIRE(pings.size() >= 5);
  for (size_t i = 1; i < pings.size(); ++i) CHECK(pings[i] - pings[i - 1] < 400ms);

  REQUIRE(kill(sd.pid(), SIGTERM) == 0);
  CHECK_FALSE(sd.wait_for("STOPPING=1", 5s).empty());
  const int status = sd.wait_exit(5s);
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const std::string log = test::read_file(err);
  CHECK(log.find("kiosk: [service-test] started: survey bury_libraries_2016") != std::string::npos);
  CHECK(log.find("kiosk: [service-test] stopping on SIGTERM") != std::string::npos);
}

TEST_CASE("SIGINT ends the full-screen kiosk cleanly too", "[service]") {
  test::TempDir tmp;
  const std::string err = tmp.file("stderr.txt");
  FakeSystemd sd(tmp);
  sd.start(write_config(tmp), err, 0);
  REQUIRE_FALSE(sd.wait_for("READY=1", 20s).empty());
  REQUIRE(kill(sd.pid(), SIGINT) == 0);
  const int status = sd.wait_exit(5s);
  INFO("stderr: " << test::read_file(err));
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(test::read_file(err).find("stopping on SIGINT") != std::string::npos);
}
