// Sections: 1. plural rules  2. placeholders and pseudo-localisation
// 3. loading files  4. lookup  5. checks for kiosk-admin validate.
#include "kiosk/catalogue.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>

namespace kiosk {
namespace fs = std::filesystem;

extern const std::string_view kBuiltinCatalogueEn;  // catalogue_builtin.cpp, made from en.toml

// ---- 1. Plural rules ---------------------------------------------------------

namespace {

std::string_view language_of(std::string_view locale) {
  const auto dash = locale.find_first_of("-_");
  return dash == std::string_view::npos ? locale : locale.substr(0, dash);
}

bool is_category(std::string_view k) {
  return k == "zero" || k == "one" || k == "two" || k == "few" || k == "many" || k == "other";
}

}  // namespace

// CLDR's rules for whole numbers (the kiosk counts, it never shows fractions).
std::string_view plural_category(std::string_view locale, long long n) {
  const long long a = n < 0 ? -n : n;
  const auto lang = language_of(locale);
  if (lang == "en" || lang == "ur") return a == 1 ? "one" : "other";
  if (lang == "pl") {
    if (a == 1) return "one";
    const long long m10 = a % 10, m100 = a % 100;
    if (m10 >= 2 && m10 <= 4 && !(m100 >= 12 && m100 <= 14)) return "few";
    return "many";
  }
  return "other";
}

// ---- 2. Placeholders and pseudo-localisation ----------------------------------

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Calls on_text(piece) for literal text and on_name(name) for each {name}.
template <class Text, class Name>
Status walk(std::string_view s, Text on_text, Name on_name) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t open = s.find('{', i);
    if (open == std::string_view::npos) {
      on_text(s.substr(i));
      break;
    }
    on_text(s.substr(i, open - i));
    const size_t close = s.find('}', open);
    if (close == std::string_view::npos) return make_error(ErrorKind::Validation, "a { is not closed by }");
    const auto name = s.substr(open + 1, close - open - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), name_char))
      return make_error(ErrorKind::Validation,
                        "\"{" + std::string(name) + "}\" is not a placeholder: names are letters, digits and _");
    on_name(name);
    i = close + 1;
  }
  return {};
}

}  // namespace

Result<std::vector<std::string>> placeholders_of(std::string_view text) {
  std::vector<std::string> names;
  auto st = walk(
      text, [](std::string_view) {},
      [&](std::string_view n) {
        if (std::find(names.begin(), names.end(), n) == names.end()) names.emplace_back(n);
      });
  if (!st) return st.error();
  return names;
}

std::string fill_placeholders(std::string_view text, const MessageArgs& args) {
  std::string out;
  out.reserve(text.size() + 16);
  auto st = walk(
      text, [&](std::string_view t) { out += t; },
      [&](std::string_view n) {
        for (const auto& [k, v] : args)
          if (k == n) {
            out += v;
            return;
          }
        out += '{';
        out += n;
        out += '}';
      });
  if (!st) return std::string(text);  // checked at load; a text from elsewhere shows as written
  return out;
}

std::string pseudo_localise(std::string_view text) {
  static constexpr std::string_view plain = "aeiouAEIOU";
  static const char* const accented[] = {"à", "é", "î", "õ", "ü", "À", "É", "Î", "Õ", "Ü"};
  std::string body;
  size_t chars = 0;  // letters a visitor reads, placeholders not counted
  auto st = walk(
      text,
      [&](std::string_view t) {
        for (char c : t) {
          if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
          const auto k = plain.find(c);
          if (k == std::string_view::npos)
            body += c;
          else
            body += accented[k];
        }
      },
      [&](std::string_view n) {
        body += '{';
        body += n;
        body += '}';
      });
  if (!st) body = std::string(text);
  // 40% longer, in short words so that it wraps where the real text would.
  const size_t extra = static_cast<size_t>(std::ceil(static_cast<double>(chars) * 0.4));
  static const char* const pad[] = {"à", "é", "î", "õ", "ü"};
  std::string tail;
  for (size_t k = 0; k < extra; ++k) tail += k % 6 == 0 ? " " : pad[k % 5];
  return "\xE2\x9F\xA6" + body + tail + "\xE2\x9F\xA7";
}

std::vector<std::string> Message::placeholders() const {
  std::set<std::string> all;
  auto add = [&](const std::string& t) {
    if (auto p = placeholders_of(t)) all.insert(p->begin(), p->end());
  };
  if (plural())
    for (const auto& [cat, t] : forms) add(t);
  else
    add(text);
  return {all.begin(), all.end()};
}

// ---- 3. Loading files ----------------------------------------------------------

namespace {

struct LoadError {
  std::string message;
};

class FileReader {
 public:
  explicit FileReader(std::string file) : file_(std::move(file)) {}
  [[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& what) const {
    std::ostringstream m;
    m << file_ << ':' << n.source().begin.line << ": " << key << ": " << what;
    throw LoadError{m.str()};
  }

  void check_text(const toml::node& n, const std::string& key, const std::string& text) const {
    if (auto p = placeholders_of(text); !p) fail(n, key, p.message());
  }

  // Flattens [messages]: a table whose keys are all plural categories is a
  // plural message; any other table (unquoted dotted keys) adds to the key.
  void messages(const toml::table& t, const std::string& prefix, LocaleMessages& out) const {
    for (const auto& [k, v] : t) {
      const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      Message m;
      m.line = static_cast<int>(v.source().begin.line);
      if (const auto* s = v.as_string()) {
        check_text(v, key, s->get());
        m.text = s->get();
      } else if (const auto* tt = v.as_table()) {
        bool plural = !tt->empty();
        for (const auto& [ck, cv] : *tt) plural = plural && is_category(ck.str());
        if (!plural) {
          bool any_category = false;
          for (const auto& [ck, cv] : *tt) any_category = any_category || is_category(ck.str());
          if (any_category)
            fail(v, key, "a plural table has only the CLDR categories zero, one, two, few, many and other");
          messages(*tt, key, out);
          continue;
        }
        for (const auto& [ck, cv] : *tt) {
          const auto* form = cv.as_string();
          if (!form) fail(cv, key + "." + std::string(ck.str()), "must be text");
          check_text(cv, key + "." + std::string(ck.str()), form->get());
          m.forms[std::string(ck.str())] = form->get();
        }
        if (!m.forms.count("other")) fail(v, key, "a plural table must have \"other\", the form for any number");
      } else {
        fail(v, key, "must be text, or a plural table such as { one = \"{n} response\", other = \"{n} responses\" }");
      }
      if (out.messages.count(key)) fail(v, key, "is given twice");
      out.messages.emplace(key, std::move(m));
    }
  }

 private:
  std::string file_;
};

LocaleMessages parse_messages(const toml::table& root, const std::string& file) {
  FileReader r(file);
  LocaleMessages out;
  out.file = file;
  for (const auto& [k, v] : root)
    if (k.str() != "meta" && k.str() != "messages")
      r.fail(v, std::string(k.str()), "unknown table: a catalogue has [meta] and [messages]");
  const auto* meta = root.get("meta");
  if (!meta || !meta->as_table()) throw LoadError{file + ": the [meta] table (locale, name) is missing"};
  for (const auto& [k, v] : *meta->as_table()) {
    const std::string key = "meta." + std::string(k.str());
    if (k.str() == "locale" || k.str() == "name") {
      if (!v.as_string()) r.fail(v, key, "must be text");
      (k.str() == "locale" ? out.locale : out.name) = v.as_string()->get();
    } else if (k.str() == "demonstration") {
      if (!v.as_boolean()) r.fail(v, key, "must be true or false");
      out.demonstration = v.as_boolean()->get();
    } else {
      r.fail(v, key, "unknown setting (meta has locale, name and demonstration)");
    }
  }
  if (out.locale.empty()) throw LoadError{file + ": meta.locale is missing"};
  if (out.name.empty()) out.name = out.locale;
  const auto* msgs = root.get("messages");
  if (!msgs) throw LoadError{file + ": the [messages] table is missing"};
  if (!msgs->as_table()) r.fail(*msgs, "messages", "must be a table");
  r.messages(*msgs->as_table(), "", out);
  return out;
}

toml::table parse_toml(std::string_view text, const std::string& name, bool is_file) {
  try {
    return is_file ? toml::parse_file(name) : toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    if (e.source().begin.line == 0)
      m << name << ": cannot read (" << e.description() << ")";
    else
      m << name << ':' << e.source().begin.line << ": invalid TOML: " << e.description();
    throw LoadError{m.str()};
  }
}

std::string braces(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "{" : " {") + n + "}";
  return s.empty() ? "none" : s;
}

LocaleMessages make_pseudo(const LocaleMessages& from) {
  LocaleMessages p;
  p.locale = std::string(Catalogue::pseudo_locale);
  p.name = pseudo_localise(from.name.empty() ? "English" : from.name);
  p.file = from.file;
  p.generated = true;
  for (const auto& [k, m] : from.messages) {
    Message q;
    q.line = m.line;
    q.text = m.plural() ? std::string() : pseudo_localise(m.text);
    for (const auto& [cat, t] : m.forms) q.forms[cat] = pseudo_localise(t);
    p.messages.emplace(k, std::move(q));
  }
  return p;
}

}  // namespace

Result<LocaleMessages> Catalogue::load_file(const std::string& path) {
  try {
    auto m = parse_messages(parse_toml({}, path, true), path);
    if (fs::path(path).stem().string() != m.locale)
      return make_error(ErrorKind::Config, path + ": meta.locale is \"" + m.locale + "\" but the file is named for \"" +
                                               fs::path(path).stem().string() + "\"");
    return m;
  } catch (const LoadError& e) {
    return make_error(ErrorKind::Config, e.message);
  }
}

Result<Catalogue> Catalogue::from_string(std::string_view text, const std::string& source_name) {
  try {
    Catalogue c;
    auto m = parse_messages(parse_toml(text, source_name, false), source_name);
    c.default_ = m.locale;
    c.locales_.emplace(m.locale, std::move(m));
    auto p = make_pseudo(c.locales_.at(c.default_));
    c.locales_.emplace(p.locale, std::move(p));
    return c;
  } catch (const LoadError& e) {
    return make_error(ErrorKind::Config, e.message);
  }
}

Result<Catalogue> Catalogue::load_dir(const std::string& dir, const std::string& default_locale) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(ErrorKind::Config, dir + ": the locales folder does not exist");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec) return make_error(ErrorKind::Config, dir + ": cannot read the folder (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  Catalogue c;
  c.default_ = default_locale;
  for (const auto& f : files) {
    auto m = load_file(f);
    if (!m) return m.error();
    if (m->locale == pseudo_locale)
      return make_error(ErrorKind::Config, f + ": " + std::string(pseudo_locale) + " is made from " + default_locale +
                                               " when the kiosk starts; it has no file");
    c.locales_.emplace(m->locale, std::move(m).value());
  }
  const auto def = c.locales_.find(default_locale);
  if (def == c.locales_.end())
    return make_error(ErrorKind::Config,
                      dir + "/" + default_locale + ".toml: the default locale's catalogue is missing");
  // A translation may leave out a placeholder (a warning), never invent one:
  // nothing would fill it.
  for (const auto& [loc, lm] : c.locales_) {
    if (loc == default_locale) continue;
    for (const auto& [key, m] : lm.messages) {
      const auto it = def->second.messages.find(key);
      if (it == def->second.messages.end()) continue;
      const auto theirs = it->second.placeholders();
      for (const auto& p : m.placeholders())
        if (std::find(theirs.begin(), theirs.end(), p) == theirs.end())
          return make_error(ErrorKind::Config, lm.file + ":" + std::to_string(m.line) + ": " + key +
                                                   ": unknown placeholder {" + p + "} (" + default_locale + " has " +
                                                   braces(theirs) + ")");
    }
  }
  auto p = make_pseudo(def->second);
  c.locales_.emplace(p.locale, std::move(p));
  return c;
}

Result<Catalogue> Catalogue::load(const std::string& dir) {
  if (dir.empty()) return builtin();
  return load_dir(dir, "en");
}

Catalogue Catalogue::builtin() {
  // The same text as en.toml, checked by the tests: it cannot fail to load.
  auto c = from_string(kBuiltinCatalogueEn, "built-in en.toml");
  return c ? std::move(c).value() : Catalogue();
}

// ---- 4. Lookup --------------------------------------------------------------------

const LocaleMessages* Catalogue::find_locale(std::string_view locale) const {
  const auto it = locales_.find(locale);
  return it == locales_.end() ? nullptr : &it->second;
}

std::vector<std::string> Catalogue::locales() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : locales_) out.push_back(k);
  return out;
}

std::string Catalogue::language_name(std::string_view locale) const {
  const auto* l = find_locale(locale);
  return l ? l->name : std::string(locale);
}

const Message* Catalogue::lookup(std::string_view locale, std::string_view key, std::string* found_in) const {
  for (std::string_view loc : {locale, language_of(locale), std::string_view(default_)}) {
    const auto* l = find_locale(loc);
    if (!l) continue;
    if (const auto it = l->messages.find(key); it != l->messages.end()) {
      if (found_in) *found_in = l->locale;
      return &it->second;
    }
  }
  return nullptr;
}

bool Catalogue::has(std::string_view locale, std::string_view key) const {
  const auto* l = find_locale(locale);
  return l && l->messages.find(key) != l->messages.end();
}

std::string Catalogue::get(std::string_view locale, std::string_view key, const MessageArgs& args) const {
  std::string loc;
  const Message* m = lookup(locale, key, &loc);
  if (!m) return std::string(key);
  if (!m->plural()) return fill_placeholders(m->text, args);
  long long n = 0;
  for (const auto& [k, v] : args)
    if (k == "n") n = std::strtoll(v.c_str(), nullptr, 10);
  const auto cat = plural_category(loc, n);
  auto it = m->forms.find(std::string(cat));
  if (it == m->forms.end()) it = m->forms.find("other");
  return fill_placeholders(it->second, args);
}

// ---- 5. Checks for kiosk-admin validate ---------------------------------------------

std::vector<CatalogueWarning> Catalogue::check() const {
  std::vector<CatalogueWarning> out;
  const auto* def = find_locale(default_);
  if (!def) return out;
  for (const auto& [loc, lm] : locales_) {
    if (loc == default_ || lm.generated) continue;
    CatalogueWarning w;
    w.locale = loc;
    w.file = lm.file;
    for (const auto& [key, m] : def->messages)
      if (!lm.messages.count(key)) w.missing.push_back(key);
    for (const auto& [key, m] : lm.messages) {
      const auto it = def->messages.find(key);
      if (it == def->messages.end()) {
        w.unknown.push_back(key);
        continue;
      }
      const auto mine = m.placeholders(), theirs = it->second.placeholders();
      if (mine != theirs)
        w.placeholder_differs.push_back(key + ": " + braces(mine) + " (" + default_ + ": " + braces(theirs) + ")");
    }
    if (!w.missing.empty() || !w.unknown.empty() || !w.placeholder_differs.empty()) out.push_back(std::move(w));
  }
  return out;
}

namespace {
constexpr std::string_view kReferencePrefix = "catalogue:";
constexpr char kUnit = '\x1f';
}  // namespace

std::string catalogue_reference(std::string_view key, const MessageArgs& args) {
  std::string out(kReferencePrefix);
  out += key;
  for (const auto& [name, value] : args) {
    out += kUnit;
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

bool parse_catalogue_reference(std::string_view text, std::string* key, MessageArgs* args) {
  if (text.substr(0, kReferencePrefix.size()) != kReferencePrefix) return false;
  text.remove_prefix(kReferencePrefix.size());
  std::size_t end = text.find(kUnit);
  *key = std::string(text.substr(0, end));
  args->clear();
  while (end != std::string_view::npos) {
    text.remove_prefix(end + 1);
    end = text.find(kUnit);
    const std::string_view field = text.substr(0, end);
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) return false;
    args->emplace_back(std::string(field.substr(0, eq)), std::string(field.substr(eq + 1)));
  }
  return !key->empty();
}

}  // namespace kiosk
