#!/usr/bin/env bash
# Installs localstripe, the stateful fake Stripe server behind the Stripe sandbox
# (`opsportal sandbox stripe`), into its own venv: .venv-localstripe. It is GPL-3.0, so it
# runs only as a separate process and never shares a venv with the app. Only does work when
# the venv is missing or this script's pins changed. Safe to run again.
#
# Verified on Python 3.11 with aiohttp 3.14.5 (localstripe 1.15.10 needs no older aiohttp
# and no patch); the dependencies are pinned so a new aiohttp release cannot break it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

venv=.venv-localstripe
# localstripe first (named in the log), then the exact set it was verified with.
requirements=(
  "localstripe==1.15.10"
  "aiohttp==3.14.5" "aiohappyeyeballs==2.7.1" "aiosignal==1.4.0" "attrs==26.1.0" "frozenlist==1.8.0"
  "idna==3.20" "multidict==7.2.1" "propcache==0.5.4" "yarl==1.25.1" "typing_extensions==4.16.0"
  "python-dateutil==4.0.0" "tzdata==2026.6"
)

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python="$candidate"; break
  fi
done
if [[ -z "$python" ]]; then
  echo "setup-localstripe: Python 3.11 is required (python3.11 not found)" >&2
  exit 1
fi

wanted="$(printf '%s\n' "${requirements[@]}" | sha256sum | cut -c1-16)"
if [[ -x "$venv/bin/localstripe" && "$(cat "$venv/.opsportal-stamp" 2>/dev/null)" == "$wanted" ]]; then
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup-localstripe: creating $venv"
  "$python" -m venv "$venv"
fi
echo "setup-localstripe: installing ${requirements[0]}"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
"$venv/bin/python" -c 'import localstripe.server' # fails loudly if an import broke
echo "$wanted" > "$venv/.opsportal-stamp"
