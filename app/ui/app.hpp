// KioskApp: the touchscreen kiosk. One window, event-driven: it sleeps until
// input, a timer (idle warning, thank-you screen) or a background result
// arrives, then draws only as many frames as the change needs (principle 6).
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "a11y.hpp"
#include "host.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/config.hpp"
#include "kiosk/session.hpp"
#include "kiosk/store.hpp"
#include "markdown.hpp"
#include "screens.hpp"
#include "speech.hpp"
#include "sync_client.hpp"
#include "ui_types.hpp"
#include "widgets.hpp"

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
  bool announce_timing = false;                           // print start-to-first-frame time
  std::chrono::steady_clock::time_point process_start{};  // when main() began, for that figure
};

class KioskApp {
 public:
  static Result<std::unique_ptr<KioskApp>> create(AppOptions opt);
  ~KioskApp();
  KioskApp(const KioskApp&) = delete;
  KioskApp& operator=(const KioskApp&) = delete;

  int run();
  // One turn of the loop: waits up to max_wait_ms (-1: until something
  // happens) for an event or a timer, handles it, draws if needed.
  // Returns false once the kiosk should quit.
  bool step(int max_wait_ms);

  // Introspection, for tests and screenshots.
  const A11yTree& tree() const { return tree_; }
  const UiState& ui() const { return ui_; }
  const Session* session() const { return session_.get(); }
  const VisitorSettings& settings() const { return settings_; }
  const Survey& survey() const { return *survey_; }
  Store& store() { return *store_; }
  long frames_drawn() const { return frames_; }
  bool screenshot(const std::string& png_path);
  void apply(const Intent& intent);  // as if the visitor had asked
  void draw_now();                   // draw one frame whatever the state
  SDL_Window* window() const { return host_->window(); }
  int next_timer_ms() const;  // -1: no timer pending

 private:
  KioskApp() = default;
  void handle(const SDL_Event& e);
  void key_down(int sym, int mod);
  void text_input(const char* text);
  void draw_frame();
  void layout(float w, float h);
  void update_timers();
  void poll_background();
  void announce();
  std::string screen_summary() const;
  std::string help_text() const;
  void say(const std::string& text);
  void touch();  // any input: resets the idle timer, interrupts speech
  void end_session(const std::string& reason);
  void reset_visitor_settings();
  void apply_settings_change();
  void record_settings();
  void record_setting(const std::string& key, const std::string& value, const std::string& dflt);
  void start_session();
  void commit_keyboard(bool close);
  void load_admin();
  void go_home();
  std::string error_for_visitor(const std::string& what) const;
  std::chrono::steady_clock::time_point now() const { return clock_->steady(); }

  AppOptions opt_;
  const Clock* clock_ = nullptr;
  SystemClock system_clock_;
  std::unique_ptr<Survey> survey_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Session> session_;
  std::vector<Page> pages_;
  std::optional<Page> service_point_page_;
  std::unique_ptr<sync::SyncWorker> sync_;
  std::unique_ptr<Speech> own_speech_;
  Speech* speech_ = nullptr;

  std::unique_ptr<Host> host_;
  bool fonts_dirty_ = false;

  UiState ui_;
  VisitorSettings settings_;
  A11yTree tree_;
  std::vector<Intent> intents_;
  std::string activate_id_;
  AdminView admin_;
  std::future<AdminView> admin_job_;
  std::future<std::string> export_job_;
  struct PinResult {
    std::string role, id, name;
  };
  std::future<PinResult> pin_job_;

  // Pointer transitions, applied one per frame so a quick tap is seen as a
  // press and a release.
  struct Pointer {
    float x, y;
    bool down;
  };
  std::vector<Pointer> pointer_queue_;
  Pointer pointer_{-1, -1, false};
  float wheel_ = 0, scroll_by_ = 0;
  int dirty_ = 2;
  long frames_ = 0;
  float footer_h_ = 0, header_h_ = 0;
  std::chrono::steady_clock::time_point started_{};
  bool first_frame_reported_ = false;
};

}  // namespace kiosk::ui
