#include "kiosk/db.hpp"

#include <sqlite3.h>

#include <utility>

namespace kiosk::db {

namespace {
std::string describe(int code, const char* msg) {
  std::string what;
  switch (code & 0xff) {
    case SQLITE_FULL: what = "the disk is full"; break;
    case SQLITE_NOTADB: what = "the file is not a kiosk database"; break;
    case SQLITE_CORRUPT: what = "the database file is damaged"; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: what = "the database is busy (another program holds a lock)"; break;
    case SQLITE_READONLY: what = "the database is read-only"; break;
    case SQLITE_CANTOPEN: what = "the file cannot be opened"; break;
    case SQLITE_IOERR: what = "a disk read or write failed"; break;
    case SQLITE_PERM: what = "permission denied"; break;
    default: break;
  }
  std::string out = what.empty() ? std::string(msg ? msg : "unknown error") : what;
  if (!what.empty() && msg) out += std::string(" (") + msg + ")";
  return out;
}
ErrorKind kind_of(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL: return ErrorKind::DiskFull;
    case SQLITE_CONSTRAINT: return ErrorKind::Validation;
    default: return ErrorKind::Storage;
  }
}
}  // namespace

Connection::Connection(Connection&& o) noexcept : h_(std::exchange(o.h_, nullptr)), path_(std::move(o.path_)) {}
Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    if (h_) sqlite3_close_v2(h_);
    h_ = std::exchange(o.h_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}
Connection::~Connection() {
  if (h_) sqlite3_close_v2(h_);
}

Result<Connection> Connection::open(const std::string& path, OpenMode mode, int busy_timeout_ms) {
  Connection c;
  c.path_ = path;
  int flags = SQLITE_OPEN_NOMUTEX;  // one connection per thread, never shared
  switch (mode) {
    case OpenMode::Create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case OpenMode::ReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case OpenMode::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
  }
  const int rc = sqlite3_open_v2(path.c_str(), &c.h_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = path + ": " + describe(rc, c.h_ ? sqlite3_errmsg(c.h_) : nullptr);
    const bool missing = (rc & 0xff) == SQLITE_CANTOPEN && mode != OpenMode::Create;
    if (missing) msg = path + ": no database here (wrong path, or nothing collected yet?)";
    return make_error(missing ? ErrorKind::NotFound : kind_of(rc), msg);
  }
  sqlite3_extended_result_codes(c.h_, 1);
  sqlite3_busy_timeout(c.h_, busy_timeout_ms);
  // Touch the file so a non-database is reported here, not on first use.
  if (auto st = c.exec("PRAGMA foreign_keys=ON; SELECT count(*) FROM sqlite_schema;"); !st) return st.error();
  // Deleted rows and freed pages are overwritten, not left readable in the
  // file's free space (a kiosk's disk may leave the building).
  if (auto st = c.exec("PRAGMA secure_delete=ON;"); !st) return st.error();
  if (mode != OpenMode::ReadOnly) {
    if (auto st = c.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !st) return st.error();
  }
  return c;
}

Status Connection::exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(h_, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    Error e = make_error(kind_of(rc), path_ + ": " + describe(rc, err ? err : sqlite3_errmsg(h_)));
    sqlite3_free(err);
    return e;
  }
  return {};
}

std::int64_t Connection::changes() const { return sqlite3_changes64(h_); }
std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(h_); }
Error Connection::error(std::string_view doing) const {
  const int code = sqlite3_extended_errcode(h_);
  return make_error(kind_of(code), path_ + ": " + std::string(doing) + ": " + describe(code, sqlite3_errmsg(h_)));
}

Statement::Statement(Statement&& o) noexcept : s_(std::exchange(o.s_, nullptr)), c_(o.c_) {}
Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (s_) sqlite3_finalize(s_);
    s_ = std::exchange(o.s_, nullptr);
    c_ = o.c_;
  }
  return *this;
}
Statement::~Statement() {
  if (s_) sqlite3_finalize(s_);
}

Result<Statement> Statement::prepare(const Connection& c, std::string_view sql) {
  Statement st;
  st.c_ = &c;
  if (sqlite3_prepare_v3(c.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st.s_,
                         nullptr) != SQLITE_OK)
    return c.error("preparing a query");
  return st;
}

Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_blob(int i, std::string_view v) {
  sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(s_, i, v);
  return *this;
}
Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(s_, i);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = c_->error("writing or reading");
  sqlite3_reset(s_);
  return e;
}

Status Statement::run() {
  auto r = step();
  reset();
  if (!r) return r.error();
  return {};
}

void Statement::reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

std::string_view Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
  if (!p) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(s_, col))};
}
std::string Statement::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  if (!p) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(s_, col))};
}
std::int64_t Statement::integer(int col) const { return sqlite3_column_int64(s_, col); }
bool Statement::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Result<Transaction> Transaction::begin(Connection& c, bool immediate) {
  if (auto st = c.exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"); !st) return st.error();
  return Transaction(c);
}
Transaction::~Transaction() {
  if (open_) (void)c_->exec("ROLLBACK");
}
Status Transaction::commit() {
  if (auto st = c_->exec("COMMIT"); !st) return st;
  open_ = false;
  return {};
}

}  // namespace kiosk::db
