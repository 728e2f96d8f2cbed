"""Formula text: an op record's templates ("1/{1}", "{c}·{0}^({c-1})") filled with a node's input
names and parameters, compiled once per template (a 10^6-node JSON fills them a million times)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from .graph import Const, Graph, Node

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_\-]+)\}")


def formulas(graph: Graph, node: Node, templates: tuple[Any, ...] | None = None) -> tuple[str, ...]:
    """Fill an op's formula templates (or the given ones) with the node's input names and parameters."""
    op = node.op
    if op is None:
        return ()
    chosen = templates or op.text.formula
    names = [graph.nodes[i].name for i in node.inputs]
    plan = _plan(chosen, len(names))
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
        elif kind == "text":  # one input's formula may be plain text where another's names a parameter
            out.append(data)
        elif kind == "input":
            out.append(names[data])
        else:
            out.append("".join(text + (fields.get(field, "{" + field + "}") if field is not None else "")
                               for text, field in data))
    return tuple(out)


def formulas_with(graph: Graph, node: Node, text_of: Callable[[Node], str]) -> tuple[str, ...]:
    """The formulas with each input, and the node's own output, written by text_of (their values,
    for the lecture's "-1/1.37²" and "(1 - 0.73)·0.73"). A negative one is put in parentheses,
    except as an exponent: e^-1."""
    op = node.op
    if op is None:
        return ()

    def wrapped(text: str, before: str = "") -> str:
        return f"({text})" if text.startswith("-") and not before.endswith("^") else text

    formula = op.text.formula
    names = [text_of(graph.nodes[i]) for i in node.inputs]
    fields = _fields(node, names)
    fields["out"] = text_of(node)
    out = []
    for slot, name in enumerate(names):
        kind, data = _compile(formula[min(slot, len(formula) - 1)])
        fields["i"] = name
        if kind == "function":
            out.append(data({k: wrapped(v) if k.isdigit() or k == "out" else v for k, v in fields.items()}))
        elif kind == "text":
            out.append(data)
        elif kind == "input":
            out.append(names[data])
        else:
            out.append("".join(text + (wrapped(fields.get(field, "{" + field + "}"), text) if field is not None else "")
                               for text, field in data))
    return tuple(out)


def fill(template: Any, fields: dict[str, str]) -> str | None:
    """A template with every field it names taken from fields; None when it names another one (a
    parameter) or is a function of the fields."""
    if callable(template) or any(name not in fields for name in _PLACEHOLDER.findall(template)):
        return None
    return _PLACEHOLDER.sub(lambda m: fields[m.group(1)], template)


def _fields(node: Node, names: list[str]) -> dict[str, str]:
    """What a formula template may name: inputs by position, the node itself, and parameters."""
    fields: dict[str, str] = {str(k): name for k, name in enumerate(names)}
    fields["out"] = node.name
    fields.update(param_fields(node))
    return fields


def param_fields(node: Node) -> dict[str, str]:
    """The parameters a formula template may name, as text: a one-constant gate's constant as
    written ({c}) and its power's c-1 ({c-1}), and each keyword parameter ({alpha}), as the user
    wrote it or as its value."""
    op = node.op
    fields: dict[str, str] = {}
    assert op is not None
    if op.maths.constant:  # a one-constant gate: {c} is the constant as written
        const = next(a for a in node.args if isinstance(a, Const))
        fields["c"] = const.text
        power = node.params[0] - 1
        short = number(power)  # x^c's c-1: short when that is exact (2, -0.5), else written out: x^(1/3-1)
        fields["c-1"] = short if float(short) == power else f"({const.text}-1)"
    given = dict(node.keywords)
    keyword_values = node.params[len(op.rule_params) - len(op.keyword_params):]
    for (pname, _), value in zip(op.keyword_params, keyword_values):
        if value is None:  # an axis left out (sum(x)): a field the formula does not have
            continue
        fields[pname] = given[pname].text if pname in given else op.param_text(pname, value)
    return fields


@functools.cache
def _plan(templates: tuple[Any, ...], arity: int) -> tuple[Any, ...] | None:
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
