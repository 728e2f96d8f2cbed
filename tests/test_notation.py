"""What students type from slides and textbooks: each accepted form gives the same trace as its
plain spelling, and each ambiguous one fails with a hint that shows the accepted spelling."""

import json
import math

import needs
import pytest

import gradtrace
from gradtrace.core.errors import ParseError


def _same(a: str, b: str, **bindings):
    ta, tb = gradtrace.trace(a, **bindings), gradtrace.trace(b, **bindings)
    assert [n.op for n in ta.nodes] == [n.op for n in tb.nodes], (a, b)
    assert ta.value == pytest.approx(tb.value, rel=1e-15, abs=1e-300)
    assert ta.gradients.keys() == tb.gradients.keys()
    for k in ta.gradients:
        assert ta.gradients[k] == pytest.approx(tb.gradients[k], rel=1e-15, abs=1e-300), (a, b, k)
    return ta


@pytest.mark.parametrize("typed, plain", [
    ("x²", "x**2"), ("x³ + x", "x**3 + x"), ("x⁻¹", "x**-1"), ("-x²", "-(x**2)"), ("2x²", "2*x**2"),
    ("x²³", "x**23"),
    ("σ(x)", "sigmoid(x)"), ("√x", "sqrt(x)"), ("√(x + y)", "sqrt(x + y)"), ("√x*y", "sqrt(x)*y"),
    ("e^x", "exp(x)"), ("e**(x*y)", "exp(x*y)"), ("2^x", "2**x"),
    ("2x", "2*x"), ("3(x+y)", "3*(x+y)"), ("2πx", "2*pi*x"), ("πx²", "pi*x**2"), ("0.5x + 1e-3y", "0.5*x + 1e-3*y"),
    ("ln(x)", "log(x)"), ("arctan(x)", "atan(x)"), ("swish(x)", "silu(x)"),
    ("pow(x, y)", "x**y"), ("pow(x, 2)", "x**2"), ("pow(2, x)", "2**x"),
    ("x − y ÷ x", "x - y / x"),
    ("f(x, y) = (x + y)*x", "f = (x + y)*x"),
])
def test_a_typed_form_is_its_plain_spelling(typed, plain):
    bindings = {"x": 1.7, "y": 0.6}
    _same(typed, plain, **{k: v for k, v in bindings.items() if k in plain})


@pytest.mark.parametrize("function, definition", [
    ("tan(x)", "sin(x)/cos(x)"), ("sinh(x)", "(exp(x) - exp(-x))/2"), ("cosh(x)", "(exp(x) + exp(-x))/2"),
    ("log2(x)", "log(x)/log(2)"), ("log10(x)", "log(x)/log(10)"), ("exp2(x)", "2**x"), ("square(x)", "x*x"),
    ("silu(x)", "x*sigmoid(x)"), ("gelu_tanh(x)", "x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))/2"),
    ("hardtanh(x)", "max(-1, min(x, 1))"), ("clip(x, -0.5, 2)", "max(-0.5, min(x, 2))"),
    ("softplus(x)", "log(1 + exp(x))"),
])
@pytest.mark.parametrize("x", [-2.3, -0.4, 0.35, 1.6])
def test_new_functions_agree_with_their_definitions(function, definition, x):
    if function.startswith("log"):
        x = abs(x)
    a, b = gradtrace.trace(function, x=x), gradtrace.trace(definition, x=x)
    assert a.value == pytest.approx(b.value, rel=1e-12)
    assert a.gradients["x"] == pytest.approx(b.gradients["x"], rel=1e-9, abs=1e-12)


def test_gelu_is_x_times_the_normal_cdf():
    for x in (-3.0, -0.5, 0.0, 0.7, 2.5):
        t = gradtrace.trace("gelu(x)", x=x)
        phi = 0.5 * (1 + math.erf(x / math.sqrt(2)))
        assert t.value == pytest.approx(x * phi, abs=1e-15)
        assert t.gradients["x"] == pytest.approx(phi + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi), abs=1e-15)


def test_clip_and_hardtanh_differ_only_at_their_ends():
    # PyTorch's conventions: clamp passes the gradient at lo and hi, hardtanh does not.
    assert gradtrace.trace("clip(x, -1, 1)", x=1).gradients["x"] == 1
    assert gradtrace.trace("hardtanh(x)", x=1).gradients["x"] == 0
    with pytest.raises(ParseError, match="clip needs lo and hi"):
        gradtrace.trace("clip(x)", x=1)


@pytest.mark.parametrize("typed, hint", [
    ("tanh(x", "add the missing ')'"),
    ("x y", "write x*y to multiply"),
    ("2 x", "write 2*x to multiply (a number written right against a name"),
    ("(x+1)(x-1)", "write )*( to multiply"),
    ("tna(x)", "did you mean tan"),
    ("log1O(x)", "did you mean log10"),
])
def test_what_stays_ambiguous_fails_with_the_accepted_spelling(typed, hint):
    with pytest.raises(ParseError) as err:
        gradtrace.trace(typed, x=1)
    assert hint in (err.value.hint or "") + str(err.value), (typed, err.value.format())


def test_suggestions_never_send_a_function_to_a_different_one():
    for name in ("tan", "log10", "log2", "exp2", "sinh", "cosh", "gelu", "silu", "square", "clip", "hardtanh"):
        assert gradtrace.trace(f"{name}(x)" if name != "clip" else "clip(x, 0, 1)", x=0.5).node("f").op == name


def test_greek_and_subscripted_names_are_kept_as_typed(gt):
    t = gradtrace.trace("α*w₁ + θ_1", **{"α": 2, "w₁": 3, "θ_1": 1})
    assert set(t.gradients) == {"α", "w₁", "θ_1"} and t.gradients["α"] == 3
    # On the command line they can be bound as typed or as a keyboard spells them.
    out = gt("α*w₁ + θ_1", "--alpha", "2", "--w1", "3", "--theta_1", "1", "--json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["gradients"] == {"α": 3.0, "w₁": 2.0, "θ_1": 1.0}
    assert "α * w₁" in gt("α*w₁ + θ_1", "α=2", "w₁=3", "θ_1=1").stdout
    assert "xy" in gradtrace.trace("xy*2", xy=1).gradients  # xy stays one name


def test_the_function_header_names_the_output_and_orders_the_variables(gt):
    t = gradtrace.trace("g(z, y, x) = (x + y)*z", x=-2, y=5, z=-4)
    assert t.output == "g" and list(t.gradients) == ["z", "y", "x"]
    assert t.gradients == {"z": 3, "y": -4, "x": -4}
    # A call is still a call: max(x, y) at the start of a statement is not a header.
    assert gradtrace.trace("max(x, y)", x=1, y=2).value == 2
    out = gt("f(x, y, z) = (x + y)*z", "-x", "-2", "-y", "5", "-z", "-4")
    assert out.exit_code == 0 and "f = -12" in out.stdout
    with pytest.raises(ParseError, match="listed twice"):
        gradtrace.trace("f(x, x) = x", x=1)


def test_e_and_pi_are_names_a_program_may_take(gt):
    out = gt("e = c - d; f = e * 2", "-c", "3", "-d", "1")
    assert out.exit_code == 0 and "f = 4" in out.stdout
    assert "e is assigned on line 1, so from there on e is the program's own e" in out.stderr
    out = gt("e * x + pi", "-e", "3", "-x", "2", "--json")
    assert json.loads(out.stdout)["gradients"] == {"e": 2.0, "x": 3.0}
    assert "e is bound, so here it is a variable, not the constant e" in out.stderr
    assert gradtrace.trace("e * x", x=1).value == pytest.approx(math.e)  # unbound: Euler's number


def test_a_scalar_seed_is_the_slides_upstream_gradient(gt):
    data = json.loads(gt("x + y", "-x", "3", "-y", "4", "--upstream", "2", "--json").stdout)
    assert data["gradients"] == {"x": 2.0, "y": 2.0}
    out = gt("x * 2", "-x", "[1, 2]", "--upstream", "[1, 0]", "--json")
    assert json.loads(out.stdout)["gradients"]["x"] == [2.0, 0.0]
    bad = gt("x * 2", "-x", "1", "--upstream", "abc")
    assert bad.exit_code == 2 and "write a number (--upstream 2)" in bad.stderr


def test_vars_reads_toml_allows_extra_keys_and_yields_to_the_command_line(gt, tmp_path):
    params = tmp_path / "params.toml"
    params.write_text("x = 2\ny = 3.5\nlearning_rate = 0.1\nw1 = 4\n")
    out = gt("x*y + w₁", "--vars", str(params), "-y", "10", "--json")
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["bindings"] == {"x": 2.0, "y": 10.0, "w₁": 4.0}
    assert "learning_rate is not in this expression, so left out" in out.stderr
    (tmp_path / "p.json").write_text('{"x": 1, "y": 2, "z": 3}')
    assert gt("x*y", "--vars", str(tmp_path / "p.json")).exit_code == 0
    (tmp_path / "bad.toml").write_text("x = = 2")
    bad = gt("x*y", "--vars", str(tmp_path / "bad.toml"))
    assert bad.exit_code == 2 and "not valid TOML" in bad.stderr


def test_dash_h_binds_h_and_points_to_help(gt):
    assert json.loads(gt("h*2", "-h", "3", "--json").stdout)["gradients"] == {"h": 2.0}
    alone = gt("x*2", "-x", "1", "-h")
    assert alone.exit_code == 2 and "for help, run gradtrace --help" in alone.stderr
    other = gt("x*2", "-x", "1", "-h", "3")
    assert other.exit_code == 2 and "for help, run gradtrace --help" in other.stderr


def test_html_and_svg_to_standard_output(gt):
    needs.program("dot", "graphviz")  # the page's circuit
    page = gt("(x+y)*z", "-x", "1", "-y", "2", "-z", "3", "--html", "-")
    assert page.exit_code == 0 and page.stdout.startswith("<!doctype html>") and "upstream" in page.stdout
    both = gt("(x+y)*z", "-x", "1", "-y", "2", "-z", "3", "--html", "-", "--json")
    assert both.exit_code == 2 and "writes to standard output" in both.stderr
