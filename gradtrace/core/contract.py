"""The JSON contract scripts rely on, written in one place: strict RFC 8259 JSON of a trace.

The document is written in pieces, one node per line, so a 10^6-node trace streams out in
linear time and memory instead of being built as one giant dict and one giant string first.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from typing import IO, Any

from .formulas import formula_plan, formulas
from .graph import _BOTH, Report, write_expr
from .trace import Trace, jsonable, patterns_of

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode
_string = json.encoder.encode_basestring  # the C escaper json itself uses for str
_repr = float.__repr__                   # json writes floats with repr, too
BLOCK = 1024                             # nodes per write


def render(trace: Trace, extra: dict[Any, Any] | None = None) -> str:
    """The trace as one strict-JSON document (no NaN or Infinity tokens)."""
    return "".join(chunks(trace, extra))


def write(trace: Trace, stream: IO[str], extra: dict[Any, Any] | None = None,
          report: Report | None = None) -> None:
    """Write the document to stream block by block (stdout for the CLI). report(phase, done,
    total), if given, hears how many nodes have been written, now and then."""
    for block in chunks(trace, extra, report):
        stream.write(block)


def chunks(trace: Trace, extra: dict[Any, Any] | None = None,
           report: Report | None = None) -> Iterator[str]:
    """The document in order, in blocks: the head's fields, then "nodes" one per line, then the
    reports. Lines are joined BLOCK at a time, so a million of them cost one write per BLOCK."""
    head = trace.head_dict()
    tail = trace.tail_dict()
    if extra:
        tail.update(extra)
    yield "{\n"
    for key, value in head.items():
        if key in ("bindings", "gradients", "gradients_exact", "gradients_symbolic"):
            yield f"  {_string(key)}: " + "".join(_mapping(value)) + ",\n"
        else:
            yield f"  {_string(key)}: {_indented(value)},\n"
    yield '  "nodes": ['
    lines = (_fast_lines if trace.mode == "numeric" and not trace.arrays else _lines)(trace)
    total = len(trace.graph.nodes)
    separator = "\n    "
    for done in range(0, total, BLOCK):
        yield separator + ",\n    ".join(itertools.islice(lines, BLOCK))
        separator = ",\n    "
        if report is not None and not done % (16 * BLOCK):
            report("writing JSON", done, total)
    yield "\n  ]"
    for key, value in tail.items():
        yield f",\n  {_string(key)}: {_indented(value)}"
    yield "\n}\n"


def _indented(value: Any) -> str:
    """A small value laid out as json.dumps(indent=2) would, nested one level in."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2).replace("\n", "\n  ")


def _mapping(pairs: Iterator[tuple[str, Any]]) -> Iterator[str]:
    """Bindings and gradients, one per line (there may be a million of them)."""
    separator = "{\n    "
    for key, value in pairs:
        yield f"{separator}{_string(key)}: {_num(value)}"
        separator = ",\n    "
    yield "{}" if separator == "{\n    " else "\n  }"


def _lines(trace: Trace) -> Iterator[str]:
    """Every node's line, output first, each the compact JSON of trace.node_dict(node)."""
    nodes = trace.graph.nodes
    for k in range(len(nodes) - 1, -1, -1):
        yield _encode(trace.node_dict(nodes[k]))


def _num(value: Any) -> str:
    if value.__class__ is float and value - value == 0.0:  # finite: NaN and ±inf fail this
        return _repr(value)
    return _encode(jsonable(value))


def _finite_floats(*columns: Any) -> bool:
    """Whether every number in these lists is a finite float, checked at C speed: a sum is finite
    only when no term is NaN or infinite (an overflowing sum just takes the careful path)."""
    return all(set(map(type, column)) <= {float} and math.isfinite(sum(column)) for column in columns)


def _fast_lines(trace: Trace) -> Iterator[str]:
    """The lines of _lines for a numeric scalar trace, written without building dicts: a 10^6-node
    trace spends most of its JSON time here. What every node of one op writes the same (label,
    patterns, formulas in its inputs' names) is made once per op. Names are identifiers and op texts come from the op
    table, so only expressions with constants, labels and parameter formulas need escaping.
    tests/test_json.py checks that both writers agree for every op."""
    graph = trace.graph
    nodes = graph.nodes
    values, upstream, local, downstream, kinks = trace.values, trace.upstream, trace.local, trace.downstream, \
        trace.kinks
    chain = itertools.chain.from_iterable
    num = _repr if _finite_floats(values, upstream, list(chain(local)), list(chain(downstream))) else _num
    names = [node.name for node in nodes]
    fanout = graph.fanout
    consumers = graph.shared_consumers if max(fanout) > 1 else {}
    pattern_texts: dict[Any, Any] = {}  # (op, copy gate?) -> the "patterns" value
    op_texts: dict[Any, Any] = {}       # (op, arity) -> _op_texts
    for k in range(len(nodes) - 1, -1, -1):
        node = nodes[k]
        op = node.op
        name = names[k]
        shared = fanout[k] > 1
        key = (op, shared)
        listed = pattern_texts.get(key)
        if listed is None:
            listed = pattern_texts[key] = ", ".join(['"' + p + '"' for p in patterns_of(op, shared)])
        if shared:
            parts = ", ".join([f'{{"from": "{names[c]}", "value": {num(downstream[c][slot])}}}'
                               for c, slot in consumers[k]])
        else:
            parts = ""
        if op is None:
            yield (f'{{"name": "{name}", "op": "input", "label": "{name}", "expr": "input", '
                   f'"patterns": [{listed}], "inputs": [], "value": {num(values[k])}, '
                   f'"upstream": {num(upstream[k])}, "formula": [], "local": [], "downstream": [], '
                   f'"parts": [{parts}], "kink": null}}')
            continue
        inputs = node.inputs
        arity = len(inputs)
        fixed = op_texts.get((op, arity))
        if fixed is None:
            fixed = op_texts[(op, arity)] = _op_texts(op, arity)
        label, plan, infix = fixed
        if arity == 2:
            a, b = names[inputs[0]], names[inputs[1]]
            input_names = f'"{a}", "{b}"'
            if infix is not None and node.args is _BOTH:  # x * y: names and a symbol, nothing to escape
                expr = f'"{a} {node.spelling or infix} {b}"'
            else:
                expr = _string(write_expr(node, nodes))
            if plan is not None:
                formula = plan[0](a, b) + ", " + plan[1](a, b)
            else:
                formula = ", ".join(map(_string, formulas(graph, node)))
            local_text = f"{num(local[k][0])}, {num(local[k][1])}"
            down_text = f"{num(downstream[k][0])}, {num(downstream[k][1])}"
        else:
            ins = [names[j] for j in inputs]
            input_names = ", ".join(['"' + n + '"' for n in ins])
            expr = _string(write_expr(node, nodes))
            if plan is not None:
                formula = ", ".join([piece(*ins) for piece in plan])
            else:
                formula = ", ".join(map(_string, formulas(graph, node)))
            local_text = ", ".join(map(num, local[k]))
            down_text = ", ".join(map(num, downstream[k]))
        kink = kinks[k]
        yield (f'{{"name": "{name}", "op": "{op.name}", "label": {label or _string(node.label)}, '
               f'"expr": {expr}, "patterns": [{listed}], '
               f'"inputs": [{input_names}], "value": {num(values[k])}, '
               f'"upstream": {num(upstream[k])}, "formula": [{formula}], '
               f'"local": [{local_text}], "downstream": [{down_text}], "parts": [{parts}], '
               f'"kink": {"null" if kink is None else _string(kink)}}}')


def _op_texts(op: Any, arity: int) -> tuple[str | None, tuple[Any, ...] | None, str | None]:
    """What every node of one op writes the same: its label as JSON (None when it names a constant,
    as +{c} does); its formulas when they need only input names, as one function per input from
    the input names to the JSON text (None when they need parameters); and its infix symbol."""
    label = None if "{c}" in op.label else _string(op.label)
    plan = formula_plan(op.formula, arity)
    if plan is None:
        return label, None, op.infix
    return label, tuple(_formula_writer(kind, data) for kind, data in plan), op.infix


def _formula_writer(kind: str, data: Any) -> Any:
    """One input's formula as JSON from the input names: a fixed text, an input's name, or text
    around names ("[x > 0]"). Names are identifiers, so only the fixed pieces are escaped."""
    if kind == "text":
        text = _string(data)
        return lambda *names: text
    if kind == "input":
        return lambda *names: '"' + names[data] + '"'
    pieces = [(_string(literal)[1:-1], None if field is None else int(field)) for literal, field in data]

    def write(*names: str) -> str:
        return '"' + "".join([literal + ("" if field is None else names[field]) for literal, field in pieces]) + '"'
    return write


def ndjson_chunks(trace: Trace, extra: dict[Any, Any] | None = None,
                  report: Report | None = None) -> Iterator[str]:
    """--format ndjson: a header line, one line per node (output first), and a closing result
    line with the output's value, the gradients and any reports. Each line is a JSON object with
    a "type"; lines are written as they are made, so a reader sees the first node at once."""
    head = trace.head_dict()
    header = {"type": "header", "schema_version": head["schema_version"], "mode": head["mode"],
              "expression": head["expression"], "output": head["output"]["name"]}
    yield _encode(header)[:-1] + ', "bindings": ' + _line_mapping(head["bindings"]) + "}\n"
    lines = (_fast_lines if trace.mode == "numeric" and not trace.arrays else _lines)(trace)
    total = len(trace.graph.nodes)
    for done in range(0, total, BLOCK):
        yield "".join(['{"type": "node", ' + line[1:] + "\n" for line in itertools.islice(lines, BLOCK)])
        if report is not None and not done % (16 * BLOCK):
            report("writing JSON", done, total)
    result = '{"type": "result", "output": ' + _encode(head["output"]) + ', "gradients": ' + \
        _line_mapping(head["gradients"])
    for key in ("gradients_symbolic", "gradients_exact"):
        if key in head:
            result += f", {_string(key)}: " + _line_mapping(head[key])
    tail = trace.tail_dict()
    if extra:
        tail.update(extra)
    for key, value in tail.items():
        result += f", {_string(key)}: {_encode(value)}"
    yield result + "}\n"


def _line_mapping(pairs: Any) -> str:
    return "{" + ", ".join([f"{_string(k)}: {_num(v)}" for k, v in pairs]) + "}"
