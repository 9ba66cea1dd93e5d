// What the hub's routes share (Api::Impl), private to the API library
// (kiosk_hub_api): each part of the API defines its routes in a file of its
// own, named beside each group below. hub_api.hpp is the public face.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "document_check.hpp"
#include "hub_api.hpp"
#include "kiosk/protocol.hpp"
#include "kiosk/representativeness.hpp"
#include "report.hpp"
#include "response_cache.hpp"

namespace kiosk::hub {
using nlohmann::json;
namespace field = protocol::field;
namespace header = protocol::header;
namespace route = protocol::route;

// dump() throws on invalid UTF-8 (a message may quote what a client sent):
// this replaces it instead, so building a reply cannot fail.
std::string dump(const json& j);
Reply json_reply(int status, const json& body);
// A 503 for a cause inside the hub, to a kiosk: what could not be done and
// the class of cause, with a reason and Retry-After; never a path or the
// database's own words, which go to the hub's log.
Reply unavailable(const std::string& what, const Error& e);
using cli::html_escape;  // the report's (report.hpp)

struct Api::Impl {
  Impl(HubStore& store, ApiOptions opt, const Clock& clock, std::optional<Survey> survey, Metrics& m);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // ---- Auth (hub_auth.cpp) ----------------------------------------------------

  // The principal, or the reply refusing the request (401, 403, 503).
  std::variant<Principal, Reply> auth(const Request& req, const char* role, bool browser);

  // 401 with the reason (unknown_token, revoked_token): the kiosk keeps its
  // responses pending and tells staff.
  static Reply refused_token(bool token_given, bool revoked, bool browser);

  // ---- What kiosks send and fetch: batches, heartbeats, the survey (hub_upload.cpp)

  Reply upload(Request& req);

  // A sealed upload item: its key id, its base64 as sent, its bytes once decoded.
  struct Sealed {
    std::string key_id, text, bytes;
  };

  // Decodes and opens a sealed item into `in` (document: the plain document,
  // content_hash: its SHA-256, which decides duplicates and conflicts). A key
  // the hub does not hold is not the item's fault: held, the kiosk keeps it.
  Verdict open_item(Sealed& s, Incoming& in) const;

  // A refused document as the quarantine keeps it: sealed to the current key
  // when the hub has keys, so the database holds no answer in the clear.
  QuarantineItem sealed_for_quarantine(QuarantineItem q) const;

  Result<std::string> open_stored(const StoredDocument& stored) const;

  Reply heartbeat(Request& req);

  Reply survey(Request& req);

  // ---- Exports (hub_export.cpp) ------------------------------------------------

  // GET /api/v1/export: CSV and JSON Lines streamed, the codebook, and the
  // analyst's files (analyst_export).
  Reply export_data(Request& req);

  // Each stored document opened, in turn; stops at the first that cannot
  // be opened, its reason in `bad`.
  Status for_each_opened(std::string& bad, const std::function<bool(const std::string&)>& each);

  // Every response of the survey the hub holds (and the filter keeps),
  // opened one at a time into DIR/responses.jsonl as `kiosk-admin open`
  // writes them. An error reply, or nothing.
  std::optional<Reply> write_opened(const std::string& dir);

  cli::OpenedFileOptions analyst_options() const;

  // The report's content from the responses held in memory (cache_), for
  // the scope: the document, an error reply, or neither (none completed).
  // `refresh`: brought up to date from the store first (false: the caller
  // has just done so, and keys what it builds by that state).
  std::variant<std::monostate, cli::ReportDocument, Reply> report_of(const ResponseScope& scope,
                                                                     const cli::ReportOptions& r, bool refresh = true);

  // The workbook, the .sav or the consultation report (kiosk-admin's, from
  // app/cli), written from every response the hub holds: opened one at a
  // time into a private folder as `kiosk-admin open` writes them, the file
  // written from there, sent, and the folder removed.
  Reply analyst_export(const std::string& format);

  // The consultation report, PDF or HTML, from the responses held in memory.
  Reply report_export(bool pdf);

  // ---- Results, summary, ledger, representativeness (hub_results.cpp) --------

  // GET /results: the consultation report's content as a page, for one
  // service point (or all) and a range of days, chosen in a form. Built from
  // the responses themselves (per week and weighted need each one), held
  // opened in memory (response_cache.hpp) so only the first page after a
  // start waits for every sealed response to be opened.
  Reply results_page(Request& req);

  static Reply results_reply(std::string page);

  static std::string local_day();

  Result<Summary> build_summary();

  // GET /api/v1/ledger: the same figures as `kiosk-hub ledger`.
  Reply ledger(Request&);

  // Who answered against who lives in the area (kiosk/representativeness.hpp),
  // from the tallies: overall, then each service point. Per week needs each
  // response's time: `kiosk-admin represent` on an export gives it.
  Result<std::vector<RepresentativenessSlice>> representativeness();

  std::string option_label(const std::string& question, const std::string& code) const;

  json slice_json(const RepresentativenessSlice& sl) const;

  // GET /api/v1/figures (a kiosk's token): who answered at the kiosk's own
  // service point against who lives in the area, for its admin area ("as of
  // the last sync"). The kiosk keeps them in memory only: it counts nothing
  // on its disk. 204 when the hub has no survey or population to compare.
  Reply figures(Request& req);

  // GET /api/v1/representativeness
  Reply representativeness_json(Request&);

  // The status page's section: each benchmark's table for all service
  // points, then the groups under-represented at each service point.
  std::string representativeness_html();

  Reply summary(Request&);

  // ---- The status page (hub_status_page.cpp) ------------------------------------

  // The service point's name for an id (the id itself if unknown).
  std::string service_point_name(const std::string& id) const;
  const ServicePoint* find_service_point(const std::string& id) const;

  // Minutes the service point was open between `from` and `to` (its hours,
  // in the hub's local time), counted up to a week back; with no hours
  // known, every minute counts.
  static std::int64_t open_minutes(const ServicePoint* sp, std::chrono::system_clock::time_point from,
                                   std::chrono::system_clock::time_point to);

  Reply status_page(Request&);

  // The status page's updater, a file of its own so that the page's
  // Content-Security-Policy allows no inline script.
  Reply status_script(Request&);

  // ---- /healthz and /metrics (hub_metrics.cpp) ----------------------------------

  Reply healthz(Request&);

  Reply metrics_text(Request&);

  // ---- The route table, construction (hub_api.cpp) --------------------------------

  struct Route {
    const char* method;
    const char* path;
    const char* label;  // the metrics label
    const char* role;   // token needed: "kiosk", "admin" (which may do anything), or none
    bool browser;       // 401 asks for Basic auth (the status page)
    bool body;          // reads a request body
    bool quick;         // cheap, never waits on a write
    Reply (Impl::*handler)(Request&);
  };
  static const std::vector<Route>& routes();

  std::optional<Reply> route(Request& req);

  std::optional<Reply> authorize(Request& req);

  Reply finish(Request& req) { return (this->*routes()[static_cast<size_t>(req.route_index)].handler)(req); }

  HubStore& store_;
  ApiOptions opt_;
  const Clock& clock_;
  std::optional<Survey> survey_;
  std::string survey_etag_;
  Metrics& metrics;
  double start_unix_ = 0;
  SurveyRegistry registry_;  // every survey version served (document_check.hpp)
  TrustSettings trust_;
  // The survey's responses opened once, for the results page and the report.
  std::optional<ResponseCache> cache_;
  std::thread warm_up_;
  // Results pages built, by their choices and day: the data's state they
  // were built from (ResponseCache::current) and the page.
  static constexpr size_t kPagesKept = 16;
  std::mutex pages_mutex_;
  std::map<std::string, std::pair<std::uint64_t, std::string>> pages_;
};

}  // namespace kiosk::hub
