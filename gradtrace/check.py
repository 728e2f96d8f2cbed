"""Checks: the analytic gradient against the numerical one, and a student's answers against the trace.

The lecture's contrast: the numerical gradient is slow, approximate and easy; the analytic one is
fast, exact and error-prone. So gradtrace checks its own analytic gradient with central
differences, using the CS231n notes' relative error and verdict bands.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .engine import forward
from .errors import EvaluationError, GradtraceError
from .graph import Graph
from .ops import scalar
from .trace import Trace

DEFAULT_STEP = 1e-5
# (upper bound on the relative error, verdict), from the CS231n notes on gradient checks.
BANDS = ((1e-7, "good"), (1e-4, "fine at kinks"), (1e-2, "suspicious"), (math.inf, "wrong"))
# Below this, a central difference cannot tell a value from 0: f's rounding error (~1e-16·|f|)
# divided by 2h. Two gradients both under it count as equal.
NOISE = 1e-10


class VariableCheck:
    """The analytic and numerical gradient of one variable, and what to make of them."""
    __slots__ = ("name", "analytic", "numerical", "relative_error", "verdict", "kinks")

    def __init__(self, name: str, analytic: float, numerical: float, relative_error: float, verdict: str,
                 kinks: list[str]):
        self.name, self.analytic, self.numerical = name, analytic, numerical
        self.relative_error, self.verdict, self.kinks = relative_error, verdict, kinks

    @property
    def failed(self) -> bool:
        """Wrong, and not excused by a kink (where the numerical gradient is unreliable)."""
        return self.verdict == "wrong" and not self.kinks

    def to_dict(self) -> dict:
        return {"analytic": self.analytic, "numerical": self.numerical, "relative_error": self.relative_error,
                "verdict": self.verdict, "kinks": self.kinks, "failed": self.failed}


class CheckReport:
    __slots__ = ("step", "variables")

    def __init__(self, step: float, variables: list[VariableCheck]):
        self.step, self.variables = step, variables

    @property
    def failed(self) -> list[str]:
        return [v.name for v in self.variables if v.failed]

    def to_dict(self) -> dict:
        return {"step": self.step, "passed": not self.failed, "failed": self.failed,
                "variables": {v.name: v.to_dict() for v in self.variables}}


def relative_error(a: float, n: float, scale: float = 1.0) -> float:
    """|a - n| / max(|a|, |n|), and 0 when both are (numerically) zero."""
    biggest = max(abs(a), abs(n))
    if biggest <= NOISE * max(1.0, scale):
        return 0.0
    return abs(a - n) / biggest


def verdict(error: float) -> str:
    return next(name for bound, name in BANDS if error <= bound)


def gradient_check(trace: Trace, step: float = DEFAULT_STEP) -> CheckReport:
    """Central differences for every variable, compared with the trace's analytic gradients."""
    graph = trace.graph
    out = graph.output.id
    descendants = _descendants(graph)
    results = []
    for var in graph.variables:
        plus, minus = dict(trace.bindings), dict(trace.bindings)
        plus[var.name] += step
        minus[var.name] -= step
        kinks = [graph.nodes[i].name for i in descendants[var.id] if trace.kinks[i]]
        try:
            up, down = forward(graph, plus), forward(graph, minus)
        except EvaluationError:
            # x ± h leaves the domain (sqrt at 0, say): no numerical gradient to compare with.
            results.append(VariableCheck(var.name, trace.upstream[var.id], math.nan, math.nan, "undefined",
                                         kinks or [f"{var.name} ± {step:g} leaves the domain"]))
            continue
        numerical = (up[out] - down[out]) / (2 * step)
        for i in descendants[var.id]:
            node = graph.nodes[i]
            if node.op is not None and node.op.branch is not None and node.name not in kinks:
                if _branch(node, up) != _branch(node, down):
                    kinks.append(node.name)  # the winner or side changes between x+h and x-h
        analytic = trace.upstream[var.id]
        error = relative_error(analytic, numerical, abs(trace.value))
        results.append(VariableCheck(var.name, analytic, numerical, error, verdict(error), kinks))
    return CheckReport(step, results)


def _branch(node: Any, values: list) -> Any:
    args = tuple(values[i] for i in node.inputs)
    return node.op.which_branch(scalar, values[node.id], args, node.params)


def _descendants(graph: Graph) -> list[list[int]]:
    """For every node, the nodes that depend on it (itself included), in topological order."""
    result: list[list[int]] = []
    for node in graph.nodes:
        seen = {node.id}
        stack = [node.id]
        while stack:
            for consumer, _ in graph.consumers[stack.pop()]:
                if consumer not in seen:
                    seen.add(consumer)
                    stack.append(consumer)
        result.append(sorted(seen))
    return result


# ---- a student's answers ----------------------------------------------------------------------

class Tolerance:
    """An explicit tolerance from --tol: '0.01' or 'abs:0.01' (absolute), '1%' or 'rel:0.01' (relative)."""
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
            raise GradtraceError(f"--tol {text}: not a tolerance",
                                 hint="write --tol 0.01 (absolute), --tol 1% or --tol rel:0.01 (relative)") from None
        if not (self.absolute >= 0 and self.relative >= 0) or math.isinf(self.absolute + self.relative):
            raise GradtraceError(f"--tol {text}: a tolerance must be a finite number ≥ 0")

    def allows(self, actual: float, given: float) -> bool:
        return abs(actual - given) <= max(self.absolute, self.relative * abs(actual))


class Answer:
    """One expected answer, what it refers to, and whether it matches."""
    __slots__ = ("name", "refers_to", "given", "actual", "correct", "rule")

    def __init__(self, name: str, refers_to: str, given: str, actual: float, correct: bool, rule: str):
        self.name, self.refers_to, self.given = name, refers_to, given
        self.actual, self.correct, self.rule = actual, correct, rule

    def to_dict(self) -> dict:
        return {"name": self.name, "refers_to": self.refers_to, "given": self.given, "actual": self.actual,
                "correct": self.correct, "rule": self.rule}


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")


def check_answers(trace: Trace, expected: list[tuple[str, str]], tol: Tolerance | None = None) -> list[Answer]:
    """Grade answers: NAME is ∂out/∂NAME (a variable) or a node's upstream gradient; NAME.value is
    its forward value. An answer written with d decimals matches when the true value rounds to it
    at d decimals; an integer must be exact (to 1e-9); --tol overrides both."""
    answers = []
    out = trace.output
    for name, text in expected:
        target, _, attribute = name.partition(".")
        if attribute not in ("", "value"):
            raise GradtraceError(f"--expect {name}: only NAME and NAME.value can be checked",
                                 hint=f"write --expect {target}=... for ∂{out}/∂{target}")
        try:
            node = trace.node(target)
        except KeyError:
            from .graph import _did_you_mean
            names = [n.name for n in trace.nodes]
            raise GradtraceError(f"--expect {name}: the trace has no node or variable {target!r}",
                                 hint=_did_you_mean(target, names) or f"its nodes are {', '.join(names)}") from None
        if attribute == "value":
            actual, refers_to = node.value, f"{node.name}"
        else:
            actual, refers_to = node.upstream, f"∂{out}/∂{node.name}"
        given, rule = _parse_answer(name, text)
        if tol is not None:
            correct, rule = tol.allows(actual, given), f"within {tol.text}"
        else:
            correct = rule_allows(rule, actual, given)
        answers.append(Answer(name, refers_to, text.strip(), actual, correct, rule))
    return answers


def _parse_answer(name: str, text: str) -> tuple[float, str]:
    text = str(text).strip()
    if _NUMBER.match(text):
        exponent = Decimal(text).as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return float(text), (f"rounds to {decimals} decimal{'s' if decimals > 1 else ''}" if decimals else "exact")
    from .bindings import parse_value  # a constant expression such as 1/3 or -pi/2
    try:
        return parse_value(name, text), "exact"
    except GradtraceError as err:
        raise GradtraceError(f"--expect {name}={text}: the answer is not a number", hint=err.hint) from None


def rule_allows(rule: str, actual: float, given: float) -> bool:
    if rule == "exact":
        return abs(actual - given) <= 1e-9 * max(1.0, abs(actual))
    decimals = int(rule.split()[2])
    # The true value, rounded at d decimals, equals the answer: |actual - given| ≤ half a unit.
    return abs(actual - given) <= 0.5 * 10 ** -decimals * (1 + 1e-9) + 1e-12
