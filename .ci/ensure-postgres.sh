#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 (trust auth, database `test`).
# Starts the Debian cluster if it is installed but down; installs it from Debian if missing.
set -euo pipefail
ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if command -v pg_isready >/dev/null && ready; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        echo "PostgreSQL not installed: installing it from Debian's packages"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        echo "PostgreSQL is not installed and we are not root: PostgreSQL tests will skip (CI=true makes them fail)"
        exit 0
    fi
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
echo "Starting PostgreSQL $version"
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do ready && break; sleep 1; done
if ! ready; then echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1; fi
# trust auth and a `test` database, as the development machines have them
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
