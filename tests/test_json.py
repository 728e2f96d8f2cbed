"""The streamed JSON: its fast writer for numeric traces must agree, line for line, with the
generic one built from Trace.node_dict, for every op; and the whole document with to_dict()."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from test_properties import apply

import gradtrace
from gradtrace.core import contract as renderer
from gradtrace.core.ops import OPS

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


@pytest.mark.parametrize("program", PROGRAMS)
def test_fast_lines_match_the_generic_writer(program):
    t = gradtrace.trace(program, **{name: value for name, value in (("x", 0.25), ("y", 1.5))
                                    if name in {v.name for v in gradtrace.core.graph.build(program).variables}})
    assert list(renderer._fast_lines(t)) == list(renderer._lines(t))
    nodes = [json.loads(json.dumps(t.node_dict(n))) for n in reversed(t.graph.nodes)]
    assert json.loads(renderer.render(t))["nodes"] == nodes  # the streamed document holds each node's dict


def test_non_finite_numbers_are_strings_in_both_writers():
    t = gradtrace.trace("x * y", x=2.0, y=3.0)
    t.upstream[0] = float("inf")  # as if a huge sum of gradients had overflowed
    t.downstream[2] = (float("nan"), 1.0)
    fast, generic = list(renderer._fast_lines(t)), list(renderer._lines(t))
    assert fast == generic
    assert '"upstream": "inf"' in generic[-1] and '"downstream": ["nan", 1.0]' in generic[0]


def test_array_and_exact_traces_use_the_generic_writer():
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
    "array answers": ["x*2", "-x", "[1, 2]", "--seed", "ones", "--expect", "x=[2, 2]"],
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
