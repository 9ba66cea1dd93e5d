#include "host.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include <cstdio>

#include "text/text.hpp"

namespace kiosk::ui {

void Host::ContextDeleter::operator()(ImGuiContext* c) const { ImGui::DestroyContext(c); }
void Host::WindowDeleter::operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
void Host::RendererDeleter::operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }

Host::Backend::~Backend() {
  if (started) ImGui_ImplSDLRenderer_Shutdown();
}

Host::Host() {
  IMGUI_CHECKVERSION();
  context_.reset(ImGui::CreateContext());
  ImGui::GetIO().IniFilename = nullptr;  // nothing of the last visitor is kept
  ImGui::GetIO().LogFilename = nullptr;
  // The font atlas needs no window: rasterise it on another core while the
  // caller loads the survey and opens the window (the slowest part of start-up).
  fonts_job_ = std::async(std::launch::async, [f = &fonts_]() {
    std::string err;
    return build_fonts(*f, 1.0f, false, &err) ? std::string() : err;
  });
}

// The glyph atlas is a texture of the renderer: it goes first.
Host::~Host() { text::detach_renderer(renderer_.get()); }

Status Host::open(const WindowOptions& opt) {
  Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
  flags |= opt.fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : SDL_WINDOW_RESIZABLE;
  window_.reset(SDL_CreateWindow(opt.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, opt.width,
                                 opt.height, flags));
  if (!window_) return make_error(ErrorKind::Config, std::string("window: cannot open a window: ") + SDL_GetError());
  if (opt.fullscreen) SDL_SetWindowKeyboardGrab(window_.get(), SDL_TRUE);
  renderer_.reset(SDL_CreateRenderer(window_.get(), -1, SDL_RENDERER_ACCELERATED));
  if (!renderer_) renderer_.reset(SDL_CreateRenderer(window_.get(), -1, SDL_RENDERER_SOFTWARE));
  if (!renderer_)
    return make_error(ErrorKind::Config, std::string("renderer: cannot draw in the window: ") + SDL_GetError());
  backend_.started = ImGui_ImplSDLRenderer_Init(renderer_.get());
  text::attach_renderer(renderer_.get());
  if (!backend_.started) return make_error(ErrorKind::Internal, "renderer: the ImGui backend did not start");
  if (const std::string font_error = fonts_job_.get(); !font_error.empty())
    return make_error(ErrorKind::Config, font_error);
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  // The texture holds the glyphs now; the font files ImGui read (six, 4 MiB)
  // are not needed again until the atlas is rebuilt from scratch.
  ImGui::GetIO().Fonts->ClearTexData();
  ImGui::GetIO().Fonts->ClearInputData();
  return {};
}

bool Host::rebuild_fonts(float scale, bool dyslexia_font) {
  std::string err;
  ImGui_ImplSDLRenderer_DestroyFontsTexture();
  if (!build_fonts(fonts_, scale, dyslexia_font, &err)) {
    std::fprintf(stderr, "kiosk: %s; keeping the standard font\n", err.c_str());
    dyslexia_font = false;
    (void)build_fonts(fonts_, scale, false, &err);
  }
  ImGui_ImplSDLRenderer_CreateFontsTexture();
  ImGui::GetIO().Fonts->ClearTexData();
  ImGui::GetIO().Fonts->ClearInputData();
  return dyslexia_font;
}

void Host::output_size(int* w, int* h) const { SDL_GetRendererOutputSize(renderer_.get(), w, h); }

}  // namespace kiosk::ui
