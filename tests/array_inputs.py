"""Random inputs for every array op of the table, by op name: draw(name, rng, k) -> (inputs,
parameters). The PyTorch oracle (tests/test_torch_oracle.py) and the layers' formula text
(tests/test_formula_text.py) read the same draws. Shapes are small and odd (a batch of one, one
feature, sizes 1, 3, 5, 7); the normalization layers get the columns that make them hard: nearly
constant ones, exactly constant ones, a large mean with a tiny spread, gamma near 0, and an eps
that is larger than the variance, so that it decides the result; the window ops get every stride
and pad, overlapping windows and, for pooling, ties; the reductions an axis or none, reshape a
shape of the same size (with -1 or not), and a subscript integers and slices on some axes."""

from __future__ import annotations

import numpy as np

SIZES = (1, 2, 3, 5, 7)


def _size(rng, sizes=SIZES) -> int:
    return int(rng.choice(sizes))


def _labels(rng, scores) -> np.ndarray:
    rows = 1 if scores.ndim == 1 else scores.shape[0]
    return rng.integers(0, scores.shape[-1], size=rows).astype(float)


def _hard_columns(rng, x: np.ndarray, axis: int) -> np.ndarray:
    """x with some of its slices along `axis` (a feature's column, a layer's row: what one mean and
    variance are taken over) made hard: nearly constant, exactly constant, or far from 0 with a tiny
    spread (its mean cancels most digits of x - μ)."""
    x = x.copy()
    for f in range(x.shape[axis]):
        kind = rng.random()
        index = [slice(None)] * x.ndim
        index[axis] = f
        column = x[tuple(index)]
        if kind < 0.2:
            x[tuple(index)] = rng.normal() + 1e-6 * column      # nearly constant: var ~ 1e-12, far below eps
        elif kind < 0.3:
            x[tuple(index)] = rng.normal()                        # constant: var 0, only eps keeps σ > 0
        elif kind < 0.4:
            x[tuple(index)] = 300.0 + 1e-3 * column               # var ~ 1e-6, about eps: eps matters
        elif kind < 0.5:
            x[tuple(index)] = 1e4 * column                        # large values
    return x


def _gamma_beta(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    gamma = rng.normal(size=n)
    if rng.random() < 0.2:
        gamma[int(rng.integers(n))] = 1e-9 * rng.normal()       # gamma near 0
    return gamma, rng.normal(size=n)


def _eps(rng) -> tuple[float]:
    return (float(rng.choice([1e-5, 1e-5, 1e-3, 0.1, 1e-8])),)


def _window_side(rng, window: int, stride: int, pad: int) -> int:
    """An image side that the windows tile exactly: 1 + (side + 2·pad − window)/stride windows."""
    side = (int(rng.integers(1, 5)) - 1) * stride + window - 2 * pad
    while side < 1:  # padding wider than what the windows need of the input
        side += stride
    return side


def _windowed(name: str, rng: np.random.Generator, n: int, k: int):
    """conv2d's or maxpool2d's inputs and parameters: every stride 1..3, pad 0..2 below the filters'
    size, windows that tile the (padded) input exactly, as the op requires, and windows that
    overlap (stride < size). Every fourth draw of pooling has small integers, whose windows tie."""
    c, stride = _size(rng, (1, 2, 3)), int(rng.integers(1, 4))
    if name == "conv2d":
        f, hh, ww = _size(rng, (1, 2, 3, 5)), _size(rng, (1, 2, 3, 5)), _size(rng, (1, 2, 3, 5))
        pad = int(rng.integers(0, min(hh, ww, 3)))
        x = rng.normal(size=(n, c, _window_side(rng, hh, stride, pad), _window_side(rng, ww, stride, pad)))
        return (x, rng.normal(size=(f, c, hh, ww)), rng.normal(size=f)), (float(stride), float(pad))
    size = _size(rng, (1, 2, 3))
    shape = (n, c, _window_side(rng, size, stride, 0), _window_side(rng, size, stride, 0))
    x = rng.integers(-2, 3, size=shape).astype(float) if k % 4 == 0 else rng.normal(size=shape)
    return (x,), (float(size), float(stride))


def _new_shape(rng, size: int) -> tuple[int, ...]:
    """Another shape of `size` elements, as reshape takes it: its sizes split `size`'s factors
    among 1 to 3 axes (a size 1 among them now and then), and one of them is -1 every other draw."""
    factors, rest = [], size
    for f in (2, 3, 5, 7):  # the sizes drawn are products of these
        while rest % f == 0:
            factors.append(f)
            rest //= f
    axes = int(rng.integers(1, 4))
    shape = [1] * axes
    for f in factors:
        shape[int(rng.integers(axes))] *= f
    if rng.random() < 0.5:
        shape[int(rng.integers(axes))] = -1
    return tuple(shape)


def _subscript(rng, shape: tuple[int, ...]) -> tuple:
    """An index for an array of `shape`, as x[...] writes it: per axis (for some of the first
    axes), an integer (negative or not) or a (start, stop, step) slice, each part an integer or
    None, the step negative now and then; every slice picks at least one element."""
    index: list = []
    for n in shape[:int(rng.integers(1, len(shape) + 1))]:
        if rng.random() < 0.4:
            index.append(int(rng.integers(-n, n)))
            continue
        while True:
            step = None if rng.random() < 0.5 else int(rng.choice([-2, -1, 1, 2, 3]))
            start, stop = (None if rng.random() < 0.4 else int(rng.integers(-n - 1, n + 1)) for _ in range(2))
            if range(n)[slice(start, stop, step)]:
                index.append((start, stop, step))
                break
    return tuple(index)


def draw(name: str, rng: np.random.Generator, k: int) -> tuple[tuple[np.ndarray, ...], tuple[float, ...]]:
    """The k-th inputs and parameters for the op `name` (k varies the kind of shape)."""
    n = (_size(rng, (1, 2, 3, 5)) if k % 3 else 1)  # a batch of one every third draw
    if name == "affine":
        extra = tuple(_size(rng, (1, 2, 3)) for _ in range(int(rng.integers(1, 4))))
        x = rng.normal(size=(n, *extra))
        m = _size(rng)
        return (x, rng.normal(size=(int(np.prod(extra)), m)), rng.normal(size=m)), ()
    if name in ("batchnorm", "layernorm"):
        d = _size(rng)
        x = _hard_columns(rng, rng.normal(size=(n, d)), 1 if name == "batchnorm" else 0)
        return (x, *_gamma_beta(rng, d)), _eps(rng)
    if name == "spatial_batchnorm":
        c = _size(rng, (1, 2, 3))
        x = rng.normal(size=(n, c, _size(rng, (1, 2, 3)), _size(rng, (1, 2, 3))))
        return (_hard_columns(rng, x, 1), *_gamma_beta(rng, c)), _eps(rng)
    if name == "dropout":
        shape = tuple(_size(rng) for _ in range(int(rng.integers(1, 4))))
        keep = float(rng.choice([0.2, 0.5, 0.9, 1.0]))
        mask = (rng.random(shape) < keep).astype(float)
        return (rng.normal(size=shape), mask), (keep,)
    if name in ("conv2d", "maxpool2d"):
        return _windowed(name, rng, n, k)
    # the array ops before the layers
    if name in ("matmul", "cdot"):
        a, b, c = _size(rng), _size(rng), _size(rng)
        shapes = [((a,), (a,)), ((b, a), (a,)), ((a,), (a, c)), ((b, a), (a, c)), ((2, b, a), (a, c))][k % 5]
        if name == "cdot" and k % 7 == 6:
            shapes = ((), (b, a))  # a number times an array
        return tuple(rng.normal(size=s) for s in shapes), ()
    if name == "dot":
        a = _size(rng)
        return (rng.normal(size=a), rng.normal(size=a)), ()
    if name in ("sum", "mean", "norm", "transpose", "softmax", "log_softmax", "reshape", "index"):
        shape = tuple(_size(rng) for _ in range(int(rng.integers(1, 4))))
        x = rng.normal(size=shape) * float(rng.choice([1.0, 30.0]))
        if name in ("sum", "mean"):  # every axis every third draw, else one, negative or not
            return (x,), (None if k % 3 == 0 else int(rng.integers(-x.ndim, x.ndim)),)
        if name == "reshape":
            return (x,), (_new_shape(rng, x.size),)
        if name == "index":
            return (x,), (_subscript(rng, shape),)
        return (x,), ()
    if name in ("cross_entropy", "svm_loss"):
        c = _size(rng)
        scores = rng.normal(size=(n, c) if k % 4 else (c,))
        return (scores, _labels(rng, scores)), ()
    raise KeyError(f"no inputs are drawn for the array op {name}: add them to tests/array_inputs.py")
