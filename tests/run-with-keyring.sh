#!/bin/sh
# run-with-keyring.sh COMMAND [ARG…]: runs COMMAND in a private D-Bus
# session with its own unlocked GNOME Keyring, in a throwaway home: a real
# Secret Service, never the user's.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ltm-keyring-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -m 0700 "$tmp/runtime" "$tmp/data" "$tmp/home"
export XDG_RUNTIME_DIR="$tmp/runtime" XDG_DATA_HOME="$tmp/data" HOME="$tmp/home"
export SECRET_BACKEND=service


dbus-run-session -- sh -c '
  # The daemon is not ours to test: G_DEBUG=fatal-warnings would abort it.
  printf "ltm-test" | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' sh "$@"
