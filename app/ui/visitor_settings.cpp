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

std::string screen_summary(const AppState& s) {
  std::string out;
  for (const auto& it : s.tree.items()) {
    if (it.interactive || it.id == "header.title") continue;
    if (!out.empty()) out += ". ";
    out += it.label;
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
void on(AppState& s, const intent::Help&) { s.say(help_text(s)); }

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

void announce(AppState& s) {
  const UiState& ui = s.ui;
  std::string key = std::to_string(static_cast<int>(ui.screen)) + "/" + std::to_string(static_cast<int>(ui.panel));
  if (ui.screen == Screen::Question && s.session && s.session->current()) key += "/" + s.session->current()->id;
  if (ui.screen == Screen::Info)
    key += "/" + std::to_string(static_cast<int>(ui.info_page.kind)) + "." + std::to_string(ui.info_page.number);
  if (ui.panel == Panel::Idle) key += "/" + std::to_string(ui.extensions);
  if (key == ui.last_spoken_screen) return;
  s.ui.last_spoken_screen = key;
  if (ui.panel == Panel::Keyboard) return;  // the keys speak as they are touched
  s.say(screen_summary(s));
}

}  // namespace kiosk::ui
