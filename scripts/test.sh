#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest, each
# test once, where it means most:
#   1. a build under AddressSanitizer + UndefinedBehaviorSanitizer (with the
#      benchmarks, compiled but not run);
#   2. as root: the Debian packages built, checked by lintian, installed on
#      this machine and upgraded; the tests labelled "plain" (those whose
#      figures a sanitizer changes: the memory a hub holds under load) run
#      against the installed package's kiosk-hub, the build councils run; the
#      installed kiosk session under cage; the council IT walk under a real
#      systemd (install, enrol, upgrade, remove, purge). Not as root: a
#      plain build instead, for the "plain" tests;
#   3. a kiosk built without the hub (KIOSK_BUILD_HUB=OFF), with libpq,
#      cpp-httplib, libmicrohttpd and OpenSSL's libssl hidden from
#      pkg-config, to prove a kiosk needs none of them (of OpenSSL it links
#      only libcrypto, for ODK's encrypted submissions); `scripts/test.sh
#      without-hub` runs only this step; with the sanitizer build's flags, so
#      ccache has compiled all of it already;
#   4. every other test, under the sanitizers.
# KIOSK_SANITIZE=0: one plain build and the whole suite in it instead (and
# the packages, as root). Tests run headless: SDL's offscreen driver, or an
# Xvfb the tests start. Each step prints when it started, in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
KIOSK_PACKAGES+=(ccache)
kiosk_install_deps

jobs=$(nproc)
# Tests wait as well as compute (a hub's timeouts, a slow line, a kiosk's
# screen): a third more at once than there are cores keeps the cores busy.
test_jobs=$((jobs + (jobs + 2) / 3))
sanitize=${KIOSK_SANITIZE:-1}
# Each step says when it started, and how busy the cores were in the step
# before it (from /proc/stat: the share of all cores' time not idle), so the
# log shows where the run waits rather than computes.
cpu_busy=0 cpu_total=0
cpu_sample() { read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
  cpu_busy=$((user + nice + system + irq + softirq + steal)) cpu_total=$((user + nice + system + idle + iowait + irq + softirq + steal)); }
cpu_sample
step() {
  local busy=$cpu_busy total=$cpu_total
  cpu_sample
  if [ $((cpu_total - total)) -gt 0 ]; then
    echo "   (the cores were $(((cpu_busy - busy) * 100 / (cpu_total - total)))% busy in the step before)"
  fi
  echo "== $* (at ${SECONDS} s)"
}
# Line tables only (-g1): enough for every stack trace and sanitizer report,
# and a third less compile time than full debug information. -O1 under the
# sanitizers, as their documentation advises: reports stay exact, and the
# build takes about half as long as at -O2.
opt=-O2
if [ "$sanitize" != "0" ]; then opt=-O1; fi
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_WERROR=ON
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$opt -g1 -DNDEBUG")
if [ "$sanitize" != "0" ]; then flags+=(-DKIOSK_SANITIZE=ON); fi
# Through ccache, keyed on paths relative to this tree: the kiosk built
# without the hub (same flags, a sibling folder) is then taken from it.
# Depend mode: the compiler's own dependency file, not a second run of the
# preprocessor, decides a hit (that second run cost a cold build a tenth).
export CCACHE_DIR=$PWD/build-ccache CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=4G CCACHE_DEPEND=1
flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
build() {
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}
run_tests() {
  local dir=$1; shift
  (cd "$dir" && ctest --output-on-failure -j "$test_jobs" --timeout 600 "$@")
}

# The hub's libraries are hidden by giving pkg-config a directory holding
# every system .pc file except theirs. libcurl's .pc names OpenSSL only in
# Libs.private (no Requires), so hiding openssl/libssl does not hide curl.
# libcrypto stays: the kiosk encrypts OpenRosa submissions with it.
# --fresh: pkg_check_modules caches what it found, and a stale cache would
# prove nothing.
build_without_hub() {
  local dir=build-nohub pcdir bin dirs
  pcdir=$(mktemp -d)
  # Searched in pkg-config's own order: the first .pc of a name wins.
  IFS=: read -ra dirs <<<"${PKG_CONFIG_PATH:+$PKG_CONFIG_PATH:}$(pkg-config --variable pc_path pkg-config)"
  for d in "${dirs[@]}"; do
    for pc in "$d"/*.pc; do
      [ -e "$pc" ] || continue
      case $(basename "$pc" .pc) in libpq | cpp-httplib | libmicrohttpd | openssl | libssl) continue ;; esac
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
  PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH= cmake --fresh -S . -B "$dir" "${flags[@]}" \
    -DKIOSK_BUILD_HUB=OFF -DKIOSK_BUILD_TESTS=OFF -DKIOSK_BUILD_BENCH=OFF >/dev/null
  rm -rf "$pcdir"
  cmake --build "$dir" -j "$jobs" --target kiosk kiosk-admin
  for bin in "$dir/app/ui/kiosk" "$dir/app/kiosk-admin"; do
    [ -x "$bin" ] || { echo "$bin was not built" >&2; return 1; }
    if readelf -d "$bin" | grep -E 'NEEDED.*(libpq|libmicrohttpd|libssl)' || ldd "$bin" | grep -E '(libpq|libmicrohttpd)\.so'; then
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

step "formatting (.clang-format)"
git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run --Werror

if [ "$sanitize" != "0" ]; then
  step "build under AddressSanitizer and UndefinedBehaviorSanitizer"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  build build-asan "${flags[@]}" -DKIOSK_BUILD_BENCH=ON
  tests=build-asan
else
  step "build"
  build build "${flags[@]}" -DKIOSK_BUILD_BENCH=ON
  tests=build
fi

if [ "$(id -u)" -eq 0 ]; then
  step "Debian packages: build, lintian, install, upgrade"
  # No -dbgsym packages, so no debug information to make (KIOSK_DEB_NO_DEBUG,
  # scripts/package.sh): nothing here installs or reads them.
  KIOSK_DEB_NO_DEBUG=1 scripts/package.sh build-dist
  tests/package_install.sh build-dist
  if [ "$sanitize" != "0" ]; then
    step "the tests whose figures a sanitizer changes, against the installed kiosk-hub"
    KIOSK_TEST_HUB_BIN=/usr/bin/kiosk-hub run_tests "$tests" -L plain
  fi
  step "the installed kiosk session, headless (cage, grim)"
  tests/kiosk_session.sh build-dist/session
  step "the council IT walk under a real systemd: install, enrol, upgrade, remove, purge"
  tests/council_it_walk.sh build-dist
elif [ "$sanitize" != "0" ]; then
  echo "the packages are not built: installing them needs root (CI runs as root)"
  step "a plain build, for the tests whose figures a sanitizer changes"
  plain=("${flags[@]/-O1/-O2}")
  build build "${plain[@]/-DKIOSK_SANITIZE=ON/-DKIOSK_SANITIZE=OFF}" -DKIOSK_BUILD_BENCH=OFF
  run_tests build -L plain
fi

step "a kiosk built without the hub"
build_without_hub
ccache --show-stats | grep -E "Hits|Misses" || true

if [ "$sanitize" != "0" ]; then
  step "every other test, under the sanitizers"
  run_tests "$tests" -LE plain
else
  step "test"
  run_tests "$tests"
fi
step "done"
