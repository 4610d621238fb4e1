#!/usr/bin/env bash
# Install ClerkDesk into .venv (once) and run it: `bash scripts/run.sh` opens the workstation on
# the embedded SQLite hall; any arguments go to `clerkdesk` (e.g. `bash scripts/run.sh demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/clerkdesk ]; then
  python3 -m venv .venv
  .venv/bin/python -m pip install -q -e . 2>&1 | grep -v -i "^warning: location" || true
fi
exec .venv/bin/clerkdesk "$@"
