// A visitor alone at the screen (issue 8): a blind visitor starts speech and
// completes the survey by keys and what they hear (A13, A15); settings last
// the whole visit and reset only after the closing words (A16); the focus is
// ready on arrival; the on-screen keyboard has capitals and punctuation.
#include <algorithm>
#include <regex>

#include "ui_harness.hpp"
#include "visitor_settings.hpp"

using namespace kiosk;
using namespace kiosk::ui;
using test::UiRig;

namespace {

// Down until what is said starts with `heard` (and ends with `ending`): the
// visitor moves by ear, not by knowing ids.
void move_to(UiRig& r, const std::string& heard, const std::string& ending = "") {
  for (int i = 0; i < 150; ++i) {
    r.key(SDLK_DOWN);
    const std::string& last = r.speech.said.back();
    if (last.rfind(heard, 0) == 0 &&
        (ending.empty() ||
         (last.size() >= ending.size() && last.compare(last.size() - ending.size(), ending.size(), ending) == 0)))
      return;
  }
  FAIL("never heard \"" << heard << "\"; last: " << r.speech.said.back());
}

void type_keys(UiRig& r, const std::string& text) {
  for (char c : text) {
    SDL_Event e{};
    e.type = SDL_TEXTINPUT;
    e.text.text[0] = c;
    e.text.text[1] = 0;
    SDL_PushEvent(&e);
    r.settle();
  }
}

// The last thing said that contains `part`.
std::string last_said_with(const UiRig& r, const std::string& part) {
  for (auto it = r.speech.said.rbegin(); it != r.speech.said.rend(); ++it)
    if (it->find(part) != std::string::npos) return *it;
  return {};
}

void turn_speech_on_by_keys(UiRig& r) {
  REQUIRE_FALSE(r.app->settings().speech);
  r.key(SDLK_DOWN);  // any key
  CHECK_THAT(r.speech.said.back(), Catch::Contains("Press Enter to turn speech on"));
  CHECK_FALSE(r.app->settings().speech);
  r.key(SDLK_RETURN);
  REQUIRE(r.app->settings().speech);
  CHECK_THAT(r.speech.said.back(), Catch::StartsWith("Speech is on."));
  CHECK_THAT(r.speech.said.back(), Catch::Contains("Start the survey"));
}

void walk_to_question(UiRig& r) {
  r.tap_id("home.start");
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  REQUIRE(r.app->ui().screen == Screen::Question);
}

}  // namespace

TEST_CASE("a blind visitor turns speech on by keys and completes the Bury survey by what they hear",
          "[visit][speech]") {
  UiRig r;
  turn_speech_on_by_keys(r);
  move_to(r, "Start the survey", ", button");
  r.key(SDLK_RETURN);
  REQUIRE(r.app->ui().screen == Screen::About);
  move_to(r, "Continue, button");
  r.key(SDLK_RETURN);
  REQUIRE(r.app->ui().screen == Screen::Privacy);
  move_to(r, "I understand, start, button");
  r.key(SDLK_RETURN);
  REQUIRE(r.app->ui().screen == Screen::Question);

  int guard = 0;
  std::vector<std::string> heard_before;  // the labels of the last list read out on arrival
  int said_as_same = 0;
  while (r.app->ui().screen == Screen::Question && ++guard < 60) {
    const Question& q = *r.app->session()->current();
    const auto p = r.app->session()->progress();
    const std::string where = "Question " + std::to_string(p.position) + " of " + std::to_string(p.total);
    const std::string heard = last_said_with(r, where);
    INFO(q.id << ": " << heard);
    REQUIRE_FALSE(heard.empty());
    CHECK_THAT(heard, Catch::Contains(q.text.get("en", "en").substr(0, 20)));
    // Every answer, with its position and state, in order; a long list as
    // its count and how to browse it (Q22's 17 took 82 s read in full), each
    // of its answers then heard, in order, as the arrows reach it.
    const bool long_list = q.options.size() > kListReadInFull;
    std::vector<std::string> labels;
    for (const auto& o : q.options) labels.push_back(o.label.get("en", "en"));
    // The same answers as the question before (Q2 to Q6's scale) are said
    // as their count, first and last; each is then heard as Down reaches it.
    const bool same_list = !long_list && labels.size() > 1 && labels == heard_before;
    heard_before = labels;
    if (same_list) {
      ++said_as_same;
      CHECK_THAT(heard, Catch::Contains("The same " + std::to_string(labels.size()) + " answers as before, from " +
                                        labels.front() + " to " + labels.back()));
      CHECK_THAT(heard, !Catch::Contains("1 of " + std::to_string(labels.size()) + ": "));
      for (size_t k = 1; k < labels.size(); ++k) {
        r.key(SDLK_DOWN);
        CHECK_THAT(r.speech.said.back(), Catch::StartsWith(labels[k] + ", "));
      }
      for (size_t k = 1; k < labels.size(); ++k) r.key(SDLK_UP);
    }
    size_t at = 0;
    for (size_t k = 0; k < q.options.size() && !long_list && !same_list; ++k) {
      const std::string said = std::to_string(k + 1) + " of " + std::to_string(q.options.size()) + ": " +
                               q.options[k].label.get("en", "en") + ", not chosen";
      const size_t found = heard.find(said, at);
      CHECK(found != std::string::npos);
      if (found != std::string::npos) at = found;
    }
    if (long_list) {
      CHECK_THAT(heard, Catch::Contains(std::to_string(q.options.size()) + " answers. Use the up and down arrows"));
      CHECK_THAT(heard, !Catch::Contains(q.options.back().label.get("en", "en")));
      // The focus starts on the first answer; Down reads each of the others.
      CHECK(r.app->ui().focus == "opt." + q.options.front().code);
      for (size_t k = 1; k < q.options.size(); ++k) {
        r.key(SDLK_DOWN);
        CHECK_THAT(r.speech.said.back(), Catch::StartsWith(q.options[k].label.get("en", "en") + ", "));
      }
      for (size_t k = 1; k < q.options.size(); ++k) r.key(SDLK_UP);
      CHECK(r.app->ui().focus == "opt." + q.options.front().code);
    }
    if (q.has_options() && (long_list || same_list)) {
      CHECK_THAT(heard, Catch::Contains("Enter to"));
      // The first answer, where the focus is.
      r.key(SDLK_RETURN);
      CHECK(r.speech.said.back() == q.options.front().label.get("en", "en") + ", selected");
    } else if (q.has_options()) {
      CHECK_THAT(heard, Catch::Contains("Enter to"));
      // Choose what was heard first (not "Other", which would need typing).
      static const std::regex answer_re(R"((\d+) of \d+: ([^.]+?), not chosen)");
      const std::string other = q.other_option() ? q.other_option()->label.get("en", "en") : "";
      std::string choice;
      for (auto it = std::sregex_iterator(heard.begin(), heard.end(), answer_re); it != std::sregex_iterator(); ++it)
        if ((*it)[2].str() != other) {
          choice = (*it)[2].str();
          break;
        }
      REQUIRE_FALSE(choice.empty());
      move_to(r, choice + ", ");
      r.key(SDLK_RETURN);
      CHECK(r.speech.said.back() == choice + ", selected");
    } else {
      const bool postcode = q.type == QuestionType::Postcode;
      move_to(r, postcode ? "Postcode, text box" : "Your answer, text box");
      r.key(SDLK_RETURN);
      REQUIRE(r.app->ui().panel == Panel::Keyboard);
      type_keys(r, postcode ? "bl9 0sw" : "more evening hours");
      r.key(SDLK_RETURN);
      REQUIRE(r.app->ui().panel == Panel::None);
    }
    move_to(r, "Next", ", button");
    r.key(SDLK_RETURN);
  }
  REQUIRE(r.app->ui().screen == Screen::Review);
  CHECK(said_as_same >= 5);  // Q2 to Q6
  // Send is where the focus starts, and the screen says so in words for
  // keys, never "touch": one Enter sends (it took 26 presses of Down).
  CHECK(r.app->ui().focus == "nav.submit");
  const std::string review = last_said_with(r, "Your answers are listed below");
  INFO(review);
  CHECK_THAT(review,
             Catch::Contains("press Enter on \"Send my answers\"") && Catch::Contains("Now on: Send my answers"));
  CHECK_THAT(review, !Catch::Contains("Touch") && !Catch::Contains("touch"));
  r.key(SDLK_RETURN);
  REQUIRE(r.app->ui().screen == Screen::Thanks);
  CHECK_THAT(r.speech.said.back(), Catch::Contains("Thank"));
  auto q = db::Statement::prepare(r.app->store().connection(), "SELECT status FROM responses");
  REQUIRE(*q->step());
  CHECK(q->str(0) == "completed");
}

TEST_CASE("touching and holding anywhere for 2 seconds turns speech on, and presses nothing", "[visit][speech]") {
  UiRig r;
  const auto* start = r.find_id("home.start");
  REQUIRE(start != nullptr);
  const float x = start->rect.x + start->rect.w * 0.5f, y = start->rect.y + start->rect.h * 0.5f;
  r.finger(x, y, SDL_FINGERDOWN);
  r.settle();
  // The loop wakes by itself at the 2 s mark while the finger is held.
  const int wait = r.app->next_timer_ms();
  CHECK(wait > 0);
  CHECK(wait <= 2000);
  r.clock.advance(std::chrono::milliseconds(1900));
  r.settle();
  CHECK_FALSE(r.app->settings().speech);
  r.clock.advance(std::chrono::milliseconds(100));
  r.settle();
  REQUIRE(r.app->settings().speech);
  CHECK_THAT(r.speech.said.back(), Catch::StartsWith("Speech is on."));
  r.finger(x, y, SDL_FINGERUP);
  r.settle();
  CHECK(r.app->ui().screen == Screen::Home);  // the held button was not pressed
}

TEST_CASE("headphones appearing as a new audio device turn speech on", "[visit][speech]") {
  UiRig r;
  SDL_Event e{};
  e.type = SDL_AUDIODEVICEADDED;
  e.adevice.which = 9;
  e.adevice.iscapture = 0;
  SDL_PushEvent(&e);
  r.settle();
  CHECK(r.app->settings().speech);
}

TEST_CASE("F1 and ? show the help panel with speech off, and speak it with speech on", "[visit][help]") {
  UiRig r;
  r.key(SDLK_F1);
  CHECK(r.app->ui().panel == Panel::Help);
  const auto* where = r.app->tree().find("help.where");
  REQUIRE(where != nullptr);
  CHECK_THAT(where->label, Catch::Contains("start screen"));
  for (const auto& said : r.speech.said) CHECK(said.find("Help") == std::string::npos);  // shown, not said
  r.key(SDLK_ESCAPE);
  CHECK(r.app->ui().panel == Panel::None);
  walk_to_question(r);
  SDL_Event e{};
  e.type = SDL_TEXTINPUT;
  e.text.text[0] = '?';
  SDL_PushEvent(&e);
  r.settle();
  CHECK(r.app->ui().panel == Panel::Help);
  r.key(SDLK_ESCAPE);
  r.tap_id("bar.settings");
  r.tap_id("settings.speech");
  r.tap_id("settings.done");
  r.key(SDLK_F1);
  CHECK(r.app->ui().panel == Panel::Help);
  CHECK_THAT(r.speech.said.back(), Catch::Contains("question 1 of 21"));
}

TEST_CASE("settings last the visit: home, information pages and Escape keep them, and the idle timeout ends it",
          "[visit][settings]") {
  UiRig r;
  r.tap_id("bar.settings");
  r.tap_id("settings.size.150");
  r.tap_id("settings.contrast");
  r.tap_id("settings.done");
  const VisitorSettings mine = r.app->settings();
  REQUIRE(mine.text_scale == 150);
  REQUIRE(mine.high_contrast);
  // An information page and Home.
  r.tap_id("home.service");
  REQUIRE(r.app->ui().screen == Screen::Info);
  r.tap_id("nav.home");
  REQUIRE(r.app->ui().screen == Screen::Home);
  CHECK(r.app->settings() == mine);
  // Back on the introduction.
  r.tap_id("home.start");
  r.tap_id("nav.back");
  REQUIRE(r.app->ui().screen == Screen::Home);
  CHECK(r.app->settings() == mine);
  // Escape all the way from the first question.
  walk_to_question(r);
  for (int i = 0; i < 3; ++i) r.key(SDLK_ESCAPE);
  REQUIRE(r.app->ui().screen == Screen::Home);
  CHECK(r.app->settings() == mine);
  // A visit in progress times out at home too, so the next visitor gets the defaults.
  r.advance(91);
  REQUIRE(r.app->ui().panel == Panel::Idle);
  r.advance(31);
  CHECK(r.app->settings() == VisitorSettings{});
}

TEST_CASE("Finish on the home screen ends the visit and resets the settings", "[visit][settings]") {
  UiRig r;
  CHECK(r.find_id("home.finish") == nullptr);  // nothing to finish yet
  r.tap_id("bar.settings");
  r.tap_id("settings.size.125");
  r.tap_id("settings.done");
  r.tap_id("home.finish");
  CHECK(r.app->settings() == VisitorSettings{});
  CHECK(r.find_id("home.finish") == nullptr);
}

TEST_CASE("an idle timeout says \"The screen has been cleared.\" before the settings reset", "[visit][idle]") {
  UiRig r;
  r.tap_id("bar.settings");
  r.tap_id("settings.speech");
  r.tap_id("settings.size.200");
  r.tap_id("settings.done");
  walk_to_question(r);
  r.speech.finish();
  r.settle();
  r.advance(91);
  REQUIRE(r.app->ui().panel == Panel::Idle);
  r.speech.finish();
  r.settle();
  r.advance(31);
  REQUIRE(r.app->ui().screen == Screen::Home);
  REQUIRE(r.speech.said.back() == "The screen has been cleared.");
  // Still in the visitor's settings while the words are heard.
  CHECK(r.app->settings().speech);
  CHECK(r.app->settings().text_scale == 200);
  r.speech.finish();
  r.settle();
  CHECK(r.app->settings() == VisitorSettings{});
  const auto cleared = std::find(r.speech.said.begin(), r.speech.said.end(), "The screen has been cleared.");
  REQUIRE(cleared != r.speech.said.end());
  // Nothing cut it short: the only thing after it is the reset's stop, once heard.
  CHECK(std::count(cleared, r.speech.said.end(), "<stopped>") <= 1);
}

TEST_CASE("the idle warning waits while speech is playing and counts from its end", "[visit][idle]") {
  UiRig r;
  r.tap_id("bar.settings");
  r.tap_id("settings.speech");
  r.tap_id("settings.done");
  walk_to_question(r);
  REQUIRE(r.speech.talking);  // the question is being read
  r.advance(200);
  CHECK(r.app->ui().panel == Panel::None);
  r.speech.finish();
  r.settle();
  r.advance(89);
  CHECK(r.app->ui().panel == Panel::None);
  r.advance(2);
  CHECK(r.app->ui().panel == Panel::Idle);
  CHECK_THAT(r.speech.said.back(), Catch::Contains("Are you still there?"));
}

TEST_CASE("a new screen has its focus on the first thing to act on", "[visit][focus]") {
  UiRig r;
  CHECK(r.app->ui().focus == "home.start");
  walk_to_question(r);
  CHECK(r.app->ui().focus == "opt.strongly_agree");
  r.tap_id("opt.disagree");
  r.tap_id("nav.next");
  r.tap_id("nav.back");
  CHECK(r.app->ui().focus == "opt.disagree");  // the chosen answer
}

TEST_CASE("the on-screen keyboard has Shift, digits, punctuation and @, and a postcode layout", "[visit][keyboard]") {
  UiRig r;
  walk_to_question(r);
  auto key_id = [](char c) { return "kb.key." + std::to_string(static_cast<int>(static_cast<unsigned char>(c))); };
  int guard = 0;
  bool saw_text = false, saw_postcode = false;
  while (r.app->ui().screen == Screen::Question && ++guard < 60) {
    const Question& q = *r.app->session()->current();
    if (q.has_options()) {
      r.tap_id("opt." + q.options[0].code);
    } else if (q.type == QuestionType::Postcode) {
      saw_postcode = true;
      r.tap_id("q.textbox");
      CHECK(r.find_id("kb.shift") == nullptr);
      CHECK(r.find_id(key_id('-')) == nullptr);
      CHECK(r.find_id(key_id('@')) == nullptr);
      r.tap_id(key_id('B'));
      r.tap_id(key_id('9'));
      CHECK(r.app->ui().edit_text == "B9");
      r.tap_id("kb.done");
    } else if (!saw_text) {
      saw_text = true;
      r.tap_id("q.textbox");
      r.tap_id(key_id('a'));
      r.tap_id("kb.shift");
      r.tap_id(key_id('b'));
      r.tap_id(key_id('c'));
      for (char c : std::string("1-'.,@")) r.tap_id(key_id(c));
      CHECK(r.app->ui().edit_text == "ABc1-'.,@");
      r.tap_id("kb.done");
    } else {
      r.tap_id("q.textbox");
      r.tap_id(key_id('x'));
      r.tap_id("kb.done");
    }
    r.tap_id("nav.next");
  }
  CHECK(saw_text);
  CHECK(saw_postcode);
}

TEST_CASE("keys typed on the on-screen keyboard are spoken by name", "[visit][keyboard][speech]") {
  UiRig r;
  r.tap_id("bar.settings");
  r.tap_id("settings.speech");
  r.tap_id("settings.done");
  walk_to_question(r);
  while (r.app->session()->current()->has_options()) {
    r.tap_id("opt." + r.app->session()->current()->options[0].code);
    r.tap_id("nav.next");
  }
  r.tap_id("q.textbox");
  auto key_id = [](char c) { return "kb.key." + std::to_string(static_cast<int>(static_cast<unsigned char>(c))); };
  r.tap_id(key_id('a'));
  CHECK(r.speech.said.back() == "capital A");
  r.tap_id(key_id('@'));
  CHECK(r.speech.said.back() == "at");
  r.tap_id(key_id('-'));
  CHECK(r.speech.said.back() == "hyphen");
  r.tap_id("kb.shift");
  r.tap_id(key_id('q'));
  CHECK(r.speech.said.back() == "capital Q");
}

TEST_CASE("outside opening hours the screen sleeps when idle, wakes on a touch that presses nothing, and at opening",
          "[visit][sleep]") {
  setenv("TZ", "UTC", 1);  // the rig's clock starts on Tuesday 2016-03-01 at 08:00 UTC
  tzset();
  test::TempDir tmp;
  const std::string sp = tmp.file("service-points.toml");
  test::write_file(sp,
                   "[[service_point]]\nid = \"castle\"\nname = \"Castle Leisure Centre library\"\n"
                   "hours = [\"Tuesday 9:00 to 17:00\"]\n");
  UiRig r(1280, 800, "", test::bury_survey(), nullptr, sp);
  REQUIRE(r.find_id("home.start"));  // just started: awake, someone may be there
  r.advance(91);                     // idle as long as the idle warning: dark
  REQUIRE(r.find_id("sleep"));
  CHECK_FALSE(r.find_id("home.start"));
  // A touch where Start would be wakes the screen and does not start the survey.
  r.finger(640.0f, 190.0f, SDL_FINGERDOWN);
  r.finger(640.0f, 190.0f, SDL_FINGERUP);
  r.settle();
  REQUIRE(r.find_id("home.start"));
  CHECK(r.app->ui().screen == Screen::Home);
  r.advance(91);
  REQUIRE(r.find_id("sleep"));
  // 09:00: the library opens and the screen lights by itself.
  r.advance(3600 - 182);
  CHECK(r.find_id("home.start"));
  r.advance(4 * 3600);  // open all morning: idle, but awake
  CHECK(r.find_id("home.start"));
  r.advance(5 * 3600);  // 18:00, closed
  CHECK(r.find_id("sleep"));
}
