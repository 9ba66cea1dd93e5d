// Tests only: what the text engine draws, run by run (text.hpp's DrawnRun),
// recorded from Engine::draw while record(true) is on.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine_internal.hpp"

namespace kiosk::ui::text {
namespace detail {

void Engine::record_line(const Layout& L, const LayoutLine& ln, int line_no) {
  int visual = 0;
  for (std::size_t a = 0; a < ln.glyphs.size();) {
    std::size_t b = a + 1;
    while (b < ln.glyphs.size() && ln.glyphs[b].face == ln.glyphs[a].face && ln.glyphs[b].level == ln.glyphs[a].level)
      ++b;
    DrawnRun r;
    const Face& f = faces[static_cast<size_t>(ln.glyphs[a].face)];
    r.font_file = f.file;
    r.size_26_6 = f.size26;
    r.rtl = (ln.glyphs[a].level & 1) != 0;
    r.line = line_no;
    r.visual_index = visual++;
    r.paragraph = L.text;
    std::uint32_t lo = ln.glyphs[a].cluster, hi = lo;
    for (std::size_t k = a; k < b; ++k) {
      lo = std::min(lo, ln.glyphs[k].cluster);
      hi = std::max(hi, ln.glyphs[k].cluster);
    }
    // The run's characters end where the next cluster of the line starts,
    // or at the line's end without the spaces that were not shaped.
    std::uint32_t end = ln.end;
    bool last = true;
    for (const auto& g : ln.glyphs)
      if (g.cluster > hi) end = std::min(end, g.cluster), last = false;
    if (last)
      while (end > hi + 1 && (is_space(L.cps[end - 1]) || L.cps[end - 1] == '\n')) --end;
    end = std::max(end, hi + 1);
    r.text = L.text.substr(L.offs[lo], L.offs[end] - L.offs[lo]);
    r.offset = L.offs[lo];
    for (std::size_t k = a; k < b; ++k) {
      const auto& g = ln.glyphs[k];
      r.glyphs.push_back(g.gid);
      r.clusters.push_back(L.offs[g.cluster] - L.offs[lo]);
      r.x_advance.push_back(g.xa);
      r.x_offset.push_back(g.xo);
      r.y_offset.push_back(g.yo);
    }
    recorded.push_back(std::move(r));
    a = b;
  }
}

}  // namespace detail

using detail::Engine;
using detail::engine;

void record(bool on) {
  Engine& e = engine();
  e.recording = on;
  if (on) e.recorded.clear();
}

std::vector<DrawnRun> take_recorded() {
  std::vector<DrawnRun> out;
  out.swap(engine().recorded);
  return out;
}

}  // namespace kiosk::ui::text
