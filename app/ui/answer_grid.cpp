// How a question's answers are laid out (answer_grid.hpp).
#include "answer_grid.hpp"

#include <algorithm>
#include <optional>

#include "text/text.hpp"

namespace kiosk::ui {

float row_gap(const Frame& f) { return f.gap() * 0.6f; }

namespace {

std::vector<float> answer_heights(const Frame& f, const std::vector<std::string>& labels, float cell_w, float target,
                                  ImFont* font) {
  std::vector<float> hs;
  for (const auto& l : labels) hs.push_back(f.option_height(l, cell_w, target, font));
  return hs;
}

float cell_width(const Frame& f, int cols, float width) {
  return (width - static_cast<float>(cols - 1) * f.gap()) / static_cast<float>(cols);
}

// Rows lined up across the columns, each as tall as its tallest answer.
Grid grid_for(const Frame& f, const std::vector<std::string>& labels, int cols, float width, float target,
              bool by_rows = false, ImFont* font = nullptr) {
  Grid g;
  g.font = font;
  g.cols = cols;
  g.by_rows = by_rows;
  g.target = target;
  g.cell_w = cell_width(f, cols, width);
  const int n = static_cast<int>(labels.size());
  const int rows = (n + cols - 1) / cols;
  const auto hs = answer_heights(f, labels, g.cell_w, target, font);
  std::vector<float> row_h(static_cast<size_t>(rows), target);
  auto row_of = [&](int i) { return by_rows ? i / cols : i % rows; };
  for (int i = 0; i < n; ++i)
    row_h[static_cast<size_t>(row_of(i))] = std::max(row_h[static_cast<size_t>(row_of(i))], hs[static_cast<size_t>(i)]);
  std::vector<float> row_y;
  float y = 0;
  for (float h : row_h) {
    row_y.push_back(y);
    y += h + row_gap(f);
  }
  g.height = rows > 0 ? y - row_gap(f) : 0.0f;
  for (int i = 0; i < n; ++i) {
    g.col.push_back(by_rows ? i % cols : i / rows);
    g.x.push_back(static_cast<float>(g.col.back()) * (g.cell_w + f.gap()));
    g.w.push_back(g.cell_w);
    g.y.push_back(row_y[static_cast<size_t>(row_of(i))]);
    g.h.push_back(row_h[static_cast<size_t>(row_of(i))]);
  }
  return g;
}

// Columns that each stack their own answers at their own heights, the
// answers split between them in reading order so that the tallest column is
// as short as it can be (on a tie, the earlier columns hold more).
Grid stacked_for(const Frame& f, const std::vector<std::string>& labels, int cols, float width, float target,
                 ImFont* font) {
  Grid g;
  g.font = font;
  g.cols = cols;
  g.target = target;
  g.cell_w = cell_width(f, cols, width);
  const int n = static_cast<int>(labels.size());
  const auto hs = answer_heights(f, labels, g.cell_w, target, font);
  std::vector<float> before(static_cast<size_t>(n) + 1, 0.0f);  // heights summed before each answer
  for (int i = 0; i < n; ++i)
    before[static_cast<size_t>(i) + 1] = before[static_cast<size_t>(i)] + hs[static_cast<size_t>(i)];
  auto stack = [&](int a, int b) {  // answers a..b-1 in one column
    return before[static_cast<size_t>(b)] - before[static_cast<size_t>(a)] + static_cast<float>(b - a - 1) * row_gap(f);
  };
  const float never = 1e30f;
  // tallest[c][k]: the tallest of c columns holding the first k answers; from[c][k]: where the last begins.
  std::vector<std::vector<float>> tallest(static_cast<size_t>(cols) + 1,
                                          std::vector<float>(static_cast<size_t>(n) + 1, never));
  std::vector<std::vector<int>> from(static_cast<size_t>(cols) + 1, std::vector<int>(static_cast<size_t>(n) + 1, 0));
  tallest[0][0] = 0;
  for (int c = 1; c <= cols; ++c)
    for (int k = c; k <= n; ++k)
      for (int j = k - 1; j >= c - 1; --j) {
        const float t = std::max(tallest[static_cast<size_t>(c) - 1][static_cast<size_t>(j)], stack(j, k));
        if (t < tallest[static_cast<size_t>(c)][static_cast<size_t>(k)] - 0.01f) {
          tallest[static_cast<size_t>(c)][static_cast<size_t>(k)] = t;
          from[static_cast<size_t>(c)][static_cast<size_t>(k)] = j;
        }
      }
  const int used = std::min(cols, n);
  g.height = tallest[static_cast<size_t>(used)][static_cast<size_t>(n)];
  g.col.assign(static_cast<size_t>(n), 0);
  g.y.assign(static_cast<size_t>(n), 0.0f);
  g.w.assign(static_cast<size_t>(n), g.cell_w);
  g.h = hs;
  for (int c = used, k = n; c > 0; --c) {
    const int j = from[static_cast<size_t>(c)][static_cast<size_t>(k)];
    float y = 0;
    for (int i = j; i < k; ++i) {
      g.col[static_cast<size_t>(i)] = c - 1;
      g.y[static_cast<size_t>(i)] = y;
      y += hs[static_cast<size_t>(i)] + row_gap(f);
    }
    k = j;
  }
  for (int c : g.col) g.x.push_back(static_cast<float>(c) * (g.cell_w + f.gap()));
  return g;
}

// The widest word of a label; a long word breaks after a slash ("Welsh/English/Scottish").
float widest_word(const Frame& f, const std::string& label, ImFont* font) {
  std::string spaced = label;
  for (size_t i = spaced.find('/'); i != std::string::npos; i = spaced.find('/', i + 1)) spaced[i] = ' ';
  std::istringstream in(spaced);
  std::string word;
  float widest = 0;
  while (in >> word) widest = std::max(widest, f.label_width(word + "/", font ? font : f.fonts.body));
  return widest;
}

// One row whose answers are as wide as their words need, the room left
// shared equally: a 0 to 10 scale keeps its eleven numbers on one row, with
// its two ends ("0: not at all likely", "10: extremely likely") wider.
// Empty when the row does not fit.
std::optional<Grid> fitted_row(const Frame& f, const std::vector<std::string>& labels, float width, float target,
                               ImFont* font) {
  const int n = static_cast<int>(labels.size());
  std::vector<float> need;
  for (const auto& l : labels) need.push_back(std::max(target, widest_word(f, l, font) + 16.0f * f.s()));
  // Matching ends: a scale reads the same from either end.
  float sum = 0;
  for (int i = 0; i < n; ++i) {
    auto& a = need[static_cast<size_t>(i)];
    a = std::max(a, need[static_cast<size_t>(n - 1 - i)]);
    sum += a;
  }
  const float spare = width - sum - static_cast<float>(n - 1) * f.gap();
  if (spare < 0) return std::nullopt;
  Grid g;
  g.font = font;
  g.cols = n;
  g.target = target;
  float x = 0;
  for (int i = 0; i < n; ++i) {
    const float w = need[static_cast<size_t>(i)] + spare / static_cast<float>(n);
    g.col.push_back(i);
    g.x.push_back(x);
    g.w.push_back(w);
    g.y.push_back(0);
    g.h.push_back(f.option_height(labels[static_cast<size_t>(i)], w, target, font));
    g.height = std::max(g.height, g.h.back());
    x += w + f.gap();
  }
  for (float& h : g.h) h = g.height;
  g.cell_w = *std::min_element(g.w.begin(), g.w.end());
  return g;
}

// How many answers are wholly within `room` of the grid's top.
int shown_within(const Grid& g, float room) {
  int shown = 0;
  for (size_t i = 0; i < g.y.size(); ++i)
    if (g.y[i] + g.h[i] <= room) ++shown;
  return shown;
}

}  // namespace

bool words_fit(const Frame& f, const std::vector<std::string>& labels, float cell_w, ImFont* font) {
  for (const auto& l : labels)
    if (widest_word(f, l, font) > cell_w - 16.0f * f.s()) return false;
  return true;
}

Grid choose_grid(const Frame& f, const Question& q, const std::vector<std::string>& labels, float width, float room,
                 bool on_arrival) {
  const int n = static_cast<int>(labels.size());
  const bool row_first = n == 2 || q.type == QuestionType::Likert || q.type == QuestionType::YesNo;
  const float big = f.min_target(), small = 56.0f * std::max(1.0f, f.s() * 0.6f);
  // An ordered scale is one row, two rows read across, or one column: in
  // columns it would read out of order.
  const bool scale = q.type == QuestionType::Likert && n > 2;
  std::vector<std::pair<int, bool>> order;  // (columns, by rows)
  if (row_first) order.emplace_back(n, false);
  if (scale && n > 5) order.emplace_back((n + 1) / 2, true);
  for (int c = 1; c <= (scale ? 1 : std::min(n, 4)); ++c)
    if (c != n || !row_first) order.emplace_back(c, false);
  Grid best;
  int best_shown = -1;
  // Where nothing shows them all, an answer taller than the room between the
  // bands could never be shown whole (Urdu at 200% in three narrow columns):
  // such a grid is not taken as the best.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float between_bands = dl->GetClipRectMax().y - dl->GetClipRectMin().y - 2 * f.cue_height();
  auto whole = [&](const Grid& g) { return g.h.empty() || *std::max_element(g.h.begin(), g.h.end()) <= between_bands; };
  // Longer words (Polish) and taller lines (Urdu's Nastaliq) fit 1280x800 at
  // 100% only in the smaller letters (22 px), tried last.
  std::vector<std::pair<float, ImFont*>> sizes = {{big, nullptr}, {small, nullptr}};
  if (n > 2) sizes.emplace_back(small, f.fonts.small);
  for (const auto& [target, font] : sizes) {
    for (const auto& [c, by_rows] : order) {
      std::vector<Grid> tries;
      if (cell_width(f, c, width) < target || !words_fit(f, labels, cell_width(f, c, width), font)) {
        if (c != n || by_rows) continue;
        if (auto row = fitted_row(f, labels, width, target, font))
          tries.push_back(*row);
        else
          continue;
      } else {
        tries.push_back(grid_for(f, labels, c, width, target, by_rows, font));
      }
      // Stacked columns only where they are all in view on arrival: shown in
      // part, the band over one column's cut answer would reach into the next.
      if (!scale && !by_rows && c > 1 && c < n && on_arrival)
        tries.push_back(stacked_for(f, labels, c, width, target, font));
      for (const Grid& g : tries) {
        if (g.height <= room) return g;
        if (&g != &tries.front()) continue;  // stacked: whole or not at all
        if (const int shown = shown_within(g, room); shown > best_shown && !font && whole(g))
          best = g, best_shown = shown;
      }
    }
  }
  if (best_shown < 0) best = grid_for(f, labels, 1, width, big);
  return best;
}

}  // namespace kiosk::ui
