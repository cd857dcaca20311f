#!/usr/bin/python3
# test-icons.py: the application icons are SVG a desktop can draw: well-formed
# XML, the size GNOME's icon guidelines ask for (128 px for the app icon, 16 px
# for the symbolic one), nothing that needs another file or a font, and a
# symbolic icon in the one colour GTK recolours.
#
#   test-icons.py SOURCE_ROOT APPLICATION_ID
#
# SPDX-License-Identifier: GPL-3.0-or-later

import pathlib
import re
import sys
import xml.etree.ElementTree as ET

top = pathlib.Path(sys.argv[1])
app_id = sys.argv[2]
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SYMBOLIC_COLOUR = "#2e3436"

icons = [
    (top / "data/icons/hicolor/scalable/apps" / f"{app_id}.svg", 128, False),
    (top / "data/icons/hicolor/symbolic/apps" / f"{app_id}-symbolic.svg", 16, True),
]

results = []


def check(name, ok, details=()):
    results.append((ok, name, list(details)))


def paint_values(element):
    """Every fill, stroke and stop colour an element sets, by attribute or style."""
    values = []
    for prop in ("fill", "stroke", "stop-color", "color"):
        if element.get(prop) is not None:
            values.append(element.get(prop))
    for decl in (element.get("style") or "").split(";"):
        if ":" in decl:
            prop, value = (part.strip() for part in decl.split(":", 1))
            if prop in ("fill", "stroke", "stop-color", "color"):
                values.append(value)
    return values


for path, size, symbolic in icons:
    name = path.name
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        check(f"{name} is well-formed XML", False, [str(e)])
        continue
    check(f"{name} is well-formed XML", True)

    check(f"{name} is an SVG document", root.tag == f"{SVG}svg", [f"root element {root.tag}"])

    viewbox = [float(v) for v in re.split(r"[\s,]+", (root.get("viewBox") or "").strip()) if v]
    check(f"{name} has viewBox 0 0 {size} {size}", viewbox == [0, 0, size, size],
          [f"viewBox={root.get('viewBox')!r}"])
    check(f"{name} is {size}x{size} px",
          root.get("width") == str(size) and root.get("height") == str(size),
          [f"width={root.get('width')!r} height={root.get('height')!r}"])

    elements = list(root.iter())
    external = [e.get("href") or e.get(XLINK_HREF) for e in elements
                if (e.get("href") or e.get(XLINK_HREF) or "#").split("#")[0]]
    texts = [e.tag for e in elements if e.tag in (f"{SVG}text", f"{SVG}image")]
    check(f"{name} needs no other file and no font", not external and not texts,
          [f"links {h}" for h in external] + [f"has {t}" for t in texts])

    drawn = [e for e in elements if e.tag in (f"{SVG}path", f"{SVG}circle", f"{SVG}rect",
                                              f"{SVG}ellipse", f"{SVG}polygon")]
    check(f"{name} draws something", len(drawn) > 0)

    if symbolic:
        colours = {v.lower() for e in elements for v in paint_values(e)}
        others = sorted(colours - {SYMBOLIC_COLOUR, "none"})
        gradients = [e.tag for e in elements
                     if e.tag in (f"{SVG}linearGradient", f"{SVG}radialGradient")]
        check(f"{name} is painted in {SYMBOLIC_COLOUR} only",
              SYMBOLIC_COLOUR in colours and not others and not gradients,
              [f"colours {others}", f"gradients {gradients}"])

print(f"1..{len(results)}")
for i, (ok, name, lines) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    for line in ([] if ok else lines):
        print(f"# {line}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
