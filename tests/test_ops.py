"""Every op in the table, checked against two oracles: sympy's diff and central differences.

The test is parametrized over the op table, so adding an op adds its checks.
"""

import itertools
import math

import pytest
import sympy as sp

import gradtrace
from gradtrace.core.ops import FUNCTIONS, OPS, VARIADIC, scalar

CANDIDATES = (-1.7, -0.6, 0.45, 1.3, 2.2)
CONSTANTS = (2.0, -1.5, 0.5, 3.0)


def sample_points(op):
    """Points inside the op's domain and away from its kinks, with parameter values."""
    arity = 3 if op.arity == VARIADIC else op.arity
    # Parameters by their kind, read off the record: the constant of a one-constant gate, the
    # constants among a variadic op's arguments, and keyword parameters around their default.
    leading = [[(c,) for c in CONSTANTS]] if op.maths.constant else [[((),), ((0.1,),)]] if op.variadic else []
    # (A parameter with no default, such as clip's lo and hi, takes the others; combinations
    # outside the op's domain, lo > hi, are left out below.)
    keyword = [[(v,) for v in sorted({default, 0.2, 1.0} - {None})] for _, default in op.keyword_params]
    param_sets = [sum(choice, ()) for choice in itertools.product(*leading, *keyword)] or [()]
    points = []
    for xs in itertools.product(CANDIDATES, repeat=arity):
        for ps in param_sets:
            if not op.in_domain(scalar, xs, ps):
                continue
            if op.variadic and len(set(xs + tuple(ps[0]))) < len(xs) + len(ps[0]):
                continue  # no ties: the numerical gradient is unreliable there
            points.append((xs, ps))
    return points[::max(1, len(points) // 12)]


def numeric(op, xs, ps, i, h=1e-6):
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (op.apply(scalar, tuple(up), ps) - op.apply(scalar, tuple(down), ps)) / (2 * h)


SCALAR_OPS = sorted(name for name, op in OPS.items() if not op.arrays_only)


@pytest.mark.parametrize("name", SCALAR_OPS)
def test_local_gradients_match_sympy_and_central_differences(name):
    op = OPS[name]
    points = sample_points(op)
    assert len(points) >= 3, f"{name}: too few sample points in its domain"
    for xs, ps in points:
        syms = sp.symbols(f"a0:{len(xs)}", real=True)
        expr = op.oracles.sympy(sp, syms, *ps) if op.variadic else op.oracles.sympy(sp, *syms, *ps)
        out = op.apply(scalar, xs, ps)
        assert float(expr.subs(dict(zip(syms, xs)))) == pytest.approx(out, rel=1e-12, abs=1e-12)
        local = op.local(scalar, out, xs, ps)
        assert len(local) == len(xs)
        for i, g in enumerate(local):
            exact = float(sp.diff(expr, syms[i]).subs(dict(zip(syms, xs))).evalf())
            assert g == pytest.approx(exact, rel=1e-9, abs=1e-12), (name, xs, ps, i)
            assert g == pytest.approx(numeric(op, xs, ps, i), rel=1e-5, abs=1e-7), (name, xs, ps, i)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_record_is_complete(name):
    op = OPS[name]
    assert op.text.label
    # Elementwise ops carry local-gradient rules and a sympy oracle; array ops a vector-Jacobian
    # product (checked against central differences in test_arrays.py).
    maths = op.maths
    assert (maths.grads is not None and op.oracles.sympy is not None) or (maths.vjp is not None and maths.grads is None)
    n_formulas = 1 if op.arity == VARIADIC else op.arity
    assert len(op.text.formula) == n_formulas
    assert op.text.pattern in (None, "distributor", "router", "switcher", "scaler")
    assert op.syntax.callable or op.syntax.infix or op.syntax.subscript, f"{name} can't be written in the language"


@pytest.mark.parametrize("name", sorted(n for n in FUNCTIONS if not FUNCTIONS[n].arrays_only))
def test_every_function_can_be_called_from_the_language(name):
    """By its name and by every alias (ln, arctan, σ, swish); required parameters given."""
    op = FUNCTIONS[name]
    args = "x, y" if op.arity in (VARIADIC, 2) else "x"
    args += "".join(", -1" if i == 0 else ", 1" for i, (_, default) in enumerate(op.keyword_params)
                    if default is None)
    t = gradtrace.trace(f"{name}({args})", x=0.3, **({"y": 0.7} if "y" in args else {}))
    assert t.node(t.output).op == op.name
    assert math.isfinite(t.gradients["x"])


def test_gate_api_is_the_lectures_modular_forward_backward():
    mul = OPS["mul"]
    assert mul.forward(-4, 3) == -12
    assert mul.backward(2.0, -4, 3) == (6.0, -8.0)
    assert OPS["sigmoid"].backward(1.0, 1.0) == pytest.approx((0.19661193324148185,))
    assert OPS["leaky_relu"].backward(1.0, -2.0, alpha=0.3) == (0.3,)
    assert OPS["max"].backward(1.0, 4, 5) == (0.0, 1.0)


@pytest.mark.parametrize("expr, value, x_grad", [
    ("relu(x)", 0.0, 0.0),         # NOTE relu'(0) = 0
    ("abs(x)", 0.0, 0.0),          # NOTE abs'(0) = 0
    ("leaky_relu(x, 0.1)", 0.0, 0.1),
    ("elu(x, alpha=2)", 0.0, 2.0),
])
def test_kink_conventions_at_zero(expr, value, x_grad):
    t = gradtrace.trace(expr, x=0)
    assert t.value == value and t.gradients["x"] == x_grad
    assert t.node(t.output).kink


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.maths.kink_at_zero))
def test_an_op_said_to_kink_only_at_zero_does(name):
    """The engine skips the kink test of these ops when no value in the trace is 0, so each one's
    predicate must never hold elsewhere: not near 0, not in the far tails, at any parameter."""
    op = OPS[name]
    predicate = op.maths.kink[0]
    params = [()] if not op.rule_params else [(a,) for a in (0.01, 0.2, 1.0, 2.0, -1.0)]
    tiny = [5e-324, 1e-300, 1e-16, 0.3, 1.0, 7.5, 1e16, 1e300, math.inf]
    for p in params:
        for x in tiny + [-v for v in tiny]:
            assert not predicate(scalar, op.maths.fn(scalar, x, *p), x, *p), (name, x, p)
        assert any(predicate(scalar, op.maths.fn(scalar, zero, *p), zero, *p) for zero in (0.0, -0.0)) or \
            (name == "elu" and p == (1.0,))  # elu with alpha 1 is smooth at 0


def test_a_kink_is_found_among_many_nodes_with_or_without_a_zero_value():
    """The engine's shortcut (no value 0: no relu at its kink) and its way round it for other kinks
    (a max tie) find the same notes as node by node."""
    far = gradtrace.trace("relu(x) + relu(y) * abs(y) + max(x, y)", x=0.5, y=-2)
    assert [n.kink for n in far.nodes if n.kink] == []
    at_zero = gradtrace.trace("relu(x) + relu(y) * abs(y) + max(x, y)", x=0.5, y=0)
    assert sorted(n.op for n in at_zero.nodes if n.kink) == ["abs", "relu"]
    tie = gradtrace.trace("relu(x) + relu(y) * abs(y) + max(x, y)", x=0.5, y=0.5)
    assert [n.op for n in tie.nodes if n.kink] == ["max"]
    zero_elsewhere = gradtrace.trace("relu(x) * (y - 1)", x=0.5, y=1)  # a 0, but not at the relu
    assert [n.kink for n in zero_elsewhere.nodes if n.kink] == []


def test_max_tie_splits_evenly_and_is_flagged():
    t = gradtrace.trace("max(x, y, z)", x=2, y=2, z=1)
    assert t.gradients == {"x": 0.5, "y": 0.5, "z": 0.0}
    assert "tie" in t.node(t.output).kink
    # A tie with a constant takes its share too, as torch.maximum does.
    assert gradtrace.trace("max(0, x)", x=0).gradients["x"] == 0.5
