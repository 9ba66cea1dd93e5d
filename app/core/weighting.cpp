#include "kiosk/weighting.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiosk {

double effective_n(const std::vector<double>& w) {
  double s = 0, s2 = 0;
  for (double x : w) s += x, s2 += x * x;
  return s2 > 0 ? s * s / s2 : 0;
}

std::vector<Margin> margins_of(const Population& pop) {
  std::vector<Margin> out;
  for (const auto& q : pop.weight_by) {
    const Benchmark* b = pop.find(q);
    if (!b) continue;
    Margin m;
    m.name = b->name + " (" + b->question + ")";
    for (const auto& s : b->shares) {
      m.codes.push_back(s.code);
      m.target.push_back(s.share);
    }
    out.push_back(std::move(m));
  }
  return out;
}

namespace {

// The largest gap between a margin's weighted shares and its targets.
double margin_error(const CategoryRows& r, const std::vector<double>& w, const Margin& m, size_t mi) {
  std::vector<double> total(m.codes.size(), 0);
  double all = 0;
  for (size_t i = 0; i < r.size(); ++i)
    if (const int c = r.at(i, mi); c >= 0) total[static_cast<size_t>(c)] += w[i], all += w[i];
  double worst = 0;
  for (size_t c = 0; c < total.size(); ++c) worst = std::max(worst, std::fabs(total[c] / all - m.target[c]));
  return worst;
}

void scale_to_mean_one(std::vector<double>& w) {
  const double mean = std::accumulate(w.begin(), w.end(), 0.0) / static_cast<double>(w.size());
  for (double& x : w) x /= mean;
}

}  // namespace

Result<RakeResult> rake(const std::vector<std::vector<int>>& respondents, const std::vector<Margin>& margins,
                        const RakeOptions& opt) {
  CategoryRows rows{margins.size(), respondents.size(), {}};
  rows.cells.reserve(respondents.size() * margins.size());
  for (const auto& row : respondents) {
    if (row.size() != margins.size()) return make_error(ErrorKind::Internal, "a respondent without every margin");
    rows.cells.insert(rows.cells.end(), row.begin(), row.end());
  }
  return rake(rows, margins, opt);
}

Result<RakeResult> rake(const CategoryRows& r, const std::vector<Margin>& margins, const RakeOptions& opt) {
  if (r.size() == 0) return make_error(ErrorKind::Config, "no respondents to weight");
  if (r.width != margins.size() || r.cells.size() != r.count * r.width)
    return make_error(ErrorKind::Internal, "a respondent without every margin");
  if (!(opt.cap > 1)) return make_error(ErrorKind::Config, "the weight cap must be above 1");
  for (size_t mi = 0; mi < margins.size(); ++mi) {
    const Margin& m = margins[mi];
    std::vector<std::int64_t> n(m.codes.size(), 0);
    std::int64_t answered = 0;
    for (size_t i = 0; i < r.size(); ++i)
      if (const int c = r.at(i, mi); c >= 0) ++n[static_cast<size_t>(c)], ++answered;
    if (answered == 0)
      return make_error(ErrorKind::Config, m.name +
                                               ": no respondent answered it within its base, so it cannot be "
                                               "weighted to; leave it out of weight_by");
    for (size_t c = 0; c < m.codes.size(); ++c)
      if (n[c] == 0 && m.target[c] > 0)
        return make_error(ErrorKind::Config, m.name + ": no respondent is in \"" + m.codes[c] +
                                                 "\", so no weight can make up its share; merge it with another "
                                                 "group or leave the margin out of weight_by");
  }
  RakeResult out;
  std::vector<double>& w = out.weights;
  w.assign(r.size(), 1.0);
  for (out.iterations = 1; out.iterations <= opt.max_iterations; ++out.iterations) {
    const std::vector<double> before = w;
    for (size_t mi = 0; mi < margins.size(); ++mi) {
      const Margin& m = margins[mi];
      std::vector<double> total(m.codes.size(), 0);
      double all = 0;
      for (size_t i = 0; i < r.size(); ++i)
        if (const int c = r.at(i, mi); c >= 0) total[static_cast<size_t>(c)] += w[i], all += w[i];
      for (size_t i = 0; i < r.size(); ++i)
        if (const int c = r.at(i, mi); c >= 0)
          w[i] *= m.target[static_cast<size_t>(c)] * all / total[static_cast<size_t>(c)];
    }
    scale_to_mean_one(w);
    // Trimmed, then raked again on the next sweep.
    out.trimmed = 0;
    for (double& x : w)
      if (x > opt.cap || x < 1 / opt.cap) {
        x = std::clamp(x, 1 / opt.cap, opt.cap);
        ++out.trimmed;
      }
    out.max_error = 0;
    for (size_t mi = 0; mi < margins.size(); ++mi)
      out.max_error = std::max(out.max_error, margin_error(r, w, margins[mi], mi));
    if (out.max_error < opt.tolerance) {
      out.converged = true;
      break;
    }
    double change = 0;
    for (size_t i = 0; i < w.size(); ++i) change = std::max(change, std::fabs(w[i] - before[i]));
    if (change < 1e-12) break;  // settled where the cap holds it: not every margin can be met
  }
  out.iterations = std::min(out.iterations, opt.max_iterations);
  out.effective_n = effective_n(w);
  out.design_effect = out.effective_n > 0 ? static_cast<double>(w.size()) / out.effective_n : 1;
  return out;
}

}  // namespace kiosk
