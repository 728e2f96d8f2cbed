"""--mermaid: the circuit as a Mermaid flowchart, for notes on GitHub or in Obsidian.

Each edge is labelled with the wire's value and, below it, its gradient (∂).
"""

from __future__ import annotations

from ..trace import Trace
from . import fmt


def _text(s: str) -> str:
    return s.replace('"', "#quot;")


def render(trace: Trace, precision: int = 4) -> str:
    """The trace as a Mermaid `flowchart LR`."""
    graph = trace.graph
    out = trace.output
    lines = ["flowchart LR", f"  %% gradtrace: {_text(graph.text)}",
             f"  %% edge labels: value, then ∂{out}/∂(wire)"]
    variables = []
    for node in graph.nodes:
        nid = f"n{node.id}"
        if node.op is None:
            variables.append(nid)
            lines.append(f'  {nid}["{_text(node.name)}"]')
        else:
            pattern = f"<br/><small>{node.op.pattern}</small>" if node.op.pattern else ""
            lines.append(f'  {nid}(("{_text(node.label)}<br/><b>{_text(node.name)}</b>{pattern}"))')

    def label(value: object, gradient: object) -> str:
        return f'"{fmt(value, precision)}<br/>∂ {fmt(gradient, precision)}"'

    for node in graph.nodes:
        uses = graph.consumers[node.id]
        source = f"n{node.id}"
        if len(uses) > 1:
            adder = f"a{node.id}"
            lines.append(f'  {adder}(("+"))')
            lines.append(f"  {source} ---|{label(trace.values[node.id], trace.upstream[node.id])}| {adder}")
            source = adder
        for consumer, slot in uses:
            lines.append(f"  {source} -->|{label(trace.values[node.id], trace.downstream[consumer][slot])}| "
                         f"n{consumer}")
    lines.append(f'  out["{_text(out)}"]')
    lines.append(f"  n{graph.output.id} -->|{label(trace.value, trace.upstream[graph.output.id])}| out")
    lines.append("  classDef var fill:none,stroke:none,font-size:18px")
    lines.append(f"  class {','.join(variables + ['out'])} var")
    return "\n".join(lines) + "\n"
