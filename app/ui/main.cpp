// kiosk: the touchscreen app. A shell: set up, loop, tear down.
//   kiosk [--config FILE] [--windowed WxH] [--report-startup]
#include <SDL.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app.hpp"

int main(int argc, char** argv) {
  const auto process_start = std::chrono::steady_clock::now();
  std::string config = std::getenv("KIOSK_CONFIG") ? std::getenv("KIOSK_CONFIG") : "kiosk-config/kiosk.toml";
  kiosk::ui::AppOptions opt;
  opt.process_start = process_start;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config = argv[++i];
    } else if (a == "--windowed" && i + 1 < argc) {
      opt.fullscreen = false;
      if (std::sscanf(argv[++i], "%dx%d", &opt.width, &opt.height) != 2 || opt.width < 320 || opt.height < 240) {
        std::fprintf(stderr, "kiosk: --windowed takes a size such as 1280x800\n");
        return 2;
      }
    } else if (a == "--report-startup") {
      opt.announce_timing = true;
    } else if (a == "-h" || a == "--help") {
      std::printf("usage: kiosk [--config FILE] [--windowed WxH] [--report-startup]\n");
      return 0;
    } else {
      std::fprintf(stderr, "kiosk: unknown option %s (try --help)\n", a.c_str());
      return 2;
    }
  }
  auto cfg = kiosk::load_config(config);
  if (!cfg) {
    std::fprintf(stderr, "kiosk: %s\n", cfg.message().c_str());
    return 1;
  }
  opt.config = std::move(cfg).value();
  // A kiosk never dims or locks its own screen; the OS power settings decide.
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
    std::fprintf(stderr, "kiosk: cannot start SDL: %s\n", SDL_GetError());
    return 1;
  }
  int rc = 0;
  {
    auto app = kiosk::ui::KioskApp::create(std::move(opt));
    if (!app) {
      std::fprintf(stderr, "kiosk: %s\n", app.message().c_str());
      rc = 1;
    } else {
      rc = (*app)->run();
    }
  }
  SDL_Quit();
  return rc;
}
