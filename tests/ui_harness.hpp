// Drives the real kiosk app headless (SDL's offscreen video driver, dummy
// audio) with a fake clock and a recording speech sink. Taps land where the
// app's own accessibility tree says a control is drawn.
#pragma once

#include <SDL.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "app.hpp"
#include "kiosk/crypto.hpp"
#include "support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace test {

inline void init_sdl_headless() {
  static bool done = [] {
#if defined(__SANITIZE_ADDRESS__)
    // LeakSanitizer cannot attribute what system libraries loaded and unloaded
    // at run time by SDL allocate ("unknown module"), so the UI tests keep
    // AddressSanitizer and UBSan but not leak checks. Core and sync tests keep them.
    __lsan_disable();
#endif
    setenv("SDL_VIDEODRIVER", "offscreen", 1);
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    REQUIRE(SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) == 0);
    return true;
  }();
  (void)done;
}

struct UiRig {
  TempDir tmp;
  kiosk::FakeClock clock;
  kiosk::ui::RecordingSpeech speech;
  std::unique_ptr<kiosk::ui::KioskApp> app;

  explicit UiRig(int w = 1280, int h = 800, const std::string& extra_toml = "",
                 const std::string& survey = bury_survey()) {
    init_sdl_headless();
    const std::string cfg = tmp.file("kiosk.toml");
    std::ofstream(cfg) << "[kiosk]\nid = \"test-kiosk\"\nname = \"Test kiosk\"\nservice_point = \"castle\"\n"
                       << "survey = \"" << survey << "\"\n"
                       << "database = \"" << tmp.file("kiosk.db") << "\"\n"
                       << "pages = \"" << source_path("kiosk-config/pages") << "\"\n"
                       << "service_points = \"" << source_path("kiosk-config/service-points.toml") << "\"\n"
                       << read_file(source_path("tests/ui-staff.toml")) << extra_toml;
    auto c = kiosk::load_config(cfg);
    INFO((c.ok() ? std::string() : c.message()));
    REQUIRE(c.ok());
    kiosk::ui::AppOptions o;
    o.config = std::move(c).value();
    o.fullscreen = false;
    o.width = w;
    o.height = h;
    o.clock = &clock;
    o.speech = &speech;
    o.start_sync = false;
    auto a = kiosk::ui::KioskApp::create(std::move(o));
    INFO((a.ok() ? std::string() : a.message()));
    REQUIRE(a.ok());
    app = std::move(a).value();
    settle();
  }

  void settle() {
    for (int i = 0; i < 20; ++i) app->step(0);
  }

  // Blocks until the app's loop is woken (a background job posts an event
  // when its result is ready), at most 100 ms, then settles.
  void wait_for_background() {
    app->step(100);
    settle();
  }

  const kiosk::ui::A11yItem* find(const std::string& label) const { return app->tree().find_label(label); }
  const kiosk::ui::A11yItem* find_id(const std::string& id) const { return app->tree().find(id); }

  void finger(float x, float y, Uint32 type) {
    int w = 0, h = 0;
    SDL_GetWindowSize(app->window(), &w, &h);
    SDL_Event e{};
    e.type = type;
    e.tfinger.x = x / static_cast<float>(w);
    e.tfinger.y = y / static_cast<float>(h);
    e.tfinger.fingerId = 1;
    SDL_PushEvent(&e);
  }

  // Drags the content so `item` comes into view, as a finger would.
  void bring_into_view(const std::string& id) {
    for (int tries = 0; tries < 30; ++tries) {
      const auto* it = find_id(id);
      REQUIRE(it != nullptr);
      const auto& r = it->rect;
      const auto& c = it->clip;
      if (r.y >= c.y && r.y + r.h <= c.y + c.h) return;
      const float cx = c.x + c.w * 0.5f;
      const float from = c.y + c.h * 0.5f;
      const float delta = std::clamp((r.y + r.h * 0.5f) - from, -c.h * 0.4f, c.h * 0.4f);
      finger(cx, from, SDL_FINGERDOWN);
      for (int k = 1; k <= 6; ++k) finger(cx, from - delta * static_cast<float>(k) / 6.0f, SDL_FINGERMOTION);
      finger(cx, from - delta, SDL_FINGERUP);
      settle();
    }
    FAIL("could not scroll " << id << " into view");
  }

  void tap_id(const std::string& id) {
    bring_into_view(id);
    const auto* it = find_id(id);
    REQUIRE(it != nullptr);
    const float x = it->rect.x + it->rect.w * 0.5f, y = it->rect.y + it->rect.h * 0.5f;
    finger(x, y, SDL_FINGERDOWN);
    finger(x, y, SDL_FINGERUP);
    settle();
  }

  void tap(const std::string& label) {
    const auto* it = find(label);
    INFO("no control labelled \"" << label << "\" on screen");
    REQUIRE(it != nullptr);
    tap_id(it->id);
  }

  void key(SDL_Keycode k, Uint16 mod = 0) {
    SDL_Event e{};
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    e.key.keysym.mod = mod;
    SDL_PushEvent(&e);
    settle();
  }

  // Keys alone: arrows until the control is focused, then Enter.
  void choose_by_keys(const std::string& id) {
    for (int i = 0; i < 200 && app->ui().focus != id; ++i) key(SDLK_DOWN);
    REQUIRE(app->ui().focus == id);
    key(SDLK_RETURN);
  }

  void advance(int seconds) {
    clock.advance(std::chrono::seconds(seconds));
    settle();
  }
};

}  // namespace test
