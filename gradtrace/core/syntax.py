"""Text -> calls on a builder, one per piece of the language read.

The parser is an operator-precedence (shunting-yard) loop over a stream of tokens with explicit
stacks, so a 10^6-term sum or 10,000 nested parentheses cost memory, never Python recursion. It
builds no syntax tree of its own: each number, name, operator, call and statement is handed to a
builder as soon as it is complete, with the span of text it came from so later errors can point
at it. graph.py's builder lowers them straight into the computational graph; a 1 MB program never
exists as tokens or a tree in memory, only as the graph.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ..i18n import _
from .errors import ParseError
from .ops import INFIX, POSTFIX, PREFIX

# Characters pasted from slides and PDFs, mapped to what they mean.
# · ⋅ and × stay themselves: between two arrays they mean the slides' matrix product (ops.py, cdot).
PASTED = str.maketrans({"\u2212": "-", "\u00f7": "/"})

# Binary operators, with their precedence and right-associativity, come from the op table (each
# infix record says how tightly it binds). Unary minus and plus sit between multiplication and
# power, as in Python: -x**2 is -(x**2) and 2**-x is 2**(-x).
BINARY = {symbol: (op.precedence, op.right) for symbol, op in INFIX.items()}
UNARY_PRECEDENCE = 3
AUGMENTED = {"+=": "+", "-=": "-", "*=": "*", "/=": "/"}
ATTRIBUTES = {symbol: op.name for symbol, op in POSTFIX.items()}

PREFIXES = {symbol for symbol in PREFIX if symbol not in BINARY}  # √x; unary minus is read as a binary symbol

# Superscripts as typed from slides: x² is x**2, x⁻¹ is x**-1.
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# π is a number as typed (2πx is 2·π·x), so it never joins a name; other Unicode letters do (α,
# θ, w₁: names are kept as typed).
NUMBER_NAMES = {"π"}

# Operators and punctuation.
_SYMBOLS = [*BINARY, *AUGMENTED, *PREFIXES, "(", ")", ",", "=", ";", "\n"]


def _operators(symbols: list[str]) -> str:
    """A pattern for any of the symbols: the longer ones first, then one class of the single characters."""
    return "".join(re.escape(s) + "|" for s in sorted({s for s in symbols if len(s) > 1}, key=len, reverse=True)) + \
        "[" + "".join(re.escape(c) for c in sorted({s for s in symbols if len(s) == 1})) + "]"


# What each kind of token looks like, most frequent first (their first characters never overlap,
# except "." for .5 and .T). A name is tried as ASCII first, the common case and quick to match.
_PATTERNS = {
    "op": _operators(_SYMBOLS),
    "name": rf"[A-Za-z_][A-Za-z0-9_]*+(?:[^\W{_SUP}π]+)?|π|[^\W\d{_SUP}π][^\W{_SUP}π]*",
    "number": r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    "sup": rf"[⁻⁺]?[{_SUP}]+",
    "attr": r"\.[A-Za-z_][A-Za-z0-9_]*",
}
KINDS = ("", *_PATTERNS)
# Each token's kind from its first character, for tokenize: a name unless listed ("." starts a
# number or .T).
_FIRST = {c: "number" for c in "0123456789"} | {c: "sup" for c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"} | {".": "."} | {
    symbol[0]: "op" for symbol in _SYMBOLS}


@functools.cache
def _bulk_pattern(ascii_only: bool) -> re.Pattern[str]:
    """For tokenize: each match is one token with the spaces before it, for one findall over a
    block of a program without comments. Most programs are ASCII, and for them the pattern leaves
    out what only matches other characters (superscripts, Unicode names and operators): it
    compiles and matches faster, and finds the same tokens. Compiled when first needed."""
    patterns = dict(_PATTERNS)
    if ascii_only:
        symbols = [s for s in _SYMBOLS if s.isascii()]
        patterns = {"op": _operators(symbols), "name": r"[A-Za-z_][A-Za-z0-9_]*", "number": patterns["number"],
                    "attr": patterns["attr"]}
    return re.compile(r"[ \t\r\f]*+(?:" + "|".join(f"(?:{pattern})" for pattern in patterns.values()) + ")")


@functools.cache
def _scanner() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """For _scan, compiled when first needed (a comment, or a character no token starts with), so
    that starting a command never pays for it: the token pattern with the spaces and comments
    before it and a group per kind (the token is the group that matched, KINDS[lastindex]), and
    the spaces and comments pattern. The spaces are possessive: a comment never gives back its
    last word as a name."""
    token = re.compile(r"(?>[ \t\r\f]++|\#[^\n]*+)*+(?:" +
                       "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _PATTERNS.items()) + ")")
    return token, re.compile(r"(?>[ \t\r\f]++|\#[^\n]*+)*+")

Span = tuple[int, int]
# A token: (kind, text, start, end). kind is number, name, sup (a superscript), attr, op or end.
Token = tuple[str, str, int, int]


class Builder(Protocol):
    """What the parser reports. Each method returns the builder's own value for that piece (a graph
    node, a constant, ...), which the parser hands back as an operand of later calls."""

    def number(self, text: str, value: float, span: Span) -> Any: ...
    def name(self, text: str, span: Span) -> Any: ...
    def binary(self, op: str, left: Any, right: Any, span: Span, op_span: Span) -> Any: ...
    def unary(self, op: str, operand: Any, span: Span) -> Any: ...  # - + or .T
    def call(self, func: str, args: list[Any], arg_spans: list[Span],
             keywords: list[tuple[str, Any, Span]], span: Span, func_span: Span) -> Any: ...
    def statement(self, target: str | None, target_span: Span | None, value: Any, span: Span) -> None: ...
    def declare(self, target: str, variables: list[tuple[str, Span]]) -> None: ...  # f(x, y) = ...


# ---- tokens -----------------------------------------------------------------------------------

def tokenize(source: str) -> Iterator[Token]:
    """Split source into tokens, lazily; pasted characters (−, ÷) are read as ASCII operators. The
    last token is ("end", "", n, n). Without comments, each block of about CHUNK characters is
    split by one findall and maps over all its tokens (_bulk), so no Python code runs per token;
    otherwise, or when some character starts no token, token by token (_scan), which also points
    at that character."""
    text = source.translate(PASTED)  # one character for one, so spans still index the source
    if "#" in text:
        return _scan(source, text)
    pattern = _bulk_pattern(text.isascii())
    return itertools.chain.from_iterable(map(_bulk, itertools.repeat(source), itertools.repeat(text), _blocks(text),
                                             itertools.repeat(pattern)))


CHUNK = 1 << 16


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of blocks of text that end where a token must end: before a space, a line break,
    a parenthesis or a comma (no token holds one), or at the end of the text."""
    start, n = 0, len(text)
    while start < n:
        end = min(start + CHUNK, n)
        if end < n:
            cut = max(map(text.rfind, " \n\t(),", itertools.repeat(start + 1), itertools.repeat(end)))
            end = cut if cut > start else n  # no place to cut: the rest in one block
        yield start, end
        start = end
    yield n, n  # the end token


def _bulk(source: str, text: str, block: tuple[int, int], pattern: re.Pattern[str]) -> list[Token]:
    """The tokens of text[start:end], whose start is where a token starts."""
    start, end = block
    if start == end:
        return [("end", "", start, start)]
    pieces = pattern.findall(text, start, end)  # each token with the spaces before it
    covered = sum(map(len, pieces))
    if covered != end - start and text[start + covered:end].strip(" \t\r\f"):
        # findall skipped a character: _scan raises a ParseError that points at it (and, were it
        # to read the text after all, its tokens of this block are the ones to use).
        return [t for t in _scan(source, text) if start <= t[2] < end and t[0] != "end"]
    texts = list(map(str.lstrip, pieces, itertools.repeat(" \t\r\f", len(pieces))))
    ends = list(itertools.accumulate(map(len, pieces), initial=start))
    del ends[0]
    starts = map(operator.sub, ends, map(len, texts))
    kinds = list(map(_FIRST.get, map(operator.itemgetter(0), texts), itertools.repeat("name", len(texts))))
    if "." in kinds:
        for k, kind in enumerate(kinds):
            if kind == ".":  # .5 is a number, .T an attribute
                kinds[k] = "number" if texts[k][1:2].isdigit() else "attr"
    return list(zip(kinds, texts, starts, ends))


def _scan(source: str, text: str) -> Iterator[Token]:
    """tokenize one match at a time, raising a ParseError at a character no token starts with."""
    pos, n = 0, len(text)
    kinds = KINDS
    token, space = _scanner()
    for m in token.finditer(text):
        if m.start() != pos:  # finditer skipped a character no token starts with
            break
        k: int = m.lastindex  # type: ignore[assignment]  # every match has its token's group
        start, pos = m.span(k)
        yield kinds[k], m.group(k), start, pos
    after = space.match(text, pos).end()  # type: ignore[union-attr]  # spaces and a comment at the end
    if after < n:
        pos = after
        ch = source[pos]
        hint = "the operators are + - * / ** ^ @; functions are called as name(args)" \
            if ch in "!%&|<>[]{}'\"$?:~`\\" else None
        raise ParseError(_("unexpected character {ch!r}").format(ch=ch), source=source, span=(pos, pos + 1), hint=hint)
    yield "end", "", n, n


# ---- parser -----------------------------------------------------------------------------------

class _Frame:
    """An open '(' on the operator stack: a plain group, or the argument list of a call."""
    __slots__ = ("base", "commas", "func", "keywords", "token")

    def __init__(self, token: Token, func: Token | None, base: int):
        self.token, self.func, self.base = token, func, base
        self.keywords: list[tuple[int, str, Token]] | None = None  # (argument index, name, token), once there is one
        self.commas = 0


def parse_program(source: str, builder: Builder) -> int:
    """Parse a whole program, statements separated by newlines or ';', reporting each piece to the
    builder as it is read. Returns the number of statements."""
    tokens = tokenize(source)
    tok = next(tokens)
    nxt = tok if tok[0] == "end" else next(tokens)
    stacks = _Stacks(source, builder)
    count = 0
    while True:
        while tok[0] == "op" and tok[1] in (";", "\n"):
            tok, nxt = nxt, (nxt if nxt[0] == "end" else next(tokens))
        if tok[0] == "end":
            break
        if tok[0] == "name" and nxt[1] == "(" and nxt[0] == "op":
            header, equals, tokens = _header(tokens)
            if header is not None:  # f(x, y, z) = ...: the output's name and the variables, in order
                builder.declare(tok[1], header)
                nxt = equals
        if tok[0] == "name" and nxt[0] == "op" and (nxt[1] == "=" or nxt[1] in AUGMENTED):
            target, assign = tok, nxt
            target_span = (target[2], target[3])
            tok = next(tokens)
            nxt = tok if tok[0] == "end" else next(tokens)
            if tok[0] == "end" or (tok[0] == "op" and tok[1] in (";", "\n")):
                raise ParseError(
                    _("nothing is assigned to {target}").format(target=target[1]),
                    source=source,
                    span=(assign[2], assign[3]),
                    hint=_("write {target} = <expression>").format(target=target[1]),
                )
            if assign[1] in AUGMENTED:  # f += x is f = f + x
                current = builder.name(target[1], target_span)
            value, span, tok, nxt = _expression(source, builder, tok, nxt, tokens, stacks)
            if assign[1] in AUGMENTED:
                value = builder.binary(AUGMENTED[assign[1]], current, value, (target[2], span[1]), target_span)
            builder.statement(target[1], target_span, value, (target[2], span[1]))
        else:
            value, span, tok, nxt = _expression(source, builder, tok, nxt, tokens, stacks)
            builder.statement(None, None, value, span)
        count += 1
    if not count:
        raise ParseError(_("the expression is empty"), source=source, span=(0, max(1, len(source))),
                         hint=_("give an expression such as \"(x+y)*z\""))
    return count


def _header(tokens: Iterator[Token]) -> tuple[list[tuple[str, Span]] | None, Token, Iterator[Token]]:
    """After `name (`: the names of a function header `f(x, y) =` up to its '=', or None and the
    tokens read so far given back (it was a call such as max(x, y))."""
    read: list[Token] = []
    names: list[tuple[str, Span]] = []
    for tok in tokens:
        read.append(tok)
        if tok[0] == "name" and len(read) % 2 == 1:
            names.append((tok[1], (tok[2], tok[3])))
        elif tok[0] == "op" and tok[1] == ")" and len(read) % 2 == 0:
            after = next(tokens)
            read.append(after)
            if after[0] == "op" and after[1] == "=":
                return names, after, tokens
            break
        elif not (tok[0] == "op" and tok[1] == "," and len(read) % 2 == 0):
            break
    return None, read[-1], itertools.chain(read, tokens)


def parse_expression(source: str, builder: Builder) -> Any:
    """Parse a single expression (a binding's value such as -pi/2) and return the builder's value."""
    tokens = tokenize(source)
    first = next(tokens)
    if first[0] == "end":
        raise ParseError(_("the value is empty"), source=source, span=(0, 1))
    value, _span, tok, _next = _expression(source, builder, first, next(tokens), tokens)
    if tok[0] != "end":
        raise ParseError(
            _("expected one expression but found {describe}").format(describe=_describe(tok)),
            source=source,
            span=(tok[2], max(tok[3], tok[2] + 1)),
        )
    return value


def _describe(tok: Token) -> str:
    if tok[0] == "end":
        return "end of input"
    if tok[1] == "\n":
        return "line break"
    return repr(tok[1])


class _Stacks:
    """The shunting-yard's stacks and the steps on them, made once per program (a program of 10^5
    statements would otherwise make them 10^5 times). The stacks are empty between statements."""
    __slots__ = ("fail", "operands", "push_binary", "reduce_to_frame", "reduce_top", "spans", "stack")

    def __init__(self, source: str, builder: Builder):
        operands: list[Any] = []  # the builder's values
        spans: list[Span] = []    # and the text each came from
        stack: list[Any] = []     # pending operators (text, op span, precedence, unary) and _Frames
        binary = builder.binary

        def fail(message: str, tok: Token, hint: str | None = None) -> ParseError:
            return ParseError(message, source=source, span=(tok[2], max(tok[3], tok[2] + 1)), hint=hint)

        def reduce_top() -> None:
            op = stack.pop()
            if op[3]:  # unary
                operand = operands.pop()
                span = (op[1][0], spans.pop()[1])
                operands.append(builder.unary(op[0], operand, span))
                spans.append(span)
            else:
                right, right_span = operands.pop(), spans.pop()
                left, left_span = operands.pop(), spans.pop()
                span = (left_span[0], right_span[1])
                operands.append(binary(op[0], left, right, span, op[1]))
                spans.append(span)

        def push_binary(text: str, tok: Token) -> None:
            precedence, right_assoc = BINARY[text]
            while stack and stack[-1].__class__ is tuple and (
                    stack[-1][2] > precedence or (stack[-1][2] == precedence and not right_assoc)):
                reduce_top()
            stack.append((text, (tok[2], tok[3]), precedence, False))

        def reduce_to_frame() -> _Frame | None:
            while stack and stack[-1].__class__ is tuple:
                reduce_top()
            return stack[-1] if stack else None

        self.operands, self.spans, self.stack = operands, spans, stack
        self.fail, self.reduce_top, self.push_binary, self.reduce_to_frame = fail, reduce_top, push_binary, \
            reduce_to_frame


def _expression(source: str, builder: Builder, tok: Token, nxt: Token, tokens: Iterator[Token],
                stacks: _Stacks | None = None) -> tuple[Any, Span, Token, Token]:
    """Shunting-yard over one statement, from tok to the first ';', line break outside
    parentheses, or the end. Explicit stacks only: no recursion. nxt is the token after tok.
    Returns the builder's value, its span, the token that ended the statement and the next one.
    The loop looks at a token's kind first and tries the common cases first (a name, a binary
    operator, a number, parentheses): it runs once per token of a 10^6-token program."""
    if stacks is None:
        stacks = _Stacks(source, builder)
    operands, spans, stack = stacks.operands, stacks.spans, stacks.stack
    fail, reduce_top, push_binary, reduce_to_frame = stacks.fail, stacks.reduce_top, stacks.push_binary, \
        stacks.reduce_to_frame
    binary = builder.binary
    frame_class = _Frame
    depth = 0  # open parentheses
    expect_operand = True
    prev: Token = tok

    while True:
        kind = tok[0]
        if expect_operand:
            if kind == "name":
                following = nxt[1]
                if following == "(" and nxt[0] == "op":
                    stack.append(frame_class(nxt, tok, len(operands)))
                    depth += 1
                    tok, nxt = nxt, next(tokens)
                elif following == "=" and stack and stack[-1].__class__ is frame_class and \
                        stack[-1].func is not None and len(operands) - stack[-1].base == stack[-1].commas:
                    call = stack[-1]  # a keyword argument: alpha=0.1
                    if call.keywords is None:
                        call.keywords = []
                    call.keywords.append((call.commas, tok[1], tok))
                    tok, nxt = nxt, next(tokens)
                else:
                    span = (tok[2], tok[3])
                    operands.append(builder.name(tok[1], span))
                    spans.append(span)
                    expect_operand = False
            elif kind == "number":
                text = tok[1]
                value = float(text)  # the regex admits only valid float literals
                if value == float("inf"):
                    shown = text if len(text) <= 24 else f"{text[:12]}…({len(text)} characters)"
                    raise fail(
                        _("the number {shown} is too large for a float (the largest is about 1.8e308)").format(
                            shown=shown
                        ),
                        tok,
                    )
                span = (tok[2], tok[3])
                operands.append(builder.number(text, value, span))
                spans.append(span)
                expect_operand = False
            elif kind == "op" and tok[1] == "(":
                stack.append(frame_class(tok, None, len(operands)))
                depth += 1
            elif kind == "op" and (tok[1] in ("-", "+") or tok[1] in PREFIXES):
                stack.append((tok[1], (tok[2], tok[3]), UNARY_PRECEDENCE, True))
            elif kind == "op" and tok[1] == "\n" and depth:  # a line break inside parentheses continues
                tok, nxt = nxt, (next(tokens) if nxt[0] != "end" else nxt)
                continue
            elif kind == "op" and tok[1] == ")" and stack and stack[-1].__class__ is frame_class \
                    and stack[-1].func is not None and len(operands) == stack[-1].base and stack[-1].commas == 0:
                # An empty argument list, f(): let the arity check name the function.
                frame = stack.pop()
                depth -= 1
                _finish_call(source, builder, frame, operands, spans, tok)
                expect_operand = False
            elif kind == "end" or (kind == "op" and tok[1] in (";", "\n")):
                what = f"after {_describe(prev)}" if prev is not tok else "here"
                raise fail(
                    _("the expression ends too early: expected a number, a name or '(' {what}").format(what=what), tok
                )
            else:
                raise fail(
                    _("expected a number, a name or '(' but found {describe}").format(describe=_describe(tok)), tok
                )
        elif kind == "op":
            text = tok[1]
            if text in BINARY:  # push_binary, inlined: a large program is mostly binary operators
                precedence, right_assoc = BINARY[text]
                while stack:
                    top = stack[-1]
                    if top.__class__ is not tuple or top[2] < precedence or (top[2] == precedence and right_assoc):
                        break
                    if top[3]:
                        reduce_top()
                        continue
                    del stack[-1]
                    right, right_span = operands.pop(), spans.pop()
                    left_span = spans[-1]
                    span = (left_span[0], right_span[1])
                    operands[-1] = binary(top[0], operands[-1], right, span, top[1])
                    spans[-1] = span
                stack.append((text, (tok[2], tok[3]), precedence, False))
                expect_operand = True
            elif text == ")":
                frame = stack[-1] if stack and stack[-1].__class__ is frame_class else reduce_to_frame()
                if frame is None:
                    raise fail(_("unmatched ')'"), tok)
                stack.pop()
                depth -= 1
                if frame.func is None:
                    spans[-1] = (frame.token[2], tok[3])
                else:
                    _finish_call(source, builder, frame, operands, spans, tok)
            elif text == "\n" and depth:  # a line break inside parentheses continues the statement
                tok, nxt = nxt, (next(tokens) if nxt[0] != "end" else nxt)
                continue
            elif text == ";" or text == "\n":
                break
            elif text == ",":
                frame = reduce_to_frame()
                if frame is None or frame.func is None:
                    raise fail(_("',' outside a function call"), tok,
                               hint=_("commas separate the arguments of a call such as max(x, y)"))
                frame.commas += 1
                expect_operand = True
            elif text == "(" and prev[3] == tok[2] and (prev[0] == "number" or prev[1] in NUMBER_NAMES):
                push_binary("*", (kind, "*", tok[2], tok[2]))  # 3(x+y): see the implicit product below
                expect_operand = True
                prev = tok
                continue
            elif text == "(":
                raise _no_operator(fail, prev, tok)
            elif text == "=":
                raise fail(_("unexpected '=' inside an expression"), tok,
                           hint=_("an assignment is 'name = expression', one per statement"))
            else:
                raise fail(_("expected an operator but found {describe}").format(describe=_describe(tok)), tok)
        elif kind == "end":
            break
        elif kind == "sup":  # x² is x**2: the operator and its exponent at once
            push_binary("**", tok)
            exponent = tok[1].translate(SUPERSCRIPTS)
            span = (tok[2], tok[3])
            operands.append(builder.number(exponent, float(exponent), span))
            spans.append(span)
        elif kind == "name" and prev[3] == tok[2] and (prev[0] == "number" or prev[1] in NUMBER_NAMES):
            # A number written against a name or '(' multiplies it (2x, 3(x+y), 2πx): read a '*'
            # here and the same token again as an operand.
            push_binary("*", (kind, "*", tok[2], tok[2]))
            expect_operand = True
            prev = tok
            continue
        elif kind == "attr":
            text = tok[1]
            if text not in ATTRIBUTES:
                raise fail(
                    _("unknown attribute {text!r}").format(text=text),
                    tok,
                    hint=_("the only attribute is .T (transpose)"),
                )
            operand, span = operands.pop(), spans.pop()
            span = (span[0], tok[3])
            operands.append(builder.unary(text, operand, span))
            spans.append(span)
        else:  # a number or a name right after an operand
            raise _no_operator(fail, prev, tok)
        prev = tok
        tok, nxt = nxt, (next(tokens) if nxt[0] != "end" else nxt)

    while stack:
        top = stack[-1]
        if top.__class__ is _Frame:
            raise fail(_("this '(' is never closed"), top.token, hint=_("add the missing ')'"))
        reduce_top()
    assert len(operands) == 1
    return operands.pop(), spans.pop(), tok, nxt


def _no_operator(fail: Callable[..., ParseError], prev: Token, tok: Token) -> ParseError:
    """Two operands in a row, with nothing between them."""
    return fail(
        _("expected an operator between {describe} and {describe2}").format(
            describe=_describe(prev), describe2=_describe(tok)
        ),
        tok,
        hint=_(
            "write {prev}*{tok} to multiply (a number written right against a name or '(' "
            "multiplies it: 2x, 3(x+y))"
        ).format(prev=prev[1], tok=tok[1]),
    )


def _finish_call(source: str, builder: Builder, frame: _Frame, operands: list[Any], spans: list[Span],
                 close: Token) -> None:
    """Replace a call's arguments on the operand stacks with the builder's value for the call."""
    func = frame.func
    assert func is not None
    span = (func[2], close[3])
    if frame.keywords is None and len(operands) == frame.base + 1:  # relu(t1): replaced where it stands
        operands[-1] = builder.call(func[1], [operands[-1]], [spans[-1]], [], span, (func[2], func[3]))
        spans[-1] = span
        return
    args, arg_spans = operands[frame.base:], spans[frame.base:]
    del operands[frame.base:], spans[frame.base:]
    if frame.keywords is None:  # positional arguments only
        operands.append(builder.call(func[1], args, arg_spans, [], span, (func[2], func[3])))
        spans.append(span)
        return
    positional: list[Any] = []
    positional_spans: list[Span] = []
    keywords: list[tuple[str, Any, Span]] = []
    keyword_at = {index: (name, tok) for index, name, tok in frame.keywords}
    seen: set[str] = set()
    for index, (arg, arg_span) in enumerate(zip(args, arg_spans)):
        if index in keyword_at:
            name, tok = keyword_at[index]
            if name in seen:
                raise ParseError(
                    _("keyword {name!r} is given twice").format(name=name), source=source, span=(tok[2], tok[3])
                )
            seen.add(name)
            keywords.append((name, arg, arg_span))
        else:
            if keywords:
                raise ParseError(_("a positional argument follows a keyword argument"), source=source, span=arg_span)
            positional.append(arg)
            positional_spans.append(arg_span)
    operands.append(builder.call(func[1], positional, positional_spans, keywords, span, (func[2], func[3])))
    spans.append(span)
