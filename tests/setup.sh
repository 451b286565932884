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

# The nightly toolchain and cargo-fuzz, for the bounded fuzzing runs.
ensure_fuzz() {
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal || return 1
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
}
