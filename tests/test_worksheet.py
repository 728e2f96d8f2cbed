"""Worksheets for teachers: a teacher's own problems (--from), what is left blank (--blank), the
printable HTML page, PDF through pdflatex, a key for `gradtrace grade`, and what happens without
Graphviz or pdflatex. The quality of generated problems is checked here over many seeds."""

import json
import random
import re
import tomllib

import needs
import pytest

from gradtrace.modes.answers import Expected, check_answers
from gradtrace.teach import quiz as practice

LINES = """# the lecture's circuits
(x+y)*z   at x = -2, y = 5, z = -4
f = 1/(1 + exp(-(w0*x0 + w1*x1 + w2)))   at w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3

q = x + y; f = q * z   at x = 1, y = 2, z = 3   # a program with names
"""
TOML = """[[problems]]
expression = "(x+y)*z"
bindings = { x = -2, y = 5, z = -4 }

[[problems]]
expression = "f = 1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
bindings = { w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3 }

[[problems]]
expression = "q = x + y; f = q * z"
bindings = { x = 1, y = 2, z = 3 }
"""
JSON = json.dumps([{"expression": "(x+y)*z", "bindings": {"x": -2, "y": 5, "z": -4}},
                   {"expression": "f = 1/(1 + exp(-(w0*x0 + w1*x1 + w2)))",
                    "bindings": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}},
                   {"expression": "q = x + y; f = q * z", "bindings": {"x": 1, "y": 2, "z": 3}}])


@pytest.mark.parametrize("suffix, text", [("gt", LINES), ("toml", TOML), ("json", JSON)])
def test_a_problems_file_in_each_form_gives_the_same_problems(tmp_path, suffix, text):
    path = tmp_path / f"problems.{suffix}"
    path.write_text(text)
    problems = practice.read_problems(str(path), text)
    assert [p.program for p in problems] == ["(x+y)*z", "f = 1/(1 + exp(-(w0*x0 + w1*x1 + w2)))",
                                             "q = x + y; f = q * z"]
    assert problems[0].trace.gradients == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert problems[1].trace.gradients["w0"] == pytest.approx(-0.19661193)


@pytest.mark.parametrize("text, message", [
    ("(x+y)*z\n", "problem 1 ((x+y)*z) has no bindings"),
    ("(x+y)*z   at x = 1, y = 2, z = 3\n(x+*y   at x = 1, y = 2\n", "problem 2: "),
    ("x*y   at x = 1\n", "problem 1: "),
    ("sum(x)   at x = [1, 2]\n", "problem 1"),
    ("# nothing\n\n", "no problems"),
])
def test_a_broken_problems_file_names_the_problem_and_writes_nothing(gt, tmp_path, text, message):
    path = tmp_path / "problems.gt"
    path.write_text(text)
    out = tmp_path / "sheet"
    result = gt("quiz", "--worksheet", "--from", str(path), "--out", str(out))
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("args, message", [
    (["--worksheet", "3", "--from", "p.gt", "--out", "d"], "pick one"),
    (["--worksheet", "--blank", "nope", "--out", "d"], "--blank nope"),
    (["--from", "p.gt"], "add --worksheet"),
    (["--worksheet", "0", "--out", "d"], "from 1 to 200"),
    (["--worksheet", "--from", "missing.gt", "--out", "d"], "missing.gt"),
])
def test_worksheet_usage_errors(gt, tmp_path, args, message):
    (tmp_path / "p.gt").write_text(LINES)
    result = gt("quiz", *[str(tmp_path / a) if a.endswith((".gt", "d")) and a != "--blank" else a for a in args])
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def _sheet(gt, tmp_path, *args):
    needs.program("dot", "graphviz")
    (tmp_path / "p.gt").write_text(LINES)
    out = tmp_path / "sheet"
    result = gt("quiz", "--worksheet", "--from", str(tmp_path / "p.gt"), "--out", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return out


def test_blank_values_makes_a_forward_exercise(gt, tmp_path):
    out = _sheet(gt, tmp_path, "--blank", "values")
    sheet, key = (out / "worksheet.md").read_text(), (out / "answers.md").read_text()
    assert "| t1 | `x + y` |   |   |" not in sheet  # the gradient column is given (only values are blank)
    assert "| t1 | `x + y` |   | -4 |" in sheet and "| x | `input` | -2 | -4 |" in sheet
    assert "| t1 | `x + y` | 3 | -4 |" in key and "t1 = x + y = (-2) + 5 = 3" in key
    assert "fill in the value above every wire" in sheet
    problem_svg = (out / "problem-1.svg").read_text()
    green = [t.replace("&#45;", "-") for t in re.findall(r'fill="#1a7f37">([^<]*)<', problem_svg)]
    assert "3" not in green and "-2" in green  # the gate's value is blank, the input's given
    answers = tomllib.loads((out / "key-1.toml").read_text())["answers"]
    assert answers == {"t1": {"value": "3"}, "f": {"value": "-12"}} or answers == {"t1.value": "3", "f.value": "-12"}


def test_the_printable_page_is_self_contained_one_problem_per_page_key_after(gt, tmp_path):
    out = _sheet(gt, tmp_path, "--blank", "values,gradients")
    page = (out / "worksheet.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page) and "<script" not in page
    assert page.count("<svg") == 6 and "@media print" in page and "break-after: page" in page
    assert page.index("Answer key") > page.rindex('class="problem problem"')
    assert page.count('<td class="blank">') > 10
    assert "<code>gradtrace quiz --worksheet --from" in page  # the heading's command, as code


def test_pdf_through_pdflatex_one_problem_per_page(gt, tmp_path):
    needs.program("pdflatex", "texlive-latex-base")
    out = _sheet(gt, tmp_path, "--pdf")
    for name in ("worksheet.pdf", "answers.pdf"):
        data = (out / name).read_bytes()
        assert data.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        assert pages >= 3, (name, pages)  # at least one page per problem


@pytest.mark.slow
@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_generated_worksheets_compile_with_pdflatex_in_every_blank_mode(gt, tmp_path, difficulty):
    needs.program("dot", "graphviz")
    needs.program("pdflatex", "texlive-latex-base")
    for k, blank in enumerate(["gradients", "values,gradients"]):
        out = tmp_path / f"s{k}"
        result = gt("quiz", "--worksheet", "4", "--seed", str(difficulty), "--difficulty", str(difficulty),
                    "--blank", blank, "--pdf", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        assert (out / "answers.pdf").read_bytes().startswith(b"%PDF")


def test_without_graphviz_the_text_is_written_and_the_pictures_named_as_skipped(gt, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-installed"))
    (tmp_path / "p.gt").write_text(LINES)
    out = tmp_path / "sheet"
    result = gt("quiz", "--worksheet", "--from", str(tmp_path / "p.gt"), "--out", str(out))
    assert result.exit_code == 0
    assert "skipped the pictures problem-1.svg, answer-1.svg" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".gradtrace-files", "answers.md", "key-1.toml", "key-2.toml",
                                                     "key-3.toml", "worksheet.html", "worksheet.md"]
    assert ".svg" not in (out / "worksheet.md").read_text() and "<svg" not in (out / "worksheet.html").read_text()
    pdf = gt("quiz", "--worksheet", "--from", str(tmp_path / "p.gt"), "--out", str(out), "--pdf")
    assert pdf.exit_code == 1 and "no PDF was made: pdflatex is not installed" in pdf.stderr
    assert "texlive-latex-base" in pdf.stderr and (out / "worksheet.md").exists()


@pytest.mark.parametrize("difficulty", [1, 2, 3])
@pytest.mark.parametrize("blank", ["gradients", "values", "values,gradients"])
def test_every_answer_key_entry_typed_back_as_shown_passes_the_grader(difficulty, blank):
    """The property: over many generated worksheets, each key-N.toml, graded against its own
    problem by the one rule, is all right."""
    from gradtrace.render import worksheet

    blanks = frozenset(blank.split(","))
    for seed in range(8):
        for problem in practice.worksheet(seed, 5, difficulty):
            key = tomllib.loads(worksheet.key_toml(problem, blanks), parse_float=str)
            from gradtrace.modes.answers import flatten_answers

            expected = [Expected(name, text) for name, text in flatten_answers(key["answers"])]
            graded = check_answers(problem.trace, expected)
            assert graded and all(a.correct for a in graded), [(a.name, a.given, a.actual) for a in graded
                                                               if not a.correct]


def _structure(problem):
    """The circuit with names and numbers taken out, from its graph: ops and wiring."""
    graph = problem.trace.graph
    return tuple((node.op.name if node.op else "input", node.inputs) for node in graph.nodes)


@pytest.mark.parametrize("difficulty", [1, 2, 3])
def test_generated_problems_are_worth_doing(difficulty):
    """Over 300 problems per difficulty: no gate whose gradient is 0 (a dead subtree), no chain of
    constants, every number within the stated digits (or, with smooth gates, none under 0.001),
    no saturated smooth gate; and no two problems of one structure on a sheet."""
    rng = random.Random(1000 + difficulty)
    for _ in range(300):
        problem = practice.generate(rng, difficulty)
        t = problem.trace
        rows = {row.name: row for row in t.nodes}
        for row in t.nodes:
            assert row.op == "input" or row.upstream != 0, (problem.program, row.name)
            if row.op in ("add_const", "sub_const", "rsub_const"):
                assert all(rows[i].op not in ("add_const", "sub_const", "rsub_const") for i in row.inputs)
            if row.op in ("mul_const", "div_const", "neg"):
                assert all(rows[i].op not in ("mul_const", "div_const", "neg") for i in row.inputs)
        numbers = [v for row in t.nodes for v in (row.value, row.upstream, *row.local, *row.downstream)]
        smooth = {row.op for row in t.nodes} & {"rdiv_const", *practice.FUNCTIONS_3}  # exp, sigmoid, tanh, atan
        if not smooth:
            for v in numbers:
                digits = re.sub(r"[^0-9]", "", f"{abs(v):.12g}").strip("0")
                assert len(digits) <= {1: 3, 2: 4, 3: 4}[difficulty], (problem.program, v)
        else:
            assert all(v == 0 or abs(v) >= 1e-3 for v in numbers), problem.program
            for row in t.nodes:
                if row.op in practice.FUNCTIONS_3:
                    assert all(abs(g) >= 0.01 for g in row.local), problem.program
    for seed in range(20):
        sheet = practice.worksheet(seed, 10, difficulty)
        structures = [_structure(p) for p in sheet]
        assert len(set(structures)) == len(structures), seed
