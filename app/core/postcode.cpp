#include "kiosk/postcode.hpp"

#include <cctype>

namespace kiosk {
namespace {
bool alpha(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

// Outward code: A9, A99, AA9, AA99, A9A, AA9A (the Royal Mail's formats).
bool valid_outward(const std::string& s) {
  const size_t n = s.size();
  if (n < 2 || n > 4 || !alpha(s[0])) return false;
  if (n == 2) return digit(s[1]);
  if (n == 3) return (digit(s[1]) && (digit(s[2]) || alpha(s[2]))) || (alpha(s[1]) && digit(s[2]));
  return alpha(s[1]) && digit(s[2]) && (digit(s[3]) || alpha(s[3]));
}
}  // namespace

std::optional<std::string> normalise_uk_postcode(std::string_view input) {
  std::string s;
  for (char c : input) {
    if (c == ' ' || c == '\t') continue;
    if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
    s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (s == "GIR0AA") return "GIR 0AA";
  if (valid_outward(s)) return s;
  if (s.size() < 5 || s.size() > 7) return std::nullopt;
  const std::string out = s.substr(0, s.size() - 3), in = s.substr(s.size() - 3);
  if (!valid_outward(out) || !digit(in[0]) || !alpha(in[1]) || !alpha(in[2])) return std::nullopt;
  return out + " " + in;
}
}  // namespace kiosk
