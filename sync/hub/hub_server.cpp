// kiosk-hub HTTP API (v1).
//
// Sections: 1. metrics  2. auth and replies  3. upload  4. heartbeat, survey
//           5. export and summary  6. status page  7. serve
#include "hub_server.hpp"

#include "document_check.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "kiosk/clock.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/protocol.hpp"
#include "kiosk/session.hpp"

namespace kiosk::hub {
using nlohmann::json;
namespace field = protocol::field;
namespace header = protocol::header;
namespace route = protocol::route;

namespace {

// ---- 1. Metrics --------------------------------------------------------------

class Metrics {
 public:
  void request(const std::string& route, int status, double seconds) {
    std::lock_guard lock(m_);
    ++requests_[{route, status}];
    auto& h = latency_[route];
    for (size_t i = 0; i < kBuckets.size(); ++i)
      if (seconds <= kBuckets[i]) ++h.counts[i];
    ++h.count;
    h.sum += seconds;
  }
  void items(std::int64_t stored, std::int64_t dup, std::int64_t conflict, std::int64_t rejected) {
    stored_ += stored;
    duplicates_ += dup;
    conflicts_ += conflict;
    rejected_ += rejected;
  }
  std::string text(std::int64_t total_responses) {
    std::ostringstream o;
    std::lock_guard lock(m_);
    o << "# HELP kiosk_hub_requests_total HTTP requests by route and status.\n# TYPE kiosk_hub_requests_total "
         "counter\n";
    for (const auto& [k, n] : requests_)
      o << "kiosk_hub_requests_total{route=\"" << k.first << "\",code=\"" << k.second << "\"} " << n << "\n";
    o << "# HELP kiosk_hub_responses_stored_total Responses stored by this process.\n# TYPE "
         "kiosk_hub_responses_stored_total counter\n"
      << "kiosk_hub_responses_stored_total " << stored_ << "\n";
    o << "# HELP kiosk_hub_duplicates_total Uploads of a response the hub already held.\n# TYPE "
         "kiosk_hub_duplicates_total counter\n"
      << "kiosk_hub_duplicates_total " << duplicates_ << "\n";
    o << "# HELP kiosk_hub_conflicts_total Uploads whose UUID the hub held with other content.\n# TYPE "
         "kiosk_hub_conflicts_total counter\n"
      << "kiosk_hub_conflicts_total " << conflicts_ << "\n";
    o << "# HELP kiosk_hub_rejected_total Uploaded items refused (bad hash, wrong kiosk).\n# TYPE "
         "kiosk_hub_rejected_total counter\n"
      << "kiosk_hub_rejected_total " << rejected_ << "\n";
    o << "# HELP kiosk_hub_responses Responses held in the hub's database.\n# TYPE kiosk_hub_responses gauge\n"
      << "kiosk_hub_responses " << total_responses << "\n";
    o << "# HELP kiosk_hub_request_seconds Request latency.\n# TYPE kiosk_hub_request_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
      for (size_t i = 0; i < kBuckets.size(); ++i)
        o << "kiosk_hub_request_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i] << "\"} " << h.counts[i]
          << "\n";
      o << "kiosk_hub_request_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n";
      o << "kiosk_hub_request_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n";
      o << "kiosk_hub_request_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
    }
    return o.str();
  }

 private:
  static constexpr std::array<double, 8> kBuckets = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
  struct Histogram {
    std::array<std::int64_t, 8> counts{};
    std::int64_t count = 0;
    double sum = 0;
  };
  std::mutex m_;
  std::map<std::pair<std::string, int>, std::int64_t> requests_;
  std::map<std::string, Histogram> latency_;
  std::atomic<std::int64_t> stored_{0}, duplicates_{0}, conflicts_{0}, rejected_{0};
};

// ---- 2. Auth and replies -----------------------------------------------------

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  // Replace, not throw: a reply quoting a client's bytes must not become a 500.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), protocol::kJsonType);
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, json{{field::kApi, protocol::kApiVersion}, {field::kError, message}});
}

std::string bearer_or_basic(const httplib::Request& req) {
  const std::string h = req.get_header_value(header::kAuthorization);
  const std::string bearer = header::kBearerPrefix, basic = header::kBasicPrefix;
  if (h.rfind(bearer, 0) == 0) return h.substr(bearer.size());
  if (h.rfind(basic, 0) == 0) {
    // Browsers: any user name, the admin token as the password.
    const std::string decoded = base64_decode(h.substr(basic.size())).value_or("");
    const auto colon = decoded.find(':');
    return colon == std::string::npos ? decoded : decoded.substr(colon + 1);
  }
  return {};
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o.push_back(c);
    }
  }
  return o;
}

class Api {
 public:
  Api(HubStore& store, const ServeOptions& opt, const Clock& clock, std::optional<Survey> survey)
      : store_(store), opt_(opt), clock_(clock), survey_(std::move(survey)), registry_(store) {
    if (survey_) survey_etag_ = "\"" + sha256_hex(survey_->source_text).substr(0, 32) + "\"";
  }

  // Returns the principal, or replies 401 (or 403) and returns nothing.
  std::optional<Principal> auth(const httplib::Request& req, httplib::Response& res, const char* role,
                                bool browser = false) {
    const std::string token = bearer_or_basic(req);
    if (!token.empty()) {
      auto p = store_.authenticate(token);
      if (!p) {
        reply_error(res, 503, "the hub's database is unavailable: " + p.message());
        return std::nullopt;
      }
      if (*p) {
        if (role && (*p)->role != role && (*p)->role != "admin") {
          reply_error(res, 403, std::string("this token may not do that (needs a ") + role + " token)");
          return std::nullopt;
        }
        if (role && std::string(role) == "admin" && (*p)->role != "admin") {
          reply_error(res, 403, "this needs an admin token");
          return std::nullopt;
        }
        return **p;
      }
    }
    if (browser)
      res.set_header(header::kWwwAuthenticate, "Basic realm=\"kiosk-hub\", charset=\"UTF-8\"");
    else
      res.set_header(header::kWwwAuthenticate, "Bearer");
    reply_error(res, 401,
                token.empty() ? std::string("missing token: send ") + header::kAuthorization + ": " +
                                    header::kBearerPrefix + "TOKEN"
                              : "unknown or revoked token");
    return std::nullopt;
  }

  // ---- 3. Upload ---------------------------------------------------------------

  void upload(const httplib::Request& req, httplib::Response& res) {
    auto who = auth(req, res, "kiosk");
    if (!who) return;
    json body;
    // Trust: a body that does not parse strictly is refused and quarantined (document_check.hpp).
    if (auto p = parse_strict_json(req.body, body); !p.ok) {
      const std::string why =
          "the request body" + (p.field.empty() ? std::string(" is ") : " at " + p.field + ": ") + p.words;
      (void)store_.quarantine(who->name, {quarantine_item("", why, req.body)});
      return reply_error(res, 400, why);
    }
    if (!body.is_object()) return reply_error(res, 400, "the request body must be a JSON object");
    const std::string quoted = std::string("\"") + field::kResponses + "\"";
    if (!body.contains(field::kResponses)) return reply_error(res, 400, quoted + " is missing");
    const json& list = body[field::kResponses];
    if (!list.is_array()) return reply_error(res, 400, quoted + " must be an array");
    if (list.size() > opt_.max_batch)
      return reply_error(res, 413,
                         "too many responses in one batch: " + std::to_string(list.size()) + " (at most " +
                             std::to_string(opt_.max_batch) + ")");
    // Structure first: a malformed request stores nothing at all.
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = field::kResponses + ("[" + std::to_string(i) + "]");
      if (!list[i].is_object()) return reply_error(res, 400, at + " must be an object");
      for (const char* f : {field::kUuid, field::kContentHash, field::kDocument}) {
        if (!list[i].contains(f)) return reply_error(res, 400, at + "." + f + " is missing");
        if (!list[i][f].is_string()) return reply_error(res, 400, at + "." + f + " must be a string");
      }
    }
    const std::string batch_kiosk = body.contains(field::kKioskId) && body[field::kKioskId].is_string()
                                        ? body[field::kKioskId].get<std::string>()
                                        : "";
    std::vector<Incoming> accepted;
    std::vector<ItemResult> results(list.size());
    std::vector<int> slot(list.size(), -1);
    std::vector<QuarantineItem> refused;
    for (size_t i = 0; i < list.size(); ++i) {
      ItemResult& r = results[i];
      r.uuid = list[i][field::kUuid].get<std::string>();
      Incoming in;
      in.uuid = r.uuid;
      in.content_hash = list[i][field::kContentHash].get<std::string>();
      in.document = list[i][field::kDocument].get<std::string>();
      // Trust: each document checked against its survey (document_check.hpp).
      auto chk = check_item(registry_, trust_, who->role == "admin" ? batch_kiosk : who->name, batch_kiosk,
                            std::move(in), clock_.now());
      if (chk.verdict.kind != Verdict::Kind::Accept) {
        r.status = chk.verdict.kind == Verdict::Kind::Hold ? ItemResult::Status::Held : ItemResult::Status::Rejected;
        r.detail = chk.verdict.detail();
        r.reason = chk.verdict.reason;
        if (r.status == ItemResult::Status::Rejected)
          refused.push_back(quarantine_item(r.uuid, r.detail, chk.in.document));
        continue;
      }
      slot[i] = static_cast<int>(accepted.size());
      accepted.push_back(std::move(chk.in));
    }
    if (auto st = store_.quarantine(who->name, refused); !st)
      return reply_error(res, 503, "could not keep the refused documents (nothing was stored): " + st.message());
    std::vector<ItemResult> stored;
    if (!accepted.empty()) {
      auto r = store_.ingest(who->name, accepted);
      if (!r) return reply_error(res, 503, "could not store the batch (nothing was stored): " + r.message());
      stored = std::move(r).value();
    }
    json receipts = json::array();
    std::int64_t n_stored = 0, n_dup = 0, n_conf = 0, n_rej = 0;
    for (size_t i = 0; i < list.size(); ++i) {
      const ItemResult& r = slot[i] >= 0 ? stored[static_cast<size_t>(slot[i])] : results[i];
      json item{{field::kUuid, r.uuid}, {field::kStatus, to_string(r.status)}, {field::kCode, http_code(r.status)}};
      if (!r.receipt.empty()) item[field::kReceipt] = r.receipt;
      if (!r.detail.empty()) item[field::kDetail] = r.detail;
      if (!r.reason.empty()) item[field::kReason] = r.reason;
      receipts.push_back(std::move(item));
      switch (r.status) {
        case ItemResult::Status::Stored: ++n_stored; break;
        case ItemResult::Status::Duplicate: ++n_dup; break;
        case ItemResult::Status::Conflict: ++n_conf; break;
        case ItemResult::Status::Rejected: ++n_rej; break;
        case ItemResult::Status::Held: break;
      }
    }
    metrics.items(n_stored, n_dup, n_conf, n_rej);
    reply_json(
        res, 200,
        json{{field::kApi, protocol::kApiVersion}, {field::kCommitted, true}, {field::kReceipts, std::move(receipts)}});
  }

  // ---- 4. Heartbeat, survey ------------------------------------------------------

  void heartbeat(const httplib::Request& req, httplib::Response& res) {
    auto who = auth(req, res, "kiosk");
    if (!who) return;
    const json b = json::parse(req.body, nullptr, false);
    if (b.is_discarded() || !b.is_object()) return reply_error(res, 400, "the request body is not a JSON object");
    Heartbeat hb;
    try {
      hb.service_point = b.value(field::kServicePoint, "");
      hb.app_version = b.value(field::kAppVersion, "");
      hb.last_error = b.value(field::kLastError, "");
      hb.pending = b.value(field::kPending, std::int64_t{0});
      hb.oldest_pending_age_seconds = b.value(field::kOldestPendingAgeSeconds, std::int64_t{0});
      hb.free_disk_bytes = b.value(field::kFreeDiskBytes, std::int64_t{-1});
    } catch (const json::exception& e) {
      return reply_error(res, 400, std::string("heartbeat field of the wrong type: ") + e.what());
    }
    if (auto st = store_.heartbeat(who->name, hb, format_utc(clock_.now())); !st)
      return reply_error(res, 503, st.message());
    reply_json(res, 200, json{{field::kApi, protocol::kApiVersion}, {field::kOk, true}});
  }

  void survey(const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res, "kiosk")) return;
    if (!survey_) return reply_error(res, 404, "this hub serves no survey (start it with --survey FILE)");
    res.set_header(header::kETag, survey_etag_);
    if (req.get_header_value(header::kIfNoneMatch) == survey_etag_) {
      res.status = 304;
      return;
    }
    reply_json(res, 200,
               json{{field::kApi, protocol::kApiVersion},
                    {field::kSurveyId, survey_->id},
                    {field::kVersion, survey_->version},
                    {field::kEtag, survey_etag_},
                    {field::kDefinition, survey_->source_text}});
  }

  // ---- 5. Export and summary -----------------------------------------------------

  void export_data(const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res, "admin")) return;
    namespace fmt = protocol::format;
    const std::string format =
        req.has_param(protocol::kFormatParam) ? req.get_param_value(protocol::kFormatParam) : fmt::kCsv;
    if (format != fmt::kCsv && format != fmt::kJsonl && format != fmt::kCodebook)
      return reply_error(res, 400, "format must be csv, jsonl or codebook");
    if (format != fmt::kJsonl && !survey_)
      return reply_error(res, 409, "CSV and codebook need the hub started with --survey FILE");
    std::string out;
    if (format == fmt::kCodebook) {
      append_codebook(out, *survey_);
      res.set_content(out, "text/csv; charset=utf-8");
      return;
    }
    std::optional<CsvLayout> layout;
    if (format == fmt::kCsv) {
      layout.emplace(*survey_);
      append_csv_header(out, layout->cols);
    }
    std::string bad;
    auto st = store_.for_each_document([&](const std::string& doc) {
      if (format == fmt::kJsonl) {
        out += doc;
        out += '\n';
        return true;
      }
      auto d = parse_canonical_document(doc);
      if (!d) {
        bad = d.message();
        return false;
      }
      if (d->first.survey_id == survey_->id) append_csv_row(out, *layout, d->first, d->second);
      return true;
    });
    if (!st) return reply_error(res, 503, st.message());
    if (!bad.empty()) return reply_error(res, 500, "a stored document could not be read: " + bad);
    res.set_header("Content-Disposition", "attachment; filename=\"responses." + format + "\"");
    res.set_content(out, format == fmt::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson");
  }

  Result<Summary> build_summary() {
    if (!survey_) return Summary{};
    // Trust: from the tallies kept as responses are stored (document_check.hpp).
    return summary_from_tallies(store_, *survey_);
  }

  void summary(const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res, "admin")) return;
    if (!survey_) return reply_error(res, 409, "the summary needs the hub started with --survey FILE");
    auto s = build_summary();
    if (!s) return reply_error(res, 503, s.message());
    auto table = [](const ResultsTable& t) {
      json qs = json::array();
      for (const auto& q : t.questions) {
        json opts = json::array();
        for (const auto& o : q.options)
          opts.push_back({{field::kCode, o.code}, {field::kLabel, o.label}, {field::kCount, o.count}});
        qs.push_back(
            {{field::kId, q.id}, {field::kText, q.text}, {field::kAnswered, q.answered}, {field::kOptions, opts}});
      }
      return json{{field::kResponses, t.responses}, {field::kQuestions, qs}};
    };
    json by = json::object();
    for (const auto& [sp, t] : s->by_service_point) by[sp] = table(t);
    reply_json(
        res, 200,
        json{{field::kApi, protocol::kApiVersion}, {field::kOverall, table(s->overall)}, {field::kByServicePoint, by}});
  }

  // ---- 6. Status page ------------------------------------------------------------

  void status_page(const httplib::Request& req, httplib::Response& res) {
    if (!auth(req, res, "admin", true)) {
      res.set_content("<!doctype html><title>kiosk-hub</title><p>Sign in with any user name and an admin token.",
                      "text/html; charset=utf-8");
      return;
    }
    auto devices = store_.devices();
    auto total = store_.response_count();
    auto conflicts = store_.conflict_count();
    // Trust: counted from the tallies, completed responses of the survey served (document_check.hpp).
    auto counts = survey_ ? status_counts(store_, *survey_) : Result<StatusCounts>(StatusCounts{});
    auto by_sp = counts ? Result<std::vector<Tally>>(counts->by_service_point) : counts.error();
    auto by_age = counts ? Result<std::vector<Tally>>(counts->by_age_band) : counts.error();
    auto quarantined = store_.quarantine_count();  // Trust: refused documents (document_check.hpp)
    auto latest_refused = store_.quarantine_latest(10);
    if (!devices || !total || !conflicts || !by_sp || !by_age || !quarantined || !latest_refused)
      return reply_error(res, 503, "database unavailable");
    const auto now = clock_.now();
    auto ago = [&](const std::string& utc) -> std::string {
      if (utc.empty()) return "never";
      std::tm tm{};
      if (!strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return utc;
      const auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
      const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - t).count();
      if (s < 90) return std::to_string(s) + " s ago";
      if (s < 5400) return std::to_string(s / 60) + " min ago";
      if (s < 172800) return std::to_string(s / 3600) + " h ago";
      return std::to_string(s / 86400) + " days ago";
    };
    auto bars = [&](const std::vector<Tally>& rows, const std::function<std::string(const std::string&)>& label) {
      std::int64_t max = 1;
      for (const auto& r : rows) max = std::max(max, r.count);
      std::string h = "<table class=bars>";
      for (const auto& r : rows) {
        const int pct = static_cast<int>(100 * r.count / max);
        h += "<tr><th scope=row>" + html_escape(label(r.key)) +
             "</th><td><div class=bar style=\"width:" + std::to_string(pct) + "%\"></div></td><td class=num>" +
             std::to_string(r.count) + "</td></tr>";
      }
      if (rows.empty()) h += "<tr><td>No responses yet.</td></tr>";
      return h + "</table>";
    };
    auto age_label = [&](const std::string& code) -> std::string {
      if (code.empty()) return "Not given";
      if (survey_ && !survey_->age_question.empty())
        if (const Option* o = survey_->find(survey_->age_question)->find_option(code))
          return survey_->text(o->label, survey_->default_locale);
      return code;
    };
    std::string h =
        "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport "
        "content=\"width=device-width,initial-scale=1\">"
        "<title>kiosk-hub status</title><style>"
        "body{font:17px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1b1b;background:#fff;max-width:70rem}"
        "h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:2px solid #1d4f91}"
        ".tiles{display:flex;flex-wrap:wrap;gap:.6rem}.tile{border:2px solid #1d4f91;border-radius:.5rem;padding:.5rem "
        ".9rem}"
        ".tile b{display:block;font-size:1.6rem}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}"
        "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #bbb;vertical-align:top}"
        ".num{text-align:right;font-variant-numeric:tabular-nums}.bars th{width:35%;font-weight:normal}"
        ".bar{background:#1d4f91;height:1.1rem;border-radius:3px;min-width:2px}.warn{color:#a4000f;font-weight:600}"
        ".ok{color:#0b6b2b;font-weight:600}small{color:#444}"
        // On a phone each kiosk becomes a card: label on the left, value on the right.
        "@media(max-width:640px){.kiosks tr:first-child{display:none}.kiosks tr{display:block;border-bottom:2px solid "
        "#1d4f91;"
        "padding:.4rem 0}.kiosks td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:.15rem .3rem;"
        "text-align:right}.kiosks td::before{content:attr(data-label);font-weight:600;text-align:left}}</style>"
        "<h1>kiosk-hub status</h1><small>" +
        html_escape(store_.backend()) + " &middot; " + html_escape(format_utc(now)) +
        (survey_ ? " &middot; survey " + html_escape(survey_->id) + " " + html_escape(survey_->version) : "") +
        "</small><div class=tiles><div class=tile><b>" + std::to_string(*total) +
        "</b>responses</div><div class=tile><b>" + std::to_string(devices->size()) +
        "</b>kiosks</div><div class=tile><b" + (*conflicts ? " class=warn" : "") + ">" + std::to_string(*conflicts) +
        "</b>conflicts</div><div class=tile><b" + (*quarantined ? " class=warn" : "") + ">" +
        std::to_string(*quarantined) +
        "</b>refused documents</div></div><h2>Kiosks</h2><div class=scroll><table class=kiosks><tr><th>Kiosk</th>"
        "<th>Service point</th><th>Last seen</th><th class=num>Waiting to sync</th><th class=num>At "
        "hub</th><th>Health</th></tr>";
    for (const auto& d : *devices) {
      std::string health = "<span class=ok>OK</span>";
      if (d.last_seen_utc.empty())
        health = "<span class=warn>Never connected</span>";
      else if (!d.last_error.empty())
        health = "<span class=warn>" + html_escape(d.last_error) + "</span>";
      else if (d.oldest_pending_age_seconds > 3600)
        health = "<span class=warn>Responses waiting over an hour</span>";
      else if (d.free_disk_bytes >= 0 && d.free_disk_bytes < 500LL * 1024 * 1024)
        health = "<span class=warn>Disk nearly full: " + std::to_string(d.free_disk_bytes / (1024 * 1024)) +
                 " MB free</span>";
      h += "<tr><td data-label=Kiosk>" + html_escape(d.name) + "</td><td data-label=\"Service point\">" +
           html_escape(d.service_point) + "</td><td data-label=\"Last seen\">" + html_escape(ago(d.last_seen_utc)) +
           "</td><td class=num data-label=\"Waiting to sync\">" + std::to_string(d.pending) +
           "</td><td class=num data-label=\"At hub\">" + std::to_string(d.responses) + "</td><td data-label=Health>" +
           health + "</td></tr>";
    }
    if (devices->empty())
      h += "<tr><td colspan=6>No kiosks yet: add one with <code>kiosk-hub add-device NAME</code>.</td></tr>";
    h += "</table></div>";
    // Trust: the quarantine, newest first; never part of the summary or exports.
    h += "<h2>Refused documents</h2><p><small>Kept in the quarantine, not in the summary or exports: " +
         std::to_string(*quarantined) + " in all.</small></p>";
    if (!latest_refused->empty()) {
      h += "<div class=scroll><table><tr><th>Received</th><th>Kiosk</th><th>Response</th><th>Why</th></tr>";
      for (const auto& q : *latest_refused)
        h += "<tr><td>" + html_escape(q.received_utc) + "</td><td>" + html_escape(q.device) + "</td><td>" +
             html_escape(q.uuid.empty() ? "(whole request)" : q.uuid) + "</td><td>" + html_escape(q.reason) +
             "</td></tr>";
      h += "</table></div>";
    }
    h += "<h2>Responses by service point</h2>" + bars(*by_sp, [](const std::string& s) { return s; });
    // Age bands in the survey's own order, "Not given" last.
    std::vector<Tally> ages = *by_age;
    auto rank = [&](const std::string& code) -> size_t {
      if (survey_ && !survey_->age_question.empty()) {
        const auto& opts = survey_->find(survey_->age_question)->options;
        for (size_t i = 0; i < opts.size(); ++i)
          if (opts[i].code == code) return i;
      }
      return code.empty() ? 1000 : 999;
    };
    std::stable_sort(ages.begin(), ages.end(),
                     [&](const Tally& a, const Tally& b) { return rank(a.key) < rank(b.key); });
    h += "<h2>Respondents by age</h2><p><small>Representativeness: compare with the borough's population.</small></p>" +
         bars(ages, age_label) + "</html>";
    res.set_content(h, "text/html; charset=utf-8");
  }

  HubStore& store_;
  const ServeOptions& opt_;
  const Clock& clock_;
  std::optional<Survey> survey_;
  std::string survey_etag_;

 public:
  SurveyRegistry registry_;
  TrustSettings trust_;
  Metrics metrics;
};

httplib::Server* g_server = nullptr;
void on_signal(int) {
  if (g_server) g_server->stop();
}

}  // namespace

// ---- 7. Serve --------------------------------------------------------------------

int serve(HubStore& store, const ServeOptions& opt, const Clock& clock) {
  std::optional<Survey> survey;
  if (!opt.survey_path.empty()) {
    auto s = load_survey_file(opt.survey_path);
    if (!s) {
      std::cerr << "kiosk-hub: " << s.message() << "\n";
      return 1;
    }
    survey = std::move(s).value();
  }
  std::unique_ptr<httplib::Server> svr;
  if (!opt.cert_file.empty())
    svr = std::make_unique<httplib::SSLServer>(opt.cert_file.c_str(), opt.key_file.c_str());
  else
    svr = std::make_unique<httplib::Server>();
  if (!svr->is_valid()) {
    std::cerr << "kiosk-hub: could not set up TLS with " << opt.cert_file << " and " << opt.key_file << "\n";
    return 1;
  }
  // Trust: the survey registered, the service points known (document_check.hpp).
  std::vector<std::string> service_points;
  if (survey) {
    const std::string sp_path =
        opt.service_points_path.empty() ? default_service_points_path(opt.survey_path) : opt.service_points_path;
    if (sp_path.empty()) {
      std::cerr << "kiosk-hub: no service-points.toml beside " << opt.survey_path
                << " or one folder up: give --service-points FILE\n";
      return 1;
    }
    auto ids = load_service_point_ids(sp_path);
    if (!ids) {
      std::cerr << "kiosk-hub: " << ids.message() << "\n";
      return 1;
    }
    service_points = std::move(ids).value();
  }
  Api api(store, opt, clock, survey);
  api.trust_.service_points = std::move(service_points);
  if (survey)
    if (auto st = prepare_trust(store, api.registry_, *survey, format_utc(clock.now())); !st) {
      std::cerr << "kiosk-hub: " << st.message() << "\n";
      return 1;
    }
  const int threads = opt.threads;
  svr->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  svr->set_payload_max_length(opt.max_body_bytes);
  svr->set_read_timeout(30, 0);
  svr->set_write_timeout(30, 0);
  svr->set_keep_alive_max_count(1000);
  // Replies are written as headers then body: without this, Nagle holds the
  // body for the client's delayed ACK, ~40 ms on every request.
  svr->set_tcp_nodelay(true);

  using Handler = void (Api::*)(const httplib::Request&, httplib::Response&);
  auto add_route = [&](const char* method, const char* path, const char* name, Handler h) {
    auto fn = [&api, &clock, h, name](const httplib::Request& req, httplib::Response& res) {
      const auto t0 = clock.steady();
      (api.*h)(req, res);
      api.metrics.request(name, res.status, std::chrono::duration<double>(clock.steady() - t0).count());
    };
    if (std::string(method) == "GET")
      svr->Get(path, fn);
    else
      svr->Post(path, fn);
    // Any other method on this path: 405, naming what is allowed.
    auto not_allowed = [method](const httplib::Request&, httplib::Response& res) {
      res.set_header(header::kAllow, method);
      reply_error(res, 405, std::string("method not allowed; use ") + method);
    };
    if (std::string(method) == "GET")
      svr->Post(path, not_allowed);
    else
      svr->Get(path, not_allowed);
    svr->Put(path, not_allowed);
    svr->Delete(path, not_allowed);
    svr->Patch(path, not_allowed);
  };
  add_route("POST", route::kResponses, "responses", &Api::upload);
  add_route("POST", route::kHeartbeat, "heartbeat", &Api::heartbeat);
  add_route("GET", route::kSurvey, "survey", &Api::survey);
  add_route("GET", route::kExport, "export", &Api::export_data);
  add_route("GET", route::kSummary, "summary", &Api::summary);
  add_route("GET", route::kStatusPage, "status", &Api::status_page);
  svr->Get(route::kHealthz, [&store](const httplib::Request&, httplib::Response& res) {
    if (auto st = store.ping(); !st) return reply_error(res, 503, st.message());
    res.set_content("ok\n", "text/plain");
  });
  svr->Get(route::kMetrics, [&store, &api](const httplib::Request&, httplib::Response& res) {
    auto n = store.response_count();
    res.set_content(api.metrics.text(n ? *n : -1), "text/plain; version=0.0.4");
  });
  svr->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) return reply_error(res, 413, "request too large");
    if (res.status == 404)
      return reply_error(res, 404, std::string("no such route; the API lives under ") + route::kApiBase);
    reply_error(res, res.status, "request failed");
  });
  svr->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::cerr << "kiosk-hub: error handling " << req.method << " " << req.path << ": " << what << "\n";
    reply_error(res, 500, "internal error: " + what);
  });
  svr->set_logger([&clock](const httplib::Request& req, const httplib::Response& res) {
    std::fprintf(stderr, "%s %s %s %d %zu\n", format_utc(clock.now()).c_str(), req.method.c_str(), req.path.c_str(),
                 res.status, req.body.size());
  });

  // cpp-httplib listens with a backlog of 5; fifty kiosks reconnecting at
  // once overflow it. Keep the socket it creates and widen the queue after bind.
  int listen_fd = -1;
  svr->set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof yes);
    listen_fd = sock;
  });
  int port = opt.port;
  if (port == 0) {
    port = svr->bind_to_any_port(opt.bind);
    if (port < 0) port = 0;
  } else if (!svr->bind_to_port(opt.bind, port)) {
    port = 0;
  }
  if (port <= 0) {
    std::cerr << "kiosk-hub: cannot listen on " << opt.bind << ":" << opt.port << " (in use, or not allowed)\n";
    return 1;
  }
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  g_server = svr.get();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  std::printf("listening on %s://%s:%d (%s)\n", opt.cert_file.empty() ? "http" : "https", opt.bind.c_str(), port,
              store.backend().c_str());
  std::fflush(stdout);
  const bool ok = svr->listen_after_bind();
  g_server = nullptr;
  return ok ? 0 : 1;
}

}  // namespace kiosk::hub
