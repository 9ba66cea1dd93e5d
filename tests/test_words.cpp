// Where the kiosk's words come from (issue 11). In the pseudo-locale en-XA
// every catalogue message is marked ⟦...⟧ and 40% longer: a walk over every
// screen and panel fails on any text shown or spoken that is neither marked
// nor the survey's, the information pages' or the configuration's own words,
// and on anything the longer words push out of place. A family hub's kiosk,
// walked the same way in English, says nothing of Bury or libraries.
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "admin.hpp"
#include "kiosk/catalogue.hpp"
#include "markdown.hpp"
#include "ui_harness.hpp"

using namespace kiosk;
using namespace kiosk::ui;
namespace fs = std::filesystem;

namespace {

std::string collapse(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A kiosk on one of the bundled configurations (kiosk.toml or
// family-hub/kiosk.toml), its paths made absolute, its database in a temp
// folder, in the given locale; the staff of tests/ui-staff.toml when it has none.
struct WordsRig : kiosk::rig::HeadlessKiosk {
  test::TempDir tmp;
  KioskConfig config;

  WordsRig(const std::string& config_rel, const std::string& locale, int w = 1280, int h = 800) {
    test::init_sdl_headless();
    const std::string src = test::source_path(config_rel);
    const std::string dir = fs::path(src).parent_path().string();
    std::string text = test::read_file(src);
    auto set_line = [&](const std::string& key, const std::string& value) {
      const auto at = text.find("\n" + key + " = ");
      REQUIRE(at != std::string::npos);
      const auto end = text.find('\n', at + 1);
      text.replace(at + 1, end - at - 1, key + " = \"" + value + "\"");
    };
    auto abs = [&](const std::string& key) {
      const auto at = text.find("\n" + key + " = \"");
      REQUIRE(at != std::string::npos);
      const auto q = at + key.size() + 5;
      const auto end = text.find('"', q);
      set_line(key, (fs::path(dir) / text.substr(q, end - q)).lexically_normal().string());
    };
    abs("survey");
    abs("pages");
    abs("service_points");
    set_line("database", tmp.file("kiosk.db"));
    set_line("locale", locale);
    // The council's key: where the configuration says, else beside the database.
    if (text.find("\npublic_key_file = ") != std::string::npos) set_line("public_key_file", tmp.file("council.pub"));
    test::write_seal_keys(tmp.file("council.pub"));
    if (text.find("\n[[staff]]") == std::string::npos)
      text += "\n" + test::read_file(test::source_path("tests/ui-staff.toml"));
    const std::string cfg = tmp.file("kiosk.toml");
    test::write_file(cfg, text);
    auto c = load_config(cfg);
    INFO((c.ok() ? std::string() : c.message()));
    REQUIRE(c.ok());
    config = *c;
    const auto st = start(std::move(c).value(), w, h);
    INFO((st.ok() ? std::string() : st.message()));
    REQUIRE(st.ok());
  }
  ~WordsRig() { app.reset(); }

  void tap(const std::string& id) {
    INFO("could not tap " << id);
    if (tap_id(id)) return;
    REQUIRE(bring_into_view(id));
    REQUIRE(tap_id(id));
  }
  void type(const std::string& text) {
    for (char c : text) {
      SDL_Event e{};
      e.type = SDL_TEXTINPUT;
      e.text.text[0] = c;
      SDL_PushEvent(&e);
    }
    settle();
  }
  void pin(const std::string& digits) {
    tap("help.staff");
    REQUIRE(app->ui().screen == Screen::Pin);
    for (char d : digits) tap(std::string("pin.key.") + d);
    tap("pin.key.OK");
    for (int i = 0; i < 200 && app->ui().pin_checking; ++i) wait_for_background();
  }
};

// The words a walk may meet that are not the kiosk's: the survey's, the
// information pages', the configuration's, and what the walk types.
class Known {
 public:
  Known(const KioskConfig& cfg, const Survey& s) {
    auto text = [&](const LocalText& t) { add_text(s.text(t, s.default_locale)); };
    text(s.title);
    text(s.intro);
    text(s.privacy);
    text(s.thank_you);
    for (const auto& sec : s.sections) {
      text(sec.heading);
      text(sec.intro);
    }
    for (const auto& m : s.matrices) {
      text(m.title);
      text(m.text);
      text(m.hint);
      // The review screen's line above its items, as screen_review.cpp makes it.
      const std::string words = s.text(m.text, s.default_locale);
      add(m.title.empty() ? words : s.text(m.title, s.default_locale) + ": " + words);
    }
    for (const auto& q : s.questions) {
      text(q.title);
      text(q.text);
      text(q.hint);
      for (const auto& o : q.options) text(o.label);
      add(q.id);
      // The review screen's shortened question, as screen_review.cpp makes it.
      const std::string words = s.text(q.text, s.default_locale);
      const std::string question = q.title.empty() ? words : s.text(q.title, s.default_locale) + ": " + words;
      add(question.size() > 160 ? question.substr(0, question.rfind(' ', 157)) + "..." : question);
    }
    add(cfg.kiosk_name);
    add(cfg.kiosk_id);
    for (const auto& sp : cfg.service_points) {
      add(sp.name);
      add(sp.kind);
      add(sp.address);
      for (const auto& h : sp.hours) add(h);
      if (!sp.page.empty()) add_page(resolve_path(sp.page, cfg.pages_dir));
    }
    for (const auto& e : fs::directory_iterator(cfg.pages_dir))
      if (e.path().extension() == ".md") add_page(e.path().string());
    for (const auto& m : cfg.staff) {
      add(m.name);
      add(m.id);
    }
    const auto& d = cfg.deployment;
    for (const auto* w :
         {&d.council, &d.survey_topic, &d.venue, &d.information_title, &d.staff_role, &d.postcode_example})
      add(*w);
    // Each language's name in itself, from its catalogue: the same in every language, by design.
    if (auto cat = Catalogue::load(cfg.locales_dir))
      for (const auto& loc : s.locales) add(cat->language_name(loc));
    add(cfg.database_path);
    add(default_export_folder());
    // What the walk types, as the text boxes show it back.
    for (const char* typed : {"Fine", "fine", "Pram", "pram", "M1 1AE", "ZZ"}) add(typed);
  }

  void add(const std::string& s) {
    const std::string c = collapse(s);
    if (!c.empty()) units_.insert(c);
  }

  // What is left of a text once every marked message and every known unit is
  // taken out: empty when all of it is accounted for.
  std::string unaccounted(const std::string& text) const {
    std::string s = text;
    static const std::string open = "\xE2\x9F\xA6", close = "\xE2\x9F\xA7";
    // Innermost first: a message may carry another as its argument.
    for (bool again = true; again;) {
      again = false;
      const auto c = s.find(close);
      if (c == std::string::npos) break;
      const auto o = s.rfind(open, c);
      if (o == std::string::npos) break;
      s.replace(o, c + close.size() - o, " ");
      again = true;
    }
    s = collapse(s);
    std::vector<std::string> units(units_.begin(), units_.end());
    std::sort(units.begin(), units.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& u : units)
      for (auto at = s.find(u); at != std::string::npos; at = s.find(u, at)) s.replace(at, u.size(), " ");
    // Letters left over are words from somewhere else; digits, punctuation,
    // bullets and the caret are not words.
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (std::isalpha(c) || c == 0xC3 || c == 0xC4 || c == 0xC5) return collapse(s);
    }
    return {};
  }

 private:
  void add_text(const std::string& t) {
    add(t);
    // As the screens split it: paragraphs at blank lines (intro, privacy,
    // thank you), and a question's words at its "- " list items.
    std::istringstream in(t);
    std::string line, para, words;
    while (std::getline(in, line)) {
      add(line);
      if (line.empty()) {
        add(para);
        para.clear();
      } else {
        para += (para.empty() ? "" : " ") + line;
      }
      if (line.rfind("- ", 0) == 0) {
        add(words);
        add(line.substr(2));
        words.clear();
      } else {
        words += (words.empty() ? "" : " ") + line;
      }
    }
    add(para);
    add(words);
  }
  void add_page(const std::string& path) {
    auto p = load_markdown_file(path);
    REQUIRE(p.ok());
    add(p->title);
    for (const auto& b : p->blocks) add(b.plain());
  }

  std::set<std::string> units_;
};

struct Findings {
  std::vector<std::string> foreign;  // words not from the catalogue nor known
  std::vector<std::string> layout;   // clipped or overlapping
};

// Everything on screen now: every item's words accounted for, nothing wider
// than its area or the window, no two controls on top of each other, every
// control big enough to touch.
void look(WordsRig& r, const Known& known, Findings& f, const std::string& where) {
  int w = 0, h = 0;
  SDL_GetWindowSize(r.app->window(), &w, &h);
  const Rect win{0, 0, static_cast<float>(w), static_cast<float>(h)};
  std::vector<A11yItem> visible;
  for (const auto& it : r.app->tree().items()) {
    const bool visitor_text = it.id == "kb.text" || it.id == "pin.value" || it.id.rfind("kb.key.", 0) == 0;
    if (!visitor_text) {
      const std::string left = known.unaccounted(it.label);
      if (!left.empty())
        f.foreign.push_back(where + ": " + it.id + " \"" + it.label + "\" (unaccounted: " + left + ")");
    }
    // Two pixels of grace: a wrapped line's measured width may round past its wrap point.
    const float right = it.rect.x + it.rect.w;
    if (it.rect.x < -2.0f || right > win.w + 2.0f || it.rect.x < it.clip.x - 2.0f ||
        right > it.clip.x + it.clip.w + 2.0f)
      f.layout.push_back(where + ": " + it.id + " runs out of its area sideways (" + std::to_string(it.rect.x) +
                         " to " + std::to_string(right) + ", area " + std::to_string(it.clip.x) + " to " +
                         std::to_string(it.clip.x + it.clip.w) + ")");
    if (!it.interactive) continue;
    if (it.rect.w < 44.0f || it.rect.h < 44.0f)
      f.layout.push_back(where + ": " + it.id + " is too small to touch (" + std::to_string(it.rect.w) + "x" +
                         std::to_string(it.rect.h) + ")");
    Rect v = it.rect;
    const float top = std::max(v.y, it.clip.y), bottom = std::min(v.y + v.h, it.clip.y + it.clip.h);
    if (bottom - top <= 0) continue;
    v.y = top;
    v.h = bottom - top;
    visible.push_back(it);
    visible.back().rect = v;
  }
  for (size_t i = 0; i < visible.size(); ++i)
    for (size_t j = i + 1; j < visible.size(); ++j)
      if (visible[i].rect.overlaps(visible[j].rect))
        f.layout.push_back(where + ": " + visible[i].id + " overlaps " + visible[j].id);
  for (const char* id : {"bar.help", "bar.settings"}) {
    if (r.app->ui().asleep || r.app->ui().panel != Panel::None) break;  // a panel covers the bar
    const auto* it = r.app->tree().find(id);
    if (!it || !win.contains(it->rect)) f.layout.push_back(where + ": " + id + " is not wholly in the window");
  }
}

// Each utterance accounted for the same way; a single typed character is the visitor's.
void listen(WordsRig& r, const Known& known, Findings& f) {
  for (const auto& said : r.speech.said) {
    if (said == "<stopped>" || collapse(said).size() <= 1) continue;
    const std::string left = known.unaccounted(said);
    if (!left.empty()) f.foreign.push_back("spoken: \"" + said + "\" (unaccounted: " + left + ")");
  }
}

void speech_on(WordsRig& r) {
  r.tap("bar.settings");
  if (!r.app->settings().speech) r.tap("settings.speech");
  r.tap("settings.done");
}

// Every screen and panel: home, information, settings, help, the survey
// (about, privacy, every question with its keyboard, review, thank you), the
// idle warning, staff PIN and assisted mode, admin PIN and the admin area,
// and the dark screen outside opening hours.
void walk_everything(WordsRig& r, const Known& known, Findings& f) {
  r.settle();
  look(r, known, f, "home");
  r.key(SDLK_a);  // the offer to read the screen aloud, said with speech off
  r.key(SDLK_ESCAPE);
  if (r.app->tree().find("home.here")) {
    r.tap("home.here");
    look(r, known, f, "information: this service point");
    r.tap("nav.home");
  }
  r.tap("home.service");
  look(r, known, f, "information: the list");
  r.tap("info.open.0");
  look(r, known, f, "information: a page");
  r.tap("nav.home");
  r.tap("bar.settings");
  r.tap("settings.speech");
  look(r, known, f, "settings panel (speech on)");
  r.tap("settings.faster");
  r.tap("settings.size.125");
  r.tap("settings.contrast");
  r.tap("settings.done");
  r.tap("bar.help");
  look(r, known, f, "help panel");
  r.tap("help.close");
  r.key(SDLK_F1);
  r.key(SDLK_ESCAPE);

  r.tap("home.start");
  look(r, known, f, "about");
  r.tap("nav.next");
  look(r, known, f, "privacy");
  r.tap("nav.next");
  for (int guard = 0; r.app->ui().screen == Screen::Question && guard < 60; ++guard) {
    const Question& q = *r.app->session()->current();
    const std::string where = "question " + q.id;
    look(r, known, f, where);
    r.tap("bar.repeat");
    if (q.required) {
      r.tap("nav.next");  // nothing chosen yet: the kiosk says why it cannot go on
      REQUIRE_FALSE(r.app->ui().error.empty());
      look(r, known, f, where + ", unanswered");
    }
    if (q.type == QuestionType::Note) {
      // A screen of reading: nothing to answer.
    } else if (q.type == QuestionType::Date) {
      for (const char* box : {"q.date.day", "q.date.month", "q.date.year"}) {
        r.tap(box);
        REQUIRE(r.app->ui().panel == Panel::Keyboard);
        look(r, known, f, where + ", " + box);
        r.type(std::string(box) == "q.date.year" ? "2016" : "2");
        r.tap("kb.done");
      }
    } else if (q.is_number()) {
      r.tap("q.textbox");
      REQUIRE(r.app->ui().panel == Panel::Keyboard);
      look(r, known, f, where + ", number pad");
      r.type("99");  // out of range: said so, in the catalogue's words
      r.tap("kb.done");
      r.tap("nav.next");
      REQUIRE_FALSE(r.app->ui().error.empty());
      look(r, known, f, where + ", out of range");
      r.tap("q.textbox");
      r.tap("kb.delete");
      r.tap("kb.delete");
      r.type("3");
      r.tap("kb.done");
    } else if (q.in_matrix()) {
      for (const Question* item : r.app->session()->current_screen())
        r.tap("mx." + item->id + "." + item->options.back().code);
    } else if (q.has_options()) {
      const Option* other = q.other_option();
      r.tap("opt." + (other ? other->code : q.options.front().code));
      if (other) {
        // Choosing Other opens the keyboard for its words.
        if (r.app->ui().panel != Panel::Keyboard) r.tap("q.other");
        REQUIRE(r.app->ui().panel == Panel::Keyboard);
        look(r, known, f, where + ", keyboard for Other");
        r.type("pram");
        r.tap("kb.done");
      }
    } else {
      r.tap("q.textbox");
      REQUIRE(r.app->ui().panel == Panel::Keyboard);
      look(r, known, f, where + ", keyboard");
      if (r.app->tree().find("kb.shift")) {
        r.tap("kb.shift");
        look(r, known, f, where + ", keyboard with Shift");
      }
      r.tap("kb.space");
      r.tap("kb.delete");
      if (q.type == QuestionType::Postcode) {
        // Not a postcode: the kiosk says so, with this deployment's example if it has one.
        r.type("ZZ");
        r.tap("kb.done");
        r.tap("nav.next");
        REQUIRE_FALSE(r.app->ui().error.empty());
        look(r, known, f, where + ", not a postcode");
        r.tap("q.textbox");
        r.tap("kb.delete");
        r.tap("kb.delete");
      }
      r.type(q.type == QuestionType::Postcode ? "M1 1AE" : "fine");
      r.tap("kb.done");
    }
    look(r, known, f, where + ", answered");
    r.tap("nav.next");
    REQUIRE(r.app->ui().error.empty());
  }
  REQUIRE(r.app->ui().screen == Screen::Review);
  look(r, known, f, "review");
  r.tap("nav.submit");
  REQUIRE(r.app->ui().screen == Screen::Thanks);
  look(r, known, f, "thank you");
  r.tap("thanks.home");

  // The idle warning, in a visit.
  speech_on(r);
  r.tap("home.start");
  r.speech.finish();  // the idle time counts from the end of what was said
  r.settle();
  r.clock.advance(std::chrono::seconds(r.config.session.idle_warning_seconds + 1));
  r.settle();
  REQUIRE(r.app->ui().panel == Panel::Idle);
  look(r, known, f, "idle warning");
  r.tap("idle.more");
  r.app->apply(intent::FinishVisit{});
  r.settle();

  // Staff: assisted mode, with its banner over a question.
  r.tap("bar.help");
  r.pin("1234");
  REQUIRE(r.app->ui().screen == Screen::Assist);
  look(r, known, f, "assisted mode");
  r.tap("assist.read_aloud");
  r.tap("assist.speech");
  r.tap("nav.start");
  look(r, known, f, "assisted mode: about the survey");
  r.app->apply(intent::EndAssisted{});
  r.settle();

  // A wrong PIN, then the admin area.
  r.tap("bar.help");
  r.pin("1111");
  look(r, known, f, "staff PIN, refused");
  r.tap("nav.back");
  r.tap("bar.help");
  r.pin("9999");
  REQUIRE(r.app->ui().screen == Screen::Admin);
  for (int i = 0; i < 100 && !r.app->tree().find("admin.results.n"); ++i) r.wait_for_background();
  look(r, known, f, "admin area");
  r.tap("nav.home");

  // Dark outside opening hours (the clock starts on a Tuesday at 08:00).
  r.speech.finish();
  r.settle();
  r.clock.advance(std::chrono::seconds(r.config.session.idle_warning_seconds + 1));
  r.settle();
  if (r.app->ui().asleep) look(r, known, f, "asleep");
  listen(r, known, f);
}

std::string lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += "\n  " + l;
  return s;
}

}  // namespace

TEST_CASE("en-XA: every word shown or spoken on every screen and panel is the catalogue's, and nothing clips",
          "[ui][words]") {
  for (const char* cfg : {"kiosk-config/family-hub/kiosk.toml", "kiosk-config/kiosk.toml"}) {
    WordsRig r(cfg, "en-XA");
    INFO(cfg);
    const Known known(r.config, *load_survey_file(r.config.survey_path));
    Findings f;
    walk_everything(r, known, f);
    INFO("words not from the catalogue:" << lines(f.foreign));
    CHECK(f.foreign.empty());
    INFO("layout:" << lines(f.layout));
    CHECK(f.layout.empty());
    // The walk did meet the catalogue: marked words on screen and in speech.
    CHECK(std::any_of(r.speech.said.begin(), r.speech.said.end(),
                      [](const std::string& s) { return s.find("\xE2\x9F\xA6") != std::string::npos; }));
  }
}

TEST_CASE("a family hub's kiosk says nothing of Bury or libraries, on any screen or aloud", "[ui][words]") {
  WordsRig r("kiosk-config/family-hub/kiosk.toml", "en");
  // The configuration's own words are allowed to; this one says neither.
  for (const std::string& word : {r.config.deployment.council, r.config.deployment.information_title,
                                  r.config.deployment.staff_role, r.config.kiosk_name})
    REQUIRE(word.find("Bury") == std::string::npos);
  const Known known(r.config, *load_survey_file(r.config.survey_path));
  Findings f;
  std::vector<std::string> shown;
  // Every text on every screen, recorded as the walk goes.
  walk_everything(r, known, f);
  auto bad = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s.find("bury") != std::string::npos || s.find("librar") != std::string::npos ||
           s.find("bl9") != std::string::npos;
  };
  for (const auto& s : r.speech.said)
    if (bad(s)) shown.push_back("spoken: " + s);
  for (const auto& s : f.foreign)  // in English nothing is marked: the foreign list holds every catalogue text seen
    if (bad(s)) shown.push_back(s);
  INFO("Bury or libraries:" << lines(shown));
  CHECK(shown.empty());
  CHECK_FALSE(f.foreign.empty());  // the walk saw the kiosk's own words
}

// The deployment's words in the visitor's language (kiosk.toml [deployment]
// tables by locale): a Polish or Urdu kiosk, walked over every screen and
// panel, shows and says none of the English ones. Before, "...na temat: the
// future of the library service" and "O tym miejscu (library)".
TEST_CASE("Polish and Urdu visitors see and hear none of the deployment's English words", "[ui][words][locale]") {
  auto english = load_config(test::source_path("kiosk-config/kiosk.toml"));
  REQUIRE(english.ok());
  const auto& d = english->deployment;
  const std::vector<std::string> words = {d.council, d.survey_topic, d.information_title, d.staff_role};
  for (const char* locale : {"pl", "ur"}) {
    INFO("kiosk in " << locale);
    WordsRig r("kiosk-config/kiosk.toml", locale);
    REQUIRE(r.config.deployment.word("council", locale) != d.council);
    const Known known(r.config, *load_survey_file(r.config.survey_path));
    Findings f;
    walk_everything(r, known, f);
    // Everything not in English is "foreign" to the English-built list, so
    // every translated text seen or heard is here; English page text is not.
    std::vector<std::string> met = f.foreign;
    met.insert(met.end(), r.speech.said.begin(), r.speech.said.end());
    std::vector<std::string> english_words;
    for (auto m : met) {
      for (const auto& sp : r.config.service_points)  // names, written as the council writes them
        for (auto at = m.find(sp.name); at != std::string::npos; at = m.find(sp.name)) m.erase(at, sp.name.size());
      for (const auto& w : words)
        if (m.find(w) != std::string::npos) english_words.push_back(w + " in: " + m);
      if (m.find("library") != std::string::npos)  // the venue; names such as "Castle Library" are capitalised
        english_words.push_back("library in: " + m);
    }
    INFO("English words of the deployment:" << lines(english_words));
    CHECK(english_words.empty());
    CHECK(met.size() > 50);  // the walk saw and heard the kiosk's translated words
  }
}

// A visitor who chooses Urdu on an English kiosk: the home screen and the
// information pages in Urdu, each page from its Urdu file (NAME.ur.md).
TEST_CASE("an Urdu visitor on an English kiosk reads the deployment's words and pages in Urdu", "[ui][words][locale]") {
  WordsRig r("kiosk-config/kiosk.toml", "en");
  r.tap("home.lang.ur");
  auto shown = [&](const std::string& part) {
    for (const auto& it : r.app->tree().items())
      if (it.label.find(part) != std::string::npos) return true;
    return false;
  };
  CHECK(shown(r.config.deployment.word("council", "ur")));
  CHECK_FALSE(shown(r.config.deployment.council));
  // The English titles, to tell a page shown in English.
  std::set<std::string> english_titles;
  for (const auto& e : fs::directory_iterator(r.config.pages_dir))
    if (e.path().extension() == ".md" && page_locale(e.path().string()).empty())
      english_titles.insert(load_markdown_file(e.path().string())->title);
  r.tap("home.service");
  CHECK(shown(r.config.deployment.word("information_title", "ur")));
  size_t pages = 0;
  for (; r.app->tree().find("info.open." + std::to_string(pages)); ++pages) {
    const std::string title = r.app->tree().find("info.open." + std::to_string(pages))->label;
    INFO("page " << pages << ": " << title);
    CHECK(english_titles.count(title) == 0);
    r.tap("info.open." + std::to_string(pages));
    const auto* first = r.app->tree().find("info.page.0");
    REQUIRE(first);
    CHECK(first->label == title);  // its heading is the title listed
    CHECK(r.app->tree().find("info.page.untranslated") == nullptr);
    r.tap("nav.back");
  }
  CHECK(pages == english_titles.size());
  r.tap("nav.home");
  r.tap("home.here");
  CHECK(r.app->tree().find("info.here.untranslated") == nullptr);
  CHECK_FALSE(shown("This is Bury's extended hours library."));
}
