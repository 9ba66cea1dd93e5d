// The admin area: counts and results, exports to a folder or USB stick,
// syncing now, and the only way to quit the kiosk program.
#pragma once

#include "app_state.hpp"

namespace kiosk::ui {

void on(AppState& s, const intent::AdminExport& in);
void on(AppState& s, const intent::AdminFolder& in);
void on(AppState& s, const intent::AdminSyncNow&);
void on(AppState& s, const intent::AdminRefresh&);
void on(AppState& s, const intent::AdminServicePoint& in);
void on(AppState& s, const intent::Quit&);

// Shows the admin area and starts loading its figures.
void open_admin(AppState& s);
// Follows the sync thread's status while the admin area is shown.
void follow_sync_status(AppState& s);
// Where exports go unless staff choose a USB stick.
std::string default_export_folder();

}  // namespace kiosk::ui
