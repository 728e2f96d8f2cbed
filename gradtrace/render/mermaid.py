"""--mermaid: the circuit as a Mermaid flowchart, for notes on GitHub or in Obsidian.

Each wire carries its value and then its gradient (∂), in the lecture's colours (values green,
gradients red) through class defs: they are two small label nodes on the wire, since Mermaid
styles nodes by class but not an edge label's parts.
"""

from __future__ import annotations

from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import Trace
from .text import wires


def _text(s: str) -> str:
    return s.replace('"', "#quot;")


def render(trace: Trace, numbers: NumberFormat = DEFAULT) -> str:
    """The trace as a Mermaid `flowchart LR`."""
    out = trace.output
    lines = ["flowchart LR", f"  %% gradtrace: {_text(trace.text)}",
             f"  %% on each wire: its value (green), then ∂{out}/∂(wire) (red)"]
    variables = []
    for node in trace.forward_order:
        nid = f"n{node.id}"
        if node.is_input:
            variables.append(nid)
            lines.append(f'  {nid}["{_text(node.name)}"]')
        else:
            pattern = f"<br/><small>{node.pattern}</small>" if node.pattern else ""
            lines.append(f'  {nid}(("{_text(node.label)}<br/><b>{_text(node.name)}</b>{pattern}"))')

    k = 0

    def wire(source: str, target: str, value: object, gradient: object, arrow: str = "-->") -> None:
        nonlocal k
        k += 1
        lines.append(f'  v{k}["{numbers.text(value)}"]:::value')
        lines.append(f'  g{k}["∂ {numbers.text(gradient)}"]:::grad')
        lines.append(f"  {source} --- v{k} --- g{k} {arrow} {target}")

    for source, target, value, gradient in wires(trace):
        if target.startswith("a"):
            lines.append(f'  {target}(("+"))')  # the adder of a value used more than once
            wire(source, target, value, gradient, "---")
        elif target == "end":  # "end" is a Mermaid keyword, so the output node gets another id
            lines.append(f'  output["{_text(out)}"]')
            wire(source, "output", value, gradient)
        else:
            wire(source, target, value, gradient)
    lines.append("  classDef var fill:none,stroke:none,font-size:18px")
    lines.append("  classDef value fill:none,stroke:none,color:#1a7f37")
    lines.append("  classDef grad fill:none,stroke:none,color:#cf222e")
    lines.append(f"  class {','.join(variables + ['output'])} var")
    return "\n".join(lines) + "\n"
