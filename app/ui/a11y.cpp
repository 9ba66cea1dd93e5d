#include "a11y.hpp"

namespace kiosk::ui {

const char* role_name(Role r) {
  switch (r) {
    case Role::Heading: return "heading";
    case Role::Text: return "text";
    case Role::Button: return "button";
    case Role::Option: return "option";
    case Role::Checkbox: return "check box";
    case Role::TextField: return "text box";
    case Role::Key: return "key";
    case Role::Alert: return "alert";
    case Role::Status: return "status";
  }
  return "";
}

const A11yItem* A11yTree::find(const std::string& id) const {
  for (const auto& i : items_)
    if (i.id == id) return &i;
  return nullptr;
}

const A11yItem* A11yTree::find_label(const std::string& label) const {
  for (const auto& i : items_)
    if (i.interactive && i.label == label) return &i;
  return nullptr;
}

std::string A11yTree::step(const std::string& id, int direction) const {
  std::vector<const A11yItem*> focusable;
  for (const auto& i : items_)
    if (i.interactive && i.enabled) focusable.push_back(&i);
  if (focusable.empty()) return {};
  int at = -1;
  for (size_t k = 0; k < focusable.size(); ++k)
    if (focusable[k]->id == id) at = static_cast<int>(k);
  if (at < 0) return direction >= 0 ? focusable.front()->id : focusable.back()->id;
  const int n = static_cast<int>(focusable.size());
  return focusable[static_cast<size_t>(((at + direction) % n + n) % n)]->id;
}

std::string A11yTree::utterance(const A11yItem& i) {
  std::string s = i.label;
  if (i.role == Role::Option || i.role == Role::Checkbox || i.role == Role::Button || i.role == Role::TextField)
    s += std::string(", ") + role_name(i.role);
  if (!i.value.empty()) s += ", " + i.value;
  if (!i.enabled) s += ", unavailable";
  return s;
}

}  // namespace kiosk::ui
