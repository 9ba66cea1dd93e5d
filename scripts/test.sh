#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest:
#   1. a normal build (RelWithDebInfo);
#   2. the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#      (skip with KIOSK_SANITIZE=0).
# Tests run headless: SDL's offscreen driver, or an Xvfb the tests start.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
kiosk_install_deps

jobs=$(nproc)
build_and_test() {
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_BUILD_BENCH=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

echo "== build and test"
build_and_test build

if [ "${KIOSK_SANITIZE:-1}" != "0" ]; then
  echo "== build and test under AddressSanitizer and UndefinedBehaviorSanitizer"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  build_and_test build-asan -DKIOSK_SANITIZE=ON -DKIOSK_BUILD_BENCH=OFF
fi
