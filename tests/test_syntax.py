"""The language: tokens, precedence, programs, pasted characters and parse errors."""

import pytest

import gradtrace
from gradtrace.core.errors import EvaluationError, ParseError
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
    "q = x + y\nf = q * z\n  ", "x @ W.T", "ₓ + x", "e^x", "x,y", "x ;; y",
]


@pytest.mark.parametrize("text", TOKEN_TEXTS)
def test_the_bulk_tokenizer_reads_what_the_scanner_reads(text):
    """tokenize's one-findall path and its match-by-match path give the same tokens."""
    from gradtrace.core import syntax

    pasted = text.translate(syntax.PASTED)
    assert list(syntax.tokenize(text)) == list(syntax._scan(text, pasted))


@pytest.mark.parametrize("text, at", [("x $ y", 2), ("$x", 0), ("x$", 1), ("x ! 2", 2), ("x # $\n$", 6)])
def test_a_character_no_token_starts_with_is_pointed_at_by_either_path(text, at):
    from gradtrace.core import syntax

    with pytest.raises(ParseError) as caught:
        list(syntax.tokenize(text))
    assert caught.value.span == (at, at + 1)


@pytest.mark.parametrize("chunk", [1, 2, 5, 16])
def test_the_bulk_tokenizer_cuts_blocks_only_where_tokens_end(monkeypatch, chunk):
    """Blocks as small as one character: every cut falls between tokens (spaces, parentheses,
    commas, line breaks), or the rest is one block, and the tokens are those of the scanner."""
    from gradtrace.core import syntax

    monkeypatch.setattr(syntax, "CHUNK", chunk)
    for text in [*TOKEN_TEXTS, "relu(relu(relu(x)))", "x0*y+x1*y+x22*y", "h1 = relu(w*h0 + b)\nh2 = relu(w*h1 + b)",
                 "max(x,y,0.5)+min(x,  2,y)", "1e-5*xyz**2.5e+3"]:
        pasted = text.translate(syntax.PASTED)
        assert list(syntax.tokenize(text)) == list(syntax._scan(text, pasted)), text


def test_ascii_programs_get_the_same_tokens_from_the_ascii_pattern():
    """An ASCII program is split by a pattern without the Unicode alternatives: on 3,000 random
    ASCII texts made of token pieces, tokenize gives the scanner's tokens (or the same error)."""
    import random

    from gradtrace.core import syntax

    pieces = ["x", "y1", "_a", "relu", "(", ")", ",", "+", "-", "*", "**", "/", "^", "@", "=", "+=", "-=", ";",
              "\n", " ", "\t", "2", "0.5", ".5", "1e-3", "1.e5", "3x", ".T", ".", "e", "pi", "$", "#"]
    assert syntax._bulk_pattern(True) is not syntax._bulk_pattern(False)
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))).replace("#", "")
        outcomes = []
        for read, args in ((syntax.tokenize, (text,)), (syntax._scan, (text, text))):
            try:
                outcomes.append(list(read(*args)))
            except ParseError as err:
                outcomes.append(err.span)
        assert outcomes[0] == outcomes[1], text


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

    def nest(self, calls, operand, span):  # written down as the calls it stands for
        for func, call_span, func_span in calls:
            operand, span = self.call(func, [operand], [span], [], call_span, func_span), call_span
        return operand

    def statement(self, target, target_span, value, span):
        self._value("statement", target, target_span, value, span)

    def declare(self, target, variables):
        self._value("declare", target, list(variables))


def _read(text, templates):
    """What parse_program makes of text: every builder call and the count, or the error."""
    from gradtrace.core import syntax

    log = _Log()
    try:
        count = syntax.parse_program(text, log, templates=templates)
    except ParseError as err:
        return ("error", err.message, err.span, err.hint)
    return count, log.calls


def _shape(rng, depth=0):
    """A random expression as a list of token makers: names and numbers are drawn anew each time
    it is written, so one shape gives many statements."""
    pick = rng.random()
    if depth > 3 or pick < 0.3:
        return [rng.choice(["N", "N", "N", "0"])]
    if pick < 0.55:
        return _shape(rng, depth + 1) + [rng.choice(["+", "-", "*", "/", "**", "^"])] + _shape(rng, depth + 1)
    if pick < 0.65:
        return ["-"] + _shape(rng, depth + 1)
    if pick < 0.75:
        return ["("] + rng.choice([[], ["\n"]]) + _shape(rng, depth + 1) + [")"]
    if pick < 0.85:
        return [rng.choice(["relu", "exp", "sigmoid", "tanh", "rleu"]), "("] + _shape(rng, depth + 1) + [")"]
    if pick < 0.92:
        return ["max", "("] + _shape(rng, depth + 1) + [","] + _shape(rng, depth + 1) + [")"]
    return ["leaky_relu", "("] + _shape(rng, depth + 1) + [",", "alpha", "=", "0", ")"]


def _write(rng, shape):
    spaces = ["", "", " ", "  ", "\t"]
    out = []
    for piece in shape:
        if piece == "N":
            piece = rng.choice(["x", "y", "w1", "h_2", "b", "e", "pi", "t1", "alpha"])
        elif piece == "0":
            piece = rng.choice(["2", "0.5", ".5", "1e-3", "3.", "10", "1e999"] if rng.random() < 0.05 else
                               ["2", "0.5", ".5", "1e-3", "3.", "10"])
        out.append(rng.choice(spaces) + piece)
    return "".join(out)


def test_statement_templates_make_the_calls_reading_token_by_token_makes():
    """parse_program with templates (a repeated statement shape read by one regex match) and
    without make the same builder calls, with the same spans, or raise the same error: 1,500
    random programs of a few shapes, each written many times with other names, numbers and
    spacing, with assignments, +=, headers, calls, keywords, line breaks in parentheses and
    errors (an unknown function, a number too large, a missing operand, 2x against 2 x)."""
    import random

    rng = random.Random(11)
    replayed = 0
    for _ in range(1500):
        shapes = [_shape(rng) for _ in range(rng.randint(1, 3))]
        statements = []
        if rng.random() < 0.1:
            statements.append("f(x, y) = x")
        for _ in range(rng.randint(1, 12)):
            shape = rng.choice(shapes)
            kind = rng.random()
            body = _write(rng, shape)
            if rng.random() < 0.03:
                body += rng.choice([" 2", " x", "x", "+", "2x", " (", ")"])  # a broken statement
            statements.append(body if kind < 0.3 else f"h{rng.randint(1, 3)} {'+=' if kind < 0.4 else '='} {body}")
        text = "".join(s + rng.choice(["\n", "\n", ";", " ;\n", "\n\n", "\r\n"]) for s in statements)
        if rng.random() < 0.5:
            text = text.rstrip("\n;")
        usual, templated = _read(text, False), _read(text, True)
        assert usual == templated, text
        replayed += usual[0] != "error"
    assert replayed > 1000


def test_term_templates_make_the_calls_reading_token_by_token_makes():
    """Sums of terms of a few shapes, with + and -, unary minus, terms that go on (a*b*c after
    a*b), sums inside parentheses and calls, line breaks inside parentheses, numbers too large,
    broken terms: 600 random programs, read with templates and without, make the same calls."""
    import random

    rng = random.Random(5)
    for _ in range(600):
        shapes = [_shape(rng, 2) for _ in range(rng.randint(1, 4))]
        statements = []
        for _ in range(rng.randint(1, 4)):
            terms = [_write(rng, rng.choice(shapes)) for _ in range(rng.randint(1, 40))]
            if rng.random() < 0.1:  # a broken term, often the last (after a run of matched ones)
                broken = rng.choice([len(terms) - 1, rng.randrange(len(terms))])
                terms[broken] += rng.choice(["*z", " x", "**2", "(", "+", "+=", " -", " + 1e999"])
            body = "".join(t + rng.choice([" + ", " - ", "+", "-", " +  -", "+\t"]) for t in terms[:-1]) + terms[-1]
            if rng.random() < 0.2:
                body = rng.choice(["(", "relu(", "max(1, "]) + body + ")" + rng.choice(["", " + y", "*2"])
            statements.append(body if rng.random() < 0.5 else f"h{rng.randint(1, 3)} = {body}")
        text = rng.choice(["\n", ";", "\n\n"]).join(statements)
        assert _read(text, False) == _read(text, True), text


def _count_replays(monkeypatch, what):
    """A list that gets what(template, match) each time a _Template replays a match."""
    from gradtrace.core import syntax

    replays = []
    init = syntax._Template.__init__

    def counting(self, *args):
        init(self, *args)
        replay = self.replay
        self.replay = lambda builder, m: replays.append(what(self, m)) or replay(builder, m)

    monkeypatch.setattr(syntax._Template, "__init__", counting)
    return replays


def test_repeated_statements_are_read_by_their_template(monkeypatch):
    """The second statement of a shape makes its template; the rest are matched whole."""

    replays = _count_replays(monkeypatch, lambda template, m: m.group(0))
    text = "h0 = x\n" + "\n".join(f"h{i} = relu(w*h{i - 1} + b)" for i in range(1, 51))
    assert _read(text, True) == _read(text, False)
    assert len(replays) == 48 and replays[0] == "h3 = relu(w*h2 + b)\n"


@pytest.mark.parametrize("last, message, at", [
    ("h4 = rleu(w*h3 + b)", "unknown function 'rleu'", "rleu"),
    ("h4 = relu(w*h3 + 1e999)", "the number 1e999 is too large", "1e999"),
    ("h4 = relu(w*h3 + b) x", "expected an operator between ')' and 'x'", "x"),
])
def test_a_statement_a_template_would_match_still_gets_its_own_error(last, message, at):
    """Read into a graph, where an unknown function is the builder's error, not the parser's."""
    from gradtrace.core import syntax
    from gradtrace.core.graph import _Lowering

    text = "h1 = relu(w*h0 + 1.5)\nh2 = relu(w*h1 + 2.5)\nh3 = relu(w*h2 + 3.5)\n" + last
    errors = []
    for templates in (True, False):
        with pytest.raises(ParseError) as caught:
            syntax.parse_program(text, _Lowering(text), templates=templates)
        errors.append((caught.value.message, caught.value.span, caught.value.hint))
    start = text.rindex(at)
    assert errors[0] == errors[1] and message in errors[0][0] and errors[0][1] == (start, start + len(at))


@pytest.mark.parametrize("end", [" +\nz = 1", " + (", " -= 2", ")", " + 2 x", " + x y", " +", " + 1e999"])
def test_a_sum_read_by_term_templates_ends_in_the_errors_of_the_usual_reading(end):
    """Terms matched by templates up to a broken end: the same message, span and hint either way."""
    text = "y = " + " + ".join(f"x{i}*y" for i in range(8)) + end
    result = _read(text, True)
    assert result[0] == "error" and result == _read(text, False)


def test_a_large_program_is_read_by_templates_and_traced_the_same(monkeypatch):
    """Through gradtrace.trace, a program of TEMPLATES characters or more is read by templates
    (statements and the terms of a sum), and its trace is the one reading token by token gives."""
    import gradtrace
    from gradtrace.core import syntax

    program = "h0 = x\n" + "\n".join(f"h{i} = relu(w*h{i - 1} + b)" for i in range(1, 150)) + "\n" + \
        "f = " + " + ".join(f"h{i}*w" for i in range(1, 150))
    assert len(program) >= syntax.TEMPLATES
    bindings = {"x": 0.5, "w": 1.01, "b": 0.1}
    replays = _count_replays(monkeypatch, lambda template, m: template.term)
    templated = gradtrace.trace(program, **bindings).to_dict()
    assert replays.count(False) > 140 and replays.count(True) > 140
    monkeypatch.setattr(syntax, "TEMPLATES", len(program) + 1)
    assert gradtrace.trace(program, **bindings).to_dict() == templated


def _nesting(rng, depth):
    """A deep nesting as text: runs of calls and parentheses opened one inside the other, with now
    and then a space, a line break, a second argument, a keyword, an operator or a broken piece
    between them, so that runs start and stop anywhere."""
    if depth == 0:
        return rng.choice(["x", "2", "x*y", "max(x, y)", "leaky_relu(x, alpha=0.1)", "-x", "", "x y", "1e999"])
    inner = _nesting(rng, depth - 1)
    pick = rng.random()
    if pick < 0.6:
        # with aliases (ln, swish), a default parameter (leaky_relu), and a two-input function given one
        return rng.choice(["relu", "exp", "tanh", "sigmoid", "", "", "rleu", "ln", "swish", "leaky_relu",
                           "pow"]) + "(" + inner + ")"
    if pick < 0.68:
        return rng.choice(["relu (", "relu( ", "(\n", "max(1, ", "leaky_relu(", "2(", "x("]) + inner + \
            rng.choice([")", " )", ")", ", alpha=0.2)"])
    if pick < 0.76:
        return rng.choice(["2*", "-", "x + ", "e", ""]) + "relu(" + inner + ")" + rng.choice(["", "*2", "+1", ".T"])
    if pick < 0.8:
        return "relu(" + inner + rng.choice(["", "))", ",", ")("])  # unclosed, or too many
    return "relu(" + inner + ")"


@pytest.mark.parametrize("nest", [3, 1 << 10])
def test_runs_of_opening_and_closing_parentheses_make_the_calls_reading_token_by_token_makes(monkeypatch, nest):
    """A deep nesting, relu(exp(relu(...))), is read a run of '(' and a run of ')' at a time
    (_TemplateReader.open and close, which hands the calls to Builder.nest `nest` at a time): 400
    random nestings, up to 60 deep, in statements and sums, read that way and token by token, make
    the same builder calls with the same spans, or raise the same error."""
    import random

    from gradtrace.core import syntax

    monkeypatch.setattr(syntax, "NEST", nest)

    rng = random.Random(3)
    read_at_once = 0
    for _ in range(400):
        body = _nesting(rng, rng.randint(1, 60))
        text = rng.choice(["{}", "f = {}", "y = {} + x*y", "h = x\nf = 2*{}\ng = f + h", "{}\n{}"]).format(body, body)
        usual, at_once = _read(text, False), _read(text, True)
        assert usual == at_once, text
        read_at_once += "((((" in body.replace("relu", "").replace("exp", "")
    assert read_at_once > 100


def test_a_whole_nesting_read_at_once_makes_the_calls_reading_token_by_token_makes(monkeypatch):
    """relu(exp((relu(x)))): a run of '(' with a name and as many ')' after it is read whole by
    _TemplateReader.open. 600 of them, with groups, spaces, constants and reserved names inside,
    too few or too many ')', and more after them, read that way and token by token, make the
    same builder calls with the same spans, or raise the same error."""
    import random

    from gradtrace.core import syntax

    whole = []
    inside_out = syntax._inside_out
    monkeypatch.setattr(syntax, "_inside_out", lambda *a: whole.append(a) or inside_out(*a))
    monkeypatch.setattr(syntax, "NEST", 5)
    rng = random.Random(8)
    for _ in range(600):
        depth = rng.randint(4, 30)
        opening = "".join(rng.choice(["relu(", "relu(", "(", "exp(", "ln(", "swish(", "rleu(", "leaky_relu(", "pow("])
                          for _ in range(depth))
        inner = rng.choice(["x", "x", " x", "x ", "\tx ", "pi", "e", "nan", "alpha", "x.T", "x1", "_a", "x y"])
        closing = ")" * max(0, depth + rng.choice([0, 0, 0, -1, 1, 2]))
        body = opening + inner + closing + rng.choice(["", "", "+1", "*y", " y", ", 2)", ")", "(x)"])
        text = rng.choice(["{}", "f = {}", "y = x*y + {}", "h = x\nf = 2*{}"]).format(body)
        assert _read(text, False) == _read(text, True), text
    assert len(whole) > 300


def test_a_run_of_calls_closed_at_once_makes_the_nodes_one_call_at_a_time_makes(monkeypatch):
    """The graph's Builder.nest, which makes the nodes of a run of one-argument calls in one go,
    against its call() for each: 300 random nestings built both ways, node by node (op, inputs,
    parameters, spans, spelling), or the same error."""
    import random

    from gradtrace.core import graph, syntax

    def nodes(text):
        try:
            g = graph.build(text)
        except (ParseError, EvaluationError) as err:
            return ("error", err.message, err.span)
        return [(n.name, n.op and n.op.name, n.inputs, n.params, n.span, n.spelling) for n in g.nodes]

    def nesting(depth):  # mostly well formed, now and then an unknown or a two-input function
        names = ["relu", "exp", "tanh", "sigmoid", "", "ln", "swish", "leaky_relu", "abs", "sin", "2*relu", "exp"]
        if rng.random() < 0.1:
            names[rng.randrange(len(names))] = rng.choice(["rleu", "pow", "max"])
        inner = rng.choice(["x", "2", "x*y", "-x", "max(x, y)"])
        for _ in range(depth):
            inner = rng.choice(names) + "(" + inner + ")"
        return inner

    rng = random.Random(5)
    texts = [rng.choice(["{}", "f = {} + x", "{} * y"]).format(nesting(rng.randint(4, 40))) for _ in range(300)]
    monkeypatch.setattr(syntax, "TEMPLATES", 0)  # read with runs of parentheses
    monkeypatch.setattr(syntax, "NEST", 3)  # handed to nest three calls at a time
    at_once = [nodes(text) for text in texts]
    monkeypatch.setattr(graph._Lowering, "nest", syntax._Recorder.nest)  # call() for each
    assert [nodes(text) for text in texts] == at_once
    assert 200 < sum(isinstance(n, list) for n in at_once) < 300


@pytest.mark.parametrize("inner, whole", [("x", True), ("x*y", False), ("x ", True), ("-x", False)])
def test_a_deep_nesting_is_read_a_run_at_a_time_and_traced_the_same(monkeypatch, inner, whole):
    """Through gradtrace.trace: 3,000 calls deep, its runs of '(' and ')' read at once (all of it
    by _TemplateReader.open when a name is inside, else the ')' by close), and the trace the
    token-by-token reading gives."""
    import gradtrace
    from gradtrace.core import syntax

    program = "f = " + "".join(["relu(", "tanh(", "(", "sigmoid("][i % 4] for i in range(3000)) + inner + ")" * 3000
    assert len(program) >= syntax.TEMPLATES
    runs = []
    for name in ("_inside_out", "_closed_frames"):
        read = getattr(syntax, name)
        monkeypatch.setattr(syntax, name, lambda *a, read=read, name=name: runs.append(name) or read(*a))
    bindings = {"x": 0.5, "y": 1} if "y" in inner else {"x": 0.5}
    at_once = gradtrace.trace(program, **bindings).to_dict()
    assert runs == (["_inside_out"] if whole else ["_closed_frames"])
    assert len(at_once["nodes"]) == 2250 + len(bindings) + (inner != "x" and inner != "x ")
    monkeypatch.setattr(syntax, "TEMPLATES", len(program) + 1)
    assert gradtrace.trace(program, **bindings).to_dict() == at_once


def test_an_operator_between_two_names_is_replayed_without_its_steps():
    """_binary_of_names makes the builder calls the generic _Template._replay makes, for the terms
    and statements of that shape, and is not used for any other shape."""
    from gradtrace.core import syntax

    cases = [("x3 * y", True, True), ("h = w*x", False, True), ("h=w*x\n", False, True), ("x3/y7", True, True),
             ("x3 * 2", True, False), ("relu(x)", True, False), ("h = -x", False, False), ("x + y*z", True, False)]
    for text, term, fast in cases:
        tokens = syntax._bulk(text, text, (0, len(text.rstrip())), syntax._bulk_pattern(True))
        steps = syntax._Recorder.record(text, tokens)
        template = syntax._Template(tokens, steps, term)
        assert (template.replay != template._replay) == fast, text
        m = template.match(text, 0)
        fast_log, slow_log = _Log(), _Log()
        assert template.replay(fast_log, m) == template._replay(slow_log, m)
        assert fast_log.calls == slow_log.calls, text
