// Screens: plain functions, one file each. They read an AppView and draw
// through a Frame; what a visitor does comes back as Intents.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kiosk/config.hpp"
#include "kiosk/export.hpp"
#include "kiosk/keyboard.hpp"
#include "kiosk/session.hpp"
#include "kiosk/store.hpp"
#include "markdown.hpp"
#include "messages.hpp"
#include "speech.hpp"
#include "sync_client.hpp"
#include "widgets.hpp"

namespace kiosk::ui {

// A place an export can go: a USB stick mounted for the kiosk, or the
// kiosk's own export folder.
struct ExportFolder {
  std::string path, name;  // name: the stick's label (its folder's name)
  bool stick = false;
  std::uintmax_t free_bytes = 0;
};

struct AdminView {
  bool loaded = false;
  StoreCounts counts;
  std::optional<Summary> summary;
  sync::SyncStatus sync;
  std::vector<ExportFolder> folders;  // where exports can go (USB sticks first)
  bool busy = false;                  // an export is being written: its buttons are disabled
};

struct AppView {
  const Survey& survey;
  const KioskConfig& config;
  const Session* session;  // null outside a survey
  const VisitorSettings& settings;
  const std::vector<LocalPage>& pages;  // general information pages, each with its translations
  const std::optional<LocalPage>& service_point_page;
  const AdminView& admin;
  int idle_seconds_left = 0;
  bool can_extend = true;
  std::string locale;
  const Catalogue* catalogue = nullptr;
  std::string catalogue_locale = {};         // of the catalogue's messages (see messages.hpp)
  bool pin_locked = false;                   // staff sign-in refuses PINs for now
  bool demo_pins = false;                    // sign-in refused: the demonstration PINs are configured
  const Speech* speech = nullptr;            // which languages it has a voice for
  const KeyboardLayout* keyboard = nullptr;  // the on-screen keyboard's layout for the text being typed
  const std::string& text(const LocalText& t) const { return survey.text(t, locale); }
  // One of the deployment's words (kiosk.toml [deployment]) in the kiosk's current language.
  const std::string& word(std::string_view name) const { return config.deployment.word(name, catalogue_locale); }
  // A message of the catalogue in the kiosk's current language.
  std::string tr(std::string_view key, MessageArgs args = {}) const {
    return catalogue ? message(*catalogue, config, catalogue_locale, key, std::move(args)) : std::string(key);
  }
};

void draw_home(Frame& f, const AppView& v);
void draw_about(Frame& f, const AppView& v);
void draw_about_nav(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_privacy(Frame& f, const AppView& v);
void draw_privacy_nav(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_question(Frame& f, const AppView& v);
void draw_question_nav(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_review(Frame& f, const AppView& v);
void draw_review_nav(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_thanks(Frame& f, const AppView& v);
void draw_info(Frame& f, const AppView& v);
void draw_info_nav(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_pin(Frame& f, const AppView& v);
void draw_pin_nav(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_assist(Frame& f, const AppView& v);
void draw_assist_nav(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_admin(Frame& f, const AppView& v);
void draw_admin_nav(Frame& f, const AppView& v, Frame::Flow& flow);

// Panels drawn over any screen.
void draw_settings_panel(Frame& f, const AppView& v);
void draw_help_panel(Frame& f, const AppView& v);
void draw_idle_panel(Frame& f, const AppView& v);
void draw_keyboard_panel(Frame& f, const AppView& v);
// Each panel's actions, in a row at the panel's foot that never slides away.
void draw_settings_actions(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_help_actions(Frame& f, const AppView& v, Frame::Flow& flow);
void draw_idle_actions(Frame& f, const AppView& v, Frame::Flow& flow);

// The same controls in the same place on every screen (A11).

// Text whose first paragraph is a heading (intro, privacy, thank you); returns the paragraphs drawn.
int heading_and_paragraphs(Frame& f, const std::string& prefix, const std::string& text, bool big);

// How an answer reads back on the review screen.
std::string describe_answer(const AppView& v, const Question& q, const Answer* a);

}  // namespace kiosk::ui
