// OpenRosa client (see openrosa_client.hpp).
//
// Sections: 1. HTTP over libcurl  2. the form list and the form  3. one
//           submission  4. every pending response
#include "openrosa_client.hpp"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>

#include "curl_options.hpp"
#include "kiosk/hub_url.hpp"
#include "submission_sealer.hpp"
#include "xform.hpp"
#include "xml_tree.hpp"

namespace kiosk::sync {

std::string redacted_url(const std::string& url) {
  // ODK Central's App User token in the path; a user and password (KoboToolbox) before the host.
  static const std::regex token(R"((/key/)[^/]+)"), password(R"(^([a-z]+://)[^/@]*@)");
  return std::regex_replace(std::regex_replace(url, token, "$1…"), password, "$1…@");
}

OpenRosaSettings openrosa_settings(const SyncSettings& s) {
  OpenRosaSettings o;
  o.server_url = s.server_url;
  o.form_id = s.form_id;
  if (!s.kiosk_id.empty()) o.device_id = "library-kiosk:" + s.kiosk_id;
  o.ca_file = s.ca_file;
  o.insecure_http = s.insecure_http;
  o.connect_timeout_seconds = s.connect_timeout_seconds;
  o.stall_timeout_seconds = s.stall_timeout_seconds;
  o.total_timeout_seconds = s.total_timeout_seconds;
  o.app_version = s.app_version;
  return o;
}

// ---- 1. HTTP over libcurl ----------------------------------------------------

namespace {

constexpr const char* kOpenRosaHeader = "X-OpenRosa-Version: 1.0";

struct Reply {
  long status = 0;
  std::string body, content_type, retry_after, accept_length;
  CURLcode curl = CURLE_OK;
  std::string curl_error;
  bool refused_url = false;
};

size_t on_body(char* p, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  // A form or a reply is small; a server that sends more is not one.
  if (body->size() + size * n > (16u << 20)) return 0;
  body->append(p, size * n);
  return size * n;
}

size_t on_header(char* p, size_t size, size_t n, void* user) {
  auto* r = static_cast<Reply*>(user);
  std::string line(p, size * n);
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  const std::string name = line.substr(0, colon);
  std::string value = line.substr(colon + 1);
  value.erase(0, std::min(value.find_first_not_of(' '), value.size()));
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
  if (strcasecmp(name.c_str(), "Retry-After") == 0) r->retry_after = value;
  if (strcasecmp(name.c_str(), "X-OpenRosa-Accept-Content-Length") == 0) r->accept_length = value;
  return size * n;
}

std::string http_date(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

struct OpenRosaClient::Http : CurlHandle {
  enum class Method { Get, Head, Post };

  Reply request(const OpenRosaSettings& s, const Clock& clock, Method method, const std::string& url,
                const openrosa::EncryptedSubmission* submission = nullptr) {
    Reply r;
    if (auto st = check_hub_url(url, s.insecure_http, "kiosk.toml [sync] server_url"); !st) {
      r.curl = CURLE_UNSUPPORTED_PROTOCOL;
      r.curl_error = st.message();
      r.refused_url = true;
      return r;
    }
    curl_easy_reset(h);
    char err[CURL_ERROR_SIZE] = "";
    set_common_options(
        h, url, err,
        {s.connect_timeout_seconds, s.stall_timeout_seconds, s.total_timeout_seconds, s.ca_file, s.app_version});
    // A KoboToolbox server's user and password, when the URL carries them
    // (https://user:password@kc.example.org/user): Basic or Digest, as it asks.
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC | CURLAUTH_DIGEST);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, kOpenRosaHeader);
    headers = curl_slist_append(headers, ("Date: " + http_date(clock.now())).c_str());
    headers = curl_slist_append(headers, "Expect:");
    curl_mime* mime = nullptr;
    if (method == Method::Head) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (method == Method::Post && submission) {
      // The manifest is the XML part; the encrypted instance a file beside it
      // (the OpenRosa submission API; ODK's encryption specification).
      mime = curl_mime_init(h);
      curl_mimepart* part = curl_mime_addpart(mime);
      curl_mime_name(part, "xml_submission_file");
      curl_mime_filename(part, "submission.xml");
      curl_mime_type(part, "text/xml");
      curl_mime_data(part, submission->manifest.data(), submission->manifest.size());
      part = curl_mime_addpart(mime);
      curl_mime_name(part, openrosa::kEncryptedXmlFile);
      curl_mime_filename(part, openrosa::kEncryptedXmlFile);
      curl_mime_type(part, "application/octet-stream");
      curl_mime_data(part, submission->encrypted_xml.data(), submission->encrypted_xml.size());
      curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    r.curl = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (mime) curl_mime_free(mime);
    if (r.curl != CURLE_OK) {
      r.curl_error = err[0] ? err : curl_easy_strerror(r.curl);
      return r;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    char* ct = nullptr;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) r.content_type = ct;
    return r;
  }
};

OpenRosaClient::OpenRosaClient(OpenRosaSettings settings, const Clock* clock)
    : settings_(std::move(settings)), clock_(clock ? *clock : system_clock_), http_(std::make_unique<Http>()) {}
OpenRosaClient::~OpenRosaClient() = default;

namespace {

std::string under(const std::string& base, const std::string& leaf) {
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/" + leaf;
}

// What the server said, in its own words: ODK Central's JSON {"message"},
// an OpenRosaResponse's <message>, or the start of anything else.
std::string server_words(const Reply& r) {
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  if (auto doc = openrosa::parse_xml(r.body, "reply"); doc.ok())
    if (const auto* m = (*doc)->child("message")) return m->all_text();
  std::string s = r.body.substr(0, 200);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::string network_words(const Reply& r, const std::string& server) {
  return curl_failure_words(r.curl, r.curl_error, "server", server);
}

Error request_error(const Reply& r, const std::string& what, const std::string& server) {
  if (r.refused_url) return make_error(ErrorKind::Config, r.curl_error);
  if (r.curl != CURLE_OK) return make_error(ErrorKind::Network, what + ": " + network_words(r, server));
  if (r.status == 401 || r.status == 403)
    return make_error(ErrorKind::Auth, what + ": the server refused the App User's token in the URL (HTTP " +
                                           std::to_string(r.status) +
                                           "): make a new App User in the project, give it the form, and enrol with "
                                           "its URL");
  if (r.status == 400)
    return make_error(ErrorKind::Config, what + ": the server refused the request (HTTP 400): " + server_words(r));
  if (r.status == 404)
    return make_error(ErrorKind::Config, what + ": the server has no such project or form (HTTP 404) at " + server);
  return make_error(ErrorKind::Network, what + ": the server answered HTTP " + std::to_string(r.status) +
                                            (r.body.empty() ? "" : ": " + server_words(r)));
}

}  // namespace

// ---- 2. The form list and the form -------------------------------------------

Result<std::vector<FormListEntry>> OpenRosaClient::form_list() {
  const std::string url = under(settings_.server_url, "formList");
  const std::string server = redacted_url(settings_.server_url);
  Reply r = http_->request(settings_, clock_, Http::Method::Get, url);
  if (r.curl != CURLE_OK || r.status != 200) return request_error(r, "The form list", server);
  auto doc = openrosa::parse_xml(r.body, "the form list from " + server);
  if (!doc || (*doc)->name != "xforms")
    return make_error(ErrorKind::Network, "The form list from " + server +
                                              " is not an OpenRosa form list (a Wi-Fi sign-in page or a proxy may "
                                              "have answered instead of the server)");
  std::vector<FormListEntry> out;
  for (const auto* x : (*doc)->children_named("xform")) {
    FormListEntry e;
    auto text = [&](const char* n) {
      const auto* c = x->child(n);
      return c ? c->all_text() : std::string();
    };
    e.form_id = text("formID");
    e.name = text("name");
    e.version = text("version");
    e.hash = text("hash");
    e.download_url = text("downloadUrl");
    out.push_back(std::move(e));
  }
  return out;
}

Result<FormListEntry> OpenRosaClient::find_form() {
  auto list = form_list();
  if (!list) return list.error();
  for (auto& e : *list)
    if (e.form_id == settings_.form_id) return e;
  std::string seen;
  for (const auto& e : *list) seen += (seen.empty() ? "" : ", ") + e.form_id;
  return make_error(ErrorKind::Config,
                    "The server lists no form \"" + settings_.form_id + "\" for this App User (" +
                        (seen.empty() ? std::string("it lists none") : "it lists " + seen) +
                        "): publish the form, and in the project's App Users give this one access to it");
}

Result<std::string> OpenRosaClient::download(const FormListEntry& entry) {
  const std::string server = redacted_url(settings_.server_url);
  Reply r = http_->request(settings_, clock_, Http::Method::Get, entry.download_url);
  if (r.curl != CURLE_OK || r.status != 200) return request_error(r, "The form \"" + entry.form_id + "\"", server);
  if (entry.hash.rfind("md5:", 0) == 0 && openrosa::md5_hex(r.body) != entry.hash.substr(4))
    return make_error(ErrorKind::Network, "The form \"" + entry.form_id + "\" from " + server +
                                              " does not match the hash in the form list (it was cut short or "
                                              "changed on the way); it will be fetched again");
  return std::move(r.body);
}

Result<std::optional<std::int64_t>> OpenRosaClient::accept_content_length() {
  const std::string server = redacted_url(settings_.server_url);
  Reply r = http_->request(settings_, clock_, Http::Method::Head, under(settings_.server_url, "submission"));
  if (r.curl != CURLE_OK || (r.status != 204 && r.status != 200))
    return request_error(r, "The submission address", server);
  if (r.status == 200 && r.accept_length.empty())
    return make_error(ErrorKind::Network, "The submission address at " + server +
                                              " answered as a web page, not an OpenRosa server (a Wi-Fi sign-in "
                                              "page or a proxy?)");
  std::optional<std::int64_t> n;
  if (!r.accept_length.empty() && r.accept_length.find_first_not_of("0123456789") == std::string::npos &&
      r.accept_length.size() < 15)
    n = std::stoll(r.accept_length);
  return n;
}

Result<std::string> pull_openrosa_form(OpenRosaClient& client, const std::string& form_file,
                                       const std::string& known_hash, std::string* hash) {
  auto entry = client.find_form();
  if (!entry) return entry.error();
  if (hash) *hash = entry->hash;
  if (!known_hash.empty() && entry->hash == known_hash) return std::string();
  auto bytes = client.download(*entry);
  if (!bytes) return bytes.error();
  const std::string source = "form \"" + entry->form_id + "\" (version " + entry->version + ") from " +
                             redacted_url(client.settings().server_url);
  auto form = openrosa::import_xform(*bytes, source);
  if (!form) return make_error(ErrorKind::Config, form.message());
  // A form the kiosk cannot seal to (no public key) is refused in the sealer's words.
  if (auto sealer = openrosa::SubmissionSealer::make(std::make_shared<const openrosa::ImportedForm>(std::move(*form)));
      !sealer)
    return make_error(ErrorKind::Config, source + ": " + sealer.message());
  if (auto st = write_file_whole(form_file, *bytes, "the form file"); !st) return st.error();
  return std::move(*bytes);
}

// ---- 3. One submission -------------------------------------------------------

SubmitOutcome OpenRosaClient::submit(const openrosa::EncryptedSubmission& s) {
  const std::string server = redacted_url(settings_.server_url);
  std::string url = under(settings_.server_url, "submission");
  if (!settings_.device_id.empty()) {
    // As ODK Collect names itself to the server: ?deviceID=, URL-encoded.
    char* escaped =
        curl_easy_escape(nullptr, settings_.device_id.c_str(), static_cast<int>(settings_.device_id.size()));
    if (escaped) {
      url += std::string("?deviceID=") + escaped;
      curl_free(escaped);
    }
  }
  Reply r = http_->request(settings_, clock_, Http::Method::Post, url, &s);
  SubmitOutcome o;
  o.http_status = static_cast<int>(r.status);
  if (r.refused_url) {
    o.kind = SubmitOutcome::Kind::Refused;
    o.error_kind = ErrorKind::Config;
    o.message = r.curl_error + ".";
    return o;
  }
  if (r.curl != CURLE_OK) {
    o.message = network_words(r, server);
    return o;
  }
  o.retry_after_seconds = parse_retry_after(r.retry_after, clock_.now());
  const std::string kept = " Nothing is lost: every response stays pending and goes once this is fixed.";
  switch (r.status) {
    case 201:
    case 202: {
      auto doc = openrosa::parse_xml(r.body, "reply");
      if (doc && (*doc)->name == "OpenRosaResponse") {
        o.kind = SubmitOutcome::Kind::Receipted;
        const auto* m = (*doc)->child("message");
        o.receipt = "OpenRosa " + std::to_string(r.status) + (m ? ": " + m->all_text() : std::string());
        return o;
      }
      o.kind = SubmitOutcome::Kind::NotAReceipt;
      o.message = "The server answered " + std::to_string(r.status) +
                  " without an OpenRosa receipt: the response stays pending and is sent again.";
      return o;
    }
    case 409:
      o.kind = SubmitOutcome::Kind::Conflict;
      o.error_kind = ErrorKind::Validation;
      o.message = "The server holds a different submission under this response's id (HTTP 409): " + server_words(r);
      return o;
    case 401:
    case 403:
      o.kind = SubmitOutcome::Kind::Refused;
      o.error_kind = ErrorKind::Auth;
      o.message = r.status == 401
                      ? "The server refused this kiosk's App User token (HTTP 401): it may have been revoked. In "
                        "the project, make a new App User, give it form \"" +
                            settings_.form_id + "\", and enrol this kiosk with its URL." + kept
                      : "The server says this App User may not submit to form \"" + settings_.form_id +
                            "\" (HTTP 403): give it access to the form in the project's Form Access." + kept;
      return o;
    case 404:
      o.kind = SubmitOutcome::Kind::Refused;
      o.error_kind = ErrorKind::Config;
      o.message = "The server has no form \"" + settings_.form_id +
                  "\" at the version these responses were given (HTTP 404): it may have been deleted; ask whoever "
                  "runs the server." +
                  kept;
      return o;
    case 413:
      o.kind = SubmitOutcome::Kind::Refused;
      o.error_kind = ErrorKind::Config;
      o.message = "The server refused a submission as too large (HTTP 413)." + kept;
      return o;
    case 400:
      o.kind = SubmitOutcome::Kind::Refused;
      o.error_kind = ErrorKind::Config;
      o.message = "The server refused a submission as malformed (HTTP 400): " + server_words(r) +
                  ". Tell council IT: this is a fault in the kiosk." + kept;
      return o;
    default: break;
  }
  if (r.status == 429 || r.status >= 500) {
    o.kind = SubmitOutcome::Kind::RetryLater;
    o.message = "The server is busy or failing (HTTP " + std::to_string(r.status) + "): sent again " +
                (o.retry_after_seconds ? "in " + std::to_string(*o.retry_after_seconds) + " s." : "later.");
    return o;
  }
  o.kind = SubmitOutcome::Kind::NotAReceipt;
  o.message = "Something other than the server answered (HTTP " + std::to_string(r.status) +
              (r.content_type.empty() ? "" : ", " + r.content_type) +
              "): a Wi-Fi sign-in page or a proxy? The responses stay pending and are sent again.";
  return o;
}

// ---- 4. Every pending response -------------------------------------------------

BatchOutcome OpenRosaClient::upload_all(Store& store, int max) {
  BatchOutcome total;
  total.kind = BatchOutcome::Kind::NothingPending;
  auto fail_local = [&](const Error& e) {
    total.kind = BatchOutcome::Kind::LocalError;
    total.error_kind = e.kind == ErrorKind::DiskFull ? ErrorKind::DiskFull : ErrorKind::Storage;
    total.message = e.message;
    return total;
  };
  std::int64_t after = 0;
  bool asked_length = false;
  while (total.sent < max) {
    auto pending = store.pending(std::min(50, max - total.sent), after);
    if (!pending) return fail_local(pending.error());
    if (pending->empty()) break;
    if (!asked_length) {
      // OpenRosa asks a client to HEAD the submission address first: it
      // checks the token and says the largest submission taken.
      auto len = accept_content_length();
      if (!len) {
        total.kind = len.kind() == ErrorKind::Auth ? BatchOutcome::Kind::AuthFailed : BatchOutcome::Kind::RetryLater;
        total.error_kind = len.kind();
        total.message = len.message() + ". Nothing is lost: every response stays pending and goes once this is fixed.";
        return total;
      }
      accept_length_ = *len;
      asked_length = true;
    }
    for (const auto& p : *pending) {
      after = p.id;
      auto sub = openrosa::unpack(p.sealed);
      if (!sub) return fail_local(make_error(ErrorKind::Storage, "response " + p.uuid + ": " + sub.message()));
      ++total.sent;
      if (accept_length_ &&
          static_cast<std::int64_t>(sub->manifest.size() + sub->encrypted_xml.size()) > *accept_length_) {
        ++total.held;
        total.kind = BatchOutcome::Kind::Held;
        total.error_kind = ErrorKind::Config;
        total.message = "Response " + p.uuid + " is larger than the server takes (" + std::to_string(*accept_length_) +
                        " bytes): it stays pending.";
        continue;
      }
      SubmitOutcome o = submit(*sub);
      const std::string now = format_utc(clock_.now());
      total.http_status = o.http_status;
      if (o.kind == SubmitOutcome::Kind::Receipted) {
        if (auto st = store.mark_synced(p.uuid, o.receipt, now); !st) return fail_local(st.error());
        ++total.stored;
        if (total.kind == BatchOutcome::Kind::NothingPending) total.kind = BatchOutcome::Kind::Receipted;
        continue;
      }
      if (o.kind == SubmitOutcome::Kind::Conflict) {
        if (auto st = store.mark_conflict(p.uuid, o.message, now); !st) return fail_local(st.error());
        ++total.conflicts;
        if (total.kind == BatchOutcome::Kind::NothingPending) total.kind = BatchOutcome::Kind::Receipted;
        continue;
      }
      --total.sent;  // not taken: it goes again
      total.message = o.message;
      total.error_kind = o.error_kind;
      total.retry_after_seconds = o.retry_after_seconds;
      total.kind = o.kind == SubmitOutcome::Kind::Refused
                       ? (o.error_kind == ErrorKind::Auth ? BatchOutcome::Kind::AuthFailed : BatchOutcome::Kind::Held)
                   : o.kind == SubmitOutcome::Kind::NotAReceipt ? BatchOutcome::Kind::NotAReceipt
                                                                : BatchOutcome::Kind::RetryLater;
      return total;
    }
  }
  return total;
}

}  // namespace kiosk::sync
