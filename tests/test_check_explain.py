"""Issue: check and explain. Gradient check, answer self-check, explanations, symbolic and exact
modes, and the markdown, LaTeX and CSV formats."""

import csv
import dataclasses
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HEADLINE, SIGMOID, SIGMOID_BINDINGS

import gradtrace
from gradtrace.core.ops import OPS
from gradtrace.modes.check import gradient_check, relative_error, verdict

GOLDEN = Path(__file__).parent / "golden"
LECTURE = [
    ("(x+y)*z", dict(x=-2, y=5, z=-4)),
    (SIGMOID, dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)),
    ("sigmoid(w0*x0+w1*x1+w2)", dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)),
    ("2 * (x*y + max(z, w))", dict(x=3, y=-4, z=2, w=-1)),
    ("max(x, y)", dict(x=4, y=5)),
    ("x*y + x", dict(x=3, y=-2)),
]


# ---- --check ----------------------------------------------------------------------------------

@pytest.mark.parametrize("program, bindings", LECTURE)
def test_check_passes_on_every_lecture_example(program, bindings):
    report = gradient_check(gradtrace.trace(program, **bindings))
    for v in report.variables:
        assert v.relative_error < 1e-7 and v.verdict == "good" and not v.kinks, (v.name, v.relative_error)
    assert not report.failed


def test_relative_error_and_bands_follow_the_cs231n_notes():
    assert relative_error(-4, -4) == 0 and relative_error(0, 0) == 0
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert [verdict(e) for e in (1e-9, 1e-7, 1e-5, 1e-3, 0.5)] == \
        ["good", "good", "fine at kinks", "suspicious", "wrong"]


def test_a_broken_rule_is_caught_with_exit_3_naming_the_wrong_variables(gt, monkeypatch):
    mul = OPS["mul"]
    wrong = dataclasses.replace(mul.maths, grads=lambda xp, out, a, b: (b, 2 * a))  # ∂(ab)/∂b deliberately wrong
    monkeypatch.setattr(mul, "maths", wrong)
    result = gt(*HEADLINE, "--check")
    assert result.exit_code == 3
    assert "gradient check failed for z" in result.stderr
    assert re.search(r"z\s+6\s+3\s+5\.0e-01\s+wrong", result.stdout)
    data = json.loads(gt(*HEADLINE, "--check", "--json").stdout)
    assert data["check"]["failed"] == ["z"] and data["check"]["variables"]["x"]["verdict"] == "good"


def test_check_warns_at_relu_zero_and_at_a_winner_change(gt):
    result = gt("relu(x) * y", "-x", "0", "-y", "2", "--check")
    assert result.exit_code == 0
    assert "x sits at a kink (t1)" in result.stdout and "note: t1 = relu(x): relu'(0) is taken as 0" in result.stdout
    # max's winner changes between x+h and x-h: a kink even without an exact tie.
    report = gradient_check(gradtrace.trace("max(x, y)", x=1, y=1 + 1e-6))
    assert all(v.kinks == ["f"] and not v.failed for v in report.variables)


def test_step_option_and_check_in_json(gt):
    data = json.loads(gt(*HEADLINE, "--check", "--step", "1e-3", "--json").stdout)
    assert data["check"]["step"] == 1e-3 and data["check"]["passed"] is True
    assert set(data["check"]["variables"]) == {"x", "y", "z"}
    assert gt(*HEADLINE, "--check", "--step", "0").exit_code == 2
    # --h is not the step: it binds a variable named h.
    assert json.loads(gt("h*x", "--h", "2", "-x", "1", "--json").stdout)["gradients"]["x"] == 2


# ---- --expect and --answers -------------------------------------------------------------------

def test_expected_answers_on_the_headline(gt):
    result = gt(*HEADLINE, "--expect", "x=-4", "--expect", "y=-4", "--expect", "z=3")
    assert result.exit_code == 0 and result.stdout.count("✓") == 3
    result = gt(*HEADLINE, "--expect", "x=4")
    assert result.exit_code == 3
    assert "✗ x = 4   (∂f/∂x is -4; at 3 decimals that is -4.000)" in result.stdout
    assert "1 of 1 answers wrong: x" in result.stderr


def test_slide_answers_to_two_decimals_pass(gt):
    slide = ["w0=-0.20", "x0=0.39", "w1=-0.39", "x1=-0.59", "w2=0.20"]
    args = [a for s in slide for a in ("--expect", s)]
    result = gt(SIGMOID, *SIGMOID_BINDINGS, *args)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.count("✓") == 5


@pytest.mark.parametrize("answer, ok", [("0.39", True), ("0.4", True), ("0.393", True), ("0.394", False),
                                        ("0.3932", True),
                                        ("0.3", False), ("0", False), ("1/3", False)])
def test_matching_rounds_at_the_decimals_written(gt, answer, ok):
    result = gt(SIGMOID, *SIGMOID_BINDINGS, "--expect", f"x0={answer}")
    assert result.exit_code == (0 if ok else 3)


def test_integer_answers_must_be_exact_and_node_names_and_values(gt):
    assert gt("q = x + y; f = q * z", "-x", "-2", "-y", "5", "-z", "-4", "--expect", "q=-4",
              "--expect", "q.value=3", "--expect", "f.value=-12").exit_code == 0
    assert gt("x*y", "-x", "1/3", "-y", "3", "--expect", "y=0.3333").exit_code == 0
    assert gt("x*y", "-x", "1/3", "-y", "3", "--expect", "y=0").exit_code == 3
    assert gt("x*y", "-x", "1/3", "-y", "3", "--expect", "y=1/3").exit_code == 0


def test_tolerance_overrides_the_rule(gt):
    assert gt(*HEADLINE, "--expect", "x=-4.1", "--tol", "0.2").exit_code == 0
    assert gt(*HEADLINE, "--expect", "x=-4.1", "--tol", "1%").exit_code == 3
    assert gt(*HEADLINE, "--expect", "x=-4.1", "--tol", "rel:0.05").exit_code == 0
    assert gt(*HEADLINE, "--expect", "x=-4", "--tol", "lots").exit_code == 2


def test_answers_file_json_and_toml(gt, tmp_path):
    j = tmp_path / "answers.json"
    j.write_text('{"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}')
    assert gt(SIGMOID, *SIGMOID_BINDINGS, "--answers", str(j)).exit_code == 0
    t = tmp_path / "answers.toml"
    t.write_text('w0 = -0.20\nx0 = 0.39\n[t5]\nvalue = -1\n')
    result = gt(SIGMOID, *SIGMOID_BINDINGS, "--answers", str(t), "--json")
    answers = json.loads(result.stdout)["answers"]
    assert [a["name"] for a in answers] == ["w0", "x0", "t5.value"] and all(a["correct"] for a in answers)
    t.write_text("x0 = 0.5\n")
    assert gt(SIGMOID, *SIGMOID_BINDINGS, "--answers", str(t)).exit_code == 3
    t.write_text("x0 = = 1\n")
    assert "not valid TOML" in gt(SIGMOID, *SIGMOID_BINDINGS, "--answers", str(t)).stderr


def test_bad_expectations_are_usage_errors(gt):
    for args, message in ([("--expect", "x"), "write NAME=VALUE"], [("--expect", "w=1"), "no node or variable 'w'"],
                          [("--expect", "x.grad=1"), "only NAME and NAME.value"]):
        result = gt(*HEADLINE, *args)
        assert result.exit_code == 2 and message in result.stderr


# ---- --explain --------------------------------------------------------------------------------

def test_explain_has_the_lecture_chain_rule_line(gt):
    out = gt("q = x + y; f = q * z", "-x", "-2", "-y", "5", "-z", "-4", "--explain").stdout
    assert "Start at the output: ∂f/∂f = 1." in out
    assert "an add gate, a distributor: it distributes the upstream gradient -4 unchanged to x and y." in out
    assert "∂f/∂x = ∂f/∂q · ∂q/∂x = -4 · 1 = -4" in out


@pytest.mark.parametrize("example", ["headline", "sigmoid_neuron"])
def test_explain_golden(gt, example, monkeypatch):
    root = Path(__file__).parent.parent
    monkeypatch.chdir(root)
    program = (root / "examples" / f"{example}.gt").read_text()
    line = next(line_ for line_ in program.splitlines() if line_.startswith("# run:"))
    args = line.split()[3:]
    result = gt(*args, "--explain")
    assert result.exit_code == 0
    assert result.stdout == (GOLDEN / f"{example}.explain.txt").read_text()


@pytest.mark.parametrize("example", ["sigmoid_neuron", "sigmoid_gate"])
@pytest.mark.parametrize("which", ["backward", "forward"])
def test_explain_at_two_decimals_is_the_lectures_numbers(gt, example, which, monkeypatch):
    root = Path(__file__).parent.parent
    monkeypatch.chdir(root)
    line = next(line_ for line_ in (root / "examples" / f"{example}.gt").read_text().splitlines()
                if line_.startswith("# run:"))
    out = gt(*line.split()[3:], "--explain", which, "--decimals", "2").stdout
    assert out == (GOLDEN / f"{example}.{which}.decimals2.txt").read_text()
    if which == "forward":  # the slide's green numbers, gate by gate
        values = [ln.rsplit(" = ", 1)[1] for ln in out.splitlines() if ln[:1].isdigit()]
        lecture = {"sigmoid_neuron": ["-2.00", "6.00", "4.00", "1.00", "-1.00", "0.37", "1.37", "0.73"],
                   "sigmoid_gate": ["-2.00", "6.00", "4.00", "1.00", "0.73"]}[example]
        assert values == lecture
        return
    # The slide's red numbers, and the lecture's own substitutions.
    assert "Result: ∂f/∂w0 = -0.20, ∂f/∂x0 = 0.39, ∂f/∂w1 = -0.39, ∂f/∂x1 = -0.59, ∂f/∂w2 = 0.20" in out
    if example == "sigmoid_neuron":
        for step in ("-1/1.37² = -0.53", "∂f/∂t6 = ∂f/∂t7 · ∂t7/∂t6 = -0.53 · 1 = -0.53",
                     "e^-1 = 0.37", "-0.53 · 0.37 = -0.20", "-0.20 · (-1) = 0.20"):
            assert step in out
    else:
        assert "(1 - 0.73)·0.73 = 0.20" in out
    # The arithmetic adds up at the shown precision: 0.197 · (-2) = -0.39, never 0.20 · (-2) = -0.39.
    for a, b, c in re.findall(r"= (-?[0-9.]+) · \(?(-?[0-9.]+)\)? = (-?[0-9.]+)", out):
        assert f"{float(a) * float(b):.2f}" == c or f"{float(a) * float(b):.2f}" == f"{float(c):.2f}", (a, b, c)


def test_explain_fork_sum_and_forward(gt):
    out = gt("x*y + x", "-x", "3", "-y", "-2", "--explain").stdout
    assert "x is used 2 times (t1, f): a copy gate, an adder: its gradients add up, ∂f/∂x = -2 + 1 = -1" in out
    fwd = gt(*HEADLINE, "--explain", "forward").stdout
    assert "1. t1 = x + y = (-2) + 5 = 3" in fwd and "2. f = t1 * z = 3 · (-4) = -12" in fwd
    data = json.loads(gt(*HEADLINE, "--explain", "--json").stdout)
    assert data["explanation"][0].startswith("Backward pass")


def test_explain_reads_the_same_piped_no_escape_codes(gt):
    assert "\x1b[" not in gt(*HEADLINE, "--explain").stdout


# ---- symbolic and exact -----------------------------------------------------------------------

def test_no_bindings_means_symbolic(gt):
    out = gt("(x+y)*z").stdout
    # Compact: in the names the table defines (t1 = x + y); --expanded: in the variables alone.
    assert "∂f/∂x = z" in out and "∂f/∂y = z" in out and "∂f/∂z = t1" in out
    out = gt("(x+y)*z", "--expanded").stdout
    assert "∂f/∂x = z" in out and "∂f/∂y = z" in out and "∂f/∂z = x + y" in out
    data = json.loads(gt("(x+y)*z", "--json").stdout)
    # Symbolic forms are text in their own keys; the number keys are null (no numbers here).
    assert data["mode"] == "symbolic" and data["gradients_symbolic"] == {"x": "z", "y": "z", "z": "t1"}
    assert data["gradients"] == {"x": None, "y": None, "z": None} and data["output"]["value"] is None
    data = json.loads(gt("(x+y)*z", "--json", "--expanded").stdout)
    assert data["gradients_symbolic"] == {"x": "z", "y": "z", "z": "x + y"}
    assert json.loads(gt("x*y", "--symbolic", "--json").stdout)["gradients_symbolic"] == {"x": "y", "y": "x"}


def test_symbolic_sigmoid_keeps_the_lectures_form(gt):
    import sympy as sp

    w, x = sp.symbols("w x", real=True)
    compact = json.loads(gt("sigmoid(w*x)", "--json").stdout)["gradients_symbolic"]["w"]
    assert compact == "x·(1 - σ(t1))·σ(t1)" or compact == "x*(1 - σ(t1))*σ(t1)", compact  # the lecture's σ(1-σ)
    data = json.loads(gt("sigmoid(w*x)", "--json", "--expanded").stdout)
    shown = data["gradients_symbolic"]["w"]
    assert "exp" in shown and "cosh" not in shown
    # Same function as sympy's own derivative (compared numerically: parsing our output is fine here,
    # it is gradtrace's text, not a user's).
    expected = sp.diff(1 / (1 + sp.exp(-w * x)), w)
    got = sp.sympify(shown, locals={"w": w, "x": x})
    for point in ({w: 0.3, x: -1.2}, {w: -2.0, x: 0.7}):
        assert float(got.subs(point)) == pytest.approx(float(expected.subs(point)))


def test_exact_mode(gt):
    data = json.loads(gt("x/y", "-x", "1", "-y", "3", "--exact", "--json").stdout)
    assert data["gradients_exact"] == {"x": "1/3", "y": "-1/9"}
    assert data["gradients"]["y"] == pytest.approx(-1 / 9)
    out = gt("x/y", "-x", "1", "-y", "3", "--exact").stdout
    assert "∂f/∂x = 1/3 ≈ 0.3333" in out and "∂f/∂y = -1/9 ≈ -0.1111" in out
    data = json.loads(gt("sigmoid(x)", "-x", "1", "--exact", "--json").stdout)
    assert data["output"]["exact"] == "e/(1 + e)"
    data = json.loads(gt("sqrt(x)*y", "-x", "2", "-y", "1/3", "--exact", "--json").stdout)
    assert data["gradients_exact"] == {"x": "sqrt(2)/12", "y": "sqrt(2)"}


def test_exact_mode_keeps_the_kink_conventions(gt):
    data = json.loads(gt("relu(x) * y", "-x", "0", "-y", "2", "--exact", "--json").stdout)
    assert data["gradients_exact"] == {"x": "0", "y": "0"}


def test_symbolic_mode_refuses_what_needs_a_point(gt):
    assert gt("x*y", "--check").exit_code == 2
    assert gt("x*y", "--symbolic", "-x", "1", "-y", "2").exit_code == 2


# ---- formats ----------------------------------------------------------------------------------

def test_markdown_parses_back_into_rows(gt):
    out = gt(*HEADLINE, "--format", "markdown").stdout
    rows = [line for line in out.splitlines() if line.startswith("|")]
    header, rule, body = rows[0], rows[1], rows[2:]
    cells = lambda line: [c.strip() for c in line.strip("|").split(" | ")]
    assert len(cells(header)) == 7 and set(rule) <= set("|-: ")
    parsed = {cells(r)[0]: cells(r) for r in body}
    assert set(parsed) == {"$f$", "$z$", "$t_{1}$", "$y$", "$x$"}
    assert parsed["$f$"][2] == "$-12$" and parsed["$t_{1}$"][3] == "$-4$"
    assert parsed["$f$"][4] == (r"$\frac{\partial f}{\partial t_{1}} = z = -4$<br>"
                                r"$\frac{\partial f}{\partial z} = t_{1} = 3$")
    assert parsed["$t_{1}$"][6] == "distributor"
    assert all(c.count("$") % 2 == 0 for row in body for c in cells(row))


def test_latex_structure(gt):
    out = gt(SIGMOID, *SIGMOID_BINDINGS, "--format", "latex").stdout
    assert out.count(r"\begin{tabular}{llrrlrl}") == 1 and out.count(r"\end{tabular}") == 1
    body = out[out.index(r"\begin{tabular}"):out.index(r"\end{tabular}")]
    rows = [line for line in body.splitlines() if line.endswith(r"\\")]
    assert len(rows) == 1 + 17  # header, one line per node input (12) and one per variable (5)
    for row in rows:
        outside_math = re.sub(r"\$[^$]*\$", "", row)
        assert outside_math.count("&") == 6, row
        assert row.count("$") % 2 == 0
    assert out.count("{") == out.count("}")


LATEX_MODES = {
    "scalar": [SIGMOID, *SIGMOID_BINDINGS],
    "arrays": ["softmax(W @ x) * x.T", "-W", "[[1, 2], [3, 4]]", "-x", "[0.5, -1]", "--upstream", "ones"],
    "symbolic": ["sigmoid(w*x + b) * tanh(x)/sqrt(x) + log10(x)"],
    "exact": ["σ(x)*x² + e^x", "-x", "1/3", "--exact"],
    "check": ["exp(x)*x - relu(x - 1)", "-x", "1", "--check"],
    "answers": ["x*y", "-x", "2", "-y", "3", "--expect", "x=3", "--expect", "y=1"],
    "unicode": ["α*√w₁ + gelu(θ_1)/ln(w₁) + hardtanh(θ_1)", "--alpha", "0.5", "--w1", "2", "--theta_1", "0.3"],
    "tiny and huge": ["exp(-x) + 1e200*x", "-x", "60"],
}


@pytest.mark.slow
@pytest.mark.parametrize("mode", LATEX_MODES)
def test_latex_compiles_with_pdflatex_in_every_mode(gt, tmp_path, mode):
    """Math is LaTeX (sympy.latex for symbolic and exact values), never Python syntax, and ASCII
    only: the fragment compiles in a bare article with no packages."""
    import needs

    needs.program("pdflatex", "texlive-latex-base")
    result = gt(*LATEX_MODES[mode], "--format", "latex")
    assert result.exit_code in (0, 3), result.stderr
    table = result.stdout
    body = "\n".join(line for line in table.splitlines() if not line.startswith("%"))  # the program, as typed
    assert body.isascii(), [ch for ch in body if not ch.isascii()]
    for math in re.findall(r"\$([^$]*)\$", table):
        assert "*" not in math and not re.search(r"(?<![\\a-z])(exp|sqrt|log|sigmoid)\(", math), math
    (tmp_path / "t.tex").write_text("\\documentclass{article}\\begin{document}\n" + table + "\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000


@pytest.mark.slow
@pytest.mark.parametrize("mode", LATEX_MODES)
def test_markdown_renders_the_title_as_typed_and_math_for_katex(gt, mode):
    """Through a CommonMark/GFM renderer (markdown-it-py, which rich installs): the title's text is
    the program as typed, and the math has no \\mbox, which KaTeX lacks."""
    from markdown_it import MarkdownIt

    result = gt(*LATEX_MODES[mode], "--format", "markdown")
    assert result.exit_code in (0, 3), result.stderr
    assert "\\mbox" not in result.stdout
    html = MarkdownIt("commonmark").enable("table").render(result.stdout)
    title = re.sub(r"<[^>]+>", "", html.split("\n")[0])
    program = " ".join(LATEX_MODES[mode][0].split())
    assert html.startswith("<p><strong>") and title.startswith(program.replace("&", "&amp;").replace("<", "&lt;")), \
        (title, program)
    assert "<table>" in html


def test_csv_one_row_per_edge_full_precision(gt):
    rows = list(csv.DictReader(io.StringIO(gt(SIGMOID, *SIGMOID_BINDINGS, "--format", "csv").stdout)))
    assert len(rows) == 17
    f = rows[0]
    assert f["node"] == "f" and f["op"] == "rdiv_const" and float(f["value"]) == pytest.approx(0.7310585786300049)
    assert {r["node"]: r for r in rows}["x0"]["upstream"] == "0.39322386648296376"


@pytest.mark.slow
def test_sympy_is_imported_only_when_a_mode_needs_it():
    probe = ("import sys; from gradtrace.cli import main; main(sys.argv[1:]); "
             "print('SYMPY' if 'sympy' in sys.modules else 'NO-SYMPY', file=sys.stderr)")
    for extra in (["--check"], ["--explain"], ["--expect", "x=-4"], ["--format", "markdown"], ["--format", "csv"]):
        done = subprocess.run([sys.executable, "-c", probe, *HEADLINE, *extra], capture_output=True, text=True,
                              timeout=60)
        assert done.stderr.strip().endswith("NO-SYMPY"), (extra, done.stderr)
    done = subprocess.run([sys.executable, "-c", probe, "x*y"], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().endswith("SYMPY")


@pytest.mark.slow
def test_check_samples_variables_when_there_are_many(gt):
    program = " + ".join(f"x{i}*y" for i in range(300))
    bindings = [f"x{i}={i % 5 - 2}" for i in range(300)] + ["y=3"]
    result = gt(program, *bindings, "--check", "--json")
    check = json.loads(result.stdout)["check"]
    assert result.exit_code == 0 and check["passed"]
    assert check["checked"] == 200 and check["of"] == 301 and len(check["variables"]) == 200
    assert "200 of 301 variables, chosen at random" in " ".join(gt(program, *bindings, "--check").stdout.split())
