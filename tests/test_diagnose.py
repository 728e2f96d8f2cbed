"""Checking a hand-written gradient (issue 33): a wrong array answer's report says CS231n's relative
error and its band, the worst element, and the one typical mistake that reproduces the answer.

The catalogue is tested the way a student meets it: a correct reference backward pass, written in
numpy as the course writes it, has one typical mistake planted, and the report must name that
mistake; the same pass without the mistake, in float64 and in float32, passes with no report; a
random array gets "no known mistake fits"."""

import json

import layer_refs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradtrace
from gradtrace.modes import diagnose
from gradtrace.modes.answers import Expected, _grade_array

RNG = np.random.default_rng(33)


def _report(program, name, answer, **bindings):
    trace = gradtrace.trace(program, expect={name: answer}, **bindings)
    (graded,) = trace.answers
    return graded


def _diagnosed(program, name, answer, **bindings):
    graded = _report(program, name, answer, **bindings)
    assert not graded.correct, (program, name)
    assert graded.report is not None and graded.report.diagnosis is not None
    return graded.report.diagnosis


def _affine():
    x, W, b = RNG.standard_normal((4, 5)), RNG.standard_normal((5, 3)), RNG.standard_normal(3)
    return "relu(x @ W + b)", {"x": x, "W": W, "b": b, "upstream": RNG.standard_normal((4, 3))}


AFFINE = _affine()


def _affine_answer(name, mistake):
    _program, b = AFFINE
    return layer_refs.affine_relu(b["x"], b["W"], b["b"], b["upstream"], mistake)[name]


@pytest.mark.parametrize("name, mistake, key", [
    ("W", "transposed", "transposed"),
    ("W", "sign", "sign"),
    ("W", "extra_n", "one_over_n"),
    ("W", "factor", "factor"),
    ("b", "not_summed", "not_summed"),
    ("b", "wrong_axis", "wrong_axis"),
    ("b", "keepdims", "kept_axis"),
    ("W", "inverted_mask", "router_wrong"),
    ("W", "ones", "ones_upstream"),
])
def test_a_mistake_planted_in_affine_relu_backward_is_named(name, mistake, key):
    program, bindings = AFFINE
    diagnosis = _diagnosed(program, name, _affine_answer(name, mistake), **bindings)
    assert diagnosis.mistake.key == key, diagnosis.text


def test_the_named_factor_and_count_are_the_planted_ones():
    program, bindings = AFFINE
    factor = _diagnosed(program, "W", _affine_answer("W", "factor"), **bindings)
    assert factor.mistake.params == {"factor": 2.5} and "5/2 × the true one" in factor.text
    extra = _diagnosed(program, "W", _affine_answer("W", "extra_n"), **bindings)
    assert extra.mistake.params == {"N": 4, "missing": False} and "the length of axis 0 of x" in extra.text
    axis = _diagnosed(program, "b", _affine_answer("b", "wrong_axis"), **bindings)
    assert axis.mistake.params == {"axes": [1], "keepdims": False} and axis.mistake.at is not None


def test_ones_for_the_upstream_and_the_local_gradient_alone_are_one_array_at_the_output_gate():
    """relu is the output gate: with its upstream replaced by ones it sends what it sends from an
    upstream of ones, so both mistakes are named, the simpler first."""
    program, bindings = AFFINE
    diagnosis = _diagnosed(program, "W", _affine_answer("W", "local_relu"), **bindings)
    assert diagnosis.mistake.key == "ones_upstream"
    assert [m.key for m in diagnosis.same] == ["local_only"] and "no answer can tell it from" in diagnosis.text


def test_the_local_gradient_alone_inside_a_network():
    x, W, U = RNG.standard_normal((6, 4)), RNG.standard_normal((4, 3)), RNG.standard_normal((6, 3))
    bad = layer_refs.sigmoid_layer(x, W, U, "local_sigmoid")["W"]
    diagnosis = _diagnosed("sum(sigmoid(x @ W) * U)", "W", bad, x=x, W=W, U=U)
    assert diagnosis.mistake.key == "local_only" and diagnosis.mistake.at == "t2" and not diagnosis.same
    assert "sigmoid" in diagnosis.text


@pytest.mark.parametrize("mistake, key", [("missing_n", "one_over_n"), ("sign", "sign")])
def test_softmax_cross_entropy(mistake, key):
    x, W = RNG.standard_normal((5, 4)), RNG.standard_normal((4, 3))
    y = np.array([0, 2, 1, 1, 0.0])
    diagnosis = _diagnosed("cross_entropy(x @ W, y)", "W", layer_refs.softmax_ce(x, W, y, mistake)["W"], x=x, W=W, y=y)
    assert diagnosis.mistake.key == key
    if key == "one_over_n":
        assert diagnosis.mistake.params == {"N": 5, "missing": True}


@pytest.mark.parametrize("name, mistake, key, how", [
    ("x", "losers", "router_wrong", {"to": "losers"}),
    ("x", "split", "router_split", {"how": "split"}),
    ("y", "copied", "router_split", {"how": "copied"}),
])
def test_a_max_gates_gradient_sent_to_the_wrong_element_or_split(name, mistake, key, how):
    x, y, U = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    diagnosis = _diagnosed("sum(max(x, y) * U)", name, layer_refs.max_layer(x, y, U, mistake)[name], x=x, y=y, U=U)
    assert diagnosis.mistake.key == key and diagnosis.mistake.params == how


@pytest.mark.parametrize("mistake, how", [("split", {"how": "split"}), ("first", {"to": "first"}),
                                          ("copied", {"how": "copied"})])
def test_a_pooling_routers_windows_are_found_from_its_own_forward_rule(monkeypatch, mistake, how):
    """An op the catalogue has never heard of (a max over pairs): its windows are found by probing."""
    layer_refs.ops_for_test(monkeypatch, "pairmax")
    x, U = RNG.standard_normal((3, 8)), RNG.standard_normal((3, 4))
    assert not np.any(x[..., 0::2] == x[..., 1::2])
    right = layer_refs.pairmax_layer(x, U)["x"]
    assert _report("sum(pairmax(x) * U)", "x", right, x=x, U=U).correct
    diagnosis = _diagnosed("sum(pairmax(x) * U)", "x", layer_refs.pairmax_layer(x, U, mistake)["x"], x=x, U=U)
    assert diagnosis.mistake.params == how, diagnosis.text


def test_a_forks_gradients_not_added():
    x, U = RNG.standard_normal(6), RNG.standard_normal(6)
    diagnosis = _diagnosed("sum(x * sigmoid(x) * U)", "x", layer_refs.swish_fork(x, U, "one_branch")["x"], x=x, U=U)
    assert diagnosis.mistake.key == "fork" and diagnosis.mistake.at == "x"


def test_a_regularized_weight_is_a_fork_too():
    """W feeds the data loss and 0.5·sum(W * W): the loss's gradient alone, or the penalty's alone."""
    x, W, y = RNG.standard_normal((5, 4)), RNG.standard_normal((4, 3)), np.array([2, 0, 1, 1, 2.0])
    program = "cross_entropy(x @ W, y) + 0.5 * sum(W * W)"
    data = layer_refs.softmax_ce(x, W, y)["W"]
    names = {node.expr: node.name for node in gradtrace.trace(program, x=x, W=W, y=y).nodes}
    for answer, kept in ((data, names["x @ W"]), (W, names["W * W"])):
        diagnosis = _diagnosed(program, "W", answer, x=x, W=W, y=y)
        assert diagnosis.mistake.key == "fork" and diagnosis.mistake.params["kept"] == kept, diagnosis.text
    half = _diagnosed(program, "W", data + 0.5 * W, x=x, W=W, y=y)  # W * W differentiated as W, not 2W
    assert half.mistake.key == "fork" and half.mistake.params == {"left_out": names["W * W"], "slot": 0}, half.text


def test_a_square_matrix_transposed_in_the_local_gradient():
    W, v, U = RNG.standard_normal((4, 4)), RNG.standard_normal(4), RNG.standard_normal(4)
    bad = layer_refs.square_tanh(W, v, U, "W_not_transposed")["v"]
    diagnosis = _diagnosed("sum(tanh(W @ v) * U)", "v", bad, W=W, v=v, U=U)
    assert diagnosis.mistake.key == "other_transposed" and diagnosis.mistake.params == {"transposed": "W"}


# ---- batchnorm: the mean's and the variance's paths, against the course's staged backward pass -----

def _bn_point():
    x = RNG.standard_normal((6, 4)) * 2 + 1
    return x, RNG.standard_normal(4), RNG.standard_normal(4), RNG.standard_normal((6, 4))


@pytest.mark.parametrize("leave_out, key", [(("mean",), "normalization_no_mean"),
                                            (("variance",), "normalization_no_variance"),
                                            (("mean", "variance"), "normalization_no_statistics")])
def test_batchnorm_without_a_path(monkeypatch, leave_out, key):
    layer_refs.ops_for_test(monkeypatch, "batchnorm")
    x, gamma, beta, dout = _bn_point()
    right = layer_refs.norm_backward(dout, x, gamma)
    trace = gradtrace.trace("batchnorm(x, gamma, beta)", x=x, gamma=gamma, beta=beta, upstream=dout)
    assert np.allclose(trace.gradients["x"], right, rtol=1e-12, atol=1e-12)  # the reference is right
    bad = layer_refs.norm_backward(dout, x, gamma, leave_out=leave_out)
    diagnosis = _diagnosed("batchnorm(x, gamma, beta)", "x", bad, x=x, gamma=gamma, beta=beta, upstream=dout)
    assert diagnosis.mistake.key == key and diagnosis.mistake.params == {"axes": [0]}


def test_a_batchnorm_mistake_is_found_through_the_layers_before_it(monkeypatch):
    """The variance's path left out inside x @ W → batchnorm → relu: the mistake reaches dW."""
    layer_refs.ops_for_test(monkeypatch, "batchnorm")
    x, W = RNG.standard_normal((6, 5)), RNG.standard_normal((5, 4))
    gamma, beta, U = RNG.standard_normal(4), RNG.standard_normal(4), RNG.standard_normal((6, 4))
    a = x @ W
    centred = a - a.mean(axis=0)
    out = gamma * centred / np.sqrt((centred ** 2).mean(axis=0) + 1e-5) + beta
    bad = x.T @ layer_refs.norm_backward(U * (out > 0), a, gamma, leave_out=("variance",))
    diagnosis = _diagnosed("sum(relu(batchnorm(x @ W, gamma, beta)) * U)", "W", bad, x=x, W=W, gamma=gamma,
                           beta=beta, U=U)
    assert diagnosis.mistake.key == "normalization_no_variance" and diagnosis.mistake.at == "t2"


def test_the_normalization_entry_reads_the_axes_off_the_values(monkeypatch):
    """A normalization over each row (a layernorm), never named to the catalogue."""
    layer_refs.ops_for_test(monkeypatch, "rownorm")
    x, gamma, beta, dout = RNG.standard_normal((3, 5)), RNG.standard_normal(5), RNG.standard_normal(5), \
        RNG.standard_normal((3, 5))
    bad = layer_refs.norm_backward(dout, x, gamma, axis=1, leave_out=("mean",))
    diagnosis = _diagnosed("rownorm(x, gamma, beta)", "x", bad, x=x, gamma=gamma, beta=beta, upstream=dout)
    assert diagnosis.mistake.key == "normalization_no_mean" and diagnosis.mistake.params == {"axes": [1]}


def test_normalization_is_not_seen_where_there_is_none():
    trace = gradtrace.trace("log_softmax(x)", x=RNG.standard_normal((3, 4)), upstream=RNG.standard_normal((3, 4)))
    assert diagnose.normalization(trace, trace.output_id, 0) is None  # its output is x minus a row constant


# ---- the ones trap ------------------------------------------------------------------------------

def test_an_upstream_of_ones_hides_batchnorms_mistakes_and_says_so(monkeypatch):
    layer_refs.ops_for_test(monkeypatch, "batchnorm")
    x, gamma, beta, _dout = _bn_point()
    ones = np.ones_like(x)
    bad = layer_refs.norm_backward(ones, x, gamma, leave_out=("variance",))
    graded = _report("batchnorm(x, gamma, beta)", "x", bad, x=x, gamma=gamma, beta=beta, upstream="ones")
    warnings = " ".join(graded.report.warnings)
    assert "is 0 everywhere here" in warnings and "without the variance's path" in warnings
    assert "without the mean's path" not in warnings  # ones do not hide that one
    # from a random upstream the same mistake is caught and named, and nothing is hidden
    dout = RNG.standard_normal(x.shape)
    bad = layer_refs.norm_backward(dout, x, gamma, leave_out=("variance",))
    graded = _report("batchnorm(x, gamma, beta)", "x", bad, x=x, gamma=gamma, beta=beta, upstream=dout)
    assert graded.report.diagnosis.mistake.key == "normalization_no_variance" and not graded.report.warnings


def test_ones_hide_a_missing_upstream_and_a_random_upstream_does_not():
    x, W = RNG.standard_normal((5, 4)), RNG.standard_normal((4, 3))
    s = 1 / (1 + np.exp(-(x @ W)))
    forgot = x.T @ (s * (1 - s))  # dout never multiplied in
    graded = _report("sigmoid(x @ W)", "W", forgot, x=x, W=W, upstream="ones")
    assert graded.correct and "the local gradient alone at f = sigmoid(t1)" in graded.report.warnings[0]
    graded = _report("sigmoid(x @ W)", "W", forgot, x=x, W=W)  # no seed: random:0, said in the report
    assert not graded.correct and "default_rng(0)" in graded.report.upstream
    assert graded.report.diagnosis.mistake.key == "ones_upstream"


# ---- right answers, random answers, precision ---------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_right_answers_pass_with_no_report(monkeypatch, dtype):
    layer_refs.ops_for_test(monkeypatch, "batchnorm")
    program, bindings = AFFINE
    for name in ("x", "W", "b"):
        graded = _report(program, name, _affine_answer(name, None).astype(dtype), **bindings)
        assert graded.correct and graded.report is None, (name, graded.worst)
    x, gamma, beta, dout = _bn_point()
    right = layer_refs.norm_backward(dout, x, gamma).astype(dtype)
    graded = _report("batchnorm(x, gamma, beta)", "x", right, x=x, gamma=gamma, beta=beta, upstream=dout)
    assert graded.correct and graded.report is None


def test_a_random_array_fits_no_known_mistake():
    program, bindings = AFFINE
    for name in ("x", "W", "b"):
        shape = _affine_answer(name, None).shape
        diagnosis = _diagnosed(program, name, RNG.standard_normal(shape), **bindings)
        assert diagnosis.mistake is None and diagnosis.text == "no known mistake fits"


def test_a_float64_answer_computed_in_float32_is_right_to_float32s_precision():
    """The issue's layer: dW2 computed in float32, saved as float64, fails the float64 rule on its
    small elements; the diagnosis says what it is and how to save it."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 50)).astype(np.float32)
    W1 = (rng.standard_normal((50, 30)) * 0.1).astype(np.float32)
    W2 = (rng.standard_normal((30, 10)) * 0.1).astype(np.float32)
    y = rng.integers(0, 10, 20)
    h = np.maximum(X @ W1, 0)
    p = np.exp(h @ W2 - (h @ W2).max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(20), y] -= 1
    dW2 = (h.T @ (p / np.float32(20))).astype(np.float64)
    bindings = {"X": X.astype(float), "W1": W1.astype(float), "W2": W2.astype(float), "y": y}
    graded = _report("cross_entropy(relu(X @ W1) @ W2, y)", "W2", dW2, **bindings)
    assert not graded.correct
    assert graded.report.diagnosis.mistake.key == "precision" and "float32" in graded.report.diagnosis.text
    assert graded.report.band == "good"


def test_the_report_reads_the_worst_element_and_the_band():
    program, bindings = AFFINE
    right = _affine_answer("W", None)
    wrong = right.copy()
    wrong[2, 1] += 0.5
    report = _report(program, "W", wrong, **bindings).report
    assert report.worst == ((2, 1), wrong[2, 1], right[2, 1])
    expected = 0.5 / np.max(np.abs(right) + np.abs(wrong))
    assert report.error == pytest.approx(expected, rel=1e-12) and report.band == "wrong"
    assert report.diagnosis.mistake is None


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mistake", ["factor", "sign", "inverted_mask", "extra_n", "ones"])
def test_the_verdict_and_the_report_name_the_same_worst_element(mistake, dtype):
    """The verdict's line and the report both show the element of the largest |a−b|, the one the
    relative error is made of, never two different 'worst' elements."""
    program, bindings = AFFINE
    wrong = _affine_answer("W", mistake).astype(dtype)
    graded = _report(program, "W", wrong, **bindings)
    index = graded.report.worst[0]
    assert f"W[{', '.join(map(str, index))}] = " in graded.worst, (graded.worst, index)
    gap = np.abs(wrong.astype(float) - _affine_answer("W", None))
    assert gap[index] == gap.max()


@pytest.mark.parametrize("error, verdict", [(0.0, "good"), (1e-7, "good"), (2e-7, "fine at kinks"),
                                            (1e-4, "fine at kinks"), (5e-3, "suspicious"), (1e-2, "wrong"),
                                            (float("inf"), "wrong")])
def test_the_bands(error, verdict):
    assert diagnose.band(error)[0] == verdict


def test_the_relative_error_of_two_zero_arrays_is_zero_and_of_a_nan_inf():
    assert diagnose.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert diagnose.relative_error(np.ones(3), np.array([1, np.nan, 1])) == float("inf")
    assert diagnose.relative_error(np.array([1.0, -2.0]), np.array([1.0, 2.0])) == pytest.approx(4 / 4)


# ---- the diagnosis's tolerance is the verdict's --------------------------------------------------

@given(st.integers(0, 2**32 - 1), st.sampled_from([np.float64, np.float32, np.float16]),
       st.sampled_from([0.0, 1e-9, 1e-6, 1e-4, 1e-2]))
def test_the_fit_is_the_verdict(seed, dtype, size):
    """An array passes as a candidate exactly when the verdict would pass it as the truth."""
    rng = np.random.default_rng(seed)
    truth = rng.standard_normal((3, 4)) * 10.0 ** rng.integers(-3, 3)
    truth[0, 0] = 0.0
    answer = (truth * (1 + size * rng.standard_normal(truth.shape))).astype(dtype)
    verdict = _grade_array(Expected("W", answer), truth, np.zeros(truth.shape), None, 4)[0]
    seen = []
    _grade_array(Expected("W", answer), truth, np.zeros(truth.shape), None, 4, seen=seen)
    elements, low, numbers = seen[0]
    assert diagnose.Fit(elements, low, numbers).fits(truth) is verdict


def test_written_answers_are_fitted_at_their_own_decimals():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    trace = gradtrace.trace("sum(x * x * 2)", x=x, expect={"x": "[[-2.0, 4.0], [-8.0, -1.0]]"})
    (graded,) = trace.answers
    assert graded.report.diagnosis.mistake.key == "sign"


# ---- what the command line and JSON show ---------------------------------------------------------

def _saved(folder, **arrays):
    args = []
    for name, value in arrays.items():
        np.save(folder / f"{name}.npy", value)
        args += [f"-{name}", f"@{folder / name}.npy"]
    return args


def test_the_table_shows_the_report_and_the_json_validates(gt, tmp_path):
    import jsonschema

    W, x = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))
    np.save(tmp_path / "dW.npy", np.ones((3, 2)) @ x.T)  # computed from an upstream of ones
    args = ["W @ x", *_saved(tmp_path, W=W, x=x), "--expect", f"W=@{tmp_path / 'dW.npy'}"]
    table = gt(*args)
    assert table.exit_code == 3
    out = " ".join(table.stdout.split())
    assert "diagnosis: an upstream of ones used instead of the given one" in out
    assert "relative error" in out and ": ≥ 1e-2: wrong" in out and "worst element [" in out
    assert "numpy.random.default_rng(0).standard_normal((3, 2))" in table.stderr  # the upstream, shown
    result = gt(*args, "--json")
    data = json.loads(result.stdout)
    from importlib.resources import files

    jsonschema.validate(data, json.loads(files("gradtrace").joinpath("schema/trace.schema.json").read_text()))
    report = data["answers"][0]["report"]
    assert report["diagnosis"]["mistake"] == "ones_upstream" and report["band"] == "wrong"
    assert report["diagnosis"]["same_as"][0]["mistake"] == "local_only"
    assert data["nodes"][0]["upstream"] == np.random.default_rng(0).standard_normal((3, 2)).tolist()


def test_a_random_seed_is_drawn_again_from_its_number(gt, tmp_path):
    W, x = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))
    args = ["W @ x", *_saved(tmp_path, W=W, x=x), "--json"]
    drawn = gt(*args, "--upstream", "random")
    seed = drawn.stderr.split("--upstream random:")[1].split(")")[0]
    again = gt(*args, "--upstream", f"random:{seed}")
    assert json.loads(drawn.stdout)["nodes"][0]["upstream"] == json.loads(again.stdout)["nodes"][0]["upstream"]
    bad = gt(*args, "--upstream", "random:x")
    assert bad.exit_code == 2 and "--upstream random:x" in bad.stderr


def test_report_json_in_every_shape(tmp_path):
    """Every kind of report (with and without a diagnosis, a shape mismatch, warnings) is valid."""
    from importlib.resources import files

    import jsonschema

    schema = json.loads(files("gradtrace").joinpath("schema/trace.schema.json").read_text())
    validator = jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/answer_report"})
    program, bindings = AFFINE
    for name, mistake in (("W", "transposed"), ("W", "sign"), ("b", "not_summed"), ("W", None)):
        answer = _affine_answer(name, mistake) if mistake else RNG.standard_normal(_affine_answer(name, None).shape)
        report = _report(program, name, answer, **bindings).report
        validator.validate(json.loads(json.dumps(report.to_dict())))
    x, W = RNG.standard_normal((5, 4)), RNG.standard_normal((4, 3))
    s = 1 / (1 + np.exp(-(x @ W)))
    warned = _report("sigmoid(x @ W)", "W", x.T @ (s * (1 - s)), x=x, W=W, upstream="ones").report
    validator.validate(json.loads(json.dumps(warned.to_dict())))


@pytest.mark.parametrize("fill", [np.nan, np.inf, -np.inf, 1e308, 1e-320])
def test_hostile_arrays_get_a_report_and_no_traceback(gt, tmp_path, fill):
    W, x = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))
    answer = RNG.standard_normal((3, 4))
    answer[1, 2] = fill
    np.save(tmp_path / "dW.npy", answer)
    result = gt("sum(relu(W @ x))", *_saved(tmp_path, W=W, x=x), "--expect", f"W=@{tmp_path / 'dW.npy'}")
    assert result.exit_code == 3 and "Traceback" not in result.stderr + result.stdout
    assert "diagnosis: no known mistake fits" in result.stdout
    if not np.isfinite(fill):
        assert "relative error inf" in result.stdout


def test_an_answer_about_a_value_gets_the_whole_answer_entries():
    program, bindings = AFFINE
    trace = gradtrace.trace(program, **bindings)
    t1 = trace.node("t1").value
    assert _diagnosed(program, "t1.value", -t1, **bindings).mistake.key == "sign"
    assert _diagnosed(program, "t1.value", t1.T, **bindings).mistake.key == "transposed"


def test_a_sum_over_an_axis_broadcast_back_along_the_wrong_axis():
    x, U = RNG.standard_normal((4, 4)), RNG.standard_normal(4)
    right = np.broadcast_to(U, (4, 4))  # ∂/∂x of sum(sum(x, axis=0) * U): U copied down axis 0
    assert _report("sum(sum(x, axis=0) * U)", "x", right, x=x, U=U).correct
    diagnosis = _diagnosed("sum(sum(x, axis=0) * U)", "x", right.T, x=x, U=U)
    assert diagnosis.mistake.key == "transposed"


def _maxpool_backward(x, U, mistake=None):
    """The course's naive max_pool_backward (2×2 windows, stride 2), with one mistake on request."""
    dx = np.zeros_like(x)
    for n, c, i, j in np.ndindex(U.shape):
        window = x[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
        if mistake in ("split", "copied"):
            dx[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2] += U[n, c, i, j] / (4 if mistake == "split" else 1)
            continue
        k = {"smallest": np.argmin(window), "first": 0}.get(mistake, np.argmax(window))
        a, b = np.unravel_index(k, (2, 2))
        dx[n, c, 2 * i + a, 2 * j + b] += U[n, c, i, j]
    return dx


@pytest.mark.skipif("maxpool2d" not in gradtrace.OPS, reason="maxpool2d is another branch's")
@pytest.mark.parametrize("mistake, params", [("split", {"how": "split"}), ("copied", {"how": "copied"}),
                                             ("smallest", {"to": "opposite"}), ("first", {"to": "first"})])
def test_maxpool_sending_its_gradient_to_the_wrong_element_or_splitting_it(mistake, params):
    x, U = RNG.standard_normal((2, 2, 4, 4)), RNG.standard_normal((2, 2, 2, 2))
    assert _report("sum(maxpool2d(x) * U)", "x", _maxpool_backward(x, U), x=x, U=U).correct
    diagnosis = _diagnosed("sum(maxpool2d(x) * U)", "x", _maxpool_backward(x, U, mistake), x=x, U=U)
    assert diagnosis.mistake.params == params, diagnosis.text


@pytest.mark.skipif("conv2d" not in gradtrace.OPS, reason="conv2d is another branch's")
def test_a_layers_bias_summed_over_the_wrong_axes():
    """conv2d sums its bias's gradient in its own rule: the catalogue finds the axes from the values."""
    x, w, b = RNG.standard_normal((2, 3, 5, 5)), RNG.standard_normal((4, 3, 3, 3)), RNG.standard_normal(4)
    trace = gradtrace.trace("conv2d(x, w, b)", x=x, w=w, b=b, upstream="random:3")
    dout = trace.seed
    assert np.allclose(trace.gradients["b"], dout.sum(axis=(0, 2, 3)))
    diagnosis = _diagnosed("conv2d(x, w, b)", "b", dout.sum(axis=(0, 2)), x=x, w=w, b=b, upstream="random:3")
    assert diagnosis.mistake.key == "wrong_axis" and diagnosis.mistake.params["axes"] == [0, 2]


def test_the_report_says_where_the_backward_pass_started():
    x, W = RNG.standard_normal((5, 4)), RNG.standard_normal((4, 3))
    wrong = RNG.standard_normal((4, 3))
    for seed, words in (("ones", "ones, ∂f/∂f = numpy.ones((5, 3))"), (2.0, "2 on every element"),
                        ("random:7", "numpy.random.default_rng(7).standard_normal((5, 3))"),
                        (RNG.standard_normal((5, 3)), "the array given for ∂f/∂f, of shape (5, 3)")):
        report = _report("sigmoid(x @ W)", "W", wrong, x=x, W=W, upstream=seed).report
        assert words in report.upstream, (seed, report.upstream)
