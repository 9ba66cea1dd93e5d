#!/usr/bin/env bash
# The kiosk beside the same survey in Chromium's kiosk mode (bench/kiosk_vs_browser.html),
# on one private Xvfb, in one run, alternating: ROUNDS rounds, each starting, idling, tapping
# and stopping both programs (which goes first alternates from round to round).
#
# Usage: bench/kiosk_vs_browser.sh [BUILD_DIR]      (default: build)
#   ROUNDS [3]     rounds; each gives 20 taps per program (10 answers, 10 Next)
#   IDLE_S [10]    idle period measured on the home screen
#   SETTLE_S [2]   pause between the start-up's last frame and the idle period
#   QUIET_MS [300] a tap's screen is "settled" after this long without drawing
#   RAW [unset]    file to keep the raw per-run and per-tap figures in
#   SHOTS [unset]  directory for a screenshot of each run's last screen (to check the taps)
#
# Per program, per run: start to painted (launch to the first screen with the window
# mapped and >= 8 colours), PSS summed over all its processes after the taps, idle CPU
# (% of one core, utime+stime+cutime+cstime over all its processes), and per tap: CPU
# (on-CPU ns of all its threads, from before the pointer moves to the screen settling),
# tap-to-paint (XTest press to the first screen whose pixels changed, found by XDamage
# and XShmGetImage). Measures with bench/tap_probe.c, compiled here into a temp dir.
# The kiosk is tapped where its accessibility dump (--a11y-dump) says the control is
# (bench/kiosk_target.py), and each tap must have done what it was for (the answer
# chosen, the next screen shown); the page's taps are fixed points of
# bench/kiosk_vs_browser.html. A tap of either that changes nothing stops the run.
# Speech is off in both: the kiosk only speaks when a visitor turns speech on, and the
# page has none.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-build}
ROUNDS=${ROUNDS:-3}
IDLE_S=${IDLE_S:-10}
SETTLE_S=${SETTLE_S:-2}
QUIET_MS=${QUIET_MS:-300}
hz=$(getconf CLK_TCK)

die() { echo "kiosk_vs_browser: $*" >&2; exit 1; }
for tool in Xvfb chromium cc xdpyinfo setsid python3; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "$tool is missing (Debian: apt-get install xvfb chromium gcc x11-utils util-linux)"
done
kiosk_bin=$build/app/ui/kiosk
[ -x "$kiosk_bin" ] || die "$kiosk_bin is missing: build the kiosk first (cmake --build $build)"

work=$(mktemp -d /tmp/kiosk-vs-browser.XXXXXX)
xvfb_pid=
running_tag=
launched=
probe=$work/tap_probe

# PIDs of the program carrying BENCH_TAG=$1 (and their descendants), still alive.
program_pids() { "$probe" pids "$1"; }

stop_program() {  # tag
  local tag=$1 pids left
  pids=$(program_pids "$tag")
  [ -n "$pids" ] || return 0
  kill -TERM $pids 2>/dev/null || true
  for _ in $(seq 50); do
    left=$(program_pids "$tag")
    [ -z "$left" ] && break
    sleep 0.1
  done
  left=$(program_pids "$tag")
  [ -n "$left" ] && kill -KILL $left 2>/dev/null || true
  [ -n "$launched" ] && wait "$launched" 2>/dev/null || true
  launched=
}

cleanup() {
  [ -n "$running_tag" ] && [ -x "$probe" ] && stop_program "$running_tag"
  if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; wait "$xvfb_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$probe" bench/tap_probe.c -lXtst -lXdamage -lXext -lX11 2>"$work/cc.log" || {
  cat "$work/cc.log" >&2
  die "cannot build bench/tap_probe.c (Debian: apt-get install gcc libx11-dev libxext-dev libxtst-dev libxdamage-dev)"
}

# A display of our own: Xvfb picks a free number and writes it to fd 3.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$work/display" >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.05; done
[ -s "$work/display" ] || die "Xvfb did not start: $(tail -3 "$work/xvfb.log")"
export DISPLAY=:$(head -1 "$work/display")
xdpyinfo >/dev/null 2>&1 || die "cannot talk to Xvfb on $DISPLAY"

mkdir -p "$work/home"
cat >"$work/kiosk.toml" <<TOML
[kiosk]
id = "bench-kiosk"
service_point = "castle"
survey = "$src/kiosk-config/surveys/bury-libraries-2016.toml"
database = "$work/kiosk.db"
pages = "$src/kiosk-config/pages"
service_points = "$src/kiosk-config/service-points.toml"
TOML

# Answers are kept only sealed: a throwaway council key where the kiosk looks by default.
"$build/sync/hub/kiosk-hub" keygen --key-dir "$work/keys" >/dev/null
key=$(tr -d '\n' <"$work/keys/current")
cp "$work/keys/${key%.key}.pub" "$work/council.pub"
# The kiosk's taps, by what they are for (bench/kiosk_target.py finds each in the dump):
# Start the survey, Continue (intro), Start (privacy); then on ten questions the second
# answer (Agree on Q1-Q6) and Next.
prelude_kiosk=(home.start nav.next nav.next)
kiosk_taps=()
for _ in $(seq 10); do kiosk_taps+=(answer nav.next); done
# The page's, found from screenshots of it at 1280x800: Start the survey, Continue, I
# understand; from Q1: Agree, Next; Agree, Next on Q2-Q6; No (Q7, which skips Q8), Next;
# Yes (Q9), Next; About once a week (Q10), Next; Bus (Q11), Next.
prelude_chromium=(650,240 290,743 355,743)
next=261,743
taps=(600,497 $next)
for _ in 2 3 4 5 6; do taps+=(600,405 $next); done
taps+=(600,313 $next 600,196 $next 600,343 $next 600,388 $next)
[ "${#taps[@]}" -eq "${#kiosk_taps[@]}" ] || die "the two programs must get as many taps"

# One kiosk tap, found in and checked against its dump: prints the probe's line, numbered N.
kiosk_tap() {  # tag dump step n
  local tag=$1 dump=$2 step=$3 n=$4 found xy id seen line
  found=$(python3 "$src/bench/kiosk_target.py" find "$dump" "$step") || die "kiosk tap $n ($step): see above"
  read -r xy id seen <<<"$found"
  line=$("$probe" taps "$tag" "$xvfb_pid" "$QUIET_MS" "$xy")
  python3 "$src/bench/kiosk_target.py" changed "$dump" "$seen" "$id" || die "kiosk tap $n ($step at $xy)"
  awk -v n="$n" '{ $2 = n; print }' <<<"$line"
}

# "pid starttime ticks" for the PIDs given (ticks include reaped children).
cpu_snapshot() {
  local p line f
  for p in "$@"; do
    read -r line 2>/dev/null <"/proc/$p/stat" || continue
    line=${line##*) }
    read -r -a f <<<"$line"
    echo "$p ${f[19]} $((f[11] + f[12] + f[13] + f[14]))"
  done
}
# Ticks used between two snapshots; a process that appeared counts in full.
cpu_delta() {
  awk 'FNR == NR { a[$1 " " $2] = $3; next }
       { k = $1 " " $2; d += (k in a) ? $3 - a[k] : $3 } END { print d + 0 }' "$1" "$2"
}
pss_kib() {
  local p
  for p in "$@"; do awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || true; done |
    awk '{ s += $1 } END { print s + 0 }'
}

results=$work/results   # "run NAME ROUND START_MS IDLE_PCT PSS_MIB TICKS_MS_PER_TAP PROCS"
tapfile=$work/taps      # "tap NAME ROUND N X Y PAINT_MS CPU_MS XSERVER_MS"
: >"$results"
: >"$tapfile"

run_one() {  # name round
  local name=$1 round=$2 tag="kvb-$$-$1-$2" class cmd prelude t0 pids a b
  rm -f "$work/kiosk.db" "$work/kiosk.db-wal" "$work/kiosk.db-shm"
  if [ "$name" = kiosk ]; then
    class=kiosk
    cmd=("$kiosk_bin" --config "$work/kiosk.toml" --windowed 1280x800 --a11y-dump "$work/$tag.jsonl")
    prelude=("${prelude_kiosk[@]}")
  else
    class=chromium
    # --window-position: with no window manager --kiosk alone opens a smaller window at 10,10.
    cmd=(chromium --kiosk --no-sandbox --disable-gpu --no-first-run --disable-background-networking
      --disable-component-update --disable-sync --disable-quic --window-position=0,0 --window-size=1280,800
      "--user-data-dir=$(mktemp -d -p "$work" profile.XXXXXX)" "file://$src/bench/kiosk_vs_browser.html")
    prelude=("${prelude_chromium[@]}")
  fi
  echo "round $round: $name" >&2
  running_tag=$tag
  t0=$(date +%s%N)
  setsid env BENCH_TAG="$tag" HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
    XDG_CACHE_HOME="$work/home/.cache" SDL_AUDIODRIVER=dummy "${cmd[@]}" >"$work/$tag.log" 2>&1 &
  launched=$!
  "$probe" start "$t0" "$class" 60 1000 >"$work/$tag.start" ||
    die "$name did not paint a window (log: $(tail -3 "$work/$tag.log"))"
  sleep "$SETTLE_S"

  pids=$(program_pids "$tag")
  cpu_snapshot $pids >"$work/$tag.idle0"
  sleep "$IDLE_S"
  pids=$(program_pids "$tag")
  cpu_snapshot $pids >"$work/$tag.idle1"
  local idle_pct
  idle_pct=$(awk -v d="$(cpu_delta "$work/$tag.idle0" "$work/$tag.idle1")" -v hz="$hz" -v s="$IDLE_S" \
    'BEGIN { printf "%.2f", 100 * d / hz / s }')

  local i
  if [ "$name" = kiosk ]; then
    i=0
    for step in "${prelude[@]}"; do kiosk_tap "$tag" "$work/$tag.jsonl" "$step" $((++i)) >/dev/null; done
  else
    "$probe" taps "$tag" "$xvfb_pid" "$QUIET_MS" "${prelude[@]}" >"$work/$tag.prelude"
    awk '$5 < 0 { exit 1 }' "$work/$tag.prelude" || die "chromium: a tap of the prelude changed nothing on screen"
  fi
  pids=$(program_pids "$tag")
  cpu_snapshot $pids >"$work/$tag.tap0"
  if [ "$name" = kiosk ]; then
    i=0
    : >"$work/$tag.taps"
    for step in "${kiosk_taps[@]}"; do kiosk_tap "$tag" "$work/$tag.jsonl" "$step" $((++i)) >>"$work/$tag.taps"; done
  else
    "$probe" taps "$tag" "$xvfb_pid" "$QUIET_MS" "${taps[@]}" >"$work/$tag.taps"
  fi
  pids=$(program_pids "$tag")
  cpu_snapshot $pids >"$work/$tag.tap1"
  local ticks_per_tap pss nprocs
  ticks_per_tap=$(awk -v d="$(cpu_delta "$work/$tag.tap0" "$work/$tag.tap1")" -v hz="$hz" -v n="${#taps[@]}" \
    'BEGIN { printf "%.2f", 1000 * d / hz / n }')
  pss=$(awk -v k="$(pss_kib $pids)" 'BEGIN { printf "%.1f", k / 1024 }')
  nprocs=$(echo $pids | wc -w)
  if [ -n "${SHOTS:-}" ]; then
    mkdir -p "$SHOTS"
    import -window root "$SHOTS/$name-$round.png" 2>/dev/null || echo "no screenshot (imagemagick?)" >&2
  fi
  stop_program "$tag"
  running_tag=

  local painted
  painted=$(awk -F= '$1 == "painted_ms" { print $2 }' "$work/$tag.start")
  echo "run $name $round $painted $idle_pct $pss $ticks_per_tap $nprocs" >>"$results"
  awk -v n="$name" -v r="$round" '{ $1 = "tap " n " " r; print }' "$work/$tag.taps" >>"$tapfile"
  [ "$(wc -l <"$work/$tag.taps")" -eq "${#taps[@]}" ] || die "$name: the probe did not report every tap"
  if awk '$5 < 0 { bad = 1 } END { exit !bad }' "$work/$tag.taps"; then
    die "a tap of $name in round $round changed nothing on screen: its figures would measure nothing"
  fi
}

{
  echo "# kiosk_vs_browser $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, Xvfb 1280x800x24 $DISPLAY"
  echo "# $(chromium --version 2>/dev/null | head -1); kiosk $kiosk_bin"
  echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
} >&2
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order="kiosk chromium"; else order="chromium kiosk"; fi
  for name in $order; do run_one "$name" "$round"; done
done

echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
[ -n "${RAW:-}" ] && cat "$results" "$tapfile" >"$RAW"

# Median and p95 (nearest rank) of column $3 of the lines of $1 matching program $2.
awk -v rounds="$ROUNDS" -v ntaps="${#taps[@]}" '
  function sortv(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
  function add(prog, fig, v) { k = prog SUBSEP fig; vals[k, ++cnt[k]] = v; sum[k] += v }
  function stat(prog, fig, which,   k, n, i, a) {
    k = prog SUBSEP fig; n = cnt[k]; if (!n) return -1
    for (i = 1; i <= n; i++) a[i] = vals[k, i]
    sortv(a, n)
    if (which == "med") return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    if (which == "mean") return sum[k] / n
    i = int(0.95 * n); if (i < 0.95 * n) i++; return a[i]
  }
  $1 == "run" { add($2, "start", $4); add($2, "idle", $5); add($2, "pss", $6); add($2, "ticks", $7); procs[$2] = $8 }
  $1 == "tap" {
    if ($7 >= 0) { add($2, "paint", $7); add($2, ($4 % 2) ? "paint_answer" : "paint_next", $7) }
    else missed[$2]++
    add($2, "cpu", $8); add($2, "xcpu", $9)
  }
  function row(label, fig, which1, which2, target, on,   k1, k2, c1, c2, r1, r2, rt, met) {
    k1 = stat("kiosk", fig, which1); k2 = stat("kiosk", fig, which2)
    c1 = stat("chromium", fig, which1); c2 = stat("chromium", fig, which2)
    r1 = c1 > 0 ? sprintf("%.2f", k1 / c1) : "-"; r2 = c2 > 0 ? sprintf("%.2f", k2 / c2) : "-"
    met = ""
    if (target != "") { rt = (on == which1) ? r1 : r2; met = (rt != "-" && rt + 0 <= target + 0) ? "met" : "NOT met"
                        met = sprintf("<= %sx (%s): %s", target, on, met) }
    printf "%-32s %10.2f %10.2f %10.2f %10.2f %8s %8s  %s\n", label, k1, k2, c1, c2, r1, r2, met
  }
  END {
    printf "\n%d rounds; per program %d runs and %d taps (%d answers, %d Next)\n", rounds, cnt["kiosk" SUBSEP "start"],
           cnt["kiosk" SUBSEP "cpu"], cnt["kiosk" SUBSEP "cpu"] / 2, cnt["kiosk" SUBSEP "cpu"] / 2
    printf "%-32s %10s %10s %10s %10s %8s %8s  %s\n", "figure", "kiosk med", "kiosk p95", "chrom med", "chrom p95",
           "ratio md", "ratio 95", "target (kiosk/Chromium)"
    row("tap-to-paint (ms)", "paint", "med", "p95", "0.5", "p95")
    row("  answer taps (ms)", "paint_answer", "med", "p95", "", "")
    row("  Next taps (ms)", "paint_next", "med", "p95", "", "")
    row("CPU per tap (ms)", "cpu", "med", "p95", "", "")
    row("CPU per tap, mean (ms)", "cpu", "mean", "mean", "0.5", "mean")
    row("CPU per tap, ticks/taps (ms)", "ticks", "med", "p95", "", "")
    row("Xvfb CPU per tap (ms)", "xcpu", "med", "p95", "", "")
    row("start to painted (ms)", "start", "med", "p95", "0.5", "med")
    row("PSS after the taps (MiB)", "pss", "med", "p95", "0.25", "med")
    row("idle CPU (% of one core)", "idle", "med", "p95", "", "")
    printf "processes: kiosk %d, chromium %d", procs["kiosk"], procs["chromium"]
    if (missed["kiosk"] + missed["chromium"]) printf "; taps with no change on screen: kiosk %d, chromium %d", missed["kiosk"], missed["chromium"]
    printf "\nmed/p95 over runs (start, PSS, idle, ticks) or over taps (the rest); p95 = nearest rank.\n"
  }' "$results" "$tapfile"
