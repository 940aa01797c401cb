#!/usr/bin/env bash
# Builds the UI into ui/dist: the Sycamore app for wasm32, its JS glue (wasm-bindgen, whose
# version must equal the wasm-bindgen crate's) and the static files. Tauri embeds ui/dist
# into the app binary at compile time, so run this before building the app.
#   bash ui/build.sh          quick optimised build (run and test commands)
#   bash ui/build.sh --dist   as the installers ship it: the ui-dist profile (opt-level "z",
#                             LTO, one codegen unit)
set -euo pipefail
cd "$(dirname "$0")"
target=${CARGO_TARGET_DIR:-$(cd .. && pwd)/target}
profile=release
[ "${1:-}" = --dist ] && profile=ui-dist
cargo build -q -p earshot-ui --target wasm32-unknown-unknown --profile "$profile"
rm -rf dist.tmp
mkdir dist.tmp
wasm-bindgen --target web --no-typescript --out-dir dist.tmp --out-name earshot_ui \
  "$target/wasm32-unknown-unknown/$profile/earshot-ui.wasm"
# No wasm-opt pass: Debian 12's binaryen (108) shrinks the module a further 25 % (3.1 to
# 2.4 MB) but the result fails in WebKit at start ("TypeError: Argument value did not match
# the reference type", seen by scripts/package.sh's test of the installed app).
cp static/* dist.tmp/
# Tauri embeds ui/dist and rebuilds the app when its files' times change: an unchanged
# build keeps the files it would replace, so the app is not compiled again for nothing.
if diff -rq dist.tmp dist >/dev/null 2>&1; then
  rm -rf dist.tmp
else
  rm -rf dist
  mv dist.tmp dist
fi
echo "ui/dist: $(du -sh dist | cut -f1) ($(stat -c %s dist/earshot_ui_bg.wasm) bytes of wasm, $profile)" >&2
