// Admin area: counts, storage, sync health, results as bar charts per
// question (overall or by service point), export to a chosen folder, quit.
#include <cstdio>

#include "screens.hpp"

namespace kiosk::ui {
namespace {

std::string bytes(const AppView& v, std::int64_t b) {
  char buf[32];
  if (b >= (std::int64_t{1} << 30)) {
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(b) / (1 << 30));
    return v.tr("admin.size.gb", {{"n", buf}});
  }
  if (b >= (1 << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(b) / (1 << 20));
    return v.tr("admin.size.mb", {{"n", buf}});
  }
  std::snprintf(buf, sizeof buf, "%.0f", static_cast<double>(b) / 1024.0);
  return v.tr("admin.size.kb", {{"n", buf}});
}

// Who answered at this service point against who lives in the area, as
// the hub counted at the last sync (held in memory by the sync thread):
// staff see which groups to reach while the consultation runs.
void draw_hub_figures(Frame& f, const AppView& v) {
  const auto& figures = v.admin.sync.figures;
  if (!v.admin.sync.configured) return;
  if (v.admin.sync.openrosa) {
    // Counting who answered needs our hub; an OpenRosa server does not send it.
    f.paragraph("admin.figures.openrosa", v.tr("admin.figures.openrosa"), true);
    return;
  }
  if (!figures) {
    f.paragraph("admin.figures.waiting", v.tr("admin.figures.waiting"), true);
    return;
  }
  f.heading("admin.figures.h", v.tr("admin.figures.h", {{"area", figures->area}}));
  std::string when = figures->as_of_utc.substr(0, 16);  // "2016-07-01T10:02" -> "2016-07-01 10:02"
  if (when.size() > 10 && when[10] == 'T') when[10] = ' ';
  f.paragraph("admin.figures.asof",
              v.tr("admin.figures.asof", {{"time", when}, {"n", std::to_string(figures->responses)}}));
  auto percent = [](double x) {
    char b[16];
    std::snprintf(b, sizeof b, "%.0f%%", 100 * x);
    return std::string(b);
  };
  bool any = false;
  for (const auto& q : figures->questions) {
    const Question* sq = v.survey.find(q.question);
    for (const auto& g : q.groups) {
      if (g.verdict != "under-represented") continue;
      any = true;
      const Option* o = sq ? sq->find_option(g.code) : nullptr;
      f.paragraph("admin.figures.under." + q.question + "." + g.code,
                  v.tr("admin.figures.under", {{"group", o ? v.text(o->label) : g.code},
                                               {"share", percent(g.share)},
                                               {"population", percent(g.population)},
                                               {"more", std::to_string(g.to_close)}}));
    }
  }
  if (!any) f.paragraph("admin.figures.none_under", v.tr("admin.figures.none_under"));
}

}  // namespace

void draw_admin(Frame& f, const AppView& v) {
  const AdminView& a = v.admin;
  f.heading("admin.h", v.tr("admin.h", {{"kiosk", v.config.kiosk_name}}), true);
  if (!f.ui.notice.empty()) f.paragraph("admin.notice", f.ui.notice, false, f.fonts.bold);
  if (!a.loaded) {
    f.paragraph("admin.loading", v.tr("admin.loading"), true);
    return;
  }
  const auto& c = a.counts;
  f.heading("admin.counts.h", v.tr("admin.counts.h"));
  f.paragraph("admin.counts", v.tr("admin.counts", {{"completed", std::to_string(c.completed)},
                                                    {"in_progress", std::to_string(c.in_progress)},
                                                    {"abandoned", std::to_string(c.abandoned)}}));
  f.paragraph("admin.sync.counts", v.tr("admin.sync.counts", {{"pending", std::to_string(c.pending)},
                                                              {"synced", std::to_string(c.synced)},
                                                              {"conflicts", std::to_string(c.conflict)}}));
  // Held back for their content, these wait for a person, not for the network.
  if (c.conflict > 0)
    f.alert("admin.sync.conflicts", v.tr("admin.sync.conflicts", {{"n", std::to_string(c.conflict)}}));
  f.paragraph("admin.storage",
              v.tr("admin.storage", {{"size", bytes(v, c.file_bytes)}, {"path", v.config.database_path}}), true);

  f.heading("admin.sync.h", v.tr("admin.sync.h"));
  const auto& s = a.sync;
  if (!s.configured) {
    f.paragraph("admin.sync.none", v.tr("admin.sync.none"));
  } else {
    f.paragraph("admin.sync.last",
                v.tr("admin.sync.last",
                     {{"when", s.last_success_utc.empty() ? v.tr("admin.sync.never") : s.last_success_utc}}));
    if (!c.oldest_pending_utc.empty())
      f.paragraph("admin.sync.oldest", v.tr("admin.sync.oldest", {{"when", c.oldest_pending_utc}}));
    if (!s.last_error.empty())
      f.alert("admin.sync.error", s.last_error);
    else
      f.paragraph("admin.sync.ok", v.tr("admin.sync.ok"), false, f.fonts.bold);
    // What the kiosk learnt of its line: staff can tell council IT.
    if (s.line.too_slow_for_one)
      f.alert("admin.sync.too_slow", v.tr("admin.sync.too_slow"));
    else if (s.line.slow())
      f.paragraph("admin.sync.slow_line",
                  v.tr("admin.sync.slow_line", {{"rate", bytes(v, static_cast<std::int64_t>(s.line.bytes_per_second))},
                                                {"n", std::to_string(s.line.batch_size)}}));
    if (f.button("admin.sync.now", v.tr("admin.sync.now"))) f.emit(intent::AdminSyncNow{});
  }

  f.heading("admin.export.h", v.tr("admin.export.h"));
  f.paragraph("admin.export.to", v.tr("admin.export.to", {{"folder", f.ui.admin_folder}}), true);
  {
    auto flow = f.begin_flow();
    int i = 0;
    for (const auto& folder : a.folders) {
      const bool chosen = folder.path == f.ui.admin_folder;
      const std::string label =
          folder.stick ? v.tr("admin.folder.stick",
                              {{"name", folder.name}, {"free", bytes(v, static_cast<std::int64_t>(folder.free_bytes))}})
                       : v.tr("admin.folder.kiosk", {{"path", folder.path}});
      if (f.flow_button(flow, "admin.folder." + std::to_string(i++), label,
                        chosen ? Frame::Style::Primary : Frame::Style::Normal, Role::Option, chosen ? "selected" : ""))
        f.emit(intent::AdminFolder{folder.path});
    }
    f.end_flow(flow);
  }
  {
    auto flow = f.begin_flow();
    if (f.flow_button(flow, "admin.export.csv", v.tr("admin.export.csv"), Frame::Style::Normal, Role::Button, {},
                      !a.busy))
      f.emit(intent::AdminExport{ExportFormat::Csv});
    if (f.flow_button(flow, "admin.export.codebook", v.tr("admin.export.codebook"), Frame::Style::Normal, Role::Button,
                      {}, !a.busy))
      f.emit(intent::AdminExport{ExportFormat::Codebook});
    f.end_flow(flow);
  }

  f.heading("admin.results.h", v.tr("admin.results.h"));
  if (a.summary) {
    {
      auto flow = f.begin_flow();
      const bool all = f.ui.admin_service_point.empty();
      if (f.flow_button(flow, "admin.sp.all", v.tr("admin.sp.all"), all ? Frame::Style::Primary : Frame::Style::Normal,
                        Role::Option, all ? "selected" : ""))
        f.emit(intent::AdminServicePoint{""});
      for (const auto& [sp, t] : a.summary->by_service_point) {
        const bool on = f.ui.admin_service_point == sp;
        const ServicePoint* p = v.config.find_service_point(sp);
        if (f.flow_button(flow, "admin.sp." + sp,
                          v.tr("admin.sp", {{"name", p ? p->name : sp}, {"n", std::to_string(t.responses)}}),
                          on ? Frame::Style::Primary : Frame::Style::Normal, Role::Option, on ? "selected" : ""))
          f.emit(intent::AdminServicePoint{sp});
      }
      f.end_flow(flow);
    }
    const ResultsTable* t = &a.summary->overall;
    if (auto it = a.summary->by_service_point.find(f.ui.admin_service_point); it != a.summary->by_service_point.end())
      t = &it->second;
    f.paragraph("admin.results.n", v.tr("admin.results.n", {{"n", std::to_string(t->responses)}}), false, f.fonts.bold);
  }
  // The answers are sealed here, and the kiosk keeps no count of them: results
  // and who answered are read at the hub, or from a sealed export opened on
  // the council's computer.
  f.paragraph("admin.results.sealed", v.tr("admin.results.sealed"), true);
  draw_hub_figures(f, v);
}

void draw_admin_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.refresh", v.tr("admin.refresh"))) f.emit(intent::AdminRefresh{});
  if (f.flow_button(flow, "nav.home", v.tr("admin.leave"), Frame::Style::Primary)) f.emit(intent::Home{});
  if (f.flow_button(flow, "nav.quit", v.tr("admin.quit"))) f.emit(intent::Quit{});
}

}  // namespace kiosk::ui
