#include "input.hpp"

#include <SDL.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "visitor_flow.hpp"
#include "visitor_settings.hpp"

namespace kiosk::ui {

namespace {

// A blind visitor at the start screen presses a key to find out what the
// kiosk is: the first key tells them how to turn speech on, and Enter (or the
// same key again) does it. Returns true when the key was used for that.
bool speech_offer(AppState& s, int sym) {
  if (s.settings.speech || s.ui.screen != Screen::Home || s.ui.panel != Panel::None) return false;
  if (sym == SDLK_F1 || sym == SDLK_HELP || s.ui.speech_offer_key < 0) return false;
  if (s.ui.speech_offer_key > 0 && (sym == SDLK_ESCAPE || sym == SDLK_AC_BACK)) {
    s.ui.speech_offer_key = -1;  // declined: not offered again this visit
    if (s.speech) s.speech->stop();
    return true;
  }
  if (s.ui.speech_offer_key == 0) {
    s.ui.speech_offer_key = sym;
    s.say_always(speech_offer(s));
    return true;
  }
  if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER || sym == s.ui.speech_offer_key) {
    turn_speech_on(s);
    return true;
  }
  s.ui.speech_offer_key = -1;  // another key: the visitor is using the screen
  return false;
}

void touch(AppState& s) {
  s.ui.last_input = s.now();
  if (s.settings.speech && s.speech) s.speech->stop();  // any action interrupts speech (A2)
  s.dirty = std::max(s.dirty, 2);
}

namespace {

// In a matrix, Up and Down go from item to item in the same column (to the
// chosen answer, if the item has one); past the first or last item they go
// on as from its edge. Left and Right go through an item's answers. Empty
// when the focus is not on a matrix's mark.
std::string matrix_step(const AppState& s, int dir) {
  const std::string& focus = s.ui.focus;
  if (focus.rfind("mx.", 0) != 0 || std::count(focus.begin(), focus.end(), '.') != 2) return {};
  const std::string row = focus.substr(0, focus.rfind('.')), code = focus.substr(focus.rfind('.') + 1);
  std::vector<std::string> rows;
  for (const auto& it : s.tree.items())
    if (it.interactive && it.id.rfind("mx.", 0) == 0) {
      const std::string r = it.id.substr(0, it.id.rfind('.'));
      if (rows.empty() || rows.back() != r) rows.push_back(r);
    }
  const auto at = std::find(rows.begin(), rows.end(), row);
  if (at == rows.end()) return {};
  const auto k = at - rows.begin() + dir;
  if (k < 0 || k >= static_cast<std::ptrdiff_t>(rows.size())) {
    // On from the first mark of the first item, or the last of the last.
    std::string edge;
    for (const auto& it : s.tree.items())
      if (it.interactive && it.id.rfind(row + ".", 0) == 0 && (edge.empty() || dir > 0)) edge = it.id;
    return s.tree.step(edge, dir);
  }
  const std::string& to = rows[static_cast<size_t>(k)];
  for (const auto& it : s.tree.items())
    if (it.id.rfind(to + ".", 0) == 0 && it.value == "selected") return it.id;
  return s.tree.find(to + "." + code) ? to + "." + code : std::string();
}

}  // namespace

void key_down(AppState& s, Input& in, int sym, int mod) {
  touch(s);
  if (speech_offer(s, sym)) return;
  if (s.ui.panel == Panel::Keyboard) {
    if (sym == SDLK_BACKSPACE) return apply(s, intent::KeyboardDelete{});
    if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) return apply(s, intent::KeyboardDone{});
    if (sym == SDLK_ESCAPE) return apply(s, intent::KeyboardCancel{});
  }
  if (sym == SDLK_DOWN || sym == SDLK_UP) {
    if (std::string to = matrix_step(s, sym == SDLK_DOWN ? 1 : -1); !to.empty()) {
      s.ui.focus = to;
      s.ui.focus_moved = true;
      if (const A11yItem* it = s.tree.find(s.ui.focus)) s.say(utterance(s, *it));
      return;
    }
  }
  switch (sym) {
    case SDLK_DOWN:
    case SDLK_RIGHT:
    case SDLK_TAB: {
      const int dir = (sym == SDLK_TAB && (mod & KMOD_SHIFT)) ? -1 : 1;
      s.ui.focus = s.tree.step(s.ui.focus, dir);
      s.ui.focus_moved = true;
      if (const A11yItem* it = s.tree.find(s.ui.focus)) s.say(utterance(s, *it));
      break;
    }
    case SDLK_UP:
    case SDLK_LEFT:
      s.ui.focus = s.tree.step(s.ui.focus, -1);
      s.ui.focus_moved = true;
      if (const A11yItem* it = s.tree.find(s.ui.focus)) s.say(utterance(s, *it));
      break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
    case SDLK_SPACE:
      if (s.ui.panel == Panel::Keyboard && sym == SDLK_SPACE) break;  // typed as text
      in.activate_id = s.ui.focus;
      break;
    case SDLK_ESCAPE:
    case SDLK_AC_BACK:
      if (s.ui.panel == Panel::Settings || s.ui.panel == Panel::Help)
        apply(s, intent::ClosePanel{});
      else if (s.ui.panel == Panel::Idle)
        apply(s, intent::ExtendTime{});
      else
        apply(s, intent::Back{});
      break;
    case SDLK_F1:
    case SDLK_HELP: apply(s, intent::Help{}); break;
    case SDLK_PAGEDOWN: in.scroll_by += 0.8f; break;
    case SDLK_PAGEUP: in.scroll_by -= 0.8f; break;
    default: break;
  }
}

void text_input(AppState& s, const char* text) {
  if (s.ui.panel == Panel::Keyboard) {
    for (const char* p = text; *p; ++p) {
      const std::string ch(1, *p);
      if ((static_cast<unsigned char>(*p) & 0xC0) == 0x80) continue;
      // Multi-byte characters arrive whole in `text`; pass the whole thing once.
      if (static_cast<unsigned char>(*p) >= 0x80) {
        apply(s, intent::KeyboardKey{text});
        return;
      }
      apply(s, intent::KeyboardKey{ch});
    }
    return;
  }
  if (std::string(text) == "?") apply(s, intent::Help{});
}

void track_hold(AppState& s, Input& in, float x, float y, Uint32 type) {
  if (type == SDL_FINGERDOWN) {
    in.holding = !s.settings.speech;
    in.hold_since = s.now();
    in.hold_x = x;
    in.hold_y = y;
  } else if (type == SDL_FINGERUP) {
    in.holding = false;
  } else if (std::hypot(x - in.hold_x, y - in.hold_y) > 24.0f) {
    in.holding = false;  // a drag to scroll, not a hold
  }
}

}  // namespace

void check_hold(AppState& s, Input& in) {
  if (!in.holding || s.now() - in.hold_since < Input::hold_time) return;
  in.holding = false;
  in.hold_fired = true;
  // The finger is still down: move it off whatever it pressed, so the release taps nothing.
  in.queue.push_back({-1000.0f, -1000.0f, true});
  if (!s.settings.speech) turn_speech_on(s);
}

void handle_event(AppState& s, Input& in, const SDL_Event& e, int w, int h) {
  const bool press = e.type == SDL_FINGERDOWN || e.type == SDL_KEYDOWN ||
                     (e.type == SDL_MOUSEBUTTONDOWN && e.button.which != SDL_TOUCH_MOUSEID);
  const bool release = e.type == SDL_FINGERUP || e.type == SDL_MOUSEBUTTONUP || e.type == SDL_KEYUP;
  const bool pointer_or_text = e.type == SDL_FINGERMOTION || e.type == SDL_MOUSEMOTION || e.type == SDL_TEXTINPUT;
  if (s.ui.asleep && (press || release || pointer_or_text || e.type == SDL_MOUSEWHEEL)) {
    // A touch or key on the dark screen wakes it and does nothing else.
    if (press) {
      s.ui.asleep = false;
      touch(s);
      s.dirty = std::max(s.dirty, 2);
      in.swallow_release = true;
    }
    return;
  }
  if (in.swallow_release && (release || pointer_or_text)) {
    if (release) in.swallow_release = false;
    return;
  }
  switch (e.type) {
    case SDL_QUIT:
      // In full screen no key combination leaves the kiosk: only the admin area quits.
      if (!in.fullscreen) s.ui.quit = true;
      break;
    case SDL_WINDOWEVENT: s.dirty = std::max(s.dirty, 2); break;
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
    case SDL_FINGERMOTION: {
      touch(s);
      const float x = e.tfinger.x * static_cast<float>(w), y = e.tfinger.y * static_cast<float>(h);
      track_hold(s, in, x, y, e.type);
      // After a hold turned speech on, the release lands nowhere: holding a button must not press it.
      if (in.hold_fired)
        in.queue.push_back({-1000.0f, -1000.0f, e.type != SDL_FINGERUP});
      else
        in.queue.push_back({x, y, e.type != SDL_FINGERUP});
      if (e.type == SDL_FINGERUP) in.hold_fired = false;
      break;
    }
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
      if (e.button.which == SDL_TOUCH_MOUSEID || e.button.button != SDL_BUTTON_LEFT) break;  // fingers handled above
      touch(s);
      const float x = static_cast<float>(e.button.x), y = static_cast<float>(e.button.y);
      track_hold(s, in, x, y, e.type == SDL_MOUSEBUTTONDOWN ? SDL_FINGERDOWN : SDL_FINGERUP);
      if (in.hold_fired)
        in.queue.push_back({-1000.0f, -1000.0f, e.type == SDL_MOUSEBUTTONDOWN});
      else
        in.queue.push_back({x, y, e.type == SDL_MOUSEBUTTONDOWN});
      if (e.type == SDL_MOUSEBUTTONUP) in.hold_fired = false;
      break;
    }
    case SDL_MOUSEMOTION:
      if (e.motion.which == SDL_TOUCH_MOUSEID || !(e.motion.state & SDL_BUTTON_LMASK)) break;
      track_hold(s, in, static_cast<float>(e.motion.x), static_cast<float>(e.motion.y), SDL_FINGERMOTION);
      if (in.hold_fired)
        in.queue.push_back({-1000.0f, -1000.0f, true});
      else
        in.queue.push_back({static_cast<float>(e.motion.x), static_cast<float>(e.motion.y), true});
      break;
    case SDL_AUDIODEVICEADDED:
      // Headphones that appear as a new output device (USB, Bluetooth) mean
      // someone wants to listen. Devices present at start-up are not news.
      if (in.audio_hotplug && !e.adevice.iscapture && !s.settings.speech) turn_speech_on(s);
      break;
    case SDL_MOUSEWHEEL:
      touch(s);
      in.wheel += static_cast<float>(e.wheel.y);
      break;
    case SDL_KEYDOWN: key_down(s, in, e.key.keysym.sym, e.key.keysym.mod); break;
    case SDL_TEXTINPUT: text_input(s, e.text.text); break;
    default:
      if (in.speech_done_event != 0 && e.type == in.speech_done_event) on_speech_finished(s);
      if (in.stop_event != 0 && e.type == in.stop_event) {
        in.stop_signal = e.user.code;
        s.ui.quit = true;
      }
      break;
  }
}

void feed_pointer(AppState& s, Input& in) {
  ImGuiIO& io = ImGui::GetIO();
  if (!in.queue.empty()) {
    in.pointer = in.queue.front();
    in.queue.erase(in.queue.begin());
    s.redraw(1);
  }
  io.MousePos = ImVec2(in.pointer.x, in.pointer.y);
  io.MouseDown[0] = in.pointer.down;
  io.MouseWheel = in.wheel;
  in.wheel = 0;
}

}  // namespace kiosk::ui
