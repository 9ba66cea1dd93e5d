// Which hub addresses a kiosk may talk to. A kiosk's token and its sealed
// answers go to the hub: over plain http anyone on the library's network
// could read the token and pose as the hub, so plain http is refused unless
// the hub is on this very machine (loopback) or an operator said outright
// that it is wanted (kiosk.toml [sync] insecure_http, `--insecure-http`).
#pragma once

#include <string>

#include "kiosk/result.hpp"

namespace kiosk {

// Whether `host` (as in a URL: a name, an IPv4 address or a bracketed IPv6
// one) is this machine's loopback: localhost, 127.0.0.0/8 or [::1].
bool is_loopback_host(const std::string& host);

// OK for https://, and for http:// to a loopback host or when
// `insecure_http` is set; otherwise an error (ErrorKind::Config) that says
// what to do. `what` names where the address came from (a setting, an option).
Status check_hub_url(const std::string& url, bool insecure_http, const std::string& what);

}  // namespace kiosk
