#!/usr/bin/env bash
# Gets worker/ ready to run: assembles ../pkg when it is missing or older than its sources
# (`assemble.mjs --if-stale`), installs the dependencies with `npm ci` when they
# are missing or outdated, and builds the bundle with `wrangler deploy --dry-run`.
# Sourced by test/run.sh and load/run.sh; idempotent.
set -euo pipefail
WORKER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$WORKER_DIR/.." && pwd)
cd "$WORKER_DIR"

node "$ROOT/pkg-template/assemble.mjs" --if-stale

# npm 11 runs no install scripts unless allowed; workerd ships its binary as a dependency
# (@cloudflare/workerd-<platform>), so nothing here needs them.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ ! -e node_modules/edgeflag/package.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi

export WRANGLER_SEND_METRICS=false
node --input-type=module -e 'import { buildBundle } from "./test/helpers/worker.mjs"; buildBundle({ force: true });'
