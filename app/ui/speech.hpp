// Speech output. The kiosk is "closed functionality" (EN 301 549 clause 5):
// visitors cannot bring a screen reader, so it speaks by itself. Any new
// utterance interrupts the one before (A2); rate and volume are per session (A3).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
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
};

// For tests: remembers what would have been said.
class RecordingSpeech final : public Speech {
 public:
  void say(const std::string& text) override { said.push_back(text); }
  void stop() override { said.push_back("<stopped>"); }
  void set_rate(int wpm) override { rate = wpm; }
  void set_volume(float v) override { volume = v; }
  std::vector<std::string> said;
  int rate = 0;
  float volume = 1;
};

// espeak-ng synthesis in process, on its own thread, played through SDL audio.
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

  // Synthesises without playing, for tests: 16-bit mono samples at sample_rate.
  static std::vector<std::int16_t> synthesize(const std::string& text, int wpm, int* sample_rate, std::string* error);

 private:
  void run();
  bool ensure_started();
  bool started_ = false;
  std::thread thread_;
  std::mutex m_;
  std::condition_variable cv_;
  std::string pending_;
  bool has_pending_ = false, quit_ = false;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> rate_{160};
  std::atomic<float> volume_{1.0f};
  std::uint32_t device_ = 0;
  bool ok_ = false;
  std::string error_;
};

}  // namespace kiosk::ui
