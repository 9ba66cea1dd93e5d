// How a question's answers are laid out: the grid of large targets that shows
// them all in the room there is, in as few columns as fit, or else the one
// that shows the most.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "kiosk/survey.hpp"
#include "widgets.hpp"

namespace kiosk::ui {

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

float row_gap(const Frame& f);

// Every word of every label must fit its cell whole, or the cell is too narrow
// (a narrow answer puts its mark above the words).
bool words_fit(const Frame& f, const std::vector<std::string>& labels, float cell_w, ImFont* font);

// The layout that shows every answer in `room` if there is one: a scale or
// yes/no as one row, a list in as few columns as fit (rows lined up, else
// columns stacked), the targets no lower than 56 px at 100%, the letters one
// step smaller only when nothing else shows them all. Otherwise the one in
// the body's letters that shows the most answers. Drawn in the content
// column: its clip is the room between the bands.
Grid choose_grid(const Frame& f, const Question& q, const std::vector<std::string>& labels, float width, float room,
                 bool on_arrival);

}  // namespace kiosk::ui
