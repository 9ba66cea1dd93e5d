// kiosk-admin breakdown and comments, on the responses `kiosk-admin open`
// wrote: the answers to each question by service point and by each
// characteristic the survey asks (age, sex, disability, ethnic group,
// caring), with small cells suppressed; and the free-text answers, per
// question and service point, with emails, phone numbers and full postcodes
// masked.
#pragma once

#include <map>
#include <string>
#include <vector>

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

// Emails, phone numbers and full postcodes masked in a comment.
std::string mask_personal(const std::string& text);
int comments(const std::string& dir, const Survey& survey);

}  // namespace kiosk::cli
