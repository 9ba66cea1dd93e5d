// Chrome: the same frame around every screen (header, scrolling content,
// footer with the access bar, panels over everything).
#pragma once

#include <vector>

#include "app_state.hpp"
#include "input.hpp"

namespace kiosk::ui {

// Sizes measured in one frame and used in the next (ImGui settles in two).
struct Chrome {
  float header_h = 0, footer_h = 0;
};

// Lays out and draws one frame's widgets for the current screen and panel;
// what the visitor asks for is appended to `intents`.
void draw_chrome(AppState& app, Chrome& chrome, Input& input, const Fonts& fonts, std::vector<Intent>& intents, float W,
                 float H);

}  // namespace kiosk::ui
