// kiosk.toml: what this kiosk is, where it stands, which survey it runs,
// where its data lives and how it syncs. Paths are relative to the file.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/opening_hours.hpp"
#include "kiosk/result.hpp"
#include "kiosk/seal.hpp"

namespace kiosk {

struct ServicePoint {
  std::string id, name, kind, address, page;  // page: Markdown file under pages/
  std::vector<std::string> hours;             // "Monday 9:30 to 17:00", as staff configure them
  OpeningHours opening;                       // the same, parsed; always open when no hours are given
};

struct StaffMember {
  std::string id, name, pin_hash;  // Argon2id, from `kiosk-admin hash-pin`
};

struct KioskConfig {
  std::string config_path;
  std::string kiosk_id, kiosk_name;
  std::string service_point;  // id of one of service_points
  std::string survey_path, database_path, pages_dir;
  // [kiosk] population: the deployment's population benchmarks (optional;
  // kiosk-admin's representativeness, weights and simulate read it).
  std::string population_path;
  // The message catalogues: given, or locales/ next to the survey's folder;
  // empty when neither is there (the program's built-in English).
  std::string locales_dir;
  std::string default_locale = "en";
  std::vector<ServicePoint> service_points;

  struct Sync {
    std::string hub_url, token;
    int interval_seconds = 60, heartbeat_seconds = 300, batch_size = 200;
    int retention_days = -1;  // -1: keep synced responses for ever
    int connect_timeout_seconds = 10, stall_timeout_seconds = 30;
    std::string ca_file;         // extra CA bundle for a hub with a private certificate
    bool insecure_http = false;  // plain http:// to a hub that is not loopback (kiosk/hub_url.hpp)
    // "hub" (our hub, hub_url and token) or "openrosa": an ODK Central or
    // KoboToolbox server at server_url (Central's App User URL, its token in
    // the path), submitting to its form form_id; the form, as last pulled,
    // kept in form_file (default: FORM_ID.xml beside the database).
    std::string protocol = "hub";
    std::string server_url, form_id, form_file;
    bool openrosa() const { return protocol == "openrosa"; }
  } sync;

  struct SessionTimes {
    int idle_warning_seconds = 90;          // quiet time before the "are you still there?" warning
    int idle_response_seconds = 30;         // time to answer the warning (at least 20)
    int max_extensions = 12;                // taps on "I need more time" (at least 10)
    int assisted_idle_warning_seconds = 0;  // 0: no timeout in assisted mode
    int thank_you_seconds = 12;
  } session;

  // Words that belong to this deployment, not to the kiosk's code: the
  // catalogue's messages name them by placeholder. The defaults name no
  // council, service or place.
  struct Deployment {
    std::string council = "The council";                   // who asks: "Bury Council"
    std::string survey_topic;                              // "the future of the library service"; empty: not said
    std::string venue = "service point";                   // what a visitor is in: "library", "family hub"
    std::string information_title = "About our services";  // the information pages' button and heading
    std::string staff_role = "a member of staff";          // who helps: "a member of library staff"
    std::string postcode_example;                          // "BL9 0SW"; empty: no example given
    // The same words in other languages, from a table by locale in kiosk.toml
    // (survey_topic = { en = "...", pl = "..." }): locale -> word -> text.
    // The fields above hold the words in the kiosk's own language.
    std::map<std::string, std::map<std::string, std::string>> translated;

    // The words a visitor sees in `locale` ("pl", "ur-PK"): its own, else
    // its language's ("ur"), else the kiosk's. `name` is a field's name.
    const std::string& word(std::string_view name, std::string_view locale) const;
    // The words that have no text of their own in `locale` (for validate).
    std::vector<std::string> untranslated(std::string_view locale) const;
  } deployment;

  // [sealing]: the council's public key; answers are saved only sealed to it.
  // Default: council.pub beside the database.
  std::string seal_public_key_file;

  std::vector<StaffMember> staff;  // may start assisted mode
  std::string admin_pin_hash;      // opens the admin area
  int pin_attempts = 5, pin_lockout_seconds = 300;
  // [admin] usb_folder: where USB sticks are mounted for the kiosk (by
  // library-kiosk-usb@.service, one folder per stick); the admin area offers
  // each stick mounted there as a place to export to.
  std::string usb_folder = "/media/library-kiosk";
  // A staff or admin PIN hash is one of the demonstration hashes shipped in
  // kiosk-config/kiosk.toml (PINs 1234 and 9999, known to anyone who reads
  // the README). Staff sign-in is refused then, unless demo_pins_allowed().
  bool demo_pins = false;

  const ServicePoint* find_service_point(const std::string& id) const;
};

Result<KioskConfig> load_config(const std::string& path);

// Whether `hash` is one of the demonstration PIN hashes shipped with the kiosk.
bool is_demonstration_pin_hash(const std::string& hash);
// Demonstration PINs are accepted only where $KIOSK_ALLOW_DEMO_PINS is 1:
// a developer's machine, the tests, scripts/run.sh. Never an installed kiosk.
bool demo_pins_allowed();
// A service-points.toml alone (the hub checks uploads against it).
Result<std::vector<ServicePoint>> load_service_points_file(const std::string& path);

// The public key named by [sealing] public_key_file, parsed. Errors
// (ErrorKind::Config) name the file and say what is wrong with it.
Result<SealPublicKey> load_seal_public_key(const KioskConfig& cfg);

// Which kiosk.toml a program uses when not told: $KIOSK_CONFIG, else
// ./kiosk-config/kiosk.toml (a source tree, for development), else the
// installed /etc/library-kiosk/kiosk.toml. `explicit_path` (--config) wins.
std::string find_config_file(const std::string& explicit_path = {});
// "~/x" -> "$HOME/x"; a relative path is taken against `base_dir`.
std::string resolve_path(const std::string& p, const std::string& base_dir);
// Creates the directory that will hold `file_path`, and its parents.
Status ensure_parent_dir(const std::string& file_path);

}  // namespace kiosk
