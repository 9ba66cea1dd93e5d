#include "spss.hpp"

#include <readstat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <vector>

#include "kiosk/export.hpp"
#include "represent.hpp"

namespace kiosk::cli {
namespace {

struct Sink {
  std::FILE* f = nullptr;
  bool failed = false;
};

ssize_t write_bytes(const void* data, size_t len, void* ctx) {
  auto* s = static_cast<Sink*>(ctx);
  if (std::fwrite(data, 1, len, s->f) != len) s->failed = true;
  return static_cast<ssize_t>(len);
}

// One variable of the file and where its value comes from.
struct Var {
  enum class Kind { Meta, Choice, Flag, Text, Other, Number, Date, Weight } kind;
  std::string name, meta;  // meta: which field (Kind::Meta)
  const Question* q = nullptr;
  std::string code;  // Flag: the option
  size_t width = 1;  // strings
  readstat_variable_t* rs = nullptr;
};

std::string question_label(const Survey& s, const Question& q) { return question_words(s, q, s.default_locale); }

// A date as SPSS keeps it: seconds since 14 October 1582.
double spss_seconds(const std::string& iso) {
  const DateParts p = split_date(iso);
  // Days from 1970-01-01 to the civil date (Howard Hinnant's days_from_civil).
  auto days = [](long y, long m, long d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  };
  const long from = days(1582, 10, 14);
  return static_cast<double>(days(std::stol(p.year), std::stol(p.month), std::stol(p.day)) - from) * 86400.0;
}

std::string meta_value(const Var& v, const ResponseMeta& m, const OpenedFileOptions& opt) {
  if (v.meta == "response_uuid") return m.uuid;
  if (v.meta == "service_point") return m.service_point;
  if (v.meta == "service_point_name") {
    auto it = opt.service_point_names.find(m.service_point);
    return it == opt.service_point_names.end() ? m.service_point : it->second;
  }
  if (v.meta == "started_utc") return m.started_utc;
  if (v.meta == "started_local") return local_time(m.started_utc);
  if (v.meta == "locale") return m.locale;
  if (v.meta == "mode") return m.mode;
  return {};
}

}  // namespace

int spss(const std::string& dir, const Survey& survey, const OpenedFileOptions& opt) {
  if (!opt.time_zone.empty()) {
    setenv("TZ", opt.time_zone.c_str(), 1);
    tzset();
  }
  std::vector<Var> vars;
  for (const char* m :
       {"response_uuid", "service_point", "service_point_name", "started_utc", "started_local", "locale", "mode"})
    vars.push_back({Var::Kind::Meta, m, m, nullptr, {}, 1, nullptr});
  for (const auto& q : survey.questions) {
    switch (q.type) {
      case QuestionType::Single:
      case QuestionType::Likert:
      case QuestionType::YesNo: vars.push_back({Var::Kind::Choice, q.id, {}, &q, {}, 1, nullptr}); break;
      case QuestionType::Multiple:
        for (const auto& o : q.options)
          vars.push_back({Var::Kind::Flag, q.id + "_" + o.code, {}, &q, o.code, 1, nullptr});
        break;
      case QuestionType::Date: vars.push_back({Var::Kind::Date, q.id, {}, &q, {}, 1, nullptr}); break;
      case QuestionType::Text:
      case QuestionType::Postcode: vars.push_back({Var::Kind::Text, q.id, {}, &q, {}, 1, nullptr}); break;
      case QuestionType::Integer:
      case QuestionType::Decimal: vars.push_back({Var::Kind::Number, q.id, {}, &q, {}, 1, nullptr}); break;
      case QuestionType::Note: break;
    }
    if (const Option* o = q.other_option())
      vars.push_back({Var::Kind::Other, q.id + "_other_text", {}, &q, o->code, 1, nullptr});
  }
  // Pass 1: how many cases, the widest string of each variable, the weights.
  const std::vector<Margin> margins = opt.population ? margins_of(*opt.population) : std::vector<Margin>{};
  CategoryRows rows{margins.size(), 0, {}};
  long cases = 0;
  auto text_of = [](const Var& v, const Answers& a) -> std::string {
    auto it = a.find(v.q->id);
    if (it == a.end()) return {};
    return v.kind == Var::Kind::Other ? it->second.other_text : it->second.text;
  };
  const MarginCategories category(survey, margins,
                                  opt.population ? opt.population->weight_by : std::vector<std::string>{});
  const bool ok = read_opened(dir, survey, [&](const ResponseMeta& m, const Answers& a, const ChosenOptions& chosen) {
    if (m.status != "completed") return;
    ++cases;
    for (auto& v : vars) {
      if (v.kind == Var::Kind::Meta) v.width = std::max(v.width, meta_value(v, m, opt).size());
      if (v.kind == Var::Kind::Text || v.kind == Var::Kind::Other) v.width = std::max(v.width, text_of(v, a).size());
    }
    if (!margins.empty()) {
      category.add_to(rows, chosen);
    }
  });
  if (!ok) return 1;
  if (cases == 0) {
    std::cerr << "kiosk-admin: " << dir << ": no completed responses: no .sav written\n";
    return 1;
  }
  std::vector<double> weights;
  if (!margins.empty()) {
    auto w = rake(rows, margins, opt.rake);
    if (!w) {
      std::cerr << "kiosk-admin: weighting to " << opt.population->path << ": " << w.message() << "\n";
      return 1;
    }
    weights = std::move(w->weights);
    vars.push_back({Var::Kind::Weight, "weight", {}, nullptr, {}, 1, nullptr});
  }

  Sink sink;
  sink.f = std::fopen(opt.out.c_str(), "wb");
  if (!sink.f) {
    std::cerr << "kiosk-admin: " << opt.out << ": cannot write it\n";
    return 1;
  }
  std::unique_ptr<readstat_writer_t, void (*)(readstat_writer_t*)> w(readstat_writer_init(), readstat_writer_free);
  readstat_set_data_writer(w.get(), write_bytes);
  readstat_writer_set_file_label(w.get(), survey.id.substr(0, 64).c_str());
  readstat_writer_set_compression(w.get(), READSTAT_COMPRESS_ROWS);
  readstat_label_set_t* flag_labels = readstat_add_label_set(w.get(), READSTAT_TYPE_INT32, "chosen");
  readstat_label_int32_value(flag_labels, 0, "Not chosen");
  readstat_label_int32_value(flag_labels, 1, "Chosen");
  for (auto& v : vars) {
    switch (v.kind) {
      case Var::Kind::Meta:
      case Var::Kind::Text:
      case Var::Kind::Other: {
        v.rs = readstat_add_variable(w.get(), v.name.c_str(), READSTAT_TYPE_STRING, std::min<size_t>(v.width, 32767));
        std::string label = v.kind == Var::Kind::Meta ? v.meta : question_label(survey, *v.q);
        if (v.kind == Var::Kind::Other) label = v.q->id + ": the respondent's own words for \"other\"";
        if (v.meta == "started_local") label = "started, local time (" + opt.time_zone + ")";
        readstat_variable_set_label(v.rs, label.substr(0, 255).c_str());
        readstat_variable_set_measure(v.rs, READSTAT_MEASURE_NOMINAL);
        break;
      }
      case Var::Kind::Choice: {
        readstat_label_set_t* set = readstat_add_label_set(w.get(), READSTAT_TYPE_INT32, (v.name + "_labels").c_str());
        for (size_t k = 0; k < v.q->options.size(); ++k)
          readstat_label_int32_value(set, static_cast<int32_t>(k + 1),
                                     survey.text(v.q->options[k].label, survey.default_locale).substr(0, 120).c_str());
        v.rs = readstat_add_variable(w.get(), v.name.c_str(), READSTAT_TYPE_INT32, 0);
        readstat_variable_set_label(v.rs, question_label(survey, *v.q).substr(0, 255).c_str());
        readstat_variable_set_label_set(v.rs, set);
        readstat_variable_set_measure(
            v.rs, v.q->type == QuestionType::Likert ? READSTAT_MEASURE_ORDINAL : READSTAT_MEASURE_NOMINAL);
        break;
      }
      case Var::Kind::Flag: {
        v.rs = readstat_add_variable(w.get(), v.name.c_str(), READSTAT_TYPE_INT32, 0);
        const Option* o = v.q->find_option(v.code);
        readstat_variable_set_label(
            v.rs, (v.q->id + ": " + survey.text(o->label, survey.default_locale)).substr(0, 255).c_str());
        readstat_variable_set_label_set(v.rs, flag_labels);
        readstat_variable_set_measure(v.rs, READSTAT_MEASURE_NOMINAL);
        break;
      }
      case Var::Kind::Number: {
        // A number is a scale variable, shown with the places it was asked with.
        v.rs = readstat_add_variable(w.get(), v.name.c_str(), READSTAT_TYPE_DOUBLE, 0);
        readstat_variable_set_label(v.rs, question_label(survey, *v.q).substr(0, 255).c_str());
        readstat_variable_set_format(v.rs, ("F12." + std::to_string(v.q->decimals)).c_str());
        readstat_variable_set_measure(v.rs, READSTAT_MEASURE_SCALE);
        break;
      }
      case Var::Kind::Date: {
        // A date variable, so SPSS and PSPP sort, filter and count by it.
        v.rs = readstat_add_variable(w.get(), v.name.c_str(), READSTAT_TYPE_DOUBLE, 0);
        readstat_variable_set_label(v.rs, question_label(survey, *v.q).substr(0, 255).c_str());
        readstat_variable_set_format(v.rs, "DATE11");
        readstat_variable_set_measure(v.rs, READSTAT_MEASURE_SCALE);
        break;
      }
      case Var::Kind::Weight:
        v.rs = readstat_add_variable(w.get(), "weight", READSTAT_TYPE_DOUBLE, 0);
        readstat_variable_set_label(v.rs, "raking weight to the population's margins (mean 1)");
        readstat_variable_set_format(v.rs, "F10.6");
        readstat_variable_set_measure(v.rs, READSTAT_MEASURE_SCALE);
        readstat_writer_set_fweight_variable(w.get(), v.rs);
        break;
    }
  }
  if (readstat_error_t e = readstat_begin_writing_sav(w.get(), &sink, cases); e != READSTAT_OK) {
    std::fclose(sink.f);
    std::cerr << "kiosk-admin: " << opt.out << ": " << readstat_error_message(e) << "\n";
    return 1;
  }
  size_t row = 0;
  readstat_error_t err = READSTAT_OK;
  read_opened(dir, survey, [&](const ResponseMeta& m, const Answers& a, const ChosenOptions&) {
    if (m.status != "completed" || err != READSTAT_OK) return;
    readstat_begin_row(w.get());
    for (const auto& v : vars) {
      auto it = v.q ? a.find(v.q->id) : a.end();
      const bool answered = it != a.end() && !it->second.empty();
      switch (v.kind) {
        case Var::Kind::Meta: readstat_insert_string_value(w.get(), v.rs, meta_value(v, m, opt).c_str()); break;
        case Var::Kind::Text:
        case Var::Kind::Other: {
          const std::string t = text_of(v, a);
          if (t.empty())
            readstat_insert_missing_value(w.get(), v.rs);
          else
            readstat_insert_string_value(w.get(), v.rs, t.c_str());
          break;
        }
        case Var::Kind::Choice: {
          int32_t code = 0;
          if (answered && !it->second.choices.empty())
            for (size_t k = 0; k < v.q->options.size(); ++k)
              if (v.q->options[k].code == it->second.choices[0]) code = static_cast<int32_t>(k + 1);
          if (code)
            readstat_insert_int32_value(w.get(), v.rs, code);
          else
            readstat_insert_missing_value(w.get(), v.rs);
          break;
        }
        case Var::Kind::Flag:
          if (answered)
            readstat_insert_int32_value(w.get(), v.rs, it->second.has(v.code) ? 1 : 0);
          else
            readstat_insert_missing_value(w.get(), v.rs);
          break;
        case Var::Kind::Number:
          if (answered)
            readstat_insert_double_value(w.get(), v.rs, std::strtod(it->second.text.c_str(), nullptr));
          else
            readstat_insert_missing_value(w.get(), v.rs);
          break;
        case Var::Kind::Date: {
          const auto iso = answered ? iso_date(split_date(it->second.text)) : std::nullopt;
          if (iso)
            readstat_insert_double_value(w.get(), v.rs, spss_seconds(*iso));
          else
            readstat_insert_missing_value(w.get(), v.rs);
          break;
        }
        case Var::Kind::Weight: readstat_insert_double_value(w.get(), v.rs, weights[row]); break;
      }
    }
    err = readstat_end_row(w.get());
    ++row;
  });
  if (err == READSTAT_OK) err = readstat_end_writing(w.get());
  const bool closed = std::fclose(sink.f) == 0;
  if (err != READSTAT_OK || sink.failed || !closed) {
    std::cerr << "kiosk-admin: " << opt.out << ": "
              << (err != READSTAT_OK ? readstat_error_message(err) : "could not write it (is the disk full?)") << "\n";
    std::remove(opt.out.c_str());
    return 1;
  }
  std::cerr << "wrote " << opt.out << ": " << cases << " cases, " << vars.size() << " variables"
            << (weights.empty() ? "" : ", weighted by \"weight\"") << "\n";
  return 0;
}

}  // namespace kiosk::cli
