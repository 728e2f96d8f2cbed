"""Benchmark (e): a sweep. One program traced at N binding sets in one process
(`--vars points.jsonl`, one JSON line per point) against one `gradtrace --json` process per point,
which is what a script did before batches.

The program is the lecture's sigmoid neuron, swept over random points. The per-point processes
are timed on a sample, interleaved with the batch runs so machine noise hits both alike, and
scaled to N; every sampled point's gradients must agree between the two before any time counts.

    python benchmarks/bench_batch.py [--points 1000] [--sample 60] [--runs 3]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sampled import arguments, gradtrace_script, one_against_many, report

PROGRAM = "f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))"
NAMES = ("w0", "x0", "w1", "x1", "w2")


def timed(cmd: list[str], stdin: Path | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    with open(stdin or "/dev/null", "rb") as source:
        done = subprocess.run(cmd, stdin=source, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]}… exited {done.returncode}: {done.stderr[-500:]}")
    return elapsed, done.stdout


def main() -> int:
    args = arguments(__doc__, "points", "point")
    script = gradtrace_script()
    rng = random.Random(0)
    points = [{name: round(rng.uniform(-3, 3), 3) for name in NAMES} for _ in range(args.points)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.jsonl"
        path.write_text("".join(json.dumps(p) + "\n" for p in points))
        batch_cmd = [script, PROGRAM, "--vars", str(path), "--json"]
        sample = random.Random(1).sample(range(args.points), min(args.sample, args.points))
        per_point = [[script, PROGRAM, *(a for name in NAMES for a in (f"--{name}", str(points[i][name]))), "--json"]
                     for i in sample]
        _, out = timed(batch_cmd)  # warm the file cache, and check the answers
        lines = out.splitlines()
        assert len(lines) == args.points, (len(lines), args.points)
        for i, cmd in zip(sample[:5], per_point[:5]):
            single = json.loads(timed(cmd)[1])["gradients"]
            batched = json.loads(lines[i])["gradients"]
            assert single == batched, (i, single, batched)
        batch_s, processes_s = one_against_many(lambda: timed(batch_cmd)[0],
                                                [lambda cmd=cmd: timed(cmd)[0] for cmd in per_point],
                                                args.points, args.runs)
    report("batch: points", "gradtrace --json", args.points, batch_s, processes_s, len(per_point), args.json,
           "points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
