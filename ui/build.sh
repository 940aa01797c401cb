#!/usr/bin/env bash
# Builds the UI into ui/dist: the Sycamore app for wasm32, its JS glue (wasm-bindgen, whose
# version must equal the wasm-bindgen crate's) and the static files. Tauri embeds ui/dist
# into the app binary at compile time, so run this before building the app.
#   bash ui/build.sh          quick optimised build (run and test commands)
#   bash ui/build.sh --dist   as the installers ship it: the ui-dist profile (opt-level "z",
#                             LTO, one codegen unit), then binaryen's wasm-opt -Oz
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
if [ "$profile" = ui-dist ]; then
  # wasm-bindgen drops the target_features section, so the features rustc's wasm32 target
  # enables by default are named here; without them wasm-opt rejects the module.
  wasm-opt -Oz --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-reference-types --enable-multivalue \
    dist.tmp/earshot_ui_bg.wasm -o dist.tmp/earshot_ui_bg.opt.wasm
  mv dist.tmp/earshot_ui_bg.opt.wasm dist.tmp/earshot_ui_bg.wasm
fi
cp static/* dist.tmp/
rm -rf dist
mv dist.tmp dist
echo "ui/dist: $(du -sh dist | cut -f1) ($(stat -c %s dist/earshot_ui_bg.wasm) bytes of wasm, $profile)" >&2
