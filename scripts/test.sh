#!/usr/bin/env bash
# Install ClerkDesk with its test extras into .venv and run every check CI runs:
# ruff (check + format), mypy, import-linter, pytest (PostgreSQL tests included) on one
# pytest-xdist worker per core (tests/conftest.py starts the long concurrency tests first).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v -i "^warning: location" || true
.venv/bin/python -c "import clerkdesk, fastapi, textual, pytest" >/dev/null

bash scripts/ensure-postgres.sh
bash scripts/ensure-espeak.sh

echo "== ruff check";          .venv/bin/ruff check clerkdesk tests bench
echo "== ruff format --check"; .venv/bin/ruff format --check clerkdesk tests bench
echo "== mypy";                .venv/bin/mypy
echo "== lint-imports";        .venv/bin/lint-imports
echo "== pytest"
exec .venv/bin/pytest -q -p no:cacheprovider -n auto --maxschedchunk 2 --durations=15 "$@"
