"""Issue 33: what CS231n's homework writes with arrays. sum(x, axis=k) and mean(x, axis=k),
reshape(x, (2, 3)), and x[0], x[-1], x[:, 1], x[1:3], x[::2], x[0, 2] as one index op, read by the
one parser and checked against PyTorch float64 on random shapes; bad forms refused with the error
and exit code the rules give; and the sum back to a broadcast input's shape, the step students
forget, recorded in the Trace and shown by the table, --explain, the markdown table, the page and
--json, while a program with no broadcast input prints as before."""

import itertools
import json
import random

import needs
import numpy as np
import pytest

import gradtrace
from gradtrace.core.errors import BindingError, ParseError
from gradtrace.core.graph import build
from gradtrace.core.ops import OPS, index_text

# ---- reading: the forms, and what each node prints --------------------------------------------

@pytest.mark.parametrize("source, op, params, expr, label", [
    ("x[0]", "index", ((0,),), "x[0]", "[0]"),
    ("x[-1]", "index", ((-1,),), "x[-1]", "[-1]"),
    ("x[:, 1]", "index", (((None, None, None), 1),), "x[:, 1]", "[:, 1]"),
    ("x[1:3]", "index", (((1, 3, None),),), "x[1:3]", "[1:3]"),
    ("x[::2]", "index", (((None, None, 2),),), "x[::2]", "[::2]"),
    ("x[0, 2]", "index", ((0, 2),), "x[0, 2]", "[0, 2]"),
    ("x[ 1 : : -1 , -2 ]", "index", (((1, None, -1), -2),), "x[1::-1, -2]", "[1::-1, -2]"),
    ("x[0,]", "index", ((0,),), "x[0]", "[0]"),  # a trailing comma, as in Python
    ("x[\n  1:,\n  0]", "index", (((1, None, None), 0),), "x[1:, 0]", "[1:, 0]"),  # lines inside brackets
    ("x[2-1]", "index", ((1,),), "x[1]", "[1]"),  # a constant expression, folded
    ("sum(x)", "sum", (None,), "sum(x)", "Σ"),
    ("sum(x, axis=1)", "sum", (1,), "sum(x, axis=1)", "Σ"),
    ("sum(x, -1)", "sum", (-1,), "sum(x, axis=-1)", "Σ"),
    ("mean(x)", "mean", (None,), "mean(x)", "mean"),
    ("mean(x, axis=0)", "mean", (0,), "mean(x, axis=0)", "mean"),
    ("reshape(x, (2, 3))", "reshape", ((2, 3),), "reshape(x, shape=(2, 3))", "reshape"),
    ("reshape(x, (6,))", "reshape", ((6,),), "reshape(x, shape=(6,))", "reshape"),
    ("reshape(x, shape=(-1, 2))", "reshape", ((-1, 2),), "reshape(x, shape=(-1, 2))", "reshape"),
    ("reshape(x, 6)", "reshape", ((6,),), "reshape(x, shape=6)", "reshape"),
])
def test_each_form_is_one_node_printed_as_written(source, op, params, expr, label):
    graph = build(source)
    node = graph.output
    assert (node.op.name, node.params, node.expr, node.label) == (op, params, expr, label)
    assert [n.name for n in graph.variables] == ["x"]


def test_a_subscript_binds_tighter_than_any_operator_and_chains():
    """-x[0]**2 is -(x[0]**2), as in Python; subscripts apply to any operand and to each other."""
    exprs = [(n.name, n.expr) for n in build("-x[0]**2 + relu(W @ x)[1:][0] + (x.T)[0] + 2x[1]").nodes if n.op]
    assert exprs == [("t1", "x[0]"), ("t2", "t1 ** 2"), ("t3", "-t2"), ("t4", "W @ x"), ("t5", "relu(t4)"),
                     ("t6", "t5[1:]"), ("t7", "t6[0]"), ("t8", "t3 + t7"), ("t9", "x.T"), ("t10", "t9[0]"),
                     ("t11", "t8 + t10"), ("t12", "x[1]"), ("t13", "2 * t12"), ("f", "t11 + t13")]


def test_index_text_writes_the_brackets_contents_as_python_does():
    assert index_text((0, (None, None, None), (1, 3, None), (None, None, -2), -1)) == "0, :, 1:3, ::-2, -1"


def test_a_long_chain_of_subscripts_is_read_without_recursion():
    graph = build("x" + "[::1]" * 20000 + "[0]")
    assert len(graph.nodes) == 20002 and graph.output.expr.endswith("[0]")


# ---- bad forms: each a parse error (exit 2) that points at what is wrong ------------------------

@pytest.mark.parametrize("source, message, caret", [
    ("x[1.5]", "an index must be an integer, not 1.5", "1.5"),
    ("sum(x, axis=2.5)", "sum's axis must be an integer, not 2.5", "2.5"),
    ("mean(x, 0.5)", "mean's axis must be an integer, not 0.5", "0.5"),
    ("sum(x, axis=y)", "sum's axis must be an integer constant", "y"),
    ("x[y]", "an index must be an integer constant", "y"),
    ("x[::0]", "a slice's step can't be 0", "0"),
    ("x[]", "the brackets are empty", "]"),
    ("x[,1]", "expected an index before ','", ","),
    ("x[1:2:3:4]", "a slice has at most three parts, start:stop:step", ":"),
    ("x[1", "this '[' is never closed", "["),
    ("x[1)", "unmatched ')'", ")"),
    ("(x]", "unmatched ']'", "]"),
    ("x]", "unmatched ']'", "]"),
    ("x:1", "':' outside a subscript", ":"),
    ("2[0]", "a number can't be indexed: only an array can", "2[0]"),
    ("[1, 2]", "expected a number, a name or '(' but found '['", "["),
    ("reshape(x, (2.5, 2))", "reshape's shape must be integers, not 2.5", "(2.5, 2)"),
    ("reshape(x, (-1, -1))", "reshape's shape takes positive sizes, with one -1 at most", "(-1, -1)"),
    ("reshape(x, (0, 6))", "reshape's shape takes positive sizes", "(0, 6)"),
    ("reshape(x, n)", "reshape's shape must be written with integer constants", "n"),
    ("reshape(x, 2, 3)", "reshape takes 2 argument(s), got 3", "reshape(x, 2, 3)"),
    ("reshape(x)", "reshape needs shape", "reshape(x)"),
    ("(2, 3)", "a tuple such as (2, 3) is a shape, and only reshape takes one", "(2, 3)"),
    ("x + (2, 3)", "a tuple such as (2, 3) is a shape", "(2, 3)"),
    ("sum(x, axis=(0, 1))", "a tuple such as (0, 1) is a shape", "(0, 1)"),
    ("relu((1, 2))", "a tuple such as (1, 2) is a shape", "(1, 2)"),
    ("reshape(x, (2, y))", "a tuple holds constants only", "y"),
])
def test_a_bad_form_is_a_parse_error_that_points_at_it(gt, source, message, caret):
    with pytest.raises(ParseError) as caught:
        build(source)
    error = caught.value
    assert error.message.startswith(message), error.message
    a, b = error.span
    assert source[a:b] == caret, (source[a:b], caret)
    result = gt(source, "-x", "[[1, 2, 3], [4, 5, 6]]")
    assert result.exit_code == 2 and f"parse error: {message}" in result.stderr
    assert "^" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("source, shown", [
    ("sum(x, axis=2)", "f = sum(x, axis=2): the shapes don't fit: x (2, 3) (sum needs an axis from -2 to 1 "
                       "(its input has 2 axes), not 2)"),
    ("mean(x, -3)", "mean needs an axis from -2 to 1 (its input has 2 axes), not -3"),
    ("sum(s, 0)", "f = sum(s, axis=0): the shapes don't fit: s () (sum needs an array with an axis 0, but its "
                  "input is one number)"),
    ("x[2]", "f = x[2]: the shapes don't fit: x (2, 3) ([2] needs an index from -2 to 1 on axis 0, whose size "
             "is 2, not 2)"),
    ("x[0, -4]", "[0, -4] needs an index from -3 to 2 on axis 1, whose size is 3, not -4"),
    ("x[0, 1, 2]", "[0, 1, 2] needs at most 2 indices, one per axis of its input, not 3"),
    ("x[5:]", "[5:] needs a slice that picks an element: 5: picks none of the 2 on axis 0"),
    ("s[0]", "[0] needs an array to index, but its input is one number"),
    ("x[0][3]", "f = t1[3]: the shapes don't fit: t1 (3,)"),
    ("reshape(x, (4, 2))", "reshape needs a shape of as many elements as its input (6), not (4, 2) (8)"),
    ("reshape(x, (4, -1))", "reshape needs a shape whose other sizes divide its input's 6 elements, not (4, -1)"),
])
def test_an_axis_index_or_shape_that_does_not_fit_is_a_binding_error_naming_the_shapes(gt, source, shown):
    scalar = "s" in build(source).variable_names
    bindings = ["-s", "2"] if scalar else ["-x", "[[1, 2, 3], [4, 5, 6]]"]
    result = gt(source, *bindings)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("gradtrace: binding error: ") and shown in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(BindingError):
        gradtrace.trace(source, **({"s": 2.0} if "-s" in bindings else {"x": [[1.0, 2, 3], [4, 5, 6]]}))


@pytest.mark.parametrize("source, kind", [("x[1.5]", "parse error"), ("x[5]", "binding error")])
def test_the_json_of_a_bad_form_is_one_error_object(source, kind):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "gradtrace", source, "-x", "[1, 2]", "--json"], capture_output=True,
                          text=True, timeout=60)
    data = json.loads(done.stdout)
    assert done.returncode == 2 and data["error"]["kind"] == kind and data["error"]["exit_code"] == 2


# ---- values and gradients: PyTorch float64 on random shapes ------------------------------------

def _torch():
    return needs.module("torch", "pip install torch==2.13.0")


def _random_index(rng, shape):
    """A random subscript for an array of this shape: per leading axis an integer or a slice."""
    items = []
    for n in shape[:rng.randint(1, len(shape))]:
        if rng.random() < 0.4:
            items.append(rng.randint(-n, n - 1))
            continue
        while True:
            start = rng.choice([None, rng.randint(-n, n - 1)])
            stop = rng.choice([None, rng.randint(-n, n)])
            step = rng.choice([None, 1, 2, -1, -2, 3])
            if range(n)[slice(start, stop, step)]:
                break
        items.append((start, stop, step))
    return tuple(items)


def _random_reshape(rng, shape):
    size = int(np.prod(shape))
    factors = [d for d in range(1, size + 1) if size % d == 0]
    a = rng.choice(factors)
    sizes = [a, size // a]
    if rng.random() < 0.5:
        sizes[rng.randrange(2)] = -1
    return tuple(sizes)


def _programs(seed, count):
    """(program, bindings) with the new ops on random shapes, often beside a broadcast."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        shape = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
        x = np.random.default_rng(rng.randrange(10**6)).normal(size=shape)
        kind = rng.choice(["sum", "mean", "reshape", "index"])
        if kind in ("sum", "mean"):
            axis = rng.randint(-len(shape), len(shape) - 1)
            term = f"{kind}(x * b, axis={axis})" if rng.random() < 0.5 else f"{kind}(x, {axis})"
        elif kind == "reshape":
            term = f"reshape(x * b, ({', '.join(map(str, _random_reshape(rng, shape)))}))"
        else:
            term = f"(x * b)[{index_text(_random_index(rng, shape))}]"
        bshape = shape[rng.randint(0, len(shape)):]  # b broadcast to x's shape: its sums show too
        bshape = tuple(1 if rng.random() < 0.3 else n for n in bshape)
        b = np.random.default_rng(rng.randrange(10**6)).normal(size=bshape)
        out.append((f"sum(sin({term}) * {term}) + sum(b)", {"x": x, "b": b}))
    return out


def _torch_run(torch, program, bindings):
    """The same computation in PyTorch, written by hand from the program's text (numpy's syntax
    is PyTorch's for these, but for mean's float dtype and negative steps, done by flip)."""
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in bindings.items()}
    t = gradtrace.trace(program, **bindings)
    values = {}
    for node in t.graph.nodes:
        if node.op is None:
            values[node.id] = tensors[node.name]
            continue
        args = [values[i] for i in node.inputs]
        values[node.id] = node.op.oracles.torch(torch, *args, *node.params)
    out = values[t.graph.output.id]
    grads = torch.autograd.grad(out, list(tensors.values()))
    return t, out.item(), {k: g.numpy() for k, g in zip(tensors, grads)}


@pytest.mark.parametrize("seed", range(6))
def test_values_and_gradients_match_pytorch_float64_on_random_shapes(seed):
    torch = _torch()
    for program, bindings in _programs(seed, 40):
        t, value, grads = _torch_run(torch, program, bindings)
        assert t.value == pytest.approx(value, rel=1e-12, abs=1e-12), program
        for name, g in grads.items():
            np.testing.assert_allclose(t.gradients[name], g, rtol=1e-10, atol=1e-12, err_msg=program)


def test_the_torch_oracles_are_pytorchs_own_ops():
    """The oracle of each new op is PyTorch's, not gradtrace's rule again: on a fixed case, torch's
    own indexing (negative steps by index_select), reshape and reductions give the numpy answer."""
    torch = _torch()
    x = np.arange(24.0).reshape(2, 3, 4)
    tx = torch.tensor(x)
    for index in [((None, None, -1), 1), (0, (1, None, 2)), ((None, None, None), (None, None, None), -1)]:
        from gradtrace.core.ops import _subscript

        np.testing.assert_array_equal(OPS["index"].oracles.torch(torch, tx, index).numpy(), x[_subscript(index)])
    np.testing.assert_array_equal(OPS["reshape"].oracles.torch(torch, tx, (4, -1)).numpy(), x.reshape(4, -1))
    for axis in (None, 0, -1):
        np.testing.assert_allclose(OPS["mean"].oracles.torch(torch, tx, axis).numpy(), x.mean(axis=axis))
        np.testing.assert_allclose(OPS["sum"].oracles.torch(torch, tx, axis).numpy(), x.sum(axis=axis))


@pytest.mark.parametrize("program", ["sum(x[:, 1])", "x[0, 2]", "sum(x[::-1] * w)", "sum(reshape(x, (3, 2)) @ v)",
                                     "sum(sum(x, axis=0) * u)", "sum(mean(x, -1) * w)", "mean(x)", "sum(x)"])
def test_gradients_match_central_differences(program):
    rng = np.random.default_rng(3)
    bindings = {"x": rng.normal(size=(2, 3)), "w": rng.normal(size=(2, 1)), "v": rng.normal(size=2),
                "u": rng.normal(size=3)}
    used = build(program).variable_names
    bindings = {k: v for k, v in bindings.items() if k in used}
    t = gradtrace.trace(program, **bindings)
    h = 1e-6
    for name, value in bindings.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(*value.shape):
            plus, minus = dict(bindings), dict(bindings)
            plus[name], minus[name] = value.copy(), value.copy()
            plus[name][idx] += h
            minus[name][idx] -= h
            numeric[idx] = (gradtrace.trace(program, **plus).value - gradtrace.trace(program, **minus).value) / (2 * h)
        np.testing.assert_allclose(t.gradients[name], numeric, rtol=1e-6, atol=1e-8)


# ---- the sum back to a broadcast input's shape: in the Trace -----------------------------------

@pytest.mark.parametrize("xs, bs", [((3, 2), (2,)), ((3, 2), ()), ((3, 2), (3, 1)), ((4, 3, 2), (3, 1)),
                                    ((2, 3), (1, 1)), ((2, 1, 4), (3, 1))])
def test_the_trace_records_each_sum_back_to_a_broadcast_inputs_shape(xs, bs):
    rng = np.random.default_rng(1)
    x, b = rng.normal(size=xs), rng.normal(size=bs)
    t = gradtrace.trace("sum(x * b)", x=x, b=b)
    row = t.node("t1")
    out_shape = np.broadcast_shapes(xs, bs)
    for slot, (name, value) in enumerate((("x", x), ("b", b))):
        summed = row.summed(slot)
        if np.shape(value) == out_shape:
            assert summed is None
            continue
        assert summed.before == out_shape and summed.after == np.shape(value)
        # The axes are exactly those numpy's broadcasting added or stretched.
        lead = len(out_shape) - len(np.shape(value))
        stretched = [lead + k for k, n in enumerate(np.shape(value)) if n == 1 and out_shape[lead + k] != 1]
        assert summed.axes == (*range(lead), *stretched)
        # upstream × local before the sum, and the downstream gradient is its sum over those axes.
        other = b if name == "x" else x
        np.testing.assert_allclose(summed.unsummed, np.broadcast_to(other, out_shape) * 1.0)
        total = np.sum(summed.unsummed, axis=summed.axes).reshape(np.shape(value))
        np.testing.assert_allclose(row.downstream[slot], total)


def test_a_batched_matmul_sums_its_batch_back_too():
    rng = np.random.default_rng(2)
    t = gradtrace.trace("sum(A @ B)", A=rng.normal(size=(5, 2, 3)), B=rng.normal(size=(3, 4)))
    row = t.node(t.output).node
    matmul = t.row(row.inputs[0])
    assert matmul.summed(0) is None
    summed = matmul.summed(1)
    assert (summed.axes, summed.before, summed.after) == ((0,), (5, 3, 4), (3, 4))
    np.testing.assert_allclose(np.sum(summed.unsummed, axis=0), t.gradients["B"])


@pytest.mark.parametrize("program, bindings", [
    ("(x+y)*z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    ("sum(x * y)", {"x": [[1.0, 2.0]], "y": [[3.0, 4.0]]}),
    ("sum(W @ x) + sum(x[1:]) + mean(reshape(W, (4,)))", {"W": [[1.0, 2.0], [3.0, 4.0]], "x": [1.0, -1.0]}),
])
def test_no_broadcast_no_sums(program, bindings):
    t = gradtrace.trace(program, **bindings)
    assert not t.sums
    assert all(row.summed(k) is None for row in t.nodes for k in range(len(row.inputs)))


# ---- ... and shown: the table, --explain, markdown, the page, JSON ------------------------------

BROADCAST = ["sum(x * b + c)", "-x", "[[1, 2], [3, 4], [5, 6]]", "-b", "[1, -1]", "-c", "0.5"]


def test_the_table_shows_upstream_times_local_then_the_sum(gt):
    lines = gt(*BROADCAST).stdout.splitlines()
    b_line = next(k for k, line in enumerate(lines) if "∂t1/∂b = x" in line)
    assert lines[b_line].rstrip().endswith("[[1, 2], [3, 4], [5, 6]]")  # upstream × local, (3, 2)
    assert "↳ sum over axis 0: (3, 2) → (2,)" in lines[b_line + 1] and lines[b_line + 1].rstrip().endswith("[9, 12]")
    c_line = next(k for k, line in enumerate(lines) if "∂t2/∂c = 1" in line)
    assert "↳ sum over axes 0, 1: (3, 2) → ()" in lines[c_line + 1] and lines[c_line + 1].rstrip().endswith(" 6")
    assert sum("↳" in line for line in lines) == 2  # x has the gate's shape: no sum


def test_the_narrow_table_stacks_the_sum_too(gt):
    out = gt(*BROADCAST, env={"COLUMNS": "60"}).stdout
    assert "↳ sum over axis 0: (3, 2) → (2,), downstream [9, 12]" in " ".join(out.split())


def test_explain_says_the_input_was_broadcast_and_sums_it_back(gt):
    out = gt(*BROADCAST, "--explain").stdout
    assert ("∂t1/∂b = x = [[1, 2], [3, 4], [5, 6]], so upstream × local = ∂f/∂t1 ⊙ ∂t1/∂b = "
            "[[1, 1], [1, 1], [1, 1]] ⊙ [[1, 2], [3, 4], [5, 6]] = [[1, 2], [3, 4], [5, 6]]") in out
    assert ("   b was broadcast from (2,) to (3, 2), so its gradient is summed back: sum over axis 0: "
            "(3, 2) → (2,), ∂f/∂b = [9, 12]") in out.splitlines()
    assert "c was broadcast from () to (3, 2), so its gradient is summed back: sum over axes 0, 1: (3, 2) → (), " \
           "∂f/∂c = 6" in out
    assert "∂f/∂x = ∂f/∂t1 ⊙ ∂t1/∂x" in out  # x was not broadcast: told as before


@pytest.mark.parametrize("args, expected", [
    # the output itself, its upstream the seed: the local gradient, then the sum
    (["x * b", "-x", "[[1, 2], [3, 4]]", "-b", "[1, -1]", "--upstream", "ones"],
     ["   ∂f/∂b = x = [[1, 2], [3, 4]]", "   b was broadcast from (2,) to (2, 2), so its gradient is summed back: "
                                        "sum over axis 0: (2, 2) → (2,), ∂f/∂b = [4, 6]"]),
    (["x * b", "-x", "[[1, 2], [3, 4]]", "-b", "[1, -1]", "--upstream", "2"],
     ["   b was broadcast from (2,) to (2, 2), so its gradient is summed back: sum over axis 0: (2, 2) → (2,), "
      "∂f/∂b = [8, 12]"]),
    # an array op's vector-Jacobian product, summed over the batch
    (["sum(A @ B)", "-A", "[[[1, 0], [0, 1]], [[2, 0], [0, 2]]]", "-B", "[[1, 2], [3, 4]]"],
     ["   ∂f/∂B: the Jacobian ∂t1/∂B is block-structured: sends Aᵀ·upstream, so it sends Aᵀ·up: "
      "(2×2×2)(2×2×2) → 2×2×2 = [[[1, 1], [1, 1]], [[2, 2], [2, 2]]]",
      "   B was broadcast from (2, 2) to (2, 2, 2), so its gradient is summed back: sum over "
      "axis 0: (2, 2, 2) → (2, 2), ∂f/∂B = [[3, 3], [3, 3]]"]),
    # a copy gate's part: said on the line that gives the part
    (["sum(b * x) + sum(b)", "-x", "[[1, 2], [3, 4]]", "-b", "[1, -1]"],
     ["   b was broadcast from (2,) to (2, 2), so its gradient is summed back: sum over axis 0: (2, 2) → (2,), "
      "∂f/∂b = [4, 6] (part 1 of the 2 that add up to ∂f/∂b)"]),
])
def test_explain_tells_the_sum_wherever_it_happens(gt, args, expected):
    lines = gt(*args, "--explain").stdout.splitlines()
    for line in expected:
        assert line in lines, (line, lines)


def test_markdown_shows_the_sum(gt):
    out = gt(*BROADCAST, "--format", "markdown").stdout
    row = next(line for line in out.splitlines() if line.startswith("| $t_{1}$"))
    assert r"↳ sum over axis 0\: \(3\, 2\) → \(2\,\)" in row


def test_the_page_shows_the_sum_in_its_table_and_walk(gt, tmp_path):
    needs.program("dot", "graphviz")
    path = tmp_path / "page.html"
    assert gt(*BROADCAST, "--html", str(path)).exit_code == 0
    page = path.read_text(encoding="utf-8")
    assert "<small>↳ sum over axis 0: (3, 2) → (2,)</small>" in page
    assert "[[1, 2], [3, 4], [5, 6]]<br>[9, 12]" in page  # upstream × local, then the sum
    assert "b was broadcast from (2,) to (3, 2), so its gradient is summed back" in page


def test_json_gives_a_broadcasting_gate_its_sums_and_no_other_node(gt):
    import jsonschema

    from gradtrace.core.trace import SCHEMA_VERSION  # noqa: F401  (the contract is still version 1)

    data = json.loads(gt(*BROADCAST, "--json").stdout)
    from importlib.resources import files

    jsonschema.validate(data, json.loads(files("gradtrace").joinpath("schema/trace.schema.json").read_text()))
    sums = {node["name"]: node.get("sums") for node in data["nodes"]}
    assert sums == {"f": None, "t2": [None, {"axes": [0, 1], "from": [3, 2], "to": []}], "c": None,
                    "t1": [None, {"axes": [0], "from": [3, 2], "to": [2]}], "b": None, "x": None}


@pytest.mark.parametrize("args", [
    ["sum((W @ x)**2)", "-W", "[[0.1,0.5],[-0.3,0.8]]", "-x", "[0.2,0.4]"],
    ["sum(x[:, 1] * y) + mean(reshape(x, (3, 2)), axis=0)[1]", "-x", "[[1, 2, 3], [4, 5, 6]]", "-y", "[1, 2]"],
    ["cross_entropy(X @ W, y)", "-X", "[[1, 2], [3, 4]]", "-W", "[[1, 0, 1], [0, 1, 1]]", "-y", "[0, 2]"],
])
@pytest.mark.parametrize("view", [[], ["--explain"], ["--explain", "forward"], ["--format", "markdown"], ["--json"],
                                  ["--format", "csv"], ["--jacobian"]])
def test_without_a_broadcast_input_the_output_is_what_it_was(gt, monkeypatch, args, view):
    """A program with no broadcast input prints exactly what it printed before the sums were
    recorded: as a trace that carries none."""
    from gradtrace.core import engine

    shown = gt(*args, *view)
    assert shown.exit_code == 0, shown.stderr
    assert "↳" not in shown.stdout and "broadcast from" not in shown.stdout and '"sums"' not in shown.stdout
    monkeypatch.setattr(engine, "Sums", lambda *a: None)
    assert gt(*args, *view).stdout == shown.stdout


def test_in_korean(gt):
    out = gt("--lang", "ko", *BROADCAST, "--explain").stdout
    assert "b은(는) (2,)에서 (3, 2)(으)로 broadcast되었으므로 gradient를 다시 더해 돌려줍니다: 축 0에 대해 합: " \
           "(3, 2) → (2,), ∂f/∂b = [9, 12]" in out
    err = gt("--lang", "ko", "x[1.5]", "-x", "[1, 2]").stderr
    assert "인덱스는 정수여야 합니다. 1.5은(는) 정수가 아닙니다" in err


def test_every_new_op_is_in_the_shapes_it_is_tested_at():
    """The ops this issue added are each drawn by the random programs above."""
    drawn = " ".join(program for seed in range(6) for program, _ in _programs(seed, 40))
    for form in ("sum(x, ", "sum(x * b, axis=", "mean(x, ", "reshape(", ")[", "::-", "-1"):
        assert form in drawn, form
    assert set(itertools.chain(*(build(p).ops for p, _ in _programs(0, 40)))) >= {OPS[n] for n in
                                                                                 ("sum", "mean", "reshape", "index")}


def test_a_gate_with_no_notes_has_none_in_korean(gt):
    """mean has no notes: --explain in Korean said the catalog's header there (gettext's answer to
    the empty message), and now says nothing, as in English."""
    for program in ("mean(exp(x))", "mean(x, axis=0)[1]"):
        out = gt("--lang", "ko", program, "-x", "[[1, 2], [3, 4]]", "--explain").stdout
        assert "Project-Id-Version" not in out and "1. f = " in out


def test_answers_are_graded_and_the_float_noise_runs_leave_axes_shapes_and_indices_alone(gt):
    """--expect re-runs the program with every constant moved by a few ulps to measure rounding
    noise; an axis, a shape or an index given as a keyword is an integer, never moved."""
    from gradtrace.modes.answers import float_noise

    program = "sum(mean(reshape(x, shape=(2, 3)), axis=1) * x[1:3]) + sum(x[::2], axis=0)"
    t = gradtrace.trace(program, x=[1.0, 2, 3, 4, 5, 6])
    _values, upstream = float_noise(t)  # a moved axis or index would fail here (numpy takes no float one)
    assert np.shape(upstream[0]) == (6,) and np.all(np.isfinite(upstream[0]))
    # by hand: m = row means [2, 5], f = m0·x1 + m1·x2 + x0 + x2 + x4
    np.testing.assert_allclose(t.gradients["x"], [2 / 3 + 1, 2 / 3 + 2, 2 / 3 + 5 + 1, 1, 1 + 1, 1])
    right = gt(program, "-x", "[1, 2, 3, 4, 5, 6]", "--expect", "x=[1.667, 2.667, 6.667, 1, 2, 1]")
    assert right.exit_code == 0 and "✓" in right.stdout, right.stdout
    wrong = gt(program, "-x", "[1, 2, 3, 4, 5, 6]", "--expect", "x=[1.667, 2.667, 6.667, 1, 2, 2]")
    assert wrong.exit_code == 3
