"""Follow-through marking and misconceptions (teach/marking.py): the follow-through rule as a table
of (answer, their earlier answer, true value → verdict), the catalogue gate by gate, and what no
right or random wrong answer may ever be called."""

import json

import pytest

from gradtrace.core.bindings import Binding
from gradtrace.modes.answers import Expected, check_answers
from gradtrace.modes.run import run_program
from gradtrace.teach.marking import credit_of, mark


def marked(program, bindings, answers, seed=None):
    from gradtrace.teach.wires import check_wires, is_wire

    trace = run_program(program, [Binding(k, float(v), source=k) for k, v in bindings.items()], seed=seed).numeric
    items = [Expected(n, t) for n, t in answers.items()]
    graded = check_answers(trace, [i for i in items if not is_wire(i.name)]) + \
        check_wires(trace, [i for i in items if is_wire(i.name)])
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
    # a downstream gradient: their wrong upstream × the right local gradient
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"q": "-5", "q->x.downstream": "-5"}, "q->x.downstream",
     ("q",)),
    # a local gradient at their wrong value, then the downstream and the upstream made of it
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"q.value": "7", "f->z.local": "7"}, "f->z.local",
     ("q.value",)),
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"f->q.local": "-5", "f->q.downstream": "-5"},
     "f->q.downstream", ("f->q.local",)),
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, {"f->q.local": "-5", "x": "-5"}, "x", ("f->q.local",)),
    # an upstream as the sum of their own downstreams at a copy gate
    ("p = x * y; f = p + x", {"x": 3, "y": 5}, {"p->x.downstream": "4", "x": "5"}, "x", ("p->x.downstream",)),
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


# The catalogue, entry by entry: (program, bindings, question, answer, seed, the entries named).
# Some mistakes give the same number wherever they are made (a subtraction's second input with its
# sign lost is the upstream alone): those are named together.
CATALOGUE = [
    ("f = x * y + x", {"x": 3, "y": 5}, "x", "5", None, {"copy_one_branch"}),
    ("f = x * y + x", {"x": 3, "y": 5}, "x", "1", None, {"copy_one_branch"}),
    ("f = max(x, y) * 3", {"x": 1, "y": 4}, "y", "0", None, {"router_loser"}),
    ("f = max(x, y) * 3", {"x": 1, "y": 4}, "y", "1.5", None, {"router_split"}),
    ("f = max(x, y) * 3", {"x": 1, "y": 4}, "x", "3", None, {"router_loser", "upstream_only"}),
    ("f = 3 * (x * y)", {"x": 2, "y": 5}, "x", "6", None, {"switcher_own_value"}),
    ("f = 3 * (x * y)", {"x": 2, "y": 5}, "x", "5", None, {"local_only"}),
    ("f = 3 * (x * y)", {"x": 2, "y": 5}, "x", "3", None, {"upstream_only"}),
    ("f = 3 * (x * y)", {"x": 2, "y": 5}, "x", "2", None, {"value_as_gradient"}),
    ("f = 3 * (x * y)", {"x": 2, "y": 5}, "x", "15", 2, {"seed_ignored"}),
    ("f = 2 * (x - y)", {"x": 2, "y": 5}, "y", "2", None, {"subtraction_sign", "upstream_only"}),
    ("f = 2 * sigmoid(x)", {"x": 2}, "x", "-4", None, {"sigmoid_at_input"}),
    ("f = 2 * tanh(x)", {"x": 2}, "x", "-6", None, {"tanh_at_input"}),
    ("f = 3 * (1 / x)", {"x": 2}, "x", "0.75", None, {"reciprocal_sign"}),
    ("f = 3 * (1 / x)", {"x": 2}, "x", "-1.5", None, {"reciprocal_square"}),
    ("f = 3 * (y / x)", {"x": 2, "y": 1}, "x", "-1.5", None, {"reciprocal_square"}),
    # wires: a local gradient, and the downstream gradient it carries
    ("p = x * y; f = 3 * p", {"x": 2, "y": 5}, "p->x.local", "2", None, {"switcher_own_value"}),
    ("p = x * y; f = 3 * p", {"x": 2, "y": 5}, "p->x.downstream", "6", None, {"switcher_own_value"}),
    ("p = x * y; f = 3 * p", {"x": 2, "y": 5}, "p->x.downstream", "5", None, {"local_only"}),
    ("p = x * y; f = 3 * p", {"x": 2, "y": 5}, "p->x.downstream", "3", None, {"upstream_only"}),
    ("p = x * y; f = 3 * p", {"x": 2, "y": 5}, "p->x.downstream", "15", 2, {"seed_ignored"}),
    ("m = max(x, y); f = 3 * m", {"x": 1, "y": 4}, "m->x.local", "1", None, {"router_loser"}),
    ("m = max(x, y); f = 3 * m", {"x": 1, "y": 4}, "m->y.local", "0.5", None, {"router_split"}),
    ("d = x - y; f = 2 * d", {"x": 1, "y": 4}, "d->y.local", "1", None, {"subtraction_sign"}),
    ("r = 1 / x; f = 3 * r", {"x": 2}, "r->x.local", "-0.5", None, {"reciprocal_square"}),
    ("s = sigmoid(x); f = 2 * s", {"x": 2}, "s->x.local", "-2", None, {"sigmoid_at_input"}),
]


@pytest.mark.parametrize("program, bindings, question, answer, seed, named", CATALOGUE)
def test_each_catalogue_entry_is_named_when_it_reproduces_the_answer(program, bindings, question, answer, seed,
                                                                    named):
    correct, findings = marked(program, bindings, {question: answer}, seed=seed)
    assert not correct[question]
    found = findings[question]
    assert {m.key for m in found.misconceptions} == named
    assert found.ambiguous is (len(named) > 1)
    assert found.feedback(question)


@pytest.mark.parametrize("program, bindings, question, answer, seed, named", CATALOGUE)
def test_no_entry_is_named_for_a_right_answer_or_a_near_miss(program, bindings, question, answer, seed, named):
    from gradtrace.core.numbers import DEFAULT

    trace = run_program(program, [Binding(k, float(v), source=k) for k, v in bindings.items()], seed=seed).numeric
    if "->" in question:
        from gradtrace.teach.wires import locate

        c, slot, kind = locate(trace, question, question)
        truth = (trace.local if kind == "local" else trace.downstream)[c][slot]
    else:
        truth = trace.node(question).upstream
    correct, findings = marked(program, bindings, {question: DEFAULT.text(truth)}, seed=seed)
    assert correct[question] and findings == {}
    # the planted answer nudged off by one in its last written digit: no longer that mistake
    near = str(float(answer) + (0.01 if "." in answer else 1) * 0.37)
    correct, findings = marked(program, bindings, {question: near}, seed=seed)
    assert not correct[question] and not findings[question].misconceptions


@pytest.mark.parametrize("name, message", [
    ("q->w.local", "no wire q->w.local"), ("q->x.upstream", "GATE->INPUT.local"), ("x->q.local", "no wire"),
    ("p->x.local", "no wire"), ("f->q#2.local", "no wire"),
])
def test_a_wire_the_circuit_lacks_is_that_answers_error(gt, tmp_path, name, message):
    (tmp_path / "key.toml").write_text('expression = "q = x + y; f = q * z"\nbindings = { x = -2, y = 5, z = -4 }\n'
                                       '[answers]\nx = 0\n"q->x.local" = 0\n')
    (tmp_path / "a.toml").write_text(f'[answers]\nx = -4\n"q->x.local" = 1\n"{name}" = 3\n')
    result = gt("grade", str(tmp_path / "a.toml"), "--key", str(tmp_path / "key.toml"), "--format", "json")
    assert result.exit_code == 0  # not asked by the key: graded as the key asks, noted
    (tmp_path / "b.toml").write_text('expression = "q = x + y; f = q * z"\nbindings = { x = -2, y = 5, z = -4 }\n'
                                     f'[answers]\nx = -4\n"q->x.local" = 1\n"{name}" = 3\n')
    result = gt("grade", str(tmp_path / "b.toml"), "--format", "json")
    answers = {a["name"]: a for a in json.loads(result.stdout)["students"][0]["answers"]}
    assert answers["q->x.local"]["status"] == "right"
    assert answers[name]["status"] == "error" and message in answers[name]["error"]["message"]
    assert result.exit_code == 3


def test_a_key_asks_for_wires(gt, tmp_path):
    (tmp_path / "key.toml").write_text('expression = "q = x + y; f = q * z"\nbindings = { x = -2, y = 5, z = -4 }\n'
                                       '[answers]\n"f->q.local" = 0\n"f->q.downstream" = 0\n"q→x.downstream" = 0\n')
    (tmp_path / "a.toml").write_text('[answers]\n"f->q.local" = -5\n"f->q.downstream" = -5\n"q→x.downstream" = -5\n')
    data = json.loads(gt("grade", str(tmp_path / "a.toml"), "--key", str(tmp_path / "key.toml"), "--format",
                         "json").stdout)
    answers = {a["name"]: a for a in data["students"][0]["answers"]}
    assert answers["f->q.local"]["refers_to"] == "∂f/∂q" and answers["f->q.local"]["actual"] == -4
    assert answers["f->q.downstream"]["follows_through"]["from"] == ["f->q.local"]
    assert answers["q→x.downstream"]["follows_through"]["from"] == ["f->q.local"]


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_right_answers_to_every_wire_of_generated_circuits_are_never_flagged(difficulty):
    """Worksheets' random circuits (fan-out, max, constants, sigmoid, 1/x): every value, upstream,
    local and downstream answered as gradtrace prints it is right, and nothing is named."""
    from gradtrace.core.numbers import DEFAULT
    from gradtrace.teach import quiz
    from gradtrace.teach.wires import check_wires, is_wire, wire_names

    for problem in quiz.worksheet(seed=difficulty, count=4, difficulty=difficulty):
        trace = problem.trace
        wires = wire_names(trace)
        questions = [f"{row.name}.value" for row in trace.nodes if row.op != "input"] + \
            [row.name for row in trace.nodes if row.name != trace.output] + wires

        def truth(name, trace=trace):
            if is_wire(name):
                from gradtrace.teach.wires import locate

                c, slot, kind = locate(trace, name, name)
                return (trace.local if kind == "local" else trace.downstream)[c][slot]
            node, _dot, attribute = name.partition(".")
            return trace.node(node).value if attribute else trace.node(node).upstream

        answers = {q: DEFAULT.text(truth(q)) for q in questions}
        items = [Expected(n, t) for n, t in answers.items()]
        graded = check_answers(trace, [i for i in items if not is_wire(i.name)]) + \
            check_wires(trace, [i for i in items if is_wire(i.name)])
        assert all(a.correct for a in graded), [(a.name, a.given, a.actual) for a in graded if not a.correct]
        assert mark(trace, {a.name: (a, answers[a.name]) for a in graded}) == {}
