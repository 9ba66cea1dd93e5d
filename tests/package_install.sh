#!/usr/bin/env bash
# Installs the Debian packages built by scripts/package.sh on this machine and
# checks them as council IT would use them:
#   tests/package_install.sh DIST
# - kiosk-admin works from any directory with no --config (it finds /etc/library-kiosk/kiosk.toml);
# - the kiosk's secrets (kiosk.toml: hub token, PIN hashes) are readable only by root and its user;
# - its data lives in /var/lib/library-kiosk, owned by the library-kiosk system user;
# - kiosk-hub runs against its own data folder;
# - an upgrade keeps an edited kiosk.toml and the responses already stored.
# Needs root (it installs packages). It changes this machine: CI runs it on a
# throwaway one.
set -euo pipefail
dist=$(realpath "${1:?usage: package_install.sh DIST}")
fail() { echo "package_install: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root: it installs packages"
kiosk_deb=$(ls "$dist"/library-kiosk_*.deb)
hub_deb=$(ls "$dist"/kiosk-hub_*.deb)

export DEBIAN_FRONTEND=noninteractive
# --allow-downgrades and confold: a second run finds the previous run's upgrade installed.
apt-get install -y -qq --allow-downgrades -o Dpkg::Options::=--force-confold "$kiosk_deb" "$hub_deb" >/dev/null
echo "installed: $(dpkg-query -W -f='${Package} ${Version}, ' library-kiosk kiosk-hub)"

cd /
as_kiosk() { runuser -u library-kiosk -- "$@"; }
# The council's key pair, made on the hub as its own user; the kiosk gets the
# public half (the survey pull writes it there; here, as an admin would by hand).
# Without it the kiosk keeps no answer and shows staff why, and a database
# from an earlier version (answers in the clear) is not opened until it has one.
[ "$(stat -c '%a %U' /var/lib/kiosk-hub/keys)" = "700 kiosk-hub" ] || fail "the key folder is not 0700 kiosk-hub's"
runuser -u kiosk-hub -- kiosk-hub keygen --config /etc/kiosk-hub/hub.toml >/dev/null || fail "kiosk-hub keygen failed"
for k in /var/lib/kiosk-hub/keys/*.key; do
  [ "$(stat -c '%a %U' "$k")" = "600 kiosk-hub" ] || fail "$k is not 0600 kiosk-hub's"
done
current=$(tr -d '\n' </var/lib/kiosk-hub/keys/current)
install -m 0644 -o library-kiosk -g library-kiosk "/var/lib/kiosk-hub/keys/${current%.key}.pub" \
  /var/lib/library-kiosk/council.pub
if runuser -u nobody -- cat "/var/lib/kiosk-hub/keys/$current" >/dev/null 2>&1; then fail "another user can read the hub's secret key"; fi

as_kiosk kiosk-admin status | tee /tmp/status.out
grep -q "/var/lib/library-kiosk/kiosk.db" /tmp/status.out || fail "status does not use the installed configuration"
[ "$(stat -c '%a %U:%G' /etc/library-kiosk/kiosk.toml)" = "640 root:library-kiosk" ] ||
  fail "kiosk.toml is $(stat -c '%a %U:%G' /etc/library-kiosk/kiosk.toml), not 640 root:library-kiosk"
[ "$(stat -c '%U' /var/lib/library-kiosk)" = library-kiosk ] || fail "/var/lib/library-kiosk is not the kiosk user's"
if runuser -u nobody -- cat /etc/library-kiosk/kiosk.toml >/dev/null 2>&1; then fail "another user can read kiosk.toml"; fi
kiosk-admin validate /etc/library-kiosk/surveys/bury-libraries-2016.toml
for kb in en pl ur; do
  [ -f "/etc/library-kiosk/keyboards/$kb.toml" ] || fail "the $kb on-screen keyboard layout is not installed"
done
kiosk --help >/dev/null || fail "kiosk --help"

# Responses collected by the kiosk's own user, in its own data folder.
completed() { as_kiosk kiosk-admin status | awk '/^completed:/ {print $2}'; }
had=$(completed)
as_kiosk kiosk-admin simulate --responses 25 --abandoned 0 --seed "$(date +%s%N)" >/dev/null
before=$(completed)
[ "$before" = $((${had:-0} + 25)) ] || fail "expected $((${had:-0} + 25)) completed responses, status says $before"
[ "$(stat -c '%U' /var/lib/library-kiosk/kiosk.db)" = library-kiosk ] || fail "the database is not the kiosk user's"

# The hub, as its own user, in its own folder.
runuser -u kiosk-hub -- kiosk-hub add-device "package-test-$(date +%s%N)" --db /var/lib/kiosk-hub/hub.db | tail -1 | grep -Eq '^[A-Za-z0-9_-]{20,}$' ||
  fail "kiosk-hub add-device printed no token"
# Serving with the installed settings, as kiosk-hub.service runs it (its port
# replaced by a free one): the survey and service points found in /etc/kiosk-hub.
hub_out=$(mktemp)
runuser -u kiosk-hub -- kiosk-hub serve --config /etc/kiosk-hub/hub.toml --port 0 >"$hub_out" 2>&1 &
hub_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$hub_out" && break; sleep 0.1; done
hub_url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$hub_out")
[ -n "$hub_url" ] || { cat "$hub_out" >&2; kill "$hub_pid" 2>/dev/null; fail "the installed hub did not start from /etc/kiosk-hub/hub.toml"; }
[ "$(curl -s "$hub_url/healthz")" = ok ] || { kill "$hub_pid"; fail "the installed hub does not answer /healthz"; }
kill "$hub_pid"
wait "$hub_pid" || true
rm -f "$hub_out"
echo "the installed hub serves from /etc/kiosk-hub/hub.toml ($hub_url)"

# Upgrade: a council's edit to kiosk.toml and the stored responses survive a newer package.
sed -i 's/^name = .*/name = "Edited by the council"/' /etc/library-kiosk/kiosk.toml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$kiosk_deb" "$work/pkg"
version=$(dpkg-deb -f "$kiosk_deb" Version)
sed -i "s/^Version: .*/Version: ${version}+upgrade1/" "$work/pkg/DEBIAN/control"
dpkg-deb -b "$work/pkg" "$work/library-kiosk_upgrade.deb" >/dev/null
apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "$work/library-kiosk_upgrade.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' library-kiosk)" = "${version}+upgrade1" ] || fail "the upgrade was not installed"
grep -q '^name = "Edited by the council"' /etc/library-kiosk/kiosk.toml || fail "the upgrade overwrote the edited kiosk.toml"
after=$(completed)
[ "$after" = "$before" ] || fail "responses before the upgrade: $before, after: $after"
as_kiosk kiosk-admin verify >/dev/null || fail "kiosk-admin verify failed after the upgrade"
echo "package install, permissions, hub, upgrade: all as expected"
