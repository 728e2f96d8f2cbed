"""Symbolic answers (no bindings): an answer is an expression, right when it equals the true
gradient for every value of the variables. Specified as a table of (program, answer name, answer,
verdict), with the promise that whatever symbolic mode prints passes when typed back, for every op."""

import json

import pytest

from gradtrace.core.errors import GradtraceError
from gradtrace.core.numbers import fmt
from gradtrace.core.ops import OPS
from gradtrace.modes.answers import SYMBOLIC_RULE, Expected
from gradtrace.modes.run import run_program

# program, answer for (NAME or NAME.value), answer text, verdict
TABLE = [
    # the lecture's circuit: ∂f/∂z = x + y, written any equal way, or as the node's own name
    ("q = x + y; f = q * z", "z", "x+y", True), ("q = x + y; f = q * z", "z", "y + x", True),
    ("q = x + y; f = q * z", "z", "q", True), ("q = x + y; f = q * z", "z", "(x+y)*1", True),
    ("q = x + y; f = q * z", "z", "x*y", False), ("q = x + y; f = q * z", "z", "x+y+1", False),
    ("q = x + y; f = q * z", "z", "z", False), ("q = x + y; f = q * z", "x", "z", True),
    ("q = x + y; f = q * z", "x", "1", False), ("q = x + y; f = q * z", "q", "z", True),
    ("q = x + y; f = q * z", "q.value", "x + y", True), ("q = x + y; f = q * z", "f.value", "x*z + y*z", True),
    ("q = x + y; f = q * z", "f.value", "x*z + y", False),
    # constants: the gradient of 3x is 3, in any spelling
    ("3*x", "x", "3", True), ("3*x", "x", "6/2", True), ("3*x", "x", "3.0", True), ("3*x", "x", "3.01", False),
    ("x/3", "x", "1/3", True), ("x/3", "x", "1/3 ≈ 0.3333", True), ("x/3", "x", "0.3333", False),
    # the sigmoid gate, in the lecture's forms
    ("sigmoid(x)", "x", "sigmoid(x)*(1 - sigmoid(x))", True), ("sigmoid(x)", "x", "σ(x)·(1 - σ(x))", True),
    ("sigmoid(x)", "x", "exp(-x)/(1 + exp(-x))^2", True), ("sigmoid(x)", "x", "sigmoid(x)", False),
    ("sigmoid(x)", "x", "sigmoid(x)*(1 + sigmoid(x))", False),
    ("f = 1/(1 + exp(-(w*x + b)))", "w", "x*f*(1 - f)", True), ("f = 1/(1 + exp(-(w*x + b)))", "w", "f*(1-f)", False),
    # powers, logs and roots
    ("x^2", "x", "2x", True), ("x²", "x", "2*x", True), ("x^3", "x", "3x^2", True), ("x^3", "x", "3x", False),
    ("log(x)", "x", "1/x", True), ("log(x)", "x", "x^-1", True), ("sqrt(x)", "x", "1/(2*sqrt(x))", True),
    ("sqrt(x)", "x", "1/sqrt(x)", False), ("exp(2x)", "x", "2*exp(2x)", True), ("exp(2x)", "x", "exp(2x)", False),
    ("tanh(x)", "x", "1 - tanh(x)^2", True), ("tanh(x)", "x", "1 + tanh(x)^2", False),
    ("sin(x)^2 + cos(x)^2", "x", "0", True), ("sin(x)^2 + cos(x)^2", "f.value", "1", True),
    # the router: max's gradient is a step, written as gradtrace prints it
    ("max(x, y)", "x", "heaviside(x - y)", True), ("max(x, y)", "x", "heaviside(y - x)", False),
    ("relu(x)", "x", "heaviside(x)", True), ("relu(x)", "x", "1", False), ("abs(x)", "x", "sign(x)", True),
    ("abs(x)", "x", "1", False),
]


def _grade(program, name, answer):
    return run_program(program, mode="symbolic", expected=[Expected(name, answer)]).trace.answers[0]


@pytest.mark.parametrize("program, name, answer, verdict", TABLE)
def test_the_symbolic_grading_table(program, name, answer, verdict):
    graded = _grade(program, name, answer)
    assert graded.correct is verdict, (program, name, answer, graded.actual)
    assert graded.rule == SYMBOLIC_RULE


def _typed_back_programs():
    for op in OPS.values():
        if not op.syntax.callable or op.oracles.sympy is None:
            continue
        if op.name == "clip":
            yield op.name, "clip(x*y, -1, 2)"
        elif op.arity == 1:
            yield op.name, f"{op.name}(x*y)"
        elif op.arity == 2:
            yield op.name, f"{op.name}(x, y*2)"
        else:
            yield op.name, f"{op.name}(x, y, x*y)"


@pytest.mark.slow
@pytest.mark.parametrize("name, program", list(_typed_back_programs()), ids=lambda v: str(v))
def test_whatever_symbolic_mode_prints_passes_when_typed_back_for_every_op(name, program):
    """Every value and gradient the table shows (compact, in the node names) and every true value
    an answer line shows (in the variables) is read back by the grader and passes."""
    trace = run_program(program, mode="symbolic").trace
    shown = [Expected(row.name, fmt(row.upstream)) for row in trace.nodes]
    shown += [Expected(row.name + ".value", fmt(row.value)) for row in trace.nodes]
    graded = run_program(program, mode="symbolic", expected=shown).trace.answers
    assert all(a.correct for a in graded), [(a.name, a.given) for a in graded if not a.correct]
    again = [Expected(a.name, fmt(a.actual)) for a in graded]
    assert all(a.correct for a in run_program(program, mode="symbolic", expected=again).trace.answers)


@pytest.mark.parametrize("name, program", list(_typed_back_programs())[:12], ids=lambda v: str(v))
def test_a_changed_true_value_never_passes(name, program):
    trace = run_program(program, mode="symbolic").trace
    for row in trace.nodes[:3]:
        for wrong in (f"({fmt(row.upstream)}) + x", f"2*({fmt(row.upstream)}) + 1"):
            assert not _grade(program, row.name, wrong).correct, (row.name, wrong)


@pytest.mark.parametrize("answer, message", [
    ("x + w", "uses w, which is not a name in the program"),
    ("x +", "not an expression gradtrace can read"),
    ("[1, 2]", "one expression, not an array"),
    ("x" * 300, "at most 200 characters"),
    ("__import__('os')", "not an expression gradtrace can read"),
])
def test_unreadable_symbolic_answers_are_refused_with_a_message(answer, message):
    with pytest.raises(GradtraceError) as err:
        _grade("(x+y)*z", "z", answer)
    assert message in str(err.value)


def test_on_the_command_line_exit_codes_and_json(gt):
    ok = gt("(x+y)*z", "--expect", "z=x+y", "--expect", "x=z")
    assert ok.exit_code == 0 and "✓ z = x+y" in ok.stdout
    wrong = gt("(x+y)*z", "--expect", "z=x*y")
    assert wrong.exit_code == 3 and "1 of 1 answers wrong: z" in wrong.stderr
    assert gt("(x+y)*z", "--expect", "z=x+w").exit_code == 2
    tolerance = gt("(x+y)*z", "--expect", "z=x+y", "--tol", "0.1")
    assert tolerance.exit_code == 2 and "tolerance compares numbers" in tolerance.stderr
    data = json.loads(gt("(x+y)*z", "--expect", "z=x+y", "--json").stdout)
    answer = data["answers"][0]
    assert answer["actual"] is None and answer["actual_symbolic"] == "x + y" and answer["correct"] is True


def test_a_gradient_check_still_needs_bindings(gt):
    result = gt("(x+y)*z", "--check")
    assert result.exit_code == 2 and "needs values" in result.stderr
