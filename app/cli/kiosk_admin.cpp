// kiosk-admin: the command-line tool on the core, for staff and council IT.
// Every command reads kiosk.toml (--config, $KIOSK_CONFIG,
// ./kiosk-config/kiosk.toml, or the installed /etc/library-kiosk/kiosk.toml) for defaults; --db and --survey override.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "breakdown.hpp"
#include "kiosk/catalogue.hpp"
#include "kiosk/clock.hpp"
#include "kiosk/config.hpp"
#include "kiosk/config_edit.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/hub_url.hpp"
#include "kiosk/locale.hpp"
#include "kiosk/population.hpp"
#include "kiosk/simulate.hpp"
#include "kiosk/store.hpp"
#include "kiosk/survey.hpp"
#include "openrosa_client.hpp"
#include "report.hpp"
#include "represent.hpp"
#include "spss.hpp"
#include "submission_sealer.hpp"
#include "sync_client.hpp"
#include "workbook.hpp"
#include "xform.hpp"
#include "xlsform.hpp"

using namespace kiosk;

namespace {

struct Args {
  std::string command;
  std::vector<std::string> positional;
  std::map<std::string, std::string> opts;  // by long name without "--"; flags hold "1"
  std::vector<std::string> key_files;       // open --key, in order
};

// Usage errors (unknown command or option, missing or malformed value) exit 2.
constexpr int kUsageError = 2;
// `sync --once`: 0 only when every response is receipted (stored or duplicate).
constexpr int kSyncLeftPending = 1;   // the hub was not reached, or its reply was not a receipt
constexpr int kSyncTokenRefused = 3;  // the hub refused the token: unknown, revoked, another device's
constexpr int kSyncHeld = 4;          // the hub held some back (their survey version is unknown there)
constexpr int kSyncConflicts = 5;     // conflicts or rejections wait for an admin (kiosk-admin conflicts)
// `enrol`: enrolled, but the hub serves no sealing key yet (the kiosk fetches it once the hub has one).
constexpr int kEnrolNoKey = 4;
constexpr int kEnrolFormRefused =
    6;  // the OpenRosa form is not listed, not encrypted, or not a survey the kiosk can run

// Parses the command line with CLI11. Returns Args, or the exit code when the
// program stops here (help printed: 0; a usage error, named on stderr: 2).
std::variant<Args, int> parse_args(int argc, char** argv) {
  CLI::App app{"kiosk-admin: the command-line tool for a survey kiosk's database, for staff and council IT.",
               "kiosk-admin"};
  app.footer(
      "Every command reads kiosk.toml (--config, $KIOSK_CONFIG, ./kiosk-config/kiosk.toml or "
      "/etc/library-kiosk/kiosk.toml) for its defaults;\n"
      "--db and --survey override it. `kiosk-admin COMMAND --help` describes a command.");
  // Required values are checked by each command, not marked required here:
  // CLI11 reports a missing one before an unknown option, and naming the
  // unknown option (a typo, usually) is the more useful message.
  // Values land here by name; a std::map keeps references stable while CLI11 fills them.
  std::map<std::string, std::string> values;
  bool once = false, all = false, insecure_http = false;
  auto value = [&](CLI::App* a, const std::string& name, const std::string& type, const std::string& help) {
    return a->add_option("--" + name, values[name], help)->type_name(type);
  };
  // The options of every command, accepted before the command or after it.
  auto common = [&](CLI::App* a) {
    value(a, "config", "FILE",
          "kiosk.toml to use (default $KIOSK_CONFIG, ./kiosk-config/kiosk.toml, then /etc/library-kiosk/kiosk.toml)");
    value(a, "db", "FILE", "response database (default: database in kiosk.toml)");
    value(a, "survey", "FILE", "survey definition (default: survey in kiosk.toml)");
    value(a, "public-key", "FILE",
          "the council's public key responses are sealed to (default: [sealing] public_key_file in kiosk.toml)");
    value(a, "population", "FILE",
          "the area's population benchmarks (default: [kiosk] population in kiosk.toml; format in "
          "kiosk-config/README.md)");
  };
  common(&app);

  std::string file;
  auto* validate = app.add_subcommand("validate",
                                      "check a survey definition and the kiosk's message catalogues; exit 0 if good "
                                      "(translation gaps are warnings), 1 with the error");
  validate->add_option("FILE", file,
                       "the survey definition (.toml), or an XForm (.xml) as a kiosk enrolled with an OpenRosa server "
                       "reads it");
  auto* import_cmd = app.add_subcommand(
      "import",
      "turn a survey written in a spreadsheet (XLSForm: survey, choices and settings sheets) into a survey "
      "definition and its translation files, checked as `validate` checks them; errors name the sheet, row and "
      "column");
  import_cmd->add_option("FORM", file, "the XLSForm workbook (.xlsx)");
  value(import_cmd, "out", "DIR", "the folder to write FORM_ID.toml and its translation files to (required)");
  auto* export_xlsform = app.add_subcommand(
      "export-xlsform", "write a survey definition as an XLSForm workbook, to edit in a spreadsheet and import again");
  export_xlsform->add_option("SURVEY", file, "the survey definition (.toml)");
  value(export_xlsform, "out", "FILE", "the .xlsx file to write (required)");
  auto* export_xform = app.add_subcommand(
      "export-xform",
      "write a survey definition as an XForm, to publish on ODK Central or KoboToolbox for kiosks enrolled with "
      "--openrosa (turn on the project's encryption there); read back, it gives the same survey");
  export_xform->add_option("SURVEY", file, "the survey definition (.toml)");
  value(export_xform, "out", "FILE", "the .xml file to write (required)");
  auto* preview_cmd = app.add_subcommand(
      "preview",
      "see a survey as visitors will before it is deployed: a PNG of every question screen at 100% and 200% text in "
      "each of its languages, what speech reads on each, and an index.html (runs the kiosk program, headless)");
  preview_cmd->add_option("SURVEY", file, "the survey definition (.toml)");
  value(preview_cmd, "out", "DIR", "the folder to write the preview to (required)");
  app.add_subcommand("status", "responses by state, sync state, database size");
  auto* simulate = app.add_subcommand("simulate", "add N realistic completed responses (demos, benchmarks)");
  value(simulate, "responses", "N", "how many completed responses to add (required)");
  value(simulate, "seed", "S", "random seed, for the same responses again");
  value(simulate, "kiosk-id", "ID", "kiosk id recorded with them (default: kiosk.toml's)");
  value(simulate, "service-point", "ID", "service point recorded with all of them (default: kiosk.toml's)");
  value(simulate, "skew", "Q.OPTION=F,...",
        "answer the population's questions with these options F times as often as their share (q20.65_plus=0.5: "
        "half as many people aged 65+ as live in the area)");
  value(simulate, "from", "YYYY-MM-DD", "first day of visits (default 2016-06-13, Bury's consultation)");
  value(simulate, "to", "YYYY-MM-DD", "last day of visits (default 2016-09-05)");
  value(simulate, "abandoned", "SHARE", "share of visits left part way, kept as abandoned (default 0.07)");
  auto* exp = app.add_subcommand(
      "export",
      "responses, sealed, to a folder (a USB stick): responses.sealed.jsonl, survey.toml and manifest.json, "
      "readable only with the council's secret key (kiosk-admin open); or the codebook");
  value(exp, "format", "sealed|codebook", "what to write (default sealed; CSV and JSON Lines come from `open`)");
  value(exp, "out", "DIR|FILE", "the folder for sealed files, or the codebook file (\"-\": standard output)");
  std::vector<std::string> key_files;
  auto* open_cmd = app.add_subcommand(
      "open",
      "on the analyst's computer: open a sealed export with the council's secret key(s) into responses.csv, "
      "responses.jsonl and codebook.csv");
  open_cmd->add_option("IN_DIR", file, "the folder `kiosk-admin export` wrote");
  open_cmd->add_option("--key", key_files, "a secret key file from `kiosk-hub keygen` (repeat for older keys)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  value(open_cmd, "out", "DIR", "where to write the CSV, JSON Lines and codebook (required)");
  auto* summary_cmd = app.add_subcommand(
      "summary",
      "on opened responses (DIR): counts and percentages per question, by service point; on the kiosk: responses "
      "per service point only (its answers are sealed and not counted)");
  summary_cmd->add_option("DIR", file, "the folder `kiosk-admin open` wrote");
  value(summary_cmd, "weights", "FILE", "on opened responses: write each response's weight (response_uuid,weight)");
  value(summary_cmd, "cap", "C", "weights are kept within 1/C and C times the mean (default 5)");
  auto* represent = app.add_subcommand(
      "represent",
      "on opened responses: who answered against who lives in the area (the population benchmarks), each group's "
      "share with a 95% interval and a verdict, overall, per service point and per week");
  represent->add_option("DIR", file, "the folder `kiosk-admin open` wrote");
  value(represent, "csv", "FILE", "also write every figure to this CSV file");
  auto* breakdown_cmd = app.add_subcommand(
      "breakdown",
      "on opened responses: each choice question's answers by service point and by each characteristic the "
      "population file benchmarks (age, sex, ethnic group, disability, caring), small counts suppressed");
  breakdown_cmd->add_option("DIR", file, "the folder `kiosk-admin open` wrote");
  value(breakdown_cmd, "by", "Q,...",
        "break down by these questions (and service_point); default: service_point and "
        "the population file's questions");
  value(breakdown_cmd, "question", "Q,...", "only these questions (default: every choice question)");
  value(breakdown_cmd, "threshold", "N", "counts from 1 to N-1 are hidden (default 10)");
  value(breakdown_cmd, "csv", "FILE", "also write every table to this CSV file");
  auto* spss_cmd = app.add_subcommand(
      "spss",
      "on opened responses: an SPSS data file (.sav) for SPSS and PSPP, with variable and value labels, "
      "missing answers, and the raking weight as its weight variable");
  spss_cmd->add_option("DIR", file, "the folder `kiosk-admin open` wrote");
  value(spss_cmd, "out", "FILE", "the .sav file to write (required)");
  value(spss_cmd, "cap", "C", "weights are kept within 1/C and C times the mean (default 5)");
  auto* workbook_cmd =
      app.add_subcommand("workbook",
                         "on opened responses: an Excel workbook (.xlsx): the responses with codes and labels, the "
                         "codebook, a sheet and chart per question (weighted and unweighted), representativeness");
  workbook_cmd->add_option("DIR", file, "the folder `kiosk-admin open` wrote");
  value(workbook_cmd, "out", "FILE", "the .xlsx file to write (required)");
  value(workbook_cmd, "cap", "C", "weights are kept within 1/C and C times the mean (default 5)");
  auto* report_cmd = app.add_subcommand(
      "report",
      "on opened responses: the consultation report for a cabinet paper, as PDF and as one accessible HTML file: how "
      "it ran, responses per service point, representativeness, results weighted and unweighted with charts, "
      "breakdowns by protected characteristic (small cells suppressed), the comments");
  report_cmd->add_option("DIR", file, "the folder `kiosk-admin open` wrote");
  value(report_cmd, "pdf", "FILE", "the PDF to write");
  value(report_cmd, "html", "FILE", "the HTML file to write (the same content)");
  value(report_cmd, "threshold", "N", "breakdown counts from 1 to N-1 are hidden (default 10)");
  value(report_cmd, "cap", "C", "weights are kept within 1/C and C times the mean (default 5)");
  value(report_cmd, "comments", "N|all",
        "comments listed per question and service point (default 250; the rest are counted)");
  auto* comments_cmd = app.add_subcommand(
      "comments",
      "on opened responses: the free-text answers per question and service point, with emails, phone "
      "numbers and full postcodes masked");
  comments_cmd->add_option("DIR", file, "the folder `kiosk-admin open` wrote");
  app.add_subcommand("verify",
                     "integrity check; every content hash recomputed over the sealed bytes; the ledger shows "
                     "nothing was removed without a receipt");
  auto* backup = app.add_subcommand("backup", "consistent copy of the database while it is in use");
  value(backup, "out", "FILE", "the copy to write (required)");
  app.add_subcommand("hash-pin", "read a PIN on standard input, print its Argon2id hash for kiosk.toml");
  app.add_subcommand("close-unfinished", "mark responses left in progress as abandoned");
  auto* sync = app.add_subcommand("sync",
                                  "upload pending responses to kiosk-hub; --once makes one pass and exits 0 only if "
                                  "every response is receipted (stored or already at the hub), otherwise keeps "
                                  "syncing until stopped");
  sync->add_flag("--once", once,
                 "one pass, then exit: 0 every response receipted; 1 some left pending (hub not reached); 3 the hub "
                 "refused the token (unknown, revoked, or another device's: nothing was taken); 4 the hub held some "
                 "back (survey version unknown there); 5 conflicts or rejections wait for an admin");
  app.add_subcommand("conflicts",
                     "responses the hub would not take for their content: true conflicts (same UUID, other "
                     "content) and rejections; number, uuid, when, the hub's words");
  auto* requeue =
      app.add_subcommand("requeue", "send conflicted or rejected responses again, once resolved at the hub");
  requeue->add_option("UUID", file, "the response to send again");
  requeue->add_flag("--all", all, "every conflicted or rejected response");
  value(sync, "hub", "URL", "the hub (default: [sync] hub_url in kiosk.toml)");
  value(sync, "token", "TOKEN", "this kiosk's token (default: $KIOSK_HUB_TOKEN or [sync] token)");
  value(sync, "batch-size", "N", "responses per request")->check(CLI::Range(1, 100000));
  const char* insecure_help =
      "allow a plain http:// hub on another machine (refused otherwise: the token and answers would cross the "
      "network readable); loopback needs no flag";
  sync->add_flag("--insecure-http", insecure_http, insecure_help);
  auto* enrol = app.add_subcommand(
      "enrol",
      "connect this kiosk to a hub: checks that the hub answers and accepts the token, fetches the council's "
      "public key the hub serves into [sealing] public_key_file, then writes --hub, --token (and --ca) into "
      "kiosk.toml's [sync], keeping its comments; exit 0 enrolled, 1 the hub did not answer, 3 it refused the "
      "token (kiosk.toml unchanged in both), 4 enrolled but the hub has no sealing key yet (the kiosk fetches it "
      "by itself once the hub has one)");
  value(enrol, "hub", "URL", "the hub's address, as `kiosk-hub add-device` printed it (required for a hub)");
  value(enrol, "token", "TOKEN", "this kiosk's token from `kiosk-hub add-device` (required for a hub)");
  value(enrol, "openrosa", "URL",
        "instead of a hub, an OpenRosa server: ODK Central's App User URL (https://central.example.org/v1/key/"
        "TOKEN/projects/1) or a KoboToolbox server's; with --form. Checks the server answers and takes the token, "
        "the form is listed for this App User, is encrypted and is a survey the kiosk can run, writes it to [sync] "
        "form_file, then writes protocol, server_url and form_id into [sync]; exit 0 enrolled, 1 the server did "
        "not answer, 3 it refused the token, 6 the form cannot be used here (kiosk.toml unchanged but for 0)");
  value(enrol, "form", "FORM_ID", "the form's id on the OpenRosa server (with --openrosa)");
  value(enrol, "ca", "FILE", "CA certificate that signed the hub's, if it is not one the system trusts");
  enrol->add_flag("--insecure-http", insecure_http, std::string(insecure_help) + "; written to kiosk.toml");
  for (CLI::App* sub : app.get_subcommands({})) common(sub);

  app.set_version_flag("--version", KIOSK_VERSION);
  if (argc <= 1) {
    std::cout << app.help();
    return kUsageError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help goes to stdout (exit 0); an error, naming what was wrong, to stderr.
    if (e.get_exit_code() != 0) std::cerr << "kiosk-admin: ";
    return app.exit(e) == 0 ? 0 : kUsageError;
  }
  const auto chosen = app.get_subcommands();
  if (chosen.empty()) {
    std::cerr << "kiosk-admin: name a command\n" << app.help();
    return kUsageError;
  }
  Args a;
  a.command = chosen[0]->get_name();
  if (!file.empty()) a.positional.push_back(file);
  for (const CLI::App* from : {static_cast<const CLI::App*>(&app), static_cast<const CLI::App*>(chosen[0])})
    for (const CLI::Option* o : from->get_options())
      if (o->count() > 0 && o->get_name().rfind("--", 0) == 0 && o->get_name() != "--help" &&
          o->get_name() != "--once" && o->get_name() != "--all" && o->get_name() != "--key" &&
          o->get_name() != "--insecure-http") {
        const std::string name = o->get_name().substr(2);
        a.opts[name] = values[name];
      }
  a.key_files = key_files;
  if (once) a.opts["once"] = "1";
  if (all) a.opts["all"] = "1";
  if (insecure_http) a.opts["insecure-http"] = "1";
  return a;
}

int fail(const std::string& msg, int code = 1) {
  std::cerr << "kiosk-admin: " << msg << "\n";
  return code;
}

class Context {
 public:
  explicit Context(const Args& a) : args_(a) {}

  const std::string* opt(const std::string& k) const {
    auto it = args_.opts.find(k);
    return it == args_.opts.end() ? nullptr : &it->second;
  }

  Result<KioskConfig*> config() {
    if (config_) return &*config_;
    const auto* given = opt("config");
    auto c = load_config(find_config_file(given ? *given : std::string()));
    if (!c) return c.error();
    config_ = std::move(c).value();
    return &*config_;
  }

  Result<std::string> db_path() {
    if (const auto* d = opt("db")) return *d;
    auto c = config();
    if (!c) return make_error(c.message() + "\n(give --db FILE, or --config with a kiosk.toml)");
    return (*c)->database_path;
  }

  Result<Survey*> survey() {
    if (survey_) return &*survey_;
    std::string path;
    if (const auto* s = opt("survey")) {
      path = *s;
    } else {
      auto c = config();
      if (!c) return make_error(c.message() + "\n(give --survey FILE, or --config with a kiosk.toml)");
      path = (*c)->survey_path;
    }
    if (auto f = openrosa_form(); !f) {
      return f.error();
    } else if (*f) {
      survey_ = (*f)->form().survey;  // a kiosk enrolled with an OpenRosa server runs its form
      return &*survey_;
    }
    auto s = load_survey_file(path);
    if (!s) return s.error();
    survey_ = std::move(s).value();
    return &*survey_;
  }

  // A kiosk enrolled with an OpenRosa server ([sync] protocol = "openrosa",
  // no --survey given): its form, and the sealer for the form's key.
  Result<std::shared_ptr<const openrosa::SubmissionSealer>> openrosa_form() {
    if (opt("survey")) return std::shared_ptr<const openrosa::SubmissionSealer>();
    auto c = config();
    if (!c || !(*c)->sync.openrosa()) return std::shared_ptr<const openrosa::SubmissionSealer>();
    if (!form_) {
      auto f = openrosa::load_form_file((*c)->sync.form_file);
      if (!f) return f.error();
      auto sealer = openrosa::SubmissionSealer::make(*f);
      if (!sealer) return sealer.error();
      form_ = *sealer;
    }
    return form_;
  }

  // The public key to seal with: --public-key, else kiosk.toml's. Only
  // commands that save responses (simulate) need it; the others open the
  // store without, and a database from before sealing is then refused with
  // the reason, unless a key is at hand to seal it.
  Result<SealPublicKey> public_key() {
    if (const auto* f = opt("public-key")) {
      KioskConfig k;
      k.seal_public_key_file = *f;
      return load_seal_public_key(k);
    }
    auto c = config();
    if (!c) return make_error(c.message() + "\n(give --public-key FILE, or --config with a kiosk.toml)");
    return load_seal_public_key(**c);
  }

  // The population benchmarks: --population, else kiosk.toml's; none when
  // neither names a file. A file that does not fit the survey is an error.
  Result<std::optional<Population>> population() {
    std::string path;
    if (const auto* p = opt("population")) {
      path = *p;
    } else if (auto c = config(); c && (!(*c)->sync.openrosa() || opt("survey"))) {
      // The deployment's benchmarks name its own survey's questions, not an OpenRosa server's form's.
      path = (*c)->population_path;
    }
    if (path.empty()) return std::optional<Population>{};
    auto s = survey();
    if (!s) return s.error();
    auto pop = load_population(path, **s);
    if (!pop) return pop.error();
    return std::optional<Population>(std::move(pop).value());
  }

  Result<std::unique_ptr<Store>> store(db::OpenMode mode, bool need_key = false) {
    auto p = db_path();
    if (!p) return p.error();
    if (mode == db::OpenMode::Create)
      if (auto st = ensure_parent_dir(*p); !st) return st.error();
    auto form = openrosa_form();
    if (!form) return form.error();
    if (*form) {
      // Sealed to the form's key, as the kiosk seals.
      auto store = Store::open(*p, mode);
      if (store) (*store)->set_sealer(*form);
      return store;
    }
    auto key = public_key();
    if (!key && need_key) return key.error();
    return Store::open(*p, mode, key ? &*key : nullptr);
  }

 private:
  const Args& args_;
  std::optional<KioskConfig> config_;
  std::shared_ptr<const openrosa::SubmissionSealer> form_;
  std::optional<Survey> survey_;
};

// The kiosk's own words: the catalogues of --config's kiosk.toml, else those
// next to the survey's folder (kiosk-config/locales for kiosk-config/surveys).
// A catalogue that cannot be read is an error; what a translation lacks is a
// warning, since the kiosk shows it in English.
bool validate_catalogues(const Args& a, const Survey& survey) {
  namespace fs = std::filesystem;
  std::string dir;
  if (auto it = a.opts.find("config"); it != a.opts.end()) {
    auto cfg = load_config(it->second);
    if (!cfg) {
      fail(cfg.message());
      return false;
    }
    dir = cfg->locales_dir;
  } else {
    const auto beside = fs::absolute(a.positional[0]).parent_path().parent_path() / "locales";
    std::error_code ec;
    if (fs::is_directory(beside, ec)) dir = beside.lexically_normal().string();
  }
  if (dir.empty()) {
    std::cout << "catalogues: no locales folder beside the survey; the kiosk would use its built-in English\n";
    return true;
  }
  auto cat = Catalogue::load_dir(dir);
  if (!cat) {
    fail(cat.message());
    return false;
  }
  std::cout << "ok: " << dir << ": catalogues";
  for (const auto& l : cat->locales()) {
    const auto* m = cat->find_locale(l);
    std::cout << ' ' << l << (m->generated ? " (generated)" : m->demonstration ? " (demonstration)" : "");
  }
  std::cout << "\n";
  auto list = [](const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += "\n    " + k;
    return out;
  };
  for (const auto& w : cat->check()) {
    if (!w.missing.empty())
      std::cout << "WARNING: " << w.file << ": " << w.locale << ": " << w.missing.size()
                << " messages missing (shown in " << cat->default_locale() << " instead):" << list(w.missing) << "\n";
    if (!w.unknown.empty())
      std::cout << "WARNING: " << w.file << ": " << w.locale << ": " << w.unknown.size() << " unknown keys (not in "
                << cat->default_locale() << ", never shown):" << list(w.unknown) << "\n";
    if (!w.placeholder_differs.empty())
      std::cout << "WARNING: " << w.file << ": " << w.locale << ": " << w.placeholder_differs.size()
                << " messages whose placeholders differ from " << cat->default_locale() << ":"
                << list(w.placeholder_differs) << "\n";
  }
  for (const auto& l : survey.locales)
    if (!cat->find_locale(l))
      std::cout << "WARNING: " << dir << ": no catalogue for the survey's locale " << l
                << ": the kiosk's own words would be in " << cat->default_locale() << "\n";
  return true;
}

// What council IT must still do before a kiosk goes out: said as warnings
// by validate and status, never a failure. `locales`: the survey's, when known.
void config_warnings(const KioskConfig& c, const std::vector<std::string>& locales = {}) {
  for (const auto& l : locales) {
    if (locale_language(l) == locale_language(c.default_locale)) continue;
    const auto missing = c.deployment.untranslated(l);
    if (missing.empty()) continue;
    std::cerr << "warning: " << c.config_path << ": [deployment] has no \"" << l << "\" words for";
    for (const auto& m : missing) std::cerr << ' ' << m;
    std::cerr << ": visitors who choose " << l << " see them in " << c.default_locale
              << " (give each a table by locale, e.g. " << missing.front() << " = { " << c.default_locale
              << " = \"...\", " << l << " = \"...\" })\n";
  }
  if (c.demo_pins)
    std::cerr << "warning: " << c.config_path
              << ": the demonstration PIN hashes (1234, 9999) are configured: staff sign-in is refused until you set "
                 "your own (kiosk-admin hash-pin, then [[staff]] and [admin] pin_hash)\n";
  if (const ServicePoint* sp = c.find_service_point(c.service_point); sp && sp->hours.empty())
    std::cerr << "warning: " << c.config_path << ": service point \"" << c.service_point
              << "\" has no opening hours (hours in its service-points.toml): the kiosk never sleeps, and the hub "
                 "counts every hour as opening time when it flags a kiosk that has gone quiet\n";
  if (!c.sync.hub_url.empty())
    if (auto st = check_hub_url(c.sync.hub_url, c.sync.insecure_http, "[sync] hub_url"); !st)
      std::cerr << "warning: " << c.config_path << ": " << st.message() << "\n";
}

// An XForm (.xml), as a kiosk enrolled with an OpenRosa server would read it.
Result<Survey> validate_xform(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::Config, path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto f = openrosa::import_xform(text.str(), path);
  if (!f) return f.error();
  std::cout << "an XForm: form \"" << f->binding.form_id << "\" version " << f->binding.version << ", "
            << (f->binding.key ? "encrypted to key " + f->binding.key->id()
                               : std::string("NOT encrypted: a kiosk refuses it until the project's encryption is "
                                             "on (ODK Central: Project Settings, Encryption)"))
            << "\n";
  for (const auto& w : f->warnings) std::cerr << "warning: " << w << "\n";
  return std::move(f->survey);
}

int cmd_validate(const Args& a) {
  if (a.positional.size() != 1) return fail("usage: kiosk-admin validate FILE", 2);
  const bool xform = a.positional[0].size() > 4 && a.positional[0].substr(a.positional[0].size() - 4) == ".xml";
  auto s = xform ? validate_xform(a.positional[0]) : load_survey_file(a.positional[0]);
  if (!s) return fail(s.message());
  size_t conditional = 0;
  for (const auto& q : s->questions) conditional += q.show_if ? 1 : 0;
  std::cout << "ok: " << a.positional[0] << ": survey \"" << s->id << "\" version " << s->version << ", "
            << s->sections.size() << " sections, " << s->questions.size() << " questions (" << conditional
            << " shown only under conditions), locales:";
  for (const auto& l : s->locales) std::cout << ' ' << l;
  std::cout << ", takes about " << s->minutes << (s->minutes == 1 ? " minute" : " minutes")
            << (s->minutes_stated ? " (its `minutes`)" : " (from its words at a 70-year-old's pace)") << "\n";
  // The paths through it, and each rule in words, as the officer reads the survey.
  const PathLengths paths = path_lengths(*s);
  std::cout << "  a visitor is asked " << paths.shortest;
  if (paths.longest != paths.shortest) std::cout << " to " << paths.longest;
  std::cout << (paths.longest == 1 ? " question" : " questions") << (paths.exact ? "" : " (from a sample of the paths)")
            << "\n";
  for (const auto& m : s->matrices) {
    std::cout << "  " << m.id << " is a matrix: " << m.items.size() << (m.items.size() == 1 ? " item" : " items")
              << " on one screen (";
    for (std::size_t i = 0; i < m.items.size(); ++i) std::cout << (i ? ", " : "") << s->questions[m.items[i]].id;
    std::cout << ")\n";
  }
  for (const auto& q : s->questions) {
    const Matrix* m = s->matrix_of(q);
    if (q.show_if && (!m || m->items.front() == q.index))
      std::cout << "  " << (m ? m->id + " (its every item)" : q.id) << " is asked only if "
                << describe_rule(*s, *q.show_if, s->default_locale) << "\n";
  }
  // Untranslated texts fall back to the default locale: the survey still runs,
  // so this is a warning, with every key a translator still has to write.
  for (const auto& [locale, keys] : s->missing_translations) {
    if (keys.empty() || xform) continue;  // an XForm's texts are its own itext's (its title has one language)
    std::cerr << "warning: " << a.positional[0] << ": " << keys.size() << (keys.size() == 1 ? " text" : " texts")
              << " not translated into \"" << locale << "\" (shown in \"" << s->default_locale
              << "\" instead; write them in " << survey_translation_path(a.positional[0], locale) << "):\n";
    for (const auto& k : keys) std::cerr << "  " << k << "\n";
  }
  std::string population = a.opts.count("population") ? a.opts.at("population") : std::string();
  if (auto it = a.opts.find("config"); it != a.opts.end() || std::getenv("KIOSK_CONFIG")) {
    if (auto c = load_config(find_config_file(it != a.opts.end() ? it->second : std::string())); c) {
      config_warnings(*c, s->locales);
      if (population.empty()) population = c->population_path;
    }
  }
  if (!population.empty()) {
    auto pop = load_population(population, *s);
    if (!pop) return fail(pop.message());
    std::cout << "ok: " << population << ": population benchmarks for " << pop->area << ":";
    for (const auto& b : pop->benchmarks)
      std::cout << ' ' << b.question << " (" << b.name << ", " << b.table << ' ' << b.year << ')';
    if (!pop->weight_by.empty()) {
      std::cout << "; weights raked to";
      for (const auto& w : pop->weight_by) std::cout << ' ' << w;
    }
    std::cout << "\n";
  }
  return validate_catalogues(a, *s) ? 0 : 1;
}

int cmd_import(const Args& a) {
  if (a.positional.size() != 1 || !a.opts.count("out"))
    return fail("usage: kiosk-admin import FORM.xlsx --out DIR", kUsageError);
  const std::string& form = a.positional[0];
  auto imported = xlsform::import_xlsx(form);
  if (!imported) return fail(imported.message());
  for (const auto& w : imported->warnings) std::cerr << "warning: " << w << "\n";
  const std::string header = "Imported from " + std::filesystem::path(form).filename().string() +
                             " (an XLSForm) by kiosk-admin import. Format: kiosk-config/README.md.\n"
                             "Edit the workbook and import it again, or edit this file and check it with "
                             "kiosk-admin validate.";
  auto def = xlsform::to_definition(imported->survey, header);
  auto path = xlsform::write_definition(*imported, def, a.opts.at("out"), form);
  if (!path) return fail(path.message());
  std::cout << "Imported " << form << " into " << *path;
  for (const auto& [locale, _] : def.translations) std::cout << ", " << survey_translation_path(*path, locale);
  std::cout << "\n";
  Args check = a;
  check.positional = {*path};
  return cmd_validate(check);
}

int cmd_export_xlsform(const Args& a) {
  if (a.positional.size() != 1 || !a.opts.count("out"))
    return fail("usage: kiosk-admin export-xlsform SURVEY.toml --out FORM.xlsx", kUsageError);
  auto s = load_survey_file(a.positional[0]);
  if (!s) return fail(s.message());
  const std::string& out = a.opts.at("out");
  if (auto st = xlsform::export_xlsx(*s, out); !st) return fail(st.message());
  // What an officer will import next time must be this survey: read it back.
  auto back = xlsform::import_xlsx(out);
  if (!back) return fail("wrote " + out + ", but it does not import again: " + back.message());
  if (auto d = xlsform::differences(*s, back->survey); !d.empty()) {
    std::string all;
    for (const auto& x : d) all += "\n  " + x;
    return fail("wrote " + out + ", but importing it gives a different survey:" + all);
  }
  std::cout << "Wrote " << out << ": survey \"" << s->id << "\" version " << s->version << ", " << s->questions.size()
            << " questions, in " << s->locales.size() << (s->locales.size() == 1 ? " language" : " languages")
            << ". Imported again, it gives the same survey.\n";
  return 0;
}

int cmd_export_xform(const Args& a) {
  if (a.positional.size() != 1 || !a.opts.count("out"))
    return fail("usage: kiosk-admin export-xform SURVEY.toml --out FORM.xml", kUsageError);
  auto s = load_survey_file(a.positional[0]);
  if (!s) return fail(s.message());
  const std::string& out = a.opts.at("out");
  const std::string xml = openrosa::to_xform(*s);
  // What a kiosk will pull from the server must be this survey: read it back first.
  auto back = openrosa::import_xform(xml, out);
  if (!back) return fail("the XForm of " + a.positional[0] + " does not read back: " + back.message());
  if (auto d = xlsform::differences(*s, back->survey); !d.empty()) {
    std::string all;
    for (const auto& x : d) all += "\n  " + x;
    return fail("the XForm of " + a.positional[0] + " reads back as a different survey:" + all);
  }
  if (auto st = sync::write_file_whole(out, xml, "the form"); !st) return fail(st.message());
  std::cout << "Wrote " << out << ": form \"" << s->id << "\" version " << s->version << ", " << s->questions.size()
            << " questions, in " << s->locales.size() << (s->locales.size() == 1 ? " language" : " languages")
            << ". Read back, it gives the same survey. Publish it on the server with the project's encryption on.\n";
  return 0;
}

// The kiosk program draws the preview: the one beside this program (as
// installed, or in the build tree), else the one on the PATH.
int cmd_preview(const Args& a) {
  if (a.positional.size() != 1 || !a.opts.count("out"))
    return fail("usage: kiosk-admin preview SURVEY.toml --out DIR", kUsageError);
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string kiosk = "kiosk";
  for (const char* rel : {"kiosk", "ui/kiosk"})
    if (!ec && access((self.parent_path() / rel).c_str(), X_OK) == 0) {
      kiosk = (self.parent_path() / rel).string();
      break;
    }
  std::vector<std::string> args = {kiosk, "--preview", a.positional[0], "--out", a.opts.at("out")};
  if (auto it = a.opts.find("config"); it != a.opts.end()) args.insert(args.end(), {"--config", it->second});
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, kiosk.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
    return fail("the preview needs the kiosk program (" + kiosk +
                "), which is not installed here: install the library-kiosk package, or build with the kiosk");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return fail("the kiosk program stopped with signal " + std::to_string(WTERMSIG(status)) +
              " while drawing the preview");
}

std::string human_bytes(std::int64_t b) {
  char buf[64];
  if (b >= 1 << 30)
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(b) / (1 << 30));
  else if (b >= 1 << 20)
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(b) / 1024.0);
  return buf;
}

int cmd_status(Context& ctx) {
  if (auto c = ctx.config(); c) {
    auto survey = load_survey_file((*c)->survey_path);
    config_warnings(**c, survey ? survey->locales : std::vector<std::string>{});
  }
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st && st.kind() == ErrorKind::NotFound && !ctx.opt("db")) {
    // The configured database of a kiosk just installed does not exist until it
    // collects something: that is a state, not a failure. A --db given by hand
    // that is not there is a mistake, and is reported as one.
    std::cout << "database:     " << *ctx.db_path() << " (not created yet: nothing collected)\n";
    return 0;
  }
  if (!st) return fail(st.message());
  auto c = (*st)->counts();
  if (!c) return fail(c.message());
  std::cout << "database:     " << (*st)->path() << " (" << human_bytes(c->file_bytes) << ")\n";
  std::cout << "completed:    " << c->completed << "\n";
  std::cout << "in progress:  " << c->in_progress << "\n";
  std::cout << "abandoned:    " << c->abandoned << "\n";
  std::cout << "pending sync: " << c->pending;
  if (c->pending) std::cout << " (oldest completed " << c->oldest_pending_utc << ")";
  std::cout << "\nsynced:       " << c->synced;
  if (c->synced) std::cout << " (last receipt " << c->last_synced_utc << ")";
  std::cout << "\nconflicts:    " << c->conflict << "\n";
  return 0;
}

// A day as YYYY-MM-DD, at 00:00 UTC.
std::optional<std::int64_t> parse_day(const std::string& s) {
  std::tm tm{};
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
    return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  return static_cast<std::int64_t>(timegm(&tm));
}

int cmd_simulate(Context& ctx) {
  const auto* n = ctx.opt("responses");
  if (!n) return fail("usage: kiosk-admin simulate --responses N [--seed S] [--skew Q.OPTION=F,...] [--db FILE]", 2);
  SimulateOptions o;
  o.abandoned_share = 0.07;
  try {
    o.responses = std::stoll(*n);
    if (const auto* s = ctx.opt("seed")) o.seed = std::stoull(*s);
    if (const auto* a = ctx.opt("abandoned")) o.abandoned_share = std::stod(*a);
  } catch (const std::exception&) {
    return fail("--responses and --seed take whole numbers, --abandoned a share from 0 to 1", 2);
  }
  if (o.responses < 0) return fail("--responses must not be negative", 2);
  if (!(o.abandoned_share >= 0 && o.abandoned_share <= 1)) return fail("--abandoned takes a share from 0 to 1", 2);
  for (const char* k : {"from", "to"})
    if (const auto* d = ctx.opt(k)) {
      const auto t = parse_day(*d);
      if (!t) return fail(std::string("--") + k + ": \"" + *d + "\" is not a day as YYYY-MM-DD", 2);
      (std::string(k) == "from" ? o.start_unix : o.end_unix) = *t + (std::string(k) == "to" ? 86400 : 0);
    }
  if (o.end_unix <= o.start_unix) return fail("--to must not be before --from", 2);
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  if (auto cfg = ctx.config(); cfg) {
    o.kiosk_id = (*cfg)->kiosk_id;
    // A kiosk stands at one service point: its rehearsal data does too, in
    // that place's opening hours, from the staff who work there.
    o.service_points = {(*cfg)->service_point};
    if (const auto* sp = (*cfg)->find_service_point((*cfg)->service_point)) o.hours = sp->opening;
    o.staff_ids.clear();
    for (const auto& m : (*cfg)->staff) o.staff_ids.push_back(m.id);
  }
  if (const auto* k = ctx.opt("kiosk-id")) o.kiosk_id = *k;
  if (const auto* sp = ctx.opt("service-point")) {
    o.service_points = {*sp};
    if (auto cfg = ctx.config(); cfg)
      if (const auto* p = (*cfg)->find_service_point(*sp)) o.hours = p->opening;
  }
  auto pop = ctx.population();
  if (!pop) return fail(pop.message());
  if (*pop) o.population = &**pop;
  if (const auto* sk = ctx.opt("skew")) {
    if (!o.population) return fail("--skew needs population benchmarks: give --population FILE", 2);
    auto skew = parse_skew(*sk, *o.population);
    if (!skew) return fail(skew.message(), 2);
    o.skew = std::move(skew).value();
  }
  auto st = ctx.store(db::OpenMode::Create, true);
  if (!st) return fail(st.message());
  std::int64_t left = 0;
  auto done = simulate_into(**st, **survey, o, &left);
  if (!done) return fail(done.message());
  std::cout << "added " << *done << " simulated responses (" << (*done - left) << " completed, " << left
            << " left part way) to " << (*st)->path() << " (at " << o.service_points[0]
            << (o.hours.always_open() ? "" : ", in its opening hours")
            << (o.population ? ", respondents drawn from " + o.population->path : std::string()) << ")\n";
  return 0;
}

int cmd_export(Context& ctx) {
  const auto* fmt = ctx.opt("format");
  const auto* out = ctx.opt("out");
  if (!out) return fail("usage: kiosk-admin export [--format sealed|codebook] --out DIR|FILE", 2);
  const std::string format = fmt ? *fmt : "sealed";
  if (format == "csv" || format == "jsonl")
    return fail(
        "responses are kept sealed on the kiosk, so they leave it sealed: `kiosk-admin export --out DIR` "
        "writes them, and `kiosk-admin open --key SECRET_KEY DIR --out OUT_DIR` on the council's computer "
        "turns them into CSV and JSON Lines",
        2);
  if (format != "sealed" && format != "codebook")
    return fail("unknown format \"" + format + "\" (sealed or codebook)", 2);
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  if (format == "codebook") {
    if (auto s = export_codebook(**survey, *out); !s) return fail(s.message());
    if (*out != "-")
      std::cerr << "wrote the codebook of " << (*survey)->questions.size() << " questions to " << *out << "\n";
    return 0;
  }
  if (*out == "-") return fail("a sealed export is a folder: give --out DIR", 2);
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  std::string kiosk_id;
  if (auto c = ctx.config(); c) kiosk_id = (*c)->kiosk_id;
  auto e = export_sealed(**st, **survey, kiosk_id, *out, format_utc(SystemClock{}.now()));
  if (!e) return fail(e.message());
  std::string keys;
  for (const auto& k : e->key_ids) keys += (keys.empty() ? "" : ", ") + k;
  std::cerr << "wrote " << e->responses << " sealed responses to " << *out
            << (keys.empty() ? std::string() : " (sealed to key " + keys + ")")
            << "; the council opens them with kiosk-admin open --key SECRET_KEY " << *out << " --out OUT_DIR\n";
  return 0;
}

int cmd_open(const Args& a) {
  const auto* out = a.opts.count("out") ? &a.opts.at("out") : nullptr;
  if (a.positional.size() != 1 || !out || a.key_files.empty())
    return fail("usage: kiosk-admin open --key FILE [--key FILE...] IN_DIR --out OUT_DIR", 2);
  if (auto st = crypto_init(); !st) return fail(st.message());
  SealKeyring keys;
  for (const auto& f : a.key_files) {
    std::FILE* fp = std::fopen(f.c_str(), "rb");
    if (!fp) return fail(f + ": cannot read the secret key file (" + std::strerror(errno) + ")");
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, fp)) > 0) text.append(buf, n);
    std::fclose(fp);
    auto k = parse_secret_key(text, f);
    std::fill(text.begin(), text.end(), '\0');
    if (!k) return fail(k.message());
    keys.add(std::move(k).value());
  }
  auto o = open_sealed_export(a.positional[0], keys, *out);
  if (!o) return fail(o.message());
  std::cout << "opened " << o->responses << " responses of survey " << o->survey_id << " into " << *out
            << ": responses.csv, responses.jsonl, codebook.csv\n";
  return 0;
}

// --cap C: weights kept within 1/C and C times the mean.
bool read_cap(Context& ctx, RakeOptions& rake) {
  const auto* c = ctx.opt("cap");
  if (!c) return true;
  char* end = nullptr;
  rake.cap = std::strtod(c->c_str(), &end);
  return !c->empty() && !*end && rake.cap > 1 && rake.cap <= 100;
}

// On opened responses (DIR): the results per question. On the kiosk's own
// database: how many responses, per service point, and nothing of their
// answers, which are sealed and never counted on the kiosk.
int cmd_summary(Context& ctx, const Args& a) {
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  if (a.positional.size() == 1) {
    auto pop = ctx.population();
    if (!pop) return fail(pop.message());
    RakeOptions opt;
    if (!read_cap(ctx, opt))
      return fail("--cap takes a number above 1 and at most 100 (weights are kept within 1/cap and cap)", 2);
    const std::string weights = ctx.opt("weights") ? *ctx.opt("weights") : std::string();
    return cli::summary(a.positional[0], **survey, *pop ? &**pop : nullptr, opt, weights);
  }
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  auto s = summarise(**st, **survey, (*survey)->default_locale);
  if (!s) return fail(s.message());
  std::cout << "Completed responses on this kiosk: " << s->overall.responses << "\n";
  for (const auto& [sp, t] : s->by_service_point) std::cout << "  " << sp << ": " << t.responses << "\n";
  std::cout << "The answers are sealed, and the kiosk keeps no count of them. For results, open an export on the "
               "council's computer and run `kiosk-admin summary DIR` (or `represent DIR`) on what it wrote, or read "
               "them at the hub.\n";
  return 0;
}

int cmd_represent(Context& ctx, const Args& a) {
  if (a.positional.size() != 1)
    return fail("usage: kiosk-admin represent DIR [--csv FILE] [--population FILE] [--survey FILE]", 2);
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  auto pop = ctx.population();
  if (!pop) return fail(pop.message());
  if (!*pop)
    return fail(
        "no population benchmarks: give --population FILE, or [kiosk] population in kiosk.toml "
        "(kiosk-config/README.md, \"Population benchmarks\")");
  const std::string csv = ctx.opt("csv") ? *ctx.opt("csv") : std::string();
  return cli::represent(a.positional[0], **survey, **pop, csv);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const auto comma = std::min(s.find(',', pos), s.size());
    if (comma > pos) out.push_back(s.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

// --threshold N (1 to 1000) when given; false when it does not read.
bool read_threshold(Context& ctx, int& threshold) {
  if (const auto* t = ctx.opt("threshold")) {
    char* end = nullptr;
    const long v = std::strtol(t->c_str(), &end, 10);
    if (t->empty() || *end || v < 1 || v > 1000) return false;
    threshold = static_cast<int>(v);
  }
  return true;
}

int cmd_breakdown(Context& ctx, const Args& a) {
  if (a.positional.size() != 1)
    return fail("usage: kiosk-admin breakdown DIR [--by Q,...] [--question Q,...] [--threshold N] [--csv FILE]", 2);
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  cli::BreakdownOptions o;
  auto pop = ctx.population();
  if (!pop) return fail(pop.message());
  if (*pop)
    for (const auto& bm : (*pop)->benchmarks) o.names[bm.question] = bm.name;
  if (const auto* b = ctx.opt("by")) {
    o.by = split_list(*b);
  } else {
    o.by = {"service_point"};
    if (*pop)
      for (const auto& bm : (*pop)->benchmarks) o.by.push_back(bm.question);
  }
  if (const auto* q = ctx.opt("question")) o.questions = split_list(*q);
  if (!read_threshold(ctx, o.threshold)) return fail("--threshold takes a whole number from 1 to 1000", 2);
  if (const auto* c = ctx.opt("csv")) o.csv_path = *c;
  return cli::breakdown(a.positional[0], **survey, o);
}

// What a file written from opened responses needs: the population (weights
// when it names margins), --cap, the service points' names. Not 0: the
// exit code, the problem said.
int opened_file_options(Context& ctx, cli::OpenedFileOptions& o, std::optional<Population>& pop_holder) {
  auto pop = ctx.population();
  if (!pop) return fail(pop.message());
  if (*pop) {
    pop_holder = **pop;
    o.population = &*pop_holder;
  }
  if (!read_cap(ctx, o.rake)) return fail("--cap takes a number above 1 and at most 100", 2);
  if (auto cfg = ctx.config(); cfg)
    for (const auto& sp : (*cfg)->service_points) o.service_point_names[sp.id] = sp.name;
  return 0;
}

// spss and workbook: a file from opened responses, weighted when the population names margins.
int cmd_opened_file(Context& ctx, const Args& a, const char* name,
                    int (*write)(const std::string&, const Survey&, const cli::OpenedFileOptions&)) {
  const auto* out = ctx.opt("out");
  if (a.positional.size() != 1 || !out) return fail(std::string("usage: kiosk-admin ") + name + " DIR --out FILE", 2);
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  cli::OpenedFileOptions o;
  std::optional<Population> pop;
  if (const int rc = opened_file_options(ctx, o, pop)) return rc;
  o.out = *out;
  return write(a.positional[0], **survey, o);
}

int cmd_report(Context& ctx, const Args& a) {
  const auto* pdf = ctx.opt("pdf");
  const auto* html = ctx.opt("html");
  if (a.positional.size() != 1 || (!pdf && !html))
    return fail("usage: kiosk-admin report DIR --pdf FILE [--html FILE] [--threshold N] [--cap C] [--comments N|all]",
                2);
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  cli::ReportOptions o;
  std::optional<Population> pop;
  if (const int rc = opened_file_options(ctx, o.file, pop)) return rc;
  if (pdf) o.pdf = *pdf;
  if (html) o.html = *html;
  if (!read_threshold(ctx, o.threshold)) return fail("--threshold takes a whole number from 1 to 1000", 2);
  if (const auto* c = ctx.opt("comments")) {
    char* end = nullptr;
    const long v = std::strtol(c->c_str(), &end, 10);
    if (*c == "all")
      o.comments = -1;
    else if (c->empty() || *end || v < 0)
      return fail("--comments takes a whole number (0: none), or all", 2);
    else
      o.comments = v;
  }
  return cli::report(a.positional[0], **survey, o);
}

int cmd_comments(Context& ctx, const Args& a) {
  if (a.positional.size() != 1) return fail("usage: kiosk-admin comments DIR", 2);
  auto survey = ctx.survey();
  if (!survey) return fail(survey.message());
  return cli::comments(a.positional[0], **survey);
}

int cmd_verify(Context& ctx) {
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  auto r = (*st)->verify();
  if (!r) return fail(r.message());
  std::cout << "integrity check: " << r->integrity << "\n";
  std::cout << "completed responses re-hashed: " << r->checked << "\n";
  for (const auto& p : r->problems) std::cout << "problem: " << p << "\n";
  std::cout << (r->ok() ? "verify: ok\n" : "verify: FAILED\n");
  return r->ok() ? 0 : 1;
}

int cmd_backup(Context& ctx) {
  const auto* out = ctx.opt("out");
  if (!out) return fail("usage: kiosk-admin backup --out FILE", 2);
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  if (auto s = (*st)->backup_to(*out); !s) return fail(s.message());
  std::cerr << "backed up " << (*st)->path() << " to " << *out << "\n";
  return 0;
}

int cmd_hash_pin() {
  if (isatty(STDIN_FILENO)) std::cerr << "PIN (4 to 12 digits): ";
  std::string pin;
  std::getline(std::cin, pin);
  if (pin.size() < 4 || pin.size() > 12 || pin.find_first_not_of("0123456789") != std::string::npos)
    return fail("a PIN is 4 to 12 digits", 2);
  // The first PINs anyone tries on a kiosk: the README's demonstration PINs,
  // one digit repeated, a run up or down the keypad.
  bool same = true, up = true, down = true;
  for (size_t i = 1; i < pin.size(); ++i) {
    same = same && pin[i] == pin[0];
    up = up && pin[i] == pin[i - 1] + 1;
    down = down && pin[i] == pin[i - 1] - 1;
  }
  if (pin == "1234" || pin == "9999" || same || up || down)
    return fail(
        "that PIN is among the first anyone would try (the README's demonstration PINs, one digit repeated, "
        "or a run such as 1234 or 4321): choose another",
        2);
  if (auto s = crypto_init(); !s) return fail(s.message());
  auto h = hash_pin(pin);
  if (!h) return fail(h.message());
  std::cout << *h << "\n";
  return 0;
}

volatile std::sig_atomic_t g_stop = 0;
void on_stop(int) { g_stop = 1; }

int run_sync_worker(const sync::SyncSettings& set, const std::string& path, int interval, int heartbeat);

// kiosk-admin sync for a kiosk enrolled with an OpenRosa server.
int cmd_sync_openrosa(Context& ctx, sync::SyncSettings set, int interval, int heartbeat) {
  if (ctx.opt("insecure-http")) set.insecure_http = true;
  if (auto st = check_hub_url(set.server_url, set.insecure_http, "kiosk.toml [sync] server_url"); !st)
    return fail(sync::redacted_url(st.message()));
  auto path = ctx.db_path();
  if (!path) return fail(path.message());
  if (!ctx.opt("once")) return run_sync_worker(set, *path, interval, heartbeat);
  auto st = Store::open(*path, db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  sync::OpenRosaClient client(sync::openrosa_settings(set));
  const auto o = client.upload_all(**st);
  auto c = (*st)->counts();
  if (!c) return fail(c.message());
  std::cout << "sent " << o.sent << " to the OpenRosa server " << sync::redacted_url(set.server_url) << ": received "
            << o.stored << ", conflicts " << o.conflicts << ", held " << o.held << "\n";
  std::cout << "pending now: " << c->pending << ", synced: " << c->synced << ", conflicts: " << c->conflict << "\n";
  if (c->pending == 0 && c->conflict == 0) return 0;
  if (c->pending > 0)
    std::cerr << "kiosk-admin: sync: " << c->pending << " responses left pending: "
              << (o.message.empty() ? std::string("the pass ended before sending them") : o.message) << "\n";
  if (c->conflict > 0)
    std::cerr << "kiosk-admin: sync: " << c->conflict
              << " responses the server holds other bytes for wait for an admin: see kiosk-admin conflicts\n";
  if (c->pending > 0) {
    if (o.kind == sync::BatchOutcome::Kind::AuthFailed) return kSyncTokenRefused;
    if (o.kind != sync::BatchOutcome::Kind::Held) return kSyncLeftPending;
    return kSyncHeld;
  }
  return kSyncConflicts;
}

int cmd_sync(Context& ctx) {
  sync::SyncSettings set;
  int interval = 60, heartbeat = 300;
  auto cfg = ctx.config();
  if (cfg) {
    set = sync::settings_from(**cfg);
    interval = (*cfg)->sync.interval_seconds;
    heartbeat = (*cfg)->sync.heartbeat_seconds;
  } else if (!ctx.opt("hub") || !ctx.opt("db")) {
    return fail(cfg.message() + "\n(or give --hub URL --token TOKEN --db FILE)");
  }
  if (set.openrosa() && !ctx.opt("hub")) return cmd_sync_openrosa(ctx, set, interval, heartbeat);
  if (const auto* h = ctx.opt("hub")) set.hub_url = *h;
  if (const auto* t = ctx.opt("token")) set.token = *t;
  if (const auto* b = ctx.opt("batch-size")) set.batch_size = std::max(1, std::atoi(b->c_str()));
  if (const char* env = std::getenv("KIOSK_HUB_TOKEN"); env && *env && !ctx.opt("token")) set.token = env;
  if (set.hub_url.empty()) return fail("no hub: give --hub URL or set [sync] hub_url in kiosk.toml", 2);
  if (set.token.empty())
    return fail("no token: give --token TOKEN, set KIOSK_HUB_TOKEN, or [sync] token in kiosk.toml", 2);
  if (ctx.opt("insecure-http")) set.insecure_http = true;
  if (auto st = check_hub_url(set.hub_url, set.insecure_http, ctx.opt("hub") ? "--hub" : "kiosk.toml [sync] hub_url");
      !st)
    return fail(st.message());
  auto path = ctx.db_path();
  if (!path) return fail(path.message());

  if (ctx.opt("once")) {
    auto st = Store::open(*path, db::OpenMode::ReadWrite);
    if (!st) return fail(st.message());
    sync::SyncClient client(set, **st);
    auto o = client.upload_all();
    const auto hb = client.send_heartbeat(o.ok() ? "" : o.message);
    if (o.ok() && hb.kind == sync::BatchOutcome::Kind::AuthFailed) o = hb;
    auto c = (*st)->counts();
    if (!c) return fail(c.message());
    std::cout << "sent " << o.sent << ": stored " << o.stored << ", already at the hub " << o.duplicates
              << ", conflicts " << o.conflicts << ", rejected " << o.rejected << ", held " << o.held << "\n";
    std::cout << "pending now: " << c->pending << ", synced: " << c->synced << ", conflicts: " << c->conflict << "\n";
    // What this pass learnt of the line, as the admin area says it.
    if (const auto line = client.line(); line.too_slow_for_one)
      std::cerr << "kiosk-admin: sync: the line to the hub is too slow to carry even one response before the hub "
                   "gives up; nothing is lost: ask council IT to check the kiosk's connection\n";
    else if (line.slow())
      std::cout << "the line to the hub is slow (about " << static_cast<long long>(line.bytes_per_second / 1024)
                << " kB a second): sending " << line.batch_size << " responses at a time\n";
    if (c->pending == 0 && c->conflict == 0) return 0;
    // What is left, and why, in words; the exit code says which for scripts.
    if (c->pending > 0)
      std::cerr << "kiosk-admin: sync: " << c->pending << " responses left pending: "
                << (o.message.empty() ? std::string("the pass ended before sending them") : o.message) << "\n";
    if (c->conflict > 0)
      std::cerr << "kiosk-admin: sync: " << c->conflict
                << " responses the hub would not take for their content wait for an admin: see kiosk-admin "
                   "conflicts, then kiosk-admin requeue UUID|--all once resolved at the hub\n";
    if (c->pending > 0) {
      if (o.kind == sync::BatchOutcome::Kind::AuthFailed) return kSyncTokenRefused;
      if (o.kind != sync::BatchOutcome::Kind::Held) return kSyncLeftPending;
      return kSyncHeld;
    }
    return kSyncConflicts;
  }
  return run_sync_worker(set, *path, interval, heartbeat);
}

// Until Ctrl-C or SIGTERM: the kiosk's own sync thread, its status printed as it changes.
int run_sync_worker(const sync::SyncSettings& set, const std::string& path, int interval, int heartbeat) {
  std::signal(SIGINT, on_stop);
  std::signal(SIGTERM, on_stop);
  sync::SyncWorker worker(set, path, interval, heartbeat);
  worker.start();
  auto line_of = [](const sync::SyncStatus& s) {
    return "pending " + std::to_string(s.pending) + ", synced " + std::to_string(s.synced) +
           (s.last_error.empty() ? "" : "; " + s.last_error);
  };
  const SystemClock clock;
  std::string last;
  while (!g_stop) {
    // Wakes as soon as the worker's status changes. The bound is how soon a
    // Ctrl-C is noticed: a signal handler cannot notify a condition variable.
    (void)worker.wait_status([&](const sync::SyncStatus& s) { return line_of(s) != last; },
                             std::chrono::milliseconds(500));
    const std::string line = line_of(worker.status());
    if (line != last) std::cout << format_utc(clock.now()) << " " << line << std::endl;
    last = line;
  }
  worker.stop();
  return 0;
}

int cmd_conflicts(Context& ctx) {
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  auto rows = (*st)->conflicts();
  if (!rows) return fail(rows.message());
  if (rows->empty()) {
    std::cout << "no conflicts: the hub (or OpenRosa server) has taken every response it was sent\n";
    return 0;
  }
  std::cout << "number\tuuid\tended\trefused\twhat the hub or server said\n";
  for (const auto& r : *rows)
    std::cout << (r.seq ? std::to_string(r.seq) : "-") << '\t' << r.uuid << '\t' << r.ended_utc << '\t'
              << (r.conflict_utc.empty() ? "-" : r.conflict_utc) << '\t' << r.detail << '\n';
  std::cout << rows->size() << " responses wait for an admin; once resolved at the hub, kiosk-admin requeue UUID "
            << "(or --all) sends them again\n";
  return 0;
}

int cmd_requeue(Context& ctx, const Args& a) {
  const bool every = ctx.opt("all") != nullptr;
  if (every == !a.positional.empty()) return fail("usage: kiosk-admin requeue UUID | kiosk-admin requeue --all", 2);
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  auto n = (*st)->requeue(every ? std::string() : a.positional[0]);
  if (!n) return fail(n.message());
  if (!every && *n == 0)
    return fail("no conflicted response has the uuid " + a.positional[0] + " (kiosk-admin conflicts)");
  std::cout << "requeued " << *n << " responses: the next sync sends them again\n";
  return 0;
}

int cmd_close_unfinished(Context& ctx) {
  auto st = ctx.store(db::OpenMode::ReadWrite);
  if (!st) return fail(st.message());
  auto n = (*st)->close_unfinished(format_utc(SystemClock{}.now()));
  if (!n) return fail(n.message());
  std::cout << "closed " << *n << " unfinished responses as abandoned\n";
  return 0;
}

}  // namespace

// Checked before written: a token the hub refuses, or a hub that does not
// answer, never reaches kiosk.toml.
// With an OpenRosa server: the same promise, checked the same way before
// anything is written.
int cmd_enrol_openrosa(Context& ctx, const std::string& url) {
  const auto* form_id = ctx.opt("form");
  if (!form_id || form_id->empty())
    return fail("enrol --openrosa URL needs --form FORM_ID (the form's id on the server)", kUsageError);
  const auto* given = ctx.opt("config");
  const std::string path = find_config_file(given ? *given : std::string());
  auto cfg = load_config(path);
  if (!cfg) return fail(cfg.message());
  sync::SyncSettings set = sync::settings_from(*cfg);
  set.protocol = "openrosa";
  set.server_url = url;
  set.form_id = *form_id;
  set.insecure_http = ctx.opt("insecure-http") != nullptr;
  const std::string server = sync::redacted_url(url);
  if (auto st = check_hub_url(url, set.insecure_http, "--openrosa"); !st)
    return fail(sync::redacted_url(st.message()) + "\n" + path + " is unchanged.");
  if (const auto* ca = ctx.opt("ca")) {
    std::error_code ec;
    set.ca_file = std::filesystem::absolute(*ca, ec).string();
    if (!std::filesystem::is_regular_file(set.ca_file, ec)) return fail(*ca + ": no such CA certificate file");
  }
  // The form file goes where kiosk.toml will say, beside the database unless named.
  const std::string form_file =
      (std::filesystem::path(cfg->database_path).parent_path() / (*form_id + ".xml")).string();
  set.form_file = cfg->sync.form_id == *form_id ? cfg->sync.form_file : form_file;
  sync::OpenRosaClient client(sync::openrosa_settings(set));
  if (auto len = client.accept_content_length(); !len)
    return fail("the server at " + server + " " +
                    (len.kind() == ErrorKind::Auth ? "refused the token in the URL: "
                                                   : "did not answer as an OpenRosa server: ") +
                    len.message() + "\n" + path + " is unchanged.",
                len.kind() == ErrorKind::Auth ? kSyncTokenRefused : 1);
  if (auto st = ensure_parent_dir(set.form_file); !st) return fail(st.message());
  auto pulled = sync::pull_openrosa_form(client, set.form_file);
  if (!pulled)
    return fail("the server at " + server + " answered, but the form cannot be used here: " + pulled.message() + "\n" +
                    path + " is unchanged.",
                pulled.kind() == ErrorKind::Config ? kEnrolFormRefused : 1);
  SettingEdits edits = {{"protocol", "openrosa"}, {"server_url", url}, {"form_id", *form_id}, {"hub_url", ""}};
  if (set.form_file != form_file) edits.push_back({"form_file", set.form_file});
  if (!set.ca_file.empty()) edits.push_back({"ca_file", set.ca_file});
  if (set.insecure_http) edits.push_back({"insecure_http", "true", true});
  if (auto st = edit_config_file(path, "sync", edits); !st) return fail(st.message());
  auto form = openrosa::load_form_file(set.form_file);
  std::cout << "Enrolled: kiosk " << cfg->kiosk_id << " submits to the OpenRosa server " << server
            << " (it answered and accepted the token).\n";
  if (form)
    std::cout << "Form " << (*form)->binding.form_id << " version " << (*form)->binding.version << " (\""
              << (*form)->survey.text((*form)->survey.title, (*form)->survey.default_locale) << "\", "
              << (*form)->survey.questions.size() << " questions, languages " <<
        [&] {
          std::string l;
          for (const auto& x : (*form)->survey.locales) l += (l.empty() ? "" : ", ") + x;
          return l;
        }() << ") is written to "
              << set.form_file << "; its answers are encrypted to the form's key (key " << (*form)->binding.key->id()
              << ").\n";
  if (form)
    for (const auto& w : (*form)->warnings) std::cout << "  note: " << w << "\n";
  std::cout << "Written to " << path << ".\n"
            << "Not available with an OpenRosa server: the hub's ledger of response numbers, heartbeats, and who "
               "answered against who lives in the area (they need the council's hub).\n"
            << "Restart the kiosk to use it: systemctl restart library-kiosk\n";
  return 0;
}

int cmd_enrol(Context& ctx) {
  if (const auto* url = ctx.opt("openrosa"); url && !url->empty()) return cmd_enrol_openrosa(ctx, *url);
  const auto* hub = ctx.opt("hub");
  const auto* token = ctx.opt("token");
  if (!hub || hub->empty() || !token || token->empty())
    return fail("enrol needs --hub URL and --token TOKEN (from `kiosk-hub add-device`)", kUsageError);
  const auto* given = ctx.opt("config");
  const std::string path = find_config_file(given ? *given : std::string());
  auto cfg = load_config(path);
  if (!cfg) return fail(cfg.message());
  sync::SyncSettings set = sync::settings_from(*cfg);
  set.hub_url = *hub;
  set.token = *token;
  set.insecure_http = ctx.opt("insecure-http") != nullptr;
  if (auto st = check_hub_url(set.hub_url, set.insecure_http, "--hub"); !st)
    return fail(st.message() + "\n" + path + " is unchanged.");
  if (const auto* ca = ctx.opt("ca")) {
    std::error_code ec;
    set.ca_file = std::filesystem::absolute(*ca, ec).string();
    if (!std::filesystem::is_regular_file(set.ca_file, ec)) return fail(*ca + ": no such CA certificate file");
  }
  // The heartbeat proves the hub answers and takes the token. It reads
  // nothing from the kiosk's own database (a scratch one stands in), so
  // enrolling as root never creates a database the kiosk's user cannot write.
  char scratch[] = "/tmp/kiosk-enrol-XXXXXX";
  const int fd = mkstemp(scratch);
  if (fd < 0) return fail("cannot make a scratch file in /tmp");
  close(fd);
  int code = 0;
  {
    auto store = Store::open(scratch);
    if (!store) {
      std::remove(scratch);
      return fail(store.message());
    }
    sync::SyncClient client(set, **store);
    const auto hb = client.send_heartbeat("");
    if (hb.kind == sync::BatchOutcome::Kind::AuthFailed) {
      code = fail("the hub at " + set.hub_url + " refused the token: " + hb.message + "\n" + path + " is unchanged.",
                  kSyncTokenRefused);
    } else if (!hb.ok()) {
      code = fail("the hub at " + set.hub_url + " did not answer as a kiosk hub: " + hb.message + "\n" + path +
                  " is unchanged.");
    }
  }
  std::remove(scratch);
  for (const char* ext : {"-wal", "-shm"}) std::remove((std::string(scratch) + ext).c_str());
  if (code != 0) return code;
  // The council's public key: without it the kiosk saves no answer. The
  // hub sends it with the survey; a hub without one yet is not a reason to
  // refuse enrolment (the kiosk asks again by itself), but it is said.
  auto pulled = sync::pull_sealing_key(set);
  if (!pulled && pulled.kind() != ErrorKind::Config)
    return fail("the hub at " + set.hub_url + " answered, but its survey and key could not be fetched: " +
                pulled.message() + "\n" + path + " is unchanged.");
  SettingEdits edits = {{"hub_url", set.hub_url}, {"token", set.token}};
  if (!set.ca_file.empty()) edits.push_back({"ca_file", set.ca_file});
  if (set.insecure_http) edits.push_back({"insecure_http", "true", true});
  if (auto st = edit_config_file(path, "sync", edits); !st) return fail(st.message());
  std::cout << "Enrolled: kiosk " << cfg->kiosk_id << " syncs to " << set.hub_url
            << " (the hub answered and accepted the token).\nWritten to " << path << ".\n";
  if (!pulled) {
    std::cerr << "kiosk-admin: the kiosk cannot collect answers yet: " << pulled.message()
              << ".\nThe kiosk asks the hub for the key by itself, every minute, and starts once it has it.\n";
    return kEnrolNoKey;
  }
  std::cout << "The council's public key " << cfg->seal_public_key_file << " is written (from the hub).\n";
  // The survey the hub serves is the one the kiosk will run (it replaces
  // the bundled file on the kiosk's first pull): say when they differ.
  if (auto local = load_survey_file(cfg->survey_path); local) {
    if (auto remote = sync::survey_from_hub(*pulled); remote) {
      if (remote->id == local->id && remote->version == local->version)
        std::cout << "The hub serves survey " << remote->id << " version " << remote->version
                  << ", the same as this kiosk's " << cfg->survey_path << ".\n";
      else
        std::cout << "The hub serves survey " << remote->id << " version " << remote->version << "; this kiosk's "
                  << cfg->survey_path << " is " << local->id << " version " << local->version
                  << ". The kiosk runs the hub's from its first sync on.\n";
    }
  }
  std::cout << "Restart the kiosk to use it: systemctl restart library-kiosk\n";
  return 0;
}

int main(int argc, char** argv) {
  auto parsed = parse_args(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const Args* args = &std::get<Args>(parsed);
  Context ctx(*args);
  const std::string& c = args->command;
  if (c == "validate") return cmd_validate(*args);
  if (c == "import") return cmd_import(*args);
  if (c == "preview") return cmd_preview(*args);
  if (c == "export-xlsform") return cmd_export_xlsform(*args);
  if (c == "export-xform") return cmd_export_xform(*args);
  if (c == "status") return cmd_status(ctx);
  if (c == "simulate") return cmd_simulate(ctx);
  if (c == "export") return cmd_export(ctx);
  if (c == "open") return cmd_open(*args);
  if (c == "summary") return cmd_summary(ctx, *args);
  if (c == "represent") return cmd_represent(ctx, *args);
  if (c == "breakdown") return cmd_breakdown(ctx, *args);
  if (c == "comments") return cmd_comments(ctx, *args);
  if (c == "spss") return cmd_opened_file(ctx, *args, "spss", cli::spss);
  if (c == "workbook") return cmd_opened_file(ctx, *args, "workbook", cli::workbook);
  if (c == "report") return cmd_report(ctx, *args);
  if (c == "verify") return cmd_verify(ctx);
  if (c == "backup") return cmd_backup(ctx);
  if (c == "hash-pin") return cmd_hash_pin();
  if (c == "close-unfinished") return cmd_close_unfinished(ctx);
  if (c == "sync") return cmd_sync(ctx);
  if (c == "conflicts") return cmd_conflicts(ctx);
  if (c == "requeue") return cmd_requeue(ctx, *args);
  if (c == "enrol") return cmd_enrol(ctx);
  return fail("unknown command \"" + c + "\"", kUsageError);
}
