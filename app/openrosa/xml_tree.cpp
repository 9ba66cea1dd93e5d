#include "xml_tree.hpp"

#include <expat.h>

namespace kiosk::openrosa {

const XmlNode* XmlNode::child(std::string_view local) const {
  for (const auto& c : children)
    if (c->name == local) return c.get();
  return nullptr;
}

std::vector<const XmlNode*> XmlNode::children_named(std::string_view local) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children)
    if (c->name == local) out.push_back(c.get());
  return out;
}

const std::string& XmlNode::attr(const std::string& key) const {
  static const std::string none;
  auto it = attrs.find(key);
  return it == attrs.end() ? none : it->second;
}

std::string XmlNode::all_text() const {
  std::string out = text;
  for (const auto& c : children) out += c->all_text();
  return out;
}

namespace {

constexpr char kSeparator = '\x01';

// expat gives "URI\x01local" for a namespaced name, "local" otherwise.
void split_name(const char* full, std::string& ns, std::string& local) {
  std::string_view s(full);
  const auto at = s.find(kSeparator);
  if (at == std::string_view::npos) {
    ns.clear();
    local = s;
  } else {
    ns = s.substr(0, at);
    local = s.substr(at + 1);
  }
}

struct Builder {
  XML_Parser parser = nullptr;
  const XmlLimits* limits = nullptr;
  std::unique_ptr<XmlNode> root;
  std::vector<XmlNode*> stack;
  std::size_t nodes = 0;
  std::string error;

  void stop(std::string why) {
    if (error.empty()) error = std::move(why);
    XML_StopParser(parser, XML_FALSE);
  }
};

void on_start(void* user, const XML_Char* name, const XML_Char** atts) {
  auto* b = static_cast<Builder*>(user);
  if (!b->error.empty()) return;
  if (++b->nodes > b->limits->max_nodes)
    return b->stop("more than " + std::to_string(b->limits->max_nodes) + " elements");
  if (b->stack.size() >= b->limits->max_depth)
    return b->stop("elements nested more than " + std::to_string(b->limits->max_depth) + " deep");
  auto node = std::make_unique<XmlNode>();
  split_name(name, node->ns, node->name);
  node->line = static_cast<int>(XML_GetCurrentLineNumber(b->parser));
  for (int i = 0; atts[i]; i += 2) {
    std::string ns, local;
    split_name(atts[i], ns, local);
    node->attrs[ns.empty() ? local : "{" + ns + "}" + local] = atts[i + 1];
  }
  XmlNode* raw = node.get();
  if (b->stack.empty()) {
    if (b->root) return b->stop("more than one root element");
    b->root = std::move(node);
  } else {
    b->stack.back()->children.push_back(std::move(node));
  }
  b->stack.push_back(raw);
}

void on_end(void* user, const XML_Char*) {
  auto* b = static_cast<Builder*>(user);
  if (!b->stack.empty()) b->stack.pop_back();
}

void on_text(void* user, const XML_Char* s, int len) {
  auto* b = static_cast<Builder*>(user);
  if (!b->stack.empty()) b->stack.back()->text.append(s, static_cast<std::size_t>(len));
}

// No document type declarations: nothing the kiosk reads needs one, and
// entity expansion is how a small document becomes a large one.
void on_doctype(void* user, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  static_cast<Builder*>(user)->stop("a document type declaration (<!DOCTYPE>) is not accepted");
}

}  // namespace

Result<std::unique_ptr<XmlNode>> parse_xml(std::string_view text, const std::string& source, const XmlLimits& limits) {
  if (text.size() > limits.max_bytes)
    return make_error(ErrorKind::Validation, source + ": " + std::to_string(text.size()) + " bytes, more than the " +
                                                 std::to_string(limits.max_bytes) + " accepted");
  Builder b;
  b.limits = &limits;
  b.parser = XML_ParserCreateNS(nullptr, kSeparator);
  if (!b.parser) return make_error(ErrorKind::Internal, source + ": could not create an XML parser");
  XML_SetUserData(b.parser, &b);
  XML_SetElementHandler(b.parser, on_start, on_end);
  XML_SetCharacterDataHandler(b.parser, on_text);
  XML_SetStartDoctypeDeclHandler(b.parser, on_doctype);
  const auto status = XML_Parse(b.parser, text.data(), static_cast<int>(text.size()), XML_TRUE);
  const auto line = XML_GetCurrentLineNumber(b.parser);
  std::string why = b.error;
  if (why.empty() && status != XML_STATUS_OK) why = XML_ErrorString(XML_GetErrorCode(b.parser));
  XML_ParserFree(b.parser);
  if (!why.empty()) return make_error(ErrorKind::Validation, source + ": line " + std::to_string(line) + ": " + why);
  if (!b.root) return make_error(ErrorKind::Validation, source + ": no element");
  return std::move(b.root);
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

}  // namespace kiosk::openrosa
