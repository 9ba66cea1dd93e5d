// Errors carry a kind, so callers decide by kind and never by the message's
// words; a visitor is only ever shown visitor wording.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "kiosk/catalogue.hpp"
#include "kiosk/config.hpp"
#include "kiosk/session.hpp"
#include "kiosk/store.hpp"
#include "kiosk/survey.hpp"
#include "support.hpp"

using namespace kiosk;

TEST_CASE("errors from the core say what kind of failure they are", "[errors]") {
  test::TempDir tmp;
  SECTION("a survey file that is not there") {
    auto r = load_survey_file(tmp.file("nowhere.toml"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.kind() == ErrorKind::NotFound);
  }
  SECTION("a survey file that breaks the format") {
    test::write_file(tmp.file("broken.toml"), "[survey\nid = ");
    auto r = load_survey_file(tmp.file("broken.toml"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.kind() == ErrorKind::Validation);
    CHECK_THAT(r.message(), Catch::Contains("broken.toml"));
  }
  SECTION("a kiosk.toml with a mistake") {
    test::write_file(tmp.file("kiosk.toml"), "[kiosk]\nid = 3\n");
    auto r = load_config(tmp.file("kiosk.toml"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.kind() == ErrorKind::Config);
  }
  SECTION("a file that is not a kiosk database") {
    test::write_file(tmp.file("notes.db"), std::string(4096, 'x'));
    auto r = Store::open(tmp.file("notes.db"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.kind() == ErrorKind::Storage);
  }
  SECTION("a database under a path that cannot be a directory") {
    test::write_file(tmp.file("plain-file"), "x");
    auto r = Store::open(tmp.file("plain-file") + "/kiosk.db");
    REQUIRE_FALSE(r.ok());
    CHECK(r.kind() != ErrorKind::Internal);
  }
}

TEST_CASE("a rule the visitor broke is a validation error worded for the visitor", "[errors]") {
  FakeClock clock;
  ResponseMeta m;
  m.kiosk_id = "k";
  m.service_point = "castle";
  m.locale = "en";
  auto s = Session::start(test::bury(), m, clock, nullptr);
  REQUIRE(s.ok());
  auto st = (*s)->next();
  REQUIRE_FALSE(st.ok());
  CHECK(st.kind() == ErrorKind::Validation);
  CHECK(visitor_message(st.error()) == "Please choose an answer to continue.");
  // The kiosk says it from its catalogue, in the visitor's language.
  std::string key;
  MessageArgs args;
  REQUIRE(parse_catalogue_reference(st.error().visitor, &key, &args));
  CHECK(key == "rule.required.choose");
  auto cat = Catalogue::load(test::source_path("kiosk-config/locales"));
  REQUIRE(cat.ok());
  CHECK(cat->get("en", key, args) == "Please choose an answer to continue.");
  CHECK(cat->get("pl", key, args) != cat->get("en", key, args));
}

TEST_CASE("a visitor never sees a technical message", "[errors]") {
  const Error storage =
      make_error(ErrorKind::Storage, "/var/lib/kiosk/k.db: a disk read or write failed (disk I/O error)");
  CHECK(visitor_message(storage).find("/var/lib") == std::string::npos);
  CHECK(visitor_message(storage).find("staff") != std::string::npos);
  const Error full = make_error(ErrorKind::DiskFull, "k.db: the disk is full");
  CHECK(visitor_message(full).find("disk") == std::string::npos);
  CHECK(std::string(to_string(ErrorKind::DiskFull)) == "disk full");
}

TEST_CASE("a program finds its kiosk.toml: --config, then $KIOSK_CONFIG, then ./kiosk-config, then /etc", "[config]") {
  test::TempDir tmp;
  const auto old_dir = std::filesystem::current_path();
  const char* old_env = std::getenv("KIOSK_CONFIG");
  const std::string saved_env = old_env ? old_env : "";
  std::filesystem::current_path(tmp.path());
  unsetenv("KIOSK_CONFIG");
  CHECK(find_config_file() == "/etc/library-kiosk/kiosk.toml");
  std::filesystem::create_directories(tmp.path() / "kiosk-config");
  test::write_file(tmp.file("kiosk-config/kiosk.toml"), "");
  CHECK(find_config_file() == "kiosk-config/kiosk.toml");
  setenv("KIOSK_CONFIG", "/srv/kiosk.toml", 1);
  CHECK(find_config_file() == "/srv/kiosk.toml");
  CHECK(find_config_file("given.toml") == "given.toml");
  std::filesystem::current_path(old_dir);
  if (old_env)
    setenv("KIOSK_CONFIG", saved_env.c_str(), 1);
  else
    unsetenv("KIOSK_CONFIG");
}
