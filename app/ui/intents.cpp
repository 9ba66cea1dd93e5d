// The dispatcher: each intent goes to the handler overload for its type, in
// the file named for its concern (visitor_flow, text_entry, visitor_settings,
// staff, admin). A new intent that has no handler fails to compile here.
#include <cstdio>

#include "admin.hpp"
#include "app_state.hpp"
#include "staff.hpp"
#include "text_entry.hpp"
#include "visitor_flow.hpp"
#include "visitor_settings.hpp"

namespace kiosk::ui {

void apply(AppState& s, const Intent& in) {
  s.redraw();
  std::visit([&s](const auto& i) { on(s, i); }, in);
}

std::string error_for_visitor(const std::string& what) {
  std::fprintf(stderr, "kiosk: %s\n", what.c_str());
  return "Sorry, this screen could not save your answer. Please tell a member of staff.";
}

}  // namespace kiosk::ui
