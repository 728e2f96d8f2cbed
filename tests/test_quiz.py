"""Issue: practice mode. The scripted quiz, worksheets, and the quality of generated problems."""

import random
import re

import pytest

from gradtrace.core.numbers import fmt
from gradtrace.modes.check import gradient_check
from gradtrace.teach import quiz as practice

PATTERNS = {"distributor", "router", "switcher", "scaler", "adder"}


def answers_for(seed, difficulty, problems=1):
    rng = random.Random(seed)
    out = []
    for _ in range(problems):
        out += [fmt(q.answer, 6) for q in practice.generate(rng, difficulty).questions()]
    return out


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_correct_answers_on_stdin_score_full_marks(gt, difficulty):
    answers = answers_for(7, difficulty, problems=2)
    result = gt("quiz", "--seed", "7", "--difficulty", str(difficulty), "--problems", "2",
                input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.stdout
    assert f"score: {len(answers)} / {len(answers)}  (full marks!)" in result.stdout
    assert "✗" not in result.stdout and result.stdout.count("✓") == len(answers)


def test_a_wrong_answer_shows_the_hint_then_the_worked_step(gt):
    answers = answers_for(11, 2)
    result = gt("quiz", "--seed", "11", "--difficulty", "2", input="\n".join(["12345", "54321"] + answers[1:]) + "\n")
    out = result.stdout
    assert result.exit_code == 0  # completed, though not with full marks
    hint = out.index("✗ hint: f = max(t3, x) is a max gate, and a max gate routes")
    worked = out.index("✗ the answer is 1. ∂f/∂t3: ∂f/∂f · ∂f/∂t3 = 1 · [t3 is max] = 1 · 1 = 1")
    assert hint < worked
    assert f"score: {len(answers) - 1:g} / {len(answers)}" in out


def test_second_try_gets_half_a_point_and_bad_input_is_asked_again(gt):
    answers = answers_for(11, 2)
    result = gt("quiz", "--seed", "11", "--difficulty", "2", input="\n".join(["oops", "3", answers[0]] + answers[1:]))
    assert "type a number" in result.stdout
    assert f"score: {len(answers) - 0.5:g} / {len(answers)}" in result.stdout


def test_stopping_early_exits_3(gt):
    result = gt("quiz", "--seed", "3", input="q\n")
    assert result.exit_code == 3 and "stopped: score 0" in result.stdout
    result = gt("quiz", "--seed", "3", input="")  # stdin ran out
    assert result.exit_code == 3


def test_the_quiz_shows_forward_values_but_no_gradients(gt):
    out = gt("quiz", "--seed", "11", "--difficulty", "2", input="q\n").stdout
    assert "187.5" in out and "Work backwards from ∂f/∂f = 1" in out
    problem = practice.generate(random.Random(11), 2)
    drawing = out[:out.index("Work backwards")]
    for q in problem.questions():
        if q.answer not in (1.0,) and f"{q.answer:g}" not in [f"{v:g}" for v in problem.trace.values]:
            assert f" {fmt(q.answer)}\n" not in drawing  # the gradient is not given away


def test_same_seed_same_worksheet_bytes(gt, tmp_path):
    import needs

    needs.program("dot", "graphviz")
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        result = gt("quiz", "--worksheet", "4", "--seed", "21", "--difficulty", "2", "--out", str(out))
        assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted([".gradtrace-files", "worksheet.md", "answers.md", "worksheet.html"]
                           + [f"key-{i}.toml" for i in range(1, 5)]
                           + [f"{k}-{i}.svg" for k in ("problem", "answer") for i in range(1, 5)])
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    sheet, key = (a / "worksheet.md").read_text(), (a / "answers.md").read_text()
    assert sheet.count("![Problem") == 4 and "(problem-1.svg)" in sheet and "(answer-1.svg)" in key
    assert "Worked steps:" in key and "Worked steps:" not in sheet
    # Blank on the worksheet, filled on the key: the red gradient numbers appear only in answer SVGs.
    assert (a / "problem-1.svg").read_text().count('fill="#cf222e"') == 1  # only ∂f/∂f = 1, given
    assert (a / "answer-1.svg").read_text().count('fill="#cf222e"') > 3


def test_worksheet_needs_an_out_dir(gt):
    result = gt("quiz", "--worksheet", "2", "--seed", "1")
    assert result.exit_code == 2 and "--worksheet needs --out DIR" in result.stderr


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_a_large_batch_traces_cleanly_and_its_keys_agree_with_check(difficulty):
    rng = random.Random(difficulty)
    for _ in range(150):
        problem = practice.generate(rng, difficulty)
        t = problem.trace
        assert not hasattr(t.value, "shape")  # a scalar output
        report = gradient_check(t)
        assert not report.failed and all(v.verdict == "good" for v in report.variables), problem.program
        key = {q.name: q.answer for q in problem.questions()}
        for v in report.variables:
            assert key[v.name] == pytest.approx(v.numerical, rel=1e-6, abs=1e-6)
        for value in problem.bindings.values():
            assert value == int(value) or value * 10 == int(value * 10)  # small integers or one decimal
            assert abs(value) <= 5
        ops = {row.op for row in t.nodes}
        allowed = {1: {"input", "add", "mul"},
                   2: {"input", "add", "mul", "max", "mul_const", "add_const", "sub_const"},
                   3: {"input", "add", "mul", "max", "mul_const", "add_const", "sub_const", "rdiv_const",
                       *practice.FUNCTIONS_3}}[difficulty]  # the functions whose records say quiz=3
        assert ops <= allowed, (problem.program, ops - allowed)
        smooth = ops & {"rdiv_const", *practice.FUNCTIONS_3}
        if not smooth:
            for row in t.nodes:
                for number in (row.value, row.upstream):
                    digits = re.sub(r"[^0-9]", "", f"{abs(number):.10g}").strip("0")
                    assert len(digits) <= 4, (problem.program, number)


@pytest.mark.parametrize("difficulty", [2, 3])
def test_every_pattern_appears_in_a_worksheet_of_ten(difficulty):
    for seed in range(25):
        problems = practice.worksheet(seed, 10, difficulty)
        assert PATTERNS <= set().union(*(p.patterns for p in problems)), seed


def test_bad_difficulty_is_a_usage_error(gt):
    assert gt("quiz", "--difficulty", "4").exit_code == 2


# ---- --ask: values, local, upstream, downstream; h, ? and s on the prompt ------------------------

def test_ask_puts_the_questions_in_the_lectures_order():
    """Forward values first (inputs to output), then gate by gate from the output: upstream, then
    each input's local and downstream gradient; the variables' gradients last."""
    problem = practice.Problem("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, 1)
    asked = [(q.kind, q.prompt, q.answer) for q in problem.questions(4, practice.ASKS)]
    assert asked == [
        ("value", "q = x + y", 3.0), ("value", "f = q * z", -12.0),
        ("local", "local ∂f/∂q", -4.0), ("downstream", "downstream to q from f", -4.0),
        ("local", "local ∂f/∂z", 3.0), ("downstream", "downstream to z from f", 3.0),
        ("upstream", "∂f/∂q", -4.0),
        ("local", "local ∂q/∂x", 1.0), ("downstream", "downstream to x from q", -4.0),
        ("local", "local ∂q/∂y", 1.0), ("downstream", "downstream to y from q", -4.0),
        ("upstream", "∂f/∂x", -4.0), ("upstream", "∂f/∂y", -4.0), ("upstream", "∂f/∂z", 3.0)]
    only = [q.kind for q in problem.questions(4, ("local",))]
    assert only == ["local"] * 4


def test_ask_on_the_command_line_in_any_written_order(gt):
    problem = practice.generate(random.Random(5), 1)
    answers = [fmt(q.answer, 6) for q in problem.questions(4, ("values", "downstream"))]
    result = gt("quiz", "--seed", "5", "--ask", "downstream,values", input="\n".join(answers) + "\n")
    assert result.exit_code == 0 and "(full marks!)" in result.stdout
    first = problem.questions(4, ("values",))[0]
    assert result.stdout.index(first.prompt + ":") < result.stdout.index("downstream to")
    for node in problem.trace.nodes:  # a forward-pass exercise: the gates' values are not drawn
        if node.op != "input" and fmt(node.value) not in [fmt(v) for v in problem.bindings.values()]:
            assert f" {fmt(node.value)}\n" not in result.stdout[:result.stdout.index("Work forwards")]


@pytest.mark.parametrize("ask", ["", "values,gradients", "upstream,,nope"])
def test_ask_refuses_what_it_cannot_ask(gt, ask):
    result = gt("quiz", "--seed", "5", "--ask", ask, input="q\n")
    assert result.exit_code == 2 and "choose from values, local, upstream, downstream" in result.stderr


def test_h_and_question_mark_show_the_hint_s_skips_and_each_line_is_one_step(gt):
    """h or ? shows the hint and asks again (the right answer then earns half a point), s shows the
    answer and moves on (no point), and a wrong answer consumes exactly one line."""
    problem = practice.generate(random.Random(7), 1)
    questions = problem.questions()
    answers = [fmt(q.answer, 6) for q in questions]
    script = ["h", answers[0], "?", answers[1], "s", "99999", answers[3], *answers[4:]]
    result = gt("quiz", "--seed", "7", input="\n".join(script) + "\n")
    out = " ".join(result.stdout.split())  # lines wrap at the terminal's width
    assert result.exit_code == 0
    assert out.count("hint:") == 3  # h, ?, and the wrong answer; never twice for one request
    assert out.index(f"{questions[0].prompt}: h hint: {questions[0].hint}") < out.index(f"{questions[1].prompt}: ?")
    assert f"{questions[2].prompt}: s skipped: the answer is {fmt(questions[2].answer)}" in out
    assert f"{questions[3].prompt}: 99999 ✗ hint: {questions[3].hint}" in out
    total = len(questions)  # two hinted (½ each), one skipped (0), one right at the second try (½)
    assert f"score: {total - 4 + 1.5:g} / {total}" in out


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_every_kind_of_question_accepts_its_answer_as_shown_and_refuses_others(difficulty):
    """Over many problems: each value, local, upstream and downstream answer, typed as the quiz
    shows it, passes the grader; the same answer changed in its shown digits does not."""
    from gradtrace.modes.answers import grade

    rng = random.Random(50 + difficulty)
    for _ in range(40):
        for q in practice.generate(rng, difficulty).questions(4, practice.ASKS):
            shown = fmt(q.answer, 4)
            assert grade(shown, q.answer)[0], (q.kind, q.prompt, shown)
            assert not grade(fmt(q.answer + 0.01 * max(1.0, abs(q.answer)), 4), q.answer)[0], (q.kind, q.prompt)
