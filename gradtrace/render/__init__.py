"""Renderers: each turns one Trace into one output format. They only read the trace."""

from __future__ import annotations

from typing import Any

from .text import fmt, signed_sum, spaced

__all__ = ["fmt", "signed_sum", "spaced", "wires"]


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
