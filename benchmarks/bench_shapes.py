"""Benchmark (d): program shapes of the same size, each against micrograd, whole processes.

The sum of distinct products (bench_scale.py) is one shape of many. Here each shape is written
as gradtrace text (read from a file, traced, the full JSON trace written) and as micrograd code
building the same graph (backward, then every gradient written), both at n = 10^5 statements or
terms, interleaved run by run:

  chain       h_i = relu(w*h_{i-1} + b), named statements, a deep chain
  fanout      sum of x_{i%10}*y: few variables, heavy fan-out
  mixed       relu, mul, square and div over fan-out
  distinct    sum of x_i*y: 10^5 distinct variables (bench_scale.py's shape)
  nested      relu(relu(...relu(x)...)): deep nesting of unary gates
  array       sum(relu(w*x + b)) over arrays of n elements (micrograd: n scalar Values)

micrograd's recursive topological sort runs in a thread with a large stack. Target: at most
1.0x micrograd's time and memory on every shape.

--growth instead times gradtrace alone on each shape at n and 10n (10^5 and 10^6 statements or
terms), the two sizes alternating run by run, medians of --runs each. Target: the 10n run within
12x the n run, so time grows no faster than the program (a little slack for the larger heap).

--gradients-only has gradtrace write what micrograd writes, the value and the gradients (one
point of --vars points.jsonl), instead of the whole trace: not what the target is about, but it
shows how much of gradtrace's time writing the trace takes.

    python benchmarks/bench_shapes.py [--n 100000] [--runs 3] [--shapes chain fanout ...] [--growth]
                                      [--gradients-only]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_scale import run

PEER = r'''
import json, sys, threading
sys.setrecursionlimit(10 ** 8)
threading.stack_size(1 << 29)
from micrograd.engine import Value

failed = []


def main():
    try:
        trace()
    except BaseException as exc:  # a thread's error must fail the process, not vanish
        failed.append(exc)
        raise


def trace():
    values = json.load(open(sys.argv[1]))
    V = {k: (Value(v) if not isinstance(v, list) else [Value(e) for e in v]) for k, v in values.items()}
    n = int(sys.argv[3])
    out = BUILD
    out.backward()
    grads = {k: (v.grad if not isinstance(v, list) else [e.grad for e in v]) for k, v in V.items()}
    json.dump({"value": out.data, "gradients": grads}, open(sys.argv[2], "w"))

t = threading.Thread(target=main)
t.start()
t.join()
sys.exit(1 if failed else 0)
'''


def _chain(n, rng):
    lines = ["h0 = x"] + [f"h{i} = relu(w*h{i - 1} + b)" for i in range(1, n + 1)]
    build = "(lambda: [h := V['x']] and [h := (V['w'] * h + V['b']).relu() for _ in range(n)] and h)()"
    return "\n".join(lines), {"x": 0.9, "w": 1.0, "b": 1e-6}, build


def _fanout(n, rng):
    program = " + ".join(f"x{i % 10}*y" for i in range(n))
    values = {f"x{k}": round(rng.uniform(-1, 1), 3) for k in range(10)} | {"y": 0.5}
    build = "sum((V[f'x{i % 10}'] * V['y'] for i in range(1, n)), V['x0'] * V['y'])"
    return program, values, build


def _mixed(n, rng):
    def term(i):
        a, b = f"x{i % 10}", f"x{(i + 3) % 10}"
        return [f"relu({a}*y)", f"{a}*{b}", f"square({a})", f"{a}/{b}"][i % 4]

    program = " + ".join(term(i) for i in range(n))
    values = {f"x{k}": round(rng.uniform(0.5, 1.5), 3) for k in range(10)} | {"y": 0.5}
    # Built term by term, as the text is: the same n gates over the same fan-out.
    a, b = "V[f'x{i % 10}']", "V[f'x{(i + 3) % 10}']"
    build = (f"sum((({a}*V['y']).relu() if i % 4 == 0 else {a}*{b} if i % 4 == 1 else {a}**2 if i % 4 == 2 "
             f"else {a}*{b}**-1 for i in range(1, n)), (V['x0']*V['y']).relu())")
    return program, values, build


def _distinct(n, rng):
    program = " + ".join(f"x{i}*y" for i in range(n))
    values = {f"x{i}": round(rng.uniform(-1, 1), 3) for i in range(n)} | {"y": 0.5}
    build = "sum((V[f'x{i}'] * V['y'] for i in range(1, n)), V['x0'] * V['y'])"
    return program, values, build


def _nested(n, rng):
    program = "relu(" * n + "x" + ")" * n  # micrograd's Value has relu, not tanh or exp
    build = "(lambda: [h := V['x']] and [h := h.relu() for _ in range(n)] and h)()"
    return program, {"x": 0.5}, build


def _array(n, rng):
    program = "sum(relu(w*x + b))"
    values = {"w": [round(rng.uniform(-1, 1), 3) for _ in range(n)], "x": [round(rng.uniform(-1, 1), 3)
                                                                        for _ in range(n)], "b": 0.1}
    build = "sum(((wi * xi + V['b']).relu() for wi, xi in zip(V['w'], V['x'])), Value(0.0))"
    return program, values, build


SHAPES = {"chain": _chain, "fanout": _fanout, "mixed": _mixed, "distinct": _distinct, "nested": _nested,
          "array": _array}


def _close(a, b) -> bool:
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def write(shape: str, n: int, folder: Path) -> None:
    program_text, values, build = SHAPES[shape](n, random.Random(n))
    (folder / f"{shape}.gt").write_text(program_text)
    (folder / f"{shape}.json").write_text(json.dumps(values))
    (folder / f"{shape}.jsonl").write_text(json.dumps(values) + "\n")  # one point, for --gradients-only
    (folder / f"peer_{shape}.py").write_text(PEER.replace("BUILD", build))


def _gradtrace(folder: Path, shape: str, gradients_only: bool = False) -> list[str]:
    program = [sys.executable, "-m", "gradtrace", "--file", str(folder / f"{shape}.gt"), "--vars"]
    if gradients_only:  # a batch of one point: {"point": 1, "bindings", "value", "gradients"}
        return [*program, str(folder / f"{shape}.jsonl")]
    return [*program, str(folder / f"{shape}.json"), "--json"]


def growth(args: argparse.Namespace) -> int:
    """Each shape at n and 10n, gradtrace alone: how its time grows with the program."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes:
            folders = []
            for n in (args.n, 10 * args.n):
                folders.append(Path(tmp) / str(n))
                folders[-1].mkdir(exist_ok=True)
                subprocess.run([sys.executable, __file__, "--write", shape, str(n), str(folders[-1])], check=True)
            # n and 10n alternate, run by run, so that a slow spell of the shared machine falls on both
            times: list[list[float]] = [[], []]
            for _ in range(args.runs):
                for size, folder in enumerate(folders):
                    times[size].append(run(_gradtrace(folder, shape), folder / "gradtrace.json")[0])
            for folder in folders:
                (folder / "gradtrace.json").unlink()
            seconds = [statistics.median(t) for t in times]
            ratio = seconds[1] / seconds[0]
            results[shape] = {"n": args.n, "seconds": seconds, "ratio": ratio}
            print(f"{shape:9s} n {seconds[0]:6.2f} s   10n {seconds[1]:7.2f} s   {ratio:5.2f}x  "
                  f"-> {'OK' if ratio <= 12 else 'MISSED'} (target <= 12x)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results))
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--write"]:
        write(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
        return 0
    if sys.argv[1:2] == ["--compare"]:
        ours = json.loads(Path(sys.argv[2]).read_text())["gradients"]
        theirs = json.loads(Path(sys.argv[3]).read_text())["gradients"]
        bad = [k for k in theirs if k not in ours or not _close(ours[k], theirs[k])]
        if bad:
            print(f"different gradients: {bad[:3]}", file=sys.stderr)
        return 1 if bad else 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--json", metavar="PATH", help="also write every median here")
    parser.add_argument("--growth", action="store_true", help="gradtrace alone at n and 10n: the time ratio")
    parser.add_argument("--gradients-only", action="store_true",
                        help="gradtrace writes only the value and gradients, as micrograd does")
    args = parser.parse_args()
    if args.growth:
        return growth(args)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for shape in args.shapes:
            # The inputs are written by a child process: Linux starts a child's peak-memory count at
            # its parent's size, so this process must stay small for the measurements to be fair.
            subprocess.run([sys.executable, __file__, "--write", shape, str(args.n), str(folder)], check=True)
            bindings = folder / f"{shape}.json"
            peer = folder / f"peer_{shape}.py"
            commands = {
                "gradtrace": (_gradtrace(folder, shape, args.gradients_only), folder / "gradtrace.json"),
                "micrograd": ([sys.executable, str(peer), str(bindings), str(folder / "micrograd.json"),
                               str(args.n)], None),
            }
            samples = {name: [] for name in commands}
            for _ in range(args.runs):
                for name, (cmd, out) in commands.items():
                    for old in folder.glob(f"{name}.json"):
                        old.unlink()  # a run that writes nothing must not be compared with the last shape's
                    samples[name].append(run(cmd, out))
            # Compared in a child too: the parsed JSON trace is large (see write()).
            same = subprocess.run([sys.executable, __file__, "--compare", str(folder / "gradtrace.json"),
                                   str(folder / "micrograd.json")])
            if same.returncode != 0:
                raise SystemExit(f"{shape}: gradtrace and micrograd disagree")
            medians = {name: (statistics.median(t for t, _ in s), statistics.median(m for _, m in s))
                       for name, s in samples.items()}
            results[shape] = medians
            (t, m), (pt, pm) = medians["gradtrace"], medians["micrograd"]
            verdict = "OK" if t <= pt and m <= pm else "MISSED"
            if args.gradients_only:
                verdict = "(gradients only: the target is about the whole trace)"
            print(f"{shape:9s} gradtrace {t:6.2f} s {m:6.0f} MiB   micrograd {pt:6.2f} s {pm:6.0f} MiB   "
                  f"time {t / pt:.2f}x  memory {m / pm:.2f}x  -> {verdict}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({s: {name: {"seconds": t, "mib": m} for name, (t, m) in r.items()}
                                               for s, r in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
