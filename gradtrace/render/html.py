"""--html FILE: one self-contained page (no network references) with the picture, the table and
the step-by-step explanation, for a teacher to share."""

from __future__ import annotations

from html import escape

from ..core.trace import Trace
from . import dot, fmt, signed_sum
from .explain import backward_lines
from .picture import svg_inline
from .text import local_cell

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
@media (prefers-color-scheme: dark) {
  body { background: #0d1117; color: #e6edf3; }
  th, td { border-color: #30363d; }
  pre { background: #161b22; }
  .value { color: #3fb950; } .grad { color: #ff7b72; } .pattern { color: #79c0ff; }
  figure svg { background: #fff; border-radius: .3rem; }
}
"""


def render(trace: Trace, precision: int = 4) -> str:
    """The page as one string."""
    f = trace.output
    at = ", ".join(f"{k} = {fmt(v, precision)}" for k, v in trace.bindings.items())
    rows = []
    for row in trace.nodes:
        locals_ = "<br>".join(escape(local_cell(row, slot, precision)) for slot in range(len(row.inputs)))
        downs = "<br>".join(escape(fmt(d, precision)) for d in row.downstream)
        up = escape(fmt(row.upstream, precision))
        if len(row.parts) > 1:
            up += "<br><small>= " + escape(signed_sum([v for _, v in row.parts], precision)) + "</small>"
        rows.append(f"<tr><td><b>{escape(row.name)}</b></td>"
                    f"<td data-label='computes'><code>{escape(row.expr)}</code></td>"
                    f"<td class='num value' data-label='value'>{escape(fmt(row.value, precision))}</td>"
                    f"<td class='num grad' data-label='upstream'>{up}</td>"
                    f"<td class='local' data-label='local'>{locals_}</td>"
                    f"<td class='num grad' data-label='downstream'>{downs}</td>"
                    f"<td class='pattern' data-label='pattern'>{escape(', '.join(row.patterns))}</td></tr>")
    gradients = ", ".join(f"∂{f}/∂{k} = {fmt(v, precision)}" for k, v in trace.gradients.items())
    explanation = "\n".join(backward_lines(trace, precision))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gradtrace: {escape(trace.text)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{escape(trace.text)}</h1>
<p>{escape("at " + at) if at else ""}</p>
<figure>
{svg_inline(dot.render(trace, precision))}
<figcaption>Forward values in <span class="value">green</span> above each wire, gradients in
<span class="grad">red</span> below it.</figcaption>
</figure>
<div class="scroll">
<table>
<thead><tr><th>node</th><th>computes</th><th>value</th><th>upstream ∂{escape(f)}/∂node</th>
<th>local ∂node/∂input</th><th>downstream</th><th>pattern</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
<p><b>{escape(f)} = {escape(fmt(trace.value, precision))}</b>; {escape(gradients)}</p>
<h2>The backward pass, step by step</h2>
<pre>{escape(explanation)}</pre>
<p><small>Made with gradtrace.</small></p>
</body>
</html>
"""
