#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest:
#   1. a normal build (RelWithDebInfo), and the tests labelled "plain" in it:
#      those whose figures the sanitizers change (the memory a hub holds);
#      with KIOSK_SANITIZE=0, every test here instead;
#   1b. the Debian packages built, checked by lintian, installed on this
#      machine and upgraded, then the council IT walk under a real systemd
#      (install, enrol, upgrade, remove, purge) (as root only: it installs packages);
#   2. a kiosk built without the hub (KIOSK_BUILD_HUB=OFF), with libpq,
#      cpp-httplib, libmicrohttpd and OpenSSL hidden from pkg-config, to prove a kiosk needs
#      none of them (`scripts/test.sh without-hub` runs only this step);
#   3. every test under AddressSanitizer + UndefinedBehaviorSanitizer
#      (skip with KIOSK_SANITIZE=0).
# Each test thus runs once where it means most, the plain ones twice. Tests
# run headless: SDL's offscreen driver, or an Xvfb the tests start. Each
# step prints when it started, in seconds from the start.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
kiosk_install_deps

jobs=$(nproc)
# Tests wait as well as compute (a hub's timeouts, a slow line, a kiosk's
# screen): a third more at once than there are cores keeps the cores busy.
test_jobs=$((jobs + (jobs + 2) / 3))
step() { echo "== $* (at ${SECONDS} s)"; }
build() {
  local dir=$1; shift
  # Line tables only (-g1): enough for every stack trace and sanitizer
  # report, and a third less compile time than full debug information.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_BUILD_BENCH=ON -DKIOSK_WERROR=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="${KIOSK_OPT:--O2} -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="${KIOSK_OPT:--O2} -g1 -DNDEBUG" \
    "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}
run_tests() {
  local dir=$1; shift
  (cd "$dir" && ctest --output-on-failure -j "$test_jobs" --timeout 600 "$@")
}

# The hub's libraries are hidden by giving pkg-config a directory holding
# every system .pc file except theirs. libcurl's .pc names OpenSSL only in
# Libs.private (no Requires), so hiding openssl/libssl/libcrypto does not
# hide curl. --fresh: pkg_check_modules caches what it found, and a stale
# cache would prove nothing.
build_without_hub() {
  local dir=build-nohub pcdir bin dirs
  pcdir=$(mktemp -d)
  # Searched in pkg-config's own order: the first .pc of a name wins.
  IFS=: read -ra dirs <<<"${PKG_CONFIG_PATH:+$PKG_CONFIG_PATH:}$(pkg-config --variable pc_path pkg-config)"
  for d in "${dirs[@]}"; do
    for pc in "$d"/*.pc; do
      [ -e "$pc" ] || continue
      case $(basename "$pc" .pc) in libpq | cpp-httplib | libmicrohttpd | openssl | libssl | libcrypto) continue ;; esac
      [ -e "$pcdir/$(basename "$pc")" ] || ln -s "$pc" "$pcdir/"
    done
  done
  for hidden in libpq cpp-httplib libmicrohttpd openssl; do
    if PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH= pkg-config --exists "$hidden"; then
      echo "pkg-config still finds $hidden: the step would prove nothing" >&2
      rm -rf "$pcdir"
      return 1
    fi
  done
  # Unoptimised and without debug information: this build proves what links,
  # and compiles in half the time.
  PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH= cmake --fresh -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_C_FLAGS_DEBUG=-O0 \
    -DKIOSK_BUILD_HUB=OFF -DKIOSK_BUILD_TESTS=OFF -DKIOSK_BUILD_BENCH=OFF >/dev/null
  rm -rf "$pcdir"
  cmake --build "$dir" -j "$jobs" --target kiosk kiosk-admin
  for bin in "$dir/app/ui/kiosk" "$dir/app/kiosk-admin"; do
    [ -x "$bin" ] || { echo "$bin was not built" >&2; return 1; }
    if readelf -d "$bin" | grep -E 'NEEDED.*(libpq|libmicrohttpd)' || ldd "$bin" | grep -E '(libpq|libmicrohttpd)\.so'; then
      echo "$bin links libpq or libmicrohttpd, though the hub was left out" >&2
      return 1
    fi
  done
  echo "kiosk and kiosk-admin built without the hub; neither links libpq nor libmicrohttpd"
}

if [ "${1:-}" = "without-hub" ]; then
  build_without_hub
  exit 0
fi

sanitize=${KIOSK_SANITIZE:-1}
step "formatting (.clang-format)"
git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror

step "build"
build build
if [ "$sanitize" != "0" ]; then
  step "the tests whose figures the sanitizers change, in the plain build (the rest run under the sanitizers)"
  run_tests build -L plain
else
  step "test"
  run_tests build
fi

step "Debian packages: build, lintian, install, upgrade"
if [ "$(id -u)" -eq 0 ]; then
  scripts/package.sh build-dist
  tests/package_install.sh build-dist
  step "the installed kiosk session, headless (cage, grim)"
  tests/kiosk_session.sh build-dist/session
  step "the council IT walk under a real systemd: install, enrol, upgrade, remove, purge"
  tests/council_it_walk.sh build-dist
else
  echo "not run: installing packages needs root (CI runs as root)"
fi

step "a kiosk built without the hub"
build_without_hub

if [ "$sanitize" != "0" ]; then
  step "build and test under AddressSanitizer and UndefinedBehaviorSanitizer"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # -O1, as the sanitizers' own documentation advises: reports stay exact,
  # and the build takes about half as long as at -O2.
  KIOSK_OPT=-O1 build build-asan -DKIOSK_SANITIZE=ON -DKIOSK_BUILD_BENCH=OFF
  run_tests build-asan
fi
step "done"
