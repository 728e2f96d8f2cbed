"""Issue: vectors and matrices. Jacobian-free backprop with numpy, checked against central
differences (and PyTorch where it is installed; it is not a dependency)."""

import json
import tracemalloc

import numpy as np
import pytest

import gradtrace
from gradtrace.core.ops import OPS

LECTURE_W = "[[0.1,0.5],[-0.3,0.8]]"
LECTURE_X = "[0.2,0.4]"
rng = np.random.default_rng(42)


def numerical(program, bindings, name, h=1e-6, seed=None):
    """Central differences of the (seeded) output in every coordinate of one variable."""
    base = {k: np.array(v, dtype=float) for k, v in bindings.items()}
    grad = np.zeros_like(base[name])
    for idx in np.ndindex(*base[name].shape):
        plus = {k: v.copy() for k, v in base.items()}
        minus = {k: v.copy() for k, v in base.items()}
        plus[name][idx] += h
        minus[name][idx] -= h
        fp = gradtrace.trace(program, upstream=seed, **plus).value
        fm = gradtrace.trace(program, upstream=seed, **minus).value
        weight = 1.0 if seed is None else seed
        grad[idx] = (np.sum(weight * fp) - np.sum(weight * fm)) / (2 * h)
    return grad


def test_the_lectures_vectorized_example():
    t = gradtrace.trace("sum((W @ x)**2)", W=LECTURE_W, x=LECTURE_X)
    assert t.value == pytest.approx(0.116)
    np.testing.assert_allclose(t.gradients["W"], [[0.088, 0.176], [0.104, 0.208]])
    np.testing.assert_allclose(t.gradients["x"], [-0.112, 0.636])


# One program per array op (and broadcasting), with bindings; the shape test and the oracle test
# both run over all of them, and a check makes sure every array op in the table is covered.
LABELS = np.array([2.0, 0.0, 1.0])
CASES = {
    "matmul: matrix-vector": ("sum(W @ x)", {"W": rng.normal(size=(3, 2)), "x": rng.normal(size=2)}),
    "matmul: vector-matrix": ("sum(x @ W)", {"W": rng.normal(size=(3, 2)), "x": rng.normal(size=3)}),
    "matmul: matrix-matrix": ("sum((A @ B)**2)", {"A": rng.normal(size=(3, 4)), "B": rng.normal(size=(4, 2))}),
    "matmul: batched": ("sum(A @ B)", {"A": rng.normal(size=(2, 3, 4)), "B": rng.normal(size=(4, 2))}),
    "matmul: vector-vector": ("a @ b", {"a": rng.normal(size=3), "b": rng.normal(size=3)}),
    "sum": ("sum(x * x)", {"x": rng.normal(size=(2, 3))}),
    "mean": ("mean(exp(x))", {"x": rng.normal(size=(4,))}),
    "dot": ("dot(a, b) * 2", {"a": rng.normal(size=3), "b": rng.normal(size=3)}),
    "transpose": ("sum(W.T @ x) + sum(transpose(W) @ x)", {"W": rng.normal(size=(2, 3)), "x": rng.normal(size=2)}),
    "norm": ("norm(x)", {"x": rng.normal(size=4)}),
    "softmax": ("sum(softmax(x) * w)", {"x": rng.normal(size=(2, 4)), "w": rng.normal(size=(2, 4))}),
    "log_softmax": ("sum(log_softmax(x) * w)", {"x": rng.normal(size=4), "w": rng.normal(size=4)}),
    "cross_entropy": ("cross_entropy(x @ W, y)", {"x": rng.normal(size=(3, 2)), "W": rng.normal(size=(2, 3)),
                                                   "y": LABELS}),
    "svm_loss": ("svm_loss(x @ W, y)", {"x": rng.normal(size=(3, 2)), "W": rng.normal(size=(2, 3)),
                                         "y": LABELS}),
    "conv2d": ("sum(conv2d(x, w, b, stride=2, pad=1) * v)", {"x": rng.normal(size=(1, 2, 5, 5)),
                                                          "w": rng.normal(size=(3, 2, 3, 3)),
                                                          "b": rng.normal(size=3), "v": rng.normal(size=(1, 3, 3, 3))}),
    "maxpool2d": ("sum(maxpool2d(x, size=3, stride=2) * v)", {"x": rng.normal(size=(2, 2, 5, 5)),
                                                              "v": rng.normal(size=(2, 2, 2, 2))}),
    "affine": ("sum(affine(x, W, b) * w)", {"x": rng.normal(size=(2, 3, 2)), "W": rng.normal(size=(6, 4)),
                                            "b": rng.normal(size=4), "w": rng.normal(size=(2, 4))}),
    "batchnorm": ("sum(batchnorm(x, g, b) * w)", {"x": rng.normal(size=(4, 3)), "g": rng.normal(size=3),
                                                  "b": rng.normal(size=3), "w": rng.normal(size=(4, 3))}),
    "spatial_batchnorm": ("sum(spatial_batchnorm(x, g, b, eps=0.01) * w)",
                          {"x": rng.normal(size=(2, 3, 2, 2)), "g": rng.normal(size=3), "b": rng.normal(size=3),
                           "w": rng.normal(size=(2, 3, 2, 2))}),
    "layernorm": ("sum(layernorm(x, g, b) * w)", {"x": rng.normal(size=(3, 5)), "g": rng.normal(size=5),
                                                  "b": rng.normal(size=5), "w": rng.normal(size=(3, 5))}),
    "dropout": ("sum(dropout(x, m, 0.6) * w)", {"x": rng.normal(size=(3, 4)), "m": (rng.random((3, 4)) < 0.6) * 1.0,
                                                "w": rng.normal(size=(3, 4))}),
    "sum along an axis": ("sum(sum(x, axis=1) * w) + sum(mean(x, -2))", {"x": rng.normal(size=(2, 3, 4)),
                                                                           "w": rng.normal(size=(2, 4))}),
    "reshape": ("sum(reshape(x, (3, -1)) @ w)", {"x": rng.normal(size=(2, 3, 2)), "w": rng.normal(size=4)}),
    "index": ("sum(x[:, 1] * x[::-1, 2]) + x[-1, ::2] @ w[1:3] + sum(exp(x[::-1, 1:]))",
              {"x": rng.normal(size=(3, 4)), "w": rng.normal(size=5)}),
    "broadcasting": ("sum(x * b + c)", {"x": rng.normal(size=(3, 2)), "b": rng.normal(size=2),
                                        "c": np.array(0.5)}),
    "elementwise ops": ("sum(sigmoid(x) * tanh(y) + relu(x - y) + leaky_relu(y, 0.1) + max(x, y, 0.2))",
                        {"x": rng.normal(size=(2, 3)), "y": rng.normal(size=(2, 3))}),
}


def test_every_array_op_has_a_case():
    covered = {OPS[name].name for name in OPS if OPS[name].arrays_only and
               any(name in program or (name == "matmul" and "@" in program) or
                   (name == "transpose" and ".T" in program) or (name == "index" and "[" in program)
                   for program, _ in CASES.values())}
    assert covered == {name for name, op in OPS.items() if op.arrays_only}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_gradient_has_its_variables_shape(case):
    program, bindings = CASES[case]
    t = gradtrace.trace(program, **bindings)
    for name, value in bindings.items():
        g = t.gradients[name]
        if (name == "y" and "(x @ W, y)" in program) or (name == "m" and "dropout" in program):
            assert g is None  # class labels and dropout's mask have no gradient
            continue
        assert np.shape(g) == np.shape(value), (name, np.shape(g), np.shape(value))


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_match_central_differences(case):
    program, bindings = CASES[case]
    t = gradtrace.trace(program, **bindings)
    for name in bindings:
        if t.gradients[name] is None:
            continue
        np.testing.assert_allclose(t.gradients[name], numerical(program, bindings, name), rtol=1e-5, atol=1e-7,
                                   err_msg=f"{case}: ∂/∂{name}")


def test_two_layer_net_and_softmax_loss_match_central_differences_and_torch():
    W1, W2, x = rng.normal(size=(4, 3)), rng.normal(size=(2, 4)), rng.normal(size=3)
    net = gradtrace.trace("sum(W2 @ relu(W1 @ x))", W1=W1, W2=W2, x=x)
    for name, _value in (("W1", W1), ("W2", W2), ("x", x)):
        np.testing.assert_allclose(net.gradients[name], numerical("sum(W2 @ relu(W1 @ x))",
                                                                  {"W1": W1, "W2": W2, "x": x}, name),
                                   rtol=1e-5, atol=1e-7)
    X, W, y = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), np.array([0.0, 3.0, 1.0, 1.0, 2.0])
    loss = gradtrace.trace("cross_entropy(relu(X @ W1) @ W, y)", X=X, W1=rng.normal(size=(3, 3)), W=W, y=y)
    import needs

    torch = needs.module("torch", "pip install torch==2.13.0")
    tW1, tW2, tx = (torch.tensor(a, requires_grad=True) for a in (W1, W2, x))
    (tW2 @ torch.relu(tW1 @ tx)).sum().backward()
    for name, tensor in (("W1", tW1), ("W2", tW2), ("x", tx)):
        np.testing.assert_allclose(net.gradients[name], tensor.grad.numpy(), rtol=1e-10, atol=1e-12)
    tX = torch.tensor(X)
    tW1b = torch.tensor(loss.bindings["W1"], requires_grad=True)
    tW = torch.tensor(W, requires_grad=True)
    torch.nn.functional.cross_entropy(torch.relu(tX @ tW1b) @ tW, torch.tensor(y, dtype=torch.long)).backward()
    np.testing.assert_allclose(loss.gradients["W"], tW.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss.gradients["W1"], tW1b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_large_input_states_the_diagonal_jacobian_without_building_it(gt, tmp_path):
    x = rng.normal(size=(100, 4096))
    path = tmp_path / "x.npy"
    np.save(path, x)
    result = gt("sum(max(0, x))", "-x", f"@{path}")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "∂t1/∂x 409600×409600 diagonal 1.34 TB if built" in text
    assert "(100, 4096)" in text
    tracemalloc.start()
    t = gradtrace.trace("sum(max(0, x))", x=x)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # The trace keeps its own copy of x (1x), the gate's output, local and downstream gradients.
    assert peak < 5 * x.nbytes, f"peak {peak / x.nbytes:.1f}x the input"
    np.testing.assert_array_equal(t.gradients["x"], (x > 0).astype(float))


# ---- bindings, errors and outputs -------------------------------------------------------------

def test_array_bindings_from_files(gt, tmp_path):
    W = np.array([[0.1, 0.5], [-0.3, 0.8]])
    np.save(tmp_path / "W.npy", W)
    np.savetxt(tmp_path / "W.csv", W, delimiter=",")
    (tmp_path / "x.json").write_text("[0.2, 0.4]")
    for w in ("W.npy", "W.csv"):
        data = json.loads(gt("sum((W @ x)**2)", "-W", f"@{tmp_path / w}", "-x", f"@{tmp_path / 'x.json'}",
                             "--json").stdout)
        np.testing.assert_allclose(data["gradients"]["W"], [[0.088, 0.176], [0.104, 0.208]])
        assert data["nodes"][0]["shape"] == [] and isinstance(data["gradients"]["x"], list)


@pytest.mark.parametrize("value, message", [
    ("[[1, 2], [3]]", "ragged"),
    ('[1, "a"]', "only numbers"),
    ("[1, true]", "only numbers"),
    ("[1, 2", "not a valid array"),
    ("@/nonexistent.npy", "No such file"),
    ("@data.txt", "must be .npy, .csv or .json"),
])
def test_bad_arrays_are_binding_errors(gt, value, message):
    result = gt("sum(x)", "-x", value)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_shape_mismatch_names_the_node_and_both_shapes(gt):
    result = gt("sum(W @ x)", "-W", "[[1, 2], [3, 4]]", "-x", "[1, 2, 3]")
    assert result.exit_code == 2
    assert "t1 = W @ x: the shapes don't fit: W (2, 2) and x (3,)" in result.stderr
    result = gt("sum(a + b)", "-a", "[1, 2]", "-b", "[1, 2, 3]")
    assert result.exit_code == 2 and "a (2,) and b (3,)" in result.stderr


def test_domain_errors_point_at_the_element(gt):
    result = gt("sum(log(x))", "-x", "[1, 2, -3]")
    assert result.exit_code == 1 and "log needs a positive input, but x[2] = -3" in result.stderr


def test_a_vector_output_needs_a_seed(gt, tmp_path):
    result = gt("W @ x", "-W", LECTURE_W, "-x", LECTURE_X)
    assert result.exit_code == 2
    assert "the output f has shape (2,), but backprop starts from one number" in result.stderr
    assert "--upstream ones" in result.stderr
    data = json.loads(gt("W @ x", "-W", LECTURE_W, "-x", LECTURE_X, "--upstream", "ones", "--json").stdout)
    np.testing.assert_allclose(data["gradients"]["x"], [-0.2, 1.3])
    np.save(tmp_path / "g.npy", np.array([1.0, 0.0]))
    data = json.loads(gt("W @ x", "-W", LECTURE_W, "-x", LECTURE_X, "--upstream", f"@{tmp_path / 'g.npy'}",
                         "--json").stdout)
    np.testing.assert_allclose(data["gradients"]["x"], [0.1, 0.5])
    np.save(tmp_path / "bad.npy", np.ones(3))
    assert gt("W @ x", "-W", LECTURE_W, "-x", LECTURE_X, "--upstream", f"@{tmp_path / 'bad.npy'}").exit_code == 2


def test_check_samples_array_coordinates_and_reports_the_worst(gt):
    result = gt("sum(W2 @ relu(W1 @ x))", "-W1", "[[0.5,-1,0.2],[0.3,0.8,-0.5]]", "-W2", "[[1.0,-2.0]]",
                "-x", "[1,2,3]", "--check", "--json")
    check = json.loads(result.stdout)["check"]
    assert result.exit_code == 0 and check["passed"]
    assert set(check["variables"]) == {"W2[0, 1] (worst of 2)", "W1[1, 0] (worst of 6)", "x[0] (worst of 3)"}


def test_jacobian_flag_prints_small_ones_and_refuses_large(gt):
    out = gt("sum((W @ x)**2)", "-W", LECTURE_W, "-x", LECTURE_X, "--jacobian").stdout
    assert "∂t1/∂W  (2×4" in out and "local Jacobians" in out
    assert "0.2   0.4     0     0" in out
    out = gt("sum(x*x)", "-x", json.dumps(list(range(10))), "--jacobian").stdout
    assert out.count("∂t1/∂x  (10×10, diagonal): not printed, 100 entries (800 B) is more than 64") == 2


def test_full_shows_every_element(gt):
    values = json.dumps([float(i) for i in range(20)])
    assert "min 0, mean 9.5" in " ".join(gt("sum(x)", "-x", values).stdout.split())
    assert "19" in gt("sum(x)", "-x", values, "--full").stdout


def test_symbolic_mode_refuses_array_ops(gt):
    result = gt("sum(x)")
    assert result.exit_code == 2 and "symbolic and exact modes work on scalar expressions" in result.stderr


def test_explain_tells_array_ops_by_their_jacobians(gt):
    out = gt("sum((W @ x)**2)", "-W", LECTURE_W, "-x", LECTURE_X, "--explain").stdout
    assert "1. f = sum(t2) = 0.116: a sum gate, a distributor" in out
    assert "the Jacobian ∂t1/∂W is block-structured: sends upstream·xᵀ, so ∂f/∂W = up·xᵀ: (2×1)(1×2) → 2×2 = " \
        "[[0.088, 0.176], [0.104, 0.208]]" in out
    assert "∂f/∂x = Wᵀ·up: (2×2)(2×1) → 2 = [-0.112, 0.636]" in out
    assert "—" not in out


def test_array_answers_are_graded_element_by_element(gt):
    ok = gt("sum((W @ x)**2)", "-W", LECTURE_W, "-x", LECTURE_X, "--expect", "x=[-0.11,0.64]",
            "--expect", "W=[[0.088,0.176],[0.1,0.2]]")
    assert ok.exit_code == 0 and ok.stdout.count("✓") == 2
    wrong = gt("sum((W @ x)**2)", "-W", LECTURE_W, "-x", LECTURE_X, "--expect", "x=[-0.11,0.7]")
    assert wrong.exit_code == 3 and "✗ x = [-0.11,0.7]" in wrong.stdout
    shape = gt("sum((W @ x)**2)", "-W", LECTURE_W, "-x", LECTURE_X, "--expect", "x=[1]")
    assert shape.exit_code == 3 and "shape is (2,), not (1,)" in shape.stdout
