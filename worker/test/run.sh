#!/usr/bin/env bash
# The worker's tests under real workerd (Miniflare): every endpoint, the shared evaluation
# vectors through OFREP, the fault matrix against a real local origin, the Cache API
# last-known-good, middleware and HTML injection, canary stickiness, a real OpenFeature OFREP
# client from npm, events and their forwarding (to a local ingest server, and to the real
# `edgeflag serve`, which this script builds), and `wrangler deploy --dry-run`.
#
# Usage: worker/test/run.sh [test files...]
#   Prepares first (test/prepare.sh: ../pkg assembled if stale, `npm ci` if needed, the bundle
#   built), then runs the suites; exits non-zero when any test fails.
#   EDGEFLAG_TEST_CONCURRENCY (default 4) is how many suite files run at once.
set -euo pipefail
source "$(dirname "$0")/prepare.sh"
if [ "$#" -eq 0 ]; then
  set -- test/*.test.mjs
fi
# backend.test.mjs runs the real `edgeflag serve`: build it (a no-op when it is up to date).
if [[ " $* " == *backend.test.mjs* ]] && [ -z "${EDGEFLAG_BIN:-}" ]; then
  cargo build -p edgeflag-cli --quiet
fi
exec node --test --test-timeout=180000 --test-concurrency="${EDGEFLAG_TEST_CONCURRENCY:-4}" "$@"
