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
void on(AppState& s, const intent::OpenInfo& in);
void on(AppState& s, const intent::ExtendTime&);
void on(AppState& s, const intent::SetLocale& in);

// Ends any session and clears everything of the last visitor.
void go_home(AppState& s);
// Ends the session as abandoned (a timeout, say), then goes home.
void end_session(AppState& s, const std::string& reason);
// The idle warning and the thank-you screen's return home.
void update_visit_timers(AppState& s);

}  // namespace kiosk::ui
