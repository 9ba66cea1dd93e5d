#!/usr/bin/env bash
# The council IT walk: what the README's "A kiosk PC" and "kiosk-hub as a
# service" steps do on a fresh machine, under a real systemd, from the
# packages scripts/package.sh built:
#   tests/council_it_walk.sh DIST
#  1. both packages installed with --no-install-recommends (cage must come
#     as a dependency); hub.toml 0640 root:kiosk-hub; manual pages present;
#  2. the hub set up as its own user (keygen, add-admin, add-device) and
#     started by its unit (systemctl enable --now kiosk-hub); root running
#     add-admin on the hub's database, and an add-device --url in plain http
#     to another machine, are refused with what to do instead;
#  3. the kiosk as the README says: real PINs from hash-pin, `kiosk-admin
#     enrol` (which fetches the council's public key), the unit enabled and
#     started: its status must become "showing the home screen", not the
#     out-of-order screen; a second kiosk enrolled without its key fetches
#     it from the out-of-order loop by itself; enrol to a plain-http hub on
#     another machine is refused;
#  4. responses collected and synced: the hub's export holds every one;
#     a USB stick (an exFAT loop device) plugged in: the unit udev starts
#     for it mounts it for the kiosk's user alone, kiosk-admin export writes
#     to it, `kiosk-admin open` with the hub's secret key opens every
#     response, and the unit's stop unmounts it;
#  5. an upgrade of both packages: both services running before and after,
#     restarted onto the new files (new main PIDs);
#  6. removal stops both; purge removes the configuration and keeps, saying
#     so, the responses and the hub's database with the council's secret key.
# This machine's PID 1 is not systemd, so systemd is started as PID 1 of a
# PID and mount namespace of its own (a private /run), with a target that
# pulls in nothing: systemctl, deb-systemd-invoke and the maintainer scripts
# run inside it and meet a real service manager. The kiosk unit gets one
# drop-in for a machine without a screen: cage on wlroots' headless backend,
# no tty or login session (everything else is the installed unit).
# Needs root. It changes this machine (installs, purges, deletes
# /var/lib/library-kiosk and /var/lib/kiosk-hub first): CI's is a throwaway one.
set -euo pipefail
dist=$(realpath "${1:?usage: council_it_walk.sh DIST}")
[ "$(id -u)" -eq 0 ] || {
  echo "council_it_walk: needs root" >&2
  exit 1
}
kiosk_deb=$(ls "$dist"/library-kiosk_*.deb)
hub_deb=$(ls "$dist"/kiosk-hub_*.deb)
# The walk's files (boot script, logs, the upgrade packages) live under
# /var/tmp, not /tmp: they must be reachable from inside the namespace and
# survive for the whole run even if a unit the walk starts sets up /tmp.
work=$(mktemp -d /var/tmp/council-it-walk.XXXXXX)
sd_pid=
fail() {
  echo "council_it_walk: $*" >&2
  if [ -n "$sd_pid" ]; then
    in_ns systemctl status --no-pager kiosk-hub library-kiosk >&2 || true
  fi
  exit 1
}
in_ns() { nsenter -t "$sd_pid" -m -p -- "$@"; }
cleanup() {
  [ -e "$work/policy-rc.d" ] && mv "$work/policy-rc.d" /usr/sbin/policy-rc.d
  if [ -n "$sd_pid" ]; then
    in_ns systemctl stop library-kiosk kiosk-hub >/dev/null 2>&1 || true
    kill -TERM "$sd_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$sd_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$sd_pid" 2>/dev/null || true
  fi
  [ -n "${stick_loop:-}" ] && losetup -d "$stick_loop" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# ---- systemd as PID 1 of its own namespace
cat >"$work/boot" <<'EOF'
#!/bin/sh
set -e
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/systemd/system /run/lock
cat >/run/systemd/system/council-it-walk.target <<'T'
[Unit]
Description=council IT walk: nothing but what the test starts
T
# Every service pulls in sysinit.target, whose units would set up this
# machine as if it had just booted (clean /tmp, load modules, set sysctls,
# the clock...): here they are masked for the namespace's life, all but the
# journal, so the services' logs can be read.
cat >/run/systemd/system/sysinit.target <<'T'
[Unit]
Description=System Initialization (the council IT walk: nothing to initialise)
T
for u in /lib/systemd/system/sysinit.target.wants/* /etc/systemd/system/sysinit.target.wants/*; do
  [ -e "$u" ] || [ -L "$u" ] || continue
  n=$(basename "$u")
  [ "$n" = systemd-journald.service ] && continue
  ln -sf /dev/null "/run/systemd/system/$n"
done
exec /lib/systemd/systemd --system --unit=council-it-walk.target --log-target=console --log-level=warning
EOF
chmod 755 "$work/boot"
setsid unshare --pid --fork --mount --mount-proc --propagation private "$work/boot" >"$work/systemd.log" 2>&1 &
for _ in $(seq 100); do
  sd_pid=$(pgrep -f -n -- "--unit=council-it-walk.target" || true)
  [ -n "$sd_pid" ] && [ "$(nsenter -t "$sd_pid" -m -p -- systemctl is-system-running 2>/dev/null || true)" = running ] && break
  sleep 0.1
done
[ -n "$sd_pid" ] || fail "systemd did not start in its namespace: $(cat "$work/systemd.log")"
in_ns systemctl is-system-running >/dev/null || fail "systemd in the namespace is not running"
echo "systemd $(in_ns systemctl --version | head -1 | cut -d' ' -f2) is PID 1 of the test's namespace"

# ---- a fresh machine: nothing of an earlier run left
# A container image's /usr/sbin/policy-rc.d (exit 101: "start nothing") would
# stop the maintainer scripts' service actions; a Debian install has none.
# It is put back at the end.
if [ -e /usr/sbin/policy-rc.d ]; then
  mv /usr/sbin/policy-rc.d "$work/policy-rc.d"
  echo "(this machine's /usr/sbin/policy-rc.d is set aside for the walk, as on a plain Debian install)"
fi
export DEBIAN_FRONTEND=noninteractive
in_ns apt-get purge -y -qq library-kiosk kiosk-hub >/dev/null 2>&1 || true
rm -rf /var/lib/library-kiosk /var/lib/kiosk-hub /etc/library-kiosk /etc/kiosk-hub

# ---- 1. install as council IT would, without recommended packages
in_ns apt-get install -y -qq --no-install-recommends "$kiosk_deb" "$hub_deb" >"$work/install.log" 2>&1 ||
  fail "install failed: $(tail -20 "$work/install.log")"
# A Depends, not a Recommends: --no-install-recommends must still bring it.
dpkg-deb -f "$kiosk_deb" Depends | tr ',' '\n' | grep -qx ' *cage' || fail "library-kiosk does not depend on cage"
dpkg-query -W -f='${Status}' cage | grep -q "install ok installed" || fail "cage did not come with library-kiosk"
[ "$(stat -c '%a %U:%G' /etc/kiosk-hub/hub.toml)" = "640 root:kiosk-hub" ] ||
  fail "hub.toml is $(stat -c '%a %U:%G' /etc/kiosk-hub/hub.toml), not 640 root:kiosk-hub (it may hold a database password)"
for page in kiosk.1 kiosk-admin.8 kiosk-hub.8; do
  [ -f "/usr/share/man/man${page##*.}/$page.gz" ] || fail "no manual page $page"
done
zcat /usr/share/man/man8/kiosk-admin.8.gz | grep -q "enrol" || fail "the kiosk-admin manual page does not describe enrol"
for unit in kiosk-hub library-kiosk; do
  [ "$(in_ns systemctl is-enabled "$unit" 2>/dev/null || true)" = disabled ] || fail "$unit is enabled on install"
  [ "$(in_ns systemctl is-active "$unit" 2>/dev/null || true)" = inactive ] || fail "$unit started on install"
done
echo "1. installed with --no-install-recommends: cage pulled in, hub.toml 0640 root:kiosk-hub, manual pages, units not started"

# ---- 2. the hub, as its own user, started by its unit
as_hub() { in_ns runuser -u kiosk-hub -- "$@"; }
as_hub kiosk-hub keygen --config /etc/kiosk-hub/hub.toml >/dev/null || fail "keygen as kiosk-hub failed"
if out=$(in_ns kiosk-hub keygen --config /etc/kiosk-hub/hub.toml 2>&1); then fail "keygen as root made a key the hub would refuse"; fi
grep -q "runuser -u kiosk-hub" <<<"$out" || fail "keygen as root did not say whom to run it as: $out"
admin=$(as_hub kiosk-hub add-admin council --config /etc/kiosk-hub/hub.toml | tail -1)
if out=$(in_ns kiosk-hub add-admin root-admin --config /etc/kiosk-hub/hub.toml 2>&1); then
  fail "add-admin as root wrote the hub's database"
fi
grep -q "runuser -u kiosk-hub" <<<"$out" || fail "add-admin as root did not say whom to run it as: $out"
if out=$(as_hub kiosk-hub add-device bury-castle-01 --url http://kiosk-hub.example.org --config /etc/kiosk-hub/hub.toml 2>&1); then
  fail "add-device accepted a plain http --url to another machine"
fi
grep -q "plain http" <<<"$out" || fail "add-device's refusal of http does not say why: $out"
token=$(as_hub kiosk-hub add-device bury-castle-01 --url http://127.0.0.1:8470 --config /etc/kiosk-hub/hub.toml | tail -1)
in_ns systemctl enable --now kiosk-hub >/dev/null 2>&1 || fail "systemctl enable --now kiosk-hub failed"
[ "$(in_ns systemctl is-active kiosk-hub)" = active ] || fail "kiosk-hub is not active"
[ "$(curl -s http://127.0.0.1:8470/healthz)" = ok ] || fail "the hub's unit serves no /healthz on 127.0.0.1:8470"
echo "2. hub: keys, tokens and its unit running; root refused with the runuser hint; http --url refused"

# ---- 3. the kiosk PC: real PINs, enrol, enable
as_kiosk() { in_ns runuser -u library-kiosk -- "$@"; }
staff_hash=$(kiosk-admin hash-pin <<<"7093")
admin_hash=$(kiosk-admin hash-pin <<<"5820")
python3 - "$staff_hash" "$admin_hash" <<'EOF'
import re, sys
p = "/etc/library-kiosk/kiosk.toml"
s = open(p).read()
staff, admin = sys.argv[1], sys.argv[2]
s = re.sub(r'(\[\[staff\]\][^\[]*?pin_hash = )"[^"]*"', lambda m: m.group(1) + '"' + staff + '"', s, count=1)
s = re.sub(r'(\[admin\][^\[]*?pin_hash = )"[^"]*"', lambda m: m.group(1) + '"' + admin + '"', s, count=1)
open(p, "w").write(s)
EOF
grep -q "$staff_hash" /etc/library-kiosk/kiosk.toml || fail "could not set the staff PIN hash"
if out=$(in_ns kiosk-admin enrol --hub http://kiosk-hub.example.org:8470 --token "$token" 2>&1); then
  fail "enrol accepted a plain http hub on another machine"
fi
grep -q "plain http" <<<"$out" || fail "enrol's refusal of http does not say why: $out"
in_ns kiosk-admin enrol --hub http://127.0.0.1:8470 --token "$token" >"$work/enrol.out" 2>&1 ||
  fail "enrol failed: $(cat "$work/enrol.out")"
pub=/var/lib/library-kiosk/council.pub
[ -s "$pub" ] || fail "enrol did not write the council's public key $pub: $(cat "$work/enrol.out")"
current=$(tr -d '\n' </var/lib/kiosk-hub/keys/current)
cmp -s "$pub" "/var/lib/kiosk-hub/keys/${current%.key}.pub" || fail "the key enrol wrote is not the hub's current public key"
grep -q "serves survey bury_libraries_2016" "$work/enrol.out" || fail "enrol did not say which survey the hub serves"
mkdir -p /etc/systemd/system/library-kiosk.service.d
cat >/etc/systemd/system/library-kiosk.service.d/headless-test.conf <<'EOF'
# tests/council_it_walk.sh: no screen, tty or login session on a test machine.
[Service]
PAMName=
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
StandardInput=null
UtmpIdentifier=
RuntimeDirectory=library-kiosk
Environment=XDG_RUNTIME_DIR=/run/library-kiosk WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 SDL_AUDIODRIVER=dummy
EOF
in_ns systemctl daemon-reload
in_ns systemctl enable library-kiosk >/dev/null 2>&1 || fail "systemctl enable library-kiosk failed"
in_ns systemctl start library-kiosk || fail "library-kiosk did not start"
kiosk_status() { in_ns systemctl show -p StatusText --value library-kiosk; }
wait_home() {
  for _ in $(seq 300); do
    [ "$(kiosk_status)" = "showing the home screen" ] && return 0
    sleep 0.2
  done
  fail "the kiosk's status is \"$(kiosk_status)\", not the home screen"
}
wait_home
# The staff sign-in is the council's own now: the warning about demonstration PINs is not logged.
if in_ns journalctl -u library-kiosk --no-pager 2>/dev/null | grep -q "demonstration PIN"; then
  fail "the kiosk still warns of demonstration PINs after hash-pin"
fi
echo "3. kiosk: enrol fetched the key, the unit shows the home screen ($(kiosk_status))"

# A kiosk enrolled before it had a key (by hand, or the key removed): the
# out-of-order loop asks the hub by itself.
rm -f "$pub"
in_ns systemctl restart library-kiosk
for _ in $(seq 300); do
  [ -s "$pub" ] && [ "$(kiosk_status)" = "showing the home screen" ] && break
  sleep 0.2
done
[ -s "$pub" ] || fail "the kiosk without its key did not fetch it from the hub (status: $(kiosk_status))"
wait_home
echo "   a kiosk without its key fetched it from the hub itself and started"

# ---- 4. responses collected and synced
as_kiosk kiosk-admin simulate --responses 30 --abandoned 0 --seed 7 >/dev/null || fail "simulate failed"
as_kiosk kiosk-admin sync --once >"$work/sync.out" 2>&1 || fail "sync --once failed: $(cat "$work/sync.out")"
rows=$(curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:8470/api/v1/export?format=jsonl" | grep -c . || true)
[ "$rows" -ge 30 ] || fail "the hub's export holds $rows responses, not the 30 synced"
echo "4. 30 responses simulated at the kiosk, synced; the hub's export holds $rows"

# A USB stick plugged in: udev (not running in the namespace) would start
# library-kiosk-usb@NAME.service for it; the walk starts that unit itself.
rule=/lib/udev/rules.d/90-library-kiosk-usb.rules
grep -q 'ENV{SYSTEMD_WANTS}+="library-kiosk-usb@%k.service"' "$rule" || fail "$rule does not start the stick's unit"
truncate -s 64M "$work/stick.img"
mkfs.exfat -L KIOSKUSB "$work/stick.img" >/dev/null
stick_loop=$(losetup -f --show "$work/stick.img")
stick=${stick_loop#/dev/}
in_ns systemctl start "library-kiosk-usb@$stick.service" || fail "library-kiosk-usb@$stick did not start: $(in_ns journalctl -u "library-kiosk-usb@$stick" --no-pager | tail -5)"
in_ns mountpoint -q /media/library-kiosk/KIOSKUSB || fail "the stick is not mounted at /media/library-kiosk/KIOSKUSB"
owner=$(in_ns stat -c '%U %a' /media/library-kiosk/KIOSKUSB)
[ "$owner" = "library-kiosk 700" ] || fail "the stick's folder is $owner, not library-kiosk's 700"
as_kiosk kiosk-admin export --out /media/library-kiosk/KIOSKUSB/walk-export >"$work/export.out" 2>&1 ||
  fail "kiosk-admin export to the stick: $(cat "$work/export.out")"
in_ns kiosk-admin open --key "/var/lib/kiosk-hub/keys/$current" /media/library-kiosk/KIOSKUSB/walk-export \
  --out "$work/opened" >"$work/open.out" 2>&1 || fail "kiosk-admin open on the stick: $(cat "$work/open.out")"
opened=$(($(wc -l <"$work/opened/responses.csv") - 1))
[ "$opened" -ge 30 ] || fail "the stick's export opened to $opened responses, not the 30 collected"
in_ns systemctl stop "library-kiosk-usb@$stick.service"
if in_ns mountpoint -q /media/library-kiosk/KIOSKUSB 2>/dev/null; then fail "the stick is still mounted after its unit stopped"; fi
losetup -d "$stick_loop" && stick_loop=
echo "   a USB stick: mounted by its unit for the kiosk's user, exported to, $opened responses opened from it, unmounted"

# ---- 5. upgrade both: running before, running after, on the new files
pids() { echo "$(in_ns systemctl show -p MainPID --value kiosk-hub) $(in_ns systemctl show -p MainPID --value library-kiosk)"; }
read -r hub_before kiosk_before <<<"$(pids)"
[ "$hub_before" != 0 ] && [ "$kiosk_before" != 0 ] || fail "not both running before the upgrade"
for deb in "$kiosk_deb" "$hub_deb"; do
  name=$(dpkg-deb -f "$deb" Package)
  rm -rf "$work/pkg"
  dpkg-deb -R "$deb" "$work/pkg"
  sed -i "s/^Version: .*/Version: $(dpkg-deb -f "$deb" Version)+walk1/" "$work/pkg/DEBIAN/control"
  dpkg-deb -b "$work/pkg" "$work/${name}_upgrade.deb" >/dev/null
done
in_ns apt-get install -y -qq -o Dpkg::Options::=--force-confold "$work/library-kiosk_upgrade.deb" \
  "$work/kiosk-hub_upgrade.deb" >"$work/upgrade.log" 2>&1 || fail "upgrade failed: $(tail -20 "$work/upgrade.log")"
dpkg-query -W -f='${Version}' kiosk-hub | grep -q "+walk1$" || fail "the upgrade was not installed"
[ "$(in_ns systemctl is-active kiosk-hub)" = active ] || fail "kiosk-hub is not running after the upgrade"
[ "$(in_ns systemctl is-active library-kiosk)" = active ] || fail "library-kiosk is not running after the upgrade"
read -r hub_after kiosk_after <<<"$(pids)"
[ "$hub_after" != "$hub_before" ] || fail "kiosk-hub was not restarted onto the new files"
[ "$kiosk_after" != "$kiosk_before" ] || fail "library-kiosk was not restarted onto the new files"
wait_home
[ "$(curl -s http://127.0.0.1:8470/healthz)" = ok ] || fail "the hub does not answer after the upgrade"
grep -q "$staff_hash" /etc/library-kiosk/kiosk.toml || fail "the upgrade lost the council's PINs"
echo "5. upgrade: both running before and after, restarted (hub $hub_before -> $hub_after, kiosk $kiosk_before -> $kiosk_after)"

# ---- 6. removal stops both; purge says what it keeps
in_ns apt-get remove -y -qq library-kiosk kiosk-hub >"$work/remove.log" 2>&1 || fail "remove failed: $(tail "$work/remove.log")"
for unit in kiosk-hub library-kiosk; do
  state=$(in_ns systemctl is-active "$unit" 2>/dev/null || true)
  [ "$state" != active ] && [ "$state" != activating ] || fail "$unit still runs after removal ($state)"
done
if in_ns pgrep -x kiosk-hub >/dev/null || in_ns pgrep -x kiosk >/dev/null; then fail "a kiosk or hub process outlived removal"; fi
in_ns apt-get purge -y library-kiosk kiosk-hub >"$work/purge.log" 2>&1 || fail "purge failed: $(tail "$work/purge.log")"
[ ! -e /etc/library-kiosk/kiosk.toml ] || fail "purge left /etc/library-kiosk/kiosk.toml"
[ ! -e /etc/kiosk-hub/hub.toml ] || fail "purge left /etc/kiosk-hub/hub.toml"
[ -f "/var/lib/kiosk-hub/keys/$current" ] || fail "purge deleted the council's secret key"
grep -q "SECRET sealing keys" "$work/purge.log" || fail "purge kept the secret key without saying so"
[ -f /var/lib/library-kiosk/kiosk.db ] || fail "purge deleted the kiosk's responses"
grep -q "kept /var/lib/library-kiosk" "$work/purge.log" || fail "purge kept the kiosk's responses without saying so"
rm -f /etc/systemd/system/library-kiosk.service.d/headless-test.conf
rmdir /etc/systemd/system/library-kiosk.service.d 2>/dev/null || true
echo "6. removal stopped both; purge removed the configuration and said it kept the responses and the secret key"
echo "council IT walk: all as the README says"
