// XLSForm in and out: a survey written in a spreadsheet (the `survey`,
// `choices` and `settings` sheets that ODK, KoboToolbox, SurveyCTO and Ona
// read) becomes a survey definition in this kiosk's format, and back.
// What is supported, and how each column maps, is in kiosk-config/README.md
// ("Surveys written in a spreadsheet: XLSForm").
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kiosk/result.hpp"
#include "kiosk/survey.hpp"
#include "kiosk/survey_write.hpp"
#include "xlsx_reader.hpp"

namespace kiosk::xlsform {

using kiosk::Definition;
using kiosk::differences;
using kiosk::to_definition;

struct Imported {
  Survey survey;  // every text in every language (LocalText by locale)
  // What the kiosk leaves out on purpose, each naming the sheet, row and
  // column: metadata it records itself, presentation hints it does its own way.
  std::vector<std::string> warnings;
  // The survey sheet's row of each question and section (by id), to name it in later errors.
  std::map<std::string, std::size_t> survey_rows;
};

// Reads an XLSForm workbook. Anything it cannot carry over faithfully is an
// error naming the file, sheet, row, column and reason, e.g.
//   FORM.xlsx: sheet "survey", row 12, column F (relevant): ${q9} comes after this question: ...
Result<Imported> import_xlsx(const std::string& path, const xlsx::Limits& limits = {});
Result<Imported> import_sheets(const std::vector<xlsx::Sheet>& sheets, const std::string& source);

// Checks `def` as the kiosk would load it from DIR/<id>.toml, then writes
// it there (each file replaced whole, only once all of them check out).
// Returns the survey file's path. `source` names the workbook in errors.
Result<std::string> write_definition(const Imported& imported, const Definition& def, const std::string& dir,
                                     const std::string& source);

// Languages as XLSForm columns name them ("label::Polish (pl)"): lower-case
// English names and their codes, and the column form of a code ("Polish (pl)";
// the bare code when the name is not known).
const std::vector<std::pair<std::string, std::string>>& language_names();
std::string language_label(const std::string& code);

// The choice lists a survey is written with, in a workbook or an XForm: a
// scale under its name, a matrix's answers under the matrix, yes/no answers
// with the same words shared as yes_no, else a question's answers under its
// id. Each question's list, and each list's answers once, in survey order.
struct ChoiceLists {
  std::map<std::string, std::string> of;  // question id -> list name
  std::vector<std::pair<std::string, const std::vector<Option>*>> lists;
};
ChoiceLists choice_lists(const Survey& survey);

// A show-if rule in XLSForm's and XForms' XPath, each question named by
// `ref` ("${q9}" in a workbook, " /data/part/q9 " in an XForm).
std::string rule_xpath(const Rule& rule, const Survey& survey,
                       const std::function<std::string(const std::string&)>& ref);

// The survey as an XLSForm workbook (libxlsxwriter).
Status export_xlsx(const Survey& survey, const std::string& path);

}  // namespace kiosk::xlsform
