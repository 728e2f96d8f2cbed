"""The course's layers (affine, batchnorm, spatial_batchnorm, layernorm, dropout) from the command
line and the API: the table and the JSON, the course's own numbers and conventions, the errors a
student meets (shapes, eps, a mask that is not 0/1, a missing p), and every renderer.

Their values and gradients are compared with PyTorch float64 in tests/test_torch_oracle.py, and
their formula text in tests/test_formula_text.py; here the reference is the course's staged
backward pass, written out in numpy, step by step as the computational graph of batchnorm has it.
"""

import json

import numpy as np
import pytest

import gradtrace
from gradtrace.core import ops_text
from gradtrace.core.ops import OPS

rng = np.random.default_rng(231)


def staged_batchnorm(x, gamma, beta, eps, dout):
    """The course's batchnorm_forward and its staged batchnorm_backward (one step per node of the
    graph μ, x - μ, var, σ, x̂), an independent derivation of what the compact form computes."""
    n = x.shape[0]
    mu = x.mean(axis=0)
    xmu = x - mu
    var = (xmu ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    xhat = xmu / std
    out = gamma * xhat + beta
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dxmu = dxhat / std
    dstd = -(dxhat * xmu).sum(axis=0) / std ** 2
    dvar = dstd / (2 * std)
    dxmu += 2 * xmu * dvar / n
    dx = dxmu - dxmu.sum(axis=0) / n
    return out, dx, dgamma, dbeta


def _files(tmp_path, **arrays):
    args = []
    for name, value in arrays.items():
        np.save(tmp_path / f"{name}.npy", value)
        args += [f"-{name}" if len(name) == 1 else f"--{name}", f"@{tmp_path / name}.npy"]
    return args


def test_a_batchnorm_program_prints_its_table_and_its_json(gt, tmp_path):
    x, g, b, w = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=3), rng.normal(size=(5, 3))
    args = ["sum(batchnorm(x, g, b) * w)", *_files(tmp_path, x=x, g=g, b=b, w=w)]
    out, dx, dg, db = staged_batchnorm(x, g, b, 1e-5, w)
    shown = gt(*args)
    assert shown.exit_code == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "t1 = batchnorm(x, g, b) shape (5, 3)" in text
    assert "∂t1/∂x = g/σ⊙(up-mean_N(up)-x̂⊙mean_N(up⊙x̂)) with σ = √(var_N(x)+1e-05)" in text
    assert "∂t1/∂x 15×15 dense within each column" in text
    assert f"f = {gradtrace.trace(args[0], x=x, g=g, b=b, w=w).value:.4g}" in text
    data = json.loads(gt(*args, "--json").stdout)
    assert data["output"]["value"] == pytest.approx(float(np.sum(out * w)), rel=1e-12)
    for name, expected in (("x", dx), ("g", dg), ("b", db), ("w", out)):
        np.testing.assert_allclose(data["gradients"][name], expected, rtol=1e-10, atol=1e-13)
    node = next(n for n in data["nodes"] if n["op"] == "batchnorm")
    assert node["inputs"] == ["x", "g", "b"] and node["shape"] == [5, 3] and len(node["formula"]) == 3
    assert [j["structure"].split(":")[0] for j in node["jacobian"]] == [
        "dense within each column", "each output has one nonzero, x̂, at its own feature",
        "each output has one 1, at its own feature"]


def test_eps_is_a_parameter_by_keyword_or_position_and_it_decides_a_constant_column():
    x = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0]])  # column 1 is constant: var 0
    g, b, up = np.array([2.0, 3.0]), np.array([0.5, -1.0]), np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0]])
    by_keyword = gradtrace.trace("sum(batchnorm(x, g, b, eps=0.01) * up)", x=x, g=g, b=b, up=up)
    by_position = gradtrace.trace("sum(batchnorm(x, g, b, 0.01) * up)", x=x, g=g, b=b, up=up)
    default = gradtrace.trace("sum(batchnorm(x, g, b) * up)", x=x, g=g, b=b, up=up)
    assert by_keyword.value == by_position.value != default.value
    # A constant column: x̂ = 0, out = beta, and ∂/∂x = gamma/√eps·(up - mean(up)), as the course's
    # formula gives it: eps alone keeps it finite.
    for trace, eps in ((by_keyword, 0.01), (default, 1e-5)):
        np.testing.assert_allclose(trace.gradients["x"][:, 1], 3.0 / np.sqrt(eps) * (up[:, 1] - up[:, 1].mean()),
                                   rtol=1e-12)
        _, dx, _, _ = staged_batchnorm(x, g, b, eps, up)
        np.testing.assert_allclose(trace.gradients["x"], dx, rtol=1e-10)
    assert np.all(by_keyword.node("t1").value[:, 1] == -1.0)


def test_a_batch_of_one_gives_beta_and_sends_x_nothing():
    """The course's formulas at N = 1 (PyTorch refuses it in training mode): var = 0, x̂ = 0."""
    x, g, b, up = np.array([[3.0, -1.0]]), np.array([2.0, 4.0]), np.array([0.5, 0.25]), np.array([[1.5, -2.0]])
    t = gradtrace.trace("sum(batchnorm(x, g, b) * up)", x=x, g=g, b=b, up=up)
    np.testing.assert_array_equal(t.node("t1").value, [[0.5, 0.25]])
    np.testing.assert_array_equal(t.gradients["x"], [[0.0, 0.0]])
    np.testing.assert_array_equal(t.gradients["g"], [0.0, 0.0])
    np.testing.assert_array_equal(t.gradients["b"], [1.5, -2.0])
    one = gradtrace.trace("sum(layernorm(x, g, b) * up)", x=x, g=g, b=b, up=up)  # a row is enough for it
    assert np.all(np.abs(one.node("t1").value) > 0.25)


def test_a_column_far_from_zero_keeps_its_digits():
    """300 + 0.001k: x - mean(x) done naively keeps about 1e-11 of x̂; gradtrace shifts x by one of
    its own values first. The exact x̂ comes from the floats as fractions."""
    from fractions import Fraction

    column = 300.0 + 1e-3 * np.array([0.3, -1.2, 2.5, 0.7])
    x = column[:, None]
    t = gradtrace.trace("sum(batchnorm(x, g, b, eps=0) * up)", x=x, g=np.ones(1), b=np.zeros(1),
                        up=np.ones((4, 1)))
    exact = [Fraction(v) for v in column]
    mean = sum(exact) / 4
    var = sum((v - mean) ** 2 for v in exact) / 4
    xhat = [float((v - mean) / Fraction(np.sqrt(float(var)))) for v in exact]
    np.testing.assert_allclose(t.node("t1").value[:, 0], xhat, rtol=1e-14)


def test_dropout_keeps_a_unit_with_probability_p_and_its_mask_gets_no_gradient(gt):
    """The course's convention since 2017: p keeps a unit, out = x·mask/p."""
    t = gradtrace.trace("sum(dropout(x, m, 0.75) * up)", x=np.array([1.0, 2.0, 3.0, 4.0]),
                        m=np.array([1.0, 0.0, 1.0, 1.0]), up=np.array([3.0, 3.0, 3.0, -3.0]))
    np.testing.assert_allclose(t.node("t1").value, [4 / 3, 0.0, 4.0, 16 / 3], rtol=1e-15)
    np.testing.assert_allclose(t.gradients["x"], [4.0, 0.0, 4.0, -4.0], rtol=1e-15)
    assert t.gradients["m"] is None
    result = gt("sum(dropout(x, m, p=0.5) * x)", "-x", "[[1, -2], [3, 0.5]]", "-m", "[[1, 0], [0, 1]]",
                "--check", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["gradients"]["m"] is None
    assert data["check"]["passed"] and [v.split("[")[0] for v in data["check"]["variables"]] == ["x"]
    notes = OPS["dropout"].text.notes
    assert "probability of keeping" in notes and "(rand < p)/p" in notes


def test_affine_takes_an_image_batch_as_rows():
    x, w, b, up = rng.normal(size=(2, 3, 2, 2)), rng.normal(size=(12, 5)), rng.normal(size=5), rng.normal(size=(2, 5))
    t = gradtrace.trace("sum(affine(x, W, b) * up)", x=x, W=w, b=b, up=up)
    rows = x.reshape(2, 12)
    np.testing.assert_allclose(t.node("t1").value, rows @ w + b, rtol=1e-14)
    np.testing.assert_allclose(t.gradients["x"], (up @ w.T).reshape(x.shape), rtol=1e-14)
    np.testing.assert_allclose(t.gradients["W"], rows.T @ up, rtol=1e-14)
    np.testing.assert_allclose(t.gradients["b"], up.sum(axis=0), rtol=1e-14)


def test_spatial_batchnorm_is_batchnorm_of_the_pixels_as_rows():
    """Per channel over N, H, W: the same as batchnorm of x moved to (N·H·W, C)."""
    x, g, b, up = rng.normal(size=(3, 4, 2, 5)), rng.normal(size=4), rng.normal(size=4), rng.normal(size=(3, 4, 2, 5))
    spatial = gradtrace.trace("sum(spatial_batchnorm(x, g, b) * up)", x=x, g=g, b=b, up=up)

    def rows(a):
        return a.transpose(0, 2, 3, 1).reshape(-1, 4)

    flat = gradtrace.trace("sum(batchnorm(x, g, b) * up)", x=rows(x), g=g, b=b, up=rows(up))
    np.testing.assert_allclose(rows(spatial.node("t1").value), flat.node("t1").value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rows(spatial.gradients["x"]), flat.gradients["x"], rtol=1e-10, atol=1e-13)
    for name in "gb":
        np.testing.assert_allclose(spatial.gradients[name], flat.gradients[name], rtol=1e-10, atol=1e-13)


def test_layernorm_is_batchnorm_of_the_transpose_for_gamma_one():
    x, up = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    layer = gradtrace.trace("sum(layernorm(x, g, b) * up)", x=x, g=np.ones(6), b=np.zeros(6), up=up)
    batch = gradtrace.trace("sum(batchnorm(x, g, b) * up)", x=x.T, g=np.ones(4), b=np.zeros(4), up=up.T)
    np.testing.assert_allclose(layer.node("t1").value, batch.node("t1").value.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(layer.gradients["x"], batch.gradients["x"].T, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("program, names", [("batchnorm(x, g, b)", "xgb"), ("layernorm(x, g, b)", "xgb"),
                                           ("affine(x, W, c)", "xWc"), ("dropout(x, m, 0.5)", "xm")])
def test_each_local_jacobian_in_full_is_the_central_differences_one(program, names):
    """--jacobian's matrices, which the engine builds from the op's own vector-Jacobian product."""
    from gradtrace.core.numpy_backend import numpy_backend

    values = {"x": rng.normal(size=(3, 2)), "g": rng.normal(size=2), "b": rng.normal(size=2),
              "W": rng.normal(size=(2, 4)), "c": rng.normal(size=4),
              "m": np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])}
    t = gradtrace.trace(program, upstream="ones", **{name: values[name] for name in names})
    node = t.graph.output
    inputs = [t.values[i] for i in node.inputs]
    for slot, inp in enumerate(inputs):
        if t.upstream[node.inputs[slot]] is None:
            continue  # the mask
        numeric = np.zeros((np.size(t.value), np.size(inp)))
        for k in range(np.size(inp)):
            step = np.zeros(np.shape(inp))
            step.flat[k] = 1e-6
            plus, minus = list(inputs), list(inputs)
            plus[slot], minus[slot] = inp + step, inp - step
            numeric[:, k] = (node.op.apply(numpy_backend, plus, node.params)
                             - node.op.apply(numpy_backend, minus, node.params)).ravel() / 2e-6
        np.testing.assert_allclose(t.jacobian_matrix(node.id, slot), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("args, code, message", [
    (["sum(batchnorm(x, g, b))", "-x", "[[1, 2], [3, 4]]", "-g", "[1, 2, 3]", "-b", "[0, 0]"], 2,
     "batchnorm needs x of shape (N, D) and gamma, beta of shape (D,)"),
    (["sum(batchnorm(x, g, b))", "-x", "[1, 2]", "-g", "[1, 2]", "-b", "[0, 0]"], 2,
     "x (2,) and g (2,) and b (2,) (batchnorm needs x of shape (N, D)"),
    (["sum(spatial_batchnorm(x, g, b))", "-x", "[[1, 2], [3, 4]]", "-g", "[1, 2]", "-b", "[0, 0]"], 2,
     "spatial_batchnorm needs x of shape (N, C, H, W) and gamma, beta of shape (C,)"),
    (["sum(layernorm(x, g, b))", "-x", "[[1, 2], [3, 4]]", "-g", "[1]", "-b", "[0]"], 2,
     "layernorm needs x of shape (N, D)"),
    (["sum(affine(x, W, b))", "-x", "[[1, 2], [3, 4]]", "-W", "[[1, 2, 3]]", "-b", "[0, 0, 0]"], 2,
     "affine needs x of shape (N, d1, ..., dk), W of shape (D, M) with D = d1·...·dk, and b of shape (M,)"),
    (["sum(affine(x, W, b))", "-x", "[[1, 2], [3, 4]]", "-W", "[[1], [2]]", "-b", "[0, 0]"], 2,
     "affine needs x of shape"),
    (["sum(batchnorm(x, g, b))", "-x", "[[], []]", "-g", "[]", "-b", "[]"], 2, "the array for x is empty"),
    (["sum(dropout(x, m, 0.5))", "-x", "[1, 2, 3]", "-m", "[1, 0]"], 2, "dropout needs a mask of the same shape as x"),
    (["sum(layernorm(x, g, b))", "-x", "[[1e200, -1e200], [1, 2]]", "-g", "[1, 1]", "-b", "[0, 0]"], 1,
     "t1 = layernorm(x, g, b): the result overflows"),  # var beyond the floats: never a silent x̂ = 0
    (["sum(batchnorm(x, g, b, eps=-1))", "-x", "[[1, 2], [3, 4]]", "-g", "[1, 2]", "-b", "[0, 0]"], 1,
     "batchnorm needs eps ≥ 0"),
    (["sum(batchnorm(x, g, b, eps=0))", "-x", "[[1, 2], [3, 2]]", "-g", "[1, 2]", "-b", "[0, 0]"], 1,
     "batchnorm needs a variance above 0 in every feature when eps = 0 (a constant feature would divide 0 by 0), "
     "but x[0, 1] = 2"),
    (["sum(layernorm(x, g, b, eps=0))", "-x", "[[1, 2], [3, 3]]", "-g", "[1, 2]", "-b", "[0, 0]"], 1,
     "but x[1, 0] = 3"),
    (["sum(dropout(x, m, 0.5))", "-x", "[1, 2, 3]", "-m", "[1, 2, 0]"], 1,
     "dropout needs a mask of 0s and 1s (it divides by p itself: the course's (rand < p)/p is mask/p), but x[1] = 2, "
     "m[1] = 2"),
    (["sum(dropout(x, m, 0))", "-x", "[1, 2]", "-m", "[1, 0]"], 1, "dropout needs a keep probability 0 < p ≤ 1"),
    (["sum(dropout(x, m, 1.5))", "-x", "[1, 2]", "-m", "[1, 0]"], 1, "dropout needs a keep probability 0 < p ≤ 1"),
    (["sum(dropout(x, m))", "-x", "[1, 2]", "-m", "[1, 0]"], 2, "hint: write dropout(x, mask, p), with a number for p"),
    (["sum(batchnorm(x, g))", "-x", "[[1]]", "-g", "[1]"], 2, "batchnorm needs 3 arguments, got 2"),
    (["sum(dropout(x, m, 0.5, 1))", "-x", "[1]", "-m", "[1]"], 2, "dropout takes 3 argument(s), got 4"),
    (["sum(batchnorm(x, g, b, alpha=1))", "-x", "[[1]]", "-g", "[1]", "-b", "[1]"], 2,
     "batchnorm has no parameter 'alpha' (its parameters: eps)"),
    (["sum(batchnorm(x, 1, b))", "-x", "[[1]]", "-b", "[1]"], 2, "batchnorm needs array arguments"),
])
def test_what_a_student_gets_wrong_is_said_clearly(gt, args, code, message):
    result = gt(*args)
    assert result.exit_code == code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_the_messages_and_notes_speak_korean(gt):
    result = gt("--lang", "ko", "sum(batchnorm(x, g, b))", "-x", "[[1, 2], [3, 4]]", "-g", "[1, 2, 3]", "-b", "[0, 0]")
    assert result.exit_code == 2 and "shape (N, D)인 x와 shape (D,)인 gamma, beta" in result.stderr
    result = gt("--lang", "ko", "sum(dropout(x, m))", "-x", "[1]", "-m", "[1]")
    assert "힌트: dropout(x, mask, p)로 쓰고, p에는 숫자를 넣으세요" in result.stderr
    explained = gt("--lang", "ko", "sum(dropout(x, m, 0.5))", "-x", "[1, 2]", "-m", "[1, 0]", "--explain").stdout
    assert "mask를 주는 inverted dropout" in explained and "없음: mask는 미분할 수 없습니다" in explained


def test_the_signatures_name_the_inputs_as_the_course_does():
    assert [ops_text.signature(OPS[name]) for name in ("affine", "batchnorm", "spatial_batchnorm", "layernorm",
                                                       "dropout")] == [
        "affine(x, W, b)", "batchnorm(x, gamma, beta, eps=1e-05)", "spatial_batchnorm(x, gamma, beta, eps=1e-05)",
        "layernorm(x, gamma, beta, eps=1e-05)", "dropout(x, mask, p)"]


RENDERERS = [[], ["--json"], ["--explain"], ["--graph"], ["--dot"], ["--mermaid"], ["--format", "csv"],
             ["--format", "markdown"], ["--format", "latex"], ["--check"], ["--jacobian"], ["--full"]]


@pytest.mark.parametrize("flags", RENDERERS, ids=[" ".join(f) or "table" for f in RENDERERS])
def test_every_renderer_shows_a_network_of_layers(gt, flags):
    program = "cross_entropy(dropout(layernorm(relu(affine(x, W, b)), g, beta), m, 0.5), y)"
    args = [program, "-x", "[[1, -2, 0.5], [0.3, 2, -1]]", "-W", "[[1, 0], [0.5, -1], [2, 1]]", "-b", "[0.1, -0.2]",
            "-g", "[1, 2]", "--beta", "[0, 1]", "-m", "[[1, 1], [0, 1]]", "-y", "[1, 0]"]
    result = gt(*args, *flags)
    assert result.exit_code == 0, result.stderr
    if flags == ["--format", "latex"]:
        body = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("%"))
        assert body.isascii() and "?" not in body and r"\hat{x}" in body
    if flags == ["--json"]:
        assert json.loads(result.stdout)["gradients"]["m"] is None
