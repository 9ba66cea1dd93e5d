#!/usr/bin/env bash
# Installs what is missing, builds, and starts the kiosk with the bundled
# Bury survey. Extra arguments go to the kiosk (e.g. --windowed 1280x800).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
kiosk_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
config="${KIOSK_CONFIG:-kiosk-config/kiosk.toml}"
build/app/kiosk-admin validate "$(sed -n 's/^survey *= *"\(.*\)".*/\1/p' "$config" | sed "s|^|$(dirname "$config")/|")"
if [ -x build/app/ui/kiosk ]; then
  exec build/app/ui/kiosk --config "$config" "$@"
fi
exec build/app/kiosk-admin status --config "$config"
