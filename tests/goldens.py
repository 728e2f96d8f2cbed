"""The golden outputs the tests compare with, and the one command that regenerates them:

    python tests/goldens.py

Each golden is the output of one gradtrace command, run in-process at 80 columns from the
repository root (as the tests run it). Regenerate after an intended change to an output, then
read the diff before committing it.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADLINE = ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"]
SIGMOID = ["1/(1+exp(-(w0*x0+w1*x1+w2)))", "--w0", "2", "--x0", "-1", "--w1", "-3", "--x1", "-2", "--w2", "-3"]


def run_line(path: Path) -> list[str]:
    """The arguments of an example's '# run: gradtrace ...' line."""
    for line in path.read_text().splitlines():
        if line.startswith("# run: gradtrace "):
            return shlex.split(line[len("# run: gradtrace "):])
    raise AssertionError(f"{path.name} has no '# run:' line")


def goldens() -> dict[Path, list[str]]:
    """golden file -> the arguments that produce it."""
    out = {
        ROOT / "tests/golden/headline.dot": [*HEADLINE, "--dot"],
        ROOT / "tests/golden/sigmoid_neuron.dot": [*SIGMOID, "--dot"],
        ROOT / "tests/golden/headline.graph.txt": [*HEADLINE, "--graph"],
    }
    for example in ("headline", "sigmoid_neuron"):
        out[ROOT / f"tests/golden/{example}.explain.txt"] = [*run_line(ROOT / f"examples/{example}.gt"), "--explain"]
    # The lecture's numbers, as the slides print them: two decimals, both passes, both circuits.
    for example in ("sigmoid_neuron", "sigmoid_gate"):
        for which in ("backward", "forward"):
            out[ROOT / f"tests/golden/{example}.{which}.decimals2.txt"] = [
                *run_line(ROOT / f"examples/{example}.gt"), "--explain", which, "--decimals", "2"]
    for path in sorted((ROOT / "examples").glob("*.gt")):
        out[path.with_suffix(".out")] = run_line(path)
    return out


def produce(args: list[str]) -> str:
    """What gradtrace prints for these arguments, as the tests see it."""
    import os

    from click.testing import CliRunner

    from gradtrace.cli import cli

    env = {"COLUMNS": "80", "LINES": "25", "NO_COLOR": None, "FORCE_COLOR": None}
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return result.stdout


def main() -> int:
    for path, args in goldens().items():
        text = produce(args)
        old = path.read_text() if path.exists() else None
        path.write_text(text)
        print(f"{'unchanged' if old == text else 'rewrote'}: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
