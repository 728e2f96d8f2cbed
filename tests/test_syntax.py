"""The language: tokens, precedence, programs, pasted characters and parse errors."""

import pytest

import gradtrace
from gradtrace.core.errors import ParseError
from gradtrace.core.graph import build


def exprs(program):
    """name: what it computes, output first."""
    g = build(program)
    return {n.name: n.expr for n in reversed(g.nodes) if not n.is_variable}


def labels(program):
    return [n.label for n in build(program).nodes if not n.is_variable]


@pytest.mark.parametrize("text, value", [
    ("2 + 3 * x", 8), ("(2 + 3) * x", 10), ("x ** 2 ** 3", 256), ("x ^ 3", 8),
    ("-x ** 2", -4), ("2 ** -x", 0.25), ("x - 1 - 1", 0), ("x / 2 / 2", 0.5), ("+x", 2),
    ("1e-3 * x", 0.002), (".5 * x", 1), ("2. * x", 4), ("pi * x / pi", 2), ("e ** 0 * x", 2),
    ("x−1", 1), ("3·x", 6), ("3×x", 6),  # pasted from slides: U+2212 minus, middle dot, times
])
def test_precedence_numbers_and_pasted_characters(text, value):
    assert gradtrace.trace(text, x=2).value == pytest.approx(value)


def test_binary_op_with_one_constant_is_one_gate_named_after_it():
    assert labels("x + 1") == ["+1"]
    assert labels("-x") == ["*-1"]
    assert labels("1/x") == ["1/x"]
    assert labels("x^2") == ["x^2"]
    assert labels("2**x") == ["2^x"]
    assert labels("x * 3") == ["*3"] and labels("3 * x") == ["*3"]
    assert labels("x - 1/2") == ["-1/2"]
    assert labels("max(0, x)") == ["max"]
    assert exprs("x - 1/2") == {"f": "x - 1/2"}
    assert exprs("x * (1/3)") == {"f": "x * (1/3)"}
    assert exprs("2 ** (x)") == {"f": "2 ** x"}
    assert exprs("x*x") == {"f": "x * x"}


def test_constants_are_folded_and_get_no_nodes():
    g = build("x * (2 + 3) + exp(0) - pi")
    assert [n.label for n in g.nodes] == ["x", "*2+3", "+exp(0)", "-pi"]
    assert gradtrace.trace("x * (2 + 3) + exp(0) - pi", x=1).value == pytest.approx(6 - 3.141592653589793)


def test_statements_names_comments_and_augmented_assignment():
    program = """
    # the lecture's circuit, one gate per line
    q = x + y
    f = q * z   # the output
    """
    assert exprs(program) == {"f": "q * z", "q": "x + y"}
    assert exprs("q = x + y; f = q * z") == {"f": "q * z", "q": "x + y"}
    # A name assigned twice: the last keeps it, earlier versions get suffixes.
    assert exprs("f = x * y; f += x; f *= 2") == {"f": "f_2 * 2", "f_2": "f_1 + x", "f_1": "x * y"}
    t = gradtrace.trace("a = x * y\nb = a + 1\na = 2 * x", output="b", x=2, y=3)
    assert t.output == "b" and t.value == 7
    # Newlines inside parentheses continue a statement.
    assert gradtrace.trace("f = (x +\n  y)", x=1, y=2).value == 3


def test_unnamed_nodes_are_numbered_in_topological_order_without_clashing():
    assert exprs("(x + y) * z") == {"f": "t1 * z", "t1": "x + y"}
    assert exprs("t1 = x * 2; f = t1 + exp(x) + 1") == {"f": "t3 + 1", "t3": "t1 + t2", "t2": "exp(x)",
                                                         "t1": "x * 2"}
    # The output is called f unless f is already taken.
    assert list(exprs("f + 1")) == ["out"]


def test_keyword_and_positional_parameters():
    assert exprs("leaky_relu(x, alpha=0.2)") == {"f": "leaky_relu(x, alpha=0.2)"}
    assert gradtrace.trace("leaky_relu(x, 0.2)", x=-1).gradients == {"x": 0.2}
    assert gradtrace.trace("elu(x)", x=-1).value == pytest.approx(-0.6321205588)


# Parse errors: the message, the offending line and a caret under the problem, exactly.
@pytest.mark.parametrize("text, expected", [
    ("(x+)*z", "parse error: expected a number, a name or '(' but found ')'\n  (x+)*z\n     ^"),
    ("x y", "parse error: expected an operator between 'x' and 'y'\n  x y\n    ^\nhint: write x*y to multiply "
            "(a number written right against a name or '(' multiplies it: 2x, 3(x+y))"),
    ("2 x", "parse error: expected an operator between '2' and 'x'\n  2 x\n    ^\nhint: write 2*x to multiply "
            "(a number written right against a name or '(' multiplies it: 2x, 3(x+y))"),
    ("(x+y", "parse error: this '(' is never closed\n  (x+y\n  ^\nhint: add the missing ')'"),
    ("x+y)", "parse error: unmatched ')'\n  x+y)\n     ^"),
    ("x*", "parse error: the expression ends too early: expected a number, a name or '(' after '*'\n  x*\n    ^"),
    ("x $ y", "parse error: unexpected character '$'\n  x $ y\n    ^\n"
              "hint: the operators are + - * / ** ^ @; functions are called as name(args)"),
    ("sigmod(x)", "parse error: unknown function 'sigmod'\n  sigmod(x)\n  ^^^^^^\nhint: did you mean sigmoid?"),
    ("exp(x, y)", "parse error: exp takes 1 argument(s), got 2\n  exp(x, y)\n  ^^^^^^^^^"),
    ("max(x)", "parse error: max needs at least two arguments\n  max(x)\n  ^^^^^^"),
    ("leaky_relu(x, alpha=y)", "parse error: leaky_relu's alpha must be a constant\n"
                               "  leaky_relu(x, alpha=y)\n                      ^\n"
                               "hint: write e.g. leaky_relu(x, alpha=0.1)"),
    ("x, y", "parse error: ',' outside a function call\n  x, y\n   ^\n"
             "hint: commas separate the arguments of a call such as max(x, y)"),
    ("q = x +\nf = q * z", "parse error: the expression ends too early: expected a number, a name or '(' "
                           "after '+'\n  line 1: q = x +\n                 ^"),
])
def test_parse_errors_point_at_the_problem(text, expected):
    with pytest.raises(ParseError) as err:
        build(text)
    assert err.value.format() == expected


def test_empty_and_blank_programs_are_parse_errors():
    for text in ("", "   ", "# only a comment", ";;"):
        with pytest.raises(ParseError, match="empty"):
            build(text)


def test_code_is_never_executed():
    for text in ("__import__('os').system('echo hi')", "().__class__", "lambda: 1", "x.__class__"):
        with pytest.raises(ParseError):
            build(text)


@pytest.mark.slow
def test_a_100000_term_sum_parses_and_traces():
    n = 100_000
    t = gradtrace.trace(" + ".join(f"x{i % 7}" for i in range(n)), **{f"x{k}": 1.0 for k in range(7)})
    assert t.value == n
    assert sum(t.gradients.values()) == n


def test_10000_nested_parentheses_parse_and_trace():
    depth = 10_000
    assert gradtrace.trace("(" * depth + "x" + ")" * depth, x=3).value == 3
    # Nesting that makes a 10,000-deep chain of gates: no recursion anywhere.
    chain = "(" * depth + "x" + " + 1)" * depth
    t = gradtrace.trace(chain, x=0)
    assert t.value == depth and t.gradients == {"x": 1}
    t = gradtrace.trace("-" * depth + "x", x=2)
    assert t.value == 2 and t.gradients == {"x": 1}
    t = gradtrace.trace("sin(" * 2000 + "x" + ")" * 2000, x=0.5)
    assert 0 < t.gradients["x"] < 1


TOKEN_TEXTS = [
    "x*2 + y²  .5 w.T √x", "x ^ 2 ⁻¹", "α₁ = 2πx", "  x  ", "", "\n\n", "f += x; q -= 1e-3*y\n",
    "max(x, y, alpha=0.2)", "3(x+y) − 2·x × z ÷ 4", "x⁻¹²+1.e5*.25e-2", "θ₀**2\t\r\f+ w_1",
    "q = x + y\nf = q * z\n  ", "x @ W.T", "ₓ + x", "e^x", "x,y", "x ;; y", "x # c * y\n+ z  # $ ! é",
]


@pytest.mark.parametrize("text, expected", [
    ("x*2 + y²", [("name", "x"), ("op", "*"), ("number", "2"), ("op", "+"), ("name", "y"), ("sup", "²")]),
    ("w.T ** -.5e+2", [("name", "w"), ("attr", ".T"), ("op", "**"), ("op", "-"), ("number", ".5e+2")]),
    ("α₁ = 2πx", [("assign", "α₁"), ("op", "="), ("number", "2"), ("name", "π"), ("name", "x")]),
    ("f += x÷2 − y", [("augment", "f"), ("op", "+="), ("name", "x"), ("op", "/"), ("number", "2"), ("op", "-"),
                       ("name", "y")]),
    ("x # a comment: y $ !\n√z", [("name", "x"), ("op", "\n"), ("op", "√"), ("name", "z")]),
    ("max(a,b)\t;", [("call", "max"), ("op", "("), ("name", "a"), ("op", ","), ("name", "b"), ("op", ")"),
                     ("op", ";")]),
])
def test_tokens_and_their_kinds(text, expected):
    """A name's kind says what follows it: a call's '(', an assignment's '=' or an augmented one."""
    from gradtrace.core.syntax import tokenize

    tokens = list(tokenize(text))
    assert [(kind, token) for kind, token, _start, _end in tokens[:-1]] == expected
    assert tokens[-1] == ("end", "", len(text), len(text))


def _check_tokens(text):
    """Each token's span holds its text (− and ÷ read as - and /), in order, with nothing but
    spaces and comments between them."""
    from gradtrace.core import syntax

    pasted = text.translate(syntax.PASTED)
    at = 0
    tokens = list(syntax.tokenize(text))
    for kind, token, start, end in tokens[:-1]:
        assert kind in syntax.KINDS and token and pasted[start:end] == token
        gap = text[at:start]
        assert "#" in gap or not gap.strip(" \t\r\f"), (text, gap)
        at = end
    assert tokens[-1] == ("end", "", len(text), len(text))
    return tokens


@pytest.mark.parametrize("text", TOKEN_TEXTS)
def test_every_token_is_the_text_it_spans(text):
    _check_tokens(text)


def test_random_texts_split_into_the_tokens_they_spell():
    """Texts made of token pieces, comments and spaces: every token is the text of its span, and
    a character no token starts with is the one pointed at."""
    from hypothesis import given
    from hypothesis import strategies as st

    pieces = st.sampled_from(["x", "y1", "_a", "relu", "(", ")", ",", "+", "-", "*", "**", "/", "^", "@", "=",
                              "+=", "-=", ";", "\n", " ", "\t", "2", "0.5", ".5", "1e-3", "1.e5", ".T", ".",
                              "e", "pi", "$", "# c $\n", "x²", "⁻¹", "α", "θ₂", "π", "−", "÷", "·", "√", "é"])

    @given(st.lists(pieces, max_size=30).map("".join))
    def check(text):
        try:
            _check_tokens(text)
        except ParseError as err:
            a, b = err.span
            assert b == a + 1 and text[a] in "$.", (text, err.span)
            assert "#" not in text or text.index("#") > a or "\n" in text[text.index("#"):a]

    check()


@pytest.mark.parametrize("text, at", [("x $ y", 2), ("$x", 0), ("x$", 1), ("x ! 2", 2), ("x # $\n$", 6),
                                      ("x +" + " " * 5000 + "?", 5003)])
def test_a_character_no_token_starts_with_is_pointed_at(text, at):
    from gradtrace.core import syntax

    with pytest.raises(ParseError) as caught:
        list(syntax.tokenize(text))
    assert caught.value.span == (at, at + 1)


@pytest.mark.parametrize("spelling", [
    lambda text: text, lambda text: text + "  # a comment", lambda text: "# a comment\n" + text,
    lambda text: text.replace("-", "−"), lambda text: text + "\n" * 70_000,
], ids=["plain", "a comment after", "a comment before", "pasted", "long"])
@pytest.mark.parametrize("text, error", [
    ("x y $", "unexpected character '$'"), ("relu(x, alpha=y) - ?", "unexpected character '?'"),
    ("rleu(x) - 2 ! 3", "unexpected character '!'"), ("(x - 1\ny = x.", "unexpected character '.'"),
    ("x y - 1", "expected an operator between 'x' and 'y'"),
])
def test_a_character_no_token_starts_with_is_the_error_reported_first(text, error, spelling):
    """Wherever it is, and whatever comes before it, in every spelling of the program."""
    text = spelling(text)
    with pytest.raises(ParseError) as caught:
        build(text)
    assert caught.value.message == error
    if "character" in error:
        at = caught.value.span[0]
        assert caught.value.span == (at, at + 1) and text[at] == error[-2]


class _Log:
    """A builder that writes down every call, its values being the calls' numbers."""

    def __init__(self):
        self.calls = []

    def _value(self, *call):
        self.calls.append(call)
        return len(self.calls)

    def number(self, text, value, span):
        return self._value("number", text, value, span)

    def name(self, text, span):
        return self._value("name", text, span)

    def binary(self, op, left, right, span, op_span):
        return self._value("binary", op, left, right, span, op_span)

    def unary(self, op, operand, span):
        return self._value("unary", op, operand, span)

    def call(self, func, args, arg_spans, keywords, span, func_span):
        return self._value("call", func, list(args), list(arg_spans), list(keywords), span, func_span)

    def index(self, operand, items, span):
        return self._value("index", operand, [list(item) for item in items], span)

    def sequence(self, items, item_spans, span):
        return self._value("sequence", list(items), list(item_spans), span)

    def statement(self, target, target_span, value, span):
        self._value("statement", target, target_span, value, span)

    def declare(self, target, variables):
        self._value("declare", target, list(variables))


def _read(text):
    """What parse_program makes of text: every builder call and the count, or the error."""
    from gradtrace.core import syntax

    log = _Log()
    try:
        count = syntax.parse_program(text, log)
    except ParseError as err:
        return ("error", err.message, err.span, err.hint)
    return count, log.calls


def test_the_builder_hears_each_piece_with_its_span():
    assert _read("f(x, y) = leaky_relu(x*y, alpha=0.2)\ng = -f²") == (2, [
        ("declare", "f", [("x", (2, 3)), ("y", (5, 6))]),
        ("name", "x", (21, 22)), ("name", "y", (23, 24)), ("binary", "*", 2, 3, (21, 24), (22, 23)),
        ("number", "0.2", 0.2, (32, 35)),
        ("call", "leaky_relu", [4], [(21, 24)], [("alpha", 5, (32, 35))], (10, 36), (10, 20)),
        ("statement", "f", (0, 1), 6, (0, 36)),
        ("name", "f", (42, 43)), ("number", "2", 2.0, (43, 44)), ("binary", "**", 8, 9, (42, 44), (43, 44)),
        ("unary", "-", 10, (41, 44)), ("statement", "g", (37, 38), 11, (37, 44)),
    ])
    # A call that looks like a header until its end is a call; an augmented assignment reads its target.
    assert _read("max(x, y) + 1; h += 2")[1] == [
        ("name", "x", (4, 5)), ("name", "y", (7, 8)), ("call", "max", [1, 2], [(4, 5), (7, 8)], [], (0, 9), (0, 3)),
        ("number", "1", 1.0, (12, 13)), ("binary", "+", 3, 4, (0, 13), (10, 11)), ("statement", None, None, 5, (0, 13)),
        ("name", "h", (15, 16)), ("number", "2", 2.0, (20, 21)), ("binary", "+", 7, 8, (15, 21), (15, 16)),
        ("statement", "h", (15, 16), 9, (15, 21)),
    ]


def test_a_subscript_and_a_tuple_reach_the_builder_with_their_parts_and_spans():
    """x[1:, ::-2, 0] hands over per item its parts between the colons (None where left out), each
    with its span; (2, 3) and (6,) hand over their items; a subscript binds to the operand before it."""
    assert _read("x[1:, ::-2, 0] + reshape(y, (2, -3))[0,]") == (1, [
        ("name", "x", (0, 1)), ("number", "1", 1.0, (2, 3)), ("number", "2", 2.0, (9, 10)),
        ("unary", "-", 3, (8, 10)), ("number", "0", 0.0, (12, 13)),
        ("index", 1, [[(2, (2, 3)), None], [None, None, (4, (8, 10))], [(5, (12, 13))]], (0, 14)),
        ("name", "y", (25, 26)), ("number", "2", 2.0, (29, 30)), ("number", "3", 3.0, (33, 34)),
        ("unary", "-", 9, (32, 34)), ("sequence", [8, 10], [(29, 30), (32, 34)], (28, 35)),
        ("call", "reshape", [7, 11], [(25, 26), (28, 35)], [], (17, 36), (17, 24)),
        ("number", "0", 0.0, (37, 38)), ("index", 12, [[(13, (37, 38))]], (17, 40)),
        ("binary", "+", 6, 14, (0, 40), (15, 16)), ("statement", None, None, 15, (0, 40)),
    ])
    assert _read("(6,)")[1][:2] == [("number", "6", 6.0, (1, 2)), ("sequence", [1], [(1, 2)], (0, 4))]
    assert _read("-x[0]**2")[1][:6] == [
        ("name", "x", (1, 2)), ("number", "0", 0.0, (3, 4)), ("index", 1, [[(2, (3, 4))]], (1, 5)),
        ("number", "2", 2.0, (7, 8)), ("binary", "**", 3, 4, (1, 8), (5, 7)), ("unary", "-", 5, (0, 8))]


@pytest.mark.parametrize("text, error", [
    ("x[1:2:3:4]", "a slice has at most three parts, start:stop:step"), ("x[]", "the brackets are empty"),
    ("x[,]", "expected an index before ','"), ("x[0", "this '[' is never closed"), ("x]", "unmatched ']'"),
    ("f(x]", "unmatched ']'"), ("x[0)", "unmatched ')'"), ("a:b", "':' outside a subscript"),
    ("(1:2)", "':' outside a subscript"), ("x[1+]", "expected a number, a name or '(' but found ']'"),
    ("x[-:]", "expected a number, a name or '(' but found ':'"), ("[0]", "expected a number, a name or '(' but "
                                                                        "found '['"),
])
def test_a_broken_subscript_is_a_parse_error(text, error):
    assert _read(text)[:2] == ("error", error)


# ---- one path: the same program read the same way whatever its spelling ------------------------

def _shape(draw, st, depth=0):
    """A random expression as text, from hypothesis' draw."""
    pick = draw(st.integers(0, 99))
    if depth > 3 or pick < 30:
        return draw(st.sampled_from(["x", "y", "w1", "h_2", "b", "e", "pi", "t1", "2", "0.5", ".5", "1e-3", "3."]))
    inner = _shape(draw, st, depth + 1)
    if pick < 55:
        op = draw(st.sampled_from(["+", "-", "*", "/", "**", "^"]))
        return f"{inner} {op} {_shape(draw, st, depth + 1)}"
    if pick < 62:
        return f"-{inner}"
    if pick < 70:
        return f"({inner})"
    if pick < 78:
        return f"{inner}**2"
    if pick < 88:
        return f"{draw(st.sampled_from(['relu', 'exp', 'sigmoid', 'tanh', 'rleu']))}({inner})"
    if pick < 91:
        return f"max({inner}, {_shape(draw, st, depth + 1)})"
    if pick < 96:  # a subscript, spaced and split over lines as a long one may be
        index = draw(st.sampled_from(["0", "-1", "1:", "::2", ":, 1", "0, 2", " 1 : -1 ", "\n0,\n:", "2-1"]))
        return f"({inner})[{index}]"
    return f"leaky_relu({inner}, alpha=0.1)"


def _programs():
    """Random programs: statements of random expressions, assigned, augmented or bare, on lines or
    after ';', now and then with a header or a broken statement."""
    from hypothesis import strategies as st

    @st.composite
    def program(draw):
        lines = ["f(x, y) = x"] if draw(st.booleans()) and draw(st.booleans()) else []
        for _ in range(draw(st.integers(1, 6))):
            body = _shape(draw, st)
            if draw(st.integers(0, 30)) == 0:
                body += draw(st.sampled_from([" 2", " x", "+", " (", ")", "$", " = 1"]))
            kind = draw(st.integers(0, 9))
            lines.append(body if kind < 3 else f"h{draw(st.integers(1, 3))} {'+=' if kind < 4 else '='} {body}")
        return "\n".join(lines)

    return program()


def _commented(text, width=12):
    """text with each line padded to a comment's width with spaces (a), and with a comment (b) in
    the same place: the tokens of both stand at the same positions."""
    lines = text.split("\n")
    spaces = "\n".join(line + " " * width for line in lines)
    comments = "\n".join(line + "  # σ·x²−$" + "." * (width - 10) for line in lines)
    return spaces, comments


def test_a_comment_is_read_as_the_spaces_it_stands_for():
    """A program with a comment at the end of each line makes the builder calls, with the same
    spans, or raises the same error, as the program with as many spaces there."""
    from hypothesis import given

    @given(_programs())
    def check(text):
        spaces, comments = _commented(text)
        assert _read(comments) == _read(spaces)

    check()


def test_a_pasted_minus_or_division_is_read_as_the_ascii_one():
    """− and ÷ pasted from slides: the same builder calls and spans, or the same error, as - and /."""
    from hypothesis import given

    @given(_programs())
    def check(text):
        assert _read(text.replace("-", "−").replace("/", "÷")) == _read(text)

    check()


def _graph(text):
    """The graph of text as what it computes, node by node (no spans), or its error's message."""
    from gradtrace.core.errors import GradtraceError

    try:
        g = build(text)
    except GradtraceError as err:
        return ("error", err.message)
    return [(n.name, n.op and n.op.name, n.inputs, n.params, n.expr) for n in g.nodes]


def test_a_superscript_builds_the_power_it_stands_for():
    """x², x⁻¹ and x³ build the graph x**2, x**-1 and x**3 build."""
    from hypothesis import given
    from hypothesis import strategies as st

    @given(_programs(), st.sampled_from([("**2", "²"), ("**3", "³"), ("**2", "⁺²")]))
    def check(text, power):
        ascii_power, superscript = power
        text = text.replace("**2", ascii_power)
        assert _graph(text.replace(ascii_power, superscript)) == _graph(text)

    check()
    assert [node[:4] for node in _graph("x⁻¹ + y")] == [node[:4] for node in _graph("x**-1 + y")]


def test_a_long_program_is_read_as_a_short_one():
    """Padding a program past any length (blank lines, spaces) changes nothing it builds."""
    from hypothesis import given

    @given(_programs())
    def check(text):
        assert _read(text + "\n" * 5000) == _read(text)
        assert _read(" " * 5000 + text.replace("\n", "\n" + " " * 3000)) == \
            _read(" " * 5000 + text.replace("\n", "\n" + " " * 3000))
        assert _graph(text + "\n" * 5000 + "\n# the end") == _graph(text)

    check()


def _work(text):
    """The calls, Python and built-in, that parsing text into a graph makes."""
    import sys

    from gradtrace.core.graph import _Lowering
    from gradtrace.core.syntax import parse_program

    builder = _Lowering(text)
    counts = {"call": 0, "c_call": 0}

    def profile(frame, event, arg):
        if event in counts:
            counts[event] += 1

    sys.setprofile(profile)
    try:
        parse_program(text, builder)
    finally:
        sys.setprofile(None)
    return counts["call"] + counts["c_call"]


SPELLINGS = {
    "plain": lambda text: text,
    "spaced": lambda text: text.replace("*", " * ").replace(" *  * ", " ** "),
    "a comment": lambda text: "# a comment\n" + text,
    "a comment on each line": lambda text: text.replace("\n", "  # σ\n") + "  # the end",
    "pasted": lambda text: text.replace("-", "−").replace("/", "÷"),
    "superscripts": lambda text: text.replace("**2", "²"),
}
FAMILIES = {
    "chain": lambda n: "h0 = x\n" + "\n".join(f"h{i} = relu(w*h{i - 1} - b/2)**2" for i in range(1, n)),
    "sum": lambda n: " + ".join(f"x{i % 10}*y**2 - x{i}/2" for i in range(n)),
    "nesting": lambda n: "relu(" * n + "x" + " * w**2 - b)" * n,
}


@pytest.mark.slow
@pytest.mark.parametrize("family", list(FAMILIES))
def test_the_same_graph_costs_the_same_whatever_its_spelling(family):
    """Counted, not timed: reading a program into a graph makes as many calls in any spelling of
    it (comments, pasted characters, superscripts) as in the plain one, give or take the few the
    spelling itself costs, and a program of 10 times the size makes 10 times the calls (one under
    4,096 characters and one far over). A path that some spellings or lengths switch on would show."""
    small, large = FAMILIES[family](100), FAMILIES[family](1000)
    assert len(small) < 4096 < len(large)
    costs = {name: _work(spell(large)) for name, spell in SPELLINGS.items()}
    plain = costs["plain"]
    assert all(0.9 * plain <= cost <= 1.02 * plain + 20 for cost in costs.values()), costs
    assert 0.9 * plain <= 10 * _work(small) <= 1.1 * plain
