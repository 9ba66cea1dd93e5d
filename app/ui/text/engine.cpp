// The text engine behind text.hpp. One engine per process, used from the UI
// thread; only the font registry is touched from the thread that builds
// Dear ImGui's atlas (Host starts it in the background), so only it is locked.
//
// This file holds the engine itself (engine(), its constructor and
// destructor), drawing a layout (Engine::draw) and the public functions of
// text.hpp not listed below. The rest is by topic:
//   engine_internal.hpp  the constants, the cached types, struct Engine
//   fonts.cpp            font choice: spec_of, faces, the fallback chain, ink_of
//   layout.cpp           itemising, line breaking, shaping; the layout cache
//   atlas.cpp            the glyph atlas; attach_renderer, detach_renderer
//   record.cpp           test recording: record, take_recorded
#include <SDL.h>
#include <fribidi.h>
#include <imgui_internal.h>
#include <linebreak.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "engine_internal.hpp"

namespace kiosk::ui::text {
namespace detail {

Engine::Engine() {
  FT_Init_FreeType(&ft);
  init_linebreak();
}

Engine::~Engine() {
  if (atlas) SDL_DestroyTexture(atlas);
  for (auto& f : faces) FT_Done_Face(f.ft);
  FT_Done_FreeType(ft);
}

Engine& engine() {
  static Engine e;
  return e;
}

ImVec2 Engine::draw(ImDrawList* dl, const ImFont* font, ImVec2 pos, ImU32 color, std::string_view s, float wrap,
                    const Options& opt, float box) {
  const Layout& L = layout(font, s, wrap, opt);
  const int now = frame();
  // Full: start again from empty on the next frame, so that no glyph drawn
  // in the frame that filled it is overwritten under it.
  if (atlas_full && now != full_frame) {
    grow_atlas();
    reset_atlas();
  }
  draw_frame = now;
  if (box <= 0) box = wrap > 0 ? wrap : L.size.x;
  const ImVec2 cmin = dl ? dl->GetClipRectMin() : ImVec2(-1e9f, -1e9f);
  const ImVec2 cmax = dl ? dl->GetClipRectMax() : ImVec2(1e9f, 1e9f);
  for (std::size_t li = 0; li < L.lines.size(); ++li) {
    const LayoutLine& ln = L.lines[li];
    if (recording) record_line(L, ln, static_cast<int>(li));
    const float top = pos.y + static_cast<float>(li) * L.line_h;
    if (!dl || !atlas || ln.glyphs.empty() || top > cmax.y || top + L.line_h < cmin.y) continue;
    Align a = opt.align;
    if (a == Align::Start) a = ln.rtl ? Align::Right : Align::Left;
    float x = pos.x;
    if (a == Align::Right) x = pos.x + box - ln.width;
    if (a == Align::Center) x = pos.x + (box - ln.width) * 0.5f;
    // Ink past the line's advance at the side it is aligned to (Nastaliq's
    // initial "ک" reaches a fifth of an em right of where an Urdu line
    // begins; an italic's first letter may start left of it) is brought
    // back inside the box, so nothing is drawn under a scrollbar or cut.
    if (a != Align::Center) {
      if (!ln.ink_known) {
        ln.ink_min = 0, ln.ink_max = ln.width;
        bool all = true;
        for (const auto& g : ln.glyphs) {
          const Slot* sl = slot(g.face, g.gid, 0, 0);
          all = all && sl;
          if (sl && sl->w > 0) {
            ln.ink_min = std::min(ln.ink_min, std::floor(g.x) + sl->left);
            ln.ink_max = std::max(ln.ink_max, std::floor(g.x) + sl->left + sl->w);
          }
        }
        ln.ink_known = all;  // a full atlas answers nothing this frame: measured again on the next
      }
      if (a == Align::Right) x = std::max(pos.x - std::min(0.0f, ln.ink_min), x - (ln.ink_max - ln.width));
      if (a == Align::Left) x = std::min(pos.x + box - ln.ink_max, x - ln.ink_min);
      x = std::max(x, pos.x);
    }
    const float baseline = top + L.asc;
    dl->PushTextureID(static_cast<ImTextureID>(atlas));
    const int reserve = static_cast<int>(ln.glyphs.size());
    dl->PrimReserve(reserve * 6, reserve * 4);
    int used = 0;
    for (const auto& g : ln.glyphs) {
      const float gx = x + g.x, gy = baseline + g.y;
      float xi = std::floor(gx), yi = std::floor(gy);
      int sx = static_cast<int>(std::lround((gx - xi) * kSubpixels));
      int sy = static_cast<int>(std::lround((gy - yi) * kSubpixels));
      if (sx == kSubpixels) sx = 0, xi += 1;
      if (sy == kSubpixels) sy = 0, yi += 1;
      const Slot* sl = slot(g.face, g.gid, sx, sy);
      if (!sl || sl->w == 0) continue;
      const ImVec2 p0(xi + sl->left, yi - sl->top);
      dl->PrimRectUV(p0, ImVec2(p0.x + sl->w, p0.y + sl->h), sl->uv0, sl->uv1, color);
      ++used;
    }
    dl->PrimUnreserve((reserve - used) * 6, (reserve - used) * 4);
    dl->PopTextureID();
  }
  return L.size;
}

}  // namespace detail

using detail::decode_utf8;
using detail::Engine;
using detail::engine;
using detail::is_space;
using detail::Layout;

void register_font(const ImFont* font, FontSpec spec) {
  Engine& e = engine();
  std::lock_guard lock(e.registry_mu);
  e.registry[font] = std::move(spec);
}

void forget_fonts() {
  Engine& e = engine();
  std::lock_guard lock(e.registry_mu);
  e.registry.clear();
}

ImVec2 measure(const ImFont* font, std::string_view s, float wrap_width, const Options& opt) {
  return engine().layout(font, s, wrap_width, opt).size;
}

float width(const ImFont* font, std::string_view s) { return measure(font, s).x; }

ImVec2 draw(ImDrawList* dl, const ImFont* font, ImVec2 pos, ImU32 color, std::string_view s, float wrap_width,
            const Options& opt, float box_width) {
  return engine().draw(dl, font, pos, color, s, wrap_width, opt, box_width);
}

Rect item(const ImFont* font, ImU32 color, std::string_view s, bool wrap, const Options& opt) {
  ImGuiWindow* w = ImGui::GetCurrentWindow();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  // Where ImGui wraps TextUnformatted under PushTextWrapPos(0).
  const float avail = std::max(w->WorkRect.Max.x - p.x, 1.0f);
  const Layout& L = engine().layout(font, s, wrap ? avail : 0.0f, opt);
  const ImVec2 sz = L.size;
  const float box = wrap ? avail : sz.x;
  draw(w->DrawList, font, p, color, s, wrap ? avail : 0.0f, opt, box);
  ImGui::Dummy(sz);
  Align a = opt.align;
  if (a == Align::Start) a = L.lines.front().rtl ? Align::Right : Align::Left;
  float x = p.x;
  if (a == Align::Right) x = p.x + box - sz.x;
  if (a == Align::Center) x = p.x + (box - sz.x) * 0.5f;
  return Rect{ImVec2(x, p.y), ImVec2(x + sz.x, p.y + sz.y), L.line_h};
}

void set_base_direction(Direction d) { engine().base_direction = d; }

bool is_rtl(std::string_view s, const Options& opt) {
  if (opt.direction != Direction::Auto) return opt.direction == Direction::RightToLeft;
  if (engine().base_direction != Direction::Auto) return engine().base_direction == Direction::RightToLeft;
  std::vector<std::uint32_t> cps, offs;
  decode_utf8(s, cps, offs);
  std::size_t n = 0;
  while (n < cps.size() && cps[n] != '\n') ++n;
  if (n == 0) return false;
  std::vector<FriBidiCharType> types(n);
  fribidi_get_bidi_types(reinterpret_cast<const FriBidiChar*>(cps.data()), static_cast<FriBidiStrIndex>(n),
                         types.data());
  return fribidi_get_par_direction(types.data(), static_cast<FriBidiStrIndex>(n)) == FRIBIDI_PAR_RTL;
}

std::vector<std::uint8_t> bidi_levels(std::string_view s, bool rtl) {
  std::vector<std::uint32_t> cps, offs;
  decode_utf8(s, cps, offs);
  const auto len = static_cast<FriBidiStrIndex>(cps.size());
  std::vector<FriBidiCharType> types(cps.size());
  std::vector<FriBidiBracketType> brackets(cps.size());
  std::vector<FriBidiLevel> levels(cps.size());
  const auto* chars = reinterpret_cast<const FriBidiChar*>(cps.data());
  fribidi_get_bidi_types(chars, len, types.data());
  fribidi_get_bracket_types(chars, len, types.data(), brackets.data());
  FriBidiParType dir = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
  if (len > 0 && fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), len, &dir, levels.data()) == 0)
    std::fill(levels.begin(), levels.end(), static_cast<FriBidiLevel>(rtl ? 1 : 0));
  std::vector<std::uint8_t> out(s.size(), rtl ? 1 : 0);
  for (std::size_t i = 0; i < cps.size(); ++i)
    for (std::uint32_t b = offs[i]; b < offs[i + 1]; ++b) out[b] = static_cast<std::uint8_t>(levels[i]);
  return out;
}

std::vector<Line> lines(const ImFont* font, std::string_view s, float wrap_width, const Options& opt) {
  const Layout& L = engine().layout(font, s, wrap_width, opt);
  std::vector<Line> out;
  for (const auto& ln : L.lines) {
    std::uint32_t e = ln.end;
    while (e > ln.begin && (is_space(L.cps[e - 1]) || L.cps[e - 1] == '\n')) --e;
    out.push_back(Line{L.offs[ln.begin], L.offs[e], ln.width, ln.rtl});
  }
  return out;
}

Stats stats() {
  Engine& e = engine();
  Stats s = e.st;
  s.layouts_cached = e.layouts.size();
  s.glyphs_cached = e.slots.size();
  s.atlas_size = e.atlas_w;
  return s;
}

}  // namespace kiosk::ui::text
