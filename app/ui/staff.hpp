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

// Clears the lock-out message when the lock-out ends.
void update_pin_lock(AppState& s);

}  // namespace kiosk::ui
