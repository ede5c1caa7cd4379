#!/usr/bin/env bash
# Installs everything Tidings needs to build and test, at pinned versions.
# Each step is guarded, so on a warm machine this takes a second.
# Sourced by the Makefile targets; prints the PATH additions it made.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.10
SCHEMATHESIS_VERSION=3.39.16   # the API fuzzer of `make test` (PyPI)
HYPOTHESIS_VERSION=6.115.0     # newer ones break schemathesis 3.39 ("'many' object has no attribute 'more'")
WASM_BINDGEN_VERSION=0.2.130   # must equal wasm-bindgen in Cargo.lock
TOOLS_DIR=${TIDINGS_TOOLS_DIR:-$HOME/.cache/tidings/tools}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

export PATH="$TOOLS_DIR/bin:$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

lock_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}
locked_bindgen=$(lock_version wasm-bindgen)
if [ -n "$locked_bindgen" ] && [ "$locked_bindgen" != "$WASM_BINDGEN_VERSION" ]; then
  echo "Cargo.lock has wasm-bindgen $locked_bindgen but setup pins $WASM_BINDGEN_VERSION" >&2
  exit 1
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo-leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --root "$TOOLS_DIR"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # No --locked: its lock pins a webpki-roots release the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TOOLS_DIR"
fi

# wasm-opt must come from npm's binaryen: Debian's (v108) writes modules that
# fail at hydration.
if [ ! -x "$ROOT/tools/node_modules/.bin/wasm-opt" ]; then
  log "installing wasm-opt (npm binaryen)"
  npm ci --prefix "$ROOT/tools" --no-audit --no-fund --loglevel=error
fi

# The API fuzzer, in its own virtualenv (serving needs none of this).
if [ "${TIDINGS_SETUP_BROWSER:-1}" = 1 ] \
  && [ "$("$TOOLS_DIR/venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  log "installing schemathesis $SCHEMATHESIS_VERSION"
  python3 -m venv "$TOOLS_DIR/venv"
  "$TOOLS_DIR/venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
fi

if [ "${TIDINGS_SETUP_BROWSER:-1}" = 1 ]; then
  # Chromium, and a colour emoji font: reactions are emoji, and without a
  # font that has them they render as empty boxes.
  packages=""
  [ -x /usr/bin/chromium ] || packages="chromium"
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || packages="$packages fonts-noto-color-emoji"
  if [ -n "$packages" ]; then
    log "installing Debian packages:$packages"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086 # a list of package names
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $packages >/dev/null
  fi
  if [ ! -d "$ROOT/end2end/node_modules/playwright-core" ]; then
    log "installing end2end dependencies (playwright-core)"
    npm ci --prefix "$ROOT/end2end" --no-audit --no-fund --loglevel=error
  fi
fi
