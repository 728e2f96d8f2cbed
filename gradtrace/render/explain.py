"""--explain: the forward or backward pass told step by step, the way the lecture narrates it.

Plain text, one idea per line, so it reads the same in a terminal, in a file and in a pipe.
"""

from __future__ import annotations

from ..core.ops import PATTERNS
from ..core.trace import NodeTrace, Trace
from . import fmt, signed_sum
from .text import local_cell


def _n(value: object, precision: int) -> str:
    """A number inside a formula: negative ones in parentheses, so 3 · (-4) reads right."""
    text = fmt(value, precision)
    return f"({text})" if text.startswith("-") and " " not in text else text


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def forward_lines(trace: Trace, precision: int = 4) -> list[str]:
    """The forward pass: every gate's value, computed from its inputs' values."""
    lines = [f"Forward pass through {trace.text}", ""]
    if trace.bindings:
        lines.append("Inputs: " + ", ".join(f"{k} = {fmt(v, precision)}" for k, v in trace.bindings.items()))
    step = 0
    for row in trace.forward_order:
        if row.is_input:
            continue
        step += 1
        with_values = row.expr_with(lambda n: _n(n.value, precision))
        lines.append(f"{step}. {row.name} = {row.expr} = {with_values} = {fmt(row.value, precision)}")
    lines += ["", f"Output: {trace.output} = {fmt(trace.value, precision)}"]
    return lines


def backward_lines(trace: Trace, precision: int = 4) -> list[str]:
    """The backward pass from ∂f/∂f = 1: each gate's pattern, then the chain rule for each input,
    in symbols and in numbers; at a fork, the sum of the branches."""
    f = trace.output
    at = ""
    if trace.bindings:
        at = " at " + ", ".join(f"{k} = {fmt(v, precision)}" for k, v in trace.bindings.items())
    lines = [f"Backward pass through {trace.text}{at}", "",
             f"Start at the output: ∂{f}/∂{f} = 1."]
    step = 0
    for row in trace.nodes:
        parts = row.parts
        if len(parts) > 1:
            step += 1
            uses = ", ".join(name for name, _ in parts)
            lines.append(f"{step}. {row.name} is used {len(parts)} times ({uses}): a copy gate, an adder: "
                         f"its gradients add up, ∂{f}/∂{row.name} = {signed_sum([v for _, v in parts], precision)}"
                         f" = {fmt(row.upstream, precision)}")
        if row.op == "input":
            continue
        step += 1
        lines.append(f"{step}. {row.name} = {row.expr} = {fmt(row.value, precision)}: {_gate(row, precision)}")
        if row.is_array_op:
            # An array op: no local gradient to multiply by, just what each input receives.
            for name, structure, d in zip(row.inputs, row.structures, row.downstream):
                lines.append(f"   ∂{f}/∂{name}: the Jacobian ∂{row.name}/∂{name} is {structure}, "
                             f"so ∂{f}/∂{name} = {fmt(d, precision)}")
            continue
        for slot, (name, g, d) in enumerate(zip(row.inputs, row.local, row.downstream)):
            local = local_cell(row, slot, precision)
            if row.name == f:
                lines.append(f"   {local}")  # ∂f/∂f = 1, so the local gradient is the whole answer
                continue
            branches = len(trace.node(name).parts)
            times = "⊙" if _size(g) > 1 or _size(row.upstream) > 1 else "·"  # elementwise on arrays
            lines.append(f"   {local}, so ∂{f}/∂{name} = ∂{f}/∂{row.name} {times} ∂{row.name}/∂{name} = "
                         f"{fmt(row.upstream, precision)} {times} {_n(g, precision)} = {fmt(d, precision)}"
                         + (f" (one of {branches} branches)" if branches > 1 else ""))
        if row.kink:
            lines.append(f"   note: {row.kink}")
    lines += ["", "Result: " + ", ".join(f"∂{f}/∂{k} = {fmt(v, precision)}" for k, v in trace.gradients.items())]
    return lines


def _gate(row: NodeTrace, precision: int) -> str:
    """One sentence: what kind of gate this is and what its pattern does with the gradient."""
    up = fmt(row.upstream, precision)
    label = row.gate_name  # the lecture's: add gate, sigmoid gate; by label for +1, 1/x
    article = "an" if label[:1].lower() in "aeiox" else "a"
    kind = f"{article} {label} gate"
    pattern = row.pattern
    if row.is_array_op:
        return f"{kind}" + (f", a {pattern}" if pattern else "") + f": {row.notes}" if row.notes else f"{kind}."
    if pattern == "distributor":
        if all(_everywhere(g, 1) for g in row.local):
            names = _names(list(row.inputs))
            return f"{kind}, a distributor: it distributes the upstream gradient {up} unchanged to {names}."
        return f"{kind}, a distributor: it passes the upstream gradient {up} on, negated where the input is subtracted."
    if pattern == "router" and any(hasattr(g, "shape") and getattr(g, "ndim", 0) > 0 for g in row.local):
        # Element by element, each element's gradient goes to whichever input wins there.
        counts = ", ".join(f"{name} wins at {_count_nonzero(g)} of {_size(g)} elements"
                           for name, g in zip(row.inputs, row.local))
        return f"{kind}, a router, element by element: each element's upstream gradient goes to the input " \
               f"that wins there, and the others get 0 ({counts})."
    if pattern == "router":
        winners = [name for name, g in zip(row.inputs, row.local) if g != 0]
        if not winners:
            return f"{kind}, a router: no input wins here, so it routes nothing back (every input gets 0)."
        if len(winners) > 1 or any(g not in (0, 1) for g in row.local):
            return f"{kind}, a router: the inputs tie, so it splits the upstream gradient {up} evenly."
        others = [name for name in row.inputs if name not in winners]
        rest = f"; {_names(others)} get{'s' if len(others) == 1 else ''} 0" if others else ""
        return f"{kind}, a router: it routes the whole upstream gradient {up} to {winners[0]}{rest}."
    if pattern == "switcher":
        return f"{kind}, a switcher: it {PATTERNS['switcher']}."
    if pattern == "scaler":
        return f"{kind}, a scaler: it scales the upstream gradient {up} by {fmt(row.local[0], precision)}."
    return f"{kind}: its local gradient is {row.formulas[0]}." if len(row.inputs) == 1 else f"{kind}."


def _everywhere(g: object, value: float) -> bool:
    """g == value, for a number or every element of an array."""
    same = g == value
    return bool(same.all()) if hasattr(same, "all") else bool(same)


def _count_nonzero(g: object) -> int:
    import numpy as np

    return int(np.count_nonzero(np.asarray(g)))


def _size(g: object) -> int:
    return int(getattr(g, "size", 1))


def lines(trace: Trace, which: str, precision: int = 4) -> list[str]:
    """The explanation --explain asked for: "forward" or "backward"."""
    return forward_lines(trace, precision) if which == "forward" else backward_lines(trace, precision)
