#!/usr/bin/env bash
# Runs a command (the test suite) with the system services the tests need: installs what is
# missing from Debian's packages, starts throw-away servers on local ports, stops them after.
# Used by `make test`, hence by .ci/run; works on a fresh machine as root.
set -euo pipefail
cd "$(dirname "$0")/.."
# useradd and runuser live in the sbin folders, which a minimal PATH (env -i, cron) leaves out
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

cleanup_steps=()
cleanup() {
  for step in "${cleanup_steps[@]:-}"; do [ -n "$step" ] && eval "$step" || true; done
}
trap cleanup EXIT

# --- postgresql (issue 5) ----------------------------------------------------------------
# A throw-away PostgreSQL cluster for the store tests (REEC_TEST_POSTGRES_URL), unless given.
if [ -z "${REEC_TEST_POSTGRES_URL:-}" ]; then
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
    fi
  fi
  if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
    pg_dir="$(mktemp -d /tmp/reec-pg.XXXXXX)"
    pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_pg=()
    if [ "$(id -u)" = 0 ]; then  # initdb refuses to run as root
      id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
      chown postgres "$pg_dir"
      as_pg=(runuser -u postgres --)
    fi
    "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U reec --auth=trust -E UTF8 >/dev/null
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
      -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    cleanup_steps+=("${as_pg[*]} $pg_bin/pg_ctl -D $pg_dir/data -m immediate stop >/dev/null; rm -rf $pg_dir")
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U reec reec_test
    export REEC_TEST_POSTGRES_URL="postgresql://reec@127.0.0.1:$pg_port/reec_test"
  elif [ -n "${CI:-}" ]; then
    echo "test-env: no PostgreSQL available in CI: the store tests must run on both backends" >&2
    exit 1
  else
    echo "test-env: no PostgreSQL available; store tests run on SQLite only" >&2
  fi
fi
# --- end postgresql ----------------------------------------------------------------------

# --- chromium (issue 6) ------------------------------------------------------------------
# The web-page tests (tests/web) drive Debian's Chromium through Playwright for Python
# (`npx playwright install` cannot download its own browser here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test-env: installing Debian's chromium for the browser tests" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "test-env: /usr/bin/chromium missing and not root: tests/web will skip (fail in CI)" >&2
  fi
fi
# --- end chromium ------------------------------------------------------------------------

# --- CJK font (issue 14) ----------------------------------------------------------------
# The desk's PDFs (Compliance Notice, application pack) embed Debian's WenQuanYi Micro Hei so
# Chinese text is real text; tests/desk checks it with pypdf.
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test-env: installing Debian's fonts-wqy-microhei for the desk's PDFs" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null
  else
    echo "test-env: fonts-wqy-microhei missing and not root: PDF tests will fail" >&2
  fi
fi
# --- end CJK font ------------------------------------------------------------------------

"$@"
