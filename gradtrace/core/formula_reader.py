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
# ", u' = ..." between definitions; a name may carry accents (x̂)
_DEFINITION = re.compile(r",\s*(?=[A-Za-zα-ωΑ-Ω_][\w'\u0300-\u036f]*\s*=[^=])")
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


# The notation of the shape ops' formulas, numpy's (and JAX's) names for where a formula's value
# goes in the shape of the op's input: expand_dims(v, k) (sum along an axis), reshape(v, x.shape),
# zeros_like(x).at[0, 1:3].set(v) (a subscript's gradient).
_SHAPE_OF = re.compile(r"\s*([^\W\d]\w*)\.shape\s*")
_AT = re.compile(r"zeros_like\(\s*([^\W\d]\w*)\s*\)\.at\[([^\[\]]*)\]\.set\((.+)\)")
_PART = re.compile(r"\s*(-?[0-9]+)?\s*")


def evaluate_array(text: str, inputs: dict[str, Any], up: Any, n: float | None = None) -> Any:
    """An array op's formula (up·xᵀ, Wᵀ·up, x/‖x‖, 1/n) read with arrays bound to its names, by
    gradtrace's own parser and engine (numpy), never eval. Its names are the op's inputs; `up`,
    the upstream gradient; and `ones` and `n`, ones shaped as the first input and its size (or
    the n given). As the notation writes them, vectors are columns (x·yᵀ is an outer product), ᵀ
    and ‖x‖ are .T and norm(x), and ⊙ the elementwise product. Where a value goes in the first
    input's shape, numpy's notation: expand_dims(v, k) is v (the input's shape without axis k)
    copied along axis k, n there being that axis' length; reshape(v, x.shape) is v in x's shape;
    zeros_like(x).at[0, 1:3].set(v) is x's shape, 0 but v at a subscript of integers and slices.
    FormulaError where it does not read."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    first = np.asarray(next(iter(inputs.values())), dtype=float)
    at = _AT.fullmatch(text.strip())
    if at is not None:
        return _set_at(text, at, inputs, up)
    inputs, text, n = _placed(text, inputs, up, first, n)
    values = {"ones": np.ones_like(first), "n": float(first.size if n is None else n), "up": up, **inputs}
    values = {k: (v[:, None] if np.ndim(v) == 1 else v) for k, v in values.items()}  # vectors as columns
    return _array_value(text, values)


def _array_value(text: str, values: dict[str, Any]) -> Any:
    """An array formula read with exactly these names bound: ᵀ is .T, ‖x‖ is norm(x) and ⊙ (the
    elementwise product, as the explanations write it on arrays) is *."""
    from .engine import forward
    from .errors import GradtraceError
    from .graph import build, constant
    from .numpy_backend import numpy_backend

    source = re.sub(r"‖([^‖]*)‖", r"norm(\1)", text.replace("ᵀ", ".T").replace("⊙", "*"))
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


def _placed(text: str, inputs: dict[str, Any], up: Any, first: Any,
            n: float | None) -> tuple[dict[str, Any], str, float | None]:
    """Each expand_dims(v, k) and reshape(v, x.shape) in a formula computed and bound to a fresh
    name: the inputs with those names, the formula with them in place of the calls, and the n of
    an expand_dims (its axis' length)."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    shape = first.shape
    for call in ("expand_dims", "reshape"):
        while f"{call}(" in text:
            start, end, args = _call(text, call)
            value, _comma, last = args.rpartition(",")
            if call == "expand_dims":
                if not re.fullmatch(r"\s*-?[0-9]+\s*", last) or not -len(shape) <= int(last) < len(shape):
                    raise FormulaError(f"{text!r}: {last.strip()!r} is not an axis of the input {shape}")
                axis = int(last) % len(shape)
                n = shape[axis]
                head = np.asarray(evaluate_array(value, inputs, up, n), dtype=float)
                made = np.broadcast_to(np.expand_dims(_fitted(text, head, shape[:axis] + shape[axis + 1:]), axis),
                                       shape)
            else:
                target = _SHAPE_OF.fullmatch(last)
                if target is None or target.group(1) not in inputs:
                    raise FormulaError(f"{text!r}: {last.strip()!r} is not an input's shape")
                head = np.asarray(evaluate_array(value, inputs, up, n), dtype=float)
                made = _fitted(text, head, np.shape(inputs[target.group(1)]))
            fresh = f"placed{len(inputs)}"
            inputs = {**inputs, fresh: made}
            text = text[:start] + fresh + text[end:]
    return inputs, text, n


def _call(text: str, name: str) -> tuple[int, int, str]:
    """The first call name(...) in text: where it starts and ends, and what is between its parentheses."""
    start = text.index(f"{name}(")
    depth = 0
    for i in range(start + len(name), len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return start, i + 1, text[start + len(name) + 1:i]
    raise FormulaError(f"{text!r}: unmatched parenthesis after {name}")


def _set_at(text: str, at: re.Match[str], inputs: dict[str, Any], up: Any) -> Any:
    """zeros_like(x).at[index].set(v): x's shape, 0 but v at the index (integers and slices)."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    if at.group(1) not in inputs:
        raise FormulaError(f"{text!r} names {at.group(1)}, which is not an input")
    index = []
    for item in at.group(2).split(","):
        parts = item.split(":")
        read = [_PART.fullmatch(part) for part in parts]
        if len(parts) > 3 or any(m is None for m in read):
            raise FormulaError(f"{text!r}: {item!r} is not an index of integers and slices")
        numbers = [None if m is None or m.group(1) is None else int(m.group(1)) for m in read]
        if len(parts) == 1 and numbers[0] is None:
            raise FormulaError(f"{text!r}: an empty index")
        index.append(numbers[0] if len(parts) == 1 else slice(*numbers))
    out = np.zeros(np.shape(inputs[at.group(1)]))
    try:
        picked = out[tuple(index)]
    except (IndexError, ValueError) as err:
        raise FormulaError(f"{text!r}: {err}") from None
    out[tuple(index)] = _fitted(text, np.asarray(evaluate_array(at.group(3), inputs, up), dtype=float),
                                np.shape(picked))
    return out


def _fitted(text: str, value: Any, shape: tuple[int, ...]) -> Any:
    """A formula's value in the shape it is put in: a number everywhere, or its elements in that
    shape (a vector reads as a column, so its own shape is not the one meant)."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    if value.size == 1:
        return np.broadcast_to(value.reshape(()), shape)
    if value.size != int(np.prod(shape)):
        raise FormulaError(f"{text!r}: {value.size} values do not fill the shape {shape}")
    return value.reshape(shape)


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


# The notation of the window ops' formulas (conv2d, maxpool2d): CS231n's im2col, which writes a
# convolution as a matrix product, computed here by plain loops over the windows (not by the op
# table's rules, which these formulas are checked against).
_WINDOW_CALL = re.compile(r"(?<![\w'])(im2col|col2im|argmax|onehot)\(([^()]*)\)")


def evaluate_windows(text: str, image: tuple[str, Any], up: Any, window: tuple[int, int], stride: int = 1,
                     pad: int = 0, filters: tuple[str, Any] | None = None, bias: tuple[str, Any] | None = None) -> Any:
    """A window op's formula (col2im(wᵀ·up), up·im2col(x)ᵀ, up·ones, col2im(onehot(argmax(im2col(x))) * up))
    read by evaluate_array with arrays bound to its names, never eval: the downstream gradient of
    one input. image is the input's name and its (N, C, H, W) values; filters, for a convolution,
    the filters' name and their (F, C, HH, WW) values (None for pooling), bias the biases' (F,);
    window the window's height and width, stride and pad the op's. The notation, as CS231n writes a
    convolution: im2col(x) holds each window of x as a column, ordered by sample and then
    position (for a convolution a window spans every channel, C·HH·WW rows; for pooling each
    channel's window is a column of its own); the filters are a matrix with a row per filter, the
    biases a column; up, the upstream gradient, is laid out as im2col's columns (a row per filter,
    or one row for pooling); ones is a column of ones, one per window; col2im(M) adds each column
    of M back into its window of an image shaped as x, where windows overlap adding up, the
    padding cut off; argmax(M) is the row of each column's first largest entry's index, and
    onehot(r) the matrix with a 1 at row r[k] of column k. The result is laid out as the formula
    leaves it (an image, the filters as a matrix, the biases as a column). FormulaError where the
    text does not read."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    name, x = image[0], np.asarray(image[1], dtype=float)
    if x.ndim != 4:
        raise FormulaError(f"{text!r}: an image has four axes (N, C, H, W), not {x.ndim}")
    geometry = _Windows(x.shape, window, stride, pad, per_channel=filters is None)
    up = np.asarray(up, dtype=float)
    values: dict[str, Any] = {name: x, "ones": np.ones((geometry.columns, 1)),
                              "up": up.reshape(1, -1) if filters is None else
                              up.transpose(1, 0, 2, 3).reshape(up.shape[1], -1)}
    if filters is not None:
        w = np.asarray(filters[1], dtype=float)
        values[filters[0]] = w.reshape(w.shape[0], -1)
    if bias is not None:
        values[bias[0]] = np.asarray(bias[1], dtype=float).reshape(-1, 1)
    while True:
        found = _WINDOW_CALL.search(text)
        if found is None:
            break
        argument = evaluate_array(found.group(2), values, values["up"])
        fresh = f"window{len(values)}"
        values[fresh] = geometry.apply(found.group(1), np.asarray(argument, dtype=float), text)
        text = text[:found.start()] + fresh + text[found.end():]
    if re.search(r"(?<![\w'])(im2col|col2im|argmax|onehot)\b", text):
        raise FormulaError(f"{text!r}: unmatched parentheses")
    return evaluate_array(text, values, values["up"])


class _Windows:
    """An image's windows, for im2col and col2im: one column per window, ordered by sample (or
    sample and channel, pooling each channel on its own) and then by position, row-major."""

    def __init__(self, shape: tuple[int, ...], window: tuple[int, int], stride: int, pad: int, per_channel: bool):
        n, c, h, w = shape
        self.shape, self.window, self.stride, self.pad = shape, window, stride, pad
        self.samples, self.depth = (n * c, 1) if per_channel else (n, c)
        self.out = ((h + 2 * pad - window[0]) // stride + 1, (w + 2 * pad - window[1]) // stride + 1)
        self.rows = self.depth * window[0] * window[1]
        self.columns = self.samples * self.out[0] * self.out[1]

    def _corners(self) -> Any:
        for sample in range(self.samples):
            for i in range(self.out[0]):
                for j in range(self.out[1]):
                    yield sample, i * self.stride, j * self.stride

    def apply(self, function: str, m: Any, text: str) -> Any:
        from .numpy_backend import numpy_backend

        np = numpy_backend.np
        (kh, kw), (h, w), p = self.window, self.shape[2:], self.pad
        if function == "im2col":
            if m.shape != self.shape:
                raise FormulaError(f"{text!r}: im2col of a {m.shape} array, not an image {self.shape}")
            padded = np.pad(m, ((0, 0), (0, 0), (p, p), (p, p))).reshape(self.samples, self.depth, h + 2 * p, -1)
            return np.array([padded[s, :, i:i + kh, j:j + kw].reshape(-1) for s, i, j in self._corners()]).T
        if m.ndim != 2 or m.shape[1] != self.columns:
            raise FormulaError(f"{text!r}: {function} of a {m.shape} array, not one column per window "
                               f"({self.columns})")
        if function == "argmax":
            return np.argmax(m, axis=0)[None, :].astype(float)
        if function == "onehot":
            if m.shape[0] != 1 or np.any((m < 0) | (m >= self.rows) | (m != np.round(m))):
                raise FormulaError(f"{text!r}: onehot of {m.shape} values that are not one row of indices")
            return (np.arange(self.rows)[:, None] == m).astype(float)
        if m.shape[0] != self.rows:
            raise FormulaError(f"{text!r}: col2im of {m.shape[0]} rows, not a window's {self.rows}")
        out = np.zeros((self.samples, self.depth, h + 2 * p, w + 2 * p))
        for k, (s, i, j) in enumerate(self._corners()):
            out[s, :, i:i + kh, j:j + kw] += m[:, k].reshape(self.depth, kh, kw)
        return out[:, :, p:p + h, p:p + w].reshape(self.shape)


# The layers' notation (affine, batchnorm, spatial_batchnorm, layernorm, dropout), as the course
# writes their gradients: reductions over named axes, rows(x), and definitions after "with".
AXES = {2: "ND", 4: "NCHW"}  # the axes' letters, by the number of axes: (N, D) and (N, C, H, W)
_REDUCTION = re.compile(r"(Σ|mean|var)_([A-Z]+)\(|rows\(")
_NAME = r"[^\W\d][\w\u0300-\u036f]*'*"  # a defined name: σ, x̂, dx̂, u'
_REDUCE = {"Σ": "sum", "mean": "mean", "var": "var"}


def evaluate_layer(text: str, inputs: dict[str, Any], up: Any) -> Any:
    """A layer's formula (batchnorm's "Σ_N(up⊙x̂) with σ = √(var_N(x)+1e-05), x̂ = (x-mean_N(x))/σ")
    read with arrays bound to its names, by gradtrace's own parser and engine, never eval. Its
    names are the op's inputs and `up`, the upstream gradient. As the course writes them: a
    vector (b, gamma, beta: one value per feature) lies along axis 1, the features, broadcast over
    the batch (and H, W); Σ_A(v), mean_A(v) and var_A(v) sum, average and take the biased
    variance of v over the axes A names, kept so that they broadcast back, the axes of (N, D) and
    (N, C, H, W) named by their letters (Σ_N sums over the batch, mean_NHW over N, H and W,
    var_D over each row's features); rows(v) is v as N rows, (N, D) with D = d1·...·dk; ⊙ is the
    elementwise product and · the matrix product; and definitions after "with": "σ/2 with σ = 3".
    FormulaError where the text does not read."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    up = np.asarray(up, dtype=float)
    values: dict[str, Any] = {"up": up}
    for name, value in inputs.items():
        value = np.asarray(value, dtype=float)
        values[name] = value.reshape((1, -1) + (1,) * (up.ndim - 2)) if value.ndim == 1 and up.ndim >= 2 else value
    main, sep, definitions = text.partition(" with ")
    renamed: dict[str, str] = {}
    for definition in _DEFINITION.split(definitions) if sep else []:
        term, equals, body = definition.partition("=")
        term = term.strip()
        if not equals or not re.fullmatch(_NAME, term) or term in values or term in renamed:
            raise FormulaError(f"{text!r}: {definition!r} is not a definition of a new name (name = value)")
        renamed[term] = _bind(values, _layer_value(_rename(body, renamed), values))
    return _layer_value(_rename(main, renamed), values)


def _rename(text: str, renamed: dict[str, str]) -> str:
    """Each defined name (x̂, which the language can't spell) written as the name it is bound to."""
    for term in sorted(renamed, key=len, reverse=True):
        word = re.compile(rf"(?<![\w'\u0300-\u036f]){re.escape(term)}(?![\w'\u0300-\u036f])")
        text = word.sub(renamed[term], text)
    return text


def _bind(values: dict[str, Any], value: Any) -> str:
    """Bind a value to a fresh name, and return the name."""
    k = len(values)
    while f"v{k}_" in values:
        k += 1
    values[f"v{k}_"] = value
    return f"v{k}_"


def _layer_value(text: str, values: dict[str, Any]) -> Any:
    """A piece of a layer formula: each reduction and rows(...) computed and bound to a fresh name,
    innermost first (the last one to open holds no other), then the rest read as an array."""
    from .numpy_backend import numpy_backend

    np = numpy_backend.np
    while True:
        found = list(_REDUCTION.finditer(text))
        if not found:
            return _array_value(text, values)
        m = found[-1]
        depth, end = 1, None
        for i in range(m.end(), len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                end = i
                break
        if end is None:
            raise FormulaError(f"{text!r}: unmatched parenthesis after {m.group(0)}")
        arg = np.asarray(_array_value(text[m.end():end], values), dtype=float)
        if m.group(1) is None:  # rows(v)
            if arg.ndim < 2:
                raise FormulaError(f"{text!r}: rows() needs a batch, an array of two axes or more")
            value = arg.reshape(arg.shape[0], -1)
        else:
            letters, layout = m.group(2), AXES.get(arg.ndim, "")
            if not letters or len(set(letters)) < len(letters) or not set(letters) <= set(layout):
                raise FormulaError(f"{text!r}: {m.group(0)[:-1]} names axes that an array of shape "
                                   f"{arg.shape} does not have (its axes: {layout or 'none named'})")
            axes = tuple(layout.index(c) for c in letters)
            value = getattr(np, _REDUCE[m.group(1)])(arg, axis=axes, keepdims=True)
        text = text[:m.start()] + _bind(values, value) + text[end + 1:]
