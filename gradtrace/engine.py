"""Forward and backward passes over a graph. Pure: nothing here mutates the graph, and backward
returns new lists, so running it twice gives the same numbers.

Vocabulary, used everywhere in gradtrace:
  upstream   ∂out/∂node, the gradient arriving at a node from the output side;
  local      ∂node/∂input, the gate's own derivative (the op table's rule);
  downstream upstream × local, the gradient the node sends to one input.
A node used more than once (a copy gate) receives the sum of its consumers' downstream gradients.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import EvaluationError
from .graph import Graph, Node
from .ops import scalar
from .trace import Trace


def forward(graph: Graph, inputs: dict[str, Any], xp: Any = scalar) -> list:
    """Every node's value, in topological order."""
    values: list = [None] * len(graph.nodes)
    for node in graph.nodes:
        if node.op is None:
            values[node.id] = inputs[node.name]
            continue
        op = node.op
        args = tuple(values[i] for i in node.inputs)
        if not op.in_domain(xp, args, node.params):
            what = node.label if op.arity == 1 and not op.callable else op.name
            raise _error(graph, node, f"{what} needs {op.needs(node.params)}", args, "but")
        try:
            out = op.apply(xp, args, node.params)
        except OverflowError:
            raise _error(graph, node, "the result overflows (it is too large for a float)", args) from None
        except (ArithmeticError, ValueError) as exc:
            raise _error(graph, node, f"it is undefined here ({exc})", args) from None
        if not _finite(out):
            if all(_finite(a) for a in args):
                raise _error(graph, node, "the result overflows (it is too large for a float)", args)
        values[node.id] = out
    return values


def backward(graph: Graph, values: list, seed: Any = 1.0, xp: Any = scalar) -> tuple[list, list, list]:
    """upstream per node, and local and downstream per node and input, from ∂out/∂out = seed."""
    n = len(graph.nodes)
    upstream: list = [0.0] * n
    local: list = [()] * n
    downstream: list = [()] * n
    upstream[graph.output.id] = seed
    for node in reversed(graph.nodes):
        if node.op is None:
            continue
        args = tuple(values[i] for i in node.inputs)
        try:
            partials = node.op.local(xp, values[node.id], args, node.params)
        except (ArithmeticError, ValueError):
            partials = tuple(math.nan for _ in args)
        for slot, g in enumerate(partials):
            if not _finite(g):
                name = graph.nodes[node.inputs[slot]].name
                raise _error(graph, node, f"its local gradient ∂{node.name}/∂{name} is undefined or infinite here",
                             args)
        up = upstream[node.id]
        down = tuple(up * g for g in partials)
        local[node.id] = partials
        downstream[node.id] = down
        for i, d in zip(node.inputs, down):
            upstream[i] = upstream[i] + d
    return upstream, local, downstream


def kinks(graph: Graph, values: list, xp: Any = scalar) -> list[str | None]:
    """Per node, the op table's note when the point sits at a kink (relu at 0, a max tie)."""
    notes: list[str | None] = [None] * len(graph.nodes)
    for node in graph.nodes:
        op = node.op
        if op is None or op.kink is None:
            continue
        predicate, note = op.kink
        args = tuple(values[i] for i in node.inputs)
        hit = predicate(xp, values[node.id], args, *node.params) if op.variadic else \
            predicate(xp, values[node.id], *args, *node.params)
        if hit:
            notes[node.id] = note
    return notes


def run(graph: Graph, inputs: dict[str, Any], seed: Any = 1.0) -> Trace:
    """Forward, then backward: the full trace."""
    values = forward(graph, inputs)
    upstream, local, downstream = backward(graph, values, seed)
    return Trace(graph, dict(inputs), values, upstream, local, downstream, kinks(graph, values))


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(x)
    except TypeError:  # arrays: the numpy backend checks these
        return True


def _error(graph: Graph, node: Node, problem: str, args: tuple, connector: str = "at") -> EvaluationError:
    shown = ", ".join(f"{graph.nodes[i].name} = {_fmt(a)}" for i, a in zip(node.inputs, args))
    return EvaluationError(f"{node.name} = {node.expr}: {problem}, {connector} {shown}",
                           source=graph.source, span=node.span)


def _fmt(value: Any) -> str:
    return format(value, ".6g") if isinstance(value, float) else str(value)
