"""Tracing a Python function of arrays: an array that records what is computed from it.

gradtrace.trace(f, W=np.array(...), x=np.array(...)) calls f with an Array for each binding. An
Array holds a float64 numpy array, as a Value holds a float, and each operation on it makes one
node of a graph, recorded as the op table's gate and the arguments as written: @, +, -, *, /, **,
unary minus, .T, .sum(axis=...), .mean(...), .reshape(...), x[0] and x[:, 1], gradtrace's array
functions (gradtrace.relu, gradtrace.affine, ...) and the numpy functions the op table has
(np.exp, np.maximum, np.sum, np.matmul, ...). The output is computed by the op table's own rules
on the numpy backend, so f can look at shapes and values; core/from_value.py then writes the graph
as the program it is, which the parser's builder turns into the same graph the text makes.

A number in an expression (2 * W, x + 1) is a constant of its gate, as in the text; a plain numpy
array (or list) is an input of its own, named v1, v2, ... (the text has no array constants).
numpy is imported only when an Array is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .core.ops import AXIS, FUNCTIONS, INFIX, OPS, SHAPE, SUBSCRIPT, Op
from .i18n import _

Gate = tuple[str, tuple[Any, ...], tuple[tuple[str, Any], ...]]

# numpy's ufuncs that are one of the language's operators, and those that are a function of the op
# table by another name; every other ufunc whose name is an op table function is that function.
_UFUNC_OPERATORS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "true_divide": "/",
                    "power": "**", "float_power": "**", "matmul": "@"}
_UFUNC_FUNCTIONS = {"absolute": "abs", "fabs": "abs", "arctan": "atan", "maximum": "max",
                    "minimum": "min", "fmax": "max", "fmin": "min"}
# numpy functions (np.sum(x), not ufuncs) and the gates they are.
_NUMPY_FUNCTIONS = {"sum": "sum", "mean": "mean", "matmul": "@", "dot": "dot", "transpose": ".T",
                    "reshape": "reshape"}


class Unfit(ValueError):
    """An operation whose inputs don't fit it (shapes, a domain): it carries the node it would have
    made, so that trace() can build the graph up to it and say what the text form says, naming the
    node and pointing at it."""

    def __init__(self, node: Array, detail: str):
        super().__init__(detail)
        self.node = node


class Unordered:
    """No <, <=, >, >= for a traced value (an Array, a Value): a comparison has no gradient, and a
    branch on one would trace only the gates of the branch taken. Without these, x > 0 was Python's
    bare "'>' not supported"; each class's _compared says what to write instead."""

    __slots__ = ()

    @staticmethod
    def _compared(symbol: str) -> TypeError:
        raise NotImplementedError

    def __lt__(self, other: Any) -> bool:
        raise self._compared("<")

    def __le__(self, other: Any) -> bool:
        raise self._compared("<=")

    def __gt__(self, other: Any) -> bool:
        raise self._compared(">")

    def __ge__(self, other: Any) -> bool:
        raise self._compared(">=")


class Array(Unordered):
    """A float64 numpy array in a traced function, and how it was computed: an input (a binding or
    an array constant) or a gate of the op table applied to Arrays and numbers."""

    __slots__ = ("_made", "data", "label")
    # numpy's operators and functions hand an Array to its own methods (ndarray + Array is
    # Array.__radd__'s), so a numpy array never swallows one as an object element.
    __array_priority__ = 1000

    def __init__(self, data: Any, label: str = ""):
        self.data = _float64(data)
        self.label = label
        self._made: Gate | None = None

    # -- what the walk into gradtrace's graph reads (core/from_value.py's Node) --

    def _gate(self) -> Gate | None:
        return self._made

    # -- numpy's attributes --

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)

    @property
    def ndim(self) -> int:
        return int(self.data.ndim)

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def dtype(self) -> Any:
        return self.data.dtype

    @property
    def T(self) -> Array:
        return apply(OPS["transpose"], (self,), (), ".T")

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError(_("len() of a 0-d array"))
        return self.shape[0]

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self)))

    def __getattr__(self, name: str) -> Any:
        # Only for what Array lacks: ndarray's other methods (.item(), .astype(), .max()) have no gate.
        if name.startswith("_"):
            raise AttributeError(f"'Array' object has no attribute {name!r}")
        raise AttributeError(_("a traced array has no .{name}: its methods with a gate are .sum(), .mean(), "
                               ".reshape(), .transpose() and .T, and .data is the numbers alone, off the "
                               "graph").format(name=name))

    def __repr__(self) -> str:
        text = repr(self.data).replace("\n", "\n" + " " * 6)
        return f"Array({text[6:-1] if text.startswith('array(') else text})"

    # -- the operators --

    def __add__(self, other: Any) -> Any:
        return binary("+", self, other)

    def __radd__(self, other: Any) -> Any:
        return binary("+", other, self)

    def __sub__(self, other: Any) -> Any:
        return binary("-", self, other)

    def __rsub__(self, other: Any) -> Any:
        return binary("-", other, self)

    def __mul__(self, other: Any) -> Any:
        return binary("*", self, other)

    def __rmul__(self, other: Any) -> Any:
        return binary("*", other, self)

    def __truediv__(self, other: Any) -> Any:
        return binary("/", self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return binary("/", other, self)

    def __pow__(self, other: Any) -> Any:
        return binary("**", self, other)

    def __rpow__(self, other: Any) -> Any:
        return binary("**", other, self)

    def __matmul__(self, other: Any) -> Any:
        return binary("@", self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return binary("@", other, self)

    def __neg__(self) -> Array:
        return apply(OPS["neg"], (self,), ())

    def __pos__(self) -> Array:
        return self

    def __abs__(self) -> Array:
        return apply(OPS["abs"], (self,), ())

    # -- numpy's methods --

    def sum(self, axis: Any = None, **options: Any) -> Array:
        return _reduce("sum", self, axis, options)

    def mean(self, axis: Any = None, **options: Any) -> Array:
        return _reduce("mean", self, axis, options)

    def reshape(self, *shape: Any, **options: Any) -> Array:
        if options:
            raise TypeError(_("reshape() takes the shape alone, not {names}").format(names=", ".join(options)))
        sizes = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return apply(OPS["reshape"], (self,), (("shape", _shape(sizes)),))

    def transpose(self, *axes: Any) -> Array:
        if axes and not (len(axes) == 1 and axes[0] is None):
            raise TypeError(_("transpose() with axes is not a gate of gradtrace's: x.T reverses all the axes"))
        return self.T

    def __getitem__(self, key: Any) -> Array:
        return apply(SUBSCRIPT, (self,), (("index", _index(key)),))

    # -- what an Array is not --

    def __float__(self) -> float:
        raise TypeError(_("an Array can't become a float without losing its graph: use gradtrace's functions on it "
                          "(gradtrace.exp, gradtrace.relu, gradtrace.sum, ...) or numpy's (np.exp, np.sum), or "
                          ".data for the numbers alone"))

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        # np.asarray(x) would make numbers of it, or an array of objects, and leave the graph silently.
        raise TypeError(_("a traced array can't become a plain numpy array without losing its graph: use .data for "
                          "the numbers alone"))

    def __bool__(self) -> bool:
        raise TypeError(_("an Array is not true or false: comparing traced arrays (x > 0) is not a gate of "
                          "gradtrace's; use gradtrace.relu, gradtrace.max or gradtrace.heaviside"))

    @staticmethod
    def _compared(symbol: str) -> TypeError:
        """x > 0 on a traced array: a comparison is no gate, and says what to write instead."""
        return TypeError(_("a comparison ({symbol}) of a traced array is not a gate of gradtrace's, and has no "
                           "gradient: use np.maximum(x, 0) or gradtrace.relu(x) for relu, or compare x.data, the "
                           "numbers alone (x * (x.data > 0) keeps x on the graph)").format(symbol=symbol))

    # -- numpy's ufuncs and functions, called on an Array --

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = getattr(ufunc, "__name__", str(ufunc))
        if method != "__call__" or kwargs:
            extra = ", ".join(kwargs) if method == "__call__" else f"np.{name}.{method}"
            raise TypeError(_("numpy.{name} on a traced array takes its inputs alone, not {extra}").format(
                name=name, extra=extra))
        symbol = _UFUNC_OPERATORS.get(name)
        if symbol is not None and len(inputs) == 2:
            return binary(symbol, *inputs)
        if name == "positive" and len(inputs) == 1:
            return inputs[0]
        if name == "negative" and len(inputs) == 1:  # -x, the neg gate the prefix minus writes
            return -_operand(inputs[0])
        op = FUNCTIONS.get(_UFUNC_FUNCTIONS.get(name, name))
        if op is None or not (op.variadic or op.arity == len(inputs)) or (op.maths.params and not op.variadic):
            raise _unsupported(f"numpy.{name}")
        return call(op.name, op, inputs, {})

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        name = getattr(func, "__name__", str(func))
        gate = _NUMPY_FUNCTIONS.get(name)
        if gate is None:  # np.max is the largest element: not gradtrace.max, which is elementwise
            raise _unsupported(f"numpy.{name}", reduction=name in ("max", "min", "amax", "amin"))
        if gate in ("sum", "mean"):
            x, *rest = args
            axis = rest[0] if rest else kwargs.pop("axis", None)
            if len(rest) > 1:
                raise TypeError(_("numpy.{name} on a traced array takes an array and an axis").format(name=name))
            return _reduce(gate, _operand(x), axis, kwargs)
        if kwargs:
            raise TypeError(_("numpy.{name} on a traced array takes no {names}").format(
                name=name, names=", ".join(kwargs)))
        if gate == ".T":
            if len(args) != 1:
                raise TypeError(_("numpy.transpose with axes is not a gate of gradtrace's: x.T reverses all the "
                                  "axes"))
            return _operand(args[0]).T
        if gate == "reshape":
            if len(args) != 2:
                raise TypeError(_("numpy.reshape takes an array and a shape"))
            return _operand(args[0]).reshape(args[1])
        if len(args) != 2:
            raise TypeError(_("numpy.{name} takes two arrays").format(name=name))
        a, b = args
        if gate == "dot" and not (_ndim(a) == 1 and _ndim(b) == 1):
            gate = "@"  # numpy's dot of matrices is their product
        if gate == "@":
            return binary("@", a, b)
        return call("dot", OPS["dot"], (a, b), {})


# ---- making nodes ----------------------------------------------------------------------------------

def binary(symbol: str, left: Any, right: Any) -> Any:
    """left <symbol> right with one of them an Array: the gate between two arrays, or the
    one-constant gate where the other is a number (2 * W, x ** 2), as the parser makes it."""
    op = INFIX[symbol]
    a, b = _side(left, symbol), _side(right, symbol)
    if a is NotImplemented or b is NotImplemented:
        return NotImplemented
    if isinstance(a, Array) and isinstance(b, Array):
        return apply(op, (a, b), ())
    if op.arrays_only:
        raise TypeError(_("{symbol} needs two arrays, and {value!r} is a single number").format(
            symbol=symbol, value=a if not isinstance(a, Array) else b))
    const, name = (a, op.syntax.const_left) if not isinstance(a, Array) else (b, op.syntax.const_right)
    if name is None:
        raise TypeError(_("{symbol} with a constant has no gate in gradtrace's op table").format(symbol=symbol))
    array = b if isinstance(b, Array) else a
    written = (const, array) if array is b else (array, const)
    return apply(OPS[name], (array,), (("c", const),), written=written)


def call(name: str, op: Op, args: Sequence[Any], keywords: dict[str, Any]) -> Any:
    """gradtrace.<name>(...) with an array among its arguments: an Array if any input is one (a
    plain numpy array is an input of its own), else the numbers of the op on the numpy arrays."""
    if op.syntax.infix is not None and op.arity == 2 and not op.variadic:  # pow(x, y) is x ** y
        if len(args) != 2 or keywords:
            raise TypeError(_("{name}() takes 2 arguments, x and y (x ** y), got {count}").format(
                name=name, count=len(args) + len(keywords)))
        return _plain(binary(op.syntax.infix, *(_operand(a, keep_numbers=True) for a in args)), args)
    if op.variadic:
        if len(args) < 2 or keywords:
            raise TypeError(_("{name}() takes two or more arguments (arrays or numbers) and no keywords").format(
                name=name))
        written = tuple(_operand(a, keep_numbers=True) for a in args)
        inputs = tuple(a for a in written if isinstance(a, Array))
        if not inputs:
            raise TypeError(_("{name}() takes at least one array here").format(name=name))
        return _plain(apply(op, inputs, (("consts", tuple(a for a in written if not isinstance(a, Array))),),
                            written=written), args)
    given = op.bind(name, args, keywords)
    params = dict(op.keyword_params)
    missing = [key for key, default in params.items()
               if default is None and key not in given and op.param_kind(key) != AXIS]
    if missing:
        raise TypeError(_("{name}() needs {missing}, e.g. {name}(x, {example})").format(
            name=name, missing=" and ".join(missing), example=", ".join(missing)))
    keys = tuple((key, _parameter(name, op, key, given[key])) for key in params if key in given
                 and not (given[key] is None and op.param_kind(key) == AXIS))
    inputs = tuple(_operand(a) for a in args[:op.arity])
    return _plain(apply(op, inputs, keys), args)


def apply(op: Op, inputs: tuple[Array, ...], keywords: tuple[tuple[str, Any], ...], spelling: str | None = None,
          written: tuple[Any, ...] | None = None) -> Array:
    """A node: op on its input Arrays and its parameters by name, computed by the op table's rule.
    written is what the program writes (a one-constant gate's constant in its place, a variadic
    op's numbers among its inputs); spelling is ".T" where x.T was written."""
    from .core.numpy_backend import numpy_backend as xp

    np = xp.np
    given = dict(keywords)
    params = tuple(given.get(name, default) for name, default in op.rule_params)
    out = Array.__new__(Array)
    out.label = ""
    name = spelling if spelling is not None else op.name
    shown = tuple((key, value) for key, value in keywords if key not in ("c", "consts"))
    out._made = (name, written if written is not None else inputs, shown)
    values = [a.data for a in inputs]
    shapes = [a.shape for a in inputs]
    out.data = None
    if not op.shapes_fit(shapes, params):
        raise Unfit(out, op.shapes_need(shapes, params))
    with np.errstate(all="ignore"):
        if not xp.all(op.in_domain(xp, values, params)):
            raise Unfit(out, _("{name} needs {needs}").format(name=op.name, needs=op.needs(params)))
        try:
            result = op.apply(xp, values, params)
        except (ArithmeticError, ValueError) as exc:
            raise Unfit(out, str(exc)) from None
    out.data = np.asarray(result, dtype=np.float64)
    return out


def _plain(out: Array, args: Sequence[Any]) -> Any:
    """What a gradtrace function gives: the node if an argument was traced, else its numbers alone
    (gradtrace.relu(np.array([...])) is numpy's array of the op table's values)."""
    return out if any(isinstance(a, Array) for a in args) else out.data


def _reduce(name: str, x: Array, axis: Any, options: dict[str, Any]) -> Array:
    if options:
        raise TypeError(_("{name}() on a traced array takes an axis alone, not {names}").format(
            name=name, names=", ".join(options)))
    op = OPS[name]
    keys = () if axis is None else (("axis", _parameter(name, op, "axis", axis)),)
    return apply(op, (x,), keys)


# ---- arguments -------------------------------------------------------------------------------------

def is_array(value: Any) -> bool:
    """Whether a gradtrace function's argument is an array (traced or not): a number is not."""
    return isinstance(value, Array) or (hasattr(value, "__array__") and getattr(value, "ndim", 0) > 0) \
        or isinstance(value, (list, tuple))


def _side(value: Any, symbol: str) -> Any:
    """An operand of an operator: an Array (a plain array made an input), a number, or NotImplemented."""
    if isinstance(value, Array):
        return value
    number = _number(value)
    if number is not None:
        return number
    if hasattr(value, "__array__") or isinstance(value, (list, tuple)):
        return _constant_array(value)
    if hasattr(value, "_gate"):  # a Value: one number's graph, not an array's
        raise TypeError(_("a Value and a traced array can't be mixed ({symbol}): bind the number as an array "
                          "input instead").format(symbol=symbol))
    return NotImplemented


def _operand(value: Any, keep_numbers: bool = False) -> Any:
    if isinstance(value, Array):
        return value
    number = _number(value)
    if number is not None:
        if keep_numbers:
            return number
        raise TypeError(_("this input is an array, and {value!r} is a single number").format(value=value))
    if hasattr(value, "__array__") or isinstance(value, (list, tuple)):
        return _constant_array(value)
    raise TypeError(_("gradtrace's array functions take arrays and numbers, not {kind}").format(
        kind=type(value).__name__))


def _constant_array(value: Any) -> Array:
    """A plain array in a traced program: an input of its own (the text has no array constants)."""
    return Array(value)


def _number(value: Any) -> int | float | None:
    """A number written in the program: an int or a float as it is, a numpy scalar or a 0-d array
    as a float; None for what is not one number."""
    kind = type(value)
    if kind is int or kind is float:
        return value
    if kind is bool or isinstance(value, (str, bytes, complex, Array)):
        return None
    if getattr(value, "shape", None) == () and hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iuf":
        return int(value) if value.dtype.kind in "iu" else float(value)
    if not hasattr(value, "shape") and hasattr(kind, "__float__") and not hasattr(value, "_gate"):
        return float(value)
    return None


def _ndim(value: Any) -> int:
    return value.ndim if isinstance(value, Array) else len(getattr(value, "shape", ()))


def _float64(data: Any) -> Any:
    import numpy as np

    array = np.array(data, dtype=np.float64, copy=True)
    return array


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(_("{what} is an integer, not {value!r}").format(what=what, value=value))
    return int(value.__index__())


def _shape(sizes: Sequence[Any]) -> tuple[int, ...]:
    return tuple(_integer(n, _("a shape's size")) for n in sizes)


def _parameter(name: str, op: Op, key: str, value: Any) -> Any:
    """A parameter as the program writes it: an axis an int, a shape a tuple of ints, a number."""
    kind = op.param_kind(key)
    if kind == AXIS:
        return _integer(value, _("{name}()'s axis").format(name=name))
    if kind == SHAPE:
        return _shape(value if isinstance(value, (tuple, list)) else (value,))
    number = _number(value)
    if number is None:
        raise TypeError(_("{name}()'s {key} is a constant: a number, not {kind}").format(
            name=name, key=key, kind=type(value).__name__))
    return number


def _index(key: Any) -> tuple[Any, ...]:
    """x[0], x[:, 1], x[1:3], x[::2]: integers and slices of integers, as the language writes them."""
    items = key if isinstance(key, tuple) else (key,)
    index: list[Any] = []
    for item in items:
        if isinstance(item, slice):
            parts = [None if p is None else _integer(p, _("an index")) for p in (item.start, item.stop, item.step)]
            if parts[2] == 0:
                raise ValueError(_("a slice's step can't be 0"))
            index.append(tuple(parts))
        elif hasattr(item, "__index__") and not isinstance(item, bool) and getattr(item, "ndim", 0) == 0:
            index.append(int(item.__index__()))
        else:
            raise TypeError(_("a traced array is indexed by integers and slices (x[0], x[:, 1], x[1:3]), not "
                              "{kind}").format(kind=type(item).__name__))
    return tuple(index)


def _unsupported(called: str, reduction: bool = False) -> TypeError:
    """A numpy function the op table has no gate for: the error names gradtrace's function to use."""
    name = called.rpartition(".")[2]
    ours = None if reduction else FUNCTIONS.get(_UFUNC_FUNCTIONS.get(name, name))
    if ours is not None:
        use = _("use gradtrace.{name}(x) instead").format(name=ours.name)
    else:
        use = _("trace it with gradtrace's functions (gradtrace.relu, gradtrace.exp, gradtrace.sum, "
                "gradtrace.affine, ...; dir(gradtrace) lists them), numpy's that have a gate (np.exp, np.tanh, "
                "np.maximum, np.sum, np.mean, np.matmul, np.dot, ...) and the operators")
    return TypeError(_("{called} has no gate in gradtrace's op table, so it can't be traced: {use}").format(
        called=called, use=use))
