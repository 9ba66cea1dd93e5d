#include "visitor_settings.hpp"

#include "text_entry.hpp"

#include <cstdio>

namespace kiosk::ui {

namespace {

void record_setting(AppState& s, const std::string& key, const std::string& value, const std::string& dflt) {
  if (!s.session) return;
  // Only settings actually used are recorded; a setting once used stays recorded.
  if (value == dflt && !s.session->meta().accessibility.count(key)) return;
  if (auto st = s.session->set_accessibility(key, value); !st)
    std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
}

// Joins sentences, without doubling the full stop a sentence already has.
void sentence(std::string& out, std::string part) {
  while (!part.empty() && part.back() == ' ') part.pop_back();
  if (part.empty()) return;
  if (!out.empty())
    out += (out.back() == '.' || out.back() == '?' || out.back() == ':' || out.back() == '!') ? " " : ". ";
  out += part;
}

std::string screen_summary(const AppState& s) {
  std::string out;
  for (const auto& it : s.tree.items()) {
    if (it.interactive || it.id == "header.title") continue;
    // The review's list is read as the visitor moves through it, not all at once.
    if (s.ui.screen == Screen::Review && it.id.rfind("review.q.", 0) == 0) continue;
    sentence(out, it.label);
  }
  return out;
}

std::string help_text(const AppState& s) {
  std::string where;
  switch (s.ui.screen) {
    case Screen::Home: where = s.tr("say.where.home") + " "; break;
    case Screen::Question: {
      const auto p = s.session ? s.session->progress() : Session::Progress{};
      where =
          s.tr("say.where.question", {{"position", std::to_string(p.position)}, {"total", std::to_string(p.total)}}) +
          " ";
      break;
    }
    case Screen::Review: where = s.tr("say.where.review") + " "; break;
    default: break;
  }
  return where + s.tr("say.help");
}

}  // namespace

void on(AppState& s, const intent::OpenPanel& in) {
  const bool settings = in.panel == Panel::Settings;
  if (s.ui.panel == Panel::Keyboard) s.ui.keyboard_under = true;
  s.ui.panel = settings ? Panel::Settings : Panel::Help;
  s.ui.focus = settings ? "settings.done" : "help.close";
}

void on(AppState& s, const intent::ClosePanel& in) {
  s.ui.panel = Panel::None;
  s.ui.focus = in.focus.empty() ? "bar.settings" : in.focus;
  if (s.ui.keyboard_under) reopen_keyboard(s);
}

void on(AppState& s, const intent::TextScale& in) {
  s.settings.text_scale = in.percent;
  apply_settings_change(s);
  s.say(s.tr("say.text_size", {{"n", std::to_string(in.percent)}}));
}

void on(AppState& s, const intent::ToggleContrast&) {
  s.settings.high_contrast = !s.settings.high_contrast;
  apply_settings_change(s);
  s.say(s.tr(s.settings.high_contrast ? "say.contrast.on" : "say.contrast.off"));
}

void on(AppState& s, const intent::ToggleFont&) {
  s.settings.dyslexia_font = !s.settings.dyslexia_font;
  apply_settings_change(s);
}

void on(AppState& s, const intent::ToggleSpeech&) {
  s.settings.speech = !s.settings.speech;
  apply_settings_change(s);
  if (s.settings.speech)
    s.say(s.tr("say.speech.on"));
  else if (s.speech)
    s.speech->stop();
}

std::string speech_offer(const AppState& s) { return s.tr("say.speech.offer"); }

std::string utterance(const AppState& s, const A11yItem& i) {
  // The tree's values are state words the code compares ("selected"); they are said in the visitor's language.
  static const std::pair<const char*, const char*> states[] = {{"selected", "state.selected"},
                                                               {"not selected", "state.not_selected"},
                                                               {"empty", "state.empty"},
                                                               {"on", "state.on"},
                                                               {"off", "state.off"}};
  std::string out = i.label;
  if (i.role == Role::Option || i.role == Role::Checkbox || i.role == Role::Button || i.role == Role::TextField)
    out += ", " + s.tr(std::string("role.") + (i.role == Role::Checkbox    ? "checkbox"
                                               : i.role == Role::TextField ? "textfield"
                                                                           : role_name(i.role)));
  if (!i.value.empty()) {
    std::string value = i.value;
    for (const auto& [word, key] : states)
      if (i.value == word) value = s.tr(key);
    out += ", " + value;
  }
  if (!i.enabled) out += ", " + s.tr("state.unavailable");
  return out;
}

void turn_speech_on(AppState& s) {
  s.ui.speech_offer_key = 0;
  if (s.settings.speech) return;
  s.settings.speech = true;
  apply_settings_change(s);
  // Read the screen from the start, as if it had just appeared.
  s.ui.last_spoken_screen.clear();
  s.ui.announce_prefix = s.tr("say.speech.now_on");
  s.redraw();
}

void on(AppState& s, const intent::Rate& in) {
  s.settings.rate = std::clamp(s.settings.rate + in.delta, 80, 400);
  apply_settings_change(s);
  s.say(s.tr("say.speed", {{"n", std::to_string(s.settings.rate)}}));
}

void on(AppState& s, const intent::Volume& in) {
  s.settings.volume = std::clamp(s.settings.volume + in.delta, 20, 100);
  apply_settings_change(s);
  s.say(s.tr("say.volume", {{"n", std::to_string(s.settings.volume)}}));
}

void on(AppState& s, const intent::Repeat&) { s.say(screen_summary(s)); }
void on(AppState& s, const intent::Help&) {
  // Shown whether or not speech is on; read out when it is.
  if (s.ui.panel == Panel::Keyboard || s.ui.panel == Panel::Idle) return s.say(help_text(s));
  s.ui.help_where = help_text(s);
  s.ui.panel = Panel::Help;
  s.ui.focus = "help.close";
  s.ui.last_spoken_screen = screen_key(s);
  s.say(s.tr("say.help.open", {{"where", s.ui.help_where}}));
}

void record_settings(AppState& s) {
  const VisitorSettings d;
  const VisitorSettings& v = s.settings;
  record_setting(s, "text_scale", std::to_string(v.text_scale), std::to_string(d.text_scale));
  record_setting(s, "high_contrast", v.high_contrast ? "on" : "off", "off");
  record_setting(s, "dyslexia_font", v.dyslexia_font ? "on" : "off", "off");
  record_setting(s, "speech", v.speech ? "on" : "off", "off");
  record_setting(s, "speech_rate", std::to_string(v.rate), std::to_string(d.rate));
}

void apply_settings_change(AppState& s) {
  // Re-rasterise only when the size or the letters change.
  s.fonts_dirty = s.fonts_dirty || s.fonts->scale != static_cast<float>(s.settings.text_scale) / 100.0f ||
                  s.fonts->dyslexic != s.settings.dyslexia_font;
  if (s.speech) {
    s.speech->set_rate(s.settings.rate);
    s.speech->set_volume(static_cast<float>(s.settings.volume) / 100.0f);
  }
  record_settings(s);
}

void reset_visitor_settings(AppState& s) {
  const bool changed = !(s.settings == VisitorSettings{});
  s.settings = VisitorSettings{};
  if (s.speech) {
    s.speech->stop();
    s.speech->set_rate(s.settings.rate);
    s.speech->set_volume(static_cast<float>(s.settings.volume) / 100.0f);
  }
  if (changed || s.fonts->scale != 1.0f || s.fonts->dyslexic) s.fonts_dirty = true;
}

std::string screen_key(const AppState& s) {
  const UiState& ui = s.ui;
  std::string key = std::to_string(static_cast<int>(ui.screen)) + "/" + std::to_string(static_cast<int>(ui.panel));
  if (ui.screen == Screen::Question && s.session && s.session->current()) key += "/" + s.session->current()->id;
  if (ui.screen == Screen::Info)
    key += "/" + std::to_string(static_cast<int>(ui.info_page.kind)) + "." + std::to_string(ui.info_page.number);
  if (ui.panel == Panel::Idle) key += "/" + std::to_string(ui.extensions);
  key += "/" + s.locale();  // a new language reads the screen again, in its voice
  return key;
}

std::string answers_key(const AppState& s) {
  std::string key;
  for (const auto& it : s.tree.items())
    if (it.id.rfind("opt.", 0) == 0) key += it.label + "\n";
  return key;
}

std::string question_speech(const AppState& s, const std::string& same_as) {
  std::string out;
  if (s.session) {
    const auto p = s.session->progress();
    sentence(out, s.tr("say.question", {{"position", std::to_string(p.position)}, {"total", std::to_string(p.total)}}));
  }
  std::vector<const A11yItem*> answers, fields, status;
  for (const auto& it : s.tree.items()) {
    if (it.id.rfind("header.", 0) == 0) {
      continue;  // the progress is said first, in words
    } else if (it.role == Role::Status) {
      status.push_back(&it);
    } else if (it.id.rfind("opt.", 0) == 0) {
      answers.push_back(&it);
    } else if (it.role == Role::TextField) {
      fields.push_back(&it);
    } else if (!it.interactive && it.id.rfind("q.", 0) == 0) {
      sentence(out, it.label);
    }
  }
  // A matrix: what is rated, on which answers, and each item as a question
  // of its own, with what is chosen so far.
  if (const Question* q = s.session ? s.session->current() : nullptr; q && q->in_matrix()) {
    const auto items = s.session->current_screen();
    const auto& opts = q->options;
    const std::string n = std::to_string(items.size());
    sentence(out, s.tr("say.matrix", {{"n", n},
                                      {"count", std::to_string(opts.size())},
                                      {"first", s.survey->text(opts.front().label, s.locale())},
                                      {"last", s.survey->text(opts.back().label, s.locale())}}));
    for (size_t k = 0; k < items.size(); ++k) {
      const Answer* a = s.session->answer_for(items[k]->id);
      const Option* o = a && !a->choices.empty() ? items[k]->find_option(a->choices.front()) : nullptr;
      MessageArgs args{{"k", std::to_string(k + 1)}, {"n", n}, {"item", s.survey->text(items[k]->text, s.locale())}};
      if (o) args.emplace_back("label", s.survey->text(o->label, s.locale()));
      sentence(out, s.tr(o ? "say.matrix.item.chosen" : "say.matrix.item.none", args));
    }
    for (const A11yItem* st : status) sentence(out, st->label);
    sentence(out, s.tr("say.how.matrix"));
    return out;
  }
  bool multiple = false;
  for (const A11yItem* a : answers) multiple = multiple || a->role == Role::Checkbox;
  // A long list (Q22's 17 ethnic groups took 82 s read in full) is said as a
  // count and how to browse it; each answer is read as the arrows reach it,
  // and what is already chosen is said.
  const bool long_list = answers.size() > kListReadInFull;
  bool any_chosen = false;
  for (const A11yItem* a : answers) any_chosen = any_chosen || a->value == "selected";
  // Q1's five answers took 14 s read out; Q2 to Q6 have the same five.
  const bool same = !long_list && !any_chosen && answers.size() > 1 && !same_as.empty() && same_as == answers_key(s);
  if (same)
    sentence(out, s.tr("say.answers.same", {{"n", std::to_string(answers.size())},
                                            {"first", answers.front()->label},
                                            {"last", answers.back()->label}}));
  for (size_t k = 0; k < answers.size() && !same; ++k) {
    const A11yItem& a = *answers[k];
    const bool chosen = a.value == "selected";
    if (long_list && !chosen) continue;
    sentence(out, s.tr(chosen ? "say.answer.chosen" : "say.answer.not_chosen",
                       {{"k", std::to_string(k + 1)}, {"count", std::to_string(answers.size())}, {"label", a.label}}));
  }
  for (const A11yItem* f : fields) sentence(out, utterance(s, *f));
  for (const A11yItem* st : status)
    if (st->id != "question.more" || !long_list) sentence(out, st->label);
  if (long_list)
    sentence(out, s.tr(multiple ? "say.answers.browse.multiple" : "say.answers.browse.single",
                       {{"n", std::to_string(answers.size())}}));
  else if (!answers.empty())
    sentence(out, s.tr(multiple ? "say.how.multiple" : "say.how.single"));
  else if (!fields.empty())
    sentence(out, s.tr("say.how.text"));
  return out;
}

std::string matrix_focus(const AppState& s) {
  std::string row, row_first, first_chosen;
  bool row_chosen = false;
  for (const auto& it : s.tree.items()) {
    if (!it.interactive || it.id.rfind("mx.", 0) != 0) continue;
    const std::string r = it.id.substr(0, it.id.rfind('.'));
    if (r != row) {
      if (!row.empty() && !row_chosen) return row_first;
      row = r, row_first = it.id, row_chosen = false;
    }
    row_chosen = row_chosen || it.value == "selected";
    if (it.value == "selected" && first_chosen.empty()) first_chosen = it.id;
  }
  if (row.empty()) return {};
  return row_chosen ? first_chosen : row_first;
}

namespace {

// The first thing to act on: a question's chosen answer, else its first
// answer or text box; the start button at home; else the first control.
std::string first_focus(const AppState& s) {
  const auto& items = s.tree.items();
  if (s.ui.panel == Panel::None) {
    if (s.ui.screen == Screen::Question) {
      if (std::string m = matrix_focus(s); !m.empty()) return m;
      for (const auto& it : items)
        if (it.interactive && it.id.rfind("opt.", 0) == 0 && it.value == "selected") return it.id;
      for (const auto& it : items)
        if (it.interactive && (it.id.rfind("opt.", 0) == 0 || it.role == Role::TextField)) return it.id;
    }
    if (s.ui.screen == Screen::Home && s.tree.find("home.start")) return "home.start";
    // The answers were checked one by one on the way: Send first, and the
    // list above it for whoever wants to go back through it.
    if (s.ui.screen == Screen::Review && s.tree.find("nav.submit")) return "nav.submit";
  }
  return s.tree.step("", 1);
}

}  // namespace

void announce(AppState& s) {
  const std::string key = screen_key(s);
  if (key == s.ui.last_spoken_screen) return;
  s.ui.last_spoken_screen = key;
  if (s.ui.focus.empty() || !s.tree.find(s.ui.focus)) {
    s.ui.focus = first_focus(s);
    // A question is seen from its start: its first answer may be below the
    // band at 200%, and takes the focus without sliding the words away.
    s.ui.focus_moved = !s.ui.focus.empty() && s.ui.screen != Screen::Question;
    s.redraw(4);  // the scroll to the focus, then the layout it leads to, settle over a few frames
  }
  std::string prefix = std::move(s.ui.announce_prefix);
  s.ui.announce_prefix.clear();
  if (s.ui.panel == Panel::Keyboard) return s.say(prefix);  // the keys speak as they are touched
  std::string text = prefix;
  if (s.ui.screen == Screen::Question && s.ui.panel == Panel::None) {
    sentence(text, question_speech(s, s.ui.last_answers_heard));
    s.ui.last_answers_heard = answers_key(s);
  } else {
    sentence(text, screen_summary(s));
    // Where the focus is, so Enter does what the visitor expects.
    if (const A11yItem* it = s.tree.find(s.ui.focus)) sentence(text, s.tr("say.now_on", {{"item", utterance(s, *it)}}));
    if (s.ui.panel != Panel::Idle) sentence(text, s.tr("say.how.move"));
  }
  s.say(text);
}

}  // namespace kiosk::ui
