"""Variable bindings: values for the graph's inputs, checked before anything is computed.

A value is a number or a constant expression (1/3, -pi/2), read by gradtrace's own parser.
"""

from __future__ import annotations

from typing import Any, Iterable

from .errors import BindingError, GradtraceError, did_you_mean
from .graph import Const, Graph, constant
from .ops import CONSTANTS


class Binding:
    """One name = value pair and where it came from (for messages such as 'bound twice')."""
    __slots__ = ("name", "value", "origin")

    def __init__(self, name: str, value: Any, origin: str | None = None):
        self.name, self.value = name, value
        self.origin = origin or f"{name}={value}"


def parse_value(name: str, text: str) -> float:
    """A binding's value: a number or a constant expression such as 1/3 or -pi/2."""
    try:
        value = constant(text)
    except GradtraceError as err:
        raise BindingError(f"the value for {name} is not a number: {err.message}", source=err.source,
                           span=err.span, hint=err.hint or "write a number such as -2, 0.5 or 1/3") from None
    if not isinstance(value, Const):
        raise BindingError(f"the value for {name} must be a number or a constant expression, not {text!r}",
                           source=text, span=(0, len(text)), hint="constants are numbers, pi and e")
    return value.value


def _value(b: Binding) -> Any:
    """A float, or a numpy array for [...] literals, @files and lists."""
    value = b.value
    if value.__class__ is float:  # from --vars, the common case of a large program
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            from .arrays import parse_array

            return parse_array(b.name, text)
        if text.startswith("@"):
            from .arrays import load_array

            return load_array(b.name, text[1:])
        return parse_value(b.name, value)
    if isinstance(value, list):
        from .arrays import to_array

        return to_array(b.name, value, b.origin)
    if hasattr(value, "shape"):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BindingError(f"the value for {b.name} must be a number or an array, not {value!r}")
    return float(value)


def resolve(graph: Graph, bindings: Iterable[Binding]) -> dict[str, Any]:
    """Check bindings against the graph's variables and return name -> float.

    Every missing variable is named at once; unknown names get close-match suggestions.
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    wanted = [v.name for v in graph.variables]
    known = set(wanted) | set(graph.unused_variables)
    for b in bindings:
        if b.name in origins:
            raise BindingError(f"{b.name} is bound twice: {origins[b.name]} and {b.origin}",
                               hint="give each variable one value")
        if b.name in CONSTANTS and b.name not in known:
            raise BindingError(f"{b.name} is the constant {CONSTANTS[b.name]:.6g} here and can't be bound",
                               hint="use another variable name")
        if b.name not in known:
            hint = did_you_mean(b.name, sorted(known))
            if not hint:
                hint = f"its variables are {', '.join(wanted)}" if wanted else "it has no variables"
            raise BindingError(f"{b.origin}: the expression has no variable {b.name!r}", hint=hint)
        origins[b.name] = b.origin
        values[b.name] = _value(b)
    missing = [name for name in wanted if name not in values]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        example = " ".join(f"-{name} 1" for name in missing[:3])
        raise BindingError(f"no value for the variable{plural} {', '.join(missing)}",
                           hint=f"bind {'them' if plural else 'it'}, e.g. {example}")
    return {name: values[name] for name in wanted}
