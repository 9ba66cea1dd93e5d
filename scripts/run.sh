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
# Answers are kept only sealed to the council's public key ([sealing] in
# kiosk.toml). A kiosk tried out on its own has no hub to pull one from, so a
# demonstration key pair is made beside its data; `kiosk-admin open --key`
# with the secret half reads what it collected.
key_file=$(sed -n 's/^public_key_file *= *"\(.*\)".*/\1/p' "$config" | head -1)
key_file=${key_file/#\~/$HOME}
case "$key_file" in /*) ;; ?*) key_file="$(dirname "$config")/$key_file" ;; esac
if [ -n "$key_file" ] && [ ! -f "$key_file" ] && [ -x build/sync/hub/kiosk-hub ]; then
  keys="$(dirname "$key_file")/demo-council-keys"
  mkdir -p "$(dirname "$key_file")"
  build/sync/hub/kiosk-hub keygen --key-dir "$keys" >/dev/null
  current=$(tr -d '\n' <"$keys/current")
  cp "$keys/${current%.key}.pub" "$key_file"
  echo "No council key at $key_file: made a demonstration key pair in $keys" >&2
  echo "(read the answers with: build/app/kiosk-admin open --key $keys/$current ...)." >&2
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${SDL_VIDEODRIVER:-}" ]; then
  echo "No display: the kiosk needs a screen. The data so far:" >&2
  build/app/kiosk-admin status --config "$config" || true
  exit 1
fi
# The demonstration PINs (1234 staff, 9999 admin) work here, on a developer's
# machine; an installed kiosk refuses them until council IT sets its own.
[ "$config" = kiosk-config/kiosk.toml ] && export KIOSK_ALLOW_DEMO_PINS=1
exec build/app/ui/kiosk --config "$config" "$@"
