#include "kiosk/population.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "toml_reader.hpp"

namespace kiosk {

using detail::ConfigError;
using detail::Reader;

double Benchmark::share(std::string_view code) const {
  for (const auto& s : shares)
    if (s.code == code) return s.share;
  return -1;
}

const Benchmark* Population::find(std::string_view question) const {
  for (const auto& b : benchmarks)
    if (b.question == question) return &b;
  return nullptr;
}

namespace {

// counts = { code = N, ... } or shares = { code = 0.12, ... }: figures in the
// question's option order, shares summing to 1.
void read_figures(const Reader& r, const toml::table& t, const std::string& p, const Question& q, Benchmark& b) {
  const auto* counts = t.get("counts");
  const auto* shares = t.get("shares");
  if (counts && shares) r.fail(*shares, p + ".shares", "give counts or shares, not both");
  if (!counts && !shares) r.missing(t, p, "counts (or shares)");
  const toml::node& node = counts ? *counts : *shares;
  const std::string key = p + (counts ? ".counts" : ".shares");
  const auto* tab = node.as_table();
  if (!tab || tab->empty()) r.fail(node, key, "must be a table of option codes, such as { \"18_29\" = 26318 }");
  std::set<std::string> outside(b.outside_base.begin(), b.outside_base.end());
  double total = 0;
  for (const auto& [k, v] : *tab) {
    const std::string code(k.str());
    if (!q.find_option(code)) r.fail(v, key + "." + code, "\"" + code + "\" is not an option of " + q.id);
    if (outside.count(code)) r.fail(v, key + "." + code, "is also listed in outside_base");
    double x = 0;
    if (counts) {
      const auto* n = v.as_integer();
      if (!n || n->get() < 0) r.fail(v, key + "." + code, "must be a whole number of people, 0 or more");
      x = static_cast<double>(n->get());
    } else {
      const auto* n = v.as_floating_point();
      const auto* i = v.as_integer();
      if (!n && !i) r.fail(v, key + "." + code, "must be a share between 0 and 1");
      x = n ? n->get() : static_cast<double>(i->get());
      if (!(x >= 0 && x <= 1)) r.fail(v, key + "." + code, "must be a share between 0 and 1");
    }
    total += x;
  }
  if (total <= 0) r.fail(node, key, "add up to nothing");
  if (shares && std::fabs(total - 1) > kShareTolerance) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "sum to %.4f, not 1 (within %.3f)", total, kShareTolerance);
    r.fail(node, key, buf);
  }
  for (const auto& o : q.options) {
    if (outside.count(o.code)) continue;
    const auto* v = tab->get(o.code);
    if (!v)
      r.fail(node, key,
             "option \"" + o.code + "\" of " + q.id +
                 " has no figure: give one, or list it in outside_base if the base does not cover it");
    PopulationShare s{o.code, 0, -1};
    if (counts) {
      s.count = v->as_integer()->get();
      s.share = static_cast<double>(s.count) / total;
    } else {
      s.share = (v->as_floating_point() ? v->as_floating_point()->get() : static_cast<double>(v->as_integer()->get())) /
                total;
    }
    b.shares.push_back(std::move(s));
  }
}

Benchmark read_benchmark(const Reader& r, const toml::table& t, const std::string& p, const Survey& survey) {
  r.known(t, p, {"question", "name", "base", "source", "table", "year", "note", "outside_base", "counts", "shares"});
  Benchmark b;
  b.line = static_cast<int>(t.source().begin.line);
  b.question = r.str(t, p, "question", true);
  const Question* q = survey.find(b.question);
  if (!q) r.fail(*t.get("question"), p + ".question", "\"" + b.question + "\" is not a question of " + survey.id);
  if (q->type != QuestionType::Single)
    r.fail(*t.get("question"), p + ".question",
           b.question + " is not a single-choice question: only those can be compared with a population");
  b.name = r.str(t, p, "name", false, b.question);
  b.base = r.str(t, p, "base", true);
  b.source = r.str(t, p, "source", true);
  b.table = r.str(t, p, "table", true);
  b.note = r.str(t, p, "note", false);
  b.year = r.integer(t, p, "year", 0, 1801, 2100);
  if (b.year == 0) r.missing(t, p, "year");
  for (const auto& s : {&b.base, &b.source, &b.table})
    if (s->empty()) r.fail(t, p, "base, source and table must not be empty");
  if (const auto* ob = t.get("outside_base")) {
    const auto* arr = ob->as_array();
    if (!arr) r.fail(*ob, p + ".outside_base", "must be a list of option codes");
    for (const auto& e : *arr) {
      if (!e.as_string() || !q->find_option(e.as_string()->get()))
        r.fail(e, p + ".outside_base", "must list option codes of " + q->id);
      b.outside_base.push_back(e.as_string()->get());
    }
  }
  read_figures(r, t, p, *q, b);
  return b;
}

}  // namespace

Result<Population> load_population(const std::string& path, const Survey& survey) {
  try {
    const auto root = detail::parse_file(path);
    Reader r(path);
    r.known(root, "", {"format", "area", "survey", "weight_by", "benchmark"});
    if (r.integer(root, "", "format", 0, 1, 1) != 1) r.missing(root, "", "format");
    Population pop;
    pop.path = path;
    pop.area = r.str(root, "", "area", true);
    pop.survey_id = r.str(root, "", "survey", true);
    if (pop.survey_id != survey.id)
      r.fail(*root.get("survey"), "survey",
             "the file is for survey \"" + pop.survey_id + "\", not \"" + survey.id + "\"");
    const auto* arr = root["benchmark"].as_array();
    if (!arr || arr->empty()) throw ConfigError{path + ": no [[benchmark]] tables"};
    for (size_t i = 0; i < arr->size(); ++i) {
      const std::string p = "benchmark[" + std::to_string(i) + "]";
      const auto* t = (*arr)[i].as_table();
      if (!t) r.fail((*arr)[i], p, "must be a table");
      Benchmark b = read_benchmark(r, *t, p, survey);
      if (pop.find(b.question)) r.fail(*t->get("question"), p + ".question", b.question + " is benchmarked twice");
      pop.benchmarks.push_back(std::move(b));
    }
    std::stable_sort(pop.benchmarks.begin(), pop.benchmarks.end(), [&](const Benchmark& a, const Benchmark& b) {
      return survey.find(a.question)->index < survey.find(b.question)->index;
    });
    if (const auto* w = root.get("weight_by")) {
      const auto* wa = w->as_array();
      if (!wa) r.fail(*w, "weight_by", "must be a list of question ids");
      for (const auto& e : *wa) {
        if (!e.as_string()) r.fail(e, "weight_by", "must be a list of question ids");
        const std::string id = e.as_string()->get();
        if (!pop.find(id)) r.fail(e, "weight_by", "\"" + id + "\" has no [[benchmark]] to weight to");
        pop.weight_by.push_back(id);
      }
    }
    return pop;
  } catch (const ConfigError& e) {
    return make_error(ErrorKind::Config, e.message);
  }
}

}  // namespace kiosk
