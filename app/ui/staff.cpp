#include "staff.hpp"
#include "kiosk/log.hpp"

#include "admin.hpp"
#include "kiosk/crypto.hpp"
#include "visitor_flow.hpp"
#include "visitor_settings.hpp"

namespace kiosk::ui {
using namespace std::chrono;

namespace {

void signed_in(AppState& s, const PinResult& r) {
  s.pin_policy.record_success();
  s.ui.pin_message.clear();
  s.ui.pin_lock_shown = false;
  if (r.role == "admin") {
    open_admin(s);
  } else {
    s.ui.staff_id = r.id;
    s.ui.staff_name = r.name;
    s.ui.screen = Screen::Assist;
    s.ui.focus = "assist.read_aloud";
  }
}

void refused(AppState& s) {
  UiState& ui = s.ui;
  if (s.pin_policy.record_failure()) {
    ui.pin_lock_shown = true;
    ui.pin_message = s.tr("pin.locked", {{"n", std::to_string(s.pin_policy.lockout().count() / 60)}});
    log::warning("staff PIN entry locked for " + std::to_string(s.pin_policy.lockout().count() / 60) +
                 " minutes after too many wrong PINs");
  } else {
    const int left = s.pin_policy.attempts_left();
    ui.pin_message = s.tr("pin.wrong", {{"n", std::to_string(left)}});
  }
  s.say(ui.pin_message);
}

void pin_checked(AppState& s, const PinResult& r) {
  s.ui.pin_checking = false;
  s.redraw();
  if (r.role.empty())
    refused(s);
  else
    signed_in(s, r);
}

}  // namespace

void on(AppState& s, const intent::OpenPin&) {
  s.ui.panel = Panel::None;
  s.ui.keyboard_under = false;  // staff take over; the draft is not kept
  s.ui.screen = Screen::Pin;
  s.ui.pin.clear();
  s.ui.pin_message.clear();
  s.ui.focus = "pin.key.1";
}

void on(AppState& s, const intent::PinDigit& in) {
  if (s.ui.pin.size() < 12) s.ui.pin += in.digit;
  s.say(s.tr("say.digit", {{"n", std::to_string(s.ui.pin.size())}}));
}

void on(AppState& s, const intent::PinDelete&) {
  if (!s.ui.pin.empty()) s.ui.pin.pop_back();
  s.say(s.tr("say.delete"));
}

void on(AppState& s, const intent::PinSubmit&) {
  if (!s.pin_policy.allows_attempt()) return;
  // The demonstration PINs are in the README for all to read: never a way in.
  if (s.config.demo_pins && !demo_pins_allowed()) {
    s.ui.pin.clear();
    s.ui.pin_message = s.tr("pin.demo");
    s.say(s.ui.pin_message);
    return;
  }
  if (s.ui.pin.empty() || s.jobs->pending(JobQueue::Kind::PinCheck)) return;
  s.ui.pin_checking = true;
  const std::string pin = s.ui.pin;
  s.ui.pin.clear();
  const auto staff = s.config.staff;
  const std::string admin_hash = s.config.admin_pin_hash;
  // Argon2id takes a noticeable moment: never on the frame thread.
  s.jobs->post(JobQueue::Kind::PinCheck, [pin, staff, admin_hash, state = &s]() -> JobQueue::Finish {
    PinResult r = [&] {
      for (const auto& m : staff)
        if (verify_pin(m.pin_hash, pin)) return PinResult{"staff", m.id, m.name.empty() ? m.id : m.name};
      if (!admin_hash.empty() && verify_pin(admin_hash, pin)) return PinResult{"admin", "admin", "Admin"};
      return PinResult{};
    }();
    return [state, r] { pin_checked(*state, r); };
  });
}

void on(AppState& s, const intent::ToggleAssistance& in) {
  auto& v = s.ui.assistance;
  if (auto it = std::find(v.begin(), v.end(), in.code); it != v.end())
    v.erase(it);
  else
    v.push_back(in.code);
}

void on(AppState& s, const intent::AssistedSpeechAndLargeText&) {
  s.settings.speech = true;
  s.settings.text_scale = std::max(s.settings.text_scale, 150);
  apply_settings_change(s);
  s.say(s.tr("say.assist.speech"));
}

void on(AppState& s, const intent::AssistedStart&) {
  s.ui.assisted = true;
  s.ui.last_input = s.now();
  if (s.session) {
    if (auto st = s.session->set_assisted(s.ui.staff_id, s.ui.assistance); !st)
      s.ui.error = error_for_visitor(s, st.error());
    s.ui.screen = s.session->stage() == Session::Stage::Review ? Screen::Review : Screen::Question;
  } else {
    on(s, intent::StartSurvey{});
  }
}

void on(AppState& s, const intent::EndAssisted&) {
  s.ui.assisted = false;
  s.ui.staff_id.clear();
  s.ui.staff_name.clear();
  s.ui.assistance.clear();
  go_home(s);
}

void update_pin_lock(AppState& s) {
  UiState& ui = s.ui;
  if (ui.screen == Screen::Pin && ui.pin_lock_shown && !s.pin_policy.locked()) {
    ui.pin_message.clear();
    ui.pin_lock_shown = false;
    s.redraw(1);
  }
}

}  // namespace kiosk::ui
