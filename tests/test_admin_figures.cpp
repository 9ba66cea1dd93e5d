// The admin area's "who answered here" from the hub's figures: a real hub
// with Bury's population, responses from the kiosk's service point synced
// to it (65+ at a third of their share), and the kiosk's own sync thread
// fetching the figures for staff, as of the last sync, never counted on
// the kiosk's disk.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "hub_fixture.hpp"
#include "ui_harness.hpp"

using namespace kiosk;
using namespace kiosk::ui;
using test::UiRig;

TEST_CASE("the admin area shows who answered at its service point, from the hub's figures at the last sync",
          "[ui][admin][hub]") {
  test::TempDir htmp;
  test::HubProcess hub(test::hub_database(htmp), test::bury_survey(), htmp.file("hub.log"));
  const std::string sim_token = hub.add("add-device", "bury-castle-01");
  const std::string kiosk_token = hub.add("add-device", "test-kiosk");
  hub.extra_args = {"--population", test::source_path("kiosk-config/population/bury.toml")};
  hub.start();
  // 300 responses at castle, 65+ at a third of their share, synced by another kiosk there.
  test::write_seal_keys(htmp.file("council.pub"));
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string opts =
      " --config " + test::kiosk_toml() + " --db " + htmp.file("sim.db") + " --public-key " + htmp.file("council.pub");
  auto sim =
      test::run(admin + "simulate --responses 300 --seed 4 --skew q20.65_plus=0.33 --service-point castle" + opts);
  INFO(sim.err);
  REQUIRE(sim.exit_code == 0);
  auto up = test::run(admin + "sync --once --hub " + hub.url() + " --token " + sim_token + opts);
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);

  UiRig r(1280, 800, "\n[sync]\nhub_url = \"" + hub.url() + "\"\ntoken = \"" + kiosk_token + "\"\n");
  r.app->apply(intent::OpenPin{});
  r.settle();
  for (char c : std::string("9999")) r.tap_id(std::string("pin.key.") + c);
  r.tap_id("pin.key.OK");
  // The sync thread pulls the survey and the figures at its first pass.
  for (int i = 0; i < 600 && r.find_id("admin.figures.h") == nullptr; ++i) r.wait_for_background();
  if (r.find_id("admin.figures.h") == nullptr) {  // what the admin area says instead
    std::string shown;
    for (const auto& it : r.app->tree().items())
      if (it.id.rfind("admin.", 0) == 0) shown += it.id + ": " + it.label + "\n";
    FAIL("no figures from the hub; the admin area shows:\n" << shown);
  }
  CHECK_THAT(r.find_id("admin.figures.h")->label, Catch::Contains("Bury Metropolitan Borough"));
  REQUIRE(r.find_id("admin.figures.asof") != nullptr);
  CHECK_THAT(r.find_id("admin.figures.asof")->label, Catch::Contains("300 completed responses") ||
                                                         Catch::Contains("completed responses at this service point"));
  const auto* old = r.find_id("admin.figures.under.q20.65_plus");
  REQUIRE(old != nullptr);
  CHECK_THAT(old->label, Catch::Contains("65+: ") && Catch::Contains("more responses from this group would close"));
  // In line groups are not listed: staff see only whom to reach.
  CHECK(r.find_id("admin.figures.under.q20.45_64") == nullptr);
  // KIOSK_TEST_SHOTS=DIR: the admin area as staff see it, to look at.
  if (const char* dir = std::getenv("KIOSK_TEST_SHOTS")) {
    r.bring_into_view("admin.figures.under.q20.65_plus");
    CHECK(r.shot(std::string(dir) + "/admin-figures.png"));
  }
  // Nothing of it is on the kiosk's disk.
  const std::string db = test::read_file(r.tmp.file("kiosk.db"));
  CHECK(db.find("under-represented") == std::string::npos);
  CHECK(db.find("65_plus") == std::string::npos);
}

// A line too slow for even one response before the hub gives up (300 bytes
// a second to a hub that cuts a request at 2 s): staff are told so in the
// admin area, nothing is lost, and once the line carries again the words go.
TEST_CASE("the admin area says when the line to the hub is too slow for one response, until it carries again",
          "[ui][admin][hub]") {
  test::TempDir htmp;
  test::HubProcess hub(test::hub_database(htmp), test::bury_survey(), htmp.file("hub.log"));
  const std::string token = hub.add("add-device", "test-kiosk");
  hub.extra_args = {"--request-timeout", "2"};
  hub.start();
  test::FaultProxy proxy(hub.port());
  proxy.slow_line(300);
  UiRig r(1280, 800,
          "\n[sync]\nhub_url = \"" + proxy.url() + "\"\ntoken = \"" + token +
              "\"\nbatch_size = 4\nstall_timeout_seconds = 60\n");
  // Six completed responses waiting on the kiosk's own database.
  auto sim =
      test::run(std::string(KIOSK_ADMIN_BIN) + " simulate --responses 6 --seed 9 --config " + r.tmp.file("kiosk.toml"));
  INFO(sim.err);
  REQUIRE(sim.exit_code == 0);
  r.app->apply(intent::OpenPin{});
  r.settle();
  for (char c : std::string("9999")) r.tap_id(std::string("pin.key.") + c);
  r.tap_id("pin.key.OK");
  auto wait_for = [&](const std::string& id, bool present) {
    for (int i = 0; i < 600 && r.find_id("admin.sync.now") == nullptr; ++i) r.wait_for_background();
    r.bring_into_view("admin.sync.now");
    r.tap_id("admin.sync.now");
    for (int i = 0; i < 600 && (r.find_id(id) != nullptr) != present; ++i) r.wait_for_background();
    std::string shown;
    for (const auto& it : r.app->tree().items())
      if (it.id.rfind("admin.sync", 0) == 0) shown += it.id + ": " + it.label + "\n";
    INFO("the admin area's sync section shows:\n" << shown);
    REQUIRE((r.find_id(id) != nullptr) == present);
  };
  wait_for("admin.sync.too_slow", true);
  CHECK_THAT(r.find_id("admin.sync.too_slow")->label, Catch::Contains("too slow to carry even one response"));
  REQUIRE(r.find_id("admin.sync.error") != nullptr);
  if (const char* dir = std::getenv("KIOSK_TEST_SHOTS")) {
    r.bring_into_view("admin.sync.too_slow");
    CHECK(r.shot(std::string(dir) + "/admin-line-too-slow.png"));
  }
  auto waiting = [&] { return r.find_id("admin.sync.counts")->label; };
  CHECK_THAT(waiting(), Catch::Contains("Waiting to sync: 6"));  // nothing lost
  // The line carries again: everything arrives (receipted), and the words go.
  proxy.pass();
  wait_for("admin.sync.too_slow", false);
  for (int i = 0; i < 600 && waiting().find("Waiting to sync: 0") == std::string::npos; ++i) r.wait_for_background();
  CHECK_THAT(waiting(), Catch::Contains("Waiting to sync: 0") && Catch::Contains("Synced: 6"));
  CHECK(r.find_id("admin.sync.error") == nullptr);
}
