// The message catalogue: every word the kiosk shows or speaks, one TOML file
// per locale under kiosk-config/locales/ (format: kiosk-config/README.md).
// A key missing from a locale falls back to the default locale; the
// pseudo-locale "en-XA" is made from the default at load time, so a test can
// tell catalogue text from text written into the code.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk {

// Named arguments for a message's {placeholders}. A plural message chooses its
// form by the argument "n".
using MessageArgs = std::vector<std::pair<std::string, std::string>>;

// The CLDR plural category ("zero", "one", "two", "few", "many", "other") of
// the whole number n in a locale. Rules are known for en, pl and ur; any other
// language gets "other", which every plural message must have.
std::string_view plural_category(std::string_view locale, long long n);

// The placeholders a text uses, in order of first use; an error message (no
// position) when a brace is not closed or a name is empty.
Result<std::vector<std::string>> placeholders_of(std::string_view text);

// Fills {name} from args; a placeholder with no argument stays as it is, so
// the mistake shows instead of vanishing.
std::string fill_placeholders(std::string_view text, const MessageArgs& args);

// A message of the catalogue named, with its arguments, where only a string
// travels (an Error's visitor wording): "catalogue:KEY", then for each
// argument a unit separator (U+001F), NAME, "=", VALUE. The core names what a
// visitor must be told; the kiosk says it in the visitor's language.
std::string catalogue_reference(std::string_view key, const MessageArgs& args = {});
// False when `text` is not a catalogue reference.
bool parse_catalogue_reference(std::string_view text, std::string* key, MessageArgs* args);

// The pseudo-localised form of a text: marked with ⟦ ⟧, vowels accented and
// about 40% longer, its placeholders kept as they are.
std::string pseudo_localise(std::string_view text);

struct Message {
  std::string text;                          // a plain message
  std::map<std::string, std::string> forms;  // a plural message: CLDR category -> text
  int line = 0;                              // where it is in its file
  bool plural() const { return !forms.empty(); }
  std::vector<std::string> placeholders() const;  // of all its forms, sorted, each once
};

struct LocaleMessages {
  std::string locale, name, file;
  bool demonstration = false;  // machine-made: a translator must check it before public use
  bool generated = false;      // the pseudo-locale
  std::map<std::string, Message, std::less<>> messages;
};

// What `kiosk-admin validate` warns about in a translation (never fatal: a
// missing message falls back to the default locale).
struct CatalogueWarning {
  std::string locale, file;
  std::vector<std::string> missing;              // keys the default locale has and this one lacks
  std::vector<std::string> unknown;              // keys the default locale does not have
  std::vector<std::string> placeholder_differs;  // "key: {a} {b} (en: {a})"
};

class Catalogue {
 public:
  static constexpr std::string_view pseudo_locale = "en-XA";

  // Every <locale>.toml in the folder; the default locale's file must be
  // there. Errors name FILE:LINE and the key.
  static Result<Catalogue> load_dir(const std::string& dir, const std::string& default_locale = "en");
  // One file, checked on its own (its placeholders are checked against the
  // default locale by load_dir).
  static Result<LocaleMessages> load_file(const std::string& path);
  // The catalogues in dir; with an empty dir, the English catalogue built
  // into the program (a configuration with no locales folder).
  static Result<Catalogue> load(const std::string& dir);
  static Catalogue builtin();
  // A catalogue of one locale from TOML text (tests, and a catalogue given whole).
  static Result<Catalogue> from_string(std::string_view toml, const std::string& source_name);

  // The message for key in locale, filled from args. Looks in the locale, its
  // language ("pl" for "pl-PL"), then the default locale; an unknown key
  // comes back as the key itself, so it shows and is caught.
  std::string get(std::string_view locale, std::string_view key, const MessageArgs& args = {}) const;
  bool has(std::string_view locale, std::string_view key) const;

  const std::string& default_locale() const { return default_; }
  std::vector<std::string> locales() const;  // including the pseudo-locale
  const LocaleMessages* find_locale(std::string_view locale) const;
  // The language named in itself ("Polski"), or the code when unknown.
  std::string language_name(std::string_view locale) const;

  std::vector<CatalogueWarning> check() const;

 private:
  const Message* lookup(std::string_view locale, std::string_view key, std::string* found_in) const;
  std::string default_ = "en";
  std::map<std::string, LocaleMessages, std::less<>> locales_;
};

}  // namespace kiosk
