// A service point's opening hours, as staff write them in
// service-points.toml and visitors read them on the kiosk:
//   "Monday 9:30 to 17:00"
//   "Tuesday to Friday 9:00 to 13:00 and 14:00 to 17:00"
//   "Sunday closed"
// The kiosk sleeps outside them; the hub uses them to judge a silent kiosk.
// Days not named are closed. Times are the kiosk's local time.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk {

class OpeningHours {
 public:
  // Minutes from Monday 00:00, each [open, close).
  using Interval = std::pair<int, int>;
  OpeningHours() = default;
  explicit OpeningHours(std::vector<Interval> weekly) : weekly_(std::move(weekly)) {}

  // No hours given: always open (the kiosk never sleeps).
  bool always_open() const { return weekly_.empty(); }
  bool open_at(int minute_of_week) const;
  // Minutes from `minute_of_week` to the next opening (0 if open now); none if never open.
  std::optional<int> minutes_to_opening(int minute_of_week) const;
  const std::vector<Interval>& intervals() const { return weekly_; }

 private:
  std::vector<Interval> weekly_;
};

// Each line as above; an error names the line and what is wrong with it.
Result<OpeningHours> parse_opening_hours(const std::vector<std::string>& lines);

// Monday 00:00 = 0, in the machine's local time zone.
int local_minute_of_week(std::chrono::system_clock::time_point t);

}  // namespace kiosk
