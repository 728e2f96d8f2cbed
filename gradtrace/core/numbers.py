"""Numbers as text, one way for every floor. A NumberFormat says how numbers are shown, in
significant digits (--precision) or fixed decimals (--decimals); a front end builds one and hands
it to every renderer, the quiz and the grader. Its methods write one number, any value (arrays in
full or summarised, sympy's expressions in the lecture's notation), signed sums, and the pieces of
a local-gradient cell, so a value reads the same wherever it is shown."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

SMALL = 16  # arrays up to this many elements are shown in full
MAX_DIGITS = 17  # a float64 has no more significant digits to show


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """How numbers are shown: `digits` significant digits (-12, 0.7311, 1.368, 1e-20), or, when
    `decimals` is set, that many decimals (--decimals 2: 1.37, -0.53, 0.20, as the slides write
    numbers). Answers are graded to the numbers shown, so the grader reads both."""

    digits: int = 4
    decimals: int | None = None

    @classmethod
    def of(cls, numbers: NumberFormat | int) -> NumberFormat:
        """A format as given, or an int as that many significant digits (--precision's number)."""
        return numbers if isinstance(numbers, NumberFormat) else cls(digits=numbers)

    def more(self, extra: int) -> NumberFormat:
        """The same kind of format with `extra` more digits (or decimals)."""
        if self.decimals is not None:
            return replace(self, decimals=self.decimals + extra)
        return replace(self, digits=min(MAX_DIGITS, self.digits + extra))

    def number(self, value: float) -> str:
        """One float. A nonzero number too small for the decimals keeps its digits (1e-20, never
        0.00, which would read as a true zero)."""
        if self.decimals is None:
            return format(value, f".{self.digits}g")
        text = format(value, f".{self.decimals}f")
        if value == 0:
            return text.removeprefix("-")  # no -0.00
        if text.strip("-0."):  # a nonzero digit shows (0.5 at 0 decimals is 0, rounding to even)
            return text
        return format(value, f".{max(self.decimals, 1)}g")

    def text(self, value: Any) -> str:
        """Any value: a number (-12, 0.7311, 1.368, 1e-20); an array in full when small, as its
        shape and summary when large; an exact or symbolic value in the lecture's notation (an
        exact number with its approximation: 1/3 ≈ 0.3333); None (no gradient) as a dash."""
        if value is None:
            return "—"
        if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
            return self.array(value)
        if isinstance(value, (int, float)):
            if value == 0:
                return "0"  # no "-0"
            if math.isnan(value):
                return "nan"
            if math.isinf(value):
                return "inf" if value > 0 else "-inf"
            return self.number(value)
        text = lecture_notation(expr_text(value))
        if getattr(value, "is_number", False):  # an exact sympy number: 1/3 ≈ 0.3333
            try:
                approx = self.text(float(value))
            except (TypeError, ValueError):
                return text
            return text if text == approx else f"{text} ≈ {approx}"
        return text

    def array(self, value: Any, full: bool = False, shape: bool = True) -> str:
        """A small array in full; a large one as its shape (unless shape=False) and summary statistics."""
        import numpy as np

        array = np.asarray(value)
        if array.size <= SMALL or full:
            def number(v: float) -> str:
                return "0" if v == 0 else self.number(v)

            text = np.array2string(array, separator=", ", max_line_width=10**6, threshold=10**9,
                                   formatter={"float_kind": number})  # type: ignore[arg-type]
            return " ".join(text.split())
        head = f"shape {_shape_text(array.shape)}: " if shape else ""
        stats = (array.min(), array.mean(), array.max(), np.sqrt(np.vdot(array, array)))
        names = ("min", "mean", "max", "norm")
        return head + ", ".join(f"{name} {self.number(float(v))}" for name, v in zip(names, stats))

    def signed_sum(self, values: list[Any]) -> str:
        """Terms of a sum as a person writes them: 2 + 3 - 0.5."""
        return sum_text([self.text(v) for v in values])

    def plain(self, value: Any) -> str:
        """A number inside arithmetic: a whole number as one (e^-1, 2 · (-3)), others as text() shows them."""
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return self.text(value)

    def substituted(self, row: Any) -> str:
        """A gate's expression with its inputs' values put in: t1 = w0 * x0 -> 2 · (-1)."""
        with_values = row.expr_with(lambda n: parenthesized(self.plain(n.value)))
        times = " ⊙ " if row.value is not None and _size(row.value) > 1 else " · "  # elementwise on arrays
        return DOUBLE_PARENS.sub(r"\1\2", with_values.replace(" * ", times))  # exp((-1)) -> exp(-1)

    def local_parts(self, row: Any, slot: int, show: Any = None) -> tuple[str, str, str | None, str]:
        """The local-gradient cell "∂t1/∂x = z = -4" in its pieces, built here for every renderer:
        (the node, the input, the formula or None where it would only repeat the value, the value,
        written by show, text() unless given)."""
        value = (show or self.text)(row.local[slot])
        formula = row.formulas[slot]
        return row.name, row.inputs[slot], (None if formula == value or same_number(formula, value) else formula), value


DEFAULT = NumberFormat()  # 4 significant digits, as the table shows numbers unless told otherwise
MESSAGES = NumberFormat(digits=6)  # numbers inside error messages: log needs x > 0, got -0.5


def Decimals(places: int) -> NumberFormat:  # named as the option it stands for
    """The format of --decimals N: that many decimals instead of significant digits."""
    return NumberFormat(decimals=places)


def fmt(value: Any, numbers: NumberFormat | int = DEFAULT) -> str:
    """A value as `numbers` shows it (an int: that many significant digits), for a caller without a
    format of its own: a script, a test. fmt(v) is DEFAULT.text(v)."""
    return NumberFormat.of(numbers).text(value)


def sum_text(terms: list[str]) -> str:
    """Terms already written as text, joined as a person writes a sum: 2 + 3 - 0.5."""
    text = terms[0]
    for s in terms[1:]:
        text += f" - {s[1:]}" if s.startswith("-") else f" + {s}"
    return text


_POWER = re.compile(r"\*\*([0-9])(?![0-9.])")
_SUPERSCRIPT = dict(zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def expr_text(value: Any) -> str:
    """A symbolic or exact value as text; sympy's E is written e, as on the slides."""
    text = str(value)
    if "E" in text and not any(str(s) == "E" for s in getattr(value, "free_symbols", ())):
        text = re.sub(r"\bE\b", "e", text)
    return text


def lecture_notation(text: str) -> str:
    """sympy's text as the slides write math, in names gradtrace reads back: t6**2 -> t6²,
    x**y -> x^y, 2*x -> 2·x, Max(x, y) -> max(x, y), Heaviside(x) -> heaviside(x)."""
    text = gradtrace_names(text)
    text = _POWER.sub(lambda m: _SUPERSCRIPT[m.group(1)], text)
    return text.replace("**", "^").replace("*", "·")


def _shape_text(shape: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


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


DOUBLE_PARENS = re.compile(r"([(,]\s?)\((-[^()]*)\)(?=[,)])")  # f((-1), (-3)) -> f(-1, -3)


def parenthesized(text: str) -> str:
    return f"({text})" if text.startswith("-") and " " not in text else text


def _size(value: Any) -> int:
    return int(getattr(value, "size", 1))
