#!/usr/bin/env bash
# Sets everything up and runs the portal (production build) with demo data on the
# embedded defaults: SQLite in data/, Reflex's local state manager.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
scripts/setup.sh
opsportal db upgrade
opsportal demo load
port="${OPSPORTAL_PORT:-3000}"
cat <<MSG

  OpsPortal is starting at  http://localhost:$port
  Sign in as olivia.hart@northwind.example (owner), mark.osei@northwind.example (member)
  or sam.taylor@opsportal.example (staff); password: demo-password-2026.
  Press Ctrl+C to stop.

MSG
exec reflex run --env prod --frontend-port "$port" --backend-port "$port"
