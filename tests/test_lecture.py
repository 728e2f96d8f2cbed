"""The numbers from CS231n Lecture 4, as printed on the slides."""

import pytest

import gradtrace

SIGMOID_AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)


def test_headline_values_gradients_and_patterns():
    t = gradtrace.trace("(x+y)*z", x=-2, y=5, z=-4)
    assert t.value == -12
    assert t.gradients == {"x": -4, "y": -4, "z": 3}
    f = t.node(t.output)
    q = t.node(f.inputs[0])
    assert q.value == 3 and q.upstream == -4
    assert q.patterns == ("distributor",)
    assert f.patterns == ("switcher",)
    # ∂f/∂q = z = -4 and ∂f/∂z = q = 3: each input's local gradient is the other input.
    assert f.formulas == ("z", q.name) and f.local == (-4, 3)


def test_named_program_uses_the_lecture_names():
    t = gradtrace.trace("q = x + y; f = q * z", x=-2, y=5, z=-4)
    f = t.node("f")
    assert t.output == "f" and f.expr == "q * z" and f.inputs == ("q", "z")
    assert t.node("q").expr == "x + y"
    assert f.formulas == ("z", "q")
    assert t.node("q").downstream == (-4, -4)


def test_sigmoid_neuron_gate_by_gate():
    t = gradtrace.trace("1/(1+exp(-(w0*x0+w1*x1+w2)))", **SIGMOID_AT)
    assert t.value == pytest.approx(0.7311, abs=5e-5)
    by_label = {n.label: n for n in t.nodes}
    assert set(by_label) >= {"*-1", "exp", "+1", "1/x"}
    assert by_label["*-1"].value == pytest.approx(-1)
    assert by_label["exp"].value == pytest.approx(0.3679, abs=5e-5)
    assert by_label["+1"].value == pytest.approx(1.3679, abs=5e-5)
    assert by_label["+1"].upstream == pytest.approx(-0.5344, abs=5e-5)
    assert by_label["exp"].upstream == pytest.approx(-0.5344, abs=5e-5)
    assert by_label["*-1"].upstream == pytest.approx(-0.1966, abs=5e-5)
    expected = dict(w0=-0.1966, x0=0.3932, w1=-0.3932, x1=-0.5898, w2=0.1966)
    for name, g in expected.items():
        assert t.gradients[name] == pytest.approx(g, abs=5e-5), name
    # Constants are folded into their gates: the nodes are the five variables and the lecture's
    # eight gates, and none of them is a bare constant.
    assert sorted(n.name for n in t.nodes if n.op == "input") == ["w0", "w1", "w2", "x0", "x1"]
    assert sorted(n.label for n in t.nodes if n.op != "input") == sorted(["*", "*", "+", "+", "*-1", "exp", "+1",
                                                                          "1/x"])
    assert by_label["*-1"].patterns == ("scaler",)


def test_sigmoid_gate_is_one_node_with_local_gradient_one_minus_sigma_times_sigma():
    by_parts = gradtrace.trace("1/(1+exp(-(w0*x0+w1*x1+w2)))", **SIGMOID_AT)
    gate = gradtrace.trace("sigmoid(w0*x0+w1*x1+w2)", **SIGMOID_AT)
    out = gate.node(gate.output)
    assert out.op == "sigmoid" and out.formulas == ("(1 - f)·f",)
    assert out.local[0] == pytest.approx(0.1966, abs=5e-5)
    for name in SIGMOID_AT:
        assert gate.gradients[name] == pytest.approx(by_parts.gradients[name], rel=1e-12)


def test_max_routes_the_whole_gradient_to_the_larger_input():
    t = gradtrace.trace("max(x, y)", x=4, y=5)
    assert t.gradients == {"x": 0, "y": 1}
    assert t.node(t.output).patterns == ("router",)
    assert t.node(t.output).kink is None


def test_copy_gate_adds_gradients_of_each_use():
    # The lecture's copy gate: a value used twice gets the sum of both gradients.
    t = gradtrace.trace("x*y + x", x=3, y=-2)
    x = t.node("x")
    assert x.patterns == ("adder",)
    assert sorted(v for _, v in x.parts) == [-2, 1]
    assert x.upstream == -1


def test_vectorless_form_of_the_2_layer_net_and_maxout():
    # f = w2 * max(0, w1*x): the scalar case of W2·max(0, W1·x); maxout is a max of linear terms.
    t = gradtrace.trace("w2 * max(0, w1*x)", w1=2, w2=3, x=1.5)
    assert t.value == 9 and t.gradients == {"w2": 3, "w1": 4.5, "x": 6}
    m = gradtrace.trace("max(w1*x + b1, w2*x + b2)", w1=1, b1=0, w2=-1, b2=3, x=1)
    assert m.value == 2 and m.gradients == {"w1": 0, "x": -1, "b1": 0, "w2": 1, "b2": 1}
