// KioskApp: the screen's sleep outside the service point's opening hours.
#include <algorithm>

#include "app.hpp"
#include "kiosk/log.hpp"
#include "kiosk/opening_hours.hpp"
#include "visitor_flow.hpp"

namespace kiosk::ui {
using namespace std::chrono;

// Outside the service point's opening hours the screen goes dark once nobody
// is using it (as long after the last touch as the idle warning would take),
// and lights again at opening time or on a touch.
const OpeningHours* KioskApp::opening_hours() const {
  const ServicePoint* sp = opt_.config.find_service_point(opt_.config.service_point);
  return sp && !sp->opening.always_open() ? &sp->opening : nullptr;
}

std::optional<steady_clock::time_point> KioskApp::sleep_due() const {
  const OpeningHours* hours = opening_hours();
  if (!hours || st_->ui.asleep || st_->ui.screen != Screen::Home || st_->ui.panel != Panel::None ||
      visit_in_progress(*st_))
    return std::nullopt;
  const auto when = st_->ui.last_input + seconds(std::max(1, opt_.config.session.idle_warning_seconds));
  if (hours->open_at(local_minute_of_week(st_->clock.now() + duration_cast<system_clock::duration>(std::max(
                                                                 steady_clock::duration::zero(), when - now())))))
    return std::nullopt;
  return when;
}

void KioskApp::update_sleep() {
  const OpeningHours* hours = opening_hours();
  if (!hours) return;
  const bool open = hours->open_at(local_minute_of_week(st_->clock.now()));
  if (st_->ui.asleep && open) {
    st_->ui.asleep = false;
    st_->ui.last_input = now();
    st_->redraw(2);
    log::info("the library is open: the screen wakes");
  } else if (!st_->ui.asleep && !open) {
    if (auto due = sleep_due(); due && now() >= *due) {
      st_->ui.asleep = true;
      if (st_->speech) st_->speech->stop();
      st_->redraw(2);
      log::info("outside opening hours: the screen sleeps until opening time or a touch");
    }
  }
}

}  // namespace kiosk::ui
