"""How check_gate's and check_layer's result shows itself: a table with one row for the forward
output and one per input (passed, CS231n's relative error and its band, the worst element, the
central difference, the diagnosis), then the notes, the error and what the code printed. A rich
console and a notebook show the table; str() is the same table as text.

modes/layer_check.py's StudentCheck knows nothing of renderers: it asks its DISPLAY, which this
module fills when gradtrace is imported."""

from __future__ import annotations

import io
import sys
from typing import Any

from ..i18n import _, language
from ..modes import layer_check as _layer_check

MAX_PRINTED_LINES = 40


def rich(check: Any) -> Any:
    """The result as one rich renderable."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from ..core.numbers import fmt

    with language(check.lang):
        verdict = _("passed") if check.passed else _("failed")
        head = Text()
        head.append(("✓ " if check.passed else "✗ "), style="green" if check.passed else "red")
        head.append(_("{kind} {subject}: {verdict}").format(
            kind="check_gate" if check.kind == "gate" else "check_layer", subject=check.subject, verdict=verdict),
            style="bold")
        parts: list[Any] = [head, Text(_("against {expression}; upstream: {upstream}").format(
            expression=check.expression, upstream=check.upstream), style="dim")]
        if check.rows:
            table = Table(show_edge=False, pad_edge=False, header_style="bold")
            for column in ("", _("passed"), _("points"), _("relative error"), _("worst element: yours / true"),
                           _("central difference"), _("diagnosis")):
                table.add_column(column, overflow="fold")
            for row in check.rows:
                ok = Text("✓", style="green") if row.passed else Text("✗", style="red")
                words = row.band_text if row.passed and row.band != "good" else _(row.band or "")
                error = "-" if row.error is None else f"{row.error:.1e} ({words})"
                if row.mismatch is not None:
                    error = row.mismatch if row.error is None else f"{row.mismatch}; {error}"
                worst = "-"
                if row.worst is not None and not row.passed:
                    point, index, yours, true = row.worst
                    where = f"{point} " if point else ""
                    worst = f"{where}[{', '.join(map(str, index))}]: {fmt(yours)} / {fmt(true)}"
                numerical = "-" if row.numerical_error is None else \
                    f"{row.numerical_error:.1e} ({_(row.numerical_band)})"
                points = f"{row.points - row.failed}/{row.points}"
                label = row.name if row is not check.output else _("{name} (forward)").format(name=row.name)
                table.add_row(label, ok, points, error, worst, numerical, row.diagnosis or "-")
            parts.append(table)
        for row in check.rows:
            parts += [Text(f"{row.name}: {note}", style="yellow") for note in row.notes]
        parts += [Text(_("note: {text}").format(text=note), style="yellow") for note in check.notes]
        if check.error is not None:
            parts.append(Text(_("your code failed ({stage}): {message}").format(
                stage=check.error["stage"], message=check.error["message"]), style="red"))
            if check.error.get("traceback"):
                parts.append(Text(check.error["traceback"], style="dim"))
        if check.printed:
            lines = _collapsed(check.printed.rstrip().splitlines())
            parts.append(Text(_("your code printed:"), style="dim"))
            parts.append(Text("\n".join(lines[:MAX_PRINTED_LINES]) + ("\n…" if len(lines) > MAX_PRINTED_LINES else "")))
        return Group(*parts)


def _collapsed(lines: list[str]) -> list[str]:
    """Printed lines with each run of one line written once, and how many times it came (a
    forward called for every central difference prints as often)."""
    out: list[str] = []
    count = 0
    for k, line in enumerate(lines):
        count += 1
        if k + 1 == len(lines) or lines[k + 1] != line:
            out.append(line if count == 1 else f"{line}  [×{count}]")
            count = 0
    return out


def text(check: Any) -> str:
    """The result as plain text, as wide as it needs."""
    from rich.console import Console

    console = Console(width=120, color_system=None, record=True, file=io.StringIO(), force_jupyter=False)
    console.print(rich(check))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def html(check: Any) -> str:
    """The result for a notebook cell: the table in its colours, as HTML with inline styles."""
    from rich.console import Console

    console = Console(width=120, record=True, file=io.StringIO(), force_jupyter=False, color_system="truecolor")
    console.print(rich(check))
    return console.export_html(inline_styles=True, code_format=(
        "<pre style='font-size:12px;line-height:1.3;font-family:monospace'><code>{code}</code></pre>"))


_layer_check.DISPLAY = sys.modules[__name__]
