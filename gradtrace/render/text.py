"""What several renderers share beyond numbers (core/numbers.py writes those): the local-gradient
cell as text, the circuit's wires in order, items spaced on a line, and byte counts."""

from __future__ import annotations

from typing import Any

from ..core.numbers import DEFAULT, NumberFormat
from ..core.ops import shape_text
from ..i18n import ngettext

JACOBIAN_SHOWN = 64  # --jacobian prints Jacobians up to this many entries


def spaced(items: list[Any], gap: int, width: int | None = None) -> Any:
    """Items on one line when they fit (the usual case, and cheap), else rich Columns, which wraps
    between items and never inside one."""
    from rich.text import Text

    line = Text(" " * gap).join(items)
    if width is not None and line.cell_len <= width:
        return line
    from rich.columns import Columns

    return Columns(items, padding=(0, gap))


def nbytes_text(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} PB"  # pragma: no cover


def sum_step(summed: Any) -> str:
    """The step broadcasting adds to the backward pass, in words: sum over axis 0: (3, 2) → (2,)."""
    return ngettext("sum over axis {axes}: {before} → {after}", "sum over axes {axes}: {before} → {after}",
                    len(summed.axes)).format(axes=", ".join(map(str, summed.axes)),
                                             before=shape_text(summed.before), after=shape_text(summed.after))


def local_cell(row: Any, slot: int, numbers: NumberFormat = DEFAULT) -> str:
    """The local-gradient cell as plain text: ∂t1/∂x = z = -4 (or ∂t1/∂x = 1)."""
    node, name, formula, value = numbers.local_parts(row, slot)
    return f"∂{node}/∂{name} = " + (f"{formula} = " if formula is not None else "") + value


def wires(trace: Any) -> Any:
    """Every wire of the circuit picture, in order, as (source, target, value, gradient) with ids
    n<id> for nodes, a<id> for the adder of a value used more than once (its wire carries the
    total; each branch after it carries its own part), and "end" after the output."""
    for row in trace.forward_order:
        uses = row.uses
        source = f"n{row.id}"
        if len(uses) > 1:
            yield source, f"a{row.id}", row.value, row.upstream
            source = f"a{row.id}"
        for consumer, slot in uses:
            yield source, f"n{consumer}", row.value, trace.downstream[consumer][slot]
    yield f"n{trace.output_id}", "end", trace.value, trace.upstream[trace.output_id]
