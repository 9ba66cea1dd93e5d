// The per-frame drawing context and the kiosk's widgets. Every widget draws
// itself with the theme, registers in the accessibility tree, shows the focus
// ring, and reports a tap or an Enter on it. Widgets never change the model:
// screens turn their results into Intents.
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "a11y.hpp"
#include "font_files.hpp"
#include "text/text.hpp"
#include "theme.hpp"
#include "ui_types.hpp"

namespace kiosk::ui {

struct Fonts {
  ImFont* body = nullptr;
  ImFont* bold = nullptr;
  ImFont* heading = nullptr;
  ImFont* title = nullptr;
  ImFont* small = nullptr;
  // The help bar's least letters: grows with the text but is capped at
  // 30 px, so "Ask staff for help", "Text size, colours and speech" and
  // "Repeat" keep one row on a 1280 px screen at every text size.
  ImFont* bar = nullptr;
  // Bold sizes from the body's (28 px times the scale) down to `bar`'s,
  // largest first: the help bar takes the largest whose row fits the
  // window (Frame::bar), so its words grow with the visitor's text.
  std::vector<ImFont*> bar_sizes;
  float scale = 1.0f;  // text scale the atlas was built for
  unsigned built = 0;  // counts build_fonts: the fonts' pointers are new each time
  bool dyslexic = false;
  FontFinder finder;
};

// The largest of Fonts::bar_sizes no larger than `at_most` for which `fits`
// holds, else the small letters if they fit, else nullptr.
template <class Fits>
ImFont* largest_bar_size(const Fonts& f, float at_most, Fits fits) {
  for (ImFont* font : f.bar_sizes)
    if (font->FontSize <= at_most && fits(font)) return font;
  return fits(f.small) ? f.small : nullptr;
}

// Builds the font atlas at the given scale: glyphs are re-rasterised at the
// new size, never stretched (A7). Returns false if a font file is missing.
bool build_fonts(Fonts& f, float scale, bool dyslexia_font, std::string* error);

ImU32 col(Rgb c, float alpha = 1.0f);

// Touch scrolling of the current window: a finger that moves more than a few
// pixels scrolls the region under it, even if it came down on a button, and
// that button is then not pressed when the finger lifts.
void touch_scroll();

class Frame {
 public:
  Frame(const Theme& theme_, const Fonts& fonts_, A11yTree& tree_, UiState& ui_, std::vector<Intent>& intents_,
        const std::string& activate_id)
      : theme(theme_), fonts(fonts_), tree(tree_), ui(ui_), intents(intents_), activate_id_(activate_id) {}

  const Theme& theme;
  const Fonts& fonts;
  A11yTree& tree;
  UiState& ui;
  std::vector<Intent>& intents;
  // The visitor's language reads right to left: rows of buttons, answers'
  // marks and the bars mirror (the text engine aligns the words themselves).
  bool rtl = false;
  // Drawing the content column: a tap there counts only inside the part of
  // it shown whole (UiState::view_top to view_bottom, from the last frame).
  bool in_content = false;
  // The help bar's letters this frame, chosen from Fonts::bar_sizes for the
  // window and the visitor's language; the bands over the content and the
  // progress between Back and Next use them too.
  ImFont* bar = nullptr;
  ImFont* bar_font() const { return bar ? bar : fonts.bar; }
  // The band saying what is above or below the part shown whole.
  float cue_height() const { return bar_font()->FontSize + 20.0f * std::min(s(), 1.5f); }

  float s() const { return fonts.scale; }                                  // multiply every size by this
  float min_target() const { return 72.0f * std::max(1.0f, s() * 0.6f); }  // well over 44 px at 100%
  float gap() const { return 16.0f * s(); }

  void emit(Intent i) { intents.push_back(std::move(i)); }

  // Text
  void heading(const std::string& id, const std::string& text, bool big = false);
  void paragraph(const std::string& id, const std::string& text, bool muted = false, ImFont* font = nullptr);
  void alert(const std::string& id, const std::string& text);
  // A paragraph whose parts may be bold: (text, bold) runs, wrapped word by word.
  void rich_paragraph(const std::string& id, const std::vector<std::pair<std::string, bool>>& runs);

  enum class Style { Normal, Primary, Quiet };
  // A button as wide as `width` (0: the whole row). Returns true when tapped or activated with Enter.
  // `font` and `height` (0: the body's bold and the text's height) let the bars size their own buttons.
  bool button(const std::string& id, const std::string& label, Style style = Style::Normal, float width = 0,
              Role role = Role::Button, const std::string& value = {}, bool enabled = true, ImFont* font = nullptr,
              float height = 0);
  // An answer: radio (single) or box (multiple) with a tick; chosen shown by more than colour.
  // `width` and `height` (0: the whole row, the text's height) place it in a grid cell.
  // `spoken` (empty: the label) names it for speech and the accessibility tree.
  bool option(const std::string& id, const std::string& label, bool chosen, bool multiple, float width = 0,
              float height = 0, ImFont* font = nullptr, const std::string& spoken = {});
  // A matrix's cell: the answer's mark alone (its words head the column),
  // named `spoken` for speech and the accessibility tree ("Books: Agree").
  bool cell(const std::string& id, const std::string& spoken, bool chosen, float width, float height);
  // Words wrapped at `width`, their top left at the cursor (centred in
  // `width` with `centre`); returns their height. The cursor is left as it was.
  float block(const std::string& id, const std::string& text, float width, ImFont* font, bool centre, bool muted);
  // The height an answer needs at this width with targets at least `target` high.
  float option_height(const std::string& label, float width, float target, ImFont* font = nullptr) const;
  bool option_compact(const std::string& label, float width, ImFont* font = nullptr) const;
  // A read-only box showing typed text; tapping it opens the keyboard.
  bool text_box(const std::string& id, const std::string& label, const std::string& text,
                const std::string& placeholder);

  // Lays out buttons left to right, wrapping to new rows when they do not fit.
  // With `split`, a Primary button goes to the right end of the row (Back on
  // the left, Next on the right), and `left_end`/`right_start` say what is
  // free between them. Right to left, every row is mirrored on screen (Next
  // on the left, Back on the right); the Flow's numbers stay left to right,
  // and mirror_x() turns them into places on the screen.
  struct Flow {
    float x0, width, x, row_h;
    bool split = false;
    float left_end = 0, right_start = 0;
  };
  Flow begin_flow();
  bool flow_button(Flow& f, const std::string& id, const std::string& label, Style style = Style::Normal,
                   Role role = Role::Button, const std::string& value = {}, bool enabled = true);
  void end_flow(Flow& f);
  // Where a box at `x` (in the flow's left-to-right terms) of width `w` is drawn.
  float mirror_x(const Flow& f, float x, float w) const { return rtl ? f.x0 + f.width - (x - f.x0) - w : x; }

  float label_width(const std::string& label, ImFont* font = nullptr) const;

 private:
  void register_item(const std::string& id, const std::string& label, Role role, const std::string& value, ImVec2 min,
                     ImVec2 max, bool interactive, bool enabled, float line_h = 0);
  void draw_focus(ImVec2 min, ImVec2 max, bool outside = false);
  bool interact(const std::string& id, ImVec2 size, bool enabled, ImVec2* min, ImVec2* max, bool* held);
  std::string activate_id_;
};

}  // namespace kiosk::ui
