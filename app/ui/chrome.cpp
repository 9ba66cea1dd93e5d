// The frame around every screen: the header (what this is, where you are,
// assisted mode), the scrolling content column the screen draws into, the
// footer (the screen's Back/Next, then the access bar), and a panel over it
// all when one is open.
#include "chrome.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "bands.hpp"
#include "kiosk/locale.hpp"
#include "text/text.hpp"
#include "text_entry.hpp"

namespace kiosk::ui {
using namespace std::chrono;

namespace {

// The sizes every part of the frame is laid out from.
struct Geometry {
  float W, H;    // the window
  float s;       // text scale: every size is multiplied by it
  float margin;  // around the content column
  float col_w, col_x;
};

Geometry geometry_for(float W, float H, float scale) {
  Geometry g{W, H, scale, 24.0f * scale, 0, 0};
  // Wide enough for three columns of answers on a 1280 px screen.
  g.col_w = std::min(W - 2 * g.margin - ImGui::GetStyle().ScrollbarSize, 1240.0f * std::max(1.0f, scale * 0.9f));
  g.col_x = (W - g.col_w) * 0.5f;
  return g;
}

// The help bar's buttons, right to left from the window's right edge: their
// places depend only on the window, the text size and the letters, never on
// the screen or on speech, so a visitor finds help where they found it before.
struct BarButton {
  const char* id;  // also the key of its words in the catalogue
};
constexpr BarButton kHelp{"bar.help"};
constexpr BarButton kSettings{"bar.settings"};
constexpr BarButton kRepeat{"bar.repeat"};

float bar_button_w(ImFont* bf, const std::string& label) { return text::width(bf, label) + 1.3f * bf->FontSize; }

// A bar button's height with these letters: as tall as its tallest label
// (Nastaliq's lines are far taller than Latin's at the same size), and a
// target at least 48 px.
float bar_button_h(AppState& app, ImFont* bf) {
  float tallest = 0;
  for (const BarButton& b : {kHelp, kSettings, kRepeat}) tallest = std::max(tallest, text::measure(bf, app.tr(b.id)).y);
  return std::max({48.0f, bf->FontSize + 28.0f, tallest + 12.0f});
}
float bar_pad(ImFont* bf) { return 0.35f * bf->FontSize; }

// The bar's letters: the largest of Fonts::bar_sizes (the body's size down to
// 30 px) whose row of all three buttons fits the window's width, in a bar
// no taller than 13.5% of the window (108 px of 800: Urdu's Nastaliq at 200%
// takes 34 px letters there, English 37), else the small ones when a
// language's longer words fit no other. Decided on all three, so turning
// speech on never moves help.
ImFont* bar_font(AppState& app, const Fonts& fonts, float room, float H) {
  for (ImFont* font : fonts.bar_sizes) {
    float w = 0;
    for (const BarButton& b : {kHelp, kSettings, kRepeat})
      w += bar_button_w(font, app.tr(b.id)) + 0.5f * font->FontSize;
    const bool last = font == fonts.bar_sizes.back();
    if (w <= room && (last || bar_button_h(app, font) + 2 * bar_pad(font) <= H * 0.135f)) return font;
  }
  return fonts.small->FontSize < fonts.bar->FontSize ? fonts.small : fonts.bar;
}

// Top bar: where you are on the left (when it fits on one line), then Repeat
// when speech is on, then help and settings at the right edge.
void draw_header(AppState& app, Frame& f, const Theme& theme, const Geometry& g, const std::string& locale,
                 Chrome& chrome) {
  const float W = g.W, H = g.H, s = g.s, margin = g.margin;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  std::string left = app.survey->text(app.survey->title, locale);
  if (app.ui.screen == Screen::Admin) {
    left = app.tr("header.admin");
  } else if (app.ui.screen == Screen::Info || app.ui.screen == Screen::Home) {
    const ServicePoint* sp = app.config.find_service_point(app.config.service_point);
    left = sp ? sp->name : app.config.kiosk_name;
  }
  ImFont* bf = f.bar_font();
  const float pad = bar_pad(bf);
  const float btn_h = bar_button_h(app, bf);
  const float gap = 0.5f * bf->FontSize;
  // Repeat goes on a row of its own, under help, when a language's words
  // leave it no room beside them (help itself never moves).
  const bool repeat_below = app.settings.speech && bar_button_w(bf, app.tr(kSettings.id)) +
                                                           bar_button_w(bf, app.tr(kHelp.id)) +
                                                           bar_button_w(bf, app.tr(kRepeat.id)) + 2 * gap >
                                                       W - margin;
  float hh = btn_h + 2 * pad + (repeat_below ? btn_h + pad : 0.0f);
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(W, hh), col(theme.panel));
  // Laid out from the right edge; right to left, the whole bar mirrors
  // (help at the left edge, where you are on the right).
  auto screen_x = [&](float x, float w) { return f.rtl ? W - x - w : x; };
  float x = W - margin * 0.5f;
  auto place = [&](const BarButton& b, Intent in, float y) {
    const std::string label = app.tr(b.id);
    const float w = bar_button_w(bf, label);
    x -= w;
    ImGui::SetCursorScreenPos(ImVec2(screen_x(x, w), y));
    if (f.button(b.id, label, Frame::Style::Normal, w, Role::Button, {}, true, bf, btn_h)) f.emit(std::move(in));
    x -= gap;
  };
  place(kSettings, intent::OpenPanel{Panel::Settings}, pad);
  place(kHelp, intent::OpenPanel{Panel::Help}, pad);
  const float left_w = x - margin * 0.5f;
  if (repeat_below) x = W - margin * 0.5f;
  if (app.settings.speech) place(kRepeat, intent::Repeat{}, repeat_below ? 2 * pad + btn_h : pad);
  const float left_w_now = repeat_below ? left_w : x - margin * 0.5f;
  const ImVec2 lsz = text::measure(bf, left);
  if (!left.empty() && lsz.x <= left_w_now) {
    const float ty = (hh - lsz.y) * 0.5f;
    const float tx = screen_x(margin * 0.5f, lsz.x);
    text::draw(dl, bf, ImVec2(tx, ty), col(theme.panel_text), left);
    app.tree.add(A11yItem{"header.title", left, Role::Heading, {}, {tx, ty, lsz.x, lsz.y}, {0, 0, W, H}, false, true});
  }
  if (app.ui.assisted) {
    ImFont* hf = f.fonts.bold;
    const float bpad = 14.0f * s;
    const std::string banner = app.tr("header.assisted", {{"name", app.ui.staff_name}});
    const ImVec2 bs = text::measure(hf, banner, W - 2 * margin);
    dl->AddRectFilled(ImVec2(0, hh), ImVec2(W, hh + bs.y + 2 * bpad), col(theme.banner));
    text::draw(dl, hf, ImVec2(margin, hh + bpad), col(theme.banner_text), banner, W - 2 * margin);
    app.tree.add(A11yItem{
        "header.assisted", banner, Role::Status, {}, {margin, hh + bpad, bs.x, bs.y}, {0, 0, W, H}, false, true});
    hh += bs.y + 2 * bpad;
  }
  chrome.header_h = hh;
}

// The screen itself, in the scrolling content column.
void draw_screen(AppState& app, Frame& f, const AppView& v) {
  switch (app.ui.screen) {
    case Screen::Home: draw_home(f, v); break;
    case Screen::About: draw_about(f, v); break;
    case Screen::Privacy: draw_privacy(f, v); break;
    case Screen::Question:
      if (app.session && app.session->current()) draw_question(f, v);
      break;
    case Screen::Review:
      if (app.session) draw_review(f, v);
      break;
    case Screen::Thanks: draw_thanks(f, v); break;
    case Screen::Info: draw_info(f, v); break;
    case Screen::Pin: draw_pin(f, v); break;
    case Screen::Assist: draw_assist(f, v); break;
    case Screen::Admin: draw_admin(f, v); break;
  }
}

// This screen's own actions: Back on the left, Next on the right.
void draw_screen_nav(AppState& app, Frame& f, const AppView& v, Frame::Flow& flow) {
  switch (app.ui.screen) {
    case Screen::About: draw_about_nav(f, v, flow); break;
    case Screen::Privacy: draw_privacy_nav(f, v, flow); break;
    case Screen::Question:
      if (app.session && app.session->current()) draw_question_nav(f, v, flow);
      break;
    case Screen::Review: draw_review_nav(f, v, flow); break;
    case Screen::Info: draw_info_nav(f, v, flow); break;
    case Screen::Pin: draw_pin_nav(f, v, flow); break;
    case Screen::Assist: draw_assist_nav(f, v, flow); break;
    case Screen::Admin: draw_admin_nav(f, v, flow); break;
    default: break;
  }
}

// Between Back and Next: where you are in the survey, if it fits there.
void draw_progress(AppState& app, Frame& f, const Geometry& g, const Frame::Flow& flow, float row_y) {
  std::string text;
  if (app.ui.screen == Screen::Question && app.session) {
    const auto p = app.session->progress();
    text = app.tr("header.progress", {{"position", std::to_string(p.position)}, {"total", std::to_string(p.total)}});
  } else if (app.ui.screen == Screen::Review) {
    text = app.tr("header.review");
  }
  if (text.empty() || flow.row_h <= 0) return;
  const float l = flow.right_start > 0 ? flow.left_end : flow.x - f.gap();
  const float r = flow.right_start > 0 ? flow.right_start : flow.x0 + flow.width;
  ImFont* font = largest_bar_size(f.fonts, f.bar_font()->FontSize,
                                  [&](ImFont* each) { return text::width(each, text) <= r - l - 2 * f.gap(); });
  if (!font) return;
  const ImVec2 ts = text::measure(font, text);
  // Centred in the gap between the actions, which mirrors with them.
  const ImVec2 p(f.mirror_x(flow, (l + r - ts.x) * 0.5f, ts.x), row_y + (flow.row_h - ts.y) * 0.5f);
  text::draw(ImGui::GetWindowDrawList(), font, p, col(f.theme.text), text);
  app.tree.add(
      A11yItem{"header.progress", text, Role::Status, {}, {p.x, p.y, ts.x, ts.y}, {0, 0, g.W, g.H}, false, true});
}

// Content: one column, scrolled by touch drag, wheel, Page keys, or focus.
// Returns its height.
float draw_content(AppState& app, Chrome& chrome, Input& input, Frame& f, const AppView& v, const Geometry& g) {
  const float footer_h = chrome.footer_h;
  const float content_h = std::max(100.0f, g.H - chrome.header_h - footer_h);
  ImGui::SetCursorPos(ImVec2(g.col_x - g.margin * 0.5f, chrome.header_h));
  // The scrollbar's place is always kept, shown or not: a scrollbar that came
  // and went with the content's height changed the column's width, so the
  // answers' grid changed, so the height, so the scrollbar, frame after frame,
  // and a tap's press and release landed on different layouts (a lower answer
  // at 200% chose another, or nothing).
  //
  // Text stops short of the scrollbar (up to half a margin, what the window
  // has room for), as it starts half a margin in: a Nastaliq initial such as
  // Urdu's "ک" draws past its advance, and at 200% a heading's first letter
  // ran under the scrollbar. The column keeps its width: the child is wider
  // by the gutter, and its work area ends before it.
  const float base_w = g.col_w + g.margin * 0.5f + ImGui::GetStyle().ScrollbarSize;
  const float gutter = std::clamp(g.W - (g.col_x - g.margin * 0.5f) - base_w, 0.0f, g.margin * 0.5f);
  ImGui::BeginChild("content", ImVec2(base_w + gutter, content_h), false,
                    ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_AlwaysVerticalScrollbar);
  ImGuiWindow* content = ImGui::GetCurrentWindow();
  content->WorkRect.Max.x -= gutter;
  content->ContentRegionRect.Max.x -= gutter;
  const bool fresh = app.ui.scroll_to_top;  // drawn at the last screen's slide, at its top from the next frame
  if (app.ui.scroll_to_top) {
    ImGui::SetScrollY(0);
    app.ui.scroll_to_top = false;
    app.ui.view_top = 0;
    app.ui.view_bottom = 1e9f;
    app.ui.last_scroll = 0;
    app.ui.scroll_dir = 1;
  }
  ImGuiIO& io = ImGui::GetIO();
  touch_scroll();
  if (ImGui::IsWindowHovered() && io.MouseWheel != 0)
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseWheel * 80.0f * g.s);
  if (input.scroll_by != 0) {
    ImGui::SetScrollY(ImGui::GetScrollY() + input.scroll_by * content_h);
    input.scroll_by = 0;
  }
  slide_on_band_tap(app, f);
  ImGui::SetCursorPos(ImVec2(g.margin * 0.5f, g.margin));
  const std::size_t first_item = app.tree.items().size();
  f.in_content = true;
  ImGui::BeginGroup();
  draw_screen(app, f, v);
  ImGui::Dummy(ImVec2(0, g.margin));
  ImGui::EndGroup();
  f.in_content = false;
  settle_column(app, f, first_item, fresh);
  if (std::getenv("KIOSK_DEBUG_LAYOUT"))
    std::fprintf(stderr, "content: h=%.0f scrollmax=%.0f cursor=%.0f win=%.0f\n", content_h, ImGui::GetScrollMaxY(),
                 ImGui::GetCursorPosY(), ImGui::GetWindowHeight());
  ImGui::EndChild();
  return content_h;
}

// Footer: this screen's Back/Next, then the access bar, the same everywhere.
// One row of the screen's own actions, with its padding: the least the footer
// is given, so it is never measured from a frame where it was cut off (a
// footer drawn off the window measures nothing and would shrink to nothing).
float one_row_footer(const Frame& f, const Geometry& g) {
  return std::max(f.min_target(), f.fonts.bold->FontSize + 24.0f * g.s) + f.gap() * 0.6f + g.margin * 0.8f;
}

bool has_actions(Screen s) { return s != Screen::Home && s != Screen::Thanks; }

void draw_footer(AppState& app, Chrome& chrome, Frame& f, const AppView& v, const Theme& theme, const Geometry& g,
                 float footer_top) {
  if (!has_actions(app.ui.screen)) {
    if (chrome.footer_h != 0) {
      chrome.footer_h = 0;
      app.redraw();
    }
    return;
  }
  if (app.ui.panel == Panel::None)
    ImGui::GetForegroundDrawList()->AddLine(ImVec2(0, std::round(footer_top)), ImVec2(g.W, std::round(footer_top)),
                                            col(theme.button_edge), 2.0f);
  ImGui::SetCursorPos(ImVec2(g.col_x, footer_top + g.margin * 0.4f));
  ImGui::BeginChild("footer", ImVec2(g.col_w, g.H - footer_top), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const float y0 = ImGui::GetCursorPosY();
  const float row_y = ImGui::GetCursorScreenPos().y;
  auto flow = f.begin_flow();
  flow.split = true;
  draw_screen_nav(app, f, v, flow);
  draw_progress(app, f, g, flow, row_y);
  f.end_flow(flow);
  const float used = std::max(one_row_footer(f, g), ImGui::GetCursorPosY() - y0 + g.margin * 0.4f);
  ImGui::EndChild();
  if (std::fabs(used - chrome.footer_h) > 1.0f) {
    chrome.footer_h = used;
    app.redraw();  // lay out again with the measured footer (ImGui settles in two frames)
  }
}

// A panel covers everything below `top`: only its controls are reachable,
// and it always has a way out. The keyboard's starts under the help bar, so
// "Ask staff for help" is never covered while typing.
void draw_panel(AppState& app, Frame& f, const AppView& v, const Theme& theme, const Geometry& g,
                ImGuiWindowFlags flags, float top) {
  const float W = g.W, H = g.H, s = g.s, margin = g.margin;
  auto& items = app.tree.items();
  items.erase(std::remove_if(items.begin(), items.end(),
                             [top](const A11yItem& i) {
                               return top <= 0 || (i.id.rfind("bar.", 0) != 0 && i.id.rfind("header.", 0) != 0);
                             }),
              items.end());
  ImGui::SetNextWindowPos(ImVec2(0, top));
  ImGui::SetNextWindowSize(ImVec2(W, H - top));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0, 0, 0, 0));
  ImGui::Begin("panel", nullptr, flags);
  ImDrawList* pdl = ImGui::GetWindowDrawList();
  pdl->AddRectFilled(ImVec2(0, top), ImVec2(W, H), col(theme.text, 0.55f));
  const float pw = std::min(W - margin, g.col_w + 2 * margin);
  const float px = (W - pw) * 0.5f;
  const float py = top + margin * (top > 0 ? 0.25f : 0.5f);
  const float pbottom = H - margin * 0.5f;
  pdl->AddRectFilled(ImVec2(px, py), ImVec2(px + pw, pbottom), col(theme.background), 14.0f * s);
  pdl->AddRect(ImVec2(px, py), ImVec2(px + pw, pbottom), col(theme.button_edge), 14.0f * s, 0, 3.0f * s);
  // The panel's actions (Done, Close) sit in a row at its foot, outside what
  // slides: at 200% text they are still in view (the keyboard's are the last
  // row of its keys). Its height is last frame's measure (ImGui
  // settles in two frames; a change asks for another).
  ImGuiStorage* store = ImGui::GetStateStorage();
  const ImGuiID actions_key = ImGui::GetID("panel.actions.h");
  const float least = f.min_target() + f.gap();
  const float actions_h = std::max(least, store->GetFloat(actions_key, least));
  // The keyboard fits its keys to the room it has: nothing of it slides,
  // and it keeps less of a margin.
  const bool fitted = app.ui.panel == Panel::Keyboard;
  const float inner_h = pbottom - py - margin * (fitted ? 0.75f : 1.0f);
  ImGui::SetCursorScreenPos(ImVec2(px + margin * 0.5f, py + margin * 0.5f));
  // A child of its own: the other panels' slide (the settings panel slid by
  // keys to reach Done) is kept by ImGui per child and must not carry over.
  ImGui::BeginChild(fitted ? "panel.keyboard" : "panel.content",
                    ImVec2(pw - margin, std::max(f.min_target(), inner_h - (fitted ? 0 : actions_h))), false,
                    ImGuiWindowFlags_NoScrollWithMouse |
                        (fitted ? ImGuiWindowFlags_NoScrollbar : ImGuiWindowFlags_AlwaysVerticalScrollbar));
  touch_scroll();
  ImGui::SetCursorPos(ImVec2(margin * 0.5f, fitted ? 0.0f : margin * 0.5f));
  ImGui::PushTextWrapPos(pw - margin * 1.5f - (fitted ? 0.0f : ImGui::GetStyle().ScrollbarSize));
  ImGui::BeginGroup();
  switch (app.ui.panel) {
    case Panel::Settings: draw_settings_panel(f, v); break;
    case Panel::Help: draw_help_panel(f, v); break;
    case Panel::Idle: draw_idle_panel(f, v); break;
    case Panel::Keyboard:
      if (!app.ui.error.empty()) f.alert("kb.error", app.ui.error);
      draw_keyboard_panel(f, v);
      break;
    case Panel::None: break;
  }
  ImGui::Dummy(ImVec2(0, margin * 0.5f));
  ImGui::EndGroup();
  ImGui::PopTextWrapPos();
  ImGui::EndChild();
  if (fitted) {  // its actions are its last row
    ImGui::End();
    ImGui::PopStyleColor();
    return;
  }
  const float rule_y = ImGui::GetCursorScreenPos().y;
  pdl->AddLine(ImVec2(px + margin * 0.5f, rule_y), ImVec2(px + pw - margin * 0.5f, rule_y), col(theme.button_edge),
               2.0f);
  ImGui::SetCursorScreenPos(ImVec2(px + margin, rule_y + f.gap() * 0.5f));
  ImGui::BeginChild("panel.actions", ImVec2(pw - 2 * margin, pbottom - rule_y - f.gap() * 0.5f), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const float y0 = ImGui::GetCursorPosY();
  auto flow = f.begin_flow();
  switch (app.ui.panel) {
    case Panel::Settings: draw_settings_actions(f, v, flow); break;
    case Panel::Help: draw_help_actions(f, v, flow); break;
    case Panel::Idle: draw_idle_actions(f, v, flow); break;
    case Panel::Keyboard:
    case Panel::None: break;
  }
  f.end_flow(flow);
  const float used = ImGui::GetCursorPosY() - y0 + f.gap() * 1.5f;
  ImGui::EndChild();
  if (std::fabs(used - actions_h) > 1.0f && used >= least) {
    store->SetFloat(actions_key, used);
    app.redraw();
  }
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace

void draw_chrome(AppState& app, Chrome& chrome, Input& input, const Fonts& fonts, std::vector<Intent>& intents, float W,
                 float H) {
  const Theme& theme = app.settings.high_contrast ? high_contrast_theme() : standard_theme();
  const Geometry g = geometry_for(W, H, fonts.scale);
  Frame f(theme, fonts, app.tree, app.ui, intents, input.activate_id);
  input.activate_id.clear();
  const std::string locale = app.locale();
  f.rtl = locale_is_rtl(locale);
  if (chrome.bar_for_fonts != fonts.built || chrome.bar_for_w != W || chrome.bar_for_h != H ||
      chrome.bar_for_locale != locale) {
    chrome.bar = bar_font(app, fonts, W - g.margin, H);
    chrome.bar_for_fonts = fonts.built;
    chrome.bar_for_w = W;
    chrome.bar_for_h = H;
    chrome.bar_for_locale = locale;
  }
  f.bar = chrome.bar;
  text::set_base_direction(f.rtl ? text::Direction::RightToLeft : text::Direction::Auto);
  int idle_left = 0;
  if (app.ui.panel == Panel::Idle)
    idle_left = app.config.session.idle_response_seconds -
                static_cast<int>(duration_cast<seconds>(app.now() - app.ui.warning_since).count());
  AppView v{*app.survey,  app.config, app.session.get(),
            app.settings, app.pages,  app.service_point_page,
            app.admin,    idle_left,  app.ui.extensions < app.config.session.max_extensions,
            locale};
  v.pin_locked = app.pin_policy.locked();
  v.demo_pins = app.config.demo_pins && !demo_pins_allowed();
  v.catalogue = &app.catalogue;
  v.catalogue_locale = words_locale(app.ui.locale, app.config);
  v.speech = app.speech;
  v.keyboard = &keyboard_layout(app);

  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(W, H));
  // No background: the renderer has just cleared the window to the same
  // colour, and filling it again costs a whole-window pass in software.
  ImGui::Begin("kiosk", nullptr, fixed | ImGuiWindowFlags_NoBackground);
  draw_header(app, f, theme, g, locale, chrome);
  if (has_actions(app.ui.screen) && chrome.footer_h < one_row_footer(f, g)) chrome.footer_h = one_row_footer(f, g);
  const float content_h = draw_content(app, chrome, input, f, v, g);
  draw_footer(app, chrome, f, v, theme, g, chrome.header_h + content_h);
  ImGui::End();
  if (app.ui.panel != Panel::None)
    draw_panel(app, f, v, theme, g, fixed & ~ImGuiWindowFlags_NoBringToFrontOnFocus,
               app.ui.panel == Panel::Keyboard ? chrome.header_h : 0.0f);
}

}  // namespace kiosk::ui
