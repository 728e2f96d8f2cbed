"""Numbers and arrays as text, formatted once for every renderer: fmt (significant digits),
signed sums, array summaries and byte counts."""

from __future__ import annotations

import math
from typing import Any

from ..core.trace import expr_text

SMALL = 16           # arrays up to this many elements are shown in full
JACOBIAN_SHOWN = 64  # --jacobian prints Jacobians up to this many entries


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
        return format(value, f".{precision}g")
    text = expr_text(value)
    if getattr(value, "is_number", False):  # an exact sympy number: 1/3 ≈ 0.3333
        try:
            approx = fmt(float(value), precision)
        except (TypeError, ValueError):
            return text
        return text if text == approx else f"{text} ≈ {approx}"
    return text


def signed_sum(values: list[Any], precision: int = 4) -> str:
    """Terms of a sum as a person writes them: 2 + 3 - 0.5."""
    text = fmt(values[0], precision)
    for v in values[1:]:
        s = fmt(v, precision)
        text += f" - {s[1:]}" if s.startswith("-") else f" + {s}"
    return text


def spaced(items: list[Any], gap: int, width: int | None = None) -> Any:
    """Items on one line when they fit (the usual case, and cheap), else rich Columns, which wraps
    between items and never inside one."""
    from rich.text import Text

    line = Text(" " * gap).join(items)
    if width is not None and line.cell_len <= width:
        return line
    from rich.columns import Columns

    return Columns(items, padding=(0, gap))


def describe(value: Any, precision: int = 4, full: bool = False, shape: bool = True) -> str:
    """A small array in full; a large one as its shape (unless shape=False) and summary statistics."""
    import numpy as np

    array = np.asarray(value)
    if array.size <= SMALL or full:
        def number(v: float) -> str:
            return "0" if v == 0 else format(v, f".{precision}g")

        text = np.array2string(array, separator=", ", max_line_width=10**6, threshold=10**9,
                               formatter={"float_kind": number})  # type: ignore[arg-type]
        return " ".join(text.split())
    head = f"shape {_shape_text(array.shape)}: " if shape else ""
    return (f"{head}min {array.min():.{precision}g}, mean {array.mean():.{precision}g}, "
            f"max {array.max():.{precision}g}, norm {np.sqrt(np.vdot(array, array)):.{precision}g}")


def _shape_text(shape: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def nbytes_text(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} PB"  # pragma: no cover


def local_parts(row: Any, slot: int, precision: int = 4,
                show: Any = None) -> tuple[str, str, str | None, str]:
    """The local-gradient cell "∂t1/∂x = z = -4" in its pieces, built here for every renderer:
    (the node, the input, the formula or None where it would only repeat the value, the value)."""
    value = (show or (lambda v: fmt(v, precision)))(row.local[slot])
    formula = row.formulas[slot]
    return row.name, row.inputs[slot], (None if formula == value else formula), value


def local_cell(row: Any, slot: int, precision: int = 4) -> str:
    """The local-gradient cell as plain text: ∂t1/∂x = z = -4 (or ∂t1/∂x = 1)."""
    node, name, formula, value = local_parts(row, slot, precision)
    return f"∂{node}/∂{name} = " + (f"{formula} = " if formula is not None else "") + value
