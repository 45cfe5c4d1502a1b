#!/usr/bin/env bash
# The two commands of the README, on a machine that has only Python >= 3.11:
#   ./dev.sh dashboard [ARGS]   create .venv, install, open the dashboard (on demo data when the database is empty)
#   ./dev.sh test [PYTEST ARGS] create .venv, install with the test tools and Chromium, run every check and test;
#                               then the lake's tests (a real PostgreSQL) in .venv-lake, with the lake extra
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
  # $1: the extras (".[test]"); $2: the environment's folder (default $VENV)
  local VENV=${2:-$VENV}
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
  # The browser tests drive Debian's Chromium with Playwright (no browser download needed); the PDF report's
  # charts are drawn by it too (kaleido).
  if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then return; fi
  if command -v apt-get >/dev/null && as_root true 2>/dev/null; then
    echo "installing Chromium (the browser tests, the PDF report's charts)" >&2
    apt_install chromium || echo "Chromium could not be installed (see apt's message): no PDF report, and the browser tests will be skipped" >&2
  else
    echo "Chromium is not installed and cannot be installed here: no PDF report, and the browser tests will be skipped" >&2
  fi
}

ensure_debian() {
  # $1: a command or file that tells the package is there; $2: the Debian package; $3: what it is for.
  if command -v "$1" >/dev/null || [ -e "$1" ]; then return; fi
  if command -v apt-get >/dev/null && as_root true 2>/dev/null; then
    echo "installing $2 ($3)" >&2
    apt_install "$2" || echo "$2 could not be installed (see apt's message): $3 will not work" >&2
  else
    echo "$2 is not installed and cannot be installed here: $3 will not work" >&2
  fi
}

case "${1:-}" in
  dashboard)
    ensure_venv ""
    # The PDF report draws its charts with Chromium (kaleido) and writes with the DejaVu fonts.
    ensure_chromium
    ensure_debian /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core "the PDF report"
    exec "$VENV/bin/advocacy" dashboard --demo "${@:2}"
    ;;
  test)
    ensure_venv "[test]"
    ensure_chromium
    ensure_debian pdftotext poppler-utils "the PDF report's tests"
    ensure_debian /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core "the PDF report"
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
    "$VENV/bin/python" -m pytest "${@:2}"
    # The lake (DuckLake over PostgreSQL): its extensions exist for one DuckDB version, which the lake extra pins,
    # so its tests run in an environment of their own, against a PostgreSQL server they start.
    # Skipped when other tests were named; their options (-q, -k ...) apply.
    lake_args=() run_lake=1
    for arg in "${@:2}"; do
      case "$arg" in tests/lake*) ;; tests/*) run_lake=0 ;; *) lake_args+=("$arg") ;; esac
    done
    if [ "$run_lake" = 1 ]; then
      ensure_debian /usr/lib/postgresql postgresql "the lake's tests"
      ensure_venv "[lake,test]" "$VENV-lake"
      "$VENV-lake/bin/python" -m pytest tests/lake "${lake_args[@]}"
    fi
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
