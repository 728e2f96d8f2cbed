"""Quizzes for a learning platform (Moodle, Canvas): every blank of a circuit as a numerical
question with a tolerance, one set of bindings per student, and the key that says who got which.

The tolerance. gradtrace grades an answer by its own digits (answers.py): an answer written with
N significant digits passes when the true value rounds to it, that is when |true − answer| is at
most half a unit of its Nth significant digit. A platform's numerical question has one fixed
tolerance around the true value instead, whatever the student writes. The quiz asks for
`--precision` N significant digits, so each question's tolerance is half a unit of the Nth
significant digit of the true value: 0.00005 for 0.3932 at 4 digits, 0.0005 for -4. For an
answer written with N significant digits the two rules agree, up to the float rounding at the
very boundary (the table in tests/test_lms.py checks both sides of it), except where the answer
and the true value lie on either side of a power of ten (0.99996 written 1.000). An answer with
fewer digits than asked (0.39 for 0.3932) passes gradtrace's rule but not the platform's, and
one with more digits than asked passes the platform's even when gradtrace's, which holds it to
all its digits, would not. A true zero gets tolerance 0: only 0 passes, as in gradtrace. A value
that is zero up to its float noise (0.1 + 0.2 - 0.3 is 5.551e-17), which gradtrace grades 0 right
for, gets its noise as tolerance, so 0 passes there too (values and upstream gradients). An
explicit tolerance (--tol 0.01, --tol 1%) is the same on both sides: max(absolute, relative ×
|true value|).

Variants. Without a roster, every problem is asked as it is. With one (a student per line) or a
number of anonymous variants, each gets the problems' circuits with bindings of its own, drawn
from the seed and the student's name alone, so adding a student changes nobody else's numbers.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from ..core.errors import GradtraceError, printable
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import _
from ..modes.answers import Tolerance
from .quiz import SMOOTH, Problem, Question, _number, flaws

MAX_STUDENTS = 5000
MAX_NAME = 100
DRAWS = 500  # bindings drawn at most for one student's problem


class Item:
    """One numerical question of one variant: its question, the text shown, and the answer with
    its tolerance (Decimals, written out in full: no platform reads 5e-05 the same)."""

    __slots__ = ("ident", "kind", "name", "number", "prompt", "text", "tolerance", "value", "worked")

    def __init__(self, ident: str, number: int, question: Question, text: str, tolerance: Decimal):
        self.ident, self.number, self.text = ident, number, text
        self.name, self.kind, self.prompt, self.worked = question.name, question.kind, question.prompt, question.worked
        self.value = Decimal(repr(float(question.answer)))
        self.tolerance = tolerance

    @property
    def low(self) -> Decimal:
        return self.value - self.tolerance

    @property
    def high(self) -> Decimal:
        return self.value + self.tolerance

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.ident, "question": self.name, "kind": self.kind, "prompt": self.prompt,
                "answer": float(self.value), "value": plain(self.value), "tolerance": plain(self.tolerance),
                "low": plain(self.low), "high": plain(self.high)}


class Variant:
    """What one student (or one anonymous variant) is asked: the problems with their bindings."""

    __slots__ = ("items", "label", "number", "problems", "student")

    def __init__(self, number: int, label: str, student: str | None, problems: list[Problem]):
        self.number, self.label, self.student, self.problems = number, label, student, problems
        self.items: list[list[Item]] = []


def plain(value: Decimal) -> str:
    """A number written out positionally, never with an exponent (GIFT's grammar has none)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tolerance(actual: float, digits: int, tol: Tolerance | None = None, noise: float = 0.0) -> Decimal:
    """The platform's tolerance for a true value, matching gradtrace's rule for an answer written
    with `digits` significant digits (see the module's docstring), or the explicit one. A value
    within its float noise (0.1 + 0.2 - 0.3 is 5.551e-17) is zero to gradtrace, which grades a
    typed 0 right: its tolerance is the noise, so that the platform accepts 0 too."""
    value = abs(Decimal(repr(float(actual))))
    if tol is not None:
        return max(Decimal(repr(tol.absolute)), Decimal(repr(tol.relative)) * value)
    if noise and value <= Decimal(repr(noise)):
        return Decimal(repr(noise))
    if value == 0:
        return Decimal(0)
    return Decimal(5).scaleb(value.adjusted() - digits)


def read_students(path: str, text: str) -> list[str]:
    """A roster: one student a line ('#' starts a comment; blank lines are skipped), each named once."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        name = printable(line.split("#", 1)[0].strip(), one_line=True)
        if not name:
            continue
        if len(name) > MAX_NAME:
            raise GradtraceError(_("{path}, line {line}: a name is at most {most} characters").format(
                path=path, line=number, most=MAX_NAME))
        if name in seen:
            raise GradtraceError(_("{path}, line {line}: {name} is already on line {first}").format(
                path=path, line=number, name=name, first=seen[name]),
                hint=_("each student gets their own numbers, so each name must be different"))
        seen[name] = number
        names.append(name)
    if not names:
        raise GradtraceError(_("{path}: no students").format(path=path), hint=_("write one name per line"))
    if len(names) > MAX_STUDENTS:
        raise GradtraceError(_("{path}: {count} students; at most {most}").format(
            path=path, count=len(names), most=MAX_STUDENTS))
    return names


def rebind(problem: Problem, rng: random.Random) -> Problem:
    """The same circuit at new numbers drawn from rng, worth doing by quiz.flaws (the first that
    traces at all if none is within DRAWS draws)."""
    difficulty = problem.difficulty or (3 if any(row.op in SMOOTH for row in problem.trace.nodes) else 2)
    fallback = None
    for _draw in range(DRAWS):
        bindings = {name: _number(rng, difficulty) for name in problem.bindings}
        try:
            fresh = Problem(problem.program, bindings, problem.difficulty)
        except GradtraceError:
            continue  # 1/0 at these numbers: draw again
        if not flaws(fresh):
            return fresh
        fallback = fallback or fresh
    if fallback is None:
        raise GradtraceError(_("{program}: no numbers drawn for it could be traced").format(program=problem.program),
                             hint=_("give the problem without variants, or change it"))
    return fallback


def variants(problems: list[Problem], seed: int, students: list[str] | None = None,
             count: int | None = None) -> list[Variant]:
    """One variant per student (or `count` anonymous ones), each with its own bindings from the seed
    and its name; neither: one variant, the problems as they are."""
    if students is None and count is None:
        return [Variant(1, _("all students"), None, list(problems))]
    labels = students if students is not None else [_("variant {number}").format(number=k)
                                                      for k in range(1, (count or 1) + 1)]
    out = []
    for k, label in enumerate(labels, 1):
        rng = random.Random(f"gradtrace lms {seed} {label if students is not None else k}")
        out.append(Variant(k, label, label if students is not None else None,
                           [rebind(p, rng) for p in problems]))
    return out


def statement(problem: Problem) -> str:
    """The circuit in words: its program, the bindings and every gate, as one line."""
    t = problem.trace
    at = ", ".join(f"{name} = {DEFAULT.text(value)}" for name, value in t.bindings.items())
    gates = "; ".join(f"{row.name} = {row.expr}" for row in reversed(t.nodes) if row.op != "input")
    if _assigns(problem.program):  # "f = x * y + x" already names its output: not "f = f = ..."
        return _("{program} at {bindings}. Its gates: {gates}.").format(
            program=problem.program, bindings=at, gates=gates)
    return _("{output} = {program} at {bindings}. Its gates: {gates}.").format(
        output=t.output, program=problem.program, bindings=at, gates=gates)


def _assigns(program: str) -> bool:
    """Whether a program is statements (q = x + y; f = q * z) rather than one expression."""
    from ..core.syntax import tokenize

    return any(token[0] in ("assign", "augment") for token in tokenize(program))


def build(chosen: list[Variant], numbers: NumberFormat, ask: tuple[str, ...], tol: Tolerance | None) -> None:
    """Fill in each variant's items: a question per blank, its text and its tolerance."""
    digits = numbers.digits
    for variant in chosen:
        variant.items = []
        for p, problem in enumerate(variant.problems, 1):
            said = statement(problem)
            rows = []
            noise: Any = None
            for k, question in enumerate(problem.questions(numbers, ask), 1):
                spread = 0.0
                if tol is None and question.kind in ("value", "upstream"):
                    if noise is None:
                        from ..modes.answers import float_noise

                        noise = float_noise(problem.trace)
                    spread = float(noise[question.kind == "upstream"][problem.trace.node(question.name).id])
                if tol is not None:
                    how = _("Give the value within {tolerance}.").format(tolerance=tol.text)
                else:
                    how = _("Give it to {digits} significant digits.").format(digits=digits)
                text = _("Problem {number}: {statement} What is {prompt}? {how}").format(
                    number=p, statement=said, prompt=question.prompt, how=how)
                rows.append(Item(f"v{variant.number}_p{p}_q{k}", p, question, text,
                                 tolerance(question.answer, digits, tol, spread)))
            variant.items.append(rows)


def key(chosen: list[Variant], title: str, format_name: str, seed: int | None, numbers: NumberFormat,
        ask: tuple[str, ...], tol: Tolerance | None) -> dict[str, Any]:
    """Who got which: student → variant → each problem's bindings → each question's answer and
    tolerance, as the platform's file has them."""
    return {
        "title": title, "format": format_name, "seed": seed, "precision": numbers.digits,
        "tolerance": tol.text if tol is not None else None, "ask": list(ask),
        "variants": [{
            "variant": v.number, "student": v.student, "label": v.label,
            "problems": [{"problem": p, "expression": problem.program,
                          "bindings": {name: float(value) for name, value in problem.trace.bindings.items()},
                          "questions": [item.to_dict() for item in v.items[p - 1]]}
                         for p, problem in enumerate(v.problems, 1)],
        } for v in chosen],
    }


def key_csv(chosen: list[Variant]) -> str:
    """The key as a table: a row per student (or variant) and question."""
    import csv
    import io

    from .grade import _cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["variant", "student", "problem", "expression", "bindings", "id", "question", "kind", "answer",
                     "tolerance", "low", "high"])
    for v in chosen:
        for p, problem in enumerate(v.problems, 1):
            at = ", ".join(f"{name} = {DEFAULT.text(value)}" for name, value in problem.trace.bindings.items())
            for item in v.items[p - 1]:
                writer.writerow([v.number, _cell(v.student or ""), p, _cell(problem.program), _cell(at), item.ident,
                                 _cell(item.name), item.kind, plain(item.value), plain(item.tolerance),
                                 plain(item.low), plain(item.high)])
    return out.getvalue()
