"""Renderers: each turns one Trace into one output format. They only read the trace."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..core.errors import GradtraceError
from ..core.numbers import DEFAULT, NumberFormat

__all__ = ["FORMATS", "Options", "render"]


class Options:
    """What a front end tells a renderer; every renderer takes the same options."""

    def __init__(self, write: Callable[[str], Any], console: Any = None, numbers: NumberFormat = DEFAULT,
                 full: bool = False, jacobians: bool = False, explain: str | None = None, report: Any = None):
        self.write = write            # where text goes (the CLI: stdout)
        self.console = console        # a rich Console, for the table and the terminal circuit
        self.numbers = numbers        # how numbers are shown (JSON and CSV keep full precision)
        self.full = full              # every row and every element, however many
        self.jacobians = jacobians    # small local Jacobians in full
        self.explain = explain        # "backward" or "forward": the pass told step by step
        self.report = report          # progress callback for long writes (JSON)


def _text(module: str, *, rounds: bool = True) -> Callable[[Any, Options], None]:
    """A renderer whose module's render(trace[, numbers]) returns the whole text (rounds: it takes
    the number format; csv keeps full precision). A module with chunks(...) too is streamed: its
    text is written as it is made, so a reader (| head) sees the first line at once."""
    def run(trace: Any, o: Options) -> None:
        from importlib import import_module

        renderer = import_module(f"{__name__}.{module}")
        if hasattr(renderer, "chunks"):
            pieces = renderer.chunks(trace, o.numbers) if rounds else renderer.chunks(trace)
            stream(pieces, o.write, o.report, len(trace.graph.nodes))
            return
        o.write(renderer.render(trace, o.numbers) if rounds else renderer.render(trace))
    return run


BUFFER = 1 << 16  # characters gathered before a write: one write per row would cost a system call each
EVERY = 1 << 12   # pieces between two progress reports


def stream(pieces: Iterable[str], write: Callable[[str], Any], report: Any = None, total: int = 0) -> None:
    """Write a renderer's pieces as they come: the first (the header) at once, then in blocks of
    about BUFFER characters. A reader that stops early (| head) stops the pieces being made,
    since write raises and the generator is never asked for more. report(phase, done, total)
    hears how far the writing is, a piece being about a node. An error raised while the pieces
    are made (a streamed trace's backward pass) is raised after the pieces made before it."""
    buffered: list[str] = []
    size = 0
    first = True
    try:
        for done, piece in enumerate(pieces):
            buffered.append(piece)
            size += len(piece)
            if first or size >= BUFFER:
                write("".join(buffered))
                buffered, size, first = [], 0, False
            if report is not None and not done % EVERY:
                report("writing the output", min(done, total), total)
    except GradtraceError:  # a streamed trace's backward pass stopped: the rows made before it are shown
        if buffered:
            write("".join(buffered))
        raise
    if buffered:
        write("".join(buffered))


def _contract(writer: str) -> Callable[[Any, Options], None]:
    """A renderer of the JSON contract (render/json.py): `chunks` for --json, `ndjson_chunks` for
    --format ndjson. Either carries --explain's lines under "explanation"."""
    def run(trace: Any, o: Options) -> None:
        from ..core.graph import paused_gc
        from . import json as contract

        extra = None
        if o.explain:
            from . import explain

            extra = {"explanation": explain.lines(trace, o.explain, o.numbers)}
        with paused_gc():
            for block in getattr(contract, writer)(trace, extra, o.report):
                o.write(block)
    return run


def _sections(trace: Any, o: Options) -> None:
    """A check's and answers' verdicts after the text (table and terminal circuit)."""
    from . import table

    for section in table.sections(trace, o.numbers):
        o.console.print(section)


def _table(trace: Any, o: Options) -> None:
    from . import table

    if o.explain:
        from . import explain

        lines = explain.lines(trace, o.explain, o.numbers)
        if o.console is not None and o.console.is_terminal:  # a pipe or a file gets the lines as they are
            lines = explain.wrap(lines, o.console.width)
        o.write("\n".join(lines) + "\n")
        _sections(trace, o)
        return
    table.render(trace, o.console, o.numbers, o.full, o.jacobians)


def _graph(trace: Any, o: Options) -> None:
    from . import graph

    if o.explain:
        _table(trace, o)
        return
    for line in graph.render(trace, o.console.width, o.numbers):
        o.console.print(line)
    _sections(trace, o)


# Output formats by name: each renders one Trace with the same Options.
RENDERERS: dict[str, Callable[[Any, Options], None]] = {
    "table": _table,
    "json": _contract("chunks"),
    "ndjson": _contract("ndjson_chunks"),
    "markdown": _text("markdown"),
    "latex": _text("latex"),
    "csv": _text("csv", rounds=False),
    "graph": _graph,
    "dot": _text("dot"),
    "mermaid": _text("mermaid"),
}
FORMATS = tuple(RENDERERS)
# Which formats can carry a check's and answers' verdicts, and --explain's text.
WITH_REPORTS = {"table", "json", "ndjson", "markdown", "latex", "csv", "graph"}
WITH_EXPLANATION = {"table", "json", "ndjson", "graph"}


def render(trace: Any, name: str, options: Options) -> None:
    """Render a trace in the named format."""
    RENDERERS[name](trace, options)
