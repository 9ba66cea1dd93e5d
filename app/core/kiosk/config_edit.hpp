// Changing a few settings of a kiosk.toml in place, the way a careful person
// would with an editor: the council's comments, blank lines, order and other
// settings stay exactly as they were; only the values named change (a
// trailing comment on their line stays too). The result must load as a
// configuration before it replaces the file, which is replaced atomically
// (written beside, then renamed) keeping its permissions and owner, since
// it holds secrets.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk {

// Each value is a TOML string, written quoted and escaped; a `literal` one
// (true, false, a number) is written as it is.
struct SettingEdit {
  std::string key, value;
  bool literal = false;
};
using SettingEdits = std::vector<SettingEdit>;

// The text with `section`'s keys set (added at the end of the section, or a
// new section at the end of the file, where missing).
Result<std::string> edit_toml_strings(const std::string& text, const std::string& section, const SettingEdits& edits);

// Edits the file in place; checks the result loads with load_config first.
Status edit_config_file(const std::string& path, const std::string& section, const SettingEdits& edits);

}  // namespace kiosk
