#include "workbook.hpp"

#include <xlsxwriter.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <vector>

#include "kiosk/representativeness.hpp"
#include "represent.hpp"

namespace kiosk::cli {
namespace {

std::string text_of(const Survey& s, const LocalText& t) { return s.text(t, s.default_locale); }

std::string question_text(const Survey& s, const Question& q) { return question_words(s, q, s.default_locale); }

// Excel keeps a cell's text to 32,767 characters.
std::string cell(const std::string& s) { return s.size() > 32767 ? s.substr(0, 32767) : s; }

}  // namespace

int workbook(const std::string& dir, const Survey& survey, const OpenedFileOptions& opt) {
  if (!opt.time_zone.empty()) {
    setenv("TZ", opt.time_zone.c_str(), 1);
    tzset();
  }
  const auto weighed = weigh_opened(dir, survey, opt.population, opt.rake);
  if (!weighed) return 1;
  if (weighed->completed == 0) {
    std::cerr << "kiosk-admin: " << dir << ": no completed responses: no workbook written\n";
    return 1;
  }
  lxw_workbook_options wo{};
  wo.constant_memory = LXW_TRUE;  // rows go to a temporary file as they are written
  // ... beside the workbook, not in the system's /tmp: answers stay where
  // the caller chose to write them (the hub: a folder in memory).
  const std::string tmpdir = std::filesystem::path(opt.out).parent_path().string();
  wo.tmpdir = const_cast<char*>(tmpdir.empty() ? "." : tmpdir.c_str());
  lxw_workbook* wb = workbook_new_opt(opt.out.c_str(), &wo);
  if (!wb) {
    std::cerr << "kiosk-admin: " << opt.out << ": cannot write it\n";
    return 1;
  }
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* pct = workbook_add_format(wb);
  format_set_num_format(pct, "0.0%");
  lxw_format* dec = workbook_add_format(wb);
  format_set_num_format(dec, "0.000000");

  // About.
  lxw_worksheet* about = workbook_add_worksheet(wb, "About");
  const bool weighted = weighed->rake.has_value();
  {
    int r = 0;
    worksheet_write_string(about, r++, 0, ("Survey " + survey.id + " version " + survey.version).c_str(), bold);
    worksheet_write_string(about, r, 0, "Completed responses", nullptr);
    worksheet_write_number(about, r++, 1, static_cast<double>(weighed->completed), nullptr);
    worksheet_write_string(about, r, 0, "Left part way (not counted)", nullptr);
    worksheet_write_number(about, r++, 1, static_cast<double>(weighed->abandoned), nullptr);
    if (weighted) {
      const RakeResult& w = *weighed->rake;
      std::string margins;
      for (const auto& m : margins_of(*opt.population)) margins += (margins.empty() ? "" : " and ") + m.name;
      worksheet_write_string(about, r++, 0,
                             ("Weighted by raking to " + margins + " of " + opt.population->area +
                              (w.converged ? ": converged" : ": NOT converged"))
                                 .c_str(),
                             nullptr);
      worksheet_write_string(about, r, 0, "Effective sample size", nullptr);
      worksheet_write_number(about, r++, 1, w.effective_n, nullptr);
      worksheet_write_string(about, r, 0, "Design effect", nullptr);
      worksheet_write_number(about, r++, 1, w.design_effect, nullptr);
      worksheet_write_string(about, r, 0, "Weights held by the cap", nullptr);
      worksheet_write_number(about, r++, 1, w.trimmed, nullptr);
    } else {
      worksheet_write_string(about, r++, 0, "Unweighted: no population file with weight_by", nullptr);
    }
    worksheet_write_string(
        about, r++, 0, ("Times: UTC, and local time (" + opt.time_zone + "). Answers in the scale's order.").c_str(),
        nullptr);
    worksheet_set_column(about, 0, 0, 60, nullptr);
  }

  // Responses, one row each: codes and labels.
  lxw_worksheet* resp = workbook_add_worksheet(wb, "Responses");
  std::vector<std::string> header = {"response_uuid", "service_point", "service_point_name",
                                     "started_utc",   "started_local", "locale",
                                     "mode",          "weight"};
  for (const auto& q : survey.questions) {
    if (!q.takes_answer()) continue;
    if (q.type == QuestionType::Multiple) {
      for (const auto& o : q.options) header.push_back(q.id + "_" + o.code);
    } else if (q.options.empty()) {
      header.push_back(q.id);
    } else {
      header.push_back(q.id);
      header.push_back(q.id + "_label");
    }
    if (q.other_option()) header.push_back(q.id + "_other_text");
  }
  for (size_t c = 0; c < header.size(); ++c)
    worksheet_write_string(resp, 0, static_cast<lxw_col_t>(c), header[c].c_str(), bold);
  std::vector<WeightedQuestion> table = weighted_table(survey);
  static const Population kNone;
  RepresentativenessTally tally(opt.population ? *opt.population : kNone);
  lxw_row_t row = 0;
  size_t i = 0;
  read_opened(dir, survey, [&](const ResponseMeta& m, const Answers& a, const ChosenOptions& chosen) {
    if (m.status != "completed") return;
    const double wi = weighed->weight(i++);
    ++row;
    lxw_col_t c = 0;
    auto sp_name =
        opt.service_point_names.count(m.service_point) ? opt.service_point_names.at(m.service_point) : m.service_point;
    for (const std::string& v :
         {m.uuid, m.service_point, sp_name, m.started_utc, local_time(m.started_utc), m.locale, m.mode})
      worksheet_write_string(resp, row, c++, cell(v).c_str(), nullptr);
    worksheet_write_number(resp, row, c++, wi, dec);
    std::map<std::string, std::string> choice;
    for (const auto& q : survey.questions) {
      if (!q.takes_answer()) continue;
      auto it = a.find(q.id);
      const bool answered = it != a.end() && !it->second.empty();
      if (answered && !q.options.empty() && !it->second.choices.empty()) choice[q.id] = it->second.choices[0];
      if (q.type == QuestionType::Multiple) {
        for (const auto& o : q.options) {
          if (answered) worksheet_write_number(resp, row, c, it->second.has(o.code) ? 1 : 0, nullptr);
          ++c;
        }
      } else if (q.is_number()) {
        // A number as a number, so the analyst's sums and charts work on it.
        if (answered) worksheet_write_number(resp, row, c, std::strtod(it->second.text.c_str(), nullptr), nullptr);
        ++c;
      } else if (q.options.empty()) {
        if (answered) worksheet_write_string(resp, row, c, cell(it->second.text).c_str(), nullptr);
        ++c;
      } else {
        if (answered && !it->second.choices.empty()) {
          for (size_t k = 0; k < q.options.size(); ++k)
            if (q.options[k].code == it->second.choices[0]) {
              worksheet_write_number(resp, row, c, static_cast<double>(k + 1), nullptr);
              worksheet_write_string(resp, row, c + 1, text_of(survey, q.options[k].label).c_str(), nullptr);
            }
        }
        c += 2;
      }
      if (q.other_option()) {
        if (answered && !it->second.other_text.empty())
          worksheet_write_string(resp, row, c, cell(it->second.other_text).c_str(), nullptr);
        ++c;
      }
    }
    add_weighted(table, survey, chosen, wi);
    if (opt.population) tally.add(m.service_point, m.started_utc, choice);
  });
  worksheet_freeze_panes(resp, 1, 1);

  // Codebook.
  lxw_worksheet* cb = workbook_add_worksheet(wb, "Codebook");
  {
    const char* h[] = {"question", "text", "type", "position", "option_code", "option_label"};
    for (int c = 0; c < 6; ++c) worksheet_write_string(cb, 0, static_cast<lxw_col_t>(c), h[c], bold);
    lxw_row_t r = 1;
    for (const auto& q : survey.questions) {
      if (!q.takes_answer()) continue;
      if (q.options.empty()) {
        worksheet_write_string(cb, r, 0, q.id.c_str(), nullptr);
        worksheet_write_string(cb, r, 1, cell(question_text(survey, q)).c_str(), nullptr);
        worksheet_write_string(cb, r++, 2, std::string(to_string(q.type)).c_str(), nullptr);
        continue;
      }
      for (size_t k = 0; k < q.options.size(); ++k) {
        worksheet_write_string(cb, r, 0, q.id.c_str(), nullptr);
        worksheet_write_string(cb, r, 1, cell(question_text(survey, q)).c_str(), nullptr);
        worksheet_write_string(cb, r, 2, q.type == QuestionType::Multiple ? "multiple (0/1 per option)" : "single",
                               nullptr);
        worksheet_write_number(cb, r, 3, static_cast<double>(k + 1), nullptr);
        worksheet_write_string(cb, r, 4, q.options[k].code.c_str(), nullptr);
        worksheet_write_string(cb, r++, 5, text_of(survey, q.options[k].label).c_str(), nullptr);
      }
    }
  }

  // One sheet per choice question: its table and a chart.
  for (const auto& q : survey.questions) {
    if (q.options.empty()) continue;
    lxw_worksheet* ws = workbook_add_worksheet(wb, q.id.c_str());
    const WeightedQuestion& t = table[q.index];
    worksheet_write_string(ws, 0, 0, cell(question_text(survey, q)).c_str(), bold);
    worksheet_write_string(ws, 1, 0,
                           ("Answered by " + std::to_string(t.answered) + " of " + std::to_string(weighed->completed) +
                            " completed responses")
                               .c_str(),
                           nullptr);
    const char* h[] = {"Answer", "n", "Unweighted %", "Weighted %", "Margin of error (95%)"};
    for (int c = 0; c < 5; ++c) worksheet_write_string(ws, 3, static_cast<lxw_col_t>(c), h[c], bold);
    for (size_t k = 0; k < q.options.size(); ++k) {
      const auto r = static_cast<lxw_row_t>(4 + k);
      worksheet_write_string(ws, r, 0, text_of(survey, q.options[k].label).c_str(), nullptr);
      worksheet_write_number(ws, r, 1, static_cast<double>(t.options[k].n), nullptr);
      worksheet_write_number(ws, r, 2, t.unweighted(k), pct);
      worksheet_write_number(ws, r, 3, t.weighted(k), pct);
      worksheet_write_number(ws, r, 4, t.margin(k), pct);
    }
    worksheet_set_column(ws, 0, 0, 45, nullptr);
    worksheet_set_column(ws, 1, 4, 18, nullptr);
    lxw_chart* chart = workbook_add_chart(wb, LXW_CHART_BAR);
    lxw_chart_series* s = chart_add_series(chart, nullptr, nullptr);
    const auto last = static_cast<lxw_row_t>(3 + q.options.size());
    chart_series_set_categories(s, q.id.c_str(), 4, 0, last, 0);
    chart_series_set_values(s, q.id.c_str(), 4, weighted ? 3 : 2, last, weighted ? 3 : 2);
    chart_series_set_name(s, weighted ? "Weighted %" : "Unweighted %");
    chart_title_set_name(
        chart,
        (q.id + (weighted ? ": weighted share of those who answered" : ": share of those who answered")).c_str());
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    chart_axis_set_reverse(chart->y_axis);  // the first answer at the top, as on the kiosk
    worksheet_insert_chart(ws, static_cast<lxw_row_t>(last + 2), 0, chart);
  }

  // Representativeness: every slice's figures, and a chart of all respondents against the population.
  if (opt.population) {
    lxw_worksheet* rs = workbook_add_worksheet(wb, "Representativeness");
    const char* h[] = {"slice",         "key",    "question", "benchmark",  "group", "respondents",
                       "share",         "ci_low", "ci_high",  "population", "ratio", "verdict",
                       "more_to_close", "base",   "source",   "table",      "year"};
    for (int c = 0; c < 17; ++c) worksheet_write_string(rs, 0, static_cast<lxw_col_t>(c), h[c], bold);
    lxw_row_t r = 1, first_all = 1, last_all = 0;
    const char* kinds[] = {"all", "service_point", "week"};
    for (const auto& sl : tally.slices())
      for (const auto& q : sl.questions)
        for (const auto& g : q.groups) {
          const Benchmark& b = *q.benchmark;
          const Question* qq = survey.find(b.question);
          const Option* o = qq ? qq->find_option(g.code) : nullptr;
          worksheet_write_string(rs, r, 0, kinds[static_cast<int>(sl.kind)], nullptr);
          worksheet_write_string(rs, r, 1, sl.key.c_str(), nullptr);
          worksheet_write_string(rs, r, 2, b.question.c_str(), nullptr);
          worksheet_write_string(rs, r, 3, b.name.c_str(), nullptr);
          worksheet_write_string(rs, r, 4, ((o ? text_of(survey, o->label) : g.code) + " (" + b.name + ")").c_str(),
                                 nullptr);
          worksheet_write_number(rs, r, 5, static_cast<double>(g.respondents), nullptr);
          worksheet_write_number(rs, r, 6, g.share, pct);
          worksheet_write_number(rs, r, 7, g.ci.low, pct);
          worksheet_write_number(rs, r, 8, g.ci.high, pct);
          worksheet_write_number(rs, r, 9, g.population, pct);
          worksheet_write_number(rs, r, 10, g.ratio, nullptr);
          worksheet_write_string(rs, r, 11, verdict_words(g.verdict), nullptr);
          worksheet_write_number(rs, r, 12, static_cast<double>(g.to_close), nullptr);
          worksheet_write_string(rs, r, 13, b.base.c_str(), nullptr);
          worksheet_write_string(rs, r, 14, b.source.c_str(), nullptr);
          worksheet_write_string(rs, r, 15, b.table.c_str(), nullptr);
          worksheet_write_number(rs, r, 16, b.year, nullptr);
          if (sl.kind == RepresentativenessSlice::Kind::All) last_all = r;
          ++r;
        }
    if (last_all >= first_all) {
      lxw_chart* chart = workbook_add_chart(wb, LXW_CHART_BAR);
      lxw_chart_series* a = chart_add_series(chart, nullptr, nullptr);
      chart_series_set_categories(a, "Representativeness", first_all, 4, last_all, 4);
      chart_series_set_values(a, "Representativeness", first_all, 6, last_all, 6);
      chart_series_set_name(a, "Respondents");
      lxw_chart_series* p = chart_add_series(chart, nullptr, nullptr);
      chart_series_set_categories(p, "Representativeness", first_all, 4, last_all, 4);
      chart_series_set_values(p, "Representativeness", first_all, 9, last_all, 9);
      chart_series_set_name(p, "Population");
      chart_title_set_name(chart, ("Who answered, against who lives in " + opt.population->area).c_str());
      chart_axis_set_reverse(chart->y_axis);
      worksheet_insert_chart(rs, 1, 18, chart);
    }
  }
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) {
    std::cerr << "kiosk-admin: " << opt.out << ": " << lxw_strerror(err) << "\n";
    std::remove(opt.out.c_str());
    return 1;
  }
  std::cerr << "wrote " << opt.out << ": " << weighed->completed << " responses" << (weighted ? ", weighted" : "")
            << "\n";
  return 0;
}

}  // namespace kiosk::cli
