#!/usr/bin/env bash
# Installs what is missing, builds, and starts the kiosk with the bundled
# Bury survey (kiosk-config/kiosk.toml, or $KIOSK_CONFIG). Extra arguments go
# to the kiosk, e.g. --windowed 1280x800. Without a display, it says so.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
kiosk_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
config="${KIOSK_CONFIG:-kiosk-config/kiosk.toml}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${SDL_VIDEODRIVER:-}" ]; then
  echo "No display: the kiosk needs a screen. The data so far:" >&2
  build/app/kiosk-admin status --config "$config" || true
  exit 1
fi
exec build/app/ui/kiosk --config "$config" "$@"
