#!/usr/bin/env bash
# Install the test dependencies into .venv and run the whole test suite.
#
# The suite runs on SQLite. It runs a second time on PostgreSQL (a throwaway database on
# 127.0.0.1:5432, user postgres) when CI is set or PostgreSQL answers; in CI, PostgreSQL is started
# first if it is down, and its absence is an error.
#
# The two runs are independent (each has its own databases, index folders and ports), so they run
# at the same time: much of the suite waits on browsers, subprocesses and the database rather than
# the CPU. Set KIOSK_TEST_SERIAL=1 to run them one after the other. The PostgreSQL run's output is
# shown after the SQLite run's.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

# The browser tests drive Debian's Chromium through Playwright (never `playwright install`, which
# downloads a browser): ../shared/tools/install-browser.sh installs chromium, fonts-liberation and
# libzbar0 with apt when they are missing, then launches Chromium once as a smoke test.
BROWSER_INSTALLER=${BROWSER_INSTALLER:-../shared/tools/install-browser.sh}
if [ -f "$BROWSER_INSTALLER" ]; then
  PYTHON=.venv/bin/python SKIP_PIP=1 bash "$BROWSER_INSTALLER"
elif [ -n "${CI:-}" ]; then
  echo "error: $BROWSER_INSTALLER is missing; CI runs the browser tests" >&2
  exit 1
else
  echo "== $BROWSER_INSTALLER not found: browser tests skip unless /usr/bin/chromium is there"
fi

pg_up() { .venv/bin/python - "$PG_HOST" "$PG_PORT" <<'PY'
import sys, psycopg
try:
    psycopg.connect(host=sys.argv[1], port=int(sys.argv[2]), user="postgres", dbname="postgres", connect_timeout=3).close()
except Exception:
    sys.exit(1)
PY
}

if [ -n "${CI:-}" ] && ! pg_up; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

pg_status_file=$(mktemp)
pg_log=$(mktemp)
trap 'rm -f "$pg_status_file" "$pg_log"' EXIT

run_on_postgres() {
  local db="kiosk_test_$(date +%s)_$$"
  local url="postgresql+psycopg://postgres@${PG_HOST}:${PG_PORT}/${db}"
  local pg_status=0
  .venv/bin/python - "$PG_HOST" "$PG_PORT" "$db" <<'PY'
import sys, psycopg
with psycopg.connect(host=sys.argv[1], port=int(sys.argv[2]), user="postgres", dbname="postgres", autocommit=True) as c:
    c.execute(f'CREATE DATABASE "{sys.argv[3]}"')
PY
  echo "== test suite on PostgreSQL ($db)"
  # its own temporary folder and no shared pytest cache, so the runs cannot touch each other's files
  local base
  base=$(mktemp -d)
  # The browser tests serve their own site on its own SQLite file (tests/browser/conftest.py) whatever
  # the run's database, so they run in the SQLite run only: here they would repeat it exactly.
  # Only the tests that use the database under test: the rest (word lists, judged sets, the index
  # engine, tests on their own SQLite files) would repeat the SQLite run exactly (tests/conftest.py).
  KIOSK_TEST_DATABASE_ONLY=1 KIOSK_TEST_DATABASE_URL="$url" .venv/bin/python -m pytest -p no:cacheprovider --basetemp "$base/tmp" \
    --ignore=tests/browser "$@" || pg_status=$?
  rm -rf "$base"
  .venv/bin/python - "$PG_HOST" "$PG_PORT" "$db" <<'PY' || true
import sys, psycopg
with psycopg.connect(host=sys.argv[1], port=int(sys.argv[2]), user="postgres", dbname="postgres", autocommit=True) as c:
    c.execute(f'DROP DATABASE IF EXISTS "{sys.argv[3]}" WITH (FORCE)')
PY
  echo "$pg_status" > "$pg_status_file"
}

status=0
pg_pid=""
if pg_up; then
  if [ -n "${KIOSK_TEST_SERIAL:-}" ]; then
    echo "== test suite on SQLite"
    .venv/bin/python -m pytest "$@" || status=$?
    run_on_postgres "$@"
  else
    echo "== the PostgreSQL run starts beside the SQLite run; its output follows the SQLite run's"
    run_on_postgres "$@" > "$pg_log" 2>&1 &
    pg_pid=$!
    echo "== test suite on SQLite"
    .venv/bin/python -m pytest "$@" || status=$?
    wait "$pg_pid" || true
    cat "$pg_log"
  fi
  pg_status=$(cat "$pg_status_file" 2>/dev/null || echo 1)
  [ "${pg_status:-1}" = "0" ] || status=1
else
  echo "== test suite on SQLite"
  .venv/bin/python -m pytest "$@" || status=$?
  if [ -n "${CI:-}" ]; then
    echo "error: PostgreSQL is not reachable at ${PG_HOST}:${PG_PORT}; CI runs the suite on it" >&2
    status=1
  else
    echo "== PostgreSQL not reachable at ${PG_HOST}:${PG_PORT}: the PostgreSQL run was skipped"
  fi
fi
exit $status
