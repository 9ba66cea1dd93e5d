// Who may call a route: a kiosk's or an admin's token, as Bearer (kiosks,
// kiosk-admin) or Basic (a browser, to read pages and downloads only).
#include <string>
#include <variant>

#include "hub_api_impl.hpp"
#include "hub_ledger.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {

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

}  // namespace

std::variant<Principal, Reply> Api::Impl::auth(const Request& req, const char* role, bool browser) {
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

Reply Api::Impl::refused_token(bool token_given, bool revoked, bool browser) {
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

}  // namespace kiosk::hub
