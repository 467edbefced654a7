#!/usr/bin/env bash
# The benchmark in one command: ./bench.sh [manage.py bench arguments...]
#
# Starts a throwaway PostgreSQL 15 on a free port on 127.0.0.1 (fsync off: the figures are about
# CPU work, not the disk), runs `manage.py bench` against it with DEBUG off, and removes the
# server and its files on exit, also on failure or Ctrl-C. The benchmark itself works in a
# database bench_<pid> that it creates and drops. Sets up .venv as test.sh does; needs pgbench.
#
# Examples:
#   ./bench.sh                  # full scale, a table (several minutes)
#   ./bench.sh --scale tiny     # seconds
#   ./bench.sh --json > bench.json
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/throwaway-postgres.sh
. scripts/throwaway-postgres.sh
pg_require || exit 1
command -v pgbench >/dev/null 2>&1 || die "pgbench not found: apt-get install -y postgresql-client-15"
# shellcheck source=scripts/dev-venv.sh
. scripts/dev-venv.sh
dev_venv || die "could not set up .venv"

cleanup() {
    local rc=$?
    set +o errexit
    trap - EXIT INT TERM
    pg_stop
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pg_start bench-sh 50 || die "PostgreSQL did not start"

# The configured database need not exist: the benchmark creates its own next to it.
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
export DEBUG=0
# DEBUG is off, so the settings refuse a published key: a fresh random one for each run.
SECRET_KEY="${SECRET_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export SECRET_KEY
.venv/bin/python manage.py bench "$@"
