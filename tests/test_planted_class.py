"""A planted class: for each circuit of the lecture and each seed, a class where every student has
one known misconception, or one slip carried through the rest of their answers, beside students
with every answer right and students with one random wrong answer. The truth, the planted
mistakes and each slip's world are computed here with sympy from each statement's own derivative,
not by gradtrace's engine or op table. The report must name each planted mistake where it was
planted, point every follow-through to its slip, and never name a misconception for a right answer
or a random wrong one."""

import json
import random

import pytest
import sympy as sp

from gradtrace.teach import class_report
from gradtrace.teach.grade import grade

# Each circuit: its statements in order (name, expression over earlier names), and how its inputs
# are drawn. The last statement is the output f.
CIRCUITS = {
    "lecture": ["q = x + y", "f = q * z"],
    "neuron": ["a = w0 * x0", "b = w1 * x1", "s = a + b", "t = s + w2", "f = sigmoid(t)"],
    "max": ["m = max(x, y)", "f = m * z"],
    "copy": ["p = x * y", "f = p + x"],
    "square": ["p = x * x", "f = 3 * p"],
    "subtraction": ["d = x - y", "f = d * z"],
    "reciprocal": ["s = x + y", "r = 1 / s", "f = r * z"],
}
SEEDS = [0, 1, 2, 3]
# seed 0 in the fast loop; the others with the slow tests (each class takes a second or two)
SEED_PARAMS = [pytest.param(seed, marks=[pytest.mark.slow] if seed else []) for seed in SEEDS]


class Circuit:
    """The circuit worked by sympy: values forwards, upstream gradients backwards by the chain rule."""

    def __init__(self, statements, bindings, seed=1):
        self.statements = [(s.split("=")[0].strip(), s.split("=", 1)[1].strip()) for s in statements]
        self.bindings = bindings
        self.seed = seed
        symbols = {}
        self.exprs = {}
        self.texts = dict(self.statements)
        for name, text in self.statements:
            local = {**{n: sp.Symbol(n) for n in _names(text)}, "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
                     "max": sp.Max}
            self.exprs[name] = sp.sympify(text, locals=local)
            symbols[name] = sp.Symbol(name)
        self.gates = [name for name, _text in self.statements]
        self.output = self.gates[-1]
        self.nodes = list(bindings) + self.gates

    def values(self):
        """Every node's true value."""
        v = {k: sp.Float(x) for k, x in self.bindings.items()}
        for name in self.gates:
            v[name] = self.exprs[name].subs({sp.Symbol(k): val for k, val in v.items()})
        return {k: float(x) for k, x in v.items()}

    def uses(self, node):
        """(gate, its local gradient ∂gate/∂node as a sympy expression) for each gate using node."""
        return [(g, sp.diff(self.exprs[g], sp.Symbol(node))) for g in self.gates
                if sp.Symbol(node) in self.exprs[g].free_symbols]

    def upstream(self, values):
        """∂f/∂node for every node, at the true values."""
        up = {self.output: self.seed}
        at = {sp.Symbol(k): v for k, v in values.items()}
        for node in reversed(self.nodes[:-1]):
            up[node] = sum(up[g] * float(local.subs(at)) for g, local in self.uses(node))
        return up

    def wire_inputs(self, gate):
        """The inputs of a gate asked as wires: each that the gate takes once (x*x's x is not)."""
        names = _names(self.texts[gate])
        return [n for n in dict.fromkeys(names) if names.count(n) == 1]

    def questions(self):
        out = [f"{g}.value" for g in self.gates]
        for n in reversed(self.nodes):
            if n != self.output:
                out.append(n)
            if n in self.exprs:
                out += [f"{n}->{i}.{kind}" for i in self.wire_inputs(n) for kind in ("local", "downstream")]
        return out

    def solve(self, slip_at=None, slip=None, truth=None):
        """Every answer, worked through the circuit (values forwards; then, gate by gate from the
        output, each upstream gradient as the sum of what its uses send back, each wire's local
        gradient and downstream = upstream × local). With a slip: the exact numbers of the
        student's world, and the numbers they write, each from their own earlier written answers
        where the slip reaches it, else the truth as written."""
        exact, written = {}, {}

        def settle(q, from_exact, from_written):
            if q == slip_at:
                exact[q] = written[q] = slip
            else:
                exact[q] = from_exact
                reached = truth is not None and far(from_exact, truth[q])
                written[q] = float(text(from_written)) if reached else \
                    (float(text(truth[q])) if truth is not None else from_exact)

        def at(values):
            return {sp.Symbol(k): v for k, v in values.items()}

        ve = {k: float(v) for k, v in self.bindings.items()}
        vw = dict(ve)
        for g in self.gates:
            q = f"{g}.value"
            settle(q, float(self.exprs[g].subs(at(ve))), float(self.exprs[g].subs(at(vw))))
            ve[g], vw[g] = exact[q], written[q]
        ue, uw = {self.output: float(self.seed)}, {self.output: float(self.seed)}
        for n in reversed(self.nodes):
            if n != self.output:
                pe, pw = [], []
                for g, local in self.uses(n):
                    if n in self.wire_inputs(g):
                        pe.append(exact[f"{g}->{n}.downstream"])
                        pw.append(written[f"{g}->{n}.downstream"])
                    else:
                        pe.append(ue[g] * float(local.subs(at(ve))))
                        pw.append(uw[g] * float(local.subs(at(vw))))
                settle(n, sum(pe), sum(pw))
                ue[n], uw[n] = exact[n], written[n]
            if n in self.exprs:
                for i in self.wire_inputs(n):
                    local = sp.diff(self.exprs[n], sp.Symbol(i))
                    lq, dq = f"{n}->{i}.local", f"{n}->{i}.downstream"
                    settle(lq, float(local.subs(at(ve))), float(local.subs(at(vw))))
                    settle(dq, ue[n] * exact[lq], uw[n] * written[lq])
        return exact, written


def _names(text):
    import re

    return [w for w in re.findall(r"[A-Za-z_]\w*", text) if w not in ("sigmoid", "max")]


def world(c, truth, question, slip):
    """A student's answers after one slip (at a value, a gradient or a wire), each later answer
    the right step from their own answers as they wrote them; an answer the slip does not reach
    is the truth as written."""
    _exact, written = c.solve(question, slip, truth)
    return {q: text(written[q]) for q in c.questions()}


def draw(rng, name):
    """Bindings that make a fair problem: small nonzero whole numbers, a max with a clear winner,
    a subtraction and a reciprocal away from 0, and a sigmoid unsaturated."""
    while True:
        if name == "neuron":
            b = {k: rng.choice([-3, -2, -1, 1, 2, 3]) for k in ("w0", "x0", "w1", "x1", "w2")}
            if abs(b["w0"] * b["x0"] + b["w1"] * b["x1"] + b["w2"]) <= 3:
                return b
            continue
        b = {k: rng.choice([-5, -4, -3, -2, 2, 3, 4, 5]) for k in ("x", "y", "z")}
        if name in ("copy", "square"):
            b.pop("z")
            if name == "square":
                b.pop("y")
        if name == "max" and abs(b["x"] - b["y"]) < 2:
            continue
        if name == "reciprocal" and b["x"] + b["y"] == 0:
            continue
        return b


def text(value):
    """A number as a student writes it: whole numbers as they are, others to 6 significant digits."""
    return str(round(value)) if abs(value - round(value)) < 1e-12 else f"{value:.6g}"


def planted(c, values, up):
    """(question, misconception, the number it gives) for every catalogue entry that applies here,
    worked from the circuit's own statements."""
    at = {sp.Symbol(k): v for k, v in values.items()}
    out = []
    for node in c.nodes[:-1]:
        uses = c.uses(node)
        parts = [(g, up[g] * float(local.subs(at)), float(local.subs(at))) for g, local in uses]
        total = sum(p for _g, p, _l in parts)
        if len(parts) > 1:
            for _g, p, _l in parts:
                out.append((node, "copy_one_branch", p))
        if len(parts) == 1 and c.texts[parts[0][0]] == f"{node} * {node}":
            out.append((node, "copy_one_branch", total / 2))  # x*x: one of its two uses
        for g, p, local in parts:
            others = total - p
            gate = c.texts[g]  # as written: sympy writes sigmoid(t) as 1/(1 + exp(-t)), a reciprocal
            out.append((node, "local_only", others + local))
            out.append((node, "upstream_only", others + up[g]))
            if gate == f"{node} * {node}":
                continue  # x*x: it switches to itself, so only the above apply
            if gate.startswith("max("):
                wins = local != 0
                out.append((node, "router_loser", others + (0.0 if wins else up[g])))
                out.append((node, "router_split", others + up[g] / 2))
            if " * " in gate and not gate[0].isdigit():
                out.append((node, "switcher_own_value", others + up[g] * values[node]))
            if gate.endswith(f" - {node}"):
                out.append((node, "subtraction_sign", others - p))
            if gate.startswith("1 / "):  # -1/s²
                s = values[node]
                out.append((node, "reciprocal_sign", others + up[g] / s ** 2))
                out.append((node, "reciprocal_square", others - up[g] / s))
            if gate.startswith("sigmoid("):
                s = values[node]
                out.append((node, "sigmoid_at_input", others + up[g] * (1 - s) * s))
        out.append((node, "value_as_gradient", values[node]))
    for g in c.gates:
        for i in c.wire_inputs(g):
            local = float(sp.diff(c.exprs[g], sp.Symbol(i)).subs(at))
            lq, dq = f"{g}->{i}.local", f"{g}->{i}.downstream"
            for mistake, wrong in wrong_locals(c, g, i, local, values):
                out += [(lq, mistake, wrong), (dq, mistake, up[g] * wrong)]
            out += [(dq, "local_only", local), (dq, "upstream_only", up[g]), (dq, "value_as_gradient", values[i])]
    return out


def wrong_locals(c, g, i, local, values):
    """(misconception, the local gradient it uses) for input i of gate g, from the gate as written."""
    gate = c.texts[g]
    if gate.startswith("max("):
        yield "router_loser", 0.0 if local != 0 else 1.0
        yield "router_split", 0.5
    if " * " in gate and not gate[0].isdigit():
        yield "switcher_own_value", values[i]
    if gate.endswith(f" - {i}"):
        yield "subtraction_sign", -local
    if gate.startswith("1 / "):
        yield "reciprocal_sign", -local
        yield "reciprocal_square", -1 / values[i]
    if gate.startswith("sigmoid("):
        yield "sigmoid_at_input", (1 - values[i]) * values[i]


def far(a, b):
    return abs(a - b) > 1e-3 * max(1.0, abs(a), abs(b))


def toml(answers, extra=""):
    return extra + "[answers]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in answers.items())


def plant_class(folder, circuit, seed):
    """The class's files, and what each student's report must say: {file: {question: expectation}},
    an expectation being "right", ("misconception", key), ("slip",), ("follows", slip) or ("random",)."""
    rng = random.Random(f"{circuit}-{seed}")
    bindings = draw(rng, circuit)
    c = Circuit(CIRCUITS[circuit], bindings)
    values = c.values()
    up = c.upstream(values)
    truth = c.solve()[0]
    questions = c.questions()
    key = {"expression": "; ".join(CIRCUITS[circuit]), "bindings": bindings, "answers": {q: text(truth[q])
                                                                                        for q in questions}}
    (folder / "key.toml").write_text(
        f"expression = {json.dumps(key['expression'])}\n"
        "bindings = { " + ", ".join(f"{k} = {v}" for k, v in bindings.items()) + " }\n" + toml(key["answers"]))
    catalogue = planted(c, values, up)
    expect = {}

    def write(name, answers, what):
        (folder / f"{name}.toml").write_text(toml({q: answers[q] for q in questions}))
        expect[f"{name}.toml"] = what

    right = {q: text(truth[q]) for q in questions}
    write("right", right, {q: "right" for q in questions})
    write("spelled", {q: (f"{truth[q]:.1f}" if truth[q] == int(truth[q]) else text(truth[q])) for q in questions},
          {q: "right" for q in questions})

    # misconceptions: one student per entry whose number differs from the truth
    for k, (question, mistake, number) in enumerate(catalogue):
        if not far(number, truth[question]):
            continue
        write(f"mis{k:02d}", {**right, question: text(number)},
              {q: ("misconception", mistake) if q == question else "right" for q in questions})

    # random wrong answers: one per student, nowhere near any catalogue entry or the truth
    for k, question in enumerate(questions):
        while True:
            number = truth[question] + rng.choice([-1, 1]) * rng.uniform(0.3, 7.0)
            number = round(number, 2)
            if far(number, truth[question]) and all(far(number, n) for q, _m, n in catalogue if q == question):
                break
        write(f"random{k:02d}", {**right, question: text(number)},
              {q: ("random",) if q == question else "right" for q in questions})

    # slips carried through: a wrong value, or a wrong gradient, and every later answer in that world
    for k, question in enumerate(questions):
        while True:
            slip = round(truth[question] + rng.choice([-1, 1]) * rng.uniform(0.5, 3.0), 2)
            if far(slip, truth[question]) and all(far(slip, n) for q, _m, n in catalogue if q == question):
                break
        answers = world(c, truth, question, slip)
        what = {q: "right" if answers[q] == text(truth[q]) else ("follows", question) for q in questions}
        what[question] = ("slip",)
        if sum(isinstance(w, tuple) and w[0] == "follows" for w in what.values()):
            write(f"slip{k:02d}", answers, what)
    return expect


@pytest.mark.parametrize("seed", SEED_PARAMS)
@pytest.mark.parametrize("circuit", sorted(CIRCUITS))
def test_a_planted_class_is_reported_as_planted(tmp_path, circuit, seed):
    expect = plant_class(tmp_path, circuit, seed)
    files = sorted(expect)
    graded = grade([str(tmp_path / f) for f in files], str(tmp_path / "key.toml"))
    planted_kinds = set()
    for g, name in zip(graded, files):
        assert g.error is None, g.error
        for m in g.marks:
            what = expect[name][m.name]
            where = (name, m.name, m.given_text)
            if what == "right":
                assert m.status == "right" and m.finding is None, where
                continue
            assert m.status == "wrong", where
            kind = what[0]
            planted_kinds.add(kind)
            keys = {x.key for x in m.misconceptions}
            if kind == "misconception":
                assert what[1] in keys and not m.follows, (where, what, keys)
            elif kind == "random":
                assert not keys and not m.follows, (where, keys)
            elif kind == "slip":
                assert not keys and not m.follows, (where, keys)
            else:
                assert m.follows == (what[1],) and not keys, (where, m.follows, keys)
                assert m.earned == m.points  # the default credit: full
        assert g.slips == [q for q, w in expect[name].items() if isinstance(w, tuple) and w[0] != "follows"]
    assert planted_kinds >= {"misconception", "random", "slip", "follows"}

    # The class report counts what the marks say, question by question.
    report = class_report.build(graded)
    for q in report["questions"]:
        for entry in q["misconceptions"]:
            named = sum(entry["key"] in {x.key for x in m.misconceptions}
                        for g in graded for m in g.marks if m.name == q["question"])
            assert entry["count"] == named and entry["percent"] == int(100 * named / q["asked"] + 0.5)
            assert entry["text"].startswith(f"{entry['percent']}% ") and entry["text"].endswith(f" at {q['question']}")
        follows = sum(bool(m.follows) for g in graded for m in g.marks if m.name == q["question"])
        assert q["follow_throughs"]["count"] == follows


def test_the_planted_classes_plant_every_kind_of_mistake(tmp_path):
    """Over the circuits and seeds, every misconception the lecture's circuits can show is planted
    (the seed's and tanh's are in tests/test_marking.py), and slips at values and at gradients."""
    kinds, slips, wires = set(), set(), set()

    def kind_of(question):
        return question.rsplit(".", 1)[1] if "->" in question else "value" if question.endswith(".value") \
            else "upstream"
    for circuit in CIRCUITS:
        for seed in SEEDS:
            folder = tmp_path / f"{circuit}-{seed}"
            folder.mkdir()
            for what in plant_class(folder, circuit, seed).values():
                kinds |= {w[1] for w in what.values() if isinstance(w, tuple) and w[0] == "misconception"}
                wires |= {kind_of(q) for q, w in what.items() if isinstance(w, tuple) and w[0] == "misconception"}
                slips |= {kind_of(q) for q, w in what.items() if w == ("slip",)}
    assert kinds == {"copy_one_branch", "router_loser", "router_split", "switcher_own_value", "subtraction_sign",
                     "local_only", "upstream_only", "value_as_gradient", "sigmoid_at_input", "reciprocal_sign",
                     "reciprocal_square"}
    assert wires == {"upstream", "local", "downstream"}
    assert slips == {"value", "upstream", "local", "downstream"}
