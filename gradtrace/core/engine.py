"""Forward and backward passes over a graph. Pure: nothing here mutates the graph, and backward
returns new lists, so running it twice gives the same numbers.

Vocabulary, used everywhere in gradtrace:
  upstream   ∂out/∂node, the gradient arriving at a node from the output side;
  local      ∂node/∂input, the gate's own derivative (the op table's rule);
  downstream upstream × local, the gradient the node sends to one input.
A node used more than once (a copy gate) receives the sum of its consumers' downstream gradients.

On arrays the same loop runs with the numpy backend. An elementwise gate's local gradient is the
diagonal of its Jacobian, kept as an array; an array op (matmul, softmax, ...) gives the
vector-Jacobian product directly. No Jacobian is ever built. Gradients are summed back to each
input's shape (un-broadcast) here, in one place.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..i18n import _
from .errors import BindingError, EvaluationError, GradtraceError
from .graph import REPORT_EVERY, Graph, Node, Report, paused_gc
from .numbers import MESSAGES
from .ops import VARIADIC, Op, scalar
from .trace import Trace


def backend_for(graph: Graph, inputs: dict[str, Any]) -> Any:
    """numpy when a value is an array or the program uses an array op; plain floats otherwise."""
    types = set(map(type, inputs.values()))  # a few types, however many inputs: looked at each once
    if (not types <= {float} and any(hasattr(v, "shape") for v in inputs.values())) or \
            any(op is not None and op.arrays_only for op in graph.ops):
        from .numpy_backend import numpy_backend

        return numpy_backend
    return scalar


def _quiet(xp: Any) -> Any:
    """numpy's warnings off: non-finite results are reported by node, as errors, instead."""
    return xp.np.errstate(all="ignore") if xp is not scalar else contextlib.nullcontext()


def forward(graph: Graph, inputs: dict[str, Any], xp: Any = scalar, report: Report | None = None,
            nudge: Callable[[int, Any], Any] | None = None) -> list[Any]:
    """Every node's value, in topological order. report(phase, done, total), if given, hears how
    far the pass has got every REPORT_EVERY nodes. nudge(node id, value), if given, replaces each
    gate's output (answers.float_noise moves them by a few ulps to measure rounding noise)."""
    with _quiet(xp):
        return _forward(graph, inputs, xp, report, nudge)


def _forward(graph: Graph, inputs: dict[str, Any], xp: Any, report: Report | None,
             nudge: Callable[[int, Any], Any] | None = None) -> list[Any]:
    values: list[Any] = []  # node ids are positions, so appending keeps values[node.id]
    append = values.append
    direct = xp is scalar and nudge is None
    total = len(graph.nodes)
    for node in graph.nodes:
        if report is not None and not node.id % REPORT_EVERY:
            report("forward pass", node.id, total)
        op = node.op
        if op is None:
            append(inputs[node.name])
            continue
        ids = node.inputs
        if direct and len(ids) <= 2 and op.arity == len(ids):
            # The one specialised step: on floats, a gate of one or two inputs (the bulk of a large
            # program) has its rule called directly, without argument lists, which Python makes
            # dear. A gate outside its domain, one that raises and one whose result is not finite
            # go on to _gate, which says what went wrong.
            maths = op.maths
            domain, fn = maths.domain, maths.fn
            params, x = node.params, values[ids[0]]  # pairs: unpacking four would build a tuple per node
            try:
                if len(ids) == 1:
                    if domain is None or domain[0](xp, x, *params):
                        out = fn(xp, x, *params) if params else fn(xp, x)
                        if out - out == 0.0:  # finite: NaN and ±inf fail this
                            append(out)
                            continue
                else:
                    y = values[ids[1]]
                    if domain is None or domain[0](xp, x, y, *params):
                        out = fn(xp, x, y, *params) if params else fn(xp, x, y)
                        if out - out == 0.0:
                            append(out)
                            continue
            except (ArithmeticError, ValueError):
                pass
        out = _gate(graph, node, op, [values[i] for i in ids], xp)
        append(out if nudge is None else nudge(node.id, out))
    return values


def _gate(graph: Graph, node: Node, op: Op, args: list[Any], xp: Any) -> Any:
    """One gate's output, with its shapes and domain checked; an error names the node."""
    finite = math.isfinite if xp is scalar else xp.finite
    if op.maths.shapes is not None and xp is not scalar:
        shapes = [tuple(xp.np.shape(a)) for a in args]
        if not op.shapes_fit(shapes, node.params):
            needs = op.shapes_need(shapes, node.params)
            what = node.label if op.syntax.subscript else op.name  # x[5]'s, as written: [5]
            raise _shape_error(graph, node, args, _("{what} needs {needs}").format(what=what, needs=needs))
    if op.maths.domain is not None:
        inside = op.in_domain(xp, args, node.params)
        if not xp.all(inside):
            what = node.label if op.arity == 1 and not op.syntax.callable else op.name
            raise _error(
                graph,
                node,
                _("{what} needs {needs}").format(what=what, needs=op.needs(node.params)),
                args,
                "but",
                inside,
            )
    try:
        out = op.apply(xp, args, node.params)
    except OverflowError:
        raise _error(graph, node, _("the result overflows (it is too large for a float)"), args) from None
    except (ArithmeticError, ValueError) as exc:
        if xp is not scalar and isinstance(exc, ValueError):
            # Domains were checked above, so numpy's ValueError here is about shapes.
            raise _shape_error(graph, node, args, str(exc)) from None
        raise _error(graph, node, _("it is undefined here ({exc})").format(exc=exc), args) from None
    if not finite(out) and all(map(finite, args)):
        raise _error(graph, node, _("the result overflows (it is too large for a float)"), args)
    return out


def local_downstream(op: Op, xp: Any, up: Any, out: Any, args: Sequence[Any],
                     params: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """One gate's local gradients and the downstream gradients it sends, before un-broadcasting.
    For an array op the local entries are None: its Jacobian is described, never built."""
    vjp = op.maths.vjp
    if vjp is not None and (op.maths.grads is None or xp is not scalar):
        down = tuple(vjp(xp, up, out, *args, *params))
        return tuple(None for _ in down), down
    partials = op.local(xp, out, args, params)
    return partials, tuple([up * g for g in partials])


class Jacobians:
    """An array trace's local Jacobians ∂node/∂input in full (for --jacobian), each made by the
    engine when first read: a row per output element, found by sending each unit vector backward
    through the op's own rule. The trace carries it, so what shows them never runs the engine."""

    def __init__(self, graph: Graph, values: list[Any]):
        self._graph, self._values = graph, values

    def __getitem__(self, key: tuple[int, int]) -> Any:
        import numpy as np

        from .numpy_backend import numpy_backend, unbroadcast

        node_id, slot = key
        node = self._graph.nodes[node_id]
        out = self._values[node_id]
        inputs = tuple(self._values[i] for i in node.inputs)
        out_arr = np.asarray(out, dtype=float)
        rows = []
        for k in range(max(1, out_arr.size)):
            seed = np.zeros(out_arr.shape)
            seed.flat[k] = 1.0
            grads = local_downstream(node.gate, numpy_backend, seed if out_arr.ndim else 1.0, out, inputs,
                                     node.params)[1]
            g = unbroadcast(grads[slot], np.shape(inputs[slot]))
            rows.append(np.ravel(g) if g is not None else np.zeros(np.size(inputs[slot])))
        return np.array(rows)


class Summed:
    """One gradient the backward pass summed back to its input's shape: the step broadcasting
    takes, and the one students forget. upstream × local had the shape `before` (the gate's
    output's); the sum over `axes` (numbered as in `before`) gives the input's shape, `after`.
    `unsummed`, upstream × local itself (an array op's vector-Jacobian product), is made when
    first read: the JSON contract, which needs only the shapes, never makes it."""

    __slots__ = ("_sums", "after", "axes", "before", "node_id", "slot")

    def __init__(self, sums: Sums, node_id: int, slot: int, before: tuple[int, ...], after: tuple[int, ...]):
        from .numpy_backend import summed_axes

        self._sums, self.node_id, self.slot = sums, node_id, slot
        self.axes, self.before, self.after = summed_axes(before, after), before, after

    @property
    def unsummed(self) -> Any:
        return self._sums.unsummed(self.node_id)[self.slot]


class Sums:
    """The gradients of an array trace that were summed back to their inputs' shapes, by (node
    id, slot), as backward recorded their shapes. Their gradients before the sum are made by the
    engine when first read (through the op's own rule, once per gate). The trace carries it, so
    what shows the step never runs the engine."""

    def __init__(self, graph: Graph, values: list[Any], upstream: list[Any],
                 before: dict[tuple[int, int], tuple[int, ...]]):
        self._graph, self._values, self._upstream, self._before = graph, values, upstream, before
        self._made: dict[int, tuple[Any, ...]] = {}

    def __len__(self) -> int:
        return len(self._before)

    def get(self, node_id: int, slot: int) -> Summed | None:
        """The sum by which the gradient to input `slot` of node `node_id` got its shape, or None."""
        before = self._before.get((node_id, slot))
        if before is None:
            return None
        from .numpy_backend import shape_of

        node = self._graph.nodes[node_id]
        return Summed(self, node_id, slot, before, shape_of(self._values[node.inputs[slot]]))

    def unsummed(self, node_id: int) -> tuple[Any, ...]:
        """A gate's downstream gradients before they were summed back to its inputs' shapes."""
        made = self._made.get(node_id)
        if made is None:
            from .numpy_backend import numpy_backend

            node = self._graph.nodes[node_id]
            up = self._upstream[node_id]
            with _quiet(numpy_backend):
                made = self._made[node_id] = local_downstream(
                    node.gate, numpy_backend, 0.0 if up is None else up, self._values[node_id],
                    [self._values[i] for i in node.inputs], node.params)[1]
        return made


def backward(graph: Graph, values: list[Any], seed: Any = 1.0, xp: Any = scalar,
             report: Report | None = None, nudge: Callable[[int, Any], Any] | None = None,
             sums: dict[tuple[int, int], tuple[int, ...]] | None = None) -> tuple[list[Any], list[Any], list[Any]]:
    """upstream per node, and local and downstream per node and input, from ∂out/∂out = seed.
    nudge(key, value), if given, replaces each downstream gradient (key: the sending node's id)
    and each sum at a copy gate (key: ~the receiving node's id), as forward's nudge does values.
    sums, if given, hears each gradient summed back to its input's shape, by (node id, slot): the
    shape it had before (upstream × local, the gate's output's shape, or its batch's)."""
    with _quiet(xp):
        return _backward(graph, values, seed, xp, report, nudge, sums)


def _backward(graph: Graph, values: list[Any], seed: Any, xp: Any, report: Report | None,
              nudge: Callable[[int, Any], Any] | None = None,
              sums: dict[tuple[int, int], tuple[int, ...]] | None = None) -> tuple[list[Any], list[Any], list[Any]]:
    sweep = Backward(graph, values, seed, xp, report, nudge, sums)
    sweep.finish()
    return sweep.upstream, sweep.local, sweep.downstream


AHEAD = 4096  # nodes a streamed backward pass runs ahead of the row asked for


class Backward:
    """The backward pass, run node by node from the output, as far as asked. through(k) runs it
    until node k's gradients are final: every consumer of k comes after it in topological order,
    so each has sent its part before k is reached. finish() runs it to the end. A writer that
    streams rows output first (engine.run(..., stream=True)) runs it a block of AHEAD nodes ahead
    of the row it writes, so its first row needs no more of the pass than that first block.

    The lists fill in as it goes: upstream per node (None until something arrives), local and
    downstream per node and input (() until the node is run)."""

    __slots__ = ("downstream", "failed", "failed_at", "graph", "local", "next", "nudge", "order", "report", "seed",
                 "sums", "upstream", "values", "xp")
    next: int  # set by _start
    order: Iterator[Node]

    def __init__(self, graph: Graph, values: list[Any], seed: Any, xp: Any = scalar, report: Report | None = None,
                 nudge: Callable[[int, Any], Any] | None = None,
                 sums: dict[tuple[int, int], tuple[int, ...]] | None = None):
        self.graph, self.values, self.xp, self.report, self.nudge, self.sums = graph, values, xp, report, nudge, sums
        self.seed = seed
        self.upstream: list[Any] = []  # filled in by _start
        self.local: list[Any] = []
        self.downstream: list[Any] = []
        self._start()
        self.failed: GradtraceError | None = None
        self.failed_at = -1  # the node the error is about

    @property
    def done(self) -> bool:
        """Whether every node has run."""
        return self.next < 0

    def through(self, k: int) -> None:
        """Run the pass until node k is done. Asked for one node after another, output first, it
        runs AHEAD nodes at a time, so the cost of a call is paid once per block, not per node.
        The pass meets its errors in backward order, nearest the output first; one met ahead is
        kept and raised when the node it is about is asked for (every node before it is done and
        can be shown), and again whenever the pass is asked to go past it."""
        if k > self.next:
            return
        if self.failed is not None:  # a pass that stopped at an error never goes on as if it hadn't
            raise self.failed
        stop = max(k - AHEAD, 0)
        try:
            self._run(self.next - stop + 1)
        except GradtraceError as error:
            self.failed, self.next = error, self.failed_at
            if k <= self.failed_at:
                raise
        except BaseException:  # Ctrl-C, or a progress report that raised: nothing of it is kept, and
            self._start()      # the pass runs again from the output when next asked
            raise
        else:
            self.next = stop - 1

    def finish(self) -> None:
        self.through(0)

    def _start(self) -> None:
        """Nothing run yet: the lists filled in place (a Trace may hold them already), only the
        output's upstream, the seed, known."""
        n = len(self.graph.nodes)
        self.upstream[:] = [None] * n  # None: nothing has arrived yet (and, for labels, nothing will)
        self.local[:] = [()] * n
        self.downstream[:] = [()] * n
        self.upstream[self.graph.output.id] = self.seed
        self.order = reversed(self.graph.nodes)  # shared by every call of _run: each node is run once
        self.next = n - 1  # the id of the next node to run; -1 once all have run

    def _run(self, count: int) -> None:
        """Run the next count nodes, output side first."""
        graph, values, xp, report, nudge, sums = self.graph, self.values, self.xp, self.report, self.nudge, self.sums
        upstream, local, downstream = self.upstream, self.local, self.downstream
        n = len(graph.nodes)
        arrays = xp is not scalar
        direct = not arrays and nudge is None
        isfinite = math.isfinite
        nan = math.nan
        fanout = graph.fanout
        node = None
        try:
            for node in itertools.islice(self.order, count):
                if report is not None and not node.id % REPORT_EVERY:
                    report("backward pass", n - node.id, n)
                op = node.op
                if op is None:  # an input: its gradient is final; the sum of a copy's parts may overflow
                    up = upstream[node.id]
                    if up is not None and fanout[node.id] > 1 and not (isfinite(up) if not arrays else xp.finite(up)):
                        raise _overflow(graph, node.id)
                    continue
                k = node.id
                up = upstream[k]
                ids = node.inputs
                grads = op.maths.grads
                if direct and up is not None and len(ids) <= 2 and op.arity == len(ids) and grads is not None:
                    # The one specialised step, as in forward: on floats, a gate of one or two inputs has
                    # its rule called directly, its gradients are tested for finiteness all at once
                    # (_check_finite then names the culprit), and they are sent on without a loop.
                    params, a = node.params, ids[0]
                    if len(ids) == 1:
                        try:
                            partials = grads(xp, values[k], values[a], *params) if params \
                                else grads(xp, values[k], values[a])
                            (g0,) = partials
                        except (ArithmeticError, ValueError):
                            partials = (g0,) = (nan,)  # math's domain errors: refused just below
                        d0 = up * g0
                        if not isfinite(g0 + d0):
                            _check_finite(graph, node, xp, up, partials, (d0,), [values[a]])
                        local[k] = partials
                        downstream[k] = (d0,)
                    else:
                        b = ids[1]
                        try:
                            partials = grads(xp, values[k], values[a], values[b], *params) if params \
                                else grads(xp, values[k], values[a], values[b])
                            g0, g1 = partials
                        except (ArithmeticError, ValueError):
                            partials = (g0, g1) = (nan, nan)
                        d0, d1 = up * g0, up * g1
                        if not isfinite(g0 + g1 + d0 + d1):  # a NaN or an infinity somewhere, or a sum too large
                            _check_finite(graph, node, xp, up, partials, (d0, d1), [values[a], values[b]])
                        local[k] = partials
                        downstream[k] = (d0, d1)
                        previous = upstream[b]
                        upstream[b] = d1 if previous is None else previous + d1
                    # The first gradient to arrive is kept as it is (no copy); later ones add up.
                    previous = upstream[a]
                    upstream[a] = d0 if previous is None else previous + d0
                    continue
                args = [values[i] for i in ids]
                try:
                    # A gate that only feeds class labels gets no gradient, and passes none on.
                    partials, down = local_downstream(op, xp, 0.0 if up is None else up, values[k], args, node.params)
                except (ArithmeticError, ValueError):
                    if arrays:
                        raise  # numpy reports domain trouble as NaN or inf, so an exception here is a bug
                    partials = down = tuple(nan for _ in args)  # math's domain errors: refused below
                if up is None:
                    down = tuple(None for _ in args)
                if arrays or not (all(map(isfinite, partials)) and all(map(isfinite, down))):
                    _check_finite(graph, node, xp, up, partials, down, args)
                if arrays:
                    from .numpy_backend import shape_of, unbroadcast

                    shapes = [shape_of(a) for a in args]
                    if sums is not None:
                        for slot, (d, shape) in enumerate(zip(down, shapes)):
                            if d is not None and shape_of(d) != shape:
                                sums[k, slot] = shape_of(d)
                    down = tuple(unbroadcast(d, shape) for d, shape in zip(down, shapes))
                if nudge is not None:
                    down = tuple(None if d is None else nudge(k, d) for d in down)
                local[k] = partials
                downstream[k] = down
                for i, d in zip(ids, down):
                    if d is not None:
                        # The first gradient to arrive is kept as it is (no copy); later ones add up.
                        previous = upstream[i]
                        upstream[i] = d if previous is None else \
                            previous + d if nudge is None else nudge(~i, previous + d)
        except GradtraceError:
            self.failed_at = node.id if node is not None else self.next
            raise


def _overflow(graph: Graph, node_id: int) -> EvaluationError:
    """The sum of the gradients reaching a copy gate is too large for a float."""
    node = graph.nodes[node_id]
    return EvaluationError(
        _(
            "∂{name}/∂{name2} overflows: the {count} gradients that reach {name2} add up to "
            "more than a float can hold"
        ).format(name=graph.output.name, name2=node.name, count=graph.fanout[node_id]),
        source=graph.source,
        span=node.span,
    )


def _check_finite(graph: Graph, node: Node, xp: Any, up: Any, partials: tuple[Any, ...], down: tuple[Any, ...],
                  args: Sequence[Any]) -> None:
    """Refuse an upstream that is the overflowing sum of a copy gate's parts (each part was finite:
    checked where it was sent), a local gradient that is undefined or infinite, and a downstream one
    that overflows."""
    if up is not None and graph.fanout[node.id] > 1 and not xp.finite(up):
        raise _overflow(graph, node.id)
    for slot, (g, d) in enumerate(zip(partials, down)):
        if (g is not None and not xp.finite(g)) or (d is not None and up is not None and not xp.finite(d)
                                                    and xp.finite(up)):
            name = graph.nodes[node.inputs[slot]].name
            raise _error(
                graph,
                node,
                _("its local gradient ∂{name}/∂{name2} is undefined or infinite here").format(
                    name=node.name, name2=name
                ),
                args,
            )


def kinks(graph: Graph, values: list[Any], xp: Any = scalar) -> list[str | None]:
    """Per node, the op table's note when the point sits at a kink (relu at 0, a max tie)."""
    notes: list[str | None] = [None] * len(graph.nodes)
    # With no value 0 anywhere (looked for at C speed), no relu, abs, ... is at its kink.
    zero = xp is not scalar or 0.0 in values
    if not zero and not any(op is not None and op.maths.kink is not None and not op.maths.kink_at_zero
                            for op in graph.ops):
        return notes
    for node in graph.nodes:
        op = node.op
        if op is None:
            continue
        maths = op.maths
        if maths.kink is None or (maths.kink_at_zero and not zero):
            continue
        predicate, note = maths.kink
        ids = node.inputs
        if op.arity == VARIADIC:
            hit = predicate(xp, values[node.id], tuple([values[i] for i in ids]), *node.params)
        elif len(ids) == 1:
            hit = predicate(xp, values[node.id], values[ids[0]], *node.params)
        else:
            hit = predicate(xp, values[node.id], *[values[i] for i in ids], *node.params)
        if hit:
            notes[node.id] = note
    return notes


def seed_for(graph: Graph, out: Any, seed: Any, xp: Any) -> Any:
    """∂out/∂out: 1 for a scalar output; for an array output, the upstream the user gave."""
    if seed is None:
        if xp is scalar or not hasattr(out, "shape") or xp.np.shape(out) == ():
            return 1.0
        raise BindingError(
            _("the output {name} has shape {tuple}, but backprop starts from one number").format(
                name=graph.output.name, tuple=tuple(xp.np.shape(out))
            ),
            about="upstream",
            hint=_(
                "reduce it, e.g. sum({name}), or give an upstream gradient (ones, or an array of the output's shape)"
            ).format(name=graph.output.name),
        )
    if isinstance(seed, str) and seed == "ones":
        return xp.np.ones_like(out, dtype=float) if xp is not scalar else 1.0
    if isinstance(seed, str) and seed.startswith(RANDOM):
        return random_upstream(graph, out, seed, xp)
    if isinstance(seed, (int, float)):  # one number: the slide's "upstream 2", on every element
        return float(seed) if xp is scalar else xp.np.full(xp.np.shape(out), float(seed))
    shape = tuple(xp.np.shape(out)) if xp is not scalar else ()
    given = tuple(getattr(seed, "shape", ()))
    if given != shape:
        raise BindingError(
            _("the upstream has shape {given}, but the output {name} has shape {shape}").format(
                given=given, name=graph.output.name, shape=shape
            ),
            about="upstream",
        )
    return seed


RANDOM = "random:"  # a seed "random:N": a random upstream, drawn from N


def random_upstream(graph: Graph, out: Any, seed: str, xp: Any) -> Any:
    """The upstream of "random:N": numpy.random.default_rng(N).standard_normal(the output's shape),
    which anyone can draw again from N. A random upstream exposes what ones can hide (batchnorm's
    ∂x is 0 for an upstream of ones). A scalar output starts from 1, as it always does."""
    text = seed[len(RANDOM):]
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise BindingError(_("the random seed {text!r} is not a whole number ≥ 0").format(text=text), about="upstream",
                           hint=_("write random:7, or random for one drawn at random"))
    if xp is scalar or xp.np.shape(out) == ():
        return 1.0
    return xp.np.random.default_rng(int(text)).standard_normal(xp.np.shape(out))


def run(graph: Graph, inputs: dict[str, Any], seed: Any = None, report: Report | None = None,
        stream: bool = False) -> Trace:
    """Forward, then backward: the full trace, which keeps the inputs dict it is given (no copy:
    a 10^6-term program has a million bindings). report: see forward.

    stream: on numbers, the backward pass is left to run as the trace's rows are read, output
    first (Trace.rows), so a writer can send its first row after the forward pass and that row's
    node alone; reading anything else of the trace's gradients runs the rest. An error it meets
    is raised then, from where the trace is read."""
    with paused_gc():
        return _run(graph, inputs, seed, report, stream)


def _run(graph: Graph, inputs: dict[str, Any], seed: Any, report: Report | None, stream: bool = False) -> Trace:
    xp = backend_for(graph, inputs)
    if xp is not scalar:
        inputs = {k: (v if hasattr(v, "shape") else xp.np.float64(v)) for k, v in inputs.items()}
    values = forward(graph, inputs, xp, report)
    seed = seed_for(graph, values[graph.output.id], seed, xp)
    if stream and xp is scalar:
        if report is not None:  # the pass runs between the rows written, whose progress the display shows
            report("backward pass", 0, len(graph.nodes))
        sweep = Backward(graph, values, seed)
        return Trace(graph, inputs, values, sweep.upstream, sweep.local, sweep.downstream, kinks(graph, values, xp),
                     seed=seed, pending=sweep)
    arrays = xp is not scalar
    before: dict[tuple[int, int], tuple[int, ...]] = {}
    upstream, local, downstream = backward(graph, values, seed, xp, report, sums=before if arrays else None)
    return Trace(graph, inputs, values, upstream, local, downstream, kinks(graph, values, xp),
                 backend=xp if arrays else None, seed=seed, jacobians=Jacobians(graph, values) if arrays else None,
                 sums=Sums(graph, values, upstream, before) if arrays else None)


def _shape_error(graph: Graph, node: Node, args: Sequence[Any], detail: str) -> BindingError:
    """Arrays whose shapes don't fit the program: a binding error (exit 2), like a missing value."""
    shapes = " and ".join(f"{graph.nodes[i].name} {tuple(getattr(a, 'shape', ()))}" for i, a in zip(node.inputs, args))
    return BindingError(
        _("{name} = {expr}: the shapes don't fit: {shapes} ({detail})").format(
            name=node.name, expr=node.expr, shapes=shapes, detail=detail
        ),
        source=graph.source,
        span=node.span,
    )


CONNECTORS = {"at": lambda: _("at"), "but": lambda: _("but")}  # the words before the inputs' values


def _error(graph: Graph, node: Node, problem: str, args: Sequence[Any], connector: str = "at",
           inside: Any = True) -> EvaluationError:
    parts = []
    for i, a in zip(node.inputs, args):
        name = graph.nodes[i].name
        if hasattr(a, "shape") and getattr(a, "ndim", 0) > 0:
            from .numpy_backend import first_bad

            where = first_bad(inside) if inside is not True else None
            if where is not None and a.shape == getattr(inside, "shape", None):
                parts.append(f"{name}[{', '.join(map(str, where))}] = {MESSAGES.number(float(a[where]))}")
            else:
                parts.append(f"{name} of shape {tuple(a.shape)}")
        else:
            parts.append(f"{name} = {MESSAGES.number(float(a))}")
    return EvaluationError(
        _("{name} = {expr}: {problem}, {connector} {join}").format(
            name=node.name, expr=node.expr, problem=problem, connector=CONNECTORS[connector](), join=", ".join(parts)
        ),
        source=graph.source,
        span=node.span,
    )
