"""Property tests: random programs over the whole op table, checked against two oracles.

hypothesis draws programs (scalar ones, elementwise array ones, and ones over the array ops) with
bindings away from domain edges. gradtrace's gradients must match sympy's differentiation of the
same program, built independently from the drawn tree (never from text), and central differences
of its forward pass.

The default profile is small and derandomized, so the suite stays fast and CI stable. A longer,
random run:  python -m pytest tests/test_properties.py --hypothesis-profile=long
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given
from hypothesis import strategies as st

import gradtrace
from gradtrace.core.engine import forward
from gradtrace.core.errors import EvaluationError
from gradtrace.core.graph import build
from gradtrace.core.numpy_backend import numpy_backend
from gradtrace.core.ops import OPS, scalar

pytestmark = pytest.mark.slow  # hypothesis searches: the long half of the suite

SCALAR_OPS = sorted(name for name, op in OPS.items() if not op.arrays_only)
VARIABLES = ("x", "y", "z")
CONSTANTS = {"2": sp.Integer(2), "0.5": sp.Rational(1, 2), "3": sp.Integer(3), "pi": sp.pi}


def _positive(text, expr):
    """A subterm made safely positive, for ops with a domain (log, sqrt, divisors, bases)."""
    return f"(({text})**2 + 0.5)", expr ** 2 + sp.Rational(1, 2)


def _binary_of(op):
    """The binary operator record a one-constant gate comes from (x + 2 -> add), and the side."""
    for other in OPS.values():
        if other.arity == 2 and other.syntax.infix and op.name in (other.syntax.const_left, other.syntax.const_right):
            return other, ("left" if other.syntax.const_left == op.name else "right")
    return None, None


def apply(name, children):
    """Program text and sympy expression for op `name` at the root over child (text, expr) pairs,
    written from the op's record alone (how it is written, its domain, its parameters), so a new
    record is drawn with no change here; test_every_op_is_drawn checks that every op can be."""
    op = OPS[name]
    if op.maths.domain is not None:
        children = [_positive(t, e) for t, e in children]
    elif op.arity == 1 and op.syntax.callable:
        children = [(f"({t}) / 4", e / 4) for t, e in children]  # keeps nested exps finite
    (a, ea), (b, eb) = children[0], children[1]
    if op.syntax.prefix:
        return f"{op.syntax.prefix}({a})", op.oracles.sympy(sp, ea)
    if op.maths.constant:
        binary, side = _binary_of(op)
        c = "2"  # positive, so c^x and c/x stay in their domains
        if op.maths.exponent is not None and op.maths.exponent(("x",), ("c",))[1] == "c":
            c = "1.5"  # the constant is an exponent: a fractional power of a positive base
        text = f"{c} {binary.syntax.infix} ({a})" if side == "left" else f"({a}) {binary.syntax.infix} {c}"
        return text, op.oracles.sympy(sp, ea, sp.nsimplify(c))
    if op.syntax.infix and op.arity == 2:
        if op.maths.exponent is not None:  # a variable exponent, kept small
            return f"{a} {op.syntax.infix} (({b}) / 4)", op.oracles.sympy(sp, ea, eb / 4)
        return f"({a}) {op.syntax.infix} ({b})", op.oracles.sympy(sp, ea, eb)
    if op.variadic:
        return f"{name}({a}, {b})", op.oracles.sympy(sp, [ea, eb], ())
    # Increasing values (0.5, 1, 1.5, ...), so that a range's lo stays below its hi.
    values = [sp.Rational(i + 1, 2) for i in range(len(op.keyword_params))]
    keywords = "".join(f", {p}={v}" for (p, _), v in zip(op.keyword_params, values))
    args = [a, b][:op.arity]
    return f"{name}({', '.join(args)}{keywords})", op.oracles.sympy(sp, *[ea, eb][:op.arity], *values)


@st.composite
def programs(draw, root=None, depth=3, variables=VARIABLES):
    """A random program as (text, sympy expression builder input): returns (text, expr, symbols)."""
    symbols = {v: sp.Symbol(v, real=True) for v in variables}

    def tree(level):
        if level == 0 or draw(st.integers(0, 3)) == 0:
            if draw(st.booleans()) or level == depth:
                name = draw(st.sampled_from(variables))
                return name, symbols[name]
            text = draw(st.sampled_from(sorted(CONSTANTS)))
            return text, CONSTANTS[text]
        name = draw(st.sampled_from(SCALAR_OPS))
        return apply(name, [tree(level - 1), tree(level - 1)])

    if root is None:
        text, expr = tree(depth)
    else:
        text, expr = apply(root, [tree(depth - 1), tree(depth - 1)])
    return text, expr, symbols


points = st.fixed_dictionaries({v: st.floats(-2, 2, allow_nan=False).map(lambda f: round(f, 2) + 0.00137)
                                for v in VARIABLES})


def branches(graph, values, xp):
    """Which piece of every piecewise gate (relu's side of 0, max's winner) the values select."""
    return [node.op.which_branch(xp, values[node.id], [values[i] for i in node.inputs], node.params)
            if node.op is not None and node.op.maths.branch is not None else None for node in graph.nodes]


def central(graph, inputs, name, xp=None, index=None, h=1e-6):
    """∂out/∂name (or one element of it) by central differences of gradtrace's forward pass. A
    point where a piecewise gate changes piece between the two evaluations is skipped: no
    difference quotient means anything across a kink."""
    xp = xp or scalar

    def at(shift):
        shifted = dict(inputs)
        if index is None:
            shifted[name] = inputs[name] + shift
        else:
            shifted[name] = inputs[name].copy()
            shifted[name][index] += shift
        return forward(graph, shifted, xp)

    step = h * max(1.0, abs(float(inputs[name] if index is None else inputs[name][index])))
    up, down = at(step), at(-step)
    assume(branches(graph, up, xp) == branches(graph, down, xp))
    return (float(up[graph.output.id]) - float(down[graph.output.id])) / (2 * step)


def close(ours, oracle, scale=1.0):
    return math.isclose(ours, oracle, rel_tol=1e-5, abs_tol=1e-6 * max(1.0, scale))


def used_variables(text):
    """The variables the program's output depends on; a program that is all constants is skipped."""
    try:
        return {n.name for n in build(text).variables}
    except EvaluationError:
        assume(False)


def _trace(text, bindings):
    try:
        t = gradtrace.trace(text, **bindings)
    except EvaluationError:
        assume(False)  # outside a domain or overflowing: not this test's business
    assume(not any(t.kinks))  # a kink has no derivative to compare with
    assume(all(np.all(np.abs(v) < 1e6) for v in t.values))
    return t


def check_scalar(text, expr, symbols, bindings):
    t = _trace(text, bindings)
    graph = t.graph
    used = {v.name for v in graph.variables}
    subs = {symbols[v]: sp.Float(bindings[v], 30) for v in bindings}
    assert float(expr.subs(subs).evalf()) == pytest.approx(t.value, rel=1e-9, abs=1e-9), text
    for name in used:
        ours = t.gradients[name]
        # Central differences first: they also skip points within a step of a kink, where
        # sympy's exact arithmetic may see a tie that floating point does not (min(x, 2-(2-x))).
        numeric = central(graph, t.bindings, name)
        assert math.isclose(ours, numeric, rel_tol=1e-4, abs_tol=1e-5 * max(1.0, abs(t.value))), \
            (text, bindings, name, ours, numeric)
        exact = float(sp.diff(expr, symbols[name]).subs(subs).evalf())
        assert close(ours, exact, abs(t.value)), (text, bindings, name, ours, exact)


@given(programs(), points)
def test_random_programs_match_sympy_and_central_differences(program, bindings):
    used = used_variables(program[0])
    assume(used)
    check_scalar(*program, {k: v for k, v in bindings.items() if k in used})


@pytest.mark.parametrize("name", SCALAR_OPS)
@given(data=st.data())
def test_every_op_at_the_root_of_random_programs(name, data):
    text, expr, symbols = data.draw(programs(root=name, depth=3))
    bindings = data.draw(points)
    used = used_variables(text)
    assume(used)
    check_scalar(text, expr, symbols, {k: v for k, v in bindings.items() if k in used})


def test_every_op_is_drawn():
    """The generator can write every elementwise op of the table (a new op must be added there)."""
    leaves = [("x", sp.Symbol("x", real=True)), ("y", sp.Symbol("y", real=True))]
    written = set()
    for name in SCALAR_OPS:
        text, _ = apply(name, leaves)
        written |= {n.op.name for n in build(text).nodes if n.op is not None}
    assert set(SCALAR_OPS) <= written


# ---- arrays -----------------------------------------------------------------------------------

vectors = st.lists(st.floats(-2, 2, allow_nan=False).map(lambda f: round(f, 2) + 0.00137), min_size=3, max_size=3)


@given(programs(depth=3, variables=("x", "y", "z")), vectors, vectors, points)
def test_elementwise_array_programs_match_sympy_per_element(program, xs, ys, scalars):
    """sum(f(x, y, z)) over vectors x and y and a broadcast scalar z: ∂/∂x[i] is f's derivative at
    element i, and ∂/∂z sums over the elements."""
    text, expr, symbols = program
    source = f"sum({text})"
    names = used_variables(text)
    graph = build(source)
    arrays = {"x": np.array(xs), "y": np.array(ys), "z": scalars["z"]}
    bindings = {k: v for k, v in arrays.items() if k in names}
    assume("x" in bindings or "y" in bindings)  # at least one array
    t = _trace(source, bindings)
    for name in names:
        grad = np.atleast_1d(t.gradients[name])
        for i in range(3 if name != "z" else 1):
            index = None if name == "z" else (i,)
            numeric = central(graph, t.bindings, name, numpy_backend, index)  # first: skips near-kinks
            total = 0.0
            for k in range(3):
                subs = {symbols["x"]: xs[k], symbols["y"]: ys[k], symbols["z"]: scalars["z"]}
                if name == "z" or k == i:
                    total += float(sp.diff(expr, symbols[name]).subs(subs).evalf())
            assert close(float(grad[i]), total, abs(float(t.value))), (source, name, i)
            assert math.isclose(float(grad[i]), numeric, rel_tol=1e-4, abs_tol=1e-5 * max(1.0, abs(float(t.value))))


INNER = ["W @ x", "W @ x + b", "tanh(W @ x)", "sigmoid(W @ x) * b", "(x.T @ W.T) + b", "relu(W @ x) + b * b"]
OUTER = ["sum(softmax({s}) * b)", "sum(log_softmax({s}) * b)", "dot({s}, b)", "norm({s})", "mean({s})",
         "sum({s} ** 2)", "mean(max({s}, b))"]
BATCH = ["cross_entropy(X @ W.T, labels)", "svm_loss(X @ W.T, labels)", "mean(softmax(X @ W.T))",
         "sum(log_softmax(X @ W.T) * (X @ W.T))", "sum(transpose(X @ W.T) @ X)"]
matrices = st.lists(st.floats(-2, 2, allow_nan=False).map(lambda f: round(f, 2) + 0.00137), min_size=12, max_size=12)


@given(st.sampled_from([o.format(s=i) for o in OUTER for i in INNER] + BATCH), matrices, matrices,
       st.lists(st.integers(0, 2), min_size=4, max_size=4))
def test_array_op_programs_match_central_differences(source, first, second, labels):
    """matmul, transpose, softmax, log_softmax, dot, norm, mean, sum, cross_entropy and svm_loss:
    every element of every input against a central difference."""
    graph = build(source)
    values = {"W": np.array(first[:9]).reshape(3, 3), "x": np.array(second[:3]), "b": np.array(second[3:6]),
              "X": np.array(second).reshape(4, 3), "labels": np.array(labels)}
    bindings = {v.name: values[v.name] for v in graph.variables}
    t = _trace(source, bindings)
    for name, value in bindings.items():
        if name == "labels":
            continue
        grad = np.asarray(t.gradients[name])
        for index in np.ndindex(value.shape):
            numeric = central(graph, t.bindings, name, numpy_backend, index)
            assert math.isclose(float(grad[index]), numeric, rel_tol=1e-4, abs_tol=1e-5), (source, name, index)
