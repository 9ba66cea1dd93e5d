// kiosk-admin workbook: the opened responses as an Excel workbook (.xlsx),
// written with libxlsxwriter: About (the survey, the weighting), Responses
// (one row per completed response: codes and labels, the service point by
// name, times in UTC and local time, the weight), Codebook, one sheet per
// choice question with its table (n, unweighted %, weighted %, margin of
// error) and a native bar chart, and Representativeness with its chart.
#pragma once

#include <map>
#include <string>

#include "kiosk/population.hpp"
#include "kiosk/survey.hpp"
#include "kiosk/weighting.hpp"
#include "represent.hpp"

namespace kiosk::cli {

int workbook(const std::string& dir, const Survey& survey, const OpenedFileOptions& opt);

}  // namespace kiosk::cli
