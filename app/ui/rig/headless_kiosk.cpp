#include "headless_kiosk.hpp"

#include <SDL.h>

#include <algorithm>
#include <cstdlib>

namespace kiosk::rig {

Status init_sdl_headless() {
  if (SDL_WasInit(SDL_INIT_VIDEO)) return {};
  setenv("SDL_VIDEODRIVER", "offscreen", 0);
  setenv("SDL_AUDIODRIVER", "dummy", 0);
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0)
    return make_error(ErrorKind::Internal, std::string("SDL could not start headless: ") + SDL_GetError());
  return {};
}

Status HeadlessKiosk::start(KioskConfig config, int w, int h, ui::Speech* engine) {
  if (auto st = init_sdl_headless(); !st) return st;
  ui::AppOptions o;
  o.config = std::move(config);
  o.fullscreen = false;
  o.width = w;
  o.height = h;
  o.clock = &clock;
  o.speech = engine ? engine : &speech;
  o.start_sync = sync;
  o.rasterize = rasterize;
  auto a = ui::KioskApp::create(std::move(o));
  if (!a) return a.error();
  app = std::move(a).value();
  settle();
  return {};
}

void HeadlessKiosk::settle(int passes) {
  for (int i = 0; i < passes; ++i) app->step(0);
}

void HeadlessKiosk::wait_for_background() {
  app->step(100);
  settle();
}

void HeadlessKiosk::finger(float x, float y, std::uint32_t type) {
  int w = 0, h = 0;
  SDL_GetWindowSize(app->window(), &w, &h);
  SDL_Event e{};
  e.type = type;
  e.tfinger.x = x / static_cast<float>(w);
  e.tfinger.y = y / static_cast<float>(h);
  e.tfinger.fingerId = 1;
  SDL_PushEvent(&e);
}

bool HeadlessKiosk::bring_into_view(const std::string& id) {
  for (int tries = 0; tries < 30; ++tries) {
    const auto* it = app->tree().find(id);
    if (!it) return false;
    const auto& r = it->rect;
    const auto& c = it->clip;
    if (r.y >= c.y && r.y + r.h <= c.y + c.h) return true;
    // A finger drags where the answers are, low in the area (its top may be
    // a question's own scrolling text), up to bring later items into view.
    const float cx = c.x + c.w * 0.5f;
    const bool below = r.y + r.h > c.y + c.h;
    const float from = c.y + c.h * (below ? 0.8f : 0.45f);
    const float delta = std::clamp((r.y + r.h * 0.5f) - (c.y + c.h * 0.5f), -c.h * 0.4f, c.h * 0.4f);
    finger(cx, from, SDL_FINGERDOWN);
    for (int k = 1; k <= 6; ++k) finger(cx, from - delta * static_cast<float>(k) / 6.0f, SDL_FINGERMOTION);
    finger(cx, from - delta, SDL_FINGERUP);
    settle();
  }
  return false;
}

bool HeadlessKiosk::tap_id(const std::string& id) {
  if (!bring_into_view(id)) return false;
  const auto* it = app->tree().find(id);
  if (!it) return false;
  const float x = it->rect.x + it->rect.w * 0.5f, y = it->rect.y + it->rect.h * 0.5f;
  finger(x, y, SDL_FINGERDOWN);
  finger(x, y, SDL_FINGERUP);
  settle();
  return true;
}

void HeadlessKiosk::key(int keycode, std::uint16_t mod) {
  SDL_Event e{};
  e.type = SDL_KEYDOWN;
  e.key.keysym.sym = keycode;
  e.key.keysym.mod = mod;
  SDL_PushEvent(&e);
  settle();
}

bool HeadlessKiosk::shot(const std::string& png_path) {
  settle();
  app->draw_now();
  return app->screenshot(png_path);
}

}  // namespace kiosk::rig
