// Opening hours as staff write them: the kiosk sleeps outside them.
#include <catch2/catch.hpp>

#include "kiosk/config.hpp"
#include "kiosk/opening_hours.hpp"
#include "support.hpp"

using namespace kiosk;

namespace {
constexpr int kDay = 1440;
int at(int day, int h, int m = 0) { return day * kDay + h * 60 + m; }  // day 0 = Monday
}  // namespace

TEST_CASE("opening hours: days, ranges of days, split days and closed days", "[hours]") {
  auto h = parse_opening_hours({"Monday 9:30 to 17:00", "Tuesday to Friday 9:00 to 13:00 and 14:00 to 17:00",
                                "sat 10:00 to 12:00", "Sunday closed"});
  REQUIRE(h);
  CHECK_FALSE(h->always_open());
  CHECK_FALSE(h->open_at(at(0, 9, 29)));
  CHECK(h->open_at(at(0, 9, 30)));
  CHECK(h->open_at(at(0, 16, 59)));
  CHECK_FALSE(h->open_at(at(0, 17, 0)));   // closes at 17:00
  CHECK(h->open_at(at(3, 12, 59)));        // Thursday, in the range
  CHECK_FALSE(h->open_at(at(3, 13, 30)));  // lunch
  CHECK(h->open_at(at(4, 14, 0)));
  CHECK(h->open_at(at(5, 11, 0)));
  CHECK_FALSE(h->open_at(at(6, 11, 0)));
  // From Saturday 12:00 to Monday 9:30: 45.5 hours.
  CHECK(h->minutes_to_opening(at(5, 12, 0)) == 45 * 60 + 30);
  CHECK(h->minutes_to_opening(at(0, 10, 0)) == 0);
  CHECK(parse_opening_hours({})->always_open());
  CHECK(parse_opening_hours({})->minutes_to_opening(123) == 0);
}

TEST_CASE("opening hours that cannot be read are refused, naming the line and the fault", "[hours]") {
  for (const auto& [line, fault] : std::vector<std::pair<std::string, std::string>>{
           {"Mondays 9:00 to 17:00", "\"Mondays\" is not a day"},
           {"Monday 9 to 17", "\"9\" is not a time"},
           {"Monday 17:00 to 9:00", "closes before it opens"},
           {"Monday 9:00 to 25:00", "\"25:00\" is not a time"},
           {"Monday 9:00 to 12:00 and", "\"and\" is not followed"},
           {"Monday", "no times given"},
       }) {
    auto h = parse_opening_hours({line});
    INFO(line);
    REQUIRE_FALSE(h);
    CHECK(h.kind() == ErrorKind::Config);
    CHECK_THAT(h.message(), Catch::Contains(line) && Catch::Contains(fault));
  }
}

TEST_CASE("a service point whose hours cannot be read stops the configuration loading, naming it", "[hours][config]") {
  test::TempDir tmp;
  const std::string sp = tmp.file("service-points.toml");
  test::write_file(sp, "[[service_point]]\nid = \"castle\"\nname = \"Castle\"\nhours = [\"Monday nine to five\"]\n");
  const std::string cfg = tmp.file("kiosk.toml");
  test::write_file(cfg, "[kiosk]\nid = \"k\"\nname = \"K\"\nservice_point = \"castle\"\nsurvey = \"" +
                            test::bury_survey() + "\"\nservice_points = \"" + sp + "\"\n");
  auto c = load_config(cfg);
  REQUIRE_FALSE(c);
  CHECK_THAT(c.message(), Catch::Contains(sp) && Catch::Contains("service_point[0].hours") &&
                              Catch::Contains("Monday nine to five"));
}
