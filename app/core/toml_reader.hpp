// Reading a settings file written in TOML, for kiosk.toml, service-points.toml
// and population files: every error names the file, line, column and key
// ("kiosk.toml:12:1: admin.pin_attempts: must be between 1 and 20").
// Internal to the core library.
#pragma once

#include <toml++/toml.h>

#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

namespace kiosk::detail {

struct ConfigError {
  std::string message;
};

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void fail(const toml::node& n, const std::string& path, const std::string& what) const {
    std::ostringstream m;
    m << file_ << ':' << n.source().begin.line << ':' << n.source().begin.column << ": " << path << ": " << what;
    throw ConfigError{m.str()};
  }
  // A required key that is not there: the line of the table it belongs in.
  [[noreturn]] void missing(const toml::table& t, const std::string& path, const char* key) const {
    const std::string where = path.empty() ? std::string(key) : path + "." + key;
    if (t.source().begin.line > 0) fail(t, where, "is missing");
    throw ConfigError{file_ + ": " + where + ": is missing"};
  }
  std::string str(const toml::table& t, const std::string& path, const char* key, bool required,
                  std::string dflt = {}) const {
    const auto* n = t.get(key);
    if (!n) {
      if (required) missing(t, path, key);
      return dflt;
    }
    const auto* v = n->as_string();
    if (!v) fail(*n, path + "." + key, "must be a string");
    return v->get();
  }
  int integer(const toml::table& t, const std::string& path, const char* key, int dflt, int lo, int hi) const {
    const auto* n = t.get(key);
    if (!n) return dflt;
    const auto* v = n->as_integer();
    if (!v) fail(*n, path + "." + key, "must be a whole number");
    if (v->get() < lo || v->get() > hi)
      fail(*n, path + "." + key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return static_cast<int>(v->get());
  }
  bool boolean(const toml::table& t, const std::string& path, const char* key, bool dflt) const {
    const auto* n = t.get(key);
    if (!n) return dflt;
    const auto* v = n->as_boolean();
    if (!v) fail(*n, path + "." + key, "must be true or false");
    return v->get();
  }
  const toml::table* table(const toml::table& t, const char* key) const {
    const auto* n = t.get(key);
    if (!n) return nullptr;
    if (!n->as_table()) fail(*n, key, "must be a table");
    return n->as_table();
  }
  void known(const toml::table& t, const std::string& path, std::initializer_list<std::string_view> keys) const {
    for (const auto& [k, v] : t) {
      bool ok = false;
      for (auto key : keys) ok = ok || key == k.str();
      if (!ok) fail(v, path.empty() ? std::string(k.str()) : path + "." + std::string(k.str()), "unknown setting");
    }
  }

 private:
  std::string file_;
};

inline toml::table parse_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    if (e.source().begin.line == 0)
      m << path << ": cannot read (" << e.description() << ")";
    else
      m << path << ':' << e.source().begin.line << ':' << e.source().begin.column
        << ": invalid TOML: " << e.description();
    throw ConfigError{m.str()};
  }
}

}  // namespace kiosk::detail
