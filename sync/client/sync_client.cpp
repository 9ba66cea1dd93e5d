// Sync client.
//
// Sections: 1. HTTP over libcurl (gzip, timeouts, TLS)  2. backoff and
//           Retry-After  3. upload and receipts  4. heartbeat and survey
//           5. the sync thread
#include "sync_client.hpp"

#include <algorithm>
#include <chrono>

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include <strings.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "curl_options.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/hub_url.hpp"
#include "kiosk/protocol.hpp"
#include "kiosk/seal.hpp"
#include "kiosk/survey.hpp"
#include "openrosa_client.hpp"

namespace kiosk::sync {
using nlohmann::json;
namespace field = protocol::field;
namespace receipt = protocol::receipt;
namespace reason = protocol::reason;
namespace header = protocol::header;

// ---- 1. HTTP over libcurl ----------------------------------------------------

namespace {

struct Reply {
  long status = 0;
  std::string content_type, body, retry_after, etag;
  CURLcode curl = CURLE_OK;
  std::string curl_error;
  bool refused_url = false;    // the hub address itself was refused (plain http): nothing was sent
  std::size_t body_bytes = 0;  // the request body as sent (compressed)
};

size_t on_body(char* p, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(p, size * n);
  return size * n;
}

// HTTP header names are case-insensitive.
bool same_name(const std::string& a, const char* b) {
  return a.size() == std::char_traits<char>::length(b) && strncasecmp(a.c_str(), b, a.size()) == 0;
}

size_t on_header(char* p, size_t size, size_t n, void* user) {
  auto* r = static_cast<Reply*>(user);
  std::string line(p, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    if (same_name(name, header::kRetryAfter)) r->retry_after = value;
    if (same_name(name, header::kETag)) r->etag = value;
  }
  return size * n;
}

}  // namespace

std::string gzip(const std::string& in) {
  z_stream zs{};
  // Level 3: JSON shrinks almost as much as at the default level, for a third of the time.
  deflateInit2(&zs, 3, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

SyncSettings settings_from(const KioskConfig& c) {
  SyncSettings s;
  s.hub_url = c.sync.hub_url;
  s.token = c.sync.token;
  s.kiosk_id = c.kiosk_id;
  s.service_point = c.service_point;
  s.batch_size = c.sync.batch_size;
  s.connect_timeout_seconds = c.sync.connect_timeout_seconds;
  s.stall_timeout_seconds = c.sync.stall_timeout_seconds;
  s.ca_file = c.sync.ca_file;
  s.insecure_http = c.sync.insecure_http;
  s.retention_days = c.sync.retention_days;
  // A council key pulled with the survey is written where the kiosk reads it.
  s.seal_public_key_file = c.seal_public_key_file;
  s.protocol = c.sync.protocol;
  s.server_url = c.sync.server_url;
  s.form_id = c.sync.form_id;
  s.form_file = c.sync.form_file;
  return s;
}

namespace {

// Aborts a transfer when no byte has moved either way for the stall timeout:
// curl's own low-speed check averages over several seconds, so a hub that
// took the request and then went quiet would be waited on far longer.
struct StallWatch {
  const Clock& clock;
  std::chrono::steady_clock::time_point last_change = clock.steady();
  curl_off_t last_total = -1;
  std::chrono::seconds limit{30};
  bool fired = false;
};

int on_progress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* w = static_cast<StallWatch*>(user);
  const auto now = w->clock.steady();
  if (dlnow + ulnow != w->last_total) {
    w->last_total = dlnow + ulnow;
    w->last_change = now;
    return 0;
  }
  if (now - w->last_change > w->limit) {
    w->fired = true;
    return 1;
  }
  return 0;
}

}  // namespace

struct SyncClient::Http : CurlHandle {
  Reply request(const SyncSettings& s, const Clock& clock, const std::string& path, const std::string* body,
                const std::vector<std::string>& extra_headers) {
    Reply r;
    // Refused before anything is sent: a token over plain http to another
    // machine could be read on the way.
    if (auto st = check_hub_url(s.hub_url, s.insecure_http, "kiosk.toml [sync] hub_url"); !st) {
      r.curl = CURLE_UNSUPPORTED_PROTOCOL;
      r.curl_error = st.message();
      r.refused_url = true;
      return r;
    }
    curl_easy_reset(h);
    std::string url = s.hub_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += path;
    char err[CURL_ERROR_SIZE] = "";
    set_common_options(
        h, url, err,
        {s.connect_timeout_seconds, s.stall_timeout_seconds, s.total_timeout_seconds, s.ca_file, s.app_version});
    // Receipts are small: an uncompressed reply costs the hub and the kiosk less.
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr);
    StallWatch watch{clock};
    watch.limit = std::chrono::seconds(s.stall_timeout_seconds);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &watch);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    curl_slist* headers = nullptr;
    auto add = [&headers](const char* name, const std::string& value) {
      headers = curl_slist_append(headers, (std::string(name) + ": " + value).c_str());
    };
    add(header::kAuthorization, header::kBearerPrefix + s.token);
    add(header::kAccept, protocol::kJsonType);
    headers = curl_slist_append(headers, "Expect:");
    for (const auto& x : extra_headers) headers = curl_slist_append(headers, x.c_str());
    std::string compressed;
    if (body) {
      compressed = gzip(*body);
      r.body_bytes = compressed.size();
      add(header::kContentType, protocol::kJsonType);
      add(header::kContentEncoding, protocol::kGzipEncoding);
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, compressed.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(compressed.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    r.curl = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (r.curl != CURLE_OK) {
      r.curl_error = err[0] ? err : curl_easy_strerror(r.curl);
      if (watch.fired) {
        r.curl = CURLE_OPERATION_TIMEDOUT;
        r.curl_error = "nothing received for " + std::to_string(s.stall_timeout_seconds) + " s";
      }
      return r;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    char* ct = nullptr;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) r.content_type = ct;
    return r;
  }
};

// ---- 2. Backoff and Retry-After ------------------------------------------------

std::chrono::milliseconds Backoff::next() {
  const int shift = std::min(attempt_, 20);
  ++attempt_;
  const auto ceiling = std::min<std::int64_t>(cap_.count(), base_.count() << shift);
  std::uniform_int_distribution<std::int64_t> d(0, std::max<std::int64_t>(ceiling, 1));
  return std::chrono::milliseconds(d(rng_));
}

std::optional<int> parse_retry_after(const std::string& v, std::chrono::system_clock::time_point now) {
  if (v.empty()) return std::nullopt;
  if (v.find_first_not_of("0123456789") == std::string::npos) {
    if (v.size() > 9) return 86400;
    return std::min(std::stoi(v), 86400);
  }
  const time_t t = curl_getdate(v.c_str(), nullptr);
  if (t < 0) return std::nullopt;
  const auto secs = t - std::chrono::system_clock::to_time_t(now);
  return static_cast<int>(std::clamp<long long>(secs, 0, 86400));
}

// ---- 3. Upload and receipts ----------------------------------------------------

SyncClient::SyncClient(SyncSettings settings, Store& store, const Clock* clock)
    : settings_(std::move(settings)),
      store_(&store),
      clock_(clock ? *clock : system_clock_),
      http_(std::make_unique<Http>()),
      batch_size_(settings_.batch_size) {}
SyncClient::SyncClient(SyncSettings settings, const Clock* clock)
    : settings_(std::move(settings)),
      store_(nullptr),
      clock_(clock ? *clock : system_clock_),
      http_(std::make_unique<Http>()),
      batch_size_(settings_.batch_size) {}
SyncClient::~SyncClient() = default;

namespace {

BatchOutcome classify_failure(const Reply& r, const std::string& hub, const Clock& clock) {
  BatchOutcome o;
  o.http_status = static_cast<int>(r.status);
  if (r.refused_url) {
    o.kind = BatchOutcome::Kind::LocalError;
    o.error_kind = ErrorKind::Config;
    o.message = r.curl_error + ".";
    return o;
  }
  if (r.curl != CURLE_OK) {
    o.kind = BatchOutcome::Kind::RetryLater;
    o.message = curl_failure_words(r.curl, r.curl_error, "hub", hub);
    return o;
  }
  o.retry_after_seconds = parse_retry_after(r.retry_after, clock.now());
  if (r.status == 401 || r.status == 403) {
    o.kind = BatchOutcome::Kind::AuthFailed;
    o.error_kind = ErrorKind::Auth;
    // The hub says why in {"reason", "error"}; a proxy's 401 says nothing we can read.
    const json body = json::parse(r.body, nullptr, false);
    std::string hub_words;
    if (body.is_object()) {
      o.reason = body.value(field::kReason, "");
      hub_words = body.value(field::kError, "");
    }
    const std::string kept = " Nothing was taken: every response stays pending and goes once this is fixed.";
    if (o.reason == reason::kWrongDevice)
      o.message = "The hub says this kiosk's token belongs to another device: " + hub_words +
                  ". Put this kiosk's own token in kiosk.toml ([sync] token)." + kept;
    else if (o.reason == reason::kRevokedToken)
      o.message =
          "The hub refused this kiosk's token: it has been revoked. Ask council IT for a new token "
          "(kiosk-hub add-device) and put it in kiosk.toml ([sync] token)." +
          kept;
    else
      o.message = "The hub refused this kiosk's token (HTTP " + std::to_string(r.status) +
                  (o.reason == reason::kUnknownToken ? ": the hub does not know it" : "") +
                  "). Ask council IT for a token (kiosk-hub add-device) and put it in kiosk.toml." + kept;
  } else if (r.status == 429 || r.status == 503) {
    o.kind = BatchOutcome::Kind::RetryLater;
    // The hub names the class of its trouble ({"reason"}); a proxy's 503 does not.
    const json body = json::parse(r.body, nullptr, false);
    if (body.is_object() && body.contains(field::kReason) && body[field::kReason].is_string())
      o.reason = body[field::kReason].get<std::string>();
    const std::string again =
        o.retry_after_seconds ? " in " + std::to_string(*o.retry_after_seconds) + " s." : " later.";
    if (o.reason == reason::kHubDiskFull)
      o.message =
          "The hub's disk is full: council IT must make room. Nothing is lost: this kiosk keeps every "
          "response and tries again" +
          again;
    else if (o.reason == reason::kHubUnavailable)
      o.message = "The hub's database is not answering; trying again" + again;
    else if (o.reason == reason::kHubBusy)
      o.message = "The hub is busy with other kiosks' uploads. Nothing is lost; trying again" + again;
    else
      o.message = "The hub is busy (HTTP " + std::to_string(r.status) + "); trying again" + again;
  } else if (r.status >= 500) {
    o.kind = BatchOutcome::Kind::RetryLater;
    o.message = "The hub had a problem (HTTP " + std::to_string(r.status) + "); trying again later.";
  } else {
    o.kind = BatchOutcome::Kind::NotAReceipt;
    o.message = "The reply (HTTP " + std::to_string(r.status) +
                ") did not come from the hub: perhaps a Wi-Fi sign-in page or a proxy. Nothing was marked as sent.";
  }
  return o;
}

}  // namespace

BatchOutcome SyncClient::upload_batch(std::int64_t* after_id) {
  BatchOutcome o;
  if (settings_.hub_url.empty()) {
    o.kind = BatchOutcome::Kind::LocalError;
    o.error_kind = ErrorKind::Config;
    o.message = "No hub is configured (kiosk.toml [sync] hub_url).";
    return o;
  }
  if (!store_) {
    o.kind = BatchOutcome::Kind::LocalError;
    o.error_kind = ErrorKind::Storage;
    o.message = "No kiosk database to upload from.";
    return o;
  }
  auto pending = store_->pending(batch_size_, after_id ? *after_id : 0);
  if (!pending) {
    o.kind = BatchOutcome::Kind::LocalError;
    o.error_kind = pending.kind();
    o.message = "Reading the kiosk's database failed: " + pending.message();
    return o;
  }
  if (pending->empty()) {
    o.kind = BatchOutcome::Kind::NothingPending;
    return o;
  }
  json list = json::array();
  std::set<std::string> sent;
  for (const auto& p : *pending) {
    // Sealed as stored (issue 12's wire format): the hub opens it with its key.
    list.push_back({{field::kUuid, p.uuid},
                    {field::kContentHash, p.content_hash},
                    {field::kKeyId, p.key_id},
                    {field::kSealed, base64_encode(p.sealed)}});
    sent.insert(p.uuid);
  }
  const std::string body = json{{field::kKioskId, settings_.kiosk_id}, {field::kResponses, std::move(list)}}.dump();
  const auto t0 = clock_.steady();
  const Reply r = http_->request(settings_, clock_, protocol::route::kResponses, &body, {});
  const double seconds = std::chrono::duration<double>(clock_.steady() - t0).count();
  o.sent = static_cast<int>(pending->size());
  if (r.curl == CURLE_OK && r.status == 413 && batch_size_ > 1) {
    batch_size_ = std::max(1, batch_size_ / 2);
    o.kind = BatchOutcome::Kind::RetryLater;
    o.retry_after_seconds = 0;
    o.retry_now = true;
    o.message = "The hub found the batch too large; sending smaller batches.";
    return o;
  }
  // Cut off while sending or waiting (a slow line the hub or a proxy gave
  // up on): the same batch would be cut again, so half of it goes now,
  // down to one response.
  const bool cut_off = r.curl == CURLE_GOT_NOTHING || r.curl == CURLE_SEND_ERROR || r.curl == CURLE_RECV_ERROR ||
                       r.curl == CURLE_OPERATION_TIMEDOUT;
  if (cut_off && pending->size() == 1) too_slow_for_one_ = true;
  if (cut_off && batch_size_ > 1 && pending->size() > 1) {
    const int cut = static_cast<int>(pending->size());
    if (cut_at_ == 0 || cut < cut_at_ || clock_.steady() - cut_when_ > kCutRemembered) cut_at_ = cut;
    cut_when_ = clock_.steady();
    batch_size_ = std::max(1, cut / 2);
    o = classify_failure(r, settings_.hub_url, clock_);
    o.sent = static_cast<int>(pending->size());
    o.retry_after_seconds = 0;
    o.retry_now = true;
    o.message += " Sending smaller batches (" + std::to_string(batch_size_) + " responses).";
    return o;
  }
  if (r.curl != CURLE_OK || r.status != 200) return classify_failure(r, settings_.hub_url, clock_);
  // The next batch sized to what this line carried: about kBatchSeconds' worth,
  // never more than configured (a fast line is back to that at once).
  if (seconds > 0 && !pending->empty()) {
    const double per_second = static_cast<double>(pending->size()) / seconds;
    if (cut_at_ > 0 && clock_.steady() - cut_when_ > kCutRemembered) cut_at_ = 0;
    const double most = cut_at_ > 0 ? std::min<double>(settings_.batch_size, std::max(1, cut_at_ * 3 / 4))
                                    : double(settings_.batch_size);
    batch_size_ = static_cast<int>(std::clamp(per_second * kBatchSeconds, 1.0, most));
    bytes_per_second_ = static_cast<double>(r.body_bytes) / seconds;
  }
  too_slow_for_one_ = false;  // something arrived
  if (after_id) *after_id = pending->back().id;
  // A 200 is only a receipt if it is the hub's JSON, committed, with receipts.
  const json reply = json::parse(r.body, nullptr, false);
  const bool json_type = r.content_type.rfind(protocol::kJsonType, 0) == 0;
  if (!json_type || reply.is_discarded() || !reply.is_object() ||
      reply.value(field::kApi, "") != protocol::kApiVersion || reply.value(field::kCommitted, false) != true ||
      !reply.contains(field::kReceipts) || !reply[field::kReceipts].is_array()) {
    Reply fake = r;
    fake.status = 200;
    auto f = classify_failure(fake, settings_.hub_url, clock_);
    f.kind = BatchOutcome::Kind::NotAReceipt;
    f.sent = o.sent;
    return f;
  }
  o.kind = BatchOutcome::Kind::Receipted;
  o.http_status = 200;
  const std::string now = format_utc(clock_.now());
  std::vector<Store::Receipt> synced;
  std::vector<std::pair<std::string, std::string>> conflicts;
  for (const auto& item : reply[field::kReceipts]) {
    if (!item.is_object() || !item.contains(field::kUuid) || !item[field::kUuid].is_string()) continue;
    const std::string uuid = item[field::kUuid].get<std::string>();
    if (!sent.count(uuid)) continue;  // never mark what we did not send
    const std::string status = item.value(field::kStatus, "");
    const std::string got = item.contains(field::kReceipt) && item[field::kReceipt].is_string()
                                ? item[field::kReceipt].get<std::string>()
                                : "";
    if ((status == receipt::kStored || status == receipt::kDuplicate) && !got.empty()) {
      synced.push_back({uuid, item.dump()});
      (status == receipt::kStored ? o.stored : o.duplicates)++;
    } else if (status == receipt::kConflict) {
      conflicts.emplace_back(uuid, item.value(field::kDetail, "conflict at the hub"));
      ++o.conflicts;
    } else if (status == receipt::kRejected) {
      conflicts.emplace_back(uuid, "rejected by the hub: " + item.value(field::kDetail, ""));
      ++o.rejected;
    } else if (status == receipt::kHeld) {
      // Not the document's fault: it stays pending, untouched.
      ++o.held;
      if (o.reason.empty()) {
        o.reason = item.value(field::kReason, "");
        const std::string detail = item.value(field::kDetail, "");
        o.message = o.reason == reason::kUnknownSurveyVersion ? "The hub does not know this kiosk's survey version yet"
                    : o.reason == reason::kUnknownKey
                        ? "The hub does not hold the key these responses are sealed to (is its key folder complete?)"
                        : "The hub held responses back" + (o.reason.empty() ? "" : " (" + o.reason + ")");
        if (!detail.empty()) o.message += ": " + detail;
      }
    }
  }
  // One durable commit for the batch's receipts, all or none.
  Status st = store_->mark_synced_all(synced, now);
  for (const auto& [uuid, detail] : conflicts)
    if (st) st = store_->mark_conflict(uuid, detail, now);
  if (!st) {
    o.kind = BatchOutcome::Kind::LocalError;
    o.error_kind = st.kind();
    o.message = "Recording receipts failed: " + st.message();
    return o;
  }
  if (o.stored + o.duplicates + o.conflicts + o.rejected + o.held == 0) {
    o.kind = BatchOutcome::Kind::NotAReceipt;
    o.message = "The hub answered without a receipt for any response sent; they stay pending.";
  }
  return o;
}

LineEstimate SyncClient::line() const {
  LineEstimate l;
  l.bytes_per_second = bytes_per_second_;
  l.batch_size = batch_size_;
  l.configured_batch_size = settings_.batch_size;
  l.too_slow_for_one = too_slow_for_one_;
  return l;
}

BatchOutcome SyncClient::upload_all(int max_batches) {
  BatchOutcome total;
  total.kind = BatchOutcome::Kind::NothingPending;
  // Held responses stay pending: the cursor keeps a pass from sending them
  // again and again within itself.
  std::int64_t cursor = 0;
  std::string held_message, held_reason;
  for (int i = 0; i < max_batches; ++i) {
    BatchOutcome b = upload_batch(&cursor);
    total.sent += b.sent;
    total.stored += b.stored;
    total.duplicates += b.duplicates;
    total.conflicts += b.conflicts;
    total.rejected += b.rejected;
    total.held += b.held;
    total.http_status = b.http_status;
    if (b.held > 0 && held_message.empty()) {
      held_message = b.message;
      held_reason = b.reason;
    }
    if (b.kind == BatchOutcome::Kind::NothingPending) break;
    total.kind = b.kind;
    total.message = b.kind == BatchOutcome::Kind::Receipted ? std::string() : b.message;
    total.reason = b.reason;
    total.error_kind = b.error_kind;
    total.retry_after_seconds = b.retry_after_seconds;
    if (b.retry_now) continue;  // 413: try again at once with half the batch
    if (b.kind != BatchOutcome::Kind::Receipted) break;
  }
  if (total.kind == BatchOutcome::Kind::NothingPending && total.sent > 0) total.kind = BatchOutcome::Kind::Receipted;
  if (total.held > 0 && total.kind == BatchOutcome::Kind::Receipted) {
    total.kind = BatchOutcome::Kind::Held;
    total.reason = held_reason;
    total.error_kind = ErrorKind::Network;
    total.message = held_message + ". " + std::to_string(total.held) +
                    " responses stay pending and are sent again later; nothing is lost.";
  }
  return total;
}

// ---- 4. Heartbeat and survey ---------------------------------------------------

BatchOutcome SyncClient::send_heartbeat(const std::string& last_error) {
  BatchOutcome o;
  if (!store_) {
    o.kind = BatchOutcome::Kind::LocalError;
    o.error_kind = ErrorKind::Storage;
    o.message = "No kiosk database to report on.";
    return o;
  }
  auto c = store_->counts();
  json hb{{field::kKioskId, settings_.kiosk_id},
          {field::kServicePoint, settings_.service_point},
          {field::kAppVersion, settings_.app_version},
          {field::kLastError, last_error}};
  if (c) {
    hb[field::kPending] = c->pending;
    std::int64_t age = 0;
    if (!c->oldest_pending_utc.empty()) {
      std::tm tm{};
      if (strptime(c->oldest_pending_utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm))
        age = std::max<std::int64_t>(0, std::chrono::system_clock::to_time_t(clock_.now()) - timegm(&tm));
    }
    hb[field::kOldestPendingAgeSeconds] = age;
  }
  // The ledger: the hub compares this with the numbers it received, and
  // this clock with its own.
  if (auto h = store_->highest_seq(); h) hb[field::kHighestSeq] = *h;
  hb[field::kClockUtc] = format_utc(clock_.now());
  struct statvfs vfs {};
  const auto dir = std::filesystem::path(store_->path()).parent_path();
  if (statvfs(dir.empty() ? "." : dir.c_str(), &vfs) == 0)
    hb[field::kFreeDiskBytes] = static_cast<std::int64_t>(vfs.f_bavail) * static_cast<std::int64_t>(vfs.f_frsize);
  const std::string body = hb.dump();
  const Reply r = http_->request(settings_, clock_, protocol::route::kHeartbeat, &body, {});
  if (r.curl != CURLE_OK || r.status != 200) return classify_failure(r, settings_.hub_url, clock_);
  o.kind = BatchOutcome::Kind::Receipted;
  return o;
}

namespace {

// Where a pull is kept: the definition, then its translations as JSON
// ({"pl": TEXT, ...}), then the ETag, written last so that a pull not kept
// whole comes again.
constexpr char kMetaSurvey[] = "hub_survey";
constexpr char kMetaTranslations[] = "hub_survey_translations";
constexpr char kMetaEtag[] = "hub_survey_etag";

Status apply_hub_translations(Survey& survey, const std::map<std::string, std::string>& translations) {
  for (const auto& [locale, text] : translations)
    if (auto st = apply_survey_translation(survey, locale, text, "survey translation \"" + locale + "\" from the hub");
        !st)
      return st;
  survey.translation_sources = translations;
  find_missing_translations(survey);
  return {};
}

}  // namespace

Result<Survey> survey_from_hub(const std::string& definition, const std::map<std::string, std::string>& translations) {
  auto survey = parse_survey(definition, "survey from the hub");
  if (!survey) return survey;
  if (auto st = apply_hub_translations(*survey, translations); !st) return st.error();
  return survey;
}

Result<Survey> survey_from_hub(const SurveyUpdate& update) {
  return survey_from_hub(update.definition, update.translations);
}

Result<std::optional<Survey>> stored_hub_survey(Store& store) {
  auto definition = store.get_meta(kMetaSurvey);
  if (!definition) return definition.error();
  if (definition->empty()) return std::optional<Survey>{};
  auto stored = store.get_meta(kMetaTranslations);
  if (!stored) return stored.error();
  std::map<std::string, std::string> translations;
  // A kiosk that pulled before translations travelled has none stored.
  if (!stored->empty()) {
    const json t = json::parse(*stored, nullptr, false);
    if (t.is_discarded() || !t.is_object())
      return make_error(ErrorKind::Storage, "the survey translations kept from the hub (meta " +
                                                std::string(kMetaTranslations) + ") are not a JSON object");
    for (const auto& [locale, text] : t.items())
      if (text.is_string()) translations[locale] = text.get<std::string>();
  }
  auto survey = survey_from_hub(*definition, translations);
  if (!survey) return survey.error();
  return std::optional<Survey>{std::move(survey).value()};
}

Result<std::optional<SurveyUpdate>> SyncClient::fetch_survey(const std::string& etag) {
  std::vector<std::string> headers;
  if (!etag.empty()) headers.push_back(std::string(header::kIfNoneMatch) + ": " + etag);
  const Reply r = http_->request(settings_, clock_, protocol::route::kSurvey, nullptr, headers);
  if (r.curl == CURLE_OK && (r.status == 304 || r.status == 404)) return std::optional<SurveyUpdate>{};
  if (r.curl != CURLE_OK || r.status != 200) return classify_failure(r, settings_.hub_url, clock_).error();
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains(field::kDefinition) || !j[field::kDefinition].is_string() ||
      !j.contains(field::kEtag) || !j[field::kEtag].is_string())
    return make_error(ErrorKind::Network, "The hub's survey reply was not understood; keeping the current survey.");
  SurveyUpdate u{j[field::kEtag].get<std::string>(), j[field::kDefinition].get<std::string>(), {}, {}, {}};
  auto survey = parse_survey(u.definition, "survey from the hub");
  if (!survey)
    return make_error(ErrorKind::Validation,
                      "The hub's new survey has an error, so the kiosk keeps its current one: " + survey.message());
  // Every translation is checked against this definition before anything
  // of the pull is taken: one that does not fit would leave visitors of
  // that language with a survey half in English.
  if (j.contains(field::kTranslations)) {
    const json& t = j[field::kTranslations];
    if (!t.is_object())
      return make_error(
          ErrorKind::Validation,
          "The hub's survey translations are not a table of texts, so the kiosk keeps its current survey.");
    for (const auto& [locale, text] : t.items()) {
      if (!text.is_string())
        return make_error(ErrorKind::Validation, "The hub's \"" + locale +
                                                     "\" translation of the survey is not text, so the kiosk keeps "
                                                     "its current survey.");
      u.translations[locale] = text.get<std::string>();
    }
  }
  if (auto st = apply_hub_translations(*survey, u.translations); !st)
    return make_error(
        ErrorKind::Validation,
        "A translation of the hub's new survey has an error, so the kiosk keeps its current one: " + st.message());
  // The key answers will be sealed to: one that does not parse would leave
  // the kiosk unable to collect, so nothing of this pull is taken.
  if (j.contains(field::kSealPublicKey)) {
    const json& k = j[field::kSealPublicKey];
    if (!k.is_string())
      return make_error(ErrorKind::Validation,
                        "The hub's sealing key is not text, so the kiosk keeps its current survey and key.");
    if (auto key = parse_public_key(k.get<std::string>(), "sealing key from the hub"); !key)
      return make_error(ErrorKind::Validation,
                        "The hub sent a sealing key that cannot be used, so the kiosk keeps its current survey and "
                        "key: " +
                            key.message());
    u.seal_public_key = k.get<std::string>();
    while (!u.seal_public_key.empty() && (u.seal_public_key.back() == '\n' || u.seal_public_key.back() == '\r'))
      u.seal_public_key.pop_back();
  }
  return std::optional<SurveyUpdate>{std::move(u)};
}

Result<std::optional<HubFigures>> SyncClient::fetch_figures() {
  std::string path = protocol::route::kFigures;
  if (!settings_.service_point.empty()) path += "?service_point=" + settings_.service_point;
  const Reply r = http_->request(settings_, clock_, path, nullptr, {});
  if (r.curl == CURLE_OK && (r.status == 204 || r.status == 404)) return std::optional<HubFigures>{};
  if (r.curl != CURLE_OK || r.status != 200) return classify_failure(r, settings_.hub_url, clock_).error();
  const json j = json::parse(r.body, nullptr, false);
  HubFigures f;
  try {
    f.as_of_utc = j.at("as_of_utc").get<std::string>();
    f.area = j.value("area", "");
    f.service_point = j.value("key", "");
    f.responses = j.at("responses").get<std::int64_t>();
    for (const auto& q : j.at("questions")) {
      HubFigures::Question hq;
      hq.question = q.at("question").get<std::string>();
      hq.name = q.value("name", hq.question);
      hq.in_base = q.at("in_base").get<std::int64_t>();
      for (const auto& g : q.at("groups"))
        hq.groups.push_back({g.at("code").get<std::string>(), g.at("respondents").get<std::int64_t>(),
                             g.at("share").get<double>(), g.at("population").get<double>(),
                             g.at("verdict").get<std::string>(), g.value("more_to_close", std::int64_t{0})});
      f.questions.push_back(std::move(hq));
    }
  } catch (const json::exception&) {
    return make_error(ErrorKind::Network, "The hub's figures for this service point were not understood.");
  }
  return std::optional<HubFigures>{std::move(f)};
}

Status write_file_whole(const std::string& path, const std::string& bytes, const std::string& what) {
  const std::filesystem::path target(path);
  const std::string tmp = path + ".new";
  auto failed = [&](const std::string& doing) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return make_error(e == ENOSPC ? ErrorKind::DiskFull : ErrorKind::Storage,
                      "cannot " + doing + " " + what + " " + path + ": " + std::strerror(e));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return failed("create");
  // Written by root (kiosk-admin enrol) into the kiosk's own folder: the
  // file is given to the folder's owner, as the kiosk itself would have it.
  const std::string parent = target.has_parent_path() ? target.parent_path().string() : ".";
  if (struct stat dst{}; ::geteuid() == 0 && ::stat(parent.c_str(), &dst) == 0)
    (void)::fchown(fd, dst.st_uid, dst.st_gid);
  // The umask may have narrowed it; kiosk's other programs read it, so say 0644 outright.
  const bool ok = ::fchmod(fd, 0644) == 0 &&
                  ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && ::fsync(fd) == 0;
  if (!ok) {
    ::close(fd);
    return failed("write");
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return failed("replace");
  // The rename itself survives a power cut once the directory is synced.
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

Status write_public_key_file(const std::string& path, const std::string& line) {
  return write_file_whole(path, line + "\n", "the sealing key file");
}

Result<SurveyUpdate> pull_sealing_key(const SyncSettings& settings) {
  if (settings.hub_url.empty())
    return make_error(ErrorKind::Config, "no hub is configured (kiosk.toml [sync] hub_url): kiosk-admin enrol");
  if (settings.seal_public_key_file.empty())
    return make_error(ErrorKind::Config, "kiosk.toml names no [sealing] public_key_file to write the key to");
  SyncSettings quick = settings;
  // Asked from the out-of-order screen's loop: an answer, or a clear failure, within seconds.
  // (The out-of-order screen's loop waits on it, and must tell the
  // watchdog it is alive within 30 s.)
  quick.connect_timeout_seconds = std::min(quick.connect_timeout_seconds, 8);
  quick.stall_timeout_seconds = std::min(quick.stall_timeout_seconds, 8);
  quick.total_timeout_seconds = std::min(quick.total_timeout_seconds, 15);
  SyncClient client(quick);
  auto u = client.fetch_survey("");
  if (!u) return u.error();
  if (!*u)
    return make_error(ErrorKind::Config, "the hub at " + settings.hub_url +
                                             " serves no survey yet (kiosk-hub serve --survey FILE), so it sent no "
                                             "sealing key");
  if ((*u)->seal_public_key.empty())
    return make_error(ErrorKind::Config,
                      "the hub at " + settings.hub_url +
                          " has no sealing key, so this kiosk cannot save answers yet. On the hub: kiosk-hub keygen "
                          "--config /etc/kiosk-hub/hub.toml (as the kiosk-hub user), then restart it");
  if (auto st = ensure_parent_dir(settings.seal_public_key_file); !st) return st.error();
  if (auto st = write_public_key_file(settings.seal_public_key_file, (*u)->seal_public_key); !st) return st.error();
  return std::move(**u);
}

// ---- 5. The sync thread --------------------------------------------------------

SyncWorker::SyncWorker(SyncSettings settings, std::string db_path, int interval_seconds, int heartbeat_seconds,
                       const Clock* clock)
    : settings_(std::move(settings)),
      db_path_(std::move(db_path)),
      interval_(interval_seconds),
      heartbeat_(heartbeat_seconds),
      clock_(clock ? *clock : system_clock_) {
  status_.configured = !settings_.hub_url.empty() || (settings_.openrosa() && !settings_.server_url.empty());
  status_.openrosa = settings_.openrosa();
}

SyncWorker::~SyncWorker() { stop(); }

void SyncWorker::start() {
  if (thread_.joinable() || !status_.configured) return;
  {
    std::lock_guard lock(m_);
    status_.running = true;
  }
  status_cv_.notify_all();
  thread_ = std::thread([this] { run(); });
}

void SyncWorker::stop() {
  {
    std::lock_guard lock(m_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyncWorker::sync_now() {
  {
    std::lock_guard lock(m_);
    now_ = true;
    status_.auth_failed = false;
  }
  cv_.notify_all();
  status_cv_.notify_all();
}

void SyncWorker::wake() {
  {
    std::lock_guard lock(m_);
    woken_ = true;
  }
  cv_.notify_all();
}

SyncStatus SyncWorker::status() const {
  std::lock_guard lock(m_);
  return status_;
}

bool SyncWorker::wait_status(const std::function<bool(const SyncStatus&)>& done,
                             std::chrono::milliseconds timeout) const {
  std::unique_lock lock(m_);
  return status_cv_.wait_for(lock, timeout, [&] { return done(status_); });
}

std::optional<SurveyUpdate> SyncWorker::take_survey_update() {
  std::lock_guard lock(m_);
  auto u = std::move(survey_update_);
  survey_update_.reset();
  return u;
}

void SyncWorker::run() {
  using namespace std::chrono;
  auto store = Store::open(db_path_, db::OpenMode::ReadWrite);
  if (!store) {
    {
      std::lock_guard lock(m_);
      status_.last_error = "The sync thread cannot open the database: " + store.message();
      status_.running = false;
    }
    status_cv_.notify_all();
    return;
  }
  // Our hub, or an OpenRosa server (ODK Central, KoboToolbox): the same
  // schedule, back-off and status; the server's own uploads and pulls.
  std::optional<SyncClient> hub;
  std::optional<OpenRosaClient> rosa;
  std::string form_hash;  // "md5:..." of the form held, as OpenRosa's form list names it
  if (settings_.openrosa()) {
    rosa.emplace(openrosa_settings(settings_), &clock_);
    std::ifstream held(settings_.form_file, std::ios::binary);
    std::ostringstream bytes;
    bytes << held.rdbuf();
    if (held) form_hash = "md5:" + openrosa::md5_hex(bytes.str());
  } else {
    hub.emplace(settings_, **store, &clock_);
  }
  Backoff backoff(seconds(2), minutes(10));
  auto next_upload = clock_.steady();
  auto next_heartbeat = clock_.steady();
  std::string survey_etag = (*store)->get_meta(kMetaEtag).ok() ? *(*store)->get_meta(kMetaEtag) : "";
  bool auth_failed = false;
  for (;;) {
    {
      std::unique_lock lock(m_);
      // The wait is in real time, so it is measured from the injected clock
      // now; wake() and sync_now() cut it short to read the clock again.
      const auto due = std::min(next_upload, next_heartbeat) - clock_.steady();
      if (due > steady_clock::duration::zero()) cv_.wait_for(lock, due, [&] { return stop_ || now_ || woken_; });
      woken_ = false;
      if (stop_) break;
      if (now_) {
        now_ = false;
        auth_failed = false;
        next_upload = clock_.steady();
      }
    }
    const auto now = clock_.steady();
    std::string error;
    if (now >= next_upload && !auth_failed) {
      const BatchOutcome o = rosa ? rosa->upload_all(**store) : hub->upload_all();
      {
        std::lock_guard lock(m_);
        if (hub) status_.line = hub->line();
        status_.last_attempt_utc = format_utc(clock_.now());
        if (o.ok()) {
          backoff.reset();
          status_.last_success_utc = status_.last_attempt_utc;
          status_.last_error = pull_error_;
          next_upload = now + interval_;
        } else {
          // Staff read it in the admin area; council IT in the log.
          if (o.message != status_.last_error) std::fprintf(stderr, "kiosk sync: %s\n", o.message.c_str());
          status_.last_error = o.message;
          auth_failed = o.kind == BatchOutcome::Kind::AuthFailed;
          auto wait = duration_cast<milliseconds>(backoff.next());
          if (o.retry_after_seconds) wait = std::max(wait, milliseconds(seconds(*o.retry_after_seconds)));
          // The hub will not learn a survey version in seconds: held responses wait a whole interval at least.
          if (o.kind == BatchOutcome::Kind::Held) wait = std::max(wait, duration_cast<milliseconds>(interval_));
          next_upload = auth_failed ? now + hours(24 * 365) : now + wait;
        }
        status_.auth_failed = auth_failed;
        status_.seconds_to_next_attempt = static_cast<int>(duration_cast<seconds>(next_upload - now).count());
        error = status_.last_error;
      }
      status_cv_.notify_all();
    }
    if (now >= next_heartbeat && rosa) {
      // The form, when the server's list names other bytes than those held:
      // fetched, checked, written to form_file, applied between visits.
      std::string hash;
      auto pulled = pull_openrosa_form(*rosa, settings_.form_file, form_hash, &hash);
      if (pulled && !pulled->empty()) {
        form_hash = hash;
        SurveyUpdate u;
        u.xform = std::move(*pulled);
        std::lock_guard lock(m_);
        survey_update_ = std::move(u);
      }
      const std::string pull_error =
          !pulled && pulled.kind() != ErrorKind::Network && pulled.kind() != ErrorKind::Auth ? pulled.message() : "";
      {
        std::lock_guard lock(m_);
        if (pull_error != pull_error_) {
          if (!pull_error.empty()) std::fprintf(stderr, "kiosk sync: %s\n", pull_error.c_str());
          if (status_.last_error == pull_error_) status_.last_error = pull_error;
          pull_error_ = pull_error;
        }
      }
      status_cv_.notify_all();
      next_heartbeat = now + heartbeat_;
    }
    if (now >= next_heartbeat && hub) {
      SyncClient& client = *hub;
      (void)client.send_heartbeat(error);
      auto u = client.fetch_survey(survey_etag);
      // The key first: a pull whose key cannot be written is not applied at
      // all, so the ETag is kept and the same pull comes again.
      Status applied;
      if (u && *u && !(*u)->seal_public_key.empty() && !settings_.seal_public_key_file.empty())
        applied = write_public_key_file(settings_.seal_public_key_file, (*u)->seal_public_key);
      if (u && *u && applied) {
        survey_etag = (*u)->etag;
        if ((*store)->set_meta(kMetaSurvey, (*u)->definition) &&
            (*store)->set_meta(kMetaTranslations, json((*u)->translations).dump()))
          (void)(*store)->set_meta(kMetaEtag, survey_etag);
        std::lock_guard lock(m_);
        survey_update_ = std::move(**u);
      }
      // A pull refused for what it carried (a survey or key that does not
      // parse, a key file that cannot be written) is told to staff like a
      // failed upload, until a pull is applied; the network's faults are
      // the upload's to report.
      std::string pull_error;
      if (!applied)
        pull_error = applied.message();
      else if (!u && u.kind() != ErrorKind::Network && u.kind() != ErrorKind::Auth)
        pull_error = u.message();
      {
        std::lock_guard lock(m_);
        if (pull_error != pull_error_) {
          if (!pull_error.empty()) std::fprintf(stderr, "kiosk sync: %s\n", pull_error.c_str());
          if (status_.last_error == pull_error_) status_.last_error = pull_error;
          pull_error_ = pull_error;
        }
      }
      // Who answered here, as the hub counts it, for the admin area: kept
      // in memory, replaced at each pull (a failed fetch keeps the last).
      if (auto f = client.fetch_figures(); f) {
        std::lock_guard lock(m_);
        status_.figures = std::move(*f);
      }
      status_cv_.notify_all();
      next_heartbeat = now + heartbeat_;
    }
    if (settings_.retention_days >= 0)
      (void)(*store)->apply_retention(settings_.retention_days, format_utc(clock_.now()));
    if (auto c = (*store)->counts(); c) {
      {
        std::lock_guard lock(m_);
        status_.pending = c->pending;
        status_.conflicts = c->conflict;
        status_.synced = c->synced;
        status_.oldest_pending_utc = c->oldest_pending_utc;
        status_.seconds_to_next_attempt =
            static_cast<int>(duration_cast<seconds>(next_upload - clock_.steady()).count());
      }
      status_cv_.notify_all();
    }
  }
  {
    std::lock_guard lock(m_);
    status_.running = false;
  }
  status_cv_.notify_all();
}

}  // namespace kiosk::sync
