// The kiosk app through its real loop, headless: the Bury survey completed by
// touch alone and by keys alone on both branches of Q9; idle warnings and
// timeouts with a fake clock; contrast; target sizes; speech; staff modes.
#include <algorithm>
#include <set>

#include "kiosk/session.hpp"
#include "speech.hpp"
#include "theme.hpp"
#include "ui_harness.hpp"

using namespace kiosk;
using namespace kiosk::ui;
using test::check_layout;
using test::UiRig;

namespace {

struct Plan {
  std::string q7, q9;
  bool by_keys = false;
};

std::string kb_key_id(char c) { return "kb.key." + std::to_string(static_cast<int>(static_cast<unsigned char>(c))); }

void type_by_touch(UiRig& r, const std::string& text) {
  for (char c : text) {
    if (c == ' ')
      r.tap_id("kb.space");
    else
      r.tap_id(kb_key_id(c));
  }
  r.tap_id("kb.done");
}

void type_by_keys(UiRig& r, const std::string& text) {
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

void act(UiRig& r, const std::string& id, bool keys) {
  if (keys)
    r.choose_by_keys(id);
  else
    r.tap_id(id);
}

// Answers every question the plan's way, then sends; returns the uuid.
std::string complete_survey(UiRig& r, const Plan& p) {
  const bool k = p.by_keys;
  if (k) {
    // A key at the start screen first offers speech (A13); this visitor declines it.
    r.key(SDLK_RETURN);
    CHECK_THAT(r.speech.said.back(), Catch::Contains("Press Enter to turn speech on"));
    r.key(SDLK_ESCAPE);
    REQUIRE_FALSE(r.app->settings().speech);
  }
  act(r, "home.start", k);
  REQUIRE(r.app->ui().screen == Screen::About);
  act(r, "nav.next", k);
  REQUIRE(r.app->ui().screen == Screen::Privacy);
  act(r, "nav.next", k);
  REQUIRE(r.app->ui().screen == Screen::Question);
  std::string uuid = r.app->session()->meta().uuid;
  int guard = 0;
  while (r.app->ui().screen == Screen::Question && ++guard < 60) {
    const Question& q = *r.app->session()->current();
    if (q.id == "q7")
      act(r, "opt." + p.q7, k);
    else if (q.id == "q9")
      act(r, "opt." + p.q9, k);
    else if (q.id == "q11") {
      act(r, "opt.other", k);  // opens the keyboard for "please specify"
      REQUIRE(r.app->ui().panel == Panel::Keyboard);
      k ? type_by_keys(r, "scooter") : type_by_touch(r, "scooter");
    } else if (q.id == "q12") {
      act(r, "opt.too_far", k);
      act(r, "opt.hours", k);
    } else if (q.id == "q13") {
      act(r, "opt.saturdays", k);
    } else if (q.type == QuestionType::Text) {
      if (q.id == "q8") {
        act(r, "q.textbox", k);
        k ? type_by_keys(r, "fairness") : type_by_touch(r, "fairness");
      }  // q17 left empty: it is optional
    } else if (q.type == QuestionType::Postcode) {
      act(r, "q.textbox", k);
      k ? type_by_keys(r, "bl9 0sw") : type_by_touch(r, "BL9 0SW");
    } else if (q.has_options()) {
      act(r, "opt." + q.options[1].code, k);
    }
    INFO("question " << q.id << ": " << r.app->ui().error);
    REQUIRE(r.app->ui().panel == Panel::None);
    act(r, "nav.next", k);
    REQUIRE(r.app->ui().error.empty());
  }
  REQUIRE(r.app->ui().screen == Screen::Review);
  act(r, "nav.submit", k);
  REQUIRE(r.app->ui().screen == Screen::Thanks);
  return uuid;
}

std::map<std::string, Answer> stored_answers(UiRig& r, const std::string& uuid) {
  // Stored sealed: opened with the tests' key, as the council would.
  auto q = db::Statement::prepare(r.app->store().connection(),
                                  "SELECT key_id, sealed FROM responses WHERE uuid=?1 AND status='completed'");
  REQUIRE(q.ok());
  q->bind(1, uuid);
  auto row = q->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  auto plain = test::keyring().open(q->str(0), q->blob(1));
  REQUIRE(plain.ok());
  auto doc = parse_canonical_document(*plain);
  REQUIRE(doc.ok());
  return doc->second;
}

// Signs in with the admin PIN from wherever the kiosk is, and waits for
// the admin area's figures.
void open_admin_area(UiRig& r) {
  r.app->apply(intent::OpenPin{});
  r.settle();
  for (char c : std::string("9999")) r.tap_id(std::string("pin.key.") + c);
  r.tap_id("pin.key.OK");
  for (int i = 0; i < 300 && r.find_id("admin.counts") == nullptr; ++i) r.wait_for_background();
  REQUIRE(r.app->ui().screen == Screen::Admin);
  REQUIRE(r.find_id("admin.counts") != nullptr);
}

}  // namespace

TEST_CASE("the whole Bury survey by touch alone and by keys alone, both branches of Q9", "[ui]") {
  for (const bool keys : {false, true}) {
    for (const std::string q9 : {"yes", "no"}) {
      DYNAMIC_SECTION((keys ? "keys" : "touch") << ", Q9 = " << q9) {
        UiRig r;
        const std::string uuid = complete_survey(r, Plan{q9 == "yes" ? "yes" : "no", q9, keys});
        auto a = stored_answers(r, uuid);
        CHECK(a.at("q9").choices == std::vector<std::string>{q9});
        if (q9 == "yes") {
          CHECK(a.count("q10") == 1);
          CHECK(a.at("q11").choices == std::vector<std::string>{"other"});
          CHECK(a.at("q11").other_text == "Scooter");  // capitalised as a sentence starts
          CHECK(a.count("q12") == 0);
          CHECK(a.at("q8").text == "Fairness");
        } else {
          CHECK(a.count("q10") == 0);
          CHECK(a.count("q11") == 0);
          CHECK(a.at("q12").choices == std::vector<std::string>{"too_far", "hours"});
          CHECK(a.count("q8") == 0);
        }
        CHECK(a.at("q13").choices == std::vector<std::string>{"saturdays"});
        CHECK(a.at("q21").text == "BL9 0SW");
        CHECK(a.count("q17") == 0);
        // The thank-you screen goes home by itself.
        r.advance(13);
        CHECK(r.app->ui().screen == Screen::Home);
      }
    }
  }
}

TEST_CASE("Back always leads back, to the home screen at the start: no traps", "[ui]") {
  UiRig r;
  r.tap_id("home.start");
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  REQUIRE(r.app->ui().screen == Screen::Question);
  r.key(SDLK_ESCAPE);
  CHECK(r.app->ui().screen == Screen::Privacy);
  r.key(SDLK_ESCAPE);
  CHECK(r.app->ui().screen == Screen::About);
  r.key(SDLK_ESCAPE);
  CHECK(r.app->ui().screen == Screen::Home);
  CHECK(r.app->session() == nullptr);
}

TEST_CASE("a failure to save an answer is told in calm words, never the technical message", "[ui][errors]") {
  UiRig r;
  r.tap_id("home.start");
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  REQUIRE(r.app->session()->current()->id == "q1");
  // The database stops taking writes: a storage error, not a rule the visitor broke.
  REQUIRE(r.app->store().connection().exec("PRAGMA query_only = ON").ok());
  r.tap_id("opt." + r.app->session()->current()->options.front().code);
  CHECK(r.app->ui().error == "Sorry, this screen could not save your answer. Please tell a member of staff.");
  CHECK(r.app->ui().error.find("read-only") == std::string::npos);
  CHECK(r.find_id("q.error") != nullptr);
}

TEST_CASE("a required answer is asked for, in words, before moving on", "[ui]") {
  UiRig r;
  r.tap_id("home.start");
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  REQUIRE(r.app->session()->current()->id == "q1");
  r.tap_id("nav.next");
  CHECK(r.app->ui().error == "Please choose an answer to continue.");
  CHECK(r.find_id("q.error") != nullptr);
  CHECK(r.app->session()->current()->id == "q1");
}

TEST_CASE("idle: warned, at least 20 s to answer, one tap extends, ten or more times, then cleared", "[ui][idle]") {
  UiRig r;
  r.tap_id("bar.settings");
  r.tap_id("settings.speech");  // hear the warning
  r.tap_id("settings.done");
  r.tap_id("home.start");
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  r.tap_id("opt.agree");
  const std::string uuid = r.app->session()->meta().uuid;
  for (int i = 0; i < 12; ++i) {
    r.speech.finish();  // the idle time counts from the end of what was said
    r.settle();
    r.advance(89);
    REQUIRE(r.app->ui().panel == Panel::None);
    r.advance(2);
    REQUIRE(r.app->ui().panel == Panel::Idle);
    CHECK_THAT(r.speech.said.back(), Catch::Contains("Are you still there?"));
    r.advance(20);  // at least 20 s to respond
    REQUIRE(r.app->ui().panel == Panel::Idle);
    const auto* more = r.find_id("idle.more");
    REQUIRE(more != nullptr);
    r.tap_id("idle.more");
    REQUIRE(r.app->ui().panel == Panel::None);
    CHECK(r.app->ui().extensions == i + 1);
  }
  // Extensions used up: the warning has no "more time" and the screen clears.
  r.speech.finish();
  r.settle();
  r.advance(91);
  REQUIRE(r.app->ui().panel == Panel::Idle);
  CHECK(r.find_id("idle.more") == nullptr);
  r.advance(31);
  CHECK(r.app->ui().screen == Screen::Home);
  CHECK(r.app->session() == nullptr);
  r.speech.finish();  // "The screen has been cleared." heard: now the settings reset
  r.settle();
  CHECK(r.app->settings() == VisitorSettings{});  // speech and sizes reset (A3)
  auto q =
      db::Statement::prepare(r.app->store().connection(), "SELECT status, abandon_reason FROM responses WHERE uuid=?1");
  q->bind(1, uuid);
  REQUIRE(*q->step());
  CHECK(q->str(0) == "abandoned");
  CHECK_THAT(q->str(1), Catch::Contains("timed out"));
  // Nothing of the last visitor remains on screen.
  for (const auto& it : r.app->tree().items()) CHECK(it.label.find("Agree") == std::string::npos);
}

TEST_CASE("both themes meet the contrast thresholds", "[ui][contrast]") {
  for (const bool hc : {false, true}) {
    const Theme& t = hc ? high_contrast_theme() : standard_theme();
    for (const auto& p : contrast_requirements(t, hc)) {
      INFO(t.name << ": " << p.what << " = " << p.ratio());
      CHECK(p.ratio() >= p.minimum);
    }
  }
  CHECK(contrast_ratio({0, 0, 0}, {255, 255, 255}) == Approx(21.0));
  CHECK(contrast_ratio({119, 119, 119}, {255, 255, 255}) == Approx(4.48).epsilon(0.01));
}

namespace {

// Every interactive item: at least 44 x 44, no overlaps, nothing clipped sideways.
void visit_screens(UiRig& r, const std::string& tag) {
  check_layout(r, tag + " home");
  r.tap_id("bar.settings");
  check_layout(r, tag + " settings");
  r.tap_id("settings.done");
  r.tap_id("bar.help");
  check_layout(r, tag + " help");
  r.tap_id("help.close");
  r.tap_id("home.service");
  check_layout(r, tag + " info list");
  r.tap_id("info.open.0");
  check_layout(r, tag + " info page");
  r.tap_id("nav.home");
  r.tap_id("home.start");
  check_layout(r, tag + " about");
  r.tap_id("nav.next");
  check_layout(r, tag + " privacy");
  r.tap_id("nav.next");
  std::set<QuestionType> seen;
  while (r.app->ui().screen == Screen::Question) {
    const Question& q = *r.app->session()->current();
    if (seen.insert(q.type).second) check_layout(r, tag + " " + q.id);
    if (q.has_options()) r.tap_id("opt." + q.options[0].code);
    if (const Option* other = q.other_option()) {
      if (q.type != QuestionType::Multiple) r.tap_id("opt." + q.options[0].code);
      r.tap_id("opt." + other->code);  // opens the keyboard
      REQUIRE(r.app->ui().panel == Panel::Keyboard);
      check_layout(r, tag + " keyboard");
      r.tap_id("kb.key." + std::to_string(static_cast<int>('a')));
      r.tap_id("kb.done");
    }
    if (q.type == QuestionType::Postcode) {
      r.tap_id("q.textbox");
      r.tap_id("kb.key." + std::to_string(static_cast<int>('M')));
      r.tap_id("kb.key." + std::to_string(static_cast<int>('1')));
      r.tap_id("kb.done");
    }
    r.tap_id("nav.next");
  }
  check_layout(r, tag + " review");
  r.tap_id("nav.submit");
  check_layout(r, tag + " thanks");
}

}  // namespace

TEST_CASE("touch targets are at least 44 px, never overlap and never clip, at 100% and 200% text", "[ui][layout]") {
  SECTION("100%") {
    UiRig r;
    visit_screens(r, "100%");
  }
  SECTION("200%, high contrast, easier-to-read letters") {
    UiRig r;
    r.tap_id("bar.settings");
    r.tap_id("settings.size.200");
    r.tap_id("settings.contrast");
    r.tap_id("settings.font");
    r.tap_id("settings.done");
    REQUIRE(r.app->settings().text_scale == 200);
    visit_screens(r, "200%");
  }
}

TEST_CASE("speech follows the screen and the focus: any action interrupts it", "[ui][speech]") {
  UiRig r;
  r.tap_id("bar.settings");
  r.tap_id("settings.speech");
  REQUIRE(r.app->settings().speech);
  r.tap_id("settings.done");
  r.speech.said.clear();
  r.tap_id("home.start");
  // The new screen is read: its heading.
  REQUIRE_FALSE(r.speech.said.empty());
  CHECK_THAT(r.speech.said.back(), Catch::Contains("Why Bury Council is reviewing its Library Service"));
  CHECK(std::find(r.speech.said.begin(), r.speech.said.end(), "<stopped>") !=
        r.speech.said.end());  // the tap interrupted
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  CHECK_THAT(r.speech.said.back(), Catch::Contains("Question 1 of 21"));
  CHECK_THAT(r.speech.said.back(), Catch::Contains("Principle 1"));
  CHECK_THAT(r.speech.said.back(), Catch::Contains("To provide a Library Service across the borough"));
  // Focus changes speak the focused control.
  CHECK(r.app->ui().focus == "opt.strongly_agree");  // the first answer, ready for Enter
  r.key(SDLK_DOWN);
  CHECK(r.speech.said.back() == "Agree, option, not selected");
  r.key(SDLK_UP);
  CHECK(r.speech.said.back() == "Strongly agree, option, not selected");
  r.key(SDLK_RETURN);
  CHECK(r.speech.said.back() == "Strongly agree, selected");
  // An error is spoken with what to do.
  r.tap_id("opt.strongly_agree");
  r.key(SDLK_F1);
  CHECK_THAT(r.speech.said.back(), Catch::Contains("question 1 of 21"));
  r.key(SDLK_ESCAPE);  // closes the help panel
  // Every visible label on a question screen is in the tree it speaks from.
  for (const auto& o : r.app->session()->current()->options) CHECK(r.find(o.label.get("en", "en")) != nullptr);
  // Rate changes reach the synthesiser; the end of the session resets them.
  r.tap_id("bar.settings");
  r.tap_id("settings.faster");
  CHECK(r.speech.rate == 180);
  r.tap_id("settings.done");
  r.app->apply(intent::FinishVisit{});  // the visit ends (Home alone keeps the settings: A16)
  r.settle();
  r.speech.finish();
  r.settle();
  CHECK(r.speech.rate == 160);
  CHECK_FALSE(r.app->settings().speech);
}

TEST_CASE("espeak-ng really synthesises speech", "[speech]") {
  int rate = 0;
  std::string err;
  const auto samples = EspeakSpeech::synthesize("Do you use Bury's Library Service?", 160, &rate, &err);
  INFO(err);
  REQUIRE(rate > 8000);
  REQUIRE(samples.size() > static_cast<size_t>(rate / 2));  // more than half a second
  double sum = 0;
  for (auto s : samples) sum += static_cast<double>(s) * s;
  CHECK(std::sqrt(sum / static_cast<double>(samples.size())) > 300.0);  // not silence
  const auto faster = EspeakSpeech::synthesize("Do you use Bury's Library Service?", 320, &rate, &err);
  CHECK(faster.size() < samples.size() * 3 / 4);  // the rate setting takes effect
}

TEST_CASE("assisted mode: staff PIN, how they helped, recorded with the response", "[ui][staff]") {
  UiRig r;
  r.tap_id("bar.help");
  r.tap_id("help.staff");
  REQUIRE(r.app->ui().screen == Screen::Pin);
  for (char c : std::string("1234")) r.tap_id(std::string("pin.key.") + c);
  r.tap_id("pin.key.OK");
  for (int i = 0; i < 200 && r.app->ui().screen == Screen::Pin; ++i) {
    r.wait_for_background();
  }
  REQUIRE(r.app->ui().screen == Screen::Assist);
  r.tap_id("assist.read_aloud");
  r.tap_id("assist.scribed");
  r.tap_id("assist.speech");
  CHECK(r.app->settings().speech);
  CHECK(r.app->settings().text_scale >= 150);
  r.tap_id("nav.start");
  CHECK(r.find_id("header.assisted") != nullptr);
  r.tap_id("nav.next");
  r.tap_id("nav.next");
  REQUIRE(r.app->session() != nullptr);
  CHECK(r.app->session()->meta().mode == "assisted");
  CHECK(r.app->session()->meta().staff_id == "staff-01");
  CHECK(r.app->session()->meta().assistance == std::vector<std::string>{"read_aloud", "scribed"});
  CHECK(r.app->session()->meta().accessibility.at("speech") == "on");
  // No timeout in assisted mode by default.
  r.advance(600);
  CHECK(r.app->ui().panel == Panel::None);
  CHECK(r.app->session() != nullptr);
}

TEST_CASE("five wrong PINs lock staff sign-in for a while", "[ui][staff]") {
  UiRig r;
  r.app->apply(intent::OpenPin{});
  r.settle();
  auto wait_check = [&] {
    for (int i = 0; i < 300 && r.app->ui().pin_checking; ++i) {
      r.wait_for_background();
    }
  };
  for (int i = 0; i < 5; ++i) {
    for (char c : std::string("0000")) r.tap_id(std::string("pin.key.") + c);
    r.tap_id("pin.key.OK");
    wait_check();
  }
  CHECK_THAT(r.app->ui().pin_message, Catch::Contains("locked"));
  // Even the right PIN is refused while locked.
  r.app->apply(intent::PinDigit{'9'});
  r.app->apply(intent::PinSubmit{});
  r.settle();
  CHECK_FALSE(r.app->ui().pin_checking);
  CHECK(r.app->ui().screen == Screen::Pin);
  r.advance(301);
  CHECK(r.app->ui().pin_message.empty());
}

TEST_CASE("the demonstration PINs open nothing on a kiosk, and staff are told why", "[ui][staff]") {
  // As installed: KIOSK_ALLOW_DEMO_PINS is not set (the tests' main sets it).
  struct Unset {
    Unset() { unsetenv("KIOSK_ALLOW_DEMO_PINS"); }
    ~Unset() { setenv("KIOSK_ALLOW_DEMO_PINS", "1", 1); }
  } as_installed;
  UiRig r;  // tests/ui-staff.toml: the demonstration hashes of kiosk-config/kiosk.toml
  r.tap_id("bar.help");
  r.tap_id("help.staff");
  REQUIRE(r.app->ui().screen == Screen::Pin);
  const auto* why = r.find_id("pin.demo");
  REQUIRE(why != nullptr);
  CHECK_THAT(why->label, Catch::Contains("demonstration PINs") && Catch::Contains("kiosk-admin hash-pin"));
  CHECK(r.find_id("pin.key.9") == nullptr);  // no keypad to type on
  // Typed from a keyboard anyway, the admin PIN still opens nothing.
  for (char c : std::string("9999")) r.app->apply(intent::PinDigit{c});
  r.app->apply(intent::PinSubmit{});
  r.settle();
  for (int i = 0; i < 50 && r.app->ui().pin_checking; ++i) r.wait_for_background();
  CHECK(r.app->ui().screen == Screen::Pin);
  CHECK_THAT(r.app->ui().pin_message, Catch::Contains("demonstration PINs"));
}

TEST_CASE("the admin area shows counts and results, exports, and is the only way to quit", "[ui][admin]") {
  UiRig r;
  // A finished response to count.
  complete_survey(r, Plan{"no", "yes", false});
  r.advance(13);
  // The window close button does nothing in full screen; here (windowed) it would quit, so test the admin path.
  open_admin_area(r);
  CHECK_THAT(r.find_id("admin.counts")->label, Catch::Contains("Completed: 1"));
  // No results from the kiosk's own disk: its answers are sealed and never counted there.
  CHECK(r.find_id("admin.chart.q1.q") == nullptr);
  REQUIRE(r.find_id("admin.results.sealed") != nullptr);
  CHECK_THAT(r.find_id("admin.results.sealed")->label, Catch::Contains("kiosk-admin open"));
  CHECK(r.find("Strongly agree") == nullptr);
  r.app->apply(intent::AdminFolder{r.tmp.file("usb")});
  r.settle();
  r.tap_id("admin.export.csv");
  for (int i = 0; i < 300 && r.app->ui().notice.find("Exported") == std::string::npos; ++i) {
    r.wait_for_background();
  }
  CHECK_THAT(r.app->ui().notice, Catch::Contains("Exported 1 response, sealed, to"));
  // Responses leave the kiosk sealed: a folder of sealed items, no CSV.
  std::string sealed_dir;
  for (const auto& e : std::filesystem::directory_iterator(r.tmp.file("usb"))) {
    CHECK(e.path().extension() != ".csv");
    if (e.path().extension() == ".sealed") sealed_dir = e.path().string();
  }
  REQUIRE_FALSE(sealed_dir.empty());
  CHECK(std::filesystem::exists(sealed_dir + "/manifest.json"));
  const std::string items = test::read_file(sealed_dir + "/responses.sealed.jsonl");
  CHECK(std::count(items.begin(), items.end(), '\n') == 1);
  CHECK(items.find("\"sealed\":") != std::string::npos);
  r.tap_id("nav.quit");
  CHECK(r.app->ui().quit);
}

// Run by tests/usb_stick.sh (hidden here: it needs a stick mounted by
// system/kiosk-usb-mount, as root): the stick mounted in KIOSK_TEST_USB_ROOT
// is offered by its label, a folder there with nothing mounted on it is not,
// and an export to the stick says it may be taken out only once written
// through. KIOSK_TEST_USB_SECRET: where to put the council's secret key, so
// the script can open the export after the stick is unmounted.
TEST_CASE("the admin area exports to a USB stick mounted for the kiosk", "[.usb]") {
  const char* root = std::getenv("KIOSK_TEST_USB_ROOT");
  const char* label = std::getenv("KIOSK_TEST_USB_LABEL");
  const char* secret = std::getenv("KIOSK_TEST_USB_SECRET");
  REQUIRE(root != nullptr);
  REQUIRE(label != nullptr);
  REQUIRE(secret != nullptr);
  test::write_seal_keys(std::string(secret) + ".pub", secret);
  // ui-staff.toml ends in [admin]: this line is that table's.
  UiRig r(1280, 800, std::string("usb_folder = \"") + root + "\"\n");
  complete_survey(r, Plan{"no", "yes", false});
  r.advance(13);
  open_admin_area(r);
  std::string stick_id, stick_label;
  std::vector<std::string> offered;
  for (int i = 0; i < 10; ++i) {
    const auto* it = r.find_id("admin.folder." + std::to_string(i));
    if (!it) break;
    offered.push_back(it->label);
    if (it->label.rfind(std::string("USB stick ") + label + " (", 0) == 0) stick_id = it->id, stick_label = it->label;
  }
  std::string all;
  for (const auto& o : offered) all += "[" + o + "] ";
  INFO("offered: " << all);
  REQUIRE_FALSE(stick_id.empty());
  CHECK_THAT(stick_label, Catch::Contains(" free)"));
  CHECK(offered.size() >= 2);  // the stick, then the kiosk's own folder
  CHECK_THAT(offered.back(), Catch::StartsWith("This kiosk: "));
  for (const auto& o : offered) CHECK(o.find("stale") == std::string::npos);  // nothing mounted there
  r.tap_id(stick_id);
  CHECK(r.find_id(stick_id)->value == "selected");
  r.tap_id("admin.export.csv");
  for (int i = 0; i < 300 && r.app->ui().notice.find("Exported") == std::string::npos; ++i) r.wait_for_background();
  CHECK_THAT(r.app->ui().notice, Catch::Contains("Exported 1 response, sealed, to " + std::string(root)) &&
                                     Catch::EndsWith("you may take the stick out now."));
  // The kiosk's own folder: written through too, but nothing to take out.
  r.tap_id("admin.folder." + std::to_string(offered.size() - 1));
  r.tap_id("admin.export.codebook");
  for (int i = 0; i < 300 && r.app->ui().notice.find("codebook") == std::string::npos; ++i) r.wait_for_background();
  CHECK_THAT(r.app->ui().notice, Catch::Contains("Saved the codebook to"));
  CHECK(r.app->ui().notice.find("stick") == std::string::npos);
}

TEST_CASE("a survey in several languages offers them on the home screen and records the choice", "[ui][locale]") {
  test::TempDir tmp;
  const std::string survey = tmp.file("hub.toml");
  test::write_file(survey, R"(
format = 1
id = "family_hub"
version = "1"
default_locale = "en"
locales = ["en", "cy"]
title = { en = "Family hub feedback", cy = "Adborth y ganolfan" }
[[sections]]
id = "visit"
[[sections.questions]]
id = "q1"
type = "yes_no"
required = true
text = { en = "Did you find what you needed?", cy = "Ddaethoch chi o hyd i'r hyn oedd ei angen arnoch?" }
options = [ { code = "yes", label = { en = "Yes", cy = "Do" } }, { code = "no", label = { en = "No", cy = "Naddo" } } ]
)");
  UiRig r(1280, 800, "", survey);
  REQUIRE(r.find_id("home.lang.cy") != nullptr);
  CHECK(r.find_id("home.lang.cy")->label == "Cymraeg");
  r.tap_id("home.lang.cy");
  CHECK(r.find_id("home.start")->label.find("Adborth y ganolfan") != std::string::npos);
  r.tap_id("home.start");  // no intro and no privacy text: straight to the question
  REQUIRE(r.app->ui().screen == Screen::Question);
  REQUIRE(r.find("Do") != nullptr);
  r.tap("Do");
  r.tap_id("nav.next");
  r.tap_id("nav.submit");
  REQUIRE(r.app->ui().screen == Screen::Thanks);
  auto q = db::Statement::prepare(r.app->store().connection(),
                                  "SELECT key_id, sealed FROM responses WHERE status='completed'");
  REQUIRE(*q->step());
  auto doc = parse_canonical_document(*test::keyring().open(q->str(0), q->blob(1)));
  REQUIRE(doc.ok());
  CHECK(doc->first.locale == "cy");
  // The next visitor starts in the default language again.
  r.advance(13);
  CHECK(r.find_id("home.start")->label.find("Family hub feedback") != std::string::npos);
}

TEST_CASE("the admin area says in words when responses wait for an admin after a conflict", "[ui][admin]") {
  UiRig r;
  const std::string uuid = complete_survey(r, Plan{"no", "yes", false});
  r.advance(13);
  REQUIRE(r.app->store()
              .mark_conflict(uuid, "the hub already holds a different response with this UUID", "2016-03-01T09:00:00Z")
              .ok());
  r.app->apply(intent::OpenPin{});
  r.settle();
  for (char c : std::string("9999")) r.tap_id(std::string("pin.key.") + c);
  r.tap_id("pin.key.OK");
  for (int i = 0; i < 300 && r.find_id("admin.counts") == nullptr; ++i) r.wait_for_background();
  REQUIRE(r.find_id("admin.counts") != nullptr);
  const auto* alert = r.find_id("admin.sync.conflicts");
  REQUIRE(alert != nullptr);
  CHECK_THAT(alert->label, Catch::StartsWith("1 response was not taken by the hub") &&
                               Catch::Contains("kiosk-admin conflicts") && Catch::Contains("kiosk-admin requeue"));
}
