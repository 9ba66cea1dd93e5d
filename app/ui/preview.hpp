// The survey as a visitor will meet it, before it reaches a kiosk:
//   kiosk --preview SURVEY.toml --out DIR   (kiosk-admin preview runs it)
// writes, for every language of the survey, a PNG of every question screen at
// 100% and at 200% text, and the words speech reads on arriving at each
// (DIR/<locale>/NN-<id>-100.png, -200.png, speech.txt), and DIR/index.html to
// look through them. Every question is shown, those asked only under
// conditions too, each as it looks unanswered. The real kiosk draws them,
// headless, on the rig the UI tests use; nothing is stored anywhere but DIR.
#pragma once

#include <string>

#include "kiosk/config.hpp"

namespace kiosk::ui {

struct PreviewOptions {
  std::string survey_path, out_dir;
  // The kiosk's own configuration, for its catalogues, keyboards and
  // deployment words; a minimal one is made when none is found.
  KioskConfig base;
  int width = 1280, height = 800;
};

// Prints what it wrote; returns the process's exit code (0, or 1 with the
// reason on stderr).
int run_preview(const PreviewOptions& opt);

}  // namespace kiosk::ui
