#!/usr/bin/env bash
# The hub's results page and analyst files at scale: N simulated responses
# (default 100,000) synced from a kiosk to a hub on SQLite (or on the
# PostgreSQL URL given), then /results, /results?service_point=castle and
# each export timed with curl, and the hub's peak memory read from
# /proc/PID/status (VmHWM) at the end. The first /results opens every
# response into the hub's in-memory copy (response_cache.hpp); later pages
# are built from that copy, and the same page for the same data is sent as
# it was built. Then the hub is restarted, as after an upgrade,
# and the time it takes to open them all again in the background is read
# from its log ("results ready"), and /results timed once more.
#   bench/hub_results.sh BUILD_DIR [RESPONSES] [DB] [WORK_DIR]
# KIOSK_BENCH_FILES=0 leaves out the .xlsx and .sav (minutes at a million).
# Targets (issue 18): results page <= 200 ms, report <= 10 s, memory <= 256 MB.
set -euo pipefail
build=$(realpath "${1:?usage: hub_results.sh BUILD_DIR [RESPONSES] [DB] [WORK_DIR]}")
n=${2:-100000}
work=$(realpath -m "${4:-$build/bench-hub-results}")
db=${3:-$work/hub.db}
src=$(cd "$(dirname "$0")/.." && pwd)
admin=$build/app/kiosk-admin
hub=$build/sync/hub/kiosk-hub
rm -rf "$work"
mkdir -p "$work"
cd "$work"
hub_pid=
start_hub() {
  "$hub" serve --db "$db" --port 0 --key-dir keys --survey "$src/kiosk-config/surveys/bury-libraries-2016.toml" \
    --population "$src/kiosk-config/population/bury.toml" >hub.out 2>hub.err &
  hub_pid=$!
  for _ in $(seq 100); do grep -q "listening on" hub.out && break; sleep 0.1; done
  url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' hub.out)
  [ -n "$url" ] || { cat hub.err >&2; exit 1; }
}
trap '[ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT

"$hub" keygen --key-dir keys >/dev/null
current=$(tr -d '\n' <keys/current)
token_admin=$("$hub" add-admin council --db "$db" | tail -1)
token_kiosk=$("$hub" add-device bury-castle-01 --db "$db" | tail -1)
start_hub

cp -r "$src/kiosk-config" cfg
sed -i "s#^database *=.*#database = \"$work/k.db\"#; s#^public_key_file *=.*#public_key_file = \"$work/keys/${current%.key}.pub\"#" cfg/kiosk.toml
echo "simulating and syncing $n responses to $db..."
"$admin" simulate --responses "$n" --seed 3 --skew q20.65_plus=0.5 --config cfg/kiosk.toml >/dev/null
"$admin" sync --once --batch-size 1000 --config cfg/kiosk.toml --hub "$url" --token "$token_kiosk" >/dev/null

timed() {  # PATH: seconds to the last byte, and the size
  curl -s -o body.out -w '%{http_code} %{time_total} %{size_download}\n' -u "admin:$token_admin" "$url$1" >t.txt
  read -r code secs bytes <t.txt
  [ "$code" = 200 ] || { echo "$1: HTTP $code: $(head -c 300 body.out)" >&2; exit 1; }
  printf '  %-44s %7.2f s  %8.1f kB\n' "$1" "$secs" "$(echo "$bytes / 1024" | bc -l)"
}
echo "the hub, $n responses:"
timed "/"
timed "/results"                    # the first: opens every response into the hub's copy
timed "/results"                    # again, nothing new: the page as it was built
timed "/results?from=2016-01-01"    # other choices (all of it again): built from the copy
timed "/results?service_point=castle&from=2016-07-01&to=2016-07-31"
timed "/api/v1/export?format=report-html"
timed "/api/v1/export?format=report-pdf"
if [ "${KIOSK_BENCH_FILES:-1}" != 0 ]; then
  timed "/api/v1/export?format=xlsx"
  timed "/api/v1/export?format=sav"
fi
echo "  hub peak memory (VmHWM): $(sed -n 's/^VmHWM: *//p' "/proc/$hub_pid/status")"
echo "  hub memory now (VmRSS): $(sed -n 's/^VmRSS: *//p' "/proc/$hub_pid/status")"
kill "$hub_pid"
wait "$hub_pid" 2>/dev/null || true
: >hub.out
start_hub
for _ in $(seq 36000); do grep -q "results ready\|results not ready" hub.err && break; sleep 0.1; done
echo "after a restart: $(grep -o 'results.*' hub.err | head -1)"
timed "/results"
echo "  hub peak memory (VmHWM): $(sed -n 's/^VmHWM: *//p' "/proc/$hub_pid/status")"
