#!/usr/bin/env bash
# The one test command: ./test.sh [pytest arguments...]
#
# Sets up .venv (reinstalling only when the requirements change), starts a throwaway
# PostgreSQL 15 and Redis on free ports on 127.0.0.1, then runs, stopping at the first failure:
#   pytest "$@"  ->  pytest on SQLite  ->  mypy .  ->  ruff check .  ->  ruff format --check .
#   ->  lint-imports (the import layers in pyproject.toml)
# Both servers and their temp dirs are removed on exit, also when a step fails or on Ctrl-C.
#
# The SQLite pass runs the money, roll-up and reconcile tests (SQLITE_TESTS below) again on an
# in-memory SQLite database, the README's zero-setup default: SQLite keeps decimals as binary
# floats, so money must be proven exact there too; and the tests of the SQL written for each
# database (the outbox's insert, the windows' text). Tests marked `postgresql` are skipped there,
# each counted and named in pytest's summary. It runs when no arguments are given.
#
# Environment:
#   TEST_SH_SKIP_STATIC=1   run only pytest, skip mypy and ruff (handy while iterating).
#   TEST_SH_SQLITE=1        also run the given arguments on SQLite; 0: no SQLite pass at all.
#
# Examples:
#   ./test.sh
#   ./test.sh ads/tests/test_x.py -k foo
#   TEST_SH_SKIP_STATIC=1 ./test.sh -x
#   TEST_SH_SQLITE=1 ./test.sh ads/tests/sql/test_money_sums.py
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

banner() { printf '\n==> %s\n' "$*"; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

# --- Tools that must be installed on the machine -------------------------------------------
# shellcheck source=scripts/throwaway-postgres.sh
. scripts/throwaway-postgres.sh
pg_require || exit 1
command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 \
    || die "redis-server not found. Install it with:
    apt-get install -y redis-server"
[ -x /usr/bin/chromium ] \
    || die "/usr/bin/chromium not found (needed by the browser tests). Install it with:
    apt-get install -y chromium"

# --- Virtualenv ----------------------------------------------------------------------------
# shellcheck source=scripts/dev-venv.sh
. scripts/dev-venv.sh
dev_venv || die "could not set up .venv"

# --- Cleanup, registered before anything is started -----------------------------------------
REDISTMP=""
REDIS_PID=""

cleanup() {
    local rc=$?
    set +o errexit
    trap - EXIT INT TERM
    if [ -n "$REDIS_PID" ]; then
        kill "$REDIS_PID" 2>/dev/null
        wait "$REDIS_PID" 2>/dev/null
    fi
    pg_stop
    if [ -n "$REDISTMP" ]; then rm -rf "$REDISTMP"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- PostgreSQL ----------------------------------------------------------------------------
banner "Starting throwaway PostgreSQL"
pg_start test-sh 200 || die "PostgreSQL did not start"

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

SQLITE_TESTS=(
    ads/tests/kernel/test_money.py
    ads/tests/sql/test_money_sums.py
    ads/tests/sql/test_ledger.py
    ads/tests/services/test_spend.py
    ads/tests/services/test_bulk_spend.py
    ads/tests/commands/test_import_spend.py
    ads/tests/commands/test_import_spend_kinds.py
    ads/tests/services/test_imports.py
    ads/tests/services/test_rollover.py
    ads/tests/commands/test_reset_and_reconcile.py
    ads/tests/rules/test_window_properties.py
    ads/tests/services/test_rollup_properties.py
    ads/tests/services/test_rollup.py
    ads/tests/services/test_adjustments.py
    ads/tests/services/test_reports.py
    ads/tests/models/test_models.py
    ads/tests/services/test_campaigns.py
    ads/tests/services/test_caps.py
    ads/tests/admin/test_budget_history.py
    ads/tests/services/test_events.py
    ads/tests/services/test_extra_windows.py
)
sqlite_pass() {
    banner "pytest on SQLite (in memory) $*"
    DATABASE_URL="sqlite://:memory:" .venv/bin/python -m pytest "$@"
}
case "${TEST_SH_SQLITE:-}:$#" in
    0:*) banner "TEST_SH_SQLITE=0: skipping the SQLite pass" ;;
    1:*) sqlite_pass "$@" ;;
    *:0) sqlite_pass "${SQLITE_TESTS[@]}" ;;
    *) banner "Arguments given: skipping the SQLite pass (TEST_SH_SQLITE=1 runs them there too)" ;;
esac

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

banner "lint-imports (the layers in pyproject.toml)"
.venv/bin/lint-imports --no-cache

banner "All checks passed"
