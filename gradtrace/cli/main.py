"""The program: `gradtrace ...` runs main(), which routes to a command and turns every way a run
can end into an exit code (0 ok, 1 evaluation error, 2 usage, parse or binding error, 3 a failed
check or wrong answer, 130 interrupted) and streams that can hold what is written."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import click

from ..core.errors import ExitCode, GradtraceError
from ..i18n import N_, _, ngettext
from .common import Env, ReaderGone, json_error, wants_json
from .grade import grade
from .platforms import autograder, lms
from .quiz import quiz
from .trace import _IDENT, TraceCommand, split_bindings, trace_command


class GradtraceGroup(click.Group):
    """`gradtrace EXPRESSION ...` traces; `gradtrace quiz ...` practises. The group itself parses
    nothing, so the trace command sees every argument (-x -2 binds a variable, --help is its help).

    A program that is one word, unbound, and close to a command's name (qiuz, Grade, help) is
    taken for a mistyped command: exit 2 with "did you mean". A word bound as a variable is a
    program, even one named like a command (gradtrace quiz -quiz 2)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # While completing the first word there is nothing to route yet: the group offers its
        # subcommands and the trace command's options (shell_complete below).
        if ctx.resilient_parsing:
            if args and args[0] not in self.commands:
                args = ["trace", *args]
        elif not args:
            args = ["trace"]
        else:
            args = self._route(ctx, args)
        return super().parse_args(ctx, args)

    def _route(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The arguments with the command to run first: the one named first, or trace. Options a
        command takes may come before its name (gradtrace --lang ko quiz --help)."""
        args = self._command_first(ctx, args)
        trace = self.commands["trace"]
        assert isinstance(trace, TraceCommand)
        try:
            opts, positional, bindings = split_bindings(args, trace.option_table(ctx))
        except (GradtraceError, click.UsageError):
            opts, positional, bindings = [], [], []  # not a program's arguments: left to the command
        word = positional[0] if len(positional) == 1 else ""
        if args[0] in self.commands:
            if word == args[0] and any(b.name == word for b in bindings):  # gradtrace quiz -quiz 2: a program
                return ["trace", *args]
            return args
        lone = _IDENT.match(word) is not None and all(b.name != word for b in bindings) \
            and not any(o.partition("=")[0] in ("--vars", "--file") for o in opts)
        if lone and word in self.commands:  # gradtrace --lang ko quiz: the command, with its options
            rest = list(args)
            rest.remove(word)
            return [word, *rest]
        if lone:
            self._refuse_mistyped(ctx, word)
        return ["trace", *args]

    def _command_first(self, ctx: click.Context, args: list[str]) -> list[str]:
        """args with a command's name moved first when only options that command takes (and
        their values) come before it: --lang ko quiz --help is quiz --lang ko --help. Anything
        else before the name (a binding, an option the command lacks) leaves args as they are."""
        for name, command in self.commands.items():
            takes: dict[str, bool] = {}
            for param in command.get_params(ctx):
                if isinstance(param, click.Option) and (not param.is_eager or param.name == "lang"):  # not --help
                    for opt in param.opts + param.secondary_opts:
                        takes[opt] = not (param.is_flag or param.count)
            k = 0
            while k < len(args) and args[k].partition("=")[0] in takes:
                option, eq, _value = args[k].partition("=")
                k += 2 if takes[option] and not eq else 1
            if 0 < k < len(args) and args[k] == name:
                return [name, *args[:k], *args[k + 1:]]
        return args

    def _refuse_mistyped(self, ctx: click.Context, word: str) -> None:
        """A lone word close to a command's name (one edit, a swap, another case) or to help: a
        usage error that says which was meant."""
        import difflib

        meant = {name.lower(): name for name, command in self.commands.items() if not command.hidden}
        meant |= {"help": "--help", "version": "--version"}
        typed = word.lower()
        close = difflib.get_close_matches(typed, sorted(meant), n=3, cutoff=0.6)
        if not close:
            return
        # Runners-up only when about as close as the best (as did_you_mean): grdae is grade, not trace.
        best = difflib.SequenceMatcher(None, typed, close[0]).ratio()
        close = [meant[m] for m in close if difflib.SequenceMatcher(None, typed, m).ratio() >= best - 0.15]
        quoted = ", ".join(repr(name) for name in close)
        message = _("No such command {name!r}.").format(name=word) + " " + ngettext(
            "Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", len(close)
        ).format(possibility=quoted, possibilities=quoted)
        trace = self.commands["trace"]  # the usage shown is tracing's, as for its other usage errors
        raise click.UsageError(message, trace.context_class(trace, parent=ctx, info_name="trace",
                                                             **trace.context_settings))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and args[0] not in self.commands:
            args = ["trace", *args]
        return super().resolve_command(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """Completing the first word: the subcommands, and the trace command's own options."""
        items = [i for i in super().shell_complete(ctx, incomplete) if i.value != "trace"]
        if incomplete.startswith("-"):
            items += self.commands["trace"].shell_complete(ctx, incomplete)
        return items


@click.group(cls=GradtraceGroup, context_settings={"help_option_names": []})
def cli() -> None:
    """gradtrace: trace an expression (the default), practise with `gradtrace quiz`, or grade a class's
    answers with `gradtrace grade`."""


cli.add_command(trace_command)
cli.add_command(quiz)
cli.add_command(grade)
cli.add_command(autograder)
cli.add_command(lms)


def entry() -> None:
    """The console script: main(), then a fast exit. Once the output is flushed, the interpreter
    would spend a noticeable time freeing a large trace object by object (0.3 s for 10^5 terms)
    only to give the memory back to the OS anyway; like mypy, gradtrace skips that.

    A trace is acyclic and the process short-lived, so the cycle collector is off too: with it on,
    a 10^5-term program spent half its run re-scanning the graph it was building."""
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):  # either may be closed (>&-, 2>&-) or gone (| head)
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            if stream is sys.stdout and code == 0:
                code = _reader_gone()
    os._exit(code)


def _readable_streams() -> None:
    """Text that a stream's encoding can't hold (PYTHONIOENCODING=ascii, a Latin-1 terminal) is
    written in plain ASCII (∂ as d, → as ->) instead of ending the run with an encoding error."""
    import codecs

    codecs.register_error("gradtrace", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="gradtrace")
            except (ValueError, OSError):
                pass


_ASCII = {"∂": "d", "−": "-", "·": "*", "×": "x", "⊙": "(.)", "σ": "sigma", "√": "sqrt", "²": "^2", "³": "^3",
          "ᵀ": "^T", "‖": "||", "≈": "~", "≤": "<=", "≥": ">=", "≠": "!=", "→": "->", "←": "<-", "…": "...",
          "—": "-", "–": "-", "✓": "ok", "✗": "X", "Σ": "sum", "π": "pi", "│": "|", "─": "-", "━": "=",
          "┃": "|", "╭": "+", "╮": "+", "╰": "+", "╯": "+", "┼": "+", "├": "+", "┤": "+", "┬": "+", "┴": "+",
          "┌": "+", "┐": "+", "└": "+", "┘": "+", "▶": ">", "●": "o", "○": "o", "⁻": "-", "¹": "1", "⋅": "*"}


def _ascii_fallback(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    text = err.object[err.start:err.end]
    return "".join(_ASCII.get(ch, "?") for ch in text), err.end


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code: 0 ok, 1 evaluation error, 2 usage, parse or
    binding error, 3 a failed check or wrong answer, 130 interrupted (Ctrl-C)."""
    if sys.stdout is None:  # started with >&-
        _quiet_echo("gradtrace: can't write the output: stdout is closed")
        return int(ExitCode.EVALUATION)
    _readable_streams()
    import warnings

    # numpy's warnings name its own files; gradtrace reports what matters as its own errors.
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="numpy")
    args = list(sys.argv[1:] if argv is None else argv)
    env = Env(json_errors=wants_json(args), ndjson=wants_json(args, ("ndjson",)))
    from .. import i18n

    before = i18n.current()
    chosen = i18n.use(_language(args))  # first, so that every message of the run is in the language
    libraries = i18n.for_libraries(chosen)  # click's own words too
    try:
        return _run(argv, env)
    finally:
        i18n.use(before)
        i18n.restore_libraries(libraries)


def _language(args: list[str]) -> str | None:
    """--lang ko (or --lang=ko) anywhere before '--'; None: the locale's language (LANG and co).
    A value that is no language is left for click to refuse."""
    from ..i18n import LANGUAGES

    for k, arg in enumerate(args):
        if arg == "--":
            break
        value = args[k + 1] if arg == "--lang" and k + 1 < len(args) else arg.partition("=")[2] \
            if arg.startswith("--lang=") else None
        if value in LANGUAGES:
            return value
    return None


def _run(argv: list[str] | None, env: Env) -> int:
    import errno

    try:
        result = cli.main(args=argv, prog_name="gradtrace", standalone_mode=False, obj=env)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as exc:
        exc.show()
        json_error("usage error", exc.format_message(), None, None, exc.exit_code, env)
        return exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        _quiet_echo("gradtrace: interrupted")
        return int(ExitCode.INTERRUPTED)
    except (BrokenPipeError, ReaderGone):
        return _reader_gone()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return _reader_gone()
        if exc.errno in (errno.ENOSPC, errno.EIO, errno.EBADF):
            _quiet_echo(f"gradtrace: can't write the output: {exc.strerror or exc}")
            return int(ExitCode.EVALUATION)
        return _internal(exc, env)
    except MemoryError:
        _quiet_echo("gradtrace: out of memory: the program is too large for this machine's memory "
                    "(a 10^6-term program needs about 2 GB)")
        return int(ExitCode.EVALUATION)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:  # the one catch-all: a bug must still not greet the user with a traceback
        return _internal(exc, env)


def _internal(exc: BaseException, env: Env) -> int:
    if os.environ.get("GRADTRACE_DEBUG"):
        raise exc
    _quiet_echo(f"gradtrace: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in gradtrace; please report it with the command you ran "
                "(GRADTRACE_DEBUG=1 shows the traceback).")
    json_error("internal error", f"{type(exc).__name__}: {exc}", None, None, int(ExitCode.EVALUATION), env)
    return int(ExitCode.EVALUATION)


def _quiet_echo(message: str) -> None:
    """A message on stderr, unless stderr itself is gone (2>&-)."""
    try:
        click.echo(message, err=True)
    except (OSError, ValueError):
        pass


def _reader_gone() -> int:
    """The reader went away (| head): stop quietly with success, as Unix filters do when their
    output is no longer wanted (the output that was read is whole)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 0


def _show_man(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--man: the man page, whatever installed gradtrace (uv tool install and pipx put no page where
    man looks)."""
    if not value or ctx.resilient_parsing:
        return
    from .manpage import manpage, show

    ctx.exit(show(manpage(cli)))


# On the trace command, where the group sends every option; declared here, beside the group the
# page describes.
trace_command.params.append(click.Option(
    ["--man"], is_flag=True, expose_value=False, is_eager=True, callback=_show_man,
    help=N_("Show the manual page (through man on a terminal, else as roff: gradtrace --man > gradtrace.1), "
            "however gradtrace was installed.")))
