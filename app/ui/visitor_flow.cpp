#include "visitor_flow.hpp"

#include <SDL.h>

#include <cstdio>

#include "text_entry.hpp"
#include "visitor_settings.hpp"

namespace kiosk::ui {
using namespace std::chrono;

namespace {

Screen screen_for(const Session& session) {
  return session.stage() == Session::Stage::Review ? Screen::Review : Screen::Question;
}

void start_session(AppState& s) {
  ResponseMeta m;
  m.kiosk_id = s.config.kiosk_id;
  m.service_point = s.config.service_point;
  m.locale = s.ui.locale.empty() ? s.config.default_locale : s.ui.locale;
  if (s.ui.assisted) {
    m.mode = "assisted";
    m.staff_id = s.ui.staff_id;
    m.assistance = s.ui.assistance;
  }
  auto started = Session::start(*s.survey, m, s.clock, s.store.get());
  if (!started) {
    s.ui.error = error_for_visitor(s, started.error());
    return;
  }
  s.session = std::move(started).value();
  record_settings(s);  // those the visitor changed before starting count too
  s.ui.last_input = s.now();
}

void answer_choice(AppState& s, const std::string& question, const std::string& option, bool toggle) {
  if (!s.session) return;
  const Question* q = nullptr;  // on screen: the question, or an item of its matrix
  for (const Question* p : s.session->current_screen())
    if (p->id == question) q = p;
  if (!q) return;
  const Answer* cur = s.session->answer_for(question);
  Answer a = cur ? *cur : Answer{};
  if (!toggle) {
    a.choices = {option};
  } else if (a.has(option)) {
    a.choices.erase(std::find(a.choices.begin(), a.choices.end(), option));
  } else {
    a.choices.push_back(option);
  }
  const Option* other = q->other_option();
  if (!other || !a.has(other->code)) a.other_text.clear();
  if (auto st = s.session->answer(question, a); !st) {
    s.ui.error = error_for_visitor(s, st.error());
    s.say(s.ui.error);
    return;
  }
  s.ui.error.clear();
  if (const A11yItem* it = s.tree.find(q->in_matrix() ? "mx." + question + "." + option : "opt." + option))
    s.say(s.tr(a.has(option) ? "say.selected" : "say.not_selected", {{"label", it->label}}));
  if (other && option == other->code && a.has(option) && a.other_text.empty())
    on(s, intent::OpenKeyboard{question, TextTarget::Other});
}

}  // namespace

void on(AppState& s, const intent::StartSurvey&) {
  s.ui.error.clear();
  s.ui.scroll_to_top = true;
  s.ui.focus = "nav.next";
  if (!s.survey->intro.empty())
    s.ui.screen = Screen::About;
  else
    on(s, intent::ShowPrivacy{});
}

void on(AppState& s, const intent::ShowPrivacy&) {
  s.ui.scroll_to_top = true;
  s.ui.focus = "nav.next";
  if (!s.survey->privacy.empty())
    s.ui.screen = Screen::Privacy;
  else
    on(s, intent::BeginQuestions{});  // a survey without a notice goes straight to its questions
}

void on(AppState& s, const intent::BeginQuestions&) {
  s.ui.last_answers_heard.clear();  // the first question's answers are read out
  if (!s.session) start_session(s);
  if (s.session) {
    s.ui.screen = screen_for(*s.session);
    s.ui.scroll_to_top = true;
    s.ui.focus.clear();
  }
}

void on(AppState& s, const intent::Choose& in) { answer_choice(s, in.question, in.option, false); }
void on(AppState& s, const intent::Toggle& in) { answer_choice(s, in.question, in.option, true); }

void on(AppState& s, const intent::Next&) {
  if (s.ui.panel == Panel::Keyboard) commit_keyboard(s, true);
  if (!s.session) return;
  if (auto st = s.session->next(); !st) {
    s.ui.error = error_for_visitor(s, st.error());
    s.say(s.ui.error);
    // In a matrix, the focus goes to the item the message names.
    s.ui.focus = matrix_focus(s);
    s.ui.focus_moved = !s.ui.focus.empty();
    return;
  }
  s.ui.error.clear();
  s.ui.screen = screen_for(*s.session);
  s.ui.scroll_to_top = true;
  s.ui.focus.clear();
}

void on(AppState& s, const intent::Back&) {
  UiState& ui = s.ui;
  ui.error.clear();
  ui.scroll_to_top = true;
  ui.focus.clear();
  switch (ui.screen) {
    case Screen::Question:
      if (ui.panel == Panel::Keyboard) commit_keyboard(s, true);
      if (s.session && !s.session->back()) {
        if (!s.survey->privacy.empty())
          ui.screen = Screen::Privacy;
        else if (!s.survey->intro.empty())
          ui.screen = Screen::About;
        else
          go_home(s);
      }
      break;
    case Screen::Review:
      if (s.session && s.session->back()) ui.screen = Screen::Question;
      break;
    // Back always leads somewhere: before the first question it ends at home.
    case Screen::Privacy:
      if (!s.survey->intro.empty())
        ui.screen = Screen::About;
      else
        go_home(s);
      break;
    case Screen::About: go_home(s); break;
    case Screen::Info:
      if (ui.info_page.kind == InfoPage::Kind::Numbered)
        ui.info_page = InfoPage::list();
      else
        go_home(s);
      break;
    case Screen::Pin:
      ui.pin.clear();
      ui.screen = s.session ? screen_for(*s.session) : Screen::Home;
      break;
    case Screen::Admin: go_home(s); break;
    case Screen::Assist: ui.screen = s.session ? Screen::Question : Screen::Home; break;
    default: break;
  }
}

void on(AppState& s, const intent::Review&) {
  if (s.session && s.session->go_to_review()) s.ui.screen = Screen::Review;
}

void on(AppState& s, const intent::Edit& in) {
  if (s.session && s.session->edit(in.question)) {
    s.ui.screen = Screen::Question;
    s.ui.scroll_to_top = true;
    s.ui.focus.clear();
  }
}

void on(AppState& s, const intent::Submit&) {
  if (!s.session) return;
  if (auto st = s.session->submit(); !st) {
    s.ui.error = error_for_visitor(s, st.error());
    if (s.session->stage() == Session::Stage::Question) s.ui.screen = Screen::Question;
    s.say(s.ui.error);
    return;
  }
  s.session.reset();
  s.ui.screen = Screen::Thanks;
  s.ui.thanks_since = s.now();
  s.ui.scroll_to_top = true;
  s.ui.focus = "thanks.home";
}

void on(AppState& s, const intent::Home&) {
  // The thank-you screen's Finish ends the visit; elsewhere Home is only a way back.
  if (s.ui.screen == Screen::Thanks) return end_visit(s, "", "");
  go_home(s);
}

void on(AppState& s, const intent::FinishVisit&) { end_visit(s, s.tr("say.finished"), "the visitor finished"); }

void on(AppState& s, const intent::OpenInfo& in) {
  s.ui.screen = Screen::Info;
  s.ui.info_page = in.page;
  s.ui.scroll_to_top = true;
  s.ui.focus.clear();
}

void on(AppState& s, const intent::ExtendTime&) {
  s.ui.extensions++;
  s.ui.last_input = s.now();
  s.ui.panel = Panel::None;
  s.ui.focus.clear();
  s.say(s.tr("say.more_time"));
}

void on(AppState& s, const intent::SetLocale& in) {
  s.ui.locale = in.locale;
  if (s.session) (void)s.session->set_locale(in.locale);
}

void go_home(AppState& s) {
  if (s.session) {
    (void)s.session->abandon("the visitor left the survey");
    s.session.reset();
  }
  // The screen starts afresh; the visitor's own choices stay with them.
  const std::string folder = s.ui.admin_folder;
  const std::string locale = s.ui.locale;
  s.ui = UiState{};
  s.ui.admin_folder = folder;
  s.ui.locale = locale;
  s.ui.last_input = s.now();
  SDL_StopTextInput();
  s.redraw();
}

namespace {

void finish_reset(AppState& s) {
  s.reset_pending = false;
  s.ui.locale.clear();
  reset_visitor_settings(s);
  s.redraw();
}

}  // namespace

void end_visit(AppState& s, const std::string& closing, const std::string& reason) {
  if (s.session) {
    if (auto st = s.session->abandon(reason.empty() ? "the visit ended" : reason); !st)
      std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
    s.session.reset();
  }
  go_home(s);
  s.ui.locale.clear();
  // The home screen is not read over the closing words.
  s.ui.last_spoken_screen = screen_key(s);
  if (!closing.empty()) s.say(closing);
  if (s.speaking()) {
    // Heard in the visitor's own voice settings; reset when the words end.
    s.reset_pending = true;
    s.reset_due = s.now() + seconds(20);
  } else {
    finish_reset(s);
  }
}

void end_session(AppState& s, const std::string& reason) { end_visit(s, "", reason); }

bool visit_in_progress(const AppState& s) {
  return s.session != nullptr || !(s.settings == VisitorSettings{}) || !s.ui.locale.empty();
}

void on_speech_finished(AppState& s) {
  if (s.reset_pending) return finish_reset(s);
  // The idle time counts from the end of what was said, not from the last touch.
  if (s.ui.panel != Panel::Idle) s.ui.last_input = s.now();
  s.redraw(1);
}

void update_visit_timers(AppState& s) {
  const auto& cfg = s.config.session;
  UiState& ui = s.ui;
  const auto t = s.now();
  if (s.reset_pending) {
    if (t >= s.reset_due || !s.speaking()) finish_reset(s);
    return;
  }
  if (ui.screen == Screen::Thanks) {
    if (t - ui.thanks_since >= seconds(cfg.thank_you_seconds)) end_visit(s, "", "");
    return;
  }
  if (ui.screen == Screen::Home && !visit_in_progress(s)) return;
  if (ui.panel == Panel::Idle) {
    if (t - ui.warning_since >= seconds(cfg.idle_response_seconds)) {
      end_visit(s, s.tr("say.timed_out"), "timed out: no answer to the idle warning");
      return;
    }
    s.redraw(1);  // the countdown changed
    return;
  }
  // Nobody is idle while listening: the time counts from the end of speech.
  if (s.speaking()) {
    ui.last_input = t;
    return;
  }
  const int warn = ui.assisted ? cfg.assisted_idle_warning_seconds : cfg.idle_warning_seconds;
  if (warn > 0 && t - ui.last_input >= seconds(warn)) {
    if (ui.panel == Panel::Keyboard) commit_keyboard(s, true);
    ui.panel = Panel::Idle;
    ui.warning_since = t;
    ui.focus = "idle.more";
    s.redraw();
  }
}

}  // namespace kiosk::ui
