#!/usr/bin/env bash
# Installs everything OpsPortal needs, and only what is missing or out of date:
# a Python 3.11 venv with the project, bun and node from the npm registry, and
# (with --browser) Debian's Chromium for the end-to-end tests. Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python="$candidate"; break
  fi
done
if [[ -z "$python" ]]; then
  echo "setup: Python 3.11 is required (python3.11 not found)" >&2
  exit 1
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
py_stamp="$(stamp pyproject.toml)"
if [[ "$(cat .venv/.opsportal-stamp 2>/dev/null)" != "$py_stamp" ]]; then
  echo "setup: installing Python packages"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,test]'
  echo "$py_stamp" > .venv/.opsportal-stamp
fi

js_stamp="$(stamp package.json package-lock.json)"
if [[ "$(cat node_modules/.opsportal-stamp 2>/dev/null)" != "$js_stamp" ]]; then
  echo "setup: installing bun and node (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$js_stamp" > node_modules/.opsportal-stamp
fi

if [[ "$want_browser" == 1 && ! -x /usr/bin/chromium ]]; then
  echo "setup: installing Debian's Chromium"
  sudo_cmd=""
  [[ "$(id -u)" != 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
echo "setup: ready"
