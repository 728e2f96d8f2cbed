"""The questions about a wire of a circuit, beside NAME (∂f/∂NAME) and NAME.value: a gate's local
gradient and the downstream gradient it sends one input, as worksheets and `quiz --ask` ask them.

    "q->x.local" = 1            # ∂q/∂x, the local gradient of gate q for its input x
    "q->x.downstream" = -4      # what q sends x back: ∂f/∂q · ∂q/∂x
    "p->x#2.local" = 3          # p = x * x: the second time p takes x

`->` may be written `→`. Each answer is graded by the one rule (answers.read_answer and its Rule),
at the precision written, with the float noise of the gradient it is made of.
"""

from __future__ import annotations

import re
from typing import Any

from ..core.errors import GradtraceError, did_you_mean, printable
from ..core.numbers import DEFAULT, NumberFormat
from ..i18n import _

WIRE = re.compile(r"(?P<gate>[^\s>→#]+?)\s*(?:->|→)\s*(?P<input>[^\s.#]+)(?:#(?P<nth>[0-9]{1,3}))?"
                  r"\.(?P<kind>local|downstream)\Z")
KINDS = ("local", "downstream")


def is_wire(name: str) -> bool:
    """Whether a question names a wire (q->x.local, q->x.downstream) rather than a node."""
    return "->" in name or "→" in name


def wire_names(trace: Any) -> list[str]:
    """Every wire question a trace can answer, in backward order (for hints and keys)."""
    out = []
    for node in reversed(trace.graph.nodes):
        if node.op is None:
            continue
        names = [trace.graph.nodes[i].name for i in node.inputs]
        for slot, name in enumerate(names):
            nth = names[:slot + 1].count(name)
            suffix = f"#{nth}" if names.count(name) > 1 else ""
            out += [f"{node.name}->{name}{suffix}.{kind}" for kind in KINDS]
    return out


def locate(trace: Any, name: str, origin: str) -> tuple[int, int, str]:
    """(the gate's id, the input's slot, "local" or "downstream") of a wire question, or an error
    that says how wires are named and which there are."""
    match = WIRE.match(name.strip())
    known = wire_names(trace)
    if match is None:
        raise GradtraceError(
            _("{origin}: a wire is asked as GATE->INPUT.local or GATE->INPUT.downstream").format(origin=origin),
            hint=_("its wires are {names}").format(names=", ".join(known[:12]) + (" …" if len(known) > 12 else "")))
    gate, input_name, nth, kind = match.group("gate", "input", "nth", "kind")
    nodes = trace.graph.nodes
    found = [n for n in nodes if n.name == gate and n.op is not None]
    slots = [] if not found else [s for s, i in enumerate(found[0].inputs) if nodes[i].name == input_name]
    index = int(nth) - 1 if nth else 0
    if not slots or not 0 <= index < len(slots) or (nth is None and len(slots) > 1):
        hint = did_you_mean(printable(name.strip()), known) or \
            _("its wires are {names}").format(names=", ".join(known[:12]) + (" …" if len(known) > 12 else ""))
        raise GradtraceError(_("{origin}: the trace has no wire {name}").format(origin=origin, name=name.strip()),
                             hint=hint)
    return found[0].id, slots[index], kind


def check_wires(trace: Any, items: list[Any], tol: Any = None, numbers: NumberFormat = DEFAULT,
                noise: Any = None) -> list[Any]:
    """Grade wire answers against a numeric trace by the one rule (answers.py)."""
    from ..modes.answers import Answer, float_noise, read_answer

    if trace.arrays:
        raise GradtraceError(_("{origin}: wires are asked of circuits of numbers, not arrays").format(
            origin=items[0].origin))
    noise = noise or float_noise(trace)
    out = []
    for item in items:
        c, slot, kind = locate(trace, item.name, item.origin)
        node = trace.graph.nodes[c]
        input_name = trace.graph.nodes[node.inputs[slot]].name
        local = trace.local[c][slot]
        up = trace.upstream[c]
        if kind == "local":
            actual, spread = local, 0.0
            refers_to = f"∂{node.name}/∂{input_name}"
        else:
            if up is None:
                raise GradtraceError(_("{origin}: {gate} feeds no gradient back").format(origin=item.origin,
                                                                                          gate=node.name))
            actual, spread = trace.downstream[c][slot], abs(float(noise[1][c]) * float(local))
            refers_to = f"∂{trace.output}/∂{node.name} · ∂{node.name}/∂{input_name}"
        value, rule = read_answer(str(item.text), numbers.digits, tol, item.origin, numbers.decimals)
        correct = rule.allows(float(actual), value, spread)
        out.append(Answer(item.name, refers_to, printable(str(item.text).strip()), actual, correct, rule.text, None,
                          rule.shown(float(actual), value)))
    return out
