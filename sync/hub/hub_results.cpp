// The results page (GET /results), the summary, the ledger, and who
// answered against who lives in the area (GET /api/v1/representativeness,
// GET /api/v1/figures), and its section of the status page.
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <vector>

#include "document_check.hpp"
#include "hub_api_impl.hpp"
#include "hub_ledger.hpp"
#include "kiosk/protocol.hpp"
#include "kiosk/representativeness.hpp"
#include "report.hpp"

namespace kiosk::hub {

Reply Api::Impl::results_page(Request& req) {
  if (!survey_) return error_reply(409, "the results page needs the hub started with --survey FILE");
  ResponseScope f;
  if (req.has_param("service_point")) f.service_point = req.param("service_point");
  if (req.has_param("from")) f.from = req.param("from");
  if (req.has_param("to")) f.to = req.param("to");
  auto is_date = [](const std::string& d) {
    std::tm tm{};
    const char* end = d.size() == 10 ? strptime(d.c_str(), "%Y-%m-%d", &tm) : nullptr;
    return d.empty() || (end && *end == '\0');
  };
  if (!is_date(f.from) || !is_date(f.to))
    return error_reply(400, "from and to are days as YYYY-MM-DD (\"" + f.from + "\", \"" + f.to + "\")");
  bool known = f.service_point.empty();
  for (const auto& sp : opt_.service_points) known = known || sp.id == f.service_point;
  if (!known) return error_reply(400, "no service point \"" + f.service_point + "\" at this hub");
  // The form: every service point by name, and the days.
  std::string form =
      "<form method=\"get\" action=\"" + std::string(route::kResultsPage) +
      "\" style=\"display:flex;flex-wrap:wrap;gap:0.8rem 1.2rem;align-items:end;background:#eef2f6;padding:0.8rem;"
      "margin:1rem 0\"><div><label for=\"sp\" style=\"display:block;font-weight:bold\">Service point</label>"
      "<select id=\"sp\" name=\"service_point\" style=\"font-size:1rem;padding:0.3rem\"><option value=\"\">All "
      "service points</option>";
  for (const auto& sp : opt_.service_points)
    form += "<option value=\"" + html_escape(sp.id) + "\"" + (sp.id == f.service_point ? " selected" : "") + ">" +
            html_escape(sp.name) + "</option>";
  form +=
      "</select></div><div><label for=\"from\" style=\"display:block;font-weight:bold\">From (first day)</label>"
      "<input type=\"date\" id=\"from\" name=\"from\" value=\"" +
      html_escape(f.from) +
      "\" style=\"font-size:1rem;padding:0.3rem\"></div><div><label for=\"to\" style=\"display:block;"
      "font-weight:bold\">To (last day)</label><input type=\"date\" id=\"to\" name=\"to\" value=\"" +
      html_escape(f.to) +
      "\" style=\"font-size:1rem;padding:0.3rem\"></div><button type=\"submit\" style=\"font-size:1rem;"
      "padding:0.4rem 1rem\">Show results</button><p style=\"margin:0;flex-basis:100%\"><a href=\"" +
      std::string(route::kStatusPage) + "\">Back to the status page</a></p></form>\n";
  // The same page, for the same choices, the same data and the same day
  // (the page says when it was written), is sent again as it was built.
  const std::string key = f.service_point + '\n' + f.from + '\n' + f.to + '\n' + local_day();
  auto state = cache_->current(store_);
  if (!state) return error_reply(state.kind() == ErrorKind::Storage ? 503 : 500, state.message());
  {
    std::lock_guard lock(pages_mutex_);
    auto it = pages_.find(key);
    if (it != pages_.end() && it->second.first == *state) return results_reply(it->second.second);
  }
  cli::ReportOptions r;
  r.file = analyst_options();
  r.comments = 50;
  std::string page;
  auto made = report_of(f, r, /*refresh=*/false);  // current() above has: the page is keyed by that state
  if (auto* e = std::get_if<Reply>(&made)) return std::move(*e);
  if (auto* doc = std::get_if<cli::ReportDocument>(&made)) {
    doc->title = "Results: " + doc->title.substr(0, doc->title.rfind(": consultation report"));
    std::string scope = f.service_point.empty() ? "All service points" : service_point_name(f.service_point);
    if (!f.from.empty() || !f.to.empty())
      scope += ", " + (f.from.empty() ? std::string("the start") : f.from) + " to " +
               (f.to.empty() ? std::string("today") : f.to);
    doc->subtitle = scope + ". " + doc->subtitle;
    page = cli::report_html(*doc, form);
  } else {
    cli::ReportDocument empty;
    empty.lang = survey_->default_locale.empty() ? "en" : survey_->default_locale;
    empty.title = "Results: " + survey_->text(survey_->title, survey_->default_locale);
    empty.subtitle = "No completed responses match these choices yet.";
    page = cli::report_html(empty, form);
  }
  {
    std::lock_guard lock(pages_mutex_);
    if (pages_.size() >= kPagesKept) pages_.clear();  // a handful of choices at a time; never grows
    pages_[key] = {*state, page};
  }
  return results_reply(std::move(page));
}

Reply Api::Impl::results_reply(std::string page) {
  return Reply{200, "text/html; charset=utf-8", {{"Cache-Control", "no-store"}}, std::move(page)};
}

std::string Api::Impl::local_day() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char b[16];
  return std::string(b, std::strftime(b, sizeof b, "%Y-%m-%d", &tm));
}

Result<Summary> Api::Impl::build_summary() {
  if (!survey_) return Summary{};
  // From the tallies kept as responses are stored (document_check.hpp):
  // completed responses only, at the same cost whatever the dataset's size.
  return summary_from_tallies(store_, *survey_);
}

Reply Api::Impl::ledger(Request&) {
  auto rows = store_.ledger();
  if (!rows) return error_reply(503, rows.message());
  return json_reply(200, ledger_json(*rows, clock_.now()));
}

Result<std::vector<RepresentativenessSlice>> Api::Impl::representativeness() {
  auto s = build_summary();
  if (!s) return s.error();
  const Population& pop = *opt_.population;
  auto counts_of = [&](const ResultsTable& t) {
    ChoiceCounts c;
    for (const auto& b : pop.benchmarks) {
      const Question* q = survey_->find(b.question);
      if (!q || q->index >= t.questions.size()) continue;
      const auto& qs = t.questions[q->index];
      auto& m = c[b.question];
      for (const auto& o : qs.options)
        if (o.count) m[o.code] = o.count;
      m[""] = t.responses - qs.answered;
    }
    return c;
  };
  using K = RepresentativenessSlice::Kind;
  std::vector<RepresentativenessSlice> out;
  out.push_back(slice_figures(pop, K::All, "", s->overall.responses, counts_of(s->overall)));
  for (const auto& [sp, t] : s->by_service_point)
    out.push_back(slice_figures(pop, K::ServicePoint, sp, t.responses, counts_of(t)));
  return out;
}

std::string Api::Impl::option_label(const std::string& question, const std::string& code) const {
  const Question* q = survey_ ? survey_->find(question) : nullptr;
  const Option* o = q ? q->find_option(code) : nullptr;
  return o ? survey_->text(o->label, survey_->default_locale) : code;
}

json Api::Impl::slice_json(const RepresentativenessSlice& sl) const {
  json qs = json::array();
  for (const auto& q : sl.questions) {
    json gs = json::array();
    for (const auto& g : q.groups)
      gs.push_back({{"code", g.code},
                    {"label", option_label(q.benchmark->question, g.code)},
                    {"respondents", g.respondents},
                    {"share", g.share},
                    {"ci_low", g.ci.low},
                    {"ci_high", g.ci.high},
                    {"population", g.population},
                    {"ratio", g.ratio},
                    {"verdict", verdict_words(g.verdict)},
                    {"more_to_close", g.to_close}});
    qs.push_back({{"question", q.benchmark->question},
                  {"name", q.benchmark->name},
                  {"in_base", q.in_base},
                  {"outside_base", q.outside_base},
                  {"not_answered", q.not_answered},
                  {"groups", gs}});
  }
  return json{{"kind", sl.kind == RepresentativenessSlice::Kind::All ? "all" : "service_point"},
              {"key", sl.key},
              {"name", sl.key.empty() ? std::string("All service points") : service_point_name(sl.key)},
              {"responses", sl.responses},
              {"questions", qs}};
}

Reply Api::Impl::figures(Request& req) {
  if (!survey_ || !opt_.population) return Reply{204, "", {}, ""};
  std::string sp = req.principal ? req.principal->service_point : std::string();
  if (sp.empty() && req.has_param("service_point")) sp = req.param("service_point");
  if (sp.empty()) return error_reply(400, "which service point? (add-device --service-point, or ?service_point=)");
  auto slices = representativeness();
  if (!slices) return unavailable("could not count the figures", slices.error());
  json mine;
  for (const auto& sl : *slices)
    if (sl.kind == RepresentativenessSlice::Kind::ServicePoint && sl.key == sp) mine = slice_json(sl);
  if (mine.is_null()) {  // nothing from there yet
    mine = slice_json(slice_figures(*opt_.population, RepresentativenessSlice::Kind::ServicePoint, sp, 0, {}));
  }
  mine["as_of_utc"] = format_utc(clock_.now());
  mine["area"] = opt_.population->area;
  mine[field::kApi] = protocol::kApiVersion;
  return json_reply(200, mine);
}

Reply Api::Impl::representativeness_json(Request&) {
  if (!survey_) return error_reply(409, "representativeness needs the hub started with --survey FILE");
  if (!opt_.population)
    return error_reply(409, "the hub has no population benchmarks: start it with --population FILE");
  auto slices = representativeness();
  if (!slices) return error_reply(503, slices.message());
  const Population& pop = *opt_.population;
  json benchmarks = json::array();
  for (const auto& b : pop.benchmarks)
    benchmarks.push_back({{"question", b.question},
                          {"name", b.name},
                          {"base", b.base},
                          {"source", b.source},
                          {"table", b.table},
                          {"year", b.year},
                          {"note", b.note}});
  json js = json::array();
  for (const auto& sl : *slices) js.push_back(slice_json(sl));
  return json_reply(
      200, json{{field::kApi, protocol::kApiVersion}, {"area", pop.area}, {"benchmarks", benchmarks}, {"slices", js}});
}

std::string Api::Impl::representativeness_html() {
  auto slices = representativeness();
  if (!slices) return "<p class=warn>" + html_escape(slices.message()) + "</p>";
  auto pct = [](double x) {
    char b[16];
    std::snprintf(b, sizeof b, x > 0 && x < 0.01 ? "%.2f%%" : "%.1f%%", 100 * x);
    return std::string(b);
  };
  const Population& pop = *opt_.population;
  std::string h = "<h2>Who answered, against who lives in " + html_escape(pop.area) +
                  "</h2><p><small>Completed responses. A group is under- or over-represented when the 95% interval "
                  "of its share (held for all the question's groups together) lies wholly below or above its "
                  "share of the population. Figures by week: <code>kiosk-admin represent</code> on an "
                  "export.</small></p>";
  const auto& all = slices->front();
  for (const auto& q : all.questions) {
    const Benchmark& b = *q.benchmark;
    h += "<div class=scroll><table><caption>" + html_escape(b.name) + " (" + html_escape(b.question) + "), against " +
         html_escape(b.base) + ": " + html_escape(b.source) + ", " + html_escape(b.table) + ", " +
         std::to_string(b.year) + ". " + std::to_string(q.in_base) + " answered within the base, " +
         std::to_string(q.outside_base) + " outside it, " + std::to_string(q.not_answered) +
         " did not answer.</caption><tr><th scope=col>Group</th><th scope=col class=num>Respondents</th><th "
         "scope=col class=num>Share</th><th scope=col class=num>95% interval</th><th scope=col "
         "class=num>Population</th><th scope=col>Verdict</th></tr>";
    for (const auto& g : q.groups) {
      std::string verdict = verdict_words(g.verdict);
      if (g.verdict == kiosk::Verdict::Under)
        verdict = "<span class=warn>Under-represented</span>: about " + std::to_string(g.to_close) +
                  " more responses from this group would close the gap";
      else if (g.verdict == kiosk::Verdict::Over)
        verdict = "Over-represented";
      else if (g.verdict == kiosk::Verdict::InLine)
        verdict = "In line";
      else
        verdict = html_escape(verdict);
      h += "<tr><th scope=row>" + html_escape(option_label(b.question, g.code)) + "</th><td class=num>" +
           std::to_string(g.respondents) + "</td><td class=num>" + pct(g.share) + "</td><td class=num>" +
           pct(g.ci.low) + " to " + pct(g.ci.high) + "</td><td class=num>" + pct(g.population) + "</td><td>" + verdict +
           "</td></tr>";
    }
    h += "</table></div>";
  }
  h += "<h3>Under-represented groups, by service point</h3><ul>";
  for (size_t i = 1; i < slices->size(); ++i) {
    const auto& sl = (*slices)[i];
    std::string gaps;
    for (const auto& q : sl.questions)
      for (const auto& g : q.groups)
        if (g.verdict == kiosk::Verdict::Under)
          gaps += std::string(gaps.empty() ? "" : "; ") + html_escape(q.benchmark->name) + " " +
                  html_escape(option_label(q.benchmark->question, g.code)) + ": " + pct(g.share) + " against " +
                  pct(g.population) + ", about " + std::to_string(g.to_close) + " more would close the gap";
    h += "<li><b>" + html_escape(service_point_name(sl.key)) + "</b> (" + std::to_string(sl.responses) +
         " responses): " + (gaps.empty() ? "no group under-represented" : gaps) + "</li>";
  }
  return h + "</ul>";
}

Reply Api::Impl::summary(Request&) {
  if (!survey_) return error_reply(409, "the summary needs the hub started with --survey FILE");
  auto s = build_summary();
  if (!s) return error_reply(503, s.message());
  auto table = [](const ResultsTable& t) {
    json qs = json::array();
    for (const auto& q : t.questions) {
      if (q.type == QuestionType::Note) continue;  // a note takes no answer
      json opts = json::array();
      for (const auto& o : q.options)
        opts.push_back({{field::kCode, o.code}, {field::kLabel, o.label}, {field::kCount, o.count}});
      qs.push_back(
          {{field::kId, q.id}, {field::kText, q.text}, {field::kAnswered, q.answered}, {field::kOptions, opts}});
    }
    return json{{field::kResponses, t.responses}, {field::kQuestions, qs}};
  };
  json by = json::object();
  for (const auto& [sp, t] : s->by_service_point) by[sp] = table(t);
  return json_reply(
      200,
      json{{field::kApi, protocol::kApiVersion}, {field::kOverall, table(s->overall)}, {field::kByServicePoint, by}});
}

}  // namespace kiosk::hub
