"""Text -> statements and expression trees.

The parser is an operator-precedence (shunting-yard) loop over tokens with explicit stacks, so a
100,000-term sum or 10,000 nested parentheses cost memory, never Python recursion. Every tree
node carries the span of text it came from, so later errors can point at it.
"""

from __future__ import annotations

import re

from .errors import ParseError

# Characters pasted from slides and PDFs, mapped to what they mean.
PASTED = str.maketrans({"\u2212": "-", "\u00b7": "*", "\u00d7": "*", "\u22c5": "*", "\u00f7": "/"})

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\f]+|\#[^\n]*)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<attr>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[+\-*/]=|[-+*/^@(),=;\n])
""", re.VERBOSE)

# Binary operators: precedence and right-associativity. Unary minus and plus sit between
# multiplication and power, as in Python: -x**2 is -(x**2) and 2**-x is 2**(-x).
BINARY = {"+": (1, False), "-": (1, False), "*": (2, False), "/": (2, False), "@": (2, False),
          "**": (4, True), "^": (4, True)}
UNARY_PRECEDENCE = 3
AUGMENTED = {"+=": "+", "-=": "-", "*=": "*", "/=": "/"}
ATTRIBUTES = {".T": "transpose"}


class Token:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind, self.text, self.start, self.end = kind, text, start, end

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.start})"


# ---- expression trees -------------------------------------------------------------------------

class Expr:
    """A node of the expression tree: what the user wrote, before any graph is built."""
    __slots__ = ("span",)

    def children(self) -> tuple[Expr, ...]:
        return ()


class Num(Expr):
    __slots__ = ("value", "text")

    def __init__(self, value: float, text: str, span: tuple[int, int]):
        self.value, self.text, self.span = value, text, span


class Name(Expr):
    __slots__ = ("id",)

    def __init__(self, id: str, span: tuple[int, int]):
        self.id, self.span = id, span


class Call(Expr):
    __slots__ = ("func", "args", "keywords", "func_span")

    def __init__(self, func: str, args: tuple[Expr, ...], keywords: tuple[tuple[str, Expr], ...],
                 span: tuple[int, int], func_span: tuple[int, int]):
        self.func, self.args, self.keywords, self.span, self.func_span = func, args, keywords, span, func_span

    def children(self) -> tuple[Expr, ...]:
        return self.args + tuple(value for _, value in self.keywords)


class BinOp(Expr):
    __slots__ = ("op", "left", "right", "op_span")

    def __init__(self, op: str, left: Expr, right: Expr, op_span: tuple[int, int]):
        self.op, self.left, self.right, self.op_span = op, left, right, op_span
        self.span = (left.span[0], right.span[1])

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


class Unary(Expr):
    """Prefix minus or plus, or a postfix attribute such as .T."""
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Expr, span: tuple[int, int]):
        self.op, self.operand, self.span = op, operand, span

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


class Statement:
    __slots__ = ("target", "augment", "expr", "span", "target_span")

    def __init__(self, target: str | None, augment: str | None, expr: Expr,
                 span: tuple[int, int], target_span: tuple[int, int] | None):
        self.target, self.augment, self.expr = target, augment, expr
        self.span, self.target_span = span, target_span


class Program:
    __slots__ = ("source", "statements")

    def __init__(self, source: str, statements: list[Statement]):
        self.source, self.statements = source, statements


# ---- tokens -----------------------------------------------------------------------------------

def tokenize(source: str) -> list[Token]:
    """Split source into tokens; pasted characters (−, ·, ×) are read as ASCII operators."""
    text = source.translate(PASTED)  # one character for one, so spans still index the source
    tokens: list[Token] = []
    pos, n = 0, len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            ch = source[pos]
            hint = "the operators are + - * / ** ^ @; functions are called as name(args)" \
                if ch in "!%&|<>[]{}'\"$?:~`\\" else None
            raise ParseError(f"unexpected character {ch!r}", source=source, span=(pos, pos + 1), hint=hint)
        kind = m.lastgroup
        if kind != "space":
            tokens.append(Token(kind, m.group(), pos, m.end()))
        pos = m.end()
    tokens.append(Token("end", "", n, n))
    return tokens


# ---- parser -----------------------------------------------------------------------------------

class _Frame:
    """An open '(' on the operator stack: a plain group, or the argument list of a call."""
    __slots__ = ("token", "func", "base", "keywords", "commas")

    def __init__(self, token: Token, func: Token | None, base: int):
        self.token, self.func, self.base = token, func, base
        self.keywords: list[tuple[int, str, Token]] = []  # (argument index, name, token)
        self.commas = 0


class _Op:
    """A pending operator on the stack."""
    __slots__ = ("token", "precedence", "unary")

    def __init__(self, token: Token, precedence: int, unary: bool):
        self.token, self.precedence, self.unary = token, precedence, unary


def parse_program(source: str) -> Program:
    """Parse a whole program: statements separated by newlines or ';'."""
    tokens = tokenize(source)
    statements: list[Statement] = []
    start = 0
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.kind == "op" and tok.text == "(":
            depth += 1
        elif tok.kind == "op" and tok.text == ")":
            depth = max(0, depth - 1)
        # Newlines inside parentheses continue the statement, as in Python.
        is_break = tok.kind == "op" and (tok.text == ";" or (tok.text == "\n" and depth == 0))
        if is_break or tok.kind == "end":
            body = [t for t in tokens[start:i] if not (t.kind == "op" and t.text == "\n")]
            if body:
                statements.append(_statement(source, body, Token("end", "", tok.start, tok.start)))
            start = i + 1
    if not statements:
        raise ParseError("the expression is empty", source=source, span=(0, max(1, len(source))),
                         hint='give an expression such as "(x+y)*z"')
    return Program(source, statements)


def parse_expression(source: str) -> Expr:
    """Parse a single expression (used for binding values such as -pi/2)."""
    tokens = tokenize(source)
    body = tokens[:-1]
    if not body:
        raise ParseError("the value is empty", source=source, span=(0, 1))
    return _expression(source, body, tokens[-1])


def _statement(source: str, body: list[Token], end: Token) -> Statement:
    first = body[0]
    if len(body) >= 2 and first.kind == "name" and body[1].kind == "op" and (
            body[1].text == "=" or body[1].text in AUGMENTED):
        if len(body) == 2:
            raise ParseError(f"nothing is assigned to {first.text}", source=source,
                             span=(body[1].start, body[1].end), hint=f"write {first.text} = <expression>")
        expr = _expression(source, body[2:], end)
        augment = AUGMENTED.get(body[1].text)
        return Statement(first.text, augment, expr, (first.start, expr.span[1]), (first.start, first.end))
    expr = _expression(source, body, end)
    return Statement(None, None, expr, expr.span, None)


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of input"
    if tok.text == "\n":
        return "line break"
    return repr(tok.text)


def _expression(source: str, tokens: list[Token], end: Token) -> Expr:
    """Shunting-yard over one statement's tokens. Explicit stacks only: no recursion."""
    operands: list[Expr] = []
    stack: list[_Op | _Frame] = []
    expect_operand = True
    tokens = tokens + [end]
    i = 0

    def fail(message: str, tok: Token, hint: str | None = None) -> ParseError:
        span = (tok.start, max(tok.end, tok.start + 1))
        return ParseError(message, source=source, span=span, hint=hint)

    def reduce_top() -> None:
        op = stack.pop()
        assert isinstance(op, _Op)
        if op.unary:
            operand = operands.pop()
            operands.append(Unary(op.token.text, operand, (op.token.start, operand.span[1])))
        else:
            right = operands.pop()
            left = operands.pop()
            operands.append(BinOp(op.token.text, left, right, (op.token.start, op.token.end)))

    def reduce_to_frame() -> _Frame | None:
        while stack and isinstance(stack[-1], _Op):
            reduce_top()
        return stack[-1] if stack else None

    while True:
        tok = tokens[i]
        kind, text = tok.kind, tok.text
        if expect_operand:
            if kind == "number":
                value = float(text)  # the regex admits only valid float literals
                if value == float("inf"):
                    raise fail(f"the number {text} is too large for a float (the largest is about 1.8e308)", tok)
                operands.append(Num(value, text, (tok.start, tok.end)))
                expect_operand = False
            elif kind == "name":
                nxt = tokens[i + 1]
                frame = stack[-1] if stack and isinstance(stack[-1], _Frame) else None
                at_argument_start = frame is not None and frame.func is not None and \
                    len(operands) - frame.base == frame.commas
                if nxt.kind == "op" and nxt.text == "(":
                    stack.append(_Frame(nxt, tok, len(operands)))
                    i += 1
                elif at_argument_start and nxt.kind == "op" and nxt.text == "=":
                    frame.keywords.append((frame.commas, text, tok))
                    i += 1
                else:
                    operands.append(Name(text, (tok.start, tok.end)))
                    expect_operand = False
            elif kind == "op" and text == "(":
                stack.append(_Frame(tok, None, len(operands)))
            elif kind == "op" and text in ("-", "+"):
                stack.append(_Op(tok, UNARY_PRECEDENCE, True))
            elif kind == "op" and text == ")" and stack and isinstance(stack[-1], _Frame) \
                    and stack[-1].func is not None and len(operands) == stack[-1].base and stack[-1].commas == 0:
                # An empty argument list, f(): let the arity check name the function.
                frame = stack.pop()
                operands.append(_finish_call(source, frame, [], tok))
                expect_operand = False
            else:
                if kind == "end":
                    after = tokens[i - 1] if i > 0 else tok
                    what = f"after {_describe(after)}" if i > 0 else "here"
                    raise fail(f"the expression ends too early: expected a number, a name or '(' {what}",
                               tok)
                raise fail(f"expected a number, a name or '(' but found {_describe(tok)}", tok)
        else:
            if kind == "op" and text in BINARY:
                precedence, right_assoc = BINARY[text]
                while stack and isinstance(stack[-1], _Op) and (
                        stack[-1].precedence > precedence or
                        (stack[-1].precedence == precedence and not right_assoc)):
                    reduce_top()
                stack.append(_Op(tok, precedence, False))
                expect_operand = True
            elif kind == "attr":
                if text not in ATTRIBUTES:
                    raise fail(f"unknown attribute {text!r}", tok,
                               hint="the only attribute is .T (transpose)")
                operand = operands.pop()
                operands.append(Unary(text, operand, (operand.span[0], tok.end)))
            elif kind == "op" and text == ")":
                frame = reduce_to_frame()
                if frame is None:
                    raise fail("unmatched ')'", tok)
                stack.pop()
                if frame.func is None:
                    inner = operands[-1]
                    inner.span = (frame.token.start, tok.end)
                else:
                    args = operands[frame.base:]
                    del operands[frame.base:]
                    operands.append(_finish_call(source, frame, args, tok))
            elif kind == "op" and text == ",":
                frame = reduce_to_frame()
                if frame is None or frame.func is None:
                    raise fail("',' outside a function call", tok,
                               hint="commas separate the arguments of a call such as max(x, y)")
                frame.commas += 1
                expect_operand = True
            elif kind == "end":
                break
            elif kind in ("number", "name") or (kind == "op" and text == "("):
                prev = tokens[i - 1]
                raise fail(f"expected an operator between {_describe(prev)} and {_describe(tok)}", tok,
                           hint=f"write {prev.text}*{tok.text} to multiply")
            elif kind == "op" and text == "=":
                raise fail("unexpected '=' inside an expression", tok,
                           hint="an assignment is 'name = expression', one per statement")
            else:
                raise fail(f"expected an operator but found {_describe(tok)}", tok)
        i += 1

    while stack:
        top = stack[-1]
        if isinstance(top, _Frame):
            raise fail("this '(' is never closed", top.token, hint="add the missing ')'")
        reduce_top()
    assert len(operands) == 1
    return operands[0]


def _finish_call(source: str, frame: _Frame, args: list[Expr], close: Token) -> Call:
    func = frame.func
    assert func is not None
    positional: list[Expr] = []
    keywords: list[tuple[str, Expr]] = []
    keyword_at = {index: (name, tok) for index, name, tok in frame.keywords}
    seen: set[str] = set()
    for index, arg in enumerate(args):
        if index in keyword_at:
            name, tok = keyword_at[index]
            if name in seen:
                raise ParseError(f"keyword {name!r} is given twice", source=source, span=(tok.start, tok.end))
            seen.add(name)
            keywords.append((name, arg))
        else:
            if keywords:
                raise ParseError("a positional argument follows a keyword argument", source=source,
                                 span=arg.span)
            positional.append(arg)
    return Call(func.text, tuple(positional), tuple(keywords), (func.start, close.end),
                (func.start, func.end))
