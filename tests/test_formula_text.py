"""The local column's formula text is checked, not only its value: every op of the table, every
input, at many points (the far tails, near and at the kinks, near domain edges), has its formula
filled with the inputs' values and read by gradtrace's own parser (core/formula_reader.evaluate, never
eval or sympify), and the number it reads must be the rule's value. A wrong formula (sinh's
written as its own value, tan's as 1 + tan) fails here, and so does one that can't be read.

--explain substitutes values into the same formulas. A formula it can't read is an error, not a
step silently left out.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import types

import pytest

from gradtrace.core.engine import run
from gradtrace.core.formula_reader import FormulaError, evaluate
from gradtrace.core.formulas import formulas_with
from gradtrace.core.graph import ATOM, COPY, Const, Graph, Node
from gradtrace.core.numbers import NumberFormat
from gradtrace.core.ops import OPS, scalar
from gradtrace.render import explain
from gradtrace.render.text import local_cell

TABLE = {**OPS, "copy": COPY}  # the op table, and the gate a named copy (a = x) makes
PARTIALS = sorted(name for name, op in TABLE.items() if not op.arrays_only)
NUMBERS = NumberFormat(digits=4)  # as the table shows numbers

# One input: the far tails, near 0 (the kink of relu, abs, sign, ...) from both sides, near ±1
# (hardtanh's default kinks), and at them.
X = [-1e100, -1e8, -1000.0, -700.0, -100.0, -30.0, -20.0, -5.0, -2.0, -1.5, -1 - 1e-9, -1.0, -1 + 1e-9, -0.5,
     -1e-3, -1e-9, -1e-300, 0.0, 1e-300, 1e-100, 1e-9, 1e-3, 0.1, 0.5, 1 - 1e-9, 1.0, 1 + 1e-9, 1.5, 2.0, 3.7,
     5.0, 20.0, 30.0, 100.0, 700.0, 1000.0, 1e4, 1e8, 1e100]
# Two inputs: a grid of pairs, with near ties (max, min) among them.
PAIRS = [-1e8, -1000.0, -30.0, -2.0, -1.0, -0.5, -1e-3, -1e-9, 0.0, 1e-9, 1e-3, 0.5, 1.0, 1 + 1e-12, 2.0, 30.0,
         1000.0, 1e8]
PARAMETERS = {"c": [-3.0, -2.0, -1.5, -0.5, 1 / 3, 0.5, 2.0, 3.0, 10.0], "alpha": [0.01, 0.2, 1.0, 2.0],
              "beta": [1.0, 0.5, 3.0], "lo": [-1.0, -2.0, 0.0], "hi": [1.0, 0.5, 3.0], "consts": [()]}


def _points(op):
    """(inputs, parameters) inside the op's domain where its output and local gradients are finite."""
    names = [name for name, _ in op.rule_params]
    found = []
    for params in itertools.product(*(PARAMETERS[name] for name in names)):
        given = dict(zip(names, params))
        edges = [v + d for v in (given.get("lo"), given.get("hi")) if v is not None for d in (-1e-9, 0.0, 1e-9)]
        if op.arity == 1:
            inputs = [(x,) for x in X + edges]
        else:
            inputs = list(itertools.product(PAIRS, repeat=2))
            if op.variadic:
                inputs += [(1.0, 1.0 + 1e-12, 1.0 - 1e-12), (-2.0, 3.0, 3.0 - 1e-9)]
        for xs in inputs:
            if op.variadic and len(set(xs)) < len(xs):
                continue  # NOTE: at an exact tie [x is max] reads 1, the rule splits: the kink note says so
            if op.name == "pow" and xs[0] == 0:
                continue  # NOTE: at base 0 ln(x)·x^y is undefined; the rule takes its limit, 0 (as PyTorch)
            try:
                if not op.in_domain(scalar, xs, params):
                    continue
                out = op.apply(scalar, xs, params)
                local = op.local(scalar, out, xs, params)
            except (ArithmeticError, ValueError):
                continue
            if math.isfinite(out) and all(math.isfinite(g) for g in local):
                found.append((xs, params, out, local))
    return found


def _gate(op, xs, params):
    """A graph of one gate of `op` over variables x, y, ... (and its constant, for x + c)."""
    nodes = []
    for k in range(len(xs)):
        Node(nodes, None, (), (), (), (0, 0), name="xyzw"[k])
    args = tuple(range(len(xs)))
    if op.maths.constant:
        args += (Const(params[0], repr(params[0]), ATOM),)
    Node(nodes, op, tuple(range(len(xs))), params, args, (0, 0), name="t")
    return nodes


def filled(op, xs, params, out):
    """Each input's formula with every value written in full (repr: the float itself)."""
    nodes = _gate(op, xs, params)
    values = list(xs) + [out]
    return formulas_with(types.SimpleNamespace(nodes=nodes), nodes[-1], lambda n: repr(values[n.id]))


def mismatches(op):
    """Where the formula text, filled in and read, is not the rule's value: (text, read, rule)."""
    wrong = []
    for xs, params, out, local in _points(op):
        among = [repr(v) for v in (*xs, *(params[0] if op.variadic else ()))]
        for text, rule in zip(filled(op, xs, params, out), local):
            read = evaluate(text, among)
            # Twelve digits: the text is read with the floats as written, in another order than
            # the rule's, so the last few digits may differ; a wrong formula is wrong in the first.
            if not abs(read - rule) <= 1e-9 * max(abs(rule), abs(read)) + 1e-12:
                wrong.append((text, read, rule))
    return wrong


@pytest.mark.parametrize("name", PARTIALS)
def test_every_formula_text_is_its_rules_value(name):
    op = TABLE[name]
    points = _points(op)
    assert len(points) >= 20, f"{name}: only {len(points)} points in its domain"
    assert mismatches(op) == []


def _patch_formula(monkeypatch, name, formula):
    """Give an op's record other formula text, for one test."""
    op = OPS[name]
    monkeypatch.setattr(op, "text", dataclasses.replace(op.text, formula=formula))


@pytest.mark.parametrize("name, formula", [
    ("tan", ("1+tan({0})",)),       # the corruptions: tan's square dropped,
    ("sinh", ("sinh({0})",)),       # sinh's gradient written as its value
    ("sigmoid", ("(1 - {out})",)),  # half of a product
    ("div", ("1/{1}", "{0}/{1}²")),  # a sign lost on one input only
    ("relu", ("[{0} ≥ 0]",)),       # the kink's convention changed: wrong at 0 only
    ("leaky_relu", ("1 if {0} > 0 else 0",)),
    ("max", ("[{i} is min]",)),
])
def test_a_wrong_formula_text_fails(monkeypatch, name, formula):
    _patch_formula(monkeypatch, name, formula)
    assert mismatches(OPS[name]), f"{name}: a wrong formula went unnoticed"


@pytest.mark.parametrize("name, formula", [("tan", ("1+tan²({0})",)), ("sinh", ("ch({0})",)),
                                           ("exp", ("e^{0} +",)), ("relu", ("[{0} >> 0]",))])
def test_a_formula_that_cant_be_read_fails(monkeypatch, name, formula):
    _patch_formula(monkeypatch, name, formula)
    with pytest.raises(FormulaError):
        mismatches(OPS[name])


@pytest.mark.parametrize("text, value", [
    ("1+tan(0.5)²", 1 + math.tan(0.5) ** 2), ("[-1 < 0.5 < 1]", 1.0), ("[-1 < 1 < 1]", 0.0),
    ("[-1 ≤ 1 ≤ 1]", 1.0), ("1 if (-2) > 0 else 0.01", 0.01), ("1 if 2 > 0 else 0.5·exp(2)", 1.0),
    ("1 if (-2) > 0 else 0.5·exp(-2)", 0.5 * math.exp(-2)), ("Φ(0)+0·φ(0)", 0.5),
    ("φ(1)", math.exp(-0.5) / math.sqrt(2 * math.pi)), ("2·u with u = 3", 6.0),
    ("u'·u with u = 2, u' = u + 1", 6.0), ("[3 is max]", 1.0), ("[2 is max]", 0.0), ("[2 is min]", 1.0),
    ("[3 is min]", 0.0),
])
def test_the_formula_notation_is_read(text, value):
    assert evaluate(text, ["2", "3", "(2.5)"]) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("text", ["1 +", "tan²(1)", "[1 >> 0]", "2·u", "__import__('os')", "1 if 2 else",
                                  "[1 is biggest]", "Φ(1", "u with u"])
def test_text_that_is_not_a_formula_is_refused(text):
    with pytest.raises(FormulaError):
        evaluate(text, ["1"])


# ---- --explain: every step it can show, it shows; one it can't read is an error ---------------

ORDINARY = [0.7, -1.3, 2.5, 0.3]


def _trace(op, xs, params):
    nodes = _gate(op, xs, params)
    fanout = [1] * len(xs) + [0]
    graph = Graph("t", nodes, nodes[-1], [], {}, [(0, 1)], fanout, [])
    return run(graph, {"xyzw"[k]: x for k, x in enumerate(xs)})


def _ordinary_points(op):
    names = [name for name, _ in op.rule_params]
    params = tuple(PARAMETERS[name][0] if name != "c" else 2.0 for name in names)
    arity = 2 if op.arity != 1 else 1
    for xs in itertools.permutations(ORDINARY, arity):
        if op.in_domain(scalar, xs, params):
            yield xs, params


@pytest.mark.parametrize("name", PARTIALS)
def test_explain_shows_every_formula_with_its_values(name):
    """Wherever a formula names an input or the node, --explain writes it with the values put in
    (-1/1.37² = -0.53, [0.7 > 0] = 1), unless the values alone are the formula (∂f/∂x = y = 3)."""
    op = TABLE[name]
    shown = 0
    for xs, params in _ordinary_points(op):
        row = _trace(op, xs, params).row(len(xs))
        for slot in range(len(xs)):
            text = explain._local(row, slot, NUMBERS)
            formula = row.formulas[slot]
            if not any(n in formula for n in (*row.inputs, row.name)):
                continue
            with_values = row.formulas_with(lambda n: NUMBERS.plain(n.value))[slot]
            cell = local_cell(row, slot, NUMBERS)
            if with_values == formula or cell.endswith(f"= {with_values}"):
                continue  # ∂f/∂x = y = 3: the values alone are the formula, nothing to add
            rule, _, value = cell.rpartition(" = ")
            assert text.startswith(f"{rule} = ") and text.endswith(f" = {value}") and len(text) > len(cell), \
                (name, xs, text)
            assert evaluate(text[len(rule) + 3:len(text) - len(value) - 3], [repr(v) for v in row.compared]) \
                == pytest.approx(row.local[slot], rel=1e-3), (name, xs, text)
            shown += 1
    assert shown or all(not any(n in f for n in "xyt") for f in map(str, op.text.formula)), name


@pytest.mark.parametrize("name, formula", [("tan", ("1+tan²({0})",)), ("sinh", ("ch({0})",)),
                                           ("relu", ("[{0} >> 0]",)), ("sigmoid", ("(1 - {out})·{out}′",))])
def test_explain_never_silently_drops_a_formula_it_cant_read(monkeypatch, name, formula):
    _patch_formula(monkeypatch, name, formula)
    trace = _trace(OPS[name], (0.7,), ())
    with pytest.raises(FormulaError):
        explain.backward_lines(trace)


def test_explain_still_leaves_out_arithmetic_that_would_not_add_up():
    """tanh at 20: 1 - 1² is 0 at every precision, but the local gradient is 1.7e-17. That step
    is left out on purpose (the values shown must give the value shown), and the cell stays."""
    row = _trace(OPS["tanh"], (20.0,), ()).row(1)
    assert explain._local(row, 0, NUMBERS) == local_cell(row, 0, NUMBERS)


# ---- array ops: the formula beside each input is its downstream gradient (when it names up,
# the upstream) or its local gradient, read with arrays ----------------------------------------

# The row-wise ops (softmax along the last axis, and the losses averaged over rows) are read row
# by row, in their own notation (p, diag, onehot, [m > 0], Σ): see the section after this one.
ROWWISE = {"softmax", "log_softmax", "cross_entropy", "svm_loss"}
# The window ops (conv2d, maxpool2d) are read in CS231n's im2col notation, and the course's layers
# in theirs (Σ_N, mean_D, rows, x̂ defined after "with"): see the last two sections.
WINDOWED = {"conv2d", "maxpool2d"}
LAYERS = {"affine", "batchnorm", "spatial_batchnorm", "layernorm", "dropout"}
SHAPES = {"matmul": [((3, 2), (2,)), ((2, 3), (3, 4)), ((1, 3), (3, 2))], "cdot": [((3, 2), (2,)), ((2, 3), (3, 4))],
          "transpose": [((2, 3),)], "dot": [((3,), (3,))], "norm": [((3,),), ((2, 2),)],
          "sum": [((2, 3),), ((4,),), ((2, 3, 4),)], "mean": [((2, 3),), ((4,),), ((2, 3, 4),)],
          "reshape": [((2, 3),), ((4,),), ((2, 2, 3),)], "index": [((5,),), ((3, 4),), ((2, 3, 4),)]}
# The parameters each op is read with, where it has them; those that don't fit a shape are passed over.
AXES = [(None,), (0,), (1,), (-1,), (2,), (-3,)]
PARAMS = {"sum": AXES, "mean": AXES,
          "reshape": [((-1,),), ((6, 2),), ((2, -1),), ((3, 2, 2),), ((1, 6),), ((4,),), ((6,),), ((2, 2),)],
          "index": [((0,),), ((-1,),), (((1, 3, None),),), (((None, None, 2),),), (((None, None, None), 1),),
                    ((0, 2),), (((None, None, -1), -2),), ((1, (None, None, 2), 0),),
                    (((2, None, None), (0, 2, None)),)]}
ARRAY_OPS = sorted(name for name, op in OPS.items()
                   if op.maths.vjp is not None and name not in ROWWISE | WINDOWED | LAYERS)


def test_every_array_op_is_read():
    """No array op's formula is left unread: each is read as arrays, row by row, window by window,
    or as a layer."""
    assert set(ARRAY_OPS) | ROWWISE | WINDOWED | LAYERS == {name for name, op in OPS.items()
                                                             if op.maths.vjp is not None}
    assert set(SHAPES) == set(ARRAY_OPS)


def _array_mismatches(op, seed=0):
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_array
    from gradtrace.core.formulas import formulas
    from gradtrace.core.numpy_backend import numpy_backend

    rng = np.random.default_rng(seed)
    wrong = []
    points = 0
    for shapes, params in itertools.product(SHAPES[op.name], PARAMS.get(op.name, [()])):
        if op.maths.shapes is not None and not op.maths.shapes[0](*shapes, *params):
            continue
        xs = tuple(rng.normal(size=shape) for shape in shapes)
        out = op.apply(numpy_backend, xs, params)
        up = rng.normal(size=np.shape(out))
        down = op.maths.vjp(numpy_backend, up, out, *xs, *params)
        nodes = _gate(op, xs, params)
        points += 1
        names = {node.name: x for node, x in zip(nodes, xs)}
        templates = op.text.vjp_formula or None
        for slot, text in enumerate(formulas(types.SimpleNamespace(nodes=nodes), nodes[-1], templates)):
            read = np.asarray(evaluate_array(text, names, up), dtype=float)
            expected = np.broadcast_to(down[slot], np.shape(xs[slot]))
            if "up" not in text and np.size(up) > 1:  # a local gradient needs a scalar output to mean one
                wrong.append((text, shapes, params))
                continue
            if "up" not in text:  # a local gradient: times the upstream, on every element (a scalar output)
                read = np.broadcast_to(np.asarray(up) * read.reshape(-1) if read.size > 1 else up * read,
                                       (expected.size,) if read.size > 1 else expected.shape)
            if read.size != expected.size or not np.allclose(read.reshape(expected.shape), expected, rtol=1e-12):
                wrong.append((text, shapes, params))
    assert points >= len(SHAPES[op.name]), f"{op.name}: only {points} points read"
    return wrong


@pytest.mark.parametrize("name", ARRAY_OPS)
def test_every_array_formula_is_its_downstream(name):
    assert _array_mismatches(OPS[name]) == []


@pytest.mark.parametrize("name, formula", [
    ("matmul", ("up·{1}", "{0}ᵀ·up")), ("transpose", ("up",)), ("norm", ("{0}",)), ("mean", ("1",)),
    ("dot", ("{0}", "{1}")),
    ("sum", (lambda f: "ones" if "axis" not in f else "up",)),  # the copy along the axis forgotten
    ("mean", (lambda f: "1/n" if "axis" not in f else "expand_dims(up, {axis})".format(**f),)),  # no /n
    ("mean", (lambda f: "1/n" if "axis" not in f else "expand_dims(up, 0)/n",)),  # always the first axis
    ("reshape", ("reshape(upᵀ, {0}.shape)",)), ("reshape", ("reshape(up, up.shape)",)),
    ("index", ("zeros_like({0}).at[0].set(up)",)), ("index", ("ones + zeros_like({0}).at[{index}].set(up)",)),
])
def test_a_wrong_array_formula_fails(monkeypatch, name, formula):
    _patch_formula(monkeypatch, name, formula)
    try:
        assert _array_mismatches(OPS[name]), f"{name}: a wrong formula went unnoticed"
    except FormulaError:
        pass  # a formula whose shapes don't even fit: refused, which fails the test above as well


# ---- the row-wise ops: the formula, read row by row, is the engine's vector-Jacobian product ----
# softmax's "diag(p)-p·pᵀ" and log_softmax's "I-1·pᵀ" are the Jacobian of a row's outputs by its
# inputs (row i: output i), so the downstream row is Jᵀ·up; the losses' formulas are the gradient
# of the loss by each row of scores, so the downstream row is up times it. Read by
# core/formula_reader.evaluate_row (gradtrace's own parser, never eval), at random shapes (one row, a
# vector, odd class counts, one class), tiny to huge logits, and integer scores, whose margins
# s_j - s_y + 1 are often exactly 0: the hinge's kink, where the rule takes the gradient 0.

SCALES = [1e-9, 1.0, 5.0, 40.0, 800.0]


def _rowwise_points(op, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    loss = op.arity == 2
    for k in range(60):
        classes = int(rng.choice([1, 2, 3, 5, 7])) if loss else int(rng.choice([1, 2, 3, 4, 7]))
        rows = int(rng.choice([1, 1, 2, 3, 5]))
        shape = (classes,) if k % 4 == 0 else (rows, classes)
        if k % 3 == 2:  # integers: ties among the scores, and margins exactly at the kink
            x = rng.integers(-2, 3, size=shape).astype(float)
        else:
            x = rng.normal(size=shape) * SCALES[k % len(SCALES)]
        if not loss:
            yield (x,)
            continue
        n = 1 if x.ndim == 1 else x.shape[0]
        y = rng.integers(0, classes, size=n).astype(float)
        yield (x, y[0] if x.ndim == 1 and k % 8 == 0 else y)


def _rowwise_mismatches(op, seed=1):
    """Where the formula read row by row is not the op's vector-Jacobian product: (text, inputs)."""
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_row
    from gradtrace.core.formulas import formulas
    from gradtrace.core.numpy_backend import numpy_backend

    rng = np.random.default_rng(seed + 1)
    wrong, checked = [], 0
    for xs in _rowwise_points(op, seed):
        out = op.apply(numpy_backend, xs, ())
        up = rng.normal(size=np.shape(out))
        down = op.maths.vjp(numpy_backend, up, out, *xs)
        nodes = _gate(op, xs, ())
        if seed % 2:  # inputs named otherwise than x and y: the formula names them as they are named
            for node, other in zip(nodes, ("scores", "labels")):
                node.name = other
        texts = formulas(types.SimpleNamespace(nodes=nodes), nodes[-1])
        x = np.atleast_2d(xs[0])
        labels = np.atleast_1d(xs[1]).astype(int) if op.arity == 2 else None
        expected = np.reshape(down[0], x.shape)
        for r in range(x.shape[0]):
            if labels is None:  # a Jacobian (C×C): the downstream row is Jᵀ·up
                jacobian = np.asarray(evaluate_row(texts[0], (nodes[0].name, x[r])), dtype=float)
                if jacobian.shape != (x.shape[1],) * 2:
                    wrong.append((texts[0], xs))
                    continue
                read = jacobian.T @ np.reshape(up, x.shape)[r]
            else:  # a loss's gradient by the row (a column), scaled by the (scalar) upstream
                read = up * np.asarray(evaluate_row(texts[0], (nodes[0].name, x[r]), (nodes[1].name, labels[r]),
                                                    x.shape[0]), dtype=float)
            read = np.broadcast_to(read, (x.shape[1], 1) if np.ndim(read) == 2 else (x.shape[1],)).reshape(-1)
            if not np.allclose(read, expected[r], rtol=1e-9, atol=1e-12 * (1 + np.max(np.abs(up)))):
                wrong.append((texts[0], xs))
            checked += 1
        if op.arity == 2 and (texts[1] != "none" or down[1] is not None):
            wrong.append((texts[1], xs))  # the labels: no gradient, and the formula says so
    assert checked >= 60, f"{op.name}: only {checked} rows read"
    return wrong


@pytest.mark.parametrize("name", sorted(ROWWISE))
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_rowwise_formula_is_its_vector_jacobian_product(name, seed):
    assert _rowwise_mismatches(OPS[name], seed) == []


def test_the_hinge_is_read_at_its_kink():
    """Integer scores put margins exactly at 0, where [m > 0] reads 0 as the rule does: the
    points above do reach the kink, so a formula with ≥ there would fail."""
    import numpy as np

    kinks = 0
    for xs in _rowwise_points(OPS["svm_loss"], 0):
        x, labels = np.atleast_2d(xs[0]), np.atleast_1d(xs[1]).astype(int)
        margins = x - x[np.arange(len(labels)), labels][:, None] + 1
        margins[np.arange(len(labels)), labels] = 1.0
        kinks += int(np.sum(margins == 0))
    assert kinks >= 5


@pytest.mark.parametrize("name, formula", [
    ("softmax", ("diag(p)+p·pᵀ",)), ("softmax", ("diag(p)-pᵀ·p",)), ("softmax", ("p·pᵀ",)),
    ("log_softmax", ("I-p",)),  # the Jacobian transposed: δᵢⱼ - pᵢ
    ("log_softmax", ("I+1·pᵀ",)), ("log_softmax", ("diag(p)-p·pᵀ",)),
    ("cross_entropy", ("(p+onehot({1}))/N", "none")), ("cross_entropy", ("p-onehot({1})", "none")),
    ("cross_entropy", ("(p-onehot(y))/N", "none")),  # the labels' name fixed as y, whatever they are named
    ("cross_entropy", ("(p-onehot({1}))/N", "onehot({1})")),
    ("svm_loss", ("margins/N", "none")),  # the loose text it had: names nothing that is defined
    ("svm_loss", ("([m ≥ 0]-onehot({1})·Σ[m ≥ 0])/N with m = {0}-{0}_{1}+1", "none")),  # wrong at the kink only
    ("svm_loss", ("([m > 0]-onehot({1})·Σ[m > 0])/N with m = {0}-{0}_{1}", "none")),  # margin 0, not 1
    ("svm_loss", ("([m > 0]+onehot({1})·Σ[m > 0])/N with m = {0}-{0}_{1}+1", "none")),
])
def test_a_wrong_rowwise_formula_fails(monkeypatch, name, formula):
    _patch_formula(monkeypatch, name, formula)
    try:
        assert _rowwise_mismatches(OPS[name]), f"{name}: a wrong formula went unnoticed"
    except FormulaError:
        pass  # a formula that can't be read, or whose shapes don't fit: refused, which fails as well


@pytest.mark.parametrize("text, value", [
    ("diag(p)", [[0.5, 0.0], [0.0, 0.5]]), ("I-1·pᵀ", [[0.5, -0.5], [-0.5, 0.5]]),
    ("onehot(y)", [[0.0], [1.0]]), ("x_y", 3.0), ("[x-onehot(y) > 2.5]", [[1.0], [0.0]]), ("Σ[x ≥ 1]", 2.0),
    ("2·m with m = x_y-1", 4.0), ("N", 4.0),
])
def test_the_row_notation_is_read(text, value):
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_row

    assert np.asarray(evaluate_row(text, ("x", [3.0, 3.0]), ("y", 1), 4)).tolist() == value


@pytest.mark.parametrize("text", ["diag(p", "[x >> 0]", "[x > 0 > 1]", "q·p", "m with m", "__import__('os')",
                                  "p with p = x"])
def test_text_that_is_not_a_row_formula_is_refused(text):
    from gradtrace.core.formula_reader import evaluate_row

    with pytest.raises(FormulaError):
        evaluate_row(text, ("x", [1.0, 2.0]), ("y", 0))


# ---- the window ops: the formula, read in im2col notation, is the engine's vector-Jacobian product --
# conv2d's "col2im(wᵀ·up)", "up·im2col(x)ᵀ" and "up·ones" and maxpool2d's
# "col2im(onehot(argmax(im2col(x))) * up)" are CS231n's convolution as a matrix product. Read by
# core/formula_reader.evaluate_windows (its own loops over the windows, gradtrace's own parser, never
# eval) at random shapes: batch 1, odd sizes, every stride 1..3 and pad 0..2 that fits, and for
# pooling integer inputs, whose windows often tie (the formula's argmax takes the first maximum).

def _window_points(op, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    found = 0
    while found < 24:
        n, c = int(rng.choice([1, 1, 2, 3])), int(rng.integers(1, 4))
        h, w = (int(v) for v in rng.integers(3, 10, size=2))
        stride = int(rng.integers(1, 4))
        if op.name == "conv2d":
            f, hh, ww = (int(v) for v in rng.integers(1, 5, size=3))
            pad = int(rng.integers(0, 3))
            params = (float(stride), float(pad))
            xs = (rng.normal(size=(n, c, h, w)), rng.normal(size=(f, c, hh, ww)), rng.normal(size=f))
            window = (hh, ww)
        else:
            size = int(rng.integers(1, 5))
            params, pad, window = (float(size), float(stride)), 0, (size, size)
            x = rng.integers(-2, 3, size=(n, c, h, w)).astype(float) if found % 2 else rng.normal(size=(n, c, h, w))
            xs = (x,)
        if not op.shapes_fit([x.shape for x in xs], params):
            continue
        found += 1
        yield xs, params, window, int(stride), int(pad)


def _windowed_mismatches(op, seed=0):
    """Where the formula read in im2col notation is not the op's vector-Jacobian product."""
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_windows
    from gradtrace.core.formulas import formulas
    from gradtrace.core.numpy_backend import numpy_backend

    rng = np.random.default_rng(seed + 1)
    wrong = []
    for xs, params, window, stride, pad in _window_points(op, seed):
        out = op.apply(numpy_backend, xs, params)
        up = rng.normal(size=np.shape(out))
        down = op.maths.vjp(numpy_backend, up, out, *xs, *params)
        nodes = _gate(op, xs, params)
        if seed % 2:  # inputs named otherwise than x, y and z: the formula names them as they are named
            for node, other in zip(nodes, ("image", "W1", "b1")):
                node.name = other
        names = [node.name for node in nodes]
        roles = {"filters": (names[1], xs[1]), "bias": (names[2], xs[2])} if len(xs) == 3 else {}
        for slot, text in enumerate(formulas(types.SimpleNamespace(nodes=nodes), nodes[-1])):
            read = np.asarray(evaluate_windows(text, (names[0], xs[0]), up, window, stride, pad, **roles), dtype=float)
            if read.size != down[slot].size or not np.allclose(read.reshape(down[slot].shape), down[slot],
                                                               rtol=1e-12, atol=1e-12):
                wrong.append((text, [x.shape for x in xs], params))
    return wrong


@pytest.mark.parametrize("name", sorted(WINDOWED))
@pytest.mark.parametrize("seed", [0, 1])
def test_every_window_formula_is_its_vector_jacobian_product(name, seed):
    assert _windowed_mismatches(OPS[name], seed) == []


def test_the_window_points_reach_ties_and_overlaps():
    """Pooling windows that tie at their maximum, and windows that overlap (stride < size), are
    among the points read: a formula that took the last maximum, or forgot to add up overlaps,
    would fail."""
    import numpy as np

    ties = overlaps = 0
    for (x,), (size, stride), *_ in _window_points(OPS["maxpool2d"], 0):
        k, s = int(size), int(stride)
        overlaps += s < k
        windows = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
        ties += int(np.sum((windows == windows.max(axis=(4, 5), keepdims=True)).sum(axis=(4, 5)) > 1))
    assert ties >= 5 and overlaps >= 3


@pytest.mark.parametrize("name, formula", [
    ("conv2d", ("col2im({1}·up)", "up·im2col({0})ᵀ", "up·ones")),   # shapes that don't fit: refused
    ("conv2d", ("col2im({1}ᵀ·up)", "up·im2col({0})", "up·ones")),
    ("conv2d", ("col2im({1}ᵀ·up)", "up·im2col({0})ᵀ", "up·ones·2")),
    ("conv2d", ("col2im({1}ᵀ·up)", "up·im2col({0})ᵀ", "{2}")),      # the biases' value, not their gradient
    ("conv2d", ("im2col({1}ᵀ·up)", "up·im2col({0})ᵀ", "up·ones")),
    ("maxpool2d", ("col2im(onehot(argmax(im2col({0}))))",)),       # the upstream left out
    ("maxpool2d", ("col2im(onehot(argmax(-im2col({0}))) * up)",)),  # the minimum
    ("maxpool2d", ("col2im(im2col({0}) * up)",)),
    ("maxpool2d", ("col2im(onehot(argmax(im2col({0})) * up)",)),  # a parenthesis lost
])
def test_a_wrong_window_formula_fails(monkeypatch, name, formula):
    _patch_formula(monkeypatch, name, formula)
    try:
        assert _windowed_mismatches(OPS[name]), f"{name}: a wrong formula went unnoticed"
    except FormulaError:
        pass  # a formula that can't be read, or whose shapes don't fit: refused, which fails as well


def test_a_tie_is_read_as_the_first_maximum():
    """One window of equal values: argmax, and the formula, send the whole gradient to the first."""
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_windows

    x = np.full((1, 1, 2, 2), 3.0)
    read = evaluate_windows("col2im(onehot(argmax(im2col(x))) * up)", ("x", x), np.array([[[[5.0]]]]), (2, 2), 2)
    assert read.tolist() == [[[[5.0, 0.0], [0.0, 0.0]]]]


@pytest.mark.parametrize("text, value", [
    ("im2col(x)", [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]),  # 2×2 windows, stride 1: columns
    ("col2im(im2col(x))", [[[[1, 4, 3], [8, 20, 12], [7, 16, 9]]]]),          # overlaps add: the centre 4 times
    ("argmax(im2col(x))", [[3, 3, 3, 3]]),
    ("onehot(argmax(im2col(x)))", [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]]),
    ("up·ones", [[10]]),
])
def test_the_window_notation_is_read(text, value):
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_windows

    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    up = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    assert np.asarray(evaluate_windows(text, ("x", x), up, (2, 2), 1)).tolist() == value


@pytest.mark.parametrize("text", ["col2im(up", "im2col(up)", "col2im(x)", "onehot(up/2)", "argmax(x)",
                                  "__import__('os')", "col2im(im2col(x)·2"])
def test_text_that_is_not_a_window_formula_is_refused(text):
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_windows

    with pytest.raises(FormulaError):
        evaluate_windows(text, ("x", np.ones((1, 1, 3, 3))), np.ones((1, 1, 2, 2)), (2, 2), 1)


# ---- the course's layers: each input's formula, read with arrays, is its downstream gradient ------
# Read by core/formula_reader.evaluate_layer (gradtrace's own parser, never eval) at the inputs the
# PyTorch oracle draws (tests/array_inputs.py): batches of one, odd sizes, constant and nearly
# constant columns, gamma near 0, each eps. Each formula says the whole downstream gradient (it
# names up); the mask's says "none", and the rule sends it none.


def _layer_mismatches(op, draws=40, seed=0):
    """Where a layer's formula, read, is not its vector-Jacobian product: (text, input shapes)."""
    import array_inputs
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_layer
    from gradtrace.core.formulas import formulas
    from gradtrace.core.numpy_backend import numpy_backend

    rng = np.random.default_rng(seed)
    wrong = []
    for k in range(draws):
        xs, params = array_inputs.draw(op.name, rng, k)
        out = op.apply(numpy_backend, xs, params)
        up = rng.normal(size=np.shape(out))
        down = op.maths.vjp(numpy_backend, up, out, *xs, *params)
        nodes = _gate(op, xs, params)
        if k % 2:  # inputs named otherwise than x, y, z: the formula names them as they are named
            for node, other in zip(nodes, ("h", "gamma", "b")):
                node.name = other
        names = {node.name: x for node, x in zip(nodes, xs)}
        for slot, text in enumerate(formulas(types.SimpleNamespace(nodes=nodes), nodes[-1])):
            if down[slot] is None:
                if text != "none":
                    wrong.append((text, [np.shape(x) for x in xs]))
                continue
            read = np.asarray(evaluate_layer(text, names, up), dtype=float)
            expected = np.asarray(down[slot], dtype=float)
            # To 1e-9 of the largest element: the formula's x - mean(x), read as written, keeps fewer
            # digits than the rule (which shifts x first) where a column is 300 ± 0.001; a wrong
            # formula is wrong in the first digits.
            scale = 1 + np.max(np.abs(expected), initial=0.0)
            if read.size != expected.size or \
                    not np.allclose(read.reshape(expected.shape), expected, rtol=1e-9, atol=1e-9 * scale):
                wrong.append((text, [np.shape(x) for x in xs]))
    return wrong


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_formula_is_its_downstream(name):
    assert _layer_mismatches(OPS[name]) == []


@pytest.mark.parametrize("name, formula", [
    ("affine", ("up·{1}", "rows({0})ᵀ·up", "Σ_N(up)")),        # W not transposed
    ("affine", ("up·{1}ᵀ", "{0}ᵀ·up", "Σ_N(up)")),             # x not made rows: wrong beyond (N, D)
    ("affine", ("up·{1}ᵀ", "rows({0})ᵀ·up", "mean_N(up)")),    # b's gradient averaged
    ("batchnorm", ("{1}/σ⊙(up-mean_N(up)) with σ = √(var_N({0})+{eps})",  # the x̂ term dropped
                   "Σ_N(up⊙x̂) with σ = √(var_N({0})+{eps}), x̂ = ({0}-mean_N({0}))/σ", "Σ_N(up)")),
    ("batchnorm", ("{1}/σ⊙(up-mean_N(up)-x̂⊙mean_N(up⊙x̂)) with σ = √(var_N({0})), x̂ = ({0}-mean_N({0}))/σ",
                   "Σ_N(up⊙x̂) with σ = √(var_N({0})), x̂ = ({0}-mean_N({0}))/σ", "Σ_N(up)")),  # eps left out
    ("batchnorm", ("{1}/σ⊙(up-mean_N(up)-x̂⊙mean_N(up⊙x̂)) with σ = √(var_N({0})+{eps}), x̂ = ({0}-mean_N({0}))/σ",
                   "Σ_N(up⊙{0})", "Σ_N(up)")),                 # gamma's gradient by x, not x̂
    ("spatial_batchnorm", ("{1}/σ⊙(up-mean_N(up)-x̂⊙mean_N(up⊙x̂)) with σ = √(var_N({0})+{eps}), "
                           "x̂ = ({0}-mean_N({0}))/σ", "Σ_NHW(up)", "Σ_NHW(up)")),  # statistics over N alone
    ("layernorm", ("{1}/σ⊙(up-mean_D(up)-x̂⊙mean_D(up⊙x̂)) with σ = √(var_D({0})+{eps}), "
                   "x̂ = ({0}-mean_D({0}))/σ",  # batchnorm's compact form: gamma varies along D
                   "Σ_N(up⊙x̂) with σ = √(var_D({0})+{eps}), x̂ = ({0}-mean_D({0}))/σ", "Σ_N(up)")),
    ("dropout", ("up⊙{1}", "none")),                              # the 1/p forgotten
    ("dropout", ("up⊙{1}/{p}", "{0}/{p}")),                       # a gradient for the mask
])
def test_a_wrong_layer_formula_fails(monkeypatch, name, formula):
    _patch_formula(monkeypatch, name, formula)
    try:
        assert _layer_mismatches(OPS[name]), f"{name}: a wrong formula went unnoticed"
    except FormulaError:
        pass  # a formula that can't be read, or whose shapes don't fit: refused, which fails as well


@pytest.mark.parametrize("text, value", [
    ("Σ_N(x)", [[4.0, 6.0]]), ("mean_N(x)", [[2.0, 3.0]]), ("var_N(x)", [[1.0, 1.0]]), ("Σ_D(x)", [[3.0], [7.0]]),
    ("Σ_ND(x)", [[10.0]]), ("x-mean_N(x)", [[-1.0, -1.0], [1.0, 1.0]]), ("g⊙x", [[10.0, 40.0], [30.0, 80.0]]),
    ("rows(x)ᵀ·up", [[4.0, 4.0], [6.0, 6.0]]), ("2·s with s = Σ_ND(x)", [[20.0]]),
    ("x̂ with μ = mean_N(x), x̂ = x-μ", [[-1.0, -1.0], [1.0, 1.0]]), ("Σ_N(dx̂) with dx̂ = up⊙g", [[20.0, 40.0]]),
])
def test_the_layer_notation_is_read(text, value):
    """x = [[1, 2], [3, 4]], a gamma g = [10, 20] (laid along the features), up = ones."""
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_layer

    read = evaluate_layer(text, {"x": [[1.0, 2.0], [3.0, 4.0]], "g": [10.0, 20.0]}, np.ones((2, 2)))
    assert np.asarray(read).tolist() == value


def test_the_layer_notation_names_the_axes_of_images():
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_layer

    x = np.arange(24.0).reshape(2, 3, 2, 2)
    read = evaluate_layer("Σ_NHW(x)", {"x": x}, np.ones_like(x))
    assert read.shape == (1, 3, 1, 1) and read.ravel().tolist() == x.sum(axis=(0, 2, 3)).tolist()
    assert evaluate_layer("g⊙x", {"x": x, "g": [0.0, 1.0, 0.0]}, np.ones_like(x)).tolist() == \
        (x * np.array([0.0, 1.0, 0.0])[None, :, None, None]).tolist()  # gamma per channel


@pytest.mark.parametrize("text", ["Σ_N(x", "Σ_Q(x)", "Σ_NN(x)", "Σ_C(x)", "rows(x", "x̂",
                                  "m with m", "x with x = 1", "__import__('os')", "mean_(x)", "Σ_NHW(x)"])
def test_text_that_is_not_a_layer_formula_is_refused(text):
    import numpy as np

    from gradtrace.core.formula_reader import evaluate_layer

    with pytest.raises(FormulaError):
        evaluate_layer(text, {"x": [[1.0, 2.0], [3.0, 4.0]]}, np.ones((2, 2)))
