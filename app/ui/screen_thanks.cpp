// Thank you: shown once the response is saved; returns home by itself.
#include "screens.hpp"

namespace kiosk::ui {

void draw_thanks(Frame& f, const AppView& v) {
  if (heading_and_paragraphs(f, "thanks", v.text(v.survey.thank_you), true) == 0)
    f.heading("thanks.h", "Thank you. Your answers have been saved.", true);
  ImGui::Dummy(ImVec2(0, f.gap()));
  if (f.button("thanks.home", "Finish", Frame::Style::Primary)) f.emit(intent::Home{});
  f.paragraph("thanks.auto", "This screen will clear by itself in a few seconds.", true, f.fonts.small);
}

}  // namespace kiosk::ui
