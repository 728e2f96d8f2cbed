"""Reading a filled formula back: the local column's text (formulas.py fills it with values),
read as a number by gradtrace's own parser and engine, never eval, so that tests and --explain
can check that what is shown is what the op table computes."""

from __future__ import annotations

import math
import re
from typing import Any

from .graph import Const


class FormulaError(Exception):
    """A formula text that can't be read as a number: a defect of the op table, never of the
    user's input (tests/test_formula_text.py reads every op's formulas, so none reaches a user)."""


# Notation the formulas use that the language has no name for, defined in the language ({z}: the argument).
NOTATION = {
    "Φ": "erfc(-({z})/√2)/2",        # the standard normal CDF
    "φ": "exp(-({z})²/2)/√(2·π)",    # and its density
}
_DEFINITION = re.compile(r",\s*(?=[A-Za-zα-ωΑ-Ω_][\w']*\s*=[^=])")  # ", u' = ..." between definitions
_BRACKET = re.compile(r"\[([^\[\]]*)\]")                              # an innermost [condition]
_COMPARISON = re.compile(r"(<=|>=|≤|≥|≠|<|>|=)")
_EXTREME = re.compile(r"(.*)\bis (max|min)\s*\Z", re.S)


def evaluate(text: str, among: list[str] | None = None) -> float:
    """The number a formula filled with values stands for, as the local column writes it
    ("1+tan(0.5)²", "-1/1.37²", "[-1 < 0.3 < 1]"), read by gradtrace's own parser, never by eval.

    Besides the language it reads the table's notation: [condition] is 1 where the condition
    holds and 0 where it does not; "a if condition else b"; conditions are comparisons, chained
    as in 0 < x < 1, or "v is max" (min), which holds when v is the largest (smallest) of
    `among`, the values the gate compares (texts, written as the values are); Φ and φ, the normal
    distribution's CDF and density; and definitions after "with": "2·u with u = 3". nan where
    floats can't hold a step (a square of 1e200, or a division by a square that underflows);
    FormulaError where the text does not read as a number."""
    main, sep, definitions = text.partition(" with ")
    if sep:
        pending = _DEFINITION.split(definitions)
        for k, definition in enumerate(pending):
            name, equals, body = definition.partition("=")
            name = name.strip()
            if not equals or not re.fullmatch(r"[^\W\d][\w]*'*", name):
                raise FormulaError(f"{text!r}: {definition!r} is not a definition (name = value)")
            value = _number(evaluate(body, among))
            word = re.compile(rf"(?<![\w']){re.escape(name)}(?![\w'])")
            main = word.sub(value, main)
            pending[k + 1:] = [word.sub(value, later) for later in pending[k + 1:]]
    return _conditional(main.strip(), among)


def _number(value: float) -> str:
    """A value as text to put back into a formula: in full, negative ones in parentheses."""
    text = repr(float(value))
    return f"({text})" if text.startswith("-") or not math.isfinite(value) else text


def _conditional(text: str, among: list[str] | None) -> float:
    """'a if condition else b', or a formula without one."""
    head, sep, rest = _top_level_split(text, " if ")
    if not sep:
        return _brackets(text, among)
    condition, sep, otherwise = _top_level_split(rest, " else ")
    if not sep:
        raise FormulaError(f"{text!r}: 'if' without 'else'")
    return _conditional(head if _holds(condition, among) else otherwise, among)


def _top_level_split(text: str, word: str) -> tuple[str, str, str]:
    """text.partition(word) at the first `word` outside parentheses and brackets."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and text.startswith(word, i):
            return text[:i], word, text[i + len(word):]
    return text, "", ""


def _brackets(text: str, among: list[str] | None) -> float:
    """Each [condition] replaced by 1 or 0, innermost first, then the rest read as a number."""
    while "[" in text or "]" in text:
        found = _BRACKET.search(text)
        if found is None:
            raise FormulaError(f"{text!r}: unmatched brackets")
        text = text[:found.start()] + ("1" if _holds(found.group(1), among) else "0") + text[found.end():]
    return _read(_expand(text))


def _holds(condition: str, among: list[str] | None) -> bool:
    """Whether a condition holds: a chain of comparisons, or "v is max" (min)."""
    extreme = _EXTREME.match(condition)
    if extreme is not None:
        if not among:
            raise FormulaError(f"{condition!r}: 'is {extreme.group(2)}' needs the values the gate compares")
        pick = max if extreme.group(2) == "max" else min
        return _conditional(extreme.group(1).strip(), among) == pick(map(_read, among))
    pieces = _COMPARISON.split(condition)
    if len(pieces) < 3:
        raise FormulaError(f"{condition!r} is not a comparison")
    values = [_conditional(piece.strip(), among) for piece in pieces[::2]]
    tests = {"<": float.__lt__, ">": float.__gt__, "≤": float.__le__, "<=": float.__le__, "≥": float.__ge__,
             ">=": float.__ge__, "=": float.__eq__, "≠": float.__ne__}
    return all(tests[symbol](float(a), float(b)) for a, symbol, b in zip(values, pieces[1::2], values[1:]))


def _expand(text: str) -> str:
    """Φ(...) and φ(...) written out in the language, from NOTATION."""
    for name, definition in NOTATION.items():
        while f"{name}(" in text:
            start = text.index(f"{name}(") + len(name)
            depth, end = 0, None
            for i in range(start, len(text)):
                depth += {"(": 1, ")": -1}.get(text[i], 0)
                if depth == 0:
                    end = i
                    break
            if end is None:
                raise FormulaError(f"{text!r}: unmatched parenthesis after {name}")
            text = text[:start - len(name)] + "(" + definition.format(z=text[start + 1:end]) + ")" + text[end + 1:]
    return text


def _read(text: str) -> float:
    """A formula of numbers, read by the language's parser, its constants folded as it reads."""
    from .errors import EvaluationError, GradtraceError
    from .graph import constant

    if not text.strip():
        raise FormulaError("an empty formula")
    try:
        value = constant(text)
    except EvaluationError:
        return math.nan  # a step outside the floats (an overflow, 0 from an underflow divided by)
    except GradtraceError as err:
        raise FormulaError(f"{text!r} does not read as a number: {err}") from None
    if not isinstance(value, Const):
        raise FormulaError(f"{text!r} names something that is not a number")
    return value.value


def evaluate_array(text: str, inputs: dict[str, Any], up: Any) -> Any:
    """An array op's formula (up·xᵀ, Wᵀ·up, x/‖x‖, 1/n) read with arrays bound to its names, by
    gradtrace's own parser and engine (numpy), never eval. Its names are the op's inputs; `up`,
    the upstream gradient; and `ones` and `n`, ones shaped as the first input and its size. As the
    notation writes them, vectors are columns (x·yᵀ is an outer product), and ᵀ and ‖x‖ are .T and
    norm(x). FormulaError where the text does not read."""
    from .engine import forward
    from .errors import GradtraceError
    from .graph import build, constant
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    first = np.asarray(next(iter(inputs.values())), dtype=float)
    values = {"ones": np.ones_like(first), "n": float(first.size), "up": up, **inputs}
    values = {k: (v[:, None] if np.ndim(v) == 1 else v) for k, v in values.items()}  # vectors as columns
    source = re.sub(r"‖([^‖]*)‖", r"norm(\1)", text.replace("ᵀ", ".T"))
    try:
        if isinstance(constant(source), Const):
            return _read(source)  # a number: 1, 1/2
        graph = build(source, bound=set(values))
    except GradtraceError as err:
        raise FormulaError(f"{text!r} does not read: {err}") from None
    missing = graph.variable_names - set(values)
    if missing:
        raise FormulaError(f"{text!r} names {', '.join(sorted(missing))}, which it does not define")
    try:
        out = forward(graph, {v.name: values[v.name] for v in graph.variables}, numpy_backend)
    except GradtraceError as err:
        raise FormulaError(f"{text!r} can't be computed: {err}") from None
    return out[graph.output.id]


# The notation of the row-wise ops' formulas (softmax, log_softmax, cross_entropy, svm_loss),
# written out in the language for evaluate_array, or bound to arrays it computes.
_DIAG = re.compile(r"diag\(([^()]*)\)")
_ONEHOT = re.compile(r"onehot\(([^()]*)\)")
_SUM = re.compile(r"Σ(\w+|\([^()]*\))")


def evaluate_row(text: str, row: tuple[str, Any], label: tuple[str, int] | None = None, rows: int = 1) -> Any:
    """A row-wise op's formula (diag(p)-p·pᵀ, (p-onehot(y))/N) for one row of its input, read by
    evaluate_array, never eval: the Jacobian of the row's outputs by its inputs (C×C), or the
    gradient of a loss by the row (a column of C). row is the input's name and this row's values,
    label the labels' name and this row's label. The notation, as the lecture writes it: p is the
    row's softmax; I the C×C identity; 1 a column of ones (times a row it is the row repeated, as
    broadcasting makes it); N the number of rows; diag(v) the matrix with v on its diagonal;
    onehot(y) the column with 1 at the label; x_y the row's value at the label; [a > b] is 1 where
    the comparison holds and 0 where not, element by element; Σv the sum of v's elements; and
    definitions after "with": "[m > 0] with m = x-x_y+1". FormulaError where the text does not read."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    name, x = row[0], np.asarray(row[1], dtype=float)
    if x.ndim != 1:
        raise FormulaError(f"{text!r}: a row has one axis, not {x.ndim}")
    z = np.exp(x - np.max(x))
    values: dict[str, Any] = {name: x, "p": z / np.sum(z), "I": np.eye(x.size), "N": float(rows)}
    if label is not None:
        values[f"{name}_{label[0]}"] = x[label[1]]
        values["onehot_" + label[0]] = np.eye(x.size)[label[1]]
    main, sep, definitions = text.partition(" with ")
    for definition in _DEFINITION.split(definitions) if sep else []:
        term, equals, body = definition.partition("=")
        if not equals or not re.fullmatch(r"[^\W\d]\w*", term.strip()) or term.strip() in values:
            raise FormulaError(f"{text!r}: {definition!r} is not a definition of a new name (name = value)")
        values[term.strip()] = _row_value(body, values)
    return _row_value(main, values)


def _row_value(text: str, values: dict[str, Any]) -> Any:
    """A piece of a row formula read with `values` bound; each [comparison] is computed and bound
    to a fresh name first, innermost first."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    text = text.strip()
    while "[" in text or "]" in text:
        found = _BRACKET.search(text)
        if found is None:
            raise FormulaError(f"{text!r}: unmatched brackets")
        pieces = _COMPARISON.split(found.group(1))
        if len(pieces) != 3:
            raise FormulaError(f"{found.group(1)!r} is not one comparison")
        a, b = (np.asarray(_row_value(piece, values), dtype=float) for piece in pieces[::2])
        tests = {"<": np.less, ">": np.greater, "≤": np.less_equal, "<=": np.less_equal, "≥": np.greater_equal,
                 ">=": np.greater_equal, "=": np.equal, "≠": np.not_equal}
        fresh = f"holds{len(values)}"
        held = tests[pieces[1]](a, b).astype(float)
        # a column back to the vector it reads as; a number stays a number, a matrix a matrix
        values[fresh] = float(held) if held.ndim == 0 else held.reshape(-1) if held.shape[-1] == 1 else held
        text = text[:found.start()] + fresh + text[found.end():]
    text = _SUM.sub(r"sum(\1)", text)
    text = _DIAG.sub(r"(I*(\1)ᵀ)", text)
    text = _ONEHOT.sub(lambda m: "onehot_" + m.group(1).strip(), text)
    return evaluate_array(text, values, None)
