#!/usr/bin/env bash
# Writes a PNG of every kiosk screen (standard and high contrast, 100% and
# 200% text) to DIR (default: screenshots/), headless.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-screenshots}"
cmake -S . -B build >/dev/null
cmake --build build -j "$(nproc)" --target kiosk_screens
build/tools/kiosk_screens "$out" "${2:-1280x800}"
echo "screenshots in $out/"
