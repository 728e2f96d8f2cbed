"""One process against one process per item (per point, per file): the per-item processes are timed
on a sample, interleaved with the single run so machine noise hits both alike, and scaled to the
whole count. Shared by bench_batch.py and bench_grade.py."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path


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
