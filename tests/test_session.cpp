#include <catch2/catch.hpp>
#include <set>

#include "kiosk/crypto.hpp"
#include "kiosk/postcode.hpp"
#include "kiosk/session.hpp"
#include "kiosk/store.hpp"
#include "support.hpp"

using namespace kiosk;

namespace {

const Survey& bury() { return test::bury(); }

Answer choose(std::string code) { return Answer{{std::move(code)}, {}, {}}; }
Answer type_text(std::string t) { return Answer{{}, std::move(t), {}}; }

ResponseMeta meta() {
  ResponseMeta m;
  m.kiosk_id = "k1";
  m.service_point = "castle";
  return m;
}

// Answers every visible question the way `pick` says, recording the order.
std::vector<std::string> walk(Session& s, const std::map<std::string, Answer>& pick) {
  std::vector<std::string> seen;
  while (s.stage() == Session::Stage::Question) {
    const Question& q = *s.current();
    seen.push_back(q.id);
    Answer a;
    if (auto it = pick.find(q.id); it != pick.end())
      a = it->second;
    else if (q.required)
      a = choose(q.options.front().code);
    REQUIRE(s.answer(a).ok());
    auto st = s.next();
    INFO(q.id << ": " << (st ? "" : st.message()));
    REQUIRE(st.ok());
  }
  return seen;
}

}  // namespace

TEST_CASE("every skip path of the Bury survey shows exactly the right questions", "[session]") {
  struct Path {
    const char* q7;
    const char* q9;
    std::vector<std::string> hidden;
  };
  const std::vector<Path> paths = {
      {"yes", "yes", {"q12"}},
      {"yes", "no", {"q10", "q11"}},
      {"no", "yes", {"q8", "q12"}},
      {"no", "no", {"q8", "q10", "q11"}},
  };
  for (const auto& p : paths) {
    DYNAMIC_SECTION("Q7 = " << p.q7 << ", Q9 = " << p.q9) {
      FakeClock clock;
      auto s = Session::start(bury(), meta(), clock, nullptr);
      REQUIRE(s.ok());
      const auto seen = walk(**s, {{"q7", choose(p.q7)},
                                   {"q9", choose(p.q9)},
                                   {"q8", type_text("Openness")},
                                   {"q12", Answer{{"too_far", "other"}, {}, "No bus on Sundays"}}});
      std::vector<std::string> expected;
      for (const auto& q : bury().questions)
        if (std::find(p.hidden.begin(), p.hidden.end(), q.id) == p.hidden.end()) expected.push_back(q.id);
      CHECK(seen == expected);
      CHECK((*s)->stage() == Session::Stage::Review);
      CHECK((*s)->progress().total == static_cast<int>(expected.size()));
      REQUIRE((*s)->submit().ok());
      for (const auto& h : p.hidden) CHECK((*s)->answer_for(h) == nullptr);
    }
  }
}

TEST_CASE("changing Q9 drops the answers of questions that become hidden, also in the store", "[session]") {
  test::TempDir tmp;
  auto store = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(store.ok());
  FakeClock clock;
  auto s = Session::start(bury(), meta(), clock, store->get());
  REQUIRE(s.ok());
  Session& ss = **s;
  while (ss.current()->id != "q9") {
    const Question& q = *ss.current();
    REQUIRE(ss.answer(q.has_options() ? choose(q.options.front().code) : type_text("Fairness")).ok());
    REQUIRE(ss.next().ok());
  }
  REQUIRE(ss.answer(choose("yes")).ok());
  REQUIRE(ss.next().ok());
  CHECK(ss.current()->id == "q10");
  REQUIRE(ss.answer(choose("weekly")).ok());
  REQUIRE(ss.next().ok());
  REQUIRE(ss.answer(Answer{{"other"}, {}, "Mobility scooter"}).ok());
  REQUIRE(ss.back());
  REQUIRE(ss.back());
  CHECK(ss.current()->id == "q9");
  REQUIRE(ss.answer(choose("no")).ok());
  CHECK(ss.answer_for("q10") == nullptr);
  CHECK(ss.answer_for("q11") == nullptr);
  REQUIRE(ss.next().ok());
  CHECK(ss.current()->id == "q12");

  // The sealed draft on disk holds the answers as they are now.
  auto q = db::Statement::prepare((*store)->connection(), "SELECT uuid, key_id, sealed FROM responses WHERE id=?1");
  REQUIRE(q.ok());
  q->bind(1, ss.response_id());
  REQUIRE(*q->step());
  struct {
    std::string uuid, key_id, sealed;
  } row{q->str(0), q->str(1), q->blob(2)};
  auto draft = parse_canonical_document(test::opened(row));
  REQUIRE(draft.ok());
  CHECK(draft->first.status == "abandoned");
  CHECK(draft->second.count("q10") == 0);
  CHECK(draft->second.count("q11") == 0);
  REQUIRE(draft->second.count("q9") == 1);
  CHECK(draft->second.at("q9").choices == std::vector<std::string>{"no"});
}

TEST_CASE("validation speaks to the visitor", "[session]") {
  FakeClock clock;
  auto s = Session::start(bury(), meta(), clock, nullptr);
  REQUIRE(s.ok());
  Session& ss = **s;
  SECTION("a required question needs an answer") {
    auto st = ss.next();
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == "Please choose an answer to continue.");
    CHECK(ss.current()->id == "q1");
  }
  SECTION("only one answer to a single-choice question") {
    auto st = ss.answer(Answer{{"agree", "disagree"}, {}, {}});
    REQUIRE_FALSE(st.ok());
    CHECK(st.message() == "Please choose only one answer.");
  }
  SECTION("an unknown code is refused") { CHECK_FALSE(ss.answer(choose("perhaps")).ok()); }
  SECTION("back from the first question reports there is nothing before it") { CHECK_FALSE(ss.back()); }
}

TEST_CASE("free text limits and postcodes", "[session]") {
  const Question& q8 = *bury().find("q8");
  CHECK_FALSE(validate_answer(q8, type_text(std::string(1000, 'a')), true));
  auto too_long = validate_answer(q8, type_text(std::string(1001, 'a')), true);
  REQUIRE(too_long);
  CHECK(*too_long == "Your answer is too long: please use at most 1000 characters (it has 1001).");
  // Characters, not bytes: 1000 accented letters are fine.
  std::string accented;
  for (int i = 0; i < 1000; ++i) accented += "\xC3\xA9";
  CHECK_FALSE(validate_answer(q8, type_text(accented), true));

  const Question& q21 = *bury().find("q21");
  CHECK_FALSE(validate_answer(q21, type_text("BL9 0SW"), true));
  CHECK_FALSE(validate_answer(q21, type_text("m26"), true));
  auto bad = validate_answer(q21, type_text("12345"), true);
  REQUIRE(bad);
  CHECK_THAT(*bad, Catch::Contains("does not look like a UK postcode"));
  // The example postcode is the deployment's (kiosk.toml), never the core's.
  CHECK_THAT(*bad, !Catch::Contains("BL9"));

  const Question& q11 = *bury().find("q11");
  auto other_empty = validate_answer(q11, Answer{{"other"}, {}, ""}, true);
  REQUIRE(other_empty);
  CHECK_THAT(*other_empty, Catch::Contains("please type what you mean"));
}

TEST_CASE("UK postcodes are recognised and normalised", "[postcode]") {
  CHECK(normalise_uk_postcode("bl90sw") == std::optional<std::string>("BL9 0SW"));
  CHECK(normalise_uk_postcode(" M26  2SP ") == std::optional<std::string>("M26 2SP"));
  CHECK(normalise_uk_postcode("EC1A 1BB") == std::optional<std::string>("EC1A 1BB"));
  CHECK(normalise_uk_postcode("W1A 0AX") == std::optional<std::string>("W1A 0AX"));
  CHECK(normalise_uk_postcode("BL9") == std::optional<std::string>("BL9"));
  CHECK(normalise_uk_postcode("gir 0aa") == std::optional<std::string>("GIR 0AA"));
  CHECK_FALSE(normalise_uk_postcode(""));
  CHECK_FALSE(normalise_uk_postcode("BL9 0S"));
  CHECK_FALSE(normalise_uk_postcode("9BL 0SW"));
  CHECK_FALSE(normalise_uk_postcode("BL9-0SW"));
  CHECK_FALSE(normalise_uk_postcode("BL9 0SWW"));
}

TEST_CASE("review, edit and return to review: progress counts visible questions", "[session]") {
  FakeClock clock;
  auto s = Session::start(bury(), meta(), clock, nullptr);
  REQUIRE(s.ok());
  Session& ss = **s;
  CHECK(ss.progress().position == 1);
  const int total_before = ss.progress().total;  // q8 hidden (q7 unanswered), q10-q12 hidden
  CHECK(total_before == 21);
  walk(ss, {{"q7", choose("no")}, {"q9", choose("yes")}});
  REQUIRE(ss.stage() == Session::Stage::Review);
  REQUIRE(ss.edit("q3").ok());
  CHECK(ss.current()->id == "q3");
  REQUIRE(ss.answer(choose("disagree")).ok());
  REQUIRE(ss.next().ok());
  CHECK(ss.stage() == Session::Stage::Review);
  CHECK(ss.answer_for("q3")->choices == std::vector<std::string>{"disagree"});
  CHECK_FALSE(ss.edit("q12").ok());  // hidden: not part of the answers
}

TEST_CASE("submit freezes a canonical document whose hash is its SHA-256", "[session]") {
  FakeClock clock;
  auto s = Session::start(bury(), meta(), clock, nullptr);
  REQUIRE(s.ok());
  walk(**s, {{"q7", choose("yes")},
             {"q8", type_text("Fairness, \"openness\"")},
             {"q9", choose("no")},
             {"q12", Answer{{"hours"}, {}, {}}}});
  clock.advance(std::chrono::minutes(7));
  REQUIRE((*s)->submit().ok());
  const auto& m = (*s)->meta();
  CHECK(m.started_utc == "2016-03-01T08:00:00Z");
  CHECK(m.ended_utc == "2016-03-01T08:07:00Z");
  CHECK(is_uuid(m.uuid));
  const std::string doc = canonical_document(m, (*s)->answers());
  CHECK((*s)->content_hash() == sha256_hex(doc));
  auto parsed = parse_canonical_document(doc);
  REQUIRE(parsed.ok());
  CHECK(parsed->second == (*s)->answers());
  CHECK(parsed->first.uuid == m.uuid);
  CHECK((*s)->submit().ok() == false);  // closed
}

TEST_CASE("assisted mode and accessibility settings are recorded with the response", "[session]") {
  test::TempDir tmp;
  auto store = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(store.ok());
  FakeClock clock;
  auto s = Session::start(bury(), meta(), clock, store->get());
  REQUIRE(s.ok());
  REQUIRE((*s)->set_assisted("staff-01", {"read_aloud", "scribed"}).ok());
  REQUIRE((*s)->set_accessibility("text_scale", "200").ok());
  walk(**s, {});
  REQUIRE((*s)->submit().ok());
  auto doc = parse_canonical_document(test::opened((*store)->pending(10)->at(0)));
  REQUIRE(doc.ok());
  CHECK(doc->first.mode == "assisted");
  CHECK(doc->first.staff_id == "staff-01");
  CHECK(doc->first.assistance == std::vector<std::string>{"read_aloud", "scribed"});
  CHECK(doc->first.accessibility.at("text_scale") == "200");
}

TEST_CASE(
    "numbers are typed digit by digit and checked against their range once the visitor moves on, and a note takes no "
    "answer",
    "[session]") {
  auto s = parse_survey(R"(format = 1
id = "numbers"
version = "1"
default_locale = "en"
title = "Numbers"
[[sections]]
id = "s1"
[[sections.questions]]
id = "visits"
type = "integer"
text = "How many times have you visited in the last month?"
min = 0
max = 31
[[sections.questions]]
id = "miles"
type = "decimal"
decimals = 1
min = 0.5
text = "How far did you travel, in miles?"
[[sections.questions]]
id = "thanks"
type = "note"
text = "Thank you: nearly done."
)",
                        "numbers.toml");
  REQUIRE(s.ok());
  const Question& visits = *s->find("visits");
  const Question& miles = *s->find("miles");
  const Question& note = *s->find("thanks");
  CHECK(visits.max_length >= 2);
  // While typing: a sign, digits, one point on a decimal.
  CHECK_FALSE(validate_answer(visits, type_text("-"), false));
  CHECK_FALSE(validate_answer(miles, type_text("3."), false));
  CHECK(validate_answer(visits, type_text("3."), false) == "Please type a whole number, using the digits 0 to 9.");
  CHECK(validate_answer(visits, type_text("1a"), false) == "Please type a whole number, using the digits 0 to 9.");
  CHECK(validate_answer(miles, type_text("3.25"), false) ==
        "Please type a number, such as 12 or 3.5, with at most 1 digits after the point.");
  // Moving on: a whole number in range.
  CHECK_FALSE(validate_answer(visits, type_text("31"), true));
  CHECK_FALSE(validate_answer(visits, type_text("0"), true));
  CHECK(validate_answer(visits, type_text("32"), true) == "Please type a number from 0 to 31.");
  CHECK(validate_answer(visits, type_text("-"), true) == "Please type a whole number, using the digits 0 to 9.");
  CHECK(validate_answer(miles, type_text("0.4"), true) == "Please type a number of at least 0.5.");
  CHECK(validate_answer(miles, type_text("3."), true) ==
        "Please type a number, such as 12 or 3.5, with at most 1 digits after the point.");
  CHECK_FALSE(validate_answer(miles, type_text("12.5"), true));
  CHECK(validate_answer(visits, choose("3"), true) == "This question is answered by typing, not by choosing.");
  // A note: nothing to answer, and nothing may be given.
  CHECK_FALSE(validate_answer(note, Answer{}, true));
  CHECK(validate_answer(note, type_text("x"), true) == "This is a note: it takes no answer.");
  // The visit: a number typed, the note passed with Next alone.
  FakeClock clock;
  auto session = Session::start(*s, meta(), clock, nullptr);
  REQUIRE(session.ok());
  Session& v = **session;
  REQUIRE(v.answer(type_text("4")).ok());
  REQUIRE(v.next().ok());
  REQUIRE(v.answer(type_text("0.2")).ok());  // acceptable while typing
  CHECK_FALSE(v.next().ok());                // not once the visitor moves on
  REQUIRE(v.answer(type_text("2.5")).ok());
  REQUIRE(v.next().ok());
  CHECK(v.current()->id == "thanks");
  REQUIRE(v.next().ok());
  CHECK(v.stage() == Session::Stage::Review);
}

TEST_CASE("a date is typed as day, month and year, and checked as a real date in its range on Next", "[session]") {
  auto s = parse_survey(R"(format = 1
id = "dates"
version = "1"
default_locale = "en"
title = "Dates"
[[sections]]
id = "s1"
[[sections.questions]]
id = "visit"
type = "date"
min = 2016-06-13
max = "2016-09-05"
text = "When did you visit?"
)",
                        "dates.toml");
  REQUIRE(s.ok());
  const Question& q = *s->find("visit");
  CHECK(q.min_date == "2016-06-13");
  CHECK(q.max_date == "2016-09-05");
  // While typing: parts may be missing or short.
  CHECK_FALSE(validate_answer(q, type_text("--1"), false));
  CHECK_FALSE(validate_answer(q, type_text("201-6-13"), false));
  CHECK(validate_answer(q, type_text("2016-6-1x"), false) ==
        "Please type the day, the month and the year as numbers, such as 13, 6 and 2016.");
  CHECK(validate_answer(q, type_text("2016-123-1"), false) ==
        "Please type the day, the month and the year as numbers, such as 13, 6 and 2016.");
  // On Next: whole, real, in range.
  CHECK(validate_answer(q, type_text("2016-06-"), true) ==
        "Please type the day, the month and the year as numbers, such as 13, 6 and 2016.");
  CHECK(validate_answer(q, type_text("2016-02-30"), true) ==
        "There is no such date: please check the day and the month.");
  CHECK(validate_answer(q, type_text("2016-06-12"), true) == "Please give a date from 13/06/2016 to 05/09/2016.");
  CHECK_FALSE(validate_answer(q, type_text("2016-06-13"), true));
  CHECK_FALSE(validate_answer(q, type_text("2016-09-05"), true));
  // Stored only as the kiosk writes it, two digits for the day and month.
  CHECK(validate_answer(q, type_text("2016-7-1"), true) ==
        "Please type the day, the month and the year as numbers, such as 13, 6 and 2016.");
  CHECK(is_real_date(2016, 2, 29));
  CHECK_FALSE(is_real_date(2015, 2, 29));
  CHECK_FALSE(is_real_date(1900, 2, 29));
  CHECK(is_real_date(2000, 2, 29));
}

namespace {

// Six items on one scale, asked only of a visitor who has been before, and
// a question after them that looks at one item.
constexpr const char* kMatrixSurvey = R"(
format = 1
id = "rating"
version = "1"
default_locale = "en"
locales = ["en", "pl"]
title = "Rating"

[scales]
good5 = [
  { code = "very_good", label = "Very good" }, { code = "good", label = "Good" },
  { code = "neither", label = "Neither good nor poor" }, { code = "poor", label = "Poor" },
  { code = "very_poor", label = "Very poor" },
]

[[sections]]
id = "s1"

[[sections.questions]]
id = "been"
type = "yes_no"
required = true
text = "Have you been before?"

[[sections.questions]]
id = "rate"
type = "matrix"
scale = "good5"
required = true
title = "Your library"
text = "How would you rate each of these?"
hint = "One answer on each line."
show_if = { question = "been", equals = "yes" }
items = [
  { id = "rate_books", text = "The books" }, { id = "rate_computers", text = { en = "The computers", pl = "Komputery" } },
  { id = "rate_staff", text = "Help from staff" }, { id = "rate_hours", text = "Opening hours" },
  { id = "rate_building", text = "The building" }, { id = "rate_events", text = "Events" },
]

[[sections.questions]]
id = "why_poor"
type = "text"
max_length = 200
text = "What would make the books better?"
show_if = { question = "rate_books", any_of = ["poor", "very_poor"] }
)";

}  // namespace

TEST_CASE("a matrix is six likert questions of its own, sharing its scale, rule and required, on one screen",
          "[session][matrix]") {
  auto s = parse_survey(kMatrixSurvey, "rating.toml");
  INFO((s.ok() ? std::string() : s.message()));
  REQUIRE(s.ok());
  REQUIRE(s->matrices.size() == 1);
  const Matrix& m = s->matrices[0];
  CHECK(m.id == "rate");
  CHECK(s->find("rate") == nullptr);  // the matrix is no question, no export column
  CHECK(s->text(m.text, "en") == "How would you rate each of these?");
  CHECK(s->text(m.hint, "en") == "One answer on each line.");
  REQUIRE(m.items.size() == 6);
  for (size_t k = 0; k < m.items.size(); ++k) {
    const Question& item = s->questions[m.items[k]];
    CHECK(item.index == 1 + k);
    CHECK(item.type == QuestionType::Likert);
    CHECK(item.required);
    CHECK(item.scale == "good5");
    CHECK(item.options.size() == 5);
    CHECK(item.show_if.has_value());
    CHECK(item.title.empty());
    CHECK(s->matrix_of(item) == &m);
  }
  CHECK(s->text(s->find("rate_computers")->text, "pl") == "Komputery");
  CHECK(question_words(*s, *s->find("rate_books"), "en") == "Your library: The books");
  // Translated under the matrix's own keys, its scale once.
  std::set<std::string> keys;
  for (const auto& t : translatable_texts(*s)) keys.insert(t.key);
  CHECK(keys.count("matrices.rate.title"));
  CHECK(keys.count("matrices.rate.text"));
  CHECK(keys.count("matrices.rate.hint"));
  CHECK(keys.count("questions.rate_books.text"));
  CHECK(keys.count("scales.good5.very_good"));
  CHECK_FALSE(keys.count("questions.rate.text"));

  FakeClock clock;
  auto session = Session::start(*s, meta(), clock, nullptr);
  REQUIRE(session.ok());
  Session& v = **session;
  REQUIRE(v.answer(choose("yes")).ok());
  REQUIRE(v.next().ok());
  // One screen: every item, the progress counting it once.
  CHECK(v.current()->id == "rate_books");
  REQUIRE(v.current_screen().size() == 6);
  CHECK(v.progress().position == 2);
  CHECK(v.progress().total == 2);
  // Each item answered by its own id; one not on screen is refused.
  REQUIRE(v.answer("rate_books", choose("very_poor")).ok());
  REQUIRE(v.answer("rate_staff", choose("good")).ok());
  CHECK_FALSE(v.answer("been", choose("no")).ok());
  CHECK(v.answer_for("rate_books")->choices == std::vector<std::string>{"very_poor"});
  // The rule on an item shows the question after the matrix.
  CHECK(v.progress().total == 3);
  // Next names the first item left unanswered, and stays.
  auto st = v.next();
  REQUIRE_FALSE(st.ok());
  CHECK(st.message() == "Please choose an answer for \"The computers\" to continue.");
  CHECK(v.current()->id == "rate_books");
  for (const char* id : {"rate_computers", "rate_hours", "rate_building", "rate_events"})
    REQUIRE(v.answer(id, choose("good")).ok());
  REQUIRE(v.next().ok());
  CHECK(v.current()->id == "why_poor");
  CHECK(v.progress().position == 3);
  // Back returns to the matrix whole, at its first item.
  REQUIRE(v.back());
  CHECK(v.current()->id == "rate_books");
  REQUIRE(v.back());
  CHECK(v.current()->id == "been");
  // From the review, changing one item opens the matrix's screen.
  REQUIRE(v.next().ok());
  REQUIRE(v.next().ok());
  REQUIRE(v.next().ok());  // why_poor: optional
  REQUIRE(v.stage() == Session::Stage::Review);
  REQUIRE(v.edit("rate_hours").ok());
  CHECK(v.current()->id == "rate_books");
  CHECK(v.current_screen().size() == 6);
  REQUIRE(v.next().ok());
  CHECK(v.stage() == Session::Stage::Review);
  // Going back from the review lands on the last screen's start.
  REQUIRE(v.back());
  CHECK(v.current()->id == "why_poor");
  // A visitor who has not been before is not asked the matrix; its answers go.
  REQUIRE(v.back());
  REQUIRE(v.back());
  REQUIRE(v.answer(choose("no")).ok());
  CHECK(v.answer_for("rate_books") == nullptr);
  REQUIRE(v.next().ok());
  CHECK(v.stage() == Session::Stage::Review);
  REQUIRE(v.submit().ok());
}
