#!/usr/bin/env bash
# End-to-end tests of the demo in a real browser: edgeflag serve, the edge worker on workerd
# (Miniflare) serving www/ with the bootstrap, and the page in Debian's Chromium driven by
# playwright-core. The stack is started by www/stack.mjs, the same code as www/demo.sh.
#
# Usage: www/test/run.sh [test files...]
#   Installs and builds what the demo needs (www/demo.sh --prepare), Debian's chromium
#   (tests/setup.sh ensure_browser), this folder's dependencies with `npm ci` when missing or
#   outdated; then runs node --test. Screenshots go to target/e2e/; after a green run the
#   README's (the admin UI and the storefront) are copied to www/screenshots/.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
. "$ROOT/tests/setup.sh"

"$ROOT/www/demo.sh" --prepare
ensure_browser
# The admin UI's tests run once more against a PostgreSQL store they start themselves.
ensure_apt postgresql

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || [ ! -e node_modules/playwright-core/package.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi

if [ "$#" -eq 0 ]; then
  set -- ./*.test.mjs
fi
node --test --test-timeout=180000 --test-concurrency=1 "$@"
if [ "$*" = "$(echo ./*.test.mjs)" ]; then
  EDGEFLAG_ADMIN_STORE=postgres node --test --test-timeout=180000 ./admin-flags.test.mjs
fi
# The README's screenshots are these tests' own: refreshed after a green run of them all (a
# run of some files only would copy whatever an earlier run left in target/e2e).
if [ "$*" = "$(echo ./*.test.mjs)" ]; then
  mkdir -p "$ROOT/www/screenshots"
  for shot in admin-list admin-editor admin-tryit admin-audit admin-experiments admin-demo-killed storefront-killed storefront-rollback; do
    if [ -f "$ROOT/target/e2e/$shot.png" ]; then cp "$ROOT/target/e2e/$shot.png" "$ROOT/www/screenshots/$shot.png"; fi
  done
fi
