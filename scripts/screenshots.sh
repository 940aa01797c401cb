#!/usr/bin/env bash
# Renews README's screenshots (docs/screenshots/*.png) on the real window against a local
# LiveKit dev server with Python SDK callers and a voice agent (tests/tests/screenshots.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh test
echo "==> building the app and the screenshot run"
cargo build -q -p earshot
cargo test -q -p earshot-e2e --test screenshots --no-run
export EARSHOT_APP_BINARY="$CARGO_TARGET_DIR/debug/earshot"
bash scripts/session.sh cargo test -q -p earshot-e2e --test screenshots -- --ignored --nocapture
ls -l docs/screenshots
