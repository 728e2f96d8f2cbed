"""Run every command the README shows, as a user would, on the install of the Python that runs this.

    .venv/bin/python tests/readme_examples.py

That Python's scripts folder (.venv/bin) comes first on the commands' PATH, as if the venv were
activated, so `gradtrace` and `python` in them are that install's.

Every line of every ```sh block (the Quickstart's two lines excepted: CI runs those itself) runs
with bash in a scratch folder that holds the small input files the commands mention (made here:
W1.npy, x.csv, answers.txt, ...) and a copy of examples/; every ```python block runs with this
Python. A command fails on a traceback, an "internal error", or an exit code other than the one
the README implies (0, unless EXPECTED_EXIT below says otherwise and why). .ci/run calls this
after the Quickstart's plain `pip install .`, before the test extras are installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Commands whose README text implies another exit code than 0.
EXPECTED_EXIT = {
    # "Check your own layer": two wrong gradients, each diagnosed; a wrong answer exits 3
    'gradtrace "sum(relu(X @ W))" -X "[[1,2],[3,-1]]" -W "[[0.5,-1],[2,1]]" --expect "W=[[4,4],[1,1]]"': 3,
    'gradtrace "sum(relu(X @ W))" -X "[[1,2],[3,-1]]" -W "[[0.5,-1],[2,1]]" --expect "W=[[1,2],[1,2]]"': 3,
    # "It exits 0 when completed and 3 when stopped early (q, or the end of the input)": run here
    # with no input, the interactive quiz stops at once.
    "gradtrace quiz --difficulty 2": 3,
    "gradtrace quiz --ask values,local,downstream": 3,
    "gradtrace quiz --seed 7 --lang ko < /dev/null": 3,  # README.ko.md: with no input, the quiz stops at once
    # "one file broken": a file that could not be graded makes grade exit 2.
    "gradtrace grade class/*.toml --key sheet/key-2.toml": 2,
    "gradtrace grade class/*.toml --key sheet/key-2.toml --format csv > gradebook.csv": 2,
}


def blocks(readme: str, language: str) -> list[tuple[str, str]]:
    """(section heading, block text) for every fenced block of one language."""
    out = []
    heading = ""
    inside: list[str] | None = None
    for line in readme.splitlines():
        if inside is None and line.startswith("#"):
            heading = line.lstrip("#").strip()
        if inside is None and line.strip() == f"```{language}":
            inside = []
        elif inside is not None and line.strip() == "```":
            out.append((heading, "\n".join(inside)))
            inside = None
        elif inside is not None:
            inside.append(line)
    return out


def commands(readme: str) -> list[str]:
    """Every command line of the sh blocks outside the Quickstart, comments dropped."""
    out = []
    for heading, text in blocks(readme, "sh"):
        if heading == "Quickstart":
            continue
        for line in text.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()  # a trailing comment explains, it doesn't run
            if command:
                out.append(command)
    return out


def make_fixtures(folder: Path) -> None:
    """The input files the README's commands name, small but the shapes they say."""
    import numpy as np

    rng = np.random.default_rng(0)
    np.save(folder / "W1.npy", rng.normal(size=(5, 4)))
    np.save(folder / "W2.npy", rng.normal(size=(3, 5)))
    np.savetxt(folder / "x.csv", rng.normal(size=4)[None, :], delimiter=",")
    np.save(folder / "X.npy", rng.normal(size=(3, 4)))
    np.save(folder / "W.npy", rng.normal(size=(4, 3)))
    np.save(folder / "x.npy", rng.normal(size=(100, 4096)))  # "x of shape (100, 4096)"
    # the conv net: two images of 3×32×32, 32 filters of 7×7 (pad 3), pooled to 16×16, 10 classes
    np.save(folder / "images.npy", rng.normal(size=(2, 3, 32, 32)))
    np.save(folder / "filters.npy", rng.normal(size=(32, 3, 7, 7)) * 0.01)
    np.save(folder / "biases.npy", np.zeros(32))
    np.save(folder / "v.npy", rng.normal(size=(2, 32, 16, 16)))
    np.save(folder / "fc.npy", rng.normal(size=(32 * 16 * 16, 10)) * 0.01)  # affine: the pooled images as rows
    np.save(folder / "fc_b.npy", np.zeros(10))
    shutil.copytree(ROOT / "examples", folder / "examples")
    (folder / "answers.txt").write_text(quiz_answers(seed=7, problems=3, difficulty=1))


def quiz_answers(seed: int, problems: int, difficulty: int) -> str:
    """The right answers, one per line, to `gradtrace quiz --seed 7 --problems 3`, as shown."""
    import random

    from gradtrace.core.numbers import fmt
    from gradtrace.teach import quiz

    rng = random.Random(seed)
    lines = [fmt(q.answer, 4) for _ in range(problems) for q in quiz.generate(rng, difficulty).questions()]
    return "\n".join(lines) + "\n"


def environment() -> dict[str, str]:
    """This process's environment with this Python's scripts (gradtrace, python) first on PATH."""
    scripts = str(Path(sys.executable).parent)  # not resolved: a venv's bin is where its scripts are
    return {**os.environ, "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])}


def run(command: str, folder: Path) -> str | None:
    """None when the command behaves as the README says, else what went wrong."""
    done = subprocess.run(["bash", "-c", command], cwd=folder, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=600, env=environment())
    expected = EXPECTED_EXIT.get(command, 0)
    output = done.stdout + done.stderr
    if "Traceback" in output or "internal error" in output:
        return f"printed a traceback or an internal error:\n{done.stderr[-2000:]}"
    if done.returncode != expected:
        return f"exit {done.returncode}, expected {expected}:\n{done.stderr[-2000:]}"
    return None


def main() -> int:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    korean = (ROOT / "README.ko.md").read_text(encoding="utf-8")
    shell = commands(readme) + commands(korean)  # and the Korean one's
    python = [text for _, text in blocks(readme, "python") + blocks(korean, "python")]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_fixtures(folder)
        for command in shell:
            problem = run(command, folder)
            print(f"readme: {'ok  ' if problem is None else 'FAIL'} $ {command}", flush=True)
            if problem is not None:
                print("  " + problem.replace("\n", "\n  "), flush=True)
            passed, failed = passed + (problem is None), failed + (problem is not None)
        for code in python:
            done = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True,
                                  timeout=300)
            ok = done.returncode == 0
            print(f"readme: {'ok  ' if ok else 'FAIL'} python block: {code.splitlines()[0]}", flush=True)
            if not ok:
                print("  " + done.stderr[-2000:].replace("\n", "\n  "), flush=True)
            passed, failed = passed + ok, failed + (not ok)
    print(f"README examples: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
