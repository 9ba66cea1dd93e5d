// Weights by raking (iterative proportional fitting, Deming and Stephan
// 1940): each respondent's weight is adjusted margin by margin (age, then
// sex, ...) until the weighted shares of every margin equal the
// population's, then weights beyond a cap are trimmed and the raking goes
// on, until it settles.
//
// A respondent who did not answer a margin's question, or answered outside
// its base (under 18, "Other"), is left out of that margin's adjustment: the
// margin's shares are met among those who answered within it, and that
// respondent's weight is set by the other margins alone. Weights are scaled
// to a mean of 1 over all respondents, so weighted counts stay on the scale
// of the responses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiosk/population.hpp"
#include "kiosk/result.hpp"

namespace kiosk {

struct Margin {
  std::string name;                // for messages ("Age (q20)")
  std::vector<std::string> codes;  // the categories, in order
  std::vector<double> target;      // their population shares, summing to 1
};

struct RakeOptions {
  double cap = 5;             // weights kept within [mean/cap, mean*cap]
  double tolerance = 1e-6;    // largest gap between a weighted share and its target
  int max_iterations = 1000;  // sweeps over all margins
};

struct RakeResult {
  std::vector<double> weights;  // one per respondent, mean 1 (near 1 when the cap trimmed some)
  int iterations = 0;
  bool converged = false;
  double max_error = 0;                       // the largest gap left between a weighted share and its target
  int trimmed = 0;                            // respondents whose weight the cap held
  double effective_n = 0, design_effect = 1;  // Kish: (sum w)^2 / sum w^2, and n / that
};

// respondents[i][m]: respondent i's category in margins[m] (an index into
// its codes), or -1 when not answered or outside the base. A category no
// respondent is in, whose target is above 0, is an error naming it: no
// weight can make up a group nobody in it answered.
Result<RakeResult> rake(const std::vector<std::vector<int>>& respondents, const std::vector<Margin>& margins,
                        const RakeOptions& opt = {});
// The same categories in one flat block, a row of `width` per respondent:
// what a report of a million respondents builds (a vector each took 56 MB).
struct CategoryRows {
  size_t width = 0;        // margins per respondent
  size_t count = 0;        // respondents
  std::vector<int> cells;  // respondent i's row from cells[i * width]
  size_t size() const { return count; }
  int at(size_t i, size_t m) const { return cells[i * width + m]; }
};
Result<RakeResult> rake(const CategoryRows& respondents, const std::vector<Margin>& margins,
                        const RakeOptions& opt = {});

// The margins a population names (weight_by), from its benchmarks.
std::vector<Margin> margins_of(const Population& pop);

// Kish's effective sample size of a set of weights.
double effective_n(const std::vector<double>& weights);

}  // namespace kiosk
