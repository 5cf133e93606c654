#!/usr/bin/env bash
# The one test command: lint, format check, and every test (unit, AppTest, real browser).
# Creates .venv in the repo, installs the test dependencies, installs Debian's Chromium when it is
# missing, then runs ruff and pytest. Exits non-zero on any failure, including "no tests ran".
set -euo pipefail

cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=".venv"
CHROMIUM="/usr/bin/chromium"

step() { printf '\n== %s\n' "$*"; }

step "virtual environment ($VENV)"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" --version

step "test dependencies (requirements-dev.txt)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

step "Chromium for the browser tests ($CHROMIUM)"
if [ ! -x "$CHROMIUM" ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO="unavailable"; fi
    fi
    if [ "$SUDO" != "unavailable" ] && command -v apt-get >/dev/null 2>&1 \
        && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            chromium fonts-liberation >/dev/null; then
        echo "installed Debian chromium"
    else
        echo "NOTE: could not install Chromium (needs apt-get and root or passwordless sudo)."
        echo "      Browser tests will be skipped locally; under CI=true they fail."
    fi
fi
if [ -x "$CHROMIUM" ]; then "$CHROMIUM" --version 2>/dev/null || true; fi

# Every check runs even after one fails, so one CI log shows all problems; any failure fails the run.
failed=()

step "ruff check"
"$VENV/bin/ruff" check . || failed+=("ruff check")

step "ruff format --check"
"$VENV/bin/ruff" format --check . || failed+=("ruff format")

step "pytest"
status=0
"$VENV/bin/python" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure"
    failed+=("pytest (no tests)")
elif [ "$status" -ne 0 ]; then
    failed+=("pytest (exit $status)")
fi

if [ "${#failed[@]}" -gt 0 ]; then
    printf '\nFAILED: %s\n' "$(IFS=,; echo "${failed[*]}")"
    exit 1
fi
# Nothing printed after pytest on success: its closing summary line stays the log's last line.
