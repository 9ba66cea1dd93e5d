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

std::string error_for_visitor(const AppState& s, const Error& err) {
  // A rule the core names by its catalogue key: in the visitor's language,
  // with this deployment's example postcode when it has one.
  std::string key;
  MessageArgs args;
  if (parse_catalogue_reference(err.visitor, &key, &args)) {
    if (key == "rule.postcode" && !s.config.deployment.postcode_example.empty()) key = "rule.postcode.example";
    return s.tr(key, std::move(args));
  }
  if (err.kind == ErrorKind::Validation) return err.message;
  std::fprintf(stderr, "kiosk: %s: %s\n", to_string(err.kind), err.message.c_str());
  return s.tr(err.kind == ErrorKind::Storage || err.kind == ErrorKind::DiskFull ? "error.storage" : "error.other");
}

std::string error_for_visitor(const Error& err) {
  if (err.kind == ErrorKind::Validation) return err.message;
  std::fprintf(stderr, "kiosk: %s: %s\n", to_string(err.kind), err.message.c_str());
  return visitor_message(err);
}

}  // namespace kiosk::ui
