"""gradtrace: a gradient calculator and backpropagation tracer.

    >>> import gradtrace
    >>> t = gradtrace.trace("q = x + y; f = q * z", x=-2, y=5, z=-4)
    >>> t.value, t.gradients
    (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
    >>> t.node("q").patterns
    ('distributor',)

In a notebook a trace shows its circuit and its table; gradtrace.draw(t) is the circuit as a
graphviz object, as micrograd's draw_dot.
"""

from __future__ import annotations

from typing import Any

from .core.bindings import Binding
from .core.errors import BindingError, EvaluationError, GradtraceError, ParseError
from .core.ops import OPS
from .core.trace import NodeTrace, Trace
from .display import draw  # also teaches a Trace to show itself in notebooks and rich consoles


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
    raise AttributeError(f"module 'gradtrace' has no attribute {name!r}")
__all__ = [
    "OPS",
    "BindingError",
    "EvaluationError",
    "GradtraceError",
    "NodeTrace",
    "ParseError",
    "Trace",
    "draw",
    "trace",
]


def trace(program: str, *, output: str | None = None, seed: Any = None, mode: str | None = None,
          expanded: bool = False, check: bool = False, expect: dict[str, Any] | None = None,
          tol: str | None = None, lang: str | None = None, **bindings: Any) -> Trace:
    """Trace a program at the given bindings (numbers, numpy arrays, or text such as "1/3" or
    "[0.2, 0.4]"): forward values and every gradient. With no bindings the trace is symbolic, as
    on the command line; mode="exact" keeps exact arithmetic at the bindings. seed is ∂out/∂out
    for an array output ("ones" or an array). Symbolic gradients are written in the program's own
    names (∂f/∂z = q); expanded=True writes them in the variables alone, simplified.

    check=True compares every gradient with a central difference (the result is in .check), and
    expect={"x": "-4", "q.value": 3} grades answers with --expect's rule (in .answers; tol as
    --tol, e.g. "0.01" or "1%"). Their verdicts show in the table.

    lang="ko" makes the trace show itself in Korean (a notebook's table, a rich console), and its
    messages too; None follows gradtrace.i18n.use(), English unless set. (Like output, seed and the
    other parameters, lang can't be the name of a variable bound here.)"""
    import reprlib  # a short repr, safe for a list nested 30,000 deep

    from .core.run import run_program

    items = [Binding(k, v, f"{k}={reprlib.repr(v)}" if not isinstance(v, str) else f"{k}={v}")
             for k, v in bindings.items()]
    expected = None
    tolerance = None
    if expect:
        from .answers import Expected, Tolerance

        expected = [Expected(name, value if isinstance(value, (str, list)) or hasattr(value, "shape") else repr(value),
                             f"{name}={value!r}"[:80]) for name, value in expect.items()]
        tolerance = Tolerance(tol) if tol else None
    from .i18n import language

    with language(lang):
        result = run_program(program, items, output=output, seed=seed, mode=mode, expanded=expanded, check=check,
                             expected=expected, tol=tolerance).trace
    result.lang = lang
    return result
