"""Renderers: each turns one Trace into one output format. They only read the trace."""

from __future__ import annotations

import math
from typing import Any

from ..core.trace import expr_text


def fmt(value: Any, precision: int = 4) -> str:
    """A number with `precision` significant digits: -12, 0.7311, 1.368, 1e-20; an array in full
    when small, as its shape and summary when large; None (no gradient) as a dash."""
    if value is None:
        return "—"
    if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
        from ..core.arrays import describe

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


def spaced(items: list, gap: int, width: int | None = None) -> object:
    """Items on one line when they fit (the usual case, and cheap), else rich Columns, which wraps
    between items and never inside one."""
    from rich.text import Text

    line = Text(" " * gap).join(items)
    if width is not None and line.cell_len <= width:
        return line
    from rich.columns import Columns

    return Columns(items, padding=(0, gap))


def wires(trace: Any) -> Any:
    """Every wire of the circuit picture, in order, as (source, target, value, gradient) with ids
    n<id> for nodes, a<id> for the adder of a value used more than once (its wire carries the
    total; each branch after it carries its own part), and "end" after the output."""
    graph = trace.graph
    for node in graph.nodes:
        uses = graph.consumers_of(node.id)
        value = trace.values[node.id]
        source = f"n{node.id}"
        if len(uses) > 1:
            yield source, f"a{node.id}", value, trace.upstream[node.id]
            source = f"a{node.id}"
        for consumer, slot in uses:
            yield source, f"n{consumer}", value, trace.downstream[consumer][slot]
    yield f"n{graph.output.id}", "end", trace.value, trace.upstream[graph.output.id]
