"""gradtrace.trace() given every kind of Python object: each is supported (text, a sympy
expression walked into the graph, a gradtrace Value, a Python function called with Values,
numbers of every numeric type, array-likes such as torch tensors) or refused with a TypeError or
ValueError that names what is accepted. Never an AttributeError from deep inside, never a silent
symbolic trace."""

import decimal
import fractions
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradtrace
from gradtrace import BindingError

# ---- the program ------------------------------------------------------------------------------


def _function(x):
    return x * 2


class _Thing:
    pass


NOT_PROGRAMS = [
    b"x*2", bytearray(b"x*2"), 5, 2.5, True, None, ["x*2"], ("x*2",), {"x*2"}, {"f": "x*2"},
    _Thing, _Thing(), np.array([1.0]), np.float64(2.0), 3 + 1j,
]


@pytest.mark.parametrize("program", NOT_PROGRAMS, ids=lambda p: type(p).__name__)
def test_a_program_that_is_not_text_sympy_a_value_or_a_function_is_a_type_error_naming_what_is_accepted(program):
    with pytest.raises(TypeError) as caught:
        gradtrace.trace(program, x=3)
    message = str(caught.value)
    assert "str" in message and "sympy" in message and "Value" in message and "function" in message, message
    assert type(program).__name__ in message, message


@pytest.mark.parametrize("program", [_function, lambda x: x * 2])
def test_a_python_function_is_called_with_a_value_and_traced(program):
    t = gradtrace.trace(program, x=3)
    assert (t.value, t.gradients) == (6.0, {"x": 2.0})
    assert [(n.name, n.op) for n in t.nodes] == [("x", "input"), ("_function" if program is _function else "f",
                                                                   "mul_const")][::-1]


def test_a_function_whose_parameters_are_not_bound_is_a_type_error_naming_them():
    with pytest.raises(TypeError, match=r"print\(\) has no parameter 'x'.*sep, end, file, flush"):
        gradtrace.trace(print, x=3)
    with pytest.raises(TypeError, match=r"the function needs a value for y.*trace\(f, y=1\)"):
        gradtrace.trace(lambda x, y: x * y, x=3)
    with pytest.raises(TypeError, match=r"_function\(\) needs a value for x.*trace\(_function, x=1\)"):
        gradtrace.trace(_function)


def test_bytes_are_told_to_decode():
    with pytest.raises(TypeError, match=r"decode"):
        gradtrace.trace(b"x*2", x=3)


def test_draw_takes_what_trace_takes_and_refuses_the_rest():
    assert gradtrace.draw("x*y", x=2, y=3).source.startswith("digraph")
    with pytest.raises(TypeError, match="str"):
        gradtrace.draw(5)
    with pytest.raises(TypeError, match="bindings="):
        gradtrace.draw("seed*2", seed=3)


# ---- bindings: numbers ------------------------------------------------------------------------

SUPPORTED_NUMBERS = [
    (3, 3.0), (-2, -2.0), (2.5, 2.5), (np.float64(0.1), 0.1), (np.float32(0.5), 0.5), (np.float16(0.25), 0.25),
    (np.int64(7), 7.0), (np.int8(-3), -3.0), (np.uint8(200), 200.0), (fractions.Fraction(1, 3), 1 / 3),
    (fractions.Fraction(-7, 2), -3.5), (decimal.Decimal("0.1"), 0.1), (decimal.Decimal("-1E+2"), -100.0),
    (decimal.Decimal("1.50"), 1.5), (2 ** 60, float(2 ** 60)), ("1/3", 1 / 3), ("-pi/2", -math.pi / 2),
    (np.str_("0.5"), 0.5),
]


@pytest.mark.parametrize(("value", "expected"), SUPPORTED_NUMBERS, ids=lambda v: f"{type(v).__name__}:{v}")
def test_numbers_of_every_numeric_type_are_bound_as_floats(value, expected):
    t = gradtrace.trace("x*x", x=value)
    assert t.value == pytest.approx(expected * expected, rel=1e-15)
    assert t.gradients["x"] == pytest.approx(2 * expected, rel=1e-15)


@pytest.mark.parametrize(("value", "exact"), [
    (fractions.Fraction(1, 3), "2/3"), (decimal.Decimal("0.1"), "1/5"), (fractions.Fraction(-7, 2), "-7"),
    (10 ** 20 + 1, "200000000000000000002"),
])
def test_exact_mode_keeps_fractions_decimals_and_large_integers_exact(value, exact):
    t = gradtrace.trace("x*2", x=value, mode="exact")
    assert str(t.value) == exact


def test_sympy_numbers_are_numbers():
    sympy = pytest.importorskip("sympy")
    assert str(gradtrace.trace("x*3", x=sympy.Rational(1, 3), mode="exact").value) == "1"
    assert gradtrace.trace("x*3", x=sympy.Integer(2)).value == 6.0
    assert gradtrace.trace("x*3", x=sympy.Float(0.5)).value == 1.5


@given(st.one_of(st.integers(-10 ** 15, 10 ** 15), st.floats(-1e100, 1e100, allow_nan=False),
                 st.fractions(max_denominator=10 ** 6), st.decimals(allow_nan=False, allow_infinity=False,
                                                                     places=6, min_value=-10 ** 9, max_value=10 ** 9)))
def test_any_finite_number_binds_as_its_float(value):
    t = gradtrace.trace("x + 0*y", x=value, y=1)
    assert t.value == pytest.approx(float(value), rel=1e-15, abs=1e-300)


NOT_NUMBERS = [  # (value, the error class expected, words the message must have)
    (True, TypeError, "bool"), (False, TypeError, "bool"), (np.bool_(True), TypeError, "bool"),
    (1 + 2j, TypeError, "complex"), (np.complex128(1 + 2j), TypeError, "complex"), (None, TypeError, "NoneType"),
    ({"a": 1}, TypeError, "dict"), ({1.0, 2.0}, TypeError, "set"), (b"1", TypeError, "bytes"),
    (_Thing(), TypeError, "_Thing"), (_function, TypeError, "function"),
    (decimal.Decimal("NaN"), ValueError, "NaN"), (decimal.Decimal("sNaN"), ValueError, "NaN"),
    (decimal.Decimal("-Infinity"), ValueError, "infinite"), (float("nan"), ValueError, "NaN"),
    (float("inf"), ValueError, "infinite"), ("abc", ValueError, "number"), ("", ValueError, "number"),
    ("@x.npy", ValueError, "file"),
]


@pytest.mark.parametrize(("value", "error", "words"), NOT_NUMBERS, ids=lambda v: type(v).__name__)
def test_a_value_that_is_no_number_is_refused_naming_what_is_accepted(value, error, words):
    with pytest.raises(error) as caught:
        gradtrace.trace("x*2", x=value)
    message = str(caught.value)
    assert words in message, message
    assert isinstance(caught.value, BindingError)  # and still gradtrace's binding error
    if error is TypeError:
        assert "number" in message and "array" in message, message


# ---- bindings: arrays and array-likes ---------------------------------------------------------

@pytest.mark.parametrize("array", [
    np.array([1, "a"], dtype=object), np.array([1.0, 2.0], dtype=object), np.array([1 + 1j, 2]),
    np.array(["1", "2"]), np.array([True, False]), np.array(["2020-01-01"], dtype="datetime64[D]"),
    [[1, 2], [3]], [[1.0, 2.0], [3.0, "4"]], ((1, 2), (3,)), [1, None], [], [[]], np.array([]),
], ids=lambda a: getattr(a, "dtype", type(a).__name__).__str__())
def test_arrays_that_do_not_hold_real_numbers_or_are_ragged_are_value_or_type_errors(array):
    with pytest.raises((TypeError, ValueError)) as caught:
        gradtrace.trace("sum(x*2)", x=array)
    assert isinstance(caught.value, BindingError), type(caught.value)
    assert "x" in str(caught.value)


@pytest.mark.parametrize("value", [[1, 2], (1, 2), [(1, 2), (3, 4)], ((1.0, 2.0), [3.0, 4.0]), np.array([1, 2]),
                                   np.array([1, 2], dtype=np.float32), np.array([[1, 2], [3, 4]], dtype=np.int16)])
def test_lists_tuples_and_numpy_arrays_bind_as_float64_copies(value):
    t = gradtrace.trace("sum(x*x)", x=value)
    bound = t.bindings["x"]
    assert bound.dtype == np.float64
    assert np.array_equal(t.gradients["x"], 2 * np.asarray(value, dtype=float))


def test_a_deeply_nested_tuple_is_refused_not_a_recursion_error():
    deep = 1.0
    for _ in range(30_000):
        deep = (deep,)
    with pytest.raises(ValueError):
        gradtrace.trace("sum(x)", x=deep)


def _torch():
    import needs

    return needs.module("torch", "pip install torch")


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16", "int64", "int32", "uint8"])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_torch_tensors_bind_as_float64_numpy_copies(dtype, requires_grad):
    torch = _torch()
    tensor_dtype = getattr(torch, dtype)
    if requires_grad and not tensor_dtype.is_floating_point:
        pytest.skip("only floating tensors require grad")
    x = torch.tensor([1.0, -2.0, 3.0]).to(tensor_dtype).requires_grad_(requires_grad)
    t = gradtrace.trace("sum(x*x)", x=x)
    expected = x.detach().double().numpy().copy()
    assert t.bindings["x"].dtype == np.float64
    assert np.array_equal(t.bindings["x"], expected) and np.array_equal(t.gradients["x"], 2 * expected)
    with torch.no_grad():
        x.mul_(0)  # the trace keeps its own copy
    assert np.array_equal(t.bindings["x"], expected)


def test_a_torch_scalar_that_requires_grad_binds_as_a_number():
    torch = _torch()
    t = gradtrace.trace("x*2", x=torch.tensor(3.0, requires_grad=True))
    assert t.value == 6.0 and t.gradients["x"] == 2.0


@pytest.mark.parametrize("make", [lambda torch: torch.tensor([True, False]),
                                  lambda torch: torch.tensor([1 + 1j, 2 + 0j]),
                                  lambda torch: torch.tensor([1 + 1j, 2 + 0j]).conj()])
def test_torch_tensors_that_are_not_real_numbers_are_refused(make):
    torch = _torch()
    with pytest.raises((TypeError, ValueError)) as caught:
        gradtrace.trace("sum(x*2)", x=make(torch))
    assert isinstance(caught.value, BindingError) and "x" in str(caught.value)


# ---- bindings named like trace()'s own parameters ---------------------------------------------

PARAMETERS = {"output": 3, "upstream": 3, "seed": 3, "mode": 3, "expanded": 3, "check": 3, "expect": 3, "tol": 3,
              "lang": 3}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_a_variable_named_like_a_parameter_is_not_silently_taken_for_it(name):
    with pytest.raises(TypeError) as caught:
        gradtrace.trace(f"{name}*2", **{name: 3})
    message = str(caught.value)
    assert f"bindings={{'{name}': 3}}" in message and name in message, message


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_bindings_binds_any_name(name):
    t = gradtrace.trace(f"{name}*2", bindings={name: 3})
    assert t.value == 6.0 and t.gradients == {name: 2.0}


def test_the_issues_example():
    with pytest.raises(TypeError, match=r"bindings=\{'seed': 3\}"):
        gradtrace.trace("seed*2", seed=3)
    assert gradtrace.trace("seed*2", bindings={"seed": 3}).value == 6.0
    assert gradtrace.trace("seed*2").mode == "symbolic"  # nothing given: symbolic, as on the command line


def test_a_parameter_is_a_parameter_when_the_variable_is_bound_by_bindings():
    t = gradtrace.trace("upstream*x", bindings={"upstream": 2.0}, x=[1.0, 2.0], upstream=np.array([1.0, 0.0]))
    assert list(t.gradients["x"]) == [2.0, 0.0] and t.gradients["upstream"] == 1.0
    exact = gradtrace.trace("mode/3", bindings={"mode": 1}, mode="exact")
    assert str(exact.value) == "1/3"


def test_program_and_bindings_as_names_of_variables():
    assert gradtrace.trace("program*2", program=3).value == 6.0  # the program is positional only
    with pytest.raises(TypeError, match=r"bindings=\{'bindings': 3\}"):
        gradtrace.trace("bindings*2", bindings=3)
    assert gradtrace.trace("bindings*2", bindings={"bindings": 3}).value == 6.0


def test_bindings_and_keywords_together_and_twice():
    assert gradtrace.trace("x*y", bindings={"x": 2}, y=3).value == 6.0
    with pytest.raises(ValueError, match="bound twice"):
        gradtrace.trace("x*y", bindings={"x": 2}, x=2, y=3)
    with pytest.raises(TypeError, match="str"):
        gradtrace.trace("x*y", bindings={1: 2}, y=3)


def test_a_parameter_not_named_in_the_program_is_a_parameter():
    t = gradtrace.trace("x*2", x=1, check=True, expect={"x": 2})
    assert t.check is not None and t.answers[0].correct


# ---- a sympy expression, walked into the graph -------------------------------------------------

def _sympy():
    return pytest.importorskip("sympy")


def test_a_sympy_expression_is_traced_gate_by_gate():
    sp = _sympy()
    x, y, z = sp.symbols("x y z")
    t = gradtrace.trace((x + y) * z, x=-2.0, y=5.0, z=-4.0)
    assert t.value == -12.0 and t.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert sorted(n.op for n in t.nodes) == ["add", "input", "input", "input", "mul"]
    w0, x0, w1, x1, w2 = sp.symbols("w0 x0 w1 x1 w2")
    neuron = gradtrace.trace(1 / (1 + sp.exp(-(w0 * x0 + w1 * x1 + w2))), w0=2.0, x0=-1.0, w1=-3.0, x1=-2.0, w2=-3.0)
    assert neuron.gradients["w0"] == pytest.approx(-0.19661193324148185)
    assert neuron.gradients["x0"] == pytest.approx(0.39322386648296376)
    assert {"exp", "neg", "add_const", "rdiv_const"} <= {n.op for n in neuron.nodes}  # the lecture's gates


def test_a_sympy_expression_is_never_made_text_and_parsed(monkeypatch):
    sp = _sympy()
    from gradtrace.core import graph, syntax

    def refuse(*args, **kwargs):
        raise AssertionError("the parser was called")

    for module in (graph, syntax):
        for name in ("parse_program", "parse_expression"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)
    x, y = sp.symbols("x y")
    expr = sp.sin(x) * sp.exp(y) / (1 + x ** 2) - sp.sqrt(y) + sp.Max(x, y, 0) + sp.Rational(1, 3) * sp.pi
    t = gradtrace.trace(expr, x=0.5, y=2.0)
    assert t.value == pytest.approx(float(expr.subs({x: 0.5, y: 2.0})))
    symbolic = gradtrace.trace(sp.Eq(sp.Symbol("f"), x * y))
    assert symbolic.mode == "symbolic" and symbolic.output == "f"


def test_an_equation_names_the_output():
    sp = _sympy()
    x, y, f = sp.symbols("x y f")
    t = gradtrace.trace(sp.Eq(f, x * y + x), x=2.0, y=3.0)
    assert t.output == "f" and t.value == 8.0 and t.gradients == {"x": 4.0, "y": 2.0}


def _sympy_expressions():
    sp = _sympy()
    x, y = sp.symbols("x y")
    leaves = st.sampled_from([x, y, sp.Integer(2), sp.Rational(-3, 4), sp.Float(0.25), sp.pi, sp.E])
    unary = [sp.exp, sp.sin, sp.cos, sp.tanh, sp.atan, sp.erf, sp.sinh, sp.Abs,
             lambda a: sp.log(1 + a ** 2), lambda a: sp.sqrt(2 + a ** 2), lambda a: -a, lambda a: a ** 3,
             lambda a: 1 / (1 + a ** 2), lambda a: a ** sp.Rational(1, 2) if a.is_positive else a]
    binary = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (2 + b ** 2),
              lambda a, b: sp.Max(a, b), lambda a, b: sp.Min(a, b, 0), lambda a, b: a * b - 3 * a]

    def extend(children):
        return st.one_of(st.builds(lambda f, a: f(a), st.sampled_from(unary), children),
                         st.builds(lambda f, a, b: f(a, b), st.sampled_from(binary), children, children))

    return st.recursive(leaves, extend, max_leaves=8).filter(lambda e: bool(e.free_symbols))


@given(data=st.data())
def test_generated_sympy_expressions_trace_to_sympys_own_values_and_derivatives(data):
    sp = _sympy()
    expr = data.draw(_sympy_expressions())
    x, y = sp.symbols("x y")
    point = {x: data.draw(st.floats(0.3, 1.7)), y: data.draw(st.floats(-1.6, -0.2))}
    bindings = {s.name: v for s, v in point.items() if s in expr.free_symbols}
    try:
        t = gradtrace.trace(expr, **bindings)
    except gradtrace.EvaluationError:
        return  # a kink or a domain edge at this point: sympy's derivative is no oracle there
    assert t.value == pytest.approx(float(expr.evalf(subs=point)), rel=1e-9, abs=1e-12), expr
    for name in bindings:
        want = sp.diff(expr, sp.Symbol(name)).evalf(subs=point)
        if want.has(sp.Subs, sp.Derivative) or not want.is_real:
            continue
        assert t.gradients[name] == pytest.approx(float(want), rel=1e-8, abs=1e-10), (expr, name)


@given(data=st.data())
def test_a_sympy_expression_traces_as_the_text_it_shows(data):
    """The trace's own program text, parsed (here, as the oracle), makes the same trace: the walk
    builds what the text says."""
    expr = data.draw(_sympy_expressions())
    bindings = {s.name: 0.75 for s in expr.free_symbols}
    try:
        walked = gradtrace.trace(expr, **bindings).to_dict()
    except gradtrace.EvaluationError:
        return
    parsed = gradtrace.trace(walked["expression"], **bindings).to_dict()
    assert walked == parsed


UNSUPPORTED = [
    lambda sp, x: sp.Integral(x, x), lambda sp, x: sp.Derivative(x ** 2, x), lambda sp, x: sp.asin(x),
    lambda sp, x: sp.Piecewise((x, x > 0), (0, True)), lambda sp, x: sp.Matrix([x]), lambda sp, x: sp.oo * x,
    lambda sp, x: x + sp.zoo, lambda sp, x: sp.Lt(x, 1), lambda sp, x: sp.Eq(x + 1, x ** 2),
    lambda sp, x: sp.Function("g")(x), lambda sp, x: sp.Symbol("x y") * x, lambda sp, x: sp.EulerGamma * x,
    lambda sp, x: sp.Heaviside(x, 1) * 2, lambda sp, x: x ** sp.I, lambda sp, x: sp.nan + x,
]


@pytest.mark.parametrize("make", UNSUPPORTED, ids=[str(i) for i in range(len(UNSUPPORTED))])
def test_sympy_that_has_no_gates_is_refused_naming_what_is_accepted(make):
    sp = _sympy()
    x = sp.Symbol("x")
    program = make(sp, x)
    with pytest.raises((TypeError, ValueError)) as caught:
        gradtrace.trace(program, x=0.5)
    assert not isinstance(caught.value, AttributeError)
    message = str(caught.value)
    assert "sympy" in message, message


def test_tensors_without_numbers_are_a_type_error_naming_what_is_accepted():
    """A meta tensor (no data) is refused with gradtrace's TypeError, never torch's own error; a sparse
    tensor is read as its dense values."""
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="a value is"):
        gradtrace.trace("sum(x*x)", x=torch.empty(2, device="meta"))
    assert gradtrace.trace("sum(x*x)", x=torch.eye(2).to_sparse()).value == 2.0
