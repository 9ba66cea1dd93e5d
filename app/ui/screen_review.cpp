// Review before submitting: every answer with a way to change it. Nothing is
// asked twice (A12): changing an answer returns here.
#include "screens.hpp"

namespace kiosk::ui {

std::string describe_answer(const AppView& v, const Question& q, const Answer* a) {
  if (!a || a->empty()) return v.tr("review.not_answered");
  if (q.type == QuestionType::Date) return display_date(a->text);
  if (!q.has_options()) return a->text;
  std::string s;
  for (const auto& code : a->choices) {
    const Option* o = q.find_option(code);
    std::string label = o ? v.text(o->label) : code;
    if (o && o->other && !a->other_text.empty()) label += ": " + a->other_text;
    s += (s.empty() ? "" : "; ") + label;
  }
  return s;
}

void draw_review(Frame& f, const AppView& v) {
  const Session& s = *v.session;
  f.heading("review.h", v.tr("review.h"), true);
  // With speech on, the visitor may be using keys: the words say what keys do.
  f.paragraph("review.p", v.tr(v.settings.speech ? "review.p.keys" : "review.p"));
  if (!f.ui.error.empty()) f.alert("review.error", f.ui.error);
  auto shorten = [](std::string text) {
    if (text.size() > 160) text = text.substr(0, text.rfind(' ', 157)) + "...";
    for (auto& c : text)
      if (c == '\n') c = ' ';
    return text;
  };
  for (const Question* q : s.visible_questions()) {
    if (!q->takes_answer()) continue;  // a note: nothing to review
    // A matrix's words once, above its items.
    if (const Matrix* m = v.survey.matrix_of(*q); m && m->items.front() == q->index)
      f.paragraph("review.m." + m->id,
                  shorten(!m->title.empty() ? v.text(m->title) + ": " + v.text(m->text) : v.text(m->text)), true,
                  f.fonts.small);
    const std::string question = !q->title.empty() ? v.text(q->title) + ": " + v.text(q->text) : v.text(q->text);
    f.paragraph("review.q." + q->id, shorten(question), true, f.fonts.small);
    const std::string answer = describe_answer(v, *q, s.answer_for(q->id));
    if (f.button("review.a." + q->id, v.tr("review.change", {{"answer", answer}}), Frame::Style::Normal, 0,
                 Role::Button, v.tr("review.change.value")))
      f.emit(intent::Edit{q->id});
    ImGui::Dummy(ImVec2(0, f.gap() * 0.5f));
  }
}

void draw_review_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.back", v.tr("nav.back"))) f.emit(intent::Back{});
  if (f.flow_button(flow, "nav.submit", v.tr("nav.send"), Frame::Style::Primary)) f.emit(intent::Submit{});
}

}  // namespace kiosk::ui
