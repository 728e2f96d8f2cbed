"""Benchmark (d): grading a class. `gradtrace grade` on N submission files in one process, against
one `gradtrace --answers FILE` process per file, which is what a teacher scripted before.

The submissions are the README's teacher example: a worksheet of the lecture's circuits, each
student answering one of its problems (the problem and bindings in the file). The per-file
processes are timed on a sample of them, interleaved with the grade runs so machine noise hits
both alike, and scaled to N; the ratio is grade's time over the N processes' time.

    python benchmarks/bench_grade.py [--files 1000] [--sample 60] [--runs 3]
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sampled import arguments, gradtrace_script, one_against_many, report

PROBLEMS = [
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}),
    ("a = x * y; m = max(z, w); s = a + m; f = 2 * s", {"x": 3, "y": -4, "z": 2, "w": -1}),
    ("f = x * y + x", {"x": 3, "y": -2}),
    ("f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}),
]


def write_class(folder: Path, files: int) -> list[Path]:
    """files submissions, each with its problem, bindings and every gradient answered (some wrong)."""
    import gradtrace
    from gradtrace.core.numbers import fmt

    rng = random.Random(0)
    keys = []
    for expression, bindings in PROBLEMS:
        trace = gradtrace.trace(expression, **bindings)
        keys.append({row.name: fmt(row.upstream) for row in trace.nodes if row.name != trace.output})
    paths = []
    for k in range(files):
        expression, bindings = PROBLEMS[k % len(PROBLEMS)]
        answers = dict(keys[k % len(PROBLEMS)])
        if rng.random() < 0.3:
            name = rng.choice(sorted(answers))
            answers[name] = str(-float(answers[name]) or 1)
        at = ", ".join(f"{name} = {value}" for name, value in bindings.items())
        lines = [f'student = "Student {k:04d}"', f'expression = "{expression}"', f"bindings = {{ {at} }}",
                 "[answers]", *(f'"{name}" = "{value}"' for name, value in answers.items())]
        path = folder / f"student-{k:04d}.toml"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3):  # 3: some answers are wrong, as they are meant to be
        raise SystemExit(f"{cmd[:3]}… exited {done.returncode}")
    return elapsed


def one_process_per_file(script: str, path: Path) -> list[str]:
    """The command a script ran per student before `grade`: the problem and bindings from the file."""
    import tomllib

    data = tomllib.loads(path.read_text())
    bindings = [arg for name, value in data["bindings"].items() for arg in (f"-{name}", str(value))]
    answers = path.with_suffix(".answers.toml")
    if not answers.exists():
        answers.write_text("\n".join(f'"{k}" = "{v}"' for k, v in data["answers"].items()) + "\n")
    return [script, data["expression"], *bindings, "--answers", str(answers)]


def main() -> int:
    args = arguments(__doc__, "files", "file")
    script = gradtrace_script()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_class(folder, args.files)
        grade_cmd = [script, "grade", *map(str, paths), "--format", "csv"]
        sample = random.Random(1).sample(paths, min(args.sample, len(paths)))
        per_file = [one_process_per_file(script, p) for p in sample]
        timed(grade_cmd)  # warm the file cache
        per_file_timers = [lambda cmd=cmd: timed(cmd) for cmd in per_file]
        grade_s, processes_s = one_against_many(lambda: timed(grade_cmd), per_file_timers, args.files, args.runs)
    report("grade: files", "gradtrace --answers", args.files, grade_s, processes_s, len(per_file), args.json, "files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
