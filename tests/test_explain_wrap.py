"""--explain on a terminal narrower than its lines: they wrap at spaces to the terminal's width
(in display cells: Hangul takes two), each continuation indented two past its own line's indent,
and never inside a number, nor inside an array or a bracketed formula that fits on a line. Piped
output, with or without COLUMNS, is the lines as they are, byte for byte."""

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pyte
import pytest
from rich.cells import cell_len

from gradtrace.render.explain import wrap

ROOT = Path(__file__).resolve().parent.parent
NEURON = ["sigmoid(w0*x0+w1*x1+w2)", "w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3", "--decimals", "2"]
ARRAYS = ["sum(relu(X @ W))", "-X", "[[1,2],[3,-1]]", "-W", "[[0.5,-1],[2,1]]"]
BROADCAST = ["sum(W @ x + b)", "-W", "[[1, 2], [3, 4]]", "-x", "[[0.5], [-1]]", "-b", "[0.25, -2]"]
PROGRAMS = {
    "neuron": [*NEURON, "--explain"],
    "neuron forward": [*NEURON, "--explain", "forward"],
    "arrays": [*ARRAYS, "--explain"],
    "broadcast": [*BROADCAST, "--explain"],
    "neuron ko": [*NEURON, "--explain", "--lang", "ko"],
    "arrays ko": [*ARRAYS, "--explain", "--lang", "ko"],
}


def _piped(gt, monkeypatch, args):
    monkeypatch.delenv("COLUMNS")
    result = gt(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _on_terminal(gt, args, width):
    """What a terminal of this width is sent: --color always makes the console one, whatever
    stdout is (the last test here uses a real pseudo-terminal)."""
    result = gt(*args, "--color", "always", env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _assert_wrapped(original: str, wrapped: str, width: int) -> None:
    """wrapped is original folded at spaces: every line within width cells, every original line
    whole on its first line or continued on lines indented two past its own indent, with the
    same words in the same order (so no word, number or array element was split)."""
    out = wrapped.splitlines()
    assert all(cell_len(line) <= width for line in out), max(out, key=cell_len)
    assert not any(line != line.rstrip() for line in out), "trailing spaces"
    k = 0
    for line in original.splitlines():
        words = line.split()
        indent = len(line) - len(line.lstrip(" "))
        assert out[k].startswith(line[:indent] + line.strip()[:1]), (line, out[k])
        got = out[k].split()
        k += 1
        while got != words:
            assert len(got) < len(words) and words[:len(got)] == got, (line, got)
            assert out[k].startswith(" " * (indent + 2)) and out[k][indent + 2] != " ", (line, out[k])
            got += out[k].split()
            k += 1
    assert k == len(out)


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.parametrize("width", [40, 60])
def test_explain_wraps_at_words_on_a_terminal(gt, monkeypatch, name, width):
    args = PROGRAMS[name]
    piped = _piped(gt, monkeypatch, args)
    assert max(cell_len(line) for line in piped.splitlines()) > width  # there is something to wrap
    narrow = _on_terminal(gt, args, width)
    assert narrow != piped
    _assert_wrapped(piped, narrow, width)


def test_arrays_and_formulas_that_fit_stay_on_one_line(gt):
    out = _on_terminal(gt, PROGRAMS["arrays"], 60)
    for whole in ("[[1, 2], [3, -1]],", "[[0.5, -1], [2, 1]]", "[[1, 1], [0, 0]]", "(2×2)(2×2) → 2×2"):
        assert any(whole in line for line in out.splitlines()), whole
    out = _on_terminal(gt, PROGRAMS["neuron"], 40)
    assert "   ∂f/∂t4 = (1 - f)·f = (1 - 0.73)·0.73\n     = 0.20\n" in out


@pytest.mark.parametrize("name", PROGRAMS)
def test_piped_explain_is_the_same_at_any_columns(gt, monkeypatch, name):
    """A pipe or a file gets the lines as they are: COLUMNS changes nothing."""
    args = PROGRAMS[name]
    piped = _piped(gt, monkeypatch, args)
    for width in ("40", "60", "200"):
        assert gt(*args, env={"COLUMNS": width}).stdout == piped


def test_a_wide_terminal_changes_nothing(gt, monkeypatch):
    piped = _piped(gt, monkeypatch, PROGRAMS["neuron"])
    assert _on_terminal(gt, PROGRAMS["neuron"], 200) == piped


def test_wrap_keeps_lines_that_fit_and_cuts_only_words_wider_than_a_line():
    assert wrap(["a b", "   c  d", ""], 10) == ["a b", "   c  d", ""]
    assert wrap(["   one two three four"], 12) == ["   one two", "     three", "     four"]
    # a word wider than a whole line is cut where the line ends, and only then
    assert wrap(["x = 123456789012345 y"], 10) == ["x =", "  12345678", "  9012345", "  y"]
    assert wrap(["한국어 글자는 두 칸씩"], 10) == ["한국어", "  글자는", "  두 칸씩"]
    # a bracketed group moves whole when it fits on a line of its own, and is split when not
    assert wrap(["g = [[1, 2], [3, 4]] ok"], 18) == ["g =", "  [[1, 2], [3, 4]]", "  ok"]
    assert wrap(["g = [[1, 2], [3, 4]]"], 10) == ["g = [[1,", "  2], [3,", "  4]]"]


def _pty_run(args: list[str], width: int) -> bytes:
    """gradtrace's output on a pseudo-terminal of this width, as a user's terminal gets it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm", PYTHONIOENCODING="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "gradtrace", *args], stdin=slave, stdout=slave,
                               stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=60) == 0, b"".join(chunks)
    return b"".join(chunks)


@pytest.mark.parametrize(("name", "width"), [("arrays", 60), ("neuron ko", 40)])
def test_a_real_terminal_shows_every_line_whole(gt, monkeypatch, name, width):
    """On a pseudo-terminal (pyte draws it), each screen line is one line gradtrace wrote: the
    terminal itself breaks nothing."""
    out = _pty_run(PROGRAMS[name], width)
    screen = pyte.Screen(width, 200)
    pyte.ByteStream(screen).feed(out)
    shown = [line.rstrip() for line in screen.display]
    while shown and not shown[-1]:
        shown.pop()
    written = out.decode().replace("\r\n", "\n").splitlines()
    assert [line.replace(" ", "") for line in shown] == [line.replace(" ", "") for line in written]
    _assert_wrapped(_piped(gt, monkeypatch, PROGRAMS[name]), "\n".join(written), width)
