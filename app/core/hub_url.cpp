#include "kiosk/hub_url.hpp"

#include <algorithm>
#include <cctype>

namespace kiosk {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The host of scheme://[userinfo@]host[:port][/...]: bracketed IPv6 kept whole.
std::string host_of(const std::string& rest) {
  std::string auth = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = auth.rfind('@'); at != std::string::npos) auth = auth.substr(at + 1);
  if (!auth.empty() && auth.front() == '[') return auth.substr(0, auth.find(']') + 1);
  return auth.substr(0, auth.find(':'));
}

}  // namespace

bool is_loopback_host(const std::string& host_in) {
  const std::string host = lower(host_in);
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8, written as four decimal numbers.
  if (host.rfind("127.", 0) != 0) return false;
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    const std::size_t dot = std::min(host.find('.', i), host.size());
    const std::string part = host.substr(i, dot - i);
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(part) > 255)
      return false;
    ++parts;
    i = dot + 1;
  }
  return parts == 4;
}

Status check_hub_url(const std::string& url, bool insecure_http, const std::string& what) {
  const std::string u = lower(url);
  if (u.rfind("https://", 0) == 0) {
    if (host_of(url.substr(8)).empty()) return make_error(ErrorKind::Config, what + ": \"" + url + "\" names no host");
    return {};
  }
  if (u.rfind("http://", 0) == 0) {
    const std::string host = host_of(url.substr(7));
    if (host.empty()) return make_error(ErrorKind::Config, what + ": \"" + url + "\" names no host");
    if (insecure_http || is_loopback_host(host)) return {};
    return make_error(ErrorKind::Config,
                      what + ": \"" + url +
                          "\" is plain http, so the kiosk's token and answers would cross the network readable and "
                          "anyone could pose as the hub. Use the hub's https:// address (README, TLS); if this "
                          "network is private and that is wanted, say so with --insecure-http (kiosk.toml [sync] "
                          "insecure_http = true)");
  }
  return make_error(ErrorKind::Config, what + ": \"" + url + "\" is not an https:// address");
}

}  // namespace kiosk
