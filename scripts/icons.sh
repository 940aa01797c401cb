#!/usr/bin/env bash
# Makes every desktop platform's icon from the one source, icons/earshot.svg: the PNG sizes
# Tauri bundles (Linux, and the window icon), icon.ico (Windows), icon.icns (macOS) and the
# Square*/StoreLogo PNGs of a Windows Store package. The results are committed and listed
# in tauri.conf.json (bundle.icon); run this again after editing the source.
set -euo pipefail
cd "$(dirname "$0")/.."
EARSHOT_CACHE=${EARSHOT_CACHE:-$HOME/.cache/earshot}
TAURI_CLI_VERSION=$(awk -F= '/^TAURI_CLI_VERSION=/{print $2}' scripts/setup.sh)
cli="$EARSHOT_CACHE/tools/tauri-cli/node_modules/.bin/tauri"
if ! "$cli" --version 2>/dev/null | grep -q " $TAURI_CLI_VERSION$"; then
  mkdir -p "$EARSHOT_CACHE/tools/tauri-cli"
  npm install --prefix "$EARSHOT_CACHE/tools/tauri-cli" --no-audit --no-fund --silent "@tauri-apps/cli@$TAURI_CLI_VERSION"
fi
out=$(mktemp -d -t earshot-icons.XXXXXX)
trap 'rm -rf "$out"' EXIT
"$cli" icon icons/earshot.svg --output "$out" >"$out/.log" 2>&1 || { cat "$out/.log" >&2; exit 1; }
# Earshot is a desktop app: the Android and iOS sets are not kept.
rm -rf "$out/android" "$out/ios"
find icons -maxdepth 1 -type f ! -name earshot.svg -delete
cp "$out"/* icons/
ls icons
