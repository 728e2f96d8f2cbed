"""The Trace: everything one forward and backward pass found, in the one shape every renderer
reads (table, JSON, pictures, explanations), so no two outputs can disagree.

Full precision is kept here; only renderers round.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..i18n import _
from .formulas import formulas
from .graph import COPY, Graph, Node
from .numbers import expr_text


class NodeTrace:
    """One node of a trace, seen from the table's point of view."""

    __slots__ = ("_node", "_trace")

    def __init__(self, trace: Trace, node: Node):
        self._trace, self._node = trace, node

    name = property(lambda self: self._node.name)
    expr = property(lambda self: self._node.expr, doc="what it computes, e.g. 'q * z'")
    label = property(lambda self: self._node.label, doc="the gate label, e.g. '*', '+1', '1/x'")
    node = property(lambda self: self._node)

    @property
    def op(self) -> str:
        return "input" if self._node.op is None else self._node.op.name

    @property
    def inputs(self) -> tuple[str, ...]:
        nodes = self._trace.graph.nodes
        return tuple(nodes[i].name for i in self._node.inputs)

    value = property(lambda self: self._trace.values[self._node.id])
    # Read from the trace's lists as they are: whoever made this view made its node ready (a
    # streamed trace runs its backward pass as far as the node; see Trace.ready).
    upstream = property(lambda self: self._trace._upstream[self._node.id], doc="∂out/∂node")
    local = property(lambda self: self._trace._local[self._node.id], doc="∂node/∂input, per input")
    downstream = property(lambda self: self._trace._downstream[self._node.id], doc="upstream × local, per input")
    kink = property(lambda self: self._trace.kinks[self._node.id])

    @property
    def formulas(self) -> tuple[str, ...]:
        """The local gradients as short formulas, e.g. ('z', 'q') for q * z."""
        op, local = self._node.op, self._trace._local[self._node.id]
        if op is not None and op.text.vjp_formula and local and local[0] is None:
            return formulas(self._trace.graph, self._node, op.text.vjp_formula)  # W·x between arrays
        return formulas(self._trace.graph, self._node)

    @property
    def parts(self) -> tuple[tuple[str, Any], ...]:
        """Where the upstream gradient comes from: (consumer, its downstream) per outgoing edge.
        More than one part makes this node a copy gate, whose gradients add up."""
        return self._trace.parts(self._node.id)

    @property
    def patterns(self) -> tuple[str, ...]:
        """The backward-flow patterns: the gate's own, plus 'adder' for a node used more than once."""
        return patterns_of(self._node.op, self._trace.graph.fanout[self._node.id] > 1)

    # -- what renderers read instead of reaching into the graph and the op table --

    id = property(lambda self: self._node.id, doc="the node's position in topological order")
    is_input = property(lambda self: self._node.op is None, doc="a variable, not a gate")
    input_ids = property(lambda self: self._node.inputs, doc="the inputs' ids, in the order written")

    @property
    def compared(self) -> tuple[Any, ...]:
        """The values a gate takes in: its inputs', then the constants a max or min compares too."""
        node = self._node
        values = self._trace.values
        return tuple(values[i] for i in node.inputs) + tuple(node.params[0] if node.op and node.op.variadic else ())
    span = property(lambda self: self._node.span, doc="where in the program it was written")

    @property
    def uses(self) -> list[tuple[int, int]]:
        """(consumer id, input slot) for every edge leaving the node; more than one: a copy gate."""
        return self._trace.graph.consumers_of(self._node.id)

    @property
    def copies(self) -> int:
        """How many edges leave the node (more than one makes it a copy gate)."""
        return self._trace.graph.fanout[self._node.id]

    @property
    def copy_of(self) -> str | None:
        """What a named copy (a = x) copies, x; None for every other node."""
        node = self._node
        return self._trace.graph.nodes[node.inputs[0]].name if node.op is COPY else None

    @property
    def branch(self) -> str | None:
        """A named copy in words: one branch of the copy of x, or, where x has no other use,
        another name for x; None for every other node."""
        node = self._node
        if node.op is not COPY:
            return None
        source = self._trace.graph.nodes[node.inputs[0]]
        if self._trace.graph.fanout[source.id] > 1:
            return _("one branch of the copy of {source}").format(source=source.name)
        return _("another name for {source}, its only use").format(source=source.name)

    def graded_as(self, value: bool = False) -> str:
        """What an answer about this node grades, named exactly: ∂f/∂q (or q, for q.value), and for
        a named copy which wire it is: ∂f/∂a (one branch of the copy of x), a (a copy of x)."""
        if value:
            source = self.copy_of
            return self.name if source is None else f"{self.name} (" + _("a copy of {source}").format(
                source=source) + ")"
        text = f"∂{self._trace.output}/∂{self.name}"
        branch = self.branch
        return text if branch is None else f"{text} ({branch})"

    @property
    def pattern(self) -> str | None:
        """The gate's own backward-flow pattern (distributor, router, switcher, scaler) or None."""
        return None if self._node.op is None else self._node.op.text.pattern

    @property
    def gate_name(self) -> str:
        """What the lecture calls the gate: by name (add gate, sigmoid gate) for operators between
        two values and functions, by label (+1, 1/x) for the one-constant gates."""
        op = self._node.gate
        return op.name if op.arity == 2 or op.syntax.callable or op.syntax.subscript else self.label

    @property
    def notes(self) -> str:
        """The op's conventions in words, from its record."""
        op = self._node.op
        if op is None:
            return ""
        notes = op.text.notes
        if not notes:
            return ""  # gettext answers the empty message with the catalog's header: never ask it
        if callable(notes):  # a function of the node's fields (sum's axis), which translates its own text
            return formulas(self._trace.graph, self._node, (notes,))[0]
        return _(notes)

    @property
    def is_array_op(self) -> bool:
        """Its local Jacobian is described, not given as partials (matmul, softmax, ...)."""
        local = self.local
        return bool(local) and local[0] is None

    @property
    def structures(self) -> tuple[str, ...]:
        """For an array op, each local Jacobian's structure in words (with the inputs' names)."""
        return formulas(self._trace.graph, self._node, _templates(self._node.gate.text.jacobian))

    def formulas_with(self, text_of: Callable[[NodeTrace], str]) -> tuple[str, ...]:
        """The local-gradient formulas with the inputs (and the node) written by text_of:
        ('-1/1.37²',) for the 1/x gate when text_of gives values."""
        from .formulas import formulas_with

        trace = self._trace
        return formulas_with(trace.graph, self._node, lambda n: text_of(trace.row(n.id)))

    def expr_with(self, text_of: Callable[[NodeTrace], str]) -> str:
        """What the node computes, with each input written by text_of: '3 * (-4)' for values."""
        from .graph import write_expr

        trace = self._trace
        return write_expr(self._node, trace.graph.nodes, lambda n: text_of(trace.row(n.id)))

    def summed(self, slot: int) -> Any:
        """How the gradient this node sends input `slot` was summed back to that input's shape (the
        input was broadcast to the node's shape): an engine.Summed (axes, before, after, and the
        gradient before the sum), or None where no sum was needed, as always on numbers."""
        sums = self._trace.sums
        return None if sums is None else sums.get(self._node.id, slot)

    def shapes(self) -> str:
        """The gate's shapes, inputs to output, each named: "W (3, 2), x (2, 4) → t1 (3, 4)"."""
        from .ops import shape_text

        ins = ", ".join(f"{name} {shape_text(_shape(v))}" for name, v in zip(self.inputs, self.compared))
        return f"{ins} → {self.name} {shape_text(_shape(self.value))}"

    def shape_step(self, slot: int) -> str | None:
        """For an array op, the shapes of input `slot`'s gradient as its formula computes it (the
        gradient has the shape of the variable): each factor's shape, ᵀ reversing one, then the
        result's, "up·xᵀ: (3×4)(4×2) → 3×2", where `up` is the node's upstream and the other names
        its inputs. A formula that is no product of those names gets the upstream's shape and the
        gradient's: "() → (3, 4)". None for an elementwise gate and an input with no gradient."""
        from .ops import shape_text

        if not self.is_array_op or self.downstream[slot] is None:
            return None
        summed = self.summed(slot)
        result = _shape(self.downstream[slot] if summed is None else summed.unsummed)
        formula = self.product(slot) or self.formulas[slot]
        known = {name: _shape(v) for name, v in zip(self.inputs, self.compared)}
        known["up"] = _shape(self.upstream)
        for name, shape in list(known.items()):  # the affine layer's rows(x): x as N rows, (N, d1·...·dk)
            if len(shape) >= 2:
                known[f"rows({name})"] = (shape[0], math.prod(shape[1:]))
        factors = []
        for factor in _FACTORS.split(formula):
            name, flipped = (factor[:-1], True) if factor.endswith("ᵀ") else (factor, False)
            wrapped = _WRAPPED.fullmatch(name)  # flip(w), route(up), Σ_{N,H′,W′}(up): the shape of what it reads
            if name not in known and wrapped is not None and wrapped.group(1) in known:
                name = wrapped.group(1)
            if name not in known:
                return f"{shape_text(known['up'])} → {shape_text(result)}"
            factors.append((name, _flipped(known[name]) if flipped else known[name]))
        if "up" not in (name for name, _ in factors):
            return f"{shape_text(known['up'])} → {shape_text(result)}"
        # Vectors as the product reads them: two make an outer product, a column times a row, (3×1)(1×2);
        # in front of a matrix one is a row (x @ W, as numpy reads it), behind one a column.
        shapes = [shape for _, shape in factors]
        dims = []
        for k, shape in enumerate(shapes):
            if len(shape) != 1 or all(not s for j, s in enumerate(shapes) if j != k):  # alone, or times numbers
                dims.append(_dims(shape))
                continue
            outer = len(shapes) == 2 and all(len(s) == 1 for s in shapes)
            row = k == 1 if outer else k + 1 < len(shapes) and len(shapes[k + 1]) >= 2
            dims.append(f"1×{shape[0]}" if row else f"{shape[0]}×1")
        return f"{formula}: {''.join(f'({d})' for d in dims)} → {_dims(result)}"

    def product(self, slot: int) -> str | None:
        """An array op's gradient for input `slot` as the lecture states it, when its record gives
        one apart from its formula text (conv2d's "x ⋆ up"): the product the shapes line reads."""
        node = self._node
        if node.op is None or not node.op.text.product or not self.is_array_op:
            return None
        return formulas(self._trace.graph, node, node.op.text.product)[slot]

    def product_words(self, slot: int) -> str | None:
        """That product in words, in the language of the moment: "the correlation of x's windows
        with the upstream"; None where the record gives none."""
        node = self._node
        if node.op is None or not node.op.text.product_words or not self.is_array_op:
            return None
        return formulas(self._trace.graph, node, _templates(node.op.text.product_words))[slot]

    def jacobian(self, slot: int) -> dict[Any, Any]:
        """The local Jacobian ∂node/∂input, described: rows, cols, structure, bytes if built."""
        return self._trace.jacobian(self._node.id, slot)

    def jacobian_matrix(self, slot: int) -> Any:
        """The local Jacobian ∂node/∂input in full, as a numpy matrix (small ones only, please)."""
        return self._trace.jacobian_matrix(self._node.id, slot)

    def __repr__(self) -> str:
        return f"<NodeTrace {self.name} = {self.expr}: value {_short(self.value)}, upstream {_short(self.upstream)}>"


# A product's factors, as the shapes line reads them: joined by · (a matrix product), ⋆ (a
# correlation) or ∗ (a convolution); a factor may read one array through a function, f(name).
_FACTORS = re.compile(r"\s*[·⋆∗]\s*")
_WRAPPED = re.compile(r"[^\s()]+\(([^()]+)\)")


def _flipped(shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape transposed: reversed up to a matrix; a batch of matrices (matmul's) swaps the last two."""
    return shape[::-1] if len(shape) <= 2 else (*shape[:-2], shape[-1], shape[-2])


def _dims(shape: tuple[int, ...]) -> str:
    """A shape as the course writes one: 3×4, 4 for a vector, 1 for a number."""
    return "×".join(str(n) for n in shape) or "1"


def _short(value: Any) -> str:
    """A value for a repr: an array summarised (never 16 million numbers), anything else as text."""
    if hasattr(value, "shape") and getattr(value, "size", 1) > 1:
        import numpy as np

        array = np.asarray(value)
        if array.size <= 8:
            return " ".join(np.array2string(array, separator=", ").split())
        return f"array{tuple(array.shape)} min {array.min():.4g} max {array.max():.4g}"
    if hasattr(value, "dtype"):  # a numpy scalar
        return repr(float(value))
    return expr_text(value) if not isinstance(value, float) else repr(value)


# How a trace shows itself in a notebook or a rich console: gradtrace/display.py fills this in,
# since the core knows nothing of renderers (a module with rich(), text(), mimebundle()).
DISPLAY: Any = None


class _Gradients:
    """One of a Trace's gradient lists (upstream, local or downstream, per node id), kept in the
    attribute of its name with a leading _: reading or replacing it runs a streamed trace's pending
    backward pass to the end first (Trace.ready)."""

    def __init__(self, doc: str):
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = "_" + name

    def __get__(self, trace: Trace | None, owner: type | None = None) -> Any:
        if trace is None:
            return self
        if trace._pending is not None:
            trace.ready(0)
        return getattr(trace, self.field)

    def __set__(self, trace: Trace, value: list[Any]) -> None:
        if trace._pending is not None:
            trace.ready(0)
        setattr(trace, self.field, value)


class Trace:
    """Values, upstream, local and downstream gradients of every node of one graph."""

    def __rich__(self) -> Any:
        return DISPLAY.rich(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return DISPLAY.mimebundle(self)  # type: ignore[no-any-return]

    def _repr_html_(self) -> str:
        return DISPLAY.html(self)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        grads = ", ".join(f"∂{self.output}/∂{k} = {_short(v)}" for k, v in list(self.gradients.items())[:8])
        more = f", … ({len(self.gradients)} in all)" if len(self.gradients) > 8 else ""
        return f"<Trace {self.text[:80]}: {self.output} = {_short(self.value)}; {grads}{more}>"

    def __init__(self, graph: Graph, bindings: dict[str, Any], values: list[Any], upstream: list[Any],
                 local: list[Any], downstream: list[Any], kinks: list[Any], mode: str = "numeric", backend: Any = None,
                 seed: Any = 1.0, jacobians: Any = None, sums: Any = None, pending: Any = None):
        self.graph = graph
        self.bindings = bindings
        self.values = values
        self._upstream = upstream
        self._local = local
        self._downstream = downstream
        # A streamed trace's backward pass, still to run (engine.Backward, filling the three lists
        # above as it goes; its `next` is the id of the next node it will run): rows() runs it as
        # far as the row read; anything else that reads gradients runs it to the end first. None
        # once it has run.
        self._pending = pending
        self.kinks = kinks
        self.mode = mode    # numeric (floats), symbolic or exact (sympy expressions)
        self.check = None   # a check.CheckReport, when --check asked for one
        self.answers = None  # check.Answer list, when answers were given
        self.noise: Any = None  # modes.answers.FloatNoise, when a page will grade typed answers by it
        self.backend = backend  # the numpy backend for array values; None for Python floats
        self.seed = seed        # ∂out/∂out
        self.jacobians = jacobians  # an array trace's local Jacobians in full, by (node id, slot): engine.Jacobians
        # An array trace's gradients that broadcasting made the backward pass sum back to their
        # inputs' shapes: engine.Sums (NodeTrace.summed reads it); None on numbers.
        self.sums = sums
        self.lang: str | None = None  # the language it shows itself in (notebook, rich); None: the current one

    upstream = _Gradients("∂out/∂node, per node id.")
    local = _Gradients("∂node/∂input, per node id and input.")
    downstream = _Gradients("upstream × local, per node id and input.")

    def ready(self, node_id: int) -> None:
        """Make one node's gradients final: a streamed trace runs its backward pass as far as that
        node (and raises the error it meets on the way); any other trace is ready already."""
        pending = self._pending
        if pending is not None and node_id <= pending.next:  # else done already
            pending.through(node_id)
            if pending.done:
                self._pending = None

    @property
    def streaming(self) -> bool:
        """Whether the backward pass is still to run, as the rows are read (see ready)."""
        return self._pending is not None

    def columns(self) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        """values, upstream, local and downstream per node id, as they are: a writer that goes
        through the nodes output first reads node k's gradients after ready(k)."""
        return self.values, self._upstream, self._local, self._downstream

    @property
    def text(self) -> str:
        """The program on one line, without comments: "q = x + y; f = q * z"."""
        return self.graph.text

    @property
    def output_id(self) -> int:
        return self.graph.output.id

    @property
    def gate_count(self) -> int:
        return sum(1 for n in self.graph.nodes if n.op is not None)

    @property
    def variable_count(self) -> int:
        return len(self.graph.variables)

    def row(self, node_id: int) -> NodeTrace:
        """The node with this id (its position in topological order)."""
        self.ready(node_id)
        return NodeTrace(self, self.graph.nodes[node_id])

    @property
    def forward_order(self) -> list[NodeTrace]:
        """Every node in topological order: inputs before the gates that use them."""
        self.ready(0)
        return [NodeTrace(self, n) for n in self.graph.nodes]

    @property
    def arrays(self) -> bool:
        """Whether the values are numpy arrays (the vector half of the lecture)."""
        return self.backend is not None

    def jacobian(self, node_id: int, slot: int) -> dict[Any, Any]:
        """The local Jacobian ∂node/∂input, described and never built: its size, its structure and
        the memory it would take as a dense float64 matrix."""
        node = self.graph.nodes[node_id]
        out, inp = self.values[node_id], self.values[node.inputs[slot]]
        rows, cols = _size(out), _size(inp)
        if self.local[node_id] and self.local[node_id][slot] is None:  # an array op: a vector-Jacobian product
            structure = formulas(self.graph, node, _templates(node.gate.text.jacobian))[slot]
        elif _shape(out) == _shape(inp):
            structure = _("diagonal")
        else:
            structure = _("diagonal, broadcast (each input element feeds several outputs)")
        return {"rows": rows, "cols": cols, "structure": structure, "bytes_if_built": rows * cols * 8}

    def jacobian_matrix(self, node_id: int, slot: int) -> Any:
        """One small local Jacobian ∂node/∂input in full (for --jacobian), as the engine made it
        (engine.Jacobians); for one number, or an exact or symbolic expression, its local gradient."""
        import numpy as np

        if self.jacobians is None:
            g = self.local[node_id][slot]
            return np.array([[g]], dtype=float if isinstance(g, (int, float)) else object)
        return self.jacobians[node_id, slot]

    def with_reports(self, check: Any = None, answers: Any = None) -> Trace:
        """A copy of this trace carrying a gradient check and graded answers."""
        new = Trace(self.graph, self.bindings, self.values, self.upstream, self.local, self.downstream,
                    self.kinks, self.mode, self.backend, self.seed, self.jacobians, self.sums)
        new.check, new.answers, new.lang, new.noise = check, answers, self.lang, self.noise
        return new

    @property
    def output(self) -> str:
        return self.graph.output.name

    @property
    def value(self) -> Any:
        return self.values[self.graph.output.id]

    @property
    def gradients(self) -> dict[str, Any]:
        """∂out/∂v for every variable v, in the order the variables first appear."""
        upstream = self.upstream  # once: reading it may run a streamed pass
        return {v.name: upstream[v.id] for v in self.graph.variables}

    @property
    def nodes(self) -> list[NodeTrace]:
        """Every node, in backward order: the output first."""
        self.ready(0)
        return [NodeTrace(self, n) for n in reversed(self.graph.nodes)]

    def rows(self) -> Iterator[NodeTrace]:
        """The nodes of `nodes`, one at a time: a writer that streams need not make them all first,
        and a streamed trace runs its backward pass only as far as the row being read."""
        if self._pending is None:
            return (NodeTrace(self, n) for n in reversed(self.graph.nodes))
        return self._streamed_rows()

    def _streamed_rows(self) -> Iterator[NodeTrace]:
        for n in reversed(self.graph.nodes):
            pending = self._pending
            if pending is not None and n.id <= pending.next:  # the pass has not reached it: a block more
                self.ready(n.id)
            yield NodeTrace(self, n)

    def node(self, name: str) -> NodeTrace:
        """The node with this name, or a KeyError."""
        if name in self.graph.by_name:
            found = self.graph.by_name[name]
        elif name in self.graph.env_names:
            found = self.graph.by_name[self.graph.env_names[name]]
        else:
            raise KeyError(name)
        self.ready(0)
        return NodeTrace(self, found)

    def parts(self, node_id: int) -> tuple[tuple[str, Any], ...]:
        """(consumer, its downstream) per edge leaving the node: ready once the node is, since its
        consumers come after it in topological order and so before it in the backward pass."""
        self.ready(node_id)
        nodes, downstream = self.graph.nodes, self._downstream
        return tuple((nodes[c].name, downstream[c][slot]) for c, slot in self.graph.consumers_of(node_id))

    def to_dict(self) -> dict[Any, Any]:
        """The JSON contract as Python data: exactly what --json writes (render/json.py writes it
        as text from the same head_dict, node_dict and tail_dict)."""
        data = self.head_dict()
        for key in _MAPPINGS:
            if key in data:
                data[key] = {name: jsonable(value) for name, value in data[key]}
        data["nodes"] = [self.node_dict(node) for node in reversed(self.graph.nodes)]
        data.update(self.tail_dict())
        return data

    def head_dict(self) -> dict[Any, Any]:
        """The contract's first part: mode, expression, output, bindings and gradients. The mappings
        (a million entries, for a million-term program) come as iterators of (name, value) pairs,
        the values not yet made JSON-safe: render/json.py streams them."""
        symbolic = self.mode == "symbolic"
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "mode": self.mode,
            "expression": self.graph.source,
            "output": {"name": self.output, "value": None if symbolic else jsonable(self.value)},
            "bindings": self.bindings.items(),
            "gradients": self._gradient_pairs(symbolic),  # runs a streamed pass when first read
        }
        if self.mode in ("exact", "symbolic"):  # the forms as text, in their own keys
            data["output"][self.mode] = expr_text(self.value)
            data[f"gradients_{self.mode}"] = ((k, expr_text(v)) for k, v in self.gradients.items())
        return data

    def _gradient_pairs(self, symbolic: bool) -> Iterator[tuple[str, Any]]:
        upstream = self.upstream
        for v in self.graph.variables:
            yield v.name, None if symbolic else upstream[v.id]

    def node_dict(self, node: Node) -> dict[Any, Any]:
        """One node of the contract ("nodes" lists them output first)."""
        self.ready(node.id)
        view = NodeTrace(self, node)
        parts = view.parts if self.graph.fanout[node.id] > 1 else ()
        number = _no_number if self.mode == "symbolic" else jsonable  # symbolic: text only, in "symbolic"
        entry = node_record(node.name, view.op, node.label, node.expr, list(view.patterns), list(view.inputs),
                            number(view.value), number(view.upstream), list(view.formulas),
                            [number(g) for g in view.local], [number(g) for g in view.downstream],
                            [part_record(name, number(v)) for name, v in parts], view.kink)
        entry.update(self.node_extra(node))
        return entry

    def node_extra(self, node: Node) -> dict[Any, Any]:
        """The keys a node has in its mode only: an array's shape and Jacobians (described), an
        exact or symbolic trace's forms as text."""
        extra: dict[Any, Any] = {}
        if self.arrays:
            extra["shape"] = list(_shape(self.values[node.id]))
            extra["jacobian"] = [self.jacobian(node.id, k) for k in range(len(node.inputs))]
            sums = [None if self.sums is None else self.sums.get(node.id, k) for k in range(len(node.inputs))]
            if any(sums):  # only where broadcasting made a sum: the contract of every other node is as it was
                extra["sums"] = [None if s is None else {"axes": list(s.axes), "from": list(s.before),
                                                         "to": list(s.after)} for s in sums]
        if self.mode in ("exact", "symbolic"):
            view = NodeTrace(self, node)
            parts = view.parts if self.graph.fanout[node.id] > 1 else ()
            extra[self.mode] = {"value": expr_text(view.value), "upstream": expr_text(view.upstream),
                                "local": [expr_text(g) for g in view.local],
                                "downstream": [expr_text(g) for g in view.downstream],
                                "parts": [part_record(name, expr_text(v)) for name, v in parts]}
        return extra

    def tail_dict(self) -> dict[Any, Any]:
        """The contract's last part: the gradient check and graded answers, when asked for."""
        data: dict[Any, Any] = {}
        if self.check is not None:
            data["check"] = self.check.to_dict()
        if self.answers is not None:
            data["answers"] = [a.to_dict() for a in self.answers]
        return data


def node_record(name: Any, op: Any, label: Any, expr: Any, patterns: Any, inputs: Any, value: Any, upstream: Any,
                formula: Any, local: Any, downstream: Any, parts: Any, kink: Any) -> dict[str, Any]:
    """One node of the JSON contract, from its fields: the one place its keys and their order are
    written. Trace.node_dict fills it with a node's data; render/json.py fills it once per kind of
    node with markers, and writes each node's line from what json makes of that."""
    return {"name": name, "op": op, "label": label, "expr": expr, "patterns": patterns, "inputs": inputs,
            "value": value, "upstream": upstream, "formula": formula, "local": local, "downstream": downstream,
            "parts": parts, "kink": kink}


def part_record(source: Any, value: Any) -> dict[str, Any]:
    """One part of a copy gate's upstream gradient in the contract: the consumer that sent it, and it."""
    return {"from": source, "value": value}


def patterns_of(op: Any, copy_gate: bool) -> tuple[str, ...]:
    """A node's backward-flow patterns: its op's own (None for a variable), then 'adder' for a
    copy gate, whose gradients add up."""
    pattern = None if op is None else op.text.pattern
    return ((pattern,) if pattern else ()) + (("adder",) if copy_gate else ())


def _shape(value: Any) -> tuple[Any, ...]:
    return tuple(getattr(value, "shape", ()))


def _size(value: Any) -> int:
    return int(getattr(value, "size", 1))


SCHEMA_VERSION = 1  # of the JSON document: gradtrace/schema/trace.schema.json describes it
_MAPPINGS = ("bindings", "gradients", "gradients_exact", "gradients_symbolic")  # head_dict's (name, value) pairs


def _no_number(value: Any) -> None:
    """A symbolic trace has no numbers: its number keys are null, its forms in "symbolic"."""
    return None


def _templates(texts: Any) -> Any:
    """The op table's Jacobian descriptions in the language of the moment (marked N_ there)."""
    return None if texts is None else tuple(text if callable(text) else _(text) for text in texts)


def jsonable(value: Any) -> Any:
    """A float for JSON: non-finite numbers become the strings "nan", "inf" and "-inf"; arrays
    become nested lists; exact sympy numbers become floats and symbolic expressions their text."""
    if hasattr(value, "tolist") and hasattr(value, "shape"):  # a numpy array or scalar
        if value.shape == ():
            value = float(value)
        else:
            return _jsonable_array(value)
    if not isinstance(value, (int, float, str)) and getattr(value, "is_number", False):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, str) or value is None:
        return value
    return expr_text(value)


def _jsonable_array(value: Any) -> Any:
    """Nested lists for JSON, with non-finite numbers as the strings "nan", "inf", "-inf"."""
    import numpy as np

    array = np.asarray(value, dtype=float)
    if np.all(np.isfinite(array)):
        return array.tolist()
    out = array.astype(object)
    out[np.isnan(array)] = "nan"
    out[np.isposinf(array)] = "inf"
    out[np.isneginf(array)] = "-inf"
    return out.tolist()
