#include "widgets.hpp"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "text/text.hpp"

namespace kiosk::ui {

ImU32 col(Rgb c, float alpha) { return IM_COL32(c.r, c.g, c.b, static_cast<int>(std::lround(alpha * 255.0f))); }

// A drag slides the area the finger went down on, and only that one, however
// far it then travels: a finger sliding answers up from the bottom of the
// screen must not start sliding the question's words when it crosses them.
ImGuiID g_drag_window = 0;

void touch_scroll() {
  ImGuiIO& io = ImGui::GetIO();
  if (io.MouseClicked[0] && ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem))
    g_drag_window = ImGui::GetCurrentWindow()->ID;
  if (!io.MouseDown[0] || io.MouseDragMaxDistanceSqr[0] <= 12.0f * 12.0f) return;
  if (ImGui::GetCurrentWindow()->ID != g_drag_window) return;
  if (ImGui::GetScrollMaxY() <= 0) return;
  ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
  ImGui::ClearActiveID();
}

bool build_fonts(Fonts& f, float scale, bool dyslexia_font, std::string* error) {
  ImGuiIO& io = ImGui::GetIO();
  text::forget_fonts();
  io.Fonts->Clear();
  // The families come from Debian's font packages; fontconfig says where their files are.
  const std::string family = dyslexia_font ? "OpenDyslexic" : "DejaVu Sans";
  const char* package = dyslexia_font ? "fonts-opendyslexic" : "fonts-dejavu-core";
  auto regular_file = f.finder.find(family, false);
  auto bold_file = f.finder.find(family, true);
  for (const auto* r : {&regular_file, &bold_file}) {
    if (!r->ok()) {
      if (error) *error = r->message() + "; install " + package;
      return false;
    }
  }
  const std::string regular = *regular_file, bold = *bold_file;
  // Dear ImGui draws no text of the kiosk's (the text engine shapes and draws
  // every word from the same files), but needs fonts for their sizes: its
  // atlas holds only the space and its fallback '?', so its texture is a few
  // kilobytes, not megabytes at 200%.
  static const ImWchar ranges[] = {0x0020, 0x0020, 0x003F, 0x003F, 0};
  ImFontConfig cfg;
  cfg.OversampleH = 1;
  cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  // ImGui keeps an atlas of these for its own use; the kiosk's text is
  // shaped and drawn by the text engine from the same files at the same sizes.
  auto add = [&](const std::string& path, bool is_bold, float px) {
    ImFont* font = io.Fonts->AddFontFromFileTTF(path.c_str(), px, &cfg, ranges);
    if (font) text::register_font(font, text::FontSpec{path, is_bold, px, dyslexia_font});
    return font;
  };
  f.body = add(regular, false, std::round(28.0f * scale));
  f.bold = add(bold, true, std::round(28.0f * scale));
  f.heading = add(bold, true, std::round(36.0f * scale));
  f.title = add(bold, true, std::round(44.0f * scale));
  f.small = add(regular, false, std::round(22.0f * scale));
  const float bold_px = std::round(28.0f * scale), bar_px = std::round(std::min(28.0f * scale, 30.0f));
  f.bar = add(bold, true, bar_px);
  // About a tenth apart: the help bar's row fits the window closely.
  // (An ImGui font's FontSize is set only when its atlas is built.)
  f.bar_sizes = {f.bold};
  for (float px : {52.0f, 48.0f, 44.0f, 40.0f, 37.0f, 34.0f})
    if (px < bold_px && px > bar_px) f.bar_sizes.push_back(add(bold, true, px));
  if (bar_px < bold_px) f.bar_sizes.push_back(f.bar);
  f.scale = scale;
  f.dyslexic = dyslexia_font;
  ++f.built;
  const bool sized = std::all_of(f.bar_sizes.begin(), f.bar_sizes.end(), [](ImFont* b) { return b != nullptr; });
  if (!f.body || !f.bold || !f.heading || !f.title || !f.small || !f.bar || !sized || !io.Fonts->Build()) {
    if (error) *error = "the fonts could not be rasterised";
    return false;
  }
  return true;
}

float Frame::label_width(const std::string& label, ImFont* font) const {
  return text::width(font ? font : fonts.bold, label);
}

void Frame::register_item(const std::string& id, const std::string& label, Role role, const std::string& value,
                          ImVec2 min, ImVec2 max, bool interactive, bool enabled, float line_h) {
  A11yItem it;
  it.id = id;
  it.label = label;
  it.role = role;
  it.value = value;
  it.rect = {min.x, min.y, max.x - min.x, max.y - min.y};
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 cmin = dl->GetClipRectMin(), cmax = dl->GetClipRectMax();
  it.clip = {cmin.x, cmin.y, cmax.x - cmin.x, cmax.y - cmin.y};
  it.interactive = interactive;
  it.enabled = enabled;
  it.line_h = line_h;
  tree.add(std::move(it));
}

// Drawn inside a button: a ring outside it would be cut off by the edge of a
// bar, the window or a full-width row. An answer's focus is drawn outside it,
// in the gap the answers' grid keeps between them: it never covers the
// answer's words or mark, and its shape (a second outline around) differs
// from a chosen answer's (filled, with a tick), not only its colour. A white
// band parts the ring from the edge it follows.
void Frame::draw_focus(ImVec2 min, ImVec2 max, bool outside) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float w = std::max(3.0f, 4.0f * s());
  if (outside) {
    const float band = 2.0f, round = 10.0f * s(), b = band * 0.5f, o = band + w * 0.5f;
    dl->AddRect(ImVec2(min.x - b, min.y - b), ImVec2(max.x + b, max.y + b), col(theme.focus_inner), round + b, 0, band);
    dl->AddRect(ImVec2(min.x - o, min.y - o), ImVec2(max.x + o, max.y + o), col(theme.focus), round + o, 0, w);
    return;
  }
  const float o = w * 0.75f;
  dl->AddRect(ImVec2(min.x + o, min.y + o), ImVec2(max.x - o, max.y - o), col(theme.focus), 8.0f * s(), 0, w * 1.5f);
  const float i = w * 1.5f + 1.0f;
  dl->AddRect(ImVec2(min.x + i, min.y + i), ImVec2(max.x - i, max.y - i), col(theme.focus_inner), 6.0f * s(), 0, 2.0f);
}

bool Frame::interact(const std::string& id, ImVec2 size, bool enabled, ImVec2* min, ImVec2* max, bool* held) {
  ImGui::PushID(id.c_str());
  bool clicked = ImGui::InvisibleButton("##b", size);
  ImGui::PopID();
  *min = ImGui::GetItemRectMin();
  *max = ImGui::GetItemRectMax();
  *held = ImGui::IsItemActive();
  if (!enabled) clicked = false;
  // In the content column a finger that came down on a band over what is cut
  // (the part of an answer under "3 more answers below") presses nothing.
  if (in_content) {
    const float y = ImGui::GetIO().MouseClickedPos[0].y;
    if (y < ui.view_top || y > ui.view_bottom) clicked = false, *held = false;
  }
  if (clicked) ui.focus = id;
  if (enabled && !activate_id_.empty() && activate_id_ == id) clicked = true;
  if (ui.focus == id && ui.focus_moved) {
    // Scroll only when the focused item is not wholly in view.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 cmin = dl->GetClipRectMin(), cmax = dl->GetClipRectMax();
    if (in_content) cmin.y = std::max(cmin.y, ui.view_top), cmax.y = std::min(cmax.y, ui.view_bottom);
    if (min->y < cmin.y || max->y > cmax.y) ImGui::SetScrollHereY(0.5f);
    ui.focus_moved = false;
  }
  return clicked;
}

void Frame::heading(const std::string& id, const std::string& text, bool big) {
  const auto r = text::item(big ? fonts.title : fonts.heading, col(theme.heading), text);
  register_item(id, text, Role::Heading, {}, r.min, r.max, false, true, r.line_h);
  ImGui::Dummy(ImVec2(0, gap() * 0.5f));
}

void Frame::paragraph(const std::string& id, const std::string& text, bool muted, ImFont* font) {
  const auto r = text::item(font ? font : fonts.body, col(muted ? theme.muted_text : theme.text), text);
  register_item(id, text, Role::Text, {}, r.min, r.max, false, true, r.line_h);
  ImGui::Dummy(ImVec2(0, gap() * 0.5f));
}

// Word by word, each word shaped by the text engine in its font; the words
// of a line are then put in visual order by their bidi levels (UAX #9 rule
// L2), so bold words keep their place in Urdu as in English.
void Frame::rich_paragraph(const std::string& id, const std::vector<std::pair<std::string, bool>>& runs) {
  const float wrap = ImGui::GetContentRegionAvail().x;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float line_h = fonts.body->FontSize * 1.25f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  std::string plain;
  for (const auto& run : runs) plain += run.first;
  const bool para_rtl = text::is_rtl(plain);
  const std::vector<std::uint8_t> levels = text::bidi_levels(plain, para_rtl);
  struct Word {
    std::string text;
    ImFont* font;
    float w, wt;  // with and without the spaces after it
    std::uint8_t level;
  };
  std::vector<std::vector<Word>> rows(1);
  float x = 0;
  std::size_t offset = 0;
  for (const auto& [run, bold] : runs) {
    ImFont* f = bold ? fonts.bold : fonts.body;
    size_t i = 0;
    while (i < run.size()) {
      // One word and the spaces after it.
      size_t j = run.find(' ', i);
      j = j == std::string::npos ? run.size() : run.find_first_not_of(' ', j);
      if (j == std::string::npos) j = run.size();
      Word w{run.substr(i, j - i), f, 0, 0, levels.empty() ? std::uint8_t(0) : levels[offset + i]};
      w.w = text::width(f, w.text);
      while (!w.text.empty() && w.text.back() == ' ') w.text.pop_back();
      w.wt = text::width(f, w.text);
      if (x > 0 && x + w.wt > wrap) {
        rows.emplace_back();
        x = 0;
      }
      x += w.w;
      rows.back().push_back(std::move(w));
      i = j;
    }
    offset += run.size();
  }
  float y = 0;
  for (auto& row : rows) {
    // Reverse every stretch at or above each odd level, highest first.
    std::uint8_t top = 0, low_odd = 255;
    for (const auto& w : row) {
      top = std::max(top, w.level);
      if (w.level % 2) low_odd = std::min(low_odd, w.level);
    }
    for (int lv = top; lv >= low_odd && lv > 0; --lv)
      for (std::size_t a = 0; a < row.size();) {
        if (row[a].level < lv) {
          ++a;
          continue;
        }
        std::size_t b = a;
        while (b < row.size() && row[b].level >= lv) ++b;
        std::reverse(row.begin() + static_cast<std::ptrdiff_t>(a), row.begin() + static_cast<std::ptrdiff_t>(b));
        a = b;
      }
    float row_w = 0;
    for (std::size_t k = 0; k < row.size(); ++k) row_w += k + 1 < row.size() ? row[k].w : row[k].wt;
    float wx = para_rtl ? std::max(0.0f, wrap - row_w) : 0.0f;
    for (std::size_t k = 0; k < row.size(); ++k) {
      const Word& w = row[k];
      const float room = k + 1 < row.size() ? w.w : w.wt;
      // A word wider than the line wraps by itself (the only thing on its row).
      const ImVec2 sz = text::draw(dl, w.font, ImVec2(p.x + wx + (para_rtl ? room - w.wt : 0.0f), p.y + y),
                                   col(theme.text), w.text, w.wt > wrap ? wrap : 0.0f);
      if (w.wt > wrap) y += sz.y - line_h;
      wx += room;
    }
    y += line_h;
  }
  const float h = y;
  ImGui::Dummy(ImVec2(wrap, h));
  register_item(id, plain, Role::Text, {}, p, ImVec2(p.x + wrap, p.y + h), false, true);
  ImGui::Dummy(ImVec2(0, gap() * 0.5f));
}

void Frame::alert(const std::string& id, const std::string& text) {
  const float pad = 14.0f * s();
  const float width = ImGui::GetContentRegionAvail().x;
  ImFont* f = fonts.bold;
  const ImVec2 ts = text::measure(f, text, width - 2 * pad - 40 * s());
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const ImVec2 q(p.x + width, p.y + ts.y + 2 * pad);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(p, q, col(theme.error), 8.0f * s());
  dl->AddRect(p, q, col(theme.error_text), 8.0f * s(), 0, 3.0f * s());
  // A "!" mark, so the message is not told by colour alone: where the words start.
  const float mark_x = rtl ? q.x - pad - text::width(f, "!") : p.x + pad;
  const float text_x = rtl ? p.x + pad : p.x + pad + 40 * s();
  text::draw(dl, f, ImVec2(mark_x, p.y + pad), col(theme.error_text), "!");
  text::draw(dl, f, ImVec2(text_x, p.y + pad), col(theme.error_text), text, width - 2 * pad - 40 * s());
  ImGui::Dummy(ImVec2(width, q.y - p.y));
  register_item(id, text, Role::Alert, {}, p, q, false, true);
  ImGui::Dummy(ImVec2(0, gap() * 0.5f));
}

bool Frame::button(const std::string& id, const std::string& label, Style style, float width, Role role,
                   const std::string& value, bool enabled, ImFont* font, float height) {
  ImFont* f = font ? font : fonts.bold;
  const float pad = 18.0f * f->FontSize / 28.0f;
  if (width <= 0) width = ImGui::GetContentRegionAvail().x;
  const ImVec2 ts = text::measure(f, label, width - 2 * pad);
  const float h = height > 0 ? height : std::max(min_target(), ts.y + 24.0f * s());
  ImVec2 min, max;
  bool held = false;
  const bool clicked = interact(id, ImVec2(width, h), enabled, &min, &max, &held);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  Rgb bg = theme.button, fg = theme.button_text, edge = theme.button_edge;
  if (style == Style::Primary) bg = theme.primary, fg = theme.primary_text, edge = theme.primary;
  if (style == Style::Quiet) bg = theme.background, fg = theme.text, edge = theme.button_edge;
  dl->AddRectFilled(min, max, col(bg, enabled ? 1.0f : 0.5f), 10.0f * s());
  dl->AddRect(min, max, col(edge, enabled ? 1.0f : 0.5f), 10.0f * s(), 0, std::max(2.0f, 3.0f * s()));
  if (held) dl->AddRectFilled(min, max, col(theme.text, 0.12f), 10.0f * s());
  // Each line centred, whatever its script's direction.
  text::draw(dl, f, ImVec2(min.x + pad, min.y + (h - ts.y) * 0.5f), col(fg, enabled ? 1.0f : 0.6f), label,
             width - 2 * pad, text::Options{text::Direction::Auto, text::Align::Center});
  if (ui.focus == id) draw_focus(min, max);
  register_item(id, label, role, value, min, max, true, enabled);
  return clicked;
}

namespace {
std::string break_after_slashes(std::string s) {
  for (size_t i = s.find('/'); i != std::string::npos; i = s.find('/', i + 1))
    if (i + 1 < s.size() && s[i + 1] != ' ') s.insert(i + 1, " ");
  return s;
}
}  // namespace

// A narrow answer (one of an 11-point scale in a row) has its mark above the
// words: beside them, the words would not fit.
bool Frame::option_compact(const std::string& label, float width, ImFont* font) const {
  const float room = width - 3 * 18.0f * s() - 34.0f * s();
  size_t i = 0;
  while (i < label.size()) {
    size_t j = label.find(' ', i);
    if (j == std::string::npos) j = label.size();
    if (label_width(label.substr(i, j - i), font ? font : fonts.body) > room) return true;
    i = j + 1;
  }
  return false;
}

float Frame::option_height(const std::string& label_in, float width, float target, ImFont* font) const {
  const std::string label = break_after_slashes(label_in);
  const float pad = 18.0f * s(), mark = 34.0f * s();
  ImFont* f = font ? font : fonts.body;
  if (option_compact(label, width, f)) {
    const ImVec2 ts = text::measure(f, label, width - 16.0f * s());
    return std::max(target, mark + ts.y + 32.0f * s());
  }
  const ImVec2 ts = text::measure(f, label, width - 3 * pad - mark);
  // The smaller letters of a long list sit closer to their edges, so the list fits.
  return std::max(target, ts.y + (f == fonts.body ? 24.0f : 12.0f) * s());
}

bool Frame::option(const std::string& id, const std::string& label, bool chosen, bool multiple, float width,
                   float height, ImFont* font, const std::string& spoken) {
  const float pad = 18.0f * s();
  const bool in_grid = width > 0;
  if (width <= 0) width = ImGui::GetContentRegionAvail().x;
  const float mark = 34.0f * s();
  ImFont* f = font ? font : fonts.body;
  // In a narrow cell a long word may break after a slash ("Welsh/English/...").
  const std::string shown = in_grid ? break_after_slashes(label) : label;
  const bool compact = option_compact(shown, width, f);
  const float text_w = compact ? width - 16.0f * s() : width - 3 * pad - mark;
  const ImVec2 ts = text::measure(f, shown, text_w);
  const float h = height > 0 ? height : option_height(label, width, min_target(), f);
  ImVec2 min, max;
  bool held = false;
  const bool clicked = interact(id, ImVec2(width, h), true, &min, &max, &held);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Rgb bg = chosen ? theme.chosen : theme.button;
  const Rgb fg = chosen ? theme.chosen_text : theme.button_text;
  dl->AddRectFilled(min, max, col(bg), 10.0f * s());
  dl->AddRect(min, max, col(chosen ? theme.chosen_edge : theme.button_edge), 10.0f * s(), 0,
              std::max(2.0f, 3.0f * s()));
  if (held) dl->AddRectFilled(min, max, col(theme.text, 0.12f), 10.0f * s());
  // The mark: a ring or a box, filled with a tick when chosen.
  const float block = mark + 8.0f * s() + ts.y;  // compact: the mark over the words, centred
  // Beside the words, at their start: on the left, or on the right right to left.
  const ImVec2 c = compact ? ImVec2(min.x + width * 0.5f, min.y + (h - block) * 0.5f + mark * 0.5f)
                           : ImVec2(rtl ? max.x - pad - mark * 0.5f : min.x + pad + mark * 0.5f, min.y + h * 0.5f);
  const float r = mark * 0.5f;
  if (multiple) {
    dl->AddRectFilled(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r),
                      col(chosen ? theme.chosen_text : theme.background), 4 * s());
    dl->AddRect(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r), col(fg), 4 * s(), 0, 3 * s());
  } else {
    dl->AddCircleFilled(c, r, col(chosen ? theme.chosen_text : theme.background), 32);
    dl->AddCircle(c, r, col(fg), 32, 3 * s());
  }
  if (chosen) {
    const ImVec2 pts[3] = {ImVec2(c.x - r * 0.55f, c.y), ImVec2(c.x - r * 0.12f, c.y + r * 0.45f),
                           ImVec2(c.x + r * 0.6f, c.y - r * 0.5f)};
    dl->AddPolyline(pts, 3, col(theme.chosen), 0, 5 * s());
  }
  const ImVec2 tp = compact
                        ? ImVec2(min.x + std::max(8.0f * s(), (width - ts.x) * 0.5f), c.y + mark * 0.5f + 8.0f * s())
                        : ImVec2(rtl ? min.x + pad : min.x + 2 * pad + mark, min.y + (h - ts.y) * 0.5f);
  // Compact: the words centred under the mark; otherwise at the start of their direction.
  text::draw(dl, f, compact ? ImVec2(min.x + 8.0f * s(), tp.y) : tp, col(fg), shown, text_w,
             text::Options{text::Direction::Auto, compact ? text::Align::Center : text::Align::Start});
  if (ui.focus == id) draw_focus(min, max, true);
  register_item(id, spoken.empty() ? label : spoken, multiple ? Role::Checkbox : Role::Option,
                chosen ? "selected" : "not selected", min, max, true, true);
  if (!in_grid) ImGui::Dummy(ImVec2(0, gap() * 0.6f));
  return clicked;
}

bool Frame::cell(const std::string& id, const std::string& spoken, bool chosen, float width, float height) {
  ImVec2 min, max;
  bool held = false;
  const bool clicked = interact(id, ImVec2(width, height), true, &min, &max, &held);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, col(chosen ? theme.chosen : theme.button), 10.0f * s());
  dl->AddRect(min, max, col(chosen ? theme.chosen_edge : theme.button_edge), 10.0f * s(), 0,
              std::max(2.0f, 3.0f * s()));
  if (held) dl->AddRectFilled(min, max, col(theme.text, 0.12f), 10.0f * s());
  // The same ring as an answer's, centred, with the tick when chosen.
  const float r = std::min(17.0f * s(), std::min(width, height) * 0.5f - 6.0f * s());
  const ImVec2 c((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f);
  dl->AddCircleFilled(c, r, col(chosen ? theme.chosen_text : theme.background), 32);
  dl->AddCircle(c, r, col(chosen ? theme.chosen_text : theme.button_text), 32, 3 * s());
  if (chosen) {
    const ImVec2 pts[3] = {ImVec2(c.x - r * 0.55f, c.y), ImVec2(c.x - r * 0.12f, c.y + r * 0.45f),
                           ImVec2(c.x + r * 0.6f, c.y - r * 0.5f)};
    dl->AddPolyline(pts, 3, col(theme.chosen), 0, 5 * s());
  }
  if (ui.focus == id) draw_focus(min, max, true);
  register_item(id, spoken, Role::Option, chosen ? "selected" : "not selected", min, max, true, true);
  return clicked;
}

float Frame::block(const std::string& id, const std::string& text, float width, ImFont* font, bool centre, bool muted) {
  ImFont* f = font ? font : fonts.body;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const text::Options opt{text::Direction::Auto, centre ? text::Align::Center : text::Align::Start};
  const ImVec2 ts =
      text::draw(ImGui::GetWindowDrawList(), f, p, col(muted ? theme.muted_text : theme.text), text, width, opt, width);
  const auto n = std::max<std::size_t>(1, text::lines(f, text, width, opt).size());
  register_item(id, text, Role::Text, {}, p, ImVec2(p.x + width, p.y + ts.y), false, true,
                ts.y / static_cast<float>(n));
  return ts.y;
}

bool Frame::text_box(const std::string& id, const std::string& label, const std::string& text,
                     const std::string& placeholder) {
  const float pad = 18.0f * s();
  const float width = ImGui::GetContentRegionAvail().x;
  ImFont* f = fonts.body;
  const std::string shown = text.empty() ? placeholder : text;
  const ImVec2 ts = text::measure(f, shown, width - 2 * pad);
  const float h = std::max(min_target() * 1.4f, ts.y + 2 * pad);
  ImVec2 min, max;
  bool held = false;
  const bool clicked = interact(id, ImVec2(width, h), true, &min, &max, &held);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(min, max, col(theme.background), 6.0f * s());
  dl->AddRect(min, max, col(theme.button_edge), 6.0f * s(), 0, 3.0f * s());
  text::draw(dl, f, ImVec2(min.x + pad, min.y + pad), col(text.empty() ? theme.muted_text : theme.text), shown,
             width - 2 * pad);
  if (ui.focus == id) draw_focus(min, max);
  register_item(id, label, Role::TextField, text.empty() ? "empty" : text, min, max, true, true);
  ImGui::Dummy(ImVec2(0, gap() * 0.6f));
  return clicked;
}

Frame::Flow Frame::begin_flow() {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  return Flow{p.x, ImGui::GetContentRegionAvail().x, p.x, 0};
}

bool Frame::flow_button(Flow& f, const std::string& id, const std::string& label, Style style, Role role,
                        const std::string& value, bool enabled) {
  const float pad = 18.0f * s();
  float w = std::max(min_target(), label_width(label) + 2 * pad + 4 * s());
  w = std::min(w, f.width);
  if (f.split && style == Style::Primary) {
    const float right = f.x0 + f.width - w;
    if (right >= f.x - 0.5f) {
      const float y = ImGui::GetCursorScreenPos().y;
      ImGui::SetCursorScreenPos(ImVec2(mirror_x(f, right, w), y));
      const bool r = button(id, label, style, w, role, value, enabled);
      f.row_h = std::max(f.row_h, ImGui::GetItemRectSize().y);
      f.left_end = f.x - gap();
      f.right_start = right;
      f.x = f.x0 + f.width + gap();
      ImGui::SetCursorScreenPos(ImVec2(f.x, y));
      return r;
    }
  }
  if (f.x > f.x0 && f.x + w > f.x0 + f.width + 0.5f) {
    // New row.
    ImGui::SetCursorScreenPos(ImVec2(f.x0, ImGui::GetCursorScreenPos().y));
    ImGui::Dummy(ImVec2(0, f.row_h + gap() * 0.6f));
    f.x = f.x0;
    f.row_h = 0;
  }
  const float y = ImGui::GetCursorScreenPos().y;
  ImGui::SetCursorScreenPos(ImVec2(mirror_x(f, f.x, w), y));
  const bool r = button(id, label, style, w, role, value, enabled);
  f.row_h = std::max(f.row_h, ImGui::GetItemRectSize().y);
  f.x += w + gap();
  ImGui::SetCursorScreenPos(ImVec2(f.x, y));
  return r;
}

void Frame::end_flow(Flow& f) {
  ImGui::SetCursorScreenPos(ImVec2(f.x0, ImGui::GetCursorScreenPos().y));
  ImGui::Dummy(ImVec2(0, f.row_h + gap() * 0.6f));
}

}  // namespace kiosk::ui
