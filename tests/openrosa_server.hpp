// An OpenRosa server for the tests, written from the OpenRosa form list and
// submission APIs, the ODK XForms encryption specification and what a real
// ODK Central (v2026.2.2) was measured to answer (issue 21):
//  - every request needs "X-OpenRosa-Version: 1.0" exactly, else 400;
//  - the App User's token is in the path, /v1/key/TOKEN/projects/1/...; a
//    wrong one is 401 with no WWW-Authenticate;
//  - formList lists a form only once it is assigned to the App User (before
//    that, 200 with an empty list); each form with formID, version,
//    "md5:" + the MD5 of its exact bytes, and a downloadUrl;
//  - HEAD submission: 204 with X-OpenRosa-Accept-Content-Length;
//  - POST submission (multipart/form-data, the instance or manifest in part
//    xml_submission_file): a new instance 201 with an OpenRosaResponse; a
//    byte-identical resend 201 with the same body; the same instanceID with
//    any byte different 409; an unknown form or version 404; not multipart,
//    or no xml_submission_file, 400.
// It holds what it takes in memory, decrypts encrypted submissions with the
// form's private key, and can be told to misbehave (fail, drop the reply
// after storing, answer as a Wi-Fi sign-in page) or be restarted on its port.
#pragma once

#include <microhttpd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "odk_crypto.hpp"
#include "xml_tree.hpp"

namespace test {

class OpenRosaServer {
 public:
  struct Form {
    std::string id, version, xml;
    std::string private_pem;  // the key its submissions are decrypted with; empty: not encrypted
  };
  struct Held {
    std::string manifest, encrypted;  // as received
    std::string xml;                  // decrypted (or the manifest itself for a plain form)
    std::string error;                // why it could not be decrypted, if it could not
  };

  explicit OpenRosaServer(std::string token) : token_(std::move(token)) { start(0); }
  ~OpenRosaServer() { stop(); }
  OpenRosaServer(const OpenRosaServer&) = delete;
  OpenRosaServer& operator=(const OpenRosaServer&) = delete;

  void publish(Form f, bool assigned = true) {
    std::lock_guard<std::mutex> l(m_);
    form_ = std::move(f);
    assigned_ = assigned;
  }
  void assign(bool yes) {
    std::lock_guard<std::mutex> l(m_);
    assigned_ = yes;
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return base() + "/v1/key/" + token_ + "/projects/1"; }
  std::string url_with_token(const std::string& token) const { return base() + "/v1/key/" + token + "/projects/1"; }

  // Faults, each for the next `n` submissions.
  void fail_next(int status, int n = 1) {
    std::lock_guard<std::mutex> l(m_);
    fail_status_ = status;
    fail_left_ = n;
  }
  void drop_replies_after_storing(int n) { drop_left_ = n; }
  void captive_portal(bool on) { portal_ = on; }
  // Each new submission is held this long after it is stored, before the
  // reply goes: a kiosk killed then has sent it, and not heard.
  void delay_replies(std::chrono::milliseconds d) { delay_ = d; }
  // Waits until the server holds at least `n` submissions (false after `timeout`).
  bool wait_held(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> l(m_);
    return held_cv_.wait_for(l, timeout, [&] { return held_.size() >= n; });
  }
  void accept_content_length(long long n) { accept_length_ = n; }
  // Stops and starts again on the same port, keeping what it holds.
  void restart() {
    stop();
    start(port_);
  }
  void stop() {
    if (daemon_) MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
  }

  std::map<std::string, Held> held() const {
    std::lock_guard<std::mutex> l(m_);
    return held_;
  }
  // Pre-loads a submission, as if another device had sent it.
  void hold(const std::string& instance_id, Held h) {
    std::lock_guard<std::mutex> l(m_);
    held_[instance_id] = std::move(h);
  }
  // The deviceID each submission named (?deviceID=), by instance id.
  std::map<std::string, std::string> devices() const {
    std::lock_guard<std::mutex> l(m_);
    return devices_;
  }
  int posts() const { return posts_; }
  int conflicts() const { return conflicts_; }
  int resends() const { return resends_; }

 private:
  struct Request {
    MHD_PostProcessor* pp = nullptr;
    std::map<std::string, std::string> parts;  // by field name
  };

  std::string token_;
  MHD_Daemon* daemon_ = nullptr;
  unsigned short port_ = 0;
  mutable std::mutex m_;
  Form form_;
  bool assigned_ = false;
  std::map<std::string, Held> held_;
  std::map<std::string, std::string> first_reply_;
  std::map<std::string, std::string> devices_;
  int fail_status_ = 0, fail_left_ = 0;
  std::atomic<int> drop_left_{0}, posts_{0}, conflicts_{0}, resends_{0};
  std::atomic<bool> portal_{false};
  std::atomic<long long> accept_length_{100000000};
  std::atomic<std::chrono::milliseconds> delay_{std::chrono::milliseconds(0)};
  std::condition_variable held_cv_;

  void start(unsigned short port) {
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, nullptr, nullptr, &OpenRosaServer::handle, this,
                               MHD_OPTION_NOTIFY_COMPLETED, &OpenRosaServer::completed, this, MHD_OPTION_END);
    if (!daemon_) throw std::runtime_error("the OpenRosa test server could not start on port " + std::to_string(port));
    const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    port_ = info ? info->port : port;
  }

  static MHD_Result reply(MHD_Connection* c, unsigned status, const std::string& body,
                          const char* type = "application/json",
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    MHD_Response* r =
        MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-OpenRosa-Version", "1.0");
    for (const auto& [k, v] : headers) MHD_add_response_header(r, k.c_str(), v.c_str());
    const MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
  }

  static MHD_Result part(void* cls, MHD_ValueKind, const char* key, const char*, const char*, const char*,
                         const char* data, uint64_t, size_t size) {
    auto* req = static_cast<Request*>(cls);
    req->parts[key ? key : ""].append(data, size);
    return MHD_YES;
  }

  static void completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
    auto* req = static_cast<Request*>(*con_cls);
    if (req) {
      if (req->pp) MHD_destroy_post_processor(req->pp);
      delete req;
    }
    *con_cls = nullptr;
  }

  static MHD_Result handle(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                           const char* upload_data, size_t* upload_size, void** con_cls) {
    auto* self = static_cast<OpenRosaServer*>(cls);
    const std::string m = method;
    if (!*con_cls) {
      auto* req = new Request;
      *con_cls = req;
      if (m == "POST") req->pp = MHD_create_post_processor(c, 64 * 1024, &OpenRosaServer::part, req);
      return MHD_YES;
    }
    auto* req = static_cast<Request*>(*con_cls);
    if (*upload_size) {
      if (req->pp) MHD_post_process(req->pp, upload_data, *upload_size);
      *upload_size = 0;
      return MHD_YES;
    }
    return self->answer(c, url, m, *req);
  }

  MHD_Result answer(MHD_Connection* c, const std::string& url, const std::string& method, Request& req) {
    if (portal_) return reply(c, 200, "<html><body>Sign in to Library Wi-Fi</body></html>", "text/html");
    const char* v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-OpenRosa-Version");
    if (!v || std::string(v) != "1.0")
      return reply(c, 400, R"({"message":"Required header X-OpenRosa-Version 1.0 is missing or wrong.","code":400.1})");
    const std::string prefix = "/v1/key/";
    if (url.rfind(prefix, 0) != 0) return reply(c, 404, R"({"message":"Not found.","code":404.1})");
    const auto slash = url.find('/', prefix.size());
    const std::string token = url.substr(prefix.size(), slash - prefix.size());
    if (token != token_)
      return reply(c, 401, R"({"message":"Could not authenticate with the provided credentials.","code":401.2})");
    const std::string rest = slash == std::string::npos ? "" : url.substr(slash);
    std::unique_lock<std::mutex> l(m_);
    if (rest == "/projects/1/formList" && method == "GET") {
      std::string body =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xforms xmlns=\"http://openrosa.org/xforms/xformsList\">";
      if (assigned_ && !form_.id.empty())
        body += "<xform><formID>" + form_.id + "</formID><name>" + form_.id + "</name><version>" + form_.version +
                "</version><hash>md5:" + kiosk::openrosa::md5_hex(form_.xml) + "</hash><downloadUrl>" +
                url_with_token(token_) + "/forms/" + form_.id + "/form.xml</downloadUrl></xform>";
      body += "</xforms>";
      return reply(c, 200, body, "text/xml");
    }
    if (rest == "/projects/1/forms/" + form_.id + "/form.xml" && method == "GET") {
      if (!assigned_)
        return reply(c, 403, R"({"message":"The authenticated actor does not have rights.","code":403.1})");
      return reply(c, 200, form_.xml, "application/xml");
    }
    if (rest == "/projects/1/submission" && method == "HEAD")
      return reply(c, 204, "", "text/plain",
                   {{"X-OpenRosa-Accept-Content-Length", std::to_string(accept_length_.load())}});
    if (rest == "/projects/1/submission" && method == "POST") return submission(c, req, l);
    return reply(c, 404, R"({"message":"Could not find the resource you were looking for.","code":404.1})");
  }

  // Called with m_ held (by `lock`).
  MHD_Result submission(MHD_Connection* c, Request& req, std::unique_lock<std::mutex>& lock) {
    ++posts_;
    if (fail_left_ > 0) {
      --fail_left_;
      return reply(c, static_cast<unsigned>(fail_status_), R"({"message":"Injected failure.","code":500.1})");
    }
    if (!req.pp) return reply(c, 400, R"({"message":"Request is not multipart/form-data.","code":400.2})");
    auto xml = req.parts.find("xml_submission_file");
    if (xml == req.parts.end()) return reply(c, 400, R"({"message":"No xml_submission_file part.","code":400.2})");
    if (!assigned_) return reply(c, 403, R"({"message":"The authenticated actor does not have rights.","code":403.1})");
    auto doc = kiosk::openrosa::parse_xml(xml->second, "submission");
    if (!doc) return reply(c, 400, R"({"message":"The submission is not XML.","code":400.2})");
    const kiosk::openrosa::XmlNode& root = **doc;
    if (root.attr("id") != form_.id || root.attr("version") != form_.version)
      return reply(c, 404, R"({"message":"No form with that id and version.","code":404.1})");
    const kiosk::openrosa::XmlNode* meta = root.child("meta");
    const kiosk::openrosa::XmlNode* iid = meta ? meta->child("instanceID") : nullptr;
    const std::string instance = iid ? iid->text : "";
    Held h;
    h.manifest = xml->second;
    if (auto enc = req.parts.find(kiosk::openrosa::kEncryptedXmlFile); enc != req.parts.end())
      h.encrypted = enc->second;
    if (auto it = held_.find(instance); it != held_.end() && !instance.empty()) {
      if (it->second.manifest != h.manifest || it->second.encrypted != h.encrypted) {
        ++conflicts_;
        return reply(
            c, 409,
            R"({"message":"A resource already exists with instanceID value(s) of )" + instance + R"(.","code":409.3})");
      }
      ++resends_;
      if (drop_left_ > 0) {
        --drop_left_;
        return MHD_NO;
      }
      return reply(c, 201, first_reply_[instance], "text/xml; charset=utf-8");
    }
    if (!form_.private_pem.empty()) {
      auto opened = kiosk::openrosa::decrypt_submission(form_.private_pem, {h.manifest, h.encrypted});
      if (opened)
        h.xml = opened->xml;
      else
        h.error = opened.message();
    } else {
      h.xml = h.manifest;
    }
    const std::string body =
        "<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\" items=\"0\"><message nature=\"\">full "
        "submission upload was successful!</message></OpenRosaResponse>";
    held_[instance.empty() ? "no-id-" + std::to_string(posts_) : instance] = h;
    if (const char* d = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "deviceID")) devices_[instance] = d;
    first_reply_[instance] = body;
    held_cv_.notify_all();
    if (const auto d = delay_.load(); d.count() > 0) {
      lock.unlock();
      std::this_thread::sleep_for(d);  // the reply is late, as on a slow line
    }
    if (drop_left_ > 0) {
      --drop_left_;
      return MHD_NO;  // stored, and the reply never sent: the kiosk must send it again
    }
    return reply(c, 201, body, "text/xml; charset=utf-8");
  }
};

}  // namespace test
