"""Commands as a user types them: answer keys that `grade --key` reads back, and command names
that are mistyped."""

import json
import re
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

# ---- answer keys: written by a TOML writer, read back by `grade --key` -------------------------

# Programs a teacher writes: several lines, comments with quotes and backslashes, tabs, Unicode
# names (some TOML keys must quote), semicolons, a trailing newline, CRLF line ends.
PROGRAMS = [
    "q = x + y\nf = q * z",
    'a = x*2   # "double" it \\ here\nf = a + 1\t',
    "αβ = x*x\nw₁ = αβ + y\nf = w₁*y\n",
    "q = x + y; f = q*z  # one line\n\n",
    "h = x*y\r\nf = h + x\r\n",
    "é = x\nf = é*é",
    "q = x - y  # comment with ''' and \"\"\" in it\nf = exp(q)",
]
BINDINGS = {"x": -2, "y": 5, "z": -4}


def _bindings(program):
    """BINDINGS for the variables the program uses (outside its comments)."""
    code = " ".join(line.split("#", 1)[0] for line in program.splitlines())
    return {name: value for name, value in BINDINGS.items() if re.search(rf"\b{name}\b", code)}


def _worksheet(gt, tmp_path, problems, blank):
    spec = tmp_path / "problems.json"
    spec.write_text(json.dumps({"problems": problems}), encoding="utf-8")
    out = tmp_path / f"sheet-{blank.replace(',', '-')}"
    result = gt("quiz", "--worksheet", "--from", str(spec), "--blank", blank, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def _read_back_and_grade(gt, out, problems):
    """Every key the worksheet wrote: valid TOML holding the problem as given, and its own answers,
    handed in as a submission, graded all right by `grade --key`."""
    keys = sorted(out.glob("key-*.toml"), key=lambda p: int(p.stem.split("-")[1]))
    assert len(keys) == len(problems)
    for path, problem in zip(keys, problems):
        key = tomllib.loads(path.read_text(encoding="utf-8"))
        assert key["expression"] == problem["expression"]
        assert {k: float(v) for k, v in key["bindings"].items()} == {
            k: float(v) for k, v in problem["bindings"].items()}
        answers = key["answers"]
        assert answers and all(isinstance(v, str) for v in answers.values())
        itself = gt("grade", "--key", str(path), str(path))  # the key handed in as a submission
        assert itself.exit_code == 0 and "every answer right" in itself.stdout, (itself.stdout, itself.stderr)
        submission = path.parent / f"submission-{path.stem}.json"
        submission.write_text(json.dumps({"student": "Key", "answers": answers}), encoding="utf-8")
        graded = gt("grade", "--key", str(path), str(submission), "--format", "json")
        assert graded.exit_code == 0, (path.read_text(encoding="utf-8"), graded.stdout, graded.stderr)
        report = json.loads(graded.stdout)
        verdicts = [a["verdict"] if "verdict" in a else a.get("correct") for s in _students(report)
                    for a in s["answers"]]
        assert len(verdicts) == len(answers) and all(v in ("right", True) for v in verdicts), report


def _students(report):
    return report["students"] if isinstance(report, dict) and "students" in report else report


@pytest.mark.parametrize("blank", ["gradients", "values", "values,gradients"])
def test_every_answer_key_is_valid_toml_and_grades_its_own_answers_right(gt, tmp_path, blank):
    problems = [{"expression": program, "bindings": _bindings(program)} for program in PROGRAMS]
    _read_back_and_grade(gt, _worksheet(gt, tmp_path, problems, blank), problems)


_COMMENT_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"), max_size=30)
_NAME = st.sampled_from(["q", "h", "α", "w₁", "é", "node_2", "Θ"])


@given(comment=_COMMENT_TEXT, name=_NAME, sep=st.sampled_from(["\n", "\r\n", "; ", "\n\n  "]),
       tail=st.sampled_from(["", "\n", "\t", "  # end"]))
def test_generated_multi_line_problems_give_keys_that_read_back(gt, tmp_path_factory, comment, name, sep, tail):
    """Any comment text, any statement separator, any target name: the key is TOML that reads
    back to the problem, and the key's answers pass against the key."""
    tmp_path = tmp_path_factory.mktemp("keys")
    program = f"{name} = x*y  # {comment}{sep}f = {name} + x{tail}"
    problems = [{"expression": program, "bindings": {"x": 3, "y": -0.5}}]
    _read_back_and_grade(gt, _worksheet(gt, tmp_path, problems, "values,gradients"), problems)


def test_key_toml_is_what_tomli_w_writes():
    """The writer is a TOML library, not string formatting: the key is exactly tomli_w's text of
    the key's data."""
    import tomli_w

    from gradtrace import quiz
    from gradtrace.render import worksheet

    [problem] = quiz.read_problems("p.json", json.dumps({"problems": [
        {"expression": PROGRAMS[1], "bindings": {"x": 3}}]}))
    text = worksheet.key_toml(problem, frozenset({"values", "gradients"}))
    assert text == tomli_w.dumps(tomllib.loads(text))
