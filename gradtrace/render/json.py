"""--json and --format ndjson: the JSON contract scripts rely on, written by one writer here:
strict RFC 8259 JSON of a trace (no NaN or Infinity tokens).

The trace says what the document holds (Trace.head_dict, node_dict and tail_dict, and
Trace.to_dict, the whole of it as Python data); this module is the one place that writes it as
text. The document is written in pieces, one node per line, so a 10^6-node trace streams out in
linear time and memory instead of being built as one giant dict and one giant string first.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from ..core.errors import GradtraceError
from ..core.formulas import _PLACEHOLDER, fill, param_fields
from ..core.graph import _BOTH, _ONE, Const, Report, expr_from_parts, write_expr
from ..core.trace import NodeTrace, Trace, jsonable, node_record, part_record, patterns_of

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
    lines = _lines(trace)
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
    remembered as in _lines."""
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


def _lines(trace: Trace) -> Iterator[str]:
    """Every node's line, output first: the compact JSON of trace.node_dict(node), written from the
    trace's columns without building the dicts (a 10^6-node trace spends most of its JSON time
    here). What json writes for core.trace.node_record filled with markers gives each line's
    literal pieces (_layout), once per kind of node (one op, spelling, number of inputs, copy gate
    or not: _kind), so only names and numbers are filled in per node: by one f-string for a
    variable and for a gate of one or two inputs written with their names alone (x * y,
    relu(t1)), by a str.format for any other gate, whose label, expression and formulas are made
    for it (_special). An array, exact or symbolic trace (small ones, in practice) writes every
    gate the second way, and appends the keys of its mode (Trace.node_extra) to each line."""
    graph = trace.graph
    nodes = graph.nodes
    values, upstream, local, downstream = trace.columns()
    ready = trace.ready if trace.streaming else None  # a streamed trace's backward pass runs as the lines are made
    plain = trace.mode == "numeric" and not trace.arrays  # Python floats: their texts remembered
    text = _NumberTexts().__getitem__ if plain else _null if trace.mode == "symbolic" else _num
    names = [node.name for node in nodes]
    fanout = graph.fanout
    consumers = graph.shared_consumers if max(fanout) > 1 else {}
    kinks = trace.kinks
    made: dict[Any, Any] = {}
    simple: dict[Any, Any] = {}  # op -> (spelling, args, kind) of its last plain gate, found sooner
    end = "}"
    (v0, v1, v2, v3, v4, v5, v6), (r0, r1) = _VARIABLE, _PART
    for k, value_text in zip(range(len(nodes) - 1, -1, -1), _last_first(values, text)):
        if ready is not None:
            ready(k)
        node = nodes[k]
        op = node.op
        shared = fanout[k] > 1
        parts = ", ".join([f"{r0}{names[c]}{r1}{text(downstream[c][slot])}}}" for c, slot in consumers[k]]) \
            if shared else ""
        if not plain:
            extra = trace.node_extra(node)
            end = _encode(extra)[1:-1].join((", ", "}")) if extra else "}"
        name = names[k]
        kink = kinks[k]
        kink_text = "null" if kink is None else _string(kink)
        if op is None:
            patterns = '"adder"' if shared else ""
            yield (f"{v0}{name}{v1}{name}{v2}{patterns}{v3}{value_text}{v4}{text(upstream[k])}{v5}{parts}{v6}"
                   f"{kink_text}{end}")
            continue
        inputs = node.inputs
        args = node.args
        spelling = node.spelling
        plain_gate = plain and not shared and (args is _BOTH or args is _ONE)  # of its inputs alone, used once
        last = simple.get(op) if plain_gate else None
        if last is not None and last[0] == spelling and last[1] is args:
            kind = last[2]
        else:
            simple_args = args is _BOTH or args is _ONE
            # a gate with constants or keywords among its args: their places (and the constants'
            # binding strength, which decides their parentheses) make its kind too
            shape = None if simple_args or not plain else \
                (tuple([a if a.__class__ is int else a.precedence for a in args]), *[w for w, _ in node.keywords])
            key = (op, spelling, len(inputs), shared, plain and simple_args, shape)
            kind = made.get(key)
            if kind is None:
                kind = made[key] = _kind(node, shared, plain and simple_args, shape is not None)
            if plain_gate:
                simple[op] = (spelling, args, kind)
        pieces, formula, head = kind
        if pieces is None and formula is not None:  # a gate with constants: see _constant_kind
            params = param_fields(node) if formula else None
            texts = [names[j] for j in inputs]
            texts += [_text(a.text) for a in args if a.__class__ is Const]
            texts += [_text(c.text) for _, c in node.keywords]
            if params is not None:
                texts += [_text(params[field]) for field in formula]
            yield head(name, value_text, text(upstream[k]), ", ".join(map(text, local[k])),
                       ", ".join(map(text, downstream[k])), parts, kink_text, *texts) + end
        elif head is not None:
            label, expr, formulas_text = _special(trace, node)
            yield head(name, value_text, text(upstream[k]), label, expr, formulas_text,
                       ", ".join(map(text, local[k])), ", ".join(map(text, downstream[k])), parts, kink_text,
                       *[names[j] for j in inputs]) + end
        elif len(inputs) == 2:  # x * y, max(x, y)
            p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13 = pieces
            a, b = names[inputs[0]], names[inputs[1]]
            l0, l1 = local[k]
            d0, d1 = downstream[k]
            formulas_text = formula if formula.__class__ is str else formula(a, b, name)
            yield (f"{p0}{name}{p1}{a}{p2}{b}{p3}{a}{p4}{b}{p5}{value_text}{p6}{text(upstream[k])}{p7}{formulas_text}"
                   f"{p8}{text(l0)}{p9}{text(l1)}{p10}{text(d0)}{p11}{text(d1)}{p12}{parts}{p13}{kink_text}{end}")
        else:  # relu(t1), -x
            p0, p1, p2, p3, p4, p5, p6, p7, p8, p9 = pieces
            a = names[inputs[0]]
            formulas_text = formula if formula.__class__ is str else formula(a, name)
            yield (f"{p0}{name}{p1}{a}{p2}{a}{p3}{value_text}{p4}{text(upstream[k])}{p5}{formulas_text}"
                   f"{p6}{text(local[k][0])}{p7}{text(downstream[k][0])}{p8}{parts}{p9}{kink_text}{end}")


# A record written once with markers where a node's data goes: a name inside a JSON string where
# _in(field) is, a whole JSON value (a number, a list's entries, null) where _whole(field) is.
def _in(field: str) -> str:
    return f"\ue000{field}\ue001"


def _whole(field: str) -> str:
    return f"\ue002{field}\ue003"


_MARKED = re.compile('"\ue002(\\w+)\ue003"|\ue000(\\w+)\ue001')


def _layout(record: Any, expected: list[str] | None = None) -> tuple[str, ...] | None:
    """What json writes for a record with markers in it, split at the markers: the literal pieces
    before each marker (the closing brace left off: a line may add keys there). With expected,
    None unless the markers are those fields in that order."""
    pieces, fields = _split(record)
    return None if expected is not None and fields != expected else pieces


def _split(record: Any) -> tuple[tuple[str, ...], list[str]]:
    """The record as json writes it: the literal pieces before each marker, and the markers' fields."""
    split = _MARKED.split(_encode(record))
    assert split[-1] == "}"
    return (*split[0:-1:3],), [a or b for a, b in zip(split[1::3], split[2::3])]


def _fixed(record: Any, expected: list[str]) -> tuple[str, ...]:
    """_layout's pieces of a record whose fields _lines fills in this order."""
    pieces = _layout(record, expected)
    assert pieces is not None, "node_record's fields moved: _lines writes them in the order they come"
    return pieces


# A variable's line (name, name again as its label, patterns, value, upstream, parts, kink) and a
# part of a copy gate's gradient (the consumer's name, the value).
_VARIABLE = _fixed(node_record(_in("n"), "input", _in("n"), "input", [_whole("pattern")], [], _whole("v"),
                               _whole("u"), [], [], [], [_whole("p")], _whole("k")),
                   ["n", "n", "pattern", "v", "u", "p", "k"])
_PART = _fixed(part_record(_in("n"), _whole("v")), ["n", "v"])


def _kind(node: Any, shared: bool, simple: bool, constants: bool = False) -> tuple[Any, ...]:
    """What every line like this gate's has in common (see _lines): (pieces, formula, head). For
    a gate of one or two inputs written with their names alone, and whose label and formulas name
    no constant or parameter: pieces, its line's literal pieces (_layout; fields: the node's name,
    its inputs' names as its expression writes them and as its inputs, value, upstream, formulas,
    local and downstream gradients, parts, kink); formula, its formulas' JSON, or a function of
    the inputs' names and the node's name that writes it; head None. For any other gate, head is
    a str.format of its line (fields: 0 the node's name, 1 its value, 2 its upstream gradient,
    3-5 its label, expression and formulas as _special writes them, 6 and 7 its local and
    downstream gradients, 8 its parts, 9 its kink, 10... its inputs' names)."""
    op = node.op
    arity = len(node.inputs)
    patterns = list(patterns_of(op, shared))
    marks = [f"\ue000{j}\ue001" for j in range(arity)]  # where each input's name goes (_in)
    templates, label = op.text.formula, op.text.label
    formulas_json = [_formula_json(templates[min(j, len(templates) - 1)], marks, j, f"\ue000{arity}\ue001")
                     for j in range(arity)]
    if simple and arity <= 2 and "{c}" not in label and None not in formulas_json:
        ins = [str(j) for j in range(arity)]
        record = node_record(_in("n"), op.name, label, expr_from_parts(node, op, marks), patterns, marks,
                             _whole("v"), _whole("u"), [_whole("f")], [_whole(f"l{j}") for j in ins],
                             [_whole(f"d{j}") for j in ins], [_whole("p")], _whole("k"))
        pieces = _layout(record, ["n", *ins, *ins, "v", "u", "f", *[f"l{j}" for j in ins], *[f"d{j}" for j in ins],
                                  "p", "k"])
        if pieces is not None:  # else its expression writes an input twice, or not in order: as below
            formula = ", ".join(formulas_json)  # type: ignore[arg-type]  # every one is text here
            if _SLOT.search(formula):  # names in it: a function of the inputs' names and the node's
                return pieces, _filler(formula), None
            return pieces, formula, None
    if constants:
        made = _constant_kind(node, patterns)
        if made is not None:
            return made
    names = [_in(str(10 + j)) for j in range(arity)]
    record = node_record(_in("0"), op.name, _whole("3"), _whole("4"), patterns, names, _whole("1"), _whole("2"),
                         [_whole("5")], [_whole("6")], [_whole("7")], [_whole("8")], _whole("9"))
    pieces, fields = _split(record)
    head = "".join(_braces(piece) + "{" + field + "}" for piece, field in zip(pieces, fields))
    return None, None, head.format


def _constant_kind(node: Any, patterns: list[str]) -> tuple[Any, ...] | None:
    """The kind of a gate (of a plain numeric trace) with constants or keyword parameters among
    its args, x * 1.0001, t4 + 0.001, leaky_relu(x, alpha=0.2): (None, fields, head), head a
    str.format of its line whose fields are 0 its name, 1 its value, 2 its upstream gradient, 3
    and 4 its local and downstream gradients, 5 its parts, 6 its kink, then its inputs' names,
    the texts of its constant args and of its keywords as written, and last the parameters its
    formulas name other than {c} (fields lists them: core.formulas.param_fields writes them for
    each node). Every piece of the line that names no constant is written once, here. None when
    a formula is a function of the fields (x^c's): _special writes those gates."""
    op = node.op
    arity = len(node.inputs)
    templates = [op.text.formula[min(j, len(op.text.formula) - 1)] for j in range(arity)]
    if any(callable(t) for t in templates):
        return None
    order = ["0", "1", "2", "3", "4", "5", "6"]
    inputs = [_in(f"i{j}") for j in range(arity)]
    consts = [a for a in node.args if isinstance(a, Const)]
    marked = iter([Const(a.value, _in(f"c{m}"), a.precedence) for m, a in enumerate(consts)])
    parts = [inputs[a] if isinstance(a, int) else next(marked) for a in node.args]
    keywords = tuple((w, Const(c.value, _in(f"w{m}"), c.precedence)) for m, (w, c) in enumerate(node.keywords))
    order += [f"i{j}" for j in range(arity)] + [f"c{m}" for m in range(len(consts))] + \
        [f"w{m}" for m in range(len(keywords))]
    fields: dict[str, str] = {str(j): name for j, name in enumerate(inputs)} | {"out": _in("0")}
    wanted = [field for t in templates for field in _PLACEHOLDER.findall(t)
              if field not in fields and field != "i" and not (field == "c" and op.maths.constant and consts)]
    named = list(dict.fromkeys(wanted))  # each parameter once, in the order the formulas name it
    fields |= {field: _in(f"q{m}") for m, field in enumerate(named)}
    if op.maths.constant and consts:
        fields["c"] = _in("c0")  # {c} is the constant as written (param_fields)
    order += [f"q{m}" for m in range(len(named))]
    formulas = [fill(t, fields | {"i": inputs[j]}) for j, t in enumerate(templates)]
    label = op.text.label.replace("{c}", _in("c0")) if "{c}" in op.text.label and consts else op.text.label
    expr = expr_from_parts(node, op, parts, keywords)
    record = node_record(_in("0"), op.name, label, expr, patterns, inputs, _whole("1"), _whole("2"), formulas,
                         [_whole("3")], [_whole("4")], [_whole("5")], _whole("6"))
    pieces, found = _split(record)
    if any(field not in order for field in found):
        return None
    head = "".join(_braces(piece) + "{" + str(order.index(field)) + "}" for piece, field in zip(pieces, found))
    return None, named, head.format


_TEXTS: dict[str, str] = {}


def _text(text: str) -> str:
    """A constant's text as it goes inside a JSON string (escaped once per text)."""
    escaped = _TEXTS.get(text)
    if escaped is None:
        if len(_TEXTS) > 4096:
            _TEXTS.clear()
        escaped = _TEXTS[text] = _string(text)[1:-1]
    return escaped


def _special(trace: Trace, node: Any) -> tuple[str, ...]:
    """A node's label, expression and formulas as JSON, made for it alone (see _kind): the
    formulas as the trace shows them (an array op's are those of its vector-Jacobian product)."""
    return (_string(node.label), _string(write_expr(node, trace.graph.nodes)),
            ", ".join(map(_string, NodeTrace(trace, node).formulas)))


def _null(value: Any) -> str:
    """A symbolic trace's numbers: it has none (its forms are texts, under "symbolic")."""
    return "null"


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
    lines = _lines(trace)
    total = len(trace.graph.nodes)
    for done in range(0, total, BLOCK):
        block: list[str] = []
        try:
            block.extend('{"type": "node", ' + line[1:] + "\n" for line in itertools.islice(lines, BLOCK))
        except GradtraceError:  # a streamed trace's backward pass stopped: the lines before it go out first
            yield "".join(block)
            raise
        yield "".join(block)
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


# ---- records beside the trace: errors and a batch's points -----------------------------------

def error_record(kind: str, message: str, span: tuple[int, int] | None, hint: str | None, code: int) -> dict[str, Any]:
    """An error as --json writes it, on its own ({"error": ...}) or as a batch point's result:
    kind, message, span, hint and exit code, every text printable whatever the input held, and
    bounded as the message on stderr is (the span says where the problem is)."""
    from ..core.errors import bounded, printable

    return {"kind": kind, "message": printable(bounded(message)), "span": list(span) if span else None,
            "hint": printable(bounded(hint)) if hint else None, "exit_code": code}


def point_record(k: int, result: Any) -> dict[str, Any]:
    """One point of a batch (--vars POINTS.jsonl) as its JSON line: its line number, then its
    bindings, value, gradients and any verdicts, or its error."""
    line: dict[str, Any] = {"point": k}
    if isinstance(result, GradtraceError):
        line["error"] = error_record(result.kind, result.message, result.span, result.hint, int(result.exit_code))
        return line
    line["bindings"] = {name: jsonable(v) for name, v in result.bindings.items()}
    line["value"] = jsonable(result.value)
    line["gradients"] = {name: jsonable(v) for name, v in result.gradients.items()}
    if result.check is not None:
        line["check"] = result.check.to_dict()
    if result.answers is not None:
        line["answers"] = [a.to_dict() for a in result.answers]
    return line
