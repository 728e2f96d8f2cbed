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


# ---- standard input in every state ----------------------------------------------------------------

STDIN_COMMANDS = [
    ["--file", "-", "-x", "1"],
    ["x", "--vars", "-"],
    ["x", "-x", "1", "--answers", "-"],
    ["quiz", "--worksheet", "--from", "-", "--out", "sheet"],
    ["quiz", "--seed", "1"],
]


def _gradtrace(args: list[str], tmp_path, **kwargs):
    import os
    import subprocess
    import sys

    env = {**os.environ, "GRADTRACE_DEBUG": ""}
    return subprocess.run([sys.executable, "-m", "gradtrace", *args], cwd=tmp_path, capture_output=True,
                          env=env, timeout=60, **kwargs)


def _close_stdin() -> None:
    import os

    os.close(0)


@pytest.mark.parametrize("args", STDIN_COMMANDS, ids=lambda a: " ".join(a))
def test_closed_stdin_is_a_clear_error(args, tmp_path):
    done = _gradtrace(args, tmp_path, stdin=None, preexec_fn=_close_stdin)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "standard input is closed" in err
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize("args", STDIN_COMMANDS[:4], ids=lambda a: " ".join(a))
def test_stdin_that_is_not_utf8_is_a_clear_error(args, tmp_path):
    done = _gradtrace(args, tmp_path, input=b"x + \xff\xfe\n")
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "not a UTF-8 text file" in err
    assert "internal error" not in err and "\\udc" not in err


@pytest.mark.parametrize("args", STDIN_COMMANDS, ids=lambda a: " ".join(a))
def test_empty_stdin_never_crashes(args, tmp_path):
    import subprocess

    done = _gradtrace(args, tmp_path, stdin=subprocess.DEVNULL)
    err = done.stderr.decode()
    assert done.returncode in (2, 3), err  # nothing to read: a usage error, or a quiz stopped early
    assert "internal error" not in err and "Traceback" not in err
