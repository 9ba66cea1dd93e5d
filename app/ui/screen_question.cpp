// One question per screen: section heading and intro on a section's first
// question, the question, its answers as large buttons, a box for "Other",
// Back and Next. No question numbers, ever.
#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <tuple>

#include "screens.hpp"
#include "text_entry.hpp"

namespace kiosk::ui {

namespace {

// Answers in a grid of `cols` columns, read down each column then across.
// An ordered scale in two rows reads across each row instead (0 to 5, then 6 to 10).
// Each answer has its own place: in rows lined up across the columns, or,
// where that is too tall, in columns that each stack their own answers, so
// one long answer (Polish "Biała: walijska/angielska/...") does not make its
// whole row tall.
struct Grid {
  int cols = 1;
  bool by_rows = false;
  ImFont* font = nullptr;  // the answers' letters: the body's, or one step smaller
  float cell_w = 0, target = 0, height = 0;
  std::vector<int> col;     // each answer's column, counted from the reading start
  std::vector<float> x, w;  // each answer's start from the grid's start edge, and its width
  std::vector<float> y, h;  // each answer's top below the grid's top, and its height
  float first_row() const { return h.empty() ? 0.0f : h[0]; }
};

float row_gap(const Frame& f) { return f.gap() * 0.6f; }

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

// Every word of every label must fit its cell whole, or the cell is too narrow
// (a narrow answer puts its mark above the words).
bool words_fit(const Frame& f, const std::vector<std::string>& labels, float cell_w, ImFont* font) {
  for (const auto& l : labels)
    if (widest_word(f, l, font) > cell_w - 16.0f * f.s()) return false;
  return true;
}

// How many answers are wholly within `room` of the grid's top.
int shown_within(const Grid& g, float room) {
  int shown = 0;
  for (size_t i = 0; i < g.y.size(); ++i)
    if (g.y[i] + g.h[i] <= room) ++shown;
  return shown;
}

// The layout that shows every answer in `room` if there is one: a scale or
// yes/no as one row, a list in as few columns as fit (rows lined up, else
// columns stacked), the targets no lower than 56 px at 100%, the letters one
// step smaller only when nothing else shows them all. Otherwise the one in
// the body's letters that shows the most answers.
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

// A question's words: lines starting with "- " are shown as a list; the
// first paragraph is the heading unless the question has a title.
void draw_words(Frame& f, const AppView& v, const LocalText& title, const LocalText& text, const LocalText& hint,
                bool optional) {
  std::istringstream in(v.text(text));
  std::string line, para;
  int n = 0;
  auto flush = [&](bool bullet) {
    if (para.empty()) return;
    if (title.empty() && n == 0 && !bullet)
      f.heading("q.text", para);
    else
      f.paragraph("q.text" + std::to_string(n), (bullet ? "\xE2\x80\xA2 " : "") + para, false,
                  bullet ? nullptr : f.fonts.bold);
    ++n;
    para.clear();
  };
  while (std::getline(in, line)) {
    const bool bullet = line.rfind("- ", 0) == 0;
    if (bullet) {
      flush(false);
      para = line.substr(2);
      flush(true);
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
  }
  flush(false);
  if (!hint.empty()) f.paragraph("q.hint", v.text(hint), true);
  if (optional) f.paragraph("q.optional", v.tr("q.optional"), true, f.fonts.small);
  if (!f.ui.error.empty()) f.alert("q.error", f.ui.error);
}

// The room below the words on arrival, at the top of the scroll; when the
// words leave too little for a row, the room of the column slid up to the
// answers (less the bands above and below).
float answer_room(const Frame& f, bool* on_arrival) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float view_bottom = dl->GetClipRectMax().y;
  float room = view_bottom - (ImGui::GetCursorScreenPos().y + ImGui::GetScrollY()) - f.gap() * 0.5f;
  *on_arrival = room >= f.min_target() * 1.5f;
  if (!*on_arrival) room = dl->GetClipRectMax().y - dl->GetClipRectMin().y - 2 * f.cue_height();
  return room;
}

// A matrix: its items, each rated on the same answers. Where it fits, a
// table: the answers' words head the columns, each item a row of marks, so
// six items of a five-point scale are all in view at 100% on 1280x800. Where
// it does not (larger text, long words), each item in turn, its name over
// its answers, as a question of its own would show them. Each mark is named
// for speech with its item and its answer ("Books: Agree").
void draw_matrix(Frame& f, const AppView& v, const Question& first, const std::vector<const Question*>& items) {
  const Session& s = *v.session;
  std::vector<std::string> labels;
  for (const auto& o : first.options) labels.push_back(v.text(o.label));
  bool on_arrival = true;
  const float room = answer_room(f, &on_arrival);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  const int n = static_cast<int>(labels.size());
  const float target = 56.0f * std::max(1.0f, f.s() * 0.6f);
  const float pad = 8.0f * f.s();
  auto spoken = [&](const Question& item, size_t k) {
    return v.tr("q.matrix.cell", {{"item", v.text(item.text)}, {"answer", labels[k]}});
  };
  auto chosen = [&](const Question& item, const Option& o) {
    const Answer* a = s.answer_for(item.id);
    return a && a->has(o.code);
  };

  // The table, if its columns take their words whole and it fits the room.
  const float label_w = std::floor(width * 0.34f);
  const float col_w = (width - label_w - static_cast<float>(n) * f.gap() * 0.5f) / static_cast<float>(n);
  float head_h = 0;
  bool table = col_w >= target && words_fit(f, labels, col_w, f.fonts.small);
  // Each heading's and each item's words measured once, for the fit and the drawing.
  std::vector<float> heads, words, row_h;
  if (table) {
    for (const auto& l : labels) {
      heads.push_back(text::measure(f.fonts.small, l, col_w - pad).y);
      head_h = std::max(head_h, heads.back());
    }
    float total = head_h + f.gap() * 0.5f;
    for (const Question* item : items) {
      words.push_back(text::measure(f.fonts.body, v.text(item->text), label_w - 2 * pad).y);
      row_h.push_back(std::max(target, words.back() + 2 * pad));
      total += row_h.back() + row_gap(f);
    }
    table = total - row_gap(f) <= room;
  }
  auto x_of = [&](float x, float w) { return f.rtl ? p0.x + width - x - w : p0.x + x; };
  if (table) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    auto col_x = [&](int k) { return label_w + f.gap() * 0.5f + static_cast<float>(k) * (col_w + f.gap() * 0.5f); };
    for (int k = 0; k < n; ++k) {
      ImGui::SetCursorScreenPos(ImVec2(x_of(col_x(k), col_w), p0.y + head_h - heads[static_cast<size_t>(k)]));
      f.block("mx.head." + first.options[static_cast<size_t>(k)].code, labels[static_cast<size_t>(k)], col_w,
              f.fonts.small, true, false);
    }
    float y = p0.y + head_h + f.gap() * 0.5f;
    for (size_t r = 0; r < items.size(); ++r) {
      const Question& item = *items[r];
      // Every other row shaded, so the eye keeps to a row across the marks.
      if (r % 2 == 0)
        dl->AddRectFilled(ImVec2(p0.x, y - row_gap(f) * 0.5f), ImVec2(p0.x + width, y + row_h[r] + row_gap(f) * 0.5f),
                          col(f.theme.text, 0.06f), 8.0f * f.s());
      ImGui::SetCursorScreenPos(ImVec2(x_of(pad, label_w - 2 * pad), y + (row_h[r] - words[r]) * 0.5f));
      f.block("mx." + item.id, v.text(item.text), label_w - 2 * pad, f.fonts.body, false, false);
      for (int k = 0; k < n; ++k) {
        const Option& o = item.options[static_cast<size_t>(k)];
        ImGui::SetCursorScreenPos(ImVec2(x_of(col_x(k), col_w), y));
        if (f.cell("mx." + item.id + "." + o.code, spoken(item, static_cast<size_t>(k)), chosen(item, o), col_w,
                   row_h[r]))
          f.emit(intent::Choose{item.id, o.code});
      }
      y += row_h[r] + row_gap(f);
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, y));
    ImGui::Dummy(ImVec2(0, f.gap() * 0.5f));
    return;
  }
  // Each item in turn.
  for (const Question* item : items) {
    f.paragraph("mx." + item->id, v.text(item->text), false, f.fonts.bold);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const Grid g = choose_grid(f, *item, labels, width, room, on_arrival);
    for (size_t k = 0; k < item->options.size(); ++k) {
      const Option& o = item->options[k];
      ImGui::SetCursorScreenPos(ImVec2(f.rtl ? at.x + width - g.x[k] - g.w[k] : at.x + g.x[k], at.y + g.y[k]));
      if (f.option("mx." + item->id + "." + o.code, labels[k], chosen(*item, o), false, g.w[k], g.h[k], g.font,
                   spoken(*item, k)))
        f.emit(intent::Choose{item->id, o.code});
    }
    ImGui::SetCursorScreenPos(ImVec2(at.x, at.y + g.height));
    ImGui::Dummy(ImVec2(0, f.gap()));
  }
}

}  // namespace

void draw_question(Frame& f, const AppView& v) {
  const Session& s = *v.session;
  const Question& q = *s.current();
  const Section& sec = v.survey.sections[q.section];
  const auto visible = s.visible_questions();
  const bool first_in_section = !visible.empty() && [&] {
    for (const Question* p : visible)
      if (p->section == q.section) return p->id == q.id;
    return false;
  }();
  // The question's words and its answers are one column, which slides as
  // one: at 200% a long principle puts the answers below, and the band at
  // the column's foot says how many (the chrome draws it, over whatever it
  // cuts, so no line is ever shown cut).
  std::vector<std::string> labels;
  for (const auto& o : q.options) labels.push_back(v.text(o.label));
  if (!sec.heading.empty()) f.paragraph("q.section", v.text(sec.heading), true, f.fonts.bold);
  if (first_in_section && !sec.intro.empty()) f.paragraph("q.intro", v.text(sec.intro), true);
  if (const Matrix* m = v.survey.matrix_of(q)) {
    if (!m->title.empty()) f.heading("q.title", v.text(m->title));
    draw_words(f, v, m->title, m->text, m->hint, !q.required);
    return draw_matrix(f, v, q, s.current_screen());
  }
  if (!q.title.empty()) f.heading("q.title", v.text(q.title));
  if (q.type == QuestionType::Note) {
    // A note is a screen of reading: its paragraphs (split at blank lines)
    // in body text, under the section's heading.
    std::istringstream note(v.text(q.text));
    std::string line, para;
    int k = 0;
    auto put = [&] {
      if (para.empty()) return;
      f.paragraph("q.note" + std::to_string(k++), para, true);
      para.clear();
    };
    while (std::getline(note, line)) {
      if (line.find_first_not_of(" \t") == std::string::npos)
        put();
      else
        para += (para.empty() ? "" : " ") + line;
    }
    put();
    return;
  }
  draw_words(f, v, q.title, q.text, q.hint, !q.required && q.takes_answer());

  const Answer* a = s.answer_for(q.id);
  if (q.has_options()) {
    const bool multiple = q.type == QuestionType::Multiple;
    bool on_arrival = true;
    const float room = answer_room(f, &on_arrival);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const float grid_w = ImGui::GetContentRegionAvail().x;
    const Grid g = choose_grid(f, q, labels, grid_w, room, on_arrival);
    for (size_t i = 0; i < q.options.size(); ++i) {
      const auto& o = q.options[i];
      // Right to left, the first column is the rightmost (a scale reads from the right).
      const float x = f.rtl ? p0.x + grid_w - g.x[i] - g.w[i] : p0.x + g.x[i];
      ImGui::SetCursorScreenPos(ImVec2(x, p0.y + g.y[i]));
      const bool chosen = a && a->has(o.code);
      if (f.option("opt." + o.code, labels[i], chosen, multiple, g.w[i], g.h[i], g.font))
        f.emit(multiple ? Intent{intent::Toggle{q.id, o.code}} : Intent{intent::Choose{q.id, o.code}});
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, p0.y + g.height));
    ImGui::Dummy(ImVec2(0, f.gap() * 0.6f));
    if (const Option* other = q.other_option(); other && a && a->has(other->code)) {
      if (f.text_box("q.other", v.tr("q.other.label"), a->other_text, v.tr("q.touch_to_type")))
        f.emit(intent::OpenKeyboard{q.id, TextTarget::Other});
    }
  } else if (q.type == QuestionType::Note) {
    // A screen of text: Next goes on.
  } else if (q.type == QuestionType::Date) {
    // Day, month and year, each its own box typed on the pad, in the order a
    // date is written here; each box named aloud.
    std::string hint = v.tr("q.date.hint");
    if (!q.min_date.empty() && !q.max_date.empty())
      hint += " " + v.tr("q.number.range", {{"min", display_date(q.min_date)}, {"max", display_date(q.max_date)}});
    else if (!q.min_date.empty())
      hint += " " + v.tr("q.number.min", {{"min", display_date(q.min_date)}});
    else if (!q.max_date.empty())
      hint += " " + v.tr("q.number.max", {{"max", display_date(q.max_date)}});
    f.paragraph("q.date.hint", hint, true, f.fonts.small);
    const DateParts parts = split_date(a ? a->text : "");
    for (auto [target, id, key] : {std::tuple{TextTarget::DateDay, "q.date.day", "q.date.day"},
                                   std::tuple{TextTarget::DateMonth, "q.date.month", "q.date.month"},
                                   std::tuple{TextTarget::DateYear, "q.date.year", "q.date.year"}}) {
      f.paragraph(std::string(id) + ".label", v.tr(key), false, f.fonts.bold);
      if (f.text_box(id, v.tr(key), date_part(parts, target), v.tr("q.touch_to_type_number")))
        f.emit(intent::OpenKeyboard{q.id, target});
    }
  } else if (q.is_number()) {
    if (f.text_box("q.textbox", v.tr("q.number.label"), a ? a->text : "", v.tr("q.touch_to_type_number")))
      f.emit(intent::OpenKeyboard{q.id, TextTarget::Answer});
    f.paragraph("q.range", number_words(v, q), true, f.fonts.small);
  } else {
    const std::string placeholder = q.type == QuestionType::Postcode && !v.config.deployment.postcode_example.empty()
                                        ? v.tr("q.postcode.hint", {{"example", v.config.deployment.postcode_example}})
                                        : v.tr("q.touch_to_type");
    if (f.text_box("q.textbox", v.tr(q.type == QuestionType::Postcode ? "q.postcode.label" : "q.answer.label"),
                   a ? a->text : "", placeholder))
      f.emit(intent::OpenKeyboard{q.id, TextTarget::Answer});
    if (q.type == QuestionType::Text)
      f.paragraph("q.limit", v.tr("q.limit", {{"n", std::to_string(q.max_length)}}), true, f.fonts.small);
  }
}

// Back on the left, Next on the right; the chrome puts "Question 3 of 21" between.
void draw_question_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  const Session& s = *v.session;
  if (f.flow_button(flow, "nav.back", v.tr("nav.back"))) f.emit(intent::Back{});
  const auto p = s.progress();
  const bool last = p.position == p.total;
  if (f.flow_button(flow, "nav.next", v.tr(last ? "nav.next.review" : "nav.next"), Frame::Style::Primary))
    f.emit(intent::Next{});
}

}  // namespace kiosk::ui
