// Writes a PNG of every kiosk screen, in the standard and high-contrast
// themes and at 200% text, for people to look at:
//   kiosk_screens OUT_DIR [WIDTHxHEIGHT [LOCALE]]
// LOCALE ("pl", "ur"): the kiosk's language, as a visitor who chose it sees it.
// Runs headless (SDL's offscreen driver) with the bundled Bury survey, on the
// rig the UI tests use (tools/rig).
#include <SDL.h>
#include <cstdlib>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app.hpp"
#include "headless_kiosk.hpp"
#include "kiosk/seal.hpp"

#ifndef KIOSK_SOURCE_DIR
#error "KIOSK_SOURCE_DIR must be defined"
#endif

using namespace kiosk;
using namespace kiosk::ui;

namespace {

struct Shooter {
  rig::HeadlessKiosk& kiosk;
  std::unique_ptr<KioskApp>& app;
  std::string dir, variant;
  int count = 0;

  void settle() { kiosk.settle(12); }
  void go(Intent i) {
    app->apply(i);
    settle();
  }
  void shot(const std::string& name) {
    const std::string path = dir + "/" + variant + "-" + name + ".png";
    if (!kiosk.shot(path)) std::fprintf(stderr, "could not write %s\n", path.c_str());
    ++count;
  }
  void answer_until(const std::string& qid) {
    while (app->session() && app->session()->current() && app->session()->current()->id != qid) {
      const Question& q = *app->session()->current();
      if (q.has_options()) {
        const std::string code = q.id == "q9" || q.id == "q7" ? "yes" : q.options[0].code;
        if (q.type == QuestionType::Multiple)
          go(intent::Toggle{q.id, code});
        else
          go(intent::Choose{q.id, code});
      }
      go(intent::Next{});
    }
  }
};

void run_variant(const KioskConfig& base, const std::string& dir, const std::string& variant, int w, int h, int scale,
                 bool hc, bool dyslexia = false) {
  KioskConfig config = base;
  config.database_path = dir + "/screens-" + variant + ".db";
  std::filesystem::remove(config.database_path);
  // Answers are kept only sealed: a throwaway council key for the screenshots' visits.
  config.seal_public_key_file = dir + "/screens-" + variant + ".pub";
  std::ofstream(config.seal_public_key_file) << format_public_key(generate_seal_key().pub);
  rig::HeadlessKiosk kiosk;
  if (auto st = kiosk.start(std::move(config), w, h); !st) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    std::exit(1);
  }
  FakeClock& clock = kiosk.clock;
  Shooter s{kiosk, kiosk.app, dir, variant};
  auto settings = [&] {
    // Set, not toggled: a visitor's settings last the visit, so they may still be on.
    if (s.app->settings().text_scale != scale) s.go(intent::TextScale{scale});
    if (s.app->settings().high_contrast != hc) s.go(intent::ToggleContrast{});
    if (s.app->settings().dyslexia_font != dyslexia) s.go(intent::ToggleFont{});
  };
  settings();
  s.shot("01-home");
  s.go(intent::OpenPanel{Panel::Settings});
  s.shot("02-settings");
  s.go(intent::ClosePanel{});
  s.go(intent::OpenPanel{Panel::Help});
  s.shot("03-help");
  s.go(intent::ClosePanel{});
  s.go(intent::OpenInfo{InfoPage::service_point()});
  s.shot("04-info-this-library");
  s.go(intent::OpenInfo{InfoPage::list()});
  s.shot("05-info-list");
  s.go(intent::OpenInfo{InfoPage::numbered(4)});  // community and volunteering: lists and bold
  s.shot("06-info-page");
  s.go(intent::Home{});
  settings();
  s.go(intent::StartSurvey{});
  s.shot("07-about");
  s.go(intent::ShowPrivacy{});
  s.shot("08-privacy");
  s.go(intent::BeginQuestions{});
  s.shot("09-q1-likert");
  s.go(intent::Next{});
  s.shot("10-answer-needed");
  s.answer_until("q7");
  s.shot("11-q7-yes-no");
  s.answer_until("q8");
  s.go(intent::OpenKeyboard{"q8", TextTarget::Answer});
  for (char c : std::string("Openness and fairness")) s.app->apply(intent::KeyboardKey{std::string(1, c)});
  s.shot("12-keyboard");
  // A long answer: the box shows its end, the keys stay where they were.
  const std::string more = " The library is where I read the paper every morning and meet my friends.";
  for (int i = 0; i < 10; ++i)
    for (char c : more) s.app->apply(intent::KeyboardKey{std::string(1, c)});
  s.shot("12b-keyboard-long");
  s.go(intent::KeyboardDone{});
  s.shot("13-q8-text");
  s.answer_until("q11");
  s.go(intent::Choose{"q11", "other"});
  for (char c : std::string("Mobility scooter")) s.app->apply(intent::KeyboardKey{std::string(1, c)});
  s.go(intent::KeyboardDone{});
  s.shot("14-q11-other");
  s.answer_until("q14");
  s.shot("15-q14-list-in-question");
  s.answer_until("q21");
  s.go(intent::OpenKeyboard{"q21", TextTarget::Answer});
  for (char c : std::string("bl9 0sw")) s.app->apply(intent::KeyboardKey{std::string(1, c)});
  s.go(intent::KeyboardDone{});
  s.shot("16-q21-postcode");
  s.go(intent::Next{});
  s.shot("17-q22-ethnic-group");
  s.answer_until("zzz");  // to the review
  s.shot("18-review");
  clock.advance(std::chrono::seconds(95));
  s.settle();
  s.shot("19-idle-warning");
  s.go(intent::ExtendTime{});
  s.go(intent::Submit{});
  s.shot("20-thanks");
  s.go(intent::Home{});
  settings();
  s.go(intent::OpenPin{});
  s.go(intent::PinDigit{'1'});
  s.go(intent::PinDigit{'2'});
  s.shot("21-staff-pin");
  auto sign_in = [&](const std::string& pin, Screen want) {
    s.go(intent::OpenPin{});
    for (char c : pin) s.go(intent::PinDigit{c});
    s.go(intent::PinSubmit{});
    for (int i = 0; i < 500 && s.app->ui().screen != want; ++i) kiosk.wait_for_background();
  };
  sign_in("1234", Screen::Assist);
  s.go(intent::ToggleAssistance{"read_aloud"});
  s.shot("22-assisted-mode");
  s.go(intent::AssistedStart{});
  s.go(intent::ShowPrivacy{});
  s.go(intent::BeginQuestions{});
  s.shot("23-assisted-question");
  s.go(intent::EndAssisted{});
  settings();
  sign_in("9999", Screen::Admin);
  for (int i = 0; i < 500 && !s.app->ui().notice.empty(); ++i) s.settle();
  for (int i = 0; i < 50 && !s.app->tree().find("admin.counts"); ++i) kiosk.wait_for_background();
  s.shot("24-admin");
  std::printf("%s: %d screens\n", variant.c_str(), s.count);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kiosk_screens OUT_DIR [WIDTHxHEIGHT [LOCALE]]\n");
    return 2;
  }
  const std::string dir = argv[1];
  // The staff screens are shown signed in with the demonstration PINs.
  setenv("KIOSK_ALLOW_DEMO_PINS", "1", 0);
  int w = 1280, h = 800;
  if (argc > 2) std::sscanf(argv[2], "%dx%d", &w, &h);
  std::filesystem::create_directories(dir);
  if (auto st = rig::init_sdl_headless(); !st) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  const std::string src = KIOSK_SOURCE_DIR;
  auto cfg = load_config(src + "/kiosk-config/kiosk.toml");
  if (!cfg) {
    std::fprintf(stderr, "%s\n", cfg.message().c_str());
    return 1;
  }
  if (argc > 3) cfg->default_locale = argv[3];
  run_variant(*cfg, dir, "standard", w, h, 100, false);
  run_variant(*cfg, dir, "high-contrast", w, h, 100, true);
  run_variant(*cfg, dir, "standard-200", w, h, 200, false);
  run_variant(*cfg, dir, "high-contrast-200", w, h, 200, true);
  run_variant(*cfg, dir, "dyslexia-font", w, h, 125, false, true);
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".db" || e.path().string().find(".db-") != std::string::npos)
      std::filesystem::remove(e.path());
  SDL_Quit();
  return 0;
}
