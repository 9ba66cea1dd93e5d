// PinPolicy: how many wrong staff PINs are allowed before sign-in locks, and
// for how long. Time comes from the injected Clock, so tests step through a
// lock-out without waiting.
#pragma once

#include <chrono>

#include "kiosk/clock.hpp"

namespace kiosk {

class PinPolicy {
 public:
  // max_attempts wrong PINs in a row lock entry for `lockout`.
  PinPolicy(const Clock& clock, int max_attempts, std::chrono::seconds lockout);

  // False while locked: a PIN must not even be checked then.
  bool allows_attempt() const { return !locked(); }
  bool locked() const;
  // Wrong PINs still allowed before the next one locks entry.
  int attempts_left() const { return max_attempts_ - failures_; }
  // When the current (or last) lock ends; a default time point if none was set.
  std::chrono::steady_clock::time_point locked_until() const { return locked_until_; }
  std::chrono::seconds lockout() const { return lockout_; }

  // A wrong PIN. Returns true if it locked entry; the count starts again after.
  bool record_failure();
  // A right PIN: the count of wrong ones starts again.
  void record_success() { failures_ = 0; }

 private:
  const Clock& clock_;
  int max_attempts_;
  std::chrono::seconds lockout_;
  int failures_ = 0;
  std::chrono::steady_clock::time_point locked_until_{};
};

}  // namespace kiosk
