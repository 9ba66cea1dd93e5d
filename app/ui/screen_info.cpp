// Information pages (Markdown from kiosk-config/pages): this library's page
// with its opening hours as configured, and the library service's pages.
#include "kiosk/locale.hpp"
#include "screens.hpp"

namespace kiosk::ui {
namespace {

void draw_page(Frame& f, const Page& p, const std::string& prefix) {
  int n = 0;
  for (const auto& b : p.blocks) {
    const std::string id = prefix + "." + std::to_string(n++);
    switch (b.kind) {
      case Block::Kind::Heading: f.heading(id, b.plain(), b.level == 1); break;
      case Block::Kind::Paragraph: {
        bool any_emphasis = false;
        for (const auto& sp : b.spans) any_emphasis = any_emphasis || sp.strong || sp.emphasis;
        if (!any_emphasis) {
          f.paragraph(id, b.plain());
        } else {
          // Strong and emphasised text both show in bold (one typeface, two weights).
          std::vector<std::pair<std::string, bool>> runs;
          for (const auto& sp : b.spans) runs.emplace_back(sp.text, sp.strong || sp.emphasis);
          f.rich_paragraph(id, runs);
        }
        break;
      }
      case Block::Kind::ListItem: {
        const float indent = 28.0f * f.s() * static_cast<float>(b.level);
        ImGui::Indent(indent);
        f.paragraph(id, (b.ordered ? std::to_string(b.number) + ". " : "\xE2\x80\xA2 ") + b.plain());
        ImGui::Unindent(indent);
        break;
      }
    }
  }
}

// A page in the visitor's language, else the kiosk's own with a line saying
// it has not been translated (in the visitor's language).
void draw_local_page(Frame& f, const AppView& v, const LocalPage& p, const std::string& prefix) {
  const bool own_language = locale_language(v.catalogue_locale) == locale_language(v.config.default_locale);
  if (!own_language && !p.has(v.catalogue_locale))
    f.paragraph(prefix + ".untranslated", v.tr("info.untranslated"), true);
  draw_page(f, p.in(v.catalogue_locale), prefix);
}

}  // namespace

void draw_info(Frame& f, const AppView& v) {
  const InfoPage page = f.ui.info_page;
  if (page.kind == InfoPage::Kind::ServicePoint && v.service_point_page) {
    draw_local_page(f, v, *v.service_point_page, "info.here");
    const ServicePoint* sp = v.config.find_service_point(v.config.service_point);
    f.heading("info.hours.h", v.tr("info.hours.h"));
    if (sp && !sp->hours.empty()) {
      int n = 0;
      for (const auto& h : sp->hours) f.paragraph("info.hours." + std::to_string(n++), h);
    } else {
      f.paragraph("info.hours.none", v.tr("info.hours.none"));
    }
    return;
  }
  if (page.kind == InfoPage::Kind::Numbered && page.number < v.pages.size()) {
    draw_local_page(f, v, v.pages[page.number], "info.page");
    return;
  }
  f.heading("info.list.h", v.word("information_title"), true);
  for (size_t i = 0; i < v.pages.size(); ++i)
    if (f.button("info.open." + std::to_string(i), v.pages[i].in(v.catalogue_locale).title))
      f.emit(intent::OpenInfo{InfoPage::numbered(i)});
}

void draw_info_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.ui.info_page.kind == InfoPage::Kind::Numbered && !v.pages.empty()) {
    if (f.flow_button(flow, "nav.back", v.tr(v.settings.text_scale >= 150 ? "nav.back" : "nav.back_to_list")))
      f.emit(intent::OpenInfo{InfoPage::list()});
  }
  if (f.flow_button(flow, "nav.home", v.tr("nav.home"), Frame::Style::Primary)) f.emit(intent::Home{});
}

}  // namespace kiosk::ui
