"""The Trace: everything one forward and backward pass found, in the one shape every renderer
reads (table, JSON, pictures, explanations), so no two outputs can disagree.

Full precision is kept here; only renderers round.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from .graph import Const, Graph, Node

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_\-]+)\}")


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
    upstream = property(lambda self: self._trace.upstream[self._node.id], doc="∂out/∂node")
    local = property(lambda self: self._trace.local[self._node.id], doc="∂node/∂input, per input")
    downstream = property(lambda self: self._trace.downstream[self._node.id], doc="upstream × local, per input")
    kink = property(lambda self: self._trace.kinks[self._node.id])

    @property
    def formulas(self) -> tuple[str, ...]:
        """The local gradients as short formulas, e.g. ('z', 'q') for q * z."""
        op, local = self._node.op, self._trace.local[self._node.id]
        if op is not None and op.vjp_formula and local and local[0] is None:
            return formulas(self._trace.graph, self._node, op.vjp_formula)  # W·x between arrays
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

    def jacobian(self, slot: int) -> dict[Any, Any]:
        """The local Jacobian ∂node/∂input, described: rows, cols, structure, bytes if built."""
        return self._trace.jacobian(self._node.id, slot)

    def jacobian_matrix(self, slot: int) -> Any:
        """The local Jacobian ∂node/∂input in full, as a numpy matrix (small ones only, please)."""
        return self._trace.jacobian_matrix(self._node.id, slot)

    def __repr__(self) -> str:
        return f"<NodeTrace {self.name} = {self.expr}: value {self.value!r}, upstream {self.upstream!r}>"


class Trace:
    """Values, upstream, local and downstream gradients of every node of one graph."""

    def __init__(self, graph: Graph, bindings: dict[str, Any], values: list[Any], upstream: list[Any],
                 local: list[Any], downstream: list[Any], kinks: list[Any], mode: str = "numeric", backend: Any = None,
                 seed: Any = 1.0):
        self.graph = graph
        self.bindings = bindings
        self.values = values
        self.upstream = upstream
        self.local = local
        self.downstream = downstream
        self.kinks = kinks
        self.mode = mode    # numeric (floats), symbolic or exact (sympy expressions)
        self.check = None   # a check.CheckReport, when --check asked for one
        self.answers = None  # check.Answer list, when answers were given
        self.backend = backend  # the numpy backend for array values; None for Python floats
        self.seed = seed        # ∂out/∂out

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
            structure = formulas(self.graph, node, node.gate.jacobian)[slot]
        elif _shape(out) == _shape(inp):
            structure = "diagonal"
        else:
            structure = "diagonal, broadcast (each input element feeds several outputs)"
        return {"rows": rows, "cols": cols, "structure": structure, "bytes_if_built": rows * cols * 8}

    def jacobian_matrix(self, node_id: int, slot: int) -> Any:
        """One small local Jacobian ∂node/∂input in full (for --jacobian): a row per output
        element, found by sending each unit vector backward through the op's own rule."""
        import numpy as np

        from .engine import local_downstream
        from .numpy_backend import numpy_backend, unbroadcast

        node = self.graph.nodes[node_id]
        out = self.values[node_id]
        inputs = tuple(self.values[i] for i in node.inputs)
        if self.backend is None:
            return np.array([[self.local[node_id][slot]]], dtype=float)
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

    def with_reports(self, check: Any = None, answers: Any = None) -> Trace:
        """A copy of this trace carrying a gradient check and graded answers."""
        new = Trace(self.graph, self.bindings, self.values, self.upstream, self.local, self.downstream,
                    self.kinks, self.mode, self.backend, self.seed)
        new.check, new.answers = check, answers
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
        return {v.name: self.upstream[v.id] for v in self.graph.variables}

    @property
    def nodes(self) -> list[NodeTrace]:
        """Every node, in backward order: the output first."""
        return [NodeTrace(self, n) for n in reversed(self.graph.nodes)]

    def node(self, name: str) -> NodeTrace:
        """The node with this name, or a KeyError."""
        if name in self.graph.by_name:
            return NodeTrace(self, self.graph.by_name[name])
        if name in self.graph.env_names:
            return NodeTrace(self, self.graph.by_name[self.graph.env_names[name]])
        raise KeyError(name)

    def parts(self, node_id: int) -> tuple[tuple[str, Any], ...]:
        nodes = self.graph.nodes
        return tuple((nodes[c].name, self.downstream[c][slot]) for c, slot in self.graph.consumers_of(node_id))

    def to_dict(self) -> dict[Any, Any]:
        """The JSON contract: output, gradients and nodes, with only strict-JSON values."""
        data = self.head_dict()
        data["nodes"] = [self.node_dict(node) for node in reversed(self.graph.nodes)]
        data.update(self.tail_dict())
        return data

    def head_dict(self, lazy: bool = False) -> dict[Any, Any]:
        """The contract's first part: mode, expression, output, bindings and gradients. With lazy,
        the mappings (a million entries, for a million-term program) come as iterators of (name, value)
        pairs, the values not yet made JSON-safe."""
        upstream = self.upstream
        data: dict[str, Any] = {
            "mode": self.mode,
            "expression": self.graph.source,
            "output": {"name": self.output, "value": jsonable(self.value)},
            "bindings": self.bindings.items(),
            "gradients": ((v.name, upstream[v.id]) for v in self.graph.variables),
        }
        if self.mode == "exact":
            data["output"]["exact"] = expr_text(self.value)
            data["gradients_exact"] = ((k, expr_text(v)) for k, v in self.gradients.items())
        if not lazy:
            for key in ("bindings", "gradients", "gradients_exact"):
                if key in data:
                    data[key] = {k: jsonable(v) for k, v in data[key]}
        return data

    def node_dict(self, node: Node) -> dict[Any, Any]:
        """One node of the contract ("nodes" lists them output first)."""
        view = NodeTrace(self, node)
        parts = view.parts if self.graph.fanout[node.id] > 1 else ()
        patterns = view.patterns
        entry = {
            "name": node.name,
            "op": view.op,
            "label": node.label,
            "expr": node.expr,
            "pattern": " + ".join(patterns) or None,
            "patterns": list(patterns),
            "inputs": list(view.inputs),
            "value": jsonable(view.value),
            "upstream": jsonable(view.upstream),
            "formula": list(view.formulas),
            "local": [jsonable(g) for g in view.local],
            "downstream": [jsonable(g) for g in view.downstream],
            "parts": [{"from": name, "value": jsonable(v)} for name, v in parts],
            "kink": view.kink,
        }
        if self.arrays:
            entry["shape"] = list(_shape(view.value))
            entry["jacobian"] = [self.jacobian(node.id, k) for k in range(len(node.inputs))]
        if self.mode == "exact":
            entry["exact"] = {"value": expr_text(view.value), "upstream": expr_text(view.upstream),
                              "local": [expr_text(g) for g in view.local],
                              "downstream": [expr_text(g) for g in view.downstream]}
        return entry

    def tail_dict(self) -> dict[Any, Any]:
        """The contract's last part: the gradient check and graded answers, when asked for."""
        data: dict[Any, Any] = {}
        if self.check is not None:
            data["check"] = self.check.to_dict()
        if self.answers is not None:
            data["answers"] = [a.to_dict() for a in self.answers]
        return data


def patterns_of(op: Any, copy_gate: bool) -> tuple[str, ...]:
    """A node's backward-flow patterns: its op's own (None for a variable), then 'adder' for a
    copy gate, whose gradients add up."""
    return ((op.pattern,) if op is not None and op.pattern else ()) + (("adder",) if copy_gate else ())


def formulas(graph: Graph, node: Node, templates: tuple[Any, ...] | None = None) -> tuple[str, ...]:
    """Fill an op's formula templates (or the given ones) with the node's input names and parameters."""
    op = node.op
    if op is None:
        return ()
    chosen = templates or op.formula
    names = [graph.nodes[i].name for i in node.inputs]
    plan = formula_plan(chosen, len(names))
    if plan is not None:  # the common case: only literal text and input names, no field table needed
        return tuple([data if kind == "text" else names[data] if kind == "input" else
                      "".join([text + (names[int(field)] if field is not None else "") for text, field in data])
                      for kind, data in plan])
    fields = _fields(node, names)
    out = []
    for slot, name in enumerate(names):
        kind, data = _compile(chosen[min(slot, len(chosen) - 1)])
        fields["i"] = name
        if kind == "function":
            out.append(data(fields))
        else:
            out.append("".join(text + (fields.get(field, "{" + field + "}") if field is not None else "")
                               for text, field in data))
    return tuple(out)


def _fields(node: Node, names: list[str]) -> dict[str, str]:
    """What a formula template may name: inputs by position, the node itself, and parameters."""
    op = node.op
    fields: dict[str, str] = {str(k): name for k, name in enumerate(names)}
    fields["out"] = node.name
    assert op is not None
    if op.constant:  # a one-constant gate: {c} is the constant as written
        const = next(a for a in node.args if isinstance(a, Const))
        fields["c"] = const.text
        fields["c-1"] = number(node.params[0] - 1)
    given = dict(node.keywords)
    keyword_values = node.params[len(op.params) - len(op.keyword_params):]
    for (pname, _), value in zip(op.keyword_params, keyword_values):
        fields[pname] = given[pname].text if pname in given else number(value)
    return fields


@functools.cache
def formula_plan(templates: tuple[Any, ...], arity: int) -> tuple[Any, ...] | None:
    """Each input's compiled template when none needs more than input names, else None."""
    plan = tuple(_compile(templates[min(slot, len(templates) - 1)]) for slot in range(arity))
    return plan if all(kind in ("text", "input", "inputs") for kind, _ in plan) else None


@functools.cache
def _compile(template: Any) -> tuple[str, Any]:
    """A template sorted once by what filling it needs: ("text", "1"), ("input", 1) for "{1}",
    ("inputs", pieces) when it names only inputs, ("fields", pieces) or ("function", template).
    Templates are turned to text on every node of a 10^6-node JSON, so this work is done once.
    pieces are (literal text, field or None) pairs: "1/{1}" -> (("1/", "1"),)."""
    if callable(template):
        return "function", template
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        pieces.append((template[pos:m.start()], m.group(1)))
        pos = m.end()
    if pos < len(template) or not pieces:
        pieces.append((template[pos:], None))
    if len(pieces) == 1 and pieces[0][1] is None:
        return "text", template
    field = pieces[0][1]
    if len(pieces) == 1 and pieces[0][0] == "" and field is not None and field.isdigit():
        return "input", int(field)
    if all(field is None or field.isdigit() for _, field in pieces):
        return "inputs", tuple(pieces)
    return "fields", tuple(pieces)


def number(value: float) -> str:
    """A constant as short text: 2, 0.5, -1."""
    return format(value, ".6g")


def _shape(value: Any) -> tuple[Any, ...]:
    return tuple(getattr(value, "shape", ()))


def _size(value: Any) -> int:
    return int(getattr(value, "size", 1))


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


def expr_text(value: Any) -> str:
    """A symbolic or exact value as text; sympy's E is written e, as on the slides."""
    text = str(value)
    if "E" in text and not any(str(s) == "E" for s in getattr(value, "free_symbols", ())):
        text = re.sub(r"\bE\b", "e", text)
    return text


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
