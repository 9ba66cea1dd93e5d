// What the kiosk reads from disk as it starts, beside kiosk.toml: the
// information pages, where the keyboard layouts are, and a stamp of the
// council's key file (to notice a new key between visits). Errors name the
// file at fault.
#pragma once

#include <string>
#include <vector>

#include "kiosk/config.hpp"
#include "kiosk/result.hpp"
#include "markdown.hpp"

namespace kiosk::ui {

// "FILE: reason", once, whether or not the layer below already named it.
Error about(const std::string& file, Error e);

// Information pages: every .md in the pages folder (not its subfolders), in
// name order; the folder must exist. A NAME.LOCALE.md is NAME.md translated;
// one with no NAME.md beside it is refused.
Result<std::vector<LocalPage>> load_pages(const KioskConfig& cfg);

// The keyboards folder beside kiosk.toml, as installed, else beside the
// information pages (with neither, the built-in Latin layout serves).
std::string keyboards_dir(const KioskConfig& cfg);

// Size, change time and inode: a key written beside and renamed over changes all.
std::string file_stamp(const std::string& path);

}  // namespace kiosk::ui
