"""Benchmark (h): the course's two networks, forward and backward, gradtrace vs PyTorch on the CPU.

    2-layer net   cross_entropy(affine(relu(affine(X, W1, b1)), W2, b2), y)
                  N=100 images of D=3·32·32=3072, H=100 hidden, C=10 classes
    conv net      conv2d (32 filters 7×7, stride 1, pad 3) → relu → maxpool2d (2×2, stride 2)
                  → affine (hidden 100) → relu → affine (10 classes) → softmax cross-entropy
                  N=50 images of 3×32×32

Contenders, all float64, every gradient of every float input (the data X too, as gradtrace
returns it), loss averaged over the batch:

    gradtrace API          gradtrace.trace(program, **arrays): the trace built, nothing rendered
    PyTorch CPU            the same layers from torch.nn.functional, then loss.backward()
    gradtrace CLI          gradtrace PROGRAM -X @X.npy ... --json (the whole process, JSON to /dev/null)

Before anything is timed, the API, the CLI and PyTorch must give the same loss and gradients
(each within 1e-8 of the largest entry of PyTorch's, in the max norm).

Each API or PyTorch measurement is a child process of its own (imports, then the arrays, made
from one seed), which runs the work once to warm up and then --repeat times; its time is the
median of those. Memory is the child's peak RSS from resource.getrusage (ru_maxrss; tracemalloc
misses PyTorch's allocator): "work" is how far the peak rose over the warm-up run, from the
peak after imports and the arrays, and "process" the whole peak. Children of the contenders
run interleaved, --runs rounds, and medians of the rounds are compared. Threads: numpy's
OpenBLAS and PyTorch both get --threads (default: all cores), through OPENBLAS_NUM_THREADS /
OMP_NUM_THREADS / MKL_NUM_THREADS in every child and torch.set_num_threads in PyTorch's.
Aim: the API within 1.2x of PyTorch in time and in work memory.

    python benchmarks/bench_nets.py [--nets two_layer conv] [--runs 5] [--repeat 3] [--threads K]
                                    [--n-two-layer 100] [--n-conv 50] [--profile]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AIM = 1.2
CONTENDERS = ("gradtrace API", "PyTorch CPU")


@dataclass(frozen=True)
class Net:
    program: str
    arrays: Callable[..., dict[str, Any]]  # (the batch size, other sizes) -> the named inputs (numpy float64)
    torch_loss: Callable[[Any, dict[str, Any]], Any]  # (torch, the leaf tensors) -> the loss
    about: str


def _two_layer_arrays(n: int, d: int = 3 * 32 * 32, h: int = 100, c: int = 10) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    return {"X": rng.standard_normal((n, d)), "W1": rng.standard_normal((d, h)) * 1e-2,
            "b1": rng.standard_normal(h) * 1e-2, "W2": rng.standard_normal((h, c)) * 1e-1,
            "b2": rng.standard_normal(c) * 1e-2, "y": rng.integers(0, c, n).astype(float)}


def _two_layer_torch(torch: Any, t: dict[str, Any]) -> Any:
    f = torch.nn.functional
    hidden = f.relu(t["X"] @ t["W1"] + t["b1"])
    return f.cross_entropy(hidden @ t["W2"] + t["b2"], t["y"].long())


def _conv_arrays(n: int, filters: int = 32, side: int = 32, h: int = 100, c: int = 10) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    pooled = filters * (side // 2) ** 2  # side × side kept by the 7×7 filters with pad 3, halved by the pool
    return {"x": rng.standard_normal((n, 3, side, side)), "w": rng.standard_normal((filters, 3, 7, 7)) * 1e-1,
            "b": rng.standard_normal(filters) * 1e-2, "W2": rng.standard_normal((pooled, h)) * 1e-2,
            "b2": rng.standard_normal(h) * 1e-2, "W3": rng.standard_normal((h, c)) * 1e-1,
            "b3": rng.standard_normal(c) * 1e-2, "y": rng.integers(0, c, n).astype(float)}


def _conv_torch(torch: Any, t: dict[str, Any]) -> Any:
    f = torch.nn.functional
    pooled = f.max_pool2d(f.relu(f.conv2d(t["x"], t["w"], t["b"], stride=1, padding=3)), 2, 2)
    hidden = f.relu(pooled.reshape(pooled.shape[0], -1) @ t["W2"] + t["b2"])
    return f.cross_entropy(hidden @ t["W3"] + t["b3"], t["y"].long())


NETS = {
    "two_layer": Net("cross_entropy(affine(relu(affine(X, W1, b1)), W2, b2), y)", _two_layer_arrays,
                     _two_layer_torch, "2-layer net, D=3072, H=100, C=10"),
    "conv": Net("cross_entropy(affine(relu(affine(maxpool2d(relu(conv2d(x, w, b, stride=1, pad=3)), "
                "size=2, stride=2), W2, b2)), W3, b3), y)", _conv_arrays, _conv_torch,
                "conv net, 32 filters 7×7 pad 3, pool 2, hidden 100, C=10, 3×32×32"),
}


def gradtrace_run(net: Net, arrays: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """The loss and the gradients of the float inputs, from gradtrace.trace."""
    import gradtrace

    t = gradtrace.trace(net.program, **arrays)
    return float(t.value), {k: v for k, v in t.gradients.items() if k != "y"}


def torch_runner(net: Net, arrays: dict[str, Any]) -> Callable[[], tuple[float, dict[str, Any]]]:
    """A function doing PyTorch's forward and backward on leaf tensors made once (sharing numpy's
    memory, so PyTorch is not charged for copying the inputs); each call only resets the gradients."""
    import torch

    leaves = {k: torch.from_numpy(v) for k, v in arrays.items()}
    for k, v in leaves.items():
        if k != "y":
            v.requires_grad_(True)

    def run() -> tuple[float, dict[str, Any]]:
        for v in leaves.values():
            v.grad = None
        loss = net.torch_loss(torch, leaves)
        loss.backward()
        return float(loss.detach()), {k: v.grad.numpy() for k, v in leaves.items() if k != "y"}

    return run


def agree(name: str, got: tuple[float, dict[str, Any]], want: tuple[float, dict[str, Any]], rel: float = 1e-8) -> None:
    """Raise AssertionError unless the loss and every gradient match within rel of the largest entry."""
    import numpy as np

    assert abs(got[0] - want[0]) <= rel * max(1.0, abs(want[0])), f"{name}: loss {got[0]} vs {want[0]}"
    assert set(got[1]) == set(want[1]), f"{name}: gradients of {sorted(got[1])} vs {sorted(want[1])}"
    for k, ref in want[1].items():
        mine = np.asarray(got[1][k], dtype=float)
        assert mine.shape == ref.shape, f"{name}: ∂/∂{k} of shape {mine.shape} vs {ref.shape}"
        scale = float(np.max(np.abs(ref))) or 1.0
        err = float(np.max(np.abs(mine - ref)))
        assert err <= rel * scale, f"{name}: ∂/∂{k} differs by {err:.3g}, {err / scale:.3g} of its largest entry"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def child(contender: str, net_name: str, n: int, repeat: int, threads: int) -> dict[str, float]:
    """One measurement in this process (a child of main): warm-up, then `repeat` timed runs."""
    net = NETS[net_name]
    if contender == "PyTorch CPU":
        import torch

        torch.set_num_threads(threads)
        arrays = net.arrays(n)
        fn = torch_runner(net, arrays)
    else:
        import gradtrace  # noqa: F401  (imported before the baseline, as torch is)

        arrays = net.arrays(n)

        def fn() -> tuple[float, dict[str, Any]]:
            return gradtrace_run(net, arrays)
    before = _peak_mib()
    fn()
    work = _peak_mib() - before
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "work_mib": work, "process_mib": _peak_mib()}


def _child_env(threads: int) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def _spawn(contender: str, net: str, n: int, repeat: int, threads: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", contender, "--nets", net, "--n", str(n),
                          "--repeat", str(repeat), "--threads", str(threads)],
                         check=True, capture_output=True, text=True, env=_child_env(threads))
    return json.loads(out.stdout.strip().splitlines()[-1])


def cli_command(net: Net, folder: Path, arrays: dict[str, Any]) -> list[str]:
    import numpy as np

    command = [sys.executable, "-m", "gradtrace", net.program]
    for k, v in arrays.items():
        np.save(folder / f"{k}.npy", v)
        command += [f"-{k}", f"@{folder / k}.npy"]
    return [*command, "--json"]


def _cli_gradients(stdout: str, names: list[str]) -> tuple[float, dict[str, Any]]:
    """The loss and the gradients from the CLI's JSON, as numpy arrays."""
    import numpy as np

    data = json.loads(stdout)
    grads = data["gradients"]
    return float(data["output"]["value"]), {k: np.asarray(grads[k], dtype=float) for k in names}


def _cli_once(command: list[str], threads: int) -> tuple[float, float]:
    """The whole process's wall time and peak RSS (MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=_child_env(threads))
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"the CLI exited with {proc.returncode}: {' '.join(command[:4])} ...")
    return elapsed, usage.ru_maxrss / 1024


def check(net_name: str, n: int, folder: Path, threads: int) -> list[str]:
    """In a child of its own: the API and the CLI against PyTorch (AssertionError if they differ),
    leaving the inputs in folder as .npy files; the CLI's command."""
    net = NETS[net_name]
    arrays = net.arrays(n)
    reference = torch_runner(net, arrays)()
    agree(f"gradtrace API, {net_name}", gradtrace_run(net, arrays), reference)
    command = cli_command(net, folder, arrays)
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=_child_env(threads))
    agree(f"gradtrace CLI, {net_name}", _cli_gradients(out.stdout, sorted(reference[1])), reference)
    return command


def measure(net_name: str, n: int, runs: int, repeat: int, threads: int) -> dict[str, Any]:
    """Every child is started from this process, which imports neither numpy nor torch nor gradtrace:
    Linux carries a parent's peak RSS over into its child's ru_maxrss through fork and exec."""
    net = NETS[net_name]
    results: dict[str, Any] = {"n": n, "program": net.program, "about": net.about}
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, __file__, "--check", tmp, "--nets", net_name, "--n", str(n),
                              "--threads", str(threads)], capture_output=True, text=True, env=_child_env(threads))
        if out.returncode:
            raise SystemExit(f"{net_name}: the contenders disagree, nothing timed\n{out.stderr}")
        command = json.loads(out.stdout.strip().splitlines()[-1])
        rounds: dict[str, list[dict[str, float]]] = {c: [] for c in (*CONTENDERS, "gradtrace CLI")}
        for _ in range(runs):
            for contender in CONTENDERS:
                rounds[contender].append(_spawn(contender, net_name, n, repeat, threads))
            seconds, mib = _cli_once(command, threads)
            rounds["gradtrace CLI"].append({"seconds": seconds, "process_mib": mib})
    for contender, got in rounds.items():
        results[contender] = {key: statistics.median(r[key] for r in got) for key in got[0]}
    ours, peer = results["gradtrace API"], results["PyTorch CPU"]
    results["time_ratio"] = ours["seconds"] / peer["seconds"]
    # None where PyTorch's peak did not rise at all (tiny sizes), rather than a division by zero.
    results["memory_ratio"] = ours["work_mib"] / peer["work_mib"] if peer["work_mib"] > 0 else None
    results["cli_time_ratio"] = results["gradtrace CLI"]["seconds"] / peer["seconds"]
    return results


def profile(net_name: str, n: int) -> None:
    import cProfile
    import pstats

    net = NETS[net_name]
    arrays = net.arrays(n)
    gradtrace_run(net, arrays)
    prof = cProfile.Profile()
    prof.runcall(gradtrace_run, net, arrays)
    print(f"\ncProfile of gradtrace.trace, {net.about}, N={n} (top 25 by cumulative time)")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    pstats.Stats(prof).sort_stats("tottime").print_stats(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nets", nargs="+", choices=sorted(NETS), default=["two_layer", "conv"])
    parser.add_argument("--n-two-layer", type=int, default=100)
    parser.add_argument("--n-conv", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds of child processes")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs in each child, after a warm-up")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--profile", action="store_true", help="also cProfile gradtrace on each net")
    parser.add_argument("--json", metavar="PATH", help="also write the medians and the ratios here")
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--profile-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile_only:
        profile(args.nets[0], args.n)
        return 0
    if args.check:
        print(json.dumps(check(args.nets[0], args.n, Path(args.check), args.threads)))
        return 0
    if args.child:
        print(json.dumps(child(args.child, args.nets[0], args.n, args.repeat, args.threads)))
        return 0
    if importlib.util.find_spec("torch") is None:  # not imported: this process stays small
        print("PyTorch is not installed (pip install torch==2.13.0): nothing to compare with")
        if args.json:
            Path(args.json).write_text(json.dumps({"nets": {}, "target": AIM}))
        return 0
    sizes = {"two_layer": args.n_two_layer, "conv": args.n_conv}
    everything: dict[str, Any] = {"nets": {}, "target": AIM, "runs": args.runs, "repeat": args.repeat,
                                  "threads": args.threads}
    for name in args.nets:
        r = measure(name, sizes[name], args.runs, args.repeat, args.threads)
        everything["nets"][name] = r
        print(f"{r['about']}, N={r['n']}, float64, {args.threads} threads: gradients agree within 1e-8; "
              f"medians of {args.runs} interleaved child processes ({args.repeat} timed runs each)")
        for contender in (*CONTENDERS, "gradtrace CLI"):
            m = r[contender]
            work = f"work {m['work_mib']:7.1f} MiB  " if "work_mib" in m else " " * 22
            print(f"  {contender:16s} {m['seconds'] * 1000:9.1f} ms  {work}process {m['process_mib']:7.1f} MiB")
        for what, key in (("time", "time_ratio"), ("work memory", "memory_ratio")):
            if r[key] is None:
                print(f"  API / PyTorch {what}: PyTorch's peak did not rise, no ratio")
                continue
            print(f"  API / PyTorch {what}: {r[key]:.2f}x  (aim <= {AIM}x) {'OK' if r[key] <= AIM else 'MISSED'}")
        print(f"  CLI (whole process) / PyTorch in-process time: {r['cli_time_ratio']:.2f}x")
        if args.profile:
            subprocess.run([sys.executable, __file__, "--profile-only", "--nets", name, "--n", str(sizes[name])],
                           check=True, env=_child_env(args.threads))
    if args.json:
        Path(args.json).write_text(json.dumps(everything))
    return 0


if __name__ == "__main__":
    sys.exit(main())
