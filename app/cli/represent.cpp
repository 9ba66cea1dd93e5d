#include "represent.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kiosk/export.hpp"
#include "kiosk/representativeness.hpp"
#include "kiosk/weighting.hpp"

namespace kiosk::cli {
namespace {

// One benchmarked question of a slice, as the analyst reads it.
void print_question(std::ostream& out, const Survey& survey, const QuestionFigures& q) {
  const Benchmark& b = *q.benchmark;
  out << "\n"
      << b.name << " (" << b.question << "), against " << b.base << "\n  " << b.source << ", " << b.table << ", "
      << b.year << "\n";
  if (!b.note.empty()) out << "  Note: " << b.note << "\n";
  out << "  " << thousands(q.in_base) << " answered within the base";
  if (q.outside_base) {
    out << "; " << thousands(q.outside_base) << " outside it (";
    for (size_t i = 0; i < b.outside_base.size(); ++i)
      out << (i ? ", " : "") << label_of(survey, b.question, b.outside_base[i]);
    out << ")";
  }
  out << "; " << thousands(q.not_answered) << " did not answer\n";
  if (q.in_base == 0) {
    out << "  no answers within the base yet: nothing to compare\n";
    return;
  }
  char line[512];
  std::snprintf(line, sizeof line, "  %-44s %9s %8s %17s %10s %6s  %s\n", "", "answered", "share", "95% interval",
                "population", "ratio", "verdict");
  out << line;
  for (const auto& g : q.groups) {
    std::string name = label_of(survey, b.question, g.code);
    if (name.size() > 44) name = name.substr(0, 41) + "...";
    char ratio[16];
    std::snprintf(ratio, sizeof ratio, "%.2f", g.ratio);
    std::snprintf(line, sizeof line, "  %-44s %9s %8s %17s %10s %6s  %s", name.c_str(),
                  thousands(g.respondents).c_str(), pct(g.share).c_str(),
                  (pct(g.ci.low) + "-" + pct(g.ci.high)).c_str(), pct(g.population).c_str(), ratio,
                  verdict_words(g.verdict));
    out << line;
    if (g.verdict == Verdict::Under)
      out << ": about " << thousands(g.to_close) << " more responses from people answering \""
          << label_of(survey, b.question, g.code) << "\" would close the gap";
    out << "\n";
  }
}

// The under-represented groups of a slice, one line each.
void print_gaps(std::ostream& out, const Survey& survey, const RepresentativenessSlice& s) {
  bool any = false;
  for (const auto& q : s.questions)
    for (const auto& g : q.groups)
      if (g.verdict == Verdict::Under) {
        out << "    " << q.benchmark->name << " " << label_of(survey, q.benchmark->question, g.code) << ": "
            << pct(g.share) << " of respondents against " << pct(g.population) << " of " << q.benchmark->base
            << "; about " << thousands(g.to_close) << " more would close the gap\n";
        any = true;
      }
  if (!any) out << "    no group under-represented\n";
}

std::string csv_row(std::initializer_list<std::string> fields) {
  std::string out;
  bool first = true;
  for (const auto& f : fields) {
    if (!first) out += ',';
    append_csv_field(out, f, true);
    first = false;
  }
  return out + "\r\n";
}

void print_weighted(std::ostream& out, const Survey& survey, const std::vector<WeightedQuestion>& table,
                    std::int64_t responses) {
  char line[256];
  for (const auto& q : survey.questions) {
    if (q.options.empty()) continue;
    const WeightedQuestion& t = table[q.index];
    std::string text = survey.text(q.title, survey.default_locale);
    if (text.empty()) text = survey.text(q.text, survey.default_locale);
    if (text.size() > 90) text = text.substr(0, 87) + "...";
    const double n_eff = t.effective_n();
    out << "  " << q.id << "  " << text << "\n      answered by " << thousands(t.answered) << " of "
        << thousands(responses) << " (weighted: an effective " << thousands(static_cast<std::int64_t>(n_eff)) << ")\n";
    std::snprintf(line, sizeof line, "      %-50s %8s %11s %9s %9s\n", "", "n", "unweighted", "weighted", "margin");
    out << line;
    for (size_t k = 0; k < q.options.size(); ++k) {
      const auto& c = t.options[k];
      const double pu = t.unweighted(k), pw = t.weighted(k), moe = t.margin(k);
      std::string label = survey.text(q.options[k].label, survey.default_locale);
      if (label.size() > 50) label = label.substr(0, 47) + "...";
      std::snprintf(line, sizeof line, "      %-50s %8s %11s %9s %9s\n", label.c_str(), thousands(c.n).c_str(),
                    pct(pu).c_str(), pct(pw).c_str(), ("+/-" + pct(moe)).c_str());
      out << line;
    }
  }
}

}  // namespace

std::string pct(double x) {
  char b[16];
  std::snprintf(b, sizeof b, x > 0 && x < 0.01 ? "%.2f%%" : "%.1f%%", 100 * x);
  return b;
}

std::string thousands(std::int64_t n) {
  std::string s = std::to_string(n), out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

double WeightedQuestion::unweighted(size_t k) const {
  return answered ? static_cast<double>(options[k].n) / static_cast<double>(answered) : 0;
}
double WeightedQuestion::weighted(size_t k) const { return w > 0 ? options[k].w / w : 0; }
double WeightedQuestion::margin(size_t k) const {
  const double n_eff = effective_n(), p = weighted(k);
  return n_eff > 0 ? 1.96 * std::sqrt(p * (1 - p) / n_eff) : 0;
}

std::vector<WeightedQuestion> weighted_table(const Survey& survey) {
  std::vector<WeightedQuestion> table(survey.questions.size());
  for (const auto& q : survey.questions) table[q.index].options.resize(q.options.size());
  return table;
}

void add_weighted(std::vector<WeightedQuestion>& table, const Survey& survey, const ChosenOptions& chosen, double wi) {
  for (const auto& q : survey.questions) {
    if (q.options.empty()) continue;
    const auto c = chosen.of(q.index);
    if (c.empty()) continue;
    WeightedQuestion& t = table[q.index];
    ++t.answered;
    t.w += wi;
    t.w2 += wi * wi;
    for (std::uint16_t k : c)
      if (k < t.options.size()) ++t.options[k].n, t.options[k].w += wi;
  }
}

void ChosenOptions::from(const Survey& survey, const Answers& answers) {
  start(survey.questions.size());
  for (const auto& q : survey.questions) {
    if (q.options.empty()) continue;
    auto it = answers.find(q.id);
    if (it == answers.end()) continue;
    for (const auto& code : it->second.choices) {
      const Option* o = q.find_option(code);
      const size_t k = o ? static_cast<size_t>(o - q.options.data()) : kUnknown;
      add(q.index, static_cast<std::uint16_t>(std::min<size_t>(k, kUnknown)));
    }
  }
  finish();
}

std::string label_of(const Survey& survey, const std::string& question, const std::string& code) {
  const Question* q = survey.find(question);
  const Option* o = q ? q->find_option(code) : nullptr;
  return o ? survey.text(o->label, survey.default_locale) : code;
}

MarginCategories::MarginCategories(const Survey& survey, const std::vector<Margin>& margins,
                                   const std::vector<std::string>& questions) {
  for (size_t m = 0; m < margins.size(); ++m) {
    const Question* q = m < questions.size() ? survey.find(questions[m]) : nullptr;
    question_.push_back(q ? q->index : survey.questions.size());
    std::vector<int> cat(q ? q->options.size() : 0, -1);
    for (size_t k = 0; k < cat.size(); ++k)
      for (size_t j = 0; j < margins[m].codes.size(); ++j)
        if (margins[m].codes[j] == q->options[k].code) cat[k] = static_cast<int>(j);
    category_.push_back(std::move(cat));
  }
}

void MarginCategories::add_to(CategoryRows& rows, const ChosenOptions& chosen) const {
  for (size_t m = 0; m < question_.size(); ++m) {
    const int k = chosen.first(question_[m]);
    rows.cells.push_back(k >= 0 && static_cast<size_t>(k) < category_[m].size() ? category_[m][static_cast<size_t>(k)]
                                                                                : -1);
  }
  ++rows.count;
}

// Each response `kiosk-admin open` wrote to DIR/responses.jsonl, as its
// meta and answers; a line that does not read, or a response of another
// survey, stops with the file and line named.
bool read_opened(const std::string& dir, const Survey& survey, const OpenedEach& each) {
  const std::string path = dir + "/responses.jsonl";
  std::ifstream in(path);
  if (!in) {
    std::cerr << "kiosk-admin: " << path << ": cannot read it (give the folder `kiosk-admin open` wrote)\n";
    return false;
  }
  std::string line;
  std::int64_t lineno = 0;
  ChosenOptions chosen;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || (j.contains("answers") && !j["answers"].is_object())) {
      std::cerr << "kiosk-admin: " << path << ":" << lineno << ": not a response as kiosk-admin open writes them\n";
      return false;
    }
    if (j.value("survey_id", "") != survey.id) {
      std::cerr << "kiosk-admin: " << path << ":" << lineno << ": a response of survey \"" << j.value("survey_id", "")
                << "\", not \"" << survey.id << "\" (give --survey for its definition)\n";
      return false;
    }
    ResponseMeta m;
    m.survey_id = survey.id;
    m.service_point = j.value("service_point", "");
    m.started_utc = j.value("started_utc", "");
    m.status = j.value("status", "");
    m.uuid = j.value("uuid", "");
    m.locale = j.value("locale", "");
    m.mode = j.value("mode", "");
    m.kiosk_id = j.value("kiosk_id", "");
    m.staff_id = j.value("staff_id", "");
    m.ended_utc = j.value("completed_utc", "");
    if (j.contains("assistance") && j["assistance"].is_array())
      for (const auto& h : j["assistance"])
        if (h.is_string()) m.assistance.push_back(h.get<std::string>());
    Answers answers;
    if (j.contains("answers"))
      for (const auto& [q, a] : j["answers"].items()) {
        Answer x;
        if (a.contains("choices") && a["choices"].is_array())
          for (const auto& c : a["choices"])
            if (c.is_string()) x.choices.push_back(c.get<std::string>());
        if (a.contains("text") && a["text"].is_string()) x.text = a["text"].get<std::string>();
        if (a.contains("other") && a["other"].is_string()) x.other_text = a["other"].get<std::string>();
        answers[q] = std::move(x);
      }
    chosen.from(survey, answers);
    each(m, answers, chosen);
  }
  return true;
}

std::string local_time(const std::string& utc) {
  std::tm tm{};
  if (utc.empty() || !strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return {};
  const std::time_t t = timegm(&tm);
  std::tm local{};
  localtime_r(&t, &local);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M", &local);
  return b;
}

OpenedResponses opened_in(const std::string& dir, const Survey& survey) {
  return OpenedResponses{dir, [dir, &survey](const OpenedEach& each) { return read_opened(dir, survey, each); }};
}

std::optional<OpenedWeights> weigh_opened(const std::string& dir, const Survey& survey, const Population* pop,
                                          const RakeOptions& opt) {
  return weigh_opened(opened_in(dir, survey), survey, pop, opt);
}

std::optional<OpenedWeights> weigh_opened(const OpenedResponses& from, const Survey& survey, const Population* pop,
                                          const RakeOptions& opt) {
  const std::vector<Margin> margins = pop ? margins_of(*pop) : std::vector<Margin>{};
  std::vector<std::string> questions = pop ? pop->weight_by : std::vector<std::string>{};
  OpenedWeights out;
  CategoryRows rows{margins.size(), 0, {}};
  const MarginCategories category(survey, margins, questions);
  const auto& pass = from.for_each_choice ? from.for_each_choice : from.for_each;
  if (!pass([&](const ResponseMeta& m, const Answers&, const ChosenOptions& chosen) {
        if (m.status != "completed") {
          ++out.abandoned;
          return;
        }
        if (!margins.empty()) category.add_to(rows, chosen);
        ++out.completed;
      }))
    return std::nullopt;
  if (margins.empty() || out.completed == 0) return out;
  auto w = rake(rows, margins, opt);
  if (!w) {
    std::cerr << "kiosk-admin: weighting to " << pop->path << ": " << w.message() << "\n";
    return std::nullopt;
  }
  out.rake = std::move(w).value();
  return out;
}

int summary(const std::string& dir, const Survey& survey, const Population* pop, const RakeOptions& opt,
            const std::string& weights_path) {
  const std::vector<Margin> margins = pop ? margins_of(*pop) : std::vector<Margin>{};
  if (margins.empty()) {
    Summary s;
    s.overall = empty_results(survey, survey.default_locale);
    std::int64_t abandoned = 0;
    const bool ok = read_opened(dir, survey, [&](const ResponseMeta& m, const Answers& a, const ChosenOptions&) {
      if (m.status != "completed")
        ++abandoned;
      else
        add_to_summary(s, survey, survey.default_locale, m, a);
    });
    if (!ok) return 1;
    std::cout << format_summary(survey, s);
    if (abandoned) std::cout << "(" << thousands(abandoned) << " responses left part way are not counted)\n";
    std::cout << "Unweighted: no population file with weight_by to weight to.\n";
    return 0;
  }
  // Two passes over the file, so no response is held in memory: the
  // weighting categories first, then the weighted counts (and each
  // response's weight written beside its uuid).
  const auto weighed = weigh_opened(dir, survey, pop, opt);
  if (!weighed) return 1;
  const std::int64_t completed = weighed->completed, abandoned = weighed->abandoned;
  if (completed == 0) {
    std::cout << "No completed responses in " << dir << ": no results yet.\n";
    return 0;
  }
  const RakeResult* w = &*weighed->rake;
  std::vector<WeightedQuestion> table = weighted_table(survey);
  std::ofstream f;
  if (!weights_path.empty()) {
    f.open(weights_path, std::ios::binary);
    f << "response_uuid,weight\r\n";
  }
  std::size_t i = 0;
  read_opened(dir, survey, [&](const ResponseMeta& m, const Answers&, const ChosenOptions& chosen) {
    if (m.status != "completed" || i >= w->weights.size()) return;
    if (f.is_open()) {
      char num[32];
      std::snprintf(num, sizeof num, "%.9f", w->weights[i]);
      f << m.uuid << ',' << num << "\r\n";
    }
    add_weighted(table, survey, chosen, w->weights[i++]);
  });
  std::cout << "Results for " << survey.id << " (" << thousands(completed) << " completed responses";
  if (abandoned) std::cout << "; " << thousands(abandoned) << " left part way are not counted";
  std::cout << ")\nWeighted by raking to";
  for (size_t m = 0; m < margins.size(); ++m) std::cout << (m ? " and " : " ") << margins[m].name;
  char figs[256];
  std::snprintf(figs, sizeof figs,
                " of %s: %s after %d sweeps (largest gap to a margin %.1e), weights kept within 1/%.0f and %.0f "
                "(%d held by the cap); effective sample size %s of %s, design effect %.2f.\n",
                pop->area.c_str(), w->converged ? "converged" : "NOT converged", w->iterations, w->max_error, opt.cap,
                opt.cap, w->trimmed, thousands(static_cast<std::int64_t>(w->effective_n)).c_str(),
                thousands(completed).c_str(), w->design_effect);
  std::cout << figs;
  std::cout << "Percentages are of those who answered each question; the margin is the 95% margin of error of the "
               "weighted share, from the weights' effective sample size. Respondents who did not answer a weighting "
               "question, or answered outside its base, are weighted by the other margins only.\n\n";
  print_weighted(std::cout, survey, table, completed);
  if (!weights_path.empty()) {
    if (!f.is_open() || !f.flush()) {
      std::cerr << "kiosk-admin: " << weights_path << ": could not write it\n";
      return 1;
    }
    std::cerr << "wrote " << weights_path << "\n";
  }
  return 0;
}

int represent(const std::string& dir, const Survey& survey, const Population& pop, const std::string& csv_path) {
  RepresentativenessTally tally(pop);
  std::int64_t abandoned = 0;
  const bool ok = read_opened(dir, survey, [&](const ResponseMeta& m, const Answers& answers, const ChosenOptions&) {
    if (m.status != "completed") {
      ++abandoned;
      return;
    }
    std::map<std::string, std::string> choice;
    for (const auto& b : pop.benchmarks)
      if (auto it = answers.find(b.question); it != answers.end() && !it->second.choices.empty())
        choice[b.question] = it->second.choices[0];
    tally.add(m.service_point, m.started_utc, choice);
  });
  if (!ok) return 1;
  const auto slices = tally.slices();
  const auto& all = slices.front();
  std::cout << "Who answered against who lives in " << pop.area << "\n"
            << thousands(all.responses) << " completed responses (" << thousands(abandoned)
            << " left part way are not counted). A group is under- or over-represented when the 95% interval of its "
               "share lies wholly below or above the population's; the intervals hold for a question's groups "
               "together, so a verdict is a fluke of who happened to answer at most 1 time in 20.\n";
  if (all.responses == 0) {
    std::cout << "No completed responses: nothing to compare yet.\n";
  } else {
    for (const auto& q : all.questions) print_question(std::cout, survey, q);
    std::cout << "\nBy service point:\n";
    for (const auto& s : slices)
      if (s.kind == RepresentativenessSlice::Kind::ServicePoint) {
        std::cout << "  " << s.key << " (" << thousands(s.responses) << " responses)\n";
        print_gaps(std::cout, survey, s);
      }
    std::cout << "\nBy week (Monday):\n";
    for (const auto& s : slices)
      if (s.kind == RepresentativenessSlice::Kind::Week) {
        std::cout << "  " << s.key << " (" << thousands(s.responses) << " responses)\n";
        print_gaps(std::cout, survey, s);
      }
  }
  if (!csv_path.empty()) {
    std::ofstream csv(csv_path, std::ios::binary);
    csv << csv_row({"slice",        "slice_key",    "slice_responses",
                    "question",     "benchmark",    "option_code",
                    "option_label", "answered",     "answered_in_base",
                    "outside_base", "not_answered", "share",
                    "ci_low",       "ci_high",      "population_share",
                    "ratio",        "verdict",      "more_responses_to_close",
                    "base",         "source",       "table",
                    "year"});
    const char* kinds[] = {"all", "service_point", "week"};
    auto num = [](double x) {
      char b[32];
      std::snprintf(b, sizeof b, "%.6f", x);
      return std::string(b);
    };
    for (const auto& s : slices)
      for (const auto& q : s.questions)
        for (const auto& g : q.groups) {
          const Benchmark& b = *q.benchmark;
          csv << csv_row({kinds[static_cast<int>(s.kind)],
                          s.key,
                          std::to_string(s.responses),
                          b.question,
                          b.name,
                          g.code,
                          label_of(survey, b.question, g.code),
                          std::to_string(g.respondents),
                          std::to_string(q.in_base),
                          std::to_string(q.outside_base),
                          std::to_string(q.not_answered),
                          num(g.share),
                          num(g.ci.low),
                          num(g.ci.high),
                          num(g.population),
                          num(g.ratio),
                          verdict_words(g.verdict),
                          std::to_string(g.to_close),
                          b.base,
                          b.source,
                          b.table,
                          std::to_string(b.year)});
        }
    if (!csv.flush()) {
      std::cerr << "kiosk-admin: " << csv_path << ": could not write it\n";
      return 1;
    }
    std::cerr << "wrote " << csv_path << "\n";
  }
  return 0;
}

}  // namespace kiosk::cli
