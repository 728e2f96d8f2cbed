"""Practice: random circuits built from the lecture's gates, the questions a student answers on
the way back through them, and worksheets for teachers. No terminal here: the CLI asks.

A problem is a small program with small-number bindings. Its questions are the upstream gradient
of every gate in backward order, then each variable's gradient. Each question knows the lecture's
hint for the gate that sends that gradient back, and the worked chain-rule step.
"""

from __future__ import annotations

import random
from typing import Any

from ..core.bindings import Binding
from ..core.errors import GradtraceError
from ..core.numbers import DEFAULT, NumberFormat
from ..core.ops import OPS, PATTERNS
from ..core.trace import Trace
from ..i18n import _, ngettext
from ..modes.run import run_program

VARIABLES = ("x", "y", "z", "w")
# The gate mix per difficulty: 1 add and mul; 2 adds max, fan-out and constants; 3 adds exp, 1/x,
# sigmoid and tanh.
# The functions a difficulty-3 circuit may use are the records that say so (Op.teach.quiz).
FUNCTIONS_3 = [op.name for op in OPS.values()
               if op.teach.quiz is not None and op.teach.quiz <= 3 and op.syntax.callable]
MIXES = {
    1: ["add", "mul"],
    2: ["add", "mul", "max", "scale", "shift"],
    3: ["add", "mul", "max", "scale", "shift", *sorted(["recip", *FUNCTIONS_3])],
}
SIZES = {1: (2, 3), 2: (3, 5), 3: (4, 6)}
SMOOTH = {"recip", *FUNCTIONS_3}


ASKS = ("values", "local", "upstream", "downstream")  # what a quiz can ask, in the lecture's order


class Question:
    """One blank to fill: what it asks (kind: value, local, upstream or downstream), the prompt,
    the right answer, a hint, and the worked step."""
    __slots__ = ("answer", "hint", "kind", "name", "prompt", "worked")

    def __init__(self, name: str, prompt: str, answer: float, hint: str, worked: str, kind: str = "upstream"):
        self.name, self.prompt, self.answer, self.hint, self.worked = name, prompt, answer, hint, worked
        self.kind = kind


class Problem:
    """A circuit to backprop through by hand."""

    def __init__(self, program: str, bindings: dict[str, float], difficulty: int):
        self.program = program
        self.bindings = bindings
        self.difficulty = difficulty
        self.trace: Trace = run_program(program, [Binding(name, value if isinstance(value, str) else float(value),
                                                          f"{name}={value}") for name, value in bindings.items()]).trace

    @property
    def patterns(self) -> set[str]:
        return {p for row in self.trace.nodes for p in row.patterns}

    def questions(self, numbers: NumberFormat | int = DEFAULT,
                  ask: tuple[str, ...] | set[str] = ("upstream",)) -> list[Question]:
        """The blanks, in the lecture's order: the forward pass (each gate's value, inputs first),
        then the backward pass gate by gate from the output: its upstream gradient (the output's
        is 1), each input's local gradient, and each downstream gradient (upstream × local); last,
        each variable's gradient, where its downstream gradients add up. The worked steps show
        numbers as `numbers` does (an int: that many significant digits)."""
        numbers = NumberFormat.of(numbers)
        t = self.trace
        f = t.output
        out: list[Question] = []
        if "values" in ask:
            for row in reversed(t.nodes):
                if row.op != "input":
                    out.append(Question(row.name, f"{row.name} = {row.expr}", float(row.value),
                                        self._value_hint(row), self._value_worked(row, numbers), "value"))
        for row in t.nodes:
            if row.op == "input":
                continue
            if "upstream" in ask and row.name != f:
                out.append(Question(row.name, f"∂{f}/∂{row.name}", float(row.upstream), self._hint(row),
                                    self._worked(row, numbers)))
            for k, name in enumerate(row.inputs):
                which = " " + _("(input {k})").format(k=k + 1) if row.inputs.count(name) > 1 else ""
                if "local" in ask:
                    out.append(Question(f"{row.name}→{name}", f"local ∂{row.name}/∂{name}{which}",
                                        float(row.local[k]), self._local_hint(row, k),
                                        self._local_worked(row, k, numbers), "local"))
                if "downstream" in ask:
                    prompt = _("downstream to {input} from {node}").format(input=name, node=row.name) + which
                    out.append(Question(f"{row.name}→{name}", prompt,
                                        float(row.downstream[k]),
                                        _("downstream = upstream × local: {product}").format(
                                            product=f"∂{f}/∂{row.name} · ∂{row.name}/∂{name}"),
                                        f"{numbers.text(row.upstream)} · {numbers.text(row.local[k])} = "
                                        f"{numbers.text(row.downstream[k])}", "downstream"))
        if "upstream" in ask:
            variables = [row for row in t.nodes if row.op == "input"]
            variables.sort(key=lambda row: list(t.gradients).index(row.name))
            for row in variables:
                out.append(Question(row.name, f"∂{f}/∂{row.name}", float(row.upstream), self._hint(row),
                                    self._worked(row, numbers)))
        return out

    def _value_hint(self, row: Any) -> str:
        known = ", ".join(f"{name} = {DEFAULT.text(self.trace.node(name).value)}" for name in dict.fromkeys(row.inputs))
        return _("{node} = {expr}: put in its inputs' values ({known}).").format(node=row.name, expr=row.expr,
                                                                                 known=known)

    def _value_worked(self, row: Any, numbers: NumberFormat) -> str:
        return f"{row.name} = {row.expr} = {numbers.substituted(row)} = {numbers.text(row.value)}"

    def _local_hint(self, row: Any, k: int) -> str:
        pattern = row.pattern
        gate = f"{row.name} = {row.expr}"
        if pattern == "distributor":
            return _("{gate} is an add gate: each input's local gradient is 1 (or -1 if subtracted).").format(gate=gate)
        if pattern == "switcher":
            return _("{gate} is a mul gate: the local gradient is the other input's value.").format(gate=gate)
        if pattern == "router":
            return _("{gate} routes: the local gradient is 1 for the larger input, 0 for the other.").format(gate=gate)
        if pattern == "scaler":
            return _("{gate} scales by a constant: the local gradient is that constant.").format(gate=gate)
        return _("{gate}: its local gradient is {formula}; put in the values.").format(gate=gate,
                                                                                       formula=row.formulas[k])

    def _local_worked(self, row: Any, k: int, numbers: NumberFormat) -> str:
        _node, name, formula, value = numbers.local_parts(row, k)
        return f"∂{row.name}/∂{name} = " + (f"{formula} = " if formula is not None else "") + value

    def _hint(self, row: Any) -> str:
        t = self.trace
        parts = row.parts
        if len(parts) > 1:
            adds = PATTERNS["adder"]  # marked in ops.py
            return ngettext("{name} is used {count} time: it is a copy gate, and a copy gate {adds} — work out what "
                            "each use sends back, then add them.",
                            "{name} is used {count} times: it is a copy gate, and a copy gate {adds} — work out what "
                            "each use sends back, then add them.", len(parts)).format(
                name=row.name, count=len(parts), adds=_(adds))
        consumer = t.node(parts[0][0])
        pattern = consumer.pattern
        gate, kind = f"{consumer.name} = {consumer.expr}", consumer.gate_name
        if pattern == "switcher":
            return _("{gate} is a mul gate, and a mul gate switches: the local gradient is the other input.").format(
                gate=gate)
        if pattern == "distributor":
            return _("{gate} is a {kind} gate, and an add gate distributes: it passes its upstream gradient on "
                     "unchanged.").format(gate=gate, kind=kind)
        if pattern == "router":
            return _("{gate} is a {kind} gate, and a max gate routes: the whole gradient goes to the larger input, 0 "
                     "to the other.").format(gate=gate, kind=kind)
        if pattern == "scaler":
            return _("{gate} is a {kind} gate: it scales its upstream gradient by its constant.").format(
                gate=gate, kind=kind)
        slot = consumer.inputs.index(row.name)
        return _("{gate} is a {kind} gate: its local gradient is {formula}; multiply it by the gate's upstream "
                 "gradient.").format(gate=gate, kind=kind, formula=consumer.formulas[slot])

    def _worked(self, row: Any, numbers: NumberFormat) -> str:
        t = self.trace
        f = t.output
        steps = []
        for consumer_name, _part in row.parts:
            c = t.node(consumer_name)
            slot = [k for k, name in enumerate(c.inputs) if name == row.name]
            for k in slot:
                steps.append((c, k))
        seen: set = set()
        lines = []
        values = []
        for c, k in steps:
            if (c.name, k) in seen:
                continue
            seen.add((c.name, k))
            local = c.local[k]
            down = c.downstream[k]
            values.append(down)
            formula = numbers.local_parts(c, k)[2]
            with_formula = "" if formula is None else f"{numbers.text(c.upstream)} · {formula} = "
            lines.append(f"∂{f}/∂{c.name} · ∂{c.name}/∂{row.name} = {with_formula}"
                         f"{numbers.text(c.upstream)} · {numbers.text(local)} = {numbers.text(down)}")
        text = "; ".join(lines)
        if len(values) > 1:
            text += "; " + _("they add up: {sum}").format(
                sum=f"{numbers.signed_sum(values)} = {numbers.text(row.upstream)}")
        return f"∂{f}/∂{row.name}: {text}"


# ---- generation -------------------------------------------------------------------------------

# What makes a generated problem worth doing, per difficulty: the significant digits any value or
# gradient may need (difficulties 1 and 2: exactly; 3, whose smooth gates give irrational
# answers: none smaller than 0.001 in size, so 4 significant digits need at most 4 decimals), and
# at difficulty 3 the smallest local gradient of a smooth gate (none saturated: sigmoid'(9) is 1e-4).
DIGITS = {1: 3, 2: 4, 3: 4}
SMALLEST = 1e-3
UNSATURATED = 0.01
AFFINE = {"add_const", "sub_const", "rsub_const"}, {"mul_const", "div_const", "neg"}


DRAWS = 5000  # circuits drawn at most for one problem
PATIENCE = 400  # draws for a new shape before a used one is taken (after the first time: PATIENCE // 10)


def generate(rng: random.Random, difficulty: int, avoid: set[str] | frozenset[str] = frozenset(),
             taken: set[tuple[Any, ...]] | frozenset[tuple[Any, ...]] = frozenset(), patience: int = DRAWS) -> Problem:
    """A random circuit at this difficulty that traces cleanly, reads well by hand, and is worth
    doing (see `flaws`); avoid: the shapes (see `shape`) already on the sheet, taken: the problems
    themselves (see `_identity`). A difficulty has only so many shapes (difficulty 1 a few dozen),
    so after `patience` draws without a new one, a problem of a shape already used is taken, as
    long as it is not one already taken."""
    if difficulty not in MIXES:
        raise GradtraceError(_("--difficulty {difficulty}: choose 1, 2 or 3").format(difficulty=difficulty))
    repeat: Problem | None = None  # worth doing, but of a shape in avoid
    for draw in range(DRAWS):
        program, names = _circuit(rng, difficulty)
        bindings = {name: _number(rng, difficulty) for name in names}
        try:
            problem = Problem(program, bindings, difficulty)
        except GradtraceError:
            continue  # a domain error (1/0): draw again
        if flaws(problem) or _identity(problem) in taken:
            continue
        if shape(problem) not in avoid:
            return problem
        repeat = repeat or problem
        if draw >= patience:
            return repeat
    if repeat is not None:
        return repeat
    raise GradtraceError(_("no problem worth doing came out of {draws} random circuits at difficulty {difficulty}; "
                           "try another --seed").format(draws=DRAWS, difficulty=difficulty))


def _identity(problem: Problem) -> tuple[Any, ...]:
    """The problem itself, its program and numbers: no sheet holds one twice."""
    return problem.program, tuple(sorted(problem.bindings.items()))


def worksheet(seed: int, count: int, difficulty: int) -> list[Problem]:
    """count problems from one seed, no two of the same shape while the difficulty has shapes
    left, and never the same problem twice; at difficulty 2 or more, every gate pattern appears
    in them."""
    rng = random.Random(seed)
    needed = {"distributor", "router", "switcher", "scaler", "adder"} if difficulty >= 2 else set()
    problems: list[Problem] = []
    patience = PATIENCE
    for _problem in range(count):
        shapes = {shape(p) for p in problems}
        problem = generate(rng, difficulty, shapes, {_identity(p) for p in problems}, patience)
        if shape(problem) in shapes:
            patience = PATIENCE // 10  # the shapes are running out: look less hard for new ones
        problems.append(problem)
    for _try in range(200):
        missing = needed - set().union(*(p.patterns for p in problems))
        if not missing or count < 3:
            break
        # Replace the problem that shows the fewest patterns with one that shows a missing one.
        weakest = min(range(count), key=lambda i: (len(problems[i].patterns), i))
        others = [p for i, p in enumerate(problems) if i != weakest]
        fresh = generate(rng, difficulty, {shape(p) for p in others}, {_identity(p) for p in others}, patience)
        if fresh.patterns & missing:
            problems[weakest] = fresh
    return problems


def shape(problem: Problem) -> str:
    """The problem with its names and numbers taken out: two problems of one shape are the same
    exercise twice (x*y + z at two points, or with the names changed)."""
    import re

    names: dict[str, str] = {}

    def rename(m: re.Match[str]) -> str:
        word = m.group(0)
        if word in OPS or word[0].isdigit():
            return word if not word[0].isdigit() else "#"
        return names.setdefault(word, f"v{len(names)}")

    return re.sub(r"[A-Za-z_][A-Za-z_0-9]*|[0-9]+(\.[0-9]+)?", rename, problem.program)


def flaws(problem: Problem) -> list[str]:
    """Why a generated problem is not worth doing (none: it is):
    a tie at a kink; a dead subtree (a gate whose gradient is 0, so everything under it is too);
    a chain of constants (x + 2 - 1, 2*(3*x)); an answer that needs more digits than the
    difficulty states (DIGITS), or one too small or too large to work by hand; at difficulty 3, a
    saturated smooth gate (local gradient under UNSATURATED)."""
    t = problem.trace
    out = []
    if any(t.kinks):
        out.append("a tie at a kink")
    for row in t.nodes:
        if row.op != "input" and row.upstream == 0:
            out.append(f"{row.name}'s gradient is 0: a dead subtree")
        for kind in AFFINE:
            if row.op in kind and any(t.node(i).op in kind for i in row.inputs):
                out.append(f"{row.name} = {row.expr}: a chain of constants")
    numbers = [v for row in t.nodes for v in (row.value, row.upstream)]
    numbers += [v for row in t.nodes for v in (*row.local, *row.downstream)]
    if any(not abs(v) < 1e4 for v in numbers):
        out.append("a number too large to work by hand")
    smooth = any(row.op in SMOOTH or row.op == "rdiv_const" for row in t.nodes)
    if not smooth:
        if problem.difficulty in DIGITS and any(_digits(v) > DIGITS[problem.difficulty] for v in numbers):
            out.append(f"an answer needs more than {DIGITS[problem.difficulty]} digits")
    else:
        if any(v != 0 and abs(v) < SMALLEST for v in numbers):
            out.append(f"a number under {SMALLEST} in size")
        for row in t.nodes:
            if row.op in SMOOTH and any(abs(g) < UNSATURATED for g in row.local):
                out.append(f"{row.name} = {row.expr} is saturated")
    return out


def _number(rng: random.Random, difficulty: int) -> float:
    """Small integers, or a one-decimal value now and then: numbers a student can use by hand."""
    if rng.random() < 0.25:
        return rng.choice([-1.5, -0.5, 0.5, 1.5, 2.5])
    high = 2 if difficulty == 3 else 5
    return float(rng.choice([v for v in range(-high, high + 1) if v != 0]))


def _circuit(rng: random.Random, difficulty: int) -> tuple[str, list[str]]:
    """Combine terms with gates from the difficulty's mix until one expression is left."""
    low, high = SIZES[difficulty]
    gates = rng.randint(low, high)
    if difficulty == 1:
        # add and mul only, no fan-out: one gate fewer than there are variables.
        names = list(VARIABLES[:gates + 1])
    else:
        names = list(VARIABLES[:rng.randint(2, 3)])
    terms: list[tuple[str, bool]] = [(n, True) for n in names]  # (text, is it an atom)
    mix = MIXES[difficulty]
    smooth_left = 2  # exp, 1/x, sigmoid, tanh: at most two per problem, so it stays a hand calculation
    made = 0
    while made < gates or len(terms) > 1:
        kinds = [k for k in mix if k not in SMOOTH or smooth_left > 0]
        if len(terms) == 1:
            kinds = [k for k in kinds if k not in ("add", "mul", "max")] if difficulty >= 2 else []
            if difficulty >= 2 and rng.random() < 0.6:
                terms.append((rng.choice(names), True))  # a variable used again: fan-out
                kinds = ["add", "mul", "max"]
            if not kinds:
                break
        kind = rng.choice(kinds)
        if kind in ("add", "mul", "max"):
            a = terms.pop(rng.randrange(len(terms)))
            b = terms.pop(rng.randrange(len(terms)))
            if difficulty >= 2 and b[0] in names and rng.random() < 0.3:
                terms.append(b)  # the variable stays available: used twice, a copy gate
            terms.append(_binary(kind, a, b))
        else:
            i = rng.randrange(len(terms))
            terms[i] = _unary(kind, terms[i], rng)
            smooth_left -= kind in SMOOTH
        made += 1
        if made >= gates + 4:
            break
    while len(terms) > 1:
        a, b = terms.pop(), terms.pop()
        terms.append(_binary("add", a, b))
    used = [n for n in names if _mentions(terms[0][0], n)]
    return terms[0][0], used


def _mentions(text: str, name: str) -> bool:
    import re

    return re.search(rf"\b{name}\b", text) is not None


def _binary(kind: str, a: tuple[str, bool], b: tuple[str, bool]) -> tuple[str, bool]:
    if kind == "max":
        return f"max({a[0]}, {b[0]})", True
    if kind == "add":
        return f"{a[0]} + {b[0]}", False
    return f"{_operand(a)} * {_operand(b)}", False


def _operand(term: tuple[str, bool]) -> str:
    """A term as a factor: atoms as they are, sums in parentheses."""
    return term[0] if term[1] else f"({term[0]})"


def _unary(kind: str, a: tuple[str, bool], rng: random.Random) -> tuple[str, bool]:
    text = a[0] if a[1] else f"({a[0]})"
    if kind == "scale":
        return f"{rng.choice([2, 3, -1, -2])} * {text}", False
    if kind == "shift":
        return f"{text} {rng.choice(['+ 1', '+ 2', '- 1'])}", False
    if kind == "recip":
        return f"1 / {text}", False
    return f"{kind}({a[0]})", True


def _digits(value: float) -> int:
    """Significant digits needed to write value exactly (up to 12)."""
    text = f"{abs(value):.12g}"
    if "e" in text:
        return 12
    digits = text.replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." in text else len(digits.rstrip("0") or "0")


# ---- a teacher's own problems -----------------------------------------------------------------

def read_problems(path: str, text: str) -> list[Problem]:
    """A problems file: TOML or JSON (a `problems` list of {expression, bindings}; JSON may be the
    list itself), or text with one problem per line as gradtrace prints a trace's header,
    `(x+y)*z   at x = -2, y = 5, z = -4` ('#' starts a comment). Each problem is traced here, so a
    mistake is reported with its problem's number and nothing is written."""
    from .grade import problem_of

    specs: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
    if path.endswith((".toml", ".json")):
        from ..core.bindings import read_document

        data = read_document(text, path, path.endswith(".toml"))
        items = data.get("problems") if isinstance(data, dict) else data
        if not isinstance(items, list) or not items:
            raise GradtraceError(
                _("{path}: no problems").format(path=path),
                hint=_(
                    "write [[problems]] tables with expression = "
                    '"..." and bindings = { x = 2 } (TOML), or a JSON '
                    "list of them"
                ),
            )
        for i, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise GradtraceError(
                    _("{path}: problem {i} must be a table with expression and bindings").format(path=path, i=i)
                )
            specs.append(problem_of(item, f"{path}: problem {i}"))
    else:
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if line:
                specs.append(_problem_line(line, f"{path}, line {number}"))
        if not specs:
            raise GradtraceError(
                _("{path}: no problems").format(path=path),
                hint=_("write one per line: (x+y)*z   at x = -2, y = 5, z = -4"),
            )
    problems = []
    for i, (expression, bindings) in enumerate(specs, 1):
        where = f"{path}: problem {i}"
        if not bindings:
            raise GradtraceError(
                _("{where} ({expression}) has no bindings, and a worksheet needs numbers").format(
                    where=where, expression=expression[:40]
                ),
                hint=_("give each variable a value: (x+y)*z   at x = -2, y = 5, z = -4"),
            )
        try:
            problem = Problem(expression, {name: _number_text(v) for name, v in bindings}, 0)
        except GradtraceError as err:
            err.message = f"{where}: {err.message}"
            raise
        if problem.trace.arrays:
            raise GradtraceError(_("{where}: a worksheet circuit works on numbers, not arrays").format(where=where))
        problems.append(problem)
    return problems


def _number_text(value: Any) -> Any:
    return value if isinstance(value, (int, float, str)) and not isinstance(value, bool) else str(value)


def _problem_line(line: str, where: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """'(x+y)*z   at x = -2, y = 5' -> ("(x+y)*z", (("x", "-2"), ("y", "5"))); no ' at ': no bindings."""
    import re

    for match in reversed(list(re.finditer(r"\s+at\s+", line))):
        expression, rest = line[:match.start()].strip(), line[match.end():]
        parts = [part.strip() for part in rest.split(",")]
        pairs = [re.fullmatch(r"([^\s=]+)\s*=\s*(\S.*)", part) for part in parts]
        if expression and all(pairs):
            return expression, tuple((m.group(1), m.group(2)) for m in pairs if m)
    return line, ()
