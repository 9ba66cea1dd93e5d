// kiosk-admin report: the consultation report a council officer attaches to
// a cabinet paper, from the responses `kiosk-admin open` wrote. How the
// consultation ran, responses per service point, who answered against who
// lives in the area (with verdicts), results per question weighted and
// unweighted with charts, the breakdowns by protected characteristic an
// equality impact assessment needs (small cells suppressed), and the
// comments (masked) as an appendix.
//
// The content is built once as a document (headings, paragraphs, tables,
// charts, lists) and drawn twice: as PDF with cairo and pango (text shaped
// by HarfBuzz, the engine the kiosk uses, so Urdu and Polish comments print
// as written) and as one self-contained HTML file (charts as inline SVG,
// each with its data table; no script).
#pragma once

#include <string>
#include <vector>

#include "kiosk/population.hpp"
#include "kiosk/survey.hpp"
#include "represent.hpp"

namespace kiosk::cli {

struct ReportBlock {
  enum class Kind { Heading, Paragraph, Table, Chart, List } kind = Kind::Paragraph;
  int level = 1;     // Heading: 1 (a section) or 2
  std::string text;  // Heading, Paragraph; Table and Chart: the caption
  // Table: header and rows (cells as shown); numeric columns align right.
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;
  // Chart: one bar per row per series, shares from 0 to 1.
  std::vector<std::string> series;  // e.g. {"Unweighted", "Weighted"}
  std::vector<std::string> labels;
  std::vector<std::vector<double>> values;  // [label][series]
  std::string alt;                          // Chart: its text alternative
  // List: items (comments), each shown in its own direction.
  std::vector<std::string> items;
};

struct ReportDocument {
  std::string title, subtitle, lang;
  std::vector<ReportBlock> blocks;
};

struct ReportOptions {
  OpenedFileOptions file;  // population, weighting cap, service point names, time zone
  std::string pdf, html;   // where to write (at least one)
  int threshold = 10;      // counts from 1 to threshold-1 about who answered are suppressed
  // Comments listed per question and service point (the rest counted, and
  // all of them in `kiosk-admin comments`); -1: every one.
  long comments = 250;
};

// The report's content from DIR/responses.jsonl; nullopt (said on stderr)
// when the responses cannot be read or none is completed.
std::optional<ReportDocument> build_report(const std::string& dir, const Survey& survey, const ReportOptions& opt);
// The same from responses wherever they are held (the hub's, in memory).
std::optional<ReportDocument> build_report(const OpenedResponses& from, const Survey& survey, const ReportOptions& opt);

// The document drawn; false (said on stderr) when the file cannot be written.
bool write_report_pdf(const ReportDocument& doc, const std::string& path);
bool write_report_html(const ReportDocument& doc, const std::string& path);
// The HTML as text; before_contents (HTML, such as a form of filters) goes
// between the title and the contents.
std::string report_html(const ReportDocument& doc, const std::string& before_contents = "");

int report(const std::string& dir, const Survey& survey, const ReportOptions& opt);

// Text for HTML: & < > " ' as entities.
std::string html_escape(const std::string& s);

}  // namespace kiosk::cli
