#!/usr/bin/env bash
# Sets up and runs Earshot's benchmarks, printing figures (no pass/fail):
#  1. listen: join -> first audio (Earshot vs the official browser SDK in chromium, same
#     server and room), RTP arrival -> frame latency, and the cost of listening to 10 rooms
#     x 2 speakers (Earshot vs chromium + livekit-client);
#  2. wallboard: refresh + diff at 10,000 SYNTHETIC rooms / 50,000 participants and a
#     200-room real-server run;
#  3. wallboard window: delta render and scrolling of 10,000 SYNTHETIC rooms in the app;
#  4. listen window: CPU of every app process listening to 2 rooms (Listen page shown, then
#     another page) and idle on the Rooms page;
#  5. journal: audit insert rate, a filtered page at 1,000,000 events, size per million,
#     on SQLite and a real PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh test

# The browser side: Debian chromium and the pinned npm packages (bench only, not tests).
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  _step "apt: installing chromium"
  $_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $_sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
command -v node >/dev/null || { echo "Node.js is missing (needed for the browser comparison)." >&2; exit 1; }
_step "npm ci (bench/browser: livekit-client, playwright-core)"
(cd bench/browser && npm ci --no-audit --no-fund --silent)

# Each part reports its own failure and the next one still runs; the exit status says
# whether any failed.
failed=()

_step "bench: listen (release)"
cargo bench -q -p earshot-core --bench listen 2>&1 | grep -v "Attempted to drop unknown FFI handle" \
  || failed+=("listen")

_step "bench: wallboard (release)"
cargo bench -q -p earshot-core --bench wallboard || failed+=("wallboard")

_step "bench: journal (release; SQLite and PostgreSQL, 1,000,000 events each)"
cargo bench -q -p earshot-journal --bench journal || failed+=("journal")

_step "bench: the app window (wallboard with 10,000 SYNTHETIC rooms; listening CPU)"
cargo build -q -p earshot
export EARSHOT_APP_BINARY="$CARGO_TARGET_DIR/debug/earshot"
# The session bus and the portals it starts are chatty on stderr; keep that in a log that is
# shown only if a window bench fails.
bus_log=$(mktemp -t earshot-bench-bus.XXXXXX)
trap 'rm -f "$bus_log"' EXIT
dbus-run-session -- bash -c '
  set -uo pipefail
  keyring_home=$(mktemp -d -t earshot-keyring.XXXXXX)
  echo -n earshot-bench | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  display=:$((90 + RANDOM % 400))
  Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap "kill $xvfb 2>/dev/null || true; rm -rf $keyring_home" EXIT
  export DISPLAY=$display
  status=0
  cargo bench -q -p earshot-e2e --bench wallboard_ui 2>&1 \
    | grep -E "first load|render|scroll|baseline|panicked|error" || status=1
  echo
  echo "==> bench: CPU of the app listening to 2 rooms, and idle (real window, real server)" >&2
  cargo bench -q -p earshot-e2e --bench listen_ui 2>&1 \
    | grep -E "^(idle|listening)|panicked|error" || status=1
  exit $status
' 2>"$bus_log" || { tail -40 "$bus_log" >&2; failed+=("app window"); }

if [ ${#failed[@]} -gt 0 ]; then
  echo "bench parts that failed: ${failed[*]}" >&2
  exit 1
fi
