#!/usr/bin/env bash
# Runs a command inside one D-Bus session with an unlocked gnome-keyring (a real Secret
# Service) and one Xvfb display; both end with it. Used by test.sh and package.sh.
exec dbus-run-session -- bash -c '
  set -euo pipefail
  # A throwaway keyring file, so an existing login keyring never prompts for its password.
  keyring_home=$(mktemp -d -t earshot-keyring.XXXXXX)
  echo -n earshot-test | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  display=:$((90 + RANDOM % 400))
  Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap "kill $xvfb 2>/dev/null || true; rm -rf $keyring_home" EXIT
  export DISPLAY=$display
  "$@"
' earshot-session "$@"
