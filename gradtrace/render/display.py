"""How a trace shows itself outside the command line: in a Jupyter notebook (the circuit as
inline SVG above the table, plain text for text front-ends), in a rich console (the table), and
as a graphviz object, as micrograd's draw_dot gives.

The core's Trace knows nothing of renderers; it asks `core.trace.DISPLAY`, which this module
fills when gradtrace is imported. Nothing heavy is imported until a trace is displayed.
"""

from __future__ import annotations

import functools
import io
import sys
from typing import Any

from ..core import trace as _trace
from ..i18n import language

_WARNED: list[bool] = []  # "no dot program" is said once per session


def rich(trace: Any) -> Any:
    """The table, as a rich renderable (a rich console prints it, a notebook shows it)."""
    from .table import build

    with language(trace.lang):
        return build(trace)


def text(trace: Any) -> str:
    """The table as plain text, as wide as it needs."""
    from rich.console import Console

    from .table import build

    # force_jupyter=False: in a notebook rich's console would otherwise display what it prints
    # into the cell itself, a second (and, through html(), third) copy of the table.
    console = Console(width=100, color_system=None, record=True, file=io.StringIO(), force_jupyter=False)
    with language(trace.lang):
        table = build(trace, width=None, console=console)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def html(trace: Any) -> str:
    """The circuit as inline SVG (when Graphviz's dot is installed) above the table, sized to a
    notebook cell."""
    from ..core.errors import GradtraceError
    from . import dot, picture

    figure = ""
    try:
        picture.check_size(trace)
        svg = picture.svg_inline(dot.render(trace)).replace("<svg ", "<svg style='max-width:100%;height:auto' ", 1)
        figure = f"<div>{svg}</div>"  # scaled to the cell's width
    except GradtraceError as err:
        _say_once(f"no circuit picture, only the table: {err}")
    from html import escape  # only in a notebook: importing html costs every command-line run 3 ms

    return figure + f"<pre style='font-size:12px;line-height:1.3'>{escape(text(trace))}</pre>"


def mimebundle(trace: Any) -> dict[str, str]:
    with language(trace.lang):
        return {"text/plain": text(trace), "text/html": html(trace)}


def circuit(trace: Any, format: str | None = None, rankdir: str = "LR") -> Any:
    """The trace's circuit as a graphviz.Source (gradtrace.draw and draw_dot give it to users):
    .render(), .pipe() and inline display in a notebook all work. Without Graphviz's dot program,
    .source still has the DOT text, and drawing raises MissingProgram, which says what to install.
    format is what .render() writes (svg, png, pdf); rankdir the direction the circuit runs in."""
    from . import dot

    return _circuit_class()(dot.render(trace, rankdir=rankdir), format=format)


@functools.cache  # one class, made when first drawn: graphviz is imported only then
def _circuit_class() -> Any:
    """graphviz.Source whose drawing methods turn graphviz's ExecutableNotFound, which names only
    the missing command, into MissingProgram, which says how to install it."""
    import graphviz

    from ..core.errors import MissingProgram

    def installing(method: Any) -> Any:
        @functools.wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except graphviz.ExecutableNotFound:
                raise MissingProgram(NO_DOT) from None
        return call

    # every other drawing method (display in a notebook, view) goes through pipe or render
    return type("Circuit", (graphviz.Source,), {"__module__": __name__, "__doc__": graphviz.Source.__doc__,
                                                "pipe": installing(graphviz.Source.pipe),
                                                "render": installing(graphviz.Source.render),
                                                "unflatten": installing(graphviz.Source.unflatten)})


NO_DOT = ("Graphviz's dot program is not installed, so the circuit can't be drawn: install Graphviz "
          "(apt-get install graphviz on Debian and Ubuntu, brew install graphviz on macOS, conda install "
          "graphviz, or see graphviz.org/download); the circuit's DOT text is in .source")


def _say_once(message: str) -> None:
    if not _WARNED:
        _WARNED.append(True)
        import warnings

        warnings.warn(f"gradtrace: {message}", stacklevel=3)


_trace.DISPLAY = sys.modules[__name__]  # this module answers the Trace's rich(), html(), mimebundle()
