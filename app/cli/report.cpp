#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <map>
#include <set>

#include "breakdown.hpp"
#include "kiosk/representativeness.hpp"
#include "kiosk/weighting.hpp"

namespace kiosk::cli {
namespace {

using Kind = ReportBlock::Kind;

std::string text_of(const Survey& s, const LocalText& t) { return s.text(t, s.default_locale); }

std::string question_name(const Survey& s, const Question& q) {
  return q.id + ". " + question_words(s, q, s.default_locale);
}

// "13 June 2016" in the report's time zone (the process's TZ).
std::string long_date(const std::string& utc) {
  std::tm tm{};
  if (utc.empty() || !strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return utc;
  const std::time_t t = timegm(&tm);
  std::tm local{};
  localtime_r(&t, &local);
  char b[64];
  std::strftime(b, sizeof b, "%e %B %Y", &local);
  return b[0] == ' ' ? b + 1 : b;
}

std::string language_name(const std::string& code) {
  static const std::map<std::string, std::string> names = {
      {"en", "English"}, {"pl", "Polish"},   {"ur", "Urdu"},    {"bn", "Bengali"},   {"pa", "Punjabi"},
      {"ar", "Arabic"},  {"ro", "Romanian"}, {"cy", "Welsh"},   {"gu", "Gujarati"},  {"so", "Somali"},
      {"zh", "Chinese"}, {"fr", "French"},   {"es", "Spanish"}, {"pt", "Portuguese"}};
  auto it = names.find(code);
  return it == names.end() ? code : it->second + " (" + code + ")";
}

std::string assistance_name(const std::string& code) {
  if (code == "read_aloud") return "Read the questions aloud";
  if (code == "scribed") return "Entered the answers for the visitor";
  if (code == "large_print") return "Large print";
  if (code == "other") return "Other help";
  return code;
}

std::string fixed(double x, int places) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", places, x);
  return b;
}

std::string share_of(std::int64_t k, std::int64_t n) {
  return n > 0 ? pct(static_cast<double>(k) / static_cast<double>(n)) : "-";
}

ReportBlock heading(int level, std::string text) {
  ReportBlock b;
  b.kind = Kind::Heading;
  b.level = level;
  b.text = std::move(text);
  return b;
}

ReportBlock para(std::string text) {
  ReportBlock b;
  b.kind = Kind::Paragraph;
  b.text = std::move(text);
  return b;
}

ReportBlock table(std::string caption, std::vector<std::string> header, std::vector<bool> numeric) {
  ReportBlock b;
  b.kind = Kind::Table;
  b.text = std::move(caption);
  b.header = std::move(header);
  b.numeric = std::move(numeric);
  return b;
}

// What one pass over the opened responses counts for the report.
struct Counts {
  std::int64_t completed = 0;
  std::string first_utc, last_utc;
  std::map<std::string, std::int64_t> per_service_point, per_locale, per_help;
  std::map<std::string, std::set<std::string>> kiosks;  // service point -> kiosk ids
  std::int64_t assisted = 0;
  std::vector<WeightedQuestion> results;
  // question -> service point -> comments, masked
  std::map<std::string, std::map<std::string, std::vector<std::string>>> comments;
  std::map<std::string, std::int64_t> text_answered;                            // question -> how many wrote something
  std::map<std::string, std::map<std::string, std::int64_t>> comments_written;  // all, listed or not
};

}  // namespace

std::optional<ReportDocument> build_report(const std::string& dir, const Survey& survey, const ReportOptions& opt) {
  return build_report(opened_in(dir, survey), survey, opt);
}

std::optional<ReportDocument> build_report(const OpenedResponses& from, const Survey& survey,
                                           const ReportOptions& opt) {
  const Population* pop = opt.file.population;
  const auto weighed = weigh_opened(from, survey, pop, opt.file.rake);
  if (!weighed) return std::nullopt;
  if (weighed->completed == 0) {
    std::cerr << "kiosk-admin: " << from.where << ": no completed responses"
              << (weighed->abandoned ? " (" + thousands(weighed->abandoned) + " left part way)" : std::string())
              << ": no report written\n";
    return std::nullopt;
  }
  auto sp_name = [&](const std::string& id) {
    auto it = opt.file.service_point_names.find(id);
    return it == opt.file.service_point_names.end() ? id : it->second;
  };

  // The breakdowns: by each benchmarked characteristic, then by service
  // point, of every choice question that is not itself a characteristic.
  Breakdowns breakdowns(survey);
  std::set<std::string> characteristic;
  std::map<std::string, std::string> by_name = {{"service_point", "Service point"}};
  if (pop)
    for (const auto& b : pop->benchmarks) {
      const Question* q = survey.find(b.question);
      if (q && q->type == QuestionType::Single) breakdowns.by.push_back(b.question);
      characteristic.insert(b.question);
      by_name[b.question] = b.name;
    }
  breakdowns.by.push_back("service_point");
  for (const auto& q : survey.questions)
    if (!q.options.empty() && !characteristic.count(q.id)) breakdowns.questions.push_back(&q);

  static const Population kNone;
  RepresentativenessTally tally(pop ? *pop : kNone);
  Counts c;
  c.results = weighted_table(survey);
  size_t i = 0;
  // Each benchmarked question's first choice as the tally numbers its
  // codes (0: not answered), from its option's number.
  std::vector<const Question*> benchmarked;
  std::vector<std::vector<size_t>> number_of;  // per benchmark, per option
  if (pop)
    for (size_t b = 0; b < pop->benchmarks.size(); ++b) {
      benchmarked.push_back(survey.find(pop->benchmarks[b].question));
      number_of.emplace_back();
      if (benchmarked.back())
        for (const auto& o : benchmarked.back()->options) number_of.back().push_back(tally.code_number(b, o.code));
    }
  std::vector<size_t> numbers(benchmarked.size(), 0);
  // Responses come in runs from one kiosk: its place's counts are looked up
  // when the place, language or kiosk changes.
  std::string last_place, last_locale, last_kiosk;
  std::int64_t *place = nullptr, *language = nullptr;
  from.for_each([&](const ResponseMeta& m, const Answers& a, const ChosenOptions& chosen) {
    if (m.status != "completed") return;
    const double wi = weighed->weight(i++);
    ++c.completed;
    if (!m.started_utc.empty()) {
      if (c.first_utc.empty() || m.started_utc < c.first_utc) c.first_utc = m.started_utc;
      if (m.started_utc > c.last_utc) c.last_utc = m.started_utc;
    }
    const bool same_place = place && last_place == m.service_point;
    if (!same_place) place = &c.per_service_point[m.service_point], last_place = m.service_point;
    ++*place;
    if (!same_place || !language || last_locale != m.locale) language = &c.per_locale[m.locale], last_locale = m.locale;
    ++*language;
    if (!m.kiosk_id.empty() && (!same_place || last_kiosk != m.kiosk_id))
      c.kiosks[m.service_point].insert(m.kiosk_id), last_kiosk = m.kiosk_id;
    if (m.mode == "assisted") {
      ++c.assisted;
      for (const auto& h : m.assistance) ++c.per_help[h];
    }
    add_weighted(c.results, survey, chosen, wi);
    breakdowns.add(m, chosen);
    for (size_t b = 0; b < benchmarked.size(); ++b) {
      const int k = benchmarked[b] ? chosen.first(benchmarked[b]->index) : -1;
      numbers[b] = k < 0 ? 0 : number_of[b][static_cast<size_t>(k)];
    }
    for (const auto& [qid, ans] : a) {
      if (ans.text.empty()) continue;
      const Question* q = survey.find(qid);
      if (!q) continue;
      if (q->options.empty()) {
        ++c.text_answered[qid];
        if (q->type == QuestionType::Text) {
          auto& list = c.comments[qid][m.service_point];
          if (opt.comments < 0 || static_cast<long>(list.size()) < opt.comments)
            list.push_back(mask_personal(ans.text));
          ++c.comments_written[qid][m.service_point];
        }
      }
    }
    if (pop) tally.add(m.service_point, m.started_utc, numbers);
  });

  ReportDocument doc;
  doc.lang = survey.default_locale.empty() ? "en" : survey.default_locale;
  const std::string title = text_of(survey, survey.title).empty() ? survey.id : text_of(survey, survey.title);
  doc.title = title + ": consultation report";
  {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char b[64];
    std::strftime(b, sizeof b, "%e %B %Y", &tm);
    doc.subtitle = "Survey " + survey.id + ", version " + survey.version + ". " + thousands(c.completed) +
                   " completed responses" + (pop ? " from " + pop->area : std::string()) + ". Written on " +
                   (b[0] == ' ' ? b + 1 : b) + ".";
  }
  auto& out = doc.blocks;
  const std::string N = thousands(c.completed);

  // The zone times are given in: the options', else the process's TZ.
  const char* tz_env = std::getenv("TZ");
  const std::string time_zone = !opt.file.time_zone.empty() ? opt.file.time_zone
                                : tz_env && *tz_env         ? std::string(tz_env)
                                                            : std::string("the computer's local time");

  // 1. How the consultation ran.
  out.push_back(heading(1, "1. How the consultation ran"));
  {
    std::size_t kiosks = 0;
    for (const auto& [sp, set] : c.kiosks) kiosks += set.size();
    std::string p =
        "This report covers " + N + " completed responses to \u201c" + title + "\u201d, started between " +
        long_date(c.first_utc) + " and " + long_date(c.last_utc) + " (times in " + time_zone + ") at " +
        std::to_string(c.per_service_point.size()) + " service point" + (c.per_service_point.size() == 1 ? "" : "s") +
        (kiosks ? " on " + std::to_string(kiosks) + " kiosk" + (kiosks == 1 ? "" : "s") : std::string()) + ".";
    if (weighed->abandoned)
      p += " A further " + thousands(weighed->abandoned) +
           " visits were left part way; they are kept, but no figure in this report counts them.";
    out.push_back(para(p));
    out.push_back(para(thousands(c.assisted) + " responses (" + share_of(c.assisted, c.completed) +
                       ") were completed with a member of staff's help; the rest by visitors alone."));
    ReportBlock langs =
        table("Languages the survey was answered in", {"Language", "Responses", "Share"}, {false, true, true});
    for (const auto& [loc, n] : c.per_locale)
      langs.rows.push_back({language_name(loc), thousands(n), share_of(n, c.completed)});
    out.push_back(std::move(langs));
    if (c.assisted) {
      ReportBlock help = table("How staff helped, in assisted responses (more than one may apply)",
                               {"Help given", "Responses", "Share of assisted"}, {false, true, true});
      for (const auto& [h, n] : c.per_help)
        help.rows.push_back({assistance_name(h), thousands(n), share_of(n, c.assisted)});
      out.push_back(std::move(help));
    }
  }

  // 2. Responses per service point.
  out.push_back(heading(1, "2. Responses per service point"));
  {
    ReportBlock t = table("Completed responses per service point",
                          {"Service point", "Id", "Kiosks", "Responses", "Share"}, {false, false, true, true, true});
    ReportBlock chart;
    chart.kind = Kind::Chart;
    chart.text = "Share of all completed responses, per service point";
    chart.series = {"Share of responses"};
    std::string alt;
    for (const auto& [sp, n] : c.per_service_point) {
      const auto k = c.kiosks.count(sp) ? c.kiosks.at(sp).size() : 0;
      t.rows.push_back({sp_name(sp), sp, std::to_string(k), thousands(n), share_of(n, c.completed)});
      chart.labels.push_back(sp_name(sp));
      chart.values.push_back({static_cast<double>(n) / static_cast<double>(c.completed)});
      alt += (alt.empty() ? "" : "; ") + sp_name(sp) + " " + share_of(n, c.completed);
    }
    chart.alt = "Bar chart of the share of responses per service point: " + alt + ".";
    out.push_back(std::move(chart));
    out.push_back(std::move(t));
  }

  // 3. Representativeness.
  out.push_back(heading(1, "3. Who answered, against who lives in " + (pop ? pop->area : std::string("the area"))));
  if (!pop) {
    out.push_back(
        para("Not shown: no population file was given (kiosk.toml's [kiosk] population, or --population), so the "
             "respondents cannot be compared with the area's population."));
  } else if (pop->benchmarks.empty()) {
    out.push_back(para("Not shown: the population file " + pop->path +
                       " benchmarks none of this survey's questions, so there is nothing to compare."));
  } else {
    out.push_back(para(
        "For each characteristic the population file benchmarks, each group's share of the respondents who answered "
        "within the benchmark's base, with a 95% interval (Wilson's, simultaneous for the question's groups), beside "
        "the group's share of the population. A group is under-represented when the whole interval lies below its "
        "population share, and over-represented when it lies above; \u201cmore to close the gap\u201d is how many "
        "more responses from that group alone would bring its share up to the population's. Those who did not "
        "answer, and answers outside the base (such as under 18 in an adult base), are counted apart. To keep any "
        "person from being identified, a group of 1 to " +
        std::to_string(opt.threshold - 1) + " respondents is shown as \u201c<" + std::to_string(opt.threshold) +
        "\u201d with its share, interval, ratio and gap hidden (its verdict stays), and where one group is "
        "hidden the next smallest is hidden too."));
    const auto slices = tally.slices();
    for (const auto& q : slices.front().questions) {
      const Benchmark& b = *q.benchmark;
      out.push_back(heading(2, b.name + " (" + b.question + "), against " + b.base));
      std::string p = "Population: " + b.source + ", " + b.table + ", " + std::to_string(b.year) + ". " +
                      thousands(q.in_base) + " respondents answered within the base";
      if (q.outside_base) p += ", " + thousands(q.outside_base) + " outside it";
      p += ", and " + thousands(q.not_answered) + " did not answer.";
      if (!b.note.empty()) p += " Note: " + b.note;
      out.push_back(para(p));
      if (q.in_base == 0) {
        out.push_back(para("No answers within the base yet: nothing to compare."));
        continue;
      }
      ReportBlock chart;
      chart.kind = Kind::Chart;
      chart.text = b.name + ": respondents against " + b.base;
      chart.series = {"Respondents", "Population"};
      ReportBlock t = table(b.name + ": respondents against " + b.base,
                            {"Group", "Respondents", "Share", "95% interval", "Population", "Ratio", "Verdict"},
                            {false, true, true, true, true, true, false});
      std::string under;
      std::vector<std::int64_t> counts;
      for (const auto& g : q.groups) counts.push_back(g.respondents);
      const auto hide = hidden_cells(counts, q.in_base, opt.threshold, false);
      const std::string small = "<" + std::to_string(opt.threshold);
      for (size_t gi = 0; gi < q.groups.size(); ++gi) {
        const auto& g = q.groups[gi];
        const std::string name = label_of(survey, b.question, g.code);
        std::string verdict = verdict_words(g.verdict);
        if (g.verdict == Verdict::Under) {
          if (!hide[gi]) verdict += ": about " + thousands(g.to_close) + " more to close the gap";
          under += (under.empty() ? "" : ", ") + name;
        }
        if (hide[gi]) {
          // Its share, interval, ratio and gap would give its count back.
          t.rows.push_back({name, small, small, "", pct(g.population), "", verdict});
          continue;
        }
        t.rows.push_back({name, thousands(g.respondents), pct(g.share), pct(g.ci.low) + " to " + pct(g.ci.high),
                          pct(g.population), fixed(g.ratio, 2), verdict});
        chart.labels.push_back(name);
        chart.values.push_back({g.share, g.population});
      }
      chart.alt = "Bar chart of each group's share of respondents beside its share of " + b.base +
                  (std::find(hide.begin(), hide.end(), true) != hide.end()
                       ? " (groups under " + std::to_string(opt.threshold) + " respondents left out)"
                       : std::string()) +
                  ". " + (under.empty() ? "No group is under-represented." : "Under-represented: " + under + ".") +
                  " The table below gives every figure.";
      out.push_back(std::move(chart));
      out.push_back(std::move(t));
    }
    out.push_back(heading(2, "Under-represented groups, by service point"));
    ReportBlock gaps =
        table("Groups under-represented at each service point",
              {"Service point", "Characteristic", "Group", "Share", "Population", "More to close the gap"},
              {false, false, false, true, true, true});
    std::vector<std::string> quiet;
    ReportBlock weeks = table("Responses and under-represented groups, week by week",
                              {"Week beginning", "Responses", "Under-represented groups"}, {false, true, false});
    for (const auto& sl : slices) {
      if (sl.kind == RepresentativenessSlice::Kind::All) continue;
      std::string list;
      bool any = false;
      for (const auto& q : sl.questions)
        for (const auto& g : q.groups) {
          if (g.verdict != Verdict::Under) continue;
          any = true;
          const std::string name = label_of(survey, q.benchmark->question, g.code);
          if (sl.kind == RepresentativenessSlice::Kind::ServicePoint)
            gaps.rows.push_back(
                {sp_name(sl.key), q.benchmark->name, name, pct(g.share), pct(g.population), thousands(g.to_close)});
          else
            list += (list.empty() ? "" : "; ") + q.benchmark->name + ": " + name;
        }
      if (sl.kind == RepresentativenessSlice::Kind::ServicePoint && !any) quiet.push_back(sp_name(sl.key));
      if (sl.kind == RepresentativenessSlice::Kind::Week)
        weeks.rows.push_back({long_date(sl.key + "T12:00:00Z"), thousands(sl.responses), list.empty() ? "none" : list});
    }
    if (!gaps.rows.empty()) out.push_back(std::move(gaps));
    if (!quiet.empty()) {
      std::string q;
      for (const auto& s : quiet) q += (q.empty() ? "" : ", ") + s;
      out.push_back(para("No group is under-represented at: " + q + "."));
    }
    out.push_back(heading(2, "Week by week"));
    out.push_back(std::move(weeks));
  }

  // 4. Results per question.
  out.push_back(heading(1, "4. Results per question"));
  const bool weighted = weighed->rake.has_value();
  if (weighted) {
    const RakeResult& w = *weighed->rake;
    std::string margins;
    for (const auto& m : margins_of(*pop)) margins += (margins.empty() ? "" : " and ") + m.name;
    out.push_back(para(
        "Responses are weighted by raking (iterative proportional fitting) to the " + margins + " of " + pop->area +
        "'s population, so that the weighted respondents match the population on each. The weighting " +
        (w.converged ? "converged" : "did NOT converge") + " after " + std::to_string(w.iterations) +
        " sweeps (largest gap to a margin " + fixed(w.max_error, 7) + "); weights were kept within 1/" +
        fixed(opt.file.rake.cap, 0) + " and " + fixed(opt.file.rake.cap, 0) + " times the mean (" +
        std::to_string(w.trimmed) + " held by that cap). Effective sample size " +
        thousands(static_cast<std::int64_t>(w.effective_n)) + " of " + N + "; design effect " +
        fixed(w.design_effect, 2) +
        ". Each table gives the unweighted count and share and the weighted share with its 95% margin of error; "
        "shares are of those who answered the question. A respondent who did not answer a weighting question is "
        "weighted by the other margins."));
  } else {
    out.push_back(para("Unweighted: " +
                       std::string(pop ? "the population file names no margins to weight to (weight_by)"
                                       : "no population file was given") +
                       ". Shares are of those who answered each question, with the 95% margin of error of a "
                       "simple random sample of that size."));
  }
  for (const auto& q : survey.questions) {
    const WeightedQuestion& t = c.results[q.index];
    if (q.options.empty()) {
      const std::int64_t n = c.text_answered.count(q.id) ? c.text_answered.at(q.id) : 0;
      if (q.type == QuestionType::Text)
        out.push_back(heading(2, question_name(survey, q))),
            out.push_back(para(thousands(n) + " wrote an answer (" + share_of(n, c.completed) +
                               "): see the appendix, where they are listed by service point."));
      continue;
    }
    out.push_back(heading(2, question_name(survey, q)));
    std::string p = "Answered by " + thousands(t.answered) + " of " + N;
    if (weighted) p += " (an effective " + thousands(static_cast<std::int64_t>(t.effective_n())) + " once weighted)";
    p += ".";
    if (q.type == QuestionType::Multiple)
      p += " More than one answer could be chosen, so shares add to more than 100%.";
    out.push_back(para(p));
    ReportBlock chart;
    chart.kind = Kind::Chart;
    chart.text = q.id + ": share of those who answered";
    chart.series = weighted ? std::vector<std::string>{"Unweighted", "Weighted"} : std::vector<std::string>{"Share"};
    ReportBlock tb =
        weighted ? table(q.id + ": answers", {"Answer", "n", "Unweighted", "Weighted", "Margin of error"},
                         {false, true, true, true, true})
                 : table(q.id + ": answers", {"Answer", "n", "Share", "Margin of error"}, {false, true, true, true});
    std::string alt;
    // A question about who the respondent is (a benchmarked characteristic):
    // small counts hidden, as in section 5, so no one is picked out.
    const bool about_person = pop && std::any_of(pop->benchmarks.begin(), pop->benchmarks.end(),
                                                 [&](const Benchmark& b) { return b.question == q.id; });
    std::vector<std::int64_t> counts;
    for (size_t k = 0; k < q.options.size(); ++k) counts.push_back(t.options[k].n);
    const auto hide = about_person ? hidden_cells(counts, t.answered, opt.threshold, q.type == QuestionType::Multiple)
                                   : std::vector<bool>(q.options.size(), false);
    const std::string small = "<" + std::to_string(opt.threshold);
    for (size_t k = 0; k < q.options.size(); ++k) {
      const std::string label = text_of(survey, q.options[k].label);
      if (hide[k]) {
        tb.rows.push_back(weighted ? std::vector<std::string>{label, small, small, small, ""}
                                   : std::vector<std::string>{label, small, small, ""});
        continue;
      }
      const double moe =
          weighted     ? t.margin(k)
          : t.answered ? 1.96 * std::sqrt(t.unweighted(k) * (1 - t.unweighted(k)) / static_cast<double>(t.answered))
                       : 0;
      if (weighted)
        tb.rows.push_back(
            {label, thousands(t.options[k].n), pct(t.unweighted(k)), pct(t.weighted(k)), "\u00b1" + pct(moe)});
      else
        tb.rows.push_back({label, thousands(t.options[k].n), pct(t.unweighted(k)), "\u00b1" + pct(moe)});
      chart.labels.push_back(label);
      chart.values.push_back(weighted ? std::vector<double>{t.unweighted(k), t.weighted(k)}
                                      : std::vector<double>{t.unweighted(k)});
      alt += (alt.empty() ? "" : "; ") + label + " " + pct(weighted ? t.weighted(k) : t.unweighted(k));
    }
    chart.alt = "Bar chart of the answers to " + q.id + (weighted ? ", weighted: " : ": ") + alt + ".";
    out.push_back(std::move(chart));
    out.push_back(std::move(tb));
  }

  // 5. Breakdowns by protected characteristic and by service point.
  out.push_back(heading(1, "5. Results by protected characteristic and by service point"));
  out.push_back(para(
      "For the equality impact assessment: each question's answers within each group, as a share of the group's "
      "respondents who answered it (unweighted). To keep any person from being identified, a group of fewer than " +
      std::to_string(opt.threshold) + " is not shown, a count from 1 to " + std::to_string(opt.threshold - 1) +
      " is shown as \u201c<" + std::to_string(opt.threshold) +
      "\u201d, and where one count in a group is hidden the next smallest is hidden too."));
  if (!pop)
    out.push_back(
        para("Only by service point: without a population file the report does not know which questions "
             "ask about protected characteristics."));
  const std::string small = "<" + std::to_string(opt.threshold);
  for (size_t bi = 0; bi < breakdowns.by.size(); ++bi) {
    const std::string& by = breakdowns.by[bi];
    const Question* byq = by == "service_point" ? nullptr : survey.find(by);
    out.push_back(heading(2, "By " + by_name[by] + (byq ? " (" + by + ")" : std::string())));
    for (size_t qi = 0; qi < breakdowns.questions.size(); ++qi) {
      const Question* q = breakdowns.questions[qi];
      const GroupTable& gt = breakdowns.table(bi, qi);
      if (gt.rows.empty()) continue;
      std::vector<std::string> header = {by_name[by], "n"};
      std::vector<bool> numeric = {false, true};
      for (const auto& o : q->options) header.push_back(text_of(survey, o.label)), numeric.push_back(true);
      ReportBlock t = table(question_name(survey, *q) + ", by " + by_name[by], header, numeric);
      for (const auto& g : groups_in_order(survey, by, gt)) {
        const std::int64_t n = gt.rows.at(g);
        const std::string name = byq ? label_of(survey, by, g) : sp_name(g);
        const auto counts = group_counts(gt, g, *q);
        const auto hide = hidden_cells(counts, n, opt.threshold, q->type == QuestionType::Multiple);
        std::vector<std::string> row = {name, n < opt.threshold ? small : thousands(n)};
        for (size_t k = 0; k < counts.size(); ++k) row.push_back(hide[k] ? small : share_of(counts[k], n));
        t.rows.push_back(std::move(row));
      }
      out.push_back(std::move(t));
    }
  }

  // Appendix: comments.
  out.push_back(heading(1, "Appendix: comments"));
  out.push_back(para(
      std::string(opt.comments < 0 ? "Every free-text answer" : "The free-text answers") +
      ", as written, per question and service point, in the order they were given" +
      (opt.comments < 0 ? std::string() : " (up to " + thousands(opt.comments) + " per question and service point)") +
      ". Email addresses, phone numbers and full postcodes are masked. Postcode answers are not "
      "listed."));
  bool any_text = false;
  for (const auto& q : survey.questions) {
    if (q.type != QuestionType::Text) continue;
    any_text = true;
    out.push_back(heading(2, question_name(survey, q)));
    auto it = c.comments.find(q.id);
    if (it == c.comments.end()) {
      out.push_back(para("No comments."));
      continue;
    }
    for (const auto& [sp, list] : it->second) {
      const std::int64_t all = c.comments_written[q.id][sp];
      std::string head = sp_name(sp) + ": " + thousands(all) + " comment" + (all == 1 ? "" : "s");
      if (static_cast<std::int64_t>(list.size()) < all)
        head += "; the first " + thousands(static_cast<std::int64_t>(list.size())) +
                " are listed here, and every one is in the workbook's Responses sheet and `kiosk-admin comments`";
      out.push_back(para(head));
      if (list.empty()) continue;
      ReportBlock l;
      l.kind = Kind::List;
      l.items = list;
      out.push_back(std::move(l));
    }
  }
  if (!any_text) out.push_back(para("The survey asks no free-text question."));
  return doc;
}

int report(const std::string& dir, const Survey& survey, const ReportOptions& opt) {
  if (!opt.file.time_zone.empty()) {
    setenv("TZ", opt.file.time_zone.c_str(), 1);
    tzset();
  }
  const auto doc = build_report(dir, survey, opt);
  if (!doc) return 1;
  if (!opt.pdf.empty()) {
    if (!write_report_pdf(*doc, opt.pdf)) return 1;
    std::cerr << "wrote " << opt.pdf << "\n";
  }
  if (!opt.html.empty()) {
    if (!write_report_html(*doc, opt.html)) return 1;
    std::cerr << "wrote " << opt.html << "\n";
  }
  return 0;
}

}  // namespace kiosk::cli
