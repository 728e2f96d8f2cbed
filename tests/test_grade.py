"""gradtrace grade: a whole class in one process, each file graded by the one rule, a broken
file reported as that student's error without stopping the others."""

import csv
import io
import json

import pytest

PROBLEM = 'expression = "q = x + y; f = q * z"\nbindings = { x = -2, y = 5, z = -4 }\n'


@pytest.fixture
def classroom(tmp_path):
    files = {
        "alice.toml": 'student = "Alice"\n' + PROBLEM + "[answers]\nx = -4\ny = -4\nz = 3\nq.value = 3\n",
        "bob.json": json.dumps({"expression": "q = x + y; f = q * z", "bindings": {"x": -2, "y": 5, "z": -4},
                                "answers": {"x": 4, "z": 3.0, "q": -4}}),
        "carol.toml": PROBLEM + "[answers]\nx = -4\ny = =\n",
        "dave.toml": "[answers]\nx = -4.0\ny = -4\nz = 2.9\n",
        "erin.toml": 'student = "=HYPERLINK(1)"\n' + PROBLEM + "[answers]\nx = -4\n",
        "key.toml": PROBLEM,
        "other.toml": 'expression = "x*y"\nbindings = { x = 1, y = 2 }\n[answers]\nx = 2\n',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_class_is_graded_in_one_go_and_a_broken_file_stops_nobody(gt, classroom):
    files = [str(classroom / f) for f in ("alice.toml", "bob.json", "carol.toml", "erin.toml")]
    result = gt("grade", *files, "--format", "json")
    assert result.exit_code == 2  # carol's file could not be graded
    data = json.loads(result.stdout)
    students = {s["student"]: s for s in data["students"]}
    assert students["Alice"]["right"] == 4 and students["Alice"]["passed"] is True
    # Every input's gradient is asked (bob left out y), and bob's own extra answer q counts too.
    assert students["bob"]["right"] == 2 and [a["status"] for a in students["bob"]["answers"]] == \
        ["wrong", "missing", "right", "right"]
    assert "not valid TOML" in students["carol"]["error"]["message"]
    assert {"question": "x", "wrong": 1, "unreadable": 0, "missing": 0, "answered": 3,
            "asked": 3} in data["most_missed"]
    assert data["passed"] is False


def test_exit_codes_say_whether_everyone_passed(gt, classroom):
    assert gt("grade", str(classroom / "alice.toml")).exit_code == 0
    assert gt("grade", str(classroom / "alice.toml"), str(classroom / "bob.json")).exit_code == 3


def test_a_key_gives_the_problem_and_wins_over_a_files_own(gt, classroom):
    result = gt("grade", str(classroom / "dave.toml"), str(classroom / "other.toml"), "--key",
                str(classroom / "key.toml"), "--format", "json")
    data = {s["student"]: s for s in json.loads(result.stdout)["students"]}
    assert [a["correct"] for a in data["dave"]["answers"]] == [True, True, False]  # z = 2.9: wrong at 1 decimal
    assert "differs from the key" in data["other"]["note"]
    assert data["other"]["answers"][0]["actual"] == -4.0  # graded on the key's problem


def test_the_gradebook_csv_has_one_row_per_student_and_question(gt, classroom):
    result = gt("grade", str(classroom / "alice.toml"), str(classroom / "bob.json"), str(classroom / "erin.toml"),
                "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["student"], r["question"], r["verdict"]) for r in rows] == [
        ("Alice", "x", "right"), ("Alice", "y", "right"), ("Alice", "z", "right"), ("Alice", "q.value", "right"),
        ("bob", "x", "wrong"), ("bob", "y", "missing"), ("bob", "z", "right"), ("bob", "q", "right"),
        ("'=HYPERLINK(1)", "x", "right"), ("'=HYPERLINK(1)", "y", "missing"), ("'=HYPERLINK(1)", "z", "missing")]
    assert rows[4]["answer"] == "4" and rows[4]["true_value"] == "-4.0" and rows[4]["rule"] == "to 4 significant digits"


def test_the_table_names_each_wrong_answer_and_the_most_missed(gt, classroom):
    result = gt("grade", str(classroom / "alice.toml"), str(classroom / "bob.json"))
    assert "Alice" in result.stdout and "4/4" in result.stdout and "2/4" in result.stdout
    assert "x = 4 (-4)" in result.stdout and "most missed: x (1 of 2 wrong)" in result.stdout
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


def test_a_broken_key_is_a_usage_error(gt, classroom):
    (classroom / "bad_key.toml").write_text("bindings = { x = 1 }\n")
    result = gt("grade", str(classroom / "alice.toml"), "--key", str(classroom / "bad_key.toml"))
    assert result.exit_code == 2 and "no expression" in result.stderr


@pytest.mark.parametrize("name, text", [("empty.toml", ""), ("empty.json", ""), ("blank.toml", " \n\t\n"),
                                        ("bom.json", "\ufeff\n")])
def test_an_empty_file_is_that_students_error_whatever_its_extension(gt, classroom, name, text):
    # An empty .toml is valid TOML and an empty .json is not: both are an upload that went wrong,
    # and the teacher sees the same error for each, never a 0 that looks like a graded submission.
    (classroom / name).write_text(text, encoding="utf-8")
    result = gt("grade", str(classroom / name), str(classroom / "alice.toml"), "--format", "json")
    assert result.exit_code == 2
    empty = json.loads(result.stdout)["students"][0]
    assert empty["score"] is None and empty["error"]["message"] == f"{classroom / name}: the file is empty"


def test_symbolic_problems_are_graded_as_expressions(gt, tmp_path):
    """A problem with no bindings asks for expressions: ∂f/∂z = x + y, in any equal form."""
    problem = 'expression = "q = x + y; f = q * z"\n'
    (tmp_path / "ann.toml").write_text(problem + '[answers]\nz = "y + x"\nx = "z"\ny = "z"\n')
    (tmp_path / "ben.toml").write_text(problem + '[answers]\nz = "q"\nx = "z + 1"\n')
    (tmp_path / "cal.toml").write_text(problem + '[answers]\nz = "x + w"\n')
    result = gt("grade", *(str(tmp_path / f) for f in ("ann.toml", "ben.toml", "cal.toml")), "--format", "json")
    data = json.loads(result.stdout)
    students = {s["student"]: s for s in data["students"]}
    assert students["ann"]["passed"] is True and students["ben"]["right"] == 1
    cal = {a["name"]: a for a in students["cal"]["answers"]}  # cal's bad answer is that answer's error
    assert cal["z"]["status"] == "error" and "not a name in the program" in cal["z"]["error"]["message"]
    assert result.exit_code == 3


def test_a_symbolic_gradebook_writes_the_true_expression(gt, tmp_path):
    (tmp_path / "ann.toml").write_text('expression = "q = x + y; f = q * z"\n[answers]\nz = "y + x"\nx = "-z"\n')
    rows = list(csv.DictReader(io.StringIO(gt("grade", str(tmp_path / "ann.toml"), "--format", "csv").stdout)))
    assert [(r["question"], r["true_value"], r["verdict"]) for r in rows] == [
        ("x", "z", "wrong"), ("y", "z", "missing"), ("z", "x + y", "right")]


def test_a_pattern_stands_for_the_files_it_matches_and_one_that_matches_none_is_said(gt, classroom, monkeypatch):
    """class/*.toml passed on unexpanded (a shell that doesn't expand it, or one that matched
    nothing): gradtrace matches it itself, in order; a pattern that matches nothing is a note, and
    when nothing at all is left to grade, a usage error naming the pattern, not a student '*'."""
    monkeypatch.chdir(classroom)
    (classroom / "empty").mkdir()
    result = gt("grade", "a*.toml", "d*.toml", "--key", "key.toml", "--format", "json")
    assert [s["student"] for s in json.loads(result.stdout)["students"]] == ["Alice", "dave"]
    result = gt("grade", "empty/*.toml", "--key", "key.toml")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no file matches 'empty/*.toml'" in result.stderr and "nothing to grade" in result.stderr
    result = gt("grade", "alice.toml", "empty/*.json", "--format", "json")
    assert result.exit_code == 0 and "note: no file matches 'empty/*.json'" in result.stderr
    assert [s["student"] for s in json.loads(result.stdout)["students"]] == ["Alice"]
    (classroom / "[odd].toml").write_text((classroom / "alice.toml").read_text())
    assert gt("grade", "[odd].toml").exit_code == 0  # a file of that very name is that file
