#!/usr/bin/env bash
# Sets up and runs Earshot against a local LiveKit dev server (with redis and demo
# callers) that this script starts and stops. Pass --no-dev-server to skip the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh run

dev_server=1
[ "${1:-}" = "--no-dev-server" ] && dev_server=0

work=$(mktemp -d -t earshot-run.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # livekit-server drains rooms on SIGTERM, which can take long: 5 s, then it is killed.
  for _ in $(seq 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$work"
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
  # script, so they hang up by themselves when it ends, however it ends.
  mkfifo "$work/hold"
  exec 9<>"$work/hold"
  epoch=$(date +%s)
  for caller in "alice Alice agent" "bob Bob customer"; do
    set -- $caller
    "$EARSHOT_PYTHON" scripts/demo/caller.py --room demo-call --identity "$1" --name "$2" \
      --role "$3" --epoch "$epoch" <"$work/hold" >"$work/caller-$1.log" 2>&1 &
    pids+=($!)
  done
  # A second, quieter room: one caller on hold music (a tone), to have more than one call.
  "$EARSHOT_PYTHON" tests/peers/peer.py --room demo-hold --identity carol --tone 330 \
    <"$work/hold" >"$work/caller-carol.log" 2>&1 &
  pids+=($!)
  echo "==> demo calls: alice and bob talking in demo-call, carol on hold in demo-hold"
  export EARSHOT_DEV_URL="ws://127.0.0.1:$port" EARSHOT_DEV_API_KEY=devkey EARSHOT_DEV_API_SECRET=secret
  unset LIVEKIT_API_SECRET
fi

app="$CARGO_TARGET_DIR/debug/earshot"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "==> no display found: starting a virtual one (Xvfb :77); the window is not visible"
  Xvfb :77 -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
  pids+=($!)
  export DISPLAY=:77
fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  # No desktop session: a throwaway keyring lives as long as this run.
  echo "==> no desktop session bus: using a temporary GNOME keyring for this run"
  # Its keyring file lives in this run's temp dir, so it never meets (or asks for the
  # password of) a login keyring already in ~/.local/share/keyrings.
  mkdir -p "$work/keyring"
  dbus-run-session -- bash -c 'echo -n earshot | XDG_DATA_HOME="$1" gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0"' "$app" "$work/keyring"
else
  "$app"
fi
