// Speech output. The kiosk is "closed functionality" (EN 301 549 clause 5):
// visitors cannot bring a screen reader, so it speaks by itself. Any new
// utterance interrupts the one before (A2); rate and volume are per session (A3).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kiosk::ui {

class Speech {
 public:
  virtual ~Speech() = default;
  virtual void say(const std::string& text) = 0;  // interrupts whatever is being said
  virtual void stop() = 0;
  virtual void set_rate(int words_per_minute) = 0;
  virtual void set_volume(float zero_to_one) = 0;
  // Whether anything is still to be heard: lets the app wait for a prompt to
  // end before speaking the next thing, instead of cutting it off.
  virtual bool speaking() const = 0;
  // Called when an utterance has been heard to its end (never when say() or
  // stop() cut it short), so the app can move on without polling. It runs on
  // the speech thread: it must only hand over (e.g. SDL_PushEvent) and must
  // not call back into the Speech.
  virtual void set_on_finished(std::function<void()> on_finished) = 0;
  // The language of what is said next (a BCP 47 locale such as "ur"): takes
  // effect from the next say(), never in the middle of an utterance.
  virtual void set_language(const std::string& locale) { (void)locale; }
  // Whether there is a voice for the locale; without one, the default voice speaks.
  virtual bool has_voice(const std::string& locale) const {
    (void)locale;
    return true;
  }
};

// For tests: remembers what would have been said. Speech "finishes" only when
// the test says so (finish()), so the app's reaction can be driven exactly.
class RecordingSpeech final : public Speech {
 public:
  void say(const std::string& text) override {
    said.push_back(text);
    talking = true;
  }
  void stop() override {
    said.push_back("<stopped>");
    talking = false;
  }
  void set_rate(int wpm) override { rate = wpm; }
  void set_volume(float v) override { volume = v; }
  bool speaking() const override { return talking; }
  void set_on_finished(std::function<void()> f) override { on_finished = std::move(f); }
  void set_language(const std::string& locale) override { language = locale; }
  bool has_voice(const std::string& locale) const override { return voiceless.count(locale) == 0; }
  void finish() {
    talking = false;
    if (on_finished) on_finished();
  }
  std::vector<std::string> said;
  int rate = 0;
  float volume = 1;
  bool talking = false;
  std::function<void()> on_finished;
  std::string language = "en";
  std::set<std::string> voiceless;  // locales to report as having no voice
};

// espeak-ng synthesis in process, on its own thread, played through SDL audio.
// A visitor who cannot see acts on what they hear, so speech must stop the
// moment they act and the next must start at once (A15). Hence: text spoken
// phrase by phrase (a long question starts as soon as its first phrase is
// ready, and an interruption is seen between phrases), a small device buffer
// and short synthesis buffers, and no sample of an interrupted utterance ever
// queued after say() or stop() has returned (see m_).
class EspeakSpeech final : public Speech {
 public:
  EspeakSpeech();
  ~EspeakSpeech() override;
  bool ok() { return ensure_started(); }
  const std::string& error() const { return error_; }
  void say(const std::string& text) override;
  void stop() override;
  void set_rate(int wpm) override { rate_ = wpm; }
  void set_volume(float v) override { volume_ = v; }
  bool speaking() const override;
  void set_on_finished(std::function<void()> on_finished) override;
  void set_language(const std::string& locale) override;
  bool has_voice(const std::string& locale) const override { return !voice_for(locale).empty(); }

  // Synthesises without playing, for tests: 16-bit mono samples at sample_rate,
  // in the voice for `locale`.
  static std::vector<std::int16_t> synthesize(const std::string& text, int wpm, int* sample_rate, std::string* error,
                                              const std::string& locale = "en");

  // espeak-ng's voice for a locale ("en" for "en-GB", "ur" for "ur-PK",
  // "cmn" for "zh"), or "" when espeak-ng has none for its language.
  static std::string voice_for(std::string_view locale);
  // The language espeak-ng's current voice speaks ("pl"), as espeak-ng reports it.
  static std::string current_voice_language();
  // The voice the last utterance was spoken in.
  std::string last_voice() const;

  // Where a text is cut into phrases: after . ? ! ; : and line breaks, and
  // long clauses after commas. Public so that tests can check it.
  static std::vector<std::string> phrases(const std::string& text);

  struct Utterance;  // the synthesis callback's view of the utterance being spoken

  // From the synthesis callback: queues samples unless the utterance was
  // interrupted; false tells espeak-ng to abort.
  bool queue(Utterance& u, const short* wav, int n);

 private:
  void run();
  bool ensure_started();
  bool pace(std::uint64_t generation);
  bool wait_until_heard(std::uint64_t generation);

  bool started_ = false, own_audio_init_ = false;
  std::thread thread_;
  // Guards the fields below, and makes "is this utterance still current? then
  // queue its samples" exclusive with "new generation, clear the queue": without
  // it a callback could pass the check, say() clear the queue, and the callback
  // then queue old speech that would play after the new utterance began.
  mutable std::mutex m_;
  std::condition_variable cv_;
  std::string pending_;
  bool has_pending_ = false, quit_ = false, speaking_ = false;
  std::uint64_t generation_ = 0;
  std::function<void()> on_finished_;
  std::string voice_ = "en", pending_voice_ = "en", last_voice_;

  std::atomic<int> rate_{160};
  std::atomic<float> volume_{1.0f};
  std::uint32_t device_ = 0;
  int sample_rate_ = 0, device_samples_ = 0;
  bool ok_ = false;
  std::string error_;
};

}  // namespace kiosk::ui
