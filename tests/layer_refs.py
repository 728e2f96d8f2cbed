"""Reference layers for the diagnosis tests: numpy backward passes written as the course writes
them (staged, one line per step), each able to make one typical mistake on request, and op records
for layers this branch may not have yet (batchnorm, a layernorm, a 1-D maxpool), registered for
one test at a time with `ops_for_test`.

The op records follow the documented formulas (batchnorm in training mode: x̂ = (x − μ)/√(var +
eps) over the batch axis, out = γ·x̂ + β). Where the op table already has one of these names, the
table's own record is used and nothing is registered."""

from __future__ import annotations

import numpy as np

from gradtrace.core import ops as ops_module
from gradtrace.core.ops import Maths, Op, Syntax, Text


def _norm(axis):
    def fn(xp, x, gamma, beta, eps):
        np_ = xp.np
        centred = x - np_.mean(x, axis=axis, keepdims=True)
        sigma = np_.sqrt(np_.mean(centred * centred, axis=axis, keepdims=True) + eps)
        return gamma * centred / sigma + beta

    def vjp(xp, up, out, x, gamma, beta, eps):
        np_ = xp.np
        centred = x - np_.mean(x, axis=axis, keepdims=True)
        sigma = np_.sqrt(np_.mean(centred * centred, axis=axis, keepdims=True) + eps)
        xhat = centred / sigma
        g = up * gamma
        m = x.shape[axis]
        dx = (m * g - g.sum(axis=axis, keepdims=True) - xhat * (g * xhat).sum(axis=axis, keepdims=True)) / (m * sigma)
        return dx, (up * xhat).sum(axis=0), up.sum(axis=0)
    return fn, vjp


def _maxpool1d(xp, x):
    return xp.np.maximum(x[..., 0::2], x[..., 1::2])


def _maxpool1d_vjp(xp, up, out, x):
    np_ = xp.np
    dx = np_.zeros_like(np_.asarray(x, dtype=float))
    first = x[..., 0::2] >= x[..., 1::2]
    dx[..., 0::2] = up * first
    dx[..., 1::2] = up * ~first
    return (dx,)


_BN, _LN = _norm(0), _norm(1)
TEST_OPS = {
    "batchnorm": Op("batchnorm", 3, Maths(_BN[0], None, vjp=_BN[1], params=(("eps", 1e-5),)), Syntax(callable=True),
                    Text(("dx", "dgamma", "dbeta"), label="BN")),
    "rownorm": Op("rownorm", 3, Maths(_LN[0], None, vjp=_LN[1], params=(("eps", 1e-5),)), Syntax(callable=True),
                  Text(("dx", "dgamma", "dbeta"), label="LN")),
    "pairmax": Op("pairmax", 1, Maths(_maxpool1d, None, vjp=_maxpool1d_vjp), Syntax(callable=True),
                  Text(("[x is max of its pair]",), label="pool", pattern="router")),
}


def ops_for_test(monkeypatch, *names):
    """Make these ops callable for one test: the table's own record when it has one, else ours."""
    for name in names:
        if name in ops_module.OPS:
            continue
        monkeypatch.setitem(ops_module.OPS, name, TEST_OPS[name])
        monkeypatch.setitem(ops_module.FUNCTIONS, name, TEST_OPS[name])


# ---- reference backward passes, each with its mistakes ------------------------------------------

def affine_relu(x, W, b, dout, mistake=None):
    """relu(x @ W + b): the course's affine_relu_backward, staged."""
    h = x @ W + b
    dh = dout * (h > 0)
    if mistake == "local_relu":
        dh = 1.0 * (h > 0)
    if mistake == "inverted_mask":
        dh = dout * (h <= 0)
    if mistake == "ones":
        dh = np.ones_like(dout) * (h > 0)
    dW, db, dx = x.T @ dh, dh.sum(axis=0), dh @ W.T
    if mistake == "transposed":
        dW = dW.T
    if mistake == "sign":
        dW = -dW
    if mistake == "extra_n":
        dW = dW / x.shape[0]
    if mistake == "factor":
        dW = 2.5 * dW
    if mistake == "not_summed":
        db = dh
    if mistake == "wrong_axis":
        db = dh.sum(axis=1)
    if mistake == "keepdims":
        db = dh.sum(axis=0, keepdims=True)
    return {"x": dx, "W": dW, "b": db}


def softmax_ce(x, W, y, mistake=None):
    """cross_entropy(x @ W, y), averaged over the N rows."""
    n = x.shape[0]
    s = x @ W
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n), y.astype(int)] -= 1
    ds = p / n
    if mistake == "missing_n":
        ds = p
    if mistake == "sign":
        ds = -ds
    return {"W": x.T @ ds, "x": ds @ W.T}


def sigmoid_layer(x, W, U, mistake=None):
    """sum(sigmoid(x @ W) * U): U the upstream that reaches the sigmoid."""
    s = 1 / (1 + np.exp(-(x @ W)))
    ds = U * s * (1 - s)
    if mistake == "local_sigmoid":
        ds = s * (1 - s)
    return {"W": x.T @ ds}


def max_layer(x, y, U, mistake=None):
    """sum(max(x, y) * U), no ties."""
    win = x > y
    dx, dy = U * win, U * ~win
    if mistake == "losers":
        dx, dy = U * ~win, U * win
    if mistake == "split":
        dx, dy = U / 2, U / 2
    if mistake == "copied":
        dx, dy = U, U
    return {"x": dx, "y": dy}


def swish_fork(x, U, mistake=None):
    """sum(x * sigmoid(x) * U): x is used twice, a copy gate."""
    s = 1 / (1 + np.exp(-x))
    through_product, through_sigmoid = U * s, U * x * s * (1 - s)
    if mistake == "one_branch":
        return {"x": through_product}
    return {"x": through_product + through_sigmoid}


def square_tanh(W, v, U, mistake=None):
    """sum(tanh(W @ v) * U) with W square."""
    h = np.tanh(W @ v)
    dz = U * (1 - h * h)
    dv = (W if mistake == "W_not_transposed" else W.T) @ dz
    return {"v": dv, "W": np.outer(dz, v)}


def norm_backward(dout, x, gamma, eps=1e-5, axis=0, leave_out=()):
    """The course's staged batchnorm_backward (axis 0; axis 1 is a layernorm), with the mean's or
    the variance's path left out on request."""
    m = x.shape[axis]
    mu = x.mean(axis=axis, keepdims=True)
    xmu = x - mu
    var = (xmu ** 2).mean(axis=axis, keepdims=True)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1 / sqrtvar
    dxhat = dout * gamma
    divar = (dxhat * xmu).sum(axis=axis, keepdims=True)
    dxmu1 = dxhat * ivar
    dsqrtvar = -divar / sqrtvar ** 2
    dvar = 0.5 * dsqrtvar / sqrtvar
    dxmu2 = 2 * xmu * np.ones_like(x) * dvar / m
    if "variance" in leave_out:
        dxmu2 = 0 * dxmu2
    dx1 = dxmu1 + dxmu2
    dmu = -dx1.sum(axis=axis, keepdims=True)
    dx2 = np.ones_like(x) * dmu / m
    if "mean" in leave_out:
        dx2 = 0 * dx2
    return dx1 + dx2


def pairmax_layer(x, U, mistake=None):
    """sum(pairmax(x) * U): each pair's upstream to its larger element."""
    first = x[..., 0::2] > x[..., 1::2]
    dx = np.zeros_like(x)
    if mistake == "split":
        dx[..., 0::2], dx[..., 1::2] = U / 2, U / 2
    elif mistake == "first":
        dx[..., 0::2] = U
    elif mistake == "copied":
        dx[..., 0::2], dx[..., 1::2] = U, U
    else:
        dx[..., 0::2], dx[..., 1::2] = U * first, U * ~first
    return {"x": dx}
