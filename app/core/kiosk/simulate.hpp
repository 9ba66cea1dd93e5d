// Realistic random completed responses that follow the survey's skip rules
// (they are produced by walking the real session engine), for demos,
// end-to-end tests and benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiosk/store.hpp"
#include "kiosk/survey.hpp"

namespace kiosk {

struct SimulateOptions {
  std::int64_t responses = 100;
  std::uint64_t seed = 1;
  std::string kiosk_id = "sim-kiosk";
  std::vector<std::string> service_points = {"sim"};
  std::int64_t start_unix = 1454284800;  // 2016-02-01T00:00:00Z
};

// Produces one response; deterministic for a given seed and index.
CompletedResponse simulate_one(const Survey& survey, const SimulateOptions& opt, std::uint64_t index);
// Writes `responses` of them in batches; returns the number written.
Result<std::int64_t> simulate_into(Store& store, const Survey& survey, const SimulateOptions& opt);

}  // namespace kiosk
