// The report document drawn as PDF (cairo + pango) and as HTML.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "pdf_access.hpp"
#include "report.hpp"

namespace kiosk::cli {
namespace {

using Kind = ReportBlock::Kind;

// ---------------------------------------------------------------- PDF

constexpr double kPageW = 595.276, kPageH = 841.89;  // A4, in points
constexpr double kMargin = 56.7;                     // 2 cm
constexpr double kWidth = kPageW - 2 * kMargin;
constexpr double kTop = kMargin, kBottom = kPageH - kMargin;
const char* const kFamily = "Noto Sans";

struct Rgb {
  double r, g, b;
};
constexpr Rgb kText{0.1, 0.1, 0.1}, kMuted{0.33, 0.33, 0.33}, kRule{0.6, 0.6, 0.6}, kHeaderFill{0.88, 0.9, 0.93},
    kZebra{0.96, 0.96, 0.96};
// The series' colours: dark blue and dark orange, told apart without colour
// too (the legend's order is the bars' order, and every bar is labelled).
constexpr Rgb kSeries[] = {{0.12, 0.31, 0.47}, {0.70, 0.35, 0.0}, {0.3, 0.3, 0.3}};

// A chart's scale: its top a whole number of steps above the largest value,
// with a tick at each step (2%, 10% or 20% apart).
struct Scale {
  double top, step;
};
Scale scale_for(const std::vector<std::vector<double>>& values) {
  double m = 0;
  for (const auto& v : values)
    for (double x : v) m = std::max(m, x);
  const double step = m <= 0.1 ? 0.02 : m <= 0.5 ? 0.1 : 0.2;
  return {std::min(1.0, std::max(step, std::ceil(m / step - 1e-9) * step)), step};
}
int ticks(const Scale& s) { return static_cast<int>(s.top / s.step + 0.5); }

struct LayoutFree {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutFree>;

class Pdf {
 public:
  Pdf(const std::string& path, const std::string& title) : title_(title) {
    surface_ = cairo_pdf_surface_create(path.c_str(), kPageW, kPageH);
    cr_ = cairo_create(surface_);
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "kiosk-admin report");
    pango_ = pango_cairo_create_context(cr_);
    pango_cairo_context_set_resolution(pango_, 72);  // 1 pt of font = 1 unit of the page
    tag_begin("Document", nullptr);
  }
  ~Pdf() {
    g_object_unref(pango_);
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  Pdf(const Pdf&) = delete;
  Pdf& operator=(const Pdf&) = delete;

  // Writes the last page; an error of cairo's (the file not writable) as text.
  const std::vector<std::string>& alts() const { return alts_; }
  std::string finish() {
    footer();
    tag_end("Document");
    cairo_show_page(cr_);
    cairo_surface_finish(surface_);
    const cairo_status_t st = cairo_surface_status(surface_);
    return st == CAIRO_STATUS_SUCCESS ? std::string() : cairo_status_to_string(st);
  }

  Layout layout(const std::string& text, double size, bool bold, double width, bool markup = false) {
    Layout l(pango_layout_new(pango_));
    PangoFontDescription* fd = pango_font_description_new();
    pango_font_description_set_family(fd, kFamily);
    pango_font_description_set_size(fd, static_cast<int>(size * PANGO_SCALE));
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(l.get(), fd);
    pango_font_description_free(fd);
    if (width > 0) {
      pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
      pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    }
    if (markup)
      pango_layout_set_markup(l.get(), text.c_str(), -1);
    else
      pango_layout_set_text(l.get(), text.c_str(), -1);
    return l;
  }
  static double height(const Layout& l) {
    int w = 0, h = 0;
    pango_layout_get_size(l.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }
  static double width(const Layout& l) {
    int w = 0, h = 0;
    pango_layout_get_size(l.get(), &w, &h);
    return static_cast<double>(w) / PANGO_SCALE;
  }

  void colour(Rgb c) { cairo_set_source_rgb(cr_, c.r, c.g, c.b); }
  void show(const Layout& l, double x, double y, Rgb c = kText) {
    colour(c);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, l.get());
  }

  // Room for h more points on this page, or a new page.
  void need(double h) {
    if (y_ + h > kBottom && y_ > kTop) new_page();
  }
  void new_page() {
    footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = kTop;
  }

  // A layout drawn line by line, so a long one continues on the next page.
  void flow(const Layout& l, double x, Rgb c = kText) {
    PangoLayoutIter* it = pango_layout_get_iter(l.get());
    double origin = y_, offset = 0;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      const double top = static_cast<double>(logical.y) / PANGO_SCALE;
      const double h = static_cast<double>(logical.height) / PANGO_SCALE;
      if (origin + (top - offset) + h > kBottom) {
        new_page();
        origin = y_;
        offset = top;
      }
      const double baseline = static_cast<double>(pango_layout_iter_get_baseline(it)) / PANGO_SCALE;
      colour(c);
      cairo_move_to(cr_, x + static_cast<double>(logical.x) / PANGO_SCALE, origin + baseline - offset);
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
      y_ = origin + (top - offset) + h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
  }

  void title(const std::string& t, const std::string& sub) {
    auto l = layout(t, 20, true, kWidth);
    tag_begin("H1", nullptr);
    show(l, kMargin, y_);
    tag_end("H1");
    y_ += height(l) + 6;
    auto s = layout(sub, 10, false, kWidth);
    tag_begin("P", nullptr);
    show(s, kMargin, y_, kMuted);
    tag_end("P");
    y_ += height(s) + 18;
  }

  void heading(int level, const std::string& text) {
    const double size = level == 1 ? 15 : 11.5;
    auto l = layout(text, size, true, kWidth);
    const double h = height(l);
    y_ += level == 1 ? 14 : 8;
    need(h + 70);                                // never a heading alone at the foot of a page
    const char* tag = level == 1 ? "H2" : "H3";  // H1 is the title
    tag_begin(tag, nullptr);
    show(l, kMargin, y_, level == 1 ? kSeries[0] : kText);
    tag_end(tag);
    char dest[96];
    std::snprintf(dest, sizeof dest, "page=%d pos=[%.0f %.0f]", page_, kMargin, y_);
    if (level == 1) {
      outline_ = cairo_pdf_surface_add_outline(surface_, CAIRO_PDF_OUTLINE_ROOT, text.c_str(), dest,
                                               CAIRO_PDF_OUTLINE_FLAG_OPEN);
    } else {
      cairo_pdf_surface_add_outline(surface_, outline_, text.c_str(), dest, static_cast<cairo_pdf_outline_flags_t>(0));
    }
    y_ += h + (level == 1 ? 8 : 4);
  }

  void paragraph(const std::string& text, double size = 9.5, double indent = 0, const char* tag = "P") {
    auto l = layout(text, size, false, kWidth - indent);
    tag_begin(tag, nullptr);
    flow(l, kMargin + indent);
    tag_end(tag);
    y_ += size * 0.6;
  }

  void list(const std::vector<std::string>& items) {
    tag_begin("L", nullptr);
    for (const auto& item : items) {
      tag_begin("LI", nullptr);
      auto bullet = layout("\u2013", 9, false, 0);
      auto l = layout(item, 9, false, kWidth - 14);
      need(std::min(height(l), 24.0));
      const bool rtl = pango_layout_get_direction(l.get(), 0) == PANGO_DIRECTION_RTL;
      show(bullet, rtl ? kMargin + kWidth - 6 : kMargin + 2, y_, kMuted);
      tag_begin("LBody", nullptr);
      flow(l, rtl ? kMargin : kMargin + 14);
      tag_end("LBody");
      tag_end("LI");
      y_ += 3;
    }
    tag_end("L");
    y_ += 4;
  }

  void table(const ReportBlock& b) {
    const size_t cols = b.header.size();
    if (cols == 0) return;
    const double size = cols > 7 ? 7 : 8;
    const double pad = 3;
    // Numeric columns as wide as their widest value (at least 38 pt), the
    // text columns sharing what is left by their natural widths.
    std::vector<double> natural(cols, 0), w(cols, 0);
    for (size_t c = 0; c < cols; ++c) {
      if (b.numeric[c]) {  // a header may wrap, but not inside a word
        std::string word;
        for (size_t k = 0; k <= b.header[c].size(); ++k) {
          if (k == b.header[c].size() || b.header[c][k] == ' ') {
            natural[c] = std::max(natural[c], width(layout(word, size, true, 0)));
            word.clear();
          } else {
            word += b.header[c][k];
          }
        }
      } else {
        natural[c] = width(layout(b.header[c], size, true, 0));
      }
      for (const auto& r : b.rows)
        if (c < r.size()) natural[c] = std::max(natural[c], width(layout(r[c], size, false, 0)));
      natural[c] += 2 * pad;
    }
    double fixed = 0, text = 0;
    for (size_t c = 0; c < cols; ++c) {
      if (b.numeric[c]) {
        w[c] = std::max(natural[c], 38.0);
        fixed += w[c];
      } else {
        text += std::min(natural[c], 260.0);
      }
    }
    if (fixed > kWidth * 0.7) {  // many numeric columns: share the page among them
      for (size_t c = 0; c < cols; ++c)
        if (b.numeric[c]) w[c] *= kWidth * 0.7 / fixed;
      fixed = kWidth * 0.7;
    }
    // Each text column first gets up to 110 pt of what it needs (a short
    // label stays on one line), then the rest is shared by what more each needs.
    const double room = kWidth - fixed;
    double base = 0, more = 0;
    for (size_t c = 0; c < cols; ++c)
      if (!b.numeric[c])
        base += std::min(natural[c], 110.0), more += std::min(natural[c], 260.0) - std::min(natural[c], 110.0);
    for (size_t c = 0; c < cols; ++c) {
      if (b.numeric[c]) continue;
      const double first = std::min(natural[c], 110.0), extra = std::min(natural[c], 260.0) - first;
      if (base >= room)
        w[c] = room * first / base;
      else
        w[c] = first + (more > 0 ? (room - base) * extra / more : (room - base) * first / base);
    }
    if (text == 0)
      for (size_t c = 0; c < cols; ++c) w[c] += room / static_cast<double>(cols);

    auto row_layouts = [&](const std::vector<std::string>& cells, bool bold) {
      std::vector<Layout> ls;
      for (size_t c = 0; c < cols; ++c) {
        ls.push_back(layout(c < cells.size() ? cells[c] : std::string(), size, bold, w[c] - 2 * pad));
        if (b.numeric[c]) pango_layout_set_alignment(ls.back().get(), PANGO_ALIGN_RIGHT);
      }
      return ls;
    };
    auto row_height = [&](const std::vector<Layout>& ls) {
      double h = 0;
      for (const auto& l : ls) h = std::max(h, height(l));
      return h + 2 * pad;
    };
    auto draw_row = [&](const std::vector<Layout>& ls, double h, bool header, bool zebra) {
      if (header || zebra) {
        colour(header ? kHeaderFill : kZebra);
        cairo_rectangle(cr_, kMargin, y_, kWidth, h);
        cairo_fill(cr_);
      }
      tag_begin("TR", nullptr);
      double x = kMargin;
      for (size_t c = 0; c < cols; ++c) {
        const char* tag = header || c == 0 ? "TH" : "TD";
        tag_begin(tag, nullptr);
        show(ls[c], x + pad, y_ + pad);
        tag_end(tag);
        x += w[c];
      }
      tag_end("TR");
      colour(kRule);
      cairo_set_line_width(cr_, header ? 0.8 : 0.3);
      cairo_move_to(cr_, kMargin, y_ + h);
      cairo_line_to(cr_, kMargin + kWidth, y_ + h);
      cairo_stroke(cr_);
      y_ += h;
    };

    auto caption = layout(b.text, 8.5, true, kWidth);
    const auto head = row_layouts(b.header, true);
    const double head_h = row_height(head);
    const double first_h = b.rows.empty() ? 0 : row_height(row_layouts(b.rows[0], false));
    need(height(caption) + 3 + head_h + first_h);
    tag_begin("Table", nullptr);
    tag_begin("Caption", nullptr);
    show(caption, kMargin, y_);
    tag_end("Caption");
    y_ += height(caption) + 3;
    draw_row(head, head_h, true, false);
    for (size_t r = 0; r < b.rows.size(); ++r) {
      const auto ls = row_layouts(b.rows[r], false);
      const double h = row_height(ls);
      if (y_ + h > kBottom) {
        new_page();
        draw_row(head, head_h, true, false);  // the header again on the new page
      }
      draw_row(ls, h, false, r % 2 == 1);
    }
    tag_end("Table");
    y_ += 10;
  }

  void chart(const ReportBlock& b) {
    const size_t series = b.series.size();
    if (b.labels.empty() || series == 0) return;
    const double label_w = std::min(190.0, kWidth * 0.4), value_w = 40, bar_h = 7, gap = 5;
    const double bars_w = kWidth - label_w - value_w - 8;
    const Scale sc = scale_for(b.values);
    const double top = sc.top;
    std::vector<Layout> labels;
    double total = 0;
    std::vector<double> row_h;
    for (const auto& l : b.labels) {
      labels.push_back(layout(l, 8, false, label_w - 6));
      pango_layout_set_alignment(labels.back().get(), PANGO_ALIGN_RIGHT);
      row_h.push_back(std::max(height(labels.back()), static_cast<double>(series) * bar_h) + gap);
      total += row_h.back();
    }
    auto caption = layout(b.text, 8.5, true, kWidth);
    const double legend_h = 14;
    need(std::min(height(caption) + legend_h + total + 16, kBottom - kTop));
    // The caption is read as itself; the figure, bars and all, by its text
    // alternative (add_pdf_accessibility puts it in).
    tag_begin("P", nullptr);
    show(caption, kMargin, y_);
    tag_end("P");
    y_ += height(caption) + 4;
    tag_begin("Figure", nullptr);
    alts_.push_back(b.alt.empty() ? b.text : b.alt);
    // Legend.
    double x = kMargin + label_w + 2;
    for (size_t s = 0; s < series; ++s) {
      colour(kSeries[s % 3]);
      cairo_rectangle(cr_, x, y_ + 2, 8, 8);
      cairo_fill(cr_);
      auto l = layout(b.series[s], 8, false, 0);
      show(l, x + 11, y_);
      x += 11 + width(l) + 14;
    }
    y_ += legend_h;
    const double x0 = kMargin + label_w + 2;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (y_ + row_h[i] > kBottom) {
        new_page();
      }
      show(labels[i], kMargin, y_);
      for (size_t s = 0; s < series; ++s) {
        const double v = s < b.values[i].size() ? b.values[i][s] : 0;
        const double by = y_ + static_cast<double>(s) * bar_h;
        colour(kSeries[s % 3]);
        cairo_rectangle(cr_, x0, by + 0.5, std::max(0.0, v / top * bars_w), bar_h - 1);
        cairo_fill(cr_);
        char t[16];
        std::snprintf(t, sizeof t, v > 0 && v < 0.01 ? "%.2f%%" : "%.1f%%", 100 * v);
        auto vl = layout(t, 6.5, false, 0);
        show(vl, x0 + v / top * bars_w + 2, by - 0.5, kText);
      }
      y_ += row_h[i];
    }
    // The scale under the bars.
    colour(kRule);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, x0, y_);
    cairo_line_to(cr_, x0 + bars_w, y_);
    cairo_stroke(cr_);
    for (int t = 0; t <= ticks(sc); ++t) {
      char s[16];
      std::snprintf(s, sizeof s, "%.0f%%", 100 * sc.step * t);
      auto l = layout(s, 6.5, false, 0);
      show(l, x0 + bars_w * sc.step * t / top - width(l) / 2, y_ + 1, kMuted);
    }
    tag_end("Figure");
    y_ += 16;
  }

 private:
  // Structure tags make a tagged PDF (headings, paragraphs, tables, lists
  // and figures a screen reader can move through). Only the standard
  // structure types: cairo 1.16 crashes on others ("Title", "Artifact").
  void tag_begin(const char* tag, const char* attributes) { cairo_tag_begin(cr_, tag, attributes); }
  void tag_end(const char* tag) { cairo_tag_end(cr_, tag); }
  void footer() {
    char s[32];
    std::snprintf(s, sizeof s, "page %d", page_);
    auto l = layout(title_ + " \u00b7 " + s, 7.5, false, kWidth);
    pango_layout_set_alignment(l.get(), PANGO_ALIGN_CENTER);
    show(l, kMargin, kPageH - kMargin + 16, kMuted);
  }

  std::string title_;
  std::vector<std::string> alts_;  // each Figure's text alternative, in the order drawn
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  PangoContext* pango_ = nullptr;
  double y_ = kTop;
  int page_ = 1;
  int outline_ = CAIRO_PDF_OUTLINE_ROOT;
};

// ---------------------------------------------------------------- HTML

std::string esc(const std::string& s) { return html_escape(s); }

std::string cut(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t k = n - 3;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;  // not inside a UTF-8 character
  return s.substr(0, k) + "...";
}

const char* const kHex[] = {"#1f4f78", "#b35900", "#4d4d4d"};

void svg_chart(std::ostream& o, const ReportBlock& b, int id) {
  const size_t series = b.series.size();
  const double label_w = 300, bars_w = 380, value_w = 60, bar_h = 12, gap = 8, legend_h = 26;
  const Scale sc = scale_for(b.values);
  const double top = sc.top;
  const double row_h = static_cast<double>(series) * bar_h + gap;
  const double h = legend_h + row_h * static_cast<double>(b.labels.size()) + 24;
  const double w = label_w + bars_w + value_w;
  o << "<figure>\n<svg role=\"img\" aria-labelledby=\"chart" << id << "-t chart" << id << "-d\" viewBox=\"0 0 " << w
    << ' ' << h << "\" width=\"100%\" style=\"max-width:" << w << "px\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    << "<title id=\"chart" << id << "-t\">" << esc(b.text) << "</title>\n<desc id=\"chart" << id << "-d\">"
    << esc(b.alt) << "</desc>\n";
  double x = label_w + 4;
  for (size_t s = 0; s < series; ++s) {
    o << "<rect x=\"" << x << "\" y=\"6\" width=\"12\" height=\"12\" fill=\"" << kHex[s % 3] << "\"/><text x=\""
      << x + 16 << "\" y=\"16\" font-size=\"13\" fill=\"#1a1a1a\">" << esc(b.series[s]) << "</text>\n";
    x += 16 + 9.0 * static_cast<double>(b.series[s].size()) + 24;
  }
  for (size_t i = 0; i < b.labels.size(); ++i) {
    const double y = legend_h + row_h * static_cast<double>(i);
    o << "<text x=\"" << label_w - 6 << "\" y=\"" << y + bar_h
      << "\" font-size=\"13\" text-anchor=\"end\" fill=\"#1a1a1a\">" << esc(cut(b.labels[i], 44)) << "</text>\n";
    for (size_t s = 0; s < series; ++s) {
      const double v = s < b.values[i].size() ? b.values[i][s] : 0;
      const double bw = v / top * bars_w, by = y + static_cast<double>(s) * bar_h;
      char t[16];
      std::snprintf(t, sizeof t, v > 0 && v < 0.01 ? "%.2f%%" : "%.1f%%", 100 * v);
      o << "<rect x=\"" << label_w << "\" y=\"" << by + 1 << "\" width=\"" << bw << "\" height=\"" << bar_h - 2
        << "\" fill=\"" << kHex[s % 3] << "\"/><text x=\"" << label_w + bw + 4 << "\" y=\"" << by + bar_h - 2
        << "\" font-size=\"11\" fill=\"#1a1a1a\">" << t << "</text>\n";
    }
  }
  const double axis = legend_h + row_h * static_cast<double>(b.labels.size());
  o << "<line x1=\"" << label_w << "\" y1=\"" << axis << "\" x2=\"" << label_w + bars_w << "\" y2=\"" << axis
    << "\" stroke=\"#767676\"/>\n";
  for (int t = 0; t <= ticks(sc); ++t)
    o << "<text x=\"" << label_w + bars_w * sc.step * t / top << "\" y=\"" << axis + 16
      << "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#4d4d4d\">" << static_cast<int>(100 * sc.step * t + 0.5)
      << "%</text>\n";
  o << "</svg>\n<figcaption>" << esc(b.text) << " (the table below gives every figure)</figcaption>\n</figure>\n";
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

bool write_report_pdf(const ReportDocument& doc, const std::string& path) {
  std::string err;
  {
    Pdf pdf(path, doc.title);
    pdf.title(doc.title, doc.subtitle);
    for (const auto& b : doc.blocks) {
      switch (b.kind) {
        case Kind::Heading: pdf.heading(b.level, b.text); break;
        case Kind::Paragraph: pdf.paragraph(b.text); break;
        case Kind::Table: pdf.table(b); break;
        case Kind::Chart: pdf.chart(b); break;
        case Kind::List: pdf.list(b.items); break;
      }
    }
    err = pdf.finish();
    if (err.empty()) err = add_pdf_accessibility(path, pdf.alts(), doc.lang.empty() ? "en" : doc.lang);
  }
  if (!err.empty()) {
    std::cerr << "kiosk-admin: " << path << ": could not write the PDF: " << err << "\n";
    std::remove(path.c_str());
    return false;
  }
  return true;
}

std::string report_html(const ReportDocument& doc, const std::string& before_contents) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"" << esc(doc.lang) << "\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" << esc(doc.title)
    << "</title>\n<style>\n"
       "body{font-family:'Noto Sans',Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0;line-height:1.5}\n"
       "main{max-width:62rem;margin:0 auto;padding:1rem 1.5rem 3rem}\n"
       "h1{font-size:1.8rem}h2{font-size:1.4rem;color:#1f4f78;margin-top:2.5rem;border-bottom:2px solid #1f4f78}"
       "h3{font-size:1.1rem;margin-top:1.8rem}\n"
       ".sub{color:#4d4d4d}\n"
       ".scroll{overflow-x:auto;margin:0.5rem 0 1.2rem}\n"
       "table{border-collapse:collapse;font-size:0.9rem}caption{text-align:left;font-weight:bold;padding:0.3rem 0}\n"
       "th,td{border-bottom:1px solid #999;padding:0.25rem 0.5rem;vertical-align:top}\n"
       "thead th{background:#e0e6ee;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
       "tbody tr:nth-child(even){background:#f4f4f4}tbody th{text-align:left;font-weight:normal}\n"
       "figure{margin:1rem 0}figcaption{font-size:0.9rem;color:#4d4d4d}\n"
       "ul.comments li{margin:0.2rem 0}\n"
       ":focus{outline:3px solid #b35900}\n"
       "</style>\n</head>\n<body>\n<main>\n<h1>"
    << esc(doc.title) << "</h1>\n<p class=\"sub\">" << esc(doc.subtitle) << "</p>\n"
    << before_contents;
  // Contents: the sections.
  o << "<nav aria-label=\"Contents\">\n<h2 id=\"contents\">Contents</h2>\n<ul>\n";
  int section = 0;
  for (const auto& b : doc.blocks)
    if (b.kind == Kind::Heading && b.level == 1)
      o << "<li><a href=\"#s" << ++section << "\">" << esc(b.text) << "</a></li>\n";
  o << "</ul>\n</nav>\n";
  section = 0;
  int chart = 0, table = 0;
  for (const auto& b : doc.blocks) {
    switch (b.kind) {
      case Kind::Heading:
        if (b.level == 1)
          o << "<h2 id=\"s" << ++section << "\">" << esc(b.text) << "</h2>\n";
        else
          o << "<h3>" << esc(b.text) << "</h3>\n";
        break;
      case Kind::Paragraph: o << "<p>" << esc(b.text) << "</p>\n"; break;
      case Kind::Chart: svg_chart(o, b, ++chart); break;
      case Kind::Table: {
        ++table;
        o << "<div class=\"scroll\" role=\"region\" aria-labelledby=\"table" << table << "\" tabindex=\"0\">\n<table>"
          << "<caption id=\"table" << table << "\">" << esc(b.text) << "</caption>\n<thead><tr>";
        for (size_t c = 0; c < b.header.size(); ++c)
          o << "<th scope=\"col\"" << (b.numeric[c] ? " class=\"n\"" : "") << ">" << esc(b.header[c]) << "</th>";
        o << "</tr></thead>\n<tbody>\n";
        for (const auto& r : b.rows) {
          o << "<tr>";
          for (size_t c = 0; c < r.size(); ++c) {
            if (c == 0)
              o << "<th scope=\"row\">" << esc(r[c]) << "</th>";
            else
              o << "<td" << (c < b.numeric.size() && b.numeric[c] ? " class=\"n\"" : "") << ">" << esc(r[c]) << "</td>";
          }
          o << "</tr>\n";
        }
        o << "</tbody></table>\n</div>\n";
        break;
      }
      case Kind::List:
        o << "<ul class=\"comments\">\n";
        for (const auto& item : b.items) o << "<li dir=\"auto\">" << esc(item) << "</li>\n";
        o << "</ul>\n";
        break;
    }
  }
  o << "</main>\n</body>\n</html>\n";
  return o.str();
}

bool write_report_html(const ReportDocument& doc, const std::string& path) {
  std::ofstream o(path, std::ios::binary);
  if (!o || !(o << report_html(doc)) || !o.flush()) {
    std::cerr << "kiosk-admin: " << path << ": could not write it\n";
    return false;
  }
  return true;
}

}  // namespace kiosk::cli
