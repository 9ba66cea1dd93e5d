// Reads the cells of an .xlsx workbook (Office Open XML, ECMA-376) as text,
// for the XLSForm import. The archive is read with libzip and each part
// streamed through expat, so memory follows the cells kept, never the size a
// part claims; every limit below is an error that names the part.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk::xlsx {

struct Limits {
  // Bytes a part may inflate to (a sheet, the shared strings): a zip bomb
  // stops here, however small the archive.
  std::size_t max_part_bytes = 32u << 20;
  // Rows that hold anything, per sheet; a survey has tens, XLSForms in the
  // field a few thousand at most.
  std::size_t max_rows = 20000;
  std::size_t max_columns = 256;
  std::size_t max_cell_bytes = 64u << 10;
  std::size_t max_shared_strings = 200000;
};

struct Sheet {
  std::string name;  // as the workbook names it
  // Non-empty rows by 1-based row number; each row's cells by 0-based column
  // (A = 0), "" where a cell is empty. Numbers are their text as stored
  // ("2016", "0.5"); booleans "TRUE"/"FALSE".
  std::map<std::size_t, std::vector<std::string>> rows;
};

// "C" for 2, "AA" for 26.
std::string column_name(std::size_t column);

// Reads the sheets whose names, trimmed and in lower case, are in `wanted`
// (all of them when `wanted` is empty). Errors name the file and the part:
// "FORM.xlsx: xl/worksheets/sheet1.xml line 3: not well-formed (invalid token)".
Result<std::vector<Sheet>> read_workbook(const std::string& path, const std::vector<std::string>& wanted = {},
                                         const Limits& limits = {});

}  // namespace kiosk::xlsx
