"""Every elementwise op of the table against PyTorch float64 on a few thousand random points,
far tails and kinks included: the same values, the same kink conventions, and gradients that keep
full double precision wherever PyTorch's do (where the two differ, a 50-digit mpmath derivative of
the op's sympy rule decides, and gradtrace must be the one that is right).

PyTorch is an optional oracle: CI installs its CPU build; elsewhere the test skips and says so.
"""

import math
import os
import random
import zlib

import needs
import pytest

from gradtrace.core.ops import OPS, VARIADIC, scalar

torch = None


@pytest.fixture(autouse=True)
def _torch():
    global torch
    torch = needs.module("torch", "pip install torch==2.13.0")

ELEMENTWISE = sorted(name for name, op in OPS.items() if not op.arrays_only)
POINTS = int(os.environ.get("GRADTRACE_TORCH_POINTS", "2000"))
TAIL = 40.0  # |x| up to 40 for exp-based ops, where naive rules lose every digit


def _draw(rng: random.Random) -> float:
    """A point: ordinary values, far tails, tiny and huge magnitudes, exact kinks and integers."""
    kind = rng.random()
    if kind < 0.35:
        return rng.uniform(-5, 5)
    if kind < 0.6:
        return rng.choice((-1, 1)) * rng.uniform(5, TAIL)
    if kind < 0.75:
        return rng.choice((-1, 1)) * 10.0 ** rng.uniform(-12, 0)
    if kind < 0.85:
        return float(rng.randint(-4, 4))  # 0 and ties, integer powers
    if kind < 0.92:
        return rng.choice((-1, 1)) * 10.0 ** rng.uniform(2, 100)
    return 0.0


def _params(op, rng: random.Random) -> tuple:
    """Parameters by their kind, read off the record (no op is named here)."""
    out: list = []
    if op.maths.constant:
        out.append(rng.choice((2.0, 3.0, -1.0, 0.5, -2.0, 1.5, 10.0)))
    if op.variadic:
        out.append(rng.choice(((), (0.0,), (1.0, -1.0))))
    for _, default in op.keyword_params:  # a parameter with no default (clip's lo, hi) draws from the rest
        out.append(rng.choice(tuple({default, -1.0, 0.2, 1.0, 2.0} - {None})))
    return tuple(out)


def _points(op, seed: int):
    rng = random.Random(seed)
    arity = rng.choice((2, 3)) if op.arity == VARIADIC else op.arity
    found = []
    for _ in range(POINTS * 20):
        if len(found) >= POINTS:
            break
        xs = [_draw(rng) for _ in range(arity)]
        if arity > 1 and rng.random() < 0.15:
            xs[1] = xs[0]  # a tie
        ps = _params(op, rng)
        xs_t = tuple(xs)
        if not op.in_domain(scalar, xs_t, ps):
            continue
        try:
            out = op.apply(scalar, xs_t, ps)
        except (OverflowError, ValueError, ZeroDivisionError):
            continue
        if not math.isfinite(out):
            continue
        found.append((xs_t, ps, out))
    return found


def _torch_eval(op, xs, ps):
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    if op.variadic:
        out = op.oracles.torch(torch, tensors, *ps)
    else:
        out = op.oracles.torch(torch, *tensors, *ps)
    grads = torch.autograd.grad(out, tensors, allow_unused=True)
    return out.item(), [0.0 if g is None else g.item() for g in grads]


def _truth(op, xs, ps, slot):
    """The exact derivative of the op's own sympy rule, evaluated by sympy's adaptive-precision
    evalf (which keeps 1 - tanh(205)² from cancelling), or None where it has no value."""
    import sympy as sp

    syms = sp.symbols(f"a0:{len(xs)}", real=True)
    expr = op.oracles.sympy(sp, list(syms), *ps) if op.variadic else op.oracles.sympy(sp, *syms, *ps)
    exact = {s_: sp.Rational(x) for s_, x in zip(syms, xs)}  # the float, exactly
    try:
        # maxn: the working precision evalf may climb to, for cancellations as deep as 1 - tanh(287)²
        value = sp.diff(expr, syms[slot]).subs(exact).evalf(30, maxn=2000)
        return float(value)
    except (TypeError, ValueError):
        return None


def _truth_value(op, xs, ps):
    """The op's own sympy rule, evaluated exactly at the float inputs."""
    import sympy as sp

    syms = sp.symbols(f"a0:{len(xs)}", real=True)
    expr = op.oracles.sympy(sp, list(syms), *ps) if op.variadic else op.oracles.sympy(sp, *syms, *ps)
    try:
        return float(expr.subs({s_: sp.Rational(x) for s_, x in zip(syms, xs)}).evalf(30, maxn=2000))
    except (TypeError, ValueError):
        return None


def _close(a: float, b: float, rel: float = 1e-12) -> bool:
    if a == b:
        return True
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= rel * max(abs(a), abs(b)) or abs(a - b) < 1e-300


@pytest.mark.slow
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_and_gradients_agree_with_pytorch_float64(name):
    op = OPS[name]
    assert op.oracles.torch is not None, f"{name} has no PyTorch counterpart in its record"
    points = _points(op, seed=zlib.crc32(name.encode()))  # the same points in every run (hash() is salted)
    assert len(points) >= POINTS // 2, f"{name}: too few points in its domain"
    disagreements = []
    for xs, ps, out in points:
        t_out, t_grads = _torch_eval(op, xs, ps)
        if not _close(out, t_out, 1e-14):  # PyTorch's value may be the one that lost digits (gelu's tail)
            truth = _truth_value(op, xs, ps)
            assert truth is not None and _close(out, truth, 1e-12), (name, xs, ps, out, t_out, truth)
        try:
            ours = op.local(scalar, out, xs, ps)
        except (ArithmeticError, ValueError):
            ours = None  # gradtrace refuses the point (e.g. 0^0.5's infinite slope): so must PyTorch's be
        if ours is None or not all(math.isfinite(g) for g in ours):
            assert not all(math.isfinite(g) for g in t_grads), (name, xs, ps, ours, t_grads)
            continue
        kink = op.maths.kink is not None and bool(op.maths.kink[0](scalar, out, xs, *ps) if op.variadic
                                            else op.maths.kink[0](scalar, out, *xs, *ps))
        for slot, (g, tg) in enumerate(zip(ours, t_grads)):
            if _close(g, tg):
                continue
            if kink or any(x == 0 for x in xs):
                disagreements.append((xs, ps, slot, g, tg, "kink"))  # conventions must match exactly
                continue
            truth = _truth(op, xs, ps, slot)
            if truth is None or not _close(g, truth, 1e-11):
                disagreements.append((xs, ps, slot, g, tg, truth))
    assert not disagreements, f"{name}: {len(disagreements)} points, e.g. {disagreements[:3]}"


@pytest.mark.parametrize("program, x, expected", [
    ("elu(x)", -40.0, math.exp(-40)),
    ("elu(x)", -24.0, math.exp(-24)),
    ("sigmoid(x)", 40.0, math.exp(-40) / (1 + math.exp(-40)) ** 2),
    ("tanh(x)", 20.0, 4 * math.exp(-40) / (1 + math.exp(-40)) ** 2),
])
def test_far_tails_keep_full_precision(program, x, expected):
    import gradtrace

    assert gradtrace.trace(program, x=x).gradients["x"] == pytest.approx(expected, rel=1e-14)
