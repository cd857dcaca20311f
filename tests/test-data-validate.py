#!/usr/bin/python3
# test-data-validate.py: the merged desktop file and metainfo pass the
# validators a desktop and a software centre use, with nothing reported
# beyond the few issues listed in KNOWN below, each with its reason.
#
#   test-data-validate.py desktop  FILE.desktop
#   test-data-validate.py metainfo FILE.metainfo.xml
#
# desktop-file-validate exits 0 on warnings and hints, and appstreamcli on
# infos and pedantic issues, so their output is read, not only their exit
# status.  TAP output.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import subprocess
import sys

kind, path = sys.argv[1], sys.argv[2]

# What may be reported, and why it cannot be fixed in the file: severity, a
# text the line contains, the tool versions it applies to (from, before;
# None: any), whether those versions must report it, and why.  Anything else
# reported fails the test.
KNOWN = {
    # One main category (Development): with two, menus may list the app twice.
    "desktop": [],
    "metainfo": [
        ("P", "cid-contains-uppercase-letter", None, None, True,
         "the application ID is fixed (design.md), CamelCase like GNOME's own; "
         "--override cannot silence a pedantic issue"),
        # Debian 12's AppStream 0.16 reports AppStream 1.0's <developer id><name>
        # as an unknown tag, so the file keeps <developer_name>, which 1.x (the
        # Flatpak SDK) still reads but calls deprecated.
        ("I", "developer-name-tag-deprecated", (1, 0), None, False,
         "<developer_name> is what Debian 12's AppStream 0.16 knows"),
        ("I", "developer-info-missing", (1, 0), None, False,
         "<developer_name> is what Debian 12's AppStream 0.16 knows"),
    ],
}[kind]

if kind == "desktop":
    tool = "desktop-file-validate"
    command = [tool, path]
    line_re = re.compile(r"^\S+: (error|warning|hint): (.*)$")
else:
    tool = "appstreamcli"
    command = [tool, "validate", "--no-net", "--pedantic", "--explain", path]
    line_re = re.compile(r"^([EWIP]): (.*)$")

# A validator that is not there fails the test: a skip would look green.
if shutil.which(tool) is None:
    package = {"desktop-file-validate": "desktop-file-utils", "appstreamcli": "appstream"}[tool]
    print(f"1..1\nnot ok 1 - {tool} is installed\n# install {package} (.ci/deps does)")
    sys.exit(1)

env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="en")
version = None
if kind == "metainfo":
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, env=env).stdout
    m = re.search(r"(\d+)\.(\d+)", out)
    version = (int(m.group(1)), int(m.group(2))) if m else None


def applies(since, before):
    if version is None:
        return since is None and before is None
    return (since is None or version >= since) and (before is None or version < before)


known = [k for k in KNOWN if applies(k[2], k[3])]

run = subprocess.run(command, capture_output=True, text=True, env=env)
output = (run.stdout + run.stderr).splitlines()

results = []


def check(name, ok, details=()):
    results.append((ok, name, list(details)))


check(f"{tool} accepts {os.path.basename(path)}", run.returncode == 0,
      [f"exit status {run.returncode}"] + output)

issues = []
explained = []
seen = set()
explanation = None
for line in output:
    m = line_re.match(line)
    if not m:
        # --explain indents the explanation under its issue.
        if explanation is not None and line.startswith(" ") and line.strip():
            explanation.append(line.strip())
        continue
    severity, text = m.group(1), m.group(2)
    match = next((k for k in known if k[0] == severity and k[1] in text), None)
    if match is None:
        explanation = []
        issues.append((severity, text, explanation))
    else:
        explanation = None
        seen.add(match)
        explained.append(f"known: {severity}: {text} ({match[5]})")

details = []
for severity, text, explanation in issues:
    details.append(f"{severity}: {text}")
    details.extend("  " + e for e in explanation)
check("nothing reported beyond the known issues", not issues, details)

# A known issue that the tool no longer reports goes from KNOWN.
gone = [k for k in known if k[4] and k not in seen]
check("every known issue is still reported", not gone,
      [f"no longer reported, remove it from KNOWN: {k[0]}: {k[1]}" for k in gone])

print(f"1..{len(results)}")
for i, (ok, name, lines) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    for line in ([] if ok else lines):
        print(f"# {line}")
for line in explained:
    print(f"# {line}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
