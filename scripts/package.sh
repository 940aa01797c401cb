#!/usr/bin/env bash
# Builds the release app and its Linux installers (.deb, .rpm) with Tauri's bundler, then
# tests the .deb as a user gets it: installed with dpkg, the installed app driven on the
# real window with the real Secret Service, then purged (tests/tests/package.rs). Prints
# figures (package and wasm sizes, start-up, idle memory); none is asserted.
# Needs root (dpkg) like the other scripts' apt step. Slow: a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh package

echo "==> release build and installers (tauri build --bundles deb,rpm)"
# AppImage is not built: Tauri's AppImage bundler downloads linuxdeploy, its GTK plugin and
# appimagetool from GitHub at bundle time, and none of them is on crates.io, PyPI, npm, the
# Go module proxy or in Debian (see README, Building installers).
"$EARSHOT_TAURI_CLI" build --ci --bundles deb,rpm
bundle="$CARGO_TARGET_DIR/release/bundle"
deb=$(ls -t "$bundle"/deb/*.deb | head -1)
rpm=$(ls -t "$bundle"/rpm/*.rpm | head -1)

echo "==> the installed .deb: install, start, keychain, purge"
figures=$(mktemp -t earshot-figures.XXXXXX)
trap 'rm -f "$figures"' EXIT
cargo test -q -p earshot-e2e --test package --no-run
EARSHOT_DEB="$deb" EARSHOT_FIGURES="$figures" bash scripts/session.sh \
  cargo test -q -p earshot-e2e --test package -- --ignored --nocapture

wasm=ui/dist/earshot_ui_bg.wasm
echo
echo "==> figures (measured, not asserted)"
echo "deb: $deb"
echo "  $(stat -c %s "$deb") bytes; installed size $(dpkg-deb --field "$deb" Installed-Size) KiB"
echo "rpm: $rpm"
echo "  $(stat -c %s "$rpm") bytes"
echo "app binary (release, stripped): $(stat -c %s "$CARGO_TARGET_DIR/release/earshot") bytes"
echo "UI wasm (opt-level z, LTO): $(stat -c %s "$wasm") bytes, $(gzip -9c "$wasm" | wc -c) gzipped"
cat "$figures"
