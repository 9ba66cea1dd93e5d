// Information pages: Markdown parsed with md4c into blocks the kiosk draws
// with its own fonts, wrapping and focus (no HTML on a kiosk).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kiosk/result.hpp"

namespace kiosk::ui {

struct Span {
  std::string text;
  bool strong = false, emphasis = false;
};

struct Block {
  enum class Kind { Heading, Paragraph, ListItem };
  Kind kind = Kind::Paragraph;
  int level = 0;         // heading level, or list depth (1 = top)
  bool ordered = false;  // list item in an ordered list
  int number = 0;        // its number when ordered
  std::vector<Span> spans;
  std::string plain() const;
};

struct Page {
  std::string title;  // the first heading
  std::vector<Block> blocks;
};

// An information page and its translations: "01-library-service.md" in the
// kiosk's own language, "01-library-service.pl.md" beside it in Polish.
struct LocalPage {
  Page page;
  std::map<std::string, Page> translations;  // by locale ("pl", "ur")
  // The page in `locale`, else in its language ("ur" for "ur-PK"), else the kiosk's own.
  const Page& in(std::string_view locale) const;
  bool has(std::string_view locale) const { return &in(locale) != &page; }
};

Result<Page> parse_markdown(const std::string& text, const std::string& source_name);
Result<Page> load_markdown_file(const std::string& path);
// PATH and every translation beside it (NAME.LOCALE.md for NAME.md).
Result<LocalPage> load_local_page(const std::string& path);
// The locale a file NAME.LOCALE.md is written in ("pl"), or empty for NAME.md.
std::string page_locale(const std::string& path);

}  // namespace kiosk::ui
