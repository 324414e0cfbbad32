#!/usr/bin/env bash
# Sets everything up and runs the portal (production build) with demo data on the
# embedded defaults: SQLite in the data folder, Reflex's local state manager, the local
# Stripe sandbox (Checkout pages, signed webhooks) for payments, and a local SMTP sink that
# catches the mail the portal sends (staff see what was sent under Mail, the outbox).
#
# Several copies can run on one machine: give each its own ports (OPSPORTAL_PORT,
# OPSPORTAL_STRIPE_SANDBOX_PORT, OPSPORTAL_SMTP_PORT). A copy on a port other than 3000 keeps
# its files apart by default: data/port-<port>/ for the database, logs and caught mail, and
# Reflex's build and state folders under it (set OPSPORTAL_DATA_DIR to choose another place; two
# copies on one data folder are refused).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

port="${OPSPORTAL_PORT:-3000}"
stripe_port="${OPSPORTAL_STRIPE_SANDBOX_PORT:-12111}"
smtp_port="${OPSPORTAL_SMTP_PORT:-8025}"
if [[ -z "${OPSPORTAL_DATA_DIR:-}" ]]; then
  if [[ "$port" == 3000 ]]; then OPSPORTAL_DATA_DIR="$ROOT/data"; else OPSPORTAL_DATA_DIR="$ROOT/data/port-$port"; fi
fi
data_dir="$(mkdir -p "$OPSPORTAL_DATA_DIR" && cd "$OPSPORTAL_DATA_DIR" && pwd)"
export OPSPORTAL_DATA_DIR="$data_dir"
# One copy per data folder: a second copy on the same folder would share its database, mail and build.
exec 9>"$data_dir/run.lock"
if ! flock -n 9; then
  echo "error: another copy of scripts/run.sh uses $data_dir; give this one its own OPSPORTAL_PORT (or OPSPORTAL_DATA_DIR)" >&2
  exit 1
fi
if [[ "$data_dir" != "$ROOT/data" ]]; then
  # Reflex builds the frontend with this copy's port in it, and keeps tab state on disk: one folder of each per copy.
  export REFLEX_WEB_WORKDIR="$data_dir/web" REFLEX_STATES_WORKDIR="$data_dir/states"
fi

taken=()
for spec in "OPSPORTAL_PORT=$port" "OPSPORTAL_STRIPE_SANDBOX_PORT=$stripe_port" "OPSPORTAL_SMTP_PORT=$smtp_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/${spec#*=}") 2>/dev/null; then taken+=("$spec"); fi
done
if ((${#taken[@]})); then
  echo "error: already in use on this machine (another copy?): ${taken[*]}; choose free ports with these variables" >&2
  exit 1
fi
if [[ "$port" == "$stripe_port" || "$port" == "$smtp_port" || "$stripe_port" == "$smtp_port" ]]; then
  echo "error: OPSPORTAL_PORT, OPSPORTAL_STRIPE_SANDBOX_PORT and OPSPORTAL_SMTP_PORT must differ" >&2
  exit 1
fi

[[ "${OPSPORTAL_SKIP_SETUP:-}" == 1 ]] || scripts/setup.sh
export OPSPORTAL_STRIPE_API_BASE="http://127.0.0.1:$stripe_port"
export OPSPORTAL_SMTP_HOST=127.0.0.1 OPSPORTAL_SMTP_PORT="$smtp_port"
export OPSPORTAL_PUBLIC_URL="${OPSPORTAL_PUBLIC_URL:-http://localhost:$port}"  # links in e-mails
opsportal db upgrade
opsportal demo load

children=()
cleanup() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

opsportal sandbox stripe --port "$stripe_port" --webhook-url "http://127.0.0.1:$port/api/stripe/webhook" \
  > "$data_dir/stripe-sandbox.log" 2>&1 &
children+=($!)

# A development tool: it only catches mail (in $OPSPORTAL_MAIL_DIR, default <data dir>/mail); the portal's outbox
# (staff Mail) records what was sent.
# Mail to the support address (replies to ticket e-mails, new tickets) goes on to the portal, as an MTA's would.
opsportal sandbox smtp --port "$smtp_port" --inbound-url "http://127.0.0.1:$port/api/mail/inbound" \
  > "$data_dir/smtp-sink.log" 2>&1 &
children+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break; sleep 0.2; done
if ! kill -0 "${children[-1]}" 2>/dev/null; then
  echo "error: the SMTP sink did not start on port $smtp_port ($data_dir/smtp-sink.log); set OPSPORTAL_SMTP_PORT" >&2
  exit 1
fi
# This month's statements and this week's expiry notices for the demo (each is sent once per period).
opsportal notify monthly || echo "warning: the monthly statements were not all sent (see above)"
opsportal notify weekly || echo "warning: the weekly expiry notices were not all sent (see above)"

cat <<MSG

  OpsPortal is starting at  http://localhost:$port   (files in $data_dir)
  Sign in as olivia.hart@northwind.example (owner), bianca.novak@northwind.example (billing),
  mark.osei@northwind.example (member) or sam.taylor@opsportal.example (staff);
  password: demo-password-2026.
  Payments go to the local Stripe sandbox on port $stripe_port: pay with 4242 4242 4242 4242
  (any future expiry, any CVC); 4000 0000 0000 0002 is declined. Log: $data_dir/stripe-sandbox.log
  Mail goes to a local SMTP sink on port $smtp_port (nothing leaves this machine); staff see what the
  portal sent under Mail.
  Press Ctrl+C to stop.

MSG
reflex run --env prod --frontend-port "$port" --backend-port "$port" &
children+=($!)
wait -n "${children[@]}"
