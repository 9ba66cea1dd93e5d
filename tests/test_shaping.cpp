// The text engine draws shaped, bidi-ordered text: what the kiosk draws in a
// real frame (recorded by the engine's test hook) is compared with plain
// HarfBuzz on the same font file at the same size, with FriBidi's visual
// order, and with libunibreak's break opportunities.
#include <fribidi.h>
#include <hb-ft.h>
#include <hb.h>
#include <linebreak.h>

#include <algorithm>
#include <functional>

#include "text/text.hpp"
#include "ui_harness.hpp"

using kiosk::ui::Screen;
namespace text = kiosk::ui::text;

namespace {

const std::string kUrdu = "لائبریری کے بارے میں آپ کی رائے";
const std::string kBengali = "গ্রন্থাগার সম্পর্কে আপনার মতামত";
const std::string kGurmukhi = "ਲਾਇਬ੍ਰੇਰੀ ਬਾਰੇ ਤੁਹਾਡੀ ਰਾਇ";
const std::string kMixed = "میں نے 2016 میں Bury Library دیکھی";

std::vector<std::uint32_t> utf32(const std::string& s, std::vector<std::size_t>* cp_of_byte = nullptr) {
  std::vector<FriBidiChar> out(s.size() + 1);
  const FriBidiStrIndex n =
      fribidi_charset_to_unicode(FRIBIDI_CHAR_SET_UTF8, s.data(), static_cast<FriBidiStrIndex>(s.size()), out.data());
  out.resize(static_cast<std::size_t>(n));
  if (cp_of_byte) {
    cp_of_byte->assign(s.size() + 1, 0);
    std::size_t cp = 0;
    for (std::size_t b = 0; b < s.size(); ++b) {
      if (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) != 0x80) ++cp;
      (*cp_of_byte)[b] = cp;
    }
    (*cp_of_byte)[s.size()] = out.size();
  }
  return {out.begin(), out.end()};
}

// Survey with the phrases as its Urdu question and as answers.
std::string shaping_survey(const test::TempDir& tmp) {
  const std::string path = tmp.file("shaping.toml");
  test::write_file(path, R"(
format = 1
id = "shaping"
version = "1"
default_locale = "en"
locales = ["en", "ur"]
title = { en = "Scripts", ur = "رائے" }
[[sections]]
id = "s"
[[sections.questions]]
id = "q1"
type = "single"
required = false
text = { en = "Which phrase?", ur = ")" +
                             kUrdu + R"(" }
options = [ { code = "bn", label = ")" +
                             kBengali + R"(" }, { code = "pa", label = ")" + kGurmukhi +
                             R"(" }, { code = "mixed", label = ")" + kMixed + R"(" } ]
)");
  return path;
}

struct Shaped {
  std::vector<std::uint32_t> glyphs;
  std::vector<std::int32_t> x_advance, x_offset, y_offset;
};

// Plain HarfBuzz: hb_shape with hb_ft_font on the file at the size, direction and script given.
Shaped harfbuzz(const std::string& file, std::int32_t size_26_6, const std::string& s, hb_direction_t dir,
                hb_script_t script) {
  FT_Library lib = nullptr;
  REQUIRE(FT_Init_FreeType(&lib) == 0);
  FT_Face face = nullptr;
  REQUIRE(FT_New_Face(lib, file.c_str(), 0, &face) == 0);
  REQUIRE(FT_Set_Char_Size(face, 0, size_26_6, 72, 72) == 0);
  hb_font_t* font = hb_ft_font_create_referenced(face);
  hb_buffer_t* buf = hb_buffer_create();
  hb_buffer_add_utf8(buf, s.data(), static_cast<int>(s.size()), 0, static_cast<int>(s.size()));
  hb_buffer_set_direction(buf, dir);
  hb_buffer_set_script(buf, script);
  hb_buffer_guess_segment_properties(buf);
  hb_shape(font, buf, nullptr, 0);
  unsigned n = 0;
  const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &n);
  const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &n);
  Shaped out;
  for (unsigned i = 0; i < n; ++i) {
    out.glyphs.push_back(info[i].codepoint);
    out.x_advance.push_back(pos[i].x_advance);
    out.x_offset.push_back(pos[i].x_offset);
    out.y_offset.push_back(pos[i].y_offset);
  }
  hb_buffer_destroy(buf);
  hb_font_destroy(font);
  FT_Done_Face(face);
  FT_Done_FreeType(lib);
  return out;
}

std::vector<text::DrawnRun> runs_of(const std::vector<text::DrawnRun>& all, const std::string& paragraph) {
  std::vector<text::DrawnRun> out;
  for (const auto& r : all)
    if (r.paragraph == paragraph) out.push_back(r);
  return out;
}

// The kiosk on the question, in Urdu, drawn once with the hook on.
std::vector<text::DrawnRun> draw_question(test::UiRig& r) {
  r.tap_id("home.lang.ur");
  r.tap_id("home.start");
  REQUIRE(r.app->ui().screen == Screen::Question);
  text::record(true);
  r.app->draw_now();
  text::record(false);
  return text::take_recorded();
}

}  // namespace

TEST_CASE("shaping: Urdu, Bengali and Gurmukhi are drawn as HarfBuzz shapes them", "[ui][shaping]") {
  test::TempDir tmp;
  test::UiRig r(1280, 800, "", shaping_survey(tmp));
  const auto drawn = draw_question(r);
  struct Case {
    const std::string& phrase;
    const char* font;
    hb_direction_t dir;
    hb_script_t script;
  };
  for (const Case& c : {Case{kUrdu, "NotoNastaliqUrdu", HB_DIRECTION_RTL, HB_SCRIPT_ARABIC},
                        Case{kBengali, "NotoSansBengali", HB_DIRECTION_LTR, HB_SCRIPT_BENGALI},
                        Case{kGurmukhi, "NotoSansGurmukhi", HB_DIRECTION_LTR, HB_SCRIPT_GURMUKHI}}) {
    INFO(c.phrase);
    const auto runs = runs_of(drawn, c.phrase);
    // One line in one font: the phrase as a single run.
    REQUIRE(runs.size() == 1);
    const auto& run = runs[0];
    CHECK(run.text == c.phrase);
    CHECK_THAT(run.font_file, Catch::Contains(c.font));
    CHECK(run.rtl == (c.dir == HB_DIRECTION_RTL));
    CHECK(run.size_26_6 > 10 * 64);
    const Shaped hb = harfbuzz(run.font_file, run.size_26_6, run.text, c.dir, c.script);
    CHECK(run.glyphs == hb.glyphs);
    CHECK(run.x_advance == hb.x_advance);
    CHECK(run.x_offset == hb.x_offset);
    CHECK(run.y_offset == hb.y_offset);
    // Shaped, not drawn a letter at a time: no glyph is the font's plain letter in every place.
    CHECK(std::find(run.glyphs.begin(), run.glyphs.end(), 0u) == run.glyphs.end());
  }
  // Bengali's conjuncts (ন্থ, ম্প, র্ক) form: fewer glyphs than characters.
  const auto bn = runs_of(drawn, kBengali);
  REQUIRE(bn.size() == 1);
  CHECK(bn[0].glyphs.size() < utf32(kBengali).size());
  // Urdu letters join: the initial, medial and final forms of a letter are other glyphs
  // than its isolated form, so the glyphs differ from those of the letters drawn one by one.
  const auto ur = runs_of(drawn, kUrdu);
  REQUIRE(ur.size() == 1);
  const Shaped isolated = harfbuzz(ur[0].font_file, ur[0].size_26_6, "ل", HB_DIRECTION_RTL, HB_SCRIPT_ARABIC);
  REQUIRE(isolated.glyphs.size() == 1);
  // The first letter, lam before alef, drawn rightmost (last in visual order), is not the isolated lam.
  CHECK(ur[0].glyphs.back() != isolated.glyphs[0]);
}

TEST_CASE("shaping: numbers and Latin names inside Urdu keep their order, as FriBidi orders them", "[ui][shaping]") {
  test::TempDir tmp;
  test::UiRig r(1280, 800, "", shaping_survey(tmp));
  auto runs = runs_of(draw_question(r), kMixed);
  REQUIRE(runs.size() >= 5);
  for (const auto& run : runs) REQUIRE(run.line == 0);  // one line at this width
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.visual_index < b.visual_index; });

  // FriBidi on the same text, the paragraph's direction from its first strong letter.
  std::vector<std::size_t> cp_of_byte;
  auto cps = utf32(kMixed, &cp_of_byte);
  std::vector<FriBidiStrIndex> l2v(cps.size());
  std::vector<FriBidiChar> visual(cps.size() + 1);
  FriBidiParType dir = FRIBIDI_PAR_ON;
  REQUIRE(fribidi_log2vis(cps.data(), static_cast<FriBidiStrIndex>(cps.size()), &dir, visual.data(), l2v.data(),
                          nullptr, nullptr));
  CHECK(dir == FRIBIDI_PAR_RTL);

  // Glyph by glyph, left to right, the characters drawn go where FriBidi puts them.
  std::vector<FriBidiStrIndex> drawn_positions;
  std::vector<FriBidiStrIndex> run_starts;
  for (const auto& run : runs) {
    const std::size_t offset = run.offset;
    REQUIRE(kMixed.compare(offset, run.text.size(), run.text) == 0);
    FriBidiStrIndex first = -1;
    for (std::uint32_t cluster : run.clusters) {
      const FriBidiStrIndex v = l2v[cp_of_byte[offset + cluster]];
      drawn_positions.push_back(v);
      if (first < 0) first = v;
    }
    run_starts.push_back(first);
  }
  CHECK(std::is_sorted(drawn_positions.begin(), drawn_positions.end()));
  CHECK(std::adjacent_find(run_starts.begin(), run_starts.end(), std::greater_equal<>()) == run_starts.end());

  // The runs FriBidi's visual string holds, in its order: "2016" and "Bury Library" read left to right.
  std::string visual_latin;
  for (std::size_t i = 0; i < cps.size(); ++i)
    if (visual[i] < 0x80) visual_latin += static_cast<char>(visual[i]);
  std::string drawn_latin;
  for (const auto& run : runs)
    if (!run.rtl)
      for (char ch : run.text) drawn_latin += ch;
  auto squeeze = [](std::string s) {
    s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
    return s;
  };
  CHECK(squeeze(drawn_latin) == squeeze(visual_latin));
  CHECK(squeeze(drawn_latin) == "BuryLibrary2016");
  // Digits and Latin letters in the base font, the Urdu in Nastaliq.
  for (const auto& run : runs) {
    INFO(run.text);
    if (run.text.find_first_of("0123456789BL") != std::string::npos)
      CHECK_THAT(run.font_file, Catch::Contains("DejaVuSans"));
    else if (squeeze(run.text).size() > 0)
      CHECK_THAT(run.font_file, Catch::Contains("NotoNastaliqUrdu"));
  }
}

TEST_CASE("shaping: long Urdu and Polish paragraphs break only where UAX #14 allows and fit the width",
          "[ui][shaping]") {
  test::UiRig r;
  ImFont* body = ImGui::GetIO().Fonts->Fonts[0];
  const std::string urdu =
      "بری کونسل لائبریری سروس کے مستقبل کے بارے میں آپ کی رائے جاننا چاہتی ہے۔ اس سروے میں تقریباً دس منٹ لگتے ہیں، "
      "اور آپ کے جوابات گمنام رہیں گے۔ براہ کرم ہر سوال کو غور سے پڑھیں اور وہ جواب منتخب کریں جو آپ کی رائے کے "
      "قریب ترین ہو۔";
  const std::string polish =
      "Rada Bury chce poznać Twoją opinię o przyszłości usług bibliotecznych. Ankieta zajmuje około dziesięciu "
      "minut, a Twoje odpowiedzi pozostaną anonimowe. Prosimy o uważne przeczytanie każdego pytania i wybranie "
      "odpowiedzi najbliższej Twojemu zdaniu — także wtedy, gdy żadna nie pasuje idealnie.";
  const float width = 320.0f;
  for (const std::string* para : {&urdu, &polish}) {
    INFO(*para);
    std::vector<std::size_t> cp_of_byte;
    const auto cps = utf32(*para, &cp_of_byte);
    std::vector<char> brks(cps.size());
    init_linebreak();
    set_linebreaks_utf32(cps.data(), cps.size(), nullptr, brks.data());
    const auto lines = text::lines(body, *para, width);
    REQUIRE(lines.size() >= 5);
    std::size_t covered = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto& ln = lines[i];
      INFO("line " << i << ": " << para->substr(ln.begin, ln.end - ln.begin));
      CHECK(ln.width <= width);
      CHECK(ln.rtl == (para == &urdu));
      // Measured on its own, shaped, the line fits too.
      CHECK(text::width(body, para->substr(ln.begin, ln.end - ln.begin)) <= width);
      if (i > 0) {
        const std::size_t cp = cp_of_byte[ln.begin];
        REQUIRE(cp > 0);
        CHECK(brks[cp - 1] == LINEBREAK_ALLOWBREAK);
      }
      // Nothing left out between lines but the spaces a line ends with.
      CHECK(para->substr(covered, ln.begin - covered).find_first_not_of(' ') == std::string::npos);
      covered = ln.end;
    }
    CHECK(covered == para->size());
  }
}

TEST_CASE("shaping: a steady screen shapes nothing and rasterises nothing again", "[ui][shaping]") {
  test::TempDir tmp;
  test::UiRig r(1280, 800, "", shaping_survey(tmp));
  r.tap_id("home.lang.ur");
  r.tap_id("home.start");
  REQUIRE(r.app->ui().screen == Screen::Question);
  r.app->draw_now();
  const auto before = text::stats();
  r.app->draw_now();
  r.app->draw_now();
  const auto after = text::stats();
  CHECK(after.lines_shaped == before.lines_shaped);
  CHECK(after.layouts_built == before.layouts_built);
  CHECK(after.glyphs_rasterised == before.glyphs_rasterised);
  CHECK(after.layout_hits > before.layout_hits);  // the same text was drawn, from the cache
}

// The glyph atlas is a texture in the renderer: 16 MiB at its largest. It
// starts at a quarter of that, which the whole English survey at 100% fits
// in, and doubles only when a frame's glyphs do not fit (large text, Urdu).
TEST_CASE("shaping: the glyph atlas starts small and grows only when the text needs it", "[ui][shaping][memory]") {
  {  // one kiosk at a time: Dear ImGui's context is the process's
    test::UiRig r(1280, 800);
    r.walk_first_answers([] { return true; });
    CHECK(r.app->ui().screen == Screen::Review);
    INFO(text::stats().glyphs_cached << " glyphs cached");
    CHECK(text::stats().atlas_size == 1024);
  }
  // Urdu at 200%: Nastaliq's glyphs at the largest sizes do not fit; the
  // atlas grows and every screen still draws (the layout tests check what).
  test::UiRig u(1280, 800);
  CHECK(text::stats().atlas_size == 1024);  // a new renderer, a new atlas
  u.tap_id("home.lang.ur");
  u.tap_id("bar.settings");
  u.tap_id("settings.size.200");
  u.tap_id("settings.done");
  u.walk_first_answers([] { return true; });
  CHECK(u.app->ui().screen == Screen::Review);
  INFO(text::stats().glyphs_cached << " glyphs cached");
  CHECK(text::stats().atlas_size == 2048);
}
