#!/usr/bin/env bash
# build-local.sh [BUILD_DIR [FLATPAK-BUILDER OPTION…]]: builds the app on
# the runtime made from Debian 12 packages and installs it with
# `flatpak --user`, in one command, for anyone without Flathub:
#
#   sudo flatpak/build-local.sh          # then: flatpak run io.github.ltm.LineTokenManager
#
# make-runtime.sh makes (or finds in its cache) the platform and SDK, which
# are installed from their local repository (remote ltm-local); the
# manifest is local-manifest.py's, made from the shipped one; the sources
# are the tree's files as git knows them (build folders and .git left
# out), copied to BUILD_DIR/src; flatpak-builder builds there, running the
# project's tests in its sandbox, and installs.  FLATPAK_USER_DIR moves the
# --user installation (CI keeps one of its own).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

here=$(dirname "$(realpath "$0")")
root=$(dirname "$here")
build=$(realpath -m "${1:-$root/_build-flatpak}")
shift || true
app_id=io.github.ltm.LineTokenManager

say () { echo "build-local: $*" >&2; }

repo=$("$here/make-runtime.sh")
read -r platform_id sdk_id branch < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["runtime"], r["sdk"], r["runtime-version"])' "$here/runtime/local-runtime.json")

# The runtime, from its repository; the remote follows the cache's key.
if flatpak --user remotes --columns=name | grep -qx ltm-local; then
  flatpak --user remote-modify --no-gpg-verify --url="file://$repo" ltm-local
else
  flatpak --user remote-add --no-gpg-verify ltm-local "file://$repo"
fi
flatpak --user install --noninteractive --or-update ltm-local \
  "$platform_id//$branch" "$sdk_id//$branch" >&2

# The sources as git has them, and the manifest beside their own.
rm -rf "$build/src"
mkdir -p "$build/src"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  (cd "$root" && xargs -0 -r tar -c --no-recursion --ignore-failed-read -f - 2>/dev/null) |
  tar -x -C "$build/src"
manifest=$build/src/flatpak/$app_id.local.json
python3 "$here/local-manifest.py" "$build/src/flatpak/$app_id.json" > "$manifest"

rofiles=()
if ! (exec 3<>/dev/fuse) 2>/dev/null; then
  say "/dev/fuse cannot be opened here: building with --disable-rofiles-fuse"
  rofiles=(--disable-rofiles-fuse)
fi

flatpak-builder --user --install --force-clean --disable-updates "${rofiles[@]}" \
  --state-dir="$build/state" "$@" "$build/app" "$manifest"
