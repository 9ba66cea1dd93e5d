// The hub's routes called in the test's own process (hub_api.hpp): no port
// and no child process. A request goes through route(), authorize() and
// finish() as the transport (http_server.cpp) hands it over, and a streamed
// reply is collected whole. The store is the one a kiosk-hub would open for
// the same database (SQLite, or PostgreSQL in the "[e2e]" run), the survey
// and keys are loaded by assemble_api, as `kiosk-hub serve` loads them.
// What this cannot show (the wire: limits, gzip, TLS, slow clients) is what
// the served hub (hub_fixture.hpp's HubProcess, in the test's process or a
// kiosk-hub process of its own) is for.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "hub_api.hpp"
#include "hub_fixture.hpp"
#include "hub_keys.hpp"
#include "hub_store.hpp"
#include "kiosk/clock.hpp"
#include "support.hpp"

namespace test {

class InProcessHub {
 public:
  // `survey`: a survey file, or "" for a hub that serves none. With
  // `sealing`, a key directory of the hub's own, as deployed.
  explicit InProcessHub(std::string survey = bury_survey(), bool sealing = true) : db_(hub_database(tmp_)) {
    files_.survey_path = std::move(survey);
    if (sealing) {
      files_.key_dir = tmp_.file("keys");
      if (auto id = kiosk::hub::generate_hub_key(files_.key_dir); !id) throw std::runtime_error(id.message());
    }
    auto store = kiosk::hub::open_hub_store(db_, &clock_);
    if (!store) throw std::runtime_error(store.message());
    store_ = std::move(store).value();
  }

  // Assembles the routes (once; call start() after changing files()).
  InProcessHub& start() {
    std::vector<std::string> warnings;
    auto api = kiosk::hub::assemble_api(*store_, files_, clock_, warnings);
    if (!api) throw std::runtime_error(api.message());
    api_ = std::move(api).value();
    return *this;
  }

  kiosk::hub::HubFiles& files() { return files_; }
  kiosk::hub::HubStore& store() { return *store_; }
  kiosk::hub::Api& api() { return *api_; }
  const std::string& db() const { return db_; }
  TempDir& tmp() { return tmp_; }

  // A new token, as `kiosk-hub add-device NAME` / `add-admin NAME` print it.
  std::string add(const std::string& role, const std::string& name, const std::string& service_point = "") {
    auto token = store_->add_principal(name, role);
    if (!token) throw std::runtime_error(token.message());
    if (!service_point.empty())
      if (auto st = store_->set_service_point(name, service_point); !st) throw std::runtime_error(st.message());
    return *token;
  }

  // `target` is the path and query as sent ("/api/v1/export?format=csv");
  // `authorization` the header's value ("Bearer T", "Basic ..."), or "".
  // The reply, its streamed body collected; nothing when a stream was cut off.
  std::optional<kiosk::hub::Reply> request(const std::string& method, const std::string& target,
                                           const std::string& authorization = "", std::string body = "",
                                           std::vector<std::pair<std::string, std::string>> headers = {}) {
    kiosk::hub::Request req;
    req.method = method;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      while (!rest.empty()) {
        const auto amp = rest.find('&');
        const std::string pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        req.query[pair.substr(0, eq)] = eq == std::string::npos ? std::string() : pair.substr(eq + 1);
        rest = amp == std::string::npos ? std::string() : rest.substr(amp + 1);
      }
    }
    req.headers = std::move(headers);
    if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
    if (auto refused = api_->begin(req)) return refused;
    if (api_->takes_body(req)) req.body = std::move(body);
    kiosk::hub::Reply r = api_->finish(req);
    if (r.stream) {
      std::string whole, why;
      auto stream = std::move(r.stream);
      r.stream = nullptr;
      const bool complete = stream(
          [&whole](std::string_view piece) {
            whole += piece;
            return true;
          },
          why);
      if (!complete) return std::nullopt;
      r.body = std::move(whole);
    }
    return r;
  }
  std::optional<kiosk::hub::Reply> get(const std::string& target, const std::string& token) {
    return request("GET", target, "Bearer " + token);
  }
  std::optional<kiosk::hub::Reply> post(const std::string& target, const std::string& token, std::string body) {
    return request("POST", target, "Bearer " + token, std::move(body), {{"Content-Type", "application/json"}});
  }

 private:
  TempDir tmp_;
  kiosk::SystemClock clock_;  // as kiosk-hub serve's: documents are checked against today
  std::string db_;
  kiosk::hub::HubFiles files_;
  std::unique_ptr<kiosk::hub::HubStore> store_;
  std::unique_ptr<kiosk::hub::Api> api_;
};

}  // namespace test
