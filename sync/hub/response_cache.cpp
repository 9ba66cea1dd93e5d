#include "response_cache.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <ctime>

#include "kiosk/session.hpp"

namespace kiosk::hub {
namespace {

std::int64_t seconds_of(const std::string& utc) {
  std::tm tm{};
  const char* end = utc.empty() ? nullptr : strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return end && *end == '\0' ? static_cast<std::int64_t>(timegm(&tm)) : -1;
}

// "2016-06-13T10:02:00Z", written out by hand: strftime was a tenth of a
// results page's time.
void utc_text(std::int64_t t, std::string& out) {
  if (t < 0) {
    out.clear();
    return;
  }
  using namespace std::chrono;
  const sys_seconds at{seconds{t}};
  const auto day = floor<days>(at);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{at - day};
  char b[21] = "0000-00-00T00:00:00Z";
  auto put = [&b](int from, unsigned v, int digits) {
    for (int i = digits - 1; i >= 0; --i, v /= 10) b[from + i] = static_cast<char>('0' + v % 10);
  };
  put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, static_cast<unsigned>(time.hours().count()), 2);
  put(14, static_cast<unsigned>(time.minutes().count()), 2);
  put(17, static_cast<unsigned>(time.seconds().count()), 2);
  out.assign(b, 20);
}

constexpr char kJoin = '\x1f';
constexpr char kHex[] = "0123456789abcdef";
constexpr size_t kUuidText = 36;
constexpr bool is_dash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// A uuid as kiosks write it (8-4-4-4-12 digits, lowercase hex) in 16
// bytes; false for any other form.
bool pack_uuid(std::string_view s, std::uint8_t* out) {
  if (s.size() != kUuidText) return false;
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (is_dash(i)) {
      if (s[i] != '-') return false;
      continue;
    }
    const char* at = std::strchr(kHex, s[i]);
    if (s[i] == '\0' || !at) return false;
    const auto v = static_cast<std::uint8_t>(at - kHex);
    out[n / 2] = static_cast<std::uint8_t>(n % 2 ? (out[n / 2] | v) : (v << 4));
    ++n;
  }
  return true;
}

}  // namespace

ResponseCache::ResponseCache(const Survey& survey, Open open) : survey_(survey), open_(std::move(open)) {
  size_t bits = 0;
  for (const auto& q : survey_.questions) {
    if (offsets_.size() <= q.index) offsets_.resize(q.index + 1, 0);
    offsets_[q.index] = bits;
    bits += q.options.size();
  }
  words_ = (bits + 63) / 64;
  strings_.emplace_back();  // 0: none
}

void ResponseCache::uuid_of(const Entry& e, std::string& out) const {
  if (e.uuid_len) {
    out.assign(text_, e.text_at, e.uuid_len);
    return;
  }
  out.resize(kUuidText);
  for (size_t i = 0, n = 0; i < kUuidText; ++i) {
    if (is_dash(i)) {
      out[i] = '-';
      continue;
    }
    out[i] = kHex[n % 2 ? e.uuid[n / 2] & 0xf : e.uuid[n / 2] >> 4];
    ++n;
  }
}

Result<std::uint64_t> ResponseCache::current(HubStore& store) {
  std::lock_guard<std::mutex> lock(m_);
  if (auto st = refresh(store); !st) return st.error();
  return static_cast<std::uint64_t>(numbers_.size());
}

size_t ResponseCache::size() const {
  std::lock_guard<std::mutex> lock(m_);
  return entries_.size();
}

size_t ResponseCache::bytes() const {
  std::lock_guard<std::mutex> lock(m_);
  size_t n = entries_.size() * sizeof(Entry) + chosen_.size() * sizeof(std::uint64_t) + text_.size() +
             numbers_.size() * sizeof(std::int64_t);
  for (const auto& s : strings_) n += sizeof s + s.capacity();
  return n;
}

std::uint16_t ResponseCache::intern(const std::string& s) {
  for (size_t i = 0; i < strings_.size(); ++i)
    if (strings_[i] == s) return static_cast<std::uint16_t>(i);
  // Kiosks, service points, languages, staff ids: tens, not thousands. Past
  // 65,535 distinct names the last slot is shared (a name shown wrongly,
  // never an out-of-range index).
  if (strings_.size() >= 0xffff) return 0xffff - 1;
  strings_.push_back(s);
  return static_cast<std::uint16_t>(strings_.size() - 1);
}

Status ResponseCache::add(std::int64_t number, const StoredDocument& stored, std::vector<Entry>& fresh) {
  auto plain = open_(stored);
  if (!plain) return plain.error();
  auto doc = parse_canonical_document(*plain);
  if (!doc)
    return make_error(ErrorKind::Internal,
                      "stored response number " + std::to_string(number) + " could not be read: " + doc.message());
  const ResponseMeta& m = doc->first;
  if (m.survey_id != survey_.id) return {};  // another survey's: passed over, its number noted
  Entry e;
  e.number = number;
  e.started = seconds_of(m.started_utc);
  e.ended = seconds_of(m.ended_utc);
  if (e.started >= 0) {
    const std::time_t t = static_cast<std::time_t>(e.started);
    std::tm local{};
    localtime_r(&t, &local);
    char day[11];
    if (std::strftime(day, sizeof day, "%Y-%m-%d", &local) == 10) std::memcpy(e.day, day, 10);
  }
  e.version = intern(m.survey_version);
  e.kiosk = intern(m.kiosk_id);
  e.service_point = intern(m.service_point);
  e.locale = intern(m.locale);
  e.mode = intern(m.mode);
  e.staff = intern(m.staff_id);
  std::string help;
  for (const auto& h : m.assistance) help += (help.empty() ? "" : std::string(1, kJoin)) + h;
  e.assistance = intern(help);
  e.completed = m.status == "completed";
  e.row = static_cast<std::uint32_t>(chosen_.size() / row_words());
  chosen_.resize(chosen_.size() + row_words(), 0);
  std::uint64_t* row = chosen_.data() + static_cast<size_t>(e.row) * row_words();
  e.text_at = text_.size();
  if (!pack_uuid(m.uuid, e.uuid)) {
    e.uuid_len = static_cast<std::uint8_t>(std::min<size_t>(m.uuid.size(), 255));
    text_.append(m.uuid, 0, e.uuid_len);
  }
  for (const auto& [qid, a] : doc->second) {
    const Question* q = survey_.find(qid);
    if (!q) continue;
    if (!q->options.empty()) {
      for (const auto& code : a.choices)
        for (size_t k = 0; k < q->options.size(); ++k)
          if (q->options[k].code == code) {
            const size_t bit = offsets_[q->index] + k;
            row[bit / 64] |= std::uint64_t{1} << (bit % 64);
          }
    } else if (!a.text.empty()) {
      // The question's index and the text's length, then its bytes.
      const auto qi = static_cast<std::uint16_t>(q->index);
      const auto len = static_cast<std::uint32_t>(a.text.size());
      text_.append(reinterpret_cast<const char*>(&qi), sizeof qi);
      text_.append(reinterpret_cast<const char*>(&len), sizeof len);
      text_.append(a.text);
    }
  }
  e.text_len = static_cast<std::uint32_t>(text_.size() - e.text_at);
  fresh.push_back(e);
  return {};
}

Status ResponseCache::refresh(HubStore& store) {
  auto count = store.response_count();
  if (!count) return count.error();
  if (static_cast<size_t>(*count) == numbers_.size()) return {};
  // Room for as many as the store has beyond those held, once: grown by
  // doubling, a million entries were held twice over while it moved them.
  std::vector<Entry> fresh;
  std::vector<std::int64_t> seen;
  if (*count > 0 && static_cast<size_t>(*count) > numbers_.size()) {
    const size_t more = static_cast<size_t>(*count) - numbers_.size();
    fresh.reserve(more);
    seen.reserve(more);
    if (chosen_.size() + more * row_words() > chosen_.capacity()) chosen_.reserve(chosen_.size() + more * row_words());
  }
  Status failed;
  auto take = [&](std::int64_t number, const StoredDocument& stored) {
    if (stopping_) {
      failed = make_error(ErrorKind::Storage, "the hub is stopping");
      return false;
    }
    if (auto st = add(number, stored, fresh); !st) {
      failed = st;
      return false;
    }
    seen.push_back(number);
    return true;
  };
  // Whatever was read before a failure is kept; the failed one is tried again next time.
  auto keep = [&] {
    std::sort(seen.begin(), seen.end());
    const size_t mid = numbers_.size();
    numbers_.insert(numbers_.end(), seen.begin(), seen.end());
    std::inplace_merge(numbers_.begin(), numbers_.begin() + static_cast<std::ptrdiff_t>(mid), numbers_.end());
    seen.clear();
    auto before = [this](const Entry& a, const Entry& b) {
      if (a.ended != b.ended) return a.ended < b.ended;
      // Packed, a uuid's bytes sort as its lowercase hex does.
      if (!a.uuid_len && !b.uuid_len) return std::memcmp(a.uuid, b.uuid, sizeof a.uuid) < 0;
      std::string x, y;
      uuid_of(a, x);
      uuid_of(b, y);
      return x < y;
    };
    std::sort(fresh.begin(), fresh.end(), before);
    if (entries_.empty()) {
      entries_.swap(fresh);  // the first look (the warm-up): taken whole, not copied
    } else {
      const size_t old = entries_.size();
      entries_.insert(entries_.end(), fresh.begin(), fresh.end());
      std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(old), entries_.end(), before);
    }
    fresh.clear();
    keep_in_order();
  };
  const std::int64_t highest = numbers_.empty() ? 0 : numbers_.back();
  // The first look reads them in the order the copy keeps them, so that
  // its text need not be rewritten in that order (at a million, 70 MB held
  // twice while it was).
  auto st = store.for_each_document_after(highest, nullptr, take, /*by_completion=*/numbers_.empty());
  keep();
  if (!st) return st;
  if (!failed) return failed;
  if (static_cast<size_t>(*count) <= numbers_.size()) return {};
  // Fewer held than the store counted before this look: a lower number
  // committed after a higher one was read. Fetch the numbers not held.
  auto all = store.document_numbers();
  if (!all) return all.error();
  std::vector<std::int64_t> missing;
  std::set_difference(all->begin(), all->end(), numbers_.begin(), numbers_.end(), std::back_inserter(missing));
  if (missing.empty()) return {};
  st = store.for_each_document_after(0, &missing, take);
  keep();
  if (!st) return st;
  return failed;
}

void ResponseCache::keep_in_order() {
  size_t out_of_order = 0;
  for (size_t i = 1; i < entries_.size(); ++i) out_of_order += entries_[i].row < entries_[i - 1].row;
  if (out_of_order <= entries_.size() / 16) return;
  // One buffer at a time, so that only one is held twice while it is copied.
  std::vector<std::uint64_t> rows;
  rows.reserve(chosen_.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = entries_[i];
    const auto* row = chosen_.data() + static_cast<size_t>(e.row) * row_words();
    rows.insert(rows.end(), row, row + row_words());
    e.row = static_cast<std::uint32_t>(i);
  }
  chosen_.swap(rows);
  rows = {};
  std::string text;
  text.reserve(text_.size());
  for (Entry& e : entries_) {
    const size_t at = text.size();
    text.append(text_, e.text_at, e.text_len);
    e.text_at = at;
  }
  text_.swap(text);
}

Status ResponseCache::use(HubStore* store, const ResponseScope& scope,
                          const std::function<void(const cli::OpenedResponses&)>& fn) {
  std::lock_guard<std::mutex> lock(m_);
  if (store)
    if (auto st = refresh(*store); !st) return st;
  int sp = -1;  // -1: every service point
  if (!scope.service_point.empty()) {
    sp = -2;  // none held: nothing matches
    for (size_t i = 0; i < strings_.size(); ++i)
      if (strings_[i] == scope.service_point) sp = static_cast<int>(i);
  }
  // One meta, one set of answers (text only) and one set of chosen
  // options, reused for every response, so a pass allocates almost nothing.
  ResponseMeta m;
  m.survey_id = survey_.id;
  Answers a;
  cli::ChosenOptions chosen;
  std::vector<Answer*> slot(offsets_.size(), nullptr);
  for (const auto& q : survey_.questions)
    if (q.options.empty()) slot[q.index] = &a[q.id];
  auto each = [&](const cli::OpenedEach& f, bool everything) {
    const Entry* prev = nullptr;  // names are set again only when they change
    for (const Entry& e : entries_) {
      if (sp != -1 && e.service_point != sp) continue;
      const std::string_view day(e.day, e.day[0] ? sizeof e.day : 0);
      if (!scope.from.empty() && (day.empty() || scope.from > day)) continue;
      if (!scope.to.empty() && (day.empty() || scope.to < day)) continue;
      m.status = e.completed ? "completed" : "abandoned";
      if (!everything) {  // a pass that only weighs: what was chosen, and where
        if (!prev || prev->service_point != e.service_point) m.service_point = strings_[e.service_point];
        prev = &e;
      } else {
        uuid_of(e, m.uuid);
        auto name = [&](std::uint16_t Entry::*field, std::string& to) {
          if (!prev || prev->*field != e.*field) to = strings_[e.*field];
        };
        name(&Entry::version, m.survey_version);
        name(&Entry::kiosk, m.kiosk_id);
        name(&Entry::service_point, m.service_point);
        name(&Entry::locale, m.locale);
        name(&Entry::mode, m.mode);
        name(&Entry::staff, m.staff_id);
        if (!prev || prev->assistance != e.assistance) {
          m.assistance.clear();
          for (const std::string& help = strings_[e.assistance]; !help.empty();) {
            size_t from = 0;
            for (size_t at; (at = help.find(kJoin, from)) != std::string::npos; from = at + 1)
              m.assistance.push_back(help.substr(from, at - from));
            m.assistance.push_back(help.substr(from));
            break;
          }
        }
        prev = &e;
        utc_text(e.started, m.started_utc);
        utc_text(e.ended, m.ended_utc);
      }
      const std::uint64_t* row = chosen_.data() + static_cast<size_t>(e.row) * row_words();
      chosen.start(offsets_.size());
      for (const auto& q : survey_.questions) {
        if (Answer* x = slot[q.index]) x->text.clear();
        // The set bits of this question's range only, in option order.
        const size_t first = offsets_[q.index], end = first + q.options.size();
        for (size_t w = first / 64; w * 64 < end; ++w) {
          std::uint64_t bits = row[w];
          if (w * 64 < first) bits &= ~std::uint64_t{0} << (first - w * 64);
          if (end < (w + 1) * 64) bits &= (std::uint64_t{1} << (end - w * 64)) - 1;
          for (; bits != 0; bits &= bits - 1)
            chosen.add(q.index,
                       static_cast<std::uint16_t>(w * 64 + static_cast<size_t>(std::countr_zero(bits)) - first));
        }
      }
      chosen.finish();
      for (size_t at = e.text_at + e.uuid_len, stop = everything ? e.text_at + e.text_len : 0; at < stop;) {
        std::uint16_t qi = 0;
        std::uint32_t len = 0;
        std::memcpy(&qi, text_.data() + at, sizeof qi);
        std::memcpy(&len, text_.data() + at + sizeof qi, sizeof len);
        at += sizeof qi + sizeof len;
        if (qi < slot.size() && slot[qi]) slot[qi]->text.assign(text_, at, len);
        at += len;
      }
      f(m, a, chosen);
    }
    return true;
  };
  fn(cli::OpenedResponses{"the hub's responses", [&](const cli::OpenedEach& f) { return each(f, true); },
                          [&](const cli::OpenedEach& f) { return each(f, false); }});
  return {};
}

}  // namespace kiosk::hub
