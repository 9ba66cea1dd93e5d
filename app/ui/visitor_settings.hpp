// A visitor's own settings (text size, contrast, letters, speech, rate,
// volume), the help and settings panels, and what speech reads out. Settings
// are recorded with the response when used and reset for the next visitor.
#pragma once

#include "app_state.hpp"

namespace kiosk::ui {

void on(AppState& s, const intent::OpenPanel& in);
void on(AppState& s, const intent::ClosePanel& in);
void on(AppState& s, const intent::TextScale& in);
void on(AppState& s, const intent::ToggleContrast&);
void on(AppState& s, const intent::ToggleFont&);
void on(AppState& s, const intent::ToggleSpeech&);
void on(AppState& s, const intent::Rate& in);
void on(AppState& s, const intent::Volume& in);
void on(AppState& s, const intent::Repeat&);
void on(AppState& s, const intent::Help&);

void reset_visitor_settings(AppState& s);
void apply_settings_change(AppState& s);
// Records the settings in use with the session's response.
void record_settings(AppState& s);

// Speaks the screen once when it first appears (from the tree just drawn),
// and puts the focus on the first thing to act on.
void announce(AppState& s);
// What identifies the screen being shown, for announce().
std::string screen_key(const AppState& s);
// What a question screen says: where you are, the question, every answer with
// its position and state, any status (answers below), how to move on (A15).
// Lists of more answers than this are said as a count and how to browse them.
// A list the same as the one last heard on arrival (`same_as`, from
// answers_key: Q2 to Q6's agree-disagree scale) is said in a few words, its
// count, first and last; every answer is still read as the arrows reach it.
inline constexpr std::size_t kListReadInFull = 8;
// On a matrix's screen: the first mark of the first item not yet answered
// (after Next found one missing, the one it named), else the first item's
// choice; empty on any other screen.
std::string matrix_focus(const AppState& s);
std::string question_speech(const AppState& s, const std::string& same_as = {});
// The labels of the question's answers on screen, in order ("" if none).
std::string answers_key(const AppState& s);
// Turns speech on and has the screen read from the start (A13).
void turn_speech_on(AppState& s);
// Read out, with speech off, when a key is pressed on the start screen.
std::string speech_offer(const AppState& s);
// What a screen reader says for one item, in the kiosk's language: "Agree, option, selected".
std::string utterance(const AppState& s, const A11yItem& item);

}  // namespace kiosk::ui
