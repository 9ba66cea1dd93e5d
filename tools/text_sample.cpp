// Draws an Urdu, a Bengali and an English paragraph with the kiosk's text
// engine at the body size, headless, into a PNG; and writes an HTML page with
// the same text in the same font files at the same em size, so another
// shaping engine (headless Chromium) can draw it for comparison:
//   text_sample OUT.png OUT.html
//   chromium --headless --screenshot=chromium.png --window-size=720,640 OUT.html
// It also prints the milliseconds per frame of the three paragraphs, drawn
// from the engine's caches.
#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <vector>

#include "host.hpp"
#include "text/text.hpp"

using namespace kiosk::ui;

namespace {

const char* const kParagraphs[] = {
    "بری کونسل لائبریری سروس کے مستقبل کے بارے میں آپ کی رائے جاننا چاہتی ہے۔ میں نے 2016 میں Bury Library "
    "دیکھی۔",
    "বারি কাউন্সিল গ্রন্থাগার পরিষেবার ভবিষ্যৎ সম্পর্কে আপনার মতামত জানতে চায়। এটি প্রায় দশ মিনিট সময় নেয়।",
    "Bury Council wants to hear from you about the future of the library service. It takes about ten minutes.",
};
constexpr float kLeft = 40, kTop = 30, kWrap = 640, kGap = 24;

void frame(Host& host, const Fonts& fonts, std::vector<float>* tops) {
  ImGui_ImplSDLRenderer_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  int w = 0, h = 0;
  host.output_size(&w, &h);
  io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
  ImGui::NewFrame();
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  dl->AddRectFilled(ImVec2(0, 0), io.DisplaySize, IM_COL32(255, 255, 255, 255));
  float y = kTop;
  for (const char* p : kParagraphs) {
    if (tops) tops->push_back(y);
    y += text::draw(dl, fonts.body, ImVec2(kLeft, y), IM_COL32(0, 0, 0, 255), p, kWrap).y + kGap;
  }
  ImGui::Render();
  SDL_SetRenderDrawColor(host.renderer(), 255, 255, 255, 255);
  SDL_RenderClear(host.renderer());
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: text_sample OUT.png OUT.html\n");
    return 2;
  }
  setenv("SDL_VIDEODRIVER", "offscreen", 0);
  if (SDL_Init(SDL_INIT_VIDEO) != 0) return 1;
  {
    Host host;
    WindowOptions opt;
    opt.title = "text sample";
    opt.fullscreen = false;
    opt.width = 720;
    opt.height = 640;
    if (auto st = host.open(opt); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      return 1;
    }
    std::vector<float> tops;
    text::record(true);
    frame(host, host.fonts(), &tops);
    text::record(false);
    const auto runs = text::take_recorded();
    int w = 0, h = 0;
    host.output_size(&w, &h);
    std::vector<unsigned char> px(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
    SDL_RenderReadPixels(host.renderer(), nullptr, SDL_PIXELFORMAT_ABGR8888, px.data(), w * 4);
    stbi_write_png(argv[1], w, h, 4, px.data(), w * 4);

    // The same text for Chromium: the font files the engine used, at its em size.
    std::map<std::string, std::string> families;  // file -> family name in the page
    float em = 0;
    for (const auto& r : runs) {
      if (!families.count(r.font_file)) families[r.font_file] = "k" + std::to_string(families.size());
      if (r.font_file.find("DejaVu") != std::string::npos) em = r.px();
    }
    std::ofstream html(argv[2]);
    html << "<!doctype html><meta charset=utf-8><style>\n";
    // Each script's font only for the characters the engine gave it (its
    // unicode-range), first; the base font for the rest, as the engine's chain has it.
    std::map<std::string, std::set<std::uint32_t>> chars;
    for (const auto& r : runs)
      for (std::size_t i = 0; i < r.text.size();) {
        const auto b0 = static_cast<unsigned char>(r.text[i]);
        const std::size_t n = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
        std::uint32_t c = n == 1 ? b0 : b0 & (0x7Fu >> n);
        for (std::size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(r.text[i + k]) & 0x3Fu);
        if (c > 0x7F) chars[r.font_file].insert(c);
        i += n;
      }
    std::string stack, base;
    for (const auto& [file, fam] : families) {
      html << "@font-face{font-family:" << fam << ";src:url('file://" << file << "')";
      if (file.find("DejaVu") == std::string::npos) {
        html << ";unicode-range:";
        const char* sep = "";
        char buf[16];
        for (std::uint32_t c : chars[file]) {
          std::snprintf(buf, sizeof buf, "%sU+%04X", sep, c);
          html << buf;
          sep = ",";
        }
        stack += fam + ",";
      } else {
        base = fam;
      }
      html << "}\n";
    }
    stack += base;
    html << "body{margin:0;background:#fff}p{position:absolute;left:" << kLeft << "px;width:" << kWrap
         << "px;margin:0;font-family:" << stack << ";font-size:" << em << "px;line-height:normal}\n</style>\n";
    // Each paragraph's lines as far apart as the engine puts them.
    for (std::size_t i = 0; i < tops.size(); ++i) {
      const float line_h = text::measure(host.fonts().body, kParagraphs[i], kWrap).y /
                           static_cast<float>(text::lines(host.fonts().body, kParagraphs[i], kWrap).size());
      html << "<p dir=auto style='top:" << tops[i] << "px;line-height:" << line_h << "px'>" << kParagraphs[i]
           << "</p>\n";
    }

    // Frame cost from the caches.
    const int n = 200;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) frame(host, host.fonts(), nullptr);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / n;
    const auto s = text::stats();
    std::printf("em %.2f px; %.3f ms per frame (%d frames); lines shaped %llu, glyphs rasterised %llu\n", em, ms, n,
                static_cast<unsigned long long>(s.lines_shaped), static_cast<unsigned long long>(s.glyphs_rasterised));
  }
  SDL_Quit();
  return 0;
}
