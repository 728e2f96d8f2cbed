"""Every mode (numeric, exact, symbolic) with every option that shows a trace, for programs with
Greek and subscripted names bound as typed or as a keyboard spells them: a result or a clean
error, never an internal error; every advertised spelling binds in every mode; no verdict compares
a number with a symbol; the LaTeX of every combination compiles."""

import json
import re
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradtrace.core.bindings import plain_spelling

# program, values by the names as typed
PROGRAMS = [
    ("x*θ₂", {"x": "1", "θ₂": "2"}),
    ("α*x + w₁", {"x": "1", "α": "2", "w₁": "3"}),
    ("relu(Θ_1 - x)*σ(β)", {"x": "1", "Θ_1": "0.5", "β": "0.5"}),
    ("q = λ*x; f = max(q, μ₀)", {"x": "2", "λ": "0.5", "μ₀": "0.25"}),
]
MODES = {"numeric": [], "exact": ["--exact"], "symbolic": ["--symbolic"]}
OPTIONS = {
    "table": [], "jacobian": ["--jacobian"], "check": ["--check"], "expect": ["--expect", "x=1"],
    "json": ["--json"], "latex": ["--format", "latex"], "markdown": ["--format", "markdown"],
    "csv": ["--format", "csv"], "explain": ["--explain"], "forward": ["--explain", "forward"],
    "html": ["--html", "-"], "graph": ["--graph"], "dot": ["--dot"], "mermaid": ["--mermaid"],
    "expect json": ["--expect", "x=1", "--json"], "expect latex": ["--expect", "x=1", "--format", "latex"],
}


def binding_args(values, keyboard):
    out = []
    for name, value in values.items():
        out += [f"--{plain_spelling(name) if keyboard else name}", value]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("keyboard", [False, True], ids=["as typed", "keyboard"])
@pytest.mark.parametrize("program,values", PROGRAMS, ids=[p for p, _ in PROGRAMS])
def test_every_mode_and_option_gives_a_result_or_a_clean_error(gt, program, values, keyboard, mode, option):
    if option == "html":
        import needs

        needs.program("dot", "graphviz")  # the page draws the circuit
    args = [program, *([] if mode == "symbolic" else binding_args(values, keyboard)), *MODES[mode], *OPTIONS[option]]
    result = gt(*args)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert result.exit_code in (0, 2, 3), (result.exit_code, result.stderr)
    if result.exit_code == 2:
        assert result.stderr.startswith("gradtrace:") or "Error:" in result.stderr, result.stderr
    if mode == "exact" and result.exit_code in (0, 3) and "--json" in args:
        # every variable is bound: no exact value is left in terms of a name, no gradient is text
        data = json.loads(result.stdout)
        assert all(isinstance(v, float) for v in data["gradients"].values()), data["gradients"]
        for text in [data["output"]["exact"], *data["gradients_exact"].values()]:
            assert not any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) for name in values), text


@pytest.mark.parametrize("program,values", PROGRAMS, ids=[p for p, _ in PROGRAMS])
@pytest.mark.parametrize("mode", ["numeric", "exact"])
def test_every_advertised_spelling_binds_in_every_mode(gt, program, values, mode):
    """--alpha and --theta2 bind α and θ₂ in exact mode too: the same gradients as typed."""
    typed = gt(program, *binding_args(values, False), *MODES[mode], "--json")
    keyboard = gt(program, *binding_args(values, True), *MODES[mode], "--json")
    assert typed.exit_code == keyboard.exit_code == 0, (typed.stderr, keyboard.stderr)
    a, b = json.loads(typed.stdout), json.loads(keyboard.stdout)
    assert a == b
    assert all(isinstance(v, float) for v in a["gradients"].values()), a["gradients"]
    if mode == "exact":
        assert set(a["bindings"]) == set(values)


def test_a_verdict_never_compares_a_number_with_a_symbol(gt):
    """The finding: α bound as --alpha 2 in exact mode printed ∂f/∂x = α and passed x=2."""
    result = gt("α*x", "-x", "1", "--alpha", "2", "--exact", "--expect", "x=2")
    assert result.exit_code == 0, result.stderr
    assert "f = 2    ∂f/∂α = 1    ∂f/∂x = 2" in result.stdout  # numbers, never the name α
    wrong = gt("α*x", "-x", "1", "--alpha", "2", "--exact", "--expect", "x=3")
    assert wrong.exit_code == 3
    data = json.loads(gt("x*θ₂", "-x", "1", "--theta2", "2", "--exact", "--json").stdout)
    assert data["gradients"] == {"x": 2.0, "θ₂": 1.0}


def test_the_jacobian_of_a_scalar_symbolic_trace_is_shown(gt):
    result = gt("x*θ₂", "--symbolic", "--jacobian")
    assert result.exit_code == 0, result.stderr
    assert "local Jacobians" in result.stdout and "θ₂" in result.stdout


def test_the_exact_jacobian_is_the_exact_local_gradient(gt):
    result = gt("x*θ₂", "-x", "1/3", "--theta2", "2", "--exact", "--jacobian")
    assert result.exit_code == 0, result.stderr
    assert "1/3 ≈ 0.3333" in result.stdout.split("local Jacobians")[1]


# ---- a constant base with a constant exponent --------------------------------------------------

@pytest.mark.parametrize("text,value", [("(-2)**3", -8.0), ("(-2)^2", 4.0), ("(-0.5)**-2", 4.0), ("pow(-3, 3)", -27.0),
                                        ("(-2)**(6/2)", -8.0), ("(-1)**0", 1.0), ("2**-1", 0.5)])
@pytest.mark.parametrize("mode", ["numeric", "exact", "symbolic"])
def test_a_negative_constant_base_with_a_whole_constant_exponent(gt, text, value, mode):
    """(-2)**3 is a constant, -8: the rule for a variable exponent (a positive base) doesn't apply."""
    args = [f"x * {text}"] + (["-x", "1"] if mode != "symbolic" else []) + (["--exact"] if mode == "exact" else [])
    result = gt(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    if mode == "symbolic":
        assert data["gradients_symbolic"]["x"] == format(value, "g").replace(".0", "") or \
            float(eval_fraction(data["gradients_symbolic"]["x"])) == value
    else:
        assert data["gradients"]["x"] == value


def eval_fraction(text):
    from fractions import Fraction

    return Fraction(text.replace(" ", ""))


@pytest.mark.parametrize("text", ["(-2)**0.5", "(-8)**(1/3)", "0**-1", "(-2)**x"])
def test_constant_powers_outside_the_domain_are_still_refused(gt, text):
    result = gt(f"x * {text}", "-x", "1")
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert "needs" in result.stderr


@given(st.integers(-9, 9).filter(lambda b: b != 0), st.integers(-6, 6))
def test_whole_powers_of_negative_constants_fold(base, exponent):
    from gradtrace.core.graph import constant

    value = constant(f"({base})**({exponent})")
    assert value.value == pytest.approx(float(base) ** exponent)


# ---- LaTeX that compiles ------------------------------------------------------------------------

def compile_latex(tmp_path, table):
    import needs

    needs.program("pdflatex", "texlive-latex-base")
    (tmp_path / "t.tex").write_text("\\documentclass{article}\\begin{document}\n" + table + "\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout[-1500:]


LATEX_CASES = {
    "a_b_c_d": ["a_b_c_d*x + x_1_2", "--a_b_c_d", "2", "-x", "3", "--x_1_2", "1"],
    "underscores": ["_a*b__c + d_", "--_a", "1", "--b__c", "2", "--d_", "3"],
    "answer with ≈": ["x/y", "-x", "1", "-y", "3", "--exact", "--expect", "x=1/3 ≈ 0.3333",
                      "--expect", "y=-1/9 ≈ -0.1111"],
    "hostile answer": ["x*y", "-x", "2", "-y", "3", "--expect", "x=3 ≈ 5 {}#%&$^~_\\ü", "--expect", "y=2"],
    "symbolic abs": ["abs(x)*y", "--symbolic"],
    "symbolic every op": ["abs(x) + sign(y) + heaviside(z) + max(x, y) + min(y, z) + relu(x) + erf(y) + erfc(z)"
                          " + leaky_relu(x) + elu(y) + hardtanh(z) + clip(x, -1, 1) + gelu(y) + silu(z) + atan(x)"
                          " + softplus(y) + log2(z) + exp2(x) + gelu_tanh(y) + log10(z)", "--symbolic"],
    "symbolic expanded": ["abs(x)*sign(y) + max(x, y)*relu(x - y)", "--expanded"],
    "greek keyboard": ["α*x + w₁*θ₂", "-x", "1", "--alpha", "2", "--w1", "3", "--theta2", "4", "--check"],
    "exact unicode": ["α*x + w₁", "-x", "1", "--alpha", "2", "--w1", "1/3", "--exact", "--expect", "w₁=1"],
    "the course's layers": ["sum(dropout(layernorm(affine(x, W, b), g, beta), m, 0.5) * batchnorm(x, g, beta))",
                            "-x", "[[1, 2], [3, -1]]", "-W", "[[1, 0], [2, 1]]", "-b", "[0, 1]", "-g", "[1, 2]",
                            "--beta", "[0, 0.5]", "-m", "[[1, 0], [1, 1]]"],
}


@pytest.mark.slow
@pytest.mark.parametrize("case", LATEX_CASES)
def test_latex_compiles_for_names_answers_and_symbolic_ops(gt, tmp_path, case):
    result = gt(*LATEX_CASES[case], "--format", "latex")
    assert result.exit_code in (0, 3), result.stderr
    body = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("%"))
    assert body.isascii(), sorted({ch for ch in body if not ch.isascii()})
    code, log = compile_latex(tmp_path, result.stdout)
    assert code == 0, log


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30))
def test_latex_escapes_any_answer_text(text):
    """An answer's text, whatever it holds, is ASCII LaTeX with balanced braces and no stray
    specials; it compiles in the test above."""
    from gradtrace.render.tex import text as tex_text

    out = tex_text(text)
    assert out.isascii()
    stripped = re.sub(r"\\[A-Za-z]+(\{\})?|\\[\^~]\{\}|\\[_{}#%&$ ]|\$[^$]*\$", "", out)
    assert not re.search(r"[\\{}#%&$^~_]", stripped), (text, out)


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True))
def test_latex_names_have_at_most_one_subscript(identifier):
    from gradtrace.render.tex import name

    tex = name(identifier)
    assert tex.count("{") == tex.count("}")
    depth = 0
    for k, ch in enumerate(tex):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "_" and (k == 0 or tex[k - 1] != "\\"):
            # a subscript opens a group right away, and never sits inside another subscript's group
            assert tex[k + 1:k + 2] == "{", tex
    assert "\\_" not in tex or "\\mathrm" in tex or "\\text" in tex, tex


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("program,values", PROGRAMS, ids=[p for p, _ in PROGRAMS])
def test_an_answer_names_a_variable_as_it_is_typed_or_as_a_keyboard_spells_it(gt, program, values, mode):
    """--expect theta2=... grades ∂f/∂θ₂, as --theta2 binds θ₂: both spellings get one verdict."""
    bound = [] if mode == "symbolic" else binding_args(values, keyboard=True)
    typed = gt(program, *bound, *MODES[mode], "--json")
    assert typed.exit_code == 0, typed.stderr
    data = json.loads(typed.stdout)
    gradients = data["gradients_symbolic"] if mode == "symbolic" else data["gradients"]
    for name in values:
        if name not in gradients or name.isascii():
            continue
        truth = gradients[name]
        answer = str(truth) if isinstance(truth, float) else truth
        verdicts = []
        for spelling in (name, plain_spelling(name)):
            result = gt(program, *bound, *MODES[mode], "--expect", f"{spelling}={answer}", "--json")
            assert result.exit_code == 0, (spelling, result.stderr)
            verdicts.append([(a["correct"], a["refers_to"]) for a in json.loads(result.stdout)["answers"]])
        assert verdicts[0] == verdicts[1], verdicts


@pytest.mark.parametrize("mode", ["numeric", "exact"])
@pytest.mark.parametrize("program,spelling", [("λ*x", "lambda"), ("λ*x", "lamda"), ("Λ*x", "Lambda"),
                                              ("ά*x", "alpha"), ("ω₁*x", "omega1")])
def test_every_keyboard_spelling_of_a_greek_letter_binds(gt, program, spelling, mode):
    """λ is LAMDA in Unicode's names and lambda on a keyboard: both bind it, in every mode."""
    result = gt(program, "-x", "3", f"--{spelling}", "2", *MODES[mode], "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["output"]["value"] == 6
