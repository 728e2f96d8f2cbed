"""Hostile and odd input, family by family: each is refused (or shown) cleanly, with the documented
exit code and never an internal error; every text output escapes what it must."""

import json
import subprocess
import sys

import numpy as np
import pytest

import gradtrace

HEADLINE = ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"]


def clean(result, code):
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return result


# ---- numbers that can't be floats, and nesting that can't be an array ----------------------------

@pytest.mark.parametrize("digits", [400, 5000])
def test_huge_integers_are_refused(gt, tmp_path, digits):
    big = "9" * digits
    path = tmp_path / "v.json"
    path.write_text(f'{{"x": {big}}}')
    assert "too large for a float" in clean(gt("x*2", "--vars", str(path)), 2).stderr
    assert "too large for a float" in clean(gt("sum(x)", "-x", f"[{big}]"), 2).stderr
    assert "too large for a float" in clean(gt("x*2", "-x", big), 2).stderr
    assert len(clean(gt("x*2", "-x", big), 2).stderr) < 1000   # the number is not echoed in full


def test_deep_nesting_is_refused_without_recursion(gt, tmp_path):
    deep = "[" * 30000 + "1" + "]" * 30000
    assert "nested" in clean(gt("sum(x)", "-x", deep), 2).stderr
    (tmp_path / "d.json").write_text(deep)
    assert "nested" in clean(gt("sum(x)", "-x", f"@{tmp_path / 'd.json'}"), 2).stderr
    (tmp_path / "v.json").write_text('{"x": ' + deep + "}")
    assert "nested" in clean(gt("sum(x)", "--vars", str(tmp_path / "v.json")), 2).stderr
    with pytest.raises(gradtrace.BindingError):
        nested = [1.0]
        for _ in range(30000):
            nested = [nested]
        gradtrace.trace("sum(x)", x=nested)


@pytest.mark.parametrize("step", ["nan", "inf", "-1", "0"])
def test_a_step_must_be_a_finite_positive_number(gt, step):
    assert "finite number above 0" in clean(gt(*HEADLINE, "--check", "--step", step), 2).stderr


def test_a_nan_seed_is_refused_like_a_nan_binding(gt, tmp_path):
    np.save(tmp_path / "g.npy", np.array([1.0, np.nan]))
    for extra in ([], ["--check"]):
        result = clean(gt("x*2", "-x", "[1,2]", "--seed", f"@{tmp_path / 'g.npy'}", *extra), 2)
        assert "seed[1] is NaN" in result.stderr


def test_an_answer_for_an_array_is_graded_not_crashed(gt):
    clean(gt("sum(x*x)", "-x", "[1,2]", "--expect", "x=2"), 3)


def test_exact_mode_refuses_numbers_too_large_to_compute(gt):
    clean(gt("sigmoid(x)", "-x", "1e300", "--exact"), 2)
    assert "too many digits" in clean(gt("x^100000000", "-x", "1.0000001", "--exact"), 2).stderr


@pytest.mark.parametrize("answer", ["1e-999999999", "1e999999999", "9" * 100000])
def test_answers_that_would_take_forever_answer_at_once(gt, tmp_path, answer):
    import time

    start = time.monotonic()
    clean(gt(*HEADLINE, "--expect", f"x={answer}"), 2)
    path = tmp_path / "a.json"
    path.write_text(f'{{"x": {answer}}}')
    clean(gt(*HEADLINE, "--answers", str(path)), 2)
    assert time.monotonic() - start < 10


# ---- output streams -----------------------------------------------------------------------------

def _gradtrace_shell(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(f"{sys.executable} -m gradtrace {command}", shell=True, capture_output=True, text=True,
                          timeout=60)


def test_a_full_or_closed_stdout_is_an_output_error_not_a_traceback():
    full = _gradtrace_shell("'(x+y)*z' -x -2 -y 5 -z -4 > /dev/full")
    assert full.returncode == 1 and "can't write the output" in full.stderr and "Traceback" not in full.stderr
    closed = _gradtrace_shell("'(x+y)*z' -x -2 -y 5 -z -4 >&-")
    assert closed.returncode == 1 and "stdout is closed" in closed.stderr and "Traceback" not in closed.stderr


def test_unwritable_render_paths_are_output_errors(gt, tmp_path):
    import needs

    needs.program("dot", "graphviz")
    result = clean(gt(*HEADLINE, "--render", str(tmp_path / "missing" / "a.svg")), 1)
    assert "can't write" in result.stderr
    result = clean(gt(*HEADLINE, "--html", str(tmp_path)), 1)
    assert "it is a folder" in result.stderr


# ---- files: symlinks, atomic writes, whole folders ------------------------------------------------

def test_outputs_replace_a_symlink_instead_of_writing_through_it(gt, tmp_path):
    import needs

    needs.program("dot", "graphviz")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    for option, name in (("--render", "c.svg"), ("--html", "p.html")):
        link = tmp_path / name
        link.symlink_to(victim)
        clean(gt(*HEADLINE, option, str(link)), 0)
        assert victim.read_text() == "keep me" and not link.is_symlink() and link.stat().st_size > 100
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_worksheet_folder_is_replaced_whole_and_others_are_left_alone(gt, tmp_path):
    import needs

    needs.program("dot", "graphviz")
    out = tmp_path / "sheet"
    clean(gt("quiz", "--worksheet", "3", "--seed", "1", "--out", str(out)), 0)
    assert (out / "problem-3.svg").exists()
    clean(gt("quiz", "--worksheet", "2", "--seed", "1", "--out", str(out)), 0)
    assert sorted(p.name for p in out.iterdir()) == [".gradtrace-files", "answer-1.svg", "answer-2.svg", "answers.md",
                                                     "key-1.toml",
                                                     "key-2.toml", "problem-1.svg", "problem-2.svg",
                                                     "worksheet.html", "worksheet.md"]  # no stale -3 files
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("mine")
    result = clean(gt("quiz", "--worksheet", "2", "--seed", "1", "--out", str(other)), 1)
    assert "did not write (mine.txt)" in result.stderr and (other / "mine.txt").read_text() == "mine"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    link = tmp_path / "linked"
    link.symlink_to(victim, target_is_directory=True)
    clean(gt("quiz", "--worksheet", "1", "--seed", "1", "--out", str(link)), 0)
    assert (victim / "keep.txt").read_text() == "keep" and not link.is_symlink()


# ---- values in files are data, never instructions --------------------------------------------------

def test_vars_values_are_numbers_not_file_names_or_text(gt, tmp_path):
    secret = tmp_path / "a.json"
    secret.write_text("[1, 2]")
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"x": f"@{secret}"}))
    assert "not a file name" in clean(gt("sum(x)", "--vars", str(path)), 2).stderr
    with pytest.raises(gradtrace.BindingError):
        gradtrace.trace("sum(x)", x=f"@{secret}")
    path.write_text('{"x": 1, "x": 2}')
    assert "given twice" in clean(gt("x*2", "--vars", str(path)), 2).stderr
    path.write_text("{}")
    assert "no value for the variable x" in clean(gt("x*2", "--vars", str(path)), 2).stderr


def test_a_byte_order_mark_is_accepted_everywhere(gt, tmp_path):
    program = tmp_path / "p.gt"
    program.write_bytes("\ufeff(x+y)*z".encode())
    values = tmp_path / "v.json"
    values.write_bytes('\ufeff{"x": -2, "y": 5, "z": -4}'.encode())
    assert "f = -12" in clean(gt("--file", str(program), "--vars", str(values)), 0).stdout
    assert "f = -12" in clean(gt("--file", "-", *HEADLINE[1:], input="\ufeff(x+y)*z"), 0).stdout


@pytest.mark.parametrize("text", ["١٢*x", "x*٣", "²x"])
def test_non_ascii_digits_are_not_numbers(gt, text):
    clean(gt(text, "-x", "1"), 2)
    assert clean(gt("x*2", "-x", "1", "--expect", "x=٢"), 2)


@pytest.mark.parametrize("name", ["nan", "inf"])
def test_variables_cannot_be_named_like_json_non_finite_numbers(gt, name):
    assert "reserved" in clean(gt(f"{name}*2"), 2).stderr


def test_a_header_that_lies_about_its_size_is_refused_before_loading(gt, tmp_path):
    import io

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (100000, 1000000)})
    path = tmp_path / "huge.npy"
    path.write_bytes(buf.getvalue() + b"\0" * 64)
    result = clean(gt("sum(x)", "-x", f"@{path}"), 2)
    assert "100,000,000,000 elements" in result.stderr and "holds only 64 bytes" in result.stderr


def test_stderr_stays_clean(gt, tmp_path):
    (tmp_path / "e.csv").write_text("")
    result = clean(gt("sum(x)", "-x", f"@{tmp_path / 'e.csv'}"), 2)
    assert result.stderr.count("\n") <= 2 and "Warning" not in result.stderr and "/gradtrace/" not in result.stderr
    done = subprocess.run([sys.executable, "-m", "gradtrace", "sum(log(x))", "-x", "[1, -1]"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "Warning" not in done.stderr


# ---- terminal and markup injection ------------------------------------------------------------------

EVIL = "x*(y # \x1b]0;pwned\x07 <script>alert(1)</script> | $ & _ * \x1b[31m\n + 1)"


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "latex", "csv", "graph", "dot", "mermaid"])
def test_comments_never_reach_any_output(gt, tmp_path, fmt):
    program = tmp_path / "evil.gt"
    program.write_text(EVIL)
    out = clean(gt("--file", str(program), "-x", "1", "-y", "2", "--format", fmt), 0).stdout
    assert "\x1b" not in out and "\x07" not in out
    if fmt == "json":  # the program itself is data here, escaped as JSON escapes every string
        assert json.loads(out)["expression"] == EVIL and "\\u001b" in out
    else:
        assert "script" not in out and "pwned" not in out


def test_explain_and_html_never_show_comments(gt, tmp_path):
    import needs

    program = tmp_path / "evil.gt"
    program.write_text(EVIL)
    out = clean(gt("--file", str(program), "-x", "1", "-y", "2", "--explain"), 0).stdout
    assert "\x1b" not in out and "script" not in out
    needs.program("dot", "graphviz")
    page = tmp_path / "p.html"
    clean(gt("--file", str(program), "-x", "1", "-y", "2", "--html", str(page)), 0)
    assert "pwned" not in page.read_text() and "\x1b" not in page.read_text()


def test_error_messages_escape_control_characters(gt):
    result = clean(gt("x + # \x1b]0;pwned\x07\n)", "-x", "1"), 2)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    result = clean(gt("x \x1b[31m", "-x", "1"), 2)
    assert "\x1b" not in result.stderr and "\\x1b" in result.stderr


def test_markdown_escapes_what_it_shows(gt):
    from markdown_it import MarkdownIt

    out = clean(gt(*HEADLINE, "--format", "markdown"), 0).stdout
    html = MarkdownIt("commonmark").enable("table").render(out.splitlines()[0])
    assert "(x+y)*z" in html and "<em>" not in html


def test_csv_cells_that_look_like_formulas_are_neutralised(gt):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(clean(gt("-x + y", "-x", "1", "-y", "2", "--format", "csv"), 0).stdout)))
    header = rows[0]
    exprs = [r[header.index("expr")] for r in rows[1:]]
    assert "'-x" in exprs and not any(e.startswith(("=", "+", "@")) for e in exprs)
    locals_ = [r[header.index("formula")] for r in rows[1:] if r[header.index("formula")]]
    assert "-1" in locals_  # a number stays a number


@pytest.mark.parametrize("fmt", ["json", "dot", "mermaid"])
def test_structured_formats_escape_names_and_text(gt, fmt):
    # What users write can only reach these outputs as names and numbers; the writers escape anyway.
    out = clean(gt("q_1 = x + y; f = q_1 * z", "-x", "-2", "-y", "5", "-z", "-4", "--format", fmt), 0).stdout
    if fmt == "json":
        json.loads(out)
    assert "\x1b" not in out
