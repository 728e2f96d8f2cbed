"""Tables at 40, 60 and 80 columns: words wrap, numbers never split. A table that would fold a
number at the terminal's width is stacked instead; piped output with no COLUMNS is as wide as the
table needs."""

import re

import pytest
from conftest import HEADLINE, SIGMOID, SIGMOID_BINDINGS

NUMBER = re.compile(r"^[-(]*[0-9][0-9.e+\-]*[),]*$")

PROGRAMS = [
    HEADLINE,
    [SIGMOID, *SIGMOID_BINDINGS],
    ["pow(x, y) + x*x*x", "-x", "1.234567", "-y", "2.5", "--precision", "8"],
    ["a_very_long_variable_name * another_long_name + exp(a_very_long_variable_name)",
     "--a_very_long_variable_name", "0.5", "--another_long_name", "-3.25"],
    ["sum(W @ x)", "-W", "[[1, 2], [3, 4]]", "-x", "[0.5, -1]"],
    ["max(x, y) + hardtanh(x) * σ(y)", "-x", "0.3", "-y", "-0.7"],
]


def _numbers(text: str) -> list[str]:
    return sorted(w.strip("(),") for w in text.split() if NUMBER.match(w))


@pytest.mark.parametrize("args", PROGRAMS, ids=lambda a: a[0][:24])
@pytest.mark.parametrize("width", [40, 60, 80])
def test_no_number_is_split_at_any_width(gt, monkeypatch, args, width):
    monkeypatch.delenv("COLUMNS")
    wide = gt(*args).stdout  # piped, no COLUMNS: as wide as it needs
    monkeypatch.setenv("COLUMNS", str(width))
    narrow = gt(*args)
    assert narrow.exit_code == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert not any(line != line.rstrip() for line in lines), "trailing spaces"
    # Every number of the wide table comes out whole, as often, in the narrow one.
    assert _numbers(narrow.stdout) == _numbers(wide), (narrow.stdout, wide)


def test_a_pipe_without_columns_gets_the_width_the_table_needs(gt, monkeypatch):
    monkeypatch.delenv("COLUMNS")
    out = gt("a_very_long_variable_name * another_long_name + exp(a_very_long_variable_name)",
             "--a_very_long_variable_name", "0.5", "--another_long_name", "-3.25").stdout
    assert "node = computes = value" not in out and "up × local" in out  # a table, not stacked
    assert max(len(line) for line in out.splitlines()) > 80


def test_a_narrow_terminal_gets_the_stacked_layout(gt, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = gt(SIGMOID, *SIGMOID_BINDINGS).stdout
    assert "node = computes = value" in out and "up × local" not in out
    assert "t2 = w1 * x1 = 6   switcher" in out
    assert "  ∂t2/∂w1 = x1 = -2, downstream -0.3932" in out


@pytest.mark.parametrize("args", PROGRAMS[:2] + PROGRAMS[5:], ids=lambda a: a[0][:24])
@pytest.mark.parametrize("width", [40, 60, 80])
def test_korean_tables_fit_in_display_columns(gt, monkeypatch, args, width):
    """Hangul takes two columns a character: the Korean table keeps to the width as the terminal
    shows it, and still never splits a number."""
    from rich.cells import cell_len

    monkeypatch.delenv("COLUMNS")
    wide = gt(*args, "--lang", "ko").stdout
    monkeypatch.setenv("COLUMNS", str(width))
    narrow = gt(*args, "--lang", "ko")
    assert narrow.exit_code == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert "노드" in narrow.stdout
    assert all(cell_len(line) <= width for line in lines), max(lines, key=cell_len)
    assert _numbers(narrow.stdout) == _numbers(wide)
