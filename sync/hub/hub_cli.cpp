// kiosk-hub: the central endpoint. Commands (`kiosk-hub COMMAND --help`):
//   serve --db FILE|postgresql://... [--port P] [--bind ADDR] [--survey FILE] [--cert F --key F] ...
//   add-device NAME --db ...     prints the new kiosk token alone on the last line
//   add-admin NAME --db ...      prints the new admin token alone on the last line
//   revoke-device NAME --db ...  the kiosk's token stops working (401 revoked_token)
//   set-service-point NAME SP    where a kiosk stands: its responses must name it
//   list-devices --db ...        name, role, created, last seen, revoked
//   ledger --db ...              per kiosk: numbered up to, received, the numbers missing
//   audit --db ...               admin actions: exports, devices and admins added or revoked
//   keygen --key-dir DIR         a new sealing key pair, made current (the old ones stay readable)
//   backup --db ... --out FILE   a consistent copy while the hub runs (SQLite; pg_dump for PostgreSQL)
//   restore --from FILE --db ... a backup into a hub's new, empty database
// Usage errors exit 2, other failures 1. hub_main.cpp's main() calls
// hub_main(); the tests call it too, to serve a hub in their own process.
#include <malloc.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "http_server.hpp"
#include "hub_api.hpp"
#include "hub_cli.hpp"
#include "hub_keys.hpp"
#include "hub_ledger.hpp"
#include "hub_store.hpp"
#include "kiosk/db.hpp"
#include "kiosk/hub_url.hpp"

using namespace kiosk::hub;

namespace {

constexpr int kUsageError = 2;

int fail(const std::string& m, int code = 1) {
  std::cerr << "kiosk-hub: " << m << "\n";
  return code;
}

// The hub's routes assembled from the files (hub_api.hpp), or nothing with
// the reason printed.
std::unique_ptr<Api> assemble(HubStore& store, const HubFiles& files, const kiosk::Clock& clock) {
  std::vector<std::string> warnings;
  auto api = assemble_api(store, files, clock, warnings);
  if (!api) {  // the reason alone: the warnings matter once the hub can start
    std::cerr << "kiosk-hub: " << api.message() << "\n";
    return nullptr;
  }
  for (const auto& w : warnings) std::cerr << "kiosk-hub: warning: " << w << "\n";
  return std::move(api).value();
}

// The [serve] table of a settings file as command-line options for `cmd`
// ("--port", "8470", ...), only those `cmd` has (every command takes db);
// a key no command knows, or a value that is not a string, number or
// boolean, is an error naming the file and the key.
std::variant<std::vector<std::string>, std::string> settings_from_file(const std::string& path, const CLI::App& cmd) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    m << path;
    if (e.source().begin.line != 0) m << ':' << e.source().begin.line;
    m << ": " << e.description();
    return m.str();
  }
  for (const auto& [k, v] : root)
    if (std::string(k.str()) != "serve") return path + ": [" + std::string(k.str()) + "]: only a [serve] table is read";
  std::vector<std::string> out;
  const toml::table* serve = root["serve"].as_table();
  if (!serve) return out;
  for (const auto& [k, v] : *serve) {
    const std::string key(k.str());
    std::string value;
    if (auto s = v.value<std::string>(); s && v.is_string())
      value = *s;
    else if (auto i = v.value<std::int64_t>(); i && v.is_integer())
      value = std::to_string(*i);
    else if (auto b = v.value<bool>(); b && v.is_boolean())
      value = *b ? "true" : "false";
    else
      return path + ": [serve] " + key + ": must be a string, a whole number or true/false";
    // key_dir and key-dir alike name --key-dir.
    std::string option = "--" + key;
    std::replace(option.begin(), option.end(), '_', '-');
    if (cmd.get_option_no_throw(option) == nullptr) {
      if (key == "db" || cmd.get_name() != "serve") continue;  // serve's settings, for another command
      return path + ": [serve] " + key + ": not an option of kiosk-hub serve (see kiosk-hub serve --help)";
    }
    out.push_back(option);
    out.push_back(value);
  }
  return out;
}

// Run as root on a file or folder that belongs to another user (the
// kiosk-hub user's database or key folder): that user's name, to say
// whom to run as instead. Nothing when not root, or the path is root's or missing.
std::optional<std::string> other_owner(const std::string& path) {
  struct stat st {};
  if (geteuid() != 0 || ::stat(path.c_str(), &st) != 0 || st.st_uid == 0) return std::nullopt;
  const passwd* pw = getpwuid(st.st_uid);
  return pw && pw->pw_name ? std::string(pw->pw_name) : std::to_string(st.st_uid);
}

bool is_postgres(const std::string& db) { return db.rfind("postgres", 0) == 0; }

// Runs a PostgreSQL client program (pg_dump, pg_restore) and waits for it.
int run_pg_tool(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0)
    return fail(argv[0] +
                " could not be run: install PostgreSQL's client programs (apt-get install "
                "postgresql-client)");
  int st = 0;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return fail(argv[0] + " failed (its own message is above)");
  return 0;
}

// A whole, consistent copy of an open SQLite database, 0600, through SQLite
// (never a half-written file). `what` names it in an error.
int vacuum_into(const kiosk::db::Connection& c, const std::string& to, const std::string& what) {
  ::umask(077);
  auto q = kiosk::db::Statement::prepare(c, "VACUUM INTO ?1");
  if (!q) return fail(q.message());
  q->bind(1, to);
  if (auto st = q->run(); !st) return fail(what + " to " + to + " failed: " + st.message());
  return 0;
}

int backup(const std::string& db, const std::string& out) {
  if (out.empty()) return fail("usage: kiosk-hub backup --db FILE|URL --out FILE", kUsageError);
  if (::access(out.c_str(), F_OK) == 0) return fail(out + " exists: a backup never overwrites a file");
  // Sealed answers and token hashes: the copy is its maker's alone.
  ::umask(077);
  if (is_postgres(db)) {
    if (int rc = run_pg_tool({"pg_dump", "--format=custom", "--no-owner", "--file=" + out, db})) return rc;
  } else {
    if (::access(db.c_str(), R_OK) != 0) return fail(db + ": no such hub database");
    auto c = kiosk::db::Connection::open(db, kiosk::db::OpenMode::ReadOnly);
    if (!c) return fail(c.message());
    if (int rc = vacuum_into(*c, out, "backup of " + db)) return rc;
  }
  std::cout << "Backed up " << db << " to " << out
            << ". Keep it apart from the key folder: whoever holds both reads every answer.\n";
  return 0;
}

int restore(const std::string& from, const std::string& db) {
  if (from.empty()) return fail("usage: kiosk-hub restore --from FILE --db FILE|URL", kUsageError);
  if (::access(from.c_str(), R_OK) != 0) return fail(from + ": no such backup file");
  if (is_postgres(db)) {
    if (int rc = run_pg_tool(
            {"pg_restore", "--no-owner", "--exit-on-error", "--single-transaction", "--dbname=" + db, from}))
      return rc;
  } else {
    if (::access(db.c_str(), F_OK) == 0)
      return fail(db + " exists: restore makes a new database, and never writes over one (move it aside first)");
    // The backup is checked as a database before it is put in place, and
    // copied whole through SQLite (so no half-written file is ever the hub's).
    auto src = kiosk::db::Connection::open(from, kiosk::db::OpenMode::ReadOnly);
    if (!src) return fail(from + ": not a hub backup: " + src.message());
    {
      auto check = kiosk::db::Statement::prepare(*src, "SELECT count(*) FROM responses");
      if (!check) return fail(from + ": not a hub backup (it has no responses table)");
      if (auto r = check->step(); !r || !*r) return fail(from + ": not a readable hub backup");
    }
    if (int rc = vacuum_into(*src, db, "restore of " + from)) return rc;
  }
  std::cout << "Restored " << from << " into " << db
            << ". Start the hub with the key folder of the hub it came from.\n";
  return 0;
}

// Who ran a command at the hub's console, for the audit log.
std::string operator_name() {
  const passwd* pw = getpwuid(geteuid());
  return std::string("operator ") + (pw && pw->pw_name ? pw->pw_name : std::to_string(geteuid()));
}

}  // namespace

namespace kiosk::hub {

int hub_main(int argc, char** argv, const ServeControl* control) {
  // Request bodies (up to --max-body, and once inflated) and a batch's parsed
  // responses are large and short-lived: from 1 MiB up they are mapped on
  // their own and unmapped when freed. By default malloc raises that
  // threshold to the largest block freed so far, after which every body
  // would come from the heap and stay there after the burst.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  CLI::App app{"kiosk-hub: the central endpoint every kiosk syncs to, on SQLite or PostgreSQL.", "kiosk-hub"};
  app.footer("Tokens are printed once, alone on the last line, and stored only as hashes.");
  // A settings file's value comes first and the command line's after it: the last one given wins.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_version_flag("--version", KIOSK_VERSION);
  std::string db, name;
  ServeOptions o;
  double health_timeout = 1.0;  // seconds /healthz waits for the database
  HubFiles files;
  std::string cert, key;
  std::string config;
  auto add_db = [&db, &config](CLI::App* a) {
    a->add_option("--db", db, "the hub's database: a SQLite file or a postgresql:// URL")
        ->type_name("FILE|URL")
        ->envname("KIOSK_HUB_DB");
    a->add_option("--config", config,
                  "settings file (TOML, e.g. /etc/kiosk-hub/hub.toml): its [serve] keys are this command's options "
                  "without \"--\"; the command line wins")
        ->type_name("FILE");
  };
  auto* serve_cmd = app.add_subcommand("serve", "serve the API and the status page until SIGINT or SIGTERM");
  add_db(serve_cmd);
  serve_cmd->add_option("--port", o.port, "TCP port; 0 picks a free one (printed)")->capture_default_str();
  serve_cmd->add_option("--bind", o.bind, "address to listen on")->capture_default_str();
  serve_cmd->add_option("--survey", files.survey_path, "survey served to kiosks and used for CSV and summaries")
      ->type_name("FILE");
  serve_cmd
      ->add_option("--service-points", files.service_points_path,
                   "service-points.toml: uploads from other service points are refused (default: beside the survey "
                   "or one folder up)")
      ->type_name("FILE");
  serve_cmd
      ->add_option("--population", files.population_path,
                   "the area's population benchmarks (kiosk-config/population/*.toml): the status page and "
                   "/api/v1/representativeness compare who answered with who lives there")
      ->type_name("FILE");
  serve_cmd
      ->add_option("--key-dir", files.key_dir,
                   "sealing keys (kiosk-hub keygen): documents are stored sealed and opened only to check and "
                   "export them; the current public key goes to kiosks with the survey")
      ->type_name("DIR");
  serve_cmd->add_option("--cert", cert, "TLS certificate chain (PEM); needs --key")->type_name("FILE");
  serve_cmd->add_option("--key", key, "TLS private key (PEM); needs --cert")->type_name("FILE");
  serve_cmd
      ->add_option("--max-body", o.max_body_bytes, "largest request body accepted, as sent and once gzip is inflated")
      ->type_name("BYTES")
      ->capture_default_str();
  serve_cmd
      ->add_option("--body-budget", o.body_budget_bytes,
                   "request bodies held in memory at once, across every connection, as sent and inflated; past "
                   "it an upload is refused with 503 and Retry-After and its kiosk tries again")
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{1} << 20, std::size_t{1} << 40))
      ->capture_default_str();
  serve_cmd
      ->add_option("--threads", o.threads,
                   "threads running handlers; connections are polled by two event-driven threads, so a slow client "
                   "holds a socket, not a thread")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  serve_cmd->add_option("--max-connections", o.max_connections, "open connections at most, from all clients")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  serve_cmd
      ->add_option("--max-connections-per-address", o.max_connections_per_address,
                   "open connections at most from one client address; 0: no limit (behind a reverse proxy)")
      ->capture_default_str();
  serve_cmd
      ->add_option("--request-timeout", o.request_timeout_seconds,
                   "a request's headers must arrive within this many seconds of the connection opening or its "
                   "previous reply, and its body too unless it keeps to --min-upload-rate; trickling bytes does "
                   "not extend it")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve_cmd
      ->add_option("--min-upload-rate", o.min_upload_rate,
                   "past --request-timeout, a body may go on while it arrives at least this many bytes a second "
                   "on average, never pausing as long as the timeout (a slow line delivers); 0: never")
      ->type_name("BYTES")
      ->capture_default_str();
  serve_cmd
      ->add_option("--health-timeout", health_timeout,
                   "/healthz answers 503 when the database has not answered within this many seconds")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 60.0));
  serve_cmd->add_option("--idle-timeout", o.idle_timeout_seconds, "close a connection silent this many seconds")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve_cmd
      ->add_option("--max-header-bytes", o.max_header_bytes,
                   "memory per connection for the request line and headers; more is refused with 431")
      ->type_name("BYTES")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 24));
  auto* device_cmd = app.add_subcommand("add-device", "add a kiosk and print its token");
  device_cmd->add_option("NAME", name, "the kiosk's id in its kiosk.toml (required)");
  std::string public_url = "https://THIS-HUB";
  device_cmd->add_option("--url", public_url, "the address kiosks reach this hub at, for the enrolment command printed")
      ->capture_default_str();
  std::string device_sp;
  device_cmd
      ->add_option("--service-point", device_sp,
                   "the service point the kiosk stands at (an id in service-points.toml): the hub then refuses its "
                   "responses that name another")
      ->type_name("ID");
  bool insecure_http = false;
  device_cmd->add_flag("--insecure-http", insecure_http,
                       "allow a plain http:// --url to another machine (refused otherwise: the kiosk's token and "
                       "answers would cross the network readable)");
  add_db(device_cmd);
  auto* admin_cmd = app.add_subcommand("add-admin", "add an admin (exports, summary, status page) and print its token");
  admin_cmd->add_option("NAME", name, "who the admin token is for (required)");
  add_db(admin_cmd);
  auto* revoke_cmd = app.add_subcommand("revoke-device", "revoke a kiosk's token: the hub refuses it from now on");
  revoke_cmd->add_option("NAME", name, "the kiosk (required)");
  add_db(revoke_cmd);
  std::string moved_sp;
  auto* sp_cmd = app.add_subcommand("set-service-point",
                                    "register the service point a kiosk stands at (or has moved to): its responses "
                                    "must name it from now on");
  sp_cmd->add_option("NAME", name, "the kiosk (required)");
  sp_cmd->add_option("SERVICE_POINT", moved_sp, "an id in the hub's service-points.toml (required)");
  add_db(sp_cmd);
  add_db(app.add_subcommand("list-devices", "kiosks and admins: role, created, last seen, revoked"));
  add_db(app.add_subcommand("audit", "admin actions, newest first: exports, devices and admins added or revoked"));
  add_db(app.add_subcommand("ledger",
                            "per kiosk: responses numbered up to N, received M, the numbers missing, the oldest "
                            "missing and for how long, the kiosk's clock offset"));

  std::string backup_out, restore_from;
  auto* backup_cmd = app.add_subcommand(
      "backup",
      "a consistent copy of the hub's database, taken while it runs: SQLite's VACUUM INTO, or pg_dump's custom "
      "format for PostgreSQL; mode 0600. Back the key folder up apart: without its keys nothing in the copy opens");
  backup_cmd->add_option("--out", backup_out, "the file to write (must not exist)")->type_name("FILE");
  add_db(backup_cmd);
  auto* restore_cmd = app.add_subcommand(
      "restore",
      "a backup into a new hub's database, which must not exist yet (SQLite) or be empty (PostgreSQL, through "
      "pg_restore); then start the hub with the same key folder");
  restore_cmd->add_option("--from", restore_from, "the file `kiosk-hub backup` wrote")->type_name("FILE");
  add_db(restore_cmd);

  std::string keygen_dir;
  auto* keygen_cmd = app.add_subcommand(
      "keygen",
      "make a new sealing key pair in the key directory and make it the current one (rotation: the old "
      "keys stay, so what was sealed to them still opens); run it as the hub's user");
  keygen_cmd->add_option("--key-dir", keygen_dir, "the key directory (created 0700 if missing)")->type_name("DIR");
  keygen_cmd->add_option("--config", config, "settings file: its [serve] key_dir is used")->type_name("FILE");

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
  if (app.get_subcommands().empty()) {
    std::cerr << "kiosk-hub: name a command\n" << app.help();
    return kUsageError;
  }
  if (!config.empty()) {
    // The file's settings go in as if typed before the command line's own,
    // so what was typed wins (CLI11 keeps the last value given).
    auto extra = settings_from_file(config, *app.get_subcommands()[0]);
    if (std::string* err = std::get_if<std::string>(&extra)) return fail(*err, kUsageError);
    std::vector<std::string> args(argv + 1, argv + argc);
    const auto& from_file = std::get<std::vector<std::string>>(extra);
    args.insert(args.begin() + 1, from_file.begin(), from_file.end());
    std::reverse(args.begin(), args.end());  // CLI11 takes them last first
    app.clear();
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      std::cerr << "kiosk-hub: " << config << ": ";
      return app.exit(e) == 0 ? 0 : kUsageError;
    }
  }
  const auto chosen = app.get_subcommands();
  const std::string cmd = chosen[0]->get_name();
  if (cmd == "keygen") {
    if (keygen_dir.empty()) return fail("usage: kiosk-hub keygen --key-dir DIR", kUsageError);
    if (auto owner = other_owner(keygen_dir))
      return fail(keygen_dir + " belongs to the user " + *owner +
                  ", and a key root made there would be root's, which the hub refuses to load. Run it as that "
                  "user: runuser -u " +
                  *owner + " -- kiosk-hub keygen " +
                  (config.empty() ? "--key-dir " + keygen_dir : "--config " + config));
    // No database: the keys live in their directory alone.
    auto id = generate_hub_key(keygen_dir);
    if (!id) return fail(id.message());
    std::cout << "New sealing key " << *id << " is current: " << keygen_dir << "/" << *id << ".key (secret, 0600) and "
              << keygen_dir << "/" << *id << ".pub.\nRestart kiosk-hub serve to send it to kiosks; the older keys "
              << "stay in " << keygen_dir << " so what was sealed to them still opens.\n";
    return 0;
  }
  // NAME is checked here, not marked required: CLI11 would report it missing
  // before naming an unknown option, the likelier mistake.
  const bool takes_name =
      cmd == "add-device" || cmd == "add-admin" || cmd == "revoke-device" || cmd == "set-service-point";
  if (cmd == "set-service-point" && moved_sp.empty())
    return fail("usage: kiosk-hub set-service-point NAME SERVICE_POINT --db ...", kUsageError);
  if (takes_name && name.empty()) return fail("usage: kiosk-hub " + cmd + " NAME --db ...", kUsageError);
  if (cmd == "serve" && cert.empty() != key.empty()) return fail("--cert and --key go together", kUsageError);
  // Local times in the workbook, the .sav and the report are the council's
  // (British Summer Time right), unless TZ says otherwise: set here, before
  // any thread starts, as the C library reads it.
  if (cmd == "serve" && !control && !std::getenv("TZ")) {
    setenv("TZ", "Europe/London", 1);
    tzset();
  }
  if (db.empty()) return fail("--db FILE or --db postgresql://... is required (or set KIOSK_HUB_DB)", kUsageError);
  // Root writing the hub's SQLite file would leave root-owned journal files
  // the hub's own user then cannot write ("readonly database").
  if (db.rfind("postgres", 0) != 0) {
    // Not made yet: the folder it would be made in says whose it will be.
    const std::string where = ::access(db.c_str(), F_OK) == 0 ? db : std::filesystem::path(db).parent_path().string();
    if (auto owner = other_owner(where.empty() ? "." : where))
      return fail(db + " belongs to the user " + *owner + ": run kiosk-hub as that user, so every file the database " +
                  "makes stays the hub's: runuser -u " + *owner + " -- kiosk-hub " + cmd + " ...");
  }
  if (cmd == "add-device") {
    if (auto st = kiosk::check_hub_url(public_url, insecure_http, "--url"); !st && public_url != "https://THIS-HUB")
      return fail(st.message(), kUsageError);
  }
  if (cmd == "backup") return backup(db, backup_out);
  if (cmd == "restore") return restore(restore_from, db);
  const kiosk::SystemClock clock;
  auto store = open_hub_store(db, &clock);
  if (!store) return fail(store.message());
  (*store)->set_health_deadline(std::chrono::milliseconds(static_cast<long long>(health_timeout * 1000)));

  if (cmd == "add-device" || cmd == "add-admin") {
    auto token = (*store)->add_principal(name, cmd == "add-device" ? "kiosk" : "admin");
    if (!token) return fail(token.message());
    if (cmd == "add-device" && !device_sp.empty())
      if (auto st = (*store)->set_service_point(name, device_sp); !st) return fail(st.message());
    if (auto st = (*store)->audit(operator_name(), cmd, name); !st) return fail(st.message());
    if (cmd == "add-device")
      std::cout << "Kiosk \"" << name << "\" added. To connect it, run this on the kiosk as root:\n"
                << "  kiosk-admin enrol --hub " << public_url << " --token " << *token << "\n"
                << "Its token, shown once (or put it in that kiosk's kiosk.toml [sync] token by hand):\n"
                << *token << "\n";
    else
      std::cout << "Admin \"" << name << "\" added. Its token is shown once:\n" << *token << "\n";
    return 0;
  }
  if (cmd == "set-service-point") {
    if (auto st = (*store)->set_service_point(name, moved_sp); !st) return fail(st.message());
    if (auto st = (*store)->audit(operator_name(), cmd, name + " at " + moved_sp); !st) return fail(st.message());
    std::cout << "Kiosk \"" << name << "\" is registered at service point " << moved_sp
              << ": the hub refuses its responses that name another.\n";
    return 0;
  }
  if (cmd == "revoke-device") {
    if (auto st = (*store)->revoke_principal(name, "kiosk"); !st) return fail(st.message());
    if (auto st = (*store)->audit(operator_name(), cmd, name); !st) return fail(st.message());
    std::cout << "Kiosk \"" << name << "\" revoked: the hub refuses its token from now on.\n";
    return 0;
  }
  if (cmd == "list-devices") {
    auto rows = (*store)->principals();
    if (!rows) return fail(rows.message());
    std::cout << "name\trole\tcreated\tlast seen\trevoked\n";
    for (const auto& r : *rows)
      std::cout << r.name << '\t' << r.role << '\t' << r.created_utc << '\t'
                << (r.last_seen_utc.empty() ? "never" : r.last_seen_utc) << '\t'
                << (r.revoked_utc.empty() ? "no" : r.revoked_utc) << '\n';
    return 0;
  }
  if (cmd == "audit") {
    auto rows = (*store)->audit_log(1000000);
    if (!rows) return fail(rows.message());
    std::cout << "when\twho\twhat\tdetail\n";
    for (const auto& r : *rows)
      std::cout << r.at_utc << '\t' << r.actor << '\t' << r.action << '\t' << r.detail << '\n';
    return 0;
  }
  if (cmd == "ledger") {
    auto rows = (*store)->ledger();
    if (!rows) return fail(rows.message());
    std::cout << ledger_table(*rows, clock.now());
    return 0;
  }
  if (o.body_budget_bytes < o.max_body_bytes)
    return fail("--body-budget (" + std::to_string(o.body_budget_bytes) + " bytes) is smaller than --max-body (" +
                std::to_string(o.max_body_bytes) + " bytes): an upload of the largest size could never be taken");
  o.cert_file = cert;
  o.key_file = key;
  auto api = assemble(**store, files, clock);
  if (!api) return 1;
  return serve(*api, o, clock, (*store)->backend(), control);
}

}  // namespace kiosk::hub
