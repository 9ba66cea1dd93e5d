// Writes an imported survey's definition where the kiosk will read it, once
// the kiosk's own loader has read it back.
#include <filesystem>
#include <fstream>
#include <regex>
#include <system_error>

#include "xlsform.hpp"

namespace kiosk::xlsform {

namespace {

// "sections[2].questions[1]" in a loader error -> that question's id.
std::string question_in(const Survey& sv, const std::string& message) {
  static const std::regex re(R"(sections\[(\d+)\]\.questions\[(\d+)\])");
  std::smatch m;
  if (!std::regex_search(message, m, re)) return {};
  std::size_t s = std::stoul(m[1]), q = std::stoul(m[2]);
  if (s >= sv.sections.size() || q >= sv.sections[s].questions.size()) return {};
  return sv.questions[sv.sections[s].questions[q]].id;
}

Status write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) return make_error(ErrorKind::Storage, tmp + ": cannot be written");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error(ErrorKind::Storage, path + ": cannot be written: " + ec.message());
  return {};
}

}  // namespace

Result<std::string> write_definition(const Imported& imported, const Definition& def, const std::string& dir,
                                     const std::string& source) {
  const Survey& sv = imported.survey;
  std::string path = (std::filesystem::path(dir) / (sv.id + ".toml")).string();
  // The kiosk's own checks, on exactly what will be written.
  auto fail = [&](const Error& e) -> Error {
    std::string msg = source + ": the survey it makes does not pass the kiosk's checks: " + e.message;
    if (std::string q = question_in(sv, e.message); !q.empty())
      if (auto it = imported.survey_rows.find(q); it != imported.survey_rows.end())
        msg += " (question \"" + q + "\", sheet \"survey\", row " + std::to_string(it->second) + ")";
    return make_error(ErrorKind::Validation, msg);
  };
  auto parsed = parse_survey(def.survey_toml, path);
  if (!parsed) return fail(parsed.error());
  for (const auto& [locale, text] : def.translations)
    if (auto st = apply_survey_translation(*parsed, locale, text, survey_translation_path(path, locale)); !st)
      return fail(st.error());

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorKind::Storage, dir + ": cannot be made: " + ec.message());
  for (const auto& [locale, text] : def.translations)
    if (auto st = write_file(survey_translation_path(path, locale), text); !st) return st.error();
  if (auto st = write_file(path, def.survey_toml); !st) return st.error();
  return path;
}

}  // namespace kiosk::xlsform
