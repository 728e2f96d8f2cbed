"""The shape benchmark compares like with like: for every family and every spelling, gradtrace's
program and the peer's Python build are the same graph (the same value and gradients at a point),
and every spelling of a family is the same graph as its plain one (the same nodes, values and
gradients). Tiny sizes, no timings: speed is measured by benchmarks/, never by tests."""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradtrace

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


families = _load("families")
FAMILIES, SPELLINGS, spell, values_for, build_with = (families.FAMILIES, families.SPELLINGS, families.spell,
                                                      families.values_for, families.build_with)
CASES = [(f, s) for f, family in FAMILIES.items() for s in family.spellings]


class Ref:
    """A reference scalar Value with micrograd's interface and meaning (data, grad, _prev,
    _backward, + - * / ** relu, backward()), sorted without recursion. It stands in for micrograd,
    which the tests do not require, so that the peer's build is checked everywhere."""

    def __init__(self, data: float, _children: tuple[Any, ...] = (), _op: str = ""):
        self.data, self.grad, self._prev, self._op = data, 0.0, tuple(_children), _op
        self._backward = lambda: None

    def _binary(self, other: Any, data: float, grads: tuple[float, float]) -> Ref:
        other = other if isinstance(other, Ref) else Ref(other)
        out = Ref(data, (self, other))

        def _backward() -> None:
            self.grad += grads[0] * out.grad
            other.grad += grads[1] * out.grad

        out._backward = _backward
        return out

    def __add__(self, other: Any) -> Ref:
        o = other.data if isinstance(other, Ref) else other
        return self._binary(other, self.data + o, (1.0, 1.0))

    def __mul__(self, other: Any) -> Ref:
        o = other.data if isinstance(other, Ref) else other
        return self._binary(other, self.data * o, (o, self.data))

    def __pow__(self, k: float) -> Ref:
        out = Ref(self.data**k, (self,))

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Ref:
        out = Ref(0.0 if self.data < 0 else self.data, (self,))

        def _backward() -> None:
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Ref:
        return self * -1

    def __sub__(self, other: Any) -> Ref:
        return self + (-other)

    def __truediv__(self, other: Any) -> Ref:
        return self * other**-1

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self) -> None:
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                order.append(v)
            elif id(v) not in seen:
                seen.add(id(v))
                stack.append((v, True))
                stack.extend((c, False) for c in v._prev)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def _numbers(value: Any) -> list[float]:
    return [float(v) for v in value] if hasattr(value, "__len__") else [float(value)]


def _same(a: Any, b: Any) -> bool:
    xs, ys = _numbers(a), _numbers(b)
    return len(xs) == len(ys) and all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12) for x, y in zip(xs, ys))


def _peer(family: str, n: int, value_class: type) -> tuple[float, dict[str, Any]]:
    out, V = build_with(FAMILIES[family], value_class, values_for(FAMILIES[family], n), n)
    out.backward()
    return out.data, {k: [e.grad for e in v] if isinstance(v, list) else v.grad for k, v in V.items()}


def _traced(family: str, n: int, spelling: str) -> Any:
    return gradtrace.trace(spell(FAMILIES[family], n, spelling), bindings=values_for(FAMILIES[family], n))


@pytest.mark.parametrize(("family", "spelling"), CASES)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 30))
def test_gradtrace_and_the_peer_build_the_same_graph(family: str, spelling: str, n: int) -> None:
    value, grads = _peer(family, n, Ref)
    trace = _traced(family, n, spelling)
    assert _same(trace.value, value), (family, spelling, n)
    assert set(trace.gradients) == set(grads)
    for name, grad in grads.items():
        assert _same(trace.gradients[name], grad), (family, spelling, n, name)


@pytest.mark.parametrize(("family", "spelling"), [c for c in CASES if c[1] != "plain"])
@pytest.mark.parametrize("n", [1, 4, 11, 26])
def test_every_spelling_is_the_plain_graph(family: str, spelling: str, n: int) -> None:
    def nodes(trace: Any) -> list[tuple[Any, ...]]:
        # · is the slides' product (cdot), the same gate as * between numbers
        return [(node.op.replace("cdot", "mul"), node.inputs, node.value, node.upstream) for node in trace.nodes]

    assert nodes(_traced(family, n, spelling)) == nodes(_traced(family, n, "plain"))


# What each spelling must contain, so that none silently spells nothing differently.
MARKS = {"comments": ["#"], "pasted": ["·", "−", "σ("], "superscript": ["²"], "all": ["#", "·", "−", "σ(", "²"]}


@pytest.mark.parametrize("family", families.ISSUE_FAMILIES)
@pytest.mark.parametrize("spelling", [s for s in SPELLINGS if s != "plain"])
def test_each_spelling_changes_the_text_as_it_says(family: str, spelling: str) -> None:
    fam = FAMILIES[family]
    plain, text = spell(fam, 40, "plain"), spell(fam, 40, spelling)
    assert plain.isascii() and "#" not in plain
    for mark in MARKS[spelling]:
        assert text.count(mark) >= 3, (family, spelling, mark)
    if spelling in ("superscript", "pasted"):  # no other change: the same line breaks, no comments
        assert text.count("\n") == plain.count("\n") and "#" not in text
    if spelling == "comments":
        assert text.isascii()
        assert re.search(r"^#.*\n", text, re.M) and re.search(r"\S  #", text)  # comment lines and trailing ones


@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_reference_value_is_micrograd(family: str) -> None:
    """The reference stands in for micrograd: where micrograd is installed, the two agree."""
    micrograd = pytest.importorskip("micrograd.engine", reason="micrograd (pip install '.[bench]') is not installed")
    for n in (1, 9, 30):
        ours, theirs = _peer(family, n, Ref), _peer(family, n, micrograd.Value)
        assert _same(ours[0], theirs[0])
        assert all(_same(ours[1][k], theirs[1][k]) for k in theirs[1])


def test_the_stage_breakdown_reaches_the_public_stage_functions() -> None:
    """bench_shapes.py --stages times parse, build, forward, backward and JSON through public
    functions; here it runs on a tiny program (no time is checked) so a move that breaks it shows."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        bench_shapes = _load("bench_shapes")
    finally:
        sys.path.remove(str(BENCHMARKS))
    result = bench_shapes.stages("chain", "all", 12)
    assert set(result["seconds"]) == set(bench_shapes.STAGES)
    assert result["nodes"] == len(gradtrace.trace(spell(FAMILIES["chain"], 12, "plain"),
                                                  bindings=values_for(FAMILIES["chain"], 12)).nodes)
    assert result["json_chars"] > 0


@pytest.mark.parametrize("data", ["floats", "numpy"])
def test_the_value_benchmark_trains_both_contenders_alike(data: str) -> None:
    """bench_value.py times micrograd's demo on gradtrace's Value and on micrograd's own: both train
    the same model on the same data to the same loss curve (here tiny; no time is checked)."""
    pytest.importorskip("micrograd.engine", reason="micrograd (pip install '.[test]') is not installed")
    bench_value = _load("bench_value")
    ours = bench_value.train("gradtrace", data, 4, 16, [4, 4, 1])
    theirs = bench_value.train("micrograd", data, 4, 16, [4, 4, 1])
    assert len(ours["losses"]) == 4 and ours["seconds"] > 0
    assert ours["losses"] == pytest.approx(theirs["losses"], rel=1e-12)
    assert ours["losses"] != pytest.approx([ours["losses"][0]] * 4)  # it trains
# Benchmark (h): the course's two networks, gradtrace against PyTorch, at tiny sizes --------------

nets = _load("bench_nets")
TINY = {"two_layer": {"n": 3, "d": 12, "h": 5, "c": 4}, "conv": {"n": 2, "filters": 2, "side": 4, "h": 5, "c": 3}}


@pytest.fixture
def torch():
    import needs

    return needs.module("torch", "pip install torch==2.13.0")


@pytest.mark.parametrize("name", sorted(nets.NETS))
def test_both_contenders_of_the_nets_benchmark_do_the_same_work(torch, name: str) -> None:
    """The program gradtrace traces and the layers PyTorch runs give one loss and the same
    gradients of every float input (within 1e-8), as the benchmark checks before it times them."""
    net = nets.NETS[name]
    arrays = net.arrays(**TINY[name])
    ours, theirs = nets.gradtrace_run(net, arrays), nets.torch_runner(net, arrays)()
    assert set(theirs[1]) == set(arrays) - {"y"}
    nets.agree(name, ours, theirs)
    again = nets.torch_runner(net, arrays)
    again()
    nets.agree(name, again(), theirs)  # each timed run starts from no gradients, not adding to the last


@pytest.mark.parametrize("name", sorted(nets.NETS))
def test_the_nets_benchmark_notices_a_wrong_gradient(torch, name: str) -> None:
    net = nets.NETS[name]
    arrays = net.arrays(**TINY[name])
    loss, grads = nets.torch_runner(net, arrays)()
    for key in grads:
        wrong = dict(grads)
        wrong[key] = grads[key] * (1 + 1e-6)
        with pytest.raises(AssertionError, match=key):
            nets.agree(name, (loss, grads), (loss, wrong))
    with pytest.raises(AssertionError, match="loss"):
        nets.agree(name, (loss + 1e-6, grads), (loss, grads))


@pytest.mark.slow
def test_the_nets_benchmark_checks_the_cli_too(torch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI row's command, with its .npy files and --json, gives PyTorch's gradients."""
    sizes = TINY["two_layer"]
    monkeypatch.setitem(nets.NETS, "two_layer", nets.NETS["two_layer"].__class__(
        nets.NETS["two_layer"].program, lambda n: nets._two_layer_arrays(n, d=sizes["d"], h=sizes["h"], c=sizes["c"]),
        nets.NETS["two_layer"].torch_loss, "tiny"))
    command = nets.check("two_layer", sizes["n"], tmp_path, threads=1)
    assert command[-1] == "--json" and sorted(p.name for p in tmp_path.iterdir()) == [
        "W1.npy", "W2.npy", "X.npy", "b1.npy", "b2.npy", "y.npy"]


def test_run_summarises_the_nets_against_their_aim() -> None:
    run = _load("run")
    results = {"headline": {"ratio": 0.9}, "scale": {}, "vectors": {},
               "nets": {"nets": {"two_layer": {"time_ratio": 1.5, "memory_ratio": 0.8},
                                 "conv": {"time_ratio": 1.1, "memory_ratio": None}}}}
    rows = [row for row in run.summary(results) if row[0].startswith("(h)")]
    assert rows == [("(h) two_layer net time / PyTorch", 1.5, 1.2), ("(h) two_layer net memory / PyTorch", 0.8, 1.2),
                    ("(h) conv net time / PyTorch", 1.1, 1.2)]
