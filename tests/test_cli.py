"""The command line, driven in-process with click's CliRunner: exit codes, stdout and stderr."""

import json

import pytest
from conftest import HEADLINE, SIGMOID, SIGMOID_BINDINGS

HEADLINE_TABLE = """\
(x+y)*z   at x = -2, y = 5, z = -4

                       upstream  local            downstream
node  computes  value  ∂f/∂node  ∂node/∂input     up × local  pattern
─────────────────────────────────────────────────────────────────────────
f     t1 * z      -12         1  ∂f/∂t1 = z = -4          -4  switcher
                                 ∂f/∂z = t1 = 3            3
z     input        -4         3
t1    x + y         3        -4  ∂t1/∂x = 1               -4  distributor
                                 ∂t1/∂y = 1               -4
y     input         5        -4
x     input        -2        -4

f = -12    ∂f/∂x = -4    ∂f/∂y = -4    ∂f/∂z = 3
"""


def test_headline_table_exactly(gt):
    result = gt(*HEADLINE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == HEADLINE_TABLE
    assert result.stderr == ""


def test_piped_output_has_no_escape_codes_and_color_always_has_them(gt):
    assert "\x1b[" not in gt(*HEADLINE).stdout
    assert "\x1b[" in gt(*HEADLINE, "--color", "always").stdout
    assert "\x1b[" not in gt(*HEADLINE, "--color", "never").stdout


def test_no_color_env_turns_off_all_escape_codes_even_on_a_terminal(gt, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")  # a terminal, as far as rich can tell
    assert "\x1b[" not in gt(*HEADLINE).stdout


def test_json_contract(gt):
    result = gt(*HEADLINE, "--json")
    assert result.exit_code == 0 and result.stderr == ""
    data = json.loads(result.stdout)
    assert data["output"] == {"name": "f", "value": -12.0}
    assert data["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert [n["name"] for n in data["nodes"]] == ["f", "z", "t1", "y", "x"]
    assert data["nodes"][2]["patterns"] == ["distributor"] and "pattern" not in data["nodes"][2]


def test_json_is_strict_even_for_non_finite_numbers():
    import gradtrace
    from gradtrace.core.trace import jsonable
    from gradtrace.render.json import render

    assert [jsonable(v) for v in (float("nan"), float("inf"), float("-inf"), 1.5)] == ["nan", "inf", "-inf", 1.5]
    text = render(gradtrace.trace("x*y", x=1e308, y=1))
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict token {c}"))


@pytest.mark.parametrize("args", [
    ["x*w0", "-x", "-2", "-w0", "3"],
    ["x*w0", "--x", "-2", "--w0", "3"],
    ["x*w0", "--x=-2", "--w0=3"],
    ["x*w0", "-x=-2", "-w0=3"],
    ["x*w0", "x=-2", "w0=3"],
    ["-x", "-2", "--w0", "3", "x*w0"],
    ["x*w0", "-x", "-4/2", "-w0", "6/2"],
])
def test_every_binding_form(gt, args):
    result = gt(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["gradients"] == {"x": 3.0, "w0": -2.0}


def test_single_letter_names_are_free_for_variables(gt):
    # -h and --h bind h; only --help is help.
    result = gt("h*x", "-h", "2", "--x", "3", "--json")
    assert json.loads(result.stdout)["gradients"] == {"h": 3.0, "x": 2.0}
    assert "Usage" in gt("--help").stdout


def test_negative_values_are_values_and_leading_minus_expressions_work(gt):
    result = gt("-x*y", "-x", "-1", "-y", "-.5", "--json")
    assert json.loads(result.stdout)["output"]["value"] == -0.5


@pytest.mark.parametrize("args, code, message", [
    (["(x+y)*z", "-x", "1", "-y", "2"], 2, "gradtrace: binding error: no value for the variable z"),
    (["(x+y)*z", "-x", "1"], 2, "no value for the variables y, z"),
    (["x*y", "-x", "1", "-y", "2", "-w", "3"], 2, "-w 3: the expression has no variable 'w'"),
    (["x*y", "-x", "1", "-y", "2", "-x", "3"], 2, "x is bound twice: -x 1 and -x 3"),
    (["x*y", "-x", "1", "-y"], 2, "-y needs a value"),
    (["x*y", "-x", "1", "-y", "2", "--jsn"], 2, "no such option: --jsn (did you mean --json?)"),
    (["x*y", "-x", "1", "-y", "two"], 2, "the value for y must be a number"),
    (["x*y", "-x", "1", "-y", "2", "extra"], 2, "expected one expression, got 2"),
    (["(x+y", "-x", "1", "-y", "2"], 2, "parse error: this '(' is never closed"),
    (["log(x)", "-x", "-1"], 1, "evaluation error: f = log(x): log needs a positive input, but x = -1"),
    (["1/x", "-x", "0"], 1, "1/x needs a nonzero input"),
    ([], 2, "no expression given"),
    (["x*1e400", "-x", "1"], 2, "the number 1e400 is too large for a float"),
    (["x*y", "-x", "1e999", "-y", "1"], 2, "the number 1e999 is too large"),
    (["x ** -1", "-x", "0"], 1, "x^-1 needs a nonzero base for a negative power, but x = 0"),
    (["x*y", "-x", "1", "-y", "2", "--output"], 2, "Option '--output' requires an argument."),
    (["--file", "/nonexistent/p.gt"], 2, "--file /nonexistent/p.gt: No such file or directory"),
    (["x", "-x", "1", "--precision", "0"], 2, "Invalid value for '--precision'"),
])
def test_errors_go_to_stderr_with_the_documented_exit_code(gt, args, code, message):
    result = gt(*args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_parse_error_shows_the_caret(gt):
    result = gt("(x+)*z", "-x", "1", "-z", "2")
    assert result.stderr == ("gradtrace: parse error: expected a number, a name or '(' but found ')'\n"
                             "  (x+)*z\n     ^\n")


def test_program_from_file_and_stdin_and_output(gt, tmp_path):
    program = tmp_path / "circuit.gt"
    program.write_text("# CS231n lecture 4\nq = x + y\nf = q * z\n")
    result = gt("--file", str(program), "x=-2", "y=5", "z=-4", "--json")
    assert json.loads(result.stdout)["gradients"] == {"x": -4.0, "y": -4.0, "z": 3.0}
    result = gt("--file", "-", "-x", "-2", "-y", "5", "--output", "q", "--json", input="q = x + y\nf = q * z\n")
    assert json.loads(result.stdout)["output"] == {"name": "q", "value": 3.0}
    assert gt("--file", str(tmp_path / "missing.gt")).exit_code == 2


def test_vars_file(gt, tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}))
    result = gt(SIGMOID, "--vars", str(path), "--json")
    assert json.loads(result.stdout)["gradients"]["x0"] == pytest.approx(0.3932, abs=5e-5)
    path.write_text(json.dumps({"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": "-3"}))  # text is not a number
    result = gt(SIGMOID, "--vars", str(path))
    assert result.exit_code == 2 and "not text" in result.stderr
    path.write_text("[1, 2]")
    assert "expected a JSON object" in gt(SIGMOID, "--vars", str(path)).stderr
    path.write_text("{")
    assert gt(SIGMOID, "--vars", str(path)).exit_code == 2


def test_precision_changes_the_table_not_the_json(gt):
    assert "0.73105858" in gt(SIGMOID, *SIGMOID_BINDINGS, "--precision", "8").stdout
    data = json.loads(gt(SIGMOID, *SIGMOID_BINDINGS, "--precision", "2", "--json").stdout)
    assert data["output"]["value"] == 0.7310585786300049


def test_kink_notes_are_printed(gt):
    out = gt("max(x, y)", "-x", "1", "-y", "1").stdout
    assert "note: f = max(x, y): a tie" in out


def test_binary_files_are_refused_cleanly(gt, tmp_path):
    path = tmp_path / "binary.gt"
    path.write_bytes(bytes(range(256)))
    result = gt("--file", str(path))
    assert result.exit_code == 2 and "not a UTF-8 text file" in result.stderr
    result = gt("x", "--vars", str(path))
    assert result.exit_code == 2 and "not a UTF-8 text file" in result.stderr


def test_an_internal_bug_is_one_line_on_stderr_not_a_traceback(monkeypatch, capsys):
    from gradtrace import cli as cli_module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr("gradtrace.modes.run.run", broken)
    assert cli_module.main(["x", "-x", "1"]) == 1
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: simulated bug" in err and "Traceback" not in err
    monkeypatch.setenv("GRADTRACE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli_module.main(["x", "-x", "1"])


@pytest.mark.slow
def test_a_large_table_is_cut_with_a_clear_note_and_full_shows_all(gt):
    program = " + ".join(f"x{i}*y" for i in range(100))  # 300 nodes
    bindings = [f"x{i}=1" for i in range(100)] + ["y=2"]
    out = " ".join(gt(program, *bindings).stdout.split())
    assert "… 100 more nodes, nearer the inputs: --full shows them all" in out
    assert "… and 61 more" in out
    full = gt(program, *bindings, "--full").stdout
    assert "more nodes" not in full and "∂f/∂x99 = 2" in " ".join(full.split())


@pytest.mark.parametrize(("args", "meant"), [
    (["x*2", "-x", "1", "--explain", "forwrd"], "forward"),
    (["--explain", "backwrd", "x*2", "-x", "1"], "backward"),
    (["--explain", "Backwards", "x*2", "-x", "1"], "backward"),
])
def test_a_misspelt_explain_pass_is_named(gt, args, meant):
    """--explain's value is optional, so click takes a misspelt one for a second expression: the
    hint names the pass meant rather than telling to quote the expression."""
    result = gt(*args)
    assert result.exit_code == 2
    assert "expected one expression, got 2" in result.stderr
    assert f"did you mean --explain {meant}?" in result.stderr and "quote the expression" not in result.stderr
    unquoted = gt("x", "+", "y", "-x", "1", "-y", "2")
    assert unquoted.exit_code == 2 and "quote the expression" in unquoted.stderr and "--explain" not in unquoted.stderr
