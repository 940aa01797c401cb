#!/usr/bin/env bash
# Installs what Earshot needs to build, run and test, idempotently, into a cache dir.
# Sourced by run.sh, test.sh and package.sh:  source scripts/setup.sh run|test|package
# Everything comes from Debian packages, crates.io, the Go module proxy and PyPI.

EARSHOT_CACHE=${EARSHOT_CACHE:-$HOME/.cache/earshot}
export EARSHOT_CACHE
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$EARSHOT_CACHE/target}
LIVEKIT_SERVER_VERSION=v1.13.3
WASM_BINDGEN_VERSION=0.2.130
TAURI_DRIVER_VERSION=2.1.0
CARGO_DENY_VERSION=0.20.2
TAURI_CLI_VERSION=2.12.6
LIVEKIT_PY_VERSION=1.2.1
LIVEKIT_API_PY_VERSION=1.2.2
export PATH="$EARSHOT_CACHE/tools/bin:$EARSHOT_CACHE/go/bin:$HOME/.cargo/bin:$PATH"

_purpose=${1:-test}
# The package command's own test drives the installed app as the tests drive the built one.
_window_tests=0
case "$_purpose" in test|package) _window_tests=1 ;; esac
_sudo=""
[ "$(id -u)" = 0 ] || _sudo="sudo"
_step() { printf '\n==> %s\n' "$*" >&2; }

_apt_packages="build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev libdbus-1-dev cmake file
  redis-server dbus dbus-x11 gnome-keyring python3-venv xvfb xauth curl espeak-ng sox"
# Tests also dial out through livekit-sip (built here with cgo: opus, soxr) to sipp.
[ "$_purpose" = test ] && _apt_packages="$_apt_packages webkit2gtk-driver libopus-dev
  libopusfile-dev libsoxr-dev sip-tester postgresql"
# Installers: the driver runs the installed app in the package test.
[ "$_purpose" = package ] && _apt_packages="$_apt_packages webkit2gtk-driver"

_missing=""
for p in $_apt_packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || _missing="$_missing $p"
done
if [ -n "$_missing" ]; then
  _step "apt: installing$_missing"
  $_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $_sudo apt-get install -y -qq --no-install-recommends $_missing >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || {
  _step "rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
}
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

# wasm-bindgen's CLI must match the library version exactly; no --locked (its lock file
# pins crates that no longer build with current Rust).
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  _step "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install -q --root "$EARSHOT_CACHE/tools" wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if [ "$_window_tests" = 1 ] && ! tauri-driver --help >/dev/null 2>&1; then
  _step "cargo install tauri-driver $TAURI_DRIVER_VERSION"
  cargo install -q --root "$EARSHOT_CACHE/tools" tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
fi
if [ "$_purpose" = test ] && ! cargo deny --version 2>/dev/null | grep -q " $CARGO_DENY_VERSION"; then
  _step "cargo install cargo-deny $CARGO_DENY_VERSION"
  cargo install -q --root "$EARSHOT_CACHE/tools" cargo-deny --version "$CARGO_DENY_VERSION" --locked
fi
# Tauri's CLI (bundler and icon maker), from the npm registry: its package there carries the
# prebuilt CLI, where `cargo install tauri-cli` compiles some 600 crates first.
_tauri_npm="$EARSHOT_CACHE/tools/tauri-cli"
if [ "$_purpose" = package ] && ! "$_tauri_npm/node_modules/.bin/tauri" --version 2>/dev/null | grep -q " $TAURI_CLI_VERSION$"; then
  _step "npm install @tauri-apps/cli $TAURI_CLI_VERSION"
  command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (Debian: nodejs npm)." >&2; exit 1; }
  mkdir -p "$_tauri_npm"
  npm install --prefix "$_tauri_npm" --no-audit --no-fund --silent "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi
export EARSHOT_TAURI_CLI="$_tauri_npm/node_modules/.bin/tauri"

# livekit-server from source through the Go module proxy, pinned.
_lk="$EARSHOT_CACHE/go/bin/livekit-server"
if ! "$_lk" --version 2>/dev/null | grep -q "${LIVEKIT_SERVER_VERSION#v}"; then
  command -v go >/dev/null || { echo "Go is missing: install Go >= 1.26 (https://go.dev/dl)." >&2; exit 1; }
  _step "go install livekit-server $LIVEKIT_SERVER_VERSION"
  mkdir -p "$EARSHOT_CACHE/go/bin"
  GOBIN="$EARSHOT_CACHE/go/bin" GOMODCACHE="$EARSHOT_CACHE/go/mod" GOCACHE="$EARSHOT_CACHE/go/build" \
    GOFLAGS=-modcacherw go install "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_SERVER_VERSION"
  rm -f "$_lk"
  mv "$EARSHOT_CACHE/go/bin/server" "$_lk"
fi

# livekit-sip, LiveKit's SIP worker, pinned by scripts/sip-worker/go.mod and go.sum: the
# tests place real calls through it. Rebuilt only when the pin changes.
_sip="$EARSHOT_CACHE/go/bin/livekit-sip"
_sip_pin=$(sha256sum scripts/sip-worker/go.sum | cut -c1-16)
if [ "$_purpose" = test ] && [ "$(cat "$_sip.pin" 2>/dev/null)" != "$_sip_pin" ]; then
  _step "go build livekit-sip $(awk '/livekit\/sip /{print $3; exit}' scripts/sip-worker/go.mod)"
  mkdir -p "$EARSHOT_CACHE/go/bin"
  (cd scripts/sip-worker && GOMODCACHE="$EARSHOT_CACHE/go/mod" GOCACHE="$EARSHOT_CACHE/go/build" \
    GOFLAGS=-modcacherw go build -o "$_sip" github.com/livekit/sip/cmd/livekit-sip)
  echo "$_sip_pin" > "$_sip.pin"
fi
export EARSHOT_LIVEKIT_SIP="$_sip"

# The official Python SDK, used by the demo callers and as the other participants in tests.
_py="$EARSHOT_CACHE/venv/bin/python"
if ! "$_py" -c "import livekit.rtc, livekit.api, sys; sys.exit(livekit.rtc.__version__ != '$LIVEKIT_PY_VERSION')" 2>/dev/null; then
  _step "pip: livekit $LIVEKIT_PY_VERSION, livekit-api $LIVEKIT_API_PY_VERSION"
  python3 -m venv "$EARSHOT_CACHE/venv"
  "$_py" -m pip install -q --upgrade pip
  "$_py" -m pip install -q "livekit==$LIVEKIT_PY_VERSION" "livekit-api==$LIVEKIT_API_PY_VERSION"
fi
export EARSHOT_PYTHON="$_py"
export EARSHOT_LIVEKIT_SERVER="$_lk"

_step "building the UI (wasm)"
if [ "$_purpose" = package ]; then bash ui/build.sh --dist; else bash ui/build.sh; fi
