"""--format csv: one row per edge (node, input), full precision, for spreadsheets."""

from __future__ import annotations

import csv
import io

from ..trace import Trace, jsonable

COLUMNS = ("node", "op", "expr", "value", "upstream", "input", "formula", "local", "downstream", "pattern")


def render(trace: Trace) -> str:
    """The trace as CSV; a node with no inputs (a variable) has one row with the input columns empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in trace.nodes:
        head = [row.name, row.op, row.expr, jsonable(row.value), jsonable(row.upstream)]
        pattern = "+".join(row.patterns)
        edges = list(zip(row.inputs, row.formulas, row.local, row.downstream))
        if not edges:
            writer.writerow(head + ["", "", "", "", pattern])
        for inp, form, g, d in edges:
            writer.writerow(head + [inp, form, jsonable(g), jsonable(d), pattern])
    return buffer.getvalue()
