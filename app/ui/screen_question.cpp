// One question per screen: section heading and intro on a section's first
// question, the question, its answers as large buttons, a box for "Other",
// Back and Next. No question numbers, ever.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "screens.hpp"

namespace kiosk::ui {

namespace {

// The band saying "3 more answers below".
float cue_height(const Frame& f) { return f.fonts.bar->FontSize + 20.0f * std::min(f.s(), 1.5f); }

// A band at the bottom of the current scrolling area saying what is below,
// in words, over what it hides; in the tree too, so speech can say it.
void more_band(Frame& f, const std::string& id, const std::string& text) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float h = cue_height(f);
  const ImVec2 cmin = dl->GetClipRectMin(), cmax = dl->GetClipRectMax();
  const ImVec2 bmin(cmin.x, cmax.y - h);
  dl->AddRectFilled(bmin, cmax, col(f.theme.panel));
  dl->AddLine(bmin, ImVec2(cmax.x, bmin.y), col(f.theme.button_edge), 2.0f);
  ImFont* bf = f.fonts.bar;
  const float wrap = cmax.x - cmin.x - 16.0f;
  const ImVec2 ts = text::measure(bf, text, wrap);
  text::draw(dl, bf, ImVec2(cmin.x + 8.0f, bmin.y + (h - ts.y) * 0.5f), col(f.theme.panel_text), text, wrap,
             text::Options{text::Direction::Auto, text::Align::Center});
  A11yItem cue;
  cue.id = id;
  cue.label = text;
  cue.role = Role::Status;
  cue.rect = {bmin.x, bmin.y, cmax.x - bmin.x, h};
  cue.clip = {cmin.x, cmin.y, cmax.x - cmin.x, cmax.y - cmin.y};
  f.tree.add(std::move(cue));
}

// Answers in a grid of `cols` columns, read down each column then across.
// An ordered scale in two rows reads across each row instead (0 to 5, then 6 to 10).
struct Grid {
  int cols = 1, rows = 0;
  bool by_rows = false;
  ImFont* font = nullptr;  // the answers' letters: the body's, or one step smaller for a long list
  float cell_w = 0, target = 0, height = 0;
  std::vector<float> row_h;
};

Grid grid_for(const Frame& f, const std::vector<std::string>& labels, int cols, float width, float target,
              bool by_rows = false, ImFont* font = nullptr) {
  Grid g;
  g.font = font;
  const int n = static_cast<int>(labels.size());
  g.cols = cols;
  g.by_rows = by_rows;
  g.rows = (n + cols - 1) / cols;
  g.cell_w = (width - static_cast<float>(cols - 1) * f.gap()) / static_cast<float>(cols);
  g.target = target;
  g.row_h.assign(static_cast<size_t>(g.rows), target);
  for (int i = 0; i < n; ++i) {
    auto& h = g.row_h[static_cast<size_t>(by_rows ? i / cols : i % g.rows)];
    h = std::max(h, f.option_height(labels[static_cast<size_t>(i)], g.cell_w, target, font));
  }
  for (float h : g.row_h) g.height += h;
  g.height += static_cast<float>(g.rows - 1) * f.gap() * 0.6f;
  return g;
}

// Every word of every label must fit its cell whole, or the cell is too narrow.
bool words_fit(const Frame& f, const std::vector<std::string>& labels, float cell_w, ImFont* font) {
  const float room = cell_w - 16.0f * f.s();  // a narrow answer puts its mark above the words
  for (const auto& l : labels) {
    std::string spaced = l;  // a long word breaks after a slash ("Welsh/English/Scottish")
    for (size_t i = spaced.find('/'); i != std::string::npos; i = spaced.find('/', i + 1)) spaced[i] = ' ';
    std::istringstream in(spaced);
    std::string w;
    while (in >> w)
      if (f.label_width(w + "/", font ? font : f.fonts.body) > room) return false;
  }
  return true;
}

// The layout that shows every answer in `room` if there is one: a scale or
// yes/no as one row, a list in as few columns as fit, the targets no lower
// than 56 px at 100%. Otherwise the one that shows the most answers.
Grid choose_grid(const Frame& f, const Question& q, const std::vector<std::string>& labels, float width, float room) {
  const int n = static_cast<int>(labels.size());
  const bool row_first = n == 2 || q.type == QuestionType::Likert || q.type == QuestionType::YesNo;
  const float big = f.min_target(), small = 56.0f * std::max(1.0f, f.s() * 0.6f);
  // An ordered scale is one row, two rows read across, or one column: in
  // columns it would read out of order.
  const bool scale = q.type == QuestionType::Likert && n > 2;
  std::vector<std::pair<int, bool>> order;  // (columns, by rows)
  if (row_first) order.emplace_back(n, false);
  if (scale && n > 5) order.emplace_back((n + 1) / 2, true);
  for (int c = 1; c <= (scale ? 1 : std::min(n, 4)); ++c)
    if (c != n || !row_first) order.emplace_back(c, false);
  Grid best;
  int best_shown = -1;
  // A long list (the 17 ethnic groups) fits 1280x800 only in the smaller
  // letters (22 px at 100%), tried last.
  std::vector<std::pair<float, ImFont*>> sizes = {{big, nullptr}, {small, nullptr}};
  if (n > 10) sizes.emplace_back(small, f.fonts.small);
  for (const auto& [target, font] : sizes) {
    for (const auto& [c, by_rows] : order) {
      const Grid g = grid_for(f, labels, c, width, target, by_rows, font);
      if (g.cell_w < target || !words_fit(f, labels, g.cell_w, font)) continue;
      if (g.height <= room) return g;
      // How many answers are wholly in view.
      int shown = 0;
      float y = 0;
      for (int r = 0; r < g.rows; ++r) {
        y += g.row_h[static_cast<size_t>(r)];
        if (y > room) break;
        shown += std::min(g.cols, n - r * g.cols);
        y += f.gap() * 0.6f;
      }
      if (shown > best_shown && !font) best = g, best_shown = shown;
    }
  }
  if (best_shown < 0) best = grid_for(f, labels, 1, width, big);
  return best;
}

}  // namespace

void draw_question(Frame& f, const AppView& v) {
  const Session& s = *v.session;
  const Question& q = *s.current();
  const Section& sec = v.survey.sections[q.section];
  const auto visible = s.visible_questions();
  const bool first_in_section = !visible.empty() && [&] {
    for (const Question* p : visible)
      if (p->section == q.section) return p->id == q.id;
    return false;
  }();
  // When the words are too long to leave room for the first row of answers
  // (long principles at 200%), they scroll in a box of their own above the
  // answers, so the answers are still in view on arrival. A smaller font was
  // not enough: one step down still leaves Q1's words taller than the screen.
  std::vector<std::string> labels;
  for (const auto& o : q.options) labels.push_back(v.text(o.label));
  ImGuiStorage* store = ImGui::GetStateStorage();
  const ImGuiID text_key = ImGui::GetID(("q.words." + q.id).c_str());
  const float words_h = store->GetFloat(text_key, 0.0f);
  const float view_bottom0 = ImGui::GetWindowDrawList()->GetClipRectMax().y;
  const float room0 = view_bottom0 - (ImGui::GetCursorScreenPos().y + ImGui::GetScrollY());
  float first_row = 0;
  if (!labels.empty()) {
    const float w = ImGui::GetContentRegionAvail().x;
    // The tallest first row any layout might choose, so the room is never too small.
    // (An ordered scale is never in more than one column, so its words keep more room.)
    const int most = q.type == QuestionType::Likert ? 2 : 4;
    for (int c = 1; c <= std::min(most, static_cast<int>(labels.size())); ++c)
      first_row = std::max(first_row, grid_for(f, labels, c, w, f.min_target()).row_h[0]);
  }
  const float words_room = room0 - first_row - cue_height(f) - f.gap() * 1.5f;
  const bool boxed = q.has_options() && words_h > words_room;
  if (boxed) {
    ImGui::BeginChild("q.words",
                      ImVec2(ImGui::GetContentRegionAvail().x, std::max(words_room, 2.5f * f.fonts.body->FontSize)),
                      false, ImGuiWindowFlags_NoScrollWithMouse);
    touch_scroll();
  }
  ImGui::BeginGroup();
  // The section's heading and introduction set the scene, but in a box too
  // small for all the words they would fill it (at 200% Q12, Q13 and Q22
  // showed only their section's name): there the question comes first.
  auto section_words = [&] {
    if (!sec.heading.empty()) f.paragraph("q.section", v.text(sec.heading), true, f.fonts.bold);
    if (first_in_section && !sec.intro.empty()) f.paragraph("q.intro", v.text(sec.intro), true);
  };
  if (!boxed) section_words();
  if (!q.title.empty()) f.heading("q.title", v.text(q.title));
  // Lines starting with "- " in a question are shown as a list.
  std::istringstream in(v.text(q.text));
  std::string line, para;
  int n = 0;
  auto flush = [&](bool bullet) {
    if (para.empty()) return;
    if (q.title.empty() && n == 0 && !bullet)
      f.heading("q.text", para);
    else
      f.paragraph("q.text" + std::to_string(n), (bullet ? "\xE2\x80\xA2 " : "") + para, false,
                  bullet ? nullptr : f.fonts.bold);
    ++n;
    para.clear();
  };
  while (std::getline(in, line)) {
    const bool bullet = line.rfind("- ", 0) == 0;
    if (bullet) {
      flush(false);
      para = line.substr(2);
      flush(true);
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
  }
  flush(false);
  if (!q.hint.empty()) f.paragraph("q.hint", v.text(q.hint), true);
  if (!q.required) f.paragraph("q.optional", v.tr("q.optional"), true, f.fonts.small);
  if (boxed) section_words();
  ImGui::EndGroup();
  // Kept for the next frame's choice of layout. Not when the words' box has
  // slid wholly out of view: ImGui then skips what is drawn in it, the group
  // measures nothing, and taking that for the words' height would unbox them
  // on the next frame and box them again on the one after, the answers
  // jumping under the visitor's finger every frame (a tap's press and
  // release then land on different layouts, and choose nothing).
  if (const float measured = ImGui::GetItemRectSize().y; measured > 1.0f) store->SetFloat(text_key, measured);
  if (boxed) {
    if (ImGui::GetScrollY() < ImGui::GetScrollMaxY() - 1.0f) more_band(f, "question.words.more", v.tr("q.more_words"));
    ImGui::EndChild();
    ImGui::Dummy(ImVec2(0, f.gap() * 0.5f));
  }
  if (!f.ui.error.empty()) f.alert("q.error", f.ui.error);

  const Answer* a = s.answer_for(q.id);
  if (q.has_options()) {
    const bool multiple = q.type == QuestionType::Multiple;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float view_bottom = dl->GetClipRectMax().y;
    // The room below the question on arrival, at the top of the scroll.
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const float room = view_bottom - (p0.y + ImGui::GetScrollY()) - f.gap() * 0.5f;
    const float grid_w = ImGui::GetContentRegionAvail().x;
    const Grid g = choose_grid(f, q, labels, grid_w, room);
    float y = p0.y;
    std::vector<float> row_y;
    for (float h : g.row_h) {
      row_y.push_back(y);
      y += h + f.gap() * 0.6f;
    }
    int below = 0;
    const float cue_h = cue_height(f);
    for (size_t i = 0; i < q.options.size(); ++i) {
      const auto& o = q.options[i];
      const int k = static_cast<int>(i);
      const int r = g.by_rows ? k / g.cols : k % g.rows, c = g.by_rows ? k % g.cols : k / g.rows;
      // Right to left, the first column is the rightmost (a scale reads from the right).
      const float x = f.rtl ? p0.x + grid_w - g.cell_w - static_cast<float>(c) * (g.cell_w + f.gap())
                            : p0.x + static_cast<float>(c) * (g.cell_w + f.gap());
      ImGui::SetCursorScreenPos(ImVec2(x, row_y[static_cast<size_t>(r)]));
      const bool chosen = a && a->has(o.code);
      if (f.option("opt." + o.code, labels[i], chosen, multiple, g.cell_w, g.row_h[static_cast<size_t>(r)], g.font))
        f.emit(multiple ? Intent{intent::Toggle{q.id, o.code}} : Intent{intent::Choose{q.id, o.code}});
      if (ImGui::GetItemRectMax().y > view_bottom + 0.5f) ++below;
    }
    ImGui::SetCursorScreenPos(ImVec2(p0.x, p0.y + g.height));
    ImGui::Dummy(ImVec2(0, f.gap() * 0.6f));
    if (below > 0) {
      // Said in words at the bottom of the question area, over what it hides,
      // so a visitor who cannot see the thin scrollbar knows to scroll; also
      // in the tree, so speech can say it.
      int hidden = 0;
      for (const auto& it : f.tree.items())
        if (it.id.rfind("opt.", 0) == 0 && it.rect.y + it.rect.h > view_bottom - cue_h + 0.5f) ++hidden;
      const std::string text = v.tr("q.more_answers", {{"n", std::to_string(hidden)}});
      more_band(f, "question.more", text);
    }
    if (const Option* other = q.other_option(); other && a && a->has(other->code)) {
      if (f.text_box("q.other", v.tr("q.other.label"), a->other_text, v.tr("q.touch_to_type")))
        f.emit(intent::OpenKeyboard{q.id, TextTarget::Other});
    }
  } else {
    const std::string placeholder = q.type == QuestionType::Postcode && !v.config.deployment.postcode_example.empty()
                                        ? v.tr("q.postcode.hint", {{"example", v.config.deployment.postcode_example}})
                                        : v.tr("q.touch_to_type");
    if (f.text_box("q.textbox", v.tr(q.type == QuestionType::Postcode ? "q.postcode.label" : "q.answer.label"),
                   a ? a->text : "", placeholder))
      f.emit(intent::OpenKeyboard{q.id, TextTarget::Answer});
    if (q.type == QuestionType::Text)
      f.paragraph("q.limit", v.tr("q.limit", {{"n", std::to_string(q.max_length)}}), true, f.fonts.small);
  }
}

// Back on the left, Next on the right; the chrome puts "Question 3 of 21" between.
void draw_question_nav(Frame& f, const AppView& v, Frame::Flow& flow) {
  const Session& s = *v.session;
  if (f.flow_button(flow, "nav.back", v.tr("nav.back"))) f.emit(intent::Back{});
  const auto p = s.progress();
  const bool last = p.position == p.total;
  if (f.flow_button(flow, "nav.next", v.tr(last ? "nav.next.review" : "nav.next"), Frame::Style::Primary))
    f.emit(intent::Next{});
}

}  // namespace kiosk::ui
