#!/usr/bin/env bash
# Sets everything up and runs the portal (production build) with demo data on the
# embedded defaults: SQLite in data/, Reflex's local state manager, and the local
# Stripe sandbox (Checkout pages, signed webhooks) for payments, plus a local SMTP sink that
# catches the mail the portal sends (staff read it under Mail).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
scripts/setup.sh
opsportal db upgrade
opsportal demo load
port="${OPSPORTAL_PORT:-3000}"
stripe_port="${OPSPORTAL_STRIPE_SANDBOX_PORT:-12111}"
export OPSPORTAL_STRIPE_API_BASE="http://127.0.0.1:$stripe_port"
smtp_port="${OPSPORTAL_SMTP_PORT:-8025}"
export OPSPORTAL_SMTP_HOST=127.0.0.1 OPSPORTAL_SMTP_PORT="$smtp_port"
export OPSPORTAL_PUBLIC_URL="${OPSPORTAL_PUBLIC_URL:-http://localhost:$port}"  # links in e-mails
mkdir -p data

children=()
cleanup() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

opsportal sandbox stripe --port "$stripe_port" --webhook-url "http://127.0.0.1:$port/api/stripe/webhook" \
  > data/stripe-sandbox.log 2>&1 &
children+=($!)

# Saves every message under OPSPORTAL_MAIL_DIR (default data/mail), where the staff mailbox reads them.
opsportal sandbox smtp --port "$smtp_port" > data/smtp-sink.log 2>&1 &
children+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break; sleep 0.2; done
if ! kill -0 "${children[-1]}" 2>/dev/null; then
  echo "error: the SMTP sink did not start on port $smtp_port (data/smtp-sink.log); set OPSPORTAL_SMTP_PORT" >&2
  exit 1
fi
# This month's statements and this week's expiry notices for the demo (each is sent once per period).
opsportal notify monthly || echo "warning: the monthly statements were not all sent (see above)"
opsportal notify weekly || echo "warning: the weekly expiry notices were not all sent (see above)"

cat <<MSG

  OpsPortal is starting at  http://localhost:$port
  Sign in as olivia.hart@northwind.example (owner), bianca.novak@northwind.example (billing),
  mark.osei@northwind.example (member) or sam.taylor@opsportal.example (staff);
  password: demo-password-2026.
  Payments go to the local Stripe sandbox on port $stripe_port: pay with 4242 4242 4242 4242
  (any future expiry, any CVC); 4000 0000 0000 0002 is declined. Log: data/stripe-sandbox.log
  Mail the portal sends is caught locally: staff see it under Mail (SMTP sink on port $smtp_port).
  Press Ctrl+C to stop.

MSG
reflex run --env prod --frontend-port "$port" --backend-port "$port" &
children+=($!)
wait -n "${children[@]}"
