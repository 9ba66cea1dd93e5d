// The text engine's insides, shared by its parts (not for use outside text/):
// the constants, the cached types, and the one `struct Engine` with its data.
// Its member functions are defined by topic:
//   fonts.cpp   font choice: spec_of, faces, the fallback chain, glyph ink
//   layout.cpp  itemising, line breaking and shaping; the layout cache
//   atlas.cpp   the glyph atlas texture, attach_renderer/detach_renderer
//   record.cpp  what tests see drawn (record, take_recorded)
//   engine.cpp  the engine itself, drawing, and the rest of text.hpp
#pragma once

#include <SDL.h>
#include <hb.h>
#include <raqm.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "font_files.hpp"
#include "text.hpp"

// FreeType (FT_Face, FT_Library) comes in through raqm.h.

namespace kiosk::ui::text::detail {

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

// Small helpers on code points (layout.cpp).
bool is_space(std::uint32_t c);
// Characters that take the font of what they sit in and need no glyph check.
bool follows_neighbour(std::uint32_t c, hb_script_t s);
void decode_utf8(std::string_view s, std::vector<std::uint32_t>& cps, std::vector<std::uint32_t>& offs);

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
  // The engine's own frame count: it outlives ImGui contexts, whose counts start again at 0.
  int seen_frame = -1, ticks = 0;
  // The direction a paragraph takes when its options say Auto (set_base_direction).
  Direction base_direction = Direction::Auto;

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

  // engine.cpp
  Engine();
  ~Engine();
  ImVec2 draw(ImDrawList* dl, const ImFont* font, ImVec2 pos, ImU32 color, std::string_view s, float wrap,
              const Options& opt, float box);

  // fonts.cpp
  FontSpec spec_of(const ImFont* font);
  int face(const std::string& file, std::int32_t size26);
  std::int32_t base_size26(const FontSpec& s);
  const std::vector<std::string>& files_for_script(hb_script_t script, bool bold);
  const std::string& file_for_char(std::uint32_t c, bool bold);
  bool has(int f, std::uint32_t c);
  int choose(const FontSpec& spec, int base, std::int32_t size26, hb_script_t script, std::uint32_t c);
  std::pair<float, float> ink_of(int f, std::uint32_t gid);

  // layout.cpp
  void shape(Layout& L, const std::vector<int>& font_of, std::uint32_t b, std::uint32_t e, bool rtl,
             std::vector<Glyph>& out);
  static float width_of(const std::vector<Glyph>& gs);
  void build(Layout& L, const FontSpec& spec, float wrap, const Options& opt);
  int frame();
  Layout& layout(const ImFont* font, std::string_view text, float wrap, const Options& given);
  void sweep(int now);

  // atlas.cpp
  void grow_atlas();
  static SDL_Texture* make_atlas(SDL_Renderer* r, int size);
  void reset_atlas();
  const Slot* slot(int f, std::uint32_t gid, int sx, int sy);

  // record.cpp
  void record_line(const Layout& L, const LayoutLine& ln, int line_no);
};

// The one engine of the process (engine.cpp).
Engine& engine();

}  // namespace kiosk::ui::text::detail
