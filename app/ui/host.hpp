// Host: the platform the kiosk draws on. It owns, in the order they are made,
// the Dear ImGui context, the fonts (rasterised on another thread while the
// window opens), the SDL window, the renderer and ImGui's SDL-renderer
// backend, and releases each in reverse order only if it was made. So a
// start-up that fails half way (a broken survey, a database that cannot be
// opened, no display) unwinds cleanly instead of shutting down parts that
// never started.
#pragma once

#include <future>
#include <memory>
#include <string>

#include "kiosk/result.hpp"
#include "widgets.hpp"

struct SDL_Window;
struct SDL_Renderer;
struct ImGuiContext;

namespace kiosk::ui {

struct WindowOptions {
  std::string title;
  bool fullscreen = true;
  int width = 1280, height = 800;
};

class Host {
 public:
  // Makes the ImGui context and starts rasterising the standard fonts.
  Host();
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Opens the window and renderer, starts the backend and uploads the fonts.
  Status open(const WindowOptions& opt);

  // Rebuilds the fonts at this text scale; falls back to the standard letters
  // if the dyslexia font is missing. Returns the letters actually used.
  bool rebuild_fonts(float scale, bool dyslexia_font);

  SDL_Window* window() const { return window_.get(); }
  SDL_Renderer* renderer() const { return renderer_.get(); }
  const Fonts& fonts() const { return fonts_; }
  void output_size(int* w, int* h) const;

 private:
  struct ContextDeleter {
    void operator()(ImGuiContext* c) const;
  };
  struct WindowDeleter {
    void operator()(SDL_Window* w) const;
  };
  struct RendererDeleter {
    void operator()(SDL_Renderer* r) const;
  };
  // Backend state lives inside the ImGui context, so it is shut down before
  // the renderer it draws with; the flag says whether it was ever started.
  struct Backend {
    bool started = false;
    ~Backend();
  };

  // Declared in the order they are made; members die in reverse.
  std::unique_ptr<ImGuiContext, ContextDeleter> context_;
  Fonts fonts_;
  // Its destructor waits, and it dies before the context it draws into.
  std::future<std::string> fonts_job_;  // empty string: built
  std::unique_ptr<SDL_Window, WindowDeleter> window_;
  std::unique_ptr<SDL_Renderer, RendererDeleter> renderer_;
  Backend backend_;
};

}  // namespace kiosk::ui
