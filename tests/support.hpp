// Shared helpers for the tests: temporary directories, running real
// binaries, and paths to the bundled configuration.
#pragma once

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#ifndef KIOSK_SOURCE_DIR
#error "KIOSK_SOURCE_DIR must be defined by CMake"
#endif

#include "kiosk/clock.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/seal.hpp"
#include "kiosk/simulate.hpp"
#include "kiosk/survey.hpp"

namespace test {

inline std::string source_path(const std::string& rel) { return std::string(KIOSK_SOURCE_DIR) + "/" + rel; }
inline std::string bury_survey() { return source_path("kiosk-config/surveys/bury-libraries-2016.toml"); }
inline std::string kiosk_toml() { return source_path("kiosk-config/kiosk.toml"); }

// The bundled Bury survey, loaded once.
inline const kiosk::Survey& bury() {
  static const kiosk::Survey s = [] {
    if (!kiosk::crypto_init()) throw std::runtime_error("libsodium could not start");
    auto r = kiosk::load_survey_file(bury_survey());
    if (!r) throw std::runtime_error(r.message());
    return std::move(r).value();
  }();
  return s;
}

// The tests' council key pair: made once per test program.
inline const kiosk::SealSecretKey& seal_key() {
  static const kiosk::SealSecretKey k = [] {
    if (!kiosk::crypto_init()) throw std::runtime_error("libsodium could not start");
    return kiosk::generate_seal_key();
  }();
  return k;
}
inline const kiosk::SealPublicKey* seal_pub() { return &seal_key().pub; }
inline kiosk::SealKeyring keyring() {
  kiosk::SealKeyring r;
  r.add(seal_key());
  return r;
}

// A sealed document opened with the tests' key (a PendingResponse or SealedResponse).
template <class Sealed>
std::string opened(const Sealed& p) {
  auto d = keyring().open(p.key_id, p.sealed);
  if (!d) throw std::runtime_error("cannot open " + p.uuid + ": " + d.message());
  return std::move(d).value();
}

// A fake clock the test may move on while a sync thread reads it (FakeClock
// itself is for one thread). Starts at 2016-03-01T08:00:00Z, like FakeClock.
class SharedFakeClock final : public kiosk::Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point{std::chrono::seconds{1456819200}} + offset();
  }
  std::chrono::steady_clock::time_point steady() const override {
    return std::chrono::steady_clock::time_point{} + offset();
  }
  void advance(std::chrono::milliseconds d) { ms_ += d.count(); }

 private:
  std::chrono::milliseconds offset() const { return std::chrono::milliseconds(ms_.load()); }
  std::atomic<std::int64_t> ms_{0};
};

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("kiosk-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The key pair as files, as `kiosk-hub keygen` writes them.
// A statement run on a database file by a connection of its own (as the
// sqlite3 shell would): the first column of the first row, "" if none.
inline std::string sql_scalar(const std::string& db, const std::string& sql) {
  sqlite3* c = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &c, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(c, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close(c);
  return out;
}
inline bool sql_exec(const std::string& db, const std::string& sql) {
  sqlite3* c = nullptr;
  bool ok =
      sqlite3_open(db.c_str(), &c) == SQLITE_OK && sqlite3_exec(c, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(c);
  return ok;
}

// One simulated visitor's options: this seed, kiosk and service point (and,
// when given, visits from start_unix on).
inline kiosk::SimulateOptions sim_options(std::uint64_t seed, const std::string& kiosk_id, const std::string& sp,
                                          std::int64_t start_unix = 0) {
  kiosk::SimulateOptions o;
  o.responses = 1;
  o.seed = seed;
  o.kiosk_id = kiosk_id;
  o.service_points = {sp};
  if (start_unix) o.start_unix = start_unix;
  return o;
}

inline void write_seal_keys(const std::string& public_path, const std::string& secret_path = {}) {
  write_file(public_path, kiosk::format_public_key(seal_key().pub));
  if (!secret_path.empty()) write_file(secret_path, kiosk::format_secret_key(seal_key()));
}

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs a shell command line, capturing stdout and stderr separately.
inline RunResult run(const std::string& cmdline, const std::string& stdin_text = "") {
  TempDir tmp;
  const std::string in = tmp.file("in"), out = tmp.file("out"), err = tmp.file("err");
  write_file(in, stdin_text);
  const std::string full = cmdline + " <" + in + " >" + out + " 2>" + err;
  const int status = std::system(full.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace test
