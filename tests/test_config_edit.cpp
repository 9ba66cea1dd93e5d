// kiosk-admin enrol writes the hub's address and token into a council's
// kiosk.toml: every comment and every other line must survive, the values
// must load back exactly, and the file keeps its private permissions.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <vector>

#include "kiosk/config.hpp"
#include "kiosk/config_edit.hpp"
#include "support.hpp"

using namespace kiosk;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
}  // namespace

TEST_CASE("editing the shipped kiosk.toml changes only the values named, keeping comments", "[config][enrol]") {
  const std::string before = test::read_file(test::kiosk_toml());
  auto after = edit_toml_strings(before, "sync", {{"hub_url", "https://hub.example.org"}, {"token", "tok-123"}});
  REQUIRE(after);
  const auto a = lines_of(before), b = lines_of(*after);
  REQUIRE(a.size() == b.size());
  int changed = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    ++changed;
    INFO("line " << i + 1 << ": " << b[i]);
    CHECK((b[i].rfind("hub_url = \"https://hub.example.org\"", 0) == 0 || b[i].rfind("token = \"tok-123\"", 0) == 0));
    // The comment that explained the setting is still on its line.
    CHECK(b[i].find('#') != std::string::npos);
    CHECK(b[i].substr(b[i].find('#')) == a[i].substr(a[i].find('#')));
  }
  CHECK(changed == 2);
}

TEST_CASE("values are escaped, missing keys and sections are added, and all load back", "[config][enrol]") {
  test::TempDir tmp;
  // The configuration refers to files beside it: a copy of the whole folder.
  std::filesystem::copy(test::source_path("kiosk-config"), tmp.file("cfg"), std::filesystem::copy_options::recursive);
  const std::string beside = tmp.file("cfg/kiosk.toml");
  std::string text = test::read_file(beside);
  // Without a [sync] section at all.
  const auto start = text.find("[sync]");
  const auto end = text.find("\n[", start + 1);
  REQUIRE(start != std::string::npos);
  text.erase(start, end - start + 1);
  test::write_file(beside, text);
  chmod(beside.c_str(), 0640);
  const std::string tricky = "tok\"with\\odd\tchars";
  auto st = edit_config_file(beside, "sync", {{"hub_url", "https://hub.example.org:8470"}, {"token", tricky}});
  auto cfg = load_config(beside);
  struct stat s {};
  stat(beside.c_str(), &s);
  const std::string edited = test::read_file(beside);
  INFO(edited);
  REQUIRE(st);
  REQUIRE(cfg);
  CHECK(cfg->sync.hub_url == "https://hub.example.org:8470");
  CHECK(cfg->sync.token == tricky);
  CHECK((s.st_mode & 0777) == 0640);
  CHECK(edited.find("[sync]\nhub_url = ") != std::string::npos);
}

TEST_CASE("an edit that would not load leaves the file as it was", "[config][enrol]") {
  test::TempDir tmp;
  const std::string path = tmp.file("kiosk.toml");
  // A kiosk.toml whose survey is not beside it: it cannot load before or after.
  test::write_file(path, "[kiosk]\nid = \"x\"\n");
  const std::string before = test::read_file(path);
  auto st = edit_config_file(path, "sync", {{"hub_url", "https://hub.example.org"}});
  CHECK_FALSE(st);
  CHECK(st.kind() == ErrorKind::Config);
  CHECK_THAT(st.message(), Catch::Contains(path));
  CHECK(test::read_file(path) == before);
  CHECK_FALSE(edit_toml_strings(before, "sync", {{"bad key", "v"}}));
}
