// kiosk-hub's HTTP transport (libmicrohttpd): bounded per request whatever a
// client does. The routes themselves are in hub_api.hpp; hub_main assembles
// them (survey, keys, store) and hands them to serve().
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "hub_api.hpp"
#include "kiosk/clock.hpp"

namespace kiosk::hub {

struct ServeOptions {
  std::string bind = "127.0.0.1";
  int port = 8470;  // 0: any free port (printed on stdout)
  // Largest request body, both as sent and after gzip is inflated.
  std::size_t max_body_bytes = 16u << 20;
  // All request bodies held in memory at once, as sent and inflated, across
  // every connection: past it an upload is refused with 503 and Retry-After
  // (a kiosk tries again). With the handlers' working memory (--threads)
  // this keeps the hub under 256 MB however many kiosks send at once.
  std::size_t body_budget_bytes = 64u << 20;
  std::string cert_file, key_file;  // TLS directly; or leave empty behind a reverse proxy
  // Threads running handlers. Connections are polled by two event-driven
  // threads: a connection costs a socket, not a thread, so slow clients
  // cannot occupy them.
  int threads = 4;
  unsigned max_connections = 1000;
  // 0: no per-address limit (behind a reverse proxy every kiosk has its address).
  unsigned max_connections_per_address = 64;
  // A request's headers must have arrived this long after the connection
  // opened (or its previous reply went out), however they trickle; its body
  // too, unless it keeps to min_upload_rate.
  int request_timeout_seconds = 10;
  // Past that deadline a request's body goes on while it arrives at least
  // this fast on average (bytes a second) with no pause as long as the
  // deadline: a kiosk on a slow line (10 kB/s) delivers; a trickle is cut.
  // 0: the whole request must arrive within the deadline.
  std::size_t min_upload_rate = 2048;
  // A connection with no traffic this long is closed (idle keep-alive).
  int idle_timeout_seconds = 5;
  // Memory per connection for the request line and headers; a header block
  // larger than this is refused with 431.
  std::size_t max_header_bytes = 32u << 10;
};

// A hub served inside another program's process (the tests' own, so most
// API tests start no process): told the port once it listens, and stopped
// when `stop_fd` becomes readable rather than by SIGINT or SIGTERM, which
// stay the program's own.
struct ServeControl {
  std::function<void(int port)> listening;
  int stop_fd = -1;
};

// Serves `api` until SIGINT/SIGTERM (or, with `control`, until its stop_fd
// is readable). Prints "listening on URL (BACKEND)" once ready (`backend`:
// the database's kind, for that line; with `control`, tells it instead), then
// starts api.warm_up(). Time (the request log and latencies) comes from `clock`.
int serve(Api& api, const ServeOptions& opt, const Clock& clock, const std::string& backend,
          const ServeControl* control = nullptr);

}  // namespace kiosk::hub
