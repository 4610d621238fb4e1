#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth and a database `test`.
# Starts the machine's cluster if it is stopped; installs one from Debian's packages if there is
# none. Needs root for the install path (CI runs as root). Prints what it did.
set -euo pipefail

PGHOST_=127.0.0.1
PGPORT_=5432

ready() { pg_isready -h "$PGHOST_" -p "$PGPORT_" -q 2>/dev/null; }
can_query() { psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; }

if command -v pg_isready >/dev/null 2>&1 && ready && can_query; then
  echo "postgres: answering on $PGHOST_:$PGPORT_"
else
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "postgres: not installed; installing from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -q "clerkdesk-tests" "$hba"; then
    # Trust loopback connections: a throw-away test server on this machine only.
    { printf '%s\n' "# clerkdesk-tests: trust loopback for the test suite" \
        "host all all 127.0.0.1/32 trust" "host all all ::1/128 trust" "local all all trust"
      cat "$hba"; } > "$hba.new"
    mv "$hba.new" "$hba"
    chown postgres:postgres "$hba" 2>/dev/null || true
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
    || pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
  ready || { echo "postgres: did not start" >&2; exit 1; }
  pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
  sleep 0.5
  echo "postgres: started cluster $version"
fi

if ! psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
  psql -h "$PGHOST_" -p "$PGPORT_" -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
  echo "postgres: created database test"
fi
