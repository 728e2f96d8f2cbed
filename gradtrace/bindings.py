"""Variable bindings: values for the graph's inputs, checked before anything is computed.

A value is a number or a constant expression (1/3, -pi/2), read by gradtrace's own parser.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from .errors import BindingError, GradtraceError, did_you_mean
from .graph import Const, Graph, constant
from .ops import CONSTANTS


class Binding:
    """One name = value pair and where it came from (for messages such as 'bound twice')."""
    __slots__ = ("name", "value", "_origin", "source")

    def __init__(self, name: str, value: Any, origin: str | None = None, source: str | None = None):
        self.name, self.value = name, value
        self._origin = origin  # how it was written, e.g. "-x 2"
        self.source = source   # or the file it came from, e.g. "vals.json"

    @property
    def origin(self) -> str:
        """Where the binding came from, for messages: '-x 2', 'x in vals.json' or 'x=2'."""
        if self._origin is not None:
            return self._origin
        return f"{self.name} in {self.source}" if self.source else f"{self.name}={self.value}"


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


def _finite(b: Binding, value: Any) -> Any:
    """Refuse NaN and infinities up front: they would surface later as a puzzling gradient error."""
    if value.__class__ is float:
        if value - value == 0.0:
            return value
        bad, where = value, ""
    else:
        import numpy as np

        finite = np.isfinite(value)
        if finite.all():
            return value
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        bad, where = value[index], f"[{', '.join(map(str, index))}]"
    what = "NaN" if math.isnan(bad) else "infinite"
    raise BindingError(f"{b.origin}: the value of {b.name}{where} is {what}",
                       hint="gradients need finite numbers; NaN and inf have none")


def resolve(graph: Graph, bindings: Iterable[Binding],
            values_file: tuple[str, dict] | None = None) -> dict[str, Any]:
    """Check bindings against the graph's variables and return name -> value, in the graph's order.

    values_file is (path, mapping) from --vars; a million entries of it are checked in bulk.
    Every missing variable is named at once; unknown names get close-match suggestions.
    """
    bindings = list(bindings)
    wanted = [v.name for v in graph.variables]
    known = graph.variable_names
    values: dict[str, Any] = _from_file(values_file, known, wanted) if values_file else {}
    if bindings and values_file is not None and values is values_file[1]:
        values = dict(values)  # the command line's bindings join it: leave the caller's mapping alone
    for b in bindings:
        if b.name in values:
            if values_file is not None and b.name in values_file[1]:
                first = Binding(b.name, values_file[1][b.name], source=values_file[0])
            else:
                first = next(a for a in bindings if a.name == b.name)
            raise BindingError(f"{b.name} is bound twice: {first.origin} and {b.origin}",
                               hint="give each variable one value")
        if b.name not in known:
            raise _unknown(b, known, wanted)
        values[b.name] = _finite(b, _value(b))
    try:
        return {name: values[name] for name in wanted}
    except KeyError:
        missing = [name for name in wanted if name not in values]
    plural = "s" if len(missing) > 1 else ""
    example = " ".join(f"-{name} 1" for name in missing[:3])
    raise BindingError(f"no value for the variable{plural} {', '.join(missing)}",
                       hint=f"bind {'them' if plural else 'it'}, e.g. {example}")


def _from_file(values_file: tuple[str, dict], known: set[str], wanted: list[str]) -> dict[str, Any]:
    """A --vars mapping, checked with set operations and sums at C speed when it holds only finite
    floats for known variables (the usual case, however large); entry by entry otherwise."""
    path, data = values_file
    if not data.keys() <= known:
        name = next(k for k in data if k not in known)
        raise _unknown(Binding(name, data[name], source=path), known, wanted)
    if set(map(type, data.values())) <= {float} and math.isfinite(sum(data.values())):
        return data
    return {k: _finite(b, _value(b)) for k, b in ((k, Binding(k, v, source=path)) for k, v in data.items())}


def _unknown(b: Binding, known: set[str], wanted: list[str]) -> BindingError:
    if b.name in CONSTANTS:
        return BindingError(f"{b.name} is the constant {CONSTANTS[b.name]:.6g} here and can't be bound",
                            hint="use another variable name")
    hint = did_you_mean(b.name, sorted(known))
    if not hint:
        hint = f"its variables are {', '.join(wanted)}" if wanted else "it has no variables"
    return BindingError(f"{b.origin}: the expression has no variable {b.name!r}", hint=hint)
