// The kiosk's real speech engine (espeak-ng through SDL audio), measured in
// what the audio device actually plays: SDL's disk audio driver writes every
// sample the device plays, silence included, to a file at real-time pace.
// A blind visitor depends on speech that stops the moment they act and starts
// quickly (A15: start <= 150 ms p95, old speech silent <= 50 ms).
//
// Where "now" is in the recording: the disk driver writes through stdio, so
// the file grows in 4 KiB steps (about 93 ms of audio), each step happening
// just as the device takes the next chunk, whose first sample then lands at
// the new end of file. The file size at a call therefore lags what the device
// is playing by up to 93 ms. A watcher thread notes when each step happens,
// and a call's position is interpolated between the steps either side of it.
#include <SDL.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <mutex>
#include <thread>

#include "speech.hpp"
#include "support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

using namespace kiosk::ui;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr int kAudible = 256;  // |sample| at or above this is heard: about -42 dBFS

// A whole Bury question as the kiosk reads it: about 30 s of speech.
const std::string kLongText =
    "Question 1 of 21. Principle 1. To provide a Library Service across the borough which provides all residents "
    "with access to libraries and to electronic services sufficient in number, range and quality to support reading "
    "for pleasure, lifelong learning, the development of new skills and the effective use of information. Please "
    "indicate below whether you agree with Principle 1. Strongly agree, option 1 of 5. Agree, option 2 of 5. "
    "Neither agree nor disagree, option 3 of 5. Disagree, option 4 of 5. Strongly disagree, option 5 of 5.";
const std::string kShortText = "Do you use Bury's Library Service?";

void init_disk_audio() {
  static bool done = [] {
#if defined(__SANITIZE_ADDRESS__)
    __lsan_disable();  // as in the UI tests: SDL's run-time loaded libraries confuse LeakSanitizer
#endif
    setenv("SDL_AUDIODRIVER", "disk", 1);
    unsetenv("SDL_DISKAUDIODELAY");  // the default paces the file in real time
    return true;
  }();
  (void)done;
}

// Watches the disk driver's file: keeps its samples and when each write reached the disk.
class Recording {
 public:
  Recording(const std::string& path, int rate) : rate_(rate) {
    fd_ = ::open(path.c_str(), O_RDONLY);
    REQUIRE(fd_ >= 0);
    thread_ = std::thread([this] { run(); });
  }
  ~Recording() {
    {
      std::lock_guard lock(m_);
      quit_ = true;
    }
    thread_.join();
    ::close(fd_);
  }

  // Where the device was playing at t, in samples; waits for the next write after t.
  double position_at(Clock::time_point t) {
    std::unique_lock lock(m_);
    const bool known = cv_.wait_for(lock, 5s, [&] { return !steps_.empty() && steps_.back().first > t; });
    REQUIRE(known);
    auto next = std::find_if(steps_.begin(), steps_.end(), [&](const auto& s) { return s.first > t; });
    REQUIRE(next != steps_.begin());
    const auto prev = std::prev(next);
    const double span = std::chrono::duration<double>(next->first - prev->first).count();
    const double into = std::chrono::duration<double>(t - prev->first).count();
    const double samples = static_cast<double>(next->second - prev->second) / 2.0;
    return static_cast<double>(prev->second) / 2.0 + samples * into / span;
  }

  // Waits (bounded) until pred holds over the samples recorded so far.
  bool wait_until(const std::function<bool(const std::vector<std::int16_t>&)>& pred,
                  std::chrono::milliseconds limit = 5000ms) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, limit, [&] { return pred(samples_); });
  }

  std::vector<std::int16_t> samples() {
    std::lock_guard lock(m_);
    return samples_;
  }
  std::size_t ms(double n) const { return static_cast<std::size_t>(n * rate_ / 1000.0); }
  // Polling often keeps the write times exact, but costs CPU of its own.
  void poll_every(std::chrono::microseconds us) { poll_ = us; }

 private:
  void run() {
    std::vector<char> buf(1 << 16);
    std::size_t bytes = 0;
    for (;;) {
      {
        std::lock_guard lock(m_);
        if (quit_) return;
      }
      struct stat st {};
      if (::fstat(fd_, &st) == 0 && static_cast<std::size_t>(st.st_size) > bytes) {
        const auto when = Clock::now();
        const auto size = static_cast<std::size_t>(st.st_size);
        std::vector<std::int16_t> fresh;
        while (bytes + fresh.size() * 2 < size) {
          const auto want = std::min(buf.size(), size - bytes - fresh.size() * 2);
          const ssize_t got = ::pread(fd_, buf.data(), want, static_cast<off_t>(bytes + fresh.size() * 2));
          if (got <= 0) break;
          const auto* s = reinterpret_cast<const std::int16_t*>(buf.data());
          fresh.insert(fresh.end(), s, s + got / 2);
        }
        {
          std::lock_guard lock(m_);
          samples_.insert(samples_.end(), fresh.begin(), fresh.end());
          bytes += fresh.size() * 2;
          steps_.emplace_back(when, bytes);
        }
        cv_.notify_all();
      }
      std::this_thread::sleep_for(poll_.load());
    }
  }

  int rate_;
  int fd_ = -1;
  std::thread thread_;
  std::mutex m_;
  std::condition_variable cv_;
  bool quit_ = false;
  std::atomic<std::chrono::microseconds> poll_{200us};
  std::vector<std::int16_t> samples_;
  std::vector<std::pair<Clock::time_point, std::size_t>> steps_;  // when the file reached this many bytes
};

std::size_t first_audible(const std::vector<std::int16_t>& s, std::size_t from) {
  for (std::size_t i = from; i < s.size(); ++i)
    if (std::abs(s[i]) >= kAudible) return i;
  return s.size();
}

// The last audible sample in [from, to), or `from` if none: where old speech fell silent.
std::size_t last_audible(const std::vector<std::int16_t>& s, std::size_t from, std::size_t to) {
  to = std::min(to, s.size());
  for (std::size_t i = to; i > from; --i)
    if (std::abs(s[i - 1]) >= kAudible) return i;
  return from;
}

// True if the recording ends with at least `n` silent samples.
bool trailing_silence(const std::vector<std::int16_t>& s, std::size_t n) {
  if (s.size() < n) return false;
  return last_audible(s, s.size() - n, s.size()) == s.size() - n;
}

// Loudness over time: RMS of 5 ms windows every 1 ms, from `from` on.
constexpr std::size_t kHop = 22, kWin = 110;  // at 22050 Hz
std::vector<double> envelope(const std::vector<std::int16_t>& s, std::size_t from, std::size_t frames) {
  std::vector<double> e;
  for (std::size_t k = 0; k < frames && from + k * kHop + kWin <= s.size(); ++k) {
    double sum = 0;
    for (std::size_t i = 0; i < kWin; ++i) sum += double(s[from + k * kHop + i]) * s[from + k * kHop + i];
    e.push_back(std::sqrt(sum / kWin));
  }
  return e;
}

double pearson(const double* a, const double* b, std::size_t n) {
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= double(n), mb /= double(n);
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) * (a[i] - ma);
    bb += (b[i] - mb) * (b[i] - mb);
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0;
}

// Where the new text starts in the recording, searched in [from, to): the
// offset where the recording's loudness contour best matches the new text's
// (`tmpl`, its synthesised samples from the first audible one), if the match
// is at least 0.85, then refined to the sample. The contour, not the waveform: after an
// interrupted utterance espeak-ng's output is not bit-identical (its waveform
// drifts in phase after a few milliseconds), but its loudness follows the same
// syllables, which differ from the interrupted text's.
std::size_t find_text(const std::vector<std::int16_t>& s, const std::vector<std::int16_t>& tmpl, std::size_t from,
                      std::size_t to, double* best_score) {
  const auto t = envelope(tmpl, 0, tmpl.size());
  const auto r = envelope(s, from, (to - from) / kHop + t.size());
  std::size_t best = s.size();
  *best_score = 0;
  for (std::size_t j = 0; j + t.size() <= r.size(); ++j) {
    const double score = pearson(&r[j], t.data(), t.size());
    if (score > *best_score) {
      *best_score = score;
      best = from + j * kHop;
    }
  }
  if (*best_score < 0.85) return s.size();
  // Then to the sample: the onset's first 2 ms of waveform still match closely.
  const std::size_t n = 44;
  std::size_t exact = best;
  double top = -1;
  for (std::size_t o = best > 2 * kHop ? best - 2 * kHop : 0; o <= best + 2 * kHop && o + n <= s.size(); ++o) {
    double st = 0, ss = 0, tt = 0;
    for (std::size_t i = 0; i < n; ++i) {
      st += double(s[o + i]) * tmpl[i];
      ss += double(s[o + i]) * s[o + i];
      tt += double(tmpl[i]) * tmpl[i];
    }
    const double c = ss > 0 ? st / std::sqrt(ss * tt) : 0;
    if (c > top) top = c, exact = o;
  }
  return exact;
}

struct Stats {
  double p50 = 0, p95 = 0, max = 0;
};
Stats stats(std::vector<double> v) {
  REQUIRE_FALSE(v.empty());
  std::sort(v.begin(), v.end());
  auto rank = [&](double p) { return v[static_cast<std::size_t>(std::ceil(p * double(v.size()))) - 1]; };
  return {rank(0.50), rank(0.95), v.back()};
}
std::string describe(const char* what, const Stats& s, std::size_t n) {
  char line[200];
  std::snprintf(line, sizeof line, "%s over %zu runs: p50 %.1f ms, p95 %.1f ms, max %.1f ms", what, n, s.p50, s.p95,
                s.max);
  std::printf("speech timing: %s\n", line);
  std::fflush(stdout);
  return line;
}

// A real engine playing into a fresh recording.
struct Rig {
  test::TempDir tmp;
  std::string file = tmp.file("played.raw");
  std::unique_ptr<EspeakSpeech> speech;
  std::unique_ptr<Recording> rec;
  int rate = 0;

  Rig() {
    init_disk_audio();
    setenv("SDL_DISKAUDIOFILE", file.c_str(), 1);
    std::string err;
    (void)EspeakSpeech::synthesize("", 160, &rate, &err);
    INFO(err);
    REQUIRE(rate > 0);
    speech = std::make_unique<EspeakSpeech>();
    INFO(speech->error());
    REQUIRE(speech->ok());  // opens the device, which creates the file
    REQUIRE(std::string(SDL_GetCurrentAudioDriver()) == "disk");
    rec = std::make_unique<Recording>(file, rate);
  }
  ~Rig() {
    speech.reset();
    rec.reset();
  }
  std::size_t ms(double n) const { return rec->ms(n); }
  double to_ms(double samples) const { return samples * 1000.0 / rate; }

  // Waits for the device to have played 150 ms of silence: the starting point of a measurement.
  void wait_for_silence() {
    REQUIRE(rec->wait_until([&](const auto& s) { return trailing_silence(s, ms(150)); }));
  }
  // The waits above return just as the device writes, so calls made then would
  // all land at the same point of its write cycle (the first samples of a fresh
  // chunk) and measure only that case. Run i is shifted by a different part of
  // the ~100 ms write cycle so the runs cover all of it. This spreads the
  // measurement; it is not waiting for anything.
  static void shift_phase(int i) { std::this_thread::sleep_for(std::chrono::milliseconds((i * 37) % 100)); }
  // Waits until audible sound has played for at least `for_ms` after `from`; returns where it started.
  std::size_t wait_for_sound(std::size_t from, double for_ms) {
    std::size_t start = 0;
    const bool heard = rec->wait_until([&](const auto& s) {
      start = first_audible(s, from);
      return start < s.size() && s.size() >= start + ms(for_ms);
    });
    REQUIRE(heard);
    return start;
  }
  // Waits until the recording reaches `pos`.
  void wait_for_position(double pos) {
    REQUIRE(rec->wait_until([&](const auto& s) { return double(s.size()) >= pos; }));
  }
};

// The samples of `text` from its first audible one, for finding it in a recording.
std::vector<std::int16_t> onset_window(const std::string& text, std::size_t length) {
  int rate = 0;
  std::string err;
  auto s = EspeakSpeech::synthesize(text, 160, &rate, &err);
  const auto at = first_audible(s, 0);
  REQUIRE(at + length <= s.size());
  return {s.begin() + static_cast<std::ptrdiff_t>(at), s.begin() + static_cast<std::ptrdiff_t>(at + length)};
}

constexpr int kRuns = 20;

}  // namespace

TEST_CASE("speech from silence: first audible sample within 150 ms", "[speech][timing]") {
  Rig r;
  std::vector<double> starts;
  for (int i = 0; i < kRuns; ++i) {
    r.wait_for_silence();
    Rig::shift_phase(i);
    const auto t = Clock::now();
    r.speech->say(kShortText);
    const double at = r.rec->position_at(t);
    const auto heard = r.wait_for_sound(static_cast<std::size_t>(at), 20);
    starts.push_back(r.to_ms(double(heard) - at));
    r.speech->stop();
  }
  const auto s = stats(starts);
  WARN(describe("start from silence", s, starts.size()));
  CHECK(s.p95 <= 150);
}

TEST_CASE("a long text's first phrase starts within 150 ms", "[speech][timing]") {
  Rig r;
  std::vector<double> starts;
  for (int i = 0; i < kRuns; ++i) {
    r.wait_for_silence();
    Rig::shift_phase(i);
    const auto t = Clock::now();
    r.speech->say(kLongText);
    const double at = r.rec->position_at(t);
    const auto heard = r.wait_for_sound(static_cast<std::size_t>(at), 20);
    starts.push_back(r.to_ms(double(heard) - at));
    r.speech->stop();
  }
  const auto s = stats(starts);
  WARN(describe("start of a long text", s, starts.size()));
  CHECK(s.p95 <= 150);
}

// Old and new speech are told apart by content: the new text's synthesised
// samples (same voice, rate and sample rate) are found in the recording by
// their loudness contour (see find_text), which marks where the new speech
// starts; anything audible
// between the call and that point is the old speech still playing. The
// interruption lands at a different point of the long text each run.
TEST_CASE("a new utterance silences the old within 50 ms and starts within 150 ms", "[speech][timing]") {
  Rig r;
  const auto window = onset_window(kShortText, r.ms(400));
  std::vector<double> stops, starts;
  for (int i = 0; i < kRuns; ++i) {
    r.wait_for_silence();
    r.speech->say(kLongText);
    r.wait_for_sound(r.rec->samples().size(), 30.0 + 97.0 * i);
    Rig::shift_phase(i);
    const auto t = Clock::now();
    r.speech->say(kShortText);
    const double at = r.rec->position_at(t);
    const auto from = static_cast<std::size_t>(at);
    // The new text must appear within 2 s; look once 400 ms have played, then again at 2 s.
    std::size_t found = 0;
    double score = 0;
    for (double horizon : {400.0, 2000.0}) {
      r.wait_for_position(at + double(r.ms(horizon)) + double(window.size()));
      const auto s = r.rec->samples();
      found = find_text(s, window, from > r.ms(50) ? from - r.ms(50) : 0, from + r.ms(horizon), &score);
      if (found < s.size()) break;
    }
    const auto s = r.rec->samples();
    INFO("run " << i << ": best correlation with the new text " << score);
    if (getenv("DUMP") && found >= s.size()) {
      FILE* f = fopen(getenv("DUMP"), "wb");
      fwrite(s.data(), 2, s.size(), f);
      fclose(f);
      printf("at %f\n", at);
    }
    if (getenv("DUMP")) printf("found %zu score %f at %f\n", found, score, at);
    REQUIRE(found < s.size());
    const auto old_end = last_audible(s, from, found);
    stops.push_back(r.to_ms(double(old_end) - at));
    starts.push_back(r.to_ms(double(found) - at));
    r.speech->stop();
  }
  const auto st = stats(stops), sn = stats(starts);
  WARN(describe("old speech silent after a new say()", st, stops.size()));
  WARN(describe("new speech start when interrupting", sn, starts.size()));
  CHECK(st.p95 <= 50);
  CHECK(sn.p95 <= 150);
}

TEST_CASE("stop() silences speech within 50 ms", "[speech][timing]") {
  Rig r;
  std::vector<double> stops;
  for (int i = 0; i < kRuns; ++i) {
    r.wait_for_silence();
    r.speech->say(kLongText);
    r.wait_for_sound(r.rec->samples().size(), 30.0 + 97.0 * i);
    Rig::shift_phase(i);
    const auto t = Clock::now();
    r.speech->stop();
    const double at = r.rec->position_at(t);
    r.wait_for_position(at + double(r.ms(500)));
    const auto s = r.rec->samples();
    const auto from = static_cast<std::size_t>(at);
    stops.push_back(r.to_ms(double(last_audible(s, from, s.size())) - at));
  }
  const auto s = stats(stops);
  WARN(describe("silent after stop()", s, stops.size()));
  CHECK(s.p95 <= 50);
}

TEST_CASE("speaking() and on_finished follow what is heard", "[speech]") {
  Rig r;
  std::mutex m;
  std::condition_variable cv;
  int finished = 0;
  Clock::time_point finished_at;
  bool speaking_in_callback = true;
  r.speech->set_on_finished([&] {
    const bool still = r.speech->speaking();
    std::lock_guard lock(m);
    ++finished;
    finished_at = Clock::now();
    speaking_in_callback = still;
    cv.notify_all();
  });
  auto wait_finished = [&](int n) {
    std::unique_lock lock(m);
    return cv.wait_for(lock, 10s, [&] { return finished >= n; });
  };

  SECTION("an utterance heard to its end") {
    r.wait_for_silence();
    const auto start = r.rec->samples().size();
    r.speech->say(kShortText);
    CHECK(r.speech->speaking());
    REQUIRE(wait_finished(1));
    CHECK_FALSE(speaking_in_callback);
    CHECK_FALSE(r.speech->speaking());
    const double at = r.rec->position_at(finished_at);
    r.wait_for_position(at + double(r.ms(300)));
    const auto s = r.rec->samples();
    const auto heard = first_audible(s, start);
    const auto last = last_audible(s, start, s.size());
    REQUIRE(heard < s.size());
    INFO("finished " << r.to_ms(at - double(last)) << " ms after the last audible sample");
    CHECK(double(last) <= at);                     // nothing heard after "finished"
    CHECK(r.to_ms(at - double(last)) <= 400);      // and not long after: espeak's final pause and one buffer
    CHECK(r.to_ms(double(last - heard)) >= 1000);  // the whole sentence was heard, not a fragment
  }
  SECTION("cut short by stop() or say(): no call for the cut utterance") {
    r.speech->say(kLongText);
    r.wait_for_sound(0, 100);
    r.speech->stop();
    CHECK_FALSE(r.speech->speaking());
    r.speech->say(kLongText);
    r.wait_for_sound(r.rec->samples().size(), 100);
    r.speech->say("Yes.");
    REQUIRE(wait_finished(1));  // for "Yes." only
    r.wait_for_silence();
    std::lock_guard lock(m);
    CHECK(finished == 1);
  }
}

TEST_CASE("text is spoken phrase by phrase", "[speech]") {
  using V = std::vector<std::string>;
  CHECK(EspeakSpeech::phrases("Question 1 of 21. Principle 1: To provide; a service? Yes! Done") ==
        V{"Question 1 of 21.", "Principle 1:", "To provide;", "a service?", "Yes!", "Done"});
  CHECK(EspeakSpeech::phrases("Open 9.30 to 5.30, Mon-Sat.\nClosed Sundays") ==
        V{"Open 9.30 to 5.30, Mon-Sat.", "Closed Sundays"});
  CHECK(EspeakSpeech::phrases("  \n ").empty());
  // A long clause is cut at commas once it is long, so it still starts at once.
  const auto p = EspeakSpeech::phrases(
      "To provide a Library Service across the borough which provides all residents with access to libraries and to "
      "electronic services sufficient in number, range and quality to support reading for pleasure, lifelong "
      "learning, the development of new skills and the effective use of information.");
  REQUIRE(p.size() >= 2);
  for (std::size_t i = 0; i + 1 < p.size(); ++i) CHECK(p[i].back() == ',');
}

TEST_CASE("speaking costs little CPU", "[speech][timing]") {
  Rig r;
  r.rec->poll_every(20ms);  // timing is not measured here: keep the recorder's own cost out of the figure
  auto cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  };
  r.speech->say(kLongText);
  const auto heard = r.wait_for_sound(0, 10);
  const double c0 = cpu();
  const auto t0 = Clock::now();
  r.wait_for_position(double(heard + r.ms(3000)));
  const double used = (cpu() - c0) / std::chrono::duration<double>(Clock::now() - t0).count();
  char line[120];
  std::snprintf(line, sizeof line, "CPU while speaking (whole process): %.1f%% of a core", used * 100);
  std::printf("speech timing: %s\n", line);
  WARN(line);
  CHECK(used < 0.05);
}
