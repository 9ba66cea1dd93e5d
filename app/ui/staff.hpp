// Staff sign-in: the PIN (checked off the frame thread) and assisted mode,
// where a member of staff helps a visitor and how is recorded.
#pragma once

#include "app_state.hpp"

namespace kiosk::ui {

void on(AppState& s, const intent::OpenPin&);
void on(AppState& s, const intent::PinDigit& in);
void on(AppState& s, const intent::PinDelete&);
void on(AppState& s, const intent::PinSubmit&);
void on(AppState& s, const intent::ToggleAssistance& in);
void on(AppState& s, const intent::AssistedStart&);
void on(AppState& s, const intent::AssistedSpeechAndLargeText&);
void on(AppState& s, const intent::EndAssisted&);

// Takes a finished PIN check, and clears the lock-out message when it ends.
void poll_pin(AppState& s);

}  // namespace kiosk::ui
