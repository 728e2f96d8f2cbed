"""Grading a student's answers against a trace: the one rule every verdict follows.

The rule, as the README states it, depends on the answer's number, never on its spelling
(-0.2, -2e-1, -2.0E-01, -1/5 and −0.2 are one number):
  * a number with a short decimal that is not whole (0.39, 1.224e-06, -1/5) passes when the true
    value rounds to it at its last significant digit: 0.39, 0.393 and 0.4 all pass for 0.3932;
  * a whole number (-4, 2.0, 4/2) or a number with no short decimal (1/3, -pi/2) must agree with
    the true value to the precision gradtrace shows (4 significant digits by default, more if a
    whole number has more);
  * zero, however it is written (0, 0.0, 0.1+0.2-0.3), passes only for a true zero: a value no
    farther from 0 than the float noise of the computation that produced it;
  * an explicit tolerance (--tol) replaces all of this.

So whatever gradtrace prints as the true value passes when typed back, and a nonzero gradient
never passes as zero. The rule is specified by tables of (answer, true value, verdict) in
tests/test_answers.py and tests/test_verdicts.py.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, NamedTuple

from ..core.errors import GradtraceError, did_you_mean, printable, some
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import _

EPS = 2.0 ** -52
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")  # ASCII digits only
MAX_ANSWER_TEXT = 200  # an answer is a number, not a program: longer text is refused at once


class Rule:
    """How one answer is compared with the true value."""

    __slots__ = ("digits", "kind", "place", "tol")

    def __init__(self, kind: str, place: float = 0.0, digits: int = DEFAULT.digits, tol: Tolerance | None = None):
        self.kind = kind      # "decimals", "digits", "zero" or "tolerance"
        self.place = place    # decimals: the place value of the last written digit (0.01 for 0.39)
        self.digits = digits  # digits: significant digits compared
        self.tol = tol

    def allows(self, actual: float, given: float, noise: float = 0.0) -> bool:
        """Whether the true value `actual` (with float noise `noise`) matches the answer `given`."""
        if not (math.isfinite(actual) and math.isfinite(given)):  # a NaN in an answer's .npy matches nothing
            return False
        if self.kind == "tolerance":
            assert self.tol is not None
            return self.tol.allows(actual, given)
        if self.kind == "zero":
            return abs(actual) <= noise
        # Half a unit of the compared digit, plus a few ulps so that the float subtraction's own
        # rounding never turns a printed value into a wrong one.
        slack = 4 * EPS * max(abs(actual), abs(given)) + noise
        if self.kind == "decimals":
            return abs(actual - given) <= 0.5 * self.place * (1 + 1e-9) + slack
        exponent = math.floor(math.log10(abs(given)))
        return abs(actual - given) <= 0.5 * 10.0 ** (exponent - self.digits + 1) * (1 + 1e-9) + slack

    @property
    def text(self) -> str:
        """The rule in words, for reports and JSON."""
        if self.kind == "tolerance":
            assert self.tol is not None
            return f"within {self.tol.text}"
        if self.kind == "zero":
            return "zero, up to float noise"
        if self.kind == "decimals":
            decimals = -round(math.log10(self.place))
            if decimals > 0:
                return f"rounds to {decimals} decimal{'s' if decimals > 1 else ''}"
            return f"rounds to the nearest {self.place:g}"
        return f"to {self.digits} significant digit{'s' if self.digits > 1 else ''}"

    def shown(self, actual: float, given: float | None = None) -> str | None:
        """The true value written at the answer's precision, for a wrong answer's message: at the
        decimals compared (digits: the place of the last significant digit of the answer `given`,
        0.2513 for 1/3 at 4 digits), or with the digits compared when that place is not a decimal."""
        if not math.isfinite(actual):
            return None
        place = self.place
        if self.kind == "digits" and given:
            place = 10.0 ** (math.floor(math.log10(abs(given))) - self.digits + 1)
        if self.kind in ("decimals", "digits") and 0 < place < 1:
            decimals = -round(math.log10(place))
            if decimals <= 20:
                return f"{actual:.{decimals}f}"
        if self.kind == "digits" and given is None:
            return format(actual, f".{self.digits}g")
        return None


class Tolerance:
    """An explicit tolerance: '0.01' or 'abs:0.01' (absolute), '1%' or 'rel:0.01' (relative)."""

    __slots__ = ("absolute", "relative", "text")

    def __init__(self, text: str):
        self.text = text.strip()
        self.absolute = self.relative = 0.0
        body = self.text
        try:
            if body.endswith("%"):
                self.relative = float(body[:-1]) / 100
            elif body.startswith("rel:"):
                self.relative = float(body[4:])
            elif body.startswith("abs:"):
                self.absolute = float(body[4:])
            else:
                self.absolute = float(body)
        except ValueError:
            raise GradtraceError(_("{text!r} is not a tolerance").format(text=text), about="tolerance",
                                 hint=_("write 0.01 (absolute), 1% or rel:0.01 (relative)")) from None
        if not (self.absolute >= 0 and self.relative >= 0) or math.isinf(self.absolute + self.relative):
            raise GradtraceError(
                _("{text!r}: a tolerance must be a finite number ≥ 0").format(text=text), about="tolerance"
            )

    def allows(self, actual: float, given: float) -> bool:
        return abs(actual - given) <= max(self.absolute, self.relative * abs(actual))


_DECIMAL_COMMA = re.compile(r"\s*[+\-\u2212]?\d*,\d+\s*")


def read_answer(text: str, digits: int = DEFAULT.digits, tol: Tolerance | None = None,
                origin: str | None = None, decimals: int | None = None) -> tuple[float, Rule]:
    """An answer's value and the rule it is graded by. origin names where it came from in
    messages (e.g. "x=2"); the text is read by gradtrace's own parser, never by eval. The rule
    depends on the number alone, never on how it is spelled: -0.2, -2e-1, -2.0E-01, -20e-2, -1/5
    and −0.2 are one number and get one verdict. digits and decimals are how numbers are shown
    (NumberFormat's): a whole number or 1/3 must be right to those significant digits, or, with
    decimals (--decimals), rounds at that many decimals."""
    text = exact_part(str(text))
    where = origin or text
    if not text:
        raise GradtraceError(
            _("{where}: the answer is empty").format(where=where), hint=_("write a number such as -4, 0.39 or 1/3")
        )
    if len(text) > MAX_ANSWER_TEXT:
        raise GradtraceError(
            _("{where}…: an answer is a number, and this is {count} characters long").format(
                where=where[:60], count=len(text)
            )
        )
    match = _NUMBER.match(text)
    if match:
        exponent_text = match.group(2)
        if exponent_text and abs(int(exponent_text[1:])) > 400:
            raise GradtraceError(_("{where}: the exponent is out of range for a float").format(where=where),
                                 hint=_("answers are floats, between about 1e-308 and 1e308"))
        value = float(text)
        if math.isinf(value):
            raise GradtraceError(_("{where}: the number is too large for a float").format(where=where))
        exact: Fraction | None = Fraction(text)
    else:
        from ..core.graph import Const, constant  # a constant expression such as 1/3 or -pi/2

        try:
            const = constant(text)
        except GradtraceError as err:
            if _DECIMAL_COMMA.fullmatch(text):  # -2,0: a decimal comma, not the comma between arguments
                hint = _("a decimal comma: write {number} with a point").format(number=text.strip().replace(",", "."))
            else:  # the reader's own reason: a division by zero, an operator missing between two numbers
                hint = err.hint or err.message
            raise GradtraceError(_("{where}: the answer is not a number").format(where=where), hint=hint) from None
        if not isinstance(const, Const):
            raise GradtraceError(_("{where}: the answer is not a number").format(where=where),
                                 hint=_("constants are numbers, pi and e"))
        exact = exact_value(const)
        value = const.value
        if exact is not None:
            try:
                value = float(exact)  # 0.1 + 0.2 is 0.3, and 0.1 + 0.2 - 0.3 is 0, as written
            except OverflowError:
                exact = None
    rule = Rule("tolerance", tol=tol) if tol is not None else rule_for(value, exact, digits, decimals)
    return value, rule


MAX_DECIMALS = 20  # a short decimal with more places is compared at its significant digits instead


def rule_for(value: float, exact: Fraction | None, digits: int = DEFAULT.digits,
             decimals: int | None = None) -> Rule:
    """The rule for an answer of this value (exact: the number as a fraction, None when it is not
    a rational number that gradtrace can compute exactly, such as pi/2):
      * 0 is zero, up to float noise;
      * a number with a short decimal that is not whole (0.39, -2e-1, -1/5, 1.224e-06) rounds at
        its last significant digit;
      * a whole number (-4, 2.0, 4/2) must be right to `digits` significant digits, more if it
        has more;
      * anything else (1/3, -pi/2) must be right to `digits` significant digits.
    With `decimals` (numbers shown as 2.00, 0.33), a whole number or 1/3 rounds at that decimal."""
    if value == 0:
        return Rule("zero")
    shown = Rule("decimals", place=10.0 ** -decimals) if decimals is not None else None
    if exact is None or exact == 0:
        return shown or Rule("digits", digits=digits)
    numerator, denominator = abs(exact.numerator), exact.denominator
    if denominator == 1:
        return shown or Rule("digits", digits=max(digits, _significant(numerator)))
    twos = (denominator & -denominator).bit_length() - 1
    rest, fives = denominator >> twos, 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return shown or Rule("digits", digits=digits)  # 1/3: no short decimal
    places = max(twos, fives)
    if places <= MAX_DECIMALS:
        return Rule("decimals", place=10.0 ** -places)
    # The same tolerance, half a unit of the last digit, said in significant digits.
    return Rule("digits", digits=_significant(numerator * 10**places // denominator))


def _significant(whole: int) -> int:
    """A whole number's significant digits, without its trailing zeros: 2000 has 1, 12345 has 5."""
    text = str(whole).rstrip("0")
    return max(1, len(text))


MAX_EXACT_BITS = 4096  # an exact answer bigger than this (2^10^6) is compared as the float it is


def exact_value(const: Any) -> Fraction | None:
    """A constant expression's exact value when it is a rational number built from written numbers
    by + - * / and whole powers (1/5, 0.1 + 0.2, 2^-3), else None (pi, sqrt(2), or too large to
    be worth it). Computed without recursion, from the Const tree the parser made."""
    done: dict[int, Fraction | None] = {}
    stack = [(const, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in done:
            continue
        if node.op is None:
            done[id(node)] = _literal(node.text)
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((arg, False) for arg in node.args)
            continue
        args = [done[id(arg)] for arg in node.args]
        # A gate with parameters (leaky_relu(-1, 0.2)) is not one of the exact steps.
        done[id(node)] = None if None in args or node.params else _exactly(node.op.name, args)  # type: ignore[arg-type]
    return done[id(const)]


def _literal(text: str) -> Fraction | None:
    if not _NUMBER.match(text):
        return None  # pi, e
    value = Fraction(text)
    return value if max(value.numerator.bit_length(), value.denominator.bit_length()) <= MAX_EXACT_BITS else None


def _exactly(name: str, args: list[Fraction]) -> Fraction | None:
    """One exact step: + - * / neg and whole powers; None for anything else."""
    try:
        if name == "add":
            out = args[0] + args[1]
        elif name == "sub":
            out = args[0] - args[1]
        elif name in ("mul", "cdot"):
            out = args[0] * args[1]
        elif name == "div":
            out = args[0] / args[1]
        elif name == "neg":
            out = -args[0]
        elif name == "pow" and args[1].denominator == 1:
            base, exponent = args[0], int(args[1])
            size = max(base.numerator.bit_length(), base.denominator.bit_length()) * abs(exponent)
            if size > MAX_EXACT_BITS:
                return None
            out = base ** exponent
        else:
            return None
    except ZeroDivisionError:
        return None
    if max(out.numerator.bit_length(), out.denominator.bit_length()) > MAX_EXACT_BITS:
        return None
    return out


def exact_part(text: str) -> str:
    """An answer as gradtrace prints an exact value, '1/3 ≈ 0.3333', means its exact part."""
    return text.partition("≈")[0].strip()


def grade(text: str, actual: float, precision: int = DEFAULT.digits, noise: float = 0.0,
          tol: Tolerance | None = None) -> tuple[bool, Rule]:
    """Grade one scalar answer: (correct, the rule used), at `precision` significant digits (--precision)."""
    given, rule = read_answer(text, precision, tol)
    return rule.allows(float(actual), given, noise), rule


class Answer:
    """One expected answer, what it refers to, and whether it matches."""

    __slots__ = ("actual", "correct", "given", "name", "read", "refers_to", "report", "rule", "shown", "worst")

    def __init__(self, name: str, refers_to: str, given: str, actual: Any, correct: bool, rule: str,
                 worst: str | None = None, shown: str | None = None):
        self.name, self.refers_to, self.given = name, refers_to, given
        self.actual, self.correct, self.rule = actual, correct, rule
        self.worst = worst  # arrays: the first element that does not match, and its true value
        self.shown = shown  # the true value at the answer's own precision (0.39 for 0.3932 at 2 decimals)
        self.read: Any = None    # an array answer as read: (its elements, its dtype if below float64, from numbers)
        self.report: Any = None  # diagnose.AnswerReport: a wrong array's relative error and diagnosis

    def to_dict(self) -> dict[Any, Any]:
        from ..core.numbers import expr_text
        from ..core.trace import jsonable

        data = {"name": self.name, "refers_to": self.refers_to, "given": self.given,
                "actual": jsonable(self.actual), "correct": self.correct, "rule": self.rule,
                "worst": self.worst}
        if self.rule == SYMBOLIC_RULE:  # numbers stay numbers: an expression has its own key
            data["actual"], data["actual_symbolic"] = None, expr_text(self.actual)
        if self.report is not None:
            data["report"] = self.report.to_dict()
        return data


class Expected:
    """One answer to grade: NAME (∂out/∂NAME, or a node's upstream) or NAME.value, the answer's
    text (a number, a constant expression, or nested lists for an array), and where it came from."""

    __slots__ = ("folder", "name", "origin", "text")

    def __init__(self, name: str, text: Any, origin: str | None = None, folder: str | None = None):
        self.name, self.text = name.strip(), text
        self.origin = origin or f"{self.name}={text}"
        self.folder = folder  # an answers file's folder: its @dW.npy names a file there, and only there


MAX_ANSWER_DEPTH = 8  # q.value is two levels; a table nested deeper than this is no answer


def flatten_answers(answers: dict[Any, Any], prefix: str = "", origin: str = "answers",
                    strict: bool = True) -> list[tuple[str, Any]]:
    """{"q": {"value": 3}} -> [("q.value", "3")]: TOML writes q.value = 3 as a nested table.
    Numbers keep the text they were written with; arrays stay nested lists. A value that is no
    answer (true, a date) is an error; with strict=False it is returned as that answer's
    GradtraceError instead, so the other answers are still graded. Walked without recursion, and
    tables nested past MAX_ANSWER_DEPTH are refused (a 3000-level dotted key is not a question)."""
    out: list[tuple[str, Any]] = []
    stack = [(prefix, iter(answers.items()))]
    while stack:
        base, items = stack[-1]
        for key, value in items:
            name = f"{base}{key}"
            if isinstance(value, dict):
                if len(stack) >= MAX_ANSWER_DEPTH:
                    raise GradtraceError(
                        _("{origin}: answers nested more than {depth} deep; a question is NAME or NAME.value").format(
                            origin=origin, depth=MAX_ANSWER_DEPTH
                        )
                    )
                stack.append((name + ".", iter(value.items())))
                break
            if isinstance(value, (str, int, float, list)) and not isinstance(value, bool):
                out.append((name, value if isinstance(value, list) else str(value)))
                continue
            error = GradtraceError(
                _("{name} in {origin}: an answer is a number, an expression or a list of numbers, not {value}").format(
                    name=name, origin=origin, value=repr(value)[:60]
                )
            )
            if strict:
                raise error
            out.append((name, error))
        else:
            stack.pop()
    return out


def check_answers(trace: Any, expected: list[Expected], tol: Tolerance | None = None,
                  numbers: NumberFormat = DEFAULT) -> list[Answer]:
    """Grade answers against a numeric trace by the rule above, at the numbers as `numbers` shows
    them (its significant digits, or its decimals: see read_answer)."""
    answers = []
    noise: tuple[list[Any], list[Any]] | None = None
    for item in expected:
        target, _dot, attribute = item.name.partition(".")
        node = _node_for(trace, item, target, attribute)
        if attribute == "value":
            actual, refers_to = node.value, node.graded_as(value=True)
        else:
            actual, refers_to = node.upstream, node.graded_as()
        if noise is None:
            noise = float_noise(trace)
        spread = noise[0 if attribute == "value" else 1][node.node.id]
        text = item.text
        shown = None
        seen: list[Any] = []
        if _is_array_text(text) or (hasattr(actual, "shape") and getattr(actual, "ndim", 0) > 0):
            correct, rule, worst, given = _grade_array(item, actual, spread, tol, numbers.digits,
                                                       (trace, 0 if attribute == "value" else 1, node.node.id),
                                                       numbers.decimals, seen)
        else:
            value, rule_ = read_answer(str(text), numbers.digits, tol, item.origin, numbers.decimals)
            correct, rule, worst = rule_.allows(float(actual), value, float(spread)), rule_.text, None
            given = str(text).strip()
            shown = rule_.shown(float(actual), value)
        answers.append(Answer(item.name, refers_to, printable(given), actual, correct, rule, worst,
                              shown if not hasattr(actual, "shape") else None))
        answers[-1].read = seen[0] if seen else None
    return answers


def check_symbolic_answers(graph: Any, expected: list[Expected], budget: Any = None) -> list[Answer]:
    """Grade symbolic answers (no bindings): each answer is an expression, right when it equals the
    true gradient (or value) for every value of the variables. The answer may use the program's
    variables and its nodes' names: for q = x + y; f = q*z, both x + y and q are right for ∂f/∂z.
    budget (symbolic.Budget, the default one if None) bounds the work; past it, symbolic.TooLarge
    (a GradtraceError) names what was too large."""
    from . import symbolic

    limits = budget or symbolic.DEFAULT_BUDGET
    truth = symbolic.symbolic_trace(graph, expanded=True, simplify=False, budget=limits)
    meanings = {node.name: truth.values[node.id] for node in graph.nodes}
    answers = []
    for item in expected:
        target, _dot, attribute = item.name.partition(".")
        node = _node_for(truth, item, target, attribute)
        actual = (truth.values if attribute == "value" else truth.upstream)[node.node.id]
        if _is_array_text(item.text):
            raise GradtraceError(
                _("{origin}: a symbolic answer is one expression, not an array").format(origin=item.origin)
            )
        text = exact_part(str(item.text))
        if not text or len(text) > MAX_ANSWER_TEXT:
            raise GradtraceError(
                _("{origin}: an answer is one expression of at most {MAX_ANSWER_TEXT} characters").format(
                    origin=item.origin[:60], MAX_ANSWER_TEXT=MAX_ANSWER_TEXT
                )
            )
        given = symbolic.answer_expression(text, item.origin, meanings, limits)
        correct = symbolic.same_expression(given, actual) if budget is None else \
            symbolic.same_expression(given, actual, budget)
        refers_to = node.graded_as(value=attribute == "value")
        answers.append(Answer(item.name, refers_to, printable(text), actual, correct, SYMBOLIC_RULE))
    return answers


SYMBOLIC_RULE = "equal as expressions, for every value of the variables"


def _node_for(trace: Any, item: Expected, target: str, attribute: str) -> Any:
    """The node an answer is about (NAME or NAME.value), or an error naming the nodes there are."""
    if attribute not in ("", "value"):
        raise GradtraceError(
            _("{origin}: only NAME and NAME.value can be checked").format(origin=item.origin),
            hint=_("write {target}=... for ∂{output}/∂{target}, {target}.value=... for its value").format(
                target=target, output=trace.output
            ),
        )
    try:
        return trace.node(target)
    except KeyError:
        spelled = _typed_spelling(trace, target)
        if spelled is not None:  # --expect theta2=... for θ₂, as --theta2 binds it
            return spelled
        graph = trace.graph
        folded = _folded_constant(graph, target)
        if folded is not None:  # c = 2: a number the gates that use it hold, not a wire
            raise GradtraceError(
                _("{origin}: {target} = {value} is a constant, folded into the gates that use it, so the trace has no "
                  "wire {target}").format(origin=item.origin, target=target, value=folded),
                hint=_("to ask for ∂{output}/∂{target}, make it an input: drop the statement and bind -{target} "
                       "{value}").format(output=trace.output, target=target, value=folded),
            ) from None
        left_out = set(graph.unused_variables) | {text.partition("=")[0].strip() for text in graph.unused_statements}
        if target in left_out:  # a = x that nothing uses: a wire, but not one of the output's
            raise GradtraceError(
                _("{origin}: {target} does not reach the output {output}, so the trace has no node {target}").format(
                    origin=item.origin, target=target, output=trace.output),
                hint=_("∂{output}/∂{target} is 0 there: ask about a value that {output} uses").format(
                    output=trace.output, target=target),
            ) from None
        names = [n.name for n in trace.nodes]
        raise GradtraceError(
            _("{origin}: the trace has no node or variable {target!r}").format(origin=item.origin, target=target),
            hint=did_you_mean(target, names) or _("its nodes are {names}").format(names=some(names)),
        ) from None


def _folded_constant(graph: Any, target: str) -> str | None:
    """The text of a constant the program names (c = 2, c = 1/3) and the parser folds away, or None."""
    from ..core.graph import Const, constant

    source = graph.source
    for start, end in graph.statements:
        name, equals, value = source[start:end].partition("=")
        if equals and name.strip() == target and not value.startswith("="):
            try:
                return value.strip() if isinstance(constant(value), Const) else None
            except GradtraceError:
                return None  # d = c: a name, not a number (c's own statement answers for it)
    return None


def _typed_spelling(trace: Any, target: str) -> Any:
    """The one node whose name is typed as target on any keyboard (theta2 for θ₂, w1 for w₁), as
    bindings match them, or None."""
    from ..core.bindings import match_variable

    name = match_variable(target, [n.name for n in trace.nodes])
    return trace.node(name) if name is not None else None


def _is_array_text(text: Any) -> bool:
    return isinstance(text, (list, tuple)) or (hasattr(text, "shape") and getattr(text, "ndim", 0) > 0) \
        or (isinstance(text, str) and text.strip().startswith(("[", "@")))


FILE_FLOOR = 1e-12  # float arrays: dust this far below the array's largest value counts as 0


def _grade_array(item: Expected, actual: Any, noise: Any, tol: Tolerance | None, digits: int,
                 where: tuple[Any, int, int] | None = None,
                 decimals: int | None = None, seen: list[Any] | None = None) -> tuple[bool, str, str | None, str]:
    """An array answer: the same shape, and every element matching by the same rule as a single
    answer (its own decimals, or the tolerance). A float64 array (@dW.npy, or numpy from Python)
    has no written precision: each element must agree to `digits` significant digits, and float
    dust below 1e-12 of the array's largest value counts as 0. A float32 or float16 array is as
    precise as its dtype: each element must be within LOW_PRECISION_EPS of its dtype's epsilons,
    relative to the array's largest true element, give or take the float noise of its computation
    in that dtype (where: the trace, 0 for a value or 1 for a gradient, and the node's id). The
    worst element is reported, with the whole array's relative error. seen, if given, receives the
    answer as read, (elements, low dtype or None, whether they are numbers): diagnose.py reads it."""
    import numpy as np

    from ..core.bindings import answer_elements

    floats = _float_answer(item)  # in its own dtype, which may make the rule a float32 one
    low = _answer_dtype(item, floats) if floats is not None and tol is None else None
    floats = None if floats is None else np.asarray(floats, dtype=float)
    given = floats if floats is not None else answer_elements(item.origin, item.text)
    shown = item.text.strip() if isinstance(item.text, str) else \
        (f"an array of shape {given.shape}" if floats is not None else _array_text(given))
    if seen is not None:
        seen.append((given, low, floats is not None))
    if not hasattr(actual, "shape") or getattr(actual, "ndim", 0) == 0:
        return False, f"a single number, not an array of shape {given.shape}", None, shown
    if given.ndim == 0:
        return False, f"an array of shape {tuple(actual.shape)}, not a single number", None, shown
    actual = np.asarray(actual, dtype=float)
    if given.shape != actual.shape:
        return False, f"shape {tuple(actual.shape)}, not {tuple(given.shape)}", None, shown
    noise = np.broadcast_to(np.asarray(noise if noise is not None else 0.0, dtype=float), actual.shape)
    dtype = low
    if dtype is not None:
        if where is not None:  # the noise of the same computation done in the answer's dtype
            import numpy as np

            trace, which, node_id = where
            size = 2 * float(np.finfo(dtype).eps)  # about a rounding of each step, each way
            noise = np.broadcast_to(np.asarray(float_noise(trace, size, LOW_PRECISION_RUNS)[which][node_id],
                                               dtype=float), actual.shape)
        else:
            noise = noise * (float(np.finfo(dtype).eps) / EPS)
        return _grade_low_precision(item, actual, given, noise, dtype, digits, shown)
    floor = FILE_FLOOR * float(np.max(np.abs(actual))) if floats is not None and tol is None else 0.0
    rules, wrong = set(), []
    for index in np.ndindex(actual.shape):
        if floats is not None:
            value = float(given[index])
            rule = Rule("tolerance", tol=tol) if tol else Rule("zero" if value == 0 else "digits", digits=digits)
        else:
            value, rule = read_answer(str(given[index]), digits, tol, item.origin, decimals)
        rules.add(rule.text)
        a = float(actual[index])
        if not rule.allows(a, value, float(noise[index]) + floor):
            wrong.append((abs(a - value) / (abs(a) + abs(value) or 1.0), abs(a - value), index, value, rule, a))
    if floats is not None:
        rules = {f"{digits} significant digits, and dust below 1e-12 of the largest is 0"} if tol is None \
            else {rules.pop()}
    if not wrong:
        return True, "element by element: " + ", ".join(sorted(rules)), None, shown
    # the element of the largest |a−b|, the one CS231n's relative error is made of (and the report shows)
    _miss, _size, index, value, rule, a = max(wrong, key=lambda w: (w[1], w[0]))
    true = rule.shown(a)
    if floats is None:
        at = f"at {rule.text.removeprefix('rounds to ')} it is {true}" if true and rule.kind == "decimals" \
            else f"it is {format(a, f'.{digits}g')}"
        message = f"{item.name}{_where(index)} = {given[index]}, but {at}"
    else:
        message = _miss_message(item.name, index, value, a, digits)
    numbers = np.array([float(v) for v in given.ravel()]).reshape(given.shape) if floats is None else given
    return False, "element by element", message + _tail(len(wrong), actual, numbers), shown


LOW_PRECISION_EPS = 32  # a float32 or float16 answer: how many of its dtype's epsilons, times the array's scale
# Re-runs that measure the noise at a low-precision answer's dtype: a relu whose input is within
# float16's rounding of 0 may take either side there, and each re-run finds that with odds of 1/2.
LOW_PRECISION_RUNS = 12


def _grade_low_precision(item: Expected, actual: Any, given: Any, noise: Any, dtype: Any, digits: int,
                         shown: str) -> tuple[bool, str, str | None, str]:
    """A float32 or float16 answer, from a backward pass computed in that dtype: each element is
    right within LOW_PRECISION_EPS epsilons of the dtype, times the largest true element (the
    array's scale): an error of 7.5e-9 against a largest element of 0.07 is float32 rounding. Each
    element is also allowed the float noise of its computation at the dtype's precision (noise):
    a sum of ±1/N that cancels (an SVM's db) is 3e-8 in float32, and a relu whose input is within
    rounding of 0 may send its gradient or not."""
    import numpy as np

    eps = float(np.finfo(dtype).eps)
    scale = float(np.max(np.abs(actual)))
    bound = LOW_PRECISION_EPS * eps * scale
    rule = (f"element by element, as precise as {np.dtype(dtype).name}: within {LOW_PRECISION_EPS} × its "
            f"epsilon {eps:.3g} × the largest true element {scale:.4g}, that is ±{bound:.3g}, plus the float "
            f"noise in {np.dtype(dtype).name}")
    with np.errstate(all="ignore"):
        error = np.abs(actual - given)
        over = np.where(np.isnan(error), np.inf, error - (bound + noise))
    wrong = over > 0
    if not wrong.any():
        return True, rule, None, shown
    gap = np.where(wrong, np.where(np.isnan(error), np.inf, error), -1.0)  # the largest |a−b| among the wrong
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
    message = _miss_message(item.name, index, float(given[index]), float(actual[index]), digits)
    return False, rule, message + _tail(int(wrong.sum()), actual, given), shown


def _where(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, index)) + "]"


def _miss_message(name: str, index: tuple[int, ...], value: float, true: float, digits: int) -> str:
    """'W2[25, 7] = -6.6673e-05, but it is -6.668e-05' with as many digits as it takes for the two
    to differ, both at the same digits, so that what looks like a slip of the last digit is one."""
    while digits < 17 and format(value, f".{digits}g") == format(true, f".{digits}g"):
        digits += 1
    return f"{name}{_where(index)} = {format(value, f'.{digits}g')}, but it is {format(true, f'.{digits}g')}"


def _tail(count: int, actual: Any, given: Any) -> str:
    """How many elements are wrong, and CS231n's relative error of the whole array,
    max |a−b| / max(|a|+|b|)."""
    import numpy as np

    with np.errstate(all="ignore"):
        biggest = float(np.max(np.abs(actual) + np.abs(given)))
        error = float(np.max(np.abs(actual - given))) / biggest if biggest > 0 else 0.0
    if not (np.all(np.isfinite(actual)) and np.all(np.isfinite(given))):
        error = math.inf  # a NaN is no small error (diagnose.relative_error reads it the same way)
    of = f"; the worst of {count} wrong elements" if count > 1 else ""
    return f"{of}; relative error {error:.1e} (max |a−b| / max(|a|+|b|))"


def _answer_dtype(item: Expected, floats: Any) -> Any:
    """The dtype a float answer was computed in, when it is less precise than float64 (float32,
    float16), else None: numpy arrays from Python keep theirs, and so does a .npy file's array
    (floats, as _float_answer read it: the file is read once)."""
    import numpy as np

    text = item.text
    if hasattr(text, "dtype"):
        dtype = np.dtype(text.dtype) if isinstance(text, np.ndarray) else np.asarray(text).dtype
    elif isinstance(text, str) and hasattr(floats, "dtype"):
        dtype = floats.dtype
    else:
        return None
    return dtype if dtype.kind == "f" and dtype.itemsize < 8 else None


MAX_ARRAY_FILE = 256 << 20  # bytes: an @dW.npy answer larger than this is refused, not read


def _float_answer(item: Expected) -> Any:
    """The answer as an array when it has no written digits: @dW.npy (or .csv, in the file's own
    dtype) or a numpy array from Python (as float64); None for written answers. A file named in an
    answers file must be beside it. It must be a regular file of at most MAX_ARRAY_FILE bytes, read
    once: a FIFO there would block the run, a link to /dev/zero would never end."""
    text = item.text
    if hasattr(text, "shape") and getattr(text, "ndim", 0) > 0:
        from ..core.bindings import from_array

        return from_array(item.name, text)
    if not (isinstance(text, str) and text.strip().startswith("@")):
        return None
    import os

    from ..core.bindings import array_of_bytes
    from ..core.reading import read_regular

    path = text.strip()[1:]
    if item.folder is not None:
        inside = os.path.realpath(os.path.join(item.folder, path))
        if os.path.isabs(path) or os.path.commonpath([inside, os.path.realpath(item.folder)]) \
                != os.path.realpath(item.folder):
            raise GradtraceError(
                _("{origin}: an answers file names only files in its own folder, not {path}").format(
                    origin=item.origin, path=path
                ),
                hint=_("put the .npy file beside the answers file"),
            )
        path = inside
    try:
        data = read_regular(path, MAX_ARRAY_FILE)  # once: the file checked is the file read
    except GradtraceError as err:
        raise GradtraceError(f"{item.origin}: {err}", hint=err.hint) from None
    return array_of_bytes(item.name, path, data)


def _array_text(given: Any) -> str:
    def nested(a: Any) -> str:
        if getattr(a, "ndim", 0) == 0:
            return str(a)
        return "[" + ", ".join(nested(x) for x in a) + "]"
    return nested(given)


# ---- float noise ------------------------------------------------------------------------------

NUDGE = 8 * EPS   # how far each value is moved in a re-run: a few units in the last place
RUNS = 3          # re-runs, each with its own pattern of directions and sizes
_MASK = (1 << 64) - 1


def float_noise(trace: Any, size: float = NUDGE, runs: int = RUNS) -> tuple[list[Any], list[Any]]:
    """How far each node's value and upstream gradient could be from the exact result of the same
    numbers, measured rather than guessed: the trace is re-run with every source of rounding moved
    by a few units in the last place, in a fixed pseudo-random pattern of directions and sizes, as
    rounding does: the inputs, every constant of the program and every step of a constant folded
    when it was read (0.3 - (0.1+0.2)), every gate's output, and in the backward pass the seed,
    every downstream gradient and every sum at a copy gate. The largest change seen, times four, is the
    noise. A true zero stays put; a difference of equal values swings by as much as it is large.
    size is how far a value moves: 8 ulps of float64, or 2 of float16's for a float16 answer."""
    from ..core.engine import backward, forward
    from ..core.ops import scalar

    graph = trace.graph
    n = len(graph.nodes)
    values_noise: list[Any] = [0.0] * n
    upstream_noise: list[Any] = [0.0] * n
    xp = trace.backend
    backend = xp or scalar
    for run in range(runs):
        def nudge(key: int, value: Any, run: int = run, salt: int = 1) -> Any:
            return _nudged(xp, value, key, run, salt, size)

        def nudge_back(key: int, value: Any, run: int = run) -> Any:
            return _nudged(xp, value, key, run, 2, size)
        try:
            twin = _with_nudged_constants(graph, run, size)
            inputs = {v.name: trace.values[v.id] if _whole_array(xp, trace.values[v.id])
                      else nudge(v.id, trace.values[v.id]) for v in graph.variables}
            values = forward(twin, inputs, backend, nudge=nudge)
            # the seed too: an op's rule rounds inside (batchnorm's ∂x from ones cancels to dust)
            seed = _nudged(xp, trace.seed, n, run, 4, size)
            upstream = backward(twin, values, seed, backend, nudge=nudge_back)[0]
        except (GradtraceError, ArithmeticError, ValueError):
            continue  # a nudge crossed a domain edge: the noise stays what the other runs found
        for i in range(n):
            values_noise[i] = _wider(values_noise[i], values[i], trace.values[i])
            upstream_noise[i] = _wider(upstream_noise[i], upstream[i], trace.upstream[i])
    return values_noise, upstream_noise


class FloatNoise(NamedTuple):
    """float_noise's measure as a report a Trace carries (trace.noise), by node id."""

    values: list[Any]
    upstream: list[Any]


def with_float_noise(trace: Any) -> Any:
    """A copy of a trace of numbers carrying its float noise (trace.noise): the --html page's
    self-test grades a typed zero by it, as --expect does, and the page only reads it. An array,
    symbolic or exact trace comes back as it is: the page grades none of them."""
    if trace.mode != "numeric" or trace.arrays:
        return trace
    new = trace.with_reports(trace.check, trace.answers)
    new.noise = FloatNoise(*float_noise(trace))
    return new


def _whole_array(xp: Any, value: Any) -> bool:
    """An array of whole numbers (class labels y): exact as given, and a label moved off its
    integer would be no label at all."""
    if xp is None or getattr(value, "ndim", 0) == 0:
        return False
    np = xp.np
    return bool(np.all(np.mod(value, 1.0) == 0))


def _direction(key: int, run: int, salt: int) -> float:
    """A pseudo-random factor in ±[0.5, 1] for one rounding: two roundings almost never move by
    the same amount, so a difference of equal values always moves."""
    h = (key * 0x9E3779B97F4A7C15 + run * 0xC2B2AE3D27D4EB4F + salt * 0x165667B19E3779F9) & _MASK
    h = ((h ^ (h >> 31)) * 0xBF58476D1CE4E5B9) & _MASK
    h = ((h ^ (h >> 29)) * 0x94D049BB133111EB) & _MASK
    h ^= h >> 32
    size = 0.5 + 0.5 * ((h >> 11) & ((1 << 40) - 1)) / (1 << 40)
    return size if h & 1 else -size


def _nudged(xp: Any, value: Any, key: int, run: int, salt: int, size: float = NUDGE) -> Any:
    if xp is None or getattr(value, "ndim", 0) == 0:
        return value * (1.0 + size * _direction(key, run, salt))
    np = xp.np
    rng = np.random.default_rng((salt, key & _MASK, run))
    shape = np.shape(value)
    sizes = rng.uniform(0.5, 1.0, size=shape) * rng.choice((-1.0, 1.0), size=shape)
    return value * (1.0 + size * sizes)


def _with_nudged_constants(graph: Any, run: int, size: float = NUDGE) -> Any:
    """The graph with each gate's constants as a re-run sees them: every number written in the
    program and every step of a folded constant moved (_nudged), and defaults (alpha = 0.01) too.
    A shallow twin: nodes without constants are shared, and the graph itself is never changed."""
    import copy

    nodes = graph.nodes
    twins = None
    for node in nodes:
        if node.op is None or not node.params:
            continue
        params = _nudged_params(node, run, size)
        if twins is None:
            twins = list(nodes)
        twin = copy.copy(node)
        twin.params = params
        twins[node.id] = twin
    if twins is None:
        return graph
    twin_graph = copy.copy(graph)
    twin_graph.nodes = twins
    twin_graph.output = twins[graph.output.id]
    return twin_graph


def _nudged_params(node: Any, run: int, size: float = NUDGE) -> tuple[Any, ...]:
    """A node's parameters, each recomputed from the constant it was written as (op.rule_params
    names them: c for x + c, consts for max(x, 1, 2), then the keyword parameters)."""
    from ..core.graph import Const

    consts = [a for a in node.args if isinstance(a, Const)]
    keywords = dict(node.keywords)
    counter = [0]

    def moved(const: Any) -> float:
        return _nudged_const(const, node.id, run, counter, size)
    out: list[Any] = []
    for (name, _default), value in zip(node.op.rule_params, node.params):
        if node.op.param_kind(name) is not None:  # an axis, a shape, an index, a stride: integers, never moved
            out.append(value)
        elif name == "c" and consts:
            out.append(moved(consts[0]))
        elif name == "consts":
            out.append(tuple(moved(c) for c in consts))
        elif name in keywords:
            out.append(moved(keywords[name]))
        elif isinstance(value, float):
            counter[0] += 1
            out.append(value * (1.0 + size * _direction(node.id * 64 + counter[0], run, 3)))
        else:
            out.append(value)
    return tuple(out)


def _nudged_const(const: Any, node_id: int, run: int, counter: list[int], size: float = NUDGE) -> float:
    """A constant recomputed with each number in it, and each step of its folding, moved by a few
    units in the last place (without recursion: the tree of 0.3 - (0.1+0.2) can be deep)."""
    from ..core.ops import scalar

    done: dict[int, float] = {}
    stack = [(const, False)]
    while stack:
        item, ready = stack.pop()
        if id(item) in done:
            continue
        if item.op is not None and not ready:
            stack.append((item, True))
            stack.extend((arg, False) for arg in item.args)
            continue
        value = item.value if item.op is None else \
            item.op.apply(scalar, tuple(done[id(arg)] for arg in item.args), item.params)
        counter[0] += 1
        done[id(item)] = value * (1.0 + size * _direction(node_id * 64 + counter[0], run, 3))
    return done[id(const)]


def _wider(noise: Any, nudged: Any, exact: Any) -> Any:
    if nudged is None or exact is None:
        return noise
    if hasattr(exact, "shape") or hasattr(nudged, "shape"):
        import numpy as np

        with np.errstate(all="ignore"):
            change = 4 * np.abs(np.asarray(nudged, dtype=float) - np.asarray(exact, dtype=float))
        change = np.where(np.isfinite(change), change, 0.0)
        return np.maximum(noise, change)
    change = 4 * abs(nudged - exact)
    return max(noise, change) if math.isfinite(change) else noise
