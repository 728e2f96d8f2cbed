"""Text -> calls on a builder, one per piece of the language read.

The parser is an operator-precedence (shunting-yard) loop over a stream of tokens with explicit
stacks, so a 10^6-term sum or 10,000 nested parentheses cost memory, never Python recursion. It
builds no syntax tree of its own: each number, name, operator, call and statement is handed to a
builder as soon as it is complete, with the span of text it came from so later errors can point
at it. graph.py's builder lowers them straight into the computational graph; a 1 MB program never
exists as tokens or a tree in memory, only as the graph.

There is one tokenizer (one regular expression, matched token after token) and one parser, for
every program: how a program is spelled (comments, pasted or non-ASCII characters, its length)
changes what is read, never how.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from ..i18n import _
from .errors import GradtraceError, ParseError
from .ops import INFIX, POSTFIX, PREFIX

# Characters pasted from slides and PDFs, mapped to what they mean.
# · ⋅ and × stay themselves: between two arrays they mean the slides' matrix product (ops.py, cdot).
PASTED = str.maketrans({"\u2212": "-", "\u00f7": "/"})

# Binary operators, with their precedence and right-associativity, come from the op table (each
# infix record says how tightly it binds). Unary minus and plus sit between multiplication and
# power, as in Python: -x**2 is -(x**2) and 2**-x is 2**(-x).
BINARY = {symbol: (op.syntax.precedence, op.syntax.right) for symbol, op in INFIX.items()}
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

# Operators and punctuation; [ ] and : write a subscript, x[0, 1:3].
_SYMBOLS = [*BINARY, *AUGMENTED, *PREFIXES, "(", ")", "[", "]", ":", ",", "=", ";", "\n"]


def _operators(symbols: list[str]) -> str:
    """A pattern for any of the symbols, quick to try: each first character of a two-character
    symbol with the second ones it may have (\\*[*=]?), then one class of the other characters."""
    assert all(len(s) <= 2 for s in symbols)
    seconds: dict[str, str] = {}
    for s in symbols:
        if len(s) == 2:
            seconds[s[0]] = seconds.get(s[0], "") + s[1]
    pairs = [f"{re.escape(first)}[{''.join(map(re.escape, sorted(set(rest))))}]?"
             for first, rest in sorted(seconds.items())]
    singles = sorted({s for s in symbols if len(s) == 1} - set(seconds))
    return "|".join([*pairs, "[" + "".join(map(re.escape, singles)) + "]"])


# What each kind of token looks like, most frequent first (their first characters never overlap,
# except "." for .5 and .T). A name is tried as ASCII first, the common case and quick to match.
_PATTERNS = {
    "op": _operators(_SYMBOLS),
    "name": rf"[A-Za-z_][A-Za-z0-9_]*+(?:[^\W{_SUP}π]+)?|π|[^\W\d{_SUP}π][^\W{_SUP}π]*",
    "number": r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?",
    "sup": rf"[⁻⁺]?[{_SUP}]+",
    "attr": r"\.[A-Za-z_][A-Za-z0-9_]*",
}
# A name's kind also says what comes right after it (spaces aside), which is all the parser needs
# to look ahead: a call's '(' (relu(x)), an '=' (an assignment, or a keyword such as alpha=0.1),
# or an augmented assignment's += -= *= /=. The tokens after it are read as usual.
_AFTER_NAME = {"call": r"\(", "assign": "=", "augment": "|".join(map(re.escape, AUGMENTED))}
KINDS = ("", "op", "name", *_AFTER_NAME, "number", "sup", "attr")
_NAMES = {"name", *_AFTER_NAME}  # the kinds of a name


@functools.cache
def _scanner() -> re.Pattern[str]:
    """The tokenizer's one pattern, compiled when first needed: the spaces and comments before a
    token, then the token, a group per kind (the token's kind is KINDS[lastindex]; a name's text
    is its own group, the groups of the kinds after it being empty). The token is optional, so
    the pattern matches at every position and no position is tried twice: with no token, a match
    ends at the end of the text or at a character no token starts with. The spaces are
    possessive: a comment never gives back its last word as a name."""
    after = "|".join(f"(?:{pattern})(?P<{kind}>)" for kind, pattern in _AFTER_NAME.items())
    after = rf"(?:(?=[ \t\r\f]*+(?:{after})))?"  # one look past the spaces, for any of them
    kinds = [f"(?P<{kind}>{pattern})" + (after if kind == "name" else "") for kind, pattern in _PATTERNS.items()]
    return re.compile(r"(?>[ \t\r\f]++|\#[^\n]*+)*+(?:" + "|".join(kinds) + ")?")


# The group that holds each kind's text: a name's own, whatever comes after it.
_TEXT = tuple(KINDS.index("name") if kind in _NAMES else k for k, kind in enumerate(KINDS))

Span = tuple[int, int]
# A token: (kind, text, start, end). kind is number, a name's (name, call, assign or augment), sup (a
# superscript), attr, op or end.
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
    # x[0, 1:3, ::2]: per item between the commas, its parts between the colons, each the builder's
    # value and its span, or None where the part is left out (x[:, 1]); one part is an index.
    def index(self, operand: Any, items: list[list[tuple[Any, Span] | None]], span: Span) -> Any: ...
    def sequence(self, items: list[Any], item_spans: list[Span], span: Span) -> Any: ...  # (2, 3), (6,)
    def statement(self, target: str | None, target_span: Span | None, value: Any, span: Span) -> None: ...
    def declare(self, target: str, variables: list[tuple[str, Span]]) -> None: ...  # f(x, y) = ...


# ---- tokens -----------------------------------------------------------------------------------

def tokenize(source: str) -> Iterator[Token]:
    """Split source into tokens, lazily, one match of one pattern each; pasted characters (−, ÷)
    are read as ASCII operators. The last token is ("end", "", n, n). A character no token starts
    with is a ParseError that points at it, raised when the tokens reach it."""
    text = source.translate(PASTED)  # one character for one, so spans still index the source
    kinds, texts = KINDS, _TEXT
    m: re.Match[str] | None = None
    for m in _scanner().finditer(text):
        k = m.lastindex
        if k is None:  # spaces and comments, then the end or a character no token starts with
            break
        g = texts[k]
        start, end = m.span(g)
        yield kinds[k], m[g], start, end
    assert m is not None  # the pattern matches the empty string, so there is always a match
    pos, n = m.end(), len(text)
    if pos < n:
        ch = source[pos]
        hint = "the operators are + - * / ** ^ @; functions are called as name(args)" \
            if ch in "!%&|<>{}'\"$?~`\\" else None
        raise ParseError(_("unexpected character {ch!r}").format(ch=ch), source=source, span=(pos, pos + 1), hint=hint)
    yield "end", "", n, n


# ---- parser -----------------------------------------------------------------------------------

class _Frame:
    """An open '(' on the operator stack: a plain group (a tuple, once it has a comma), or the
    argument list of a call; or an open '[': a subscript, whose operand sits just below base."""
    __slots__ = ("base", "commas", "func", "items", "keywords", "parts", "token")

    def __init__(self, token: Token, func: Token | None, base: int, subscript: bool = False):
        self.token, self.func, self.base = token, func, base
        self.keywords: list[tuple[int, str, Token]] | None = None  # (argument index, name, token), once there is one
        self.commas = 0
        # A subscript's items read so far, and the parts of the one being read (before its colons).
        self.items: list[list[tuple[Any, Span] | None]] | None = [] if subscript else None
        self.parts: list[tuple[Any, Span] | None] = []


def parse_program(source: str, builder: Builder) -> int:
    """Parse a whole program, statements separated by newlines or ';', reporting each piece to the
    builder as it is read. Returns the number of statements. A character no token starts with is
    the error reported, wherever it is, before any other that reading it or building it finds."""
    stacks = _Stacks(source, builder)
    tokens = tokenize(source)
    count = 0
    try:
        tok = next(tokens)
        while True:
            while tok[0] == "op" and (tok[1] == "\n" or tok[1] == ";"):
                tok = next(tokens)
            if tok[0] == "end":
                break
            tok = _statement(source, builder, tok, tokens, stacks)
            count += 1
    except GradtraceError:
        _raise_unexpected_character(tokens)
        raise
    if not count:
        raise ParseError(_("the expression is empty"), source=source, span=(0, max(1, len(source))),
                         hint=_("give an expression such as \"(x+y)*z\""))
    return count


def _raise_unexpected_character(tokens: Iterator[Token]) -> None:
    """Read the rest of the tokens, for the error of a character no token starts with, if there is
    one after the error being raised: such a character is what to fix first (as if all the text
    had been split into tokens before any of it was read), whatever the program's length."""
    try:
        for _tok in tokens:
            pass
    except ParseError as error:
        raise error from None


def _statement(source: str, builder: Builder, tok: Token, tokens: Iterator[Token], stacks: _Stacks) -> Token:
    """One statement from tok (not a separator), the tokens after it coming from tokens: a header
    f(x, y) = ..., an assignment (= or +=) or an expression. Returns the token that ended it."""
    kind = tok[0]
    if kind == "name" or kind == "number":  # the commonest start: an expression
        value, span, end = _expression(source, builder, tok, tokens, stacks)
        builder.statement(None, None, value, span)
        return end
    if kind == "call" and _header_pattern().match(source, tok[3]):
        # f(x, y, z) = ...: the output's name and the variables, in order
        header, assign = _header(tokens)
        builder.declare(tok[1], header)
    elif kind == "assign" or kind == "augment":
        assign = next(tokens)
    else:
        value, span, end = _expression(source, builder, tok, tokens, stacks)
        builder.statement(None, None, value, span)
        return end
    target, target_span = tok[1], (tok[2], tok[3])
    first = next(tokens)
    if first[0] == "end" or (first[0] == "op" and first[1] in (";", "\n")):
        raise ParseError(
            _("nothing is assigned to {target}").format(target=target),
            source=source,
            span=(assign[2], assign[3]),
            hint=_("write {target} = <expression>").format(target=target),
        )
    augmented = AUGMENTED.get(assign[1])
    if augmented is not None:  # f += x is f = f + x
        current = builder.name(target, target_span)
    value, span, end = _expression(source, builder, first, tokens, stacks)
    if augmented is not None:
        value = builder.binary(augmented, current, value, (target_span[0], span[1]), target_span)
    builder.statement(target, target_span, value, (target_span[0], span[1]))
    return end


@functools.cache
def _header_pattern() -> re.Pattern[str]:
    """What follows the name of a header f(x, y) = ...: '(', names between commas, ')' and '='.
    Looked for in the text before the tokens are read as a header, so a statement that starts
    with a call (relu(x), max(x, y)) never reads its tokens twice."""
    space, name = r"[ \t\r\f]*+", f"(?>{_PATTERNS['name']})"
    return re.compile(f"{space}\\({space}{name}(?:{space},{space}{name})*+{space}\\){space}=")


def _header(tokens: Iterator[Token]) -> tuple[list[tuple[str, Span]], Token]:
    """After the name of a header `f(x, y) =`, where _header_pattern has matched: its variables'
    names up to its '=', and the '='."""
    names: list[tuple[str, Span]] = []
    for tok in tokens:
        if tok[0] in _NAMES:
            names.append((tok[1], (tok[2], tok[3])))
        elif tok[1] == "=":
            return names, tok
    raise AssertionError("_header_pattern matched a header without its '='")


def parse_expression(source: str, builder: Builder) -> Any:
    """Parse a single expression (a binding's value such as -pi/2) and return the builder's value."""
    tokens = tokenize(source)
    try:
        first = next(tokens)
        if first[0] == "end":
            raise ParseError(_("the value is empty"), source=source, span=(0, 1))
        value, _span, tok = _expression(source, builder, first, tokens)
        if tok[0] != "end":
            raise ParseError(
                _("expected one expression but found {describe}").format(describe=_describe(tok)),
                source=source,
                span=(tok[2], max(tok[3], tok[2] + 1)),
            )
    except GradtraceError:
        _raise_unexpected_character(tokens)
        raise
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


def _expression(source: str, builder: Builder, first: Token, tokens: Iterator[Token],
                stacks: _Stacks | None = None) -> tuple[Any, Span, Token]:
    """Shunting-yard over one statement, from first (a token already read) to the first ';', line
    break outside parentheses, or the end, read from tokens. Explicit stacks only: no recursion.
    Returns the builder's value, its span and the token that ended the statement.
    The loop looks at a token's kind first and tries the common cases first (a name, a binary
    operator, a number, parentheses): it runs once per token of a 10^6-token program. A name's
    kind says what follows it, so no token is ever read ahead."""
    if stacks is None:
        stacks = _Stacks(source, builder)
    operands, spans, stack = stacks.operands, stacks.spans, stacks.stack
    fail, reduce_top, push_binary, reduce_to_frame = stacks.fail, stacks.reduce_top, stacks.push_binary, \
        stacks.reduce_to_frame
    binary, name, call = builder.binary, builder.name, builder.call
    frame_class = _Frame
    depth = 0  # open parentheses
    expect_operand = True
    prev: Token = first
    it = itertools.chain((first,), tokens)

    for tok in it:
        kind = tok[0]
        if not expect_operand:
            if kind == "op":
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
                        span = (spans[-1][0], right_span[1])
                        operands[-1] = binary(top[0], operands[-1], right, span, top[1])
                        spans[-1] = span
                    stack.append((text, (tok[2], tok[3]), precedence, False))
                    expect_operand = True
                    prev = tok
                    continue
                if text == ")":
                    frame = stack[-1] if stack and stack[-1].__class__ is frame_class else reduce_to_frame()
                    if frame is None or frame.items is not None:
                        raise fail(_("unmatched ')'"), tok, hint=None if frame is None else
                                   _("a '[' before it is still open: close it with ']'"))
                    del stack[-1]
                    depth -= 1
                    func = frame.func
                    if func is None and frame.commas:  # (2, 3): a tuple
                        _finish_sequence(builder, frame, operands, spans, tok)
                    elif func is None:
                        spans[-1] = (frame.token[2], tok[3])
                    elif frame.keywords is None and len(operands) == frame.base + 1:  # relu(t1): in place
                        span = (func[2], tok[3])
                        operands[-1] = call(func[1], [operands[-1]], [spans[-1]], [], span, (func[2], func[3]))
                        spans[-1] = span
                    else:
                        _finish_call(source, builder, frame, operands, spans, tok)
                    prev = tok
                    continue
                if text == "\n" and depth:  # a line break inside parentheses continues the statement
                    continue
                if text == ";" or text == "\n":
                    break
                if text == ",":
                    frame = reduce_to_frame()
                    if frame is None:
                        raise fail(_("',' outside a function call"), tok,
                                   hint=_("commas separate the arguments of a call such as max(x, y)"))
                    if frame.items is not None:
                        _end_item(fail, frame, (operands.pop(), spans.pop()), tok)
                    else:
                        frame.commas += 1  # a call's next argument, or a tuple's next item
                    expect_operand = True
                    prev = tok
                    continue
                if text == "[":  # x[...]: a subscript of the operand just read
                    stack.append(frame_class(tok, None, len(operands), True))
                    depth += 1
                    expect_operand = True
                    prev = tok
                    continue
                if text == ":" or text == "]":
                    frame = _subscript_frame(fail, reduce_to_frame(), tok)
                    _end_part(fail, frame, (operands.pop(), spans.pop()), tok)
                    if text == ":":
                        expect_operand = True
                        prev = tok
                        continue
                    _finish_index(builder, stack, operands, spans, tok)
                    depth -= 1
                    prev = tok
                    continue
                if text == "(" and _multiplies(prev, tok):
                    push_binary("*", (kind, "*", tok[2], tok[2]))  # 3(x+y): read as an operand below
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
                exponent = tok[1].translate(SUPERSCRIPTS).removeprefix("+")  # x⁺² is x**2, shown so
                span = (tok[2], tok[3])
                operands.append(builder.number(exponent, float(exponent), span))
                spans.append(span)
                prev = tok
                continue
            elif kind in _NAMES and _multiplies(prev, tok):
                # A number written against a name or '(' multiplies it (2x, 3(x+y), 2πx): read a '*'
                # here and the same token as an operand below.
                push_binary("*", (kind, "*", tok[2], tok[2]))
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
                prev = tok
                continue
            else:  # a number or a name right after an operand
                raise _no_operator(fail, prev, tok)
            expect_operand = True
            prev = tok

        # An operand is expected at tok.
        if kind == "name":
            span = (tok[2], tok[3])
            operands.append(name(tok[1], span))
            spans.append(span)
            expect_operand = False
        elif kind == "call":  # relu(: its '(' is the next token
            prev = next(it)
            stack.append(frame_class(prev, tok, len(operands)))
            depth += 1
            continue
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
            continue
        elif kind == "op" and tok[1] in (":", ",", "]") and stack and stack[-1].__class__ is frame_class \
                and stack[-1].items is not None:
            # A part of a subscript left out: x[:, 1], x[1:], x[::2]; or a trailing comma, x[0,].
            frame = stack[-1]
            if tok[1] == ",":
                _end_item(fail, frame, None, tok)
                prev = tok
                continue
            _end_part(fail, frame, None, tok)
            if tok[1] == ":":
                prev = tok
                continue
            _finish_index(builder, stack, operands, spans, tok)
            depth -= 1
            expect_operand = False
        elif kind == "op" and tok[1] == ")" and stack and stack[-1].__class__ is frame_class \
                and stack[-1].func is None and stack[-1].items is None and stack[-1].commas \
                and len(operands) == stack[-1].base + stack[-1].commas:
            # A tuple's trailing comma, (6,)
            frame = stack.pop()
            depth -= 1
            _finish_sequence(builder, frame, operands, spans, tok)
            expect_operand = False
        elif kind == "op" and tok[1] == ")" and stack and stack[-1].__class__ is frame_class \
                and stack[-1].func is not None and len(operands) == stack[-1].base and stack[-1].commas == 0:
            # An empty argument list, f(): let the arity check name the function.
            frame = stack.pop()
            depth -= 1
            _finish_call(source, builder, frame, operands, spans, tok)
            expect_operand = False
        elif kind == "assign" and stack and stack[-1].__class__ is frame_class and stack[-1].func is not None \
                and len(operands) - stack[-1].base == stack[-1].commas:
            frame = stack[-1]  # a keyword argument: alpha=0.1, its '=' the next token
            if frame.keywords is None:
                frame.keywords = []
            frame.keywords.append((frame.commas, tok[1], tok))
            prev = next(it)
            continue
        elif kind in _NAMES:  # a name before an '=' that is not a keyword's, or before +=: read as a name
            span = (tok[2], tok[3])
            operands.append(name(tok[1], span))
            spans.append(span)
            expect_operand = False
        elif kind == "end" or (kind == "op" and tok[1] in (";", "\n")):
            what = f"after {_describe(prev)}" if prev is not tok else "here"
            raise fail(
                _("the expression ends too early: expected a number, a name or '(' {what}").format(what=what), tok
            )
        else:
            raise fail(
                _("expected a number, a name or '(' but found {describe}").format(describe=_describe(tok)), tok,
                hint=_("arrays come from bindings: write a name, e.g. W @ x with -W \"[[1, 2], [3, 4]]\"")
                if tok[1] == "[" else None,
            )
        prev = tok
    else:
        raise AssertionError("the tokens end with an end token")

    while stack:
        top = stack[-1]
        if top.__class__ is _Frame and top.items is not None:
            raise fail(_("this '[' is never closed"), top.token, hint=_("add the missing ']'"))
        if top.__class__ is _Frame:
            raise fail(_("this '(' is never closed"), top.token, hint=_("add the missing ')'"))
        reduce_top()
    assert len(operands) == 1
    return operands.pop(), spans.pop(), tok


def _multiplies(prev: Token, tok: Token) -> bool:
    """A number written right against a name or '(' multiplies it: 2x, 3(x+y), 2πx."""
    return prev[3] == tok[2] and (prev[0] == "number" or prev[1] in NUMBER_NAMES)


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


def _subscript_frame(fail: Callable[..., ParseError], frame: _Frame | None, tok: Token) -> _Frame:
    """The subscript a ':' or ']' belongs to: the innermost open bracket, or an error."""
    if frame is not None and frame.items is not None:
        return frame
    if tok[1] == ":":
        raise fail(_("':' outside a subscript"), tok,
                   hint=_("a colon writes a slice inside brackets, as in x[1:3] or x[:, 0]"))
    raise fail(_("unmatched ']'"), tok, hint=None if frame is None else
               _("a '(' before it is still open: close it with ')'"))


def _end_part(fail: Callable[..., ParseError], frame: _Frame, part: tuple[Any, Span] | None, tok: Token) -> None:
    """A part of a subscript's item is read, up to a ':' (or the item's end): keep it."""
    if tok[1] == ":" and len(frame.parts) == 2:
        raise fail(_("a slice has at most three parts, start:stop:step"), tok)
    if tok[1] == ":":
        frame.parts.append(part)
        return
    _end_item(fail, frame, part, tok)


def _end_item(fail: Callable[..., ParseError], frame: _Frame, part: tuple[Any, Span] | None, tok: Token) -> None:
    """A subscript's item is read, up to a ',' or the ']': an index, or the parts of a slice."""
    assert frame.items is not None
    item = [*frame.parts, part]
    frame.parts = []
    if len(item) == 1 and part is None:  # nothing between the separators
        if tok[1] == "]" and frame.items:
            return  # a trailing comma: x[0,] is x[0], as in Python
        if tok[1] == "]":
            raise fail(_("the brackets are empty"), tok,
                       hint=_("write an index such as x[0], or a slice such as x[1:3]"))
        raise fail(_("expected an index before ','"), tok, hint=_("write an index such as x[0, 1], or : for a whole "
                                                                 "axis, as in x[:, 1]"))
    frame.items.append(item)


def _finish_index(builder: Builder, stack: list[Any], operands: list[Any], spans: list[Span], close: Token) -> None:
    """Replace the operand of the subscript just closed with the builder's value for x[...]."""
    frame = stack.pop()
    assert frame.items is not None and len(operands) == frame.base
    span = (spans[-1][0], close[3])
    operands[-1] = builder.index(operands[-1], frame.items, span)
    spans[-1] = span


def _finish_sequence(builder: Builder, frame: _Frame, operands: list[Any], spans: list[Span], close: Token) -> None:
    """Replace a tuple's items on the operand stacks with the builder's value for the tuple."""
    items, item_spans = operands[frame.base:], spans[frame.base:]
    del operands[frame.base:], spans[frame.base:]
    span = (frame.token[2], close[3])
    operands.append(builder.sequence(items, item_spans, span))
    spans.append(span)


def _finish_call(source: str, builder: Builder, frame: _Frame, operands: list[Any], spans: list[Span],
                 close: Token) -> None:
    """Replace a call's arguments on the operand stacks with the builder's value for the call."""
    func = frame.func
    assert func is not None
    span = (func[2], close[3])
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
