#!/bin/sh
# test-bus.sh [--keyring] [--service NAME]… [--runtime-dir DIR] [--] COMMAND [ARG…]:
# runs COMMAND on a D-Bus session bus of the tests' own, in a throwaway home.
#
# The bus activates only the services named with --service (their .service
# files copied from the machine's D-Bus service folders), never every
# service the machine has installed: on a GNOME desktop the machine has
# xdg-desktop-portal, which would start under Xvfb, die, and take the test
# with it.  --keyring starts GNOME Keyring, unlocked, with the Secret
# Service (SECRET_BACKEND=service): a real keyring, never the user's.
# --runtime-dir makes DIR, an empty folder of the caller's, the session's
# XDG_RUNTIME_DIR instead of a throwaway one (.ci/flatpak: /run/user/UID,
# in a mount namespace of its own, where Flatpak apps expect it).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

keyring=""
services=""
runtime_dir=""
while [ $# -gt 0 ]; do
  case $1 in
    --keyring) keyring=1; shift ;;
    --service) services="$services $2"; shift 2 ;;
    --runtime-dir) runtime_dir=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ltm-bus-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -m 0700 "$tmp/data" "$tmp/home" "$tmp/services"
if [ -z "$runtime_dir" ]; then
  runtime_dir=$tmp/runtime
  mkdir -m 0700 "$runtime_dir"
fi
export XDG_RUNTIME_DIR="$runtime_dir" XDG_DATA_HOME="$tmp/data" HOME="$tmp/home"
if [ -n "$keyring" ]; then
  export SECRET_BACKEND=service
fi

for name in $services; do
  found=""
  for dir in /usr/local/share/dbus-1/services /usr/share/dbus-1/services; do
    if [ -f "$dir/$name.service" ]; then
      cp "$dir/$name.service" "$tmp/services/"
      found=1
      break
    fi
  done
  if [ -z "$found" ]; then
    echo "test-bus.sh: no D-Bus service $name is installed" >&2
    exit 1
  fi
done

# The session bus as Debian's session.conf makes it, less the machine's
# service folders and local configuration.
cat > "$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$runtime_dir</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$tmp/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="service_start_timeout">120000</limit>
</busconfig>
CONF

LTM_TEST_BUS_KEYRING=$keyring dbus-run-session --config-file="$tmp/bus.conf" -- sh -c '
  if [ -n "$LTM_TEST_BUS_KEYRING" ]; then
    # The daemon is not ours to test: G_DEBUG=fatal-warnings would abort it.
    printf "ltm-test" | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null
    # It forks and takes its name a moment later; nothing would activate
    # it on this bus if a test asked before that.
    env -u G_DEBUG gdbus wait --session --timeout 30 org.freedesktop.secrets || exit 1
  fi
  unset LTM_TEST_BUS_KEYRING
  exec "$@"' sh "$@"
