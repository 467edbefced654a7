#!/usr/bin/env bash
# Start the whole system with one command: ./start.sh      (Windows: .\start.ps1)
#   Admin  http://localhost:8000/admin/     Flower http://localhost:5555/
#
# With a running Docker engine: `docker compose up --build` (PostgreSQL, Redis, web, worker,
# beat, Flower). Without one, a local mode on this machine: a virtualenv, a Redis of its own
# (data in .run/redis/), SQLite (or DATABASE_URL), gunicorn, a Celery worker, beat and Flower,
# each logging to .run/logs/. Ctrl-C stops everything it started. Either way .env is created
# from .env.example first when missing, with random SECRET_KEY, POSTGRES_PASSWORD and
# FLOWER_BASIC_AUTH.
#
# Settings (from the environment, else from .env, else the default):
#   START_MODE     auto (default: docker when `docker info` works), docker or local
#   VENV           the local mode's virtualenv (default .venv; created when missing)
#   WEB_PORT, FLOWER_PORT, REDIS_PORT              default 8000, 5555, 6379
#   DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_PASSWORD, DJANGO_SUPERUSER_EMAIL
#                  create this admin user (kept as it is when it exists)
#   DATABASE_URL   local mode: PostgreSQL instead of the SQLite file db.sqlite3
#   PYTHON         local mode: the Python that creates the virtualenv (default python3)
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
PROJECT="$(pwd -P)"
RUN_DIR="$PROJECT/.run"
LOG_DIR="$RUN_DIR/logs"
PID_FILE="$RUN_DIR/start.pid"

say() { printf 'start.sh: %s\n' "$*"; }
die() { printf 'start.sh: %s\n' "$*" >&2; exit 1; }

# --- .env --------------------------------------------------------------------------------------

# The last value given to KEY in .env, without quotes; empty when absent.
env_file_value() {
    [ -f .env ] || return 0
    sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" .env | tail -n 1 \
        | sed -e 's/[[:space:]]*$//' -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

# KEY from the environment, else from .env, else DEFAULT: the precedence Django's settings use.
setting() {
    local value="${!1:-}"
    [ -n "$value" ] || value="$(env_file_value "$1")"
    printf '%s' "${value:-$2}"
}

# Set KEY=VALUE in .env in place (appended when absent). The file stays private (0600).
set_env_file_value() {
    local tmp
    tmp="$(mktemp "$PROJECT/.env.XXXXXX")"
    awk -v key="$1" -v value="$2" '
        index($0, key "=") == 1 { print key "=" value; done = 1; next }
        { print }
        END { if (!done) print key "=" value }
    ' .env >"$tmp"
    mv "$tmp" .env
}

# N random letters and digits (no SIGPIPE games: each stage reads all of its input).
random_text() {
    local text
    text="$(head -c 96 /dev/urandom | base64 | tr -d '\n+/=')"
    printf '%s' "${text:0:$1}"
}

# Give KEY a random VALUE in .env when neither the environment nor .env has one.
fill_secret() {
    [ -z "$(setting "$1" "")" ] || return 0
    set_env_file_value "$1" "$2"
    say "generated $1 in .env"
}

ensure_env_file() {
    if [ ! -f .env ]; then
        [ -f .env.example ] || die ".env.example is missing: restore it from the repository."
        (umask 077 && cp .env.example .env)
        say "created .env from .env.example"
    fi
    fill_secret SECRET_KEY "$(random_text 64)"
    fill_secret POSTGRES_PASSWORD "$(random_text 32)"
    fill_secret FLOWER_BASIC_AUTH "admin:$(random_text 24)"
}

# --- Docker mode -------------------------------------------------------------------------------

docker_works() {
    command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 \
        && docker compose version >/dev/null 2>&1
}

run_docker() {
    docker_works || die "START_MODE=docker, but no working Docker engine with the compose plugin
(\`docker info\` and \`docker compose version\` must succeed). Start Docker, or use START_MODE=local."
    ensure_env_file
    say "Docker engine found: docker compose up --build (Ctrl-C stops it)."
    say "Admin  http://localhost:$(setting WEB_PORT 8000)/admin/"
    say "Flower http://localhost:$(setting FLOWER_PORT 5555)/  (login: FLOWER_BASIC_AUTH in .env)"
    exec docker compose up --build
}

# --- Local mode: setup -------------------------------------------------------------------------

require_redis() {
    command -v redis-server >/dev/null 2>&1 && return 0
    die "redis-server is not installed (Celery's broker). Install it with
    sudo apt-get install -y redis-server     # Debian, Ubuntu
    brew install redis                       # macOS
and run ./start.sh again."
}

# A virtualenv with requirements.txt installed; pip runs again only when the file changes.
ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        local python
        python="$(setting PYTHON python3)"
        command -v "$python" >/dev/null 2>&1 || die "$python not found: install Python 3.11 or later."
        "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
            || die "$python is older than 3.11: install Python 3.11 or later (or set PYTHON)."
        say "creating the virtualenv $VENV"
        "$python" -m venv "$VENV"
    fi
    local stamp="$VENV/.start-requirements.txt"
    if ! cmp -s requirements.txt "$stamp"; then
        say "installing requirements.txt into $VENV"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r requirements.txt
        cp requirements.txt "$stamp"
    fi
}

# Refuse a second start while one runs; a pid file left by a killed run (its pid gone, or
# reused by another program) is taken over.
claim_pid_file() {
    mkdir -p "$LOG_DIR"
    local other
    if ! (set -o noclobber && printf '%s\n' "$$" >"$PID_FILE") 2>/dev/null; then
        other="$(cat "$PID_FILE" 2>/dev/null || true)"
        if [ -n "$other" ] && [[ "$(ps -p "$other" -o command= 2>/dev/null)" == *start.sh* ]]; then
            die "already running (pid $other): see $LOG_DIR/. Stop it with Ctrl-C in its terminal
or: kill $other"
        fi
        printf '%s\n' "$$" >"$PID_FILE"
    fi
    owns_pid_file=1
}

create_admin() {
    local username
    username="$(setting DJANGO_SUPERUSER_USERNAME "")"
    if [ -z "$username" ] || [ -z "$(setting DJANGO_SUPERUSER_PASSWORD "")" ]; then
        say "no admin user requested. Create one with: $PY manage.py createsuperuser"
        say "(or set DJANGO_SUPERUSER_USERNAME, DJANGO_SUPERUSER_PASSWORD and _EMAIL in .env)"
        return 0
    fi
    local output
    if output="$("$PY" manage.py createsuperuser --noinput 2>&1)"; then
        say "created the admin user $username"
    elif [[ "$output" == *"already taken"* ]]; then
        say "the admin user $username exists: kept as it is"
    else
        printf '%s\n' "$output" >&2
        die "could not create the admin user $username"
    fi
}

# --- Local mode: the processes -----------------------------------------------------------------

child_names=()
child_pids=()
owns_pid_file=0

# Run a command in the background, in a process group of its own (set -m) so that stopping it
# reaches everything it forks, with stdin closed and its output in .run/logs/NAME.log.
start_child() {
    local name="$1"
    shift
    set -m
    "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
    set +m
    child_names+=("$name")
    child_pids+=("$!")
    say "started $name (pid $!), log .run/logs/$name.log"
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# Stop the children newest first (Redis last: the others need it to shut down cleanly), each
# with SIGTERM and up to 30 s before SIGKILL, so that nothing is left running.
stop_children() {
    local i=${#child_pids[@]} pid tries
    while [ "$i" -gt 0 ]; do
        i=$((i - 1))
        pid="${child_pids[$i]}"
        group_alive "$pid" || continue
        kill -TERM -- "-$pid" 2>/dev/null || true
        tries=0
        while group_alive "$pid" && [ "$tries" -lt 150 ]; do
            sleep 0.2
            tries=$((tries + 1))
        done
        if group_alive "$pid"; then
            say "${child_names[$i]} did not stop in 30 s: killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
}

on_exit() {
    local status=$?
    set +o errexit
    # Output whose reader has gone (`./start.sh | tee run.log`, then Ctrl-C) fails quietly
    # instead of killing this shell with SIGPIPE halfway, which would leave the children running.
    trap '' INT TERM PIPE
    trap - EXIT
    if [ "${#child_pids[@]}" -gt 0 ]; then
        say "stopping..."
        stop_children
        say "stopped"
    fi
    if [ "$owns_pid_file" = 1 ]; then rm -f "$PID_FILE"; fi
    exit "$status"
}

redis_answers() { [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null || true)" = PONG ]; }

# The HTTP status of URL, 000 when nothing answers.
http_status() {
    "$PY" - "$1" <<'EOF'
import sys
import urllib.error
import urllib.request

try:
    print(urllib.request.urlopen(sys.argv[1], timeout=2).status)
except urllib.error.HTTPError as error:
    print(error.code)
except OSError:
    print("000")
EOF
}

# Wait up to SECONDS until CHECK succeeds; fail with the log of NAME if it exits first.
wait_for() {
    local what="$1" seconds="$2" name="$3" check="$4" pid="${child_pids[${#child_pids[@]} - 1]}"
    local deadline=$((SECONDS + seconds))
    until "$check"; do
        kill -0 "$pid" 2>/dev/null || {
            tail -n 30 "$LOG_DIR/$name.log" >&2
            die "$name exited before $what: see .run/logs/$name.log"
        }
        [ "$SECONDS" -lt "$deadline" ] || die "no $what after $seconds s: see .run/logs/$name.log"
        sleep 0.2
    done
}

web_answers() { [ "$(http_status "http://127.0.0.1:$WEB_PORT/admin/login/")" = 200 ]; }
flower_answers() { [ "$(http_status "http://127.0.0.1:$FLOWER_PORT/healthcheck")" = 200 ]; }

start_redis() {
    if command -v redis-cli >/dev/null 2>&1 && redis_answers; then
        say "a Redis already answers on port $REDIS_PORT: using it"
        return 0
    fi
    mkdir -p "$RUN_DIR/redis"
    start_child redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
        --dir "$RUN_DIR/redis" --appendonly yes --daemonize no
    wait_for "Redis on port $REDIS_PORT" 30 redis redis_answers
}

# Exit (stopping everything) as soon as one child has exited by itself.
supervise() {
    local i
    while :; do
        for ((i = 0; i < ${#child_pids[@]}; i++)); do
            if ! kill -0 "${child_pids[$i]}" 2>/dev/null; then
                tail -n 30 "$LOG_DIR/${child_names[$i]}.log" >&2
                die "${child_names[$i]} exited: see .run/logs/${child_names[$i]}.log"
            fi
        done
        sleep 1
    done
}

run_local() {
    VENV="$(setting VENV "$PROJECT/.venv")"
    PY="$VENV/bin/python"
    require_redis
    ensure_venv
    ensure_env_file
    WEB_PORT="$(setting WEB_PORT 8000)"
    FLOWER_PORT="$(setting FLOWER_PORT 5555)"
    REDIS_PORT="$(setting REDIS_PORT 6379)"
    # Celery talks to the Redis started here; Flower reads its login from the environment.
    export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0"
    export CELERY_RESULT_BACKEND="$CELERY_BROKER_URL"
    FLOWER_BASIC_AUTH="$(setting FLOWER_BASIC_AUTH "")"
    export FLOWER_BASIC_AUTH
    export PYTHONUNBUFFERED=1

    claim_pid_file
    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # The reader of the output went away (the pipe closed): stop everything, as for Ctrl-C.
    trap 'exit 141' PIPE

    local database="SQLite (db.sqlite3)"
    [ -z "$(setting DATABASE_URL "")" ] || database="DATABASE_URL"
    say "local mode (no Docker engine, or START_MODE=local); database: $database"
    start_redis
    "$PY" manage.py migrate --noinput
    "$PY" manage.py collectstatic --noinput >/dev/null
    create_admin

    local celery="$VENV/bin/celery"
    start_child web "$VENV/bin/gunicorn" budget_system.wsgi --bind "127.0.0.1:$WEB_PORT" \
        --workers 2 --access-logfile -
    wait_for "the admin on port $WEB_PORT" 60 web web_answers
    start_child worker "$celery" -A budget_system worker --loglevel=INFO --concurrency=2
    start_child beat "$celery" -A budget_system beat --loglevel=INFO \
        --scheduler=django_celery_beat.schedulers:DatabaseScheduler
    start_child flower "$celery" -A budget_system flower --address=127.0.0.1 \
        --port="$FLOWER_PORT"
    wait_for "Flower on port $FLOWER_PORT" 60 flower flower_answers

    say "  Admin   http://localhost:$WEB_PORT/admin/"
    say "  Flower  http://localhost:$FLOWER_PORT/   login ${FLOWER_BASIC_AUTH%%:*} / ${FLOWER_BASIC_AUTH#*:}"
    say "  Redis   127.0.0.1:$REDIS_PORT    logs: .run/logs/"
    say "  Demo data: $PY manage.py seed_demo"
    # Last: whoever waits for this line has read everything this script prints until it stops.
    say "running. Ctrl-C stops everything."
    supervise
}

mode="$(setting START_MODE auto)"
case "$mode" in
    auto) if docker_works; then run_docker; else run_local; fi ;;
    docker) run_docker ;;
    local) run_local ;;
    *) die "START_MODE must be auto, docker or local (not '$mode')" ;;
esac
