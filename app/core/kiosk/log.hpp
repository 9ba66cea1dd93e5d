// Operator's log: one line per event, with a priority and the kiosk's id.
// Under systemd (stderr connected to the journal, as $JOURNAL_STREAM says)
// lines go to the journal as structured entries (PRIORITY, KIOSK_ID,
// SYSLOG_IDENTIFIER), so `journalctl -u library-kiosk -p warning` filters by
// priority; otherwise they go to stderr as "program: [kiosk-id] message".
// Never log answer content: only what an operator needs (events, reasons).
#pragma once

#include <string>
#include <string_view>

namespace kiosk::log {

// syslog(3) priorities, as the journal stores them.
enum class Priority { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

// Who is speaking; called once the configuration is known (before that the
// kiosk id is empty and left out).
void set_identity(std::string program, std::string kiosk_id);

void write(Priority p, std::string_view message);
inline void error(std::string_view m) { write(Priority::Error, m); }
inline void warning(std::string_view m) { write(Priority::Warning, m); }
inline void notice(std::string_view m) { write(Priority::Notice, m); }
inline void info(std::string_view m) { write(Priority::Info, m); }

// True when lines go to the journal rather than stderr.
bool to_journal();

}  // namespace kiosk::log
