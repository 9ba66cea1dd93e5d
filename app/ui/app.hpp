// KioskApp: the touchscreen kiosk. One window, event-driven: it sleeps until
// input, a timer (idle warning, thank-you screen) or a background result
// arrives, then draws only as many frames as the change needs (principle 6).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "a11y_dump.hpp"
#include "app_state.hpp"
#include "chrome.hpp"
#include "host.hpp"
#include "input.hpp"
#include "supervisor.hpp"

struct SDL_Window;
struct SDL_Renderer;
union SDL_Event;

namespace kiosk::ui {

struct AppOptions {
  KioskConfig config;
  bool fullscreen = true;
  int width = 1280, height = 800;
  const Clock* clock = nullptr;  // default: the system clock
  Speech* speech = nullptr;      // default: espeak-ng through SDL audio
  bool start_sync = true;
  bool announce_timing = false;  // print start-to-first-frame time
  // False (the tests' headless rig): each frame is laid out (the
  // accessibility tree, speech, intents) but drawn into the window only
  // when asked, by draw_now() before a screenshot; drawing a whole window
  // in software was two fifths of a UI test's time under the sanitizers.
  bool rasterize = true;
  std::string a11y_dump;                                  // a file for A11yDump's JSON lines; empty: none
  std::chrono::steady_clock::time_point process_start{};  // when main() began, for that figure
  // The SDL event type that ends the loop cleanly (main posts it on SIGTERM
  // and SIGINT, with the signal in user.code): the visitor's unfinished
  // response is closed as abandoned. 0: none.
  std::uint32_t stop_event = 0;
};

class KioskApp {
 public:
  static Result<std::unique_ptr<KioskApp>> create(AppOptions opt);
  // What create() loads before it opens a window (survey, database, pages),
  // loaded and let go: whether the kiosk could start now, and if not, why.
  static Status check(const KioskConfig& cfg);
  ~KioskApp();
  KioskApp(const KioskApp&) = delete;
  KioskApp& operator=(const KioskApp&) = delete;

  int run();
  // One turn of the loop: waits up to max_wait_ms (-1: until something
  // happens) for an event or a timer, handles it, draws if needed.
  // Returns false once the kiosk should quit.
  bool step(int max_wait_ms);

  // Introspection, for tests and screenshots.
  const A11yTree& tree() const { return st_->tree; }
  const UiState& ui() const { return st_->ui; }
  const Session* session() const { return st_->session.get(); }
  const VisitorSettings& settings() const { return st_->settings; }
  const Survey& survey() const { return *st_->survey; }
  Store& store() { return *st_->store; }
  long frames_drawn() const { return frames_; }  // frames that reached the screen
  bool screenshot(const std::string& png_path);
  void apply(const Intent& intent) { ui::apply(*st_, intent); }  // as if the visitor had asked
  void draw_now();                                               // draw one frame whatever the state
  SDL_Window* window() const { return host_->window(); }
  int next_timer_ms() const;  // -1: no timer pending

 private:
  KioskApp() = default;
  void draw_frame();
  void present(const Theme& theme);  // draws the laid-out frame on the screen
  std::chrono::steady_clock::time_point now() const { return st_->now(); }

  AppOptions opt_;
  SystemClock system_clock_;
  // The sealing key file as last loaded (size, time, inode): a change is
  // picked up between visits.
  std::string seal_key_stamp_;
  void reload_seal_key();
  std::unique_ptr<Host> host_;
  std::unique_ptr<Speech> own_speech_;
  std::unique_ptr<A11yDump> dump_;
  std::unique_ptr<DumpedSpeech> dumped_speech_;  // the speech engine, noted in dump_
  std::unique_ptr<sync::SyncWorker> sync_;
  std::unique_ptr<AppState> st_;
  std::unique_ptr<JobQueue> jobs_;  // after st_: it dies first, so no result reaches a dead state
  std::vector<Intent> intents_;     // asked for during the frame being drawn

  Input input_;
  Chrome chrome_;
  long frames_ = 0;
  std::chrono::steady_clock::time_point started_{};
  bool first_frame_reported_ = false;
  bool present_now_ = false;  // draw_now(): this frame reaches the window even when not rasterizing
  void log_sync_attempts();
  const OpeningHours* opening_hours() const;  // none: always open
  std::optional<std::chrono::steady_clock::time_point> sleep_due() const;
  void update_sleep();
  std::string logged_attempt_;  // the sync attempt last logged
  bool sync_failing_ = false;
  Supervisor supervisor_;
  bool own_audio_ = false;  // the audio subsystem, opened to hear of headphones
};

}  // namespace kiosk::ui
