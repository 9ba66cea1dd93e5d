// Chrome: the same frame around every screen (header, scrolling content,
// footer with the access bar, panels over everything).
#pragma once

#include <string>
#include <vector>

#include "app_state.hpp"
#include "input.hpp"

namespace kiosk::ui {

// Sizes measured in one frame and used in the next (ImGui settles in two).
struct Chrome {
  float header_h = 0, footer_h = 0;
  // The help bar's letters (chrome.cpp, bar_font), chosen again only when
  // the window, the visitor's language or the fonts (Fonts::built) change.
  ImFont* bar = nullptr;
  unsigned bar_for_fonts = 0;
  float bar_for_w = 0, bar_for_h = 0;
  std::string bar_for_locale;
};

// Lays out and draws one frame's widgets for the current screen and panel;
// what the visitor asks for is appended to `intents`.
void draw_chrome(AppState& app, Chrome& chrome, Input& input, const Fonts& fonts, std::vector<Intent>& intents, float W,
                 float H);

}  // namespace kiosk::ui
