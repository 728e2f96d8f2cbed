"""What every command shares: translated --help, --lang, the console, and how an error leaves
the program (a message on stderr, its exit code, and with --json one JSON object on stdout).

Whether errors go out as JSON too is the run's Env, which main() hands to click as the context
object: nothing here keeps state of its own."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from ..core.errors import GradtraceError
from ..i18n import LANGUAGES, N_, _


@dataclass
class Env:
    """What a run takes from its process besides its arguments, as httpie's Environment: whether
    the command line asked for JSON, so that every error is a JSON object on stdout as well."""

    json_errors: bool = False
    ndjson: bool = False  # --format ndjson: the error is a line of the stream, {"type": "error", ...}


def current_env() -> Env:
    """The running command's Env (a default one outside a run, e.g. a command invoked on its own)."""
    ctx = click.get_current_context(silent=True)
    env = ctx.find_object(Env) if ctx is not None else None
    return env if env is not None else Env()


class Section:
    """--help's section headings, by the same names in every command: a command's `sections` lists,
    under each heading, the names of its options (click's param.name) in the order shown."""

    INPUT = N_("Input")
    OUTPUT = N_("Output formats")
    CHECKING = N_("Checking")
    PICTURES = N_("Pictures")
    MODES = N_("Modes")
    PROBLEMS = N_("Problems")
    WORKSHEETS = N_("Worksheets")
    FILES = N_("Files")
    LANGUAGE = N_("Language")
    HELP = N_("Help")


class TranslatedHelp(click.Command):
    """--help in the language of the run. Each text is written in English and marked N_ (help=,
    the command's help), and looked up in the catalog only as --help shows it. The options are
    shown in sections (`sections`), one column wide for all of them; an option no section names
    is shown last, under Help."""

    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        saved = [(param, param.help) for param in self.get_params(ctx)  # click's own --help too
                 if isinstance(param, click.Option) and param.help]
        help_text, epilog = self.help, self.epilog
        try:
            for param, text in saved:
                param.help = _(text)
            self.help = _(help_text) if help_text else help_text
            self.epilog = self.translated_epilog()
            super().format_help(ctx, formatter)
        finally:
            for param, text in saved:
                param.help = text
            self.help, self.epilog = help_text, epilog

    def translated_epilog(self) -> str | None:
        return _(self.epilog) if self.epilog else self.epilog

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self.sections:
            super().format_options(ctx, formatter)
            return
        records = {param.name: record for param in self.get_params(ctx)
                   if isinstance(param, click.Option) and (record := param.get_help_record(ctx)) is not None}
        placed = {name for _title, names in self.sections for name in names}
        sections = [(title, [records[name] for name in names if name in records]) for title, names in self.sections]
        rest = [record for name, record in records.items() if name not in placed]
        if rest:
            sections = [*[(t, rows) for t, rows in sections if t != Section.HELP],
                        (Section.HELP, [*next((rows for t, rows in sections if t == Section.HELP), []), *rest])]
        # One first column for every section (click's write_dl sizes each list by its own widest name).
        width = min(max(len(name) for _title, rows in sections for name, _help in rows), 30)
        for title, rows in sections:
            if rows:
                with formatter.section(_(title)):
                    formatter.write_dl([(name.ljust(width), text) for name, text in rows])


# --lang: read by main() before anything runs (see _language); declared here for --help and to refuse
# other values.
def _set_language(ctx: click.Context, _param: Any, value: str | None) -> None:
    """--lang, or the locale's language: for this command, and back to what it was after it."""
    from .. import i18n

    before = i18n.current()
    libraries = i18n.for_libraries(i18n.use(value))

    def restore() -> None:
        i18n.use(before)
        i18n.restore_libraries(libraries)
    ctx.call_on_close(restore)


LANG_OPTION: Callable[[Any], Any] = click.option(
    "--lang", type=click.Choice(LANGUAGES), expose_value=False, metavar="|".join(LANGUAGES), is_eager=True,
    callback=_set_language, help=N_("The language of the text (default: from LC_ALL, LC_MESSAGES or LANG). JSON keys, "
                                 "exit codes and options stay the same."))


def first_sentence(text: str) -> str:
    """A help text's first sentence, on one line (--help's list of commands wraps it)."""
    words = text.split("\n\n", 1)[0].split()
    end = next((k for k, word in enumerate(words) if word.endswith(".")), len(words) - 1)
    return " ".join(words[:end + 1])


class ReaderGone(Exception):
    """The reader of stdout went away (| head). Not an OSError, so that click passes it through
    to main() instead of turning it into exit 1."""


def fail(err: GradtraceError) -> None:
    """Print a core error to stderr (and, for --json, as JSON on stdout) and exit with its code."""
    text = err.format()
    click.echo(f"gradtrace: {text}", err=True)
    json_error(err.kind, str(err), err.span, err.hint, int(err.exit_code))
    raise click.exceptions.Exit(int(err.exit_code))


def wants_json(args: list[str], formats: tuple[str, ...] = ("json", "ndjson")) -> bool:
    """Whether the command line asks for one of these JSON formats (--json is json)."""
    joined = tuple(f"--format={f}" for f in formats)
    for k, arg in enumerate(args):
        if arg == "--":
            break
        if (arg == "--json" and "json" in formats) or arg in joined or (
                arg == "--format" and k + 1 < len(args) and args[k + 1] in formats):
            return True
    return False


def json_error(kind: str, message: str, span: tuple[int, int] | None, hint: str | None, code: int,
               env: Env | None = None) -> None:
    """With --json, every error is also one JSON object on stdout, so a script never parses stderr:
    {"error": {"kind", "message", "span", "hint", "exit_code"}} (the exit code is unchanged). env:
    the run's, where no click context holds it any more (main's own handlers)."""
    env = env or current_env()
    if not env.json_errors:
        return
    import json

    from ..render.json import error_record

    document: dict[str, Any] = {"error": error_record(kind, message, span, hint, code)}
    if env.ndjson:  # a line of the stream, typed as its others are (a streamed trace may have written some)
        document = {"type": "error", **document}
    try:
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except (OSError, ValueError):
        pass


def make_console(color: str, stderr: bool = False) -> Any:
    """A rich console: colour on a terminal, plain text when piped or when NO_COLOR is set."""
    from rich.console import Console

    if color == "always":
        return Console(force_terminal=True, stderr=stderr)
    if color == "never" or os.environ.get("NO_COLOR"):
        return Console(color_system=None, stderr=stderr)
    return Console(stderr=stderr)


def blank_words(text: str) -> frozenset[str]:
    """--blank values,gradients (a picture's, or a worksheet's): what is left to fill in."""
    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not chosen or not chosen <= {"values", "gradients"}:
        raise click.UsageError(_("--blank {blank}: write values, gradients or values,gradients").format(blank=text))
    return chosen
