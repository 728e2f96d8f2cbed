"""The trace command, the default one: `gradtrace EXPRESSION -x 2 ...`. click's options become
one TraceRequest, and run_trace does the rest: read the inputs, run the program (modes), write
the pictures and the output (render), and exit with the code the reports give."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

import click

from ..core.bindings import Binding
from ..core.errors import BindingError, ExitCode, GradtraceError, did_you_mean
from ..core.graph import build
from ..core.numbers import NumberFormat
from ..i18n import N_, _, ngettext
from ..render import FORMATS as RENDER_FORMATS
from ..render import WITH_EXPLANATION, WITH_REPORTS
from .common import LANG_OPTION, ReaderGone, Section, TranslatedHelp, blank_words, fail, first_sentence, make_console
from .inputs import expected_answers, load_vars, program_text, random_seed, upstream_value

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
        rows = [(name, first_sentence(_(command.help) if command.help else ""))
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
                fail(err)
            opts, positional, bindings = [], [], []  # shell completion: half-typed input is normal
        ctx.meta["gradtrace.bindings"] = bindings
        return super().parse_args(ctx, opts + ["--"] + positional)


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
    (ExitCode.INTERRUPTED, N_("interrupted (Ctrl-C)")),
)


def help_epilog() -> str:
    """The end of --help: examples, how to bind, the exit codes, the other commands (in the
    language of the moment; EXIT_CODES' meanings stay English in the man page)."""
    return "\n".join([
        "\b", _("Examples:"), *("  " + e for e in EXAMPLES),
        "\b", _("Bind a variable with -NAME VALUE, --NAME VALUE, --NAME=VALUE or NAME=VALUE."),
        _("A value may be a number or a constant expression such as 1/3 or -pi/2."),
        "\b", _("Exit codes:"), *(f"  {int(code):<3}  {_(meaning)}" for code, meaning in EXIT_CODES),
        "\b", _("Practice: gradtrace quiz --difficulty 2 (see gradtrace quiz --help)."),
        _("Grade a class: gradtrace grade submissions/*.toml (see gradtrace grade --help)."),
        "\b", _("Manual: gradtrace --man, however gradtrace was installed (man gradtrace where the install put "
                 "its page)."),
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


@dataclass(frozen=True)
class TraceRequest:
    """Everything one trace is asked to do, gathered from the command line: what to run, with what,
    what to check, and how to show it. click's options arrive here under their own names."""

    bindings: list[Binding] = field(default_factory=list)  # -x 2, --w0=2, w0=2, in order
    expression: tuple[str, ...] = ()
    program_file: str | None = None
    output_name: str | None = None
    vars_file: str | None = None
    # output
    format_name: str | None = None
    as_json: bool = False
    as_graph: bool = False
    as_dot: bool = False
    as_mermaid: bool = False
    render_file: str | None = None
    blank: str | None = None
    html_file: str | None = None
    precision: int = 4
    decimals: int | None = None
    color: str = "auto"
    explain: str | None = None
    full: bool = False
    show_jacobians: bool = False
    # checks and answers
    check: bool = False
    step: float = 1e-5
    expect: tuple[str, ...] = ()
    answers_file: str | None = None
    tol: str | None = None
    upstream_text: str | None = None
    seed_text: str | None = None
    # modes
    symbolic: bool = False
    expanded: bool = False
    exact: bool = False

    @property
    def mode(self) -> str | None:
        return "symbolic" if self.symbolic or self.expanded else ("exact" if self.exact else None)

    @property
    def numbers(self) -> NumberFormat:
        """How numbers are shown: --precision's significant digits, or --decimals' fixed decimals."""
        return NumberFormat(self.precision, self.decimals)


TRACE_HELP = N_("""Trace the gradients of an expression through its computational graph.

EXPRESSION is a formula such as "(x+y)*z" or a small program such as "q = x + y; f = q * z". Every node of its
graph is shown with its value, its upstream gradient, and each input's local and downstream gradient,
labelled with the lecture's backward-flow patterns (distributor, router, switcher, scaler, adder).""")


@click.command("trace", cls=TraceCommand, help=TRACE_HELP, epilog=HELP_EPILOG,
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
@click.option("--upstream", "upstream_text", metavar="N|ones|random[:N]|[...]|@FILE.npy",
              help=N_("The upstream gradient backprop starts from, ∂out/∂out (1 unless given, as in the lecture): "
                      "a number (the slides' \"upstream 2\"), ones, an array, @FILE.npy, or random:N, "
                      "numpy.random.default_rng(N).standard_normal(shape) (random alone: N is --seed, or one drawn and "
                      "shown). Answers "
                      "about an array output are checked from random:0 (random:N with --seed N) unless an "
                      "upstream is given."))
@click.option("--seed", "seed_text", metavar="N",
              help=N_("The random seed of whatever the run draws at random: --upstream random's upstream (one is "
                      "drawn and shown unless given) and --check's sample of a large array's coordinates (0 unless "
                      "given)."))
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
def trace_command(ctx: click.Context, **options: Any) -> None:
    # What it does is TRACE_HELP (--help shows it, in the language of the run).
    run_trace(TraceRequest(bindings=ctx.meta.get("gradtrace.bindings", []), **options), ctx)


trace_command.sections = (
    (Section.INPUT, ("program_file", "output_name", "vars_file", "upstream_text", "seed_text")),
    (Section.OUTPUT, ("format_name", "as_json", "as_graph", "as_dot", "as_mermaid", "explain", "precision", "decimals",
              "color", "full", "show_jacobians")),
    (Section.PICTURES, ("render_file", "blank", "html_file")),
    (Section.CHECKING, ("check", "step", "expect", "answers_file", "tol")),
    (Section.MODES, ("symbolic", "expanded", "exact")),
    (Section.LANGUAGE, ("lang",)),
    (Section.HELP, ("man", "version", "help")),
)


def run_trace(r: TraceRequest, ctx: click.Context) -> None:
    """The trace command's work, given its request."""
    blanks = _blanks(r.blank, r.render_file)
    to_stdout = [f"--{what} -" for what, path in (("render", r.render_file), ("html", r.html_file)) if path == "-"]
    if to_stdout and (len(to_stdout) > 1 or r.format_name or r.as_json or r.as_graph or r.as_dot or r.as_mermaid
                      or r.explain):
        raise click.UsageError(_("{to_stdout} writes to standard output, so nothing else can go there; write one of "
                                 "them to a file").format(to_stdout=to_stdout[0]))
    format_name = _choose_format(r.format_name, r.as_json, r.as_graph, r.as_dot, r.as_mermaid)
    _refuse_conflicts(format_name, r.explain, r.check, bool(r.expect or r.answers_file), r.symbolic, r.exact)
    if r.expanded and (r.exact or r.bindings or r.vars_file):
        raise click.UsageError(_("--expanded writes symbolic gradients; it takes no bindings and no --exact"))
    from ..modes.run import run_program
    from . import progress

    display = progress.for_terminal()  # long runs show progress on a terminal's stderr, nothing otherwise
    try:  # whatever happens (an error, Ctrl-C), the display goes and the cursor comes back
        try:
            if display is not None:  # the phase the display shows if it comes up before build reports
                display("reading the program", 0, None)
            source = program_text(r.expression, r.program_file)
            if display is not None and r.vars_file is not None:
                display("reading the bindings", 0, None)
            loaded = load_vars(r.vars_file) if r.vars_file is not None else None
            points = loaded[1] if loaded is not None and isinstance(loaded[1], list) else None
            values_file = loaded if points is None else None
            bound = {b.name for b in r.bindings} | set(values_file[1] if values_file else ())
            for _line, point in points or ():
                if isinstance(point, dict):  # the first point that was read names the batch's variables
                    bound |= set(point)
                    break
            graph = build(source, r.output_name, display, bound=bound)
            _reject_unknown_options(graph, r.bindings, ctx)
            if values_file is not None:
                values_file = _fit_values(values_file, graph, r.bindings)
            for note in graph.notes:
                click.echo("gradtrace: " + _("note: {kink}").format(kink=note), err=True)
            expected = expected_answers(r.expect, r.answers_file)
            tolerance = None
            if r.tol:
                from ..modes.answers import Tolerance

                tolerance = Tolerance(r.tol)
            seed = random_seed(r.seed_text, r.upstream_text)
            if seed is not None and r.upstream_text != "random" and not r.check and not expected:
                raise click.UsageError(_nothing_random(r.seed_text, r.upstream_text))
            options = dict(mode=r.mode, seed=upstream_value(r.upstream_text), check=r.check, step=r.step,
                           expected=expected, tol=tolerance, numbers=r.numbers, random_seed=seed)
            if points is not None:
                assert loaded is not None
                if format_name not in ("table", "json", "ndjson") or r.mode == "symbolic" or r.render_file \
                        or r.html_file:
                    raise click.UsageError(_("--vars with a JSON-lines file traces each point and writes one JSON "
                                             "line per point; it takes no other output format and no symbolic mode"))
                if display is not None:
                    display.close()
                _batch(source, graph, r.bindings, loaded[0], points, **options)
            stream = _streams(format_name, r.full, r.explain, graph) and not (r.render_file or r.html_file)
            result = run_program(source, r.bindings, values_file, report=display, graph=graph, expanded=r.expanded,
                                 noise=r.html_file is not None, stream=stream,  # the page's self-test grades by it
                                 **options)
            trace = result.trace
            if seed is not None and not result.drew:
                raise click.UsageError(_nothing_random(r.seed_text, r.upstream_text))
            _note_random_upstream(trace, result.seed)
            _note_unused(graph)
            _write_files(trace, r.render_file, r.html_file, r.numbers, blanks)
        except GradtraceError as err:
            fail(_for_cli(err, r.output_name, r.upstream_text, r.tol, r.symbolic, r.exact))

        if display is not None and sys.stdout.isatty():
            display.close()  # the output goes to the same screen: the display must be gone first
        if "-" not in (r.render_file, r.html_file):  # else the picture or page is what stdout carries
            try:
                _render(trace, format_name, r.explain, r.numbers, r.color, r.full, r.show_jacobians,
                        display if not sys.stdout.isatty() else None)
            except BrokenPipeError:
                raise ReaderGone() from None
            except GradtraceError as err:  # met by a streamed backward pass: the rows before it are written
                fail(_for_cli(err, r.output_name, r.upstream_text, r.tol, r.symbolic, r.exact))
    finally:
        if display is not None:
            display.close()
    _exit_for_reports(trace)


# A program of this many nodes or more is streamed: in the formats written row by row, its backward
# pass runs as the rows are written, output first, so the first row comes right after the forward
# pass. An evaluation error the pass meets then ends the output where it is, exit 1. A smaller
# program is traced whole before anything is written, so an error leaves stdout empty.
STREAM_FROM = 10_000
STREAMED = ("csv", "ndjson", "markdown")  # and the table with --full


def _streams(format_name: str, full: bool, explain: str | None, graph: Any) -> bool:
    """Whether this run's output is written row by row as the backward pass goes (STREAM_FROM)."""
    return len(graph.nodes) >= STREAM_FROM and not explain and (
        format_name in STREAMED or (format_name == "table" and full))


def _nothing_random(text: str | None, upstream: str | None) -> str:
    """--seed N where nothing is drawn at random: most likely the old --seed N, the upstream, unless
    --upstream is given too."""
    if upstream is not None:
        return _("--seed {text}: --seed is the random seed, and nothing in this run is random").format(text=text)
    return _("--seed {text}: --seed is the random seed, and nothing in this run is random; the gradient backprop "
             "starts from is --upstream {text}").format(text=text)


def _note_random_upstream(trace: Any, seed: Any) -> None:
    """Say which random upstream an array output started from, so that it can be drawn again."""
    if isinstance(seed, str) and seed.startswith("random:") and trace.arrays and getattr(trace.seed, "ndim", 0):
        click.echo("gradtrace: " + _("note: the upstream ∂{out}/∂{out} is random: "
                                     "numpy.random.default_rng({n}).standard_normal({shape}) (--upstream {seed}); "
                                     "give your own with --upstream @dout.npy").format(
            out=trace.output, n=seed[len("random:"):], shape=tuple(trace.seed.shape), seed=seed), err=True)


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


def _for_cli(err: GradtraceError, output_name: str | None, upstream_text: str | None, tol: str | None,
             symbolic: bool, exact: bool) -> GradtraceError:
    """Name the option an error is about: the core says what, the command line says which flag."""
    prefix = {"output": f"--output {output_name}",
              "upstream": f"--upstream {upstream_text}" if upstream_text else None,
              "tolerance": f"--tol {tol}", "mode": "--symbolic" if symbolic else ("--exact" if exact else None)}
    flag = prefix.get(err.about or "")
    if flag:
        err.message = f"{flag}: {err.message}"
    if err.about == "upstream" and not upstream_text and err.hint:
        err.hint += ": --upstream ones or --upstream @grad.npy"
    return err


def _note_unused(graph: Any) -> None:
    """Statements whose value never reaches the output are left out of the trace: say which."""
    left_out = graph.unused_statements
    if left_out:
        from ..core.errors import bounded

        shown = "; ".join(bounded(statement, 80) for statement in left_out[:5])
        if len(left_out) > 5:
            shown += "; " + _("… and {count} more").format(count=len(left_out) - 5)
        click.echo("gradtrace: " + ngettext(
            "note: the output is {output}, and {statements} does not reach it, so it is left out (--output NAME traces "
            "another value)",
            "note: the output is {output}, and {statements} do not reach it, so they are left out (--output NAME "
            "traces another value)", len(left_out)).format(output=graph.output.name, statements=shown), err=True)


def _blanks(blank: str | None, render_file: str | None) -> frozenset[str]:
    """--blank values,gradients: which numbers a --render picture leaves blank."""
    if blank is None:
        return frozenset()
    chosen = blank_words(blank)
    if render_file is None:
        raise click.UsageError(_("--blank leaves numbers out of a --render picture; give --render FILE too"))
    return chosen


def _write_files(trace: Any, render_file: str | None, html_file: str | None, numbers: NumberFormat,
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
        dot_text = dot.render(trace, numbers, dpi=dpi, blank_gradients="gradients" in blanks,
                              blank_values="values" in blanks)
        if suffix in ("png", "pdf") and picture.has_hangul(dot_text) and picture.hangul_font_missing():
            click.echo("gradtrace: " + _("note: no installed font has Hangul, so the Korean letters in {path} are "
                                         "drawn as boxes; install one: {how}").format(
                path=render_file, how=picture.HANGUL_FONT_HINT), err=True)
        _write(render_file, picture.draw(dot_text, suffix))
    if html_file is not None:
        from ..render import html

        _write(html_file, html.render(trace, numbers).encode("utf-8"))


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
    from .files import write_file

    write_file(path, data)
    click.echo("gradtrace: " + _("wrote {path}").format(path=path), err=True)


def _render(trace: Any, format_name: str, explain: str | None, numbers: NumberFormat, color: str, full: bool = False,
            jacobians: bool = False, report: Any = None) -> None:
    from ..render import Options, render

    console = make_console(color) if format_name in ("table", "graph") else None
    render(trace, format_name, Options(write=_print, console=console, numbers=numbers, full=full,
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


def _batch(source: str, graph: Any, bindings: list[Binding], path: str, points: list[tuple[int, Any]],
           **options: Any) -> None:
    """--vars POINTS.jsonl: one JSON line per point (modes/batch.py runs them, render/json.py
    writes each), in order; then the batch's exit code, with a line on stderr when it is not 0."""
    import json

    from ..modes.batch import batch_code, point_code, run_points
    from ..render.json import point_record

    codes: set[int] = set()
    for k, result in run_points(source, graph, bindings, path, points, **options):
        codes.add(point_code(result))
        try:
            sys.stdout.write(json.dumps(point_record(k, result), ensure_ascii=False, allow_nan=False) + "\n")
        except BrokenPipeError:
            raise ReaderGone() from None
    sys.stdout.flush()
    code = batch_code(codes)
    if code:
        click.echo("gradtrace: " + _("{count} points; some ended with exit code {code} (see their lines)").format(
            count=len(points), code=code), err=True)
    raise click.exceptions.Exit(code)


def _fit_values(values_file: tuple[str, dict[Any, Any]], graph: Any,
                bindings: list[Binding]) -> tuple[str, dict[Any, Any]]:
    """--vars FILE fitted to this program (modes/batch.py's fit_values), with a note on stderr for
    the keys it left out."""
    from ..modes.batch import fit_values

    fitted, extra = fit_values(values_file, graph, bindings)
    if extra:
        shown = ", ".join(extra[:8]) + (", " + _("… and {count} more").format(count=len(extra) - 8)
                                        if len(extra) > 8 else "")
        click.echo("gradtrace: " + ngettext("note: --vars {path}: {names} is not in this expression, so left out",
                                            "note: --vars {path}: {names} are not in this expression, so left out",
                                            len(extra)).format(path=values_file[0], names=shown), err=True)
    return fitted


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
