// Who answered against who lives in the area: for each benchmarked question
// (kiosk/population.hpp), each group's share of the respondents who answered
// within the benchmark's base, with a 95% Wilson interval, beside the
// population's share, their ratio and a plain verdict; overall, per service
// point and per week, so staff can act while the consultation runs.
//
// Each question compares several groups at once, and with 17 ethnic groups
// one would fall outside an ordinary 95% interval by chance alone about half
// the time. So the intervals are simultaneous for the question (Bonferroni:
// each group's interval at 1 - 0.05/k for k groups), and a verdict of under-
// or over-represented has at most a 5% chance, per question, of being a
// fluke of who happened to answer.
//
// Only completed responses count. Respondents who did not answer the
// question, and those who chose an option outside the base (under 18 in an
// adult base), are counted apart and never compared.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "kiosk/population.hpp"

namespace kiosk {

struct Interval {
  double low = 0, high = 0;
};
// The Wilson score interval for k of n (z = 1.96: 95%); [0, 1] when n is 0.
Interval wilson_interval(std::int64_t k, std::int64_t n, double z = 1.96);
// The z of a two-sided interval that holds with probability 1 - alpha
// (alpha 0.05: 1.96).
double z_for(double alpha);
// How many more respondents from a group now k of n would bring its share to
// p: the smallest x with (k + x) / (n + x) >= p; 0 when it is there already.
std::int64_t responses_to_reach(std::int64_t k, std::int64_t n, double p);

enum class Verdict {
  Under,   // the whole interval lies below the population's share
  InLine,  // the interval holds it
  Over,    // the whole interval lies above it
  NoData,  // nobody in the base answered
};
const char* verdict_words(Verdict v);  // "under-represented", "in line", ...

struct GroupFigures {
  std::string code;
  std::int64_t respondents = 0;
  double share = 0;  // of those in the base who answered
  Interval ci;       // 95% for the question's groups together (see above)
  double population = 0;
  double ratio = 0;  // share / population (0 when the population share is 0)
  Verdict verdict = Verdict::NoData;
  std::int64_t to_close = 0;  // when under-represented: responses from this group that would close the gap
};

struct QuestionFigures {
  const Benchmark* benchmark = nullptr;
  std::int64_t in_base = 0, outside_base = 0, not_answered = 0;
  std::vector<GroupFigures> groups;  // the benchmark's, in the question's option order
};

// One slice of the responses: all of them, one service point's, one week's.
struct RepresentativenessSlice {
  enum class Kind { All, ServicePoint, Week } kind = Kind::All;
  std::string key;  // the service point's id, or the week's Monday (YYYY-MM-DD); empty for All
  std::int64_t responses = 0;
  std::vector<QuestionFigures> questions;  // in the population's (the survey's) order
};

// Counts per question and option ("": did not answer) for one slice of the responses.
using ChoiceCounts = std::map<std::string, std::map<std::string, std::int64_t>>;

// Counts completed responses as they are read, then gives the figures.
class RepresentativenessTally {
 public:
  explicit RepresentativenessTally(const Population& pop);
  RepresentativenessTally(const RepresentativenessTally&) = delete;  // it points into its own maps
  RepresentativenessTally& operator=(const RepresentativenessTally&) = delete;
  // One completed response: where, when it started ("2016-06-13T10:02:00Z")
  // and, per question, the option chosen.
  void add(const std::string& service_point, const std::string& started_utc,
           const std::map<std::string, std::string>& choice);
  // The same, each benchmark's option given as its number here (in the
  // population's order of benchmarks; code_number), so that a response
  // costs no look-up of codes.
  void add(const std::string& service_point, const std::string& started_utc, std::span<const size_t> numbers);
  // A code's number for benchmark b (0: not answered, the empty code).
  size_t code_number(size_t b, const std::string& code);
  // All, then each service point (by id), then each week (in order).
  std::vector<RepresentativenessSlice> slices() const;

 private:
  struct Slice {
    std::int64_t responses = 0;
    std::vector<std::vector<std::int64_t>> counts;  // per benchmark, per code number
  };
  void count(Slice& s, std::span<const size_t> numbers);
  ChoiceCounts counts_of(const Slice& s) const;
  const Population& pop_;
  std::vector<std::vector<std::string>> codes_;  // per benchmark: the codes by number ("" first)
  Slice all_;
  std::map<std::string, Slice> by_service_point_, by_week_;
  // The slices of the last response: the next one is most often from the same place and day.
  std::string last_place_, last_day_;
  Slice *place_ = nullptr, *week_ = nullptr;
  std::vector<size_t> numbers_;
};

// The figures of one slice, from counts made wherever (the hub's tallies, say).
RepresentativenessSlice slice_figures(const Population& pop, RepresentativenessSlice::Kind kind, const std::string& key,
                                      std::int64_t responses, const ChoiceCounts& counts);

// The Monday (UTC) of the week a time falls in, as YYYY-MM-DD; empty when
// the time cannot be read.
std::string week_of(const std::string& utc);

}  // namespace kiosk
