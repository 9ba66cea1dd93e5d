// An opt-in record of what a visitor would meet, for checking the real kiosk
// from outside (scripts/visitor_check.sh): each new screen's accessibility
// tree, and every utterance given to the speech engine with when it ended,
// as JSON lines in one file. Off unless `kiosk --a11y-dump FILE` asks for it.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "speech.hpp"

namespace kiosk::ui {

struct AppState;

class A11yDump {
 public:
  // Opens (truncates) the file; false if it cannot be written.
  bool open(const std::string& path);
  // Writes the screen once it has settled, when anything in it differs from
  // the last one written; "key" names the screen (a new key: a new screen).
  void screen(const AppState& s, int width, int height);
  // Speech events: say, stop, finished (heard to its end). Thread safe.
  void speech_event(const char* event, const std::string& text = {});
  ~A11yDump();

 private:
  void line(const std::string& json);
  double ms() const;

  std::mutex m_;
  std::FILE* f_ = nullptr;
  std::string last_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Forwards to the real engine and notes each call in the dump.
class DumpedSpeech final : public Speech {
 public:
  DumpedSpeech(Speech& inner, A11yDump& dump) : inner_(inner), dump_(dump) {}
  void say(const std::string& text) override {
    dump_.speech_event("say", text);
    inner_.say(text);
  }
  void stop() override {
    dump_.speech_event("stop");
    inner_.stop();
  }
  void set_rate(int wpm) override { inner_.set_rate(wpm); }
  void set_volume(float v) override { inner_.set_volume(v); }
  bool speaking() const override { return inner_.speaking(); }
  void set_language(const std::string& locale) override { inner_.set_language(locale); }
  bool has_voice(const std::string& locale) const override { return inner_.has_voice(locale); }
  void set_on_finished(std::function<void()> f) override {
    inner_.set_on_finished([this, f = std::move(f)] {
      dump_.speech_event("finished");
      if (f) f();
    });
  }

 private:
  Speech& inner_;
  A11yDump& dump_;
};

}  // namespace kiosk::ui
