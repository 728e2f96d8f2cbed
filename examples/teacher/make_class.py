"""Forty students' answers to one worksheet problem, to try `gradtrace grade` on a class.

    python make_class.py sheet/key-2.toml class/

Each student hands in a TOML file with their name and [answers]. Most are right; some make the
mistakes students make in backprop (a sign, the router's 0 for the larger input, a copy gate's
parts not added up, a rounding slip); one file is broken. A simulation, seeded: the same key gives
the same class.
"""

import random
import sys
import tomllib
from pathlib import Path

import tomli_w  # a gradtrace dependency: TOML written by a library reads back as written


def mistake(rng: random.Random, answer: str) -> str:
    """A wrong answer a student could give for this right one."""
    value = float(answer)
    kinds = [str(-value) if value else "1", str(value * 2) if value else "-1", "0" if value else "0.5",
             f"{value + 0.1:.4g}"]
    return rng.choice([k for k in kinds if float(k) != value])


def main(key_file: str, folder: str, students: int = 40) -> None:
    key = tomllib.loads(Path(key_file).read_text(encoding="utf-8"), parse_float=str)
    right = {str(name): str(value) for name, value in key["answers"].items()}
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{key_file}:{students}")
    for k in range(1, students + 1):
        answers = dict(right)
        if k % 3 == 0:  # a third of the class slips once or twice
            for name in rng.sample(sorted(answers), k=min(len(answers), rng.choice([1, 2]))):
                answers[name] = mistake(rng, answers[name])
        submission = {"student": f"Student {k:02d}", "answers": answers}
        (out / f"student-{k:02d}.toml").write_text(tomli_w.dumps(submission), encoding="utf-8")
    # One student's file is broken: an unclosed table header.
    (out / f"student-{students // 2:02d}.toml").write_text('student = "Student 20"\n[answers\nx = -4\n')
    print(f"wrote {students} submissions to {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
