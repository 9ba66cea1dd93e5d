// kiosk-hub: the central endpoint. Commands:
//   serve --port P --db FILE|postgresql://... [--survey FILE] [--bind ADDR] [--cert F --key F]
//   add-device NAME --db ...     prints the new kiosk token alone on the last line
//   add-admin NAME --db ...      prints the new admin token alone on the last line
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "hub_server.hpp"
#include "hub_store.hpp"

using namespace kiosk::hub;

namespace {
const char* const kUsage = R"(usage:
  kiosk-hub serve --db FILE|postgresql://URL [--port P] [--bind ADDR] [--survey FILE]
                  [--cert FILE --key FILE] [--max-body BYTES] [--threads N]
  kiosk-hub add-device NAME --db FILE|postgresql://URL   (NAME is the kiosk id in its kiosk.toml)
  kiosk-hub add-admin NAME --db FILE|postgresql://URL
Tokens are printed once, alone on the last line, and stored only as hashes.
)";

int fail(const std::string& m, int code = 1) {
  std::cerr << "kiosk-hub: " << m << "\n";
  return code;
}
}  // namespace

int main(int argc, char** argv) {
  std::string cmd, name;
  std::map<std::string, std::string> opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) return fail("option " + a + " needs a value", 2);
      opt[a.substr(2)] = argv[++i];
    } else if (cmd.empty()) {
      cmd = a;
    } else if (name.empty()) {
      name = a;
    } else {
      return fail("unexpected argument \"" + a + "\"", 2);
    }
  }
  if (cmd.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  std::string db = opt.count("db") ? opt["db"] : "";
  if (db.empty()) {
    if (const char* env = std::getenv("KIOSK_HUB_DB")) db = env;
  }
  if (db.empty()) return fail("--db FILE or --db postgresql://... is required (or set KIOSK_HUB_DB)", 2);
  const kiosk::SystemClock clock;
  auto store = open_hub_store(db, &clock);
  if (!store) return fail(store.message());

  if (cmd == "add-device" || cmd == "add-admin") {
    if (name.empty()) return fail("usage: kiosk-hub " + cmd + " NAME --db ...", 2);
    auto token = (*store)->add_principal(name, cmd == "add-device" ? "kiosk" : "admin");
    if (!token) return fail(token.message());
    std::cout << (cmd == "add-device" ? "Kiosk \"" : "Admin \"") << name
              << "\" added. Its token is shown once; put it in that kiosk's kiosk.toml [sync] token:\n"
              << *token << "\n";
    return 0;
  }
  if (cmd == "serve") {
    ServeOptions o;
    try {
      if (opt.count("port")) o.port = std::stoi(opt["port"]);
      if (opt.count("threads")) o.threads = std::stoi(opt["threads"]);
      if (opt.count("max-body")) o.max_body_bytes = std::stoull(opt["max-body"]);
    } catch (const std::exception&) {
      return fail("--port, --threads and --max-body take numbers", 2);
    }
    if (opt.count("bind")) o.bind = opt["bind"];
    if (opt.count("survey")) o.survey_path = opt["survey"];
    if (opt.count("cert") != opt.count("key")) return fail("--cert and --key go together", 2);
    if (opt.count("cert")) {
      o.cert_file = opt["cert"];
      o.key_file = opt["key"];
    }
    return serve(**store, o, clock);
  }
  return fail("unknown command \"" + cmd + "\"\n" + kUsage, 2);
}
