"""Bad input never produces a traceback: a bounded, seeded fuzz of the CLI over random text and
over grammar-built programs mixing scalars, arrays and every op. Each run must end in a clean exit
with a documented code."""

import random

import pytest

from gradtrace.core.ops import OPS

ATOMS = ["x", "y", "z", "2", "0", "-1", "0.5", "pi", "1e300"]
BINARY = ["+", "-", "*", "/", "**", "@"]
FUNCTIONS = sorted(name for name, op in OPS.items() if op.callable)
VALUES = ["1", "-2", "0", "0.5", "[1,2]", "[[1,2],[3,4]]", "[0, 1]", "3", "1e308", "[]", "[1,", "1/0", "@/nope.npy"]
FLAGS = [[], ["--json"], ["--check"], ["--explain"], ["--graph"], ["--dot"], ["--format", "csv"], ["--exact"],
         ["--seed", "ones"], ["--jacobian"], ["--format", "latex"], ["--mermaid"], ["--format", "markdown"],
         ["--expect", "x=1"]]


def program(rng, depth):
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(ATOMS)
    r = rng.random()
    if r < 0.4:
        return f"({program(rng, depth - 1)} {rng.choice(BINARY)} {program(rng, depth - 1)})"
    name = rng.choice(FUNCTIONS)
    op = OPS[name]
    n = 2 if op.arity in (-1, 2) else 1
    return f"{name}({', '.join(program(rng, depth - 1) for _ in range(n))})"


def text(rng):
    pieces = list("xyz0123456789.+-*/^()@,;=#eE \n[]") + ["max(", "exp(", "sum(", ".T", "**", "−", "·", "+="]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))


@pytest.mark.parametrize("kind", ["grammar", "text"])
def test_no_input_produces_a_traceback(gt, kind):
    from click.testing import CliRunner

    from gradtrace.cli import cli

    runner = CliRunner()
    rng = random.Random(1234)
    for _ in range(400):
        source = program(rng, rng.randint(1, 4)) if kind == "grammar" else text(rng)
        args = [source, "-x", rng.choice(VALUES), "-y", rng.choice(VALUES), "-z", rng.choice(VALUES)]
        result = runner.invoke(cli, args + rng.choice(FLAGS))
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            (args, repr(result.exception))
        assert result.exit_code in (0, 1, 2, 3), (args, result.exit_code)
        assert "Traceback" not in result.output


@pytest.mark.parametrize("source, message", [
    ("pi @ 1e300", "@ needs two arrays"),
    ("2 @ x", "@ needs two arrays"),
    ("dot(x, -1)", "dot needs array arguments"),
    ("svm_loss(1e300, x)", "svm_loss needs array arguments"),
    ("sum(3)", "sum needs array arguments"),
])
def test_array_ops_refuse_constants_with_a_parse_error(gt, source, message):
    result = gt(source, "-x", "[1, 2]")
    assert result.exit_code == 2 and message in result.stderr and "^" in result.stderr


CALLABLE = sorted(name for name, op in OPS.items() if op.callable)


@pytest.mark.parametrize("name", CALLABLE)
def test_every_function_called_with_too_few_or_too_many_arguments_is_a_parse_error(gt, name):
    """Each op of the table, called with one argument fewer than it needs and one more than it
    takes: a parse error that names it, never an internal error (pow(x) once reached the engine)."""
    op = OPS[name]
    needs = 2 if op.arity == -1 else op.arity
    takes = None if op.arity == -1 else op.arity + len(op.keyword_params)
    counts = [needs - 1] + ([takes + 1] if takes is not None else [])
    for count in counts:
        source = f"{name}({', '.join(['x'] * count)})"
        for value in ("2", "[1, 2]"):
            result = gt(source, "-x", value)
            assert result.exit_code == 2, (source, value, result.stderr)
            assert result.stderr.startswith(f"gradtrace: parse error: {name} "), (source, result.stderr)
            assert "internal error" not in result.stderr and "Traceback" not in result.stderr
