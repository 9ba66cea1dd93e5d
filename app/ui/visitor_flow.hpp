// The visitor's way through the kiosk: start, the questions, back, review,
// edit, submit, home, and the information pages.
#pragma once

#include "app_state.hpp"

namespace kiosk::ui {

void on(AppState& s, const intent::StartSurvey&);
void on(AppState& s, const intent::ShowPrivacy&);
void on(AppState& s, const intent::BeginQuestions&);
void on(AppState& s, const intent::Choose& in);
void on(AppState& s, const intent::Toggle& in);
void on(AppState& s, const intent::Next&);
void on(AppState& s, const intent::Back&);
void on(AppState& s, const intent::Review&);
void on(AppState& s, const intent::Edit& in);
void on(AppState& s, const intent::Submit&);
void on(AppState& s, const intent::Home&);
void on(AppState& s, const intent::FinishVisit&);
void on(AppState& s, const intent::OpenInfo& in);
void on(AppState& s, const intent::ExtendTime&);
void on(AppState& s, const intent::SetLocale& in);

// Back to the start screen. Any unfinished survey is abandoned, but the
// visit goes on: the visitor's text size, contrast, letters, speech and
// language stay until the visit ends (A16).
void go_home(AppState& s);
// Ends the visit: abandons any session (for `reason`), goes home, speaks
// `closing` in the visitor's own settings, and resets those settings once the
// closing words have been heard (or at once when nothing is being said).
void end_visit(AppState& s, const std::string& closing, const std::string& reason);
// Ends the session as abandoned (a timeout, say), then ends the visit.
void end_session(AppState& s, const std::string& reason);
// A visit is in progress while a survey is open or the settings differ from
// the defaults: the idle timeout then runs on every screen, home included.
bool visit_in_progress(const AppState& s);
// The idle warning, the thank-you screen's end, and a pending reset.
void update_visit_timers(AppState& s);
// An utterance was heard to its end: the idle time counts from now.
void on_speech_finished(AppState& s);

}  // namespace kiosk::ui
