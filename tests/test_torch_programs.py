"""Random programs, scalar and array, against PyTorch float64: every value and every gradient.

A program is drawn as text over the whole op table (elementwise ops with broadcasting, batched @,
dot, sum, mean (of every element or along an axis), norm, transpose, reshape, subscripts, softmax,
log_softmax and the two losses), with bindings that now and then sit on a kink (relu at 0, a max
tie) or in a far tail. gradtrace traces it; the same graph is then run by PyTorch, each node
through its record's `torch` counterpart, and autograd's gradients must match gradtrace's. A
program gradtrace refuses must be refused with a clean GradtraceError (a domain or shape verdict),
never an internal error.

The default run draws PROGRAMS programs (a few seconds); the long profile is
GRADTRACE_TORCH_PROGRAMS=18000 python -m pytest tests/test_torch_programs.py
"""

from __future__ import annotations

import math
import os
import random

import numpy as np
import pytest

import gradtrace
from gradtrace.core.errors import GradtraceError
from gradtrace.modes.answers import float_noise

PROGRAMS = int(os.environ.get("GRADTRACE_TORCH_PROGRAMS", "400"))

SHAPES = {"s": (), "a": (3,), "b": (3,), "r": (1, 3), "c": (2, 1), "M": (2, 3), "N": (3, 4),
          "B": (2, 2, 3), "v": (4,)}
LABELS = {"y2": [0, 2], "y1": [1]}  # class labels for (2, C) and (C,) scores
UNARY = ["exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "leaky_relu", "elu"]
BINARY = ["+", "-", "*", "/", "max", "min", "**"]


def torch_or_skip():
    import needs

    return needs.module("torch", "pip install torch==2.13.0")


class Draw:
    """Random typed terms: each is (text, shape)."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def leaf(self) -> tuple[str, tuple]:
        name = self.rng.choice(sorted(SHAPES))
        return name, SHAPES[name]

    def term(self, depth: int) -> tuple[str, tuple]:
        rng = self.rng
        if depth == 0 or rng.random() < 0.2:
            return self.leaf()
        kind = rng.random()
        if kind < 0.3:
            text, shape = self.term(depth - 1)
            op = rng.choice(UNARY)
            if op in ("log", "sqrt"):
                return f"{op}(({text}) * ({text}) + 0.5)", shape   # kept inside the domain
            if op == "exp":
                return f"exp(({text}) / 4)", shape
            if op in ("leaky_relu", "elu"):
                return f"{op}({text}, {rng.choice(['0.1', '2'])})", shape
            return f"{op}({text})", shape
        if kind < 0.6:
            (ta, sa), (tb, sb) = self.term(depth - 1), self.term(depth - 1)
            try:
                shape = tuple(np.broadcast_shapes(sa, sb))
            except ValueError:
                return ta, sa
            op = rng.choice(BINARY)
            if op == "/":
                return f"({ta}) / (({tb}) * ({tb}) + 1)", shape
            if op == "**":
                return f"(({ta}) * ({ta}) + 0.5) ** (({tb}) / 3)", shape
            if op in ("max", "min"):
                return f"{op}({ta}, {tb})", shape
            return f"({ta}) {op} ({tb})", shape
        if kind < 0.72:  # a constant operand: the lecture's one-input gates
            text, shape = self.term(depth - 1)
            return rng.choice([f"({text}) * 3", f"2 - ({text})", f"({text}) + 1", f"1 / (({text}) * ({text}) + 1)",
                               f"({text}) ^ 2", f"2 ^ ({text})", f"-({text})"]), shape
        return self.array_op(depth)

    def array_op(self, depth: int) -> tuple[str, tuple]:
        rng = self.rng
        ta, sa = self.term(depth - 1)
        choice = rng.random()
        if choice < 0.25:
            # a matrix product with a leaf of a fitting shape: matrix·vector, matrix·matrix, batched
            fits = [(n, s) for n, s in SHAPES.items() if len(s) >= 1 and len(sa) >= 1 and
                    _matmul_shape(sa, s) is not None]
            if fits:
                n, s = rng.choice(fits)
                return f"({ta}) @ {n}", _matmul_shape(sa, s)
            return ta, sa
        same = [n for n, s in SHAPES.items() if s == sa and len(sa) == 1]
        if choice < 0.35 and same:
            return f"dot({ta}, {rng.choice(same)})", ()
        if choice < 0.45:
            return f"{rng.choice(['sum', 'mean', 'norm'])}({ta})", ()
        if choice < 0.65 and len(sa) >= 1:
            return self.reshaped(ta, sa)
        if choice < 0.72 and len(sa) >= 1:
            return f"transpose({ta})", tuple(reversed(sa))
        if choice < 0.85 and len(sa) >= 1:
            return f"{rng.choice(['softmax', 'log_softmax'])}({ta})", sa
        if sa == (2, 3):
            return f"{rng.choice(['cross_entropy', 'svm_loss'])}({ta}, y2)", ()
        if sa in ((3,), (4,)):
            return f"{rng.choice(['cross_entropy', 'svm_loss'])}({ta}, y1)", ()
        return f"sum({ta})", ()


    def reshaped(self, ta: str, sa: tuple) -> tuple[str, tuple]:
        """sum or mean along an axis, a reshape or a subscript of a term with axes."""
        rng = self.rng
        kind = rng.random()
        if kind < 0.4:
            axis = rng.randint(-len(sa), len(sa) - 1)
            return f"{rng.choice(['sum', 'mean'])}({ta}, axis={axis})", sa[:axis % len(sa)] + sa[axis % len(sa) + 1:]
        if kind < 0.6:
            size = int(np.prod(sa))
            shape = rng.choice([(-1,), (size,), (1, -1), (size, 1), (-1, 1)])
            return f"reshape({ta}, ({', '.join(map(str, shape))},))", tuple(np.zeros(sa).reshape(shape).shape)
        items = []
        for n in sa[:rng.randint(1, len(sa))]:
            if rng.random() < 0.4:
                items.append(str(rng.randint(-n, n - 1)))
            else:
                items.append(rng.choice([":", "::-1", f"{rng.randint(0, n - 1)}:", f":{rng.randint(1, n)}", "::2"]))
        picked = np.zeros(sa)[_index_of(items)]
        return f"({ta})[{', '.join(items)}]", tuple(picked.shape)


def _index_of(items: list[str]) -> tuple:
    """A subscript's items ("0", ":", "1:", "::-1") as numpy's index, read without eval."""
    out = []
    for item in items:
        if ":" not in item:
            out.append(int(item))
            continue
        parts = [int(p) if p else None for p in item.split(":")]
        out.append(slice(*parts))
    return tuple(out)


def _matmul_shape(a: tuple, b: tuple) -> tuple | None:
    try:
        return tuple(np.matmul(np.zeros(a), np.zeros(b)).shape)
    except ValueError:
        return None


def bindings(rng: random.Random, names: set[str]) -> dict:
    out = {}
    for name in sorted(names):
        shape = SHAPES[name]
        kind = rng.random()
        if kind < 0.15:
            count = max(1, int(np.prod(shape)))
            values = np.array(rng.choices([-1.0, 0.0, 1.0], k=count)).reshape(shape)  # kinks and ties
        elif kind < 0.25:
            tails = [rng.choice((-1, 1)) * rng.uniform(8, 40) for _ in range(int(np.prod(shape)))]
            values = np.array(tails).reshape(shape)
        else:
            values = np.array([rng.uniform(-2, 2) for _ in range(int(np.prod(shape)))]).reshape(shape)
        out[name] = values if shape else float(values)
    for name, labels in LABELS.items():
        out[name] = np.array(labels, dtype=float)
    return out


def _close(ours, theirs, rtol: float, noise) -> bool:
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    slack = rtol * np.abs(theirs) + 1e-12 + 16 * np.asarray(noise, dtype=float)
    return bool(np.all(np.abs(ours - theirs) <= slack))


def torch_gradients(torch, trace) -> dict:
    """Run the trace's own graph in PyTorch, node by node through each op's torch counterpart."""
    graph = trace.graph
    leaves = {}
    values: list = []
    for node in graph.nodes:
        if node.op is None:
            tensor = torch.tensor(np.asarray(trace.bindings[node.name], dtype=float), dtype=torch.float64,
                                  requires_grad=node.name not in LABELS)
            leaves[node.name] = tensor
            values.append(tensor)
            continue
        args = [values[i] for i in node.inputs]
        op = node.op
        if op.variadic:
            out = op.oracles.torch(torch, args, *node.params)
        else:
            out = op.oracles.torch(torch, *args, *node.params)
        values.append(out)
    output = values[graph.output.id]
    wanted = [t for name, t in leaves.items() if t.requires_grad]
    grads = torch.autograd.grad(output.sum(), wanted, allow_unused=True)
    named = [name for name, t in leaves.items() if t.requires_grad]
    return {"value": output.detach().numpy(),
            **{name: (np.zeros(tuple(t.shape)) if g is None else g.numpy())
               for name, t, g in zip(named, wanted, grads)}}


@pytest.mark.slow
def test_random_programs_match_pytorch_float64():
    torch = torch_or_skip()
    rng = random.Random(20261122)
    checked = refused = 0
    for k in range(PROGRAMS):
        draw = Draw(rng)
        text, shape = draw.term(rng.randint(1, 4))
        program = f"sum({text})" if shape else text
        trace_ = None
        try:
            from gradtrace.core.graph import build

            used = build(program).variable_names
            trace_ = gradtrace.trace(program, **{k: v for k, v in bindings(rng, set(SHAPES)).items() if k in used})
        except GradtraceError:
            refused += 1  # a domain or shape verdict, said cleanly
            continue
        except Exception as exc:  # anything else is a bug in gradtrace
            raise AssertionError(f"program {k}: {program}: internal error {type(exc).__name__}: {exc}") from exc
        theirs = torch_gradients(torch, trace_)
        # Two float64 libraries may round differently by an ulp; in an ill-conditioned program
        # (cos of 2^50) that grows. The tolerance adds the float noise gradtrace measures itself.
        values_noise, upstream_noise = float_noise(trace_)
        value = np.asarray(trace_.value, dtype=float)
        assert _close(value, theirs["value"], 1e-10, values_noise[trace_.graph.output.id]), (k, program, value)
        for var in trace_.graph.variables:
            g = trace_.upstream[var.id]
            if var.name in LABELS or g is None:
                continue
            assert _close(np.asarray(g, dtype=float), theirs[var.name], 1e-8, upstream_noise[var.id]), \
                (k, program, var.name, g, theirs[var.name])
        checked += 1
    assert checked >= PROGRAMS // 2, f"only {checked} of {PROGRAMS} programs traced ({refused} refused)"


@pytest.mark.parametrize("program, shapes", [
    ("sum(A @ v)", {"A": (2, 2, 3), "v": (3,)}),
    ("sum(v @ A)", {"A": (2, 3, 2), "v": (3,)}),
    ("sum(A @ B)", {"A": (2, 2, 3), "B": (3, 4)}),
    ("sum(A @ B)", {"A": (2, 3), "B": (5, 3, 4)}),
    ("sum(relu(A @ B) * c)", {"A": (2, 2, 3), "B": (2, 3, 4), "c": (1, 4)}),
    ("dot(x, y)", {"x": (3,), "y": (3,)}),
    ("cross_entropy(S, y)", {"S": (4, 3)}),
    ("svm_loss(S, y)", {"S": (4, 3)}),
    ("sum(softmax(S) * log_softmax(S))", {"S": (2, 3, 4)}),
    ("norm(transpose(B) - c)", {"B": (3, 2), "c": (3,)}),
    ("sum(maxpool2d(relu(conv2d(X, K, k, stride=2, pad=1)), size=3, stride=1))",
     {"X": (2, 3, 7, 7), "K": (4, 3, 3, 3), "k": (4,)}),
    ("sum(conv2d(X * c, K, k, 1, 2) * conv2d(X, K, k, pad=2))", {"X": (1, 3, 5, 5), "c": (3, 1, 1), "K": (2, 3, 4, 4),
                                                                  "k": (2,)}),
    ("sum(sum(A * c, axis=1) * mean(B, -1))", {"A": (2, 3, 4), "c": (3, 1), "B": (2, 4, 5)}),
    ("sum(reshape(A, (-1, 4)) @ B)", {"A": (2, 3, 4), "B": (4, 2)}),
    ("sum(A[:, ::-1, 1:] * c[1:]) + A[-1, 0, 2] * sum(B[0])", {"A": (2, 3, 4), "c": (4,), "B": (3, 2)}),
])
def test_array_ops_with_broadcasting_and_batches_match_pytorch(program, shapes):
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    values = {name: rng.normal(size=shape) for name, shape in shapes.items()}
    if "y" in program and "y" not in values:
        values["y"] = np.array([0.0, 2.0, 1.0, 1.0])
    t = gradtrace.trace(program, **values)
    theirs = torch_gradients(torch, t)
    assert np.allclose(t.value, theirs["value"], rtol=1e-12)
    for name in shapes:
        np.testing.assert_allclose(t.gradients[name], theirs[name], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("program, values", [
    ("dot(x, y)", {"x": [1.0, 2, 3], "y": [[1.0, 2, 3], [4, 5, 6]]}),
    ("dot(x, y)", {"x": 2.0, "y": [1.0, 2]}),
    ("dot(x, y)", {"x": [1.0, 2], "y": [1.0, 2, 3]}),
    ("cross_entropy(S, y)", {"S": np.zeros((2, 2, 3)), "y": [0.0, 1]}),
    ("svm_loss(S, y)", {"S": np.zeros((2, 2, 3)), "y": [0.0, 1]}),
    ("cross_entropy(S, y)", {"S": np.zeros((2, 3)), "y": [0.0, 1, 2]}),
    ("svm_loss(S, y)", {"S": np.zeros((2, 3)), "y": [[0.0, 1]]}),
])
def test_shapes_an_op_does_not_take_are_refused_as_binding_errors(program, values):
    with pytest.raises(gradtrace.BindingError) as err:
        gradtrace.trace(program, **{k: np.asarray(v, dtype=float) for k, v in values.items()})
    assert "shapes don't fit" in str(err.value)


def test_a_fan_out_that_overflows_is_reported_like_any_overflow(gt):
    result = gt("y*x + y*x", "-y", "1e308", "-x", "1e-10")
    assert result.exit_code == 1 and "∂f/∂x overflows" in result.stderr
    assert gt("y*x", "-y", "1e308", "-x", "1e-10").exit_code == 0


@pytest.mark.parametrize("program, at, value, grads", [
    ("x^0", {"x": 0.0}, 1.0, {"x": 0.0}),
    ("x^y", {"x": 0.0, "y": 0.0}, 1.0, {"x": 0.0, "y": 0.0}),
    ("x^y", {"x": 0.0, "y": 2.0}, 0.0, {"x": 0.0, "y": 0.0}),
])
def test_powers_at_zero_follow_pytorch(program, at, value, grads):
    t = gradtrace.trace(program, **at)
    assert t.value == value and t.gradients == grads
    torch = torch_or_skip()
    xs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in at.items()}
    out = xs["x"] ** (xs["y"] if "y" in xs else 0)
    out.backward()
    assert out.item() == value and all((xs[k].grad.item() if xs[k].grad is not None else 0.0) == g
                                       for k, g in grads.items())


def test_exact_mode_keeps_the_kink_conventions(gt):
    result = gt("relu(x + y - z)", "-x", "0.1", "-y", "0.2", "-z", "0.3", "--exact", "--json")
    import json

    data = json.loads(result.stdout)
    assert data["gradients"] == {"x": 0.0, "y": 0.0, "z": 0.0}   # relu'(0) = 0, not Heaviside(0) = 1/2
    data = json.loads(gt("max(x + y, z)", "-x", "0.1", "-y", "0.2", "-z", "0.3", "--exact", "--json").stdout)
    assert data["gradients"] == {"x": 0.5, "y": 0.5, "z": 0.5}   # a tie splits evenly


def test_python_arrays_are_float64_copies_or_refused():
    x = np.array([2 ** 40])
    assert gradtrace.trace("sum(x*x)", x=x).value == float(2 ** 80)
    y = np.array([1.0, 2.0])
    t = gradtrace.trace("sum(y*y)", y=y)
    y[0] = 100.0
    assert t.value == 5.0 and list(t.bindings["y"]) == [1.0, 2.0]
    for bad in (np.array([1 + 2j]), np.array([True, False]), np.array(["a"], dtype=object), np.array([2 ** 60])):
        with pytest.raises(gradtrace.BindingError):
            gradtrace.trace("sum(z*z)", z=bad)
    assert math.isfinite(gradtrace.trace("sum(z)", z=np.float32([1.5])).value)
