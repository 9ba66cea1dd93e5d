// The real `kiosk` binary under a supervisor, played by this test the way
// systemd does it (sd_notify(3)): a datagram socket in $NOTIFY_SOCKET,
// WATCHDOG_USEC and WATCHDOG_PID in the environment. The kiosk must say
// READY=1 once its first frame is up, keep pinging the watchdog while it
// sits idle on the home screen, and end cleanly on SIGTERM and SIGINT in
// full screen (where no key or window close can end it), saying STOPPING=1,
// exiting 0, and logging why.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "fake_systemd.hpp"

namespace {
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string write_config(const test::TempDir& tmp) {
  const std::string cfg = tmp.file("kiosk.toml");
  test::write_seal_keys(tmp.file("council.pub"));
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
  test::FakeSystemd sd(tmp);
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
  test::FakeSystemd sd(tmp);
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
