"""gradtrace: a gradient calculator and backpropagation tracer.

    >>> import gradtrace
    >>> t = gradtrace.trace("q = x + y; f = q * z", x=-2, y=5, z=-4)
    >>> t.value, t.gradients
    (-12.0, {'x': -4.0, 'y': -4.0, 'z': 3.0})
    >>> t.node("q").patterns
    ('distributor',)
"""

from __future__ import annotations

from typing import Any

from .bindings import Binding, resolve
from .engine import run
from .errors import BindingError, EvaluationError, GradtraceError, ParseError
from .graph import build
from .ops import OPS
from .trace import NodeTrace, Trace

__version__ = "0.1.0"
__all__ = ["trace", "Trace", "NodeTrace", "OPS", "GradtraceError", "ParseError", "BindingError",
           "EvaluationError"]


def trace(program: str, *, output: str | None = None, **bindings: Any) -> Trace:
    """Trace a program at the given bindings: forward values and every gradient."""
    graph = build(program, output)
    inputs = resolve(graph, [Binding(k, v, f"{k}={v}") for k, v in bindings.items()])
    return run(graph, inputs)
