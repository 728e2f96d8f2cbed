"""Expression trees -> a computational graph whose nodes mirror what the user typed.

Nodes are created in topological order (inputs before the gates that use them), hold their inputs'
ids as an ordered tuple (so x*x has two edges), and get the user's names (q, f) or generated ones
(t1, t2, ...). Constants are folded and never become nodes: a binary operator with one constant
operand becomes one unary gate (+1, *-1, 1/x, x^2, 2^x), as in the lecture.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import math
import operator
import re
from array import array
from collections.abc import Callable, Iterator
from typing import Any, cast

from ..i18n import _, ngettext
from .backends import scalar
from .errors import EvaluationError, GradtraceError, ParseError, did_you_mean
from .numbers import MESSAGES
from .ops import (
    AXIS,
    CONSTANTS,
    FUNCTIONS,
    INDEX,
    INFIX,
    OPS,
    POSTFIX,
    PREFIX,
    SHAPE,
    SUBSCRIPT,
    Maths,
    Op,
    Oracles,
    Syntax,
    Text,
    Whole,
    index_text,
    shape_text,
)
from .ops_text import signature
from .syntax import BINARY, parse_expression, parse_program

# Long steps report how far they have got through report(phase, done, total), once per
# REPORT_EVERY nodes; the CLI turns that into a progress display (progress.py).
Report = Callable[[str, int, int], None]
REPORT_EVERY = 1 << 14
_ONE, _BOTH = (0,), (0, 1)  # the args of most gates, shared
RESERVED = {"nan", "inf"}  # how JSON writes non-finite numbers: a variable of that name would read the same
ATOM = 9  # precedence of names, numbers and calls when writing expressions back out
_PRECEDENCE = {symbol: precedence for symbol, (precedence, _) in BINARY.items()}
_RIGHT_ASSOC = {symbol for symbol, (_, right) in BINARY.items() if right}


# `a = x`, `b = a`: a statement that gives a second name to a value that already has one. The name
# is a wire the user may ask about, one branch of that value's copy gate (∂f/∂a is the gradient
# through a alone), so it is a node of its own: a = x, with local gradient 1, and the branches'
# gradients add up at x, as at any copy gate. No one calls it by name, so it is not in the op
# table; only this statement makes it, and a program without one has no such node.
COPY = Op("copy", 1,
          Maths(lambda xp, x: x, lambda xp, out, x: (1.0,)),
          Syntax(),
          Text(("1",), label="copy",
               notes="A named copy, a = x: one branch of x's copy gate. It passes its upstream gradient back to x "
                     "unchanged; at x the branches' gradients add up."),
          Oracles(sympy=lambda sp, x: x, torch=lambda t, x: x.clone()))


class Const:
    """A constant: its float value, its text as written, and how it was made, so that exact modes
    can rebuild it without re-reading any text: a literal (op None; text is the number, pi or e),
    or an op applied to constant args with constant params."""
    __slots__ = ("args", "op", "params", "precedence", "text", "value")

    def __init__(self, value: float, text: str, precedence: int, op: Op | None = None,
                 args: tuple[Const, ...] = (), params: tuple[Any, ...] = ()):
        self.value, self.text, self.precedence = value, text, precedence
        self.op, self.args, self.params = op, args, params


class Items:
    """A tuple of constants as written, (2, 3) or (6,): a shape, the one thing that takes a tuple
    (reshape(x, (2, 3))). Its text is as written; anywhere else it is refused, pointing at it."""
    __slots__ = ("items", "span", "text")

    def __init__(self, items: tuple[Const, ...], span: tuple[int, int]):
        self.items, self.span = items, span
        self.text = "(" + ", ".join(c.text for c in items) + ("," if len(items) == 1 else "") + ")"


class Node:
    """A gate or a variable. `args` lists what was written, in order: an int is the index of an
    input in `inputs`, a Const is a constant operand (shown in the expression, not a node)."""
    __slots__ = (
        "args",
        "end",
        "graph_nodes",
        "id",
        "inputs",
        "keywords",
        "name",
        "op",
        "params",
        "spelling",
        "start",
    )

    def __init__(self, nodes: list[Node], op: Op | None, inputs: tuple[int, ...], params: tuple[Any, ...],
                 args: tuple[Any, ...], span: tuple[int, int], spelling: str | None = None, name: str | None = None,
                 keywords: tuple[tuple[str, Const | Items], ...] = ()):
        self.id = len(nodes)      # its position in nodes, which it joins: inputs come before it
        nodes.append(self)
        self.graph_nodes = nodes  # the graph's nodes, to name the inputs by
        self.name = name or ""  # given when the graph is finished: "" until then
        self.op = op              # None for a variable
        self.inputs = inputs      # the inputs' ids
        self.params = params      # the op's parameter values, e.g. (c,) or (alpha,)
        self.args = args
        self.keywords = keywords  # parameters the user gave explicitly, e.g. (("alpha", 0.2),)
        self.start, self.end = span  # where it was written (two slots, not a tuple per node)
        self.spelling = spelling  # the operator as typed: ** or ^

    @property
    def span(self) -> tuple[int, int]:
        """Where in the source it was written, for error messages."""
        return self.start, self.end

    @property
    def expr(self) -> str:
        """What it computes, written with its inputs' names: 'q * z' (written when asked, since a
        10^6-node graph would otherwise hold a million strings it may never show)."""
        return write_expr(self, self.graph_nodes or [])

    @property
    def gate(self) -> Op:
        """The node's op, for code that has already checked it is a gate, not a variable."""
        assert self.op is not None, f"{self.name} is a variable, not a gate"
        return self.op

    @property
    def is_variable(self) -> bool:
        return self.op is None

    @property
    def label(self) -> str:
        """The gate's short label for pictures: +, *, +1, *-1, 1/x, x^2, exp, σ."""
        if self.op is None:
            return self.name
        op = self.op
        text = op.text.label
        if "{c}" in text:
            const = next(a for a in self.args if isinstance(a, Const))
            text = text.replace("{c}", const.text)
        elif "{" in text:  # a parameter, as the language writes it: x[:, 1]'s label [:, 1]
            for (pname, _default), value in zip(op.rule_params, self.params):
                text = text.replace("{" + pname + "}", op.param_text(pname, value))
        return text

    def __repr__(self) -> str:
        return f"<node {self.name} = {self.expr}>"


Value = Node | Const
Operand = Node | Const | Items  # what the parser hands the builder: a tuple too, which only a shape takes


class Graph:
    """Nodes in topological order, the output node, and the variables (inputs)."""

    def __init__(self, source: str, nodes: list[Node], output: Node, unused_variables: list[str],
                 env_names: dict[str, str], statements: list[tuple[int, int]], fanout: list[int],
                 unused_statements: list[str], variables: list[Node] | None = None):
        self.source = source
        self.statements = statements  # their spans in the source
        self.fanout = fanout          # per node, how many edges leave it: more than one makes a copy gate
        self.nodes = nodes
        self.output = output
        # The nodes that are variables, in the nodes' order (the builder knows them; else found).
        self.variables = variables if variables is not None else [n for n in nodes if n.op is None]
        self.unused_variables = unused_variables  # in the program, but not feeding the output
        self.env_names = env_names                # program name -> node name (for --output, --expect)
        self.unused_statements = unused_statements  # statements whose value does not reach the output
        self.notes: list[str] = []  # what a reader should know: e assigned, pi bound

    @functools.cached_property
    def text(self) -> str:
        """The program on one line, without comments: "q = x + y; f = q * z"."""
        return "; ".join(_statement_text(self.source[a:b]) for a, b in self.statements)

    @functools.cached_property
    def variable_names(self) -> set[str]:
        """Every variable the program names, the output's inputs and the unused ones alike."""
        return {v.name for v in self.variables}.union(self.unused_variables)

    @functools.cached_property
    def ops(self) -> set[Op | None]:
        """The ops its nodes compute (None for a variable), found at C speed."""
        return set(map(_OP, self.nodes))

    @functools.cached_property
    def by_name(self) -> dict[str, Node]:
        return {n.name: n for n in self.nodes}

    @functools.cached_property
    def shared_consumers(self) -> dict[int, list[tuple[int, int]]]:
        """consumers_of for the copy gates only (fanout > 1), found in one pass without the full
        edge arrays: all that the JSON writer needs."""
        fanout = self.fanout
        shared: dict[int, list[tuple[int, int]]] = {}
        for node in self.nodes:
            for slot, i in enumerate(node.inputs):
                if fanout[i] > 1:
                    shared.setdefault(i, []).append((node.id, slot))
        return shared

    @functools.cached_property
    def _edges(self) -> tuple[array[int], array[int], array[int]]:
        """All edges grouped by the node they leave, as flat arrays (compressed sparse rows), so a
        10^6-node graph keeps no list per node: start[i]:start[i+1] index consumer and slot."""
        start = array("l", itertools.accumulate(self.fanout, initial=0))
        at = array("l", start)
        consumer = array("l", bytes(8 * start[-1]))
        slots = array("l", bytes(8 * start[-1]))
        for node in self.nodes:
            for slot, i in enumerate(node.inputs):
                p = at[i]
                consumer[p] = node.id
                slots[p] = slot
                at[i] = p + 1
        return start, consumer, slots

    def consumers_of(self, node_id: int) -> list[tuple[int, int]]:
        """(consumer id, input slot) for every edge leaving a node, in the consumers' order."""
        start, consumer, slots = self._edges
        a, b = start[node_id], start[node_id + 1]
        return list(zip(consumer[a:b], slots[a:b]))

    def __len__(self) -> int:
        return len(self.nodes)


def constant(text: str) -> Value:
    """A constant expression such as 1/3 or -pi/2, lowered with no variables in scope: a Const, or
    a Node if the text names a variable (for the caller to refuse)."""
    value: Value = parse_expression(text, _Lowering(text, program=False))
    return value


def build(source: str, output: str | None = None,
          report: Report | None = None, bound: frozenset[str] | set[str] = frozenset()) -> Graph:
    """Parse a program and build its graph, pruned to what the output depends on.
    report(phase, done, total), if given, hears how many characters have been read now and then.
    bound: the names given values, so that a bound e or pi is a variable, not the constant."""
    with paused_gc():
        lowering = _Lowering(source, report, bound=bound)
        parse_program(source, lowering)
        return lowering.finish(output)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cycle collector off while a graph, its trace or its JSON is made. Those steps make
    millions of objects that all live on, and the collector would walk them again and again (a
    third of the time of building a 10^5-statement graph) to free none. Reference counting still
    frees everything else as usual; cycles left over are collected once it is back on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Lowering:
    """The parser's builder: each piece of the program becomes a Node or a folded Const as soon as
    it is read, so no syntax tree is ever built."""

    def __init__(self, source: str, report: Report | None = None, program: bool = True,
                 bound: frozenset[str] | set[str] = frozenset()):
        self.source = source
        self.constants = {name: value for name, value in CONSTANTS.items() if name not in bound}
        self.notes: list[str] = [f"{name} is bound, so here it is a variable, not the constant {name} = "
                                 f"{CONSTANTS[name]:.6g}" for name in sorted(set(bound) & set(CONSTANTS))]
        self.declared: list[str] = []  # a header's variables, f(x, y, z) = ...
        self.program = program  # a program's names become variables; a binding's value has none
        self.report = report
        self.env: dict[str, Value] = {}         # program names -> their current value
        self.variables: dict[str, Node] = {}    # names never assigned: the graph's inputs
        self.created: list[Node] = []           # every node, in creation (topological) order
        self.versions: list[tuple[str, Node]] = []  # (target, node) for every fresh node a statement named
        self.named: set[int] = set()            # ids of the nodes in versions
        self.last: Value | None = None
        self.last_span: tuple[int, int] | None = None
        self.statements: list[tuple[int, int]] = []  # spans, for the graph's one-line text
        self.statement_values: list[Value] = []        # what each statement computed

    # -- the Builder protocol (syntax.py) --

    def number(self, text: str, value: float, span: tuple[int, int]) -> Value:
        return Const(value, text, ATOM)

    def name(self, text: str, span: tuple[int, int]) -> Value:
        value = self.env.get(text)
        if value is not None:
            return value
        if text in self.constants:
            return Const(self.constants[text], text, ATOM)
        node = self.variables.get(text)
        if node is None:
            if text in RESERVED and self.program:  # checked once per new variable, not per use
                raise ParseError(_("{text!r} is reserved: JSON output writes a non-finite number as the string "
                                   "\"{text}\"").format(text=text), source=self.source, span=span,
                                 hint=_("pick another name for the variable"))
            node = self.variables[text] = Node(self.created, None, (), (), (), span, name=text)
        return node

    def binary(self, symbol: str, left: Operand, right: Operand, span: tuple[int, int],
               op_span: tuple[int, int]) -> Value:
        source = self.source
        op = INFIX.get(symbol)
        if op is None:
            raise ParseError(
                _("the operator {symbol!r} needs array values, which this build does not support").format(
                    symbol=symbol
                ),
                source=source,
                span=op_span,
            )
        if left.__class__ is Node and right.__class__ is Node:  # the common case: a gate between two nodes
            node = Node(self.created, op, (left.id, right.id), (), _BOTH, span, symbol)
            if self.report is not None and not len(self.created) % REPORT_EVERY:
                self.report("reading the program", span[1], len(source))
            return node
        if left.__class__ is Items or right.__class__ is Items:  # (a class test: this runs per constant operand)
            raise self._misplaced(left if isinstance(left, Items) else right)
        left_const, right_const = left.__class__ is Const, right.__class__ is Const
        if op.arrays_only:
            # No array literals in the language: arrays come from bindings, so a constant can't be one.
            raise ParseError(_("{symbol} needs two arrays, and a constant is a single number").format(symbol=symbol),
                             source=source, span=span,
                             hint=_("bind the arrays to variables, e.g. W @ x with -W \"[[1, 2], [3, 4]]\" -x \"[1, "
                                    "1]\""))
        precedence = _PRECEDENCE[symbol]
        if left_const and right_const:
            a, b = cast(Const, left), cast(Const, right)
            text = f"{_wrap(a, symbol, False)}{symbol}{_wrap(b, symbol, True)}"
            # Between two numbers a power's exponent is a constant: (-2)² = 4 is in its domain,
            # as in x² (pow_const's), though not in x^y's with a variable y.
            domain = (OPS["pow_const"], (a.value,), (b.value,)) if op.maths.exponent is not None else None
            return _fold(source, op, (a, b), (), text, precedence, span, domain)
        const, var, side = (left, right, op.syntax.const_left) if left_const else (right, left, op.syntax.const_right)
        assert isinstance(const, Const) and isinstance(var, Node) and side is not None, \
            f"{op.name} has no one-constant gate"
        if side == "rpow_const" and const.op is None and const.text == "e" and const.value == math.e:
            return Node(self.created, OPS["exp"], (var.id,), (), _ONE, span)  # e^x is the exp gate, as drawn
        gate = OPS[side]
        args = (const, 0) if const is left else (0, const)
        return Node(self.created, gate, (var.id,), (const.value,), args, span, symbol)

    def unary(self, symbol: str, operand: Operand, span: tuple[int, int]) -> Value:
        if isinstance(operand, Items):
            raise self._misplaced(operand)
        if symbol == "+":
            return operand
        op = PREFIX.get(symbol) or POSTFIX.get(symbol)
        if op is None:
            raise ParseError(_("unknown operator {symbol!r}").format(symbol=symbol), source=self.source, span=span)
        if isinstance(operand, Const):
            if op.arrays_only:
                return operand  # a number's transpose is itself
            text = symbol + (operand.text if operand.precedence >= 3 else f"({operand.text})")
            return _fold(self.source, op, (operand,), (), text, 3, span)
        return Node(self.created, op, (operand.id,), (), _ONE, span, symbol)

    def call(self, func: str, args: list[Operand], arg_spans: list[tuple[int, int]],
             keywords: list[tuple[str, Operand, tuple[int, int]]], span: tuple[int, int],
             func_span: tuple[int, int]) -> Value:
        source = self.source
        op = FUNCTIONS.get(func)
        if op is None:
            hint = did_you_mean(func, sorted(FUNCTIONS)) or _("the functions are {names}").format(
                names=", ".join(sorted(FUNCTIONS)))
            raise ParseError(_("unknown function {func!r}").format(func=func), source=source, span=func_span, hint=hint)
        n_pos = len(args)
        if n_pos == 1 and not keywords and _one_input(op) and args[0].__class__ is Node:
            # The common case, relu(t3): one node in, no parameters (a 10^5-deep nesting is all this).
            return Node(self.created, op, (args[0].id,), (), _ONE, span, func if func != op.name else None)
        if op.syntax.infix is not None:  # pow(x, y) is x ** y, with its one-constant gates
            if n_pos != op.arity or keywords:
                raise ParseError(
                    _("{func} takes {arity} arguments, got {value}").format(
                        func=func, arity=op.arity, value=n_pos + len(keywords)
                    ),
                    source=source,
                    span=span,
                    hint=_("write {func}(x, y), which is x {infix} y").format(func=func, infix=op.syntax.infix),
                )
            return self.binary(op.syntax.infix, args[0], args[1], span, func_span)
        user_params = list(op.keyword_params)
        if op.variadic:
            if n_pos < 2:
                raise ParseError(
                    _("{name} needs at least two arguments").format(name=op.name), source=source, span=span
                )
            inputs_written = args
            extra: list[tuple[Operand, tuple[int, int]]] = []
        else:
            if n_pos < op.arity:
                raise ParseError(
                    ngettext("{name} needs {arity} argument, got {n_pos}",
                             "{name} needs {arity} arguments, got {n_pos}", op.arity).format(
                        name=op.name, arity=op.arity, n_pos=n_pos),
                    source=source,
                    span=span,
                )
            inputs_written = args[:op.arity]
            extra = list(zip(args[op.arity:], arg_spans[op.arity:]))
            if len(extra) > len(user_params):
                shape = any(op.param_kind(p) == SHAPE for p, _ in user_params)
                raise ParseError(
                    _("{name} takes {value} argument(s), got {n_pos}").format(
                        name=op.name, value=op.arity + len(user_params), n_pos=n_pos
                    ),
                    source=source,
                    span=span,
                    hint=_("write the shape as one tuple: {name}(x, (2, 3))").format(name=op.name) if shape else None,
                )
        for a in inputs_written:
            if a.__class__ is Items:
                raise self._misplaced(a)
        # Parameters (alpha) come positionally after the inputs or by keyword, and must be constants
        # (an axis an integer, a shape a tuple of integers): what each was written as, and its value.
        given: dict[str, Any] = {}  # a Const, or the Items of a shape
        values: dict[str, Any] = {}
        for (pname, _default), (value, value_span) in zip(user_params, extra):
            values[pname] = self._param(op, pname, value, value_span)
            given[pname] = value
        for kname, value, value_span in keywords:
            if kname not in dict(user_params):
                names = ", ".join(p for p, _ in user_params) or "none"
                raise ParseError(
                    _("{name} has no parameter {kname!r} (its parameters: {names})").format(
                        name=op.name, kname=kname, names=names
                    ),
                    source=source,
                    span=value_span,
                )
            if kname in given:
                raise ParseError(
                    _("{name}: {kname} is given twice").format(name=op.name, kname=kname),
                    source=source,
                    span=value_span,
                )
            values[kname] = self._param(op, kname, value, value_span)
            given[kname] = value
        params = tuple(values[p] if p in values else default for p, default in user_params)
        missing = [p for p, value in zip((p for p, _ in user_params), params)
                   if value is None and op.param_kind(p) != AXIS]  # an axis left out: every axis
        if missing:
            raise ParseError(
                _("{name} needs {join}").format(name=op.name, join=" and ".join(missing)),
                source=source,
                span=span,
                hint=_("write {name}(x, (2, 3))").format(name=op.name) if op.param_kind(missing[0]) == SHAPE else
                _("write {call}, with a number for {join}").format(call=signature(op), join=" and ".join(missing)),
            )
        keyword_consts = tuple((p, given[p]) for p, _ in user_params if p in given)

        if op.arrays_only and any(isinstance(a, Const) for a in inputs_written):
            raise ParseError(_("{name} needs array arguments, and a constant is a single number").format(name=op.name),
                             source=source, span=span, hint=_("bind the arrays to variables, e.g. -x \"[1, 2, 3]\""))
        if all(isinstance(a, Const) for a in inputs_written):
            param_text = "".join(f", {p}={c.text}" for p, c in keyword_consts)
            consts = [cast(Const, a) for a in inputs_written]
            text = f"{func}({', '.join(a.text for a in consts)}{param_text})"
            fold_params = ((),) if op.variadic else tuple(values.get(p, default) for p, default in user_params)
            return _fold(source, op, tuple(consts), fold_params, text, ATOM, span)
        inputs = tuple(a.id for a in inputs_written if isinstance(a, Node))
        layout: list[Any] = []
        k = 0
        for a in inputs_written:
            if isinstance(a, Node):
                layout.append(k)
                k += 1
            else:
                layout.append(a)
        if op.variadic:
            params = (tuple(a.value for a in inputs_written if isinstance(a, Const)),)
        return Node(self.created, op, inputs, params, tuple(layout), span, keywords=keyword_consts,
                    spelling=func if func != op.name else None)  # σ(x), ln(x): shown as typed

    def statement(self, target: str | None, target_span: tuple[int, int] | None, value: Operand,
                  span: tuple[int, int]) -> None:
        if isinstance(value, Items):
            raise self._misplaced(value)
        if target is not None:
            if target in FUNCTIONS:
                raise ParseError(
                    _("{target!r} is a function and can't be assigned to").format(target=target),
                    source=self.source,
                    span=target_span,
                    hint=_("pick another name"),
                )
            if target in CONSTANTS and target not in self.env and self.program:
                line = self.source.count("\n", 0, span[0]) + 1
                self.notes.append(f"{target} is assigned on line {line}, so from there on {target} is the program's "
                                  f"own {target}, not the constant {target} = {CONSTANTS[target]:.6g}")
            if isinstance(value, Node):
                if value.name or id(value) in self.named:  # a name for a value that has one: a copy
                    value = Node(self.created, COPY, (value.id,), (), _ONE, span)
                self.versions.append((target, value))
                self.named.add(id(value))
            self.env[target] = value
        self.last, self.last_span = value, span
        self.statements.append(span)
        self.statement_values.append(value)

    def declare(self, target: str, variables: list[tuple[str, tuple[int, int]]]) -> None:
        """A header f(x, y, z) = ...: its variables come first, in its order, even if unused."""
        for name, span in variables:
            if name in self.declared:
                raise ParseError(
                    _("{name} is listed twice in {target}(...)").format(name=name, target=target),
                    source=self.source,
                    span=span,
                )
            if name in self.env:
                raise ParseError(
                    _("{name} already has a value, so it can't be a variable of {target}").format(
                        name=name, target=target
                    ),
                    source=self.source,
                    span=span,
                )
            self.declared.append(name)
            self.constants.pop(name, None)  # f(e) = ...: e is a variable here
            self.name(name, span)

    def index(self, operand: Operand, items: list[list[tuple[Operand, tuple[int, int]] | None]],
              span: tuple[int, int]) -> Value:
        """x[0], x[:, 1], x[1:3], x[::2]: one index gate, its parameter the integers and slices."""
        for value in (operand, *(part[0] for item in items for part in item if part is not None)):
            if isinstance(value, Items):
                raise self._misplaced(value)
        if not isinstance(operand, Node):
            raise ParseError(_("a number can't be indexed: only an array can"), source=self.source, span=span,
                             hint=_("bind the array to a variable, e.g. x[0] with -x \"[1, 2, 3]\""))
        index = tuple(self._index_item(item) for item in items)
        return Node(self.created, SUBSCRIPT, (operand.id,), (index,), _ONE, span)

    def _index_item(self, item: list[tuple[Operand, tuple[int, int]] | None]) -> Any:
        """One item of a subscript: an integer, or a slice as (start, stop, step), None where left out."""
        parts = [None if part is None else self._integer(*part, INDEX) for part in item]
        if len(parts) == 1:
            return parts[0]
        start, stop, step = (*parts, None) if len(parts) == 2 else parts
        if step == 0:
            step_part = item[2]
            assert step_part is not None
            raise ParseError(_("a slice's step can't be 0"), source=self.source, span=step_part[1],
                             hint=_("write a step such as 2 (every other element) or -1 (backwards)"))
        return (start, stop, step)

    def _integer(self, value: Operand, span: tuple[int, int], kind: str, op: Op | None = None) -> int:
        """An integer written as a constant (an INDEX, an AXIS, a SHAPE's size), or a ParseError
        saying why not, pointing at it."""
        name = "" if op is None else op.name
        if not isinstance(value, Const):
            message = {INDEX: _("an index must be an integer constant"),
                       AXIS: _("{name}'s axis must be an integer constant"),
                       SHAPE: _("{name}'s shape must be written with integer constants")}[kind]
            raise ParseError(message.format(name=name), source=self.source, span=span,
                             hint=_("write a number such as 0, 2 or -1 there: indexing by a variable or an array, "
                                    "and shapes read from variables, are not supported"))
        if not float(value.value).is_integer():
            message = {INDEX: _("an index must be an integer, not {text}"),
                       AXIS: _("{name}'s axis must be an integer, not {text}"),
                       SHAPE: _("{name}'s shape must be integers, not {text}")}[kind]
            raise ParseError(message.format(name=name, text=value.text), source=self.source, span=span)
        return int(value.value)

    def sequence(self, items: list[Operand], item_spans: list[tuple[int, int]], span: tuple[int, int]) -> Items:
        """(2, 3): a tuple of constants, which only a shape takes (reshape's)."""
        for item, item_span in zip(items, item_spans):
            if isinstance(item, Items):
                raise self._misplaced(item)
            if not isinstance(item, Const):
                raise ParseError(_("a tuple holds constants only, such as the shape (2, 3)"), source=self.source,
                                 span=item_span, hint=_("a tuple is a shape, as in reshape(x, (2, 3))"))
        return Items(tuple(item for item in items if isinstance(item, Const)), span)

    def _misplaced(self, value: Any) -> ParseError:
        """A tuple anywhere but where a shape goes: the error, pointing at it."""
        return ParseError(_("a tuple such as {text} is a shape, and only reshape takes one").format(text=value.text),
                          source=self.source, span=value.span,
                          hint=_("write reshape(x, (2, 3)); for the product of two numbers write 2*3"))

    def _param(self, op: Op, pname: str, value: Operand, span: tuple[int, int]) -> Any:
        """A parameter a call gives: the constant itself, or what its kind reads (an axis, a shape,
        a count)."""
        kind = op.param_kind(pname) if op.maths.kinds else None
        if kind == SHAPE:  # (2, 3), or one number, 6
            items: tuple[Value, ...] = value.items if isinstance(value, Items) else (value,)
            sizes = tuple(self._integer(c, value.span if isinstance(value, Items) else span, SHAPE, op)
                          for c in items)
            if not sizes or sizes.count(-1) > 1 or any(n < 1 and n != -1 for n in sizes):
                raise ParseError(_("{name}'s shape takes positive sizes, with one -1 at most (the size that fits), "
                                   "not {shape}").format(name=op.name, shape=shape_text(sizes)),
                                 source=self.source, span=value.span if isinstance(value, Items) else span)
            return sizes
        if isinstance(value, Items):
            raise self._misplaced(value)
        if kind == AXIS:
            return self._integer(value, span, AXIS, op)
        const = self._require_const(op, pname, value, span)
        if isinstance(kind, Whole):
            return self._whole(op, pname, const, span, kind.least)
        return const.value

    def _require_const(self, op: Op, pname: str, value: Value, span: tuple[int, int]) -> Const:
        if not isinstance(value, Const):
            raise ParseError(
                _("{name}'s {pname} must be a constant").format(name=op.name, pname=pname),
                source=self.source,
                span=span,
                hint=_("write e.g. {name}(x, {pname}=0.1)").format(name=op.name, pname=pname),
            )
        return value

    def _whole(self, op: Op, pname: str, value: Const, span: tuple[int, int], least: int) -> float:
        """A count (a stride, a padding, a window's size) as written: its value, or a ParseError
        under it. 1.5 of them, or -1, is a typing error, said here with a caret under it rather
        than as a shape error once the arrays are bound."""
        if not (math.isfinite(value.value) and value.value == int(value.value) and value.value >= least):
            raise ParseError(
                _("{name}'s {pname} must be a whole number, at least {least}, not {value}").format(
                    name=op.name, pname=pname, least=least, value=value.text),
                source=self.source,
                span=span,
                hint=_("write e.g. {name}(..., {pname}={example})").format(
                    name=op.name, pname=pname, example=max(least, 1)),
            )
        return value.value

    # -- the finished graph --

    def finish(self, output_name: str | None) -> Graph:
        """Choose the output, prune what it doesn't need, number and name the nodes."""
        source, env, variables = self.source, self.env, self.variables
        if output_name is not None:
            if output_name in env:
                out = env[output_name]
            elif output_name in variables:
                out = variables[output_name]
            else:
                known = sorted(set(env) | set(variables))
                raise GradtraceError(
                    _("the program has no value named {output_name!r}").format(output_name=output_name),
                    about="output",
                    hint=did_you_mean(output_name, known)
                    or (
                        f"its names are {', '.join(known)}"
                        if known
                        else "name a value with an assignment, e.g. f = x*y"
                    ),
                )
        else:
            out = cast(Value, self.last)
        if isinstance(out, Const):
            span = self.last_span if output_name is None else None
            raise EvaluationError(
                _("the output is the constant {fmt}: there is nothing to differentiate").format(
                    fmt=MESSAGES.number(out.value)),
                source=source if span else None,
                span=span,
                hint=_("use a variable, e.g. x*2, and bind it with -x 3"),
            )
        assert out is not None

        nodes, fanout = _prune(self.created, out)
        pruned = nodes is not self.created
        self.created = []
        # The variables in creation order, which is the nodes' order; those pruned away are unused.
        inputs = [n for n in variables.values() if n.id >= 0] if pruned else list(variables.values())
        unused = [name for name, n in variables.items() if n.id < 0] if pruned else []
        _name_nodes(nodes, out, [(t, n) for t, n in self.versions if n.id >= 0], env, variables)
        env_names = {name: v.name for name, v in env.items() if isinstance(v, Node) and v.id >= 0}
        left_out = [_statement_text(source[a:b]) for (a, b), v in zip(self.statements, self.statement_values)
                    if isinstance(v, Node) and v.id < 0]
        graph = Graph(source, nodes, out, unused, env_names, self.statements, fanout, left_out, inputs)
        graph.notes = self.notes
        return graph


def _one_input(op: Op) -> bool:
    """A gate of one input and no parameters (relu, exp): called with one node, it is made as it
    stands, with no argument to check."""
    return op.arity == 1 and not op.rule_params


def _statement_text(text: str) -> str:
    """A statement on one line, as written but without comments (a # comment inside parentheses
    is inside the statement's span) and with its spacing folded."""
    return " ".join(_COMMENT.sub(" ", text).split())


_COMMENT = re.compile(r"#[^\n]*")


def _fold(source: str, op: Op, args: tuple[Const, ...], params: tuple[Any, ...], text: str, precedence: int,
          span: tuple[int, int], domain: tuple[Op, tuple[Any, ...], tuple[Any, ...]] | None = None) -> Const:
    """Compute a gate on constants at build time; its errors point at the constant's text.
    params may hold Consts (given by the user) or floats (defaults). domain: (op, values, params)
    whose domain applies instead of op's own (a power of two numbers: x^c's)."""
    values = tuple(a.value for a in args)
    params = tuple(p.value if isinstance(p, Const) else p for p in params)
    if domain is None:
        _check_domain(source, op, values, params, span, text)
    else:
        _check_domain(source, *domain, span, text, name=op.name)
    try:
        value = op.apply(scalar, values, params)
    except OverflowError:
        value = math.inf
    except (ArithmeticError, ValueError) as exc:
        raise EvaluationError(
            _("{text} is undefined ({exc})").format(text=text, exc=exc), source=source, span=span
        ) from None
    if not math.isfinite(value):
        raise EvaluationError(
            _("{text} overflows (it is too large for a float)").format(text=text), source=source, span=span
        )
    return Const(float(value), text, precedence, op, args, params)


def _check_domain(source: str, op: Op, values: tuple[Any, ...], params: tuple[Any, ...], span: tuple[int, int],
                  text: str, name: str | None = None) -> None:
    if not op.in_domain(scalar, values, params):
        shown = ", ".join(MESSAGES.number(v) for v in ((*values, *params) if name else values))
        raise EvaluationError(
            _("{text}: {name} needs {needs}, got {shown}").format(
                text=text, name=name or op.name, needs=op.needs(params), shown=shown
            ),
            source=source,
            span=span,
        )


# ---- pruning and naming -----------------------------------------------------------------------

def _prune(created: list[Node], out: Node) -> tuple[list[Node], list[int]]:
    """The nodes the output depends on, in creation (topological) order, numbered from 0, and the
    number of edges leaving each (more than one makes a copy gate). The nodes left out get id -1.

    Usually that is every node: when the output is the last node and every other node feeds a
    later one, all of them lead to the output, and nothing is renumbered. Else one sweep from the
    output backwards marks what it needs."""
    fanout = _fanout(created)
    if out.id == len(created) - 1 and fanout.count(0) == 1:
        return created, fanout
    needed = bytearray(len(created))
    needed[out.id] = 1
    for node in reversed(created[:out.id + 1]):
        if needed[node.id]:
            for i in node.inputs:
                needed[i] = 1
    nodes = list(itertools.compress(created, needed))
    new_id = [-1] * len(created)
    for k, node in enumerate(nodes):
        new_id[node.id] = k
    for node in nodes:
        node.inputs = tuple([new_id[i] for i in node.inputs])
        node.graph_nodes = nodes
    for node in created:
        node.id = new_id[node.id]
    return nodes, _fanout(nodes)


def _fanout(nodes: list[Node]) -> list[int]:
    """Edges leaving each node. A plain loop into a list: twice as quick as a Counter, whose
    every count goes through a dict."""
    counts = [0] * len(nodes)
    for node in nodes:
        for i in node.inputs:
            counts[i] += 1
    return counts


_FIRST = operator.itemgetter(0)
_OP = operator.attrgetter("op")


def _name_nodes(nodes: list[Node], out: Node, versions: list[tuple[str, Node]], env: dict[str, Value],
                variables: dict[str, Node]) -> None:
    """User names first (the last assignment keeps the plain name), then f for an unnamed output,
    then t1, t2, ... in topological order, none of them clashing with the program's names."""
    used = set(env)  # with the variables' names: `variables` itself is checked, not copied

    def taken(name: str) -> bool:
        return name in used or name in variables

    if len(dict(versions)) == len(versions) and not any(map(variables.__contains__, map(_FIRST, versions))):
        # The usual case: each target assigned once, and none of them also an input's name.
        for target, node in versions:
            node.name = target
        versions = []
    by_target: dict[str, list[Node]] = {}
    for target, node in versions:
        by_target.setdefault(target, []).append(node)
    for target, group in by_target.items():
        in_graph = target in variables and variables[target].id >= 0  # a variable of that name is a node
        plain = group[-1] if not in_graph else None
        k = 0
        for node in group:
            if node is plain:
                node.name = target
                continue
            k += 1
            while taken(f"{target}_{k}"):
                k += 1
            node.name = f"{target}_{k}"
            used.add(node.name)
    if not out.name:
        for candidate in ("f", "out"):
            if not taken(candidate):
                out.name = candidate
                break
        else:
            k = 1
            while taken(f"out_{k}"):
                k += 1
            out.name = f"out_{k}"
        used.add(out.name)
    # t1, t2, ...: increasing, so they can only clash with the user's names of that form, which
    # are gathered first (a small set, where a million variables would make each look-up slow).
    clashes = {name for name in itertools.chain(used, variables) if name[:1] == "t" and name[1:].isdigit()}
    counter = 0
    for node in nodes:
        if not node.name:
            counter += 1
            name = f"t{counter}"
            while name in clashes:
                counter += 1
                name = f"t{counter}"
            node.name = name


# ---- writing expressions back out -------------------------------------------------------------

def write_expr(node: Node, nodes: list[Node], text_of: Callable[[Node], str] | None = None) -> str:
    """What a node computes, with its inputs' names ('q * z', 'exp(t3)', 't5 + 1', '-t2'), or with
    whatever text_of gives for each input, such as its value ('3 * -4')."""
    op = node.op
    if op is None:
        return "input"
    if text_of is None:
        infix = op.syntax.infix
        if node.args is _BOTH and infix is not None:  # the common case, x * y: nothing to wrap
            a, b = node.inputs
            return f"{nodes[a].name} {node.spelling or infix} {nodes[b].name}"
        text_of = _name_of
    return expr_from_parts(node, op, [text_of(nodes[node.inputs[a]]) if isinstance(a, int) else a for a in node.args])


def expr_from_parts(node: Node, op: Op, parts: list[Any],
                    keywords: tuple[tuple[str, Const], ...] | None = None) -> str:
    """A gate's expression from its args, each input already written as text (a Const as itself),
    and its keyword parameters (the node's own unless given)."""
    if op is COPY:  # a = x computes x
        return str(parts[0])
    syntax = op.syntax
    if node.spelling is not None and node.spelling == syntax.prefix:
        return f"{syntax.prefix}{parts[0]}"
    if node.spelling is not None and node.spelling == syntax.postfix:
        return f"{parts[0]}{syntax.postfix}"
    if syntax.subscript:  # x[:, 1], as typed
        return f"{parts[0]}[{index_text(node.params[0])}]"
    if syntax.infix is not None and len(parts) == 2:
        symbol = node.spelling or syntax.infix
        left, right = (_wrap(p, symbol, side) for p, side in zip(parts, (False, True)))
        return f"{left} {symbol} {right}"
    texts = [p.text if isinstance(p, Const) else p for p in parts]
    texts += [f"{name}={const.text}" for name, const in (node.keywords if keywords is None else keywords)]
    return f"{node.spelling or op.name}({', '.join(texts)})"


def _name_of(node: Node) -> str:
    return node.name


def _wrap(part: Const | str, symbol: str, right_side: bool) -> str:
    """A constant's text, in parentheses where the operator would otherwise bind it wrongly."""
    if not isinstance(part, Const):
        return part
    prec = _PRECEDENCE.get(symbol, 2)
    binds_first = part.precedence > prec or (part.precedence == prec and right_side == (symbol in _RIGHT_ASSOC))
    return part.text if binds_first else f"({part.text})"
