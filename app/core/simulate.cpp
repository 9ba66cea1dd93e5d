#include "kiosk/simulate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include "kiosk/clock.hpp"
#include "kiosk/session.hpp"

namespace kiosk {
namespace {

// Comments in the survey's languages: a response in Polish or Urdu gets one
// of its own language's.
const std::map<std::string, std::vector<const char*>>& comments() {
  static const std::map<std::string, std::vector<const char*>> c = {
      {"en",
       {"Keep the libraries open in every township.",
        "More events for children in the school holidays, please.",
        "The staff are wonderful and helped me get online.",
        "Longer opening hours on Saturdays would help working people.",
        "Please keep the large print and audio books, they matter to me.",
        "I would like more computers and faster Wi-Fi.",
        "A cafe would make the library a nicer place to meet.",
        "Share the building with other council services, but keep the books.",
        "Volunteers should support staff, not replace them.",
        "Don't forget people who can't use the internet.",
        "The bus to the central library is too infrequent for me now.",
        "My reading group meets here every month; we have nowhere else to go.",
        "I come in to print and scan forms for the council and the job centre.",
        "It is warm and quiet, and nobody expects me to buy anything.",
        "Please put the newspapers back, I miss reading them here.",
        "The home library service is a lifeline for my mother.",
        "I did not know the library lent e-books until today.",
        "Close a small branch if you must, but not the one near the school.",
        "The toilets and the lift need fixing before anything else.",
        "Good as it is."}},
      {"pl",
       {"Proszę nie zamykać biblioteki w naszej dzielnicy.", "Więcej książek po polsku, proszę.",
        "Personel jest bardzo pomocny i miły.", "Biblioteka powinna być otwarta dłużej w soboty.",
        "Moje dzieci uwielbiają zajęcia w czasie wakacji.", "Potrzebujemy więcej komputerów i szybszego internetu."}},
      {"ur",
       {"براہ کرم ہمارے علاقے کی لائبریری بند نہ کریں۔", "اردو کی مزید کتابیں ہونی چاہئیں۔",
        "عملہ بہت مددگار اور مہربان ہے۔", "بچوں کے لیے چھٹیوں میں مزید سرگرمیاں ہوں۔"}},
  };
  return c;
}
const char* const kOther[] = {"Mobility scooter", "Train", "With my carer", "Lift from a neighbour"};
const char* const kPostcodes[] = {"BL9", "BL0", "BL8", "M26", "M25", "M45", "BL9 0SW", "M26 2SP", "BL0 9AD", "M45 6BA"};

std::string uuid_from(std::mt19937_64& rng) {
  static constexpr char hex[] = "0123456789abcdef";
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s.push_back('-');
    const std::uint64_t w = i < 16 ? a : b;
    s.push_back(hex[(w >> (60 - 4 * (i % 16))) & 0xf]);
  }
  return s;
}

// Skewed towards the first options (agreement), as real consultations are.
size_t pick_weighted(std::mt19937_64& rng, size_t n) {
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = 1.0 / (1.0 + 0.6 * static_cast<double>(i));
  std::discrete_distribution<size_t> d(w.begin(), w.end());
  return d(rng);
}

// An answer to a benchmarked question: the population's shares times the
// skew, and 2% between the options outside the base.
size_t pick_benchmarked(std::mt19937_64& rng, const Question& q, const Benchmark& b, const SimulateOptions& opt) {
  std::vector<double> w(q.options.size());
  const double outside = b.outside_base.empty() ? 0.0 : 0.02 / static_cast<double>(b.outside_base.size());
  for (size_t i = 0; i < q.options.size(); ++i) {
    const double share = b.share(q.options[i].code);
    if (share < 0) {
      w[i] = outside;
      continue;
    }
    auto it = opt.skew.find(q.id + "." + q.options[i].code);
    w[i] = share * (1 - 0.02 * (outside > 0)) * (it == opt.skew.end() ? 1.0 : it->second);
  }
  std::discrete_distribution<size_t> d(w.begin(), w.end());
  return d(rng);
}

// When the visit starts: a moment of the consultation's weeks in the
// service point's opening hours (tried up to 10,000 times; a service point
// open no hour in the period falls back to any time).
std::int64_t visit_start(std::mt19937_64& rng, const SimulateOptions& opt) {
  const std::int64_t span = std::max<std::int64_t>(1, opt.end_unix - opt.start_unix - 3600);
  std::int64_t t = opt.start_unix;
  for (int i = 0; i < 10000; ++i) {
    t = opt.start_unix + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(span));
    if (opt.hours.always_open() ||
        opt.hours.open_at(local_minute_of_week(std::chrono::system_clock::time_point{std::chrono::seconds{t}})))
      break;
  }
  return t;
}

}  // namespace

Result<std::map<std::string, double>> parse_skew(const std::string& text, const Population& pop) {
  std::map<std::string, double> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(pos, comma - pos);
    pos = comma + 1;
    const auto eq = item.find('='), dot = item.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq)
      return make_error(ErrorKind::Config,
                        "--skew: \"" + item + "\" is not QUESTION.OPTION=FACTOR (as q20.65_plus=0.5)");
    const std::string q = item.substr(0, dot), code = item.substr(dot + 1, eq - dot - 1);
    const Benchmark* b = pop.find(q);
    if (!b) return make_error(ErrorKind::Config, "--skew: " + q + " has no benchmark in " + pop.path);
    if (b->share(code) < 0)
      return make_error(ErrorKind::Config,
                        "--skew: \"" + code + "\" is not an option of " + q + " with a population figure");
    char* end = nullptr;
    const std::string num = item.substr(eq + 1);
    const double f = std::strtod(num.c_str(), &end);
    if (num.empty() || *end != '\0' || !(f >= 0 && f <= 100))
      return make_error(ErrorKind::Config, "--skew: \"" + num + "\" in \"" + item + "\" is not a factor from 0 to 100");
    out[q + "." + code] = f;
  }
  return out;
}

CompletedResponse simulate_one(const Survey& survey, const SimulateOptions& opt, std::uint64_t index) {
  std::seed_seq seq{static_cast<std::uint32_t>(opt.seed), static_cast<std::uint32_t>(opt.seed >> 32),
                    static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                    static_cast<std::uint32_t>(std::hash<std::string>{}(opt.kiosk_id))};
  std::mt19937_64 rng(seq);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };

  FakeClock clock(std::chrono::system_clock::time_point{std::chrono::seconds{visit_start(rng, opt)}});
  ResponseMeta meta;
  meta.kiosk_id = opt.kiosk_id;
  meta.service_point = opt.service_points[rng() % opt.service_points.size()];
  // Most visitors take the survey in its first language; a few in each other.
  meta.locale = survey.default_locale;
  for (const auto& l : survey.locales)
    if (l != survey.default_locale && chance(0.04)) meta.locale = l;
  if (chance(0.08) && !opt.staff_ids.empty()) {
    meta.mode = "assisted";
    meta.staff_id = opt.staff_ids[rng() % opt.staff_ids.size()];
    meta.assistance = {chance(0.5) ? "read_aloud" : "scribed"};
    meta.accessibility["speech"] = "on";
    meta.accessibility["text_scale"] = "150";
  } else if (chance(0.15)) {
    meta.accessibility["text_scale"] = chance(0.5) ? "150" : "200";
  }
  auto session = Session::start(survey, meta, clock, nullptr);
  Session& s = **session;
  // A visit left part way ends after this many questions (never before the first).
  const bool leaves = chance(opt.abandoned_share);
  const std::size_t leave_after = leaves ? 1 + rng() % std::max<std::size_t>(1, survey.questions.size() - 1) : 0;
  const auto& words = comments().count(meta.locale) ? comments().at(meta.locale) : comments().at("en");
  std::size_t asked = 0;
  while (s.stage() == Session::Stage::Question) {
    if (leaves && asked == leave_after) break;
    ++asked;
    clock.advance(std::chrono::seconds(5 + rng() % 40));
    // Each question on the screen (a matrix's every item) answered in turn.
    auto pick = [&](const Question& q) {
      const bool skip = !q.required && chance(survey.sections[q.section].id == "about_you" ? 0.15 : 0.1);
      const Benchmark* bench = opt.population ? opt.population->find(q.id) : nullptr;
      Answer a;
      if (!skip) {
        switch (q.type) {
          case QuestionType::Single:
          case QuestionType::Likert:
          case QuestionType::YesNo: {
            // Scales lean towards agreement, as real consultations do; the
            // questions about the respondent follow the population; other
            // single choices are spread evenly.
            const size_t k = bench                            ? pick_benchmarked(rng, q, *bench, opt)
                             : q.type == QuestionType::YesNo  ? (chance(q.id == "q9" ? 0.75 : 0.35) ? 0 : 1)
                             : q.type == QuestionType::Likert ? pick_weighted(rng, q.options.size())
                                                              : static_cast<size_t>(rng() % q.options.size());
            a.choices = {q.options[k].code};
            if (q.options[k].other) a.other_text = kOther[rng() % std::size(kOther)];
            break;
          }
          case QuestionType::Multiple:
            for (const auto& o : q.options)
              if (chance(0.25)) {
                a.choices.push_back(o.code);
                if (o.other) a.other_text = kOther[rng() % std::size(kOther)];
              }
            if (a.choices.empty()) a.choices = {q.options[rng() % q.options.size()].code};
            if (const Option* other = q.other_option(); other && a.has(other->code) && a.other_text.empty())
              a.other_text = kOther[0];
            break;
          case QuestionType::Text: {
            std::string t = words[rng() % words.size()];
            if (static_cast<int>(t.size()) > q.max_length) t.resize(static_cast<size_t>(q.max_length));
            a.text = t;
            break;
          }
          case QuestionType::Postcode: a.text = kPostcodes[rng() % std::size(kPostcodes)]; break;
          case QuestionType::Integer:
          case QuestionType::Decimal: {
            // Spread over the range, or over 0 to 20 where it is open.
            const double lo = q.min_value.value_or(0), hi = q.max_value.value_or(lo + 20);
            const double v = lo + (hi - lo) * static_cast<double>(rng() % 1001) / 1000.0;
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.*f", q.type == QuestionType::Decimal ? 1 : 0, v);
            a.text = buf;
            if (auto bad = validate_answer(q, a, true)) a.text = std::to_string(static_cast<long long>(std::ceil(lo)));
            break;
          }
          case QuestionType::Note: break;
          case QuestionType::Date: {
            // A day in the range, or in the consultation's summer where it is open.
            const int day = 1 + static_cast<int>(rng() % 28), month = 6 + static_cast<int>(rng() % 3);
            char buf[16];
            std::snprintf(buf, sizeof buf, "2016-%02d-%02d", month, day);
            a.text = buf;
            if (validate_answer(q, a, true)) a.text = !q.min_date.empty() ? q.min_date : q.max_date;
            break;
          }
        }
      }
      return a;
    };
    const auto screen = s.current_screen();
    for (const Question* q : screen) (void)s.answer(q->id, pick(*q));
    if (!s.next()) {
      // A required question the dice skipped: answer it with the first option.
      for (const Question* q : screen) {
        const Answer* given = s.answer_for(q->id);
        if (!validate_answer(*q, given ? *given : Answer{}, true)) continue;
        Answer fallback;
        if (q->has_options())
          fallback.choices = {q->options[0].code};
        else
          fallback.text = q->type == QuestionType::Postcode ? "BL9" : "No comment";
        (void)s.answer(q->id, fallback);
      }
      // Still refused (nothing here should be): the visit ends, rather than never.
      if (!s.next()) break;
    }
  }
  CompletedResponse r{s.meta(), s.answers()};
  if (leaves && s.stage() == Session::Stage::Question) {
    r.meta.status = "abandoned";
    r.meta.ended_utc = format_utc(clock.now());
  } else {
    clock.advance(std::chrono::seconds(20));
    (void)s.submit();
    r = CompletedResponse{s.meta(), s.answers()};
  }
  r.meta.uuid = uuid_from(rng);
  return r;
}

Result<std::int64_t> simulate_into(Store& store, const Survey& survey, const SimulateOptions& opt,
                                   std::int64_t* abandoned) {
  if (abandoned) *abandoned = 0;
  std::vector<CompletedResponse> batch;
  constexpr size_t kBatch = 2000;
  batch.reserve(kBatch);
  std::int64_t done = 0;
  for (std::int64_t i = 0; i < opt.responses; ++i) {
    batch.push_back(simulate_one(survey, opt, static_cast<std::uint64_t>(i)));
    if (abandoned && batch.back().meta.status == "abandoned") ++*abandoned;
    if (batch.size() == kBatch || i + 1 == opt.responses) {
      if (auto st = store.insert_completed(batch); !st) return st.error();
      done += static_cast<std::int64_t>(batch.size());
      batch.clear();
    }
  }
  return done;
}

}  // namespace kiosk
