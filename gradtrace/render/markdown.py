"""--format markdown: a table that renders on GitHub, with math in $...$, for notes and write-ups."""

from __future__ import annotations

from ..core.trace import Trace
from . import fmt, signed_sum
from .tex import formula, name, partial
from .text import local_parts


def _math(text: str) -> str:
    return f"${text}$"


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
        " at " + ", ".join(f"${name(k)} = {fmt(v, precision)}$" for k, v in trace.bindings.items())
        if trace.bindings else ""), ""]
    upstream_head = rf"\frac{{\partial {name(f)}}}{{\partial \cdot}}"
    lines.append(f"| node | computes | value | upstream ${upstream_head}$ | local | downstream | pattern |")
    lines.append("|---|---|--:|--:|---|--:|---|")
    for row in trace.nodes:
        locals_ = []
        for slot in range(len(row.inputs)):
            node, inp, form, g_text = local_parts(row, slot, precision)
            body = partial(node, inp) + " = " + (formula(form) + " = " if form else "") + g_text
            locals_.append(_math(body))
        upstream = _math(fmt(row.upstream, precision))
        if len(row.parts) > 1:
            upstream += "<br>" + _math("= " + signed_sum([v for _, v in row.parts], precision))
        cells = [
            _math(name(row.name)),
            _math(formula(row.expr)) if row.op != "input" else "input",
            _math(fmt(row.value, precision)),
            upstream,
            "<br>".join(locals_),
            "<br>".join(_math(fmt(d, precision)) for d in row.downstream),
            ", ".join(row.patterns),
        ]
        lines.append("| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |")
    lines.append("")
    lines.append(", ".join(_math(f"{partial(f, k)} = {fmt(v, precision)}") for k, v in trace.gradients.items()))
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
