#!/usr/bin/env bash
# The hub's CSV and JSON Lines exports at scale: N simulated responses
# (default 1,000,000) synced from a kiosk to a hub on SQLite (or on the
# PostgreSQL URL given), then each export fetched with curl from a freshly
# started hub, timed to the last byte, with the hub's memory read from
# /proc/PID/status before and after (VmRSS, VmHWM).
#   1. a hub without --survey (JSON Lines only): nothing but the export in
#      its memory;
#   2. a hub with the survey (CSV and JSON Lines), once it has opened every
#      response for its results page in the background ("results ready"):
#      what the export adds on top of that copy.
# Exports are streamed from a database cursor as they are sent (issue 19).
#   bench/hub_export.sh BUILD_DIR [RESPONSES] [DB] [WORK_DIR]
# Target (issue 19): 1,000,000 responses exported under 256 MB.
set -euo pipefail
build=$(realpath "${1:?usage: hub_export.sh BUILD_DIR [RESPONSES] [DB] [WORK_DIR]}")
n=${2:-1000000}
work=$(realpath -m "${4:-$build/bench-hub-export}")
db=${3:-$work/hub.db}
src=$(cd "$(dirname "$0")/.." && pwd)
admin=$build/app/kiosk-admin
hub=$build/sync/hub/kiosk-hub
survey=$src/kiosk-config/surveys/bury-libraries-2016.toml
rm -rf "$work"
mkdir -p "$work"
cd "$work"
hub_pid=
start_hub() {  # extra serve arguments
  : >hub.out
  "$hub" serve --db "$db" --port 0 --key-dir keys "$@" >hub.out 2>hub.err &
  hub_pid=$!
  for _ in $(seq 100); do grep -q "listening on" hub.out && break; sleep 0.1; done
  url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' hub.out)
  [ -n "$url" ] || { cat hub.err >&2; exit 1; }
}
stop_hub() {
  kill "$hub_pid"
  wait "$hub_pid" 2>/dev/null || true
  hub_pid=
}
trap '[ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT
mem() { sed -n "s/^$1: *//p" "/proc/$hub_pid/status"; }

"$hub" keygen --key-dir keys >/dev/null
current=$(tr -d '\n' <keys/current)
token_admin=$("$hub" add-admin council --db "$db" | tail -1)
token_kiosk=$("$hub" add-device bury-castle-01 --db "$db" | tail -1)
start_hub --survey "$survey"
cp -r "$src/kiosk-config" cfg
sed -i "s#^database *=.*#database = \"$work/k.db\"#; s#^public_key_file *=.*#public_key_file = \"$work/keys/${current%.key}.pub\"#" cfg/kiosk.toml
echo "simulating and syncing $n responses to $db..."
t0=$(date +%s)
"$admin" simulate --responses "$n" --seed 5 --config cfg/kiosk.toml >/dev/null
"$admin" sync --once --batch-size 5000 --config cfg/kiosk.toml --hub "$url" --token "$token_kiosk" >/dev/null
echo "  done in $(($(date +%s) - t0)) s"
stop_hub

timed() {  # PATH: seconds to the last byte, and the size
  curl -s -o body.out -w '%{http_code} %{time_total} %{size_download}\n' -H "Authorization: Bearer $token_admin" \
    "$url$1" >t.txt
  read -r code secs bytes <t.txt
  [ "$code" = 200 ] || { echo "$1: HTTP $code: $(head -c 300 body.out)" >&2; exit 1; }
  printf '  %-32s %7.2f s  %9.1f MB  lines %s\n' "$1" "$secs" "$(echo "$bytes / 1048576" | bc -l)" \
    "$(wc -l <body.out)"
}

echo "1. a hub without the survey, $n responses:"
start_hub
echo "  started: VmRSS $(mem VmRSS), VmHWM $(mem VmHWM)"
timed "/api/v1/export?format=jsonl"
echo "  after: VmRSS $(mem VmRSS), VmHWM $(mem VmHWM)"
stop_hub

echo "2. a hub with the survey, once its results copy is ready:"
start_hub --survey "$survey"
for _ in $(seq 6000); do grep -q "results ready\|results not ready" hub.err && break; sleep 0.1; done
echo "  $(grep -o 'results .*' hub.err | tail -1)"
echo "  ready: VmRSS $(mem VmRSS), VmHWM $(mem VmHWM)"
timed "/api/v1/export?format=jsonl"
timed "/api/v1/export?format=csv"
echo "  after: VmRSS $(mem VmRSS), VmHWM $(mem VmHWM)"
stop_hub
