#!/usr/bin/env bash
# Ingest through three hubs on one PostgreSQL beside one hub alone, in one
# run (issue 19): K kiosks (default 6), each holding N simulated sealed
# responses (default 2,000), all sync at once with `kiosk-admin sync --once`
# (batches of 200), spread in turn over the hubs. Prints the responses per
# second from the first kiosk starting to the last receipt, and the ratio.
# A throwaway PostgreSQL server (tests/pg_server.sh) holds one database per
# layout; every hub shares the key folder, as deployed (README: "Several hubs
# on one PostgreSQL").
#   bench/hubs_on_one_pg.sh BUILD_DIR [KIOSKS] [RESPONSES]
set -euo pipefail
build=$(realpath "${1:?usage: hubs_on_one_pg.sh BUILD_DIR [KIOSKS] [RESPONSES]}")
kiosks=${2:-6}
n=${3:-2000}
src=$(cd "$(dirname "$0")/.." && pwd)
admin=$build/app/kiosk-admin
hub=$build/sync/hub/kiosk-hub
survey=$src/kiosk-config/surveys/bury-libraries-2016.toml
work=$(mktemp -d)
chmod 755 "$work"  # the PostgreSQL server runs as its own user (tests/pg_server.sh)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$src/tests/pg_server.sh" stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$src/tests/pg_server.sh" start "$work/pg" >/dev/null
base=$(cat "$work/pg/url")
"$hub" keygen --key-dir "$work/keys" >/dev/null
current=$(tr -d '\n' <"$work/keys/current")

# Each kiosk's database, made once and copied for each layout.
for k in $(seq "$kiosks"); do
  mkdir -p "$work/k$k"
  cp -r "$src/kiosk-config" "$work/k$k/cfg"
  sed -i "s#^id *=.*#id = \"k$k\"#; s#^database *=.*#database = \"$work/k$k/kiosk.db\"#; s#^public_key_file *=.*#public_key_file = \"$work/keys/${current%.key}.pub\"#" \
    "$work/k$k/cfg/kiosk.toml"
  "$admin" simulate --responses "$n" --seed "$k" --config "$work/k$k/cfg/kiosk.toml" >/dev/null
  cp "$work/k$k/kiosk.db" "$work/k$k/fresh.db"
done

run() {  # HUBS: stored and seconds through that many hubs on a new database, into $work/resultHUBS
  local hubs=$1 db="$base/hubs$1" urls=() tokens=() start end
  psql -q -X "$base/postgres" -c "CREATE DATABASE hubs$hubs" >/dev/null
  for k in $(seq "$kiosks"); do tokens+=("$("$hub" add-device "k$k" --db "$db" | tail -1)"); done
  for h in $(seq "$hubs"); do
    "$hub" serve --db "$db" --port 0 --key-dir "$work/keys" --survey "$survey" >"$work/hub$hubs-$h.out" \
      2>"$work/hub$hubs-$h.err" &
    pids+=($!)
    for _ in $(seq 100); do grep -q "listening on" "$work/hub$hubs-$h.out" && break; sleep 0.1; done
    urls+=("$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$work/hub$hubs-$h.out")")
  done
  for k in $(seq "$kiosks"); do cp "$work/k$k/fresh.db" "$work/k$k/kiosk.db"; rm -f "$work/k$k/kiosk.db-wal"; done
  start=$(date +%s.%N)
  local syncs=()
  for k in $(seq "$kiosks"); do
    "$admin" sync --once --batch-size 200 --config "$work/k$k/cfg/kiosk.toml" \
      --hub "${urls[$(((k - 1) % hubs))]}" --token "${tokens[$((k - 1))]}" >/dev/null &
    syncs+=($!)
  done
  for p in "${syncs[@]}"; do wait "$p" || { echo "a kiosk's sync failed" >&2; exit 1; }; done
  end=$(date +%s.%N)
  local stored
  stored=$(psql -X -At "$db" -c "SELECT count(*) FROM responses")
  [ "$stored" = $((kiosks * n)) ] || { echo "stored $stored, not $((kiosks * n))" >&2; exit 1; }
  echo "$stored $(echo "$end - $start" | bc -l)" >"$work/result$hubs"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

run 1
run 3
read -r s1 t1 <"$work/result1"
read -r s3 t3 <"$work/result3"
r1=$(echo "$s1 / $t1" | bc -l)
r3=$(echo "$s3 / $t3" | bc -l)
printf '%d kiosks x %d responses, batches of 200, on one PostgreSQL (%d cores):\n' "$kiosks" "$n" "$(nproc)"
printf '  1 hub:   %6d stored in %6.2f s  %8.0f responses/s\n' "$s1" "$t1" "$r1"
printf '  3 hubs:  %6d stored in %6.2f s  %8.0f responses/s\n' "$s3" "$t3" "$r3"
printf '  3 hubs / 1 hub: %.2fx\n' "$(echo "$r3 / $r1" | bc -l)"
