#!/usr/bin/env python3
# test-cli-files.py: the manual pages and the shell completion made from
# `ltm __describe` are whole, pass their own tools, and complete what the
# table says, channel IDs included, and never a secret.
#
#   test-cli-files.py CHECK SOURCE_ROOT LTM DESCRIBE_JSON LTM_1 GUI_1 BASH ZSH FISH
#
# CHECK is table, man, bash, zsh or fish.  TAP output.  zsh's completion
# system needs a terminal, so its functions are stood in for (see
# zsh_complete); bash and fish run their own.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def finish():
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines():
                print("# " + line)
    sys.exit(1 if failed else 0)


def commands(describe):
    for group in describe["groups"]:
        for command in group["commands"]:
            yield group, command


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=60, **kwargs)


def check_table(source_root, describe, man_ltm):
    """Every command in the table has words for --help and a section in ltm(1)."""
    for group in describe["groups"]:
        check("group %s has a summary" % group["name"], bool(group.get("summary")))
        check("group %s has commands" % group["name"], bool(group["commands"]))
    for group, command in commands(describe):
        name = "ltm %s %s" % (group["name"], command["name"])
        check(name + ": a summary", bool(command.get("summary")))
        # Present only if the command reached ltm_cli_parse() before doing
        # anything: the one way its options are known.
        check(name + ": its options are described (ltm_cli_parse comes first)",
              "options" in command, json.dumps(command, indent=2))
        undescribed = [o["long_name"] for o in command.get("options", [])
                       if not o.get("description")]
        check(name + ": every option has a description", not undescribed, undescribed)
        check(name + ": a section in ltm(1)",
              re.search(r'^\.SS "%s\b' % re.escape(name.replace("-", "\\-")), man_ltm, re.M),
              "no .SS for it")

    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS",
                    "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"]:
        check("ltm(1) has %s" % section, re.search(r"^\.SH %s$" % section, man_ltm, re.M))

    # Every variable the code reads is in ENVIRONMENT (LTM_LOCALEDIR is the
    # tests' and meson devenv's, not a user's).
    read = set()
    for folder, _, names in os.walk(os.path.join(source_root, "src")):
        for n in names:
            if n.endswith(".c"):
                with open(os.path.join(folder, n), encoding="utf-8") as f:
                    read |= set(re.findall(r'g_getenv \("(LTM_[A-Z_]+)"\)', f.read()))
    read.discard("LTM_LOCALEDIR")
    environment = man_ltm.split(".SH ENVIRONMENT", 1)[-1].split(".SH FILES", 1)[0]
    for var in sorted(read):
        check("ltm(1) ENVIRONMENT names %s" % var, var.replace("_", "_") in environment)

    # The examples come from the README: each command they run exists.
    examples = man_ltm.split(".SH EXAMPLES", 1)[-1].split(".SH SEE ALSO", 1)[0]
    known = {(g["name"], c["name"]) for g, c in commands(describe)}
    used = re.findall(r"\bltm ([a-z]+) ([a-z][a-z\\-]*)", examples)
    check("ltm(1) has examples", bool(used))
    unknown = sorted({"%s %s" % u for u in used if (u[0], u[1].replace("\\-", "-")) not in known})
    check("every example runs a command of the table", not unknown, unknown)


def check_man(pages):
    groff = shutil.which("groff")
    for page in pages:
        name = os.path.basename(page)
        for device in ["utf8", "ps"]:
            if groff is None:
                check("# SKIP groff -ww -T%s %s: no groff" % (device, name), True)
                continue
            result = run([groff, "-ww", "-z", "-man", "-T" + device, page])
            check("groff -ww -z -man -T%s %s: no warnings" % (device, name),
                  result.returncode == 0 and result.stderr == "", result.stderr)
        man = shutil.which("man")
        if man is not None:
            result = run([man, "--warnings", "-l", page],
                         env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
            check("man --warnings -l %s: renders without warnings" % name,
                  result.returncode == 0 and result.stderr == "" and "NAME" in result.stdout,
                  result.stderr)


def shell_env(ltm, data_dir, path_first=None):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(p for p in [path_first, os.path.dirname(ltm), env.get("PATH", "")]
                                  if p)
    env["LTM_DATA_DIR"] = data_dir
    env.pop("LTM_ACCESS_TOKEN", None)
    env.pop("LTM_CHANNEL_SECRET", None)
    return env


def bash_complete(script, line, env, cwd):
    """What Tab offers after LINE (a trailing space starts a new word)."""
    words = line.split(" ")
    program = r"""
source "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_ltm ltm "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""
    result = run(["bash", "--norc", "--noprofile", "-c", program, "bash", script] + words,
                 env=env, cwd=cwd)
    return result, sorted(l for l in result.stdout.split("\n") if l)


def zsh_complete(script, line, env, cwd):
    """zsh's completion system needs a terminal; its functions are stood in
    for by ones that print what they are given, filtered here as zsh would."""
    words = line.split(" ")
    program = r"""
_describe () { local a; shift 3; for a in ${(P)1}; do print -r -- "${a%%:*}"; done }
compadd () { shift; print -rl -- ${(P)1} }
_files () { print -rl -- *(N) }
_message () { }
source "$1" >/dev/null
shift
words=("$@")
CURRENT=$#
_ltm
"""
    result = run(["zsh", "-f", "-c", program, "zsh", script] + words, env=env, cwd=cwd)
    return result, sorted(l for l in result.stdout.split("\n") if l and l.startswith(words[-1]))


def fish_complete(script, line, env, cwd):
    result = run(["fish", "--no-config", "-c",
                  "source $argv[1]; complete -C $argv[2]", script, line], env=env, cwd=cwd)
    return result, sorted(l.split("\t")[0] for l in result.stdout.split("\n") if l)


def with_new_commands(describe):
    """The table as other branches grow it: a command taking a file named F,
    an option taking a PATH, a command taking a channel ID."""
    grown = json.loads(json.dumps(describe))
    grown["groups"].append({
        "name": "vault", "summary": "Made up for the test",
        "commands": [
            {"group": "vault", "name": "import", "parameters": "F", "synopsis": "F",
             "summary": "Made up", "description": None, "min_args": 1, "max_args": 1,
             "options": [{"long_name": "env-file", "short_name": None, "arg": "string",
                          "repeatable": False, "arg_description": "PATH",
                          "description": "Made up"}]},
            {"group": "vault", "name": "export", "parameters": "ID", "synopsis": "ID -o F",
             "summary": "Made up", "description": None, "min_args": 1, "max_args": 1,
             "options": []},
        ]})
    return grown


def check_completion(shell, source_root, describe, ltm, script):
    tool = shutil.which(shell)
    generator = os.path.join(source_root, "src", "cli", "gen-cli-files.py")
    if tool is None:
        check("# SKIP %s: not installed" % shell, True)
        return

    syntax = {"bash": ["bash", "-n", script], "zsh": ["zsh", "-n", script],
              "fish": ["fish", "--no-execute", script]}[shell]
    result = run(syntax)
    check("%s: the syntax is good" % " ".join(syntax[:-1]), result.returncode == 0, result.stderr)
    complete = {"bash": bash_complete, "zsh": zsh_complete, "fish": fish_complete}[shell]

    groups = sorted(g["name"] for g in describe["groups"])
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "store")
        work = os.path.join(tmp, "work")
        fake = os.path.join(tmp, "fake")
        for d in (store, work, fake):
            os.mkdir(d)
        for name in ("channel-key.json", "secret.txt"):
            open(os.path.join(work, name), "w").close()
        env = shell_env(ltm, store)

        # Table-driven: the line typed, what Tab must offer (exactly), or
        # what it must include.
        cases = [("ltm ", groups, None)]
        for group in describe["groups"]:
            cases.append(("ltm %s " % group["name"],
                          sorted(c["name"] for c in group["commands"]), None))
        for group, command in commands(describe):
            names = {"--" + o["long_name"] for o in command.get("options", [])}
            names |= {"--" + o["long_name"] for o in describe["global_options"]}
            cases.append(("ltm %s %s --" % (group["name"], command["name"]), None, sorted(names)))
            for option in command.get("options", []):
                if option["arg"] == "filename":
                    cases.append(("ltm %s %s --%s " % (group["name"], command["name"],
                                                      option["long_name"]),
                                  ["channel-key.json", "secret.txt"], None))
        cases += [
            ("ltm --", None, ["--json", "--version"]),
            ("ltm key generate -o chan", ["channel-key.json"], None),
            ("ltm key public ", ["channel-key.json", "secret.txt"], None),
            # An empty store: nothing, and nothing on the terminal.
            ("ltm token list --channel ", [], None),
        ]
        for line, exact, includes in cases:
            result, offered = complete(script, line, env, work)
            ok = result.returncode == 0 and result.stderr == ""
            if exact is not None:
                ok = ok and offered == exact
            if includes is not None:
                ok = ok and set(includes) <= set(offered)
            check("%s: “%s” offers %s" % (shell, line, exact if exact is not None else
                                         "at least " + " ".join(includes)),
                  ok, "offered: %s\nstderr: %s" % (offered, result.stderr))

        # A store that cannot be opened: quietly nothing.
        broken = os.path.join(tmp, "not-a-folder")
        open(broken, "w").close()
        result, offered = complete(script, "ltm token list --channel ", shell_env(ltm, broken), work)
        check("%s: no channels, and no message, when the store cannot be opened" % shell,
              result.returncode == 0 and offered == [] and result.stderr == "",
              "offered: %s\nstderr: %s" % (offered, result.stderr))

        # Stored channels: their IDs, for --channel and a channel argument.
        add = run([ltm, "channel", "add", "1234567890", "--name", "My bot"], env=env)
        check("%s: a channel is stored for the test" % shell, add.returncode == 0, add.stderr)
        for line in ("ltm token list --channel ", "ltm --json webhook get --channel 12",
                     "ltm channel show "):
            result, offered = complete(script, line, env, work)
            check("%s: “%s” offers the stored channel ID" % (shell, line),
                  result.returncode == 0 and offered == ["1234567890"] and result.stderr == "",
                  "offered: %s\nstderr: %s" % (offered, result.stderr))

        # A command another branch adds to the table is completed with no
        # change to the generator.
        grown_json = os.path.join(tmp, "grown.json")
        grown_script = os.path.join(tmp, "grown-completion")
        with open(grown_json, "w", encoding="utf-8") as f:
            json.dump(with_new_commands(describe), f)
        made = run([sys.executable, generator, shell, grown_json,
                    os.path.join(source_root, "README.md"), grown_script])
        check("%s: made from a grown table" % shell, made.returncode == 0, made.stderr)
        for line, exact in [("ltm va", ["vault"]),
                            ("ltm vault ", ["export", "import"]),
                            ("ltm vault import ", ["channel-key.json", "secret.txt"]),
                            ("ltm vault import --env-file sec", ["secret.txt"]),
                            ("ltm vault export ", ["1234567890"])]:
            result, offered = complete(grown_script, line, env, work)
            check("%s, grown table: “%s” offers %s" % (shell, line, exact),
                  result.returncode == 0 and offered == exact and result.stderr == "",
                  "offered: %s\nstderr: %s" % (offered, result.stderr))

        # Only IDs, whatever else `ltm channel list --json` prints.
        with open(os.path.join(fake, "ltm"), "w") as f:
            f.write("#!/bin/sh\ncat <<'EOF'\n"
                    '{\n  "channels" : [\n    {\n      "channel_id" : "2000000001",\n'
                    '      "name" : "SECRET-NAME",\n      "secret" : "SECRET-VALUE",\n'
                    '      "access_token" : "SECRET-TOKEN"\n    }\n  ]\n}\nEOF\n')
        os.chmod(os.path.join(fake, "ltm"), 0o755)
        result, offered = complete(script, "ltm token list --channel ",
                                   shell_env(ltm, store, path_first=fake), work)
        check("%s: only channel IDs are offered, never another member" % shell,
              offered == ["2000000001"] and "SECRET" not in result.stdout + result.stderr,
              "offered: %s" % offered)


def main():
    check_name = sys.argv[1]
    # meson gives built files relative to the build folder; the shells run elsewhere.
    source_root, ltm, describe_path, man_ltm, man_gui, bash, zsh, fish = \
        [os.path.abspath(a) for a in sys.argv[2:10]]
    with open(describe_path, encoding="utf-8") as f:
        describe = json.load(f)

    if check_name == "table":
        with open(man_ltm, encoding="utf-8") as f:
            check_table(source_root, describe, f.read())
    elif check_name == "man":
        check_man([man_ltm, man_gui])
    else:
        check_completion(check_name, source_root, describe, ltm, {"bash": bash, "zsh": zsh, "fish": fish}[check_name])

    finish()


if __name__ == "__main__":
    main()
