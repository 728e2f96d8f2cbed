"""--graph: the circuit drawn in the terminal, left to right, as on the lecture's slides.

Inputs on the left, the output on the right, gates as (+) (*) (exp) with their names above them,
and every wire with its value above it (green) and its gradient below it (red). rich styles the
text; rich has no graph layout, so the layout is here: a sideways tree drawn on a character grid.

A node used twice is drawn once; its other uses show its name as an input, and the legend lists
the copy gate with the parts of its gradient. A graph deeper than the terminal is wide is cut
into bands that continue by name (▸ t4 ... t4 ─), the way one would draw it on paper. A graph too
large to read as a drawing gets a summary instead.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.text import Text

from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import Trace
from ..i18n import _
from .text import spaced

MAX_GATES = 40     # past this many gates a terminal drawing stops being readable
MAX_LEAVES = 24    # rows of inputs in one band
VALUE, GRADIENT, NAME = "green", "red", "bold"

# Box-drawing character for a junction cell, by which sides it connects: (left, right, up, down).
_JOIN = {(1, 1, 0, 0): "─", (1, 0, 0, 1): "┐", (1, 0, 1, 0): "┘", (1, 0, 1, 1): "┤", (0, 1, 1, 1): "├",
         (1, 1, 1, 1): "┼", (0, 0, 1, 1): "│", (1, 1, 0, 1): "┬", (1, 1, 1, 0): "┴", (0, 1, 0, 1): "┌",
         (0, 1, 1, 0): "└", (0, 1, 0, 0): "─", (1, 0, 0, 0): "─"}


class _Occ:
    """One appearance of a node in a band's drawing: a gate drawn here, or a leaf (a variable,
    a gate drawn elsewhere, or a gate from the band before)."""
    __slots__ = ("children", "col", "leaf", "node", "row", "wire_grad")

    def __init__(self, node, leaf: bool, wire_grad):
        self.node, self.leaf, self.wire_grad = node, leaf, wire_grad
        self.children: list[_Occ] = []
        self.row = 0
        self.col = 0


def render(trace: Trace, width: int = 80, numbers: NumberFormat = DEFAULT, blank: bool = False,
           blank_values: bool = False) -> list[Any]:
    """The drawing as rich renderables, one per line (or a summary when the graph is too large).
    blank leaves the gradients out, for a student to work them out (the quiz); blank_values leaves
    out the gates' values too (a forward-pass exercise: only the inputs keep theirs)."""
    rows = trace.forward_order
    gates = [n for n in rows if not n.is_input]
    if not gates:
        return [Text(_("{name} is the input itself: {seed}").format(name=trace.output,
                                                                   seed=f"∂{trace.output}/∂{trace.output} = 1"))]
    if len(gates) > MAX_GATES:
        return summary(trace, _("{count} gates are more than a terminal drawing can show readably").format(
            count=len(gates)))

    # Columns by the longest path to the output, so every gate is left of all its consumers.
    depth = {trace.output_id: 0}
    for node in reversed(rows):
        if node.is_input or node.id not in depth:
            continue
        for i in node.input_ids:
            if not rows[i].is_input:
                depth[i] = max(depth.get(i, 0), depth[node.id] + 1)
    deepest = max(depth.values())
    column = {g: deepest - d + 1 for g, d in depth.items()}  # gates 1..deepest+1; leaves sit left of a band

    glyph = {g.id: f"({g.label})" for g in gates}
    gw = {c: 0 for c in range(1, deepest + 2)}
    out_w = {c: 0 for c in range(0, deepest + 2)}
    for g in gates:
        c = column[g.id]
        gw[c] = max(gw[c], len(glyph[g.id]), len(g.name))
        label = max(len(numbers.text(trace.values[g.id])),
                    max((len(numbers.text(trace.downstream[u][s])) for u, s in g.uses), default=0),
                    len(numbers.text(trace.upstream[g.id])))
        out_w[c] = max(out_w[c], label + 3)
    leaf_label = max(len(numbers.text(n.value)) for n in rows)
    leaf_label = max(leaf_label, max(len(numbers.text(d)) for ds in trace.downstream for d in ds))
    name_w = max(len(n.name) for n in rows)

    # Bands of columns that fit the width (a band = leaf column + some gate columns).
    bands: list[list[int]] = []
    current: list[int] = []
    used = name_w + leaf_label + 4
    for c in range(1, deepest + 2):
        need = gw[c] + out_w[c] + 1 + (4 if c == deepest + 1 else 0)
        if current and used + need > width:
            bands.append(current)
            current, used = [], name_w + leaf_label + 4
        current.append(c)
        used += need
    bands.append(current)
    if used > width and len(current) == 1 and len(bands) == 1 and width < 30:
        return summary(trace, _("a terminal {width} columns wide is too narrow for the drawing").format(width=width))

    lines: list[Text] = []
    for k, band in enumerate(bands):
        drawn = _band(trace, band, column, glyph, gw, out_w, name_w, leaf_label + 3, numbers,
                      last=(k == len(bands) - 1), blank=blank, blank_values=blank_values)
        if drawn is None:
            return summary(trace, _("more than {count} inputs in one part of the drawing").format(count=MAX_LEAVES))
        if k:
            lines.append(Text())
        lines.extend(drawn)
    lines.append(Text())
    lines.extend(_legend(trace, numbers, width, blank or blank_values, blank_values))
    return lines


def _band(trace, band, column, glyph, gw, out_w, name_w, leaf_w, numbers, last, blank=False, blank_values=False):
    rows = trace.forward_order
    in_band = {g for g, c in column.items() if c in band}
    # Roots: gates of this band none of whose consumers is in the band.
    roots = [g for g in sorted(in_band)
             if not any(u in in_band for u, _ in rows[g].uses)]
    expanded: set[int] = set()
    trees = []
    leaves: list[_Occ] = []
    for r in roots:
        root = _Occ(rows[r], False, trace.upstream[r])
        expanded.add(r)
        trees.append(root)
        stack = [root]
        while stack:  # explicit stack: no recursion, whatever the depth
            occ = stack.pop()
            node = occ.node
            for slot, i in enumerate(node.input_ids):
                child = rows[i]
                grad = trace.downstream[node.id][slot]
                is_leaf = child.is_input or i not in in_band or i in expanded
                c_occ = _Occ(child, is_leaf, grad)
                occ.children.append(c_occ)
                if not is_leaf:
                    expanded.add(i)
            stack.extend(reversed([c for c in occ.children if not c.leaf]))
    # Rows: leaves in reading order, 4 lines apart (value, wire, gradient, gap); gates in the middle.
    order: list[_Occ] = []
    for root in trees:
        stack = [(root, False)]
        while stack:
            occ, done = stack.pop()
            if occ.leaf:
                occ.row = 1 + 4 * len(leaves)
                leaves.append(occ)
            elif done:
                rows = [c.row for c in occ.children]
                occ.row = (min(rows) + max(rows)) // 2
                order.append(occ)
            else:
                stack.append((occ, True))
                stack.extend((c, False) for c in reversed(occ.children))
    if len(leaves) > MAX_LEAVES:
        return None

    # x positions: [leaf names][leaf wires] then per column [junction][glyph][wire].
    x_glyph: dict[int, int] = {}
    x = name_w + 1 + leaf_w
    for c in band:
        x += 1  # the junction
        x_glyph[c] = x
        x += gw[c] + out_w[c]
    total_w = x + (3 if last else 4)
    height = 4 * len(leaves) + 1
    grid = [[" "] * total_w for _ in range(height)]
    style = [[None] * total_w for _ in range(height)]

    def put(row: int, col: int, text: str, st=None) -> None:
        for k, ch in enumerate(text):
            if 0 <= row < height and 0 <= col + k < total_w:
                grid[row][col + k] = ch
                style[row][col + k] = st

    def wire(row: int, start: int, end: int, node, grad) -> None:
        put(row, start, "─" * max(0, end - start))
        if not blank_values or node.is_input:
            put(row - 1, start + 1, numbers.text(trace.values[node.id]), VALUE)
        if not blank:
            put(row + 1, start + 1, numbers.text(grad), GRADIENT)

    for occ in leaves:
        occ.col = 0
        put(occ.row, 0, occ.node.name.rjust(name_w), NAME)
    for occ in order:
        c = column[occ.node.id]
        occ.col = c
        left = x_glyph[c] + (gw[c] - len(glyph[occ.node.id])) // 2
        put(occ.row, x_glyph[c], "─" * gw[c])  # the wire runs on through a glyph narrower than its column
        put(occ.row, left, glyph[occ.node.id], NAME)
        put(occ.row - 1, x_glyph[c] + (gw[c] - len(occ.node.name)) // 2, occ.node.name, "dim")
        junction = x_glyph[c] - 1
        for child in occ.children:
            start = name_w + 1 if child.leaf else x_glyph[child.col] + gw[child.col]
            wire(child.row, start, junction, child.node, child.wire_grad)
        rows = [ch.row for ch in occ.children]
        top, bottom = min(rows + [occ.row]), max(rows + [occ.row])
        for y in range(top, bottom + 1):
            key = (int(y in rows), int(y == occ.row), int(y > top), int(y < bottom))
            put(y, junction, _JOIN.get(key, "│"))
    for root in trees:
        c = column[root.node.id]
        start = x_glyph[c] + gw[c]
        is_output = root.node.id == trace.output_id
        end = total_w - (2 if is_output else 4)
        wire(root.row, start, end, root.node, trace.upstream[root.node.id])
        put(root.row, end, "▸" if is_output else f"▸ {root.node.name}")
    lines = [_line(grid[y], style[y]) for y in range(height)]
    while lines and not lines[-1].plain.strip():
        lines.pop()
    return lines


def _line(chars: list[str], styles: list[Any]) -> Text:
    text = Text()
    run, run_style = "", None
    for ch, st in zip(chars, styles):
        if st != run_style and run:
            text.append(run, run_style)
            run = ""
        run_style = st
        run += ch
    text.append(run, run_style)
    text.rstrip()
    return text


def _legend(trace: Trace, numbers: NumberFormat, width: int, blank: bool = False,
            blank_values: bool = False) -> list[Any]:
    """What each gate computes and its pattern; each copy gate with the parts that add up.
    blank: only what each gate computes and the output's value (patterns would give answers away);
    blank_values: not the output's value either."""
    f = trace.output
    out: list[Text] = []
    if blank:
        for row in trace.nodes:
            if row.op != "input":
                out.append(Text.assemble((row.name, NAME), f" = {row.expr}"))
        last = Text() if blank_values else Text.assemble(f"{f} = ", (numbers.text(trace.value), VALUE), "   ")
        last.append(f"∂{f}/∂{f} = 1")
        out.append(last)
        return out
    for row in trace.nodes:
        if row.op == "input" and len(row.parts) < 2:
            continue
        line = Text()
        line.append(f"{row.name}", NAME)
        if row.op != "input":
            line.append(f" = {row.expr}")
        patterns = list(row.patterns)
        if patterns:
            line.append("  " + ", ".join(patterns), "cyan")
        if len(row.parts) > 1:
            line.append(f"  ∂{f}/∂{row.name} = {numbers.signed_sum([v for _, v in row.parts])} = "
                        f"{numbers.text(row.upstream)}")
        out.append(line)
    value = Text(f"{f} = ")
    value.append(numbers.text(trace.value), VALUE)
    items = [value]
    for name, g in trace.gradients.items():
        item = Text(f"∂{f}/∂{name} = ")
        item.append(numbers.text(g), GRADIENT)
        items.append(item)
    out.append(spaced(items, 3, width))
    return out


def summary(trace: Trace, reason: str) -> list[Text]:
    """A clear account of a graph too large to draw, and where to see it instead."""
    ops = Counter(row.op for row in trace.nodes if not row.is_input)
    patterns = Counter(p for row in trace.nodes for p in row.patterns)
    gates = ", ".join(f"{name} ×{count}" for name, count in ops.most_common())
    kinds = ", ".join(f"{name} ×{count}" for name, count in patterns.most_common()) or _("none")
    lines = [Text(_("The graph of {name} has {gates} gates and {variables} variables; {reason}.").format(
                 name=trace.output, gates=trace.gate_count, variables=trace.variable_count, reason=reason), "bold"),
             Text(_("gates: {list}").format(list=gates)),
             Text(_("patterns: {list}").format(list=kinds)),
             Text(f"{trace.output} = {DEFAULT.text(trace.value)}"),
             Text(_("See it with --render graph.svg (or --dot), or read it with the default table."), "dim")]
    return lines
