#!/usr/bin/env bash
# The hub's status page as an admin sees it in a browser: Debian's Chromium
# (headless, through playwright-core from npm) signs in, axe-core finds no
# accessibility violation, and the page names the service points, links the
# exports and refreshes itself. Then the HTML consultation report
# (kiosk-admin report) of the same responses, through axe-core too.
#   tests/status_page_check.sh BUILD_DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:?usage: status_page_check.sh BUILD_DIR}")
hub=$build/sync/hub/kiosk-hub
admin=$build/app/kiosk-admin
fail() { echo "status_page_check: $*" >&2; exit 1; }

# Node.js and npm are the machine's own (nodesource's nodejs carries npm;
# Debian's npm package conflicts with it, so scripts/deps.sh does not list it).
command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (Node.js 18 or later)"
# playwright-core and axe-core, at the versions package-lock.json pins, in the
# build folder: fetched from npm once, and again only when the lock changes
# (so the check needs the network on a build folder's first run only; ctest
# labels it "network").
browser=$build/browser-checks
mkdir -p "$browser"
cp "$src/tests/browser/package.json" "$src/tests/browser/package-lock.json" "$src/tests/browser/check_page.mjs" "$browser/"
if ! cmp -s "$browser/package-lock.json" "$browser/node_modules/.installed-from-lock" 2>/dev/null; then
  if ! (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    fail "npm ci failed in $browser"
  fi
  cp "$browser/package-lock.json" "$browser/node_modules/.installed-from-lock"
fi

tmp=$(mktemp -d)
hub_pid=
cleanup() {
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

db=$tmp/hub.db
token_admin=$("$hub" add-admin council --db "$db" | tail -1)
token_kiosk=$("$hub" add-device bury-castle-01 --db "$db" | tail -1)
# The council's key pair: the hub keeps the secret half, the kiosk seals to the public one.
"$hub" keygen --key-dir "$tmp/keys" >/dev/null || fail "kiosk-hub keygen failed"
current=$(tr -d '\n' <"$tmp/keys/current")
"$hub" serve --db "$db" --port 0 --key-dir "$tmp/keys" --survey "$src/kiosk-config/surveys/bury-libraries-2016.toml" \
  --population "$src/kiosk-config/population/bury.toml" >"$tmp/hub.out" 2>"$tmp/hub.err" &
hub_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$tmp/hub.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$tmp/hub.out")
[ -n "$url" ] || fail "the hub did not start: $(cat "$tmp/hub.err")"

# A kiosk with some responses, synced, so the page has figures to show.
cp -r "$src/kiosk-config" "$tmp/kiosk"
sed -i "s#^database *=.*#database = \"$tmp/kiosk.db\"#" "$tmp/kiosk/kiosk.toml"
sed -i "s#^public_key_file *=.*#public_key_file = \"$tmp/keys/${current%.key}.pub\"#" "$tmp/kiosk/kiosk.toml"
"$admin" simulate --responses 30 --seed 7 --config "$tmp/kiosk/kiosk.toml" >/dev/null
"$admin" sync --once --config "$tmp/kiosk/kiosk.toml" --hub "$url" --token "$token_kiosk" >/dev/null ||
  fail "the kiosk did not sync"

out=$tmp/page.txt
if ! SCREENSHOT=$build/status-page.png node "$browser/check_page.mjs" "$url/" "$token_admin" --text >"$out" 2>&1; then
  cat "$out" >&2
  fail "axe-core found violations on the status page (above)"
fi
grep -m1 '^axe:' "$out"
for want in "Castle Leisure Centre library" "Export" "Who answered, against who lives in Bury" "Age (q20), against residents aged 18 and over" "Under-represented groups, by service point"; do
  grep -q "$want" "$out" || { cat "$out" >&2; fail "the page does not show \"$want\""; }
done
page=$(curl -s -u "admin:$token_admin" "$url/")
# Its updater is the hub's own file (the page's Content-Security-Policy runs
# no inline script; check_page.mjs fails on anything that policy refused).
script=$(curl -s "$url/status.js")
grep -q '<script src="/status.js">' <<<"$page" && grep -q "setInterval" <<<"$script" && grep -q 'id=pause' <<<"$page" ||
  fail "the page does not update itself (with a pause)"
for f in csv jsonl codebook; do
  grep -q "/api/v1/export?format=$f" <<<"$page" || fail "no link to the $f export"
done
rep=$(curl -s -H "Authorization: Bearer $token_admin" "$url/api/v1/representativeness")
python3 - "$rep" <<'PY' || fail "/api/v1/representativeness: $rep"
import json, sys
d = json.loads(sys.argv[1])
assert d["area"].startswith("Bury"), d["area"]
assert [b["question"] for b in d["benchmarks"]] == ["q19", "q20", "q22", "q23", "q24"]
all_ = d["slices"][0]
assert all_["kind"] == "all" and all_["responses"] > 0
age = [q for q in all_["questions"] if q["question"] == "q20"][0]
assert sum(g["respondents"] for g in age["groups"]) == age["in_base"]
assert all(g["verdict"] in ("under-represented", "in line", "over-represented") for g in age["groups"])
PY
echo "status page: no axe-core violations; names service points, links the exports, updates itself (pausable), compares who answered with Bury's population"

# The results page: the report's content for one service point, in a form.
out=$tmp/results.txt
if ! SCREENSHOT=$build/results-page.png node "$browser/check_page.mjs" "$url/results?service_point=castle" "$token_admin" \
  --text >"$out" 2>&1; then
  cat "$out" >&2
  fail "axe-core found violations on the results page (above)"
fi
grep -m1 '^axe:' "$out"
for want in "Service point" "Show results" "Castle Leisure Centre library" "4. Results per question"; do
  grep -q "$want" "$out" || fail "the results page does not show \"$want\""
done

# The consultation report's HTML, from the same kiosk's responses exported
# sealed and opened with the council's key, as the analyst would.
"$admin" export --out "$tmp/usb" --config "$tmp/kiosk/kiosk.toml" >/dev/null || fail "kiosk-admin export failed"
"$admin" open --key "$tmp/keys/$current" "$tmp/usb" --out "$tmp/opened" >/dev/null 2>&1 || fail "kiosk-admin open failed"
"$admin" report "$tmp/opened" --config "$tmp/kiosk/kiosk.toml" --html "$tmp/report.html" --pdf "$tmp/report.pdf" \
  2>"$tmp/report.err" || fail "kiosk-admin report failed: $(cat "$tmp/report.err")"
out=$tmp/report.txt
if ! node "$browser/check_page.mjs" "file://$tmp/report.html" - --text >"$out" 2>&1; then
  cat "$out" >&2
  fail "axe-core found violations in the HTML report (above)"
fi
grep -m1 '^axe:' "$out"
for want in "1. How the consultation ran" "Who answered, against who lives in Bury" "Appendix: comments"; do
  grep -q "$want" "$out" || fail "the HTML report does not show \"$want\""
done
echo "HTML report: no axe-core violations"
