"""Benchmark (a): the headline command against a bare click+rich script printing a 3-row table.

All run as whole processes, interleaved in one run so machine noise hits them alike.
Targets (ratios of medians): the headline's table at most 1.0x the bare script, and the same
command with --json at most 0.7x (a script's call imports no terminal rendering).

    python benchmarks/bench_headline.py [--runs 40]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = '''
import click
from rich.console import Console
from rich.table import Table

@click.command()
def main():
    table = Table()
    for name in ("node", "value", "gradient"):
        table.add_column(name)
    for row in (("x", "-2", "-4"), ("y", "5", "-4"), ("z", "-4", "3")):
        table.add_row(*row)
    Console().print(table)

main()
'''

HEADLINE = ["(x+y)*z", "-x", "-2", "-y", "5", "-z", "-4"]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--json", metavar="PATH", help="also write the medians and the ratio here")
    args = parser.parse_args()
    script = shutil.which("gradtrace") or str(Path(sys.executable).with_name("gradtrace"))
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE)
        commands = {"gradtrace headline": [script, *HEADLINE], "gradtrace --json": [script, *HEADLINE, "--json"],
                    "bare click+rich": [sys.executable, str(bare)]}
        for cmd in commands.values():  # warm the file cache
            timed(cmd)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(timed(cmd))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    for name, m in medians.items():
        print(f"{name:20s} median {m * 1000:7.1f} ms   min {min(times[name]) * 1000:7.1f} ms")
    ratio = medians["gradtrace headline"] / medians["bare click+rich"]
    json_ratio = medians["gradtrace --json"] / medians["bare click+rich"]
    print(f"ratio headline / bare: {ratio:.2f}x (target <= 1.0x) -> {'OK' if ratio <= 1.0 else 'MISSED'}")
    print(f"ratio --json / bare: {json_ratio:.2f}x (target <= 0.7x) -> {'OK' if json_ratio <= 0.7 else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"medians": medians, "ratio": ratio, "json_ratio": json_ratio,
                                               "target": 1.0, "json_target": 0.7, "runs": args.runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
