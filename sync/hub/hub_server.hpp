#pragma once

#include <memory>
#include <string>

#include "hub_store.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/result.hpp"
#include "kiosk/survey.hpp"

namespace kiosk::hub {

struct ServeOptions {
  std::string bind = "127.0.0.1";
  int port = 8470;          // 0: any free port (printed on stdout)
  std::string survey_path;  // survey served to kiosks and used for exports
  // Service points documents may come from; empty: a service-points.toml
  // beside the survey or one folder up (document_check.hpp).
  std::string service_points_path;
  std::size_t max_body_bytes = 16u << 20;
  std::size_t max_batch = 5000;
  std::string cert_file, key_file;  // TLS directly; or leave empty behind a reverse proxy
  int threads = 16;
};

// Serves until SIGINT/SIGTERM. Prints "listening on URL" once ready. Time
// (heartbeats, the status page, request log and latencies) comes from `clock`.
int serve(HubStore& store, const ServeOptions& opt, const Clock& clock);

}  // namespace kiosk::hub
