// kiosk-hub's commands (hub_cli.cpp): the program's main(), and a hub served
// in the tests' own process, from the same command line (hub_fixture.hpp).
#pragma once

#include "http_server.hpp"

namespace kiosk::hub {

// Runs `kiosk-hub ARGS...` and returns its exit code. `serve` with a
// `control` serves until control->stop_fd is readable and leaves TZ as the
// process has it (kiosk-hub itself sets Europe/London unless TZ is given).
int hub_main(int argc, char** argv, const ServeControl* control = nullptr);

}  // namespace kiosk::hub
