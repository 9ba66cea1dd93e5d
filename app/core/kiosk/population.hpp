// Population benchmarks: who lives in the area, for the questions of the
// survey that describe respondents (age, sex, ethnic group, disability,
// caring). One file per deployment (kiosk-config/population/bury.toml);
// representativeness, weighting and the simulator read it.
//
//   format = 1
//   area = "Bury (ONS E08000002)"
//   survey = "bury_libraries_2016"
//   weight_by = ["q20", "q19"]          # the margins weights are raked to
//   [[benchmark]]
//   question = "q20"                    # a single-choice question of the survey
//   name = "Age"
//   base = "residents aged 18 and over"
//   source = "ONS mid-2016 population estimates"
//   table = "SAPE19DT8"
//   year = 2016
//   outside_base = ["under_18"]         # options the base does not cover
//   counts = { "18_29" = 26318, ... }   # or shares = { ... } summing to 1
//
// Every option of the question is either given a figure or listed in
// outside_base; respondents who chose an option outside the base, or did not
// answer, are shown apart and never compared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/result.hpp"
#include "kiosk/survey.hpp"

namespace kiosk {

struct PopulationShare {
  std::string code;         // the option's code
  double share = 0;         // of the base, the shares of a benchmark summing to 1
  std::int64_t count = -1;  // as published, when the file gives counts
};

struct Benchmark {
  std::string question, name, base, source, table, note;
  int year = 0;
  int line = 0;                           // in the file, for messages
  std::vector<PopulationShare> shares;    // in the question's option order
  std::vector<std::string> outside_base;  // option codes with no figure
  // The population's share for an option; negative when outside the base.
  double share(std::string_view code) const;
};

struct Population {
  std::string path, area, survey_id;
  std::vector<std::string> weight_by;  // question ids, each benchmarked
  std::vector<Benchmark> benchmarks;   // in the survey's question order
  const Benchmark* find(std::string_view question) const;
};

// Shares may be off 1 by this much in all (rounding of published percentages).
inline constexpr double kShareTolerance = 0.002;

// Reads and checks a population file against the survey. Errors read
//   FILE:LINE:COLUMN: KEY: what is wrong
// e.g. "bury.toml:31:1: benchmark[1].shares: sum to 0.981, not 1 (within 0.002)".
Result<Population> load_population(const std::string& path, const Survey& survey);

}  // namespace kiosk
