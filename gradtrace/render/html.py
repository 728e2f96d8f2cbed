"""--html FILE: one self-contained page (no network references) with the picture, the table and
the step-by-step explanation, for a teacher to share."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from ..core.trace import Trace
from ..i18n import _, current
from . import dot, fmt, signed_sum, wires
from .explain import backward_lines, forward_lines
from .picture import svg_inline
from .text import Decimals, local_cell

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
   reached yet is blank, as on the lecture's slides. */
nav#controls { position: sticky; top: 0; background: inherit; padding: .5rem 0; z-index: 1; }
nav#controls button { font: inherit; padding: .3rem .8rem; margin: 0 .3rem .3rem 0; min-height: 2.2rem; }
#step { min-height: 3.5rem; margin: .4rem 0; }
#where { margin: .2rem 0; font-weight: 600; }
g.node.current ellipse, g.node.current polygon { stroke: #bf8700; stroke-width: 4; }
tr.current { background: #fff8c5; }
.stepping tr.no-value td.value, .stepping tr.no-grad td.up .shown,
.stepping tr.not-done td.grad:not(.up), .stepping tr.not-done td.local { visibility: hidden; }
.hiding td.up .shown, .hiding td.grad, .hiding .grad-summary, .hiding pre.explanation, .hiding #step,
.hiding figure svg text[fill="#cf222e"] { visibility: hidden; }
.answer { display: none; }
.hiding .answer { display: inline; visibility: visible; }
.hiding tr.no-grad td.up .answer { visibility: visible; }
.answer input { font: inherit; width: 6rem; }
.wire-answer span { display: flex; align-items: center; gap: 2px; }
.wire-answer input { width: 3.6em; font-size: 9px; padding: 0 2px; border: 1px solid #cf222e; }
.wire-answer output { font-size: 9px; }
output.right { color: #1a7f37; } output.wrong { color: #cf222e; }
:focus-visible { outline: 3px solid #bf8700; outline-offset: 2px; }
@media (prefers-color-scheme: dark) {
  tr.current { background: #3b2e00; }
  body { background: #0d1117; color: #e6edf3; }
  th, td { border-color: #30363d; }
  pre { background: #161b22; }
  .value { color: #3fb950; } .grad { color: #ff7b72; } .pattern { color: #79c0ff; }
  figure svg { background: #fff; border-radius: .3rem; }
}
"""


def steps(trace: Trace, precision: int = 4) -> list[dict[str, Any]]:
    """The lecture's walk through the circuit, one gate at a time: the forward pass, then the
    backward pass, each step the explanation's lines for one node (--explain's own text)."""
    out: list[dict[str, Any]] = []
    told: set[int] = set()  # nodes whose backward step was told: a copy gate's first step is its sum
    names = sorted((row.name for row in trace.nodes), key=len, reverse=True)  # t12 before t1
    for phase, lines in (("forward", forward_lines(trace, precision)), ("backward", backward_lines(trace, precision))):
        for line in lines:
            m = _STEP.match(line)
            # The step's node is the name it starts with (in any language: "q is used", "q은(는)").
            name = next((n for n in names if line.startswith(n, m.end())), None) if m else None
            if m and name is not None:
                node = trace.node(name)
                copy = phase == "backward" and len(node.parts) > 1 and node.node.id not in told
                if phase == "backward":
                    told.add(node.node.id)
                out.append({"phase": phase, "id": f"n{node.node.id}", "name": node.name,
                            "text": line[m.end():].strip(), "copy": copy})
            elif line.startswith("   ") and out and out[-1]["phase"] == phase:
                out[-1]["text"] += "\n" + line.strip()
    return out


_STEP = re.compile(r"\d+\. ")


def render(trace: Trace, precision: int = 4) -> str:
    """The page as one string."""
    f = trace.output
    at = ", ".join(f"{k} = {fmt(v, precision)}" for k, v in trace.bindings.items())
    walk = steps(trace, precision)
    # When each node's value is known (its forward step) and its gradient is final (the last
    # backward step that sends it a part), so the page can reveal them as the lecture does.
    value_at = {s["id"]: k for k, s in enumerate(walk) if s["phase"] == "forward"}
    grad_at: dict[str, int] = {}   # its upstream gradient is final: after its last consumer's step
    done_at: dict[str, int] = {}   # its own step: its local and downstream gradients are told
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
    noise = _noise(trace)
    heads = [escape(_(word)) for word in ("node", "computes", "value", "pattern")]
    green, red = escape(_("green")), escape(_("red"))
    caption = _("Forward values in {green} above each wire, gradients in {red} below it.").format(
        green=f'<span class="value">{green}</span>', red=f'<span class="grad">{red}</span>')
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
                      f"data-noise='{noise[row.id]!r}'> <output aria-live='polite'></output></span>")
        rows.append(f"<tr data-node='{nid}' data-value-at='{value_at.get(nid, -1)}' "
                    f"data-grad-at='{grad_at.get(nid, -1)}' data-done-at='{done_at.get(nid, -1)}'>"
                    f"<th scope='row'>{escape(row.name)}</th>"
                    f"<td data-label='{heads[1]}'><code>{escape(expr)}</code></td>"
                    f"<td class='num value' data-label='{heads[2]}'>{escape(fmt(row.value, precision))}</td>"
                    f"<td class='num grad up' data-label='upstream'><span class='shown'>{up}</span>{answer}</td>"
                    f"<td class='local' data-label='local'>{locals_}</td>"
                    f"<td class='num grad' data-label='downstream'>{downs}</td>"
                    f"<td class='pattern' data-label='{heads[3]}'>{escape(', '.join(row.patterns))}</td></tr>")
    gradients = ", ".join(f"∂{f}/∂{k} = {fmt(v, precision)}" for k, v in trace.gradients.items())
    explanation = "\n".join(backward_lines(trace, precision))
    # The picture's wires, in the order dot.render draws them (its nodes w1, w2, ...): in the
    # self-test each red number on a wire becomes a box to type that gradient into.
    names = {f"n{row.id}": row.name for row in trace.nodes}
    names.update({f"a{row.id}": _("the copy of {name}").format(name=row.name) for row in trace.nodes}, end=f)
    wire_data = []
    if noise is not None:
        for source, target, _value, gradient in wires(trace):
            node = trace.row(int(source[1:]))
            wire_data.append({"true": float(gradient), "noise": noise[node.id],
                              "label": _("gradient on the wire from {source} to {target}").format(
                                  source=names[source], target=names[target])})
    words = {"step": _("Step {n} of {total}: the {phase} pass at {name}"), "right": _("✓ right"),
             "not_yet": _("✗ not yet"), "number": _("type a number"), "your": _("your {gradient}"),
             "all": _("Everything shown: Next steps through it again.")}
    data = json.dumps({"steps": walk, "wires": wire_data, "precision": int(precision), "words": words,
                       "decimals": isinstance(precision, Decimals)}, ensure_ascii=True).replace("</", "<\\/")
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
<p class="grad-summary"><b>{escape(f)} = {escape(fmt(trace.value, precision))}</b>; {escape(gradients)}</p>
<h2>{text["walk"]}</h2>
<pre class="explanation">{escape(explanation)}</pre>
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
    from ..answers import float_noise

    return [float(n) for n in float_noise(trace)[1]]


# The page's behaviour: with JavaScript off, everything above is simply shown.
SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("gradtrace-data").textContent);
  function say(message, fields) {  // a message of the page's language, its {fields} filled in
    return message.replace(/\{(\w+)\}/g, function (whole, key) { return key in fields ? fields[key] : whole; });
  }
  var steps = data.steps, n = steps.length, at = 0, hiding = false;
  var body = document.body, controls = document.getElementById("controls");
  var stepBox = document.getElementById("step"), where = document.getElementById("where");
  var hide = document.getElementById("hide");
  var gates = {};
  document.querySelectorAll("figure svg g.node").forEach(function (g) {
    var title = g.querySelector("title");
    if (title) gates[title.textContent] = g;
  });
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-node]"));

  // The grading rule of --expect (gradtrace/answers.py), for answers typed as numbers.
  function grade(text, actual, noise) {
    var m = text.trim().match(/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/);
    if (!m) return null;
    var given = parseFloat(text);
    if (!isFinite(given)) return null;
    if (given === 0) return Math.abs(actual) <= noise;
    var slack = 4 * Math.pow(2, -52) * Math.max(Math.abs(actual), Math.abs(given)) + noise;
    var mantissa = m[1], exponent = m[2] ? parseInt(m[2].slice(1), 10) : 0;
    if (mantissa.indexOf(".") >= 0 && mantissa.slice(-1) !== ".") {
      var place = Math.pow(10, exponent - (mantissa.length - mantissa.indexOf(".") - 1));
      return Math.abs(actual - given) <= 0.5 * place * (1 + 1e-9) + slack;
    }
    var written = m[2] ? 1 : mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "").length;
    var digits = Math.max(data.decimals ? 4 : data.precision, written);
    var e = Math.floor(Math.log10(Math.abs(given)));
    return Math.abs(actual - given) <= 0.5 * Math.pow(10, e - digits + 1) * (1 + 1e-9) + slack;
  }
  window.gradtraceGrade = grade;

  function show() {
    at = Math.max(0, Math.min(n - 1, at));
    var step = steps[at];
    Object.keys(gates).forEach(function (id) { gates[id].classList.toggle("current", id === step.id); });
    rows.forEach(function (row) {
      var valueAt = +row.dataset.valueAt, gradAt = +row.dataset.gradAt;
      row.classList.toggle("current", row.dataset.node === step.id);
      row.classList.toggle("no-value", step.phase === "forward" && valueAt > at);
      row.classList.toggle("no-grad", step.phase === "forward" || gradAt > at);
      row.classList.toggle("not-done", step.phase === "forward" || +row.dataset.doneAt > at);
    });
    body.classList.toggle("forward", step.phase === "forward");
    where.textContent = say(data.words.step, {n: at + 1, total: n, phase: step.phase, name: step.name});
    stepBox.textContent = step.text;
    document.getElementById("back").disabled = at === 0;
    document.getElementById("next").disabled = at === n - 1;
    history.replaceState(null, "", "#step=" + (at + 1) + (hiding ? "&hide=1" : ""));
  }
  // The self-test: each red number on a wire becomes a box to type that gradient into.
  var boxes = [];
  function attach(input, actual, noise) {
    input.addEventListener("input", function () {
      var out = input.parentNode.querySelector("output");
      var verdict = input.value.trim() === "" ? null : grade(input.value, actual, noise);
      out.textContent = verdict === null ? (input.value.trim() ? data.words.number : "")
        : (verdict ? data.words.right : data.words.not_yet);
      out.className = verdict === true ? "right" : (verdict === false ? "wrong" : "");
      input.setAttribute("aria-invalid", verdict === false ? "true" : "false");
    });
  }
  function wireBoxes(on) {
    boxes.forEach(function (box) { box.remove(); });
    boxes = [];
    if (!on) return;
    data.wires.forEach(function (wire, k) {
      var g = gates["w" + (k + 1)];
      var red = g && g.querySelector('text[fill="#cf222e"]');
      if (!red) return;
      var box = red.getBBox(), ns = red.namespaceURI;
      var fo = document.createElementNS(ns, "foreignObject");
      fo.setAttribute("x", box.x - 14); fo.setAttribute("y", box.y - 3);
      fo.setAttribute("width", Math.max(box.width + 40, 64)); fo.setAttribute("height", box.height + 8);
      fo.setAttribute("class", "wire-answer");
      var span = document.createElement("span");
      var input = document.createElement("input");
      input.type = "text"; input.inputMode = "decimal";
      input.setAttribute("aria-label", say(data.words.your, {gradient: wire.label}));
      var out = document.createElement("output");
      span.appendChild(input); span.appendChild(out); fo.appendChild(span);
      red.parentNode.appendChild(fo);
      attach(input, wire.true, wire.noise);
      boxes.push(fo);
    });
  }
  var scrollers = document.querySelectorAll("figure, div.scroll");
  function setHiding(on) {
    hiding = on;
    hide.checked = on;
    body.classList.toggle("hiding", on);
    wireBoxes(on);
    // The picture and the table scroll on a narrow screen, so they take the focus, unless they hold boxes.
    scrollers.forEach(function (el) {
      if (on) el.removeAttribute("tabindex"); else el.setAttribute("tabindex", "0");
    });
    var svg = document.querySelector("figure svg");  // an image, or a group holding the boxes
    if (svg) svg.setAttribute("role", on ? "group" : "img");
    show();
  }
  function showAll() {
    body.classList.remove("stepping", "forward");
    rows.forEach(function (row) { row.classList.remove("current", "no-value", "no-grad", "not-done"); });
    Object.keys(gates).forEach(function (id) { gates[id].classList.remove("current"); });
    where.textContent = data.words.all;
    stepBox.textContent = "";
    stepping = false;
  }
  var stepping = true;
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
  document.querySelectorAll(".answer input").forEach(function (input) {
    attach(input, parseFloat(input.dataset.true), parseFloat(input.dataset.noise));
  });
  function fromAddress() {  // the permalink: #step=12&hide=1
    var state = location.hash.match(/step=(\d+)/);
    at = state ? parseInt(state[1], 10) - 1 : 0;
    setHiding(/hide=1/.test(location.hash));
  }
  window.addEventListener("hashchange", fromAddress);
  controls.hidden = false;
  body.classList.add("stepping", "js");
  fromAddress();
})();
"""
