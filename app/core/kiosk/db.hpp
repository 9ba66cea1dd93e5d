// RAII over SQLite handles (architecture principle 8). sqlite3.h stays out of
// this header; errors come back as values naming the database file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kiosk/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace kiosk::db {

enum class OpenMode { ReadWrite, Create, ReadOnly };

class Connection {
 public:
  Connection() = default;
  Connection(Connection&& o) noexcept;
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Opens the file and applies the kiosk's durability settings: WAL,
  // synchronous=FULL, foreign keys, a busy timeout.
  static Result<Connection> open(const std::string& path, OpenMode mode, int busy_timeout_ms = 5000);

  Status exec(const char* sql);
  sqlite3* get() const { return h_; }
  const std::string& path() const { return path_; }
  std::int64_t changes() const;
  std::int64_t last_insert_rowid() const;
  // "responses.db: disk is full (database or disk is full)"
  Error error(std::string_view doing) const;

 private:
  sqlite3* h_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  static Result<Statement> prepare(const Connection& c, std::string_view sql);

  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind_null(int i);
  Statement& bind_blob(int i, std::string_view bytes);
  // true: a row is ready; false: done. Errors name the database file.
  Result<bool> step();
  Status run();  // step to completion, then reset
  void reset();

  std::string_view text(int col) const;
  std::string str(int col) const { return std::string(text(col)); }
  std::string blob(int col) const;
  std::int64_t integer(int col) const;
  bool is_null(int col) const;

 private:
  sqlite3_stmt* s_ = nullptr;
  const Connection* c_ = nullptr;
};

// Rolls back unless committed.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& c, bool immediate = true);
  Transaction(Transaction&& o) noexcept : c_(o.c_), open_(o.open_) { o.open_ = false; }
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();

 private:
  explicit Transaction(Connection& c) : c_(&c), open_(true) {}
  Connection* c_;
  bool open_;
};

}  // namespace kiosk::db
