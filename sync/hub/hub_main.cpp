// kiosk-hub: the central endpoint. Commands (`kiosk-hub COMMAND --help`):
//   serve --db FILE|postgresql://... [--port P] [--bind ADDR] [--survey FILE] [--cert F --key F] ...
//   add-device NAME --db ...     prints the new kiosk token alone on the last line
//   add-admin NAME --db ...      prints the new admin token alone on the last line
// Usage errors exit 2, other failures 1.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

#include "hub_server.hpp"
#include "hub_store.hpp"

using namespace kiosk::hub;

namespace {

constexpr int kUsageError = 2;

int fail(const std::string& m, int code = 1) {
  std::cerr << "kiosk-hub: " << m << "\n";
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kiosk-hub: the central endpoint every kiosk syncs to, on SQLite or PostgreSQL.", "kiosk-hub"};
  app.footer("Tokens are printed once, alone on the last line, and stored only as hashes.");
  std::string db, name;
  ServeOptions o;
  std::string cert, key;
  auto add_db = [&db](CLI::App* a) {
    a->add_option("--db", db, "the hub's database: a SQLite file or a postgresql:// URL")
        ->type_name("FILE|URL")
        ->envname("KIOSK_HUB_DB");
  };
  auto* serve_cmd = app.add_subcommand("serve", "serve the API and the status page until SIGINT or SIGTERM");
  add_db(serve_cmd);
  serve_cmd->add_option("--port", o.port, "TCP port; 0 picks a free one (printed)")->capture_default_str();
  serve_cmd->add_option("--bind", o.bind, "address to listen on")->capture_default_str();
  serve_cmd->add_option("--survey", o.survey_path, "survey served to kiosks and used for CSV and summaries")
      ->type_name("FILE");
  serve_cmd
      ->add_option("--service-points", o.service_points_path,
                   "service-points.toml: uploads from other service points are refused (default: beside the survey "
                   "or one folder up)")
      ->type_name("FILE");
  serve_cmd->add_option("--cert", cert, "TLS certificate chain (PEM); needs --key")->type_name("FILE");
  serve_cmd->add_option("--key", key, "TLS private key (PEM); needs --cert")->type_name("FILE");
  serve_cmd->add_option("--max-body", o.max_body_bytes, "largest request body accepted")
      ->type_name("BYTES")
      ->capture_default_str();
  serve_cmd->add_option("--threads", o.threads, "request threads")->capture_default_str()->check(CLI::Range(1, 1024));
  auto* device_cmd = app.add_subcommand("add-device", "add a kiosk and print its token");
  device_cmd->add_option("NAME", name, "the kiosk's id in its kiosk.toml (required)");
  add_db(device_cmd);
  auto* admin_cmd = app.add_subcommand("add-admin", "add an admin (exports, summary, status page) and print its token");
  admin_cmd->add_option("NAME", name, "who the admin token is for (required)");
  add_db(admin_cmd);

  if (argc <= 1) {
    std::cerr << app.help();
    return kUsageError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help goes to stdout (exit 0); an error, naming what was wrong, to stderr.
    if (e.get_exit_code() != 0) std::cerr << "kiosk-hub: ";
    return app.exit(e) == 0 ? 0 : kUsageError;
  }
  const auto chosen = app.get_subcommands();
  if (chosen.empty()) {
    std::cerr << "kiosk-hub: name a command\n" << app.help();
    return kUsageError;
  }
  const std::string cmd = chosen[0]->get_name();
  // NAME is checked here, not marked required: CLI11 would report it missing
  // before naming an unknown option, the likelier mistake.
  if (cmd != "serve" && name.empty()) return fail("usage: kiosk-hub " + cmd + " NAME --db ...", kUsageError);
  if (cmd == "serve" && cert.empty() != key.empty()) return fail("--cert and --key go together", kUsageError);
  if (db.empty()) return fail("--db FILE or --db postgresql://... is required (or set KIOSK_HUB_DB)", kUsageError);
  const kiosk::SystemClock clock;
  auto store = open_hub_store(db, &clock);
  if (!store) return fail(store.message());

  if (cmd == "add-device" || cmd == "add-admin") {
    auto token = (*store)->add_principal(name, cmd == "add-device" ? "kiosk" : "admin");
    if (!token) return fail(token.message());
    std::cout << (cmd == "add-device" ? "Kiosk \"" : "Admin \"") << name
              << "\" added. Its token is shown once; put it in that kiosk's kiosk.toml [sync] token:\n"
              << *token << "\n";
    return 0;
  }
  o.cert_file = cert;
  o.key_file = key;
  return serve(**store, o, clock);
}
