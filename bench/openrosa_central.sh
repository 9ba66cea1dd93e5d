#!/usr/bin/env bash
# The kiosk against a real ODK Central (issue 21), end to end:
#   1. the Bury survey written as an XForm (kiosk-admin export-xform) and
#      published in the project under a form id of this run, with the
#      project's managed encryption on, and given to the App User;
#   2. a kiosk enrolled with `kiosk-admin enrol --openrosa` (the App User's
#      URL), N simulated visits sealed as ODK encrypted submissions;
#   3. sent with `kiosk-admin sync --once`, pass after pass, through a proxy
#      that cuts 30% of requests (half part way through the request, half
#      when the server's reply starts), until nothing is pending;
#   4. Central's CSV export, decrypted with the passphrase, compared with
#      what each visitor answered (the same seeded simulation, sealed to our
#      own key and opened): each response once, every answer equal.
#
# Needs a Central started by ../shared/peers/odk-central/setup.sh, whose
# bench.env (ODK_ENV, default /opt/odk-central/bench.env) gives its address,
# admin and App User. The project's encryption passphrase is
# $ODK_PASSPHRASE (default below); a project encrypted earlier with another
# passphrase cannot be exported here.
#
#   bench/openrosa_central.sh BUILD_DIR [RESPONSES] [CUT_SHARE]
set -euo pipefail
build=$(cd "${1:?usage: bench/openrosa_central.sh BUILD_DIR [RESPONSES] [CUT_SHARE]}" && pwd)
n=${2:-1000}
cut=${3:-0.3}
here=$(cd "$(dirname "$0")/.." && pwd)
source "${ODK_ENV:-/opt/odk-central/bench.env}"
passphrase=${ODK_PASSPHRASE:-kiosk-bench-passphrase}
admin=$build/app/kiosk-admin
hub=$build/sync/hub/kiosk-hub
work=$(mktemp -d)
proxy_pid=
trap '[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null; rm -rf "$work"' EXIT
form_id=bury_run_$(date +%s)

api() { curl -sS -H "Authorization: Bearer $session" "$@"; }
session=$(curl -sS -X POST "$ODK_BASE/v1/sessions" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ODK_ADMIN_EMAIL\",\"password\":\"$ODK_ADMIN_PASSWORD\"}" |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])')
key_id=$(api "$ODK_BASE/v1/projects/$ODK_PROJECT_ID" | python3 -c 'import sys, json; print(json.load(sys.stdin)["keyId"] or "")')
if [ -z "$key_id" ]; then
  api -X POST -H 'Content-Type: application/json' "$ODK_BASE/v1/projects/$ODK_PROJECT_ID/key" \
    -d "{\"passphrase\":\"$passphrase\",\"hint\":\"bench/openrosa_central.sh\"}" >/dev/null
  key_id=$(api "$ODK_BASE/v1/projects/$ODK_PROJECT_ID" | python3 -c 'import sys, json; print(json.load(sys.stdin)["keyId"])')
fi

# 1. The survey as an XForm, published encrypted, given to the App User.
"$admin" export-xform "$here/kiosk-config/surveys/bury-libraries-2016.toml" --out "$work/bury.xml" >/dev/null
sed -i "s/<data id=\"bury_libraries_2016\"/<data id=\"$form_id\"/" "$work/bury.xml"
api -X POST -H 'Content-Type: application/xml' --data-binary @"$work/bury.xml" \
  "$ODK_BASE/v1/projects/$ODK_PROJECT_ID/forms?publish=true" >/dev/null
api -X POST "$ODK_BASE/v1/projects/$ODK_PROJECT_ID/forms/$form_id/assignments/app-user/$ODK_APP_USER_ID" >/dev/null

# 2. A kiosk enrolled with the App User's URL, and its visitors.
cp -r "$here/kiosk-config" "$work/cfg"
sed -i "s#^database = .*#database = \"$work/kiosk.db\"#" "$work/cfg/kiosk.toml"
# The same kiosk with our hub's sealing, to know what each visitor answered.
# Neither uses the deployment's population (an OpenRosa kiosk has none), so
# the seeded simulation gives both the same visitors.
sed -i '/^population = /d' "$work/cfg/kiosk.toml"
cp -r "$work/cfg" "$work/refcfg"
sed -i "s#^database = .*#database = \"$work/ref.db\"#" "$work/refcfg/kiosk.toml"
"$admin" enrol --config "$work/cfg/kiosk.toml" --openrosa "$ODK_OPENROSA_URL" --form "$form_id" | head -2
"$admin" simulate --responses "$n" --seed 21 --config "$work/cfg/kiosk.toml" 2>/dev/null
"$hub" keygen --key-dir "$work/keys" >/dev/null
"$admin" simulate --responses "$n" --seed 21 --config "$work/refcfg/kiosk.toml" --public-key "$work"/keys/*.pub >/dev/null 2>&1
"$admin" export --config "$work/refcfg/kiosk.toml" --out "$work/ref" --public-key "$work"/keys/*.pub >/dev/null 2>&1
"$admin" open --key "$work"/keys/*.key "$work/ref" --out "$work/opened" >/dev/null

# 3. Through the cutting proxy until nothing is pending.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
central_port=$(python3 -c "import urllib.parse; print(urllib.parse.urlsplit('$ODK_BASE').port)")
python3 "$here/bench/cutting_proxy.py" "$port" "$central_port" "$cut" 2016 >"$work/proxy.log" &
proxy_pid=$!
sed -i "s#127.0.0.1:$central_port/v1/key#127.0.0.1:$port/v1/key#" "$work/cfg/kiosk.toml"
start=$(date +%s.%N)
passes=0
until "$admin" sync --once --config "$work/cfg/kiosk.toml" >"$work/sync.log" 2>&1; do
  passes=$((passes + 1))
  [ "$passes" -lt 5000 ] || { echo "still pending after $passes passes" >&2; exit 1; }
done
passes=$((passes + 1))
seconds=$(python3 -c "import time; print(round(time.time() - $start, 1))")
sleep 5.5  # the proxy's next count
kill "$proxy_pid"
proxy_pid=
echo "sent in $passes passes of kiosk-admin sync --once, $seconds s; the proxy: $(tail -1 "$work/proxy.log")"
grep -v '^warning' "$work/sync.log" | tail -1

# 4. Central's export, decrypted, against what each visitor answered.
api -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data "$key_id=$passphrase" \
  "$ODK_BASE/v1/projects/$ODK_PROJECT_ID/forms/$form_id/submissions.csv.zip" -o "$work/central.zip"
(cd "$work" && unzip -q central.zip)
python3 "$here/bench/central_compare.py" "$work/$form_id.csv" "$work/opened/responses.jsonl"
