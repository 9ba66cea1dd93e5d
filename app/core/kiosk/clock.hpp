// Time comes in through a small interface so tests can drive a whole session
// (idle warnings, timestamps) with a fake clock (architecture principle 9).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace kiosk {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps stored with responses.
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time, for timeouts; never jumps when the wall clock is set.
  virtual std::chrono::steady_clock::time_point steady() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steady() const override { return std::chrono::steady_clock::now(); }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start =
                         std::chrono::system_clock::time_point{
                             std::chrono::seconds{1456819200}})  // 2016-03-01T08:00:00Z
      : wall_(start) {}
  std::chrono::system_clock::time_point now() const override { return wall_; }
  std::chrono::steady_clock::time_point steady() const override { return steady_; }
  void advance(std::chrono::milliseconds d) {
    wall_ += d;
    steady_ += d;
  }

 private:
  std::chrono::system_clock::time_point wall_;
  std::chrono::steady_clock::time_point steady_{};
};

// "2016-03-01T08:00:00Z": seconds precision, always UTC.
std::string format_utc(std::chrono::system_clock::time_point t);

}  // namespace kiosk
