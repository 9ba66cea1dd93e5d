// Staff sign-in: a PIN on a large keypad, checked against Argon2id hashes off
// the drawing thread. A staff PIN opens assisted mode; the admin PIN, the
// admin area. Five wrong PINs lock entry for a while. No memory test beyond
// the PIN (A12).
#include <algorithm>

#include "screens.hpp"

namespace kiosk::ui {

void draw_pin(Frame& f, const AppView& v) {
  f.heading("pin.h", v.tr("pin.h"), true);
  if (v.demo_pins) {
    // Nothing to type: staff read why, and what council IT must do.
    f.alert("pin.demo", v.tr("pin.demo"));
    return;
  }
  f.paragraph("pin.p", v.tr("pin.p"));
  std::string dots(f.ui.pin.size(), '*');
  f.paragraph("pin.value", dots.empty() ? v.tr("pin.none") : dots, false, f.fonts.title);
  if (!f.ui.pin_message.empty()) f.alert("pin.msg", f.ui.pin_message);
  const bool locked = v.pin_locked;
  const float key_w = std::min(220.0f * f.s(), (ImGui::GetContentRegionAvail().x - 2 * f.gap()) / 3.0f);
  const char* rows[4][3] = {{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"Delete", "0", "OK"}};
  for (auto& row : rows) {
    const float y = ImGui::GetCursorScreenPos().y;
    const float x0 = ImGui::GetCursorScreenPos().x;
    float h = 0;
    for (int k = 0; k < 3; ++k) {
      ImGui::SetCursorScreenPos(ImVec2(x0 + static_cast<float>(k) * (key_w + f.gap()), y));
      const std::string key = row[k];
      const std::string label = key == "Delete" ? v.tr("pin.delete") : key == "OK" ? v.tr("pin.ok") : key;
      if (f.button("pin.key." + key, label, key == "OK" ? Frame::Style::Primary : Frame::Style::Normal, key_w,
                   Role::Key, {}, !locked && !f.ui.pin_checking)) {
        if (key == "OK")
          f.emit(intent::PinSubmit{});
        else if (key == "Delete")
          f.emit(intent::PinDelete{});
        else
          f.emit(intent::PinDigit{key[0]});
      }
      h = std::max(h, ImGui::GetItemRectSize().y);
    }
    ImGui::SetCursorScreenPos(ImVec2(x0, y + h + f.gap()));
    ImGui::Dummy(ImVec2(0, 0));
  }
  if (f.ui.pin_checking) f.paragraph("pin.checking", v.tr("pin.checking"), true);
}

void draw_pin_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.back", v.tr("nav.cancel"))) f.emit(intent::Back{});
}

void draw_assist(Frame& f, const AppView& v) {
  f.heading("assist.h", v.tr("assist.h"), true);
  f.paragraph("assist.who", v.tr("assist.who", {{"name", f.ui.staff_name}, {"id", f.ui.staff_id}}));
  f.paragraph("assist.p", v.tr("assist.p"));
  // The codes are recorded with the response; the words are the catalogue's "assist.<code>".
  static const char* const kinds[] = {"read_aloud", "scribed", "large_print", "other"};
  for (const char* code : kinds) {
    const bool on = std::find(f.ui.assistance.begin(), f.ui.assistance.end(), code) != f.ui.assistance.end();
    if (f.option(std::string("assist.") + code, v.tr(std::string("assist.") + code), on, true))
      f.emit(intent::ToggleAssistance{code});
  }
  const bool both = v.settings.speech && v.settings.text_scale >= 150;
  if (f.button("assist.speech", v.tr(both ? "assist.speech.on" : "assist.speech.off"), Frame::Style::Normal, 0,
               Role::Button, v.tr(both ? "state.on" : "state.off")))
    f.emit(intent::AssistedSpeechAndLargeText{});
  f.paragraph("assist.time",
              v.config.session.assisted_idle_warning_seconds > 0
                  ? v.tr("assist.timeout", {{"n", std::to_string(v.config.session.assisted_idle_warning_seconds)}})
                  : v.tr("assist.no_timeout"),
              true);
}

void draw_assist_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.cancel", v.tr("assist.leave"))) f.emit(intent::EndAssisted{});
  if (f.flow_button(flow, "nav.start", v.tr(v.session ? "assist.continue" : "assist.start"), Frame::Style::Primary))
    f.emit(intent::AssistedStart{});
}

}  // namespace kiosk::ui
