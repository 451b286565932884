#!/usr/bin/env bash
# The one-command demo: the owning backend (`edgeflag serve`, embedded example, a generated
# ingest key, guards judged every 2 s), the edge worker on workerd (Miniflare) serving www/
# with the bootstrap injected and, as a second instance, /release/* in canary mode in front
# of a stable and a canary origin, the page verifying and evaluating in the browser and
# sending its checkout experiment's exposures and purchases, simulated shoppers, and the
# backend's admin UI. Prints the page's URL, the admin UI's URL, its token, the ingest key,
# a kill-switch curl, the experiment's and the canary plan's URLs and the curl that breaks
# the canary origin; Ctrl-C (or SIGTERM) stops everything.
#
# Usage: www/demo.sh            (PORT=8080 www/demo.sh for a fixed page port; default: a free one;
#                                EDGEFLAG_DEMO_SHOPPERS=0: no simulated shoppers)
#        www/demo.sh --prepare  installs and builds only (www/test/run.sh uses it), then exits
#
# Idempotent: installs what is missing (tests/setup.sh), builds the CLI (cargo, incremental),
# assembles pkg/ when missing or stale, installs worker/node_modules when missing or stale.
# The start-up itself is www/stack.mjs, shared with the end-to-end tests (www/test/).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. tests/setup.sh

say() { echo "edgeflag demo: $*" >&2; }

ensure_node
ensure_rust

say "building the CLI (cargo build --release -p edgeflag-cli)"
cargo build --release -p edgeflag-cli --quiet

# pkg/: assembled when missing or older than its sources.
ensure_wasm_pack
node pkg-template/assemble.mjs --if-stale

# worker/node_modules: only when missing or older than the lock file (the worker's own rule).
if [ ! -f worker/node_modules/.package-lock.json ] || [ worker/package-lock.json -nt worker/node_modules/.package-lock.json ] \
  || [ ! -e worker/node_modules/miniflare/package.json ]; then
  say "installing the worker's dependencies (npm ci --ignore-scripts)"
  (cd worker && npm ci --ignore-scripts --no-audit --no-fund)
fi

if [ "${1:-}" = "--prepare" ]; then
  exit 0
fi

# The stack runs in its own process group (setsid), so stopping it takes every child with it:
# node, edgeflag serve and workerd.
pid=
stop() {
  trap - INT TERM HUP EXIT
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # node stops its children gracefully; give it a few seconds, then take the group down.
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  if [ -n "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop; exit 129' HUP
trap stop EXIT

say "starting the backend and the worker"
setsid node "$ROOT/www/stack.mjs" &
pid=$!
wait "$pid"
