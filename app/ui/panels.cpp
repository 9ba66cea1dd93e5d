// Panels over any screen: accessibility settings, help, the idle warning and
// the on-screen keyboard. (The help bar that opens them is drawn by chrome.cpp.)
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
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

namespace {

// The keyboard's parts, top to bottom: the question's first lines, the text
// box, the count, the keys. Nothing slides but the text inside its box, so
// the keys never move as the text wraps (their places depend only on the
// panel and the layout). Keys are as tall as a target should be when that
// fits; else the question and the box give up lines first, then the keys
// shrink, never below a finger's width.
struct KeyboardPlan {
  int question_lines = 0, box_lines = 0;
  float question_line_h = 0, box_line_h = 0, box_pad = 0, key_h = 0, key_w = 0, gap = 0;
  ImFont* key_font = nullptr;
  bool space_own_row = false;
  int rows = 0;
};

KeyboardPlan plan_keyboard(const Frame& f, const KeyboardLayout& layout, const std::string& question, float width,
                           float question_w, float height) {
  KeyboardPlan p;
  p.gap = std::min(f.gap() * 0.5f, 10.0f);
  p.key_w = (width - 9 * p.gap) / 10.0f;
  // Shift takes two places at the start of the last row, Space the rest of
  // it when three or more are left, else a row of its own.
  const int last_used = static_cast<int>(layout.rows.back().size()) + (layout.has_shift() ? 2 : 0);
  p.space_own_row = !layout.pad && 10 - last_used < 3;
  // The actions (Delete, Cancel, Done) are the last row.
  p.rows = static_cast<int>(layout.rows.size()) + (p.space_own_row ? 1 : 0) + 1;
  // The question's lines beside the count (which takes the first line's end).
  int question_total = 1;
  p.question_line_h = text::measure(f.fonts.small, "0123456789").y;
  if (!question.empty()) {
    question_total = static_cast<int>(text::lines(f.fonts.small, question, question_w).size());
    p.question_line_h = std::max(p.question_line_h, text::measure(f.fonts.small, question, question_w).y /
                                                        static_cast<float>(std::max(1, question_total)));
  }
  // The box's lines are as tall as a line of the layout's own letters.
  std::string letters;
  for (const auto& k : layout.rows[layout.rows.size() > 1 ? 1 : 0]) letters += k;
  p.box_line_h = text::measure(f.fonts.body, letters + "|").y;
  p.box_pad = 6.0f * f.s();
  const float natural = f.min_target();
  const float least = 48.0f;
  // Lines give way before keys shrink: the box's third, the question's
  // second, then the box's second (a Nastaliq line at 200% is as tall as
  // two or three Latin ones).
  for (int config = 0; config < 4; ++config) {
    p.question_lines = std::max(1, std::min(question_total, 2 - config / 2));
    p.box_lines = config == 0 ? 3 : config == 3 ? 1 : 2;
    const float used = static_cast<float>(p.question_lines) * p.question_line_h + p.gap +
                       static_cast<float>(p.box_lines) * p.box_line_h + 2 * p.box_pad + p.gap +
                       static_cast<float>(p.rows - 1) * p.gap;
    const float fit = std::floor((height - used) / static_cast<float>(p.rows));
    p.key_h = std::max(least, std::min(natural, fit));
    if (fit >= natural) break;
  }
  // The caps in the body's bold when they fit the key, else the largest of
  // the bar's sizes that does (at 200% they were 30 px at once), else smaller.
  p.key_font = largest_bar_size(f.fonts, f.fonts.bold->FontSize,
                                [&](ImFont* font) { return font->FontSize + 8.0f * f.s() <= p.key_h; });
  if (!p.key_font) p.key_font = f.fonts.small;
  return p;
}

}  // namespace

void draw_keyboard_panel(Frame& f, const AppView& v) {
  const Question* q = v.survey.find(f.ui.edit_question);
  const std::string question = !q                                      ? std::string()
                               : f.ui.edit_target == TextTarget::Other ? v.tr("kb.specify")
                                                                       : v.text(q->text);
  const int limit = !q ? 200 : edit_limit(*q, f.ui.edit_target);
  const KeyboardLayout& layout = v.keyboard ? *v.keyboard : Keyboards::builtin_latin();
  ImGuiWindow* win = ImGui::GetCurrentWindow();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = win->DC.TextWrapPos - ImGui::GetCursorPosX();
  const float height = win->Pos.y + win->Size.y - origin.y;
  size_t chars = 0;
  for (char c : f.ui.edit_text) chars += (c & 0xC0) != 0x80;
  // A number's box says what it takes ("A whole number. From 0 to 31.")
  // where a text's counts its characters.
  const bool number = q && q->is_number() && f.ui.edit_target == TextTarget::Answer;
  const bool date = is_date_part(f.ui.edit_target);
  const std::string count = date ? v.tr(f.ui.edit_target == TextTarget::DateDay     ? "q.date.day"
                                        : f.ui.edit_target == TextTarget::DateMonth ? "q.date.month"
                                                                                    : "q.date.year")
                            : number
                                ? number_words(v, *q, false)
                                : v.tr("kb.count", {{"n", std::to_string(chars)}, {"limit", std::to_string(limit)}});
  // As wide as it will ever be, so the question's lines never change as it counts.
  const float count_w =
      number || date ? std::min(width * 0.5f, text::width(f.fonts.small, count))
                     : text::width(f.fonts.small,
                                   v.tr("kb.count", {{"n", std::to_string(limit)}, {"limit", std::to_string(limit)}}));
  const KeyboardPlan p = plan_keyboard(f, layout, question, width, width - count_w - f.gap(), height);
  float y = origin.y;
  // Shown whole lines of a text in a box of its own (the a11y tree gets the
  // part in view from the box's clip).
  auto boxed = [&](const char* box, const char* id, const std::string& text, ImVec2 at, ImVec2 size, ImFont* font,
                   bool muted) {
    ImGui::SetCursorScreenPos(at);
    ImGui::BeginChild(box, size, false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse |
                          ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoNav);
    f.paragraph(id, text, muted, font);
  };

  // The question's first lines (speech says it all), and the count at the
  // end of the first line, in the reading direction.
  const float count_x = f.rtl ? origin.x : origin.x + width - count_w;
  const float question_x = f.rtl ? origin.x + count_w + f.gap() : origin.x;
  if (!question.empty()) {
    boxed("kb.qbox", "kb.q", question, ImVec2(question_x, y),
          ImVec2(width - count_w - f.gap(), static_cast<float>(p.question_lines) * p.question_line_h), f.fonts.small,
          true);
    ImGui::EndChild();
  }
  boxed("kb.countbox", "kb.count", count, ImVec2(count_x, y), ImVec2(count_w + 1, p.question_line_h), f.fonts.small,
        true);
  ImGui::EndChild();
  y += static_cast<float>(p.question_lines) * p.question_line_h + p.gap;

  // The text so far, with a caret, in a box of fixed height that shows its
  // end as it grows; a finger slides it to read back.
  const float box_h = static_cast<float>(p.box_lines) * p.box_line_h + 2 * p.box_pad;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(origin.x, y), ImVec2(origin.x + width, y + box_h), col(f.theme.button), 8.0f * f.s());
  dl->AddRect(ImVec2(origin.x, y), ImVec2(origin.x + width, y + box_h), col(f.theme.button_edge), 8.0f * f.s(), 0,
              std::max(2.0f, 2.0f * f.s()));
  const float pad_x = std::max(p.box_pad, 12.0f * f.s());
  const ImVec2 inner(width - 2 * pad_x, box_h - 2 * p.box_pad);
  const std::string typed = f.ui.edit_text + "|";
  boxed("kb.box", "kb.text", typed, ImVec2(origin.x + pad_x, y + p.box_pad), inner, f.fonts.body, false);
  // Its last lines in view, as many as the box holds whole, from its top:
  // the box is as tall as the layout's own lines, and Latin typed on the Urdu
  // keyboard has shorter ones. Room below the text lets the slide reach that.
  const float total = text::measure(f.fonts.body, typed, inner.x).y;
  const float line_h =
      total / static_cast<float>(std::max<size_t>(1, text::lines(f.fonts.body, typed, inner.x).size()));
  const float shown = std::max(1.0f, std::floor(inner.y / line_h + 0.01f)) * line_h;
  if (shown < inner.y) ImGui::Dummy(ImVec2(1, inner.y - shown));
  touch_scroll();
  ImGuiStorage* store = ImGui::GetStateStorage();
  const ImGuiID len_key = ImGui::GetID("kb.len");
  const int len = static_cast<int>(f.ui.edit_text.size());
  if (store->GetInt(len_key, -1) != len || ImGui::IsWindowAppearing()) {
    // Taken on the next frame (typing draws two).
    store->SetInt(len_key, len);
    ImGui::SetScrollY(std::max(0.0f, total - shown));
  }
  ImGui::EndChild();
  y += box_h + p.gap;

  // The keys keep the places their layout gives them, left to right, as on a
  // keyboard printed for it; Shift sits at the start of the last row in the
  // reading direction, the space bar fills what is left of it. Each cap
  // shows what the key will type next (a capital at a sentence's start).
  const bool shifted = next_key_shifted(f.ui, layout);
  auto slot_x = [&](int slot) { return origin.x + static_cast<float>(slot) * (p.key_w + p.gap); };
  auto span = [&](int slots) { return static_cast<float>(slots) * p.key_w + static_cast<float>(slots - 1) * p.gap; };
  auto key = [&](const std::string& id, const std::string& label, int slot, int slots, float row_y,
                 Frame::Style style = Frame::Style::Normal, Role role = Role::Key) {
    ImGui::SetCursorScreenPos(ImVec2(slot_x(slot), row_y));
    return f.button(id, label, style, span(slots), role, {}, true, p.key_font, p.key_h);
  };
  for (size_t r = 0; r < layout.rows.size(); ++r) {
    const auto& row = layout.rows[r];
    const bool last = r + 1 == layout.rows.size();
    int k = 0;
    int shift_slot = -1;
    if (layout.has_shift() && last) {
      shift_slot = f.rtl ? 8 : 0;
      if (!f.rtl) k = 2;
      if (key("kb.shift", v.tr(f.ui.shift ? "kb.shift.on" : "kb.shift"), shift_slot, 2, y,
              f.ui.shift ? Frame::Style::Primary : Frame::Style::Normal))
        f.emit(intent::KeyboardShift{});
    }
    for (size_t i = 0; i < row.size(); ++i, ++k) {
      // The key types its first layer; text_entry applies Shift. A pad's
      // keys are three places wide, left to right in every language.
      const int slot = layout.pad ? static_cast<int>(i) * 3 : k, slots = layout.pad ? 3 : 1;
      if (key(key_id(row[i]), shifted ? layout.shifted[r][i] : row[i], slot, slots, y))
        f.emit(intent::KeyboardKey{row[i]});
    }
    if (last && !p.space_own_row && !layout.pad) {
      const int free_end = shift_slot == 8 ? 8 : 10;
      if (key("kb.space", v.tr("kb.space"), k, free_end - k, y)) f.emit(intent::KeyboardKey{" "});
    }
    y += p.key_h + p.gap;
  }
  if (p.space_own_row) {
    if (key("kb.space", v.tr("kb.space"), 2, 6, y)) f.emit(intent::KeyboardKey{" "});
    y += p.key_h + p.gap;
  }
  // The actions, Done at the end in the reading direction: never slid away
  // however much is typed.
  auto at = [&](int slot, int slots) { return f.rtl ? 10 - slot - slots : slot; };
  if (key("kb.delete", v.tr("kb.delete"), at(0, 3), 3, y, Frame::Style::Normal, Role::Button))
    f.emit(intent::KeyboardDelete{});
  if (key("kb.cancel", v.tr("kb.cancel"), at(3, 3), 3, y, Frame::Style::Normal, Role::Button))
    f.emit(intent::KeyboardCancel{});
  if (key("kb.done", v.tr("kb.done"), at(6, 4), 4, y, Frame::Style::Primary, Role::Button))
    f.emit(intent::KeyboardDone{});
  y += p.key_h + p.gap;
  ImGui::SetCursorScreenPos(ImVec2(origin.x, y - p.gap));
  ImGui::Dummy(ImVec2(0, 0));
}

}  // namespace kiosk::ui
