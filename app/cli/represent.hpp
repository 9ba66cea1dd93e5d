// kiosk-admin represent: who answered against who lives in the area, from
// the responses `kiosk-admin open` wrote (responses.jsonl), as text for the
// analyst and as a CSV for a spreadsheet.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kiosk/session.hpp"

#include "kiosk/population.hpp"
#include "kiosk/survey.hpp"
#include "kiosk/weighting.hpp"

namespace kiosk::cli {

// A response's chosen options as their numbers in each question (at the
// question's index in the survey), so that counting compares no option
// codes. A code the survey does not know is kUnknown: the question was
// answered, with none of its options.
class ChosenOptions {
 public:
  static constexpr std::uint16_t kUnknown = 0xffff;
  // Starts a response of a survey with this many questions.
  void start(size_t questions) {
    all_.clear();
    end_.assign(questions, 0);
    done_ = 0;
  }
  // An option of question q chosen; questions in the survey's order.
  void add(size_t q, std::uint16_t k) {
    for (; done_ < q && done_ < end_.size(); ++done_) end_[done_] = static_cast<std::uint32_t>(all_.size());
    all_.push_back(k);
  }
  // Ends the response: call before reading it.
  void finish() {
    for (; done_ < end_.size(); ++done_) end_[done_] = static_cast<std::uint32_t>(all_.size());
  }
  // Question q's chosen options, in the order they were added.
  std::span<const std::uint16_t> of(size_t q) const {
    if (q >= end_.size()) return {};
    const size_t from = q ? end_[q - 1] : 0;
    return {all_.data() + from, end_[q] - from};
  }
  // Its first chosen option, -1 when none (or the code was unknown).
  int first(size_t q) const {
    auto c = of(q);
    return c.empty() || c[0] == kUnknown ? -1 : c[0];
  }
  // The codes of `answers` as numbers.
  void from(const Survey& survey, const Answers& answers);

 private:
  std::vector<std::uint16_t> all_;
  std::vector<std::uint32_t> end_;  // per question: where its options end in all_
  size_t done_ = 0;
};

// Where opened responses come from: `for_each` calls `each` for every
// response, in the same order each time (a report reads them twice), and is
// false when they cannot be read (said on stderr); `where` names them in
// messages. From a folder `kiosk-admin open` wrote (opened_in), or from the
// hub's responses held in memory. What was chosen is read from `chosen`;
// `answers` carries the written text (the hub's copy gives text only).
using OpenedEach = std::function<void(const ResponseMeta&, const Answers&, const ChosenOptions&)>;
struct OpenedResponses {
  std::string where;
  std::function<bool(const OpenedEach&)> for_each;
  // The same responses giving only each one's status, service point and
  // chosen options (the rest may be left empty), for a pass that only
  // weighs them; none: for_each.
  std::function<bool(const OpenedEach&)> for_each_choice;
};
// Each response `kiosk-admin open` wrote to DIR/responses.jsonl, with its
// answers in full; a line that does not read, or a response of another
// survey, is reported with the file and line, and false returned.
bool read_opened(const std::string& dir, const Survey& survey, const OpenedEach& each);
OpenedResponses opened_in(const std::string& dir, const Survey& survey);

// Reads DIR/responses.jsonl (completed responses of `survey`), prints the
// figures overall, then what is under-represented per service point and
// per week; writes every figure to csv_path when given. Returns the exit code.
int represent(const std::string& dir, const Survey& survey, const Population& pop, const std::string& csv_path);

// The first pass over opened responses: how many are completed and, when
// the population names margins, their raking weights in the order read
// (the second pass reads them in the same order). Problems are said on
// stderr and give nothing.
struct OpenedWeights {
  std::int64_t completed = 0, abandoned = 0;
  std::optional<RakeResult> rake;  // none: unweighted
  double weight(size_t i) const { return rake ? rake->weights[i] : 1.0; }
};
std::optional<OpenedWeights> weigh_opened(const OpenedResponses& from, const Survey& survey, const Population* pop,
                                          const RakeOptions& opt);
std::optional<OpenedWeights> weigh_opened(const std::string& dir, const Survey& survey, const Population* pop,
                                          const RakeOptions& opt);

// An option's label in the survey's first language (its code if unknown).
std::string label_of(const Survey& survey, const std::string& question, const std::string& code);
// A respondent's category in each weighting margin, the margins' questions
// in `questions` (-1: not answered, or outside the base).
class MarginCategories {
 public:
  MarginCategories(const Survey& survey, const std::vector<Margin>& margins, const std::vector<std::string>& questions);
  // Adds the respondent's row to `rows` (of width margins.size()).
  void add_to(CategoryRows& rows, const ChosenOptions& chosen) const;

 private:
  std::vector<size_t> question_;            // per margin: its question's index
  std::vector<std::vector<int>> category_;  // per margin: option number -> category (-1: none)
};

// What a file written from opened responses needs (spss, workbook).
struct OpenedFileOptions {
  std::string out;
  const Population* population = nullptr;  // weights when it has weight_by
  RakeOptions rake;
  std::map<std::string, std::string> service_point_names;
  std::string time_zone = "Europe/London";
};

// A share as a percentage ("12.3%"; "0.25%" below 1%) and a count with
// thousands separated ("12,345").
std::string pct(double x);
std::string thousands(std::int64_t n);

// Per choice question: how many answered, the sums of their weights (and
// squares, for the effective n), and per option the unweighted count and the
// weighted sum. Unweighted figures are these with every weight 1.
struct WeightedQuestion {
  struct Cell {
    std::int64_t n = 0;
    double w = 0;
  };
  std::int64_t answered = 0;
  double w = 0, w2 = 0;
  std::vector<Cell> options;  // in the question's order
  double effective_n() const { return w2 > 0 ? w * w / w2 : 0; }
  double unweighted(size_t k) const;  // share of those who answered
  double weighted(size_t k) const;
  // The 95% margin of error of the weighted share, from the effective n.
  double margin(size_t k) const;
};
// One per question of the survey, at Question::index.
std::vector<WeightedQuestion> weighted_table(const Survey& survey);
void add_weighted(std::vector<WeightedQuestion>& table, const Survey& survey, const ChosenOptions& chosen,
                  double weight);

// "2016-06-13T10:02:00Z" in the process's local time zone ("2016-06-13 11:02").
std::string local_time(const std::string& utc);

// Counts and percentages per question from DIR/responses.jsonl (completed
// responses): weighted by raking to the population's weight_by margins when
// it has them (unweighted n and %, weighted % and its margin of error), and
// the weights written to weights_path (response_uuid,weight) when given;
// otherwise overall and by service point, unweighted. Returns the exit code.
int summary(const std::string& dir, const Survey& survey, const Population* pop, const RakeOptions& opt,
            const std::string& weights_path);

}  // namespace kiosk::cli
