#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and CI.
#
#   eval "$(scripts/postgres-test-cluster.sh start)"   # starts (or reuses) it, exports GAVEL_TEST_POSTGRES_URL
#   scripts/postgres-test-cluster.sh url               # prints the URL of the running cluster
#   scripts/postgres-test-cluster.sh stop              # stops it (the data folder stays for a fast restart)
#   scripts/postgres-test-cluster.sh destroy           # stops it and deletes its folder
#
# Only `export …` lines go to standard output; progress goes to standard error.
#
# Settings (environment):
#   GAVEL_PG_DIR   the cluster's folder (default /tmp/gavel-pg; the socket lives in it, so keep it short)
#   GAVEL_PG_PORT  the TCP port on 127.0.0.1 (default 55432)
#   GAVEL_PG_BIN   the folder of initdb/pg_ctl (default: the newest /usr/lib/postgresql/*/bin)
#
# The cluster is for tests only: fsync, synchronous_commit and full_page_writes are off, so a
# crash of the machine may lose or corrupt it. The role `gavel` (password `gavel`) may create
# databases: the store tests make a fresh database per test.
set -euo pipefail

DIR="${GAVEL_PG_DIR:-/tmp/gavel-pg}"
PORT="${GAVEL_PG_PORT:-55432}"
ROLE=gavel
PASSWORD=gavel
DATABASE=gavel
URL="postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DATABASE}"

log() { echo "postgres-test-cluster: $*" >&2; }

find_bin() {
    if [[ -n "${GAVEL_PG_BIN:-}" ]]; then echo "$GAVEL_PG_BIN"; return; fi
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
        log "no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)"
        exit 1
    fi
    echo "$bin"
}

BIN="$(find_bin)"

# Runs a command as the cluster's owner: `postgres` when we are root (PostgreSQL refuses
# root), ourselves otherwise.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [[ "$(id -u)" == 0 ]] || return 0
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin postgres
}

ensure_folder() {
    mkdir -p "$DIR/sock"
    [[ "$(id -u)" == 0 ]] && chown -R postgres: "$DIR"
    chmod 700 "$DIR"
}

init_cluster() {
    [[ -f "$DIR/data/PG_VERSION" ]] && return 0
    log "initdb in $DIR/data"
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
    cat >>"$DIR/data/postgresql.conf" <<EOF

# gavel test cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/sock'
max_connections = 500
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

is_running() {
    [[ -f "$DIR/data/PG_VERSION" ]] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start_server() {
    if is_running; then
        log "already running on port $PORT"
        return 0
    fi
    log "starting on 127.0.0.1:$PORT"
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 -o "-p $PORT" start >&2 \
        || { tail -n 20 "$DIR/postgres.log" >&2; exit 1; }
    for _ in $(seq 1 100); do
        pg_ready && return 0
        sleep 0.1
    done
    log "the server did not become ready"
    exit 1
}

pg_ready() {
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"
}

psql_admin() {
    as_owner "$BIN/psql" -h "$DIR/sock" -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

ensure_role_and_database() {
    psql_admin -d postgres >&2 <<EOF
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$ROLE', '$PASSWORD')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DATABASE', '$ROLE')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DATABASE') \gexec
GRANT pg_signal_backend TO $ROLE;
EOF
}

stop_server() {
    if is_running; then
        log "stopping"
        as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
    else
        log "not running"
    fi
}

case "${1:-}" in
start)
    ensure_user
    ensure_folder
    init_cluster
    start_server
    ensure_role_and_database
    echo "export GAVEL_TEST_POSTGRES_URL='$URL'"
    ;;
url)
    echo "$URL"
    ;;
stop)
    stop_server
    ;;
destroy)
    stop_server
    rm -rf "$DIR"
    ;;
*)
    echo "usage: $0 start|stop|url|destroy" >&2
    exit 2
    ;;
esac
