"""The engine: ordered edges, fan-out sums, purity, pruning and evaluation errors."""

import math

import pytest

import gradtrace
from gradtrace.core.engine import backward, forward
from gradtrace.core.errors import BindingError, EvaluationError, GradtraceError
from gradtrace.core.graph import build


def test_x_times_x_has_two_edges_and_the_gradient_adds_up():
    t = gradtrace.trace("x*x", x=3)
    f = t.node("f")
    assert f.inputs == ("x", "x") and f.local == (3, 3)
    assert t.node("x").parts == (("f", 3.0), ("f", 3.0))
    assert t.node("x").patterns == ("adder",)
    assert t.gradients == {"x": 6}


def test_backward_is_pure_and_repeatable():
    g = build("q = x + y; f = q * q * z")
    values = forward(g, {"x": -2.0, "y": 5.0, "z": -4.0})
    snapshot = [(n.name, n.inputs, n.params) for n in g.nodes]
    first = backward(g, values)
    second = backward(g, values)
    assert first == second
    assert [(n.name, n.inputs, n.params) for n in g.nodes] == snapshot
    assert values == forward(g, {"x": -2.0, "y": 5.0, "z": -4.0})


def test_backward_order_is_reverse_topological_with_the_output_first():
    t = gradtrace.trace("q = x + y; f = q * z", x=-2, y=5, z=-4)
    names = [n.name for n in t.nodes]
    assert names[0] == "f"
    position = {name: i for i, name in enumerate(names)}
    for n in t.nodes:
        for inp in n.inputs:
            assert position[inp] > position[n.name], "a node comes before its inputs"


def test_only_what_feeds_the_output_is_traced():
    t = gradtrace.trace("q = x + y; r = q * z; f = q * 2", x=1, y=2, z=3)
    assert [n.name for n in t.nodes] == ["f", "q", "y", "x"]
    # z is in the program but not needed for f: its binding is accepted, not required.
    t = gradtrace.trace("q = x + y; r = q * z; f = q * 2", x=1, y=2)
    assert t.gradients == {"x": 2, "y": 2}


@pytest.mark.parametrize("program, output", [
    ("q = x + y; r = q * z; f = q * 2", None),       # r is left out, in the middle
    ("q = x + y; f = q * z; g = exp(w)", "f"),       # nodes after the output are left out
    ("a = x*y; b = relu(a); c = b + z; d = c*c", None),  # nothing to leave out: ids kept as made
    ("q = x * x; u = sin(y); f = q + 1", None),       # an unused variable, a one-constant gate
])
def test_the_graph_is_numbered_in_order_after_pruning(program, output):
    g = build(program, output)
    assert [n.id for n in g.nodes] == list(range(len(g.nodes)))
    for node in g.nodes:
        assert all(0 <= i < node.id for i in node.inputs) and node.graph_nodes is g.nodes
    assert g.output is g.nodes[-1] and g.fanout.count(0) == 1
    assert g.fanout == [sum(n.inputs.count(k) for n in g.nodes) for k in range(len(g.nodes))]
    kept = {n.name for n in g.nodes}
    assert all(v not in kept for v in g.unused_variables)
    assert {n.expr for n in g.nodes if n.op is not None} <= {"x + y", "q * 2", "q * z", "x * y", "relu(a)", "b + z",
                                                             "c * c", "x * x", "q + 1"}


def test_output_can_be_chosen():
    t = gradtrace.trace("q = x + y; f = q * z", output="q", x=-2, y=5)
    assert t.output == "q" and t.value == 3 and t.gradients == {"x": 1, "y": 1}
    with pytest.raises(GradtraceError, match="no value named 'g'"):
        gradtrace.trace("q = x + y; f = q * z", output="g", x=1, y=1, z=1)


@pytest.mark.parametrize("program, bindings, message", [
    ("log(x)", {"x": -1}, "f = log(x): log needs a positive input, but x = -1"),
    ("log(x)", {"x": 0}, "f = log(x): log needs a positive input, but x = 0"),
    ("1/x", {"x": 0}, "f = 1 / x: 1/x needs a nonzero input, but x = 0"),
    ("x/y", {"x": 1, "y": 0}, "f = x / y: div needs a nonzero divisor, but x = 1, y = 0"),
    ("sqrt(x)", {"x": -4}, "f = sqrt(x): sqrt needs a nonnegative input, but x = -4"),
    ("exp(x)", {"x": 1000}, "f = exp(x): the result overflows (it is too large for a float), at x = 1000"),
    ("x ** 3", {"x": 1e200}, "f = x ** 3: the result overflows (it is too large for a float), at x = 1e+200"),
    ("x * y", {"x": 1e200, "y": 1e200}, "f = x * y: the result overflows"),
    ("sqrt(x)", {"x": 0}, "f = sqrt(x): its local gradient ∂f/∂x is undefined or infinite here, at x = 0"),
    ("x ** 0.5", {"x": -1}, "f = x ** 0.5: x^0.5 needs a nonnegative base"),
    ("x ** y", {"x": -2, "y": 2}, "f = x ** y: pow needs a positive base when the exponent is a variable"),
])
def test_evaluation_errors_name_the_node_its_expression_and_the_values(program, bindings, message):
    with pytest.raises(EvaluationError) as err:
        gradtrace.trace(program, **bindings)
    assert message in err.value.message
    assert err.value.exit_code == 1
    assert err.value.span is not None


def test_constant_errors_point_at_the_constant():
    with pytest.raises(EvaluationError) as err:
        build("x + 1/0")
    assert "1/0" in err.value.format() and "^^^" in err.value.format()
    with pytest.raises(EvaluationError, match="constant 5"):
        build("2 + 3")


def test_binding_errors():
    with pytest.raises(BindingError, match="no value for the variables y, z"):
        gradtrace.trace("(x+y)*z", x=1)
    with pytest.raises(BindingError, match="no variable 'w'"):
        gradtrace.trace("x*2", x=1, w=2)
    with pytest.raises(BindingError) as err:
        gradtrace.trace("w0*x0", w0=1, x0=2, w00=3)
    assert err.value.hint == "did you mean w0?"
    # e and pi are names like any other once bound (programs from other courses use them).
    t = gradtrace.trace("x*pi", x=1, pi=3)
    assert t.value == 3 and t.gradients == {"x": 3, "pi": 1}
    with pytest.raises(BindingError, match="no variable 'pi'"):
        gradtrace.trace("x*2", x=1, pi=3)


def test_binding_values_may_be_constant_expressions():
    t = gradtrace.trace("x*y", x="1/3", y="-pi/2")
    assert t.bindings == {"x": pytest.approx(1 / 3), "y": pytest.approx(-math.pi / 2)}
    with pytest.raises(BindingError, match="not 'z'"):
        gradtrace.trace("x*y", x="z", y=1)


def test_to_dict_is_the_json_contract():
    d = gradtrace.trace("q = x + y; f = q * z", x=-2, y=5, z=-4).to_dict()
    assert d["output"] == {"name": "f", "value": -12.0}
    assert d["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    f = d["nodes"][0]
    assert {k: f[k] for k in ("name", "op", "expr", "patterns", "inputs", "value", "upstream", "local",
                              "downstream")} == {
        "name": "f", "op": "mul", "expr": "q * z", "patterns": ["switcher"], "inputs": ["q", "z"],
        "value": -12.0, "upstream": 1.0, "local": [-4.0, 3.0], "downstream": [-4.0, 3.0]}
    x = next(n for n in d["nodes"] if n["name"] == "x")
    assert x["op"] == "input" and x["inputs"] == [] and x["local"] == [] and x["downstream"] == []


def test_gradients_too_large_to_add_up_are_no_overflow_where_nothing_adds_them():
    """Each input's gradient is 1e308, finite; the check for overflowing sums at copy gates must
    not add them up itself (it once did, and 1e308 + 1e308 was an internal error)."""
    t = gradtrace.trace("x*1e308 + y*1e308", x=1e-300, y=1e-300)
    assert t.gradients == {"x": 1e308, "y": 1e308}
    with pytest.raises(gradtrace.EvaluationError, match="overflows: the 2 gradients that reach x"):
        gradtrace.trace("x*1e308 + x*1e308", x=1e-300)
