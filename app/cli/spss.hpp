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
#include "represent.hpp"

namespace kiosk::cli {

int spss(const std::string& dir, const Survey& survey, const OpenedFileOptions& opt);

}  // namespace kiosk::cli
