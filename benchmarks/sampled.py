"""One process against one process per item (per point, per file): the per-item processes are timed
on a sample, interleaved with the single run so machine noise hits both alike, and scaled to the
whole count. Shared by bench_batch.py and bench_grade.py."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from collections.abc import Callable
from pathlib import Path


def arguments(doc: str, count: str, item: str) -> argparse.Namespace:
    """--COUNT items (1000), --sample processes timed (60), --runs (3), --json PATH."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(f"--{count}", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=60, help=f"per-{item} processes actually timed, then scaled")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="PATH", help="also write the medians and the ratio here")
    return parser.parse_args()


def gradtrace_script() -> str:
    """The gradtrace command of the Python running the benchmark."""
    return shutil.which("gradtrace") or str(Path(sys.executable).with_name("gradtrace"))


def one_against_many(one: Callable[[], float], each: list[Callable[[], float]], count: int,
                     runs: int) -> tuple[float, float]:
    """Medians over runs: one()'s seconds, and the mean of each() scaled to count items."""
    ones, manys = [], []
    for _ in range(runs):
        ones.append(one())
        manys.append(statistics.mean(run() for run in each) * count)
    return statistics.median(ones), statistics.median(manys)


def report(what: str, many: str, count: int, one_s: float, many_s: float, sampled: int,
           json_path: str | None, key: str) -> None:
    """Print the comparison, and write it as JSON when asked."""
    ratio = one_s / many_s
    print(f"{what}, {count} in one process: {one_s:.2f} s")
    print(f"{count} separate {many} processes: {many_s:.1f} s (mean of {sampled} timed, times {count})")
    print(f"ratio: {ratio:.3f}x")
    if json_path:
        Path(json_path).write_text(json.dumps({key: count, "one_process_seconds": one_s,
                                               "processes_seconds": many_s, "sampled_processes": sampled,
                                               "ratio": ratio}, indent=2) + "\n")
