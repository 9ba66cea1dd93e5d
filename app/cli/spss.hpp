// kiosk-admin spss: the opened responses as an SPSS data file (.sav), for
// SPSS and PSPP: one case per completed response, every question a variable
// with its label, choices as numbers in the scale's order with value labels,
// unanswered questions missing, service points by id and name, times in
// UTC and in the council's local time, and the raking weight as the file's
// weight variable. Written with ReadStat.
#pragma once

#include <map>
#include <string>

#include "kiosk/population.hpp"
#include "kiosk/survey.hpp"
#include "kiosk/weighting.hpp"

namespace kiosk::cli {

struct SpssOptions {
  std::string out;
  const Population* population = nullptr;  // weights when it has weight_by
  RakeOptions rake;
  std::map<std::string, std::string> service_point_names;
  std::string time_zone = "Europe/London";
};

int spss(const std::string& dir, const Survey& survey, const SpssOptions& opt);

}  // namespace kiosk::cli
