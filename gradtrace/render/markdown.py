"""--format markdown: a table that renders on GitHub, with math in $...$, for notes and write-ups."""

from __future__ import annotations

from collections.abc import Iterator

from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import Trace
from ..i18n import _
from .tex import formula, name, partial, value
from .text import sum_step

TEXT = r"\text"  # upright words in math: KaTeX and MathJax both have \text (KaTeX has no \mbox)


def _math(text: str) -> str:
    return f"${text}$"


def _value(v: object, numbers: NumberFormat) -> str:
    return value(v, numbers, TEXT)


_PUNCTUATION = "\\`*_{}[]<>()#+-.!|~&\"'=$:;,?@/%^"


def escape(text: str) -> str:
    """Plain text for Markdown: every ASCII punctuation character backslash-escaped (CommonMark
    allows that for all of them), so (x+y)*z shows as typed and <script> is only text."""
    from ..core.errors import printable

    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in printable(text))


def render(trace: Trace, numbers: NumberFormat = DEFAULT) -> str:
    """The trace as a GitHub-flavoured markdown table, then the gradients and any checks."""
    return "".join(chunks(trace, numbers))


def chunks(trace: Trace, numbers: NumberFormat = DEFAULT) -> Iterator[str]:
    """The text of render, a row at a time, each as soon as it is made (output first)."""
    f = trace.output
    at = ", ".join(f"${name(k)} = {_value(v, numbers)}$" for k, v in trace.bindings.items())
    lines = [f"**{escape(trace.text)}**" + (" " + _("at {bindings}").format(bindings=at) if trace.bindings else ""),
             ""]
    upstream_head = rf"\frac{{\partial {name(f)}}}{{\partial \cdot}}"
    lines.append(f"| {_('node')} | {_('computes')} | {_('value')} | upstream ${upstream_head}$ | local | downstream | "
                 f"{_('pattern')} |")
    lines.append("|---|---|--:|--:|---|--:|---|")
    yield "\n".join(lines) + "\n"
    lines = []
    for row in trace.rows():
        locals_, downs = [], []
        for slot in range(len(row.inputs)):
            node, inp, form, _value_text = numbers.local_parts(row, slot)
            body = (partial(node, inp) + " = " + (formula(form, TEXT) + " = " if form else "")
                    + _value(row.local[slot], numbers))
            locals_.append(_math(body))
            summed = row.summed(slot) if trace.arrays else None
            if summed is not None:  # broadcast: upstream × local, then its sum back to the input's shape
                locals_.append(escape("↳ " + sum_step(summed)))
                downs.append(_math(_value(summed.unsummed, numbers)))
            downs.append(_math(_value(row.downstream[slot], numbers)))
        upstream = _math(_value(row.upstream, numbers))
        if len(row.parts) > 1:
            upstream += "<br>" + _math("= " + numbers.signed_sum([v for _part, v in row.parts]))
        cells = [
            _math(name(row.name)),
            _math(formula(row.expr, TEXT)) if row.op != "input" else escape(_("input")),
            _math(_value(row.value, numbers)),
            upstream,
            "<br>".join(locals_),
            "<br>".join(downs),
            ", ".join(row.patterns),
        ]
        yield "| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |\n"
    lines.append("")
    lines.append(", ".join(_math(f"{partial(f, k)} = {_value(v, numbers)}") for k, v in trace.gradients.items()))
    if trace.check is not None:
        lines += ["", _("Gradient check (central difference, h = {step}):").format(step=f"{trace.check.step:g}"), "",
                  f"| {_('variable')} | analytic | numerical | {_('relative error')} | {_('verdict')} |",
                  "|---|--:|--:|--:|---|"]
        for v in trace.check.variables:
            lines.append(f"| {_math(name(v.name))} | {numbers.text(v.analytic)} | {numbers.text(v.numerical)} | "
                         f"{v.relative_error:.1e} | {_(v.verdict)}{_kinks(v.kinks)} |")
    if trace.answers is not None:
        lines += ["", _("Answers:"), ""]
        for a in trace.answers:
            mark = "✓" if a.correct else "✗"
            true = numbers.text(a.actual)
            right = "" if a.correct else " (" + _("the answer is {answer}").format(answer=true) + ")"
            lines.append(f"- {mark} {escape(a.name)} = {escape(a.given)}{right}")
        lines += _reports(trace, numbers)
    yield "\n".join(lines) + "\n"


def _reports(trace: Trace, numbers: NumberFormat) -> list[str]:
    """The answers' reports as one table, a row per answer that carries one: its relative error and
    band, worst element, upstream, diagnosis (and warnings, when any has some)."""
    from ..modes.diagnose import RELATIVE_ERROR
    from .diagnosis import PARTS, labels, report_parts, reported

    answers = reported(trace)
    if not answers:
        return []
    rows = [(a, report_parts(a.report, numbers)) for a in answers]
    keys = [k for k in PARTS if k != "warnings" or any(parts[k] for _a, parts in rows)]
    label = labels()
    out = ["", _("Reports:"), "", "| " + " | ".join([escape(_("answer"))] + [escape(label[k]) for k in keys]) + " |",
           "|---" * (len(keys) + 1) + "|"]
    for a, parts in rows:
        mark = "✓" if a.correct else "✗"
        cells = [f"{mark} {escape(a.name)} = {escape(a.given)}"] + [escape(parts[k] or "-") for k in keys]
        out.append("| " + " | ".join(cells) + " |")
    return out + ["", escape(_("relative error") + ": " + _(RELATIVE_ERROR))]


def _kinks(kinks: list[str]) -> str:
    return " (kink: " + ", ".join(kinks) + ")" if kinks else ""
