"""The one way to run a program: numeric, symbolic or exact, with checks and answers.

Both the command line and `gradtrace.trace()` call `run_program`, so they decide the same way:
with no bindings a program is traced symbolically, with bindings numerically, and `exact` keeps
exact arithmetic at the bindings. Errors never name command-line options; they say what they are
about (`GradtraceError.about`) and a front end words it its own way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.bindings import Binding, resolve
from ..core.engine import run
from ..core.errors import BindingError, GradtraceError
from ..core.graph import Graph, Report, build
from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import Trace
from ..i18n import _

MODES = ("numeric", "symbolic", "exact")


class Result:
    """What a run made: the graph, the trace to show, and the numeric trace behind it (None in
    symbolic mode), which checks and answers are computed on."""

    __slots__ = ("drew", "graph", "numeric", "seed", "trace")

    def __init__(self, graph: Graph, trace: Trace, numeric: Trace | None, seed: Any = None, drew: bool = False):
        self.graph, self.trace, self.numeric = graph, trace, numeric
        self.seed = seed  # the upstream asked for, a random one as "random:N" (drawn when "random" was asked)
        self.drew = drew  # whether anything was drawn at random (a random upstream, --check's sample)


def run_program(source: str, bindings: Iterable[Binding] = (), values: tuple[str, dict[Any, Any]] | None = None, *,
                output: str | None = None, seed: Any = None, mode: str | None = None,
                check: bool = False, step: float | None = None, expected: list[Any] | None = None,
                tol: Any = None, numbers: NumberFormat = DEFAULT, report: Report | None = None,
                graph: Graph | None = None, expanded: bool = False, budget: Any = None,
                noise: bool = False, random_seed: int | None = None, stream: bool = False) -> Result:
    """Build the graph (unless given), bind, run, and attach a gradient check and graded answers.

    bindings come one by one (the command line, keyword arguments); values is (origin, mapping)
    from a file. mode None means numeric when anything is bound, symbolic otherwise. Symbolic
    gradients are compact (in the program's own names) unless expanded. numbers (a NumberFormat:
    significant digits or fixed decimals) is how numbers are shown, which answers are graded to.
    budget (symbolic.Budget) bounds symbolic and exact work; past it, symbolic.TooLarge. noise
    attaches the float noise to a trace of numbers (answers.with_float_noise), for the page.
    seed is the upstream gradient backprop starts from; random_seed seeds whatever the run draws at
    random: a random upstream ("random" becomes "random:random_seed") and the gradient check's
    sample of coordinates. Result.drew says whether anything was drawn. stream: a plain numeric
    trace runs its backward pass as its rows are read (engine.run's stream), for a writer that
    streams; with a check, answers or noise the pass runs at once, since they read it all."""
    if mode is not None and mode not in MODES:
        raise GradtraceError(
            _("no mode {mode!r}: choose {join}").format(mode=mode, join=", ".join(MODES)), about="mode"
        )
    bindings = list(bindings)
    if graph is None:
        bound = {b.name for b in bindings} | set(values[1] if values else ())
        graph = build(source, output, report, bound=bound)
    has_values = bool(bindings) or values is not None  # a values file, even an empty one, means numbers
    if mode is None:
        mode = "numeric" if has_values or not graph.variables else "symbolic"
    if mode in ("symbolic", "exact"):
        _starts_from_one(mode, seed)
    if mode == "symbolic":
        if has_values:
            raise GradtraceError(_("symbolic mode takes no bindings"), about="mode",
                                 hint=_("exact mode gives exact values at a point"))
        if check:
            raise BindingError(_("a gradient check needs values for the variables"),
                               hint="bind them, e.g. " + " ".join(f"{v.name}=1" for v in graph.variables[:3]))
        if expected and tol is not None:
            raise GradtraceError(_("a tolerance compares numbers, and symbolic answers are expressions"),
                                 about="tolerance", hint=_("bind the variables to grade numbers within a tolerance"))
        from .symbolic import DEFAULT_BUDGET, symbolic_trace

        trace = symbolic_trace(graph, expanded=expanded, budget=budget or DEFAULT_BUDGET)
        if expected:
            from .answers import check_symbolic_answers

            trace = trace.with_reports(None, check_symbolic_answers(graph, expected, budget=budget))
        return Result(graph, trace, None)

    seed = upstream_seed(seed, bool(expected), random_seed)
    stream = stream and mode == "numeric" and not (check or expected or noise)
    numeric = run(graph, resolve(graph, bindings, values), seed, report, stream=stream)
    trace = numeric
    if mode == "exact":
        if numeric.arrays:
            raise GradtraceError(_("exact mode works on scalar values"), about="mode", hint=_("use numeric mode for "
                                                                                           "arrays"))
        from .symbolic import DEFAULT_BUDGET, exact_trace

        trace = exact_trace(graph, _exact_texts(graph, bindings, values, numeric), numeric, budget or DEFAULT_BUDGET)
    report_ = answers = None
    if check:
        from .check import DEFAULT_STEP, gradient_check

        report_ = gradient_check(numeric, step if step is not None else DEFAULT_STEP, report=report,
                                 seed=random_seed or 0)
    if expected:
        from .answers import check_answers

        answers = check_answers(numeric, expected, tol, numbers)
        from .diagnose import attach_reports

        answers = attach_reports(numeric, answers, tol, numbers, seed)
    if check or expected:
        trace = trace.with_reports(report_, answers)
    if noise:
        from .answers import with_float_noise

        trace = with_float_noise(trace)
    drew = (isinstance(seed, str) and seed.startswith("random:") and getattr(numeric.seed, "ndim", 0) > 0) \
        or (check and _check_samples(numeric))
    return Result(graph, trace, numeric, seed, drew)


def _starts_from_one(mode: str, seed: Any) -> None:
    """Symbolic and exact traces start backprop from 1, as a scalar output does: an upstream of
    another number would be left out of their gradients (while answers were graded with it), so it
    is refused. "ones" and "random" start a scalar output from 1 anyway."""
    if seed is None or isinstance(seed, str) or (isinstance(seed, (int, float)) and seed == 1):
        return
    raise BindingError(_("{mode} mode starts backprop from 1, not from another upstream").format(mode=mode),
                       about="upstream",
                       hint=_("trace it in numeric mode, or multiply the output by the upstream"))


ANSWERS_SEED = "random:0"  # answers about an array output, with no upstream given, are checked from this upstream


def upstream_seed(seed: Any, answers: bool, random_seed: int | None = None) -> Any:
    """The upstream to run with: "random" becomes "random:N", N the random seed given or one drawn
    (and shown by whoever shows the trace), and answers about an array output with no upstream
    given are checked from a random upstream, random:N (ANSWERS_SEED with no random seed), not from
    ones, which can hide mistakes (a scalar output starts from 1)."""
    if isinstance(seed, str) and seed.strip() == "random":
        if random_seed is not None:
            return f"random:{random_seed}"
        import random

        return f"random:{random.SystemRandom().randrange(10**6)}"
    if seed is None and answers:
        return ANSWERS_SEED if random_seed is None else f"random:{random_seed}"
    return seed


def _check_samples(trace: Trace) -> bool:
    """Whether the gradient check draws a sample: of an array's coordinates, or of the variables."""
    from .check import MAX_VARIABLES, SAMPLES

    if len(trace.graph.variables) > MAX_VARIABLES:
        return True
    return any(getattr(trace.bindings.get(v.name), "size", 1) > SAMPLES
               and getattr(trace.bindings.get(v.name), "ndim", 0) > 0 for v in trace.graph.variables)


def _exact_texts(graph: Graph, bindings: list[Binding], values: tuple[str, dict[Any, Any]] | None,
                 numeric: Trace) -> dict[str, Any]:
    """Each variable's value as it was written (1/3 stays 1/3, not 0.333…), under the variable's
    own name: a binding spelled as a keyboard spells it (--alpha, --theta2) binds α and θ₂ here
    as in numeric mode, so no exact value is ever left in terms of a name."""
    from ..core.bindings import match_variable

    known = graph.variable_names
    raw: dict[str, Any] = {}
    for name, value in [*(values[1].items() if values else ()), *((b.name, b.value) for b in bindings)]:
        raw[match_variable(name, known) or name] = value
    return {name: raw[name] for name in numeric.bindings if name in raw}
