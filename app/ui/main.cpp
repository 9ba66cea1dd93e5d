// kiosk: the touchscreen app. A shell: set up, loop, tear down.
//   kiosk [--config FILE] [--windowed WxH] [--report-startup] [--a11y-dump FILE]
#include <SDL.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "app.hpp"

namespace {

struct Args {
  std::string config;                   // empty: found by find_config_file
  std::optional<std::string> windowed;  // "1280x800"
  bool report_startup = false;
  std::string a11y_dump;
};

bool parse_size(const std::string& text, int* w, int* h) {
  char tail = 0;
  return std::sscanf(text.c_str(), "%dx%d%c", w, h, &tail) == 2 && *w >= 320 && *h >= 240;
}

// Returns the exit code when the program should stop here: 0 after --help,
// 2 for a usage error (named on stderr).
std::optional<int> parse_args(int argc, char** argv, Args& args) {
  CLI::App cli{"kiosk: the library survey touchscreen app", "kiosk"};
  cli.add_option("--config", args.config,
                 "the kiosk's kiosk.toml (default: $KIOSK_CONFIG, else ./kiosk-config/kiosk.toml, else the "
                 "installed one)")
      ->type_name("FILE");
  cli.add_option("--windowed", args.windowed, "run in a window of this size instead of full screen, e.g. 1280x800")
      ->type_name("WxH")
      ->check([](const std::string& s) {
        int w = 0, h = 0;
        return parse_size(s, &w, &h) ? std::string() : "a size such as 1280x800 is needed, not '" + s + "'";
      });
  cli.add_flag("--report-startup", args.report_startup, "print how long each start-up phase and the first frame took");
  cli.add_option("--a11y-dump", args.a11y_dump,
                 "write each new screen's accessibility tree and every utterance spoken to FILE, as JSON lines "
                 "(for checking the kiosk from outside: scripts/visitor_check.sh)")
      ->type_name("FILE");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "kiosk: %s (try --help)\n", e.what());
    return 2;
  }
  return std::nullopt;
}

// SDL for the life of main(); quits only if it started.
struct SdlSession {
  bool started = SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) == 0;
  ~SdlSession() {
    if (started) SDL_Quit();
  }
};

}  // namespace

int main(int argc, char** argv) {
  const auto process_start = std::chrono::steady_clock::now();
  Args args;
  if (auto rc = parse_args(argc, argv, args)) return *rc;

  kiosk::ui::AppOptions opt;
  opt.process_start = process_start;
  opt.announce_timing = args.report_startup;
  opt.a11y_dump = args.a11y_dump;
  if (args.windowed) {
    opt.fullscreen = false;
    parse_size(*args.windowed, &opt.width, &opt.height);
  }
  auto cfg = kiosk::load_config(kiosk::find_config_file(args.config));
  if (!cfg) {
    std::fprintf(stderr, "kiosk: %s\n", cfg.message().c_str());
    return 1;
  }
  opt.config = std::move(cfg).value();

  // A kiosk never dims or locks its own screen; the OS power settings decide.
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  SdlSession sdl;
  if (!sdl.started) {
    std::fprintf(stderr, "kiosk: SDL: cannot start: %s\n", SDL_GetError());
    return 1;
  }
  auto app = kiosk::ui::KioskApp::create(std::move(opt));
  if (!app) {
    std::fprintf(stderr, "kiosk: %s\n", app.message().c_str());
    return 1;
  }
  return (*app)->run();
}
