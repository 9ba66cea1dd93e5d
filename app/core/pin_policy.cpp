#include "kiosk/pin_policy.hpp"

#include <algorithm>

namespace kiosk {

PinPolicy::PinPolicy(const Clock& clock, int max_attempts, std::chrono::seconds lockout)
    : clock_(clock), max_attempts_(std::max(1, max_attempts)), lockout_(lockout) {}

bool PinPolicy::locked() const { return clock_.steady() < locked_until_; }

bool PinPolicy::record_failure() {
  if (locked()) return true;  // not counted: it was never checked
  if (++failures_ < max_attempts_) return false;
  failures_ = 0;
  locked_until_ = clock_.steady() + lockout_;
  return true;
}

}  // namespace kiosk
