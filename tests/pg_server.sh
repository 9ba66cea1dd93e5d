#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server for the tests, in DIR, on a
# free loopback port, as an ordinary user (postgres refuses to run as root).
# On start it writes the server's base URL to DIR/url.
set -euo pipefail
cmd=$1
dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    if [ -f "$dir/data/postmaster.pid" ]; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    port=55432
    while (echo >/dev/tcp/127.0.0.1/$port) >/dev/null 2>&1; do port=$((port + 1)); done
    as_owner "$bindir/initdb" -D "$dir/data" -U kiosk --auth=trust -E UTF8 >/dev/null
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=200" start >/dev/null
    echo "postgresql://kiosk@127.0.0.1:$port" > "$dir/url"
    echo "PostgreSQL running: $(cat "$dir/url")"
    ;;
  stop)
    # Immediate: the server and its files are thrown away, so its shutdown
    # checkpoint (about 20 s after the suite) would be written for nothing.
    if [ -d "$dir/data" ]; then as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
