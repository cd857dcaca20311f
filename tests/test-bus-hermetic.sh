#!/bin/sh
# test-bus-hermetic.sh TEST_BUS: the tests' D-Bus session activates only
# the services a test names, whatever the machine has installed (on a GNOME
# desktop: xdg-desktop-portal, which dies under Xvfb).  TAP output.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

test_bus=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ltm-bus-test-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

activatable='dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.ListActivatableNames'

n=0
failed=0
ok () {
  n=$((n + 1))
  if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); fi
}

echo "1..4"
"$test_bus" -- sh -c "$activatable" > "$tmp/plain" 2>&1
ok "a plain test bus activates nothing but the bus itself" \
   '[ "$(grep -c "string \"" "$tmp/plain")" -eq 1 ] && grep -q "\"org.freedesktop.DBus\"" "$tmp/plain"'

"$test_bus" --service org.freedesktop.secrets -- sh -c "$activatable" > "$tmp/named" 2>&1
ok "a named service is activatable, and no other" \
   'grep -q "\"org.freedesktop.secrets\"" "$tmp/named" && [ "$(grep -c "string \"" "$tmp/named")" -eq 2 ]'

"$test_bus" --keyring -- sh -c 'dbus-send --session --print-reply --dest=org.freedesktop.DBus \
  /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets' \
  > "$tmp/keyring" 2>&1
ok "--keyring runs GNOME Keyring on it" 'grep -q "boolean true" "$tmp/keyring"'

"$test_bus" --service org.example.NoSuchService -- true 2> "$tmp/missing"
status=$?
ok "a service that is not installed is refused by name" \
   '[ $status -eq 1 ] && grep -q "no D-Bus service org.example.NoSuchService" "$tmp/missing"'

exit $((failed > 0))
