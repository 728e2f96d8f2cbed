"""The node table drawn by _Grid, the quick path for a table that fits, is rich's Table drawn
at its natural width, character for character and style for style: on a colour terminal and a
plain one, with a box of ASCII characters on a console that can't show others, with wide Hangul
characters, arrays, copy gates and kinks."""

import io

import pytest
from rich.console import Console
from rich.style import Style

import gradtrace
from gradtrace.core.numbers import NumberFormat
from gradtrace.i18n import language
from gradtrace.render import table

PROGRAMS = [
    ("(x+y)*z", {"x": -2, "y": 5, "z": -4}),
    ("1/(1+exp(-(w0*x0+w1*x1+w2)))", {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}),
    ("x*x + max(x, y) + relu(y)", {"x": 3, "y": 0}),  # a copy gate, a kink
    ("a_very_long_variable_name * b + exp(a_very_long_variable_name)", {"a_very_long_variable_name": 0.5, "b": -3.25}),
    ("sum(W @ x)", {"W": [[1, 2], [3, 4]], "x": [0.5, -1]}),
    ("q = x + y; f = q * z", {"x": 1e-12, "y": -123456.789, "z": 1e300}),
    ("exp(x)*y**2 + σ(x*y)", {}),  # symbolic
]


def _cells(console: Console, renderable) -> list[tuple[str, object]]:
    """Each character drawn, with its style (no style and the null style are the same)."""
    return [(ch, segment.style or Style.null()) for line in console.render_lines(renderable, pad=False)
            for segment in line for ch in segment.text]


class _AsciiFile(io.StringIO):
    encoding = "ascii"  # a terminal that can't show box-drawing characters: rich draws ASCII ones


CONSOLES = {
    "colour": lambda: Console(force_terminal=True, color_system="truecolor", width=500),
    "plain": lambda: Console(color_system=None, width=500),
    "ascii": lambda: Console(color_system=None, width=500, file=_AsciiFile()),
}


@pytest.mark.parametrize("program, values", PROGRAMS, ids=lambda p: str(p)[:20])
@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("kind", list(CONSOLES))
def test_the_grid_draws_what_rich_draws(program, values, lang, kind):
    console = CONSOLES[kind]()
    assert console.options.ascii_only == (kind == "ascii")
    trace = gradtrace.trace(program, **values)
    with language(lang):
        numbers = NumberFormat(digits=4)
        nodes = [table._node_cells(trace, row, numbers, False, lambda v, shape=False: numbers.text(v))
                 for row in trace.nodes]
        out, arrays = trace.output, trace.arrays
        columns, rows = table._columns(out, arrays), table._rows(nodes, arrays)
        grid, rich_table = table._Grid(columns, rows), table._table(columns, rows)
        assert grid.width == console.measure(rich_table).maximum
        assert _cells(console, grid) == _cells(console, rich_table)
        assert ("─" in "".join(ch for ch, _ in _cells(console, grid))) == (kind != "ascii")


def test_a_table_that_does_not_fit_is_left_to_rich(monkeypatch):
    """Narrower than the grid, the table is rich's, which wraps its cells (or stacked)."""
    trace = gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4)
    console = Console(color_system=None, width=500)
    assert isinstance(table.build(trace, width=200, console=console).renderables[2], table._Grid)
    body = table.build(trace, width=60, console=console).renderables[2]
    assert not isinstance(body, table._Grid)
