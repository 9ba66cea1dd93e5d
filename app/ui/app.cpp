// KioskApp.
//
// Sections: 1. creation and teardown  2. the loop and timers  3. input
//           4. drawing and layout  5. speech  6. intents  7. sessions and
//           settings  8. staff PIN and admin work off the frame thread
#include "app.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>
#include <imgui_internal.h>
#include <stb_image_write.h>

#include <glob.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "kiosk/crypto.hpp"
#include "kiosk/export.hpp"

namespace kiosk::ui {
namespace fs = std::filesystem;
using namespace std::chrono;

// ---- 1. Creation and teardown -------------------------------------------------

namespace {

// Start-up errors are printed as "kiosk: <file>: <reason>", so each names the
// file at fault once, whether or not the layer below already did.
Error about(const std::string& file, Error e) {
  if (e.message.rfind(file + ":", 0) != 0) e.message = file + ": " + e.message;
  return e;
}

// Information pages: every .md in the pages folder (not its subfolders), in
// name order. The folder must exist: a typo in kiosk.toml would otherwise
// leave the visitor with no pages and staff with no clue.
Result<std::vector<Page>> load_pages(const KioskConfig& cfg) {
  std::error_code ec;
  if (!fs::is_directory(cfg.pages_dir, ec))
    return make_error(ErrorKind::Config, cfg.pages_dir + ": the information pages folder does not exist");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(cfg.pages_dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".md") files.push_back(e.path().string());
  if (ec) return make_error(ErrorKind::Config, cfg.pages_dir + ": cannot read the folder (" + ec.message() + ")");
  std::sort(files.begin(), files.end());
  std::vector<Page> pages;
  for (const auto& f : files) {
    auto p = load_markdown_file(f);
    if (!p) return about(f, p.error());
    pages.push_back(std::move(p).value());
  }
  return pages;
}

}  // namespace

Result<std::unique_ptr<KioskApp>> KioskApp::create(AppOptions opt) {
  std::unique_ptr<KioskApp> app(new KioskApp());
  app->opt_ = std::move(opt);
  const KioskConfig& cfg = app->opt_.config;
  app->clock_ = app->opt_.clock ? app->opt_.clock : &app->system_clock_;
  app->started_ = app->clock_->steady();
  if (auto st = crypto_init(); !st) return st.error();
  const bool trace = app->opt_.announce_timing;
  auto phase = [&, t = steady_clock::now()](const char* what) mutable {
    if (!trace) return;
    const auto n = steady_clock::now();
    std::printf("  startup: %-28s %6.1f ms\n", what, duration<double, std::milli>(n - t).count());
    t = n;
  };

  // The host starts rasterising fonts on another core while the survey and
  // database load; the window opens last.
  app->host_ = std::make_unique<Host>();

  auto survey = load_survey_file(cfg.survey_path);
  if (!survey) return about(cfg.survey_path, survey.error());
  app->survey_ = std::make_unique<Survey>(std::move(survey).value());

  if (auto st = ensure_parent_dir(cfg.database_path); !st) return about(cfg.database_path, st.error());
  auto store = Store::open(cfg.database_path);
  if (!store) return about(cfg.database_path, store.error());
  app->store_ = std::move(store).value();
  // A response left open by a crash or power cut is closed as abandoned.
  if (auto n = app->store_->close_unfinished(format_utc(app->clock_->now())); !n)
    return about(cfg.database_path, n.error());
  phase("survey and database");
  // A survey pulled from the hub earlier, if valid, replaces the bundled one.
  if (auto hub_survey = app->store_->get_meta("hub_survey"); hub_survey && !hub_survey->empty()) {
    if (auto s = parse_survey(*hub_survey, "survey from the hub"); s)
      app->survey_ = std::make_unique<Survey>(std::move(s).value());
  }

  auto pages = load_pages(cfg);
  if (!pages) return pages.error();
  app->pages_ = std::move(pages).value();
  if (const ServicePoint* sp = cfg.find_service_point(cfg.service_point); sp && !sp->page.empty()) {
    auto p = load_markdown_file(resolve_path(sp->page, cfg.pages_dir));
    if (!p) return p.error();
    app->service_point_page_ = std::move(p).value();
  }

  phase("information pages");
  if (auto st = app->host_->open({cfg.kiosk_name, app->opt_.fullscreen, app->opt_.width, app->opt_.height}); !st)
    return st.error();
  phase("window, renderer and fonts");

  if (app->opt_.speech) {
    app->speech_ = app->opt_.speech;
  } else {
    app->own_speech_ = std::make_unique<EspeakSpeech>();  // starts when first asked to speak
    app->speech_ = app->own_speech_.get();
  }
  app->reset_visitor_settings();

  if (app->opt_.start_sync && !cfg.sync.hub_url.empty()) {
    app->sync_ = std::make_unique<sync::SyncWorker>(sync::settings_from(cfg), cfg.database_path,
                                                    cfg.sync.interval_seconds, cfg.sync.heartbeat_seconds);
    app->sync_->start();
  }
  const char* home = std::getenv("HOME");
  app->ui_.admin_folder = std::string(home ? home : "/tmp") + "/kiosk-exports";
  app->ui_.last_input = app->now();
  return app;
}

KioskApp::~KioskApp() {
  if (sync_) sync_->stop();
  if (admin_job_.valid()) admin_job_.wait();
  if (export_job_.valid()) export_job_.wait();
  if (pin_job_.valid()) pin_job_.wait();
  if (session_) (void)session_->abandon("the kiosk program was closed");
  own_speech_.reset();
  host_.reset();  // the window, renderer and ImGui, each only if it was made
}

// ---- 2. The loop and timers ------------------------------------------------------

int KioskApp::run() {
  while (step(-1)) {
  }
  return 0;
}

int KioskApp::next_timer_ms() const {
  std::optional<steady_clock::time_point> due;
  auto consider = [&](steady_clock::time_point t) { due = due ? std::min(*due, t) : t; };
  const auto& s = opt_.config.session;
  const bool timed = ui_.screen != Screen::Home;
  const int warn = ui_.assisted ? s.assisted_idle_warning_seconds : s.idle_warning_seconds;
  if (ui_.panel == Panel::Idle) {
    // Tick each second so the countdown reads true, and end at zero.
    const auto elapsed = duration_cast<seconds>(now() - ui_.warning_since).count();
    consider(ui_.warning_since + seconds(elapsed + 1));
  } else if (timed && ui_.screen != Screen::Thanks && warn > 0) {
    consider(ui_.last_input + seconds(warn));
  }
  if (ui_.screen == Screen::Thanks) consider(ui_.thanks_since + seconds(s.thank_you_seconds));
  if (ui_.screen == Screen::Admin) consider(now() + seconds(1));  // live sync status
  if (pin_job_.valid() || admin_job_.valid() || export_job_.valid()) consider(now() + milliseconds(50));
  if (ui_.screen == Screen::Pin && ui_.pin_locked_until > now()) consider(ui_.pin_locked_until);
  if (!due) return -1;
  return static_cast<int>(std::max<long long>(0, duration_cast<milliseconds>(*due - now()).count()));
}

bool KioskApp::step(int max_wait_ms) {
  int wait = next_timer_ms();
  if (dirty_ > 0 || !pointer_queue_.empty()) wait = 0;
  if (max_wait_ms >= 0) wait = wait < 0 ? max_wait_ms : std::min(wait, max_wait_ms);
  SDL_Event e;
  const bool got = wait < 0 ? SDL_WaitEvent(&e) == 1 : SDL_WaitEventTimeout(&e, wait) == 1;
  if (got) {
    handle(e);
    while (SDL_PollEvent(&e)) handle(e);
  }
  update_timers();
  poll_background();
  if (ui_.screen == Screen::Home && !session_ && sync_) {
    // A new survey from the hub is applied only between sessions, validated.
    if (auto u = sync_->take_survey_update()) {
      if (auto s = parse_survey(u->definition, "survey from the hub"); s) {
        survey_ = std::make_unique<Survey>(std::move(s).value());
        dirty_ = std::max(dirty_, 2);
      }
    }
  }
  while (dirty_ > 0 || !pointer_queue_.empty()) draw_frame();
  return !ui_.quit;
}

void KioskApp::update_timers() {
  const auto& s = opt_.config.session;
  const auto t = now();
  if (ui_.screen == Screen::Thanks) {
    if (t - ui_.thanks_since >= seconds(s.thank_you_seconds)) go_home();
    return;
  }
  if (ui_.screen == Screen::Home) return;
  if (ui_.panel == Panel::Idle) {
    if (t - ui_.warning_since >= seconds(s.idle_response_seconds)) {
      end_session("timed out: no answer to the idle warning");
      say("The screen has been cleared.");
    }
    dirty_ = std::max(dirty_, 1);  // the countdown changed
    return;
  }
  const int warn = ui_.assisted ? s.assisted_idle_warning_seconds : s.idle_warning_seconds;
  if (warn > 0 && t - ui_.last_input >= seconds(warn)) {
    if (ui_.panel == Panel::Keyboard) commit_keyboard(true);
    ui_.panel = Panel::Idle;
    ui_.warning_since = t;
    ui_.focus = "idle.more";
    dirty_ = std::max(dirty_, 2);
  }
}

// ---- 3. Input --------------------------------------------------------------------

void KioskApp::touch() {
  ui_.last_input = now();
  if (settings_.speech && speech_) speech_->stop();  // any action interrupts speech (A2)
  dirty_ = std::max(dirty_, 2);
}

void KioskApp::handle(const SDL_Event& e) {
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  switch (e.type) {
    case SDL_QUIT:
      // In full screen no key combination leaves the kiosk: only the admin area quits.
      if (!opt_.fullscreen) ui_.quit = true;
      break;
    case SDL_WINDOWEVENT: dirty_ = std::max(dirty_, 2); break;
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
    case SDL_FINGERMOTION:
      touch();
      pointer_queue_.push_back(
          {e.tfinger.x * static_cast<float>(w), e.tfinger.y * static_cast<float>(h), e.type != SDL_FINGERUP});
      break;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
      if (e.button.which == SDL_TOUCH_MOUSEID || e.button.button != SDL_BUTTON_LEFT) break;  // fingers handled above
      touch();
      pointer_queue_.push_back(
          {static_cast<float>(e.button.x), static_cast<float>(e.button.y), e.type == SDL_MOUSEBUTTONDOWN});
      break;
    case SDL_MOUSEMOTION:
      if (e.motion.which == SDL_TOUCH_MOUSEID || !(e.motion.state & SDL_BUTTON_LMASK)) break;
      pointer_queue_.push_back({static_cast<float>(e.motion.x), static_cast<float>(e.motion.y), true});
      break;
    case SDL_MOUSEWHEEL:
      touch();
      wheel_ += static_cast<float>(e.wheel.y);
      break;
    case SDL_KEYDOWN: key_down(e.key.keysym.sym, e.key.keysym.mod); break;
    case SDL_TEXTINPUT: text_input(e.text.text); break;
    default: break;
  }
}

void KioskApp::key_down(int sym, int mod) {
  touch();
  if (ui_.panel == Panel::Keyboard) {
    if (sym == SDLK_BACKSPACE) return apply({Intent::Kind::KeyboardKey, "\b"});
    if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) return apply({Intent::Kind::KeyboardDone});
    if (sym == SDLK_ESCAPE) return apply({Intent::Kind::KeyboardCancel});
  }
  switch (sym) {
    case SDLK_DOWN:
    case SDLK_RIGHT:
    case SDLK_TAB: {
      const int dir = (sym == SDLK_TAB && (mod & KMOD_SHIFT)) ? -1 : 1;
      ui_.focus = tree_.step(ui_.focus, dir);
      ui_.focus_moved = true;
      if (const A11yItem* it = tree_.find(ui_.focus)) say(A11yTree::utterance(*it));
      break;
    }
    case SDLK_UP:
    case SDLK_LEFT:
      ui_.focus = tree_.step(ui_.focus, -1);
      ui_.focus_moved = true;
      if (const A11yItem* it = tree_.find(ui_.focus)) say(A11yTree::utterance(*it));
      break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
    case SDLK_SPACE:
      if (ui_.panel == Panel::Keyboard && sym == SDLK_SPACE) break;  // typed as text
      activate_id_ = ui_.focus;
      break;
    case SDLK_ESCAPE:
    case SDLK_AC_BACK:
      if (ui_.panel == Panel::Settings || ui_.panel == Panel::Help)
        apply({Intent::Kind::ClosePanel});
      else if (ui_.panel == Panel::Idle)
        apply({Intent::Kind::ExtendTime});
      else
        apply({Intent::Kind::Back});
      break;
    case SDLK_F1:
    case SDLK_HELP: apply({Intent::Kind::Help}); break;
    case SDLK_PAGEDOWN: scroll_by_ += 0.8f; break;
    case SDLK_PAGEUP: scroll_by_ -= 0.8f; break;
    default: break;
  }
}

void KioskApp::text_input(const char* text) {
  if (ui_.panel == Panel::Keyboard) {
    for (const char* p = text; *p; ++p) {
      const std::string ch(1, *p);
      if ((static_cast<unsigned char>(*p) & 0xC0) == 0x80) continue;
      // Multi-byte characters arrive whole in `text`; pass the whole thing once.
      if (static_cast<unsigned char>(*p) >= 0x80) {
        apply({Intent::Kind::KeyboardKey, text});
        return;
      }
      apply({Intent::Kind::KeyboardKey, ch});
    }
    return;
  }
  if (std::string(text) == "?") apply({Intent::Kind::Help});
}

// ---- 4. Drawing and layout --------------------------------------------------------

void KioskApp::draw_now() {
  dirty_ = std::max(dirty_, 1);
  draw_frame();
}

void KioskApp::draw_frame() {
  if (dirty_ > 0) --dirty_;
  if (fonts_dirty_) {
    settings_.dyslexia_font =
        host_->rebuild_fonts(static_cast<float>(settings_.text_scale) / 100.0f, settings_.dyslexia_font);
    fonts_dirty_ = false;
  }
  const Theme& theme = settings_.high_contrast ? high_contrast_theme() : standard_theme();
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
  io.DeltaTime = 1.0f / 60.0f;
  if (!pointer_queue_.empty()) {
    pointer_ = pointer_queue_.front();
    pointer_queue_.erase(pointer_queue_.begin());
    dirty_ = std::max(dirty_, 1);
  }
  io.MousePos = ImVec2(pointer_.x, pointer_.y);
  io.MouseDown[0] = pointer_.down;
  io.MouseWheel = wheel_;
  wheel_ = 0;

  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 0;
  style.WindowPadding = ImVec2(0, 0);
  style.ItemSpacing = ImVec2(0, 0);
  style.ScrollbarSize = 26.0f * host_->fonts().scale;
  style.Colors[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(col(theme.background));
  style.Colors[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  style.Colors[ImGuiCol_Text] = ImGui::ColorConvertU32ToFloat4(col(theme.text));
  style.Colors[ImGuiCol_ScrollbarBg] = ImGui::ColorConvertU32ToFloat4(col(theme.button));
  style.Colors[ImGuiCol_ScrollbarGrab] = ImGui::ColorConvertU32ToFloat4(col(theme.button_edge));
  style.Colors[ImGuiCol_ScrollbarGrabHovered] = style.Colors[ImGuiCol_ScrollbarGrab];
  style.Colors[ImGuiCol_ScrollbarGrabActive] = ImGui::ColorConvertU32ToFloat4(col(theme.chosen));

  ImGui_ImplSDLRenderer_NewFrame();
  ImGui::NewFrame();
  tree_.clear();
  intents_.clear();
  layout(static_cast<float>(w), static_cast<float>(h));
  ImGui::Render();
  SDL_SetRenderDrawColor(host_->renderer(), theme.background.r, theme.background.g, theme.background.b, 255);
  SDL_RenderClear(host_->renderer());
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  SDL_RenderPresent(host_->renderer());
  ++frames_;
  if (!first_frame_reported_) {
    first_frame_reported_ = true;
    if (opt_.announce_timing) {
      const auto from = opt_.process_start == steady_clock::time_point{} ? started_ : opt_.process_start;
      std::printf("first frame after %.1f ms\n", duration<double, std::milli>(steady_clock::now() - from).count());
      std::fflush(stdout);
    }
  }
  // Speak what this frame showed (the tree matches the state it was drawn
  // from), then apply what the visitor asked for; the next frame shows it.
  announce();
  const auto pending = intents_;
  for (const auto& i : pending) apply(i);
  if (!pending.empty()) dirty_ = std::max(dirty_, 2);
}

// Touch scrolling: a finger that moves more than a few pixels scrolls the
// region under it, even if it came down on a button, and that button is then
// not pressed when the finger lifts.
static void drag_scroll() {
  ImGuiIO& io = ImGui::GetIO();
  if (!io.MouseDown[0] || io.MouseDragMaxDistanceSqr[0] <= 12.0f * 12.0f) return;
  if (!ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem)) return;
  if (ImGui::GetScrollMaxY() <= 0) return;
  ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
  ImGui::ClearActiveID();
}

void KioskApp::layout(float W, float H) {
  const Theme& theme = settings_.high_contrast ? high_contrast_theme() : standard_theme();
  const float s = host_->fonts().scale;
  const float margin = 24.0f * s;
  const float col_w = std::min(W - 2 * margin, 1100.0f * std::max(1.0f, s * 0.9f));
  const float col_x = (W - col_w) * 0.5f;
  Frame f(theme, host_->fonts(), tree_, ui_, intents_, activate_id_);
  activate_id_.clear();
  const std::string locale =
      session_ ? session_->meta().locale : (ui_.locale.empty() ? survey_->default_locale : ui_.locale);
  int idle_left = 0;
  if (ui_.panel == Panel::Idle)
    idle_left = opt_.config.session.idle_response_seconds -
                static_cast<int>(duration_cast<seconds>(now() - ui_.warning_since).count());
  AppView v{*survey_,  opt_.config, session_.get(),
            settings_, pages_,      service_point_page_,
            admin_,    idle_left,   ui_.extensions < opt_.config.session.max_extensions,
            locale};

  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(W, H));
  ImGui::Begin("kiosk", nullptr, fixed);
  ImDrawList* dl = ImGui::GetWindowDrawList();

  // Header: what this is, and where you are. Numbers of questions are never shown.
  {
    std::string left = survey_->text(survey_->title, locale), right;
    if (ui_.screen == Screen::Question && session_) {
      const auto p = session_->progress();
      right = "Question " + std::to_string(p.position) + " of " + std::to_string(p.total);
    } else if (ui_.screen == Screen::Review) {
      right = "Check your answers";
    } else if (ui_.screen == Screen::Admin) {
      left = "Admin area";
    } else if (ui_.screen == Screen::Info || ui_.screen == Screen::Home) {
      const ServicePoint* sp = opt_.config.find_service_point(opt_.config.service_point);
      left = sp ? sp->name : opt_.config.kiosk_name;
    }
    // At large text sizes the header keeps only where you are: the title is on the home screen.
    if (s >= 1.5f && !right.empty()) left.clear();
    ImFont* hf = host_->fonts().bold;
    const float pad = 14.0f * s;
    const float right_w = right.empty() ? 0 : hf->CalcTextSizeA(hf->FontSize, FLT_MAX, 0, right.c_str()).x;
    const float left_wrap = W - 2 * margin - right_w - 2 * pad;
    const ImVec2 lsz = hf->CalcTextSizeA(hf->FontSize, FLT_MAX, left_wrap, left.c_str());
    float hh = std::max(lsz.y, hf->FontSize) + 2 * pad;
    dl->AddRectFilled(ImVec2(0, 0), ImVec2(W, hh), col(theme.panel));
    dl->AddText(hf, hf->FontSize, ImVec2(margin, pad), col(theme.panel_text), left.c_str(), nullptr, left_wrap);
    if (!left.empty())
      tree_.add(
          A11yItem{"header.title", left, Role::Heading, {}, {margin, pad, lsz.x, lsz.y}, {0, 0, W, H}, false, true});
    if (!right.empty()) {
      dl->AddText(hf, hf->FontSize, ImVec2(W - margin - right_w, pad), col(theme.panel_text), right.c_str());
      tree_.add(A11yItem{"header.progress",
                         right,
                         Role::Status,
                         {},
                         {W - margin - right_w, pad, right_w, hf->FontSize},
                         {0, 0, W, H},
                         false,
                         true});
    }
    if (ui_.assisted) {
      const std::string banner = "Assisted mode: " + ui_.staff_name + " is helping";
      const ImVec2 bs = hf->CalcTextSizeA(hf->FontSize, FLT_MAX, W - 2 * margin, banner.c_str());
      dl->AddRectFilled(ImVec2(0, hh), ImVec2(W, hh + bs.y + 2 * pad), col(theme.banner));
      dl->AddText(hf, hf->FontSize, ImVec2(margin, hh + pad), col(theme.banner_text), banner.c_str(), nullptr,
                  W - 2 * margin);
      tree_.add(A11yItem{
          "header.assisted", banner, Role::Status, {}, {margin, hh + pad, bs.x, bs.y}, {0, 0, W, H}, false, true});
      hh += bs.y + 2 * pad;
    }
    header_h_ = hh;
  }

  // Content: one column, scrolled by touch drag, wheel, Page keys, or focus.
  const float footer_h = footer_h_ > 0 ? footer_h_ : 220.0f * s;
  const float content_h = std::max(100.0f, H - header_h_ - footer_h);
  ImGui::SetCursorPos(ImVec2(col_x - margin * 0.5f, header_h_));
  ImGui::BeginChild("content", ImVec2(col_w + margin * 0.5f + ImGui::GetStyle().ScrollbarSize, content_h), false,
                    ImGuiWindowFlags_NoScrollWithMouse);
  if (ui_.scroll_to_top) {
    ImGui::SetScrollY(0);
    ui_.scroll_to_top = false;
  }
  ImGuiIO& io = ImGui::GetIO();
  drag_scroll();
  if (ImGui::IsWindowHovered() && io.MouseWheel != 0)
    ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseWheel * 80.0f * s);
  if (scroll_by_ != 0) {
    ImGui::SetScrollY(ImGui::GetScrollY() + scroll_by_ * content_h);
    scroll_by_ = 0;
  }
  ImGui::SetCursorPos(ImVec2(margin * 0.5f, margin));
  ImGui::BeginGroup();
  switch (ui_.screen) {
    case Screen::Home: draw_home(f, v); break;
    case Screen::About: draw_about(f, v); break;
    case Screen::Privacy: draw_privacy(f, v); break;
    case Screen::Question:
      if (session_ && session_->current()) draw_question(f, v);
      break;
    case Screen::Review:
      if (session_) draw_review(f, v);
      break;
    case Screen::Thanks: draw_thanks(f, v); break;
    case Screen::Info: draw_info(f, v); break;
    case Screen::Pin: draw_pin(f, v); break;
    case Screen::Assist: draw_assist(f, v); break;
    case Screen::Admin: draw_admin(f, v); break;
  }
  ImGui::Dummy(ImVec2(0, margin));
  ImGui::EndGroup();
  if (std::getenv("KIOSK_DEBUG_LAYOUT"))
    std::fprintf(stderr, "content: h=%.0f scrollmax=%.0f cursor=%.0f win=%.0f\n", content_h, ImGui::GetScrollMaxY(),
                 ImGui::GetCursorPosY(), ImGui::GetWindowHeight());
  ImGui::EndChild();

  // Footer: this screen's Back/Next, then the access bar, the same everywhere.
  const float footer_top = header_h_ + content_h;
  if (ui_.panel == Panel::None)
    ImGui::GetForegroundDrawList()->AddLine(ImVec2(0, std::round(footer_top)), ImVec2(W, std::round(footer_top)),
                                            col(theme.button_edge), 2.0f);
  ImGui::SetCursorPos(ImVec2(col_x, footer_top + margin * 0.5f));
  ImGui::BeginChild("footer", ImVec2(col_w, H - footer_top), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const float y0 = ImGui::GetCursorPosY();
  // This screen's Back/Next first, then the access bar, flowing onto as few rows as fit.
  auto flow = f.begin_flow();
  switch (ui_.screen) {
    case Screen::About: draw_about_nav(f, v, flow); break;
    case Screen::Privacy: draw_privacy_nav(f, v, flow); break;
    case Screen::Question:
      if (session_ && session_->current()) draw_question_nav(f, v, flow);
      break;
    case Screen::Review: draw_review_nav(f, v, flow); break;
    case Screen::Info: draw_info_nav(f, v, flow); break;
    case Screen::Pin: draw_pin_nav(f, v, flow); break;
    case Screen::Assist: draw_assist_nav(f, v, flow); break;
    case Screen::Admin: draw_admin_nav(f, v, flow); break;
    default: break;
  }
  if (ui_.screen != Screen::Admin && ui_.screen != Screen::Pin) draw_access_bar(f, v, flow);
  f.end_flow(flow);
  const float used = ImGui::GetCursorPosY() - y0 + margin;
  ImGui::EndChild();
  if (std::fabs(used - footer_h_) > 1.0f) {
    footer_h_ = used;
    dirty_ = std::max(dirty_, 2);  // lay out again with the measured footer (ImGui settles in two frames)
  }
  ImGui::End();

  // A panel covers everything: only its controls are reachable, and it always has a way out.
  if (ui_.panel != Panel::None) {
    tree_.clear();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(W, H));
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0, 0, 0, 0));
    ImGui::Begin("panel", nullptr, fixed & ~ImGuiWindowFlags_NoBringToFrontOnFocus);
    ImDrawList* pdl = ImGui::GetWindowDrawList();
    pdl->AddRectFilled(ImVec2(0, 0), ImVec2(W, H), col(theme.text, 0.55f));
    const float pw = std::min(W - margin, col_w + 2 * margin);
    const float px = (W - pw) * 0.5f;
    const float py = margin * 0.5f;
    pdl->AddRectFilled(ImVec2(px, py), ImVec2(px + pw, H - py), col(theme.background), 14.0f * s);
    pdl->AddRect(ImVec2(px, py), ImVec2(px + pw, H - py), col(theme.button_edge), 14.0f * s, 0, 3.0f * s);
    ImGui::SetCursorPos(ImVec2(px + margin * 0.5f, py + margin * 0.5f));
    ImGui::BeginChild("panel.content", ImVec2(pw - margin, H - 2 * py - margin), false,
                      ImGuiWindowFlags_NoScrollWithMouse);
    drag_scroll();
    ImGui::SetCursorPos(ImVec2(margin * 0.5f, margin * 0.5f));
    ImGui::PushTextWrapPos(pw - margin * 1.5f - ImGui::GetStyle().ScrollbarSize);
    ImGui::BeginGroup();
    switch (ui_.panel) {
      case Panel::Settings: draw_settings_panel(f, v); break;
      case Panel::Help: draw_help_panel(f, v); break;
      case Panel::Idle: draw_idle_panel(f, v); break;
      case Panel::Keyboard:
        if (!ui_.error.empty()) f.alert("kb.error", ui_.error);
        draw_keyboard_panel(f, v);
        break;
      case Panel::None: break;
    }
    ImGui::EndGroup();
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
    ImGui::End();
    ImGui::PopStyleColor();
  }
}

// ---- 5. Speech -----------------------------------------------------------------

void KioskApp::say(const std::string& text) {
  if (settings_.speech && speech_ && !text.empty()) speech_->say(text);
}

std::string KioskApp::screen_summary() const {
  std::string s;
  for (const auto& it : tree_.items()) {
    if (it.interactive || it.id == "header.title") continue;
    if (!s.empty()) s += ". ";
    s += it.label;
  }
  return s;
}

std::string KioskApp::help_text() const {
  std::string where;
  switch (ui_.screen) {
    case Screen::Home: where = "This is the start screen. "; break;
    case Screen::Question: {
      const auto p = session_ ? session_->progress() : Session::Progress{};
      where = "This is question " + std::to_string(p.position) + " of " + std::to_string(p.total) + ". ";
      break;
    }
    case Screen::Review: where = "This is the list of your answers. "; break;
    default: break;
  }
  return where +
         "Use the up and down arrows to move between choices, Enter to choose, and Escape to go back. "
         "The Repeat button reads the screen again. To get help from a person, ask a member of staff.";
}

void KioskApp::announce() {
  std::string key = std::to_string(static_cast<int>(ui_.screen)) + "/" + std::to_string(static_cast<int>(ui_.panel));
  if (ui_.screen == Screen::Question && session_ && session_->current()) key += "/" + session_->current()->id;
  if (ui_.screen == Screen::Info) key += "/" + std::to_string(ui_.info_page);
  if (ui_.panel == Panel::Idle) key += "/" + std::to_string(ui_.extensions);
  if (key == ui_.last_spoken_screen) return;
  ui_.last_spoken_screen = key;
  if (ui_.panel == Panel::Keyboard) return;  // the keys speak as they are touched
  say(screen_summary());
}

// ---- 6. Intents ------------------------------------------------------------------

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
}  // namespace

std::string KioskApp::error_for_visitor(const std::string& what) const {
  std::fprintf(stderr, "kiosk: %s\n", what.c_str());
  return "Sorry, this screen could not save your answer. Please tell a member of staff.";
}

void KioskApp::apply(const Intent& in) {
  using K = Intent::Kind;
  dirty_ = std::max(dirty_, 2);
  auto speak_item = [&](const std::string& id, const std::string& value) {
    if (const A11yItem* it = tree_.find(id)) say(it->label + ", " + value);
  };
  switch (in.kind) {
    case K::StartSurvey:
      ui_.error.clear();
      ui_.scroll_to_top = true;
      ui_.focus = "nav.next";
      if (!survey_->intro.empty())
        ui_.screen = Screen::About;
      else
        apply(Intent(K::ShowPrivacy));
      break;
    case K::ShowPrivacy:
      ui_.scroll_to_top = true;
      ui_.focus = "nav.next";
      if (!survey_->privacy.empty())
        ui_.screen = Screen::Privacy;
      else
        apply(Intent(K::BeginQuestions));  // a survey without a notice goes straight to its questions
      break;
    case K::BeginQuestions:
      if (!session_) start_session();
      if (session_) {
        ui_.screen = session_->stage() == Session::Stage::Review ? Screen::Review : Screen::Question;
        ui_.scroll_to_top = true;
        ui_.focus.clear();
      }
      break;
    case K::Choose:
    case K::Toggle: {
      if (!session_ || !session_->current() || session_->current()->id != in.a) break;
      const Answer* cur = session_->answer_for(in.a);
      Answer a = cur ? *cur : Answer{};
      if (in.kind == K::Choose) {
        a.choices = {in.b};
      } else if (a.has(in.b)) {
        a.choices.erase(std::find(a.choices.begin(), a.choices.end(), in.b));
      } else {
        a.choices.push_back(in.b);
      }
      const Option* other = session_->current()->other_option();
      if (!other || !a.has(other->code)) a.other_text.clear();
      if (auto st = session_->answer(a); !st) {
        ui_.error =
            st.message().find("could not") != std::string::npos ? error_for_visitor(st.message()) : st.message();
        say(ui_.error);
      } else {
        ui_.error.clear();
        speak_item("opt." + in.b, a.has(in.b) ? "selected" : "not selected");
        if (other && in.b == other->code && a.has(in.b) && a.other_text.empty())
          apply({K::OpenKeyboard, in.a, "other"});
      }
      break;
    }
    case K::OpenKeyboard: {
      const Answer* cur = session_ ? session_->answer_for(in.a) : nullptr;
      ui_.edit_question = in.a;
      ui_.edit_target = in.b;
      ui_.edit_text = cur ? (in.b == "other" ? cur->other_text : cur->text) : "";
      ui_.panel = Panel::Keyboard;
      ui_.error.clear();
      ui_.focus = "kb.key." + std::to_string(static_cast<int>('q'));
      SDL_StartTextInput();
      say("Keyboard. Type your answer, then choose Done.");
      break;
    }
    case K::KeyboardKey: {
      const Question* q = survey_->find(ui_.edit_question);
      if (!q) break;
      if (in.a == "\b") {
        erase_last_utf8(ui_.edit_text);
        say("delete");
        break;
      }
      const size_t limit = static_cast<size_t>(ui_.edit_target == "other" ? q->other_max_length : q->max_length);
      if (utf8_chars(ui_.edit_text) >= limit) {
        say("That is the most this answer can hold.");
        break;
      }
      std::string k = in.a;
      if (q->type == QuestionType::Postcode) {
        for (auto& c : k) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      } else if (k.size() == 1 && std::isalpha(static_cast<unsigned char>(k[0]))) {
        // Capital at the start of the answer and of each sentence.
        const std::string& t = ui_.edit_text;
        const bool start = t.empty() || (t.size() >= 2 && t.back() == ' ' &&
                                         (t[t.size() - 2] == '.' || t[t.size() - 2] == '?' || t[t.size() - 2] == '!'));
        if (start) k[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(k[0])));
      }
      ui_.edit_text += k;
      say(k == " " ? "space" : k);
      break;
    }
    case K::KeyboardDone: commit_keyboard(true); break;
    case K::KeyboardCancel:
      ui_.panel = Panel::None;
      ui_.error.clear();
      SDL_StopTextInput();
      break;
    case K::Next: {
      if (ui_.panel == Panel::Keyboard) commit_keyboard(true);
      if (!session_) break;
      if (auto st = session_->next(); !st) {
        ui_.error = st.message();
        say(ui_.error);
        ui_.focus.clear();
        break;
      }
      ui_.error.clear();
      ui_.screen = session_->stage() == Session::Stage::Review ? Screen::Review : Screen::Question;
      ui_.scroll_to_top = true;
      ui_.focus.clear();
      break;
    }
    case K::Back:
      ui_.error.clear();
      ui_.scroll_to_top = true;
      ui_.focus.clear();
      switch (ui_.screen) {
        case Screen::Question:
          if (ui_.panel == Panel::Keyboard) commit_keyboard(true);
          if (session_ && !session_->back()) {
            if (!survey_->privacy.empty())
              ui_.screen = Screen::Privacy;
            else if (!survey_->intro.empty())
              ui_.screen = Screen::About;
            else
              go_home();
          }
          break;
        case Screen::Review:
          if (session_ && session_->back()) ui_.screen = Screen::Question;
          break;
        // Back always leads somewhere: before the first question it ends at home.
        case Screen::Privacy:
          if (!survey_->intro.empty())
            ui_.screen = Screen::About;
          else
            go_home();
          break;
        case Screen::About: go_home(); break;
        case Screen::Info:
          if (ui_.info_page >= 0)
            ui_.info_page = -1;
          else
            go_home();
          break;
        case Screen::Pin:
          ui_.pin.clear();
          ui_.screen = session_ ? (session_->stage() == Session::Stage::Review ? Screen::Review : Screen::Question)
                                : Screen::Home;
          break;
        case Screen::Admin: go_home(); break;
        case Screen::Assist: ui_.screen = session_ ? Screen::Question : Screen::Home; break;
        default: break;
      }
      break;
    case K::Review:
      if (session_ && session_->go_to_review()) ui_.screen = Screen::Review;
      break;
    case K::Edit:
      if (session_ && session_->edit(in.a)) {
        ui_.screen = Screen::Question;
        ui_.scroll_to_top = true;
        ui_.focus.clear();
      }
      break;
    case K::Submit:
      if (!session_) break;
      if (auto st = session_->submit(); !st) {
        ui_.error = st.message();
        if (session_->stage() == Session::Stage::Question) ui_.screen = Screen::Question;
        say(ui_.error);
        break;
      }
      session_.reset();
      ui_.screen = Screen::Thanks;
      ui_.thanks_since = now();
      ui_.scroll_to_top = true;
      ui_.focus = "thanks.home";
      break;
    case K::Home: go_home(); break;
    case K::OpenInfo:
      ui_.screen = Screen::Info;
      ui_.info_page = in.a == "here" ? -2 : in.a == "list" ? -1 : std::atoi(in.a.c_str());
      ui_.scroll_to_top = true;
      ui_.focus.clear();
      break;
    case K::OpenPanel:
      ui_.panel = in.a == "settings" ? Panel::Settings : Panel::Help;
      ui_.focus = in.a == "settings" ? "settings.done" : "help.close";
      break;
    case K::ClosePanel:
      ui_.panel = Panel::None;
      ui_.focus = in.a.empty() ? "bar.settings" : in.a;
      break;
    case K::TextScale:
      settings_.text_scale = in.n;
      apply_settings_change();
      say("Text size " + std::to_string(in.n) + " percent");
      break;
    case K::ToggleContrast:
      settings_.high_contrast = !settings_.high_contrast;
      apply_settings_change();
      say(settings_.high_contrast ? "High contrast on" : "High contrast off");
      break;
    case K::ToggleFont:
      settings_.dyslexia_font = !settings_.dyslexia_font;
      apply_settings_change();
      break;
    case K::ToggleSpeech:
      settings_.speech = !settings_.speech;
      apply_settings_change();
      if (settings_.speech)
        say("Speech is on. Use the arrow keys or touch anything to hear it.");
      else if (speech_)
        speech_->stop();
      break;
    case K::Rate:
      settings_.rate = std::clamp(settings_.rate + in.n, 80, 400);
      apply_settings_change();
      say("Speed " + std::to_string(settings_.rate));
      break;
    case K::Volume:
      settings_.volume = std::clamp(settings_.volume + in.n, 20, 100);
      apply_settings_change();
      say("Volume " + std::to_string(settings_.volume) + " percent");
      break;
    case K::Repeat: say(screen_summary()); break;
    case K::Help: say(help_text()); break;
    case K::ExtendTime:
      ui_.extensions++;
      ui_.last_input = now();
      ui_.panel = Panel::None;
      ui_.focus.clear();
      say("You have more time.");
      break;
    case K::OpenPin:
      ui_.panel = Panel::None;
      ui_.screen = Screen::Pin;
      ui_.pin.clear();
      ui_.pin_message.clear();
      ui_.focus = "pin.key.1";
      break;
    case K::PinKey:
      if (in.a == "Delete") {
        if (!ui_.pin.empty()) ui_.pin.pop_back();
      } else if (ui_.pin.size() < 12) {
        ui_.pin += in.a;
      }
      say(in.a == "Delete" ? "delete" : "digit " + std::to_string(ui_.pin.size()));
      break;
    case K::PinSubmit: {
      if (now() < ui_.pin_locked_until) break;
      if (ui_.pin.empty() || pin_job_.valid()) break;
      ui_.pin_checking = true;
      const std::string pin = ui_.pin;
      ui_.pin.clear();
      const auto staff = opt_.config.staff;
      const std::string admin_hash = opt_.config.admin_pin_hash;
      pin_job_ = std::async(std::launch::async, [pin, staff, admin_hash]() {
        for (const auto& m : staff)
          if (verify_pin(m.pin_hash, pin)) return PinResult{"staff", m.id, m.name.empty() ? m.id : m.name};
        if (!admin_hash.empty() && verify_pin(admin_hash, pin)) return PinResult{"admin", "admin", "Admin"};
        return PinResult{};
      });
      break;
    }
    case K::ToggleAssistance: {
      auto& v = ui_.assistance;
      if (auto it = std::find(v.begin(), v.end(), in.a); it != v.end())
        v.erase(it);
      else
        v.push_back(in.a);
      break;
    }
    case K::AssistedSpeechAndLargeText:
      settings_.speech = true;
      settings_.text_scale = std::max(settings_.text_scale, 150);
      apply_settings_change();
      say("Speech and large text are on.");
      break;
    case K::AssistedStart:
      ui_.assisted = true;
      ui_.last_input = now();
      if (session_) {
        if (auto st = session_->set_assisted(ui_.staff_id, ui_.assistance); !st)
          ui_.error = error_for_visitor(st.message());
        ui_.screen = session_->stage() == Session::Stage::Review ? Screen::Review : Screen::Question;
      } else {
        apply({K::StartSurvey});
      }
      break;
    case K::EndAssisted:
      ui_.assisted = false;
      ui_.staff_id.clear();
      ui_.staff_name.clear();
      ui_.assistance.clear();
      go_home();
      break;
    case K::AdminFolder: ui_.admin_folder = in.a; break;
    case K::AdminServicePoint: ui_.admin_service_point = in.a; break;
    case K::AdminRefresh: load_admin(); break;
    case K::AdminSyncNow:
      if (sync_) sync_->sync_now();
      ui_.notice = "Syncing now...";
      break;
    case K::AdminExport: {
      if (export_job_.valid()) break;
      const std::string folder = ui_.admin_folder, format = in.a, db = opt_.config.database_path;
      const std::string kiosk = opt_.config.kiosk_id;
      const Survey survey = *survey_;
      const std::string stamp = [&] {
        std::string u = format_utc(clock_->now());
        u.erase(std::remove_if(u.begin(), u.end(), [](char c) { return c == '-' || c == ':'; }), u.end());
        return u;
      }();
      ui_.notice = "Exporting...";
      export_job_ = std::async(std::launch::async, [=]() -> std::string {
        std::error_code ec;
        fs::create_directories(folder, ec);
        const std::string path = folder + "/" + kiosk + "-" + (format == "codebook" ? "codebook" : "responses") + "-" +
                                 stamp + (format == "jsonl" ? ".jsonl" : ".csv");
        if (format == "codebook") {
          auto st = export_codebook(survey, path);
          return st ? "Saved the codebook to " + path : "Export failed: " + st.message();
        }
        auto store = Store::open(db, db::OpenMode::ReadWrite);  // this thread's own connection
        if (!store) return "Export failed: " + store.message();
        auto n = format == "csv" ? export_csv(**store, survey, path) : export_jsonl(**store, survey, path);
        return n ? "Exported " + std::to_string(*n) + " responses to " + path : "Export failed: " + n.message();
      });
      break;
    }
    case K::Quit:
      if (ui_.screen == Screen::Admin) ui_.quit = true;
      break;
    case K::SetLocale:
      ui_.locale = in.a;
      if (session_) (void)session_->set_locale(in.a);
      break;
  }
}

// ---- 7. Sessions and settings ----------------------------------------------------

void KioskApp::start_session() {
  ResponseMeta m;
  m.kiosk_id = opt_.config.kiosk_id;
  m.service_point = opt_.config.service_point;
  m.locale = ui_.locale.empty() ? opt_.config.default_locale : ui_.locale;
  if (ui_.assisted) {
    m.mode = "assisted";
    m.staff_id = ui_.staff_id;
    m.assistance = ui_.assistance;
  }
  auto s = Session::start(*survey_, m, *clock_, store_.get());
  if (!s) {
    ui_.error = error_for_visitor(s.message());
    return;
  }
  session_ = std::move(s).value();
  record_settings();  // those the visitor changed before starting count too
  ui_.last_input = now();
}

void KioskApp::record_settings() {
  const VisitorSettings d;
  record_setting("text_scale", std::to_string(settings_.text_scale), std::to_string(d.text_scale));
  record_setting("high_contrast", settings_.high_contrast ? "on" : "off", "off");
  record_setting("dyslexia_font", settings_.dyslexia_font ? "on" : "off", "off");
  record_setting("speech", settings_.speech ? "on" : "off", "off");
  record_setting("speech_rate", std::to_string(settings_.rate), std::to_string(d.rate));
}

void KioskApp::record_setting(const std::string& key, const std::string& value, const std::string& dflt) {
  if (!session_) return;
  // Only settings actually used are recorded; a setting once used stays recorded.
  if (value == dflt && !session_->meta().accessibility.count(key)) return;
  if (auto st = session_->set_accessibility(key, value); !st) std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
}

void KioskApp::apply_settings_change() {
  // Re-rasterise only when the size or the letters change.
  fonts_dirty_ = fonts_dirty_ || host_->fonts().scale != static_cast<float>(settings_.text_scale) / 100.0f ||
                 host_->fonts().dyslexic != settings_.dyslexia_font;
  if (speech_) {
    speech_->set_rate(settings_.rate);
    speech_->set_volume(static_cast<float>(settings_.volume) / 100.0f);
  }
  record_settings();
}

void KioskApp::reset_visitor_settings() {
  const bool changed = !(settings_ == VisitorSettings{});
  settings_ = VisitorSettings{};
  if (speech_) {
    speech_->stop();
    speech_->set_rate(settings_.rate);
    speech_->set_volume(static_cast<float>(settings_.volume) / 100.0f);
  }
  if (changed || host_->fonts().scale != 1.0f || host_->fonts().dyslexic) fonts_dirty_ = true;
}

void KioskApp::commit_keyboard(bool close) {
  if (ui_.panel != Panel::Keyboard) return;
  if (session_ && session_->current() && session_->current()->id == ui_.edit_question) {
    const Answer* cur = session_->answer_for(ui_.edit_question);
    Answer a = cur ? *cur : Answer{};
    std::string t = ui_.edit_text;
    while (!t.empty() && t.back() == ' ') t.pop_back();
    if (ui_.edit_target == "other")
      a.other_text = t;
    else
      a.text = t;
    if (auto st = session_->answer(a); !st) {
      ui_.error = st.message();
      say(ui_.error);
      return;  // the keyboard stays open with the message
    }
  }
  ui_.error.clear();
  if (close) {
    ui_.panel = Panel::None;
    ui_.focus = "nav.next";
    SDL_StopTextInput();
  }
}

void KioskApp::end_session(const std::string& reason) {
  if (session_) {
    if (auto st = session_->abandon(reason); !st) std::fprintf(stderr, "kiosk: %s\n", st.message().c_str());
    session_.reset();
  }
  go_home();
}

void KioskApp::go_home() {
  if (session_) {
    (void)session_->abandon("the visitor left the survey");
    session_.reset();
  }
  // Nothing of the last visitor remains: screen state, drafts, settings.
  const int failures = ui_.pin_failures;
  const auto locked = ui_.pin_locked_until;
  const std::string folder = ui_.admin_folder;
  ui_ = UiState{};
  ui_.pin_failures = failures;
  ui_.pin_locked_until = locked;
  ui_.admin_folder = folder;
  ui_.last_input = now();
  SDL_StopTextInput();
  reset_visitor_settings();
  dirty_ = std::max(dirty_, 2);
}

// ---- 8. Staff PIN and admin work off the frame thread ----------------------------

void KioskApp::load_admin() {
  if (admin_job_.valid()) return;
  const std::string db = opt_.config.database_path;
  const Survey survey = *survey_;
  admin_job_ = std::async(std::launch::async, [db, survey]() {
    AdminView a;
    auto store = Store::open(db, db::OpenMode::ReadWrite);
    if (!store) return a;
    if (auto c = (*store)->counts(); c) a.counts = *c;
    if (auto s = summarise(**store, survey, survey.default_locale); s) a.summary = std::move(s).value();
    // USB sticks first, then the kiosk's own export folder.
    for (const char* pattern : {"/media/*/*", "/run/media/*/*", "/media/usb*"}) {
      glob_t g{};
      if (glob(pattern, GLOB_ONLYDIR, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i) a.folders.push_back(g.gl_pathv[i]);
      globfree(&g);
    }
    a.loaded = true;
    return a;
  });
}

void KioskApp::poll_background() {
  auto ready = [](auto& fut) {
    return fut.valid() && fut.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  };
  if (ready(pin_job_)) {
    const PinResult r = pin_job_.get();
    ui_.pin_checking = false;
    dirty_ = std::max(dirty_, 2);
    if (r.role.empty()) {
      ++ui_.pin_failures;
      const int left = opt_.config.pin_attempts - ui_.pin_failures;
      if (left <= 0) {
        ui_.pin_locked_until = now() + seconds(opt_.config.pin_lockout_seconds);
        ui_.pin_failures = 0;
        ui_.pin_message = "Too many wrong PINs: entry is locked for " +
                          std::to_string(opt_.config.pin_lockout_seconds / 60) + " minutes.";
      } else {
        ui_.pin_message =
            "That PIN was not recognised. " + std::to_string(left) + (left == 1 ? " try" : " tries") + " left.";
      }
      say(ui_.pin_message);
    } else {
      ui_.pin_failures = 0;
      ui_.pin_message.clear();
      if (r.role == "admin") {
        ui_.admin = true;
        ui_.screen = Screen::Admin;
        ui_.scroll_to_top = true;
        ui_.focus.clear();
        admin_ = AdminView{};
        load_admin();
      } else {
        ui_.staff_id = r.id;
        ui_.staff_name = r.name;
        ui_.screen = Screen::Assist;
        ui_.focus = "assist.read_aloud";
      }
    }
  }
  if (ui_.screen == Screen::Pin && !ui_.pin_message.empty() && ui_.pin_locked_until != steady_clock::time_point{} &&
      now() >= ui_.pin_locked_until) {
    ui_.pin_message.clear();
    ui_.pin_locked_until = {};
    dirty_ = std::max(dirty_, 1);
  }
  if (ready(admin_job_)) {
    AdminView a = admin_job_.get();
    const char* home = std::getenv("HOME");
    a.folders.push_back(std::string(home ? home : "/tmp") + "/kiosk-exports");
    admin_ = std::move(a);
    dirty_ = std::max(dirty_, 2);
  }
  if (ready(export_job_)) {
    ui_.notice = export_job_.get();
    say(ui_.notice);
    dirty_ = std::max(dirty_, 2);
    load_admin();
  }
  if (ui_.screen == Screen::Admin && sync_) {
    const auto s = sync_->status();
    if (s.last_attempt_utc != admin_.sync.last_attempt_utc || s.last_error != admin_.sync.last_error ||
        s.pending != admin_.sync.pending) {
      admin_.sync = s;
      admin_.counts.pending = s.pending;
      admin_.counts.synced = s.synced;
      dirty_ = std::max(dirty_, 1);
    }
  }
}

bool KioskApp::screenshot(const std::string& path) {
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  std::vector<unsigned char> px(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
  if (SDL_RenderReadPixels(host_->renderer(), nullptr, SDL_PIXELFORMAT_ABGR8888, px.data(), w * 4) != 0) return false;
  return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}

}  // namespace kiosk::ui
