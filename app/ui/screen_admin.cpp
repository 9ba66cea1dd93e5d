// Admin area: counts, storage, sync health, results as bar charts per
// question (overall or by service point), export to a chosen folder, quit.
#include <cstdio>

#include "screens.hpp"

namespace kiosk::ui {
namespace {

std::string bytes(std::int64_t b) {
  char buf[32];
  if (b >= (1 << 20))
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.0f kB", static_cast<double>(b) / 1024.0);
  return buf;
}

void bar_chart(Frame& f, const QuestionSummary& q, std::int64_t responses, const std::string& id) {
  f.paragraph(id + ".q", q.id + ": " + q.text, false, f.fonts.bold);
  f.paragraph(id + ".n", "Answered by " + std::to_string(q.answered) + " of " + std::to_string(responses), true,
              f.fonts.small);
  const float width = ImGui::GetContentRegionAvail().x;
  const float label_w = width * 0.45f;
  ImFont* font = f.fonts.small;
  for (const auto& o : q.options) {
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const double pct = q.answered ? 100.0 * static_cast<double>(o.count) / static_cast<double>(q.answered) : 0.0;
    char num[48];
    std::snprintf(num, sizeof num, "%lld (%.0f%%)", static_cast<long long>(o.count), pct);
    const ImVec2 ts = text::measure(font, o.label, label_w - 8);
    const float h = std::max(ts.y, font->FontSize) + 8 * f.s();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    text::draw(dl, font, ImVec2(p.x, p.y + 4), col(f.theme.text), o.label, label_w - 8);
    const float bar_max = width - label_w - 170 * f.s();
    const float bw = std::max(2.0f, bar_max * static_cast<float>(pct / 100.0));
    dl->AddRectFilled(ImVec2(p.x + label_w, p.y + 6), ImVec2(p.x + label_w + bw, p.y + h - 6), col(f.theme.bar), 3);
    text::draw(dl, font, ImVec2(p.x + label_w + bw + 10, p.y + 4), col(f.theme.text), num);
    ImGui::Dummy(ImVec2(width, h));
  }
  ImGui::Dummy(ImVec2(0, f.gap()));
}

}  // namespace

void draw_admin(Frame& f, const AppView& v) {
  const AdminView& a = v.admin;
  f.heading("admin.h", "Admin: " + v.config.kiosk_name, true);
  if (!f.ui.notice.empty()) f.paragraph("admin.notice", f.ui.notice, false, f.fonts.bold);
  if (!a.loaded) {
    f.paragraph("admin.loading", "Reading the database...", true);
    return;
  }
  const auto& c = a.counts;
  f.heading("admin.counts.h", "Responses on this kiosk");
  f.paragraph("admin.counts", "Completed: " + std::to_string(c.completed) + "    In progress: " +
                                  std::to_string(c.in_progress) + "    Abandoned: " + std::to_string(c.abandoned));
  f.paragraph("admin.sync.counts", "Waiting to sync: " + std::to_string(c.pending) + "    Synced: " +
                                       std::to_string(c.synced) + "    Conflicts: " + std::to_string(c.conflict));
  // Held back for their content, these wait for a person, not for the network.
  if (c.conflict > 0)
    f.alert("admin.sync.conflicts",
            std::to_string(c.conflict) +
                " responses were not taken by the hub for their content (a conflict or a rejection). They are kept "
                "here. Council IT can list them with \"kiosk-admin conflicts\" and, once resolved at the hub, send "
                "them again with \"kiosk-admin requeue\".");
  f.paragraph("admin.storage", "Storage used: " + bytes(c.file_bytes) + " (" + v.config.database_path + ")", true);

  f.heading("admin.sync.h", "Sync");
  const auto& s = a.sync;
  if (!s.configured) {
    f.paragraph("admin.sync.none",
                "No hub is set up (kiosk.toml [sync] hub_url). Responses stay on this kiosk; export them below.");
  } else {
    f.paragraph("admin.sync.last",
                "Last success: " + (s.last_success_utc.empty() ? std::string("never") : s.last_success_utc));
    if (!c.oldest_pending_utc.empty())
      f.paragraph("admin.sync.oldest", "Oldest waiting: completed " + c.oldest_pending_utc);
    if (!s.last_error.empty())
      f.alert("admin.sync.error", s.last_error);
    else
      f.paragraph("admin.sync.ok", "Sync is healthy.", false, f.fonts.bold);
    if (f.button("admin.sync.now", "Sync now")) f.emit(intent::AdminSyncNow{});
  }

  f.heading("admin.export.h", "Export");
  f.paragraph("admin.export.to", "Save to: " + f.ui.admin_folder, true);
  {
    auto flow = f.begin_flow();
    int i = 0;
    for (const auto& folder : a.folders) {
      const bool chosen = folder == f.ui.admin_folder;
      if (f.flow_button(flow, "admin.folder." + std::to_string(i++), folder,
                        chosen ? Frame::Style::Primary : Frame::Style::Normal, Role::Option, chosen ? "selected" : ""))
        f.emit(intent::AdminFolder{folder});
    }
    f.end_flow(flow);
  }
  {
    auto flow = f.begin_flow();
    if (f.flow_button(flow, "admin.export.csv", "Export CSV", Frame::Style::Normal, Role::Button, {}, !a.busy))
      f.emit(intent::AdminExport{ExportFormat::Csv});
    if (f.flow_button(flow, "admin.export.jsonl", "Export JSON Lines", Frame::Style::Normal, Role::Button, {}, !a.busy))
      f.emit(intent::AdminExport{ExportFormat::Jsonl});
    if (f.flow_button(flow, "admin.export.codebook", "Export codebook", Frame::Style::Normal, Role::Button, {},
                      !a.busy))
      f.emit(intent::AdminExport{ExportFormat::Codebook});
    f.end_flow(flow);
  }

  f.heading("admin.results.h", "Results");
  if (a.summary) {
    {
      auto flow = f.begin_flow();
      const bool all = f.ui.admin_service_point.empty();
      if (f.flow_button(flow, "admin.sp.all", "All service points", all ? Frame::Style::Primary : Frame::Style::Normal,
                        Role::Option, all ? "selected" : ""))
        f.emit(intent::AdminServicePoint{""});
      for (const auto& [sp, t] : a.summary->by_service_point) {
        const bool on = f.ui.admin_service_point == sp;
        const ServicePoint* p = v.config.find_service_point(sp);
        if (f.flow_button(flow, "admin.sp." + sp, (p ? p->name : sp) + " (" + std::to_string(t.responses) + ")",
                          on ? Frame::Style::Primary : Frame::Style::Normal, Role::Option, on ? "selected" : ""))
          f.emit(intent::AdminServicePoint{sp});
      }
      f.end_flow(flow);
    }
    const ResultsTable* t = &a.summary->overall;
    if (auto it = a.summary->by_service_point.find(f.ui.admin_service_point); it != a.summary->by_service_point.end())
      t = &it->second;
    f.paragraph("admin.results.n", std::to_string(t->responses) + " completed responses.", false, f.fonts.bold);
    if (!v.survey.age_question.empty())
      f.paragraph("admin.results.age", "Representativeness: see " + v.survey.age_question + " (age bands) below.",
                  true);
    for (const auto& q : t->questions)
      if (!q.options.empty()) bar_chart(f, q, t->responses, "admin.chart." + q.id);
  }
}

void draw_admin_nav(Frame& f, const AppView&, Frame::Flow& flow) {
  if (f.flow_button(flow, "nav.refresh", "Refresh")) f.emit(intent::AdminRefresh{});
  if (f.flow_button(flow, "nav.home", "Leave admin", Frame::Style::Primary)) f.emit(intent::Home{});
  if (f.flow_button(flow, "nav.quit", "Quit the kiosk program")) f.emit(intent::Quit{});
}

}  // namespace kiosk::ui
