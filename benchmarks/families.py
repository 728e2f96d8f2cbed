"""The program families the shape benchmark times, each in several spellings of the same graph.

A family is a graph of n units (statements, terms or nesting levels) written two ways:
  text      gradtrace's program, as a list of segments with a place for a line break between each
            two (spell() joins them in one of SPELLINGS);
  build     the same graph built from Python with micrograd-style Values (data, grad, backward(),
            + - * / **, relu), one operation at a time, in the order the text is read, so that
            both sides make the same gates and sum in the same order.

The families of issue 32 ("Speed: one path, no cliffs") use every character that has a second
spelling: a product (* or ·), a minus (- or −), a sigmoid (sigmoid( or σ() and a square (**2 or
²). Every spelling of a family is the same graph; only the text differs:
  plain        ASCII, no comments;
  comments     a header comment, a comment line every 10 units and a trailing comment every 10
               (expression families are put in parentheses, so that they may span lines);
  pasted       · for *, − for -, σ( for sigmoid(, as pasted from slides;
  superscript  ² for **2;
  all          all three at once.

micrograd has no sigmoid: sigmoid_for() adds one in micrograd's own style (a Value with a
closure for its backward), as a micrograd user would. This module imports neither gradtrace nor
micrograd, so the peer process and the tests can use it with any Value class.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SPELLINGS = ("plain", "comments", "pasted", "superscript", "all")
_MUL = re.compile(r"(?<!\*)\*(?!\*)")  # a product's *, not the ** of a power


@dataclass(frozen=True)
class Family:
    """One graph shape: its text (segments), bindings and micrograd-style build."""

    name: str
    what: str                 # one line for the report
    unit: str                 # what n counts
    segments: Callable[[int], list[str]]
    values: Callable[[int, random.Random], dict[str, Any]]
    build: Callable[[dict[str, Any], int, Callable[[Any], Any]], Any]
    statements: bool          # segments are statements (else pieces of one expression)
    spellings: tuple[str, ...] = SPELLINGS


def sigmoid_for(value_class: type) -> Callable[[Any], Any]:
    """σ for a micrograd-style Value class, written as micrograd writes relu."""

    def sigmoid(v: Any) -> Any:
        s = 1.0 / (1.0 + math.exp(-v.data)) if v.data >= 0 else math.exp(v.data) / (1.0 + math.exp(v.data))
        out = value_class(s, (v,), "sigmoid")

        def _backward() -> None:
            v.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    return sigmoid


def spell(family: Family, n: int, spelling: str) -> str:
    """The family's program text at size n in one spelling."""
    if spelling not in family.spellings:
        raise ValueError(f"{family.name} has no {spelling} spelling")
    segments = family.segments(n)
    if spelling in ("superscript", "all"):
        segments = [s.replace("**2", "²") for s in segments]
    if spelling in ("pasted", "all"):
        segments = [_MUL.sub("·", s).replace("-", "−").replace("sigmoid(", "σ(") for s in segments]
    if spelling not in ("comments", "all"):
        return ("\n" if family.statements else "").join(segments)
    # Comments: one line at the top, then between units a comment line every 10 and a trailing
    # comment every 10 (interleaved), as a commented program has them.
    out = [f"# {family.name}: {n} {family.unit}, one graph in many spellings\n"]
    out.append(segments[0] if family.statements else "(" + segments[0])
    for k, segment in enumerate(segments[1:], 1):
        if k % 10 == 0:
            out.append(f"  # after unit {k}: a trailing comment\n")
        elif k % 10 == 5:
            out.append(f"\n# unit {k} follows: a comment line between two\n")
        elif family.statements:
            out.append("\n")
        out.append(segment)
    out.append("" if family.statements else ")")
    return "".join(out)


# ---- chains: n named statements, each reading the one before ------------------------------------

def _chain_segments(n: int) -> list[str]:
    forms = (
        "h{i} = h{j} - b",
        "h{i} = relu(w*h{j} + b)",
        "h{i} = h{j} - b*sigmoid(h{j})",
        "h{i} = h{j} + b*h{j}**2",
    )
    return ["h0 = x"] + [forms[i % 4].format(i=i, j=i - 1) for i in range(1, n + 1)]


def _chain_build(V: dict[str, Any], n: int, sigmoid: Callable[[Any], Any]) -> Any:
    w, b, h = V["w"], V["b"], V["x"]
    for i in range(1, n + 1):
        r = i % 4
        if r == 0:
            h = h - b
        elif r == 1:
            h = (w * h + b).relu()
        elif r == 2:
            h = h - b * sigmoid(h)
        else:
            h = h + b * h**2
    return h


# ---- sums and fan-out: n terms of products, sigmoids and squares ----------------------------------

def _term_text(i: int, x: str) -> str:
    return (f"{x}*y", f"{x}*y", f"sigmoid({x})", f"{x}**2")[i % 4]


def _sign(i: int) -> str:
    return " - " if i % 3 == 1 else " + "


def _sum_segments(n: int, fan: int | None) -> list[str]:
    def name(i: int) -> str:
        return f"x{i % fan if fan else i}"

    return [_term_text(0, name(0))] + [_sign(i) + _term_text(i, name(i)) for i in range(1, n)]


def _sum_build(V: dict[str, Any], n: int, sigmoid: Callable[[Any], Any], fan: int | None) -> Any:
    y = V["y"]

    def term(i: int) -> Any:
        x = V[f"x{i % fan if fan else i}"]
        r = i % 4
        return x * y if r < 2 else sigmoid(x) if r == 2 else x**2

    out = term(0)
    for i in range(1, n):
        out = out - term(i) if i % 3 == 1 else out + term(i)
    return out


def _sum_values(n: int, rng: random.Random, fan: int | None) -> dict[str, Any]:
    return {f"x{i}": round(rng.uniform(-1, 1), 3) for i in range(fan or n)} | {"y": 0.5}


# ---- mixed gates over fan-out -----------------------------------------------------------------------

def _mixed_segments(n: int) -> list[str]:
    def term(i: int) -> str:
        a, b = f"x{i % 10}", f"x{(i + 3) % 10}"
        return (f"relu({a}*y)", f"{a}*{b}", f"{a}**2", f"{a}/{b}", f"sigmoid({b})", f"relu({a} - {b})")[i % 6]

    return [term(0)] + [_sign(i) + term(i) for i in range(1, n)]


def _mixed_build(V: dict[str, Any], n: int, sigmoid: Callable[[Any], Any]) -> Any:
    y = V["y"]

    def term(i: int) -> Any:
        a, b = f"x{i % 10}", f"x{(i + 3) % 10}"  # looked up as used: a small program binds only those
        r = i % 6
        if r == 0:
            return (V[a] * y).relu()
        if r == 1:
            return V[a] * V[b]
        if r == 2:
            return V[a] ** 2
        if r == 3:
            return V[a] / V[b]
        if r == 4:
            return sigmoid(V[b])
        return (V[a] - V[b]).relu()

    out = term(0)
    for i in range(1, n):
        out = out - term(i) if i % 3 == 1 else out + term(i)
    return out


# ---- deep nesting with binary operations inside: relu(... * 1.0001 + 0.001), n levels ----------------

_LEVELS = (
    " * 0.9999 + 0.001)",
    " * 1.0001 + 0.001)",
    " * 0.9999 - 0.001*sigmoid(c))",
    " * 1.0001 + 0.001*c**2)",
)


def _deep_segments(n: int) -> list[str]:
    # From the outside in: n openings, the innermost operand, then each level's closing part.
    return ["relu(" * n + "x"] + [_LEVELS[j % 4] for j in range(1, n + 1)]


def _deep_build(V: dict[str, Any], n: int, sigmoid: Callable[[Any], Any]) -> Any:
    h, c = V["x"], V.get("c")  # c is first used at level 2
    for j in range(1, n + 1):
        r = j % 4
        if r == 0:
            h = (h * 0.9999 + 0.001).relu()
        elif r == 1:
            h = (h * 1.0001 + 0.001).relu()
        elif r == 2:
            h = (h * 0.9999 - 0.001 * sigmoid(c)).relu()
        else:
            h = (h * 1.0001 + 0.001 * c**2).relu()
    return h


# ---- the issue's own example: relu(... * 1.0001 + 0.001), 5000 deep at n = 10^5 ------------------

def _issue_depth(n: int) -> int:
    return max(1, n // 20)


def _deep5000_build(V: dict[str, Any], n: int, sigmoid: Callable[[Any], Any]) -> Any:
    h = V["x"]
    for _ in range(_issue_depth(n)):
        h = (h * 1.0001 + 0.001).relu()
    return h


# ---- two more shapes, plain only: unary nesting and arrays -------------------------------------------

def _nested_build(V: dict[str, Any], n: int, sigmoid: Callable[[Any], Any]) -> Any:
    h = V["x"]
    for _ in range(n):
        h = h.relu()
    return h


def _array_values(n: int, rng: random.Random) -> dict[str, Any]:
    return {"w": [round(rng.uniform(-1, 1), 3) for _ in range(n)],
            "x": [round(rng.uniform(-1, 1), 3) for _ in range(n)], "b": 0.1}


def _array_build(V: dict[str, Any], n: int, sigmoid: Callable[[Any], Any]) -> Any:
    out = None
    for wi, xi in zip(V["w"], V["x"]):
        term = (wi * xi + V["b"]).relu()
        out = term if out is None else out + term
    return out


FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("chain", "h_i = relu(w*h_{i-1} + b), h_{i-1} - b*sigmoid(h_{i-1}), ...: a deep chain", "statements",
           _chain_segments, lambda n, rng: {"x": 0.9, "w": 1.0, "b": 1e-6}, _chain_build, statements=True),
    Family("sum", "x_i*y - sigmoid(x_i) + x_i**2 ...: 10^5 distinct variables", "terms",
           lambda n: _sum_segments(n, None), lambda n, rng: _sum_values(n, rng, None),
           lambda V, n, s: _sum_build(V, n, s, None), statements=False),
    Family("fanout", "the same terms over x_{i%10}: few variables, heavy fan-out", "terms",
           lambda n: _sum_segments(n, 10), lambda n, rng: _sum_values(n, rng, 10),
           lambda V, n, s: _sum_build(V, n, s, 10), statements=False),
    Family("mixed", "relu, *, **2, /, sigmoid, relu(a - b) over fan-out", "terms",
           _mixed_segments, lambda n, rng: {f"x{k}": round(rng.uniform(0.5, 1.5), 3) for k in range(10)} | {"y": 0.5},
           _mixed_build, statements=False),
    Family("deep", "relu(... * 1.0001 + 0.001): nesting with binary operations inside", "levels",
           _deep_segments, lambda n, rng: {"x": 0.5, "c": 0.5}, _deep_build, statements=False),
    Family("deep5000", "relu(... * 1.0001 + 0.001) as issue 32 times it: n/20 levels (5000 at 10^5)", "levels",
           lambda n: ["relu(" * _issue_depth(n) + "x"] + [" * 1.0001 + 0.001)"] * _issue_depth(n),
           lambda n, rng: {"x": 0.5}, _deep5000_build, statements=False, spellings=("plain", "comments", "pasted")),
    Family("nested", "relu(relu(...x...)): nesting of unary gates", "levels",
           lambda n: ["relu(" * n + "x" + ")" * n], lambda n, rng: {"x": 0.5}, _nested_build,
           statements=False, spellings=("plain",)),
    Family("array", "sum(relu(w*x + b)) over arrays of n elements (micrograd: n scalar Values)", "elements",
           lambda n: ["sum(relu(w*x + b))"], _array_values, _array_build, statements=False, spellings=("plain",)),
)}
ISSUE_FAMILIES = ("chain", "sum", "fanout", "mixed", "deep")  # the ones every spelling is timed for


def values_for(family: Family, n: int) -> dict[str, Any]:
    """The family's bindings at size n (the same numbers on every run), for the names its program
    uses: a small program may not reach them all (fan-out over x0..x9 with n = 3)."""
    used = set(re.findall(r"[A-Za-z_]\w*", spell(family, n, "plain")))
    return {k: v for k, v in family.values(n, random.Random(n)).items() if k in used}


def build_with(family: Family, value_class: type, values: dict[str, Any], n: int) -> tuple[Any, dict[str, Any]]:
    """The family's graph from Python: (output Value, the input Values by name, lists for arrays)."""
    V = {k: ([value_class(e) for e in v] if isinstance(v, list) else value_class(v)) for k, v in values.items()}
    return family.build(V, n, sigmoid_for(value_class)), V
