"""The lecture's forward/backward API from Python: gradtrace.check_gate(gate, "mul") and
gradtrace.check_layer(forward, backward, "x @ W + b", ...), with correct and buggy gates and layers
written as students write them. The student's code runs in a process of its own."""

import io
import json
import os

import layer_refs
import numpy as np
import pytest

import gradtrace
from gradtrace.core.ops import OPS

# ---- gates, as the lecture writes them ------------------------------------------------------------


class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dz):
        return self.y * dz, self.x * dz


class ForgotUpstream(MultiplyGate):
    def backward(self, dz):
        return self.y, self.x


class FlippedSign(MultiplyGate):
    def backward(self, dz):
        return -self.y * dz, -self.x * dz


class ReluGate:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * (self.x > 0)


class ReluAtZeroToo(ReluGate):
    def backward(self, dout):
        return dout * (self.x >= 0)  # relu'(0) = 1: the other convention


class ReluInverted(ReluGate):
    def backward(self, dout):
        return dout * (self.x <= 0)


class MaxSplits:
    def forward(self, x, y):
        return np.maximum(x, y)

    def backward(self, dz):
        return dz / 2, dz / 2


class SigmoidGate:
    def forward(self, x):
        self.s = 1 / (1 + np.exp(-x))
        return self.s

    def backward(self, dout):
        return dout * self.s * (1 - self.s)


class MatmulGate:
    def forward(self, a, b):
        self.a, self.b = np.asarray(a), np.asarray(b)
        return self.a @ self.b

    def backward(self, d):
        a, b = self.a, self.b
        if a.ndim == 1 and b.ndim == 1:
            return d * b, d * a
        if b.ndim == 1:
            return np.outer(d, b), a.T @ d
        if a.ndim == 1:
            return b @ d, np.outer(a, d)
        return d @ b.T, a.T @ d


class MatmulTransposed(MatmulGate):
    def backward(self, d):
        da, db = super().backward(d)
        return da, db.T if np.ndim(db) == 2 else db


def test_a_correct_gate_passes_with_no_diagnosis():
    result = gradtrace.check_gate(MultiplyGate(), "mul")
    assert result.passed and bool(result) and result.error is None
    assert [row.name for row in result.rows] == ["f", "x", "y"]
    for row in result.rows:
        assert row.passed and row.diagnosis is None and row.band == "good" and row.points >= 4
    assert result["x"].numerical_band == "good"  # its backward agrees with central differences of its forward


@pytest.mark.parametrize("gate, op, name, words", [
    (ForgotUpstream(), "*", "x", "upstream"),
    (FlippedSign(), "mul", "y", "the sign flipped"),
    (ReluInverted(), "relu", "x", "the mask inverted"),
    (MaxSplits(), "max", "x", "split"),
    (MatmulTransposed(), "@", "y", "transposed"),
])
def test_a_buggy_gate_fails_with_its_mistake_named(gate, op, name, words):
    result = gradtrace.check_gate(gate, op)
    assert not result.passed and result.error is None
    row = result[name]
    assert not row.passed and row.diagnosis is not None and words in row.diagnosis, row.diagnosis
    assert result["f"].passed  # the forward pass is right; only the backward pass is wrong


def test_a_gate_that_differs_only_at_the_kink_passes_with_a_note():
    result = gradtrace.check_gate(ReluAtZeroToo(), "relu")
    assert result.passed
    notes = " ".join(result["x"].notes)
    assert "relu'(0) is taken as 0" in notes and "fine if yours is the other one" in notes
    assert not gradtrace.check_gate(ReluGate(), "relu")["x"].notes  # the record's own convention: nothing to say


def test_gate_parameters_and_constant_gates():
    class Leaky:
        def forward(self, x):
            self.x = x
            return np.where(x > 0, x, 0.2 * x)

        def backward(self, d):
            return d * np.where(self.x > 0, 1.0, 0.2)

    assert gradtrace.check_gate(Leaky(), "leaky_relu", alpha=0.2).passed
    assert not gradtrace.check_gate(Leaky(), "leaky_relu", alpha=0.1).passed

    class Times3:
        def forward(self, x):
            return 3 * x

        def backward(self, d):
            return 3 * d

    result = gradtrace.check_gate(Times3(), "mul_const", c=3)
    assert result.passed and result.expression == "x * (3.0)"
    with pytest.raises(TypeError, match="needs its constant"):
        gradtrace.check_gate(Times3(), "mul_const")


def test_numbers_and_edge_shapes_are_tried():
    result = gradtrace.check_gate(SigmoidGate(), "sigmoid")
    assert result.passed and result["x"].points == 5  # a number, (3,), (2, 3), (1,), (1, 1)


def test_the_gate_runs_in_a_process_of_its_own():
    class WhereAmI:
        def forward(self, x):
            self.pid = os.getpid()
            print("pid", self.pid)
            return x

        def backward(self, d):
            return d

    gate = WhereAmI()
    result = gradtrace.check_gate(gate, "relu")
    assert not hasattr(gate, "pid")  # this process's object was never called
    pids = {line.split()[1] for line in result.printed.splitlines()}
    assert pids and str(os.getpid()) not in pids


class Raises(MultiplyGate):
    def backward(self, dz):
        raise RuntimeError("not written yet")


class Loops(MultiplyGate):
    def forward(self, x, y):
        while True:
            pass


class Exits(MultiplyGate):
    def forward(self, x, y):
        os._exit(7)


class Mutates(MultiplyGate):
    def forward(self, x, y):
        self.x, self.y = np.array(x, dtype=float), y
        out = x * y
        if isinstance(x, np.ndarray):
            x *= 0  # in place: the caller's array changes
        return out


@pytest.mark.parametrize("gate, stage, words", [
    (Raises(), "backward", "RuntimeError: not written yet"),
    (Loops(), "timeout", "did not finish within 0.5 s"),
    (Exits(), "crash", "exit code 7"),
])
def test_code_that_raises_hangs_or_dies_is_reported_not_followed(gate, stage, words):
    result = gradtrace.check_gate(gate, "mul", timeout=0.5)
    assert not result.passed and result.error["stage"] == stage and words in result.error["message"]
    if stage == "backward":
        assert "not written yet" in result.error["traceback"] and "backward" in result.error["traceback"]
    assert "your code failed" in str(result)


def test_an_input_changed_in_place_is_noted():
    result = gradtrace.check_gate(Mutates(), "mul")
    assert any("changed its input x in place" in note for note in result.notes)


def test_bad_calls_are_refused_with_a_message():
    with pytest.raises(ValueError, match="no op 'mull'"):
        gradtrace.check_gate(MultiplyGate(), "mull")
    with pytest.raises(TypeError, match="forward"):
        gradtrace.check_gate(object(), "mul")
    with pytest.raises(TypeError, match="no parameter"):
        gradtrace.check_gate(MultiplyGate(), "mul", alpha=2)


# ---- layers, as the course writes them --------------------------------------------------------------


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, _b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    db = np.sum(dout, axis=0)
    return dx, dw, db


def affine_backward_buggy(dout, cache):
    """db summed over the wrong axis, dw transposed."""
    x, w, _b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = (x.reshape(x.shape[0], -1).T @ dout).T
    db = np.sum(dout, axis=1)
    return dx, dw, db


def affine_backward_no_dout(dout, cache):
    x, w, _b = cache
    ones = np.ones_like(dout)
    return (ones @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ ones, ones.sum(axis=0)


RNG = np.random.default_rng(231)
X, W, B = RNG.standard_normal((4, 5)), RNG.standard_normal((5, 3)), RNG.standard_normal(3)


def test_a_correct_numpy_affine_layer_passes():
    result = gradtrace.check_layer(affine_forward, affine_backward, "x @ W + b", x=X, W=W, b=B)
    assert result.passed, str(result)
    assert [row.name for row in result.inputs] == ["x", "W", "b"]
    assert all(row.band == "good" and row.numerical_band == "good" for row in result.inputs)
    assert "numpy.random.default_rng(0).standard_normal((4, 3))" in result.upstream
    # the upstream is random because ones would hide a missing dout: said in the notes
    assert any("would pass unseen" in note for note in result.notes)


def test_a_buggy_numpy_affine_layer_fails_with_each_mistake_named():
    result = gradtrace.check_layer(affine_forward, affine_backward_buggy, "x @ W + b", x=X, W=W, b=B)
    assert not result.passed
    assert result["x"].passed
    assert "transposed" in result["W"].diagnosis
    assert "summed over the wrong axis" in result["b"].diagnosis and result["b"].mismatch == "shape (4,), not (3,)"


def test_a_layer_that_ignores_dout_is_caught_by_the_random_upstream_and_passed_by_ones():
    random = gradtrace.check_layer(affine_forward, affine_backward_no_dout, "x @ W + b", x=X, W=W, b=B)
    assert not random.passed and "upstream of ones used instead" in random["W"].diagnosis
    ones = gradtrace.check_layer(affine_forward, affine_backward_no_dout, "x @ W + b", x=X, W=W, b=B, dout="ones")
    assert ones.passed  # the trap: and the warning says so
    assert any("a check with ones would pass them" in note for note in ones["W"].notes)
    mine = gradtrace.check_layer(affine_forward, affine_backward, "x @ W + b", x=X, W=W, b=B,
                                 dout=RNG.standard_normal((4, 3)))
    assert mine.passed and "the array given" in mine.upstream


@pytest.mark.skipif("affine" not in OPS, reason="the affine op is another branch's")
def test_the_courses_affine_expression():
    x = RNG.standard_normal((2, 3, 2))
    result = gradtrace.check_layer(affine_forward, affine_backward, "affine(x, W, b)", x=x,
                                   W=RNG.standard_normal((6, 4)), b=RNG.standard_normal(4))
    assert result.passed, str(result)


def test_a_float32_layer_is_graded_at_float32s_precision():
    def forward32(x, w, b):
        out, cache = affine_forward(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32))
        return out, cache

    def backward32(dout, cache):
        return affine_backward(dout.astype(np.float32), cache)

    assert gradtrace.check_layer(forward32, backward32, "x @ W + b", x=X, W=W, b=B).passed


def test_batchnorm_from_ones_hides_a_missing_variance_path(monkeypatch):
    layer_refs.ops_for_test(monkeypatch, "batchnorm")

    def forward(x, gamma, beta):
        xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
        return gamma * xhat + beta, (x, gamma, xhat)

    def backward(dout, cache):
        x, gamma, xhat = cache
        return layer_refs.norm_backward(dout, x, gamma, leave_out=("variance",)), (dout * xhat).sum(0), dout.sum(0)

    x, gamma, beta = RNG.standard_normal((6, 4)) * 3 + 1, RNG.standard_normal(4), RNG.standard_normal(4)
    caught = gradtrace.check_layer(forward, backward, "batchnorm(x, gamma, beta)", x=x, gamma=gamma, beta=beta)
    assert not caught.passed and "without the variance's path" in caught["x"].diagnosis
    hidden = gradtrace.check_layer(forward, backward, "batchnorm(x, gamma, beta)", x=x, gamma=gamma, beta=beta,
                                   dout="ones")
    assert hidden.passed and any("without the variance's path" in note for note in hidden["x"].notes)


def test_layer_calls_that_cannot_work_are_refused():
    with pytest.raises(ValueError, match="give a value for b"):
        gradtrace.check_layer(affine_forward, affine_backward, "x @ W + b", x=X, W=W)
    with pytest.raises(ValueError, match="V is not an input"):
        gradtrace.check_layer(affine_forward, affine_backward, "x @ W + b", x=X, W=W, b=B, V=B)
    result = gradtrace.check_layer(lambda x, w, b: x @ w + b, affine_backward, "x @ W + b", x=X, W=W, b=B)
    assert result.error["stage"] == "forward" and "not (out, cache)" in result.error["message"]
    result = gradtrace.check_layer(affine_forward, lambda dout, cache: (dout,), "x @ W + b", x=X, W=W, b=B)
    assert "backward returned 1 gradients" in result.error["message"]


# ---- what it shows ------------------------------------------------------------------------------


def test_the_result_is_json_by_the_shipped_schema():
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("gradtrace").joinpath("schema/trace.schema.json").read_text())
    validator = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/student_check"})
    for result in (gradtrace.check_layer(affine_forward, affine_backward_buggy, "x @ W + b", x=X, W=W, b=B),
                   gradtrace.check_gate(ReluAtZeroToo(), "relu"), gradtrace.check_gate(Raises(), "mul")):
        validator.validate(json.loads(json.dumps(result.to_dict())))


def test_the_result_shows_itself_as_a_table():
    from rich.console import Console

    result = gradtrace.check_layer(affine_forward, affine_backward_buggy, "x @ W + b", x=X, W=W, b=B)
    text = str(result)
    assert text.startswith("✗ check_layer affine_forward, affine_backward_buggy: failed")
    assert "summed over the" in text and "relative error" in text and "shape (4,), not (3,)" in text
    html = result._repr_html_()
    assert html.startswith("<!DOCTYPE html>") or "<pre" in html
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(result)
    assert "check_layer" in console.file.getvalue()
    assert repr(result) == "<StudentCheck layer affine_forward, affine_backward_buggy: failed>"


def test_the_result_in_korean():
    result = gradtrace.check_gate(ForgotUpstream(), "mul", lang="ko")
    text = str(result)
    assert "실패" in text and "상대 오차" in text and "진단" in text


@pytest.mark.skipif("maxpool2d" not in OPS, reason="maxpool2d is another branch's")
def test_a_pooling_gate_that_averages():
    class AveragingPool:
        def forward(self, x):
            n, c, h, w = x.shape
            return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))

        def backward(self, dout):
            return np.repeat(np.repeat(dout, 2, axis=2), 2, axis=3) / 4

    result = gradtrace.check_gate(AveragingPool(), "maxpool2d")
    assert not result.passed and result["f"].passed and "split" in result["x"].diagnosis


@pytest.mark.skipif("batchnorm" not in OPS, reason="batchnorm is another branch's")
def test_a_batchnorm_gate_without_the_means_path():
    class BatchNorm:
        def forward(self, x, gamma, beta):
            self.x, self.gamma = x, gamma
            self.xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)
            return gamma * self.xhat + beta

        def backward(self, dout):
            dx = layer_refs.norm_backward(dout, self.x, self.gamma, leave_out=self.leave_out)
            return dx, (dout * self.xhat).sum(axis=0), dout.sum(axis=0)

    right, wrong = BatchNorm(), BatchNorm()
    right.leave_out, wrong.leave_out = (), ("mean",)
    assert gradtrace.check_gate(right, "batchnorm").passed
    result = gradtrace.check_gate(wrong, "batchnorm")
    assert [row.name for row in result.inputs] == ["x", "gamma", "beta"]  # the record's own names
    assert not result["x"].passed and "without the mean's path" in result["x"].diagnosis
    assert result["gamma"].passed and result["beta"].passed
