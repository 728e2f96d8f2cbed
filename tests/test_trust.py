"""Issue: every verdict right, every number right, every exit code right. One test per finding."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import gradtrace

W = "[[0.1,0.5],[-0.3,0.8]]"
X = "[0.2,0.4]"


# ---- · and × as the slides write them ---------------------------------------------------------

@pytest.mark.parametrize("symbol", ["·", "⋅", "×"])
def test_the_slides_dot_between_arrays_is_the_matrix_product(gt, symbol):
    result = gt(f"sum((W{symbol}x)^2)", "-W", W, "-x", X, "--json")
    data = json.loads(result.stdout)
    reference = json.loads(gt("sum((W@x)^2)", "-W", W, "-x", X, "--json").stdout)
    assert data["output"]["value"] == pytest.approx(0.116)
    assert data["gradients"] == reference["gradients"]
    node = next(n for n in data["nodes"] if n["name"] == "t1")
    assert node["op"] == "cdot" and node["formula"] == ["up·xᵀ", "Wᵀ·up"]
    assert "matrix product" in node["jacobian"][0]["structure"]


def test_dot_with_a_number_on_one_side_is_the_ordinary_product(gt):
    t = gradtrace.trace("w0·x0 + w1×x1", w0=2, x0=-1, w1=-3, x1=-2)
    assert t.value == 4 and t.gradients == {"w0": -1.0, "x0": 2.0, "w1": -2.0, "x1": -3.0}
    assert t.node("t1").patterns == ("switcher",)
    a = gradtrace.trace("sum(s · x)", s=2.0, x=np.array([1.0, 2.0]))
    assert a.gradients["s"] == 3.0 and list(a.gradients["x"]) == [2.0, 2.0]
    assert gradtrace.trace("3·x", x=2).node("f").label == "*3"


def test_dot_of_two_vectors_is_their_dot_product():
    t = gradtrace.trace("x · y", x=np.array([1.0, 2.0]), y=np.array([3.0, 4.0]))
    assert t.value == 11 and list(t.gradients["x"]) == [3.0, 4.0]


# ---- the lecture's 2-layer net and max(0, x) on arrays explain and draw -----------------------

@pytest.mark.parametrize("args", [
    ["sum(W2 @ relu(W1 @ x))", "-W1", "[[1,2],[3,-4]]", "-W2", "[[1,1]]", "-x", "[1,1]"],
    ["sum(max(0,x))", "-x", "[1,-2]"],
    ["sum(max(x, y))", "-x", "[1,-2]", "-y", "[0,0]"],
    ["sum(x + y)", "-x", "[1,-2]", "-y", "[0,0]"],
])
def test_array_programs_explain_without_crashing(gt, args, tmp_path):
    result = gt(*args, "--explain")
    assert result.exit_code == 0, result.stderr
    assert "Result: " in result.stdout and "∂f/∂x = " in result.stdout and "⊙" in result.stdout
    assert gt(*args, "--explain", "forward").exit_code == 0
    page = tmp_path / "page.html"
    result = gt(*args, "--html", str(page))
    assert result.exit_code == 0, result.stderr
    assert "Result: " in page.read_text()
