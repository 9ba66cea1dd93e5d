#include "out_of_order.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "kiosk/clock.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/pin_policy.hpp"
#include "messages.hpp"
#include "supervisor.hpp"
#include "text/text.hpp"
#include "theme.hpp"

namespace kiosk::ui {
namespace {

using std::chrono::steady_clock;
namespace fs = std::filesystem;

// For each file, its nearest folder that exists: a missing pages folder, or a
// database whose folder is in fact a file, is then seen when it is created
// or replaced, and space freed on a full disk when anything there is deleted.
class Watch {
 public:
  explicit Watch(const std::vector<std::string>& files) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (fd_ < 0) return;
    std::set<std::string> dirs;
    for (const auto& f : files) {
      if (f.empty()) continue;
      fs::path p = fs::absolute(f).lexically_normal();
      std::error_code ec;
      while (p.has_parent_path() && p.parent_path() != p && !fs::is_directory(p.parent_path(), ec)) p = p.parent_path();
      dirs.insert(p.parent_path().string());
    }
    for (const auto& d : dirs)
      inotify_add_watch(fd_, d.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB);
  }
  ~Watch() {
    if (fd_ >= 0) close(fd_);
  }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // True if a watched file changed since the last call.
  bool changed() {
    if (fd_ < 0) return false;
    // Any event in these folders counts: a file the kiosk needs, or space
    // freed beside the database (a full disk fixed by deleting something).
    // The events themselves are only drained.
    bool hit = false;
    alignas(inotify_event) char buf[4096];
    while (read(fd_, buf, sizeof buf) > 0) hit = true;
    return hit;
  }

 private:
  int fd_;
};

enum class View { Notice, Pin, Reason };

struct State {
  View view = View::Notice;
  std::string pin;
  std::string message;
  bool retry_now = false;
};

// Text wrapped at `wrap_x` (window coordinates, as PushTextWrapPos takes it),
// shaped and drawn by the text engine in ImGui's text colour.
void wrapped(ImFont* font, const std::string& s, float wrap_x) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float wrap = std::max(1.0f, ImGui::GetWindowPos().x + wrap_x - p.x);
  ImGui::Dummy(text::draw(ImGui::GetWindowDrawList(), font, p, ImGui::GetColorU32(ImGuiCol_Text), s, wrap));
}

bool big_button(const char* label, float w, float h, const Theme& t, bool primary = false) {
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::ColorConvertU32ToFloat4(col(primary ? t.primary : t.button)));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(col(primary ? t.primary : t.button)));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImGui::ColorConvertU32ToFloat4(col(t.chosen)));
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(col(primary ? t.primary_text : t.button_text)));
  const bool pressed = ImGui::Button((std::string("##") + label).c_str(), ImVec2(w, h));
  const ImVec2 min = ImGui::GetItemRectMin();
  ImFont* font = ImGui::GetFont();
  const float th = text::measure(font, label, w).y;
  text::draw(ImGui::GetWindowDrawList(), font, ImVec2(min.x, min.y + (h - th) * 0.5f),
             ImGui::GetColorU32(ImGuiCol_Text), label, w, text::Options{text::Direction::Auto, text::Align::Center});
  ImGui::PopStyleColor(4);
  return pressed;
}

void draw(State& st, const OutOfOrderOptions& opt, const Fonts& fonts, PinPolicy& policy, float w, float h) {
  const Theme& t = standard_theme();
  auto tr = [&](std::string_view key) { return message(opt.catalogue, opt.deployment, opt.locale, key); };
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::Begin("out of order", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  const float margin = std::max(24.0f, w * 0.06f);
  const float bw = std::max(200.0f, w * 0.22f), bh = 64.0f;
  if (st.view == View::Notice) {
    ImGui::SetCursorPos(ImVec2(margin, h * 0.28f));
    wrapped(fonts.title, tr("ooo.h"), w - margin);
    ImGui::SetCursorPosX(margin);
    ImGui::Dummy(ImVec2(0, 24));
    ImGui::SetCursorPosX(margin);
    wrapped(fonts.heading, tr("ooo.ask"), w - margin);
    ImGui::SetCursorPos(ImVec2(w - margin - bw, h - margin - bh));
    ImGui::PushFont(fonts.bold);
    if (big_button(tr("ooo.staff").c_str(), bw, bh, t)) {
      st.view = View::Pin;
      st.pin.clear();
      st.message = tr(opt.admin_pin_hash.empty() ? "ooo.no_config" : "ooo.pin");
    }
    ImGui::PopFont();
  } else if (st.view == View::Pin) {
    ImGui::SetCursorPos(ImVec2(margin, margin));
    wrapped(fonts.heading, st.message, w - margin);
    ImGui::SetCursorPosX(margin);
    const std::string dots = st.pin.empty() ? " " : std::string(st.pin.size(), '*');
    wrapped(fonts.title, dots, w - margin);
    ImGui::PushFont(fonts.bold);
    const float key = std::min(96.0f, (h - 260.0f) / 4.0f);
    const std::string clear = tr("ooo.clear"), ok = tr("ooo.ok");
    const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", clear.c_str(), "0", ok.c_str()};
    const bool can = !opt.admin_pin_hash.empty() && policy.allows_attempt();
    for (int i = 0; i < 12; ++i) {
      ImGui::SetCursorPos(ImVec2(margin + static_cast<float>(i % 3) * (key * 1.6f + 12.0f),
                                 170.0f + static_cast<float>(i / 3) * (key + 12.0f)));
      // Ids stay the same whatever the words: ImGui tells buttons apart by them.
      if (big_button((std::string(keys[i]) + "##key" + std::to_string(i)).c_str(), key * 1.6f, key, t, i == 11) &&
          can) {
        const std::string k = keys[i];
        if (i == 9) {
          st.pin.clear();
        } else if (i == 11) {
          if (verify_pin(opt.admin_pin_hash, st.pin)) {
            policy.record_success();
            st.view = View::Reason;
          } else if (policy.record_failure()) {
            st.message = tr("ooo.locked");
          } else {
            st.message = tr("ooo.wrong");
          }
          st.pin.clear();
        } else if (st.pin.size() < 12) {
          st.pin += k;
        }
      }
    }
    ImGui::SetCursorPos(ImVec2(w - margin - bw, h - margin - bh));
    if (big_button(tr("ooo.back").c_str(), bw, bh, t)) st.view = View::Notice;
    ImGui::PopFont();
  } else {
    ImGui::SetCursorPos(ImVec2(margin, margin));
    wrapped(fonts.heading, tr("ooo.why"), w - margin);
    ImGui::SetCursorPosX(margin);
    wrapped(fonts.body, opt.reason, w - margin);
    ImGui::SetCursorPosX(margin);
    wrapped(fonts.body, tr("ooo.retry"), w - margin);
    ImGui::PushFont(fonts.bold);
    ImGui::SetCursorPos(ImVec2(margin, h - margin - bh));
    if (big_button(tr("ooo.retry.now").c_str(), bw, bh, t, true)) st.retry_now = true;
    ImGui::SetCursorPos(ImVec2(w - margin - bw, h - margin - bh));
    if (big_button(tr("ooo.close").c_str(), bw, bh, t)) st.view = View::Notice;
    ImGui::PopFont();
  }
  ImGui::End();
}

}  // namespace

OutOfOrderEnd show_out_of_order(Host& host, const OutOfOrderOptions& opt) {
  SystemClock clock;
  PinPolicy policy(clock, opt.pin_attempts, opt.pin_lockout);
  Watch watch(opt.watch);
  Supervisor supervisor;
  supervisor.ready("out of order: " + opt.reason);
  State st;
  const auto retry_at = steady_clock::now() + opt.retry;
  ImGuiIO& io = ImGui::GetIO();
  int redraw = 2;
  struct Tap {
    float x, y;
    bool down;
  };
  std::vector<Tap> taps;
  while (true) {
    const auto now = steady_clock::now();
    supervisor.alive(now);
    if (now >= retry_at || st.retry_now || watch.changed()) return OutOfOrderEnd::Retry;
    // Woken by input at once; otherwise a few times a second to look at the
    // folders and the clock (and to keep the watchdog fed).
    SDL_Event e;
    if (SDL_WaitEventTimeout(&e, redraw > 0 ? 0 : 250) == 1) {
      do {
        if (opt.stop_event != 0 && e.type == opt.stop_event) return OutOfOrderEnd::Stop;
        int w = 0, h = 0;
        host.output_size(&w, &h);
        switch (e.type) {
          case SDL_MOUSEBUTTONDOWN:
          case SDL_MOUSEBUTTONUP:
            taps.push_back(
                {static_cast<float>(e.button.x), static_cast<float>(e.button.y), e.type == SDL_MOUSEBUTTONDOWN});
            break;
          case SDL_FINGERDOWN:
          case SDL_FINGERUP:
            taps.push_back(
                {e.tfinger.x * static_cast<float>(w), e.tfinger.y * static_cast<float>(h), e.type == SDL_FINGERDOWN});
            break;
          default: break;
        }
        redraw = 2;
      } while (SDL_PollEvent(&e));
    }
    // One pointer transition per frame, so a quick tap is a press and a release.
    if (!taps.empty()) {
      io.MousePos = ImVec2(taps.front().x, taps.front().y);
      io.MouseDown[0] = taps.front().down;
      taps.erase(taps.begin());
      redraw = std::max(redraw, taps.empty() ? 2 : 1);
    }
    if (redraw <= 0) continue;
    --redraw;
    int w = 0, h = 0;
    host.output_size(&w, &h);
    io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
    io.DeltaTime = 1.0f / 60.0f;
    const Theme& t = standard_theme();
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    style.WindowBorderSize = 0;
    style.FrameRounding = 8.0f;
    style.FrameBorderSize = 2.0f;
    style.Colors[ImGuiCol_Border] = ImGui::ColorConvertU32ToFloat4(col(t.button_edge));
    style.Colors[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(col(t.background));
    style.Colors[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(col(t.text));
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui::NewFrame();
    draw(st, opt, host.fonts(), policy, static_cast<float>(w), static_cast<float>(h));
    ImGui::Render();
    SDL_SetRenderDrawColor(host.renderer(), t.background.r, t.background.g, t.background.b, 255);
    SDL_RenderClear(host.renderer());
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    SDL_RenderPresent(host.renderer());
  }
}

}  // namespace kiosk::ui
