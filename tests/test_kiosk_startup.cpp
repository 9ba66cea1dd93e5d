// The real `kiosk` binary, started headless with a configuration that cannot
// work: each failure must end the program with exit code 1 and one line on
// stderr naming the file at fault, never a crash.
#include <algorithm>
#include <catch2/catch.hpp>

#include "support.hpp"

#ifndef KIOSK_BIN
#error "KIOSK_BIN must be defined by CMake"
#endif

namespace {

struct Startup {
  test::TempDir tmp;
  std::string survey = test::bury_survey();
  std::string database = tmp.file("kiosk.db");
  std::string pages = test::source_path("kiosk-config/pages");

  test::RunResult run() {
    const std::string cfg = tmp.file("kiosk.toml");
    test::write_file(cfg,
                     "[kiosk]\nid = \"startup-test\"\nname = \"Start-up test\"\nservice_point = \"castle\"\n"
                     "survey = \"" +
                         survey + "\"\ndatabase = \"" + database + "\"\npages = \"" + pages +
                         "\"\nservice_points = \"" + test::source_path("kiosk-config/service-points.toml") + "\"\n");
    return test::run("env SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy " + std::string(KIOSK_BIN) + " --config " +
                     cfg + " --windowed 1280x800");
  }
};

// One line, "kiosk: [<kiosk id>] cannot start: <file>: <reason>" (the log's
// form on stderr; the journal gets the same words with the id as a field).
void check_one_line_naming(const test::RunResult& r, const std::string& file) {
  INFO("exit " << r.exit_code << ", stderr: " << r.err);
  CHECK(r.exit_code == 1);  // 1, not 128+signal: it ended by itself
  REQUIRE_FALSE(r.err.empty());
  CHECK(r.err.back() == '\n');
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.rfind("kiosk: [startup-test] cannot start: " + file + ":", 0) == 0);
}

}  // namespace

TEST_CASE("kiosk: a survey with a TOML syntax error ends start-up with one line naming it", "[ui][startup]") {
  Startup s;
  s.survey = test::source_path("tests/malformed/01-toml-syntax.toml");
  check_one_line_naming(s.run(), s.survey);
}

TEST_CASE("kiosk: a database that cannot be opened ends start-up with one line naming it", "[ui][startup]") {
  Startup s;
  // Its folder is a regular file, so neither root nor anyone can create it.
  const std::string blocker = s.tmp.file("not-a-folder");
  test::write_file(blocker, "a file, not a folder\n");
  s.database = blocker + "/kiosk.db";
  check_one_line_naming(s.run(), s.database);
}

TEST_CASE("kiosk: a missing pages folder ends start-up with one line naming it", "[ui][startup]") {
  Startup s;
  s.pages = s.tmp.file("no-such-pages");
  check_one_line_naming(s.run(), s.pages);
}

TEST_CASE("kiosk: usage errors name the option and exit 2, and --help lists the options", "[ui][startup]") {
  const std::string kiosk = KIOSK_BIN;
  auto unknown = test::run(kiosk + " --no-such-option");
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("--no-such-option"));
  auto bad_size = test::run(kiosk + " --windowed huge");
  CHECK(bad_size.exit_code == 2);
  CHECK_THAT(bad_size.err, Catch::Contains("--windowed"));
  auto missing_value = test::run(kiosk + " --config");
  CHECK(missing_value.exit_code == 2);
  CHECK_THAT(missing_value.err, Catch::Contains("--config"));
  auto help = test::run(kiosk + " --help");
  CHECK(help.exit_code == 0);
  for (const char* opt : {"--config", "--windowed", "--report-startup", "--help"})
    CHECK_THAT(help.out, Catch::Contains(opt));
}

TEST_CASE("kiosk: a configuration file that does not exist is named, exit 1", "[ui][startup]") {
  test::TempDir tmp;
  const std::string missing = tmp.file("nowhere.toml");
  auto r = test::run("env SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy " + std::string(KIOSK_BIN) + " --config " +
                     missing + " --windowed 1280x800");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains(missing));
  // Without --config, $KIOSK_CONFIG names it.
  const std::string from_env = tmp.file("from-env.toml");
  auto e = test::run("env KIOSK_CONFIG=" + from_env + " SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy " +
                     std::string(KIOSK_BIN) + " --windowed 1280x800");
  CHECK(e.exit_code == 1);
  CHECK_THAT(e.err, Catch::Contains(from_env));
}
