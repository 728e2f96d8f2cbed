"""A graded array answer's report under its verdict, in the table: CS231n's relative error and
its band, the worst element, the upstream it was checked from, the diagnosis and the warnings
(modes/diagnose.py computes them; this only lays them out)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..core.numbers import DEFAULT, NumberFormat

STYLES = {"diagnosis": "bold", "warning": "yellow"}


def report_lines(answer: Any, numbers: NumberFormat = DEFAULT) -> list[Text]:
    """The lines under one answer's verdict, numbers as `numbers` shows them: none when it carries
    no report."""
    report = getattr(answer, "report", None)
    if report is None:
        return []
    out = []
    for line, kind in zip(report.lines(numbers.text), report.kinds()):
        out.append(Text("    " + line, style=STYLES.get(kind, "")))
    return out
