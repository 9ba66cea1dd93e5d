#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace kiosk {
// A UK postcode, full ("BL9 0SW") or its outward part only ("BL9"), in any
// case and spacing; returns it normalised (upper case, one space), or nothing.
std::optional<std::string> normalise_uk_postcode(std::string_view input);
}  // namespace kiosk
