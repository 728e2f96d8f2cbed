"""The lecture's forward/backward API, checked from Python.

    check_gate(gate, "mul")      a gate object: gate.forward(x, y), then gate.backward(dz) -> (dx, dy)
    check_layer(affine_forward, affine_backward, "x @ W + b", x=..., W=..., b=...)
                                 the course's (out, cache) = f_forward(x, W, b) and
                                 dx, dW, db = f_backward(dout, cache)

The truth is gradtrace's own trace of the op or the expression. Every gradient the student's code
returns is graded as an answer is (answers.py: the array's dtype sets its tolerance) from a random
upstream, seeded and shown, never from ones, which can hide mistakes (diagnose.ones_blind_spots);
a wrong one gets the report of a wrong answer (CS231n's relative error, its band, the worst
element, the diagnosis). Each is also compared with central differences of the student's own
forward, as the course's gradient check does. The student's functions run in a process of their
own (own_process.py).

check_gate tries random points of several shapes (a number, a vector, a matrix, and the edge
shapes (1,) and (1, 1)), and points at the op's kinks, where a gradient that differs from
gradtrace's convention only there is noted, not failed.
"""

from __future__ import annotations

import math
from typing import Any

from ..core.errors import BindingError, GradtraceError, did_you_mean
from ..i18n import _

DISPLAY: Any = None  # render/layer_check.py fills it in: rich(), text(), html() of a StudentCheck
STEP = 1e-5          # central differences of the student's forward
PROBES = 64          # an input with more elements has a sample of them probed
SAMPLE = 20
# A central difference (h = 1e-5) can't tell a gradient below this from 0: f's rounding over 2h.
NUMERICAL_FLOOR = 1e-8


class Row:
    """One checked array: the forward output or one input's gradient, over every point tried."""

    __slots__ = ("band", "band_text", "diagnosis", "error", "failed", "mismatch", "name", "notes", "numerical_band",
                 "numerical_error", "passed", "points", "reports", "worst", "worst_error")

    def __init__(self, name: str):
        self.name = name
        self.passed = True
        self.error: float | None = None
        self.band: str | None = None
        self.band_text: str | None = None
        self.worst: tuple[str, tuple[int, ...], float, float] | None = None  # point, index, yours, true
        self.diagnosis: str | None = None
        self.numerical_error: float | None = None
        self.numerical_band: str | None = None
        self.points = 0
        self.failed = 0
        self.notes: list[str] = []
        self.mismatch: str | None = None  # the shapes of a point where the answer had another shape
        self.worst_error: float | None = None  # the relative error of the failing point the worst element is from
        self.reports: list[tuple[Any, int]] = []  # each failing point's diagnose.AnswerReport, and its size

    def add(self, point: str, correct: bool, truth: Any, given: Any, report: Any) -> None:
        """One point's verdict for this array."""
        import numpy as np

        from .diagnose import band, relative_error

        self.points += 1
        t, g = np.asarray(truth, dtype=float), np.asarray(given, dtype=float)
        if t.shape == g.shape and t.size:
            error = relative_error(t, g)
            if self.error is None or error > self.error:
                self.error = error
                self.band, self.band_text = band(error)
                if correct and self.band != "good":  # two arrays of float dust: the verdict allowed their noise
                    self.band_text = _("both are 0 but for float rounding, which the verdict allows")
            if not correct and (self.worst_error is None or error >= self.worst_error):
                self.worst_error = error  # the worst element is a failing point's
                with np.errstate(all="ignore"):
                    gap = np.where(np.isnan(g - t), np.inf, np.abs(g - t))
                index = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
                self.worst = (point, index, float(g[index]), float(t[index]))
        elif not correct and self.mismatch is None:
            self.mismatch = _("shape {given}, not {true}").format(given=g.shape, true=t.shape)
        if not correct:
            self.passed = False
            self.failed += 1
            if report is not None and report.diagnosis is not None:
                self.reports.append((report, int(g.size)))

    def add_numerical(self, yours: Any, numerical: Any) -> None:
        """The student's gradient against central differences of their own forward, at the
        coordinates probed; both below NUMERICAL_FLOOR are both 0 as far as a central difference
        can tell."""
        import numpy as np

        from .diagnose import band, relative_error

        if float(np.max(np.abs(yours)) + np.max(np.abs(numerical))) <= NUMERICAL_FLOOR:
            error = 0.0
        else:
            error = relative_error(numerical, yours)

        if self.numerical_error is None or error > self.numerical_error:
            self.numerical_error = error
            self.numerical_band = band(error)[0]

    def finish(self) -> None:
        """After every point: the diagnosis is the mistake that fits the most failing points (of
        those, the largest point's: one number fits more mistakes than an array does)."""
        from collections import Counter

        fitted = [(r, size) for r, size in self.reports if r.diagnosis.mistake is not None]
        if not fitted:
            self.diagnosis = None if self.passed else _("no known mistake fits")
            return
        counts = Counter(r.diagnosis.mistake.key for r, _size in fitted)
        best, _size = max(fitted, key=lambda rs: (counts[rs[0].diagnosis.mistake.key], rs[1]))
        self.diagnosis = best.diagnosis.text
        if self.failed > 1:
            self.notes.append(_("the diagnosis fits {count} of the {failed} failing points").format(
                count=counts[best.diagnosis.mistake.key], failed=self.failed))

    def to_dict(self) -> dict[str, Any]:
        from ..core.trace import jsonable

        worst = None if self.worst is None else {"point": self.worst[0], "index": list(self.worst[1]),
                                                 "given": jsonable(self.worst[2]), "actual": jsonable(self.worst[3])}
        return {"name": self.name, "passed": self.passed, "relative_error": _number(self.error), "band": self.band,
                "band_text": self.band_text, "shape_mismatch": self.mismatch, "worst": worst,
                "diagnosis": self.diagnosis,
                "numerical_error": _number(self.numerical_error), "numerical_band": self.numerical_band,
                "points": self.points, "failed": self.failed, "notes": list(self.notes),
                "reports": [r.to_dict() for r, _size in self.reports]}


def _number(value: float | None) -> Any:
    from ..core.trace import jsonable

    return None if value is None else jsonable(value)


class StudentCheck:
    """What check_gate or check_layer found: per input (and the forward output) whether it passed,
    CS231n's relative error and its band, the worst element, the diagnosis and the central
    difference's relative error; notes, what the code printed, and its error if it raised. A
    notebook shows it as a table; str() is the table as text."""

    __slots__ = ("error", "expression", "inputs", "kind", "lang", "notes", "output", "printed", "subject",
                 "upstream")

    def __init__(self, kind: str, subject: str, expression: str, upstream: str):
        self.kind, self.subject, self.expression, self.upstream = kind, subject, expression, upstream
        self.output: Row | None = None
        self.inputs: list[Row] = []
        self.notes: list[str] = []
        self.error: dict[str, str] | None = None  # stage, message, traceback
        self.printed = ""
        self.lang: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(row.passed for row in self.rows)

    @property
    def rows(self) -> list[Row]:
        return ([self.output] if self.output is not None else []) + self.inputs

    def __getitem__(self, name: str) -> Row:
        """The row of one input (or of the output, by its name)."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict[str, Any]:
        """As JSON takes it (gradtrace/schema/trace.schema.json, $defs/student_check)."""
        return {"kind": self.kind, "subject": self.subject, "expression": self.expression, "upstream": self.upstream,
                "passed": self.passed, "output": None if self.output is None else self.output.to_dict(),
                "inputs": [row.to_dict() for row in self.inputs], "notes": list(self.notes), "error": self.error,
                "printed": self.printed}

    def __str__(self) -> str:
        return str(DISPLAY.text(self))

    def __rich__(self) -> Any:
        return DISPLAY.rich(self)

    def _repr_html_(self) -> str:
        return str(DISPLAY.html(self))

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "failed"
        return f"<StudentCheck {self.kind} {self.subject}: {verdict}>"


# ---- check_layer --------------------------------------------------------------------------------

def check_layer(forward: Any, backward: Any, expression: str, values: dict[str, Any], dout: Any = None,
                seed: int = 0, timeout: float = 60.0) -> StudentCheck:
    """The course's layer API: (out, cache) = forward(*inputs) in the order the expression first
    names its variables, then backward(dout, cache) -> one gradient per input (None, or nothing, for
    class labels), checked against the trace of `expression` from the upstream `dout` (None: a
    random one drawn from `seed`; "ones"; or an array)."""

    from ..core.graph import build
    from .own_process import OwnProcess, StudentError

    if not (callable(forward) and callable(backward)):
        raise TypeError(_("check_layer takes the forward function and the backward function, then the expression"))
    graph = build(expression, bound=set(values))
    names = [v.name for v in graph.variables]
    unknown = [name for name in values if name not in names]
    if unknown:
        raise BindingError(_("{name} is not an input of {expression}").format(name=unknown[0], expression=expression),
                           hint=did_you_mean(unknown[0], names) or _("its inputs are {names}").format(
                               names=", ".join(names)))
    missing = [name for name in names if name not in values]
    if missing:
        raise BindingError(_("give a value for {names}").format(names=", ".join(missing)))
    start = _seed_spec(dout, seed)
    truth = _truth(graph.source, values, start)
    up = truth.seed
    result = StudentCheck("layer", f"{_name_of(forward)}, {_name_of(backward)}", graph.text,
                          _upstream_words(truth, start))
    inputs = [_as_input(values[name]) for name in names]
    grads_of = [v.name for v in graph.variables if truth.upstream[v.id] is not None]
    probes = [_probes(truth.bindings[name], k) if name in grads_of else None for k, name in enumerate(names)]
    try:
        with OwnProcess((forward, backward), timeout) as child:
            reply = child.ask(("layer", inputs, up, probes, STEP, len(names)))
    except StudentError as err:
        result.error = {"stage": err.stage, "message": err.message, "traceback": err.details}
        return result
    result.printed = reply.get("printed", "")
    if not reply["ok"]:
        result.error = {"stage": reply["stage"], "message": reply["error"], "traceback": reply["traceback"]}
        return result
    grads = reply["grads"]
    if len(grads) == len(names):
        given = dict(zip(names, grads))
    elif len(grads) == len(grads_of):
        given = dict(zip(grads_of, grads))
    else:
        result.error = {"stage": "backward", "traceback": "", "message": _(
            "backward returned {count} gradients, and {expression} has {inputs} inputs ({names})").format(
            count=len(grads), expression=graph.text, inputs=len(names), names=", ".join(names))}
        return result
    _grade_point(result, graph.source, values, start, truth, reply["out"], given, grads_of, "", probes,
                 reply["numerical"], names)
    for k in reply["mutated"]:
        result.notes.append(_("your code changed its input {name} in place").format(name=names[k]))
    if not (isinstance(start, str) and start == "ones"):
        _note_ones(result, truth, grads_of)
    for row in result.rows:
        row.finish()
    return result


def _seed_spec(dout: Any, seed: int) -> Any:
    import numpy as np

    if dout is None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise TypeError(_("seed= takes a whole number ≥ 0, the random upstream's seed"))
        return f"random:{seed}"
    if isinstance(dout, str):
        if dout != "ones":
            raise ValueError(_("dout= takes an array, \"ones\", or None for a random upstream"))
        return dout
    return np.array(dout, dtype=float)


def _truth(source: str, values: dict[str, Any], start: Any) -> Any:
    """The trace the student's code is checked against (numeric: arrays stay arrays)."""
    from .run import run_program

    return run_program(source, _bindings(values), seed=start).numeric


def _bindings(values: dict[str, Any]) -> list[Any]:
    """Values from Python as the core takes them: numbers as floats, arrays as float64 copies."""
    import numpy as np

    from ..core.bindings import Binding

    out = []
    for name, value in values.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(Binding(name, float(value), f"{name}={value!r}"))
        else:
            out.append(Binding(name, np.array(value, dtype=float), f"{name}=array"))
    return out


def _grade_point(result: StudentCheck, source: str, values: dict[str, Any], start: Any, truth: Any, out: Any,
                 given: dict[str, Any], grads_of: list[str], point: str, probes: list[Any], numerical: list[Any],
                 names: list[str], numerical_too: bool = True) -> None:
    """Grade one point's output and gradients as answers (so each wrong one gets its report), and
    compare the gradients with central differences of the student's own forward."""
    import numpy as np

    from .answers import Expected
    from .run import run_program

    output = truth.output
    expected = [Expected(f"{output}.value", _answer(out), f"{output}.value")]
    expected += [Expected(name, _answer(given[name]), name) for name in grads_of if given.get(name) is not None]
    graded: list[Any] = run_program(source, _bindings(values), seed=start, expected=expected).trace.answers or []
    by_name = {a.name: a for a in graded}
    if result.output is None:
        result.output = Row(output)
    rows = {row.name: row for row in result.inputs}
    answer = by_name[f"{output}.value"]
    result.output.add(point, answer.correct, truth.value, out, answer.report)
    for name in grads_of:
        row = rows.get(name)
        if row is None:
            row = Row(name)
            result.inputs.append(row)
        if given.get(name) is None:
            row.points += 1
            row.failed += 1
            row.passed = False
            row.notes.append(_("backward returned no gradient for {name}").format(name=name))
            continue
        answer = by_name[name]
        true_grad = truth.upstream[truth.graph.by_name[name].id]
        row.add(point, answer.correct, true_grad, given[name], answer.report)
        for warning in answer.report.warnings if answer.report is not None else ():
            if warning not in row.notes:  # what an upstream of ones hides, when ones were asked for
                row.notes.append(warning)
        k = names.index(name)
        yours = np.asarray(given[name], dtype=float)
        if numerical_too and probes[k] is not None and numerical[k] is not None and \
                yours.shape == np.shape(true_grad):
            at = [yours[tuple(c)] if c is not None else float(yours.reshape(-1)[0]) for c in probes[k]]
            if at and len(at) == len(numerical[k]):
                row.add_numerical(np.array(at, dtype=float), np.array(numerical[k]))


def _answer(value: Any) -> Any:
    """The student's array as an answer (its dtype kept: float32 is graded at its precision); a
    number as its text, as --expect takes one."""
    import numpy as np

    if isinstance(value, float) or np.ndim(value) == 0:
        return repr(float(value))
    return value


def _probes(value: Any, k: int) -> list[Any]:
    """The coordinates of one input to take central differences at: all of a small array, a
    seeded sample of a large one, [None] for a number."""
    import numpy as np

    shape = np.shape(value)
    if not shape:
        return [None]
    size = math.prod(shape)
    flat = range(size) if size <= PROBES else sorted(np.random.default_rng(k).choice(size, SAMPLE, replace=False))
    return [tuple(int(i) for i in np.unravel_index(int(f), shape)) for f in flat]


def _as_input(value: Any) -> Any:
    """What the student's forward receives: a copy, numbers as they were given (float64 arrays
    for lists, integer labels kept integer)."""
    import numpy as np

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    array = np.array(value)
    return array if array.dtype.kind in "iuf" else array.astype(float)


def _name_of(function: Any) -> str:
    return str(getattr(function, "__qualname__", None) or getattr(function, "__name__", None)
               or type(function).__name__)


def _upstream_words(truth: Any, start: Any) -> str:
    from .diagnose import describe_upstream

    return describe_upstream(truth, start)


def _note_ones(result: StudentCheck, truth: Any, names: list[str]) -> None:
    """Why the upstream is random: what an upstream of ones would have hidden, input by input."""
    from .diagnose import ones_blind_spots

    hidden: dict[str, list[str]] = {}
    for name in names:
        zero, mistakes = ones_blind_spots(truth, truth.graph.by_name[name].id)
        if zero:
            result.notes.append(_("with an upstream of ones, ∂{out}/∂{name} would be 0 everywhere here, and any "
                                  "backward pass that gives 0 would pass").format(out=truth.output, name=name))
        for mistake in mistakes:
            hidden.setdefault(mistake, []).append(f"∂{truth.output}/∂{name}")
    for mistake, where in hidden.items():
        result.notes.append(_("with an upstream of ones this mistake would pass unseen in {where}: {mistake}").format(
            where=", ".join(where), mistake=mistake))


# ---- check_gate ---------------------------------------------------------------------------------

NAMES = ("x", "y", "z", "w")
SHAPES = {  # the shapes tried, by number of inputs; those an op refuses are left out
    1: [(), (3,), (2, 3), (1,), (1, 1), (2, 2, 4, 4), (1, 1, 2, 2)],  # images last: a pooling layer's
    2: [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((1,), (1,)), ((1, 1), (1, 1)), ((2, 3), (3, 4)),
        ((2, 3), (3,)), ((3,), (3, 2)), ((4, 3), (4,)), ((3,), ())],
    3: [((), (), ()), ((3,), (3,), (3,)), ((2, 3), (2, 3), (2, 3)), ((4, 5), (5, 3), (3,)), ((4, 3), (3,), (3,)),
        ((2, 3, 4, 4), (3,), (3,)), ((2, 3, 5, 5), (4, 3, 3, 3), (4,))],  # affine, batchnorm, conv2d
}
MAX_POINTS = 5
MAX_KINKS = 2


def check_gate(gate: Any, op_name: str, params: dict[str, Any], count: int = 2, shapes: Any = None,
               seed: int = 0, timeout: float = 60.0) -> StudentCheck:
    """A gate object with the lecture's API, gate.forward(*inputs) then gate.backward(dout), against
    the op's record, at random points of several shapes and at its kinks."""
    import numpy as np

    from .own_process import OwnProcess, StudentError

    for method in ("forward", "backward"):
        if not callable(getattr(gate, method, None)):
            raise TypeError(_("check_gate takes an object with forward(...) and backward(dout) methods, and {kind} "
                              "has no {method}").format(kind=type(gate).__name__, method=method))
    op = _op_named(op_name)
    arity = count if op.variadic else op.arity
    names = _input_names(op, arity)
    expression = _expression(op, names, params)
    rng = np.random.default_rng(seed)
    points = _points(op, expression, names, params, arity, shapes, rng)
    if not points:
        raise GradtraceError(_("no point could be made for {op} from the shapes tried").format(op=op.name),
                             hint=_("give shapes=[(shape of x, shape of y, ...), ...]"))
    subject = f"{type(gate).__name__}, {op.name}"
    result = StudentCheck("gate", subject, expression,
                          _("random, one per point, drawn from numpy.random.default_rng({seed})").format(seed=seed))
    try:
        with OwnProcess(gate, timeout) as child:
            for label, bound, kink in points:
                if not _check_point(result, child, expression, names, bound, label, kink, rng):
                    break
    except StudentError as err:
        result.error = {"stage": err.stage, "message": err.message, "traceback": err.details}
    for row in result.rows:
        row.finish()
    return result


def _check_point(result: StudentCheck, child: Any, expression: str, names: list[str], bound: dict[str, Any],
                 label: str, kink: Any, rng: Any) -> bool:
    """One point: run the student's gate there and grade it. False when the gate raised (then the
    other points are not tried)."""
    import numpy as np

    scalar = all(isinstance(v, float) for v in bound.values())
    # A point of numbers is traced as one-element arrays, so that it gets an array's report.
    values = {n: np.array([v]) for n, v in bound.items()} if scalar else bound
    shape = np.shape(_truth(expression, values, "ones").value)
    dout = rng.standard_normal(shape)
    truth = _truth(expression, values, dout)
    grads_of = [v.name for v in truth.graph.variables if truth.upstream[v.id] is not None]
    inputs = [bound[n] for n in names]
    probes = [(_probes(bound[n], k) if n in grads_of else None) if kink is None else None for k, n in enumerate(names)]
    reply = child.ask(("gate", inputs, float(dout[0]) if scalar else dout, probes, STEP, len(names)))
    if reply.get("printed"):
        result.printed += reply["printed"]
    if not reply["ok"]:
        result.error = {"stage": reply["stage"], "message": f"{label}: {reply['error']}",
                        "traceback": reply["traceback"]}
        return False
    grads = list(reply["grads"])
    if len(grads) != len(names) and len(grads) == len(grads_of):
        grads = [grads[grads_of.index(n)] if n in grads_of else None for n in names]
    if len(grads) != len(names):
        result.error = {"stage": "backward", "traceback": "", "message": _(
            "backward returned {count} gradients for a gate of {inputs} inputs ({names})").format(
            count=len(grads), inputs=len(names), names=", ".join(names))}
        return False
    out = reply["out"]
    if scalar:
        out = np.array([out]) if np.ndim(out) == 0 else out
        grads = [None if g is None else (np.array([g]) if np.ndim(g) == 0 else g) for g in grads]
    given = dict(zip(names, grads))
    if kink is not None:  # graded away from the kink; at it, a gradient of the other convention is noted
        given = _away_from_kink(result, expression, values, dout, truth, given, grads_of, label, kink)
    _grade_point(result, expression, values, dout, truth, out, given, grads_of, label, probes, reply["numerical"],
                 names, kink is None)
    for k in reply["mutated"]:
        note = _("your code changed its input {name} in place").format(name=names[k])
        if note not in result.notes:
            result.notes.append(note)
    return True


def _away_from_kink(result: StudentCheck, expression: str, values: dict[str, Any], dout: Any, truth: Any,
                    given: dict[str, Any], grads_of: list[str], label: str, kink: tuple[str, str, Any]) -> Any:
    """At a kink point: the gradient elements the kink decides (those that change when the kinked
    input elements move by ±1e-6) take the true values before grading, and a student's gradient
    that differs there is noted as the other convention."""
    import numpy as np

    note, moved, positions = kink
    affected: dict[str, Any] = {}
    for step in (1e-6, -1e-6):
        nudged = {n: np.array(v, dtype=float) for n, v in values.items()}
        nudged[moved].reshape(-1)[positions] += step
        try:
            twin = _truth(expression, nudged, dout)
        except GradtraceError:
            continue
        for name in grads_of:
            node = truth.graph.by_name[name].id
            true_grad, other = np.asarray(truth.upstream[node], dtype=float), np.asarray(twin.upstream[node], float)
            scale = float(np.max(np.abs(true_grad))) + 1e-300
            affected[name] = affected.get(name, np.zeros(true_grad.shape, bool)) | \
                (np.abs(other - true_grad) > 1e-4 * scale)
    out = dict(given)
    for name in grads_of:
        mine = given.get(name)
        mask = affected.get(name)
        if mine is None or mask is None or not mask.any() or np.shape(mine) != mask.shape:
            continue
        true_grad = np.asarray(truth.upstream[truth.graph.by_name[name].id], dtype=float)
        mine = np.array(mine)
        if not np.allclose(mine[mask], true_grad[mask], rtol=1e-6, atol=1e-9 * (float(np.max(np.abs(true_grad))) + 1)):
            note_text = _("at the kink ({convention}) your ∂/∂{name} differs from gradtrace's convention in {count} "
                          "element(s) of the point {point}: fine if yours is the other one").format(
                convention=note, name=name, count=int(mask.sum()), point=label)
            for row in result.inputs:
                if row.name == name:
                    row.notes.append(note_text)
                    break
            else:
                result.notes.append(note_text)
        mine[mask] = true_grad[mask].astype(mine.dtype)
        out[name] = mine
    return out


def _op_named(name: str) -> Any:
    from ..core.ops import FUNCTIONS, INFIX, OPS, PREFIX

    if not isinstance(name, str):
        raise TypeError(_("check_gate takes the op's name as text, such as \"mul\" or \"*\""))
    op = OPS.get(name) or FUNCTIONS.get(name) or INFIX.get(name) or PREFIX.get(name)
    if op is None:
        raise ValueError(_("no op {name!r}").format(name=name) + ". " + (
            did_you_mean(name, sorted(OPS)) or _("the ops are {names}").format(names=", ".join(sorted(OPS)))))
    return op


def _input_names(op: Any, arity: int) -> list[str]:
    written = tuple(getattr(op.syntax, "inputs", ()) or ())
    return list(written) if len(written) == arity else [NAMES[k] if k < len(NAMES) else f"x{k}" for k in range(arity)]


def _expression(op: Any, names: list[str], params: dict[str, Any]) -> str:
    """The op written as the language writes it, with its inputs' names and its parameters."""
    from ..core.ops import OPS

    def number(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(_("the parameter values of check_gate are numbers, not {value!r}").format(value=value))
        return repr(float(value))

    allowed = [p for p, _default in op.keyword_params]
    for key in params:
        if key not in allowed and not (key == "c" and op.maths.constant):
            raise TypeError(_("{op} has no parameter {name!r}").format(op=op.name, name=key))
    if op.maths.constant:  # x + c: written through the binary operator whose gate it is
        if "c" not in params:
            raise TypeError(_("{op} needs its constant: check_gate(gate, {op!r}, c=...)").format(op=op.name))
        for binary in OPS.values():
            if binary.syntax.const_right == op.name and binary.syntax.infix:
                return f"{names[0]} {binary.syntax.infix} ({number(params['c'])})"
            if binary.syntax.const_left == op.name and binary.syntax.infix:
                return f"({number(params['c'])}) {binary.syntax.infix} {names[0]}"
        raise ValueError(_("{op} can't be written as a gate of its own").format(op=op.name))
    if op.syntax.infix and op.arity == 2:
        return f"{names[0]} {op.syntax.infix} {names[1]}"
    if op.syntax.prefix and op.arity == 1:
        return f"{op.syntax.prefix}{names[0]}"
    if op.syntax.postfix and op.arity == 1 and not op.syntax.callable:
        return f"{names[0]}{op.syntax.postfix}"
    keywords = [f"{key}={number(value)}" for key, value in params.items()]
    return f"{op.name}({', '.join([*names, *keywords])})"


def _draws(rng: Any) -> list[Any]:
    """How input values are drawn, tried in turn until the op takes them: any sign, positive, and
    small whole numbers (class labels) for the last input."""
    return [lambda shape, last: rng.standard_normal(shape),
            lambda shape, last: abs(rng.standard_normal(shape)) + 0.5,
            lambda shape, last: rng.integers(0, 2, shape).astype(float) if last else rng.standard_normal(shape)]


def _points(op: Any, expression: str, names: list[str], params: dict[str, Any], arity: int, shapes: Any,
            rng: Any) -> list[tuple[str, dict[str, Any], Any]]:
    """(label, values, None or the kink: its note, the input moved to it and the elements moved) for
    each point tried: random points of the shapes the op takes, then points at its kinks."""

    tried: Any = shapes if shapes is not None else SHAPES.get(arity, [tuple((3,) for _k in range(arity))])
    elementwise = op.maths.grads is not None
    points: list[tuple[str, dict[str, Any], Any]] = []
    for combo in tried:
        combo = (combo,) if arity == 1 and shapes is None else tuple(combo)
        if len(combo) != arity or len(points) >= MAX_POINTS:
            continue
        if shapes is None and elementwise and len({tuple(s) for s in combo}) > 1:
            continue  # the lecture's gates meet arrays of one shape; shapes= asks for broadcasting
        if all(s == () for s in combo) and op.arrays_only:
            continue
        for draw in _draws(rng):
            bound = {n: (float(draw((), k == arity - 1)) if shape == () else draw(tuple(shape), k == arity - 1))
                     for k, (n, shape) in enumerate(zip(names, combo))}
            if _takes(expression, bound):
                label = _("numbers") if all(s == () for s in combo) else ", ".join(
                    f"{n} {tuple(s)}" for n, s in zip(names, combo))
                points.append((label, bound, None))
                break
    kinks = 0
    for label, bound, _kink in list(points):
        if kinks >= MAX_KINKS:
            break
        for at, kink in _kink_points(op, names, bound, params):
            if _takes(expression, at):
                points.append((_("{label}, at a kink").format(label=label), at, kink))
                kinks += 1
                break
    return points


def _takes(expression: str, bound: dict[str, Any]) -> bool:
    import numpy as np

    try:
        values = {n: (np.array([v]) if isinstance(v, float) else v) for n, v in bound.items()}
        _truth(expression, values, "ones")
    except GradtraceError:
        return False
    return True


def _kink_points(op: Any, names: list[str], bound: dict[str, Any], params: dict[str, Any]) -> list[Any]:
    """Points near `bound` that sit at the op's kink (its record's predicate says so): half of one
    input's elements moved to 0, to another input's values (a tie), or to a parameter's value."""
    import numpy as np

    from ..core.numpy_backend import numpy_backend

    if op.maths.kink is None:
        return []
    predicate, note = op.maths.kink
    arrays = {n: np.array(v, dtype=float, ndmin=1) for n, v in bound.items()}
    rule_values = [params.get(p, default) for p, default in op.keyword_params]
    found = []
    targets = [0.0] + [float(v) for v in rule_values if isinstance(v, (int, float))]
    for k, name in enumerate(names):
        options: list[tuple[str, Any]] = [("value", t) for t in targets] + [("tie", other) for other in names[:k]]
        for kind, what in options:
            moved = {n: a.copy() for n, a in arrays.items()}
            spot = moved[name].reshape(-1)
            if kind == "value":
                spot[::2] = what
            elif arrays[what].shape == arrays[name].shape:
                spot[::2] = arrays[what].reshape(-1)[::2]
            else:
                continue
            inputs = tuple(moved[n] for n in names)
            params_in = tuple(rule_values)
            try:
                with np.errstate(all="ignore"):
                    out = op.apply(numpy_backend, inputs, ((),) + params_in if op.variadic else params_in)
                    hit = predicate(numpy_backend, out, inputs, *(((),) + params_in)) if op.variadic else \
                        predicate(numpy_backend, out, *inputs, *params_in)
            except (ArithmeticError, ValueError, TypeError, IndexError):
                continue
            if hit:
                scalar = all(isinstance(v, float) for v in bound.values())
                found.append(({n: (float(m[0]) if scalar else m.reshape(np.shape(bound[n])))
                               for n, m in moved.items()}, (_(note), name, slice(None, None, 2))))
                break
    return found
