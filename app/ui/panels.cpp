// Panels over any screen: accessibility settings, help, the idle warning and
// the on-screen keyboard. (The help bar that opens them is drawn by chrome.cpp.)
#include <algorithm>
#include <vector>

#include "screens.hpp"
#include "text_entry.hpp"

namespace kiosk::ui {

void draw_settings_panel(Frame& f, const AppView& v) {
  const VisitorSettings& st = v.settings;
  f.heading("settings.h", "Text size, colours and speech", true);
  f.paragraph("settings.p", "These settings are for you only. They go back to normal when you finish.", true);
  f.paragraph("settings.size", "Text size", false, f.fonts.bold);
  {
    auto flow = f.begin_flow();
    for (int pct : {100, 125, 150, 200}) {
      const bool on = st.text_scale == pct;
      if (f.flow_button(flow, "settings.size." + std::to_string(pct), std::to_string(pct) + "%",
                        on ? Frame::Style::Primary : Frame::Style::Normal, Role::Option, on ? "selected" : ""))
        f.emit(intent::TextScale{pct});
    }
    f.end_flow(flow);
  }
  f.paragraph("settings.look", "Colours and letters", false, f.fonts.bold);
  if (f.option("settings.contrast", "High contrast: white and yellow on black", st.high_contrast, true))
    f.emit(intent::ToggleContrast{});
  if (f.option("settings.font", "Easier-to-read letters (OpenDyslexic)", st.dyslexia_font, true))
    f.emit(intent::ToggleFont{});
  f.paragraph("settings.speech.h", "Speech", false, f.fonts.bold);
  if (f.option("settings.speech", "Read everything aloud", st.speech, true)) f.emit(intent::ToggleSpeech{});
  if (st.speech) {
    auto flow = f.begin_flow();
    if (f.flow_button(flow, "settings.slower", "Slower")) f.emit(intent::Rate{-20});
    if (f.flow_button(flow, "settings.faster", "Faster")) f.emit(intent::Rate{+20});
    if (f.flow_button(flow, "settings.quieter", "Quieter")) f.emit(intent::Volume{-20});
    if (f.flow_button(flow, "settings.louder", "Louder")) f.emit(intent::Volume{+20});
    f.end_flow(flow);
    f.paragraph("settings.now",
                "Speed " + std::to_string(st.rate) + " words a minute, volume " + std::to_string(st.volume) + "%.",
                true, f.fonts.small);
  }
  f.paragraph("settings.keys",
              "Using keys: arrows move, Enter chooses, Escape goes back, F1 or ? tells you where you are.", true,
              f.fonts.small);
  if (f.button("settings.done", "Done", Frame::Style::Primary)) f.emit(intent::ClosePanel{});
}

void draw_help_panel(Frame& f, const AppView&) {
  f.heading("help.h", "Ask staff for help", true);
  if (!f.ui.help_where.empty()) f.paragraph("help.where", f.ui.help_where);
  f.paragraph("help.p",
              "Please ask a member of library staff: they will be happy to help you fill in the survey, "
              "read it to you, or type your answers for you.");
  f.paragraph("help.p2",
              "You can also make the text bigger or hear the questions read aloud with the "
              "\"Text size, colours and speech\" button.",
              true);
  if (f.button("help.close", "Close", Frame::Style::Primary)) f.emit(intent::ClosePanel{});
  ImGui::Dummy(ImVec2(0, f.gap() * 2));
  if (f.button("help.staff", "Staff sign-in", Frame::Style::Quiet)) f.emit(intent::OpenPin{});
}

void draw_idle_panel(Frame& f, const AppView& v) {
  f.heading("idle.h", "Are you still there?", true);
  f.paragraph("idle.p", "For your privacy, your answers will be cleared from the screen in " +
                            std::to_string(std::max(0, v.idle_seconds_left)) + " seconds.");
  if (v.can_extend) {
    if (f.button("idle.more", "I need more time", Frame::Style::Primary)) f.emit(intent::ExtendTime{});
  }
  if (f.button("idle.end", "I have finished: clear the screen")) f.emit(intent::FinishVisit{});
}

void draw_keyboard_panel(Frame& f, const AppView& v) {
  const Question* q = v.survey.find(f.ui.edit_question);
  if (q)
    f.paragraph("kb.q", f.ui.edit_target == TextTarget::Other ? "Please specify:" : v.text(q->text), true,
                f.fonts.small);
  const int limit = !q                                      ? 200
                    : f.ui.edit_target == TextTarget::Other ? q->other_max_length
                                                            : (q->max_length ? q->max_length : 8);
  // The text so far, with a caret.
  f.paragraph("kb.text", f.ui.edit_text + "|", false, f.fonts.body);
  size_t chars = 0;
  for (char c : f.ui.edit_text) chars += (c & 0xC0) != 0x80;
  f.paragraph("kb.count", std::to_string(chars) + " of " + std::to_string(limit) + " characters", true, f.fonts.small);
  // The layout: the visitor's language's, or Latin capitals and digits for a
  // postcode (text_entry.cpp chooses). Keys keep the places their layout
  // gives them, left to right, as on a keyboard printed for it; Shift sits at
  // the start of the last row in the reading direction.
  const KeyboardLayout& layout = v.keyboard ? *v.keyboard : Keyboards::builtin_latin();
  const bool shifted = f.ui.shift && layout.has_shift();
  constexpr int kSlots = 10;  // the keyboard is ten keys wide
  const float avail = ImGui::GetContentRegionAvail().x;
  const float key_w = std::max(48.0f, (avail - 9 * f.gap() * 0.5f) / 10.0f);
  for (size_t r = 0; r < layout.rows.size(); ++r) {
    const auto& row = layout.rows[r];
    const float x0 = ImGui::GetCursorScreenPos().x, y = ImGui::GetCursorScreenPos().y;
    auto slot_x = [&](int slot) { return x0 + static_cast<float>(slot) * (key_w + f.gap() * 0.5f); };
    float h = 0;
    int k = 0;
    if (layout.has_shift() && r + 1 == layout.rows.size()) {
      ImGui::SetCursorScreenPos(ImVec2(slot_x(f.rtl ? kSlots - 2 : 0), y));
      if (f.button("kb.shift", f.ui.shift ? "SHIFT" : "Shift",
                   f.ui.shift ? Frame::Style::Primary : Frame::Style::Normal, key_w * 2 + f.gap() * 0.5f, Role::Key))
        f.emit(intent::KeyboardShift{});
      h = std::max(h, ImGui::GetItemRectSize().y);
      if (!f.rtl) k = 2;
    }
    for (size_t i = 0; i < row.size(); ++i, ++k) {
      const std::string& key = shifted ? layout.shifted[r][i] : row[i];
      ImGui::SetCursorScreenPos(ImVec2(slot_x(k), y));
      // The key types its first layer; text_entry applies Shift.
      if (f.button(key_id(row[i]), key, Frame::Style::Normal, key_w, Role::Key)) f.emit(intent::KeyboardKey{row[i]});
      h = std::max(h, ImGui::GetItemRectSize().y);
    }
    ImGui::SetCursorScreenPos(ImVec2(x0, y + h + f.gap() * 0.5f));
    ImGui::Dummy(ImVec2(0, 0));
  }
  auto flow = f.begin_flow();
  if (f.flow_button(flow, "kb.space", "Space")) f.emit(intent::KeyboardKey{" "});
  if (f.flow_button(flow, "kb.delete", "Delete")) f.emit(intent::KeyboardDelete{});
  if (f.flow_button(flow, "kb.cancel", "Cancel")) f.emit(intent::KeyboardCancel{});
  if (f.flow_button(flow, "kb.done", "Done", Frame::Style::Primary)) f.emit(intent::KeyboardDone{});
  f.end_flow(flow);
}

}  // namespace kiosk::ui
