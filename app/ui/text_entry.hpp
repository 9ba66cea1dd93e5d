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

// What a number question's box takes, in the visitor's words: "A whole
// number. From 0 to 31." `T` is AppState or AppView (anything with tr()).
// Without `kind`, only the range ("From 0 to 31.", or "" when it has none).
template <class T>
std::string number_words(const T& v, const Question& q, bool kind = true) {
  const int places = q.type == QuestionType::Decimal ? q.decimals : 0;
  const std::string lo = q.min_value ? format_number(*q.min_value, places) : "";
  const std::string hi = q.max_value ? format_number(*q.max_value, places) : "";
  std::string words = !kind                             ? std::string()
                      : q.type == QuestionType::Integer ? v.tr("q.number.whole")
                                                        : v.tr("q.number.decimal", {{"n", std::to_string(q.decimals)}});
  auto add = [&](const std::string& w) { words += (words.empty() ? "" : " ") + w; };
  if (q.min_value && q.max_value)
    add(v.tr("q.number.range", {{"min", lo}, {"max", hi}}));
  else if (q.min_value)
    add(v.tr("q.number.min", {{"min", lo}}));
  else if (q.max_value)
    add(v.tr("q.number.max", {{"max", hi}}));
  return words;
}

// A date's part being edited: its day, month or year.
std::string& date_part_of(DateParts& parts, TextTarget t);
std::string date_part(DateParts parts, TextTarget t);
// How many characters the box being typed in holds.
int edit_limit(const Question& q, TextTarget t);

// Back to the keyboard from help or settings opened over it, if its
// question is still the one on screen.
void reopen_keyboard(AppState& s);

// Saves the draft into the session; closes the keyboard if asked and the
// answer was accepted (a refused answer keeps it open with the message).
void commit_keyboard(AppState& s, bool close);

}  // namespace kiosk::ui
