#!/usr/bin/env bash
# Several app hosts behind a real load balancer, on this one machine:
#   three app hosts, each in its own Linux network namespace (ops-app1..3) joined to the root
#   namespace by a veth pair on a private subnet this script creates (10.77.N.0/24);
#   HAProxy in the root namespace balances HTTP and the Reflex websocket over them and
#   forwards the app hosts' PostgreSQL, Redis, SMTP and Stripe-sandbox traffic to the
#   services that listen on 127.0.0.1 (nothing on the machine is reconfigured);
#   one PostgreSQL database (a scratch database on the machine's cluster) and one scratch
#   Redis (started here) shared by every host.
#
#   scripts/multihost.sh start          # set up, migrate, load the demo, build once, start all
#   scripts/multihost.sh status         # namespaces, processes, HAProxy's view of each host
#   scripts/multihost.sh kill-host N    # SIGKILL every process of app host N (abrupt failure)
#   scripts/multihost.sh start-host N   # start app host N again
#   scripts/multihost.sh check          # bounded failover smoke test, prints PASS/FAIL
#   scripts/multihost.sh stop           # tear everything down (idempotent)
#
# Needs root (network namespaces). Every port and address is an environment variable; see
# the README section "Several workers and several hosts".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

HOSTS="${MULTIHOST_HOSTS:-3}"
LB_BIND="${MULTIHOST_BIND:-127.0.0.1}"
LB_PORT="${MULTIHOST_PORT:-3400}"
STATS_PORT="${MULTIHOST_STATS_PORT:-3401}"
APP_PORT="${MULTIHOST_APP_PORT:-3000}"
NET="${MULTIHOST_NET:-10.77}"                 # host N: $NET.N.1 (root side), $NET.N.2 (namespace)
PG_TARGET="${MULTIHOST_PG:-127.0.0.1:5432}"    # the machine's PostgreSQL (trust auth)
PG_USER="${MULTIHOST_PG_USER:-postgres}"
DB_NAME="${MULTIHOST_DB:-opsportal_multihost}"
REDIS_PORT="${MULTIHOST_REDIS_PORT:-6391}"     # scratch redis-server on 127.0.0.1
SMTP_PORT="${MULTIHOST_SMTP_PORT:-8125}"       # SMTP sink on 127.0.0.1
STRIPE_PORT="${MULTIHOST_STRIPE_PORT:-12411}"  # Stripe sandbox on 127.0.0.1
FWD_PG_PORT="${MULTIHOST_FORWARD_PG_PORT:-5432}"        # what the app hosts dial on $NET.N.1
FWD_REDIS_PORT="${MULTIHOST_FORWARD_REDIS_PORT:-6379}"
FWD_SMTP_PORT="${MULTIHOST_FORWARD_SMTP_PORT:-8025}"
FWD_STRIPE_PORT="${MULTIHOST_FORWARD_STRIPE_PORT:-12111}"
WORKERS="${MULTIHOST_WORKERS:-2}"               # backend worker processes per app host
CHECK_INTER="${MULTIHOST_CHECK_INTER:-1s}"      # HAProxy health-check interval
PUBLIC_URL="${MULTIHOST_PUBLIC_URL:-http://localhost:$LB_PORT}"
RUN_DIR="$ROOT/data/multihost"

PG_HOST="${PG_TARGET%:*}"
PG_PORT="${PG_TARGET##*:}"
ROOT_DB_URL="postgresql+psycopg://$PG_USER@$PG_TARGET/$DB_NAME"

log() { echo "multihost: $*"; }
die() { echo "multihost: error: $*" >&2; exit 1; }
ns() { echo "ops-app$1"; }
veth() { echo "opsh-$1"; }
pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_port() {  # host port seconds
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

need_root() {
  [[ "$(id -u)" == 0 ]] || die "run as root (it creates network namespaces and veth pairs)"
}

valid_host() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && ((1 <= $1 && $1 <= HOSTS)) || die "host number must be 1..$HOSTS"
}

secret_key() {
  if [[ -n "${OPSPORTAL_SECRET_KEY:-}" ]]; then
    echo "$OPSPORTAL_SECRET_KEY"
    return
  fi
  # One random key for every host (sessions signed on one host must verify on the others).
  if [[ ! -s "$RUN_DIR/secret_key" ]]; then
    (umask 077; python -c 'import secrets; print(secrets.token_urlsafe(48))' > "$RUN_DIR/secret_key")
  fi
  cat "$RUN_DIR/secret_key"
}

ensure_haproxy() {
  if ! command -v haproxy >/dev/null; then
    log "installing HAProxy (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
    # Debian starts its own haproxy service with /etc/haproxy/haproxy.cfg; we do not use it.
  fi
  command -v redis-server >/dev/null || die "redis-server is missing (apt-get install redis-server)"
  command -v psql >/dev/null || die "psql is missing (apt-get install postgresql-client)"
}

# --- network ---------------------------------------------------------------------------

net_up() {
  local i n v
  for ((i = 1; i <= HOSTS; i++)); do
    n="$(ns "$i")"; v="$(veth "$i")"
    if ip netns list | grep -qw "$n"; then continue; fi
    # Refuse a subnet something else on this machine already uses.
    if ip -4 -o addr show | grep -q " $NET\.$i\."; then
      die "$NET.$i.0/24 is already in use on this machine; set MULTIHOST_NET"
    fi
    ip netns add "$n"
    ip link add "$v" type veth peer name veth0 netns "$n"
    ip addr add "$NET.$i.1/24" dev "$v"
    ip link set "$v" up
    ip -n "$n" link set lo up
    ip -n "$n" addr add "$NET.$i.2/24" dev veth0
    ip -n "$n" link set veth0 up
    ip -n "$n" route add default via "$NET.$i.1"
  done
}

net_down() {
  local i
  for ((i = 1; i <= HOSTS; i++)); do
    ip link del "$(veth "$i")" 2>/dev/null || true
    ip netns del "$(ns "$i")" 2>/dev/null || true
  done
}

# --- shared services -------------------------------------------------------------------

start_redis() {
  pid_alive "$RUN_DIR/redis.pid" && return
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
  wait_port 127.0.0.1 "$REDIS_PORT" 10 || die "scratch redis did not start on port $REDIS_PORT ($RUN_DIR/redis.log)"
}

prepare_database() {
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc "select 1" >/dev/null \
    || die "PostgreSQL is not reachable at $PG_TARGET as $PG_USER"
  if [[ -z "$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc \
      "select 1 from pg_database where datname = '$DB_NAME'")" ]]; then
    log "creating database $DB_NAME"
    psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "create database \"$DB_NAME\"" >/dev/null
  fi
  OPSPORTAL_DATABASE_URL="$ROOT_DB_URL" opsportal db upgrade
  OPSPORTAL_DATABASE_URL="$ROOT_DB_URL" opsportal demo load
}

start_sandboxes() {
  if ! pid_alive "$RUN_DIR/smtp.pid"; then
    setsid opsportal sandbox smtp --port "$SMTP_PORT" --dir "$RUN_DIR/mail" \
      > "$RUN_DIR/smtp.log" 2>&1 < /dev/null &
    echo $! > "$RUN_DIR/smtp.pid"
  fi
  if ! pid_alive "$RUN_DIR/stripe.pid"; then
    setsid opsportal sandbox stripe --port "$STRIPE_PORT" \
      --public-url "http://localhost:$STRIPE_PORT" --webhook-url "http://127.0.0.1:$LB_PORT/api/stripe/webhook" \
      > "$RUN_DIR/stripe.log" 2>&1 < /dev/null &
    echo $! > "$RUN_DIR/stripe.pid"
  fi
  wait_port 127.0.0.1 "$SMTP_PORT" 10 || log "warning: the SMTP sink is not up on $SMTP_PORT ($RUN_DIR/smtp.log)"
  wait_port 127.0.0.1 "$STRIPE_PORT" 20 || log "warning: the Stripe sandbox is not up on $STRIPE_PORT ($RUN_DIR/stripe.log)"
}

build_frontend() {
  # Once, for every host: the bundle points its websocket at the balancer's port.
  log "building the production frontend once (api_url $PUBLIC_URL)"
  if ! OPSPORTAL_DATABASE_URL="$ROOT_DB_URL" REFLEX_API_URL="$PUBLIC_URL" \
      reflex export --frontend-only --no-zip --env prod > "$RUN_DIR/build.log" 2>&1; then
    tail -20 "$RUN_DIR/build.log" >&2
    die "frontend build failed ($RUN_DIR/build.log)"
  fi
}

render_haproxy() {
  local i servers="" pg="" redis="" smtp="" stripe=""
  for ((i = 1; i <= HOSTS; i++)); do
    servers+="    server app$i $NET.$i.2:$APP_PORT check cookie app$i"$'\n'
    pg+="    bind $NET.$i.1:$FWD_PG_PORT"$'\n'
    redis+="    bind $NET.$i.1:$FWD_REDIS_PORT"$'\n'
    smtp+="    bind $NET.$i.1:$FWD_SMTP_PORT"$'\n'
    stripe+="    bind $NET.$i.1:$FWD_STRIPE_PORT"$'\n'
  done
  RUN_DIR="$RUN_DIR" LB_BIND="$LB_BIND" LB_PORT="$LB_PORT" STATS_PORT="$STATS_PORT" CHECK_INTER="$CHECK_INTER" \
  APP_SERVERS="${servers%$'\n'}" PG_BINDS="${pg%$'\n'}" REDIS_BINDS="${redis%$'\n'}" \
  SMTP_BINDS="${smtp%$'\n'}" STRIPE_BINDS="${stripe%$'\n'}" PG_TARGET="$PG_TARGET" \
  REDIS_PORT="$REDIS_PORT" SMTP_PORT="$SMTP_PORT" STRIPE_PORT="$STRIPE_PORT" \
    python -c 'import os, string, sys; sys.stdout.write(string.Template(open(sys.argv[1]).read()).substitute(os.environ))' \
      deploy/haproxy.cfg.tmpl > "$RUN_DIR/haproxy.cfg"
}

start_haproxy() {
  pid_alive "$RUN_DIR/haproxy.pid" && return
  render_haproxy
  haproxy -c -q -f "$RUN_DIR/haproxy.cfg" || die "invalid HAProxy config $RUN_DIR/haproxy.cfg"
  # Master-worker in the foreground of its own session; logs to stdout -> haproxy.log.
  setsid haproxy -W -db -f "$RUN_DIR/haproxy.cfg" > "$RUN_DIR/haproxy.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/haproxy.pid"
  wait_port "$LB_BIND" "$LB_PORT" 10 || die "HAProxy did not start ($RUN_DIR/haproxy.log)"
}

# --- app hosts -------------------------------------------------------------------------

host_running() { [[ -n "$(ip netns pids "$(ns "$1")" 2>/dev/null)" ]]; }

start_host() {
  local i="$1" gw="$NET.$1.1" scheduler=off secret
  host_running "$i" && { log "app host $i is already running"; return; }
  # Read before the backgrounded command below: a command substitution inside it would run in
  # the background subshell, and hosts started together would each generate their own key.
  secret="$(secret_key)"
  [[ "$i" == 1 ]] && scheduler=on   # one host runs the periodic jobs
  ip netns exec "$(ns "$i")" env \
    OPSPORTAL_DATABASE_URL="postgresql+psycopg://$PG_USER@$gw:$FWD_PG_PORT/$DB_NAME" \
    OPSPORTAL_REDIS_URL="redis://$gw:$FWD_REDIS_PORT/0" \
    OPSPORTAL_SECRET_KEY="$secret" \
    OPSPORTAL_ALLOWED_ORIGINS="$PUBLIC_URL,http://127.0.0.1:$LB_PORT,http://localhost:$LB_PORT" \
    OPSPORTAL_PUBLIC_URL="$PUBLIC_URL" \
    OPSPORTAL_TRUSTED_PROXY_HOPS=1 \
    OPSPORTAL_SCHEDULER="$scheduler" \
    OPSPORTAL_SMTP_HOST="$gw" OPSPORTAL_SMTP_PORT="$FWD_SMTP_PORT" \
    OPSPORTAL_STRIPE_API_BASE="http://$gw:$FWD_STRIPE_PORT" \
    REFLEX_API_URL="$PUBLIC_URL" \
    GRANIAN_WORKERS="$WORKERS" \
    setsid python deploy/serve_built.py "$NET.$i.2" "$APP_PORT" \
      > "$RUN_DIR/app$i.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/app$i.pid"
}

wait_hosts_healthy() {  # seconds
  local i ok deadline=$((SECONDS + $1))
  while ((SECONDS < deadline)); do
    ok=0
    for ((i = 1; i <= HOSTS; i++)); do
      curl -fsS -m 2 "http://$NET.$i.2:$APP_PORT/_health" >/dev/null 2>&1 && ok=$((ok + 1))
    done
    ((ok == HOSTS)) && return 0
    sleep 1
  done
  return 1
}

stop_host() {  # host [signal]
  local pids
  pids="$(ip netns pids "$(ns "$1")" 2>/dev/null || true)"
  [[ -n "$pids" ]] && kill "-${2:-TERM}" $pids 2>/dev/null || true
  if [[ "${2:-TERM}" == KILL ]]; then  # gone within a moment; wait so start-host can follow at once
    for _ in $(seq 50); do host_running "$1" || break; sleep 0.1; done
  fi
  rm -f "$RUN_DIR/app$1.pid"
}

haproxy_stat() {
  [[ -S "$RUN_DIR/haproxy.sock" ]] || return 0
  echo "show stat" | socat stdio "unix-connect:$RUN_DIR/haproxy.sock" 2>/dev/null \
    | awk -F, '$1 == "app_hosts" && $2 ~ /^app/ {printf "  %s %s (current sessions %s, total %s)\n", $2, $18, $5, $8}'
}

# --- commands --------------------------------------------------------------------------

cmd_start() {
  need_root
  mkdir -p "$RUN_DIR" "$RUN_DIR/mail"
  scripts/setup.sh
  ensure_haproxy
  cmd_stop quiet
  start_redis
  prepare_database
  build_frontend
  net_up
  start_sandboxes
  start_haproxy
  local i
  for ((i = 1; i <= HOSTS; i++)); do start_host "$i"; done
  log "waiting for $HOSTS app hosts to answer /_health"
  wait_hosts_healthy 180 || { cmd_status; die "not every app host became healthy (see $RUN_DIR/app*.log)"; }
  sleep 2  # HAProxy marks them up after two checks
  cat <<MSG

  OpsPortal on $HOSTS app hosts behind HAProxy:  $PUBLIC_URL   (stats: http://127.0.0.1:$STATS_PORT/)
  App hosts: $(for ((i = 1; i <= HOSTS; i++)); do printf '%s=%s ' "$(ns "$i")" "$NET.$i.2:$APP_PORT"; done)
  Each runs $WORKERS backend workers (MULTIHOST_WORKERS); host 1 runs the scheduler.
  Database $DB_NAME on $PG_TARGET, scratch Redis 127.0.0.1:$REDIS_PORT. Logs: $RUN_DIR/
  Sign in as olivia.hart@northwind.example / demo-password-2026.
  scripts/multihost.sh status | kill-host N | start-host N | check | stop

MSG
}

cmd_stop() {
  need_root
  local i quiet="${1:-}"
  for ((i = 1; i <= HOSTS; i++)); do stop_host "$i" TERM; done
  sleep 1
  for ((i = 1; i <= HOSTS; i++)); do stop_host "$i" KILL; done
  for name in haproxy smtp stripe; do
    if pid_alive "$RUN_DIR/$name.pid"; then
      kill -- "-$(cat "$RUN_DIR/$name.pid")" 2>/dev/null || kill "$(cat "$RUN_DIR/$name.pid")" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
  if pid_alive "$RUN_DIR/redis.pid"; then kill "$(cat "$RUN_DIR/redis.pid")" 2>/dev/null || true; fi
  rm -f "$RUN_DIR/redis.pid" "$RUN_DIR/haproxy.sock"
  net_down
  [[ -n "$quiet" ]] || log "stopped (the database $DB_NAME is kept)"
}

cmd_status() {
  local i state rc=0
  for ((i = 1; i <= HOSTS; i++)); do
    if ! ip netns list 2>/dev/null | grep -qw "$(ns "$i")"; then
      state="no namespace"; rc=1
    elif host_running "$i"; then
      state="running ($(ip netns pids "$(ns "$i")" | wc -l) processes)"
      if curl -fsS -m 2 "http://$NET.$i.2:$APP_PORT/_health" >/dev/null 2>&1; then state+=", healthy"; else state+=", not healthy"; rc=1; fi
    else
      state="stopped"; rc=1
    fi
    echo "app host $i  $(ns "$i")  $NET.$i.2:$APP_PORT  $state"
  done
  local keys
  keys="$(for ((i = 1; i <= HOSTS; i++)); do
    for p in $(ip netns pids "$(ns "$i")" 2>/dev/null); do
      tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep '^OPSPORTAL_SECRET_KEY=' | sha256sum | cut -c1-12
    done
  done | sort -u)"
  if [[ "$(echo "$keys" | grep -c .)" -gt 1 ]]; then
    echo "app hosts run with DIFFERENT secret keys (sessions will not carry over)"; rc=1
  elif [[ -n "$keys" ]]; then
    echo "every app process shares one OPSPORTAL_SECRET_KEY"
  fi
  for name in haproxy redis smtp stripe; do
    if pid_alive "$RUN_DIR/$name.pid"; then echo "$name: running"; else echo "$name: not running"; rc=1; fi
  done
  echo "HAProxy's view:"
  haproxy_stat
  if curl -fsS -m 3 "http://$LB_BIND:$LB_PORT/api/health" >/dev/null 2>&1; then
    echo "balancer http://$LB_BIND:$LB_PORT/api/health: ok"
  else
    echo "balancer http://$LB_BIND:$LB_PORT/api/health: failing"; rc=1
  fi
  return "$rc"
}

cmd_check() {
  need_root
  MULTIHOST_DB_URL="$ROOT_DB_URL" MULTIHOST_LB_URL="http://$LB_BIND:$LB_PORT" \
  MULTIHOST_HOSTS="$HOSTS" MULTIHOST_NET="$NET" MULTIHOST_APP_PORT="$APP_PORT" \
  MULTIHOST_HAPROXY_SOCK="$RUN_DIR/haproxy.sock" MULTIHOST_SCRIPT="$0" \
    timeout 300 python scripts/multihost_check.py
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill-host) need_root; valid_host "${2:-}"; stop_host "$2" KILL; log "killed app host $2 (SIGKILL)" ;;
  start-host)
    need_root; valid_host "${2:-}"; start_host "$2"
    for _ in $(seq 120); do curl -fsS -m 2 "http://$NET.$2.2:$APP_PORT/_health" >/dev/null 2>&1 && break; sleep 1; done
    log "app host $2 started" ;;
  check) cmd_check ;;
  *) echo "usage: $0 start|stop|status|kill-host N|start-host N|check" >&2; exit 2 ;;
esac
