#!/usr/bin/env bash
# Sets everything up and runs the whole test suite:
#   1. every test (unit, services on SQLite and PostgreSQL, CLI, end to end in Chromium on
#      the embedded defaults);
#   2. the end-to-end tests again in a second process on the scale-out configuration:
#      PostgreSQL as database and Redis as Reflex's state manager.
# Extra arguments go to both pytest runs (e.g. -x, -k login).
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

status=0
echo "== test suite (SQLite and PostgreSQL services; end to end on the embedded defaults)"
pytest "$@" || status=$?

if pg_up && redis_up; then
  echo "== end to end on PostgreSQL with Reflex state in Redis"
  OPSPORTAL_E2E_DATABASE=postgresql OPSPORTAL_REDIS_URL="${OPSPORTAL_TEST_REDIS_URL:-redis://127.0.0.1:6379/3}" \
    pytest tests/e2e "$@" || status=$?
elif [[ "${CI:-}" == "true" || "${OPSPORTAL_REQUIRE_POSTGRES:-}" == "1" ]]; then
  echo "scale-out run needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; one is not reachable" >&2
  status=1
else
  echo "== skipped the scale-out run: PostgreSQL or Redis is not reachable on this machine"
fi
exit "$status"
