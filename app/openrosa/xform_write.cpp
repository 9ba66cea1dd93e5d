// A survey written as an XForm, in the shape pyxform gives an XLSForm: a
// group per section, choices as secondary instances with itext labels, every
// text in every language as itext, relevant and constraints as XPath on
// absolute paths, meta/instanceID, and meta/kiosk_status ("completed" or
// "abandoned": the kiosk sends visits left part way too). What only this kiosk uses (a question's
// short title, a shared scale, a decimal's places, the survey's
// introduction, privacy notice, thank-you words, age question and minutes)
// travels as itext entries and attributes of its own namespace, which ODK
// tools leave alone; import_xform reads them back, so the same survey
// returns (tests/test_openrosa.cpp).
#include <map>

#include "xform.hpp"
#include "xlsform.hpp"

namespace kiosk::openrosa {
namespace {

constexpr const char* kRoot = "data";

struct Writer {
  const Survey& sv;
  std::map<std::string, std::string> path_of;  // question id -> absolute path
  std::map<std::string, std::string> list_of;  // question id -> choice list
  std::vector<std::pair<std::string, const std::vector<Option>*>> lists;
  // itext: id -> text by locale, in the order first written.
  std::vector<std::pair<std::string, const LocalText*>> texts;
  std::string binds, body, instance;

  explicit Writer(const Survey& s) : sv(s) {}

  static std::string esc(const std::string& s) { return xml_escape(s); }

  bool grouped(std::size_t si) const {
    const Section& sec = sv.sections[si];
    return !(sec.heading.empty() && sec.intro.empty() && sec.id == "part_" + std::to_string(si + 1));
  }

  void text(const std::string& id, const LocalText& t) {
    if (!t.empty()) texts.emplace_back(id, &t);
  }
  std::string label(const std::string& id, const LocalText& t) {
    text(id, t);
    return t.empty() ? std::string() : "<label ref=\"jr:itext('" + esc(id) + "')\"/>";
  }
  std::string hint(const std::string& id, const LocalText& t) {
    text(id, t);
    return t.empty() ? std::string() : "<hint ref=\"jr:itext('" + esc(id) + "')\"/>";
  }

  std::string xpath(const Rule& r) const {
    return xlsform::rule_xpath(r, sv, [&](const std::string& q) { return " " + path_of.at(q) + " "; });
  }

  void bind(const std::string& path, const std::string& type, const std::string& more) {
    binds += "<bind nodeset=\"" + path + "\" type=\"" + type + "\"" + more + "/>\n";
  }

  // Choice lists named as the workbook names them.
  void name_lists() {
    auto named = xlsform::choice_lists(sv);
    list_of = std::move(named.of);
    lists = std::move(named.lists);
  }

  std::string select(const char* control, const std::string& path, const std::string& list,
                     const std::string& appearance, const std::string& inner) {
    return "<" + std::string(control) + " ref=\"" + path + "\"" +
           (appearance.empty() ? "" : " appearance=\"" + appearance + "\"") + ">" + inner +
           "<itemset nodeset=\"instance('" + list +
           "')/root/item\"><value ref=\"name\"/><label "
           "ref=\"jr:itext(itextId)\"/></itemset></" +
           control + ">\n";
  }

  void question(const Question& q, const std::string& parent) {
    const std::string path = parent + "/" + q.id;
    const std::string rule = q.show_if ? " relevant=\"" + esc(xpath(*q.show_if)) + "\"" : "";
    // A matrix: its heading, a select with appearance label, before its first item.
    if (const Matrix* m = sv.matrix_of(q); m && m->items.front() == q.index) {
      const std::string mpath = parent + "/" + m->id;
      instance += "<" + m->id + "/>";
      bind(mpath, "string", rule);
      text(mpath + ":kiosk-title", m->title);
      body += select("select1", mpath, list_of[q.id], "label",
                     label(mpath + ":label", m->text) + hint(mpath + ":hint", m->hint));
    }
    instance += "<" + q.id + "/>";
    std::string type = "string", more = rule, appearance;
    if (q.required) more += " required=\"true()\"";
    switch (q.type) {
      case QuestionType::Integer: type = "int"; break;
      case QuestionType::Decimal: type = "decimal"; break;
      case QuestionType::Date: type = "date"; break;
      case QuestionType::Note: more += " readonly=\"true()\""; break;
      default: break;
    }
    std::string constraint;
    if (q.type == QuestionType::Text || q.type == QuestionType::Postcode)
      constraint = "string-length(.) <= " + std::to_string(q.max_length);
    if (q.is_number()) {
      if (q.min_value) constraint = ". >= " + bound_text(q, *q.min_value);
      if (q.max_value)
        constraint += (constraint.empty() ? "" : " and ") + std::string(". <= ") + bound_text(q, *q.max_value);
      if (q.type == QuestionType::Decimal) more += " kiosk:decimals=\"" + std::to_string(q.decimals) + "\"";
    }
    if (q.type == QuestionType::Date) {
      if (!q.min_date.empty()) constraint = ". >= date('" + q.min_date + "')";
      if (!q.max_date.empty())
        constraint += (constraint.empty() ? "" : " and ") + std::string(". <= date('") + q.max_date + "')";
    }
    if (q.type == QuestionType::Postcode) constraint.clear();  // the kiosk's own postcode check
    if (!constraint.empty()) more += " constraint=\"" + esc(constraint) + "\"";
    if (!q.scale.empty()) more += " kiosk:scale=\"yes\"";
    bind(path, type, more);
    if (q.in_matrix())
      appearance = "list-nolabel";
    else if (q.type == QuestionType::Likert)
      appearance = "likert";
    else if (q.type == QuestionType::Postcode)
      appearance = "postcode";
    text(path + ":kiosk-title", q.title);
    const std::string words = label(path + ":label", q.text) + hint(path + ":hint", q.hint);
    if (q.has_options()) {
      body += select(q.type == QuestionType::Multiple ? "select" : "select1", path, list_of[q.id], appearance, words);
    } else {
      body += "<input ref=\"" + path + "\"" + (appearance.empty() ? "" : " appearance=\"" + appearance + "\"") + ">" +
              words + "</input>\n";
    }
    // "Other (please specify)": the box, as pyxform writes or_other.
    if (const Option* other = q.other_option()) {
      const std::string box = parent + "/" + q.id + "_" + other->code;
      instance += "<" + q.id + "_" + other->code + "/>";
      bind(box, "string",
           " relevant=\"" +
               esc(q.type == QuestionType::Multiple ? "selected(" + path + ", '" + other->code + "')"
                                                    : path + " = '" + other->code + "'") +
               "\" constraint=\"" + esc("string-length(.) <= " + std::to_string(q.other_max_length)) + "\"");
      body += "<input ref=\"" + box + "\">" + label(box + ":label", other->label) + "</input>\n";
    }
  }

  std::string run() {
    name_lists();
    for (std::size_t si = 0; si < sv.sections.size(); ++si)
      for (std::size_t qi : sv.sections[si].questions) {
        const Question& q = sv.questions[qi];
        path_of[q.id] = "/" + std::string(kRoot) + (grouped(si) ? "/" + sv.sections[si].id : "") + "/" + q.id;
      }
    text("kiosk:title", sv.title);
    text("kiosk:intro", sv.intro);
    text("kiosk:privacy", sv.privacy);
    text("kiosk:thank_you", sv.thank_you);
    for (std::size_t si = 0; si < sv.sections.size(); ++si) {
      const Section& sec = sv.sections[si];
      std::string parent = "/" + std::string(kRoot);
      if (grouped(si)) {
        parent += "/" + sec.id;
        instance += "<" + sec.id + ">";
        body += "<group ref=\"" + parent + "\">" + label(parent + ":label", sec.heading) + "\n";
        if (!sec.intro.empty()) {
          const std::string note = parent + "/" + sec.id + "_intro";
          instance += "<" + sec.id + "_intro/>";
          bind(note, "string", " readonly=\"true()\"");
          body += "<input ref=\"" + note + "\">" + label(note + ":label", sec.intro) + "</input>\n";
        }
      }
      for (std::size_t qi : sec.questions) question(sv.questions[qi], parent);
      if (grouped(si)) {
        instance += "</" + sec.id + ">";
        body += "</group>\n";
      }
    }
    bind("/" + std::string(kRoot) + "/meta/instanceID", "string", " readonly=\"true()\" jr:preload=\"uid\"");
    // "completed", or "abandoned" for a visit left part way, which the kiosk
    // sends too (every visit counts): the analyst tells them apart by it.
    bind("/" + std::string(kRoot) + "/meta/kiosk_status", "string", " readonly=\"true()\" kiosk:fill=\"status\"");

    std::string out =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<h:html xmlns=\"http://www.w3.org/2002/xforms\" xmlns:h=\"http://www.w3.org/1999/xhtml\" "
        "xmlns:jr=\"http://openrosa.org/javarosa\" xmlns:orx=\"http://openrosa.org/xforms\" "
        "xmlns:odk=\"http://www.opendatakit.org/xforms\" xmlns:kiosk=\"" +
        std::string(kKioskNamespace) + "\">\n<h:head>\n<h:title>" + esc(sv.text(sv.title, sv.default_locale)) +
        "</h:title>\n<model odk:xforms-version=\"1.0.0\"";
    if (!sv.age_question.empty()) out += " kiosk:age-question=\"" + esc(sv.age_question) + "\"";
    if (sv.minutes_stated) out += " kiosk:minutes=\"" + std::to_string(sv.minutes) + "\"";
    out += ">\n<itext>\n";
    for (const auto& locale : sv.locales) {
      out += "<translation lang=\"" + esc(xlsform::language_label(locale)) + "\"" +
             (locale == sv.default_locale ? " default=\"true()\"" : "") + ">\n";
      auto put = [&](const std::string& id, const LocalText& t) {
        auto it = t.by_locale.find(locale);
        if (it != t.by_locale.end())
          out += "<text id=\"" + esc(id) + "\"><value>" + esc(it->second) + "</value></text>\n";
      };
      for (const auto& [id, t] : texts) put(id, *t);
      for (const auto& [name, options] : lists)
        for (std::size_t i = 0; i < options->size(); ++i) put(name + "-" + std::to_string(i), (*options)[i].label);
      out += "</translation>\n";
    }
    out += "</itext>\n<instance>\n<" + std::string(kRoot) + " id=\"" + esc(sv.id) + "\" version=\"" + esc(sv.version) +
           "\">" + instance + "<meta><instanceID/><kiosk_status/></meta></" + kRoot + ">\n</instance>\n";
    for (const auto& [name, options] : lists) {
      out += "<instance id=\"" + esc(name) + "\"><root>";
      for (std::size_t i = 0; i < options->size(); ++i)
        out += "<item><itextId>" + esc(name) + "-" + std::to_string(i) + "</itextId><name>" + esc((*options)[i].code) +
               "</name></item>";
      out += "</root></instance>\n";
    }
    out += binds + "</model>\n</h:head>\n<h:body>\n" + body + "</h:body>\n</h:html>\n";
    return out;
  }
};

}  // namespace

std::string to_xform(const Survey& survey) { return Writer(survey).run(); }

}  // namespace kiosk::openrosa
