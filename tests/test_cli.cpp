// kiosk-admin, tested by running the real binary.
#include <catch2/catch.hpp>
#include <filesystem>

#include "support.hpp"

#ifndef KIOSK_ADMIN_BIN
#error "KIOSK_ADMIN_BIN must be defined by CMake"
#endif

namespace {
std::string admin(const std::string& args) { return std::string(KIOSK_ADMIN_BIN) + " " + args; }
}  // namespace

TEST_CASE("kiosk-admin validate: exit 0 for the Bury survey, 1 with the error for a broken one", "[cli]") {
  auto ok = test::run(admin("validate " + test::bury_survey()));
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("25 questions"));
  auto bad = test::run(admin("validate " + test::source_path("tests/malformed/13-unknown-type.toml")));
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("13-unknown-type.toml:"));
  CHECK_THAT(bad.err, Catch::Contains("unknown question type \"slider\""));
  CHECK(bad.out.empty());
}

TEST_CASE("kiosk-admin validate refuses a survey whose export would be ambiguous, naming file, question and option",
          "[cli]") {
  const std::pair<const char*, const char*> cases[] = {
      {"47-option-column-is-a-question-id.toml", "option \"a\" of question \"q1\" and question \"q1_a\""},
      {"48-other-text-column-is-a-question-id.toml", "of option \"other\" of question \"q1\""},
      {"49-question-id-is-a-metadata-column.toml", "the metadata column \"mode\" and question \"mode\""},
      {"50-option-label-only-spaces.toml", "question \"q1\", option \"b\": the label is empty or only spaces"},
      {"51-two-options-same-label.toml", "question \"q1\", options \"a\" and \"b\" have the same label"},
  };
  for (const auto& [file, words] : cases) {
    INFO(file);
    auto r = test::run(admin("validate " + test::source_path(std::string("tests/malformed/") + file)));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(std::string(file) + ":"));
    CHECK_THAT(r.err, Catch::Contains(words));
  }
}

TEST_CASE("kiosk-admin simulate, status, export, summary and verify on one database", "[cli]") {
  test::TempDir tmp;
  test::write_seal_keys(tmp.file("council.pub"), tmp.file("council.key"));
  const std::string db =
      " --db " + tmp.file("k.db") + " --config " + test::kiosk_toml() + " --public-key " + tmp.file("council.pub");
  // Every visit finished (--abandoned 0), so each command counts all 250.
  auto sim = test::run(admin("simulate --responses 250 --seed 3 --abandoned 0" + db));
  REQUIRE(sim.exit_code == 0);
  CHECK_THAT(sim.out, Catch::Contains("added 250"));

  auto status = test::run(admin("status" + db));
  REQUIRE(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("completed:    250"));
  CHECK_THAT(status.out, Catch::Contains("pending sync: 250"));

  // Responses leave the kiosk sealed; the analyst's `open` makes the CSV and JSON Lines.
  auto plain = test::run(admin("export --format csv --out " + tmp.file("o.csv") + db));
  CHECK(plain.exit_code == 2);
  CHECK_THAT(plain.err, Catch::Contains("kiosk-admin open --key"));
  CHECK_FALSE(std::filesystem::exists(tmp.file("o.csv")));
  auto sealed = test::run(admin("export --out " + tmp.file("usb") + db));
  INFO(sealed.err);
  REQUIRE(sealed.exit_code == 0);
  CHECK_THAT(sealed.err, Catch::Contains("wrote 250 sealed responses"));
  auto opened = test::run(
      admin("open --key " + tmp.file("council.key") + " " + tmp.file("usb") + " --out " + tmp.file("opened")));
  INFO(opened.err);
  REQUIRE(opened.exit_code == 0);
  CHECK_THAT(opened.out, Catch::Contains("opened 250 responses"));
  const std::string text = test::read_file(tmp.file("opened/responses.csv"));
  CHECK(std::count(text.begin(), text.end(), '\n') == 251);
  const std::string jsonl = test::read_file(tmp.file("opened/responses.jsonl"));
  CHECK(std::count(jsonl.begin(), jsonl.end(), '\n') == 250);
  CHECK(test::read_file(tmp.file("opened/codebook.csv")).find(",q25,") != std::string::npos);

  auto cb = test::run(admin("export --format codebook --out -" + db));
  REQUIRE(cb.exit_code == 0);
  for (int i = 1; i <= 25; ++i) CHECK_THAT(cb.out, Catch::Contains(",q" + std::to_string(i) + ","));

  // On the kiosk: how many, and nothing of the answers.
  auto counts = test::run(admin("summary" + db));
  REQUIRE(counts.exit_code == 0);
  CHECK_THAT(counts.out, Catch::Contains("Completed responses on this kiosk: 250"));
  CHECK(counts.out.find("Strongly agree") == std::string::npos);
  // On the opened export: the results.
  auto sum = test::run(admin("summary " + tmp.file("opened") + db));
  INFO(sum.err);
  REQUIRE(sum.exit_code == 0);
  CHECK_THAT(sum.out, Catch::Contains("(250 completed responses)"));
  CHECK_THAT(sum.out, Catch::Contains("Strongly agree"));

  auto ver = test::run(admin("verify" + db));
  CHECK(ver.exit_code == 0);
  CHECK_THAT(ver.out, Catch::Contains("completed responses re-hashed: 250"));
}

TEST_CASE("kiosk-admin status warns of what council IT must still do before a kiosk goes out", "[cli][council-it]") {
  test::TempDir tmp;
  std::filesystem::copy(test::source_path("kiosk-config"), tmp.file("cfg"), std::filesystem::copy_options::recursive);
  const std::string cfg = tmp.file("cfg/kiosk.toml");
  std::string text = test::read_file(cfg);
  text.replace(text.find("hub_url = \"\""), 12, "hub_url = \"http://kiosk-hub.example.org\"");
  test::write_file(cfg, text);
  test::write_seal_keys(tmp.file("council.pub"));
  const std::string db = " --db " + tmp.file("k.db") + " --public-key " + tmp.file("council.pub");
  REQUIRE(test::run(admin("simulate --responses 2 --config " + cfg + db)).exit_code == 0);
  auto st = test::run(admin("status --config " + cfg + db));
  CHECK(st.exit_code == 0);
  CHECK_THAT(st.err, Catch::Contains("demonstration PIN hashes"));
  CHECK_THAT(st.err, Catch::Contains("service point \"castle\" has no opening hours"));
  CHECK_THAT(st.err, Catch::Contains("plain http"));
  // The same for validate, given the kiosk's configuration.
  auto v = test::run(admin("validate " + test::bury_survey() + " --config " + cfg));
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.err, Catch::Contains("demonstration PIN hashes"));
  // And a sync to that address is refused before anything is sent.
  auto sy = test::run(admin("sync --once --config " + cfg + db + " --token t"));
  CHECK(sy.exit_code == 1);
  CHECK_THAT(sy.err, Catch::Contains("plain http") && Catch::Contains("--insecure-http"));
}

TEST_CASE("kiosk-admin verify catches a response edited behind the program's back", "[cli]") {
  test::TempDir tmp;
  test::write_seal_keys(tmp.file("council.pub"));
  const std::string db =
      " --db " + tmp.file("k.db") + " --config " + test::kiosk_toml() + " --public-key " + tmp.file("council.pub");
  REQUIRE(test::run(admin("simulate --responses 5" + db)).exit_code == 0);
  // Someone removes the guard and alters the sealed bytes by hand.
  auto edit = test::run("sqlite3 " + tmp.file("k.db") +
                        " \"DROP TRIGGER completed_is_frozen; UPDATE responses SET sealed = "
                        "substr(sealed, 1, 60) || x'00' || substr(sealed, 62) WHERE id = 2;\"");
  REQUIRE(edit.exit_code == 0);
  auto ver = test::run(admin("verify" + db));
  CHECK(ver.exit_code == 1);
  CHECK_THAT(ver.out, Catch::Contains("content hash does not match"));
  CHECK_THAT(ver.out, Catch::Contains("verify: FAILED"));
}

TEST_CASE("kiosk-admin names what is wrong with its input", "[cli]") {
  test::TempDir tmp;
  auto no_db = test::run(admin("status --db " + tmp.file("missing.db")));
  CHECK(no_db.exit_code == 1);
  CHECK_THAT(no_db.err, Catch::Contains("missing.db: no database here"));

  test::write_file(tmp.file("bad.toml"), "[kiosk]\nid = \"k\"\nservice_point = \"castle\"\nsurvey = 3\n");
  auto bad_cfg = test::run(admin("status --config " + tmp.file("bad.toml")));
  CHECK(bad_cfg.exit_code == 1);
  CHECK_THAT(bad_cfg.err, Catch::Contains("bad.toml:4:10: kiosk.survey: must be a string"));

  auto bad_fmt =
      test::run(admin("export --format xlsx --out x --db " + tmp.file("k.db") + " --survey " + test::bury_survey()));
  CHECK(bad_fmt.exit_code == 2);
  CHECK_THAT(bad_fmt.err, Catch::Contains("unknown format \"xlsx\""));

  auto unknown = test::run(admin("frobnicate"));
  CHECK(unknown.exit_code == 2);
}

TEST_CASE("kiosk-admin hash-pin makes an Argon2id hash that kiosk.toml accepts", "[cli]") {
  auto h = test::run(admin("hash-pin"), "7093\n");
  REQUIRE(h.exit_code == 0);
  CHECK_THAT(h.out, Catch::StartsWith("$argon2id$"));
  CHECK(h.out.find("7093") == std::string::npos);
  auto bad = test::run(admin("hash-pin"), "12\n");
  CHECK(bad.exit_code == 2);
  // The PINs anyone tries first are refused, with the reason.
  for (const char* weak : {"1234\n", "9999\n", "0000\n", "4321\n", "3456789\n"}) {
    auto w = test::run(admin("hash-pin"), weak);
    CHECK(w.exit_code == 2);
    CHECK_THAT(w.err, Catch::Contains("among the first anyone would try"));
  }
}

TEST_CASE("kiosk-admin --help describes the program and each command, and usage errors name the problem with exit 2",
          "[cli]") {
  auto help = test::run(admin("--help"));
  CHECK(help.exit_code == 0);
  for (const char* cmd : {"validate", "status", "simulate", "export", "summary", "verify", "backup", "hash-pin",
                          "close-unfinished", "sync", "open"})
    CHECK_THAT(help.out, Catch::Contains(cmd));

  auto export_help = test::run(admin("export --help"));
  CHECK(export_help.exit_code == 0);
  for (const char* opt : {"--format", "--out", "--config", "--db", "--survey"})
    CHECK_THAT(export_help.out, Catch::Contains(opt));
  auto sync_help = test::run(admin("sync --help"));
  CHECK(sync_help.exit_code == 0);
  for (const char* opt : {"--once", "--hub", "--token", "--batch-size"})
    CHECK_THAT(sync_help.out, Catch::Contains(opt));

  auto bogus = test::run(admin("--bogus"));
  CHECK(bogus.exit_code == 2);
  CHECK_THAT(bogus.err, Catch::Contains("--bogus"));
  auto bogus_export = test::run(admin("export --format csv --out - --frobnicate 3"));
  CHECK(bogus_export.exit_code == 2);
  CHECK_THAT(bogus_export.err, Catch::Contains("--frobnicate"));
  auto missing = test::run(admin("export --format csv"));
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--out"));
  auto no_value = test::run(admin("backup --out"));
  CHECK(no_value.exit_code == 2);
  CHECK_THAT(no_value.err, Catch::Contains("--out"));
}

TEST_CASE("kiosk-admin takes the common options before or after the command", "[cli]") {
  test::TempDir tmp;
  const std::string db = tmp.file("k.db");
  test::write_seal_keys(tmp.file("council.pub"));
  REQUIRE(test::run(admin("--config " + test::kiosk_toml() + " --public-key " + tmp.file("council.pub") + " --db " +
                          db + " simulate --responses 3"))
              .exit_code == 0);
  auto after = test::run(admin("status --db " + db + " --config " + test::kiosk_toml()));
  REQUIRE(after.exit_code == 0);
  CHECK_THAT(after.out, Catch::Contains("completed:    3"));
}

TEST_CASE("kiosk-admin status on a kiosk that has collected nothing yet says so and succeeds", "[cli]") {
  test::TempDir tmp;
  test::write_file(tmp.file("kiosk.toml"), "[kiosk]\nid = \"k\"\nservice_point = \"castle\"\nsurvey = \"" +
                                               test::bury_survey() + "\"\ndatabase = \"" + tmp.file("k.db") +
                                               "\"\nservice_points = \"" +
                                               test::source_path("kiosk-config/service-points.toml") + "\"\n");
  auto st = test::run(admin("status --config " + tmp.file("kiosk.toml")));
  CHECK(st.exit_code == 0);
  CHECK_THAT(st.out, Catch::Contains("not created yet"));
  CHECK_FALSE(std::filesystem::exists(tmp.file("k.db")));  // asking does not create it
}

TEST_CASE("kiosk-admin validate: translations complete, missing ones warned per locale, broken ones refused",
          "[cli][translation]") {
  // The Bury survey comes whole in Polish and Urdu: no warning.
  auto bury = test::run(admin("validate " + test::bury_survey()));
  CHECK(bury.exit_code == 0);
  CHECK_THAT(bury.out, Catch::Contains("locales: en pl ur"));
  CHECK(bury.err.empty());

  test::TempDir tmp;
  const std::string survey = tmp.file("hub.toml");
  test::write_file(survey, R"(format = 1
id = "hub"
version = "h1"
default_locale = "en"
locales = ["en", "pl", "ur"]
title = "Family hub feedback"
[[sections]]
id = "visit"
heading = "Your visit"
[[sections.questions]]
id = "q1"
type = "yes_no"
text = "Would you come again?"
)");
  test::write_file(tmp.file("hub.pl.toml"),
                   "\"title\" = \"Opinie\"\n\"questions.q1.text\" = \"Czy przyjdziesz ponownie?\"\n");
  auto partial = test::run(admin("validate " + survey));
  CHECK(partial.exit_code == 0);
  CHECK_THAT(partial.out, Catch::Contains("ok: "));
  CHECK_THAT(partial.err, Catch::Contains("warning: " + survey + ": 3 texts not translated into \"pl\""));
  CHECK_THAT(partial.err, Catch::Contains(tmp.file("hub.pl.toml")));
  CHECK_THAT(partial.err, Catch::Contains("warning: " + survey + ": 5 texts not translated into \"ur\""));
  CHECK_THAT(partial.err, Catch::Contains(tmp.file("hub.ur.toml")));
  // Per locale, the keys: Polish lacks the heading and the answers, not the title.
  const std::string pl = partial.err.substr(0, partial.err.find("into \"ur\""));
  CHECK_THAT(pl, Catch::Contains("  sections.visit.heading\n  questions.q1.options.yes\n  questions.q1.options.no\n"));
  CHECK_THAT(pl, !Catch::Contains("  title\n"));
  const std::string ur = partial.err.substr(partial.err.find("into \"ur\""));
  CHECK_THAT(ur, Catch::Contains("  title\n  sections.visit.heading\n  questions.q1.text\n"));

  test::write_file(tmp.file("hub.pl.toml"), "\"title\" = \"Opinie\"\n\"questions.q1.hint\" = \"Wybierz\"\n");
  auto broken = test::run(admin("validate " + survey));
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.err, Catch::Contains(tmp.file("hub.pl.toml") + ":2:"));
  CHECK_THAT(broken.err, Catch::Contains("questions.q1.hint: unknown key"));
  CHECK(broken.out.empty());
}

namespace {

// A kiosk-config of its own: the Bury survey in surveys/, en.toml and a
// Polish catalogue in locales/.
struct CatalogueTree {
  test::TempDir tmp;
  std::string survey = tmp.file("surveys/bury.toml");
  CatalogueTree(const std::string& pl) {
    std::filesystem::create_directories(tmp.file("surveys"));
    std::filesystem::create_directories(tmp.file("locales"));
    test::write_file(survey, test::read_file(test::bury_survey()));
    test::write_file(tmp.file("locales/en.toml"), test::read_file(test::source_path("kiosk-config/locales/en.toml")));
    test::write_file(tmp.file("locales/pl.toml"), pl);
  }
};

}  // namespace

TEST_CASE("kiosk-admin validate warns of missing, unknown and different messages per locale, exit code unchanged",
          "[cli][catalogue]") {
  CatalogueTree t(R"([meta]
locale = "pl"
name = "Polski"
demonstration = true

[messages]
"bar.help" = "Poproś o pomoc"
"home.start" = "Rozpocznij ankietę"
"home.retired" = "Nie ma tego w en"
)");
  auto r = test::run(admin("validate " + t.survey));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("pl (demonstration)"));
  CHECK_THAT(r.out, Catch::Contains("WARNING: ") && Catch::Contains("pl.toml: pl: "));
  // Every key of en.toml but the two given is listed as missing, each by name.
  CHECK_THAT(r.out, Catch::Contains("messages missing (shown in en instead)"));
  CHECK_THAT(r.out, Catch::Contains("\n    nav.next\n"));
  CHECK_THAT(r.out, Catch::Contains("\n    say.speech.offer\n"));
  CHECK_THAT(r.out, !Catch::Contains("\n    bar.help\n"));
  CHECK_THAT(r.out, Catch::Contains("1 unknown keys") && Catch::Contains("\n    home.retired"));
  CHECK_THAT(r.out,
             Catch::Contains("placeholders differ from en") && Catch::Contains("home.start: none (en: {title})"));
}

TEST_CASE("kiosk-admin validate refuses a catalogue with an unknown placeholder or a plural without other",
          "[cli][catalogue]") {
  {
    CatalogueTree t("[meta]\nlocale = \"pl\"\n\n[messages]\n\"home.start\" = \"Rozpocznij: {survey}\"\n");
    auto r = test::run(admin("validate " + t.survey));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("pl.toml:5: home.start: unknown placeholder {survey}"));
  }
  {
    CatalogueTree t("[meta]\nlocale = \"pl\"\n[messages]\n\"q.limit\" = { one = \"Do {n} znaku.\" }\n");
    auto r = test::run(admin("validate " + t.survey));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("pl.toml:4: q.limit: a plural table must have \"other\""));
  }
  {
    CatalogueTree t("[meta]\nlocale = \"pl\"\n[messages]\n\"bar.help\" = \"niedomknięty\n");
    auto r = test::run(admin("validate " + t.survey));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("pl.toml:4: invalid TOML"));
  }
}

TEST_CASE("validate says how many questions a visitor is asked and each rule in words", "[cli]") {
  auto r = test::run(admin("validate " + test::bury_survey()));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // q7 and q9 are required: no (q8, q10 and q11 hidden) asks 22 of 25; yes to both, 24.
  CHECK_THAT(r.out, Catch::Contains("  a visitor is asked 22 to 24 questions\n"));
  CHECK_THAT(r.out, Catch::Contains("  q8 is asked only if q7 is \"Yes\"\n"));
  CHECK_THAT(r.out, Catch::Contains("  q12 is asked only if q9 is \"No\"\n"));
}
