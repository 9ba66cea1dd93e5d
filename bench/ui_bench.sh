#!/usr/bin/env bash
# Kiosk UI figures under Xvfb, beside a bare SDL2 + Dear ImGui window:
#   idle CPU over 30 s on the home screen, peak memory (VmHWM), memory in
#   use then (PSS, from /proc/PID/smaps_rollup), and
#   start-to-first-frame with 100,000 stored responses.
# Usage: bench/ui_bench.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
secs=${2:-30}
work=$(mktemp -d)
display=:97
Xvfb $display -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 1
export DISPLAY=$display SDL_AUDIODRIVER=dummy
hz=$(getconf CLK_TCK)

cat > "$work/kiosk.toml" <<TOML
[kiosk]
id = "bench-kiosk"
service_point = "castle"
survey = "$PWD/kiosk-config/surveys/bury-libraries-2016.toml"
database = "$work/kiosk.db"
pages = "$PWD/kiosk-config/pages"
service_points = "$PWD/kiosk-config/service-points.toml"
TOML
# Answers are kept only sealed: a throwaway council key where the kiosk looks by default.
"$build/sync/hub/kiosk-hub" keygen --key-dir "$work/keys" >/dev/null
key=$(tr -d '\n' <"$work/keys/current")
cp "$work/keys/${key%.key}.pub" "$work/council.pub"
"$build/app/kiosk-admin" simulate --responses 100000 --db "$work/kiosk.db" --config "$work/kiosk.toml" >/dev/null

measure() {  # name, command...
  local name=$1; shift
  "$@" > "$work/$name.out" 2>/dev/null &
  local pid=$!
  for _ in $(seq 100); do grep -q "first frame" "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  local first; first=$(sed -n 's/first frame after \([0-9.]*\) ms/\1/p' "$work/$name.out")
  sleep 3
  local t0 t1; t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  sleep "$secs"
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  local cpu; cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$secs" 'BEGIN{printf "%.2f", (b-a)/hz/s*100}')
  local hwm; hwm=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
  local pss; pss=$(awk '/^Pss:/{print $2}' /proc/$pid/smaps_rollup)
  kill $pid; wait $pid 2>/dev/null || true
  echo "$name $first $cpu $hwm $pss"
}

k=$(measure kiosk "$build/app/ui/kiosk" --config "$work/kiosk.toml" --windowed 1280x800 --report-startup)
b=$(measure bare "$build/bench/bare_window")
read -r _ kf kc km kp <<<"$k"
read -r _ bf bc bm bp <<<"$b"
printf 'kiosk UI under Xvfb 1280x800, %s s idle on the home screen, 100,000 stored responses\n' "$secs"
printf '%-28s %12s %12s\n' "" "kiosk" "bare window"
printf '%-28s %12s %12s   ratio %s   (target < 300 ms)\n' "start to first frame (ms)" "$kf" "$bf" "$(awk -v a="$kf" -v b="$bf" 'BEGIN{printf "%.2f", a/b}')"
printf '%-28s %12s %12s   (target < 0.5%% of one core)\n' "idle CPU (% of one core)" "$kc" "$bc"
printf '%-28s %12s %12s   ratio %s   (target <= 1.3)\n' "peak memory (kB, VmHWM)" "$km" "$bm" "$(awk -v a="$km" -v b="$bm" 'BEGIN{printf "%.2f", a/b}')"
printf '%-28s %12s %12s   ratio %s   (target <= 1.3)\n' "memory in use (kB, PSS)" "$kp" "$bp" "$(awk -v a="$kp" -v b="$bp" 'BEGIN{printf "%.2f", a/b}')"
