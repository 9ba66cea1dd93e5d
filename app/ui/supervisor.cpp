#include "supervisor.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>

namespace kiosk::ui {

namespace {

// The watchdog's interval if it is meant for this process. In the kiosk
// session the service's main process is cage, which starts the kiosk: systemd
// then names cage in WATCHDOG_PID, and the kiosk, cage's child, is the one
// whose loop is worth watching (NotifyAccess=all lets it answer).
std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) return std::chrono::microseconds(static_cast<std::int64_t>(usec));
  const char* pid = std::getenv("WATCHDOG_PID");
  const char* interval = std::getenv("WATCHDOG_USEC");
  if (!pid || !interval) return std::nullopt;
  char* end = nullptr;
  const long long parent = std::strtoll(pid, &end, 10);
  if (*end != '\0' || parent != static_cast<long long>(getppid())) return std::nullopt;
  const unsigned long long u = std::strtoull(interval, &end, 10);
  if (*end != '\0' || u == 0) return std::nullopt;
  return std::chrono::microseconds(static_cast<std::int64_t>(u));
}

}  // namespace

Supervisor::Supervisor() : interval_(watchdog_interval()) {}

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
