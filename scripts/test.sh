#!/usr/bin/env bash
# Sets everything up and runs the whole test suite:
#   1. unit, service (on SQLite and PostgreSQL), CLI and sandbox tests, in parallel workers
#      (pytest-xdist, -n auto; OPSPORTAL_TEST_WORKERS=N to choose);
#   2. the end-to-end tests in Chromium on the embedded defaults (one portal, one process);
#   3. the end-to-end tests marked scale_out again, in a process of their own, on the
#      scale-out configuration: PostgreSQL as database and Redis as Reflex's state manager
#      (OPSPORTAL_SCALE_OUT_PASS=all runs every end-to-end test there; .ci/run does).
# Extra arguments go to every pytest run (e.g. -x, -k login); a run they leave without tests passes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
scripts/setup.sh --browser

pg_up() { python3 -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; }
redis_up() { python3 -c 'import socket; socket.create_connection(("127.0.0.1", 6379), 2)' 2>/dev/null; }
if ! pg_up && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! redis_up && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi

# pytest answers 5 when the arguments left a run without tests (e.g. -k that matches only e2e tests).
run_pytest() { local rc=0; pytest "$@" || rc=$?; [[ $rc == 5 ]] && rc=0; return $rc; }

status=0
echo "== unit, services (SQLite and PostgreSQL), CLI and sandbox, in parallel"
run_pytest -n "${OPSPORTAL_TEST_WORKERS:-auto}" --ignore=tests/e2e "$@" || status=$?

echo "== end to end on the embedded defaults (SQLite, Reflex state in memory)"
run_pytest tests/e2e "$@" || status=$?

if pg_up && redis_up; then
  scope=(-m scale_out)
  if [[ "${OPSPORTAL_SCALE_OUT_PASS:-}" == "all" ]]; then
    scope=()
  fi
  echo "== end to end on PostgreSQL with Reflex state in Redis (${scope[*]:-every test})"
  OPSPORTAL_E2E_DATABASE=postgresql OPSPORTAL_REDIS_URL="${OPSPORTAL_TEST_REDIS_URL:-redis://127.0.0.1:6379/3}" \
    run_pytest tests/e2e "${scope[@]}" "$@" || status=$?
elif [[ "${CI:-}" == "true" || "${OPSPORTAL_REQUIRE_POSTGRES:-}" == "1" ]]; then
  echo "scale-out run needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; one is not reachable" >&2
  status=1
else
  echo "== skipped the scale-out run: PostgreSQL or Redis is not reachable on this machine"
fi
exit "$status"
