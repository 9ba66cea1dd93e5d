// Result<T>: errors as values at module boundaries (architecture principle 7).
// A full disk, a broken survey file or a dead network is not a programmer
// mistake, so it travels back to the caller as an Error it can show.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace kiosk {

// What kind of failure an error is, so callers decide by kind and never by
// searching the message text.
enum class ErrorKind {
  Internal,    // a failure with no better kind (a bug, an unexpected library error)
  Validation,  // input that breaks a rule: an answer, a survey definition, a request
  Storage,     // the database could not be read or written
  DiskFull,    // the disk (or the database's quota) is full
  Network,     // the network or the hub could not be reached
  Auth,        // a token, PIN or permission was refused
  Config,      // a configuration file is missing, unreadable or wrong
  NotFound,    // a file, page, response or record that is not there
};

// The kind's name for logs ("disk full").
const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;  // for staff and logs: names what failed and where (file, field, line)
  std::string visitor;  // for a visitor at the screen; empty: the kind's general wording
};

inline Error make_error(std::string message) { return Error{ErrorKind::Internal, std::move(message), {}}; }
inline Error make_error(ErrorKind kind, std::string message, std::string visitor = {}) {
  return Error{kind, std::move(message), std::move(visitor)};
}
// The same error with another kind (a storage error that turns out to be a full disk, say).
inline Error with_kind(Error e, ErrorKind kind) {
  e.kind = kind;
  return e;
}
// What a visitor may be told: the error's own visitor wording, or the kind's
// calm general one. Never the technical message.
std::string visitor_message(const Error& e);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }
  const std::string& message() const { return error().message; }
  ErrorKind kind() const { return error().kind; }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }
  const std::string& message() const { return error_.message; }
  ErrorKind kind() const { return error_.kind; }

 private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

}  // namespace kiosk
