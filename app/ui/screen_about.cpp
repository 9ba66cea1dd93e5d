// Before the first question: why the council asks (the survey's intro) and
// what is collected and kept (the privacy notice).
#include <sstream>

#include "screens.hpp"

namespace kiosk::ui {
// The first paragraph of a text is its heading; the rest are paragraphs.
int heading_and_paragraphs(Frame& f, const std::string& prefix, const std::string& text, bool big) {
  std::istringstream in(text);
  std::string para, line;
  int n = 0;
  auto flush = [&] {
    if (para.empty()) return;
    if (n == 0)
      f.heading(prefix + ".h", para, big);
    else
      f.paragraph(prefix + "." + std::to_string(n), para);
    ++n;
    para.clear();
  };
  while (std::getline(in, line)) {
    if (line.empty())
      flush();
    else
      para += (para.empty() ? "" : " ") + line;
  }
  flush();
  return n;
}

void draw_about(Frame& f, const AppView& v) { heading_and_paragraphs(f, "about", v.text(v.survey.intro), false); }

void draw_about_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.back", v.tr("nav.back"), Frame::Style::Normal)) f.emit(intent::Back{});
  if (f.flow_button(flow, "nav.next", v.tr("nav.continue"), Frame::Style::Primary)) f.emit(intent::ShowPrivacy{});
}

void draw_privacy(Frame& f, const AppView& v) { heading_and_paragraphs(f, "privacy", v.text(v.survey.privacy), false); }

void draw_privacy_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.back", v.tr("nav.back"), Frame::Style::Normal)) f.emit(intent::Back{});
  if (f.flow_button(flow, "nav.next", v.tr("nav.start"), Frame::Style::Primary)) f.emit(intent::BeginQuestions{});
}

}  // namespace kiosk::ui
