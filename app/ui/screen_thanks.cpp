// Thank you: shown once the response is saved; returns home by itself.
#include <sstream>

#include "screens.hpp"

namespace kiosk::ui {

void draw_thanks(Frame& f, const AppView& v) {
  std::istringstream in(v.text(v.survey.thank_you));
  std::string line, para;
  int n = 0;
  auto flush = [&] {
    if (para.empty()) return;
    if (n == 0) f.heading("thanks.h", para, true);
    else f.paragraph("thanks." + std::to_string(n), para);
    ++n;
    para.clear();
  };
  while (std::getline(in, line)) {
    if (line.empty()) flush();
    else para += (para.empty() ? "" : " ") + line;
  }
  flush();
  if (n == 0) f.heading("thanks.h", "Thank you. Your answers have been saved.", true);
  ImGui::Dummy(ImVec2(0, f.gap()));
  if (f.button("thanks.home", "Finish", Frame::Style::Primary)) f.emit(Intent::Kind::Home);
  f.paragraph("thanks.auto", "This screen will clear by itself in a few seconds.", true, f.fonts.small);
}

}  // namespace kiosk::ui
