"""The README's worked teacher example, end to end: a problems file, the worksheet and its key,
forty simulated students (some wrong, one file broken), `gradtrace grade`, and the CSV gradebook."""

import csv
import io
import runpy
import sys
from pathlib import Path

import needs

ROOT = Path(__file__).resolve().parent.parent
TEACHER = ROOT / "examples" / "teacher"


def test_problems_to_worksheet_to_forty_students_to_the_gradebook(gt, tmp_path, monkeypatch):
    needs.program("dot", "graphviz")
    sheet, klass = tmp_path / "sheet", tmp_path / "class"
    made = gt("quiz", "--worksheet", "--from", str(TEACHER / "problems.gt"), "--out", str(sheet))
    assert made.exit_code == 0, made.stderr
    assert {"worksheet.md", "worksheet.html", "answers.md", "key-1.toml", "key-4.toml"} <= \
        {p.name for p in sheet.iterdir()}
    monkeypatch.setattr(sys, "argv", ["make_class.py", str(sheet / "key-2.toml"), str(klass)])
    runpy.run_path(str(TEACHER / "make_class.py"), run_name="__main__")
    files = sorted(str(p) for p in klass.glob("*.toml"))
    assert len(files) == 40

    result = gt("grade", *files, "--key", str(sheet / "key-2.toml"), "--format", "csv")
    assert result.exit_code == 2  # one file could not be graded
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    students = {row["student"] for row in rows}
    assert len(students) == 40
    errors = [row for row in rows if row["verdict"] == "error"]
    assert len(errors) == 1 and "not valid TOML" in errors[0]["rule"]
    wrong = {row["student"] for row in rows if row["verdict"] == "wrong"}
    assert 5 <= len(wrong) <= 14  # a third of the class slipped, and each slip is caught
    graded = [row for row in rows if row["verdict"] in ("right", "wrong")]
    assert len(graded) == 39 * 7  # 7 answers (the 7 nodes but f) for each student whose file reads

    # The simulated mistakes are the only wrong answers: a student whose answers equal the key's passes.
    key = (sheet / "key-2.toml").read_text()
    for row in graded:
        if row["verdict"] == "wrong":
            assert f'"{row["question"]}" = "{row["answer"]}"' not in key and \
                f'{row["question"]} = "{row["answer"]}"' not in key
