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
# Keep Python's bytecode: with PYTHONDONTWRITEBYTECODE set (as in these sessions) every pytest
# process, the controller and each xdist worker, compiled clerkdesk again and redid pytest's
# assertion rewriting of the test modules and plugins (collecting one test file: 6.1-7.2 s of
# CPU without the cache, 4.4-4.6 s with it, 3 interleaved runs, loadavg 11-15). The cache goes
# to .venv/pycache, not next to the sources.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$PWD/.venv/pycache"
exec .venv/bin/pytest -q -p no:cacheprovider -n auto --maxschedchunk 2 --durations=15 "$@"
