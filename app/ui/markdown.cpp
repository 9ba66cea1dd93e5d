#include "markdown.hpp"

#include <md4c.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kiosk/locale.hpp"

namespace kiosk::ui {
namespace fs = std::filesystem;

std::string Block::plain() const {
  std::string s;
  for (const auto& sp : spans) s += sp.text;
  return s;
}

namespace {

struct Builder {
  Page page;
  std::vector<Block> stack_lists;  // unused placeholder for nesting depth
  int list_depth = 0;
  std::vector<bool> ordered;
  std::vector<int> counters;
  bool in_block = false;
  int strong = 0, em = 0;
  Block current;

  void start_block(Block::Kind k, int level) {
    current = Block{};
    current.kind = k;
    current.level = level;
    in_block = true;
  }
  void end_block() {
    if (!in_block) return;
    // Collapse runs of spaces left by soft breaks.
    if (!current.spans.empty()) {
      if (current.kind == Block::Kind::Heading && current.level == 1 && page.title.empty())
        page.title = current.plain();
      page.blocks.push_back(std::move(current));
    }
    current = Block{};
    in_block = false;
  }
};

int enter_block(MD_BLOCKTYPE type, void* detail, void* user) {
  auto* b = static_cast<Builder*>(user);
  switch (type) {
    case MD_BLOCK_H:
      b->end_block();
      b->start_block(Block::Kind::Heading, static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level));
      break;
    case MD_BLOCK_P:
      if (!b->in_block) b->start_block(Block::Kind::Paragraph, 0);
      break;
    case MD_BLOCK_UL:
      b->end_block();
      ++b->list_depth;
      b->ordered.push_back(false);
      b->counters.push_back(0);
      break;
    case MD_BLOCK_OL:
      b->end_block();
      ++b->list_depth;
      b->ordered.push_back(true);
      b->counters.push_back(static_cast<int>(static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start) - 1);
      break;
    case MD_BLOCK_LI:
      b->end_block();
      b->start_block(Block::Kind::ListItem, b->list_depth);
      b->current.ordered = !b->ordered.empty() && b->ordered.back();
      if (!b->counters.empty()) b->current.number = ++b->counters.back();
      break;
    default: break;
  }
  return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* user) {
  auto* b = static_cast<Builder*>(user);
  switch (type) {
    case MD_BLOCK_H:
    case MD_BLOCK_LI: b->end_block(); break;
    case MD_BLOCK_P:
      if (b->current.kind == Block::Kind::Paragraph) b->end_block();
      break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      b->end_block();
      --b->list_depth;
      b->ordered.pop_back();
      b->counters.pop_back();
      break;
    default: break;
  }
  return 0;
}

int enter_span(MD_SPANTYPE type, void*, void* user) {
  auto* b = static_cast<Builder*>(user);
  if (type == MD_SPAN_STRONG) ++b->strong;
  if (type == MD_SPAN_EM) ++b->em;
  return 0;
}

int leave_span(MD_SPANTYPE type, void*, void* user) {
  auto* b = static_cast<Builder*>(user);
  if (type == MD_SPAN_STRONG) --b->strong;
  if (type == MD_SPAN_EM) --b->em;
  return 0;
}

int text(MD_TEXTTYPE type, const MD_CHAR* t, MD_SIZE size, void* user) {
  auto* b = static_cast<Builder*>(user);
  if (!b->in_block) b->start_block(Block::Kind::Paragraph, 0);
  std::string s(t, size);
  if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) s = " ";
  if (type == MD_TEXT_ENTITY) {
    if (s == "&amp;")
      s = "&";
    else if (s == "&lt;")
      s = "<";
    else if (s == "&gt;")
      s = ">";
    else if (s == "&quot;")
      s = "\"";
    else if (s == "&nbsp;")
      s = " ";
  }
  auto& spans = b->current.spans;
  const bool strong = b->strong > 0, em = b->em > 0;
  if (!spans.empty() && spans.back().strong == strong && spans.back().emphasis == em)
    spans.back().text += s;
  else
    spans.push_back(Span{s, strong, em});
  return 0;
}

}  // namespace

Result<Page> parse_markdown(const std::string& md, const std::string& source_name) {
  Builder b;
  MD_PARSER p{};
  p.abi_version = 0;
  p.flags = MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEAUTOLINKS;
  p.enter_block = enter_block;
  p.leave_block = leave_block;
  p.enter_span = enter_span;
  p.leave_span = leave_span;
  p.text = text;
  if (md_parse(md.data(), static_cast<MD_SIZE>(md.size()), &p, &b) != 0)
    return make_error(source_name + ": the Markdown could not be read");
  b.end_block();
  if (b.page.title.empty()) b.page.title = source_name;
  return std::move(b.page);
}

Result<Page> load_markdown_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot open this information page");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_markdown(ss.str(), path);
}

const Page& LocalPage::in(std::string_view locale) const {
  for (const std::string& l : {std::string(locale), locale_language(locale)})
    if (auto it = translations.find(l); it != translations.end()) return it->second;
  return page;
}

std::string page_locale(const std::string& path) {
  const fs::path stem = fs::path(path).stem();  // "01-library-service.pl"
  const std::string ext = stem.extension().string();
  if (ext.size() < 3 || ext.size() > 7) return {};
  const std::string tag = ext.substr(1);
  return is_locale_tag(tag) ? tag : std::string();
}

Result<LocalPage> load_local_page(const std::string& path) {
  LocalPage out;
  auto p = load_markdown_file(path);
  if (!p) return p.error();
  out.page = std::move(p).value();
  const fs::path f(path);
  const std::string base = f.stem().string() + ".";  // "castle."
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(f.parent_path().empty() ? fs::path(".") : f.parent_path(), ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || e.path().extension() != ".md" || name.rfind(base, 0) != 0) continue;
    const std::string locale = page_locale(name);
    if (locale.empty() || e.path().stem().string() != base + locale) continue;
    auto t = load_markdown_file(e.path().string());
    if (!t) return t.error();
    out.translations[locale] = std::move(t).value();
  }
  return out;
}

}  // namespace kiosk::ui
