// The hub's side of "nothing stranded, nothing silent" and the ledger, as
// plain functions the HTTP layer calls (so they outlive any one server):
// refusing a batch as a whole (wrong device, unknown or revoked token), the
// heartbeat's ledger fields, and the ledger as JSON and as a table.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub_store.hpp"

namespace kiosk::hub {

// The reply (status, body) refusing a batch as a whole, or nothing when it
// may go on: a kiosk token may upload only its own kiosk's batch (403,
// reason wrong_device, naming both). Never the documents' fault, so the
// kiosk keeps them all pending.
std::optional<std::pair<int, nlohmann::json>> refuse_batch(const nlohmann::json& body, const Principal& who);
// The same refusal for a document inside the batch that names another kiosk
// than the token's: the whole batch, not the one item, since the token is
// what is wrong (a kiosk configured with another kiosk's token).
std::optional<std::pair<int, nlohmann::json>> refuse_document_kiosk(const std::string& document_kiosk_id,
                                                                    const Principal& who);

// The 401 body for a request whose token is missing, unknown or revoked.
nlohmann::json token_refusal(bool token_given, bool revoked);

// The highest response number a heartbeat may report: a response a second
// for 30 years. Past it, a heartbeat is refused (400), not stored.
inline constexpr std::int64_t kMaxPlausibleSeq = 1'000'000'000;
// Reads highest_seq and clock_utc from a heartbeat body into `hb` (the
// clock offset against `now`); a field of the wrong type, or a highest_seq
// past kMaxPlausibleSeq, is a Validation error.
Status read_ledger_fields(const nlohmann::json& body, Heartbeat& hb, std::chrono::system_clock::time_point now);

// GET /api/v1/ledger: {"api", "kiosks": [{"kiosk", "numbered_up_to", "received", "missing",
// "missing_ranges": [[first, last]...], "oldest_missing", "missing_since_utc", "missing_for_seconds",
// "last_heartbeat_utc", "clock_offset_seconds"}]}; absent values are null.
nlohmann::json ledger_json(const std::vector<LedgerRow>& rows, std::chrono::system_clock::time_point now);
// The same as a table for `kiosk-hub ledger`.
std::string ledger_table(const std::vector<LedgerRow>& rows, std::chrono::system_clock::time_point now);
// "455", "3-7", joined with ", "; "none" when empty.
std::string format_ranges(const std::vector<std::pair<std::int64_t, std::int64_t>>& ranges, std::int64_t total);

}  // namespace kiosk::hub
