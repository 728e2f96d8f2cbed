"""--vars POINTS.jsonl (issue: a class is untrusted input): every line of the file gets its own
result or its own error, numbered by its line in the file, and the exit code is the worst."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gradtrace.cli import cli

GOOD = '{"x": 2, "y": 3}'
# A bad line of each kind, with the kind of error its point gets and that error's exit code.
BAD = [
    ('{"x": 2, "y": ', "binding error", 2),           # cut off
    ('{"x": NaN, "y": 1}', "binding error", 2),       # not a number JSON allows
    ('{"x": 1, "x": 2, "y": 1}', "binding error", 2),  # a key twice
    ('[1, 2]', "binding error", 2),                    # not an object
    ('{"x": "oops", "y": 1}', "binding error", 2),     # not a value
    ('{"x": 1e999, "y": 1}', "binding error", 2),      # infinite
    ('{"x": 0, "y": 1}', None, 0),                     # fine: 1/x is not evaluated here
    ('\x00\x01', "binding error", 2),                  # noise
]


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def _lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("bad,kind,code", BAD, ids=[b[0][:12] for b in BAD])
def test_one_bad_line_loses_only_its_own_result(tmp_path, bad, kind, code):
    points = tmp_path / "points.jsonl"
    points.write_text("\n".join([GOOD, bad, GOOD]) + "\n")
    result = run("x*y", "--vars", str(points))
    lines = _lines(result)
    assert [line["point"] for line in lines] == [1, 2, 3]
    assert lines[0]["value"] == 6.0 and lines[2]["value"] == 6.0
    if kind is None:
        assert "error" not in lines[1]
    else:
        assert lines[1]["error"]["kind"] == kind and lines[1]["error"]["exit_code"] == code
        assert "line 2" in lines[1]["error"]["message"]
    assert result.exit_code == code
    assert "internal error" not in result.output


def test_lines_are_numbered_as_the_file_numbers_them(tmp_path):
    points = tmp_path / "points.jsonl"
    points.write_text(f"\n{GOOD}\n   \n\n{{\"x\": 1}}\n{GOOD}\n")
    result = run("x*y", "--vars", str(points))
    lines = _lines(result)
    assert [line["point"] for line in lines] == [2, 5, 6]  # blank lines have no point, and keep their numbers
    assert "line 5" in lines[1]["error"]["message"] and "y" in lines[1]["error"]["message"]
    assert result.exit_code == 2


def test_a_first_line_that_is_bad_still_makes_a_batch(tmp_path):
    result = run("x*y", "--vars", "-", input='{"x": oops}\n' + GOOD + "\n" + GOOD + "\n")
    lines = _lines(result)
    assert [line["point"] for line in lines] == [1, 2, 3]
    assert "error" in lines[0] and lines[1]["value"] == 6.0
    assert result.exit_code == 2


def test_the_worst_exit_code_wins(tmp_path):
    points = tmp_path / "points.jsonl"
    # a wrong answer (3), a point that can't be evaluated (1): 1 outranks 3
    points.write_text('{"x": 2, "y": 3}\n{"x": 0, "y": 3}\n')
    result = run("y/x", "--vars", str(points), "--expect", "y=1")
    assert [("error" in line) for line in _lines(result)] == [False, True]
    assert result.exit_code == 1


@pytest.mark.parametrize("seed", range(20))
def test_random_lines_each_get_a_line(tmp_path, seed):
    import random

    rng = random.Random(seed)
    texts = [GOOD, "", "  ", *(b[0] for b in BAD)]
    chosen = [rng.choice(texts) for _ in range(rng.randint(2, 12))]
    if not any(t.strip() for t in chosen):
        chosen.append(GOOD)
    points = tmp_path / "points.jsonl"
    points.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    result = run("x*y", "--vars", str(points))
    assert "internal error" not in result.output
    expected = [k for k, t in enumerate(chosen, 1) if t.strip()]
    assert [line["point"] for line in _lines(result)] == expected
    codes = {line["error"]["exit_code"] if "error" in line else 0 for line in _lines(result)}
    assert result.exit_code == next((c for c in (2, 1, 3) if c in codes), 0)


def test_a_line_that_is_not_utf8_is_its_own_error(tmp_path):
    """Bytes that are not UTF-8 on one line lose that line's result only; the others are traced."""
    import json
    import subprocess
    import sys

    points = tmp_path / "p.jsonl"
    points.write_bytes(b'{"x": 1, "y": 2}\n{"x": 3, "y": \xff}\n\n{"x": 2, "y": 2}\n')
    done = subprocess.run([sys.executable, "-m", "gradtrace", "x*y", "--vars", str(points)], capture_output=True)
    lines = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [line["point"] for line in lines] == [1, 2, 4]
    assert lines[0]["value"] == 2.0 and lines[2]["value"] == 4.0
    assert "line 2: the line is not UTF-8 text" in lines[1]["error"]["message"]
    assert done.returncode == 2
