#include "visitor_settings.hpp"

#include <cstdio>

namespace kiosk::ui {

namespace {

void record_setting(AppState& s, const std::string& key, const std::string& value, const std::string& dflt) {
  if (!s.session) return;
  // Only settings actually used are recorded; a setting once used stays recorded.
  if (value == dflt && !s.session->meta().accessibility.count(key)) return;
  if (auto st = s.session->set_accessibility(key, value); !st)
    std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
}

// Joins sentences, without doubling the full stop a sentence already has.
void sentence(std::string& out, std::string part) {
  while (!part.empty() && part.back() == ' ') part.pop_back();
  if (part.empty()) return;
  if (!out.empty())
    out += (out.back() == '.' || out.back() == '?' || out.back() == ':' || out.back() == '!') ? " " : ". ";
  out += part;
}

std::string screen_summary(const AppState& s) {
  std::string out;
  for (const auto& it : s.tree.items()) {
    if (it.interactive || it.id == "header.title") continue;
    sentence(out, it.label);
  }
  return out;
}

std::string help_text(const AppState& s) {
  std::string where;
  switch (s.ui.screen) {
    case Screen::Home: where = "This is the start screen. "; break;
    case Screen::Question: {
      const auto p = s.session ? s.session->progress() : Session::Progress{};
      where = "This is question " + std::to_string(p.position) + " of " + std::to_string(p.total) + ". ";
      break;
    }
    case Screen::Review: where = "This is the list of your answers. "; break;
    default: break;
  }
  return where +
         "Use the up and down arrows to move between choices, Enter to choose, and Escape to go back. "
         "The Repeat button reads the screen again. To get help from a person, ask a member of staff.";
}

}  // namespace

void on(AppState& s, const intent::OpenPanel& in) {
  const bool settings = in.panel == Panel::Settings;
  s.ui.panel = settings ? Panel::Settings : Panel::Help;
  s.ui.focus = settings ? "settings.done" : "help.close";
}

void on(AppState& s, const intent::ClosePanel& in) {
  s.ui.panel = Panel::None;
  s.ui.focus = in.focus.empty() ? "bar.settings" : in.focus;
}

void on(AppState& s, const intent::TextScale& in) {
  s.settings.text_scale = in.percent;
  apply_settings_change(s);
  s.say("Text size " + std::to_string(in.percent) + " percent");
}

void on(AppState& s, const intent::ToggleContrast&) {
  s.settings.high_contrast = !s.settings.high_contrast;
  apply_settings_change(s);
  s.say(s.settings.high_contrast ? "High contrast on" : "High contrast off");
}

void on(AppState& s, const intent::ToggleFont&) {
  s.settings.dyslexia_font = !s.settings.dyslexia_font;
  apply_settings_change(s);
}

void on(AppState& s, const intent::ToggleSpeech&) {
  s.settings.speech = !s.settings.speech;
  apply_settings_change(s);
  if (s.settings.speech)
    s.say("Speech is on. Use the arrow keys or touch anything to hear it.");
  else if (s.speech)
    s.speech->stop();
}

const char* const kSpeechOffer =
    "This screen can read everything aloud. Press Enter to turn speech on, or Escape to carry on without it. "
    "Then use the arrow keys to move, and Enter to choose. Press F1 at any time for help.";

void turn_speech_on(AppState& s) {
  s.ui.speech_offer_key = 0;
  if (s.settings.speech) return;
  s.settings.speech = true;
  apply_settings_change(s);
  // Read the screen from the start, as if it had just appeared.
  s.ui.last_spoken_screen.clear();
  s.ui.announce_prefix = "Speech is on.";
  s.redraw();
}

void on(AppState& s, const intent::Rate& in) {
  s.settings.rate = std::clamp(s.settings.rate + in.delta, 80, 400);
  apply_settings_change(s);
  s.say("Speed " + std::to_string(s.settings.rate));
}

void on(AppState& s, const intent::Volume& in) {
  s.settings.volume = std::clamp(s.settings.volume + in.delta, 20, 100);
  apply_settings_change(s);
  s.say("Volume " + std::to_string(s.settings.volume) + " percent");
}

void on(AppState& s, const intent::Repeat&) { s.say(screen_summary(s)); }
void on(AppState& s, const intent::Help&) {
  // Shown whether or not speech is on; read out when it is.
  if (s.ui.panel == Panel::Keyboard || s.ui.panel == Panel::Idle) return s.say(help_text(s));
  s.ui.help_where = help_text(s);
  s.ui.panel = Panel::Help;
  s.ui.focus = "help.close";
  s.ui.last_spoken_screen = screen_key(s);
  s.say("Help. " + s.ui.help_where + " Press Escape to close this help.");
}

void record_settings(AppState& s) {
  const VisitorSettings d;
  const VisitorSettings& v = s.settings;
  record_setting(s, "text_scale", std::to_string(v.text_scale), std::to_string(d.text_scale));
  record_setting(s, "high_contrast", v.high_contrast ? "on" : "off", "off");
  record_setting(s, "dyslexia_font", v.dyslexia_font ? "on" : "off", "off");
  record_setting(s, "speech", v.speech ? "on" : "off", "off");
  record_setting(s, "speech_rate", std::to_string(v.rate), std::to_string(d.rate));
}

void apply_settings_change(AppState& s) {
  // Re-rasterise only when the size or the letters change.
  s.fonts_dirty = s.fonts_dirty || s.fonts->scale != static_cast<float>(s.settings.text_scale) / 100.0f ||
                  s.fonts->dyslexic != s.settings.dyslexia_font;
  if (s.speech) {
    s.speech->set_rate(s.settings.rate);
    s.speech->set_volume(static_cast<float>(s.settings.volume) / 100.0f);
  }
  record_settings(s);
}

void reset_visitor_settings(AppState& s) {
  const bool changed = !(s.settings == VisitorSettings{});
  s.settings = VisitorSettings{};
  if (s.speech) {
    s.speech->stop();
    s.speech->set_rate(s.settings.rate);
    s.speech->set_volume(static_cast<float>(s.settings.volume) / 100.0f);
  }
  if (changed || s.fonts->scale != 1.0f || s.fonts->dyslexic) s.fonts_dirty = true;
}

std::string screen_key(const AppState& s) {
  const UiState& ui = s.ui;
  std::string key = std::to_string(static_cast<int>(ui.screen)) + "/" + std::to_string(static_cast<int>(ui.panel));
  if (ui.screen == Screen::Question && s.session && s.session->current()) key += "/" + s.session->current()->id;
  if (ui.screen == Screen::Info)
    key += "/" + std::to_string(static_cast<int>(ui.info_page.kind)) + "." + std::to_string(ui.info_page.number);
  if (ui.panel == Panel::Idle) key += "/" + std::to_string(ui.extensions);
  key += "/" + s.locale();  // a new language reads the screen again, in its voice
  return key;
}

std::string question_speech(const AppState& s) {
  std::string out;
  if (s.session) {
    const auto p = s.session->progress();
    sentence(out, "Question " + std::to_string(p.position) + " of " + std::to_string(p.total));
  }
  std::vector<const A11yItem*> answers, fields, status;
  for (const auto& it : s.tree.items()) {
    if (it.id.rfind("header.", 0) == 0) {
      continue;  // the progress is said first, in words
    } else if (it.role == Role::Status) {
      status.push_back(&it);
    } else if (it.id.rfind("opt.", 0) == 0) {
      answers.push_back(&it);
    } else if (it.role == Role::TextField) {
      fields.push_back(&it);
    } else if (!it.interactive && it.id.rfind("q.", 0) == 0) {
      sentence(out, it.label);
    }
  }
  bool multiple = false;
  for (size_t k = 0; k < answers.size(); ++k) {
    const A11yItem& a = *answers[k];
    multiple = multiple || a.role == Role::Checkbox;
    const bool chosen = a.value == "selected";
    sentence(out, std::to_string(k + 1) + " of " + std::to_string(answers.size()) + ": " + a.label +
                      (chosen ? ", chosen" : ", not chosen"));
  }
  for (const A11yItem* f : fields) sentence(out, A11yTree::utterance(*f));
  for (const A11yItem* st : status) sentence(out, st->label);
  if (!answers.empty())
    sentence(out, multiple ? "Use the arrow keys to move, Enter to tick or untick each answer that applies, then Next."
                           : "Use the arrow keys to choose, Enter to select, then Next.");
  else if (!fields.empty())
    sentence(out, "Press Enter on the text box to type your answer, then Next.");
  return out;
}

namespace {

// The first thing to act on: a question's chosen answer, else its first
// answer or text box; the start button at home; else the first control.
std::string first_focus(const AppState& s) {
  const auto& items = s.tree.items();
  if (s.ui.panel == Panel::None) {
    if (s.ui.screen == Screen::Question) {
      for (const auto& it : items)
        if (it.interactive && it.id.rfind("opt.", 0) == 0 && it.value == "selected") return it.id;
      for (const auto& it : items)
        if (it.interactive && (it.id.rfind("opt.", 0) == 0 || it.role == Role::TextField)) return it.id;
    }
    if (s.ui.screen == Screen::Home && s.tree.find("home.start")) return "home.start";
  }
  return s.tree.step("", 1);
}

}  // namespace

void announce(AppState& s) {
  const std::string key = screen_key(s);
  if (key == s.ui.last_spoken_screen) return;
  s.ui.last_spoken_screen = key;
  if (s.ui.focus.empty() || !s.tree.find(s.ui.focus)) {
    s.ui.focus = first_focus(s);
    s.ui.focus_moved = !s.ui.focus.empty();
    s.redraw(4);  // the scroll to the focus, then the layout it leads to, settle over a few frames
  }
  std::string prefix = std::move(s.ui.announce_prefix);
  s.ui.announce_prefix.clear();
  if (s.ui.panel == Panel::Keyboard) return s.say(prefix);  // the keys speak as they are touched
  std::string text = prefix;
  if (s.ui.screen == Screen::Question && s.ui.panel == Panel::None) {
    sentence(text, question_speech(s));
  } else {
    sentence(text, screen_summary(s));
    // Where the focus is, so Enter does what the visitor expects.
    if (const A11yItem* it = s.tree.find(s.ui.focus)) sentence(text, "Now on: " + A11yTree::utterance(*it));
    if (s.ui.panel != Panel::Idle) sentence(text, "Use the arrow keys to move, and Enter to choose.");
  }
  s.say(text);
}

}  // namespace kiosk::ui
