// Staff sign-in: a PIN on a large keypad, checked against Argon2id hashes off
// the drawing thread. A staff PIN opens assisted mode; the admin PIN, the
// admin area. Five wrong PINs lock entry for a while. No memory test beyond
// the PIN (A12).
#include <algorithm>

#include "screens.hpp"

namespace kiosk::ui {

void draw_pin(Frame& f, const AppView& v) {
  f.heading("pin.h", "Staff: enter your PIN", true);
  f.paragraph("pin.p", "For assisted mode or the admin area. Visitors: please ask at the desk.");
  std::string dots(f.ui.pin.size(), '*');
  f.paragraph("pin.value", dots.empty() ? "(no digits yet)" : dots, false, f.fonts.title);
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
      const std::string label = key == "Delete" ? "Delete" : key;
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
  if (f.ui.pin_checking) f.paragraph("pin.checking", "Checking...", true);
}

void draw_pin_nav(Frame& f, const AppView&, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.back", "Cancel")) f.emit(intent::Back{});
}

void draw_assist(Frame& f, const AppView& v) {
  f.heading("assist.h", "Assisted mode", true);
  f.paragraph("assist.who", "Signed in: " + f.ui.staff_name + " (" + f.ui.staff_id + ")");
  f.paragraph("assist.p", "How are you helping? Choose all that apply. This is recorded with the response.");
  static const std::pair<const char*, const char*> kinds[] = {{"read_aloud", "Reading the questions aloud"},
                                                              {"scribed", "Entering the answers for the visitor"},
                                                              {"large_print", "Large print or a magnifier"},
                                                              {"other", "Other help"}};
  for (const auto& [code, label] : kinds) {
    const bool on = std::find(f.ui.assistance.begin(), f.ui.assistance.end(), code) != f.ui.assistance.end();
    if (f.option(std::string("assist.") + code, label, on, true)) f.emit(intent::ToggleAssistance{code});
  }
  const bool both = v.settings.speech && v.settings.text_scale >= 150;
  if (f.button("assist.speech", both ? "Speech and large text are on" : "Turn on speech and large text",
               Frame::Style::Normal, 0, Role::Button, both ? "on" : "off"))
    f.emit(intent::AssistedSpeechAndLargeText{});
  f.paragraph("assist.time",
              v.config.session.assisted_idle_warning_seconds > 0
                  ? "The screen waits " + std::to_string(v.config.session.assisted_idle_warning_seconds) +
                        " seconds before asking if you are still there."
                  : "In assisted mode the screen does not time out.",
              true);
}

void draw_assist_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.cancel", "Leave assisted mode")) f.emit(intent::EndAssisted{});
  if (f.flow_button(flow, "nav.start", v.session ? "Continue the survey" : "Start the survey", Frame::Style::Primary))
    f.emit(intent::AssistedStart{});
}

}  // namespace kiosk::ui
