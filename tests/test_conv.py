"""Issue 33: conv2d and maxpool2d, in CS231n's conventions, against PyTorch float64: values and
gradients on random shapes (batch 1, odd sizes, every stride 1..3 and pad 0..2 that fits), pooling's
ties and overlapping windows, the errors a user meets (a stride of 1.5, sizes that leave a partial
window), the CLI's table and JSON, and the course's conv net end to end at its own sizes."""

import itertools
import json

import numpy as np
import pytest

import gradtrace

rng = np.random.default_rng(33)


@pytest.fixture
def torch():
    import needs

    return needs.module("torch", "pip install torch==2.13.0")


def _fits(size, window, stride, pad):
    return size + 2 * pad >= window and pad < window and (size + 2 * pad - window) % stride == 0


def _conv_shapes(stride, pad, count, seed):
    """count random (x, w) shapes that fit this stride and pad: batch 1 among them, odd sizes."""
    draw = np.random.default_rng(seed)
    found = []
    while len(found) < count:
        n = 1 if not found else int(draw.integers(1, 4))
        c, f = int(draw.integers(1, 4)), int(draw.integers(1, 5))
        hh, ww = int(draw.integers(pad + 1, 6)), int(draw.integers(pad + 1, 6))
        h, w = int(draw.integers(max(1, hh - 2 * pad), 12)), int(draw.integers(max(1, ww - 2 * pad), 12))
        if _fits(h, hh, stride, pad) and _fits(w, ww, stride, pad):
            found.append(((n, c, h, w), (f, c, hh, ww)))
    return found


def _torch_conv(torch, x, w, b, v, stride, pad):
    tx, tw, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    out = (torch.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad) * torch.tensor(v)).sum()
    out.backward()
    return out.item(), {"x": tx.grad.numpy(), "w": tw.grad.numpy(), "b": tb.grad.numpy()}


@pytest.mark.parametrize("stride, pad", list(itertools.product([1, 2, 3], [0, 1, 2])))
def test_conv2d_matches_pytorch_float64(torch, stride, pad):
    odd = 0
    for xs, ws in _conv_shapes(stride, pad, 4, seed=10 * stride + pad):
        x, w, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
        h_out, w_out = 1 + (xs[2] + 2 * pad - ws[2]) // stride, 1 + (xs[3] + 2 * pad - ws[3]) // stride
        v = rng.normal(size=(xs[0], ws[0], h_out, w_out))
        t = gradtrace.trace(f"sum(conv2d(x, w, b, stride={stride}, pad={pad}) * v)", x=x, w=w, b=b, v=v)
        value, grads = _torch_conv(torch, x, w, b, v, stride, pad)
        assert t.value == pytest.approx(value, rel=1e-12, abs=1e-12), (xs, ws)
        assert t.node("t1").value.shape == (xs[0], ws[0], h_out, w_out)
        for name in ("x", "w", "b"):
            np.testing.assert_allclose(t.gradients[name], grads[name], rtol=1e-11, atol=1e-12,
                                       err_msg=f"∂/∂{name} at {xs}, {ws}")
        odd += xs[2] % 2 or xs[3] % 2
    assert odd, "no odd image size was drawn"


def test_conv2d_keeps_the_shapes_the_course_computes():
    """CS231n's conv_forward_naive example: x (2, 3, 4, 4), w (3, 3, 4, 4), stride 2, pad 1 gives
    (2, 3, 2, 2), and its documented output."""
    x = np.linspace(-0.1, 0.5, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    w = np.linspace(-0.2, 0.3, num=3 * 3 * 4 * 4).reshape(3, 3, 4, 4)
    b = np.linspace(-0.1, 0.2, num=3)
    out = gradtrace.trace("sum(conv2d(x, w, b, stride=2, pad=1))", x=x, w=w, b=b).node("t1").value
    correct = np.array([[[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                         [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                         [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
                        [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                         [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                         [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])
    np.testing.assert_allclose(out, correct, rtol=1e-7)


def _pool_shapes(size, stride, count, seed):
    draw = np.random.default_rng(seed)
    found = []
    while len(found) < count:
        n, c = (1 if not found else int(draw.integers(1, 4))), int(draw.integers(1, 4))
        h, w = int(draw.integers(size, 12)), int(draw.integers(size, 12))
        if _fits(h, size, stride, 0) and _fits(w, size, stride, 0):
            found.append((n, c, h, w))
    return found


def _torch_pool(torch, x, v, size, stride):
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = (torch.nn.functional.max_pool2d(tx, size, stride) * torch.tensor(v)).sum()
    out.backward()
    return out.item(), tx.grad.numpy()


@pytest.mark.parametrize("size, stride", list(itertools.product([1, 2, 3], [1, 2, 3])))
def test_maxpool2d_matches_pytorch_float64(torch, size, stride):
    """Overlapping windows (stride < size) add up; integers make ties, which go where PyTorch's go."""
    for k, shape in enumerate(_pool_shapes(size, stride, 4, seed=10 * size + stride)):
        x = rng.normal(size=shape) if k % 2 else rng.integers(-2, 3, size=shape).astype(float)
        out_shape = (*shape[:2], 1 + (shape[2] - size) // stride, 1 + (shape[3] - size) // stride)
        v = rng.integers(1, 10, size=out_shape) * rng.choice([-1.0, 1.0], size=out_shape)  # sums exact in any order
        t = gradtrace.trace(f"sum(maxpool2d(x, size={size}, stride={stride}) * v)", x=x, v=v)
        value, grad = _torch_pool(torch, x, v, size, stride)
        assert t.value == pytest.approx(value, rel=1e-13, abs=1e-13)
        np.testing.assert_array_equal(t.gradients["x"], grad, err_msg=f"{shape}, size {size}, stride {stride}")


def test_a_window_of_equal_values_sends_everything_to_its_first_entry(torch):
    x = np.full((1, 1, 2, 2), 3.0)
    t = gradtrace.trace("sum(maxpool2d(x) * 5)", x=x)
    _, grad = _torch_pool(torch, x, np.full((1, 1, 1, 1), 5.0), 2, 2)
    assert t.gradients["x"].tolist() == [[[[5.0, 0.0], [0.0, 0.0]]]] == grad.tolist()
    assert "first maximum" in t.node("t1").kink


@pytest.mark.parametrize("x", [
    [[1.0, 1, 0], [1, 1, 0], [0, 0, 0]],    # every window ties
    [[0.0, 3, 3], [3, 0, 0], [0, 0, 0]],    # one 3 wins two windows; a window of zeros
    [[2.0, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]],
])
@pytest.mark.parametrize("size", [2, 3])
def test_overlapping_tied_windows_route_as_pytorch_does(torch, x, size):
    x = np.array(x)[None, None]
    if x.shape[-1] < size:
        return
    v = rng.integers(1, 10, size=(1, 1, x.shape[2] - size + 1, x.shape[3] - size + 1)).astype(float)
    t = gradtrace.trace(f"sum(maxpool2d(x, {size}, 1) * v)", x=x, v=v)
    _, grad = _torch_pool(torch, x, v, size, 1)
    np.testing.assert_array_equal(t.gradients["x"], grad)


def test_overlapping_windows_add_up():
    """3×3 windows, stride 1, on a peak in the centre: it wins all four windows, so it gets all four
    upstream gradients."""
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = 9.0
    t = gradtrace.trace("sum(maxpool2d(x, size=3, stride=1) * v)", x=x, v=np.arange(1.0, 5.0).reshape(1, 1, 2, 2))
    assert t.gradients["x"][0, 0, 1, 1] == 1 + 2 + 3 + 4
    assert np.count_nonzero(t.gradients["x"]) == 1


def test_no_tie_no_kink():
    t = gradtrace.trace("sum(maxpool2d(x))", x=rng.normal(size=(2, 3, 4, 6)))
    assert t.node("t1").kink is None


def test_the_gradient_check_passes_through_a_small_conv_net(gt, tmp_path):
    values = {"x": rng.normal(size=(1, 2, 6, 6)), "w": rng.normal(size=(3, 2, 3, 3)), "b": rng.normal(size=3),
              "v": rng.normal(size=(1, 3, 3, 3))}
    result = gt("sum(maxpool2d(conv2d(x, w, b, stride=1, pad=1)) * v)", *_saved(tmp_path, values), "--check")
    assert result.exit_code == 0, result.stderr
    assert "gradient check" in result.stdout
    assert "wrong" not in result.stdout and "suspicious" not in result.stdout


@pytest.mark.parametrize("program", ["sum(conv2d(x, w, b, stride=2, pad=1))",
                                     "sum(maxpool2d(conv2d(x, w, b, 1, 1), size=3, stride=2))"])
def test_an_answer_is_graded_with_its_counts_as_written(gt, tmp_path, program):
    """The float-noise runs that set an answer's tolerance move every constant by a few units in
    the last place, but not a count: stride 2 moved to 1.9999999999999978 is a stride of 1, whose
    output has another shape."""
    values = {"x": rng.normal(size=(1, 2, 5, 5)), "w": rng.normal(size=(3, 2, 3, 3)), "b": rng.normal(size=3)}
    right = gradtrace.trace(program, **values).gradients
    np.save(tmp_path / "db.npy", right["b"])
    np.save(tmp_path / "wrong.npy", -right["b"])
    result = gt(program, *_saved(tmp_path, values), "--expect", f"b=@{tmp_path / 'db.npy'}")
    assert result.exit_code == 0, result.stderr
    result = gt(program, *_saved(tmp_path, values), "--expect", f"b=@{tmp_path / 'wrong.npy'}")
    assert result.exit_code == 3 and "Traceback" not in result.stderr + result.stdout, result.stderr


def test_counts_are_parameters_of_their_own_kind():
    """A stride, a padding and a window's size are counts: whole numbers at least 1 (0 for a pad),
    never moved by the float-noise runs, as an axis or a shape is not."""
    from gradtrace.core.ops import OPS, Whole

    assert OPS["conv2d"].param_kind("stride") == Whole(1) and OPS["conv2d"].param_kind("pad") == Whole(0)
    assert OPS["maxpool2d"].param_kind("size") == Whole(1) and OPS["maxpool2d"].param_kind("stride") == Whole(1)


# ---- what a user types wrong -------------------------------------------------------------------

@pytest.mark.parametrize("source, message, caret", [
    ("conv2d(x, w, b, stride=1.5)", "conv2d's stride must be a whole number, at least 1, not 1.5", "1.5"),
    ("conv2d(x, w, b, pad=-1)", "conv2d's pad must be a whole number, at least 0, not -1", "-1"),
    ("conv2d(x, w, b, stride=0)", "conv2d's stride must be a whole number, at least 1, not 0", "0"),
    ("conv2d(x, w, b, 1, 0.5)", "conv2d's pad must be a whole number, at least 0, not 0.5", "0.5"),
    ("maxpool2d(x, size=0)", "maxpool2d's size must be a whole number, at least 1, not 0", "0"),
    ("maxpool2d(x, 2, stride=1/2)", "maxpool2d's stride must be a whole number, at least 1, not 1/2", "1/2"),
    ("maxpool2d(x, size=x)", "maxpool2d's size must be a constant", "x"),
    ("maxpool2d(x, kernel=2)", "maxpool2d has no parameter 'kernel' (its parameters: size, stride)", "2"),
])
def test_a_count_that_is_not_whole_is_a_parse_error_under_its_text(gt, source, message, caret):
    result = gt(f"sum({source})", "-x", "[[[[1, 2], [3, 4]]]]", "-w", "[[[[1]]]]", "-b", "[0]")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"gradtrace: parse error: {message}\n"), result.stderr
    lines = result.stderr.splitlines()
    program_line = lines[1]
    carets = lines[2]
    start = carets.index("^")
    assert program_line[start:start + len(caret)] == caret and carets.count("^") == len(caret), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("program, shapes, detail", [
    ("conv2d(x, w, b, stride=2)", {"x": (2, 3, 8, 8), "w": (4, 3, 3, 3), "b": (4,)},
     "conv2d needs 1 + (H + 2·pad − HH)/stride and 1 + (W + 2·pad − WW)/stride to be whole numbers, "
     "but the height gives 1 + (8 + 2·0 − 3)/2 = 3.5"),
    ("conv2d(x, w, b, stride=3, pad=1)", {"x": (1, 1, 7, 8), "w": (1, 1, 3, 3), "b": (1,)},
     "but the width gives 1 + (8 + 2·1 − 3)/3 = 3.33333"),
    ("conv2d(x, w, b)", {"x": (1, 1, 2, 2), "w": (1, 1, 3, 3), "b": (1,)},
     "conv2d needs filters that fit the padded input, but its height is 2 + 2·0 = 2, less than the filters' 3"),
    ("conv2d(x, w, b, pad=3)", {"x": (1, 1, 5, 5), "w": (1, 1, 3, 3), "b": (1,)},
     "conv2d needs a pad smaller than the filters, so that every window sees some of the input, but pad is 3 "
     "and the filters' height is 3"),
    ("conv2d(x, w, b, pad=1e300)", {"x": (1, 1, 5, 5), "w": (1, 1, 3, 3), "b": (1,)}, "but pad is 1e+300"),
    ("conv2d(x, w, b)", {"x": (1, 2, 5, 5), "w": (1, 3, 3, 3), "b": (1,)},
     "conv2d needs x of shape (N, C, H, W), filters w of shape (F, C, HH, WW) with the same C, "
     "and biases b of shape (F,)"),
    ("conv2d(x, b, w)", {"x": (1, 3, 5, 5), "w": (1, 3, 3, 3), "b": (1,)}, "biases b of shape (F,)"),
    ("conv2d(x, w, b)", {"x": (1, 3, 5, 5), "w": (2, 3, 3, 3), "b": (3,)}, "biases b of shape (F,)"),
    ("conv2d(x, w, b)", {"x": (3, 5, 5), "w": (2, 3, 3, 3), "b": (2,)}, "x of shape (N, C, H, W)"),
    ("maxpool2d(x)", {"x": (1, 1, 5, 4)},
     "maxpool2d needs 1 + (H − size)/stride and 1 + (W − size)/stride to be whole numbers, "
     "but the height gives 1 + (5 − 2)/2 = 2.5"),
    ("maxpool2d(x, 3)", {"x": (1, 1, 2, 4)},
     "maxpool2d needs a window that fits the input, but its height is 2, less than the window's 3"),
    ("maxpool2d(x)", {"x": (4, 4)}, "maxpool2d needs x of shape (N, C, H, W)"),
])
def test_shapes_that_leave_a_partial_window_are_refused_naming_the_sizes(program, shapes, detail):
    values = {name: rng.normal(size=shape) for name, shape in shapes.items()}
    with pytest.raises(gradtrace.BindingError) as err:
        gradtrace.trace(f"sum({program})", **values)
    assert "shapes don't fit" in str(err.value) and detail in str(err.value), str(err.value)


def test_a_shape_error_is_exit_2_with_no_traceback(gt):
    result = gt("sum(conv2d(x, w, b, stride=2))", "-x", json.dumps(np.zeros((1, 1, 4, 4)).tolist()),
                "-w", "[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]", "-b", "[0]")
    assert result.exit_code == 2
    assert result.stderr.startswith("gradtrace: binding error: t1 = conv2d(x, w, b, stride=2)")
    assert "1 + (4 + 2·0 − 3)/2 = 1.5" in result.stderr and "Traceback" not in result.stderr


def test_the_shape_error_speaks_korean(gt):
    result = gt("sum(maxpool2d(x))", "-x", json.dumps(np.zeros((1, 1, 3, 4)).tolist()), "--lang", "ko")
    assert result.exit_code == 2
    assert "높이" in result.stderr and "1 + (3 − 2)/2 = 1.5" in result.stderr, result.stderr


def test_a_stride_past_the_input_leaves_one_window():
    """A stride larger than the span takes the one window there is, as PyTorch does."""
    t = gradtrace.trace("sum(maxpool2d(x, 2, 1e300))", x=np.arange(4.0).reshape(1, 1, 2, 2))
    assert t.value == 3.0 and t.gradients["x"].tolist() == [[[[0.0, 0.0], [0.0, 1.0]]]]


# ---- the CLI ------------------------------------------------------------------------------------

NET = "sum(maxpool2d(relu(conv2d(x, w, b, stride=1, pad=1))) * v)"


def _saved(tmp_path, values):
    args = []
    for name, value in values.items():
        np.save(tmp_path / f"{name}.npy", value)
        args += [f"-{name}", f"@{tmp_path / f'{name}.npy'}"]
    return args


def _net_values():
    return {"x": rng.normal(size=(2, 3, 6, 6)), "w": rng.normal(size=(4, 3, 3, 3)), "b": rng.normal(size=4),
            "v": rng.normal(size=(2, 4, 3, 3))}


def _torch_net(torch, values):
    F = torch.nn.functional
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    out = (F.max_pool2d(F.relu(F.conv2d(t["x"], t["w"], t["b"], stride=1, padding=1)), 2, 2) * t["v"]).sum()
    out.backward()
    return out.item(), {k: v.grad.numpy() for k, v in t.items()}


def test_the_cli_prints_the_conv_nets_table(gt, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    result = gt(NET, *_saved(tmp_path, _net_values()))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in ("conv2d(x, w, b, stride=1, pad=1)", "maxpool2d(t2)", "∂t1/∂x = col2im(wᵀ·up)",
                 "∂t1/∂w = up·im2col(x)ᵀ", "∂t1/∂b = up·ones", "col2im(onehot(argmax(im2col(t2))) * up)",
                 "router", "(2, 4, 6, 6)", "(2, 4, 3, 3)", "local Jacobians (described, never built)",
                 "sparse: each output reads one window of x"):
        assert text in out, text


def test_the_cli_json_has_the_conv_nets_gradients(gt, tmp_path, torch):
    values = _net_values()
    result = gt(NET, *_saved(tmp_path, values), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    value, grads = _torch_net(torch, values)
    assert doc["output"]["value"] == pytest.approx(value, rel=1e-12)
    for name in ("x", "w", "b", "v"):
        np.testing.assert_allclose(np.array(doc["gradients"][name], dtype=float), grads[name], rtol=1e-11, atol=1e-12)
    conv = next(node for node in doc["nodes"] if node["op"] == "conv2d")
    assert conv["formula"] == ["col2im(wᵀ·up)", "up·im2col(x)ᵀ", "up·ones"]
    assert conv["expr"] == "conv2d(x, w, b, stride=1, pad=1)" and conv["shape"] == [2, 4, 6, 6]
    pool = next(node for node in doc["nodes"] if node["op"] == "maxpool2d")
    assert pool["jacobian"][0]["rows"] == 2 * 4 * 3 * 3 and pool["jacobian"][0]["cols"] == 2 * 4 * 6 * 6


# ---- the course's conv net, end to end ------------------------------------------------------------
# CS231n's three-layer convnet: conv 7×7 (32 filters, pad 3) - relu - 2×2 max pool - affine (100) -
# relu - affine (10) - softmax loss, on N images of 3×32×32. The first affine layer takes the pooled
# (N, 32, 16, 16) as N rows of 8192, as the course's affine_forward does; W2 is (8192, 100).

CONVNET = ("cross_entropy(affine(relu(affine(maxpool2d(relu(conv2d(X, W1, b1, stride=1, pad=3))), W2, b2)), "
           "W3, b3), y)")


@pytest.mark.parametrize("n", [2, 5])
def test_the_courses_conv_net_traces_end_to_end_as_pytorch_computes_it(torch, n):
    draw = np.random.default_rng(n)
    values = {"X": draw.normal(size=(n, 3, 32, 32)), "W1": draw.normal(size=(32, 3, 7, 7)) * 1e-2,
              "b1": draw.normal(size=32) * 1e-2, "W2": draw.normal(size=(32 * 16 * 16, 100)) * 1e-2,
              "b2": draw.normal(size=100) * 1e-2, "W3": draw.normal(size=(100, 10)) * 1e-2,
              "b3": draw.normal(size=10) * 1e-2}
    y = draw.integers(0, 10, size=n).astype(float)
    t = gradtrace.trace(CONVNET, **values, y=y)
    F = torch.nn.functional
    p = {k: torch.tensor(v, requires_grad=True) for k, v in values.items()}
    pooled = F.max_pool2d(F.relu(F.conv2d(p["X"], p["W1"], p["b1"], padding=3)), 2, 2)
    hidden = F.relu(pooled.reshape(n, -1) @ p["W2"] + p["b2"])
    scores = hidden @ p["W3"] + p["b3"]
    loss = F.cross_entropy(scores, torch.tensor(y).long())
    loss.backward()
    assert t.value == pytest.approx(loss.item(), rel=1e-12)
    assert [t.node(name).value.shape for name in ("t1", "t3", "t4", "t5", "t6")] == \
        [(n, 32, 32, 32), (n, 32, 16, 16), (n, 100), (n, 100), (n, 10)]
    for name, tensor in p.items():
        scale = np.max(np.abs(tensor.grad.numpy()))
        np.testing.assert_allclose(t.gradients[name], tensor.grad.numpy(), rtol=1e-9, atol=1e-12 * scale,
                                   err_msg=f"∂loss/∂{name}")


# ---- the fast paths: each against a plain loop over the windows, on the same input ---------------

def _naive_pool(x, size, stride):
    """maxpool2d and its gradient for an upstream of v, window by window: the first maximum in
    row-major order takes the window's upstream (np.argmax picks the first)."""
    n, c, h, w = x.shape
    oh, ow = 1 + (h - size) // stride, 1 + (w - size) // stride
    out, first = np.empty((n, c, oh, ow)), np.empty((n, c, oh, ow), dtype=int)
    for idx in itertools.product(range(n), range(c), range(oh), range(ow)):
        window = x[idx[0], idx[1], idx[2] * stride:idx[2] * stride + size, idx[3] * stride:idx[3] * stride + size]
        out[idx], first[idx] = window.max(), window.argmax()
    return out, first


def _naive_pool_grad(x, v, size, stride):
    _, first = _naive_pool(x, size, stride)
    dx = np.zeros(x.shape)
    for idx in itertools.product(*(range(k) for k in first.shape)):
        i, j = divmod(int(first[idx]), size)
        dx[idx[0], idx[1], idx[2] * stride + i, idx[3] * stride + j] += v[idx]
    return dx


@pytest.mark.parametrize("size, stride", [(1, 1), (2, 2), (3, 3), (2, 1), (3, 1), (3, 2), (2, 3), (1, 2)])
def test_pooling_offset_by_offset_matches_a_loop_over_windows_ties_included(size, stride):
    from gradtrace.core.numpy_backend import numpy_backend
    from gradtrace.core.ops import _first_max, _maxpool2d_tie, _route_to_first_max, _window_max

    for shape in _pool_shapes(size, stride, 3, seed=100 + 10 * size + stride):
        x = rng.integers(-1, 2, size=shape).astype(float)  # three values: ties in most windows
        out, first = _naive_pool(x, size, stride)
        v = rng.integers(1, 10, size=out.shape) * rng.choice([-1.0, 1.0], size=out.shape)  # sums exact in any order
        np.testing.assert_array_equal(_window_max(np, x, size, stride), out)
        np.testing.assert_array_equal(_first_max(np, x, size, stride), first)
        want = _naive_pool_grad(x, v, size, stride)
        general = _route_to_first_max(np, v, x, size, stride, tiles=False)
        np.testing.assert_array_equal(general, want, err_msg=f"{shape}, size {size}, stride {stride}")
        if size == stride:  # the windows tile x: the path that writes each entry once, on the same input
            np.testing.assert_array_equal(_route_to_first_max(np, v, x, size, stride, tiles=True), general)
        ties = any(np.sum(x[a, b, i * stride:i * stride + size, j * stride:j * stride + size] == out[a, b, i, j]) > 1
                   for a, b, i, j in itertools.product(*(range(k) for k in out.shape)))
        assert _maxpool2d_tie(numpy_backend, out, x, size, stride) == ties


def test_the_tiling_pool_path_on_distinct_values_and_on_one_value():
    from gradtrace.core.ops import _route_to_first_max

    x = rng.permutation(64).astype(float).reshape(1, 1, 8, 8)  # no ties
    v = rng.normal(size=(1, 1, 4, 4))
    np.testing.assert_array_equal(_route_to_first_max(np, v, x, 2, 2, tiles=True), _naive_pool_grad(x, v, 2, 2))
    flat = np.full((2, 3, 6, 6), -0.5)  # every window one tie: all to its top-left entry
    v = rng.normal(size=(2, 3, 3, 3))
    got = _route_to_first_max(np, v, flat, 2, 2, tiles=True)
    np.testing.assert_array_equal(got[:, :, ::2, ::2], v)
    assert np.count_nonzero(got) == v.size


def test_pooling_finds_the_maxima_from_x_not_from_a_nudged_output():
    """The float-noise runs move the forward output by a few ulps: the gradient still goes to
    each window's first maximum."""
    x = rng.normal(size=(2, 2, 4, 4))
    v = rng.normal(size=(2, 2, 2, 2))
    out = gradtrace.trace("sum(maxpool2d(x) * v)", x=x, v=v)
    from gradtrace.core.numpy_backend import numpy_backend
    from gradtrace.core.ops import OPS

    nudged = np.nextafter(out.node("t1").value, np.inf)
    (dx,) = OPS["maxpool2d"].maths.vjp(numpy_backend, v, nudged, x, 2, 2)
    np.testing.assert_array_equal(dx, _naive_pool_grad(x, v, 2, 2))


@pytest.mark.parametrize("column_bytes", [1, 2 * (2 * 3 * 3) * (5 * 5) * 8])  # one image, then two, at a time
def test_conv2d_in_column_batches_matches_pytorch(torch, monkeypatch, column_bytes):
    """A batch of 5 made into columns a few images at a time (a ragged last batch with two): the
    same values and gradients as PyTorch's."""
    from gradtrace.core import ops

    monkeypatch.setattr(ops, "_COLUMN_BYTES", column_bytes)
    batches, made = [], ops._column_batches

    def spy(*args):
        for lo, hi, cols in made(*args):
            batches.append(hi - lo)
            yield lo, hi, cols

    monkeypatch.setattr(ops, "_column_batches", spy)
    x, w, b = rng.normal(size=(5, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    v = rng.normal(size=(5, 3, 5, 5))
    t = gradtrace.trace("sum(conv2d(x, w, b, stride=1, pad=1) * v)", x=x, w=w, b=b, v=v)
    value, grads = _torch_conv(torch, x, w, b, v, 1, 1)
    assert t.value == pytest.approx(value, rel=1e-12)
    for name in ("x", "w", "b"):
        np.testing.assert_allclose(t.gradients[name], grads[name], rtol=1e-11, atol=1e-12, err_msg=name)
    assert batches == 2 * ([1] * 5 if column_bytes == 1 else [2, 2, 1])  # forward, then backward
