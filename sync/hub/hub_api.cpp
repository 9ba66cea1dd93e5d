// kiosk-hub HTTP API (v1): the routes, on plain Request/Reply values. The
// wire (libmicrohttpd, streaming, limits) is http_server.cpp's business;
// what the routes share is hub_api_impl.hpp, and each group of routes has
// its own file (hub_auth, hub_upload, hub_export, hub_results,
// hub_status_page, hub_metrics). Here: the route table, the replies every
// route uses, and the Api the transport calls.
#include <strings.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "hub_api.hpp"
#include "hub_api_impl.hpp"
#include "hub_keys.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {

std::string Request::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return {};
}

std::string Request::param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Reply json_reply(int status, const json& body) {
  Reply r;
  r.status = status;
  r.content_type = protocol::kJsonType;
  r.body = dump(body);
  return r;
}

Reply error_reply(int status, const std::string& message) {
  return json_reply(status, json{{field::kApi, protocol::kApiVersion}, {field::kError, message}});
}

Reply unavailable(const std::string& what, const Error& e) {
  std::fprintf(stderr, "kiosk-hub: %s: %s\n", what.c_str(), e.message.c_str());
  const bool full = e.kind == ErrorKind::DiskFull;
  Reply r = json_reply(
      503, json{{field::kApi, protocol::kApiVersion},
                {field::kError, what + (full ? ": the hub's disk is full (council IT is needed; nothing is lost)"
                                             : ": the hub's database did not answer; try again later")},
                {field::kReason, full ? protocol::reason::kHubDiskFull : protocol::reason::kHubUnavailable}});
  r.headers.emplace_back(header::kRetryAfter, full ? "300" : "30");
  return r;
}

namespace {

// The offset of the first byte that is not well-formed UTF-8 (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF), or npos.
size_t invalid_utf8_at(const std::string& s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
      len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else
      return i;
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) return i;
    }
    i += len;
  }
  return std::string::npos;
}

}  // namespace

Result<json> parse_json_body(const std::string& body) {
  if (const size_t at = invalid_utf8_at(body); at != std::string::npos)
    return make_error(ErrorKind::Validation, "the request body is not valid UTF-8 (byte " + std::to_string(at) +
                                                 " of " + std::to_string(body.size()) + ")");
  try {
    return json::parse(body);
  } catch (const json::out_of_range& e) {
    // nlohmann refuses numbers beyond a double (1e999999) with 406.
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return make_error(ErrorKind::Validation, "the request body holds a number out of range: " + what);
  } catch (const json::exception& e) {
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return make_error(ErrorKind::Validation, "the request body is not valid JSON: " + what);
  }
}

Api::Impl::Impl(HubStore& store, ApiOptions opt, const Clock& clock, std::optional<Survey> survey, Metrics& m)
    : store_(store), opt_(opt), clock_(clock), survey_(std::move(survey)), metrics(m), registry_(store) {
  for (const auto& sp : opt_.service_points) trust_.service_points.push_back(sp.id);
  // The translations and the public key travel with the survey, so a
  // changed translation or a new key (rotation) is a new ETag. Each
  // translation is framed by its length, so no two sets hash alike.
  if (survey_) {
    std::string tagged = survey_->source_text;
    for (const auto& [locale, text] : survey_->translation_sources)
      tagged += "\ntranslation " + locale + " " + std::to_string(text.size()) + "\n" + text;
    if (opt_.keys) tagged += "\n" + opt_.keys->current_public;
    survey_etag_ = "\"" + sha256_hex(tagged).substr(0, 32) + "\"";
    cache_.emplace(*survey_, [this](const StoredDocument& s) { return open_stored(s); });
  }
  start_unix_ = std::chrono::duration<double>(clock_.now().time_since_epoch()).count();
}

const std::vector<Api::Impl::Route>& Api::Impl::routes() {
  static const std::vector<Route> table = {
      {"POST", route::kResponses, "responses", "kiosk", false, true, false, &Impl::upload},
      {"POST", route::kHeartbeat, "heartbeat", "kiosk", false, true, false, &Impl::heartbeat},
      {"GET", route::kSurvey, "survey", "kiosk", false, false, true, &Impl::survey},
      {"GET", route::kFigures, "figures", "kiosk", false, false, false, &Impl::figures},
      {"GET", route::kExport, "export", "admin", false, false, false, &Impl::export_data},
      {"GET", route::kSummary, "summary", "admin", false, false, false, &Impl::summary},
      {"GET", route::kRepresentativeness, "representativeness", "admin", false, false, false,
       &Impl::representativeness_json},
      {"GET", route::kLedger, "ledger", "admin", false, false, false, &Impl::ledger},
      {"GET", route::kStatusPage, "status", "admin", true, false, false, &Impl::status_page},
      {"GET", route::kResultsPage, "results", "admin", true, false, false, &Impl::results_page},
      {"GET", route::kStatusScript, "status_script", nullptr, false, false, true, &Impl::status_script},
      {"GET", route::kHealthz, "healthz", nullptr, false, false, true, &Impl::healthz},
      // Not quick: its queries wait on the database, and must never hold
      // the workers /healthz answers on.
      {"GET", route::kMetrics, "metrics", nullptr, false, false, false, &Impl::metrics_text},
  };
  return table;
}

std::optional<Reply> Api::Impl::route(Request& req) {
  const auto& table = routes();
  // HEAD is GET without the body (the transport drops it).
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  const Route* on_path = nullptr;
  for (size_t i = 0; i < table.size(); ++i) {
    if (req.path != table[i].path) continue;
    on_path = &table[i];
    if (method == table[i].method) {
      req.route_index = static_cast<int>(i);
      break;
    }
  }
  if (!on_path) return error_reply(404, std::string("no such route; the API lives under ") + route::kApiBase);
  req.route_label = on_path->label;
  if (req.route_index < 0) {
    Reply r = error_reply(405, std::string("method not allowed; use ") + on_path->method);
    r.headers.emplace_back(header::kAllow, on_path->method);
    return r;
  }
  return std::nullopt;
}

std::optional<Reply> Api::Impl::authorize(Request& req) {
  if (req.route_index < 0) return std::nullopt;
  const Route& rt = routes()[static_cast<size_t>(req.route_index)];
  if (rt.role) {
    auto who = auth(req, rt.role, rt.browser);
    if (auto* refused = std::get_if<Reply>(&who)) return std::move(*refused);
    req.principal = std::get<Principal>(std::move(who));
  }
  return std::nullopt;
}

Api::Impl::~Impl() {
  if (cache_) cache_->stop();
  if (warm_up_.joinable()) warm_up_.join();
}

namespace {

// A handler that throws answers 500 and leaves a line in the log; the
// process and every other connection carry on.
Reply internal_error(const Request& req, const char* what) {
  std::fprintf(stderr, "kiosk-hub: error handling %s %s: %s\n", req.method.c_str(), req.path.c_str(), what);
  return error_reply(500, std::string("internal error: ") + what);
}

// f(), or the internal error it threw.
template <class F>
auto guarded(const Request& req, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return internal_error(req, e.what());
  } catch (...) {
    return internal_error(req, "unknown error");
  }
}

}  // namespace

Api::Api(HubStore& store, ApiOptions opt, const Clock& clock, std::optional<Survey> survey)
    : impl_(std::make_unique<Impl>(store, opt, clock, std::move(survey), metrics_)) {}

Api::~Api() = default;

Status Api::prepare(const std::string& now_utc) {
  Impl& m = *impl_;
  if (m.survey_) {
    auto open = [&m](const StoredDocument& s) { return m.open_stored(s); };
    if (auto st = prepare_trust(m.store_, m.registry_, *m.survey_, now_utc, open); !st) return st;
  }
  if (!m.opt_.keys) {
    std::fprintf(stderr,
                 "kiosk-hub: no --key-dir: responses are stored readable and sealed uploads are held; see "
                 "kiosk-hub keygen\n");
    return {};
  }
  // After the tallies (filled from what is stored): documents stored plain
  // before the hub had keys are sealed once, to the current key.
  const HubKeys& keys = *m.opt_.keys;
  auto n = m.store_.seal_plain_documents([&keys](const std::string& plain) { return seal_to_current(keys, plain); },
                                         keys.current.id);
  if (!n) return n.error();
  if (*n > 0)
    std::fprintf(stderr, "kiosk-hub: sealed %lld documents stored readable before, to key %s\n",
                 static_cast<long long>(*n), keys.current.id.c_str());
  return {};
}

Result<std::string> Api::open_stored(const StoredDocument& stored) const { return impl_->open_stored(stored); }

void Api::warm_up() {
  Impl& m = *impl_;
  if (!m.cache_ || m.warm_up_.joinable()) return;
  m.warm_up_ = std::thread([&m] {
    const auto t0 = std::chrono::steady_clock::now();
    auto st = m.cache_->use(&m.store_, ResponseScope{}, [](const cli::OpenedResponses&) {});
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (st)
      std::fprintf(stderr, "kiosk-hub: results ready: %zu responses of the survey opened in %.1f s, held in %.1f MB\n",
                   m.cache_->size(), s, static_cast<double>(m.cache_->bytes()) / 1e6);
    else
      std::fprintf(stderr, "kiosk-hub: results not ready (the first results page will try again): %s\n",
                   st.message().c_str());
  });
}

std::optional<Reply> Api::begin(Request& req) {
  if (auto r = route(req)) return r;
  return authorize(req);
}

std::optional<Reply> Api::route(Request& req) {
  return guarded(req, [&] { return impl_->route(req); });
}

std::optional<Reply> Api::authorize(Request& req) {
  return guarded(req, [&] { return impl_->authorize(req); });
}

bool Api::needs_token(const Request& req) const {
  return req.route_index >= 0 && Impl::routes()[static_cast<size_t>(req.route_index)].role != nullptr;
}

Reply Api::finish(Request& req) {
  if (req.route_index < 0) return internal_error(req, "no route chosen");
  return guarded(req, [&] { return impl_->finish(req); });
}

bool Api::quick(const Request& req) const {
  return req.route_index >= 0 && Impl::routes()[static_cast<size_t>(req.route_index)].quick;
}

bool Api::takes_body(const Request& req) const {
  return req.route_index >= 0 && Impl::routes()[static_cast<size_t>(req.route_index)].body;
}

}  // namespace kiosk::hub
