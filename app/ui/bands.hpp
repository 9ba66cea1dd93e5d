// The bands over what the content column's edges cut (see bands.cpp).
#pragma once

#include <cstddef>

#include "app_state.hpp"
#include "widgets.hpp"

namespace kiosk::ui {

// Before the screen is drawn in the content column: a tap (not a slide) on
// the last frame's band at the top or foot slides the column a view's worth
// towards what it covers.
void slide_on_band_tap(AppState& app, const Frame& f);

// After the screen is drawn: covers what the column's edges cut with bands,
// narrows the clips of the tree's items from `from` on to the part shown
// whole, and at rest slides the column so that nothing is cut by the top band
// (`fresh`: the first frame of a screen, still drawn at the last one's slide).
void settle_column(AppState& app, Frame& f, std::size_t from, bool fresh);

}  // namespace kiosk::ui
