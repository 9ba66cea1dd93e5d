// Panels over any screen: accessibility settings, help, the idle warning and
// the on-screen keyboard. (The help bar that opens them is drawn by chrome.cpp.)
#include <algorithm>
#include <vector>

#include "screens.hpp"
#include "text_entry.hpp"

namespace kiosk::ui {

void draw_settings_panel(Frame& f, const AppView& v) {
  const VisitorSettings& st = v.settings;
  f.heading("settings.h", v.tr("settings.h"), true);
  f.paragraph("settings.p", v.tr("settings.p"), true);
  f.paragraph("settings.size", v.tr("settings.size"), false, f.fonts.bold);
  {
    auto flow = f.begin_flow();
    for (int pct : {100, 125, 150, 200}) {
      const bool on = st.text_scale == pct;
      if (f.flow_button(flow, "settings.size." + std::to_string(pct),
                        v.tr("settings.size.pct", {{"n", std::to_string(pct)}}),
                        on ? Frame::Style::Primary : Frame::Style::Normal, Role::Option, on ? "selected" : ""))
        f.emit(intent::TextScale{pct});
    }
    f.end_flow(flow);
  }
  f.paragraph("settings.look", v.tr("settings.look"), false, f.fonts.bold);
  if (f.option("settings.contrast", v.tr("settings.contrast"), st.high_contrast, true))
    f.emit(intent::ToggleContrast{});
  if (f.option("settings.font", v.tr("settings.font"), st.dyslexia_font, true)) f.emit(intent::ToggleFont{});
  f.paragraph("settings.speech.h", v.tr("settings.speech.h"), false, f.fonts.bold);
  if (f.option("settings.speech", v.tr("settings.speech"), st.speech, true)) f.emit(intent::ToggleSpeech{});
  if (st.speech) {
    auto flow = f.begin_flow();
    if (f.flow_button(flow, "settings.slower", v.tr("settings.slower"))) f.emit(intent::Rate{-20});
    if (f.flow_button(flow, "settings.faster", v.tr("settings.faster"))) f.emit(intent::Rate{+20});
    if (f.flow_button(flow, "settings.quieter", v.tr("settings.quieter"))) f.emit(intent::Volume{-20});
    if (f.flow_button(flow, "settings.louder", v.tr("settings.louder"))) f.emit(intent::Volume{+20});
    f.end_flow(flow);
    f.paragraph("settings.now",
                v.tr("settings.now", {{"rate", std::to_string(st.rate)}, {"volume", std::to_string(st.volume)}}), true,
                f.fonts.small);
  }
  f.paragraph("settings.keys", v.tr("settings.keys"), true, f.fonts.small);
}

void draw_settings_actions(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "settings.done", v.tr("settings.done"), Frame::Style::Primary)) f.emit(intent::ClosePanel{});
}

void draw_help_panel(Frame& f, const AppView& v) {
  f.heading("help.h", v.tr("help.h"), true);
  if (!f.ui.help_where.empty()) f.paragraph("help.where", f.ui.help_where);
  f.paragraph("help.p", v.tr("help.p"));
  f.paragraph("help.p2", v.tr("help.p2"), true);
  ImGui::Dummy(ImVec2(0, f.gap() * 2));
  if (f.button("help.staff", v.tr("help.staff"), Frame::Style::Quiet)) f.emit(intent::OpenPin{});
}

void draw_help_actions(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "help.close", v.tr("help.close"), Frame::Style::Primary)) f.emit(intent::ClosePanel{});
}

void draw_idle_panel(Frame& f, const AppView& v) {
  f.heading("idle.h", v.tr("idle.h"), true);
  f.paragraph("idle.p", v.tr("idle.p", {{"n", std::to_string(std::max(0, v.idle_seconds_left))}}));
}

void draw_idle_actions(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (v.can_extend) {
    if (f.flow_button(flow, "idle.more", v.tr("idle.more"), Frame::Style::Primary)) f.emit(intent::ExtendTime{});
  }
  if (f.flow_button(flow, "idle.end", v.tr("idle.end"))) f.emit(intent::FinishVisit{});
}

void draw_keyboard_panel(Frame& f, const AppView& v) {
  const Question* q = v.survey.find(f.ui.edit_question);
  if (q)
    f.paragraph("kb.q", f.ui.edit_target == TextTarget::Other ? v.tr("kb.specify") : v.text(q->text), true,
                f.fonts.small);
  const int limit = !q                                      ? 200
                    : f.ui.edit_target == TextTarget::Other ? q->other_max_length
                                                            : (q->max_length ? q->max_length : 8);
  // The text so far, with a caret.
  f.paragraph("kb.text", f.ui.edit_text + "|", false, f.fonts.body);
  size_t chars = 0;
  for (char c : f.ui.edit_text) chars += (c & 0xC0) != 0x80;
  f.paragraph("kb.count", v.tr("kb.count", {{"n", std::to_string(chars)}, {"limit", std::to_string(limit)}}), true,
              f.fonts.small);
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
      if (f.button("kb.shift", v.tr(f.ui.shift ? "kb.shift.on" : "kb.shift"),
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
}

// The keyboard's actions stay in view however much is typed.
void draw_keyboard_actions(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "kb.space", v.tr("kb.space"))) f.emit(intent::KeyboardKey{" "});
  if (f.flow_button(flow, "kb.delete", v.tr("kb.delete"))) f.emit(intent::KeyboardDelete{});
  if (f.flow_button(flow, "kb.cancel", v.tr("kb.cancel"))) f.emit(intent::KeyboardCancel{});
  if (f.flow_button(flow, "kb.done", v.tr("kb.done"), Frame::Style::Primary)) f.emit(intent::KeyboardDone{});
}

}  // namespace kiosk::ui
