"""Checking a hand-written gradient: when an array answer is wrong, how wrong it is (CS231n's
relative error, its band, the worst element) and why: the one typical mistake, from a catalogue,
that reproduces the answer to the answer's own precision.

Every entry of the catalogue is a general transformation of the trace's own arrays, keyed by what
a gate does (a router, a broadcast, a fork, a normalization, a product of two arrays), never by an
op's name, so an op added to the table later is diagnosed as well as the ones here today:

  the whole answer   transposed; the sign flipped; a missing or an extra 1/N (N an axis length or a
                     size of the trace's arrays); off by another constant factor; all zeros;
  its shape          not summed over the axes a broadcast added, summed over other axes, or the
                     right numbers with a summed axis kept (keepdims);
  the backward pass  run again by the engine's own backward pass with one thing changed: an
                     upstream of ones instead of the given one; one gate's local gradient alone
                     (its upstream not multiplied in); a fork (a copy gate) keeping one branch's
                     gradient; a router (a gate whose output is one of its inputs, found by raising
                     each input element: max, relu, maxpool) sending the gradient to the wrong
                     elements, splitting it or copying it; a normalization (a gate whose output is
                     γ·x̂ + β with x̂ standardized over some axes, and whose backward is that
                     formula's: batchnorm, layernorm) without its mean's or its variance's path;
                     a gate of two arrays with its other, square, input transposed;
  the precision      right, but a float64 answer only as precise as float32 (or float16).

A mistake is named only when its array passes the verdict's own rule in place of the truth (the
same dtype-aware tolerance: 4 significant digits for float64, the dtype's epsilons for float32);
when several do, the simplest (the first in the catalogue) is named, and the others only when
their arrays are the same numbers, so that no answer could tell them apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from itertools import combinations
from typing import Any

from ..core.errors import GradtraceError
from ..i18n import N_, _

# CS231n's relative error of two arrays, and how it is read (the notes on gradient checks).
RELATIVE_ERROR = N_("max|a−b| / max(|a|+|b|) over the whole array (a the true gradient, b the answer); when both "
                    "are all zeros the denominator is 0 and the error is 0; a NaN or an infinity makes it inf")
BANDS = (  # (upper bound, verdict, in words), the verdicts named as the gradient check names them
    (1e-7, "good", N_("≤ 1e-7: good")),
    (1e-4, "fine at kinks", N_("≤ 1e-4: suspicious, unless a kink explains it")),
    (1e-2, "suspicious", N_("between 1e-4 and 1e-2: suspicious")),
    (math.inf, "wrong", N_("≥ 1e-2: wrong")),
)
SAME = 1e-9         # two candidate arrays this close (relative to their scale) are the same numbers
DUST = 1e-12        # this small, next to the node's gradient from a random upstream: 0 but for rounding
# The random upstream the catalogue probes with, its own: not 0, which a student may well have drawn
# the data from (an upstream equal to the output makes batchnorm's ∂x almost 0).
PROBE_SEED = 20250033
MAX_GATES = 40      # gates after the answer's node whose backward rule is varied
MAX_RERUNS = 160    # backward passes run again per answer, for a trace of at most RERUN_ELEMENTS numbers
RERUN_ELEMENTS = 200_000
MAX_PROBES = 4096   # input elements a router is probed at
MAX_WINDOW_CELLS = 4_000_000  # outputs × input elements of a router's windows, kept as a dense matrix
MAX_ELEMENTS = 1 << 20  # an answer larger than this is reported, not diagnosed


def relative_error(true: Any, given: Any) -> float:
    """CS231n's relative error max|a−b| / max(|a|+|b|) (RELATIVE_ERROR says how 0/0 is read)."""
    import numpy as np

    a, b = np.asarray(true, dtype=float), np.asarray(given, dtype=float)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return math.inf
    with np.errstate(all="ignore"):
        biggest = float(np.max(np.abs(a) + np.abs(b))) if a.size else 0.0
        error = float(np.max(np.abs(a - b))) / biggest if biggest > 0 else 0.0
    return error if math.isfinite(error) else math.inf


def band(error: float) -> tuple[str, str]:
    """The verdict of a relative error and its band in words: ≤ 1e-7 good, ≤ 1e-4 fine at kinks,
    below 1e-2 suspicious, from 1e-2 wrong."""
    for bound, verdict, text in BANDS:
        if error <= bound and not (verdict == "suspicious" and error >= 1e-2):
            return verdict, _(text)
    return BANDS[-1][1], _(BANDS[-1][2])


# ---- the verdict's tolerance, for any array in the truth's place ------------------------------


class Fit:
    """Whether an array, in the place of the true one, would pass the answer's verdict: the rule
    answers.py grades it by (its dtype's tolerance, 4 significant digits with float dust for a
    float64 array, each written element's decimals, or --tol), with the truth's float noise."""

    def __init__(self, elements: Any, low: Any, numbers: bool, tol: Any = None, precision: int = 4,
                 decimals: int | None = None, origin: str = "", noise: Any = None):
        import numpy as np

        from .answers import read_answer

        self.shape = tuple(np.shape(elements))
        self.low, self.tol, self.precision, self.numbers = low, tol, precision, numbers
        if numbers:
            self.values = np.asarray(elements, dtype=float)
            self.rules = None
        else:  # written elements: each its own rule (0.39 rounds at 2 decimals)
            read = [read_answer(str(text), precision, tol, origin, decimals) for text in np.ravel(elements)]
            self.values = np.array([value for value, _rule in read], dtype=float).reshape(self.shape)
            self.rules = [rule for _value, rule in read]
        # the truth's float noise, when the answer has its shape (a transposed answer has another)
        spread = None if noise is None else np.asarray(noise, dtype=float)
        self.noise = np.broadcast_to(spread, self.shape) if spread is not None and \
            (spread.ndim == 0 or spread.shape == self.shape) else None

    def fits(self, truth: Any, low: Any = None) -> bool:
        """Whether the answer passes with `truth` as the true array (low: grade it as if it were an
        array of that dtype, float32 or float16)."""
        import numpy as np

        from .answers import EPS, FILE_FLOOR, LOW_PRECISION_EPS

        t = np.asarray(truth, dtype=float)
        if t.shape != self.shape or not (np.all(np.isfinite(t)) and np.all(np.isfinite(self.values))):
            return False  # a NaN or an infinity, in either, matches nothing (as Rule.allows says)
        g = self.values
        noise = self.noise if self.noise is not None else np.zeros(self.shape)
        error = np.abs(t - g)
        dtype = low if low is not None else (self.low if self.tol is None else None)
        if self.tol is not None:
            return bool(np.all(error <= np.maximum(self.tol.absolute, self.tol.relative * np.abs(t))))
        if dtype is not None:  # answers._grade_low_precision, with the noise scaled to the dtype
            eps = float(np.finfo(dtype).eps)
            bound = LOW_PRECISION_EPS * eps * float(np.max(np.abs(t)))
            return bool(np.all(error <= bound + noise * (eps / EPS)))
        if self.rules is not None:  # written elements: each by its own rule
            return all(rule.allows(float(a), float(v), float(n))
                       for rule, a, v, n in zip(self.rules, t.ravel(), g.ravel(), noise.ravel()))
        # A float64 array: answers._grade_array's rule, element by element, written for arrays.
        floor = FILE_FLOOR * float(np.max(np.abs(t)))
        slack = noise + floor
        zero = g == 0
        if not np.all(np.abs(t[zero]) <= slack[zero]):
            return False
        gz, tz, sz = g[~zero], t[~zero], slack[~zero]
        exponent = np.floor(np.log10(np.abs(gz)))
        allowed = 0.5 * 10.0 ** (exponent - self.precision + 1) * (1 + 1e-9) \
            + 4 * EPS * np.maximum(np.abs(tz), np.abs(gz)) + sz
        return bool(np.all(np.abs(tz - gz) <= allowed))


# ---- the catalogue ------------------------------------------------------------------------------


class Mistake:
    """One typical mistake as it would show in this answer: what it is (key), where (at: a node's
    name, or None for the whole answer), its parameters, its words, and the array it predicts."""

    __slots__ = ("array", "at", "key", "params", "rank", "text")

    def __init__(self, key: str, rank: int, text: str, array: Any, at: str | None = None,
                 params: dict[str, Any] | None = None):
        self.key, self.rank, self.text, self.array, self.at = key, rank, text, array, at
        self.params = params or {}

    @property
    def ident(self) -> tuple[Any, ...]:
        """What makes two runs' mistakes the same mistake (their arrays differ with the upstream)."""
        return self.key, self.at, tuple(sorted((k, repr(v)) for k, v in self.params.items()))

    def to_dict(self) -> dict[str, Any]:
        return {"mistake": self.key, "text": self.text, "at": self.at, "params": _jsonable_params(self.params)}


class _Context:
    """What the catalogue reads: the trace, the answer's node and whether it is a value or a
    gradient, the true array, and the shape an array must have to be a candidate."""

    def __init__(self, trace: Any, node_id: int, value: bool, want: tuple[int, ...]):
        import numpy as np

        self.trace, self.graph, self.id, self.value = trace, trace.graph, node_id, value
        self.node = self.graph.nodes[node_id]
        self.np = np
        self.truth = np.asarray(trace.values[node_id] if value else trace.upstream[node_id], dtype=float)
        self.want = tuple(want)
        self.reruns = 0
        # A backward pass run again costs about as much as the trace's arrays are large: past
        # RERUN_ELEMENTS of them, fewer are run (the whole-answer entries cost nothing).
        size = sum(int(getattr(v, "size", 1)) for v in trace.values)
        self.budget = MAX_RERUNS if size <= RERUN_ELEMENTS else int(MAX_RERUNS * RERUN_ELEMENTS / size)
        from .check import _descendants

        self.after = [i for i in _descendants(self.graph, node_id) if i != node_id][:MAX_GATES]

    def name(self, node_id: int) -> str:
        return str(self.graph.nodes[node_id].name)

    def gate_text(self, node_id: int) -> str:
        node = self.graph.nodes[node_id]
        return f"{node.name} = {node.expr}"

    def upstream_at(self, upstream: list[Any]) -> Any:
        """The answer's node's gradient in a backward pass run again (its value, for a value answer)."""
        got = upstream[self.id]
        return None if got is None else self.np.asarray(got, dtype=float)

    def rerun(self, seed: Any = None, rules: dict[int, Rule] | None = None) -> Any:
        """The answer's gradient from the engine's own backward pass, run again with another seed or
        with some gates' downstream rules replaced; None when that pass fails or the budget is spent."""
        if self.reruns >= self.budget:
            return None
        self.reruns += 1
        try:
            return self.upstream_at(rerun_backward(self.trace, seed, rules))
        except (GradtraceError, ArithmeticError, ValueError, TypeError, IndexError):
            return None


Rule = Callable[[Any, Any, tuple[Any, ...], tuple[Any, ...]], tuple[Any, ...]]  # (up, out, args, params) -> down


def rerun_backward(trace: Any, seed: Any = None, rules: dict[int, Rule] | None = None) -> list[Any]:
    """The upstream gradient of every node from engine.backward, the one backward pass, on a twin of
    the graph whose gates in `rules` send rule(up, out, args, params) instead of their own
    downstream gradients (before un-broadcasting, as an op's vjp does), from `seed` (the trace's if
    None). The trace and its graph are left as they are."""
    import copy
    import dataclasses

    from ..core.engine import backward
    from ..core.ops import Op

    graph = trace.graph
    if rules:
        nodes = list(graph.nodes)
        for node_id, rule in rules.items():
            node = nodes[node_id]
            op = node.gate
            count = len(node.inputs)

            def vjp(xp: Any, up: Any, out: Any, *rest: Any, rule: Rule = rule, count: int = count) -> Any:
                return rule(up, out, rest[:count], rest[count:])
            twin = copy.copy(node)
            twin.op = Op(op.name, op.arity, dataclasses.replace(op.maths, vjp=vjp), op.syntax, op.text,
                         op.oracles, op.teach)
            nodes[node_id] = twin
        graph = copy.copy(graph)
        graph.nodes = nodes
        graph.output = nodes[trace.graph.output.id]
    return backward(graph, trace.values, trace.seed if seed is None else seed, trace.backend)[0]


def _downstream(trace: Any, node_id: int, up: Any) -> tuple[Any, ...]:
    """A gate's own downstream gradients for the upstream `up`, before un-broadcasting."""
    from ..core.engine import local_downstream

    node = trace.graph.nodes[node_id]
    args = tuple(trace.values[i] for i in node.inputs)
    return local_downstream(node.gate, trace.backend, up, trace.values[node_id], args, node.params)[1]


def _with_slot(down: tuple[Any, ...], slot: int, value: Any) -> tuple[Any, ...]:
    return tuple(value if k == slot else d for k, d in enumerate(down))


# Each entry: (key, rank, the function that finds it); rank orders them from the simplest.
def _transposed(ctx: _Context) -> Iterator[Mistake]:
    np, t = ctx.np, ctx.truth
    if t.ndim < 2:
        return
    text = _("transposed: your array is the true one's transpose")
    if t.T.shape == ctx.want:
        yield Mistake("transposed", 10, text, t.T)
    if t.ndim > 2 and np.swapaxes(t, -1, -2).shape == ctx.want:
        yield Mistake("transposed", 10, _("transposed: the last two axes of the true array swapped"),
                      np.swapaxes(t, -1, -2), params={"axes": "last two"})
    if t.T.shape != t.shape and t.shape == ctx.want:
        yield Mistake("transposed", 10, _("transposed, then reshaped to the right shape: the true array's transpose "
                                          "read back in the true shape"), t.T.reshape(t.shape),
                      params={"reshaped": True})


def _sign(ctx: _Context) -> Iterator[Mistake]:
    if ctx.truth.shape == ctx.want:
        yield Mistake("sign", 20, _("the sign flipped: your array is minus the true one"), -ctx.truth)


def _sizes(ctx: _Context) -> dict[int, str]:
    """The counts a 1/N could be: every axis length and every size of the trace's arrays, each
    with where it comes from, the variables' first."""
    graph = ctx.graph
    found: dict[int, str] = {}
    for node in sorted(graph.nodes, key=lambda n: n.op is not None):
        shape = tuple(ctx.np.shape(ctx.trace.values[node.id]))
        for axis, n in enumerate(shape):
            if n > 1:
                found.setdefault(n, _("the length of axis {axis} of {name}").format(axis=axis, name=node.name))
        size = math.prod(shape)
        if size > 1:
            found.setdefault(size, _("the number of elements of {name}").format(name=node.name))
    return found


def _one_over_n(ctx: _Context) -> Iterator[Mistake]:
    t = ctx.truth
    if t.shape != ctx.want or not t.any():
        return
    for n, where in sorted(_sizes(ctx).items()):
        yield Mistake("one_over_n", 30, _("a missing 1/N: your array is N = {n} ({where}) times the true one").format(
            n=n, where=where), t * n, params={"N": n, "missing": True})
        yield Mistake("one_over_n", 30, _("an extra 1/N: your array is the true one divided by N = {n} "
                                          "({where})").format(n=n, where=where), t / n,
                      params={"N": n, "missing": False})


def _factor(ctx: _Context, given: Any) -> Iterator[Mistake]:
    """Off by a constant: the least-squares factor c of given ≈ c·truth, named as a short fraction
    when one is as good (2, 1/2, 3/2)."""
    from fractions import Fraction

    np, t = ctx.np, ctx.truth
    if given is None or t.shape != ctx.want or given.shape != t.shape or np.count_nonzero(t) < 2:
        return  # one number is always some factor times another: that says nothing
    norm = float(np.sum(t * t))
    if not norm > 0 or not np.all(np.isfinite(given)):
        return
    c = float(np.sum(t * given)) / norm
    if not math.isfinite(c) or c == 0 or abs(c + 1) < 1e-9 or abs(c - 1) < 1e-9:
        return  # 0 is the zero entry's, -1 the sign's, 1 no factor at all
    short = Fraction(c).limit_denominator(12)
    for factor in ((float(short), str(short)),) if abs(float(short) - c) <= 1e-6 * abs(c) else ():
        yield Mistake("factor", 40, _("off by a constant factor: your array is {factor} × the true one").format(
            factor=factor[1]), t * factor[0], params={"factor": factor[0]})
    text = format(c, ".4g")
    yield Mistake("factor", 40, _("off by a constant factor: your array is {factor} × the true one").format(
        factor=text), t * c, params={"factor": float(text)})


def _zero(ctx: _Context) -> Iterator[Mistake]:
    if ctx.truth.shape == ctx.want and ctx.truth.any():
        yield Mistake("zero", 50, _("all zeros: no gradient reached it"), ctx.np.zeros(ctx.want))


def _broadcast(ctx: _Context) -> Iterator[Mistake]:
    """The answer's node was broadcast by the gate that uses it (b in x @ W + b, or a layer's bias,
    which its own rule sums: conv2d's b, batchnorm's beta): its gradient is an upstream summed over
    the axes the broadcast added. Not summed, or summed over other axes, is a typical slip; so are
    the right numbers with the summed axis kept."""
    np, t = ctx.np, ctx.truth
    if t.shape != ctx.want and t.size == math.prod(ctx.want) and \
            tuple(n for n in ctx.want if n != 1) == tuple(n for n in t.shape if n != 1):
        yield Mistake("kept_axis", 60, _("the right numbers in the wrong shape: {given} instead of {true} (an axis of "
                                         "length 1 kept or dropped: keepdims, or a reshape missing)").format(
            given=ctx.want, true=t.shape), t.reshape(ctx.want))
    if ctx.value or ctx.graph.fanout[ctx.id] != 1:
        return
    ((consumer, slot),) = ctx.graph.consumers_of(ctx.id)
    up = ctx.trace.upstream[consumer]
    if up is None:
        return
    raw = _downstream(ctx.trace, consumer, up)[slot]
    if raw is None:
        return
    if np.shape(raw) == t.shape:  # no broadcast for the engine to undo: does the gate's own rule sum?
        found = _summed_upstream(np, np.asarray(up, dtype=float), t)
        if found is None:
            return
        raw, summed = found
    else:
        raw = np.asarray(raw, dtype=float)
        summed = _broadcast_axes(raw.shape, t.shape)
    where = ctx.gate_text(consumer)
    if raw.shape == ctx.want:
        yield Mistake("not_summed", 60, _("not summed over the broadcast axis {axes}: {name} is broadcast in {gate}, "
                                          "so its gradient is the upstream summed over that axis, and yours has the "
                                          "shape {shape} of the unsummed one").format(
            axes=_axes_text(summed), name=ctx.node.name, gate=where, shape=raw.shape), raw, ctx.name(consumer),
            {"axes": list(summed)})
    for count in range(1, raw.ndim + 1):
        for axes in combinations(range(raw.ndim), count):
            if set(axes) == set(summed):
                continue
            for keep in (False, True):
                got = raw.sum(axis=axes, keepdims=keep)
                if got.shape == ctx.want:
                    yield Mistake("wrong_axis", 60, _("summed over the wrong axis: over {wrong} instead of {right} "
                                                      "(the axes that broadcasting {name} in {gate} added)").format(
                        wrong=_axes_text(axes), right=_axes_text(summed), name=ctx.node.name, gate=where),
                        got, ctx.name(consumer), {"axes": list(axes), "keepdims": keep})


def _summed_upstream(np: Any, up: Any, t: Any) -> tuple[Any, tuple[int, ...]] | None:
    """(the upstream, the axes) when the true gradient is the gate's upstream summed over some of its
    axes (a bias's gradient, summed by its layer's own rule), else None."""
    if up.ndim == 0 or up.size <= t.size or not t.any():
        return None
    for count in range(1, up.ndim + 1):
        for axes in combinations(range(up.ndim), count):
            got = up.sum(axis=axes)
            if got.size == t.size and _same_numbers(got.reshape(t.shape), t):
                return up, axes
    return None


def _broadcast_axes(big: tuple[int, ...], small: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of `big` that un-broadcasting to `small` sums (numpy's broadcasting rules)."""
    lead = len(big) - len(small)
    return tuple(range(lead)) + tuple(lead + k for k, n in enumerate(small) if n == 1 and big[lead + k] != 1)


def _axes_text(axes: Any) -> str:
    axes = tuple(axes)
    return str(axes[0]) if len(axes) == 1 else str(axes)


def _ones_upstream(ctx: _Context) -> Iterator[Mistake]:
    """An upstream of ones where another was given (a layer checked with dout = ones in mind)."""
    np = ctx.np
    seed = np.asarray(ctx.trace.seed, dtype=float)
    if ctx.value or np.all(seed == 1):
        return
    got = ctx.rerun(np.ones_like(seed) if seed.ndim else 1.0)
    if got is not None:
        yield Mistake("ones_upstream", 70, _("an upstream of ones used instead of the given one: your array is the "
                                             "gradient from ∂{out}/∂{out} = ones").format(out=ctx.trace.output), got)


def _local_only(ctx: _Context) -> Iterator[Mistake]:
    """At one gate after the answer's node, its local gradient alone: the upstream not multiplied in."""
    np = ctx.np
    if ctx.value:
        return
    for gate in ctx.after:
        if ctx.trace.upstream[gate] is None:
            continue

        def rule(up: Any, out: Any, args: tuple[Any, ...], params: tuple[Any, ...], gate: int = gate) -> Any:
            return _downstream(ctx.trace, gate, np.ones_like(np.asarray(up, dtype=float)) if np.ndim(up) else 1.0)
        got = ctx.rerun(rules={gate: rule})
        if got is not None:
            yield Mistake("local_only", 80, _("the local gradient alone at {gate}: its upstream gradient "
                                              "∂{out}/∂{name} was not multiplied in").format(
                gate=ctx.gate_text(gate), out=ctx.trace.output, name=ctx.name(gate)), got, ctx.name(gate))


def _fork(ctx: _Context) -> Iterator[Mistake]:
    """At a copy gate (a node used more than once: the answer's node or one after it), one branch's
    gradient kept and the others' not added."""
    if ctx.value:
        return
    graph = ctx.graph
    for node_id in [ctx.id, *ctx.after]:
        if graph.fanout[node_id] < 2:
            continue
        edges = graph.consumers_of(node_id)
        consumers = sorted({c for c, _slot in edges})
        # one consumer's gradients alone (all its edges: W * W is one branch to a student), or one
        # edge left out of a consumer that uses the node twice (x * x differentiated as x)
        choices = [("only", c, [e for e in edges if e[0] != c]) for c in consumers] if len(consumers) > 1 else []
        choices += [("without", e[0], [e]) for e in edges if sum(c == e[0] for c, _slot in edges) > 1]
        for how, gate, dropped_edges in choices:
            rules: dict[int, Rule] = {}
            for consumer in consumers:
                dropped = {slot for c, slot in dropped_edges if c == consumer}
                if dropped:
                    def rule(up: Any, out: Any, args: tuple[Any, ...], params: tuple[Any, ...],
                             consumer: int = consumer, dropped: set[int] = dropped) -> Any:
                        down = _downstream(ctx.trace, consumer, up)
                        return tuple(None if k in dropped else d for k, d in enumerate(down))
                    rules[consumer] = rule
            got = ctx.rerun(rules=rules)
            if got is None:
                continue
            if how == "only":
                text = _("a fork's gradients not added: {name} is used {count} times (a copy gate), and only the "
                         "gradient from {gate} was kept").format(
                    name=ctx.name(node_id), count=len(edges), gate=ctx.gate_text(gate))
                params: dict[str, Any] = {"kept": ctx.name(gate)}
            else:
                slot = dropped_edges[0][1]
                text = _("a fork's gradients not added: {name} is used {count} times (a copy gate), and the gradient "
                         "through input {slot} of {gate} was left out").format(
                    name=ctx.name(node_id), count=len(edges), slot=slot + 1, gate=ctx.gate_text(gate))
                params = {"left_out": ctx.name(gate), "slot": slot}
            yield Mistake("fork", 90, text, got, ctx.name(node_id), params)


def _routers(ctx: _Context) -> Iterator[Mistake]:
    """At a router after the answer's node (a gate whose every output element is one of its input
    elements, the largest or the smallest of its window), the gradient sent elsewhere."""
    np = ctx.np
    if ctx.value:
        return
    for gate in ctx.after:
        node = ctx.graph.nodes[gate]
        if node.gate.text.pattern != "router" or ctx.trace.upstream[gate] is None:
            continue
        found = router_windows(ctx.trace, gate)
        if found is None:
            continue
        sign, members, winners = found
        words = {"largest": _("largest") if sign > 0 else _("smallest"),
                 "opposite": _("smallest") if sign > 0 else _("largest")}
        for key, params, text, weights in _router_weights(np, sign, members, winners, ctx.trace.values, node):
            def rule(up: Any, out: Any, args: tuple[Any, ...], params: tuple[Any, ...],
                     weights: list[Any] = weights) -> Any:
                flat = np.broadcast_to(np.asarray(up, dtype=float), np.shape(out)).ravel()
                return tuple(None if w is None else (flat @ w).reshape(np.shape(a)) for w, a in zip(weights, args))
            got = ctx.rerun(rules={gate: rule})
            if got is not None:
                yield Mistake(key, 100, text.format(gate=ctx.gate_text(gate), **words), got, ctx.name(gate), params)


def router_windows(trace: Any, gate: int) -> tuple[int, list[Any], list[Any]] | None:
    """A router's windows, found from its own forward rule: each input element is raised far above
    (then below) every value, and the outputs that become it are the ones whose window holds it.
    Returns (+1 for a max, -1 for a min, per input slot the (outputs × elements) membership matrix,
    and the same for the elements that win), or None when no output ever takes an input element
    (clip, hardtanh) or the probing would be too large."""
    import numpy as np

    node = trace.graph.nodes[gate]
    xp = trace.backend
    args = [np.asarray(trace.values[i], dtype=float) for i in node.inputs]
    out = np.asarray(trace.values[gate], dtype=float)
    total = sum(a.size for a in args)
    if total > MAX_PROBES or out.size * total > MAX_WINDOW_CELLS or out.size == 0:
        return None
    big = 4.0 * max([float(np.max(np.abs(a))) for a in args if a.size] + [float(np.max(np.abs(out)))]) + 1.0
    with np.errstate(all="ignore"):
        for sign in (1, -1):
            members: list[Any] = []
            for j, a in enumerate(args):
                m = np.zeros((out.size, a.size), dtype=bool)
                for i in range(a.size):
                    probe = a.copy()
                    probe.flat[i] = sign * big
                    try:
                        new = node.gate.apply(xp, tuple(probe if k == j else b for k, b in enumerate(args)),
                                              node.params)
                    except (ArithmeticError, ValueError, TypeError, IndexError):
                        return None
                    m[:, i] = np.broadcast_to(np.asarray(new, dtype=float), out.shape).ravel() == sign * big
                members.append(m)
            if any(m.any() for m in members):
                flat = out.ravel()
                winners = [m & (np.broadcast_to(a.ravel(), m.shape) == flat[:, None]) for m, a in zip(members, args)]
                return sign, members, winners
    return None


def _router_weights(np: Any, sign: int, members: list[Any], winners: list[Any], values: list[Any],
                    node: Any) -> Iterator[tuple[str, dict[str, Any], str, list[Any]]]:
    """The wrong ways to route: (key, params, words with {gate}, {largest} and {opposite} to fill in,
    per input slot the (outputs × elements) weights its downstream gradient is upstream @ weights)."""
    count = sum(m.sum(axis=1) for m in members)
    most = int(np.max(count))
    losers = [m & ~w for m, w in zip(members, winners)]
    lost = sum(m.sum(axis=1) for m in losers)
    share = np.where(lost > 0, 1.0 / np.maximum(lost, 1), 0.0)[:, None]
    yield ("router_wrong", {"to": "losers"},
           _("a router's gradient sent to the wrong elements: at {gate} each output's upstream went to the elements of "
             "its window that are not the {largest} (the mask inverted)"),
           [m * share for m in losers])
    if most < 2:
        return
    yield ("router_split", {"how": "split"},
           _("a router's gradient split: at {gate} each output's upstream was shared evenly by the elements of its "
             "window (as an average would share it), not all sent to the {largest}"),
           [m / count[:, None] for m in members])
    yield ("router_split", {"how": "copied"},
           _("a router's gradient copied: at {gate} each output's upstream went to every element of its window (as a "
             "sum would send it), not only to the {largest}"), [m * 1.0 for m in members])
    values_flat = [np.asarray(values[i], dtype=float).ravel() for i in node.inputs]
    # the opposite extreme: the smallest element of each max window (the largest of a min window)
    keyed = [np.where(m, -sign * np.broadcast_to(v, m.shape), -np.inf) for m, v in zip(members, values_flat)]
    best = np.max([k.max(axis=1) for k in keyed], axis=0)
    opposite = [m & (k == best[:, None]) for m, k in zip(members, keyed)]
    ties = sum(o.sum(axis=1) for o in opposite)
    if most > 2:
        yield ("router_wrong", {"to": "opposite"},
               _("a router's gradient sent to the wrong element: at {gate} each output's upstream went to the "
                 "{opposite} element of its window instead of the {largest}"),
               [o / np.maximum(ties, 1)[:, None] for o in opposite])
    joined = _concat(np, members)
    order = np.cumsum(joined.astype(int), axis=1)
    first = _split_back(np, joined & (order == 1), members)
    last = _split_back(np, joined & (order == count[:, None]), members)
    yield ("router_wrong", {"to": "first"},
           _("a router's gradient sent to the wrong element: at {gate} each output's upstream went to the first "
             "element of its window, not to the {largest}"), [f * 1.0 for f in first])
    yield ("router_wrong", {"to": "last"},
           _("a router's gradient sent to the wrong element: at {gate} each output's upstream went to the last "
             "element of its window, not to the {largest}"), [f * 1.0 for f in last])


def _concat(np: Any, parts: list[Any]) -> Any:
    return np.concatenate(parts, axis=1)


def _split_back(np: Any, joined: Any, like: list[Any]) -> list[Any]:
    out, start = [], 0
    for m in like:
        out.append(joined[:, start:start + m.shape[1]])
        start += m.shape[1]
    return out


def normalization(trace: Any, gate: int, slot: int) -> tuple[tuple[int, ...], Any, Any, Any] | None:
    """Whether a gate normalizes its input `slot`, and over which axes: its output is γ·x̂ + β, with
    x̂ = (x − μ)/σ standardized over those axes (σ = √(var + eps), eps the gate's parameter named
    eps, else 0) and γ, β constant along some axes (each feature's own), and its backward pass, for
    a random upstream, is that formula's: ∂x = (g − mean(g) − x̂·mean(g·x̂))/σ with g = upstream·γ.
    Returns (the axes, γ, x̂ and σ, all broadcastable to x), or None. Batchnorm normalizes over
    axis 0 with γ along axis 1, layernorm over axis 1 with γ along it too: read off the values,
    never off a name."""
    import numpy as np

    node = trace.graph.nodes[gate]
    op = node.gate
    if op.maths.vjp is None or op.maths.grads is not None:
        return None  # an elementwise gate's output depends on its own element alone
    x = np.asarray(trace.values[node.inputs[slot]], dtype=float)
    out = np.asarray(trace.values[gate], dtype=float)
    if x.shape != out.shape or x.ndim == 0 or x.size < 2 or x.ndim > 5:
        return None
    eps = dict(zip((name for name, _default in op.rule_params), node.params)).get("eps", 0.0)
    eps = float(eps) if isinstance(eps, (int, float)) else 0.0
    up = np.random.default_rng(PROBE_SEED).standard_normal(out.shape)
    try:
        real = _downstream(trace, gate, up)[slot]
    except (ArithmeticError, ValueError, TypeError, IndexError):
        return None
    if real is None or np.shape(real) != x.shape:
        return None
    real = np.asarray(real, dtype=float)
    scale = float(np.max(np.abs(out))) + float(np.max(np.abs(real))) + 1e-300
    subsets = [axes for count in range(1, x.ndim + 1) for axes in combinations(range(x.ndim), count)]
    with np.errstate(all="ignore"):
        for axes in subsets:
            if math.prod(x.shape[a] for a in axes) < 2:
                continue
            centred = x - x.mean(axis=axes, keepdims=True)
            sigma = np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
            if not np.all(sigma > 0):
                continue
            xhat = centred / sigma
            for along in subsets:  # the axes γ and β are constant along: γ = cov(out, x̂)/var(x̂) there
                spread = xhat - xhat.mean(axis=along, keepdims=True)
                variance = (spread * spread).mean(axis=along, keepdims=True)
                if not np.all(variance > 0):
                    continue
                gamma = ((out - out.mean(axis=along, keepdims=True)) * spread).mean(axis=along, keepdims=True) \
                    / variance
                beta = out.mean(axis=along, keepdims=True) - gamma * xhat.mean(axis=along, keepdims=True)
                if not np.max(np.abs(gamma * xhat + beta - out)) <= 1e-9 * scale:
                    continue
                g = up * gamma
                formula = (g - g.mean(axis=axes, keepdims=True)
                           - xhat * (g * xhat).mean(axis=axes, keepdims=True)) / sigma
                if np.max(np.abs(formula - real)) <= 1e-8 * scale:
                    return axes, gamma, xhat, sigma
    return None


def normalization_mistakes(up: Any, axes: tuple[int, ...], gamma: Any, xhat: Any, sigma: Any) -> dict[str, Any]:
    """A normalization's ∂x with one of its paths left out, for the upstream `up` (the staged
    backward pass of the course: through x̂ directly, through the variance and through the mean):
    without the mean's path, (g − x̂·mean(g·x̂))/σ; without the variance's, (g − mean(g))/σ;
    without both, g/σ; g = up·γ."""
    g = up * gamma
    mean_g = g.mean(axis=axes, keepdims=True)
    mean_gx = (g * xhat).mean(axis=axes, keepdims=True)
    return {"no_mean": (g - xhat * mean_gx) / sigma, "no_variance": (g - mean_g) / sigma, "no_statistics": g / sigma}


def _normalizations(ctx: _Context) -> Iterator[Mistake]:
    np = ctx.np
    if ctx.value:
        return
    words = {"no_mean": _("{gate}: its backward pass without the mean's path (μ treated as a constant when "
                          "differentiating x̂ = (x − μ)/σ)"),
             "no_variance": _("{gate}: its backward pass without the variance's path (σ treated as a constant when "
                              "differentiating x̂ = (x − μ)/σ)"),
             "no_statistics": _("{gate}: its backward pass without the mean's and the variance's paths (μ and σ both "
                                "treated as constants: ∂x = upstream·γ/σ)")}
    for gate in ctx.after:
        node = ctx.graph.nodes[gate]
        for slot in range(len(node.inputs)):
            found = normalization(ctx.trace, gate, slot)
            if found is None:
                continue
            axes = found[0]
            for path in ("no_mean", "no_variance", "no_statistics"):
                def rule(up: Any, out: Any, args: tuple[Any, ...], params: tuple[Any, ...], gate: int = gate,
                         slot: int = slot, path: str = path, found: Any = found) -> Any:
                    wrong = normalization_mistakes(np.asarray(up, dtype=float), *found)[path]
                    return _with_slot(_downstream(ctx.trace, gate, up), slot, wrong)
                got = ctx.rerun(rules={gate: rule})
                if got is not None:
                    yield Mistake(f"normalization_{path}", 110, words[path].format(gate=ctx.gate_text(gate)), got,
                                  ctx.name(gate), {"axes": list(axes)})


def _other_transposed(ctx: _Context) -> Iterator[Mistake]:
    """At a gate of two arrays with its own backward rule (W @ x, a convolution), the other input
    transposed in one input's local gradient: W where Wᵀ belongs, for a square W."""
    np = ctx.np
    if ctx.value:
        return
    for gate in ctx.after:
        node = ctx.graph.nodes[gate]
        if len(node.inputs) != 2 or node.gate.maths.vjp is None or ctx.trace.upstream[gate] is None:
            continue
        for slot in (0, 1):
            other = np.asarray(ctx.trace.values[node.inputs[1 - slot]], dtype=float)
            if other.ndim != 2 or other.shape[0] != other.shape[1] or np.allclose(other, other.T, rtol=0, atol=0):
                continue

            def rule(up: Any, out: Any, args: tuple[Any, ...], params: tuple[Any, ...], gate: int = gate,
                     slot: int = slot) -> Any:
                from ..core.engine import local_downstream

                turned = tuple(np.transpose(a) if k == 1 - slot else a for k, a in enumerate(args))
                wrong = local_downstream(ctx.graph.nodes[gate].gate, ctx.trace.backend, up, out, turned, params)[1]
                return _with_slot(_downstream(ctx.trace, gate, up), slot, wrong[slot])
            got = ctx.rerun(rules={gate: rule})
            if got is not None:
                other_name = ctx.name(node.inputs[1 - slot])
                yield Mistake("other_transposed", 120, _("at {gate}, {other} transposed in the local gradient for "
                                                         "{name} ({other} used where {other}ᵀ belongs, or the "
                                                         "reverse)").format(
                    gate=ctx.gate_text(gate), other=other_name, name=ctx.name(node.inputs[slot])), got, ctx.name(gate),
                    {"transposed": other_name})


def _catalogue(ctx: _Context, given: Any) -> Iterator[Mistake]:
    """Every mistake of the catalogue that could show in an answer of the wanted shape, simplest first."""
    for find in (_transposed, _sign, _one_over_n):
        yield from find(ctx)
    yield from _factor(ctx, given)
    for find in (_zero, _broadcast, _ones_upstream, _local_only, _fork, _routers, _normalizations,
                 _other_transposed):
        yield from find(ctx)


GATE_KEYS = ("ones_upstream", "local_only", "fork", "router_wrong", "router_split", "normalization_no_mean",
             "normalization_no_variance", "normalization_no_statistics", "other_transposed", "not_summed",
             "wrong_axis")


# ---- the report ---------------------------------------------------------------------------------


class Diagnosis:
    """The one mistake that reproduces the answer (None: no known mistake fits), and those whose
    arrays are the same numbers here, so that no answer could tell them apart."""

    __slots__ = ("mistake", "same")

    def __init__(self, mistake: Mistake | None, same: list[Mistake] | None = None):
        self.mistake, self.same = mistake, same or []

    @property
    def text(self) -> str:
        if self.mistake is None:
            return _("no known mistake fits")
        if not self.same:
            return self.mistake.text
        return _("{mistake}; no answer can tell it from: {others}").format(
            mistake=self.mistake.text, others="; ".join(m.text for m in self.same))

    def to_dict(self) -> dict[str, Any]:
        base = self.mistake.to_dict() if self.mistake is not None else \
            {"mistake": None, "text": None, "at": None, "params": {}}
        base["text"] = self.text
        base["same_as"] = [m.to_dict() for m in self.same]
        return base


def diagnose(trace: Any, node_id: int, value: bool, fit: Fit, given: Any) -> Diagnosis:
    """The simplest mistake of the catalogue whose array passes the answer's verdict in place of
    the truth; float64 answers first tried at float32's and float16's precision."""
    import numpy as np

    truth = np.asarray(trace.values[node_id] if value else trace.upstream[node_id], dtype=float)
    if truth.size > MAX_ELEMENTS:
        return Diagnosis(None)
    with np.errstate(all="ignore"):
        dust = _dust(trace, node_id, value, truth, given)
    if dust is not None:
        return Diagnosis(dust)
    if fit.numbers and fit.low is None and fit.tol is None and given.shape == truth.shape:
        for low in (np.float32, np.float16):
            if fit.fits(truth, low=low):
                name = np.dtype(low).name
                return Diagnosis(Mistake("precision", 0, _(
                    "right to {dtype}'s precision only: a float64 array computed in {dtype}; save it as {dtype} "
                    "(answer.astype(np.{dtype})) and it is graded at {dtype}'s precision").format(dtype=name),
                    truth, params={"dtype": name}))
    ctx = _Context(trace, node_id, value, given.shape)
    found: Mistake | None = None
    same: list[Mistake] = []
    with np.errstate(all="ignore"):  # an answer of 1e308 overflows a factor: it just fits nothing
        for mistake in _catalogue(ctx, given):
            if not fit.fits(mistake.array):
                continue
            if found is None:
                found = mistake
            elif mistake.key != found.key and mistake.key not in {m.key for m in same} and \
                    _same_numbers(found.array, mistake.array):
                same.append(mistake)
    return Diagnosis(found, same)


def _dust(trace: Any, node_id: int, value: bool, truth: Any, given: Any) -> Mistake | None:
    """A gradient that is 0 but for rounding dust, answered 0 (or dust of its own): right, though
    the float noise the verdict measured did not reach the dust (an upstream of ones into batchnorm
    or softmax cancels inside the op's own rule). Rounding is measured against the same node's
    gradient from a random upstream as large as the seed, which cancels nothing."""
    import numpy as np

    seed = np.asarray(trace.seed, dtype=float)
    if value or seed.ndim == 0 or given.shape != truth.shape or not np.all(np.isfinite(given)):
        return None
    size = float(np.sqrt(np.mean(seed * seed)))
    twin = _reseeded(trace, size * np.random.default_rng(PROBE_SEED).standard_normal(seed.shape))
    if twin is None or twin.upstream[node_id] is None:
        return None
    big = float(np.max(np.abs(np.asarray(twin.upstream[node_id], dtype=float))))
    largest = float(np.max(np.abs(truth)))
    if not (big > 0 and largest <= DUST * big and float(np.max(np.abs(given - truth))) <= DUST * big):
        return None
    return Mistake("rounding", 0, _("right: the true array is 0 but for float rounding (its largest element is "
                                    "{dust}, where this gradient is of order {scale} from a random upstream), and "
                                    "yours is 0 to the same rounding").format(dust=f"{largest:.1e}",
                                                                              scale=f"{big:.1e}"), given)


def _same_numbers(a: Any, b: Any, floor: float = 0.0) -> bool:
    """Whether two arrays are the same numbers, but for rounding (floor: differences this small are
    rounding dust, for arrays that are 0 but for it)."""
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return False
    scale = max(float(np.max(np.abs(a))) if a.size else 0.0, float(np.max(np.abs(b))) if b.size else 0.0)
    return bool(np.max(np.abs(a - b)) <= max(SAME * scale, floor)) if a.size else True


def hidden_by_ones(trace: Any, node_id: int) -> list[str]:
    """What checking this node's gradient from an upstream of ones hides (ones_blind_spots), as
    warnings in words; none when nothing hides."""
    zero, hidden = ones_blind_spots(trace, node_id)
    out, name = trace.output, trace.graph.nodes[node_id].name
    warnings = []
    if zero:
        warnings.append(_("with an upstream of ones, ∂{out}/∂{name} is 0 everywhere here, though a random upstream "
                          "gives it other values: a check with ones passes any backward pass that gives 0, right or "
                          "wrong").format(out=out, name=name))
    if hidden:
        warnings.append(_("with an upstream of ones these mistakes give the right ∂{out}/∂{name}, so a check with ones "
                          "would pass them: {mistakes}; check with a random upstream (upstream random)").format(
            out=out, name=name, mistakes="; ".join(hidden)))
    return warnings


def ones_blind_spots(trace: Any, node_id: int) -> tuple[bool, list[str]]:
    """What an upstream of ones would hide in this node's gradient (an array output's): whether its
    true value from ones is 0 everywhere while a random upstream's is not (batchnorm's ∂x,
    softmax's ∂x), the general test; and which mistakes of the catalogue give the true array from
    ones but not from a random upstream, in words."""
    import numpy as np

    out = np.asarray(trace.values[trace.graph.output.id])
    if trace.backend is None or out.ndim == 0 or out.size < 2:
        return False, []
    ones_trace = _reseeded(trace, np.ones(out.shape))
    random_trace = _reseeded(trace, np.random.default_rng(PROBE_SEED).standard_normal(out.shape))
    if ones_trace is None or random_trace is None or ones_trace.upstream[node_id] is None:
        return False, []
    from_ones = np.asarray(ones_trace.upstream[node_id], dtype=float)
    from_random = np.asarray(random_trace.upstream[node_id], dtype=float)
    big = float(np.max(np.abs(from_random)))
    dust = DUST * big  # rounding: the gradients of this node are of order big
    zero = big > 0 and float(np.max(np.abs(from_ones))) <= dust
    shape = from_ones.shape
    ones_ctx, random_ctx = _Context(ones_trace, node_id, False, shape), _Context(random_trace, node_id, False, shape)
    at_random = {m.ident: m for m in _gate_mistakes(random_ctx)}
    hidden: list[str] = []
    for mistake in _gate_mistakes(ones_ctx):
        twin = at_random.get(mistake.ident)
        if twin is not None and _same_numbers(mistake.array, from_ones, dust) and \
                not _same_numbers(twin.array, from_random, dust) and mistake.text not in hidden:
            hidden.append(mistake.text)
    return zero, hidden


def _gate_mistakes(ctx: _Context) -> Iterator[Mistake]:
    for find in (_local_only, _fork, _routers, _normalizations, _other_transposed):
        yield from find(ctx)


def _reseeded(trace: Any, seed: Any) -> Any:
    """The trace's backward pass again from another seed, as a trace (the values are shared)."""
    from ..core.engine import backward
    from ..core.trace import Trace

    try:
        upstream, local, downstream = backward(trace.graph, trace.values, seed, trace.backend)
    except (GradtraceError, ArithmeticError, ValueError):
        return None
    return Trace(trace.graph, trace.bindings, trace.values, upstream, local, downstream, trace.kinks, trace.mode,
                 trace.backend, seed, trace.jacobians)


class AnswerReport:
    """What a graded array answer shows beyond its verdict: CS231n's relative error and its band,
    the worst element, the upstream it was checked from, the diagnosis of a wrong answer, and
    warnings (what an upstream of ones hides)."""

    __slots__ = ("band", "band_text", "correct", "diagnosis", "error", "kinks", "upstream", "warnings", "worst")

    def __init__(self, correct: bool, error: float | None, worst: tuple[tuple[int, ...], float, float] | None,
                 diagnosis: Diagnosis | None, upstream: str, warnings: list[str], kinks: list[str]):
        self.correct, self.error, self.worst, self.diagnosis = correct, error, worst, diagnosis
        self.upstream, self.warnings, self.kinks = upstream, warnings, kinks
        self.band: str | None = None
        self.band_text: str | None = None
        if error is not None:
            self.band, self.band_text = band(error)
        if self.band == "fine at kinks":
            self.band_text = (self.band_text or "") + "; " + (
                _("a kink is on the way: {kinks}").format(kinks=", ".join(kinks)) if kinks
                else _("no kink is on the way, so suspicious"))

    def to_dict(self) -> dict[str, Any]:
        from ..core.trace import jsonable

        worst = None if self.worst is None else {"index": list(self.worst[0]), "given": jsonable(self.worst[1]),
                                                 "actual": jsonable(self.worst[2])}
        return {"relative_error": None if self.error is None else jsonable(self.error),
                "relative_error_rule": _(RELATIVE_ERROR), "band": self.band, "band_text": self.band_text,
                "worst": worst, "upstream": self.upstream,
                "diagnosis": None if self.diagnosis is None else self.diagnosis.to_dict(),
                "warnings": list(self.warnings)}

    def kinds(self) -> list[str]:
        """What each of lines() is: error, worst, upstream, diagnosis or warning."""
        out = ["error"] if self.error is not None else []
        out += ["worst"] if self.worst is not None and not self.correct else []
        out += ["upstream"] if not self.upstream.startswith("∂") else []
        out += ["diagnosis"] if self.diagnosis is not None else []
        return out + ["warning"] * len(self.warnings)

    def lines(self, number: Callable[[float], str] = lambda v: format(v, ".6g")) -> list[str]:
        """The report in words, one line each (kinds() says what each is), numbers written by `number`."""
        out = []
        if self.error is not None:
            out.append(_("relative error {error} = max|a−b| / max(|a|+|b|), 0 when both are all zeros: "
                         "{band_text}").format(error=f"{self.error:.1e}", band_text=self.band_text))
        if self.worst is not None and not self.correct:
            index, given, true = self.worst
            out.append(_("worst element [{index}]: yours {given}, true {true}").format(
                index=", ".join(map(str, index)), given=number(given), true=number(true)))
        if not self.upstream.startswith("∂"):  # an array's upstream; a scalar output's is 1
            out.append(_("upstream: {upstream}").format(upstream=self.upstream))
        if self.diagnosis is not None:
            out.append(_("diagnosis: {text}").format(text=self.diagnosis.text))
        out += [_("warning: {text}").format(text=w) for w in self.warnings]
        return out


def describe_upstream(trace: Any, seed: Any) -> str:
    """Where the backward pass started, in words: 1 for a scalar output; ones; a random upstream
    and how to draw it again; or the array given."""
    import numpy as np

    out = trace.output
    start = np.asarray(trace.seed, dtype=float)
    if start.ndim == 0:
        return f"∂{out}/∂{out} = {float(start):g}"
    if isinstance(seed, str) and seed.startswith("random:"):
        return _("random, ∂{out}/∂{out} = numpy.random.default_rng({n}).standard_normal({shape})").format(
            out=out, n=seed[len("random:"):], shape=tuple(start.shape))
    if np.all(start == 1):
        return _("ones, ∂{out}/∂{out} = numpy.ones({shape})").format(out=out, shape=tuple(start.shape))
    if start.size and np.all(start == start.flat[0]):  # --upstream 2: the slide's "upstream 2" on every element
        return _("{value:g} on every element, ∂{out}/∂{out} = numpy.full({shape}, {value:g})").format(
            value=float(start.flat[0]), out=out, shape=tuple(start.shape))
    return _("the array given for ∂{out}/∂{out}, of shape {shape}").format(out=out, shape=tuple(start.shape))


def report_for(trace: Any, node_id: int, value: bool, answer: Any, fit: Fit | None, seed: Any) -> AnswerReport:
    """The report of one array answer (its verdict already given): the diagnosis when it is wrong,
    and, for an answer about a gradient checked from an upstream of ones, what ones hide."""
    import numpy as np

    elements, _low, numbers = answer.read
    truth = np.asarray(trace.values[node_id] if value else trace.upstream[node_id], dtype=float)
    given = np.asarray(elements, dtype=float) if numbers else (fit.values if fit is not None else None)
    error = worst = None
    if given is not None and given.shape == truth.shape and truth.size:
        with np.errstate(all="ignore"):
            error = relative_error(truth, given)
        with np.errstate(all="ignore"):
            gap = np.where(np.isnan(given - truth), np.inf, np.abs(given - truth))
        index = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
        worst = (index, float(given[index]), float(truth[index]))
    diagnosis = None
    if not answer.correct and fit is not None and given is not None:
        diagnosis = diagnose(trace, node_id, value, fit, given)
    warnings = []
    seed_array = np.asarray(trace.seed, dtype=float)
    if not value and seed_array.ndim > 0 and np.all(seed_array == 1):
        warnings = hidden_by_ones(trace, node_id)
    from .check import _descendants

    kinks = [trace.graph.nodes[i].name for i in _descendants(trace.graph, node_id) if trace.kinks[i]]
    return AnswerReport(answer.correct, error, worst, diagnosis, describe_upstream(trace, seed), warnings, kinks)


def attach_reports(trace: Any, answers: list[Any], tol: Any = None, numbers: Any = None,
                   seed: Any = None) -> list[Any]:
    """Give each array answer about an array trace its report (answer.report): every wrong one, and
    a right one when its check from an upstream of ones hides mistakes. numbers is the NumberFormat
    the answers were graded to (its digits, or its decimals), seed the seed asked for."""
    from ..core.numbers import DEFAULT
    from .answers import Expected, _node_for, float_noise

    numbers = numbers or DEFAULT
    precision, decimals = numbers.digits, numbers.decimals

    if not trace.arrays:
        return answers
    noise: tuple[list[Any], list[Any]] | None = None
    for answer in answers:
        if answer.read is None or not hasattr(answer.actual, "shape"):
            continue
        target, _dot, attribute = answer.name.partition(".")
        node = _node_for(trace, Expected(answer.name, ""), target, attribute)
        value = attribute == "value"
        elements, low, from_numbers = answer.read
        fit = None
        try:
            spread = None
            if not answer.correct:
                noise = noise or float_noise(trace)
                spread = noise[0 if value else 1][node.node.id]
            fit = Fit(elements, low, from_numbers, tol, precision, decimals, answer.name, spread)
        except GradtraceError:
            fit = None  # an element that is no number: its verdict says so
        report = report_for(trace, node.node.id, value, answer, fit, seed)
        if not answer.correct or report.warnings:
            answer.report = report
    return answers


def _jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, tuple):
            value = list(value)
        out[key] = value if isinstance(value, (str, int, float, bool, list)) or value is None else str(value)
    return out
