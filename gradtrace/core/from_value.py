"""A graph of Values (gradtrace.Value, micrograd's API) walked into gradtrace's graph, gate by gate.

v.trace() and gradtrace.trace(v) hand the Value here, and gradtrace.trace(f, x=...) the Value
that f returned. As with a sympy expression (from_sympy.py), each gate becomes the builder call the
parser would make for the same gate written in gradtrace's language (a - b a sub gate, x * 2 a
one-constant gate, relu(x) a call), so a Value graph and the program it is shown as make the same
graph. The program is written as statements: one for each node that has a name (its label) or is
used more than once, the rest written inline, as a person would type it:

    x1*w1 + x2*w2 + b, labelled n, then tanh:   n = x1*w1 + x2*w2 + b; o = tanh(n)

Names come from labels where a label is a name gradtrace can write (and is not taken already);
other inputs are v1, v2, ..., and other gates t1, t2, ... as the parser numbers them. Nothing
recurses: the graph is walked with explicit stacks, so a chain 100,000 deep is no different.

The Values are read through a small protocol (Node below), so the core knows nothing of the class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

from ..i18n import _
from .errors import GradtraceError, ParseError
from .graph import RESERVED, Graph, _Lowering, paused_gc
from .ops import FUNCTIONS, OPS, POSTFIX
from .syntax import tokenize
from .terms import Term, lower, write

Gate = tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]]


class Node(Protocol):
    """What the walk reads of a Value: its number, its label, and what made it, _gate(): None for a
    leaf (an input), else (the op table's name, its arguments as written, nodes and numbers in
    order, and the keyword parameters given, e.g. (("alpha", 0.2),))."""

    @property
    def data(self) -> Any: ...
    @property
    def label(self) -> str: ...
    def _gate(self) -> Gate | None: ...


class ValueGraphError(GradtraceError, ValueError):
    """A Value graph gradtrace can't write as a program (a constant inf, a parameter named nan): also
    a ValueError."""


def build_from_values(root: Node, parameters: Sequence[Node] = (), title: str | None = None,
                      output: str | None = None) -> tuple[Graph, dict[str, Any]]:
    """The graph of everything root was computed from, and its inputs' values by name. parameters
    (a traced function's, already labelled with their names) become the first variables, in their
    order, used or not; title names root when it has no label of its own (the function's name);
    output, if given, names the node to trace instead of root, as trace()'s output=."""
    with paused_gc():  # the walk makes millions of objects that live on (graph.paused_gc says why)
        return _build(root, parameters, title, output)


def _build(root: Node, parameters: Sequence[Node], title: str | None, output: str | None) \
        -> tuple[Graph, dict[str, Any]]:
    nodes, gates, fanout = _walk(root)
    names, notes = _names(nodes, gates, root, parameters, title)
    statements = _statements(nodes, gates, fanout, names, root)
    source_parts: list[str] = []
    spans: list[tuple[str | None, Term, tuple[int, int]]] = []
    offset = 0
    for target, term in statements:
        prefix = f"{target} = " if target is not None else ""
        text = prefix + write(term, offset + len(prefix))
        spans.append((target, term, (offset, offset + len(text))))
        source_parts.append(text)
        offset += len(text) + 2
    source = "; ".join(source_parts)
    leaves = [v for v in nodes if gates[id(v)] is None]
    lowering = _Lowering(source, bound={names[id(v)] for v in [*parameters, *leaves]})
    try:
        for p in parameters:  # the function's parameters first, in its order, as a header f(x, y) = ... makes
            lowering.name(names[id(p)], (0, 0))
        for target, term, (start, end) in spans:
            made = lower(lowering, term)
            lowering.statement(target, (start, start + len(target)) if target is not None else None, made,
                               (start, end))
    except ParseError as err:  # a name the checks let through: the graph's fault, not a program's
        raise ValueGraphError(err.message, source=err.source, span=err.span, hint=err.hint) from None
    graph = lowering.finish(output)
    graph.notes += notes
    bindings = {names[id(v)]: v.data for v in [*parameters, *leaves]}
    return graph, bindings


# ---- the Value graph ----------------------------------------------------------------------------

def _walk(root: Node) -> tuple[list[Node], dict[int, Gate | None], dict[int, int]]:
    """Every node root depends on, inputs before the gates that use them (an explicit stack), each
    one's gate, and how many times each is used."""
    gates: dict[int, Gate | None] = {}
    fanout: dict[int, int] = {}
    nodes: list[Node] = []
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        v, done = stack.pop()
        if done:
            nodes.append(v)
            continue
        if id(v) in gates:
            continue
        gate = v._gate()
        gates[id(v)] = gate
        stack.append((v, True))
        if gate is not None:
            for arg in reversed(gate[1]):
                if not _is_number(arg):
                    fanout[id(arg)] = fanout.get(id(arg), 0) + 1
                    if id(arg) not in gates:
                        stack.append((arg, False))
    return nodes, gates, fanout


def _is_number(arg: Any) -> bool:
    return isinstance(arg, (int, float))


def _names(nodes: list[Node], gates: dict[int, Gate | None], root: Node, parameters: Sequence[Node],
           title: str | None) -> tuple[dict[int, str], list[str]]:
    """Each leaf's name and each labelled gate's: its label where that is a name not taken yet, else
    v1, v2, ... for leaves; unnamed gates are numbered later, as the parser numbers them."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    unusable: list[str] = []
    for p in parameters:
        if not _writable(p.label, gate=False):
            raise ValueGraphError(_("the parameter {name!r} is not a name gradtrace can write").format(name=p.label),
                                  hint=_("rename it: a letter or _ first, then letters, digits and _; not nan or inf"))
        names[id(p)] = p.label
        taken.add(p.label)
    leaves = [v for v in nodes if gates[id(v)] is None and id(v) not in names]
    gated = [v for v in nodes if gates[id(v)] is not None]
    for group, is_gate in ((leaves, False), (gated, True)):
        for v in group:
            label = v.label
            if label and _writable(label, is_gate) and label not in taken:
                names[id(v)] = label
                taken.add(label)
            elif label:
                unusable.append(label)
    if id(root) not in names and title is not None and _writable(title, True) and title not in taken:
        names[id(root)] = title
        taken.add(title)
    k = 0
    for v in leaves:
        if id(v) not in names:
            k += 1
            while f"v{k}" in taken:
                k += 1
            names[id(v)] = f"v{k}"
    notes = []
    if unusable:
        shown = ", ".join(repr(label) for label in dict.fromkeys(unusable))
        notes.append(_("labels that are not names gradtrace can write, or that name two nodes, are left out of the "
                       "program: {labels}").format(labels=shown))
    return names, notes


def _writable(label: str, gate: bool) -> bool:
    """Whether a label is one name in gradtrace's language (x, w1, α, w₁, x_2) that a program can
    assign (a gate's) or bind (an input's)."""
    if not isinstance(label, str) or not label or not label.isprintable() or label in RESERVED:
        return False
    if gate and label in FUNCTIONS:
        return False
    try:
        tokens = list(tokenize(label))
    except ParseError:
        return False
    return len(tokens) == 2 and tokens[0][0] == "name" and tokens[0][1] == label


def _statements(nodes: list[Node], gates: dict[int, Gate | None], fanout: dict[int, int],
                names: dict[int, str], root: Node) -> list[tuple[str | None, Term]]:
    """(target, term) per statement, in topological order: one per named or shared gate, and the
    output's last; the rest inline. A shared gate with no label gets the name the parser would give
    it, t1, t2, ... counted in the order the gates are made, skipping names already taken."""
    inline = {id(v) for v in nodes if v is not root and gates[id(v)] is not None and id(v) not in names
              and fanout[id(v)] < 2}  # gates with no name, used once: written where they are used
    taken = {name for name in names.values() if name[:1] == "t" and name[1:].isdigit()}
    counter = 0
    statements: list[tuple[str | None, Term]] = []
    terms: dict[int, Term] = {}
    for v in nodes:
        if id(v) in inline or (v is not root and gates[id(v)] is None):
            continue
        # The statement's gates in the order the builder will make them (post-order, arguments left
        # to right): the reverse of a pre-order that takes the arguments right to left.
        made: list[Node] = []
        stack = [v]
        while stack:
            node = stack.pop()
            made.append(node)
            gate = gates[id(node)]
            if gate is not None:
                stack.extend(arg for arg in gate[1] if id(arg) in inline and not isinstance(arg, (int, float)))
        made.reverse()
        for node in made:
            gate = gates[id(node)]
            if gate is None:  # the output is an input
                terms[id(node)] = Term("name", names[id(node)])
                continue
            kids = [_number(arg) if isinstance(arg, (int, float)) else terms.pop(id(arg)) if id(arg) in inline
                    else Term("name", names[id(arg)]) for arg in gate[1]]
            terms[id(node)] = _gate_term(gate, kids)
            if id(node) in names or node is root:
                continue  # named by its statement (its label), or the output, which the parser names f
            counter += 1
            while f"t{counter}" in taken:
                counter += 1
            if node is v:  # a shared gate with no label: its statement names it as the parser would
                names[id(node)] = f"t{counter}"
        statements.append((names.get(id(v)) if gates[id(v)] is not None else None, terms.pop(id(v))))
    return statements


def _gate_term(gate: Gate, kids: list[Term]) -> Term:
    """A gate as the language writes it: an operator between two values (or a value and a
    constant), a prefix minus, a postfix .T, a subscript x[:, 1], or a call with its keyword
    parameters last (a shape written as a tuple)."""
    name, args, keywords = gate
    if name in POSTFIX:  # x.T, written so; transpose(x) is the call
        return Term("postfix", name, (kids[0],))
    op = OPS[name]
    if op.syntax.subscript:
        index = dict(keywords)["index"]
        parts = [_number(p) for item in index for p in (item if isinstance(item, tuple) else (item,)) if p is not None]
        return Term("index", "", (kids[0], *parts), index=index)
    if len(args) == 1 and op.syntax.prefix is not None:
        return Term("unary", op.syntax.prefix, (kids[0],))
    if len(args) == 2 and op.syntax.infix is not None:
        return Term("binary", op.syntax.infix, (kids[0], kids[1]))
    return Term("call", name, (*kids, *(_parameter(value) for _key, value in keywords)),
                tuple(key for key, _value in keywords))


def _parameter(value: Any) -> Term:
    """A keyword parameter as written: a number, or a shape's tuple of numbers."""
    if isinstance(value, tuple):
        return Term("tuple", "", tuple(_number(n) for n in value))
    return _number(value)


def _number(value: Any) -> Term:
    """A constant as written: 2, 0.5, 1e-05, with a minus sign before a negative one."""
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            raise ValueGraphError(_("the constant {value}… is too large for a float").format(
                value=str(value)[:20])) from None
        text = str(abs(value))
    else:
        if not math.isfinite(value):
            raise ValueGraphError(_("the constant {value} is not a finite number: gradients need finite "
                                    "numbers").format(value=value))
        text = repr(abs(float(value)))
    term = Term("number", text)
    return Term("unary", "-", (term,)) if value < 0 else term
