"""A program written from another library's graph: terms -> text with spans -> builder calls.

A foreign graph (a sympy expression, a graph of Values) is walked into terms: names, numbers,
-operand, left op right, and calls. `write` writes a term as gradtrace's language writes it,
parenthesized where precedence needs it, marking where each piece is; `lower` makes the builder
calls the parser would make for that text. So a foreign graph and the text it is shown as make
the same graph, and an error points into the text. The text is never read back. Nothing
recurses: both walk with an explicit stack.
"""

from __future__ import annotations

from typing import Any

from .syntax import BINARY, UNARY_PRECEDENCE

ATOM = 9  # names, numbers and calls bind tightest (graph.ATOM)


class Term:
    """One piece of the program being written: a name, a number, -operand, left op right, a call
    (whose last len(keys) kids are its keyword arguments, keys naming them), operand.T (postfix),
    operand[...] (index: its kids the operand and then the index's integers, in order, as `index`
    lays them out: an integer, or a (start, stop, step) slice with None where left out) or a tuple
    of numbers, a shape (2, 3)."""
    __slots__ = ("end", "func_end", "index", "keys", "kids", "kind", "made", "op_end", "op_start", "outer_end",
                 "outer_start", "parens", "prec", "start", "text")

    def __init__(self, kind: str, text: str, kids: tuple[Term, ...] = (), keys: tuple[str, ...] = (),
                 index: tuple[Any, ...] = ()):
        self.kind, self.text, self.kids, self.keys, self.index = kind, text, kids, keys, index
        self.prec = BINARY[text][0] if kind == "binary" else UNARY_PRECEDENCE if kind == "unary" else ATOM
        self.parens = False
        # Where its text is (start, end), without and with its own parentheses (outer_start,
        # outer_end: as its parent sees it), and an operator's or a function name's place.
        self.start = self.end = self.outer_start = self.outer_end = self.op_start = self.op_end = self.func_end = 0
        self.made: Any = None  # what the builder made of it (lower fills it in)


def write(root: Term, offset: int) -> str:
    """The term's text, starting at offset in the program, parenthesized where precedence needs
    it (x + y, 2*x, x**2, as sympy prints), each term marking where its text, its operator and
    its parentheses are."""
    pieces: list[str] = []
    pos = offset
    work: list[tuple[str, Any]] = [("term", root)]
    while work:
        kind, item = work.pop()
        if kind == "text":
            pieces.append(item)
            pos += len(item)
            continue
        if kind == "mark":  # the position here is this field of the term
            setattr(item[0], item[1], pos)
            continue
        term: Term = item
        later: list[tuple[str, Any]] = [("mark", (term, "outer_start"))]
        if term.parens:
            later.append(("text", "("))
        later.append(("mark", (term, "start")))
        if term.kind in ("name", "number"):
            later.append(("text", term.text))
        elif term.kind == "unary":
            child = term.kids[0]
            child.parens = child.prec <= UNARY_PRECEDENCE
            later += [("text", term.text), ("term", child)]
        elif term.kind == "postfix":
            child = term.kids[0]
            child.parens = child.prec < ATOM
            later += [("term", child), ("text", term.text)]
        elif term.kind == "index":
            child = term.kids[0]
            child.parens = child.prec < ATOM
            later += [("term", child), ("text", "[")]
            parts = iter(term.kids[1:])
            for k, item in enumerate(term.index):
                if k:
                    later.append(("text", ", "))
                if not isinstance(item, tuple):
                    later.append(("term", next(parts)))
                    continue
                for j, part in enumerate(item if item[2] is not None else item[:2]):
                    if j:
                        later.append(("text", ":"))
                    if part is not None:
                        later.append(("term", next(parts)))
            later.append(("text", "]"))
        elif term.kind == "tuple":
            later.append(("text", "("))
            for k, kid in enumerate(term.kids):
                kid.parens = False
                if k:
                    later.append(("text", ", "))
                later.append(("term", kid))
            later.append(("text", ",)" if len(term.kids) == 1 else ")"))
        elif term.kind == "binary":
            left, right = term.kids
            precedence, right_assoc = BINARY[term.text]
            left.parens = left.prec < precedence or (left.prec == precedence and right_assoc)
            right.parens = right.prec < precedence or (right.prec == precedence and not right_assoc) \
                or right.kind == "unary"
            space = " " if term.text in ("+", "-") else ""
            later += [("term", left), ("text", space), ("mark", (term, "op_start")), ("text", term.text),
                      ("mark", (term, "op_end")), ("text", space), ("term", right)]
        else:  # a call
            later += [("text", term.text), ("mark", (term, "func_end")), ("text", "(")]
            first_key = len(term.kids) - len(term.keys)
            for k, kid in enumerate(term.kids):
                kid.parens = False
                if k:
                    later.append(("text", ", "))
                if k >= first_key:
                    later.append(("text", f"{term.keys[k - first_key]}="))
                later.append(("term", kid))
            later.append(("text", ")"))
        later.append(("mark", (term, "end")))
        if term.parens:
            later.append(("text", ")"))
        later.append(("mark", (term, "outer_end")))
        work.extend(reversed(later))
    return "".join(pieces)


def lower(builder: Any, root: Term) -> Any:
    """The builder calls the parser would make for the written text, bottom-up with a stack; each
    term keeps what the builder made of it in .made."""
    work: list[tuple[bool, Term]] = [(False, root)]
    values: list[Any] = []
    while work:
        done, term = work.pop()
        if not done:
            work.append((True, term))
            work.extend((False, kid) for kid in reversed(term.kids))
            continue
        count = len(term.kids)
        kids = values[len(values) - count:] if count else []
        del values[len(values) - count:]
        span = (term.start, term.end)
        if term.kind == "name":
            made = builder.name(term.text, span)
        elif term.kind == "number":
            made = builder.number(term.text, float(term.text), span)
        elif term.kind in ("unary", "postfix"):
            made = builder.unary(term.text, kids[0], span)
        elif term.kind == "index":
            parts = iter(zip(kids[1:], term.kids[1:]))
            items: list[list[tuple[Any, tuple[int, int]] | None]] = []
            for item in term.index:
                pieces = (item,) if not isinstance(item, tuple) else item if item[2] is not None else item[:2]
                written: list[tuple[Any, tuple[int, int]] | None] = []
                for piece in pieces:
                    if piece is None:
                        written.append(None)
                    else:
                        value, kid = next(parts)
                        written.append((value, (kid.outer_start, kid.outer_end)))
                items.append(written)
            made = builder.index(kids[0], items, span)
        elif term.kind == "tuple":
            made = builder.sequence(kids, [(kid.outer_start, kid.outer_end) for kid in term.kids], span)
        elif term.kind == "binary":
            made = builder.binary(term.text, kids[0], kids[1], span, (term.op_start, term.op_end))
        else:
            positional = count - len(term.keys)
            arg_spans = [(kid.outer_start, kid.outer_end) for kid in term.kids[:positional]]
            keywords = [(key, value, (kid.start, kid.end))
                        for key, value, kid in zip(term.keys, kids[positional:], term.kids[positional:])]
            made = builder.call(term.text, kids[:positional], arg_spans, keywords, span, (term.start, term.func_end))
        term.made = made
        values.append(made)
    return values[0]
