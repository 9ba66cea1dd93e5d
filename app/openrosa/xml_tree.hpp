// A small element tree read with expat, for the OpenRosa documents the kiosk
// reads (a form list, an XForm, a server's reply, a submission manifest).
// Names are kept as namespace URI and local name; text is the element's own
// character data, concatenated. Documents are small (a form is tens of kB):
// the whole tree is kept, within the limits below, each an error naming the
// source and line.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk::openrosa {

struct XmlNode {
  std::string ns, name;                      // namespace URI ("" when none), local name
  std::map<std::string, std::string> attrs;  // by local name, or "{URI}local" when namespaced
  std::string text;
  std::vector<std::unique_ptr<XmlNode>> children;
  int line = 0;

  // The first child with this local name (any namespace), or null.
  const XmlNode* child(std::string_view local) const;
  std::vector<const XmlNode*> children_named(std::string_view local) const;
  // An attribute by local name, "" when absent; namespaced ones by "{URI}local".
  const std::string& attr(const std::string& key) const;
  // This element's text and every descendant's, in document order.
  std::string all_text() const;
};

struct XmlLimits {
  std::size_t max_bytes = 8u << 20;
  std::size_t max_depth = 64;
  std::size_t max_nodes = 200000;
};

// `source` names the document in errors: "form list from https://...: line 3: not well-formed".
Result<std::unique_ptr<XmlNode>> parse_xml(std::string_view text, const std::string& source,
                                           const XmlLimits& limits = {});

// &, <, >, " and ' as entities; characters XML 1.0 cannot carry (controls other
// than tab, newline, carriage return) are left out.
std::string xml_escape(std::string_view s);

}  // namespace kiosk::openrosa
