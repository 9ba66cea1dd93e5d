#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"
#include "kiosk/simulate.hpp"
#include "support.hpp"

using namespace kiosk;

namespace {
const Survey& bury() { return test::bury(); }

// A small RFC 4180 reader, to read back what the exporter wrote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, in_field = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        field.push_back('"'), ++i;
      else if (c == '"')
        quoted = false;
      else
        field.push_back(c);
    } else if (c == '"' && !in_field) {
      quoted = in_field = true;
    } else if (c == ',') {
      rows.back().push_back(field), field.clear(), in_field = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field), field.clear(), in_field = false;
      rows.emplace_back();
      ++i;
    } else {
      field.push_back(c);
      in_field = true;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}
}  // namespace

TEST_CASE("CSV export: one row per response, codebook columns, skip rules hold in every row", "[export]") {
  test::TempDir tmp;
  auto s = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = 400;
  o.seed = 11;
  o.service_points = {"castle", "bury", "radcliffe"};
  REQUIRE(simulate_into(**s, bury(), o).ok());
  auto n = export_csv(**s, test::keyring(), bury(), tmp.file("out.csv"));
  REQUIRE(n.ok());
  CHECK(*n == 400);
  const std::string text = test::read_file(tmp.file("out.csv"));
  REQUIRE(text.rfind("\xEF\xBB\xBF", 0) == 0);
  auto rows = parse_csv(text.substr(3));
  REQUIRE(rows.size() == 401);
  const auto cols = csv_columns(bury());
  REQUIRE(rows[0].size() == cols.size());
  for (size_t i = 0; i < cols.size(); ++i) CHECK(rows[0][i] == cols[i].name);
  std::map<std::string, size_t> at;
  for (size_t i = 0; i < cols.size(); ++i) at[cols[i].name] = i;

  std::set<std::string> uuids;
  int q9_yes = 0, q9_no = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    REQUIRE(row.size() == cols.size());
    uuids.insert(row[at["response_uuid"]]);
    const std::string q7 = row[at["q7"]], q9 = row[at["q9"]];
    if (q7 != "yes") CHECK(row[at["q8"]].empty());
    if (q9 == "yes") {
      ++q9_yes;
      for (const auto& opt : bury().find("q12")->options) CHECK(row[at["q12_" + opt.code]].empty());
    } else {
      ++q9_no;
      CHECK(row[at["q10"]].empty());
      CHECK(row[at["q11"]].empty());
      int chosen = 0;
      for (const auto& opt : bury().find("q12")->options) {
        const auto& v = row[at["q12_" + opt.code]];
        CHECK((v == "0" || v == "1" || v.empty()));
        chosen += v == "1";
      }
      (void)chosen;
    }
    if (row[at["q11"]] != "other") CHECK(row[at["q11_other_text"]].empty());
  }
  CHECK(uuids.size() == 400);
  CHECK(q9_yes > 0);
  CHECK(q9_no > 0);
}

TEST_CASE("CSV fields are quoted by RFC 4180 and formulas are defused", "[export]") {
  std::string out;
  append_csv_field(out, "plain", true);
  out += '|';
  append_csv_field(out, "a, b", true);
  out += '|';
  append_csv_field(out, "say \"hi\"\nbye", true);
  out += '|';
  append_csv_field(out, "=HYPERLINK(\"x\")", true);
  out += '|';
  append_csv_field(out, "-5", false);
  CHECK(out == "plain|\"a, b\"|\"say \"\"hi\"\"\nbye\"|\"'=HYPERLINK(\"\"x\"\")\"|-5");
  // Every formula lead is guarded: = + - @ tab CR.
  for (const char* lead : {"=1", "+1", "-1", "@A1", "\t=1", "\r=1"}) {
    std::string g;
    append_csv_field(g, lead, true);
    CHECK(g.find('\'') != std::string::npos);
  }
  // A control character first (a NUL, which some readers drop, then the
  // formula), or spaces before the formula: guarded the same way.
  using namespace std::string_literals;
  for (const std::string& lead :
       {"\0=HYPERLINK(\"http://evil.example\")"s, "\x01=1"s, "\x1f+1"s, "\x7f@A1"s, "  =1"s, "\n=1"s}) {
    std::string g;
    append_csv_field(g, lead, true);
    INFO(g);
    CHECK(g.find('\'') != std::string::npos);
    CHECK(g.find('\'') < g.find_first_of("=+@"));
  }
  // Text that only starts with a space or a control character, and no formula, is left as it is.
  std::string plain;
  append_csv_field(plain, " Radcliffe", true);
  CHECK(plain == " Radcliffe");
}

TEST_CASE("a free-text answer with commas, quotes and newlines survives the round trip", "[export]") {
  test::TempDir tmp;
  auto s = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  CompletedResponse r = simulate_one(bury(), SimulateOptions{}, 0);
  r.answers["q17"] = Answer{{}, "Keep Radcliffe open, please.\nSay \"thank you\" to the staff. Café ☕", {}};
  const auto ins = (*s)->insert_completed({r});
  INFO(ins.message());
  REQUIRE(ins.ok());
  REQUIRE(export_csv(**s, test::keyring(), bury(), tmp.file("o.csv")).ok());
  auto rows = parse_csv(test::read_file(tmp.file("o.csv")).substr(3));
  const auto cols = csv_columns(bury());
  size_t q17 = 0;
  for (size_t i = 0; i < cols.size(); ++i)
    if (cols[i].name == "q17") q17 = i;
  REQUIRE(rows.size() == 2);
  CHECK(rows[1][q17] == r.answers["q17"].text);
}

TEST_CASE("JSON Lines holds the frozen documents: the codebook lists every column", "[export]") {
  test::TempDir tmp;
  auto s = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = 50;
  REQUIRE(simulate_into(**s, bury(), o).ok());
  REQUIRE(export_jsonl(**s, test::keyring(), bury(), tmp.file("o.jsonl")).ok());
  std::istringstream in(test::read_file(tmp.file("o.jsonl")));
  std::string line;
  int lines = 0;
  auto pending = (*s)->pending(100);
  std::set<std::string> hashes;
  for (const auto& p : *pending) hashes.insert(sha256_hex(test::opened(p)));
  while (std::getline(in, line)) {
    ++lines;
    CHECK(hashes.count(sha256_hex(line)) == 1);
  }
  CHECK(lines == 50);

  REQUIRE(export_codebook(bury(), tmp.file("codebook.csv")).ok());
  auto rows = parse_csv(test::read_file(tmp.file("codebook.csv")).substr(3));
  std::set<std::string> in_codebook, questions;
  for (size_t i = 1; i < rows.size(); ++i) {
    in_codebook.insert(rows[i][0]);
    if (!rows[i][1].empty()) questions.insert(rows[i][1]);
  }
  for (const auto& c : csv_columns(bury())) CHECK(in_codebook.count(c.name) == 1);
  CHECK(questions.size() == 25);
}

TEST_CASE("an export that cannot be written names the path and leaves nothing half-written", "[export]") {
  test::TempDir tmp;
  auto s = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  auto n = export_csv(**s, test::keyring(), bury(), "/nonexistent-dir/out.csv");
  REQUIRE_FALSE(n.ok());
  CHECK_THAT(n.message(), Catch::StartsWith("/nonexistent-dir/out.csv: cannot write"));
}

TEST_CASE("the kiosk counts responses by service point and nothing of their answers, and documents give the options",
          "[export]") {
  test::TempDir tmp;
  auto s = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = 300;
  o.service_points = {"castle", "bury"};
  REQUIRE(simulate_into(**s, bury(), o).ok());
  auto kiosk = summarise(**s, bury(), "en");
  REQUIRE(kiosk.ok());
  CHECK(kiosk->overall.responses == 300);
  REQUIRE(kiosk->by_service_point.size() == 2);
  CHECK(kiosk->by_service_point["castle"].responses + kiosk->by_service_point["bury"].responses == 300);
  for (const auto& q : kiosk->overall.questions) {
    CHECK(q.answered == 0);
    for (const auto& oc : q.options) CHECK(oc.count == 0);
  }
  // The same responses, opened (as the hub and kiosk-admin summary DIR count them).
  Summary opened;
  for (std::int64_t i = 0; i < o.responses; ++i) {
    const CompletedResponse r = simulate_one(bury(), o, static_cast<std::uint64_t>(i));
    add_to_summary(opened, bury(), "en", r.meta, r.answers);
  }
  const auto* sum = &opened;
  CHECK(sum->overall.responses == 300);
  REQUIRE(sum->by_service_point.size() == 2);
  CHECK(sum->by_service_point.at("castle").responses == kiosk->by_service_point["castle"].responses);
  const auto& q1 = sum->overall.questions[bury().find("q1")->index];
  std::int64_t total = 0;
  for (const auto& oc : q1.options) total += oc.count;
  CHECK(q1.answered == 300);  // required
  CHECK(total == 300);        // single choice: counts add up
  const auto& q9 = sum->overall.questions[bury().find("q9")->index];
  const auto& q12 = sum->overall.questions[bury().find("q12")->index];
  CHECK(q12.answered > 0);
  CHECK(q12.answered <= q9.options[1].count);  // only those who said No
  // Each service point's counts add up to the overall count.
  for (size_t k = 0; k < q1.options.size(); ++k)
    CHECK(sum->by_service_point.at("castle").questions[0].options[k].count +
              sum->by_service_point.at("bury").questions[0].options[k].count ==
          q1.options[k].count);
}

TEST_CASE("CSV from the frozen documents is byte-identical to the store's fast export", "[export]") {
  test::TempDir tmp;
  auto s = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  SimulateOptions o;
  o.responses = 300;
  o.seed = 5;
  o.service_points = {"castle", "bury"};
  REQUIRE(simulate_into(**s, bury(), o).ok());
  REQUIRE(export_csv(**s, test::keyring(), bury(), tmp.file("fast.csv")).ok());
  const CsvLayout layout(bury());
  std::string from_docs;
  append_csv_header(from_docs, layout.cols);
  auto pending = (*s)->pending(1000);
  REQUIRE(pending->size() == 300);
  for (const auto& p : *pending) {
    auto doc = parse_canonical_document(test::opened(p));
    REQUIRE(doc.ok());
    append_csv_row(from_docs, layout, doc->first, doc->second);
  }
  CHECK(from_docs == test::read_file(tmp.file("fast.csv")));
}

// Read back by a real spreadsheet (gnumeric's ssconvert): every column, not
// only free text, must come back as the text that was stored, never as the
// result of a formula ("4", or a live HYPERLINK).
TEST_CASE("a spreadsheet reads formula-like text in every CSV column as text", "[export][spreadsheet]") {
  test::TempDir tmp;
  CompletedResponse r = simulate_one(bury(), test::sim_options(3, "k1", "castle", 1454284800), 0);
  r.meta.survey_version = "=2+2";
  r.meta.kiosk_id = "=HYPERLINK(\"http://evil.example\",\"click\")";
  r.meta.service_point = "+2+2";
  r.meta.locale = "-2+2";
  r.meta.staff_id = "@SUM(2,2)";
  // (A tab-led field is guarded too, but a tab makes ssconvert guess TSV: see the quoting test.)
  r.meta.mode = "=2+2";
  r.answers["q1"] = Answer{{"=2+2"}, {}, {}};
  r.answers["q17"] = Answer{{}, "=HYPERLINK(\"http://evil.example\",\"click\")", {}};
  const std::vector<std::pair<std::string, std::string>> planted = {{"survey_version", r.meta.survey_version},
                                                                    {"kiosk_id", r.meta.kiosk_id},
                                                                    {"service_point", r.meta.service_point},
                                                                    {"locale", r.meta.locale},
                                                                    {"staff_id", r.meta.staff_id},
                                                                    {"q1", "=2+2"},
                                                                    {"q17", r.answers["q17"].text}};

  // The hub's path (rows from documents) and the kiosk's (its store) write the same guard.
  const CsvLayout layout(bury());
  std::string csv;
  append_csv_header(csv, layout.cols);
  // Ordinary rows first, as in any real export (ssconvert guesses the separator from what it reads).
  std::vector<CompletedResponse> ordinary;
  for (std::uint64_t i = 1; i <= 20; ++i)
    ordinary.push_back(simulate_one(bury(), test::sim_options(3, "k1", "castle", 1454284800), i));
  for (const auto& o : ordinary) append_csv_row(csv, layout, o.meta, o.answers);
  append_csv_row(csv, layout, r.meta, r.answers);
  test::write_file(tmp.file("hub.csv"), csv);
  auto s = Store::open(tmp.file("r.db"), db::OpenMode::Create, test::seal_pub());
  REQUIRE(s.ok());
  r.meta.mode = "self";  // the kiosk's store takes only self or assisted
  REQUIRE((*s)->insert_completed(ordinary).ok());
  const auto ins = (*s)->insert_completed({r});
  INFO(ins.message());
  REQUIRE(ins.ok());
  REQUIRE(export_csv(**s, test::keyring(), bury(), tmp.file("kiosk.csv")).ok());

  for (const char* name : {"hub", "kiosk"}) {
    INFO(name);
    const std::string in = tmp.file(std::string(name) + ".csv"), out = tmp.file(std::string(name) + ".read.csv");
    const auto conv = test::run("ssconvert '" + in + "' '" + out + "'");
    INFO(conv.err);
    REQUIRE(conv.exit_code == 0);
    std::string text = test::read_file(out);
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text = text.substr(3);
    // ssconvert writes LF line ends; the reader splits on CRLF.
    std::string crlf;
    for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    const auto rows = parse_csv(crlf);
    REQUIRE(rows.size() == 22);
    std::map<std::string, std::string> cell;
    for (size_t i = 0; i < rows[0].size() && i < rows[21].size(); ++i) cell[rows[0][i]] = rows[21][i];
    for (const auto& [col, value] : planted) {
      INFO(col);
      CHECK(cell[col] == value);
    }
    CHECK(cell["mode"] == (std::string(name) == "hub" ? "=2+2" : "self"));
  }
}

TEST_CASE("the codebook and the CSV columns are the same with or without the survey's translations",
          "[export][translation]") {
  // bury() has its Polish and Urdu files loaded; this one has English only.
  REQUIRE(bury().locales.size() == 3);
  auto english = parse_survey(test::read_file(test::bury_survey()), test::bury_survey());
  REQUIRE(english.ok());
  REQUIRE(english->find("q10")->find_option("weekly")->label.by_locale.count("ur") == 0);
  REQUIRE(bury().find("q10")->find_option("weekly")->label.by_locale.count("ur") == 1);
  std::string with, without;
  append_codebook(with, bury());
  append_codebook(without, *english);
  CHECK(with == without);
  std::string h1, h2;
  append_csv_header(h1, csv_columns(bury()));
  append_csv_header(h2, csv_columns(*english));
  CHECK(h1 == h2);
}

TEST_CASE("a note among the questions leaves every question's results where they belong, and is not listed",
          "[export]") {
  auto s = load_survey_file(test::source_path("tests/surveys/question-kinds.toml"));
  REQUIRE(s.ok());
  REQUIRE(s->find("halfway")->type == QuestionType::Note);  // the second question
  ResponseMeta m;
  m.service_point = "castle";
  Answers a;
  a["visits"].text = "12";
  a["miles"].text = "2.5";
  a["last_visit"].text = "2016-06-13";
  Summary sum;
  add_to_summary(sum, *s, "en", m, a);
  REQUIRE(sum.overall.questions.size() == s->questions.size());
  for (const auto& q : sum.overall.questions) {
    INFO(q.id);
    CHECK(q.answered == (q.id == "visits" || q.id == "miles" || q.id == "last_visit" ? 1 : 0));
  }
  const std::string text = format_summary(*s, sum);
  CHECK_THAT(text, Catch::Contains("miles"));
  CHECK(text.find("halfway") == std::string::npos);
  // No CSV column and no codebook row for the note; the date's range in the codebook.
  for (const auto& c : csv_columns(*s)) CHECK(c.name != "halfway");
  std::string book;
  append_codebook(book, *s);
  CHECK(book.find("halfway") == std::string::npos);
  CHECK_THAT(book, Catch::Contains("a date, YYYY-MM-DD, from 2016-01-01 to 2016-12-31"));
  CHECK_THAT(book, Catch::Contains("a whole number, from 0 to 31"));
}

TEST_CASE("a matrix's items are each a column, named in the codebook with the matrix's words, and counted",
          "[export][matrix]") {
  auto s = load_survey_file(test::source_path("tests/surveys/question-kinds.toml"));
  REQUIRE(s.ok());
  REQUIRE(s->matrices.size() == 1);
  std::vector<std::string> names;
  for (const auto& c : csv_columns(*s)) names.push_back(c.name);
  for (const char* id : {"rate_books", "rate_computers", "rate_staff", "rate_hours", "rate_building", "rate_events"})
    CHECK(std::count(names.begin(), names.end(), id) == 1);
  CHECK(std::count(names.begin(), names.end(), "rate") == 0);  // the matrix itself holds no answer
  std::string book;
  append_codebook(book, *s);
  CHECK_THAT(book, Catch::Contains("rate_books,rate_books,visit,likert,yes,always,"
                                   "How would you rate each of these at your library?: The books,very_poor,Very poor"));
  ResponseMeta m;
  m.service_point = "castle";
  Answers a;
  a["rate_books"].choices = {"very_poor"};
  a["rate_events"].choices = {"good"};
  Summary sum;
  add_to_summary(sum, *s, "en", m, a);
  const auto& books = sum.overall.questions[s->find("rate_books")->index];
  CHECK(books.answered == 1);
  CHECK(books.text == "How would you rate each of these at your library?: The books");
  const std::string text = format_summary(*s, sum);
  CHECK_THAT(text, Catch::Contains("rate_events"));
  // Simulated visitors answer every item of the (required) matrix, and finish.
  int completed = 0;
  for (std::uint64_t i = 0; i < 50; ++i) {
    const CompletedResponse r = simulate_one(*s, test::sim_options(3, "k1", "castle", 1454284800), i);
    if (r.meta.status != "completed") continue;
    ++completed;
    for (std::size_t k : s->matrices[0].items) CHECK(r.answers.count(s->questions[k].id) == 1);
  }
  CHECK(completed > 30);
}
