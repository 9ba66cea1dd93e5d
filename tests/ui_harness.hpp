// Drives the real kiosk app headless (SDL's offscreen video driver, dummy
// audio) with a fake clock and a recording speech sink. Taps land where the
// app's own accessibility tree says a control is drawn.
#pragma once

#include <SDL.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "app.hpp"
#include "headless_kiosk.hpp"
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
    const auto st = kiosk::rig::init_sdl_headless();
    INFO((st.ok() ? std::string() : st.message()));
    REQUIRE(st.ok());
    return true;
  }();
  (void)done;
}

// The shared rig (app/ui/rig), with the test's own configuration in a temp
// folder and a failed step reported where it happened.
struct UiRig : kiosk::rig::HeadlessKiosk {
  TempDir tmp;

  // `engine`: a speech engine to speak into instead of the recording sink.
  explicit UiRig(int w = 1280, int h = 800, const std::string& extra_toml = "",
                 const std::string& survey = bury_survey(), kiosk::ui::Speech* engine = nullptr,
                 const std::string& service_points = source_path("kiosk-config/service-points.toml")) {
    init_sdl_headless();
    const std::string cfg = tmp.file("kiosk.toml");
    write_seal_keys(tmp.file("council.pub"));  // beside the database: the default place
    std::ofstream(cfg) << "[kiosk]\nid = \"test-kiosk\"\nname = \"Test kiosk\"\nservice_point = \"castle\"\n"
                       << "survey = \"" << survey << "\"\n"
                       << "database = \"" << tmp.file("kiosk.db") << "\"\n"
                       << "pages = \"" << source_path("kiosk-config/pages") << "\"\n"
                       << "service_points = \"" << service_points << "\"\n"
                       << read_file(source_path("tests/ui-staff.toml")) << extra_toml;
    auto c = kiosk::load_config(cfg);
    INFO((c.ok() ? std::string() : c.message()));
    REQUIRE(c.ok());
    sync = !c->sync.hub_url.empty();  // a test that names a real hub syncs with it
    const auto st = start(std::move(c).value(), w, h, engine);
    INFO((st.ok() ? std::string() : st.message()));
    REQUIRE(st.ok());
  }
  ~UiRig() { app.reset(); }  // before the temp folder holding its database goes
  UiRig(const UiRig&) = delete;
  UiRig& operator=(const UiRig&) = delete;

  const kiosk::ui::A11yItem* find(const std::string& label) const { return app->tree().find_label(label); }
  const kiosk::ui::A11yItem* find_id(const std::string& id) const { return app->tree().find(id); }

  void bring_into_view(const std::string& id) {
    INFO("could not bring " << id << " into view");
    REQUIRE(HeadlessKiosk::bring_into_view(id));
  }

  void tap_id(const std::string& id) {
    const auto* it = find_id(id);
    INFO("could not tap " << id
                          << (it ? " drawn at y " + std::to_string(it->rect.y) + "+" + std::to_string(it->rect.h) +
                                       ", its scroll area at y " + std::to_string(it->clip.y) + "+" +
                                       std::to_string(it->clip.h)
                                 : std::string(" (not on screen)")));
    REQUIRE(HeadlessKiosk::tap_id(id));
  }

  void tap(const std::string& label) {
    const auto* it = find(label);
    INFO("no control labelled \"" << label << "\" on screen");
    REQUIRE(it != nullptr);
    tap_id(it->id);
  }

  void key(SDL_Keycode k, Uint16 mod = 0) { HeadlessKiosk::key(k, mod); }

  // Types on a physical keyboard: one character (UTF-8 sequence) per event, as a keyboard sends them.
  void type_text(const std::string& text) {
    for (size_t i = 0; i < text.size();) {
      size_t n = 1;
      while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
      SDL_Event e{};
      e.type = SDL_TEXTINPUT;
      std::copy_n(text.data() + i, n, e.text.text);
      e.text.text[n] = 0;
      SDL_PushEvent(&e);
      settle();
      i += n;
    }
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

  // By touch from the home screen, through the introduction and what is
  // kept, then each question's first answer and Next while `go_on` says so
  // (it is asked on each question, before answering).
  template <class GoOn>
  void walk_first_answers(GoOn go_on) {
    tap_id("home.start");
    tap_id("nav.next");
    tap_id("nav.next");
    for (int guard = 0; guard < 40 && app->ui().screen == kiosk::ui::Screen::Question && go_on(); ++guard) {
      const kiosk::Question& q = *app->session()->current();
      if (q.in_matrix())
        for (const kiosk::Question* item : app->session()->current_screen())
          tap_id("mx." + item->id + "." + item->options[0].code);
      else if (q.has_options())
        tap_id("opt." + q.options[0].code);
      tap_id("nav.next");
    }
  }
};

// What every screen keeps to: nothing runs off its region or the window,
// every control is at least 44 px square, and no two controls in view overlap.
inline void check_layout(UiRig& r, const std::string& where) {
  int w = 0, h = 0;
  SDL_GetWindowSize(r.app->window(), &w, &h);
  std::vector<kiosk::ui::A11yItem> visible;
  for (const auto& it : r.app->tree().items()) {
    INFO(where << ": " << it.id << " \"" << it.label << "\"");
    // Text wraps: nothing runs off the side of its region or the window.
    CHECK(it.rect.x >= it.clip.x - 1);
    CHECK(it.rect.x + it.rect.w <= it.clip.x + it.clip.w + 1);
    CHECK(it.rect.x + it.rect.w <= static_cast<float>(w) + 1);
    if (!it.interactive) continue;
    CHECK(it.rect.w >= 44.0f);
    CHECK(it.rect.h >= 44.0f);
    // Only the part in view can be touched.
    kiosk::ui::Rect v = it.rect;
    const float top = std::max(v.y, it.clip.y), bottom = std::min(v.y + v.h, it.clip.y + it.clip.h);
    if (bottom - top <= 0) continue;
    v.y = top;
    v.h = bottom - top;
    visible.push_back(it);
    visible.back().rect = v;
  }
  for (size_t i = 0; i < visible.size(); ++i)
    for (size_t j = i + 1; j < visible.size(); ++j) {
      INFO(where << ": " << visible[i].id << " overlaps " << visible[j].id);
      CHECK_FALSE(visible[i].rect.overlaps(visible[j].rect));
    }
}

}  // namespace test
