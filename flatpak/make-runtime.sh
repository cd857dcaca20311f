#!/usr/bin/env bash
# make-runtime.sh: a Flatpak platform and SDK made from Debian 12 packages,
# for building and running the app where the GNOME runtime cannot be had
# (CI, or anyone without Flathub).  Prints the path of a local OSTree
# repository holding both; everything else goes to standard error.
#
# The IDs are in runtime/local-runtime.json: io.github.ltm.LocalDebian.*,
# branch 12, which nobody can take for an official runtime.  The packages
# are in runtime/platform.packages and runtime/sdk.packages.  Each tree is
# made with `mmdebstrap --variant=essential`, then turned into a runtime
# (usr as files, etc as files/etc, /app/lib first for the dynamic linker,
# a metadata file) and exported with `flatpak build-export --runtime`.
#
# The repository is cached in $LTM_FLATPAK_CACHE (default
# ~/.cache/ltm-flatpak), under a key made from the package lists, the IDs
# and the format below: a second run, or a fresh clone on the same machine,
# finds it; a change to any makes a new one, and the old one is removed.
# Needs root to make the trees (mmdebstrap's root mode; anyone else is
# asked for sudo), mmdebstrap, flatpak, and the network to Debian's archive.
#
# One library is not Debian's own build: libsecret 0.20.5 loses the Secret
# portal's answer when the portal is quick (see
# runtime/libsecret-portal-response.patch), and a Flatpak's file backend
# then waits for ever.  GNOME's runtimes have libsecret 0.21.4 or later,
# fixed upstream; so that this one behaves as they do, Debian's source of
# 0.20.5 is built in the SDK tree with that fix, and the library replaces
# Debian's in both trees.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

here=$(dirname "$(realpath "$0")")
cache=${LTM_FLATPAK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ltm-flatpak}
mirror=${LTM_DEBIAN_MIRROR:-http://deb.debian.org}

say () { echo "make-runtime: $*" >&2; }

ids=$here/runtime/local-runtime.json
read -r platform_id sdk_id branch < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["runtime"], r["sdk"], r["runtime-version"])' "$ids")
arch=$(flatpak --default-arch)

# The packages of a list, comma-separated, comments and blank lines left out.
packages () {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$@" | paste -sd, -
}

# What the trees are made of, and how: raise format when a change to this
# script changes what it makes.
format=2
key=$( { echo "format $format"; cat "$ids" "$here/runtime/platform.packages" \
         "$here/runtime/sdk.packages" "$here/runtime/libsecret-portal-response.patch"; } | sha256sum | cut -c1-16)
dir=$cache/runtime-$key
repo=$dir/repo

if [ -f "$dir/complete" ]; then
  say "cached: $repo"
  echo "$repo"
  exit 0
fi

# mmdebstrap's root mode: as anyone else, through sudo, into the same cache.
if [ "$(id -u)" -ne 0 ]; then
  say "making the runtime needs root (mmdebstrap's root mode): asking sudo"
  exec sudo env LTM_FLATPAK_CACHE="$cache" LTM_DEBIAN_MIRROR="$mirror" "$(realpath "$0")"
fi

say "making $platform_id and $sdk_id ($branch, $arch) in $dir"
rm -rf "$dir"
mkdir -p "$dir"
work=$(mktemp -d "$cache/work-XXXXXX")
# mmdebstrap may leave a tree's /proc mounted ("target is busy"): unmount
# what is left under the work folder before removing it.
cleanup () {
  awk -v work="$work/" 'index($2, work) == 1 { print $2 }' /proc/mounts | sort -r |
    xargs -r -n 1 umount -l
  rm -rf "$work"
}
trap cleanup EXIT

sources=(
  "deb $mirror/debian bookworm main"
  "deb $mirror/debian bookworm-updates main"
  "deb $mirror/debian-security bookworm-security main"
)

# One tree: Debian's essential packages and the list's, without
# documentation or manual pages (the app's own are in /app), apt's lists
# or its cache; dpkg does not wait for the disk (a tree that a crash left
# half made has no "complete" mark, and is made again).  The packages the host already
# has in its apt cache (CI's deps have just been installed) are linked in
# rather than downloaded again; apt checks each against the archive's index.
make_tree () {
  local tree=$1 include=$2
  mmdebstrap --quiet --variant=essential --include="$include" \
    --skip=download/empty \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
    --setup-hook='cp -l /var/cache/apt/archives/*.deb "$1"/var/cache/apt/archives/ 2>/dev/null || true' \
    --dpkgopt=force-unsafe-io \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    bookworm "$tree" "${sources[@]}"
}

# libsecret with the portal fix, built in the SDK tree (which has its
# build dependencies) from the source Debian 12 built its own from, and
# put in place of Debian's library in both trees.
libsecret_source=libsecret_0.20.5.orig.tar.xz
libsecret_sha256=56cfc341137da870cf9e24e297d5c0b3c3e403493581609311a88d2149d7d0c3
patch_libsecret () {
  local sdk=$1 platform=$2
  local src=$sdk/tmp/libsecret-0.20.5 libdir lib

  curl --silent --show-error --fail --retry 3 -o "$work/$libsecret_source" \
    "$mirror/debian/pool/main/libs/libsecret/$libsecret_source"
  echo "$libsecret_sha256  $work/$libsecret_source" | sha256sum --check --quiet
  tar -xJf "$work/$libsecret_source" -C "$sdk/tmp"
  patch --quiet -p1 -d "$src" < "$here/runtime/libsecret-portal-response.patch"

  mount --bind /dev "$sdk/dev"
  mount -t proc proc "$sdk/proc"
  libdir=$(chroot "$sdk" /bin/sh -ec '
    libdir=lib/$(gcc -print-multiarch)
    meson setup --prefix=/usr --libdir="$libdir" --buildtype=release \
      -Dmanpage=false -Dvapi=false -Dgtk_doc=false -Dintrospection=false \
      -Dbash_completion=disabled /tmp/libsecret-build /tmp/libsecret-0.20.5
    ninja -C /tmp/libsecret-build libsecret/libsecret-1.so.0.0.0
    strip --strip-unneeded /tmp/libsecret-build/libsecret/libsecret-1.so.0.0.0
    echo "$libdir" > /tmp/libsecret-build/libdir' > "$work/libsecret.log" 2>&1 &&
    cat "$sdk/tmp/libsecret-build/libdir") || libdir=""
  umount "$sdk/proc" "$sdk/dev"
  if [ -z "$libdir" ]; then
    cat "$work/libsecret.log" >&2
    return 1
  fi
  for lib in "$sdk/usr/$libdir" "$platform/usr/$libdir"; do
    [ -f "$lib/libsecret-1.so.0.0.0" ] || { say "no libsecret in $lib"; return 1; }
    install -m 644 "$sdk/tmp/libsecret-build/libsecret/libsecret-1.so.0.0.0" "$lib/"
  done
  rm -rf "$src" "$sdk/tmp/libsecret-build"
}

# A tree as a runtime: /usr is files, /etc is files/etc; /app/lib comes
# first for the dynamic linker (flatpak runs ldconfig on this ld.so.conf).
make_runtime () {
  local tree=$1 out=$2 name=$3
  mkdir -p "$out"
  mv "$tree/usr" "$out/files"
  cp -a "$tree/etc" "$out/files/etc"
  # Flatpak makes these itself; the shadow files are nobody's business.
  rm -f "$out/files/etc/"{passwd,group,shadow,gshadow,hostname,hosts,resolv.conf,machine-id}
  rm -f "$out/files/etc/"{passwd,group,shadow,gshadow}-
  { echo /app/lib; cat "$tree/etc/ld.so.conf"; } > "$out/files/etc/ld.so.conf"
  # Debian keeps flatpak-xdg-utils (flatpak-spawn, xdg-open, xdg-email) out
  # of PATH, for the host's sake; in a runtime they are in /usr/bin, as in
  # the freedesktop one.
  local tool
  for tool in "$out/files/libexec/flatpak-xdg-utils/"*; do
    [ -e "$tool" ] && [ ! -e "$out/files/bin/${tool##*/}" ] &&
      ln -s "../libexec/flatpak-xdg-utils/${tool##*/}" "$out/files/bin/${tool##*/}"
  done
  cat > "$out/metadata" <<META
[Runtime]
name=$name
runtime=$platform_id/$arch/$branch
sdk=$sdk_id/$arch/$branch
META
}

start=$SECONDS
make_tree "$work/platform-tree" "$(packages "$here/runtime/platform.packages")" &
platform_pid=$!
make_tree "$work/sdk-tree" "$(packages "$here/runtime/platform.packages" "$here/runtime/sdk.packages")" &
sdk_pid=$!
wait "$platform_pid"
wait "$sdk_pid"
say "trees made in $((SECONDS - start)) s"

start=$SECONDS
patch_libsecret "$work/sdk-tree" "$work/platform-tree"
say "libsecret 0.20.5 with the portal fix built in $((SECONDS - start)) s"

make_runtime "$work/platform-tree" "$work/platform" "$platform_id"
make_runtime "$work/sdk-tree" "$work/sdk" "$sdk_id"

# An uncompressed repository (bare-user-only): nothing is served over a
# network, and zlib over 1 GB of trees was most of the export's time.
start=$SECONDS
ostree init --repo="$repo" --mode=bare-user-only
flatpak build-export --runtime --no-update-summary --files=files "$repo" "$work/platform" \
  "$branch" >&2
flatpak build-export --runtime --no-update-summary --files=files "$repo" "$work/sdk" \
  "$branch" >&2
flatpak build-update-repo "$repo" >&2
say "exported in $((SECONDS - start)) s: $(du -sh "$repo" | cut -f1)"

touch "$dir/complete"

# What older package lists made is of no more use.
for old in "$cache"/runtime-*; do
  [ "$old" = "$dir" ] || rm -rf "$old"
done

echo "$repo"
