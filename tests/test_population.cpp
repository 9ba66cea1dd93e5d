// Population benchmarks (kiosk-config/population/bury.toml) read and checked
// against the survey, and the simulator an analyst rehearses with drawing
// its respondents from them.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include <ctime>

#include "kiosk/opening_hours.hpp"
#include "kiosk/population.hpp"
#include "kiosk/representativeness.hpp"
#include "kiosk/simulate.hpp"
#include "support.hpp"

using namespace kiosk;

namespace {

std::string bury_population_file() { return test::source_path("kiosk-config/population/bury.toml"); }

// "2016-03-01T08:00:00Z" as a time.
std::chrono::system_clock::time_point utc(const std::string& s) {
  std::tm tm{};
  REQUIRE(strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) != nullptr);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// A one-benchmark file for the error cases: `body` replaces the benchmark.
std::string small_file(const std::string& body, const std::string& head = "") {
  return "format = 1\narea = \"Test\"\nsurvey = \"bury_libraries_2016\"\n" + head + "\n[[benchmark]]\n" + body;
}

const std::string kAge =
    "question = \"q20\"\nbase = \"18+\"\nsource = \"ONS\"\ntable = \"T1\"\nyear = 2016\noutside_base = "
    "[\"under_18\"]\n";

// A kiosk's simulated responses (65+ at half their share), exported sealed
// and opened into tmp/opened as the analyst would; returns the options that
// name the kiosk's database, configuration and key.
std::string opened_sample(test::TempDir& tmp, int responses, int seed) {
  test::write_seal_keys(tmp.file("council.pub"), tmp.file("council.key"));
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string opts =
      " --config " + test::kiosk_toml() + " --db " + tmp.file("k.db") + " --public-key " + tmp.file("council.pub");
  REQUIRE(test::run(admin + "simulate --responses " + std::to_string(responses) + " --seed " + std::to_string(seed) +
                    " --skew q20.65_plus=0.5" + opts)
              .exit_code == 0);
  REQUIRE(test::run(admin + "export --out " + tmp.file("usb") + opts).exit_code == 0);
  REQUIRE(test::run(admin + "open --key " + tmp.file("council.key") + " " + tmp.file("usb") + " --out " +
                    tmp.file("opened"))
              .exit_code == 0);
  return opts;
}

}  // namespace

TEST_CASE("population: Bury's benchmarks load against the Bury survey, each with its base and source", "[population]") {
  auto pop = load_population(bury_population_file(), test::bury());
  INFO((pop ? std::string() : pop.message()));
  REQUIRE(pop.ok());
  CHECK(pop->survey_id == "bury_libraries_2016");
  REQUIRE(pop->benchmarks.size() == 5);
  // In the survey's order: sex, age, ethnic group, disability, caring.
  std::vector<std::string> order;
  for (const auto& b : pop->benchmarks) order.push_back(b.question);
  CHECK(order == std::vector<std::string>{"q19", "q20", "q22", "q23", "q24"});
  const Benchmark* age = pop->find("q20");
  REQUIRE(age != nullptr);
  // 65+ of adults in mid-2016: 33,712 of 145,790 (the reference's 23.1%).
  CHECK(age->share("65_plus") == Approx(33712.0 / 145790.0).epsilon(1e-9));
  CHECK(age->share("under_18") < 0);  // outside the adult base
  CHECK(age->table == "SAPE19DT8");
  CHECK(age->year == 2016);
  const Benchmark* eth = pop->find("q22");
  REQUIRE(eth != nullptr);
  CHECK(eth->shares.size() == 17);  // every option of the survey's question
  CHECK(eth->share("asian_pakistani") == Approx(9002.0 / 185060.0).epsilon(1e-9));
  for (const auto& b : pop->benchmarks) {
    double sum = 0;
    for (const auto& s : b.shares) sum += s.share;
    CHECK(sum == Approx(1.0).epsilon(1e-9));
    CHECK_FALSE(b.source.empty());
    CHECK_FALSE(b.base.empty());
  }
  CHECK(pop->weight_by == std::vector<std::string>{"q20", "q19"});
}

TEST_CASE("population: a file that does not fit the survey is refused, naming the file, line and key", "[population]") {
  test::TempDir tmp;
  const std::string f = tmp.file("pop.toml");
  struct Case {
    std::string text, expect;
  };
  const std::vector<Case> cases = {
      {small_file("question = \"q99\"\nbase = \"x\"\nsource = \"x\"\ntable = \"x\"\nyear = 2011\ncounts = { a = 1 }\n"),
       "pop.toml:6:12: benchmark[0].question: \"q99\" is not a question of bury_libraries_2016"},
      {small_file(kAge +
                  "counts = { \"18_29\" = 1, \"30_44\" = 1, \"45_64\" = 1, \"65_plus\" = 1, \"90_plus\" = 3 }\n"),
       "benchmark[0].counts.90_plus: \"90_plus\" is not an option of q20"},
      {small_file(kAge + "shares = { \"18_29\" = 0.2, \"30_44\" = 0.2, \"45_64\" = 0.3, \"65_plus\" = 0.2 }\n"),
       "pop.toml:12:10: benchmark[0].shares: sum to 0.9000, not 1 (within 0.002)"},
      {small_file("question = \"q20\"\nbase = \"18+\"\ntable = \"T1\"\nyear = 2016\noutside_base = [\"under_18\"]\n"
                  "counts = { \"18_29\" = 1, \"30_44\" = 1, \"45_64\" = 1, \"65_plus\" = 1 }\n"),
       "pop.toml:5:1: benchmark[0].source: is missing"},
      {small_file("question = \"q20\"\nbase = \"18+\"\nsource = \"ONS\"\ntable = \"T1\"\nyear = 2016\n"
                  "counts = { \"18_29\" = 1, \"30_44\" = 1, \"45_64\" = 1, \"65_plus\" = 1 }\n"),
       "option \"under_18\" of q20 has no figure: give one, or list it in outside_base"},
      {"format = 1\narea = \"T\"\nsurvey = \"family_hub\"\n[[benchmark]]\n" + kAge + "counts = { \"18_29\" = 1 }\n",
       "pop.toml:3:10: survey: the file is for survey \"family_hub\", not \"bury_libraries_2016\""},
      {small_file(kAge + "counts = { \"18_29\" = 1, \"30_44\" = 1, \"45_64\" = 1, \"65_plus\" = 1 }\n",
                  "weight_by = [\"q22\"]"),
       "weight_by: \"q22\" has no [[benchmark]] to weight to"},
      {small_file(kAge + "counts = { \"18_29\" = 1, \"30_44\" = 1, \"45_64\" = 1, \"65_plus\" = -4 }\n"),
       "benchmark[0].counts.65_plus: must be a whole number of people, 0 or more"},
      {small_file("question = \"q17\"\nbase = \"x\"\nsource = \"x\"\ntable = \"x\"\nyear = 2011\ncounts = { a = 1 }\n"),
       "q17 is not a single-choice question"},
  };
  for (const auto& c : cases) {
    test::write_file(f, c.text);
    auto pop = load_population(f, test::bury());
    INFO(c.text);
    REQUIRE_FALSE(pop.ok());
    CHECK_THAT(pop.message(), Catch::Contains(c.expect));
    CHECK_THAT(pop.message(), Catch::StartsWith(f + ":"));
  }
}

TEST_CASE(
    "simulate: a rehearsal at one kiosk, in its hours and the consultation's weeks, with the population's mix "
    "and the chosen skew",
    "[population][simulate]") {
  auto pop = load_population(bury_population_file(), test::bury());
  REQUIRE(pop.ok());
  auto hours = parse_opening_hours({"Monday to Friday 9:30 to 17:00", "Saturday 9:30 to 13:00"});
  REQUIRE(hours.ok());
  SimulateOptions o;
  o.kiosk_id = "castle-01";
  o.service_points = {"castle"};
  o.hours = *hours;
  o.population = &*pop;
  o.skew = {{"q20.65_plus", 0.5}, {"q22.asian_pakistani", 0.5}};
  o.staff_ids = {"staff-07", "staff-09"};
  o.abandoned_share = 0.07;
  const int n = 6000;
  std::map<std::string, std::map<std::string, int>> counts;  // question -> code -> respondents
  int abandoned = 0, assisted = 0, polish_comments = 0, polish = 0;
  std::set<std::string> comments;
  for (int i = 0; i < n; ++i) {
    const CompletedResponse r = simulate_one(test::bury(), o, static_cast<std::uint64_t>(i));
    CHECK(r.meta.service_point == "castle");
    const auto start = utc(r.meta.started_utc);
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(start.time_since_epoch()).count();
    CHECK(secs >= o.start_unix);
    CHECK(secs < o.end_unix);
    CHECK(hours->open_at(local_minute_of_week(start)));
    if (r.meta.status == "abandoned") {
      ++abandoned;
      CHECK_FALSE(r.meta.ended_utc.empty());
      continue;
    }
    CHECK(r.meta.status == "completed");
    if (r.meta.mode == "assisted") {
      ++assisted;
      CHECK((r.meta.staff_id == "staff-07" || r.meta.staff_id == "staff-09"));
    }
    for (const auto& b : pop->benchmarks)
      if (auto it = r.answers.find(b.question); it != r.answers.end() && !it->second.choices.empty())
        ++counts[b.question][it->second.choices[0]];
    if (auto it = r.answers.find("q17"); it != r.answers.end() && !it->second.text.empty()) {
      comments.insert(it->second.text);
      if (r.meta.locale == "pl") {
        ++polish;
        // A Polish respondent's comment is in Polish.
        polish_comments +=
            it->second.text.find("ę") != std::string::npos || it->second.text.find("ą") != std::string::npos ||
                    it->second.text.find("ł") != std::string::npos || it->second.text.find("ó") != std::string::npos
                ? 1
                : 0;
      }
    }
  }
  // Some visits are left part way: about 7%.
  CHECK(abandoned > n * 0.05);
  CHECK(abandoned < n * 0.09);
  CHECK(assisted > 0);
  CHECK(comments.size() >= 20);  // not ten canned sentences
  CHECK(polish > 0);
  CHECK(polish_comments == polish);
  // Every benchmarked option within 4 standard errors of the population's
  // share times its skew (renormalised over the base).
  for (const auto& b : pop->benchmarks) {
    int in_base = 0;
    for (const auto& [code, k] : counts[b.question])
      if (b.share(code) >= 0) in_base += k;
    REQUIRE(in_base > 1000);
    double norm = 0;
    for (const auto& s : b.shares) {
      auto it = o.skew.find(b.question + "." + s.code);
      norm += s.share * (it == o.skew.end() ? 1.0 : it->second);
    }
    for (const auto& s : b.shares) {
      auto it = o.skew.find(b.question + "." + s.code);
      const double expect = s.share * (it == o.skew.end() ? 1.0 : it->second) / norm;
      const double seen = static_cast<double>(counts[b.question][s.code]) / in_base;
      const double se = std::sqrt(expect * (1 - expect) / in_base);
      INFO(b.question << "." << s.code << ": seen " << seen << ", expected " << expect);
      CHECK(std::fabs(seen - expect) <= 4 * se + 1e-4);
    }
  }
  // The skew shows: 65+ at about half their share of adults (23.1%).
  const double over65 =
      static_cast<double>(counts["q20"]["65_plus"]) /
      (counts["q20"]["18_29"] + counts["q20"]["30_44"] + counts["q20"]["45_64"] + counts["q20"]["65_plus"]);
  CHECK(over65 < 0.15);
  CHECK(over65 > 0.10);
  // Options outside a base are answered, rarely.
  CHECK(counts["q20"]["under_18"] > 0);
  CHECK(counts["q20"]["under_18"] < n * 0.04);
}

TEST_CASE("simulate: a skew that names no benchmarked option is refused with what to write", "[population][simulate]") {
  auto pop = load_population(bury_population_file(), test::bury());
  REQUIRE(pop.ok());
  CHECK(parse_skew("q20.65_plus=0.5,q22.asian_pakistani=2", *pop).ok());
  CHECK_THAT(parse_skew("q21.x=1", *pop).message(), Catch::Contains("q21 has no benchmark"));
  CHECK_THAT(parse_skew("q20.under_18=2", *pop).message(),
             Catch::Contains("\"under_18\" is not an option of q20 with a population figure"));
  CHECK_THAT(parse_skew("q20.65_plus", *pop).message(), Catch::Contains("is not QUESTION.OPTION=FACTOR"));
  CHECK_THAT(parse_skew("q20.65_plus=half", *pop).message(), Catch::Contains("is not a factor from 0 to 100"));
}

TEST_CASE(
    "kiosk-admin simulate: the kiosk's own place, hours and staff, the population from kiosk.toml, a skew, and "
    "validate checking the population file",
    "[population][simulate][cli]") {
  test::TempDir tmp;
  std::filesystem::copy(test::source_path("kiosk-config"), tmp.file("cfg"), std::filesystem::copy_options::recursive);
  // Castle with opening hours, and a staff member of its own.
  std::string sp = test::read_file(tmp.file("cfg/service-points.toml"));
  sp.replace(sp.find("page = \"service-points/castle.md\""), 33,
             "page = \"service-points/castle.md\"\nhours = [\"Monday to Saturday 10:00 to 16:00\"]");
  test::write_file(tmp.file("cfg/service-points.toml"), sp);
  std::string k = test::read_file(tmp.file("cfg/kiosk.toml"));
  k.replace(k.find("id = \"staff-01\""), 15, "id = \"castle-sam\"");
  test::write_file(tmp.file("cfg/kiosk.toml"), k);
  test::write_seal_keys(tmp.file("council.pub"), tmp.file("council.key"));
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string opts = " --config " + tmp.file("cfg/kiosk.toml") + " --db " + tmp.file("k.db") + " --public-key " +
                           tmp.file("council.pub");
  auto v = test::run(admin + "validate " + tmp.file("cfg/surveys/bury-libraries-2016.toml") + opts);
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::Contains("population benchmarks for Bury Metropolitan Borough"));
  auto sim = test::run(admin + "simulate --responses 400 --seed 5 --skew q20.65_plus=0.5" + opts);
  INFO(sim.out << sim.err);
  REQUIRE(sim.exit_code == 0);
  CHECK_THAT(sim.out, Catch::Contains("added 400 simulated responses") &&
                          Catch::Contains("at castle, in its opening hours") &&
                          Catch::Contains("respondents drawn from"));
  CHECK(sim.out.find(" 0 left part way") == std::string::npos);  // some visits are left part way
  auto ex = test::run(admin + "export --out " + tmp.file("usb") + opts);
  REQUIRE(ex.exit_code == 0);
  auto op = test::run(admin + "open --key " + tmp.file("council.key") + " " + tmp.file("usb") + " --out " +
                      tmp.file("opened"));
  INFO(op.err);
  REQUIRE(op.exit_code == 0);
  const std::string jsonl = test::read_file(tmp.file("opened/responses.jsonl"));
  // Everything at castle, assisted only by its own staff, in 2016's consultation weeks.
  CHECK(jsonl.find("\"service_point\":\"castle\"") != std::string::npos);
  CHECK(jsonl.find("\"service_point\":\"bury\"") == std::string::npos);
  CHECK(jsonl.find("staff-01") == std::string::npos);
  CHECK(jsonl.find("castle-sam") != std::string::npos);
  CHECK(jsonl.find("\"2016-02") == std::string::npos);
  CHECK(jsonl.find("\"2016-07") != std::string::npos);
  CHECK(jsonl.find("\"abandoned\"") != std::string::npos);
  // Who answered against who lives in Bury, from the opened export.
  auto rep = test::run(admin + "represent " + tmp.file("opened") + " --csv " + tmp.file("rep.csv") + opts);
  INFO(rep.out << rep.err);
  REQUIRE(rep.exit_code == 0);
  CHECK_THAT(rep.out, Catch::Contains("Who answered against who lives in Bury Metropolitan Borough"));
  CHECK_THAT(rep.out, Catch::Contains("Age (q20), against residents aged 18 and over (145,790)"));
  CHECK_THAT(rep.out, Catch::Contains("outside it (under 18)"));
  CHECK_THAT(rep.out, Catch::Contains("more responses from people answering \"65+\" would close the gap"));
  CHECK_THAT(rep.out, Catch::Contains("By service point:\n  castle ("));
  CHECK_THAT(rep.out, Catch::Contains("By week (Monday):\n  2016-06-13 ("));
  const std::string csv = test::read_file(tmp.file("rep.csv"));
  CHECK(csv.rfind("slice,slice_key,slice_responses,question,benchmark,option_code", 0) == 0);
  CHECK(csv.find("all,,") != std::string::npos);
  CHECK(csv.find("q20,Age,65_plus,65+,") != std::string::npos);
  CHECK(csv.find("under-represented") != std::string::npos);
  // Results weighted to age and sex, with the weights for a spreadsheet.
  auto ws = test::run(admin + "summary " + tmp.file("opened") + " --weights " + tmp.file("w.csv") + opts);
  INFO(ws.out << ws.err);
  REQUIRE(ws.exit_code == 0);
  CHECK_THAT(ws.out, Catch::Contains("Weighted by raking to Age (q20) and Sex (q19) of Bury") &&
                         Catch::Contains(": converged after ") && Catch::Contains("design effect"));
  CHECK_THAT(ws.out, Catch::Contains("unweighted  weighted    margin"));
  const std::string wcsv = test::read_file(tmp.file("w.csv"));
  CHECK(wcsv.rfind("response_uuid,weight\r\n", 0) == 0);
  std::istringstream wl(wcsv);
  std::string row;
  std::getline(wl, row);
  double wsum = 0;
  int wn = 0;
  while (std::getline(wl, row)) wsum += std::stod(row.substr(row.find(',') + 1)), ++wn;
  CHECK(wn > 300);
  CHECK(wsum / wn == Approx(1.0).margin(1e-6));
  auto badcap = test::run(admin + "summary " + tmp.file("opened") + " --cap 0.5" + opts);
  CHECK(badcap.exit_code == 2);
  // Nothing completed yet: said, not an empty table.
  std::filesystem::create_directories(tmp.file("empty"));
  test::write_file(tmp.file("empty/responses.jsonl"), "");
  auto none = test::run(admin + "represent " + tmp.file("empty") + opts);
  CHECK(none.exit_code == 0);
  CHECK_THAT(none.out, Catch::Contains("No completed responses: nothing to compare yet."));
  // A deployment with no population file: told what to give.
  std::string nopop = test::read_file(tmp.file("cfg/kiosk.toml"));
  nopop.replace(nopop.find("population = "), 11, "# populatio");
  test::write_file(tmp.file("cfg/nopop.toml"), nopop);
  auto np = test::run(admin + "represent " + tmp.file("opened") + " --config " + tmp.file("cfg/nopop.toml"));
  CHECK(np.exit_code == 1);
  CHECK_THAT(np.err, Catch::Contains("no population benchmarks: give --population FILE"));
  // A skew the population does not have, and a population for another survey: refused, named.
  auto bad = test::run(admin + "simulate --responses 4 --skew q21.x=2" + opts);
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--skew: q21 has no benchmark"));
  test::write_file(tmp.file("other.toml"), small_file(kAge + "counts = { \"18_29\" = 1 }\n"));
  auto wrong = test::run(admin + "simulate --responses 4 --population " + tmp.file("other.toml") + opts);
  CHECK(wrong.exit_code == 1);
  CHECK_THAT(wrong.err, Catch::Contains("other.toml:") && Catch::Contains("option \"30_44\" of q20 has no figure"));
}

TEST_CASE("representativeness: Wilson intervals and the responses that would close a gap", "[population][represent]") {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion",
  // table I, method 3 (the score interval without continuity correction).
  const struct {
    std::int64_t k, n;
    double low, high;
  } published[] = {{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0.0, 0.1611}, {1, 29, 0.0061, 0.1718}};
  for (const auto& c : published) {
    INFO(c.k << "/" << c.n);
    CHECK(wilson_interval(c.k, c.n).low == Approx(c.low).margin(1e-4));
    CHECK(wilson_interval(c.k, c.n).high == Approx(c.high).margin(1e-4));
  }
  CHECK(wilson_interval(0, 0).high == 1.0);
  // 295 of 2,333 aged 65+ against 23.1%: the smallest number that reaches it.
  const double p = 33712.0 / 145790.0;
  const auto x = responses_to_reach(295, 2333, p);
  CHECK(static_cast<double>(295 + x) / static_cast<double>(2333 + x) >= p);
  CHECK(static_cast<double>(295 + x - 1) / static_cast<double>(2333 + x - 1) < p);
  CHECK(responses_to_reach(600, 2333, p) == 0);
  CHECK(week_of("2016-06-19T23:59:59Z") == "2016-06-13");  // a Sunday: its week began on Monday the 13th
  CHECK(week_of("2016-06-20T00:00:00Z") == "2016-06-20");
  CHECK(week_of("garbage").empty());
}

TEST_CASE(
    "representativeness: on 20,000 simulated responses with 65+ and Pakistani residents at half their share, "
    "exactly those groups are found under-represented, overall and at the skewed service point",
    "[population][represent]") {
  auto pop = load_population(bury_population_file(), test::bury());
  REQUIRE(pop.ok());
  RepresentativenessTally tally(*pop);
  SimulateOptions skewed;
  skewed.kiosk_id = "castle-01";
  skewed.service_points = {"castle"};
  skewed.population = &*pop;
  skewed.skew = {{"q20.65_plus", 0.5}, {"q22.asian_pakistani", 0.5}};
  SimulateOptions fair = skewed;  // another library, whose respondents are like its residents
  fair.kiosk_id = "bury-01";
  fair.service_points = {"bury"};
  fair.skew.clear();
  for (int i = 0; i < 20000; ++i) {
    const bool at_castle = i % 2 == 0;
    const CompletedResponse r = simulate_one(test::bury(), at_castle ? skewed : fair, static_cast<std::uint64_t>(i));
    std::map<std::string, std::string> choice;
    for (const auto& [q, a] : r.answers)
      if (!a.choices.empty()) choice[q] = a.choices[0];
    tally.add(r.meta.service_point, r.meta.started_utc, choice);
  }
  const auto slices = tally.slices();
  auto under = [&](const RepresentativenessSlice& s) {
    std::set<std::string> out;
    for (const auto& q : s.questions)
      for (const auto& g : q.groups)
        if (g.verdict == Verdict::Under) out.insert(q.benchmark->question + "." + g.code);
    return out;
  };
  const std::set<std::string> expected{"q20.65_plus", "q22.asian_pakistani"};
  CHECK(slices.front().kind == RepresentativenessSlice::Kind::All);
  CHECK(slices.front().responses == 20000);
  CHECK(under(slices.front()) == expected);
  int weeks = 0;
  for (const auto& s : slices) {
    if (s.kind == RepresentativenessSlice::Kind::ServicePoint) {
      INFO(s.key);
      CHECK(under(s) == (s.key == "castle" ? expected : std::set<std::string>{}));
    }
    if (s.kind == RepresentativenessSlice::Kind::Week) ++weeks;
  }
  CHECK(weeks == 13);  // 13 June to 5 September 2016
  // Outside the base and unanswered are counted apart from the comparison.
  const QuestionFigures& age = slices.front().questions[1];
  REQUIRE(age.benchmark->question == "q20");
  CHECK(age.outside_base > 0);
  CHECK(age.not_answered > 0);
  CHECK(age.in_base + age.outside_base + age.not_answered == 20000);
  std::int64_t sum = 0;
  for (const auto& g : age.groups) sum += g.respondents;
  CHECK(sum == age.in_base);
}

TEST_CASE("representativeness: the intervals hold for a question's groups together", "[population][represent]") {
  CHECK(z_for(0.05) == Approx(1.959964).margin(1e-5));
  CHECK(z_for(0.05 / 17) == Approx(2.9738).margin(1e-3));  // 17 ethnic groups: 1 - 0.00147 one-sided
}

TEST_CASE("kiosk-admin breakdown hides small counts so no one can be picked out, and comments hide contact details",
          "[population][cli]") {
  test::TempDir tmp;
  // Opened responses written by hand, with counts chosen to test each rule.
  std::string jsonl;
  int n = 0;
  auto add = [&](const std::string& sex, const std::string& volunteer, const std::string& comment = "") {
    jsonl += "{\"uuid\":\"u" + std::to_string(++n) +
             "\",\"survey_id\":\"bury_libraries_2016\",\"status\":\"completed\",\"service_point\":\"castle\","
             "\"started_utc\":\"2016-06-14T10:00:00Z\",\"answers\":{\"q19\":{\"choices\":[\"" +
             sex + "\"]},\"q16\":{\"choices\":[\"" + volunteer + "\"]}" +
             (comment.empty() ? "" : ",\"q17\":{\"text\":\"" + comment + "\"}") + "}}\n";
  };
  for (int i = 0; i < 12; ++i) add("male", "yes");
  for (int i = 0; i < 8; ++i) add("male", "no");  // 8: hidden, and so the 12 beside it
  for (int i = 0; i < 20; ++i) add("female", "yes");
  for (int i = 0; i < 10; ++i) add("female", "no");
  for (int i = 0; i < 3; ++i) add("other", "yes");  // a group of 3: hidden whole
  add("female", "yes", "Ring me on 07700 900123 or write to jo.bloggs@example.org, BL9 0SW");
  std::filesystem::create_directories(tmp.file("opened"));
  test::write_file(tmp.file("opened/responses.jsonl"), jsonl);
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string survey = " --survey " + test::bury_survey() + " --population " + bury_population_file();
  auto b = test::run(admin + "breakdown " + tmp.file("opened") + " --by q19 --question q16 --csv " + tmp.file("b.csv") +
                     survey);
  INFO(b.out << b.err);
  REQUIRE(b.exit_code == 0);
  CHECK_THAT(b.out, Catch::Contains("q16 Would you consider volunteering") && Catch::Contains("by Sex (q19)"));
  const std::string csv = test::read_file(tmp.file("b.csv"));
  INFO(csv);
  CHECK(csv.find("q19,male,Male,20,q16,yes,Yes,<10,\r\n") != std::string::npos);  // secondary
  CHECK(csv.find("q19,male,Male,20,q16,no,No,<10,\r\n") != std::string::npos);    // primary
  CHECK(csv.find("q19,female,Female,31,q16,yes,Yes,21,") != std::string::npos);
  CHECK(csv.find("q19,female,Female,31,q16,no,No,10,") != std::string::npos);
  CHECK(csv.find("q19,other,Other please specify,<10,q16,yes,Yes,<10,") != std::string::npos);
  // No count from 1 to 9 anywhere in what is printed.
  for (int k = 1; k <= 9; ++k) CHECK(b.out.find("(" + std::to_string(k) + ")") == std::string::npos);
  auto c = test::run(admin + "comments " + tmp.file("opened") + survey);
  REQUIRE(c.exit_code == 0);
  CHECK_THAT(c.out,
             Catch::Contains("Ring me on [phone number removed] or write to [email removed], [postcode removed]"));
  CHECK(c.out.find("07700") == std::string::npos);
  CHECK(c.out.find("example.org") == std::string::npos);
}

TEST_CASE("kiosk-admin spss writes a .sav that PSPP reads with the same counts, weighted and unweighted",
          "[population][cli][spss]") {
  test::TempDir tmp;
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string opts = opened_sample(tmp, 500, 8);
  auto sav = test::run(admin + "spss " + tmp.file("opened") + " --out " + tmp.file("r.sav") + opts);
  INFO(sav.err);
  REQUIRE(sav.exit_code == 0);
  CHECK_THAT(sav.err, Catch::Contains("weighted by \"weight\""));
  // Our own figures for q1 and q20: unweighted counts and weighted sums.
  auto sum = test::run(admin + "summary " + tmp.file("opened") + " --weights " + tmp.file("w.csv") + opts);
  REQUIRE(sum.exit_code == 0);
  std::map<std::string, double> weight_of;
  {
    std::istringstream in(test::read_file(tmp.file("w.csv")));
    std::string row;
    std::getline(in, row);
    while (std::getline(in, row)) weight_of[row.substr(0, row.find(','))] = std::stod(row.substr(row.find(',') + 1));
  }
  std::map<std::string, std::map<std::string, double>> weighted;  // question -> code -> sum of weights
  std::map<std::string, std::map<std::string, int>> counted;
  {
    std::istringstream in(test::read_file(tmp.file("opened/responses.jsonl")));
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (j["status"] != "completed") continue;
      for (const char* q : {"q1", "q20"})
        if (j["answers"].contains(q)) {
          const std::string code = j["answers"][q]["choices"][0];
          weighted[q][code] += weight_of.at(j["uuid"]);
          ++counted[q][code];
        }
    }
  }
  // PSPP reads the file: its dictionary, then frequencies weighted (the file's
  // weight variable) and unweighted, as CSV.
  test::write_file(tmp.file("check.sps"), "GET FILE='" + tmp.file("r.sav") +
                                              "'.\nDISPLAY DICTIONARY /VARIABLES=q1 q20 weight service_point_name.\n"
                                              "LIST /VARIABLES=service_point_name /CASES=FROM 1 TO 1.\n"
                                              "SHOW WEIGHT.\nFREQUENCIES /VARIABLES=q1 q20.\nWEIGHT OFF.\n"
                                              "FREQUENCIES /VARIABLES=q1 q20.\n");
  auto p = test::run("pspp -O format=csv -o " + tmp.file("out.csv") + " " + tmp.file("check.sps"));
  INFO(p.out << p.err);
  REQUIRE(p.exit_code == 0);
  const std::string out = test::read_file(tmp.file("out.csv"));
  INFO(out.substr(0, 4000));
  CHECK_THAT(out, Catch::Contains("Principle 1"));     // the variable label
  CHECK_THAT(out, Catch::Contains("Strongly agree"));  // value labels
  CHECK_THAT(out, Catch::Contains("What is your age?"));
  CHECK_THAT(out, Catch::Contains("Castle Leisure Centre library"));
  CHECK_THAT(out, Catch::Contains("weight"));
  // Each frequency PSPP printed, weighted (first) then unweighted, equals ours.
  auto freq = [&](const std::string& table, int nth, const std::string& label) -> double {
    size_t at = 0;
    for (int k = 0; k <= nth; ++k) {
      at = out.find("Table: " + table, at + 1);
      if (at == std::string::npos) return -1;
    }
    const size_t row = out.find("," + label + ",", at);
    if (row == std::string::npos) return -1;
    const size_t num = row + label.size() + 2;
    return std::stod(out.substr(num, out.find(',', num) - num));
  };
  const double sa_w = freq("Principle 1", 0, "Strongly agree"), sa_u = freq("Principle 1", 1, "Strongly agree");
  const double over65_w = freq("What is your age?", 0, "65+"), over65_u = freq("What is your age?", 1, "65+");
  CHECK(sa_w == Approx(weighted["q1"]["strongly_agree"]).margin(0.51));  // PSPP shows whole cases
  CHECK(over65_w == Approx(weighted["q20"]["65_plus"]).margin(0.51));
  CHECK(sa_u == counted["q1"]["strongly_agree"]);
  CHECK(over65_u == counted["q20"]["65_plus"]);
  // Weighted, 65+ are their share of Bury's adults again (they answered at about half of it).
  double in_base = 0;
  for (const char* c : {"18_29", "30_44", "45_64", "65_plus"}) in_base += weighted["q20"][c];
  CHECK(weighted["q20"]["65_plus"] / in_base == Approx(33712.0 / 145790.0).margin(1e-4));
  CHECK(over65_w > over65_u);
}

TEST_CASE(
    "kiosk-admin workbook writes an .xlsx that gnumeric reads: responses, codebook, a sheet and chart per "
    "question, representativeness",
    "[population][cli][xlsx]") {
  test::TempDir tmp;
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string opts = opened_sample(tmp, 300, 9);
  auto wb = test::run(admin + "workbook " + tmp.file("opened") + " --out " + tmp.file("r.xlsx") + opts);
  INFO(wb.err);
  REQUIRE(wb.exit_code == 0);
  // gnumeric's ssconvert reads every sheet into its own CSV.
  auto conv = test::run("ssconvert --export-file-per-sheet " + tmp.file("r.xlsx") + " " + tmp.file("sheet-%s.csv"));
  INFO(conv.out << conv.err);
  REQUIRE(conv.exit_code == 0);
  for (const char* sheet : {"About", "Responses", "Codebook", "q1", "q20", "q22", "Representativeness"})
    CHECK(std::filesystem::exists(tmp.file(std::string("sheet-") + sheet + ".csv")));
  CHECK_FALSE(std::filesystem::exists(tmp.file("sheet-q17.csv")));  // free text has no table
  // Counted from the opened responses themselves.
  long completed = 0, strongly = 0;
  {
    std::istringstream in(test::read_file(tmp.file("opened/responses.jsonl")));
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (j["status"] != "completed") continue;
      ++completed;
      if (j["answers"].contains("q1") && j["answers"]["q1"]["choices"][0] == "strongly_agree") ++strongly;
    }
  }
  // Responses: a header and one row per completed response, codes beside labels.
  const std::string responses = test::read_file(tmp.file("sheet-Responses.csv"));
  CHECK(std::count(responses.begin(), responses.end(), '\n') == completed + 1);
  CHECK(responses.rfind("response_uuid,service_point,service_point_name,started_utc,started_local", 0) == 0);
  CHECK_THAT(responses, Catch::Contains("Castle Leisure Centre library"));
  CHECK_THAT(responses, Catch::Contains(",1,Strongly agree,") || Catch::Contains(",1,\"Strongly agree\","));
  // q1's sheet: its table, with the n of "Strongly agree" as counted.
  const std::string q1 = test::read_file(tmp.file("sheet-q1.csv"));
  // (ssconvert quotes text with spaces in its CSV.)
  CHECK_THAT(q1, Catch::Contains("Answer,n,\"Unweighted %\",\"Weighted %\",\"Margin of error (95%)\""));
  CHECK_THAT(q1, Catch::Contains("\n\"Strongly agree\"," + std::to_string(strongly) + ","));
  const std::string rep = test::read_file(tmp.file("sheet-Representativeness.csv"));
  CHECK_THAT(rep, Catch::Contains("all,,q20,Age,\"65+ (Age)\","));
  CHECK_THAT(rep, Catch::Contains("under-represented"));
  // Native charts: one per question sheet and one for representativeness, in the package.
  auto charts = test::run("unzip -l " + tmp.file("r.xlsx"));
  REQUIRE(charts.exit_code == 0);
  CHECK_THAT(charts.out, Catch::Contains("xl/charts/chart1.xml") && Catch::Contains("xl/charts/chart20.xml"));
}

namespace {

// Text without spaces and the direction marks pdftotext puts around
// right-to-left runs: Nastaliq's cascading glyphs come back with spaces
// between them, but every character in its order.
std::string letters_only(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ' ' || s[i] == '\n') continue;
    // U+200E/U+200F/U+202A-U+202E (E2 80 8E/8F/AA-AE)
    if (i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80) {
      const auto c = static_cast<unsigned char>(s[i + 2]);
      if (c == 0x8E || c == 0x8F || (c >= 0xAA && c <= 0xAE)) {
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

TEST_CASE(
    "kiosk-admin report writes a tagged PDF and an HTML file with every section, the verdicts, suppressed "
    "breakdowns and the Polish and Urdu comments",
    "[population][cli][report]") {
  test::TempDir tmp;
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string opts = opened_sample(tmp, 400, 11);
  // What the report must carry, counted from the opened responses themselves.
  long completed = 0;
  std::string polish, urdu;
  {
    std::istringstream in(test::read_file(tmp.file("opened/responses.jsonl")));
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line);
      if (j["status"] != "completed") continue;
      ++completed;
      if (!j["answers"].contains("q17")) continue;
      if (j["locale"] == "pl") polish = j["answers"]["q17"]["text"];
      if (j["locale"] == "ur") urdu = j["answers"]["q17"]["text"];
    }
  }
  REQUIRE_FALSE(polish.empty());  // the sample has a comment in each language to look for
  REQUIRE_FALSE(urdu.empty());
  auto r = test::run(admin + "report " + tmp.file("opened") + " --pdf " + tmp.file("r.pdf") + " --html " +
                     tmp.file("r.html") + opts);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto info = test::run("pdfinfo " + tmp.file("r.pdf"));
  REQUIRE(info.exit_code == 0);
  CHECK_THAT(info.out, Catch::Contains("Tagged:          yes"));
  CHECK_THAT(info.out, Catch::Contains("Title:           Libraries Initial Public Consultation: consultation report"));
  auto text = test::run("pdftotext -enc UTF-8 " + tmp.file("r.pdf") + " -");
  REQUIRE(text.exit_code == 0);
  const std::string html = test::read_file(tmp.file("r.html"));
  {
    // What cairo 1.16 cannot write, read back from the file by qpdf: every
    // chart (Figure) carries its text alternative, as the HTML's figures do;
    // the document says its language, and viewers show its title.
    auto js = test::run("qpdf --json=2 --json-key=qpdf " + tmp.file("r.pdf"));
    REQUIRE(js.exit_code == 0);
    const auto objects = nlohmann::json::parse(js.out)["qpdf"][1];
    int figures = 0, with_alt = 0;
    nlohmann::json catalog;
    for (const auto& [id, o] : objects.items()) {
      if (!o.contains("value") || !o["value"].is_object()) continue;
      const auto& v = o["value"];
      if (v.value("/Type", "") == "/Catalog") catalog = v;
      if (v.value("/S", "") != "/Figure") continue;
      ++figures;
      with_alt += v.contains("/Alt") && v["/Alt"].get<std::string>().rfind("u:Bar chart of ", 0) == 0;
    }
    size_t html_figures = 0;
    for (size_t at = html.find("<figure"); at != std::string::npos; at = html.find("<figure", at + 1)) ++html_figures;
    CHECK(figures > 10);
    CHECK(static_cast<size_t>(figures) == html_figures);
    CHECK(with_alt == figures);
    CHECK(catalog.value("/Lang", "") == "u:en");
    CHECK(catalog["/ViewerPreferences"].value("/DisplayDocTitle", false));
  }
  std::ostringstream n;
  n << completed << " completed responses";
  for (const std::string& doc : {text.out, html}) {
    for (const char* want :
         {"1. How the consultation ran", "2. Responses per service point", "3. Who answered, against who lives in Bury",
          "4. Results per question", "5. Results by protected characteristic and by service point",
          "Appendix: comments", "Castle Leisure Centre library", "Age (q20), against residents aged 18 and over"})
      CHECK_THAT(doc, Catch::Contains(want));
    CHECK_THAT(doc, Catch::Contains(n.str()));
    // 65+ answered at half their share: found under-represented, with the responses that would close the gap.
    bool said = false;
    for (size_t at = doc.find("65+"); at != std::string::npos && !said; at = doc.find("65+", at + 1))
      said = doc.substr(at, 300).find("under-represented: about ") != std::string::npos;
    CHECK(said);
    CHECK_THAT(doc, Catch::Contains(polish));
  }
  CHECK_THAT(html, Catch::Contains(urdu));
  // pdftotext reads the lam-alef ligature's two letters back in visual order
  // (alef, lam); the PDF carries them in logical order for the ligature.
  std::string urdu_read = letters_only(urdu);
  for (size_t at = urdu_read.find("\u0644\u0627"); at != std::string::npos; at = urdu_read.find("\u0644\u0627", at + 4))
    urdu_read.replace(at, 4, "\u0627\u0644");
  INFO("Urdu comment: " << urdu);
  CHECK_THAT(letters_only(text.out), Catch::Contains(urdu_read));
  // The HTML stands alone: no script, nothing fetched.
  CHECK_THAT(html, !Catch::Contains("<script") && !Catch::Contains("src=") && !Catch::Contains("href=\"http"));
  // Every breakdown cell published in section 5 stands for no fewer than 10
  // people: a group's share times its n is 0 or at least 10; smaller groups
  // and cells show only "<10".
  const auto from = html.find("5. Results by protected characteristic and by service point</h2>");
  const auto to = html.find("Appendix: comments</h2>");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  const std::string breakdowns = html.substr(from, to - from);
  const std::regex row(
      R"(<tr><th scope="row">[^<]*</th><td class="n">([^<]*)</td>((?:<td class="n">[^<]*</td>)*)</tr>)");
  const std::regex cellre(R"(<td class="n">([^<]*)</td>)");
  int rows = 0, hidden = 0, shown = 0;
  for (auto it = std::sregex_iterator(breakdowns.begin(), breakdowns.end(), row); it != std::sregex_iterator(); ++it) {
    ++rows;
    const std::string group_n = (*it)[1];
    const std::string cells = (*it)[2];
    if (group_n == "&lt;10") {
      for (auto c = std::sregex_iterator(cells.begin(), cells.end(), cellre); c != std::sregex_iterator(); ++c)
        CHECK((*c)[1] == "&lt;10");
      continue;
    }
    std::string digits;
    for (char ch : group_n)
      if (ch != ',') digits += ch;
    const double gn = std::stod(digits);
    CHECK(gn >= 10);
    for (auto c = std::sregex_iterator(cells.begin(), cells.end(), cellre); c != std::sregex_iterator(); ++c) {
      const std::string v = (*c)[1];
      if (v == "&lt;10") {
        ++hidden;
        continue;
      }
      ++shown;
      const double count = std::round(std::stod(v) / 100 * gn);
      INFO(v << " of " << gn);
      CHECK((count == 0 || count >= 10));
    }
  }
  CHECK(rows > 50);
  CHECK(hidden > 0);
  CHECK(shown > 100);

  // Sections 3 and 4 publish counts about who the respondents are too: each
  // group's count there (the first number after its name) is 0, at least 10,
  // or "<10" with its share hidden, in the representativeness tables and in
  // the results of every benchmarked question.
  auto check_counts = [&](const std::string& part, int& small, int& big) {
    const std::regex group_row(
        R"re(<tr><th scope="row">[^<]*</th><td class="n">([^<]*)</td><td class="n">([^<]*)</td>)re");
    for (auto it = std::sregex_iterator(part.begin(), part.end(), group_row); it != std::sregex_iterator(); ++it) {
      const std::string count = (*it)[1], share = (*it)[2];
      if (count == "&lt;10") {
        ++small;
        CHECK(share == "&lt;10");
        continue;
      }
      std::string digits;
      for (char ch : count)
        if (ch != ',') digits += ch;
      const long v = std::stol(digits);
      INFO(count);
      CHECK((v == 0 || v >= 10));
      ++big;
    }
  };
  const auto s3 = html.find("3. Who answered, against who lives in Bury");
  const auto s4 = html.find("4. Results per question</h2>");
  REQUIRE(s3 != std::string::npos);
  REQUIRE(s4 != std::string::npos);
  int small3 = 0, big3 = 0;
  const std::string section3 = html.substr(s3, html.find("Under-represented groups, by service point") - s3);
  check_counts(section3, small3, big3);
  CHECK(small3 > 0);  // the sample's smaller ethnic groups
  CHECK(big3 > 10);
  for (const char* q : {"q19", "q20", "q22", "q23", "q24"}) {
    const auto at = html.find(std::string(">") + q + ": answers</caption>", s4);
    INFO(q);
    REQUIRE(at != std::string::npos);
    const std::string one = html.substr(at, html.find("</table>", at) - at);
    int small4 = 0, big4 = 0;
    check_counts(one, small4, big4);
    CHECK(big4 > 0);
  }
}

TEST_CASE("kiosk-admin report refuses an export with no completed responses, and says why representativeness is absent",
          "[population][cli][report]") {
  test::TempDir tmp;
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  const std::string opts = opened_sample(tmp, 60, 12);
  // No population file: the report is written, and says why there is no comparison.
  std::filesystem::copy(test::source_path("kiosk-config"), tmp.file("cfg"), std::filesystem::copy_options::recursive);
  std::string toml = test::read_file(tmp.file("cfg/kiosk.toml"));
  toml.replace(toml.find("population = "), 11, "# populatio");
  test::write_file(tmp.file("cfg/kiosk.toml"), toml);
  std::string no_pop = opts;
  no_pop.replace(no_pop.find(test::kiosk_toml()), test::kiosk_toml().size(), tmp.file("cfg/kiosk.toml"));
  auto r = test::run(admin + "report " + tmp.file("opened") + " --html " + tmp.file("r.html") + no_pop);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string html = test::read_file(tmp.file("r.html"));
  CHECK_THAT(html, Catch::Contains("Not shown: no population file was given"));
  CHECK_THAT(html, Catch::Contains("Unweighted: no population file was given"));
  // No completed response: nothing is presented as a report.
  std::filesystem::create_directories(tmp.file("empty"));
  test::write_file(tmp.file("empty/responses.jsonl"), "");
  auto e = test::run(admin + "report " + tmp.file("empty") + " --pdf " + tmp.file("e.pdf") + opts);
  CHECK(e.exit_code == 1);
  CHECK_THAT(e.err, Catch::Contains("no completed responses: no report written"));
  CHECK_FALSE(std::filesystem::exists(tmp.file("e.pdf")));
  // Neither --pdf nor --html: a usage error.
  auto u = test::run(admin + "report " + tmp.file("opened") + opts);
  CHECK(u.exit_code == 2);
  CHECK_THAT(u.err, Catch::Contains("usage: kiosk-admin report DIR --pdf FILE"));
  // A PDF that cannot be written is said, not left half-written.
  auto w = test::run(admin + "report " + tmp.file("opened") + " --pdf " + tmp.file("no/such/dir/r.pdf") + opts);
  CHECK(w.exit_code == 1);
  CHECK_THAT(w.err, Catch::Contains("could not write the PDF"));
}

TEST_CASE("kiosk-admin spss: a number is a scale variable and a date a date, as PSPP reads them",
          "[population][cli][spss]") {
  test::TempDir tmp;
  std::string jsonl;
  int n = 0;
  auto add = [&](const std::string& visits, const std::string& miles, const std::string& date) {
    jsonl += "{\"uuid\":\"u" + std::to_string(++n) +
             "\",\"survey_id\":\"question_kinds\",\"status\":\"completed\",\"service_point\":\"castle\","
             "\"started_utc\":\"2016-06-14T10:00:00Z\",\"answers\":{\"visits\":{\"text\":\"" +
             visits + "\"},\"miles\":{\"text\":\"" + miles + "\"},\"last_visit\":{\"text\":\"" + date + "\"}}}\n";
  };
  add("12", "2.5", "2016-06-13");
  add("3", "0.5", "2016-02-29");
  add("0", "10", "2016-12-31");
  std::filesystem::create_directories(tmp.file("opened"));
  test::write_file(tmp.file("opened/responses.jsonl"), jsonl);
  const std::string admin = std::string(KIOSK_ADMIN_BIN) + " ";
  auto sav = test::run(admin + "spss " + tmp.file("opened") + " --out " + tmp.file("k.sav") + " --survey " +
                       test::source_path("tests/surveys/question-kinds.toml"));
  INFO(sav.out << sav.err);
  REQUIRE(sav.exit_code == 0);
  test::write_file(tmp.file("k.sps"), "GET FILE='" + tmp.file("k.sav") +
                                          "'.\nDISPLAY DICTIONARY /VARIABLES=visits miles last_visit.\n"
                                          "LIST /VARIABLES=visits miles last_visit.\n"
                                          "DESCRIPTIVES /VARIABLES=visits miles.\n");
  auto p = test::run("pspp -O format=csv -o " + tmp.file("out.csv") + " " + tmp.file("k.sps"));
  INFO(p.out << p.err);
  REQUIRE(p.exit_code == 0);
  const std::string out = test::read_file(tmp.file("out.csv"));
  INFO(out);
  // The dictionary: numbers on a scale with their places; the date a date.
  CHECK_THAT(out,
             Catch::Contains("How many times have you visited a library in the last month?,Scale,Input,8,Right,F12.0"));
  CHECK_THAT(out, Catch::Contains("F12.1"));
  CHECK_THAT(out, Catch::Contains("DATE11"));
  // Each case as typed, the dates as dates (29 February 2016 included).
  CHECK_THAT(out, Catch::Contains("12,2.5,13-JUN-2016"));
  CHECK_THAT(out, Catch::Contains("3,.5,29-FEB-2016"));
  CHECK_THAT(out, Catch::Contains("0,10.0,31-DEC-2016"));
  // PSPP's own arithmetic on them: the mean of 12, 3 and 0 is 5.
  CHECK_THAT(out, Catch::Contains(",3,5.00,"));
}
