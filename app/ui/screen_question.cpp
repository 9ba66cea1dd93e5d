// One question per screen: section heading and intro on a section's first
// question, the question, its answers as large buttons, a box for "Other",
// Back and Next. No question numbers, ever.
#include <sstream>

#include "screens.hpp"

namespace kiosk::ui {

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
  if (!sec.heading.empty()) f.paragraph("q.section", v.text(sec.heading), true, f.fonts.bold);
  if (first_in_section && !sec.intro.empty()) f.paragraph("q.intro", v.text(sec.intro), true);
  if (!q.title.empty()) f.heading("q.title", v.text(q.title));
  // Lines starting with "- " in a question are shown as a list.
  std::istringstream in(v.text(q.text));
  std::string line, para;
  int n = 0;
  auto flush = [&](bool bullet) {
    if (para.empty()) return;
    if (q.title.empty() && n == 0 && !bullet)
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
  if (!q.hint.empty()) f.paragraph("q.hint", v.text(q.hint), true);
  if (!q.required) f.paragraph("q.optional", "You can skip this question.", true, f.fonts.small);
  if (!f.ui.error.empty()) f.alert("q.error", f.ui.error);

  const Answer* a = s.answer_for(q.id);
  if (q.has_options()) {
    const bool multiple = q.type == QuestionType::Multiple;
    for (const auto& o : q.options) {
      const bool chosen = a && a->has(o.code);
      if (f.option("opt." + o.code, v.text(o.label), chosen, multiple))
        f.emit(multiple ? Intent{intent::Toggle{q.id, o.code}} : Intent{intent::Choose{q.id, o.code}});
    }
    if (const Option* other = q.other_option(); other && a && a->has(other->code)) {
      if (f.text_box("q.other", "Please specify", a->other_text, "Touch here to type"))
        f.emit(intent::OpenKeyboard{q.id, TextTarget::Other});
    }
  } else {
    const std::string placeholder = q.type == QuestionType::Postcode
                                        ? "Touch here to type your postcode, for example BL9 0SW"
                                        : "Touch here to type";
    if (f.text_box("q.textbox", q.type == QuestionType::Postcode ? "Postcode" : "Your answer", a ? a->text : "",
                   placeholder))
      f.emit(intent::OpenKeyboard{q.id, TextTarget::Answer});
    if (q.type == QuestionType::Text)
      f.paragraph("q.limit", "Up to " + std::to_string(q.max_length) + " characters.", true, f.fonts.small);
  }
}

void draw_question_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  const Session& s = *v.session;
  if (f.flow_button(flow, "nav.back", "Back")) f.emit(intent::Back{});
  const auto p = s.progress();
  const bool last = p.position == p.total;
  if (f.flow_button(flow, "nav.next", last ? "Next: check your answers" : "Next", Frame::Style::Primary))
    f.emit(intent::Next{});
}

}  // namespace kiosk::ui
