#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, only those missing.
# Sourced by run.sh and test.sh.
set -euo pipefail

KIOSK_PACKAGES=(
  cmake g++ make pkg-config clang-format
  libsdl2-dev libimgui-dev libsqlite3-dev libcurl4-openssl-dev catch2
  nlohmann-json3-dev libtomlplusplus-dev libcpp-httplib-dev libssl-dev zlib1g-dev
  libsodium-dev libespeak-ng-dev espeak-ng-data libmd4c-dev libpq-dev libfontconfig-dev libcli11-dev libsystemd-dev
  libmicrohttpd-dev libreadstat-dev libxlsxwriter-dev libzip-dev libexpat1-dev libcairo2-dev libpango1.0-dev libqpdf-dev
  libharfbuzz-dev libfribidi-dev libraqm-dev libfreetype-dev libunibreak-dev
  fonts-dejavu-core fonts-opendyslexic fonts-noto-core
  sqlite3 postgresql prometheus xvfb xauth xdotool imagemagick curl openssl python3
  libx11-dev libxext-dev libxtst-dev libxdamage-dev x11-utils
  cage xwayland grim tesseract-ocr tesseract-ocr-urd tesseract-ocr-pol gnumeric chromium
  exfatprogs exfat-fuse e2fsprogs util-linux pspp poppler-utils qpdf
)

kiosk_install_deps() {
  local missing=()
  for p in "${KIOSK_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "Installing missing packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
