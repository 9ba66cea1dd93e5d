#include <catch2/catch.hpp>

#include "kiosk/pin_policy.hpp"

using namespace std::chrono;

TEST_CASE("pin policy: counts attempts left and locks after the last", "[pin]") {
  kiosk::FakeClock clock;
  kiosk::PinPolicy p(clock, 5, seconds(300));
  CHECK(p.attempts_left() == 5);
  CHECK(p.allows_attempt());
  for (int i = 1; i <= 4; ++i) {
    CHECK_FALSE(p.record_failure());
    CHECK(p.attempts_left() == 5 - i);
    CHECK_FALSE(p.locked());
  }
  CHECK(p.record_failure());  // the fifth
  CHECK(p.locked());
  CHECK_FALSE(p.allows_attempt());
  CHECK(p.locked_until() == clock.steady() + seconds(300));
}

TEST_CASE("pin policy: refuses while locked and unlocks when the lock-out ends", "[pin]") {
  kiosk::FakeClock clock;
  kiosk::PinPolicy p(clock, 3, seconds(60));
  for (int i = 0; i < 3; ++i) (void)p.record_failure();
  REQUIRE(p.locked());
  clock.advance(seconds(59));
  CHECK(p.locked());
  CHECK_FALSE(p.allows_attempt());
  // A failure reported while locked neither counts nor extends the lock.
  const auto until = p.locked_until();
  CHECK(p.record_failure());
  CHECK(p.locked_until() == until);
  clock.advance(seconds(1));
  CHECK_FALSE(p.locked());
  CHECK(p.allows_attempt());
  CHECK(p.attempts_left() == 3);  // a fresh count after the lock-out
}

TEST_CASE("pin policy: a right PIN resets the count of wrong ones", "[pin]") {
  kiosk::FakeClock clock;
  kiosk::PinPolicy p(clock, 3, seconds(60));
  (void)p.record_failure();
  (void)p.record_failure();
  CHECK(p.attempts_left() == 1);
  p.record_success();
  CHECK(p.attempts_left() == 3);
  CHECK_FALSE(p.record_failure());
  CHECK_FALSE(p.locked());
}
