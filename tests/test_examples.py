"""Each program in examples/ runs with the command in its '# run:' line and prints its .out file."""

import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.gt"))


def run_line(path):
    for line in path.read_text().splitlines():
        if line.startswith("# run: gradtrace "):
            return shlex.split(line[len("# run: gradtrace "):])
    raise AssertionError(f"{path.name} has no '# run:' line")


def test_there_are_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_prints_its_expected_output(gt, path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = gt(*run_line(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == path.with_suffix(".out").read_text()
