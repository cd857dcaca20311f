#!/usr/bin/python3
# test-flatpak-manifest.py: flatpak-builder reads the Flatpak manifest without
# a complaint, it runs on GNOME's runtime as Flathub builds it, the app asks
# for exactly the permissions it needs and nothing more, and the one module,
# the app, installs both binaries.  The local variant that
# flatpak/local-manifest.py derives from it (for the runtime made from
# Debian 12) differs in runtime, sdk and runtime-version only, and names a
# runtime nobody can take for an official one.
#
#   test-flatpak-manifest.py MANIFEST SOURCE_ROOT BUILD_ROOT APPLICATION_ID BINDIR
#
# The GNOME runtime cannot be downloaded here, so this test builds nothing
# (.ci/flatpak builds the local variant): `flatpak-builder --show-manifest`
# parses each manifest (and warns about any property it does not know)
# without a runtime.  What meson installs is read from the build tree's
# introspection data, which is what the Flatpak build installs too.  Where
# flatpak-builder is missing (inside the Flatpak SDK), the manifests are read
# as plain JSON and the parse checks are skipped.  TAP output.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

manifest_path = pathlib.Path(sys.argv[1]).resolve()
source_root = pathlib.Path(sys.argv[2]).resolve()
build_root = pathlib.Path(sys.argv[3])
app_id = sys.argv[4]
bindir = pathlib.PurePath(sys.argv[5])

# Network for LINE's API; Wayland, or X11 where there is no Wayland; IPC for
# X11's shared memory; DRI for GL.  Files come through the file chooser
# portal and secrets through the Secret portal: no filesystem, no
# org.freedesktop.secrets.
PERMISSIONS = [
    "--share=network",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--share=ipc",
    "--device=dri",
]
BINARIES = ["line-token-manager", "ltm"]

results = []


def check(name, ok, details=(), skip=None):
    results.append((ok, name, list(details), skip))


builder = shutil.which("flatpak-builder")


def read_manifest(path, what):
    """The manifest as flatpak-builder reads it, checked for warnings."""
    if builder:
        # It keeps a .flatpak-builder folder in the current directory.
        with tempfile.TemporaryDirectory(prefix="ltm-flatpak-") as cwd:
            run = subprocess.run([builder, "--show-manifest", str(path)], cwd=cwd,
                                 capture_output=True, text=True,
                                 env=dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="en"))
        check(f"flatpak-builder --show-manifest reads {what} without a warning",
              run.returncode == 0 and not run.stderr.strip(),
              [f"exit status {run.returncode}"] + run.stderr.splitlines())
        text = run.stdout
    else:
        check(f"flatpak-builder --show-manifest reads {what} without a warning", True,
              skip="flatpak-builder is not installed")
        text = path.read_text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        check(f"{what} is JSON", False, [str(e)])
        return {}


manifest = read_manifest(manifest_path, "it")

check("the app ID is " + app_id, manifest.get("id") == app_id, [f"id {manifest.get('id')!r}"])
version = str(manifest.get("runtime-version", ""))
check("it runs on a stable GNOME runtime",
      manifest.get("runtime") == "org.gnome.Platform" and manifest.get("sdk") == "org.gnome.Sdk"
      and version.isdigit(),
      [f"runtime {manifest.get('runtime')!r} {version!r}, sdk {manifest.get('sdk')!r}"])

args = manifest.get("finish-args", [])
check("the permissions are exactly network, Wayland, X11 fallback, IPC and DRI",
      sorted(args) == sorted(PERMISSIONS) and len(args) == len(set(args)),
      [f"asks for more: {a}" for a in args if a not in PERMISSIONS]
      + [f"does not ask for: {a}" for a in PERMISSIONS if a not in args]
      + ([f"asks twice: {args}"] if len(args) != len(set(args)) else []))
FORBIDDEN = ("--filesystem", "--talk-name", "--own-name", "--system-talk-name",
             "--socket=session-bus", "--socket=system-bus", "--device=all")
check("no access to files or the Secret Service beyond the portals",
      not any(a.startswith(FORBIDDEN) for a in args),
      [f"asks for: {a}" for a in args if a.startswith(FORBIDDEN)])

modules = manifest.get("modules", [])
module = modules[0] if len(modules) == 1 and isinstance(modules[0], dict) else {}
check("the app is the only module (the runtime has the libraries)", bool(module),
      [f"modules: {[m.get('name') if isinstance(m, dict) else m for m in modules]}"])
check("the module is built with meson in a build folder, tests on",
      module.get("buildsystem") == "meson" and module.get("builddir") is True
      and module.get("run-tests") is True,
      [f"buildsystem {module.get('buildsystem')!r}, builddir {module.get('builddir')!r}, "
       f"run-tests {module.get('run-tests')!r}"])
sources = module.get("sources", [])
source_dir = None
if len(sources) == 1 and sources[0].get("type") == "dir":
    source_dir = (manifest_path.parent / sources[0].get("path", "")).resolve()
check("its source is this source tree", source_dir == source_root,
      [f"sources {sources}, resolves to {source_dir}, expected {source_root}"])

# What meson installs (the Flatpak build runs the same meson install, into /app).
installed_json = build_root / "meson-info" / "intro-installed.json"
installed = json.loads(installed_json.read_text()).values()
bin_names = {pathlib.PurePath(p).name for p in installed if pathlib.PurePath(p).parent == bindir}
check("meson installs both binaries: " + ", ".join(BINARIES),
      all(b in bin_names for b in BINARIES), [f"installed in {bindir}: {sorted(bin_names)}"])
check("the command is the installed window", manifest.get("command") == BINARIES[0],
      [f"command {manifest.get('command')!r}"])

# The local variant, made the way .ci/flatpak and flatpak/build-local.sh make it.
RUNTIME_KEYS = ("runtime", "sdk", "runtime-version")
OFFICIAL = ("org.gnome.", "org.freedesktop.", "org.kde.", "org.debian.", "org.flathub.")
local_runtime = json.loads((source_root / "flatpak" / "runtime" / "local-runtime.json").read_text())
derive = subprocess.run([sys.executable, str(source_root / "flatpak" / "local-manifest.py"),
                         str(manifest_path)], capture_output=True, text=True)
check("flatpak/local-manifest.py derives the local variant", derive.returncode == 0,
      derive.stderr.splitlines())
with tempfile.TemporaryDirectory(prefix="ltm-flatpak-") as folder:
    local_path = pathlib.Path(folder) / (app_id + ".local.json")
    local_path.write_text(derive.stdout or "{}")
    local = read_manifest(local_path, "the local variant")
check("the local variant differs in runtime, sdk and runtime-version only",
      {k: v for k, v in local.items() if k not in RUNTIME_KEYS}
      == {k: v for k, v in manifest.items() if k not in RUNTIME_KEYS},
      [f"{k}: {manifest.get(k)!r} → {local.get(k)!r}"
       for k in sorted(set(manifest) | set(local))
       if k not in RUNTIME_KEYS and manifest.get(k) != local.get(k)])
check("the local variant runs on the runtime made from Debian 12, under a local ID",
      all(local.get(k) == local_runtime[k] for k in RUNTIME_KEYS)
      and not str(local.get("runtime", "")).startswith(OFFICIAL)
      and not str(local.get("sdk", "")).startswith(OFFICIAL)
      and str(local.get("runtime", "")).startswith(app_id.rsplit(".", 1)[0] + "."),
      [f"{k}: {local.get(k)!r}, runtime/local-runtime.json says {local_runtime.get(k)!r}"
       for k in RUNTIME_KEYS])

print(f"1..{len(results)}")
for i, (ok, name, lines, skip) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}" + (f" # SKIP {skip}" if skip else ""))
    for line in ([] if ok else lines):
        print(f"# {line}")
sys.exit(0 if all(ok for ok, _, _, _ in results) else 1)
