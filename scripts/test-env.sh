#!/usr/bin/env bash
# Runs a command (the test suite) with the system services the tests need: installs what is
# missing from Debian's packages, starts throw-away servers on local ports, stops them after.
# Used by `make test`, hence by .ci/run; works on a fresh machine as root.
set -euo pipefail
cd "$(dirname "$0")/.."

cleanup_steps=()
cleanup() {
  for step in "${cleanup_steps[@]:-}"; do [ -n "$step" ] && eval "$step" || true; done
}
trap cleanup EXIT

# --- postgresql (issue 5) ----------------------------------------------------------------
# --- end postgresql ----------------------------------------------------------------------

# --- chromium (issue 6) ------------------------------------------------------------------
# --- end chromium ------------------------------------------------------------------------

"$@"
