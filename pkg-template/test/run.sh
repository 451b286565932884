#!/usr/bin/env bash
# Tests of the assembled npm package (node --test): vectors, the vendors' conformance suites
# (tests/conformance/translated), envelope rejection, the client
# against a real local HTTP server with injected faults, OpenFeature with the real SDKs, the
# testing helpers, and `npm pack` installed into a fresh project (ESM, CommonJS, tsc).
#
# Usage: pkg-template/test/run.sh [--assemble] [test files...]
#   Assembles pkg/ first when it is missing, older than its sources, or --assemble is given;
#   installs this folder's dependencies with `npm ci` when they are missing or outdated.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)

assemble=0
if [ "${1:-}" = "--assemble" ]; then
  assemble=1
  shift
fi
if [ "$assemble" = 1 ]; then
  node "$ROOT/pkg-template/assemble.mjs"
else
  node "$ROOT/pkg-template/assemble.mjs" --if-stale
fi

# `edgeflag` is a file: dependency on ../../pkg (a symlink), so tests import it by name and
# exercise the package's exports conditions like an application would.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ ! -e node_modules/edgeflag/package.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi

# The package reaches its peer dependencies (react) from where it really lives, pkg/, as an
# application's node_modules would provide them: point pkg/node_modules at this folder's.
ln -sfn "$PWD/node_modules" "$ROOT/pkg/node_modules"

if [ "$#" -eq 0 ]; then
  set -- ./*.test.mjs
fi
exec node --test --test-timeout=120000 "$@"
