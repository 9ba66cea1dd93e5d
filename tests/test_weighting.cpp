// Raking to the population's margins: a textbook example reproduced, every
// margin met on a generated sample, the cap holding, and a group nobody
// answered said plainly.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "kiosk/population.hpp"
#include "kiosk/simulate.hpp"
#include "kiosk/weighting.hpp"
#include "support.hpp"

using namespace kiosk;

TEST_CASE("weighting: Ardilly and Tille's raking example reproduces its fitted table", "[weighting]") {
  // The sample table (rows a1..a3, columns b1..b3) and its known margins,
  // from Ardilly and Tille, "Sampling Methods: Exercises and Solutions" (as
  // in R TeachingSampling::IPFP's example); the fitted cells below are R
  // survey::rake's on the same data, to 9 places.
  const int table[3][3] = {{80, 170, 150}, {90, 80, 210}, {10, 80, 130}};
  const double fitted[3][3] = {{73.008211338, 167.640619110, 189.351169552},
                               {69.390388669, 66.649272100, 223.960339232},
                               {7.601399993, 65.710108790, 136.688491216}};
  std::vector<std::vector<int>> r;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < table[i][j]; ++k) r.push_back({i, j});
  REQUIRE(r.size() == 1000);
  const std::vector<Margin> m = {{"rows", {"a1", "a2", "a3"}, {0.43, 0.36, 0.21}},
                                 {"columns", {"b1", "b2", "b3"}, {0.15, 0.30, 0.55}}};
  RakeOptions opt;
  opt.tolerance = 1e-12;
  auto w = rake(r, m, opt);
  INFO((w ? std::string() : w.message()));
  REQUIRE(w.ok());
  CHECK(w->converged);
  CHECK(w->trimmed == 0);
  double cell[3][3] = {};
  for (size_t i = 0; i < r.size(); ++i) cell[r[i][0]][r[i][1]] += w->weights[i];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      INFO("a" << i + 1 << " b" << j + 1);
      CHECK(cell[i][j] == Approx(fitted[i][j]).margin(1e-6));
    }
  CHECK(w->effective_n < 1000);
  CHECK(w->design_effect > 1);
}

TEST_CASE("weighting: raking Bury's simulated respondents meets age and sex within 1e-6", "[weighting][population]") {
  auto pop = load_population(test::source_path("kiosk-config/population/bury.toml"), test::bury());
  REQUIRE(pop.ok());
  const auto margins = margins_of(*pop);
  REQUIRE(margins.size() == 2);
  CHECK(margins[0].name == "Age (q20)");
  SimulateOptions o;
  o.population = &*pop;
  o.skew = {{"q20.65_plus", 0.5}, {"q19.male", 0.7}};
  std::vector<std::vector<int>> r;
  int missing = 0;
  for (int i = 0; i < 5000; ++i) {
    const CompletedResponse c = simulate_one(test::bury(), o, static_cast<std::uint64_t>(i));
    std::vector<int> row;
    for (const auto& mg : margins) {
      const std::string q = mg.name.substr(mg.name.find('(') + 1, 3);
      int k = -1;
      if (auto it = c.answers.find(q); it != c.answers.end() && !it->second.choices.empty())
        for (size_t j = 0; j < mg.codes.size(); ++j)
          if (mg.codes[j] == it->second.choices[0]) k = static_cast<int>(j);
      missing += k < 0;
      row.push_back(k);
    }
    r.push_back(row);
  }
  CHECK(missing > 0);  // some skip the question or answer outside the base: left out of that margin
  auto w = rake(r, margins);
  REQUIRE(w.ok());
  CHECK(w->converged);
  CHECK(w->max_error < 1e-6);
  for (size_t mi = 0; mi < margins.size(); ++mi) {
    std::vector<double> t(margins[mi].codes.size(), 0);
    double all = 0;
    for (size_t i = 0; i < r.size(); ++i)
      if (r[i][mi] >= 0) t[static_cast<size_t>(r[i][mi])] += w->weights[i], all += w->weights[i];
    for (size_t c = 0; c < t.size(); ++c) CHECK(t[c] / all == Approx(margins[mi].target[c]).margin(1e-6));
  }
  double sum = 0;
  for (double x : w->weights) sum += x;
  CHECK(sum / 5000 == Approx(1.0).margin(1e-9));
  // 65+ were half their share: their weights are about twice the others'.
  CHECK(w->design_effect > 1.05);
  CHECK(w->effective_n == Approx(5000 / w->design_effect));
}

TEST_CASE("weighting: the cap holds, and a group nobody answered is said plainly", "[weighting]") {
  // 2 respondents of 1,000 in a group that is half the population: raking
  // would give them weights near 250; the cap keeps them at 5.
  std::vector<std::vector<int>> r;
  for (int i = 0; i < 1000; ++i) r.push_back({i < 2 ? 0 : 1});
  const std::vector<Margin> m = {{"Age (q20)", {"young", "old"}, {0.5, 0.5}}};
  auto w = rake(r, m);
  REQUIRE(w.ok());
  CHECK_FALSE(w->converged);
  CHECK(w->trimmed > 0);
  CHECK(w->max_error > 0.1);  // said, not hidden
  for (double x : w->weights) {
    CHECK(x <= 5.0 + 1e-9);
    CHECK(x >= 0.2 - 1e-9);
    CHECK(std::isfinite(x));
  }
  // Nobody in a group with a share: an error naming it, never a NaN.
  std::vector<std::vector<int>> none(10, std::vector<int>{1});
  auto bad = rake(none, m);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.message(), Catch::Contains("Age (q20): no respondent is in \"young\""));
  CHECK_FALSE(rake(std::vector<std::vector<int>>{}, m).ok());
}
