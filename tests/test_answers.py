"""The grading rule, specified as a table of (answer, true value, verdict), and the promises that
follow from it: what gradtrace prints passes when typed back, and no nonzero value passes as zero."""

import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradtrace
from gradtrace.core.errors import GradtraceError
from gradtrace.core.numbers import fmt
from gradtrace.modes.answers import Expected, Tolerance, check_answers, grade, read_answer

# answer, true value, verdict (precision 4, the default; no float noise unless stated)
TABLE = [
    # the slides' rounding: an answer with decimals passes when the true value rounds to it
    ("0.39", 0.3932, True), ("0.393", 0.3932, True), ("0.4", 0.3932, True), ("0.3932", 0.3932, True),
    ("0.3", 0.3932, False), ("0.38", 0.3932, False), ("-0.39", 0.3932, False), ("0.394", 0.3932, False),
    ("-0.20", -0.19661193, True), ("-0.2", -0.19661193, True), ("-0.19", -0.19661193, False),
    ("1.224e-06", 1.2241e-06, True), ("1.23e-06", 1.2241e-06, False), ("-3.671e-06", -3.6712e-06, True),
    ("2.0", 2.04, False), ("2.0", 2.06, False), ("2.5", 2.54, True),  # 2.0 is the whole number 2, as below
    # whole numbers: right to the shown precision, so float noise passes and a different value fails
    ("-4", -4.0, True), ("-4", -4.0000000001, True), ("4", -4.0, False), ("-4", -4.3, False),
    ("2", 2.000008, True), ("2", 2.0008, False), ("-12", -12.0, True), ("12345", 12345.4, True),
    ("12346", 12345.4, False), ("1e+20", 1.0000001e20, True), ("1e+20", 1.01e20, False),
    ("2e-3", 0.002, True), ("2e-3", 0.0021, True), ("2e-3", 0.0026, False), ("1", 0.99996, True),  # 2e-3 is 0.002
    # zero: only a true zero (or float noise, see below)
    ("0", -0.009046, False), ("0.0", -0.009046, False), ("0.00", -0.009046, False), ("-0", 0.0, True),
    ("0", 0.0, True), ("0.0", 0.0, True), ("0.00", -0.0, True), ("0", 1e-300, False), ("0", 9.4e-14, False),
    # constant expressions, read by gradtrace's own parser
    ("1/3", 1 / 3, True), ("1/3", 0.3334, False), ("-pi/2", -math.pi / 2, True), ("-pi/2", -1.5697, False),
    ("e/(1+e)", math.e / (1 + math.e), True), ("2*0", 0.0, True), ("sqrt(2)", math.sqrt(2), True),
]


@pytest.mark.parametrize("answer, actual, verdict", TABLE)
def test_the_grading_table(answer, actual, verdict):
    assert grade(answer, actual)[0] is verdict


@pytest.mark.parametrize("answer, actual, noise, verdict", [
    ("0", 5.55e-17, 2e-16, True),    # 0.3 - (0.1 + 0.2): float noise of zero
    ("0.0", -1e-17, 1e-16, True),
    ("0", 5.55e-17, 0.0, False),     # the same number where nothing could have made it noise
    ("0", -0.009046, 1e-15, False),
])
def test_zero_passes_only_within_the_float_noise(answer, actual, noise, verdict):
    assert grade(answer, actual, noise=noise)[0] is verdict


@pytest.mark.parametrize("answer, actual, tol, verdict", [
    ("-4.1", -4.0, "0.2", True), ("-4.1", -4.0, "1%", False), ("-4.1", -4.0, "rel:0.05", True),
    ("0", -0.009046, "0.01", True), ("0", -0.009046, "abs:0.001", False), ("0.39", 0.3932, "abs:0.001", False),
])
def test_a_tolerance_overrides_the_rule(answer, actual, tol, verdict):
    assert grade(answer, actual, tol=Tolerance(tol))[0] is verdict


def test_more_digits_shown_means_whole_numbers_are_compared_at_more_digits():
    assert grade("2", 2.000008, precision=4)[0]
    assert not grade("2", 2.000008, precision=8)[0]   # --precision 8 prints 2.000008
    assert grade("2.000008", 2.000008, precision=8)[0]


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
       st.integers(min_value=1, max_value=17))
def test_whatever_gradtrace_prints_passes_when_typed_back(value, precision):
    printed = fmt(value, precision)
    assert grade(printed, value, precision)[0], (printed, value)


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 0))
def test_no_nonzero_value_passes_as_zero(value):
    for zero in ("0", "0.0", "0.00", "-0", "0e0"):
        assert not grade(zero, value)[0]


@pytest.mark.parametrize("text", ["1e-999999999", "1" * 500, "x", "__import__('os')", "", "[1,2]x", "1e999"])
def test_bad_answers_are_refused_at_once_with_a_message(text):
    with pytest.raises(GradtraceError):
        read_answer(text)


def test_float_noise_is_measured_on_the_trace():
    # 0.3 - (0.1 + 0.2) is 5.55e-17 in floats: noise, so 0 passes; exp(-30) is a true tiny value.
    t = gradtrace.trace("f = (a + b) - c", a=0.1, b=0.2, c=0.3)
    assert t.value != 0
    assert all(a.correct for a in check_answers(t, [Expected("f.value", "0")]))
    t = gradtrace.trace("exp(x)", x=-30)
    assert not any(a.correct for a in check_answers(t, [Expected("x", "0"), Expected("f.value", "0")]))
    t = gradtrace.trace("x * (tanh(y * (3 * x)) * x)", x=-1, y=2.5)
    graded = check_answers(t, [Expected("t1", "0.0"), Expected("x", "2"), Expected("y", "-3.671e-06")])
    assert [a.correct for a in graded] == [False, True, True]


def test_the_issue_examples_on_the_command_line(gt):
    program = ["x * (tanh(y * (3 * x)) * x)", "x=-1", "y=2.5"]
    result = gt(*program, "--expect", "x=2")
    assert result.exit_code == 0 and "✓ x = 2" in result.stdout
    result = gt(*program, "--expect", "t1=0.0")
    assert result.exit_code == 3 and "not zero" in result.stdout
    assert gt(*program, "--expect", "t1=0").exit_code == 3


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_the_quiz_never_shows_an_answer_that_the_grader_refuses(difficulty):
    from gradtrace.teach import quiz as practice

    for seed in range(60):
        rng = random.Random(seed)
        for problem in (practice.generate(rng, difficulty) for _ in range(2)):
            for q in problem.questions():
                shown = fmt(q.answer, 4)
                assert grade(shown, q.answer, 4)[0], (seed, problem.program, q.name, shown, q.answer)


def test_answers_files_hold_arrays_in_json_and_toml(gt, tmp_path):
    args = ["sum((W @ x)**2)", "-W", "[[0.1,0.5],[-0.3,0.8]]", "-x", "[0.2,0.4]"]
    j = tmp_path / "a.json"
    j.write_text(json.dumps({"x": [-0.112, 0.636]}))
    result = gt(*args, "--answers", str(j))
    assert result.exit_code == 0 and "✓ x" in result.stdout
    t = tmp_path / "a.toml"
    t.write_text("x = [-0.112, 0.636]\nW = [[0.088, 0.176], [0.104, 0.208]]\n")
    result = gt(*args, "--answers", str(t))
    assert result.exit_code == 0, result.stdout
    t.write_text("x = [-0.112, 0.7]\n")
    result = gt(*args, "--answers", str(t))
    assert result.exit_code == 3 and "x[1] = 0.7" in result.stdout and "--expect" not in result.stderr
    t.write_text("x = [-0.112, true]\n")
    result = gt(*args, "--answers", str(t))
    assert result.exit_code == 2 and "--expect" not in result.stderr and "only numbers" in result.stderr


def test_an_array_answer_for_a_scalar_and_the_wrong_shape_are_wrong_not_crashes(gt):
    result = gt("sum(x*x)", "-x", "[1,2]", "--expect", "x=[2,4,6]")
    assert result.exit_code == 3 and "shape is (2,), not (3,)" in result.stdout
    result = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--expect", "x=[1,2]")
    assert result.exit_code == 3
    result = gt("sum(x*x)", "-x", "[1,2]", "--expect", "x=2")
    assert result.exit_code == 3 and "Traceback" not in result.stdout


# ---- arrays: the worst element, and a student's own gradient arrays (@dW.npy) ------------------

HOMEWORK = ["sum((W @ x)**2)", "-W", "[[0.1,0.5],[-0.3,0.8]]", "-x", "[0.2,0.4]"]


def _true_dW():
    import numpy as np

    W, x = np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4])
    return 2 * np.outer(W @ x, x)


def test_an_array_answer_reports_its_worst_element_not_its_first(gt):
    result = gt(*HOMEWORK, "--expect", "W=[[0.089, 0.176], [0.104, 0.5]]")
    out = " ".join(result.stdout.split())  # the line may wrap
    assert result.exit_code == 3
    assert "W[1, 1] = 0.5, but at 1 decimal it is 0.2; the worst of 2 wrong elements" in out


def test_a_students_backward_pass_from_a_npy_file_is_graded(gt, tmp_path):
    """A hand-written backward pass (in numpy, another summation order) passes; a slip fails and
    the worst element is named; float dust where the truth is 0 passes as 0."""
    import numpy as np

    dW = _true_dW()
    path = tmp_path / "dW.npy"
    np.save(path, dW * (1 + 1e-15))  # another order of the same sums: the last bits differ
    assert gt(*HOMEWORK, "--expect", f"W=@{path}").exit_code == 0
    slipped = dW.copy()
    slipped[0, 1] *= 2
    np.save(path, slipped)
    result = gt(*HOMEWORK, "--expect", f"W=@{path}")
    assert result.exit_code == 3 and "W[0, 1]" in " ".join(result.stdout.split())
    # a zero gradient row, computed by the student as float dust
    args = ["sum(W @ x)", "-W", "[[1, 2], [3, 4]]", "-x", "[0, 1]"]
    np.save(path, np.array([[1e-17, 1.0], [-2e-17, 1.0]]))
    assert gt(*args, "--expect", f"W=@{path}").exit_code == 0
    np.save(path, np.array([[1e-3, 1.0], [0.0, 1.0]]))
    assert gt(*args, "--expect", f"W=@{path}").exit_code == 3


def test_an_answers_file_names_npy_files_beside_it_and_nowhere_else(gt, tmp_path):
    import numpy as np

    folder = tmp_path / "alice"
    folder.mkdir()
    np.save(folder / "dW.npy", _true_dW())
    (folder / "answers.toml").write_text('W = "@dW.npy"\n')
    # the working folder is the repository, not alice/: the name is read beside the answers file
    result = gt(*HOMEWORK, "--answers", str(folder / "answers.toml"))
    assert result.exit_code == 0, result.stdout + result.stderr
    np.save(tmp_path / "secret.npy", _true_dW())
    for escape in ("@../secret.npy", f"@{tmp_path / 'secret.npy'}"):
        (folder / "answers.toml").write_text(f'W = "{escape}"\n')
        result = gt(*HOMEWORK, "--answers", str(folder / "answers.toml"))
        assert result.exit_code == 2 and "only files in its own folder" in result.stderr


def test_numpy_arrays_from_python_are_graded_as_float_arrays():
    trace = gradtrace.trace("sum((W @ x)**2)", W=[[0.1, 0.5], [-0.3, 0.8]], x=[0.2, 0.4], expect={"W": _true_dW()})
    assert trace.answers[0].correct and "significant digits" in trace.answers[0].rule
    wrong = _true_dW() + 0.01
    assert not gradtrace.trace("sum((W @ x)**2)", W=[[0.1, 0.5], [-0.3, 0.8]], x=[0.2, 0.4],
                               expect={"W": wrong}).answers[0].correct
