// kiosk-admin breakdown and comments, on the responses `kiosk-admin open`
// wrote: the answers to each question by service point and by each
// characteristic the survey asks (age, sex, disability, ethnic group,
// caring), with small cells suppressed; and the free-text answers, per
// question and service point, with emails, phone numbers and full postcodes
// masked.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kiosk/session.hpp"
#include "kiosk/survey.hpp"

namespace kiosk::cli {

struct BreakdownOptions {
  std::vector<std::string> by;               // question ids to break down by ("service_point" for the place)
  std::vector<std::string> questions;        // the questions to break down (empty: every choice question)
  int threshold = 10;                        // counts below this (but above 0) are suppressed
  std::string csv_path;                      // every table, long form
  std::map<std::string, std::string> names;  // a by question's name ("Sex"), from the population file
};

int breakdown(const std::string& dir, const Survey& survey, const BreakdownOptions& opt);

// One breakdown table: per group (a service point, an option of the by
// question), how many answered and the count of each option chosen, in the
// question's order.
struct GroupTable {
  std::map<std::string, std::vector<std::int64_t>> cells;  // group -> count per option
  std::map<std::string, std::int64_t> rows;                // group -> answered
};
// A table per by and question, counted as completed responses are read.
class ChosenOptions;
struct Breakdowns {
  explicit Breakdowns(const Survey& survey) : survey_(survey) {}
  std::vector<std::string> by;  // question ids, or "service_point"
  std::vector<const Question*> questions;
  void add(const ResponseMeta& m, const ChosenOptions& chosen);
  // The table of by[b] and questions[q]; empty when nobody in a group answered.
  const GroupTable& table(size_t b, size_t q) const;

 private:
  // Counted per group first, so that a response costs one look-up of its
  // group per by (not one per by and question); the tables are made from
  // these when first read.
  struct Group {
    std::vector<std::int64_t> rows;                // per question: answered
    std::vector<std::vector<std::int64_t>> cells;  // per question, per option
  };
  // A by's groups: a question's options by number, or service points as they come.
  struct By {
    int question = -1;  // the by question's index; -1: the service point
    std::vector<std::string> keys;
    std::vector<Group> groups;
    size_t last = static_cast<size_t>(-1);  // the service point found last
  };
  static constexpr size_t kUnknown = static_cast<size_t>(-1);
  const Survey& survey_;
  std::vector<By> acc_;                                  // [by]
  mutable std::vector<std::vector<GroupTable>> tables_;  // [by][question]
  mutable bool built_ = false;
};
// The groups of a table in the by question's own order (service points by id).
std::vector<std::string> groups_in_order(const Survey& survey, const std::string& by, const GroupTable& t);
// A group's count of each of the question's options, in its order.
std::vector<std::int64_t> group_counts(const GroupTable& t, const std::string& group, const Question& q);
// Which of a group's counts are not published: the group itself when it has
// fewer than threshold respondents; each count from 1 to threshold-1; and,
// when exactly one is hidden in a single-choice question, the next smallest
// too, so the hidden one cannot be worked out from the group's total.
std::vector<bool> hidden_cells(const std::vector<std::int64_t>& counts, std::int64_t n, int threshold, bool multiple);

// Emails, phone numbers and full postcodes masked in a comment.
std::string mask_personal(const std::string& text);
int comments(const std::string& dir, const Survey& survey);

}  // namespace kiosk::cli
