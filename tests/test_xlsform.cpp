// XLSForm in and out (issue 20): workbooks written as a spreadsheet's user
// writes them, built here with libxlsxwriter (and re-saved by gnumeric), read
// by `kiosk-admin import`'s code and by the command itself.
#include <sys/resource.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>

#include "kiosk/export.hpp"
#include "kiosk/survey.hpp"
#include "support.hpp"
#include "xlsform.hpp"

using namespace kiosk;
namespace fs = std::filesystem;

namespace {

const std::string kSrc = KIOSK_SOURCE_DIR;

// A form file (tests/xlsform/): "== sheet NAME" and CSV rows, then
// "== expect KIND [ARG]" blocks; lines starting # before the first == are comments.
struct Form {
  std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> sheets;
  struct Expect {
    std::string kind, arg, body;
  };
  std::vector<Expect> expects;
};

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
      any = true;
    } else if (c == '\n') {
      if (any || !cell.empty()) row.push_back(std::move(cell));
      rows.push_back(std::move(row));
      row.clear();
      cell.clear();
      any = false;
    } else {
      cell += c;
      any = true;
    }
  }
  if (any || !cell.empty()) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

Form read_form(const std::string& path) {
  std::istringstream in(test::read_file(path));
  Form f;
  std::string line, block_kind, block_arg, body;
  auto flush = [&] {
    if (block_kind == "sheet")
      f.sheets.emplace_back(block_arg, parse_csv(body));
    else if (!block_kind.empty())
      f.expects.push_back({block_kind, block_arg, body});
    body.clear();
  };
  while (std::getline(in, line)) {
    if (block_kind.empty() && line.rfind("#", 0) == 0) continue;
    if (line.rfind("== ", 0) == 0) {
      flush();
      std::istringstream h(line.substr(3));
      std::string first, second;
      h >> first >> second;
      if (first == "sheet") {
        block_kind = "sheet";
        block_arg = second;
      } else {
        block_kind = second;  // "expect toml", "expect no", "expect translation pl"
        std::string rest;
        h >> rest;
        block_arg = rest;
      }
      continue;
    }
    body += line + "\n";
  }
  flush();
  return f;
}

bool numeric(const std::string& s) { return std::regex_match(s, std::regex(R"(-?[0-9]+(\.[0-9]+)?)")); }

// The form as an .xlsx, as a spreadsheet program keeps it: numbers typed as
// numbers, everything else as text.
void write_xlsx(const Form& f, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  REQUIRE(wb);
  for (const auto& [name, rows] : f.sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        const std::string& v = rows[r][c];
        if (v.empty()) continue;
        auto row = static_cast<lxw_row_t>(r);
        auto col = static_cast<lxw_col_t>(c);
        if (numeric(v))
          worksheet_write_number(ws, row, col, std::stod(v), nullptr);
        else
          worksheet_write_string(ws, row, col, v.c_str(), nullptr);
      }
  }
  REQUIRE(workbook_close(wb) == LXW_NO_ERROR);
}

std::vector<std::string> nonblank_lines(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in(body);
  for (std::string l; std::getline(in, l);) {
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r')) l.pop_back();
    std::size_t s = l.find_first_not_of(' ');
    if (s != std::string::npos) out.push_back(l.substr(s));
  }
  return out;
}

// Every line of `want` appears in `text`, in order (each a whole line, spaces at its ends aside).
void require_lines_in_order(const std::string& text, const std::string& want, const std::string& what) {
  auto have = nonblank_lines(text);
  std::size_t at = 0;
  for (const auto& w : nonblank_lines(want)) {
    auto it = std::find(have.begin() + static_cast<long>(at), have.end(), w);
    INFO(what << ":\n" << text);
    INFO("the line expected next (in order): " << w);
    REQUIRE(it != have.end());
    at = static_cast<std::size_t>(it - have.begin()) + 1;
  }
}

Survey bundled(const std::string& name) {
  auto s = load_survey_file(kSrc + "/kiosk-config/surveys/" + name);
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += x + "\n";
  return out;
}

// Imports `xlsx`, writes the definition to `dir` and loads it as the kiosk does.
Survey import_and_load(const std::string& xlsx, const std::string& dir, std::vector<std::string>* warnings = nullptr) {
  auto imported = xlsform::import_xlsx(xlsx);
  INFO((imported.ok() ? std::string() : imported.message()));
  REQUIRE(imported.ok());
  if (warnings) *warnings = imported->warnings;
  auto def = xlsform::to_definition(imported->survey, "test");
  auto path = xlsform::write_definition(*imported, def, dir, xlsx);
  INFO((path.ok() ? std::string() : path.message()));
  REQUIRE(path.ok());
  auto loaded = load_survey_file(*path);
  INFO((loaded.ok() ? std::string() : loaded.message()));
  REQUIRE(loaded.ok());
  return std::move(loaded).value();
}

std::string codebook(const Survey& s) {
  std::string out;
  append_codebook(out, s);
  return out;
}

std::vector<std::string> column_names(const Survey& s) {
  std::vector<std::string> out;
  for (const auto& c : csv_columns(s)) out.push_back(c.name);
  return out;
}

}  // namespace

TEST_CASE("an XLSForm of the Bury survey, as an officer types it, imports as the bundled survey, text for text",
          "[xlsform]") {
  test::TempDir tmp;
  auto form = read_form(kSrc + "/tests/xlsform/bury-libraries-2016.form");
  const std::string xlsx = tmp.file("bury.xlsx");
  write_xlsx(form, xlsx);
  std::vector<std::string> warnings;
  Survey got = import_and_load(xlsx, tmp.file("out"), &warnings);
  Survey want = bundled("bury-libraries-2016.toml");
  auto d = xlsform::differences(want, got);
  INFO(joined(d));
  CHECK(d.empty());
  // The same CSV columns and the same codebook, in every language.
  CHECK(column_names(got) == column_names(want));
  CHECK(codebook(got) == codebook(want));
  // Nothing missing from the Polish and Urdu files.
  CHECK(got.missing_translations == want.missing_translations);
  // ODK's "please specify" boxes folded into their choices, each said.
  CHECK(std::count_if(warnings.begin(), warnings.end(), [](const std::string& w) {
          return w.find("other answer is shown under that choice") != std::string::npos;
        }) == 3);

  SECTION("and the same workbook saved again by gnumeric reads the same") {
    const std::string resaved = tmp.file("bury-gnumeric.xlsx");
    auto r = test::run("ssconvert --export-type=Gnumeric_Excel:xlsx2 " + xlsx + " " + resaved);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(test::read_file(resaved) != test::read_file(xlsx));
    Survey again = import_and_load(resaved, tmp.file("out2"));
    auto d2 = xlsform::differences(want, again);
    INFO(joined(d2));
    CHECK(d2.empty());
  }
}

TEST_CASE("the XLSForm corpus: every supported feature and every refusal, each as its form expects", "[xlsform]") {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kSrc + "/tests/xlsform/corpus"))
    if (e.path().extension() == ".form") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 30);
  std::size_t refused = 0, imported_ok = 0;
  for (const auto& file : files) {
    DYNAMIC_SECTION(file.filename().string()) {
      test::TempDir tmp;
      Form form = read_form(file.string());
      REQUIRE(!form.expects.empty());
      // The workbook is named as the form without its number ("minimal.xlsx").
      std::string stem = file.stem().string();
      const std::string xlsx = tmp.file(stem.substr(stem.find('-') + 1) + ".xlsx");
      write_xlsx(form, xlsx);
      auto imported = xlsform::import_xlsx(xlsx);
      std::string error = imported.ok() ? "" : imported.message();
      xlsform::Definition def;
      if (imported.ok()) {
        def = xlsform::to_definition(imported->survey, "test");
        auto path = xlsform::write_definition(*imported, def, tmp.file("out"), xlsx);
        if (!path)
          error = path.message();
        else
          REQUIRE(load_survey_file(*path).ok());
      }
      for (const auto& e : form.expects) {
        INFO(file.filename().string() << ": expect " << e.kind << " " << e.arg);
        if (e.kind == "error") {
          INFO("the error: " << error);
          CHECK(error.find(xlsx) == 0);  // it names the workbook
          CHECK(error.find(nonblank_lines(e.body).at(0)) != std::string::npos);
          ++refused;
          continue;
        }
        INFO("imported: " << error);
        REQUIRE(error.empty());
        if (e.kind == "toml") require_lines_in_order(def.survey_toml, e.body, "the definition");
        if (e.kind == "no") CHECK(def.survey_toml.find(nonblank_lines(e.body).at(0)) == std::string::npos);
        if (e.kind == "translation") require_lines_in_order(def.translations[e.arg], e.body, "translation " + e.arg);
        if (e.kind == "warning") {
          const std::string w = nonblank_lines(e.body).at(0);
          INFO("warnings:\n" << joined(imported->warnings));
          CHECK(std::any_of(imported->warnings.begin(), imported->warnings.end(),
                            [&](const std::string& x) { return x.find(w) != std::string::npos; }));
        }
      }
      if (error.empty()) ++imported_ok;
    }
  }
  (void)refused;
  (void)imported_ok;
}

TEST_CASE("export-xlsform then import gives back the same survey, for Bury, the family hub and a matrix", "[xlsform]") {
  for (const char* name : {"kiosk-config/surveys/bury-libraries-2016.toml",
                           "kiosk-config/surveys/family-hub-feedback.toml", "tests/surveys/question-kinds.toml"}) {
    DYNAMIC_SECTION(name) {
      test::TempDir tmp;
      auto loaded = load_survey_file(kSrc + "/" + name);
      REQUIRE(loaded.ok());
      Survey want = std::move(loaded).value();
      REQUIRE(xlsform::export_xlsx(want, tmp.file("form.xlsx")).ok());
      Survey got = import_and_load(tmp.file("form.xlsx"), tmp.file("out"));
      auto d = xlsform::differences(want, got);
      INFO(joined(d));
      CHECK(d.empty());
      CHECK(column_names(got) == column_names(want));
      // gnumeric reads the exported workbook: its survey sheet as CSV.
      auto r = test::run("ssconvert -S --export-type=Gnumeric_stf:stf_csv " + tmp.file("form.xlsx") + " " +
                         tmp.file("sheet.csv"));
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      std::string survey_csv = test::read_file(tmp.file("sheet.csv.0"));
      CHECK(survey_csv.rfind("type,name,", 0) == 0);
      CHECK(survey_csv.find(want.questions.front().id) != std::string::npos);
    }
  }
}

namespace {

// A zip of these parts, written with libzip.
void write_zip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& parts) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  REQUIRE(z);
  for (const auto& [name, text] : parts) {
    zip_source_t* src = zip_source_buffer(z, text.data(), text.size(), 0);
    REQUIRE(zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) >= 0);
  }
  REQUIRE(zip_close(z) == 0);
}

const std::string kWorkbookXml =
    R"(<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="survey" sheetId="1" r:id="rId1"/></sheets></workbook>)";
const std::string kRelsXml =
    R"(<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>)";

std::string sheet_xml(const std::string& rows) {
  return R"(<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)" +
         rows + "</sheetData></worksheet>";
}

// A part that inflates to `bytes` of `head`, then `fill` repeated, then `tail`,
// produced as libzip deflates it (never all in memory).
struct Generated {
  std::string head, fill, tail;
  std::uint64_t bytes = 0, pos = 0;
};

zip_int64_t generate(void* ud, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto* g = static_cast<Generated*>(ud);
  switch (cmd) {
    case ZIP_SOURCE_OPEN: g->pos = 0; return 0;
    case ZIP_SOURCE_READ: {
      auto* out = static_cast<char*>(data);
      zip_uint64_t n = 0;
      const std::uint64_t end = g->bytes + g->head.size() + g->tail.size();
      while (n < len && g->pos < end) {
        const std::uint64_t p = g->pos;
        const std::uint64_t body_end = g->head.size() + g->bytes;
        std::string_view from;
        if (p < g->head.size()) {
          from = std::string_view(g->head).substr(p);
        } else if (p < body_end) {
          from = std::string_view(g->fill).substr((p - g->head.size()) % g->fill.size());
          from = from.substr(0, std::min<std::uint64_t>(from.size(), body_end - p));
        } else {
          from = std::string_view(g->tail).substr(p - body_end);
        }
        const std::size_t k = std::min<std::size_t>(from.size(), len - n);
        std::memcpy(out + n, from.data(), k);
        n += k;
        g->pos += k;
      }
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_CLOSE: return 0;
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      return sizeof(*st);
    }
    case ZIP_SOURCE_ERROR: return 2 * sizeof(int);
    case ZIP_SOURCE_FREE: return 0;
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                            ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default: return -1;
  }
}

void write_generated_workbook(const std::string& path, Generated& g) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  REQUIRE(z);
  REQUIRE(zip_file_add(z, "xl/workbook.xml", zip_source_buffer(z, kWorkbookXml.data(), kWorkbookXml.size(), 0), 0) >=
          0);
  REQUIRE(zip_file_add(z, "xl/_rels/workbook.xml.rels", zip_source_buffer(z, kRelsXml.data(), kRelsXml.size(), 0), 0) >=
          0);
  REQUIRE(zip_file_add(z, "xl/worksheets/sheet1.xml", zip_source_function(z, generate, &g), 0) >= 0);
  REQUIRE(zip_close(z) == 0);
}

long max_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Imports a bad workbook: the error, and what it took (printed: figures, not assertions).
std::string refused(const std::string& path, const std::string& what) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = xlsform::import_xlsx(path);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN(what << ": refused in " << s << " s, peak memory of the test process so far " << max_rss_kb() / 1024
            << " MB: " << (r.ok() ? std::string("(imported!)") : r.message()));
  REQUIRE(!r.ok());
  return r.message();
}

}  // namespace

TEST_CASE("bad workbooks: each a clear error naming the file and part, and nothing written", "[xlsform]") {
  test::TempDir tmp;
  SECTION("not a zip") {
    test::write_file(tmp.file("form.xlsx"), "type,name,label\ntext,a,A?\n");
    auto e = refused(tmp.file("form.xlsx"), "a CSV named .xlsx");
    CHECK(e.find("is not an .xlsx workbook (it is not a zip archive") != std::string::npos);
  }
  SECTION("a zip that is not a workbook") {
    write_zip(tmp.file("form.xlsx"), {{"content.xml", "<office:document-content/>"}});
    CHECK(refused(tmp.file("form.xlsx"), "an .ods-like zip").find("has no xl/workbook.xml") != std::string::npos);
  }
  SECTION("a zip bomb: a sheet of 1 GiB of spaces, about 1 MB compressed") {
    Generated g{"<?xml version=\"1.0\"?><worksheet><sheetData>", std::string(4096, ' '), "</sheetData></worksheet>",
                1ull << 30};
    write_generated_workbook(tmp.file("bomb.xlsx"), g);
    CHECK(fs::file_size(tmp.file("bomb.xlsx")) < (4u << 20));
    auto e = refused(tmp.file("bomb.xlsx"), "zip bomb");
    CHECK(e.find("xl/worksheets/sheet1.xml: inflates to more than 32 MiB") != std::string::npos);
  }
  SECTION("a workbook of 1,000,000 rows") {
    Generated g{"<?xml version=\"1.0\"?><worksheet><sheetData>",
                "<row><c t=\"inlineStr\"><is><t>text</t></is></c></row>", "</sheetData></worksheet>", 1000000ull * 52};
    write_generated_workbook(tmp.file("rows.xlsx"), g);
    auto e = refused(tmp.file("rows.xlsx"), "a million rows");
    CHECK(e.find("sheet \"survey\" has more than 20000 rows in use") != std::string::npos);
  }
  SECTION("a shared string out of range") {
    write_zip(tmp.file("sst.xlsx"),
              {{"xl/workbook.xml", kWorkbookXml},
               {"xl/_rels/workbook.xml.rels", kRelsXml},
               {"xl/sharedStrings.xml", "<sst><si><t>type</t></si></sst>"},
               {"xl/worksheets/sheet1.xml",
                sheet_xml(R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>57</v></c></row>)")}});
    auto e = refused(tmp.file("sst.xlsx"), "shared string 57 of 1");
    CHECK(e.find("xl/worksheets/sheet1.xml: cell B1 refers to shared text 57, but the workbook has 1") !=
          std::string::npos);
  }
  SECTION("invalid UTF-8") {
    write_zip(tmp.file("utf8.xlsx"), {{"xl/workbook.xml", kWorkbookXml},
                                      {"xl/_rels/workbook.xml.rels", kRelsXml},
                                      {"xl/sharedStrings.xml", "<sst><si><t>caf\xe9</t></si></sst>"},
                                      {"xl/worksheets/sheet1.xml", sheet_xml("")}});
    auto e = refused(tmp.file("utf8.xlsx"), "invalid UTF-8");
    CHECK(e.find("xl/sharedStrings.xml line 1: not well-formed (invalid token)") != std::string::npos);
  }
  SECTION("a cell reference that is not one") {
    write_zip(tmp.file("ref.xlsx"), {{"xl/workbook.xml", kWorkbookXml},
                                     {"xl/_rels/workbook.xml.rels", kRelsXml},
                                     {"xl/worksheets/sheet1.xml", sheet_xml(R"(<row><c r="1A"><v>1</v></c></row>)")}});
    CHECK(refused(tmp.file("ref.xlsx"), "bad reference").find("\"1A\" is not a cell") != std::string::npos);
  }
}

TEST_CASE("kiosk-admin import and export-xlsform, as an officer runs them", "[xlsform]") {
  test::TempDir tmp;
  const std::string admin = KIOSK_ADMIN_BIN;
  auto form = read_form(kSrc + "/tests/xlsform/bury-libraries-2016.form");
  write_xlsx(form, tmp.file("bury.xlsx"));
  auto r = test::run(admin + " import " + tmp.file("bury.xlsx") + " --out " + tmp.file("surveys"));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("ok: " + tmp.file("surveys/bury_libraries_2016.toml") + ": survey \"bury_libraries_2016\"") !=
        std::string::npos);
  CHECK(fs::exists(tmp.file("surveys/bury_libraries_2016.pl.toml")));
  CHECK(fs::exists(tmp.file("surveys/bury_libraries_2016.ur.toml")));
  CHECK(r.err.find("warning: " + tmp.file("bury.xlsx") + ": sheet \"survey\"") != std::string::npos);
  const std::string before = test::read_file(tmp.file("surveys/bury_libraries_2016.toml"));

  SECTION("a broken workbook names the cell, exits 1 and leaves the survey already there alone") {
    for (auto& [name, rows] : form.sheets)
      if (name == "survey")
        for (auto& row : rows)
          if (row.size() > 1 && row[1] == "q10") row[12] = "${q9} = 'perhaps'";
    write_xlsx(form, tmp.file("bury.xlsx"));
    auto bad = test::run(admin + " import " + tmp.file("bury.xlsx") + " --out " + tmp.file("surveys"));
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("sheet \"survey\", row 19, column M (relevant): 'perhaps' is not a choice of ${q9}") !=
          std::string::npos);
    CHECK(test::read_file(tmp.file("surveys/bury_libraries_2016.toml")) == before);
  }
  SECTION("export-xlsform writes a workbook that imports as the same survey") {
    for (const std::string& survey :
         {tmp.file("surveys/bury_libraries_2016.toml"), kSrc + "/kiosk-config/surveys/family-hub-feedback.toml"}) {
      auto e = test::run(admin + " export-xlsform " + survey + " --out " + tmp.file("again.xlsx"));
      INFO(e.out << e.err);
      CHECK(e.exit_code == 0);
      CHECK(e.out.find("Imported again, it gives the same survey.") != std::string::npos);
    }
  }
}
