#!/usr/bin/env bash
# Runs a command with E2E_DATABASE_URL pointing at a fresh, empty PostgreSQL
# database: a new database on TEST_DATABASE_URL's server when that is set,
# otherwise a throwaway cluster started from the local PostgreSQL binaries.
# Everything it creates is removed when the command ends.
set -euo pipefail

if [ -n "${TEST_DATABASE_URL:-}" ]; then
    name="delivery_e2e_$$"
    psql -q "$TEST_DATABASE_URL" -c "CREATE DATABASE $name"
    trap 'psql -q "$TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
    E2E_DATABASE_URL="${TEST_DATABASE_URL%/*}/$name" "$@"
    exit $?
fi

bin=$(dirname "$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
as_owner=()
if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root.
    chown postgres:postgres "$dir"
    as_owner=(runuser -u postgres --)
fi
cleanup() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
E2E_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres" "$@"
