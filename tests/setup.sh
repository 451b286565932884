# Installers shared by tests/run and the demo: each is idempotent and quick when the tool is
# already there. Sourced, not executed.

# The repository, wherever this file is sourced from.
EDGEFLAG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The stable toolchain's components and the targets the suites build for.
ensure_rust() {
  local have
  have=$(rustup component list --installed 2>/dev/null)
  for c in rustfmt clippy; do
    grep -q "^$c" <<<"$have" || rustup component add "$c" || return 1
  done
  have=$(rustup target list --installed 2>/dev/null)
  for t in wasm32-unknown-unknown thumbv7em-none-eabi; do
    grep -qx "$t" <<<"$have" || rustup target add "$t" || return 1
  done
}

# Debian packages, installed only when one is missing (apt-get update once, then install).
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

# wasm-pack, the wasm-bindgen-cli that matches Cargo.lock's wasm-bindgen, and nightly Rust
# with its std sources, which pkg-template/assemble.mjs uses to rebuild std for size.
# wasm-bindgen-cli is installed here rather than left to wasm-pack: wasm-pack would try a
# download first (no such network here) and then `cargo install` it under the caller's
# RUSTFLAGS, which the size build sets for its own crates only. (Not --locked: the registry
# mirror here lacks some of the exact versions its lockfile names.)
ensure_wasm_pack() {
  command -v wasm-pack >/dev/null 2>&1 || cargo install wasm-pack --locked || return 1
  local want
  want=$(grep -A1 '^name = "wasm-bindgen"$' "$EDGEFLAG_ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')
  if [ -n "$want" ] && [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    env -u RUSTFLAGS cargo install wasm-bindgen-cli --version "$want" || return 1
  fi
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal || return 1
  rustup +nightly target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
    || rustup +nightly target add wasm32-unknown-unknown || return 1
  rustup +nightly component list --installed 2>/dev/null | grep -q '^rust-src' \
    || rustup +nightly component add rust-src
}

# Headless Chromium and its WebDriver, for wasm-bindgen browser tests and end-to-end tests.
ensure_browser() {
  ensure_apt chromium chromium-driver
}

# Flags for Debian's chromium launcher (it reads CHROMIUM_FLAGS): root needs --no-sandbox,
# and the closed network here needs background networking off.
export CHROMIUM_FLAGS="--no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --disable-sync --no-first-run"

# Node.js and npm come with the machine; check they are there and recent enough.
ensure_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || ensure_apt nodejs npm
}

# The vendors' own npm libraries (tests/bench/node: @growthbook/growthbook,
# @openfeature/flagd-core), which the benchmarks compare with and the flagd import test checks
# against; `npm ci` only when missing or outdated.
ensure_vendor_libraries() {
  ensure_node || return 1
  (
    cd "$(dirname "${BASH_SOURCE[0]}")/bench/node" || exit 1
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      npm ci --ignore-scripts --no-audit --no-fund
    fi
  )
}

# The nightly toolchain and cargo-fuzz, for the bounded fuzzing runs.
ensure_fuzz() {
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal || return 1
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
}

# A throw-away PostgreSQL server for scripts (the Rust tests have their own, tests/serve/
# postgres.rs): initdb + pg_ctl on a free loopback port in a temporary directory, as the
# `postgres` user when run as root. Sets PG_DIR, PG_PORT and PG_URL; stop_postgres removes it.
start_postgres() {
  ensure_apt postgresql || return 1
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$bin/initdb" ] || { echo "initdb not found"; return 1; }
  PG_BIN=$bin
  PG_DIR=$(mktemp -d /tmp/edgeflag-pg.XXXXXX)
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null || return 1
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null || return 1
  PG_AS=("${as[@]}")
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
  PG_DIR=
}
