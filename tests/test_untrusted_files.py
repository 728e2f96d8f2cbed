"""Untrusted and careless input to the file-writing, stdin-reading and worksheet paths (issue:
a class is untrusted input): worksheets of every allowed size, stdin in every state, folders
holding other people's files, targets that are devices or FIFOs, concurrent writers, and the
tokenizer's cost on long runs of whitespace and comments."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from gradtrace.cli import cli


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


# ---- worksheets of every size the help allows ---------------------------------------------------

SWEEP = [1, 2, 3, 7, 12, 39, 40, 41, 200]  # a sheet's first problems don't depend on its size


@pytest.mark.parametrize("difficulty", [1, 2, 3])
@pytest.mark.parametrize("seed", [0, 5, 77])
def test_worksheet_sweep_every_size_is_made(difficulty, seed):
    from gradtrace import quiz

    for count in SWEEP:
        problems = quiz.worksheet(seed, count, difficulty)
        assert len(problems) == count
        assert not [p for p in problems if quiz.flaws(p)]
        exact = [(p.program, tuple(sorted(p.bindings.items()))) for p in problems]
        assert len(set(exact)) == count  # a shape may come back once they run out, never the same problem
        if count <= 12:  # while there are shapes enough, no two share one
            assert len({quiz.shape(p) for p in problems}) == count


def test_worksheet_of_40_at_seed_5_is_written(tmp_path):
    out = tmp_path / "w"
    result = run("quiz", "--worksheet", "40", "--seed", "5", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "key-40.toml").is_file()
