// Sections: 1. the ledger row  2. refusals  3. heartbeat fields  4. output
#include "hub_ledger.hpp"

#include <algorithm>
#include <ctime>
#include <sstream>

#include "kiosk/clock.hpp"
#include "kiosk/protocol.hpp"

namespace kiosk::hub {
using nlohmann::json;
namespace field = protocol::field;
namespace reason = protocol::reason;

namespace {

std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& utc) {
  std::tm tm{};
  const char* end = strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::optional<std::int64_t> seconds_since(const std::string& utc, std::chrono::system_clock::time_point now) {
  const auto t = parse_utc(utc);
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(now - *t).count();
}

std::string duration_words(std::int64_t s) {
  if (s < 0) s = 0;
  if (s < 90) return std::to_string(s) + " s";
  if (s < 5400) return std::to_string(s / 60) + " min";
  if (s < 172800) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " days";
}

}  // namespace

// ---- 1. The ledger row ---------------------------------------------------------

Status fill_ledger_row(LedgerRow& row, std::int64_t highest_reported, std::int64_t max_seq,
                       std::vector<std::pair<std::int64_t, std::int64_t>> blocks, const LedgerScan& scan) {
  std::sort(blocks.begin(), blocks.end());
  const std::int64_t n = std::max<std::int64_t>({highest_reported, max_seq, 0});
  row.numbered_up_to = n;
  row.received = 0;
  row.missing = 0;
  row.missing_ranges.clear();
  auto add_missing = [&row](std::int64_t first, std::int64_t last) {
    if (first > last) return;
    row.missing += last - first + 1;
    auto& r = row.missing_ranges;
    if (!r.empty() && r.back().second + 1 == first)
      r.back().second = last;
    else if (r.size() < kLedgerRanges)
      r.emplace_back(first, last);
  };
  std::int64_t next = 1;  // the lowest number not yet accounted for
  for (const auto& [b, tally] : blocks) {
    const std::int64_t first = std::max<std::int64_t>(1, b * kLedgerBlock);
    const std::int64_t last = std::min(n, b * kLedgerBlock + kLedgerBlock - 1);
    if (first > last) continue;
    add_missing(next, first - 1);  // whole blocks without a single number received
    next = last + 1;
    const std::int64_t expected = last - first + 1;
    if (tally == expected) {
      row.received += tally;
      continue;
    }
    SeqRanges gaps;
    const size_t room = kLedgerRanges + 1 - std::min(kLedgerRanges, row.missing_ranges.size());
    auto got = scan(first, last, room, gaps);
    if (!got) return got.error();
    row.received += *got;
    const std::int64_t before = row.missing;
    for (const auto& g : gaps) add_missing(g.first, g.second);
    // Ranges past the listing limit still count.
    row.missing = before + (expected - *got);
  }
  add_missing(next, n);
  row.oldest_missing = row.missing_ranges.empty() ? 0 : row.missing_ranges.front().first;
  return {};
}

// ---- 2. Refusals ----------------------------------------------------------------

namespace {
std::pair<int, json> wrong_device(const Principal& who, const std::string& claimed, const char* what) {
  return std::make_pair(403, json{{field::kApi, protocol::kApiVersion},
                                  {field::kReason, reason::kWrongDevice},
                                  {field::kError, "this token belongs to kiosk \"" + who.name + "\", but " + what +
                                                      " comes from kiosk \"" + claimed + "\"; nothing was stored"}});
}
}  // namespace

std::optional<std::pair<int, json>> refuse_batch(const json& body, const Principal& who) {
  if (who.role == "admin") return std::nullopt;  // an admin may upload on a kiosk's behalf
  const auto it = body.find(field::kKioskId);
  if (it == body.end() || !it->is_string() || it->get<std::string>() == who.name) return std::nullopt;
  return wrong_device(who, it->get<std::string>(), "the batch");
}

std::optional<std::pair<int, json>> refuse_document_kiosk(const std::string& document_kiosk_id, const Principal& who) {
  if (who.role == "admin" || document_kiosk_id == who.name) return std::nullopt;
  return wrong_device(who, document_kiosk_id, "a response in the batch");
}

json token_refusal(bool token_given, bool revoked) {
  json j{{field::kApi, protocol::kApiVersion}};
  if (!token_given) {
    j[field::kError] = std::string("missing token: send ") + protocol::header::kAuthorization + ": " +
                       protocol::header::kBearerPrefix + "TOKEN";
    j[field::kReason] = reason::kUnknownToken;
  } else if (revoked) {
    j[field::kError] = "this token has been revoked (kiosk-hub revoke-device)";
    j[field::kReason] = reason::kRevokedToken;
  } else {
    j[field::kError] = "unknown token";
    j[field::kReason] = reason::kUnknownToken;
  }
  return j;
}

// ---- 3. Heartbeat fields ----------------------------------------------------------

Status read_ledger_fields(const json& b, Heartbeat& hb, std::chrono::system_clock::time_point now) {
  if (const auto it = b.find(field::kHighestSeq); it != b.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
      return make_error(ErrorKind::Validation,
                        std::string("\"") + field::kHighestSeq + "\" must be a whole number, 0 or more");
    // A kiosk numbers its responses from 1, one per visit: a number past
    // kMaxPlausibleSeq (a response a second for 30 years) is a lie or a
    // fault, and stored it would show that many missing for ever.
    if (it->is_number_unsigned() ? it->get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxPlausibleSeq)
                                 : it->get<std::int64_t>() > kMaxPlausibleSeq)
      return make_error(ErrorKind::Validation, std::string("\"") + field::kHighestSeq + "\" is " + it->dump() +
                                                   ", more than a kiosk could have numbered (at most " +
                                                   std::to_string(kMaxPlausibleSeq) + ")");
    hb.highest_seq = it->get<std::int64_t>();
  }
  if (const auto it = b.find(field::kClockUtc); it != b.end()) {
    const auto t = it->is_string() ? parse_utc(it->get<std::string>()) : std::nullopt;
    if (!t)
      return make_error(ErrorKind::Validation,
                        std::string("\"") + field::kClockUtc + "\" must be a time like 2026-11-24T08:00:00Z");
    hb.clock_offset_seconds = std::chrono::duration_cast<std::chrono::seconds>(*t - now).count();
  }
  return {};
}

// ---- 4. Output ----------------------------------------------------------------------

std::string format_ranges(const std::vector<std::pair<std::int64_t, std::int64_t>>& ranges, std::int64_t total) {
  if (ranges.empty()) return "none";
  std::string s;
  std::int64_t listed = 0;
  for (const auto& [a, b] : ranges) {
    if (!s.empty()) s += ", ";
    s += a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b);
    listed += b - a + 1;
  }
  if (listed < total) s += ", ... (" + std::to_string(total - listed) + " more)";
  return s;
}

json ledger_json(const std::vector<LedgerRow>& rows, std::chrono::system_clock::time_point now) {
  json kiosks = json::array();
  auto or_null = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  for (const auto& r : rows) {
    json ranges = json::array();
    for (const auto& [a, b] : r.missing_ranges) ranges.push_back({a, b});
    const auto since = r.oldest_missing ? seconds_since(r.missing_since_utc, now) : std::nullopt;
    kiosks.push_back({{"kiosk", r.kiosk},
                      {"numbered_up_to", r.numbered_up_to},
                      {"received", r.received},
                      {"missing", r.missing},
                      {"missing_ranges", std::move(ranges)},
                      {"oldest_missing", r.oldest_missing ? json(r.oldest_missing) : json(nullptr)},
                      {"missing_since_utc",
                       r.oldest_missing && !r.missing_since_utc.empty() ? json(r.missing_since_utc) : json(nullptr)},
                      {"missing_for_seconds", or_null(since)},
                      {"last_heartbeat_utc", r.last_heartbeat_utc.empty() ? json(nullptr) : json(r.last_heartbeat_utc)},
                      {"clock_offset_seconds", or_null(r.clock_offset_seconds)}});
  }
  return json{{field::kApi, protocol::kApiVersion}, {"kiosks", std::move(kiosks)}};
}

std::string ledger_table(const std::vector<LedgerRow>& rows, std::chrono::system_clock::time_point now) {
  std::ostringstream o;
  o << "kiosk\tnumbered up to\treceived\tmissing\toldest missing\tmissing for\tclock offset\tmissing numbers\n";
  for (const auto& r : rows) {
    o << r.kiosk << '\t' << r.numbered_up_to << '\t' << r.received << '\t' << r.missing << '\t';
    if (r.oldest_missing) {
      const auto since = seconds_since(r.missing_since_utc, now);
      o << r.oldest_missing << '\t' << (since ? duration_words(*since) : "-") << '\t';
    } else {
      o << "-\t-\t";
    }
    if (r.clock_offset_seconds)
      o << (*r.clock_offset_seconds >= 0 ? "+" : "") << *r.clock_offset_seconds << " s";
    else
      o << "-";
    o << '\t' << format_ranges(r.missing_ranges, r.missing) << '\n';
  }
  if (rows.empty()) o << "(no kiosks yet: add one with kiosk-hub add-device NAME)\n";
  return o.str();
}

}  // namespace kiosk::hub
