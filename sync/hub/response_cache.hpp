// The hub's responses to its survey, opened once and held in memory in a
// compact form, so that the results page and the report are computed from
// memory rather than by opening every sealed response again for each page
// (at 100,000 responses that took the page 22 s; see BENCHMARKS.md).
//
// What is held, per response: its numbers and times, the interned names of
// its kiosk, service point, language, mode and helper, a bitmask of the
// options chosen per choice question, and its free-text answers (the report
// masks emails, phone numbers and full postcodes in those it lists). The
// "please specify" text of an other option is not held: the results page
// does not show it. The copy lives in the hub's memory only; nothing of it
// is written anywhere.
//
// Kept up to date from the store at each use: the rows numbered above the
// highest held, then, when the store's count still differs from the copy's
// (several hubs on one PostgreSQL commit in any order, so a lower number can
// land late), the numbers it lacks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hub_store.hpp"
#include "kiosk/result.hpp"
#include "kiosk/survey.hpp"
#include "represent.hpp"

namespace kiosk::hub {

// Which responses a page covers: one service point (or all), and the days
// (local time, YYYY-MM-DD, inclusive) they started.
struct ResponseScope {
  std::string service_point, from, to;
};

class ResponseCache {
 public:
  // Opens a stored response (unseals it): the plain canonical document.
  using Open = std::function<Result<std::string>(const StoredDocument&)>;
  ResponseCache(const Survey& survey, Open open);

  // Brings the copy up to date from `store` (none: as it is, current() has
  // just done so), then calls `use` with the responses in `scope`, in the
  // order they were completed, under the copy's lock (the source is valid
  // only inside `use`). An error: the store could not be read, or a stored
  // response could not be opened (its reason given).
  Status use(HubStore* store, const ResponseScope& scope, const std::function<void(const cli::OpenedResponses&)>& fn);

  // Brings the copy up to date and says which state of the data it holds:
  // a number that changes whenever a response is added (so a page built
  // from the same number is still true).
  Result<std::uint64_t> current(HubStore& store);

  // How many responses of the survey are held (for tests and the log), and
  // the memory their copy takes: what its containers hold (room reserved
  // beyond that, as a string grown by doubling has, is never written, so
  // takes address space but no memory).
  size_t size() const;
  size_t bytes() const;
  // Makes a refresh under way (the warm-up at start) give up soon: the hub is stopping.
  void stop() { stopping_ = true; }

 private:
  // One response, 88 bytes; what varies in size is kept apart, appended and
  // never moved: its chosen options as bits in chosen_ (row `row`), its free
  // text in text_ (from `text_at`). Its uuid is in the entry, as 16 bytes
  // (read with the entry, not from text_ far away: a tenth of a results
  // page's time went on fetching it), or in text_ when not of the usual form.
  // About 110 bytes a response with Bury's survey, its free text aside (it
  // was 586 MB for a million).
  struct Entry {
    std::int64_t number = 0;
    std::int64_t started = -1, ended = -1;  // seconds since the epoch, UTC; -1: none
    std::uint64_t text_at = 0;   // in text_: the uuid if not packed, then each text as question, length, bytes
    std::uint32_t text_len = 0;  // bytes of it, the uuid's included
    std::uint32_t row = 0;       // its bits in chosen_, from row * words_
    std::uint16_t version = 0, kiosk = 0, service_point = 0, locale = 0, mode = 0, staff = 0, assistance = 0;
    std::uint8_t uuid_len = 0;  // bytes of the uuid in text_; 0: packed in `uuid`
    bool completed = false;
    std::uint8_t uuid[16] = {};
    char day[10] = {};  // the local day it started, YYYY-MM-DD (no terminator); empty: none
  };
  static_assert(sizeof(Entry) <= 88);
  void uuid_of(const Entry& e, std::string& out) const;
  // A row of chosen_: at least one word, so every response has a row.
  size_t row_words() const { return words_ > 0 ? words_ : 1; }
  Status refresh(HubStore& store);
  // Rewrites chosen_ and text_ in the entries' order, when enough of them
  // are out of it, so that a pass reads memory straight through: read out
  // of order, a results page at 100,000 spent half its time waiting on it.
  void keep_in_order();
  Status add(std::int64_t number, const StoredDocument& stored, std::vector<Entry>& fresh);
  std::uint16_t intern(const std::string& s);

  const Survey& survey_;
  Open open_;
  std::vector<size_t> offsets_;        // per question index: where its options' bits start in a row, in bits
  size_t words_ = 0;                   // a row's size in 64-bit words: every option of the survey, one bit each
  std::vector<std::uint64_t> chosen_;  // rows of option bits, in the order responses were opened
  std::string text_;                   // uuids and free text, in the same order
  std::atomic<bool> stopping_{false};
  mutable std::mutex m_;
  std::vector<Entry> entries_;         // in completed order (then uuid)
  std::vector<std::int64_t> numbers_;  // every store number held or passed over, ascending
  std::vector<std::string> strings_;   // interned (assistance: joined by \x1f)
};

}  // namespace kiosk::hub
