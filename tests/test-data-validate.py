#!/usr/bin/python3
# test-data-validate.py: the merged desktop file and metainfo pass the
# validators a desktop and a software centre use, with nothing reported
# beyond the few issues listed in KNOWN below, each with its reason.
#
#   test-data-validate.py desktop  FILE.desktop      [LINGUAS]
#   test-data-validate.py metainfo FILE.metainfo.xml [LINGUAS]
#
# With po/LINGUAS, each of its languages must be merged in, whole: the
# validators pass a file that lacks a language as readily as one that has
# it.  (meson's merge_file does not depend on the .po files, so a build
# directory made before a language was added keeps merged files without
# it until they are remade: mesonbuild/meson#2621.)
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
import xml.etree.ElementTree as ET

kind, path = sys.argv[1], sys.argv[2]
linguas = sys.argv[3] if len(sys.argv) > 3 else None

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

# Every language of po/LINGUAS, merged in whole.
if linguas is not None:
    with open(linguas) as f:
        languages = [w for line in f if not line.startswith("#") for w in line.split()]
    stale = f"remake {os.path.basename(path)} (remove it and build again)"
    if kind == "desktop":
        entries = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.rstrip("\n").partition("=")
                if sep:
                    entries[key] = value
        for lang in languages:
            missing = [k for k in ("Name", "GenericName", "Comment", "Keywords")
                       if f"{k}[{lang}]" not in entries]
            check(f"{lang}: Name, GenericName, Comment and Keywords translated", not missing,
                  [f"no {k}[{lang}]" for k in missing] + [stale])
            words = entries.get(f"Keywords[{lang}]", "")
            check(f"{lang}: Keywords keep LINE, JWT and JWK and end with a semicolon",
                  words.endswith(";") and {"LINE", "JWT", "JWK"} <= set(words.split(";")),
                  [f"Keywords[{lang}]={words}"])
    else:
        lang_attr = "{http://www.w3.org/XML/1998/namespace}lang"
        counts = {}
        for element in ET.parse(path).iter():
            if lang_attr in element.attrib:
                counts[element.attrib[lang_attr]] = counts.get(element.attrib[lang_attr], 0) + 1
        most = max(counts.values(), default=0)
        for lang in languages:
            check(f"{lang}: every translatable element translated",
                  most > 0 and counts.get(lang, 0) == most,
                  [f"{counts.get(lang, 0)} elements in {lang}, {most} in the most complete language",
                   stale])

print(f"1..{len(results)}")
for i, (ok, name, lines) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    for line in ([] if ok else lines):
        print(f"# {line}")
for line in explained:
    print(f"# {line}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
