#include "admin.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "kiosk/export.hpp"

namespace kiosk::ui {
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

// A folder another filesystem is mounted on: a stick that is there, not the
// empty folder a stick leaves behind on the kiosk's own disk.
bool is_mount_point(const std::string& path) {
  struct stat here {
  }, up{};
  if (::stat(path.c_str(), &here) != 0 || !S_ISDIR(here.st_mode)) return false;
  if (::stat((path + "/..").c_str(), &up) != 0) return false;
  return here.st_dev != up.st_dev;
}

// USB sticks mounted for the kiosk (library-kiosk-usb@.service mounts each
// in a folder of usb_folder), then any a desktop's automounter made (a
// developer's machine): only folders with a filesystem mounted on them.
std::vector<ExportFolder> find_usb_sticks(const std::string& usb_folder) {
  std::vector<ExportFolder> out;
  std::vector<std::string> candidates;
  for (const std::string& pattern : {usb_folder + "/*", std::string("/media/*/*"), std::string("/run/media/*/*")}) {
    glob_t g{};
    if (glob(pattern.c_str(), GLOB_ONLYDIR, nullptr, &g) == 0)
      for (size_t i = 0; i < g.gl_pathc; ++i) candidates.push_back(g.gl_pathv[i]);
    globfree(&g);
  }
  for (const auto& path : candidates) {
    if (!is_mount_point(path)) continue;
    if (std::any_of(out.begin(), out.end(), [&](const ExportFolder& f) { return f.path == path; })) continue;
    std::error_code ec;
    const auto space = fs::space(path, ec);
    out.push_back({path, fs::path(path).filename().string(), true, ec ? 0 : space.available});
  }
  return out;
}

// Figures for the admin screen, read on a worker thread with its own connection.
AdminView read_admin_figures(const std::string& db, const Survey& survey, const std::string& usb_folder) {
  AdminView a;
  auto store = Store::open(db, db::OpenMode::ReadWrite);
  if (!store) return a;
  if (auto c = (*store)->counts(); c) a.counts = *c;
  if (auto sm = summarise(**store, survey, survey.default_locale); sm) a.summary = std::move(sm).value();
  a.folders = find_usb_sticks(usb_folder);  // then the kiosk's own export folder (UI thread)
  a.loaded = true;
  return a;
}

void load_admin(AppState& s) {
  if (s.jobs->pending(JobQueue::Kind::AdminFigures)) return;
  s.jobs->post(
      JobQueue::Kind::AdminFigures,
      [db = s.config.database_path, survey = *s.survey, usb = s.config.usb_folder, state = &s]() -> JobQueue::Finish {
        auto figures = std::make_shared<AdminView>(read_admin_figures(db, survey, usb));
        return [state, figures] {
          const std::string own = default_export_folder();
          figures->folders.push_back({own, own, false, 0});
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
  bool stick = false;         // written through to a USB stick, which may now be taken out
  std::string words(const AppState& s) const {
    if (!failure.empty()) return s.tr("admin.export.failed", {{"reason", failure}});
    std::string w = responses < 0 ? s.tr("admin.export.codebook.done", {{"path", path}})
                                  : s.tr("admin.export.done", {{"n", std::to_string(responses)}, {"path", path}});
    if (stick) w += " " + s.tr("admin.export.stick.done");
    return w;
  }
};

ExportOutcome write_export(const std::string& folder, const std::string& kiosk, const std::string& stamp,
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

// An export, then written through to its device: on a USB stick, staff are
// told they may take it out only once nothing of it waits in memory.
ExportOutcome run_export(const std::string& folder, const std::string& kiosk, const std::string& stamp,
                         ExportFormat format, const std::string& db, const Survey& survey) {
  ExportOutcome out = write_export(folder, kiosk, stamp, format, db, survey);
  if (!out.failure.empty()) return out;
  if (auto st = sync_to_device(out.path); !st) {
    out.failure = st.message();
    return out;
  }
  out.stick = is_mount_point(folder);
  return out;
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
    auto as_of = [](const sync::SyncStatus& x) { return x.figures ? x.figures->as_of_utc : std::string(); };
    if (st.last_attempt_utc != s.admin.sync.last_attempt_utc || st.last_error != s.admin.sync.last_error ||
        st.pending != s.admin.sync.pending || as_of(st) != as_of(s.admin.sync) || !(st.line == s.admin.sync.line)) {
      s.admin.sync = st;
      s.admin.counts.pending = st.pending;
      s.admin.counts.synced = st.synced;
      s.redraw(1);
    }
  }
}

}  // namespace kiosk::ui
