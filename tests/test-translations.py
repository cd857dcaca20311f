#!/usr/bin/python3
# test-translations.py: every catalog in po/LINGUAS compiles with msgfmt -c
# (formats, headers, plurals checked) and is complete, and ltm speaks each
# language: its --help and an error message come out translated, the
# columns of `ltm channel list` line up under their translated headers, and
# the window's date format is never ambiguous.
#
#   test-translations.py SOURCE_ROOT LOCALE_DIR LTM
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unicodedata

top = pathlib.Path(sys.argv[1])
localedir = sys.argv[2]
ltm = sys.argv[3]

# A sentence of each catalog that must appear, translated, in ltm's output.
languages = [l for l in (top / "po" / "LINGUAS").read_text().split() if not l.startswith("#")]
results = []


def check(name, ok, detail=""):
    results.append((ok, name, detail))


def catalog_string(po, msgid):
    text = po.read_text()
    m = re.search(r'^msgid "' + re.escape(msgid) + r'"\nmsgstr "(.*)"$', text, re.M)
    return m.group(1) if m else None


def columns(line):
    """The terminal column at which each cell of @line starts."""
    starts, column, previous = [], 0, " "
    for c in line:
        if c != " " and previous == " ":
            starts.append(column)
        # Marks (Thai vowels and tone marks above and below a letter) take
        # no column of their own, as g_unichar_iszerowidth() says.
        if unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        column += 2 if unicodedata.east_asian_width(c) in "WF" else 1
        previous = c
    return starts


# A store of two channels, one with a key and one with a channel secret,
# so that the yes/no columns hold both words.
store = tempfile.TemporaryDirectory()
store_env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="en", LTM_DATA_DIR=store.name + "/data",
                 LTM_MASTER_KEY_FILE=store.name + "/master-key")
secret = pathlib.Path(store.name) / "secret"
secret.write_text("0123456789abcdef0123456789abcdef")
subprocess.run([ltm, "store", "init", "--master-key-file", store_env["LTM_MASTER_KEY_FILE"]],
               env=dict(store_env, LTM_MASTER_KEY_FILE=""), capture_output=True, check=True)
subprocess.run([ltm, "channel", "add", "1234567890", "--name", "One", "--generate-key"],
               env=store_env, capture_output=True, check=True)
subprocess.run([ltm, "channel", "add", "1234567891", "--name", "Two", "--secret-file", str(secret)],
               env=store_env, capture_output=True, check=True)

for lang in languages:
    po = top / "po" / f"{lang}.po"
    run = subprocess.run(["msgfmt", "-c", "--check-format", "--statistics", "-o", "/dev/null", str(po)],
                         capture_output=True, text=True)
    check(f"{lang}: msgfmt -c is clean", run.returncode == 0 and "warning" not in run.stderr,
          run.stderr.strip())
    stats = run.stderr
    check(f"{lang}: complete (no fuzzy, no untranslated)",
          "fuzzy" not in stats and "untranslated" not in stats, stats.strip())

    env = dict(os.environ, LANGUAGE=lang, LC_ALL="C.UTF-8", LTM_LOCALEDIR=localedir)
    help_out = subprocess.run([ltm, "--help"], capture_output=True, text=True, env=env).stdout
    summary = catalog_string(po, "Print the public JWK to paste into the LINE Developers Console")
    check(f"{lang}: ltm --help is translated", bool(summary) and summary in help_out,
          f"expected {summary!r}")

    failure = subprocess.run([ltm, "jwt", "create", "--channel", "not-a-number", "--kid", "k",
                              "--key", "-"], capture_output=True, text=True, env=env, input="")
    check(f"{lang}: an error message is translated",
          failure.returncode == 1 and not re.search(r"is not a channel ID", failure.stderr),
          failure.stderr.strip())

    # The window's dates (ltm_ui_format_date): a token's expiry must never be
    # ambiguous, so the format names the year, month, day, hour and minute.
    date = catalog_string(po, "%e %b %Y, %H:%M") or ""
    parts = {
        "year": r"%E?[Yy]", "month": r"%-?[bBmh]|%O[bB]", "day": r"%-?[de]",
        "hour": r"%-?[Hk]|%-?[Il].*%[pP]|%[pP].*%-?[Il]", "minute": r"%-?M",
    }
    missing = [name for name, pattern in parts.items() if not re.search(pattern, date)]
    check(f"{lang}: the date format names the year, month, day, hour and minute",
          bool(date) and not missing and not re.search(r"%-?y(?![a-zA-Z])", date.replace("%Ey", "")),
          f"{date!r} lacks {', '.join(missing)}" if missing else repr(date))

    table = subprocess.run([ltm, "channel", "list"], capture_output=True, text=True,
                           env=dict(store_env, LANGUAGE=lang, LTM_LOCALEDIR=localedir)).stdout
    header, *rows = table.splitlines()
    starts = [columns(row) for row in rows]
    check(f"{lang}: ltm channel list lines up",
          len(rows) == 2 and starts[0] == starts[1] and
          all(c in columns(header) for c in starts[0]), "\n" + table)

print(f"1..{len(results)}")
for i, (ok, name, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if not ok and detail:
        print(f"# {detail}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
