#!/usr/bin/env bash
# The two commands of the README, on a machine that has only Python >= 3.11:
#   ./dev.sh dashboard [ARGS]   create .venv, install, open the dashboard (on demo data when the database is empty)
#   ./dev.sh test [PYTEST ARGS] create .venv, install with the test tools and Chromium, run every check and test
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-.venv}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Debian packages: when another apt or dpkg holds its lock, wait for it (up to 10 minutes) rather than fail.
apt_install() {
  as_root apt-get -o DPkg::Lock::Timeout=600 update -qq &&
    as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    if ! python3 -m venv "$VENV" 2>/dev/null; then
      # Debian and Ubuntu ship venv separately.
      rm -rf "$VENV"
      echo "python3 -m venv failed: installing Debian's python3-venv" >&2
      apt_install python3-venv
      python3 -m venv "$VENV"
    fi
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".$1"
}

ensure_chromium() {
  # The browser tests drive Debian's Chromium with Playwright (no browser download needed).
  if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then return; fi
  if command -v apt-get >/dev/null && as_root true 2>/dev/null; then
    echo "installing Chromium for the browser tests" >&2
    apt_install chromium || echo "Chromium could not be installed (see apt's message): the browser tests will be skipped" >&2
  else
    echo "Chromium is not installed and cannot be installed here: the browser tests will be skipped" >&2
  fi
}

case "${1:-}" in
  dashboard)
    ensure_venv ""
    exec "$VENV/bin/advocacy" dashboard --demo "${@:2}"
    ;;
  test)
    ensure_venv "[test]"
    ensure_chromium
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
    "$VENV/bin/python" -m pytest "${@:2}"
    # A small benchmark, so that a change that breaks it is seen; it prints its figures and asserts no time.
    bench_db="$(mktemp -d)/bench.duckdb"
    "$VENV/bin/advocacy" bench --posts 100000 --runs 2 --db "$bench_db"
    rm -rf "$(dirname "$bench_db")"
    ;;
  *)
    echo "usage: ./dev.sh dashboard [--port N] | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
