#!/usr/bin/env bash
# The one test command: ./test.sh [pytest arguments...]
#
# Sets up .venv (reinstalling only when the requirements change), starts a throwaway
# PostgreSQL 15 and Redis on free ports on 127.0.0.1, then runs, stopping at the first failure:
#   pytest "$@"  ->  mypy .  ->  ruff check .  ->  ruff format --check .
# Both servers and their temp dirs are removed on exit, also when a step fails or on Ctrl-C.
#
# Environment:
#   TEST_SH_SKIP_STATIC=1   run only pytest, skip mypy and ruff (handy while iterating).
#
# Examples:
#   ./test.sh
#   ./test.sh ads/tests/test_x.py -k foo
#   TEST_SH_SKIP_STATIC=1 ./test.sh -x
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

banner() { printf '\n==> %s\n' "$*"; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

# --- Tools that must be installed on the machine -------------------------------------------
if ! command -v initdb >/dev/null 2>&1 && [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    PATH="/usr/lib/postgresql/15/bin:$PATH"
fi
command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 \
    || die "PostgreSQL 15 server binaries (initdb, pg_ctl) not found. Install them with:
    apt-get install -y postgresql-15
and put /usr/lib/postgresql/15/bin on PATH."
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
    || die "redis-server not found. Install it with:
    apt-get install -y redis-server"
[ -x /usr/bin/chromium ] \
    || die "/usr/bin/chromium not found (needed by the browser tests). Install it with:
    apt-get install -y chromium"

# --- Virtualenv ----------------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    banner "Creating .venv"
    python3 -m venv .venv
fi
stamp=.venv/.requirements-dev.sha256
want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    banner "Installing requirements-dev.txt into .venv"
    .venv/bin/pip install -q -r requirements-dev.txt
    printf '%s\n' "$want" >"$stamp"
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- Cleanup, registered before anything is started -----------------------------------------
PGTMP=""
REDISTMP=""
REDIS_PID=""
pg_started=0

cleanup() {
    local rc=$?
    set +o errexit
    trap - EXIT INT TERM
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null
        wait "$REDIS_PID" 2>/dev/null
    fi
    if [ "$pg_started" = 1 ]; then
        as_pg pg_ctl -D "$PGTMP/data" -m fast -w stop >/dev/null 2>&1
    fi
    if [ -n "$PGTMP" ]; then rm -rf "$PGTMP"; fi
    if [ -n "$REDISTMP" ]; then rm -rf "$REDISTMP"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- PostgreSQL ----------------------------------------------------------------------------
# As root, the server must run as the postgres OS user; otherwise as the current user.
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user"
    as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
    as_pg() { "$@"; }
fi

banner "Starting throwaway PostgreSQL"
PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/test-sh-pg.XXXXXX")"
mkdir "$PGTMP/sock"
if [ "$(id -u)" = 0 ]; then chown -R postgres: "$PGTMP"; fi
PGPORT="$(free_port)"
as_pg initdb -D "$PGTMP/data" -U postgres --auth=trust --encoding=UTF8 --no-sync >"$PGTMP/initdb.log" 2>&1 \
    || { cat "$PGTMP/initdb.log" >&2; die "initdb failed"; }
cat >>"$PGTMP/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PGTMP/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
pg_started=1
as_pg pg_ctl -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$PGTMP/postgres.log" >&2; die "PostgreSQL did not start"; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/budget"
if command -v createdb >/dev/null 2>&1; then
    createdb -h 127.0.0.1 -p "$PGPORT" -U postgres budget
else
    .venv/bin/python - "$PGPORT" <<'EOF'
import sys

import psycopg2

conn = psycopg2.connect(host="127.0.0.1", port=sys.argv[1], user="postgres", dbname="postgres")
conn.autocommit = True
conn.cursor().execute("CREATE DATABASE budget")
conn.close()
EOF
fi

# --- Redis ---------------------------------------------------------------------------------
banner "Starting throwaway Redis"
REDISTMP="$(mktemp -d "${TMPDIR:-/tmp}/test-sh-redis.XXXXXX")"
REDIS_PORT="$(free_port)"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize no --save "" --appendonly no \
    --dir "$REDISTMP" --logfile "$REDISTMP/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do
    [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" = PONG ] && break
    kill -0 "$REDIS_PID" 2>/dev/null || { cat "$REDISTMP/redis.log" >&2; die "Redis exited"; }
    sleep 0.1
done
[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" = PONG ] \
    || { cat "$REDISTMP/redis.log" >&2; die "Redis did not answer PING"; }
export REDIS_PORT
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
export CELERY_RESULT_BACKEND="redis://127.0.0.1:$REDIS_PORT/1"

# --- Test environment ----------------------------------------------------------------------
export CHROMIUM_PATH=/usr/bin/chromium
export DEBUG=1
export SECRET_KEY=test-only-secret-key-not-for-production-000000000000000000
export DJANGO_ALLOW_ASYNC_UNSAFE=true

# --- Steps ---------------------------------------------------------------------------------
banner "pytest $*"
.venv/bin/python -m pytest "$@"

if [ "${TEST_SH_SKIP_STATIC:-}" = 1 ]; then
    banner "TEST_SH_SKIP_STATIC=1: skipping mypy and ruff"
    exit 0
fi

banner "mypy ."
.venv/bin/mypy .

banner "ruff check ."
.venv/bin/ruff check .

banner "ruff format --check ."
.venv/bin/ruff format --check .

banner "All checks passed"
