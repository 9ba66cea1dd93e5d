// Numbers on a number pad and notes between questions (issue 20), in the
// real kiosk: by touch at 100% and 200% text, and by keys with speech in Urdu.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "kiosk/db.hpp"
#include "kiosk/session.hpp"
#include "text_entry.hpp"
#include "ui_harness.hpp"

using namespace kiosk;
using namespace kiosk::ui;
using test::check_layout;
using test::UiRig;

namespace {

// The survey in a folder of its own beside the kiosk's catalogues (as
// kiosk-config/surveys is), so Polish and Urdu speak in their own words.
struct SurveyFolder {
  test::TempDir tmp;
  std::string path;
  SurveyFolder() {
    std::filesystem::create_directories(tmp.path() / "surveys");
    std::filesystem::create_directory_symlink(test::source_path("kiosk-config/locales"), tmp.path() / "locales");
    path = tmp.file("surveys/question-kinds.toml");
    std::filesystem::copy_file(test::source_path("tests/surveys/question-kinds.toml"), path);
  }
};

// KIOSK_TEST_SHOTS=DIR: each screen as a visitor sees it, to look at.
void shot(UiRig& r, const std::string& name) {
  if (const char* dir = std::getenv("KIOSK_TEST_SHOTS")) r.shot(std::string(dir) + "/" + name + ".png");
}

// Types `digits` on the pad by touching its keys.
void type_on_pad(UiRig& r, const std::string& digits) {
  for (char c : digits) r.tap_id(key_id(std::string(1, c)));
}

Answers completed_answers(UiRig& r) {
  auto q = db::Statement::prepare(r.app->store().connection(),
                                  "SELECT key_id, sealed FROM responses WHERE status='completed'");
  REQUIRE(*q->step());
  auto doc = parse_canonical_document(*test::keyring().open(q->str(0), q->blob(1)));
  REQUIRE(doc.ok());
  return doc->second;
}

const std::vector<std::string> kItems = {"rate_books", "rate_computers", "rate_staff",
                                         "rate_hours", "rate_building",  "rate_events"};
const std::vector<std::string> kScale = {"very_good", "good", "neither", "poor", "very_poor"};
// The answer the visitor chooses for item k: the last for the first, and
// every column in turn.
std::string pick(std::size_t k) { return kScale[(kScale.size() - 1 + k) % kScale.size()]; }

// A mark wholly in view: inside its scroll area, not under a band.
bool wholly_in_view(const A11yItem& it) {
  return it.rect.y >= it.clip.y - 0.5f && it.rect.y + it.rect.h <= it.clip.y + it.clip.h + 0.5f;
}

// The matrix by touch: one screen of six items; at 100% every mark is in
// view on arrival; Next with nothing chosen names the first item; each item
// answered by a tap (the last answer of the first, then each column), the
// tap choosing what was tapped and nothing else.
void rate_by_touch(UiRig& r, const std::string& tag) {
  REQUIRE(r.app->ui().screen == Screen::Question);
  REQUIRE(r.app->session()->current()->id == "rate_books");
  REQUIRE(r.app->session()->current_screen().size() == kItems.size());
  // One screen: the progress counts it once, as the last.
  CHECK(r.app->session()->progress().position == r.app->session()->progress().total);
  for (const auto& item : kItems)
    for (const auto& code : kScale) {
      INFO(tag << ": " << item << "." << code);
      const auto* it = r.find_id("mx." + item + "." + code);
      REQUIRE(it != nullptr);
      if (tag == "100") CHECK(wholly_in_view(*it));
    }
  CHECK(r.find_id("mx.rate_events.very_poor")->label == "Events for children and families: Very poor");
  check_layout(r, tag + " matrix");
  shot(r, tag + "-matrix");
  r.tap_id("nav.next");
  CHECK(r.app->ui().error == "Please choose an answer for \u201CThe books\u201D to continue.");
  CHECK(r.app->session()->current()->id == "rate_books");
  for (std::size_t k = 0; k < kItems.size(); ++k) {
    const std::string id = "mx." + kItems[k] + "." + pick(k);
    r.tap_id(id);
    INFO(tag << ": tapped " << id);
    CHECK(r.find_id(id)->value == "selected");
    const Answer* a = r.app->session()->answer_for(kItems[k]);
    REQUIRE(a != nullptr);
    CHECK(a->choices == std::vector{pick(k)});
    for (const auto& code : kScale)
      if (code != pick(k)) CHECK(r.find_id("mx." + kItems[k] + "." + code)->value == "not selected");
  }
  check_layout(r, tag + " matrix answered");
  shot(r, tag + "-matrix-answered");
  r.tap_id("nav.next");
  REQUIRE(r.app->ui().screen == Screen::Review);
  // The review names the matrix once, then each item and its answer.
  CHECK(r.find_id("review.m.rate") != nullptr);
  CHECK(r.find_id("review.a.rate_books")->label.find("Very poor") != std::string::npos);
  CHECK(r.find_id("review.a.rate_computers")->label.find("Very good") != std::string::npos);
}

// By touch: a number out of range is refused with the range in words, put
// right; a decimal with its point; the note is read and passed; a number
// left blank is skipped. `tag` names the screenshots.
void visit_by_touch(UiRig& r, const std::string& tag) {
  r.tap_id("home.start");
  REQUIRE(r.app->ui().screen == Screen::Question);
  REQUIRE(r.app->session()->current()->id == "visits");
  // The words under the box say what it takes.
  REQUIRE(r.find_id("q.range") != nullptr);
  CHECK(r.find_id("q.range")->label == "A whole number. From 0 to 31.");
  r.tap_id("q.textbox");
  REQUIRE(r.app->ui().panel == Panel::Keyboard);
  // A number pad: digits and minus, no letters, no space bar, no point for a whole number.
  for (char c : std::string("0123456789-")) CHECK(r.find_id(key_id(std::string(1, c))) != nullptr);
  CHECK(r.find_id(key_id("q")) == nullptr);
  CHECK(r.find_id("kb.space") == nullptr);
  CHECK(r.find_id(key_id(".")) == nullptr);
  type_on_pad(r, "32");
  check_layout(r, tag + " number pad");
  shot(r, tag + "-pad");
  r.tap_id("kb.done");
  r.tap_id("nav.next");
  CHECK(r.app->ui().error == "Please type a number from 0 to 31.");
  CHECK(r.app->session()->current()->id == "visits");
  check_layout(r, tag + " number out of range");
  shot(r, tag + "-range");
  r.tap_id("q.textbox");
  r.tap_id("kb.delete");
  r.tap_id("kb.delete");
  type_on_pad(r, "12");
  r.tap_id("kb.done");
  r.tap_id("nav.next");
  // The note: its words, no box, no "you can skip", Next goes on.
  REQUIRE(r.app->session()->current()->id == "halfway");
  REQUIRE(r.find_id("q.note0") != nullptr);
  CHECK(r.find_id("q.note0")->label == "Thank you. Two more questions about your journey.");
  CHECK(r.find_id("q.textbox") == nullptr);
  CHECK(r.find_id("q.optional") == nullptr);
  check_layout(r, tag + " note");
  shot(r, tag + "-note");
  r.tap_id("nav.next");
  REQUIRE(r.app->session()->current()->id == "miles");
  r.tap_id("q.textbox");
  REQUIRE(r.find_id(key_id(".")) != nullptr);
  type_on_pad(r, "2.5");
  r.tap_id("kb.done");
  r.tap_id("nav.next");
  REQUIRE(r.app->session()->current()->id == "minutes");
  r.tap_id("nav.next");  // optional: left blank
  // The date: day, month and year, each on the pad; 31 February is no date,
  // 2015 is outside the range; 13 June 2016 is taken.
  REQUIRE(r.app->session()->current()->id == "last_visit");
  auto part = [&](const std::string& box, const std::string& digits) {
    r.tap_id(box);
    REQUIRE(r.app->ui().panel == Panel::Keyboard);
    check_layout(r, tag + " " + box + " pad");
    CHECK(r.find_id(key_id("-")) == nullptr);  // digits only
    for (int i = 0; i < 4; ++i) r.tap_id("kb.delete");
    type_on_pad(r, digits);
    r.tap_id("kb.done");
  };
  part("q.date.day", "31");
  part("q.date.month", "2");
  part("q.date.year", "2016");
  check_layout(r, tag + " date");
  shot(r, tag + "-date");
  r.tap_id("nav.next");
  CHECK(r.app->ui().error == "There is no such date: please check the day and the month.");
  part("q.date.day", "13");
  part("q.date.month", "6");
  part("q.date.year", "2015");
  r.tap_id("nav.next");
  CHECK(r.app->ui().error == "Please give a date from 01/01/2016 to 31/12/2016.");
  part("q.date.year", "2016");
  CHECK(r.find_id("q.date.month")->value == "06");
  r.tap_id("nav.next");
  rate_by_touch(r, tag);
  REQUIRE(r.app->ui().screen == Screen::Review);
  CHECK(r.find_id("review.a.last_visit")->label.find("13/06/2016") != std::string::npos);
  // The review lists the answers, not the note.
  CHECK(r.find_id("review.a.visits") != nullptr);
  CHECK(r.find_id("review.a.miles") != nullptr);
  CHECK(r.find_id("review.a.halfway") == nullptr);
  check_layout(r, tag + " review");
  shot(r, tag + "-review");
  r.tap_id("nav.submit");
  REQUIRE(r.app->ui().screen == Screen::Thanks);
  const Answers a = completed_answers(r);
  CHECK(a.at("visits").text == "12");
  CHECK(a.at("miles").text == "2.5");
  CHECK(a.count("halfway") == 0);
  CHECK(a.count("minutes") == 0);
  CHECK(a.at("last_visit").text == "2016-06-13");
  // Each item of the matrix is its own answer.
  for (std::size_t k = 0; k < kItems.size(); ++k) CHECK(a.at(kItems[k]).choices == std::vector{pick(k)});
}

}  // namespace

TEST_CASE("a number typed on the pad and a note passed, by touch, at 100% text", "[ui][kinds]") {
  SurveyFolder folder;
  UiRig r(1280, 800, "", folder.path);
  visit_by_touch(r, "100");
}

TEST_CASE("a number typed on the pad and a note passed, by touch, at 200% text", "[ui][kinds]") {
  SurveyFolder folder;
  UiRig r(1280, 800, "", folder.path);
  r.tap_id("bar.settings");
  r.tap_id("settings.size.200");
  r.tap_id("settings.done");
  REQUIRE(r.app->settings().text_scale == 200);
  visit_by_touch(r, "200");
}

TEST_CASE("in Urdu, by keys with speech: the pad reads its keys, minus and the point in Urdu", "[ui][kinds][speech]") {
  SurveyFolder folder;
  UiRig r(1280, 800, "", folder.path);
  r.tap_id("bar.settings");
  r.tap_id("settings.speech");
  r.tap_id("settings.done");
  r.tap_id("home.lang.ur");
  r.choose_by_keys("home.start");
  REQUIRE(r.app->session()->current()->id == "visits");
  // The words under the box, in Urdu.
  CHECK(r.find_id("q.range")->label == "ایک پورا عدد۔ 0 سے 31 تک۔");
  r.choose_by_keys("q.textbox");
  REQUIRE(r.app->ui().panel == Panel::Keyboard);
  // The pad's keys stay left to right, as on every phone, in a right-to-left language.
  CHECK(r.find_id(key_id("1"))->rect.x < r.find_id(key_id("2"))->rect.x);
  // Typed on a keyboard: each key said; a letter is not a number, and is not typed.
  r.type_text("7");
  CHECK(r.speech.said.back() == "7");
  r.type_text("x");
  CHECK(r.app->ui().edit_text == "7");
  CHECK(r.speech.said.back() == "ایک پورا عدد۔ 0 سے 31 تک۔");
  r.key(SDLK_RETURN);  // Done
  REQUIRE(r.app->ui().panel == Panel::None);
  r.choose_by_keys("nav.next");
  REQUIRE(r.app->session()->current()->id == "halfway");
  // The note is read aloud.
  bool heard = false;
  for (const auto& s : r.speech.said) heard = heard || s.find("شکریہ۔") != std::string::npos;
  CHECK(heard);
  r.choose_by_keys("nav.next");
  REQUIRE(r.app->session()->current()->id == "miles");
  r.choose_by_keys("q.textbox");
  r.type_text("3");
  r.type_text(".");
  CHECK(r.speech.said.back() == "اعشاریہ");
  r.type_text("5");
  r.key(SDLK_RETURN);
  shot(r, "ur-decimal");
  r.choose_by_keys("nav.next");
  r.choose_by_keys("nav.next");  // minutes: left blank
  REQUIRE(r.app->session()->current()->id == "last_visit");
  // The date by keys: Enter on the day, its digits, Enter; the focus goes on
  // to the month, then the year, each box named aloud in Urdu.
  r.choose_by_keys("q.date.day");
  r.type_text("5");
  r.speech.said.clear();
  r.key(SDLK_RETURN);
  CHECK(r.app->ui().focus == "q.date.month");
  bool named = false;  // the month's box, said by its name
  for (const auto& s : r.speech.said) named = named || s.find("مہینہ") != std::string::npos;
  INFO("said after the day: " << (r.speech.said.empty() ? std::string("(nothing)") : r.speech.said.back()));
  CHECK(named);
  r.key(SDLK_RETURN);
  r.type_text("9");
  r.key(SDLK_RETURN);
  CHECK(r.app->ui().focus == "q.date.year");
  r.key(SDLK_RETURN);
  r.type_text("2016");
  r.key(SDLK_RETURN);

  r.speech.said.clear();
  r.choose_by_keys("nav.next");
  // The matrix, read as six questions on one scale, in Urdu.
  REQUIRE(r.app->session()->current()->id == "rate_books");
  REQUIRE(!r.speech.said.empty());
  const std::string arrival = r.speech.said.back();
  INFO("said on arrival: " << arrival);
  CHECK(arrival.find("درجہ بندی کے لیے 6 چیزیں") != std::string::npos);
  CHECK(arrival.find("6 میں سے 1: کتابیں، ابھی جواب نہیں دیا گیا") != std::string::npos);
  CHECK(arrival.find("6 میں سے 6: بچوں اور خاندانوں کے لیے تقریبات") != std::string::npos);
  // Right to left: the first answer's column is the rightmost.
  CHECK(r.find_id("mx.rate_books.very_good")->rect.x > r.find_id("mx.rate_books.very_poor")->rect.x);
  shot(r, "ur-matrix");
  // The focus starts on the first item; Left and Right go through its
  // answers, Enter chooses, Down goes to the next item in the same column.
  CHECK(r.app->ui().focus == "mx.rate_books.very_good");
  for (int i = 0; i < 4; ++i) r.key(SDLK_RIGHT);
  CHECK(r.app->ui().focus == "mx.rate_books.very_poor");
  CHECK(r.speech.said.back().find("کتابیں: بہت کمزور") != std::string::npos);
  r.key(SDLK_RETURN);
  CHECK(r.app->session()->answer_for("rate_books")->choices == std::vector<std::string>{"very_poor"});
  r.key(SDLK_DOWN);
  CHECK(r.app->ui().focus == "mx.rate_computers.very_poor");
  CHECK(r.speech.said.back().find("کمپیوٹر اور وائی فائی: بہت کمزور") != std::string::npos);
  r.key(SDLK_LEFT);
  r.key(SDLK_RETURN);
  CHECK(r.app->session()->answer_for("rate_computers")->choices == std::vector<std::string>{"poor"});
  // Next with four items unanswered: the first of them is named, and the focus goes to it.
  r.choose_by_keys("nav.next");
  CHECK(r.app->session()->current()->id == "rate_books");
  CHECK(r.app->ui().error.find("عملے کی مدد") != std::string::npos);
  CHECK(r.app->ui().focus == "mx.rate_staff.very_good");
  for (const char* item : {"rate_staff", "rate_hours", "rate_building", "rate_events"}) {
    CHECK(r.app->ui().focus == std::string("mx.") + item + ".very_good");
    r.key(SDLK_RETURN);
    r.key(SDLK_DOWN);
  }

  r.choose_by_keys("nav.next");
  REQUIRE(r.app->ui().screen == Screen::Review);
  r.choose_by_keys("nav.submit");
  REQUIRE(r.app->ui().screen == Screen::Thanks);
  const Answers a = completed_answers(r);
  CHECK(a.at("visits").text == "7");
  CHECK(a.at("miles").text == "3.5");
  CHECK(a.at("last_visit").text == "2016-09-05");
  CHECK(a.at("rate_books").choices == std::vector<std::string>{"very_poor"});
  CHECK(a.at("rate_events").choices == std::vector<std::string>{"very_good"});
}

namespace {

// A PNG's width and height, from its header.
std::pair<int, int> png_size(const std::string& path) {
  const std::string bytes = test::read_file(path);
  if (bytes.size() < 24 || bytes.compare(1, 3, "PNG") != 0) return {0, 0};
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned char>(bytes[at]) << 24) | (static_cast<unsigned char>(bytes[at + 1]) << 16) |
           (static_cast<unsigned char>(bytes[at + 2]) << 8) | static_cast<unsigned char>(bytes[at + 3]);
  };
  return {be32(16), be32(20)};
}

}  // namespace

TEST_CASE("kiosk-admin preview: every question screen at 100% and 200% in every language, and what speech says",
          "[ui][preview]") {
  SurveyFolder folder;
  test::TempDir out;
  auto r = test::run(std::string(KIOSK_ADMIN_BIN) + " preview " + folder.path + " --out " + out.file("preview"));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("6 question screens in 3 languages, 36 screens"));
  const auto dir = [&](const std::string& locale) { return out.file("preview/" + locale + "/"); };
  for (const char* locale : {"en", "pl", "ur"})
    for (const char* q : {"01-visits", "02-halfway", "03-miles", "04-minutes", "05-last_visit",
                          "06-rate"})  // minutes: asked only if miles is
      for (const char* scale : {"100", "200"}) {
        INFO(locale << " " << q << " " << scale);
        CHECK(png_size(dir(locale) + q + "-" + scale + ".png") == std::pair<int, int>{1280, 800});
      }
  // What speech reads on arriving, in the visitor's language, the range in words.
  const std::string en = test::read_file(dir("en") + "speech.txt");
  CHECK_THAT(en, Catch::Contains("How many times have you visited a library in the last month?"));
  CHECK_THAT(en, Catch::Contains("A whole number. From 0 to 31."));
  CHECK_THAT(en, Catch::Contains("Thank you. Two more questions about your journey."));
  const std::string ur = test::read_file(dir("ur") + "speech.txt");
  CHECK_THAT(ur, Catch::Contains("ایک پورا عدد۔ 0 سے 31 تک۔"));
  CHECK_THAT(ur, Catch::Contains("سوال 5 از 6"));
  // The matrix: one screen, each item read as a question of its own.
  CHECK_THAT(en, Catch::Contains("6 things to rate, each with the same 5 answers, from Very good to Very poor."));
  CHECK_THAT(en, Catch::Contains("1 of 6: The books, not answered yet."));
  CHECK_THAT(ur, Catch::Contains("دن، مہینہ اور سال اعداد میں لکھیں"));
  // The page to look through: each screen with its words as alternative text, and the rule in words.
  const std::string html = test::read_file(out.file("preview/index.html"));
  CHECK_THAT(html, Catch::Contains("<img src=\"ur/03-miles-200.png\" alt=\""));
  CHECK_THAT(html, Catch::Contains("Asked only if miles is answered."));
  CHECK_THAT(html, Catch::Contains("rate (matrix of 6 items, required)"));
  // Nothing but the preview is left behind.
  CHECK_FALSE(std::filesystem::exists(out.file("preview/.preview")));
  // A survey that does not load is named, and nothing is drawn.
  test::write_file(out.file("bad.toml"), "format = 1\n");
  auto bad = test::run(std::string(KIOSK_ADMIN_BIN) + " preview " + out.file("bad.toml") + " --out " + out.file("b"));
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains(out.file("bad.toml")));
}
