// kiosk: the touchscreen app. A shell: set up, loop, tear down.
//   kiosk [--config FILE] [--windowed WxH] [--report-startup]
#include <SDL.h>
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <thread>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "app.hpp"
#include "kiosk/log.hpp"

namespace {

struct Args {
  std::string config;                   // empty: found by find_config_file
  std::optional<std::string> windowed;  // "1280x800"
  bool report_startup = false;
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

// SIGTERM (`systemctl stop`) and SIGINT end the kiosk cleanly. SDL's own
// handlers would turn them into SDL_QUIT, which full screen ignores (no key
// lets a visitor quit), so they are taken here instead: blocked in every
// thread before any starts, and waited for by one thread that asks the app
// to stop through its event queue.
class StopSignals {
 public:
  static void block() {
    sigset_t s = set();
    pthread_sigmask(SIG_BLOCK, &s, nullptr);
  }
  explicit StopSignals(kiosk::ui::KioskApp& app) : thread_([this, &app] { wait(app); }) {}
  ~StopSignals() {
    closing_ = true;
    pthread_kill(thread_.native_handle(), SIGTERM);  // wakes sigwait below
    thread_.join();
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  static sigset_t set() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGINT);
    return s;
  }
  void wait(kiosk::ui::KioskApp& app) {
    const sigset_t s = set();
    for (;;) {
      int sig = 0;
      if (sigwait(&s, &sig) != 0) continue;
      if (closing_) return;
      app.request_stop(sig);
    }
  }
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  const auto process_start = std::chrono::steady_clock::now();
  Args args;
  if (auto rc = parse_args(argc, argv, args)) return *rc;

  kiosk::ui::AppOptions opt;
  opt.process_start = process_start;
  opt.announce_timing = args.report_startup;
  if (args.windowed) {
    opt.fullscreen = false;
    parse_size(*args.windowed, &opt.width, &opt.height);
  }
  StopSignals::block();
  auto cfg = kiosk::load_config(kiosk::find_config_file(args.config));
  if (!cfg) {
    kiosk::log::error("cannot start: " + cfg.message());
    return 1;
  }
  kiosk::log::set_identity("kiosk", cfg->kiosk_id);
  opt.config = std::move(cfg).value();

  // A kiosk never dims or locks its own screen; the OS power settings decide.
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SdlSession sdl;
  if (!sdl.started) {
    kiosk::log::error(std::string("cannot start: SDL: ") + SDL_GetError());
    return 1;
  }
  auto app = kiosk::ui::KioskApp::create(std::move(opt));
  if (!app) {
    kiosk::log::error("cannot start: " + app.message());
    return 1;
  }
  StopSignals signals(**app);
  return (*app)->run();
}
