// Trust at the hub: every uploaded document is checked against the survey
// version it claims before it is stored; anything else is refused with the
// field at fault and kept in the quarantine, never silently dropped.
//
// The checks are plain functions over strings and the store, so they do not
// depend on the HTTP layer: the upload route calls check_item() for each item
// and keep_in_quarantine() for what was refused.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub_store.hpp"
#include "kiosk/export.hpp"
#include "kiosk/result.hpp"
#include "kiosk/session.hpp"
#include "kiosk/survey.hpp"

namespace kiosk::hub {

// How much of a refused document the quarantine keeps (the rest is counted).
inline constexpr std::size_t kQuarantineMaxBytes = 64 * 1024;
// A document's clock may run ahead of the hub's by at most this (kiosks keep
// their own time; a day covers a wrong time zone, not a wrong year).
inline constexpr std::chrono::hours kMaxClockAhead{24};

// Every survey version the hub has served, kept in its store. Versions
// registered by another hub process on the same database are found too.
class SurveyRegistry {
 public:
  explicit SurveyRegistry(HubStore& store) : store_(store) {}
  // Keeps `survey` (the one served now); versions served before stay.
  Status register_survey(const Survey& survey, const std::string& now_utc);
  // The definition of survey_id + version, or nullptr when the hub has never served it.
  Result<const Survey*> find(const std::string& survey_id, const std::string& version);

 private:
  HubStore& store_;
  std::mutex m_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Survey>> known_;
};

// What the checks know besides the survey: the service points documents may
// come from (ids from a service-points.toml; see HubFiles in hub_api.hpp).
struct TrustSettings {
  std::vector<std::string> service_points;
};

// Where the hub takes its service points from when not told: a
// service-points.toml beside the survey file, or one folder up (the layout of
// kiosk-config/). Empty when there is none.
std::string default_service_points_path(const std::string& survey_path);

struct Verdict {
  enum class Kind { Accept, Refuse, Hold };
  Kind kind = Kind::Refuse;
  int code = 422;      // Refuse: the item's HTTP code
  std::string field;   // Refuse: e.g. "answers.q7"
  std::string words;   // Refuse: e.g. "code \"9\" is not an option of q7"
  std::string reason;  // Hold: a protocol::reason value
  std::string detail() const { return field.empty() ? words : field + ": " + words; }
};

// One uploaded item, checked. On Accept, `in` is ready to store (metadata,
// age band and summary marks filled in).
struct ItemCheck {
  Verdict verdict;
  Incoming in;
};

// Parses JSON refusing what nlohmann would let through silently: duplicate
// keys (it keeps the last), invalid UTF-8, numbers out of range, nesting
// deeper than 32. On failure `field` names where (e.g. "kiosk_id").
struct StrictJson {
  bool ok = false;
  std::string field, words;
};
StrictJson parse_strict_json(std::string_view text, nlohmann::json& out);
// The byte offset of the first invalid UTF-8 sequence, or npos.
std::size_t invalid_utf8_at(std::string_view s);
// `s` as valid UTF-8 without NUL (invalid bytes become U+FFFD), cut to `max` bytes.
std::string printable_utf8(std::string_view s, std::size_t max);

// `expected_kiosk` is the token's device (for an admin token: the batch's
// kiosk_id); `batch_kiosk` the batch's kiosk_id ("" when the batch gave none);
// `expected_service_point` the kiosk's registered service point ("": any the
// hub lists).
ItemCheck check_item(SurveyRegistry& registry, const TrustSettings& settings, const std::string& expected_kiosk,
                     const std::string& batch_kiosk, Incoming in, std::chrono::system_clock::time_point now,
                     const std::string& expected_service_point = {});

// The check of a document's content alone (hash and uuid already matched).
Verdict check_document(SurveyRegistry& registry, const TrustSettings& settings, const std::string& expected_kiosk,
                       const std::string& batch_kiosk, std::string_view document,
                       std::chrono::system_clock::time_point now, Incoming* fill = nullptr,
                       const std::string& expected_service_point = {});

// The quarantine's copy of a refused item.
QuarantineItem quarantine_item(const std::string& uuid, const std::string& reason, std::string_view document);

// What a stored document adds to the summary tallies (nothing if abandoned).
std::vector<AnswerMark> answer_marks(const Answers& answers, bool completed);
// The summary from the tallies: costs the same at 100,000 responses as at
// 1,000. Counts completed responses of `survey`'s id, every version, by the
// current definition's questions and options.
Result<Summary> summary_from_tallies(HubStore& store, const Survey& survey);

// The status page's counts from the same tallies: completed responses of
// `survey` by service point, and by answer to its age question (code "" for
// not given), so the page too costs the same at any size.
struct StatusCounts {
  std::vector<Tally> by_service_point, by_age_band;
};
Result<StatusCounts> status_counts(HubStore& store, const Survey& survey);

// Start-up: registers the served survey and fills the tallies of a hub
// upgraded from before them.
// `open` gives a stored document in the clear (opening it when sealed).
using OpenStored = std::function<Result<std::string>(const StoredDocument&)>;
Status prepare_trust(HubStore& store, SurveyRegistry& registry, const Survey& survey, const std::string& now_utc,
                     const OpenStored& open);

}  // namespace kiosk::hub
