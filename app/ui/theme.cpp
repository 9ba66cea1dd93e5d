#include "theme.hpp"

#include <algorithm>
#include <cmath>

namespace kiosk::ui {

double relative_luminance(Rgb c) {
  auto lin = [](std::uint8_t v) {
    const double s = v / 255.0;
    return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

double contrast_ratio(Rgb a, Rgb b) {
  const double la = relative_luminance(a), lb = relative_luminance(b);
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

const Theme& standard_theme() {
  static const Theme t{
      "standard",      {255, 255, 255}, {27, 27, 27},  {68, 68, 68}, {16, 52, 102},  // background, text, muted, heading
      {16, 52, 102},   {255, 255, 255},                                              // panel
      {238, 243, 250}, {27, 27, 27},    {60, 90, 140},                               // button
      {16, 52, 102},   {255, 255, 255}, {16, 52, 102},                               // chosen
      {0, 96, 48},     {255, 255, 255},                                              // primary
      {213, 94, 0},    {255, 255, 255},                                              // focus ring, outer and inner
      {253, 236, 234}, {150, 0, 16},                                                 // error
      {255, 221, 0},   {27, 27, 27},                                                 // banner
      {16, 52, 102},
  };
  return t;
}

const Theme& high_contrast_theme() {
  static const Theme t{
      "high contrast", {0, 0, 0},       {255, 255, 255}, {255, 255, 255}, {255, 255, 0}, {0, 0, 0},
      {255, 255, 0},   {0, 0, 0},       {255, 255, 255}, {255, 255, 255}, {255, 255, 0}, {0, 0, 0},
      {255, 255, 0},   {255, 255, 255}, {0, 0, 0},       {0, 255, 255},   {0, 0, 0},     {0, 0, 0},
      {255, 160, 160}, {255, 255, 0},   {0, 0, 0},       {0, 255, 255},
  };
  return t;
}

double ContrastPair::ratio() const {
  const double a = contrast_ratio(fg, bg);
  return two_band ? std::max(a, contrast_ratio(fg2, bg)) : a;
}

std::vector<ContrastPair> contrast_requirements(const Theme& t, bool hc) {
  const double text = hc ? 7.0 : 4.5;  // WCAG 1.4.6 / 1.4.3
  const double edge = 3.0;             // WCAG 1.4.11
  return {
      {"text on background", t.text, t.background, text},
      {"secondary text on background", t.muted_text, t.background, text},
      {"headings on background", t.heading, t.background, text},
      {"header text on header", t.panel_text, t.panel, text},
      {"answer text on answer button", t.button_text, t.button, text},
      {"chosen answer text", t.chosen_text, t.chosen, text},
      {"Next/Start text", t.primary_text, t.primary, text},
      {"error text on error box", t.error_text, t.error, text},
      {"assisted banner text", t.banner_text, t.banner, text},
      {"answer button edge on background", t.button_edge, t.background, edge},
      {"chosen answer edge on background", t.chosen_edge, t.background, edge},
      {"Next/Start button on background", t.primary, t.background, edge},
      {"focus ring on background", t.focus, t.background, edge, true, t.focus_inner},
      {"focus ring on answer button", t.focus, t.button, edge, true, t.focus_inner},
      {"focus ring on chosen answer", t.focus, t.chosen, edge, true, t.focus_inner},
      {"focus ring on Next/Start", t.focus, t.primary, edge, true, t.focus_inner},
      {"focus ring on header", t.focus, t.panel, edge, true, t.focus_inner},
      {"results bar on background", t.bar, t.background, edge},
  };
}

}  // namespace kiosk::ui
