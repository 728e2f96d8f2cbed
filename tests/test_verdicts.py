"""Every verdict right: each grading rule as one table of (answer text, true value, verdict), with
generated members of each family (issue 30, findings 5, 7 and 8).

  * spellings of one number get one verdict (-0.2, -2e-1, -2.0E-01, -20e-2, -1/5, -2/10, −0.2, .2)
    and every refusal names the rule that refused it;
  * float noise is measured over every rounding, constants folded at parse time included: an answer
    within the noise of the computed value passes, the computed value and the true one alike;
  * a float32 or float16 answer array is graded to its own dtype's precision, relative to the
    array's scale; a miss names its worst element with digits enough to show the difference.

The command line (--expect) and the Python API (gradtrace.trace(expect=...)) give the same verdicts.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import gradtrace
from gradtrace.core.errors import GradtraceError
from gradtrace.core.numbers import fmt
from gradtrace.modes.answers import Expected, check_answers, grade, read_answer

# ---- spellings of one number (finding 8) -------------------------------------------------------

# answer, true value, verdict. -0.19661193 is the lecture's ∂f/∂w0, printed -0.2 at 1 decimal.
SPELLINGS_OF_MINUS_0_2 = ["-0.2", "-2e-1", "-2.0E-01", "-20e-2", "-1/5", "-2/10", "−0.2", "- 0.2", " -0.2 ",
                          "-.2", "-0.20", "-(1/5)", "−1/5", "-2E-1", "-0.02e1", "-1 / 5", "-0.1-0.1"]
SPELLING_TABLE = (
    [(s, -0.19661193, True) for s in SPELLINGS_OF_MINUS_0_2]
    + [(s, -0.2, True) for s in SPELLINGS_OF_MINUS_0_2]
    + [(s, -0.2513, False) for s in SPELLINGS_OF_MINUS_0_2]
    + [(s, 0.2, False) for s in SPELLINGS_OF_MINUS_0_2]
    + [(s, 0.2, True) for s in ("0.2", "+0.2", ".2", "+.2", "2e-1", "1/5", "+1/5", "2/10", "20E-2", "0.1+0.1")]
    # whole numbers, however written, to the digits gradtrace shows
    + [(s, 2.0, True) for s in ("2", "2.0", "2.00", "20e-1", "0.2e1", "4/2", "+2", "2.")]
    + [(s, 2.04, False) for s in ("2", "2.0", "2.00", "20e-1", "0.2e1", "4/2", "+2", "2.")]
    + [(s, 0.002, True) for s in ("0.002", "2e-3", "2/1000", "1/500", "0.0020")]
    + [(s, 0.0024, True) for s in ("0.002", "2e-3", "2/1000", "1/500", "0.0020")]
    + [(s, 0.0026, False) for s in ("0.002", "2e-3", "2/1000", "1/500", "0.0020")]
    # a rational number written as a sum is that number: 0.1 + 0.2 is 0.3, 0.1 + 0.2 - 0.3 is 0
    + [("0.1+0.2", 0.3, True), ("0.1+0.2", 0.33, True), ("0.3", 0.33, True), ("0.1+0.2-0.3", 0.0, True),
       ("0.1+0.2-0.3", 1e-3, False)]
    # a number with no short decimal (1/3, pi) is compared at the digits gradtrace shows
    + [("1/3", 1 / 3, True), ("2/6", 1 / 3, True), ("1/3", 0.3334, False), ("2/6", 0.3334, False),
       ("-pi/2", -math.pi / 2, True), ("-pi/2", -1.5697, False)]
)


@pytest.mark.parametrize("answer, actual, verdict", SPELLING_TABLE)
def test_the_spellings_table(answer, actual, verdict):
    assert grade(answer, actual)[0] is verdict


def _spellings(m: int, k: int, negative: bool) -> list[str]:
    """Many spellings of ±m·10^k: fixed, with trailing zeros, exponent forms, fractions, signs."""
    value = Fraction(m) * Fraction(10) ** k
    fixed = format(Decimal(m).scaleb(k), "f")
    minus = "-" if negative else ""
    out = [fixed, f"{m}e{k}", f"{m * 10}e{k - 1}", f"{m}E{k:+03d}", fixed + ("0" if "." in fixed else ".0"),
           format(Decimal(m).scaleb(k), ".6E"), f"{value.numerator}/{value.denominator}",
           f"{2 * value.numerator}/{2 * value.denominator}", f"{value.numerator * 3} / {value.denominator * 3}"]
    if fixed.startswith("0."):
        out.append(fixed[1:])  # .2
    spelled = [minus + s for s in out]
    if negative:
        spelled += ["−" + s for s in out[:3]] + [f"- {out[0]}", f"-({out[6]})"]
    else:
        spelled += ["+" + s for s in out[:3]] + [f" {out[0]} "]
    return spelled


@given(st.integers(1, 10**6), st.integers(-12, 4), st.booleans(),
       st.floats(-3.0, 3.0), st.sampled_from([1e-9, 1e-6, 1e-4, 1e-2, 0.3]), st.integers(2, 8))
def test_every_spelling_of_a_number_gets_one_verdict(m, k, negative, shift, scale, precision):
    value = float(Fraction(m) * Fraction(10) ** k) * (-1 if negative else 1)
    actual = value * (1 + shift * scale)
    verdicts = {s: (grade(s, actual, precision)[0], grade(s, actual, precision)[1].text)
                for s in _spellings(m, k, negative)}
    assert len(set(verdicts.values())) == 1, verdicts


@pytest.mark.parametrize("answer, actual", [
    ("-2e-1", -0.2513), ("-1/5", -0.2513), ("-0.2", -0.2513), ("1/3", 0.3334), ("2", 2.04), ("0", 0.001),
    ("-pi/2", -1.5697), ("4/2", 2.04), ("1e20", 1.01e20), ("12345678", 12345679.0),
])
def test_every_refusal_names_the_rule_that_refused_it(gt, answer, actual):
    """The line says at what precision the answer was compared: at 4 significant digits, 1/3 is
    compared at 4 decimals (and says so); 1e20 at 4 significant digits, which it names."""
    result = gt(f"{actual!r}*x", "-x", "1", "--expect", f"x={answer}")
    assert result.exit_code == 3
    line = next(line for line in result.stdout.splitlines() if line.startswith("✗"))
    rule = grade(answer, actual)[1]
    if rule.kind == "zero":
        assert "not zero" in line, line
    else:
        said = re.search(r"at (\d+) decimals? that is (\S+)\)|not (to \d+ significant digits?)\)", line)
        assert said, line
        if said.group(3):
            assert said.group(3) == rule.text
        else:  # the true value at the place compared, which differs from the answer there
            shown = said.group(2)
            assert shown == format(actual, f".{said.group(1)}f")
            given = read_answer(answer)[0]
            assert round(given, int(said.group(1))) != float(shown) or not rule.allows(actual, given)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15).filter(lambda v: v != 0),
       st.integers(1, 17))
def test_whatever_gradtrace_prints_passes_when_typed_back(value, precision):
    printed = fmt(value, precision)
    for spelled in (printed, printed.replace("-", "−"), f" {printed} "):
        assert grade(spelled, value, precision)[0], (spelled, value)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9).filter(lambda v: v != 0),
       st.integers(0, 8))
def test_whatever_decimals_mode_prints_passes_when_typed_back(value, decimals):
    """--decimals 2 prints 2.00 for 2.004 and 0.33 for 1/3: typed back, each passes."""
    from gradtrace.core.numbers import Decimals

    printed = fmt(value, Decimals(decimals))
    given, rule = read_answer(printed, decimals=decimals)
    assert rule.allows(value, given), (printed, value, rule.text)


@pytest.mark.parametrize("program, answer, verdict", [
    ("2.004*x", "2.00", True), ("2.004*x", "2", True), ("2.004*x", "4/2", True), ("2.006*x", "2", False),
    ("x/3", "1/3", True), ("x/3", "0.33", True), ("x/3", "0.34", False), ("-0.19661193*x", "-0.2", True),
    ("-0.19661193*x", "-1/5", True),
])
def test_decimals_mode_grades_to_the_decimals_it_shows(gt, program, answer, verdict):
    result = gt(program, "-x", "1", "--decimals", "2", "--expect", f"x={answer}")
    assert result.exit_code == (0 if verdict else 3), result.stdout


@given(st.integers(-10**6, 10**6).filter(bool), st.integers(1, 10**4))
def test_a_printed_fraction_passes_when_typed_back(p, q):
    """Exact mode prints 1/3 ≈ 0.3333: both parts, and the whole, pass."""
    value = p / q
    exact = str(Fraction(p, q))
    for typed in (exact, fmt(value, 4), f"{exact} ≈ {fmt(value, 4)}"):
        assert grade(typed, value)[0], (typed, value)


def test_the_cli_and_the_python_api_agree_on_spellings(gt):
    for answer in SPELLINGS_OF_MINUS_0_2 + ["-0.3", "-1/3", "0", "2"]:
        api = gradtrace.trace("w0*x0", w0=2.0, x0=-0.19661193 / 2.0, expect={"x0": answer}).answers[0]
        cli = gt("w0*x0", "-w0", "2", "-x0", repr(-0.19661193 / 2.0), "--expect", f"x0={answer}")
        assert (cli.exit_code == 0) is api.correct, answer


# ---- float noise from constants (finding 5) ---------------------------------------------------

NOISE_TABLE = [
    # program, bindings, answer, verdict
    ("0.1*x + 0.2*x - 0.3*x", {"x": 1}, "x=0", True),
    ("x*(0.3 - (0.1+0.2))", {"x": 1}, "x=0", True),
    ("(0.1+0.2)*x - 0.3*x", {"x": 1}, "x=0", True),
    ("a*x + b*x - c*x", {"x": 1, "a": 0.1, "b": 0.2, "c": 0.3}, "x=0", True),
    ("x*y - y*x + 1e-16*x", {"x": 3, "y": 2}, "x=0", True),
    ("x*y - y*x + 1e-16*x", {"x": 3, "y": 2}, "x=1e-16", True),
    ("x*y - y*x + 1e-16*x", {"x": 3, "y": 2}, "x=1e-3", False),
    # a true value is not noise
    ("0.1*x + 0.2*x - 0.31*x", {"x": 1}, "x=0", False),
    ("x*(0.3 - (0.1+0.21))", {"x": 1}, "x=0", False),
    ("x*y - y*x + 1e-3*x", {"x": 3, "y": 2}, "x=0", False),
    ("exp(x)", {"x": -30}, "x=0", False),
    ("x*(1/3 - 0.3333)", {"x": 1}, "x=0", False),
    # values as well as gradients
    ("f = x*(0.3 - (0.1+0.2))", {"x": 1}, "f.value=0", True),
    ("f = 0.1*x + 0.2*x - 0.3*x", {"x": 1}, "f.value=0", True),
]


def _cli_args(program, bindings, answer):
    return [program, *[a for k, v in bindings.items() for a in (f"-{k}", repr(float(v)))], "--expect", answer]


@pytest.mark.parametrize("program, bindings, answer, verdict", NOISE_TABLE)
def test_the_noise_table(gt, program, bindings, answer, verdict):
    name, _, text = answer.partition("=")
    api = gradtrace.trace(program, expect={name: text}, **{k: float(v) for k, v in bindings.items()})
    assert api.answers[0].correct is verdict
    result = gt(*_cli_args(program, bindings, answer))
    assert result.exit_code == (0 if verdict else 3), result.stdout


def _decimal(digits: int, places: int) -> Fraction:
    return Fraction(digits, 10**places)


def _spell(q: Fraction, how: int) -> str:
    """A positive rational with a short decimal, spelled as a decimal, an exponent form or a fraction."""
    text = format(Decimal(q.numerator) / Decimal(q.denominator), "f")
    if how == 1:
        d = Decimal(text).normalize()
        _sign, digits, exponent = d.as_tuple()
        return f"{''.join(map(str, digits))}e{exponent}"
    if how == 2:
        return f"{q.numerator}/{q.denominator}"
    return text


@given(st.integers(1, 999), st.integers(1, 999), st.integers(1, 4), st.integers(1, 4),
       st.integers(0, 2), st.integers(0, 2), st.integers(0, 2),
       st.sampled_from([1.0, 3.0, -2.5, 0.7]), st.integers(0, 3))
def test_constants_that_cancel_are_noise_in_every_spelling(m, n, p, q, how_a, how_b, how_c, x, shape):
    """a*x + b*x - c*x with c = a + b exactly (as decimals), its constants folded or bound: the
    true gradient is 0, so 0 passes and so does whatever gradtrace computed."""
    a, b = _decimal(m, p), _decimal(n, q)
    sa, sb, sc = _spell(a, how_a), _spell(b, how_b), _spell(a + b, how_c)
    program = [f"({sa})*x + ({sb})*x - ({sc})*x", f"x*(({sc}) - (({sa}) + ({sb})))",
               f"(({sa}) + ({sb}))*x - ({sc})*x", f"x*({sa}) - x*({sc}) + ({sb})*x"][shape]
    trace = gradtrace.trace(program, x=x)
    computed = trace.node("x").upstream
    answers = check_answers(trace, [Expected("x", "0"), Expected("x", fmt(computed, 4)),
                                    Expected("x", repr(computed))])
    assert all(a.correct for a in answers), (program, computed, [a.rule for a in answers])


@given(st.integers(1, 999), st.integers(1, 999), st.integers(1, 4), st.integers(1, 4), st.integers(1, 9),
       st.integers(0, 3))
def test_constants_that_do_not_cancel_are_not_noise(m, n, p, q, off, shape):
    """The same programs with c one unit off in its last place (or more): 0 fails."""
    a, b = _decimal(m, p), _decimal(n, q)
    places = max(p, q)
    c = a + b + Fraction(off, 10**places)
    sa, sb, sc = _spell(a, 0), _spell(b, 0), _spell(c, 0)
    program = [f"({sa})*x + ({sb})*x - ({sc})*x", f"x*(({sc}) - (({sa}) + ({sb})))",
               f"(({sa}) + ({sb}))*x - ({sc})*x", f"x*({sa}) - x*({sc}) + ({sb})*x"][shape]
    trace = gradtrace.trace(program, x=1.0)
    assert not check_answers(trace, [Expected("x", "0")])[0].correct, program


@given(st.integers(-30, -17), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9))
def test_a_tiny_true_value_and_zero_both_pass_within_the_noise(exponent, t, x, y):
    """x*y - y*x + t*x: the true ∂f/∂x is t, lost (or kept) in the sum y - y + t. Both the true
    value and 0 are within the noise of the computed one."""
    tiny = f"{t}e{exponent}"
    trace = gradtrace.trace(f"x*y - y*x + {tiny}*x", x=float(x), y=float(y))
    graded = check_answers(trace, [Expected("x", "0"), Expected("x", tiny)])
    assert [a.correct for a in graded] == [True, True], (tiny, trace.node("x").upstream)
    # one that the sum can hold is a true value, not noise
    trace = gradtrace.trace(f"x*y - y*x + {t}e-10*x", x=float(x), y=float(y))
    assert not check_answers(trace, [Expected("x", "0")])[0].correct


# ---- float32 and float16 answer arrays (finding 7) ---------------------------------------------

def _softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def _layer(kind: str, rng, dtype):
    """A random layer: (program, bindings as float64 arrays exactly representable in dtype, the
    textbook numpy backward pass computed in dtype: {name: gradient})."""
    N, D, H, C = (int(v) for v in rng.integers(2, 24, 4))

    def r(*shape, scale=1.0):
        return (rng.standard_normal(shape) * scale).astype(dtype)

    y = rng.integers(0, C, N)
    if kind == "two_layer_ce":  # the issue's cross_entropy(relu(X @ W1) @ W2, y)
        X, W1, W2 = r(N, D), r(D, H, scale=0.1), r(H, C, scale=0.1)
        h = X @ W1
        hr = np.maximum(h, dtype(0))
        p = _softmax(hr @ W2)
        p[np.arange(N), y] -= dtype(1)
        ds = p / dtype(N)
        dW2 = hr.T @ ds
        dW1 = X.T @ ((ds @ W2.T) * (h > 0))
        return "cross_entropy(relu(X @ W1) @ W2, y)", {"X": X, "W1": W1, "W2": W2, "y": y}, {"W1": dW1, "W2": dW2}
    if kind == "affine_svm":
        X, W, b = r(N, D), r(D, C, scale=0.1), r(C, scale=0.1)
        s = X @ W + b
        m = np.maximum(dtype(0), s - s[np.arange(N), y][:, None] + dtype(1))
        m[np.arange(N), y] = 0
        g = (m > 0).astype(dtype)
        g[np.arange(N), y] = -g.sum(axis=1)
        ds = g / dtype(N)
        return "svm_loss(X @ W + b, y)", {"X": X, "W": W, "b": b, "y": y}, {"W": X.T @ ds, "b": ds.sum(axis=0)}
    if kind == "softmax_ce":
        X, W = r(N, D), r(D, C, scale=0.1)
        p = _softmax(X @ W)
        p[np.arange(N), y] -= dtype(1)
        return "cross_entropy(X @ W, y)", {"X": X, "W": W, "y": y}, {"W": X.T @ (p / dtype(N))}
    if kind == "matmul_chain":  # sum((A @ B @ C)**2) / 2
        A, B, Cm = r(N, D, scale=0.3), r(D, H, scale=0.3), r(H, C, scale=0.3)
        out = A @ B @ Cm
        dB = A.T @ out @ Cm.T
        dC = (A @ B).T @ out
        return "sum((A @ B @ C)**2) / 2", {"A": A, "B": B, "C": Cm}, {"B": dB, "C": dC}
    assert kind == "affine_relu"  # sum(relu(X @ W + b) * G), G a fixed upstream
    X, W, b, G = r(N, D), r(D, H, scale=0.2), r(H, scale=0.2), r(N, H)
    h = X @ W + b
    dh = G * (h > 0)
    return "sum(relu(X @ W + b) * G)", {"X": X, "W": W, "b": b, "G": G}, {"W": X.T @ dh, "b": dh.sum(axis=0)}


KINDS = ["two_layer_ce", "affine_svm", "softmax_ce", "matmul_chain", "affine_relu"]


def _bindings(bindings):
    return {k: (v.astype(np.float64) if v.dtype.kind == "f" else v) for k, v in bindings.items()}


@given(st.sampled_from(KINDS), st.sampled_from([np.float32, np.float16]), st.integers(0, 2**32 - 1))
def test_a_correct_low_precision_backward_pass_passes(kind, dtype, seed):
    program, bindings, grads = _layer(kind, np.random.default_rng(seed), dtype)
    assert all(g.dtype == dtype for g in grads.values())
    trace = gradtrace.trace(program, expect=grads, **_bindings(bindings))
    for answer in trace.answers:
        assert answer.correct, (program, answer.name, answer.worst, answer.rule)


WRONGS = {
    "twice": lambda g: g * 2,
    "half": lambda g: g / 2,
    "sign": lambda g: -g,
    "transposed": lambda g: g.T.reshape(g.shape) if g.ndim == 2 else g[::-1],
    "one element off by 1%": lambda g: _bump(g, 1.01),
    "one element's sign": lambda g: _bump(g, -1.0),
}


def _bump(g, factor):
    out = g.copy()
    flat = out.reshape(-1)
    flat[np.argmax(np.abs(flat))] *= factor
    return out


@given(st.sampled_from(KINDS), st.sampled_from([np.float32, np.float16]), st.integers(0, 2**32 - 1),
       st.sampled_from(sorted(WRONGS)))
def test_a_wrong_low_precision_backward_pass_fails(kind, dtype, seed, wrong):
    program, bindings, grads = _layer(kind, np.random.default_rng(seed), dtype)
    name = sorted(grads)[0]
    bad = WRONGS[wrong](grads[name]).astype(dtype)
    truth = gradtrace.trace(program, **_bindings(bindings)).node(name).upstream
    # a change smaller than the dtype can hold, or one that leaves the array as it was, is no slip
    assume(np.max(np.abs(bad.astype(float) - truth)) > 0.05 * np.max(np.abs(truth)))
    trace = gradtrace.trace(program, expect={name: bad}, **_bindings(bindings))
    answer = trace.answers[0]
    assert not answer.correct, (program, wrong)
    assert "relative error" in answer.worst


def _issue_layer():
    rng = np.random.default_rng(231)
    N, D, H, C = 20, 50, 30, 10
    X = rng.standard_normal((N, D)).astype(np.float32)
    W1 = (rng.standard_normal((D, H)) * 0.1).astype(np.float32)
    W2 = (rng.standard_normal((H, C)) * 0.1).astype(np.float32)
    y = rng.integers(0, C, N)
    h = X @ W1
    hr = np.maximum(h, 0)
    p = _softmax(hr @ W2)
    p[np.arange(N), y] -= 1
    ds = p / np.float32(N)
    return {"X": X, "W1": W1, "W2": W2, "y": y}, hr.T @ ds


def _saved(folder, bindings):
    """Each binding saved as NAME.npy in folder, and the arguments that bind it: -NAME @folder/NAME.npy."""
    args = []
    for name, value in bindings.items():
        np.save(folder / f"{name}.npy", value)
        args += [f"-{name}", f"@{folder / name}.npy"]
    return args


def test_the_issues_float32_two_layer_net_passes_on_the_command_line(gt, tmp_path):
    bindings, dW2 = _issue_layer()
    args = ["cross_entropy(relu(X @ W1) @ W2, y)", *_saved(tmp_path, bindings)]
    np.save(tmp_path / "dW2.npy", dW2)
    assert dW2.dtype == np.float32
    result = gt(*args, "--expect", f"W2=@{tmp_path / 'dW2.npy'}")
    assert result.exit_code == 0, result.stdout
    np.save(tmp_path / "dW2.npy", (dW2 * np.float32(1.5)))
    result = gt(*args, "--expect", f"W2=@{tmp_path / 'dW2.npy'}")
    out = " ".join(result.stdout.split())
    assert result.exit_code == 3 and "relative error 2.0e-01" in out, out


@given(st.floats(-1e3, 1e3).filter(lambda v: abs(v) > 1e-6), st.integers(1, 60))
def test_a_miss_shows_digits_enough_to_see_the_difference(true, ulps):
    """"x[0] = A, but it is B": A and B, as printed, differ; and they are the values at that many
    digits."""
    answer = np.array([np.float32(true)], dtype=np.float32)
    answer = np.nextafter(answer, np.float32(np.inf) if true > 0 else np.float32(-np.inf))
    for _ in range(ulps):
        answer = answer * np.float32(1 + 2**-10)
    trace_value = np.array([true])
    from gradtrace.modes.answers import _grade_array

    correct, _rule, worst, _shown = _grade_array(Expected("x", answer), trace_value, np.zeros(1), None, 4)
    if correct:
        return
    said = re.match(r"x\[0\] = (\S+), but it is (\S+?);", worst)
    assert said, worst
    a, b = said.groups()
    assert a != b, worst
    # both at one number of significant digits (%g drops trailing zeros, so try each)
    assert any(a == format(float(answer[0]), f".{d}g") and b == format(true, f".{d}g") for d in range(4, 18)), worst


@pytest.mark.parametrize("dtype, element, verdict", [
    # the issue's element: an error of 7.5e-9 against a largest element of 0.07
    (np.float32, -6.66732e-05, True), (np.float32, -6.668e-05 - 7.5e-9, True),
    (np.float32, -6.0e-05, False), (np.float32, 6.668e-05, False),
    (np.float16, -6.668e-05, True), (np.float16, 0.0, True), (np.float16, 5e-3, False),
    (np.float64, -6.66732e-05, False), (np.float64, -6.668e-05, True), (np.float64, -6.66805e-05, True),
])
def test_the_dtype_table(dtype, element, verdict):
    """One element of an array whose largest element is 0.07, true value -6.668e-05."""
    truth = np.array([0.07, -6.668e-05, 0.01])
    answer = truth.astype(dtype)
    answer[1] = dtype(element)
    from gradtrace.modes.answers import _grade_array

    correct, rule, worst, _ = _grade_array(Expected("W", answer), truth, np.zeros(3), None, 4)
    assert correct is verdict, (rule, worst)


def test_the_cli_and_the_python_api_agree_on_arrays(gt, tmp_path):
    bindings, dW2 = _issue_layer()
    args = ["cross_entropy(relu(X @ W1) @ W2, y)", *_saved(tmp_path, bindings)]
    for answer in (dW2, dW2 * np.float32(1.001), dW2.astype(np.float16), dW2.astype(np.float64) * 1.0000001,
                   -dW2):
        np.save(tmp_path / "dW2.npy", answer)
        cli = gt(*args, "--expect", f"W2=@{tmp_path / 'dW2.npy'}")
        api = gradtrace.trace(args[0], expect={"W2": answer}, **_bindings(bindings)).answers[0]
        assert (cli.exit_code == 0) is api.correct, (answer.dtype, api.worst)


def test_bad_answers_are_still_refused_with_a_message():
    for text in ("1e-999999999", "1" * 500, "x", "__import__('os')", "", "[1,2]x", "1e999", "2^99999", "1/0",
                 "1e300*1e300", "0.5^-2000"):
        with pytest.raises(GradtraceError):
            read_answer(text)


@pytest.mark.parametrize("answer, reason", [
    ("-0,2", "a decimal comma: write -0.2 with a point"), ("2,50", "a decimal comma: write 2.50 with a point"),
    ("−1,5", "a decimal comma: write −1.5 with a point"), (",5", "a decimal comma: write .5 with a point"),
    ("1/0", "nonzero divisor"), ("0/0", "nonzero divisor"), ("-0.2.0", "write 0.2*.0 to multiply"),
])
def test_a_refused_answer_says_why_it_was_refused(answer, reason):
    with pytest.raises(GradtraceError) as refused:
        read_answer(answer)
    assert "not a number" in refused.value.message and reason in (refused.value.hint or ""), refused.value.hint
