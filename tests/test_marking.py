"""Follow-through marking and misconceptions (teach/marking.py): the follow-through rule as a table
of (answer, their earlier answer, true value → verdict), the catalogue gate by gate, and what no
right or random wrong answer may ever be called."""

import pytest

from gradtrace.modes.answers import Expected, check_answers
from gradtrace.modes.run import run_program
from gradtrace.core.bindings import Binding
from gradtrace.teach.marking import credit_of, mark


def marked(program, bindings, answers, seed=None):
    trace = run_program(program, [Binding(k, float(v), source=k) for k, v in bindings.items()], seed=seed).numeric
    graded = check_answers(trace, [Expected(n, t) for n, t in answers.items()])
    return {a.name: a.correct for a in graded}, mark(trace, {a.name: (a, answers[a.name]) for a in graded},
                                                     key_seed=seed)


# (x+y)*z at x=-2, y=5, z=-4: ∂f/∂q = z = -4, ∂f/∂x = ∂f/∂q · 1 = -4.
# answer for x, their q, verdict: "right", "follows" (q's slip carried through ·1), or "slip".
FOLLOW = [
    ("-4", "-4", "right"),         # right is right, whatever came before
    ("-4", "-5", "right"),         # a right answer after a slip is right, never a follow-through
    ("-5", "-5", "follows"),       # their -5 through the add gate's local gradient 1
    ("-5.0", "-5", "follows"),     # spelled otherwise, the same number
    ("-5", "-4", "slip"),          # their q was right: nothing to follow from
    ("-6", "-5", "slip"),          # not what their q gives
    ("-5.1", "-5.14", "follows"),  # -5.14 carried through is -5.1 at the 1 decimal written
    ("-5.14", "-5.1", "slip"),     # written to 2 decimals, -5.14 is not -5.1
    ("0.5", "0.5", "follows"),
    ("0", "0", "follows"),         # a zero only for a true zero of their world
    ("0.0001", "0", "slip"),
]


@pytest.mark.parametrize("answer, earlier, verdict", FOLLOW)
def test_the_follow_through_rule(answer, earlier, verdict):
    correct, findings = marked("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"q": earlier, "x": answer})
    if verdict == "right":
        assert correct["x"] and "x" not in findings
    elif verdict == "follows":
        assert not correct["x"] and findings["x"].follows == ("q",) and not findings["x"].misconceptions
    else:
        assert not correct["x"] and not findings["x"].follows


# Every relation of the graph, in one table: (program, bindings, answers, question, slips it follows from).
RELATIONS = [
    # a value computed from their wrong input value
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"q.value": "7", "f.value": "-28"}, "f.value", ("q.value",)),
    # a gradient at their wrong value (mul switches: ∂f/∂z = q)
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"q.value": "7", "z": "7"}, "z", ("q.value",)),
    # an upstream summed from their own downstreams: x*x's x gets 2x·up, with their up
    ("a = x * x; f = 3 * a", {"x": 2}, {"a": "4", "x": "16"}, "x", ("a",)),
    # a copy gate whose one branch was their slip: p = x*y, s = x + p, ∂f/∂x = ∂f/∂s(1 + y)
    ("p = x * y; s = x + p; f = s * 2", {"x": 1, "y": 3}, {"s": "3", "p": "3", "x": "12"}, "x", ("s",)),
    # a chain: their slip at s carried through the sigmoid, then the add gate
    ("s = w * x + b; f = sigmoid(s)", {"w": 2, "x": -1, "b": 0.5},
     {"s.value": "-1", "f.value": "0.2689"}, "f.value", ("s.value",)),
    # a slip two steps back, through a wire they did not answer
    ("a = x + 1; b = a * 2; c = b - 3", {"x": 1}, {"a.value": "5", "c.value": "7"}, "c.value", ("a.value",)),
]


@pytest.mark.parametrize("program, bindings, answers, question, slips", RELATIONS)
def test_each_relation_of_the_graph_follows_through(program, bindings, answers, question, slips):
    correct, findings = marked(program, bindings, answers)
    assert not correct[question]
    assert findings[question].follows == slips
    for slip in slips:
        assert not findings[slip].follows


@pytest.mark.parametrize("text, credit", [(None, 1.0), ("full", 1.0), ("none", 0.0), ("0.5", 0.5), (0.25, 0.25)])
def test_a_keys_follow_through_credit(text, credit):
    assert credit_of(text, "key.toml") == credit


@pytest.mark.parametrize("text", ["half", "1.5", "-0.1", True, "nan"])
def test_a_bad_follow_through_credit_is_the_keys_error(text):
    from gradtrace.core.errors import GradtraceError

    with pytest.raises(GradtraceError, match="follow_through"):
        credit_of(text, "key.toml")
