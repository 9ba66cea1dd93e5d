// HeadlessKiosk: the real kiosk app, headless (SDL's offscreen video driver,
// dummy audio), on a fake clock, with speech recorded instead of played, and
// fingers and keys sent as SDL events so they go through the app's own input
// handling. The UI tests (tests/ui_harness.hpp) and the screenshot tool
// (tools/kiosk_screens.cpp) both drive the kiosk with it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/config.hpp"
#include "kiosk/result.hpp"
#include "speech.hpp"

namespace kiosk::rig {

// Once per process: SDL on its offscreen video driver and dummy audio driver
// (unless the environment names others), touch not doubled as mouse events.
Status init_sdl_headless();

class HeadlessKiosk {
 public:
  FakeClock clock;
  ui::RecordingSpeech speech;
  std::unique_ptr<ui::KioskApp> app;

  // Starts the kiosk on `config` in a w x h window, with this rig's clock and
  // no sync thread (unless `sync`, for a configuration that names a real
  // hub), speaking into `speech` (recorded) or into `engine` if given.
  Status start(KioskConfig config, int w, int h, ui::Speech* engine = nullptr);
  bool sync = false;
  // Every frame drawn into the window (a benchmark of frame time), or, by
  // default, only those shot() asks for: the tests read the accessibility
  // tree, and a screenshot draws the state it shows.
  bool rasterize = false;

  // Runs the loop until what the last input asked for is on screen.
  void settle(int passes = 20);
  // Blocks until the loop is woken (a background job posts an event when its
  // result is ready), at most 100 ms, then settles.
  void wait_for_background();

  // A finger at window coordinates (SDL_FINGERDOWN, SDL_FINGERMOTION or SDL_FINGERUP).
  void finger(float x, float y, std::uint32_t type);
  // Drags the content, as a finger would, until item `id` is in view; false if it never comes.
  bool bring_into_view(const std::string& id);
  // Taps the middle of item `id` (where the app's accessibility tree says it is drawn).
  bool tap_id(const std::string& id);
  void key(int keycode, std::uint16_t mod = 0);
  // Draws the current state and writes it as a PNG.
  bool shot(const std::string& png_path);
};

}  // namespace kiosk::rig
