#!/usr/bin/env bash
# Make this machine ready for Berth and its tests (idempotent, run as root):
#   Debian packages, dockerd, PostgreSQL (role/dbs berth), Redis, a local
#   registry on 127.0.0.1:5000 and a locally built busybox:latest image.
# Every step is skipped when already done; one line per component is printed.
#
# Usage: scripts/services.sh [--check]
#   --check   additionally run networking smoke tests (port publish on
#             127.0.0.1, same-network reachability, cross-network isolation).
# Env:    BERTH_STORAGE_DRIVER  force a dockerd storage driver (overlay2|fuse-overlayfs|vfs)
#         BERTH_ADDRESS_POOL    where dockerd takes its networks (172.20.0.0/14: 1024 networks of /24)
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT
# The Docker CLI in /usr/local/bin (28.x) must win over Debian's /usr/bin/docker.
# (Remember the caller's docker before PATH changes; survives the flock re-exec.)
export CALLER_DOCKER=${CALLER_DOCKER-$(command -v docker || true)}
export PATH="/usr/local/sbin:/usr/local/bin:$PATH"

PACKAGES=(docker.io docker-compose postgresql redis-server busybox-static docker-registry wrk curl jq chromium chromium-driver)
DOCKERD_LOG=/var/log/berth-dockerd.log
ADDRESS_POOL=${BERTH_ADDRESS_POOL:-172.20.0.0/14}
# dockerd also listens on plain TCP, loopback only, so that tools that cannot use a unix socket
# (wrk in bench/run) can reach the engine directly. Unauthenticated, hence never on another
# address; containers cannot reach the host's loopback (their 127.0.0.1 is their own).
DOCKERD_TCP=127.0.0.1:2377
REDIS_LOG=/var/log/berth-redis.log
REGISTRY_DIR=/var/lib/berth-registry
REGISTRY_LOG=/var/log/berth-registry.log
REGISTRY_PID=/run/berth-registry.pid

log()  { printf '%-10s %s\n' "$1:" "$2"; }
die()  { echo "ERROR: $*" >&2; exit 1; }
warn() { echo "WARNING: $*" >&2; }

# wait_for SECONDS CMD... : poll CMD once per 0.5 s until it succeeds.
wait_for() {
  local tries=$(( $1 * 2 )) i; shift
  for ((i = 0; i < tries; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

# alive PID : process exists and is not a zombie.
# (PID 1 here does not reap orphans, so `kill -0` is true for zombies.)
alive() { [[ -r /proc/$1/stat ]] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
dead()  { ! alive "$1"; }

# start_bg PIDFILE LOGFILE CMD... : run CMD detached (own session, no stdin/stdout).
start_bg() {
  local pidfile=$1 logfile=$2; shift 2
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  echo $! >"$pidfile"
}

# ---------------------------------------------------------------- packages
ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    # (not `dpkg -s | grep -q`: with pipefail, grep's early exit can SIGPIPE dpkg)
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then log packages ready; return; fi
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}"
  log packages "installed ${missing[*]}"
}

# ---------------------------------------------------------------- dockerd
docker_ok() { docker info >/dev/null 2>&1; }

# Can the kernel mount overlayfs on the filesystem holding /var/lib/docker?
overlay_works() {
  local d rc=1
  mkdir -p /var/lib/docker
  d=$(mktemp -d /var/lib/docker/.berth-ovl-probe.XXXXXX)
  mkdir -p "$d"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null; then
    umount "$d/m"; rc=0
  fi
  rm -rf "$d"
  return $rc
}

# Candidate storage drivers, best first. A driver already used in
# /var/lib/docker is kept so existing images survive restarts.
storage_drivers() {
  if [[ -n ${BERTH_STORAGE_DRIVER:-} ]]; then echo "$BERTH_STORAGE_DRIVER"; return; fi
  local d
  for d in overlay2 fuse-overlayfs vfs; do
    [[ -d /var/lib/docker/image/$d ]] && { echo "$d"; return; }
  done
  overlay_works && echo overlay2
  command -v fuse-overlayfs >/dev/null && echo fuse-overlayfs
  echo vfs
}

ensure_dockerd() {
  if docker_ok; then
    curl -sf -m 2 -o /dev/null "http://$DOCKERD_TCP/_ping" \
      || warn "dockerd runs without the tcp://$DOCKERD_TCP listener (needed by bench/run): restart it with scripts/stop-services.sh && scripts/services.sh"
    log dockerd ready; return
  fi
  local flags=() driver pid i
  # Without working iptables there is no NAT/port publishing/isolation.
  if ! iptables -L -n >/dev/null 2>&1; then
    warn "iptables unusable: starting dockerd with --iptables=false (no network isolation)"
    flags+=(--iptables=false --ip-masq=false)
  fi
  # A pid file of a dead dockerd blocks startup.
  if [[ -f /var/run/docker.pid ]] && ! alive "$(cat /var/run/docker.pid)"; then
    rm -f /var/run/docker.pid
  fi
  # Every tenant of the shared engine gets a bridge network of its own; dockerd's default pools hold
  # about 30 networks. 1024 networks of 254 addresses, inside the range Docker uses by default.
  flags+=(--default-address-pool "base=$ADDRESS_POOL,size=24")
  for driver in $(storage_drivers); do
    echo "--- $(date -Is) starting dockerd --storage-driver=$driver ${flags[*]}" >>"$DOCKERD_LOG"
    start_bg /run/berth-dockerd.pid "$DOCKERD_LOG" dockerd --storage-driver="$driver" "${flags[@]}" \
      -H unix:///var/run/docker.sock -H "tcp://$DOCKERD_TCP"
    pid=$(cat /run/berth-dockerd.pid)
    for ((i = 0; i < 120; i++)); do      # up to ~60 s
      docker_ok && break
      alive "$pid" || break
      sleep 0.5
    done
    if docker_ok; then log dockerd "started (--storage-driver=$driver${flags[*]:+ ${flags[*]}})"; return; fi
    alive "$pid" && { kill "$pid"; wait_for 20 dead "$pid" || true; }
    warn "dockerd with storage driver $driver failed, see $DOCKERD_LOG"
  done
  tail -20 "$DOCKERD_LOG" >&2
  die "dockerd did not start"
}

# ---------------------------------------------------------------- PostgreSQL
pg_version() { ls /usr/lib/postgresql | sort -n | tail -1; }
pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432; }
as_postgres() { (cd / && runuser -u postgres -- "$@"); }
berth_login() { PGPASSWORD=berth psql -h 127.0.0.1 -U berth -d "$1" -tAc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  local v state=ready
  v=$(pg_version)
  if ! pg_ready; then
    # apt normally creates the cluster; create it if a CI image skipped that.
    [[ -d /etc/postgresql/$v/main ]] || pg_createcluster "$v" main >/dev/null
    pg_ctlcluster "$v" main start || true   # "already running" is not fatal
    wait_for 30 pg_ready || die "PostgreSQL $v not accepting connections on 127.0.0.1:5432"
    state=started
  fi
  if ! berth_login berth || ! berth_login berth_test; then
    as_postgres psql -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE berth' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'berth')\gexec
ALTER ROLE berth WITH LOGIN CREATEDB PASSWORD 'berth';
SELECT 'CREATE DATABASE berth OWNER berth' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'berth')\gexec
SELECT 'CREATE DATABASE berth_test OWNER berth' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'berth_test')\gexec
SQL
    { berth_login berth && berth_login berth_test; } || die "cannot log in as berth over TCP (check pg_hba.conf)"
    state="$state, role/databases created"
  fi
  log postgres "$state (PostgreSQL $v)"
}

# ---------------------------------------------------------------- Redis
redis_ok() { [[ $(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]]; }

ensure_redis() {
  local state=ready
  if ! redis_ok; then
    mkdir -p /var/lib/redis
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes \
      --dir /var/lib/redis --logfile "$REDIS_LOG" --pidfile /run/berth-redis.pid \
      --notify-keyspace-events KEA
    wait_for 15 redis_ok || die "redis-server did not start, see $REDIS_LOG"
    state=started
  fi
  # Also covers a redis started by someone else (e.g. the Debian init script).
  redis-cli -h 127.0.0.1 -p 6379 config set notify-keyspace-events KEA >/dev/null
  log redis "$state"
}

# ---------------------------------------------------------------- registry
registry_ok() { curl -sf -o /dev/null http://127.0.0.1:5000/v2/; }

ensure_registry() {
  if registry_ok; then log registry ready; return; fi
  mkdir -p "$REGISTRY_DIR/data"
  cat >"$REGISTRY_DIR/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
EOF
  start_bg "$REGISTRY_PID" "$REGISTRY_LOG" docker-registry serve "$REGISTRY_DIR/config.yml"
  wait_for 30 registry_ok || { tail -20 "$REGISTRY_LOG" >&2; die "registry did not start"; }
  log registry started
}

# ---------------------------------------------------------------- busybox image
build_busybox() {
  local ctx a
  ctx=$(mktemp -d)
  BUSYBOX_CTX=$ctx    # removed by the EXIT trap in main
  mkdir -p "$ctx"/rootfs/{bin,etc,tmp,root}
  cp /bin/busybox "$ctx/rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do
    [[ $a == busybox ]] || ln -s busybox "$ctx/rootfs/bin/$a"
  done
  chmod 1777 "$ctx/rootfs/tmp"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$ctx/rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$ctx/rootfs/etc/group"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
EOF
  # The legacy builder prints a deprecation notice on stderr; keep it out of sight.
  docker build -q -t busybox:latest "$ctx" >/dev/null 2>"$ctx/build.err" \
    || { cat "$ctx/build.err" >&2; die "docker build busybox failed"; }
}

ensure_busybox() {
  if docker image inspect busybox:latest >/dev/null 2>&1; then log busybox ready; return; fi
  build_busybox
  [[ $(docker run --rm busybox echo hi) == hi ]]              || die "busybox: echo failed"
  [[ $(echo hi | docker run -i --rm busybox cat) == hi ]]     || die "busybox: stdin failed"
  [[ $(docker run --rm busybox id) == *"uid=0(root)"* ]]      || die "busybox: id failed"
  [[ $(docker run --rm busybox sh -c 'wget --help; httpd --help; true' 2>&1) == *"Usage: httpd"* ]] \
                                                              || die "busybox: applets missing"
  log busybox "built (busybox:latest from $(dpkg-query -W -f='${Version}' busybox-static))"
}

# ---------------------------------------------------------------- smoke tests
# Notes: Debian's static busybox wget segfaults with -T, so use `timeout`;
# --init keeps wget from being PID 1 (which would ignore timeout's SIGTERM).
check_network() {
  local ip
  cleanup() {
    docker rm -f berth-chk-pub berth-chk-a berth-chk-b >/dev/null 2>&1 || true
    docker network rm berth-chk-a berth-chk-b >/dev/null 2>&1 || true
  }
  cleanup
  local srv='mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'
  docker run -d --name berth-chk-pub -p 127.0.0.1:18080:80 busybox sh -c "$srv" >/dev/null
  docker network create berth-chk-a >/dev/null
  docker network create berth-chk-b >/dev/null
  docker run -d --name berth-chk-a --network berth-chk-a busybox sh -c "$srv" >/dev/null
  docker run -d --name berth-chk-b --network berth-chk-b busybox sh -c "$srv" >/dev/null
  ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' berth-chk-b)

  local rc=0
  if wait_for 10 curl -sf -m 2 http://127.0.0.1:18080/; then log check "port publish 127.0.0.1:18080: ok"
  else log check "port publish 127.0.0.1:18080: FAILED"; rc=1; fi
  if docker run --rm --init --network berth-chk-a busybox timeout 5 wget -q -O /dev/null http://berth-chk-a/ 2>/dev/null
  then log check "same-network reach by name: ok"
  else log check "same-network reach by name: FAILED"; rc=1; fi
  if docker run --rm --init --network berth-chk-a busybox timeout 5 wget -q -O /dev/null "http://$ip/" 2>/dev/null
  then log check "cross-network isolation ($ip): FAILED (reachable)"; rc=1
  else log check "cross-network isolation ($ip): ok (unreachable)"; fi
  cleanup
  return $rc
}

# ---------------------------------------------------------------- main
main() {
  trap 'rm -rf "${BUSYBOX_CTX:-/nonexistent}"' EXIT

  ensure_packages
  if [[ -x /usr/local/bin/docker && $CALLER_DOCKER != /usr/local/bin/docker ]]; then
    warn "your PATH resolves docker to '$CALLER_DOCKER', not /usr/local/bin/docker"
  fi
  ensure_dockerd
  ensure_postgres
  ensure_redis
  ensure_registry
  ensure_busybox
  if [[ ${1:-} == --check ]]; then check_network; fi
}

# Serialise concurrent runs: re-exec under flock. (-o: the lock fd is not
# inherited by the script, so daemons started below do not keep it held.)
[[ $(id -u) == 0 ]] || die "must run as root"
if [[ -z ${BERTH_SERVICES_LOCKED:-} ]]; then
  BERTH_SERVICES_LOCKED=1 exec flock -o -w 300 /run/berth-services.lock bash "$0" "$@"
fi
main "$@"
