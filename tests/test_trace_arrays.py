"""gradtrace.trace(f, W=..., x=...) with arrays: a Python function of numpy arrays traces into the
graph its text spelling makes.

A table of programs, each written as text and as Python (operators, methods, numpy's functions and
gradtrace's), gives the same nodes, values, gradients and broadcast sums both ways, and the
gradients PyTorch float64 gives; bindings of any array-like are float64 copies; numpy functions
with no gate, shapes that don't fit and the function's own errors say so."""

import io
import json
import math
import subprocess
import sys
import traceback
from pathlib import Path

import numpy as np
import pytest
from needs import module
from rich.console import Console

import gradtrace
from gradtrace.render import Options, render

RNG = np.random.default_rng(34)


def _normal(*shape):
    return RNG.standard_normal(shape)


def _net(W1, W2, x):
    return (W2 @ gradtrace.relu(W1 @ x)).sum()


def _bias(x, W, b):
    return ((x @ W + b) ** 2).sum()


def _transposes(A, B):
    return -(A.T @ B * 2).sum() + (B.T / 4).mean()


def _axes(X):
    return (X.sum(axis=0) * np.mean(X, axis=0)).sum() + np.sum(X.sum(axis=1) / 3)


def _indexing(X, v):
    return (X[0] * v).sum() + X[:, 1].sum() + X[1:3, ::2].sum() + X[-1, -1]


def _numpy(x, W):
    return np.sum(np.maximum(np.matmul(x, W), 0)) + np.mean(np.tanh(2 * x - 1) ** 2) + np.dot(x[0], x[1])


def _ufuncs(x):
    return np.add(x, 1).sum() + np.negative(x).sum() + np.square(x).sum() + np.abs(x).mean() + np.exp(x / 2).sum()


def _softmax(x, W):
    return -gradtrace.log(gradtrace.softmax(x @ W))[:, 1].mean()


def _affine_loss(x, W, b, y):
    return gradtrace.cross_entropy(gradtrace.affine(x, W, b), y)


def _batchnorm(x, gamma, beta, w):
    return (gradtrace.batchnorm(x, gamma, beta, eps=0.001) * w).sum()


def _conv(x, w, b, W2, b2, y):
    pooled = gradtrace.maxpool2d(gradtrace.relu(gradtrace.conv2d(x, w, b, stride=1, pad=1)), size=2, stride=2)
    return gradtrace.svm_loss(gradtrace.affine(pooled, W2, b2), y)


def _torch_batchnorm(t, x, gamma, beta, w):
    return (t.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=0.001) * w).sum()


def _torch_conv(t, x, w, b, W2, b2, y):
    F = t.nn.functional
    pooled = F.max_pool2d(t.relu(F.conv2d(x, w, b, stride=1, padding=1)), 2, 2)
    scores = pooled.reshape(pooled.shape[0], -1) @ W2 + b2
    return scores.shape[1] * F.multi_margin_loss(scores, y.long())


LABELS = {"y"}  # class labels: no gradient, and an integer tensor for PyTorch

PROGRAMS = [  # (id, text, the same program in Python, in PyTorch, bindings)
    ("two-layer net", "f(W1, W2, x) = sum(W2 @ relu(W1 @ x))", _net,
     lambda t, W1, W2, x: (W2 @ t.relu(W1 @ x)).sum(),
     {"W1": _normal(4, 3), "W2": _normal(2, 4), "x": _normal(3)}),
    ("broadcast bias", "f(x, W, b) = sum((x @ W + b)**2)", _bias,
     lambda t, x, W, b: ((x @ W + b) ** 2).sum(),
     {"x": _normal(5, 3), "W": _normal(3, 2), "b": _normal(2)}),
    ("transposes", "f(A, B) = -sum(A.T @ B * 2) + mean(B.T / 4)", _transposes,
     lambda t, A, B: -(A.T @ B * 2).sum() + (B.T / 4).mean(),
     {"A": _normal(3, 2), "B": _normal(3, 4)}),
    ("sums over axes", "f(X) = sum(sum(X, axis=0) * mean(X, axis=0)) + sum(sum(X, axis=1) / 3)", _axes,
     lambda t, X: (X.sum(dim=0) * X.mean(dim=0)).sum() + (X.sum(dim=1) / 3).sum(),
     {"X": _normal(4, 3)}),
    ("indexing", "f(X, v) = sum(X[0] * v) + sum(X[:, 1]) + sum(X[1:3, ::2]) + X[-1, -1]", _indexing,
     lambda t, X, v: (X[0] * v).sum() + X[:, 1].sum() + X[1:3, ::2].sum() + X[-1, -1],
     {"X": _normal(4, 3), "v": _normal(3)}),
    ("numpy's functions", "f(x, W) = sum(max(x @ W, 0)) + mean(tanh(2*x - 1)**2) + dot(x[0], x[1])", _numpy,
     lambda t, x, W: t.relu(x @ W).sum() + (t.tanh(2 * x - 1) ** 2).mean() + t.dot(x[0], x[1]),
     {"x": _normal(3, 4), "W": _normal(4, 2)}),
    ("numpy's ufuncs", "f(x) = sum(x + 1) + sum(-x) + sum(square(x)) + mean(abs(x)) + sum(exp(x/2))", _ufuncs,
     lambda t, x: (x + 1).sum() + (-x).sum() + t.square(x).sum() + t.abs(x).mean() + t.exp(x / 2).sum(),
     {"x": _normal(2, 3)}),
    ("softmax", "f(x, W) = -mean(log(softmax(x @ W))[:, 1])", _softmax,
     lambda t, x, W: -t.log(t.softmax(x @ W, dim=-1))[:, 1].mean(),
     {"x": _normal(4, 3), "W": _normal(3, 3)}),
    ("affine and cross-entropy", "f(x, W, b, y) = cross_entropy(affine(x, W, b), y)", _affine_loss,
     lambda t, x, W, b, y: t.nn.functional.cross_entropy(x.reshape(x.shape[0], -1) @ W + b, y.long()),
     {"x": _normal(4, 2, 3), "W": _normal(6, 3), "b": _normal(3), "y": np.array([0, 2, 1, 2])}),
    ("batchnorm", "f(x, gamma, beta, w) = sum(batchnorm(x, gamma, beta, eps=0.001) * w)", _batchnorm,
     _torch_batchnorm,
     {"x": _normal(5, 3), "gamma": _normal(3), "beta": _normal(3), "w": _normal(5, 3)}),
    ("conv, relu, pool, affine",
     "f(x, w, b, W2, b2, y) = svm_loss(affine(maxpool2d(relu(conv2d(x, w, b, stride=1, pad=1)), size=2, stride=2), "
     "W2, b2), y)", _conv, _torch_conv,
     {"x": _normal(2, 1, 4, 4), "w": _normal(2, 1, 3, 3), "b": _normal(2), "W2": _normal(8, 3), "b2": _normal(3),
      "y": np.array([2, 0])}),
]
IDS = [p[0] for p in PROGRAMS]


def _ops(t):
    return [(r.name, r.op, r.inputs) for r in t.nodes]


def _sums(t):
    """Every gradient summed back to its input's shape (broadcasting's step), by node and input."""
    return [(r.name, slot, None if r.summed(slot) is None else (r.summed(slot).before, r.summed(slot).after),
             r.shape_step(slot)) for r in t.nodes for slot in range(len(r.inputs))]


@pytest.mark.parametrize(("text", "function", "bindings"), [(p[1], p[2], p[4]) for p in PROGRAMS], ids=IDS)
def test_the_python_and_text_spellings_of_an_array_program_make_the_same_graph(text, function, bindings):
    text = function.__name__ + text[1:]  # the function's name names the output: the header's, here
    ours, theirs = gradtrace.trace(function, **bindings), gradtrace.trace(text, **bindings)
    assert _ops(ours) == _ops(theirs)
    assert ours.output == theirs.output == function.__name__
    assert _sums(ours) == _sums(theirs)
    for r in theirs.nodes:
        assert np.array_equal(ours.node(r.name).value, r.value), r.name
        assert np.array_equal(ours.node(r.name).upstream, r.upstream), r.name
    for name, gradient in theirs.gradients.items():
        if name not in LABELS:
            assert np.array_equal(ours.gradients[name], gradient), name


def test_the_broadcast_bias_is_summed_back_over_the_batch():
    t = gradtrace.trace(_bias, **PROGRAMS[1][4])
    add = next(r for r in t.nodes if r.op == "add")
    assert add.summed(0) is None and (add.summed(1).before, add.summed(1).after) == ((5, 2), (2,))


@pytest.mark.parametrize(("function", "torch_function", "bindings"), [p[2:] for p in PROGRAMS], ids=IDS)
def test_array_programs_have_pytorchs_float64_gradients(function, torch_function, bindings):
    torch = module("torch", "pip install torch==2.13.0")
    t = gradtrace.trace(function, **bindings)
    leaves = {name: torch.tensor(value, dtype=torch.float64, requires_grad=name not in LABELS)
              for name, value in bindings.items()}
    out = torch_function(torch, **leaves)
    out.backward()
    assert float(t.value) == pytest.approx(out.item(), rel=1e-12, abs=1e-12)
    for name, leaf in leaves.items():
        if name not in LABELS:
            assert t.gradients[name] == pytest.approx(leaf.grad.numpy(), rel=1e-9, abs=1e-12), name


# ---- numbers, constants and arrays in one expression -------------------------------------------------

def test_numbers_and_plain_arrays_mix_with_traced_arrays_both_ways():
    x = _normal(2, 3)
    t = gradtrace.trace(lambda x: (2 * x + x * 2 - 1 + 1 / (x * x + 1) + 2 ** x + x ** 2 / 4 + (-x)).sum(), x=x)
    text = gradtrace.trace("f(x) = sum(2*x + x*2 - 1 + 1/(x*x + 1) + 2**x + x**2/4 + -x)", x=x)
    assert _ops(t) == _ops(text) and np.array_equal(t.gradients["x"], text.gradients["x"])
    ones = np.ones(3)

    def f(x):
        return (ones + x).sum() + np.sum(x @ ones) + (np.float32(3) * x).mean()
    t = gradtrace.trace(f, x=x)  # a plain array is an input of its own, named as the parser names them
    assert t.graph.text == "f = sum(v1 + x) + sum(x@v2) + mean(3.0*x)"
    assert t.bindings["v1"].tolist() == [1.0, 1.0, 1.0] and t.gradients["v1"].tolist() == [2.0, 2.0, 2.0]
    assert t.gradients["x"] == pytest.approx(np.full((2, 3), 2.5))


def test_labels_name_intermediate_arrays_and_a_scalar_binding_is_a_zero_d_array():
    def layer(x, W, s):
        h = x @ W
        h.label = "h"
        return (h * s).sum()
    t = gradtrace.trace(layer, x=_normal(2, 3), W=_normal(3, 2), s=2)
    assert t.graph.text == "h = x@W; layer = sum(h*s)"
    assert t.gradients["s"] == pytest.approx(float(np.sum(t.node("h").value)))


# ---- bindings: float64 copies of any array-like ---------------------------------------------------------

def test_lists_tuples_integers_and_float32_become_float64_copies():
    given = np.array([[1.5, -2.0], [0.25, 3.0]], dtype=np.float32)
    seen = []

    def f(W, x, c):
        seen.append((W.data, x.data))
        return (W @ x * c).sum()
    t = gradtrace.trace(f, W=given, x=[1, (2)], c=np.float32(0.5))
    W_data, x_data = seen[0]
    assert W_data.dtype == x_data.dtype == t.bindings["W"].dtype == t.bindings["x"].dtype == np.float64
    assert not np.shares_memory(W_data, given) and not np.shares_memory(t.bindings["W"], given)
    before = (t.value, t.gradients["W"].copy())
    given[:] = 100.0
    assert (t.value, t.gradients["W"].tolist()) == (before[0], before[1].tolist())
    assert t.bindings["W"].tolist() == [[1.5, -2.0], [0.25, 3.0]]
    assert gradtrace.trace(lambda x: x.sum(), x=((1, 2), (3, 4))).gradients["x"].shape == (2, 2)


def test_torch_tensors_with_requires_grad_are_read_not_aliased_and_left_alone():
    torch = module("torch", "pip install torch==2.13.0")
    W = torch.tensor([[1.0, 2.0], [3.0, -4.0]], dtype=torch.float32, requires_grad=True)
    x = torch.tensor([1, -1])
    t = gradtrace.trace(lambda W, x: gradtrace.relu(W @ x).sum(), W=W, x=x)
    assert t.value == 7.0  # relu([1 - 2, 3 + 4])
    assert t.bindings["W"].dtype == np.float64 and t.gradients["W"].tolist() == [[0.0, 0.0], [1.0, -1.0]]
    assert W.grad is None and W.requires_grad  # the tensor's own autograd is untouched
    with torch.no_grad():
        W.mul_(10)
    assert t.bindings["W"].tolist() == [[1.0, 2.0], [3.0, -4.0]] and t.value == 7.0


def test_tracing_arrays_imports_no_torch_unless_a_tensor_is_given():
    code = ("import sys, numpy, gradtrace; "
            "t = gradtrace.trace(lambda W, x: gradtrace.relu(W @ x).sum(), W=[[1, 2]], x=numpy.ones(2)); "
            "assert t.value == 3.0; print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent)
    assert out.stdout.strip() == "[]", out.stderr


# ---- what can't be traced, and errors ---------------------------------------------------------------------

@pytest.mark.parametrize(("function", "named"), [
    (lambda x: np.cumsum(x).sum(), "numpy.cumsum has no gate"),
    (lambda x: np.arcsinh(x).sum(), "numpy.arcsinh has no gate"),
    (lambda x: np.heaviside(x, 0.5).sum(), r"use gradtrace\.heaviside\(x\) instead"),
    (lambda x: np.clip(x, 0, 1).sum(), r"use gradtrace\.clip\(x\) instead"),
    (lambda x: np.max(x), "numpy.max has no gate"),
    (lambda x: np.exp(x, out=x).sum(), "takes its inputs alone, not out"),
    (lambda x: x.sum(keepdims=True), "axis alone, not keepdims"),
    (lambda x: x[np.array([0, 1])].sum(), "integers and slices"),
    (lambda x: float(x), "can't become a float"),
    (lambda x: np.asarray(x).sum(), "can't become a plain numpy array"),
    (lambda x: np.where(x > 0, x, 0).sum(), r"a comparison \(>\) of a traced array.*np\.maximum\(x, 0\)"),
    (lambda x: ((x >= 0) * x).sum(), r"a comparison \(>=\) of a traced array"),
    (lambda x: x.sum() if x < 1 else x.mean(), r"a comparison \(<\) of a traced array"),
    (lambda x: (x <= 2.0).sum(), r"a comparison \(<=\) of a traced array"),
])
def test_a_numpy_function_with_no_gate_is_a_type_error_naming_what_to_use(function, named):
    with pytest.raises(TypeError, match=named):
        gradtrace.trace(function, x=_normal(2, 3))


def test_math_functions_in_the_functions_own_code_work_on_arrays():
    x = _normal(3)
    t = gradtrace.trace(lambda x: math.exp(x).sum(), x=x)
    assert t.graph.text == "sum(exp(x))" and t.gradients["x"] == pytest.approx(np.exp(x))


@pytest.mark.parametrize(("function", "text", "message"), [
    (lambda W, x: (W @ x).sum(), "sum(W @ x)", r"= W @ x: the shapes don't fit: W \(3, 2\) and x \(3,\)"),
    (lambda W, x: (W + x).sum(), "sum(W + x)", r"= W \+ x: the shapes don't fit: W \(3, 2\) and x \(3,\) "
                                               r"\(operands could not be broadcast"),
    (lambda W, x: gradtrace.affine(W, x, x).sum(), "sum(affine(W, x, x))", "affine needs x of shape"),
    (lambda W, x: x[5].sum(), "f(W, x) = sum(x[5])", r"\[5\] needs an index from -3 to 2 on axis 0"),
])
def test_shapes_that_dont_fit_get_the_text_forms_message(function, text, message):
    W, x = np.ones((3, 2)), np.ones(3)
    with pytest.raises(ValueError, match=message) as ours:
        gradtrace.trace(function, W=W, x=x)
    with pytest.raises(ValueError, match=message) as theirs:
        gradtrace.trace(text, W=W, x=x)
    assert str(ours.value).split(":", 1)[1] == str(theirs.value).split(":", 1)[1]  # all but the node's name


def test_a_plain_array_that_does_not_fit_is_named_as_the_input_it_is():
    with pytest.raises(ValueError, match=r"f = x @ v1: the shapes don't fit: x \(2, 3\) and v1 \(5, 2\)"):
        gradtrace.trace(lambda x: (x @ np.ones((5, 2))).sum(), x=_normal(2, 3))


def test_a_value_outside_its_domain_gets_the_text_forms_message():
    with pytest.raises(gradtrace.EvaluationError, match=r"log needs a positive input, but t1\[1\] = 0"):
        gradtrace.trace(lambda x: gradtrace.log(x - 1).sum(), x=[2.0, 1.0])


def test_the_functions_own_errors_are_its_own():
    def f(x):
        raise KeyError("mine")
    with pytest.raises(KeyError, match="mine") as raised:
        gradtrace.trace(f, x=[1.0, 2.0])
    assert traceback.extract_tb(raised.tb)[-1].name == "f"

    def g(x):
        return x.sum() / {"a": 1}["b"]
    with pytest.raises(KeyError, match="b"):
        gradtrace.trace(g, x=[1.0, 2.0])
    with pytest.raises(TypeError, match="returned a ndarray, not a traced array"):
        gradtrace.trace(lambda x: x.data.sum() * np.ones(2), x=[1.0, 2.0])


def test_gradtraces_array_functions_on_plain_arrays_give_numbers():
    out = gradtrace.relu(np.array([-1.0, 2.0]))
    assert isinstance(out, np.ndarray) and out.tolist() == [0.0, 2.0]
    assert gradtrace.sum(np.ones((2, 3)), axis=0).tolist() == [2.0, 2.0, 2.0]
    assert gradtrace.relu(-2.0) == 0.0  # numbers stay numbers


# ---- renderers ---------------------------------------------------------------------------------------------

def test_an_array_trace_renders_as_json_and_explains_itself_as_the_texts():
    text, function, bindings = "_bias" + PROGRAMS[1][1][1:], PROGRAMS[1][2], PROGRAMS[1][4]

    def rendered(t, name, explain):
        out = io.StringIO()
        render(t, name, Options(out.write, console=Console(file=out, width=120, color_system=None), explain=explain))
        return out.getvalue()
    ours, theirs = gradtrace.trace(function, **bindings), gradtrace.trace(text, **bindings)
    ours_json, their_json = json.loads(rendered(ours, "json", None)), json.loads(rendered(theirs, "json", None))
    assert ours_json["nodes"] == their_json["nodes"]
    explained = rendered(ours, "table", "backward")
    assert "b was broadcast from (2,) to (5, 2), so its gradient is summed back: sum over axis 0" in explained
    assert explained.splitlines()[1:] == rendered(theirs, "table", "backward").splitlines()[1:]


def test_a_mask_from_the_data_keeps_the_array_on_the_graph_as_the_comparisons_message_says():
    x = _normal(2, 3)
    t = gradtrace.trace(lambda x: (x * (x.data > 0)).sum(), x=x)
    np.testing.assert_array_equal(t.gradients["x"], (x > 0).astype(float))


@pytest.mark.parametrize("method", ["item", "astype", "max", "tolist"])
def test_an_ndarray_method_with_no_gate_says_which_methods_a_traced_array_has(method):
    with pytest.raises(AttributeError, match=rf"a traced array has no \.{method}: its methods with a gate are "
                                             r"\.sum\(\), \.mean\(\).*\.data is the numbers alone"):
        gradtrace.trace(lambda x: getattr(x, method)(), x=_normal(3))
    assert not hasattr(gradtrace.arrays.Array(_normal(3)), "__array_interface__")  # numpy's probes stay plain
