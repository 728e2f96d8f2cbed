"""The JSON contract scripts rely on, written in one place: strict RFC 8259 JSON of a trace.

The document is written in pieces, one node per line, so a 10^6-node trace streams out in
linear time and memory instead of being built as one giant dict and one giant string first.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from .formulas import fill, formulas
from .graph import _BOTH, _ONE, Report, expr_from_parts, write_expr
from .trace import Trace, jsonable, patterns_of

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": ")).encode
_string = json.encoder.encode_basestring  # the C escaper json itself uses for str
_repr = float.__repr__                   # json writes floats with repr, too
BLOCK = 1024                             # nodes per write
COLUMN = 1 << 14                         # values whose texts _texts writes at once


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
            entries = _mapping(value, ",\n    ")
            yield f"  {_string(key)}: " + ("{\n    " + entries + "\n  }" if entries else "{}") + ",\n"
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


def _mapping(pairs: Iterable[tuple[str, Any]], separator: str) -> str:
    """Bindings or gradients (there may be a million of them) as JSON entries "name": value joined
    by separator. A block of floats, the usual case, is written at C speed, each number's text
    remembered as in _fast_lines."""
    pairs = iter(pairs)
    text = _NumberTexts().__getitem__
    blocks = []
    while block := list(itertools.islice(pairs, BLOCK)):
        values = list(map(_SECOND, block))
        texts = map(text if set(map(type, values)) <= {float} else _num, values)
        keys = map(_concat, map(_string, map(_FIRST, block)), itertools.repeat(": "))
        blocks.append(separator.join(map(_concat, keys, texts)))
    return separator.join(blocks)


_FIRST, _SECOND, _concat = operator.itemgetter(0), operator.itemgetter(1), operator.add


def _lines(trace: Trace) -> Iterator[str]:
    """Every node's line, output first, each the compact JSON of trace.node_dict(node)."""
    nodes = trace.graph.nodes
    for k in range(len(nodes) - 1, -1, -1):
        yield _encode(trace.node_dict(nodes[k]))


def _num(value: Any) -> str:
    if value.__class__ is float and value - value == 0.0:  # finite: NaN and ±inf fail this
        return _repr(value)
    return _encode(jsonable(value))


class _NumberTexts(dict[Any, str]):
    """Numbers' JSON texts, remembered: float repr is the dearest step of a large trace's JSON, and
    the same numbers come back (a copy gate's value, the 1.0 of every add, a mul's local gradient
    that is its other input's value). It forgets everything every LIMIT numbers, so it stays small."""
    LIMIT = 1 << 12

    def __missing__(self, value: Any) -> str:
        text = _repr(value) if value.__class__ is float and value - value == 0.0 else _num(value)
        if value:  # 0.0 and -0.0 are one key with two texts, so neither is kept
            if len(self) >= self.LIMIT:
                self.clear()
            self[value] = text
        return text


def _last_first(values: list[Any], text: Any) -> Iterator[str]:
    """Every value's text, the last node's first, written COLUMN values at a time by _texts."""
    tops = range(len(values), 0, -COLUMN)
    return itertools.chain.from_iterable(reversed(_texts(values[max(0, top - COLUMN):top], text)) for top in tops)


def _texts(numbers: list[Any], text: Any) -> list[str]:
    """The JSON texts of every node's value, written at once by json's C encoder (which writes a
    float with repr, as text() does): values are mostly new numbers, which text() would not have
    remembered. When most of them repeat, each distinct one is written once."""
    if set(map(type, numbers)) <= {float}:
        total = sum(numbers)
        if total - total == 0.0:  # no NaN or infinity among them (nor a sum too large for a float)
            sample = numbers[::7]
            if 4 * len(set(sample)) > len(sample):  # mostly distinct: all written is quicker than looked up
                return _encode(numbers)[1:-1].split(", ")
            distinct = list(dict.fromkeys(numbers))
            texts = list(map(dict(zip(distinct, _encode(distinct)[1:-1].split(", "))).__getitem__, numbers))
            if 0.0 in distinct:  # 0.0 and -0.0 are one key with two texts
                k = -1
                for _ in range(numbers.count(0.0)):
                    k = numbers.index(0.0, k + 1)
                    texts[k] = _repr(numbers[k])
            return texts
    return list(map(text, numbers))


def _fast_lines(trace: Trace) -> Iterator[str]:
    """The lines of _lines for a numeric scalar trace, written from the trace's columns without
    building dicts: a 10^6-node trace spends most of its JSON time here. Nodes that write the same
    texts (one op, spelling, number of inputs, copy gate or not) share what _kind makes for them
    once: for a gate of one or two inputs written only with their names (x * y, relu(t1)), the
    literal pieces between the names, so that its line is one f-string; for any other gate, a
    str.format template of its line's head. Only names and numbers are filled in per node.
    tests/test_json.py checks that both writers agree for every op."""
    graph = trace.graph
    nodes = graph.nodes
    values, upstream, local, downstream = trace.values, trace.upstream, trace.local, trace.downstream
    text = _NumberTexts().__getitem__
    names = [node.name for node in nodes]
    fanout = graph.fanout
    consumers = graph.shared_consumers if max(fanout) > 1 else {}
    kinks = trace.kinks
    made: dict[Any, Any] = {}
    simple: dict[Any, Any] = {}  # op -> (spelling, args, kind) of its last plain gate, found sooner
    for k, value_text in zip(range(len(nodes) - 1, -1, -1), _last_first(values, text)):
        node = nodes[k]
        op = node.op
        shared = fanout[k] > 1
        if shared:
            parts = ", ".join([f'{{"from": "{names[c]}", "value": {text(downstream[c][slot])}}}'
                               for c, slot in consumers[k]])
        else:
            parts = ""
        name = names[k]
        if op is None:
            patterns = '"adder"' if shared else ""
            yield (f'{{"name": "{name}", "op": "input", "label": "{name}", "expr": "input", "patterns": [{patterns}], '
                   f'"inputs": [], "value": {value_text}, "upstream": {text(upstream[k])}, "formula": [], '
                   f'"local": [], "downstream": [], "parts": [{parts}], "kink": null}}')
            continue
        inputs = node.inputs
        args = node.args
        spelling = node.spelling
        plain = not shared and (args is _BOTH or args is _ONE)  # a gate of its inputs alone, used once
        last = simple.get(op) if plain else None
        if last is not None and last[0] == spelling and last[1] is args:
            kind = last[2]
        else:
            key = (op, spelling, len(inputs), shared, args is _BOTH or args is _ONE)
            kind = made.get(key)
            if kind is None:
                kind = made[key] = _kind(node, key[3], key[4])
            if plain:
                simple[op] = (spelling, args, kind)
        kink = kinks[k]
        kink_text = "null" if kink is None else _string(kink)
        p1, p2, p3, formula, head = kind
        if p1 is not None and len(inputs) == 2:  # x * y, max(x, y): one f-string
            a, b = names[inputs[0]], names[inputs[1]]
            l0, l1 = local[k]
            d0, d1 = downstream[k]
            formulas_text = formula if formula.__class__ is str else formula(a, b, name)
            yield (f'{{"name": "{name}{p1}{a}{p2}{b}{p3}{a}", "{b}"], "value": {value_text}, '
                   f'"upstream": {text(upstream[k])}, "formula": [{formulas_text}], '
                   f'"local": [{text(l0)}, {text(l1)}], "downstream": [{text(d0)}, {text(d1)}], "parts": [{parts}], '
                   f'"kink": {kink_text}}}')
        elif p1 is not None:  # relu(t1), -x
            a = names[inputs[0]]
            formulas_text = formula if formula.__class__ is str else formula(a, name)
            yield (f'{{"name": "{name}{p1}{a}{p2}{a}"], "value": {value_text}, '
                   f'"upstream": {text(upstream[k])}, "formula": [{formulas_text}], '
                   f'"local": [{text(local[k][0])}], "downstream": [{text(downstream[k][0])}], "parts": [{parts}], '
                   f'"kink": {kink_text}}}')
        else:
            line = head(name, value_text, text(upstream[k]), *[names[j] for j in inputs], *_special(graph, node))
            yield (f'{line}, "local": [{", ".join(map(text, local[k]))}], '
                   f'"downstream": [{", ".join(map(text, downstream[k]))}], "parts": [{parts}], "kink": {kink_text}}}')


def _kind(node: Any, shared: bool, simple: bool) -> tuple[Any, ...]:
    """What every line like this gate's has in common (see _fast_lines): (p1, p2, p3, formula,
    head). For a gate of one or two inputs written with their names only, and whose label and
    formulas name no constant or parameter: p1, p2 and p3, the literal JSON between the node's
    name and its inputs' names as they come in its line; formula, its formulas' text, or a
    function of the inputs' names and the node's name that writes it; head None. For any other
    gate, p1 is None and head is a str.format of its line up to its formulas, whose label,
    expression and formulas are _special's texts (fields: 0 the node's name, 1 its value, 2 its
    upstream gradient, 3... its inputs' names, then those three)."""
    op = node.op
    arity = len(node.inputs)
    patterns = ", ".join(['"' + p + '"' for p in patterns_of(op, shared)])
    fields = [f"\ue000{j}\ue001" for j in range(arity)]  # where each input's name goes, marked
    formulas_json = [_formula_json(op.formula[min(j, len(op.formula) - 1)], fields, j, f"\ue000{arity}\ue001")
                     for j in range(arity)]
    expr = _string(expr_from_parts(node, op, fields))[1:-1]
    in_order = _SLOT.findall(expr) == [str(j) for j in range(arity)]  # each input's name once, in order
    if not simple or "{c}" in op.label or None in formulas_json or not in_order:
        names = ", ".join([f'"{{{3 + j}}}"' for j in range(arity)])
        label, expr, formula = (f"{{{3 + arity + j}}}" for j in range(3))
        head = ('{{"name": "{0}", ' f'"op": "{op.name}", "label": {label}, "expr": {expr}, '
                f'"patterns": [{_braces(patterns)}], "inputs": [{names}], "value": {{1}}, "upstream": {{2}}, '
                f'"formula": [{formula}]')
        return None, None, None, None, head.format
    start = f'", "op": "{op.name}", "label": {_string(op.label)}, "expr": "'
    rest = f'", "patterns": [{patterns}], "inputs": ["'
    if arity == 2:
        before, between, after = _SLOT.split(expr)[::2]
        pieces: tuple[Any, ...] = (start + before, between, after + rest)
    else:
        before, after = _SLOT.split(expr)[::2]
        pieces = (start + before, after + rest, None)
    formula = ", ".join(formulas_json)  # type: ignore[arg-type]  # every one is text here
    if _SLOT.search(formula):  # names in it: a str.format of the inputs' names and the node's
        return (*pieces, _filler(formula), None)
    return (*pieces, formula, None)


def _special(graph: Any, node: Any) -> tuple[str, ...]:
    """A node's label, expression and formulas as JSON, made for it alone (see _kind)."""
    return (_string(node.label), _string(write_expr(node, graph.nodes)), ", ".join(map(_string, formulas(graph, node))))


def _formula_json(template: Any, inputs: list[str], slot: int, out: str) -> str | None:
    """One input's formula as JSON, with the given texts for the inputs' names ({0}, {1}, {i}) and
    the node's own ({out}); None when it needs a parameter or is a function."""
    text = fill(template, {str(j): marked for j, marked in enumerate(inputs)} | {"i": inputs[slot], "out": out})
    return None if text is None else _string(text)


def _braces(text: str) -> str:
    """Literal text for a str.format template."""
    return text.replace("{", "{{").replace("}", "}}")


_SLOT = re.compile("\ue000([0-9]+)\ue001")


def _filler(text: str) -> Callable[..., str]:
    """A function of the fields (the inputs' names, then the node's) that writes text with its
    marked fields (\\ue000 3 \\ue001) filled in: an f-string for one to three fields, which
    takes a third of the time of str.format (it parses its template at every call), else that."""
    parts = _SLOT.split(text)
    lit, at = parts[::2], [int(j) for j in parts[1::2]]
    if len(at) == 1:
        (a0, a1), (i,) = lit, at
        return lambda *f: f"{a0}{f[i]}{a1}"
    if len(at) == 2:
        (a0, a1, a2), (i, j) = lit, at
        return lambda *f: f"{a0}{f[i]}{a1}{f[j]}{a2}"
    if len(at) == 3:
        (a0, a1, a2, a3), (i, j, k) = lit, at
        return lambda *f: f"{a0}{f[i]}{a1}{f[j]}{a2}{f[k]}{a3}"
    return _SLOT.sub(r"{\1}", _braces(text)).format


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
    return "{" + _mapping(pairs, ", ") + "}"
