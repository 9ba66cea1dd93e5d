// The kiosk's text engine: every word the touchscreen shows is measured and
// drawn here, not by Dear ImGui's own text functions, which neither shape nor
// order text. A paragraph is split into runs by script, each run gets a font
// from a fallback chain (the kiosk's base font for Latin, Greek and Cyrillic,
// then a Noto font per script, found through fontconfig), lines are broken
// where UAX #14 allows (libunibreak), and each line is shaped and put in visual
// order by libraqm (HarfBuzz + FriBidi). Glyphs are rasterised by glyph index
// with FreeType into an atlas texture of the engine's own; shaped layouts are
// cached, so a steady frame shapes nothing.
//
// Callers keep passing the ImFont* they used before (its size and weight pick
// the font); a paragraph is aligned to the start of its own direction unless
// the caller asks otherwise, so Urdu sits at the right of its box unasked.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct SDL_Renderer;

namespace kiosk::ui::text {

enum class Direction { Auto, LeftToRight, RightToLeft };
enum class Align { Start, Left, Right, Center };

struct Options {
  Direction direction = Direction::Auto;  // Auto: from the first strong character
  Align align = Align::Start;             // Start: left for LTR paragraphs, right for RTL ones
};

// What Direction::Auto means from now on: Auto (each paragraph from its first
// strong character) while the visitor's language is written left to right;
// RightToLeft while it is written right to left, so that an Urdu sentence
// which starts with a Latin name ("Castle library میں خوش آمدید") still reads
// from the right, as the HTML dir attribute does for a page.
void set_base_direction(Direction d);

// What build_fonts made each ImFont from: the base family's file and the size
// Dear ImGui was asked for (the height from ascender to descender, as stb_truetype
// reads it, so English keeps exactly the look it had).
struct FontSpec {
  std::string file;
  bool bold = false;
  float px = 0;
  bool dyslexic = false;
};
void register_font(const ImFont* font, FontSpec spec);
// Before ImGui's atlas is rebuilt: its ImFont pointers are about to change.
void forget_fonts();

// The renderer the glyph atlas texture lives in (Host::open), and its end
// (before the renderer is destroyed; nullptr: whichever renderer it is in).
void attach_renderer(SDL_Renderer* renderer);
void detach_renderer(SDL_Renderer* renderer);

// Like ImFont::CalcTextSizeA: the widest line and the height of all lines,
// wrapped at `wrap_width` (0 or less: lines break only at "\n").
ImVec2 measure(const ImFont* font, std::string_view text, float wrap_width = 0, const Options& opt = {});
float width(const ImFont* font, std::string_view text);

// Draws `text` with the top left of its box at `pos`. Lines are aligned inside
// `box_width` (0: the wrap width, or the text's own width without one).
// Returns the size measure() gives.
ImVec2 draw(ImDrawList* dl, const ImFont* font, ImVec2 pos, ImU32 color, std::string_view text, float wrap_width = 0,
            const Options& opt = {}, float box_width = 0);

// An ImGui item, like ImGui::TextUnformatted under PushTextWrapPos(0): wrapped
// at the content region's right edge (`wrap` false: not wrapped) and aligned in
// it. Returns the rectangle the text occupies, for the accessibility tree.
struct Rect {
  ImVec2 min, max;
  float line_h = 0;  // from one line's top to the next
};
Rect item(const ImFont* font, ImU32 color, std::string_view text, bool wrap = true, const Options& opt = {});

// The direction a paragraph takes with these options.
bool is_rtl(std::string_view text, const Options& opt = {});

// The bidi embedding level (UAX #9) of each byte's character in a paragraph
// of the given direction: for code that orders pieces of text itself.
std::vector<std::uint8_t> bidi_levels(std::string_view text, bool rtl);

// The lines `text` is broken into at `wrap_width`: byte ranges of the logical
// text (without the spaces a line ends with) and their shaped widths.
struct Line {
  std::size_t begin = 0, end = 0;
  float width = 0;
  bool rtl = false;
};
std::vector<Line> lines(const ImFont* font, std::string_view text, float wrap_width, const Options& opt = {});

// Tests only: what the engine draws, run by run. A run is a stretch of one
// line in one font and one direction, in visual order (left to right).
struct DrawnRun {
  std::string text;  // the run's characters in logical order
  std::string font_file;
  std::int32_t size_26_6 = 0;  // the em size FreeType was set to, in 1/64 px
  float px() const { return static_cast<float>(size_26_6) / 64.0f; }
  bool rtl = false;
  int line = 0;          // within its paragraph
  int visual_index = 0;  // position of the run in its line, counted from the left
  std::vector<std::uint32_t> glyphs;
  std::vector<std::uint32_t> clusters;                      // byte offset of each glyph's first character in `text`
  std::vector<std::int32_t> x_advance, x_offset, y_offset;  // 1/64 px, HarfBuzz's (base font: whole px)
  std::string paragraph;                                    // the whole text drawn
  std::size_t offset = 0;                                   // where `text` starts in it, in bytes
};
void record(bool on);
std::vector<DrawnRun> take_recorded();

struct Stats {
  std::uint64_t lines_shaped = 0;  // raqm layouts run
  std::uint64_t layouts_built = 0;
  std::uint64_t layout_hits = 0;
  std::uint64_t glyphs_rasterised = 0;
  std::size_t layouts_cached = 0;
  std::size_t glyphs_cached = 0;
  int atlas_size = 0;  // the glyph atlas texture's side, in pixels
};
Stats stats();

}  // namespace kiosk::ui::text
