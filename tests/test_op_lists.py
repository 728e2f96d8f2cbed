"""Every list of what gradtrace understands is read off the op table, or checked against it here:
the guide's function list (docs/guide/expressions.md, written by tools/op_lists.py), its operators
and array ops (docs/guide/arrays.md), the quiz's --difficulty help and the guide's Practice page, and
the man page. Each check is parametrized over
OPS, so a new record is looked for in every list without anyone adding it to a test."""

import importlib.util
import re
from pathlib import Path

import pytest

from gradtrace.core import ops_text
from gradtrace.core.ops import CONSTANTS, OPS
from gradtrace.teach import quiz as practice

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide"
EXPRESSIONS = (GUIDE / "expressions.md").read_text(encoding="utf-8")
ARRAYS = (GUIDE / "arrays.md").read_text(encoding="utf-8")
PRACTICE = (GUIDE / "practice.md").read_text(encoding="utf-8")
ALL_OPS = pytest.mark.parametrize("op", OPS.values(), ids=list(OPS))
QUIZ_OPS = [op.name for op in OPS.values() if op.teach.quiz is not None]
UPDATE = ("run `python tools/op_lists.py` to write the guide's list from the op table, and commit "
          "docs/guide/expressions.md")


def _tool():
    spec = importlib.util.spec_from_file_location("op_lists", ROOT / "tools" / "op_lists.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _section(text: str, heading: str) -> str:
    """A `## heading` section of a page, up to the next one."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def _code_spans(text: str) -> list[str]:
    """The inline code of a piece of Markdown (a span may run over a line break), fences left out."""
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    return [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]


def _names(text: str) -> set[str]:
    """The op names a piece of prose mentions, as whole words."""
    words = set(re.findall(r"\w+", text))
    return {name for name in OPS if name in words}


# ---- the guide ---------------------------------------------------------------------------------

def test_the_guides_function_list_is_the_tables():
    try:
        written = _tool().rewrite(EXPRESSIONS, ops_text.readme_functions())
    except ValueError as err:
        pytest.fail(f"docs/guide/expressions.md: {err}; {UPDATE}")
    assert written == EXPRESSIONS, f"docs/guide/expressions.md's function list differs from the op table: {UPDATE}"


def test_the_writer_replaces_the_list_and_nothing_else():
    tool = _tool()
    text = "intro\n- Functions:\n  <!-- functions: written by a tool -->\n  `stale`\n  <!-- /functions -->\nafter\n"
    assert tool.rewrite(text, "  `new`.\n") == text.replace("  `stale`\n", "  `new`.\n")
    with pytest.raises(ValueError, match="found 0"):
        tool.rewrite("no list here\n", "x")
    with pytest.raises(ValueError, match="found 2"):
        tool.rewrite(text + text, "x")


@ALL_OPS
def test_every_elementwise_function_is_in_the_guides_list_with_its_parameters(op):
    start = EXPRESSIONS.index("<!-- functions")
    block = EXPRESSIONS[start:EXPRESSIONS.index("<!-- /functions -->", start)]
    spans = _code_spans(block)
    names = ops_text.function_spellings(op)
    if not names or op.arrays_only:
        assert not any(span.split("(")[0] == op.name for span in spans), f"{op.name} is listed but no name calls it"
        return
    for name in names:
        assert any(span.split("(")[0] == name for span in spans), f"{name} is missing from the guide's function list"
    call = next(span for span in spans if span.split("(")[0] == op.name)
    for param, _default in op.keyword_params:
        assert re.search(rf"\b{param}\b", call), f"{call} does not show {op.name}'s parameter {param}"


@ALL_OPS
def test_every_spelling_of_every_op_is_in_the_guide(op):
    """Names, other names (ln, σ, swish) and operator symbols (^, ⋅, ×, √, .T): each one is shown
    as code where the guide describes the language."""
    where = _section(EXPRESSIONS, "Writing expressions") + ARRAYS
    spans = _code_spans(where)
    for spelling in ops_text.spellings(op):
        assert any(spelling in span for span in spans), f"{op.name}: {spelling!r} is not shown in the guide"


def _array_sentence() -> str:
    section = ARRAYS
    start = section.index("Array ops:")
    return section[start:section.index(".\n", start)]


def _spelled_op(span: str) -> str | None:
    """The op a code span in prose writes: `sum`, `transpose(x)`, `x.T`, `@`, `x[:, 1]`."""
    for op in OPS.values():
        spellings = ops_text.spellings(op)
        head = span.split("(")[0]
        if span in spellings or head in ops_text.function_spellings(op) or \
                any(s.startswith(".") and span.endswith(s) for s in spellings) or \
                (op.syntax.subscript and re.fullmatch(r"\w+\[[^\[\]]+\]", span)):
            return op.name
    return None


@ALL_OPS
def test_the_guide_names_each_array_op_in_its_array_sentence(op):
    spans = _code_spans(_array_sentence())
    named = {_spelled_op(span) for span in spans}
    assert (op.name in named) == op.arrays_only, (
        f"{op.name} {'is missing from' if op.arrays_only else 'is not an array op but is in'} the guide's "
        f"'Array ops:' sentence")


def test_the_guides_array_sentence_names_only_ops():
    unknown = [span for span in _code_spans(_array_sentence()) if _spelled_op(span) is None]
    assert not unknown, f"the guide's 'Array ops:' sentence names what no op record is: {unknown}"


@ALL_OPS
def test_the_guides_practice_page_names_exactly_difficulty_3s_functions(op):
    practice_text = " ".join(PRACTICE.split())
    adds = re.search(r"\b3 adds ([^.]*)\.", practice_text)
    saturated = re.search(r"\bno ([^.]*?) is saturated", practice_text)
    assert adds and saturated, "the guide's Practice page no longer says what difficulty 3 adds"
    for clause in (adds.group(1), saturated.group(1)):
        assert (op.name in _names(clause)) == (op.name in practice.FUNCTIONS_3), (op.name, clause)


# ---- the quiz's --difficulty help ---------------------------------------------------------------

def _difficulty_help(gt, *lang):
    shown = gt("quiz", *lang, "--help").stdout
    flat = " ".join(shown.split())
    return flat[flat.index("--difficulty"):flat.index("--seed")]


def test_the_quiz_functions_are_the_tables():
    assert sorted(practice.FUNCTIONS_3) == sorted(QUIZ_OPS)
    assert QUIZ_OPS, "no op record is drawn by the quiz"


@pytest.mark.parametrize("lang", ["en", "ko"])
@ALL_OPS
def test_the_difficulty_help_names_exactly_the_quiz_functions(gt, op, lang):
    text = _difficulty_help(gt, "--lang", lang)
    three = text[text.index("3: "):]
    assert (op.name in _names(three)) == (op.teach.quiz is not None), (op.name, three)


def test_the_difficulty_help_follows_the_table(gt, monkeypatch):
    """The list is read when --help is shown: a function the quiz gains is named without an edit."""
    monkeypatch.setattr(practice, "FUNCTIONS_3", [*practice.FUNCTIONS_3, "softplus"])
    assert "softplus" in _difficulty_help(gt)
    assert "{functions}" not in _difficulty_help(gt)


# What each gate kind the quiz draws (teach/quiz.py MIXES) is called in --difficulty's help.
KIND_WORDS = {"add": "add", "mul": "mul", "max": "max", "scale": "constants", "shift": "constants", "recip": "1/x"}


@pytest.mark.parametrize("difficulty", sorted(practice.MIXES))
def test_the_difficulty_help_describes_every_gate_kind_it_draws(gt, difficulty):
    text = _difficulty_help(gt)
    upto = text[:text.index(f"{difficulty + 1}: ")] if f"{difficulty + 1}: " in text else text
    for kind in practice.MIXES[difficulty]:
        word = kind if kind in practice.FUNCTIONS_3 else KIND_WORDS.get(kind)
        assert word is not None, f"the quiz draws a new kind of gate, {kind!r}: describe it in --difficulty's help"
        assert re.search(rf"(?<![\w/]){re.escape(word)}\b", upto), (difficulty, kind, upto)


def test_the_difficulty_help_is_filled_in_when_shown_not_at_import():
    """The option keeps the message as the catalog has it ({functions} and all), and importing the
    CLI reads neither sympy nor numpy for it."""
    import subprocess
    import sys

    from gradtrace.cli.quiz import quiz

    option = next(param for param in quiz.params if param.name == "difficulty")
    assert "{functions}" in (option.help or "")
    code = "import sys, gradtrace.cli; print('sympy' in sys.modules, 'numpy' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "False"]


# ---- the man page ---------------------------------------------------------------------------------

def _man_expressions() -> str:
    from gradtrace.cli import cli
    from gradtrace.cli.manpage import manpage

    page = manpage(cli, "9.9")
    assert ".SH EXPRESSIONS" in page, "the man page has no EXPRESSIONS section"
    start = page.index(".SH EXPRESSIONS")
    return page[start:page.index("\n.SH ", start + 1)].replace("\\-", "-").replace("\\&", "")


@ALL_OPS
def test_the_man_page_names_every_spelling_of_every_op(op):
    text = _man_expressions()
    words = set(re.split(r"[\s,;()]+", text))
    for spelling in ops_text.spellings(op):
        assert spelling in words, f"{op.name}: {spelling!r} is not in the man page's EXPRESSIONS"
    if ops_text.function_spellings(op):
        assert ops_text.signature(op) in text


def test_the_man_page_names_the_constants():
    words = set(re.split(r"[\s,;()]+", _man_expressions()))
    assert set(CONSTANTS) <= words
