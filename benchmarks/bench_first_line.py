"""Benchmark (i): how soon long work shows something. For a 10^5-term program (the sum of x_i*y,
bench_scale's), the time to the first line of --format csv, --format ndjson and the --full table
read through a pipe, against the time to the whole output of the same command, measured side by
side, interleaved; and when the reader stops after the first line (| head -1), the time for the
process to end. For a 10^6-term program, the time to the first frame of the progress display on a
terminal's stderr (a pseudo-terminal here).

    python benchmarks/bench_first_line.py [--n 100000] [--progress-n 1000000] [--runs 3] [--formats csv ...]
                                          [--json FILE] [--peer PYTHON]

--peer PYTHON also times the first line under another install (another interpreter whose
gradtrace is, say, the previous release), run by run alternating with this one, and reports each
format's median ratio of the pairs: the measure that holds on a shared machine, where absolute
times move by a fifth between runs. Run it outside a checkout, so that -m gradtrace imports the
installs, not the sources.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import write_inputs

FORMATS = {"csv": ["--format", "csv"], "ndjson": ["--format", "ndjson"], "table --full": ["--full"]}


def first_line(cmd: list[str], stop: bool) -> tuple[float, float]:
    """(seconds to the first line on stdout, seconds to the end of the process). stop: the reader
    goes away after the first line, as head -1 does; else it reads everything."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    proc.stdout.readline()
    first = time.perf_counter() - start
    if stop:
        proc.stdout.close()
    else:
        while proc.stdout.read(1 << 16):
            pass
    code = proc.wait()
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}")
    return first, time.perf_counter() - start


def first_frame(cmd: list[str], limit: float = 300.0) -> float:
    """Seconds until the first byte on a pseudo-terminal that is the process's stderr (stdout goes
    to /dev/null); the process is ended then, since only the start is measured."""
    leader, follower = pty.openpty()
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, stdout=null, stderr=follower, env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    try:
        while time.perf_counter() - start < limit:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready and os.read(leader, 1024):
                return time.perf_counter() - start
            if proc.poll() is not None:
                raise SystemExit(f"ended ({proc.returncode}) before any progress was shown: {' '.join(cmd)}")
        raise SystemExit(f"no progress in {limit:.0f} s")
    finally:
        proc.kill()
        proc.wait()
        os.close(leader)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--progress-n", type=int, default=1_000_000, help="0: no progress measurement")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", choices=list(FORMATS), default=list(FORMATS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--peer", metavar="PYTHON", help="another install's interpreter, timed in pairs with this one")
    args = parser.parse_args()
    results: dict = {"n": args.n, "formats": {}}
    if args.peer:
        return _paired(args, results)
    with tempfile.TemporaryDirectory() as tmp:
        program, bindings = write_inputs(Path(tmp), args.n)
        base = [sys.executable, "-m", "gradtrace", "--file", str(program), "--vars", str(bindings)]
        times: dict[str, dict[str, list[float]]] = {f: {"first": [], "whole": [], "head": []} for f in args.formats}
        for _ in range(args.runs):  # interleaved, so that machine noise hits every contender alike
            for name in args.formats:
                flags = FORMATS[name]
                first, whole = first_line(base + flags, stop=False)
                times[name]["first"].append(first)
                times[name]["whole"].append(whole)
                times[name]["head"].append(first_line(base + flags, stop=True)[1])
        print(f"n = {args.n:,} terms, medians of {args.runs} runs (s)")
        print(f"  {'format':14s} {'first line':>10s} {'whole output':>13s} {'| head -1 ends':>15s}")
        for name, t in times.items():
            entry = {key: statistics.median(values) for key, values in t.items()}
            entry["ratio"] = entry["first"] / entry["whole"]
            results["formats"][name] = entry
            print(f"  {name:14s} {entry['first']:10.2f} {entry['whole']:13.2f} {entry['head']:15.2f}")
        if args.progress_n:
            program, bindings = write_inputs(Path(tmp), args.progress_n)
            cmd = [sys.executable, "-m", "gradtrace", "--file", str(program), "--vars", str(bindings),
                   "--format", "csv"]
            frames = [first_frame(cmd) for _ in range(args.runs)]
            results["progress"] = {"n": args.progress_n, "first_frame": statistics.median(frames)}
            print(f"n = {args.progress_n:,} terms: the first progress frame after {statistics.median(frames):.2f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def _paired(args: argparse.Namespace, results: dict) -> int:
    """The first line under this interpreter and under the peer, alternating run by run."""
    with tempfile.TemporaryDirectory() as tmp:
        program, bindings = write_inputs(Path(tmp), args.n)
        pythons = {"this": sys.executable, "peer": args.peer}
        times: dict[tuple[str, str], list[float]] = {(who, f): [] for who in pythons for f in args.formats}
        for _ in range(args.runs):
            for name in args.formats:
                for who, python in pythons.items():
                    cmd = [python, "-m", "gradtrace", "--file", str(program), "--vars", str(bindings), *FORMATS[name]]
                    times[who, name].append(first_line(cmd, stop=True)[0])
    print(f"n = {args.n:,} terms, first line, {args.runs} pairs (s)")
    print(f"  {'format':14s} {'this':>8s} {'peer':>8s} {'this/peer':>10s}")
    for name in args.formats:
        this, peer = times["this", name], times["peer", name]
        ratio = statistics.median(a / b for a, b in zip(this, peer))
        results["formats"][name] = {"this": statistics.median(this), "peer": statistics.median(peer), "ratio": ratio}
        print(f"  {name:14s} {statistics.median(this):8.3f} {statistics.median(peer):8.3f} {ratio:10.3f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
