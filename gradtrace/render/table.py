"""The default output: one row per node, output first, in the lecture's colours (values green,
gradients red), with each input's local and downstream gradient on its own line."""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from ..core.errors import GradtraceError
from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import NodeTrace, Trace
from ..i18n import _, ngettext
from .diagnosis import report_lines
from .text import spaced, sum_step

MAX_ROWS = 200       # nodes in the table before it is cut (--full shows all): 30,000 rows are unreadable
PAGE = 1000          # nodes in each page of a --full table, drawn one after the other
MAX_GRADIENTS = 40   # gradients in the summary line (and bindings in the header) before it is cut
MAX_HEADER = 300     # characters of the program shown above the table
MAX_TERMS = 12       # terms of a copy gate's sum shown in its upstream cell
VALUE = "green"
GRADIENT = "red"
PATTERN = "cyan"


def build(trace: Trace, numbers: NumberFormat = DEFAULT, full: bool = False, jacobians: bool = False,
          width: int | None = None, console: Console | None = None) -> Group:
    """The table, the notes on kinks, and the gradient summary, as one rich renderable.

    With a console, a table that fits in `width` columns is drawn as it is (_Grid). One that does
    not is left to rich to fit, wrapping its cells between words; where that would fold a number
    or a name across lines, each node is stacked on lines of its own instead. width None means as
    wide as the table needs (a pipe without COLUMNS). Without a console (a notebook), rich fits
    the table when it is printed. --full past PAGE nodes draws the table in pages (see parts)."""
    return Group(*parts(trace, numbers, full, jacobians, width, console))


def parts(trace: Trace, numbers: NumberFormat = DEFAULT, full: bool = False, jacobians: bool = False,
          width: int | None = None, console: Console | None = None) -> Iterator[Any]:
    """build's renderables, one at a time. A --full table of more than PAGE nodes comes in pages
    of PAGE nodes, each with its own header and column widths, made only when the one before has
    been printed: the first rows of 10^5 nodes are on the screen at once, and a reader that stops
    early (| head) stops the rest being made."""
    out = trace.output
    arrays = trace.arrays

    def show(value: Any, shape: bool = False) -> str:
        if arrays and getattr(value, "ndim", 0) > 0:
            return numbers.array(value, full, shape)  # the table has a shape column
        return numbers.text(value)

    notes: list[Text] = []
    total = len(trace.graph.nodes)
    hidden = 0 if full or total <= MAX_ROWS else total - MAX_ROWS
    shown = total - hidden
    page = PAGE if full and console is not None else max(shown, 1)
    rows = trace.rows()
    natural = width is None  # a pipe: each page as wide as it needs
    page_rows, stopped = _take(rows, page)
    body, width = _page(trace, page_rows, numbers, full, show, notes, width, console)
    header = Text()
    text = trace.text
    if len(text) > MAX_HEADER and not full:
        text = text[:MAX_HEADER] + " … " + _("({count} characters)").format(count=f"{len(text):,}")
    header.append(text, style="bold")
    if trace.mode == "symbolic":
        header.append("   " + _("symbolic"))
    if trace.bindings:
        bindings = list(itertools.islice(trace.bindings.items(), None if full else MAX_GRADIENTS))
        at = ", ".join(f"{k} = {show(v, True)}" for k, v in bindings)
        header.append("   " + _("at {bindings}").format(bindings=at))
        if len(bindings) < len(trace.bindings):
            more = len(trace.bindings) - len(bindings)
            header.append(", " + _("… and {count} more").format(count=more), style="dim")
    yield header
    yield Text()
    yield body
    done = len(page_rows)
    while done < shown and stopped is None:  # --full's further pages
        page_rows, stopped = _take(rows, page)
        done += len(page_rows)
        if page_rows:
            body, _width = _page(trace, page_rows, numbers, full, show, notes, None if natural else width, console,
                                 natural)
            yield Text()
            yield body
    if stopped is not None:  # a streamed trace's backward pass stopped: the rows before it are drawn
        raise stopped
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
        items.append(Text(_("… and {count} more").format(count=cut), style="dim"))
    if hidden:
        notes.insert(0, Text(ngettext("… {count} more node, nearer the inputs: --full shows them all, and --format csv "
                                      "or --json carry everything",
                                      "… {count} more nodes, nearer the inputs: --full shows them all, and --format "
                                      "csv or --json carry everything", hidden).format(count=hidden), style="dim"))
    extra = (_jacobian_sizes(trace) if arrays else []) + (_jacobians(trace, numbers) if jacobians else [])
    yield from (*notes, Text(), spaced(items, 4, width), *extra, *sections(trace, numbers))


def _page(trace: Trace, rows: list[Any], numbers: NumberFormat, full: bool, show: Any, notes: list[Text],
          width: int | None, console: Console | None, later: bool = False) -> tuple[Any, int | None]:
    """The table of these rows, and the width it set (width None: a pipe, where it is as wide as
    the table needs); the kinks it meets are added to notes. A later page of a pipe's table keeps
    the console's width (set by the first), and is printed uncropped (render)."""
    out, arrays = trace.output, trace.arrays
    nodes = [_node_cells(trace, row, numbers, full, show) for row in rows]
    for row in rows:
        if row.kink:
            notes.append(Text(_("note: {node} = {expr}: {kink}").format(node=row.name, expr=row.expr, kink=_(row.kink)),
                              style="yellow"))
    body: Any
    columns, cells = _columns(out, arrays), _rows(nodes, arrays)
    if console is None:  # printed later at a width unknown here (a notebook): rich fits it then
        return _table(columns, cells), width
    grid = _Grid(columns, cells)
    if later and width is None:
        return grid, width
    if width is None:
        width = max(grid.width, 80)
        console.width = width
    if grid.width <= width:
        body = grid
    else:
        body = _table(columns, cells)
        if _folds(console, body, width):
            body = _stacked(nodes, out)
    return body, width


class _Cells:
    """One node's cells, laid out as a table row or as stacked lines."""
    __slots__ = ("downs", "expr", "locals", "name", "patterns", "shape", "upstream", "value")

    def __init__(self, name: str, expr: str, shape: str, value: str, upstream: list[Text], locals_: list[Text],
                 downs: list[str], patterns: list[str]):
        self.name, self.expr, self.shape, self.value = name, expr, shape, value
        self.upstream, self.locals, self.downs, self.patterns = upstream, locals_, downs, patterns


def _node_cells(trace: Trace, row: Any, numbers: NumberFormat, full: bool, show: Any) -> _Cells:
    arrays = trace.arrays
    locals_, downs = [], []
    for slot, (name, g, d) in enumerate(zip(row.inputs, row.local, row.downstream)):
        cell = Text(f"∂{row.name}/∂{name} = ")
        if arrays and (g is None or getattr(g, "ndim", 0) > 0):
            cell.append(row.formulas[slot])  # an array: the rule here, the Jacobian's size below
        else:
            _node, _input, formula, g_text = numbers.local_parts(row, slot, show)
            if formula is not None:
                cell.append(f"{formula} = ")
            cell.append(g_text, style=GRADIENT)
        locals_.append(cell)
        summed = row.summed(slot) if arrays else None
        if summed is None:
            downs.append(show(d))
            continue
        # The input was broadcast: upstream × local has the gate's shape, and the line below sums
        # it back to the input's, the gradient the input gets.
        downs.append(show(summed.unsummed))
        locals_.append(Text("↳ " + sum_step(summed), style="dim"))
        downs.append(show(d))
    upstream = [Text(show(row.upstream))]
    parts = row.parts if row.copies > 1 else ()  # no edge arrays for a big table
    if len(parts) > 1 and not arrays:
        # A copy gate: its upstream gradient is the sum of what each use sent back.
        terms = numbers.signed_sum([v for _, v in parts[:MAX_TERMS if not full else None]])
        if len(parts) > MAX_TERMS and not full:
            terms += f" + … ({len(parts)} terms)"
        upstream.append(Text("= " + terms, style="dim"))
    shape = str(tuple(getattr(row.value, "shape", ()))) if arrays else ""
    expr = _("input") if row.op == "input" else row.expr
    return _Cells(row.name, expr, shape, show(row.value), upstream, locals_, downs, list(row.patterns))


def _columns(out: str, arrays: bool) -> list[tuple[str, str, str]]:
    """The node table's columns: (header, justify, style)."""
    node_word = _("node")
    return [(node_word, "left", "bold"), (_("computes"), "left", ""),
            *([(_("shape"), "left", "")] if arrays else []),
            (_("value"), "right", VALUE), (f"upstream\n∂{out}/∂{node_word}", "right", GRADIENT),
            (f"local\n∂{node_word}/∂{_('input')}", "left", ""), ("downstream\nup × local", "right", GRADIENT),
            (_("pattern"), "left", PATTERN)]


def _rows(nodes: list[_Cells], arrays: bool) -> list[list[str | Text]]:
    """One row per node, and one line per input edge, so each input's local and downstream
    gradients stay side by side."""
    rows: list[list[str | Text]] = []
    for node in nodes:
        for k in range(max(1, len(node.locals), len(node.upstream), len(node.patterns))):
            first = k == 0
            cells: list[str | Text] = [node.name if first else "", node.expr if first else ""]
            if arrays:
                cells.append(node.shape if first else "")
            cells += [node.value if first else "",
                      node.upstream[k] if k < len(node.upstream) else "",
                      node.locals[k] if k < len(node.locals) else "",
                      node.downs[k] if k < len(node.downs) else "",
                      node.patterns[k] if k < len(node.patterns) else ""]
            rows.append(cells)
    return rows


def _table(columns: list[tuple[str, str, str]], rows: list[list[str | Text]]) -> Any:
    """The node table as a rich Table, which wraps its cells to fit a given width (_Grid draws
    the same columns and rows when they fit as they are)."""
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True, show_edge=False)
    for i, (header, justify, style) in enumerate(columns):
        pattern = i == len(columns) - 1  # a pattern's name is never wrapped
        table.add_column(header, justify=justify, style=style,  # type: ignore[arg-type]
                         overflow="ellipsis" if pattern else "fold", no_wrap=pattern)
    for row in rows:
        table.add_row(*row)
    return table


class _Grid:
    """The node table drawn at its natural width, as rich would draw _table when it fits: the
    same characters in the same styles (tests/test_table.py compares them), without rich's
    measuring and wrapping of every cell, which cost a short command more than the rest of its
    work. Cells are strings (no markup) or Texts of one line."""

    def __init__(self, columns: list[tuple[str, str, str]], rows: list[list[str | Text]]):
        self.columns, self.rows = columns, rows
        self.widths = [max([*map(_cell_len, header.split("\n")), *(_cell_len(row[i]) for row in rows)])
                       for i, (header, _justify, _style) in enumerate(columns)]
        self.width = sum(self.widths) + 2 * (len(self.widths) - 1)  # a space of padding, a divider

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Any:
        frame = box.SIMPLE_HEAD.substitute(options, safe=console.safe_box)
        header_style = console.get_style("table.header")
        styles = [console.get_style(style) for _header, _justify, style in self.columns]
        headers = [header.split("\n") for header, _justify, _style in self.columns]
        height = max(map(len, headers))
        for j in range(height):  # a header of fewer lines sits at the bottom
            cells: list[str | Text] = [lines[j - height + len(lines)] if j >= height - len(lines) else ""
                                       for lines in headers]
            yield from self._line(console, cells, [header_style] * len(styles), frame.head_vertical)
        last = len(self.widths) - 1
        yield Segment(frame.get_row([w + (i < last) for i, w in enumerate(self.widths)], "head", edge=False))
        yield Segment.line()
        for k, row in enumerate(self.rows):
            yield from self._line(console, row, styles, frame.foot_vertical if k == len(self.rows) - 1
                                  else frame.mid_vertical)

    def _line(self, console: Console, cells: list[str | Text], styles: list[Any], divider: str) -> Any:
        """One line of cells: each padded to its column's width in the cell's style, then a space
        of padding and the divider between columns."""
        last = len(cells) - 1
        for i, (cell, width, style, column) in enumerate(zip(cells, self.widths, styles, self.columns)):
            space = width - _cell_len(cell)
            right = column[1] == "right"
            # A Text's own style is on its spaces of justification too, but not on the padding.
            inner = style + console.get_style(cell.style) if isinstance(cell, Text) and cell.style else style
            if right and space:
                yield Segment(" " * space, inner)
            if isinstance(cell, Text):
                for segment in cell.render(console, end=""):
                    yield Segment(segment.text, inner + segment.style if segment.style else inner)
            elif cell:
                yield Segment(cell, style)
            if space and not right:
                yield Segment(" " * space, inner)
            if i < last:
                yield Segment(" ", style)
                yield Segment(divider)
        yield Segment.line()


def _cell_len(cell: str | Text) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


def _folds(console: Console, table: Any, width: int) -> bool:
    """Whether rich, fitting the table into `width` columns, would fold a word (a number, a name)
    across lines rather than wrap between words: every word of every cell must come out whole."""
    words: Counter[str] = Counter()
    for column in table.columns:
        for cell in (column.header, *column.cells):
            words.update(str(cell).split())
    lines = console.render_lines(table, console.options.update_width(width), pad=False)
    shown = Counter(word for line in lines for word in "".join(segment.text for segment in line).split())
    return any(shown[word] < n for word, n in words.items())


def _stacked(nodes: list[_Cells], out: str) -> Group:
    """The table for a narrow terminal: each node on lines of its own, wrapped only at spaces.

        t1 = x + y = 3   distributor
          upstream ∂f/∂t1 = -4
          ∂t1/∂x = 1, downstream -4
    """
    from rich.padding import Padding

    node_word = _("node")
    lines: list[Any] = [Text(f"{node_word} = {_('computes')} = {_('value')}   {_('pattern')}", style="dim"),
                        Padding(Text(f"upstream ∂{out}/∂{node_word}; local ∂{node_word}/∂{_('input')}, downstream",
                                     style="dim"), (0, 0, 0, 2))]
    for node in nodes:
        line = Text()
        line.append(node.name, style="bold")
        is_input = node.expr == _("input")
        if not is_input:
            line.append(f" = {node.expr}")
        if node.shape:
            line.append("  " + _("shape {shape}").format(shape=node.shape))
        line.append(" = ")
        line.append(node.value, style=VALUE)
        if is_input:
            line.append("  (" + _("input") + ")", style="dim")
        if node.patterns:
            line.append("   " + ", ".join(node.patterns), style=PATTERN)
        lines.append(line)
        up = Text(f"upstream ∂{out}/∂{node.name} = ")
        up.append(node.upstream[0].plain, style=GRADIENT)
        for more in node.upstream[1:]:
            up.append(" " + more.plain, style="dim")
        lines.append(Padding(up, (0, 0, 0, 2)))
        for local, down in zip(node.locals, node.downs):
            cell = local.copy()
            cell.append(", downstream ")
            cell.append(down, style=GRADIENT)
            lines.append(Padding(cell, (0, 0, 0, 2)))
    return Group(*lines)


def _jacobian_sizes(trace: Trace) -> list[Any]:
    """Each local Jacobian of an array trace: its size, structure and what building it would cost."""
    from rich.table import Table

    from .text import nbytes_text

    grid = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0),
                 title=_("local Jacobians (described, never built)"), title_justify="left", title_style="bold")
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_column(justify="right", no_wrap=True, style="dim")
    for row in trace.nodes:
        for k, name in enumerate(row.inputs):
            j = row.jacobian(k)
            grid.add_row(f"∂{row.name}/∂{name}", f"{j['rows']}×{j['cols']}", j["structure"],
                         _("{size} if built").format(size=nbytes_text(j["bytes_if_built"])))
            shaped = row.shape_step(k)  # an array op's gradient, in shapes: up·xᵀ: (3×4)(4×2) → 3×2
            if shaped is not None:
                grid.add_row("", "", shaped, "")
    return [Text(), grid]


def _jacobians(trace: Trace, numbers: NumberFormat) -> list[Any]:
    """--jacobian: each local Jacobian in full, when it is small enough to read (64 entries)."""
    from rich.table import Table

    from .text import JACOBIAN_SHOWN, nbytes_text

    out: list[Any] = [Text(), Text(_("local Jacobians"), style="bold")]
    for row in trace.nodes:
        if row.op == "input":
            continue
        for k, name in enumerate(row.inputs):
            j = row.jacobian(k)
            title = f"∂{row.name}/∂{name}  ({j['rows']}×{j['cols']}, {j['structure']})"
            if j["rows"] * j["cols"] > JACOBIAN_SHOWN:
                out.append(Text(_("{title}: not printed, {entries} entries ({size}) is more than {limit}").format(
                    title=title, entries=j["rows"] * j["cols"], size=nbytes_text(j["bytes_if_built"]),
                    limit=JACOBIAN_SHOWN), style="dim"))
                continue
            matrix = row.jacobian_matrix(k).tolist()
            grid = Table(box=box.SIMPLE, show_header=False, pad_edge=False, title=title, title_justify="left")
            for _column in matrix[0]:
                grid.add_column(justify="right")
            for r in matrix:
                grid.add_row(*(numbers.text(v) for v in r))
            out.append(grid)
    return out


def _take(rows: Iterator[NodeTrace], count: int) -> tuple[list[NodeTrace], GradtraceError | None]:
    """Up to count rows, and the error that stopped them early, if one did (a streamed trace runs
    its backward pass as the rows are read)."""
    taken: list[NodeTrace] = []
    try:
        taken.extend(itertools.islice(rows, count))
    except GradtraceError as error:
        return taken, error
    return taken, None


def render(trace: Trace, console: Console, numbers: NumberFormat = DEFAULT, full: bool = False,
           jacobians: bool = False) -> None:
    """Print the table to a rich console; off a terminal (a pipe, a file), without the spaces rich
    pads each line with, so the text diffs and pastes cleanly. A --full table of more than PAGE
    nodes is printed a page at a time, each as soon as it is made."""
    # On a terminal, or with COLUMNS set, the table fits that width; in a pipe, it is as wide as it needs.
    fits = console.is_terminal or bool(os.environ.get("COLUMNS"))
    width = console.width if fits else None
    if full and len(trace.graph.nodes) > PAGE:
        for part in parts(trace, numbers, full, jacobians, width, console):
            print_clean(console, part, crop=fits)  # a pipe's later pages may be wider than the first
        return
    print_clean(console, build(trace, numbers, full, jacobians, width, console))


def print_clean(console: Console, renderable: Any, crop: bool = True) -> None:
    """console.print, but with trailing spaces removed from every line when not on a terminal."""
    if console.is_terminal:
        console.print(renderable, crop=crop)
        return
    with console.capture() as captured:
        console.print(renderable, crop=crop)
    console.file.write("\n".join(line.rstrip() for line in captured.get().split("\n")))
    console.file.flush()


def _why(answer: Any) -> str:
    """What the right answer looks like at the precision the student wrote."""
    if answer.worst:
        return f"; {answer.worst}"
    if answer.rule.startswith("within"):
        return ", " + _("not {rule}").format(rule=answer.rule)
    # "rounds to 2 decimals", or "to 4 significant digits", compared at a decimal place too
    if answer.shown is not None and answer.rule.startswith(("rounds to", "to ")) and "." in answer.shown:
        decimals = len(answer.shown.split(".")[1])
        return "; " + ngettext("at {count} decimal that is {value}", "at {count} decimals that is {value}",
                               decimals).format(count=decimals, value=answer.shown)
    if answer.rule.startswith("shape"):
        return "; " + _("its shape is {shape}").format(shape=answer.rule.removeprefix("shape "))
    if answer.rule.startswith(("a single", "an array")):
        return "; " + _("it is {what}").format(what=answer.rule)
    if answer.rule.startswith("zero"):
        return "; " + _("not zero")
    if answer.rule.startswith("to "):  # significant digits past the decimal point (1.235e+20)
        return ", " + _("not {rule}").format(rule=answer.rule)
    return ""


def sections(trace: Trace, numbers: NumberFormat = DEFAULT) -> list[Any]:
    """The gradient check and the graded answers, when the trace carries them."""
    out: list[Any] = []
    if trace.check is not None:
        from rich.table import Table

        title = _("gradient check: central difference, h = {step}").format(step=f"{trace.check.step:g}")
        if trace.check.sampled:
            title += "; " + _("{count} of {total} variables, chosen at random").format(
                count=len(trace.check.variables), total=trace.check.total)
        check = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True, show_edge=False,
                      title=title, title_justify="left")
        for column, numeric in ((_("variable"), False), ("analytic", True), ("numerical", True),
                                (_("relative error"), True), (_("verdict"), False)):
            check.add_column(column, justify="right" if numeric else "left", overflow="fold")
        kink_notes = []
        for v in trace.check.variables:
            style = "red" if v.failed else ("yellow" if v.verdict != "good" else "green")
            check.add_row(v.name, numbers.text(v.analytic), numbers.text(v.numerical),
                          "-" if v.relative_error != v.relative_error else f"{v.relative_error:.1e}",
                          Text(_(v.verdict) + (" (kink)" if v.kinks else ""), style=style))
            if v.kinks:
                kink_notes.append(Text(_("note: {name} sits at a kink ({kinks}): the numerical gradient is unreliable "
                                         "there, so this is not counted as a failure").format(
                    name=v.name, kinks=", ".join(map(_, v.kinks))), style="yellow"))
        out += [Text(), check, *kink_notes]
    if trace.answers is not None:
        out += [Text(), Text(_("answers"), style="bold")]
        for a in trace.answers:
            line = Text()
            if a.correct:
                line.append("✓ ", style="green")
                line.append(f"{a.name} = {a.given}   ({a.refers_to} = {numbers.text(a.actual)})")
            else:
                line.append("✗ ", style="red")
                before, _sep, after = _("{name} = {given}   ({refers_to} is {true}{why})").partition("{true}")
                line.append(before.format(name=a.name, given=a.given, refers_to=a.refers_to))
                line.append(numbers.text(a.actual), style="bold")
                line.append(after.format(why=_why(a)))
            out.append(line)
            out += report_lines(a, numbers)
    return out
