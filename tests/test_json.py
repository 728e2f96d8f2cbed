"""The streamed JSON: its one writer (render/json.py) writes each node's line as the compact JSON of
Trace.node_dict, byte for byte, for every op and every mode; and the whole document is to_dict()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from test_properties import apply

import gradtrace
from gradtrace.core.ops import OPS
from gradtrace.render import json as renderer

LEAVES = [("x", sp.Symbol("x")), ("y", sp.Symbol("y"))]
SCALAR_OPS = sorted(name for name, op in OPS.items() if not op.arrays_only)
PROGRAMS = [apply(name, LEAVES)[0] for name in SCALAR_OPS] + [
    "q = x * y; f = q + q * x + exp(q)",          # a copy gate
    "max(x, y, 0.5) + min(x, 2, y)",              # variadic with constants
    "relu(x - 0.25) + leaky_relu(y, alpha=0.3)",  # a kink at x = 0.25 (a tie in max below)
    "max(x, 0.25)",
    "x ** 2 + 2 ** x + 1 / x + 3 - x",            # constant gates with {c} labels
    "f = x; f += y; f *= 2",
]
# Gates with constants and keyword parameters among their args, every place and binding strength a
# constant is written with (their lines are written from a layout made once per kind of gate)
CONSTANT_PROGRAMS = [
    "x * 1.0001 + 0.001", "relu(relu(x * 1.0001 + 0.001) * 1.0001 + 0.001)", "x * (-2) + x * -2 + (-2) * x",
    "-2 * x - (2 - x) - (-3 - x) + (x - -3) + (x + (-1))", "1/x + 3/x + x/3 + x / (1/3) + (1/3) / x",
    "x ** 0.5 + x ** 2 + 2 ** x + x ** -1 + e ** x + x * 2^2", "pi * x + x * pi + x * 1e-3 + x * (2 ** -1)",
    "x + 2*3 + x * (1 + 2)", "max(x, 2) + max(2, x, 3) + min(x, y, 0.5)", "f = x * 2; g = f + 1; g * f",
    "x * 2 + y * 2 + x * 3 + y * 2",
] + [f"{name}(x, " + ", ".join(f"{param}=0.{5 + k}" for k, (param, _) in enumerate(op.keyword_params)) +
     f") + {name}(y, " + ", ".join(f"0.{5 + k}" for k in range(len(op.keyword_params))) + ")"
     for name, op in sorted(OPS.items()) if not op.arrays_only and op.keyword_params] + \
    [f"{name}(x) * 0.5" for name, op in sorted(OPS.items())
     if not op.arrays_only and op.keyword_params and None not in dict(op.keyword_params).values()]


def _node_lines(t):
    """The document's node lines, as written."""
    lines = renderer.render(t).splitlines()
    start, end = lines.index('  "nodes": ['), lines.index("  ]")
    return [line.strip().removesuffix(",") for line in lines[start + 1:end]]


def _dumped(t):
    """Each node of to_dict(), as json.dumps writes it compactly: what its line must be, byte for byte."""
    return [json.dumps(node, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
            for node in t.to_dict()["nodes"]]


def _bound(program, **values):
    names = {v.name for v in gradtrace.core.graph.build(program).variables}
    return {name: value for name, value in values.items() if name in names}


@pytest.mark.parametrize("program", PROGRAMS)
def test_each_line_is_its_nodes_dict_in_every_mode(program):
    numeric = gradtrace.trace(program, **_bound(program, x=0.25, y=1.5))
    assert _node_lines(numeric) == _dumped(numeric)
    assert json.loads(renderer.render(numeric)) == json.loads(json.dumps(numeric.to_dict()))
    symbolic = gradtrace.trace(program)
    assert _node_lines(symbolic) == _dumped(symbolic)


@pytest.mark.parametrize("program", CONSTANT_PROGRAMS)
def test_each_line_of_a_gate_with_constants_is_its_nodes_dict(program):
    t = gradtrace.trace(program, **_bound(program, x=0.7, y=1.25))
    assert _node_lines(t) == _dumped(t)


@pytest.mark.parametrize("program", ["x*y + x + max(x, y)", "x/y + sqrt(x)", "relu(x - 0.25) * exp(y)"])
def test_exact_and_array_lines_are_their_nodes_dicts(program):
    exact = gradtrace.trace(program, mode="exact", **_bound(program, x="1/4", y="3/2"))
    assert _node_lines(exact) == _dumped(exact)
    arrays = gradtrace.trace(program, upstream="ones",
                             **_bound(program, x=np.array([0.5, 2.0]), y=np.array([1.5, 3.0])))
    assert _node_lines(arrays) == _dumped(arrays)


def test_non_finite_numbers_are_strings():
    t = gradtrace.trace("x * y", x=2.0, y=3.0)
    t.upstream[0] = float("inf")  # as if a huge sum of gradients had overflowed
    t.downstream[2] = (float("nan"), 1.0)
    lines = _node_lines(t)
    assert lines == _dumped(t)
    assert '"upstream": "inf"' in lines[-1] and '"downstream": ["nan", 1.0]' in lines[0]


def test_array_traces_write_the_same_document_as_to_dict():
    t = gradtrace.trace("sum(x * y)", x=np.array([1.0, 2.0]), y=np.array([3.0, 4.0]))
    data = json.loads(renderer.render(t))
    assert data == json.loads(json.dumps(t.to_dict()))
    assert data["gradients"] == {"x": [3.0, 4.0], "y": [1.0, 2.0]}


def test_the_document_is_one_node_per_line():
    text = renderer.render(gradtrace.trace("(x + y) * z", x=-2, y=5, z=-4))
    lines = text.splitlines()
    start = lines.index('  "nodes": [')
    assert all(line.startswith('    {"name": ') for line in lines[start + 1:start + 6])
    assert lines[start + 6] == "  ]"


# ---- the contract: one schema for every mode ---------------------------------------------------

SCHEMA_MODES = {
    "numeric": ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"],
    "copy gates": ["x*y + x + max(x, y)", "-x", "3", "-y", "-2"],
    "arrays": ["cross_entropy(W @ x, y) + sum(x*x)", "-W", "[[1, 2], [3, 4], [0, 1]]", "-x", "[0.5, -1]",
               "-y", "[2]"],
    "symbolic": ["sigmoid(w*x + b) * x"],
    "exact": ["x/y + sqrt(x)", "-x", "2", "-y", "3", "--exact"],
    "check": ["exp(x)*x - relu(x - 1)", "-x", "1", "--check"],
    "answers": ["x*y", "-x", "2", "-y", "3", "--expect", "x=3", "--expect", "y=1"],
    "array answers": ["x*2", "-x", "[1, 2]", "--upstream", "ones", "--expect", "x=[2, 2]"],
    "broadcast sums": ["sum(x * b + c) + sum(x, axis=0)[1] + reshape(x, (4,))[-1]", "-x", "[[1, 2], [3, 4]]",
                       "-b", "[1, -1]", "-c", "2"],
    "explain": ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--explain"],
    "non-finite": ["x*1e308*10", "-x", "1"],
}


def _schema():
    from importlib.resources import files

    return json.loads(files("gradtrace").joinpath("schema/trace.schema.json").read_text())


@pytest.mark.parametrize("mode", SCHEMA_MODES)
def test_every_modes_json_is_valid_by_the_shipped_schema(gt, mode):
    import jsonschema

    result = gt(*SCHEMA_MODES[mode], "--json")
    if mode == "non-finite":
        assert result.exit_code == 1  # overflow is an evaluation error: its JSON is the error object
        return
    assert result.exit_code in (0, 3), result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, _schema())
    assert data["schema_version"] == 1 and "pattern" not in json.dumps(data["nodes"][0]).replace('"patterns"', "")


@pytest.mark.parametrize("mode", ["numeric", "symbolic", "exact", "arrays"])
def test_each_key_keeps_its_type_in_every_mode(gt, mode):
    data = json.loads(gt(*SCHEMA_MODES[mode], "--json").stdout)
    for node in data["nodes"]:
        for key in ("value", "upstream"):
            kind = type(node[key])
            allowed = (type(None),) if mode == "symbolic" else (float, list)
            if mode == "arrays" and node["name"] == "y" and key == "upstream":
                allowed = (type(None),)  # class labels have no gradient
            assert kind in allowed, (mode, key, node[key])
        if mode in ("symbolic", "exact"):
            assert isinstance(node[mode]["value"], str) and isinstance(node[mode]["upstream"], str)
    if mode in ("symbolic", "exact"):
        assert all(isinstance(v, str) for v in data[f"gradients_{mode}"].values())


@pytest.mark.parametrize("args, kind, code", [
    (["(x+", "-x", "1"], "parse error", 2),
    (["x*y", "-x", "1"], "binding error", 2),
    (["log(x)", "-x", "-1"], "evaluation error", 1),
    (["x", "-x", "1", "--precision", "99"], "usage error", 2),
    (["x*1e308*10", "-x", "1"], "evaluation error", 1),
])
def test_json_errors_are_one_object_on_stdout_with_the_exit_code_unchanged(args, kind, code):
    import jsonschema

    done = subprocess.run([sys.executable, "-m", "gradtrace", *args, "--json"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == code
    data = json.loads(done.stdout)
    jsonschema.validate(data, _schema())
    assert data["error"]["kind"] == kind and data["error"]["exit_code"] == code
    assert done.stderr.startswith("gradtrace:") or "Error" in done.stderr  # people still read stderr
    if kind == "parse error":
        assert data["error"]["span"] == [3, 4]


# ---- NDJSON and batches ------------------------------------------------------------------------

def _validator(definition):
    import jsonschema

    schema = _schema()
    return jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"})


@pytest.mark.parametrize("mode", ["numeric", "copy gates", "arrays", "symbolic", "exact", "check", "answers",
                                  "explain"])
def test_ndjson_is_a_header_a_line_per_node_and_a_result(gt, mode):
    result = gt(*SCHEMA_MODES[mode], "--format", "ndjson")
    assert result.exit_code in (0, 3), result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    document = json.loads(gt(*SCHEMA_MODES[mode], "--json").stdout)
    assert [line["type"] for line in lines] == ["header"] + ["node"] * len(document["nodes"]) + ["result"]
    _validator("ndjson_header").validate(lines[0])
    _validator("ndjson_result").validate(lines[-1])
    for line, node in zip(lines[1:-1], document["nodes"]):
        assert {k: v for k, v in line.items() if k != "type"} == node  # the same node as --json writes
        _validator("node").validate(node)
    assert lines[-1]["gradients"] == document["gradients"] and lines[0]["bindings"] == document["bindings"]


@pytest.mark.slow
def test_ndjson_streams_the_first_node_before_the_rest_is_written():
    """A reader that stops after the first node (| head -2) gets it from a 10^5-node trace without
    waiting for the whole document: the first block is on stdout while the rest is still written."""
    program = " + ".join(f"x{i}*y" for i in range(50_000))
    values = {f"x{i}": 0.5 for i in range(50_000)} | {"y": 2.0}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "p.gt").write_text(program)
        (Path(folder) / "v.json").write_text(json.dumps(values))
        process = subprocess.Popen([sys.executable, "-m", "gradtrace", "--file", str(Path(folder) / "p.gt"),
                                    "--vars", str(Path(folder) / "v.json"), "--format", "ndjson"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "COLUMNS": "80"})
        header = json.loads(process.stdout.readline())
        first = json.loads(process.stdout.readline())
        # Still running: the rest can't all be written until it is read (the pipe holds 64 kB).
        assert process.poll() is None
        rest = process.stdout.read()
        process.wait(timeout=120)
    assert header["type"] == "header" and first["type"] == "node" and first["name"] == "f"
    # The other nodes (50,000 products, 49,999 sums, 50,001 inputs), then the result.
    assert rest.count("\n") == 3 * 50_000 - 1 + 1


def test_a_batch_traces_every_point_with_one_graph(gt, tmp_path, monkeypatch):
    import gradtrace.core.graph as graph_module

    builds = []
    real = graph_module.build
    monkeypatch.setattr("gradtrace.cli.trace.build", lambda *a, **k: builds.append(1) or real(*a, **k))
    points = tmp_path / "points.jsonl"
    points.write_text('{"x": 1, "y": 2}\n{"x": -2, "y": 5, "lr": 0.1}\n{"x": 1}\n\n{"x": 0.5, "y": 0.25}\n')
    result = gt("x*y", "--vars", str(points), "--expect", "x=2")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["point"] for line in lines] == [1, 2, 3, 5] and len(builds) == 1  # numbered by line
    assert lines[0]["gradients"] == {"x": 2.0, "y": 1.0} and lines[0]["answers"][0]["correct"] is True
    assert lines[1]["answers"][0]["correct"] is False and lines[1]["bindings"] == {"x": -2.0, "y": 5.0}
    assert lines[2]["error"]["kind"] == "binding error" and lines[2]["error"]["exit_code"] == 2
    assert lines[3]["value"] == 0.125
    validator = _validator("batch_point")
    for line in lines:
        validator.validate(line)
    assert result.exit_code == 2  # a point's bindings were wrong: that outranks a wrong answer
    ok = gt("x*y", "--vars", str(points), "-y", "3", "--json")  # the command line fills in y for every point
    assert ok.exit_code == 0 and [json.loads(line)["value"] for line in ok.stdout.splitlines()] == [3.0, -6.0, 3.0, 1.5]
    bad = gt("x*y", "--vars", str(points), "--format", "csv")
    assert bad.exit_code == 2 and "one JSON line per point" in bad.stderr


def test_a_batch_reads_stdin(gt):
    result = gt("log(x)", "--vars", "-", input='{"x": 1}\n{"x": -1}\n')
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["gradients"] == {"x": 1.0} and lines[1]["error"]["kind"] == "evaluation error"
    assert result.exit_code == 1


def test_the_fast_writer_keeps_the_sign_of_zero_and_repeated_numbers():
    """Number texts are remembered by value, and 0.0 == -0.0: both must still be written as they
    are, and a number seen before is written as it was the first time."""
    t = gradtrace.trace("a = x * y; b = a * z; f = relu(b) + a * 0.5 + max(x, z)", x=-0.0, y=3.0, z=0.0)
    assert _node_lines(t) == _dumped(t)
    assert '"value": -0.0' in renderer.render(t)


@pytest.mark.parametrize("numbers", [
    [0.5] * 50 + [-0.0, 0.0, 1.0, -0.0],  # mostly repeated, with both zeros
    [0.1 * k for k in range(-20, 21)] + [-0.0, 1e308, 5e-324, -1.7976931348623157e308],  # mostly distinct
    [1.0, None, 2.0],  # a node that feeds only labels has no gradient
    [1e308, 1e308, -0.0],  # a sum too large for a float: written one by one
    [2.0, float("nan"), float("inf")],  # set by hand, as in the test above
    [1, 2.5, True],  # not floats
])
def test_a_column_of_numbers_is_written_as_each_number_alone(numbers):
    """The values, written all at once (render/json._texts), are what _num writes for each one."""
    assert renderer._texts(numbers, renderer._NumberTexts().__getitem__) == list(map(renderer._num, numbers))


def test_values_written_a_column_at_a_time_keep_their_nodes(monkeypatch):
    """The writer writes values COLUMN at a time, last node first: lines across the columns'
    edges still carry their own node's value."""
    monkeypatch.setattr(renderer, "COLUMN", 3)
    program = " + ".join(f"relu(x{i} * y)" for i in range(12))
    t = gradtrace.trace(program, y=0.5, **{f"x{i}": (i - 6) / 4 for i in range(12)})
    assert _node_lines(t) == _dumped(t)


def test_the_library_pauses_the_cycle_collector_only_while_it_works():
    import gc

    assert gc.isenabled()
    gradtrace.trace("x * y + relu(x)", x=1.0, y=2.0)
    assert gc.isenabled()
    gc.disable()
    try:
        gradtrace.trace("x * y", x=1.0, y=2.0)
        assert not gc.isenabled()
    finally:
        gc.enable()
