// KioskApp.
//
// Sections: 1. creation and teardown  2. the loop and timers  3. input
//           4. drawing and layout. What intents do is in visitor_flow,
//           text_entry, visitor_settings, staff and admin.
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

#include "admin.hpp"
#include "kiosk/crypto.hpp"
#include "staff.hpp"
#include "visitor_flow.hpp"
#include "visitor_settings.hpp"

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
  const Clock& clock = app->opt_.clock ? *app->opt_.clock : app->system_clock_;
  app->st_ = std::make_unique<AppState>(cfg, clock);
  app->started_ = clock.steady();
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
  app->st_->survey = std::make_unique<Survey>(std::move(survey).value());

  if (auto st = ensure_parent_dir(cfg.database_path); !st) return about(cfg.database_path, st.error());
  auto store = Store::open(cfg.database_path);
  if (!store) return about(cfg.database_path, store.error());
  app->st_->store = std::move(store).value();
  // A response left open by a crash or power cut is closed as abandoned.
  if (auto n = app->st_->store->close_unfinished(format_utc(clock.now())); !n)
    return about(cfg.database_path, n.error());
  phase("survey and database");
  // A survey pulled from the hub earlier, if valid, replaces the bundled one.
  if (auto hub_survey = app->st_->store->get_meta("hub_survey"); hub_survey && !hub_survey->empty()) {
    if (auto s = parse_survey(*hub_survey, "survey from the hub"); s)
      app->st_->survey = std::make_unique<Survey>(std::move(s).value());
  }

  auto pages = load_pages(cfg);
  if (!pages) return pages.error();
  app->st_->pages = std::move(pages).value();
  if (const ServicePoint* sp = cfg.find_service_point(cfg.service_point); sp && !sp->page.empty()) {
    auto p = load_markdown_file(resolve_path(sp->page, cfg.pages_dir));
    if (!p) return p.error();
    app->st_->service_point_page = std::move(p).value();
  }

  phase("information pages");
  if (auto st = app->host_->open({cfg.kiosk_name, app->opt_.fullscreen, app->opt_.width, app->opt_.height}); !st)
    return st.error();
  phase("window, renderer and fonts");

  if (app->opt_.speech) {
    app->st_->speech = app->opt_.speech;
  } else {
    app->own_speech_ = std::make_unique<EspeakSpeech>();  // starts when first asked to speak
    app->st_->speech = app->own_speech_.get();
  }
  app->st_->fonts = &app->host_->fonts();
  // The worker wakes the loop with an SDL event of the kiosk's own type.
  const Uint32 wake_type = SDL_RegisterEvents(1);
  app->jobs_ = std::make_unique<JobQueue>(
      [type = wake_type == static_cast<Uint32>(-1) ? static_cast<Uint32>(SDL_USEREVENT) : wake_type] {
        SDL_Event e{};
        e.type = type;
        SDL_PushEvent(&e);
      });
  app->st_->jobs = app->jobs_.get();
  reset_visitor_settings(*app->st_);

  if (app->opt_.start_sync && !cfg.sync.hub_url.empty()) {
    app->sync_ = std::make_unique<sync::SyncWorker>(sync::settings_from(cfg), cfg.database_path,
                                                    cfg.sync.interval_seconds, cfg.sync.heartbeat_seconds);
    app->sync_->start();
    app->st_->sync = app->sync_.get();
  }
  app->st_->ui.admin_folder = default_export_folder();
  app->st_->ui.last_input = app->now();
  return app;
}

KioskApp::~KioskApp() {
  if (sync_) sync_->stop();
  if (!st_) return;
  jobs_.reset();  // finishes the work in hand and joins the worker before the state it reports to goes
  if (st_->session) (void)st_->session->abandon("the kiosk program was closed");
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
  const bool timed = st_->ui.screen != Screen::Home;
  const int warn = st_->ui.assisted ? s.assisted_idle_warning_seconds : s.idle_warning_seconds;
  if (st_->ui.panel == Panel::Idle) {
    // Tick each second so the countdown reads true, and end at zero.
    const auto elapsed = duration_cast<seconds>(now() - st_->ui.warning_since).count();
    consider(st_->ui.warning_since + seconds(elapsed + 1));
  } else if (timed && st_->ui.screen != Screen::Thanks && warn > 0) {
    consider(st_->ui.last_input + seconds(warn));
  }
  if (st_->ui.screen == Screen::Thanks) consider(st_->ui.thanks_since + seconds(s.thank_you_seconds));
  if (st_->ui.screen == Screen::Admin) consider(now() + seconds(1));  // live sync status
  if (st_->ui.screen == Screen::Pin && st_->pin_policy.locked()) consider(st_->pin_policy.locked_until());
  if (!due) return -1;
  return static_cast<int>(std::max<long long>(0, duration_cast<milliseconds>(*due - now()).count()));
}

bool KioskApp::step(int max_wait_ms) {
  int wait = next_timer_ms();
  if (st_->dirty > 0 || !pointer_queue_.empty()) wait = 0;
  if (max_wait_ms >= 0) wait = wait < 0 ? max_wait_ms : std::min(wait, max_wait_ms);
  SDL_Event e;
  const bool got = wait < 0 ? SDL_WaitEvent(&e) == 1 : SDL_WaitEventTimeout(&e, wait) == 1;
  if (got) {
    handle(e);
    while (SDL_PollEvent(&e)) handle(e);
  }
  update_visit_timers(*st_);
  jobs_->drain();  // background results, posted by the worker (which woke us)
  update_pin_lock(*st_);
  follow_sync_status(*st_);
  if (st_->ui.screen == Screen::Home && !st_->session && sync_) {
    // A new survey from the hub is applied only between sessions, validated.
    if (auto u = sync_->take_survey_update()) {
      if (auto s = parse_survey(u->definition, "survey from the hub"); s) {
        st_->survey = std::make_unique<Survey>(std::move(s).value());
        st_->dirty = std::max(st_->dirty, 2);
      }
    }
  }
  while (st_->dirty > 0 || !pointer_queue_.empty()) draw_frame();
  return !st_->ui.quit;
}

// ---- 3. Input --------------------------------------------------------------------

void KioskApp::touch() {
  st_->ui.last_input = now();
  if (st_->settings.speech && st_->speech) st_->speech->stop();  // any action interrupts speech (A2)
  st_->dirty = std::max(st_->dirty, 2);
}

void KioskApp::handle(const SDL_Event& e) {
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  switch (e.type) {
    case SDL_QUIT:
      // In full screen no key combination leaves the kiosk: only the admin area quits.
      if (!opt_.fullscreen) st_->ui.quit = true;
      break;
    case SDL_WINDOWEVENT: st_->dirty = std::max(st_->dirty, 2); break;
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
  if (st_->ui.panel == Panel::Keyboard) {
    if (sym == SDLK_BACKSPACE) return apply(intent::KeyboardDelete{});
    if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER) return apply(intent::KeyboardDone{});
    if (sym == SDLK_ESCAPE) return apply(intent::KeyboardCancel{});
  }
  switch (sym) {
    case SDLK_DOWN:
    case SDLK_RIGHT:
    case SDLK_TAB: {
      const int dir = (sym == SDLK_TAB && (mod & KMOD_SHIFT)) ? -1 : 1;
      st_->ui.focus = st_->tree.step(st_->ui.focus, dir);
      st_->ui.focus_moved = true;
      if (const A11yItem* it = st_->tree.find(st_->ui.focus)) st_->say(A11yTree::utterance(*it));
      break;
    }
    case SDLK_UP:
    case SDLK_LEFT:
      st_->ui.focus = st_->tree.step(st_->ui.focus, -1);
      st_->ui.focus_moved = true;
      if (const A11yItem* it = st_->tree.find(st_->ui.focus)) st_->say(A11yTree::utterance(*it));
      break;
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
    case SDLK_SPACE:
      if (st_->ui.panel == Panel::Keyboard && sym == SDLK_SPACE) break;  // typed as text
      activate_id_ = st_->ui.focus;
      break;
    case SDLK_ESCAPE:
    case SDLK_AC_BACK:
      if (st_->ui.panel == Panel::Settings || st_->ui.panel == Panel::Help)
        apply(intent::ClosePanel{});
      else if (st_->ui.panel == Panel::Idle)
        apply(intent::ExtendTime{});
      else
        apply(intent::Back{});
      break;
    case SDLK_F1:
    case SDLK_HELP: apply(intent::Help{}); break;
    case SDLK_PAGEDOWN: scroll_by_ += 0.8f; break;
    case SDLK_PAGEUP: scroll_by_ -= 0.8f; break;
    default: break;
  }
}

void KioskApp::text_input(const char* text) {
  if (st_->ui.panel == Panel::Keyboard) {
    for (const char* p = text; *p; ++p) {
      const std::string ch(1, *p);
      if ((static_cast<unsigned char>(*p) & 0xC0) == 0x80) continue;
      // Multi-byte characters arrive whole in `text`; pass the whole thing once.
      if (static_cast<unsigned char>(*p) >= 0x80) {
        apply(intent::KeyboardKey{text});
        return;
      }
      apply(intent::KeyboardKey{ch});
    }
    return;
  }
  if (std::string(text) == "?") apply(intent::Help{});
}

// ---- 4. Drawing and layout --------------------------------------------------------

void KioskApp::draw_now() {
  st_->dirty = std::max(st_->dirty, 1);
  draw_frame();
}

void KioskApp::draw_frame() {
  if (st_->dirty > 0) --st_->dirty;
  if (st_->fonts_dirty) {
    st_->settings.dyslexia_font =
        host_->rebuild_fonts(static_cast<float>(st_->settings.text_scale) / 100.0f, st_->settings.dyslexia_font);
    st_->fonts_dirty = false;
  }
  const Theme& theme = st_->settings.high_contrast ? high_contrast_theme() : standard_theme();
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(w), static_cast<float>(h));
  io.DeltaTime = 1.0f / 60.0f;
  if (!pointer_queue_.empty()) {
    pointer_ = pointer_queue_.front();
    pointer_queue_.erase(pointer_queue_.begin());
    st_->dirty = std::max(st_->dirty, 1);
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
  st_->tree.clear();
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
  announce(*st_);
  const auto pending = intents_;
  for (const auto& i : pending) apply(i);
  if (!pending.empty()) st_->dirty = std::max(st_->dirty, 2);
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
  const Theme& theme = st_->settings.high_contrast ? high_contrast_theme() : standard_theme();
  const float s = host_->fonts().scale;
  const float margin = 24.0f * s;
  const float col_w = std::min(W - 2 * margin, 1100.0f * std::max(1.0f, s * 0.9f));
  const float col_x = (W - col_w) * 0.5f;
  Frame f(theme, host_->fonts(), st_->tree, st_->ui, intents_, activate_id_);
  activate_id_.clear();
  const std::string locale = st_->session ? st_->session->meta().locale
                                          : (st_->ui.locale.empty() ? st_->survey->default_locale : st_->ui.locale);
  int idle_left = 0;
  if (st_->ui.panel == Panel::Idle)
    idle_left = opt_.config.session.idle_response_seconds -
                static_cast<int>(duration_cast<seconds>(now() - st_->ui.warning_since).count());
  AppView v{*st_->survey,  opt_.config, st_->session.get(),
            st_->settings, st_->pages,  st_->service_point_page,
            st_->admin,    idle_left,   st_->ui.extensions < opt_.config.session.max_extensions,
            locale};
  v.pin_locked = st_->pin_policy.locked();

  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoScrollWithMouse;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(W, H));
  ImGui::Begin("kiosk", nullptr, fixed);
  ImDrawList* dl = ImGui::GetWindowDrawList();

  // Header: what this is, and where you are. Numbers of questions are never shown.
  {
    std::string left = st_->survey->text(st_->survey->title, locale), right;
    if (st_->ui.screen == Screen::Question && st_->session) {
      const auto p = st_->session->progress();
      right = "Question " + std::to_string(p.position) + " of " + std::to_string(p.total);
    } else if (st_->ui.screen == Screen::Review) {
      right = "Check your answers";
    } else if (st_->ui.screen == Screen::Admin) {
      left = "Admin area";
    } else if (st_->ui.screen == Screen::Info || st_->ui.screen == Screen::Home) {
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
      st_->tree.add(
          A11yItem{"header.title", left, Role::Heading, {}, {margin, pad, lsz.x, lsz.y}, {0, 0, W, H}, false, true});
    if (!right.empty()) {
      dl->AddText(hf, hf->FontSize, ImVec2(W - margin - right_w, pad), col(theme.panel_text), right.c_str());
      st_->tree.add(A11yItem{"header.progress",
                             right,
                             Role::Status,
                             {},
                             {W - margin - right_w, pad, right_w, hf->FontSize},
                             {0, 0, W, H},
                             false,
                             true});
    }
    if (st_->ui.assisted) {
      const std::string banner = "Assisted mode: " + st_->ui.staff_name + " is helping";
      const ImVec2 bs = hf->CalcTextSizeA(hf->FontSize, FLT_MAX, W - 2 * margin, banner.c_str());
      dl->AddRectFilled(ImVec2(0, hh), ImVec2(W, hh + bs.y + 2 * pad), col(theme.banner));
      dl->AddText(hf, hf->FontSize, ImVec2(margin, hh + pad), col(theme.banner_text), banner.c_str(), nullptr,
                  W - 2 * margin);
      st_->tree.add(A11yItem{
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
  if (st_->ui.scroll_to_top) {
    ImGui::SetScrollY(0);
    st_->ui.scroll_to_top = false;
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
  switch (st_->ui.screen) {
    case Screen::Home: draw_home(f, v); break;
    case Screen::About: draw_about(f, v); break;
    case Screen::Privacy: draw_privacy(f, v); break;
    case Screen::Question:
      if (st_->session && st_->session->current()) draw_question(f, v);
      break;
    case Screen::Review:
      if (st_->session) draw_review(f, v);
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
  if (st_->ui.panel == Panel::None)
    ImGui::GetForegroundDrawList()->AddLine(ImVec2(0, std::round(footer_top)), ImVec2(W, std::round(footer_top)),
                                            col(theme.button_edge), 2.0f);
  ImGui::SetCursorPos(ImVec2(col_x, footer_top + margin * 0.5f));
  ImGui::BeginChild("footer", ImVec2(col_w, H - footer_top), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  const float y0 = ImGui::GetCursorPosY();
  // This screen's Back/Next first, then the access bar, flowing onto as few rows as fit.
  auto flow = f.begin_flow();
  switch (st_->ui.screen) {
    case Screen::About: draw_about_nav(f, v, flow); break;
    case Screen::Privacy: draw_privacy_nav(f, v, flow); break;
    case Screen::Question:
      if (st_->session && st_->session->current()) draw_question_nav(f, v, flow);
      break;
    case Screen::Review: draw_review_nav(f, v, flow); break;
    case Screen::Info: draw_info_nav(f, v, flow); break;
    case Screen::Pin: draw_pin_nav(f, v, flow); break;
    case Screen::Assist: draw_assist_nav(f, v, flow); break;
    case Screen::Admin: draw_admin_nav(f, v, flow); break;
    default: break;
  }
  if (st_->ui.screen != Screen::Admin && st_->ui.screen != Screen::Pin) draw_access_bar(f, v, flow);
  f.end_flow(flow);
  const float used = ImGui::GetCursorPosY() - y0 + margin;
  ImGui::EndChild();
  if (std::fabs(used - footer_h_) > 1.0f) {
    footer_h_ = used;
    st_->dirty = std::max(st_->dirty, 2);  // lay out again with the measured footer (ImGui settles in two frames)
  }
  ImGui::End();

  // A panel covers everything: only its controls are reachable, and it always has a way out.
  if (st_->ui.panel != Panel::None) {
    st_->tree.clear();
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
    switch (st_->ui.panel) {
      case Panel::Settings: draw_settings_panel(f, v); break;
      case Panel::Help: draw_help_panel(f, v); break;
      case Panel::Idle: draw_idle_panel(f, v); break;
      case Panel::Keyboard:
        if (!st_->ui.error.empty()) f.alert("kb.error", st_->ui.error);
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

bool KioskApp::screenshot(const std::string& path) {
  int w = 0, h = 0;
  host_->output_size(&w, &h);
  std::vector<unsigned char> px(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
  if (SDL_RenderReadPixels(host_->renderer(), nullptr, SDL_PIXELFORMAT_ABGR8888, px.data(), w * 4) != 0) return false;
  return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}

}  // namespace kiosk::ui
