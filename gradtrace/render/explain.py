"""--explain: the forward or backward pass told step by step, the way the lecture narrates it.

Plain text, one idea per line, so it reads the same in a terminal, in a file and in a pipe; on a
terminal narrower than a line, wrap() folds it at spaces to the terminal's width.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.formula_reader import evaluate
from ..core.numbers import DEFAULT, DOUBLE_PARENS, NumberFormat, parenthesized, same_number, sum_text
from ..core.ops import PATTERNS, shape_text
from ..core.trace import NodeTrace, Trace
from ..i18n import _, ngettext
from .text import local_cell, sum_step


def _names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def forward_lines(trace: Trace, numbers: NumberFormat = DEFAULT) -> list[str]:
    """The forward pass: every gate's value, computed from its inputs' values."""
    lines = [_("Forward pass through {program}").format(program=trace.text), ""]
    if trace.bindings:
        lines.append(_("Inputs: {bindings}").format(
            bindings=", ".join(f"{k} = {numbers.text(v)}" for k, v in trace.bindings.items())))
    step = 0
    for row in trace.forward_order:
        if row.is_input:
            continue
        step += 1
        if row.copy_of is not None:  # a = x: a second name, nothing computed
            lines.append(f"{step}. {row.name} = {row.expr} = {numbers.text(row.value)} ({row.branch})")
            continue
        lines.append(f"{step}. {row.name} = {row.expr} = {numbers.substituted(row)} = {numbers.text(row.value)}")
    lines += ["", _("Output: {name} = {value}").format(name=trace.output, value=numbers.text(trace.value))]
    return lines


def backward_lines(trace: Trace, numbers: NumberFormat = DEFAULT) -> list[str]:
    """The backward pass from the output's seed (∂f/∂f = 1): each gate's pattern, then the chain
    rule for each input, in symbols and in numbers, as the lecture substitutes them (-1/1.37² =
    -0.53); at a fork, the sum of the branches. The arithmetic shown adds up at the digits
    shown: where it would not, its numbers get the digits it needs."""
    f = trace.output
    if trace.bindings:
        at = ", ".join(f"{k} = {numbers.text(v)}" for k, v in trace.bindings.items())
        title = _("Backward pass through {program} at {bindings}").format(program=trace.text, bindings=at)
    else:
        title = _("Backward pass through {program}").format(program=trace.text)
    seed = trace.row(trace.output_id).upstream
    start = _("Start at the output: {seed}.").format(seed=f"∂{f}/∂{f} = 1") if _everywhere(seed, 1) else \
        _("Start at the output with the upstream gradient {seed}.").format(seed=numbers.text(seed))
    lines = [title, "", start]
    step = 0
    part_of: dict[str, int] = {}  # parts of a copy gate's gradient told so far
    for row in trace.nodes:
        parts = row.parts
        if len(parts) > 1:
            step += 1
            uses = ", ".join(name for name, _ in parts)
            terms = _adding_up([v for _, v in parts], row.upstream, sum, numbers)
            lines.append(f"{step}. " + ngettext(
                "{name} is used {count} time ({uses}): a copy gate, an adder: its gradients add up, {sum}",
                "{name} is used {count} times ({uses}): a copy gate, an adder: its gradients add up, {sum}",
                len(parts)).format(name=row.name, count=len(parts), uses=uses,
                                   sum=f"∂{f}/∂{row.name} = {sum_text(terms)} = {numbers.text(row.upstream)}"))
        if row.op == "input":
            continue
        step += 1
        lines.append(f"{step}. {row.name} = {row.expr} = {numbers.text(row.value)}: {_gate(row, numbers)}")
        if row.is_array_op:
            # An array op: no local gradient to multiply by, just what each input receives, and the
            # shapes: the gate's, then each product's (the gradient has the shape of the variable).
            lines.append(f"   {row.shapes()}")
            for slot, (name, structure, d) in enumerate(zip(row.inputs, row.structures, row.downstream)):
                summed = row.summed(slot)
                jacobian = f"∂{row.name}/∂{name}"
                shaped = row.shape_step(slot)
                product = f"{shaped} = " if shaped and ":" in shaped else ""  # up·xᵀ: (3×4)(4×2) → 3×2
                words = row.product_words(slot)  # the lecture's statement, where the record gives one
                stated = [] if words is None else [f"      {row.product(slot)}: {words}"]
                if summed is None:
                    gradient = f"∂{f}/∂{name} = {product}{numbers.text(d)}"
                    lines.append(f"   ∂{f}/∂{name}: " + _("the Jacobian {jacobian} is {structure}, so {gradient}")
                                 .format(jacobian=jacobian, structure=structure, gradient=gradient))
                    lines += stated
                    continue
                lines.append(f"   ∂{f}/∂{name}: " + _("the Jacobian {jacobian} is {structure}, so it sends "
                                                     "{unsummed}").format(jacobian=jacobian, structure=structure,
                                                                          unsummed=product + numbers.text(
                                                                              summed.unsummed)))
                lines += stated
                lines.append(_summed_back(f, name, summed, d, numbers))
            continue
        for slot, (name, g, d) in enumerate(zip(row.inputs, row.local, row.downstream)):
            local = _local(row, slot, numbers)
            branches = len(trace.node(name).parts)
            part = ""
            if branches > 1:
                part_of[name] = part_of.get(name, 0) + 1
                part = " " + _("(part {k} of the {count} that add up to {gradient})").format(
                    k=part_of[name], count=branches, gradient=f"∂{f}/∂{name}")
            # An input broadcast to the gate's shape: upstream × local has the gate's shape, and a
            # line of its own sums it back to the input's (the step the lecture's students forget).
            summed = row.summed(slot)
            product = d if summed is None else summed.unsummed
            said = "" if summed is None else part  # a summed gradient's part is told on its own line
            if row.name == f and _everywhere(row.upstream, 1):
                lines.append(f"   {local}{part if summed is None else ''}")  # ∂f/∂f = 1: the local gradient is all
            elif row.name == f:  # a seed other than 1: upstream times local, with no ∂f/∂f to name
                up, lg = _adding_up([row.upstream, g], product, lambda xs: xs[0] * xs[1], numbers)
                lines.append(f"   {local}, " + _("so {name} gets upstream × local = {product}").format(
                    name=name, product=f"{up} · {parenthesized(lg)} = {numbers.text(product)}") +
                    ("" if said else part))
            else:
                times = "⊙" if _size(g) > 1 or _size(row.upstream) > 1 else "·"  # elementwise on arrays
                up, lg = _adding_up([row.upstream, g], product, lambda xs: xs[0] * xs[1], numbers)
                chain = f"∂{f}/∂{row.name} {times} ∂{row.name}/∂{name} = {up} {times} {parenthesized(lg)} = "
                if summed is None:
                    chain = f"∂{f}/∂{name} = {chain}{numbers.text(d)}"
                    lines.append(f"   {local}, " + _("so {chain}").format(chain=chain) + part)
                else:
                    lines.append(f"   {local}, " + _("so upstream × local = {chain}").format(
                        chain=chain + numbers.text(product)))
            if summed is not None:
                # The input was broadcast to the gate's shape: a line of its own sums the gradient back
                # to the input's, the step the lecture's students forget.
                lines.append(_summed_back(f, name, summed, d, numbers) + said)
        if row.kink:
            lines.append("   " + _("note: {kink}").format(kink=_(row.kink)))
    result = ", ".join(f"∂{f}/∂{k} = {numbers.text(v)}" for k, v in trace.gradients.items())
    lines += ["", _("Result: {gradients}").format(gradients=result)]
    return lines


def _summed_back(f: str, name: str, summed: Any, d: Any, numbers: NumberFormat) -> str:
    """The line that sums a broadcast input's gradient back to its shape: the step broadcasting
    adds to the backward pass, with the gradient it gives."""
    return "   " + _("{name} was broadcast from {after} to {before}, so its gradient is summed back: {step}, "
                      "{gradient}").format(name=name, after=shape_text(summed.after), before=shape_text(summed.before),
                                           step=sum_step(summed), gradient=f"∂{f}/∂{name} = {numbers.text(d)}")


def _adding_up(values: list[Any], result: Any, combine: Callable[[list[float]], float],
               numbers: NumberFormat) -> list[str]:
    """The values as text as `numbers` shows them, or with as many more digits as it takes for
    combine(shown values) to show as the result does: 0.197 · (-2) = -0.39, never 0.20 · (-2) =
    -0.39. Arrays and exact numbers are shown as they are."""
    target = numbers.text(result)
    for extra in range(16):
        texts = [numbers.plain(v) if extra == 0 or _exact(v, numbers) else numbers.more(extra).text(v)
                 for v in values]
        try:
            if numbers.text(combine([float(t) for t in texts])) == target:
                return texts
        except (ValueError, ArithmeticError):
            break
    return [numbers.plain(v) for v in values]


def _exact(value: Any, numbers: NumberFormat) -> bool:
    """Whether the text shown for a number is the number itself (-2, 0.5), so more digits add nothing."""
    try:
        return float(numbers.plain(value)) == value
    except (TypeError, ValueError):
        return False


def _local(row: NodeTrace, slot: int, numbers: NumberFormat) -> str:
    """∂t7/∂t6 = -1/t6² = -1/1.37² = -0.53: the rule, the rule with the inputs' values (when that
    says more than the value alone), then the value. The values shown give the value shown: where
    no digits make them (1 - 1² for tanh' at 20, which is 1.7e-17), the cell stays as it is."""
    cell = local_cell(row, slot, numbers)
    target = numbers.text(row.local[slot])
    formula = row.formulas[slot]
    if _size(row.local[slot]) > 1 or row.value is None or not any(n in formula for n in (*row.inputs, row.name)):
        return cell
    if not all(isinstance(v, float | int) for v in (row.value, row.local[slot], *row.compared)):
        return cell  # symbolic (y) or exact (1/3) values: the rule's text is the step, nothing to fill in
    for extra in range(16):
        shown = numbers.more(extra)
        def value_text(n: NodeTrace, shown: NumberFormat = shown) -> str:
            return shown.plain(n.value)

        with_values = DOUBLE_PARENS.sub(r"\1\2", row.formulas_with(value_text)[slot])  # cosh((-1.3)) -> cosh(-1.3)
        # Read by gradtrace's own parser, never eval. A formula it can't read raises FormulaError:
        # a defect of the op table, which tests/test_formula_text.py finds, never a step left out.
        number = evaluate(with_values, [shown.plain(v) for v in row.compared])
        if numbers.text(number) != target:
            continue  # not at these digits (or a step beyond the floats, nan): try more
        if with_values in (target, formula) or same_number(with_values, target):
            return cell
        if not cell.endswith(f" = {target}"):
            return cell
        return f"{cell[:len(cell) - len(target)]}{with_values} = {target}"  # before the value, not in the formula
    return cell


def _gate(row: NodeTrace, numbers: NumberFormat) -> str:
    """One sentence: what kind of gate this is and what its pattern does with the gradient."""
    up = numbers.text(row.upstream)
    if row.branch is not None:  # a = x: a wire of its own, not a gate
        return _("{branch}: it passes its upstream gradient {up} back to {source} unchanged.").format(
            branch=row.branch, up=up, source=row.copy_of)
    label = row.gate_name  # the lecture's: add gate, sigmoid gate; by label for +1, 1/x
    kind = (_("an {label} gate") if label[:1].lower() in "aeiox" else _("a {label} gate")).format(label=label)
    pattern = row.pattern
    if row.is_array_op:
        if not row.notes:
            return f"{kind}."
        return (f"{kind}, " + _("a {pattern}").format(pattern=pattern) if pattern else kind) + f": {row.notes}"
    if pattern == "distributor":
        if all(_everywhere(g, 1) for g in row.local):
            return _("{gate}, a distributor: it distributes the upstream gradient {up} unchanged to {inputs}.").format(
                gate=kind, up=up, inputs=_names(list(row.inputs)))
        return _("{gate}, a distributor: it passes the upstream gradient {up} on, negated where the input is "
                 "subtracted.").format(gate=kind, up=up)
    if pattern == "router" and any(hasattr(g, "shape") and getattr(g, "ndim", 0) > 0 for g in row.local):
        # Element by element, each element's gradient goes to whichever input wins there.
        counts = ", ".join(_("{name} wins at {count} of {total} elements").format(
            name=name, count=_count_nonzero(g), total=_size(g)) for name, g in zip(row.inputs, row.local))
        return _("{gate}, a router, element by element: each element's upstream gradient goes to the input that "
                 "wins there, and the others get 0 ({counts}).").format(gate=kind, counts=counts)
    if pattern == "router":
        winners = [name for name, g in zip(row.inputs, row.local) if g != 0]
        if not winners:
            return _("{gate}, a router: no input wins here, so it routes nothing back (every input gets 0).").format(
                gate=kind)
        if len(winners) > 1 or any(g not in (0, 1) for g in row.local):
            return _("{gate}, a router: the inputs tie, so it splits the upstream gradient {up} evenly.").format(
                gate=kind, up=up)
        others = [name for name in row.inputs if name not in winners]
        if not others:
            return _("{gate}, a router: it routes the whole upstream gradient {up} to {winner}.").format(
                gate=kind, up=up, winner=winners[0])
        return ngettext("{gate}, a router: it routes the whole upstream gradient {up} to {winner}; {others} gets 0.",
                        "{gate}, a router: it routes the whole upstream gradient {up} to {winner}; {others} get 0.",
                        len(others)).format(gate=kind, up=up, winner=winners[0], others=_names(others))
    if pattern == "switcher":
        does = PATTERNS["switcher"]  # marked in ops.py (N_); a literal here would be extracted as a message
        return _("{gate}, a switcher: it {does}.").format(gate=kind, does=_(does))
    if pattern == "scaler":
        return _("{gate}, a scaler: it scales the upstream gradient {up} by {factor}.").format(
            gate=kind, up=up, factor=numbers.plain(row.local[0]))
    if len(row.inputs) == 1:
        return _("{gate}: its local gradient is {formula}.").format(gate=kind, formula=row.formulas[0])
    return f"{kind}."


def _everywhere(g: object, value: float) -> bool:
    """g == value, for a number or every element of an array."""
    same = g == value
    return bool(same.all()) if hasattr(same, "all") else bool(same)


def _count_nonzero(g: object) -> int:
    import numpy as np

    return int(np.count_nonzero(np.asarray(g)))


def _size(g: object) -> int:
    return int(getattr(g, "size", 1))


def lines(trace: Trace, which: str, numbers: NumberFormat = DEFAULT) -> list[str]:
    """The explanation --explain asked for: "forward" or "backward"."""
    return forward_lines(trace, numbers) if which == "forward" else backward_lines(trace, numbers)


def wrap(lines: list[str], width: int) -> list[str]:
    """The lines folded at spaces to a terminal's width, measured in cells (Hangul takes two),
    each continuation indented two past its own line's indent. A number is never split, and
    neither is an array or a bracketed formula ([[1, 2], [3, 4]], (1 - f)·f) that fits on a
    line of its own; only a word wider than the whole line is cut. A line that fits is kept as
    it is."""
    from rich.cells import cell_len

    out: list[str] = []
    for text in lines:
        for line in text.split("\n"):
            out += [line] if cell_len(line) <= width else _wrap_line(line, width, cell_len)
    return out


def _wrap_line(line: str, width: int, cells: Callable[[str], int]) -> list[str]:
    body = line.lstrip(" ")
    indent = len(line) - len(body)
    hang = " " * min(indent + 2, width // 2)  # a narrow terminal still leaves room for the words
    room = width - len(hang)
    rows: list[str] = []
    row, used, bare = line[:indent], indent, True
    for group in _groups(body.split(" ")):
        whole = " ".join(group)
        for piece in [whole] if cells(whole) <= room else group:
            if not piece and bare:
                continue  # a double space where the line breaks
            size = cells(piece)
            if not bare and used + 1 + size > width:
                rows.append(row)
                row, used, bare = hang, len(hang), True
            if not bare:
                row, used = row + " ", used + 1
            while used + size > width and used < width:  # wider than a whole line: cut it there
                head = _fitting(piece, width - used, cells)
                rows.append(row + head)
                piece = piece[len(head):]
                size = cells(piece)
                row, used = hang, len(hang)
            row, used, bare = row + piece, used + size, False
    rows.append(row)
    return rows


def _groups(words: list[str]) -> list[list[str]]:
    """Words joined while a bracket they open is open: [[1, 2], [3, 4]] and (1 - f)·f are one group."""
    groups: list[list[str]] = []
    current: list[str] = []
    depth = 0
    for word in words:
        current.append(word)
        depth = max(0, depth + sum(word.count(c) for c in "([{") - sum(word.count(c) for c in ")]}"))
        if not depth:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _fitting(word: str, room: int, cells: Callable[[str], int]) -> str:
    """The longest start of word that takes at most room cells (at least one character)."""
    end = 1
    while end < len(word) and cells(word[:end + 1]) <= room:
        end += 1
    return word[:end]
