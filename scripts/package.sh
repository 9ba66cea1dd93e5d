#!/usr/bin/env bash
# Builds the Debian packages from this tree: library-kiosk (kiosk, kiosk-admin,
# assets, configuration in /etc/library-kiosk) and kiosk-hub, into DIR
# (default dist/), and checks them with lintian (any error fails).
#   scripts/package.sh [DIR]
# KIOSK_DEB_NO_DEBUG=1 (scripts/test.sh): no -dbgsym packages, and so no
# debug information compiled, which they alone would keep (the programs are
# stripped either way): for packages built to be tested, not released.
# dpkg-buildpackage rather than CPack: conffiles, maintainer scripts, system
# users and systemd units are what debhelper is for, and dpkg-shlibdeps
# computes the run-time dependencies from the binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
kiosk_install_deps
KIOSK_PACKAGES=(debhelper dpkg-dev fakeroot lintian help2man)
kiosk_install_deps

out=$(realpath -m "${1:-dist}")
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# dpkg-buildpackage writes beside the source folder: build in a copy, so this tree stays as it is.
mkdir "$work/library-kiosk"
tar --exclude='./build*' --exclude='./dist' --exclude='./.git' --exclude='./screenshots' -cf - . |
  tar -xf - -C "$work/library-kiosk"
options="parallel=$(nproc)"
if [ "${KIOSK_DEB_NO_DEBUG:-0}" = "1" ]; then
  options+=" noddebs"
  export DEB_CFLAGS_APPEND=-g0 DEB_CXXFLAGS_APPEND=-g0
fi
(cd "$work/library-kiosk" && DEB_BUILD_OPTIONS="$options" dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) || {
  tail -40 "$work/build.log"
  echo "package.sh: dpkg-buildpackage failed (log above)" >&2
  exit 1
}
rm -f "$out"/*.deb
mv "$work"/*.deb "$out"/
echo "== lintian"
lintian --fail-on error --suppress-tags-from-file /dev/null "$out"/*.deb
ls -1 "$out"/*.deb
