#!/bin/bash
# test-install.sh: `meson install` into a temporary DESTDIR puts every file
# where a desktop looks for it, and the files name each other correctly.
#
#   test-install.sh MESON BUILD_ROOT APPLICATION_ID BINDIR DATADIR LOCALEDIR MANDIR BASH_COMPLETIONSDIR
#
# BINDIR, DATADIR, LOCALEDIR, MANDIR and BASH_COMPLETIONSDIR are the absolute
# install paths (prefix included).  The build must be complete: it installs with --no-rebuild.
# TAP output.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

meson=$1 build=$2 app_id=$3 bindir=$4 datadir=$5 localedir=$6 mandir=$7 bash_completionsdir=$8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ltm-install-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok () {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  for line in "$@"; do echo "# $line"; done
}
check_file () {  # check_file DESCRIPTION PATH [-x]
  local path="$tmp$2"
  if [ ! -f "$path" ]; then
    not_ok "$1" "missing: $2"
  elif [ "${3:-}" = -x ] && [ ! -x "$path" ]; then
    not_ok "$1" "not executable: $2"
  else
    ok "$1"
  fi
}
has_line () {  # has_line DESCRIPTION PATH LINE
  if grep -qxF -- "$3" "$tmp$2" 2>/dev/null; then
    ok "$1"
  else
    not_ok "$1" "$2 has no line: $3"
  fi
}

echo "1..22"

if log=$("$meson" install -C "$build" --destdir "$tmp" --no-rebuild --quiet 2>&1); then
  ok "meson install --destdir succeeds"
else
  not_ok "meson install --destdir succeeds" "$log"
fi

check_file "the window: $bindir/line-token-manager" "$bindir/line-token-manager" -x
check_file "the command line: $bindir/ltm" "$bindir/ltm" -x
desktop="$datadir/applications/$app_id.desktop"
check_file "the desktop file" "$desktop"
metainfo="$datadir/metainfo/$app_id.metainfo.xml"
check_file "the metainfo" "$metainfo"
check_file "the app icon" "$datadir/icons/hicolor/scalable/apps/$app_id.svg"
check_file "the symbolic icon" "$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
check_file "the GSettings schema" "$datadir/glib-2.0/schemas/$app_id.gschema.xml"
service="$datadir/dbus-1/services/$app_id.service"
check_file "the D-Bus service" "$service"
check_file "the manual page ltm(1)" "$mandir/man1/ltm.1"
check_file "the manual page line-token-manager(1)" "$mandir/man1/line-token-manager.1"
check_file "bash completion where bash-completion looks" "$bash_completionsdir/ltm"
check_file "zsh completion in site-functions" "$datadir/zsh/site-functions/_ltm"
check_file "fish completion in vendor_completions.d" "$datadir/fish/vendor_completions.d/ltm.fish"
for lang in ja zh_TW; do
  check_file "the $lang catalog" "$localedir/$lang/LC_MESSAGES/line-token-manager.mo"
done

# What each file names must be what was installed.
has_line "the desktop file names the installed icon" "$desktop" "Icon=$app_id"
has_line "the desktop file is D-Bus activatable" "$desktop" "DBusActivatable=true"
has_line "the D-Bus service is the application ID" "$service" "Name=$app_id"
has_line "the D-Bus service starts the installed window" "$service" \
  "Exec=$bindir/line-token-manager --gapplication-service"
if grep -qF "<launchable type=\"desktop-id\">$app_id.desktop</launchable>" "$tmp$metainfo" \
   2>/dev/null; then
  ok "the metainfo launches the installed desktop file"
else
  not_ok "the metainfo launches the installed desktop file" "no launchable $app_id.desktop"
fi

# Installing into a DESTDIR runs no post-install step that would write
# outside it (an icon cache or a compiled schema in the staging tree).
stray=$(cd "$tmp" && find . \( -name gschemas.compiled -o -name icon-theme.cache \
                                -o -name mimeinfo.cache \) -print)
if [ -z "$stray" ]; then
  ok "no caches are written into the DESTDIR"
else
  not_ok "no caches are written into the DESTDIR" "$stray"
fi

[ "$failed" -eq 0 ]
