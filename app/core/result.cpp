#include "kiosk/result.hpp"

#include "kiosk/catalogue.hpp"

namespace kiosk {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Internal: return "internal";
    case ErrorKind::Validation: return "validation";
    case ErrorKind::Storage: return "storage";
    case ErrorKind::DiskFull: return "disk full";
    case ErrorKind::Network: return "network";
    case ErrorKind::Auth: return "auth";
    case ErrorKind::Config: return "config";
    case ErrorKind::NotFound: return "not found";
  }
  return "internal";
}

std::string visitor_message(const Error& e) {
  std::string key;
  MessageArgs args;
  // A reference to the kiosk's catalogue: without one at hand, the English.
  if (parse_catalogue_reference(e.visitor, &key, &args)) return e.message;
  if (!e.visitor.empty()) return e.visitor;
  switch (e.kind) {
    case ErrorKind::Validation: return "Please check your answer.";
    case ErrorKind::DiskFull:
    case ErrorKind::Storage: return "Sorry, this screen could not save your answer. Please tell a member of staff.";
    default: return "Sorry, something went wrong. Please tell a member of staff.";
  }
}

}  // namespace kiosk
