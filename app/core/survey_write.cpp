// The survey model written in this kiosk's TOML format (kiosk-config/README.md):
// the definition with its default-locale texts, and a translation file per
// other locale (kiosk-admin import, the kiosk's preview).
#include <set>
#include <sstream>
#include <system_error>

#include "kiosk/survey_write.hpp"

namespace kiosk {
namespace {

constexpr int kDefaultOtherLength = 200;

std::string escape(const std::string& s, bool multiline) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        // In a multi-line string only a quote that could end it needs escaping.
        out += multiline && i + 1 < s.size() && s[i + 1] != '"' ? "\"" : "\\\"";
        break;
      case '\\': out += "\\\\"; break;
      case '\n': out += multiline ? "\n" : "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

// A string value: basic, or multi-line when the text has line breaks.
std::string toml_string(const std::string& s, bool allow_multiline = true) {
  if (allow_multiline && s.find('\n') != std::string::npos) return "\"\"\"\n" + escape(s, true) + "\"\"\"";
  return "\"" + escape(s, false) + "\"";
}

std::string rule_toml(const Rule& r) {
  auto list = [](const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + toml_string(v[i], false);
    return out + "]";
  };
  auto rules = [](const std::vector<Rule>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + rule_toml(v[i]);
    return out + "]";
  };
  switch (r.kind) {
    case Rule::Kind::Equals:
      return "{ question = " + toml_string(r.question, false) + ", equals = " + toml_string(r.values[0], false) + " }";
    case Rule::Kind::AnyOf:
      return "{ question = " + toml_string(r.question, false) + ", any_of = " + list(r.values) + " }";
    case Rule::Kind::Answered: return "{ answered = " + toml_string(r.question, false) + " }";
    case Rule::Kind::Not: return "{ not = " + rule_toml(r.children.at(0)) + " }";
    case Rule::Kind::All: return "{ all = " + rules(r.children) + " }";
    case Rule::Kind::Any: return "{ any = " + rules(r.children) + " }";
  }
  return "{}";
}

bool default_yes_no(const Question& q, const std::string& locale) {
  if (locale != "en" || q.options.size() != 2) return false;
  auto only = [&](const Option& o, const char* code, const char* label) {
    return o.code == code && !o.other && o.label.by_locale.size() >= 1 && o.label.get("en", "en") == label;
  };
  return only(q.options[0], "yes", "Yes") && only(q.options[1], "no", "No");
}

std::string options_toml(const std::vector<Option>& options, const std::string& locale, const std::string& indent) {
  std::string out = "[\n";
  for (const auto& o : options) {
    out += indent + "{ code = " + toml_string(o.code, false) +
           ", label = " + toml_string(o.label.get(locale, locale), false);
    if (o.other) out += ", other = true";
    out += " },\n";
  }
  return out + "]";
}

}  // namespace

Definition to_definition(const Survey& sv, const std::string& header_comment) {
  const std::string& loc = sv.default_locale;
  auto text = [&](const LocalText& t) { return t.get(loc, loc); };
  std::ostringstream o;
  std::istringstream hc(header_comment);
  for (std::string line; std::getline(hc, line);) o << "# " << line << "\n";
  o << "\nformat = 1\n";
  o << "id = " << toml_string(sv.id) << "\n";
  o << "version = " << toml_string(sv.version) << "\n";
  o << "default_locale = " << toml_string(loc) << "\n";
  o << "locales = [";
  for (std::size_t i = 0; i < sv.locales.size(); ++i) o << (i ? ", " : "") << toml_string(sv.locales[i]);
  o << "]\n";
  if (!sv.age_question.empty()) o << "age_question = " << toml_string(sv.age_question) << "\n";
  if (sv.minutes_stated) o << "minutes = " << sv.minutes << "\n";
  o << "\ntitle = " << toml_string(text(sv.title)) << "\n";
  if (!sv.intro.empty()) o << "\nintro = " << toml_string(text(sv.intro)) << "\n";
  if (!sv.privacy.empty()) o << "\nprivacy = " << toml_string(text(sv.privacy)) << "\n";
  if (!sv.thank_you.empty()) o << "\nthank_you = " << toml_string(text(sv.thank_you)) << "\n";

  std::set<std::string> scales_written;
  bool scales_header = false;
  for (const auto& q : sv.questions) {
    if (q.scale.empty() || !scales_written.insert(q.scale).second) continue;
    if (!scales_header) o << "\n[scales]\n";
    scales_header = true;
    o << q.scale << " = " << options_toml(q.options, loc, "  ") << "\n";
  }

  for (const auto& sec : sv.sections) {
    o << "\n# " << std::string(75, '-') << "\n[[sections]]\nid = " << toml_string(sec.id) << "\n";
    if (!sec.heading.empty()) o << "heading = " << toml_string(text(sec.heading)) << "\n";
    if (!sec.intro.empty()) o << "intro = " << toml_string(text(sec.intro)) << "\n";
    for (std::size_t qi : sec.questions) {
      const Question& q = sv.questions[qi];
      const Matrix* m = sv.matrix_of(q);
      if (m && m->items.front() != qi) continue;  // written with the matrix's first item
      o << "\n[[sections.questions]]\nid = " << toml_string(m ? m->id : q.id)
        << "\ntype = " << toml_string(m ? std::string("matrix") : std::string(to_string(q.type))) << "\n";
      if (!q.scale.empty()) o << "scale = " << toml_string(q.scale) << "\n";
      if (q.required) o << "required = true\n";
      if (q.type == QuestionType::Text) o << "max_length = " << q.max_length << "\n";
      if (q.is_number() && q.min_value) o << "min = " << bound_text(q, *q.min_value) << "\n";
      if (q.is_number() && q.max_value) o << "max = " << bound_text(q, *q.max_value) << "\n";
      if (q.type == QuestionType::Decimal && q.decimals != 2) o << "decimals = " << q.decimals << "\n";
      if (!q.min_date.empty()) o << "min = " << toml_string(q.min_date) << "\n";
      if (!q.max_date.empty()) o << "max = " << toml_string(q.max_date) << "\n";
      if (q.other_option() && q.other_max_length != kDefaultOtherLength && q.other_max_length > 0)
        o << "other_max_length = " << q.other_max_length << "\n";
      const LocalText& title = m ? m->title : q.title;
      const LocalText& words = m ? m->text : q.text;
      const LocalText& hint = m ? m->hint : q.hint;
      if (!title.empty()) o << "title = " << toml_string(text(title)) << "\n";
      o << "text = " << toml_string(text(words)) << "\n";
      if (!hint.empty()) o << "hint = " << toml_string(text(hint)) << "\n";
      if (q.show_if) o << "show_if = " << rule_toml(*q.show_if) << "\n";
      if (m) {
        o << "items = [\n";
        for (std::size_t i : m->items)
          o << "  { id = " << toml_string(sv.questions[i].id) << ", text = " << toml_string(text(sv.questions[i].text))
            << " },\n";
        o << "]\n";
      }
      if (q.scale.empty() && q.has_options() && !(q.type == QuestionType::YesNo && default_yes_no(q, loc)))
        o << "options = " << options_toml(q.options, loc, "  ") << "\n";
    }
  }

  Definition def;
  def.survey_toml = o.str();
  Survey copy = sv;
  auto keys = translatable_texts(copy);
  for (const auto& locale : sv.locales) {
    if (locale == loc) continue;
    std::ostringstream t;
    std::istringstream hc2(header_comment);
    for (std::string line; std::getline(hc2, line);) t << "# " << line << "\n";
    t << "# The survey's texts in \"" << locale << "\"; a key left out falls back to \"" << loc << "\".\n\n";
    for (const auto& k : keys) {
      if (k.uses.empty()) continue;
      auto it = k.uses[0]->by_locale.find(locale);
      if (it == k.uses[0]->by_locale.end()) continue;
      t << toml_string(k.key, false) << " = " << toml_string(it->second) << "\n";
    }
    def.translations[locale] = t.str();
  }
  return def;
}

std::vector<std::string> differences(const Survey& a, const Survey& b) {
  std::vector<std::string> d;
  auto cmp_text = [&](const std::string& what, const LocalText& x, const LocalText& y) {
    if (x.by_locale == y.by_locale) return;
    std::set<std::string> locs;
    for (const auto& [l, _] : x.by_locale) locs.insert(l);
    for (const auto& [l, _] : y.by_locale) locs.insert(l);
    for (const auto& l : locs) {
      auto i = x.by_locale.find(l), j = y.by_locale.find(l);
      std::string xs = i == x.by_locale.end() ? "(none)" : "\"" + i->second + "\"";
      std::string ys = j == y.by_locale.end() ? "(none)" : "\"" + j->second + "\"";
      if (xs != ys) d.push_back(what + " in " + l + ": " + xs + " vs " + ys);
    }
  };
  auto cmp = [&](const std::string& what, const auto& x, const auto& y) {
    if (x != y) d.push_back(what + " differs");
  };
  cmp("id", a.id, b.id);
  cmp("version", a.version, b.version);
  cmp("default_locale", a.default_locale, b.default_locale);
  cmp("locales", a.locales, b.locales);
  cmp("age_question", a.age_question, b.age_question);
  cmp("minutes", a.minutes_stated ? a.minutes : 0, b.minutes_stated ? b.minutes : 0);
  cmp_text("title", a.title, b.title);
  cmp_text("intro", a.intro, b.intro);
  cmp_text("privacy", a.privacy, b.privacy);
  cmp_text("thank_you", a.thank_you, b.thank_you);
  if (a.sections.size() != b.sections.size())
    d.push_back("sections: " + std::to_string(a.sections.size()) + " vs " + std::to_string(b.sections.size()));
  for (std::size_t i = 0; i < std::min(a.sections.size(), b.sections.size()); ++i) {
    const auto &x = a.sections[i], &y = b.sections[i];
    cmp("section " + std::to_string(i + 1) + " id", x.id, y.id);
    cmp_text("section " + x.id + " heading", x.heading, y.heading);
    cmp_text("section " + x.id + " intro", x.intro, y.intro);
    cmp("section " + x.id + " questions", x.questions, y.questions);
  }
  if (a.matrices.size() != b.matrices.size())
    d.push_back("matrices: " + std::to_string(a.matrices.size()) + " vs " + std::to_string(b.matrices.size()));
  for (std::size_t i = 0; i < std::min(a.matrices.size(), b.matrices.size()); ++i) {
    const auto &x = a.matrices[i], &y = b.matrices[i];
    cmp("matrix " + std::to_string(i + 1) + " id", x.id, y.id);
    cmp_text("matrix " + x.id + " title", x.title, y.title);
    cmp_text("matrix " + x.id + " text", x.text, y.text);
    cmp_text("matrix " + x.id + " hint", x.hint, y.hint);
    cmp("matrix " + x.id + " items", x.items, y.items);
  }
  if (a.questions.size() != b.questions.size())
    d.push_back("questions: " + std::to_string(a.questions.size()) + " vs " + std::to_string(b.questions.size()));
  for (std::size_t i = 0; i < std::min(a.questions.size(), b.questions.size()); ++i) {
    const auto &x = a.questions[i], &y = b.questions[i];
    const std::string q = x.id;
    cmp("question " + std::to_string(i + 1) + " id", x.id, y.id);
    if (x.type != y.type)
      d.push_back(q + ": type " + std::string(to_string(x.type)) + " vs " + std::string(to_string(y.type)));
    cmp_text(q + ": title", x.title, y.title);
    cmp_text(q + ": text", x.text, y.text);
    cmp_text(q + ": hint", x.hint, y.hint);
    cmp(q + ": required", x.required, y.required);
    // A text's length is written; other boxes' follow from their kind (and a number's range).
    if (x.type == QuestionType::Text) cmp(q + ": max_length", x.max_length, y.max_length);
    cmp(q + ": min", x.min_value, y.min_value);
    cmp(q + ": max", x.max_value, y.max_value);
    cmp(q + ": decimals", x.decimals, y.decimals);
    cmp(q + ": min date", x.min_date, y.min_date);
    cmp(q + ": max date", x.max_date, y.max_date);
    if (x.other_option() || y.other_option()) cmp(q + ": other_max_length", x.other_max_length, y.other_max_length);
    cmp(q + ": scale", x.scale, y.scale);
    cmp(q + ": section", x.section, y.section);
    cmp(q + ": matrix", x.matrix, y.matrix);
    if (x.show_if.has_value() != y.show_if.has_value() || (x.show_if && rule_toml(*x.show_if) != rule_toml(*y.show_if)))
      d.push_back(q + ": rule " + (x.show_if ? rule_toml(*x.show_if) : "(none)") + " vs " +
                  (y.show_if ? rule_toml(*y.show_if) : "(none)"));
    if (x.options.size() != y.options.size())
      d.push_back(q + ": " + std::to_string(x.options.size()) + " vs " + std::to_string(y.options.size()) + " options");
    for (std::size_t k = 0; k < std::min(x.options.size(), y.options.size()); ++k) {
      const auto &ox = x.options[k], &oy = y.options[k];
      cmp(q + ": option " + std::to_string(k + 1) + " code", ox.code, oy.code);
      cmp(q + ": option " + ox.code + " other", ox.other, oy.other);
      cmp_text(q + ": option " + ox.code + " label", ox.label, oy.label);
    }
  }
  return d;
}

}  // namespace kiosk
