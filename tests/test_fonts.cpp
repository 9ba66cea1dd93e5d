// Fonts are found by family through fontconfig, never by a path in the code.
#include <catch2/catch.hpp>
#include <filesystem>

#include "font_files.hpp"

using kiosk::ErrorKind;
using kiosk::ui::FontFinder;

TEST_CASE("the kiosk's fonts are found by family through fontconfig", "[ui][fonts]") {
  FontFinder finder;
  auto regular = finder.find("DejaVu Sans", false);
  auto bold = finder.find("DejaVu Sans", true);
  REQUIRE(regular.ok());
  REQUIRE(bold.ok());
  CHECK(std::filesystem::exists(*regular));
  CHECK(std::filesystem::exists(*bold));
  CHECK(*regular != *bold);  // a real bold face, not the regular one again
  auto dyslexic = finder.find("OpenDyslexic", false);
  REQUIRE(dyslexic.ok());
  CHECK(std::filesystem::exists(*dyslexic));
}

TEST_CASE("a font family that is not installed is an error naming it, not another font", "[ui][fonts]") {
  FontFinder finder;
  auto missing = finder.find("No Such Family Kiosk", false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.kind() == ErrorKind::NotFound);
  CHECK_THAT(missing.message(), Catch::Contains("No Such Family Kiosk"));
}
