"""Benchmark (c): gradients of ||W·X||² for n=4096 and a batch of 100, side by side in one run.

    gradtrace through the API         gradtrace.trace("sum((W @ X)**2)", W=W, X=X)
    gradtrace through the CLI         gradtrace "sum((W @ X)**2)" -W @W.npy -X @X.npy  (whole process)
    PyTorch on the CPU                ((W @ X)**2).sum().backward()
    plain numpy written by hand       q = W @ X; dq = 2q; dW = dq @ X.T; dX = W.T @ dq

Runs are interleaved so machine noise hits all alike; medians are compared.
Target: the API within 1.2x of PyTorch.

    python benchmarks/bench_vectors.py [--n 4096] [--batch 100] [--runs 7]
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

import numpy as np

import gradtrace


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", metavar="PATH", help="also write the medians and the ratio here")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    W = rng.standard_normal((args.n, args.n)) / np.sqrt(args.n)
    X = rng.standard_normal((args.n, args.batch))

    def api():
        t = gradtrace.trace("sum((W @ X)**2)", W=W, X=X)
        return t.gradients["W"], t.gradients["X"]

    def by_hand():
        q = W @ X
        dq = 2.0 * q
        return dq @ X.T, W.T @ dq

    contenders = {"gradtrace API": api, "numpy by hand": by_hand}
    try:
        import torch

        # Leaf tensors made once (sharing numpy's memory); each run only resets their gradients,
        # so PyTorch is not charged for copying W.
        w = torch.from_numpy(W).requires_grad_(True)
        x = torch.from_numpy(X).requires_grad_(True)

        def with_torch():
            w.grad = x.grad = None
            ((w @ x) ** 2).sum().backward()
            return w.grad, x.grad

        contenders["PyTorch CPU"] = with_torch
    except ImportError:
        print("PyTorch is not installed (pip install torch): its column is skipped")

    # The same answer from everyone, before timing anything.
    reference = by_hand()
    for name, fn in contenders.items():
        got = fn()
        for a, b in zip(got, reference):
            assert np.allclose(np.asarray(a), b, rtol=1e-9, atol=1e-9), name

    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "W.npy", W)
        np.save(Path(tmp) / "X.npy", X)
        script = shutil.which("gradtrace") or str(Path(sys.executable).with_name("gradtrace"))
        command = [script, "sum((W @ X)**2)", "-W", f"@{tmp}/W.npy", "-X", f"@{tmp}/X.npy"]

        def cli():
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

        contenders["gradtrace CLI (.npy)"] = cli
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for fn in contenders.values():  # warm-up
            fn()
        for _ in range(args.runs):
            for name, fn in contenders.items():
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)

    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"||W·X||² with n={args.n}, batch {args.batch}: median of {args.runs} interleaved runs")
    for name, m in medians.items():
        print(f"  {name:24s} {m * 1000:8.1f} ms")
    base = medians.get("PyTorch CPU")
    if base:
        for name in ("gradtrace API", "gradtrace CLI (.npy)", "numpy by hand"):
            print(f"  {name} / PyTorch: {medians[name] / base:.2f}x")
        ratio = medians["gradtrace API"] / base
        print(f"target: API within 1.2x of PyTorch -> {ratio:.2f}x {'OK' if ratio <= 1.2 else 'MISSED'}")
    print(f"  gradtrace API / numpy by hand: {medians['gradtrace API'] / medians['numpy by hand']:.2f}x")
    if args.json:
        ratio = medians["gradtrace API"] / base if base else None
        Path(args.json).write_text(json.dumps({"medians": medians, "ratio": ratio, "target": 1.2, "runs": args.runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
