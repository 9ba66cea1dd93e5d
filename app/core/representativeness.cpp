#include "kiosk/representativeness.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace kiosk {

Interval wilson_interval(std::int64_t k, std::int64_t n, double z) {
  if (n <= 0) return {0, 1};
  const double nn = static_cast<double>(n), p = static_cast<double>(k) / nn, z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double z_for(double alpha) {
  // erfc(z / sqrt 2) is the two-sided tail: bisect for the z that leaves alpha.
  double lo = 0, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (std::erfc(mid / std::sqrt(2.0)) > alpha ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

std::int64_t responses_to_reach(std::int64_t k, std::int64_t n, double p) {
  if (p >= 1 || n <= 0 || static_cast<double>(k) >= p * static_cast<double>(n)) return 0;
  const double x = (p * static_cast<double>(n) - static_cast<double>(k)) / (1 - p);
  auto r = static_cast<std::int64_t>(std::ceil(x - 1e-9));
  while (r > 0 && static_cast<double>(k + r - 1) >= p * static_cast<double>(n + r - 1)) --r;  // the smallest
  return r;
}

const char* verdict_words(Verdict v) {
  switch (v) {
    case Verdict::Under: return "under-represented";
    case Verdict::InLine: return "in line";
    case Verdict::Over: return "over-represented";
    case Verdict::NoData: return "no answers yet";
  }
  return "";
}

std::string week_of(const std::string& utc) {
  std::tm tm{};
  if (utc.size() < 10 || std::sscanf(utc.c_str(), "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) return {};
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_hour = 12;
  const std::time_t t = timegm(&tm);
  std::tm day{};
  gmtime_r(&t, &day);
  const int back = (day.tm_wday + 6) % 7;  // days since Monday
  const std::time_t monday = t - static_cast<std::time_t>(back) * 86400;
  gmtime_r(&monday, &day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", day.tm_year + 1900, day.tm_mon + 1, day.tm_mday);
  return buf;
}

RepresentativenessTally::RepresentativenessTally(const Population& pop)
    : pop_(pop), codes_(pop.benchmarks.size(), std::vector<std::string>(1)) {}

size_t RepresentativenessTally::code_number(size_t b, const std::string& code) {
  auto& codes = codes_.at(b);
  const auto it = std::find(codes.begin(), codes.end(), code);
  if (it != codes.end()) return static_cast<size_t>(it - codes.begin());
  codes.push_back(code);
  return codes.size() - 1;
}

void RepresentativenessTally::add(const std::string& service_point, const std::string& started_utc,
                                  const std::map<std::string, std::string>& choice) {
  numbers_.resize(pop_.benchmarks.size());
  for (size_t b = 0; b < pop_.benchmarks.size(); ++b) {
    auto it = choice.find(pop_.benchmarks[b].question);
    numbers_[b] = it == choice.end() ? 0 : code_number(b, it->second);
  }
  add(service_point, started_utc, numbers_);
}

void RepresentativenessTally::count(Slice& s, std::span<const size_t> numbers) {
  ++s.responses;
  if (s.counts.size() < codes_.size()) s.counts.resize(codes_.size());
  for (size_t b = 0; b < codes_.size() && b < numbers.size(); ++b) {
    auto& c = s.counts[b];
    if (c.size() <= numbers[b]) c.resize(codes_[b].size(), 0);
    ++c[numbers[b]];
  }
}

void RepresentativenessTally::add(const std::string& service_point, const std::string& started_utc,
                                  std::span<const size_t> numbers) {
  count(all_, numbers);
  if (!place_ || service_point != last_place_) {
    place_ = &by_service_point_[service_point];
    last_place_ = service_point;
  }
  count(*place_, numbers);
  const std::string_view day = std::string_view(started_utc).substr(0, 10);
  if (day != last_day_) {
    const std::string w = week_of(started_utc);
    week_ = w.empty() ? nullptr : &by_week_[w];
    last_day_.assign(day);
  }
  if (week_) count(*week_, numbers);
}

ChoiceCounts RepresentativenessTally::counts_of(const Slice& s) const {
  ChoiceCounts out;
  for (size_t b = 0; b < s.counts.size(); ++b)
    for (size_t i = 0; i < s.counts[b].size(); ++i)
      if (s.counts[b][i] > 0) out[pop_.benchmarks[b].question][codes_[b][i]] = s.counts[b][i];
  return out;
}

RepresentativenessSlice slice_figures(const Population& pop, RepresentativenessSlice::Kind kind, const std::string& key,
                                      std::int64_t responses, const ChoiceCounts& counts) {
  RepresentativenessSlice out{kind, key, responses, {}};
  for (const auto& b : pop.benchmarks) {
    QuestionFigures q;
    q.benchmark = &b;
    const auto found = counts.find(b.question);
    const std::map<std::string, std::int64_t> none;
    const auto& c = found == counts.end() ? none : found->second;
    for (const auto& [code, n] : c) {
      if (code.empty())
        q.not_answered += n;
      else if (b.share(code) < 0)
        q.outside_base += n;
      else
        q.in_base += n;
    }
    const double z = z_for(0.05 / static_cast<double>(std::max<std::size_t>(1, b.shares.size())));
    for (const auto& ps : b.shares) {
      GroupFigures g;
      g.code = ps.code;
      auto it = c.find(ps.code);
      g.respondents = it == c.end() ? 0 : it->second;
      g.population = ps.share;
      if (q.in_base > 0) {
        g.share = static_cast<double>(g.respondents) / static_cast<double>(q.in_base);
        g.ci = wilson_interval(g.respondents, q.in_base, z);
        g.ratio = ps.share > 0 ? g.share / ps.share : 0;
        g.verdict = g.ci.high < ps.share ? Verdict::Under : g.ci.low > ps.share ? Verdict::Over : Verdict::InLine;
        if (g.verdict == Verdict::Under) g.to_close = responses_to_reach(g.respondents, q.in_base, ps.share);
      }
      q.groups.push_back(g);
    }
    out.questions.push_back(std::move(q));
  }
  return out;
}

std::vector<RepresentativenessSlice> RepresentativenessTally::slices() const {
  std::vector<RepresentativenessSlice> out;
  using K = RepresentativenessSlice::Kind;
  out.push_back(slice_figures(pop_, K::All, "", all_.responses, counts_of(all_)));
  for (const auto& [sp, s] : by_service_point_)
    out.push_back(slice_figures(pop_, K::ServicePoint, sp, s.responses, counts_of(s)));
  for (const auto& [w, s] : by_week_) out.push_back(slice_figures(pop_, K::Week, w, s.responses, counts_of(s)));
  return out;
}

}  // namespace kiosk
