"""The op table as a reader sees it: every spelling of every op, for the lists the docs show.

The README's function list (tools/op_lists.py writes it) and the man page's EXPRESSIONS section
are made from these, so a new record in core/ops.py shows up in each by itself, and
tests/test_op_lists.py keeps the README's copy true.
"""

from __future__ import annotations

from .ops import AXIS, FUNCTIONS, INFIX, POSTFIX, PREFIX, SHAPE, SUBSCRIPT, Op

SUBSCRIPTED = "x[i]"  # how the docs write a subscript: x[0], x[:, 1], x[1:3], x[::2], x[0, 2]


def signature(op: Op) -> str:
    """How a function is called: relu, pow(x, y), leaky_relu(x, alpha=0.01), max(a, b, ...),
    affine(x, W, b)."""
    if op.variadic:
        return f"{op.name}(a, b, ...)"
    def keyword(name: str, default: float | None) -> str:
        kind = op.param_kind(name)
        if kind == AXIS:
            return f"{name}=k"  # an integer axis, left out for every axis
        if kind == SHAPE:
            return "(n, m, ...)"
        return name if default is None else f"{name}={default:g}"

    keywords = [keyword(name, default) for name, default in op.keyword_params]
    if op.arity == 1 and not keywords:
        return op.name
    inputs = list(op.syntax.inputs or ("x", "y", "z"))[:op.arity]
    return f"{op.name}({', '.join(inputs + keywords)})"


def function_spellings(op: Op) -> tuple[str, ...]:
    """The names that call this op, its own first: ('log', 'ln'); () for an op no name calls."""
    names = [name for name, called in FUNCTIONS.items() if called is op]
    return tuple(sorted(names, key=lambda name: name != op.name))


def functions(arrays: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """The functions, alphabetically: (signature, other names) for each, elementwise ones by
    default, or with arrays=True those that need arrays (sum, softmax, cross_entropy, ...)."""
    ops = {op.name: op for op in FUNCTIONS.values() if op.arrays_only == arrays}
    return [(signature(op), function_spellings(op)[1:]) for _, op in sorted(ops.items())]


def operators() -> dict[str, tuple[str, ...]]:
    """The symbols that write an op, by kind: infix (with their other spellings, ^ for **), prefix,
    postfix and the subscript."""
    return {"infix": tuple(INFIX), "prefix": tuple(PREFIX), "postfix": tuple(POSTFIX), "subscript": (SUBSCRIPTED,)}


def spellings(op: Op) -> tuple[str, ...]:
    """Everything a user types to write this op: its names and its operator symbols. A gate for an
    operator with one constant operand (add_const, for x + 1) is written with its operator."""
    symbols = [symbol for table in (INFIX, PREFIX, POSTFIX) for symbol, found in table.items() if found is op]
    if not symbols and op.syntax.infix and op.maths.constant:
        symbols = [op.syntax.infix]
    if op is SUBSCRIPT:
        symbols = [SUBSCRIPTED]
    return (*function_spellings(op), *symbols)


def readme_functions(width: int = 100) -> str:
    """The README's function list: each function in backticks, another name in parentheses after
    it, wrapped at `width` between entries, indented to sit in a list item."""
    entries = [f"`{sig}`" + "".join(f" (`{alias}`)" for alias in aliases) for sig, aliases in functions()]
    lines: list[str] = []
    line = " "
    for i, entry in enumerate(entries):
        piece = entry + ("," if i < len(entries) - 1 else ".")
        if len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = " "
        line += " " + piece
    return "\n".join([*lines, line]) + "\n"

