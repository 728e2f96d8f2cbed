"""The man page, written from the click commands themselves (roff with the man(7) macros).

`gradtrace --man` prints it (through `man -l -` on a terminal), however gradtrace was installed:
uv tool install and pipx put the gradtrace script on PATH but no page where `man gradtrace` looks.
setup.py also writes it at build time, and the wheel installs it as share/man/man1/gradtrace.1,
where `man gradtrace` finds it next to a venv's gradtrace script. From a checkout:
`python -m gradtrace --man`. It needs only click, so a build environment can run it. It is given
the command group (gradtrace.cli.cli) rather than importing it: main.py, which holds the group,
imports this module for --man.
"""

from __future__ import annotations

import sys

import click

from .trace import EXAMPLES, EXIT_CODES


def _roff(text: str) -> str:
    """Escape text for roff: backslashes, and a leading dot or quote that would read as a macro."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in text.splitlines())


def _paragraphs(text: str) -> list[str]:
    """click's help text as paragraphs: blank lines separate them, \\b marks a verbatim one."""
    return [" ".join(p.replace("\b", "").split()) for p in text.split("\n\n") if p.strip()]


def _options(command: click.Command, headings: bool = False) -> list[str]:
    """The options as --help shows them: in the command's sections (with headings: each under its
    own .SS, as --help's), in English."""
    ctx = click.Context(command, info_name=command.name)
    records = {param.name: record for param in command.get_params(ctx)
               if isinstance(param, click.Option) and (record := param.get_help_record(ctx)) is not None}
    sections = [(title, [name for name in names if name in records])
                for title, names in getattr(command, "sections", ())]
    placed = {name for _title, names in sections for name in names}
    rest = [name for name in records if name not in placed]  # click's --help: last, under Help, as in --help
    if sections and sections[-1][0] == "Help":
        sections[-1][1].extend(rest)
    else:
        sections.append(("Other options", rest))
    lines: list[str] = []
    for title, names in sections:
        if names and headings:
            lines.append(f".SS {_roff(title)}")
        for name in names:
            option, help_text = records[name]
            lines += [".TP", f".B {_roff(option)}", _roff(" ".join(help_text.split()) or "(no description)")]
    return lines


def _expressions() -> list[str]:
    """What an expression may use, read off the op table: operators, functions, constants."""
    from ..core.ops import CONSTANTS, INFIX, POSTFIX, PREFIX, SUBSCRIPT, Op
    from ..core.ops_text import SUBSCRIPTED, functions

    def symbols(table: dict[str, Op]) -> str:  # ** ^ (pow): each op's symbols, then its name
        by_op: dict[str, list[str]] = {}
        for symbol, op in table.items():
            by_op.setdefault(op.name, []).append(symbol)
        return ", ".join(f"{' '.join(spelled)} ({name})" for name, spelled in by_op.items())

    def listed(entries: list[tuple[str, tuple[str, ...]]]) -> str:
        return ", ".join(sig + "".join(f" ({alias})" for alias in aliases) for sig, aliases in entries)

    rows = [("Infix operators", symbols(INFIX)),
            ("Prefix operators", symbols(PREFIX)),
            ("Postfix operators", symbols(POSTFIX)),
            ("Subscripts", f"{SUBSCRIPTED} ({SUBSCRIPT.name}): integers and slices start:stop:step, one per axis, "
                           "written as numbers, e.g. x[0], x[-1], x[:, 1], x[1:3], x[::2], x[0, 2]"),
            ("Functions", listed(functions()) + "; on arrays they work elementwise"),
            ("Array functions", listed(functions(arrays=True))),
            ("Constants", ", ".join(CONSTANTS))]
    out = [".SH EXPRESSIONS"]
    for title, text in rows:
        out += [".TP", f".B {title}", _roff(text)]
    return out


# What gradtrace reads from its environment, in the order it looks (i18n.from_environment: the first
# of LC_ALL, LC_MESSAGES and LANG that is set chooses the language).
ENVIRONMENT = (
    ("LC_ALL", "The language of the text, if set (a Korean locale such as ko_KR.UTF-8 gives Korean; any other, "
               "English). --lang overrides it. JSON keys, exit codes and options stay the same."),
    ("LC_MESSAGES", "The language of the text when LC_ALL is not set."),
    ("LANG", "The language of the text when neither LC_ALL nor LC_MESSAGES is set."),
    ("NO_COLOR", "Plain text, with no colour, even on a terminal (--color always still colours)."),
    ("COLUMNS", "The width of the table when the output is not a terminal."),
    ("GRADTRACE_DEBUG", "Show the Python traceback of an internal error (a bug in gradtrace) instead of a "
                        "one-line message."),
)

HOW_TO_READ = ("gradtrace --man shows this page however gradtrace was installed (pip, pipx, uv tool install): "
               "through man on a terminal, as roff otherwise, so gradtrace --man > gradtrace.1 writes it. An "
               "install into a venv also puts it where man gradtrace finds it.")


def manpage(cli: click.Group, version: str | None = None) -> str:
    """The whole page for `gradtrace` (the group cli) and its subcommands (quiz, grade). version:
    the installed one by default."""
    if version is None:
        from .. import _version

        version = _version()
    trace = cli.commands["trace"]
    summary, *description = _paragraphs(trace.help or "")
    out = [
        f'.TH GRADTRACE 1 "" "gradtrace {version}" "User Commands"',
        ".SH NAME",
        "gradtrace \\- " + _roff(summary[0].lower() + summary[1:].rstrip(".")),
        ".SH SYNOPSIS",
        ".B gradtrace",
        "[\\fIOPTIONS\\fR] \\fIEXPRESSION\\fR [\\fB\\-\\fR\\fINAME VALUE\\fR | \\fINAME\\fR\\fB=\\fR\\fIVALUE\\fR]...",
        ".br",
        ".B gradtrace quiz",
        "[\\fIOPTIONS\\fR]",
        ".br",
        ".B gradtrace grade",
        "[\\fIOPTIONS\\fR] \\fISUBMISSION\\fR...",
        ".SH DESCRIPTION",
    ]
    for paragraph in description:
        out += [_roff(paragraph), ".PP"]
    out += [_roff("Bind a variable with -NAME VALUE, --NAME VALUE, --NAME=VALUE or NAME=VALUE. A value may be a "
                  "number or a constant expression such as 1/3 or -pi/2."), ".PP", _roff(HOW_TO_READ)]
    out += _expressions()
    out += [".SH OPTIONS"]
    out += _options(trace, headings=True)
    out += [".SH COMMANDS"]
    for name, command in cli.commands.items():
        if name == "trace":
            continue
        ctx = click.Context(command, info_name=f"gradtrace {name}")
        usage = " ".join(command.collect_usage_pieces(ctx))
        summary_, *description_ = _paragraphs(command.help or "")
        out += [f".SS gradtrace {name} {_roff(usage)}", _roff(summary_)]
        for paragraph in description_:
            out += [".PP", _roff(paragraph)]
        out += _options(command)
    out += [".SH EXIT STATUS"]
    for code, meaning in EXIT_CODES:
        out += [".TP", f".B {int(code)}", _roff(meaning)]
    out += [".SH EXAMPLES"]
    for example in EXAMPLES:
        out += [".PP", ".nf", _roff(example), ".fi"]
    out += [".SH ENVIRONMENT"]
    for name, meaning in ENVIRONMENT:
        out += [".TP", f".B {name}", _roff(meaning)]
    out += [".SH SEE ALSO", "The README shipped with the package (its index page), and Stanford CS231n, Lecture 4."]
    return "\n".join(out) + "\n"


def show(page: str) -> int:
    """gradtrace --man: the page through `man -l -` when stdout is a terminal and man is installed,
    else the roff itself (for a pipe, a file, or a machine without man). Returns the exit code."""
    import shutil
    import subprocess

    man = shutil.which("man")
    if man is not None and sys.stdout.isatty():
        try:
            return subprocess.run([man, "-l", "-"], input=page, text=True, check=False).returncode
        except OSError:
            pass  # man is there but can't run: the roff, as without it
    sys.stdout.write(page)
    return 0
