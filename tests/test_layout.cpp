// The screen layout as visitors meet it (issue 8): over every question of the
// Bury survey (both branches of Q9) and of the family hub survey, on 1280x800
// and 1920x1080, at every text size, in both themes, with speech on and off.
// On arrival at 100% every answer is wholly in view; yes/no always shows
// both; answers below are told in words; the question area is at least 60%
// of the screen at 200%; help and the screen's own actions stay put.
#include <map>
#include <set>

#include "kiosk/session.hpp"
#include "ui_harness.hpp"

using namespace kiosk;
using namespace kiosk::ui;
using test::UiRig;

namespace {

std::string hub_survey() { return test::source_path("kiosk-config/surveys/family-hub-feedback.toml"); }

bool same(const Rect& a, const Rect& b) {
  return std::fabs(a.x - b.x) < 0.5f && std::fabs(a.y - b.y) < 0.5f && std::fabs(a.w - b.w) < 0.5f &&
         std::fabs(a.h - b.h) < 0.5f;
}

Rect window_rect(UiRig& r) {
  int w = 0, h = 0;
  SDL_GetWindowSize(r.app->window(), &w, &h);
  return {0, 0, static_cast<float>(w), static_cast<float>(h)};
}

struct Walk {
  int scale = 100;
  bool contrast = false, speech = false;
  std::string tag;
  std::map<std::string, Rect> help;  // the help controls where first seen
  Rect back{};                       // the screen's own actions, where first seen on a question
  float next_right = 0, next_y = 0;
  bool have_actions = false;
};

// Help in one place, on one row, inside the window; every control big enough and apart.
void check_screen(UiRig& r, Walk& w, const std::string& where) {
  const Rect win = window_rect(r);
  INFO(w.tag << " " << where);
  for (const char* id : {"bar.help", "bar.settings"}) {
    const auto* it = r.find_id(id);
    INFO(id);
    REQUIRE(it != nullptr);
    CHECK(win.contains(it->rect));
    const auto seen = w.help.find(id);
    if (seen == w.help.end())
      w.help[id] = it->rect;
    else {
      INFO("first at " << seen->second.x << "," << seen->second.y << " " << seen->second.w << "x" << seen->second.h
                       << ", now at " << it->rect.x << "," << it->rect.y << " " << it->rect.w << "x" << it->rect.h);
      CHECK(same(seen->second, it->rect));
    }
  }
  CHECK(r.find_id("bar.help")->label == "Ask staff for help");
  CHECK(r.find_id("bar.settings")->label == "Text size, colours and speech");
  CHECK(r.find_id("bar.help")->rect.y == Approx(r.find_id("bar.settings")->rect.y));
  std::vector<A11yItem> visible;
  for (const auto& it : r.app->tree().items()) {
    if (!it.interactive) continue;
    INFO(it.id);
    CHECK(it.rect.w >= 44.0f);
    CHECK(it.rect.h >= 44.0f);
    Rect v = it.rect;
    const float top = std::max(v.y, it.clip.y), bottom = std::min(v.y + v.h, it.clip.y + it.clip.h);
    if (bottom - top <= 0) continue;
    v.y = top;
    v.h = bottom - top;
    visible.push_back(it);
    visible.back().rect = v;
  }
  for (size_t i = 0; i < visible.size(); ++i)
    for (size_t j = i + 1; j < visible.size(); ++j) {
      INFO(visible[i].id << " overlaps " << visible[j].id);
      CHECK_FALSE(visible[i].rect.overlaps(visible[j].rect));
    }
}

void check_question(UiRig& r, Walk& w, const Question& q) {
  check_screen(r, w, q.id);
  const Rect win = window_rect(r);
  INFO(w.tag << " " << q.id);
  // The screen's own actions stay where they were on the first question.
  const auto* back = r.find_id("nav.back");
  const auto* next = r.find_id("nav.next");
  REQUIRE(back != nullptr);
  REQUIRE(next != nullptr);
  CHECK(win.contains(back->rect));
  CHECK(win.contains(next->rect));
  if (!w.have_actions) {
    w.back = back->rect;
    w.next_right = next->rect.x + next->rect.w;
    w.next_y = next->rect.y;
    w.have_actions = true;
  } else {
    CHECK(same(w.back, back->rect));
    CHECK(next->rect.x + next->rect.w == Approx(w.next_right).margin(0.5));
    CHECK(next->rect.y == Approx(w.next_y).margin(0.5));
  }
  if (!q.has_options()) return;
  int out = 0;
  const A11yItem* first = nullptr;
  for (const auto& o : q.options) {
    const auto* it = r.find_id("opt." + o.code);
    REQUIRE(it != nullptr);
    if (!first) first = it;
    const bool in_view = it->clip.contains(it->rect) && win.contains(it->rect);
    if (!in_view) ++out;
    if (w.scale == 100 || q.type == QuestionType::YesNo) {
      INFO("answer \"" << it->label << "\" is not wholly in view on arrival: at " << it->rect.x << "," << it->rect.y
                       << " " << it->rect.w << "x" << it->rect.h << " in " << it->clip.x << "," << it->clip.y << " "
                       << it->clip.w << "x" << it->clip.h);
      CHECK(in_view);
    }
  }
  // The first answer is always in view, however long the question.
  CHECK((first->clip.contains(first->rect) && win.contains(first->rect)));
  // And so is the start of the question's own words (not only its section's
  // name): their first line above any cue over the words' box.
  const A11yItem* words = nullptr;
  for (const char* id : {"q.title", "q.text", "q.text0"})
    if (!words) words = r.find_id(id);
  REQUIRE(words != nullptr);
  {
    const auto* words_cue = r.find_id("question.words.more");
    const float bottom = std::min(words_cue ? words_cue->rect.y : words->clip.y + words->clip.h, win.h);
    const float line = std::min(words->rect.h, 36.0f * static_cast<float>(w.scale) / 100.0f);
    INFO("the question's words (" << words->label.substr(0, 40) << ") start at y " << words->rect.y
                                  << ", their first line ends at " << words->rect.y + line << "; in view from "
                                  << words->clip.y << " to " << bottom);
    CHECK(words->rect.y >= words->clip.y - 0.5f);
    CHECK(words->rect.y + line <= bottom + 0.5f);
  }
  const auto* cue = r.find_id("question.more");
  if (out > 0) {
    INFO(out << " answers below, and no cue says so");
    REQUIRE(cue != nullptr);
    CHECK(win.contains(cue->rect));
    CHECK(cue->clip.contains(cue->rect));
    // It counts every answer not wholly above it.
    int under = 0;
    for (const auto& o : q.options) {
      const auto* it = r.find_id("opt." + o.code);
      if (it->rect.y + it->rect.h > cue->rect.y + 0.5f) ++under;
    }
    CHECK(cue->label.rfind(std::to_string(under) + " more answer", 0) == 0);
  }
  if (w.scale == 200) {
    INFO("the question area is " << first->clip.h << " of " << win.h << " px");
    CHECK(first->clip.h >= 0.6f * win.h);
  }
}

void set_up(UiRig& r, const Walk& w) {
  r.tap_id("bar.settings");
  r.tap_id("settings.size." + std::to_string(w.scale));
  if (w.contrast) r.tap_id("settings.contrast");
  if (w.speech) r.tap_id("settings.speech");
  r.tap_id("settings.done");
  REQUIRE(r.app->settings().text_scale == w.scale);
  REQUIRE(r.app->settings().speech == w.speech);
}

void type(UiRig& r, const std::string& text) {
  for (char c : text) {
    SDL_Event e{};
    e.type = SDL_TEXTINPUT;
    e.text.text[0] = c;
    e.text.text[1] = 0;
    SDL_PushEvent(&e);
  }
  r.settle();
  r.key(SDLK_RETURN);
}

void answer(UiRig& r, const Question& q, int branch) {
  if (q.has_options()) {
    const Option* pick = nullptr;
    for (const auto& o : q.options)
      if (&o != q.other_option()) {
        pick = &o;
        break;
      }
    if (q.id == "q9") pick = &q.options[static_cast<size_t>(branch)];
    REQUIRE(pick != nullptr);
    r.tap_id("opt." + pick->code);
  } else if (q.required) {
    r.tap_id("q.textbox");
    REQUIRE(r.app->ui().panel == Panel::Keyboard);
    type(r, q.type == QuestionType::Postcode ? "BL9 0SW" : "fine");
  }
  REQUIRE(r.app->ui().panel == Panel::None);
}

// Every screen of a visit, answering each question; for Bury, back to Q9 and
// on down its other branch. Returns the questions seen.
std::set<std::string> walk(UiRig& r, Walk& w) {
  std::set<std::string> seen;
  check_screen(r, w, "home");
  const auto* start = r.find_id("home.start");
  REQUIRE(start != nullptr);
  CHECK(start->clip.contains(start->rect));
  CHECK(window_rect(r).contains(start->rect));
  r.tap_id("home.start");
  check_screen(r, w, "about");
  r.tap_id("nav.next");
  check_screen(r, w, "privacy");
  r.tap_id("nav.next");
  for (int branch : {0, 1}) {
    bool at_branch = false;
    for (int guard = 0; r.app->ui().screen == Screen::Question && guard < 60; ++guard) {
      const Question& q = *r.app->session()->current();
      seen.insert(q.id);
      check_question(r, w, q);
      answer(r, q, branch);
      r.tap_id("nav.next");
      REQUIRE(r.app->ui().error.empty());
      at_branch = at_branch || q.id == "q9";
    }
    REQUIRE(r.app->ui().screen == Screen::Review);
    check_screen(r, w, "review");
    if (!at_branch || branch == 1) break;
    // Back to Q9 for the other branch.
    for (int guard = 0; guard < 60; ++guard) {
      r.tap_id("nav.back");
      REQUIRE(r.app->ui().screen == Screen::Question);
      if (r.app->session()->current()->id == "q9") break;
    }
  }
  return seen;
}

void walk_all(const std::string& survey, int W, int H, std::size_t questions) {
  for (int scale : {100, 125, 150, 200}) {
    for (bool alt : {false, true}) {
      Walk w;
      w.scale = scale;
      w.contrast = alt;
      w.speech = alt;
      w.tag = std::to_string(W) + "x" + std::to_string(H) + " " + std::to_string(scale) + "%" +
              (alt ? " high contrast, speech on" : " standard, speech off");
      UiRig r(W, H, "", survey);
      // Help does not move when the settings change.
      check_screen(r, w, "home at 100%");
      // (Information pages before the settings: Home resets them until the visit keeps them.)
      r.tap_id("home.service");
      check_screen(r, w, "info list at 100%");
      r.tap_id("nav.home");
      const auto at_start = w.help;
      set_up(r, w);
      w.help.clear();
      const auto seen = walk(r, w);
      CHECK(seen.size() == questions);
      if (scale == 100)
        for (const auto& [id, rect] : at_start) CHECK(same(rect, w.help[id]));
    }
  }
}

// A visitor who taps every answer of every question, the last first, by
// touch alone: each drag and tap as a finger does it, each tap checked
// through the accessibility tree and the session to have chosen what was
// tapped. Returns the taps that chose nothing (or something else).
std::vector<std::string> tap_every_answer(UiRig& r, const std::string& tag, const std::string& locale) {
  std::vector<std::string> lost;
  if (!locale.empty()) r.tap_id("home.lang." + locale);
  r.tap_id("home.start");
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  for (int guard = 0; r.app->ui().screen == Screen::Question && guard < 60; ++guard) {
    const Question& q = *r.app->session()->current();
    if (q.has_options()) {
      const bool multiple = q.type == QuestionType::Multiple;
      for (auto o = q.options.rbegin(); o != q.options.rend(); ++o) {
        const std::string id = "opt." + o->code;
        const Answer* before = r.app->session()->answer_for(q.id);
        const bool had = before && before->has(o->code);
        if (!r.app->tree().find(id)) {
          lost.push_back(tag + " " + q.id + ": \"" + o->code + "\" is not on the screen");
          continue;
        }
        const bool reached = r.HeadlessKiosk::tap_id(id);
        const Answer* after = r.app->session()->answer_for(q.id);
        const bool has = after && after->has(o->code);
        const bool chose = multiple ? has != had : (has && after->choices.size() == 1);
        // An "Other" box opened by the tap is closed again (its answer kept) for the next answer.
        if (r.app->ui().panel == Panel::Keyboard) r.key(SDLK_ESCAPE);
        const Answer* now = r.app->session()->answer_for(q.id);
        const auto* it = r.app->tree().find(id);
        const bool said = it && it->value == (now && now->has(o->code) ? "selected" : "not selected");
        if (!reached || !chose || !said)
          lost.push_back(tag + " " + q.id + ": a tap on \"" + (it ? it->label : o->code) + "\" " +
                         (!reached ? "could not be brought into view"
                          : !chose ? "chose nothing"
                                   : "is not shown as chosen"));
      }
    } else if (q.required) {
      r.tap_id("q.textbox");
      type(r, q.type == QuestionType::Postcode ? "BL9 0SW" : "fine");
    }
    // The visitor can always move on.
    const std::string at = q.id;
    r.tap_id("nav.next");
    if (r.app->ui().screen == Screen::Question && r.app->session()->current()->id == at) {
      lost.push_back(tag + " " + at + ": stuck, Next did not move on (" + r.app->ui().error + ")");
      break;
    }
  }
  return lost;
}

void tap_all(const std::string& survey, int W, int H, const std::vector<int>& scales, const std::string& locale = "") {
  std::vector<std::string> lost;
  for (int scale : scales)
    for (bool alt : {false, true}) {
      Walk w;
      w.scale = scale;
      w.contrast = alt;
      UiRig r(W, H, "", survey);
      set_up(r, w);
      const std::string tag = std::to_string(W) + "x" + std::to_string(H) + " " + std::to_string(scale) + "%" +
                              (alt ? " high contrast" : "") + (locale.empty() ? "" : " " + locale);
      for (auto& l : tap_every_answer(r, tag, locale)) lost.push_back(std::move(l));
    }
  for (const auto& l : lost) UNSCOPED_INFO(l);
  CHECK(lost.empty());
}

// Wholly in view: inside its own area and the window, with nothing to slide.
bool wholly_in_view(UiRig& r, const std::string& id) {
  const auto* it = r.find_id(id);
  return it && it->clip.contains(it->rect) && window_rect(r).contains(it->rect);
}

}  // namespace

TEST_CASE("panels at 200%: their actions in view on opening, and the keyboard's with 2,000 characters typed",
          "[ui][layout][panels]") {
  for (auto [W, H] : {std::pair{1280, 800}, std::pair{1920, 1080}})
    for (bool alt : {false, true}) {
      INFO(W << "x" << H << (alt ? " high contrast" : ""));
      UiRig r(W, H);
      r.tap_id("bar.settings");
      r.tap_id("settings.size.200");
      if (alt) r.tap_id("settings.contrast");
      // Done is there without sliding, after the text grew and the colours changed.
      CHECK(wholly_in_view(r, "settings.done"));
      r.tap_id("settings.done");
      REQUIRE(r.app->ui().panel == Panel::None);
      r.tap_id("bar.help");
      CHECK(wholly_in_view(r, "help.close"));
      r.tap_id("help.close");
      // To the first question with a free-text answer, and type 2,000 characters.
      r.tap_id("home.start");
      r.tap_id("nav.next");
      r.tap_id("nav.next");
      for (int guard = 0; guard < 40 && r.app->session()->current()->type != QuestionType::Text; ++guard) {
        const Question& q = *r.app->session()->current();
        if (q.has_options()) r.tap_id("opt." + q.options[0].code);
        r.tap_id("nav.next");
      }
      const Question& q = *r.app->session()->current();
      REQUIRE(q.type == QuestionType::Text);
      r.tap_id("q.textbox");
      REQUIRE(r.app->ui().panel == Panel::Keyboard);
      for (const char* id : {"kb.space", "kb.delete", "kb.cancel", "kb.done"}) CHECK(wholly_in_view(r, id));
      const std::string words = "The library is where I read the paper every morning. ";
      for (int i = 0; i < 2000; ++i) {
        SDL_Event e{};
        e.type = SDL_TEXTINPUT;
        e.text.text[0] = words[static_cast<size_t>(i) % words.size()];
        SDL_PushEvent(&e);
        if (i % 200 == 199) r.settle();
      }
      r.settle();
      INFO("typed " << r.app->ui().edit_text.size() << " characters");
      CHECK(r.app->ui().edit_text.size() >= 1000);
      for (const char* id : {"kb.space", "kb.delete", "kb.cancel", "kb.done"}) {
        INFO(id);
        CHECK(wholly_in_view(r, id));
      }
      r.tap_id("kb.done");
      CHECK(r.app->ui().panel == Panel::None);
    }
}

TEST_CASE("touch: every answer of every Bury question chosen by a tap at every text size, 1280x800",
          "[ui][layout][touch]") {
  tap_all(test::bury_survey(), 1280, 800, {100, 125, 150, 200});
}

TEST_CASE("touch: every answer of every Bury question chosen by a tap at every text size, 1920x1080",
          "[ui][layout][touch]") {
  tap_all(test::bury_survey(), 1920, 1080, {100, 125, 150, 200});
}

TEST_CASE("touch: every answer chosen by a tap in Polish and Urdu, at 100% and 200%, on both screens",
          "[ui][layout][touch][locale]") {
  for (const char* locale : {"pl", "ur"}) {
    tap_all(test::bury_survey(), 1280, 800, {100, 200}, locale);
    tap_all(test::bury_survey(), 1920, 1080, {100, 200}, locale);
  }
}

TEST_CASE("layout: Bury on 1280x800: every answer in view on arrival and help and actions fixed", "[ui][layout]") {
  walk_all(test::bury_survey(), 1280, 800, 25);
}

TEST_CASE("layout: Bury on 1920x1080: every answer in view on arrival and help and actions fixed", "[ui][layout]") {
  walk_all(test::bury_survey(), 1920, 1080, 25);
}

TEST_CASE("layout: the family hub survey (0 to 10 and 7-point scales and 17 answers) in view on arrival",
          "[ui][layout]") {
  walk_all(hub_survey(), 1280, 800, 7);
  walk_all(hub_survey(), 1920, 1080, 7);
}
