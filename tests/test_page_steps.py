"""The --html page follows its steps, and its self-test reads answers as the command line does.

In a real browser (headless Chromium, tests/browser.py), at every step of every page here:
the picture shows the values and gradients the walk has reached and no others, the explanation
shows the steps told so far and no later one, and the current gate is on the screen, at a
phone's width and at a desktop's. In the self-test, the output's starting gradient of 1 stays
shown, feedback never moves anything on the page, an answer typed in the table fills the
circuit's box for the same gradient (and back), and the page's reader gives the verdicts of
answers.py on one table of (answer, true value, verdict) and on generated spellings."""

from __future__ import annotations

import inspect
import json
import math

import needs
import pytest
import test_answers
from conftest import SIGMOID
from hypothesis import given
from hypothesis import strategies as st

import gradtrace
from gradtrace import i18n
from gradtrace.core.errors import GradtraceError
from gradtrace.modes.answers import read_answer, with_float_noise
from gradtrace.render import html
from gradtrace.render.text import wires

pytestmark = pytest.mark.slow  # drives the page in Chromium

SIGMOID_AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
# The sigmoid neuron, a value used three times (copy gates), and a chain of one-input gates.
PAGES = {
    "sigmoid": (SIGMOID, SIGMOID_AT, "en"),
    "copies": ("q = x*y; f = q + q*x", dict(x=2, y=3), "en"),
    "chain": ("tanh(exp(relu(x)))", dict(x=0.5), "en"),
    "korean": (SIGMOID, SIGMOID_AT, "ko"),
}


def _browser(**kwargs):
    chromium = needs.program("chromium", "chromium")
    needs.module("websocket", "pip install '.[test]'")
    from browser import Browser

    return Browser(chromium, **kwargs)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    needs.program("dot", "graphviz")  # the page's circuit
    folder = tmp_path_factory.mktemp("pages")
    made = {}
    for name, (program, bindings, language) in PAGES.items():
        with i18n.language(language):
            trace = with_float_noise(gradtrace.trace(program, **bindings))  # as --html: the self-test's noise
            path = folder / f"{name}.html"
            path.write_text(html.render(trace), encoding="utf-8")
            made[name] = (path, trace, html.steps(trace))
    return made


@pytest.fixture(scope="module")
def desktop():
    b = _browser(width=1200, height=900)
    yield b
    b.close()


@pytest.fixture(scope="module")
def phone():
    b = _browser(width=420, height=800)
    yield b
    b.close()


def _reached(trace, walk):
    """When each wire's numbers are known, by the walk alone: its value at the forward step of the
    node it comes from (a variable's at once), its gradient at the backward step of the gate it
    feeds (a copy gate's total at the copy's own step, the output's 1 where backprop starts)."""
    forward = {s["id"]: k for k, s in enumerate(walk) if s["phase"] == "forward"}
    backward = {s["id"]: k for k, s in enumerate(walk) if s["phase"] == "backward" and not s["copy"]}
    copies = {s["id"]: k for k, s in enumerate(walk) if s["copy"]}
    start = next(k for k, s in enumerate(walk) if s["phase"] == "backward")
    out = []
    for source, target, _value, _gradient in wires(trace):
        node = f"n{source[1:]}"
        value_at = forward.get(node, -1)
        if target == "end":
            grad_at = start
        elif target.startswith("a"):
            grad_at = copies[f"n{target[1:]}"]
        else:
            grad_at = backward[target]
        out.append((value_at, grad_at))
    return out


SHOWN = """(() => {
  const seen = el => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility === 'visible';
  const wires = [];
  for (let k = 1; ; k++) {
    const g = Array.from(document.querySelectorAll('figure svg g.node'))
      .find(g => g.querySelector('title') && g.querySelector('title').textContent === 'w' + k);
    if (!g) break;
    wires.push([seen(g.querySelector('text[fill="#1a7f37"]')), seen(g.querySelector('text[fill="#cf222e"]'))]);
  }
  const told = document.querySelector('.explanation');
  return {wires: wires, told: told ? told.innerText : '',
          current: Array.from(document.querySelectorAll('g.node.current title')).map(t => t.textContent).sort(),
          summary: seen(document.querySelector('.grad-summary')),
          where: document.getElementById('where').textContent};
})()"""


def _lines(text):
    return {line.strip() for line in text.splitlines() if line.strip()}


@pytest.mark.parametrize("name", list(PAGES))
def test_the_picture_and_the_text_follow_the_steps(desktop, pages, name):
    path, trace, walk = pages[name]
    reached = _reached(trace, walk)
    desktop.open(path.as_uri())
    for k, step in enumerate(walk):
        if k:
            desktop.key("ArrowRight", "ArrowRight", 39)
        state = desktop.js(SHOWN)
        # The picture: a value once its gate has been computed, a gradient once the walk back has
        # reached its wire; nothing later (at step 1 only the inputs and the first gate's value).
        expected = [[value_at <= k, step["phase"] == "backward" and grad_at <= k] for value_at, grad_at in reached]
        assert state["wires"] == expected, (name, k, step["name"])
        # The current gate stands out, and at a copy gate's step its adder point too.
        assert state["current"] == sorted([step["id"]] + ([f"a{step['id'][1:]}"] if step["copy"] else []))
        # The explanation: every step told so far, and none after it.
        told = _lines(state["told"])
        for j, other in enumerate(walk):
            first = other["text"].splitlines()[0].strip()
            if j <= k:
                assert _lines(other["text"]) <= {line.split(". ", 1)[-1] for line in told} | told, (name, k, j)
            else:
                assert not any(line.endswith(first) for line in told), (name, k, j, first)
        assert state["summary"] == (k == len(walk) - 1)  # the gradients' summary only at the end


def _in_view(b):
    return b.js("""(() => {
      const g = document.querySelector('figure svg g.node.current');
      const r = g.getBoundingClientRect(), f = document.querySelector('figure').getBoundingClientRect();
      const nav = document.getElementById('controls').getBoundingClientRect();
      return {gate: g.querySelector('title').textContent,
              left: r.left >= Math.max(0, f.left) - 1, right: r.right <= Math.min(innerWidth, f.right) + 1,
              top: r.top >= Math.max(0, nav.bottom) - 1, bottom: r.bottom <= innerHeight + 1}; })()""")


@pytest.mark.parametrize("width", [420, 1200])
@pytest.mark.parametrize("name", ["sigmoid", "korean"])
def test_the_current_gate_stays_in_view(phone, desktop, pages, width, name):
    b = phone if width == 420 else desktop
    path, _trace, walk = pages[name]
    b.open(path.as_uri())
    b.js("window.scrollTo(0, document.body.scrollHeight)")  # the reader was down at the table
    order = list(range(len(walk))) + list(range(len(walk) - 2, -1, -1))  # to the end, and back
    for k in order:
        if k:
            b.js(f"location.hash = '#step={k + 1}'")
        else:
            b.key("Home", "Home", 36)
        state = _in_view(b)
        assert state == {"gate": walk[k]["id"], "left": True, "right": True, "top": True, "bottom": True}, (width, k)
    # The controls that stay at the top hide what scrolls under them (they had no background).
    assert b.js("getComputedStyle(document.getElementById('controls')).backgroundColor") == "rgb(255, 255, 255)"
    # Opened at a late step by its address.
    b.open(path.as_uri() + f"#step={len(walk) - 3}")
    assert all(_in_view(b)[side] for side in ("left", "right", "top", "bottom"))


def _type(b, selector, k, text):
    return b.js(f"""(() => {{
        const input = document.querySelectorAll({json.dumps(selector)})[{k}];
        input.value = {json.dumps(text)}; input.dispatchEvent(new Event('input', {{bubbles: true}}));
        return true; }})()""")


BOXES = """Array.from(document.querySelectorAll(
    'main *, figure svg foreignObject, figure svg foreignObject *')).filter(el => el.getClientRects().length)
    .map(el => { const r = el.getBoundingClientRect();
                 return [el.tagName, Math.round(r.left * 2), Math.round(r.top * 2), Math.round(r.width * 2),
                         Math.round(r.height * 2)]; })"""
TABLE_INPUTS, WIRE_INPUTS = "tr[data-node] .answer input", "foreignObject.wire-answer input"


@pytest.mark.parametrize("width", [420, 1200])
@pytest.mark.parametrize("name", ["sigmoid", "korean"])
def test_feedback_never_moves_anything(phone, desktop, pages, width, name):
    b = phone if width == 420 else desktop
    path, _trace, walk = pages[name]
    b.open(path.as_uri() + f"#step={len(walk)}&hide=1")
    before = b.js(BOXES)
    assert len(before) > 50
    answers = ["0.39", "1/5", "abc", "-0.5344", "2e-1", "−0.2", "1e999", "0"]
    for selector in (TABLE_INPUTS, WIRE_INPUTS):
        count = b.js(f"document.querySelectorAll({json.dumps(selector)}).length")
        assert count > 5
        for k in range(count):
            _type(b, selector, k, answers[k % len(answers)])
    verdicts = b.js("Array.from(document.querySelectorAll('output')).map(o => o.textContent)")
    assert {v for v in verdicts if v} >= {"✓ 맞음" if name == "korean" else "✓ right"}
    assert b.js(BOXES) == before


def test_the_outputs_starting_gradient_stays_shown_in_the_self_test(desktop, pages):
    path, trace, walk = pages["sigmoid"]
    end = len(list(wires(trace)))  # the output's wire is the last
    for step in (1, len(walk)):
        desktop.open(path.as_uri() + f"#step={step}&hide=1")
        state = desktop.js(SHOWN)
        assert state["wires"][end - 1][1] is True, step  # its red 1
        assert not any(red for _green, red in state["wires"][:-1])  # every other gradient is the student's
        row = desktop.js(f"""(() => {{ const td = document.querySelector("tr[data-node='n{trace.output_id}'] td.up");
            return [td.innerText.trim(), td.querySelectorAll('input').length]; }})()""")
        assert row == ["1", 0]
        labels = desktop.js(f"Array.from(document.querySelectorAll({json.dumps(WIRE_INPUTS)}))"
                            ".map(i => i.getAttribute('aria-label'))")
        assert len(labels) == end - 1 and not any("end" in label for label in labels)


@pytest.mark.parametrize("name", ["sigmoid", "copies"])
def test_the_table_and_the_circuit_share_each_answer(desktop, pages, name):
    path, trace, _walk = pages[name]
    desktop.open(path.as_uri() + "#step=1&hide=1")
    wire_of = {}  # the wire that carries each node's whole upstream gradient
    for k, (source, target, _value, _gradient) in enumerate(wires(trace)):
        if source.startswith("n") and target != "end":
            wire_of.setdefault(int(source[1:]), k)
    rows = desktop.js(f"Array.from(document.querySelectorAll({json.dumps(TABLE_INPUTS)}))"
                      ".map(i => i.closest('tr').dataset.node)")
    boxes = desktop.js(f"Array.from(document.querySelectorAll({json.dumps(WIRE_INPUTS)}))"
                       ".map(i => +i.closest('foreignObject').dataset.wire)")
    assert rows and len(rows) == len(trace.nodes) - 1
    for r, node in enumerate(rows):
        row = trace.row(int(node[1:]))
        box = boxes.index(wire_of[row.id])
        for text in ("0.39", "-1/5", ""):
            _type(desktop, TABLE_INPUTS, r, text)
            there = desktop.js(f"""(() => {{ const i = document.querySelectorAll({json.dumps(WIRE_INPUTS)})[{box}];
                return [i.value, i.parentNode.querySelector('output').textContent]; }})()""")
            here = desktop.js(f"""(() => {{ const i = document.querySelectorAll({json.dumps(TABLE_INPUTS)})[{r}];
                return [i.value, i.closest('td').querySelector('output').textContent]; }})()""")
            assert there == here and there[0] == text, (name, row.name, text)
        _type(desktop, WIRE_INPUTS, box, "7")  # and back, from the circuit to the table
        assert desktop.js(f"document.querySelectorAll({json.dumps(TABLE_INPUTS)})[{r}].value") == "7"


# ---- one reader ----------------------------------------------------------------------------------

# answer, true value, verdict: True right, False wrong, None refused (the CLI's error, the page's
# "type a number"). Spellings of one number, written every way the command line reads them.
SPELLINGS = [
    ("1/5", 0.2, True), ("-1/5", -0.2, True), ("−1/5", -0.2, True), ("-2e-1", -0.2, True), ("−0.2", -0.2, True),
    ("−2e−1", -0.2, True), ("-0.2", -0.2, True), ("-.2", -0.2, True), ("+.2", 0.2, True), ("-(1/5)", -0.2, True),
    ("- 1 / 5", -0.2, True), ("-1/5 ≈ -0.2", -0.2, True), ("-2×10^-1", -0.2, True), ("-2·10**-1", -0.2, True),
    ("-2⋅10⁻¹", -0.2, True), ("-2÷10", -0.2, True), ("-0.2e0", -0.2, True), ("-0.20", -0.2, True),
    ("1/5", -0.2, False), ("-1/4.9", -0.2, False), ("2/10", 0.2, True), ("pow(2, -1)", 0.5, True),
    ("1/3", 0.3333, True), ("1/3", 0.3334, False), ("1/3", 1 / 3, True), ("0.1+0.2", 0.3, True),
    ("2π", 2 * math.pi, True), ("2pi", 6.283, True), ("2pi", 6.284, False), ("π/2", math.pi / 2, True),
    ("-pi/2", -1.5708, True), ("e^-1", 0.3679, True), ("e^-1", 0.3681, False), ("e^-1", math.exp(-1), True),
    ("1/(1+e^-1)", 0.7311, True), ("1/(1+e^-1)", 0.7313, False), ("1/(1+e^-1)", 1 / (1 + math.exp(-1)), True),
    ("√4", 2.0, True), ("√(2)/2", math.sqrt(2) / 2, True),
    ("2²", 4.0, True), ("2⁻¹", 0.5, True), ("-2**2", -4.0, True), ("2^3^2", 512.0, True),
    ("(-2)^2", 4.0, True), ("(-2)²", 4.0, True), ("2(3)", 6.0, True),
    ("exp(0)", 1.0, True), ("ln(e)", 1.0, True), ("log(e)", 1.0, True), ("sqrt(0.04)", 0.2, True),
    ("sigmoid(0)", 0.5, True), ("σ(0)", 0.5, True), ("tanh(0.5)", math.tanh(0.5), True),
    ("relu(-1)", 0.0, True), ("relu(-1)", 1e-9, False), ("abs(-3)", 3.0, True), ("--1", 1.0, True),
    ("0.5.T", 0.5, True), ("1e-400", 0.0, True), ("0/5", 0.0, True), ("-0", 0.0, True), ("1 # one", 1.0, True),
    ("2#x", 2.0, True),
    # refused: the CLI's errors
    ("", 1.0, None), ("≈ 0.3", 0.3, None), ("abc", 1.0, None), ("x", 1.0, None), ("E", 1.0, None),
    ("inf", 1.0, None), ("nan", 1.0, None), ("1e400", 1.0, None), ("1e999", 1.0, None), ("1/0", 1.0, None),
    ("log(-1)", 1.0, None), ("exp(1000)", 1.0, None), ("1e308*10", 1.0, None), ("1/(1e308*10)", 0.0, None),
    ("0,2", 0.2, None), ("1,5", 1.5, None), ("2 3", 6.0, None), ("sqrt 4", 2.0, None), ("(1", 1.0, None),
    ("1)", 1.0, None), ("1;2", 1.0, None), ("a=1", 1.0, None), ("3!", 6.0, None), ("½", 0.5, None),
    ("１", 1.0, None), ("0x10", 16.0, None), ("1_000", 1000.0, None), ("20%", 0.2, None), ("1" * 201, 1.0, None),
    ("__import__('os')", 1.0, None), ("[1]", 1.0, None), ("#", 1.0, None),
    ("# 1", 1.0, None), ("2^", 1.0, None), ("(-8)^(1/3)", -2.0, None), ("0^-1", 1.0, None), ("sqrt()", 1.0, None),
]


def _python(text, actual, precision=4):
    """The command line's verdict: True, False, or None for an answer it refuses."""
    try:
        value, rule = read_answer(text, precision)
    except GradtraceError:
        return None
    return rule.allows(actual, value)


def _shared_rows():
    """Every (answer, true value, verdict) table of the grading rule's own tests (test_answers.py,
    test_verdicts.py: whatever tables they hold), and SPELLINGS."""
    import importlib

    rows = list(SPELLINGS)
    modules = [test_answers]
    try:
        modules.append(importlib.import_module("test_verdicts"))
    except ImportError:
        pass
    for table in (value for module in modules for value in vars(module).values()):
        if isinstance(table, list) and table and all(
                isinstance(r, tuple) and len(r) == 3 and isinstance(r[0], str) and isinstance(r[1], (int, float))
                and isinstance(r[2], bool) for r in table):
            rows += table
    return rows


@pytest.fixture(scope="module")
def reader(desktop, pages):
    desktop.open(pages["sigmoid"][0].as_uri())

    def page_says(rows, precision=4):
        return desktop.js(f"""{json.dumps([(t, v) for t, v, *_ in rows])}.map(
            c => window.gradtraceGrade(c[0], c[1], 0, {int(precision)}))""")
    return page_says


def test_the_command_line_and_the_page_give_the_tables_verdicts(reader):
    rows = _shared_rows()
    assert len(rows) > 100
    python = [_python(text, actual) for text, actual, _ in rows]
    # The command line gives the tables' verdicts (answers.py's own tests check theirs too).
    assert [(t, v, said) for (t, v, verdict), said in zip(rows, python) if said is not verdict] == []
    page = reader(rows)
    differ = [(text, actual, said, shown) for (text, actual, _), said, shown in zip(rows, python, page)
              if said is not shown]
    assert differ == []


def test_the_page_reads_each_answer_to_the_same_number_and_rule(desktop, reader):
    """Not just the verdict: the value and the rule (decimals at a place, digits, zero) are
    answers.py's, so no true value can tell them apart."""
    texts = [text for text, _, _ in _shared_rows()]
    page = desktop.js(f"{json.dumps(texts)}.map(t => window.gradtraceRead(t, 4))")
    for text, read in zip(texts, page):
        try:
            value, rule = read_answer(text, 4)
        except GradtraceError:
            assert read is None, text
            continue
        assert read is not None, text
        assert read["value"] == value or (math.isclose(read["value"], value, rel_tol=4e-16)), text
        assert (read["kind"], read["place"], read["digits"]) == \
            (rule.kind, rule.place if rule.kind == "decimals" else 0, rule.digits if rule.kind == "digits" else 0), text


def _decimal_text(value, places):
    return f"{value:.{places}f}"


# Spellings of a number: decimals, exponents, fractions, unicode minus, a leading plus, spaces,
# parentheses, "≈ ..." after an exact form, superscript and ×10^ exponents.
@st.composite
def spellings(draw):
    p = draw(st.integers(-999, 999).filter(lambda n: n != 0))
    q = draw(st.sampled_from([1, 2, 3, 4, 5, 7, 8, 10, 16, 25, 100, 1000]))
    value = p / q
    places = draw(st.integers(0, 6))
    sig = draw(st.integers(1, 6))
    e = math.floor(math.log10(abs(value)))
    minus = draw(st.sampled_from(["-", "−"]))
    forms = [
        _decimal_text(value, places), f"{value:.{sig - 1}e}", f"{p}/{q}", f"({p})/({q})", f"{p} / {q}",
        f"{p}/{q} ≈ {_decimal_text(value, places)}", f"{value:.{sig}g}", f"+{abs(value):.{places}f}",
        f"{value / 10 ** e:.{sig - 1}f}×10^{e}", f"{value / 10 ** e:.{sig - 1}f}e{e}",
    ]
    text = draw(st.sampled_from(forms))
    if draw(st.booleans()):
        text = text.replace("-", minus)
    actual = value * (1 + draw(st.sampled_from([0.0, 1e-12, -1e-12, 1e-5, -1e-5, 4e-4, -4e-4, 1e-2])))
    return text, actual


@given(st.lists(spellings(), min_size=20, max_size=40), st.sampled_from([3, 4, 6]))
def test_generated_spellings_get_the_same_verdict_on_the_page(reader, rows, precision):
    python = [_python(text, actual, precision) for text, actual in rows]
    assert reader(rows, precision) == python


def _same_reading(text, read, precision=4):
    """The page read text to the number and rule answers.py reads it to (or both refuse it).
    Functions of the op table may differ from Python's math in their last bit; nothing else may."""
    try:
        value, rule = read_answer(text, precision)
    except GradtraceError:
        return read is None
    if read is None:
        return False
    close = read["value"] == value or math.isclose(read["value"], value, rel_tol=1e-15)
    return close and (read["kind"], read["place"], read["digits"]) == \
        (rule.kind, rule.place if rule.kind == "decimals" else 0, rule.digits if rule.kind == "digits" else 0)


def test_every_function_of_the_op_table_is_read_as_the_command_line_reads_it_or_refused(desktop, reader):
    """The page computes the functions of html.READER_FUNCTIONS (and their aliases) as the op table
    does, and refuses the others (erf, gelu, max, ...) rather than guess: never a wrong verdict."""
    from gradtrace.core.ops import OPS

    names = {name for op in OPS.values() if op.syntax.callable for name in (op.name, *op.syntax.aliases)
             if name.isidentifier()}
    names.add("σ")
    page_reads = set(html.READER_FUNCTIONS) | set(html.READER_ALIASES) | {"pow"}
    assert page_reads <= names | {"σ"}
    texts = [f"{name}({x}{', 2' if name == 'pow' else ''})" for name in sorted(names)
             for x in ("0.7", "-0.3", "2.5", "0", "-2", "1e-3", "30")]
    page = desktop.js(f"{json.dumps(texts)}.map(t => window.gradtraceRead(t, 4))")
    for text, read in zip(texts, page):
        name = text.partition("(")[0]
        if name in page_reads:
            assert _same_reading(text, read), (text, read)
        else:
            assert read is None, text


_FUNCTION_NAMES = sorted([*html.READER_FUNCTIONS, *html.READER_ALIASES])


def _expressions():
    """Constant expressions of the language: numbers written every way, pi, e, π, the operators,
    superscripts, a number against a name or '(', √, calls, and refused ones among them."""
    atoms = st.sampled_from(["0", "1", "2", "3", "10", "0.5", "0.25", "1.5e-1", "2e3", ".5", "7.", "pi", "e", "π",
                             "1e-400", "1e308", "0.1", "0.2", "0.3", "x", "E", "1/0"])

    def combine(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", "**", "×", "·", " + ", " / ", "−"]), inner)
            .map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
            inner.map(lambda a: f"({a})"), inner.map(lambda a: f"-{a}"), inner.map(lambda a: f"√({a})"),
            inner.map(lambda a: f"({a})²"), inner.map(lambda a: f"({a})⁻¹"), inner.map(lambda a: f"2({a})"),
            st.tuples(st.sampled_from(_FUNCTION_NAMES), inner).map(lambda t: f"{t[0]}({t[1]})"),
        )
    return st.recursive(atoms, combine, max_leaves=6)


@given(st.lists(_expressions(), min_size=10, max_size=30), st.sampled_from([3, 4, 6]))
def test_generated_constant_expressions_are_read_alike(desktop, reader, texts, precision):
    page = desktop.js(f"{json.dumps(texts)}.map(t => window.gradtraceRead(t, {precision}))")
    assert [t for t, read in zip(texts, page) if not _same_reading(t, read, precision)] == []


@pytest.mark.skipif("decimals" not in inspect.signature(read_answer).parameters,
                    reason="answers.read_answer has no decimals (--decimals grades at significant digits)")
@pytest.mark.parametrize("decimals", [0, 2, 4])
def test_with_decimals_the_page_reads_as_the_command_line(desktop, reader, decimals):
    """--decimals N: the page shows N decimals, and a whole number or 1/3 is graded at them."""
    rows = _shared_rows()
    texts = [text for text, _, _ in rows]
    page = desktop.js(f"{json.dumps(texts)}.map(t => window.gradtraceRead(t, 4, {decimals}))")
    for text, read in zip(texts, page):
        try:
            value, rule = read_answer(text, 4, decimals=decimals)
        except GradtraceError:
            assert read is None, text
            continue
        assert read is not None and math.isclose(read["value"], value, rel_tol=1e-15), text
        assert (read["kind"], read["place"], read["digits"]) == \
            (rule.kind, rule.place if rule.kind == "decimals" else 0, rule.digits if rule.kind == "digits" else 0), text


@pytest.mark.skipif("decimals" not in inspect.signature(read_answer).parameters,
                    reason="answers.read_answer has no decimals (--decimals grades at significant digits)")
def test_a_page_made_with_decimals_grades_at_them(desktop, tmp_path):
    """gradtrace ... --decimals 2 --html: the page's own boxes grade as --expect does with --decimals 2."""
    from gradtrace.core.numbers import Decimals

    trace = with_float_noise(gradtrace.trace("x / 3 + y * 2", x=1, y=2))
    path = tmp_path / "decimals.html"
    path.write_text(html.render(trace, Decimals(2)), encoding="utf-8")
    desktop.open(path.as_uri())
    rows = [(text, actual) for text in ("0.33", "0.3333", "1/3", "0.3", "2", "2.00", "2.0", "0")
            for actual in (1 / 3, 2.0, 2.004, 2.006, 0.335)]
    page = desktop.js(f"{json.dumps(rows)}.map(r => window.gradtraceGrade(r[0], r[1], 0))")
    python = []
    for text, actual in rows:
        value, rule = read_answer(text, 4, decimals=2)
        python.append(rule.allows(actual, value))
    assert page == python
