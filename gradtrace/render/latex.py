"""--format latex: a tabular environment that compiles, for homework write-ups."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import Trace
from ..i18n import N_, _, current
from .tex import formula, name, partial, text, value


def render(trace: Trace, numbers: NumberFormat = DEFAULT) -> str:
    """The trace as a LaTeX tabular (one line per input of each node), then the gradients."""
    f = trace.output
    words = {k: _text(_(k)) for k in ("node", "computes", "value", "pattern", "input", "variable", "relative error",
                                      "verdict", N_("Answers"), N_("right"), N_("Gradient check"))}
    lines = [r"% gradtrace: " + " ".join(trace.text.split()),
             r"{\renewcommand{\arraystretch}{1.5}%  " + _("room for the stacked fractions"),
             r"\begin{tabular}{llrrlrl}", r"\hline",
             (rf"{words['node']} & {words['computes']} & {words['value']} & upstream "
              rf"$\frac{{\partial {name(f)}}}{{\partial \cdot}}$ & local & downstream & {words['pattern']} \\"),
             r"\hline"]
    if current() != "en":  # Hangul in the words: the including document needs a Korean-capable setup
        lines.insert(1, "% " + _("the words are in Korean: load the kotex package (texlive-lang-korean) in the "
                                 "document's preamble, or compile with xelatex"))
    for row in trace.nodes:
        entries: list[Any] = list(zip(row.inputs, row.formulas, row.local, row.downstream)) or [None]
        patterns = ", ".join(row.patterns)
        for k, entry in enumerate(entries):
            first = k == 0
            cells = [f"${name(row.name)}$" if first else "",
                     (f"${formula(row.expr)}$" if row.op != "input" else words["input"]) if first else "",
                     f"${value(row.value, numbers)}$" if first else "",
                     f"${value(row.upstream, numbers)}$" if first else "",
                     "", "", patterns if first else ""]
            if entry is not None:
                d = entry[3]
                node, inp, form, _shown = numbers.local_parts(row, k)
                cells[4] = ("$" + partial(node, inp) + " = " + (formula(form) + " = " if form else "")
                            + value(row.local[k], numbers) + "$")
                cells[5] = f"${value(d, numbers)}$"
            lines.append(" & ".join(cells) + r" \\")
    lines += [r"\hline", r"\end{tabular}}", ""]
    lines.append(", ".join(f"${partial(f, k)} = {value(v, numbers)}$" for k, v in trace.gradients.items()))
    if trace.check is not None:
        lines += ["", rf"\paragraph{{{words['Gradient check']}}} central difference, $h = {trace.check.step:g}$:", "",
                  r"\begin{tabular}{lrrrl}",
                  rf"{words['variable']} & analytic & numerical & {words['relative error']} & {words['verdict']} \\",
                  r"\hline"]
        for v in trace.check.variables:
            error = "--" if v.relative_error != v.relative_error else f"{v.relative_error:.1e}"
            kink = " (kink)" if v.kinks else ""
            lines.append(f"${name(v.name.split(' ')[0])}$ & ${value(v.analytic, numbers)}$ & "
                         f"${value(v.numerical, numbers)}$ & {error} & {_text(_(v.verdict))}{kink} \\\\")
        lines.append(r"\end{tabular}")
    if trace.answers is not None:
        lines += ["", rf"\paragraph{{{words['Answers']}}}", r"\begin{itemize}"]
        for a in trace.answers:
            before, _field, after = _("wrong, the answer is {answer}").partition("{answer}")
            verdict = words["right"] if a.correct else \
                f"{_text(before)}${value(a.actual, numbers)}${_text(after)}"
            # The name and answer are a student's text: text mode, escaped, never math to be read
            lines.append(rf"\item \texttt{{{text(a.name)}}} = {text(a.given)}: {verdict}")
            lines += _report(a, numbers)
        lines.append(r"\end{itemize}")
        if any(getattr(a, "report", None) is not None for a in trace.answers):
            from ..modes.diagnose import RELATIVE_ERROR

            lines.append(rf"\noindent {_prose(_('relative error'))}: {_prose(_(RELATIVE_ERROR))}")
    return "\n".join(lines) + "\n"


def _report(answer: Any, numbers: NumberFormat) -> list[str]:
    """An answer's report (render/diagnosis.py's parts) as a description list under its item: every
    part in text mode, escaped, since the diagnosis and the upstream may quote the submission."""
    from .diagnosis import PARTS, labels, report_parts

    report = getattr(answer, "report", None)
    if report is None:
        return []
    parts, label = report_parts(report, numbers), labels()
    return [r"\begin{description}",
            *(rf"\item[{{{_prose(label[k])}}}] {_prose(parts[k] or '')}" for k in PARTS if parts[k] is not None),
            r"\end{description}"]


def _prose(words: str) -> str:
    """Our words (and what they quote) in text mode: tex.text's escapes, ASCII for pdflatex; in
    another language its letters are kept, for the kotex the comment on top asks for."""
    if current() == "en":
        return text(words)
    return "".join(ch if unicodedata.category(ch) == "Lo" else text(ch) for ch in words)


def _text(text: str) -> str:
    """Plain text made safe inside LaTeX."""
    for char, escaped in (("\\", r"\backslash "), ("_", r"\_"), ("{", r"\{"), ("}", r"\}"), ("#", r"\#"),
                          ("%", r"\%"), ("&", r"\&"), ("$", r"\$"), ("^", r"\hat{}"), ("~", r"\sim ")):
        text = text.replace(char, escaped)
    return text
