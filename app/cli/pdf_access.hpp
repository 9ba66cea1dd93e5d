// What cairo 1.16 (Debian 12's) cannot put in a tagged PDF, added to the
// file it wrote with qpdf: each Figure's text alternative (/Alt), which a
// screen reader reads in place of the chart; the document's language
// (/Lang), so it reads the words in the right voice; and that a viewer
// shows the document's title rather than its file name (PDF/UA asks all
// three).
#pragma once

#include <string>
#include <vector>

namespace kiosk::cli {

// `alts`: one per Figure, in the order they were drawn. Rewrites `path` in
// place (through a file beside it); returns "" or what went wrong.
std::string add_pdf_accessibility(const std::string& path, const std::vector<std::string>& alts,
                                  const std::string& lang);

}  // namespace kiosk::cli
