"""The default output: one row per node, output first, in the lecture's colours (values green,
gradients red), with each input's local and downstream gradient on its own line."""

from __future__ import annotations

import itertools
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..core.trace import Trace
from . import fmt, signed_sum, spaced
from .text import local_parts

MAX_ROWS = 200       # nodes in the table before it is cut (--full shows all): 30,000 rows are unreadable
MAX_GRADIENTS = 40   # gradients in the summary line (and bindings in the header) before it is cut
MAX_HEADER = 300     # characters of the program shown above the table
MAX_TERMS = 12       # terms of a copy gate's sum shown in its upstream cell
VALUE = "green"
GRADIENT = "red"
PATTERN = "cyan"


def build(trace: Trace, precision: int = 4, full: bool = False, jacobians: bool = False,
          width: int | None = None) -> Group:
    """The table, the notes on kinks, and the gradient summary, as one rich renderable."""
    out = trace.output
    arrays = trace.arrays

    def show(value: Any, shape: bool = False) -> str:
        if arrays and getattr(value, "ndim", 0) > 0:
            from .text import describe

            return describe(value, precision, full, shape)  # the table has a shape column
        return fmt(value, precision)

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True, show_edge=False)
    table.add_column("node", style="bold", overflow="fold")
    table.add_column("computes", overflow="fold")
    if arrays:
        table.add_column("shape", overflow="fold")
    table.add_column("value", justify="right", style=VALUE, overflow="fold")
    table.add_column(f"upstream\n∂{out}/∂node", justify="right", style=GRADIENT, overflow="fold")
    table.add_column("local\n∂node/∂input", overflow="fold")
    table.add_column("downstream\nup × local", justify="right", style=GRADIENT, overflow="fold")
    table.add_column("pattern", style=PATTERN, no_wrap=True)

    notes: list[Text] = []
    rows = trace.nodes
    hidden = 0 if full or len(rows) <= MAX_ROWS else len(rows) - MAX_ROWS
    for row in rows[:len(rows) - hidden]:
        # One table row per input edge, so each input's local and downstream gradients stay side
        # by side even when a narrow terminal wraps the cells.
        locals_, downs = [], []
        for slot, (name, g, d) in enumerate(zip(row.inputs, row.local, row.downstream)):
            cell = Text(f"∂{row.name}/∂{name} = ")
            if arrays and (g is None or getattr(g, "ndim", 0) > 0):
                cell.append(row.formulas[slot])  # an array: the rule here, the Jacobian's size below
            else:
                _, _, formula, g_text = local_parts(row, slot, precision, show)
                if formula is not None:
                    cell.append(f"{formula} = ")
                cell.append(g_text, style=GRADIENT)
            locals_.append(cell)
            downs.append(show(d))
        upstream = [Text(show(row.upstream))]
        parts = row.parts if row.copies > 1 else ()  # no edge arrays for a big table
        if len(parts) > 1 and not arrays:
            # A copy gate: its upstream gradient is the sum of what each use sent back.
            terms = signed_sum([v for _, v in parts[:MAX_TERMS if not full else None]], precision)
            if len(parts) > MAX_TERMS and not full:
                terms += f" + … ({len(parts)} terms)"
            upstream.append(Text("= " + terms, style="dim"))
        patterns = list(row.patterns)
        for k in range(max(1, len(locals_), len(upstream), len(patterns))):
            first = k == 0
            cells = [row.name if first else "", row.expr if first else ""]
            if arrays:
                cells.append(str(tuple(getattr(row.value, "shape", ()))) if first else "")
            cells += [show(row.value) if first else "",
                      upstream[k] if k < len(upstream) else "",
                      locals_[k] if k < len(locals_) else "",
                      downs[k] if k < len(downs) else "",
                      patterns[k] if k < len(patterns) else ""]
            table.add_row(*cells)
        if row.kink:
            notes.append(Text(f"note: {row.name} = {row.expr}: {row.kink}", style="yellow"))

    header = Text()
    text = trace.text
    if len(text) > MAX_HEADER and not full:
        text = f"{text[:MAX_HEADER]} … ({len(text):,} characters)"
    header.append(text, style="bold")
    if trace.mode == "symbolic":
        header.append("   symbolic")
    if trace.bindings:
        bindings = list(itertools.islice(trace.bindings.items(), None if full else MAX_GRADIENTS))
        header.append("   at " + ", ".join(f"{k} = {show(v, True)}" for k, v in bindings))
        if len(bindings) < len(trace.bindings):
            header.append(f", … and {len(trace.bindings) - len(bindings)} more", style="dim")
    value = Text(f"{out} = ")
    value.append(show(trace.value), style=VALUE)
    items = [value]
    gradients = list(trace.gradients.items())
    cut = 0 if full or len(gradients) <= MAX_GRADIENTS else len(gradients) - MAX_GRADIENTS
    for name, g in gradients[:len(gradients) - cut]:
        item = Text(f"∂{out}/∂{name} = ")
        item.append(show(g, True), style=GRADIENT)
        items.append(item)
    if cut:
        items.append(Text(f"… and {cut} more", style="dim"))
    if hidden:
        notes.insert(0, Text(f"… {hidden} more nodes, nearer the inputs: --full shows them all, and --format csv or "
                             "--json carry everything", style="dim"))
    extra = (_jacobian_sizes(trace) if arrays else []) + (_jacobians(trace, precision) if jacobians else [])
    return Group(header, Text(), table, *notes, Text(), spaced(items, 4, width), *extra,
                 *sections(trace, precision))


def _jacobian_sizes(trace: Trace) -> list[Any]:
    """Each local Jacobian of an array trace: its size, structure and what building it would cost."""
    from .text import nbytes_text

    grid = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0),
                 title="local Jacobians (described, never built)", title_justify="left", title_style="bold")
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_column(justify="right", no_wrap=True, style="dim")
    for row in trace.nodes:
        for k, name in enumerate(row.inputs):
            j = row.jacobian(k)
            grid.add_row(f"∂{row.name}/∂{name}", f"{j['rows']}×{j['cols']}", j["structure"],
                         f"{nbytes_text(j['bytes_if_built'])} if built")
    return [Text(), grid]


def _jacobians(trace: Trace, precision: int) -> list[Any]:
    """--jacobian: each local Jacobian in full, when it is small enough to read (64 entries)."""
    from .text import JACOBIAN_SHOWN, nbytes_text

    out: list[Any] = [Text(), Text("local Jacobians", style="bold")]
    for row in trace.nodes:
        if row.op == "input":
            continue
        for k, name in enumerate(row.inputs):
            j = row.jacobian(k)
            title = f"∂{row.name}/∂{name}  ({j['rows']}×{j['cols']}, {j['structure']})"
            if j["rows"] * j["cols"] > JACOBIAN_SHOWN:
                out.append(Text(f"{title}: not printed, {j['rows'] * j['cols']} entries "
                                f"({nbytes_text(j['bytes_if_built'])}) is more than {JACOBIAN_SHOWN}", style="dim"))
                continue
            matrix = row.jacobian_matrix(k).tolist()
            grid = Table(box=box.SIMPLE, show_header=False, pad_edge=False, title=title, title_justify="left")
            for _ in matrix[0]:
                grid.add_column(justify="right")
            for r in matrix:
                grid.add_row(*(fmt(v, precision) for v in r))
            out.append(grid)
    return out


def render(trace: Trace, console: Console, precision: int = 4, full: bool = False, jacobians: bool = False) -> None:
    """Print the table to a rich console; off a terminal (a pipe, a file), without the spaces rich
    pads each line with, so the text diffs and pastes cleanly."""
    print_clean(console, build(trace, precision, full, jacobians, console.width))


def print_clean(console: Console, renderable: Any) -> None:
    """console.print, but with trailing spaces removed from every line when not on a terminal."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.file.write("\n".join(line.rstrip() for line in captured.get().split("\n")))
    console.file.flush()


def _why(answer: Any) -> str:
    """What the right answer looks like at the precision the student wrote."""
    if answer.worst:
        return f"; {answer.worst}"
    if answer.rule.startswith("within"):
        return f", not {answer.rule}"
    if answer.shown is not None and answer.rule.startswith("rounds to") and "." in answer.shown:
        decimals = len(answer.shown.split(".")[1])
        return f"; at {decimals} decimal{'s' if decimals > 1 else ''} that is {answer.shown}"
    if answer.rule.startswith("shape"):
        return f"; its {answer.rule.replace('shape', 'shape is', 1)}"
    if answer.rule.startswith(("a single", "an array")):
        return f"; it is {answer.rule}"
    if answer.rule.startswith("zero"):
        return "; not zero"
    return ""


def sections(trace: Trace, precision: int = 4) -> list[Any]:
    """The gradient check and the graded answers, when the trace carries them."""
    out: list[Any] = []
    if trace.check is not None:
        title = f"gradient check: central difference, h = {trace.check.step:g}"
        if trace.check.sampled:
            title += f"; {len(trace.check.variables)} of {trace.check.total} variables, chosen at random"
        check = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True, show_edge=False,
                      title=title, title_justify="left")
        for column in ("variable", "analytic", "numerical", "relative error", "verdict"):
            numeric = column in ("analytic", "numerical", "relative error")
            check.add_column(column, justify="right" if numeric else "left",
                             overflow="fold")
        kink_notes = []
        for v in trace.check.variables:
            style = "red" if v.failed else ("yellow" if v.verdict != "good" else "green")
            check.add_row(v.name, fmt(v.analytic, precision), fmt(v.numerical, precision),
                          "-" if v.relative_error != v.relative_error else f"{v.relative_error:.1e}",
                          Text(v.verdict + (" (kink)" if v.kinks else ""), style=style))
            if v.kinks:
                kink_notes.append(Text(f"note: {v.name} sits at a kink ({', '.join(v.kinks)}): the numerical gradient "
                                       "is unreliable there, so this is not counted as a failure", style="yellow"))
        out += [Text(), check, *kink_notes]
    if trace.answers is not None:
        out += [Text(), Text("answers", style="bold")]
        for a in trace.answers:
            line = Text()
            if a.correct:
                line.append("✓ ", style="green")
                line.append(f"{a.name} = {a.given}   ({a.refers_to} = {fmt(a.actual, precision)})")
            else:
                line.append("✗ ", style="red")
                line.append(f"{a.name} = {a.given}   ({a.refers_to} is ")
                line.append(fmt(a.actual, precision), style="bold")
                line.append(_why(a) + ")")
            out.append(line)
    return out


