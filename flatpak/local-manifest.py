#!/usr/bin/python3
# local-manifest.py MANIFEST [LOCAL_RUNTIME]: prints the manifest for the
# runtime made from Debian 12 (make-runtime.sh): MANIFEST, the one Flathub
# builds on GNOME's runtime, with its runtime, sdk and runtime-version
# replaced by those of LOCAL_RUNTIME (default runtime/local-runtime.json
# beside this script), and nothing else changed.  Its sources are found
# relative to the manifest, so write it beside MANIFEST.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import pathlib
import sys

KEYS = ("runtime", "sdk", "runtime-version")

manifest = json.loads(pathlib.Path(sys.argv[1]).read_text())
local_path = (pathlib.Path(sys.argv[2]) if len(sys.argv) > 2
              else pathlib.Path(__file__).resolve().parent / "runtime" / "local-runtime.json")
local = json.loads(local_path.read_text())

for key in KEYS:
    if key not in manifest or key not in local:
        sys.exit(f"local-manifest.py: {key} is missing from "
                 f"{sys.argv[1] if key not in manifest else local_path}")
    manifest[key] = local[key]

json.dump(manifest, sys.stdout, indent=2, ensure_ascii=False)
print()
