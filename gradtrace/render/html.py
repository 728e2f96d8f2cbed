"""--html FILE: one self-contained page (no network references) with the picture, the table and
the step-by-step explanation, for a teacher to share. Its stylesheet and script are the package's
files page/page.css and page/page.js (linted by tests/test_page_assets.py), inlined as they are."""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from importlib import resources
from typing import Any

from ..core.numbers import DEFAULT, NumberFormat
from ..core.trace import Trace
from ..i18n import _, current
from . import dot
from .explain import backward_lines, forward_lines
from .picture import svg_inline
from .text import local_cell, sum_step, wires


def steps(trace: Trace, numbers: NumberFormat = DEFAULT) -> list[dict[str, Any]]:
    """The lecture's walk through the circuit, one gate at a time: the forward pass, then the
    backward pass, each step the explanation's lines for one node (--explain's own text)."""
    return _walk(trace, numbers)[0]


def _walk(trace: Trace, numbers: NumberFormat) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """The steps, and every line of --explain's text with the step that tells it: a pass's
    heading goes with its first step, its closing line (the output, the result) with its last."""
    out: list[dict[str, Any]] = []
    told: list[tuple[int, str]] = []
    done: set[int] = set()  # nodes whose backward step was told: a copy gate's first step is its sum
    names = sorted((row.name for row in trace.nodes), key=len, reverse=True)  # t12 before t1
    for phase, lines in (("forward", forward_lines(trace, numbers)), ("backward", backward_lines(trace, numbers))):
        first = len(out)
        if told:
            told.append((told[-1][0], ""))
        for line in lines:
            m = _STEP.match(line)
            # The step's node is the name it starts with (in any language: "q is used", "q은(는)").
            name = next((n for n in names if line.startswith(n, m.end())), None) if m else None
            if m and name is not None:
                node = trace.node(name)
                copy = phase == "backward" and len(node.parts) > 1 and node.node.id not in done
                if phase == "backward":
                    done.add(node.node.id)
                out.append({"phase": phase, "id": f"n{node.node.id}", "name": node.name,
                            "text": line[m.end():].strip(), "copy": copy})
            elif line.startswith("   ") and len(out) > first:
                out[-1]["text"] += "\n" + line.strip()
            told.append((max(first, len(out) - 1), line))
    return out, told


_STEP = re.compile(r"\d+\. ")


def _reached(trace: Trace, walk: list[dict[str, Any]]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """When the walk reaches each node: its value (its forward step), its upstream gradient made
    final (after the step of its last consumer, or its copy gate's sum), and its own backward step
    (its local and downstream gradients), as step numbers from 0. The page shows nothing sooner."""
    value_at = {s["id"]: k for k, s in enumerate(walk) if s["phase"] == "forward"}
    grad_at: dict[str, int] = {}
    done_at: dict[str, int] = {}
    for k, s in enumerate(walk):
        if s["phase"] != "backward":
            continue
        grad_at.setdefault(f"n{trace.output_id}", k)
        row = trace.node(s["name"])
        if s["copy"]:  # a copy gate: its parts add up here
            grad_at[s["id"]] = k
            continue
        done_at[s["id"]] = k
        for name in row.inputs:
            grad_at[f"n{trace.node(name).id}"] = k
    return value_at, grad_at, done_at


def _wires(trace: Trace, walk: list[dict[str, Any]], noise: list[float] | None) -> list[dict[str, Any]]:
    """The picture's wires, in the order dot.render draws them (its nodes w1, w2, ...): when each
    one's value and gradient are reached, and the node whose whole upstream gradient it carries
    (the table's row for the same number; a copy's branches carry only parts). In the self-test
    each red number but the output's starting 1 becomes a box to type that gradient into."""
    value_at, grad_at, done_at = _reached(trace, walk)
    last = len(walk) - 1
    names = {f"n{row.id}": row.name for row in trace.nodes}
    names.update({f"a{row.id}": _("the copy of {name}").format(name=row.name) for row in trace.nodes},
                 end=trace.output)
    out: list[dict[str, Any]] = []
    for source, target, _value, gradient in wires(trace):
        row = trace.row(int(source[1:]))
        if target == "end":
            gradient_at = grad_at.get(f"n{trace.output_id}", last)
        elif target.startswith("a"):
            gradient_at = grad_at.get(f"n{row.id}", last)
        else:
            gradient_at = done_at.get(target, last)
        wire: dict[str, Any] = {"value_at": value_at.get(f"n{row.id}", -1), "grad_at": gradient_at,
                                "node": row.id if source.startswith("n") and target != "end" else None,
                                "seed": target == "end"}
        if noise is not None and target != "end":
            wire.update({"true": float(gradient), "noise": noise[row.id],
                         "label": _("gradient on the wire from {source} to {target}").format(
                             source=names[source], target=names[target])})
        out.append(wire)
    return out


def render(trace: Trace, numbers: NumberFormat = DEFAULT) -> str:
    """The page as one string."""
    f = trace.output
    at = ", ".join(f"{k} = {numbers.text(v)}" for k, v in trace.bindings.items())
    walk, told = _walk(trace, numbers)
    value_at, grad_at, done_at = _reached(trace, walk)
    last = len(walk) - 1
    # The float noise is a report the modes attach (answers.with_float_noise): a typed zero is
    # graded by it as --expect grades it. Without the report the page has no self-test boxes.
    noise = None if trace.noise is None else [float(n) for n in trace.noise.upstream]
    heads = [escape(_(word)) for word in ("node", "computes", "value", "pattern")]
    green, red = escape(_("green")), escape(_("red"))
    caption = _("Forward values in {green} above each wire, gradients in {red} below it.").format(
        green=f'<span class="value">{green}</span>', red=f'<span class="grad">{red}</span>')
    words = {"step": _("Step {n} of {total}: the {phase} pass at {name}"), "right": _("✓ right"),
             "not_yet": _("✗ not yet"), "number": _("type a number"), "your": _("your {gradient}"),
             "all": _("Everything shown: Next steps through it again."),
             "how": _("write a number such as -4, 0.39 or 1/3")}
    # Every verdict the page can show, stacked in one cell: the cell is as wide as the widest
    # from the start, so a verdict appearing moves nothing.
    sizer = "".join(f"<span>{escape(words[key])}</span>" for key in ("right", "not_yet", "number"))
    verdict = f"<span class='verdict'><output aria-live='polite'></output><span class='sizer' aria-hidden='true'>" \
              f"{sizer}</span></span>"
    rows = []
    for row in trace.nodes:
        nid = f"n{row.id}"
        expr = _("input") if row.op == "input" else row.expr
        local_lines, down_lines = [], []
        for slot, d in enumerate(row.downstream):
            shaped = row.shape_step(slot)  # an array op's shapes: up·xᵀ: (3×4)(4×2) → 3×2
            local_lines.append(escape(local_cell(row, slot, numbers)) +
                               ("" if shaped is None else f" <small class='shapes'>{escape(shaped)}</small>"))
            summed = row.summed(slot)
            if summed is not None:  # broadcast: upstream × local, then its sum back to the input's shape
                local_lines.append("<small>↳ " + escape(sum_step(summed)) + "</small>")
                down_lines.append(escape(numbers.text(summed.unsummed)))
            down_lines.append(escape(numbers.text(d)))
        locals_, downs = "<br>".join(local_lines), "<br>".join(down_lines)
        up = escape(numbers.text(row.upstream))
        if len(row.parts) > 1:
            up += "<br><small>= " + escape(numbers.signed_sum([v for _part, v in row.parts])) + "</small>"
        answer = ""
        if noise is not None and row.id != trace.output_id:
            answer = (f"<span class='answer'><input type='text' inputmode='decimal' size='8' "
                      f"aria-label='{escape(_('your {gradient}').format(gradient=f'∂{f}/∂{row.name}'))}' "
                      f"data-true='{float(row.upstream)!r}' "
                      f"data-noise='{noise[row.id]!r}'> {verdict}</span>")
        seed = " seed" if row.id == trace.output_id else ""  # where backprop starts: ∂f/∂f = 1, never hidden
        rows.append(f"<tr data-node='{nid}' data-value-at='{value_at.get(nid, -1)}' "
                    f"data-grad-at='{grad_at.get(nid, -1)}' data-done-at='{done_at.get(nid, -1)}'>"
                    f"<th scope='row'>{escape(row.name)}</th>"
                    f"<td data-label='{heads[1]}'><code>{escape(expr)}</code></td>"
                    f"<td class='num value' data-label='{heads[2]}'>{escape(numbers.text(row.value))}</td>"
                    f"<td class='num grad up{seed}' data-label='upstream'><span class='shown'>{up}</span>{answer}</td>"
                    f"<td class='local' data-label='local'>{locals_}</td>"
                    f"<td class='num grad' data-label='downstream'>{downs}</td>"
                    f"<td class='pattern' data-label='{heads[3]}'>{escape(', '.join(row.patterns))}</td></tr>")
    gradients = ", ".join(f"∂{f}/∂{k} = {numbers.text(v)}" for k, v in trace.gradients.items())
    # The walk told step by step: each line carries the step that tells it, and the page shows a
    # line only once the walk has reached it.
    explanation = "".join(f"<span data-at='{k}'>{escape(line)}\n</span>" for k, line in told)
    # page.js reads "precision" as decimals when "decimals" is true, as significant digits otherwise.
    fixed = numbers.decimals is not None
    data = json.dumps({"steps": walk, "wires": _wires(trace, walk, noise),
                       "precision": numbers.decimals if fixed else numbers.digits, "words": words, "decimals": fixed},
                      ensure_ascii=True).replace("</", "<\\/")
    words_at = _("at {bindings}").format(bindings=at)
    text = {key: escape(value) for key, value in (
        ("nav", _("Step through backprop")), ("back", _("Back")), ("next", _("Next")), ("restart", _("Start over")),
        ("all", _("Show all")), ("hide", _("Hide the gradients and test yourself")),
        ("figure", _("The circuit (it scrolls sideways on a narrow screen)")),
        ("table", _("The table of every node")), ("input", _("input")),
        ("walk", _("The backward pass, step by step")),
        ("keys", _("Made with gradtrace. Keys: → or space for the next step, ← for the one before, Home to start "
                   "over. The address keeps the step, to share it.")))}
    return f"""<!doctype html>
<html lang="{current()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gradtrace: {escape(trace.text)}</title>
<style>
{_asset("page.css")}</style>
</head>
<body>
<main>
<h1>{escape(trace.text)}</h1>
<p>{escape(words_at) if at else ""}</p>
<nav id="controls" aria-label="{text["nav"]}" hidden>
<button type="button" id="back" aria-keyshortcuts="ArrowLeft">◀ {text["back"]}</button>
<button type="button" id="next" aria-keyshortcuts="ArrowRight Space">{text["next"]} ▶</button>
<button type="button" id="restart" aria-keyshortcuts="Home">{text["restart"]}</button>
<button type="button" id="all">{text["all"]}</button>
<label><input type="checkbox" id="hide"> {text["hide"]}</label>
<p id="where" aria-live="polite"></p>
<pre id="step" aria-live="polite"></pre>
</nav>
<figure tabindex="0" aria-label="{text["figure"]}">
{_svg(trace, numbers)}
<figcaption>{caption}</figcaption>
</figure>
<div class="scroll" tabindex="0" role="region" aria-label="{text["table"]}">
<table>
<thead><tr><th scope="col">{heads[0]}</th><th scope="col">{heads[1]}</th><th scope="col">{heads[2]}</th>
<th scope="col">upstream ∂{escape(f)}/∂{heads[0]}</th><th scope="col">local ∂{heads[0]}/∂{text["input"]}</th>
<th scope="col">downstream</th><th scope="col">{heads[3]}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
<p class="grad-summary" data-at="{last}"><b>{escape(f)} = {escape(numbers.text(trace.value))}</b>;
{escape(gradients)}</p>
<h2>{text["walk"]}</h2>
<pre class="explanation">{explanation}</pre>
{_answers(trace, numbers, last)}<p><small>{text["keys"]}</small></p>
</main>
<script type="application/json" id="gradtrace-data">{data}</script>
<script>
{_script()}</script>
</body>
</html>
"""


def _answers(trace: Trace, numbers: NumberFormat, last: int) -> str:
    """The graded answers (--expect, --answers), each with its report when it carries one (render/
    diagnosis.py's parts, as a definition list), shown once the walk has reached its end, as the
    gradients are, and hidden in the self-test; everything the student gave is escaped."""
    if trace.answers is None:
        return ""
    from ..modes.diagnose import RELATIVE_ERROR
    from .diagnosis import PARTS, labels, report_parts

    label = labels()
    items = []
    for a in trace.answers:
        mark = "<span class='value'>✓</span>" if a.correct else "<span class='grad'>✗</span>"
        said = f"{escape(a.name)} = <code>{escape(a.given)}</code>"
        if not a.correct:
            said += " (" + escape(_("the answer is {answer}").format(answer=numbers.text(a.actual))) + ")"
        report = ""
        if getattr(a, "report", None) is not None:
            parts = report_parts(a.report, numbers)
            report = "<dl class='report'>" + "".join(
                f"<dt>{escape(label[k])}</dt><dd>{escape(parts[k] or '')}</dd>" for k in PARTS
                if parts[k] is not None) + "</dl>"
        items.append(f"<li>{mark} {said}{report}</li>")
    rule = ""
    if any(getattr(a, "report", None) is not None for a in trace.answers):
        rule = f"<p><small>{escape(_('relative error'))}: {escape(_(RELATIVE_ERROR))}</small></p>\n"
    return (f"<section class='answers' data-at='{last}' aria-labelledby='answers'>\n"
            f"<h2 id='answers'>{escape(_('Answers'))}</h2>\n<ul>\n" + "\n".join(items) + f"\n</ul>\n{rule}</section>\n")


def _svg(trace: Trace, numbers: NumberFormat) -> str:
    svg = svg_inline(dot.render(trace, numbers))
    label = _("The circuit of {program}, with forward values and gradients on its wires").format(program=trace.text)
    return svg.replace("<svg ", f"<svg role='img' aria-label='{escape(label)}' ", 1)


# The functions the page's reader computes, as JavaScript of x, each as answers.py's constant
# expressions compute it (the op table's rule, its domain, its two branches for sigmoid). The
# op table's other gates (erf, gelu, max, ...) the page refuses as answers, and says how to write
# a number instead; tests/test_page_steps.py checks both against the command line.
READER_FUNCTIONS = {
    "exp": "Math.exp(x)", "log": "x > 0 ? Math.log(x) : NaN", "sqrt": "x >= 0 ? Math.sqrt(x) : NaN",
    "abs": "Math.abs(x)", "sign": "x > 0 ? 1 : (x < 0 ? -1 : 0)", "sin": "Math.sin(x)", "cos": "Math.cos(x)",
    "tan": "Math.tan(x)", "tanh": "Math.tanh(x)", "sinh": "Math.sinh(x)", "cosh": "Math.cosh(x)",
    "atan": "Math.atan(x)", "log2": "x > 0 ? Math.log2(x) : NaN", "log10": "x > 0 ? Math.log10(x) : NaN",
    "exp2": "Math.pow(2, x)", "square": "x * x", "relu": "x >= 0 ? x : 0",
    "sigmoid": "x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))",
}
READER_ALIASES = {"ln": "log", "arctan": "atan", "σ": "sigmoid"}



@cache
def _asset(name: str) -> str:
    """One of the page's files (page/page.css, page/page.js), as the package ships it."""
    return resources.files("gradtrace.render").joinpath("page", name).read_text(encoding="utf-8")


def _script() -> str:
    """The page's behaviour (with JavaScript off, everything is simply shown): page.js, with the
    reader's functions and their aliases filled in from the tables above."""
    functions = ", ".join(f"{json.dumps(name)}: function (x) {{ return {code}; }}"
                          for name, code in READER_FUNCTIONS.items())
    return _asset("page.js").replace("{FUNCTIONS}", "{" + functions + "}").replace(
        "{ALIASES}", json.dumps(READER_ALIASES, ensure_ascii=False))
