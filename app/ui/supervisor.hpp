// Talking to what supervises the kiosk (systemd, through sd_notify): "ready"
// once the first frame is on the screen, "alive" from the loop so a stalled
// loop gets the kiosk restarted (WatchdogSec= in the unit), "stopping" on
// the way out. Without a supervisor ($NOTIFY_SOCKET unset) each call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace kiosk::ui {

class Supervisor {
 public:
  Supervisor();
  void ready(const std::string& status);
  // Called each turn of the loop; pings the watchdog at a quarter of its interval.
  void alive(std::chrono::steady_clock::time_point now);
  // When the loop must turn next so the watchdog hears from it, if there is one.
  std::optional<std::chrono::steady_clock::time_point> next_ping() const;
  void stopping(const std::string& status);

 private:
  std::optional<std::chrono::microseconds> interval_;
  std::chrono::steady_clock::time_point last_ping_{};
};

}  // namespace kiosk::ui
