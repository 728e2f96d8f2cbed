"""Text -> calls on a builder, one per piece of the language read.

The parser is an operator-precedence (shunting-yard) loop over a stream of tokens with explicit
stacks, so a 10^6-term sum or 10,000 nested parentheses cost memory, never Python recursion. It
builds no syntax tree of its own: each number, name, operator, call and statement is handed to a
builder as soon as it is complete, with the span of text it came from so later errors can point
at it. graph.py's builder lowers them straight into the computational graph; a 1 MB program never
exists as tokens or a tree in memory, only as the graph.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Iterator
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
_ASCII_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
# Each token's kind from its first character, for tokenize: a name unless listed ("." starts a
# number or .T).
_FIRST = {c: "number" for c in "0123456789"} | {c: "sup" for c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"} | {".": "."} | {
    symbol[0]: "op" for symbol in _SYMBOLS}


@functools.cache
def _bulk_pattern(ascii_only: bool) -> re.Pattern[str]:
    """For tokenize: each match is one token with the spaces before it, for one findall over a
    block of a program without comments. Most programs are ASCII, and for them the pattern leaves
    out what only matches other characters (superscripts, Unicode names and operators): it
    compiles and matches faster, and finds the same tokens. Compiled when first needed.

    The token is optional, so the pattern matches at every position: spaces before the end of a
    block, or before a character no token starts with, are one match (without a token) instead
    of a failure at each of their positions, each of which would read the rest of the spaces
    again (quadratic in a run of them)."""
    patterns = dict(_PATTERNS)
    if ascii_only:
        symbols = [s for s in _SYMBOLS if s.isascii()]
        patterns = {"op": _operators(symbols), "name": _ASCII_NAME, "number": patterns["number"],
                    "attr": patterns["attr"]}
    return re.compile(r"[ \t\r\f]*+(?:" + "|".join(f"(?:{pattern})" for pattern in patterns.values()) + ")?")


@functools.cache
def _scanner() -> re.Pattern[str]:
    """For _scan, compiled when first needed (a comment, or a character no token starts with), so
    that starting a command never pays for it: the spaces and comments before a token, then the
    token, a group per kind (the token is the group that matched, KINDS[lastindex]). The token is
    optional, so a match at a position never fails: with no token, it ends at the end of the text
    or at a character no token starts with. The spaces are possessive: a comment never gives back
    its last word as a name."""
    return re.compile(r"(?>[ \t\r\f]++|\#[^\n]*+)*+(?:" +
                      "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _PATTERNS.items()) + ")?")

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
    # f(g(h(operand))): calls (func, span, func_span), innermost first, each of one positional
    # argument, the value before it (operand, whose text is span). What call() for each in turn makes.
    def nest(self, calls: list[tuple[str, Span, Span]], operand: Any, span: Span) -> Any: ...
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
    return _tokens_from(source, text, 0)


def _tokens_from(source: str, text: str, start: int, first: int | None = None) -> Iterator[Token]:
    """The bulk path of tokenize, from start (where a token starts) on; the first block at most
    `first` characters long (see _blocks)."""
    return itertools.chain.from_iterable(_blocks(source, text, start, first or CHUNK,
                                                 _bulk_pattern(text.isascii())))


CHUNK = 1 << 16
# Characters past a token's end that matching it may look at: a number looks for an exponent
# (1e+5) up to two characters past its end, and so on to the third.
LOOKAHEAD = 3


def _blocks(source: str, text: str, start: int, size: int, pattern: re.Pattern[str]) -> Iterator[list[Token]]:
    """The tokens of text from start on, a list per block of about `size` characters, then twice
    as many, up to CHUNK (a statement read from where it starts tokenizes little beyond its end).
    A block ends anywhere; of its tokens, those that end LOOKAHEAD or more characters before the
    cut are kept (the cut can't have changed them), and the next block starts where the last one
    kept ends. A block that keeps none (one long token) is tried again twice as long. Each
    character is read a bounded number of times, whatever the text."""
    n = len(text)
    while start < n:
        end = min(start + size, n)
        tokens = _bulk(source, text, (start, end), pattern)
        if end < n:
            keep = bisect.bisect_right(tokens, end - LOOKAHEAD, key=operator.itemgetter(3))
            if not keep:
                size *= 2
                continue
            del tokens[keep:]
            size = min(2 * size, CHUNK)
        yield tokens
        start = tokens[-1][3] if end < n else n
    yield [("end", "", n, n)]


def _bulk(source: str, text: str, block: tuple[int, int], pattern: re.Pattern[str]) -> list[Token]:
    """The tokens of text[start:end] (start is where a token starts), read as if the text ended
    at end."""
    start, end = block
    pieces = pattern.findall(text, start, end)  # each token with the spaces before it
    if sum(map(len, pieces)) != end - start:
        # findall skipped a character no token starts with: _scan raises a ParseError that points
        # at it (and, were it to read the text after all, its tokens of this block are the ones to use).
        return [t for t in _scan(source, text) if start <= t[2] < end and t[0] != "end"]
    while pieces and not pieces[-1].strip(" \t\r\f"):
        pieces.pop()  # the spaces before the end, and the empty match at the end
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
    """tokenize one anchored match at a time, raising a ParseError at a character no token starts
    with. Each match reads the spaces and comments before its token once: the pattern matches at
    every position, so no position is tried twice."""
    n = len(text)
    kinds = KINDS
    match = _scanner().match
    pos = 0
    while True:
        m: re.Match[str] = match(text, pos)  # type: ignore[assignment]  # it matches the empty string
        k = m.lastindex
        if k is None:  # spaces and comments, then the end or a character no token starts with
            break
        start, pos = m.span(k)
        yield kinds[k], m.group(k), start, pos
    pos = m.end()
    if pos < n:
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


def parse_program(source: str, builder: Builder, templates: bool | None = None) -> int:
    """Parse a whole program, statements separated by newlines or ';', reporting each piece to the
    builder as it is read. Returns the number of statements.

    A large program is mostly statements of a few shapes (h2 = relu(w*h1 + b), then h3 = ...), or
    a sum of terms of a few shapes (x1*y + x2*y + ...). In an ASCII program without comments, once
    a shape has been read twice it becomes a _Template: one regular expression that matches a
    whole statement or term of that shape, and the builder calls its first reading made, to be
    made again with each new match's names, numbers and spans. What a template matches is read by
    one match instead of token by token; the rest is read as usual, from where it starts (see
    _TemplateReader). Templates are for programs of TEMPLATES characters or more, unless
    templates is True (always) or False (never: the tests check that both readings make the same
    builder calls)."""
    text = source.translate(PASTED)
    stacks = _Stacks(source, builder)
    if templates is None:
        templates = len(text) >= TEMPLATES
    if templates and "#" not in text and text.isascii():
        count = _TemplateReader(source, text, builder, stacks).program()
    else:
        tokens = tokenize(source)
        tok = next(tokens)
        nxt = tok if tok[0] == "end" else next(tokens)
        count = 0
        while True:
            while tok[0] == "op" and tok[1] in (";", "\n"):
                tok, nxt = nxt, (nxt if nxt[0] == "end" else next(tokens))
            if tok[0] == "end":
                break
            tok, nxt, tokens = _statement(source, builder, tok, nxt, tokens, stacks)
            count += 1
    if not count:
        raise ParseError(_("the expression is empty"), source=source, span=(0, max(1, len(source))),
                         hint=_("give an expression such as \"(x+y)*z\""))
    return count


TEMPLATES = 1 << 12  # characters: a smaller program is read at once
NEST = 1 << 10  # calls a run of ')' hands to Builder.nest at a time (a list of 10^5 would weigh more than their nodes)


def _statement(source: str, builder: Builder, tok: Token, nxt: Token, tokens: Iterator[Token],
               stacks: _Stacks) -> tuple[Token, Token, Iterator[Token]]:
    """One statement from tok (not a separator): a header f(x, y) = ..., an assignment (= or +=)
    or an expression. Returns the token that ended it, the next one and the tokens after them."""
    if tok[0] == "name" and nxt[1] == "(" and nxt[0] == "op" and source[nxt[2]:nxt[3]] == "(" and \
            _header_pattern().match(source, nxt[3]):
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
        value, span, tok, nxt, tokens = _expression(source, builder, tok, nxt, tokens, stacks)
        if assign[1] in AUGMENTED:
            value = builder.binary(AUGMENTED[assign[1]], current, value, (target[2], span[1]), target_span)
        builder.statement(target[1], target_span, value, (target[2], span[1]))
    else:
        value, span, tok, nxt, tokens = _expression(source, builder, tok, nxt, tokens, stacks)
        builder.statement(None, None, value, span)
    return tok, nxt, tokens


# ---- statement templates ----------------------------------------------------------------------

_NAME, _NUMBER, _BINARY, _UNARY, _CALL, _STATEMENT = range(6)  # the builder calls a _Template makes


class _Unfit(Exception):
    """A statement or term that can't become a _Template (a header, a call the _Recorder can't
    place)."""


class _Shapes:
    """The templates of one kind (statements, or terms of a sum) and what it takes to make them:
    a shape read as usual twice or more becomes a template, as long as the templates made so far
    have paid for it (a program whose statements all differ makes two), and once most of the
    first 1,024 have been read as usual, no more are tried."""
    RECENT = 8         # templates tried at each place
    COST = 100         # matches a template must make to pay for making one (a regex compiled)
    LONGEST = 400      # characters of a statement or term that can become one (a regex group per token)

    def __init__(self, term: bool):
        self.term = term
        self.seen: dict[str, int] = {}  # how often each shape (its _shape_key) has been read as usual
        self.made: dict[str, _Template] = {}
        self.unfit: set[str] = set()  # shapes that can't be templates
        self.recent: list[_Template] = []
        self.last: _Template | None = None  # the template that matched last, if the last try matched
        self.matched = 0    # read by a template
        self.unmatched = 0  # and as usual
        self.trying = True

    def match(self, builder: Builder, text: str, pos: int) -> tuple[re.Match[str], Any, Span] | None:
        """The match of a recent template at pos, once it has made its builder calls, with the value
        and span they made. The template that came after the last one matched, the last time, is
        tried first: shapes come in runs and cycles (relu(a*y) + a*b + square(a) + ...)."""
        last = self.last
        guess = last.after if last is not None else None
        if guess is not None:
            m = guess.match(text, pos)
            if m is not None:
                made = guess.replay(builder, m)
                if made is not None:
                    self.matched += 1
                    self.last = guess
                    return m, made[0], made[1]
        for template in self.recent:
            if template is guess:
                continue
            m = template.match(text, pos)
            if m is not None:
                made = template.replay(builder, m)
                if made is not None:
                    self.matched += 1
                    if last is not None:
                        last.after = template
                    self.last = template
                    return m, made[0], made[1]
        self.last = None
        return None

    def learn(self, source: str, text: str, start: int, end: int) -> None:
        """text[start:end] has been read as usual: count its shape, and make it a template from the
        second time on, when the budget allows. Not a shape whose reading hangs on how its tokens
        touch (2x is 2*x; 2 x is an error): a number followed by a name, '(' or an attribute."""
        self.unmatched += 1
        if not self.unmatched % 1024 and self.matched < self.unmatched:
            self.trying = False  # templates have not paid off here: read the rest as usual
            self.recent.clear()
        if not self.trying or end - start > self.LONGEST:
            return
        key = _shape_key(text[start:end])
        template = self.made.get(key)
        if template is None:
            if len(self.seen) > 4096:  # shapes seen once, mostly: forget them now and then
                self.seen.clear()
            seen = self.seen[key] = self.seen.get(key, 0) + 1
            if seen < 2 or key in self.unfit or len(self.made) > 1 + self.matched // self.COST:
                return
            tokens = _bulk(source, text, (start, end), _bulk_pattern(True))
            steps = None if any(a[0] == "number" and (b[0] == "name" or b[1] == "(" or b[0] == "attr")
                                for a, b in itertools.pairwise(tokens)) else _Recorder.record(source, tokens)
            if steps is None:
                self.unfit.add(key)
                return
            template = self.made[key] = _Template(tokens, steps, self.term)
        if template not in self.recent:
            self.recent.append(template)
            del self.recent[:-self.RECENT]


class _TemplateReader:
    """parse_program for an ASCII program without comments: statement by statement from a
    position in the text, each read by a recent statement _Template that matches it whole, or
    else as usual (its tokens from there on, then _statement). Reading a statement as
    usual, at each + or - between the terms of a sum (outside parentheses), read() reads on
    through the terms that term templates match, the same way. See _Shapes for which shapes
    become templates."""

    def __init__(self, source: str, text: str, builder: Builder, stacks: _Stacks):
        self.source, self.text, self.builder, self.stacks = source, text, builder, stacks
        self.statements, self.terms = _Shapes(term=False), _Shapes(term=True)
        self.term_start: int | None = None  # where the term being read as usual starts
        stacks.terms = self

    def program(self) -> int:
        """Read the program; return the number of statements."""
        source, text, n, builder, statements = self.source, self.text, len(self.text), self.builder, self.statements
        skip = _reader_patterns()[0].match
        pos = skip(text, 0).end()  # type: ignore[union-attr]  # it matches the empty string
        tokens: Iterator[Token] | None = None  # as read as usual: tok is the token they are at, nxt the next
        tok = nxt = ("end", "", n, n)
        count = 0
        while pos < n:
            count += 1
            found = statements.match(builder, text, pos) if statements.recent else None
            if found is not None:
                pos = skip(text, found[0].end()).end()  # type: ignore[union-attr]
                continue
            if tokens is None:
                tok, nxt, tokens = _start(source, text, pos)
            elif tok[2] != pos:  # templates read on from where the tokens are
                tok, nxt, tokens = _move(source, text, pos, tok, nxt, tokens)
            self.term_start = None
            tok, nxt, tokens = _statement(source, builder, tok, nxt, tokens, self.stacks)
            statements.learn(source, text, pos, tok[2])
            while tok[0] == "op" and tok[1] in (";", "\n"):
                tok, nxt = nxt, (nxt if nxt[0] == "end" else next(tokens))
            pos = tok[2]
        return count

    def read(self, op: Token, nxt: Token, tokens: Iterator[Token], operands: list[Any], spans: list[Span],
             stack: list[Any]) -> tuple[Token, Token, Iterator[Token], bool] | None:
        """_expression has just read op, a + or - after the terms before it, and put it on the
        stack: learn the term before op, then read the terms after it by template while they
        match, each joined to the sum so far as the shunting-yard would. Returns where reading as
        usual goes on (the token there, the next one, the tokens from there on, and whether an
        operand comes next), or None when no term matched."""
        terms, text, builder = self.terms, self.text, self.builder
        if self.term_start is not None:
            terms.learn(self.source, text, self.term_start, op[2])
        pos = self.term_start = op[3]
        if not terms.recent:
            return None
        expect_operand = True
        binary, match = builder.binary, terms.match
        # the sum so far, where it starts and ends, and the + or - pending after it (kept here
        # while terms match, and put back on the stacks after)
        total, (start, end), (sign, sign_span, _precedence, _unary) = operands[-1], spans[-1], stack[-1]
        joined = False
        while True:
            found = match(builder, text, pos)
            if found is None:
                break
            m, value, span = found
            pos = m.end()
            sign_start, sign_end = m.span(m.re.groups)  # the + or - after the term, the last group
            if sign_start < 0:  # the statement ends after this term: the pending + or - joins it
                operands.append(value)
                spans.append(span)
                expect_operand = False
                break
            end = span[1]
            total = binary(sign, total, value, (start, end), sign_span)
            sign, sign_span = text[sign_start:sign_end], (sign_start, sign_end)
            joined = True
        if pos == op[3]:
            return None
        if joined:  # the sum is the last operand, or the one before the last term, which the sign joins
            at = -1 if expect_operand else -2
            operands[at], spans[at] = total, (start, end)
            stack[-1] = (sign, sign_span, 1, False)
            self.term_start = pos if expect_operand else m.start()
        return (*_move(self.source, text, pos, op, nxt, tokens), expect_operand)

    def open(self, tok: Token, nxt: Token, tokens: Iterator[Token], stack: list[Any], operands: list[Any],
             spans: list[Span]) -> tuple[Token, Token, Iterator[Token], int, bool] | None:
        """_expression expects an operand and tok is a name followed by '(': if a run of RUN or
        more opening parentheses starts there, each right after a name or another '('
        (relu(exp(relu(( ...), read them at once. If a name and as many ')' come next, the whole
        nesting is read: the name, then the calls from the innermost out, as Builder.nest calls,
        and no _Frame is made. Otherwise push their _Frames, as reading them token by token would.
        Returns the last token read (the last ')' or '('), the token after it, the tokens after
        those, how many '(' it left open, and whether it read an operand; or None, with nothing
        done, for a shorter run."""
        text = self.text
        m = _reader_patterns()[3].match(text, tok[2])
        if m is None:
            return None
        names = m[0].split("(")[:-1]  # the text before each '(': a function's name, or nothing
        inner = _reader_patterns()[5].match(text, m.end())
        if inner is not None and inner.end(2) - inner.start(2) >= len(names):
            span = inner.span(1)
            operands.append(self.builder.name(inner[1], span))
            spans.append(span)
            last = self._close(_inside_out(names, m.end() - 1, inner.start(2)), operands, spans)
            return (*_move(self.source, text, last, tok, nxt, tokens), 0, True)
        frames = []
        pos = tok[2]
        base = len(operands)
        for name in names:
            end = pos + len(name)
            frames.append(_Frame(("op", "(", end, end + 1), ("name", name, pos, end) if name else None, base))
            pos = end + 1
        stack.extend(frames)
        return (*_move(self.source, text, pos - 1, tok, nxt, tokens), len(frames), False)

    def close(self, tok: Token, nxt: Token, tokens: Iterator[Token], operands: list[Any], spans: list[Span],
              stack: list[Any]) -> tuple[Token, Token, Iterator[Token], int] | None:
        """_expression has just closed a call or a group at tok, a ')' right before another: close
        the ones after it the same way, while each closes a group or a call of one positional
        argument (relu(t1)) whose argument is all that is pending. Returns the last ')' closed, the
        token after it, the tokens after those, and how many it closed; or None if none."""
        last = self._close(_closed_frames(stack, len(operands) - 1, tok[3], self.text), operands, spans)
        if last < 0:
            return None
        return (*_move(self.source, self.text, last, tok, nxt, tokens), last + 1 - tok[3])

    def _close(self, closing: Iterable[tuple[str, int, int, int]], operands: list[Any], spans: list[Span]) -> int:
        """Close calls and groups around the last operand, from the innermost out, as _expression
        would: each (name, start, end, close) is a call of that one operand (the function's name
        from start to end) or, with no name, a group (its '(' at start), closed by the ')' at close.
        The calls between groups go to Builder.nest, NEST at a time. Returns the last close, or -1."""
        builder = self.builder
        calls: list[tuple[str, Span, Span]] = []
        argument_span = span = spans[-1]
        close = -1
        for name, start, end, close in closing:
            span = (start, close + 1)
            if name:
                calls.append((name, span, (start, end)))
                if len(calls) < NEST:
                    continue
            if calls:
                operands[-1] = builder.nest(calls, operands[-1], argument_span)
                calls = []
            argument_span = span
        if calls:
            operands[-1] = builder.nest(calls, operands[-1], argument_span)
        spans[-1] = span
        return close


def _inside_out(names: list[str], paren: int, close: int) -> Iterator[tuple[str, int, int, int]]:
    """For _TemplateReader._close: the calls and groups of names(names(...(, opened by the run of
    '(' whose last is at paren, closed by the run of ')' from close on."""
    for name in reversed(names):
        yield name, paren - len(name), paren, close
        paren -= len(name) + 1
        close += 1


def _closed_frames(stack: list[Any], base: int, close: int, text: str) -> Iterator[tuple[str, int, int, int]]:
    """For _TemplateReader._close: the frames the run of ')' in text from close on closes, popped
    as they go (to make room for the nodes): those of a group or of a call of one positional
    argument whose argument, the operand at base, is all that is pending. The run is read only as
    far as frames close (reading all of it each time would be quadratic in a run that closes
    calls of two arguments, one ')' at a time)."""
    end = len(text)
    while close < end and text[close] == ")" and stack:
        frame = stack[-1]
        if frame.__class__ is not _Frame or frame.keywords is not None or frame.base != base:
            return
        del stack[-1]
        func = frame.func
        yield (func[1], func[2], func[3], close) if func is not None else ("", frame.token[2], 0, close)
        close += 1


def _move(source: str, text: str, pos: int, tok: Token, nxt: Token,
          tokens: Iterator[Token]) -> tuple[Token, Token, Iterator[Token]]:
    """Tokens from pos on, where a template's match ended, for reading on as usual: the tokens
    already read (tok, nxt, then tokens) passed over when pos is near, else new ones from pos."""
    if pos - tok[2] > 512:
        return _start(source, text, pos)
    while tok[2] < pos:
        tok, nxt = nxt, (nxt if nxt[0] == "end" else next(tokens))
    return tok, nxt, tokens


def _start(source: str, text: str, pos: int) -> tuple[Token, Token, Iterator[Token]]:
    """The token at pos, the next one and the tokens after them, read a little at first."""
    tokens = _tokens_from(source, text, pos, first=64)
    tok = next(tokens)
    return tok, (tok if tok[0] == "end" else next(tokens)), tokens


def _shape_key(statement: str) -> str:
    """What statements of one shape have in common, quickly: the text with each name written a,
    each run of digits and dots 0, and no spaces. Statements of one shape have one key (and the
    few of another shape that share it only miss their template: a template matches its own shape
    alone)."""
    names, digits = _reader_patterns()[1:3]
    return digits.sub("0", names.sub("a", statement)).translate(_NO_SPACES)


_NO_SPACES = str.maketrans("", "", " \t\r\f")


@functools.cache
def _reader_patterns() -> tuple[re.Pattern[str], ...]:
    """For _TemplateReader, compiled when a program first needs them (not when a command starts):
    the separators between statements, a name, a run of digits and dots (see _shape_key), a run
    of RUN or more opening parentheses, each after a name or another '(' (see open), a run of
    ')' (see close), and a name with the run of ')' after it (see open)."""
    return (re.compile(r"[ \t\r\f\n;]*+"), re.compile(_ASCII_NAME), re.compile(r"[0-9.]+"),
            re.compile(rf"(?:(?:{_ASCII_NAME}+)?\(){{{RUN},}}+"), re.compile(r"\)*+"),
            re.compile(rf"[ \t]*+({_ASCII_NAME})[ \t]*+(\)++)"))


RUN = 4  # opening parentheses in a row that _TemplateReader.open reads at once


class _Template:
    """A shape of statement, or of term of a sum: a regex that matches a whole one (each token a
    group, spaces between them, then the end of the statement; for a term, the + or - after it as
    the last group, or the end of the statement), and the builder calls reading one makes, each
    name, number and span given as the match's groups, so that replay makes them for any match."""
    __slots__ = ("after", "match", "replay", "steps", "term")

    def __init__(self, tokens: list[Token], steps: list[tuple[Any, ...]], term: bool):
        self.replay = _binary_of_names(steps, term) or self._replay
        pieces = []
        for kind, text, _start, _end in tokens:
            if kind == "name":
                pieces.append(f"({_ASCII_NAME}+)")  # possessive: the longest name, as tokenize reads it
            elif kind == "number":
                pieces.append(f"((?>{_PATTERNS['number']}))")
            else:
                pieces.append(f"({re.escape(text)})")
        spaces = r"[ \t\r\f]*+"
        end = r"(?:([-+])(?!=)|(?=[\n;]|\Z))" if term else r"(?:[\n;]|\Z)"
        self.match = re.compile(spaces + spaces.join(pieces) + spaces + end).match
        self.steps, self.term = steps, term
        self.after: _Template | None = None  # the template that matched after this one, the last time

    def _replay(self, builder: Builder, m: re.Match[str]) -> tuple[Any, Span] | None:
        """replay: make the builder calls for the statement or term m matched; return the value and
        span of the whole. None, having made only some calls, if a number in it is too large for a
        float (reading it as usual says so)."""
        regs: Any = m.regs  # (start, end) of each group, group g being the statement's token g - 1
        values: list[Any] = []
        push = values.append
        for step in self.steps:
            kind = step[0]
            if kind == _NAME:
                g = step[1]
                push(builder.name(m[g], regs[g]))
            elif kind == _BINARY:
                _kind, symbol, a, b, i, j, g = step
                push(builder.binary(symbol, values[a], values[b], (regs[i][0], regs[j][1]), regs[g]))
            elif kind == _CALL:
                _kind, g, args, arg_spans, keywords, i, j = step
                if len(args) == 1 and not keywords:  # relu(...): no lists to build one by one
                    (p, q), = arg_spans
                    push(builder.call(m[g], [values[args[0]]], [(regs[p][0], regs[q][1])], [],
                                      (regs[i][0], regs[j][1]), regs[g]))
                    continue
                push(builder.call(m[g], [values[a] for a in args],
                                  [(regs[p][0], regs[q][1]) for p, q in arg_spans],
                                  [(m[gk], values[a], (regs[p][0], regs[q][1])) for gk, a, p, q in keywords],
                                  (regs[i][0], regs[j][1]), regs[g]))
            elif kind == _NUMBER:
                g = step[1]
                text = m[g]
                value = float(text)
                if value == math.inf:
                    return None
                push(builder.number(text, value, regs[g]))
            elif kind == _UNARY:
                _kind, symbol, a, i, j = step
                push(builder.unary(symbol, values[a], (regs[i][0], regs[j][1])))
            else:  # the statement, the last step: a term is what its expression made
                _kind, g, a, i, j = step
                span = (regs[i][0], regs[j][1])
                if not self.term:
                    builder.statement(m[g] if g else None, regs[g] if g else None, values[a], span)
                return values[a], span
        raise AssertionError("a template's steps end with its statement")


def _binary_of_names(steps: list[tuple[Any, ...]], term: bool) -> Callable[..., tuple[Any, Span]] | None:
    """_Template.replay for the commonest shape of a large program's terms and statements, an
    operator between two names (x3 * y, h = w * x): its steps made without looking them up one by
    one. None for any other shape."""
    if len(steps) != 4 or [step[0] for step in steps] != [_NAME, _NAME, _BINARY, _STATEMENT]:
        return None
    (_, a), (_, b), (_, symbol, left, right, i, j, g), (_, target, value, first, last) = steps
    if (left, right, i, j, value) != (0, 1, a, b, 2):
        return None
    same = (first, last) == (a, b)  # a term, or a statement without a target: its span is the operation's

    def replay(builder: Builder, m: re.Match[str]) -> tuple[Any, Span]:
        regs: Any = m.regs
        span = (regs[a][0], regs[b][1])
        made = builder.binary(symbol, builder.name(m[a], regs[a]), builder.name(m[b], regs[b]), span, regs[g])
        if not same:
            span = (regs[first][0], regs[last][1])
        if not term:
            builder.statement(m[target] if target else None, regs[target] if target else None, made, span)
        return made, span

    return replay


class _Recorder:
    """A Builder that writes down the calls a statement's reading makes, for a _Template. The
    statement is read with made-up token positions, token i at 4i+1 to 4i+2, so that each span's
    ends say which tokens they are (and so which groups of the template's match). Its values are
    the numbers of the steps that made them."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.steps: list[tuple[Any, ...]] = []

    @classmethod
    def record(cls, source: str, tokens: list[Token]) -> list[tuple[Any, ...]] | None:
        """The steps of reading the statement made of tokens, or None if it can't be a template."""
        placed = [(kind, text, 4 * i + 1, 4 * i + 2) for i, (kind, text, _start, _end) in enumerate(tokens)]
        placed.append(("end", "", 4 * len(tokens) + 1, 4 * len(tokens) + 2))
        recorder = cls(tokens)
        rest = iter(placed[2:])
        try:
            _statement(source, recorder, placed[0], placed[1], rest, _Stacks(source, recorder))
        except (_Unfit, ParseError):
            return None
        return recorder.steps

    def _step(self, *step: Any) -> int:
        self.steps.append(step)
        return len(self.steps) - 1

    def _span(self, span: Span) -> tuple[int, int]:
        """A span as (group it starts at, group it ends at)."""
        a, b = span
        if a % 4 != 1 or b % 4 != 2:
            raise _Unfit
        return a // 4 + 1, b // 4 + 1

    def _token(self, text: str, span: Span) -> int:
        """The group of the one token whose text and span these are."""
        i, j = self._span(span)
        if i != j or self.tokens[i - 1][1] != text:
            raise _Unfit
        return i

    def number(self, text: str, value: float, span: Span) -> int:
        return self._step(_NUMBER, self._token(text, span))

    def name(self, text: str, span: Span) -> int:
        return self._step(_NAME, self._token(text, span))

    def binary(self, op: str, left: int, right: int, span: Span, op_span: Span) -> int:
        g = op_span[0] // 4 + 1
        if op_span != (4 * g - 3, 4 * g - 2):
            raise _Unfit
        return self._step(_BINARY, op, left, right, *self._span(span), g)

    def unary(self, op: str, operand: int, span: Span) -> int:
        return self._step(_UNARY, op, operand, *self._span(span))

    def call(self, func: str, args: list[int], arg_spans: list[Span], keywords: list[tuple[str, int, Span]],
             span: Span, func_span: Span) -> int:
        placed = []
        for name, value, value_span in keywords:  # name = value: the name is two tokens before the value
            g = self._span(value_span)[0] - 2
            if g < 1 or self.tokens[g - 1][1] != name or self.tokens[g][1] != "=":
                raise _Unfit
            placed.append((g, value, *self._span(value_span)))
        return self._step(_CALL, self._token(func, func_span), tuple(args), tuple(map(self._span, arg_spans)),
                          tuple(placed), *self._span(span))

    def nest(self, calls: list[tuple[str, Span, Span]], operand: int, span: Span) -> int:
        for func, call_span, func_span in calls:
            operand, span = self.call(func, [operand], [span], [], call_span, func_span), call_span
        return operand

    def statement(self, target: str | None, target_span: Span | None, value: int, span: Span) -> None:
        g = 0 if target is None or target_span is None else self._token(target, target_span)
        self._step(_STATEMENT, g, value, *self._span(span))

    def declare(self, target: str, variables: list[tuple[str, Span]]) -> None:
        raise _Unfit  # a header is read once, at the top


@functools.cache
def _header_pattern() -> re.Pattern[str]:
    """What follows the '(' of a header f(x, y) = ...: names between commas, ')' and '='. Looked
    for in the text before the tokens are read as a header, so a statement that starts with a
    call (relu(x), max(x, y)) never reads its tokens twice, and each statement's tokens go
    through one iterator, not one more wrapped around them per such statement."""
    space, name = r"[ \t\r\f]*+", f"(?>{_PATTERNS['name']})"
    return re.compile(f"{space}{name}(?:{space},{space}{name})*+{space}\\){space}=")


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
    value, _span, tok, _next, _rest = _expression(source, builder, first, next(tokens), tokens)
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
    __slots__ = ("fail", "operands", "push_binary", "reduce_to_frame", "reduce_top", "spans", "stack", "terms")

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
        self.terms: _TemplateReader | None = None  # reads the terms of a sum by template, if set
        self.fail, self.reduce_top, self.push_binary, self.reduce_to_frame = fail, reduce_top, push_binary, \
            reduce_to_frame


def _expression(source: str, builder: Builder, tok: Token, nxt: Token, tokens: Iterator[Token],
                stacks: _Stacks | None = None) -> tuple[Any, Span, Token, Token, Iterator[Token]]:
    """Shunting-yard over one statement, from tok to the first ';', line break outside
    parentheses, or the end. Explicit stacks only: no recursion. nxt is the token after tok.
    Returns the builder's value, its span, the token that ended the statement, the next one and
    the tokens after them (stacks.terms, if set, may have read terms of a sum by template and
    gone on with new tokens from there).
    The loop looks at a token's kind first and tries the common cases first (a name, a binary
    operator, a number, parentheses): it runs once per token of a 10^6-token program."""
    if stacks is None:
        stacks = _Stacks(source, builder)
    operands, spans, stack = stacks.operands, stacks.spans, stacks.stack
    fail, reduce_top, push_binary, reduce_to_frame = stacks.fail, stacks.reduce_top, stacks.push_binary, \
        stacks.reduce_to_frame
    binary = builder.binary
    terms = stacks.terms
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
                    opened = terms.open(tok, nxt, tokens, stack, operands, spans) if terms is not None else None
                    if opened is None:
                        stack.append(frame_class(nxt, tok, len(operands)))
                        depth += 1
                        tok, nxt = nxt, next(tokens)
                    else:  # relu(relu(relu(...: a run of them read at once, and perhaps all they enclose
                        tok, nxt, tokens, count, read = opened
                        depth += count
                        expect_operand = not read
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
                if precedence == 1 and terms is not None and not depth and len(stack) == 1:
                    # + or - between terms of a sum, nothing else pending: terms may read on
                    resumed = terms.read(tok, nxt, tokens, operands, spans, stack)
                    if resumed is not None:
                        tok, nxt, tokens, expect_operand = resumed
                        prev = ("op", stack[-1][0], *stack[-1][1])  # the + or - read last
                        continue
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
                if terms is not None and nxt[1] == ")" and nxt[2] == tok[3]:  # ...))): a run of them at once
                    closed = terms.close(tok, nxt, tokens, operands, spans, stack)
                    if closed is not None:
                        tok, nxt, tokens, count = closed
                        depth -= count
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
    return operands.pop(), spans.pop(), tok, nxt, tokens


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
