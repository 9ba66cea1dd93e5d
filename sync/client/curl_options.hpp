// What every request the kiosk makes sets on its libcurl handle, to our hub
// or to an OpenRosa server: the URL, the error buffer, the timeouts (connect,
// a stall of under 1 byte/s, the whole request), TLS always verified (with an
// extra CA bundle if given), no redirect followed (a redirect is a Wi-Fi
// sign-in page, not the server), and the kiosk's user agent.
#pragma once

#include <curl/curl.h>

#include <csignal>
#include <string>

namespace kiosk::sync {

// One libcurl easy handle, reused request after request (its connections
// with it). libcurl is set up once per process, and SIGPIPE ignored: a server
// that closes the connection must not kill the kiosk.
struct CurlHandle {
  CurlHandle() {
    static const bool ready = [] {
      curl_global_init(CURL_GLOBAL_DEFAULT);
      std::signal(SIGPIPE, SIG_IGN);
      return true;
    }();
    (void)ready;
    h = curl_easy_init();
  }
  ~CurlHandle() {
    if (h) curl_easy_cleanup(h);
  }
  CurlHandle(const CurlHandle&) = delete;
  CurlHandle& operator=(const CurlHandle&) = delete;
  CURL* h = nullptr;
};

struct CurlLimits {
  long connect_seconds = 10, stall_seconds = 30, total_seconds = 300;
  std::string ca_file, app_version;
};

inline void set_common_options(CURL* h, const std::string& url, char* error_buffer, const CurlLimits& l) {
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, l.connect_seconds);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, l.stall_seconds);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, l.total_seconds);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!l.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, l.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, ("library-kiosk/" + l.app_version).c_str());
}

// A request that failed before any reply, in words for staff: `who` is
// "hub" or "server", `where` its address as it may be shown.
inline std::string curl_failure_words(CURLcode code, const std::string& error, const std::string& who,
                                      const std::string& where) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return "The " + who + " did not answer in time (" + error + ").";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT: return "Cannot reach the " + who + " at " + where + ": " + error + ".";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
      return "The " + who + "'s security certificate could not be checked: " + error + ". Ask council IT.";
    default: return "The connection to the " + who + " failed: " + error + ".";
  }
}

}  // namespace kiosk::sync
