"""A large program's rows are written as the backward pass reaches them (cli/trace.py STREAM_FROM,
engine.Backward): its first row comes right after the forward pass, not after the whole backward
pass. Streamed or not, the text is the same, byte for byte; an error the pass meets ends a streamed
output after the rows before it, with the message and exit code of the whole run; a small
program is traced whole first, so an error leaves stdout empty."""

from __future__ import annotations

import json
import math
import re

import pytest

import gradtrace
from gradtrace.cli import trace as trace_command
from gradtrace.core import engine
from gradtrace.core.bindings import resolve
from gradtrace.core.graph import build
from gradtrace.core.ops import FUNCTIONS, VARIADIC

FORMATS = [["--format", "csv"], ["--format", "ndjson"], ["--format", "markdown"], ["--full"]]


def _call(name):
    """name(...) on x and y, with any required parameter given, as test_ops does."""
    op = FUNCTIONS[name]
    args = "x, y" if op.arity in (VARIADIC, 2) else "x"
    args += "".join(", -1" if i == 0 else ", 1" for i, (_, default) in enumerate(op.keyword_params)
                    if default is None)
    return f"{name}({args})"


# Every scalar function, in a program with copy gates (a and x used again), constants and two
# statements; and the infix operators, a unary minus, a power of two numbers and a max tie.
PROGRAMS = [f"a = {_call(name)}\nf = a*x + y*a - 2*x + a" for name in sorted(FUNCTIONS)
            if not FUNCTIONS[name].arrays_only] + [
    "q = x + y; f = q * z", "x**y + x/y - x^2 + -y", "2**3*x + (x - 1)/(y + 2)", "max(x, y) + max(x, x) * z",
    "f = x * y\nunused = z + 1\nf += x",
]
POINT = ["-x", "0.3", "-y", "0.7", "-z", "-1.5"]


def _bound(program: str) -> list[str]:
    """POINT's bindings of the variables the program has."""
    names = set(re.findall(r"\b[xyz]\b", program))
    return [part for k in range(0, len(POINT), 2) if POINT[k][1:] in names for part in POINT[k:k + 2]]


@pytest.fixture
def streamed(monkeypatch):
    """Every program streamed (STREAM_FROM 0), the pass run ahead `ahead` nodes at a time."""
    def set_ahead(ahead: int) -> None:
        monkeypatch.setattr(trace_command, "STREAM_FROM", 0)
        monkeypatch.setattr(engine, "AHEAD", ahead)
    return set_ahead


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_streamed_output_is_the_output_traced_whole(gt, streamed, program):
    args = [program, *_bound(program)]
    whole = {tuple(fmt): gt(*args, *fmt) for fmt in FORMATS}
    for ahead in (1, 3):
        streamed(ahead)
        for fmt in FORMATS:
            result = gt(*args, *fmt)
            assert result.exit_code == whole[tuple(fmt)].exit_code == 0, (fmt, result.stderr)
            assert result.stdout == whole[tuple(fmt)].stdout, (fmt, ahead)


def test_the_first_row_needs_only_the_start_of_the_backward_pass(monkeypatch):
    """The laziness itself: after the output's row, most of the pass has not run; reading the
    gradients runs the rest, and the numbers are the ones a whole pass gives."""
    monkeypatch.setattr(engine, "AHEAD", 8)
    source = " + ".join(f"x{i}*y" for i in range(200))
    graph = build(source)
    inputs = resolve(graph, [], ("vars", {**{f"x{i}": i / 7 for i in range(200)}, "y": 0.5}))
    lazy, whole = engine.run(graph, inputs, stream=True), engine.run(graph, inputs)
    assert lazy.streaming and not whole.streaming
    rows = lazy.rows()
    first = next(rows)
    assert first.name == graph.output.name and first.upstream == 1.0
    pending = lazy._pending
    assert pending is not None and pending.next > len(graph.nodes) - 20  # only a block has run
    assert lazy.gradients == whole.gradients  # reading them runs the rest
    assert not lazy.streaming
    assert lazy.upstream == whole.upstream and lazy.local == whole.local and lazy.downstream == whole.downstream


def _deep_failure(n: int) -> str:
    """A sum whose n-th term from the output has a local gradient that is infinite at x = 0."""
    terms = [f"x{i}*y" for i in range(2 * n)]
    terms.insert(len(terms) - n, "sqrt(x)")
    return " + ".join(terms)


@pytest.mark.parametrize("ahead", [1, 3, 4096])
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_error_ends_a_streamed_output_after_the_rows_before_it(gt, streamed, tmp_path, ahead, fmt):
    n = 400 if fmt == ["--full"] else 40  # the error on the table's second page of 1,000 rows
    program = tmp_path / "p.gt"
    program.write_text(_deep_failure(n))
    values = tmp_path / "v.json"
    values.write_text(json.dumps({**{f"x{i}": 1.0 for i in range(2 * n)}, "x": 0.0, "y": 2.0}))
    args = ["--file", str(program), "--vars", str(values), *fmt]
    whole = gt(*args)
    assert whole.exit_code == 1 and whole.stdout == "" and "sqrt" in whole.stderr
    streamed(ahead)
    result = gt(*args)
    assert result.exit_code == 1 and result.stderr == whole.stderr
    # Every node after the failing gate in topological order (the output's side) has its row,
    # and nothing from the failing gate or before it does.
    graph = build(program.read_text())
    bad = next(node for node in graph.nodes if node.op is not None and node.op.name == "sqrt")
    shown = [node.name for node in reversed(graph.nodes) if node.id > bad.id]
    if fmt == ["--format", "ndjson"]:
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert [r["name"] for r in records if r["type"] == "node"] == shown
        assert records[0]["type"] == "header" and records[-1]["type"] == "node"  # no result line
    elif fmt == ["--format", "csv"]:
        names = [line.split(",")[0] for line in result.stdout.splitlines()[1:]]
        assert list(dict.fromkeys(names)) == shown
    elif fmt == ["--format", "markdown"]:  # a row per node shown, each starting with its name
        rows = [line for line in result.stdout.splitlines() if line.startswith("| $")]
        assert len(rows) == len(shown)
    else:  # the table, a page of 1,000 rows at a time: the rows of the page the error is in are drawn too
        assert re.search(rf"\b{shown[-1]}\b", result.stdout) and len(shown) > 1000


def test_a_copy_gate_whose_sum_overflows_is_refused_before_its_row(gt, streamed):
    """x's two parts are each finite (1e308), their sum is not: the error comes where x's row
    would, after the gates' rows."""
    args = ["x*1e308 + x*1e308", "-x", "1e-300"]
    whole = gt(*args, "--format", "csv")
    assert whole.exit_code == 1 and whole.stdout == "" and "overflows" in whole.stderr
    streamed(3)
    result = gt(*args, "--format", "csv")
    assert result.exit_code == 1 and result.stderr == whole.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == ["f", "f", "t2", "t1"]  # not x's


def _main(args, capsys):
    from gradtrace.cli.main import main

    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_streamed_ndjson_that_stops_ends_with_an_error_line_of_its_own_type(streamed, tmp_path, capsys):
    """Through main(), where --format ndjson writes every error on stdout too: the stream's last
    line is {"type": "error", "error": {...}}, so a reader that dispatches on "type" sees it."""
    program = tmp_path / "p.gt"
    program.write_text(_deep_failure(5))
    values = tmp_path / "v.json"
    values.write_text(json.dumps({**{f"x{i}": 1.0 for i in range(10)}, "x": 0.0, "y": 2.0}))
    args = ["--file", str(program), "--vars", str(values), "--format", "ndjson"]
    whole_code, whole_out, whole_err = _main(args, capsys)
    streamed(2)
    code, out, err = _main(args, capsys)
    assert code == whole_code == 1 and err == whole_err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in records][:2] == ["header", "node"] and records[-1]["type"] == "error"
    assert records[-1] == json.loads(whole_out) and records[-1]["error"]["exit_code"] == 1


def _overflowing(prefix: str, suffix: str, terms: int = 30) -> str:
    return prefix + " + ".join(f"x{i}*y" for i in range(terms)) + suffix


@pytest.mark.parametrize("program", [
    _overflowing("", " + a*1e308 + a*1e308 + b*1e308 + b*1e308"),  # two inputs' sums overflow
    _overflowing("sqrt(z) + ", " + a*1e308 + a*1e308"),  # a sum, and a gate nearer the inputs
    _overflowing("q = a*1e308 + a*1e308\nf = sqrt(z) * q + ", ""),
    "x*1e308 + y*1e308",  # two finite gradients too large to add up, but never added: no error
])
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_first_error_of_the_pass_is_the_same_streamed_or_not(gt, streamed, program, fmt):
    """The error reported is the backward pass's first, nearest the output, however the pass runs:
    a copy gate's overflowing sum before a gate nearer the inputs that fails, and of two sums, the
    one nearer the output."""
    names = sorted(set(re.findall(r"\b(?:x\d*|y|z|a|b)\b", program)))
    values = {"z": "0", "a": "1e-300", "b": "1e-300", "x": "1e-300", "y": "1e-300"}
    args = [program, *[part for name in names for part in (f"-{name}", values.get(name, "1"))], *fmt]
    whole = gt(*args)
    streamed(3)
    result = gt(*args)
    assert result.exit_code == whole.exit_code and result.stderr == whole.stderr
    if whole.exit_code == 0:
        assert result.stdout == whole.stdout
    elif "sqrt(z)" in program and "q =" not in program:
        assert "overflows" in whole.stderr  # the sum at a is nearer the output than sqrt(z)


def test_a_pass_interrupted_by_something_else_runs_again_from_the_start(monkeypatch):
    """Ctrl-C (or a progress report that raises) in the middle of a streamed pass, after it has run
    part of a block: nothing of it is kept, the next read runs it again from the output, and the
    numbers are the whole pass's."""
    monkeypatch.setattr(engine, "AHEAD", 4)
    source = " + ".join(f"x{i}*y" for i in range(50))
    graph = build(source)
    inputs = {**{f"x{i}": i / 3 for i in range(50)}, "y": 0.5}
    whole = engine.run(graph, inputs)
    lazy = engine.run(graph, inputs, stream=True)
    rows = lazy.rows()
    next(rows), next(rows)
    run = engine.Backward._run

    def interrupted(self, count):
        run(self, 2)  # part of the block, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.Backward, "_run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        lazy.ready(0)
    monkeypatch.setattr(engine.Backward, "_run", run)
    assert lazy.gradients == whole.gradients
    assert lazy.upstream == whole.upstream and lazy.local == whole.local and lazy.downstream == whole.downstream


def test_a_pass_that_failed_raises_again_when_read_again():
    graph = build("sqrt(x) * y")
    trace = engine.run(graph, {"x": 0.0, "y": 2.0}, stream=True)
    with pytest.raises(gradtrace.EvaluationError) as first:
        list(trace.rows())
    with pytest.raises(gradtrace.EvaluationError) as again:
        _ = trace.upstream
    assert str(again.value) == str(first.value)


def test_a_small_program_is_traced_whole_so_an_error_leaves_stdout_empty(gt):
    """Below STREAM_FROM nodes nothing is written before the whole trace is made."""
    assert trace_command.STREAM_FROM > 1000
    result = gt(_deep_failure(20), *[part for i in range(40) for part in (f"-x{i}", "1")], "-x", "0", "-y", "2",
                "--format", "csv")
    assert result.exit_code == 1 and result.stdout == ""


def test_checks_and_answers_run_the_whole_pass_first(gt, streamed):
    """With --check or --expect the verdicts need every gradient: nothing is streamed then, and the
    outputs are the same."""
    args = ["x*y + x", "-x", "2", "-y", "3", "--format", "csv", "--check", "--expect", "x=4"]
    whole = gt(*args)
    streamed(1)
    assert gt(*args).stdout == whole.stdout and math.isfinite(float(whole.stdout.splitlines()[1].split(",")[3]))
