// Information pages: Markdown parsed with md4c into blocks the kiosk draws
// with its own fonts, wrapping and focus (no HTML on a kiosk).
#pragma once

#include <string>
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

Result<Page> parse_markdown(const std::string& text, const std::string& source_name);
Result<Page> load_markdown_file(const std::string& path);

}  // namespace kiosk::ui
