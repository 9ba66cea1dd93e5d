// The text engine behind text.hpp. One engine per process, used from the UI
// thread; only the font registry is touched from the thread that builds
// Dear ImGui's atlas (Host starts it in the background), so only it is locked.
#include <SDL.h>
#include <fontconfig/fontconfig.h>
#include <fribidi.h>
#include <hb.h>
#include <imgui_internal.h>
#include <linebreak.h>
#include <raqm.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "font_files.hpp"
#include "text.hpp"

// FreeType comes in through raqm.h.
#include FT_OUTLINE_H

namespace kiosk::ui::text {
namespace {

// Glyphs are rasterised at a quarter pixel's precision in each direction, so
// the joins of cursive scripts (Nastaliq steps down diagonally) meet exactly.
constexpr int kSubpixels = 4;
// The glyph atlas starts at kAtlasStart square and doubles, up to
// kAtlasSize, when a frame's glyphs do not fit (200% text, a second script):
// English at 100% never needs the 16 MiB of the largest.
constexpr int kAtlasStart = 1024;
constexpr int kAtlasSize = 2048;
// A layout not drawn or measured for this many frames is dropped at the next sweep.
constexpr int kLayoutIdleFrames = 1800;
constexpr std::size_t kLayoutCap = 4000;

struct Face {
  std::string file;
  bool bold = false;
  std::int32_t size26 = 0;  // em size in 1/64 px
  FT_Face ft = nullptr;
};

// Fonts per script after the base font, by family, best first. Arabic is
// Nastaliq (the style Urdu is read in) at the base font's em size: its
// letters then match the Latin ones beside them, and lines take the height
// their ink needs (see Layout::asc), not the font's 2.5 em line box.
struct ScriptFonts {
  hb_script_t script;
  std::vector<const char*> families;
};
const std::vector<ScriptFonts>& script_fonts() {
  static const std::vector<ScriptFonts> table = {
      {HB_SCRIPT_ARABIC, {"Noto Nastaliq Urdu", "Noto Naskh Arabic", "Noto Sans Arabic"}},
      {HB_SCRIPT_BENGALI, {"Noto Sans Bengali", "Noto Serif Bengali"}},
      {HB_SCRIPT_GURMUKHI, {"Noto Sans Gurmukhi", "Noto Serif Gurmukhi"}},
      {HB_SCRIPT_GUJARATI, {"Noto Sans Gujarati", "Noto Serif Gujarati"}},
      {HB_SCRIPT_DEVANAGARI, {"Noto Sans Devanagari", "Noto Serif Devanagari"}},
      {HB_SCRIPT_ORIYA, {"Noto Sans Oriya"}},
      {HB_SCRIPT_TAMIL, {"Noto Sans Tamil"}},
      {HB_SCRIPT_TELUGU, {"Noto Sans Telugu"}},
      {HB_SCRIPT_KANNADA, {"Noto Sans Kannada"}},
      {HB_SCRIPT_MALAYALAM, {"Noto Sans Malayalam"}},
      {HB_SCRIPT_SINHALA, {"Noto Sans Sinhala"}},
      {HB_SCRIPT_HEBREW, {"Noto Sans Hebrew"}},
      {HB_SCRIPT_THAI, {"Noto Sans Thai"}},
      {HB_SCRIPT_LAO, {"Noto Sans Lao"}},
      {HB_SCRIPT_KHMER, {"Noto Sans Khmer"}},
      {HB_SCRIPT_MYANMAR, {"Noto Sans Myanmar"}},
      {HB_SCRIPT_ETHIOPIC, {"Noto Sans Ethiopic"}},
      {HB_SCRIPT_ARMENIAN, {"Noto Sans Armenian"}},
      {HB_SCRIPT_GEORGIAN, {"Noto Sans Georgian"}},
      {HB_SCRIPT_THAANA, {"Noto Sans Thaana"}},
      {HB_SCRIPT_SYRIAC, {"Noto Sans Syriac"}},
      {HB_SCRIPT_HAN, {"Noto Sans CJK SC", "Noto Sans CJK JP"}},
      {HB_SCRIPT_HIRAGANA, {"Noto Sans CJK JP"}},
      {HB_SCRIPT_KATAKANA, {"Noto Sans CJK JP"}},
      {HB_SCRIPT_HANGUL, {"Noto Sans CJK KR"}},
  };
  return table;
}

bool base_script(hb_script_t s) {
  return s == HB_SCRIPT_LATIN || s == HB_SCRIPT_GREEK || s == HB_SCRIPT_CYRILLIC || s == HB_SCRIPT_COMMON ||
         s == HB_SCRIPT_INHERITED || s == HB_SCRIPT_UNKNOWN;
}

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

struct Glyph {
  std::uint32_t gid = 0;
  int face = 0;
  std::uint32_t cluster = 0;  // code point index in the whole text
  std::int32_t xa = 0, xo = 0, yo = 0;
  float x = 0;  // pen position + offset, from the line's left edge
  float y = 0;  // offset below the baseline
  std::uint8_t level = 0;
};

struct LayoutLine {
  std::vector<Glyph> glyphs;  // visual order
  float width = 0;
  // Where its ink starts and ends from its left edge, once drawn (may pass 0 and width).
  mutable float ink_min = 0, ink_max = 0;
  mutable bool ink_known = false;
  bool rtl = false;
  std::uint32_t begin = 0, end = 0;  // code points
};

struct Layout {
  std::vector<std::uint32_t> cps, offs;
  std::vector<LayoutLine> lines;
  float asc = 0;     // baseline below the top of a line
  float line_h = 0;  // from one line's top to the next
  ImVec2 size{0, 0};
  int last_used = 0;
  std::string text;
};

struct Slot {
  std::int16_t w = 0, h = 0, left = 0, top = 0;
  ImVec2 uv0, uv1;
};

struct Engine {
  std::mutex registry_mu;
  std::unordered_map<const ImFont*, FontSpec> registry;

  FT_Library ft = nullptr;
  std::vector<Face> faces;
  std::map<std::pair<std::string, std::int32_t>, int> face_index;
  std::map<std::pair<std::string, bool>, float> em_ratio;  // file -> em per ImGui pixel size
  std::map<std::pair<int, bool>, std::vector<std::string>> script_files;
  std::map<std::pair<std::uint32_t, bool>, std::string> charset_files;
  FontFinder finder;
  std::unordered_map<std::uint64_t, std::pair<float, float>> ink;  // (face, glyph) -> top, bottom in px

  std::unordered_map<std::string, Layout> layouts;
  int snap_face = -1;  // the base face of the layout being built
  int last_sweep = 0;

  SDL_Renderer* renderer = nullptr;
  SDL_Texture* atlas = nullptr;
  int atlas_w = 0, atlas_h = 0, atlas_max = 0;
  int pen_x = 0, pen_y = 0, row_h = 0;
  bool atlas_full = false;
  int full_frame = -1, draw_frame = 0;
  std::unordered_map<std::uint64_t, Slot> slots;
  std::vector<std::uint32_t> upload;

  bool recording = false;
  std::vector<DrawnRun> recorded;
  Stats st;

  Engine() {
    FT_Init_FreeType(&ft);
    init_linebreak();
  }
  ~Engine() {
    if (atlas) SDL_DestroyTexture(atlas);
    for (auto& f : faces) FT_Done_Face(f.ft);
    FT_Done_FreeType(ft);
  }

  FontSpec spec_of(const ImFont* font) {
    {
      std::lock_guard lock(registry_mu);
      if (auto it = registry.find(font); it != registry.end()) return it->second;
    }
    // An ImFont the kiosk did not build (ImGui's default): the base font at its size.
    FontSpec s;
    auto file = finder.find("DejaVu Sans", false);
    s.file = file.ok() ? *file : std::string();
    s.px = font ? font->FontSize : 16.0f;
    return s;
  }

  int face(const std::string& file, std::int32_t size26) {
    const auto key = std::make_pair(file, size26);
    if (auto it = face_index.find(key); it != face_index.end()) return it->second;
    Face f;
    f.file = file;
    f.size26 = size26;
    if (FT_New_Face(ft, file.c_str(), 0, &f.ft) != 0) {
      face_index[key] = -1;
      return -1;
    }
    FT_Set_Char_Size(f.ft, 0, size26, 72, 72);
    faces.push_back(f);
    const int i = static_cast<int>(faces.size()) - 1;
    face_index[key] = i;
    return i;
  }

  // The em size that makes the base font's ascender-to-descender height
  // `px`: how stb_truetype sizes Dear ImGui's fonts.
  std::int32_t base_size26(const FontSpec& s) {
    const auto key = std::make_pair(s.file, false);
    auto it = em_ratio.find(key);
    if (it == em_ratio.end()) {
      float ratio = 1.0f;
      FT_Face f = nullptr;
      if (FT_New_Face(ft, s.file.c_str(), 0, &f) == 0) {
        const int h = f->ascender - f->descender;
        if (h > 0) ratio = static_cast<float>(f->units_per_EM) / static_cast<float>(h);
        FT_Done_Face(f);
      }
      it = em_ratio.emplace(key, ratio).first;
    }
    return static_cast<std::int32_t>(std::lround(s.px * it->second * 64.0f));
  }

  const std::vector<std::string>& files_for_script(hb_script_t script, bool bold) {
    const auto key = std::make_pair(static_cast<int>(script), bold);
    if (auto it = script_files.find(key); it != script_files.end()) return it->second;
    std::vector<std::string> files;
    for (const auto& sf : script_fonts()) {
      if (sf.script != script) continue;
      for (const char* fam : sf.families) {
        auto r = finder.find(fam, bold);
        if (!r.ok() && bold) r = finder.find(fam, false);
        if (r.ok()) files.push_back(*r);
      }
    }
    return script_files.emplace(key, std::move(files)).first->second;
  }

  // Any installed font with a glyph for `c`, as fontconfig ranks them.
  const std::string& file_for_char(std::uint32_t c, bool bold) {
    const auto key = std::make_pair(c, bold);
    if (auto it = charset_files.find(key); it != charset_files.end()) return it->second;
    std::string file;
    if (FcInit()) {
      FcPattern* p = FcPatternCreate();
      FcCharSet* cs = FcCharSetCreate();
      FcCharSetAddChar(cs, c);
      FcPatternAddCharSet(p, FC_CHARSET, cs);
      FcPatternAddInteger(p, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
      FcConfigSubstitute(nullptr, p, FcMatchPattern);
      FcDefaultSubstitute(p);
      FcResult res = FcResultNoMatch;
      FcPattern* m = FcFontMatch(nullptr, p, &res);
      FcChar8* f = nullptr;
      FcCharSet* got = nullptr;
      if (m && FcPatternGetString(m, FC_FILE, 0, &f) == FcResultMatch &&
          FcPatternGetCharSet(m, FC_CHARSET, 0, &got) == FcResultMatch && FcCharSetHasChar(got, c))
        file = reinterpret_cast<const char*>(f);
      if (m) FcPatternDestroy(m);
      FcCharSetDestroy(cs);
      FcPatternDestroy(p);
    }
    return charset_files.emplace(key, std::move(file)).first->second;
  }

  bool has(int f, std::uint32_t c) { return f >= 0 && FT_Get_Char_Index(faces[static_cast<size_t>(f)].ft, c) != 0; }

  // The font chain: the base font for Latin, Greek, Cyrillic and the
  // characters common to all scripts; the script's Noto font otherwise; then
  // DejaVu Sans, then whatever fontconfig has for the character.
  int choose(const FontSpec& spec, int base, std::int32_t size26, hb_script_t script, std::uint32_t c) {
    if (!base_script(script)) {
      for (const auto& file : files_for_script(script, spec.bold)) {
        const int f = face(file, size26);
        if (has(f, c)) return f;
      }
    }
    if (has(base, c) || c < 0x20) return base;
    if (auto dv = finder.find("DejaVu Sans", spec.bold); dv.ok()) {
      const int f = face(*dv, size26);
      if (has(f, c)) return f;
    }
    if (const auto& file = file_for_char(c, spec.bold); !file.empty()) {
      const int f = face(file, size26);
      if (has(f, c)) return f;
    }
    return base;
  }

  std::pair<float, float> ink_of(int f, std::uint32_t gid) {
    const std::uint64_t key = (static_cast<std::uint64_t>(f) << 32) | gid;
    if (auto it = ink.find(key); it != ink.end()) return it->second;
    std::pair<float, float> r{0, 0};
    FT_Face ftf = faces[static_cast<size_t>(f)].ft;
    if (FT_Load_Glyph(ftf, gid, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP) == 0) {
      const auto& m = ftf->glyph->metrics;
      r.first = static_cast<float>(m.horiBearingY) / 64.0f;
      r.second = static_cast<float>(m.height - m.horiBearingY) / 64.0f;
    }
    ink.emplace(key, r);
    return r;
  }

  // Shapes code points [b, e) as one line in the paragraph's direction.
  void shape(Layout& L, const std::vector<int>& font_of, std::uint32_t b, std::uint32_t e, bool rtl,
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

  static float width_of(const std::vector<Glyph>& gs) {
    float w = 0;
    for (const auto& g : gs) w += static_cast<float>(g.xa) / 64.0f;
    return w;
  }

  void build(Layout& L, const FontSpec& spec, float wrap, const Options& opt) {
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
  int seen_frame = -1, ticks = 0;
  int frame() {
    const int f = ImGui::GetCurrentContext() ? ImGui::GetFrameCount() : 0;
    if (f != seen_frame) {
      seen_frame = f;
      ++ticks;
    }
    return ticks;
  }

  // The direction a paragraph takes when its options say Auto (set_base_direction).
  Direction base_direction = Direction::Auto;

  Layout& layout(const ImFont* font, std::string_view text, float wrap, const Options& given) {
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

  void sweep(int now) {
    if (layouts.size() < kLayoutCap && now - last_sweep < 600) return;
    last_sweep = now;
    const int idle = layouts.size() >= kLayoutCap ? 2 : kLayoutIdleFrames;
    for (auto it = layouts.begin(); it != layouts.end();)
      it = now - it->second.last_used > idle ? layouts.erase(it) : std::next(it);
  }

  // A texture twice the size, if the renderer allows one; the glyphs are
  // rasterised into it again as they are drawn. Called before anything of
  // the frame is drawn, so no draw command refers to the old texture.
  void grow_atlas() {
    if (!renderer || atlas_w >= atlas_max) return;
    SDL_Texture* bigger = make_atlas(renderer, atlas_w * 2);
    if (!bigger) return;
    SDL_DestroyTexture(atlas);
    atlas = bigger;
    atlas_w = atlas_h = atlas_w * 2;
  }

  static SDL_Texture* make_atlas(SDL_Renderer* r, int size) {
    SDL_Texture* t = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, size, size);
    if (t) {
      SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
      SDL_SetTextureScaleMode(t, SDL_ScaleModeNearest);
    }
    return t;
  }

  void reset_atlas() {
    slots.clear();
    pen_x = pen_y = row_h = 0;
    atlas_full = false;
  }

  const Slot* slot(int f, std::uint32_t gid, int sx, int sy) {
    const std::uint64_t key = (static_cast<std::uint64_t>(f) << 40) | (static_cast<std::uint64_t>(gid) << 8) |
                              static_cast<std::uint64_t>(sx << 4 | sy);
    if (auto it = slots.find(key); it != slots.end()) return &it->second;
    if (!atlas || atlas_full) return nullptr;
    FT_Face ftf = faces[static_cast<size_t>(f)].ft;
    Slot s;
    if (FT_Load_Glyph(ftf, gid, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP) == 0 &&
        ftf->glyph->format == FT_GLYPH_FORMAT_OUTLINE) {
      FT_Outline_Translate(&ftf->glyph->outline, sx * 64 / kSubpixels, -sy * 64 / kSubpixels);
      if (FT_Render_Glyph(ftf->glyph, FT_RENDER_MODE_NORMAL) == 0) {
        const FT_Bitmap& bm = ftf->glyph->bitmap;
        s.w = static_cast<std::int16_t>(bm.width);
        s.h = static_cast<std::int16_t>(bm.rows);
        s.left = static_cast<std::int16_t>(ftf->glyph->bitmap_left);
        s.top = static_cast<std::int16_t>(ftf->glyph->bitmap_top);
        if (s.w > 0 && s.h > 0) {
          const int pw = s.w + 2, ph = s.h + 2;  // a clear border: nothing of a neighbour is sampled
          if (pen_x + pw > atlas_w) {
            pen_x = 0;
            pen_y += row_h;
            row_h = 0;
          }
          if (pen_y + ph > atlas_h || pw > atlas_w) {
            atlas_full = true;
            full_frame = draw_frame;
            return nullptr;
          }
          upload.assign(static_cast<size_t>(pw * ph), 0u);
          for (int y = 0; y < s.h; ++y)
            for (int x = 0; x < s.w; ++x) {
              const std::uint32_t a = bm.buffer[y * bm.pitch + x];
              upload[static_cast<size_t>((y + 1) * pw + x + 1)] = (a << 24) | 0x00FFFFFFu;
            }
          const SDL_Rect r{pen_x, pen_y, pw, ph};
          SDL_UpdateTexture(atlas, &r, upload.data(), pw * 4);
          const float iw = 1.0f / static_cast<float>(atlas_w), ih = 1.0f / static_cast<float>(atlas_h);
          s.uv0 = ImVec2(static_cast<float>(pen_x + 1) * iw, static_cast<float>(pen_y + 1) * ih);
          s.uv1 = ImVec2(static_cast<float>(pen_x + 1 + s.w) * iw, static_cast<float>(pen_y + 1 + s.h) * ih);
          pen_x += pw;
          row_h = std::max(row_h, ph);
          ++st.glyphs_rasterised;
        }
      }
    }
    return &slots.emplace(key, s).first->second;
  }

  void record_line(const Layout& L, const LayoutLine& ln, int line_no) {
    int visual = 0;
    for (std::size_t a = 0; a < ln.glyphs.size();) {
      std::size_t b = a + 1;
      while (b < ln.glyphs.size() && ln.glyphs[b].face == ln.glyphs[a].face && ln.glyphs[b].level == ln.glyphs[a].level)
        ++b;
      DrawnRun r;
      const Face& f = faces[static_cast<size_t>(ln.glyphs[a].face)];
      r.font_file = f.file;
      r.size_26_6 = f.size26;
      r.rtl = (ln.glyphs[a].level & 1) != 0;
      r.line = line_no;
      r.visual_index = visual++;
      r.paragraph = L.text;
      std::uint32_t lo = ln.glyphs[a].cluster, hi = lo;
      for (std::size_t k = a; k < b; ++k) {
        lo = std::min(lo, ln.glyphs[k].cluster);
        hi = std::max(hi, ln.glyphs[k].cluster);
      }
      // The run's characters end where the next cluster of the line starts,
      // or at the line's end without the spaces that were not shaped.
      std::uint32_t end = ln.end;
      bool last = true;
      for (const auto& g : ln.glyphs)
        if (g.cluster > hi) end = std::min(end, g.cluster), last = false;
      if (last)
        while (end > hi + 1 && (is_space(L.cps[end - 1]) || L.cps[end - 1] == '\n')) --end;
      end = std::max(end, hi + 1);
      r.text = L.text.substr(L.offs[lo], L.offs[end] - L.offs[lo]);
      r.offset = L.offs[lo];
      for (std::size_t k = a; k < b; ++k) {
        const auto& g = ln.glyphs[k];
        r.glyphs.push_back(g.gid);
        r.clusters.push_back(L.offs[g.cluster] - L.offs[lo]);
        r.x_advance.push_back(g.xa);
        r.x_offset.push_back(g.xo);
        r.y_offset.push_back(g.yo);
      }
      recorded.push_back(std::move(r));
      a = b;
    }
  }

  ImVec2 draw(ImDrawList* dl, const ImFont* font, ImVec2 pos, ImU32 color, std::string_view s, float wrap,
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
};

Engine& engine() {
  static Engine e;
  return e;
}

}  // namespace

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

void attach_renderer(SDL_Renderer* renderer) {
  Engine& e = engine();
  detach_renderer(nullptr);
  e.renderer = renderer;
  SDL_RendererInfo info{};
  e.atlas_max = kAtlasSize;
  if (SDL_GetRendererInfo(renderer, &info) == 0 && info.max_texture_width > 0)
    e.atlas_max = std::min({e.atlas_max, info.max_texture_width, info.max_texture_height});
  const int size = std::min(kAtlasStart, e.atlas_max);
  e.atlas = Engine::make_atlas(renderer, size);
  if (e.atlas) e.atlas_w = e.atlas_h = size;
  e.reset_atlas();
}

void detach_renderer(SDL_Renderer* renderer) {
  Engine& e = engine();
  if (renderer && renderer != e.renderer) return;
  if (e.atlas) SDL_DestroyTexture(e.atlas);
  e.atlas = nullptr;
  e.renderer = nullptr;
  e.reset_atlas();
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

void record(bool on) {
  Engine& e = engine();
  e.recording = on;
  if (on) e.recorded.clear();
}

std::vector<DrawnRun> take_recorded() {
  std::vector<DrawnRun> out;
  out.swap(engine().recorded);
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
