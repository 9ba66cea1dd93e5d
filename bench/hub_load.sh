#!/usr/bin/env bash
# kiosk-hub under load, with wrk (50 connections each):
#   1. GET /healthz;
#   2. POST /api/v1/responses (a batch of 100 real responses; after the first
#      round every item is a duplicate, so this measures parsing, hashing and
#      the database look-up), with a second wrk on /healthz beside it;
#   3. GET /healthz while 200 slow clients each trickle a header line every
#      second (reconnecting whenever the hub cuts them at its deadline).
# Prints wrk's latency distribution and one line of p99s at the end.
# Usage: bench/hub_load.sh [BUILD_DIR] [SECONDS] [--db postgresql://...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${2:-15}
db_arg=${3:-}
hub_bin=$build/sync/hub/kiosk-hub
admin_bin=$build/app/kiosk-admin
survey=kiosk-config/surveys/bury-libraries-2016.toml
for b in "$hub_bin" "$admin_bin"; do [ -x "$b" ] || { echo "build $b first" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

db=${db_arg:-$tmp/hub.db}
"$admin_bin" simulate --db "$tmp/kiosk.db" --survey "$survey" --responses 100 --seed 1 --kiosk-id bench-kiosk >/dev/null
token=$("$hub_bin" add-device bench-kiosk --db "$db" | tail -n 1)
sqlite3 -json "$tmp/kiosk.db" "SELECT uuid, content_hash, canonical AS document FROM responses" |
  python3 -c 'import json,sys; print(json.dumps({"kiosk_id": "bench-kiosk", "responses": json.load(sys.stdin)}))' \
    >"$tmp/batch.json"
cat >"$tmp/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("HUB_TOKEN")
local f = assert(io.open(os.getenv("HUB_BATCH"), "rb"))
wrk.body = f:read("*a")
f:close()
EOF

# The slow clients come from 20 loopback addresses, 10 each, within the
# default per-address limit, as 200 kiosks behind 20 routers would.
"$hub_bin" serve --port 0 --db "$db" --survey "$survey" ${HUB_ARGS:-} >"$tmp/hub.out" 2>"$tmp/hub.log" &
pids+=($!)
for _ in $(seq 100); do
  grep -q "^listening on" "$tmp/hub.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$tmp/hub.out")
[ -n "$url" ] || { echo "kiosk-hub did not start: $(cat "$tmp/hub.log")" >&2; exit 1; }
port=${url##*:}
echo "kiosk-hub at $url ($(sed -n 's/.*(\(.*\))$/\1/p' "$tmp/hub.out")), $(nproc) cores, wrk for ${secs}s per run"

p99() { awk '$1 == "99%" { print $2 }' "$1"; }
run_wrk() { # name, then wrk arguments
  local name=$1
  shift
  wrk --latency "$@" >"$tmp/$name.txt"
  echo "== $name: wrk $*"
  sed -n '/Latency Distribution/,/Requests\/sec/p' "$tmp/$name.txt"
}

run_wrk healthz -t2 -c50 -d"${secs}s" "$url/healthz"

export HUB_TOKEN=$token HUB_BATCH=$tmp/batch.json
wrk --latency -t1 -c50 -d"${secs}s" -s "$tmp/post.lua" "$url/api/v1/responses" >"$tmp/uploads.txt" &
upload_pid=$!
run_wrk healthz_during_uploads -t1 -c2 -d"$((secs - 2))s" "$url/healthz"
wait "$upload_pid"
echo "== uploads: wrk -t1 -c50 -s post.lua (batch of 100, $(wc -c <"$tmp/batch.json") bytes)"
sed -n '/Latency Distribution/,/Requests\/sec/p' "$tmp/uploads.txt"

python3 - "$port" "$((secs + 5))" >"$tmp/slow.txt" 2>&1 <<'EOF' &
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
def connect(i):
    s = socket.socket()
    s.bind(("127.0.1.%d" % (1 + i % 20), 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"POST /api/v1/responses HTTP/1.1\r\nHost: hub\r\n")
    return s
conns = [connect(i) for i in range(200)]
print("200 slow clients connected", flush=True)
end, reconnects = time.time() + secs, 0
while time.time() < end:
    for i, s in enumerate(conns):
        try:
            s.sendall(b"X-Slow: a\r\n")
        except OSError:
            s.close()
            conns[i] = connect(i)
            reconnects += 1
    time.sleep(1)
print("reconnected after the hub cut them:", reconnects)
EOF
slow_pid=$!
for _ in $(seq 100); do grep -q connected "$tmp/slow.txt" && break; sleep 0.1; done
run_wrk healthz_with_200_slow_clients -t2 -c50 -d"${secs}s" "$url/healthz"
wait "$slow_pid"
cat "$tmp/slow.txt"

echo "p99: healthz $(p99 "$tmp/healthz.txt"), uploads $(p99 "$tmp/uploads.txt"), healthz during uploads" \
  "$(p99 "$tmp/healthz_during_uploads.txt"), healthz with 200 slow clients $(p99 "$tmp/healthz_with_200_slow_clients.txt")"
