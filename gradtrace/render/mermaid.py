"""--mermaid: the circuit as a Mermaid flowchart, for notes on GitHub or in Obsidian.

Each edge is labelled with the wire's value and, below it, its gradient (∂).
"""

from __future__ import annotations

from ..core.trace import Trace
from . import fmt, wires


def _text(s: str) -> str:
    return s.replace('"', "#quot;")


def render(trace: Trace, precision: int = 4) -> str:
    """The trace as a Mermaid `flowchart LR`."""
    out = trace.output
    lines = ["flowchart LR", f"  %% gradtrace: {_text(trace.text)}",
             f"  %% edge labels: value, then ∂{out}/∂(wire)"]
    variables = []
    for node in trace.forward_order:
        nid = f"n{node.id}"
        if node.is_input:
            variables.append(nid)
            lines.append(f'  {nid}["{_text(node.name)}"]')
        else:
            pattern = f"<br/><small>{node.pattern}</small>" if node.pattern else ""
            lines.append(f'  {nid}(("{_text(node.label)}<br/><b>{_text(node.name)}</b>{pattern}"))')

    def label(value: object, gradient: object) -> str:
        return f'"{fmt(value, precision)}<br/>∂ {fmt(gradient, precision)}"'

    for source, target, value, gradient in wires(trace):
        if target.startswith("a"):
            lines.append(f'  {target}(("+"))')  # the adder of a value used more than once
            lines.append(f"  {source} ---|{label(value, gradient)}| {target}")
        elif target == "end":  # "end" is a Mermaid keyword, so the output node gets another id
            lines.append(f'  output["{_text(out)}"]')
            lines.append(f"  {source} -->|{label(value, gradient)}| output")
        else:
            lines.append(f"  {source} -->|{label(value, gradient)}| {target}")
    lines.append("  classDef var fill:none,stroke:none,font-size:18px")
    lines.append(f"  class {','.join(variables + ['output'])} var")
    return "\n".join(lines) + "\n"
