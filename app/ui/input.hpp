// Input: SDL events translated into what the kiosk understands. A finger or
// the left mouse button becomes pointer transitions for ImGui; keys move the
// focus, activate the focused control or become intents; typed text goes to
// the open keyboard. Any input resets the idle timer and interrupts speech.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "app_state.hpp"

union SDL_Event;

namespace kiosk::ui {

struct Input {
  struct Pointer {
    float x, y;
    bool down;
  };
  // Pointer transitions, applied one per frame so a quick tap is seen as a
  // press and a release.
  std::vector<Pointer> queue;
  Pointer pointer{-1, -1, false};
  float wheel = 0;
  float scroll_by = 0;      // Page Up/Down: screens of content to scroll
  std::string activate_id;  // the focused control Enter or Space activates in the next frame
  bool fullscreen = true;   // in full screen, closing the window does not quit

  // Touch and hold anywhere for hold_time turns speech on (A13): a visitor who
  // cannot see finds the screen, not a button.
  static constexpr std::chrono::milliseconds hold_time{2000};
  bool holding = false;
  bool hold_fired = false;  // the hold turned speech on: the finger's release taps nothing
  std::chrono::steady_clock::time_point hold_since{};
  float hold_x = 0, hold_y = 0;

  std::uint32_t speech_done_event = 0;  // the SDL event type the speech thread posts at an utterance's end
  std::uint32_t stop_event = 0;         // the SDL event type that stops the kiosk (AppOptions::stop_event)
  int stop_signal = 0;                  // the signal that asked the kiosk to stop
  bool audio_hotplug = false;
  bool swallow_release = false;  // the touch that woke a sleeping screen presses nothing           // devices present
                                 // at start-up have been seen: a new one is news
};

// Called each turn of the loop: a hold that has lasted hold_time turns speech on.
void check_hold(AppState& s, Input& in);

// Handles one event. w, h: the renderer's output size (fingers arrive as 0..1).
void handle_event(AppState& s, Input& in, const SDL_Event& e, int w, int h);
// Gives ImGui the next pointer transition and the wheel, for the frame about to be drawn.
void feed_pointer(AppState& s, Input& in);

}  // namespace kiosk::ui
