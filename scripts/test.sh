#!/usr/bin/env bash
# Sets up and runs every Earshot test: lint, unit, integration against a real
# livekit-server, and end-to-end on the real app window (Xvfb + tauri-driver).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh test

echo "==> lint: rustfmt, clippy (host and wasm32)"
cargo fmt --all --check
cargo clippy -q --workspace --exclude earshot-ui --all-targets -- -D warnings
cargo clippy -q -p earshot-ui --target wasm32-unknown-unknown -- -D warnings

echo "==> supply chain: cargo deny (licences, bans, sources; see deny.toml)"
cargo deny --log-level error check licenses bans sources

echo "==> UI: the player's ring buffer (node --test on the worklet's own code)"
command -v node >/dev/null || { echo "Node.js is missing (the UI's JavaScript is tested with it)." >&2; exit 1; }
ui_tests=$(node --test ui/tests/ 2>&1) || { echo "$ui_tests"; echo "the UI's JavaScript tests failed" >&2; exit 1; }
echo "$ui_tests" | grep -E "^# (pass|fail) "

echo "==> core's shape: no import circles, no back-pointer to the app, no secret as a String"
cargo test -q -p earshot-core --test module_graph

echo "==> building tests and the app"
cargo test -q --workspace --exclude earshot-ui --no-run
export EARSHOT_APP_BINARY="$CARGO_TARGET_DIR/debug/earshot"

log=$(mktemp -t earshot-tests.XXXXXX)
# One D-Bus session with an unlocked gnome-keyring (the real Secret Service) and one X
# display for the whole run; both end with it.
bash scripts/session.sh \
  cargo test --workspace --exclude earshot-ui --no-fail-fast -- --test-threads=2 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed;' "$log" | awk '{s+=$1} END {print s+0}')
rm -f "$log"
echo
echo "all: $passed passed, $failed failed"
exit "$status"
