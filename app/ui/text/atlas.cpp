// The text engine's glyph atlas: one SDL texture of its own, in the renderer
// Host::open attaches, that glyphs are rasterised into by glyph index
// (FreeType, quarter-pixel positions) as they are first drawn; it grows once
// when a frame's glyphs do not fit. Also attach_renderer/detach_renderer.
#include <algorithm>
#include <cstdint>

#include "engine_internal.hpp"

// FreeType comes in through raqm.h.
#include FT_OUTLINE_H

namespace kiosk::ui::text {
namespace detail {

// A texture twice the size, if the renderer allows one; the glyphs are
// rasterised into it again as they are drawn. Called before anything of
// the frame is drawn, so no draw command refers to the old texture.
void Engine::grow_atlas() {
  if (!renderer || atlas_w >= atlas_max) return;
  SDL_Texture* bigger = make_atlas(renderer, atlas_w * 2);
  if (!bigger) return;
  SDL_DestroyTexture(atlas);
  atlas = bigger;
  atlas_w = atlas_h = atlas_w * 2;
}

SDL_Texture* Engine::make_atlas(SDL_Renderer* r, int size) {
  SDL_Texture* t = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, size, size);
  if (t) {
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(t, SDL_ScaleModeNearest);
  }
  return t;
}

void Engine::reset_atlas() {
  slots.clear();
  pen_x = pen_y = row_h = 0;
  atlas_full = false;
}

const Slot* Engine::slot(int f, std::uint32_t gid, int sx, int sy) {
  const std::uint64_t key = (static_cast<std::uint64_t>(f) << 40) | (static_cast<std::uint64_t>(gid) << 8) |
                            static_cast<std::uint64_t>(sx << 4 | sy);
  if (auto it = slots.find(key); it != slots.end()) return &it->second;
  if (!atlas || atlas_full) return nullptr;
  FT_Face ftf = faces[static_cast<size_t>(f)].ft;
  Slot s;
  if (FT_Load_Glyph(ftf, gid, FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP) == 0 &&
      ftf->glyph->format == FT_GLYPH_FORMAT_OUTLINE) {
    FT_Outline_Translate(&ftf->glyph->outline, sx * 64 / kSubpixels, -sy * 64 / kSubpixels);
    if (FT_Render_Glyph(ftf->glyph, FT_RENDER_MODE_NORMAL) == 0) {
      const FT_Bitmap& bm = ftf->glyph->bitmap;
      s.w = static_cast<std::int16_t>(bm.width);
      s.h = static_cast<std::int16_t>(bm.rows);
      s.left = static_cast<std::int16_t>(ftf->glyph->bitmap_left);
      s.top = static_cast<std::int16_t>(ftf->glyph->bitmap_top);
      if (s.w > 0 && s.h > 0) {
        const int pw = s.w + 2, ph = s.h + 2;  // a clear border: nothing of a neighbour is sampled
        if (pen_x + pw > atlas_w) {
          pen_x = 0;
          pen_y += row_h;
          row_h = 0;
        }
        if (pen_y + ph > atlas_h || pw > atlas_w) {
          atlas_full = true;
          full_frame = draw_frame;
          return nullptr;
        }
        upload.assign(static_cast<size_t>(pw * ph), 0u);
        for (int y = 0; y < s.h; ++y)
          for (int x = 0; x < s.w; ++x) {
            const std::uint32_t a = bm.buffer[y * bm.pitch + x];
            upload[static_cast<size_t>((y + 1) * pw + x + 1)] = (a << 24) | 0x00FFFFFFu;
          }
        const SDL_Rect r{pen_x, pen_y, pw, ph};
        SDL_UpdateTexture(atlas, &r, upload.data(), pw * 4);
        const float iw = 1.0f / static_cast<float>(atlas_w), ih = 1.0f / static_cast<float>(atlas_h);
        s.uv0 = ImVec2(static_cast<float>(pen_x + 1) * iw, static_cast<float>(pen_y + 1) * ih);
        s.uv1 = ImVec2(static_cast<float>(pen_x + 1 + s.w) * iw, static_cast<float>(pen_y + 1 + s.h) * ih);
        pen_x += pw;
        row_h = std::max(row_h, ph);
        ++st.glyphs_rasterised;
      }
    }
  }
  return &slots.emplace(key, s).first->second;
}

}  // namespace detail

using detail::Engine;
using detail::engine;
using detail::kAtlasSize;
using detail::kAtlasStart;

void attach_renderer(SDL_Renderer* renderer) {
  Engine& e = engine();
  detach_renderer(nullptr);
  e.renderer = renderer;
  SDL_RendererInfo info{};
  e.atlas_max = kAtlasSize;
  if (SDL_GetRendererInfo(renderer, &info) == 0 && info.max_texture_width > 0)
    e.atlas_max = std::min({e.atlas_max, info.max_texture_width, info.max_texture_height});
  const int size = std::min(kAtlasStart, e.atlas_max);
  e.atlas = Engine::make_atlas(renderer, size);
  if (e.atlas) e.atlas_w = e.atlas_h = size;
  e.reset_atlas();
}

void detach_renderer(SDL_Renderer* renderer) {
  Engine& e = engine();
  if (renderer && renderer != e.renderer) return;
  if (e.atlas) SDL_DestroyTexture(e.atlas);
  e.atlas = nullptr;
  e.renderer = nullptr;
  e.reset_atlas();
}

}  // namespace kiosk::ui::text
