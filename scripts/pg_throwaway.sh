#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for one test run; prints its SQLAlchemy URL.
#   scripts/pg_throwaway.sh start DIR   -> URL on stdout
#   scripts/pg_throwaway.sh stop DIR
# initdb refuses to run as root, so the cluster belongs to the 'postgres' user when we are root.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
start)
  mkdir -p "$dir"; chmod 755 "$dir" "$(dirname "$dir")"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$bindir/initdb" -D "$dir/data" -U lantian --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U lantian lantian_test
  echo "$port" > "$dir/port"
  echo "postgresql+psycopg://lantian:lantian@127.0.0.1:$port/lantian_test"
  ;;
stop)
  [ -d "$dir/data" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
