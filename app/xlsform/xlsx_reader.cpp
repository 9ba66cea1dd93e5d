#include "xlsx_reader.hpp"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <string_view>

namespace kiosk::xlsx {

std::string column_name(std::size_t column) {
  std::string s;
  for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) s.insert(s.begin(), char('A' + (n - 1) % 26));
  return s;
}

namespace {

std::string lower_trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "x:row" -> "row": parts may or may not prefix the spreadsheet namespace.
std::string_view local_name(const char* name) {
  std::string_view n(name);
  auto colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const char* attribute(const char** atts, std::string_view want) {
  for (; atts && atts[0]; atts += 2)
    if (local_name(atts[0]) == want) return atts[1];
  return nullptr;
}

// One part's elements, as expat hands them over. A handler that finds
// something wrong sets `error`; the parse stops there.
struct Handler {
  virtual ~Handler() = default;
  virtual void start(std::string_view name, const char** atts) = 0;
  virtual void end(std::string_view name) = 0;
  virtual void text(std::string_view) {}
  std::string error;
};

struct ZipDiscard {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct ParserFree {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

struct ParseState {
  Handler* handler;
  XML_Parser parser;
};

void on_start(void* data, const char* name, const char** atts) {
  auto* st = static_cast<ParseState*>(data);
  st->handler->start(local_name(name), atts);
  if (!st->handler->error.empty()) XML_StopParser(st->parser, XML_FALSE);
}
void on_end(void* data, const char* name) {
  auto* st = static_cast<ParseState*>(data);
  st->handler->end(local_name(name));
  if (!st->handler->error.empty()) XML_StopParser(st->parser, XML_FALSE);
}
void on_text(void* data, const char* s, int len) {
  auto* st = static_cast<ParseState*>(data);
  st->handler->text(std::string_view(s, static_cast<std::size_t>(len)));
  if (!st->handler->error.empty()) XML_StopParser(st->parser, XML_FALSE);
}

class Archive {
 public:
  Archive(std::string path, const Limits& limits) : path_(std::move(path)), limits_(limits) {}

  Status open() {
    int err = 0;
    zip_.reset(zip_open(path_.c_str(), ZIP_RDONLY, &err));
    if (zip_) return {};
    if (err == ZIP_ER_NOENT || err == ZIP_ER_OPEN || err == ZIP_ER_READ) {
      zip_error_t ze;
      zip_error_init_with_code(&ze, err);
      std::string why = zip_error_strerror(&ze);
      zip_error_fini(&ze);
      return make_error(ErrorKind::NotFound, path_ + ": cannot be read: " + why);
    }
    return make_error(ErrorKind::Validation,
                      path_ +
                          ": is not an .xlsx workbook (it is not a zip archive: an older .xls, an .ods, a CSV or a "
                          "damaged file?). Save it from the spreadsheet program as an Excel workbook (.xlsx).");
  }

  bool has(const std::string& part) const { return zip_name_locate(zip_.get(), part.c_str(), ZIP_FL_NOCASE) >= 0; }

  // Streams one part through `h`. A part that inflates beyond the limit, or
  // is not well-formed XML, is an error naming it.
  Status parse(const std::string& part, Handler& h) {
    zip_int64_t index = zip_name_locate(zip_.get(), part.c_str(), ZIP_FL_NOCASE);
    if (index < 0) return fail(part + ": is missing from the workbook");
    std::unique_ptr<zip_file_t, ZipFileClose> file(zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0));
    if (!file)
      return fail(part + ": cannot be read (" + std::string(zip_strerror(zip_.get())) +
                  "); a password-protected workbook cannot be imported");
    std::unique_ptr<std::remove_pointer_t<XML_Parser>, ParserFree> parser(XML_ParserCreate("UTF-8"));
    if (!parser) return make_error(ErrorKind::Internal, path_ + ": out of memory reading " + part);
    ParseState state{&h, parser.get()};
    XML_SetUserData(parser.get(), &state);
    XML_SetElementHandler(parser.get(), on_start, on_end);
    XML_SetCharacterDataHandler(parser.get(), on_text);
    std::vector<char> buf(64 << 10);
    std::size_t total = 0;
    for (;;) {
      zip_int64_t n = zip_fread(file.get(), buf.data(), buf.size());
      if (n < 0)
        return fail(part + ": cannot be inflated (" + std::string(zip_file_strerror(file.get())) +
                    "): the workbook is damaged");
      total += static_cast<std::size_t>(n);
      if (total > limits_.max_part_bytes)
        return fail(part + ": inflates to more than " + std::to_string(limits_.max_part_bytes >> 20) +
                    " MiB, far more than any survey needs (a zip bomb, or a sheet of data rather than a form); "
                    "nothing was imported");
      const bool last = n == 0;
      if (XML_Parse(parser.get(), buf.data(), static_cast<int>(n), last ? XML_TRUE : XML_FALSE) != XML_STATUS_OK) {
        if (!h.error.empty()) return fail(part + ": " + h.error);
        return fail(part + " line " + std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                    XML_ErrorString(XML_GetErrorCode(parser.get())) + " (the workbook is damaged)");
      }
      if (last) break;
    }
    if (!h.error.empty()) return fail(part + ": " + h.error);
    return {};
  }

 private:
  Error fail(const std::string& what) const { return make_error(ErrorKind::Validation, path_ + ": " + what); }
  std::string path_;
  Limits limits_;
  std::unique_ptr<zip_t, ZipDiscard> zip_;
};

// xl/workbook.xml: the sheets, in order, with their relationship ids.
struct WorkbookHandler : Handler {
  struct Entry {
    std::string name, rel;
  };
  std::vector<Entry> sheets;
  void start(std::string_view name, const char** atts) override {
    if (name != "sheet") return;
    const char* n = attribute(atts, "name");
    const char* id = attribute(atts, "id");
    if (n && id) sheets.push_back({n, id});
  }
  void end(std::string_view) override {}
};

// xl/_rels/workbook.xml.rels: relationship id -> part, and the shared strings part.
struct RelsHandler : Handler {
  std::map<std::string, std::string> target;
  std::string shared_strings;
  void start(std::string_view name, const char** atts) override {
    if (name != "Relationship") return;
    const char* id = attribute(atts, "Id");
    const char* t = attribute(atts, "Target");
    const char* type = attribute(atts, "Type");
    if (!id || !t) return;
    std::string part = t;
    // Targets are relative to xl/ unless they start with '/'.
    if (!part.empty() && part[0] == '/')
      part.erase(0, 1);
    else
      part = "xl/" + part;
    target[id] = part;
    if (type && std::string_view(type).ends_with("/sharedStrings")) shared_strings = part;
  }
  void end(std::string_view) override {}
};

// Text of <t> runs, skipping phonetic runs (<rPh>), as in shared strings and inline strings.
struct TextCollector {
  bool in_t = false;
  int in_rph = 0;
  std::string value;
  void start(std::string_view name) {
    if (name == "rPh") ++in_rph;
    if (name == "t" && in_rph == 0) in_t = true;
  }
  void end(std::string_view name) {
    if (name == "rPh" && in_rph > 0) --in_rph;
    if (name == "t") in_t = false;
  }
};

struct SharedStringsHandler : Handler {
  explicit SharedStringsHandler(const Limits& l) : limits(l) {}
  const Limits& limits;
  std::vector<std::string> strings;
  bool in_si = false;
  TextCollector t;
  void start(std::string_view name, const char**) override {
    if (name == "si") {
      in_si = true;
      t = {};
      if (strings.size() >= limits.max_shared_strings)
        error = "holds more than " + std::to_string(limits.max_shared_strings) +
                " different texts, far more than any survey needs; nothing was imported";
      return;
    }
    if (in_si) t.start(name);
  }
  void end(std::string_view name) override {
    if (name == "si") {
      in_si = false;
      strings.push_back(std::move(t.value));
      t = {};
      return;
    }
    if (in_si) t.end(name);
  }
  void text(std::string_view s) override {
    if (!in_si || !t.in_t) return;
    if (t.value.size() + s.size() > limits.max_cell_bytes) {
      error = "text " + std::to_string(strings.size() + 1) + " is longer than " +
              std::to_string(limits.max_cell_bytes / 1024) + " KiB";
      return;
    }
    t.value.append(s);
  }
};

// "BC12" -> column 54 (0-based), row 12; false when it is not a cell reference.
bool parse_ref(std::string_view ref, std::size_t& column, std::size_t& row) {
  std::size_t i = 0, c = 0;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i]))) {
    c = c * 26 + static_cast<std::size_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    if (++i > 3) return false;
  }
  if (i == 0 || i == ref.size()) return false;
  std::size_t r = 0;
  for (; i < ref.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(ref[i]))) return false;
    r = r * 10 + static_cast<std::size_t>(ref[i] - '0');
    if (r > 10000000) return false;
  }
  column = c - 1;
  row = r;
  return r > 0;
}

struct SheetHandler : Handler {
  SheetHandler(Sheet& s, const std::vector<std::string>& sst, const Limits& l) : sheet(s), shared(sst), limits(l) {}
  Sheet& sheet;
  const std::vector<std::string>& shared;
  const Limits& limits;
  std::size_t row = 0, column = 0;
  bool in_cell = false, in_v = false, in_is = false;
  std::string type, value, ref;
  TextCollector inline_text;

  void start(std::string_view name, const char** atts) override {
    if (name == "row") {
      const char* r = attribute(atts, "r");
      std::size_t n = 0;
      if (r) {
        for (const char* p = r; *p; ++p) {
          if (!std::isdigit(static_cast<unsigned char>(*p)) || n > 10000000) {
            error = "a row's number \"" + std::string(r) + "\" is not a number";
            return;
          }
          n = n * 10 + static_cast<std::size_t>(*p - '0');
        }
      }
      row = r ? n : row + 1;
      column = 0;
      return;
    }
    if (name == "c") {
      in_cell = true;
      type.clear();
      value.clear();
      const char* r = attribute(atts, "r");
      std::size_t c = 0, rr = 0;
      if (r && parse_ref(r, c, rr)) {
        column = c;
        row = rr;
      } else if (r) {
        error = "a cell's reference \"" + std::string(r) + "\" is not a cell";
        return;
      }
      ref = column_name(column) + std::to_string(row);
      if (const char* t = attribute(atts, "t")) type = t;
      return;
    }
    if (!in_cell) return;
    if (name == "v") in_v = true;
    if (name == "is") in_is = true;
    if (in_is) inline_text.start(name);
  }

  void end(std::string_view name) override {
    if (name == "c" && in_cell) {
      in_cell = false;
      finish_cell();
      ++column;
      return;
    }
    if (name == "v") in_v = false;
    if (in_is) inline_text.end(name);
    if (name == "is") {
      in_is = false;
      value = std::move(inline_text.value);
      inline_text = {};
    }
  }

  void text(std::string_view s) override {
    std::string* into = in_v ? &value : (in_is && inline_text.in_t) ? &inline_text.value : nullptr;
    if (!into) return;
    if (into->size() + s.size() > limits.max_cell_bytes) {
      error = "cell " + ref + " is longer than " + std::to_string(limits.max_cell_bytes / 1024) + " KiB";
      return;
    }
    into->append(s);
  }

  void finish_cell() {
    std::string text;
    if (type == "s") {
      std::size_t idx = 0;
      bool ok = !value.empty() && value.size() < 10;
      for (char ch : value) ok = ok && std::isdigit(static_cast<unsigned char>(ch));
      if (ok) idx = std::stoul(value);
      if (!ok || idx >= shared.size()) {
        error = "cell " + ref + " refers to shared text " + (value.empty() ? "(none)" : value) +
                ", but the workbook has " + std::to_string(shared.size()) + " (the workbook is damaged)";
        return;
      }
      text = shared[idx];
    } else if (type == "b") {
      text = value == "1" ? "TRUE" : value == "0" ? "FALSE" : value;
    } else {
      text = std::move(value);  // n, str, inlineStr, e, d
    }
    if (text.empty()) return;
    if (column >= limits.max_columns) {
      error = "cell " + ref + " is beyond column " + column_name(limits.max_columns - 1) +
              ": far wider than any survey sheet";
      return;
    }
    auto it = sheet.rows.find(row);
    if (it == sheet.rows.end()) {
      if (sheet.rows.size() >= limits.max_rows) {
        error = "sheet \"" + sheet.name + "\" has more than " + std::to_string(limits.max_rows) +
                " rows in use, far more than any survey needs; nothing was imported";
        return;
      }
      it = sheet.rows.emplace(row, std::vector<std::string>{}).first;
    }
    if (it->second.size() <= column) it->second.resize(column + 1);
    it->second[column] = std::move(text);
  }
};

}  // namespace

Result<std::vector<Sheet>> read_workbook(const std::string& path, const std::vector<std::string>& wanted,
                                         const Limits& limits) {
  Archive zip(path, limits);
  if (auto st = zip.open(); !st) return st.error();
  if (!zip.has("xl/workbook.xml"))
    return make_error(ErrorKind::Validation,
                      path +
                          ": is a zip archive but not an .xlsx workbook (it has no xl/workbook.xml: an "
                          "OpenDocument .ods? Save it as an Excel workbook, .xlsx)");
  WorkbookHandler wb;
  if (auto st = zip.parse("xl/workbook.xml", wb); !st) return st.error();
  RelsHandler rels;
  if (zip.has("xl/_rels/workbook.xml.rels"))
    if (auto st = zip.parse("xl/_rels/workbook.xml.rels", rels); !st) return st.error();
  std::string sst_part = rels.shared_strings.empty() ? "xl/sharedStrings.xml" : rels.shared_strings;

  std::vector<std::string> shared;
  bool shared_read = false;
  std::vector<Sheet> out;
  for (std::size_t i = 0; i < wb.sheets.size(); ++i) {
    const auto& e = wb.sheets[i];
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), lower_trim(e.name)) == wanted.end()) continue;
    if (!shared_read && zip.has(sst_part)) {
      SharedStringsHandler h(limits);
      if (auto st = zip.parse(sst_part, h); !st) return st.error();
      shared = std::move(h.strings);
    }
    shared_read = true;
    auto t = rels.target.find(e.rel);
    std::string part = t != rels.target.end() ? t->second : "xl/worksheets/sheet" + std::to_string(i + 1) + ".xml";
    Sheet sheet;
    sheet.name = e.name;
    SheetHandler h(sheet, shared, limits);
    if (auto st = zip.parse(part, h); !st) return st.error();
    out.push_back(std::move(sheet));
  }
  return out;
}

}  // namespace kiosk::xlsx
