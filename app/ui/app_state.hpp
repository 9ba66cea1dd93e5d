// AppState: everything the kiosk's intents act on, in one place. KioskApp owns
// it; the handlers (visitor_flow, text_entry, visitor_settings, staff, admin)
// are plain functions of it, so each can be read and tested on its own.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "a11y.hpp"
#include "jobs.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/config.hpp"
#include "kiosk/keyboard.hpp"
#include "kiosk/pin_policy.hpp"
#include "kiosk/session.hpp"
#include "kiosk/store.hpp"
#include "markdown.hpp"
#include "messages.hpp"
#include "screens.hpp"
#include "speech.hpp"
#include "sync_client.hpp"
#include "ui_types.hpp"
#include "widgets.hpp"

namespace kiosk::ui {

// Who a PIN belonged to; an empty role: nobody.
struct PinResult {
  std::string role, id, name;
};

struct AppState {
  AppState(const KioskConfig& config_, const Clock& clock_)
      : config(config_),
        clock(clock_),
        pin_policy(clock_, config_.pin_attempts, std::chrono::seconds(config_.pin_lockout_seconds)) {}

  const KioskConfig& config;
  const Clock& clock;
  std::unique_ptr<Survey> survey;
  std::unique_ptr<Store> store;
  std::unique_ptr<Session> session;  // null between visitors
  std::vector<LocalPage> pages;      // general information pages
  std::optional<LocalPage> service_point_page;
  Catalogue catalogue;  // the kiosk's own words, every locale
  Keyboards keyboards;  // the on-screen keyboard's layout for each locale

  UiState ui;
  VisitorSettings settings;
  AdminView admin;
  A11yTree tree;         // what the last frame showed, for speech and focus
  PinPolicy pin_policy;  // outlives each visitor: a lock-out is not reset by going home

  Speech* speech = nullptr;
  sync::SyncWorker* sync = nullptr;  // null when the kiosk does not sync
  const Fonts* fonts = nullptr;      // the atlas in use, to know when it must be rebuilt
  bool fonts_dirty = false;
  int dirty = 2;  // frames still to draw

  // The visit has ended but its closing words are still being spoken in the
  // visitor's settings: those reset when the words end, or at reset_due.
  bool reset_pending = false;
  std::chrono::steady_clock::time_point reset_due{};

  JobQueue* jobs = nullptr;  // work off the frame thread; results come back through the loop

  std::chrono::steady_clock::time_point now() const { return clock.steady(); }
  // A message of the catalogue in the kiosk's current language.
  std::string tr(std::string_view key, MessageArgs args = {}) const {
    return message(catalogue, config, words_locale(ui.locale, config), key, std::move(args));
  }
  // The visitor's language: the survey's own, their choice, or their response's.
  std::string locale() const {
    if (session) return session->meta().locale;
    if (!ui.locale.empty()) return ui.locale;
    // The kiosk's own starting language (kiosk.toml's locale) when the survey comes in it.
    const auto& ls = survey->locales;
    return std::find(ls.begin(), ls.end(), config.default_locale) != ls.end() ? config.default_locale
                                                                              : survey->default_locale;
  }
  void redraw(int frames = 2) { dirty = std::max(dirty, frames); }
  // Speaks when the visitor turned speech on; silent otherwise.
  // Always in the voice of the language on screen.
  void say(const std::string& text) const {
    if (settings.speech) say_always(text);
  }
  // Speaks even with speech off: only for the offer to turn it on.
  void say_always(const std::string& text) const {
    if (!speech || text.empty()) return;
    speech->set_language(locale());
    speech->say(text);
  }
  bool speaking() const { return settings.speech && speech && speech->speaking(); }
};

// Applies one intent, as if the visitor (or staff) had asked: a small
// dispatcher over the handlers, each in the file named for its concern.
void apply(AppState& s, const Intent& in);

// What a visitor is told about a step that failed: a rule they broke, in the
// rule's own words; anything else (storage, a full disk...) in the kind's calm
// wording, with the technical message logged for staff.
std::string error_for_visitor(const Error& err);
// The same, in the kiosk's language: the kind's wording from the catalogue.
std::string error_for_visitor(const AppState& s, const Error& err);

}  // namespace kiosk::ui
