// Home (the attract screen): start the survey, information about this
// library and the service. Calm: nothing moves, nothing redraws.
#include <map>

#include "screens.hpp"

namespace kiosk::ui {

void draw_home(Frame& f, const AppView& v) {
  const ServicePoint* sp = v.config.find_service_point(v.config.service_point);
  f.heading("home.welcome", v.tr("home.welcome", {{"place", sp ? sp->name : v.tr("home.welcome.place")}}), true);
  // Start comes straight after the welcome, so it is in view on arrival at every text size.
  if (f.button("home.start", v.tr("home.start", {{"title", v.text(v.survey.title)}}), Frame::Style::Primary))
    f.emit(intent::StartSurvey{});
  ImGui::Dummy(ImVec2(0, f.gap() * 0.5f));
  // Named by its words, not its colour: the colours change with the theme.
  f.paragraph(
      "home.ask",
      v.tr(v.word("survey_topic").empty() ? "home.ask" : "home.ask.topic", {{"topic", v.word("survey_topic")}}) +
          (v.survey.minutes > 0 ? " " + v.tr("home.minutes", {{"n", std::to_string(v.survey.minutes)}}) : "") + " " +
          v.tr("home.touch_start"));
  f.paragraph("home.speech", v.tr("home.speech"), true);
  if (v.survey.locales.size() > 1) {
    // Each language named in itself, so a visitor finds their own.
    static const std::map<std::string, std::string> names = {
        {"en", "English"}, {"cy", "Cymraeg"},  {"pl", "Polski"},   {"ur", "اردو"},     {"pa", "ਪੰਜਾਬੀ"},
        {"gu", "ગુજરાતી"},  {"bn", "বাংলা"},    {"ar", "العربية"},  {"fr", "Français"}, {"es", "Español"},
        {"ro", "Română"},  {"lt", "Lietuvių"}, {"so", "Soomaali"}, {"zh", "中文"}};
    ImGui::Dummy(ImVec2(0, f.gap() * 0.5f));
    // The languages keep their places whichever is chosen (this row does not
    // mirror for a right-to-left one), so a visitor finds theirs again.
    const bool rtl = f.rtl;
    f.rtl = false;
    auto flow = f.begin_flow();
    for (const auto& loc : v.survey.locales) {
      const auto it = names.find(loc);
      const bool on = v.locale == loc;
      // A visitor who needs speech learns before choosing that this language has none.
      // Its catalogue's own name for it ("Polski"), else the table's.
      std::string label = v.catalogue && v.catalogue->find_locale(loc) ? v.catalogue->language_name(loc)
                          : it != names.end()                          ? it->second
                                                                       : loc;
      if (v.speech && !v.speech->has_voice(loc)) label = v.tr("home.lang.no_speech", {{"language", label}});
      if (f.flow_button(flow, "home.lang." + loc, label, on ? Frame::Style::Primary : Frame::Style::Normal,
                        Role::Option, on ? "selected" : ""))
        f.emit(intent::SetLocale{loc});
    }
    f.end_flow(flow);
    f.rtl = rtl;
  }
  ImGui::Dummy(ImVec2(0, f.gap()));
  f.heading("home.info", v.tr("home.info"));
  if (v.service_point_page && f.button("home.here", v.tr("home.here")))
    f.emit(intent::OpenInfo{InfoPage::service_point()});
  if (!v.pages.empty() && f.button("home.service", v.word("information_title")))
    f.emit(intent::OpenInfo{InfoPage::list()});
  ImGui::Dummy(ImVec2(0, f.gap()));
  f.paragraph("home.access", v.tr("home.access"), true);
  // While this visitor's settings are in use, a way to hand the kiosk back as it was (A16).
  if (!(v.settings == VisitorSettings{}) && f.button("home.finish", v.tr("home.finish"))) f.emit(intent::FinishVisit{});
}

}  // namespace kiosk::ui
