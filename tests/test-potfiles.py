#!/usr/bin/python3
# test-potfiles.py: every source file with a translatable string is in
# po/POTFILES.in, and every file listed there exists.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import pathlib
import re
import sys

top = pathlib.Path(sys.argv[1])
marked = re.compile(r'\b(?:N?_|C_|NC_|g_dngettext|ngettext)\s*\(|translatable="yes"')

listed = set()
for line in (top / "po" / "POTFILES.in").read_text().splitlines():
    line = line.strip()
    if line and not line.startswith("#"):
        listed.add(line)

sources = [p for p in (top / "src").rglob("*") if p.suffix in (".c", ".ui", ".in")]
needed = {str(p.relative_to(top)) for p in sources if marked.search(p.read_text())}

missing = sorted(needed - listed)
vanished = sorted(f for f in listed if not (top / f).exists())

print("1..2")
print(("ok" if not missing else "not ok") + " 1 - every file with translatable strings is listed")
for f in missing:
    print(f"# missing from po/POTFILES.in: {f}")
print(("ok" if not vanished else "not ok") + " 2 - every listed file exists")
for f in vanished:
    print(f"# listed but not found: {f}")

sys.exit(1 if missing or vanished else 0)
