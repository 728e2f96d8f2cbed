"""--format csv: one row per edge (node, input), full precision, for spreadsheets.

Text cells that begin with = + - @ (or a tab or carriage return) get a leading ' so that a
spreadsheet shows them as text instead of running them as a formula (OWASP's advice); numbers are
written as numbers.

A gradient check adds the columns numerical, relative_error and check (filled on each variable's
rows); graded answers add answer and answer_correct (for a node's gradient) and value_answer and
value_answer_correct (for NAME.value), on the rows of the node they are about.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..core.trace import Trace, jsonable

COLUMNS = ("node", "op", "expr", "value", "upstream", "input", "formula", "local", "downstream", "pattern")
CHECK_COLUMNS = ("numerical", "relative_error", "check")
ANSWER_COLUMNS = ("answer", "answer_correct", "value_answer", "value_answer_correct")


def render(trace: Trace) -> str:
    """The trace as CSV; a node with no inputs (a variable) has one row with the input columns empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    write = writer.writerow

    def row_out(cells: list[Any]) -> None:
        write([_safe(c) if isinstance(c, str) else c for c in cells])
    checks = {v.name.split("[")[0].split(" ")[0]: v for v in trace.check.variables} if trace.check else None
    answers: dict[str, list[str]] = {}
    answer: Any
    for answer in trace.answers or ():
        target, _, attribute = answer.name.partition(".")
        cells = answers.setdefault(trace.node(target).name, ["", "", "", ""])
        k = 2 if attribute == "value" else 0
        cells[k], cells[k + 1] = answer.given, "true" if answer.correct else "false"
    writer.writerow(COLUMNS + (CHECK_COLUMNS if checks is not None else ()) +
                    (ANSWER_COLUMNS if trace.answers is not None else ()))
    for row in trace.nodes:
        head = [row.name, row.op, row.expr, jsonable(row.value), jsonable(row.upstream)]
        pattern = "+".join(row.patterns)
        tail: list[Any] = []
        if checks is not None:
            v = checks.get(row.name)
            tail += ["", "", ""] if v is None else [jsonable(v.numerical), jsonable(v.relative_error),
                                                     v.verdict + (" (kink)" if v.kinks else "")]
        if trace.answers is not None:
            tail += answers.get(row.name, ["", "", "", ""])
        edges = list(zip(row.inputs, row.formulas, row.local, row.downstream))
        if not edges:
            row_out(head + ["", "", "", "", pattern] + tail)
        for inp, form, g, d in edges:
            row_out(head + [inp, form, jsonable(g), jsonable(d), pattern] + tail)
    return buffer.getvalue()


def _safe(cell: str) -> str:
    """A text cell a spreadsheet won't run: a formula-like start gets a leading '. A cell that is
    itself a number (-1, a formula's constant) stays as it is."""
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(cell)
            return cell
        except ValueError:
            return "'" + cell
    return cell
