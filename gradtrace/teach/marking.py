"""Follow-through marking and misconceptions: what a wrong answer says about the student.

Follow-through. A circuit's wires are tied by three relations, the same for numbers and arrays:
a gate's value is op(its inputs' values); the downstream gradient a gate sends an input is its
upstream × its local gradient (the engine's own rule, un-broadcast for arrays); a node's upstream
is the sum of the downstream gradients of its uses. A student's own world is the circuit with
their answers in place of the truth wherever they answered. A wrong answer that is what the right
step gives from their own earlier answers (values forwards, upstream gradients backwards, at their
own values or the true ones), with at least one of those wrong, *follows through*: its slips are
the earlier wrong answers that are not themselves follow-throughs, found back along the chain,
and it points to them. A slip is a wrong answer that does not follow through.

Misconceptions. A slip at an upstream gradient is tried against a catalogue of the lecture's
typical mistakes, each the right computation with one step changed, keyed by what the gates do
(the op table's patterns: a copy gate, a router, a switcher, a distributor with a minus sign) and
by the slips an op's own record lists (Teach.slips: the sigmoid's shortcut at its input, 1/x's
sign or square), so an op added to the table is covered by its pattern:

  copy_one_branch      a copy gate's branches not added: one use's gradient alone;
  router_loser         a router (max) sending the gradient to the losing input (the winner gets 0);
  router_split         a router splitting the gradient between its inputs;
  switcher_own_value   a switcher (mul) not switched: the input's own value as its local gradient;
  subtraction_sign     the sign of a subtraction's second input lost;
  local_only           the local gradient alone, the upstream not multiplied in;
  upstream_only        the upstream gradient alone, the local gradient left out;
  value_as_gradient    the node's forward value given as its gradient;
  seed_ignored         the upstream gradient a key gives ignored: the gradient from ∂f/∂f = 1 (or ones);
  an op's own slips    Teach.slips: sigmoid_at_input, tanh_at_input, reciprocal_sign, reciprocal_square.

Every comparison is the grading rule's own (answers.py), at the precision the student wrote: a
candidate is named only when, put in the place of the truth, it passes the answer. A right answer
is never looked at. When several entries reproduce the same answer, each is named and the finding
is marked ambiguous: the report says "one of", and counts each, since no number could tell them
apart. Array answers get diagnose.py's diagnosis (issue 33) as their misconception, and follow
through by the same three relations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..core.errors import GradtraceError
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import N_, _, ngettext

# The catalogue in words: (teacher's label, as in "23% did not add ... at x"; student's feedback).
# Labels and feedback are N_ here, translated where shown; {at} names the wire, {gate} the gate.
CATALOGUE: dict[str, tuple[str, str]] = {
    "copy_one_branch": (
        N_("did not add the copy gate's branches"),
        N_("{at} is used more than once, so it is a copy gate: its gradient is the sum of what each use sends "
           "back. Your answer is one branch's gradient only ({gate}); add the others.")),
    "router_loser": (
        N_("sent a max gate's gradient to the losing input"),
        N_("{gate} is a max gate, and a max gate routes: the whole gradient goes to the larger input and 0 to "
           "the other. Your answer sends it the wrong way.")),
    "router_split": (
        N_("split a max gate's gradient between its inputs"),
        N_("{gate} is a max gate: it does not split the gradient; the larger input gets all of it and the "
           "other 0.")),
    "switcher_own_value": (
        N_("did not switch a mul gate's inputs"),
        N_("{gate} is a mul gate, and a mul gate switches: the local gradient of one input is the other "
           "input's value. Your answer used {at}'s own value.")),
    "subtraction_sign": (
        N_("lost the sign of a subtraction's second input"),
        N_("In {gate} the second input is subtracted, so its local gradient is -1, not 1: the gradient it "
           "gets back is minus the upstream.")),
    "local_only": (
        N_("gave the local gradient without the upstream"),
        N_("Your answer is {gate}'s local gradient alone. The chain rule multiplies it by the gate's upstream "
           "gradient: downstream = upstream × local.")),
    "upstream_only": (
        N_("gave the upstream gradient without the local gradient"),
        N_("Your answer is {gate}'s upstream gradient alone. Multiply it by the gate's local gradient: "
           "downstream = upstream × local.")),
    "value_as_gradient": (
        N_("gave a forward value as a gradient"),
        N_("Your answer is {at}'s value from the forward pass, not its gradient ∂f/∂{at}.")),
    "seed_ignored": (
        N_("ignored the upstream gradient (started the backward pass from 1)"),
        N_("The backward pass starts from the upstream gradient the problem gives for ∂f/∂f; your answer is "
           "the gradient from 1 (or ones).")),
    "sigmoid_at_input": (
        N_("took the sigmoid's shortcut at its input"),
        N_("The sigmoid's local gradient is (1-σ)σ with σ the gate's output; in {gate} you used its input "
           "instead.")),
    "tanh_at_input": (
        N_("took tanh's shortcut at its input"),
        N_("tanh's local gradient is 1 - tanh² with tanh the gate's output; in {gate} you used its input "
           "instead.")),
    "reciprocal_sign": (
        N_("lost the sign of -1/x²"),
        N_("The local gradient of {gate} is -1/x² (for c/x, -c/x²): it is negative; your answer has the "
           "sign lost.")),
    "reciprocal_square": (
        N_("lost the square of -1/x²"),
        N_("The local gradient of {gate} is -1/x² (for c/x, -c/x²), with the square; your answer used -1/x.")),
}
DIAGNOSIS = N_("array: {text}")  # an array answer's diagnosis (diagnose.py), as a misconception

FOLLOW_CREDITS = {"full": 1.0, "none": 0.0}
DEFAULT_CREDIT = "full"  # a key without follow_through: an answer that follows through earns its points


def label(key: str) -> str:
    """A catalogue entry's label for the class report, translated."""
    if key in CATALOGUE:
        return _(CATALOGUE[key][0])
    return _("array diagnosis: {key}").format(key=key)


class Misconception:
    """One catalogue entry that reproduces an answer: its key, where (the gate), and the feedback."""

    __slots__ = ("at", "gate", "key", "text")

    def __init__(self, key: str, at: str, gate: str, text: str | None = None):
        self.key, self.at, self.gate = key, at, gate
        self.text = text  # an array's diagnosis in words; catalogue entries are worded from CATALOGUE

    @property
    def label(self) -> str:
        return label(self.key)

    @property
    def feedback(self) -> str:
        if self.text is not None:
            return _(DIAGNOSIS).format(text=self.text)
        return _(CATALOGUE[self.key][1]).format(at=self.at, gate=self.gate)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "at": self.at, "gate": self.gate, "feedback": self.feedback}


class Finding:
    """What marking found in one wrong answer: the slips it follows through from, or, for a slip,
    the misconceptions that reproduce it (none: a slip unexplained)."""

    __slots__ = ("follows", "misconceptions")

    def __init__(self, follows: tuple[str, ...] = (), misconceptions: tuple[Misconception, ...] = ()):
        self.follows = follows
        self.misconceptions = misconceptions

    @property
    def ambiguous(self) -> bool:
        return len(self.misconceptions) > 1

    def feedback(self, question: str) -> str:
        """The finding in words a student can read."""
        if self.follows:
            return ngettext("{question} follows through from your earlier slip at {slips}: it is the right step "
                            "from your own answer there.",
                            "{question} follows through from your earlier slips at {slips}: it is the right step "
                            "from your own answers there.", len(self.follows)).format(
                question=question, slips=", ".join(self.follows))
        if not self.misconceptions:
            return ""
        texts = [m.feedback for m in self.misconceptions]
        if len(texts) == 1:
            return texts[0]
        return _("Your answer at {question} fits more than one mistake, and the numbers cannot tell which: "
                 "{mistakes}").format(question=question, mistakes=" / ".join(texts))


# ---- the student's own world -------------------------------------------------------------------


class _Matcher:
    """Whether a number (or array), in the truth's place, passes the student's answer: the grading
    rule's own, at the precision written."""

    def __init__(self, answer: Any, raw: Any, numbers: NumberFormat, tol: Any, noise: Any):
        self.value: Any = None
        self._fits: Callable[[Any], bool] = lambda candidate: False
        if answer.read is not None:  # an array answer, as answers.py read it
            from ..modes.diagnose import Fit

            elements, low, from_numbers = answer.read
            fit = Fit(elements, low, from_numbers, tol, numbers.digits, numbers.decimals, answer.name, noise)
            self.value, self._fits = fit.values, fit.fits
            return
        if hasattr(answer.actual, "shape") and getattr(answer.actual, "ndim", 0) > 0:
            return  # a number given for an array: nothing follows from it
        from ..modes.answers import read_answer

        value, rule = read_answer(str(raw), numbers.digits, tol, answer.name, numbers.decimals)
        spread = float(noise) if noise is not None and not hasattr(noise, "shape") else 0.0
        self.value = value
        self._fits = lambda candidate: rule.allows(float(candidate), value, spread)

    def fits(self, candidate: Any) -> bool:
        if candidate is None:
            return False
        try:
            return bool(self._fits(candidate))
        except (TypeError, ValueError, ArithmeticError):
            return False  # an array in a number's place, or a number in an array's


class _Answered:
    """One graded answer about a node: right or wrong, and its matcher."""

    __slots__ = ("correct", "matcher", "name")

    def __init__(self, name: str, correct: bool, matcher: _Matcher):
        self.name, self.correct, self.matcher = name, correct, matcher


def mark(trace: Any, answers: dict[str, tuple[Any, Any]], numbers: NumberFormat = DEFAULT, tol: Any = None,
         key_seed: Any = None, noise: tuple[list[Any], list[Any]] | None = None) -> dict[str, Finding]:
    """Findings for every wrong answer: answers maps a question (NAME, NAME.value, or a wire,
    GATE->INPUT.local or .downstream) to its graded Answer and the text the student wrote. A
    numeric trace only; the others are not marked."""
    from ..modes.answers import Expected, _node_for, float_noise
    from .wires import is_wire, locate

    noise = noise or float_noise(trace)
    values: dict[int, _Answered] = {}
    gradients: dict[int, _Answered] = {}
    wires: dict[tuple[int, int, str], _Answered] = {}
    for name, (answer, raw) in answers.items():
        try:
            if is_wire(name):
                c, slot, kind = locate(trace, name, name)
                matcher = _Matcher(answer, raw, numbers, tol, 0.0)
                if matcher.value is not None:
                    wires[c, slot, kind] = _Answered(name, bool(answer.correct), matcher)
                continue
            target, _dot, attribute = name.partition(".")
            node = _node_for(trace, Expected(name, ""), target, attribute).node
            spread = noise[0 if attribute == "value" else 1][node.id]
            matcher = _Matcher(answer, raw, numbers, tol, spread)
        except GradtraceError:
            continue
        if matcher.value is None:
            continue
        (values if attribute == "value" else gradients)[node.id] = _Answered(name, bool(answer.correct), matcher)
    world = _World(trace, values, gradients, wires)
    findings = world.follow_through()
    for node_id, answered in gradients.items():
        if answered.correct or answered.name in findings:
            continue
        if trace.arrays:
            found = _diagnosis(answers[answered.name][0], trace, node_id)
        else:
            at = trace.graph.nodes[node_id].name
            found = _named(trace, _candidates(trace, node_id, key_seed), answered.matcher, at)
        findings[answered.name] = Finding(misconceptions=found)
    for (c, slot, kind), answered in wires.items():
        if not answered.correct and answered.name not in findings:
            at = trace.graph.nodes[trace.graph.nodes[c].inputs[slot]].name
            findings[answered.name] = Finding(misconceptions=_named(
                trace, _wire_candidates(trace, c, slot, kind, key_seed), answered.matcher, at))
    for answered in values.values():
        if not answered.correct and answered.name not in findings:
            found = _diagnosis(answers[answered.name][0], trace, None) if trace.arrays else ()
            findings[answered.name] = Finding(misconceptions=found)
    return findings


class _Quantity:
    """One quantity of the student's world: its number, and the slips it is made from."""

    __slots__ = ("slips", "value")

    def __init__(self, value: Any, slips: frozenset[str] = frozenset()):
        self.value, self.slips = value, slips


def _total(parts: list[_Quantity]) -> _Quantity:
    live = [p for p in parts if p.value is not None]
    if not live:
        return _Quantity(None)
    total = live[0].value
    for p in live[1:]:
        total = total + p.value
    return _Quantity(total, frozenset().union(*(p.slips for p in live)))


class _World:
    """The circuit as the student has it: their values, local, downstream and upstream gradients
    where they answered, and each slip that feeds each wire. The backward pass is followed in two
    worlds at once: at the true values (a slip in the backward pass alone) and at the student's own
    values (a slip in the forward pass carried into the gradients); an answer follows through when
    the right step in either world gives it."""

    def __init__(self, trace: Any, values: dict[int, _Answered], gradients: dict[int, _Answered],
                 wires: dict[tuple[int, int, str], _Answered]):
        self.trace, self.graph = trace, trace.graph
        self.answered_values, self.answered_gradients, self.answered_wires = values, gradients, wires
        self.xp = trace.backend
        from ..core.ops import scalar

        self.backend = self.xp or scalar
        self.found: dict[str, Finding] = {}

    def settle(self, answered: _Answered | None, candidates: list[_Quantity]) -> list[_Quantity]:
        """An answered quantity: right, a follow-through (a candidate made of slips gives it), or a
        new slip; in every world it is the student's answer from here on. Unanswered: as computed."""
        if answered is None:
            return candidates
        if answered.correct:
            slips: frozenset[str] = frozenset()
        else:
            hit = next((q.slips for q in candidates if q.slips and answered.matcher.fits(q.value)), None)
            if hit is not None:
                self.found[answered.name] = Finding(follows=self._ordered(hit))
                slips = hit
            else:
                slips = frozenset({answered.name})
        return [_Quantity(answered.matcher.value, slips) for _q in candidates]

    def follow_through(self) -> dict[str, Finding]:
        """Values forwards, then the gradients backwards gate by gate: each wrong answer that the
        right step gives from the student's own earlier answers, and the slips it follows from."""
        trace, nodes = self.trace, self.graph.nodes
        n = len(nodes)
        value: list[_Quantity] = [_Quantity(v) for v in trace.values]
        for node in nodes:
            if node.op is None:
                continue
            k = node.id
            slips = frozenset().union(*(value[i].slips for i in node.inputs))
            computed = _Quantity(self._apply(node, [value[i].value for i in node.inputs]) if slips
                                 else trace.values[k], slips)
            value[k] = self.settle(self.answered_values.get(k), [computed])[0]
        worlds = ([v for v in trace.values], [q.value for q in value])
        world_slips: tuple[list[frozenset[str]], ...] = ([frozenset()] * n, [q.slips for q in value])
        up: list[list[_Quantity]] = [[_Quantity(None)] * n for _w in worlds]
        down: dict[tuple[int, int], list[_Quantity]] = {}
        for w in range(2):
            up[w][self.graph.output.id] = _Quantity(trace.seed)
        for node in reversed(nodes):
            k = node.id
            uses = self.graph.consumers_of(k)
            if uses:
                sums = [_total([down[c, slot][w] for c, slot in uses]) for w in range(2)]
                settled = self.settle(self.answered_gradients.get(k), sums)
                for w in range(2):
                    up[w][k] = settled[w]
            if node.op is None:
                continue
            for slot in range(len(node.inputs)):
                locals_, downs = [], []
                for w in range(2):
                    feeds = frozenset().union(world_slips[w][k], *(world_slips[w][i] for i in node.inputs))
                    local, sent = self._step(node, slot, up[w][k].value, worlds[w])
                    locals_.append(_Quantity(local, feeds))
                    downs.append((sent, feeds))
                locals_ = self.settle(self.answered_wires.get((k, slot, "local")), locals_)
                sent_back = []
                for w in range(2):
                    q = up[w][k]
                    if self.answered_wires.get((k, slot, "local")) is not None and q.value is not None:
                        sent = q.value * locals_[w].value  # their own local, times the upstream
                    else:
                        sent = downs[w][0]
                    sent_back.append(_Quantity(sent, q.slips | locals_[w].slips | downs[w][1]))
                down[k, slot] = self.settle(self.answered_wires.get((k, slot, "downstream")), sent_back)
        return self.found

    def _ordered(self, slips: frozenset[str]) -> tuple[str, ...]:
        """Slips in the lecture's order: values forwards, then gradients from the output back."""
        order = {a.name: (0, k, 0) for k, a in self.answered_values.items()}
        order.update({a.name: (1, -k, 0) for k, a in self.answered_gradients.items()})
        order.update({a.name: (1, -c, 1 + slot) for (c, slot, _kind), a in self.answered_wires.items()})
        return tuple(sorted(slips, key=lambda s: order.get(s, (2, 0, 0))))

    def _apply(self, node: Any, args: list[Any]) -> Any:
        try:
            from ..core.engine import _quiet

            with _quiet(self.backend):
                return node.gate.apply(self.backend, tuple(args), node.params)
        except (GradtraceError, ArithmeticError, ValueError, TypeError, IndexError):
            return None

    def _step(self, node: Any, slot: int, up: Any, value: list[Any]) -> tuple[Any, Any]:
        """Gate `node`'s local gradient for input `slot` (None for an array op) and what it sends
        back from upstream `up`, at these values (un-broadcast to the input's shape)."""
        from ..core.engine import _quiet, local_downstream

        if up is None:
            return None, None
        args = tuple(value[i] for i in node.inputs)
        try:
            with _quiet(self.backend):
                partials, sent = local_downstream(node.gate, self.backend, up, value[node.id], args, node.params)
                down = sent[slot]
                if self.xp is not None:
                    from ..core.numpy_backend import shape_of, unbroadcast

                    down = unbroadcast(down, shape_of(args[slot]))
        except (GradtraceError, ArithmeticError, ValueError, TypeError, IndexError):
            return None, None
        return partials[slot], down


# ---- the catalogue ------------------------------------------------------------------------------


def _named(trace: Any, candidates: Iterator[tuple[str, str, Any]], matcher: _Matcher,
           at: str) -> tuple[Misconception, ...]:
    """Every catalogue entry whose number passes the answer, each named once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for key, gate, candidate in candidates:
        if (key, gate) in seen or not matcher.fits(candidate):
            continue
        seen.add((key, gate))
        out.append(Misconception(key, at, gate))
    return tuple(out)


def _gate(trace: Any, c: int) -> str:
    node = trace.graph.nodes[c]
    return f"{node.name} = {node.expr}"


def _wrong_locals(trace: Any, c: int, slot: int) -> Iterator[tuple[str, Any]]:
    """(key, the local gradient the mistake uses) for input `slot` of gate c: the patterns' own
    mistakes, then the op's record's slips (Teach.slips)."""
    from ..core.ops import scalar

    node = trace.graph.nodes[c]
    op = node.gate
    local = trace.local[c][slot]
    if local is None:
        return
    pattern = op.text.pattern
    args = [trace.values[a] for a in node.inputs]
    if pattern == "router" and op.variadic:
        yield "router_loser", 0.0 if local != 0 else 1.0
        yield "router_split", 1.0 / len(args)
    if pattern == "switcher":
        yield "switcher_own_value", args[slot]
    if pattern == "distributor" and local < 0:
        yield "subtraction_sign", -local
    for key, _text, rule in op.teach.slips:
        try:
            wrong = rule(scalar, trace.values[c], *args, *node.params)[slot]
        except (ArithmeticError, ValueError, TypeError):
            continue
        if wrong is not None:
            yield key, wrong


def _seed_ignored(trace: Any, truth: Any, key_seed: Any, at: str) -> Iterator[tuple[str, str, Any]]:
    if key_seed is not None and not isinstance(key_seed, str) and trace.seed not in (0.0, 1.0):
        yield "seed_ignored", at, truth / trace.seed


def _candidates(trace: Any, k: int, key_seed: Any) -> Iterator[tuple[str, str, Any]]:
    """(key, the gate it is about, the number the mistake gives) for node k's upstream gradient."""
    graph = trace.graph
    uses = graph.consumers_of(k)
    if not uses:
        return
    parts = [trace.downstream[c][slot] for c, slot in uses]
    name = graph.nodes[k].name
    if len(uses) > 1:
        for (c, _slot), part in zip(uses, parts):
            yield "copy_one_branch", _gate(trace, c), part
    for i, (c, slot) in enumerate(uses):
        up = trace.upstream[c]
        if up is None:
            continue
        others = sum(p for j, p in enumerate(parts) if j != i)
        for key, wrong in _wrong_locals(trace, c, slot):
            yield key, _gate(trace, c), others + up * wrong
    # The chain rule's product half done, at one gate (x*x's two slots together: 2x alone, or up once).
    for c in dict.fromkeys(c for c, _slot in uses):
        mine = [i for i, (d, _slot) in enumerate(uses) if d == c]
        up, locals_ = trace.upstream[c], [trace.local[c][uses[i][1]] for i in mine]
        if up is None or None in locals_:
            continue
        others = sum(p for j, p in enumerate(parts) if j not in mine)
        yield "local_only", _gate(trace, c), others + sum(locals_)
        yield "upstream_only", _gate(trace, c), others + up
    yield "value_as_gradient", name, trace.values[k]
    yield from _seed_ignored(trace, trace.upstream[k], key_seed, name)


def _wire_candidates(trace: Any, c: int, slot: int, kind: str, key_seed: Any) -> Iterator[tuple[str, str, Any]]:
    """The same catalogue for one wire: its local gradient, or the downstream gradient it carries."""
    gate = _gate(trace, c)
    up = trace.upstream[c]
    factor = 1.0 if kind == "local" or up is None else up
    for key, wrong in _wrong_locals(trace, c, slot):
        yield key, gate, factor * wrong
    if kind == "downstream" and up is not None:
        yield "local_only", gate, trace.local[c][slot]
        yield "upstream_only", gate, up
        yield "value_as_gradient", gate, trace.values[trace.graph.nodes[c].inputs[slot]]
        yield from _seed_ignored(trace, trace.downstream[c][slot], key_seed, gate)


def _diagnosis(answer: Any, trace: Any, node_id: int | None) -> tuple[Misconception, ...]:
    """An array answer's diagnosis (diagnose.py), when it names a mistake, as a misconception."""
    report = getattr(answer, "report", None)
    diagnosis = getattr(report, "diagnosis", None)
    mistake = getattr(diagnosis, "mistake", None) if diagnosis is not None else None
    if diagnosis is None or mistake is None:
        return ()
    at = answer.name.partition(".")[0]
    return (Misconception(mistake.key, at, mistake.at or at, diagnosis.text),)


def credit_of(value: Any, origin: str) -> float:
    """A key's follow_through: "full", "none", or the fraction of the points it earns (0.5)."""
    if value is None:
        return FOLLOW_CREDITS[DEFAULT_CREDIT]
    if isinstance(value, str) and value.strip() in FOLLOW_CREDITS:
        return FOLLOW_CREDITS[value.strip()]
    try:
        fraction = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        fraction = float("nan")
    if not 0 <= fraction <= 1:
        raise GradtraceError(
            _("{origin}: follow_through must be full, none or a fraction from 0 to 1, not {value}").format(
                origin=origin, value=str(value)[:40]),
            hint=_('write follow_through = "full", "none" or 0.5'))
    return fraction
