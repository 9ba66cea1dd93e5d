#include "preview.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "headless_kiosk.hpp"
#include "kiosk/export.hpp"
#include "kiosk/seal.hpp"
#include "kiosk/survey.hpp"
#include "kiosk/survey_write.hpp"

namespace kiosk::ui {
namespace {

namespace fs = std::filesystem;

std::string two_digits(std::size_t n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02zu", n);
  return buf;
}

// The questions each screen starts with: every question, but a matrix's
// first item only (its items share one screen).
std::vector<std::size_t> screen_starts(const Survey& s) {
  std::vector<std::size_t> out;
  for (const auto& q : s.questions)
    if (!q.in_matrix() || s.matrix_of(q)->items.front() == q.index) out.push_back(q.index);
  return out;
}

// A screen's files: "07-q7", or a matrix's "08-rate".
std::string screen_stem(const Survey& s, std::size_t n) {
  const Question& q = s.questions[screen_starts(s)[n]];
  return two_digits(n + 1) + "-" + (q.in_matrix() ? s.matrix_of(q)->id : q.id);
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f.flush());
}

// One pass through every question in `locale`: a PNG of each at `scale`, or
// (with `speech`) the words read on arriving at each.
struct Pass {
  const KioskConfig& config;
  const Survey& survey;
  std::string locale;
  int scale = 100;
  bool speech = false;
  int width = 1280, height = 800;
};

Result<std::vector<std::string>> run_pass(const Pass& p, const std::string& dir) {
  rig::HeadlessKiosk k;
  if (auto st = k.start(p.config, p.width, p.height); !st) return st.error();
  auto go = [&](Intent i) {
    k.app->apply(i);
    k.settle(12);
  };
  if (p.locale != p.survey.default_locale) go(intent::SetLocale{p.locale});
  if (p.scale != 100) go(intent::TextScale{p.scale});
  if (p.speech) go(intent::ToggleSpeech{});
  k.speech.said.clear();
  go(intent::StartSurvey{});
  for (int guard = 0; guard < 5 && k.app->ui().screen != Screen::Question; ++guard) {
    k.speech.said.clear();  // what is read on arriving at the first question, only
    go(k.app->ui().screen == Screen::About ? Intent{intent::ShowPrivacy{}} : Intent{intent::BeginQuestions{}});
  }
  std::vector<std::string> said;
  const auto screens = screen_starts(p.survey);
  for (std::size_t n = 0; n < screens.size(); ++n) {
    const std::size_t i = screens[n];
    const Question* q = k.app->session() ? k.app->session()->current() : nullptr;
    if (k.app->ui().screen != Screen::Question || !q || q->id != p.survey.questions[i].id)
      return make_error(ErrorKind::Internal, "the preview could not reach question " + p.survey.questions[i].id);
    if (p.speech) {
      std::string words;
      for (const auto& s : k.speech.said)
        if (s != "<stopped>") words += (words.empty() ? "" : " ") + s;
      said.push_back(words);
      k.speech.said.clear();
    } else {
      const std::string png = dir + "/" + screen_stem(p.survey, n) + "-" + std::to_string(p.scale) + ".png";
      if (!k.shot(png)) return make_error(ErrorKind::Storage, png + ": cannot be written");
    }
    if (q->required) {
      // Answered as a visitor might, so Next goes on (the rules are off:
      // the answer changes nothing that follows).
      if (q->in_matrix()) {
        for (const Question* item : k.app->session()->current_screen())
          go(intent::Choose{item->id, item->options[0].code});
      } else if (q->has_options()) {
        go(q->type == QuestionType::Multiple ? Intent{intent::Toggle{q->id, q->options[0].code}}
                                             : Intent{intent::Choose{q->id, q->options[0].code}});
        if (q->options[0].other) go(intent::KeyboardDone{});
      } else if (q->type == QuestionType::Date) {
        const DateParts d = split_date(!q->min_date.empty()   ? q->min_date
                                       : !q->max_date.empty() ? q->max_date
                                                              : std::string("2016-06-13"));
        for (auto [target, part] : {std::pair{TextTarget::DateDay, d.day}, std::pair{TextTarget::DateMonth, d.month},
                                    std::pair{TextTarget::DateYear, d.year}}) {
          go(intent::OpenKeyboard{q->id, target});
          for (char ch : part) go(intent::KeyboardKey{std::string(1, ch)});
          go(intent::KeyboardDone{});
        }
      } else {
        const std::string typed = q->is_number()                      ? format_number(q->min_value.value_or(0), 0)
                                  : q->type == QuestionType::Postcode ? "BL9"
                                                                      : "Preview";
        go(intent::OpenKeyboard{q->id, TextTarget::Answer});
        for (char ch : typed) go(intent::KeyboardKey{std::string(1, ch)});
        go(intent::KeyboardDone{});
      }
    }
    k.speech.said.clear();
    go(intent::Next{});
  }
  return said;
}

}  // namespace

int run_preview(const PreviewOptions& opt) {
  auto loaded = load_survey_file(opt.survey_path);
  if (!loaded) {
    std::fprintf(stderr, "kiosk: %s\n", loaded.message().c_str());
    return 1;
  }
  const Survey& survey = *loaded;
  std::error_code ec;
  fs::create_directories(opt.out_dir, ec);
  const std::string work = opt.out_dir + "/.preview";
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  if (ec) {
    std::fprintf(stderr, "kiosk: %s: cannot be made: %s\n", work.c_str(), ec.message().c_str());
    return 1;
  }
  // The survey the preview runs: the same words and every question shown,
  // so Next reaches each in turn.
  Survey every = survey;
  for (auto& q : every.questions) q.show_if.reset();
  const Definition def = to_definition(every, "The preview's copy of " + opt.survey_path + ": every question shown.");
  const std::string copy = work + "/" + survey.id + ".toml";
  bool written = write_text(copy, def.survey_toml);
  for (const auto& [locale, text] : def.translations)
    written = written && write_text(survey_translation_path(copy, locale), text);
  KioskConfig c = opt.base;
  c.survey_path = copy;
  c.database_path = work + "/preview.db";
  c.seal_public_key_file = work + "/preview.pub";
  written = written && write_text(c.seal_public_key_file, format_public_key(generate_seal_key().pub));
  if (!written) {
    std::fprintf(stderr, "kiosk: %s: cannot be written\n", work.c_str());
    return 1;
  }
  if (c.pages_dir.empty()) {
    c.pages_dir = work + "/pages";  // no information pages: only the questions are previewed
    fs::create_directories(c.pages_dir, ec);
  }
  if (c.locales_dir.empty()) {
    // The catalogues beside the survey's folder, as the kiosk finds them.
    const fs::path beside = fs::absolute(opt.survey_path).parent_path().parent_path() / "locales";
    if (fs::is_directory(beside)) c.locales_dir = beside.string();
  }

  std::ostringstream html;
  html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Preview: "
       << html_escape(survey.text(survey.title, survey.default_locale))
       << "</title>\n<style>body{font-family:sans-serif;max-width:1400px;margin:auto}"
          "figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}img{border:1px solid #888;max-width:640px}"
          "p.speech{background:#f4f4f4;padding:.5em}</style></head><body>\n<h1>Preview: "
       << html_escape(survey.text(survey.title, survey.default_locale)) << " (" << html_escape(survey.id)
       << ", version " << html_escape(survey.version)
       << ")</h1>\n<p>Every question as a visitor meets it, at 100% and 200% text, "
       << "with the words speech reads on arriving. Questions asked only under conditions are shown too.</p>\n";
  int shots = 0;
  for (const auto& locale : survey.locales) {
    const std::string dir = opt.out_dir + "/" + locale;
    fs::create_directories(dir, ec);
    for (int scale : {100, 200}) {
      auto r = run_pass({c, every, locale, scale, false, opt.width, opt.height}, dir);
      if (!r) {
        std::fprintf(stderr, "kiosk: preview in %s at %d%%: %s\n", locale.c_str(), scale, r.message().c_str());
        return 1;
      }
      shots += static_cast<int>(screen_starts(every).size());
    }
    auto said = run_pass({c, every, locale, 100, true, opt.width, opt.height}, dir);
    if (!said) {
      std::fprintf(stderr, "kiosk: preview of speech in %s: %s\n", locale.c_str(), said.message().c_str());
      return 1;
    }
    std::ostringstream txt;
    html << "<section lang=\"" << html_escape(locale) << "\"" << (locale.rfind("ur", 0) == 0 ? " dir=\"rtl\"" : "")
         << ">\n<h2>" << html_escape(locale) << "</h2>\n";
    const auto screens = screen_starts(every);
    for (std::size_t n = 0; n < screens.size(); ++n) {
      const Question& q = every.questions[screens[n]];
      const Question& original = survey.questions[screens[n]];
      const Matrix* m = every.matrix_of(q);
      const std::string stem = screen_stem(every, n);
      txt << stem << "\n" << (*said)[n] << "\n\n";
      html << "<h3>" << two_digits(n + 1) << ". " << html_escape(m ? m->id : q.id) << " ("
           << (m ? "matrix of " + std::to_string(m->items.size()) + " items" : std::string(to_string(q.type)))
           << (q.required ? ", required" : "") << ")</h3>\n";
      if (original.show_if)
        html << "<p>Asked only if " << html_escape(describe_rule(survey, *original.show_if, locale)) << ".</p>\n";
      for (int scale : {100, 200})
        html << "<figure><img src=\"" << html_escape(locale) << "/" << stem << "-" << scale << ".png\" alt=\""
             << html_escape((*said)[n]) << "\"><figcaption>" << scale << "% text</figcaption></figure>\n";
      html << "<p class=\"speech\">Speech: " << html_escape((*said)[n]) << "</p>\n";
    }
    html << "</section>\n";
    if (!write_text(dir + "/speech.txt", txt.str())) {
      std::fprintf(stderr, "kiosk: %s/speech.txt: cannot be written\n", dir.c_str());
      return 1;
    }
  }
  html << "</body></html>\n";
  if (!write_text(opt.out_dir + "/index.html", html.str())) {
    std::fprintf(stderr, "kiosk: %s/index.html: cannot be written\n", opt.out_dir.c_str());
    return 1;
  }
  fs::remove_all(work, ec);
  std::printf(
      "Preview of %s written to %s: %zu question screens in %zu %s, %d screens (100%% and 200%% text) and "
      "what speech says on each; open %s/index.html\n",
      opt.survey_path.c_str(), opt.out_dir.c_str(), screen_starts(survey).size(), survey.locales.size(),
      survey.locales.size() == 1 ? "language" : "languages", shots, opt.out_dir.c_str());
  return 0;
}

}  // namespace kiosk::ui
