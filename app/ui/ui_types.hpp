// What the screen shows (UiState) and what a tap or key asks for (Intent).
// What the visitor answered lives in the core's Session, never here; the
// only copy is the draft of a text answer while the keyboard is open.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kiosk::ui {

enum class Screen { Home, About, Privacy, Question, Review, Thanks, Info, Pin, Assist, Admin };
enum class Panel { None, Settings, Help, Idle, Keyboard };

struct Intent {
  enum class Kind {
    StartSurvey,
    ShowPrivacy,
    BeginQuestions,
    Choose,
    Toggle,
    OpenKeyboard,
    KeyboardKey,
    KeyboardDone,
    KeyboardCancel,
    Next,
    Back,
    Review,
    Edit,
    Submit,
    Home,
    OpenInfo,
    OpenPanel,
    ClosePanel,
    TextScale,
    ToggleContrast,
    ToggleFont,
    ToggleSpeech,
    Rate,
    Volume,
    Repeat,
    Help,
    ExtendTime,
    OpenPin,
    PinKey,
    PinSubmit,
    ToggleAssistance,
    AssistedStart,
    AssistedSpeechAndLargeText,
    AdminExport,
    AdminFolder,
    AdminSyncNow,
    AdminRefresh,
    AdminServicePoint,
    Quit,
    EndAssisted,
    SetLocale
  };
  Intent(Kind k, std::string a_ = {}, std::string b_ = {}, int n_ = 0)
      : kind(k), a(std::move(a_)), b(std::move(b_)), n(n_) {}
  Kind kind;
  std::string a, b;  // question id, option code, key, page name...
  int n = 0;
};

// Settings a visitor may change; recorded with the response, reset at the end of each session.
struct VisitorSettings {
  int text_scale = 100;  // 100, 125, 150, 200
  bool high_contrast = false;
  bool dyslexia_font = false;
  bool speech = false;
  int rate = 160;   // words per minute
  int volume = 80;  // percent
  bool operator==(const VisitorSettings&) const = default;
};

struct UiState {
  Screen screen = Screen::Home;
  Panel panel = Panel::None;
  std::string focus;         // id of the focused item (keyboard and touch)
  bool focus_moved = false;  // scroll the focused item into view this frame
  std::string error;         // "Please choose an answer to continue."
  std::string notice;        // status line: "Saved", "Exported 120 responses to ..."
  int info_page = 0;         // Info screen: which page; -1 = the list
  std::string locale;        // the visitor's language ("" = the survey's default)
  float scroll_to_top = true;

  // Keyboard (on-screen or physical) editing a text answer
  std::string edit_question, edit_target;  // target: "text" or "other"
  std::string edit_text;

  // Idle handling
  std::chrono::steady_clock::time_point last_input{};
  std::chrono::steady_clock::time_point warning_since{};
  int extensions = 0;
  std::chrono::steady_clock::time_point thanks_since{};

  // Staff PIN and assisted mode
  std::string pin;
  std::string pin_message;
  bool pin_checking = false;
  int pin_failures = 0;
  std::chrono::steady_clock::time_point pin_locked_until{};
  std::string staff_id, staff_name;
  std::vector<std::string> assistance;  // chosen before starting: read_aloud, scribed, large_print, other
  bool assisted = false;

  // Admin
  bool admin = false;
  std::string admin_folder;
  std::string admin_service_point;  // "" = all
  bool quit = false;

  std::string last_spoken_screen;  // so a screen is announced once when it appears
};

}  // namespace kiosk::ui
