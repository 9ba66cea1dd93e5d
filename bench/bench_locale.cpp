// Start-up and frame time of the kiosk in one language beside another, in one
// run: the real app (app/ui/rig, SDL's offscreen driver and software renderer),
// alternating the locales round by round so both see the same machine state.
//
// Start-up: KioskApp::create (fonts, survey, translations, catalogue, store)
// to the first drawn frame. Frame: draw_now() on a question screen, which lays
// out, shapes (or finds in the cache) and draws every text of the screen.
//
// Usage: bench_locale [--rounds N] [--frames N] [--locale L]... (default en ur)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <unistd.h>

#include "headless_kiosk.hpp"
#include "kiosk/config.hpp"
#include "kiosk/crypto.hpp"
#include "kiosk/seal.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

struct Figures {
  std::vector<double> startup, frame;
};

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5, frames = 200;
  std::vector<std::string> locales;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
    else if (a == "--frames" && i + 1 < argc)
      frames = std::atoi(argv[++i]);
    else if (a == "--locale" && i + 1 < argc)
      locales.emplace_back(argv[++i]);
    else {
      std::fprintf(stderr, "usage: bench_locale [--rounds N] [--frames N] [--locale L]...\n");
      return 2;
    }
  }
  if (locales.empty()) locales = {"en", "ur"};
  setenv("SDL_VIDEODRIVER", "offscreen", 0);
  setenv("SDL_AUDIODRIVER", "dummy", 0);
  if (!kiosk::crypto_init()) return 1;

  const std::filesystem::path src = KIOSK_SOURCE_DIR;
  const auto tmp = std::filesystem::temp_directory_path() / ("bench-locale-" + std::to_string(getpid()));
  std::filesystem::create_directories(tmp);

  std::map<std::string, Figures> figs;
  // Round -1 warms SDL, fontconfig's cache and the page cache, and is not counted.
  for (int r = -1; r < rounds; ++r) {
    for (std::size_t k = 0; k < locales.size(); ++k) {
      // Alternate which locale goes first.
      const std::string& loc = locales[(k + static_cast<std::size_t>(r + 1)) % locales.size()];
      const auto dir = tmp / (loc + "-" + std::to_string(r + 1));
      std::filesystem::create_directories(dir);
      const auto cfg = dir / "kiosk.toml";
      std::ofstream(cfg) << "[kiosk]\nid = \"bench\"\nname = \"Bench\"\nservice_point = \"castle\"\nlocale = \"" << loc
                         << "\"\nsurvey = \"" << (src / "kiosk-config/surveys/bury-libraries-2016.toml").string()
                         << "\"\ndatabase = \"" << (dir / "kiosk.db").string() << "\"\npages = \""
                         << (src / "kiosk-config/pages").string() << "\"\nservice_points = \""
                         << (src / "kiosk-config/service-points.toml").string() << "\"\n";
      // Answers are kept only sealed: a throwaway council key, where the kiosk looks by default.
      std::ofstream(dir / "council.pub") << kiosk::format_public_key(kiosk::generate_seal_key().pub);
      auto c = kiosk::load_config(cfg.string());
      if (!c) {
        std::fprintf(stderr, "bench_locale: %s\n", c.message().c_str());
        return 1;
      }
      kiosk::rig::HeadlessKiosk rig;
      rig.rasterize = true;  // frame time includes drawing the window
      const auto t0 = Clock::now();
      if (auto st = rig.start(std::move(c).value(), 1280, 800); !st) {
        std::fprintf(stderr, "bench_locale: %s\n", st.message().c_str());
        return 1;
      }
      const double startup = ms_since(t0);
      if (r >= 0) figs[loc].startup.push_back(startup);
      // A question screen: the intro, the privacy notice, then question 1.
      rig.app->apply(kiosk::ui::intent::StartSurvey{});
      rig.settle();
      rig.app->apply(kiosk::ui::intent::BeginQuestions{});
      rig.settle();
      for (int i = 0; i < frames; ++i) {
        const auto f0 = Clock::now();
        rig.app->draw_now();
        if (r >= 0) figs[loc].frame.push_back(ms_since(f0));
      }
      rig.app.reset();
    }
  }
  std::filesystem::remove_all(tmp);

  const auto& base = figs[locales.front()];
  std::printf("kiosk in each language, %d rounds alternating, %d frames per round, 1280x800 offscreen\n", rounds,
              frames);
  std::printf("%-6s %12s %12s %12s %12s %10s %10s\n", "locale", "start p50", "start max", "frame p50", "frame p95",
              "start x", "frame x");
  for (const auto& loc : locales) {
    const auto& f = figs[loc];
    std::printf("%-6s %10.1fms %10.1fms %10.2fms %10.2fms %9.2fx %9.2fx\n", loc.c_str(), pct(f.startup, 50),
                pct(f.startup, 100), pct(f.frame, 50), pct(f.frame, 95), pct(f.startup, 50) / pct(base.startup, 50),
                pct(f.frame, 50) / pct(base.frame, 50));
  }
  return 0;
}
