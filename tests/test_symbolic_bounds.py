"""Symbolic and exact work has bounded cost: sizes are measured as expressions are built, simplify
only sees expressions its cost is bounded on, exact numbers keep a bounded number of digits, and
past a bound the run stops with a message that names what was too large (and, in exact mode, the
numeric answer). Costs are counted (tree sizes, nesting, simplify and evalf calls, digits), never
timed."""

import re

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from gradtrace.core.errors import GradtraceError
from gradtrace.core.graph import build
from gradtrace.modes import symbolic
from gradtrace.modes.answers import Expected, check_symbolic_answers
from gradtrace.modes.run import run_program

BUDGET = symbolic.DEFAULT_BUDGET


def tree_size(expr):
    """Nodes of expr written out as a tree (shared subexpressions counted at each use), without
    recursion; the test's own count, independent of gradtrace's."""
    memo = {}
    stack = [expr]
    while stack:
        e = stack[-1]
        if id(e) in memo:
            stack.pop()
            continue
        todo = [a for a in e.args if id(a) not in memo]
        if todo:
            stack.extend(todo)
            continue
        stack.pop()
        memo[id(e)] = (1 + sum(memo[id(a)][0] for a in e.args),
                       (0 if e.is_Atom or e.is_Add or e.is_Mul or (e.is_Pow and e.exp.is_Integer) else 1)
                       + max((memo[id(a)][1] for a in e.args), default=0))
    return memo[id(expr)]


def nested(fn, depth, inner="x"):
    return f"{fn}(" * depth + inner + ")" * depth


def square_program(times, step="f = f*f + f"):
    return "; ".join(["f = x"] + [step] * times)


@pytest.fixture
def simplify_calls(monkeypatch):
    """Every sympy.simplify call gradtrace makes, with the size and function nesting of what it was
    given; a call past the documented bound fails at once (before sympy spends minutes on it)."""
    calls = []
    real = sympy.simplify

    def counted(expr, *args, **kwargs):
        size, nesting = tree_size(expr)
        calls.append((size, nesting))
        assert size <= BUDGET.simplify_size and nesting <= BUDGET.simplify_nesting, (size, nesting, str(expr)[:200])
        return real(expr, *args, **kwargs)

    monkeypatch.setattr(sympy, "simplify", counted)
    return calls


DEEP = {
    "sin": lambda d: nested("sin", d),
    "exp": lambda d: nested("exp", d),
    "sigmoid": lambda d: nested("sigmoid", d),
    "tanh of a sum": lambda d: "tanh(" * d + "x" + " + y)" * d,
    "log of a square": lambda d: "log(1 + " * d + "x" + ")^2" * d,
}


@pytest.mark.slow
@pytest.mark.parametrize("shape", DEEP)
@pytest.mark.parametrize("depth", [2, 4, 14, 60, 300])
@pytest.mark.parametrize("expanded", [False, True])
def test_deep_symbolic_programs_simplify_only_within_the_bound(shape, depth, expanded, simplify_calls):
    """sin(sin(…x…)) took 3.3 s at depth 14 and minutes at 20: now simplify never sees an
    expression past its bound, is called at most once per expression, and deep programs give a
    result or a clean error that says how deep."""
    graph = build(DEEP[shape](depth))
    try:
        trace = symbolic.symbolic_trace(graph, expanded=expanded)
    except GradtraceError as err:
        assert isinstance(err, symbolic.TooLarge)
        assert re.search(r"nested|parts|nodes", err.message), err.message
        return
    assert len(simplify_calls) <= 8 * len(graph.nodes) + 4  # at most once per expression
    for v in trace.values + trace.upstream:
        assert tree_size(v)[0] <= BUDGET.size


@pytest.mark.slow
@pytest.mark.parametrize("times", [3, 8, 12, 20, 40])
@pytest.mark.parametrize("step", ["f = f*f + f", "f = f*f", "f = sigmoid(f) * f + f"])
@pytest.mark.parametrize("mode", ["symbolic", "expanded", "exact"])
def test_repeated_squaring_is_bounded_in_every_mode(times, step, mode, simplify_calls):
    """f = f*f + f repeated: each statement doubles the expression written out; sizes are measured
    (each shared subexpression once) and a run past the bound stops, saying what was too large."""
    source = square_program(times, step)
    bindings = [] if mode != "exact" else [__import__("gradtrace.core.bindings", fromlist=["Binding"]).Binding(
        "x", "1/3")]
    try:
        result = run_program(source, bindings, mode="exact" if mode == "exact" else "symbolic",
                             expanded=mode == "expanded")
    except GradtraceError as err:
        if mode == "exact" and err.exit_code == 1:
            assert "overflow" in err.message  # the numeric trace, computed first, overflows
            return
        assert isinstance(err, symbolic.TooLarge), err.message
        if mode == "exact":
            assert "numeric mode" in (err.hint or ""), err.hint  # the answer in floats, where there is one
            assert re.search(r"∂f/∂x = -?[0-9.]+(e[+-]?[0-9]+)?", err.hint or ""), err.hint
        return
    for v in result.trace.values + result.trace.upstream:
        assert tree_size(v)[0] <= BUDGET.size
    assert len(simplify_calls) <= 8 * len(result.graph.nodes) + 4


def test_a_shallow_program_is_still_simplified(simplify_calls):
    """The bound leaves the lecture's programs as they were: simplified, in compact form."""
    trace = symbolic.symbolic_trace(build("f = 1/(1 + exp(-(w*x + b)))"), expanded=True)
    assert simplify_calls, "simplify was never called"
    assert str(trace.gradients["w"]).count("exp") <= 2


def evalf_counter(monkeypatch):
    import sympy.core.evalf as evalf_module

    calls = [0]
    real = evalf_module.evalf

    def counted(*args, **kwargs):
        calls[0] += 1
        assert calls[0] < 200_000, "evalf work grows without bound"
        return real(*args, **kwargs)

    monkeypatch.setattr(evalf_module, "evalf", counted)
    return calls


@pytest.mark.parametrize("depth", [2, 5, 9, 12])
def test_exact_nestings_count_their_numeric_work(monkeypatch, depth):
    """An exact sigmoid of a sigmoid of … makes sympy evaluate every level again to learn signs, so
    its work grows threefold a level (minutes at depth 13). Exact numbers nest only so deep: the
    evalf calls stay bounded, and past the bound the error gives the numeric answer."""
    from gradtrace.core.bindings import Binding

    calls = evalf_counter(monkeypatch)
    try:
        run_program(nested("sigmoid", depth), [Binding("x", "1/3")], mode="exact")
    except GradtraceError as err:
        assert isinstance(err, symbolic.TooLarge)
        assert "nest" in err.message and "numeric mode" in (err.hint or "")
        assert depth > BUDGET.exact_nesting
    else:
        assert depth <= BUDGET.exact_nesting + 1
    assert calls[0] < 200_000


# ---- digits (finding: exact values past Python's 4300-digit limit) ------------------------------

def max_digits(expr):
    numbers = [a for a in sympy.preorder_traversal(expr) if isinstance(a, sympy.Rational)]
    return max((max(len(str(abs(n.p))), len(str(n.q))) for n in numbers), default=0)


EXACT_FAMILY = [
    ("x**650", "1.0000001"),
    ("x**9000 * y", "1.0000001"),
    ("x * 1.0000001**650", "2"),
    (square_program(12, "f = f*f"), "1.0000001"),
    (square_program(40, "f = f*f"), "1.0000001"),
    ("2**x", "9000"),
    ("sqrt(x)**9001", "3"),
    ("(x/3)**3000 * 7**x", "1.01"),
]


@pytest.mark.parametrize("program,x", EXACT_FAMILY)
@pytest.mark.parametrize("output", [[], ["--json"], ["--format", "latex"], ["--format", "csv"]])
def test_exact_numbers_have_bounded_digits_everywhere_they_are_shown(gt, program, x, output):
    args = [program, "-x", x] + (["-y", "2"] if " y" in program else []) + ["--exact", *output]
    result = gt(*args)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert result.exit_code in (0, 1, 2), result.stderr
    if result.exit_code == 1:
        assert "overflows" in result.stderr  # numeric mode, computed first, overflows
    if result.exit_code == 2:
        assert "digits" in result.stderr and "numeric mode" in result.stderr, result.stderr
    for run in re.findall(r"[0-9]+", result.stdout):
        assert len(run) <= BUDGET.digits


@given(st.integers(1, 12), st.integers(2, 20_000), st.sampled_from(["x**{n}", "x**{n} * y", "{n}**x", "(x + 1)**{n}"]))
def test_exact_digits_family(digits, n, form):
    """Random bases with k decimals and exponents up to 20,000: a result within the bound has every
    numerator and denominator within it; anything else is a clean error naming the digits."""
    from gradtrace.core.bindings import Binding

    x = "1." + "0" * (digits - 1) + "3"
    program = form.format(n=n) if "{n}**x" not in form else f"{n}**x"
    bindings = [Binding("x", x if form != "{n}**x" else str(min(n, 900)))]
    if " y" in program:
        bindings.append(Binding("y", "2"))
    try:
        trace = run_program(program, bindings, mode="exact").trace
    except GradtraceError as err:
        assert "digits" in err.message or "exponent" in err.message or "overflow" in err.message, err.message
        return
    for v in trace.values + trace.upstream:
        assert max_digits(v) <= BUDGET.digits


def test_a_long_exact_binding_is_refused_cleanly(gt):
    result = gt("x*y", "-x", "0." + "0" * 5000 + "1", "-y", "2", "--exact", "--json")
    assert result.exit_code == 2 and "internal error" not in result.stderr
    assert "digits" in result.stderr


# ---- the budget grade calls with ------------------------------------------------------------------

def test_grade_can_pass_its_own_budget_and_gets_a_project_error():
    """check_symbolic_answers(..., budget=…) stops past a smaller budget with a GradtraceError (the
    error grade reports for that one file)."""
    graph = build(square_program(6))
    small = symbolic.Budget(size=50)
    with pytest.raises(GradtraceError) as info:
        check_symbolic_answers(graph, [Expected("x", "1")], budget=small)
    assert isinstance(info.value, symbolic.TooLarge) and "50" in info.value.message
    # the default budget grades it
    answers = check_symbolic_answers(build("f = x*x + x"), [Expected("x", "2*x + 1")])
    assert answers[0].correct


@pytest.mark.parametrize("answer", ["q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q*q",
                                    nested("sigmoid", 30), "(x + 1)^9000 - (x + 1)^9000 + 1"])
def test_hostile_symbolic_answers_stop_cleanly(answer):
    graph = build("q = sin(x) + cos(x)*x; f = q*q*q")
    try:
        check_symbolic_answers(graph, [Expected("x", answer)])
    except GradtraceError:
        pass
