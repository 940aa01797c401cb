#!/usr/bin/env bash
# Builds the UI into ui/dist: the Sycamore app for wasm32, its JS glue (wasm-bindgen, whose
# version must equal the wasm-bindgen crate's) and the static files. Tauri embeds ui/dist
# into the app binary at compile time, so run this before building the app.
set -euo pipefail
cd "$(dirname "$0")"
target=${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}
cargo build -q -p earshot-ui --target wasm32-unknown-unknown --release
rm -rf dist.tmp
mkdir dist.tmp
wasm-bindgen --target web --no-typescript --out-dir dist.tmp --out-name earshot_ui \
  "$target/wasm32-unknown-unknown/release/earshot-ui.wasm"
cp static/* dist.tmp/
rm -rf dist
mv dist.tmp dist
echo "ui/dist: $(du -sh dist | cut -f1) ($(du -h dist/earshot_ui_bg.wasm | cut -f1) wasm)" >&2
