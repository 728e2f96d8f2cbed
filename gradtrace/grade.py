"""Grading a class: many submissions in one process, each a TOML or JSON file that may carry its
own problem (expression, bindings) next to its answers, or answers only, graded against a key.

    # alice.toml
    student = "Alice"            # optional: the file's name otherwise
    expression = "(x+y)*z"
    bindings = { x = -2, y = 5, z = -4 }
    [answers]
    x = -4
    z = 3
    q.value = 3                  # a node's value; x is ∂f/∂x, q its upstream gradient

Every answer is graded by the one rule (answers.py). A file that can't be read or graded is that
student's error and never stops the others.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .answers import (
    DEFAULT_PRECISION,
    SYMBOLIC_RULE,
    Answer,
    Expected,
    Tolerance,
    check_answers,
    check_symbolic_answers,
    flatten_answers,
)
from .core.bindings import Binding, read_document
from .core.errors import GradtraceError
from .i18n import _


class Graded:
    """One student's result: their answers graded, or the error that stopped their file."""

    __slots__ = ("answers", "error", "note", "path", "student")

    def __init__(self, student: str, path: str, answers: list[Answer] | None = None,
                 error: GradtraceError | None = None, note: str | None = None):
        self.student, self.path, self.answers, self.error, self.note = student, path, answers, error, note

    @property
    def score(self) -> tuple[int, int]:
        answers = self.answers or []
        return sum(a.correct for a in answers), len(answers)

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.answers) and all(a.correct for a in self.answers or [])

    def to_dict(self) -> dict[str, Any]:
        right, total = self.score
        data: dict[str, Any] = {"student": self.student, "file": self.path, "right": right, "questions": total,
                                "passed": self.passed}
        if self.error is not None:
            data["error"] = {"kind": self.error.kind, "message": str(self.error), "hint": self.error.hint}
        else:
            data["answers"] = [a.to_dict() for a in self.answers or []]
        if self.note:
            data["note"] = self.note
        return data


def read_file(path: str) -> dict[str, Any]:
    """A submission or key: TOML (.toml) or JSON, as a mapping; numbers keep their written text."""
    data = read_document(Path(path).read_text(encoding="utf-8"), path, path.endswith(".toml"))
    if not isinstance(data, dict):
        raise GradtraceError(_("{path}: expected a mapping with expression, bindings and answers").format(path=path))
    return data


def problem_of(data: dict[str, Any], origin: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """(expression, bindings) from a mapping with `expression` and `bindings`."""
    expression = data.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        raise GradtraceError(_("{origin}: no expression").format(origin=origin), hint=_('write expression = "(x+y)*z"'))
    bindings = data.get("bindings", {})
    if not isinstance(bindings, dict):
        raise GradtraceError(_("{origin}: bindings must be a mapping such as {{ x = 2 }}").format(origin=origin))
    return expression, tuple(sorted((str(k), _plain(v)) for k, v in bindings.items()))


def _plain(value: Any) -> Any:
    """A binding as the engine reads it: the number text the file was read with ("0.5", kept so
    that answers are graded at their written decimals) back to a number."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value  # refused, with the file named, when the binding is read
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def grade(paths: list[str], key: str | None = None, tol: Tolerance | None = None,
          precision: int = DEFAULT_PRECISION) -> list[Graded]:
    """Grade every file, in order. The trace of each distinct problem is computed once."""
    from .core.run import run_program

    key_problem = problem_of(read_file(key), key) if key is not None else None
    traces: dict[Any, Any] = {}
    out = []
    for path in paths:
        student = Path(path).stem
        try:
            data = read_file(path)
            student = str(data.get("student") or student)
            note = None
            if key_problem is not None:
                problem = key_problem
                if "expression" in data and problem_of(data, path) != key_problem:
                    note = "the file's own problem differs from the key's; graded against the key"
            else:
                problem = problem_of(data, path)
            answers = data.get("answers")
            if not isinstance(answers, dict) or not answers:
                raise GradtraceError(
                    _("{path}: no answers").format(path=path), hint=_("write them under [answers], e.g. x = -4")
                )
            if problem not in traces:
                expression, bindings = problem
                items = [Binding(k, v, source=key or path) for k, v in bindings]
                traces[problem] = run_program(expression, items)
            result = traces[problem]
            folder = os.path.dirname(path) or "."
            expected = [Expected(name, value, f"{name} in {path}", folder)
                        for name, value in flatten_answers(answers, origin=path)]
            if result.numeric is None:  # no bindings: the answers are expressions (∂f/∂z = x + y)
                if tol is not None:
                    raise GradtraceError(_("{path}: the problem has no bindings, so its answers are expressions, "
                                           "and --tol compares numbers").format(path=path))
                graded = check_symbolic_answers(result.graph, expected)
            else:
                graded = check_answers(result.numeric, expected, tol, precision)
            out.append(Graded(student, path, graded, note=note))
        except GradtraceError as err:
            out.append(Graded(student, path, error=err))
        except (OSError, UnicodeDecodeError) as exc:
            out.append(
                Graded(
                    student,
                    path,
                    error=GradtraceError(
                        _("{path}: {value}").format(path=path, value=getattr(exc, "strerror", None) or exc)
                    ),
                )
            )
    return out


def most_missed(graded: list[Graded]) -> list[tuple[str, int, int]]:
    """(question, how many got it wrong, how many answered it), the most missed first."""
    asked: dict[str, list[int]] = {}
    for g in graded:
        for a in g.answers or []:
            counts = asked.setdefault(a.name, [0, 0])
            counts[0] += not a.correct
            counts[1] += 1
    ranked = sorted(asked.items(), key=lambda item: (-item[1][0], item[0]))
    return [(name, wrong, total) for name, (wrong, total) in ranked if wrong]


def to_json(graded: list[Graded]) -> str:
    document = {"students": [g.to_dict() for g in graded],
                "most_missed": [{"question": q, "wrong": w, "answered": n} for q, w, n in most_missed(graded)],
                "passed": all(g.passed for g in graded)}
    from .core.trace import jsonable

    def safe(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: safe(v) for k, v in value.items()}
        if isinstance(value, list):
            return [safe(v) for v in value]
        return jsonable(value) if isinstance(value, float) else value

    return json.dumps(safe(document), ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def to_csv(graded: list[Graded], precision: int = DEFAULT_PRECISION) -> str:
    """One row per student and question (the gradebook): answer, true value, verdict, rule."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "file", "question", "refers_to", "answer", "true_value", "verdict", "rule"])
    for g in graded:
        if g.error is not None:
            writer.writerow([_cell(g.student), _cell(g.path), "", "", "", "", "error", _cell(str(g.error))])
            continue
        for a in g.answers or []:
            if a.rule == SYMBOLIC_RULE:  # an expression: the text symbolic mode prints
                from .render import fmt

                true_value = _cell(fmt(a.actual))
            else:
                actual = a.actual.tolist() if hasattr(a.actual, "tolist") else float(a.actual)
                true_value = repr(actual) if isinstance(actual, float) else json.dumps(actual)
            writer.writerow([_cell(g.student), _cell(g.path), _cell(a.name), a.refers_to, _cell(str(a.given)),
                             true_value,
                             "right" if a.correct else "wrong", a.rule])
    return out.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run: text that starts like a formula gets a leading '."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
