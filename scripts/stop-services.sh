#!/usr/bin/env bash
# Stop the daemons started by scripts/services.sh (dockerd, PostgreSQL,
# Redis, registry). Data (images, databases, registry blobs) is kept.
set -euo pipefail

alive() { [[ -r /proc/$1/stat ]] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }

# stop_pidfile NAME PIDFILE : SIGTERM the pid in PIDFILE, wait up to 30 s.
stop_pidfile() {
  local name=$1 pidfile=$2 pid
  if [[ -f $pidfile ]] && pid=$(cat "$pidfile") && alive "$pid"; then
    kill "$pid"
    for ((i = 0; i < 60; i++)); do alive "$pid" || break; sleep 0.5; done
    alive "$pid" && { echo "$name: still running (pid $pid)" >&2; return 1; }
    echo "$name: stopped"
  else
    echo "$name: not running"
  fi
  rm -f "$pidfile"
}

stop_pidfile registry /run/berth-registry.pid
if [[ $(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]]; then
  redis-cli -h 127.0.0.1 -p 6379 shutdown >/dev/null 2>&1 || true
  echo "redis: stopped"
else
  echo "redis: not running"
fi
for d in /usr/lib/postgresql/*/; do
  [[ -d $d ]] || continue
  v=$(basename "$d")
  if pg_ctlcluster "$v" main status >/dev/null 2>&1; then
    pg_ctlcluster "$v" main stop && echo "postgres: stopped ($v)"
  else
    echo "postgres: not running ($v)"
  fi
done
stop_pidfile dockerd /var/run/docker.pid
