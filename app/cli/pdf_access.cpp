#include "pdf_access.hpp"

// qpdf 11: std::shared_ptr throughout, none of its older PointerHolder.
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <cstdio>
#include <exception>
#include <functional>

namespace kiosk::cli {

std::string add_pdf_accessibility(const std::string& path, const std::vector<std::string>& alts,
                                  const std::string& lang) {
  const std::string part = path + ".part";
  try {
    QPDF pdf;
    pdf.setSuppressWarnings(true);
    pdf.processFile(path.c_str());
    QPDFObjectHandle root = pdf.getRoot();
    root.replaceKey("/Lang", QPDFObjectHandle::newUnicodeString(lang));
    QPDFObjectHandle prefs = QPDFObjectHandle::newDictionary();
    prefs.replaceKey("/DisplayDocTitle", QPDFObjectHandle::newBool(true));
    root.replaceKey("/ViewerPreferences", prefs);
    QPDFObjectHandle tree = root.getKey("/StructTreeRoot");
    if (!tree.isDictionary()) return "it has no structure tree (not a tagged PDF)";
    // The structure elements in document order; a kid that is not one (a
    // marked-content or object reference, a content id) has no /S.
    size_t figures = 0;
    std::function<void(QPDFObjectHandle, int)> walk = [&](QPDFObjectHandle k, int depth) {
      if (depth > 64) return;  // cairo's trees are a few levels deep; never follow a cycle
      if (k.isArray()) {
        for (auto& kid : k.aitems()) walk(kid, depth + 1);
        return;
      }
      if (!k.isDictionary() || !k.hasKey("/S")) return;
      if (k.getKey("/S").isNameAndEquals("/Figure")) {
        if (figures < alts.size()) k.replaceKey("/Alt", QPDFObjectHandle::newUnicodeString(alts[figures]));
        ++figures;
      }
      if (k.hasKey("/K")) walk(k.getKey("/K"), depth + 1);
    };
    walk(tree.getKey("/K"), 0);
    if (figures != alts.size())
      return "it holds " + std::to_string(figures) + " figures where " + std::to_string(alts.size()) +
             " were drawn, so their text alternatives could not be matched";
    QPDFWriter w(pdf, part.c_str());
    w.write();
  } catch (const std::exception& e) {
    std::remove(part.c_str());
    return std::string("adding its text alternatives: ") + e.what();
  }
  if (std::rename(part.c_str(), path.c_str()) != 0) {
    std::remove(part.c_str());
    return "could not replace it with the file holding its text alternatives";
  }
  return {};
}

}  // namespace kiosk::cli
