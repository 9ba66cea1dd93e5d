// The XForm read into the XLSForm importer's sheets (see xform.hpp).
//
// Sections: 1. the form's parts (instance, binds, itext, key)  2. the body,
//           control by control, into rows  3. expressions: XPath paths to
//           ${name}  4. errors named by control  5. the instance written back
#include "xform.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "kiosk/survey_write.hpp"
#include "xlsform.hpp"

namespace kiosk::openrosa {
namespace {

constexpr const char* kJavaRosa = "http://openrosa.org/javarosa";

std::string jr(const char* local) { return "{" + std::string(kJavaRosa) + "}" + local; }
std::string ours(const char* local) { return "{" + std::string(kKioskNamespace) + "}" + local; }

std::string trim(std::string_view s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return {};
  const auto b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

std::string last_step(const std::string& path) {
  const auto at = path.rfind('/');
  return at == std::string::npos ? path : path.substr(at + 1);
}

std::string parent_of(const std::string& path) {
  const auto at = path.rfind('/');
  return at == std::string::npos || at == 0 ? std::string() : path.substr(0, at);
}

struct Refusal {
  std::string message;
};

// ---- 1. the form's parts ----------------------------------------------------

struct Bind {
  std::string type, required, relevant, constraint, constraint_msg, readonly, calculate, preload, preload_params;
  std::string scale, decimals, fill;  // the kiosk's own (to_xform)
  int line = 0;
};

// One row of the survey or choices sheet, by column header, and the words
// that name where it came from in the form.
struct Row {
  std::map<std::string, std::string> cells;
  std::string where;
};

class Reader {
 public:
  Reader(const XmlNode& root, std::string source) : root_(root), source_(std::move(source)) {}

  ImportedForm run() {
    if (root_.name != "html")
      throw Refusal{source_ + ": line " + std::to_string(root_.line) + ": the root element is <" + root_.name +
                    ">, not an XForm's <h:html>"};
    const XmlNode* head = root_.child("head");
    const XmlNode* model = head ? head->child("model") : nullptr;
    const XmlNode* body = root_.child("body");
    if (!model || !body) throw Refusal{source_ + ": not an XForm: it needs <h:head><model> and <h:body>"};
    if (const XmlNode* t = head->child("title")) title_ = trim(t->all_text());
    read_model(*model);
    walk(*body, instance_root_path_, 0);
    for (const auto& [path, b] : binds_) {
      if (controlled_.count(path) || path == instance_root_path_) continue;
      if (b.fill == "status") {
        // Whether the visit was completed or left part way (to_xform's own field).
        out_.binding.preload_of_path[path] = "status";
      } else if (!b.preload.empty() ||
                 (last_step(path) == "instanceID" && b.calculate.find("uuid()") != std::string::npos)) {
        note_preload(path, b);
      } else if (!b.calculate.empty()) {
        if (path.find("/meta/") != std::string::npos)
          out_.warnings.push_back(source_ + ": " + path + " (line " + std::to_string(b.line) +
                                  "): a calculated metadata field is left empty");
        else
          add_row("calculate", path, b.line, {});
      }
    }
    return finish();
  }

 private:
  const XmlNode& root_;
  std::string source_, title_, age_question_, minutes_;
  std::string instance_root_path_;
  const XmlNode* instance_ = nullptr;
  std::map<std::string, Bind> binds_;
  std::map<std::string, const XmlNode*> secondary_;  // instance id -> its root element
  std::vector<std::string> languages_;               // itext langs, in order
  std::string default_language_;
  std::map<std::string, std::map<std::string, std::string>> itext_;  // lang -> id -> text
  std::vector<Row> survey_rows_, choice_rows_;
  std::set<std::string> controlled_;  // paths with a body control
  std::set<std::string> list_names_;
  ImportedForm out_;

  void read_model(const XmlNode& model) {
    age_question_ = model.attr(ours("age-question"));
    minutes_ = model.attr(ours("minutes"));
    for (const auto& c : model.children) {
      if (c->name == "instance") {
        const XmlNode* first = c->children.empty() ? nullptr : c->children.front().get();
        if (c->attr("id").empty()) {
          if (!instance_ && first) instance_ = first;
        } else if (first) {
          secondary_[c->attr("id")] = first;
        }
      } else if (c->name == "bind") {
        Bind b;
        b.type = c->attr("type");
        if (b.type.rfind("xsd:", 0) == 0) b.type = b.type.substr(4);
        b.required = c->attr("required");
        b.relevant = c->attr("relevant");
        b.constraint = c->attr("constraint");
        b.constraint_msg = c->attr(jr("constraintMsg"));
        b.readonly = c->attr("readonly");
        b.calculate = c->attr("calculate");
        b.preload = c->attr(jr("preload"));
        b.preload_params = c->attr(jr("preloadParams"));
        b.scale = c->attr(ours("scale"));
        b.decimals = c->attr(ours("decimals"));
        b.fill = c->attr(ours("fill"));
        b.line = c->line;
        binds_[c->attr("nodeset")] = b;
      } else if (c->name == "itext") {
        for (const XmlNode* t : c->children_named("translation")) {
          const std::string lang = t->attr("lang");
          languages_.push_back(lang);
          if (t->attr("default") == "true()" && default_language_.empty()) default_language_ = lang;
          for (const XmlNode* text : t->children_named("text")) {
            for (const XmlNode* v : text->children_named("value")) {
              const std::string& form = v->attr("form");
              if (!form.empty() && form != "long") continue;  // media (image, audio) and short forms
              if (!v->children.empty())
                throw Refusal{source_ + ": line " + std::to_string(v->line) + ": the text \"" + text->attr("id") +
                              "\" shows an answer inside it (<" + v->children.front()->name +
                              ">): the kiosk's texts are fixed words"};
              itext_[lang][text->attr("id")] = trim(v->text);
            }
          }
        }
      } else if (c->name == "submission") {
        const std::string& key = c->attr("base64RsaPublicKey");
        if (!key.empty()) {
          auto k = RsaPublicKey::from_base64(key, source_ + ": <submission base64RsaPublicKey>");
          if (!k) throw Refusal{k.message()};
          out_.binding.key = *k;
        }
      }
    }
    if (!instance_) throw Refusal{source_ + ": the model has no primary <instance> with a root element"};
    if (default_language_.empty() && !languages_.empty()) default_language_ = languages_.front();
    instance_root_path_ = "/" + instance_->name;
    out_.binding.form_id = instance_->attr("id");
    out_.binding.version = instance_->attr("version");
    if (out_.binding.form_id.empty())
      throw Refusal{source_ + ": line " + std::to_string(instance_->line) + ": the instance's root <" +
                    instance_->name + "> has no id (the form id)"};
  }

  void note_preload(const std::string& path, const Bind& b) {
    std::string what;
    if (b.preload == "uid" || (b.preload.empty() && last_step(path) == "instanceID")) what = "instanceID";
    if (b.preload == "timestamp" && (b.preload_params == "start" || b.preload_params == "end")) what = b.preload_params;
    if (b.preload == "property" && b.preload_params == "deviceid") what = "deviceid";
    if (what.empty()) {
      out_.warnings.push_back(source_ + ": " + path + " (line " + std::to_string(b.line) + "): jr:preload=\"" +
                              b.preload + "\" " + b.preload_params + " is left empty");
      return;
    }
    out_.binding.preload_of_path[path] = what;
  }

  // ---- 2. the body --------------------------------------------------------

  std::string resolve(const std::string& ref, const std::string& context) const {
    if (ref.empty()) return {};
    if (ref.front() == '/') return ref;
    std::string base = context, rest = ref;
    while (rest.rfind("../", 0) == 0) {
      base = parent_of(base);
      rest = rest.substr(3);
    }
    if (rest.rfind("./", 0) == 0) rest = rest.substr(2);
    return base + "/" + rest;
  }

  std::string where(const std::string& path, int line) const { return path + " (line " + std::to_string(line) + ")"; }

  // Each language's words of a <label> or <hint>, as sheet columns.
  std::map<std::string, std::string> words(const XmlNode* node, const std::string& column) const {
    std::map<std::string, std::string> cells;
    if (!node) return cells;
    static const std::regex itext_ref(R"(^\s*jr:itext\(\s*'([^']*)'\s*\)\s*$)");
    std::smatch m;
    const std::string& ref = node->attr("ref");
    if (!ref.empty() && std::regex_match(ref, m, itext_ref)) {
      for (const auto& lang : languages_) {
        auto l = itext_.find(lang);
        if (l == itext_.end()) continue;
        auto t = l->second.find(m[1].str());
        if (t != l->second.end() && !t->second.empty()) cells[column_for(column, lang)] = t->second;
      }
      return cells;
    }
    if (!ref.empty())
      throw Refusal{source_ + ": line " + std::to_string(node->line) + ": a <" + node->name + " ref=\"" + ref +
                    "\"> that is not jr:itext('...') is not supported"};
    if (!node->children.empty())
      throw Refusal{source_ + ": line " + std::to_string(node->line) + ": the <" + node->name +
                    "> shows an answer inside it (<" + node->children.front()->name +
                    ">): the kiosk's texts are fixed words"};
    const std::string text = trim(node->text);
    if (!text.empty()) cells[column_for(column, default_language_)] = text;
    return cells;
  }

  // An itext entry in every language, as sheet columns.
  std::map<std::string, std::string> itext_cells(const std::string& id, const std::string& column) const {
    std::map<std::string, std::string> cells;
    for (const auto& lang : languages_) {
      auto l = itext_.find(lang);
      if (l == itext_.end()) continue;
      auto t = l->second.find(id);
      if (t != l->second.end() && !t->second.empty()) cells[column_for(column, lang)] = t->second;
    }
    return cells;
  }

  std::string column_for(const std::string& base, const std::string& lang) const {
    if (lang.empty() || lang == "default") return base;
    return base + "::" + lang;
  }

  void add_row(const std::string& type, const std::string& path, int line, std::map<std::string, std::string> cells,
               const std::string& appearance = {}) {
    Row r;
    r.cells = std::move(cells);
    r.cells["type"] = type;
    if (!path.empty()) r.cells["name"] = last_step(path);
    if (!appearance.empty()) r.cells["appearance"] = appearance;
    if (auto b = binds_.find(path); b != binds_.end()) {
      const Bind& bind = b->second;
      if (!bind.required.empty()) r.cells["required"] = bind.required;
      if (!bind.relevant.empty()) r.cells["relevant"] = expression(bind.relevant, path);
      if (!bind.constraint.empty()) r.cells["constraint"] = expression(bind.constraint, path);
      if (!bind.constraint_msg.empty()) r.cells["constraint_message"] = bind.constraint_msg;
      if (!bind.scale.empty()) r.cells["scale"] = bind.scale;
      if (!bind.decimals.empty()) r.cells["decimals"] = bind.decimals;
    }
    // A question's short title, in every language (to_xform's own itext).
    if (!path.empty() && type != "end_group")
      for (auto& [column, text] : itext_cells(path + ":kiosk-title", "title")) r.cells[column] = text;
    r.where = where(path, line);
    survey_rows_.push_back(std::move(r));
  }

  void walk(const XmlNode& parent, const std::string& context, int depth) {
    for (const auto& c : parent.children) control(*c, context, depth);
  }

  void control(const XmlNode& c, const std::string& context, int depth) {
    const std::string path = resolve(c.attr(c.name == "repeat" ? "nodeset" : "ref"), context);
    const std::string& appearance = c.attr("appearance");
    auto texts = [&](std::map<std::string, std::string> cells) {
      auto hints = words(c.child("hint"), "hint");
      cells.insert(hints.begin(), hints.end());
      return cells;
    };
    if (c.name == "group") {
      if (path.empty()) {
        // A group with no ref only lays its controls out together.
        walk(c, context, depth + 1);
        return;
      }
      controlled_.insert(path);
      add_row("begin_group", path, c.line, words(c.child("label"), "label"), appearance);
      walk(c, path, depth + 1);
      add_row("end_group", "", c.line, {});
      survey_rows_.back().where = where(path, c.line);
      return;
    }
    if (c.name == "repeat") {
      add_row("begin_repeat", path, c.line, {});
      return;
    }
    if (c.name == "label" || c.name == "hint") return;
    static const std::map<std::string, std::string> other_controls = {
        {"trigger", "acknowledge"}, {"range", "range"}, {"rank", "rank"}, {"secret", "text"}, {"textarea", "text"}};
    if (c.name == "input" || c.name == "select1" || c.name == "select" || c.name == "upload" ||
        other_controls.count(c.name)) {
      if (path.empty())
        throw Refusal{source_ + ": line " + std::to_string(c.line) + ": a <" + c.name + "> with no ref"};
      controlled_.insert(path);
      const Bind* b = nullptr;
      if (auto it = binds_.find(path); it != binds_.end()) b = &it->second;
      const std::string type = b ? b->type : "string";
      std::string row_type;
      if (c.name == "input") {
        static const std::map<std::string, std::string> by_type = {
            {"string", "text"},       {"int", "integer"},       {"integer", "integer"},   {"decimal", "decimal"},
            {"date", "date"},         {"time", "time"},         {"dateTime", "datetime"}, {"geopoint", "geopoint"},
            {"geotrace", "geotrace"}, {"geoshape", "geoshape"}, {"barcode", "barcode"},   {"binary", "file"}};
        auto t = by_type.find(type);
        row_type = t == by_type.end() ? type : t->second;
        if (row_type == "text" && b && b->readonly == "true()") row_type = "note";
      } else if (c.name == "select1" || c.name == "select") {
        row_type = (c.name == "select1" ? "select_one " : "select_multiple ") + choices(c, path);
      } else if (c.name == "upload") {
        const std::string& media = c.attr("mediatype");
        row_type = media.rfind("image", 0) == 0   ? "image"
                   : media.rfind("audio", 0) == 0 ? "audio"
                   : media.rfind("video", 0) == 0 ? "video"
                                                  : "file";
      } else {
        row_type = other_controls.at(c.name);
      }
      add_row(row_type, path, c.line, texts(words(c.child("label"), "label")), appearance);
      return;
    }
    throw Refusal{source_ + ": line " + std::to_string(c.line) + ": <" + c.name + "> is not a control the kiosk knows"};
  }

  // The choices of a select as a list of the choices sheet; returns its name.
  std::string choices(const XmlNode& c, const std::string& path) {
    std::string list;
    auto add = [&](const std::string& value, std::map<std::string, std::string> label, int line) {
      Row r;
      r.cells = std::move(label);
      r.cells["list_name"] = list;
      r.cells["name"] = value;
      r.where = "choice \"" + value + "\" of " + where(path, line);
      choice_rows_.push_back(std::move(r));
    };
    if (const XmlNode* set = c.child("itemset")) {
      static const std::regex from(R"(^\s*instance\(\s*'([^']+)'\s*\)\s*/\s*root\s*/\s*item\s*$)");
      std::smatch m;
      const std::string& nodeset = set->attr("nodeset");
      if (!std::regex_match(nodeset, m, from))
        throw Refusal{source_ + ": " + where(path, set->line) + ": the itemset \"" + nodeset +
                      "\" filters or computes its choices: only a whole list, instance('LIST')/root/item, is "
                      "supported"};
      list = m[1].str();
      if (list_names_.insert(list).second) {
        auto inst = secondary_.find(list);
        if (inst == secondary_.end())
          throw Refusal{source_ + ": " + where(path, set->line) + ": no instance named \"" + list + "\""};
        const XmlNode* value_ref = set->child("value");
        const XmlNode* label_ref = set->child("label");
        const std::string value_name = value_ref ? value_ref->attr("ref") : "name";
        const std::string label_name = label_ref ? label_ref->attr("ref") : "label";
        static const std::regex itext_of(R"(^\s*jr:itext\(\s*([A-Za-z_][\w.-]*)\s*\)\s*$)");
        std::smatch lm;
        const bool by_itext = std::regex_match(label_name, lm, itext_of);
        for (const XmlNode* item : inst->second->children_named("item")) {
          const XmlNode* v = item->child(value_name);
          std::map<std::string, std::string> label;
          if (by_itext) {
            const XmlNode* id = item->child(lm[1].str());
            for (const auto& lang : languages_)
              if (id)
                if (auto t = itext_[lang].find(trim(id->text)); t != itext_[lang].end() && !t->second.empty())
                  label[column_for("label", lang)] = t->second;
          } else if (const XmlNode* l = item->child(label_name)) {
            label[column_for("label", default_language_)] = trim(l->text);
          }
          add(v ? trim(v->text) : std::string(), std::move(label), item->line);
        }
      }
      return list;
    }
    list = last_step(path) + "_choices";
    while (!list_names_.insert(list).second) list += "_";
    for (const XmlNode* item : c.children_named("item")) {
      const XmlNode* v = item->child("value");
      add(v ? trim(v->text) : std::string(), words(item->child("label"), "label"), item->line);
    }
    return list;
  }

  // ---- 3. expressions -----------------------------------------------------

  // XPath paths to the fields of this form become ${name}, as XLSForm writes
  // them; string literals and the rest are left as they are, for the
  // importer's own parser to accept or refuse.
  std::string expression(const std::string& expr, const std::string& context) const {
    std::string out;
    std::size_t i = 0;
    auto path_char = [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '/' || ch == '.' || ch == ':';
    };
    while (i < expr.size()) {
      const char ch = expr[i];
      if (ch == '\'' || ch == '"') {
        const auto end = expr.find(ch, i + 1);
        const auto stop = end == std::string::npos ? expr.size() : end + 1;
        out += expr.substr(i, stop - i);
        i = stop;
        continue;
      }
      const bool starts_path =
          ch == '/' || (ch == '.' && i + 1 < expr.size() && (expr[i + 1] == '.' || expr[i + 1] == '/'));
      const bool word_before =
          !out.empty() && (std::isalnum(static_cast<unsigned char>(out.back())) || out.back() == '_');
      if (starts_path && !word_before) {
        std::size_t j = i;
        while (j < expr.size() && path_char(expr[j])) ++j;
        const std::string token = expr.substr(i, j - i);
        const std::string target = resolve(token, context);
        if (binds_.count(target) || controlled_.count(target) || is_field_path(target)) {
          out += "${" + last_step(target) + "}";
        } else {
          out += token;
        }
        i = j;
        continue;
      }
      out += ch;
      ++i;
    }
    return out;
  }

  bool is_field_path(const std::string& path) const {
    if (path.rfind(instance_root_path_ + "/", 0) != 0) return false;
    const XmlNode* n = instance_;
    std::string rest = path.substr(instance_root_path_.size() + 1);
    while (!rest.empty() && n) {
      const auto slash = rest.find('/');
      const std::string step = rest.substr(0, slash);
      n = n->child(step);
      rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
    }
    return n != nullptr;
  }

  // ---- 4. the sheets, and errors named by control --------------------------

  static xlsx::Sheet sheet(const std::string& name, const std::vector<Row>& rows,
                           const std::vector<std::string>& first_columns) {
    std::vector<std::string> headers = first_columns;
    for (const auto& r : rows)
      for (const auto& [h, v] : r.cells)
        if (std::find(headers.begin(), headers.end(), h) == headers.end()) headers.push_back(h);
    xlsx::Sheet s;
    s.name = name;
    s.rows[1] = headers;
    std::size_t n = 2;
    for (const auto& r : rows) {
      std::vector<std::string> cells(headers.size());
      for (std::size_t i = 0; i < headers.size(); ++i)
        if (auto it = r.cells.find(headers[i]); it != r.cells.end()) cells[i] = it->second;
      s.rows[n++] = std::move(cells);
    }
    return s;
  }

  std::string rename(const std::string& message) const {
    static const std::regex at(R"re(sheet "(survey|choices|settings)", row (\d+)(, column [A-Z]+ \(([^)]*)\))?)re");
    std::string out;
    auto begin = std::sregex_iterator(message.begin(), message.end(), at);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const auto& m = *it;
      out += message.substr(last, static_cast<std::size_t>(m.position()) - last);
      const std::string which = m[1].str();
      const std::size_t row = std::stoul(m[2].str());
      const std::vector<Row>& rows = which == "survey" ? survey_rows_ : choice_rows_;
      std::string named;
      if (which == "settings")
        named = "the form's title, id or languages";
      else if (row >= 2 && row - 2 < rows.size())
        named = rows[row - 2].where;
      else
        named = m.str();
      out += named;
      if (m[4].matched) out += ", " + m[4].str();
      last = static_cast<std::size_t>(m.position() + m.length());
    }
    return out + message.substr(last);
  }

  ImportedForm finish() {
    std::map<std::string, std::string> settings = {{"form_id", out_.binding.form_id},
                                                   {"version", out_.binding.version}};
    // The title in every language where the kiosk wrote it so, else <h:title>;
    // the introduction, privacy notice and thank-you words, and the age
    // question and minutes, where the kiosk wrote them (to_xform).
    auto titles = itext_cells("kiosk:title", "form_title");
    if (titles.empty() && !title_.empty()) titles["form_title"] = title_;
    settings.insert(titles.begin(), titles.end());
    for (const char* part : {"intro", "privacy", "thank_you"})
      for (auto& [column, text] : itext_cells(std::string("kiosk:") + part, part)) settings[column] = text;
    if (!age_question_.empty()) settings["age_question"] = age_question_;
    if (!minutes_.empty()) settings["minutes"] = minutes_;
    if (!default_language_.empty() && default_language_ != "default") settings["default_language"] = default_language_;
    Row s;
    s.cells = settings;
    std::vector<xlsx::Sheet> sheets = {sheet("survey", survey_rows_, {"type", "name"}),
                                       sheet("choices", choice_rows_, {"list_name", "name"}),
                                       sheet("settings", {s}, {})};
    auto imported = xlsform::import_sheets(sheets, source_);
    if (!imported) throw Refusal{rename(imported.message())};
    for (auto& w : imported->warnings) out_.warnings.push_back(rename(w));
    // Through the kiosk's own loader, as a survey pulled from our hub is: the
    // same checks, and the survey the kiosk will run.
    const Definition def = to_definition(imported->survey, "from the XForm " + out_.binding.form_id);
    auto loaded = parse_survey(def.survey_toml, source_);
    if (!loaded) throw Refusal{source_ + ": the survey it makes does not pass the kiosk's checks: " + loaded.message()};
    for (const auto& [locale, text] : def.translations)
      if (auto st = apply_survey_translation(*loaded, locale, text, source_ + " (" + locale + ")"); !st)
        throw Refusal{source_ + ": the survey it makes does not pass the kiosk's checks: " + st.message()};
    find_missing_translations(*loaded);
    out_.survey = std::move(*loaded);
    bind_fields();
    out_.binding.instance = std::shared_ptr<const XmlNode>(std::shared_ptr<const XmlNode>{}, instance_);
    return std::move(out_);
  }

  // Each controlled leaf to the question it answers.
  void bind_fields() {
    for (const auto& path : controlled_) {
      const std::string name = last_step(path);
      if (out_.survey.find(name)) {
        out_.binding.field_of_path[path] = name;
        continue;
      }
      // The box of an "other" choice, folded into its question by the importer.
      const auto cut = name.rfind('_');
      if (cut != std::string::npos)
        if (const Question* q = out_.survey.find(name.substr(0, cut)); q && q->other_option())
          out_.binding.field_of_path[path] = q->id + "#other";
    }
  }
};

// ---- 5. the instance --------------------------------------------------------

std::string answer_text(const Question& q, const Answer& a) {
  if (q.has_options()) {
    std::string out;
    for (const auto& c : a.choices) out += (out.empty() ? "" : " ") + c;
    return out;
  }
  return a.text;
}

void write_node(const XmlNode& n, const std::string& path, const FormBinding& form, const Survey& survey,
                const ResponseMeta& meta, const Answers& answers, std::string& out, bool root) {
  out += "<" + n.name;
  if (root) {
    out += " id=\"" + xml_escape(form.form_id) + "\"";
    if (!form.version.empty()) out += " version=\"" + xml_escape(form.version) + "\"";
  }
  out += ">";
  if (n.children.empty()) {
    if (auto f = form.field_of_path.find(path); f != form.field_of_path.end()) {
      const auto hash = f->second.find('#');
      const std::string id = f->second.substr(0, hash);
      const Question* q = survey.find(id);
      auto a = answers.find(id);
      if (q && a != answers.end())
        out += xml_escape(hash == std::string::npos ? answer_text(*q, a->second) : a->second.other_text);
    } else if (auto p = form.preload_of_path.find(path); p != form.preload_of_path.end()) {
      if (p->second == "instanceID") out += xml_escape(instance_id(meta));
      if (p->second == "start") out += xml_escape(meta.started_utc);
      if (p->second == "end") out += xml_escape(meta.ended_utc);
      if (p->second == "deviceid") out += xml_escape("library-kiosk:" + meta.kiosk_id);
      if (p->second == "status") out += xml_escape(meta.status);
    }
  } else {
    for (const auto& c : n.children) write_node(*c, path + "/" + c->name, form, survey, meta, answers, out, false);
  }
  out += "</" + n.name + ">";
}

}  // namespace

Result<ImportedForm> import_xform(std::string_view xml, const std::string& source) {
  auto doc = parse_xml(xml, source);
  if (!doc) return doc.error();
  std::shared_ptr<const XmlNode> tree(std::move(*doc));
  try {
    ImportedForm f = Reader(*tree, source).run();
    // The binding's instance points into the tree: share the tree's life.
    f.binding.instance = std::shared_ptr<const XmlNode>(tree, f.binding.instance.get());
    if (!f.binding.preload_of_path.count("/" + f.binding.instance->name + "/meta/instanceID"))
      return make_error(ErrorKind::Validation,
                        source +
                            ": the form has no meta/instanceID with jr:preload=\"uid\": the server could not "
                            "tell a response sent twice from two responses");
    return f;
  } catch (const Refusal& r) {
    return make_error(ErrorKind::Validation, r.message);
  }
}

Result<std::shared_ptr<const ImportedForm>> load_form_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(ErrorKind::Config, path +
                                             ": the form from the OpenRosa server is not there: `kiosk-admin enrol "
                                             "--openrosa URL --form FORM_ID` fetches it (the kiosk also asks the "
                                             "server for it at start)");
  std::ostringstream text;
  text << in.rdbuf();
  auto f = import_xform(text.str(), path);
  if (!f) return make_error(ErrorKind::Config, f.message());
  return std::make_shared<const ImportedForm>(std::move(*f));
}

std::string instance_id(const ResponseMeta& meta) { return "uuid:" + meta.uuid; }

std::string instance_xml(const FormBinding& form, const Survey& survey, const ResponseMeta& meta,
                         const Answers& answers) {
  std::string out;
  if (!form.instance) return out;
  write_node(*form.instance, "/" + form.instance->name, form, survey, meta, answers, out, true);
  return out;
}

}  // namespace kiosk::openrosa
