"""--format csv: one row per edge (node, input), full precision, for spreadsheets.

Text cells that begin with = + - @ (or a tab or carriage return) get a leading ' so that a
spreadsheet shows them as text instead of running them as a formula (OWASP's advice); numbers are
written as numbers.

A gradient check adds the columns numerical, relative_error and check (filled on each variable's
rows); graded answers add answer and answer_correct (for a node's gradient) and value_answer and
value_answer_correct (for NAME.value), on the rows of the node they are about.

An answer's report (a wrong array answer's, or a right one's whose check from an upstream of ones
hides mistakes) adds nine columns after those, answer_ before each for a gradient's answer,
value_answer_ for a value's (each set only when some answer of its kind has a report), on the
same rows: relative_error (CS231n's max|a−b| / max(|a|+|b|), full precision; inf for a NaN or an
infinity), band (good, fine at kinks, suspicious or wrong), worst_index (the worst element's index,
as a JSON list), worst_given and worst_true (its two values), upstream (where the backward pass
started, in words), diagnosis (in words: the mistake that reproduces the answer, or "no known
mistake fits"), mistake (that mistake's key, as --json names it; empty when none fits) and warnings
(joined by "; "). A cell is empty where the report has no such part (no relative error or worst
element when the shapes differ).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from ..core.trace import Trace, jsonable

COLUMNS = ("node", "op", "expr", "value", "upstream", "input", "formula", "local", "downstream", "pattern")
CHECK_COLUMNS = ("numerical", "relative_error", "check")
ANSWER_COLUMNS = ("answer", "answer_correct", "value_answer", "value_answer_correct")
REPORT_COLUMNS = ("relative_error", "band", "worst_index", "worst_given", "worst_true", "upstream", "diagnosis",
                  "mistake", "warnings")


def render(trace: Trace) -> str:
    """The trace as CSV, all at once (chunks writes the same text a node at a time)."""
    return "".join(chunks(trace))


def chunks(trace: Trace) -> Iterator[str]:
    """The trace as CSV: the header line, then each node's rows as soon as they are made, output
    first; a node with no inputs (a variable) has one row with the input columns empty."""
    pieces: list[str] = []
    writer = csv.writer(SimpleNamespace(write=pieces.append), lineterminator="\n")
    write = writer.writerow

    def row_out(cells: list[Any]) -> None:
        write([_safe(c) if isinstance(c, str) else c for c in cells])
    checks = {v.name.split("[")[0].split(" ")[0]: v for v in trace.check.variables} if trace.check else None
    answers: dict[str, list[str]] = {}
    reports: dict[tuple[str, str], list[Any]] = {}  # (node, "answer" or "value_answer") -> its report's cells
    answer: Any
    for answer in trace.answers or ():
        target, _, attribute = answer.name.partition(".")
        node = trace.node(target).name
        cells = answers.setdefault(node, ["", "", "", ""])
        k = 2 if attribute == "value" else 0
        cells[k], cells[k + 1] = answer.given, "true" if answer.correct else "false"
        if answer.report is not None:
            reports[node, "value_answer" if attribute == "value" else "answer"] = _report_cells(answer.report)
    kinds = [kind for kind in ("answer", "value_answer") if any(k == kind for _node, k in reports)]
    writer.writerow(COLUMNS + (CHECK_COLUMNS if checks is not None else ()) +
                    (ANSWER_COLUMNS if trace.answers is not None else ()) +
                    tuple(f"{kind}_{column}" for kind in kinds for column in REPORT_COLUMNS))
    yield pieces.pop()
    for row in trace.rows():
        head = [row.name, row.op, row.expr, jsonable(row.value), jsonable(row.upstream)]
        pattern = "+".join(row.patterns)
        tail: list[Any] = []
        if checks is not None:
            v = checks.get(row.name)
            tail += ["", "", ""] if v is None else [jsonable(v.numerical), jsonable(v.relative_error),
                                                     v.verdict + (" (kink)" if v.kinks else "")]
        if trace.answers is not None:
            tail += answers.get(row.name, ["", "", "", ""])
        for kind in kinds:
            tail += reports.get((row.name, kind), [""] * len(REPORT_COLUMNS))
        edges = list(zip(row.inputs, row.formulas, row.local, row.downstream))
        if not edges:
            row_out(head + ["", "", "", "", pattern] + tail)
        for inp, form, g, d in edges:
            row_out(head + [inp, form, jsonable(g), jsonable(d), pattern] + tail)
        yield "".join(pieces)
        pieces.clear()


def _report_cells(report: Any) -> list[Any]:
    """A report's cells, by REPORT_COLUMNS: numbers in full precision, words as they are."""
    from ..core.errors import printable

    index = given = true = ""
    if report.worst is not None and not report.correct:
        index = "[" + ", ".join(map(str, report.worst[0])) + "]"
        given, true = jsonable(report.worst[1]), jsonable(report.worst[2])
    diagnosis = report.diagnosis
    mistake = "" if diagnosis is None or diagnosis.mistake is None else diagnosis.mistake.key
    words = [report.upstream, "" if diagnosis is None else diagnosis.text, mistake, "; ".join(report.warnings)]
    return ["" if report.error is None else jsonable(report.error), report.band or "", index, given, true,
            *(printable(w, one_line=True) for w in words)]


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
