#include "kiosk/opening_hours.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <sstream>

namespace kiosk {
namespace {

constexpr int kWeek = 7 * 24 * 60;
constexpr std::array<const char*, 7> kDays = {"monday", "tuesday",  "wednesday", "thursday",
                                              "friday", "saturday", "sunday"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<int> day_index(const std::string& word) {
  const std::string w = lower(word);
  for (size_t i = 0; i < kDays.size(); ++i) {
    const std::string d = kDays[i];
    if (w == d || (w.size() == 3 && d.compare(0, 3, w) == 0)) return static_cast<int>(i);
  }
  return std::nullopt;
}

// "9:30", "09:30", "17:00", "24:00" -> minutes from midnight.
std::optional<int> clock_time(const std::string& s) {
  int h = 0, m = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &tail) != 2) return std::nullopt;
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

}  // namespace

bool OpeningHours::open_at(int minute) const {
  minute = ((minute % kWeek) + kWeek) % kWeek;
  return std::any_of(weekly_.begin(), weekly_.end(),
                     [&](const Interval& i) { return minute >= i.first && minute < i.second; });
}

std::optional<int> OpeningHours::minutes_to_opening(int minute) const {
  if (weekly_.empty() || open_at(minute)) return 0;
  minute = ((minute % kWeek) + kWeek) % kWeek;
  std::optional<int> best;
  for (const auto& [open, close] : weekly_) {
    const int wait = ((open - minute) % kWeek + kWeek) % kWeek;
    if (!best || wait < *best) best = wait;
  }
  return best;
}

Result<OpeningHours> parse_opening_hours(const std::vector<std::string>& lines) {
  std::vector<OpeningHours::Interval> weekly;
  for (const auto& line : lines) {
    auto bad = [&](const std::string& why) {
      return make_error(ErrorKind::Config, "opening hours \"" + line + "\": " + why +
                                               " (write them like \"Monday 9:30 to 17:00\", \"Tuesday to Friday "
                                               "9:00 to 17:00\" or \"Sunday closed\")");
    };
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string t; in >> t;) w.push_back(t);
    if (w.empty()) return bad("the line is empty");
    size_t i = 0;
    const auto first = day_index(w[i++]);
    if (!first) return bad("\"" + w[0] + "\" is not a day of the week");
    int last = *first;
    if (i + 1 < w.size() && lower(w[i]) == "to" && day_index(w[i + 1])) {
      last = *day_index(w[i + 1]);
      i += 2;
    }
    if (i < w.size() && lower(w[i]) == "closed" && i + 1 == w.size()) continue;
    std::vector<OpeningHours::Interval> day;
    while (i < w.size()) {
      if (i + 3 > w.size() || lower(w[i + 1]) != "to") return bad("expected a time, \"to\" and a time");
      const auto open = clock_time(w[i]), close = clock_time(w[i + 2]);
      if (!open) return bad("\"" + w[i] + "\" is not a time such as 9:30");
      if (!close) return bad("\"" + w[i + 2] + "\" is not a time such as 17:00");
      if (*close <= *open) return bad(w[i] + " to " + w[i + 2] + " closes before it opens");
      day.emplace_back(*open, *close);
      i += 3;
      if (i < w.size()) {
        if (lower(w[i]) != "and") return bad("expected \"and\" before another pair of times, not \"" + w[i] + "\"");
        if (++i == w.size()) return bad("\"and\" is not followed by times");
      }
    }
    if (day.empty()) return bad("no times given (or \"closed\")");
    for (int d = *first;; d = (d + 1) % 7) {
      for (const auto& [o, c] : day) weekly.emplace_back(d * 1440 + o, d * 1440 + c);
      if (d == last) break;
    }
  }
  return OpeningHours(std::move(weekly));
}

int local_minute_of_week(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  const int day = (tm.tm_wday + 6) % 7;  // tm: Sunday = 0
  return day * 1440 + tm.tm_hour * 60 + tm.tm_min;
}

}  // namespace kiosk
