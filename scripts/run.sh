#!/usr/bin/env bash
# Sets up and runs Earshot against a local LiveKit dev server (with redis and demo
# callers) that this script starts and stops. Pass --no-dev-server to skip the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh run

dev_server=1
[ "${1:-}" = "--no-dev-server" ] && dev_server=0

work=$(mktemp -d -t earshot-run.XXXXXX)
pids=()      # livekit-server, redis, Xvfb: stopped last
callers=()   # demo callers: they leave when their stdin (a FIFO this script holds) closes
app_pid=""
# Whether a process runs: an exited child this shell has not reaped yet (a zombie, which
# `kill -0` still finds while a trap runs) does not.
running() {
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ]
}
# Waits up to $1 tenths of a second for the given pids to exit.
wait_gone() {
  local tenths=$1; shift
  for _ in $(seq "$tenths"); do
    local alive=0
    for pid in "$@"; do running "$pid" && alive=1; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}
# Kills what still runs of the given pids, saying which.
force() {
  for pid in "$@"; do
    if running "$pid"; then
      echo "==> $(cat "/proc/$pid/comm" 2>/dev/null) did not stop in time: killed" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}
cleanup() {
  trap - EXIT INT TERM
  # The app and the callers first: callers hang up cleanly once the FIFO closes, so the
  # server has no one left to drain and stops at once on SIGTERM.
  if [ -n "$app_pid" ]; then
    pkill -TERM -P "$app_pid" 2>/dev/null || true
    kill "$app_pid" 2>/dev/null || true
  fi
  exec 9>&-
  if ! wait_gone 30 ${app_pid:+"$app_pid"} "${callers[@]}"; then
    force ${app_pid:+"$app_pid"} "${callers[@]}"
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait_gone 50 "${pids[@]}" || force "${pids[@]}"
  rm -rf "$work"
  exit 0
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "==> building Earshot"
cargo build -q -p earshot

if [ "$dev_server" = 1 ]; then
  port=7880; port_free 7880 || port=$(free_port)
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  cat >"$work/livekit.yaml" <<YAML
port: $port
bind_addresses: ["127.0.0.1"]
rtc:
  tcp_port: $(free_port)
  udp_port: $(free_port)
  use_external_ip: false
  node_ip: 127.0.0.1
redis:
  address: 127.0.0.1:$redis_port
YAML
  # The dev key pair is LiveKit's well-known one for --dev; it is passed in the
  # environment, never written to a file.
  export LIVEKIT_KEYS="devkey: secret"
  livekit-server --config "$work/livekit.yaml" --dev --bind 127.0.0.1 >"$work/livekit.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:$port/" >/dev/null || { echo "livekit-server did not start:"; tail -30 "$work/livekit.log"; exit 1; }
  echo "==> LiveKit dev server on ws://127.0.0.1:$port (log: $work/livekit.log)"

  export LIVEKIT_URL="ws://127.0.0.1:$port" LIVEKIT_API_KEY=devkey LIVEKIT_API_SECRET=secret
  # A caller stays until its stdin closes: they all read a FIFO whose only writer is this
  # script (nothing started after this inherits fd 9), so they hang up by themselves when it
  # ends, however it ends.
  mkfifo "$work/hold"
  exec 9<>"$work/hold"
  epoch=$(date +%s)
  for caller in "alice Alice agent" "bob Bob customer"; do
    set -- $caller
    "$EARSHOT_PYTHON" scripts/demo/caller.py --room demo-call --identity "$1" --name "$2" \
      --role "$3" --epoch "$epoch" <"$work/hold" 9>&- >"$work/caller-$1.log" 2>&1 &
    callers+=($!)
  done
  # A second, quieter room: one caller on hold music (a tone), to have more than one call.
  # Carol stays on hold until the run ends (peer.py leaves after 10 minutes by default).
  "$EARSHOT_PYTHON" tests/peers/peer.py --room demo-hold --identity carol --tone 330 \
    --seconds 604800 <"$work/hold" 9>&- >"$work/caller-carol.log" 2>&1 &
  callers+=($!)
  echo "==> demo calls: alice and bob talking in demo-call, carol on hold in demo-hold"
  export EARSHOT_DEV_URL="ws://127.0.0.1:$port" EARSHOT_DEV_API_KEY=devkey EARSHOT_DEV_API_SECRET=secret
  unset LIVEKIT_API_SECRET
fi

app="$CARGO_TARGET_DIR/debug/earshot"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "==> no display found: starting a virtual one (Xvfb :77); the window is not visible"
  Xvfb :77 -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 9>&- &
  pids+=($!)
  export DISPLAY=:77
fi
# The app runs in the background and this script waits for it: bash runs a trap only between
# commands, so with the app in the foreground Ctrl-C or SIGTERM did nothing until it exited.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  # No desktop session: a throwaway keyring lives as long as this run, and so do the app's
  # settings, or "Local dev server" would stay in them without its secret.
  echo "==> no desktop session bus: using a temporary GNOME keyring and settings for this run"
  # Its keyring file lives in this run's temp dir, so it never meets (or asks for the
  # password of) a login keyring already in ~/.local/share/keyrings.
  mkdir -p "$work/keyring" "$work/data"
  export EARSHOT_DATA_DIR="$work/data"
  dbus-run-session -- bash -c 'echo -n earshot | XDG_DATA_HOME="$1" gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0"' "$app" "$work/keyring" 9>&- &
else
  "$app" 9>&- &
fi
app_pid=$!
wait "$app_pid" || true
