"""The command line: options -> core -> renderer -> exit code. Nothing else lives here.

Variables are bound with their own names as options (-x -2, --w0 2, --w0=2, w0=2), so the
tool's own options are all long (--json, --precision, ...) and every single letter is free.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from ..core.bindings import Binding
from ..core.errors import BindingError, ExitCode, GradtraceError, did_you_mean
from ..core.graph import build
from ..i18n import LANGUAGES, N_, _, ngettext
from ..render import FORMATS as RENDER_FORMATS
from ..render import WITH_EXPLANATION, WITH_REPORTS

_IDENT = re.compile(r"[^\W\d]\w*\Z")  # a variable's name as the language reads it: x, w0, α, w₁
_NEGATIVE_NUMBER = re.compile(r"-([0-9]|\.[0-9])")


def split_bindings(args: list[str], options: dict[str, Any]) -> tuple[list[str], list[str], list[Binding]]:
    """Separate the tool's own options, the positional arguments and the variable bindings.

    `options` maps each long option to whether it takes a value: False, True, or a tuple of the
    values an optional value may take (--explain [forward]). A token that is not one of
    them and looks like -name, --name, -name=v or --name=v binds a variable, and the token after
    a bare -name is always its value, even when it starts with '-' (negative numbers).
    name=v binds too once the expression has been given.
    """
    opts: list[str] = []
    positional: list[str] = []
    bindings: list[Binding] = []
    expression_from_file = any(a == "--file" or a.startswith("--file=") for a in args)
    i = 0
    while i < len(args):
        tok = args[i]
        if tok == "--":
            positional.extend(args[i + 1:])
            break
        if tok.startswith("--"):
            name, eq, value = tok.partition("=")
            if name in options:
                opts.append(tok)
                takes = options[name]
                if takes is True and not eq:
                    if i + 1 >= len(args):
                        raise click.UsageError(_("Option '{name}' requires an argument.").format(name=name))
                    opts.append(args[i + 1])
                    i += 1
                elif isinstance(takes, tuple) and not eq and i + 1 < len(args) and args[i + 1] in takes:
                    opts.append(args[i + 1])
                    i += 1
                i += 1
                continue
            var, dashes = name[2:], "--"
        elif tok.startswith("-") and len(tok) > 1 and not _NEGATIVE_NUMBER.match(tok):
            var, eq, value = tok[1:].partition("=")
            dashes = "-"
        elif "=" in tok and (positional or expression_from_file) and _IDENT.match(tok.partition("=")[0]):
            var, _eq, value = tok.partition("=")
            bindings.append(Binding(var, value, tok, files=True))
            i += 1
            continue
        else:
            positional.append(tok)
            i += 1
            continue
        if not _IDENT.match(var):
            positional.append(tok)  # e.g. an expression that starts with a minus: -x*y
            i += 1
            continue
        if not eq:
            if i + 1 >= len(args):
                close = did_you_mean("--" + var, sorted(options)) if dashes == "--" else None
                if close:
                    raise GradtraceError(_("no such option: {tok} ({close})").format(tok=tok, close=close))
                raise BindingError(
                    _("{tok} needs a value").format(tok=tok),
                    hint=f"write {tok} 2 to bind the variable {var}"
                    + ("; for help, run gradtrace --help" if tok == "-h" else ""),
                )
            value = args[i + 1]
            origin = f"{tok} {value}"
            i += 2
        else:
            origin = tok
            i += 1
        bindings.append(Binding(var, value, origin, files=True))
    return opts, positional, bindings


class _TraceContext(click.Context):
    @property
    def command_path(self) -> str:
        """Tracing is the default command, so its usage reads `gradtrace [OPTIONS] ...`."""
        return self.parent.command_path if self.parent is not None else (self.info_name or "gradtrace")


class TranslatedHelp(click.Command):
    """--help in the language of the run. Each text is written in English and marked N_ (help=,
    the command's help), and looked up in the catalog only as --help shows it."""

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


class TraceCommand(TranslatedHelp):
    """A click command that takes variable bindings out of the arguments before click parses them."""

    context_class = _TraceContext

    def translated_epilog(self) -> str | None:
        return help_epilog()  # made of several messages, each looked up

    def option_table(self, ctx: click.Context) -> dict[str, Any]:
        """Each of the command's own options, and whether it takes a value (split_bindings' table)."""
        options: dict[str, Any] = {}
        for param in self.params:
            if isinstance(param, click.Option):
                takes: Any = not (param.is_flag or param.count)
                if getattr(param, "_flag_needs_value", False):
                    takes = tuple(getattr(param.type, "choices", ()))
                for opt in param.opts + param.secondary_opts:
                    options[opt] = takes
        options.update({name: False for name in self.get_help_option_names(ctx)})
        return options

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options, then the commands (tracing is the default one), each with the first
        sentence of its help, in the language of the run."""
        super().format_options(ctx, formatter)
        group = ctx.parent.command if ctx.parent is not None else None
        if not isinstance(group, click.Group):
            return
        rows = [(name, _first_sentence(_(command.help) if command.help else ""))
                for name, command in group.commands.items() if not command.hidden]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = self.option_table(ctx)
        try:
            opts, positional, bindings = split_bindings(args, options)
        except (GradtraceError, click.UsageError) as err:
            if not ctx.resilient_parsing:
                if isinstance(err, click.UsageError):
                    raise
                _fail(err)
            opts, positional, bindings = [], [], []  # shell completion: half-typed input is normal
        ctx.meta["gradtrace.bindings"] = bindings
        return super().parse_args(ctx, opts + ["--"] + positional)


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


def _first_sentence(text: str) -> str:
    """A help text's first sentence, on one line (--help's list of commands wraps it)."""
    words = text.split("\n\n", 1)[0].split()
    end = next((k for k, word in enumerate(words) if word.endswith(".")), len(words) - 1)
    return " ".join(words[:end + 1])


class ReaderGone(Exception):
    """The reader of stdout went away (| head). Not an OSError, so that click passes it through
    to main() instead of turning it into exit 1."""


def _fail(err: GradtraceError) -> None:
    """Print a core error to stderr (and, for --json, as JSON on stdout) and exit with its code."""
    text = err.format()
    click.echo(f"gradtrace: {text}", err=True)
    _json_error(err.kind, str(err), err.span, err.hint, int(err.exit_code))
    raise click.exceptions.Exit(int(err.exit_code))


_JSON_ERRORS: list[bool] = []  # set by main() when the command line asks for JSON output


def _wants_json(args: list[str]) -> bool:
    for k, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--json" or arg in ("--format=json", "--format=ndjson") or (
                arg == "--format" and k + 1 < len(args) and args[k + 1] in ("json", "ndjson")):
            return True
    return False


def _json_error(kind: str, message: str, span: tuple[int, int] | None, hint: str | None, code: int) -> None:
    """With --json, every error is also one JSON object on stdout, so a script never parses stderr:
    {"error": {"kind", "message", "span", "hint", "exit_code"}} (the exit code is unchanged)."""
    if not _JSON_ERRORS:
        return
    import json

    from ..core.errors import printable

    document = {"error": {"kind": kind, "message": printable(message), "span": list(span) if span else None,
                          "hint": printable(hint) if hint else None, "exit_code": code}}
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


EXAMPLES = (
    'gradtrace "(x+y)*z" -x -2 -y 5 -z -4',
    'gradtrace "q = x + y; f = q * z" -x -2 -y 5 -z -4 --json',
    'gradtrace "1/(1+exp(-(w0*x0+w1*x1+w2)))" --w0 2 --x0 -1 --w1 -3 --x1 -2 --w2 -3',
    'gradtrace "max(x, y)" x=4 y=5',
)
EXIT_CODES = (
    (ExitCode.OK, N_("ok")),
    (ExitCode.EVALUATION, N_("evaluation error (log(-1), 1/0, overflow)")),
    (ExitCode.USAGE, N_("usage, parse or binding error")),
    (ExitCode.CHECK_FAILED, N_("a check or expected answer failed")),
)


def help_epilog() -> str:
    """The end of --help: examples, how to bind, the exit codes, the other commands (in the
    language of the moment; EXIT_CODES' meanings stay English in the man page)."""
    return "\n".join([
        "\b", _("Examples:"), *("  " + e for e in EXAMPLES),
        "\b", _("Bind a variable with -NAME VALUE, --NAME VALUE, --NAME=VALUE or NAME=VALUE."),
        _("A value may be a number or a constant expression such as 1/3 or -pi/2."),
        "\b", _("Exit codes:"), *(f"  {int(code)}  {_(meaning)}" for code, meaning in EXIT_CODES),
        "\b", _("Practice: gradtrace quiz --difficulty 2 (see gradtrace quiz --help)."),
        _("Grade a class: gradtrace grade submissions/*.toml (see gradtrace grade --help)."),
        "\b", _("Manual: man gradtrace (installed with the package)."),
    ])


HELP_EPILOG = help_epilog()  # in English: the man page's


FORMATS = RENDER_FORMATS  # the renderer registry's names


class _FinitePositive(click.ParamType):
    name = "number"

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(_("{value!r} is not a number").format(value=value), param, ctx)
        if not (0 < number < float("inf")):
            self.fail(_("{value!r} is not a finite number above 0").format(value=value), param, ctx)
        return number


FINITE_POSITIVE = _FinitePositive()


@click.group(cls=GradtraceGroup, context_settings={"help_option_names": []})
def cli() -> None:
    """gradtrace: trace an expression (the default), practise with `gradtrace quiz`, or grade a class's
    answers with `gradtrace grade`."""


TRACE_HELP = N_("""Trace the gradients of an expression through its computational graph.

EXPRESSION is a formula such as "(x+y)*z" or a small program such as "q = x + y; f = q * z". Every node of its
graph is shown with its value, its upstream gradient, and each input's local and downstream gradient,
labelled with the lecture's backward-flow patterns (distributor, router, switcher, scaler, adder).""")


@cli.command("trace", cls=TraceCommand, help=TRACE_HELP, epilog=HELP_EPILOG,
             context_settings={"help_option_names": ["--help"], "max_content_width": 100})
@click.argument("expression", nargs=-1, metavar="EXPRESSION [-NAME VALUE | NAME=VALUE]...")
@click.option("--file", "program_file", metavar="PATH", type=click.Path(dir_okay=False, allow_dash=True),
              help=N_("Read the program from PATH ('-' for stdin)."))
@click.option("--output", "output_name", metavar="NAME", help=N_("Trace this value instead of the last statement's."))
@click.option("--vars", "vars_file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help=N_("Load variable bindings from a JSON object or a TOML file; keys the expression doesn't use "
                   "are left out, and bindings on the command line win. A JSON-lines file (.jsonl) is a batch: "
                   "one JSON line out per point."))
@click.option("--format", "format_name", type=click.Choice(FORMATS), default=None,
              help=N_("Output format.  [default: table]"))
@click.option("--json", "as_json", is_flag=True, help=N_("Shorthand for --format json (for scripts)."))
@click.option("--graph", "as_graph", is_flag=True,
              help=N_("Shorthand for --format graph: the circuit in the terminal."))
@click.option("--dot", "as_dot", is_flag=True, help=N_("Shorthand for --format dot: Graphviz DOT of the circuit."))
@click.option("--mermaid", "as_mermaid", is_flag=True, help=N_("Shorthand for --format mermaid: a Mermaid flowchart."))
@click.option("--render", "render_file", metavar="FILE", type=click.Path(allow_dash=True),
              help=N_("Draw the circuit into FILE (.svg, .png or .pdf) with Graphviz ('-': SVG to standard output)."))
@click.option("--blank", metavar="values,gradients",
              help=N_("With --render: leave these numbers blank, for a fill-in exercise (values: the gates', "
                   "the variables keep theirs; gradients: all but the output's 1)."))
@click.option("--html", "html_file", metavar="FILE", type=click.Path(allow_dash=True),
              help=N_("Write a self-contained page with the picture, the table and the explanation "
                   "('-': to standard output)."))
@click.option("--precision", type=click.IntRange(1, 17), default=4, show_default=True,
              help=N_("Significant digits shown; JSON and CSV keep full precision."))
@click.option("--decimals", type=click.IntRange(0, 17), default=None,
              help=N_("Show numbers with this many decimals (1.37, -0.53, as the slides do) instead of --precision's "
                   "significant digits."))
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help=N_("Colour in the table; auto means on a terminal, unless NO_COLOR is set."))
@click.option("--check", is_flag=True, help=N_("Compare every gradient with a central difference (exit 3 if wrong)."))
@click.option("--step", type=FINITE_POSITIVE, default=1e-5, show_default=True,
              help=N_("The step h of --check's central difference."))
@click.option("--expect", multiple=True, metavar="NAME=VALUE",
              help=N_("Check an answer: NAME is ∂out/∂NAME (a variable) or a node's upstream gradient; "
                   "NAME.value is its value. Repeatable; exit 3 if any is wrong."))
@click.option("--answers", "answers_file", metavar="FILE", type=click.Path(dir_okay=False, allow_dash=True),
              help=N_("Answers to check, as a JSON or TOML mapping (arrays as lists)."))
@click.option("--tol", metavar="TOL", help=N_("Tolerance for answers: 0.01 or abs:0.01 (absolute), 1% or rel:0.01."))
@click.option("--explain", type=click.Choice(["backward", "forward"]), is_flag=False, flag_value="backward",
              default=None, help=N_("Tell the backward pass (or the forward pass) step by step."))
@click.option("--seed", "seed_text", metavar="N|ones|[...]|@FILE.npy",
              help=N_("The gradient to start backprop from when the output is an array."))
@click.option("--full", is_flag=True, help=N_("Show arrays in full however large, and every row of a large table."))
@click.option("--jacobian", "show_jacobians", is_flag=True,
              help=N_("Print each local Jacobian in full when it is small (up to 64 entries)."))
@click.option("--symbolic", is_flag=True, help=N_("Symbolic values and gradients (the default with no bindings)."))
@click.option("--expanded", is_flag=True, help=N_("Symbolic gradients in the variables alone, simplified, instead of "
              "compactly in the program's own names (∂f/∂z = q)."))
@click.option("--exact", is_flag=True, help=N_("Exact arithmetic at the bindings: 1/3, e/(1+e), roots."))
@LANG_OPTION
@click.version_option(None, "--version", package_name="gradtrace", prog_name="gradtrace")
@click.pass_context
def trace_command(ctx: click.Context, expression: tuple[str, ...], program_file: str | None,
                  output_name: str | None, vars_file: str | None, format_name: str | None, as_json: bool,
                  as_graph: bool, as_dot: bool, as_mermaid: bool, render_file: str | None, blank: str | None,
                  html_file: str | None,
                  precision: int, decimals: int | None, color: str, check: bool, step: float, expect: tuple[str, ...],
                  answers_file: str | None, tol: str | None, explain: str | None, seed_text: str | None,
                  full: bool, show_jacobians: bool, symbolic: bool, expanded: bool, exact: bool) -> None:
    # What it does is TRACE_HELP (--help shows it, in the language of the run).
    bindings: list[Binding] = ctx.meta.get("gradtrace.bindings", [])
    blanks = _blanks(blank, render_file)
    to_stdout = [f"--{what} -" for what, path in (("render", render_file), ("html", html_file)) if path == "-"]
    if to_stdout and (len(to_stdout) > 1 or format_name or as_json or as_graph or as_dot or as_mermaid or explain):
        raise click.UsageError(_("{to_stdout} writes to standard output, so nothing else can go there; write one of "
                                 "them to a file").format(to_stdout=to_stdout[0]))
    format_name = _choose_format(format_name, as_json, as_graph, as_dot, as_mermaid)
    _refuse_conflicts(format_name, explain, check, bool(expect or answers_file), symbolic, exact)
    if expanded and (exact or bindings or vars_file):
        raise click.UsageError(_("--expanded writes symbolic gradients; it takes no bindings and no --exact"))
    mode = "symbolic" if symbolic or expanded else ("exact" if exact else None)
    from ..core.numbers import Decimals

    shown = Decimals(decimals) if decimals is not None else precision  # how numbers are shown
    from ..modes.run import run_program
    from . import progress

    display = progress.for_terminal()  # long runs show progress on a terminal's stderr, nothing otherwise
    try:  # whatever happens (an error, Ctrl-C), the display goes and the cursor comes back
        try:
            source = _program_text(expression, program_file)
            loaded = _load_vars(vars_file) if vars_file is not None else None
            points = loaded[1] if loaded is not None and isinstance(loaded[1], list) else None
            values_file = loaded if points is None else None
            bound = {b.name for b in bindings} | set(values_file[1] if values_file else ())
            for _line, point in points or ():
                if isinstance(point, dict):  # the first point that was read names the batch's variables
                    bound |= set(point)
                    break
            graph = build(source, output_name, display, bound=bound)
            _reject_unknown_options(graph, bindings, ctx)
            if values_file is not None:
                values_file = _fit_vars(values_file, graph, bindings)
            for note in graph.notes:
                click.echo("gradtrace: " + _("note: {kink}").format(kink=note), err=True)
            expected = _expected(expect, answers_file)
            tolerance = None
            if tol:
                from ..modes.answers import Tolerance

                tolerance = Tolerance(tol)
            if points is not None:
                assert loaded is not None
                if format_name not in ("table", "json", "ndjson") or mode == "symbolic" or render_file or html_file:
                    raise click.UsageError(_("--vars with a JSON-lines file traces each point and writes one JSON "
                                             "line per point; it takes no other output format and no symbolic mode"))
                if display is not None:
                    display.close()
                _batch(source, graph, bindings, loaded[0], points, mode=mode, seed=_seed(seed_text), check=check,
                       step=step, expected=expected, tol=tolerance, precision=precision, decimals=decimals)
            result = run_program(source, bindings, values_file, seed=_seed(seed_text), mode=mode, check=check,
                                 step=step, expected=expected, tol=tolerance, precision=precision,
                                 decimals=decimals, report=display, graph=graph, expanded=expanded,
                                 noise=html_file is not None)  # the page's self-test grades by it
            trace = result.trace
            _note_unused(graph)
            _write_files(trace, render_file, html_file, shown, blanks)
        except GradtraceError as err:
            _fail(_for_cli(err, output_name, seed_text, tol, symbolic, exact))

        if display is not None and sys.stdout.isatty():
            display.close()  # the output goes to the same screen: the display must be gone first
        if "-" not in (render_file, html_file):  # else the picture or page is what stdout carries
            try:
                _render(trace, format_name, explain, shown, color, full, show_jacobians,
                        display if not sys.stdout.isatty() else None)
            except BrokenPipeError:
                raise ReaderGone() from None
    finally:
        if display is not None:
            display.close()
    _exit_for_reports(trace)


def _choose_format(format_name: str | None, as_json: bool, as_graph: bool, as_dot: bool, as_mermaid: bool) -> str:
    """The one output format asked for; two different ones are a usage error, never a silent pick."""
    chosen = [(f"--format {format_name}", format_name)] if format_name else []
    chosen += [(f"--{name}", name) for flag, name in ((as_json, "json"), (as_graph, "graph"), (as_dot, "dot"),
                                                      (as_mermaid, "mermaid")) if flag]
    if len({name for _, name in chosen}) > 1:
        raise click.UsageError(_("{join} each choose an output format; pick one (--render FILE and --html FILE can "
                                 "go with any of them)").format(join=' and '.join(flag for flag, _ in chosen)))
    return chosen[0][1] if chosen else "table"


REPORTS_IN, EXPLAIN_IN = WITH_REPORTS, WITH_EXPLANATION  # formats that carry verdicts, explanations


def _refuse_conflicts(format_name: str, explain: str | None, check: bool, answers: bool, symbolic: bool,
                      exact: bool) -> None:
    """Requests that can't both be honoured exit 2 and say so."""
    if symbolic and exact:
        raise click.UsageError(_("--symbolic and --exact are two different modes; pick one"))
    if explain and format_name not in EXPLAIN_IN:
        raise click.UsageError(
            _(
                "--explain writes text, which has no place in --format {format_name}; use it with "
                'the table, --graph or --json (where it is the "explanation" key)'
            ).format(format_name=format_name)
        )
    if (check or answers) and format_name not in REPORTS_IN:
        what = "--check" if check else "--expect/--answers"
        raise click.UsageError(
            _(
                "{what} reports verdicts, which have no place in --format {format_name}; use the "
                "table, --json, --format csv, markdown or latex"
            ).format(what=what, format_name=format_name)
        )


def _for_cli(err: GradtraceError, output_name: str | None, seed_text: str | None, tol: str | None,
             symbolic: bool, exact: bool) -> GradtraceError:
    """Name the option an error is about: the core says what, the command line says which flag."""
    prefix = {"output": f"--output {output_name}", "seed": f"--seed {seed_text}" if seed_text else None,
              "tolerance": f"--tol {tol}", "mode": "--symbolic" if symbolic else ("--exact" if exact else None)}
    flag = prefix.get(err.about or "")
    if flag:
        err.message = f"{flag}: {err.message}"
    if err.about == "seed" and not seed_text and err.hint:
        err.hint += ": --seed ones or --seed @grad.npy"
    return err


def _note_unused(graph: Any) -> None:
    """Statements whose value never reaches the output are left out of the trace: say which."""
    left_out = graph.unused_statements
    if left_out:
        shown = "; ".join(left_out[:5]) + ("; " + _("… and {count} more").format(count=len(left_out) - 5)
                                           if len(left_out) > 5 else "")
        click.echo("gradtrace: " + ngettext(
            "note: the output is {output}, and {statements} does not reach it, so it is left out (--output NAME traces "
            "another value)",
            "note: the output is {output}, and {statements} do not reach it, so they are left out (--output NAME "
            "traces another value)", len(left_out)).format(output=graph.output.name, statements=shown), err=True)


def _seed(text: str | None) -> Any:
    """--seed: the gradient backprop starts from. A number (the slide's "upstream 2"), ones, an
    array written inline ("[1, 0, 0]") or @grad.npy, read like any binding's value."""
    if text is None or text == "ones":
        return text
    from ..core.bindings import Binding, check_finite, value_of

    binding = Binding("seed", text, f"--seed {text}", files=True)
    try:
        return check_finite(binding, value_of(binding))
    except GradtraceError as err:
        raise GradtraceError(
            _("--seed {text}: {err}").format(text=text, err=err),
            hint=_('write a number (--seed 2), ones, an array (--seed "[1, 0]") or a file (--seed @grad.npy)'),
        ) from None


def blank_words(text: str) -> frozenset[str]:
    """--blank values,gradients (a picture's, or a worksheet's): what is left to fill in."""
    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    if not chosen or not chosen <= {"values", "gradients"}:
        raise click.UsageError(_("--blank {blank}: write values, gradients or values,gradients").format(blank=text))
    return chosen


def _blanks(blank: str | None, render_file: str | None) -> frozenset[str]:
    """--blank values,gradients: which numbers a --render picture leaves blank."""
    if blank is None:
        return frozenset()
    chosen = blank_words(blank)
    if render_file is None:
        raise click.UsageError(_("--blank leaves numbers out of a --render picture; give --render FILE too"))
    return chosen


def _write_files(trace: Any, render_file: str | None, html_file: str | None, precision: int,
                 blanks: set[str] | frozenset[str] = frozenset()) -> None:
    """--render FILE and --html FILE: pictures drawn by Graphviz, written before anything is printed."""
    if render_file is None and html_file is None:
        return
    from pathlib import Path  # here, not above: pathlib costs every other run 10 ms at startup

    from ..render import dot, picture

    picture.check_size(trace)
    if render_file is not None:
        suffix = "svg" if render_file == "-" else Path(render_file).suffix.lower().lstrip(".")
        if suffix not in picture.FORMATS:
            raise GradtraceError(_("--render {render_file}: the file must end in .svg, .png or .pdf ('-' writes SVG "
                                   "to standard output)").format(render_file=render_file))
        dpi = 144 if suffix == "png" else None  # a sharp bitmap; vector formats need none
        dot_text = dot.render(trace, precision, dpi=dpi, blank_gradients="gradients" in blanks,
                              blank_values="values" in blanks)
        if suffix in ("png", "pdf") and picture.has_hangul(dot_text) and picture.hangul_font_missing():
            click.echo("gradtrace: " + _("note: no installed font has Hangul, so the Korean letters in {path} are "
                                         "drawn as boxes; install one: {how}").format(
                path=render_file, how=picture.HANGUL_FONT_HINT), err=True)
        _write(render_file, picture.draw(dot_text, suffix))
    if html_file is not None:
        from ..render import html

        _write(html_file, html.render(trace, precision).encode("utf-8"))


def _write(path: str, data: bytes) -> None:
    """A picture or page into its file, or to standard output for '-' (then it is all stdout holds)."""
    if path == "-":
        try:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise ReaderGone() from None
        return
    from ..files import write_file

    write_file(path, data)
    click.echo("gradtrace: " + _("wrote {path}").format(path=path), err=True)


def _render(trace: Any, format_name: str, explain: str | None, precision: int, color: str, full: bool = False,
            jacobians: bool = False, report: Any = None) -> None:
    from ..render import Options, render

    console = make_console(color) if format_name in ("table", "graph") else None
    render(trace, format_name, Options(write=_print, console=console, precision=precision, full=full,
                                       jacobians=jacobians, explain=explain, report=report))


def _print(text: str) -> None:
    """Text to stdout, through the stream itself: click.echo would replace an ASCII stream's
    encoding with UTF-8, while this one keeps it and writes ∂ as d (see _readable_streams)."""
    sys.stdout.write(text)
    sys.stdout.flush()


def _exit_for_reports(trace: Any) -> None:
    """Exit 3, with a line on stderr, when the gradient check or an answer failed."""
    problems = []
    if trace.check is not None and trace.check.failed:
        problems.append(_("gradient check failed for {names}").format(names=", ".join(trace.check.failed)))
    if trace.answers:
        wrong = [a.name for a in trace.answers if not a.correct]
        if wrong:
            problems.append(_("{count} of {total} answers wrong: {names}").format(
                count=len(wrong), total=len(trace.answers), names=", ".join(wrong)))
    if problems:
        click.echo("gradtrace: " + "; ".join(problems), err=True)
        raise click.exceptions.Exit(int(ExitCode.CHECK_FAILED))


def _expected(expect: tuple[str, ...], answers_file: str | None) -> list[Any]:
    """--answers FILE (JSON or TOML) then each --expect NAME=VALUE, as answers to grade."""
    if not expect and answers_file is None:
        return []
    from ..modes.answers import Expected, flatten_answers

    out: list[Expected] = []
    if answers_file is not None:
        from ..core.bindings import read_document

        text = read_text(answers_file, "--answers")
        # As --vars: TOML by its name, or, named neither way (a pipe, <(...)), when it doesn't start with '{'.
        toml = answers_file.endswith(".toml") or (not answers_file.endswith(".json") and bool(text.strip())
                                                  and not text.lstrip().startswith(("{", "[")))
        data = read_document(text, f"--answers {answers_file}", toml)
        if not isinstance(data, dict):
            raise GradtraceError(
                _('--answers {answers_file}: expected a mapping such as {{"x": -4}}').format(answers_file=answers_file)
            )
        import os

        out += [Expected(name, value, f"{name} in {answers_file}", os.path.dirname(answers_file) or ".")
                for name, value in flatten_answers(data, origin="--answers")]
    for item in expect:
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise GradtraceError(
                _("--expect {item}: write NAME=VALUE").format(item=item),
                hint=_("e.g. --expect x=-4 or --expect q.value=3"),
            )
        out.append(Expected(name.strip(), value.strip(), f"--expect {item}"))
    return out


def read_text(path: str, option: str, errors: str = "strict") -> str:
    """A UTF-8 text file's contents ('-' is stdin; a leading byte-order mark is dropped), or a usage
    error that names the file. It is read through files.read_input, to at most MAX_TEXT bytes,
    so /dev/zero or a FIFO nothing writes to ends with a message, while a pipe (<(...)) is read.
    errors="surrogateescape" keeps bytes that are not UTF-8 as lone surrogates, for a caller that
    refuses them line by line (a batch)."""
    from ..files import MAX_TEXT, read_input

    try:
        if path == "-":
            text = read_stdin(option, errors)
        else:
            try:
                data = read_input(path, MAX_TEXT)
            except GradtraceError as err:
                raise GradtraceError(f"{option} {err}", hint=err.hint) from None
            text = data.decode("utf-8", errors)
    except UnicodeDecodeError:
        raise GradtraceError(_("{option} {path}: not a UTF-8 text file").format(option=option, path=path)) from None
    return text[1:] if text.startswith("\ufeff") else text


def read_stdin(option: str, errors: str = "strict") -> str:
    """All of standard input as UTF-8 text, decoded strictly from its bytes (the stream's own
    decoding would let invalid bytes through as lone surrogates), read through files.read_input to
    at most MAX_TEXT bytes; closed (<&-) is a usage error."""
    import io

    from ..files import MAX_TEXT, read_input

    stream = sys.stdin
    if stream is None:
        raise GradtraceError(_("{option} -: standard input is closed").format(option=option),
                             hint=_("give the input on standard input, or name a file"))
    raw = getattr(stream, "buffer", None)
    if raw is None:  # a text stream with no bytes beneath (a program embedding gradtrace set it)
        raw = io.BytesIO(stream.read(MAX_TEXT + 1).encode("utf-8", "surrogateescape"))
        raw.name = "-"
    try:
        return read_input(raw, MAX_TEXT).decode("utf-8", errors)
    except GradtraceError as err:
        raise GradtraceError(f"{option} {err}", hint=err.hint) from None


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that was not UTF-8, as surrogateescape keeps it


def _program_text(expression: tuple[str, ...], program_file: str | None) -> str:
    if program_file is not None:
        if expression:
            raise GradtraceError(_("give the program either as an argument or with --file, not both (got "
                                   "{expression!r} too)").format(expression=expression[0]))
        return read_text(program_file, "--file")
    if not expression:
        raise GradtraceError(_("no expression given"), hint=_("try: gradtrace \"(x+y)*z\" -x -2 -y 5 -z -4"))
    if len(expression) > 1:
        raise GradtraceError(f"expected one expression, got {len(expression)}: "
                             + ", ".join(repr(e) for e in expression),
                             hint=_("quote the expression, and bind variables with -x 2 or x=2"))
    return expression[0]


def _load_vars(path: str) -> tuple[str, Any]:
    """--vars FILE.json or FILE.toml: (path, the mapping), for bindings.resolve to check. A file
    named neither way is JSON when it starts with '{', TOML otherwise. A JSON-lines file (.jsonl,
    or lines that each hold one object) gives (path, a list of mappings): a batch of points."""
    from ..core.bindings import read_json

    text = read_text(path, "--vars", errors="surrogateescape")  # a batch refuses a bad line alone
    lines = text.splitlines()
    if path.endswith(".jsonl") or _json_lines(lines):
        points: list[tuple[int, Any]] = []
        for k, line in enumerate(lines, 1):
            if line.strip():  # a blank line is no point, and the lines after it keep their numbers
                points.append((k, _point(path, k, line)))
        if not points:
            raise BindingError(_("--vars {path}: no points (one JSON object per line)").format(path=path))
        return path, points
    if _NOT_UTF8.search(text):
        raise GradtraceError(_("{option} {path}: not a UTF-8 text file").format(option="--vars", path=path))
    if path.endswith(".toml") or (not path.endswith(".json") and not text.lstrip().startswith("{")):
        import tomllib

        try:
            data: Any = tomllib.loads(text)
        except (ValueError, RecursionError) as exc:
            raise BindingError(_("--vars {path}: not valid TOML ({exc})").format(path=path, exc=exc),
                               hint=_("write x = 2 per line, or a JSON object such as {\"x\": 2}")) from None
        data = {k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in data.items()}
    else:
        data = read_json(text, f"--vars {path}")
    if not isinstance(data, dict):
        raise BindingError(_("--vars {path}: expected a JSON object such as {{\"x\": 2}}").format(path=path))
    return path, data


def _json_lines(lines: list[str]) -> bool:
    """Whether a --vars file not named .jsonl is JSON lines: two or more lines that aren't blank,
    the first of them a whole JSON object by itself (a JSON file's object spans its lines)."""
    import json

    filled = [line for line in lines if line.strip()]
    if len(filled) < 2 or not filled[0].lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(filled[0]), dict)
    except ValueError:  # the first line is a bad point, or the start of one object: the rest says which
        return all(line.lstrip().startswith("{") for line in filled)


def _point(path: str, k: int, line: str) -> dict[Any, Any] | GradtraceError:
    """Line k of a JSON-lines --vars file: its point, or the error that is its result."""
    from ..core.bindings import read_json

    if _NOT_UTF8.search(line):
        return BindingError(_("--vars {path} line {k}: {message}").format(
            path=path, k=k, message=_("the line is not UTF-8 text")))
    try:
        point = read_json(line, f"--vars {path} line {k}")
    except GradtraceError as err:
        return err
    if not isinstance(point, dict):
        return BindingError(
            _('--vars {path} line {k}: expected a JSON object such as {{"x": 2}}').format(path=path, k=k))
    return point


def _batch(source: str, graph: Any, bindings: list[Binding], path: str, points: list[tuple[int, Any]],
           **options: Any) -> None:
    """--vars POINTS.jsonl: the program traced at every point, the graph built once, one JSON line
    per point (its bindings, value, gradients and any verdicts, or its error), in order, each
    numbered by its line in the file. A point that fails, or a line that can't be read, is
    reported on its own line and never stops the others. Exit code: 2 if a point's
    bindings were wrong, else 1 if one could not be evaluated, else 3 if a check or answer
    failed, else 0."""
    import json

    from ..core.errors import printable
    from ..core.trace import jsonable
    from ..modes.run import run_program

    codes: set[int] = set()
    for k, point in points:
        line: dict[str, Any] = {"point": k}
        try:
            if isinstance(point, GradtraceError):
                raise point
            values = _fit_vars((f"{path} line {k}", point), graph, bindings, quiet=True)
            trace = run_program(source, bindings, values, graph=graph, **options).trace
            line["bindings"] = {name: jsonable(v) for name, v in trace.bindings.items()}
            line["value"] = jsonable(trace.value)
            line["gradients"] = {name: jsonable(v) for name, v in trace.gradients.items()}
            if trace.check is not None:
                line["check"] = trace.check.to_dict()
            if trace.answers is not None:
                line["answers"] = [a.to_dict() for a in trace.answers]
            answers: list[Any] = trace.answers or []
            failed = bool(trace.check is not None and trace.check.failed) or any(not a.correct for a in answers)
            codes.add(int(ExitCode.CHECK_FAILED) if failed else 0)
        except GradtraceError as err:
            message = str(err)
            if f"line {k}" not in message:  # every message says which line it is about
                message = _("--vars {path} line {k}: {message}").format(path=path, k=k, message=message)
            line["error"] = {"kind": err.kind, "message": printable(message), "span": list(err.span) if err.span
                             else None, "hint": printable(err.hint) if err.hint else None,
                             "exit_code": int(err.exit_code)}
            codes.add(int(err.exit_code))
        try:
            sys.stdout.write(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n")
        except BrokenPipeError:
            raise ReaderGone() from None
    sys.stdout.flush()
    for code in (ExitCode.USAGE, ExitCode.EVALUATION, ExitCode.CHECK_FAILED):
        if int(code) in codes:
            click.echo("gradtrace: " + _("{count} points; some ended with exit code {code} (see their lines)").format(
                count=len(points), code=int(code)), err=True)
            raise click.exceptions.Exit(int(code))
    raise click.exceptions.Exit(0)


def _fit_vars(values_file: tuple[str, dict[Any, Any]], graph: Any,
              bindings: list[Binding], quiet: bool = False) -> tuple[str, dict[Any, Any]]:
    """One parameter file serves many expressions: keys this program doesn't use are left out
    (and listed in a note), a binding on the command line overrides the file's value, and w1 or
    alpha in the file binds a variable typed w₁ or α."""
    from ..core.bindings import match_variable

    path, data = values_file
    known = graph.variable_names
    if data.keys() <= known and not any(b.name in data for b in bindings):
        return values_file  # the usual case, however large: nothing to change
    on_command_line = {match_variable(b.name, known) or b.name for b in bindings}
    kept: dict[Any, Any] = {}
    extra = []
    for key, value in data.items():
        name = match_variable(key, known)
        if name is None:
            extra.append(key)
        elif name not in on_command_line:
            kept[name] = value
    if extra and not quiet:
        shown = ", ".join(extra[:8]) + (", " + _("… and {count} more").format(count=len(extra) - 8)
                                        if len(extra) > 8 else "")
        click.echo("gradtrace: " + ngettext("note: --vars {path}: {names} is not in this expression, so left out",
                                            "note: --vars {path}: {names} are not in this expression, so left out",
                                            len(extra)).format(path=path, names=shown), err=True)
    return path, kept


def _reject_unknown_options(graph: Any, bindings: list[Binding], ctx: click.Context) -> None:
    """A --name that is neither an option nor a variable is most likely a mistyped option."""
    from ..core.bindings import match_variable

    variables = graph.variable_names
    options = sorted(o for p in ctx.command.params if isinstance(p, click.Option) for o in p.opts)
    for b in bindings:
        if b.name == "h" and "h" not in variables and b.origin.startswith("-h"):
            raise BindingError(_("{origin} binds a variable h, and the expression has none").format(origin=b.origin),
                               hint=_("for help, run gradtrace --help"))
        if b.origin.startswith("--") and match_variable(b.name, variables) is None:
            close = did_you_mean("--" + b.name, options)
            if close:
                raise GradtraceError(_("no such option: --{name} ({close})").format(name=b.name, close=close))


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
    _JSON_ERRORS[:] = [True] if _wants_json(args) else []
    from .. import i18n

    before = i18n.current()
    chosen = i18n.use(_language(args))  # first, so that every message of the run is in the language
    libraries = i18n.for_libraries(chosen)  # click's own words too
    try:
        return _run(argv)
    finally:
        _JSON_ERRORS.clear()
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


def _run(argv: list[str] | None) -> int:
    import errno

    try:
        result = cli.main(args=argv, prog_name="gradtrace", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as exc:
        exc.show()
        _json_error("usage error", exc.format_message(), None, None, exc.exit_code)
        return exc.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        _quiet_echo("gradtrace: interrupted")
        return 130
    except (BrokenPipeError, ReaderGone):
        return _reader_gone()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return _reader_gone()
        if exc.errno in (errno.ENOSPC, errno.EIO, errno.EBADF):
            _quiet_echo(f"gradtrace: can't write the output: {exc.strerror or exc}")
            return int(ExitCode.EVALUATION)
        return _internal(exc)
    except MemoryError:
        _quiet_echo("gradtrace: out of memory: the program is too large for this machine's memory "
                    "(a 10^6-term program needs about 2 GB)")
        return int(ExitCode.EVALUATION)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except Exception as exc:  # the one catch-all: a bug must still not greet the user with a traceback
        return _internal(exc)


def _internal(exc: BaseException) -> int:
    if os.environ.get("GRADTRACE_DEBUG"):
        raise exc
    _quiet_echo(f"gradtrace: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in gradtrace; please report it with the command you ran "
                "(GRADTRACE_DEBUG=1 shows the traceback).")
    _json_error("internal error", f"{type(exc).__name__}: {exc}", None, None, int(ExitCode.EVALUATION))
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


from .grade import grade  # noqa: E402  (these use this module's helpers, so they are added last)
from .quiz import quiz  # noqa: E402

cli.add_command(quiz)
cli.add_command(grade)
