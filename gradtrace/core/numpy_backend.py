"""The op table's backend for numpy arrays (imported only when a value is an array or the program
uses an array op), and the array helpers the engine needs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class _Numpy:
    """numpy itself, plus the helpers the scalar backend has too (backends.py)."""

    np = np

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)

    @staticmethod
    def sigmoid(x: Any) -> Any:
        z = np.exp(-np.abs(x))  # never overflows
        return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))

    # numpy has no erf or erfc (scipy does, and is not a dependency): the math module's, element by element.
    erf = staticmethod(np.vectorize(math.erf, otypes=[float]))
    erfc = staticmethod(np.vectorize(math.erfc, otypes=[float]))

    @staticmethod
    def is_integer(x: Any) -> bool:
        return bool(np.all(np.mod(x, 1) == 0))

    @staticmethod
    def key(x: Any) -> Any:
        return np.asarray(x).tobytes()

    @staticmethod
    def count_true(masks: list[Any]) -> Any:
        count = np.zeros(np.broadcast_shapes(*(np.shape(m) for m in masks)), dtype=np.int8)
        for m in masks:
            count += m
        return count

    @staticmethod
    def finite(x: Any) -> bool:
        return bool(np.all(np.isfinite(x)))

    def __repr__(self) -> str:
        return "<backend numpy>"


numpy_backend = _Numpy()


def shape_of(value: Any) -> tuple[Any, ...]:
    return tuple(np.shape(value))


def unbroadcast(grad: Any, shape: tuple[Any, ...]) -> Any:
    """Sum a gradient over the axes broadcasting added, so it has its input's shape again."""
    if grad is None or np.shape(grad) == shape:
        return grad
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad if shape else float(grad)


def summed_axes(before: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes unbroadcast sums a gradient of shape `before` over to give it `shape`, numbered as
    in `before`: the leading axes broadcasting added, then those where the input has size 1."""
    lead = len(before) - len(shape)
    return (*range(lead), *(lead + axis for axis, n in enumerate(shape) if n == 1 and before[lead + axis] != 1))


def first_bad(condition: Any) -> tuple[Any, ...] | None:
    """The index of the first element where an elementwise condition fails."""
    bad = np.argwhere(~np.asarray(condition, dtype=bool))
    return tuple(int(i) for i in bad[0]) if len(bad) else None
