// The sync client: uploads completed responses to kiosk-hub with libcurl.
//
// A response counts as synced only when the hub's JSON reply carries a
// receipt for its UUID. Anything else (a Wi-Fi sign-in page answering 200, a
// proxy's error page, garbage, a dropped connection) leaves it pending, to be
// sent again; the hub recognises the repeat as a duplicate.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "kiosk/clock.hpp"
#include "kiosk/config.hpp"
#include "kiosk/result.hpp"
#include "kiosk/store.hpp"
#include "kiosk/survey.hpp"

namespace kiosk::sync {

struct SyncSettings {
  std::string hub_url;  // e.g. https://hub.example.org (the API is under /api/v1)
  std::string token;
  std::string kiosk_id, service_point, app_version = KIOSK_VERSION;
  int batch_size = 200;
  int connect_timeout_seconds = 10;
  int stall_timeout_seconds = 30;  // abort when under 1 byte/s for this long
  int total_timeout_seconds = 300;
  std::string ca_file;  // extra CA bundle; TLS verification is always on
  // Plain http:// to a hub that is not on this machine: refused unless set
  // (kiosk.toml [sync] insecure_http; kiosk/hub_url.hpp).
  bool insecure_http = false;
  int retention_days = -1;
  // Where the council's public sealing key from the hub is written (kiosk.toml
  // [sealing] public_key_file); empty: a key pulled with the survey is checked
  // but not written.
  std::string seal_public_key_file;
  // kiosk.toml [sync] protocol = "openrosa": an ODK Central or KoboToolbox
  // server instead of our hub (openrosa_client.hpp); the form pulled from it
  // is kept in form_file.
  std::string protocol = "hub";
  std::string server_url, form_id, form_file;
  bool openrosa() const { return protocol == "openrosa"; }
};

struct BatchOutcome {
  enum class Kind {
    Receipted,  // the hub answered with receipts (some may be conflicts)
    NothingPending,
    // 401/403: the hub refused the whole batch for the token (unknown,
    // revoked, or another device's: see `reason`). Never the documents'
    // fault: everything stays pending, and retrying will not help until
    // the token is changed.
    AuthFailed,
    // The hub held some responses for a cause outside them (its survey
    // version is unknown there): they stay pending, sent again after a back-off.
    Held,
    RetryLater,   // hub down, 5xx, 429, timeout, dropped connection
    NotAReceipt,  // 200 that is not the hub's JSON (captive portal, proxy)
    LocalError,   // the kiosk's own database
  };
  Kind kind = Kind::RetryLater;
  int http_status = 0;
  int sent = 0, stored = 0, duplicates = 0, conflicts = 0, rejected = 0, held = 0;
  std::string reason;  // protocol::reason value of a refused batch or held item, if the hub gave one
  std::optional<int> retry_after_seconds;
  bool retry_now = false;  // the hub asked for smaller batches: send again at once
  std::string message;     // in words, for staff
  // For a failure, what kind it is: Network (unreachable, timeout, 5xx, 429,
  // a reply that is not the hub's), Auth (401/403), Config (no hub set),
  // Storage or DiskFull (the kiosk's own database).
  ErrorKind error_kind = ErrorKind::Network;
  bool ok() const { return kind == Kind::Receipted || kind == Kind::NothingPending; }
  Error error() const { return make_error(error_kind, message); }
};

// The sync settings of a kiosk.toml.
SyncSettings settings_from(const KioskConfig& config);
// gzip (RFC 1952) of a request body.
std::string gzip(const std::string& bytes);

struct SurveyUpdate {
  std::string etag, definition;
  std::string seal_public_key;                      // the public key file's line; empty when the hub sent none
  std::map<std::string, std::string> translations;  // locale -> translation file text (kiosk-config/README.md)
  // From an OpenRosa server: the form's XForm as pulled (already written to
  // form_file); its survey and key come from it, not from the fields above.
  std::string xform;
};

// The survey a pull carries: the definition with each translation applied.
// An error names the source, and for a translation its locale and key.
Result<Survey> survey_from_hub(const std::string& definition, const std::map<std::string, std::string>& translations);
Result<Survey> survey_from_hub(const SurveyUpdate& update);
// The survey pulled earlier and kept in the kiosk's database, if any, with
// the translations that came with it.
Result<std::optional<Survey>> stored_hub_survey(Store& store);

// Writes `bytes` to `path` whole or not at all (a temporary file beside it,
// synced, renamed over it; mode 0644, owned as its folder when written by
// root). `what` names the file in errors ("the sealing key file").
Status write_file_whole(const std::string& path, const std::string& bytes, const std::string& what);

// Writes a public key file's line to `path` whole or not at all (a temporary
// file beside it, synced, renamed over it; mode 0644: it is no secret).
Status write_public_key_file(const std::string& path, const std::string& line);

// Enrolment, and a kiosk that cannot start for want of the council's public
// key: the hub's survey pulled once (no kiosk database needed) and its
// sealing key written to `settings.seal_public_key_file`. Errors say what to
// do: a hub that cannot be reached, refuses the token, serves no survey or
// sends no key (ErrorKind::Config: `kiosk-hub keygen` on the hub).
Result<SurveyUpdate> pull_sealing_key(const SyncSettings& settings);

// Who answered at this kiosk's service point against who lives in the
// area, as the hub counted them (GET /api/v1/figures) at the last sync: for
// the admin area. Held in memory only; the kiosk counts nothing on its disk.
struct HubFigures {
  struct Group {
    std::string code;
    std::int64_t respondents = 0;
    double share = 0, population = 0;
    std::string verdict;  // "under-represented", "in line", "over-represented", "no data"
    std::int64_t to_close = 0;
  };
  struct Question {
    std::string question, name;
    std::int64_t in_base = 0;
    std::vector<Group> groups;
  };
  std::string as_of_utc, area, service_point;
  std::int64_t responses = 0;
  std::vector<Question> questions;
};

// What the kiosk has learnt of its line to the hub: staff are told when it
// is too slow for the configured batch, or for one response.
struct LineEstimate {
  double bytes_per_second = 0;  // as the last receipted batch measured it; 0 before one
  int batch_size = 0;           // what the kiosk now sends at a time
  int configured_batch_size = 0;
  // A batch of one response was cut off: the hub (or a proxy before it)
  // gives up before even that arrives. Cleared by the next receipt.
  bool too_slow_for_one = false;
  bool slow() const { return bytes_per_second > 0 && batch_size < configured_batch_size; }
  bool operator==(const LineEstimate&) const = default;
};

class SyncClient {
 public:
  // Time (receipt stamps, Retry-After dates, the age of what is pending, the
  // stall watch) comes from `clock`; nullptr: the system clock.
  SyncClient(SyncSettings settings, Store& store, const Clock* clock = nullptr);
  // Without a kiosk database: only fetch_survey() may be used (enrolment, and
  // a kiosk out of order for want of the council's key).
  explicit SyncClient(SyncSettings settings, const Clock* clock = nullptr);
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // One batch of pending responses, the first after `after_id` (0: from the
  // start); `after_id` moves past what was sent.
  BatchOutcome upload_batch(std::int64_t* after_id = nullptr);
  // One pass: every pending response sent at most once, batch by batch,
  // until all were sent or a batch fails; returns the totals and the last
  // outcome's kind and message (Held when some were held and nothing failed).
  BatchOutcome upload_all(int max_batches = 1000000);
  BatchOutcome send_heartbeat(const std::string& last_error);
  // The hub's survey if it changed since `etag`, validated before returning:
  // its definition and the sealing key that comes with it (ErrorKind::Validation
  // when either is unusable, so nothing of that pull is applied).
  Result<std::optional<SurveyUpdate>> fetch_survey(const std::string& etag);
  // GET /api/v1/figures: none when the hub has no population to compare with (204).
  Result<std::optional<HubFigures>> fetch_figures();

  const SyncSettings& settings() const { return settings_; }
  LineEstimate line() const;

 private:
  struct Http;
  SyncSettings settings_;
  Store* store_;
  SystemClock system_clock_;
  const Clock& clock_;
  std::unique_ptr<Http> http_;
  int batch_size_;  // the configured size, or less on a line that cannot carry it (upload_batch)
  double bytes_per_second_ = 0;
  bool too_slow_for_one_ = false;
  // The smallest batch that was cut off, and when: a batch grows back to no
  // more than three quarters of it, so behind something that cuts requests
  // at a fixed total time the size settles below that, rather than growing
  // into it and being cut every other batch. Forgotten after kCutRemembered
  // (the line may have got better).
  int cut_at_ = 0;
  std::chrono::steady_clock::time_point cut_when_{};
  static constexpr std::chrono::minutes kCutRemembered{60};
  // A batch is sized to take about this long on the line as last measured.
  static constexpr double kBatchSeconds = 8;
};

// Exponential backoff with full jitter: a random wait in [0, min(cap, base*2^n)].
class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap, std::uint64_t seed = std::random_device{}())
      : base_(base), cap_(cap), rng_(seed) {}
  std::chrono::milliseconds next();
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  std::chrono::milliseconds base_, cap_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

// Parses Retry-After: delta-seconds or an HTTP date.
std::optional<int> parse_retry_after(const std::string& value, std::chrono::system_clock::time_point now);

// What staff see in the admin area.
struct SyncStatus {
  bool configured = false;
  bool openrosa = false;  // syncing to an OpenRosa server: no ledger, heartbeat or figures
  bool running = false;
  bool auth_failed = false;
  std::string last_success_utc, last_attempt_utc;
  std::string last_error;  // in words; empty when healthy
  std::int64_t pending = 0, conflicts = 0, synced = 0;
  std::string oldest_pending_utc;
  int seconds_to_next_attempt = 0;
  std::optional<HubFigures> figures;  // the hub's, as of the last sync; none before one
  LineEstimate line;                  // as of the last upload
};

// The sync thread: its own SQLite connection, its own curl handle. The UI
// asks for a status snapshot once per frame and may ask for a sync now.
//
// Its schedule (interval, backoff, Retry-After, heartbeats, retention) runs
// on `clock` (nullptr: the system clock). The thread sleeps until the next
// due time by that clock; a test that moves a FakeClock on calls wake() so
// the thread looks at the clock again.
class SyncWorker {
 public:
  SyncWorker(SyncSettings settings, std::string db_path, int interval_seconds, int heartbeat_seconds,
             const Clock* clock = nullptr);
  ~SyncWorker();
  void start();
  void stop();
  void sync_now();
  void wake();
  SyncStatus status() const;
  // Blocks until `done(status())` holds, re-checking whenever the status
  // changes, for at most `timeout` of real time; returns whether it holds.
  bool wait_status(const std::function<bool(const SyncStatus&)>& done, std::chrono::milliseconds timeout) const;
  // A survey pulled from the hub, validated; taken once by the UI between sessions.
  std::optional<SurveyUpdate> take_survey_update();

 private:
  void run();
  SyncSettings settings_;
  std::string db_path_;
  std::chrono::seconds interval_, heartbeat_;
  SystemClock system_clock_;
  const Clock& clock_;
  mutable std::mutex m_;
  std::condition_variable cv_;                 // wakes the thread
  mutable std::condition_variable status_cv_;  // tells waiters the status changed
  bool stop_ = false, now_ = false, woken_ = false;
  SyncStatus status_;
  std::optional<SurveyUpdate> survey_update_;
  std::string pull_error_;  // why the last survey pull was not applied; shown to staff until one is
  std::thread thread_;
};

}  // namespace kiosk::sync
