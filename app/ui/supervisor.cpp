#include "supervisor.hpp"

#include <systemd/sd-daemon.h>

namespace kiosk::ui {

Supervisor::Supervisor() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
    interval_ = std::chrono::microseconds(static_cast<std::int64_t>(usec));
}

void Supervisor::ready(const std::string& status) {
  const std::string msg = "READY=1\nSTATUS=" + status;
  sd_notify(0, msg.c_str());
}

void Supervisor::alive(std::chrono::steady_clock::time_point now) {
  if (!interval_) return;
  if (last_ping_ != std::chrono::steady_clock::time_point{} && now - last_ping_ < *interval_ / 4) return;
  last_ping_ = now;
  sd_notify(0, "WATCHDOG=1");
}

std::optional<std::chrono::steady_clock::time_point> Supervisor::next_ping() const {
  if (!interval_) return std::nullopt;
  return last_ping_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(*interval_ / 4);
}

void Supervisor::stopping(const std::string& status) {
  const std::string msg = "STOPPING=1\nSTATUS=" + status;
  sd_notify(0, msg.c_str());
}

}  // namespace kiosk::ui
