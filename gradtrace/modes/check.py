"""The gradient check: the analytic gradient against the numerical one (answers.py grades a
student's answers).

The lecture's contrast: the numerical gradient is slow, approximate and easy; the analytic one is
fast, exact and error-prone. So gradtrace checks its own analytic gradient with central
differences, using the CS231n notes' relative error and verdict bands.
"""

from __future__ import annotations

import math
import random
from typing import Any

from ..core.engine import forward
from ..core.errors import EvaluationError
from ..core.graph import Graph, Report
from ..core.ops import scalar
from ..core.trace import Trace
from ..i18n import N_

DEFAULT_STEP = 1e-5
# (upper bound on the relative error, verdict), from the CS231n notes on gradient checks.
BANDS = ((1e-7, N_("good")), (1e-4, N_("fine at kinks")), (1e-2, N_("suspicious")), (math.inf, N_("wrong")))
# Below this, a central difference cannot tell a value from 0: f's rounding error (~1e-16·|f|)
# divided by 2h. Two gradients both under it count as equal.
NOISE = 1e-10


class VariableCheck:
    """The analytic and numerical gradient of one variable, and what to make of them."""
    __slots__ = ("analytic", "kinks", "name", "numerical", "relative_error", "verdict")

    def __init__(self, name: str, analytic: float, numerical: float, relative_error: float, verdict: str,
                 kinks: list[str]):
        self.name, self.analytic, self.numerical = name, analytic, numerical
        self.relative_error, self.verdict, self.kinks = relative_error, verdict, kinks

    @property
    def failed(self) -> bool:
        """Wrong, and not excused by a kink (where the numerical gradient is unreliable)."""
        return self.verdict == "wrong" and not self.kinks

    def to_dict(self) -> dict[Any, Any]:
        return {"analytic": self.analytic, "numerical": self.numerical, "relative_error": self.relative_error,
                "verdict": self.verdict, "kinks": self.kinks, "failed": self.failed}


class CheckReport:
    __slots__ = ("step", "total", "variables")

    def __init__(self, step: float, variables: list[VariableCheck], total: int | None = None):
        self.step, self.variables = step, variables
        self.total = len(variables) if total is None else total  # variables in the graph

    @property
    def failed(self) -> list[str]:
        return [v.name for v in self.variables if v.failed]

    @property
    def sampled(self) -> bool:
        return self.total > len(self.variables)

    def to_dict(self) -> dict[Any, Any]:
        return {"step": self.step, "passed": not self.failed, "failed": self.failed,
                "checked": len(self.variables), "of": self.total,
                "variables": {v.name: v.to_dict() for v in self.variables}}


def relative_error(a: float, n: float, scale: float = 1.0) -> float:
    """|a - n| / max(|a|, |n|), and 0 when both are (numerically) zero."""
    biggest = max(abs(a), abs(n))
    if biggest <= NOISE * max(1.0, scale):
        return 0.0
    return abs(a - n) / biggest


def verdict(error: float) -> str:
    return next(name for bound, name in BANDS if error <= bound)


SAMPLES = 10         # coordinates checked per array variable, like the course's sparse gradient check
MAX_VARIABLES = 200  # past this many variables, a random sample of them is checked (two passes each)


def gradient_check(trace: Trace, step: float = DEFAULT_STEP, samples: int = SAMPLES,
                   report: Report | None = None, seed: int = 0) -> CheckReport:
    """Central differences for every variable (for an array, a random sample of its coordinates,
    drawn from seed, reporting the worst), compared with the trace's analytic gradients.
    report(phase, done, total), if given, hears how many variables have been checked."""
    graph = trace.graph
    xp = trace.backend or scalar
    variables = graph.variables
    if len(variables) > MAX_VARIABLES:
        chosen = set(random.Random(seed).sample(range(len(variables)), MAX_VARIABLES))
        variables = [v for k, v in enumerate(variables) if k in chosen]
    descendants = {v.id: _descendants(graph, v.id) for v in variables}
    scale = abs(_objective(trace, trace.values))
    results = []
    for done, var in enumerate(variables):
        if report is not None:
            report("gradient check", done, len(variables))
        analytic_all = trace.upstream[var.id]
        if analytic_all is None:
            continue  # class labels: nothing to check
        kinks = [graph.nodes[i].name for i in descendants[var.id] if trace.kinks[i]]
        value = trace.bindings[var.name]
        if hasattr(value, "shape") and value.ndim > 0:
            rng = xp.np.random.default_rng(seed)
            flat = rng.choice(value.size, size=min(samples, value.size), replace=False)
            coords = [tuple(int(i) for i in xp.np.unravel_index(k, value.shape)) for k in sorted(flat)]
        else:
            coords = [None]  # type: ignore[list-item]  # a scalar: one coordinate, the value itself
        worst: VariableCheck | None = None
        for coord in coords:
            label = var.name if coord is None else f"{var.name}[{', '.join(map(str, coord))}]"
            try:
                numerical, crossed = _central(trace, var.name, coord, step, descendants[var.id])
            except EvaluationError:
                # x ± h leaves the domain (sqrt at 0, say): no numerical gradient to compare with.
                result = VariableCheck(label, float(analytic_all if coord is None else analytic_all[coord]),
                                       math.nan, math.nan, "undefined",
                                       kinks or [f"{label} ± {step:g} leaves the domain"])
            else:
                analytic = float(analytic_all if coord is None else analytic_all[coord])
                error = relative_error(analytic, numerical, scale)
                result = VariableCheck(label, analytic, numerical, error, verdict(error),
                                       kinks + [c for c in crossed if c not in kinks])
            if worst is None or _worse(result, worst):
                worst = result
        assert worst is not None
        if coord is not None:
            worst.name = f"{worst.name} (worst of {len(coords)})"
        results.append(worst)
    return CheckReport(step, results, len(graph.variables))


def _worse(a: VariableCheck, b: VariableCheck) -> bool:
    ea = math.inf if math.isnan(a.relative_error) else a.relative_error
    eb = math.inf if math.isnan(b.relative_error) else b.relative_error
    return ea > eb


def _objective(trace: Trace, values: list[Any]) -> float:
    """What the numerical gradient differentiates: the output, or Σ seed·output for an array."""
    out = values[trace.graph.output.id]
    if trace.backend is None:
        return out * trace.seed
    np = trace.backend.np
    return float(np.sum(np.asarray(trace.seed) * out))


def _central(trace: Trace, name: str, coord: tuple[Any, ...] | None, step: float,
             downstream_nodes: list[int]) -> tuple[Any, ...]:
    """The central difference of the objective in one coordinate, and the piecewise nodes whose
    branch differs between x+h and x-h (kinks the step crosses)."""
    graph = trace.graph
    xp = trace.backend or scalar
    plus, minus = dict(trace.bindings), dict(trace.bindings)
    if coord is None:
        plus[name] = plus[name] + step
        minus[name] = minus[name] - step
    else:
        plus[name], minus[name] = plus[name].copy(), minus[name].copy()
        plus[name][coord] += step
        minus[name][coord] -= step
    up, down = forward(graph, plus, xp), forward(graph, minus, xp)
    numerical = (_objective(trace, up) - _objective(trace, down)) / (2 * step)
    crossed = []
    for i in downstream_nodes:
        node = graph.nodes[i]
        if node.op is not None and node.op.maths.branch is not None:
            if _branch(node, up, xp) != _branch(node, down, xp):
                crossed.append(node.name)  # the winner or side changes between x+h and x-h
    return numerical, crossed


def _branch(node: Any, values: list[Any], xp: Any = scalar) -> Any:
    args = tuple(values[i] for i in node.inputs)
    return node.op.which_branch(xp, values[node.id], args, node.params)


def _descendants(graph: Graph, start: int) -> list[int]:
    """The nodes that depend on one node (itself included), in topological order."""
    seen = {start}
    stack = [start]
    while stack:
        for consumer, _ in graph.consumers_of(stack.pop()):
            if consumer not in seen:
                seen.add(consumer)
                stack.append(consumer)
    return sorted(seen)
