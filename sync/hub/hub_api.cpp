// kiosk-hub HTTP API (v1): the routes, on plain Request/Reply values. The
// wire (libmicrohttpd, streaming, limits) is http_server.cpp's business.
//
// Sections: 1. metrics  2. auth and replies  3. upload  4. heartbeat, survey
//           5. export and summary  6. status page  7. routes
#include "hub_api.hpp"
#include "document_check.hpp"
#include "hub_ledger.hpp"
#include "kiosk/representativeness.hpp"
#include "report.hpp"
#include "response_cache.hpp"
#include "spss.hpp"
#include "workbook.hpp"

#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>
#include <variant>

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

std::string Request::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return {};
}

std::string Request::param(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

// ---- 1. Metrics --------------------------------------------------------------

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

// ---- 2. Auth and replies -----------------------------------------------------

namespace {

// dump() throws on invalid UTF-8 (a message may quote what a client sent):
// replace it instead, so building a reply cannot fail.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Reply json_reply(int status, const json& body) {
  Reply r;
  r.status = status;
  r.content_type = protocol::kJsonType;
  r.body = dump(body);
  return r;
}

}  // namespace

Reply error_reply(int status, const std::string& message) {
  return json_reply(status, json{{field::kApi, protocol::kApiVersion}, {field::kError, message}});
}

namespace {
// A 503 for a cause inside the hub, to a kiosk: what could not be done and
// the class of cause, with a reason and Retry-After; never a path or the
// database's own words, which go to the hub's log.
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
}  // namespace

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

namespace {

std::string bearer_or_basic(const Request& req) {
  const std::string h = req.header(header::kAuthorization);
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

using cli::html_escape;  // the report's (report.hpp)

}  // namespace

struct Api::Impl {
  Impl(HubStore& store, ApiOptions opt, const Clock& clock, std::optional<Survey> survey, Metrics& m)
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

  // The principal, or the reply refusing the request (401, 403, 503).
  std::variant<Principal, Reply> auth(const Request& req, const char* role, bool browser) {
    // A browser sends Basic credentials by itself, to any request another
    // site makes it send (a form posting text/plain): so they are taken
    // only to read pages and downloads, never to change anything.
    if (req.header(header::kAuthorization).rfind(header::kBasicPrefix, 0) == 0 && req.method != "GET" &&
        req.method != "HEAD")
      return error_reply(401,
                         "Basic credentials are taken only to read pages and downloads; send the token as "
                         "\"Authorization: Bearer TOKEN\"");
    const std::string token = bearer_or_basic(req);
    if (!token.empty()) {
      auto p = store_.authenticate(token);
      if (!p) return unavailable("could not check the token", p.error());
      if (*p && (*p)->revoked) return refused_token(true, true, browser);
      if (*p) {
        if ((*p)->role != role && (*p)->role != "admin")
          return error_reply(403, std::string("this token may not do that (needs a ") + role + " token)");
        if (std::string(role) == "admin" && (*p)->role != "admin") return error_reply(403, "this needs an admin token");
        return **p;
      }
    }
    return refused_token(!token.empty(), false, browser);
  }

  // 401 with the reason (unknown_token, revoked_token): the kiosk keeps its
  // responses pending and tells staff.
  static Reply refused_token(bool token_given, bool revoked, bool browser) {
    Reply r = json_reply(401, token_refusal(token_given, revoked));
    if (browser) {
      r.headers.emplace_back(header::kWwwAuthenticate, "Basic realm=\"kiosk-hub\", charset=\"UTF-8\"");
      r.body = "<!doctype html><title>kiosk-hub</title><p>Sign in with any user name and an admin token.";
      r.content_type = "text/html; charset=utf-8";
    } else {
      r.headers.emplace_back(header::kWwwAuthenticate, "Bearer");
    }
    return r;
  }

  // ---- 3. Upload ---------------------------------------------------------------

  Reply upload(Request& req) {
    const auto& who = req.principal;
    // A body that does not parse strictly (duplicate keys, invalid UTF-8, a
    // number out of range) is refused and kept in the quarantine.
    json body;
    if (auto p = parse_strict_json(req.body, body); !p.ok) {
      const std::string why =
          "the request body" + (p.field.empty() ? std::string(" is ") : " at " + p.field + ": ") + p.words;
      (void)store_.quarantine(who->name, {sealed_for_quarantine(quarantine_item("", why, req.body))});
      return error_reply(400, why);
    }
    // The parsed form is all that is read from here on: the text goes, so an
    // upload holds its batch once, not twice, while it is checked.
    std::string().swap(req.body);
    if (!body.is_object()) return error_reply(400, "the request body must be a JSON object");
    // Another device's batch is refused as a whole (403 wrong_device).
    if (auto refusal = refuse_batch(body, *who)) return json_reply(refusal->first, refusal->second);
    const std::string quoted = std::string("\"") + field::kResponses + "\"";
    if (!body.contains(field::kResponses)) return error_reply(400, quoted + " is missing");
    json& list = body[field::kResponses];
    if (!list.is_array()) return error_reply(400, quoted + " must be an array");
    if (list.size() > opt_.max_batch)
      return error_reply(413, "too many responses in one batch: " + std::to_string(list.size()) + " (at most " +
                                  std::to_string(opt_.max_batch) + ")");
    // Structure first: a malformed request stores nothing at all. An item is
    // sealed (key_id and sealed) or, from a kiosk before sealing, plain (document).
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string at = field::kResponses + ("[" + std::to_string(i) + "]");
      if (!list[i].is_object()) return error_reply(400, at + " must be an object");
      const bool sealed = list[i].contains(field::kSealed) || list[i].contains(field::kKeyId);
      if (sealed && list[i].contains(field::kDocument))
        return error_reply(400, at + " carries both a sealed and a plain document");
      const std::vector<const char*> need =
          sealed ? std::vector<const char*>{field::kUuid, field::kContentHash, field::kKeyId, field::kSealed}
                 : std::vector<const char*>{field::kUuid, field::kContentHash, field::kDocument};
      for (const char* f : need) {
        if (!list[i].contains(f)) return error_reply(400, at + "." + f + " is missing");
        if (!list[i][f].is_string()) return error_reply(400, at + "." + f + " must be a string");
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
      // Each item's parsed form is freed once it has been taken or refused,
      // so the batch is not held both parsed and as documents to store.
      struct Release {
        json& item;
        ~Release() { item = nullptr; }
      } release{list[i]};
      ItemResult& r = results[i];
      r.uuid = list[i][field::kUuid].get<std::string>();
      Incoming in;
      in.uuid = r.uuid;
      in.content_hash = list[i][field::kContentHash].get<std::string>();
      // A sealed item is opened here, in memory only; what is stored stays sealed.
      std::optional<Sealed> sealed;
      if (list[i].contains(field::kSealed)) {
        sealed = Sealed{list[i][field::kKeyId].get<std::string>(), list[i][field::kSealed].get<std::string>(), {}};
        Verdict v = open_item(*sealed, in);
        if (v.kind != Verdict::Kind::Accept) {
          r.status = v.kind == Verdict::Kind::Hold ? ItemResult::Status::Held : ItemResult::Status::Rejected;
          r.detail = v.detail();
          r.reason = v.reason;
          if (r.status == ItemResult::Status::Rejected) {
            QuarantineItem q = quarantine_item(r.uuid, r.detail, sealed->text);
            q.key_id = printable_utf8(sealed->key_id, 100);
            refused.push_back(std::move(q));
          }
          continue;
        }
      } else {
        in.document = list[i][field::kDocument].get<std::string>();
      }
      // Each document checked against its survey (document_check.hpp).
      auto chk = check_item(registry_, trust_, who->role == "admin" ? batch_kiosk : who->name, batch_kiosk,
                            std::move(in), clock_.now(), who->service_point);
      if (chk.verdict.kind != Verdict::Kind::Accept) {
        // Another kiosk's document: the token is what is wrong, so the whole
        // batch is refused (403 wrong_device) and the kiosk keeps it pending.
        if (chk.verdict.field == "kiosk_id" && who->role != "admin")
          if (auto m = parse_canonical_document(chk.in.document); m)
            if (auto refusal = refuse_document_kiosk(m->first.kiosk_id, *who))
              return json_reply(refusal->first, refusal->second);
        r.status = chk.verdict.kind == Verdict::Kind::Hold ? ItemResult::Status::Held : ItemResult::Status::Rejected;
        r.detail = chk.verdict.detail();
        r.reason = chk.verdict.reason;
        if (r.status == ItemResult::Status::Rejected) {
          if (sealed) {
            QuarantineItem q = quarantine_item(r.uuid, r.detail, sealed->text);
            q.key_id = sealed->key_id;
            refused.push_back(std::move(q));
          } else {
            refused.push_back(sealed_for_quarantine(quarantine_item(r.uuid, r.detail, chk.in.document)));
          }
        }
        continue;
      }
      if (opt_.keys) {
        // Stored sealed: as the kiosk sealed it, or (a plain item from an
        // older kiosk) sealed here to the current key. The age band kept
        // beside each row for counting is an answer, so it goes too: the
        // summary and status page count from the tallies.
        if (sealed) {
          chk.in.document = base64_encode(sealed->bytes);
          chk.in.key_id = sealed->key_id;
        } else {
          chk.in.document = seal_to_current(*opt_.keys, chk.in.document);
          chk.in.key_id = opt_.keys->current.id;
        }
      }
      slot[i] = static_cast<int>(accepted.size());
      accepted.push_back(std::move(chk.in));
    }
    if (auto st = store_.quarantine(who->name, refused); !st)
      return unavailable("could not keep the refused documents (nothing was stored)", st.error());
    std::vector<ItemResult> stored;
    if (!accepted.empty()) {
      auto r = store_.ingest(who->name, accepted);
      if (!r) return unavailable("could not store the batch (nothing was stored)", r.error());
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
    return json_reply(
        200,
        json{{field::kApi, protocol::kApiVersion}, {field::kCommitted, true}, {field::kReceipts, std::move(receipts)}});
  }

  // A sealed upload item: its key id, its base64 as sent, its bytes once decoded.
  struct Sealed {
    std::string key_id, text, bytes;
  };

  // Decodes and opens a sealed item into `in` (document: the plain document,
  // content_hash: its SHA-256, which decides duplicates and conflicts). A key
  // the hub does not hold is not the item's fault: held, the kiosk keeps it.
  Verdict open_item(Sealed& s, Incoming& in) const {
    Verdict v;
    auto refuse = [&v](const char* f, std::string words) {
      v.kind = Verdict::Kind::Refuse;
      v.code = 422;
      v.field = f;
      v.words = std::move(words);
      return v;
    };
    if (!opt_.keys) {
      v.kind = Verdict::Kind::Hold;
      v.code = 503;
      v.reason = protocol::reason::kUnknownKey;
      v.words = "this hub holds no sealing keys yet (start it with --key-dir)";
      return v;
    }
    auto raw = base64_decode(s.text);
    if (!raw) return refuse(field::kSealed, "is not standard base64");
    s.bytes = std::move(*raw);
    if (sha256_hex(s.bytes) != in.content_hash)
      return refuse(field::kContentHash, "is not the SHA-256 of the sealed bytes");
    auto plain = opt_.keys->ring.open(s.key_id, s.bytes);
    if (!plain && plain.kind() == ErrorKind::NotFound) {
      v.kind = Verdict::Kind::Hold;
      v.code = 503;
      v.reason = protocol::reason::kUnknownKey;
      v.words = "sealed to key " + printable_utf8(s.key_id, 100) + ", which this hub does not hold";
      return v;
    }
    if (!plain)
      return refuse(field::kSealed,
                    "does not open with key " + s.key_id + " (altered, or sealed to another key with that id)");
    in.document = std::move(plain).value();
    in.content_hash = sha256_hex(in.document);
    v.kind = Verdict::Kind::Accept;
    v.code = 201;
    return v;
  }

  // A refused document as the quarantine keeps it: sealed to the current key
  // when the hub has keys, so the database holds no answer in the clear.
  QuarantineItem sealed_for_quarantine(QuarantineItem q) const {
    if (opt_.keys && q.key_id.empty()) {
      q.document = seal_to_current(*opt_.keys, q.document);
      q.key_id = opt_.keys->current.id;
    }
    return q;
  }

  Result<std::string> open_stored(const StoredDocument& stored) const {
    if (stored.key_id.empty()) return stored.document;
    if (!opt_.keys)
      return make_error(ErrorKind::Config, "a stored response is sealed (key " + stored.key_id +
                                               ") and this hub was started without --key-dir");
    auto raw = base64_decode(stored.document);
    if (!raw) return make_error(ErrorKind::Internal, "a stored sealed response is not base64");
    auto plain = opt_.keys->ring.open(stored.key_id, *raw);
    if (!plain && plain.kind() == ErrorKind::NotFound)
      return make_error(ErrorKind::Config, "a stored response is sealed to key " + stored.key_id +
                                               ", which is not in the key directory (a key file removed?)");
    return plain;
  }

  // ---- 4. Heartbeat, survey ------------------------------------------------------

  Reply heartbeat(Request& req) {
    const auto& who = req.principal;
    auto parsed = parse_json_body(req.body);
    if (!parsed) return error_reply(400, parsed.message());
    const json& b = *parsed;
    if (!b.is_object()) return error_reply(400, "the request body is not a JSON object");
    Heartbeat hb;
    try {
      hb.service_point = b.value(field::kServicePoint, "");
      hb.app_version = b.value(field::kAppVersion, "");
      hb.last_error = b.value(field::kLastError, "");
      // Counts are whole numbers a 64-bit signed integer holds: 2^64-1 or
      // 1e300 would otherwise wrap or be undefined on conversion.
      for (const char* f : {field::kPending, field::kOldestPendingAgeSeconds, field::kFreeDiskBytes}) {
        if (!b.contains(f)) continue;
        const json& v = b[f];
        const bool fits = v.is_number_integer() &&
                          (!v.is_number_unsigned() || v.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX));
        if (!fits) return error_reply(400, std::string("heartbeat field \"") + f + "\" must be a whole number");
      }
      hb.pending = b.value(field::kPending, std::int64_t{0});
      hb.oldest_pending_age_seconds = b.value(field::kOldestPendingAgeSeconds, std::int64_t{0});
      hb.free_disk_bytes = b.value(field::kFreeDiskBytes, std::int64_t{-1});
    } catch (const json::exception& e) {
      std::string what = e.what();
      if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
      return error_reply(400, "heartbeat field of the wrong type: " + what);
    }
    // The ledger's fields: the kiosk's highest response number and its clock.
    if (auto st = read_ledger_fields(b, hb, clock_.now()); !st) return error_reply(400, st.message());
    if (auto st = store_.heartbeat(who->name, hb, format_utc(clock_.now())); !st)
      return unavailable("could not record the heartbeat", st.error());
    return json_reply(200, json{{field::kApi, protocol::kApiVersion}, {field::kOk, true}});
  }

  Reply survey(Request& req) {
    if (!survey_) return error_reply(404, "this hub serves no survey (start it with --survey FILE)");
    Reply r;
    if (req.header(header::kIfNoneMatch) == survey_etag_) {
      r.status = 304;
    } else {
      json body{{field::kApi, protocol::kApiVersion},
                {field::kSurveyId, survey_->id},
                {field::kVersion, survey_->version},
                {field::kEtag, survey_etag_},
                {field::kDefinition, survey_->source_text}};
      // What kiosks seal answers to (kiosk/seal.hpp); they check it before applying anything of this pull.
      if (opt_.keys) body[field::kSealPublicKey] = opt_.keys->current_public;
      // Checked by the hub's loader at start; the kiosk checks them again against the definition.
      body[field::kTranslations] = json::object();
      for (const auto& [locale, text] : survey_->translation_sources) body[field::kTranslations][locale] = text;
      r = json_reply(200, body);
    }
    r.headers.emplace_back(header::kETag, survey_etag_);
    return r;
  }

  // ---- 5. Export and summary -----------------------------------------------------

  Reply export_data(Request& req) {
    namespace fmt = protocol::format;
    const std::string format = req.has_param(protocol::kFormatParam) ? req.param(protocol::kFormatParam) : fmt::kCsv;
    const bool analyst_file =
        format == fmt::kXlsx || format == fmt::kSav || format == fmt::kReportPdf || format == fmt::kReportHtml;
    if (format != fmt::kCsv && format != fmt::kJsonl && format != fmt::kCodebook && !analyst_file)
      return error_reply(400, "format must be csv, jsonl, codebook, xlsx, sav, report-pdf or report-html");
    if (analyst_file && !survey_)
      return error_reply(409, "the workbook, the .sav and the report need the hub started with --survey FILE");
    if (format != fmt::kJsonl && !survey_)
      return error_reply(409, "CSV and codebook need the hub started with --survey FILE");
    // Every export is in the audit log, with the admin token's name: the
    // dataset leaves the hub there. No log, no export.
    const std::string actor = req.principal ? req.principal->name : std::string("?");
    if (auto st = store_.audit(actor, "export", "format " + format); !st)
      return error_reply(503, "could not write the audit log, so nothing was exported: " + st.message());
    if (analyst_file) return analyst_export(format);
    std::string out;
    if (format == fmt::kCodebook) {
      append_codebook(out, *survey_);
      return Reply{200, "text/csv; charset=utf-8", {}, std::move(out)};
    }
    // Streamed as the responses are read from the database, a piece at a
    // time: an export of any size holds about a megabyte of the hub's
    // memory. Each document is opened in memory as it goes: the plain text
    // exists only here and in the reply. A document that cannot be read, or
    // the database failing part-way, cuts the transfer off, so the client
    // sees an incomplete download, never a short file.
    Reply r{200,
            format == fmt::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson",
            {{"Content-Disposition", "attachment; filename=\"responses." + format + "\""}},
            {}};
    r.stream = [this, format](const Reply::Write& write, std::string& why) {
      constexpr std::size_t kPiece = 64 * 1024;
      std::string piece;
      std::optional<CsvLayout> layout;
      if (format == fmt::kCsv) {
        layout.emplace(*survey_);
        append_csv_header(piece, layout->cols);
      }
      bool client_left = false;
      std::string bad;
      auto st = for_each_opened(bad, [&](const std::string& doc) {
        if (format == fmt::kJsonl) {
          piece += doc;
          piece += '\n';
        } else {
          auto d = parse_canonical_document(doc);
          if (!d) {
            bad = d.message();
            return false;
          }
          if (d->first.survey_id == survey_->id) append_csv_row(piece, *layout, d->first, d->second);
        }
        if (piece.size() >= kPiece) {
          if (!write(piece)) return !(client_left = true);
          piece.clear();
        }
        return true;
      });
      if (!st || !bad.empty()) {
        why = !st ? st.message() : "a stored document could not be read: " + bad;
        std::fprintf(stderr, "kiosk-hub: export (%s) stopped: %s\n", format.c_str(), why.c_str());
        return false;
      }
      if (client_left) return false;
      return piece.empty() || write(piece);
    };
    return r;
  }

  // The workbook, the .sav or the consultation report (kiosk-admin's, from
  // app/cli), written from every response the hub holds: opened one at a
  // time into a private folder as `kiosk-admin open` writes them, the file
  // written from there, sent, and the folder removed.
  // Each stored document opened, in turn; stops at the first that cannot
  // be opened, its reason in `bad`.
  Status for_each_opened(std::string& bad, const std::function<bool(const std::string&)>& each) {
    return store_.for_each_document([&](const StoredDocument& stored) {
      auto opened = open_stored(stored);
      if (!opened) {
        bad = opened.message();
        return false;
      }
      return each(*opened);
    });
  }

  // A private folder (0700) for opened responses and the file written from
  // them, removed when done: in memory, never on a disk, where there is a
  // memory filesystem: systemd's RuntimeDirectory (/run/kiosk-hub, as the
  // package's unit sets), else /dev/shm; only failing both, TMPDIR or /tmp.
  struct WorkDir {
    std::string path;
    WorkDir() {
      std::vector<std::string> places;
      if (const char* run = std::getenv("RUNTIME_DIRECTORY"); run && *run) places.emplace_back(run);
      places.emplace_back("/dev/shm");
      if (const char* tmp = std::getenv("TMPDIR"); tmp && *tmp) places.emplace_back(tmp);
      places.emplace_back("/tmp");
      for (const auto& place : places) {
        std::string t = place + "/kiosk-hub-export-XXXXXX";  // mkdtemp's template: it fills in the Xs
        if (const char* made = mkdtemp(t.data())) {
          path = made;
          return;
        }
      }
    }
    ~WorkDir() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
  };

  // Every response of the survey the hub holds (and the filter keeps),
  // opened one at a time into DIR/responses.jsonl as `kiosk-admin open`
  // writes them. An error reply, or nothing.
  std::optional<Reply> write_opened(const std::string& dir) {
    std::ofstream jsonl(dir + "/responses.jsonl", std::ios::binary);
    std::string bad;
    auto st = for_each_opened(bad, [&](const std::string& doc) {
      auto d = parse_canonical_document(doc);
      if (d && d->first.survey_id == survey_->id) jsonl << doc << '\n';
      return true;
    });
    if (!st) return error_reply(503, st.message());
    if (!bad.empty()) return error_reply(500, "a stored document could not be read: " + bad);
    if (!jsonl.flush()) return error_reply(503, "could not write the export's working file");
    return std::nullopt;
  }

  cli::OpenedFileOptions analyst_options() const {
    cli::OpenedFileOptions o;
    o.population = opt_.population.get();
    for (const auto& sp : opt_.service_points) o.service_point_names[sp.id] = sp.name;
    o.time_zone.clear();  // the process's own (kiosk-hub serve sets Europe/London unless TZ is given)
    return o;
  }

  // The report's content from the responses held in memory (cache_), for
  // the scope: the document, an error reply, or neither (none completed).
  std::variant<std::monostate, cli::ReportDocument, Reply> report_of(const ResponseScope& scope,
                                                                     const cli::ReportOptions& r) {
    std::optional<cli::ReportDocument> doc;
    auto st = cache_->use(store_, scope,
                          [&](const cli::OpenedResponses& from) { doc = cli::build_report(from, *survey_, r); });
    if (!st)
      return st.kind() == ErrorKind::Internal || st.kind() == ErrorKind::Config
                 ? error_reply(500, "a stored document could not be read: " + st.message())
                 : error_reply(503, st.message());
    if (doc) return std::move(*doc);
    return std::monostate{};
  }

  Reply analyst_export(const std::string& format) {
    namespace fmt = protocol::format;
    if (format == fmt::kReportPdf || format == fmt::kReportHtml) return report_export(format == fmt::kReportPdf);
    WorkDir work;
    if (work.path.empty())
      return error_reply(503, "could not make a folder for the export: " + std::string(strerror(errno)));
    const std::string& dir = work.path;
    if (auto e = write_opened(dir)) return std::move(*e);
    cli::OpenedFileOptions o = analyst_options();
    std::string file, type, name;
    int rc = 0;
    if (format == fmt::kXlsx) {
      o.out = file = dir + "/responses.xlsx";
      type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
      name = survey_->id + ".xlsx";
      rc = cli::workbook(dir, *survey_, o);
    } else {
      o.out = file = dir + "/responses.sav";
      type = "application/x-spss-sav";
      name = survey_->id + ".sav";
      rc = cli::spss(dir, *survey_, o);
    }
    if (rc != 0)
      return error_reply(409, "nothing to write: no completed responses of " + survey_->id +
                                  " yet, or they could "
                                  "not be read (the hub's log says which)");
    std::ifstream in(file, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return error_reply(503, "could not read the file written for the export");
    return Reply{200, type, {{"Content-Disposition", "attachment; filename=\"" + name + "\""}}, std::move(body)};
  }

  // The consultation report, PDF or HTML, from the responses held in memory.
  Reply report_export(bool pdf) {
    cli::ReportOptions r;
    r.file = analyst_options();
    auto made = report_of(ResponseScope{}, r);
    if (auto* e = std::get_if<Reply>(&made)) return std::move(*e);
    auto* doc = std::get_if<cli::ReportDocument>(&made);
    if (!doc) return error_reply(409, "nothing to write: no completed responses of " + survey_->id + " yet");
    const std::string name = survey_->id + "-report" + (pdf ? ".pdf" : ".html");
    const std::vector<std::pair<std::string, std::string>> disposition = {
        {"Content-Disposition", "attachment; filename=\"" + name + "\""}};
    if (!pdf) return Reply{200, "text/html; charset=utf-8", disposition, cli::report_html(*doc)};
    WorkDir work;
    if (work.path.empty())
      return error_reply(503, "could not make a folder for the report: " + std::string(strerror(errno)));
    const std::string file = work.path + "/report.pdf";
    if (!cli::write_report_pdf(*doc, file)) return error_reply(503, "could not write the report's PDF");
    std::ifstream in(file, std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) return error_reply(503, "could not read the report written");
    return Reply{200, "application/pdf", disposition, std::move(body)};
  }

  // GET /results: the consultation report's content as a page, for one
  // service point (or all) and a range of days, chosen in a form. Built from
  // the responses themselves (per week and weighted need each one), held
  // opened in memory (response_cache.hpp) so only the first page after a
  // start waits for every sealed response to be opened.
  Reply results_page(Request& req) {
    if (!survey_) return error_reply(409, "the results page needs the hub started with --survey FILE");
    ResponseScope f;
    if (req.has_param("service_point")) f.service_point = req.param("service_point");
    if (req.has_param("from")) f.from = req.param("from");
    if (req.has_param("to")) f.to = req.param("to");
    auto is_date = [](const std::string& d) {
      std::tm tm{};
      const char* end = d.size() == 10 ? strptime(d.c_str(), "%Y-%m-%d", &tm) : nullptr;
      return d.empty() || (end && *end == '\0');
    };
    if (!is_date(f.from) || !is_date(f.to))
      return error_reply(400, "from and to are days as YYYY-MM-DD (\"" + f.from + "\", \"" + f.to + "\")");
    bool known = f.service_point.empty();
    for (const auto& sp : opt_.service_points) known = known || sp.id == f.service_point;
    if (!known) return error_reply(400, "no service point \"" + f.service_point + "\" at this hub");
    // The form: every service point by name, and the days.
    std::string form =
        "<form method=\"get\" action=\"" + std::string(route::kResultsPage) +
        "\" style=\"display:flex;flex-wrap:wrap;gap:0.8rem 1.2rem;align-items:end;background:#eef2f6;padding:0.8rem;"
        "margin:1rem 0\"><div><label for=\"sp\" style=\"display:block;font-weight:bold\">Service point</label>"
        "<select id=\"sp\" name=\"service_point\" style=\"font-size:1rem;padding:0.3rem\"><option value=\"\">All "
        "service points</option>";
    for (const auto& sp : opt_.service_points)
      form += "<option value=\"" + html_escape(sp.id) + "\"" + (sp.id == f.service_point ? " selected" : "") + ">" +
              html_escape(sp.name) + "</option>";
    form +=
        "</select></div><div><label for=\"from\" style=\"display:block;font-weight:bold\">From (first day)</label>"
        "<input type=\"date\" id=\"from\" name=\"from\" value=\"" +
        html_escape(f.from) +
        "\" style=\"font-size:1rem;padding:0.3rem\"></div><div><label for=\"to\" style=\"display:block;"
        "font-weight:bold\">To (last day)</label><input type=\"date\" id=\"to\" name=\"to\" value=\"" +
        html_escape(f.to) +
        "\" style=\"font-size:1rem;padding:0.3rem\"></div><button type=\"submit\" style=\"font-size:1rem;"
        "padding:0.4rem 1rem\">Show results</button><p style=\"margin:0;flex-basis:100%\"><a href=\"" +
        std::string(route::kStatusPage) + "\">Back to the status page</a></p></form>\n";
    // The same page, for the same choices, the same data and the same day
    // (the page says when it was written), is sent again as it was built.
    const std::string key = f.service_point + '\n' + f.from + '\n' + f.to + '\n' + local_day();
    auto state = cache_->current(store_);
    if (!state) return error_reply(state.kind() == ErrorKind::Storage ? 503 : 500, state.message());
    {
      std::lock_guard lock(pages_mutex_);
      auto it = pages_.find(key);
      if (it != pages_.end() && it->second.first == *state) return results_reply(it->second.second);
    }
    cli::ReportOptions r;
    r.file = analyst_options();
    r.comments = 50;
    std::string page;
    auto made = report_of(f, r);
    if (auto* e = std::get_if<Reply>(&made)) return std::move(*e);
    if (auto* doc = std::get_if<cli::ReportDocument>(&made)) {
      doc->title = "Results: " + doc->title.substr(0, doc->title.rfind(": consultation report"));
      std::string scope = f.service_point.empty() ? "All service points" : service_point_name(f.service_point);
      if (!f.from.empty() || !f.to.empty())
        scope += ", " + (f.from.empty() ? std::string("the start") : f.from) + " to " +
                 (f.to.empty() ? std::string("today") : f.to);
      doc->subtitle = scope + ". " + doc->subtitle;
      page = cli::report_html(*doc, form);
    } else {
      cli::ReportDocument empty;
      empty.lang = survey_->default_locale.empty() ? "en" : survey_->default_locale;
      empty.title = "Results: " + survey_->text(survey_->title, survey_->default_locale);
      empty.subtitle = "No completed responses match these choices yet.";
      page = cli::report_html(empty, form);
    }
    {
      std::lock_guard lock(pages_mutex_);
      if (pages_.size() >= kPagesKept) pages_.clear();  // a handful of choices at a time; never grows
      pages_[key] = {*state, page};
    }
    return results_reply(std::move(page));
  }

  static Reply results_reply(std::string page) {
    return Reply{200, "text/html; charset=utf-8", {{"Cache-Control", "no-store"}}, std::move(page)};
  }

  static std::string local_day() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char b[16];
    return std::string(b, std::strftime(b, sizeof b, "%Y-%m-%d", &tm));
  }

  Result<Summary> build_summary() {
    if (!survey_) return Summary{};
    // From the tallies kept as responses are stored (document_check.hpp):
    // completed responses only, at the same cost whatever the dataset's size.
    return summary_from_tallies(store_, *survey_);
  }

  // GET /api/v1/ledger: the same figures as `kiosk-hub ledger`.
  Reply ledger(Request&) {
    auto rows = store_.ledger();
    if (!rows) return error_reply(503, rows.message());
    return json_reply(200, ledger_json(*rows, clock_.now()));
  }

  // Who answered against who lives in the area (kiosk/representativeness.hpp),
  // from the tallies: overall, then each service point. Per week needs each
  // response's time: `kiosk-admin represent` on an export gives it.
  Result<std::vector<RepresentativenessSlice>> representativeness() {
    auto s = build_summary();
    if (!s) return s.error();
    const Population& pop = *opt_.population;
    auto counts_of = [&](const ResultsTable& t) {
      ChoiceCounts c;
      for (const auto& b : pop.benchmarks) {
        const Question* q = survey_->find(b.question);
        if (!q || q->index >= t.questions.size()) continue;
        const auto& qs = t.questions[q->index];
        auto& m = c[b.question];
        for (const auto& o : qs.options)
          if (o.count) m[o.code] = o.count;
        m[""] = t.responses - qs.answered;
      }
      return c;
    };
    using K = RepresentativenessSlice::Kind;
    std::vector<RepresentativenessSlice> out;
    out.push_back(slice_figures(pop, K::All, "", s->overall.responses, counts_of(s->overall)));
    for (const auto& [sp, t] : s->by_service_point)
      out.push_back(slice_figures(pop, K::ServicePoint, sp, t.responses, counts_of(t)));
    return out;
  }

  std::string option_label(const std::string& question, const std::string& code) const {
    const Question* q = survey_ ? survey_->find(question) : nullptr;
    const Option* o = q ? q->find_option(code) : nullptr;
    return o ? survey_->text(o->label, survey_->default_locale) : code;
  }

  json slice_json(const RepresentativenessSlice& sl) const {
    json qs = json::array();
    for (const auto& q : sl.questions) {
      json gs = json::array();
      for (const auto& g : q.groups)
        gs.push_back({{"code", g.code},
                      {"label", option_label(q.benchmark->question, g.code)},
                      {"respondents", g.respondents},
                      {"share", g.share},
                      {"ci_low", g.ci.low},
                      {"ci_high", g.ci.high},
                      {"population", g.population},
                      {"ratio", g.ratio},
                      {"verdict", verdict_words(g.verdict)},
                      {"more_to_close", g.to_close}});
      qs.push_back({{"question", q.benchmark->question},
                    {"name", q.benchmark->name},
                    {"in_base", q.in_base},
                    {"outside_base", q.outside_base},
                    {"not_answered", q.not_answered},
                    {"groups", gs}});
    }
    return json{{"kind", sl.kind == RepresentativenessSlice::Kind::All ? "all" : "service_point"},
                {"key", sl.key},
                {"name", sl.key.empty() ? std::string("All service points") : service_point_name(sl.key)},
                {"responses", sl.responses},
                {"questions", qs}};
  }

  // GET /api/v1/figures (a kiosk's token): who answered at the kiosk's own
  // service point against who lives in the area, for its admin area ("as of
  // the last sync"). The kiosk keeps them in memory only: it counts nothing
  // on its disk. 204 when the hub has no survey or population to compare.
  Reply figures(Request& req) {
    if (!survey_ || !opt_.population) return Reply{204, "", {}, ""};
    std::string sp = req.principal ? req.principal->service_point : std::string();
    if (sp.empty() && req.has_param("service_point")) sp = req.param("service_point");
    if (sp.empty()) return error_reply(400, "which service point? (add-device --service-point, or ?service_point=)");
    auto slices = representativeness();
    if (!slices) return unavailable("could not count the figures", slices.error());
    json mine;
    for (const auto& sl : *slices)
      if (sl.kind == RepresentativenessSlice::Kind::ServicePoint && sl.key == sp) mine = slice_json(sl);
    if (mine.is_null()) {  // nothing from there yet
      mine = slice_json(slice_figures(*opt_.population, RepresentativenessSlice::Kind::ServicePoint, sp, 0, {}));
    }
    mine["as_of_utc"] = format_utc(clock_.now());
    mine["area"] = opt_.population->area;
    mine[field::kApi] = protocol::kApiVersion;
    return json_reply(200, mine);
  }

  // GET /api/v1/representativeness
  Reply representativeness_json(Request&) {
    if (!survey_) return error_reply(409, "representativeness needs the hub started with --survey FILE");
    if (!opt_.population)
      return error_reply(409, "the hub has no population benchmarks: start it with --population FILE");
    auto slices = representativeness();
    if (!slices) return error_reply(503, slices.message());
    const Population& pop = *opt_.population;
    json benchmarks = json::array();
    for (const auto& b : pop.benchmarks)
      benchmarks.push_back({{"question", b.question},
                            {"name", b.name},
                            {"base", b.base},
                            {"source", b.source},
                            {"table", b.table},
                            {"year", b.year},
                            {"note", b.note}});
    json js = json::array();
    for (const auto& sl : *slices) js.push_back(slice_json(sl));
    return json_reply(
        200,
        json{{field::kApi, protocol::kApiVersion}, {"area", pop.area}, {"benchmarks", benchmarks}, {"slices", js}});
  }

  // The status page's section: each benchmark's table for all service
  // points, then the groups under-represented at each service point.
  std::string representativeness_html() {
    auto slices = representativeness();
    if (!slices) return "<p class=warn>" + html_escape(slices.message()) + "</p>";
    auto pct = [](double x) {
      char b[16];
      std::snprintf(b, sizeof b, x > 0 && x < 0.01 ? "%.2f%%" : "%.1f%%", 100 * x);
      return std::string(b);
    };
    const Population& pop = *opt_.population;
    std::string h = "<h2>Who answered, against who lives in " + html_escape(pop.area) +
                    "</h2><p><small>Completed responses. A group is under- or over-represented when the 95% interval "
                    "of its share (held for all the question's groups together) lies wholly below or above its "
                    "share of the population. Figures by week: <code>kiosk-admin represent</code> on an "
                    "export.</small></p>";
    const auto& all = slices->front();
    for (const auto& q : all.questions) {
      const Benchmark& b = *q.benchmark;
      h += "<div class=scroll><table><caption>" + html_escape(b.name) + " (" + html_escape(b.question) + "), against " +
           html_escape(b.base) + ": " + html_escape(b.source) + ", " + html_escape(b.table) + ", " +
           std::to_string(b.year) + ". " + std::to_string(q.in_base) + " answered within the base, " +
           std::to_string(q.outside_base) + " outside it, " + std::to_string(q.not_answered) +
           " did not answer.</caption><tr><th scope=col>Group</th><th scope=col class=num>Respondents</th><th "
           "scope=col class=num>Share</th><th scope=col class=num>95% interval</th><th scope=col "
           "class=num>Population</th><th scope=col>Verdict</th></tr>";
      for (const auto& g : q.groups) {
        std::string verdict = verdict_words(g.verdict);
        if (g.verdict == kiosk::Verdict::Under)
          verdict = "<span class=warn>Under-represented</span>: about " + std::to_string(g.to_close) +
                    " more responses from this group would close the gap";
        else if (g.verdict == kiosk::Verdict::Over)
          verdict = "Over-represented";
        else if (g.verdict == kiosk::Verdict::InLine)
          verdict = "In line";
        else
          verdict = html_escape(verdict);
        h += "<tr><th scope=row>" + html_escape(option_label(b.question, g.code)) + "</th><td class=num>" +
             std::to_string(g.respondents) + "</td><td class=num>" + pct(g.share) + "</td><td class=num>" +
             pct(g.ci.low) + " to " + pct(g.ci.high) + "</td><td class=num>" + pct(g.population) + "</td><td>" +
             verdict + "</td></tr>";
      }
      h += "</table></div>";
    }
    h += "<h3>Under-represented groups, by service point</h3><ul>";
    for (size_t i = 1; i < slices->size(); ++i) {
      const auto& sl = (*slices)[i];
      std::string gaps;
      for (const auto& q : sl.questions)
        for (const auto& g : q.groups)
          if (g.verdict == kiosk::Verdict::Under)
            gaps += std::string(gaps.empty() ? "" : "; ") + html_escape(q.benchmark->name) + " " +
                    html_escape(option_label(q.benchmark->question, g.code)) + ": " + pct(g.share) + " against " +
                    pct(g.population) + ", about " + std::to_string(g.to_close) + " more would close the gap";
      h += "<li><b>" + html_escape(service_point_name(sl.key)) + "</b> (" + std::to_string(sl.responses) +
           " responses): " + (gaps.empty() ? "no group under-represented" : gaps) + "</li>";
    }
    return h + "</ul>";
  }

  Reply summary(Request&) {
    if (!survey_) return error_reply(409, "the summary needs the hub started with --survey FILE");
    auto s = build_summary();
    if (!s) return error_reply(503, s.message());
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
    return json_reply(
        200,
        json{{field::kApi, protocol::kApiVersion}, {field::kOverall, table(s->overall)}, {field::kByServicePoint, by}});
  }

  // ---- 6. Status page ------------------------------------------------------------

  // The service point's name for an id (the id itself if unknown).
  std::string service_point_name(const std::string& id) const {
    for (const auto& sp : opt_.service_points)
      if (sp.id == id) return sp.name;
    return id;
  }
  const ServicePoint* find_service_point(const std::string& id) const {
    for (const auto& sp : opt_.service_points)
      if (sp.id == id) return &sp;
    return nullptr;
  }

  // Minutes the service point was open between `from` and `to` (its hours,
  // in the hub's local time), counted up to a week back; with no hours
  // known, every minute counts.
  static std::int64_t open_minutes(const ServicePoint* sp, std::chrono::system_clock::time_point from,
                                   std::chrono::system_clock::time_point to) {
    using std::chrono::minutes;
    const auto span = std::chrono::duration_cast<minutes>(to - from).count();
    if (span <= 0) return 0;
    if (!sp || sp->opening.always_open()) return span;
    const std::int64_t n = std::min<std::int64_t>(span, 7 * 24 * 60);
    std::int64_t open = 0;
    for (std::int64_t m = 0; m < n; ++m)
      if (sp->opening.open_at(local_minute_of_week(to - minutes(m + 1)))) ++open;
    return open;
  }

  Reply status_page(Request&) {
    auto devices = store_.devices();
    auto total = store_.response_count();
    auto conflicts = store_.conflict_count();
    // Counted from the tallies: completed responses of the survey served (document_check.hpp).
    auto counts = survey_ ? status_counts(store_, *survey_) : Result<StatusCounts>(StatusCounts{});
    auto quarantined = store_.quarantine_count();
    auto latest_refused = store_.quarantine_latest(10);
    auto ledger_rows = store_.ledger();
    auto audit = store_.audit_log(10);
    if (!devices || !total || !conflicts || !counts || !quarantined || !latest_refused || !ledger_rows || !audit)
      return error_reply(503, "database unavailable");
    const auto now = clock_.now();
    auto parse_utc = [](const std::string& utc) -> std::optional<std::chrono::system_clock::time_point> {
      std::tm tm{};
      if (utc.empty() || !strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return std::nullopt;
      return std::chrono::system_clock::from_time_t(timegm(&tm));
    };
    auto ago = [&](const std::string& utc) -> std::string {
      if (utc.empty()) return "never";
      auto t = parse_utc(utc);
      if (!t) return utc;
      const auto sec = std::chrono::duration_cast<std::chrono::seconds>(now - *t).count();
      if (sec < 90) return std::to_string(sec) + " s ago";
      if (sec < 5400) return std::to_string(sec / 60) + " min ago";
      if (sec < 172800) return std::to_string(sec / 3600) + " h ago";
      return std::to_string(sec / 86400) + " days ago";
    };
    auto bars = [&](const std::string& caption, const std::vector<Tally>& rows,
                    const std::function<std::string(const std::string&)>& label) {
      std::int64_t max = 1;
      for (const auto& r : rows) max = std::max(max, r.count);
      std::string h = "<table class=bars><caption>" + html_escape(caption) + "</caption>";
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
    std::map<std::string, const LedgerRow*> ledger_of;
    for (const auto& r : *ledger_rows) ledger_of[r.kiosk] = &r;

    std::string h =
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
        "content=\"width=device-width,initial-scale=1\">"
        "<title>kiosk-hub status</title><style>"
        "body{font:17px/1.5 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1b1b;background:#fff;max-width:70rem}"
        "h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:2px solid #1d4f91}"
        ".tiles{display:flex;flex-wrap:wrap;gap:.6rem;list-style:none;padding:0}.tile{border:2px solid "
        "#1d4f91;border-radius:.5rem;padding:.5rem .9rem}"
        ".tile b{display:block;font-size:1.6rem}.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}"
        "caption{text-align:left;font-weight:600;padding:.3rem 0}"
        "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #bbb;vertical-align:top}"
        ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.bars "
        "th{width:35%;font-weight:normal}"
        ".bar{background:#1d4f91;height:1.1rem;border-radius:3px;min-width:2px}.warn{color:#a4000f;font-weight:600}"
        ".ok{color:#0b6b2b;font-weight:600}small{color:#444}nav a{margin-right:1rem}a{color:#1d4f91}"
        // On a phone each kiosk becomes a card: label on the left, value on the right.
        "@media(max-width:640px){.kiosks tr:first-child{display:none}.kiosks tr{display:block;border-bottom:2px solid "
        "#1d4f91;padding:.4rem 0}.kiosks td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:"
        ".15rem .3rem;text-align:right}.kiosks td::before{content:attr(data-label);font-weight:600;text-align:left}}"
        "</style></head><body><header><h1>kiosk-hub status</h1><p><small>" +
        html_escape(store_.backend()) + " &middot; " + html_escape(format_utc(now)) +
        (survey_ ? " &middot; survey " + html_escape(survey_->id) + " " + html_escape(survey_->version) : "") +
        " &middot; the figures below update every minute</small> <button type=button id=pause "
        "aria-pressed=false>Pause updates</button></p>"
        "<nav aria-label=\"Exports\"><a href=\"" +
        std::string(route::kExport) + "?format=csv\">Export as CSV</a><a href=\"" + route::kExport +
        "?format=jsonl\">Export as JSON Lines</a><a href=\"" + route::kExport +
        "?format=codebook\">Codebook</a><a href=\"" + route::kExport + "?format=xlsx\">Excel workbook</a><a href=\"" +
        route::kExport + "?format=sav\">SPSS file (.sav)</a><a href=\"" + route::kExport +
        "?format=report-pdf\">Consultation report (PDF)</a><a href=\"" + route::kExport +
        "?format=report-html\">Consultation report (HTML)</a><a href=\"" + route::kResultsPage +
        "\">Results page</a><a href=\"" + route::kLedger + "\">Ledger (JSON)</a></nav></header><main>";
    h += "<ul class=tiles><li class=tile><b>" + std::to_string(*total) + "</b>responses</li><li class=tile><b>" +
         std::to_string(devices->size()) + "</b>kiosks</li><li class=tile><b" + (*conflicts ? " class=warn" : "") +
         ">" + std::to_string(*conflicts) + "</b>conflicts</li><li class=tile><b" +
         (*quarantined ? " class=warn" : "") + ">" + std::to_string(*quarantined) + "</b>refused documents</li></ul>";
    h += "<h2>Kiosks</h2><div class=scroll><table class=kiosks><tr><th scope=col>Kiosk</th><th scope=col>Service "
         "point</th><th scope=col>Last heartbeat</th><th scope=col>Version</th><th scope=col class=num>Waiting to "
         "sync</th><th scope=col "
         "class=num>At hub</th><th scope=col>Responses missing</th><th scope=col>Health</th></tr>";
    for (const auto& d : *devices) {
      std::vector<std::string> problems;
      const LedgerRow* lr = ledger_of.count(d.name) ? ledger_of[d.name] : nullptr;
      if (d.last_seen_utc.empty()) {
        problems.push_back(d.responses > 0 ? "No heartbeat yet (its responses arrive)" : "Never connected");
      } else if (auto seen = parse_utc(d.last_seen_utc);
                 seen && open_minutes(find_service_point(d.service_point), *seen, now) > 60) {
        problems.push_back("No heartbeat for over an hour of opening time");
      }
      if (!d.last_error.empty()) problems.push_back(d.last_error);
      // After an upgrade, council IT sees which kiosks still run the old version.
      if (!d.app_version.empty() && d.app_version != KIOSK_VERSION)
        problems.push_back("Runs version " + d.app_version + "; this hub runs " + KIOSK_VERSION);
      if (d.oldest_pending_age_seconds > 3600) problems.push_back("Responses waiting over an hour");
      if (d.free_disk_bytes >= 0 && d.free_disk_bytes < 500LL * 1024 * 1024)
        problems.push_back("Disk nearly full: " + std::to_string(d.free_disk_bytes / (1024 * 1024)) + " MB free");
      std::string missing = "none";
      if (lr && lr->missing > 0) {
        missing = std::to_string(lr->missing) + " of " + std::to_string(lr->numbered_up_to) + ": " +
                  format_ranges(lr->missing_ranges, lr->missing);
        problems.push_back("Responses missing: numbers " + format_ranges(lr->missing_ranges, lr->missing) +
                           (lr->missing_since_utc.empty() ? "" : ", since " + ago(lr->missing_since_utc)));
      }
      std::string health = "<span class=ok>OK</span>";
      if (!problems.empty()) {
        health.clear();
        for (const auto& p : problems)
          health += (health.empty() ? "" : "<br>") + ("<span class=warn>" + html_escape(p) + "</span>");
      }
      h += "<tr><td data-label=Kiosk>" + html_escape(d.name) + "</td><td data-label=\"Service point\">" +
           html_escape(d.service_point.empty() ? std::string("not known yet") : service_point_name(d.service_point)) +
           "</td><td data-label=\"Last heartbeat\">" + html_escape(ago(d.last_seen_utc)) +
           "</td><td data-label=Version>" +
           html_escape(d.app_version.empty() ? std::string("not known yet") : d.app_version) +
           "</td><td class=num data-label=\"Waiting to sync\">" + std::to_string(d.pending) +
           "</td><td class=num data-label=\"At hub\">" + std::to_string(d.responses) +
           "</td><td data-label=\"Responses missing\">" + html_escape(missing) + "</td><td data-label=Health>" +
           health + "</td></tr>";
    }
    if (devices->empty())
      h += "<tr><td colspan=8>No kiosks yet: add one with <code>kiosk-hub add-device NAME</code>.</td></tr>";
    h += "</table></div>";
    // The quarantine, newest first; never part of the summary or exports.
    h += "<h2>Refused documents</h2><p><small>Kept in the quarantine, not in the summary or exports: " +
         std::to_string(*quarantined) + " in all.</small></p>";
    if (!latest_refused->empty()) {
      h += "<div class=scroll><table><caption>The latest refused</caption><tr><th scope=col>Received</th><th "
           "scope=col>Kiosk</th><th scope=col>Response</th><th scope=col>Why</th><th scope=col>Content</th></tr>";
      // The content itself is never shown here: it is sealed (or, from a hub
      // without keys, kept as sent) and read only with the keys, off this page.
      for (const auto& q : *latest_refused)
        h += "<tr><td>" + html_escape(q.received_utc) + "</td><td>" + html_escape(q.device) + "</td><td>" +
             html_escape(q.uuid.empty() ? "(whole request)" : q.uuid) + "</td><td>" + html_escape(q.reason) +
             "</td><td>" + html_escape(q.key_id.empty() ? "kept as sent" : "sealed (key " + q.key_id + ")") +
             "</td></tr>";
      h += "</table></div>";
    }
    h += "<h2>Admin actions</h2>";
    if (audit->empty()) {
      h += "<p>None yet.</p>";
    } else {
      h += "<div class=scroll><table><caption>The latest, newest first (<code>kiosk-hub audit</code> lists them "
           "all)</caption><tr><th scope=col>When</th><th scope=col>Who</th><th scope=col>What</th></tr>";
      for (const auto& a : *audit)
        h += "<tr><td>" + html_escape(a.at_utc) + "</td><td>" + html_escape(a.actor) + "</td><td>" +
             html_escape(a.action + (a.detail.empty() ? "" : ": " + a.detail)) + "</td></tr>";
      h += "</table></div>";
    }
    h += "<h2>Responses by service point</h2>" + bars("Completed responses by service point", counts->by_service_point,
                                                      [&](const std::string& id) { return service_point_name(id); });
    // Age bands in the survey's own order, "Not given" last.
    std::vector<Tally> ages = counts->by_age_band;
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
    if (opt_.population && survey_)
      h += representativeness_html();
    else
      h += "<h2>Respondents by age</h2><p><small>Compare with the area's population (give the hub --population FILE "
           "for the comparison itself).</small></p>" +
           bars("Completed responses by age band", ages, age_label);
    h += std::string("</main>") +
         // Updates itself for an officer who leaves it open (the figures, not
         // the whole page, and a button pauses it: WCAG 2.2.1, no timed
         // reload). The browser sends the same Basic credentials.
         "<script src=\"" + route::kStatusScript + "\"></script></body></html>";
    return Reply{200, "text/html; charset=utf-8", {}, std::move(h)};
  }

  // The status page's updater, a file of its own so that the page's
  // Content-Security-Policy allows no inline script.
  Reply status_script(Request&) {
    static const char kScript[] =
        "(function(){var paused=false,b=document.getElementById('pause');"
        "b.addEventListener('click',function(){paused=!paused;b.setAttribute('aria-pressed',String(paused));"
        "b.textContent=paused?'Resume updates':'Pause updates';});"
        "setInterval(function(){if(paused)return;fetch(location.href,{credentials:'same-origin'})"
        ".then(function(r){return r.ok?r.text():null;}).then(function(t){if(!t)return;"
        "var m=new DOMParser().parseFromString(t,'text/html').querySelector('main');"
        "if(m)document.querySelector('main').innerHTML=m.innerHTML;});},60000);})();\n";
    return Reply{200, "text/javascript; charset=utf-8", {{"Cache-Control", "max-age=3600"}}, kScript};
  }

  Reply healthz(Request&) {
    if (auto st = store_.ping(); !st) return error_reply(503, st.message());
    return Reply{200, "text/plain", {}, "ok\n"};
  }

  Reply metrics_text(Request&) {
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

  // ---- 7. Routes -------------------------------------------------------------------

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
  static const std::vector<Route>& routes() {
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

  std::optional<Reply> route(Request& req) {
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

  std::optional<Reply> authorize(Request& req) {
    if (req.route_index < 0) return std::nullopt;
    const Route& rt = routes()[static_cast<size_t>(req.route_index)];
    if (rt.role) {
      auto who = auth(req, rt.role, rt.browser);
      if (auto* refused = std::get_if<Reply>(&who)) return std::move(*refused);
      req.principal = std::get<Principal>(std::move(who));
    }
    return std::nullopt;
  }

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

  ~Impl() {
    if (cache_) cache_->stop();
    if (warm_up_.joinable()) warm_up_.join();
  }
};

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
    auto st = m.cache_->use(m.store_, ResponseScope{}, [](const cli::OpenedResponses&) {});
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (st)
      std::fprintf(stderr, "kiosk-hub: results ready: %zu responses of the survey opened in %.1f s\n", m.cache_->size(),
                   s);
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
