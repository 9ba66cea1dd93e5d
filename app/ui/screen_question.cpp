// One question per screen: section heading and intro on a section's first
// question, the question, its answers as large buttons, a box for "Other",
// Back and Next. No question numbers, ever.
#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <tuple>

#include "answer_grid.hpp"
#include "screens.hpp"
#include "text_entry.hpp"

namespace kiosk::ui {

namespace {

// A question's words: lines starting with "- " are shown as a list; the
// first paragraph is the heading unless the question has a title.
void draw_words(Frame& f, const AppView& v, const LocalText& title, const LocalText& text, const LocalText& hint,
                bool optional) {
  std::istringstream in(v.text(text));
  std::string line, para;
  int n = 0;
  auto flush = [&](bool bullet) {
    if (para.empty()) return;
    if (title.empty() && n == 0 && !bullet)
      f.heading("q.text", para);
    else
      f.paragraph("q.text" + std::to_string(n), (bullet ? "\xE2\x80\xA2 " : "") + para, false,
                  bullet ? nullptr : f.fonts.bold);
    ++n;
    para.clear();
  };
  while (std::getline(in, line)) {
    const bool bullet = line.rfind("- ", 0) == 0;
    if (bullet) {
      flush(false);
      para = line.substr(2);
      flush(true);
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
  }
  flush(false);
  if (!hint.empty()) f.paragraph("q.hint", v.text(hint), true);
  if (optional) f.paragraph("q.optional", v.tr("q.optional"), true, f.fonts.small);
  if (!f.ui.error.empty()) f.alert("q.error", f.ui.error);
}

// The room below the words on arrival, at the top of the scroll; when the
// words leave too little for a row, the room of the column slid up to the
// answers (less the bands above and below).
float answer_room(const Frame& f, bool* on_arrival) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float view_bottom = dl->GetClipRectMax().y;
  float room = view_bottom - (ImGui::GetCursorScreenPos().y + ImGui::GetScrollY()) - f.gap() * 0.5f;
  *on_arrival = room >= f.min_target() * 1.5f;
  if (!*on_arrival) room = dl->GetClipRectMax().y - dl->GetClipRectMin().y - 2 * f.cue_height();
  return room;
}

// A matrix: its items, each rated on the same answers. Where it fits, a
// table: the answers' words head the columns, each item a row of marks, so
// six items of a five-point scale are all in view at 100% on 1280x800. Where
// it does not (larger text, long words), each item in turn, its name over
// its answers, as a question of its own would show them. Each mark is named
// for speech with its item and its answer ("Books: Agree").
void draw_matrix(Frame& f, const AppView& v, const Question& first, const std::vector<const Question*>& items) {
  const Session& s = *v.session;
  std::vector<std::string> labels;
  for (const auto& o : first.options) labels.push_back(v.text(o.label));
  bool on_arrival = true;
  const float room = answer_room(f, &on_arrival);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  const int n = static_cast<int>(labels.size());
  const float target = 56.0f * std::max(1.0f, f.s() * 0.6f);
  const float pad = 8.0f * f.s();
  auto spoken = [&](const Question& item, size_t k) {
    return v.tr("q.matrix.cell", {{"item", v.text(item.text)}, {"answer", labels[k]}});
  };
  auto chosen = [&](const Question& item, const Option& o) {
    const Answer* a = s.answer_for(item.id);
    return a && a->has(o.code);
  };

  // The table, if its columns take their words whole and it fits the room.
  const float label_w = std::floor(width * 0.34f);
  const float col_w = (width - label_w - static_cast<float>(n) * f.gap() * 0.5f) / static_cast<float>(n);
  float head_h = 0;
  bool table = col_w >= target && words_fit(f, labels, col_w, f.fonts.small);
  // Each heading's and each item's words measured once, for the fit and the drawing.
  std::vector<float> heads, words, row_h;
  if (table) {
    for (const auto& l : labels) {
      heads.push_back(text::measure(f.fonts.small, l, col_w - pad).y);
      head_h = std::max(head_h, heads.back());
    }
    float total = head_h + f.gap() * 0.5f;
    for (const Question* item : items) {
      words.push_back(text::measure(f.fonts.body, v.text(item->text), label_w - 2 * pad).y);
      row_h.push_back(std::max(target, words.back() + 2 * pad));
      total += row_h.back() + row_gap(f);
    }
    table = total - row_gap(f) <= room;
  }
  auto x_of = [&](float x, float w) { return f.rtl ? p0.x + width - x - w : p0.x + x; };
  if (table) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    auto col_x = [&](int k) { return label_w + f.gap() * 0.5f + static_cast<float>(k) * (col_w + f.gap() * 0.5f); };
    for (int k = 0; k < n; ++k) {
      ImGui::SetCursorScreenPos(ImVec2(x_of(col_x(k), col_w), p0.y + head_h - heads[static_cast<size_t>(k)]));
      f.block("mx.head." + first.options[static_cast<size_t>(k)].code, labels[static_cast<size_t>(k)], col_w,
              f.fonts.small, true, false);
    }
    float y = p0.y + head_h + f.gap() * 0.5f;
    for (size_t r = 0; r < items.size(); ++r) {
      const Question& item = *items[r];
      // Every other row shaded, so the eye keeps to a row across the marks.
      if (r % 2 == 0)
        dl->AddRectFilled(ImVec2(p0.x, y - row_gap(f) * 0.5f), ImVec2(p0.x + width, y + row_h[r] + row_gap(f) * 0.5f),
                          col(f.theme.text, 0.06f), 8.0f * f.s());
      ImGui::SetCursorScreenPos(ImVec2(x_of(pad, label_w - 2 * pad), y + (row_h[r] - words[r]) * 0.5f));
      f.block("mx." + item.id, v.text(item.text), label_w - 2 * pad, f.fonts.body, false, false);
      for (int k = 0; k < n; ++k) {
        const Option& o = item.options[static_cast<size_t>(k)];
        ImGui::SetCursorScreenPos(ImVec2(x_of(col_x(k), col_w), y));
        if (f.cell("mx." + item.id + "." + o.code, spoken(item, static_cast<size_t>(k)), chosen(item, o), col_w,
                   row_h[r]))
          f.emit(intent::Choose{item.id, o.code});
      }
      y += row_h[r] + row_gap(f);
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, y));
    ImGui::Dummy(ImVec2(0, f.gap() * 0.5f));
    return;
  }
  // Each item in turn.
  for (const Question* item : items) {
    f.paragraph("mx." + item->id, v.text(item->text), false, f.fonts.bold);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const Grid g = choose_grid(f, *item, labels, width, room, on_arrival);
    for (size_t k = 0; k < item->options.size(); ++k) {
      const Option& o = item->options[k];
      ImGui::SetCursorScreenPos(ImVec2(f.rtl ? at.x + width - g.x[k] - g.w[k] : at.x + g.x[k], at.y + g.y[k]));
      if (f.option("mx." + item->id + "." + o.code, labels[k], chosen(*item, o), false, g.w[k], g.h[k], g.font,
                   spoken(*item, k)))
        f.emit(intent::Choose{item->id, o.code});
    }
    ImGui::SetCursorScreenPos(ImVec2(at.x, at.y + g.height));
    ImGui::Dummy(ImVec2(0, f.gap()));
  }
}

}  // namespace

void draw_question(Frame& f, const AppView& v) {
  const Session& s = *v.session;
  const Question& q = *s.current();
  const Section& sec = v.survey.sections[q.section];
  const auto visible = s.visible_questions();
  const bool first_in_section = !visible.empty() && [&] {
    for (const Question* p : visible)
      if (p->section == q.section) return p->id == q.id;
    return false;
  }();
  // The question's words and its answers are one column, which slides as
  // one: at 200% a long principle puts the answers below, and the band at
  // the column's foot says how many (the chrome draws it, over whatever it
  // cuts, so no line is ever shown cut).
  std::vector<std::string> labels;
  for (const auto& o : q.options) labels.push_back(v.text(o.label));
  if (!sec.heading.empty()) f.paragraph("q.section", v.text(sec.heading), true, f.fonts.bold);
  if (first_in_section && !sec.intro.empty()) f.paragraph("q.intro", v.text(sec.intro), true);
  if (const Matrix* m = v.survey.matrix_of(q)) {
    if (!m->title.empty()) f.heading("q.title", v.text(m->title));
    draw_words(f, v, m->title, m->text, m->hint, !q.required);
    return draw_matrix(f, v, q, s.current_screen());
  }
  if (!q.title.empty()) f.heading("q.title", v.text(q.title));
  if (q.type == QuestionType::Note) {
    // A note is a screen of reading: its paragraphs (split at blank lines)
    // in body text, under the section's heading.
    std::istringstream note(v.text(q.text));
    std::string line, para;
    int k = 0;
    auto put = [&] {
      if (para.empty()) return;
      f.paragraph("q.note" + std::to_string(k++), para, true);
      para.clear();
    };
    while (std::getline(note, line)) {
      if (line.find_first_not_of(" \t") == std::string::npos)
        put();
      else
        para += (para.empty() ? "" : " ") + line;
    }
    put();
    return;
  }
  draw_words(f, v, q.title, q.text, q.hint, !q.required && q.takes_answer());

  const Answer* a = s.answer_for(q.id);
  if (q.has_options()) {
    const bool multiple = q.type == QuestionType::Multiple;
    bool on_arrival = true;
    const float room = answer_room(f, &on_arrival);
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const float grid_w = ImGui::GetContentRegionAvail().x;
    const Grid g = choose_grid(f, q, labels, grid_w, room, on_arrival);
    for (size_t i = 0; i < q.options.size(); ++i) {
      const auto& o = q.options[i];
      // Right to left, the first column is the rightmost (a scale reads from the right).
      const float x = f.rtl ? p0.x + grid_w - g.x[i] - g.w[i] : p0.x + g.x[i];
      ImGui::SetCursorScreenPos(ImVec2(x, p0.y + g.y[i]));
      const bool chosen = a && a->has(o.code);
      if (f.option("opt." + o.code, labels[i], chosen, multiple, g.w[i], g.h[i], g.font))
        f.emit(multiple ? Intent{intent::Toggle{q.id, o.code}} : Intent{intent::Choose{q.id, o.code}});
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, p0.y + g.height));
    ImGui::Dummy(ImVec2(0, f.gap() * 0.6f));
    if (const Option* other = q.other_option(); other && a && a->has(other->code)) {
      if (f.text_box("q.other", v.tr("q.other.label"), a->other_text, v.tr("q.touch_to_type")))
        f.emit(intent::OpenKeyboard{q.id, TextTarget::Other});
    }
  } else if (q.type == QuestionType::Note) {
    // A screen of text: Next goes on.
  } else if (q.type == QuestionType::Date) {
    // Day, month and year, each its own box typed on the pad, in the order a
    // date is written here; each box named aloud.
    std::string hint = v.tr("q.date.hint");
    if (!q.min_date.empty() && !q.max_date.empty())
      hint += " " + v.tr("q.number.range", {{"min", display_date(q.min_date)}, {"max", display_date(q.max_date)}});
    else if (!q.min_date.empty())
      hint += " " + v.tr("q.number.min", {{"min", display_date(q.min_date)}});
    else if (!q.max_date.empty())
      hint += " " + v.tr("q.number.max", {{"max", display_date(q.max_date)}});
    f.paragraph("q.date.hint", hint, true, f.fonts.small);
    const DateParts parts = split_date(a ? a->text : "");
    for (auto [target, id, key] : {std::tuple{TextTarget::DateDay, "q.date.day", "q.date.day"},
                                   std::tuple{TextTarget::DateMonth, "q.date.month", "q.date.month"},
                                   std::tuple{TextTarget::DateYear, "q.date.year", "q.date.year"}}) {
      f.paragraph(std::string(id) + ".label", v.tr(key), false, f.fonts.bold);
      if (f.text_box(id, v.tr(key), date_part(parts, target), v.tr("q.touch_to_type_number")))
        f.emit(intent::OpenKeyboard{q.id, target});
    }
  } else if (q.is_number()) {
    if (f.text_box("q.textbox", v.tr("q.number.label"), a ? a->text : "", v.tr("q.touch_to_type_number")))
      f.emit(intent::OpenKeyboard{q.id, TextTarget::Answer});
    f.paragraph("q.range", number_words(v, q), true, f.fonts.small);
  } else {
    const std::string placeholder = q.type == QuestionType::Postcode && !v.config.deployment.postcode_example.empty()
                                        ? v.tr("q.postcode.hint", {{"example", v.config.deployment.postcode_example}})
                                        : v.tr("q.touch_to_type");
    if (f.text_box("q.textbox", v.tr(q.type == QuestionType::Postcode ? "q.postcode.label" : "q.answer.label"),
                   a ? a->text : "", placeholder))
      f.emit(intent::OpenKeyboard{q.id, TextTarget::Answer});
    if (q.type == QuestionType::Text)
      f.paragraph("q.limit", v.tr("q.limit", {{"n", std::to_string(q.max_length)}}), true, f.fonts.small);
  }
}

// Back on the left, Next on the right; the chrome puts "Question 3 of 21" between.
void draw_question_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  const Session& s = *v.session;
  if (f.flow_button(flow, "nav.back", v.tr("nav.back"))) f.emit(intent::Back{});
  const auto p = s.progress();
  const bool last = p.position == p.total;
  if (f.flow_button(flow, "nav.next", v.tr(last ? "nav.next.review" : "nav.next"), Frame::Style::Primary))
    f.emit(intent::Next{});
}

}  // namespace kiosk::ui
