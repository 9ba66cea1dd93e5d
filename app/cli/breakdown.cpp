#include "breakdown.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>

#include "kiosk/export.hpp"
#include "represent.hpp"

namespace kiosk::cli {
namespace {

std::string label(const Survey& s, const std::string& question, const std::string& code) {
  return question == "service_point" ? code : label_of(s, question, code);
}

std::string cut(std::string s, size_t n) { return s.size() > n ? s.substr(0, n - 3) + "..." : s; }

}  // namespace

int breakdown(const std::string& dir, const Survey& survey, const BreakdownOptions& opt) {
  std::vector<const Question*> qs;
  if (opt.questions.empty()) {
    for (const auto& q : survey.questions)
      if (!q.options.empty()) qs.push_back(&q);
  } else {
    for (const auto& id : opt.questions) {
      const Question* q = survey.find(id);
      if (!q || q->options.empty()) {
        std::cerr << "kiosk-admin: --question " << id << ": not a choice question of " << survey.id << "\n";
        return 2;
      }
      qs.push_back(q);
    }
  }
  for (const auto& by : opt.by)
    if (by != "service_point" && (!survey.find(by) || survey.find(by)->type != QuestionType::Single)) {
      std::cerr << "kiosk-admin: --by " << by << ": not a single-choice question of " << survey.id
                << " (or service_point)\n";
      return 2;
    }
  Breakdowns counted(survey);
  counted.by = opt.by;
  counted.questions = qs;
  std::int64_t responses = 0;
  const bool ok = read_opened(dir, survey, [&](const ResponseMeta& m, const Answers&, const ChosenOptions& chosen) {
    if (m.status != "completed") return;
    ++responses;
    counted.add(m, chosen);
  });
  if (!ok) return 1;
  std::ofstream csv;
  if (!opt.csv_path.empty()) {
    csv.open(opt.csv_path, std::ios::binary);
    std::string h;
    for (const char* f : {"by", "group_code", "group_label", "group_answered", "question", "option_code",
                          "option_label", "count", "percent_of_group"}) {
      if (!h.empty()) h += ',';
      append_csv_field(h, f, true);
    }
    csv << h << "\r\n";
  }
  std::cout << "Answers by group, of " << responses << " completed responses. Percentages are of the group's "
            << "respondents who answered the question. A count from 1 to " << opt.threshold - 1 << " is shown as \"<"
            << opt.threshold << "\", with a group of fewer than " << opt.threshold
            << " shown only as such; where one count in a group is hidden, the next smallest is hidden too, so "
               "none can be worked out from the group's total.\n";
  char line[512];
  for (size_t bi = 0; bi < opt.by.size(); ++bi) {
    const std::string& by = opt.by[bi];
    const std::string by_name = by == "service_point" ? "service point"
                                : opt.names.count(by) ? opt.names.at(by) + " (" + by + ")"
                                                      : by;
    for (size_t qi = 0; qi < qs.size(); ++qi) {
      const Question* q = qs[qi];
      if (q->id == by) continue;
      const GroupTable& t = counted.table(bi, qi);
      std::string qtext = survey.text(q->title, survey.default_locale);
      if (qtext.empty()) qtext = survey.text(q->text, survey.default_locale);
      std::cout << "\n" << q->id << " " << cut(qtext, 80) << ", by " << by_name << "\n";
      std::snprintf(line, sizeof line, "  %-34s %7s", "", "n");
      std::cout << line;
      for (const auto& o : q->options) {
        std::snprintf(line, sizeof line, " %14s", cut(survey.text(o.label, survey.default_locale), 14).c_str());
        std::cout << line;
      }
      std::cout << "\n";
      for (const auto& g : groups_in_order(survey, by, t)) {
        const std::int64_t n = t.rows.at(g);
        std::snprintf(line, sizeof line, "  %-34s", cut(label(survey, by, g), 34).c_str());
        std::cout << line;
        const bool small = n < opt.threshold;
        std::snprintf(line, sizeof line, " %7s",
                      small ? ("<" + std::to_string(opt.threshold)).c_str() : std::to_string(n).c_str());
        std::cout << line;
        const std::vector<std::int64_t> counts = group_counts(t, g, *q);
        const std::vector<bool> hide = hidden_cells(counts, n, opt.threshold, q->type == QuestionType::Multiple);
        for (size_t k = 0; k < counts.size(); ++k) {
          std::string cell;
          if (hide[k]) {
            cell = "<" + std::to_string(opt.threshold);
          } else {
            char b[32];
            std::snprintf(b, sizeof b, "%.0f%% (%lld)", 100.0 * static_cast<double>(counts[k]) / static_cast<double>(n),
                          static_cast<long long>(counts[k]));
            cell = b;
          }
          std::snprintf(line, sizeof line, " %14s", cell.c_str());
          std::cout << line;
          if (csv.is_open()) {
            std::string row;
            char pct[32];
            std::snprintf(pct, sizeof pct, "%.4f", 100.0 * static_cast<double>(counts[k]) / static_cast<double>(n));
            for (const std::string& f :
                 {by, g, label(survey, by, g), small ? "<" + std::to_string(opt.threshold) : std::to_string(n), q->id,
                  q->options[k].code, survey.text(q->options[k].label, survey.default_locale),
                  hide[k] ? "<" + std::to_string(opt.threshold) : std::to_string(counts[k]),
                  hide[k] ? std::string() : std::string(pct)}) {
              if (!row.empty()) row += ',';
              append_csv_field(row, f, true);
            }
            csv << row << "\r\n";
          }
        }
        std::cout << "\n";
      }
    }
  }
  if (csv.is_open()) {
    if (!csv.flush()) {
      std::cerr << "kiosk-admin: " << opt.csv_path << ": could not write it\n";
      return 1;
    }
    std::cerr << "wrote " << opt.csv_path << "\n";
  }
  return 0;
}

void Breakdowns::add(const ResponseMeta& m, const ChosenOptions& chosen) {
  if (acc_.empty()) {
    acc_.resize(by.size());
    for (size_t b = 0; b < by.size(); ++b) {
      const Question* q = by[b] == "service_point" ? nullptr : survey_.find(by[b]);
      if (!q) continue;
      // A question's groups are its options, by number.
      acc_[b].question = static_cast<int>(q->index);
      for (const auto& o : q->options) acc_[b].keys.push_back(o.code);
      acc_[b].groups.resize(q->options.size());
    }
  }
  built_ = false;
  bool any = false;
  for (const Question* q : questions) any = any || !chosen.of(q->index).empty();
  if (!any) return;
  for (size_t b = 0; b < by.size(); ++b) {
    By& at = acc_[b];
    size_t g = kUnknown;
    if (at.question >= 0) {
      const int k = chosen.first(static_cast<size_t>(at.question));
      if (k >= 0 && static_cast<size_t>(k) < at.groups.size()) g = static_cast<size_t>(k);
    } else if (by[b] == "service_point" && !m.service_point.empty()) {
      // Service points as they come; responses come in runs from one place.
      if (at.last < at.keys.size() && at.keys[at.last] == m.service_point) {
        g = at.last;
      } else {
        g = static_cast<size_t>(std::find(at.keys.begin(), at.keys.end(), m.service_point) - at.keys.begin());
        if (g == at.keys.size()) {
          at.keys.push_back(m.service_point);
          at.groups.emplace_back();
        }
        at.last = g;
      }
    }
    if (g == kUnknown) continue;
    Group& group = at.groups[g];
    if (group.rows.empty()) {
      group.rows.assign(questions.size(), 0);
      group.cells.resize(questions.size());
      for (size_t j = 0; j < questions.size(); ++j) group.cells[j].assign(questions[j]->options.size(), 0);
    }
    for (size_t j = 0; j < questions.size(); ++j) {
      if (static_cast<int>(questions[j]->index) == at.question) continue;
      const auto c = chosen.of(questions[j]->index);
      if (c.empty()) continue;
      // Answered (a row of the table) even when no code is known.
      ++group.rows[j];
      for (std::uint16_t k : c)
        if (k < group.cells[j].size()) ++group.cells[j][k];
    }
  }
}

const GroupTable& Breakdowns::table(size_t b, size_t q) const {
  static const GroupTable kEmpty;
  if (!built_) {
    // The tables as callers read them: per question, the groups where anyone answered it.
    tables_.assign(by.size(), std::vector<GroupTable>(questions.size()));
    for (size_t bi = 0; bi < acc_.size(); ++bi)
      for (size_t gi = 0; gi < acc_[bi].groups.size(); ++gi) {
        const Group& group = acc_[bi].groups[gi];
        const std::string& g = acc_[bi].keys[gi];
        for (size_t j = 0; j < group.rows.size(); ++j)
          if (group.rows[j] > 0) {
            tables_[bi][j].rows[g] = group.rows[j];
            tables_[bi][j].cells[g] = group.cells[j];
          }
      }
    built_ = true;
  }
  return b < tables_.size() && q < tables_[b].size() ? tables_[b][q] : kEmpty;
}

std::vector<std::string> groups_in_order(const Survey& survey, const std::string& by, const GroupTable& t) {
  std::vector<std::string> groups;
  if (by == "service_point") {
    for (const auto& [g, n] : t.rows) groups.push_back(g);
  } else if (const Question* q = survey.find(by)) {
    for (const auto& o : q->options)
      if (t.rows.count(o.code)) groups.push_back(o.code);
  }
  return groups;
}

std::vector<std::int64_t> group_counts(const GroupTable& t, const std::string& group, const Question& q) {
  const auto found = t.cells.find(group);
  return found == t.cells.end() ? std::vector<std::int64_t>(q.options.size(), 0) : found->second;
}

std::vector<bool> hidden_cells(const std::vector<std::int64_t>& counts, std::int64_t n, int threshold, bool multiple) {
  const bool small = n < threshold;
  std::vector<bool> hide(counts.size(), small);
  int hidden = 0;
  for (size_t k = 0; k < counts.size(); ++k)
    if (counts[k] > 0 && counts[k] < threshold) hide[k] = true, ++hidden;
  if (!small && hidden == 1 && !multiple) {
    size_t best = counts.size();
    for (size_t k = 0; k < counts.size(); ++k)
      if (!hide[k] && counts[k] > 0 && (best == counts.size() || counts[k] < counts[best])) best = k;
    if (best < counts.size()) hide[best] = true;
  }
  return hide;
}

std::string mask_personal(const std::string& text) {
  static const std::regex email(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})");
  // UK phone numbers: 0 or +44 then 9 or 10 more digits, spaces and dashes allowed.
  static const std::regex phone(R"((\+44\s?|\b0)\d([\s-]?\d){8,9}\b)");
  // A full postcode (the outward code alone, as "BL9", names a whole area and stays).
  static const std::regex postcode(R"(\b[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}\b)");
  std::string t = std::regex_replace(text, email, "[email removed]");
  t = std::regex_replace(t, phone, "[phone number removed]");
  t = std::regex_replace(t, postcode, "[postcode removed]");
  return t;
}

int comments(const std::string& dir, const Survey& survey) {
  // question -> service point -> comments
  std::map<std::string, std::map<std::string, std::vector<std::string>>> all;
  const bool ok = read_opened(dir, survey, [&](const ResponseMeta& m, const Answers& a, const ChosenOptions&) {
    if (m.status != "completed") return;
    for (const auto& [qid, ans] : a) {
      const Question* q = survey.find(qid);
      if (!q || q->type != QuestionType::Text || ans.text.empty()) continue;
      all[qid][m.service_point].push_back(mask_personal(ans.text));
    }
  });
  if (!ok) return 1;
  std::cout << "Comments, per question and service point (emails, phone numbers and full postcodes masked).\n";
  for (const auto& q : survey.questions) {
    auto it = all.find(q.id);
    if (it == all.end()) continue;
    std::cout << "\n" << q.id << " " << survey.text(q.text, survey.default_locale) << "\n";
    for (const auto& [sp, list] : it->second) {
      std::cout << "  " << sp << " (" << list.size() << ")\n";
      for (const auto& c : list) std::cout << "    - " << c << "\n";
    }
  }
  return 0;
}

}  // namespace kiosk::cli
