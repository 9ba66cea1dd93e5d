// Colour themes. Pure data plus the WCAG contrast formula, so a test can
// check every text/background and control/background pair against the
// thresholds of product.md (A4, A5) without opening a window.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiosk::ui {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

double relative_luminance(Rgb c);
double contrast_ratio(Rgb a, Rgb b);

struct Theme {
  std::string name;
  Rgb background, text, muted_text, heading;
  Rgb panel, panel_text;                 // header and bars
  Rgb button, button_text, button_edge;  // an answer or action not chosen
  Rgb chosen, chosen_text, chosen_edge;  // an answer chosen
  Rgb primary, primary_text;             // Next, Start
  Rgb focus, focus_inner;                // the focus ring: two bands, so one always contrasts
  Rgb error, error_text;                 // the message when an answer is needed
  Rgb banner, banner_text;               // assisted mode banner
  Rgb bar;                               // results bars in the admin area
};

const Theme& standard_theme();
const Theme& high_contrast_theme();

// Every pair that must meet a threshold: (what, foreground, background, minimum).
struct ContrastPair {
  std::string what;
  Rgb fg, bg;
  double minimum;
  bool two_band = false;  // a two-band focus ring: either band may meet the minimum
  Rgb fg2{};
  double ratio() const;
};
std::vector<ContrastPair> contrast_requirements(const Theme& t, bool high_contrast);

}  // namespace kiosk::ui
