"""--dot and --render: the lecture's circuit picture as Graphviz DOT.

Left to right; variables as plain labels in the leftmost rank; gates as circles with their symbol,
their name and a small pattern caption; every wire carries its forward value above it in green
and its gradient below it in red. A value used more than once goes through a visible adder point
(the copy gate), and each branch carries its own part of the gradient.

Graphviz puts an edge label beside the wire, never across it, so each wire's numbers are a small
node sitting on the wire, with a rule between the two numbers that continues the line.
The text is deterministic: the same trace gives the same bytes.
"""

from __future__ import annotations

from html import escape

from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import Trace
from .text import wires

BIG = 40  # gates; larger graphs get Graphviz iteration limits
GREEN = "#1a7f37"
RED = "#cf222e"
INK = "#444444"


LABEL_CHARS = 160  # Graphviz refuses an HTML label longer than 16 kB; a picture needs far less


def _html(text: str) -> str:
    """Text for an HTML-like label: escaped, and cut short (a 3000-digit constant or a 1 MB program
    would make Graphviz give up, and nobody reads a label that long)."""
    if len(text) > LABEL_CHARS:
        text = text[:LABEL_CHARS - 1] + "…"
    return escape(text, quote=True)


def wire_label(value: str | None, gradient: str | None, width: int = 4) -> str:
    """The numbers on one wire: value above the line, gradient below it (None: left blank to fill in,
    `width` characters wide)."""
    blank = "&#160;" * max(4, width)
    above = blank if value is None else f'<font color="{GREEN}">{_html(value)}</font>'
    below = blank if gradient is None else f'<font color="{RED}">{_html(gradient)}</font>'
    return (f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
            f'<tr><td>{above}</td></tr><hr/>'
            f'<tr><td>{below}</td></tr></table>>')


RANKDIRS = ("LR", "TB", "RL", "BT")


def render(trace: Trace, numbers: NumberFormat = DEFAULT, blank_gradients: bool = False, dpi: int | None = None,
           blank_values: bool = False, rankdir: str = "LR") -> str:
    """The trace as a DOT digraph. blank_gradients leaves the red numbers empty, blank_values the
    gates' green ones (the variables keep theirs): fill-in pictures for exercises. dpi sets the
    resolution of bitmaps (PNG); rankdir the direction the circuit runs in (LR: left to right, as
    in the lecture; TB: top to bottom)."""
    assert rankdir in RANKDIRS, rankdir
    out_name = trace.output
    gates = trace.gate_count
    # Graphviz's network simplex grows steeply with wide fan-out (70 uses of one value: 15 s);
    # past a few dozen gates, a couple of iterations lay it out in well under a second.
    limits = ", nslimit=2, nslimit1=2" if gates > BIG else ""
    lines = [
        "digraph gradtrace {",
        f'  graph [rankdir={rankdir}, nodesep=0.25, ranksep=0.3, fontname="Helvetica", '
        f'label=<{_html(trace.text)}>, labelloc=t, fontsize=12' + (f", dpi={dpi}" if dpi else "") + limits + "];",
        '  node [fontname="Helvetica"];',
        f'  edge [arrowsize=0.6, color="{INK}", penwidth=1.2];',
    ]

    variables = []
    for node in trace.forward_order:
        nid = f"n{node.id}"
        if node.is_input:
            variables.append(nid)
            lines.append(f'  {nid} [shape=plaintext, fontsize=16, label=<{_html(node.name)}>];')
            continue
        # The name sits inside the circle under the symbol, so it can't drift to another gate;
        # the pattern is a small caption beside it.
        pattern = node.pattern or ""
        symbol = node.label
        size = max(0.62, 0.13 * max(len(symbol), len(node.name)) + 0.3)
        big = 18 if len(symbol) <= 2 else 13
        caption = f', xlabel=<<font point-size="9" color="gray35">{_html(pattern)}</font>>' if pattern else ""
        lines.append(f'  {nid} [shape=circle, fixedsize=true, width={size:.2f}, '
                     f'label=<<font point-size="{big}">{_html(symbol)}</font><br/>'
                     f'<font point-size="9"><b>{_html(node.name)}</b></font>>{caption}];')
    # Variables on the left, top to bottom in the order they appear (x, y, z as on the slide).
    lines.append(f"  {{rank=min; {'; '.join(variables)};"
                 + (f" {' -> '.join(variables)} [style=invis];" if len(variables) > 1 else "") + "}")

    for k, (source, target, value, gradient) in enumerate(wires(trace), 1):
        if target.startswith("a"):
            # The copy gate: one wire in with the total gradient, one branch out per use.
            lines.append(f'  {target} [shape=point, width=0.09, color="{INK}", '
                         f'xlabel=<<font point-size="9" color="gray35">adder</font>>];')
        elif target == "end":
            lines.append('  end [shape=point, style=invis, width=0.01];')
        # ∂out/∂out = 1 on the output wire stays, even on a worksheet: it is where backprop starts.
        below = None if blank_gradients and target != "end" else numbers.text(gradient)
        shown = numbers.text(value)
        # A forward exercise: the variables' values are given, every gate's is to be worked out.
        above = None if blank_values and not trace.row(int(source[1:])).is_input else shown
        lines.append(f"  w{k} [shape=plaintext, margin=0, width=0, height=0, "
                     f"label={wire_label(above, below, max(len(shown), len(numbers.text(gradient))))}];")
        lines.append(f"  {source} -> w{k} [arrowhead=none];")
        lines.append(f"  w{k} -> {target}" + (" [arrowhead=none];" if target.startswith("a") else ";"))
    lines.append(f'  end [xlabel=<<font color="gray35">{_html(out_name)}</font>>];')
    lines.append("}")
    return "\n".join(lines) + "\n"
