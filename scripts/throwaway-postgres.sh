# shellcheck shell=bash
# Sourced by test.sh and bench.sh: a throwaway PostgreSQL cluster on a free port on 127.0.0.1.
#
#   pg_start LABEL MAX_CONNECTIONS   initdb into a temp dir and start; sets PG_DIR and PGPORT
#   pg_stop                          stop the server and remove its files (safe to call twice)
#
# fsync and full-page writes are off: the data is thrown away, and tests and benchmarks measure
# CPU work, not the disk. As root, the server runs as the postgres OS user.

if ! command -v initdb >/dev/null 2>&1 && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    PATH="/usr/lib/postgresql/15/bin:$PATH"
fi

PG_DIR=""

pg_require() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    printf '%s\n' "PostgreSQL 15 server binaries (initdb, pg_ctl) not found. Install them with:" \
        "    apt-get install -y postgresql-15" "and put /usr/lib/postgresql/15/bin on PATH." >&2
    return 1
}

if [ "$(id -u)" = 0 ]; then
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    as_pg() { "$@"; }
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_start() {
    local label=$1 max_connections=$2
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "running as root but there is no 'postgres' OS user" >&2
        return 1
    fi
    PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/$label-pg.XXXXXX")"
    mkdir "$PG_DIR/sock"
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PG_DIR"; fi
    PGPORT="$(free_port)"
    as_pg initdb -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --no-sync \
        >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    cat >>"$PG_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PG_DIR/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = $max_connections
CONF
    as_pg pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 start >/dev/null \
        || { cat "$PG_DIR/postgres.log" >&2; return 1; }
}

pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    as_pg pg_ctl -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
}
