#!/bin/bash
# test-keyring-killed.sh LTM: the keyring daemon dies while ltm works with it.
#
# A session bus of the test's own, without service activation (a killed
# daemon would otherwise come back locked, waiting for a password prompt),
# with GNOME Keyring on it; the daemon is killed between two changes, and
# while a change runs.  Each time: a clear error, no half-written channel,
# a channel list that still reads.  TAP output.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

ltm=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ltm-keyring-killed-XXXXXX")
bus_pid=""
keyring_pid=""
cleanup () {
  [ -n "$keyring_pid" ] && kill -9 "$keyring_pid" 2>/dev/null
  [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -m 0700 "$tmp/runtime" "$tmp/data" "$tmp/home" "$tmp/ltm"
export XDG_RUNTIME_DIR="$tmp/runtime" XDG_DATA_HOME="$tmp/data" HOME="$tmp/home"
export LTM_DATA_DIR="$tmp/ltm" SECRET_BACKEND=service
unset G_DEBUG LTM_ACCESS_TOKEN LTM_CHANNEL_SECRET
printf '5ecret0123456789abcdef0123456789' > "$tmp/secret"

cat > "$tmp/bus.conf" <<CONF
<busconfig>
  <type>session</type>
  <listen>unix:dir=$tmp/runtime</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

read -r DBUS_SESSION_BUS_ADDRESS bus_pid < <(dbus-daemon --config-file="$tmp/bus.conf" --fork \
  --print-address=1 --print-pid=1 2>/dev/null | paste -s -d ' ')
export DBUS_SESSION_BUS_ADDRESS

start_keyring () {
  printf 'ltm-test' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  keyring_pid=$!
  # ready once it owns the Secret Service name
  for _ in $(seq 50); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
         org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

n=0
failed=0
ok () {
  n=$((n + 1))
  if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); fi
}

echo "1..7"
start_keyring
ok "GNOME Keyring runs on the test's own bus" '[ -n "$keyring_pid" ] && kill -0 "$keyring_pid"'
"$ltm" channel add 1000000001 --name first --secret-file "$tmp/secret" >/dev/null 2>"$tmp/err1"
status=$?
ok "a channel is stored while the keyring runs" '[ $status -eq 0 ] && [ ! -s "$tmp/err1" ]'

kill -9 "$keyring_pid"; wait "$keyring_pid" 2>/dev/null; keyring_pid=""
"$ltm" channel add 1000000002 --name second --secret-file "$tmp/secret" >/dev/null 2>"$tmp/err2"
status=$?
ok "with the keyring gone, adding a channel fails (exit 1)" '[ $status -eq 1 ]'
ok "and says the keyring could not be used, in one line" \
   'grep -q "the desktop keyring could not be used" "$tmp/err2" && [ "$(wc -l < "$tmp/err2")" -eq 1 ]'
"$ltm" --json channel list >"$tmp/list" 2>/dev/null
ok "the list still reads, with the first channel and not the second" \
   'grep -q 1000000001 "$tmp/list" && ! grep -q 1000000002 "$tmp/list"'

# Killed while changes run: a writer that started with the keyring alive.
start_keyring
for i in 3 4 5 6 7 8; do
  "$ltm" channel add 100000000$i --name "n$i" --generate-key --secret-file "$tmp/secret" \
    >/dev/null 2>>"$tmp/err3" &
done
sleep 0.05
kill -9 "$keyring_pid"; keyring_pid=""
wait
"$ltm" --json channel list >"$tmp/list2" 2>"$tmp/err4"
ok "after a kill mid-operation the list still reads" '[ -s "$tmp/list2" ] && [ ! -s "$tmp/err4" ]'
# Every listed channel had its secrets sealed in the same transaction.
start_keyring
"$ltm" channel check >"$tmp/check" 2>&1
status=$?
ok "every sealed secret opens (channel check)" '[ $status -eq 0 ]'

exit $((failed > 0))
