#include "response_cache.hpp"

#include <algorithm>
#include <bit>
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

void utc_text(std::int64_t t, std::string& out) {
  if (t < 0) {
    out.clear();
    return;
  }
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char b[32];
  out.assign(b, std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

constexpr char kJoin = '\x1f';

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
  size_t n = entries_.capacity() * sizeof(Entry) + chosen_.capacity() * sizeof(std::uint64_t) + text_.capacity() +
             numbers_.capacity() * sizeof(std::int64_t);
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
  e.uuid_len = static_cast<std::uint8_t>(std::min<size_t>(m.uuid.size(), 255));
  text_.append(m.uuid, 0, e.uuid_len);
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
  std::vector<Entry> fresh;
  std::vector<std::int64_t> seen;
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
      return a.ended != b.ended ? a.ended < b.ended : uuid_of(a) < uuid_of(b);
    };
    std::sort(fresh.begin(), fresh.end(), before);
    const size_t old = entries_.size();
    for (auto& e : fresh) entries_.push_back(std::move(e));
    fresh.clear();
    std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(old), entries_.end(), before);
  };
  const std::int64_t highest = numbers_.empty() ? 0 : numbers_.back();
  auto st = store.for_each_document_after(highest, nullptr, take);
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

Status ResponseCache::use(HubStore& store, const ResponseScope& scope,
                          const std::function<void(const cli::OpenedResponses&)>& fn) {
  std::lock_guard<std::mutex> lock(m_);
  if (auto st = refresh(store); !st) return st;
  int sp = -1;  // -1: every service point
  if (!scope.service_point.empty()) {
    sp = -2;  // none held: nothing matches
    for (size_t i = 0; i < strings_.size(); ++i)
      if (strings_[i] == scope.service_point) sp = static_cast<int>(i);
  }
  // One meta and one set of answers, reused for every response: each
  // answer's strings keep their room, so a pass allocates almost nothing.
  ResponseMeta m;
  m.survey_id = survey_.id;
  Answers a;
  std::vector<Answer*> slot(offsets_.size(), nullptr);
  for (const auto& q : survey_.questions) slot[q.index] = &a[q.id];
  auto each = [&](const cli::OpenedEach& f) {
    const Entry* prev = nullptr;  // names are set again only when they change
    for (const Entry& e : entries_) {
      if (sp != -1 && e.service_point != sp) continue;
      const std::string_view day(e.day, e.day[0] ? sizeof e.day : 0);
      if (!scope.from.empty() && (day.empty() || scope.from > day)) continue;
      if (!scope.to.empty() && (day.empty() || scope.to < day)) continue;
      m.uuid.assign(uuid_of(e));
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
      m.status = e.completed ? "completed" : "abandoned";
      const std::uint64_t* row = chosen_.data() + static_cast<size_t>(e.row) * row_words();
      for (const auto& q : survey_.questions) {
        Answer& x = *slot[q.index];
        x.text.clear();
        x.other_text.clear();
        size_t n = 0;
        // The set bits of this question's range only, in option order.
        const size_t first = offsets_[q.index], end = first + q.options.size();
        for (size_t w = first / 64; w * 64 < end; ++w) {
          std::uint64_t bits = row[w];
          if (w * 64 < first) bits &= ~std::uint64_t{0} << (first - w * 64);
          if (end < (w + 1) * 64) bits &= (std::uint64_t{1} << (end - w * 64)) - 1;
          for (; bits != 0; bits &= bits - 1) {
            const size_t k = w * 64 + static_cast<size_t>(std::countr_zero(bits)) - first;
            if (x.choices.size() <= n) x.choices.emplace_back();
            if (x.choices[n] != q.options[k].code) x.choices[n].assign(q.options[k].code);
            ++n;
          }
        }
        x.choices.resize(n);
      }
      for (size_t at = e.text_at + e.uuid_len, stop = e.text_at + e.text_len; at < stop;) {
        std::uint16_t qi = 0;
        std::uint32_t len = 0;
        std::memcpy(&qi, text_.data() + at, sizeof qi);
        std::memcpy(&len, text_.data() + at + sizeof qi, sizeof len);
        at += sizeof qi + sizeof len;
        if (qi < slot.size() && slot[qi]) slot[qi]->text.assign(text_, at, len);
        at += len;
      }
      f(m, a);
    }
    return true;
  };
  fn(cli::OpenedResponses{"the hub's responses", each});
  return {};
}

}  // namespace kiosk::hub
