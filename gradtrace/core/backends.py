"""The backends the op table's rules run on: Python floats here, numpy arrays in numpy_backend.py.

A rule takes a backend `xp` and calls only the names in `Backend`. Each backend gives every math
function of its library by name (scalar: the math module; numpy: numpy), plus the few helpers
below that the two libraries spell differently, so a new op whose rule uses, say, xp.atan or
xp.log1p needs no backend change. tests/test_ops.py checks that both backends answer every name
any record uses.
"""

from __future__ import annotations

import math
from typing import Any, Protocol


class Backend(Protocol):
    """What a rule may call on xp."""

    def exp(self, x: Any) -> Any: ...
    def expm1(self, x: Any) -> Any: ...
    def log(self, x: Any) -> Any: ...
    def log1p(self, x: Any) -> Any: ...
    def sqrt(self, x: Any) -> Any: ...
    def sin(self, x: Any) -> Any: ...
    def cos(self, x: Any) -> Any: ...
    def tan(self, x: Any) -> Any: ...
    def tanh(self, x: Any) -> Any: ...
    def sinh(self, x: Any) -> Any: ...
    def cosh(self, x: Any) -> Any: ...
    def log2(self, x: Any) -> Any: ...
    def log10(self, x: Any) -> Any: ...
    def erf(self, x: Any) -> Any: ...
    def erfc(self, x: Any) -> Any: ...
    def atan(self, x: Any) -> Any: ...
    def pow(self, x: Any, y: Any) -> Any: ...
    def sigmoid(self, x: Any) -> Any: ...
    def where(self, condition: Any, a: Any, b: Any) -> Any: ...
    def sign(self, x: Any) -> Any: ...
    def maximum(self, a: Any, b: Any) -> Any: ...
    def minimum(self, a: Any, b: Any) -> Any: ...
    def all(self, condition: Any) -> bool: ...
    def any(self, condition: Any) -> bool: ...
    def is_integer(self, x: Any) -> bool: ...
    def key(self, x: Any) -> Any: ...
    def count_true(self, masks: list[Any]) -> Any: ...
    def finite(self, x: Any) -> bool: ...


BACKEND_NAMES = frozenset(name for name in vars(Backend) if not name.startswith("_"))


class _Scalar:
    """The backend for Python floats: the math module, plus the helpers numpy spells its own way."""

    def __getattr__(self, name: str) -> Any:
        return getattr(math, name)

    @staticmethod
    def sigmoid(x: float) -> float:
        # Two branches so that neither exp(-x) nor exp(x) can overflow.
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        z = math.exp(x)
        return z / (1.0 + z)

    @staticmethod
    def where(condition: bool, a: float, b: float) -> float:
        return a if condition else b

    @staticmethod
    def sign(x: float) -> float:
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return a if a >= b else b

    @staticmethod
    def minimum(a: float, b: float) -> float:
        return a if a <= b else b

    @staticmethod
    def all(condition: bool) -> bool:
        return bool(condition)

    @staticmethod
    def any(condition: bool) -> bool:
        return bool(condition)

    @staticmethod
    def is_integer(x: float) -> bool:
        return float(x).is_integer()

    @staticmethod
    def key(x: Any) -> Any:
        """A hashable stand-in for a value, to compare branches (numpy: the array's bytes)."""
        return x

    @staticmethod
    def count_true(masks: list[Any]) -> int:
        return sum(bool(m) for m in masks)

    @staticmethod
    def finite(x: float) -> bool:
        return math.isfinite(x)

    def __repr__(self) -> str:
        return "<backend scalar>"


scalar = _Scalar()
