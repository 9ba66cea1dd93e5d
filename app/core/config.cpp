#include "kiosk/config.hpp"
#include "kiosk/locale.hpp"

#include <toml++/toml.h>

#include "toml_reader.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kiosk {
namespace fs = std::filesystem;

namespace {
// The deployment's words that can differ by language (postcode_example is a postcode).
constexpr std::string_view kTranslatableWords[] = {"council", "survey_topic", "venue", "information_title",
                                                   "staff_role"};

std::string* own_word(KioskConfig::Deployment& d, std::string_view name) {
  if (name == "council") return &d.council;
  if (name == "survey_topic") return &d.survey_topic;
  if (name == "venue") return &d.venue;
  if (name == "information_title") return &d.information_title;
  if (name == "staff_role") return &d.staff_role;
  if (name == "postcode_example") return &d.postcode_example;
  return nullptr;
}
const std::string* own_word(const KioskConfig::Deployment& d, std::string_view name) {
  return own_word(const_cast<KioskConfig::Deployment&>(d), name);
}

}  // namespace

const std::string& KioskConfig::Deployment::word(std::string_view name, std::string_view locale) const {
  for (const std::string& l : {std::string(locale), locale_language(locale)}) {
    if (auto it = translated.find(l); it != translated.end())
      if (auto w = it->second.find(std::string(name)); w != it->second.end()) return w->second;
  }
  static const std::string none;
  const std::string* own = own_word(*this, name);
  return own ? *own : none;
}

std::vector<std::string> KioskConfig::Deployment::untranslated(std::string_view locale) const {
  std::vector<std::string> out;
  for (auto name : kTranslatableWords) {
    const std::string* own = own_word(*this, name);
    if (own->empty()) continue;  // nothing said in any language
    if (&word(name, locale) == own) out.emplace_back(name);
  }
  return out;
}

const ServicePoint* KioskConfig::find_service_point(const std::string& id) const {
  for (const auto& sp : service_points)
    if (sp.id == id) return &sp;
  return nullptr;
}

std::string resolve_path(const std::string& p, const std::string& base_dir) {
  if (p.empty()) return p;
  if (p == "~" || p.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "") + p.substr(1);
  }
  if (p[0] == '/') return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

std::string find_config_file(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv("KIOSK_CONFIG"); env && *env) return env;
  std::error_code ec;
  if (fs::exists("kiosk-config/kiosk.toml", ec)) return "kiosk-config/kiosk.toml";
  return KIOSK_SYSCONFDIR "/kiosk.toml";
}

Status ensure_parent_dir(const std::string& file_path) {
  std::error_code ec;
  const auto dir = fs::path(file_path).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorKind::Storage, dir.string() + ": cannot create directory (" + ec.message() + ")");
  return {};
}

namespace {

using detail::ConfigError;
using detail::parse_file;
using detail::Reader;

void load_service_points(KioskConfig& c, const std::string& path) {
  const auto root = parse_file(path);
  Reader r(path);
  r.known(root, "", {"service_point"});
  const auto* arr = root["service_point"].as_array();
  if (!arr || arr->empty()) throw ConfigError{path + ": no [[service_point]] tables"};
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string p = "service_point[" + std::to_string(i) + "]";
    const auto* t = (*arr)[i].as_table();
    if (!t) r.fail((*arr)[i], p, "must be a table");
    r.known(*t, p, {"id", "name", "kind", "address", "page", "hours"});
    ServicePoint sp;
    sp.id = r.str(*t, p, "id", true);
    sp.name = r.str(*t, p, "name", true);
    sp.kind = r.str(*t, p, "kind", false);
    sp.address = r.str(*t, p, "address", false);
    sp.page = r.str(*t, p, "page", false);
    if (const auto* h = t->get("hours")) {
      const auto* ha = h->as_array();
      if (!ha) r.fail(*h, p + ".hours", "must be a list of lines such as \"Monday 9:30 to 17:00\"");
      for (const auto& line : *ha) {
        if (!line.as_string()) r.fail(line, p + ".hours", "must contain strings");
        sp.hours.push_back(line.as_string()->get());
      }
      auto parsed = parse_opening_hours(sp.hours);
      if (!parsed) r.fail(*h, p + ".hours", parsed.message());
      sp.opening = std::move(parsed).value();
    }
    if (c.find_service_point(sp.id)) r.fail(*t, p + ".id", "duplicate service point \"" + sp.id + "\"");
    c.service_points.push_back(std::move(sp));
  }
}

}  // namespace

Result<std::vector<ServicePoint>> load_service_points_file(const std::string& path) {
  try {
    KioskConfig c;
    load_service_points(c, path);
    return std::move(c.service_points);
  } catch (const ConfigError& e) {
    return make_error(ErrorKind::Config, e.message);
  }
}

Result<SealPublicKey> load_seal_public_key(const KioskConfig& cfg) {
  const std::string& path = cfg.seal_public_key_file;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    return make_error(ErrorKind::Config,
                      path + (exists ? ": the council's public key file cannot be read (permissions?)"
                                     : ": the council's public key file is missing (the hub sends it with the "
                                       "survey; or copy the council.pub from `kiosk-hub keygen` here)"));
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto k = parse_public_key(text, path);
  if (!k) return with_kind(k.error(), ErrorKind::Config);
  return k;
}

bool is_demonstration_pin_hash(const std::string& hash) {
  // kiosk-config/kiosk.toml's: 1234 (staff) and 9999 (admin).
  static const char* const demo[] = {
      "$argon2id$v=19$m=65536,t=2,p=1$HLXgT2Zl2rF5eKPEgiVPOQ$lzTnxPwTaJ09roljwAJwfTRbARN/LoVlVVY/G+ig01s",
      "$argon2id$v=19$m=65536,t=2,p=1$P4jbDEDapN5iJRfublFS5A$chCWBPtUK1sor8Ei4sV46wj7EhXsAF3K8LxZkZ2ufgw",
  };
  for (const char* d : demo)
    if (hash == d) return true;
  return false;
}

bool demo_pins_allowed() {
  const char* v = std::getenv("KIOSK_ALLOW_DEMO_PINS");
  return v && std::string(v) == "1";
}

Result<KioskConfig> load_config(const std::string& path) {
  try {
    KioskConfig c;
    c.config_path = path;
    const std::string dir = fs::absolute(fs::path(path)).parent_path().string();
    const auto root = parse_file(path);
    Reader r(path);
    r.known(root, "", {"kiosk", "sync", "sealing", "session", "staff", "admin", "deployment"});
    const auto* k = r.table(root, "kiosk");
    if (!k) throw ConfigError{path + ": [kiosk] table is missing"};
    r.known(*k, "kiosk",
            {"id", "name", "service_point", "survey", "database", "pages", "service_points", "locale", "locales",
             "population"});
    c.kiosk_id = r.str(*k, "kiosk", "id", true);
    c.kiosk_name = r.str(*k, "kiosk", "name", false, c.kiosk_id);
    c.service_point = r.str(*k, "kiosk", "service_point", true);
    c.survey_path = resolve_path(r.str(*k, "kiosk", "survey", true), dir);
    c.database_path =
        resolve_path(r.str(*k, "kiosk", "database", false, "~/.local/share/library-kiosk/" + c.kiosk_id + ".db"), dir);
    c.pages_dir = resolve_path(r.str(*k, "kiosk", "pages", false, "pages"), dir);
    if (k->get("population")) c.population_path = resolve_path(r.str(*k, "kiosk", "population", true), dir);
    c.default_locale = r.str(*k, "kiosk", "locale", false, "en");
    // Next to the survey's folder, as surveys/ and locales/ sit side by side in kiosk-config.
    // Without that folder (a survey kept elsewhere), the English built into the program.
    if (k->get("locales")) {
      c.locales_dir = resolve_path(r.str(*k, "kiosk", "locales", false), dir);
    } else {
      c.locales_dir = (fs::path(c.survey_path).parent_path().parent_path() / "locales").lexically_normal().string();
      std::error_code ec;
      if (!fs::is_directory(c.locales_dir, ec)) c.locales_dir.clear();
    }
    load_service_points(c, resolve_path(r.str(*k, "kiosk", "service_points", false, "service-points.toml"), dir));
    if (!c.find_service_point(c.service_point))
      r.fail(*k->get("service_point"), "kiosk.service_point",
             "\"" + c.service_point + "\" is not listed in the service points file");

    if (const auto* s = r.table(root, "sync")) {
      r.known(*s, "sync",
              {"hub_url", "token", "interval_seconds", "heartbeat_seconds", "batch_size", "retention_days",
               "connect_timeout_seconds", "stall_timeout_seconds", "ca_file", "insecure_http", "protocol", "server_url",
               "form_id", "form_file"});
      c.sync.protocol = r.str(*s, "sync", "protocol", false, "hub");
      if (c.sync.protocol != "hub" && c.sync.protocol != "openrosa")
        r.fail(*s->get("protocol"), "sync.protocol",
               "\"" + c.sync.protocol +
                   "\" is not a protocol the kiosk speaks: \"hub\" (our hub) or \"openrosa\" "
                   "(ODK Central, KoboToolbox)");
      c.sync.server_url = r.str(*s, "sync", "server_url", c.sync.protocol == "openrosa");
      c.sync.form_id = r.str(*s, "sync", "form_id", c.sync.protocol == "openrosa");
      c.sync.hub_url = r.str(*s, "sync", "hub_url", false);
      if (c.sync.protocol == "openrosa" && !c.sync.hub_url.empty())
        r.fail(*s->get("hub_url"), "sync.hub_url",
               "is for our hub; with protocol = \"openrosa\" the server's address is server_url");
      c.sync.token = r.str(*s, "sync", "token", false);
      c.sync.interval_seconds = r.integer(*s, "sync", "interval_seconds", 60, 5, 86400);
      c.sync.heartbeat_seconds = r.integer(*s, "sync", "heartbeat_seconds", 300, 10, 86400);
      c.sync.batch_size = r.integer(*s, "sync", "batch_size", 200, 1, 5000);
      c.sync.retention_days = r.integer(*s, "sync", "retention_days", -1, -1, 36500);
      c.sync.connect_timeout_seconds = r.integer(*s, "sync", "connect_timeout_seconds", 10, 1, 300);
      c.sync.stall_timeout_seconds = r.integer(*s, "sync", "stall_timeout_seconds", 30, 1, 600);
      c.sync.ca_file = resolve_path(r.str(*s, "sync", "ca_file", false), dir);
      c.sync.insecure_http = r.boolean(*s, "sync", "insecure_http", false);
    }
    if (const char* env = std::getenv("KIOSK_HUB_TOKEN"); env && *env) c.sync.token = env;

    if (const auto* d = r.table(root, "deployment")) {
      r.known(*d, "deployment",
              {"council", "survey_topic", "venue", "information_title", "staff_role", "postcode_example"});
      auto& dep = c.deployment;
      // Each word a string (every language), or a table by locale that holds
      // the kiosk's own language too.
      for (auto name : kTranslatableWords) {
        const auto* n = d->get(name);
        if (!n) continue;
        const std::string key_path = "deployment." + std::string(name);
        auto& own = *own_word(dep, name);
        if (const auto* v = n->as_string()) {
          own = v->get();
          continue;
        }
        const auto* t = n->as_table();
        if (!t)
          r.fail(*n, key_path, "must be a string, or a table of strings by locale ({ en = \"...\", pl = \"...\" })");
        bool has_own = false;
        for (const auto& [locale, text] : *t) {
          const auto* v = text.as_string();
          if (!v) r.fail(text, key_path + "." + std::string(locale.str()), "must be a string");
          if (!is_locale_tag(locale.str()))
            r.fail(text, key_path + "." + std::string(locale.str()), "is not a locale such as en, pl or ur");
          if (locale.str() == c.default_locale || locale.str() == locale_language(c.default_locale)) {
            own = v->get();
            has_own = true;
          } else {
            dep.translated[std::string(locale.str())][std::string(name)] = v->get();
          }
        }
        if (!has_own)
          r.fail(*n, key_path,
                 "has no text in \"" + c.default_locale + "\", the kiosk's own language ([kiosk] locale)");
      }
      dep.postcode_example = r.str(*d, "deployment", "postcode_example", false, dep.postcode_example);
    }

    c.seal_public_key_file = (fs::path(c.database_path).parent_path() / "council.pub").string();
    // The form pulled from an OpenRosa server, beside the database unless named.
    c.sync.form_file = (fs::path(c.database_path).parent_path() / (c.sync.form_id + ".xml")).string();
    if (const auto* s = r.table(root, "sync"))
      if (const auto f = r.str(*s, "sync", "form_file", false); !f.empty()) c.sync.form_file = resolve_path(f, dir);
    if (const auto* s = r.table(root, "sealing")) {
      r.known(*s, "sealing", {"public_key_file"});
      if (const auto f = r.str(*s, "sealing", "public_key_file", false); !f.empty())
        c.seal_public_key_file = resolve_path(f, dir);
    }

    if (const auto* s = r.table(root, "session")) {
      r.known(*s, "session",
              {"idle_warning_seconds", "idle_response_seconds", "max_extensions", "assisted_idle_warning_seconds",
               "thank_you_seconds"});
      c.session.idle_warning_seconds = r.integer(*s, "session", "idle_warning_seconds", 90, 10, 3600);
      c.session.idle_response_seconds = r.integer(*s, "session", "idle_response_seconds", 30, 20, 600);
      c.session.max_extensions = r.integer(*s, "session", "max_extensions", 12, 10, 1000);
      c.session.assisted_idle_warning_seconds = r.integer(*s, "session", "assisted_idle_warning_seconds", 0, 0, 86400);
      c.session.thank_you_seconds = r.integer(*s, "session", "thank_you_seconds", 12, 3, 120);
    }
    if (const auto* s = root.get("staff")) {
      const auto* arr = s->as_array();
      if (!arr) r.fail(*s, "staff", "must be a list of [[staff]] tables");
      for (size_t i = 0; i < arr->size(); ++i) {
        const std::string p = "staff[" + std::to_string(i) + "]";
        const auto* t = (*arr)[i].as_table();
        if (!t) r.fail((*arr)[i], p, "must be a table");
        r.known(*t, p, {"id", "name", "pin_hash"});
        StaffMember m{r.str(*t, p, "id", true), r.str(*t, p, "name", false), r.str(*t, p, "pin_hash", true)};
        if (m.pin_hash.rfind("$argon2id$", 0) != 0)
          r.fail(*t->get("pin_hash"), p + ".pin_hash",
                 "must be an Argon2id hash from `kiosk-admin hash-pin`, never a PIN");
        c.staff.push_back(std::move(m));
      }
    }
    if (const auto* a = r.table(root, "admin")) {
      r.known(*a, "admin", {"pin_hash", "pin_attempts", "pin_lockout_seconds", "usb_folder"});
      c.admin_pin_hash = r.str(*a, "admin", "pin_hash", false);
      if (!c.admin_pin_hash.empty() && c.admin_pin_hash.rfind("$argon2id$", 0) != 0)
        r.fail(*a->get("pin_hash"), "admin.pin_hash",
               "must be an Argon2id hash from `kiosk-admin hash-pin`, never a PIN");
      c.pin_attempts = r.integer(*a, "admin", "pin_attempts", 5, 1, 20);
      c.pin_lockout_seconds = r.integer(*a, "admin", "pin_lockout_seconds", 300, 10, 86400);
      if (a->contains("usb_folder")) c.usb_folder = r.str(*a, "admin", "usb_folder", true);
    }
    c.demo_pins = is_demonstration_pin_hash(c.admin_pin_hash);
    for (const auto& m : c.staff) c.demo_pins = c.demo_pins || is_demonstration_pin_hash(m.pin_hash);
    return c;
  } catch (const ConfigError& e) {
    return make_error(ErrorKind::Config, e.message);
  }
}

}  // namespace kiosk
