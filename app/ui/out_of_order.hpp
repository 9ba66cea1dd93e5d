// The out-of-order screen: when the kiosk cannot start its survey (a broken
// or missing survey file, an unreadable configuration, a database that
// cannot be opened, a full disk), a visitor sees a calm full-screen notice
// instead of a dead or flickering screen, staff read the reason behind the
// admin PIN, and the kiosk tries again on its own: every minute, and at once
// when a file it needs changes (inotify on their folders, since editors
// replace files rather than write them in place).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "host.hpp"
#include "kiosk/catalogue.hpp"
#include "kiosk/config.hpp"

namespace kiosk::ui {

struct OutOfOrderOptions {
  std::string reason;          // for staff, behind the PIN; also the supervisor's status
  std::string admin_pin_hash;  // empty when the configuration itself is unreadable: no reason shown then
  int pin_attempts = 5;
  std::chrono::seconds pin_lockout{300};
  std::vector<std::string> watch;  // files whose change means "try again now"
  std::chrono::milliseconds retry{std::chrono::minutes(1)};
  std::uint32_t stop_event = 0;  // as AppOptions::stop_event
  // Its words: the configuration's catalogue and language when they can be
  // read, else the English built into the program.
  Catalogue catalogue = Catalogue::builtin();
  std::string locale = "en";
  KioskConfig::Deployment deployment;
};

enum class OutOfOrderEnd { Retry, Stop };

// Shows the screen on `host` (opened) until it is time to try again, or a stop signal.
OutOfOrderEnd show_out_of_order(Host& host, const OutOfOrderOptions& opt);

}  // namespace kiosk::ui
