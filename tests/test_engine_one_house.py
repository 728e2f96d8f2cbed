"""One path per stage in the core: the engine computes (values, gradients, Jacobians), the Trace
is data and a view of it, and the JSON is written above the core, so no import goes back up."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from test_properties import apply

import gradtrace
from gradtrace.core import engine
from gradtrace.core.backends import scalar
from gradtrace.core.graph import build
from gradtrace.core.ops import OPS

CORE = Path(gradtrace.__file__).parent / "core"


def _imports(path: Path) -> set[str]:
    """The gradtrace modules a file imports, lazy imports inside functions included."""
    package = "gradtrace.core"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("gradtrace")}


def _core_graph() -> dict[str, set[str]]:
    modules = {f"gradtrace.core.{p.stem}": p for p in CORE.glob("*.py") if p.stem != "__init__"}
    return {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, stack = set(), [start]
    while stack:
        for nxt in graph[stack.pop()]:
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


@pytest.mark.parametrize("module", ["engine", "trace", "formulas", "formula_reader"])
def test_no_import_of_the_engine_trace_or_formulas_comes_back_to_it(module):
    graph = _core_graph()
    name = f"gradtrace.core.{module}"
    back = sorted(m for m in graph[name] if _reaches(graph, m, name))
    assert not back, f"{name} imports {back}, which import it back"


def test_the_trace_is_data_and_a_view_and_the_core_writes_no_json():
    trace_imports = _imports(CORE / "trace.py")
    assert not {m for m in trace_imports if m.startswith("gradtrace.core.engine")}, "the trace runs no engine"
    for path in CORE.glob("*.py"):
        upward = {m for m in _imports(path) if m.startswith(("gradtrace.render", "gradtrace.modes", "gradtrace.cli"))}
        assert not upward, f"{path.name} imports {upward} from above the core"
    assert not (CORE / "contract.py").exists()


def test_to_dict_builds_the_document_without_reading_json_back(monkeypatch):
    t = gradtrace.trace("q = x + y; f = q * q * z + max(q, 0.5)", x=-2, y=5, z=-4)
    from gradtrace.render import json as writer

    written = json.loads(writer.render(t))

    def refuse(*args, **kwargs):
        raise AssertionError("to_dict read JSON")

    monkeypatch.setattr(json, "loads", refuse)
    monkeypatch.setattr(json.JSONDecoder, "decode", refuse)
    data = t.to_dict()
    monkeypatch.undo()
    assert json.loads(json.dumps(data)) == written
    assert isinstance(data["nodes"][0]["local"], list) and data["gradients"] == {"x": -23.0, "y": -23.0, "z": 9.0}


@pytest.mark.parametrize("program, bindings", [
    ("x * y", {"x": [1.0, 2.0, 3.0], "y": [0.5, -1.0, 2.0]}),
    ("sum(relu(W @ x + b))", {"W": [[1.0, -2.0], [0.5, 1.5], [2.0, 0.0]], "x": [0.3, -0.7], "b": 0.1}),
    ("softmax(x) * y", {"x": [0.2, -1.0, 0.5], "y": [1.0, 2.0, 3.0]}),
    ("sum(reshape(x, (2, 3)), axis=1)[::-1] * y + mean(x[1:], -1)",
     {"x": [0.2, -1.0, 0.5, 1.5, -0.3, 0.7], "y": [1.0, 2.0]}),
])
def test_an_array_trace_carries_its_local_jacobians_made_by_the_engine(program, bindings):
    t = gradtrace.trace(program, upstream="ones", **{k: np.array(v) for k, v in bindings.items()})
    assert isinstance(t.jacobians, engine.Jacobians)
    for row in t.nodes:
        node = row.node
        if node.op is None:
            continue
        args = [np.asarray(t.values[i], dtype=float) for i in node.inputs]
        for slot in range(len(args)):
            matrix = row.jacobian_matrix(slot)
            # central differences of the gate alone, one input element at a time
            columns = []
            for k in range(args[slot].size):
                h = 1e-6
                moved = [a.copy() for a in args]
                moved[slot] = moved[slot].astype(float).reshape(-1)
                plus, minus = moved[slot].copy(), moved[slot].copy()
                plus[k] += h
                minus[k] -= h
                shape = np.shape(args[slot])
                outs = []
                for value in (plus, minus):
                    inputs = list(args)
                    inputs[slot] = value.reshape(shape)
                    outs.append(np.ravel(node.gate.apply(scalar if not shape else _np(), inputs, node.params)))
                columns.append((outs[0] - outs[1]) / (2 * h))
            numeric = np.array(columns).T
            assert matrix.shape == numeric.shape
            assert np.allclose(matrix, numeric, atol=1e-5)


def _np():
    from gradtrace.core.numpy_backend import numpy_backend

    return numpy_backend


def test_a_scalar_trace_has_no_jacobians_to_make():
    t = gradtrace.trace("x * y", x=2, y=3)
    assert t.jacobians is None
    assert t.node("f").jacobian_matrix(0).tolist() == [[3.0]]


LEAVES = [("x", sp.Symbol("x")), ("y", sp.Symbol("y"))]
SCALAR_PROGRAMS = [apply(name, LEAVES)[0] for name in sorted(OPS) if not OPS[name].arrays_only]


@pytest.mark.parametrize("program", SCALAR_PROGRAMS + ["q = x * y; f = q + q * x + exp(q)", "max(x, y, 0.5) * x"])
@pytest.mark.parametrize("point", [(0.25, 1.5), (-0.75, 2.0), (0.0, 0.0)])
def test_the_specialised_steps_agree_with_the_general_ones(program, point):
    """Forward and backward on floats take one specialised step for gates of one or two inputs;
    a pass given an identity nudge takes the general step for every gate. Both must give the
    same numbers, bit for bit, or the same error."""
    graph = build(program)
    inputs = {v.name: value for v, value in zip(graph.variables, point)}

    def run(nudge):
        try:
            values = engine.forward(graph, inputs, nudge=nudge)
            return values, engine.backward(graph, values, 1.0, nudge=nudge)
        except gradtrace.GradtraceError as err:
            return type(err), str(err)

    def same(a, b):
        if isinstance(a, (list, tuple)):
            return len(a) == len(b) and all(map(same, a, b))
        if isinstance(a, float) and isinstance(b, float):
            return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (math.isnan(a) and math.isnan(b))
        return a == b

    assert same(run(None), run(lambda key, value: value))
