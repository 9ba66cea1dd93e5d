#include "text_entry.hpp"

#include <SDL.h>

#include <cctype>

namespace kiosk::ui {

namespace {

void erase_last_utf8(std::string& s) {
  if (s.empty()) return;
  size_t i = s.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  s.erase(i);
}

size_t utf8_chars(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// What a key is called aloud: punctuation is hard to hear as itself. On a
// number pad, - and . are the minus sign and the decimal point.
std::string key_name(const AppState& s, const std::string& k, bool pad) {
  if (pad && k == "-") return s.tr("say.key.minus");
  if (pad && k == ".") return s.tr("say.key.point");
  if (k == " ") return s.tr("say.key.space");
  if (k.size() != 1) return k;
  switch (k[0]) {
    case '.': return s.tr("say.key.full_stop");
    case ',': return s.tr("say.key.comma");
    case '\'': return s.tr("say.key.apostrophe");
    case '-': return s.tr("say.key.hyphen");
    case '@': return s.tr("say.key.at");
    case '?': return s.tr("say.key.question_mark");
    case '!': return s.tr("say.key.exclamation_mark");
    default: break;
  }
  if (std::isupper(static_cast<unsigned char>(k[0]))) return s.tr("say.key.capital", {{"letter", k}});
  return k;
}

}  // namespace

const KeyboardLayout& keyboard_layout(const AppState& s) {
  const Question* q = s.ui.edit_question.empty() ? nullptr : s.survey->find(s.ui.edit_question);
  if (q && q->type == QuestionType::Postcode && s.ui.edit_target == TextTarget::Answer) return Keyboards::postcode();
  if (q && is_date_part(s.ui.edit_target)) return Keyboards::digits();
  if (q && q->is_number() && s.ui.edit_target == TextTarget::Answer)
    return Keyboards::number(q->type == QuestionType::Decimal);
  return s.keyboards.for_locale(s.locale());
}

bool next_key_shifted(const UiState& ui, const KeyboardLayout& layout) {
  if (!layout.has_shift()) return false;
  if (ui.shift) return true;
  if (!layout.capitals) return false;
  // Capital at the start of the answer and of each sentence.
  const std::string& t = ui.edit_text;
  return t.empty() || (t.size() >= 2 && t.back() == ' ' &&
                       (t[t.size() - 2] == '.' || t[t.size() - 2] == '?' || t[t.size() - 2] == '!'));
}

std::string key_id(const std::string& key) {
  std::string id = "kb.key";
  for (size_t i = 0; i < key.size();) {
    const auto b = static_cast<unsigned char>(key[i]);
    const size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    unsigned cp = n == 1 ? b : b & (0xFFu >> (n + 1));
    for (size_t j = 1; j < n && i + j < key.size(); ++j)
      cp = (cp << 6) | (static_cast<unsigned char>(key[i + j]) & 0x3Fu);
    id += "." + std::to_string(cp);
    i += n;
  }
  return id;
}

void on(AppState& s, const intent::KeyboardShift&) {
  s.ui.shift = !s.ui.shift;
  s.say(s.tr(s.ui.shift ? "say.shift.on" : "say.shift.off"));
}

namespace {
// The focus on a keyboard's first letter (the digits are above it).
void focus_first_letter(AppState& s) {
  const KeyboardLayout& layout = keyboard_layout(s);
  const auto& first = layout.rows[layout.rows.size() > 1 && !layout.pad ? 1 : 0];
  s.ui.focus = key_id(first.front());
}
}  // namespace

std::string& date_part_of(DateParts& parts, TextTarget t) {
  return t == TextTarget::DateDay ? parts.day : t == TextTarget::DateMonth ? parts.month : parts.year;
}
std::string date_part(DateParts parts, TextTarget t) { return date_part_of(parts, t); }

int edit_limit(const Question& q, TextTarget t) {
  switch (t) {
    case TextTarget::Other: return q.other_max_length;
    case TextTarget::DateDay:
    case TextTarget::DateMonth: return 2;
    case TextTarget::DateYear: return 4;
    case TextTarget::Answer: break;
  }
  return q.max_length ? q.max_length : 8;
}

void reopen_keyboard(AppState& s) {
  s.ui.keyboard_under = false;
  const Question* q = s.session ? s.session->current() : nullptr;
  if (s.ui.screen != Screen::Question || !q || q->id != s.ui.edit_question) return;
  s.ui.panel = Panel::Keyboard;
  focus_first_letter(s);
  SDL_StartTextInput();
  s.say(s.tr("say.keyboard"));
}

void on(AppState& s, const intent::OpenKeyboard& in) {
  const Answer* cur = s.session ? s.session->answer_for(in.question) : nullptr;
  s.ui.edit_question = in.question;
  s.ui.edit_target = in.target;
  s.ui.edit_text = !cur                              ? std::string()
                   : in.target == TextTarget::Other  ? cur->other_text
                   : in.target == TextTarget::Answer ? cur->text
                                                     : date_part(split_date(cur->text), in.target);
  s.ui.panel = Panel::Keyboard;
  s.ui.error.clear();
  s.ui.shift = false;
  s.ui.keyboard_under = false;
  focus_first_letter(s);
  SDL_StartTextInput();
  s.say(s.tr("say.keyboard"));
}

void on(AppState& s, const intent::KeyboardKey& in) {
  const Question* q = s.survey->find(s.ui.edit_question);
  if (!q) return;
  const size_t limit = static_cast<size_t>(edit_limit(*q, s.ui.edit_target));
  if (utf8_chars(s.ui.edit_text) >= limit) {
    s.say(s.tr("say.full"));
    return;
  }
  std::string k = in.text;
  const KeyboardLayout& layout = keyboard_layout(s);
  if (layout.pad) {
    // A number pad types digits, minus and the point: a letter from a
    // keyboard is not typed, and the visitor hears what the box takes.
    bool on_pad = false;
    for (const auto& row : layout.rows) on_pad = on_pad || std::find(row.begin(), row.end(), k) != row.end();
    if (!on_pad) {
      s.say(number_words(s, *q));
      return;
    }
  }
  if (q->type == QuestionType::Postcode) {
    for (auto& c : k) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  } else if (next_key_shifted(s.ui, layout) && layout.shiftable(k)) {
    k = layout.shift_of(k);
    s.ui.shift = false;  // one capital (or one Shift letter), as on a phone
  }
  s.ui.edit_text += k;
  s.say(key_name(s, k, layout.pad));
}

void on(AppState& s, const intent::KeyboardDelete&) {
  if (!s.survey->find(s.ui.edit_question)) return;
  erase_last_utf8(s.ui.edit_text);
  s.say(s.tr("say.delete"));
}

void on(AppState& s, const intent::KeyboardDone&) { commit_keyboard(s, true); }

void on(AppState& s, const intent::KeyboardCancel&) {
  s.ui.panel = Panel::None;
  s.ui.keyboard_under = false;
  s.ui.error.clear();
  SDL_StopTextInput();
}

void commit_keyboard(AppState& s, bool close) {
  UiState& ui = s.ui;
  if (ui.panel != Panel::Keyboard) return;
  if (s.session && s.session->current() && s.session->current()->id == ui.edit_question) {
    const Answer* cur = s.session->answer_for(ui.edit_question);
    Answer a = cur ? *cur : Answer{};
    std::string t = ui.edit_text;
    while (!t.empty() && t.back() == ' ') t.pop_back();
    if (ui.edit_target == TextTarget::Other) {
      a.other_text = t;
    } else if (is_date_part(ui.edit_target)) {
      // One part of the date: a day or month of one digit is written with two.
      DateParts parts = split_date(a.text);
      if (t.size() == 1 && ui.edit_target != TextTarget::DateYear) t = "0" + t;
      date_part_of(parts, ui.edit_target) = t;
      a.text = join_date(parts);
    } else {
      a.text = t;
    }
    if (auto st = s.session->answer(a); !st) {
      ui.error = error_for_visitor(s, st.error());
      s.say(ui.error);
      return;  // the keyboard stays open with the message
    }
  }
  ui.error.clear();
  if (close) {
    ui.panel = Panel::None;
    ui.keyboard_under = false;
    // After a date's day, its month; after the month, its year.
    ui.focus = ui.edit_target == TextTarget::DateDay     ? "q.date.month"
               : ui.edit_target == TextTarget::DateMonth ? "q.date.year"
                                                         : "nav.next";
    SDL_StopTextInput();
  }
}

}  // namespace kiosk::ui
