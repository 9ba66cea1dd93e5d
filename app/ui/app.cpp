// KioskApp.
//
// Sections: 1. creation and teardown  2. the loop and timers  3. drawing.
// Elsewhere: SDL events in input, the header/footer/panels in chrome, the
// screens in screen_*, and what intents do in visitor_flow, text_entry,
// visitor_settings, staff and admin.
#include "app.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "admin.hpp"
#include "chrome.hpp"
#include "input.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/log.hpp"
#include "openrosa_client.hpp"
#include "staff.hpp"
#include "startup_files.hpp"
#include "submission_sealer.hpp"
#include "visitor_flow.hpp"
#include "visitor_settings.hpp"

namespace kiosk::ui {
using namespace std::chrono;

// ---- 1. Creation and teardown -------------------------------------------------

namespace {

std::string signal_name(int sig) {
  switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "signal " + std::to_string(sig);
  }
}

}  // namespace

namespace {

// The form from the OpenRosa server and the sealer for its key, or why not.
Result<std::shared_ptr<const openrosa::SubmissionSealer>> openrosa_sealer(const KioskConfig& cfg) {
  auto form = openrosa::load_form_file(cfg.sync.form_file);
  if (!form) return form.error();
  auto sealer = openrosa::SubmissionSealer::make(*form);
  if (!sealer) return make_error(ErrorKind::Config, cfg.sync.form_file + ": " + sealer.message());
  return sealer;
}

}  // namespace

// A kiosk without a usable public key cannot save an answer (only sealed
// answers are saved), so it does not start a survey: the out-of-order
// screen shows, naming the key file to staff.
Status KioskApp::check(const KioskConfig& cfg) {
  if (cfg.sync.openrosa()) {
    // Enrolled with an OpenRosa server: the survey is its form, and answers
    // are sealed to the form's RSA key; without an encrypted form, nothing.
    auto sealer = openrosa_sealer(cfg);
    if (!sealer) return sealer.error();
    if (auto st = ensure_parent_dir(cfg.database_path); !st) return about(cfg.database_path, st.error());
    if (auto store = Store::open(cfg.database_path, db::OpenMode::Create); !store)
      return about(cfg.database_path, store.error());
  } else {
    if (auto survey = load_survey_file(cfg.survey_path); !survey) return about(cfg.survey_path, survey.error());
    if (auto st = ensure_parent_dir(cfg.database_path); !st) return about(cfg.database_path, st.error());
    auto key = load_seal_public_key(cfg);
    if (!key) return about(cfg.seal_public_key_file, key.error());
    if (auto store = Store::open(cfg.database_path, db::OpenMode::Create, &*key); !store)
      return about(cfg.database_path, store.error());
  }
  if (auto pages = load_pages(cfg); !pages) return pages.error();
  if (auto cat = Catalogue::load(cfg.locales_dir); !cat) return cat.error();
  if (auto kb = Keyboards::load(keyboards_dir(cfg)); !kb) return kb.error();
  if (const ServicePoint* sp = cfg.find_service_point(cfg.service_point); sp && !sp->page.empty()) {
    if (auto p = load_local_page(resolve_path(sp->page, cfg.pages_dir)); !p) return p.error();
  }
  return {};
}

Result<std::unique_ptr<KioskApp>> KioskApp::create(AppOptions opt) {
  std::unique_ptr<KioskApp> app(new KioskApp());
  app->opt_ = std::move(opt);
  const KioskConfig& cfg = app->opt_.config;
  const Clock& clock = app->opt_.clock ? *app->opt_.clock : app->system_clock_;
  app->st_ = std::make_unique<AppState>(cfg, clock);
  app->input_.fullscreen = app->opt_.fullscreen;
  app->input_.stop_event = app->opt_.stop_event;
  app->started_ = clock.steady();
  if (auto st = crypto_init(); !st) return st.error();
  const bool trace = app->opt_.announce_timing;
  auto phase = [&, t = steady_clock::now()](const char* what) mutable {
    if (!trace) return;
    const auto n = steady_clock::now();
    std::printf("  startup: %-28s %6.1f ms\n", what, duration<double, std::milli>(n - t).count());
    t = n;
  };

  // The host starts rasterising fonts on another core while the survey and
  // database load; the window opens last.
  app->host_ = std::make_unique<Host>();

  if (cfg.sync.openrosa()) {
    auto sealer = openrosa_sealer(cfg);
    if (!sealer) return sealer.error();
    app->st_->survey = std::make_unique<Survey>((*sealer)->form().survey);
    if (auto st = ensure_parent_dir(cfg.database_path); !st) return about(cfg.database_path, st.error());
    auto store = Store::open(cfg.database_path, db::OpenMode::Create);
    if (!store) return about(cfg.database_path, store.error());
    app->st_->store = std::move(store).value();
    app->st_->store->set_sealer(*sealer);
  } else {
    auto survey = load_survey_file(cfg.survey_path);
    if (!survey) return about(cfg.survey_path, survey.error());
    app->st_->survey = std::make_unique<Survey>(std::move(survey).value());

    if (auto st = ensure_parent_dir(cfg.database_path); !st) return about(cfg.database_path, st.error());
    const std::string key_stamp = file_stamp(cfg.seal_public_key_file);
    auto key = load_seal_public_key(cfg);
    if (!key) return about(cfg.seal_public_key_file, key.error());
    app->seal_key_stamp_ = key_stamp;
    auto store = Store::open(cfg.database_path, db::OpenMode::Create, &*key);
    if (!store) return about(cfg.database_path, store.error());
    app->st_->store = std::move(store).value();
  }
  // A response left open by a crash or power cut is closed as abandoned.
  if (auto n = app->st_->store->close_unfinished(format_utc(clock.now())); !n)
    return about(cfg.database_path, n.error());
  phase("survey and database");
  // A survey pulled from the hub earlier, if valid with its translations, replaces the bundled one.
  if (auto s =
          cfg.sync.openrosa() ? Result<std::optional<Survey>>(std::nullopt) : sync::stored_hub_survey(*app->st_->store);
      s && *s)
    app->st_->survey = std::make_unique<Survey>(std::move(**s));

  auto pages = load_pages(cfg);
  if (!pages) return pages.error();
  app->st_->pages = std::move(pages).value();
  if (const ServicePoint* sp = cfg.find_service_point(cfg.service_point); sp && !sp->page.empty()) {
    auto p = load_local_page(resolve_path(sp->page, cfg.pages_dir));
    if (!p) return p.error();
    app->st_->service_point_page = std::move(p).value();
  }
  auto keyboards = Keyboards::load(keyboards_dir(cfg));
  if (!keyboards) return keyboards.error();
  app->st_->keyboards = std::move(keyboards).value();

  auto catalogue = Catalogue::load(cfg.locales_dir);
  if (!catalogue) return catalogue.error();
  app->st_->catalogue = std::move(catalogue).value();

  phase("information pages and catalogues");
  if (auto st = app->host_->open({cfg.kiosk_name, app->opt_.fullscreen, app->opt_.width, app->opt_.height}); !st)
    return st.error();
  phase("window, renderer and fonts");

  if (app->opt_.speech) {
    app->st_->speech = app->opt_.speech;
  } else {
    app->own_speech_ = std::make_unique<EspeakSpeech>();  // starts when first asked to speak
    app->st_->speech = app->own_speech_.get();
  }
  if (!app->opt_.a11y_dump.empty()) {
    app->dump_ = std::make_unique<A11yDump>();
    if (!app->dump_->open(app->opt_.a11y_dump))
      return make_error(ErrorKind::Config, app->opt_.a11y_dump + ": cannot write the accessibility dump");
    app->dumped_speech_ = std::make_unique<DumpedSpeech>(*app->st_->speech, *app->dump_);
    app->st_->speech = app->dumped_speech_.get();
  }
  app->st_->fonts = &app->host_->fonts();
  // The worker wakes the loop with an SDL event of the kiosk's own type.
  const Uint32 wake_type = SDL_RegisterEvents(2);
  app->jobs_ = std::make_unique<JobQueue>(
      [type = wake_type == static_cast<Uint32>(-1) ? static_cast<Uint32>(SDL_USEREVENT) : wake_type] {
        SDL_Event e{};
        e.type = type;
        SDL_PushEvent(&e);
      });
  app->st_->jobs = app->jobs_.get();
  if (wake_type != static_cast<Uint32>(-1)) {
    // The end of an utterance wakes the loop (the idle time starts then, and
    // a finished visit's settings reset); the callback runs on the speech thread.
    app->input_.speech_done_event = wake_type + 1;
    app->st_->speech->set_on_finished([type = wake_type + 1] {
      SDL_Event e{};
      e.type = type;
      SDL_PushEvent(&e);
    });
  }
  // Audio devices are watched from the start, so headphones plugged in turn
  // speech on (A13). SDL announces every device present at start-up as
  // "added"; those are dropped here, and only later arrivals count.
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) == 0) {
    app->own_audio_ = true;
    SDL_PumpEvents();
    SDL_FlushEvent(SDL_AUDIODEVICEADDED);
    app->input_.audio_hotplug = true;
  }
  reset_visitor_settings(*app->st_);

  if (app->opt_.start_sync && (!cfg.sync.hub_url.empty() || cfg.sync.openrosa())) {
    app->sync_ = std::make_unique<sync::SyncWorker>(sync::settings_from(cfg), cfg.database_path,
                                                    cfg.sync.interval_seconds, cfg.sync.heartbeat_seconds, &clock);
    app->sync_->start();
    app->st_->sync = app->sync_.get();
  }
  app->st_->ui.admin_folder = default_export_folder();
  app->st_->ui.last_input = app->now();
  log::notice("started: survey " + app->st_->survey->id + " version " + app->st_->survey->version + ", service point " +
              cfg.service_point + ", database " + cfg.database_path +
              (app->sync_ ? ", syncing to " + (cfg.sync.openrosa()
                                                   ? "the OpenRosa server " + sync::redacted_url(cfg.sync.server_url)
                                                   : cfg.sync.hub_url)
                          : ", no hub configured"));
  if (cfg.demo_pins && !demo_pins_allowed())
    log::warning("staff sign-in is off: " + cfg.config_path +
                 " still has the demonstration PIN hashes (PINs 1234 and 9999, printed in the README). Set your "
                 "own: kiosk-admin hash-pin, then put each hash in [[staff]] and [admin] pin_hash");
  return app;
}

// Between visits: a new key (rotation, or the hub's first) is used from the
// next visit on. A file that no longer parses leaves the key in use as it is
// (answers are never saved unsealed) and says so in the log once.
void KioskApp::reload_seal_key() {
  if (opt_.config.sync.openrosa()) return;  // sealed to the form's key, which comes with the form
  const std::string& path = opt_.config.seal_public_key_file;
  const std::string stamp = file_stamp(path);
  if (stamp == seal_key_stamp_) return;
  seal_key_stamp_ = stamp;
  auto key = load_seal_public_key(opt_.config);
  if (!key) {
    log::warning("sealing key not changed, still sealing to key " +
                 std::string(st_->store->seal_key() ? st_->store->seal_key()->id : "(none)") + ": " + key.message());
    return;
  }
  const SealPublicKey* now = st_->store->seal_key();
  if (now && now->id == key->id) return;
  st_->store->set_seal_key(*key);
  log::notice("sealing key changed: new responses are sealed to key " + key->id + " from " + path);
}

KioskApp::~KioskApp() {
  if (sync_) sync_->stop();
  if (!st_) return;
  jobs_.reset();  // finishes the work in hand and joins the worker before the state it reports to goes
  if (st_->session) (void)st_->session->abandon("the kiosk program was closed");
  own_speech_.reset();
  if (own_audio_) SDL_QuitSubSystem(SDL_INIT_AUDIO);
  host_.reset();  // the window, renderer and ImGui, each only if it was made
}

// ---- 2. The loop and timers ------------------------------------------------------

int KioskApp::run() {
  while (step(-1)) {
  }
  const std::string why = input_.stop_signal != 0 ? std::string("stopping on ") + signal_name(input_.stop_signal)
                                                  : std::string("stopping: quit from the admin area");
  supervisor_.stopping(why);
  log::notice(why + (st_->session ? "; the unfinished response is closed as abandoned" : ""));
  return 0;
}

// Every failed sync attempt, with its reason, and the first success after failures.
void KioskApp::log_sync_attempts() {
  if (!sync_) return;
  const auto st = sync_->status();
  if (st.last_attempt_utc == logged_attempt_) return;
  logged_attempt_ = st.last_attempt_utc;
  if (!st.last_error.empty())
    log::warning("sync failed: " + st.last_error + " (" + std::to_string(st.pending) + " responses waiting)");
  else if (sync_failing_)
    log::notice("sync works again: " + std::to_string(st.pending) + " responses waiting");
  sync_failing_ = !st.last_error.empty();
}

int KioskApp::next_timer_ms() const {
  std::optional<steady_clock::time_point> due;
  auto consider = [&](steady_clock::time_point t) { due = due ? std::min(*due, t) : t; };
  const auto& s = opt_.config.session;
  if (st_->reset_pending) consider(st_->reset_due);
  if (input_.holding) consider(input_.hold_since + Input::hold_time);
  const bool timed = st_->ui.screen != Screen::Home || visit_in_progress(*st_);
  const int warn = st_->ui.assisted ? s.assisted_idle_warning_seconds : s.idle_warning_seconds;
  if (st_->ui.panel == Panel::Idle) {
    // Tick each second so the countdown reads true, and end at zero.
    const auto elapsed = duration_cast<seconds>(now() - st_->ui.warning_since).count();
    consider(st_->ui.warning_since + seconds(elapsed + 1));
  } else if (timed && st_->ui.screen != Screen::Thanks && warn > 0) {
    consider(st_->ui.last_input + seconds(warn));
  }
  if (st_->ui.screen == Screen::Thanks) consider(st_->ui.thanks_since + seconds(s.thank_you_seconds));
  if (st_->ui.screen == Screen::Admin) consider(now() + seconds(1));  // live sync status
  if (st_->ui.screen == Screen::Pin && st_->pin_policy.locked()) consider(st_->pin_policy.locked_until());
  // The watchdog runs on the real clock (it watches the real loop), whatever clock the app is given.
  if (auto ping = supervisor_.next_ping()) consider(now() + (*ping - steady_clock::now()));
  if (auto dark = sleep_due()) consider(*dark);
  if (st_->ui.asleep) {
    // Wakes at the start of the minute the library opens.
    if (auto m = opening_hours()->minutes_to_opening(local_minute_of_week(st_->clock.now()))) {
      const auto into_minute = duration_cast<milliseconds>(st_->clock.now().time_since_epoch()) % minutes(1);
      consider(now() + minutes(*m) - into_minute);
    }
  }
  if (!due) return -1;
  return static_cast<int>(std::max<long long>(0, duration_cast<milliseconds>(*due - now()).count()));
}

bool KioskApp::step(int max_wait_ms) {
  int wait = next_timer_ms();
  if (st_->dirty > 0 || !input_.queue.empty()) wait = 0;
  if (max_wait_ms >= 0) wait = wait < 0 ? max_wait_ms : std::min(wait, max_wait_ms);
  SDL_Event e;
  const bool got = wait < 0 ? SDL_WaitEvent(&e) == 1 : SDL_WaitEventTimeout(&e, wait) == 1;
  if (got) {
    int w = 0, h = 0;
    host_->output_size(&w, &h);
    handle_event(*st_, input_, e, w, h);
    while (SDL_PollEvent(&e)) handle_event(*st_, input_, e, w, h);
  }
  supervisor_.alive(steady_clock::now());
  check_hold(*st_, input_);
  update_visit_timers(*st_);
  update_sleep();
  jobs_->drain();  // background results, posted by the worker (which woke us)
  update_pin_lock(*st_);
  follow_sync_status(*st_);
  if (st_->ui.screen == Screen::Home && !st_->session) reload_seal_key();
  if (st_->ui.screen == Screen::Home && !st_->session && sync_) {
    // A new survey from the hub is applied only between sessions, validated.
    if (auto u = sync_->take_survey_update(); u && !u->xform.empty()) {
      // A new form from the OpenRosa server: its survey, and its key to seal to, together.
      auto form = openrosa::import_xform(u->xform, opt_.config.sync.form_file);
      auto sealer =
          form ? openrosa::SubmissionSealer::make(std::make_shared<const openrosa::ImportedForm>(std::move(*form)))
               : Result<std::shared_ptr<const openrosa::SubmissionSealer>>(form.error());
      if (sealer) {
        st_->store->set_sealer(*sealer);
        st_->survey = std::make_unique<Survey>((*sealer)->form().survey);
        st_->dirty = std::max(st_->dirty, 2);
        log::notice("form update from the OpenRosa server applied: " + st_->survey->id + " version " +
                    st_->survey->version);
      } else {
        log::warning("form update from the OpenRosa server refused, keeping version " + st_->survey->version + ": " +
                     sealer.message());
      }
    } else if (u) {
      if (auto s = sync::survey_from_hub(*u); s) {
        st_->survey = std::make_unique<Survey>(std::move(s).value());
        st_->dirty = std::max(st_->dirty, 2);
        log::notice("survey update from the hub applied: " + st_->survey->id + " version " + st_->survey->version);
      } else {
        log::warning("survey update from the hub refused, keeping version " + st_->survey->version + ": " +
                     s.message());
      }
    }
  }
  log_sync_attempts();
  while (st_->dirty > 0 || !input_.queue.empty()) draw_frame();
  if (dump_) {
    int w = 0, h = 0;
    host_->output_size(&w, &h);
    dump_->screen(*st_, w, h);
  }
  return !st_->ui.quit;
}

// ---- 3. Drawing --------------------------------------------------------

void KioskApp::draw_now() {
  st_->dirty = std::max(st_->dirty, 1);
  present_now_ = true;
  draw_frame();
  present_now_ = false;
}

void KioskApp::draw_frame() {
  if (st_->dirty > 0) --st_->dirty;
  if (st_->fonts_dirty) {
    st_->settings.dyslexia_font =
        host_->rebuild_fonts(static_cast<float>(st_->settings.text_scale) / 100.0f, st_->settings.dyslexia_font);
    st_->fonts_dirty = false;
  }
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  if (st_->ui.asleep) {
    // Dark: nothing drawn, nothing to press; any touch wakes it (input.cpp).
    st_->tree.clear();
    st_->tree.add({"sleep",
                   st_->tr("sleep"),
                   Role::Status,
                   {},
                   {0, 0, static_cast<float>(w), static_cast<float>(h)},
                   {0, 0, static_cast<float>(w), static_cast<float>(h)}});
    SDL_SetRenderDrawColor(host_->renderer(), 0, 0, 0, 255);
    SDL_RenderClear(host_->renderer());
    SDL_RenderPresent(host_->renderer());
    input_.queue.clear();
    return;
  }
  const Theme& theme = st_->settings.high_contrast ? high_contrast_theme() : standard_theme();
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
  io.DeltaTime = 1.0f / 60.0f;
  feed_pointer(*st_, input_);

  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 0;
  style.WindowPadding = ImVec2(0, 0);
  style.ItemSpacing = ImVec2(0, 0);
  style.ScrollbarSize = 26.0f * host_->fonts().scale;
  style.Colors[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(col(theme.background));
  style.Colors[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  style.Colors[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(col(theme.text));
  style.Colors[ImGuiCol_ScrollbarBg] = ImGui::ColorConvertU32ToFloat4(col(theme.button));
  style.Colors[ImGuiCol_ScrollbarGrab] = ImGui::ColorConvertU32ToFloat4(col(theme.button_edge));
  style.Colors[ImGuiCol_ScrollbarGrabHovered] = style.Colors[ImGuiCol_ScrollbarGrab];
  style.Colors[ImGuiCol_ScrollbarGrabActive] = ImGui::ColorConvertU32ToFloat4(col(theme.chosen));

  ImGui_ImplSDLRenderer_NewFrame();
  ImGui::NewFrame();
  st_->tree.clear();
  intents_.clear();
  draw_chrome(*st_, chrome_, input_, host_->fonts(), intents_, static_cast<float>(w), static_cast<float>(h));
  ImGui::Render();
  // Only the last layout pass of a burst reaches the screen: a tap lays out
  // pressed, released, applied and settled, but drawing each of those in
  // software cost four whole-window frames (BENCHMARKS.md).
  const bool settled = intents_.empty() && input_.queue.empty() && st_->dirty == 0;
  if (settled) present(theme);
  // Speak what this frame showed (the tree matches the state it was drawn
  // from), then apply what the visitor asked for; the next frame shows it.
  announce(*st_);
  const auto pending = intents_;
  for (const auto& i : pending) apply(i);
  if (!pending.empty()) st_->dirty = std::max(st_->dirty, 2);
}

void KioskApp::present(const Theme& theme) {
  if (opt_.rasterize || present_now_) {
    SDL_SetRenderDrawColor(host_->renderer(), theme.background.r, theme.background.g, theme.background.b, 255);
    SDL_RenderClear(host_->renderer());
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    SDL_RenderPresent(host_->renderer());
    ++frames_;
  }
  if (!first_frame_reported_) {
    first_frame_reported_ = true;
    supervisor_.ready("showing the home screen");
    if (opt_.announce_timing) {
      const auto from = opt_.process_start == steady_clock::time_point{} ? started_ : opt_.process_start;
      std::printf("first frame after %.1f ms\n", duration<double, std::milli>(steady_clock::now() - from).count());
      std::fflush(stdout);
    }
  }
}

bool KioskApp::screenshot(const std::string& path) {
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  std::vector<unsigned char> px(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
  if (SDL_RenderReadPixels(host_->renderer(), nullptr, SDL_PIXELFORMAT_ABGR8888, px.data(), w * 4) != 0) return false;
  return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}

}  // namespace kiosk::ui
