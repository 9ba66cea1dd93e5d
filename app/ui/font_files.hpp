// Font files found through fontconfig, by family name, so the kiosk uses the
// fonts the system's packages installed (fonts-dejavu-core,
// fonts-opendyslexic, and later Noto per script) wherever they put them.
#pragma once

#include <map>
#include <string>

#include "kiosk/result.hpp"

namespace kiosk::ui {

class FontFinder {
 public:
  // The file of `family` in the given weight. An error (kind NotFound) if
  // fontconfig has no such family: its nearest match would be another font.
  Result<std::string> find(const std::string& family, bool bold);

 private:
  std::map<std::string, std::string> found_;  // "family|weight" -> file: fontconfig is asked once
};

}  // namespace kiosk::ui
