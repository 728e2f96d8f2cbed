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


# ---- array ops: values and vector-Jacobian products against PyTorch float64 ---------------------
# Every array op of the table (the course's layers included), on random small and odd shapes drawn
# by tests/array_inputs.py: a batch of one, one feature, nearly constant columns, an eps larger
# than the variance. The upstream gradient is random, so the whole vector-Jacobian product is
# compared, not only its sum. Inputs the op sends no gradient to (class labels, dropout's mask)
# get none from PyTorch either: they are not differentiated there.

ARRAY_OPS = sorted(name for name, op in OPS.items() if op.arrays_only)
ARRAY_POINTS = int(os.environ.get("GRADTRACE_TORCH_POINTS", "2000")) // 20  # 100 by default


def _same(ours, theirs, rel: float = 1e-9) -> bool:
    """Equal to rel, relative to each array's largest element: x - μ of a nearly constant column
    loses the same digits in both libraries, but not necessarily the same last ones."""
    import numpy as np

    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    return ours.shape == theirs.shape and bool(np.all(np.abs(ours - theirs) <= rel * (np.abs(theirs) + scale)))


def _array_case(op, xs, ps, rng):
    """The upstream gradient (random), and (ours, PyTorch's): the value and the downstream gradient
    of each input."""
    import numpy as np

    from gradtrace.core.numpy_backend import numpy_backend, unbroadcast

    out = op.apply(numpy_backend, xs, ps)
    up = rng.normal(size=np.shape(out))
    down = [unbroadcast(d, np.shape(x)) for d, x in zip(op.maths.vjp(numpy_backend, up, out, *xs, *ps), xs)]
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=d is not None) for x, d in zip(xs, down)]
    t_out = op.oracles.torch(torch, *tensors, *ps)
    wanted = [t for t in tensors if t.requires_grad]
    t_grads = iter(torch.autograd.grad((t_out * torch.tensor(up)).sum(), wanted)) if wanted else iter(())
    theirs = [None if d is None else next(t_grads).numpy() for d in down]
    return up, (out, down), (t_out.detach().numpy(), theirs)


# The normalization layers' axes: (those of the mean and variance, those gamma's and beta's
# gradients are summed over), for the 50-digit reference below.
NORMS = {"batchnorm": ((0,), (0,)), "spatial_batchnorm": ((0, 2, 3), (0, 2, 3)), "layernorm": ((1,), (0,))}


def _exact_norm(name, xs, ps, up):
    """A normalization layer's value and downstream gradients in 50-digit arithmetic (mpmath) at
    the float inputs taken exactly, as the course writes them: where gradtrace and PyTorch differ
    (x - μ of 300 ± 0.001 keeps only some digits in float64), this decides."""
    import mpmath
    import numpy as np

    stats, params = NORMS[name]
    ctx = mpmath.mp.clone()
    ctx.dps = 50
    exact = np.vectorize(ctx.mpf, otypes=[object])
    x, gamma, beta, up = (exact(np.asarray(a, dtype=float)) for a in (*xs, up))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    gamma, beta = gamma.reshape(shape), beta.reshape(shape)
    centred = x - np.mean(x, axis=stats, keepdims=True)
    sigma = np.vectorize(ctx.sqrt, otypes=[object])(np.mean(centred * centred, axis=stats, keepdims=True)
                                                    + ctx.mpf(ps[0]))
    xhat = centred / sigma
    g = up * gamma
    dx = (g - np.mean(g, axis=stats, keepdims=True) - xhat * np.mean(g * xhat, axis=stats, keepdims=True)) / sigma
    as_float = np.vectorize(float, otypes=[float])
    return as_float(gamma * xhat + beta), [as_float(dx), as_float(np.sum(up * xhat, axis=params)),
                                           as_float(np.sum(up, axis=params))]


def _array_disagreements(name, points):
    """The draws where gradtrace and PyTorch differ and gradtrace is not the one that is right, and
    how many draws the 50-digit value had to decide."""
    import array_inputs
    import numpy as np

    op = OPS[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # the same draws in every run (hash() is salted)
    wrong, decided = [], 0
    for k in range(points):
        xs, ps = array_inputs.draw(name, rng, k)
        up, (out, down), (t_out, t_down) = _array_case(op, xs, ps, rng)
        if any((g is None) != (tg is None) for g, tg in zip(down, t_down)):
            wrong.append((k, "which inputs get a gradient", [np.shape(x) for x in xs], ps))
            continue
        pairs = [(out, t_out, 1e-12)] + [(g, tg, 1e-10) for g, tg in zip(down, t_down) if g is not None]
        if all(_same(ours, theirs, rel) for ours, theirs, rel in pairs):
            continue
        if name not in NORMS:
            wrong.append((k, [np.shape(x) for x in xs], ps))
            continue
        # The two differ: the 50-digit value decides, and gradtrace must be the one that is right.
        t_value, t_grads = _exact_norm(name, xs, ps, up)
        decided += 1
        if not all(_same(ours, truth, rel) for (ours, _, rel), truth in zip(pairs, [t_value, *t_grads])):
            wrong.append((k, [np.shape(x) for x in xs], ps, "where the 50-digit value is not gradtrace's"))
    return wrong, decided


@pytest.mark.slow
@pytest.mark.parametrize("name", ARRAY_OPS)
def test_array_ops_agree_with_pytorch_float64(name):
    assert OPS[name].oracles.torch is not None, f"{name} has no PyTorch counterpart in its record"
    wrong, decided = _array_disagreements(name, ARRAY_POINTS)
    assert not wrong, f"{name}: {len(wrong)} of {ARRAY_POINTS} draws differ from PyTorch, e.g. {wrong[:3]}"
    assert decided <= ARRAY_POINTS // 4, f"{name}: {decided} of {ARRAY_POINTS} draws differ from PyTorch"


def _compact_outside(xp, up, out, x, gamma, beta, eps):
    """batchnorm's compact form, gamma outside the brackets, wrongly used for layernorm (whose gamma
    varies along the axis its statistics run over)."""
    np = xp.np
    centred = x - np.mean(x, axis=1, keepdims=True)
    sigma = np.sqrt(np.mean(centred * centred, axis=1, keepdims=True) + eps)
    xhat = centred / sigma
    dx = gamma / sigma * (up - np.mean(up, axis=1, keepdims=True) - xhat * np.mean(up * xhat, axis=1, keepdims=True))
    return dx, np.sum(up * xhat, axis=0), np.sum(up, axis=0)


_BATCHNORM_VJP = OPS["batchnorm"].maths.vjp


def _gamma_by_x(xp, up, out, x, gamma, beta, eps):
    """batchnorm's ∂/∂gamma written as the sum of upstream·x, where it is upstream·x̂."""
    dx, _, dbeta = _BATCHNORM_VJP(xp, up, out, x, gamma, beta, eps)
    return dx, xp.np.sum(up * x, axis=0), dbeta


_CONV2D_VJP = OPS["conv2d"].maths.vjp


def _conv_first_sample(xp, up, out, x, w, b, stride, pad):
    """conv2d's filter gradient taken from the batch's first image alone, not summed over all."""
    np = xp.np
    up = np.broadcast_to(up, np.shape(out))
    dx, _, db = _CONV2D_VJP(xp, up, out, x, w, b, stride, pad)
    return dx, _CONV2D_VJP(xp, up[:1], out[:1], x[:1], w, b, stride, pad)[1], db


def _pool_shares_ties(xp, up, out, x, size, stride):
    """maxpool2d's gradient shared out evenly among a window's tied maxima, where PyTorch gives it
    all to the first."""
    np = xp.np
    k, s = int(size), int(stride)
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
    top = windows == out[..., None, None]
    share = top * (np.broadcast_to(up, np.shape(out)) / top.sum(axis=(4, 5)))[..., None, None]
    dx = np.zeros(np.shape(x))
    for i in range(k):
        for j in range(k):
            dx[:, :, i:i + s * out.shape[2]:s, j:j + s * out.shape[3]:s] += share[..., i, j]
    return (dx,)


@pytest.mark.parametrize("name, wrong_vjp", [
    ("layernorm", _compact_outside),
    ("batchnorm", _gamma_by_x),
    ("dropout", lambda xp, up, out, x, mask, p: (up * mask, None)),  # the 1/p forgotten
    ("affine", lambda xp, up, out, x, w, b: (xp.np.reshape(up @ w.T, x.shape), x.reshape(len(x), -1).T @ up,
                                             xp.np.mean(up, axis=0))),  # db averaged, not summed
    ("conv2d", _conv_first_sample),
    ("maxpool2d", _pool_shares_ties),
])
def test_a_wrong_vector_jacobian_product_fails(monkeypatch, name, wrong_vjp):
    import dataclasses

    op = OPS[name]
    monkeypatch.setattr(op, "maths", dataclasses.replace(op.maths, vjp=wrong_vjp))
    wrong, _ = _array_disagreements(name, 20)
    assert wrong, f"{name}: a wrong vector-Jacobian product went unnoticed"


@pytest.mark.parametrize("name", ARRAY_OPS)
def test_every_array_op_has_inputs_drawn(name):
    """A new array op needs inputs in tests/array_inputs.py, so that the test above checks it."""
    import array_inputs
    import numpy as np

    xs, ps = array_inputs.draw(name, np.random.default_rng(0), 1)
    assert len(xs) == OPS[name].arity and len(ps) == len(OPS[name].rule_params)
