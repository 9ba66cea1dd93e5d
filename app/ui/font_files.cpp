#include "font_files.hpp"

#include <fontconfig/fontconfig.h>

#include <strings.h>
#include <memory>

namespace kiosk::ui {
namespace {
struct PatternFree {
  void operator()(FcPattern* p) const { FcPatternDestroy(p); }
};
using Pattern = std::unique_ptr<FcPattern, PatternFree>;
}  // namespace

Result<std::string> FontFinder::find(const std::string& family, bool bold) {
  const std::string key = family + (bold ? "|bold" : "|regular");
  if (auto it = found_.find(key); it != found_.end()) return it->second;
  if (!FcInit()) return make_error(ErrorKind::Config, "fontconfig could not start (is fontconfig-config installed?)");
  Pattern want(FcPatternCreate());
  FcPatternAddString(want.get(), FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
  FcPatternAddInteger(want.get(), FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
  FcPatternAddInteger(want.get(), FC_SLANT, FC_SLANT_ROMAN);
  // The style name too: some files declare the wrong weight (Debian's Noto
  // Nastaliq Urdu Bold says it is regular), and fontconfig ranks style first.
  FcPatternAddString(want.get(), FC_STYLE, reinterpret_cast<const FcChar8*>(bold ? "Bold" : "Regular"));
  FcConfigSubstitute(nullptr, want.get(), FcMatchPattern);
  FcDefaultSubstitute(want.get());
  FcResult result = FcResultNoMatch;
  Pattern match(FcFontMatch(nullptr, want.get(), &result));
  FcChar8* file = nullptr;
  FcChar8* got_family = nullptr;
  if (!match || FcPatternGetString(match.get(), FC_FILE, 0, &file) != FcResultMatch ||
      FcPatternGetString(match.get(), FC_FAMILY, 0, &got_family) != FcResultMatch)
    return make_error(ErrorKind::NotFound, "font \"" + family + "\": fontconfig found no font at all");
  // fontconfig always answers with its nearest font; another family is not the one asked for.
  bool same = false;
  for (int i = 0; FcPatternGetString(match.get(), FC_FAMILY, i, &got_family) == FcResultMatch; ++i)
    same = same || strcasecmp(reinterpret_cast<const char*>(got_family), family.c_str()) == 0;
  if (!same)
    return make_error(ErrorKind::NotFound, "font \"" + family + "\" is not installed (fontconfig offers \"" +
                                               reinterpret_cast<const char*>(got_family) + "\" instead)");
  std::string path = reinterpret_cast<const char*>(file);
  found_.emplace(key, path);
  return path;
}

}  // namespace kiosk::ui
