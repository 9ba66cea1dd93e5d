#include "kiosk/log.hpp"

#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace kiosk::log {
namespace {

std::mutex g_mutex;
std::string g_program = "kiosk";
std::string g_kiosk_id;

// systemd sets JOURNAL_STREAM=DEV:INODE for a service whose stderr is the
// journal (systemd.exec(5)); a program run by hand in a terminal keeps stderr.
bool stderr_is_journal() {
  const char* js = std::getenv("JOURNAL_STREAM");
  if (!js || !*js) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

// One line per event: a message's own line breaks would split it in a
// terminal and in grep, so they become spaces.
std::string one_line(std::string_view m) {
  std::string s(m);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

void set_identity(std::string program, std::string kiosk_id) {
  std::lock_guard lock(g_mutex);
  g_program = std::move(program);
  g_kiosk_id = std::move(kiosk_id);
}

bool to_journal() {
  static const bool journal = stderr_is_journal();
  return journal;
}

void write(Priority p, std::string_view message) {
  const std::string line = one_line(message);
  std::lock_guard lock(g_mutex);
  if (to_journal()) {
    const int rc =
        sd_journal_send("MESSAGE=%s", line.c_str(), "PRIORITY=%d", static_cast<int>(p), "SYSLOG_IDENTIFIER=%s",
                        g_program.c_str(), "KIOSK_ID=%s", g_kiosk_id.c_str(), nullptr);
    if (rc >= 0) return;
  }
  if (g_kiosk_id.empty())
    std::fprintf(stderr, "%s: %s\n", g_program.c_str(), line.c_str());
  else
    std::fprintf(stderr, "%s: [%s] %s\n", g_program.c_str(), g_kiosk_id.c_str(), line.c_str());
  std::fflush(stderr);
}

}  // namespace kiosk::log
