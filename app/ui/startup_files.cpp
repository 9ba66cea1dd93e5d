#include "startup_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

namespace kiosk::ui {
namespace fs = std::filesystem;

// Start-up errors are printed as "kiosk: <file>: <reason>", so each names the
// file at fault once, whether or not the layer below already did.
Error about(const std::string& file, Error e) {
  if (e.message.rfind(file + ":", 0) != 0) e.message = file + ": " + e.message;
  return e;
}

// Information pages: every .md in the pages folder (not its subfolders), in
// name order. The folder must exist: a typo in kiosk.toml would otherwise
// leave the visitor with no pages and staff with no clue.
// A NAME.LOCALE.md is NAME.md translated; one with no NAME.md beside it is
// refused, as a page nobody could open.
Result<std::vector<LocalPage>> load_pages(const KioskConfig& cfg) {
  std::error_code ec;
  if (!fs::is_directory(cfg.pages_dir, ec))
    return make_error(ErrorKind::Config, cfg.pages_dir + ": the information pages folder does not exist");
  std::vector<std::string> files, translations;
  for (const auto& e : fs::directory_iterator(cfg.pages_dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".md")
      (page_locale(e.path().string()).empty() ? files : translations).push_back(e.path().string());
  if (ec) return make_error(ErrorKind::Config, cfg.pages_dir + ": cannot read the folder (" + ec.message() + ")");
  for (const auto& t : translations) {
    const fs::path own = fs::path(t).parent_path() / (fs::path(t).stem().stem().string() + ".md");
    if (!fs::exists(own, ec))
      return make_error(ErrorKind::Config, t + ": a translation of " + own.filename().string() +
                                               ", which is not in the folder (rename one to match the other)");
  }
  std::sort(files.begin(), files.end());
  std::vector<LocalPage> pages;
  for (const auto& f : files) {
    auto p = load_local_page(f);
    if (!p) return about(f, p.error());
    pages.push_back(std::move(p).value());
  }
  return pages;
}

// The on-screen keyboard layouts: the keyboards folder beside kiosk.toml, as
// installed, else beside the information pages (a kiosk.toml kept elsewhere
// that uses the bundled pages). With neither, the built-in Latin layout serves.
std::string keyboards_dir(const KioskConfig& cfg) {
  std::error_code ec;
  const fs::path beside = fs::path(cfg.config_path).parent_path() / "keyboards";
  if (!cfg.config_path.empty() && fs::is_directory(beside, ec)) return beside.string();
  fs::path pages = fs::path(cfg.pages_dir).lexically_normal();
  if (pages.filename().empty()) pages = pages.parent_path();  // "pages/"
  return (pages.parent_path() / "keyboards").string();
}

// Size, change time and inode: a key written beside and renamed over changes all.
std::string file_stamp(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino);
}

}  // namespace kiosk::ui
