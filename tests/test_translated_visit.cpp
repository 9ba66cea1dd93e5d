// The whole Bury survey completed in Urdu and in Polish (issue 11): the
// language chosen on the home screen as a visitor would, then every question
// answered, once by touch (taps where the accessibility tree says the answers
// are drawn) and once by keys with speech on. The visitor sees and hears the
// survey in the chosen language, the response records it, and the CSV has the
// same columns and codes as an English completion with the same answers.
#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "kiosk/db.hpp"
#include "kiosk/export.hpp"
#include "ui_harness.hpp"

using namespace kiosk;
using namespace kiosk::ui;
using test::UiRig;

namespace {

// The same answers in every language: codes, and what is typed.
struct Plan {
  std::map<std::string, std::vector<std::string>> choose;  // question id -> option codes
  std::map<std::string, std::string> type;                 // question id -> typed answer or "other" text
};

const Plan& plan() {
  static const Plan p = [] {
    Plan x;
    for (const char* q : {"q1", "q3", "q5"}) x.choose[q] = {"agree"};
    for (const char* q : {"q2", "q4", "q6"}) x.choose[q] = {"strongly_disagree"};
    x.choose["q7"] = {"yes"};
    x.type["q8"] = "More evening hours";
    x.choose["q9"] = {"yes"};
    x.choose["q10"] = {"weekly"};
    x.choose["q11"] = {"other"};
    x.type["q11"] = "Scooter";
    x.choose["q13"] = {"evening", "saturdays"};
    x.choose["q14"] = {"more_likely"};
    x.choose["q15"] = {"neither"};
    x.choose["q16"] = {"no"};
    x.type["q17"] = "Keep Ramsbottom open";
    x.choose["q18"] = {"resident"};
    x.choose["q19"] = {"female"};
    x.choose["q20"] = {"30_44"};
    x.type["q21"] = "bl9 0sw";
    x.choose["q22"] = {"asian_pakistani"};
    x.choose["q23"] = {"no"};
    x.choose["q24"] = {"no"};
    x.choose["q25"] = {"employed"};
    return x;
  }();
  return p;
}

// The first `n` characters (code points) of UTF-8 text, never cut inside one.
std::string first_chars(const std::string& s, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < s.size(); ++k) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return s.substr(0, i);
}

// The question's opening words, as shown: its first line.
std::string opening(const std::string& text) { return first_chars(text.substr(0, text.find('\n')), 24); }

bool drawn_with(const UiRig& r, const std::string& part) {
  const auto& items = r.app->tree().items();
  return std::any_of(items.begin(), items.end(),
                     [&](const A11yItem& it) { return it.label.find(part) != std::string::npos; });
}

bool said_since(const UiRig& r, size_t from, const std::string& part) {
  for (size_t i = from; i < r.speech.said.size(); ++i)
    if (r.speech.said[i].find(part) != std::string::npos) return true;
  return false;
}

void type_text(UiRig& r, const std::string& text) { r.type_text(text); }

void press(UiRig& r, bool by_keys, const std::string& id) {
  if (by_keys) {
    r.choose_by_keys(id);
  } else {
    r.bring_into_view(id);
    r.tap_id(id);
  }
}

// Opens the text box `id`, types `text` and closes the keyboard.
void enter_text(UiRig& r, bool by_keys, const std::string& id, const std::string& text) {
  // Choosing "Other" opens the keyboard at once; a text box waits for a touch.
  if (r.app->ui().panel != Panel::Keyboard) press(r, by_keys, id);
  REQUIRE(r.app->ui().panel == Panel::Keyboard);
  type_text(r, text);
  if (by_keys)
    r.key(SDLK_RETURN);
  else
    r.tap_id("kb.done");
  REQUIRE(r.app->ui().panel == Panel::None);
}

struct Completed {
  std::string header, row;  // the CSV export
  std::string locale, status;
};

// One visitor, from the home screen to the thank-you screen, in `locale`.
Completed complete_bury(const std::string& locale, bool by_keys) {
  UiRig r;
  const Survey& s = r.app->survey();
  REQUIRE(std::find(s.locales.begin(), s.locales.end(), locale) != s.locales.end());
  if (by_keys) {
    r.key(SDLK_DOWN);  // any key offers speech; Enter takes it
    r.key(SDLK_RETURN);
    REQUIRE(r.app->settings().speech);
  }
  // The language as a visitor chooses it: its button on the home screen.
  press(r, by_keys, "home.lang." + locale);
  press(r, by_keys, "home.start");
  REQUIRE(r.app->ui().screen == Screen::About);
  press(r, by_keys, "nav.next");
  REQUIRE(r.app->ui().screen == Screen::Privacy);
  CHECK(drawn_with(r, opening(s.text(s.privacy, locale))));
  size_t heard_from = r.speech.said.size();
  press(r, by_keys, "nav.next");

  int answered = 0;
  for (int guard = 0; r.app->ui().screen == Screen::Question && guard < 40; ++guard) {
    const Question& q = *r.app->session()->current();
    INFO(locale << (by_keys ? " by keys, " : " by touch, ") << q.id);
    // Shown, and with speech said, in the visitor's language.
    const std::string words = opening(s.text(q.text, locale));
    CHECK(drawn_with(r, words));
    if (by_keys) {
      CHECK(said_since(r, heard_from, words));
      if (locale != s.default_locale) CHECK_FALSE(said_since(r, heard_from, opening(s.text(q.text, s.default_locale))));
    }
    const auto chosen = plan().choose.find(q.id);
    const auto typed = plan().type.find(q.id);
    if (chosen != plan().choose.end()) {
      for (const auto& code : chosen->second) {
        const Option* o = q.find_option(code);
        REQUIRE(o != nullptr);
        const std::string label = s.text(o->label, locale);
        const auto* drawn = r.find_id("opt." + code);
        REQUIRE(drawn != nullptr);
        CHECK(drawn->label == label);
        const size_t before = r.speech.said.size();
        press(r, by_keys, "opt." + code);
        if (by_keys) CHECK(said_since(r, before, label));
      }
      if (typed != plan().type.end()) enter_text(r, by_keys, "q.other", typed->second);
    } else if (typed != plan().type.end()) {
      enter_text(r, by_keys, "q.textbox", typed->second);
    } else {
      FAIL("the plan has no answer for " << q.id);
    }
    ++answered;
    heard_from = r.speech.said.size();
    press(r, by_keys, "nav.next");
  }
  // q12 is shown only to those who do not use the libraries.
  CHECK(answered == 24);
  REQUIRE(r.app->ui().screen == Screen::Review);
  press(r, by_keys, "nav.submit");
  REQUIRE(r.app->ui().screen == Screen::Thanks);
  CHECK(drawn_with(r, opening(s.text(s.thank_you, locale))));

  Completed c;
  // The response is stored sealed: its language and status are read from the
  // document opened with the council's (the tests') key.
  auto docs = open_documents(r.app->store(), test::keyring(), s.id);
  REQUIRE(docs.ok());
  REQUIRE(docs->size() == 1);
  const auto doc = nlohmann::json::parse(docs->front());
  c.locale = doc.at("locale").get<std::string>();
  c.status = doc.value("status", std::string("completed"));
  const std::string csv = r.tmp.file("answers.csv");
  auto n = export_csv(r.app->store(), test::keyring(), s, csv);
  REQUIRE(n.ok());
  CHECK(*n == 1);
  const std::string text = test::read_file(csv);
  const size_t eol = text.find("\r\n");
  REQUIRE(eol != std::string::npos);
  c.header = text.substr(0, eol);
  c.row = text.substr(eol + 2, text.find("\r\n", eol + 2) - (eol + 2));
  return c;
}

// RFC 4180 fields of one CSV line.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        out.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.emplace_back();
    } else {
      out.back() += ch;
    }
  }
  return out;
}

// The same columns, and cell for cell the same codes and text, as in English:
// only the response's id, its times and its language differ.
void same_as_english(const Completed& english, const Completed& translated, const std::string& locale) {
  CHECK(english.locale == "en");
  CHECK(translated.locale == locale);
  CHECK(translated.status == "completed");
  REQUIRE(translated.header == english.header);
  auto names = fields(english.header);
  // The export starts with a byte order mark, for spreadsheets.
  if (names.front().rfind("\xEF\xBB\xBF", 0) == 0) names.front().erase(0, 3);
  const auto en = fields(english.row), tr = fields(translated.row);
  REQUIRE(en.size() == names.size());
  REQUIRE(tr.size() == names.size());
  std::map<std::string, std::string> cell;
  for (size_t i = 0; i < names.size(); ++i) {
    cell[names[i]] = tr[i];
    if (names[i] == "response_uuid" || names[i] == "started_utc" || names[i] == "completed_utc") continue;
    INFO("column " << names[i]);
    if (names[i] == "locale") {
      CHECK(en[i] == "en");
      CHECK(tr[i] == locale);
      continue;
    }
    CHECK(tr[i] == en[i]);
  }
  // Codes, never the labels the visitor saw.
  CHECK(cell.at("q1") == "agree");
  CHECK(cell.at("q10") == "weekly");
  CHECK(cell.at("q11") == "other");
  CHECK(cell.at("q11_other_text") == "Scooter");
  CHECK(cell.at("q13_evening") == "1");
  CHECK(cell.at("q13_sundays") == "0");
  CHECK(cell.at("q15") == "neither");
  CHECK(cell.at("q16") == "no");
  CHECK(cell.at("q21") == "BL9 0SW");
  CHECK(cell.at("q22") == "asian_pakistani");
}

}  // namespace

TEST_CASE(
    "a visitor completes the whole Bury survey in Urdu by touch, and the CSV matches English in columns and codes",
    "[visit][translation][ur]") {
  const Completed en = complete_bury("en", false);
  const Completed ur = complete_bury("ur", false);
  same_as_english(en, ur, "ur");
}

TEST_CASE(
    "a visitor completes the whole Bury survey in Polish by touch, and the CSV matches English in columns and codes",
    "[visit][translation][pl]") {
  const Completed en = complete_bury("en", false);
  const Completed pl = complete_bury("pl", false);
  same_as_english(en, pl, "pl");
}

TEST_CASE("a visitor completes the whole Bury survey in Urdu by keys, hearing it in Urdu, and the CSV matches English",
          "[visit][translation][speech][ur]") {
  const Completed en = complete_bury("en", true);
  const Completed ur = complete_bury("ur", true);
  same_as_english(en, ur, "ur");
}

TEST_CASE(
    "a visitor completes the whole Bury survey in Polish by keys, hearing it in Polish, and the CSV matches English",
    "[visit][translation][speech][pl]") {
  const Completed en = complete_bury("en", true);
  const Completed pl = complete_bury("pl", true);
  same_as_english(en, pl, "pl");
}
