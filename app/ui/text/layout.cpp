// Layouts for the text engine: a paragraph itemised by script (each run a
// font from fonts.cpp), broken into lines where UAX #14 allows (libunibreak),
// each line shaped and put in visual order by libraqm; and the layout cache
// (layout(), the engine's frame count, sweep()).
#include <fribidi.h>
#include <imgui.h>
#include <linebreak.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "engine_internal.hpp"

namespace kiosk::ui::text::detail {

bool is_space(std::uint32_t c) { return c == ' ' || c == '\t' || c == 0x3000 || (c >= 0x2000 && c <= 0x200A); }

// Characters that take the font of what they sit in and need no glyph check.
bool follows_neighbour(std::uint32_t c, hb_script_t s) {
  return s == HB_SCRIPT_INHERITED || c == 0x200C || c == 0x200D || (c >= 0x200E && c <= 0x200F) ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

void decode_utf8(std::string_view s, std::vector<std::uint32_t>& cps, std::vector<std::uint32_t>& offs) {
  cps.clear();
  offs.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t c = 0xFFFD;
    std::size_t n = 1;
    auto cont = [&](std::size_t k) {
      return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    };
    auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
    if (b < 0x80) {
      c = b;
    } else if ((b & 0xE0) == 0xC0 && cont(1)) {
      c = ((b & 0x1Fu) << 6) | at(1), n = 2;
    } else if ((b & 0xF0) == 0xE0 && cont(1) && cont(2)) {
      c = ((b & 0x0Fu) << 12) | (at(1) << 6) | at(2), n = 3;
    } else if ((b & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
      c = ((b & 0x07u) << 18) | (at(1) << 12) | (at(2) << 6) | at(3), n = 4;
    }
    cps.push_back(c);
    offs.push_back(static_cast<std::uint32_t>(i));
    i += n;
  }
  offs.push_back(static_cast<std::uint32_t>(s.size()));
}

// Shapes code points [b, e) as one line in the paragraph's direction.
void Engine::shape(Layout& L, const std::vector<int>& font_of, std::uint32_t b, std::uint32_t e, bool rtl,
                   std::vector<Glyph>& out) {
  out.clear();
  if (e <= b || font_of[b] < 0) return;
  ++st.lines_shaped;
  raqm_t* rq = raqm_create();
  raqm_set_text(rq, L.cps.data() + b, e - b);
  raqm_set_par_direction(rq, rtl ? RAQM_DIRECTION_RTL : RAQM_DIRECTION_LTR);
  for (std::uint32_t i = b; i < e;) {
    std::uint32_t j = i + 1;
    while (j < e && font_of[j] == font_of[i]) ++j;
    raqm_set_freetype_face_range(rq, faces[static_cast<size_t>(font_of[i])].ft, i - b, j - i);
    i = j;
  }
  std::vector<int> used;  // the faces of this line, to tell raqm's FT_Face back as ours
  for (std::uint32_t i = b; i < e; ++i)
    if (std::find(used.begin(), used.end(), font_of[i]) == used.end()) used.push_back(font_of[i]);
  if (raqm_layout(rq)) {
    std::size_t n = 0;
    const raqm_glyph_t* g = raqm_get_glyphs(rq, &n);
    // Bidi levels, for telling the runs of a line apart.
    const auto len = static_cast<FriBidiStrIndex>(e - b);
    std::vector<FriBidiCharType> types(static_cast<size_t>(len));
    std::vector<FriBidiBracketType> brackets(static_cast<size_t>(len));
    std::vector<FriBidiLevel> levels(static_cast<size_t>(len));
    const auto* chars = reinterpret_cast<const FriBidiChar*>(L.cps.data() + b);
    fribidi_get_bidi_types(chars, len, types.data());
    fribidi_get_bracket_types(chars, len, types.data(), brackets.data());
    FriBidiParType dir = rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR;
    // 0 is failure (out of memory): every character then takes the paragraph's level.
    if (fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), len, &dir, levels.data()) == 0)
      std::fill(levels.begin(), levels.end(), static_cast<FriBidiLevel>(rtl ? 1 : 0));
    float pen = 0;
    out.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      Glyph o;
      o.gid = g[k].index;
      o.face = font_of[b];
      for (int u : used)
        if (faces[static_cast<size_t>(u)].ft == g[k].ftface) o.face = u;
      o.cluster = b + g[k].cluster;
      // The base font's advances in whole pixels, as Dear ImGui's PixelSnapH
      // had them: English keeps the widths and line breaks it had, its
      // letters on whole pixels. Other scripts keep HarfBuzz's exact advances
      // (cursive joins need them).
      o.xa = o.face == snap_face ? (g[k].x_advance + 32) / 64 * 64 : g[k].x_advance;
      o.xo = g[k].x_offset;
      o.yo = g[k].y_offset;
      o.x = pen + static_cast<float>(o.xo) / 64.0f;
      o.y = -static_cast<float>(o.yo) / 64.0f;
      o.level = g[k].cluster < levels.size() ? levels[g[k].cluster] : 0;
      pen += static_cast<float>(o.xa) / 64.0f;
      out.push_back(o);
    }
  }
  raqm_destroy(rq);
}

float Engine::width_of(const std::vector<Glyph>& gs) {
  float w = 0;
  for (const auto& g : gs) w += static_cast<float>(g.xa) / 64.0f;
  return w;
}

void Engine::build(Layout& L, const FontSpec& spec, float wrap, const Options& opt) {
  ++st.layouts_built;
  decode_utf8(L.text, L.cps, L.offs);
  const auto n = static_cast<std::uint32_t>(L.cps.size());
  const std::int32_t size26 = base_size26(spec);
  const int base = face(spec.file, size26);
  snap_face = base;
  // ImGui's line: FontSize high, the baseline at its rounded-up ascent.
  float base_asc = std::floor(spec.px * 0.8f + 1.0f);
  if (base >= 0) {
    FT_Face f = faces[static_cast<size_t>(base)].ft;
    const float scale = spec.px / static_cast<float>(f->ascender - f->descender);
    base_asc = std::floor(static_cast<float>(f->ascender) * scale + 1.0f);
  }
  L.asc = base_asc;
  float desc = spec.px - base_asc;

  // Itemise by script: characters common to all scripts join the script
  // before them (after them at the start), except digits, which keep the
  // base font and so their look and order inside Urdu.
  std::vector<int> font_of(n, base);
  if (base >= 0 && n > 0) {
    hb_unicode_funcs_t* uf = hb_unicode_funcs_get_default();
    std::vector<hb_script_t> script(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t c = L.cps[i];
      script[i] = (c >= '0' && c <= '9') ? HB_SCRIPT_LATIN : hb_unicode_script(uf, c);
    }
    hb_script_t last = HB_SCRIPT_COMMON;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (script[i] == HB_SCRIPT_INHERITED || script[i] == HB_SCRIPT_COMMON || script[i] == HB_SCRIPT_UNKNOWN) {
        if (last != HB_SCRIPT_COMMON) script[i] = last;
      } else {
        last = script[i];
      }
    }
    hb_script_t next = HB_SCRIPT_COMMON;
    for (std::uint32_t i = n; i-- > 0;) {
      if (script[i] == HB_SCRIPT_COMMON || script[i] == HB_SCRIPT_INHERITED || script[i] == HB_SCRIPT_UNKNOWN)
        script[i] = next;
      else
        next = script[i];
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t c = L.cps[i];
      if (i > 0 && follows_neighbour(c, hb_unicode_script(uf, c)) && c != '\n')
        font_of[i] = font_of[i - 1];
      else
        font_of[i] = choose(spec, base, size26, script[i], c);
    }
    // A space between a base-font word and another script's takes the base
    // font's width: Nastaliq's narrow space would press a Latin name or a
    // number against the Urdu beside it.
    for (std::uint32_t i = 0; i < n; ++i) {
      if (L.cps[i] != ' ' || font_of[i] == base) continue;
      const bool before = i > 0 && font_of[i - 1] == base && L.cps[i - 1] != '\n';
      const bool after = i + 1 < n && font_of[i + 1] == base && L.cps[i + 1] != '\n';
      if (before || after) font_of[i] = base;
    }
  }

  std::vector<char> brks(n);
  if (n > 0) set_linebreaks_utf32(reinterpret_cast<const utf32_t*>(L.cps.data()), n, nullptr, brks.data());

  std::vector<Glyph> whole, line;
  std::vector<float> adv;
  std::vector<char> cluster_start;
  std::uint32_t p0 = 0;
  while (true) {
    std::uint32_t p1 = p0;
    while (p1 < n && L.cps[p1] != '\n') ++p1;
    // The paragraph's direction.
    bool rtl = opt.direction == Direction::RightToLeft;
    if (opt.direction == Direction::Auto && p1 > p0) {
      std::vector<FriBidiCharType> types(p1 - p0);
      fribidi_get_bidi_types(reinterpret_cast<const FriBidiChar*>(L.cps.data() + p0),
                             static_cast<FriBidiStrIndex>(p1 - p0), types.data());
      rtl = fribidi_get_par_direction(types.data(), static_cast<FriBidiStrIndex>(p1 - p0)) == FRIBIDI_PAR_RTL;
    }
    auto trim = [&](std::uint32_t b, std::uint32_t e) {
      while (e > b && is_space(L.cps[e - 1])) --e;
      return e;
    };
    auto emit = [&](std::uint32_t b, std::uint32_t e, std::vector<Glyph>& gs) {
      LayoutLine ll;
      ll.begin = b;
      ll.end = e;
      ll.rtl = rtl;
      ll.width = width_of(gs);
      ll.glyphs = std::move(gs);
      L.lines.push_back(std::move(ll));
      gs = {};
    };
    if (wrap <= 0 || p1 == p0) {
      shape(L, font_of, p0, p1, rtl, line);
      emit(p0, p1, line);
    } else {
      // Advances of each character from the paragraph shaped whole, to
      // choose breaks; each line chosen is then shaped on its own and
      // checked against the width.
      shape(L, font_of, p0, p1, rtl, whole);
      adv.assign(n, 0.0f);
      cluster_start.assign(n + 1, 0);
      for (const auto& g : whole) {
        adv[g.cluster] += static_cast<float>(g.xa) / 64.0f;
        cluster_start[g.cluster] = 1;
      }
      cluster_start[p1] = 1;
      std::uint32_t i = p0;
      while (i < p1) {
        std::uint32_t limit = p1;
        while (true) {
          // Greedy: whole segments between break opportunities while they fit.
          float w = 0;
          std::uint32_t end = 0, j = i;
          while (j < limit) {
            std::uint32_t k = j;
            while (k < limit && !(k + 1 == limit || brks[k] == LINEBREAK_ALLOWBREAK)) ++k;
            k = std::min(k + 1, limit);
            float full = 0, trimmed = 0;
            for (std::uint32_t m = j; m < k; ++m) full += adv[m];
            trimmed = full;
            for (std::uint32_t m = k; m > j && is_space(L.cps[m - 1]); --m) trimmed -= adv[m - 1];
            if (w + trimmed > wrap) {
              if (end == 0) {
                // A word longer than the line: as many whole clusters as fit, at least one.
                float ww = w;
                std::uint32_t m = j;
                end = j;
                while (m < k) {
                  std::uint32_t q = m + 1;
                  while (q < k && !cluster_start[q]) ++q;
                  float cw = 0;
                  for (std::uint32_t t = m; t < q; ++t) cw += adv[t];
                  if (end > i && ww + cw > wrap) break;
                  ww += cw;
                  end = q;
                  m = q;
                }
              }
              break;
            }
            w += full;
            end = k;
            j = k;
          }
          if (end <= i) end = limit;
          shape(L, font_of, i, trim(i, end), rtl, line);
          // Shaped alone the line can come out wider than its parts summed
          // (kerning, joining at its ends): then break one opportunity earlier.
          if (width_of(line) > wrap + 0.5f) {
            std::uint32_t earlier = end - 1;
            while (earlier > i && brks[earlier - 1] != LINEBREAK_ALLOWBREAK) --earlier;
            if (earlier > i) {
              limit = earlier;
              continue;
            }
          }
          emit(i, end, line);
          i = end;
          break;
        }
      }
    }
    if (p1 >= n) break;
    p0 = p1 + 1;
    if (p0 == n) break;  // a final "\n" ends the last line
  }
  if (L.lines.empty()) {
    LayoutLine ll;
    L.lines.push_back(ll);
  }
  // Lines are as high as ImGui's unless a fallback font's ink needs more.
  for (const auto& ln : L.lines)
    for (const auto& g : ln.glyphs) {
      if (g.face == base) continue;
      const auto [top, bottom] = ink_of(g.face, g.gid);
      L.asc = std::max(L.asc, std::ceil(top - g.y) + 1.0f);
      desc = std::max(desc, std::ceil(bottom + g.y) + 1.0f);
    }
  L.line_h = L.asc + desc;
  float w = 0;
  for (const auto& ln : L.lines) w = std::max(w, ln.width);
  L.size = ImVec2(w, L.line_h * static_cast<float>(L.lines.size()));
}

// The engine's own frame count: it outlives ImGui contexts, whose counts start again at 0.
int Engine::frame() {
  const int f = ImGui::GetCurrentContext() ? ImGui::GetFrameCount() : 0;
  if (f != seen_frame) {
    seen_frame = f;
    ++ticks;
  }
  return ticks;
}

Layout& Engine::layout(const ImFont* font, std::string_view text, float wrap, const Options& given) {
  Options opt = given;
  if (opt.direction == Direction::Auto) opt.direction = base_direction;
  const FontSpec spec = spec_of(font);
  const int wrap_q = wrap > 0 ? static_cast<int>(std::lround(wrap * 8.0f)) : 0;
  std::string key;
  key.reserve(spec.file.size() + text.size() + 32);
  key += spec.file;
  key += spec.bold ? "|b|" : "|r|";
  key += std::to_string(static_cast<int>(std::lround(spec.px * 64.0f)));
  key += '|';
  key += std::to_string(wrap_q);
  key += '|';
  key += static_cast<char>('0' + static_cast<int>(opt.direction));
  key += '|';
  key += text;
  const int now = frame();
  if (auto it = layouts.find(key); it != layouts.end()) {
    ++st.layout_hits;
    it->second.last_used = now;
    return it->second;
  }
  sweep(now);
  Layout& L = layouts[key];
  L.text = std::string(text);
  L.last_used = now;
  build(L, spec, wrap > 0 ? static_cast<float>(wrap_q) / 8.0f : 0.0f, opt);
  return L;
}

void Engine::sweep(int now) {
  if (layouts.size() < kLayoutCap && now - last_sweep < 600) return;
  last_sweep = now;
  const int idle = layouts.size() >= kLayoutCap ? 2 : kLayoutIdleFrames;
  for (auto it = layouts.begin(); it != layouts.end();)
    it = now - it->second.last_used > idle ? layouts.erase(it) : std::next(it);
}

}  // namespace kiosk::ui::text::detail
