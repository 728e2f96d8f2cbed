"""Each program in examples/ runs with the command in its '# run:' line and prints its .out file."""

from pathlib import Path

import pytest
from goldens import run_line  # python tests/goldens.py regenerates the .out files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.gt"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_prints_its_expected_output(gt, path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = gt(*run_line(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == path.with_suffix(".out").read_text()
