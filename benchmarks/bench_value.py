"""Benchmark (g): micrograd's demo training loop on gradtrace's Value against micrograd's own.

micrograd's nn.py, unchanged, builds an MLP(2, [16, 16, 1]) and trains it on 100 moons for 100
steps (the SVM max-margin loss with L2 regularization, SGD with a decaying rate), as micrograd's
demo notebook does; for gradtrace its `from micrograd.engine import Value` is answered with
gradtrace's Value. Each run is a whole process that times its training loop (imports and data
excluded); the two contenders run in pairs, in alternating order, so machine noise hits both alike.
The ratio is the median of the pairs' ratios. Both give the same loss curve (checked to 1e-9).

    data "floats"  the moons as Python floats and ints (X.tolist())
    data "numpy"   the moons as numpy arrays, as the demo's make_moons gives them: micrograd then
                   computes on numpy scalars, gradtrace's Value on floats

Target: gradtrace's Value at most 1.0x micrograd's time.

--collect-between-steps pauses Python's cycle collector during each step and collects after it,
untimed: the arithmetic and the bookkeeping alone, without the collector walking micrograd's
graphs (a web of closures, each node a reference cycle) again and again.

    python benchmarks/bench_value.py [--runs 3] [--steps 100] [--data floats numpy] [--collect-between-steps]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import time
import types
from typing import Any
from unittest import mock

import numpy as np

TARGET = 1.0
CONTENDERS = ("gradtrace", "micrograd")


def moons(n: int, seed: int = 1, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as scikit-learn's make_moons, with labels -1 and 1."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.arange(n) < n // 2
    X = np.where(upper[:, None], np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + rng.normal(0.0, noise, X.shape), np.where(upper, -1, 1)


def micrograd_nn(value_class: type) -> types.ModuleType:
    """micrograd's own nn.py, its `from micrograd.engine import Value` answered with value_class."""
    import micrograd.nn

    spec = importlib.util.spec_from_file_location(f"nn_on_{value_class.__module__}", micrograd.nn.__file__)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    engine = types.ModuleType("micrograd.engine")
    engine.Value = value_class  # type: ignore[attr-defined]
    with mock.patch.dict(sys.modules, {"micrograd.engine": engine}):
        spec.loader.exec_module(loaded)
    return loaded


def step(value_class: type, model: Any, X: Any, y: Any, k: int) -> float:
    """Step k of micrograd's demo: the SVM max-margin loss with L2 regularization over the whole
    batch, backward, and SGD with a decaying learning rate; the step's loss. Its graph is
    unreachable once it returns (the collector then frees micrograd's web of closures)."""
    inputs = [list(map(value_class, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= rate * p.grad
    return float(total.data)


def train(contender: str, data: str, steps: int, n: int, sizes: list[int], collect: bool = False) -> dict:
    """One contender's training run, timed: its loss at every step and the seconds it took (with
    collect, the steps alone, the collector run between them)."""
    if contender == "gradtrace":
        from gradtrace import Value
    else:
        from micrograd.engine import Value
    nn = micrograd_nn(Value)
    X, y = moons(n)
    if data == "floats":
        X, y = X.tolist(), y.tolist()
    random.seed(1337)
    model = nn.MLP(2, sizes)
    curve = []
    seconds = 0.0
    if collect:
        gc.disable()
    for k in range(steps):
        start = time.perf_counter()
        curve.append(step(Value, model, X, y, k))
        seconds += time.perf_counter() - start
        if collect:
            gc.collect()
    gc.enable()
    return {"seconds": seconds, "losses": curve}


def run(contender: str, data: str, steps: int, n: int, sizes: list[int], collect: bool) -> dict:
    """A whole process that trains and reports."""
    done = subprocess.run([sys.executable, __file__, "--child", contender, data, str(steps), str(n), str(int(collect)),
                           *map(str, sizes)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="pairs of runs per kind of data")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--n", type=int, default=100, help="moons in the data set")
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 16, 1], help="the MLP's layers")
    parser.add_argument("--data", nargs="+", choices=("floats", "numpy"), default=["floats", "numpy"])
    parser.add_argument("--collect-between-steps", action="store_true",
                        help="time the steps alone, Python's cycle collector paused in them and run between them")
    parser.add_argument("--json", metavar="PATH", help="also write the times and the ratios here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        contender, data, steps, n, collect, *sizes = args.child
        print(json.dumps(train(contender, data, int(steps), int(n), [int(s) for s in sizes], collect == "1")))
        return 0
    results: dict = {"steps": args.steps, "n": args.n, "sizes": args.sizes, "runs": args.runs, "target": TARGET,
                     "collect_between_steps": args.collect_between_steps, "data": {}}
    for data in args.data:
        seconds: dict[str, list[float]] = {c: [] for c in CONTENDERS}
        ratios = []
        for k in range(args.runs):
            order = CONTENDERS if k % 2 == 0 else CONTENDERS[::-1]
            pair = {c: run(c, data, args.steps, args.n, args.sizes, args.collect_between_steps) for c in order}
            ours, theirs = pair["gradtrace"]["losses"], pair["micrograd"]["losses"]
            worst = max(abs(a - b) / abs(b) for a, b in zip(ours, theirs))
            assert worst <= 1e-9, f"the loss curves differ: {worst:.2g} relative"
            for c in CONTENDERS:
                seconds[c].append(pair[c]["seconds"])
            ratios.append(pair["gradtrace"]["seconds"] / pair["micrograd"]["seconds"])
            print(f"  {data:6s} pair {k + 1}: gradtrace {pair['gradtrace']['seconds']:.2f} s, micrograd "
                  f"{pair['micrograd']['seconds']:.2f} s, ratio {ratios[-1]:.3f} (loss curves agree to {worst:.1g})",
                  flush=True)
        medians = {c: statistics.median(seconds[c]) for c in CONTENDERS}
        ratio = statistics.median(ratios)
        results["data"][data] = {"medians": medians, "ratio": ratio, "ratios": ratios}
        print(f"{data}: micrograd's MLP on moons, {args.steps} steps: gradtrace {medians['gradtrace']:.2f} s, "
              f"micrograd {medians['micrograd']:.2f} s: {ratio:.3f}x (target <= {TARGET:g}x) "
              f"{'OK' if ratio <= TARGET else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
