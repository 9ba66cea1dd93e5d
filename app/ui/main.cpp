// kiosk: the touchscreen app. A shell: set up, loop, tear down.
//   kiosk [--config FILE] [--windowed WxH] [--report-startup] [--a11y-dump FILE]
#include <SDL.h>
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <thread>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "app.hpp"
#include "kiosk/log.hpp"
#include "openrosa_client.hpp"
#include "out_of_order.hpp"
#include "preview.hpp"
#include "sync_client.hpp"

namespace {

struct Args {
  std::string config;                   // empty: found by find_config_file
  std::optional<std::string> windowed;  // "1280x800"
  bool report_startup = false;
  std::string a11y_dump;
  std::string preview, out;  // --preview SURVEY --out DIR
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
  cli.add_option("--preview", args.preview,
                 "write a PNG of every question screen of SURVEY at 100% and 200% text, in each of its languages, "
                 "and what speech reads on each, to --out DIR (no window, nothing stored); then exit")
      ->type_name("SURVEY");
  cli.add_option("--out", args.out, "the folder for --preview")->type_name("DIR");
  cli.set_version_flag("--version", KIOSK_VERSION);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
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
// thread before any starts, and waited for by one thread that posts an SDL
// event of the kiosk's own type (the signal in user.code): the loop showing,
// the kiosk or the out-of-order screen, ends cleanly on it.
class StopSignals {
 public:
  static void block() {
    sigset_t s = set();
    pthread_sigmask(SIG_BLOCK, &s, nullptr);
  }
  explicit StopSignals(Uint32 event_type) : thread_([this, event_type] { wait(event_type); }) {}
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
  void wait(Uint32 event_type) {
    const sigset_t s = set();
    for (;;) {
      int sig = 0;
      if (sigwait(&s, &sig) != 0) continue;
      if (closing_) return;
      SDL_Event e{};
      e.type = event_type;
      e.user.code = sig;
      SDL_PushEvent(&e);
    }
  }
  std::atomic<bool> closing_{false};
  std::thread thread_;
};

// --preview: the kiosk's configuration if there is one (its catalogues,
// keyboards, deployment words), else the survey's folder alone.
int preview(const Args& args) {
  if (args.out.empty()) {
    std::fprintf(stderr, "kiosk: --preview needs --out DIR\n");
    return 2;
  }
  kiosk::ui::PreviewOptions p;
  p.survey_path = args.preview;
  p.out_dir = args.out;
  const std::string config_path = kiosk::find_config_file(args.config);
  if (auto cfg = kiosk::load_config(config_path); cfg) {
    p.base = std::move(cfg).value();
  } else if (!args.config.empty()) {
    std::fprintf(stderr, "kiosk: %s\n", cfg.message().c_str());
    return 1;
  } else {
    p.base.kiosk_id = "preview";
    p.base.kiosk_name = "Preview";
    p.base.service_point = "preview";
    kiosk::ServicePoint sp;
    sp.id = "preview";
    sp.name = "Preview";
    p.base.service_points = {sp};
  }
  p.base.sync = {};
  if (args.windowed) parse_size(*args.windowed, &p.width, &p.height);
  return kiosk::ui::run_preview(p);
}

}  // namespace

int main(int argc, char** argv) {
  const auto process_start = std::chrono::steady_clock::now();
  Args args;
  if (auto rc = parse_args(argc, argv, args)) return *rc;
  if (!args.preview.empty()) return preview(args);

  kiosk::ui::AppOptions opt;
  opt.process_start = process_start;
  opt.announce_timing = args.report_startup;
  opt.a11y_dump = args.a11y_dump;
  if (args.windowed) {
    opt.fullscreen = false;
    parse_size(*args.windowed, &opt.width, &opt.height);
  }
  StopSignals::block();
  // A kiosk never dims or locks its own screen; the OS power settings decide.
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SdlSession sdl;
  if (!sdl.started) {
    kiosk::log::error(std::string("cannot start: SDL: ") + SDL_GetError());
    return 1;
  }
  opt.stop_event = SDL_RegisterEvents(1);
  if (opt.stop_event == static_cast<Uint32>(-1)) {
    kiosk::log::error(std::string("cannot start: SDL: no event type left: ") + SDL_GetError());
    return 1;
  }
  StopSignals signals(opt.stop_event);

  // Whatever stops the survey from starting, the screen is never dead: the
  // out-of-order screen shows until the cause is fixed, then the kiosk starts.
  const std::string config_path = kiosk::find_config_file(args.config);
  std::unique_ptr<kiosk::ui::Host> notice;  // the out-of-order screen's window, while it shows
  std::string logged;                       // the reason last logged: each new one is logged once
  std::string pull_logged;                  // likewise, why the council's key could not be fetched
  for (bool first = true;; first = false) {
    kiosk::ui::OutOfOrderOptions ooo;
    ooo.stop_event = opt.stop_event;
    ooo.watch = {config_path};
    kiosk::Status why;
    std::string pull_failed;  // why the council's key could not be fetched from the hub, this try
    if (auto cfg = kiosk::load_config(config_path); !cfg) {
      why = cfg.error();
    } else {
      kiosk::log::set_identity("kiosk", cfg->kiosk_id);
      opt.config = std::move(cfg).value();
      const auto& c = opt.config;
      ooo.watch.insert(ooo.watch.end(),
                       {c.survey_path, c.database_path, c.pages_dir, c.seal_public_key_file, c.sync.form_file});
      // The demonstration admin PIN is public: it opens nothing, not even the reason.
      ooo.admin_pin_hash = c.demo_pins && !kiosk::demo_pins_allowed() ? std::string() : c.admin_pin_hash;
      ooo.pin_attempts = c.pin_attempts;
      ooo.pin_lockout = std::chrono::seconds(c.pin_lockout_seconds);
      if (auto words = kiosk::Catalogue::load(c.locales_dir)) {
        ooo.catalogue = std::move(words).value();
        ooo.locale = c.default_locale;
      }
      ooo.deployment = c.deployment;
      if (!c.locales_dir.empty()) ooo.watch.push_back(c.locales_dir + "/en.toml");
      // Enrolled with a hub, but without the council's public key (enrolled
      // by hand, or before the hub had a key): asked of the hub on every
      // try, so the kiosk starts by itself once the hub has one.
      if (!c.sync.hub_url.empty() && !kiosk::load_seal_public_key(c)) {
        auto pulled = kiosk::sync::pull_sealing_key(kiosk::sync::settings_from(c));
        if (pulled) {
          kiosk::log::notice("the council's public key came from the hub at " + c.sync.hub_url + ": written to " +
                             c.seal_public_key_file);
          pull_logged.clear();
        } else {
          pull_failed = pulled.message();
          if (pull_failed != pull_logged)
            kiosk::log::warning("the council's public key could not be fetched: " + pull_failed);
          pull_logged = pull_failed;
        }
      }
      // Enrolled with an OpenRosa server, but its form is not here yet (or
      // was lost): asked of the server on every try, as the key of our hub is.
      if (c.sync.openrosa() && !std::filesystem::exists(c.sync.form_file)) {
        kiosk::sync::OpenRosaClient client(kiosk::sync::openrosa_settings(kiosk::sync::settings_from(c)));
        auto pulled = kiosk::sync::pull_openrosa_form(client, c.sync.form_file);
        if (pulled) {
          kiosk::log::notice("the form came from the OpenRosa server at " +
                             kiosk::sync::redacted_url(c.sync.server_url) + ": written to " + c.sync.form_file);
          pull_logged.clear();
        } else {
          pull_failed = pulled.message();
          if (pull_failed != pull_logged) kiosk::log::warning("the form could not be fetched: " + pull_failed);
          pull_logged = pull_failed;
        }
      }
      // The first time the kiosk itself loads all; a retry checks without a
      // window first, so the notice stays steady while the cause remains.
      why = first ? kiosk::Status{} : kiosk::ui::KioskApp::check(opt.config);
      if (why) {
        notice.reset();
        if (!first) kiosk::log::notice("the cause is fixed: starting the survey");
        auto app = kiosk::ui::KioskApp::create(opt);
        if (app) return (*app)->run();
        why = app.error();
      }
    }
    if (why.message() != logged) {
      kiosk::log::error("cannot start: " + why.message() + "; showing the out-of-order screen");
      logged = why.message();
    }
    ooo.reason = why.message();
    if (!pull_failed.empty())
      ooo.reason += std::string("; asking the ") + (opt.config.sync.openrosa() ? "server" : "hub") +
                    " for it every minute: " + pull_failed;
    if (!notice) {
      notice = std::make_unique<kiosk::ui::Host>();
      if (auto st = notice->open({"Library kiosk", opt.fullscreen, opt.width, opt.height}); !st) {
        kiosk::log::error("cannot show the out-of-order screen: " + st.message());
        return 1;
      }
    }
    if (kiosk::ui::show_out_of_order(*notice, ooo) == kiosk::ui::OutOfOrderEnd::Stop) {
      kiosk::log::notice("stopping while out of order");
      return 0;
    }
  }
}
