"""Issue 33: explanations with shapes. The gradient has the shape of the variable: --explain, the
table and the page give every array gate's shapes (inputs → output) and each input's gradient as
its formula's product with the factors' shapes, "up·xᵀ: (3×4)(4×2) → 3×2", read off the formula
text; the table's Jacobian rows give each product, or the upstream's shape → the gradient's."""

import json
import zlib

import numpy as np
import pytest

import gradtrace
from gradtrace.core.numbers import DEFAULT
from gradtrace.core.ops import OPS, index_text, shape_text

# Every op that works on arrays only, as the PyTorch oracle lists them, and · between two arrays.
ARRAY_OPS = sorted(name for name, op in OPS.items() if op.arrays_only) + ["cdot"]
NAMES = ("x", "y", "z")


def _dims(shape):
    return "×".join(str(n) for n in shape)


@pytest.mark.parametrize("seed", range(5))
def test_two_layer_net_explains_each_matmul_with_its_shapes(gt, seed):
    """sum(W2 @ relu(W1 @ x)) at random sizes: W1 (H×D), x (D×N), W2 (C×H); each matmul's line
    is the course's, with the product's shapes and the gradient's numbers."""
    rng = np.random.default_rng(seed)
    d, n, h, c = (int(v) for v in rng.integers(2, 6, size=4))
    w1, x, w2 = (rng.integers(-3, 4, size=s).astype(float) for s in ((h, d), (d, n), (c, h)))
    out = gt("sum(W2 @ relu(W1 @ x))", "-W1", json.dumps(w1.tolist()), "-x", json.dumps(x.tolist()),
             "-W2", json.dumps(w2.tolist()), "--explain")
    assert out.exit_code == 0, out.stderr
    text = out.stdout
    hidden = w1 @ x
    up2 = w2.T @ np.ones((c, n)) * (hidden > 0)  # ∂f/∂t1, through the relu
    expected = {
        f"∂f/∂W2 = up·t2ᵀ: ({c}×{n})({n}×{h}) → {c}×{h}": np.ones((c, n)) @ np.maximum(hidden, 0).T,
        f"∂f/∂t2 = W2ᵀ·up: ({h}×{c})({c}×{n}) → {h}×{n}": w2.T @ np.ones((c, n)),
        f"∂f/∂W1 = up·xᵀ: ({h}×{n})({n}×{d}) → {h}×{d}": up2 @ x.T,
        f"∂f/∂x = W1ᵀ·up: ({d}×{h})({h}×{n}) → {d}×{n}": w1.T @ up2,
    }
    for line, value in expected.items():
        assert f"{line} = {DEFAULT.text(value)}" in text
    assert f"   W2 ({c}, {h}), t2 ({h}, {n}) → t3 ({c}, {n})" in text
    assert f"   W1 ({h}, {d}), x ({d}, {n}) → t1 ({h}, {n})" in text
    assert f"   t3 ({c}, {n}) → f ()" in text


def test_the_issues_example_reads_as_the_course_does(gt):
    out = gt("sum(W @ x + b)", "-W", "[[1,2],[3,4],[5,6]]", "-x", "[[1,0,2,1],[0,1,1,2]]", "-b", "[1,2,3,4]",
             "--explain").stdout
    assert "∂f/∂W = up·xᵀ: (3×4)(4×2) → 3×2 = [[4, 4], [4, 4], [4, 4]]" in out
    assert "∂f/∂x = Wᵀ·up: (2×3)(3×4) → 2×4 = [[9, 9, 9, 9], [12, 12, 12, 12]]" in out
    # the broadcast sum's own line is kept
    assert "b was broadcast from (4,) to (3, 4), so its gradient is summed back: sum over axis 0: (3, 4) → (4,)" in out


@pytest.mark.parametrize("program, other, lines", [
    # vectors: a column, as the course writes one; in front of a matrix a row (x @ W)
    ("sum(W @ y)", ("-y", "[1,2,3]"), ["∂f/∂W = up·yᵀ: (2×1)(1×3) → 2×3", "∂f/∂y = Wᵀ·up: (3×2)(2×1) → 3"]),
    ("sum(x @ W)", ("-x", "[1,2]"), ["∂f/∂x = up·Wᵀ: (1×3)(3×2) → 2", "∂f/∂W = xᵀ·up: (2×1)(1×3) → 2×3"]),
    ("sum(W · y)", ("-y", "[1,2,3]"), ["∂f/∂W = up·yᵀ: (2×1)(1×3) → 2×3"]),
    ("sum(W.T)", (), ["∂f/∂W = upᵀ: (2×3) → 2×3", "W (2, 3) → t1 (3, 2)"]),
])
def test_vectors_and_transposes(gt, program, other, lines):
    out = gt(program, "-W", "[[1,2,3],[3,4,5]]", *other, "--explain")
    assert out.exit_code == 0, out.stderr
    for line in lines:
        assert line in out.stdout


def _program(name, params):
    """A program applying op `name` to x, y, z with these parameters, summed to one number."""
    op = OPS[name]
    names = NAMES[:op.arity]
    if name == "index":
        return f"sum(x[{index_text(params[0])}])"
    if op.syntax.infix:
        return f"sum({names[0]} {op.syntax.infix} {names[1]})"
    keywords = [f"{pname}={op.param_text(pname, value)}"
                for (pname, _), value in zip(op.keyword_params, params) if value is not None]
    return f"sum({name}({', '.join([*names, *keywords])}))"


@pytest.mark.parametrize("name", ARRAY_OPS)
def test_every_array_op_shows_its_shapes(gt, name):
    """At the oracle's draws: the explanation has the gate's line, inputs → output with their
    shapes, and the table a → per input that gets a gradient, ending at the gradient's shape."""
    import array_inputs

    rng = np.random.default_rng(zlib.crc32(name.encode()))
    for k in range(6):
        xs, params = array_inputs.draw("matmul" if name == "cdot" else name, rng, k)
        program = _program(name, params)
        bindings = dict(zip(NAMES, xs))
        trace = gradtrace.trace(program, **bindings)
        args = [a for var, x in bindings.items() for a in (f"-{var}", json.dumps(np.asarray(x).tolist()))]
        explained = gt(program, *args, "--explain")
        assert explained.exit_code == 0, (program, explained.stderr)
        gate = next(row for row in trace.nodes if row.op == name and row.inputs == tuple(bindings))
        ins = ", ".join(f"{var} {shape_text(np.shape(x))}" for var, x in bindings.items())
        assert f"   {ins} → {gate.name} {shape_text(np.shape(gate.value))}" in explained.stdout.splitlines()
        table = _table(gt, program, args)
        for slot in range(len(xs)):
            step = gate.shape_step(slot)
            if gate.downstream[slot] is None:
                assert step is None
                continue
            assert step is not None and " → " in step, (program, slot, step)
            shape = np.shape(gate.downstream[slot] if gate.summed(slot) is None else gate.summed(slot).unsummed)
            assert step.endswith(f"→ {_dims(shape) or '1'}") or step.endswith(f"→ {shape_text(shape)}"), step
            assert step in table, (program, step)


def _table(gt, program, args):
    out = gt(program, *args, env={"COLUMNS": "400"})
    assert out.exit_code == 0, out.stderr
    return out.stdout


def test_affine_reads_rows_of_x_as_a_matrix(gt):
    """affine's rows(x) is x as N rows of D = d1·...·dk: its ᵀ has the shape (D, N)."""
    out = gt("sum(affine(x, W, b))", "-x", "[[[1,2],[3,4],[5,6]]]",
             "-W", "[[1,2,3],[4,5,6],[1,1,1],[1,1,1],[0,0,0],[1,1,1]]", "-b", "[1,1,1]", "--explain").stdout
    assert "∂f/∂x = up·Wᵀ: (1×3)(3×6) → 1×3×2 = [[[6, 15], [3, 3], [0, 3]]]" in out
    assert "∂f/∂W = rows(x)ᵀ·up: (6×1)(1×3) → 6×3 = " in out
    assert "   x (1, 3, 2), W (6, 3), b (3,) → t1 (1, 3)" in out


def test_the_page_gives_the_shapes_in_its_local_column_and_its_walk(gt, tmp_path):
    import needs

    needs.program("dot", "graphviz")
    path = tmp_path / "page.html"
    assert gt("sum(W @ x + b)", "-W", "[[1,2],[3,4],[5,6]]", "-x", "[[1,0,2,1],[0,1,1,2]]", "-b", "[1,2,3,4]",
              "--html", str(path)).exit_code == 0
    page = path.read_text(encoding="utf-8")
    assert "<small class='shapes'>up·xᵀ: (3×4)(4×2) → 3×2</small>" in page
    assert "<small class='shapes'>() → (3, 4)</small>" in page
    assert "∂f/∂W = up·xᵀ: (3×4)(4×2) → 3×2 = [[4, 4], [4, 4], [4, 4]]" in page  # the walk's text


@pytest.mark.parametrize("seed", range(8))
def test_conv2d_states_each_gradient_as_the_lecture_does_with_its_shapes(gt, seed):
    """At random sizes, strides and pads: dx is the full convolution of the upstream with the
    flipped filters, dw the correlation of x's windows with the upstream, db the upstream summed
    over N, H', W'; each with its factors' shapes and the gradient's, which are the arrays'."""
    rng = np.random.default_rng(seed)
    n, c, f = (int(v) for v in rng.integers(1, 4, size=3))
    hh, ww = (int(v) for v in rng.integers(1, 5, size=2))
    stride, pad = int(rng.integers(1, 4)), int(rng.integers(0, min(hh, ww)))  # a pad smaller than the filters
    # the input from the output's size: H = (H' − 1)·stride + HH − 2·pad, at least 1
    h, w = ((int(k) - 1) * stride + size - 2 * pad for k, size in ((rng.integers(1, 4), hh), (rng.integers(1, 4), ww)))
    while h < 1:
        h += stride
    while w < 1:
        w += stride
    x, wt, b = rng.standard_normal((n, c, h, w)), rng.standard_normal((f, c, hh, ww)), rng.standard_normal(f)
    program = f"sum(conv2d(x, w, b, stride={stride}, pad={pad}))"
    trace = gradtrace.trace(program, x=x, w=wt, b=b)
    out = gt(program, "-x", json.dumps(x.tolist()), "-w", json.dumps(wt.tolist()), "-b", json.dumps(b.tolist()),
             "--explain")
    assert out.exit_code == 0, out.stderr
    gate = next(row for row in trace.nodes if row.op == "conv2d")
    up = np.shape(gate.upstream)
    assert up == (n, f, 1 + (h + 2 * pad - hh) // stride, 1 + (w + 2 * pad - ww) // stride)
    lines = out.stdout.splitlines()
    expected = {
        "x": (f"∂f/∂x = up ∗ flip(w): ({_dims(up)})({_dims(wt.shape)}) → {_dims(x.shape)}",
              "up ∗ flip(w): the full convolution of the upstream with the flipped filters w"),
        "w": (f"∂f/∂w = x ⋆ up: ({_dims(x.shape)})({_dims(up)}) → {_dims(wt.shape)}",
              "x ⋆ up: the correlation of x's windows with the upstream"),
        "b": (f"∂f/∂b = Σ_N,H′,W′(up): ({_dims(up)}) → {f}",
              "Σ_N,H′,W′(up): the upstream summed over N, H′ and W′"),
    }
    for (name, (product, words)), d in zip(expected.items(), gate.downstream):
        (k,) = [k for k, line in enumerate(lines) if f"so {product} = " in line]
        assert lines[k].endswith(f"{product} = {DEFAULT.text(d)}"), lines[k]
        assert np.shape(d) == np.shape(trace.bindings[name])  # the gradient has the shape of the variable
        assert lines[k + 1].startswith(f"      {words}"), lines[k + 1]


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 1), (2, 1), (3, 2)])
def test_maxpool2d_routes_each_windows_upstream_to_its_maximum(gt, size, stride):
    rng = np.random.default_rng(size * 10 + stride)
    n, c = (int(v) for v in rng.integers(1, 3, size=2))
    h, w = (size + stride * int(k) for k in rng.integers(1, 4, size=2))
    x = rng.standard_normal((n, c, h, w))
    program = f"sum(maxpool2d(x, size={size}, stride={stride}))"
    trace = gradtrace.trace(program, x=x)
    out = gt(program, "-x", json.dumps(x.tolist()), "--explain")
    assert out.exit_code == 0, out.stderr
    gate = next(row for row in trace.nodes if row.op == "maxpool2d")
    up = (n, c, 1 + (h - size) // stride, 1 + (w - size) // stride)
    assert np.shape(gate.upstream) == up
    line = f"∂f/∂x = route(up): ({_dims(up)}) → {_dims(x.shape)} = {DEFAULT.text(gate.downstream[0])}"
    lines = out.stdout.splitlines()
    (k,) = [k for k, text in enumerate(lines) if text.endswith(line)]
    assert lines[k + 1].startswith("      route(up): each window's upstream goes to the window's maximum in x")


@pytest.mark.parametrize("length", [1, 2, 5])
def test_dot_is_the_vector_case_of_the_product(gt, length):
    rng = np.random.default_rng(length)
    x, y = rng.integers(-4, 5, size=length).astype(float), rng.integers(-4, 5, size=length).astype(float)
    out = gt("3 * dot(x, y)", "-x", json.dumps(x.tolist()), "-y", json.dumps(y.tolist()), "--explain")
    assert out.exit_code == 0, out.stderr
    # the upstream is the number 3, so each vector's gradient is 3 times the other
    assert f"∂f/∂x = up·y: (1)({length}) → {length} = {DEFAULT.text(3 * y)}" in out.stdout
    assert f"∂f/∂y = up·x: (1)({length}) → {length} = {DEFAULT.text(3 * x)}" in out.stdout
    assert "      up·y: the other vector, y, times the upstream number" in out.stdout
