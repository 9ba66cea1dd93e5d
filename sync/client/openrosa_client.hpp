// The kiosk as an OpenRosa client: forms from a server's form list (ODK
// Central's App User URL, a KoboToolbox server), responses submitted to it
// as ODK encrypted submissions, exactly once.
//
// What counts as delivered is the server's 201 with an OpenRosaResponse: a
// 200 (a Wi-Fi sign-in page, a proxy) is never a receipt. The stored bytes
// are sent and resent unchanged, so a server that took a submission before
// the reply was lost answers the resend with 201 again (ODK Central does),
// never a second row. 409 (the same instance id with other bytes) is kept
// aside with the server's words; 401, 403 and 404 stop the pass and tell
// staff, leaving every response pending; network failures, 429 and 5xx are
// tried again after a back-off.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kiosk/clock.hpp"
#include "kiosk/result.hpp"
#include "kiosk/store.hpp"
#include "odk_crypto.hpp"
#include "sync_client.hpp"

namespace kiosk::sync {

struct OpenRosaSettings {
  // The project's OpenRosa URL: ODK Central's App User URL
  // (https://central.example.org/v1/key/TOKEN/projects/1), or a KoboToolbox
  // server's. formList and submission are under it.
  std::string server_url;
  std::string form_id;
  // Sent with each submission as ODK Collect sends its own (?deviceID=...):
  // ODK Central shows it in its exports' DeviceID column.
  std::string device_id;
  std::string ca_file;
  bool insecure_http = false;  // plain http:// to another machine (tests, a server on the same LAN)
  int connect_timeout_seconds = 10;
  int stall_timeout_seconds = 30;
  int total_timeout_seconds = 300;
  std::string app_version = KIOSK_VERSION;
};

// The OpenRosa part of a kiosk's sync settings.
OpenRosaSettings openrosa_settings(const SyncSettings& s);

// The server's URL with any token in it hidden, for messages and logs.
std::string redacted_url(const std::string& url);

struct FormListEntry {
  std::string form_id, name, version, hash, download_url;
};

// What one submission came to.
struct SubmitOutcome {
  enum class Kind {
    Receipted,    // 201 with an OpenRosaResponse: delivered (or delivered before)
    Conflict,     // 409: the server holds other bytes under this instance id
    Refused,      // 401, 403, 404, 400, 413: stop and tell staff; stays pending
    RetryLater,   // network, 429, 5xx
    NotAReceipt,  // 200 or any other reply that is not the server's
  };
  Kind kind = Kind::RetryLater;
  int http_status = 0;
  std::string receipt;  // the server's message, for the store's receipt
  std::string message;  // in words, for staff
  std::optional<int> retry_after_seconds;
  ErrorKind error_kind = ErrorKind::Network;
};

class OpenRosaClient {
 public:
  explicit OpenRosaClient(OpenRosaSettings settings, const Clock* clock = nullptr);
  ~OpenRosaClient();
  OpenRosaClient(const OpenRosaClient&) = delete;
  OpenRosaClient& operator=(const OpenRosaClient&) = delete;

  // GET formList. An App User sees a form only once it is assigned: an
  // empty list is not an error here (see find_form).
  Result<std::vector<FormListEntry>> form_list();
  // The configured form in the list; an error that says what to do when it
  // is not there (not published, or not assigned to this App User).
  Result<FormListEntry> find_form();
  // The form's bytes from its downloadUrl, checked against its md5: hash.
  Result<std::string> download(const FormListEntry& entry);
  // HEAD submission: the largest submission the server takes (bytes), if it says.
  Result<std::optional<std::int64_t>> accept_content_length();
  SubmitOutcome submit(const openrosa::EncryptedSubmission& s);

  // Every pending response of `store`, one POST each, in order, until all
  // were sent or one failed in a way that stops the pass (a refusal, the
  // network). The totals come back as a BatchOutcome, as with our hub.
  BatchOutcome upload_all(Store& store, int max = 1000000);

  const OpenRosaSettings& settings() const { return settings_; }

 private:
  struct Http;
  OpenRosaSettings settings_;
  SystemClock system_clock_;
  const Clock& clock_;
  std::unique_ptr<Http> http_;
  std::optional<std::int64_t> accept_length_;
};

// Enrolment, a kiosk started without its form, and the sync thread's pull:
// the configured form fetched from the form list (`known_hash`: the hash of
// the form held; the same hash fetches nothing and returns an empty
// string), read as a survey with the kiosk's checks, refused unless it is
// encrypted, then written to `form_file` whole or not at all. Returns the
// form's bytes. Errors say what to do (ErrorKind::Config for a form the
// kiosk cannot run; the file is then left as it was).
Result<std::string> pull_openrosa_form(OpenRosaClient& client, const std::string& form_file,
                                       const std::string& known_hash = {}, std::string* hash = nullptr);

}  // namespace kiosk::sync
