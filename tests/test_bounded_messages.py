"""An error is a few lines whatever the program's size: it quotes a window of the source around
the problem, with the line and column, counts what it leaves out, and lists a few names and how
many more. Large random programs, each with one planted mistake of each kind."""

from __future__ import annotations

import re

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from gradtrace.core.errors import MAX_TEXT, GradtraceError, bounded, point_at, some

MAX_LINES = 6      # the message, the quoted line, the caret, the count, a hint
MAX_BYTES = 2000


def _small(result):
    err = result.stderr
    assert "Traceback" not in err and "internal error" not in err
    assert len(err.encode()) <= MAX_BYTES and err.count("\n") <= MAX_LINES, err
    return err


def _sum(n):
    return [f"x{i}*y" for i in range(n)]


def _column(err):
    found = re.search(r"column ([\d,]+);", err)
    assert found, err
    return int(found.group(1).replace(",", ""))


def test_a_20000_term_program_with_an_unbound_name_says_so_in_under_2_kB(gt):
    result = gt(" + ".join(_sum(20_000)), "-y", "1", "-x777", "2")
    err = _small(result)
    assert result.exit_code == 2
    assert "no value for the variables x0, x1, x2, x3, x4, … and 19,994 more" in err


@settings(max_examples=6, phases=[Phase.explicit, Phase.reuse, Phase.generate])  # big inputs: no shrinking
@given(n=st.integers(2_000, 20_000), where=st.floats(0, 1))
def test_a_planted_mistake_is_pointed_at_in_a_few_lines(gt, n, where):
    terms = _sum(n)
    k = int(where * (n - 1))
    # a character the language doesn't have, between two terms
    before = " + ".join(terms[:k + 1])
    result = gt(before + " $ " + " + ".join(terms[k + 1:]))
    err = _small(result)
    assert result.exit_code == 2 and "unexpected character '$'" in err and _column(err) == len(before) + 2
    caret = err.splitlines()[2]
    assert err.splitlines()[1][caret.index("^")] == "$"
    # a misspelt function in place of one term
    misspelt = terms[:k] + [f"sigmod(x{k})"] + terms[k + 1:]
    text = " + ".join(misspelt)
    err = _small(gt(text))
    assert "unknown function 'sigmod'" in err and _column(err) == text.index("sigmod") + 1
    assert "did you mean sigmoid?" in err
    # a statement on a later line of a long program that never ends
    lines = [f"c{i} = x{i} * y" for i in range(k % 500 + 2)] + ["f = c0 + (c1"]
    err = _small(gt("\n".join(lines)))
    assert "is never closed" in err and f"line {len(lines)}: f = c0 + (c1" in err
    # a variable bound that the program doesn't have: the hint lists a few of its names
    err = _small(gt(" + ".join(terms), "-zeta", "1"))
    assert "no variable 'zeta'" in err and "its variables are x0, y, x1, x2, x3, … and" in err
    # an answer about a node the trace doesn't have
    small = " + ".join(terms[:300])
    result = gt(small, "-y", "1", *[f"-x{i}=1" for i in range(300)], "--expect", "zz=1")
    err = _small(result)
    assert "no node or variable 'zz'" in err and "… and" in err


def test_an_inline_array_with_a_bad_element_is_quoted_around_it(gt):
    value = "[" + ",".join(["1"] * 30_000) + ",a]"
    err = _small(gt("sum(v)", "-v", value))
    assert "not a valid array" in err and _column(err) == len(value) - 1


@pytest.mark.parametrize("text", ["x" * 5000, "word " * 2000, "line\n" * 500])
def test_bounded_keeps_a_few_lines_and_counts_the_rest(text):
    short = bounded(text)
    assert len(short) < MAX_TEXT + 40 and short.count("\n") <= 4
    count = int(re.search(r"… ([\d,]+) more characters", short).group(1).replace(",", ""))
    assert len(short.split(" … ")[0]) + count == len(text)
    assert bounded("a short message") == "a short message"


def test_some_names_and_a_count():
    assert some(["a", "b"]) == "a, b"
    assert some([f"x{i}" for i in range(12_345)]) == "x0, x1, x2, x3, x4, … and 12,340 more"


def test_a_short_program_is_quoted_whole_as_before():
    assert point_at("(x+)*z", (3, 4)) == ["  (x+)*z", "     ^"]
    assert len(point_at("x" * 10_000, (5_000, 5_001))) == 3
    err = GradtraceError("m" * 100_000, hint="h" * 100_000)
    assert len(err.format()) < 2 * MAX_TEXT + 100


def test_a_long_statement_left_out_is_named_in_a_line(gt):
    long = "+".join(f"x{i}" for i in range(5000))
    result = gt(f"a = {long}; f = y * 2", "-y", "1")
    err = _small(result)
    assert result.exit_code == 0 and "note: the output is f, and a = x0+x1+" in err and "more characters" in err
