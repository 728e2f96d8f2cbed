"""grade --format gradescope / prairielearn, held to each platform's documented fields (the JSON
Schemas in gradtrace/schema/, written from the platforms' own specification pages), and the
Gradescope autograder that `gradtrace autograder` makes, run on a good and a broken submission."""

import json
import os
import stat
import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
KEY = ('expression = "q = x + y; f = q * z"\nbindings = { x = -2, y = 5, z = -4 }\n'
       '[answers]\nx = 0\ny = 0\nz = 0\n"q.value" = 0\n[points]\nz = 2\n')
SUBMISSIONS = {
    "all_right.toml": 'student = "Ann"\n[answers]\nx = -4\ny = -4\nz = 3\nq.value = 3\n',
    "mixed.toml": 'student = "Ben"\n[answers]\nx = -4\ny = 4.5\nz = "three"\n',
    "broken.toml": "answers = [ not toml\n",
}


def schema(name):
    return json.loads(files("gradtrace").joinpath(f"schema/{name}-results.schema.json").read_text())


@pytest.fixture
def course(tmp_path):
    (tmp_path / "key.toml").write_text(KEY)
    for name, text in SUBMISSIONS.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def _results(gt, course, name, fmt, *more):
    result = gt("grade", "--key", str(course / "key.toml"), "--format", fmt, *more, str(course / name))
    return result, json.loads(result.stdout)


@pytest.mark.parametrize("name, code", [("all_right.toml", 0), ("mixed.toml", 3), ("broken.toml", 2)])
@pytest.mark.parametrize("fmt", ["gradescope", "prairielearn"])
def test_every_submission_gives_results_the_platforms_schema_accepts(gt, course, name, code, fmt):
    result, data = _results(gt, course, name, fmt)
    assert result.exit_code == code, result.stderr  # the exit codes of every other format
    jsonschema.validate(data, schema(fmt))


def test_gradescope_scores_each_question_with_its_points(gt, course):
    _result, data = _results(gt, course, "mixed.toml", "gradescope")
    tests = {t["name"]: t for t in data["tests"]}
    assert [t["name"] for t in data["tests"]] == ["x", "y", "z", "q.value"]
    assert (tests["x"]["score"], tests["x"]["max_score"]) == (1, 1)
    assert (tests["y"]["score"], tests["z"]["max_score"]) == (0, 2)
    assert data["score"] == 1 == sum(t["score"] for t in data["tests"])
    assert [t["tags"] for t in data["tests"]] == [["right"], ["wrong"], ["error"], ["missing"]]
    assert tests["y"]["output"] == "wrong: 4.5 (graded: rounds to 1 decimal)"
    assert "not a number" in tests["z"]["output"]
    assert tests["q.value"]["output"].startswith("missing")
    assert data["output"] == "1 of 5 points: 1 right, 1 wrong, 1 missing; 1 could not be read"
    assert {t["visibility"] for t in data["tests"]} == {"visible"} and data["stdout_visibility"] == "hidden"


def test_a_student_never_sees_the_true_value(gt, course):
    # y was answered wrong (its true value is -4) and q.value is missing (3): neither says so.
    for fmt in ("gradescope", "prairielearn"):
        _result, data = _results(gt, course, "mixed.toml", fmt)
        tests = {t["name"]: json.dumps(t, ensure_ascii=False) for t in data["tests"]}
        assert "4" not in tests["y"].replace("4.5", "")
        assert "3" not in tests["q.value"]


def test_prairielearn_scores_from_0_to_1_and_a_broken_file_is_not_gradable(gt, course):
    _result, data = _results(gt, course, "mixed.toml", "prairielearn")
    assert data["gradable"] is True and data["score"] == pytest.approx(1 / 5)
    assert [(t["name"], t["points"], t["max_points"]) for t in data["tests"]] == \
        [("x", 1, 1), ("y", 0, 1), ("z", 0, 2), ("q.value", 0, 1)]
    _result, data = _results(gt, course, "all_right.toml", "prairielearn")
    assert data["score"] == 1.0
    _result, data = _results(gt, course, "broken.toml", "prairielearn")
    assert data["gradable"] is False and "score" not in data
    assert "not valid TOML" in data["format_errors"][0]


def test_results_are_one_students(gt, course):
    result = gt("grade", "--key", str(course / "key.toml"), "--format", "gradescope",
                str(course / "all_right.toml"), str(course / "mixed.toml"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "give one submission, not 2" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt, bad", [
    ("gradescope", {"score": 1, "visibility": "public"}),                 # not one of the four visibilities
    ("gradescope", {"tests": [{"name": "x", "max_score": 1}]}),          # no score anywhere
    ("gradescope", {"score": 1, "tests": [{"score": "1"}]}),             # a score is a number
    ("gradescope", {"score": 1, "scores": []}),                          # a field the spec does not name
    ("gradescope", {"score": 1, "tests": [{"score": 1, "max_points": 1}]}),  # PrairieLearn's word
    ("prairielearn", {"score": 1.5}),                                    # out of [0, 1]
    ("prairielearn", {"gradable": True, "message": "no score"}),         # gradable needs a score
    ("prairielearn", {"message": "no score"}),                           # so does gradable left out
    ("prairielearn", {"score": 1, "tests": [{"name": "x", "points": "1"}]}),
    ("prairielearn", {"score": 1, "tests": [{"name": "x", "max_score": 1}]}),  # Gradescope's word
    ("prairielearn", {"gradable": False, "format_errors": 3}),
])
def test_the_schemas_refuse_what_the_specifications_do_not_allow(fmt, bad):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema(fmt))


@pytest.mark.parametrize("fmt, good", [
    ("gradescope", {"score": 44.0, "execution_time": 136, "output": "Text", "visibility": "after_due_date",
                    "stdout_visibility": "visible", "extra_data": {},
                    "tests": [{"score": 2.0, "max_score": 2.0, "name": "Your name here", "number": "1.1",
                               "output": "Giant multiline string", "tags": ["tag1"], "visibility": "visible",
                               "extra_data": {}}],
                    "leaderboard": [{"name": "Accuracy", "value": .926}, {"name": "Time", "value": 15.1,
                                                                          "order": "asc"}]}),
    ("gradescope", {"tests": [{"score": 1}]}),
    ("prairielearn", {"gradable": True, "score": 0.25, "message": "Tests completed successfully.",
                      "output": "Running tests...", "images": [{"label": "First Image", "url": "data:"}],
                      "tests": [{"name": "Test 1", "description": "Tests that a thing does a thing.", "points": 1,
                                 "max_points": 1, "message": "No errors!", "output": "Running test...",
                                 "images": ["data:image/png;base64,..."]}]}),
    ("prairielearn", {"gradable": False, "format_errors": "a syntax error"}),
])
def test_the_schemas_accept_the_specifications_own_examples(fmt, good):
    jsonschema.validate(good, schema(fmt))


def test_the_results_in_korean_keep_their_fields(gt, course):
    result = gt("grade", "--lang", "ko", "--key", str(course / "key.toml"), "--format", "gradescope",
                str(course / "mixed.toml"))
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema("gradescope"))
    english = json.loads(_results(gt, course, "mixed.toml", "gradescope")[0].stdout)
    assert data["output"] != english["output"] and data["score"] == english["score"]


# ---- the Gradescope autograder ------------------------------------------------------------------

def test_the_autograder_folder_has_its_files_and_executable_scripts(gt, course, tmp_path):
    out = tmp_path / "ag"
    result = gt("autograder", str(course / "key.toml"), "--out", str(out), "--precision", "3")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["key.toml", "run_autograder", "setup.sh"]
    for name in ("setup.sh", "run_autograder"):
        assert os.stat(out / name).st_mode & stat.S_IXUSR
    assert (out / "key.toml").read_text() == KEY
    setup = (out / "setup.sh").read_text()
    import gradtrace
    assert f'pip install "gradtrace=={gradtrace.__version__}"' in setup
    assert subprocess.run(["bash", "-n", str(out / "setup.sh")]).returncode == 0
    assert "'--precision', '3'" in (out / "run_autograder").read_text()


def test_the_autograder_zip_has_the_files_at_its_root_executable(gt, course, tmp_path):
    wheel = tmp_path / "gradtrace-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK not really a wheel")
    result = gt("autograder", str(course / "key.toml"), "--out", str(tmp_path / "ag.zip"), "--zip",
                "--wheel", str(wheel))
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        names = archive.namelist()
        assert sorted(names) == ["gradtrace-0.1.0-py3-none-any.whl", "key.toml", "run_autograder", "setup.sh"]
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111 and not modes["key.toml"] & 0o111
    assert "pip install /autograder/source/gradtrace-0.1.0-py3-none-any.whl" in setup


@pytest.mark.parametrize("args, message", [
    (["--tol", "lots"], "is not a tolerance"),
    (["--wheel", "{wheel}"], "not a gradtrace wheel"),
])
def test_a_bad_option_writes_nothing(gt, course, tmp_path, args, message):
    other = tmp_path / "numpy-2.0-py3-none-any.whl"
    other.write_bytes(b"")
    args = [a.format(wheel=other) for a in args]
    result = gt("autograder", str(course / "key.toml"), "--out", str(tmp_path / "ag"), *args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "ag").exists()


def test_a_broken_key_writes_no_autograder(gt, course, tmp_path):
    (course / "bad.toml").write_text('expression = "x*"\nbindings = { x = 1 }\n')
    result = gt("autograder", str(course / "bad.toml"), "--out", str(tmp_path / "ag"))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "ag").exists()


def test_a_version_that_is_not_on_pypi_needs_a_wheel(gt, course, tmp_path, monkeypatch):
    import gradtrace
    monkeypatch.setattr(gradtrace, "_version", lambda: "0+unknown")
    result = gt("autograder", str(course / "key.toml"), "--out", str(tmp_path / "ag"))
    assert result.exit_code == 2 and "--wheel" in result.stderr


def _run_autograder(folder, root, python=sys.executable):
    env = {**os.environ, "GRADTRACE_AUTOGRADER_ROOT": str(root), "GRADTRACE_AUTOGRADER_SOURCE": str(folder),
           "GRADTRACE_PYTHON": python, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([str(folder / "run_autograder")], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr  # Gradescope reads a failing run_autograder as a broken autograder
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, schema("gradescope"))
    return data


@pytest.mark.slow
def test_run_autograder_grades_a_good_submission_and_explains_a_bad_one(gt, course, tmp_path):
    folder = tmp_path / "source"
    assert gt("autograder", str(course / "key.toml"), "--out", str(folder)).exit_code == 0
    root = tmp_path / "autograder"
    submission = root / "submission"
    submission.mkdir(parents=True)
    (submission / "answers.toml").write_text(SUBMISSIONS["mixed.toml"])
    data = _run_autograder(folder, root)
    assert data["score"] == 1 and [t["score"] for t in data["tests"]] == [1, 0, 0, 0]

    (submission / "answers.toml").write_text(SUBMISSIONS["all_right.toml"])
    assert _run_autograder(folder, root)["score"] == 5

    (submission / "answers.toml").write_text(SUBMISSIONS["broken.toml"])
    data = _run_autograder(folder, root)
    assert data["score"] == 0 and "not valid TOML" in data["output"]

    (submission / "answers.toml").unlink()
    (submission / "README.txt").write_text("hello")
    data = _run_autograder(folder, root)
    assert data["score"] == 0 and "No answers file" in data["output"]

    (submission / "a.toml").write_text(SUBMISSIONS["all_right.toml"])
    (submission / "b.json").write_text("{}")
    data = _run_autograder(folder, root)
    assert data["score"] == 0 and "the submission has 2" in data["output"]

    (submission / "b.json").unlink()
    data = _run_autograder(folder, root, python=str(tmp_path / "no-python"))
    assert data["score"] == 0 and "could not be graded" in data["output"]
