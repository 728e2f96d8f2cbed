"""The streamed JSON: its fast writer for numeric traces must agree, line for line, with the
generic one built from Trace.node_dict, for every op; and the whole document with to_dict()."""

from __future__ import annotations

import json

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
