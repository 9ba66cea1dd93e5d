#include "kiosk/session.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/catalogue.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/postcode.hpp"

namespace kiosk {

using nlohmann::json;

bool Answer::has(std::string_view code) const {
  return std::find(choices.begin(), choices.end(), code) != choices.end();
}

namespace {
// A rule the visitor broke: English for logs and the hub, and for the visitor
// the catalogue's message (rule.*) with its arguments, said in their language.
struct RuleProblem {
  std::string english;
  std::string key;
  MessageArgs args;
};
Error rule(const RuleProblem& p) {
  return make_error(ErrorKind::Validation, p.english, catalogue_reference(p.key, p.args));
}
Error rule(std::string english, std::string_view key) {
  return rule(RuleProblem{std::move(english), std::string(key), {}});
}

bool eval(const Rule& r, const Answers& answers) {
  auto find = [&](const std::string& id) -> const Answer* {
    auto it = answers.find(id);
    return it == answers.end() ? nullptr : &it->second;
  };
  switch (r.kind) {
    case Rule::Kind::Equals: {
      const Answer* a = find(r.question);
      return a && a->has(r.values[0]);
    }
    case Rule::Kind::AnyOf: {
      const Answer* a = find(r.question);
      if (!a) return false;
      return std::any_of(r.values.begin(), r.values.end(), [&](const std::string& v) { return a->has(v); });
    }
    case Rule::Kind::Answered: {
      const Answer* a = find(r.question);
      return a && !a->empty();
    }
    case Rule::Kind::Not: return !eval(r.children[0], answers);
    case Rule::Kind::All:
      return std::all_of(r.children.begin(), r.children.end(), [&](const Rule& c) { return eval(c, answers); });
    case Rule::Kind::Any:
      return std::any_of(r.children.begin(), r.children.end(), [&](const Rule& c) { return eval(c, answers); });
  }
  return false;
}

size_t utf8_length(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

json answer_to_json(const Answer& a) {
  json j = json::object();
  if (!a.choices.empty()) j["choices"] = a.choices;
  if (!a.text.empty()) j["text"] = a.text;
  if (!a.other_text.empty()) j["other"] = a.other_text;
  return j;
}

}  // namespace

bool is_visible(const Question& q, const Answers& answers) { return !q.show_if || eval(*q.show_if, answers); }

std::vector<std::string> prune_hidden(const Survey& survey, Answers& answers) {
  std::vector<std::string> dropped;
  for (const auto& q : survey.questions) {
    if (!is_visible(q, answers)) {
      if (answers.erase(q.id)) dropped.push_back(q.id);
    }
  }
  return dropped;
}

namespace {
// A number typed on the pad. While it is being typed ("-", "3.") only its
// characters are checked; the range once the visitor moves on.
std::optional<RuleProblem> number_problem(const Question& q, const Answer& a, bool final_check) {
  using P = RuleProblem;
  if (!a.choices.empty() || !a.other_text.empty())
    return P{"This question is answered by typing, not by choosing.", "rule.type_not_choose", {}};
  const std::string& t = a.text;
  const bool decimal = q.type == QuestionType::Decimal;
  const std::string places = std::to_string(q.decimals);
  auto not_number = [&] {
    return decimal ? P{"Please type a number, such as 12 or 3.5, with at most " + places + " digits after the point.",
                       "rule.number.decimal",
                       {{"decimals", places}}}
                   : P{"Please type a whole number, using the digits 0 to 9.", "rule.number.whole", {}};
  };
  std::size_t digits = 0, after_point = 0;
  bool point = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '-' && i == 0) continue;
    if (c == '.' && decimal && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9') return not_number();
    ++digits;
    if (point) ++after_point;
  }
  if (after_point > static_cast<std::size_t>(q.decimals) || t.size() > static_cast<std::size_t>(q.max_length))
    return not_number();
  if (!final_check) return std::nullopt;
  if (digits == 0 || (point && after_point == 0)) return not_number();
  const double v = std::strtod(t.c_str(), nullptr);
  const int shown = decimal ? q.decimals : 0;
  const std::string lo = q.min_value ? format_number(*q.min_value, shown) : "";
  const std::string hi = q.max_value ? format_number(*q.max_value, shown) : "";
  const bool below = q.min_value && v < *q.min_value, above = q.max_value && v > *q.max_value;
  if (!below && !above) return std::nullopt;
  if (q.min_value && q.max_value)
    return P{"Please type a number from " + lo + " to " + hi + ".", "rule.number.range", {{"min", lo}, {"max", hi}}};
  if (below) return P{"Please type a number of at least " + lo + ".", "rule.number.min", {{"min", lo}}};
  return P{"Please type a number no bigger than " + hi + ".", "rule.number.max", {{"max", hi}}};
}

// A date's day, month and year, each typed on the pad. While they are typed
// only their digits and lengths are checked; the date itself once the
// visitor moves on.
std::optional<RuleProblem> date_problem(const Question& q, const Answer& a, bool final_check) {
  using P = RuleProblem;
  if (!a.choices.empty() || !a.other_text.empty())
    return P{"This question is answered by typing, not by choosing.", "rule.type_not_choose", {}};
  const DateParts p = split_date(a.text);
  const P parts{
      "Please type the day, the month and the year as numbers, such as 13, 6 and 2016.", "rule.date.parts", {}};
  if (std::count(a.text.begin(), a.text.end(), '-') != 2) return parts;
  for (const auto& [s, most] : {std::pair{&p.year, 4u}, std::pair{&p.month, 2u}, std::pair{&p.day, 2u}}) {
    if (s->size() > most) return parts;
    for (char c : *s)
      if (c < '0' || c > '9') return parts;
  }
  if (!final_check) return std::nullopt;
  if (p.year.size() != 4 || p.month.empty() || p.day.empty()) return parts;
  const auto iso = iso_date(p);
  if (!iso) return P{"There is no such date: please check the day and the month.", "rule.date.invalid", {}};
  if (*iso != a.text) return parts;  // stored as 2016-06-01 only: the kiosk writes a day or month with two digits
  const bool early = !q.min_date.empty() && *iso < q.min_date, late = !q.max_date.empty() && *iso > q.max_date;
  if (!early && !late) return std::nullopt;
  const std::string lo = display_date(q.min_date), hi = display_date(q.max_date);
  if (!q.min_date.empty() && !q.max_date.empty())
    return P{"Please give a date from " + lo + " to " + hi + ".", "rule.date.range", {{"min", lo}, {"max", hi}}};
  if (early) return P{"Please give a date on or after " + lo + ".", "rule.date.min", {{"min", lo}}};
  return P{"Please give a date on or before " + hi + ".", "rule.date.max", {{"max", hi}}};
}

std::optional<RuleProblem> rule_problem(const Question& q, const Answer& a, bool final_check) {
  using P = RuleProblem;
  if (a.empty()) {
    if (!final_check || !q.required) return std::nullopt;
    switch (q.type) {
      case QuestionType::Multiple:
        return P{"Please choose at least one answer to continue.", "rule.required.multiple", {}};
      case QuestionType::Text: return P{"Please type an answer in the box to continue.", "rule.required.text", {}};
      case QuestionType::Postcode: return P{"Please type your postcode to continue.", "rule.required.postcode", {}};
      case QuestionType::Integer:
      case QuestionType::Decimal: return P{"Please type a number to continue.", "rule.required.number", {}};
      case QuestionType::Date:
        return P{"Please give the day, the month and the year to continue.", "rule.required.date", {}};
      default: return P{"Please choose an answer to continue.", "rule.required.choose", {}};
    }
  }
  if (q.type == QuestionType::Note) return P{"This is a note: it takes no answer.", "rule.note", {}};
  if (q.is_number()) return number_problem(q, a, final_check);
  if (q.type == QuestionType::Date) return date_problem(q, a, final_check);
  const bool with_options = q.has_options();
  if (with_options) {
    if (!a.text.empty()) return P{"This question is answered by choosing, not by typing.", "rule.choose_not_type", {}};
    if (q.type != QuestionType::Multiple && a.choices.size() > 1)
      return P{"Please choose only one answer.", "rule.one_only", {}};
    for (size_t i = 0; i < a.choices.size(); ++i) {
      if (!q.find_option(a.choices[i]))
        return P{"\"" + a.choices[i] + "\" is not one of the answers to this question.",
                 "rule.unknown_answer",
                 {{"code", a.choices[i]}}};
      if (std::find(a.choices.begin(), a.choices.begin() + static_cast<long>(i), a.choices[i]) !=
          a.choices.begin() + static_cast<long>(i))
        return P{"The answer \"" + a.choices[i] + "\" is chosen twice.", "rule.twice", {{"code", a.choices[i]}}};
    }
    const Option* other = q.other_option();
    const bool other_chosen = other && a.has(other->code);
    if (!a.other_text.empty() && !other_chosen)
      return P{"Text was given for \"Other\", but \"Other\" is not chosen.", "rule.other_not_chosen", {}};
    if (other_chosen) {
      const size_t n = utf8_length(a.other_text);
      if (n > static_cast<size_t>(q.other_max_length))
        return P{"Your answer is too long: please use at most " + std::to_string(q.other_max_length) +
                     " characters (it has " + std::to_string(n) + ").",
                 "rule.too_long",
                 {{"max", std::to_string(q.other_max_length)}, {"n", std::to_string(n)}}};
      if (final_check && a.other_text.find_first_not_of(" \t\n") == std::string::npos)
        return P{"You chose \"Other\": please type what you mean in the box, or choose another answer.",
                 "rule.other_empty",
                 {}};
    }
    return std::nullopt;
  }
  if (!a.choices.empty() || !a.other_text.empty())
    return P{"This question is answered by typing, not by choosing.", "rule.type_not_choose", {}};
  const size_t n = utf8_length(a.text);
  if (q.max_length > 0 && n > static_cast<size_t>(q.max_length))
    return P{"Your answer is too long: please use at most " + std::to_string(q.max_length) + " characters (it has " +
                 std::to_string(n) + ").",
             "rule.too_long",
             {{"max", std::to_string(q.max_length)}, {"n", std::to_string(n)}}};
  // The example postcode is the deployment's (kiosk.toml), so the kiosk fills it in.
  if (q.type == QuestionType::Postcode && final_check && !normalise_uk_postcode(a.text))
    return P{"\"" + a.text + "\" does not look like a UK postcode.", "rule.postcode", {{"text", a.text}}};
  return std::nullopt;
}
}  // namespace

PathLengths path_lengths(const Survey& survey) {
  // The questions some rule looks at, and the answers each can have.
  std::set<std::string> looked_at;
  std::function<void(const Rule&)> collect = [&](const Rule& r) {
    if (!r.question.empty()) looked_at.insert(r.question);
    for (const auto& c : r.children) collect(c);
  };
  for (const auto& q : survey.questions)
    if (q.show_if) collect(*q.show_if);
  std::vector<std::pair<std::string, std::vector<Answer>>> states;
  for (const auto& q : survey.questions) {
    if (!looked_at.count(q.id)) continue;
    // Unanswered too, unless the visitor cannot go on without an answer.
    std::vector<Answer> s;
    if (!q.required) s.push_back(Answer{});
    if (q.type == QuestionType::Multiple && q.options.size() <= 6) {
      for (std::size_t mask = 1; mask < (std::size_t{1} << q.options.size()); ++mask) {
        Answer a;
        for (std::size_t i = 0; i < q.options.size(); ++i)
          if (mask & (std::size_t{1} << i)) a.choices.push_back(q.options[i].code);
        s.push_back(a);
      }
    } else if (q.has_options()) {
      for (const auto& o : q.options) s.push_back(Answer{{o.code}, {}, {}});
    } else {
      s.push_back(Answer{{}, "1", {}});
    }
    states.emplace_back(q.id, std::move(s));
  }
  PathLengths p;
  p.shortest = survey.questions.size();
  constexpr std::size_t kMostTries = 200000;
  std::size_t tries = 0;
  std::vector<std::size_t> pick(states.size(), 0);
  for (;;) {
    Answers a;
    for (std::size_t i = 0; i < states.size(); ++i)
      if (!states[i].second[pick[i]].empty()) a[states[i].first] = states[i].second[pick[i]];
    prune_hidden(survey, a);
    std::size_t n = 0;
    for (const auto& q : survey.questions) n += is_visible(q, a) ? 1 : 0;
    p.shortest = std::min(p.shortest, n);
    p.longest = std::max(p.longest, n);
    if (++tries >= kMostTries) {
      p.exact = false;
      break;
    }
    std::size_t i = 0;
    while (i < pick.size() && ++pick[i] == states[i].second.size()) pick[i++] = 0;
    if (i == pick.size()) break;
  }
  return p;
}

std::optional<std::string> validate_answer(const Question& q, const Answer& a, bool final_check) {
  if (auto p = rule_problem(q, a, final_check)) return p->english;
  return std::nullopt;
}

std::string canonical_document(const ResponseMeta& m, const Answers& answers) {
  json doc;
  doc["schema"] = m.seq > 0 ? 2 : 1;
  if (m.seq > 0) {
    doc["seq"] = m.seq;
    doc["status"] = m.status;
  }
  doc["uuid"] = m.uuid;
  doc["survey_id"] = m.survey_id;
  doc["survey_version"] = m.survey_version;
  doc["kiosk_id"] = m.kiosk_id;
  doc["service_point"] = m.service_point;
  doc["locale"] = m.locale;
  doc["mode"] = m.mode;
  doc["staff_id"] = m.staff_id;
  doc["assistance"] = m.assistance;
  doc["accessibility"] = m.accessibility;
  doc["started_utc"] = m.started_utc;
  doc["completed_utc"] = m.ended_utc;
  json a = json::object();
  for (const auto& [id, ans] : answers) a[id] = answer_to_json(ans);
  doc["answers"] = std::move(a);
  return doc.dump();
}

Result<std::pair<ResponseMeta, Answers>> parse_canonical_document(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(ErrorKind::Validation, "response document is not a JSON object");
  try {
    ResponseMeta m;
    const int schema = doc.at("schema").get<int>();
    if (schema != 1 && schema != 2) return make_error(ErrorKind::Validation, "response document: unsupported schema");
    if (schema == 2) {
      m.seq = doc.at("seq").get<std::int64_t>();
      m.status = doc.at("status").get<std::string>();
      if (m.seq < 1) return make_error(ErrorKind::Validation, "response document: \"seq\" must be 1 or more");
      if (m.status != "completed" && m.status != "abandoned")
        return make_error(ErrorKind::Validation, "response document: \"status\" must be completed or abandoned");
    }
    m.uuid = doc.at("uuid").get<std::string>();
    m.survey_id = doc.at("survey_id").get<std::string>();
    m.survey_version = doc.at("survey_version").get<std::string>();
    m.kiosk_id = doc.at("kiosk_id").get<std::string>();
    m.service_point = doc.at("service_point").get<std::string>();
    m.locale = doc.at("locale").get<std::string>();
    m.mode = doc.at("mode").get<std::string>();
    m.staff_id = doc.at("staff_id").get<std::string>();
    m.assistance = doc.at("assistance").get<std::vector<std::string>>();
    m.accessibility = doc.at("accessibility").get<std::map<std::string, std::string>>();
    m.started_utc = doc.at("started_utc").get<std::string>();
    m.ended_utc = doc.at("completed_utc").get<std::string>();
    Answers answers;
    for (const auto& [id, a] : doc.at("answers").items()) {
      Answer ans;
      if (a.contains("choices")) ans.choices = a.at("choices").get<std::vector<std::string>>();
      if (a.contains("text")) ans.text = a.at("text").get<std::string>();
      if (a.contains("other")) ans.other_text = a.at("other").get<std::string>();
      answers[id] = std::move(ans);
    }
    if (!is_uuid(m.uuid)) return make_error(ErrorKind::Validation, "response document: \"uuid\" is not a UUID");
    return std::make_pair(std::move(m), std::move(answers));
  } catch (const json::exception& e) {
    return make_error(ErrorKind::Validation, std::string("response document: ") + e.what());
  }
}

// ---- Session ---------------------------------------------------------------

Result<std::unique_ptr<Session>> Session::start(const Survey& survey, ResponseMeta meta, const Clock& clock,
                                                ResponseSink* sink) {
  meta.uuid = new_uuid_v4();
  meta.survey_id = survey.id;
  meta.survey_version = survey.version;
  meta.started_utc = format_utc(clock.now());
  if (std::find(survey.locales.begin(), survey.locales.end(), meta.locale) == survey.locales.end())
    meta.locale = survey.default_locale;
  std::unique_ptr<Session> s(new Session(survey, std::move(meta), clock, sink));
  if (sink) {
    auto id = sink->begin_response(s->meta_);
    if (!id) return id.error();
    s->response_id_ = *id;
  }
  auto first = s->next_visible(static_cast<size_t>(-1));
  if (!first) return make_error(ErrorKind::Validation, "survey \"" + survey.id + "\" has no question to show");
  s->current_ = *first;
  return s;
}

const Question* Session::current() const { return stage_ == Stage::Question ? &survey_.questions[current_] : nullptr; }

std::vector<const Question*> Session::current_screen() const {
  std::vector<const Question*> out;
  if (stage_ != Stage::Question) return out;
  for (size_t i = screen_first(current_); i <= screen_last(current_); ++i)
    if (is_visible(survey_.questions[i], answers_)) out.push_back(&survey_.questions[i]);
  return out;
}

size_t Session::screen_first(size_t i) const {
  const Matrix* m = survey_.matrix_of(survey_.questions[i]);
  return m ? m->items.front() : i;
}

size_t Session::screen_last(size_t i) const {
  const Matrix* m = survey_.matrix_of(survey_.questions[i]);
  return m ? m->items.back() : i;
}

const Answer* Session::answer_for(const std::string& id) const {
  auto it = answers_.find(id);
  return it == answers_.end() ? nullptr : &it->second;
}

std::vector<const Question*> Session::visible_questions() const {
  std::vector<const Question*> out;
  for (const auto& q : survey_.questions)
    if (is_visible(q, answers_)) out.push_back(&q);
  return out;
}

Session::Progress Session::progress() const {
  Progress p;
  for (const auto& q : survey_.questions) {
    // A matrix is one screen: counted at its first item.
    if (!is_visible(q, answers_) || screen_first(q.index) != q.index) continue;
    ++p.total;
    if (q.index <= current_) p.position = p.total;
  }
  if (stage_ != Stage::Question) p.position = p.total;
  return p;
}

std::optional<size_t> Session::next_visible(size_t from) const {
  for (size_t i = from + 1; i < survey_.questions.size(); ++i)
    if (is_visible(survey_.questions[i], answers_)) return i;
  return std::nullopt;
}

std::optional<size_t> Session::prev_visible(size_t from) const {
  for (size_t i = from; i-- > 0;)
    if (is_visible(survey_.questions[i], answers_)) return i;
  return std::nullopt;
}

Status Session::answer(Answer a) {
  if (stage_ != Stage::Question) return rule("There is no question on screen to answer.", "rule.no_question");
  return answer(survey_.questions[current_].id, std::move(a));
}

Status Session::answer(const std::string& question_id, Answer a) {
  if (stage_ != Stage::Question) return rule("There is no question on screen to answer.", "rule.no_question");
  const Question* on_screen = nullptr;
  for (const Question* p : current_screen())
    if (p->id == question_id) on_screen = p;
  if (!on_screen) return rule("That question is not on screen.", "rule.no_question");
  const Question& q = *on_screen;
  if (q.type == QuestionType::Postcode && !a.text.empty()) {
    if (auto norm = normalise_uk_postcode(a.text)) a.text = *norm;
  }
  if (auto problem = rule_problem(q, a, false)) return rule(*problem);

  // Work out the effect first, save it, and only then change memory.
  Answers after = answers_;
  if (a.empty())
    after.erase(q.id);
  else
    after[q.id] = a;
  const auto dropped = prune_hidden(survey_, after);
  if (after == answers_) return {};
  if (auto st = save_draft(after); !st) return st;
  answers_ = std::move(after);
  return {};
}

Status Session::next() {
  if (stage_ != Stage::Question) return rule("There is no question on screen.", "rule.no_question");
  for (const Question* q : current_screen()) {
    const Answer* a = answer_for(q->id);
    if (auto problem = rule_problem(*q, a ? *a : Answer{}, true)) {
      // Which row of a matrix is still to answer, in the visitor's words.
      if (q->in_matrix() && problem->key == "rule.required.choose")
        problem = RuleProblem{
            "Please choose an answer for \"" + survey_.text(q->text, survey_.default_locale) + "\" to continue.",
            "rule.required.matrix",
            {{"item", survey_.text(q->text, meta_.locale)}}};
      return rule(*problem);
    }
  }
  if (return_to_review_) return go_to_review();
  if (auto n = next_visible(screen_last(current_)))
    current_ = *n;
  else
    stage_ = Stage::Review;
  return {};
}

bool Session::back() {
  if (stage_ == Stage::Review) {
    stage_ = Stage::Question;
    return_to_review_ = false;
    if (auto p = prev_visible(survey_.questions.size())) current_ = screen_first(*p);
    return true;
  }
  if (stage_ != Stage::Question) return false;
  return_to_review_ = false;
  if (auto p = prev_visible(screen_first(current_))) {
    current_ = screen_first(*p);
    return true;
  }
  return false;
}

Status Session::go_to_review() {
  if (stage_ == Stage::Submitted || stage_ == Stage::Abandoned) return rule("This response is closed.", "rule.closed");
  stage_ = Stage::Review;
  return_to_review_ = false;
  return {};
}

Status Session::edit(const std::string& question_id) {
  if (stage_ != Stage::Review && stage_ != Stage::Question) return rule("This response is closed.", "rule.closed");
  const Question* q = survey_.find(question_id);
  if (!q || !is_visible(*q, answers_)) return rule("That question is not part of your answers.", "rule.not_in_answers");
  current_ = screen_first(q->index);
  stage_ = Stage::Question;
  return_to_review_ = true;
  return {};
}

Status Session::submit() {
  if (stage_ == Stage::Submitted || stage_ == Stage::Abandoned)
    return rule("This response is already closed.", "rule.closed");
  for (const auto& q : survey_.questions) {
    if (!is_visible(q, answers_)) continue;
    const Answer* a = answer_for(q.id);
    if (auto problem = rule_problem(q, a ? *a : Answer{}, true)) {
      current_ = screen_first(q.index);
      stage_ = Stage::Question;
      return_to_review_ = true;
      return rule(*problem);
    }
  }
  ResponseMeta m = meta_;
  m.ended_utc = format_utc(clock_.now());
  m.status = "completed";
  std::string hash;
  if (sink_) {
    auto h = sink_->complete_response(response_id_, m, answers_);
    if (!h) return h.error();
    hash = std::move(h).value();
  } else {
    hash = sha256_hex(canonical_document(m, answers_));
  }
  meta_ = std::move(m);
  content_hash_ = std::move(hash);
  stage_ = Stage::Submitted;
  return {};
}

Status Session::abandon(const std::string& reason) {
  if (stage_ == Stage::Submitted || stage_ == Stage::Abandoned) return {};
  ResponseMeta m = meta_;
  m.ended_utc = format_utc(clock_.now());
  m.status = "abandoned";
  if (sink_) {
    if (auto st = sink_->abandon_response(response_id_, m, answers_, reason); !st) return st;
  }
  meta_ = std::move(m);
  stage_ = Stage::Abandoned;
  return {};
}

Status Session::save_draft(const Answers& answers) {
  if (!sink_) return {};
  ResponseMeta m = meta_;
  m.status = "abandoned";
  m.ended_utc = format_utc(clock_.now());
  return sink_->save_draft(response_id_, m, answers);
}

Status Session::set_assisted(const std::string& staff_id, std::vector<std::string> assistance) {
  if (stage_ == Stage::Submitted || stage_ == Stage::Abandoned) return rule("This response is closed.", "rule.closed");
  meta_.mode = "assisted";
  meta_.staff_id = staff_id;
  meta_.assistance = std::move(assistance);
  return save_draft(answers_);
}

Status Session::set_accessibility(const std::string& key, const std::string& value) {
  if (stage_ == Stage::Submitted || stage_ == Stage::Abandoned) return {};
  if (meta_.accessibility[key] == value) return {};
  meta_.accessibility[key] = value;
  return save_draft(answers_);
}

Status Session::set_locale(const std::string& locale) {
  if (std::find(survey_.locales.begin(), survey_.locales.end(), locale) == survey_.locales.end())
    return rule("This survey is not available in that language.", "rule.no_language");
  meta_.locale = locale;
  return save_draft(answers_);
}

}  // namespace kiosk
