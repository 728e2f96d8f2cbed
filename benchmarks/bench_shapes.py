"""Benchmark (f): program families at 10^5, each spelled several ways, against micrograd, whole processes.

Issue 32 asks that the same graph cost the same whatever its spelling, and at most 1.25x
micrograd (aim: 1.0x) on every family. Each family (families.py) is written as gradtrace text
(read from a file, traced, the full JSON trace written) and as micrograd code building the same
graph from Python (backward(), then every gradient written), at n = 10^5 statements, terms or
nesting levels, all interleaved run by run so that machine noise hits every contender alike:

  chain       h_i = relu(w*h_{i-1} + b), h_{i-1} - b*sigmoid(h_{i-1}), h_{i-1} + b*h_{i-1}**2, h_{i-1} - b
  sum         x_i*y, sigmoid(x_i), x_i**2, added and subtracted: 10^5 distinct variables
  fanout      the same terms over x_{i%10}: few variables, heavy fan-out
  mixed       relu(a*y), a*b, a**2, a/b, sigmoid(b), relu(a - b) over fan-out
  deep        relu(relu(...x * 1.0001 + 0.001...) * 0.9999 - 0.001*sigmoid(c)): nesting with binary
              operations inside, 10^5 levels (micrograd's graph built by a loop; its recursive
              backward() runs with a raised recursion limit in a thread with a large stack)
  deep5000    relu(... * 1.0001 + 0.001), n/20 levels: the example issue 32 times, 5000 deep at 10^5
              (plain, comments, pasted). Both depths are timed because micrograd's recursive sort
              costs more per node the deeper the graph: at 10^5 levels the peer is at its slowest.
  nested      relu(relu(...relu(x)...)): nesting of unary gates (plain only)
  array       sum(relu(w*x + b)) over arrays of n elements, micrograd: n scalar Values (plain only)

The first five are timed in every spelling: plain, comments, pasted (· − σ), superscript (²) and
all of those at once. micrograd runs once per round per family (its graph does not depend on the
spelling). The table shows each spelling's time and memory against micrograd's, and against the
plain spelling's: a spelling that costs more than the plain one is a speed cliff.

--stages instead measures, in-process with time.perf_counter, what each stage of one program
costs per node: parse (the parser alone, reporting to a builder that keeps nothing), build (the
graph builder, less that parse), forward, backward and JSON (the trace written to a stream that
keeps nothing), each through gradtrace's public function, with the cycle collector off as the
command line has it.

--growth times gradtrace alone on each family (plain) at n and 10n, the two sizes alternating run
by run, medians of --runs each. Target: the 10n run within 12x the n run.

--gradients-only has gradtrace write what micrograd writes, the value and the gradients (one
point of --vars points.jsonl), instead of the whole trace.

--quick: one run of each, at n = 10^4 unless --n says otherwise (a smoke test, not a measurement).

    python benchmarks/bench_shapes.py [--n 100000] [--runs 3] [--families chain sum ...]
                                      [--spellings plain comments ...] [--quick] [--stages] [--growth]
                                      [--gradients-only] [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_scale import run
from families import FAMILIES, SPELLINGS, spell, values_for

SELF = Path(__file__).resolve()
HERE = SELF.parent
TARGET, AIM = 1.25, 1.0  # time and memory over micrograd's, per family and spelling
STAGES = ("parse", "build", "forward", "backward", "JSON")


def write(family: str, n: int, folder: Path, spellings: list[str]) -> None:
    """The family's program in each spelling, and its bindings (also as one point of JSON lines)."""
    fam = FAMILIES[family]
    for spelling in spellings:
        if spelling in fam.spellings:
            (folder / f"{family}.{spelling}.gt").write_text(spell(fam, n, spelling), encoding="utf-8")
    values = values_for(fam, n)
    (folder / f"{family}.json").write_text(json.dumps(values))
    (folder / f"{family}.jsonl").write_text(json.dumps(values) + "\n")


def _gradtrace(folder: Path, family: str, spelling: str, gradients_only: bool = False) -> list[str]:
    program = [sys.executable, "-m", "gradtrace", "--file", str(folder / f"{family}.{spelling}.gt"), "--vars"]
    if gradients_only:  # a batch of one point: {"point": 1, "bindings", "value", "gradients"}
        return [*program, str(folder / f"{family}.jsonl")]
    return [*program, str(folder / f"{family}.json"), "--json"]


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return isinstance(b, (int, float)) and abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def compare(ours_path: Path, theirs_path: Path) -> int:
    """0 if gradtrace's output has micrograd's value and gradients; prints the node count."""
    ours = json.loads(ours_path.read_text(encoding="utf-8"))
    theirs = json.loads(theirs_path.read_text())
    value = ours["output"]["value"] if "output" in ours else ours["value"]
    bad = [k for k in theirs["gradients"] if k not in ours["gradients"] or
           not _close(ours["gradients"][k], theirs["gradients"][k])]
    if not _close(value, theirs["value"]):
        bad.insert(0, f"the value ({value} against {theirs['value']})")
    if bad:
        print(f"different: {bad[:3]}", file=sys.stderr)
        return 1
    print(json.dumps({"nodes": len(ours["nodes"]) if "nodes" in ours else None}))
    return 0


# ---- stages, in-process --------------------------------------------------------------------------

def _public(*places: tuple[str, str]) -> Callable[..., Any]:
    """The first of (module, name) that imports: the stage functions may move between modules."""
    for module, name in places:
        try:
            found = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if found is not None:
            return found  # type: ignore[no-any-return]
    raise SystemExit(f"none of {', '.join(f'{m}.{n}' for m, n in places)} can be imported")


class _Nothing:
    """A parser builder that keeps nothing: every report returns None. With it, the parser's time
    is the parser's alone."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        def report(*args: Any, **kwargs: Any) -> None:
            return None

        setattr(self, name, report)  # looked up once, then found as an attribute
        return report


class _Discard:
    """A text stream that counts what is written and keeps none of it."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def stages(family: str, spelling: str, n: int) -> dict[str, Any]:
    """Seconds per stage of one program, in this process."""
    import gc

    parse_program = _public(("gradtrace.core.syntax", "parse_program"))
    build = _public(("gradtrace.core.graph", "build"))
    resolve = _public(("gradtrace.core.bindings", "resolve"))
    forward = _public(("gradtrace.core.engine", "forward"))
    backward = _public(("gradtrace.core.engine", "backward"))
    run_engine = _public(("gradtrace.core.engine", "run"))
    write_json = _public(("gradtrace.render.json", "write"), ("gradtrace.core.contract", "write"))
    fam = FAMILIES[family]
    source, values = spell(fam, n, spelling), values_for(fam, n)
    collecting = gc.isenabled()
    gc.disable()  # as the command line runs
    try:
        return _timed(parse_program, build, resolve, forward, backward, run_engine, write_json, source, values,
                      family)
    finally:
        if collecting:
            gc.enable()


def _timed(parse_program: Callable[..., Any], build: Callable[..., Any], resolve: Callable[..., Any],
           forward: Callable[..., Any], backward: Callable[..., Any], run_engine: Callable[..., Any],
           write_json: Callable[..., Any], source: str, values: dict[str, Any], family: str) -> dict[str, Any]:
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    parse_program(source, _Nothing())
    seconds["parse"] = time.perf_counter() - start
    start = time.perf_counter()
    graph = build(source, bound=set(values))
    seconds["build"] = time.perf_counter() - start - seconds["parse"]
    inputs = resolve(graph, [], ("bindings", values))
    if any(hasattr(v, "shape") for v in inputs.values()):
        raise SystemExit(f"--stages is for scalar programs, and {family} binds arrays")
    start = time.perf_counter()
    forwarded = forward(graph, inputs)
    seconds["forward"] = time.perf_counter() - start
    start = time.perf_counter()
    backward(graph, forwarded)
    seconds["backward"] = time.perf_counter() - start
    trace = run_engine(graph, inputs)  # the trace the JSON is written from (forward and backward again)
    stream = _Discard()
    start = time.perf_counter()
    write_json(trace, stream)
    seconds["JSON"] = time.perf_counter() - start
    return {"nodes": len(graph.nodes), "characters": len(source), "json_chars": stream.chars, "seconds": seconds}


def run_stages(args: argparse.Namespace) -> int:
    """Each family and spelling's stages in a fresh process each, medians of --runs."""
    results: dict[str, dict[str, Any]] = {}
    print(f"Per-node cost of each stage, n = {args.n:,}, in-process (µs per node; medians of {args.runs})")
    print(f"{'family':8s} {'spelling':12s} {'nodes':>9s} " + " ".join(f"{s:>8s}" for s in STAGES) + f" {'total':>8s}")
    for family in args.families:
        for spelling in args.spellings:
            if spelling not in FAMILIES[family].spellings or family == "array":
                continue
            samples = []
            for _ in range(args.runs):
                out = subprocess.run([sys.executable, str(SELF), "--stage-child", family, spelling, str(args.n)],
                                     check=True, capture_output=True, text=True)
                samples.append(json.loads(out.stdout))
            nodes = samples[0]["nodes"]
            seconds = {s: statistics.median(x["seconds"][s] for x in samples) for s in STAGES}
            results.setdefault(family, {})[spelling] = {"nodes": nodes, "characters": samples[0]["characters"],
                                                        "seconds": seconds}
            per = [seconds[s] / nodes * 1e6 for s in STAGES]
            print(f"{family:8s} {spelling:12s} {nodes:9,d} " + " ".join(f"{p:8.2f}" for p in per) +
                  f" {sum(per):8.2f}", flush=True)
    print("\nMarkdown (µs per node):\n")
    print("| family | spelling | nodes | " + " | ".join(STAGES) + " | total |")
    print("|---|---|---:|" + "---:|" * (len(STAGES) + 1))
    for family, by in results.items():
        for spelling, r in by.items():
            per = [r["seconds"][s] / r["nodes"] * 1e6 for s in STAGES]
            print(f"| {family} | {spelling} | {r['nodes']:,} | " + " | ".join(f"{p:.2f}" for p in per) +
                  f" | {sum(per):.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"n": args.n, "stages": results}))
    return 0


# ---- growth ------------------------------------------------------------------------------------------

def growth(args: argparse.Namespace) -> int:
    """Each family (plain) at n and 10n, gradtrace alone: how its time grows with the program."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families:
            folders = []
            for n in (args.n, 10 * args.n):
                folders.append(Path(tmp) / str(n))
                folders[-1].mkdir(exist_ok=True)
                subprocess.run([sys.executable, str(SELF), "--write", family, str(n), str(folders[-1]), "plain"],
                               check=True)
            # n and 10n alternate, run by run, so that a slow spell of the shared machine falls on both
            times: list[list[float]] = [[], []]
            for _ in range(args.runs):
                for size, folder in enumerate(folders):
                    times[size].append(run(_gradtrace(folder, family, "plain"), folder / "gradtrace.json")[0])
            for folder in folders:
                (folder / "gradtrace.json").unlink()
            seconds = [statistics.median(t) for t in times]
            ratio = seconds[1] / seconds[0]
            results[family] = {"n": args.n, "seconds": seconds, "ratio": ratio}
            print(f"{family:8s} n {seconds[0]:6.2f} s   10n {seconds[1]:7.2f} s   {ratio:5.2f}x  "
                  f"-> {'OK' if ratio <= 12 else 'MISSED'} (target <= 12x)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results))
    return 0


# ---- side by side with micrograd -------------------------------------------------------------------

def _verdict(t: float, m: float) -> str:
    return "OK" if max(t, m) <= TARGET else "MISSED"


def side_by_side(args: argparse.Namespace) -> int:
    """Every family in every spelling asked for, with micrograd, interleaved run by run."""
    results: dict[str, Any] = {}
    print(f"n = {args.n:,} per family; medians of {args.runs}; target <= {TARGET}x micrograd in time and "
          f"memory (aim {AIM}x); 'vs plain' is the time against the plain spelling of the same graph")
    print(f"{'family':8s} {'spelling':12s} {'nodes':>9s}   {'gradtrace':>16s}   {'micrograd':>16s}   "
          f"{'time':>6s} {'memory':>6s}  {'vs plain':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for family in args.families:
            spellings = [s for s in args.spellings if s in FAMILIES[family].spellings]
            if not spellings:
                continue
            # The inputs are written by a child process: Linux starts a child's peak-memory count at
            # its parent's size, so this process must stay small for the measurements to be fair.
            subprocess.run([sys.executable, str(SELF), "--write", family, str(args.n), str(folder), *spellings],
                           check=True)
            commands: dict[str, tuple[list[str], Path]] = {
                "micrograd": ([sys.executable, str(HERE / "peer_micrograd.py"), family, str(args.n),
                               str(folder / f"{family}.json"), str(folder / "micrograd.json")],
                              folder / "micrograd.json"),
            }
            for spelling in spellings:
                out = folder / f"gradtrace.{spelling}.json"
                commands[spelling] = (_gradtrace(folder, family, spelling, args.gradients_only), out)
            samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
            for _ in range(args.runs):
                for name, (cmd, out) in commands.items():
                    out.unlink(missing_ok=True)  # a run that writes nothing must not be compared with the last
                    # the peer writes its own file; gradtrace's stdout is its JSON
                    samples[name].append(run(cmd, None if name == "micrograd" else out))
            nodes = None
            for spelling in spellings:
                # Compared in a child: the parsed JSON trace is large (see the --write comment above).
                same = subprocess.run([sys.executable, str(SELF), "--compare", str(commands[spelling][1]),
                                       str(folder / "micrograd.json")], capture_output=True, text=True)
                if same.returncode != 0:
                    raise SystemExit(f"{family} ({spelling}): gradtrace and micrograd disagree\n{same.stderr}")
                nodes = json.loads(same.stdout)["nodes"]
                commands[spelling][1].unlink()
            medians = {name: {"seconds": statistics.median(t for t, _ in s), "mib": statistics.median(m for _, m in s)}
                       for name, s in samples.items()}
            peer = medians["micrograd"]
            entry: dict[str, Any] = {"n": args.n, "unit": FAMILIES[family].unit, "nodes": nodes, "micrograd": peer,
                                     "spellings": {s: medians[s] for s in spellings}}
            if "plain" in spellings:
                entry["gradtrace"] = medians["plain"]  # the family's own row (run.py reads it)
            results[family] = entry
            for k, spelling in enumerate(spellings):
                ours = medians[spelling]
                t, m = ours["seconds"] / peer["seconds"], ours["mib"] / peer["mib"]
                vs = f"{ours['seconds'] / medians['plain']['seconds']:7.2f}x" if "plain" in medians else "       -"
                verdict = "(gradients only)" if args.gradients_only else _verdict(t, m)
                print(f"{family if k == 0 else '':8s} {spelling:12s} {nodes or 0:9,d}   "
                      f"{ours['seconds']:6.2f} s {ours['mib']:5.0f} MiB   "
                      f"{peer['seconds']:6.2f} s {peer['mib']:5.0f} MiB   {t:5.2f}x {m:5.2f}x  {vs}  {verdict}",
                      flush=True)
    print("\nMarkdown:\n")
    print(markdown(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results))
    return 0


def markdown(results: dict[str, Any]) -> str:
    """The table for the README: each family's spellings under its plain row."""
    lines = ["| family | spelling | nodes | gradtrace | micrograd | time | memory | time vs plain |",
             "|---|---|---:|---|---|---:|---:|---:|"]
    for family, entry in results.items():
        peer = entry["micrograd"]
        plain = entry["spellings"].get("plain")
        for k, (spelling, ours) in enumerate(entry["spellings"].items()):
            vs = f"{ours['seconds'] / plain['seconds']:.2f}x" if plain else "-"
            lines.append(
                f"| {family if k == 0 else ''} | {spelling} | {entry['nodes'] or 0:,} | "
                f"{ours['seconds']:.2f} s, {ours['mib']:.0f} MiB | "
                + (f"{peer['seconds']:.2f} s, {peer['mib']:.0f} MiB" if k == 0 else "") + " | "
                f"{ours['seconds'] / peer['seconds']:.2f}x | {ours['mib'] / peer['mib']:.2f}x | {vs} |")
    return "\n".join(lines)


def main() -> int:
    if sys.argv[1:2] == ["--write"]:
        write(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), sys.argv[5:])
        return 0
    if sys.argv[1:2] == ["--compare"]:
        return compare(Path(sys.argv[2]), Path(sys.argv[3]))
    if sys.argv[1:2] == ["--stage-child"]:
        print(json.dumps(stages(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, help="statements, terms or levels per family (10^5; --quick: 10^4)")
    parser.add_argument("--runs", type=int, help="runs of each contender (3; --quick: 1)")
    parser.add_argument("--families", "--shapes", nargs="+", default=list(FAMILIES), choices=list(FAMILIES),
                        metavar="FAMILY", help=f"some of: {' '.join(FAMILIES)} (all)")
    parser.add_argument("--spellings", nargs="+", default=list(SPELLINGS), choices=SPELLINGS, metavar="SPELLING",
                        help=f"some of: {' '.join(SPELLINGS)} (all; nested and array have plain only)")
    parser.add_argument("--quick", action="store_true", help="one run each at n = 10^4: a smoke test")
    parser.add_argument("--json", metavar="PATH", help="also write every median here")
    parser.add_argument("--stages", action="store_true", help="per-node cost of each stage, in-process")
    parser.add_argument("--growth", action="store_true", help="gradtrace alone at n and 10n: the time ratio")
    parser.add_argument("--gradients-only", action="store_true",
                        help="gradtrace writes only the value and gradients, as micrograd does")
    args = parser.parse_args()
    args.n = args.n or (10_000 if args.quick else 100_000)
    args.runs = args.runs or (1 if args.quick else 3)
    if args.stages:
        args.families = [f for f in args.families if f != "array"]
        return run_stages(args)
    if args.growth:
        return growth(args)
    return side_by_side(args)


if __name__ == "__main__":
    sys.exit(main())
