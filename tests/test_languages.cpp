// The visitor's language (issue 11): the layout mirrors for a right-to-left
// language, the on-screen keyboard and the voice follow the choice, a
// language without a voice says so, and the next visitor starts afresh.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#include <stb/stb_image.h>

#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "kiosk/export.hpp"
#include "kiosk/session.hpp"
#include "text_entry.hpp"
#include "theme.hpp"
#include "ui_harness.hpp"

using namespace kiosk;
using namespace kiosk::ui;
using test::UiRig;

namespace {

// Two questions with answers side by side (yes/no), one to type and a postcode.
const char* kSurvey = R"(
format = 1
id = "languages"
version = "1"
default_locale = "en"
locales = ["en", "pl", "ur"]
title = { en = "Library visit", pl = "Wizyta w bibliotece", ur = "لائبریری کا دورہ" }
[[sections]]
id = "visit"
[[sections.questions]]
id = "q1"
type = "single"
required = true
text = { en = "Did you find a book?", pl = "Czy znalazłeś książkę?", ur = "کیا آپ کو کتاب ملی؟" }
options = [ { code = "found", label = { en = "Found one", pl = "Tak", ur = "مل گئی" } },
            { code = "none", label = { en = "None", pl = "Nie", ur = "نہیں" } } ]
[[sections.questions]]
id = "q2"
type = "text"
max_length = 200
text = { en = "What were you looking for?", pl = "Czego szukałeś?", ur = "آپ کیا ڈھونڈ رہے تھے؟" }
[[sections.questions]]
id = "q3"
type = "postcode"
text = { en = "What is your postcode?", pl = "Jaki jest Twój kod pocztowy?", ur = "آپ کا پوسٹ کوڈ کیا ہے؟" }
)";

struct Rig : UiRig {
  explicit Rig(const std::string& survey_text, Speech* engine = nullptr)
      : UiRig(1280, 800, "", write(survey_text), engine) {}
  static std::string write(const std::string& text) {
    static test::TempDir dir;  // outlives every rig of the run
    static int n = 0;
    const std::string path = dir.file("survey" + std::to_string(n++) + ".toml");
    test::write_file(path, text);
    return path;
  }
  const A11yItem& item(const std::string& id) {
    const auto* it = find_id(id);
    INFO(id << " is not on screen");
    REQUIRE(it != nullptr);
    return *it;
  }
  std::string answer(const std::string& q) {
    const Answer* a = app->session() ? app->session()->answer_for(q) : nullptr;
    return a ? a->text : std::string();
  }
};

float centre_x(const Rect& r) { return r.x + r.w * 0.5f; }

// Where an answer's mark is drawn: the mean x of the pixels inside the answer
// in the page's background colour (white), which only the ring or box's
// inside has: the button itself is tinted and its words are dark.
float mark_x(Rig& r, const std::string& id) {
  const Rect box = r.item(id).rect;
  const std::string png = r.tmp.file("shot.png");
  REQUIRE(r.shot(png));
  int w = 0, h = 0, n = 0;
  unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 4);
  REQUIRE(px != nullptr);
  double sum = 0;
  long count = 0;
  // Clear of the focus ring, whose inner band is white too (Frame::draw_focus:
  // within 9 px of the edges at 100%): whether the answer has the focus must
  // not move its mark.
  const int edge = 12;
  for (int y = static_cast<int>(box.y) + edge; y < static_cast<int>(box.y + box.h) - edge; ++y)
    for (int x = static_cast<int>(box.x) + edge; x < static_cast<int>(box.x + box.w) - edge; ++x) {
      const unsigned char* p = px + (static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 4;
      if (p[0] == 255 && p[1] == 255 && p[2] == 255) sum += x, ++count;
    }
  stbi_image_free(px);
  INFO("no mark found in " << id);
  REQUIRE(count > 50);
  return static_cast<float>(sum / static_cast<double>(count));
}

// The places that mirror, on the first question.
struct Places {
  Rect back, next, progress, help, settings, first, second;
  float first_mark = 0;
};

Places first_question(Rig& r, const std::string& locale) {
  if (!locale.empty()) r.tap_id("home.lang." + locale);
  r.tap_id("home.start");
  REQUIRE(r.app->ui().screen == Screen::Question);
  Places p;
  p.back = r.item("nav.back").rect;
  p.next = r.item("nav.next").rect;
  p.progress = r.item("header.progress").rect;
  p.help = r.item("bar.help").rect;
  p.settings = r.item("bar.settings").rect;
  p.first = r.item("opt.found").rect;
  p.second = r.item("opt.none").rect;
  p.first_mark = mark_x(r, "opt.found");
  return p;
}

}  // namespace

TEST_CASE("right to left: Urdu mirrors the layout, English keeps it", "[ui][locale][rtl]") {
  // One kiosk at a time: the app's drawing context is per process.
  Places l, m;
  int w = 0, h = 0;
  {
    Rig en(kSurvey);
    l = first_question(en, "");
    SDL_GetWindowSize(en.app->window(), &w, &h);
  }
  {
    Rig ur(kSurvey);
    m = first_question(ur, "ur");
  }
  const float W = static_cast<float>(w);

  // English, as it always was: Back left, Next right, progress between,
  // help at the right of the header, the first answer on the left with its
  // mark at the left of its words.
  CHECK(l.back.x + l.back.w <= l.next.x);
  CHECK(l.progress.x >= l.back.x + l.back.w);
  CHECK(l.progress.x + l.progress.w <= l.next.x);
  CHECK(l.settings.x > W * 0.5f);
  CHECK(l.first.x + l.first.w <= l.second.x);
  CHECK(l.first_mark < centre_x(l.first));

  // Urdu: Next on the left, Back on the right, progress between them on the
  // mirrored side; help and settings at the left of the header; the first
  // answer on the right, its mark at the right of its words.
  CHECK(m.next.x + m.next.w <= m.back.x);
  CHECK(m.progress.x >= m.next.x + m.next.w);
  CHECK(m.progress.x + m.progress.w <= m.back.x);
  CHECK(m.settings.x + m.settings.w < W * 0.5f);
  CHECK(m.second.x + m.second.w <= m.first.x);
  CHECK(m.first_mark > centre_x(m.first));

  // Mirror images of each other, about the middle of the window.
  CHECK(centre_x(m.back) == Approx(W - centre_x(l.back)).margin(1.0));
  CHECK(centre_x(m.next) == Approx(W - centre_x(l.next)).margin(1.0));
  CHECK(centre_x(m.help) == Approx(W - centre_x(l.help)).margin(1.0));
  CHECK(centre_x(m.settings) == Approx(W - centre_x(l.settings)).margin(1.0));
  CHECK(m.first_mark - m.first.x == Approx(l.first.x + l.first.w - l.first_mark).margin(2.0));
  // (The progress line's words are the catalogue's, so only its side is compared.)
  CHECK((centre_x(m.progress) - W * 0.5f) * (centre_x(l.progress) - W * 0.5f) <= 0.0f);
  CHECK(m.back.y == Approx(l.back.y));
}

TEST_CASE("the keyboard follows the language, a postcode is typed in Latin capitals", "[ui][locale][keyboard]") {
  Rig r(kSurvey);
  SECTION("Polish: the Polish letters in view, a sentence starts with a capital") {
    r.tap_id("home.lang.pl");
    r.tap_id("home.start");
    r.tap_id("opt.found");
    r.tap_id("nav.next");
    r.tap_id("q.textbox");
    REQUIRE(r.app->ui().panel == Panel::Keyboard);
    for (const char* k : {"ą", "ć", "ę", "ł", "ń", "ó", "ś", "ź", "ż"}) CHECK(r.find_id(key_id(k)) != nullptr);
    // The caps show what a key types: a capital to start the answer, then small letters.
    CHECK(r.item(key_id("ł")).label == "Ł");
    for (const char* k : {"ł", "ó", "d", "ź"}) r.tap_id(key_id(k));
    CHECK(r.item(key_id("ł")).label == "ł");
    r.tap_id("kb.shift");
    CHECK(r.item(key_id("ż")).label == "Ż");  // Shift shows the capitals
    r.tap_id(key_id("ż"));
    CHECK(r.app->ui().edit_text == "ŁódźŻ");
    r.tap_id("kb.done");
    CHECK(r.answer("q2") == "ŁódźŻ");
    r.tap_id("nav.next");
    r.tap_id("q.textbox");
    CHECK(r.find_id(key_id("ł")) == nullptr);
    CHECK(r.item(key_id("Q")).label == "Q");
  }
  SECTION("Urdu: Urdu letters in logical order, Shift gives the other form, no capitals") {
    r.tap_id("home.lang.ur");
    r.tap_id("home.start");
    r.tap_id("opt.found");
    r.tap_id("nav.next");
    r.tap_id("q.textbox");
    REQUIRE(r.app->ui().panel == Panel::Keyboard);
    CHECK(r.find_id(key_id("q")) == nullptr);
    CHECK(r.item(key_id("ک")).label == "ک");
    r.tap_id(key_id("ک"));
    r.tap_id(key_id("ت"));
    r.tap_id(key_id("ا"));
    r.tap_id(key_id("ب"));
    r.tap_id("kb.shift");
    CHECK(r.item(key_id("ت")).label == "ٹ");
    r.tap_id(key_id("ت"));
    CHECK(r.item(key_id("ت")).label == "ت");  // Shift is for one letter
    CHECK(r.app->ui().edit_text == "کتابٹ");
    // The actions mirror as Back and Next do: Done on the left; Shift at the right of its row.
    CHECK(r.item("kb.done").rect.x + r.item("kb.done").rect.w <= r.item("kb.cancel").rect.x);
    CHECK(r.item("kb.shift").rect.x > r.item(key_id("؟")).rect.x);
    r.tap_id("kb.delete");
    r.tap_id("kb.done");
    CHECK(r.answer("q2") == "کتاب");
    r.tap_id("nav.next");
    r.tap_id("q.textbox");
    CHECK(r.item(key_id("Q")).label == "Q");
    CHECK(r.find_id(key_id("ک")) == nullptr);
    r.tap_id(key_id("B"));
    r.tap_id(key_id("L"));
    r.tap_id(key_id("9"));
    CHECK(r.app->ui().edit_text == "BL9");
  }
}

TEST_CASE("a language with no voice says so on its button", "[ui][locale][speech]") {
  std::string survey = kSurvey;
  const std::string list = "locales = [\"en\", \"pl\", \"ur\"]";
  survey.replace(survey.find(list), list.size(), "locales = [\"en\", \"pl\", \"ur\", \"so\"]");
  EspeakSpeech espeak;  // asked which voices it has; it never speaks here
  Rig r(survey, &espeak);
  CHECK(r.item("home.lang.so").label == "Soomaali (no speech)");
  CHECK(r.item("home.lang.ur").label == "اردو");
  CHECK(r.item("home.lang.pl").label == "Polski");
  CHECK(r.item("home.lang.en").label == "English");
  // Choosing a right-to-left language does not move the languages.
  const Rect before = r.item("home.lang.ur").rect;
  r.tap_id("home.lang.ur");
  CHECK(r.item("home.lang.ur").rect.x == Approx(before.x));
  CHECK(r.item("home.lang.en").rect.x < before.x);
}

TEST_CASE("the choice of language lasts the visit and the next visitor starts in the default", "[ui][locale]") {
  Rig r(kSurvey);
  auto speech_on = [&] {
    r.tap_id("bar.settings");
    r.tap_id("settings.speech");
    r.tap_id("settings.done");
  };
  speech_on();
  CHECK(r.speech.language == "en");
  // A language chosen with speech on: the screen is read again, in its voice.
  r.speech.finish();
  r.settle();
  r.speech.said.clear();
  r.tap_id("home.lang.pl");
  CHECK(r.speech.language == "pl");
  bool reread = false;
  for (const auto& said : r.speech.said) reread = reread || said.find("Welcome to") != std::string::npos;
  CHECK(reread);
  r.tap_id("home.lang.ur");
  CHECK(r.speech.language == "ur");
  r.tap_id("home.start");
  r.tap_id("opt.found");
  CHECK(r.speech.language == "ur");
  r.tap_id("nav.next");
  r.tap_id("q.textbox");
  CHECK(r.find_id(key_id("ک")) != nullptr);
  r.tap_id(key_id("ک"));
  r.tap_id("kb.done");

  SECTION("after the thank-you screen") {
    r.tap_id("nav.next");
    r.tap_id("nav.next");  // no postcode: it is optional
    r.tap_id("nav.submit");
    REQUIRE(r.app->ui().screen == Screen::Thanks);
    // Stored sealed: the language is read from the document opened with the tests' key.
    auto docs = open_documents(r.app->store(), test::keyring(), r.app->survey().id);
    REQUIRE(docs.ok());
    REQUIRE(docs->size() == 1);
    CHECK(nlohmann::json::parse(docs->front()).at("locale") == "ur");
    r.advance(13);
  }
  SECTION("after the idle timeout") {
    r.speech.finish();
    r.settle();
    r.advance(91);
    REQUIRE(r.app->ui().panel == Panel::Idle);
    r.advance(31);
  }
  REQUIRE(r.app->ui().screen == Screen::Home);
  r.speech.finish();  // the closing words heard: now the visit's settings go
  r.settle();
  CHECK(r.app->ui().locale.empty());
  CHECK(r.item("home.lang.en").value == "selected");
  speech_on();
  CHECK(r.speech.language == "en");
  r.tap_id("home.start");
  CHECK(r.item("nav.back").rect.x + r.item("nav.back").rect.w <= r.item("nav.next").rect.x);
  r.tap_id("opt.found");
  r.tap_id("nav.next");
  r.tap_id("q.textbox");
  CHECK(r.find_id(key_id("ک")) == nullptr);
  CHECK(r.item(key_id("q")).label == "Q");  // the English layout, its cap a capital to start the answer
}

TEST_CASE("a faulty keyboard layout stops the kiosk with its file and line", "[ui][locale][keyboard]") {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.file("keyboards"));
  test::write_file(tmp.file("keyboards/pl.toml"),
                   "locale = \"pl\"\nname = \"Polski\"\nrows = [\"a b\"]\nshifted = [\"A\"]\n");
  const std::string cfg = tmp.file("kiosk.toml");
  test::write_file(cfg, "[kiosk]\nid = \"k\"\nname = \"K\"\nservice_point = \"castle\"\nsurvey = \"" +
                            test::bury_survey() + "\"\ndatabase = \"" + tmp.file("kiosk.db") + "\"\npages = \"" +
                            test::source_path("kiosk-config/pages") + "\"\nservice_points = \"" +
                            test::source_path("kiosk-config/service-points.toml") + "\"\n");
  test::write_seal_keys(tmp.file("council.pub"));  // beside the database: the default place
  auto c = load_config(cfg);
  REQUIRE(c.ok());
  // The folder beside kiosk.toml is the one used, before the one beside the pages.
  const auto st = KioskApp::check(*c);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.message(), Catch::Contains(tmp.file("keyboards/pl.toml") + ":4:"));
  CHECK_THAT(st.message(), Catch::Contains("shifted row 1 has 1 keys"));
  test::write_file(tmp.file("keyboards/pl.toml"),
                   "locale = \"pl\"\nname = \"Polski\"\nrows = [\"a b\"]\nshifted = [\"A B\"]\n");
  CHECK(KioskApp::check(*c).ok());
}

// Nastaliq letters such as an initial "ک" draw their stroke past their
// advance, towards the right where an Urdu line begins. At 200% the first
// letter of a heading ran into the scrollbar's place and was cut off there.
// Every Urdu information page's heading, at 200% with high contrast (yellow
// headings on black): its rightmost yellow pixel stays clear of the scrollbar
// (whose grab is white) by a few pixels.
TEST_CASE("Urdu headings at 200% are drawn whole, clear of the scrollbar", "[ui][locale][rtl]") {
  Rig r(kSurvey);
  r.tap_id("home.lang.ur");
  r.tap_id("bar.settings");
  r.tap_id("settings.size.200");
  r.tap_id("settings.contrast");
  r.tap_id("settings.done");
  r.tap_id("home.service");
  std::vector<std::string> cut;
  int pages = 0;
  for (; r.find_id("info.open." + std::to_string(pages)); ++pages) {
    if (!r.find_id("info.open." + std::to_string(pages))) break;
    r.tap_id("info.open." + std::to_string(pages));
    const Rect head = r.item("info.page.0").rect;
    const std::string png = r.tmp.file("page.png");
    REQUIRE(r.shot(png));
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 4);
    REQUIRE(px != nullptr);
    int ink_right = -1, bar_left = w;
    for (int y = std::max(0, static_cast<int>(head.y)); y < std::min(h, static_cast<int>(head.y + head.h)); ++y)
      for (int x = 0; x < w; ++x) {
        const unsigned char* p = px + (static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 4;
        if (p[0] > 200 && p[1] > 200 && p[2] < 80) ink_right = std::max(ink_right, x);
        if (x > w * 9 / 10 && p[0] == 255 && p[1] == 255 && p[2] == 255) bar_left = std::min(bar_left, x);
      }
    stbi_image_free(px);
    std::printf("urdu page %d heading: ink to x=%d, scrollbar grab from x=%d\n", pages, ink_right, bar_left);
    REQUIRE(ink_right > 0);
    if (bar_left < w && ink_right > bar_left - 8)
      cut.push_back(r.item("info.page.0").label + ": ink to " + std::to_string(ink_right) + ", scrollbar from " +
                    std::to_string(bar_left));
    r.tap_id("nav.back");
  }
  CHECK(pages >= 7);
  INFO("headings cut by the scrollbar:\n"
       << [&] {
            std::string s;
            for (const auto& c : cut) s += "  " + c + "\n";
            return s;
          }());
  CHECK(cut.empty());
}

namespace {

// A screenshot's pixels, read back with stb_image.
struct Pixels {
  int w = 0, h = 0;
  std::vector<unsigned char> rgba;
  explicit Pixels(Rig& r) {
    const std::string png = r.tmp.file("focus.png");
    REQUIRE(r.shot(png));
    int n = 0;
    unsigned char* px = stbi_load(png.c_str(), &w, &h, &n, 4);
    REQUIRE(px != nullptr);
    rgba.assign(px, px + static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    stbi_image_free(px);
  }
  const unsigned char* at(int x, int y) const {
    return rgba.data() + (static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)) * 4;
  }
};

// Pixels inside `box` (less its own 3 px edge) that differ between two shots.
int differing_inside(const Pixels& a, const Pixels& b, const Rect& box) {
  int n = 0;
  for (int y = static_cast<int>(box.y) + 4; y < static_cast<int>(box.y + box.h) - 4; ++y)
    for (int x = static_cast<int>(box.x) + 4; x < static_cast<int>(box.x + box.w) - 4; ++x)
      if (std::memcmp(a.at(x, y), b.at(x, y), 3) != 0) ++n;
  return n;
}

void focus_on(Rig& r, const std::string& id) {
  for (int i = 0; i < 12 && r.app->ui().focus != id; ++i) r.key(SDLK_DOWN);
  REQUIRE(r.app->ui().focus == id);
}

}  // namespace

// The issue saw the focus ring on the first answer, drawn inside it, taken
// for a choice (and at the smaller letters of a long list it covered an
// answer's last line). The focus is now a ring around the answer, in the gap
// outside it; a choice fills the answer and ticks its mark.
TEST_CASE("the focus is drawn around an answer, never inside it, so focus and choice look different", "[ui][focus]") {
  for (bool contrast : {false, true}) {
    INFO((contrast ? "high contrast" : "standard"));
    Rig r(kSurvey);
    if (contrast) {
      r.tap_id("bar.settings");
      r.tap_id("settings.contrast");
      r.tap_id("settings.done");
    }
    r.tap_id("home.start");
    const Rect box = r.item("opt.found").rect;
    focus_on(r, "opt.found");
    const Pixels focused(r);
    focus_on(r, "opt.none");
    const Pixels plain(r);
    CHECK(differing_inside(focused, plain, box) == 0);
    // The ring is there, around the answer: the focus colour (Theme::focus)
    // within 8 px outside each of its four edges.
    const Rgb ring = (contrast ? high_contrast_theme() : standard_theme()).focus;
    auto ring_at = [&](int x, int y) {
      const unsigned char* p = focused.at(x, y);
      return std::abs(p[0] - ring.r) < 8 && std::abs(p[1] - ring.g) < 8 && std::abs(p[2] - ring.b) < 8;
    };
    int left = 0, right = 0, top = 0, bottom = 0;
    for (int d = 1; d <= 8; ++d) {
      const int mid_y = static_cast<int>(box.y + box.h * 0.5f), mid_x = static_cast<int>(box.x + box.w * 0.5f);
      left += ring_at(static_cast<int>(box.x) - d, mid_y);
      right += ring_at(static_cast<int>(box.x + box.w) + d - 1, mid_y);
      top += ring_at(mid_x, static_cast<int>(box.y) - d);
      bottom += ring_at(mid_x, static_cast<int>(box.y + box.h) + d - 1);
    }
    CHECK(left > 0);
    CHECK(right > 0);
    CHECK(top > 0);
    CHECK(bottom > 0);
    // A choice is inside: most of the answer changes.
    r.tap_id("opt.found");
    focus_on(r, "opt.none");
    const Pixels chosen(r);
    const int inside = static_cast<int>((box.w - 8) * (box.h - 8));
    CHECK(differing_inside(chosen, plain, box) > inside / 2);
  }
}
