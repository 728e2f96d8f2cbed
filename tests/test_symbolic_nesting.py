"""Symbolic, expanded and exact work on nested functions is bounded by counts: sqrt(1+tanh(…)) five
levels deep stalled for minutes in sympy's assumption queries (is_real asks for real and imaginary
parts, which build new expressions, which are asked again, level after level), though every
expression stayed small. Alternating nestings of sqrt, tanh, exp, log, pow, abs, sigmoid, relu,
max, sin, cos and divisions, 5 to 300 deep, now finish within a counted number of Python calls, and
each gives the right gradients (checked against sympy's diff of the whole expression, gradtrace's
numeric engine and central differences) or a clean TooLarge that names what was too large."""

import math
import sys

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.core.cache import clear_cache

from gradtrace.core.bindings import Binding
from gradtrace.core.errors import GradtraceError
from gradtrace.core.graph import build
from gradtrace.modes import symbolic
from gradtrace.modes.answers import Expected, check_symbolic_answers
from gradtrace.modes.run import run_program

pytestmark = pytest.mark.slow  # counts of sympy's work on deep nestings: seconds each

# Each wrapper: the program text around an inner expression, and the same function in sympy (the
# oracle's own build, independent of gradtrace's op table).
X, Y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
WRAPPERS = {
    "sqrt": ("sqrt(1 + {})", lambda e: sympy.sqrt(1 + e)),
    "tanh": ("tanh({})", sympy.tanh),
    "exp": ("exp({})", sympy.exp),
    "log": ("log(1 + ({})^2)", lambda e: sympy.log(1 + e ** 2)),
    "pow": ("({} + 1)^3", lambda e: (e + 1) ** 3),
    "powy": ("(1 + ({})^2)^y", lambda e: (1 + e ** 2) ** Y),
    "abs": ("abs({} - 1)", lambda e: sympy.Abs(e - 1)),
    "sigmoid": ("sigmoid({})", lambda e: 1 / (1 + sympy.exp(-e))),
    "relu": ("relu({} - 0.5)", lambda e: sympy.Max(0, e - sympy.Rational(1, 2))),
    "max": ("max({}, y)", lambda e: sympy.Max(e, Y)),
    "sin": ("sin({})", sympy.sin),
    "cos": ("cos(2*{})", lambda e: sympy.cos(2 * e)),
    "div": ("1/(1 + ({})^2)", lambda e: 1 / (1 + e ** 2)),
    "divx": ("x/(2 + {})", lambda e: X / (2 + e)),
}
PAIRS = [("sqrt", "tanh"), ("tanh", "sqrt"), ("sqrt", "exp"), ("sqrt", "sigmoid"), ("exp", "log"),
         ("log", "tanh"), ("pow", "divx"), ("powy", "tanh"), ("abs", "sqrt"), ("sigmoid", "relu"),
         ("max", "tanh"), ("sin", "cos"), ("div", "sqrt"), ("div", "tanh"), ("relu", "sqrt"), ("cos", "sqrt")]
POINT = {"x": 0.37, "y": 0.61}  # no kink of abs(… - 1), relu(… - 0.5) or max(…, y) sits here

# Python calls a run may make, for each node of its graph (and a fixed part for imports and set-up):
# the cost is linear in the program's size, whatever nests in what. Calls inside sympy's simplify
# are not counted here: what simplify is given has its own counted bound (Budget.simplify_*, see
# test_symbolic_bounds).
CALLS_PER_NODE = 40_000
CALLS_BASE = 300_000


def program(names):
    """The program that nests the wrappers, the first outermost, around x."""
    text = "x"
    for name in reversed(names):
        text = WRAPPERS[name][0].format(text)
    return text


def alternating(pair, depth):
    return [pair[k % len(pair)] for k in range(depth)]


class Runaway(BaseException):
    """More Python calls than the run may make: raised inside sympy, past every `except Exception`."""


class Work:
    """Python function calls made while counting, stopped with Runaway past a cap, so a run that
    would stall for minutes fails at once. sympy's cache is cleared first: each run pays its own way.
    Calls inside sympy.simplify are left out (see CALLS_PER_NODE)."""

    def __init__(self):
        self.calls, self.cap, self.paused = 0, 0, 0
        self.simplify = sympy.simplify

    def simplified(self, expr, *args, **kwargs):
        self.paused += 1
        try:
            return self.simplify(expr, *args, **kwargs)
        finally:
            self.paused -= 1

    def __call__(self, cap):
        self.calls, self.cap = 0, cap
        clear_cache()
        return self

    def _count(self, frame, event, arg):
        if event == "call" and not self.paused:
            self.calls += 1
            if self.calls > self.cap:
                raise Runaway(f"more than {self.cap:,} Python calls")

    def __enter__(self):
        sympy.simplify = self.simplified
        sys.setprofile(self._count)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)
        sympy.simplify = self.simplify
        return False


@pytest.fixture
def work():
    counter = Work()
    yield counter
    sys.setprofile(None)
    sympy.simplify = counter.simplify


def cap_for(source):
    return CALLS_BASE + CALLS_PER_NODE * len(build(source).nodes)


def numbers_at(point, extra=None):
    """sympy's real symbols x and y (and, for compact gradients, each node's name) -> a number there."""
    out = {sympy.Symbol(k, real=True): sympy.Float(v, 30) for k, v in point.items()}
    out.update({sympy.Symbol(k, real=True): sympy.Float(v, 30) for k, v in (extra or {}).items()})
    return out


def at(expr, numbers):
    """expr's value at a point, as a Python float (σ read as the logistic function)."""
    expr = expr.replace(lambda e: type(e).__name__ == "σ", lambda e: 1 / (1 + sympy.exp(-e.args[0])))
    value = sympy.N(expr.xreplace(numbers), 30)
    return complex(value) if not value.is_real else float(value)


def numeric(source, point):
    """gradtrace's numeric trace at a point, or None where the program is undefined or overflows."""
    try:
        result = run_program(source, [Binding(k, repr(v)) for k, v in point.items() if k in source])
    except GradtraceError:
        return None
    values = [float(v) for v in result.trace.values]
    return result.trace if all(math.isfinite(v) for v in values) else None


def close(a, b, rel=1e-7):
    return isinstance(a, float) and abs(a - b) <= rel * (1 + abs(a) + abs(b))


def assert_right(trace, source, names=None, point=POINT):
    """The symbolic trace's output and gradients agree, at a point, with gradtrace's numeric engine,
    with central differences of the numeric output, and (when names are given and the program is
    shallow enough for sympy to differentiate whole) with sympy's diff of the oracle's own build."""
    for expr in [*trace.values, *trace.upstream, *(g for gs in trace.local for g in gs)]:
        assert not expr.atoms(sympy.Dummy), expr  # what stood in for a deep part is written back
    truth = numeric(source, point)
    if truth is None:
        return  # outside the program's domain there: nothing to compare with
    nodes = {row.name: float(v) for row, v in zip(truth.graph.nodes, truth.values)}
    numbers = numbers_at(point, nodes)
    out = trace.graph.output.id
    assert close(at(trace.values[out], numbers), float(truth.value)), (source, trace.values[out])
    oracle = None
    if names is not None and len(names) <= 3:
        whole = X
        for name in reversed(names):
            whole = WRAPPERS[name][1](whole)
        oracle = whole
    for name in trace.gradients:
        got = at(trace.gradients[name], numbers)
        assert close(got, float(truth.gradients[name]), 1e-6), (source, name, trace.gradients[name])
        h = 1e-6
        ups = [run_program(source, [Binding(k, repr(v + (s * h if k == name else 0))) for k, v in point.items()
                                    if k in source]).trace.value for s in (1, -1)]
        central = (float(ups[0]) - float(ups[1])) / (2 * h)
        assert abs(got - central) <= 1e-4 * (1 + abs(got)), (source, name, got, central)
        if oracle is not None:
            want = at(sympy.diff(oracle, sympy.Symbol(name, real=True)), numbers)
            assert close(got, want, 1e-9), (source, name, got, want)


def assert_clean(err):
    """A stop past a bound is TooLarge, and says what was too large."""
    assert isinstance(err, symbolic.TooLarge), err.message
    assert any(word in err.message for word in ("nested", "parts", "nodes", "digits", "nest")), err.message
    assert "internal" not in err.message and "Traceback" not in err.message


# ---- the issue's example, on the command line ------------------------------------------------------

ISSUE = "sqrt(1+tanh(" * 5 + "x" + "))" * 5


def test_the_issues_example_finishes_within_a_count_and_is_right(gt, work):
    """gradtrace "sqrt(1+tanh(…))" five levels deep ran for minutes in symbolic mode."""
    with work(cap_for(ISSUE)):
        result = gt(ISSUE)
    assert result.exit_code == 0, result.stderr
    assert "∂f/∂x" in result.stdout and "internal" not in result.stderr
    with work(cap_for(ISSUE)):
        trace = symbolic.symbolic_trace(build(ISSUE))
    assert_right(trace, ISSUE)
    with work(cap_for(ISSUE)):
        trace = symbolic.symbolic_trace(build(ISSUE), expanded=True)
    assert_right(trace, ISSUE)


# ---- the family: alternating pairs, symbolic and expanded --------------------------------------------

@pytest.mark.parametrize("pair,depth", [(pair, 5 + 5 * (k % 2)) for k, pair in enumerate(PAIRS)],
                         ids=lambda v: "+".join(v) if isinstance(v, tuple) else str(v))
def test_alternating_nestings_are_counted_and_right(pair, depth, work):
    names = alternating(pair, depth)
    source = program(names)
    for expanded in (False, True):
        try:
            with work(cap_for(source)):
                trace = symbolic.symbolic_trace(build(source), expanded=expanded)
        except GradtraceError as err:
            assert_clean(err)
            continue
        assert_right(trace, source, names)


@pytest.mark.parametrize("pair", PAIRS[:8], ids="+".join)
@pytest.mark.parametrize("depth", [3, 6])
def test_exact_nestings_are_counted_and_right(pair, depth, work):
    """Exact mode at x = 37/100, y = 61/100: the exact values agree with the numbers, or the run stops
    cleanly with the numeric answer in its hint."""
    names = alternating(pair, depth)
    source = program(names)
    bindings = [Binding(k, {"x": "37/100", "y": "61/100"}[k]) for k in ("x", "y") if k in source]
    if numeric(source, POINT) is None:
        return
    try:
        with work(cap_for(source)):
            result = run_program(source, bindings, mode="exact")
    except GradtraceError as err:
        assert_clean(err)
        assert "numeric mode" in (err.hint or "")
        return
    trace = result.trace
    truth = result.numeric
    assert close(float(sympy.N(trace.values[trace.graph.output.id], 30)), float(truth.value))
    for name, g in trace.gradients.items():
        assert close(float(sympy.N(g, 30)), float(truth.gradients[name]), 1e-6), (source, name, g)


# Exact numbers nested up to the budget's exact_nesting (5) levels cost sympy about three times as
# much at each level: a constant, whatever the program's length (8 statements cost what 6 do).
# Measured: 1.5 to 7.2 million calls (1.5 to 9 s), depending on the order sympy meets terms in,
# which follows PYTHONHASHSEED; the stall this guards against was over 100 million (two minutes).
EXACT_WORK = 20_000_000
STEPS = ["f = sigmoid(f) * f + f", "f = exp(f) * f + f", "f = tanh(f) + f*f", "f = sqrt(1 + f*f) * f",
         "f = log(1 + f*f) + f", "f = sigmoid(f*f) + f"]


@pytest.mark.parametrize("times", [5, 6, 8])
@pytest.mark.parametrize("step", STEPS)
def test_exact_statements_that_nest_functions_are_counted_and_right(step, times, work):
    """f = sigmoid(f) * f + f repeated in exact mode: each statement puts a function around all of
    f so far. sympy spent minutes on the sixth (deciding the sign of a number nested six deep, digit
    by digit) before the nesting bound refused it; the bound is now applied first."""
    source = "; ".join(["f = x"] + [step] * times)
    if numeric(source, POINT) is None:
        return
    try:
        with work(cap_for(source) + EXACT_WORK):
            result = run_program(source, [Binding("x", "37/100")], mode="exact")
    except GradtraceError as err:
        assert_clean(err)
        assert "numeric mode" in (err.hint or "")
        return
    trace, truth = result.trace, result.numeric
    assert close(float(sympy.N(trace.values[trace.graph.output.id], 30)), float(truth.value))
    assert close(float(sympy.N(trace.gradients["x"], 30)), float(truth.gradients["x"]), 1e-6)


@settings(max_examples=8)
@given(st.lists(st.sampled_from(sorted(WRAPPERS)), min_size=5, max_size=300),
       st.sampled_from(["symbolic", "expanded"]))
def test_any_nesting_of_5_to_300_is_counted(names, mode):
    """Random nestings, any mix of wrappers: bounded work, and right or a clean stop."""
    source = program(names)
    counter = Work()
    try:
        with counter(cap_for(source)):
            trace = symbolic.symbolic_trace(build(source), expanded=mode == "expanded")
    except GradtraceError as err:
        assert_clean(err)
        return
    finally:
        sys.setprofile(None)
        sympy.simplify = counter.simplify
    assert_right(trace, source)


@pytest.mark.parametrize("pair", [("sqrt", "tanh"), ("sigmoid", "sqrt"), ("div", "exp")], ids="+".join)
def test_statements_nest_as_deeply_as_text(pair, work):
    """f = sqrt(1 + tanh(f)) as repeated statements is the same program as the nested text."""
    step = "f = " + WRAPPERS[pair[0]][0].format(WRAPPERS[pair[1]][0].format("f"))
    source = "; ".join(["f = x"] + [step] * 5)
    for expanded in (False, True):
        with work(cap_for(source)):
            trace = symbolic.symbolic_trace(build(source), expanded=expanded)
        assert_right(trace, source)


# ---- grading a symbolic answer on a deep program ------------------------------------------------------

@pytest.mark.parametrize("pair", [("sqrt", "tanh"), ("sigmoid", "sqrt"), ("log", "tanh")], ids="+".join)
def test_grading_a_deep_program_is_counted_and_never_wrong(pair, work):
    """grade checks symbolic answers without bindings: a right answer (the true value, as printed) is
    passed or the check stops cleanly; a wrong one is never passed."""
    source = program(alternating(pair, 10))
    graph = build(source)
    shown = symbolic.symbolic_trace(graph)
    right = str(shown.gradients["x"])
    wrong = right + " + 1"
    for answer, ok in ((right, True), (wrong, False)):
        try:
            with work(cap_for(source)):
                graded = check_symbolic_answers(graph, [Expected("x", answer)])
        except GradtraceError as err:
            assert_clean(err) if isinstance(err, symbolic.TooLarge) else None
            continue
        assert graded[0].correct is ok, (answer, ok)
