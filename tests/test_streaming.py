"""Streaming to a reader that stops early: CSV, Markdown, NDJSON and the --full table are written
as their rows are made, the text is the same whether it is written at once or a row at a time, a
reader that goes away (| head) ends the run quietly with exit 0, and it stops the rows being made
(counted here by the rows the renderer asked for, never by time)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from rich.console import Console

import gradtrace
from gradtrace import render as renderers
from gradtrace.core.trace import Trace
from gradtrace.render import csv as csv_writer
from gradtrace.render import markdown, table

STREAMED = ["csv", "markdown", "ndjson"]


def _sum_program(tmp_path, n):
    program = tmp_path / "sum.gt"
    program.write_text(" + ".join(f"x{i}*y" for i in range(n)))
    bindings = tmp_path / "vars.json"
    bindings.write_text(json.dumps({**{f"x{i}": 0.25 for i in range(n)}, "y": 2.0}))
    return str(program), str(bindings)


@pytest.mark.parametrize("fmt", STREAMED)
def test_streamed_text_is_the_text_written_at_once(gt, tmp_path, monkeypatch, fmt):
    n = 700  # 2,100 nodes: many blocks of BUFFER characters
    program, bindings = _sum_program(tmp_path, n)
    args = ["--file", program, "--vars", bindings, "--format", fmt]
    checked = [*args, "--check", "--expect", "x3=0.5", "--expect", "y=999"]
    blocks, blocks_checked = gt(*args), gt(*checked)
    assert blocks.exit_code == 0 and blocks_checked.exit_code == 3, blocks.stderr
    monkeypatch.setattr(renderers, "BUFFER", 1)  # every row written on its own
    rows, rows_checked = gt(*args), gt(*checked)
    assert rows.stdout == blocks.stdout and rows_checked.stdout == blocks_checked.stdout
    if fmt == "ndjson":
        types = [json.loads(line)["type"] for line in rows.stdout.splitlines()]
        assert types == ["header"] + ["node"] * 3 * n + ["result"]
        return
    trace = gradtrace.trace(open(program).read(), bindings={f"x{i}": 0.25 for i in range(n)} | {"y": 2.0})
    assert rows.stdout == (csv_writer.render(trace) if fmt == "csv" else markdown.render(trace))


def test_the_chunks_join_to_render_for_every_shape_of_trace():
    for program, bindings in (("(x+y)*z", {"x": -2, "y": 5, "z": -4}), ("max(x, y) + x*x", {"x": 1, "y": 1}),
                              ("sum(W @ x)", {"W": [[1, 2], [3, 4]], "x": [1, -1]})):
        trace = gradtrace.trace(program, bindings=bindings)
        assert "".join(csv_writer.chunks(trace)) == csv_writer.render(trace)
        assert "".join(markdown.chunks(trace)) == markdown.render(trace)


@pytest.mark.parametrize("args", [["--format", "csv"], ["--format", "markdown"], ["--format", "ndjson"], ["--json"],
                                  ["--full"]])
def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path, args):
    program, bindings = _sum_program(tmp_path, 1500)  # far more than a pipe holds
    run = subprocess.Popen([sys.executable, "-m", "gradtrace", "--file", program, "--vars", bindings, *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert run.stdout is not None and run.stderr is not None
    first = run.stdout.read(100)
    run.stdout.close()  # the reader goes away, as head does
    err = run.stderr.read().decode()
    assert run.wait(timeout=120) == 0
    assert len(first) == 100 and err == ""


class _Gone(io.StringIO):
    """A stdout whose reader leaves after the first write."""

    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, text):
        self.writes += 1
        if self.writes > 1:
            raise BrokenPipeError
        return super().write(text)


@pytest.fixture
def counted(monkeypatch):
    """How many rows the renderers asked the trace for."""
    made = []
    rows = Trace.rows

    def counting(self):
        for row in rows(self):
            made.append(row)
            yield row
    monkeypatch.setattr(Trace, "rows", counting)
    return made


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_a_reader_that_stops_early_stops_the_rows_being_made(counted, fmt):
    n = 5000
    trace = gradtrace.trace(" + ".join(f"x{i}*y" for i in range(n)), bindings={f"x{i}": 1 for i in range(n)} | {"y": 2})
    out = _Gone()
    console = Console(file=out, width=100, color_system=None)
    with pytest.raises(BrokenPipeError):
        renderers.render(trace, fmt, renderers.Options(write=out.write, console=console, full=True))
    assert 0 < len(counted) <= 2 * table.PAGE < 3 * n


def test_a_full_table_comes_in_pages_with_every_node(gt, tmp_path):
    program, bindings = _sum_program(tmp_path, 600)  # 1,800 nodes: two pages
    result = gt("--file", program, "--vars", bindings, "--full")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert sum("up × local" in line for line in lines) == 2
    first_words = {line.split()[0] for line in lines if line.strip()}
    trace = gradtrace.trace(open(program).read(), bindings={f"x{i}": 0.25 for i in range(600)} | {"y": 2.0})
    assert {node.name for node in trace.graph.nodes} <= first_words  # every node has its row


def test_a_table_of_one_page_is_drawn_as_before(gt):
    """Below PAGE nodes --full draws one table, as it always has."""
    result = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--full")
    assert result.exit_code == 0 and sum("up × local" in line for line in result.stdout.splitlines()) == 1
