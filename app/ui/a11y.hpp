// The kiosk's own list of what is on screen. Dear ImGui has no accessibility
// tree, so every widget that shows something registers here (label, role,
// value, where it is); speech, keyboard focus and the layout tests all read it.
#pragma once

#include <string>
#include <vector>

namespace kiosk::ui {

enum class Role { Heading, Text, Button, Option, Checkbox, TextField, Key, Alert, Status };
const char* role_name(Role r);

struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  bool overlaps(const Rect& o) const { return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h; }
  bool contains(const Rect& o) const {
    return o.x >= x - 0.5f && o.y >= y - 0.5f && o.x + o.w <= x + w + 0.5f && o.y + o.h <= y + h + 0.5f;
  }
};

struct A11yItem {
  std::string id;     // stable within a screen, used for focus
  std::string label;  // what is read aloud
  Role role = Role::Text;
  std::string value;  // "selected", "not selected", the typed text...
  Rect rect;          // on screen, in pixels
  Rect clip;          // the region it is drawn in (a scrolling area, or the window)
  bool interactive = false;
  bool enabled = true;
  float line_h = 0;  // text: its lines' height, so a view can show whole lines
};

class A11yTree {
 public:
  void clear() { items_.clear(); }
  void add(A11yItem item) { items_.push_back(std::move(item)); }
  const std::vector<A11yItem>& items() const { return items_; }
  std::vector<A11yItem>& items() { return items_; }
  const A11yItem* find(const std::string& id) const;
  const A11yItem* find_label(const std::string& label) const;  // first interactive item with this label
  // Next/previous interactive item after `id` (wrapping); first if id is unknown.
  std::string step(const std::string& id, int direction) const;
  // What a screen reader would say for one item: "Agree, option, selected".
  static std::string utterance(const A11yItem& item);

 private:
  std::vector<A11yItem> items_;
};

}  // namespace kiosk::ui
