#include "speech.hpp"

#include <SDL.h>
#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>

#include "kiosk/locale.hpp"

namespace kiosk::ui {

// How much audio may wait in the device queue ahead of what is playing before
// the next phrase is synthesised (a phrase adds up to about 3 s): enough to
// ride out a busy moment, little enough that an interrupted long text has not
// been synthesised in vain.
constexpr double kAheadSeconds = 1.0;
// The device's buffer: an interruption clears the queue but not what the
// device already took, so its length bounds how long old speech can still be
// heard, and how late new speech starts (512 samples: 23 ms at 22050 Hz).
constexpr int kDeviceSamples = 512;
// espeak-ng's callback buffer, asked short so an abort is seen soon. (1.51 in
// synchronous mode hands over about 49 ms per call whatever is asked; that is
// synthesised in well under a millisecond, and the queue's generation check
// keeps any of it from playing once interrupted, so it costs no latency.)
constexpr int kSynthBufferMs = 20;
// Below this an utterance's first samples are silence: espeak-ng starts many
// words with up to 50 ms of it (the closure of a "k"), which would only delay
// the first sound the visitor hears.
constexpr int kLeadingSilence = 64;

struct EspeakSpeech::Utterance {
  std::vector<std::int16_t>* out = nullptr;  // collect (synthesize) ...
  EspeakSpeech* speech = nullptr;            // ... or play
  std::uint64_t generation = 0;
  bool leading = true;  // still skipping the utterance's leading silence
  std::vector<std::int16_t> buf;
};

namespace {

// espeak-ng keeps its state in globals: one synthesis at a time, whichever
// thread asks (the speech thread, or tests calling synthesize()).
std::mutex& espeak_mutex() {
  static std::mutex m;
  return m;
}

int on_samples(short* wav, int n, espeak_EVENT* events) {
  auto* u = static_cast<EspeakSpeech::Utterance*>(events ? events->user_data : nullptr);
  if (!u) return 0;
  if (u->speech) return u->speech->queue(*u, wav, n) ? 0 : 1;
  if (wav && n > 0 && u->out) u->out->insert(u->out->end(), wav, wav + n);
  return 0;
}

std::string& current_voice();

// Call with espeak_mutex() held.
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
    } else if (espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, kSynthBufferMs, nullptr) != ENS_OK) {
      err = "espeak-ng could not set up synchronous output";
    } else {
      espeak_SetSynthCallback(on_samples);
      (void)espeak_ng_SetVoiceByName("en");
      current_voice() = "en";
      rate = espeak_ng_GetSampleRate();
    }
  }
  if (error) *error = err;
  if (sample_rate) *sample_rate = rate;
  return err.empty();
}

// The voice espeak-ng was last set to. Call with espeak_mutex() held.
std::string& current_voice() {
  static std::string v = "en";
  return v;
}

// Switches espeak-ng's voice between utterances. Call with espeak_mutex() held.
void use_voice(const std::string& voice) {
  if (voice.empty() || voice == current_voice()) return;
  if (espeak_ng_SetVoiceByName(voice.c_str()) == ENS_OK) current_voice() = voice;
}

// The voices espeak-ng has, by the names espeak_ng_SetVoiceByName takes (the
// voice file's name: "en", "pl", "ur", "cmn"). Read once, from the voice files
// alone (no synthesis is started).
const std::set<std::string>& installed_voices() {
  static const std::set<std::string> names = [] {
    std::lock_guard espeak(espeak_mutex());
    espeak_ng_InitializePath(nullptr);
    std::set<std::string> out;
    const espeak_VOICE** list = espeak_ListVoices(nullptr);
    for (int i = 0; list && list[i]; ++i) {
      const espeak_VOICE* v = list[i];
      if (v->identifier) {
        const char* slash = std::strrchr(v->identifier, '/');
        std::string name = slash ? slash + 1 : v->identifier;
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.insert(name);
      }
    }
    out.erase("");
    return out;
  }();
  return names;
}

void synth(const std::string& text, EspeakSpeech::Utterance* u) {
  espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, u);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::vector<std::string> EspeakSpeech::phrases(const std::string& text) {
  // A clause longer than this is cut at its commas: about 3 s of speech.
  constexpr std::size_t kLongClause = 60;
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::size_t a = 0, b = cur.size();
    while (a < b && is_space(cur[a])) ++a;
    while (b > a && is_space(cur[b - 1])) --b;
    if (b > a) out.push_back(cur.substr(a, b - a));
    cur.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      flush();
      continue;
    }
    cur += c;
    const bool at_gap = i + 1 == text.size() || is_space(text[i + 1]);  // not "3.5" or "e.g.Bury"
    if (!at_gap) continue;
    if (c == '.' || c == '?' || c == '!' || c == ';' || c == ':' || (c == ',' && cur.size() >= kLongClause)) flush();
  }
  flush();
  return out;
}

std::string EspeakSpeech::voice_for(std::string_view locale) {
  std::string lang = kiosk::locale_language(locale);
  // espeak-ng names some voices otherwise than BCP 47 does ("en" is its
  // British English voice, the kiosk's own).
  if (lang == "zh") lang = "cmn";
  if (lang == "no") lang = "nb";
  return installed_voices().count(lang) ? lang : std::string();
}

std::string EspeakSpeech::current_voice_language() {
  std::lock_guard espeak(espeak_mutex());
  const espeak_VOICE* v = espeak_GetCurrentVoice();
  if (!v || !v->languages || !v->languages[0]) return {};
  // Listed voices start with a priority byte; the current voice's is the bare name.
  const char* l = v->languages;
  if (static_cast<unsigned char>(*l) < ' ') ++l;
  return l;
}

std::string EspeakSpeech::last_voice() const {
  std::lock_guard lock(m_);
  return last_voice_;
}

void EspeakSpeech::set_language(const std::string& locale) {
  std::string voice = voice_for(locale);
  if (voice.empty()) voice = "en";  // no voice for it: the default speaks (the language button said so)
  std::lock_guard lock(m_);
  voice_ = std::move(voice);
}

std::vector<std::int16_t> EspeakSpeech::synthesize(const std::string& text, int wpm, int* sample_rate,
                                                   std::string* error, const std::string& locale) {
  std::vector<std::int16_t> out;
  const std::string voice = voice_for(locale);
  std::lock_guard espeak(espeak_mutex());
  if (!init_espeak(error, sample_rate)) return out;
  use_voice(voice.empty() ? "en" : voice);
  Utterance u;
  u.out = &out;
  espeak_SetParameter(espeakRATE, wpm, 0);
  synth(text, &u);
  return out;
}

EspeakSpeech::EspeakSpeech() = default;

// Speech starts on first use: most visitors never turn it on, and the voice
// data and audio device cost memory and start-up time.
bool EspeakSpeech::ensure_started() {
  if (started_) return ok_;
  started_ = true;
  if (!SDL_WasInit(SDL_INIT_AUDIO)) {
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
      error_ = std::string("no audio: ") + SDL_GetError();
      return false;
    }
    own_audio_init_ = true;
  }
  {
    std::lock_guard espeak(espeak_mutex());
    if (!init_espeak(&error_, &sample_rate_)) return false;
  }
  SDL_AudioSpec want{}, have{};
  want.freq = sample_rate_;
  want.format = AUDIO_S16SYS;
  want.channels = 1;
  want.samples = kDeviceSamples;
  device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
  if (!device_) {
    error_ = std::string("no audio device: ") + SDL_GetError();
    return false;
  }
  device_samples_ = have.samples;
  SDL_PauseAudioDevice(device_, 0);
  ok_ = true;
  thread_ = std::thread([this] { run(); });
  return true;
}

EspeakSpeech::~EspeakSpeech() {
  {
    std::lock_guard lock(m_);
    quit_ = true;
    ++generation_;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (device_) SDL_CloseAudioDevice(device_);
  if (own_audio_init_) SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void EspeakSpeech::say(const std::string& text) {
  if (!ensure_started()) return;
  {
    std::lock_guard lock(m_);
    ++generation_;  // the current utterance's callbacks now refuse to queue
    SDL_ClearQueuedAudio(device_);
    pending_ = text;
    pending_voice_ = voice_;
    has_pending_ = true;
    speaking_ = true;
  }
  cv_.notify_all();
}

void EspeakSpeech::stop() {
  if (!ok_) return;
  {
    std::lock_guard lock(m_);
    ++generation_;
    SDL_ClearQueuedAudio(device_);
    has_pending_ = false;
    speaking_ = false;
  }
  cv_.notify_all();
}

bool EspeakSpeech::speaking() const {
  std::lock_guard lock(m_);
  return speaking_;
}

void EspeakSpeech::set_on_finished(std::function<void()> on_finished) {
  std::lock_guard lock(m_);
  on_finished_ = std::move(on_finished);
}

bool EspeakSpeech::queue(Utterance& u, const short* wav, int n) {
  std::unique_lock lock(m_);
  if (quit_ || generation_ != u.generation) return false;
  if (wav && n > 0) {
    const short* end = wav + n;
    if (u.leading) {
      wav = std::find_if(wav, end, [](short s) { return std::abs(s) >= kLeadingSilence; });
      u.leading = wav == end;
    }
    if (wav != end) {
      const float volume = std::clamp(volume_.load(), 0.0f, 1.0f);
      u.buf.assign(wav, end);
      if (volume < 0.999f)
        for (auto& s : u.buf) s = static_cast<std::int16_t>(static_cast<float>(s) * volume);
      SDL_QueueAudio(device_, u.buf.data(), static_cast<Uint32>(u.buf.size() * sizeof(std::int16_t)));
    }
  }
  return true;
}

// Between phrases, with espeak-ng free for anyone else: waits until no more
// than kAheadSeconds is queued ahead of the device. The wait used to sit in
// the synthesis callback, holding espeak-ng's lock for as long as a phrase
// played; anything else that synthesised then waited for the whole utterance.
// say() and stop() wake this at once. False if interrupted.
bool EspeakSpeech::pace(std::uint64_t generation) {
  std::unique_lock lock(m_);
  const auto ahead = static_cast<Uint32>(kAheadSeconds * sample_rate_) * sizeof(std::int16_t);
  for (;;) {
    if (quit_ || generation_ != generation) return false;
    const Uint32 queued = SDL_GetQueuedAudioSize(device_);
    if (queued <= ahead) return true;
    const auto excess = std::chrono::microseconds(static_cast<long long>(
        1e6 * static_cast<double>(queued - ahead) / sizeof(std::int16_t) / static_cast<double>(sample_rate_)));
    cv_.wait_for(lock, excess + std::chrono::milliseconds(1));
  }
}

// After the last phrase is queued: waits until the device has played it all,
// estimating from what is queued, then confirming the queue is empty and the
// device's own buffer has played out. False if interrupted meanwhile.
bool EspeakSpeech::wait_until_heard(std::uint64_t generation) {
  std::unique_lock lock(m_);
  const auto bytes_per_second = static_cast<double>(sample_rate_) * sizeof(std::int16_t);
  for (;;) {
    if (quit_ || generation_ != generation) return false;
    const Uint32 queued = SDL_GetQueuedAudioSize(device_);
    if (queued == 0) break;
    cv_.wait_for(lock, std::chrono::microseconds(static_cast<long long>(1e6 * queued / bytes_per_second)) +
                           std::chrono::milliseconds(2));
  }
  const auto last_buffer =
      std::chrono::microseconds(static_cast<long long>(1e6 * device_samples_ / static_cast<double>(sample_rate_)));
  cv_.wait_for(lock, last_buffer, [&] { return quit_ || generation_ != generation; });
  return !quit_ && generation_ == generation;
}

void EspeakSpeech::run() {
  for (;;) {
    std::string text, voice;
    Utterance u;
    u.speech = this;
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return quit_ || has_pending_; });
      if (quit_) return;
      text = std::move(pending_);
      voice = pending_voice_;
      last_voice_ = voice;
      has_pending_ = false;
      u.generation = generation_;
    }
    bool whole = true;
    for (const auto& phrase : phrases(text)) {
      if (!pace(u.generation)) {
        whole = false;
        break;
      }
      std::lock_guard espeak(espeak_mutex());
      use_voice(voice);  // the same for every phrase: a voice never changes mid-utterance
      espeak_SetParameter(espeakRATE, rate_.load(), 0);
      synth(phrase, &u);
    }
    if (!whole || !wait_until_heard(u.generation)) continue;
    std::function<void()> finished;
    {
      std::lock_guard lock(m_);
      if (generation_ != u.generation || has_pending_) continue;
      speaking_ = false;
      finished = on_finished_;
    }
    if (finished) finished();
  }
}

}  // namespace kiosk::ui
