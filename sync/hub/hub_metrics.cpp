// GET /healthz and GET /metrics (Prometheus text), and the counters behind
// them (Metrics, hub_api.hpp).
#include <unistd.h>

#include <array>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>

#include "hub_api.hpp"
#include "hub_api_impl.hpp"

namespace kiosk::hub {
namespace {
constexpr std::array<double, 8> kBuckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};

std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}
}  // namespace

struct Metrics::Impl {
  struct Histogram {
    std::array<std::int64_t, 8> counts{};
    std::int64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex m;
  std::map<std::pair<std::string, int>, std::int64_t> requests;
  std::map<std::string, Histogram> latency;
  std::atomic<std::int64_t> stored{0}, duplicates{0}, conflicts{0}, rejected{0};
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::request(const std::string& route, int status, double seconds) {
  std::lock_guard lock(impl_->m);
  ++impl_->requests[{route, status}];
  auto& h = impl_->latency[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::items(std::int64_t stored, std::int64_t dup, std::int64_t conflict, std::int64_t rejected) {
  impl_->stored += stored;
  impl_->duplicates += dup;
  impl_->conflicts += conflict;
  impl_->rejected += rejected;
}

std::string Metrics::text(std::optional<std::int64_t> responses, double start_unix_seconds) const {
  std::ostringstream o;
  o.precision(15);
  auto family = [&o](const char* name, const char* type, const char* help) {
    o << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  };
  std::lock_guard lock(impl_->m);
  family("kiosk_hub_requests_total", "counter", "HTTP requests by route and status.");
  for (const auto& [k, n] : impl_->requests)
    o << "kiosk_hub_requests_total{route=\"" << k.first << "\",code=\"" << k.second << "\"} " << n << "\n";
  family("kiosk_hub_responses_stored_total", "counter", "Responses stored by this process.");
  o << "kiosk_hub_responses_stored_total " << impl_->stored << "\n";
  family("kiosk_hub_duplicates_total", "counter", "Uploads of a response the hub already held.");
  o << "kiosk_hub_duplicates_total " << impl_->duplicates << "\n";
  family("kiosk_hub_conflicts_total", "counter", "Uploads whose UUID the hub held with other content.");
  o << "kiosk_hub_conflicts_total " << impl_->conflicts << "\n";
  family("kiosk_hub_rejected_total", "counter", "Uploaded items refused (bad hash, wrong kiosk).");
  o << "kiosk_hub_rejected_total " << impl_->rejected << "\n";
  family("kiosk_hub_database_up", "gauge", "1 if the hub's database answered this scrape, else 0.");
  o << "kiosk_hub_database_up " << (responses ? 1 : 0) << "\n";
  // No sample rather than a made-up one when the database is down.
  family("kiosk_hub_responses", "gauge", "Responses held in the hub's database.");
  if (responses) o << "kiosk_hub_responses " << *responses << "\n";
  family("kiosk_hub_open_connections", "gauge", "Client connections open now.");
  o << "kiosk_hub_open_connections " << open_connections_.load() << "\n";
  family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  o << "process_resident_memory_bytes " << resident_bytes() << "\n";
  family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
  o << "process_start_time_seconds " << start_unix_seconds << "\n";
  family("kiosk_hub_request_seconds", "histogram", "Request latency, from the headers to the reply.");
  for (const auto& [route, h] : impl_->latency) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      o << "kiosk_hub_request_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i] << "\"} " << h.counts[i]
        << "\n";
    o << "kiosk_hub_request_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n";
    o << "kiosk_hub_request_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n";
    o << "kiosk_hub_request_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
  }
  return o.str();
}

Reply Api::Impl::healthz(Request&) {
  if (auto st = store_.ping(); !st) return error_reply(503, st.message());
  return Reply{200, "text/plain", {}, "ok\n"};
}

Reply Api::Impl::metrics_text(Request&) {
  auto n = store_.response_count();
  std::string text = metrics.text(n ? std::optional<std::int64_t>(*n) : std::nullopt, start_unix_);
  // The quarantine and the ledger, when the database answers (no sample otherwise).
  if (auto q = store_.quarantine_count(); q)
    text +=
        "# HELP kiosk_hub_quarantined_documents Uploaded documents refused and kept aside.\n"
        "# TYPE kiosk_hub_quarantined_documents gauge\nkiosk_hub_quarantined_documents " +
        std::to_string(*q) + "\n";
  if (auto rows = store_.ledger(); rows) {
    auto label = [](const std::string& v) {
      std::string o;
      for (char c : v) {
        if (c == '\\' || c == '"') o += '\\';
        if (c == '\n') {
          o += "\\n";
          continue;
        }
        o += c;
      }
      return o;
    };
    text +=
        "# HELP kiosk_hub_ledger_missing_responses Responses a kiosk numbered that the hub has not received.\n"
        "# TYPE kiosk_hub_ledger_missing_responses gauge\n";
    for (const auto& r : *rows)
      text +=
          "kiosk_hub_ledger_missing_responses{kiosk=\"" + label(r.kiosk) + "\"} " + std::to_string(r.missing) + "\n";
  }
  return Reply{200, "text/plain; version=0.0.4", {}, std::move(text)};
}

}  // namespace kiosk::hub
