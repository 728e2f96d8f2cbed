"""The class report: per question, how many students made each misconception and how many answers
followed through from an earlier slip; per student, their slips, what each follows from, and
feedback a student can read. Built once as plain data (every text a submission controls already
made printable by grade.shown), which the JSON and CSV here, the Markdown renderer and the CLI's
table all read, so no two outputs can disagree.

A percentage is of the students graded who were asked the question. An answer that fits several
misconceptions counts once under each, and is counted as ambiguous too.
"""

from __future__ import annotations

import json
from typing import Any

from ..i18n import _, ngettext
from .grade import Graded, _cell, _number, number_text, questions_of, shown
from .marking import label


def percent(count: int, of: int) -> int:
    """A whole percentage, as a report shows it (half up: 1 of 8 is 13%)."""
    return int(100 * count / of + 0.5) if of else 0


def line(percentage: int, what: str, question: str) -> str:
    """One line of the class report: "23% did not add the copy gate's branches at x"."""
    return _("{percent}% {what} at {question}").format(percent=percentage, what=what, question=question)


def build(graded: list[Graded]) -> dict[str, Any]:
    """The class report as data (see the module's docstring)."""
    questions: list[dict[str, Any]] = []
    for q in questions_of(graded):
        marks = [m for g in graded if g.error is None for m in g.marks if m.name == q]
        asked = len(marks)
        counts: dict[str, int] = {}
        ambiguous = 0
        for m in marks:
            for key in dict.fromkeys(x.key for x in m.misconceptions):
                counts[key] = counts.get(key, 0) + 1
            ambiguous += len(m.misconceptions) > 1
        follows = sum(bool(m.follows) for m in marks)
        wrong = sum(m.status == "wrong" for m in marks)
        slips = sum(m.status == "wrong" and not m.follows for m in marks)
        unexplained = sum(m.status == "wrong" and not m.follows and not m.misconceptions for m in marks)
        entries = [{"key": key, "label": label(key), "count": n, "percent": percent(n, asked),
                    "text": shown(line(percent(n, asked), label(key), q))}
                   for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        questions.append({
            "question": shown(q), "asked": asked, "right": sum(m.status == "right" for m in marks), "wrong": wrong,
            "slips": slips, "unexplained": unexplained, "ambiguous": ambiguous, "misconceptions": entries,
            "follow_throughs": {"count": follows, "percent": percent(follows, asked),
                                "text": shown(line(percent(follows, asked), _("followed through from an earlier slip"),
                                                   q))}})
    students = []
    for g in graded:
        score, out_of = g.score
        entry: dict[str, Any] = {"student": shown(g.student), "file": shown(g.path), "score": _number(score),
                                 "out_of": _number(out_of)}
        if g.error is not None:
            entry.update(error=shown(g.error), findings=[])
        else:
            findings = []
            for m in g.marks:
                if m.status != "wrong":
                    continue
                report = m.answer.report if m.answer is not None else None
                findings.append({
                    "question": shown(m.name), "given": m.given_text,
                    "kind": "follows through" if m.follows else "slip",
                    "follows_from": [shown(s) for s in m.follows],
                    "credit": _number(m.credit) if m.follows else None,
                    "misconceptions": [m_.key for m_ in m.misconceptions],
                    "labels": [m_.label for m_ in m.misconceptions],
                    "ambiguous": len(m.misconceptions) > 1,
                    "feedback": m.feedback or None,
                    "report": _report_lines(report, m)})
            entry.update(error=None, findings=findings)
        students.append(entry)
    graded_ok = [g for g in graded if g.error is None]
    return {"questions": questions, "students": students,
            "summary": {"students": len(graded), "graded": len(graded_ok),
                        "slips": sum(len(g.slips) for g in graded_ok),
                        "follow_throughs": sum(len(g.follow_throughs) for g in graded_ok),
                        "misconceptions": sum(bool(m.misconceptions) for g in graded_ok for m in g.marks)}}


def basis(report: dict[str, Any]) -> str:
    """What the percentages are of, for the people reading them: the students graded, and the files
    that could not be graded left out of the count (each is listed with its error)."""
    summary = report["summary"]
    graded, failed = summary["graded"], summary["students"] - summary["graded"]
    text = ngettext("Percentages are of the {count} student graded.",
                    "Percentages are of the {count} students graded.", graded).format(count=graded)
    if failed:
        text += " " + ngettext("{count} file could not be graded and is not counted: its error is below.",
                               "{count} files could not be graded and are not counted: their errors are below.",
                               failed).format(count=failed)
    return text


def to_json(report: dict[str, Any]) -> str:
    """The class report as one strict JSON document."""
    return json.dumps(report, ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def to_csv(report: dict[str, Any]) -> str:
    """The class report as one CSV: a row per question and finding (scope "class": counts and
    percentages), then a row per student and wrong answer (scope "student": what it is, what it
    follows from, the misconceptions and the feedback)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["scope", "student", "file", "question", "kind", "misconceptions", "follows_from", "count",
                     "of", "percent", "text"])
    for q in report["questions"]:
        for entry in q["misconceptions"]:
            writer.writerow(["class", "", "", _cell(q["question"]), "misconception", entry["key"], "", entry["count"],
                             q["asked"], entry["percent"], _cell(entry["text"])])
        follows = q["follow_throughs"]
        if follows["count"]:
            writer.writerow(["class", "", "", _cell(q["question"]), "follows through", "", "", follows["count"],
                             q["asked"], follows["percent"], _cell(follows["text"])])
    for s in report["students"]:
        if s["error"] is not None:
            writer.writerow(["student", _cell(s["student"]), _cell(s["file"]), "", "error", "", "", "", "", "",
                             _cell(s["error"])])
        for f in s["findings"]:
            writer.writerow(["student", _cell(s["student"]), _cell(s["file"]), _cell(f["question"]), f["kind"],
                             " ".join(f["misconceptions"]), _cell("; ".join(f["follows_from"])), "", "", "",
                             _cell(" ".join([f["feedback"] or "", *f["report"]]).strip())])
    return out.getvalue()


def _report_lines(report: Any, mark: Any) -> list[str]:
    """An array answer's report (diagnose.py) under a slip: its relative error, worst element and
    diagnosis (the diagnosis left out when it is already the misconception named); none under a
    follow-through, which its slip explains."""
    if report is None or mark.follows:
        return []
    return [shown(text) for kind, text in zip(report.kinds(), report.lines())
            if not (kind == "diagnosis" and mark.misconceptions)]


def score_text(student: dict[str, Any]) -> str:
    if student["score"] is None:
        return "—"
    return f"{number_text(_decimal(student['score']))}/{number_text(_decimal(student['out_of']))}"


def _decimal(value: Any) -> Any:
    from decimal import Decimal

    return None if value is None else Decimal(str(value))
