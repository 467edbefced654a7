#!/usr/bin/env bash
# The benchmark in one command: ./bench.sh [manage.py bench arguments...]
#
# Starts a throwaway PostgreSQL 15 on a free port on 127.0.0.1 (fsync off: the figures are about
# CPU work, not the disk), runs `manage.py bench` against it with DEBUG off, and removes the
# server and its files on exit, also on failure or Ctrl-C. The benchmark itself works in a
# database bench_<pid> that it creates and drops. Needs .venv (./test.sh creates it) and pgbench.
#
# Examples:
#   ./bench.sh                  # full scale, a table (several minutes)
#   ./bench.sh --scale tiny     # seconds
#   ./bench.sh --json > bench.json
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }

if ! command -v initdb >/dev/null 2>&1 && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    PATH="/usr/lib/postgresql/15/bin:$PATH"
fi
command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 \
    || die "PostgreSQL 15 server binaries (initdb, pg_ctl) not found: apt-get install -y postgresql-15"
command -v pgbench >/dev/null 2>&1 || die "pgbench not found: apt-get install -y postgresql-client-15"
[ -x .venv/bin/python ] || die ".venv not found: run ./test.sh once (it creates it)"

PGTMP=""
pg_started=0
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user"
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    as_pg() { "$@"; }
fi

cleanup() {
    local rc=$?
    set +o errexit
    trap - EXIT INT TERM
    if [ "$pg_started" = 1 ]; then as_pg pg_ctl -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1; fi
    if [ -n "$PGTMP" ]; then rm -rf "$PGTMP"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/bench-sh-pg.XXXXXX")"
mkdir "$PGTMP/sock"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGTMP"; fi
PGPORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg initdb -D "$PGTMP/data" -U postgres --auth=trust --encoding=UTF8 --no-sync >"$PGTMP/initdb.log" 2>&1 \
    || { cat "$PGTMP/initdb.log" >&2; die "initdb failed"; }
cat >>"$PGTMP/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGTMP/sock'
fsync = off
full_page_writes = off
max_connections = 50
EOF
pg_started=1
as_pg pg_ctl -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$PGTMP/postgres.log" >&2; die "PostgreSQL did not start"; }

# The configured database need not exist: the benchmark creates its own next to it.
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
export DEBUG=0
export SECRET_KEY="${SECRET_KEY:-insecure-bench-only-key-not-for-production-00000000000000}"
.venv/bin/python manage.py bench "$@"
