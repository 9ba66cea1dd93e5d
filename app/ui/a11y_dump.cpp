#include "a11y_dump.hpp"

#include <nlohmann/json.hpp>

#include "app_state.hpp"
#include "visitor_settings.hpp"

namespace kiosk::ui {

namespace {

const char* screen_name(Screen s) {
  switch (s) {
    case Screen::Home: return "home";
    case Screen::About: return "about";
    case Screen::Privacy: return "privacy";
    case Screen::Question: return "question";
    case Screen::Review: return "review";
    case Screen::Thanks: return "thanks";
    case Screen::Info: return "info";
    case Screen::Pin: return "pin";
    case Screen::Assist: return "assist";
    case Screen::Admin: return "admin";
  }
  return "";
}

const char* panel_name(Panel p) {
  switch (p) {
    case Panel::None: return "";
    case Panel::Settings: return "settings";
    case Panel::Help: return "help";
    case Panel::Idle: return "idle";
    case Panel::Keyboard: return "keyboard";
  }
  return "";
}

nlohmann::json rect(const Rect& r) { return {r.x, r.y, r.w, r.h}; }

}  // namespace

bool A11yDump::open(const std::string& path) {
  f_ = std::fopen(path.c_str(), "w");
  return f_ != nullptr;
}

A11yDump::~A11yDump() {
  if (f_) std::fclose(f_);
}

double A11yDump::ms() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
}

void A11yDump::line(const std::string& json) {
  std::lock_guard lock(m_);
  if (!f_) return;
  std::fputs(json.c_str(), f_);
  std::fputc('\n', f_);
  std::fflush(f_);  // read while the kiosk runs
}

void A11yDump::speech_event(const char* event, const std::string& text) {
  nlohmann::json j{{"t_ms", ms()}, {"event", event}};
  if (!text.empty()) j["text"] = text;
  line(j.dump());
}

void A11yDump::screen(const AppState& s, int width, int height) {
  const VisitorSettings& v = s.settings;
  nlohmann::json j{
      {"event", "screen"},
      {"key", screen_key(s)},
      {"screen", screen_name(s.ui.screen)},
      {"panel", panel_name(s.ui.panel)},
      {"focus", s.ui.focus},
      {"window", {width, height}},
      {"settings",
       {{"text_scale", v.text_scale}, {"high_contrast", v.high_contrast}, {"speech", v.speech}, {"rate", v.rate}}}};
  if (s.ui.screen == Screen::Question && s.session && s.session->current()) {
    const auto p = s.session->progress();
    j["question"] = s.session->current()->id;
    j["position"] = p.position;
    j["total"] = p.total;
  }
  auto items = nlohmann::json::array();
  const Rect window{0, 0, static_cast<float>(width), static_cast<float>(height)};
  for (const auto& it : s.tree.items()) {
    items.push_back({{"id", it.id},
                     {"label", it.label},
                     {"role", role_name(it.role)},
                     {"value", it.value},
                     {"rect", rect(it.rect)},
                     {"clip", rect(it.clip)},
                     {"interactive", it.interactive},
                     {"enabled", it.enabled},
                     {"line_h", it.line_h},
                     {"in_view", it.clip.contains(it.rect) && window.contains(it.rect)}});
  }
  j["items"] = std::move(items);
  // Written when anything shown changed: a new screen, a choice, a scroll.
  std::string text = j.dump();
  if (text == last_) return;
  last_ = std::move(text);
  j["t_ms"] = ms();
  line(j.dump());
}

}  // namespace kiosk::ui
