"""A graded array answer's report under its verdict: CS231n's relative error and its band, the
worst element, the upstream it was checked from, the diagnosis and the warnings
(modes/diagnose.py computes them; this only lays them out): as lines under the table's verdict,
and as labelled parts for the formats that lay them out themselves (markdown, LaTeX, the page)."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from ..core.errors import printable
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import _

STYLES = {"diagnosis": "bold", "warning": "yellow"}
# The parts of a report, in the order every format shows them.
PARTS = ("error", "worst", "upstream", "diagnosis", "warnings")


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


def reported(trace: Any) -> list[Any]:
    """The graded answers that carry a report (every wrong array answer, and a right one whose
    check from an upstream of ones hides mistakes), in the order they were given."""
    return [a for a in trace.answers or () if getattr(a, "report", None) is not None]


def labels() -> dict[str, str]:
    """Each part's label, in the language of the moment."""
    return {"error": _("relative error"), "worst": _("worst element: yours / true"), "upstream": _("upstream"),
            "diagnosis": _("diagnosis"), "warnings": _("warnings")}


def report_parts(report: Any, numbers: NumberFormat = DEFAULT) -> dict[str, str | None]:
    """A report's parts as plain text, by PARTS (None where it has none: no relative error or worst
    element when the shapes differ, no diagnosis for a right answer, no warnings): the relative
    error with its band, "[1, 2]: yours / true", the upstream, the diagnosis or "no known mistake
    fits", the warnings joined. Text that may hold a submission's is made printable."""
    error = None if report.error is None else f"{report.error:.1e} ({report.band_text})"
    worst = None
    if report.worst is not None and not report.correct:
        index, given, true = report.worst
        worst = f"[{', '.join(map(str, index))}]: {numbers.text(given)} / {numbers.text(true)}"
    diagnosis = None if report.diagnosis is None else report.diagnosis.text
    warnings = "; ".join(report.warnings) or None
    parts = {"error": error, "worst": worst, "upstream": report.upstream, "diagnosis": diagnosis, "warnings": warnings}
    return {key: None if text is None else printable(text, one_line=True) for key, text in parts.items()}
