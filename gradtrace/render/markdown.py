"""--format markdown: a table that renders on GitHub, with math in $...$, for notes and write-ups."""

from __future__ import annotations

from ..core.trace import Trace
from . import fmt, signed_sum
from .tex import formula, name, partial, value
from .text import local_parts

TEXT = r"\text"  # upright words in math: KaTeX and MathJax both have \text (KaTeX has no \mbox)


def _math(text: str) -> str:
    return f"${text}$"


def _value(v: object, precision: int) -> str:
    return value(v, precision, TEXT)


_PUNCTUATION = "\\`*_{}[]<>()#+-.!|~&\"'=$:;,?@/%^"


def escape(text: str) -> str:
    """Plain text for Markdown: every ASCII punctuation character backslash-escaped (CommonMark
    allows that for all of them), so (x+y)*z shows as typed and <script> is only text."""
    from ..core.errors import printable

    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in printable(text))


def render(trace: Trace, precision: int = 4) -> str:
    """The trace as a GitHub-flavoured markdown table, then the gradients and any checks."""
    f = trace.output
    lines = [f"**{escape(trace.text)}**" + (
        " at " + ", ".join(f"${name(k)} = {_value(v, precision)}$" for k, v in trace.bindings.items())
        if trace.bindings else ""), ""]
    upstream_head = rf"\frac{{\partial {name(f)}}}{{\partial \cdot}}"
    lines.append(f"| node | computes | value | upstream ${upstream_head}$ | local | downstream | pattern |")
    lines.append("|---|---|--:|--:|---|--:|---|")
    for row in trace.nodes:
        locals_ = []
        for slot in range(len(row.inputs)):
            node, inp, form, _ = local_parts(row, slot, precision)
            body = (partial(node, inp) + " = " + (formula(form, TEXT) + " = " if form else "")
                    + _value(row.local[slot], precision))
            locals_.append(_math(body))
        upstream = _math(_value(row.upstream, precision))
        if len(row.parts) > 1:
            upstream += "<br>" + _math("= " + signed_sum([v for _, v in row.parts], precision))
        cells = [
            _math(name(row.name)),
            _math(formula(row.expr, TEXT)) if row.op != "input" else "input",
            _math(_value(row.value, precision)),
            upstream,
            "<br>".join(locals_),
            "<br>".join(_math(_value(d, precision)) for d in row.downstream),
            ", ".join(row.patterns),
        ]
        lines.append("| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |")
    lines.append("")
    lines.append(", ".join(_math(f"{partial(f, k)} = {_value(v, precision)}") for k, v in trace.gradients.items()))
    if trace.check is not None:
        lines += ["", f"Gradient check (central difference, h = {trace.check.step:g}):", "",
                  "| variable | analytic | numerical | relative error | verdict |", "|---|--:|--:|--:|---|"]
        for v in trace.check.variables:
            lines.append(f"| {_math(name(v.name))} | {fmt(v.analytic, precision)} | {fmt(v.numerical, precision)} | "
                         f"{v.relative_error:.1e} | {v.verdict}{_kinks(v.kinks)} |")
    if trace.answers is not None:
        lines += ["", "Answers:", ""]
        for a in trace.answers:
            mark = "✓" if a.correct else "✗"
            right = "" if a.correct else f" (the answer is {fmt(a.actual, precision)})"
            lines.append(f"- {mark} {escape(a.name)} = {escape(a.given)}{right}")
    return "\n".join(lines) + "\n"


def _kinks(kinks: list[str]) -> str:
    return " (kink: " + ", ".join(kinks) + ")" if kinks else ""
