// Thank you: shown once the response is saved; returns home by itself.
#include "screens.hpp"

namespace kiosk::ui {

void draw_thanks(Frame& f, const AppView& v) {
  if (heading_and_paragraphs(f, "thanks", v.text(v.survey.thank_you), true) == 0)
    f.heading("thanks.h", v.tr("thanks.h"), true);
  ImGui::Dummy(ImVec2(0, f.gap()));
  if (f.button("thanks.home", v.tr("thanks.finish"), Frame::Style::Primary)) f.emit(intent::Home{});
  f.paragraph("thanks.auto", v.tr("thanks.auto"), true, f.fonts.small);
}

}  // namespace kiosk::ui
