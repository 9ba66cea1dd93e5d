#include "admin.hpp"

#include <glob.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "kiosk/export.hpp"

namespace kiosk::ui {
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

// Figures for the admin screen, read on a worker thread with its own connection.
AdminView read_admin_figures(const std::string& db, const Survey& survey) {
  AdminView a;
  auto store = Store::open(db, db::OpenMode::ReadWrite);
  if (!store) return a;
  if (auto c = (*store)->counts(); c) a.counts = *c;
  if (auto sm = summarise(**store, survey, survey.default_locale); sm) a.summary = std::move(sm).value();
  // USB sticks first, then the kiosk's own export folder.
  for (const char* pattern : {"/media/*/*", "/run/media/*/*", "/media/usb*"}) {
    glob_t g{};
    if (glob(pattern, GLOB_ONLYDIR, nullptr, &g) == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i) a.folders.push_back(g.gl_pathv[i]);
    globfree(&g);
  }
  a.loaded = true;
  return a;
}

void load_admin(AppState& s) {
  if (s.jobs->pending(JobQueue::Kind::AdminFigures)) return;
  s.jobs->post(JobQueue::Kind::AdminFigures,
               [db = s.config.database_path, survey = *s.survey, state = &s]() -> JobQueue::Finish {
                 auto figures = std::make_shared<AdminView>(read_admin_figures(db, survey));
                 return [state, figures] {
                   figures->folders.push_back(default_export_folder());
                   figures->busy = state->admin.busy;  // an export still running stays running
                   state->admin = std::move(*figures);
                   state->redraw();
                 };
               });
}

// What an export did, put into words on the UI thread (in the kiosk's language then).
struct ExportOutcome {
  std::string path, failure;  // failure: empty when it worked
  long long responses = -1;   // -1: the codebook
  std::string words(const AppState& s) const {
    if (!failure.empty()) return s.tr("admin.export.failed", {{"reason", failure}});
    if (responses < 0) return s.tr("admin.export.codebook.done", {{"path", path}});
    return s.tr("admin.export.done", {{"n", std::to_string(responses)}, {"path", path}});
  }
};

ExportOutcome run_export(const std::string& folder, const std::string& kiosk, const std::string& stamp,
                         ExportFormat format, const std::string& db, const Survey& survey) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  const bool codebook = format == ExportFormat::Codebook;
  const std::string path = folder + "/" + kiosk + "-" + (codebook ? "codebook" : "responses") + "-" + stamp +
                           (format == ExportFormat::Jsonl ? ".jsonl" : ".csv");
  if (codebook) {
    auto st = export_codebook(survey, path);
    return st ? ExportOutcome{path, {}, -1} : ExportOutcome{path, st.message(), -1};
  }
  // Responses leave the kiosk only sealed (CSV and JSON Lines alike): the
  // council opens the folder with `kiosk-admin open --key`.
  auto store = Store::open(db, db::OpenMode::ReadWrite);  // this thread's own connection
  if (!store) return ExportOutcome{path, store.message(), 0};
  const std::string dir = folder + "/" + kiosk + "-responses-" + stamp + ".sealed";
  auto e = export_sealed(**store, survey, kiosk, dir, stamp);
  return e ? ExportOutcome{dir, {}, static_cast<long long>(e->responses)} : ExportOutcome{dir, e.message(), 0};
}

}  // namespace

std::string default_export_folder() {
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/tmp") + "/kiosk-exports";
}

void open_admin(AppState& s) {
  s.ui.admin = true;
  s.ui.screen = Screen::Admin;
  s.ui.scroll_to_top = true;
  s.ui.focus.clear();
  s.admin = AdminView{};
  load_admin(s);
}

void on(AppState& s, const intent::AdminFolder& in) { s.ui.admin_folder = in.path; }
void on(AppState& s, const intent::AdminServicePoint& in) { s.ui.admin_service_point = in.id; }
void on(AppState& s, const intent::AdminRefresh&) { load_admin(s); }

void on(AppState& s, const intent::AdminSyncNow&) {
  if (s.sync) s.sync->sync_now();
  s.ui.notice = s.tr("admin.sync.busy");
}

void on(AppState& s, const intent::AdminExport& in) {
  if (s.jobs->pending(JobQueue::Kind::Export)) return;
  std::string stamp = format_utc(s.clock.now());
  stamp.erase(std::remove_if(stamp.begin(), stamp.end(), [](char c) { return c == '-' || c == ':'; }), stamp.end());
  s.ui.notice = s.tr("admin.export.busy");
  s.admin.busy = true;  // the export buttons wait until this one is written
  s.jobs->post(JobQueue::Kind::Export,
               [folder = s.ui.admin_folder, kiosk = s.config.kiosk_id, stamp, format = in.format,
                db = s.config.database_path, survey = *s.survey, state = &s]() -> JobQueue::Finish {
                 ExportOutcome outcome = run_export(folder, kiosk, stamp, format, db, survey);
                 return [state, outcome] {
                   state->admin.busy = false;
                   const std::string notice = outcome.words(*state);
                   state->ui.notice = notice;
                   state->say(notice);
                   state->redraw();
                   load_admin(*state);
                 };
               });
}

void on(AppState& s, const intent::Quit&) {
  if (s.ui.screen == Screen::Admin) s.ui.quit = true;
}

void follow_sync_status(AppState& s) {
  if (s.ui.screen == Screen::Admin && s.sync) {
    const auto st = s.sync->status();
    if (st.last_attempt_utc != s.admin.sync.last_attempt_utc || st.last_error != s.admin.sync.last_error ||
        st.pending != s.admin.sync.pending) {
      s.admin.sync = st;
      s.admin.counts.pending = st.pending;
      s.admin.counts.synced = st.synced;
      s.redraw(1);
    }
  }
}

}  // namespace kiosk::ui
