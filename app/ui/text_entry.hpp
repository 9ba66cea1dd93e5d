// Text entry: the keyboard (on-screen or physical) editing a text answer or
// the text of an "Other" choice. The draft lives in UiState until Done.
#pragma once

#include "app_state.hpp"

namespace kiosk::ui {

void on(AppState& s, const intent::OpenKeyboard& in);
void on(AppState& s, const intent::KeyboardKey& in);
void on(AppState& s, const intent::KeyboardDelete&);
void on(AppState& s, const intent::KeyboardShift&);
void on(AppState& s, const intent::KeyboardDone&);
void on(AppState& s, const intent::KeyboardCancel&);

// The layout being typed on: Latin capitals and digits for a postcode in
// every language, else the visitor's language's.
const KeyboardLayout& keyboard_layout(const AppState& s);
// Whether the next key pressed types its Shift form: Shift is on, or on a
// layout of capitals the text is at the start of the answer or of a sentence.
// The key caps show that form, so a key shows what it will type.
bool next_key_shifted(const UiState& ui, const KeyboardLayout& layout);
// A key's button id: "kb.key." and its code points ("kb.key.113" for q), the
// same with Shift on or off, so Shift does not move the focus.
std::string key_id(const std::string& key);

// Back to the keyboard from help or settings opened over it, if its
// question is still the one on screen.
void reopen_keyboard(AppState& s);

// Saves the draft into the session; closes the keyboard if asked and the
// answer was accepted (a refused answer keeps it open with the message).
void commit_keyboard(AppState& s, bool close);

}  // namespace kiosk::ui
