// kiosk-hub's routes, free of any HTTP library: a handler takes a plain
// Request and returns a Reply. The transport (http_server.cpp) parses the
// wire, calls begin() on the headers alone, streams and caps the body, then
// calls finish(); a route is one row of the table in hub_api.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub_keys.hpp"
#include "hub_store.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/config.hpp"
#include "kiosk/population.hpp"
#include "kiosk/result.hpp"
#include "kiosk/survey.hpp"

namespace kiosk::hub {

struct Request {
  std::string method, path;
  std::map<std::string, std::string> query;                  // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;                                          // inflated when sent with gzip

  // Case-insensitive, the first of that name; empty if absent.
  std::string header(const std::string& name) const;
  std::string param(const std::string& name) const;
  bool has_param(const std::string& name) const { return query.count(name) > 0; }

  // Set by Api::begin: the route's metrics label ("other" for unknown
  // paths) and the caller, when the route needs a token.
  std::string route_label = "other";
  int route_index = -1;
  std::optional<Principal> principal;
};

struct Reply {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // A body too large to hold at once (an export of every response): made
  // while it is sent, on the worker that handled the request, and handed
  // over piece by piece through `write`, which waits while the client is
  // behind and returns false once it has gone (then stop). Returns whether
  // the body is complete, with the reason in `why` if not: before the first
  // piece the reply becomes a 503 saying so; after it, the transfer is cut
  // off, so a client never takes a part for the whole. `body` is unused.
  using Write = std::function<bool(std::string_view)>;
  std::function<bool(const Write&, std::string& why)> stream = nullptr;
};

// {"api": ..., "error": message}, never throwing (invalid UTF-8 is replaced).
Reply error_reply(int status, const std::string& message);

// Parses a JSON request body: 400-worthy problems (not JSON, invalid UTF-8,
// a number out of range) come back as an error naming them.
Result<nlohmann::json> parse_json_body(const std::string& body);

struct ApiOptions {
  std::size_t max_batch = 5000;
  // Service points documents may come from (a service-points.toml): their
  // ids are checked, their names and opening hours shown on the status page.
  std::vector<ServicePoint> service_points;
  // The sealing keys (hub_keys.hpp). With them, every document is stored
  // sealed, opened in memory only to check it and to export it, and the
  // survey pull carries the current public key. Without them (a hub not yet
  // given --key-dir), documents are stored plain and sealed items are held.
  std::shared_ptr<const HubKeys> keys;
  // The area's population benchmarks (kiosk/population.hpp): with them the
  // status page and /api/v1/representativeness compare who answered with
  // who lives there, overall and per service point.
  std::shared_ptr<const Population> population;
};

// Counters and gauges behind /metrics.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  void request(const std::string& route, int status, double seconds);
  void items(std::int64_t stored, std::int64_t dup, std::int64_t conflict, std::int64_t rejected);
  void connection_opened() { ++open_connections_; }
  void connection_closed() { --open_connections_; }
  std::int64_t open_connections() const { return open_connections_; }
  // `responses`: rows in the database, or nothing when it is unreachable.
  std::string text(std::optional<std::int64_t> responses, double start_unix_seconds) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<std::int64_t> open_connections_{0};
};

class Api {
 public:
  Api(HubStore& store, ApiOptions opt, const Clock& clock, std::optional<Survey> survey);
  ~Api();

  // Called with the headers alone (body empty): finds the route and checks
  // the token. A reply means "answer this now and never read the body".
  // begin() is route() then authorize(): route() never touches the database
  // (the transport calls it on its polling threads); authorize() looks the
  // token up, so the transport calls it on a worker.
  std::optional<Reply> begin(Request& req);
  std::optional<Reply> route(Request& req);
  std::optional<Reply> authorize(Request& req);
  // Whether the route route() chose takes a token (authorize() has work to do).
  bool needs_token(const Request& req) const;
  // The whole request, after begin() returned nothing. Never throws: an
  // exception becomes a 500 and a log line.
  Reply finish(Request& req);
  // Whether the route begin() chose reads a body (the transport discards
  // and does not inflate one sent to a route that does not).
  bool takes_body(const Request& req) const;
  // Whether the route is cheap and never waits on a write (/healthz,
  // /metrics, the survey): the transport runs those apart from the rest.
  bool quick(const Request& req) const;

  Metrics& metrics() { return metrics_; }
  // Start-up: registers the survey served (every version served is kept),
  // fills the summary tallies of a hub upgraded from before them, and, with
  // keys, seals the documents a hub without them stored plain.
  Status prepare(const std::string& now_utc);

  // Once listening: opens every stored response of the survey, in the
  // background, into the copy the results page and the report are built
  // from (response_cache.hpp), so the first page after a start does not
  // wait for it. Stopped and joined when the Api is destroyed.
  void warm_up();

  // A stored document in the clear, in memory: opened with the keys when sealed.
  Result<std::string> open_stored(const StoredDocument& stored) const;

 private:
  Metrics metrics_;  // before impl_, which refers to it
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What `kiosk-hub serve` is given besides the database.
struct HubFiles {
  std::string survey_path;  // served to kiosks and used for exports; empty: none
  // Service points documents may come from; empty: a service-points.toml
  // beside the survey or one folder up (document_check.hpp).
  std::string service_points_path;
  // The area's population benchmarks (kiosk-config/population/*.toml); empty: none.
  std::string population_path;
  // The sealing keys (hub_keys.hpp); empty: documents are stored readable.
  std::string key_dir;
};

// The routes, assembled from the files and the store and prepared: every
// file is checked, and one that cannot be used is an error naming it (the
// hub does not start). What is usable but worth saying goes to `warnings`.
Result<std::unique_ptr<Api>> assemble_api(HubStore& store, const HubFiles& files, const Clock& clock,
                                          std::vector<std::string>& warnings);

}  // namespace kiosk::hub
