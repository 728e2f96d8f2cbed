"""gradtrace grade on a whole class, as a teacher meets it: honest students mixed with missing,
blank, malformed and hostile files. Every honest student is graded right, every question of the
key counts (a missing answer is missing, not skipped), a bad answer is that answer's error, a bad
file is that student's error, and nothing a submission holds (escape codes, markup, bidi controls,
bad bytes in its name, FIFOs, device links, huge or deep files) reaches the teacher's screen raw,
stalls the run or ends it in an internal error."""

import csv
import io
import json
import os
import random
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pyte
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradtrace.core.errors import printable

PROBLEM = "q = x + y; f = q * z"
QUESTIONS = ["x", "y", "z", "q", "q.value"]


def truths(x: int, y: int, z: int) -> dict[str, int]:
    """The answers to PROBLEM, worked by hand: ∂f/∂x = ∂f/∂y = ∂f/∂q = z, ∂f/∂z = x + y."""
    return {"x": z, "y": z, "z": x + y, "q": z, "q.value": x + y}


def toml_text(value) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is a JSON string
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    return str(value)


def toml(data: dict) -> str:
    """A small TOML writer for the tests' submissions (keys quoted, tables last)."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict) and key in ("answers", "points"):
            tables.append((key, value))
        elif isinstance(value, dict):
            inner = ", ".join(f"{json.dumps(k)} = {toml_text(v)}" for k, v in value.items())
            lines.append(f"{json.dumps(key)} = {{ {inner} }}")
        else:
            lines.append(f"{json.dumps(key)} = {toml_text(value)}")
    for key, value in tables:
        lines.append(f"[{key}]")
        lines += [f"{json.dumps(k)} = {toml_text(v)}" for k, v in value.items()]
    return "\n".join(lines) + "\n"


def grade(*args, cwd, timeout=300):
    """`gradtrace grade ...` as a teacher runs it: its own process, bytes out."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    env.pop("GRADTRACE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "gradtrace", "grade", *args], capture_output=True, cwd=cwd,
                          env=env, timeout=timeout)


def students_of(stdout: bytes) -> dict[str, dict]:
    data = json.loads(stdout.decode("utf-8"))  # strict: valid UTF-8, and JSON
    return {s["file"]: s for s in data["students"]}


# ---- a generated class --------------------------------------------------------------------------

def spelling(rng: random.Random, value: int) -> str:
    """The true value written one of the ways a student writes it."""
    return rng.choice([str(value), f"{value}.0", f"{value}.00", f"{value}e0", f"{value * 10}e-1", f"{value}/1"])


def honest_student(rng: random.Random, k: int, truth: dict, questions: list[str]):
    """One student's answers and what the grade must say about each: right, wrong, missing, or an
    error (blank, decimal comma, words) that is that answer's alone."""
    answers, status = {}, {}
    for q in questions:
        kind = rng.choice(["right"] * 5 + ["wrong", "missing", "blank", "comma", "words"])
        value = truth[q]
        if kind == "right":
            answers[q] = spelling(rng, value)
        elif kind == "wrong":
            answers[q] = str(value + rng.choice([-3, -1, 1, 2]))
        elif kind == "blank":
            answers[q] = rng.choice(["", "  "])
        elif kind == "comma":
            answers[q] = f"{value},0"
        elif kind == "words":
            answers[q] = rng.choice(["minus four", "?", "[/i]", "x+", "1,5,3"])
        if kind != "missing":
            status[q] = {"right": "right", "wrong": "wrong"}.get(kind, "error")
        else:
            status[q] = "missing"
    return {"student": f"Student {k:02d}", "answers": answers}, status


def hostile_files(folder: Path) -> dict[str, str]:
    """Files no student should be able to use against the run: file name -> what its error says."""
    expect = {}
    os.mkfifo(folder / "fifo.toml")
    expect["fifo.toml"] = "FIFO"
    os.symlink("/dev/zero", folder / "zero.toml")
    expect["zero.toml"] = "not a regular file"
    with open(folder / "huge.toml", "wb") as stream:  # sparse: 2 GB that takes no disk
        stream.truncate(2 * 1024 ** 3)
    expect["huge.toml"] = "too large"
    (folder / "deep.toml").write_text("[answers]\n" + ".".join(["a"] * 3000) + " = 1\n")
    expect["deep.toml"] = "nested"
    (folder / "folder.toml").mkdir()
    expect["folder.toml"] = "folder"
    os.symlink(folder / "nowhere.toml", folder / "dangling.toml")
    expect["dangling.toml"] = "No such file"
    (folder / "bytes.toml").write_bytes(bytes(random.Random(7).randrange(256) for _ in range(400)))
    expect["bytes.toml"] = "UTF-8"
    (folder / "notatable.toml").write_text("answers = 5\n")
    expect["notatable.toml"] = "answers"
    (folder / "json.json").write_text('{"answers": {"x": 1}, "answers": {"x": 2}}')
    expect["json.json"] = "twice"
    return expect


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_generated_class_with_hostile_files_is_graded_honestly(tmp_path, seed):
    rng = random.Random(seed)
    x, y, z = (rng.randint(-9, 9) for _ in range(3))
    truth = truths(x, y, z)
    points = {q: rng.choice([1, 1, 2, Decimal("0.5")]) for q in QUESTIONS}
    key = {"expression": PROBLEM, "bindings": {"x": x, "y": y, "z": z},
           "answers": {q: str(v) for q, v in truth.items()}, "points": points}
    (tmp_path / "key.toml").write_text(toml(key))
    klass = tmp_path / "class"
    klass.mkdir()
    expected = {}
    for k in range(12):
        data, status = honest_student(rng, k, truth, QUESTIONS)
        name = f"s{k:02d}." + rng.choice(["toml", "json"])
        text = toml(data) if name.endswith("toml") else json.dumps(data)
        (klass / name).write_text(text)
        expected[name] = status
    # Hostile but gradable: their answers count like anyone's, and their text is shown escaped.
    honest = {"answers": {q: str(v) for q, v in truth.items()}}
    gradable = {
        "zed.json": ({"student": "Zed   7/7\x1b[30;40m", "answers": {q: "123" for q in QUESTIONS}}, "wrong"),
        "markup.toml": ({"student": "[/]", **honest}, "right"),
        "link.toml": ({"student": "[link=https://example.com]Alice[/link]", **honest}, "right"),
        "hidden.toml": ({"student": "[white on white]secret[/]", **honest}, "right"),
        "bidi.toml": ({"student": "Eve\u202e7/7\u2066\u200b", **honest}, "right"),
        "array.toml": ({"expression": "sum(W @ x)", "bindings": {"W": [[1.0, 2.0], [3.0, 4.0]], "x": [1.0, -1.0]},
                        "answers": {q: "[4, 6]" if q == "x" else str(v) for q, v in truth.items()}}, None),
    }
    for name, (data, _status) in gradable.items():
        (klass / name).write_text(toml(data) if name.endswith("toml") else json.dumps(data))
    weird = "s\udcff[b]\x1b.toml"  # bad bytes, markup and an escape in the file name itself
    (klass / weird).write_text(toml(honest))
    errors = hostile_files(klass)

    files = sorted(os.listdir(klass))
    result = grade(*files, "--key", str(tmp_path / "key.toml"), "--format", "json", cwd=klass)
    assert result.returncode == 2, result.stderr  # some files could not be graded
    assert b"Traceback" not in result.stderr and b"internal error" not in result.stderr
    students = students_of(result.stdout)
    assert set(students) == {printable(f, one_line=True) for f in files}

    total = sum(Decimal(p) for p in points.values())
    for name, status in expected.items():
        s = students[name]
        assert {a["name"]: a["status"] for a in s["answers"]} == status, name
        earned = sum(Decimal(points[q]) for q, v in status.items() if v == "right")
        assert (Decimal(str(s["score"])), Decimal(str(s["out_of"]))) == (earned, total)
        assert s["missing"] == sum(v == "missing" for v in status.values())
        assert s["passed"] is all(v == "right" for v in status.values())
        for a in s["answers"]:
            if a["status"] == "error":
                assert a["error"]["message"] and a["name"] in a["error"]["message"]
            if a["status"] in ("right", "wrong", "missing"):
                assert a["actual"] == truth[a["name"]]
    for name, (data, status) in gradable.items():
        s = students[name]
        assert "error" not in s, s
        if status is not None:
            assert {a["status"] for a in s["answers"]} == {status}
        assert s["student"] == printable(data.get("student", name.rsplit(".", 1)[0]), one_line=True)
    assert students["array.toml"]["note"] and [a["status"] for a in students["array.toml"]["answers"]] == \
        ["wrong", "right", "right", "right", "right"]  # x = [4, 6] is the array problem's, not the key's
    assert students[printable(weird, one_line=True)]["passed"] is True
    for name, words in errors.items():
        s = students[name]
        assert words in s["error"]["message"], (name, s["error"])
        assert s["passed"] is False and s["score"] is None
    summary = json.loads(result.stdout)["summary"]
    assert summary["not_graded"] == len(errors) and summary["students"] == len(files)

    # The same class in every format finishes and stays printable.
    for fmt in ("table", "csv", "csv-wide"):
        out = grade(*files, "--key", str(tmp_path / "key.toml"), "--format", fmt, cwd=klass)
        assert out.returncode == 2 and b"internal error" not in out.stderr
        text = out.stdout.decode("utf-8")
        assert "\x1b" not in text and "\u202e" not in text and "\udcff" not in text


def test_an_array_problem_grades_without_a_key_and_with_an_array_key(tmp_path):
    arr = ('expression = "sum(W @ x)"\nbindings = { W = [[1.0, 2.0], [3.0, 4.0]], x = [1.0, -1.0] }\n'
           "[answers]\nx = [4, 6]\n")
    (tmp_path / "arr.toml").write_text(arr)
    result = grade("arr.toml", "--format", "json", cwd=tmp_path)
    assert b"internal error" not in result.stderr
    s = students_of(result.stdout)["arr.toml"]
    # Without a key the questions are every input's gradient: ∂f/∂W is missing.
    assert [(a["name"], a["status"]) for a in s["answers"]] == [("W", "missing"), ("x", "right")]
    assert (s["score"], s["out_of"], s["passed"]) == (1, 2, False) and result.returncode == 3

    (tmp_path / "key.toml").write_text(arr.replace("x = [4, 6]", 'W = "[[1, -1], [1, -1]]"\nx = [4, 6]'))
    (tmp_path / "ann.toml").write_text("[answers]\nW = [[1, -1], [1, -1]]\nx = [4, 6]\n")
    (tmp_path / "ben.toml").write_text("[answers]\nW = [[1, 1], [1, -1]]\n")
    result = grade("ann.toml", "ben.toml", "--key", "key.toml", "--format", "json", cwd=tmp_path)
    students = students_of(result.stdout)
    assert students["ann.toml"]["passed"] is True
    assert [a["status"] for a in students["ben.toml"]["answers"]] == ["wrong", "missing"]
    assert result.returncode == 3


def test_a_class_without_a_key_asks_each_problem_for_every_inputs_gradient(gt, tmp_path):
    """No key: a file's own problem asks ∂f/∂v for each input v (not a label such as cross_entropy's
    y, which has none); any other answer the file gives is graded and counts too."""
    (tmp_path / "a.toml").write_text(toml({"expression": PROBLEM, "bindings": {"x": -2, "y": 5, "z": -4},
                                           "answers": {"x": "-4", "q.value": "3"}}))
    (tmp_path / "b.toml").write_text(toml({"expression": "cross_entropy(W @ v, y)",
                                           "bindings": {"W": [[1.0, 0.0], [0.0, 1.0]], "v": [0.0, 0.0], "y": 1},
                                           "answers": {"v": "[0.5, -0.5]"}}))
    result = gt("grade", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"), "--format", "json")
    data = json.loads(result.stdout)
    a, b = data["students"]
    assert [(m["name"], m["status"]) for m in a["answers"]] == \
        [("x", "right"), ("y", "missing"), ("z", "missing"), ("q.value", "right")]
    assert (a["score"], a["out_of"], a["missing"]) == (2, 4, 2)
    assert [(m["name"], m["status"]) for m in b["answers"]] == [("W", "missing"), ("v", "right")]
    assert data["passed"] is False and result.exit_code == 3


# ---- findings, one by one ----------------------------------------------------------------------

def write_class(folder: Path, key: str, students: dict[str, str]) -> list[str]:
    (folder / "key.toml").write_text(key)
    for name, text in students.items():
        (folder / name).write_text(text)
    return [str(folder / name) for name in students]


KEY = (f'expression = "{PROBLEM}"\nbindings = {{ x = -2, y = 5, z = -4 }}\n'
       '[answers]\nx = "-4"\ny = "-4"\nz = "3"\nq = "-4"\n"q.value" = "3"\nf = "1"\n"f.value" = "-12"\n')


def test_a_score_is_out_of_the_keys_questions_and_missing_answers_are_missing(gt, tmp_path):
    files = write_class(tmp_path, KEY, {"one.toml": "[answers]\nx = -4\n",
                                        "all.toml": "[answers]\nx = -4\ny = -4\nz = 3\nq = -4\n\"q.value\" = 3\n"
                                                    "f = 1\n\"f.value\" = -12\n",
                                        "broken.toml": "[answers\n"})
    key = str(tmp_path / "key.toml")
    data = json.loads(gt("grade", *files, "--key", key, "--format", "json").stdout)
    one, full, broken = data["students"]
    assert (one["score"], one["out_of"], one["right"], one["missing"], one["passed"]) == (1, 7, 1, 6, False)
    assert [a["status"] for a in one["answers"]] == ["right"] + ["missing"] * 6
    assert full["passed"] is True and (full["score"], full["out_of"]) == (7, 7)
    assert "error" in broken and broken["passed"] is False
    assert data["passed"] is False

    table = gt("grade", *files, "--key", key)
    line = next(ln for ln in table.stdout.splitlines() if ln.startswith("one"))
    assert "1/7" in line and "y, z, q, q.value, f, f.value" in line
    assert "every answer right" not in table.stdout
    assert "1 of 3 files could not be graded" in table.stdout
    assert table.exit_code == 2

    rows = list(csv.DictReader(io.StringIO(gt("grade", files[0], "--key", key, "--format", "csv").stdout)))
    assert [(r["question"], r["verdict"]) for r in rows] == [("x", "right")] + [
        (q, "missing") for q in ("y", "z", "q", "q.value", "f", "f.value")]
    assert rows[1]["true_value"] == "-4.0" and rows[1]["answer"] == ""


def test_every_answer_right_is_said_only_when_it_is_true(gt, tmp_path):
    files = write_class(tmp_path, KEY, {"a.toml": "[answers]\nx = -4\ny = -4\nz = 3\nq = -4\n\"q.value\" = 3\n"
                                                  "f = 1\n\"f.value\" = -12\n"})
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"))
    assert "every answer right" in result.stdout and result.exit_code == 0
    files += write_class(tmp_path, KEY, {"b.toml": "[answers]\nx = -4\n"})
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"))
    assert "every answer right" not in result.stdout and result.exit_code == 3
    assert "6 answers missing" in result.stdout


def test_the_keys_points_weigh_each_question(gt, tmp_path):
    key = KEY + "[points]\nx = 2\nz = 0.5\n\"q.value\" = 3\nf = 0\n"
    files = write_class(tmp_path, key, {"a.toml": "[answers]\nx = -4\nz = 3\nq.value = 4\n"})
    data = json.loads(gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "json").stdout)
    s = data["students"][0]
    # x 2 + y 1 + z 0.5 + q 1 + q.value 3 + f 0 + f.value 1 = 8.5; right: x and z = 2.5
    assert (s["score"], s["out_of"]) == (2.5, 8.5)
    assert {a["name"]: (a["points"], a["earned"]) for a in s["answers"]}["q.value"] == (3, 0)
    assert "2.5/8.5" in gt("grade", *files, "--key", str(tmp_path / "key.toml")).stdout


@pytest.mark.parametrize("points, words", [("w = 1", "not a question"), ("x = -1", "≥ 0"), ('x = "two"', "number"),
                                           ("x = nan", "number"), ("x = true", "number")])
def test_a_bad_points_table_is_the_keys_error(gt, tmp_path, points, words):
    files = write_class(tmp_path, KEY + f"[points]\n{points}\n", {"a.toml": "[answers]\nx = -4\n"})
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"))
    assert result.exit_code == 2 and words in result.stderr


@pytest.mark.parametrize("bad", ['""', '"  "', '"-2,0"', '"4,"', "true", "nan", "inf", '"four"', '"[/i]"', '"1e999"',
                                 '"1/0"', "2021-01-01", '"' + "9" * 300 + '"', "[{ a = 1 }]"])
def test_one_bad_answer_is_that_answers_error_and_the_rest_are_graded(gt, tmp_path, bad):
    files = write_class(tmp_path, KEY, {"a.toml": f"[answers]\nx = -4\ny = {bad}\nz = 3\nq = 5\n"})
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "json")
    s = json.loads(result.stdout)["students"][0]
    assert "error" not in s
    marks = {a["name"]: a for a in s["answers"]}
    assert [marks[q]["status"] for q in ("x", "y", "z", "q")] == ["right", "error", "right", "wrong"]
    assert marks["y"]["error"]["message"].startswith("y")
    assert (s["score"], s["out_of"]) == (2, 7) and result.exit_code == 3


def test_a_duplicate_answer_and_an_answer_to_no_question(gt, tmp_path):
    files = write_class(tmp_path, KEY, {"a.toml": '[answers]\nx = -4\nq.value = 3\n"q.value" = 3\nw = 1\n'})
    data = json.loads(gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "json").stdout)
    s = data["students"][0]
    marks = {a["name"]: a for a in s["answers"]}
    assert marks["q.value"]["status"] == "error" and "twice" in marks["q.value"]["error"]["message"]
    assert s["not_asked"] == ["w"] and "w" not in marks


def test_a_true_zero_is_written_0_and_the_wide_csv_has_one_row_per_student(gt, tmp_path):
    key = 'expression = "f = -(x*y)"\nbindings = { x = -2, y = 0 }\n[answers]\nx = "0"\ny = "2"\n[points]\ny = 3\n'
    files = write_class(tmp_path, key, {"ann.toml": "[answers]\nx = 0\ny = 2\n", "ben.toml": "[answers]\nx = 1\n",
                                        "cat.toml": "[answers\n", "=dan.toml": "[answers]\ny = \"\"\n"})
    key_path = str(tmp_path / "key.toml")
    rows = list(csv.DictReader(io.StringIO(gt("grade", *files, "--key", key_path, "--format", "csv").stdout)))
    assert [r["true_value"] for r in rows if r["question"] == "x"] == ["0", "0", "0"]  # -0.0 is written 0
    document = gt("grade", *files, "--key", key_path, "--format", "json").stdout
    assert "-0.0" not in document and "-0," not in document  # and in JSON too
    actual = [a["actual"] for s in json.loads(document)["students"] for a in s.get("answers", [])
              if a.get("question", a.get("name")) == "x"]
    assert actual and all(v == 0 and not str(v).startswith("-") for v in actual), actual
    assert [(r["student"], r["question"], r["verdict"], r["points"], r["earned"]) for r in rows] == [
        ("ann", "x", "right", "1", "1"), ("ann", "y", "right", "3", "3"),
        ("ben", "x", "wrong", "1", "0"), ("ben", "y", "missing", "3", "0"),
        ("cat", "", "error", "", ""),
        ("'=dan", "x", "missing", "1", "0"), ("'=dan", "y", "error", "3", "0")]

    wide = gt("grade", *files, "--key", key_path, "--format", "csv-wide").stdout
    table = list(csv.reader(io.StringIO(wide)))
    assert table[0] == ["student", "file", "score", "out_of", "x", "y", "missing", "errors"]
    assert [row[:6] for row in table[1:]] == [
        ["ann", files[0], "4", "4", "1", "3"], ["ben", files[1], "0", "4", "0", "0"],
        ["cat", files[2], "", "4", "", ""], ["'=dan", files[3], "0", "4", "0", "0"]]
    assert table[2][6] == "y" and table[4][6] == "x" and "empty" in table[4][7] and "TOML" in table[3][7]


def test_the_missing_column_is_there_only_when_a_question_was_left_out(gt, tmp_path):
    # At 40 columns an empty "missing" column left the wrong answers 9 characters a line.
    files = write_class(tmp_path, KEY, {"ann.toml": 'student = "Ann"\n[answers]\nx = -4\ny = -4.0\nz = 4\n'
                                                    'q = -4\n\"q.value\" = 3\nf = 1\n\"f.value\" = -12\n',
                                        "bad.toml": "[answers\n"})
    key = str(tmp_path / "key.toml")
    lines = gt("grade", *files, "--key", key, env={"COLUMNS": "40"}).stdout.splitlines()
    assert "missing" not in lines[1] and lines[3] == "Ann         6/7   z = 4 (3)"
    (tmp_path / "bob.toml").write_text('student = "Bob"\n[answers]\nx = -4\n')
    lines = gt("grade", *files, str(tmp_path / "bob.toml"), "--key", key, env={"COLUMNS": "60"}).stdout.splitlines()
    assert lines[1].split()[-1] == "missing" and any(line.startswith("Bob") for line in lines)


def test_every_output_format_of_one_small_class(gt, tmp_path):
    files = write_class(tmp_path, KEY, {"ann.toml": 'student = "Ann"\n[answers]\nx = -4\ny = -4.0\nz = 4\n'
                                                    'q = -4\n\"q.value\" = 3\nf = 1\n\"f.value\" = ""\n'})
    key = str(tmp_path / "key.toml")
    table = gt("grade", *files, "--key", key, env={"COLUMNS": "200"}).stdout
    lines = table.splitlines()
    assert lines[0] == "1 submission" and set(lines[2]) == {"─"}
    assert lines[1].split() == ["student", "score", "wrong", "(true", "value)"]  # no one missed a question
    assert lines[3] == 'Ann         5/7   z = 4 (3), f.value = "": the answer is empty'
    assert lines[4:] == ["1 answer could not be read", "most missed: z (1 of 1 wrong), f.value (1 of 1 unreadable)"]

    data = json.loads(gt("grade", *files, "--key", key, "--format", "json").stdout)
    assert data["summary"] == {"students": 1, "graded": 1, "not_graded": 0, "passed": 0, "missing": 0, "errors": 1}
    assert data["most_missed"][0] == {"question": "z", "wrong": 1, "unreadable": 0, "missing": 0, "answered": 1,
                                      "asked": 1}

    long = list(csv.DictReader(io.StringIO(gt("grade", *files, "--key", key, "--format", "csv").stdout)))
    assert [r["verdict"] for r in long] == ["right", "right", "wrong", "right", "right", "right", "error"]
    assert "empty" in long[-1]["rule"]

    wide = list(csv.DictReader(io.StringIO(gt("grade", *files, "--key", key, "--format", "csv-wide").stdout)))
    assert wide == [{"student": "Ann", "file": files[0], "score": "5", "out_of": "7", "x": "1", "y": "1", "z": "0",
                     "q": "1", "q.value": "1", "f": "1", "f.value": "0", "missing": "",
                     "errors": f"f.value in {files[0]}: the answer is empty"}]


# ---- what a submission's text can do to the teacher's screen -----------------------------------

HOSTILE_TEXT = [
    "Zed   7/7\x1b[30;40m",           # paint the rest black on black
    "\x1b]0;pwned\x07Mallory",          # retitle the terminal
    "Oscar\x1b[2J\x1b[H",              # clear the screen
    "Trent\r Alice  7/7",              # a carriage return over its own row
    "Peggy\x1b[1A\x1b[2KAlice 7/7",     # move up and rewrite the row above
    "Eve\u202e7/7\u2066\u200b",         # bidi override and a zero-width space
    "Victor\x9b31m\x85",               # C1 controls: CSI and NEL
    "[white on white]Walter[/]",        # rich markup
    "[link=https://example.com]Sybil[/link]",
    "Wendy\nAlice  7/7",                # a line break of its own
    "\u0336\u0336\u0336\u0336Xavier",      # combining marks with no letter under them: onto the cell before
    "\u3164\u2800",                      # fillers that show a blank name
]


def screen(output: str) -> pyte.Screen:
    """The terminal after output, as a tty shows it (its driver turns each \\n into \\r\\n)."""
    s = pyte.Screen(160, 60)
    pyte.ByteStream(s).feed(output.replace("\n", "\r\n").encode("utf-8"))
    return s


def class_screen(gt, folder: Path, names: list[str]) -> tuple[pyte.Screen, str]:
    folder.mkdir()
    files = []
    for k, name in enumerate(names):
        path = folder / f"s{k}.json"
        path.write_text(json.dumps({"student": name, "expression": "x*y", "bindings": {"x": 2, "y": 3},
                                    "answers": {"x": "3" if k % 2 else "4", "y": "2"}}))
        files.append(str(path))
    result = gt("grade", *files, "--color", "always", env={"COLUMNS": "160"})
    assert result.exit_code == 3
    return screen(result.stdout), result.stdout


def test_no_submission_changes_what_the_rest_of_the_screen_shows(gt, tmp_path):
    """Each hostile name on a real terminal (pyte) shows exactly what its escaped text shows, typed
    in by a harmless student: same characters, same colours, same place; nothing retitles,
    clears, hides or links."""
    hostile, raw = class_screen(gt, tmp_path / "a", HOSTILE_TEXT)
    tame, _raw = class_screen(gt, tmp_path / "b", [printable(n, one_line=True) for n in HOSTILE_TEXT])
    assert hostile.display == tame.display
    assert [[hostile.buffer[y][x] for x in range(160)] for y in range(60)] == \
        [[tame.buffer[y][x] for x in range(160)] for y in range(60)]
    assert hostile.title == "" and (hostile.cursor.x, hostile.cursor.y) == (tame.cursor.x, tame.cursor.y)
    assert "\x1b]8;" not in raw and "\x1b]0;" not in raw  # no hyperlink, no title
    text = "\n".join(hostile.display)
    for name in HOSTILE_TEXT:
        assert printable(name, one_line=True) in text
    assert "Zed   7/7\\x1b[30;40m" in text and "[white on white]Walter[/]" in text and "Eve\\u202e7/7" in text
    rows = [line for line in hostile.display if line.strip()]
    assert len(rows) == 3 + len(HOSTILE_TEXT) + 1  # title, header, rule, one row each, the summary
    zed = next(line for line in rows if line.startswith("Zed"))
    assert " 1/2 " in zed  # its true score, on its own row
    walter = next(y for y, line in enumerate(hostile.display) if "Walter" in line)
    cell = hostile.buffer[walter][hostile.display[walter].index("Walter")]
    assert (cell.fg, cell.bg, cell.reverse) == ("default", "default", False)


@pytest.mark.parametrize("fmt", ["table", "csv", "csv-wide", "json"])
def test_every_format_shows_a_submissions_text_escaped(gt, tmp_path, fmt):
    files = []
    for k, name in enumerate(HOSTILE_TEXT):
        path = tmp_path / (f"s{k}\x1b[31m\u202e.json" if k % 2 else f"s{k}.json")
        path.write_text(json.dumps({"student": name, "expression": "x*y", "bindings": {"x": 2, "y": 3},
                                    "answers": {name: "1", "x": name, "y": "2"}}))
        files.append(str(path))
    out = gt("grade", *files, "--format", fmt, "--color", "never").stdout
    for bad in ("\x1b", "\x07", "\x9b", "\x85", "\r", "\u202e", "\u2066", "\u200b"):
        assert bad not in out, (fmt, bad)
    shown = [printable(name, one_line=True) for name in HOSTILE_TEXT]
    questions = [printable(name.strip(), one_line=True) for name in HOSTILE_TEXT]  # NEL (\x85) is a space
    if fmt == "json":
        data = json.loads(out)
        assert [s["student"] for s in data["students"]] == shown
        assert [s["file"] for s in data["students"]] == [printable(f, one_line=True) for f in files]
        assert [s["answers"][-1]["name"] for s in data["students"]] == questions
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {r["student"] for r in rows} == {n if n[0] not in "=+-@" else "'" + n for n in shown}
    elif fmt == "csv-wide":
        rows = list(csv.reader(io.StringIO(out)))
        assert [r[0] for r in rows[1:]] == shown and set(questions) < set(rows[0])


def test_a_file_name_with_bad_bytes_gives_valid_utf8_json(tmp_path):
    name = os.fsdecode(b"s\xff\xfe.toml")
    (tmp_path / name).write_text('expression = "x*y"\nbindings = { x = 2, y = 3 }\n[answers]\nx = 3\ny = 2\n')
    result = grade(os.fsencode(name), "--format", "json", cwd=tmp_path)
    text = result.stdout.decode("utf-8")  # strict
    assert json.loads(text)["students"][0]["file"] == "s\\xff\\xfe.toml" and result.returncode == 0
    for fmt in ("table", "csv", "csv-wide"):
        out = grade(os.fsencode(name), "--format", fmt, cwd=tmp_path).stdout
        assert b"\xff" not in out and "s\\xff\\xfe" in out.decode("utf-8")


# ---- a file can't stall the run ----------------------------------------------------------------

def test_a_fifo_answer_array_beside_an_answers_file_is_that_answers_error(tmp_path):
    os.mkfifo(tmp_path / "dW.npy")
    (tmp_path / "a.toml").write_text('expression = "sum(W @ x)"\nbindings = { W = [[1.0, 2.0], [3.0, 4.0]], '
                                     'x = [1.0, -1.0] }\n[answers]\nW = "@dW.npy"\nx = [4, 6]\n')
    result = grade("a.toml", "--format", "json", cwd=tmp_path, timeout=120)
    s = students_of(result.stdout)["a.toml"]
    marks = {a["name"]: a for a in s["answers"]}
    assert marks["W"]["status"] == "error" and "FIFO" in marks["W"]["error"]["message"]
    assert marks["x"]["status"] == "right"


@pytest.mark.slow
def test_a_submission_over_its_time_limit_is_that_students_error(gt, tmp_path, monkeypatch):
    """The budget is tested by its mechanism, not by a clock: one file's grading never returns,
    and the run still reports it and grades the rest."""
    import gradtrace.modes.symbolic as symbolic

    real = symbolic.same_expression

    def stuck(given, actual):
        if "y" in str(given) and "8" in str(given):
            while True:
                pass
        return real(given, actual)

    monkeypatch.setattr(symbolic, "same_expression", stuck)
    import sympy  # noqa: F401  (imported before the clock starts: the limit is for grading)

    (tmp_path / "a.toml").write_text('expression = "x*y"\n[answers]\nx = "y"\ny = "x"\n')
    (tmp_path / "b.toml").write_text('expression = "x*y"\n[answers]\nx = "y*8"\ny = "x"\n')
    result = gt("grade", str(tmp_path / "b.toml"), str(tmp_path / "a.toml"), "--time-limit", "8",
                "--format", "json")
    b, a = json.loads(result.stdout)["students"]
    assert a["passed"] is True
    assert "8 s" in b["error"]["message"] and result.exit_code == 2


# ---- random submissions never reach an internal error ------------------------------------------

FRAGMENTS = ["student = ", "expression = ", "bindings = ", "[answers]\n", "[points]\n", "answers = ", '"x*y"',
             '"(x+y)*z"', '"sum(W @ x)"', "{ x = 2, y = 3 }", "{ W = [[1.0, 2.0]], x = [1.0] }", "x = ", "y = ",
             "q.value = ", '"q.value" = ', "a.b.c.d = ", "-4", "3", "0", "-0.0", '""', '"-2,0"', '"[/]"',
             '"\\u001b[31m"', '"\\u202e"', "[1, 2]", "[[1], [2]]", "true", "nan", "inf", "1e999", '"@x.npy"',
             '"@../x.npy"', "{}", "[", "]", "=", "\n", " ", "#", '"1/0"', '"pi"', '"y + x"', '"exp(x)"']


@st.composite
def submissions(draw):
    kind = draw(st.sampled_from(["bytes", "fragments", "json"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "fragments":
        return "".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=30))).encode("utf-8", "surrogatepass")
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), st.floats(allow_nan=False),
                       st.text(max_size=12), st.sampled_from(["-4", "3", "[1, 2]", "@a.npy", "x + y", "[/]"]))
    tree = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.sampled_from(["x", "y", "z", "q", "value",
                                                                                         "W", "f", "[/]"]), inner,
                                                                        max_size=4)), max_leaves=12)
    document = draw(st.fixed_dictionaries({}, optional={
        "student": st.one_of(st.text(max_size=20), st.integers(), st.lists(st.integers(), max_size=2)),
        "expression": st.sampled_from(["q = x + y; f = q * z", "x*y", "sum(W @ x)", "", "(", 5]),
        "bindings": st.one_of(tree, st.just({"x": -2, "y": 5, "z": -4})),
        "answers": tree, "points": tree}))
    return json.dumps(document).encode("utf-8")


@pytest.mark.slow
@given(st.lists(st.tuples(st.binary(min_size=1, max_size=12), submissions()), min_size=1, max_size=4),
       st.sampled_from(["table", "csv", "csv-wide", "json"]), st.booleans())
def test_random_submissions_never_end_in_an_internal_error(files, fmt, with_key):
    from click.testing import CliRunner

    from gradtrace.cli import cli

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for k, (name, content) in enumerate(files):
            safe = name.replace(b"/", b"_").replace(b"\0", b"_")
            path = os.path.join(os.fsencode(folder), b"%d-" % k + safe + (b".json" if k % 2 else b".toml"))
            with open(path, "wb") as stream:
                stream.write(content)
            paths.append(os.fsdecode(path))
        key = os.path.join(folder, "key.toml")
        Path(key).write_text(KEY)
        args = ["grade", *paths, "--format", fmt, "--time-limit", "20"] + (["--key", key] if with_key else [])
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code in (0, 2, 3), result.output
        out = result.stdout_bytes.decode("utf-8")  # strict: valid UTF-8 whatever the names
        assert "Traceback" not in result.output and "internal error" not in result.output
        assert "\x1b" not in out
        if fmt == "json":
            data = json.loads(out)
            assert len(data["students"]) == len(paths)
        elif fmt == "csv-wide":
            assert len(list(csv.reader(io.StringIO(out)))) == len(paths) + 1


def test_an_unreadable_answer_is_never_counted_as_wrong(gt, tmp_path):
    """The summary is true: answers that could not be read are counted as unreadable, in the table's
    most-missed line and in JSON, never as wrong."""
    key = 'expression = "x*y"\nbindings = { x = 3, y = 7 }\n[answers]\nx = "7"\ny = "3"\n'
    files = write_class(tmp_path, key, {"ann.toml": '[answers]\nx = "7,0"\ny = 3\n',
                                        "ben.toml": '[answers]\nx = ""\n', "cat.toml": '[answers]\nx = 8\ny = 3\n'})
    key_path = str(tmp_path / "key.toml")
    data = json.loads(gt("grade", *files, "--key", key_path, "--format", "json").stdout)
    assert data["most_missed"][0] == {"question": "x", "wrong": 1, "unreadable": 2, "missing": 0, "answered": 3,
                                      "asked": 3}
    table = gt("grade", *files, "--key", key_path, env={"COLUMNS": "200"}).stdout
    assert "x (1 wrong, 2 unreadable and 0 missing of 3)" in table, table


@pytest.mark.parametrize("name, shown", [
    ("\u0336\u0336x", "\\u0336\\u0336x"), ("x\u0300\u0301\u0302", "x\u0300\u0301\\u0302"), ("\u3164", "\\u3164"),
    ("a \u0301b", "a \\u0301b"), ("\u2800Bob", "\\u2800Bob"), ("x\u034fy", "x\\u034fy"), ("\u200dA", "\\u200dA"),
    # a real name is kept as written: a mark on its letter, ZWNJ and ZWJ inside a word or an emoji
    ("Jose\u0301", "Jose\u0301"), ("ế", "ế"), ("علی\u200cرضا", "علی\u200cرضا"), ("Sam 👩\u200d💻", "Sam 👩\u200d💻"),
    ("한국어", "한국어"),
])
def test_marks_without_a_letter_and_fillers_are_shown_as_escapes_and_real_names_are_kept(name, shown):
    assert printable(name, one_line=True) == shown
