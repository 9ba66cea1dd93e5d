// What the screen shows (UiState) and what a tap or key asks for (Intent).
// What the visitor answered lives in the core's Session, never here; the
// only copy is the draft of a text answer while the keyboard is open.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

namespace kiosk::ui {

enum class Screen { Home, About, Privacy, Question, Review, Thanks, Info, Pin, Assist, Admin };
enum class Panel { None, Settings, Help, Idle, Keyboard };

// Which information page the Info screen shows.
struct InfoPage {
  enum class Kind { ServicePoint, List, Numbered };
  Kind kind = Kind::Numbered;
  size_t number = 0;  // for Numbered: an index into the general pages
  static InfoPage service_point() { return {Kind::ServicePoint, 0}; }
  static InfoPage list() { return {Kind::List, 0}; }
  static InfoPage numbered(size_t n) { return {Kind::Numbered, n}; }
  bool operator==(const InfoPage&) const = default;
};

// The answer's own text, its "Other" text, or one part of a date.
enum class TextTarget { Answer, Other, DateDay, DateMonth, DateYear };
inline bool is_date_part(TextTarget t) {
  return t == TextTarget::DateDay || t == TextTarget::DateMonth || t == TextTarget::DateYear;
}
enum class ExportFormat { Csv, Jsonl, Codebook };

// What a tap or key asks for: one small struct per request, its payload typed.
namespace intent {
// Visitor flow
struct StartSurvey {};
struct ShowPrivacy {};
struct BeginQuestions {};
struct Choose {  // the one answer to a single-choice question
  std::string question, option;
};
struct Toggle {  // an answer on or off, on a multiple-choice question
  std::string question, option;
};
struct Next {};
struct Back {};
struct Review {};
struct Edit {
  std::string question;
};
struct Submit {};
struct Home {};         // back to the start screen; the visit (and its settings) goes on
struct FinishVisit {};  // the visitor is done: clear everything for the next person
struct OpenInfo {
  InfoPage page;
};
struct ExtendTime {};
struct SetLocale {
  std::string locale;
};
// Text entry
struct OpenKeyboard {
  std::string question;
  TextTarget target = TextTarget::Answer;
};
struct KeyboardKey {  // one character (a whole UTF-8 sequence) typed
  std::string text;
};
struct KeyboardDelete {};
struct KeyboardShift {};  // the next letter is a capital
struct KeyboardDone {};
struct KeyboardCancel {};
// Visitor settings, help and speech
struct OpenPanel {
  Panel panel;  // Settings or Help
};
struct ClosePanel {
  std::string focus = "bar.settings";  // where the focus goes back to
};
struct TextScale {
  int percent;
};
struct ToggleContrast {};
struct ToggleFont {};
struct ToggleSpeech {};
struct Rate {
  int delta;  // words per minute
};
struct Volume {
  int delta;  // percent
};
struct Repeat {};
struct Help {};
// Staff sign-in and assisted mode
struct OpenPin {};
struct PinDigit {
  char digit;
};
struct PinDelete {};
struct PinSubmit {};
struct ToggleAssistance {
  std::string code;  // read_aloud, scribed, large_print, other
};
struct AssistedStart {};
struct AssistedSpeechAndLargeText {};
struct EndAssisted {};
// Admin
struct AdminExport {
  ExportFormat format;
};
struct AdminFolder {
  std::string path;
};
struct AdminSyncNow {};
struct AdminRefresh {};
struct AdminServicePoint {
  std::string id;  // "" = all
};
struct Quit {};
}  // namespace intent

using Intent =
    std::variant<intent::StartSurvey, intent::ShowPrivacy, intent::BeginQuestions, intent::Choose, intent::Toggle,
                 intent::Next, intent::Back, intent::Review, intent::Edit, intent::Submit, intent::Home,
                 intent::FinishVisit, intent::OpenInfo, intent::ExtendTime, intent::SetLocale, intent::OpenKeyboard,
                 intent::KeyboardKey, intent::KeyboardDelete, intent::KeyboardShift, intent::KeyboardDone,
                 intent::KeyboardCancel, intent::OpenPanel, intent::ClosePanel, intent::TextScale,
                 intent::ToggleContrast, intent::ToggleFont, intent::ToggleSpeech, intent::Rate, intent::Volume,
                 intent::Repeat, intent::Help, intent::OpenPin, intent::PinDigit, intent::PinDelete, intent::PinSubmit,
                 intent::ToggleAssistance, intent::AssistedStart, intent::AssistedSpeechAndLargeText,
                 intent::EndAssisted, intent::AdminExport, intent::AdminFolder, intent::AdminSyncNow,
                 intent::AdminRefresh, intent::AdminServicePoint, intent::Quit>;

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
  InfoPage info_page;        // Info screen: which page
  std::string locale;        // the visitor's language ("" = the survey's default)
  float scroll_to_top = true;
  // The part of the content column shown whole on the last frame (screen y):
  // lines and answers cut by its edges are covered by the bands that say
  // what is above and below.
  float view_top = 0, view_bottom = 1e9f;
  // The column's slide on the last frame, and which way it last went (+1 on
  // towards the end): at rest a line or answer cut by the top band is shown
  // whole going back, or passed going on, so small slides always move on.
  float last_scroll = 0;
  int scroll_dir = 1;
  int settles = 0;  // slides asked for in a row by settling, since the last input

  // Keyboard (on-screen or physical) editing a text answer
  std::string edit_question;
  TextTarget edit_target = TextTarget::Answer;
  std::string edit_text;
  bool shift = false;  // on-screen keyboard: the next letter is a capital
  // Help or settings opened from the bar over the keyboard: closing them
  // goes back to the keyboard, with what was typed.
  bool keyboard_under = false;

  // Idle handling
  std::chrono::steady_clock::time_point last_input{};
  std::chrono::steady_clock::time_point warning_since{};
  int extensions = 0;
  std::chrono::steady_clock::time_point thanks_since{};

  // Staff PIN and assisted mode
  std::string pin;
  std::string pin_message;
  bool pin_checking = false;
  bool pin_lock_shown = false;  // pin_message tells of a lock-out, cleared when it ends
  std::string staff_id, staff_name;
  std::vector<std::string> assistance;  // chosen before starting: read_aloud, scribed, large_print, other
  bool assisted = false;

  // Admin
  bool admin = false;
  std::string admin_folder;
  std::string admin_service_point;  // "" = all
  bool quit = false;
  bool asleep = false;  // outside the service point's opening hours: dark until a touch or opening time

  std::string last_spoken_screen;  // so a screen is announced once when it appears
  std::string last_answers_heard;  // the answers said on the last question's arrival (answers_key)
  std::string help_where;          // the help panel's "where you are and which keys"
  std::string announce_prefix;     // said before the next screen reading ("Speech is on.")
  int speech_offer_key = 0;        // the key that had the speech offer read out (home, speech off); -1: declined
};

}  // namespace kiosk::ui
