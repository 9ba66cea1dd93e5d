#include "kiosk/keyboard.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "kiosk/locale.hpp"

namespace kiosk {
namespace fs = std::filesystem;

namespace {

// The keyboard panel is ten keys wide; Shift takes two of the last row's.
constexpr std::size_t kMaxKeys = 10;
constexpr std::size_t kShiftWidth = 2;
// A key is one letter, maybe with its marks: a few code points at most.
constexpr std::size_t kMaxKeyBytes = 16;

struct LoadError {
  std::string message;
};

std::vector<std::string> split_keys(const std::string& row) {
  std::vector<std::string> keys;
  std::istringstream in(row);
  std::string k;
  while (in >> k) keys.push_back(k);
  return keys;
}

class Loader {
 public:
  Loader(std::string source, std::string locale) : source_(std::move(source)), locale_(std::move(locale)) {}

  KeyboardLayout load(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      std::ostringstream m;
      m << source_ << ':' << e.source().begin.line << ':' << e.source().begin.column
        << ": invalid TOML: " << e.description();
      throw LoadError{m.str()};
    }
    static const std::set<std::string_view> allowed = {"locale", "name", "capitals", "rows", "shifted"};
    for (const auto& [k, v] : root)
      if (!allowed.count(k.str()))
        fail(v, "unknown key \"" + std::string(k.str()) + "\" (allowed: locale, name, capitals, rows, shifted)");
    KeyboardLayout l;
    l.source = source_;
    l.locale = string(root, "locale");
    if (l.locale != locale_)
      fail(*root.get("locale"), "locale \"" + l.locale + "\" does not match the file's name (" + locale_ + ".toml)");
    l.name = string(root, "name");
    if (const auto* c = root.get("capitals")) {
      const auto* b = c->as_boolean();
      if (!b) fail(*c, "capitals must be true or false");
      l.capitals = b->get();
    }
    const auto* rows = root.get("rows");
    if (!rows) fail_at(root, "rows is missing: a list of rows, each a string of keys separated by spaces");
    l.rows = layer(*rows, "rows");
    if (const auto* sh = root.get("shifted")) {
      l.shifted = layer(*sh, "shifted");
      if (l.shifted.size() != l.rows.size())
        fail(*sh, "shifted has " + std::to_string(l.shifted.size()) + " rows, rows has " +
                      std::to_string(l.rows.size()) + ": each key needs its Shift form");
      for (std::size_t r = 0; r < l.rows.size(); ++r)
        if (l.shifted[r].size() != l.rows[r].size())
          fail((*sh->as_array())[r], "shifted row " + std::to_string(r + 1) + " has " +
                                         std::to_string(l.shifted[r].size()) + " keys, its row in rows has " +
                                         std::to_string(l.rows[r].size()));
      if (l.rows.back().size() + kShiftWidth > kMaxKeys)
        fail((*rows->as_array())[l.rows.size() - 1], "the last row has Shift at its start, so it holds at most " +
                                                         std::to_string(kMaxKeys - kShiftWidth) + " keys");
    } else if (l.capitals) {
      fail(*root.get("capitals"), "capitals = true needs a shifted layer holding the capitals");
    }
    // Each key of the first layer names its button: the same key twice would be one button.
    std::set<std::string> seen;
    for (std::size_t r = 0; r < l.rows.size(); ++r)
      for (const auto& k : l.rows[r])
        if (!seen.insert(k).second) fail((*rows->as_array())[r], "the key \"" + k + "\" is in the layout twice");
    return l;
  }

 private:
  [[noreturn]] void fail(const toml::node& n, const std::string& what) const {
    std::ostringstream m;
    m << source_ << ':' << n.source().begin.line << ':' << n.source().begin.column << ": " << what;
    throw LoadError{m.str()};
  }
  [[noreturn]] void fail_at(const toml::table& t, const std::string& what) const {
    std::ostringstream m;
    m << source_ << ':' << t.source().begin.line << ':' << t.source().begin.column << ": " << what;
    throw LoadError{m.str()};
  }

  std::string string(const toml::table& t, std::string_view key) const {
    const auto* n = t.get(key);
    if (!n) fail_at(t, std::string(key) + " is missing");
    const auto* s = n->as_string();
    if (!s || s->get().empty()) fail(*n, std::string(key) + " must be a non-empty string");
    return s->get();
  }

  std::vector<std::vector<std::string>> layer(const toml::node& n, const std::string& what) const {
    const auto* arr = n.as_array();
    if (!arr || arr->empty()) fail(n, what + " must be a non-empty list of rows such as \"q w e r t y u i o p\"");
    std::vector<std::vector<std::string>> out;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto& row = (*arr)[i];
      const auto* s = row.as_string();
      if (!s) fail(row, what + " row " + std::to_string(i + 1) + " must be a string of keys separated by spaces");
      auto keys = split_keys(s->get());
      if (keys.empty()) fail(row, what + " row " + std::to_string(i + 1) + " has no keys");
      if (keys.size() > kMaxKeys)
        fail(row, what + " row " + std::to_string(i + 1) + " has " + std::to_string(keys.size()) +
                      " keys; the keyboard is " + std::to_string(kMaxKeys) + " keys wide");
      for (const auto& k : keys)
        if (k.size() > kMaxKeyBytes)
          fail(row, what + " row " + std::to_string(i + 1) + ": \"" + k +
                        "\" is not one key (keys are separated by spaces)");
      out.push_back(std::move(keys));
    }
    return out;
  }

  std::string source_, locale_;
};

KeyboardLayout builtin(const char* locale, const char* name, std::vector<std::string> rows,
                       std::vector<std::string> shifted, bool capitals) {
  KeyboardLayout l;
  l.source = "built in";
  l.locale = locale;
  l.name = name;
  for (const auto& r : rows) l.rows.push_back(split_keys(r));
  for (const auto& r : shifted) l.shifted.push_back(split_keys(r));
  l.capitals = capitals;
  return l;
}

}  // namespace

const std::string& KeyboardLayout::shift_of(const std::string& key) const {
  for (std::size_t r = 0; r < rows.size() && r < shifted.size(); ++r)
    for (std::size_t k = 0; k < rows[r].size() && k < shifted[r].size(); ++k)
      if (rows[r][k] == key) return shifted[r][k];
  return key;
}

Result<KeyboardLayout> parse_keyboard(std::string_view text, const std::string& source, const std::string& locale) {
  try {
    return Loader(source, locale).load(text);
  } catch (const LoadError& e) {
    return make_error(ErrorKind::Config, e.message);
  }
}

Result<KeyboardLayout> load_keyboard_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::NotFound, path + ": cannot open the keyboard layout");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(ErrorKind::Storage, path + ": read error");
  return parse_keyboard(ss.str(), path, fs::path(path).stem().string());
}

Result<Keyboards> Keyboards::load(const std::string& dir) {
  Keyboards k;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return k;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec) return make_error(ErrorKind::Config, dir + ": cannot read the keyboards folder (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto l = load_keyboard_file(f);
    if (!l) return l.error();
    k.add(std::move(l).value());
  }
  return k;
}

void Keyboards::add(KeyboardLayout layout) {
  const std::string locale = layout.locale;
  by_locale_[locale] = std::move(layout);
}

const KeyboardLayout& Keyboards::for_locale(std::string_view locale) const {
  if (auto it = by_locale_.find(locale); it != by_locale_.end()) return it->second;
  if (auto it = by_locale_.find(locale_language(locale)); it != by_locale_.end()) return it->second;
  if (auto it = by_locale_.find("en"); it != by_locale_.end()) return it->second;
  return builtin_latin();
}

const KeyboardLayout& Keyboards::postcode() {
  static const KeyboardLayout l =
      builtin("postcode", "Postcode",
              {"1 2 3 4 5 6 7 8 9 0", "Q W E R T Y U I O P", "A S D F G H J K L", "Z X C V B N M"}, {}, false);
  return l;
}

const KeyboardLayout& Keyboards::number(bool decimal) {
  static const KeyboardLayout whole = [] {
    auto l = builtin("number", "Number", {"1 2 3", "4 5 6", "7 8 9", "- 0"}, {}, false);
    l.pad = true;
    return l;
  }();
  static const KeyboardLayout point = [] {
    auto l = builtin("number", "Number", {"1 2 3", "4 5 6", "7 8 9", "- 0 ."}, {}, false);
    l.pad = true;
    return l;
  }();
  return decimal ? point : whole;
}

const KeyboardLayout& Keyboards::digits() {
  static const KeyboardLayout l = [] {
    auto d = builtin("digits", "Digits", {"1 2 3", "4 5 6", "7 8 9", "0"}, {}, false);
    d.pad = true;
    return d;
  }();
  return l;
}

const KeyboardLayout& Keyboards::builtin_latin() {
  static const KeyboardLayout l = builtin(
      "en", "Latin",
      {"1 2 3 4 5 6 7 8 9 0", "q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m , . -", "@ ? !"},
      {"1 2 3 4 5 6 7 8 9 0", "Q W E R T Y U I O P", "A S D F G H J K L '", "Z X C V B N M , . -", "@ ? !"}, true);
  return l;
}

}  // namespace kiosk
