"""Numbers as text, one way for every floor: significant digits or fixed decimals (Decimals), signed
sums, arrays in full or summarised, sympy's expressions in the lecture's notation, and the pieces
of a local-gradient cell. Renderers, the quiz, the grader and the error messages all write numbers
through this module, so a value reads the same wherever it is shown."""

from __future__ import annotations

import math
import re
from typing import Any

from .trace import NodeTrace, expr_text

SMALL = 16  # arrays up to this many elements are shown in full


class Decimals(int):
    """A precision that means fixed decimals (--decimals 2: 1.37, -0.53, 0.20, as the slides write
    numbers) instead of significant digits. It is an int, so it goes wherever a precision goes."""


def number_text(value: float, precision: int) -> str:
    """One float: `precision` significant digits, or fixed decimals for a Decimals precision. A
    nonzero number too small for its decimals keeps its digits (1e-20, never 0.00, which would
    read as a true zero)."""
    if isinstance(precision, Decimals):
        text = format(value, f".{int(precision)}f")
        if value == 0:
            return text.removeprefix("-")  # no -0.00
        if text.strip("-0."):  # a nonzero digit shows (0.5 at 0 decimals is 0, rounding to even)
            return text
        return format(value, f".{max(int(precision), 1)}g")
    return format(value, f".{precision}g")


def fmt(value: Any, precision: int = 4) -> str:
    """A number with `precision` significant digits: -12, 0.7311, 1.368, 1e-20; an array in full
    when small, as its shape and summary when large; None (no gradient) as a dash."""
    if value is None:
        return "—"
    if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
        return describe(value, precision)
    if isinstance(value, (int, float)):
        if value == 0:
            return "0"  # no "-0"
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return number_text(value, precision)
    text = lecture_notation(expr_text(value))
    if getattr(value, "is_number", False):  # an exact sympy number: 1/3 ≈ 0.3333
        try:
            approx = fmt(float(value), precision)
        except (TypeError, ValueError):
            return text
        return text if text == approx else f"{text} ≈ {approx}"
    return text


_POWER = re.compile(r"\*\*([0-9])(?![0-9.])")
_SUPERSCRIPT = dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def lecture_notation(text: str) -> str:
    """sympy's text as the slides write math, in names gradtrace reads back: t6**2 -> t6²,
    x**y -> x^y, 2*x -> 2·x, Max(x, y) -> max(x, y), Heaviside(x) -> heaviside(x)."""
    text = gradtrace_names(text)
    text = _POWER.sub(lambda m: _SUPERSCRIPT[m.group(1)], text)
    return text.replace("**", "^").replace("*", "·")


def signed_sum(values: list[Any], precision: int = 4) -> str:
    """Terms of a sum as a person writes them: 2 + 3 - 0.5."""
    text = fmt(values[0], precision)
    for v in values[1:]:
        s = fmt(v, precision)
        text += f" - {s[1:]}" if s.startswith("-") else f" + {s}"
    return text



def describe(value: Any, precision: int = 4, full: bool = False, shape: bool = True) -> str:
    """A small array in full; a large one as its shape (unless shape=False) and summary statistics."""
    import numpy as np

    array = np.asarray(value)
    if array.size <= SMALL or full:
        def number(v: float) -> str:
            return "0" if v == 0 else number_text(v, precision)

        text = np.array2string(array, separator=", ", max_line_width=10**6, threshold=10**9,
                               formatter={"float_kind": number})  # type: ignore[arg-type]
        return " ".join(text.split())
    head = f"shape {_shape_text(array.shape)}: " if shape else ""
    stats = (array.min(), array.mean(), array.max(), np.sqrt(np.vdot(array, array)))
    names = ("min", "mean", "max", "norm")
    return head + ", ".join(f"{name} {number_text(float(v), precision)}" for name, v in zip(names, stats))


def _shape_text(shape: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"



def local_parts(row: Any, slot: int, precision: int = 4,
                show: Any = None) -> tuple[str, str, str | None, str]:
    """The local-gradient cell "∂t1/∂x = z = -4" in its pieces, built here for every renderer:
    (the node, the input, the formula or None where it would only repeat the value, the value)."""
    value = (show or (lambda v: fmt(v, precision)))(row.local[slot])
    formula = row.formulas[slot]
    return row.name, row.inputs[slot], (None if formula == value or same_number(formula, value) else formula), value


def same_number(a: str, b: str) -> bool:
    """'1' and '1.00', '-1' and '-1.0': one number, which the cell need not write twice."""
    try:
        return float(a) == float(b)
    except ValueError:
        return False



# The functions sympy spells with a capital (Max(x, y), Heaviside(t1)), as --json's symbolic texts and
# sympy users write them: read back as gradtrace's own names, so a printed true value passes typed back.
SYMPY_NAMES = re.compile(r"\b(Max|Min|Abs|Heaviside)\(")


def gradtrace_names(text: str) -> str:
    """Max(x, y) -> max(x, y), Heaviside(x) -> heaviside(x): sympy's spellings of the op table's functions."""
    return SYMPY_NAMES.sub(lambda m: m.group(1).lower() + "(", text)



def substituted(row: NodeTrace, precision: int = 4) -> str:
    """A gate's expression with its inputs' values put in: t1 = w0 * x0 -> 2 · (-1)."""
    with_values = row.expr_with(lambda n: parenthesized(plain(n.value, precision)))
    times = " ⊙ " if row.value is not None and _size(row.value) > 1 else " · "  # elementwise on arrays
    return DOUBLE_PARENS.sub(r"\1\2", with_values.replace(" * ", times))  # exp((-1)) -> exp(-1)


DOUBLE_PARENS = re.compile(r"([(,]\s?)\((-[^()]*)\)(?=[,)])")  # f((-1), (-3)) -> f(-1, -3)


def plain(value: Any, precision: int) -> str:
    """A number inside arithmetic: a whole number as one (e^-1, 2 · (-3)), others as fmt shows them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return fmt(value, precision)


def parenthesized(text: str) -> str:
    return f"({text})" if text.startswith("-") and " " not in text else text




def _size(value: Any) -> int:
    return int(getattr(value, "size", 1))
