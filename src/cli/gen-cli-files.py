#!/usr/bin/env python3
# gen-cli-files.py: the manual pages and the shell completion, made from
# `ltm __describe` (ltm's own command table and option entries), so that a
# new command or option shows in --help, the manual and Tab at once.
#
#   gen-cli-files.py KIND DESCRIBE_JSON README OUTPUT
#
# KIND is man-ltm, man-gui, bash, zsh or fish.  The output depends only on
# the inputs: no date, no locale, no environment.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import re
import sys

# What the manual says that no option entry does.  The command table is
# the one list of commands; these are the variables and files ltm reads.
ENVIRONMENT = [
    ("LTM_API_BASE",
     "Talk to this server instead of https://api.line.me, as --api-base does. "
     "A plain http:// base is accepted only for 127.0.0.1, ::1 and localhost."),
    ("LTM_DATA_DIR",
     "The folder of the store, instead of $XDG_DATA_HOME/line-token-manager."),
    ("LTM_ACCESS_TOKEN",
     "The channel access token for commands that need one and are given neither "
     "--token-file nor a stored channel."),
    ("LTM_CHANNEL_SECRET",
     "The channel secret for commands that need one and are given no --secret-file."),
    ("LTM_MASTER_KEY_FILE",
     "A file, readable only by its owner, holding the master key that seals the "
     "store's secrets; for servers without a desktop keyring."),
    ("LTM_TEST_DEPLOY_TIMEOUT",
     "For the project's tests only: how many seconds a deploy command may run "
     "before it is stopped, instead of 120."),
    ("LTM_TEST_FLATPAK_INFO",
     "For the project's tests only: a file standing in for /.flatpak-info; deploy "
     "commands run on the host through flatpak-spawn when it exists."),
    ("CREDENTIALS_DIRECTORY",
     "Set by systemd for a service with LoadCredential=: the master key is read "
     "from ltm-master-key in it when LTM_MASTER_KEY_FILE is not set."),
]

FILES = [
    ("$XDG_DATA_HOME/line-token-manager/store.sqlite3",
     "The store (by default in ~/.local/share/line-token-manager/, mode 0600 in a "
     "0700 folder, with its -wal and -shm files): channels, kids and tokens' "
     "times. Keys, channel secrets and tokens are kept only sealed with AES-256-GCM "
     "under the master key, never in plain form."),
    ("the desktop keyring",
     "One item, \"LINE Token Manager master key\", holds the master key of each "
     "store unless LTM_MASTER_KEY_FILE or a credential gives it."),
    ("$XDG_DATA_HOME/line-token-manager/channels.json.migrated",
     "The list kept by version 0.1, left after its channels and secrets moved "
     "into the store."),
]

EXIT_STATUS = [
    ("0", "Success."),
    ("1", "The operation failed: LINE said no, the input was invalid, or the "
          "network failed. The message on standard error says why, with LINE's "
          "own text and X-Line-Request-Id."),
    ("2", "Wrong usage: an unknown command or option, or a missing argument."),
]

# The README sections whose sh blocks are the manual's EXAMPLES.
EXAMPLE_SECTIONS = ["The flow with `ltm`", "Keep it in the store", "Keep tokens alive",
                    "Develop a bot on this machine"]

# How the table names a file, in an argument or an option's argument.
FILE_WORDS = {"FILE", "F", "PATH"}

GUI_OPTIONS = [
    ("--version", "Print the version and exit."),
    ("--help", "Show the options."),
    ("--gapplication-service",
     "Start as a D-Bus service, as the desktop does for a D-Bus activatable application."),
]


def commands(describe):
    for group in describe["groups"]:
        for command in group["commands"]:
            yield group, command


def options_of(command):
    return command.get("options") or []


def option_kind(option):
    """What the option's argument is: None (no argument), file, channel or value."""
    if option["arg"] == "none":
        return None
    if option["arg"] == "filename" or option.get("arg_description") in FILE_WORDS:
        return "file"
    if option.get("arg_description") == "ID":
        return "channel"
    return "value"


def positional_kind(command):
    parameters = command["parameters"] or ""
    if FILE_WORDS & set(re.findall(r"[A-Z]+", parameters)):
        return "file"
    if re.fullmatch(r"\[?ID\]?", parameters):
        return "channel"
    return None


def option_names(option):
    names = ["--" + option["long_name"]]
    if option.get("short_name"):
        names.append("-" + option["short_name"])
    return names


# ---------------------------------------------------------------- man pages

def roff_text(text):
    out = []
    for ch in text.replace("\\", "\\e"):
        if ord(ch) < 128:
            out.append(ch)
        else:
            out.append("\\[u%04X]" % ord(ch))
    text = "".join(out).replace("-", "\\-")
    # No hyphenation inside an option's name: --secret-file, not --se-cret-file.
    text = re.sub(r"(^|[\s([|])(\\-)", r"\1\\%\2", text)
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line
                     for line in text.split("\n"))


def roff_paragraphs(text):
    """A table description: paragraphs, and lines indented by two spaces as examples."""
    lines = []
    for paragraph in text.split("\n\n"):
        prose, example = [], []
        for line in paragraph.split("\n"):
            if line.startswith("  "):
                example.append(line[2:])
            elif example:
                break
            else:
                prose.append(line)
        lines.append(".PP")
        if prose:
            lines.append(roff_text(" ".join(prose)))
        if example:
            lines += [".PP", ".RS 4", ".EX"] + [roff_text(l) for l in example] + [".EE", ".RE"]
    return lines


def roff_items(items, font="B"):
    """A tagged paragraph for each (term, text): the term in bold or italics."""
    lines = []
    for term, text in items:
        lines += [".TP", "\\f%s%s\\fR" % (font, roff_text(term)), roff_text(text)]
    return lines


def roff_option(option):
    names = option_names(option)
    head = "\\fB" + roff_text(names[0]) + "\\fR"
    if len(names) > 1:
        head = "\\fB" + roff_text(names[1]) + "\\fR, " + head
    if option["arg"] != "none":
        head += " \\fI" + roff_text(option.get("arg_description") or "VALUE") + "\\fR"
    return [".TP", head, roff_text(option.get("description") or "")]


def readme_examples(readme):
    blocks, section, block = [], None, None
    for line in readme.split("\n"):
        if block is not None:
            if line.strip().startswith("```"):
                if any(re.search(r"\bltm ", l) for l in block):
                    blocks.append(block)
                block = None
            else:
                block.append(line.strip() if not line.startswith("   ") else line[3:])
            continue
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.strip() == "```sh" and section in EXAMPLE_SECTIONS:
            block = []
    return blocks


def man_header(name, version, title):
    return [
        ".\\\" Generated by src/cli/gen-cli-files.py from `ltm __describe`: do not edit.",
        '.TH %s 1 "" "line-token-manager %s" "User Commands"' % (name.upper(), roff_text(version)),
        ".SH NAME",
        "%s \\- %s" % (roff_text(name), roff_text(title)),
    ]


def man_shared_sections():
    return ([".SH ENVIRONMENT"] + roff_items(ENVIRONMENT) +
            [".SH FILES"] + roff_items(FILES, font="I"))


def man_ltm(describe, readme):
    lines = man_header("ltm", describe["version"], "LINE Token Manager on the command line")
    lines += [
        ".SH SYNOPSIS",
        ".B ltm",
    ]
    for option in describe["global_options"]:
        if option["arg"] == "none":
            lines.append(".RB [ %s ]" % roff_text(option_names(option)[0]))
        else:
            lines.append(".RB [ %s\n.IR %s ]" % (roff_text(option_names(option)[0]),
                                                 roff_text(option["arg_description"])))
    lines += [".I group command", ".RI [ option ...]", ".RI [ argument ...]", ".br"]
    for option in describe["top_options"]:
        lines += [".B ltm %s" % roff_text(option_names(option)[0]), ".RB [ \\-\\-json ]", ".br"]
    lines.pop()

    lines += [".SH DESCRIPTION", roff_text(describe["summary"]), ".PP",
              "Commands come in groups:"]
    lines += roff_items((group["name"], group["summary"]) for group in describe["groups"])
    lines += [
        ".PP",
        "Default output is for people; with \\fB\\-\\-json\\fR each command prints one JSON "
        "document for programs. Secrets are never taken from arguments, where other users "
        "can read them: keys, channel secrets and tokens come from files, standard input "
        "(\\fB\\-\\fR), the store, or \\fBLTM_CHANNEL_SECRET\\fR and \\fBLTM_ACCESS_TOKEN\\fR.",
        ".SH OPTIONS",
        "These options are accepted before the group and after the command.",
    ]
    for option in describe["global_options"]:
        lines += roff_option(option)
    lines += [".TP", "\\fB\\-h\\fR, \\fB\\-\\-help\\fR",
              "Show the commands, a group's commands, or a command's options."]
    lines += [".PP", "These are accepted only on their own, before any group:"]
    for option in describe["top_options"]:
        lines += roff_option(option)

    lines.append(".SH COMMANDS")
    for group, command in commands(describe):
        title = "ltm %s %s" % (group["name"], command["name"])
        if command.get("synopsis"):
            title += " " + command["synopsis"]
        lines += ['.SS "%s"' % roff_text(title).replace('"', '\\(dq'),
                  roff_text(command.get("summary") or "")]
        if command.get("description"):
            lines += roff_paragraphs(command["description"])
        if options_of(command):
            lines += [".PP", "Options:", ".RS 4"]
            for option in options_of(command):
                lines += roff_option(option)
            lines.append(".RE")

    lines += [".SH EXIT STATUS"] + roff_items(EXIT_STATUS)

    lines += man_shared_sections()

    lines.append(".SH EXAMPLES")
    for block in readme_examples(readme):
        lines += [".PP", ".RS 4", ".EX"] + [roff_text(l) for l in block] + [".EE", ".RE"]

    lines += [
        ".SH SEE ALSO",
        ".BR line\\-token\\-manager (1)",
    ]
    return lines


def man_gui(describe, readme):
    lines = man_header("line-token-manager", describe["version"], "keep LINE channel access tokens")
    lines += [
        ".SH SYNOPSIS",
        ".B line\\-token\\-manager",
        ".RI [ option ...]",
        ".SH DESCRIPTION",
        "LINE Token Manager takes a LINE Messaging API developer from nothing to a working, "
        "safely stored channel access token and keeps it alive: it makes the assertion signing "
        "key, signs the JWT, and issues, verifies, rotates and revokes tokens, for one channel "
        "or hundreds. The same store serves \\fBltm\\fR(1), its command line.",
        ".SH OPTIONS",
    ]
    lines += roff_items(GUI_OPTIONS)
    lines += man_shared_sections()
    lines += [".SH SEE ALSO", ".BR ltm (1)"]
    return lines


# ---------------------------------------------------------------- completion

def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def channel_list_command():
    # Only the IDs: never a name, a key or a secret; nothing when the store
    # cannot be opened.
    return ("command ltm --json channel list 2>/dev/null"
            " | sed -n 's/^ *\"channel_id\" *: *\"\\([^\"]*\\)\".*/\\1/p'")


def option_table(describe):
    """(group, command, option, kind) for each option, global ones as '*'."""
    rows = []
    for option in describe["global_options"]:
        rows.append(("*", "*", option, option_kind(option)))
    for group, command in commands(describe):
        for option in options_of(command):
            rows.append((group["name"], command["name"], option, option_kind(option)))
    return rows


def kind_functions(describe):
    """_ltm_option_arg and _ltm_positional, the same in bash and zsh."""
    out = ["# What an option's argument is: file, channel or value; nothing if it takes none.",
           "_ltm_option_arg () {", '  case "$1 $2 $3" in']
    for group, command, option, kind in option_table(describe):
        if kind is None:
            continue
        if group == "*":
            patterns = ["*' %s'" % n for n in option_names(option)]
        else:
            patterns = [shell_quote("%s %s %s" % (group, command, n)) for n in option_names(option)]
        out.append("    %s) echo %s ;;" % ("|".join(patterns), kind))
    out += ["  esac", "}", "",
            "# What a command's arguments are: file, channel, or nothing to complete.",
            "_ltm_positional () {", '  case "$1 $2" in']
    for group, command in commands(describe):
        kind = positional_kind(command)
        if kind:
            out.append("    %s) echo %s ;;" % (shell_quote(group["name"] + " " + command["name"]), kind))
    out += ["  esac", "}", ""]
    return out


def bash(describe):
    groups = [g["name"] for g in describe["groups"]]
    top = ["--help"] + [n for o in describe["top_options"] + describe["global_options"]
                        for n in option_names(o)]
    out = [
        "# bash completion for ltm(1)",
        "# Generated by src/cli/gen-cli-files.py from `ltm __describe`: do not edit.",
        "",
        "_ltm_channels ()",
        "{",
        "  " + channel_list_command(),
        "}",
        "",
        "# The commands of a group.",
        "_ltm_commands ()",
        "{",
        '  case "$1" in',
    ]
    for group in describe["groups"]:
        out.append("    %s) echo %s ;;" % (shell_quote(group["name"]),
                                         shell_quote(" ".join(c["name"] for c in group["commands"]))))
    out += ["  esac", "}", "",
            "# The options of a command, and those every command takes.",
            "_ltm_options ()", "{", '  case "$1 $2" in']
    for group, command in commands(describe):
        names = [n for o in options_of(command) for n in option_names(o)]
        out.append("    %s) echo %s ;;" % (shell_quote(group["name"] + " " + command["name"]),
                                         shell_quote(" ".join(names))))
    out += ["  esac",
            "  echo %s" % shell_quote(" ".join(["--help"] + [n for o in describe["global_options"]
                                                            for n in option_names(o)])),
            "}", ""]
    out += kind_functions(describe)
    out += r"""_ltm ()
{
  local cur=${COMP_WORDS[COMP_CWORD]} group= command= kind= i word

  for (( i = 1; i < COMP_CWORD; i++ )); do
    word=${COMP_WORDS[i]}
    case $word in
      --*=*) ;;
      -*)
        if [[ -n $(_ltm_option_arg "$group" "$command" "$word") ]]; then
          (( i++ ))
        fi
        ;;
      *)
        if [[ -z $group ]]; then
          group=$word
        elif [[ -z $command ]]; then
          command=$word
        fi
        ;;
    esac
  done

  COMPREPLY=()
  if (( COMP_CWORD > 1 )); then
    kind=$(_ltm_option_arg "$group" "$command" "${COMP_WORDS[COMP_CWORD - 1]}")
  fi

  if [[ -z $kind && $cur == -* ]]; then
    if [[ -z $group ]]; then
      COMPREPLY=($(compgen -W %(top)s -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$(_ltm_options "$group" "$command")" -- "$cur"))
    fi
    return
  fi

  if [[ -z $kind ]]; then
    if [[ -z $group ]]; then
      COMPREPLY=($(compgen -W %(groups)s -- "$cur"))
      return
    elif [[ -z $command ]]; then
      COMPREPLY=($(compgen -W "$(_ltm_commands "$group")" -- "$cur"))
      return
    fi
    kind=$(_ltm_positional "$group" "$command")
  fi

  case $kind in
    file)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
    channel)
      COMPREPLY=($(compgen -W "$(_ltm_channels)" -- "$cur"))
      ;;
  esac
}

complete -F _ltm ltm
""".replace("%(top)s", shell_quote(" ".join(top))).replace(
        "%(groups)s", shell_quote(" ".join(groups))).split("\n")
    return out


def zsh_describe_item(name, text):
    return shell_quote(name.replace(":", "\\:") + ":" + (text or "").replace("\n", " "))


def zsh(describe):
    out = [
        "#compdef ltm",
        "# zsh completion for ltm(1)",
        "# Generated by src/cli/gen-cli-files.py from `ltm __describe`: do not edit.",
        "",
        "_ltm_channels () {",
        "  local -a ids",
        '  ids=(${(f)"$(%s)"})' % channel_list_command(),
        "  compadd -a ids",
        "}",
        "",
        "_ltm_groups () {",
        "  local -a groups",
        "  groups=(",
    ]
    out += ["    " + zsh_describe_item(g["name"], g["summary"]) for g in describe["groups"]]
    out += ["  )", "  _describe -t groups 'group' groups", "}", "",
            "_ltm_commands () {", "  local -a commands", '  case $1 in']
    for group in describe["groups"]:
        out.append("    %s) commands=(%s) ;;" % (
            shell_quote(group["name"]),
            " ".join(zsh_describe_item(c["name"], c["summary"]) for c in group["commands"])))
    out += ["  esac", "  _describe -t commands 'command' commands", "}", "",
            "_ltm_options () {", "  local -a options", '  case "$1 $2" in']
    global_items = [zsh_describe_item(n, o["description"])
                    for o in describe["global_options"] for n in option_names(o)]
    top_items = [zsh_describe_item(n, o["description"])
                 for o in describe["top_options"] for n in option_names(o)]
    out.append("    ' ') options=(%s) ;;" % " ".join(top_items + global_items))
    for group, command in commands(describe):
        items = [zsh_describe_item(n, o["description"]) for o in options_of(command)
                 for n in option_names(o)]
        out.append("    %s) options=(%s) ;;" % (shell_quote(group["name"] + " " + command["name"]),
                                               " ".join(items)))
    out += ["  esac",
            "  [[ $1 != '' ]] && options+=(%s)" % " ".join(global_items),
            "  _describe -t options 'option' options", "}", ""]
    out += kind_functions(describe)
    out += r"""_ltm () {
  local group= command= kind= word
  integer i
  for (( i = 2; i < CURRENT; i++ )); do
    word=${words[i]}
    case $word in
      --*=*) ;;
      -*)
        [[ -n $(_ltm_option_arg "$group" "$command" "$word") ]] && (( i++ ))
        ;;
      *)
        if [[ -z $group ]]; then
          group=$word
        elif [[ -z $command ]]; then
          command=$word
        fi
        ;;
    esac
  done

  (( CURRENT > 2 )) && kind=$(_ltm_option_arg "$group" "$command" "${words[CURRENT-1]}")

  if [[ -z $kind && ${words[CURRENT]} == -* ]]; then
    _ltm_options "$group" "$command"
    return
  fi

  if [[ -z $kind ]]; then
    if [[ -z $group ]]; then
      _ltm_groups
      return
    elif [[ -z $command ]]; then
      _ltm_commands "$group"
      return
    fi
    kind=$(_ltm_positional "$group" "$command")
  fi

  case $kind in
    file) _files ;;
    channel) _ltm_channels ;;
    *) _message 'value' ;;
  esac
}

_ltm "$@"
""".split("\n")
    return out


def fish_quote(text):
    return "'" + (text or "").replace("\\", "\\\\").replace("'", "\\'") + "'"


def fish(describe):
    takes_arg = sorted({n for _, _, o, kind in option_table(describe) if kind
                        for n in option_names(o)})
    out = [
        "# fish completion for ltm(1)",
        "# Generated by src/cli/gen-cli-files.py from `ltm __describe`: do not edit.",
        "",
        "function __ltm_channels",
        "    " + channel_list_command().replace("sed -n '", "sed -n '"),
        "end",
        "",
        "# __ltm_at group | __ltm_at command GROUP | __ltm_at args GROUP COMMAND",
        "function __ltm_at",
        "    set -l tokens (commandline -opc)",
        "    set -e tokens[1]",
        "    set -l words",
        "    set -l skip 0",
        "    for token in $tokens",
        "        if test $skip = 1",
        "            set skip 0",
        "            continue",
        "        end",
        "        switch $token",
        "            case %s" % " ".join(fish_quote(n) for n in takes_arg),
        "                set skip 1",
        "            case '-*'",
        "            case '*'",
        "                set -a words $token",
        "        end",
        "    end",
        "    switch $argv[1]",
        "        case group",
        "            test (count $words) -eq 0",
        "        case command",
        "            test (count $words) -eq 1; and test \"$words[1]\" = \"$argv[2]\"",
        "        case args",
        "            test (count $words) -ge 2; and test \"$words[1]\" = \"$argv[2]\"; "
        "and test \"$words[2]\" = \"$argv[3]\"",
        "    end",
        "end",
        "",
        "complete -c ltm -f",
    ]

    def option_line(condition, option):
        kind = option_kind(option)
        parts = ["complete -c ltm"]
        if condition:
            parts.append("-n " + fish_quote(condition))
        if option.get("short_name"):
            parts.append("-s " + option["short_name"])
        parts.append("-l " + option["long_name"])
        if kind == "file":
            parts.append("-r -F")
        elif kind == "channel":
            parts.append("-x -a '(__ltm_channels)'")
        elif kind == "value":
            parts.append("-x")
        parts.append("-d " + fish_quote(option.get("description")))
        return " ".join(parts)

    for option in describe["top_options"]:
        out.append(option_line("__ltm_at group", option))
    for option in describe["global_options"]:
        out.append(option_line(None, option))
    for group in describe["groups"]:
        out.append("complete -c ltm -n '__ltm_at group' -a %s -d %s"
                   % (fish_quote(group["name"]), fish_quote(group["summary"])))
        for command in group["commands"]:
            out.append("complete -c ltm -n %s -a %s -d %s"
                       % (fish_quote("__ltm_at command " + group["name"]),
                          fish_quote(command["name"]), fish_quote(command["summary"])))
            condition = "__ltm_at args %s %s" % (group["name"], command["name"])
            for option in options_of(command):
                out.append(option_line(condition, option))
            kind = positional_kind(command)
            if kind == "file":
                out.append("complete -c ltm -n %s -F" % fish_quote(condition))
            elif kind == "channel":
                out.append("complete -c ltm -n %s -a '(__ltm_channels)'" % fish_quote(condition))
    out.append("")
    return out


def main():
    kind, describe_path, readme_path, output = sys.argv[1:5]
    with open(describe_path, encoding="utf-8") as f:
        describe = json.load(f)
    with open(readme_path, encoding="utf-8") as f:
        readme = f.read()

    makers = {
        "man-ltm": lambda: man_ltm(describe, readme),
        "man-gui": lambda: man_gui(describe, readme),
        "bash": lambda: bash(describe),
        "zsh": lambda: zsh(describe),
        "fish": lambda: fish(describe),
    }
    lines = makers[kind]()
    text = "\n".join(lines)
    if not text.endswith("\n"):
        text += "\n"
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
