"""gradtrace.Value, micrograd's Value as a drop-in, and tracing a Python function.

micrograd's own engine test cases run on it against PyTorch; micrograd's own nn.py, its import
rewired to gradtrace's Value, trains an MLP on a moons data set with micrograd's loss curve; where
micrograd has a known flaw (children in a set, recursion, backward() twice) the drop-in does the
right thing; every Value graph traces into gradtrace's graph, and a Python function and its text
spelling make the same graph with the same gradients."""

import gc
import importlib.util
import io
import math
import random
import subprocess
import sys
from math import tanh
from pathlib import Path

import numpy as np
import pytest
from needs import module, program
from rich.console import Console

import gradtrace
from gradtrace import Value
from gradtrace.core.ops import FUNCTIONS
from gradtrace.render import FORMATS, WITH_EXPLANATION, Options, display, render
from gradtrace.render import html as page

# ---- micrograd's engine tests, on gradtrace's Value, against PyTorch ------------------------------
# The cases of micrograd's test/test_engine.py (test_sanity_check, test_more_ops, and tanh and exp),
# each written once as a function of the leaves, run on Values and on float64 tensors.


def _sanity(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _more_ops(a, b):
    c = a + b
    d = a * b + b**3
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + (b + a).relu())
    d = d + (3 * d + (b - a).relu())
    e = c - d
    f = e**2
    g = f / 2.0
    return g + 10.0 / f


def _more_ops_in_place(a, b):
    """micrograd's own spelling, with +=, which a Value takes as c = c + (...)."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def _torch_leaf(torch, x):
    return torch.tensor([x], dtype=torch.float64, requires_grad=True)


def test_micrograds_sanity_check_against_pytorch():
    torch = module("torch", "pip install torch==2.13.0")
    x = Value(-4.0)
    y = _sanity(x)
    y.backward()
    xt = _torch_leaf(torch, -4.0)
    yt = _sanity(xt)
    yt.backward()
    assert y.data == yt.item()
    assert x.grad == xt.grad.item()


@pytest.mark.parametrize("program", [_more_ops, _more_ops_in_place])
def test_micrograds_more_ops_against_pytorch(program):
    torch = module("torch", "pip install torch==2.13.0")
    a, b = Value(-4.0), Value(2.0)
    g = program(a, b)
    g.backward()
    at, bt = _torch_leaf(torch, -4.0), _torch_leaf(torch, 2.0)
    gt = _more_ops(at, bt)
    gt.backward()
    assert g.data == pytest.approx(gt.item(), rel=1e-12)
    assert a.grad == pytest.approx(at.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(bt.grad.item(), rel=1e-12)


@pytest.mark.parametrize("name", ["tanh", "exp"])
@pytest.mark.parametrize("x", [-1.0, 0.123, 2.0])
def test_micrograds_unary_functions_against_pytorch(name, x):
    torch = module("torch", "pip install torch==2.13.0")
    v = Value(x)
    y = getattr(v, name)()
    y.backward()
    xt = _torch_leaf(torch, x)
    yt = getattr(xt, name)()
    yt.backward()
    assert y.data == pytest.approx(yt.item(), rel=1e-15)
    assert v.grad == pytest.approx(xt.grad.item(), rel=1e-14)


def test_the_engine_cases_agree_with_micrograd_itself():
    engine = module("micrograd.engine", "pip install -e '.[test]'")
    for case, leaves in ((_sanity, (-4.0,)), (_more_ops, (-4.0, 2.0)), (_more_ops_in_place, (-4.0, 2.0))):
        ours, theirs = [Value(x) for x in leaves], [engine.Value(x) for x in leaves]
        out, peer = case(*ours), case(*theirs)
        out.backward()
        peer.backward()
        assert out.data == pytest.approx(peer.data, rel=1e-14)
        for a, b in zip(ours, theirs):
            assert a.grad == pytest.approx(b.grad, rel=1e-12)


# ---- micrograd's nn.py, its import rewired, trains on moons ---------------------------------------

def _load_bench_value():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_value.py"
    spec = importlib.util.spec_from_file_location("bench_value", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


bench_value = _load_bench_value()  # the demo's data and step, as the benchmark times them
moons = bench_value.moons


def micrograd_nn(value_class):
    """micrograd's own nn.py, unchanged, its `from micrograd.engine import Value` answered with
    value_class (micrograd's own Value gives micrograd itself)."""
    module("micrograd.nn", "pip install -e '.[test]'")
    loaded = bench_value.micrograd_nn(value_class)
    assert loaded.Value is value_class
    return loaded


def train(value_class, X, y, sizes, steps, seed=1337):
    """micrograd's demo: an MLP, the SVM max-margin loss with L2 regularization, and SGD with a
    decaying learning rate; the loss at every step and the trained parameters."""
    nn = micrograd_nn(value_class)
    random.seed(seed)
    model = nn.MLP(2, sizes)
    curve = []
    gc.disable()  # collected once a step instead: the collector would walk micrograd's graphs over and over
    try:
        for k in range(steps):
            curve.append(bench_value.step(value_class, model, X, y, k))
            gc.collect()  # micrograd's graph is a web of closures that only the collector frees
    finally:
        gc.enable()
    return curve, [float(p.data) for p in model.parameters()]


def _same_training(X, y, sizes, steps):
    engine = module("micrograd.engine", "pip install -e '.[test]'")
    ours, our_parameters = train(Value, X, y, sizes, steps)
    theirs, their_parameters = train(engine.Value, X, y, sizes, steps)
    assert len(ours) == steps
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-300), f"step {k}: {a} against micrograd's {b}"
    assert our_parameters == pytest.approx(their_parameters, rel=1e-9, abs=1e-12)
    assert ours[-1] < 0.5 * ours[0]  # it learns


def test_micrograds_nn_trains_with_micrograds_loss_curve():
    X, y = moons(30)  # numpy arrays, as the demo's
    _same_training(X, y, [8, 8, 1], 12)


@pytest.mark.slow
def test_micrograds_demo_trains_100_steps_on_100_moons_with_micrograds_loss_curve():
    X, y = moons(100)
    _same_training(X.tolist(), y.tolist(), [16, 16, 1], 100)


# ---- where micrograd has a flaw ----------------------------------------------------------------------

def test_children_are_kept_in_order_and_a_value_used_twice_is_two_edges():
    a, b = Value(3.0), Value(4.0)
    assert (a * b)._prev == (a, b) and (b * a)._prev == (b, a)
    square = a * a
    assert square._prev == (a, a)
    square.backward()
    assert a.grad == 6.0


def test_backward_twice_adds_at_the_leaves_and_recomputes_the_rest():
    x, w = Value(2.0), Value(-3.0)
    h = x * w
    out = h.relu() + h * h
    out.backward()
    first = (x.grad, w.grad, h.grad, out.grad)
    out.backward()
    assert (h.grad, out.grad) == first[2:]  # computed afresh, not doubled
    assert (x.grad, w.grad) == (2 * first[0], 2 * first[1])  # leaves add up, as micrograd's and PyTorch's
    x.grad = w.grad = 0  # a training loop's zero_grad
    out.backward()
    assert (x.grad, w.grad, h.grad, out.grad) == first


def test_a_chain_100000_deep_goes_backward_without_recursion():
    x = Value(0.5)
    v = x
    for _ in range(100_000):
        v = v * 1.0 + 0.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # nothing may recurse per node
    try:
        v.backward()
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad == 1.0


@pytest.mark.slow
def test_a_chain_100000_deep_traces_without_recursion():
    x = Value(0.5, label="x")
    v = x
    for _ in range(100_000):
        v = (v * 1.0000001).tanh() + 0.001
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(300)  # the walk, the builder and the engine never recurse per node
    try:
        t = v.trace()
    finally:
        sys.setrecursionlimit(limit)
    v.backward()
    assert len(t.nodes) == 300_001 and t.value == v.data
    assert t.gradients["x"] == pytest.approx(x.grad, rel=1e-12)


def test_a_and_b_are_a_sub_gate_and_a_div_gate_with_micrographs_numbers():
    engine = module("micrograd.engine", "pip install -e '.[test]'")
    a, b = Value(3.0), Value(7.0)
    for out, peer in ((a - b, engine.Value(3.0) - engine.Value(7.0)), (a / b, engine.Value(3.0) / engine.Value(7.0)),
                      (-a, -engine.Value(3.0)), (2 / b, 2 / engine.Value(7.0)), (a / 7, engine.Value(3.0) / 7)):
        assert out.data == pytest.approx(peer.data, rel=1e-15)
    ops = [v._op for v in (a - b, a / b, -a, a * 2, 2 * a, a + 1, a ** 2)]
    assert ops == ["-", "/", "neg", "*2", "*2", "+1", "**2"]
    assert (a - b)._prev == (a, b) and (a + 1)._prev == (a,)


# ---- micrograd's API ---------------------------------------------------------------------------------

def test_the_constructor_the_attributes_and_the_repr_are_micrographs():
    a = Value(2, label="a")
    assert (a.data, a.grad, a.label, a._prev, a._op) == (2.0, 0.0, "a", (), "")
    assert type(a.data) is float and repr(a) == "Value(data=2.0, grad=0.0)"
    b = Value(np.float64(0.5))
    assert type(b.data) is float
    c = Value(a.data + b.data, (a, b), "+", label="c")  # made by hand, as the lecture does
    assert c._prev == (a, b) and c._op == "+" and c.label == "c"


def test_the_lectures_manual_backward_steps():
    x1, x2, w1, w2, b = Value(2.0), Value(0.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.grad = 1.0
    o._backward()
    assert n.grad == pytest.approx(0.5, abs=1e-6)
    order = []
    stack, seen = [o], set()
    while stack:  # every node below o, each after all that use it
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            order.append(v)
            stack.extend(v._prev)
    for v in order[1:]:
        v._backward()
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0), abs=1e-6)


def test_an_op_made_by_hand_with_its_own_backward_closure():
    x = Value(0.3, label="x")
    s = 1 / (1 + math.exp(-x.data))
    out = Value(s, (x,), "sigmoid")

    def _backward():
        x.grad += s * (1 - s) * out.grad
    out._backward = _backward
    (out * 2).backward()
    assert x.grad == pytest.approx(2 * s * (1 - s), rel=1e-15)
    t = out.trace()  # its _op names a function of the op table: it traces as that gate
    assert t.node(t.output).op == "sigmoid" and t.gradients["x"] == pytest.approx(s * (1 - s), rel=1e-15)
    with pytest.raises(ValueError, match="'mystery'"):
        Value(1.0, (x,), "mystery").trace()


def test_numbers_of_other_types_mix_with_values():
    x = Value(2.0)
    for out in (np.float64(3) * x, x * np.float64(3), np.int64(3) * x, x + np.float32(0.5), x - np.int8(1)):
        assert isinstance(out, Value) and type(out.data) is float
    from fractions import Fraction

    assert (x * Fraction(1, 2)).data == 1.0
    with pytest.raises(TypeError):
        x + "1"
    with pytest.raises(TypeError, match="real number"):
        Value("3")
    with pytest.raises(ValueError, match="not a real number"):
        Value(-8.0) ** (1 / 3)
    assert (Value(0.0) ** 0).data == 1.0


def test_powers_with_a_value_exponent_and_a_constant_base():
    x, y = Value(2.0), Value(3.0)
    out = x ** y + 2 ** y
    out.backward()
    assert out.data == 16.0
    assert x.grad == pytest.approx(3 * 4.0) and y.grad == pytest.approx(math.log(2) * 8 + math.log(2) * 8)
    with pytest.raises(ValueError, match="positive base"):
        Value(-2.0) ** y


def test_import_gradtrace_and_values_stay_light():
    code = ("import sys, gradtrace\nfrom gradtrace import Value, relu\nv = relu(Value(2.0) * 3 - 1)\nv.backward()\n"
            "print(sorted(m for m in ('sympy', 'numpy', 'graphviz', 'rich', 'click') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


# ---- gradtrace's functions -----------------------------------------------------------------------------

SCALAR = sorted(name for name, op in FUNCTIONS.items() if not op.arrays_only and name.isidentifier())


def _point(op):
    """Inputs inside the op's domain, away from kinks, and the keyword parameters it needs."""
    xs = (0.7, 1.3)[: 2 if op.variadic else op.arity]
    keywords = {key: (default if default is not None else (-1.0 if key == "lo" else 1.0))
                for key, default in op.keyword_params}
    return xs, keywords


@pytest.mark.parametrize("name", SCALAR)
def test_every_scalar_function_of_the_op_table_works_on_values_and_numbers(name):
    op = FUNCTIONS[name]
    function = getattr(gradtrace, name)
    xs, keywords = _point(op)
    leaves = [Value(x) for x in xs]
    out = function(*leaves, **keywords)
    out.backward()
    params = ((),) if op.variadic else tuple(keywords[k] for k, _ in op.keyword_params)
    expected = op.apply(gradtrace.core.ops.scalar, xs, params)
    assert out.data == pytest.approx(expected, rel=1e-15)
    local = op.local(gradtrace.core.ops.scalar, expected, xs, params)
    assert [v.grad for v in leaves] == pytest.approx(list(local), rel=1e-14)
    on_numbers = function(*xs, **keywords)
    assert type(on_numbers) is float and on_numbers == pytest.approx(expected, rel=1e-15)
    t = out.trace()  # the same gate in the trace, with the same gradients
    assert t.node(t.output).op == op.name
    assert list(t.gradients.values()) == pytest.approx(list(local), rel=1e-14)


def test_one_input_functions_are_methods_too_and_numpy_calls_them():
    x = Value(0.5)
    assert x.sigmoid().data == gradtrace.sigmoid(0.5)
    assert np.log(x).data == math.log(0.5) and isinstance(np.sin(x), Value)
    assert abs(Value(-2.0)).data == 2.0


def test_a_function_outside_its_domain_or_called_wrongly_says_so():
    with pytest.raises(ValueError, match="log needs a positive input"):
        gradtrace.log(Value(-1.0))
    with pytest.raises(TypeError, match="alpha"):
        gradtrace.leaky_relu(Value(1.0), beta=2)
    with pytest.raises(TypeError, match="constant"):
        gradtrace.leaky_relu(Value(1.0), alpha=Value(0.2))
    with pytest.raises(TypeError, match="lo and hi"):
        gradtrace.clip(Value(1.0))


# ---- every Value is a traceable graph ------------------------------------------------------------------

def _lecture():
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    return f


def test_a_values_trace_has_the_lectures_numbers():
    f = _lecture()
    t = f.trace()
    table = display.text(t)
    assert t.graph.text == "q = x + y; f = q*z"
    for row in ("f     q * z       -12         1  ∂f/∂q = z = -4          -4  switcher",
                "                                 ∂f/∂z = q = 3            3",
                "q     x + y         3        -4  ∂q/∂x = 1               -4  distributor",
                "x     input        -2        -4",
                "f = -12    ∂f/∂x = -4    ∂f/∂y = -4    ∂f/∂z = 3"):
        assert row in table, table
    assert gradtrace.trace(f).gradients == t.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert t.node("q").patterns == ("distributor",)


def test_a_trace_takes_trace_options_and_is_the_texts():
    f = _lecture()
    assert not f.trace(check=True).check.failed
    graded = f.trace(expect={"x": -4, "z": 4})
    assert [a.correct for a in graded.answers] == [True, False]
    symbolic = f.trace(mode="symbolic")
    assert str(symbolic.node("x").upstream) == "z"
    text = gradtrace.trace("q = x + y; f = q * z", x=-2, y=5, z=-4)
    assert display.text(f.trace()).splitlines()[1:] == display.text(text).splitlines()[1:]
    with pytest.raises(TypeError, match="no bindings"):
        gradtrace.trace(f, x=3)


@pytest.mark.parametrize("name", FORMATS)
def test_every_renderer_and_the_page_read_a_values_trace(name):
    f = _lecture()
    out = io.StringIO()
    explain = "backward" if name in WITH_EXPLANATION else None
    render(f.trace(check=True), name, Options(out.write, console=Console(file=out, width=120, color_system=None),
                                              explain=explain))
    text = out.getvalue()
    assert "q" in text and "-12" in text, text[:500]
    if explain:
        assert "switcher" in text, text[:2000]


def test_the_page_of_a_values_trace():
    program("dot", "graphviz")
    assert "<svg" in page.render(_lecture().trace())


def test_a_trace_reads_the_leaves_data_now():
    x = Value(1.0, label="x")
    out = x * x
    x.data = 3.0
    assert out.trace().value == 9.0


def test_labels_that_are_not_names_and_unlabelled_nodes_are_named_as_the_parser_names():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    n = x1w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    t = o.trace()
    assert t.graph.text == "n = x1*w1 + x2*w2 + b; o = tanh(n)"
    assert [(r.name, r.expr) for r in t.nodes if not r.is_input] == [
        ("o", "tanh(n)"), ("n", "t3 + b"), ("t3", "t1 + t2"), ("t2", "x2 * w2"), ("t1", "x1 * w1")]
    assert "'x1*w1'" in t.graph.notes[-1]
    assert t.gradients == pytest.approx({"x1": -1.5, "x2": 0.5, "w1": 1.0, "w2": 0.0, "b": 0.5}, abs=1e-6)
    shared = Value(2.0) * Value(3.0)
    out = shared * shared + shared
    t = out.trace()
    assert (t.graph.text, t.output) == ("t1 = v1*v2; t1*t1 + t1", "f")
    assert t.node("t1").patterns == ("switcher", "adder") and t.gradients == {"v1": 39.0, "v2": 26.0}


def test_micrographs_first_example_its_labels_and_labels_that_clash():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"  # named like the constant e: the program's own e from there on
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    t = L.trace()
    assert (t.graph.text, t.value) == ("e = a*b; d = e + c; L = d*f", -8.0)
    assert t.gradients == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}
    assert gradtrace.trace(L, output="d").gradients == {"a": -3.0, "b": 2.0, "c": 1.0}
    leaf = Value(3.0, label="x")
    assert (leaf.trace().graph.text, leaf.trace().gradients) == ("x", {"x": 1.0})
    twice = Value(1.0, label="b") * Value(2.0, label="b")
    t = twice.trace()
    assert t.graph.text == "b*v1" and "'b'" in t.graph.notes[-1]
    with pytest.raises(ValueError, match="not a finite number"):
        (Value(1.0) * math.inf).trace()
    with pytest.raises(ValueError, match="NaN"):
        Value(float("nan")).trace()


def test_values_gradients_and_traces_agree_on_random_programs():
    rng = random.Random(7)
    ops = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (b * b + 1),
           lambda a, b: (a * 0.5).tanh() + b, lambda a, b: a.relu() * b, lambda a, b: (a * 0.3).exp() - 2 * b,
           lambda a, b: gradtrace.sigmoid(a) * b ** 2, lambda a, b: 3 - a / 2 + abs(b)]
    for _ in range(40):
        leaves = [Value(rng.uniform(-2, 2), label=f"x{k}") for k in range(4)]
        pool = list(leaves)
        for _ in range(rng.randint(1, 12)):
            pool.append(rng.choice(ops)(rng.choice(pool), rng.choice(pool)))
        out = pool[-1]
        out.backward()
        t = out.trace()
        assert t.value == pytest.approx(out.data, rel=1e-14)
        for leaf in leaves:
            if leaf.label in t.gradients:
                assert t.gradients[leaf.label] == pytest.approx(leaf.grad, rel=1e-12, abs=1e-14)


def test_draw_dot_is_micrographs_call_with_gradtraces_picture():
    f = _lecture()
    dot = gradtrace.draw_dot(f)
    assert dot.source.startswith("digraph") and "rankdir=LR" in dot.source and "switcher" in dot.source
    assert "rankdir=TB" in gradtrace.draw_dot(f, rankdir="TB").source
    with pytest.raises(ValueError, match="rankdir"):
        gradtrace.draw_dot(f, rankdir="up")
    program("dot", "graphviz")
    assert gradtrace.draw_dot(f, format="svg").pipe().startswith(b"<?xml")


# ---- tracing a Python function --------------------------------------------------------------------------

def _same(a, b):
    """Two traces of one graph: the same nodes (names, ops, inputs), values and gradients."""
    nodes = {r.name: (r.op, r.inputs) for r in a.nodes}
    assert nodes == {r.name: (r.op, r.inputs) for r in b.nodes}
    assert a.output == b.output
    for name in nodes:
        assert a.node(name).value == pytest.approx(b.node(name).value, rel=1e-15)
        assert a.node(name).upstream == pytest.approx(b.node(name).upstream, rel=1e-15)
    assert a.gradients == pytest.approx(b.gradients, rel=1e-15)


def _labelled(value, label):
    value.label = label
    return value


SPELLINGS = [  # (text, the same program in Python, bindings)
    ("(x+y)*z", lambda x, y, z: (x + y) * z, {"x": -2, "y": 5, "z": -4}),
    ("q = x + y; f = q * z", lambda x, y, z: _labelled(x + y, "q") * z, {"x": -2, "y": 5, "z": -4}),
    ("x - y", lambda x, y: x - y, {"x": 3, "y": 7}),
    ("x / y", lambda x, y: x / y, {"x": 3, "y": 7}),
    ("-x * y", lambda x, y: -x * y, {"x": 3, "y": 7}),
    ("2*x + 1", lambda x: 2 * x + 1, {"x": 0.5}),
    ("x*2 - 1", lambda x: x * 2 - 1, {"x": 0.5}),
    ("1 - x/4", lambda x: 1 - x / 4, {"x": 0.5}),
    ("x**2 + 2**x", lambda x: x ** 2 + 2 ** x, {"x": 1.5}),
    ("1/x", lambda x: 1 / x, {"x": 1.5}),
    ("x*x + x", lambda x: x * x + x, {"x": 1.5}),
    ("exp(x) + tanh(y)", lambda x, y: x.exp() + y.tanh(), {"x": 0.5, "y": -0.3}),
    ("relu(x*w + b)", lambda x, w, b: (x * w + b).relu(), {"x": 2, "w": -1.5, "b": 4}),
    ("sigmoid(w0*x0 + w1*x1 + w2)", lambda w0, x0, w1, x1, w2: gradtrace.sigmoid(w0 * x0 + w1 * x1 + w2),
     {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}),
    ("log(x) * sqrt(y)", lambda x, y: gradtrace.log(x) * gradtrace.sqrt(y), {"x": 2, "y": 9}),
    ("max(x, 0, y) + abs(x)", lambda x, y: gradtrace.max(x, 0, y) + abs(x), {"x": -2, "y": 3}),
    ("leaky_relu(x, alpha=0.2) + x**y", lambda x, y: gradtrace.leaky_relu(x, alpha=0.2) + x ** y, {"x": 2, "y": 3}),
    ("a = x*y; b = a + 1; f = a * b", lambda x, y: (lambda a: a * _labelled(a + 1, "b"))(_labelled(x * y, "a")),
     {"x": 2, "y": 3}),
    ("t1 = x*y; f = t1*t1 + t1", lambda x, y: (lambda a: a * a + a)(x * y), {"x": 2, "y": 3}),
    ("exp(x) * 2 + tanh(x)", lambda x: math.exp(x) * 2 + tanh(x), {"x": 0.5}),  # math's, intercepted
]


@pytest.mark.parametrize(("text", "function", "bindings"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_the_python_and_text_spellings_of_a_program_make_the_same_graph_and_gradients(text, function, bindings):
    _same(gradtrace.trace(function, **bindings), gradtrace.trace(text, **bindings))


def test_the_functions_parameters_name_the_inputs_and_its_name_the_output():
    def neuron(x, w, b=0.0):
        return (x * w + b).tanh()
    t = gradtrace.trace(neuron, x=2, w=-0.5)
    assert t.output == "neuron" and [v.name for v in t.graph.variables] == ["x", "w"]
    t = gradtrace.trace(neuron, x=2, w=-0.5, b=1)
    assert t.graph.text == "neuron = tanh(x*w + b)" and set(t.gradients) == {"x", "w", "b"}
    t = gradtrace.trace(lambda x, unused: x * 3, x=1, unused=2)
    assert t.graph.unused_variables == ["unused"] and t.gradients == {"x": 3.0}
    t = gradtrace.trace(lambda x, **rest: x * rest["y"], x=2, y=5)
    assert t.gradients == {"x": 5.0, "y": 2.0}


def test_function_bindings_are_numbers_of_any_kind_and_exact_mode_keeps_their_text():
    from fractions import Fraction

    t = gradtrace.trace(lambda x, y: x * y, x=Fraction(1, 3), y=np.float32(3))
    assert t.value == pytest.approx(1.0)
    assert str(gradtrace.trace(lambda x: x * 3, x="1/3", mode="exact").value) == "1"
    assert gradtrace.trace(lambda x: x * 2, x=np.array(1.5)).gradients == {"x": 2.0}  # a 0-d array is a number
    assert gradtrace.trace(lambda x: (x * 2).sum(), x=[1, 2]).gradients["x"].tolist() == [2.0, 2.0]  # arrays too
    with pytest.raises(ValueError, match="NaN"):
        gradtrace.trace(lambda x: x * 2, x=float("nan"))
    with pytest.raises(TypeError, match="ambiguous"):
        gradtrace.trace(lambda x, seed: x * seed, x=1, seed=2)
    assert gradtrace.trace(lambda x, seed: x * seed, x=1, bindings={"seed": 2}).value == 2.0


def _helper(x):
    return math.sqrt(x)


_COUNT = 0


def _writes_a_global(x):
    global _COUNT
    _COUNT += 1
    return math.exp(x)


def test_math_outside_the_functions_own_code_is_a_type_error_naming_gradtraces_function():
    with pytest.raises(TypeError, match=r"use gradtrace\.sqrt\(v\) instead of math\.sqrt\(v\)"):
        gradtrace.trace(lambda x: _helper(x) * 2, x=2)
    with pytest.raises(TypeError, match=r"use gradtrace\.exp\(v\) instead of math\.exp\(v\)"):
        gradtrace.trace(_writes_a_global, x=2)  # its globals are its own: not rewired
    with pytest.raises(TypeError, match=r"v\.data"):
        float(Value(2.0))
    assert math.exp(2.0) == gradtrace.trace(lambda x: math.exp(x), x=2.0).value  # math itself is untouched


def test_what_a_function_returns_must_be_a_value():
    with pytest.raises(TypeError, match="returned the number 6"):
        gradtrace.trace(lambda x: x.data * 3, x=2)
    with pytest.raises(TypeError, match="returned a tuple"):
        gradtrace.trace(lambda x: (x, x), x=2)
    with pytest.raises(ZeroDivisionError):  # the function's own errors are its own
        gradtrace.trace(lambda x: x / 0, x=2)


def _returns_nothing(x):
    x * 2  # the return a student forgot


def _takes_star_args(*xs):
    return xs[0] * 2


@pytest.mark.parametrize("bound", [{"x": 2.0}, {"x": [1.0, 2.0]}], ids=["number", "array"])
def test_a_function_that_returns_none_or_takes_star_args_is_told_what_to_change(bound):
    with pytest.raises(TypeError, match=r"_returns_nothing\(\) returned None: .*return statement missing"):
        gradtrace.trace(_returns_nothing, **bound)
    with pytest.raises(TypeError, match=r"_takes_star_args\(\) takes \*xs, and trace\(\) binds each value to a "
                                        r"parameter by its name.*def _takes_star_args\(x\)"):
        gradtrace.trace(_takes_star_args, **bound)
    one = "a traced array" if isinstance(bound["x"], list) else "a Value"
    for returned in (lambda x: [x, x], lambda x: (x, x)):
        with pytest.raises(TypeError, match=f"traces one output, {one}; trace each one on its own"):
            gradtrace.trace(returned, **bound)


@pytest.mark.parametrize("compare", [lambda v: v > 0, lambda v: v <= 1, lambda v: 0 < v, lambda v: max(v, 0),
                                     lambda v: sorted([v, Value(1.0)]), lambda v: v >= v])
def test_a_comparison_of_values_is_refused_naming_the_gates_that_compare(compare):
    """A comparison has no gradient, and a branch on it would trace one branch: the error says so
    and names what to write (v.data > 0, gradtrace.max(v, 0), v.relu()), for every operator and
    side; == stays identity, so Values still go in sets and dicts."""
    v = Value(2.0)
    with pytest.raises(TypeError) as error:
        compare(v)
    assert "can't be compared" in str(error.value) and "v.data" in str(error.value)
    assert "gradtrace.max(v, 0)" in str(error.value) and "v.relu()" in str(error.value)
    assert (v == 2.0) is False and len({v, v, Value(2.0)}) == 2
