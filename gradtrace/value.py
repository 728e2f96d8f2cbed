"""micrograd's Value, as a drop-in: the same API and the same numbers, with gradtrace's trace of
the graph one call away.

    >>> from gradtrace import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> q = x + y; q.label = "q"
    >>> f = q * z; f.label = "f"
    >>> f.backward()
    >>> x.grad, y.grad, z.grad
    (-4.0, -4.0, 3.0)
    >>> f.trace().node("q").patterns
    ('distributor',)

micrograd's nn.py (Neuron, Layer, MLP) and its training loops run unchanged on it: only the
import line changes. Where micrograd 0.1.0 has a known flaw, this Value does what a user would
expect instead:

- Children are kept in order, in a tuple (micrograd keeps a set): a*a has two edges, and the
  order in which gradients add up never changes from one run to the next.
- backward() sorts the graph with an explicit stack, not by recursion: a chain 100,000 deep
  works (micrograd's recursion fails near 1,000 levels).
- backward() twice: micrograd adds into every node's .grad, so every gradient doubles. Here a leaf
  (a Value made by Value(...)) adds up its gradients, as in micrograd and PyTorch, so a training
  loop that zeroes .grad between steps works unchanged; every node between the leaves and the
  output gets its gradient afresh from each backward(), and the output gets 1.
- a - b, a / b and -a are a subtraction, a division and a negation (micrograd builds
  a + (b * -1), a * b**-1 and a * -1), and a number in an expression (x + 1, 2 * x) is a constant
  of its gate, not a Value: the graph holds what was written, as gradtrace's text does. The
  numbers agree with micrograd's to the last digit or two (a / b is rounded once, not twice).
- .data is a float: a numpy scalar, an int, a Fraction given to Value() is turned into one.
  x ** c with a negative x and a fractional c is a ValueError, not a complex number, and x ** 0 has
  gradient 0 at x = 0.

Tracing costs nothing until it is asked for: v.trace() (or gradtrace.trace(v)) walks the graph
into gradtrace's and runs gradtrace's own engine on it, from the leaves' current data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import arrays as _arrays
from .core.ops import FUNCTIONS, OPS, Op, scalar
from .i18n import _, ngettext

# Filled in by gradtrace/__init__.py, which imports this module: gradtrace.trace, for Value.trace
# (this module is below the public API and must not import it back).
TRACE: Callable[..., Any] | None = None

_new = object.__new__
_MANY = object()  # in a node's _b: its _a is a tuple of children

# What made a node: an op code per node, read by one loop (_steps), instead of a closure per node.
# The commonest gates come first, since _steps tries them in this order.
(_MUL, _ADD, _MUL_C, _RMUL_C, _ADD_C, _RADD_C, _RELU, _SUB, _NEG, _DIV, _SUB_C, _RSUB_C, _DIV_C, _RDIV_C,
 _POW_C, _RPOW_C, _TANH, _EXP, _OP, _CUSTOM, _LEAF) = range(21)

# code -> (the op table's record, the constant's side: -1 left, 1 right, 0 none); _OP and
# _CUSTOM nodes name their record themselves.
_GATES = {_ADD: ("add", 0), _SUB: ("sub", 0), _MUL: ("mul", 0), _DIV: ("div", 0), _NEG: ("neg", 0),
          _ADD_C: ("add_const", 1), _RADD_C: ("add_const", -1), _SUB_C: ("sub_const", 1),
          _RSUB_C: ("rsub_const", -1), _MUL_C: ("mul_const", 1), _RMUL_C: ("mul_const", -1),
          _DIV_C: ("div_const", 1), _RDIV_C: ("rdiv_const", -1), _POW_C: ("pow_const", 1),
          _RPOW_C: ("rpow_const", -1), _RELU: ("relu", 0), _TANH: ("tanh", 0), _EXP: ("exp", 0)}
_MICROGRAD_OPS = {_ADD: "+", _SUB: "-", _MUL: "*", _DIV: "/", _NEG: "neg", _RELU: "ReLU", _TANH: "tanh", _EXP: "exp"}
_TANH_OP = OPS["tanh"]  # its local gradient is the op table's rule, which keeps its digits for large |x|


class Value(_arrays.Unordered):
    """A scalar and its gradient, as micrograd's Value: Value(data, _children=(), _op='', label='').

    +, -, *, /, ** (with a number as the exponent, or a Value), their reflected forms, unary minus,
    abs(), relu(), tanh(), exp(), and a method for every other function of one input in
    gradtrace's op table (v.sigmoid(), v.log(), ...; gradtrace.sigmoid(v) alike) build the graph;
    backward() fills in .grad; trace() gives gradtrace's trace of the graph."""

    # data, grad and label as micrograd has them. The children are _a and _b: None for a leaf, one
    # child in _a (and None in _b), two in _a and _b, or a tuple of them in _a with _MANY in _b.
    # Two slots rather than a tuple, since every object Python's collector tracks costs a training
    # loop time (_prev, micrograd's attribute, is a property here). _code is what made the node;
    # _c its constant, or what an _OP or _CUSTOM node needs (left unset by the other gates).
    __slots__ = ("_a", "_b", "_c", "_code", "data", "grad", "label")
    _a: Any
    _b: Any
    _c: Any
    _code: int
    data: float
    grad: float
    label: str

    def __init__(self, data: Any, _children: Any = (), _op: str = "", label: str = ""):
        self.data = data if type(data) is float else _number(data)
        self.grad = 0.0
        children = tuple(_children)
        self._a = self._b = None
        self._code = _LEAF
        if children:  # built by hand, as micrograd's own ops build theirs
            for child in children:
                if not isinstance(child, Value):
                    raise TypeError(_("Value's _children are Values, not {kind} ({child!r})").format(
                        kind=type(child).__name__, child=child))
            self._a, self._b = children, _MANY
            self._code = _CUSTOM
        if children or _op:
            self._c = (str(_op), None)
        self.label = label

    # -- micrograd's attributes --

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The node's children, in order (micrograd keeps them in a set)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        if b is _MANY:
            return a
        return (a,) if b is None else (a, b)

    @property
    def _op(self) -> str:
        """What made the node, as micrograd writes it ('+', '*', '**2', 'ReLU'; '' for a leaf)."""
        code = self._code
        if code in _MICROGRAD_OPS:
            return _MICROGRAD_OPS[code]
        if code == _POW_C:
            return f"**{self._c}"
        if code == _LEAF or code == _CUSTOM:
            try:
                return str(self._c[0])
            except AttributeError:  # a leaf made with no _op
                return ""
        if code == _OP:
            return str(self._c[0].name)
        op = OPS[_GATES[code][0]]
        return op.text.label.replace("{c}", str(self._c))

    @property
    def _backward(self) -> Callable[[], None]:
        """This node's step of backpropagation, as micrograd's closure: adds its upstream gradient
        times each local gradient into its children's .grad. backward() runs one per node."""
        return lambda: _steps((self,))

    @_backward.setter
    def _backward(self, function: Callable[[], None]) -> None:
        # A node made by hand whose step is the user's own closure, as micrograd's ops make theirs.
        self._c = (self._op, function)
        self._a, self._b = self._prev, _MANY
        self._code = _CUSTOM

    # -- building the graph: each op makes one node, with no closure and no wrapped constant --

    def __add__(self, other: Any) -> Value:
        out = _new(Value)
        if type(other) is Value or isinstance(other, Value):
            out.data = self.data + other.data
            out._a = self
            out._b = other
            out._code = _ADD
        else:
            c = other if type(other) is float or type(other) is int else _constant(other)
            if c is None:
                return NotImplemented
            out.data = self.data + c
            out._a = self
            out._b = None
            out._code = _ADD_C
            out._c = c
        out.grad = 0.0
        out.label = ""
        return out

    def __radd__(self, other: Any) -> Value:  # other + self, other a number
        c = other if type(other) is float or type(other) is int else _constant(other)
        if c is None:
            return NotImplemented
        out = _new(Value)
        out.data = c + self.data
        out._a = self
        out._b = None
        out._code = _RADD_C
        out._c = c
        out.grad = 0.0
        out.label = ""
        return out

    def __mul__(self, other: Any) -> Value:
        out = _new(Value)
        if type(other) is Value or isinstance(other, Value):
            out.data = self.data * other.data
            out._a = self
            out._b = other
            out._code = _MUL
        else:
            c = other if type(other) is float or type(other) is int else _constant(other)
            if c is None:
                return NotImplemented
            out.data = self.data * c
            out._a = self
            out._b = None
            out._code = _MUL_C
            out._c = c
        out.grad = 0.0
        out.label = ""
        return out

    def __rmul__(self, other: Any) -> Value:  # other * self
        c = other if type(other) is float or type(other) is int else _constant(other)
        if c is None:
            return NotImplemented
        out = _new(Value)
        out.data = c * self.data
        out._a = self
        out._b = None
        out._code = _RMUL_C
        out._c = c
        out.grad = 0.0
        out.label = ""
        return out

    def __sub__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _node(self.data - other.data, self, other, _SUB)
        c = _constant(other)
        return NotImplemented if c is None else _node(self.data - c, self, None, _SUB_C, c)

    def __rsub__(self, other: Any) -> Value:  # other - self
        c = _constant(other)
        return NotImplemented if c is None else _node(c - self.data, self, None, _RSUB_C, c)

    def __truediv__(self, other: Any) -> Value:
        if isinstance(other, Value):
            return _node(self.data / other.data, self, other, _DIV)
        c = _constant(other)
        return NotImplemented if c is None else _node(self.data / c, self, None, _DIV_C, c)

    def __rtruediv__(self, other: Any) -> Value:  # other / self
        c = _constant(other)
        return NotImplemented if c is None else _node(c / self.data, self, None, _RDIV_C, c)

    def __pow__(self, other: Any) -> Value:
        if isinstance(other, Value):  # x ** y: the pow gate, whose base must be positive
            return _apply(OPS["pow"], (self, other), ())
        c = _constant(other)
        if c is None:
            return NotImplemented
        out = self.data ** c
        if type(out) is complex:
            raise ValueError(_("{x!r} ** {c!r} is not a real number: a negative base to a fractional power has "
                               "none").format(x=self.data, c=c))
        return _node(out, self, None, _POW_C, c)

    def __rpow__(self, other: Any) -> Value:  # other ** self: c^x, for a positive c
        c = _constant(other)
        if c is None:
            return NotImplemented
        if not c > 0:
            raise ValueError(_("{c!r} ** x needs a positive base, since its gradient is ln({c!r})·{c!r}^x").format(c=c))
        return _node(c ** self.data, self, None, _RPOW_C, c)

    def __neg__(self) -> Value:
        return _node(-self.data, self, None, _NEG)

    def __abs__(self) -> Value:
        return _apply(OPS["abs"], (self,), ())

    def relu(self) -> Value:
        out = _new(Value)
        d = self.data
        out.data = d if d >= 0.0 else 0.0  # the op table's maximum(x, 0)
        out._a = self
        out._b = None
        out._code = _RELU
        out.grad = 0.0
        out.label = ""
        return out

    def tanh(self) -> Value:
        return _node(math.tanh(self.data), self, None, _TANH)

    def exp(self) -> Value:
        return _node(math.exp(self.data), self, None, _EXP)

    # -- backpropagation --

    def backward(self) -> None:
        """Every gradient ∂self/∂node, into each node's .grad: a leaf's adds up over calls (zero
        it between training steps, as with micrograd), every other node's is set afresh."""
        order = _order(self)
        if self._a is not None:
            self.grad = 1.0
        else:  # a leaf is its own output: ∂v/∂v = 1, added as a leaf's gradients are
            self.grad += 1.0
        _steps(reversed(order))

    # -- gradtrace's insight --

    def trace(self, **options: Any) -> Any:
        """gradtrace's Trace of this Value's graph (gradtrace.trace(v) alike): every node's value and
        its upstream, local and downstream gradients, recomputed from the leaves' current data.
        Leaves and nodes are named by their label where it is a name, otherwise v1, v2, ... and
        t1, t2, ...; options are trace()'s (check=True, expect={...}, mode="symbolic", lang="ko")."""
        assert TRACE is not None, "gradtrace/__init__.py sets TRACE when gradtrace is imported"
        return TRACE(self, **options)

    def _gate(self) -> tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]] | None:
        """What made the node, for walking the graph into gradtrace's (core/from_value.py): None for
        a leaf, else (the op table's name, the arguments as written, Values and numbers in order,
        the keyword parameters given)."""
        code = self._code
        if code == _LEAF:
            return None
        if code == _OP:
            op, _params, written, keywords = self._c
            return op.name, written, keywords
        if code == _CUSTOM:
            return _custom_gate(self) if self._a else None
        name, side = _GATES[code]
        if side == 0:
            return name, self._prev, ()
        return name, ((self._c, self._a) if side < 0 else (self._a, self._c)), ()

    # -- what a Value is not --

    def __float__(self) -> float:
        raise TypeError(_no_float(self))

    @staticmethod
    def _compared(symbol: str) -> TypeError:
        """v < 0, max(v, 0), sorted([...]): refused (arrays.Unordered), naming what to write instead."""
        return TypeError(_no_comparison(symbol))

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _node(data: float, a: Any, b: Any, code: int, c: Any = None) -> Value:
    out = _new(Value)
    out.data = data
    out._a = a
    out._b = b
    out._code = code
    if c is not None:
        out._c = c
    out.grad = 0.0
    out.label = ""
    return out


def _number(data: Any) -> float:
    """Value()'s data as a float; what is not a real number is a TypeError."""
    if isinstance(data, Value):
        raise TypeError(_("Value() takes a number, and {data!r} is a Value already").format(data=data))
    if isinstance(data, (str, bytes)) or not hasattr(type(data), "__float__"):
        raise TypeError(_("Value() takes a real number, not {kind} ({data!r})").format(kind=type(data).__name__,
                                                                                       data=data))
    return float(data)


def _constant(other: Any) -> Any:
    """A number in an expression with a Value (x + 1, 2 * x): an int or a float as written, any
    other real number (numpy's, a Fraction) as a float; None for what is not a number."""
    kind = type(other)
    if kind is float or kind is int:
        return other
    if kind is bool:
        return int(other)
    if isinstance(other, (str, bytes, Value, complex)) or not hasattr(kind, "__float__") \
            or getattr(other, "shape", ()) != ():  # an array is not one number
        return None
    return float(other)


# ---- backpropagation ----------------------------------------------------------------------------

def _order(root: Value) -> list[Value]:
    """The gates that lead to root, inputs before the gates that use them (leaves have no step to
    run); each one's .grad is set to 0 on the way, so that it is computed afresh. An explicit
    stack, not recursion: a chain 100,000 deep is no different from a short one."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    push, pop, emit, visited, visit = stack.append, stack.pop, order.append, seen.__contains__, seen.add
    while stack:
        v, done = pop()
        if done:
            emit(v)
            continue
        if visited(v):
            continue
        visit(v)
        a = v._a
        if a is None:  # a leaf
            continue
        v.grad = 0.0
        push((v, True))
        b = v._b
        if b is None:
            if not visited(a):
                push((a, False))
        elif b is _MANY:
            for child in a:
                if not visited(child):
                    push((child, False))
        else:
            if not visited(b):
                push((b, False))
            if not visited(a):
                push((a, False))
    return order


def _steps(nodes: Any) -> None:
    """Each node's step of backpropagation, in the order given: each child's .grad += local
    gradient × the node's .grad, with the op table's local gradients (written out here for the
    commonest gates). One loop for the whole graph: no call per node, no closure per node."""
    for v in nodes:
        code = v._code
        g = v.grad
        if code == _MUL:
            a, b = v._a, v._b
            a.grad += b.data * g
            b.grad += a.data * g
        elif code == _ADD:
            v._a.grad += g
            v._b.grad += g
        elif code == _MUL_C or code == _RMUL_C:
            v._a.grad += v._c * g
        elif code == _ADD_C or code == _RADD_C:
            v._a.grad += g
        elif code == _RELU:
            a = v._a
            a.grad += g if a.data > 0 else 0.0 * g
        elif code == _SUB:
            v._a.grad += g
            v._b.grad += -g
        elif code == _NEG:
            v._a.grad += -g
        elif code == _DIV:
            a, b = v._a, v._b
            a.grad += 1.0 / b.data * g
            b.grad += -(a.data / b.data) / b.data * g
        elif code == _SUB_C:
            v._a.grad += g
        elif code == _RSUB_C:
            v._a.grad += -g
        elif code == _DIV_C:
            v._a.grad += 1.0 / v._c * g
        elif code == _RDIV_C:
            a = v._a
            a.grad += -(v._c / a.data) / a.data * g
        elif code == _POW_C:
            a, c = v._a, v._c
            a.grad += (c * a.data ** (c - 1) if c != 0 else 0.0) * g
        elif code == _RPOW_C:
            v._a.grad += math.log(v._c) * v.data * g
        elif code == _TANH:
            a = v._a
            a.grad += _TANH_OP.local(scalar, v.data, (a.data,), ())[0] * g
        elif code == _EXP:
            v._a.grad += v.data * g
        elif code == _OP:
            op, params, _written, _keywords = v._c
            children = v._a
            for child, local in zip(children, op.local(scalar, v.data, [c.data for c in children], params)):
                child.grad += local * g
        elif code == _CUSTOM:
            function = v._c[1]
            if function is not None:
                function()


# ---- gradtrace's functions, on Values and numbers -------------------------------------------------

def _apply(op: Op, args: tuple[Any, ...], keywords: tuple[tuple[str, Any], ...]) -> Any:
    """op on its arguments as written (Values and numbers; a variadic op's numbers are its
    constants) and its keyword parameters: a Value if any argument is one, else a float."""
    given = dict(keywords)
    params: tuple[Any, ...]
    if op.variadic:
        inputs = tuple(a for a in args if isinstance(a, Value))
        params = (tuple(a for a in args if not isinstance(a, Value)),)
        values = [a.data for a in inputs]
        if not inputs:
            values, params = list(params[0]), ((),)
    else:
        inputs = args
        params = tuple(given.get(name, default) for name, default in op.keyword_params)
        values = [a.data if isinstance(a, Value) else a for a in args]
    if not op.in_domain(scalar, values, params):
        shown = ", ".join(f"{x:.6g}" for x in values)
        raise ValueError(_("{name} needs {needs}, got {shown}").format(name=op.name, needs=op.needs(params),
                                                                       shown=shown))
    out = float(op.apply(scalar, values, params))
    if not any(isinstance(a, Value) for a in args):
        return out
    node = _node(out, tuple(inputs), _MANY, _OP)
    node._c = (op, params, args, keywords)
    return node


def _function(name: str, op: Op) -> Callable[..., Any]:
    """gradtrace.<name>: the op on Values (a node of the graph) and on numbers (a float)."""
    fast = {"relu": Value.relu, "tanh": Value.tanh, "exp": Value.exp}.get(op.name)
    params = dict(op.keyword_params)

    def function(*args: Any, **keywords: Any) -> Any:
        if fast is not None and len(args) == 1 and not keywords and isinstance(args[0], Value):
            return fast(args[0])
        if op.arrays_only or any(map(_arrays.is_array, args)):
            return _arrays.call(name, op, args, keywords)
        if op.name == "pow":
            if len(args) != 2 or keywords:
                raise TypeError(_("{name}() takes 2 arguments, x and y (x ** y), got {count}").format(
                    name=name, count=len(args) + len(keywords)))
            x, y = (_argument(name, a) for a in args)
            if isinstance(x, Value) or isinstance(y, Value):
                return x ** y
            return _pow_numbers(x, y)
        written = [_argument(name, a) for a in args]
        if op.variadic:
            if len(written) < 2 or keywords:
                raise TypeError(_("{name}() takes two or more arguments (Values or numbers) and no keywords, got "
                                  "{count} and {keywords}").format(name=name, count=len(written),
                                                                   keywords=", ".join(keywords) or _("none")))
            return _apply(op, tuple(written), ())
        given = op.bind(name, written, keywords)
        for key, value in given.items():
            if isinstance(value, Value) or _constant(value) is None:
                raise TypeError(_("{name}()'s {key} is a constant: a number, not {kind}").format(
                    name=name, key=key, kind=type(value).__name__))
        missing = [key for key, default in params.items() if default is None and key not in given]
        if missing:
            raise TypeError(_("{name}() needs {missing}, e.g. {name}(x, {example})").format(
                name=name, missing=" and ".join(missing), example=", ".join(missing)))
        keys = tuple((key, _constant(given[key])) for key in params if key in given)
        return _apply(op, tuple(written[:op.arity]), keys)

    function.__name__ = function.__qualname__ = name
    function.__module__ = "gradtrace"
    notes = f" {op.text.notes}" if op.text.notes else ""
    signature = ", ".join(["x", *(f"{key}={default}" for key, default in params.items())]) \
        if not op.variadic and op.name != "pow" else ("x, y" if op.name == "pow" else "x, y, ...")
    function.__doc__ = (f"{name}({signature}): gradtrace's {op.name} gate, on gradtrace Values (a node of their "
                        f"graph) and on numbers (a float).{notes}")
    return function


def _argument(name: str, a: Any) -> Any:
    if isinstance(a, Value):
        return a
    c = _constant(a)
    if c is None:
        raise TypeError(_("{name}() takes Values and real numbers, not {kind} ({value!r})").format(
            name=name, kind=type(a).__name__, value=a))
    return c


def _pow_numbers(x: Any, y: Any) -> float:
    op = OPS["pow_const"]
    if not op.in_domain(scalar, (x,), (y,)):
        raise ValueError(_("pow needs {needs}, got {x!r} ** {y!r}").format(needs=op.needs((y,)), x=x, y=y))
    return float(op.apply(scalar, (x,), (y,)))


def functions() -> dict[str, Callable[..., Any]]:
    """gradtrace's functions on Values, numbers and arrays, one per function of the op table (and
    its other names: ln, arctan, σ), e.g. gradtrace.sigmoid, gradtrace.relu, gradtrace.affine; the
    array functions (gradtrace.sum, gradtrace.conv2d, ...) take arrays only."""
    return {name: _function(name, op) for name, op in sorted(FUNCTIONS.items()) if name.isidentifier()}


def _method(op: Op) -> Callable[..., Any]:
    def method(self: Value, *params: Any, **keywords: Any) -> Any:
        return FUNCTION[op.name](self, *params, **keywords)

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"gradtrace.{op.name}(self): {op.text.notes or op.name}"
    return method


FUNCTION = functions()
for _name, _op in sorted(OPS.items()):  # v.sigmoid(), v.log(), ...: numpy's ufuncs call these too
    if _op.arity == 1 and _op.syntax.callable and not _op.arrays_only and not hasattr(Value, _name):
        setattr(Value, _name, _method(_op))
del _name, _op


def _custom_gate(v: Value) -> tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]]:
    """A node made by hand, Value(data, (a, b), '+'), read by its _op as micrograd writes them
    ('+', '*', '**2', 'ReLU', 'tanh', 'exp') or an op table function's name ('sigmoid')."""
    text, prev = str(v._c[0]), v._prev
    n = len(prev)
    if text in ("+", "*", "-", "/") and n == 2:
        return {"+": "add", "*": "mul", "-": "sub", "/": "div"}[text], prev, ()
    if text.startswith("**") and n == 1:
        try:
            c = float(text[2:])
        except ValueError:
            c = None
        if c is not None and math.isfinite(c):
            return "pow_const", (prev[0], int(c) if c.is_integer() and "." not in text else c), ()
    name = "relu" if text == "ReLU" else text
    op = FUNCTIONS.get(name)
    if op is not None and not op.arrays_only and (op.arity == n or (op.variadic and n >= 2)) \
            and not any(default is None for _key, default in op.keyword_params):
        return op.name, prev, ()
    raise ValueError(ngettext("a Value made by hand with _op={op!r} and {count} child has no gate in gradtrace's op "
                              "table", "a Value made by hand with _op={op!r} and {count} children has no gate in "
                              "gradtrace's op table", n).format(op=text, count=n)
                     + _(" (it knows '+', '*', '-', '/', '**c', 'ReLU' and its functions by name, such as 'tanh' or "
                         "'sigmoid'): build it with Value's operators and gradtrace's functions to trace it"))


# ---- a Value is not a float ----------------------------------------------------------------------

def _no_float(v: Value) -> str:
    """Why float(v) and math.exp(v) can't work, naming gradtrace's function to call instead."""
    called = _caller_function()
    name = called.rpartition(".")[2] if called else ""
    if name == "fabs":
        name = "abs"
    use = _("use gradtrace.{name}(v) instead of {called}(v), or ").format(name=name, called=called) \
        if name in FUNCTION else ""
    return _("a Value can't become a float without losing its graph (and with it backward() and the trace): {use}use "
             "gradtrace's functions on Values (gradtrace.exp, gradtrace.log, gradtrace.sqrt, gradtrace.sigmoid, ...) "
             "or Value's methods (v.exp(), v.tanh()), or v.data for the number alone").format(use=use)


def _no_comparison(op: str) -> str:
    return _("Values can't be compared with {op}: a comparison has no gradient, and a branch on it would "
             "trace only the branch taken; compare the numbers (v.data {op} 0), or use a gate that compares: "
             "gradtrace.max(v, 0), gradtrace.min, v.relu(), gradtrace.abs(v)").format(op=op)


def _caller_function() -> str:
    """The name of the function whose call asked a Value for its float (math.exp), read from the
    calling line's source; '' when it can't be found."""
    import linecache
    import re
    import sys

    try:
        frame = sys._getframe(3)  # _caller_function, _no_float, __float__, then the caller
        positions = list(frame.f_code.co_positions())
        line, end_line, col, end_col = positions[frame.f_lasti // 2]
        if line is None or col is None or end_col is None or line != end_line:
            return ""
        text = linecache.getline(frame.f_code.co_filename, line)[col:end_col]
    except (AttributeError, IndexError, ValueError):
        return ""
    found = re.match(r"\s*([A-Za-z_][\w.]*)\s*\(", text)
    return found.group(1) if found else ""


# ---- tracing a Python function ---------------------------------------------------------------------

def call(function: Callable[..., Any], values: dict[str, Any], arrays: bool = False) \
        -> tuple[Any, list[Any], str | None]:
    """Call the user's own function with a Value for each parameter, named after it: (the Value it
    returned, the parameters' Values in its order, the function's name to give the output).
    gradtrace.trace(f, x=-2, y=5) comes here with the bindings as floats; with arrays=True (a
    binding is an array) the parameters are traced arrays (gradtrace/arrays.py), and so is what
    it returns."""
    leaf: Callable[..., Any] = _arrays.Array if arrays else Value
    kinds: tuple[type, ...] = (_arrays.Array,) if arrays else (Value,)
    import inspect

    name = getattr(function, "__name__", "")
    named = isinstance(name, str) and name.isidentifier()
    title, example = (f"{name}()", name) if named else (_("the function"), "f")
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # a builtin whose signature Python can't read
        raise TypeError(_("Python can't read the parameters of {title}, and trace() calls it with a Value for each: "
                          "wrap it, e.g. trace(lambda x: {example}(x), x=1)").format(title=title, example=example)) \
            from None
    positional: list[Any] = []
    keyword: dict[str, Any] = {}
    parameters: list[Value] = []
    missing: list[str] = []
    rest = False
    star = None  # the name of *args: trace() binds by name, so nothing ever lands there
    names: list[str] = []
    for p in signature.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            rest = True
            continue
        if p.kind is p.VAR_POSITIONAL:
            star = p.name
            continue
        names.append(p.name)
        if p.name in values:
            made = leaf(values[p.name], label=p.name)
            parameters.append(made)
            if p.kind is p.POSITIONAL_ONLY:
                positional.append(made)
            else:
                keyword[p.name] = made
        elif p.default is p.empty:
            missing.append(p.name)
        elif p.kind is p.POSITIONAL_ONLY:
            positional.append(p.default)  # so that a later positional-only parameter lands in its place
    unknown = [key for key in values if key not in names]
    if unknown and not rest and star is not None and not names:  # f(*args) alone
        raise TypeError(_("{title} takes *{star}, and trace() binds each value to a parameter by its name: give the "
                          "function named parameters, e.g. def {example}({name}): ..., or wrap it, "
                          "trace(lambda {name}: {example}({name}), {name}=...)").format(
            title=title, star=star, example=example, name=unknown[0]))
    if unknown and not rest:
        raise TypeError(_("{title} has no parameter {name!r}: its parameters are {names}").format(
            title=title, name=unknown[0], names=", ".join(names) or _("none")))
    for key in unknown:  # **kwargs takes them
        made = leaf(values[key], label=key)
        parameters.append(made)
        keyword[key] = made
    if missing or not parameters:
        wanted = missing or names or ["x"]
        what = _("{title} needs a value for {names}").format(title=title, names=", ".join(wanted))
        raise TypeError(_("{what}: trace() calls it with a Value for each parameter, e.g. trace({example}, "
                          "{bindings})").format(what=what, example=example,
                                                bindings=", ".join(f"{key}=1" for key in wanted)))
    result = _intercepting(function)(*positional, **keyword)
    if not isinstance(result, kinds):
        kind = type(result).__name__
        if result is None:
            raise TypeError(_("{title} returned None: it must return what it computes (is its return statement "
                              "missing?)").format(title=title))
        if arrays and not isinstance(result, (list, tuple)):
            raise TypeError(_("{title} returned a {kind}, not a traced array: trace() traces what a function computes "
                              "from its array parameters with numpy's operators and functions and gradtrace's (.data "
                              "and np.asarray() leave the graph)").format(title=title, kind=kind))
        if isinstance(result, (list, tuple)) and arrays:
            raise TypeError(_("{title} returned a {kind}: trace() traces one output, a traced array; trace each one "
                              "on its own").format(title=title, kind=kind))
        if isinstance(result, (list, tuple)):
            raise TypeError(_("{title} returned a {kind}: trace() traces one output, a Value; trace each one on its "
                              "own").format(title=title, kind=kind))
        if _constant(result) is not None:
            raise TypeError(_("{title} returned the number {value!r}, not a Value: what it returns must be computed "
                              "from its parameters with Value's operators and gradtrace's functions (.data and "
                              "float() leave the graph)").format(title=title, value=result))
        raise TypeError(_("{title} returned a {kind}, not a Value: trace() traces what a function computes from its "
                          "parameters with Value's operators and gradtrace's functions").format(title=title, kind=kind))
    return result, parameters, name if named else None


def _intercepting(function: Callable[..., Any]) -> Callable[..., Any]:
    """The function, made to call gradtrace's functions where its own code calls math's (math.exp(x)
    or exp(x) after from math import exp): a copy of it with those global names rebound. Only its
    own code is changed, and only when it assigns no global, so what it does stays the same; what
    it calls keeps math's, whose float(v) then says which gradtrace function to use."""
    import types

    bound = getattr(function, "__self__", None)
    plain = getattr(function, "__func__", function)
    code, scope = getattr(plain, "__code__", None), getattr(plain, "__globals__", None)
    if not isinstance(plain, types.FunctionType) or code is None or scope is None:
        return function
    swaps = {}
    for name in _global_names(code):
        found = scope.get(name)
        title = getattr(found, "__name__", "")
        if found is math:
            swaps[name] = _math_module()
        elif found is not None and getattr(math, title, None) is found and title in _math_functions():
            swaps[name] = _math_functions()[title]
    if not swaps or _writes_globals(code):
        return function
    assert isinstance(plain, types.FunctionType)
    copy = types.FunctionType(code, {**scope, **swaps}, plain.__name__, plain.__defaults__, plain.__closure__)
    copy.__kwdefaults__ = plain.__kwdefaults__
    return types.MethodType(copy, bound) if bound is not None and plain is not function else copy


def _global_names(code: Any) -> set[str]:
    """The names a code object and the code nested in it (lambdas, comprehensions) may look up."""
    names: set[str] = set()
    work = [code]
    while work:
        c = work.pop()
        names.update(c.co_names)
        work.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return names


def _writes_globals(code: Any) -> bool:
    import dis

    work = [code]
    while work:
        c = work.pop()
        if any(i.opname in ("STORE_GLOBAL", "DELETE_GLOBAL") for i in dis.get_instructions(c)):
            return True
        work.extend(k for k in c.co_consts if hasattr(k, "co_names"))
    return False


_MATH_FUNCTIONS: dict[str, Callable[..., Any]] = {}
_MATH_MODULE: list[Any] = []


def _math_functions() -> dict[str, Callable[..., Any]]:
    """math's functions that gradtrace has, each calling math's own on numbers (the same results,
    the same errors) and gradtrace's on Values."""
    if not _MATH_FUNCTIONS:
        for name in sorted(set(FUNCTION) | {"fabs"}):
            original = getattr(math, name, None)
            if callable(original):
                _MATH_FUNCTIONS[name] = _on_values(original, FUNCTION["abs" if name == "fabs" else name])
    return _MATH_FUNCTIONS


def _on_values(original: Callable[..., Any], ours: Callable[..., Any]) -> Callable[..., Any]:
    def function(*args: Any) -> Any:
        if not any(isinstance(a, (Value, _arrays.Array)) for a in args):
            return original(*args)
        if original is math.log and len(args) == 2:  # math.log(x, base)
            return ours(args[0]) / (ours(args[1]) if isinstance(args[1], Value) else math.log(args[1]))
        return ours(*args)

    function.__name__ = function.__qualname__ = original.__name__
    function.__doc__ = original.__doc__
    return function


def _math_module() -> Any:
    """A stand-in for the math module whose functions gradtrace has work on Values too."""
    import types

    if not _MATH_MODULE:
        module = types.ModuleType("math", math.__doc__)
        module.__dict__.update({name: getattr(math, name) for name in dir(math) if not name.startswith("__")})
        module.__dict__.update(_math_functions())
        _MATH_MODULE.append(module)
    return _MATH_MODULE[0]
