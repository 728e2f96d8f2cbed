"""One student's graded submission as the results file of an autograding platform. These read
grade.py's result objects (Graded, Mark) and compute nothing: a question's points, its status and
the rule it was graded by are grade's.

Gradescope's results.json, by its specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format"): a top-level
score (required when the tests carry none), execution_time (seconds), output, visibility,
stdout_visibility, extra_data, and tests, each with score, max_score, name, number, output, tags,
visibility and extra_data; visibility is one of hidden, after_due_date, after_published, visible.

PrairieLearn's external grader results, by its specification
(https://prairielearn.readthedocs.io/en/latest/externalGrading/, "Grading results"): score, a
number in [0, 1], mandatory when the submission is gradable; gradable (false: "invalid, not
gradable", no attempt used) with format_errors, a string or a list of strings; message, output;
and tests, each with name, description, points, max_points, message and output. The file must
stay under 1 MB.

Both are encoded as JSON Schemas in gradtrace/schema/, which the tests hold every output to.

A student sees these files, so a wrong answer's true value is never in them: each test says
right, wrong (and the rule the answer was held to), missing, or why the answer could not be read.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..i18n import _
from ..teach.grade import Graded, Mark, number_text, shown

VISIBILITY = ("visible", "hidden", "after_due_date", "after_published")
MAX_TEXT = 2000  # characters of one message kept: PrairieLearn's whole file must stay under 1 MB


def _clip(text: str) -> str:
    text = shown(text)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _number(value: Decimal | None) -> float | int:
    if value is None:
        return 0
    return int(value) if value == value.to_integral_value() else float(value)


def verdict(mark: Mark) -> str:
    """What one question's test says to the student: never the true value."""
    if mark.status == "right":
        return _("right: {given}").format(given=mark.given_text)
    if mark.status == "wrong":
        return _("wrong: {given} (graded: {rule})").format(given=mark.given_text, rule=mark.rule)
    if mark.status == "missing":
        return _("missing: this question was not answered")
    return _("could not be read: {error}").format(error=str(mark.error) if mark.error is not None else "")


def summary_line(g: Graded) -> str:
    """One line about the whole submission."""
    if g.error is not None:
        return _("the submission could not be graded: {error}").format(error=str(g.error))
    score, out_of = g.score
    line = _("{score} of {out_of} points: {right} right, {wrong} wrong, {missing} missing").format(
        score=number_text(score), out_of=number_text(out_of), right=g.count("right"), wrong=g.count("wrong"),
        missing=g.count("missing"))
    if g.count("error"):
        line += "; " + _("{count} could not be read").format(count=g.count("error"))
    if g.note:
        line += " [" + shown(g.note) + "]"
    return line


def gradescope(g: Graded, visibility: str = "visible", execution_time: float | None = None) -> dict[str, Any]:
    """Gradescope's results.json for one submission (see the module's docstring for the fields)."""
    score, _out_of = g.score
    data: dict[str, Any] = {"score": _number(score), "output": _clip(summary_line(g)), "visibility": visibility,
                            "stdout_visibility": "hidden"}
    if execution_time is not None:
        data["execution_time"] = max(0, round(execution_time))
    data["tests"] = [{"name": shown(m.name), "number": str(k), "score": _number(m.earned),
                      "max_score": _number(m.points), "output": _clip(verdict(m)),
                      "tags": [m.status], "visibility": visibility}
                     for k, m in enumerate(g.marks, 1)]
    return data


def prairielearn(g: Graded) -> dict[str, Any]:
    """PrairieLearn's results.json for one submission: a file that could not be read is not
    gradable (the student keeps the attempt) and says why in format_errors."""
    if g.error is not None:
        message = _clip(summary_line(g))
        return {"gradable": False, "format_errors": [message], "message": message, "tests": []}
    score, out_of = g.score
    assert score is not None and out_of is not None
    fraction = float(score / out_of) if out_of else (1.0 if g.passed else 0.0)
    return {"gradable": True, "score": min(1.0, max(0.0, fraction)), "message": _clip(summary_line(g)),
            "tests": [{"name": shown(m.name), "description": shown(m.refers_to), "points": _number(m.earned),
                       "max_points": _number(m.points), "message": _clip(verdict(m)),
                       "output": _clip(m.rule or m.status)}
                      for m in g.marks]}


def to_json(data: dict[str, Any]) -> str:
    """Strict JSON, valid UTF-8."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
