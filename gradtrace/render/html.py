"""--html FILE: one self-contained page (no network references) with the picture, the table and
the step-by-step explanation, for a teacher to share."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from ..core.numbers import Decimals, fmt, signed_sum
from ..core.trace import Trace
from ..i18n import _, current
from . import dot
from .explain import backward_lines, forward_lines
from .picture import svg_inline
from .text import local_cell, wires

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; padding: 0 1rem; }
h1 { font-size: 1.4rem; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
figure { margin: 1.5rem 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { padding: .25rem .7rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td { white-space: nowrap; }
td.local { white-space: normal; min-width: 12rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.value { color: #1a7f37; } .grad { color: #cf222e; } .pattern { color: #0969da; }
pre { background: #f6f8fa; padding: 1rem; line-height: 1.5; white-space: pre-wrap; overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  body { margin: .75rem auto; padding: 0 .6rem; }
  pre { padding: .6rem; font-size: .85rem; }
  figure svg { max-width: none; width: auto; }  /* full size, scrolled sideways: scaled down it can't be read */
  /* On a phone each node is a card: one labelled line per cell. */
  table, tbody, tr, td { display: block; }
  thead { display: none; }
  tr { border-bottom: 1px solid #ddd; padding: .4rem 0; }
  td { border: none; padding: .1rem 0; white-space: normal; text-align: left; min-width: 0; }
  td.num { text-align: left; }
  td:empty { display: none; }
  td[data-label]::before { content: attr(data-label) ": "; color: #666; font-size: .85rem; }
}
/* Stepping through (JavaScript on): the current gate and row stand out; what the walk has not
   reached yet is blank, as on the lecture's slides: in the picture, the table and the text. */
/* The controls stay at the top, opaque over what scrolls under them. */
nav#controls { position: sticky; top: 0; background: #fff; padding: .5rem 0; z-index: 1; }
nav#controls button { font: inherit; padding: .3rem .8rem; margin: 0 .3rem .3rem 0; min-height: 2.2rem; }
#step { min-height: 3.5rem; max-height: 30vh; overflow-y: auto; margin: .4rem 0; }
#where { margin: .2rem 0; font-weight: 600; }
g.node.current ellipse, g.node.current polygon { stroke: #bf8700; stroke-width: 4; }
tr.current { background: #fff8c5; }
.stepping tr.no-value td.value, .stepping tr.no-grad td.up .shown,
.stepping tr.not-done td.grad:not(.up), .stepping tr.not-done td.local,
.stepping g.no-value text[fill="#1a7f37"], .stepping g.no-grad text[fill="#cf222e"] { visibility: hidden; }
.stepping .later { display: none; }
.hiding td.up .shown, .hiding td.grad, .hiding .grad-summary, .hiding pre.explanation, .hiding #step,
.hiding figure svg text[fill="#cf222e"] { visibility: hidden; }
/* The output's gradient of 1 is where backprop starts: given, never asked. */
.hiding g.seed text[fill="#cf222e"], .hiding tr td.up.seed, .hiding tr td.up.seed .shown { visibility: visible; }
/* The forward pass tells values only: its steps stay readable in the self-test. */
.hiding.forward #step { visibility: visible; }
.answer { display: none; }
.hiding .answer { display: inline; visibility: visible; }
.answer input { font: inherit; width: 6rem; }
/* Every verdict stacked in one cell: as wide as the widest from the start. */
.verdict { display: inline-grid; vertical-align: middle; text-align: left; }
.verdict > output, .verdict > .sizer, .sizer > span { grid-area: 1 / 1; white-space: nowrap; }
.verdict > .sizer { display: grid; visibility: hidden; }
.wire-answer { display: none; }
.hiding .wire-answer { display: inline; }
.wire-answer span { display: flex; align-items: center; gap: 2px; height: 100%; }
.wire-answer input { flex: none; width: calc(100% - 16px); box-sizing: border-box; font-size: 10px; padding: 0 2px;
  border: 1px solid #cf222e; }
.wire-answer .mark { flex: none; width: 12px; font-size: 11px; text-align: center; }
.wire-answer output { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
.mark:has(+ output.right), output.right { color: #1a7f37; } .mark:has(+ output.wrong), output.wrong { color: #cf222e; }
:focus-visible { outline: 3px solid #bf8700; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  tr.current { background: #3b2e00; }
  body, nav#controls { background: #0d1117; color: #e6edf3; }
  th, td { border-color: #30363d; }
  pre { background: #161b22; }
  .value { color: #3fb950; } .grad { color: #ff7b72; } .pattern { color: #79c0ff; }
  figure svg { background: #fff; border-radius: .3rem; }
}
"""


def steps(trace: Trace, precision: int = 4) -> list[dict[str, Any]]:
    """The lecture's walk through the circuit, one gate at a time: the forward pass, then the
    backward pass, each step the explanation's lines for one node (--explain's own text)."""
    return _walk(trace, precision)[0]


def _walk(trace: Trace, precision: int) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """The steps, and every line of --explain's text with the step that tells it: a pass's
    heading goes with its first step, its closing line (the output, the result) with its last."""
    out: list[dict[str, Any]] = []
    told: list[tuple[int, str]] = []
    done: set[int] = set()  # nodes whose backward step was told: a copy gate's first step is its sum
    names = sorted((row.name for row in trace.nodes), key=len, reverse=True)  # t12 before t1
    for phase, lines in (("forward", forward_lines(trace, precision)), ("backward", backward_lines(trace, precision))):
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


def render(trace: Trace, precision: int = 4) -> str:
    """The page as one string."""
    f = trace.output
    at = ", ".join(f"{k} = {fmt(v, precision)}" for k, v in trace.bindings.items())
    walk, told = _walk(trace, precision)
    value_at, grad_at, done_at = _reached(trace, walk)
    last = len(walk) - 1
    noise = _noise(trace)
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
        locals_ = "<br>".join(escape(local_cell(row, slot, precision)) for slot in range(len(row.inputs)))
        downs = "<br>".join(escape(fmt(d, precision)) for d in row.downstream)
        up = escape(fmt(row.upstream, precision))
        if len(row.parts) > 1:
            up += "<br><small>= " + escape(signed_sum([v for _part, v in row.parts], precision)) + "</small>"
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
                    f"<td class='num value' data-label='{heads[2]}'>{escape(fmt(row.value, precision))}</td>"
                    f"<td class='num grad up{seed}' data-label='upstream'><span class='shown'>{up}</span>{answer}</td>"
                    f"<td class='local' data-label='local'>{locals_}</td>"
                    f"<td class='num grad' data-label='downstream'>{downs}</td>"
                    f"<td class='pattern' data-label='{heads[3]}'>{escape(', '.join(row.patterns))}</td></tr>")
    gradients = ", ".join(f"∂{f}/∂{k} = {fmt(v, precision)}" for k, v in trace.gradients.items())
    # The walk told step by step: each line carries the step that tells it, and the page shows a
    # line only once the walk has reached it.
    explanation = "".join(f"<span data-at='{k}'>{escape(line)}\n</span>" for k, line in told)
    data = json.dumps({"steps": walk, "wires": _wires(trace, walk, noise), "precision": int(precision),
                       "words": words, "decimals": isinstance(precision, Decimals)},
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
<style>{STYLE}</style>
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
{_svg(trace, precision)}
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
<p class="grad-summary" data-at="{last}"><b>{escape(f)} = {escape(fmt(trace.value, precision))}</b>;
{escape(gradients)}</p>
<h2>{text["walk"]}</h2>
<pre class="explanation">{explanation}</pre>
<p><small>{text["keys"]}</small></p>
</main>
<script type="application/json" id="gradtrace-data">{data}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _svg(trace: Trace, precision: int) -> str:
    svg = svg_inline(dot.render(trace, precision))
    label = _("The circuit of {program}, with forward values and gradients on its wires").format(program=trace.text)
    return svg.replace("<svg ", f"<svg role='img' aria-label='{escape(label)}' ", 1)


def _noise(trace: Trace) -> list[float] | None:
    """Each upstream gradient's float noise, for grading a typed zero as --expect does; None where
    the page can't grade (arrays, symbolic and exact traces)."""
    if trace.mode != "numeric" or trace.arrays:
        return None
    from ..modes.answers import float_noise

    return [float(n) for n in float_noise(trace)[1]]


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

# The page's behaviour: with JavaScript off, everything above is simply shown.
SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gradtrace-data").textContent);
  function say(message, fields) {  // a message of the page's language, its {fields} filled in
    return message.replace(/\{(\w+)\}/g, function (whole, key) { return key in fields ? fields[key] : whole; });
  }

  // ---- Reading an answer: gradtrace/answers.py's read_answer and Rule, line for line ----------
  // A number is read as Python's float() reads it; anything else as a constant expression by a
  // small port of gradtrace's parser (numbers, + - * / ** ^ × · ⋅ ÷ −, √, superscripts, 2π and
  // 3(…), pi, π, e, and the functions below). Whatever the command line refuses, this refuses.
  // Beside its float, each number carries its exact value as a fraction of BigInts where
  // answers.py's exact_value has one (written numbers, + - * / and whole powers), since the rule
  // depends on the number, not on its spelling: -0.2, -2e-1 and -1/5 get one rule.
  var SPACES = "\t\n\u000b\f\r \u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
  var STRIP = new RegExp("^[" + SPACES + "]+|[" + SPACES + "]+$", "g");  // Python's str.strip()
  var NUMBER = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
  var EPS = Math.pow(2, -52), MAX_TEXT = 200, MAX_DECIMALS = 20, MAX_EXACT_BITS = 4096;
  function tenTo(k) { return parseFloat("1e" + k); }  // 10.0 ** k, correctly rounded as in Python
  var FUNCTIONS = {FUNCTIONS};
  var ALIASES = {ALIASES};
  var BINARY = {"+": [1, false], "-": [1, false], "*": [2, false], "/": [2, false], "×": [2, false],
                "·": [2, false], "⋅": [2, false], "**": [4, true], "^": [4, true]};
  var SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", PLAIN = "0123456789-+";
  var TOKEN = new RegExp("[ \\t\\r\\f]*(?:(\\*\\*|[-+*/^@·⋅×√(),=;\\n])" +
    "|([A-Za-z_][A-Za-z0-9_]*(?:(?![π⁰¹²³⁴⁵⁶⁷⁸⁹])[\\p{L}\\p{N}_])*|π|(?![π\\p{Nd}⁰¹²³⁴⁵⁶⁷⁸⁹])[\\p{L}_]" +
    "(?:(?![π⁰¹²³⁴⁵⁶⁷⁸⁹])[\\p{L}\\p{N}_])*)" +
    "|((?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|(\\.[A-Za-z_][A-Za-z0-9_]*))", "uy");
  var KINDS = [null, "op", "name", "number", "sup", "attr"];
  function tokens(text) {  // a comment runs to the end of its line (gone first: JavaScript has no possessive *+)
    text = text.replace(/#[^\n]*/g, "");
    var out = [], m;
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < text.length) {
      var from = TOKEN.lastIndex;
      m = TOKEN.exec(text);
      if (!m) {
        if (/^[ \t\r\f]*$/.test(text.slice(from))) break;  // spaces at the end
        return null;
      }
      var kind = 1;
      while (m[kind] === undefined) kind++;
      out.push({kind: KINDS[kind], text: m[kind], start: TOKEN.lastIndex - m[kind].length, end: TOKEN.lastIndex});
    }
    out.push({kind: "end", text: "", start: text.length, end: text.length});
    return out;
  }

  // Exact numbers: {n, d} with d > 0 and no common factor, as Python's Fraction keeps them.
  function bits(x) { if (x < 0n) x = -x; return x === 0n ? 0 : x.toString(2).length; }
  function gcd(a, b) { if (a < 0n) a = -a; while (b) { var t = a % b; a = b; b = t; } return a; }
  function fraction(n, d) {
    if (d === 0n) return null;
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d) || 1n;
    return {n: n / g, d: d / g};
  }
  function exactText(text) {  // Fraction(text) for a number as NUMBER reads it
    var m = NUMBER.exec(text), sign = text[0] === "-" ? -1n : 1n;
    var mantissa = m[1], point = mantissa.indexOf("."), places = point < 0 ? 0 : mantissa.length - point - 1;
    var e = (m[2] ? parseInt(m[2].slice(1), 10) : 0) - places;
    var n = sign * BigInt(mantissa.replace(".", "") || "0");
    return e >= 0 ? fraction(n * 10n ** BigInt(e), 1n) : fraction(n, 10n ** BigInt(-e));
  }
  function small(f) { return f !== null && Math.max(bits(f.n), bits(f.d)) <= MAX_EXACT_BITS ? f : null; }
  function exactly(op, a, b) {  // answers._exactly: + - * / and whole powers, else null
    if (a === null || b === null) return null;
    if (op === "+") return small(fraction(a.n * b.d + b.n * a.d, a.d * b.d));
    if (op === "-") return small(fraction(a.n * b.d - b.n * a.d, a.d * b.d));
    if (op === "/") return small(fraction(a.n * b.d, a.d * b.n));
    if (op === "**" || op === "^") {
      if (b.d !== 1n) return null;
      var k = b.n < 0n ? -b.n : b.n;
      if (Math.max(bits(a.n), bits(a.d)) * Number(k) > MAX_EXACT_BITS) return null;
      var up = fraction(a.n ** k, a.d ** k);
      return small(b.n < 0n ? fraction(up.d, up.n) : up);
    }
    return small(fraction(a.n * b.n, a.d * b.d));
  }
  function toFloat(f) {  // float(Fraction): the nearest double, ties to even; Infinity if too large
    var negative = f.n < 0n, p = negative ? -f.n : f.n, q = f.d;
    if (p === 0n) return 0;
    var e = bits(p) - bits(q) - 53;  // p / q / 2^e then has 53 or 54 bits
    if (e < -1074) e = -1074;
    var shifted = function (e) { return e >= 0 ? [p, q << BigInt(e)] : [p << BigInt(-e), q]; };
    var pq = shifted(e), m = pq[0] / pq[1];
    if (m >= 1n << 53n) { e += 1; pq = shifted(e); m = pq[0] / pq[1]; }
    var twice = 2n * (pq[0] - m * pq[1]);
    if (twice > pq[1] || (twice === pq[1] && (m & 1n))) m += 1n;
    var value = Number(m) * Math.pow(2, e);
    return negative ? -value : value;
  }

  function finite(v) { if (!isFinite(v)) throw "undefined"; return v; }
  function apply(op, a, b) {  // a binary gate on two constants, with its domain: [float, exact]
    var x = a[0], y = b[0], v;
    if (op === "+") v = x + y;
    else if (op === "-") v = x - y;
    else if (op === "/") v = y !== 0 ? x / y : NaN;
    // A power of two numbers has x^c's domain: (-2)^2 is 4, (-8)^(1/3) and 0^-1 are refused.
    else if (op === "**" || op === "^") {
      v = (Number.isInteger(y) || x >= 0) && (y >= 0 || x !== 0) ? Math.pow(x, y) : NaN;
    }
    else v = x * y;
    return [finite(v), exactly(op, a[1], b[1])];
  }
  function constant(text) {  // gradtrace.core.graph.constant and answers.exact_value: [float, exact]
    var toks = tokens(text.replace(/\u2212/g, "-").replace(/\u00f7/g, "/"));
    if (!toks) throw "token";
    var i = 0, depth = 0;
    function skipLines() { while (depth && toks[i].kind === "op" && toks[i].text === "\n") i++; }
    function expression(least, left) {
      if (left === undefined) left = operand();
      for (;;) {
        skipLines();
        var t = toks[i], prev = toks[i - 1], op = null;
        if (t.kind === "op" && BINARY.hasOwnProperty(t.text)) op = t.text;
        else if (t.kind === "sup") op = "**";
        else if (t.kind === "attr") {
          if (t.text !== ".T") throw "attribute";
          i++;  // a number's transpose is itself
          continue;
        } else if ((t.kind === "name" || (t.kind === "op" && t.text === "(")) && prev.end === t.start &&
                   (prev.kind === "number" || (prev.kind === "name" && prev.text === "π"))) op = "*";  // 2π, 3(…)
        if (op === null) return left;
        var precedence = BINARY[op][0], right = BINARY[op][1];
        if (precedence < least) return left;
        if (t.kind === "sup") {  // x² is x**2: the operator and its exponent at once
          i++;
          var exponent = t.text.replace(/./g, function (c) { return PLAIN[SUPERSCRIPT.indexOf(c)]; });
          left = apply("**", left, expression(precedence, [parseFloat(exponent), exactText(exponent)]));
          continue;
        }
        if (!(op === "*" && t.text !== "*")) i++;
        left = apply(op, left, expression(right ? precedence : precedence + 1));
      }
    }
    function call(name) {  // name( was read: its arguments and the closing )
      var args = [expression(0)];
      skipLines();
      while (name === "pow" && args.length < 2 && toks[i].kind === "op" && toks[i].text === ",") {
        i++;
        args.push(expression(0));
        skipLines();
      }
      if (toks[i].kind !== "op" || toks[i].text !== ")") throw "arguments";
      i++;
      depth--;
      if (name === "pow") {
        if (args.length !== 2) throw "arguments";
        return apply("**", args[0], args[1]);
      }
      return [finite(FUNCTIONS[name](args[0][0])), null];
    }
    function operand() {
      skipLines();
      var t = toks[i++];
      if (t.kind === "op" && (t.text === "-" || t.text === "+" || t.text === "√")) {
        var v = expression(4);  // unary minus, plus and √ bind less tightly than a power: -2**2 is -4
        if (t.text === "+") return v;
        if (t.text === "-") return [-v[0], v[1] && fraction(-v[1].n, v[1].d)];
        return [finite(v[0] >= 0 ? Math.sqrt(v[0]) : NaN), null];
      }
      if (t.kind === "number") return [finite(parseFloat(t.text)), small(exactText(t.text))];
      if (t.kind === "op" && t.text === "(") {
        depth++;
        var inner = expression(0);
        skipLines();
        if (toks[i].text !== ")" || toks[i].kind !== "op") throw "parenthesis";
        i++;
        depth--;
        return inner;
      }
      if (t.kind === "name" && toks[i].kind === "op" && toks[i].text === "(") {
        var name = ALIASES.hasOwnProperty(t.text) ? ALIASES[t.text] : t.text;
        if (name !== "pow" && !FUNCTIONS.hasOwnProperty(name)) throw "function";
        i++;
        depth++;
        return call(name);
      }
      if (t.kind === "name" && (t.text === "pi" || t.text === "π")) return [Math.PI, null];
      if (t.kind === "name" && t.text === "e") return [Math.E, null];
      throw "operand";
    }
    var value = expression(0);
    if (toks[i].kind !== "end") throw "end";
    return value;
  }
  function significant(whole) { return Math.max(1, whole.toString().replace(/0+$/, "").length); }
  function ruleFor(value, exact, precision, decimals) {  // answers.rule_for
    if (value === 0) return {value: value, kind: "zero", place: 0, digits: 0};
    var digits = function (k) {  // with --decimals, a whole number or 1/3 rounds at the decimals shown
      if (decimals !== null && decimals !== undefined) {
        return {value: value, kind: "decimals", place: tenTo(-decimals), digits: 0};
      }
      return {value: value, kind: "digits", place: 0, digits: k};
    };
    if (exact === null || exact.n === 0n) return digits(precision);
    var numerator = exact.n < 0n ? -exact.n : exact.n, denominator = exact.d;
    if (denominator === 1n) return digits(Math.max(precision, significant(numerator)));
    var twos = bits(denominator & -denominator) - 1, rest = denominator >> BigInt(twos), fives = 0;
    while (rest % 5n === 0n) { rest /= 5n; fives++; }
    if (rest !== 1n) return digits(precision);
    var places = Math.max(twos, fives);
    if (places <= MAX_DECIMALS) return {value: value, kind: "decimals", place: tenTo(-places), digits: 0};
    var kept = significant(numerator * 10n ** BigInt(places) / denominator);
    return {value: value, kind: "digits", place: 0, digits: kept};
  }
  // An answer's value and the rule it is graded by (kind: decimals, digits or zero), or null
  // where the command line refuses it. decimals: the page shows numbers with that many (--decimals).
  function read(text, precision, decimals) {
    text = String(text).split("\u2248")[0].replace(STRIP, "");
    if (!text || Array.from(text).length > MAX_TEXT) return null;
    var m = NUMBER.exec(text), value, exact;
    if (m) {
      if (m[2] && Math.abs(parseInt(m[2].slice(1), 10)) > 400) return null;
      value = parseFloat(text);
      if (!isFinite(value)) return null;
      exact = exactText(text);
    } else {
      try { var both = constant(text); } catch (refused) { return null; }
      value = both[0];
      exact = both[1];
      if (exact !== null) {
        var nearest = toFloat(exact);  // 0.1 + 0.2 is 0.3, and 0.1 + 0.2 - 0.3 is 0, as written
        if (isFinite(nearest)) value = nearest; else exact = null;
      }
    }
    return ruleFor(value, exact, precision, decimals);
  }
  function allows(rule, actual, noise) {  // Rule.allows
    if (!isFinite(actual)) return false;
    var given = rule.value;
    if (rule.kind === "zero") return Math.abs(actual) <= noise;
    var slack = 4 * EPS * Math.max(Math.abs(actual), Math.abs(given)) + noise;
    if (rule.kind === "decimals") return Math.abs(actual - given) <= 0.5 * rule.place * (1 + 1e-9) + slack;
    var e = Math.floor(Math.log10(Math.abs(given)));
    return Math.abs(actual - given) <= 0.5 * tenTo(e - rule.digits + 1) * (1 + 1e-9) + slack;
  }
  // --decimals N shows N decimals and grades at them; significant digits are then --precision's 4.
  var PRECISION = data.decimals ? 4 : data.precision, DECIMALS = data.decimals ? data.precision : null;
  function grade(text, actual, noise, precision, decimals) {  // true, false, or null for an answer refused
    var rule = precision === undefined ? read(text, PRECISION, DECIMALS) : read(text, precision, decimals);
    return rule === null ? null : allows(rule, actual, noise || 0);
  }
  window.gradtraceRead = read;
  window.gradtraceGrade = grade;

  var steps = data.steps, n = steps.length, at = 0, hiding = false, stepping = n > 0;
  if (!n) return;  // a lone variable: nothing to step through, everything is shown
  var body = document.body, controls = document.getElementById("controls");
  var stepBox = document.getElementById("step"), where = document.getElementById("where");
  var hide = document.getElementById("hide"), figure = document.querySelector("figure");
  var gates = {};
  document.querySelectorAll("figure svg g.node").forEach(function (g) {
    var title = g.querySelector("title");
    if (title) gates[title.textContent] = g;
  });
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-node]"));
  var told = Array.prototype.slice.call(document.querySelectorAll("[data-at]"));
  data.wires.forEach(function (wire, k) {
    var g = gates["w" + (k + 1)];
    if (g && wire.seed) g.classList.add("seed");
  });

  // The current gate stays on the screen: scrolled into the picture sideways (a phone shows
  // part of it), and the page up or down to below the controls that stay at the top.
  function keepInView() {
    var gate = gates[steps[at].id];
    if (!gate) return;
    var r = gate.getBoundingClientRect(), f = figure.getBoundingClientRect();
    if (r.left < f.left || r.right > f.right) figure.scrollLeft += (r.left + r.right - f.left - f.right) / 2;
    for (var pass = 0; pass < 2; pass++) {  // the controls may stick to the top only after a scroll
      r = gate.getBoundingClientRect();
      var top = Math.max(0, controls.getBoundingClientRect().bottom) + 8, bottom = window.innerHeight - 8;
      if (r.top < top) window.scrollBy(0, r.top - top);
      else if (r.bottom > bottom) window.scrollBy(0, Math.min(r.bottom - bottom, r.top - top));
    }
  }
  function show() {
    at = Math.max(0, Math.min(n - 1, at));
    var step = steps[at], back = step.phase === "backward";
    var adder = step.copy ? "a" + step.id.slice(1) : null;  // a copy gate's step: its adder point too
    Object.keys(gates).forEach(function (id) {
      gates[id].classList.toggle("current", id === step.id || id === adder);
    });
    data.wires.forEach(function (wire, k) {
      var g = gates["w" + (k + 1)];
      if (!g) return;
      g.classList.toggle("no-value", wire.value_at > at);
      g.classList.toggle("no-grad", !back || wire.grad_at > at);
    });
    rows.forEach(function (row) {
      var valueAt = +row.dataset.valueAt, gradAt = +row.dataset.gradAt;
      row.classList.toggle("current", row.dataset.node === step.id);
      row.classList.toggle("no-value", valueAt > at);
      row.classList.toggle("no-grad", !back || gradAt > at);
      row.classList.toggle("not-done", !back || +row.dataset.doneAt > at);
    });
    told.forEach(function (line) { line.classList.toggle("later", +line.dataset.at > at); });
    body.classList.toggle("forward", !back);
    where.textContent = say(data.words.step, {n: at + 1, total: n, phase: step.phase, name: step.name});
    stepBox.textContent = step.text;
    document.getElementById("back").disabled = at === 0;
    document.getElementById("next").disabled = at === n - 1;
    history.replaceState(null, "", "#step=" + (at + 1) + (hiding ? "&hide=1" : ""));
    keepInView();
  }

  // The self-test: each red number on a wire becomes a box to type that gradient into, and each
  // upstream gradient of the table too. A box in the table and the box on the wire that carries
  // the same gradient hold one answer: typing in either fills the other.
  var partner = new Map();
  function verdict(input, actual, noise) {
    var text = input.value, out = input.parentNode.querySelector("output");
    var said = text.trim() === "" ? undefined : grade(text, actual, noise);
    out.textContent = said === undefined ? "" : (said === null ? data.words.number
      : (said ? data.words.right : data.words.not_yet));
    out.className = said === true ? "right" : (said === false ? "wrong" : "");
    var mark = input.parentNode.querySelector(".mark");
    if (mark) mark.textContent = said === undefined ? "" : (said === null ? "?" : (said ? "✓" : "✗"));
    input.setAttribute("aria-invalid", said === false ? "true" : "false");
    if (said === null) input.title = data.words.how; else input.removeAttribute("title");
  }
  function attach(input, actual, noise) {
    input.gradeIt = function () { verdict(input, actual, noise); };
    input.addEventListener("input", function () {
      input.gradeIt();
      var other = partner.get(input);
      if (other) { other.value = input.value; other.gradeIt(); }
    });
  }
  var tableBox = {};
  document.querySelectorAll(".answer input").forEach(function (input) {
    attach(input, parseFloat(input.dataset.true), parseFloat(input.dataset.noise));
    tableBox[input.closest("tr").dataset.node] = input;
  });
  var boxesMade = false;
  function makeBoxes() {
    boxesMade = true;
    data.wires.forEach(function (wire, k) {
      var g = gates["w" + (k + 1)];
      var red = g && !wire.seed && wire.label && g.querySelector('text[fill="#cf222e"]');
      if (!red) return;
      var box = red.getBBox(), ns = red.namespaceURI;
      var fo = document.createElementNS(ns, "foreignObject");
      fo.setAttribute("x", box.x - 6); fo.setAttribute("y", box.y - 2);
      fo.setAttribute("width", Math.max(box.width + 26, 60)); fo.setAttribute("height", box.height + 4);
      fo.setAttribute("class", "wire-answer");
      fo.dataset.wire = k;
      var span = document.createElement("span");
      var input = document.createElement("input");
      input.type = "text"; input.inputMode = "decimal";
      input.setAttribute("aria-label", say(data.words.your, {gradient: wire.label}));
      var mark = document.createElement("span");
      mark.className = "mark"; mark.setAttribute("aria-hidden", "true");
      var out = document.createElement("output");
      out.setAttribute("aria-live", "polite");
      span.appendChild(input); span.appendChild(mark); span.appendChild(out); fo.appendChild(span);
      red.parentNode.appendChild(fo);
      attach(input, wire.true, wire.noise);
      var twin = wire.node === null ? null : tableBox["n" + wire.node];
      if (twin) {
        partner.set(input, twin); partner.set(twin, input);
        if (twin.value) { input.value = twin.value; input.gradeIt(); }
      }
    });
  }
  var scrollers = document.querySelectorAll("figure, div.scroll");
  function setHiding(on) {
    hiding = on;
    hide.checked = on;
    body.classList.toggle("hiding", on);
    if (on && !boxesMade) makeBoxes();
    // The picture and the table scroll on a narrow screen, so they take the focus, unless they hold boxes.
    scrollers.forEach(function (el) {
      if (on) el.removeAttribute("tabindex"); else el.setAttribute("tabindex", "0");
    });
    var svg = document.querySelector("figure svg");  // an image, or a group holding the boxes
    if (svg) svg.setAttribute("role", on ? "group" : "img");
    if (stepping) show();
  }
  function showAll() {
    body.classList.remove("stepping", "forward");
    rows.forEach(function (row) { row.classList.remove("current", "no-value", "no-grad", "not-done"); });
    Object.keys(gates).forEach(function (id) { gates[id].classList.remove("current", "no-value", "no-grad"); });
    told.forEach(function (line) { line.classList.remove("later"); });
    where.textContent = data.words.all;
    stepBox.textContent = "";
    stepping = false;
  }
  function go(k) {
    if (!stepping) { stepping = true; body.classList.add("stepping"); }
    at = k;
    show();
  }
  document.getElementById("next").addEventListener("click", function () { go(at + 1); });
  document.getElementById("back").addEventListener("click", function () { go(at - 1); });
  document.getElementById("restart").addEventListener("click", function () { go(0); });
  document.getElementById("all").addEventListener("click", showAll);
  hide.addEventListener("change", function () { setHiding(hide.checked); });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT" || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight" || event.key === " ") { go(at + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { go(at - 1); event.preventDefault(); }
    else if (event.key === "Home") { go(0); event.preventDefault(); }
  });
  function fromAddress() {  // the permalink: #step=12&hide=1
    var state = location.hash.match(/step=(\d+)/);
    at = state ? parseInt(state[1], 10) - 1 : 0;
    stepping = true;
    body.classList.add("stepping");
    setHiding(/hide=1/.test(location.hash));
  }
  window.addEventListener("hashchange", fromAddress);
  controls.hidden = false;
  body.classList.add("js");
  fromAddress();
})();
""".replace("{FUNCTIONS}", "{" + ", ".join(
    f"{json.dumps(name)}: function (x) {{ return {code}; }}" for name, code in READER_FUNCTIONS.items()) + "}").replace(
    "{ALIASES}", json.dumps(READER_ALIASES, ensure_ascii=False))
