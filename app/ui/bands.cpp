// The content column shows whole lines and whole answers: bands at its top
// and foot cover what its edges cut and say what is there ("3 more answers
// below", "More above"); a tap on a band slides the column towards it, and at
// rest the column settles so that no line is cut by the top band.
#include "bands.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "text/text.hpp"

namespace kiosk::ui {

namespace {

// What the content column shows is whole lines and whole answers. A line or
// an answer cut by the column's foot is covered, with all below it, by a band
// saying what is hidden ("3 more answers below", "More below"); when the
// column has slid, one cut by its top is covered by a band saying "More
// above". Items' clips narrow to the part between, so speech, focus and the
// tests see what the visitor sees, and a tap on a band presses nothing under
// it (Frame::interact) but slides the column (draw_content).
// Returns how far to slide, at rest, so that nothing is cut by the top band.
float show_whole(AppState& app, Frame& f, std::size_t from) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 cmin = dl->GetClipRectMin(), cmax = dl->GetClipRectMax();
  struct Unit {
    float top, bottom;
    bool answer;
  };
  std::vector<Unit> units;
  auto& items = app.tree.items();
  for (std::size_t i = from; i < items.size(); ++i) {
    const A11yItem& it = items[i];
    const bool answer = it.id.rfind("opt.", 0) == 0;
    if (it.line_h > 0.5f && it.rect.h > it.line_h * 1.5f) {
      const int lines = std::max(1, static_cast<int>(std::lround(it.rect.h / it.line_h)));
      for (int k = 0; k < lines; ++k)
        units.push_back(
            {it.rect.y + static_cast<float>(k) * it.line_h, it.rect.y + static_cast<float>(k + 1) * it.line_h, false});
    } else {
      units.push_back({it.rect.y, it.rect.y + it.rect.h, answer});
    }
  }
  const float cue = f.cue_height();
  float top = cmin.y, bottom = cmax.y;
  bool below = false;
  for (const auto& u : units) below = below || u.bottom > cmax.y + 0.5f;
  // Move an edge past every unit it cuts, until it cuts none.
  auto settle = [&](float& edge, bool up) {
    for (bool moved = true; moved;) {
      moved = false;
      for (const auto& u : units) {
        if (u.top >= edge - 0.01f || u.bottom <= edge + 0.01f) continue;
        // A unit taller than the room left is shown cut rather than not at all.
        const float to = up ? u.top : u.bottom;
        if (up ? to <= top + 0.5f : to >= bottom - 0.5f) continue;
        edge = to;
        moved = true;
      }
    }
  };
  float snap = 0;
  if (ImGui::GetScrollY() > 0.5f) {
    top = cmin.y + cue;
    const float room = cmax.y - cmin.y - 2 * cue;
    for (const auto& u : units)
      if (u.top < top - 1.0f && u.bottom > top + 1.0f && u.bottom - u.top <= room)
        snap = app.ui.scroll_dir > 0 ? std::max(snap, u.bottom - top) : std::min(snap, u.top - top);
    settle(top, false);
  }
  if (below) {
    bottom = cmax.y - cue;
    settle(bottom, true);
  }
  auto band = [&](float y0, float y1, const std::string& id, const std::string& text, float edge_y) {
    dl->AddRectFilled(ImVec2(cmin.x, y0), ImVec2(cmax.x, y1), col(f.theme.panel));
    dl->AddLine(ImVec2(cmin.x, edge_y), ImVec2(cmax.x, edge_y), col(f.theme.button_edge), 2.0f);
    ImFont* bf = f.bar_font();
    const float wrap = cmax.x - cmin.x - 16.0f;
    const ImVec2 ts = text::measure(bf, text, wrap);
    text::draw(dl, bf, ImVec2(cmin.x + 8.0f, (y0 + y1 - ts.y) * 0.5f), col(f.theme.panel_text), text, wrap,
               text::Options{text::Direction::Auto, text::Align::Center});
    A11yItem it;
    it.id = id;
    it.label = text;
    it.role = Role::Status;
    it.rect = {cmin.x, y0, cmax.x - cmin.x, y1 - y0};
    it.clip = {cmin.x, cmin.y, cmax.x - cmin.x, cmax.y - cmin.y};
    return it;
  };
  std::vector<A11yItem> bands;
  if (top > cmin.y) bands.push_back(band(cmin.y, top, "content.more_above", app.tr("content.more_above"), top));
  if (bottom < cmax.y) {
    int hidden = 0;
    for (const auto& u : units) hidden += u.answer && u.bottom > bottom + 0.5f;
    bands.push_back(hidden > 0 ? band(bottom, cmax.y, "question.more",
                                      app.tr("q.more_answers", {{"n", std::to_string(hidden)}}), bottom)
                               : band(bottom, cmax.y, "content.more_below", app.tr("content.more_below"), bottom));
  }
  for (std::size_t i = from; i < items.size(); ++i) {
    Rect& c = items[i].clip;
    if (std::abs(c.y - cmin.y) > 0.5f || std::abs(c.y + c.h - cmax.y) > 0.5f) continue;
    c.y = top;
    c.h = bottom - top;
  }
  for (auto& b : bands) app.tree.add(std::move(b));
  app.ui.view_top = top;
  app.ui.view_bottom = bottom;
  return snap;
}

}  // namespace

void slide_on_band_tap(AppState& app, const Frame& f) {
  ImGuiIO& io = ImGui::GetIO();
  const ImVec2 cmin = ImGui::GetWindowDrawList()->GetClipRectMin();
  const ImVec2 cmax = ImGui::GetWindowDrawList()->GetClipRectMax();
  const ImVec2 at = io.MouseClickedPos[0];
  // (The answer under the band took the press, and is kept from acting on it.)
  if (io.MouseReleased[0] && io.MouseDragMaxDistanceSqr[0] <= 12.0f * 12.0f &&
      ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && at.x >= cmin.x && at.x <= cmax.x &&
      at.y >= cmin.y && at.y <= cmax.y) {
    if (at.y > app.ui.view_bottom)
      ImGui::SetScrollY(ImGui::GetScrollY() + (app.ui.view_bottom - cmin.y) - f.cue_height());
    else if (at.y < app.ui.view_top)
      ImGui::SetScrollY(std::max(0.0f, ImGui::GetScrollY() - ((cmax.y - app.ui.view_top) - f.cue_height())));
    app.redraw(3);
  }
}

void settle_column(AppState& app, Frame& f, std::size_t from, bool fresh) {
  ImGuiIO& io = ImGui::GetIO();
  const float sy = ImGui::GetScrollY();
  if (sy != app.ui.last_scroll) app.ui.scroll_dir = sy > app.ui.last_scroll ? 1 : -1;
  app.ui.last_scroll = sy;
  const float snap = show_whole(app, f, from);
  // At the end of the column the slide cannot go on: the cut line then stays
  // under the band, rather than the column going back the way it came.
  // ImGui keeps its slide in whole pixels: a target between them is rounded
  // the way the column goes, and a few settles in a row at most (a frame
  // that asks for another every time would keep the kiosk drawing for ever).
  const float to = snap > 0 ? std::ceil(sy + snap) : std::floor(sy + snap);
  if (io.MouseDown[0] || io.MouseWheel != 0 || fresh || std::abs(snap) <= 0.5f) app.ui.settles = 0;
  if (std::abs(snap) > 0.5f && to >= 0.0f && to <= ImGui::GetScrollMaxY() + 0.5f && !io.MouseDown[0] && !fresh &&
      app.ui.settles < 4) {
    ++app.ui.settles;
    ImGui::SetScrollY(to);
    app.redraw(3);  // the slide is taken on the next frame: draw it without waiting for an event
  }
}

}  // namespace kiosk::ui
