"""gradtrace grade's follow-through marking and class report through the CLI: the key's credit for
a follow-through, each output (table, CSV, JSON against gradtrace/schema/grade.schema.json,
Markdown, Korean), what a submission controls made harmless in each, and array answers' diagnosis."""

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

import gradtrace

KEY = 'expression = "q = x + y; f = q * z"\nbindings = { x = -2, y = 5, z = -4 }\n'
ANSWERS = ["q.value", "f.value", "q", "x", "y", "z"]
SCHEMA = json.loads((Path(gradtrace.__file__).parent / "schema" / "grade.schema.json").read_text())

STUDENTS = {
    # a slip at ∂f/∂q carried through the add gate to x and y
    "slip.toml": 'student = "Sam"\n[answers]\n"q.value" = 3\n"f.value" = -12\nq = -5\nx = -5\ny = -5\nz = 3\n',
    # the local gradient alone at x; a mul gate not switched at z (the same number as z's value)
    "mis.toml": 'student = "Mia"\n[answers]\n"q.value" = 3\n"f.value" = -12\nq = -4\nx = 1\ny = -4\nz = -4\n',
    # a random wrong answer: nothing named
    "rand.toml": 'student = "Ray"\n[answers]\n"q.value" = 3\n"f.value" = -12\nq = -4\nx = -4\ny = -4\nz = 3.71\n',
    "right.toml": 'student = "Rue"\n[answers]\n"q.value" = 3\n"f.value" = -12\nq = -4\nx = -4\ny = -4\nz = 3\n',
    # hostile text in every place a submission controls
    "evil.toml": 'student = "=cmd|\' /C calc\'!A0 \\u001b[31m<script>|**x**"\n'
                 '[answers]\n"q.value" = 3\n"f.value" = -12\nq = -5\nx = -5\ny = -5\nz = 3\n"a|b<i>" = 1\n',
}


def classroom(folder: Path, credit: str | None = None) -> list[str]:
    key = KEY + (f"follow_through = {credit}\n" if credit is not None else "") + \
        "[answers]\n" + "".join(f'"{q}" = 0\n' for q in ANSWERS)
    (folder / "key.toml").write_text(key)
    for name, text in STUDENTS.items():
        (folder / name).write_text(text)
    return [str(folder / n) for n in STUDENTS]


def students(result) -> dict:
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    return {s["student"]: s for s in data["students"]}


@pytest.mark.parametrize("credit, earned", [(None, 5), ('"full"', 5), ('"none"', 3), ("0.5", 4)])
def test_the_key_sets_a_follow_throughs_credit(gt, tmp_path, credit, earned):
    files = classroom(tmp_path, credit)
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "json")
    assert result.exit_code == 3  # a follow-through is still a wrong answer
    sam = students(result)["Sam"]
    assert (sam["score"], sam["out_of"]) == (earned, 6)
    marks = {a["name"]: a for a in sam["answers"]}
    assert sam["slips"] == ["q"] and sam["follow_throughs"] == 2
    assert marks["x"]["follows_through"]["from"] == ["q"] and marks["q"]["follows_through"] is None
    assert marks["x"]["status"] == "wrong" and "slip at q" in marks["x"]["feedback"]


def test_a_bad_credit_is_the_keys_error(gt, tmp_path):
    files = classroom(tmp_path, '"half"')
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"))
    assert result.exit_code == 2 and "follow_through must be full, none or a fraction" in result.stderr


@pytest.mark.parametrize("field, hint", [("folow_through = 0.5", "did you mean follow_through?"),
                                         ("upstreem = 2", "did you mean upstream?"),
                                         ("tolerance = 0.1", "a key's fields are expression, bindings")])
def test_a_keys_mistyped_field_is_the_keys_error_not_ignored(gt, tmp_path, field, hint):
    # Ignored, folow_through = 0.5 would grade every follow-through at full credit, silently.
    files = classroom(tmp_path)
    key = tmp_path / "key.toml"
    key.write_text(field + "\n" + key.read_text())
    result = gt("grade", *files, "--key", str(key))
    assert result.exit_code == 2 and result.stdout == ""
    assert f"a key has no field {field.split()[0]}" in result.stderr and hint in result.stderr


def test_misconceptions_are_named_and_a_random_wrong_answer_is_not(gt, tmp_path):
    files = classroom(tmp_path)
    found = students(gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "json"))
    mia = {a["name"]: a for a in found["Mia"]["answers"]}
    assert [m["key"] for m in mia["x"]["misconceptions"]] == ["local_only"] and not mia["x"]["ambiguous"]
    assert {m["key"] for m in mia["z"]["misconceptions"]} == {"switcher_own_value", "value_as_gradient"}
    assert mia["z"]["ambiguous"] and "more than one mistake" in mia["z"]["feedback"]
    ray = {a["name"]: a for a in found["Ray"]["answers"]}
    assert ray["z"]["misconceptions"] == [] and ray["z"]["follows_through"] is None and ray["z"]["feedback"] is None
    assert all(a["misconceptions"] == [] and a["feedback"] is None for a in found["Rue"]["answers"])


def test_the_class_report_counts_each_finding_per_question(gt, tmp_path):
    files = classroom(tmp_path)
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report", "--format", "json")
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    questions = {q["question"]: q for q in report["questions"]}
    assert [e["text"] for e in questions["x"]["misconceptions"]] == \
        ["20% gave the local gradient without the upstream at x"]
    assert questions["x"]["follow_throughs"]["text"] == "40% followed through from an earlier slip at x"
    assert questions["z"]["ambiguous"] == 1 and questions["z"]["unexplained"] == 1
    assert report["summary"] == {"students": 5, "graded": 5, "slips": 5, "follow_throughs": 4, "misconceptions": 2}
    sam = next(s for s in report["students"] if s["student"] == "Sam")
    assert [(f["question"], f["kind"], f["follows_from"]) for f in sam["findings"]] == [
        ("q", "slip", []), ("x", "follows through", ["q"]), ("y", "follows through", ["q"])]

    table = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report").stdout
    assert "20% gave the local gradient without the upstream at x" in table
    assert "x = -5: follows through from q" in table

    rows = list(csv.DictReader(io.StringIO(
        gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report", "--format", "csv").stdout)))
    assert {"scope": "class", "student": "", "file": "", "question": "x", "kind": "misconception",
            "misconceptions": "local_only", "follows_from": "", "count": "1", "of": "5", "percent": "20",
            "text": "20% gave the local gradient without the upstream at x"} in rows
    assert [r["follows_from"] for r in rows if r["student"] == "Sam"] == ["", "q", "q"]

    markdown = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "markdown").stdout
    assert "- 20\\% gave the local gradient without the upstream at x" in markdown
    assert "**x \\= \\-5\\: follows through from q**" in markdown


def test_the_class_report_says_what_its_percentages_are_of(gt, tmp_path):
    # 1 of the 4 graded is 25%; the broken file is left out of the count, and the report says so.
    files = classroom(tmp_path)[:4]
    (tmp_path / "broken.toml").write_text("student = \n")
    files.append(str(tmp_path / "broken.toml"))
    table = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report", env={"COLUMNS": "200"}).stdout
    assert "Percentages are of the 4 students graded. 1 file could not be graded and is not counted: its error " \
        "is below." in table
    assert "25% gave the local gradient without the upstream at x" in table
    markdown = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "markdown").stdout
    assert "Percentages are of the 4 students graded\\. 1 file could not be graded" in markdown
    report = json.loads(gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report", "--format", "json").stdout)
    assert report["summary"]["students"] == 5 and report["summary"]["graded"] == 4
    assert {q["asked"] for q in report["questions"]} == {4}
    alone = gt("grade", files[1], "--key", str(tmp_path / "key.toml"), "--report").stdout
    assert "Percentages are of the 1 student graded." in alone and "could not be graded" not in alone
    right = gt("grade", files[3], "--key", str(tmp_path / "key.toml"), "--report").stdout
    assert "Percentages" not in right and "No misconception and no follow-through found." in right


def test_the_gradebook_names_follow_throughs_and_misconceptions(gt, tmp_path):
    files = classroom(tmp_path)
    table = gt("grade", *files, "--key", str(tmp_path / "key.toml")).stdout
    assert "x = -5 (-4) ↳ follows through from q" in " ".join(table.split())
    assert "x = 1 (-4) — gave the local gradient without the upstream" in " ".join(table.split())
    rows = list(csv.DictReader(io.StringIO(gt("grade", *files, "--key", str(tmp_path / "key.toml"),
                                              "--format", "csv").stdout)))
    sam = {r["question"]: r for r in rows if r["student"] == "Sam"}
    assert (sam["x"]["verdict"], sam["x"]["follows_from"], sam["x"]["earned"]) == ("wrong", "q", "1")
    mia = {r["question"]: r for r in rows if r["student"] == "Mia"}
    assert mia["z"]["misconceptions"] == "switcher_own_value value_as_gradient"


@pytest.mark.parametrize("args", [["--report"], ["--report", "--format", "csv"], ["--report", "--format", "json"],
                                  ["--format", "markdown"], ["--format", "csv"], ["--format", "json"], []])
def test_what_a_submission_controls_is_harmless_in_every_output(gt, tmp_path, args):
    files = classroom(tmp_path)
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"), *args)
    out = result.stdout
    assert result.exit_code == 3 and "\x1b" not in out
    if "markdown" in args:
        assert "<script>" not in out and "\\<script\\>" in out and "**x**" not in out
        assert all(line.count("|") - line.count("\\|") in (0, 8) for line in out.splitlines())
    if "csv" in args:
        for row in csv.reader(io.StringIO(out)):
            assert not any(cell[:1] in ("=", "+", "@") for cell in row)
    if "json" in args:
        json.loads(out)


def test_the_report_in_korean(gt, tmp_path):
    files = classroom(tmp_path)
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report", "--lang", "ko")
    assert result.exit_code == 3
    assert "반" in result.stdout  # the report's title and lines are Korean
    assert "gave the local gradient" not in result.stdout and "follows through" not in result.stdout


def test_report_and_csv_wide_do_not_go_together(gt, tmp_path):
    files = classroom(tmp_path)
    result = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report", "--format", "csv-wide")
    assert result.exit_code == 2 and "csv-wide" in result.stderr


ARRAY_KEY = ('expression = "h = W @ x; f = sum(h * h)"\nbindings = { W = [[1.0, 2.0], [3.0, 4.0]], x = [1.0, -1.0] }\n'
             '[answers]\n"h.value" = 0\nh = 0\nW = 0\nx = 0\n')


def test_array_answers_follow_through_and_carry_their_diagnosis(gt, tmp_path):
    (tmp_path / "key.toml").write_text(ARRAY_KEY)
    (tmp_path / "t.toml").write_text('[answers]\n"h.value" = [-1, -1]\nh = [-2, -2]\nW = [[-2, -2], [2, 2]]\n'
                                     'x = [-8, -12]\n')
    (tmp_path / "s.toml").write_text('[answers]\n"h.value" = [-1, -1]\nh = [-4, -2]\nW = [[-4, 4], [-2, 2]]\n'
                                     'x = [-10, -16]\n')
    files = [str(tmp_path / "t.toml"), str(tmp_path / "s.toml")]
    found = students(gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--format", "json"))
    t = {a["name"]: a for a in found["t"]["answers"]}
    assert [m["key"] for m in t["W"]["misconceptions"]] == ["transposed"]
    assert t["W"]["report"]["diagnosis"]["mistake"] == "transposed"
    s = {a["name"]: a for a in found["s"]["answers"]}
    assert s["W"]["follows_through"]["from"] == ["h"] and s["x"]["follows_through"]["from"] == ["h"]
    assert s["h"]["follows_through"] is None and s["h"]["report"]["diagnosis"]["mistake"] is None
    report = gt("grade", *files, "--key", str(tmp_path / "key.toml"), "--report").stdout
    assert "diagnosis: no known mistake fits" in report and "relative error" in report


def test_the_platforms_results_carry_the_feedback_and_a_follow_throughs_credit(gt, tmp_path):
    classroom(tmp_path, "0.5")
    result = gt("grade", str(tmp_path / "slip.toml"), "--key", str(tmp_path / "key.toml"), "--format", "gradescope")
    data = json.loads(result.stdout)
    tests = {t["name"]: t for t in data["tests"]}
    assert tests["x"]["score"] == 0.5 and tests["q"]["score"] == 0 and data["score"] == 4
    assert "follows through from your earlier slip at q" in tests["x"]["output"]
    assert "-4" not in tests["x"]["output"]  # never the true value
