#!/bin/bash
# A USB stick in the kiosk PC, end to end, with a loop device as the stick:
#  1. system/kiosk-usb-mount (what library-kiosk-usb@NAME.service runs when
#     udev sees a stick) mounts an exFAT stick at ROOT/LABEL for the kiosk's
#     user alone (another user cannot list it) and nothing on it runs;
#  2. the admin area (the headless rig, ui_tests "[.usb]") offers the stick
#     by its label and not a folder with nothing mounted on it, exports the
#     sealed responses to it and says when the stick may be taken out;
#  3. unmounted as the unit's stop does, the folder goes; the stick read
#     back, `kiosk-admin open` opens every response on it;
#  4. a stick with a filesystem a council PC cannot read is refused, named.
# The kiosk PC's kernel mounts exFAT itself; a kernel without it (a test
# container) uses exfat-fuse, the script's fallback.
# Usage: tests/usb_stick.sh UI_TESTS KIOSK_ADMIN   (as root: losetup and mount)
set -euo pipefail
ui_tests=$1
kiosk_admin=$2
here=$(cd "$(dirname "$0")/.." && pwd)
mount_script=$here/system/kiosk-usb-mount
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
[ "$(id -u)" = 0 ] || fail "needs root, for losetup and mount (CI runs as root)"
work=$(mktemp -d)
chmod 0755 "$work" # the kiosk's user reaches the sticks under it
loops=()
cleanup() {
  for d in "$work"/media/* "$work"/readback; do mountpoint -q "$d" 2>/dev/null && umount -l "$d"; done
  for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export KIOSK_USB_ROOT=$work/media KIOSK_USB_STATE=$work/state KIOSK_USB_USER=nobody

truncate -s 64M "$work/stick.img"
mkfs.exfat -L "COUNCIL USB" "$work/stick.img" >/dev/null
loop=$(losetup -f --show "$work/stick.img")
loops+=("$loop")
name=${loop#/dev/}

# ---- 1. mounted for the kiosk's user alone
"$mount_script" mount "$name" 2>"$work/mount.err" || fail "kiosk-usb-mount refused the stick: $(cat "$work/mount.err")"
dir=$work/media/COUNCIL_USB
mountpoint -q "$dir" || fail "the stick is not mounted at $dir: $(cat "$work/mount.err")"
[ "$(stat -c '%U %a' "$dir")" = "nobody 700" ] || fail "the stick's folder is $(stat -c '%U %a' "$dir"), not nobody's 700"
runuser -u nobody -- sh -c "echo x >'$dir/probe' && rm '$dir/probe'" || fail "the kiosk's user cannot write to the stick"
if runuser -u daemon -- ls "$dir" >/dev/null 2>&1; then fail "another user can list the stick"; fi
opts=$(findmnt -n -o OPTIONS --target "$dir")
for o in nosuid nodev; do [[ ",$opts," == *",$o,"* ]] || fail "the stick is mounted without $o ($opts)"; done
mkdir "$work/media/stale" # a folder a stick left behind: nothing mounted on it
echo "1. the stick is mounted at $dir for the kiosk's user alone ($opts)"

# ---- 2. the admin area offers it and exports to it
KIOSK_TEST_USB_ROOT=$work/media KIOSK_TEST_USB_LABEL=COUNCIL_USB KIOSK_TEST_USB_SECRET=$work/council.key \
  "$ui_tests" "[.usb]" >"$work/ui.out" 2>&1 || {
  cat "$work/ui.out" >&2
  fail "the admin area's export to the stick"
}
sealed=$(find "$dir" -maxdepth 1 -name '*.sealed' | head -1)
[ -n "$sealed" ] || fail "no sealed export on the stick: $(ls -la "$dir")"
echo "2. the admin area offered the stick, exported to it ($(basename "$sealed")) and said it may be taken out"

# ---- 3. unmounted as the unit's stop does; read back and opened
"$mount_script" unmount "$name" 2>/dev/null || fail "kiosk-usb-mount unmount failed"
! mountpoint -q "$dir" 2>/dev/null || fail "the stick is still mounted after unmount"
[ ! -e "$dir" ] || fail "the stick's folder is left behind after unmount"
mkdir "$work/readback"
mount -t exfat -o ro "$loop" "$work/readback" 2>/dev/null || mount -t exfat-fuse -o ro "$loop" "$work/readback"
"$kiosk_admin" open --key "$work/council.key" "$work/readback/$(basename "$sealed")" --out "$work/opened" \
  >"$work/open.out" 2>&1 || fail "kiosk-admin open on the stick's export: $(cat "$work/open.out")"
rows=$(($(wc -l <"$work/opened/responses.csv") - 1))
[ "$rows" = 1 ] || fail "the stick's export opened to $rows responses, not 1"
umount "$work/readback"
echo "3. unmounted, folder gone; read back, kiosk-admin open found the 1 response"

# ---- 4. a filesystem a council PC does not read: refused, named
truncate -s 16M "$work/ext4.img"
mkfs.ext4 -q -L LINUXONLY "$work/ext4.img"
loop2=$(losetup -f --show "$work/ext4.img")
loops+=("$loop2")
if "$mount_script" mount "${loop2#/dev/}" 2>"$work/ext4.err"; then fail "an ext4 stick was mounted"; fi
grep -q "is ext4; the kiosk writes only to FAT, exFAT and NTFS" "$work/ext4.err" ||
  fail "the ext4 stick's refusal does not say why: $(cat "$work/ext4.err")"
[ -z "$(ls "$work/media" | grep -v stale)" ] || fail "a refused stick left a folder: $(ls "$work/media")"
echo "4. an ext4 stick refused: $(cat "$work/ext4.err")"
echo "usb stick: all passed"
