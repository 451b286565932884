#!/usr/bin/env bash
# The load test (not part of the pass/fail suite): prepares like test/run.sh, then runs
# load/run.mjs with the given options (--duration, --connections, --max-requests, --flags;
# --mode events [--batch 50] for the events route).
set -euo pipefail
source "$(dirname "$0")/../test/prepare.sh"
exec node load/run.mjs "$@"
