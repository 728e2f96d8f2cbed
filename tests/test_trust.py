"""Issue: every verdict right, every number right, every exit code right. One test per finding."""

import json
import os
import subprocess
import sys

import needs
import numpy as np
import pytest

import gradtrace

W = "[[0.1,0.5],[-0.3,0.8]]"
X = "[0.2,0.4]"


# ---- · and × as the slides write them ---------------------------------------------------------

@pytest.mark.parametrize("symbol", ["·", "⋅", "×"])
def test_the_slides_dot_between_arrays_is_the_matrix_product(gt, symbol):
    result = gt(f"sum((W{symbol}x)^2)", "-W", W, "-x", X, "--json")
    data = json.loads(result.stdout)
    reference = json.loads(gt("sum((W@x)^2)", "-W", W, "-x", X, "--json").stdout)
    assert data["output"]["value"] == pytest.approx(0.116)
    assert data["gradients"] == reference["gradients"]
    node = next(n for n in data["nodes"] if n["name"] == "t1")
    assert node["op"] == "cdot" and node["formula"] == ["up·xᵀ", "Wᵀ·up"]
    assert "matrix product" in node["jacobian"][0]["structure"]


def test_dot_with_a_number_on_one_side_is_the_ordinary_product(gt):
    t = gradtrace.trace("w0·x0 + w1×x1", w0=2, x0=-1, w1=-3, x1=-2)
    assert t.value == 4 and t.gradients == {"w0": -1.0, "x0": 2.0, "w1": -2.0, "x1": -3.0}
    assert t.node("t1").patterns == ("switcher",)
    a = gradtrace.trace("sum(s · x)", s=2.0, x=np.array([1.0, 2.0]))
    assert a.gradients["s"] == 3.0 and list(a.gradients["x"]) == [2.0, 2.0]
    assert gradtrace.trace("3·x", x=2).node("f").label == "*3"


def test_dot_of_two_vectors_is_their_dot_product():
    t = gradtrace.trace("x · y", x=np.array([1.0, 2.0]), y=np.array([3.0, 4.0]))
    assert t.value == 11 and list(t.gradients["x"]) == [3.0, 4.0]


# ---- the lecture's 2-layer net and max(0, x) on arrays explain and draw -----------------------

@pytest.mark.parametrize("args", [
    ["sum(W2 @ relu(W1 @ x))", "-W1", "[[1,2],[3,-4]]", "-W2", "[[1,1]]", "-x", "[1,1]"],
    ["sum(max(0,x))", "-x", "[1,-2]"],
    ["sum(max(x, y))", "-x", "[1,-2]", "-y", "[0,0]"],
    ["sum(x + y)", "-x", "[1,-2]", "-y", "[0,0]"],
])
def test_array_programs_explain_without_crashing(gt, args, tmp_path):
    result = gt(*args, "--explain")
    assert result.exit_code == 0, result.stderr
    assert "Result: " in result.stdout and "∂f/∂x = " in result.stdout and "⊙" in result.stdout
    assert gt(*args, "--explain", "forward").exit_code == 0
    page = tmp_path / "page.html"
    needs.program("dot", "graphviz")  # the page's circuit
    result = gt(*args, "--html", str(page))
    assert result.exit_code == 0, result.stderr
    assert "Result: " in page.read_text()


# ---- exit codes for scripts ---------------------------------------------------------------------

def _gradtrace(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "gradtrace", *args], capture_output=True, text=True,
                          timeout=120, **kwargs)


def _sum_of_products(folder, terms):
    """A program x0*y + x1*y + ... and its --vars file, for runs long enough to interrupt or cut."""
    program = folder / "big.gt"
    program.write_text(" + ".join(f"x{i}*y" for i in range(terms)))
    values = folder / "v.json"
    values.write_text(json.dumps({**{f"x{i}": 1.0 for i in range(terms)}, "y": 2.0}))
    return program, values


@pytest.mark.slow
def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    program, values = _sum_of_products(tmp_path, 20000)
    done = subprocess.run(f"{sys.executable} -m gradtrace --file {program} --vars {values} --json | head -1; "
                          "echo \"status ${PIPESTATUS[0]}\"", shell=True, executable="/bin/bash",
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines() == ["{", "status 0"], done
    assert done.stderr == ""


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line(tmp_path):
    import signal
    import time

    program, values = _sum_of_products(tmp_path, 300000)
    proc = subprocess.Popen([sys.executable, "-m", "gradtrace", "--file", str(program), "--vars", str(values),
                             "--json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err and "Aborted" not in err


@pytest.mark.parametrize("args", [["--explain"], [], ["--graph"], ["--expect", "x=-4"]])
def test_a_non_utf8_stream_gets_readable_ascii(args):
    done = _gradtrace("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", *args,
                      env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr and "df/d" in done.stdout
    done.stdout.encode("ascii")


def test_stderr_closed_does_not_fail_a_good_run():
    done = subprocess.run(f"{sys.executable} -m gradtrace '(x+y)*z' -x -2 -y 5 -z -4 2>&-", shell=True,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "f = -12" in done.stdout


# ---- shell completion ---------------------------------------------------------------------------

def _complete(words: str, cword: int, shell: str = "bash") -> list[str]:
    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(cword), "_GRADTRACE_COMPLETE": f"{shell}_complete"}
    done = subprocess.run([sys.executable, "-c", "from gradtrace.cli import main; raise SystemExit(main())"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0 and "internal error" not in done.stderr and not done.stderr, done.stderr
    return done.stdout.splitlines()


@pytest.mark.slow
def test_completion_offers_options_formats_files_and_the_quiz():
    assert "plain,--json" in _complete("gradtrace --js", 1)
    assert "plain,quiz" in _complete("gradtrace q", 1)
    assert "plain,--difficulty" in _complete("gradtrace quiz --d", 2)
    assert "plain,--dot" not in _complete("gradtrace quiz --d", 2)
    assert {"plain,csv", "plain,markdown"} <= set(_complete("gradtrace (x+y)*z --format ", 3))
    assert _complete("gradtrace x --file ", 3) == ["file,"]
    assert "plain,--explain" in _complete("gradtrace x -x 2 --expl", 4)
    for shell in ("bash", "zsh", "fish"):
        done = subprocess.run([sys.executable, "-c", "from gradtrace.cli import main; raise SystemExit(main())"],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "_GRADTRACE_COMPLETE": f"{shell}_source"})
        assert done.returncode == 0 and "_GRADTRACE_COMPLETE" in done.stdout


# ---- no silent choices --------------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--json", "--graph"], "--json and --graph"),
    (["--mermaid", "--dot"], "--dot and --mermaid"),
    (["--format", "csv", "--json"], "--format csv and --json"),
    (["--explain", "--format", "csv"], "--explain"),
    (["--check", "--dot"], "--check"),
    (["--expect", "x=1", "--mermaid"], "--expect"),
    (["--symbolic", "--exact"], "--symbolic and --exact"),
])
def test_conflicting_requests_exit_2_naming_them(gt, args, words):
    result = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", *args)
    assert result.exit_code == 2 and words in result.stderr, result.stderr


def test_combinations_that_make_sense_both_happen(gt):
    result = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--check", "--expect", "x=-4", "--format", "csv")
    header, *rows = result.stdout.splitlines()
    assert result.exit_code == 0 and "check" in header.split(",") and "answer_correct" in header.split(",")
    assert any(r.startswith("x,") and ",good," in r and ",-4,true" in r for r in rows)
    data = json.loads(gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--check", "--explain", "--json").stdout)
    assert data["check"]["passed"] and data["explanation"]
    graph = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--graph", "--expect", "x=-4")
    assert graph.exit_code == 0 and "✓ x = -4" in graph.stdout
    latex = gt("(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4", "--format", "latex", "--check", "--expect", "x=-4")
    assert "Gradient check" in latex.stdout and "Answers" in latex.stdout


def test_statements_that_do_not_reach_the_output_are_named(gt):
    result = gt("q=x+y; f=q*z; g=q*2", "-x", "1", "-y", "2", "-z", "3")
    assert result.exit_code == 0 and "f=q*z does not reach it" in result.stderr and "output is g" in result.stderr
    assert "note" not in gt("q=x+y; f=q*z", "-x", "1", "-y", "2", "-z", "3").stderr


# ---- the Python API and the CLI agree -----------------------------------------------------------

def test_the_api_goes_symbolic_without_bindings_as_the_cli_does():
    t = gradtrace.trace("(x+y)*z")
    assert t.mode == "symbolic" and str(t.gradients["z"]) == "t1"  # compact: the table's own names
    assert str(gradtrace.trace("(x+y)*z", expanded=True).gradients["z"]) == "x + y"
    e = gradtrace.trace("x/y", x=1, y=3, mode="exact")
    assert str(e.gradients["x"]) == "1/3"


def test_library_errors_do_not_name_command_line_flags(gt):
    with pytest.raises(gradtrace.GradtraceError) as err:
        gradtrace.trace("(x+y)*z", output="g", x=1, y=2, z=3)
    assert "--" not in str(err.value) and "no value named 'g'" in str(err.value)
    with pytest.raises(gradtrace.GradtraceError) as err:
        gradtrace.trace("x * y", x=np.array([1.0, 2.0]), y=2.0)
    assert "--" not in str(err.value) + (err.value.hint or "")
    cli = gt("(x+y)*z", "-x", "1", "-y", "2", "-z", "3", "--output", "g")
    assert cli.exit_code == 2 and "--output g: the program has no value named 'g'" in cli.stderr
    cli = gt("x * y", "-x", "[1,2]", "-y", "2")
    assert cli.exit_code == 2 and "--upstream ones" in cli.stderr
