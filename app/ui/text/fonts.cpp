// Font choice for the text engine: what an ImFont stands for (spec_of, from
// the registry register_font fills), FreeType faces by file and size, the
// fallback chain per script (the script font table, then fontconfig by
// character) and the ink extent of a glyph (ink_of).
#include <fontconfig/fontconfig.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "engine_internal.hpp"

namespace kiosk::ui::text::detail {
namespace {

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

}  // namespace

FontSpec Engine::spec_of(const ImFont* font) {
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

int Engine::face(const std::string& file, std::int32_t size26) {
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
std::int32_t Engine::base_size26(const FontSpec& s) {
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

const std::vector<std::string>& Engine::files_for_script(hb_script_t script, bool bold) {
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
const std::string& Engine::file_for_char(std::uint32_t c, bool bold) {
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

bool Engine::has(int f, std::uint32_t c) {
  return f >= 0 && FT_Get_Char_Index(faces[static_cast<size_t>(f)].ft, c) != 0;
}

// The font chain: the base font for Latin, Greek, Cyrillic and the
// characters common to all scripts; the script's Noto font otherwise; then
// DejaVu Sans, then whatever fontconfig has for the character.
int Engine::choose(const FontSpec& spec, int base, std::int32_t size26, hb_script_t script, std::uint32_t c) {
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

std::pair<float, float> Engine::ink_of(int f, std::uint32_t gid) {
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

}  // namespace kiosk::ui::text::detail
