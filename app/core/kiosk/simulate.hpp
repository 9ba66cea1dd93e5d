// Realistic random responses that follow the survey's skip rules (they are
// produced by walking the real session engine), for rehearsals, demos,
// end-to-end tests and benchmarks. An analyst rehearsing with them sees what
// a consultation at one kiosk would give: its own service point, visits in
// the consultation's weeks and the service point's opening hours, the
// population's mix of respondents (from the deployment's population file)
// with a chosen skew, some visits left part way, staff who exist, comments
// in the survey's languages.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kiosk/opening_hours.hpp"
#include "kiosk/population.hpp"
#include "kiosk/store.hpp"
#include "kiosk/survey.hpp"

namespace kiosk {

struct SimulateOptions {
  std::int64_t responses = 100;
  std::uint64_t seed = 1;
  std::string kiosk_id = "sim-kiosk";
  std::vector<std::string> service_points = {"sim"};
  // Visits start in [start_unix, end_unix), and within `hours` (the service
  // point's, in local time) when it has any. Default: Bury's first public
  // consultation, 13 June to 5 September 2016.
  std::int64_t start_unix = 1465776000;  // 2016-06-13T00:00:00Z
  std::int64_t end_unix = 1473120000;    // 2016-09-06T00:00:00Z
  OpeningHours hours;
  // Benchmarked questions are answered in the population's shares, each
  // option's share times its skew factor ("q20.65_plus" = 0.5: half as many
  // people aged 65+ answer as live there); options outside a benchmark's
  // base take 2% between them. Without a population, options are spread evenly.
  const Population* population = nullptr;
  std::map<std::string, double> skew;  // "QUESTION.CODE" -> factor
  std::vector<std::string> staff_ids = {"staff-01"};
  double abandoned_share = 0;  // visits left part way, kept as abandoned (kiosk-admin simulate: 0.07)
};

// Parses a skew as given on the command line: "q20.65_plus=0.5,q22.asian_pakistani=0.5",
// checked against the population's benchmarks.
Result<std::map<std::string, double>> parse_skew(const std::string& text, const Population& pop);

// Produces one response (completed, or abandoned: meta.status); deterministic
// for a given seed and index.
CompletedResponse simulate_one(const Survey& survey, const SimulateOptions& opt, std::uint64_t index);
// Writes `responses` of them in batches; returns the number written (and,
// when asked, how many of them were abandoned).
Result<std::int64_t> simulate_into(Store& store, const Survey& survey, const SimulateOptions& opt,
                                   std::int64_t* abandoned = nullptr);

}  // namespace kiosk
