#include "speech.hpp"

#include <SDL.h>
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <algorithm>

namespace kiosk::ui {
namespace {

struct SynthTarget {
  std::vector<std::int16_t>* out = nullptr;  // collect (tests)
  std::uint32_t device = 0;                  // or play
  const std::atomic<std::uint64_t>* generation = nullptr;
  std::uint64_t mine = 0;
  float volume = 1.0f;
};

int on_samples(short* wav, int n, espeak_EVENT* events) {
  auto* t = static_cast<SynthTarget*>(events ? events->user_data : nullptr);
  if (!t) return 0;
  if (t->generation && t->generation->load() != t->mine) return 1;  // interrupted: abort synthesis
  if (!wav || n <= 0) return 0;
  if (t->out) t->out->insert(t->out->end(), wav, wav + n);
  if (t->device) {
    std::vector<std::int16_t> buf(wav, wav + n);
    if (t->volume < 0.999f)
      for (auto& s : buf) s = static_cast<std::int16_t>(static_cast<float>(s) * t->volume);
    SDL_QueueAudio(t->device, buf.data(), static_cast<Uint32>(buf.size() * sizeof(std::int16_t)));
  }
  return 0;
}

bool init_espeak(std::string* error, int* sample_rate) {
  static int rate = 0;
  static std::string err;
  static bool done = false;
  if (!done) {
    done = true;
    espeak_ng_InitializePath(nullptr);
    espeak_ng_ERROR_CONTEXT ctx = nullptr;
    if (espeak_ng_Initialize(&ctx) != ENS_OK) {
      err = "espeak-ng could not start (is espeak-ng-data installed?)";
      espeak_ng_ClearErrorContext(&ctx);
    } else if (espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr) != ENS_OK) {
      err = "espeak-ng could not set up synchronous output";
    } else {
      espeak_SetSynthCallback(on_samples);
      if (espeak_ng_SetVoiceByName("en-gb") != ENS_OK) (void)espeak_ng_SetVoiceByName("en");
      rate = espeak_ng_GetSampleRate();
    }
  }
  if (error) *error = err;
  if (sample_rate) *sample_rate = rate;
  return err.empty();
}

}  // namespace

std::vector<std::int16_t> EspeakSpeech::synthesize(const std::string& text, int wpm, int* sample_rate,
                                                   std::string* error) {
  std::vector<std::int16_t> out;
  if (!init_espeak(error, sample_rate)) return out;
  SynthTarget t;
  t.out = &out;
  espeak_SetParameter(espeakRATE, wpm, 0);
  espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &t);
  return out;
}

EspeakSpeech::EspeakSpeech() = default;

// Speech starts on first use: most visitors never turn it on, and the voice
// data and audio device cost memory and start-up time.
bool EspeakSpeech::ensure_started() {
  if (started_) return ok_;
  started_ = true;
  if (!SDL_WasInit(SDL_INIT_AUDIO) && SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    error_ = std::string("no audio: ") + SDL_GetError();
    return false;
  }
  int rate = 0;
  if (!init_espeak(&error_, &rate)) return false;
  SDL_AudioSpec want{}, have{};
  want.freq = rate;
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = 1024;
  device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
  if (!device_) {
    error_ = std::string("no audio device: ") + SDL_GetError();
    return false;
  }
  SDL_PauseAudioDevice(device_, 0);
  ok_ = true;
  thread_ = std::thread([this] { run(); });
  return true;
}

EspeakSpeech::~EspeakSpeech() {
  {
    std::lock_guard lock(m_);
    quit_ = true;
  }
  ++generation_;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (device_) SDL_CloseAudioDevice(device_);
  if (started_ && SDL_WasInit(SDL_INIT_AUDIO)) SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void EspeakSpeech::say(const std::string& text) {
  if (!ensure_started()) return;
  {
    std::lock_guard lock(m_);
    pending_ = text;
    has_pending_ = true;
  }
  ++generation_;  // interrupts the current synthesis
  SDL_ClearQueuedAudio(device_);
  cv_.notify_all();
}

void EspeakSpeech::stop() {
  if (!ok_) return;
  {
    std::lock_guard lock(m_);
    has_pending_ = false;
  }
  ++generation_;
  SDL_ClearQueuedAudio(device_);
}

void EspeakSpeech::run() {
  for (;;) {
    std::string text;
    std::uint64_t gen = 0;
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return quit_ || has_pending_; });
      if (quit_) return;
      text = std::move(pending_);
      has_pending_ = false;
      gen = generation_.load();
    }
    SynthTarget t;
    t.device = device_;
    t.generation = &generation_;
    t.mine = gen;
    t.volume = std::clamp(volume_.load(), 0.0f, 1.0f);
    espeak_SetParameter(espeakRATE, rate_.load(), 0);
    espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &t);
  }
}

}  // namespace kiosk::ui
