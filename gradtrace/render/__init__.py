"""Renderers: each turns one Trace into one output format. They only read the trace."""

from __future__ import annotations

from typing import Any

from .text import fmt, signed_sum, spaced

__all__ = ["fmt", "signed_sum", "spaced", "wires"]


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
