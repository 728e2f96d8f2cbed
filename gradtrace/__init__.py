"""gradtrace: a gradient calculator and backpropagation tracer.

    >>> import gradtrace
    >>> t = gradtrace.trace("q = x + y; f = q * z", x=-2, y=5, z=-4)
    >>> t.value, t.gradients
    (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
    >>> t.node("q").patterns
    ('distributor',)

In a notebook a trace shows its circuit and its table; gradtrace.draw(t) is the circuit as a
graphviz object, as micrograd's draw_dot.

micrograd's Value is here too, and every Value is a graph gradtrace can trace; so is a Python
function of numbers, called with Values:

    >>> from gradtrace import Value
    >>> x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    >>> f = (x + y) * z
    >>> f.backward(); x.grad
    -4.0
    >>> f.trace().gradients == gradtrace.trace(lambda x, y, z: (x + y) * z, x=-2, y=5, z=-4).gradients
    True

gradtrace.relu, gradtrace.sigmoid, ... (one per function of the op table) work on Values and
numbers alike. A function of arrays traces into the graph its text spelling makes:

    >>> import numpy as np
    >>> t = gradtrace.trace(lambda W, x: (W @ x).sum(), W=np.ones((2, 3)), x=[1, 2, 3])
    >>> t.graph.text, t.gradients["x"].tolist()
    ('sum(W@x)', [2.0, 2.0, 2.0])
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from . import arrays as _arrays
from . import value as _value
from .core.bindings import Binding
from .core.errors import BindingError, EvaluationError, GradtraceError, ParseError
from .core.ops import OPS
from .core.trace import NodeTrace, Trace
from .i18n import _
from .render import display as _display  # teaches a Trace to show itself in notebooks and rich consoles
from .render import layer_check as _layer_check_display  # noqa: F401  (and check_gate's and check_layer's results)
from .value import Value


def _version() -> str:
    """The installed distribution's version: pyproject.toml is its one source."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gradtrace")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    # gradtrace.__version__ is looked up only when asked for: importlib.metadata costs start-up time.
    if name == "__version__":
        return _version()
    # gradtrace.relu, gradtrace.sigmoid, ...: not globals of this module, where max, min, abs and pow
    # would hide Python's own.
    function = _value.FUNCTION.get(name)
    if function is not None:
        return function
    raise AttributeError(f"module 'gradtrace' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_value.FUNCTION})


__all__ = [
    "OPS",
    "BindingError",
    "BindingTypeError",
    "BindingValueError",
    "EvaluationError",
    "GradtraceError",
    "NodeTrace",
    "ParseError",
    "Trace",
    "Value",
    "check_gate",
    "check_layer",
    "draw",
    "draw_dot",
    "trace",
]


class BindingTypeError(BindingError, TypeError):
    """A value of a type trace() does not take (complex, None, a dict, a bool): a BindingError and
    a TypeError."""


class BindingValueError(BindingError, ValueError):
    """A value trace() can't use (a ragged list, NaN, text that is no number, an unknown name): a
    BindingError and a ValueError."""


_ACCEPTED_VALUES = ("a real number (int, float, fractions.Fraction, decimal.Decimal, a numpy or sympy number), "
                    "a number's text such as \"1/3\", or an array-like of them (nested lists or tuples, a numpy "
                    "array, a torch tensor)")


def trace(program: Any, /, *, bindings: Mapping[str, Any] | None = None, output: str | None = None,
          upstream: Any = None, seed: int | None = None, mode: str | None = None, expanded: bool = False,
          check: bool = False, expect: dict[str, Any] | None = None, tol: str | None = None,
          lang: str | None = None, **more_bindings: Any) -> Trace:
    """Trace a program at the given bindings: forward values and every gradient. The program is
    text ("q = x + y; f = q * z"), a sympy expression (or Eq(f, expression)), a gradtrace Value (the
    graph it was computed by, at its leaves' data), or a Python function, which is called with a
    Value for each parameter bound (trace(f, x=-2, y=5, z=-4)) and traced through what it returns;
    if any binding is an array, with a traced array for each instead (gradtrace/arrays.py: numpy's
    operators, methods and functions that have a gate, and gradtrace's array functions).
    A sympy expression and a Value's graph are walked into the graph gate by gate. Bindings are
    keyword arguments, or bindings={"upstream": 3} for any name (one of
    trace()'s own parameters too): numbers of any numeric type, text such as "1/3" or "[0.2, 0.4]",
    or array-likes (lists, numpy arrays, torch tensors), each kept as a float64 copy. With no
    bindings the trace is symbolic, as on the command line; mode="exact" keeps exact arithmetic at
    the bindings. upstream is the upstream gradient backprop starts from, ∂out/∂out (1 unless given;
    a number, "ones", an array, or "random" or "random:N", a random one); seed is the random seed of
    whatever the trace draws at random (upstream="random", check=True's sample of a large array's
    coordinates), and a TypeError when nothing is drawn (seed once meant upstream). Symbolic gradients
    are written in the program's own names (∂f/∂z = q); expanded=True writes them in the variables
    alone, simplified.

    check=True compares every gradient with a central difference (the result is in .check), and
    expect={"x": "-4", "q.value": 3} grades answers with --expect's rule (in .answers; tol as
    --tol, e.g. "0.01" or "1%"). Their verdicts show in the table.

    lang="ko" makes the trace show itself in Korean (a notebook's table, a rich console), and its
    messages too; None follows gradtrace.i18n.use(), English unless set.

    A program of another type, or a value of a type it doesn't take, is a TypeError; a value it
    can't use (a ragged list, NaN) a ValueError. A variable named like a parameter given as a
    keyword (trace("upstream*2", upstream=3)) is a TypeError: bind it with bindings={"upstream": 3}."""
    from .modes.run import run_program

    kind = _program_kind(program)
    # The parameters given: anything but their defaults (None, False) changes what trace() does.
    given = {name: value for name, value in (("output", output), ("upstream", upstream),
                                             ("seed", seed), ("mode", mode),
                                             ("expanded", expanded), ("check", check), ("expect", expect),
                                             ("tol", tol), ("lang", lang)) if value is not None and value is not False}
    named = _named_bindings(bindings, more_bindings)
    _check_parameter_types(given)
    if kind == "value" and named:
        raise TypeError(_("trace(v) takes no bindings: a Value's inputs are its leaves, and their .data are the "
                          "values; to trace at other values, set the leaves' .data, or trace a function, "
                          "trace(f, x=..., y=...)"))
    items = [_binding(name, value) for name, value in named.items()]
    from .i18n import language

    with language(lang):  # the program's errors in the trace's language too
        try:
            if kind in ("value", "function"):
                graph, items = _value_graph(program, items, given, output)
                if mode == "symbolic":
                    items = []
            else:
                graph = _graph(program, kind == "sympy", output, {b.name for b in items})
            _refuse_ambiguous(given, graph, named)
            expected = tolerance = None
            if expect:
                from .modes.answers import Expected, Tolerance

                expected = [Expected(name, value if isinstance(value, (str, list)) or hasattr(value, "shape")
                                     else repr(value), f"{name}={value!r}"[:80]) for name, value in expect.items()]
                tolerance = Tolerance(tol) if tol else None
            run = run_program(graph.source, items, output=output, seed=_upstream(upstream), mode=mode,
                              expanded=expanded,
                              check=check, expected=expected, tol=tolerance, graph=graph,
                              random_seed=None if seed is None else int(seed))
        except BindingError as err:
            raise _as_value_error(err) from None
        if seed is not None and not run.drew:
            if upstream is not None:  # the upstream is given: this seed is no old upstream
                raise TypeError(_("seed= is the random seed, and nothing in this trace is random"))
            raise TypeError(_("seed= is the random seed, and nothing in this trace is random; the upstream gradient "
                              "backprop starts from is upstream={seed!r}").format(seed=seed))
    result = run.trace
    result.lang = lang
    return result


def check_gate(gate: Any, op: str, /, *, count: int = 2, shapes: Any = None, seed: int = 0, timeout: float = 60.0,
               lang: str | None = None, **params: float) -> Any:
    """Check a gate written with the lecture's API, gate.forward(x, y) then gate.backward(dz) ->
    (dx, dy), against the op's record: at random points of several shapes (a number, a vector, a
    matrix, (1,) and (1, 1)) and at the op's kinks, each from a random upstream (seed). Per input:
    passed, CS231n's relative error and its band, the worst element, the diagnosis of a wrong
    gradient, and the relative error against central differences of the gate's own forward. The
    gate runs in a process of its own (timeout seconds at most per point). op is the op's name
    ("mul", "relu") or its operator ("*"); params are its parameters (alpha=0.2, c=3 for
    "add_const"); count is how many inputs a max or min gate takes; shapes=[(shape of x, shape of
    y), ...] tries those shapes instead. The result shows itself as a table in a notebook."""
    from .i18n import language
    from .modes.layer_check import check_gate as run

    with language(lang):
        try:
            result = run(gate, op, params, count=count, shapes=shapes, seed=seed, timeout=timeout)
        except BindingError as err:
            raise _as_value_error(err) from None
    result.lang = lang
    return result


def check_layer(forward: Any, backward: Any, expression: str, /, *, bindings: Mapping[str, Any] | None = None,
                dout: Any = None, seed: int = 0, timeout: float = 60.0, lang: str | None = None,
                **values: Any) -> Any:
    """Check a layer written with the course's API, (out, cache) = forward(x, W, b) and
    dx, dW, db = backward(dout, cache), against the expression that says what it computes
    ("x @ W + b"): forward takes the expression's inputs in the order it first names them, given
    as keyword arguments (or bindings={...}). The upstream dout is random, drawn from
    numpy.random.default_rng(seed) and shown, unless given (an array, or "ones", which warns when
    ones hide mistakes). Per input: passed, CS231n's relative error and its band, the worst element,
    the diagnosis of a wrong gradient, and the relative error against central differences of the
    layer's own forward. The functions run in a process of their own (timeout seconds at most)."""
    from .i18n import language
    from .modes.layer_check import check_layer as run

    named = _named_bindings(bindings, values)
    with language(lang):
        try:
            result = run(forward, backward, expression, named, dout=dout, seed=seed, timeout=timeout)
        except BindingError as err:
            raise _as_value_error(err) from None
    result.lang = lang
    return result
def draw_dot(root: Any, format: str = "svg", rankdir: str = "LR") -> Any:
    """micrograd's draw_dot(root), for a Value: its graph's circuit as a graphviz object
    (.render(), .pipe(), shown inline in a notebook), drawn as gradtrace draws a trace: every
    wire's value above it and its gradient (∂root/∂wire, as after root.backward()) below it, the
    gates' backward-flow patterns, and a copy gate where a value is used twice. root may also be a
    Trace or a program. format is what .render() writes (svg, png, pdf); rankdir the direction
    the circuit runs in: LR (left to right) or TB (top to bottom)."""
    from .render.dot import RANKDIRS

    if rankdir not in RANKDIRS:
        raise ValueError(_("rankdir is one of {names}, not {rankdir!r}").format(names=", ".join(RANKDIRS),
                                                                                rankdir=rankdir))
    return _display.circuit(root if isinstance(root, Trace) else trace(root), format=format, rankdir=rankdir)


def draw(trace_or_program: Any, /, **arguments: Any) -> Any:
    """The circuit as a graphviz.Source, as micrograd's draw_dot: .render(), .pipe() and inline
    display in a notebook all work. Give a trace, or a program and what trace() takes (its
    bindings, bindings={...}, mode=...). Without Graphviz's dot program, .source still has the DOT
    text, and drawing raises MissingProgram, which says what to install."""
    if not isinstance(trace_or_program, Trace):
        return _display.circuit(trace(trace_or_program, **arguments))  # another type: trace()'s TypeError
    if arguments:
        raise TypeError("draw(trace) takes no bindings: they are the trace's already")
    return _display.circuit(trace_or_program)


def _program_kind(program: Any) -> str:
    """What the program is: "text", "sympy" (an expression), "value" (a gradtrace Value) or
    "function" (a Python function to call with Values); anything else is a TypeError naming what is
    accepted."""
    if isinstance(program, str):
        return "text"
    if isinstance(program, Value):
        return "value"
    if "sympy" in sys.modules:
        import sympy

        if isinstance(program, sympy.Basic):
            return "sympy"
    if callable(program) and not isinstance(program, type):
        return "function"
    accepted = ("trace() takes a program as text (a str such as \"(x+y)*z\" or \"q = x + y; f = q * z\"), "
                "a sympy expression, a gradtrace Value or a Python function of numbers")
    kind = type(program).__name__
    if isinstance(program, (bytes, bytearray)):
        raise TypeError(f"{accepted}, not {kind}: decode it first, e.g. program.decode()")
    raise TypeError(f"{accepted}, not {kind}")


def _named_bindings(bindings: Any, more: dict[str, Any]) -> dict[str, Any]:
    """bindings= and the keyword bindings as one mapping (the core says if a name comes twice)."""
    import reprlib
    from collections.abc import Mapping

    if bindings is None:
        return dict(more)
    if not isinstance(bindings, Mapping):
        shown = reprlib.repr(bindings)
        raise TypeError(f"bindings= takes a mapping of names to values, such as {{'x': 3}}, not "
                        f"{type(bindings).__name__}; to bind a variable named bindings, pass "
                        f"bindings={{'bindings': {shown}}}")
    for name in bindings:
        if not isinstance(name, str):
            raise TypeError(f"bindings= maps names (str) to values, and {reprlib.repr(name)} is a "
                            f"{type(name).__name__}")
    twice = sorted(set(bindings) & set(more))
    if twice:
        raise BindingValueError(f"{twice[0]} is bound twice: in bindings= and as {twice[0]}=",
                                hint="give each variable one value")
    return {**bindings, **more}


def _check_parameter_types(given: dict[str, Any]) -> None:
    """output=, lang= and expect= of a type they don't take: perhaps meant as a variable's value;
    seed= that is no random seed: perhaps meant as the upstream, as it once was."""
    import numbers
    import reprlib

    takes = {"output": (str, 'the name of the value to trace (a str such as "q")'),
             "lang": (str, 'a language code (a str such as "ko")'),
             "expect": (Mapping, 'a mapping of answers such as {"x": -4}')}
    for name, value in given.items():
        if name in takes and not isinstance(value, takes[name][0]):
            shown = reprlib.repr(value)
            raise TypeError(f"{name}= takes {takes[name][1]}, not {shown}; to bind a variable named {name}, pass "
                            f"bindings={{'{name}': {shown}}}")
    seed = given.get("seed")
    if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0):
        if given.get("upstream") is not None:  # the upstream is given: this seed is no old upstream
            raise TypeError(_("seed= is the random seed, a whole number ≥ 0, not {shown}; to bind a variable named "
                              "seed, pass bindings={{'seed': {shown}}}").format(shown=reprlib.repr(seed)))
        raise TypeError(_("seed= is the random seed, a whole number ≥ 0, not {shown}; the upstream gradient backprop "
                          "starts from is upstream={shown}; to bind a variable named seed, pass "
                          "bindings={{'seed': {shown}}}").format(shown=reprlib.repr(seed)))
    upstream = given.get("upstream")
    if seed is not None and isinstance(upstream, str) and upstream.startswith("random:"):
        raise TypeError(_("upstream={upstream!r} already names its random seed; give upstream='random', "
                          "seed={seed!r}, or upstream={upstream!r} alone").format(upstream=upstream, seed=seed))


def _upstream(upstream: Any) -> Any:
    """upstream= read as --upstream reads its value and as any binding is: a number, a number's text,
    or an array-like, finite (NaN and text that is no number are a ValueError, bytes a TypeError);
    "ones", "random" and "random:N" are the core's to read."""
    if upstream is None or (isinstance(upstream, str) and (upstream.strip() in ("ones", "random")
                                                            or upstream.startswith("random:"))):
        return upstream
    from .core.bindings import check_finite, value_of

    binding = _binding("upstream", upstream)
    return check_finite(binding, value_of(binding))


def _refuse_ambiguous(given: dict[str, Any], graph: Any, named: dict[str, Any]) -> None:
    """trace("upstream*2", upstream=3): a parameter given that is also an unbound variable of the program
    could be either, so neither is guessed."""
    for name, value in given.items():
        if name in graph.variable_names and name not in named:
            raise _ambiguous(name, value, "a variable of the program")


def _ambiguous(name: str, value: Any, what: str) -> TypeError:
    import reprlib

    shown = reprlib.repr(value)
    return TypeError(f"{name} is {what} and also trace()'s own parameter {name}=, so {name}={shown} is ambiguous: "
                     f"bind the variable with bindings={{'{name}': {shown}}} (and give {name}= too if you mean the "
                     f"parameter as well)")


def _binding(name: str, value: Any) -> Binding:
    """A value from Python as the core takes it: a float, a number's text (kept exact for exact
    mode), a list, or a float64 numpy copy of an array-like; any other type is a TypeError."""
    import numbers
    import reprlib  # a short repr, safe for a list nested 30,000 deep

    if isinstance(value, str):
        return Binding(name, str(value), f"{name}={value}")

    def origin() -> str:  # written only if a message needs it: a large array's repr takes milliseconds
        return f"{name}={reprlib.repr(value)}"

    if isinstance(value, (list, tuple)):  # nested lists for the core, tuples inside them too
        return Binding(name, _as_lists(name, value), origin)
    if isinstance(value, bool) or ("numpy" in sys.modules and isinstance(value, sys.modules["numpy"].bool_)):
        raise BindingTypeError(f"the value for {name} is a bool ({value}), not a number: a value is {_ACCEPTED_VALUES}")
    if isinstance(value, numbers.Integral):
        number = int(value)
        # Beyond 2^53 a float can't hold it: its digits go to the core, which rounds it (or says it
        # is too large) in numeric mode and keeps it exact in exact mode.
        return Binding(name, str(number) if abs(number) > 2 ** 53 else float(number), origin)
    if isinstance(value, numbers.Rational):  # fractions.Fraction, sympy.Rational: exact in exact mode
        return Binding(name, f"{int(value.numerator)}/{int(value.denominator)}", origin)
    if isinstance(value, numbers.Real):
        return Binding(name, float(value), origin)
    if "decimal" in sys.modules and isinstance(value, sys.modules["decimal"].Decimal):
        if not value.is_finite():
            what = "NaN" if value.is_nan() else "infinite"
            raise BindingValueError(f"{origin()}: the value of {name} is {what}",
                                    hint="gradients need finite numbers; NaN and inf have none")
        return Binding(name, str(value), origin)  # its digits: 0.1 is 1/10 in exact mode
    if isinstance(value, numbers.Number):
        raise BindingTypeError(f"the value for {name} is complex ({value}); gradients here are of real numbers: a "
                               f"value is {_ACCEPTED_VALUES}", hint="pass its real part, value.real, if that is meant")
    if callable(getattr(value, "detach", None)) and callable(getattr(value, "numpy", None)):
        return Binding(name, _tensor(name, value), origin)
    if hasattr(value, "__array__") or hasattr(value, "__array_interface__"):
        return Binding(name, value, origin)
    raise BindingTypeError(f"the value for {name} is a {type(value).__name__} ({reprlib.repr(value)}), not a number "
                           f"or an array: a value is {_ACCEPTED_VALUES}")


def _as_lists(name: str, value: list[Any] | tuple[Any, ...]) -> list[Any]:
    """Nested tuples (and lists) as nested lists, without recursion; nesting past the core's limit
    is left for it to refuse."""
    from .core.bindings import MAX_DEPTH

    top: list[Any] = []
    work: list[tuple[Any, list[Any], int]] = [(value, top, 1)]
    while work:
        items, into, depth = work.pop()
        if depth > MAX_DEPTH:
            raise BindingValueError(f"the array for {name} nests more than {MAX_DEPTH} deep")
        for item in items:
            if isinstance(item, (list, tuple)):
                inner: list[Any] = []
                into.append(inner)
                work.append((item, inner, depth + 1))
            else:
                into.append(item)
    return top


def _tensor(name: str, tensor: Any) -> Any:
    """A tensor (torch and the like) as a numpy array: detached from autograd, on the CPU, and in
    a dtype numpy has (bfloat16 widened); the core then makes its float64 copy and refuses what
    is not real numbers."""
    try:  # a foreign library's own errors (a meta tensor has no data, a sparse one no numpy form)
        out = tensor.detach()
        if "sparse" in str(getattr(out, "layout", "")) and callable(getattr(out, "to_dense", None)):
            out = out.to_dense()
        if callable(getattr(out, "cpu", None)):
            out = out.cpu()
        if callable(getattr(out, "resolve_conj", None)):
            out = out.resolve_conj().resolve_neg()
        try:
            return out.numpy()
        except (TypeError, RuntimeError):
            if callable(getattr(out, "is_floating_point", None)) and out.is_floating_point():
                return out.double().numpy()  # bfloat16, which numpy lacks
            raise
    except Exception as exc:  # whatever the tensor library raises, the user gets one TypeError
        raise BindingTypeError(f"the value for {name} is a {type(tensor).__name__} that can't be read as numbers "
                               f"({exc}): a value is {_ACCEPTED_VALUES}") from None


def _value_graph(program: Any, items: list[Binding], given: dict[str, Any], output: str | None) \
        -> tuple[Any, list[Binding]]:
    """The graph of a Value, or of what a Python function returns when called with a Value per
    binding (a traced array per binding, gradtrace/arrays.py, if any binding is an array), and the
    bindings of its inputs: the function's as given (so that exact mode keeps "1/3" exact), and
    every other leaf's data (a plain numpy array the function used: an input of its own)."""
    from .core.bindings import check_finite, value_of
    from .core.from_value import build_from_values

    parameters: list[Any] = []
    failing: _arrays.Unfit | None = None
    root: Any
    if isinstance(program, Value):
        root, title = program, None
    else:
        _refuse_ambiguous_parameters(program, given, {b.name for b in items})
        values = {b.name: check_finite(b, value_of(b)) for b in items}
        arrays = any(getattr(value, "ndim", 0) > 0 for value in values.values())
        if not arrays:  # numbers: a Value each, a 0-d array or tensor as one number
            values = {name: float(value) for name, value in values.items()}
        try:
            root, parameters, title = _value.call(program, values, arrays=arrays)
        except _arrays.Unfit as unfit:
            # A gate whose inputs don't fit it: its graph, up to it, which the engine then refuses
            # with the text form's own message, naming the gate and pointing at it.
            root, title, failing = unfit.node, None, unfit
    graph, leaves = build_from_values(root, parameters, title, None if failing else output)
    given_names = {b.name for b in items}
    more = [_binding(name, data) for name, data in leaves.items() if name not in given_names]
    if failing is not None:
        _refuse_unfit(graph, [*(b for b in items if b.name in leaves), *more], failing)
    return graph, [*items, *more]


def _refuse_unfit(graph: Any, items: list[Binding], unfit: Exception) -> None:
    """The graph of a traced function up to the gate whose inputs don't fit it, run forward, so
    that the error is the text form's: the gate's name and expression, its inputs' names and
    shapes, and the program with the gate marked."""
    from .core.bindings import resolve
    from .core.engine import backend_for, forward

    inputs = resolve(graph, items)
    forward(graph, inputs, backend_for(graph, inputs))
    raise ValueError(str(unfit))  # the engine found no fault: numpy's own words, then


def _refuse_ambiguous_parameters(function: Any, given: dict[str, Any], bound: set[str]) -> None:
    """trace(f, upstream=3) with f(x, upstream): as trace("upstream*2", upstream=3)."""
    import inspect

    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):  # value.call says so
        return
    for name, value in given.items():
        if name in parameters and name not in bound:
            raise _ambiguous(name, value, f"a parameter of {getattr(function, '__name__', 'the function')}")


def _graph(program: Any, sympy_program: bool, output: str | None, bound: set[str]) -> Any:
    """The program's graph: text parsed, or a sympy expression walked."""
    if sympy_program:
        from .core.from_sympy import build_from_sympy

        return build_from_sympy(program, output, bound)
    from .core.graph import build

    return build(program, output, None, bound=bound)


def _as_value_error(err: BindingError) -> BindingError:
    """A binding error raised through trace() is also a ValueError (the core's own class is not),
    unless it is a TypeError already."""
    if isinstance(err, (ValueError, TypeError)):
        return err
    return BindingValueError(err.message, source=err.source, span=err.span, hint=err.hint, about=err.about)


_value.TRACE = trace  # Value.trace() calls it (value.py is below this module and can't import it)
