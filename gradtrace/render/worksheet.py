"""Worksheets: problems with blanks to fill in, and the answer key with them filled in and the
worked steps, as Markdown (pictures referenced: the CLI writes them beside), one printable HTML
page (pictures inline; one problem per printed page, the key on pages of its own) and LaTeX for
pdflatex (pictures as PDF files beside it).

What is blank: `blanks` holds "gradients" (every gradient but ∂f/∂f = 1: a backward-pass
exercise) and/or "values" (every gate's value: the inputs keep theirs, a forward-pass exercise).
"""

from __future__ import annotations

import functools
from html import escape
from typing import Any

from ..core.errors import printable
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import _, current
from ..teach.quiz import Problem

BOTH = frozenset({"gradients"})


def instructions(blanks: frozenset[str] | set[str]) -> str:
    """What the student does, for what is blank."""
    reminder = _("Remember the lecture's patterns: an add gate distributes the gradient unchanged, a max gate "
                 "routes it to the larger input, a mul gate switches (each input gets the other one), a constant "
                 "scales it, and a value used twice adds up its gradients.")
    if blanks >= {"values", "gradients"}:
        return _("For each circuit, fill in the value above every wire, working forward from the inputs; then fill in "
                 "the gradient below every wire and the upstream gradient of every node, working back from "
                 "{start}.").format(start="∂f/∂f = 1") + " " + reminder
    if "values" in blanks:
        return _("For each circuit, fill in the value above every wire, working forward from the inputs.")
    return _("For each circuit, fill in the gradient below every wire and the upstream gradient of every node, "
             "working back from {start}.").format(start="∂f/∂f = 1") + " " + reminder


def _columns(f: str) -> list[str]:
    """The table's column heads."""
    node = _("node")
    return [node, _("computes"), _("value"), f"upstream ∂{f}/∂{node}"]


def _at(problem: Problem, numbers: NumberFormat) -> str:
    return ", ".join(f"{k} = {numbers.text(v)}" for k, v in problem.trace.bindings.items())


def _cells(problem: Problem, key: bool, blanks: frozenset[str] | set[str], numbers: NumberFormat) -> list[list[str]]:
    """The table's rows: node, what it computes, value, upstream gradient ('' where blank)."""
    t = problem.trace
    rows = []
    for row in t.nodes:
        value = numbers.text(row.value) if key or "values" not in blanks or row.op == "input" else ""
        upstream = numbers.text(row.upstream) if key or "gradients" not in blanks or row.name == t.output else ""
        rows.append([row.name, _("input") if row.op == "input" else row.expr, value, upstream])
    return rows


def _steps(problem: Problem, blanks: frozenset[str] | set[str], numbers: NumberFormat) -> list[str]:
    asks = (("values",) if "values" in blanks else ()) + (("upstream",) if "gradients" in blanks else ())
    return [q.worked for q in problem.questions(numbers, asks)]


def markdown(problems: list[Problem], heading: str, key: bool, numbers: NumberFormat = DEFAULT,
             blanks: frozenset[str] | set[str] = BOTH, pictures: bool = True) -> str:
    """The worksheet (key=False) or its answer key (key=True), picturing problem-N.svg /
    answer-N.svg beside it (pictures=False: none were drawn)."""
    title = _("Backprop worksheet: answer key") if key else _("Backprop worksheet")
    lines = [f"# {title}", "", heading, ""]
    if not key:
        lines += [instructions(blanks), ""]
    for i, problem in enumerate(problems, 1):
        f = problem.trace.output
        number = _("Problem {number}").format(number=i)
        at = _("at {bindings}").format(bindings=_at(problem, numbers))
        lines += [f"## {number}", "", *_md_statement(statement(problem), at), ""]
        if pictures:
            lines += [f"![{number}]({'answer' if key else 'problem'}-{i}.svg)", ""]
        lines += [f"| {' | '.join(_columns(f))} |", "|---|---|--:|--:|"]
        for name, expr, value, upstream in _cells(problem, key, blanks, numbers):
            lines.append(f"| {_md_cell(name)} | {_md_code(expr, cell=True)} | {value or ' '} | {upstream or ' '} |")
        lines.append("")
        if key:
            lines += [_("Worked steps:"), ""] + [f"- {printable(step, one_line=True)}"
                                                 for step in _steps(problem, blanks, numbers)] + [""]
    return "\n".join(lines)


def _md_statement(text: str, after: str) -> list[str]:
    """A problem's program in Markdown, then what follows it (at x = ...): one code span on a
    line of one line's program; a fenced block for more lines (a blank line would end a span's
    paragraph). Whatever the program holds (a backtick in a comment, a control character), it
    stays inside its code."""
    text = printable(text)
    if "\n" not in text:
        return [f"{_md_code(text)}   {after}"]
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return [fence, text, fence, "", after]


def _md_code(text: str, cell: bool = False) -> str:
    """text as one inline code span: fenced by one more backtick than its longest run of them,
    padded with a space where it starts or ends with one; in a table cell, '|' escaped (GFM
    splits cells before it reads code spans)."""
    text = printable(text, one_line=True)
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " and text[-1:] == " ") else ""
    code = f"{fence}{pad}{text}{pad}{fence}"
    return code.replace("|", "\\|") if cell else code


def _md_cell(text: str) -> str:
    """Plain text in a table cell: printable, '|' escaped."""
    return printable(text, one_line=True).replace("|", "\\|")


def _longest_run(text: str, ch: str) -> int:
    import re

    return max((len(run) for run in re.findall(f"{re.escape(ch)}+", text)), default=0)


# ---- printable HTML -------------------------------------------------------------------------------

PRINT_STYLE = """
:root { color-scheme: light; font-family: system-ui, sans-serif; line-height: 1.4; color: #1f2328; }
body { margin: 0 auto; max-width: 52rem; padding: 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
code { font-family: ui-monospace, monospace; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #8c959f; padding: .3rem .7rem; text-align: right; min-width: 4.5rem; }
th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; min-width: 0; }
td.blank { height: 1.6rem; }
.steps li { margin: .2rem 0; }
.name { margin-top: 1rem; }
@page { size: A4; margin: 16mm; }
@media print {
  body { max-width: none; padding: 0; }
  section.problem { break-after: page; break-inside: avoid; }
  section.key { break-before: page; }
  figure svg { max-height: 150mm; }
  a { color: inherit; text-decoration: none; }
}
"""


def html(problems: list[Problem], heading: str, numbers: NumberFormat = DEFAULT,
         blanks: frozenset[str] | set[str] = BOTH, pictures: dict[str, str] | None = None, sheet: bool = True,
         key: bool = True) -> str:
    """One self-contained page: the problems, one per printed page, then the answer key on pages
    of its own. pictures: name (problem-1, answer-1) -> inline <svg>; absent ones are left out.
    sheet=False or key=False leaves that part out (a PDF of the sheet alone, or of the key)."""
    pictures = pictures or {}
    heading_html = "".join(f"<code>{escape(part)}</code>" if k % 2 else escape(part)
                           for k, part in enumerate(heading.split("`")))  # `code` as code
    parts = [f"<header><h1>{escape(_('Backprop worksheet'))}</h1><p>{heading_html}</p>",
             f'<p class="name">{escape(_("Name:"))} ______________________________</p>',
             f"<p>{escape(instructions(blanks))}</p></header>"]
    if not sheet:
        parts = []
    for i, problem in enumerate(problems if sheet else (), 1):
        parts.append(_section(problem, i, False, blanks, numbers, pictures.get(f"problem-{i}")))
    if key:
        key_title = escape(_("Answer key"))
        parts.append(f'<section class="{"key" if sheet else ""}"><h1>{key_title}</h1></section>')
    for i, problem in enumerate(problems if key else (), 1):
        parts.append(_section(problem, i, True, blanks, numbers, pictures.get(f"answer-{i}")))
    body = "\n".join(parts)
    return f"""<!doctype html>
<html lang="{current()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(_("Backprop worksheet"))}</title>
<style>{PRINT_STYLE}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def _section(problem: Problem, i: int, key: bool, blanks: frozenset[str] | set[str], numbers: NumberFormat,
             svg: str | None) -> str:
    f = problem.trace.output
    what = "answer" if key else "problem"
    title = (_("Answer to problem {number}") if key else _("Problem {number}")).format(number=i)
    out = [f'<section class="problem {what}" aria-labelledby="{what}-{i}">',
           f'<h2 id="{what}-{i}">{escape(title)}</h2>',
           f"<p><code>{escape(statement(problem))}</code> "
           f"{escape(_('at {bindings}').format(bindings=_at(problem, numbers)))}</p>"]
    if svg:
        label = _("The circuit of problem {number}").format(number=i)
        out.append(f'<figure aria-label="{escape(label)}">{svg}</figure>')
    heads = "".join(f'<th scope="col">{escape(c)}</th>' for c in _columns(f))
    out.append(f"<table><thead><tr>{heads}</tr></thead><tbody>")
    for name, expr, value, upstream in _cells(problem, key, blanks, numbers):
        cells = "".join('<td class="blank"></td>' if not text else f"<td>{escape(text)}</td>"
                        for text in (value, upstream))
        out.append(f"<tr><th scope=\"row\">{escape(name)}</th><td><code>{escape(expr)}</code></td>{cells}</tr>")
    out.append("</tbody></table>")
    if key:
        out.append('<ol class="steps">' + "".join(f"<li>{escape(step)}</li>"
                                                  for step in _steps(problem, blanks, numbers)) + "</ol>")
    out.append("</section>")
    return "\n".join(out)


# ---- LaTeX, for PDF through pdflatex ---------------------------------------------------------------

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
            "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def tex_text(text: str, code: bool = True) -> str:
    """Plain text for pdflatex with no packages: LaTeX's specials escaped, `code` in typewriter
    (code=False: a backtick is itself, as in a teacher's program), -- kept as two hyphens, a
    control character as a visible escape (\\x7f), a line break as a line break (a blank line
    too, never a paragraph's end), and each non-ASCII character (∂, ·, ², σ, ≈) as inline math,
    or '?' where LaTeX has no command for it, so nothing stops the compiler."""
    text = printable(text)
    out = []
    for k, part in enumerate(text.split("`") if code else [text]):
        chars = []
        for ch in part:
            if ch == "\n":
                chars.append(r"\mbox{}\newline{}")
            elif ch == "`":
                chars.append(r"\textasciigrave{}")
            elif ch.isascii():
                chars.append(_SPECIAL.get(ch, ch))
            else:
                chars.append(_tex_char(ch))
        piece = "".join(chars).replace("--", "-{}-")
        out.append(rf"\texttt{{{piece}}}" if k % 2 else piece)
    return "".join(out)


def _tex_char(ch: str) -> str:
    """A non-ASCII character as inline math, if every command that makes is one LaTeX knows."""
    import re

    from .tex import ascii_math

    math = ascii_math(ch)
    if math == "?" or not set(re.findall(r"\\([A-Za-z]+)", math)) <= _known_commands():
        return "?"
    return f"${math}$"


@functools.cache
def _known_commands() -> frozenset[str]:
    """The LaTeX commands a character may become: those of tex.py's table, and the Greek letters
    plain LaTeX has (not omicron, digamma, or a letter with an accent)."""
    import re

    from .tex import _UNICODE

    greek = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi "
             "chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega")
    return frozenset(re.findall(r"\\([A-Za-z]+)", "".join(_UNICODE.values()))) | frozenset(greek.split())


def statement(problem: Problem) -> str:
    """The problem as written, with its output named: f = (x+y)*z, or the program as the teacher
    wrote it when it names its own values (q = x + y; f = q * z)."""
    program = problem.program
    return program if "=" in program else f"{problem.trace.output} = {program}"


def latex(problems: list[Problem], heading: str, key: bool, numbers: NumberFormat = DEFAULT,
          blanks: frozenset[str] | set[str] = BOTH, pictures: bool = True) -> str:
    """The worksheet or key as a LaTeX document for pdflatex (only graphicx, from latex-base),
    one problem per page; pictures: problem-N.pdf or answer-N.pdf beside it."""
    title = _("Backprop worksheet: answer key") if key else _("Backprop worksheet")
    lines = [r"\pdfobjcompresslevel=0",  # plain page objects: any PDF tool (and the tests) can count pages
             r"\documentclass[11pt,a4paper]{article}", r"\usepackage{graphicx}",
             # A4 with 2 cm margins, by hand: the geometry package is not in texlive-latex-base.
             r"\setlength{\textwidth}{17cm}\setlength{\oddsidemargin}{-0.46cm}\setlength{\evensidemargin}{-0.46cm}",
             r"\setlength{\textheight}{24.5cm}\setlength{\topmargin}{-1.5cm}",
             r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{6pt}",
             r"\pagestyle{plain}", r"\begin{document}", rf"{{\Large\bfseries {tex_text(title)}}}", "",
             tex_text(heading), ""]
    if not key:
        lines += [tex_text(_("Name:")) + r" \rule{7cm}{0.4pt}", "", tex_text(instructions(blanks)), ""]
    for i, problem in enumerate(problems, 1):
        f = problem.trace.output
        if i > 1:
            lines.append(r"\clearpage")  # one problem per page
        at = _("at {bindings}").format(bindings=_at(problem, numbers))
        lines += [rf"\section*{{{tex_text(_('Problem {number}').format(number=i))}}}",
                  rf"\texttt{{{tex_text(statement(problem), code=False)}}} {tex_text(at)}", ""]
        if pictures:
            lines += [r"\begin{center}",
                      rf"\includegraphics[width=\linewidth,height=0.42\textheight,keepaspectratio]"
                      rf"{{{'answer' if key else 'problem'}-{i}.pdf}}", r"\end{center}"]
        lines += [r"\begin{center}\renewcommand{\arraystretch}{1.6}", r"\begin{tabular}{|l|l|r|r|}", r"\hline",
                  " & ".join(tex_text(c) for c in _columns(f)) + r" \\ \hline"]
        for name, expr, value, upstream in _cells(problem, key, blanks, numbers):
            blank = r"\hspace{2.2cm}"
            lines.append(rf"{tex_text(name, False)} & \texttt{{{tex_text(expr, False)}}} & "
                         rf"{tex_text(value) or blank} & {tex_text(upstream) or blank} \\ \hline")
        lines += [r"\end{tabular}", r"\end{center}"]
        if key:
            steps = [rf"\item {tex_text(step, False)}" for step in _steps(problem, blanks, numbers)]
            lines += [r"\begin{enumerate}", *steps, r"\end{enumerate}"]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def key_toml(problem: Problem, blanks: frozenset[str] | set[str], numbers: NumberFormat = DEFAULT) -> str:
    """One problem's answer key for `gradtrace grade --key`: its expression and bindings, and every
    blank's answer as the key shows it ([answers]: NAME for ∂f/∂NAME, NAME.value for a value).
    Written by a TOML library, so any program (several lines, quotes, backslashes, Unicode names)
    reads back as it was."""
    import tomli_w

    t = problem.trace
    answers: dict[str, str] = {}
    for row in reversed(t.nodes):
        if "values" in blanks and row.op != "input":
            answers[row.name + ".value"] = numbers.text(row.value)
    for row in t.nodes:
        if "gradients" in blanks and row.name != t.output:
            answers[row.name] = numbers.text(row.upstream)
    return tomli_w.dumps({"expression": problem.program,
                          "bindings": {k: float(v) for k, v in t.bindings.items()},
                          "answers": answers})


def pictures_needed(count: int) -> list[str]:
    """The picture names a worksheet of count problems draws (without a suffix)."""
    return [f"{what}-{i}" for i in range(1, count + 1) for what in ("problem", "answer")]


def picture_dot(problem: Problem, name: str, blanks: frozenset[str] | set[str], numbers: NumberFormat,
                dpi: int | None = None) -> Any:
    """The DOT text of one worksheet picture: problem-N with the blanks, answer-N filled in."""
    from . import dot

    key = name.startswith("answer")
    return dot.render(problem.trace, numbers, blank_gradients=not key and "gradients" in blanks,
                      blank_values=not key and "values" in blanks, dpi=dpi)
