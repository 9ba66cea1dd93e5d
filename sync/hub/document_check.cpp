// Sections: 1. strict JSON and UTF-8  2. the survey registry  3. the document
//           check  4. quarantine, marks and the summary from tallies
#include "document_check.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "kiosk/config.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {
using nlohmann::json;

// ---- 1. Strict JSON and UTF-8 ------------------------------------------------

std::size_t invalid_utf8_at(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string printable_utf8(std::string_view s, std::size_t max) {
  std::string out;
  out.reserve(std::min(s.size(), max));
  while (!s.empty() && out.size() < max) {
    const std::size_t bad = invalid_utf8_at(s);
    std::string_view good = s.substr(0, bad);
    // Cut only between characters.
    std::size_t take = std::min(good.size(), max - out.size());
    while (take > 0 && take < good.size() && (static_cast<unsigned char>(good[take]) & 0xC0) == 0x80) --take;
    for (char c : good.substr(0, take)) {
      if (c == '\0')
        out += "\xEF\xBF\xBD";
      else
        out.push_back(c);
    }
    if (take < good.size()) break;
    s.remove_prefix(good.size());
    if (!s.empty()) {
      out += "\xEF\xBF\xBD";
      s.remove_prefix(1);
    }
  }
  return out;
}

namespace {

// A value quoted in a refusal: short and always valid UTF-8, so that the
// reply (JSON) and the quarantine (PostgreSQL text) can hold it.
std::string quote(std::string_view v) {
  std::string q = printable_utf8(v, 60);
  return "\"" + q + (q.size() < v.size() ? "...\"" : "\"");
}

}  // namespace

StrictJson parse_strict_json(std::string_view text, json& out) {
  StrictJson r;
  if (const auto bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    r.words = "not valid UTF-8 (byte " + std::to_string(bad) + ")";
    return r;
  }
  struct Frame {
    bool object = false;
    std::set<std::string> keys;
    std::string key;
  };
  std::vector<Frame> stack;
  std::string dup_path, deep_path;
  auto path = [&]() {
    std::string p;
    for (const auto& f : stack)
      if (f.object && !f.key.empty()) p += (p.empty() ? "" : ".") + f.key;
    return p;
  };
  auto cb = [&](int depth, json::parse_event_t ev, json& parsed) {
    switch (ev) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= 32 && deep_path.empty()) deep_path = path().empty() ? "document" : path();
        stack.push_back({ev == json::parse_event_t::object_start, {}, {}});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!stack.empty()) stack.pop_back();
        break;
      case json::parse_event_t::key:
        if (!stack.empty()) {
          Frame& f = stack.back();
          f.key = parsed.get<std::string>();
          if (!f.keys.insert(f.key).second && dup_path.empty()) dup_path = path();
        }
        break;
      case json::parse_event_t::value: break;
    }
    return true;
  };
  try {
    out = json::parse(text.begin(), text.end(), cb);
  } catch (const json::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error ..." -> the part after "] ".
    std::string what = e.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    r.field = path();
    r.words = "not valid JSON: " + printable_utf8(what, 200);
    return r;
  }
  if (!dup_path.empty()) {
    r.field = dup_path;
    r.words = "given twice (a key may appear once)";
    return r;
  }
  if (!deep_path.empty()) {
    r.field = deep_path;
    r.words = "nested too deeply";
    return r;
  }
  r.ok = true;
  return r;
}

// ---- 2. The survey registry --------------------------------------------------

Status SurveyRegistry::register_survey(const Survey& survey, const std::string& now_utc) {
  if (auto st = store_.register_survey(survey.id, survey.version, survey.source_text, now_utc); !st) return st;
  std::lock_guard lock(m_);
  known_[{survey.id, survey.version}] = std::make_unique<Survey>(survey);
  return {};
}

Result<const Survey*> SurveyRegistry::find(const std::string& survey_id, const std::string& version) {
  {
    std::lock_guard lock(m_);
    if (auto it = known_.find({survey_id, version}); it != known_.end())
      return static_cast<const Survey*>(it->second.get());
  }
  auto def = store_.survey_definition(survey_id, version);
  if (!def) return def.error();
  if (!*def) return static_cast<const Survey*>(nullptr);
  auto s = parse_survey(**def, "survey " + survey_id + " " + version + " (hub registry)");
  if (!s) return s.error();
  std::lock_guard lock(m_);
  auto& slot = known_[{survey_id, version}];
  if (!slot) slot = std::make_unique<Survey>(std::move(s).value());
  return static_cast<const Survey*>(slot.get());
}

std::string default_service_points_path(const std::string& survey_path) {
  namespace fs = std::filesystem;
  if (survey_path.empty()) return {};
  const fs::path dir = fs::absolute(fs::path(survey_path)).parent_path();
  std::error_code ec;
  for (const fs::path& p : {dir / "service-points.toml", dir.parent_path() / "service-points.toml"})
    if (fs::is_regular_file(p, ec)) return p.lexically_normal().string();
  return {};
}

// ---- 3. The document check -----------------------------------------------------

namespace {

Verdict refuse(std::string field, std::string words) {
  Verdict v;
  v.kind = Verdict::Kind::Refuse;
  v.code = 422;
  v.field = std::move(field);
  v.words = std::move(words);
  return v;
}

// "2016-03-01T08:00:00Z" exactly (what format_utc writes), a real date and time.
std::optional<std::time_t> parse_utc(const std::string& s) {
  if (s.size() != 20) return std::nullopt;
  static const char kShape[] = "dddd-dd-ddTdd:dd:ddZ";
  for (size_t i = 0; i < 20; ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == 'd' ? !digit : s[i] != kShape[i]) return std::nullopt;
  }
  std::tm tm{};
  auto num = [&](size_t at, size_t len) { return std::stoi(s.substr(at, len)); };
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  const std::tm asked = tm;
  const std::time_t t = timegm(&tm);
  // timegm normalises 2016-02-30 to 2016-03-01: a changed field means no such date.
  if (tm.tm_year != asked.tm_year || tm.tm_mon != asked.tm_mon || tm.tm_mday != asked.tm_mday ||
      tm.tm_hour != asked.tm_hour || tm.tm_min != asked.tm_min || tm.tm_sec != asked.tm_sec)
    return std::nullopt;
  return t;
}

const std::set<std::string>& top_level_keys() {
  static const std::set<std::string> keys = {"schema",        "uuid",          "survey_id",     "survey_version",
                                             "kiosk_id",      "service_point", "locale",        "mode",
                                             "staff_id",      "assistance",    "accessibility", "started_utc",
                                             "completed_utc", "answers",       "seq",           "status"};
  return keys;
}

// Metadata strings are identifiers and settings, not prose.
constexpr std::size_t kMaxMetaChars = 200;

}  // namespace

Verdict check_document(SurveyRegistry& registry, const TrustSettings& settings, const std::string& expected_kiosk,
                       const std::string& batch_kiosk, std::string_view document,
                       std::chrono::system_clock::time_point now, Incoming* fill,
                       const std::string& expected_service_point) {
  json doc;
  if (auto p = parse_strict_json(document, doc); !p.ok) return refuse(p.field.empty() ? "document" : p.field, p.words);
  if (!doc.is_object()) return refuse("document", "must be a JSON object");
  for (const auto& [k, v] : doc.items())
    if (!top_level_keys().count(k)) return refuse(printable_utf8(k, 60), "not a field of a response document");
  for (const char* k : {"schema", "uuid", "survey_id", "survey_version", "kiosk_id", "service_point", "locale", "mode",
                        "staff_id", "assistance", "accessibility", "started_utc", "completed_utc", "answers"})
    if (!doc.contains(k)) return refuse(k, "is missing");

  // Types and shapes first: a document that is not even well formed is
  // refused whatever survey it claims.
  const json& schema = doc["schema"];
  // 1: before the ledger; 2: numbered ("seq") and with its "status" (completed or abandoned).
  if (!schema.is_number_integer() || (schema.get<std::int64_t>() != 1 && schema.get<std::int64_t>() != 2))
    return refuse("schema", "must be 1 or 2");
  if (schema.get<std::int64_t>() == 2)
    for (const char* k : {"seq", "status"})
      if (!doc.contains(k)) return refuse(k, "is missing (schema 2 documents are numbered)");
  ResponseMeta m;
  auto str = [&](const char* k, std::string& out) -> std::optional<Verdict> {
    const json& v = doc[k];
    if (!v.is_string()) return refuse(k, "must be a string");
    out = v.get<std::string>();
    if (out.size() > kMaxMetaChars)
      return refuse(k,
                    "is " + std::to_string(out.size()) + " bytes long (at most " + std::to_string(kMaxMetaChars) + ")");
    return std::nullopt;
  };
  for (auto [k, out] : {std::pair{"uuid", &m.uuid},
                        {"survey_id", &m.survey_id},
                        {"survey_version", &m.survey_version},
                        {"kiosk_id", &m.kiosk_id},
                        {"service_point", &m.service_point},
                        {"locale", &m.locale},
                        {"mode", &m.mode},
                        {"staff_id", &m.staff_id},
                        {"started_utc", &m.started_utc},
                        {"completed_utc", &m.ended_utc}})
    if (auto bad = str(k, *out)) return *bad;
  if (!is_uuid(m.uuid)) return refuse("uuid", quote(m.uuid) + " is not a UUID");
  if (fill && m.uuid != fill->uuid) return refuse("uuid", "the document carries another uuid than the item");
  const json& assistance = doc["assistance"];
  if (!assistance.is_array()) return refuse("assistance", "must be a list of strings");
  static const std::set<std::string> kAssistance = {"read_aloud", "scribed", "large_print", "other"};
  for (const auto& a : assistance) {
    if (!a.is_string()) return refuse("assistance", "must be a list of strings");
    if (!kAssistance.count(a.get<std::string>()))
      return refuse("assistance", quote(a.get<std::string>()) + " is not read_aloud, scribed, large_print or other");
    m.assistance.push_back(a.get<std::string>());
  }
  const json& access = doc["accessibility"];
  if (!access.is_object()) return refuse("accessibility", "must be an object of strings");
  for (const auto& [k, v] : access.items()) {
    if (!v.is_string()) return refuse("accessibility." + printable_utf8(k, 60), "must be a string");
    if (k.size() > 64 || v.get<std::string>().size() > 64)
      return refuse("accessibility." + printable_utf8(k, 60), "is longer than 64 bytes");
    m.accessibility[k] = v.get<std::string>();
  }
  bool completed = true;
  if (doc.contains("status")) {
    const json& st = doc["status"];
    if (!st.is_string() || (st != "completed" && st != "abandoned"))
      return refuse("status", "must be \"completed\" or \"abandoned\"");
    completed = st == "completed";
    m.status = st.get<std::string>();
  }
  if (doc.contains("seq")) {
    const json& seq = doc["seq"];
    // Whole numbers only, and within what every JSON reader holds exactly (2^53).
    // nlohmann reads a literal 0 or 7 as unsigned, -1 as signed: check the value, not the kind.
    const bool whole = seq.is_number_integer();
    const bool in_range =
        whole && (seq.is_number_unsigned() ? seq.get<std::uint64_t>() >= 1 && seq.get<std::uint64_t>() <= (1ULL << 53)
                                           : seq.get<std::int64_t>() >= 1 && seq.get<std::int64_t>() <= (1LL << 53));
    if (!in_range) return refuse("seq", "must be a whole number from 1 to 2^53");
    m.seq = seq.is_number_unsigned() ? static_cast<std::int64_t>(seq.get<std::uint64_t>()) : seq.get<std::int64_t>();
  }
  if (m.mode != "self" && m.mode != "assisted") return refuse("mode", "must be \"self\" or \"assisted\"");
  const auto started = parse_utc(m.started_utc);
  if (!started) return refuse("started_utc", quote(m.started_utc) + " is not a UTC time like 2016-03-01T08:00:00Z");
  const auto ended = parse_utc(m.ended_utc);
  if (!ended) return refuse("completed_utc", quote(m.ended_utc) + " is not a UTC time like 2016-03-01T08:00:00Z");
  if (*started > *ended) return refuse("started_utc", "is after completed_utc (" + m.ended_utc + ")");
  const std::time_t latest = std::chrono::system_clock::to_time_t(now + kMaxClockAhead);
  if (*ended > latest)
    return refuse("completed_utc",
                  m.ended_utc + " is more than a day ahead of the hub's clock (" + format_utc(now) + ")");
  // The device is the token's (with an admin token: the batch's kiosk_id).
  // Whether the batch's kiosk_id matches a kiosk token is the upload
  // route's check (a 403 for the whole batch); it says nothing of a document.
  (void)batch_kiosk;
  if (m.kiosk_id != expected_kiosk)
    return refuse("kiosk_id",
                  quote(m.kiosk_id) + " is not the device this token belongs to (" + quote(expected_kiosk) + ")");
  if (settings.service_points.empty()) {
    // A hub started without --survey has nothing to check against: it keeps nothing, and refuses nothing.
    Verdict v;
    v.kind = Verdict::Kind::Hold;
    v.code = 503;
    v.reason = protocol::reason::kUnknownSurveyVersion;
    v.words = "this hub serves no survey and knows no service points (start it with --survey FILE)";
    return v;
  }
  if (std::find(settings.service_points.begin(), settings.service_points.end(), m.service_point) ==
      settings.service_points.end())
    return refuse("service_point", quote(m.service_point) + " is not a service point this hub knows");
  // A kiosk stands at one place: a response from it names that place.
  if (!expected_service_point.empty() && m.service_point != expected_service_point)
    return refuse("service_point", quote(m.service_point) + " is not where this kiosk is registered (" +
                                       quote(expected_service_point) +
                                       "; kiosk-hub set-service-point if it has moved)");

  const json& ans = doc["answers"];
  if (!ans.is_object()) return refuse("answers", "must be an object of answers by question id");
  Answers answers;
  for (const auto& [qid, a] : ans.items()) {
    const std::string at = "answers." + printable_utf8(qid, 60);
    if (!a.is_object()) return refuse(at, "must be an object");
    Answer out;
    for (const auto& [k, v] : a.items()) {
      if (k == "choices") {
        if (!v.is_array()) return refuse(at + ".choices", "must be a list of option codes");
        for (const auto& c : v) {
          if (!c.is_string()) return refuse(at + ".choices", "must be a list of option codes");
          out.choices.push_back(c.get<std::string>());
        }
      } else if (k == "text" || k == "other") {
        if (!v.is_string()) return refuse(at + "." + k, "must be a string");
        (k == "text" ? out.text : out.other_text) = v.get<std::string>();
      } else {
        return refuse(at + "." + printable_utf8(k, 60), "not a part of an answer (choices, text, other)");
      }
    }
    answers[qid] = std::move(out);
  }

  // No survey is ever given such an id or version (see the survey loader):
  // a formula here is a lie, not a version the hub has yet to learn.
  for (auto [k, v] : {std::pair{"survey_id", &m.survey_id}, {"survey_version", &m.survey_version}})
    if (v->empty() || std::string_view("=+-@\t\r").find(v->front()) != std::string_view::npos ||
        std::any_of(v->begin(), v->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
      return refuse(k, quote(*v) + " cannot be a survey's " + (std::string(k) == "survey_id" ? "id" : "version"));

  // Now against the survey it claims.
  auto found = registry.find(m.survey_id, m.survey_version);
  if (!found) {
    Verdict v;
    v.kind = Verdict::Kind::Hold;
    v.code = 503;
    v.reason = protocol::reason::kUnknownSurveyVersion;
    v.words = "the hub cannot read its survey definitions now: " + found.message();
    return v;
  }
  const Survey* survey = *found;
  if (!survey) {
    Verdict v;
    v.kind = Verdict::Kind::Hold;
    v.code = 503;
    v.reason = protocol::reason::kUnknownSurveyVersion;
    v.field = "survey_version";
    v.words = "survey " + quote(m.survey_id) + " version " + quote(m.survey_version) +
              " is not one this hub has served; kept by the kiosk until it is";
    return v;
  }
  if (std::find(survey->locales.begin(), survey->locales.end(), m.locale) == survey->locales.end())
    return refuse("locale", quote(m.locale) + " is not a locale of this survey");
  for (const auto& [qid, a] : answers) {
    const std::string at = "answers." + printable_utf8(qid, 60);
    const Question* q = survey->find(qid);
    if (!q)
      return refuse(at, "there is no question " + quote(qid) + " in survey " + survey->id + " " + survey->version);
    for (const auto& c : a.choices)
      if (!q->find_option(c)) return refuse(at, "code " + quote(c) + " is not an option of " + qid);
    if (auto bad = validate_answer(*q, a, completed)) return refuse(at, *bad);
  }
  // Hidden questions stay unanswered: the same rule the kiosk applies on submit.
  Answers pruned = answers;
  if (const auto dropped = prune_hidden(*survey, pruned); !dropped.empty()) {
    const Question* q = survey->find(dropped.front());
    return refuse("answers." + dropped.front(), "answered, but the survey hides " + dropped.front() +
                                                    " here (shown only if " +
                                                    describe_rule(*survey, *q->show_if, survey->default_locale) + ")");
  }
  if (completed)
    for (const auto& q : survey->questions) {
      auto it = answers.find(q.id);
      if (q.required && is_visible(q, answers) && (it == answers.end() || it->second.empty()))
        return refuse("answers." + q.id, "is required, but not answered in a completed response");
    }

  if (fill) {
    fill->kiosk_id = m.kiosk_id;
    fill->service_point = m.service_point;
    fill->survey_id = m.survey_id;
    fill->survey_version = m.survey_version;
    fill->completed_utc = m.ended_utc;
    fill->seq = m.seq;  // the ledger: the kiosk's response number, and whether it was abandoned
    fill->status = m.status;
    fill->marks = answer_marks(answers, completed);
  }
  Verdict ok;
  ok.kind = Verdict::Kind::Accept;
  ok.code = 201;
  return ok;
}

ItemCheck check_item(SurveyRegistry& registry, const TrustSettings& settings, const std::string& expected_kiosk,
                     const std::string& batch_kiosk, Incoming in, std::chrono::system_clock::time_point now,
                     const std::string& expected_service_point) {
  ItemCheck r;
  if (!is_uuid(in.uuid)) {
    r.verdict = refuse("uuid", "is not a UUID");
  } else if (sha256_hex(in.document) != in.content_hash) {
    r.verdict = refuse("content_hash", "is not the SHA-256 of the document");
  } else {
    r.verdict =
        check_document(registry, settings, expected_kiosk, batch_kiosk, in.document, now, &in, expected_service_point);
  }
  r.in = std::move(in);
  return r;
}

// ---- 4. Quarantine, marks and the summary from tallies -------------------------

QuarantineItem quarantine_item(const std::string& uuid, const std::string& reason, std::string_view document) {
  QuarantineItem q;
  q.uuid = printable_utf8(uuid, 100);
  q.reason = printable_utf8(reason, 1000);
  q.document = printable_utf8(document, kQuarantineMaxBytes);
  q.document_bytes = static_cast<std::int64_t>(document.size());
  return q;
}

std::vector<AnswerMark> answer_marks(const Answers& answers, bool completed) {
  std::vector<AnswerMark> marks;
  if (!completed) return marks;
  marks.push_back({"", ""});
  for (const auto& [qid, a] : answers) {
    if (a.empty()) continue;
    marks.push_back({qid, ""});
    for (const auto& c : a.choices) marks.push_back({qid, c});
  }
  return marks;
}

Result<Summary> summary_from_tallies(HubStore& store, const Survey& survey) {
  auto rows = store.answer_tallies(survey.id);
  if (!rows) return rows.error();
  const std::string& loc = survey.default_locale;
  Summary s;
  s.overall = empty_results(survey, loc);
  for (const auto& r : *rows) {
    auto [spi, fresh] = s.by_service_point.try_emplace(r.service_point);
    if (fresh) spi->second = empty_results(survey, loc);
    for (ResultsTable* t : {&s.overall, &spi->second}) {
      if (r.question.empty()) {
        t->responses += r.count;
        continue;
      }
      // Tallies of an older version's question the current one lacks are not shown.
      const Question* q = survey.find(r.question);
      if (!q) continue;
      auto& qs = t->questions[q->index];
      if (r.option.empty()) {
        qs.answered += r.count;
        continue;
      }
      for (auto& oc : qs.options)
        if (oc.code == r.option) oc.count += r.count;
    }
  }
  return s;
}

Result<StatusCounts> status_counts(HubStore& store, const Survey& survey) {
  auto rows = store.answer_tallies(survey.id);
  if (!rows) return rows.error();
  std::map<std::string, std::int64_t> sp, age;
  std::int64_t responses = 0, age_answered = 0;
  for (const auto& r : *rows) {
    if (r.question.empty()) {
      sp[r.service_point] += r.count;
      responses += r.count;
    } else if (!survey.age_question.empty() && r.question == survey.age_question) {
      if (r.option.empty())
        age_answered += r.count;
      else
        age[r.option] += r.count;
    }
  }
  StatusCounts c;
  for (const auto& [k, n] : sp) c.by_service_point.push_back({k, n});
  for (const auto& [k, n] : age) c.by_age_band.push_back({k, n});
  if (responses > age_answered) c.by_age_band.push_back({"", responses - age_answered});
  return c;
}

Status prepare_trust(HubStore& store, SurveyRegistry& registry, const Survey& survey, const std::string& now_utc,
                     const OpenStored& open) {
  if (auto st = registry.register_survey(survey, now_utc); !st) return st;
  // Documents stored before the tallies existed were checked against the
  // survey they claim when they came; count them by it.
  return store.fill_answer_tallies_if_empty([&](const StoredDocument& stored) -> std::optional<Incoming> {
    auto plain = open(stored);
    if (!plain) return std::nullopt;
    const std::string& document = *plain;
    json doc = json::parse(document, nullptr, false);
    auto parsed = parse_canonical_document(document);
    if (!parsed || doc.is_discarded()) return std::nullopt;
    Incoming in;
    in.survey_id = parsed->first.survey_id;
    in.survey_version = parsed->first.survey_version;
    in.service_point = parsed->first.service_point;
    in.marks = answer_marks(parsed->second, doc.value("status", std::string("completed")) != "abandoned");
    return in;
  });
}

}  // namespace kiosk::hub
