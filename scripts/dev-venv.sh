# shellcheck shell=bash
# Sourced by test.sh and bench.sh: .venv with requirements-dev.txt (which includes requirements.txt).
#
#   dev_venv   create .venv if missing; reinstall only when the requirements files change
#
# The stamp is a hash of both requirements files, kept inside the venv. It writes only to stderr,
# so `./bench.sh --json > bench.json` gets the figures alone.

dev_venv() {
    if [ ! -x .venv/bin/python ]; then
        printf '\n==> %s\n' "Creating .venv" >&2
        python3 -m venv .venv >&2 || return 1
    fi
    local stamp=.venv/.requirements-dev.sha256 want
    want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
        printf '\n==> %s\n' "Installing requirements-dev.txt into .venv" >&2
        .venv/bin/pip install -q -r requirements-dev.txt >&2 || return 1
        printf '%s\n' "$want" >"$stamp"
    fi
}
