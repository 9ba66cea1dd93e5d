#include "kiosk/simulate.hpp"

#include <random>

#include "kiosk/clock.hpp"
#include "kiosk/session.hpp"

namespace kiosk {
namespace {

const char* const kComments[] = {
    "Keep the libraries open in every township.",
    "More events for children in the school holidays, please.",
    "The staff are wonderful and helped me get online.",
    "Longer opening hours on Saturdays would help working people.",
    "Please keep the large print and audio books, they matter to me.",
    "I would like more computers and faster Wi-Fi.",
    "A café would make the library a nicer place to meet.",
    "Share the building with other council services, but keep the books.",
    "Volunteers should support staff, not replace them.",
    "Don't forget people who can't use the internet.",
};
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

}  // namespace

CompletedResponse simulate_one(const Survey& survey, const SimulateOptions& opt, std::uint64_t index) {
  std::seed_seq seq{static_cast<std::uint32_t>(opt.seed), static_cast<std::uint32_t>(opt.seed >> 32),
                    static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                    static_cast<std::uint32_t>(std::hash<std::string>{}(opt.kiosk_id))};
  std::mt19937_64 rng(seq);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };

  FakeClock clock(std::chrono::system_clock::time_point{
      std::chrono::seconds{opt.start_unix + static_cast<std::int64_t>(rng() % (35 * 86400))}});
  ResponseMeta meta;
  meta.kiosk_id = opt.kiosk_id;
  meta.service_point = opt.service_points[rng() % opt.service_points.size()];
  meta.locale = survey.default_locale;
  if (chance(0.08)) {
    meta.mode = "assisted";
    meta.staff_id = "staff-0" + std::to_string(1 + rng() % 3);
    meta.assistance = {chance(0.5) ? "read_aloud" : "scribed"};
    meta.accessibility["speech"] = "on";
    meta.accessibility["text_scale"] = "150";
  } else if (chance(0.15)) {
    meta.accessibility["text_scale"] = chance(0.5) ? "150" : "200";
  }
  auto session = Session::start(survey, meta, clock, nullptr);
  Session& s = **session;
  while (s.stage() == Session::Stage::Question) {
    const Question& q = *s.current();
    clock.advance(std::chrono::seconds(5 + rng() % 40));
    const bool skip = !q.required && chance(survey.sections[q.section].id == "about_you" ? 0.15 : 0.1);
    Answer a;
    if (!skip) {
      switch (q.type) {
        case QuestionType::Single:
        case QuestionType::Likert:
        case QuestionType::YesNo: {
          // Scales lean towards agreement, as real consultations do; other
          // single choices (age, travel, ethnic group) are spread evenly.
          const size_t k = q.type == QuestionType::YesNo    ? (chance(q.id == "q9" ? 0.75 : 0.35) ? 0 : 1)
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
          std::string t = kComments[rng() % std::size(kComments)];
          if (static_cast<int>(t.size()) > q.max_length) t.resize(static_cast<size_t>(q.max_length));
          a.text = t;
          break;
        }
        case QuestionType::Postcode: a.text = kPostcodes[rng() % std::size(kPostcodes)]; break;
      }
    }
    (void)s.answer(a);
    if (!s.next()) {
      // A required question the dice skipped: answer it with the first option.
      Answer fallback;
      if (q.has_options())
        fallback.choices = {q.options[0].code};
      else
        fallback.text = q.type == QuestionType::Postcode ? "BL9" : "No comment";
      (void)s.answer(fallback);
      (void)s.next();
    }
  }
  clock.advance(std::chrono::seconds(20));
  (void)s.submit();
  CompletedResponse r{s.meta(), s.answers()};
  r.meta.uuid = uuid_from(rng);
  return r;
}

Result<std::int64_t> simulate_into(Store& store, const Survey& survey, const SimulateOptions& opt) {
  std::vector<CompletedResponse> batch;
  constexpr size_t kBatch = 2000;
  batch.reserve(kBatch);
  std::int64_t done = 0;
  for (std::int64_t i = 0; i < opt.responses; ++i) {
    batch.push_back(simulate_one(survey, opt, static_cast<std::uint64_t>(i)));
    if (batch.size() == kBatch || i + 1 == opt.responses) {
      if (auto st = store.insert_completed(batch); !st) return st.error();
      done += static_cast<std::int64_t>(batch.size());
      batch.clear();
    }
  }
  return done;
}

}  // namespace kiosk
