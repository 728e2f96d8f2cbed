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
    "q->x.local" = 1             # a wire (wires.py): gate q's local gradient for x, and
    "q->x.downstream" = -4       # the downstream gradient q sends x

The questions: a key's [answers] names them (its values are not used: the trace is the truth), and
its [points] table gives any question other than 1 point (x = 2, "q.value" = 0.5). A key without
[answers], or no key, asks what a teacher asks of a circuit: the gradient of the output with
respect to every input (not a label such as cross_entropy's y, which has none); without a key,
any other answer a file gives is graded and counts as a question too. A score is the points of
the right answers out of the points of every question; a question the file doesn't answer is
missing, and an answer that can't be read (blank, "-2,0") is that answer's error alone.

A key may set `follow_through` ("full", the default, "none", or a fraction such as 0.5): the share
of its points a wrong answer earns when it follows through from the student's own earlier slip,
and `upstream`, the problem's ∂f/∂f, the upstream gradient its backward pass starts from (`seed`
is a random seed: with `upstream = "random"`, the one it is drawn from). Each wrong answer is
marked (marking.py): what it follows through from, or the typical mistakes that reproduce it.

Every answer is graded by the one rule (answers.py). A file that can't be read or graded (not a
regular file, too large, not TOML, over its time limit) is that student's error and never stops
the others.
"""

from __future__ import annotations

import json
import math
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..core.bindings import read_document
from ..core.errors import ExitCode, GradtraceError, printable
from ..core.graph import Report
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import _
from ..modes.answers import SYMBOLIC_RULE, Answer, Expected, Tolerance, flatten_answers

MAX_FILE = 4 << 20      # bytes: a submission or key is a page of text, never this large
TIME_LIMIT = 60.0       # seconds one submission may take to grade, by default
MAX_POINTS = Decimal(10 ** 6)
MAX_NAME = 200          # characters of a student's name that are kept


def shown(text: Any) -> str:
    """Any text a submission controls, as every output shows it: printable, on one line."""
    return printable(str(text), one_line=True)


class Mark:
    """One question of one submission: what it is worth, and whether it was answered right,
    wrong, not at all (missing), or with something that can't be graded (error)."""

    __slots__ = ("answer", "credit", "error", "finding", "given", "name", "points", "status", "truth")

    def __init__(self, name: str, points: Decimal, status: str, answer: Answer | None = None,
                 error: GradtraceError | None = None, given: Any = None, truth: Answer | None = None):
        self.name, self.points, self.status = name, points, status
        self.answer = answer  # the graded answer (right or wrong)
        self.error = error    # why the answer could not be graded
        self.given = given    # the answer as written, when it could not be graded
        self.truth = truth    # a missing question's true value, as an Answer graded against it
        self.finding: Any = None  # marking.Finding of a wrong answer: what it follows from, or its misconceptions
        self.credit = Decimal(1)  # the share of the points a follow-through earns (the key's follow_through)

    @property
    def follows(self) -> tuple[str, ...]:
        """The slips a wrong answer follows through from (none: it is not a follow-through)."""
        return self.finding.follows if self.finding is not None and self.status == "wrong" else ()

    @property
    def misconceptions(self) -> tuple[Any, ...]:
        return self.finding.misconceptions if self.finding is not None and self.status == "wrong" else ()

    @property
    def earned(self) -> Decimal:
        if self.status == "right":
            return self.points
        return self.points * self.credit if self.follows else Decimal(0)

    @property
    def feedback(self) -> str:
        """What a student reads about this answer (empty for a right one, or a slip nothing explains)."""
        return shown(self.finding.feedback(self.name)) if self.finding is not None and self.status == "wrong" else ""

    @property
    def actual(self) -> Any:
        source = self.answer or self.truth
        return source.actual if source is not None else None

    @property
    def refers_to(self) -> str:
        source = self.answer or self.truth
        return source.refers_to if source is not None else self.name

    @property
    def rule(self) -> str:
        return self.answer.rule if self.answer is not None else ""

    @property
    def given_text(self) -> str:
        if self.answer is not None:
            return shown(self.answer.given)
        return "" if self.given is None or isinstance(self.given, GradtraceError) else shown(
            self.given if isinstance(self.given, str) else json.dumps(self.given))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": shown(self.name), "status": self.status, "points": _number(self.points),
                                "earned": _number(self.earned)}
        source = self.answer or self.truth
        if source is not None:
            data.update(source.to_dict())
            data["name"] = shown(self.name)
            if self.answer is None:
                data.update(rule=None, worst=None)
        else:
            data.update(refers_to=shown(self.name), actual=None, rule=None, worst=None)
        data["given"] = self.given_text if self.status in ("right", "wrong", "error") else None
        data["correct"] = self.status == "right"
        for key in ("given", "worst", "refers_to"):
            if isinstance(data.get(key), str):
                data[key] = shown(data[key])
        if self.error is not None:
            data["error"] = _error_dict(self.error)
        data["follows_through"] = {"from": [shown(s) for s in self.follows], "credit": _number(self.credit)} \
            if self.follows else None
        data["misconceptions"] = [{k: shown(v) for k, v in m.to_dict().items()} for m in self.misconceptions]
        data["ambiguous"] = len(self.misconceptions) > 1
        data["feedback"] = self.feedback or None
        return data


class Graded:
    """One student's result: their marks, one per question, or the error that stopped their file."""

    __slots__ = ("error", "marks", "not_asked", "note", "out_of", "path", "student")

    def __init__(self, student: str, path: str, marks: list[Mark] | None = None,
                 error: GradtraceError | None = None, note: str | None = None,
                 not_asked: list[str] | None = None, out_of: Decimal | None = None):
        self.student, self.path, self.marks, self.error = student, path, marks or [], error
        self.note, self.not_asked = note, not_asked or []
        self.out_of = out_of if marks is None else sum((m.points for m in self.marks), Decimal(0))

    @property
    def score(self) -> tuple[Decimal | None, Decimal | None]:
        """(points earned, points of every question); None for a file that could not be graded."""
        if self.error is not None:
            return None, self.out_of
        return sum((m.earned for m in self.marks), Decimal(0)), self.out_of

    def count(self, status: str) -> int:
        return sum(m.status == status for m in self.marks)

    @property
    def slips(self) -> list[str]:
        """The wrong answers that do not follow through from another: where the student went wrong."""
        return [m.name for m in self.marks if m.status == "wrong" and not m.follows]

    @property
    def follow_throughs(self) -> list[Mark]:
        return [m for m in self.marks if m.follows]

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.marks) and all(m.status == "right" for m in self.marks)

    def to_dict(self) -> dict[str, Any]:
        score, out_of = self.score
        data: dict[str, Any] = {
            "student": shown(self.student), "file": shown(self.path),
            "score": _number(score), "out_of": _number(out_of),
            "right": self.count("right"), "wrong": self.count("wrong"), "missing": self.count("missing"),
            "errors": self.count("error"), "questions": len(self.marks) if self.error is None else None,
            "passed": self.passed}
        if self.error is None:
            data["slips"] = [shown(n) for n in self.slips]
            data["follow_throughs"] = len(self.follow_throughs)
            data["misconceptions"] = sorted({m.key for mark in self.marks for m in mark.misconceptions})
        if self.error is not None:
            data["error"] = _error_dict(self.error)
        else:
            data["answers"] = [m.to_dict() for m in self.marks]
        if self.not_asked:
            data["not_asked"] = [shown(n) for n in self.not_asked]
        if self.note:
            data["note"] = shown(self.note)
        return data


def _error_dict(err: GradtraceError) -> dict[str, Any]:
    return {"kind": err.kind, "message": shown(err), "hint": shown(err.hint) if err.hint else None}


def _number(value: Decimal | None) -> int | float | None:
    """Points for JSON: 2, not 2.0; 0.5 stays 0.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def number_text(value: Decimal | None) -> str:
    """Points as text: 2, 0.5, 8.5 (never 2.0 or 8.50)."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# ---- reading ------------------------------------------------------------------------------------

def read_file(path: str) -> dict[str, Any]:
    """A submission or key: TOML (.toml) or JSON, as a mapping; numbers keep their written text.
    It must be a regular file of at most MAX_FILE bytes (files.read_regular)."""
    from ..core.reading import read_regular

    try:
        text = read_regular(path, MAX_FILE).decode("utf-8")
    except UnicodeDecodeError:
        raise GradtraceError(_("{path}: not a UTF-8 text file").format(path=path)) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():  # the same verdict for an empty .toml (valid TOML) and .json (invalid JSON)
        raise GradtraceError(_("{path}: the file is empty").format(path=path))
    data = read_document(text, path, path.endswith(".toml"))
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


def upstream_of(data: dict[str, Any], origin: str) -> Any:
    """A problem's upstream, the gradient ∂f/∂f its backward pass starts from, when it gives one: a
    number, "ones" or "random:N" ("random" with `seed = N`, the random seed, is random:N). A `seed`
    is the random seed alone: anything else there (the upstream it once was) is an error naming
    `upstream`, never read as something it may not mean."""
    upstream, seed = data.get("upstream"), data.get("seed")
    if seed is not None:
        text = str(seed).strip() if isinstance(seed, (str, int)) and not isinstance(seed, bool) else None
        if text is None or not (text.isascii() and text.isdigit()) or len(text) > 18:
            raise GradtraceError(_("{origin}: seed is the random seed (a whole number ≥ 0), not {value}; the upstream "
                                   "gradient the backward pass starts from is upstream = {value}").format(
                origin=origin, value=str(seed)[:40]))
        if upstream != "random":
            raise GradtraceError(_("{origin}: seed = {value} is the random seed, and nothing in the problem is "
                                   "random; the upstream gradient the backward pass starts from is upstream = "
                                   "{value}").format(origin=origin, value=text))
        return f"random:{int(text)}"
    if upstream is None:
        return None
    if isinstance(upstream, (int, float)) and not isinstance(upstream, bool) and math.isfinite(upstream):
        return float(upstream)
    if isinstance(upstream, str):
        try:
            return float(upstream)  # a number read with its written text
        except ValueError:
            if upstream == "ones" or upstream.startswith("random:"):
                return upstream
            if upstream == "random":
                raise GradtraceError(_("{origin}: upstream = \"random\" needs its random seed, so that every "
                                       "answer is graded from the same upstream: give seed = N too, or write "
                                       "upstream = \"random:N\"").format(origin=origin)) from None
    raise GradtraceError(_("{origin}: upstream must be a number, \"ones\" or \"random:N\", not {value}").format(
        origin=origin, value=str(upstream)[:40]))


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


class Problem:
    """One problem's trace, computed once for every file that answers it, and what it asks."""

    __slots__ = ("graph", "noise", "numeric", "seed", "truths")

    def __init__(self, expression: str, bindings: tuple[tuple[str, Any], ...], origin: str, seed: Any = None):
        from ..core.bindings import Binding
        from ..core.graph import build
        from ..modes.run import run_program

        self.truths: dict[str, Answer] = {}
        self.seed = seed  # the upstream ∂f/∂f, when the problem gives one (a number, "ones" or "random:N")
        self.noise: Any = None  # the trace's float noise, measured once for marking
        if bindings:
            result = run_program(expression, [Binding(k, v, source=origin) for k, v in bindings], seed=seed)
            self.graph, self.numeric = result.graph, result.numeric
        else:  # no bindings: symbolic, and only the unsimplified truth the answers are compared with
            self.graph = build(expression)
            self.numeric = run_program(expression, graph=self.graph).numeric if not self.graph.variables else None

    def asks(self) -> list[str]:
        """The questions a problem asks without a key: ∂out/∂v for every input v that has one."""
        names = [v.name for v in self.graph.variables]
        if self.numeric is None:
            return names
        return [name for name in names if self.numeric.node(name).upstream is not None]

    def check(self, expected: list[Expected], tol: Tolerance | None,
              numbers: NumberFormat) -> dict[str, Answer | GradtraceError]:
        """Each answer graded, or the error that stopped it: all at once, then, if any answer is
        refused, one by one, so that one bad answer is its own error and the others are graded."""
        from ..modes.answers import check_answers, check_symbolic_answers

        def check(items: list[Expected]) -> list[Answer]:
            from .wires import check_wires, is_wire

            wires = [item for item in items if is_wire(item.name)]
            if wires and self.numeric is None:
                raise GradtraceError(_("{origin}: wires are asked of a problem with bindings").format(
                    origin=wires[0].origin))
            if self.numeric is None:
                return check_symbolic_answers(self.graph, items)
            nodes = [item for item in items if not is_wire(item.name)]
            answers = check_answers(self.numeric, nodes, tol, numbers) if nodes else []
            if self.numeric.arrays:  # a wrong array's report: its relative error and diagnosis (diagnose.py)
                from ..modes.diagnose import attach_reports

                attach_reports(self.numeric, answers, tol, numbers, self.seed)
            found = {a.name: a for a in answers}
            if wires:
                from ..modes.answers import float_noise

                if self.noise is None:
                    self.noise = float_noise(self.numeric)
                found.update((a.name, a) for a in check_wires(self.numeric, wires, tol, numbers, self.noise))
            return [found[item.name] for item in items]

        try:
            return dict(zip((e.name for e in expected), check(expected)))
        except GradtraceError:
            out: dict[str, Answer | GradtraceError] = {}
            for item in expected:
                try:
                    out[item.name] = check([item])[0]
                except GradtraceError as err:
                    out[item.name] = err
            return out

    def truth(self, names: list[str], origin: str, numbers: NumberFormat, strict: bool = True) -> dict[str, Answer]:
        """Each question's true value (and what it refers to), as an answer of 0 graded against
        it. A name the problem doesn't have is an error (a key's), or, not strict, left out."""
        todo = [n for n in names if n not in self.truths]
        if todo:
            found = self.check([Expected(n, "0", f"{n} in {origin}") for n in todo], None, numbers)
            for name, answer in found.items():
                if isinstance(answer, GradtraceError):
                    if strict:
                        raise answer
                    continue
                self.truths[name] = answer
        return {n: self.truths[n] for n in names if n in self.truths}


class Key:
    """The problem every submission answers, its questions and their points."""

    __slots__ = ("credit", "path", "points", "problem", "questions", "spec")

    def __init__(self, path: str, numbers: NumberFormat):
        from .marking import credit_of

        data = read_file(path)
        self.path = path
        _known_fields(data, path)
        self.spec = problem_of(data, path)
        self.problem = Problem(*self.spec, path, seed=upstream_of(data, path))
        self.credit = Decimal(str(credit_of(data.get("follow_through"), path)))
        answers = data.get("answers")
        if answers is not None and not isinstance(answers, dict):
            raise GradtraceError(_("{path}: answers must be a table such as [answers] x = -4").format(path=path))
        names = [name.strip() for name, _value in flatten_answers(answers, origin=path)] if answers else []
        self.questions = list(dict.fromkeys(names)) or self.problem.asks()
        self.problem.truth(self.questions, path, numbers)  # a question the problem lacks: the key's error
        self.points = _points(data.get("points"), path, self.questions)

    def total(self) -> Decimal:
        return sum((self.points.get(q, Decimal(1)) for q in self.questions), Decimal(0))


KEY_FIELDS = ("expression", "bindings", "answers", "points", "follow_through", "upstream", "seed", "student")


def _known_fields(data: dict[str, Any], path: str) -> None:
    """A key's top-level fields are all ones grade reads: a mistyped one (folow_through) would
    otherwise be ignored, and every student graded by a rule the teacher did not write."""
    from ..core.errors import did_you_mean

    for field in data:
        if str(field) not in KEY_FIELDS:
            raise GradtraceError(
                _("{path}: a key has no field {field}").format(path=path, field=shown(str(field)[:40])),
                hint=did_you_mean(str(field), list(KEY_FIELDS))
                or _("a key's fields are {fields}").format(fields=", ".join(KEY_FIELDS)))


def _points(table: Any, path: str, questions: list[str]) -> dict[str, Decimal]:
    """A key's [points]: each a number from 0 to MAX_POINTS, each naming one of its questions."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise GradtraceError(_("{path}: points must be a table such as [points] x = 2").format(path=path))
    points = {}
    for name, text in flatten_answers(table, origin=path):
        name = name.strip()
        try:
            value = Decimal(str(text))
        except InvalidOperation:
            value = Decimal("nan")
        if not value.is_finite() or not 0 <= value <= MAX_POINTS:
            raise GradtraceError(
                _("{path}: the points of {question} must be a number ≥ 0 and at most {most}, not {value}").format(
                    path=path, question=name, most=MAX_POINTS, value=str(text)[:40]
                )
            )
        if name not in questions:
            raise GradtraceError(
                _("{path}: [points] names {question}, which is not a question of the key").format(
                    path=path, question=name
                ),
                hint=_("its questions are {names}").format(names=", ".join(questions)),
            )
        points[name] = value
    return points


# ---- grading ------------------------------------------------------------------------------------

class InternalError(GradtraceError):
    """A bug met while grading one file: reported as that file's error, never silently."""
    kind = "internal error"
    exit_code = ExitCode.EVALUATION


def grade(paths: list[str], key: str | None = None, tol: Tolerance | None = None,
          numbers: NumberFormat = DEFAULT, time_limit: float | None = TIME_LIMIT,
          report: Report | None = None) -> list[Graded]:
    """Grade every file, in order, at the significant digits of `numbers` (--precision). The trace of
    each distinct problem is computed once. A broken key is a GradtraceError (nobody can be graded);
    a broken file is its student's error. report(phase, done, total) hears each file begin."""
    the_key = Key(key, numbers) if key is not None else None
    problems: dict[str, Problem] = {}
    out = []
    for k, path in enumerate(paths):
        if report is not None:
            report("grading the files", k, len(paths))
        student = Path(path).stem
        try:
            with _time_limit(time_limit):
                result = _grade_file(path, the_key, problems, tol, numbers)
            out.append(result)
            continue
        except GradtraceError as err:
            error = err
        except _OutOfTime:
            error = GradtraceError(
                _("{path}: grading took longer than {seconds} s, the time limit of one submission").format(
                    path=path, seconds=f"{time_limit:g}"
                ),
                hint=_("a teacher can allow more with --time-limit"),
            )
        except MemoryError:
            error = GradtraceError(_("{path}: out of memory while grading this file").format(path=path))
        except RecursionError:
            error = GradtraceError(_("{path}: nested too deeply to grade").format(path=path))
        except Exception as exc:  # a bug in gradtrace: it must not cost the rest of the class their grades
            if os.environ.get("GRADTRACE_DEBUG"):
                raise
            error = InternalError(
                _("{path}: internal error while grading this file ({error}); this is a bug in gradtrace").format(
                    path=path, error=f"{type(exc).__name__}: {exc}"
                )
            )
        out.append(Graded(student, path, error=error, out_of=the_key.total() if the_key is not None else None))
    return out


def _grade_file(path: str, key: Key | None, problems: dict[str, Problem], tol: Tolerance | None,
                numbers: NumberFormat) -> Graded:
    data = read_file(path)
    student = _student(data.get("student"), Path(path).stem)
    notes = []
    if key is not None:
        problem = key.problem
        if "expression" in data:
            try:
                differs = problem_of(data, path) != key.spec
            except GradtraceError:
                differs = True
            if differs:
                notes.append(_("the file's own problem differs from the key's; graded against the key"))
    else:
        spec = problem_of(data, path)
        seed = upstream_of(data, path)
        cache = json.dumps([spec, seed])
        if cache not in problems:
            problems[cache] = Problem(*spec, path, seed=seed)
        problem = problems[cache]
    if problem.numeric is None and tol is not None:
        raise GradtraceError(_("{path}: the problem has no bindings, so its answers are expressions, "
                               "and --tol compares numbers").format(path=path))

    answers = data.get("answers")
    if answers is None:
        notes.append(_("the file has no [answers] table"))
        answers = {}
    if not isinstance(answers, dict):
        raise GradtraceError(_("{path}: answers must be a table such as [answers] x = -4").format(path=path))
    given: dict[str, Any] = {}
    for name, value in flatten_answers(answers, origin=path, strict=False):
        name = name.strip()
        if name in given:
            value = GradtraceError(_("{name} in {path}: answered twice").format(name=name, path=path))
        given[name] = value

    if key is not None:
        points, questions = key.points, key.questions
    else:
        points, asked = {}, problem.asks()
        questions = asked + [n for n in given if n not in asked]
    not_asked = [n for n in given if n not in questions]

    folder = os.path.dirname(path) or "."
    expected = [Expected(n, given[n], f"{n} in {path}", folder) for n in questions
                if n in given and not isinstance(given[n], GradtraceError)]
    graded = problem.check(expected, tol, numbers) if expected else {}
    unanswered = [n for n in questions if not isinstance(graded.get(n), Answer)]
    truths = problem.truth(unanswered, path, numbers, strict=False)
    marks = []
    for name in questions:
        worth = points.get(name, Decimal(1))
        if name not in given:
            marks.append(Mark(name, worth, "missing", truth=truths.get(name)))
            continue
        result = given[name] if isinstance(given[name], GradtraceError) else graded[name]
        if isinstance(result, GradtraceError):
            marks.append(Mark(name, worth, "error", error=result, given=given[name], truth=truths.get(name)))
        else:
            marks.append(Mark(name, worth, "right" if result.correct else "wrong", answer=result))
    if problem.numeric is not None:
        _mark(problem, marks, given, tol, numbers, key.credit if key is not None else Decimal(1))
    if not_asked:
        notes.append(_("not asked: {names}").format(names=", ".join(not_asked)))
    return Graded(student, path, marks, note="; ".join(notes) or None, not_asked=not_asked)


def _mark(problem: Problem, marks: list[Mark], given: dict[str, Any], tol: Tolerance | None,
          numbers: NumberFormat, credit: Decimal) -> None:
    """Follow-through and misconceptions (marking.py) for each wrong answer, and a follow-through's
    share of its points."""
    from ..modes.answers import float_noise
    from .marking import mark

    answered = {m.name: (m.answer, given[m.name]) for m in marks if m.answer is not None}
    if not any(m.status == "wrong" for m in marks):
        return
    if problem.noise is None:
        problem.noise = float_noise(problem.numeric)
    findings = mark(problem.numeric, answered, numbers, tol, problem.seed, problem.noise)
    for m in marks:
        if m.status == "wrong" and m.name in findings:
            m.finding = findings[m.name]
            m.credit = credit


def _student(name: Any, stem: str) -> str:
    if isinstance(name, (int, float)) and not isinstance(name, bool):
        name = str(name)
    if not isinstance(name, str) or not name.strip():
        return stem
    return name if len(name) <= MAX_NAME else name[:MAX_NAME] + "…"


class _OutOfTime(BaseException):
    """Raised by the timer inside a submission's grading. A BaseException, like Ctrl-C, so that
    no `except Exception` on the way can take it for an ordinary error and carry on."""


@contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Stop the work inside after `seconds` with _OutOfTime (a timer signal; only where there is
    one: the main thread of a POSIX process, else no limit)."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---- reports ------------------------------------------------------------------------------------

def questions_of(graded: list[Graded]) -> list[str]:
    """Every question asked in the class, in the order first asked."""
    return list(dict.fromkeys(m.name for g in graded for m in g.marks))


def most_missed(graded: list[Graded]) -> list[tuple[str, int, int, int, int, int]]:
    """(question, wrong, unreadable, missing, answered, asked), the most missed first: an answer
    that could not be read is counted as such, never as wrong."""
    counts: dict[str, list[int]] = {}
    for g in graded:
        for m in g.marks:
            c = counts.setdefault(m.name, [0, 0, 0, 0, 0])
            c[0] += m.status == "wrong"
            c[1] += m.status == "error"
            c[2] += m.status == "missing"
            c[3] += m.status != "missing"
            c[4] += 1
    order = {name: k for k, name in enumerate(counts)}
    ranked = sorted(counts.items(), key=lambda item: (-(item[1][0] + item[1][1] + item[1][2]), order[item[0]]))
    return [(name, w, e, m, a, n) for name, (w, e, m, a, n) in ranked if w + e + m]


def summary(graded: list[Graded]) -> dict[str, int]:
    return {"students": len(graded), "graded": sum(g.error is None for g in graded),
            "not_graded": sum(g.error is not None for g in graded), "passed": sum(g.passed for g in graded),
            "missing": sum(g.count("missing") for g in graded), "errors": sum(g.count("error") for g in graded)}


def to_json(graded: list[Graded]) -> str:
    """The class as one strict JSON document (valid UTF-8: every text a file controls is printable)."""
    document = {"students": [g.to_dict() for g in graded],
                "most_missed": [{"question": shown(q), "wrong": w, "unreadable": e, "missing": m, "answered": a,
                                 "asked": n} for q, w, e, m, a, n in most_missed(graded)],
                "summary": summary(graded),
                "passed": bool(graded) and all(g.passed for g in graded)}
    from ..core.trace import jsonable

    def safe(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: safe(v) for k, v in value.items()}
        if isinstance(value, list):
            return [safe(v) for v in value]
        if isinstance(value, float):
            return 0 if value == 0 else jsonable(value)  # a true zero, even -0.0, is 0 as in the CSV
        return value

    return json.dumps(safe(document), ensure_ascii=False, allow_nan=False, indent=2) + "\n"


def to_csv(graded: list[Graded]) -> str:
    """The long gradebook: one row per student and question (answer, true value, verdict, rule,
    points), and one row for a file that could not be graded (its message in the rule column)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "file", "question", "refers_to", "answer", "true_value", "verdict", "rule",
                     "points", "earned", "follows_from", "misconceptions", "feedback"])
    for g in graded:
        if g.error is not None:
            writer.writerow([_cell(g.student), _cell(g.path), "", "", "", "", "error", _cell(str(g.error)), "", "",
                             "", "", ""])
            continue
        for m in g.marks:
            rule = str(m.error) if m.error is not None else m.rule
            writer.writerow([_cell(g.student), _cell(g.path), _cell(m.name), _cell(m.refers_to), _cell(m.given_text),
                             true_text(m.actual, m.answer or m.truth), m.status, _cell(rule),
                             number_text(m.points), number_text(m.earned), _cell(" ".join(m.follows)),
                             _cell(" ".join(x.key for x in m.misconceptions)), _cell(m.feedback)])
    return out.getvalue()


def to_wide_csv(graded: list[Graded]) -> str:
    """The wide gradebook, as gradebooks import it: one row per student, with the score, the
    points earned on each question (blank where a question was not asked of that file), the
    missing questions, and the errors."""
    import csv
    import io

    questions = questions_of(graded)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "file", "score", "out_of", *(_cell(q) for q in questions), "missing", "errors"])
    for g in graded:
        score, out_of = g.score
        earned = {m.name: number_text(m.earned) for m in g.marks}
        missing = ", ".join(m.name for m in g.marks if m.status == "missing")
        errors = str(g.error) if g.error is not None else "; ".join(str(m.error) for m in g.marks if m.error)
        writer.writerow([_cell(g.student), _cell(g.path), number_text(score), number_text(out_of),
                         *(earned.get(q, "") for q in questions), _cell(missing), _cell(errors)])
    return out.getvalue()


def true_text(actual: Any, answer: Answer | None) -> str:
    """A true value as the gradebook writes it: typed back, it passes (a zero, even -0.0, is 0)."""
    if actual is None:
        return ""
    if answer is not None and answer.rule == SYMBOLIC_RULE:  # an expression: the text symbolic mode prints
        return _cell(DEFAULT.text(actual))
    value = actual.tolist() if hasattr(actual, "tolist") else float(actual)
    if isinstance(value, float):
        return "0" if value == 0 else repr(value)
    return json.dumps(_zeros(value))


def _zeros(value: Any) -> Any:
    if isinstance(value, list):
        return [_zeros(v) for v in value]
    return 0 if value == 0 else value


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run, and printable: text that starts like a formula gets a
    leading '."""
    text = shown(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False
