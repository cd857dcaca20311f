#!/usr/bin/env bash
# take-screenshots.sh BUILD_DIR: the README's and the metainfo's screenshots,
# taken from the real window under Xvfb, against the project's test server
# (tests/server), in a throwaway store and keyring.  Needs xvfb, xdotool,
# imagemagick and dbus-run-session, on a bus of the tests' own:
#
#   tests/test-bus.sh -- bash data/screenshots/take-screenshots.sh _build
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

build=$(realpath "${1:-_build}")
out=$(realpath "$(dirname "$0")")
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1100x760x24 >/dev/null 2>&1 &
sleep 1
export DISPLAY=$display
export GSETTINGS_SCHEMA_DIR=$build/data GSETTINGS_BACKEND=memory
export SECRET_BACKEND=file SECRET_FILE_TEST_PATH=$tmp/keyring SECRET_FILE_TEST_PASSWORD=screenshots
export GTK_A11Y=none LANGUAGE=${LANGUAGE:-en} LTM_LOCALEDIR=$build/po

ltm=$build/src/cli/ltm
app=$build/src/app/line-token-manager
secret=0123456789abcdef0123456789abcdef

# The window, alone on the screen (no window manager: no shadow to crop).
shoot () {
  sleep "${2:-1.5}"
  import -window "$(xdotool search --sync --name '^LINE Token Manager$' | head -1)" "$out/$1.png"
  echo "data/screenshots/$1.png"
}

start_app () {
  "$app" >/dev/null 2>&1 &
  app_pid=$!
  xdotool search --sync --name '^LINE Token Manager$' >/dev/null
}

stop_app () {
  kill "$app_pid"
  wait "$app_pid" 2>/dev/null || true
}

# 1. The first start.
export LTM_DATA_DIR=$tmp/empty
start_app
shoot welcome
stop_app

# 2. Three channels with keys, kids, secrets and tokens at the test server.
"$build/tests/server/ltm-test-server" --exit-on-eof < <(sleep 600) > "$tmp/server-url" &
sleep 0.5
base=$(head -1 "$tmp/server-url")
export LTM_API_BASE=$base LTM_DATA_DIR=$tmp/data
printf '%s' "$secret" > "$tmp/secret"

add_channel () {  # ID NAME TOKEN-LIFETIMES…
  local id=$1 name=$2 kid
  shift 2
  curl -s -d "{\"channel_id\": \"$id\", \"channel_secret\": \"$secret\"}" "$base/_admin/channels" >/dev/null
  "$ltm" key generate -o "$tmp/$id.json"
  kid=$("$ltm" key public "$tmp/$id.json" |
        curl -s --data-binary @- "$base/_admin/channels/$id/keys" | sed 's/.*"kid": *"\([^"]*\)".*/\1/')
  "$ltm" channel add "$id" --name "$name" --kid "$kid" --key "$tmp/$id.json" \
    --secret-file "$tmp/secret" >/dev/null
  rm "$tmp/$id.json"
  for lifetime in "$@"; do
    "$ltm" token issue --channel "$id" --token-lifetime "$lifetime" >/dev/null
  done
}

add_channel 1657000001 "Café Bot" 30d 20d 5d
add_channel 1657000002 "Shop Bot" 30d
add_channel 1657000003 "Support Bot" 3d
# One of Café Bot's tokens revoked, as a list shows them.
old=$("$ltm" --json token list --channel 1657000001 | python3 -c \
  'import json,sys; print(sorted(json.load(sys.stdin)["tokens"], key=lambda t: t["expires_at"])[1]["key_id"])')
"$ltm" token revoke --channel 1657000001 --key-id "$old" >/dev/null
"$ltm" webhook set --channel 1657000001 https://bot.example.com/line/callback >/dev/null

start_app
gapplication action io.github.ltm.LineTokenManager show-channel "'1657000001'" 2>/dev/null || true
xdotool key --clearmodifiers alt+1
shoot key
xdotool key --clearmodifiers alt+3
shoot tokens
xdotool key --clearmodifiers alt+4
shoot webhook 3
stop_app
