"""The progress display of long work: what a terminal shows (pyte plays the terminal), on stderr
only when stderr is a terminal, with a phase name, without colour under NO_COLOR, and up on time
even while nothing reports (a large --vars file being read)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time

import pyte
import pytest
from rich.console import Console

from gradtrace.cli import progress

COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38)(?:;[0-9;]*)?m")  # a foreground colour


class _Screen:
    """A terminal for rich to draw on: every write goes through pyte, and each line ever drawn is
    kept (the display is transient, so the final screen is blank again)."""

    def __init__(self, columns=120, lines=40):  # wider than the console: no wrapping by pyte
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.Stream(self.screen)
        self.seen: set[str] = set()
        self.raw = ""

    def write(self, text):
        self.raw += text
        self.stream.feed(text.replace("\n", "\r\n"))  # as a terminal driver does (onlcr)
        self.seen.update(line.rstrip() for line in self.screen.display if line.strip())
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return True


def _sum_program(tmp_path, n):
    program = tmp_path / "sum.gt"
    program.write_text(" + ".join(f"x{i}*y" for i in range(n)))
    bindings = tmp_path / "vars.json"
    bindings.write_text(json.dumps({**{f"x{i}": 0.25 for i in range(n)}, "y": 2.0}))
    return str(program), str(bindings)


def test_each_phase_is_named_on_the_terminal_and_the_display_goes_away(gt, tmp_path, monkeypatch):
    program, bindings = _sum_program(tmp_path, 20_000)
    terminal = _Screen()
    console = Console(file=terminal, force_terminal=True, width=100)
    monkeypatch.setattr(progress, "for_terminal", lambda stream=None: progress.DelayedProgress(0, console))
    result = gt("--file", program, "--vars", bindings, "--format", "csv")
    assert result.exit_code == 0 and result.stdout.startswith("node,op,expr")
    shown = "\n".join(terminal.seen)
    for phase in ("reading the program", "forward pass", "backward pass", "writing the output"):
        assert f"gradtrace: {phase}" in shown, shown
    assert re.search(r"\d+/60000", shown)  # how far, of how many nodes
    assert all(not line.strip() for line in terminal.screen.display)  # transient: gone at the end


def test_the_display_comes_up_on_time_while_nothing_reports():
    terminal = _Screen()
    display = progress.DelayedProgress(0.05, Console(file=terminal, force_terminal=True, width=100))
    display("reading the bindings", 0, None)  # before the delay: nothing yet
    assert not terminal.seen
    deadline = time.monotonic() + 10
    while not terminal.seen and time.monotonic() < deadline:
        time.sleep(0.02)
    display.close()
    assert any("gradtrace: reading the bindings" in line for line in terminal.seen)


def test_a_run_shorter_than_the_delay_draws_nothing():
    terminal = _Screen()
    display = progress.DelayedProgress(30, Console(file=terminal, force_terminal=True, width=100))
    display("forward pass", 1, 10)
    display.close()
    time.sleep(0.05)
    assert terminal.raw == ""


def test_no_colour_under_no_color(monkeypatch):
    for no_color, coloured in ((None, True), ("1", False)):
        if no_color:
            monkeypatch.setenv("NO_COLOR", no_color)
        terminal = _Screen()
        display = progress.DelayedProgress(0, Console(file=terminal, force_terminal=True, width=100))
        for done in range(0, 101, 10):
            display("backward pass", done, 100)
        display.close()
        assert "gradtrace: backward pass" in "\n".join(terminal.seen)
        assert bool(COLOUR.search(terminal.raw)) is coloured


def _on_a_terminal(args, env, tmp_path):
    """Run gradtrace with stderr on a pseudo-terminal and stdout into a file: (stdout, what the
    terminal received)."""
    leader, follower = pty.openpty()
    out_path = tmp_path / "out.txt"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gradtrace", *args], stdout=out, stderr=follower,
                                env={**os.environ, "COLUMNS": "100", **env})
    os.close(follower)
    received = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            received += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=120)
    os.close(leader)
    return out_path.read_text(), received.decode(errors="replace")


@pytest.mark.slow
def test_a_real_terminal_shows_progress_and_a_pipe_shows_none(tmp_path):
    program, bindings = _sum_program(tmp_path, 60_000)  # several seconds: past the display's delay
    args = ["--file", program, "--vars", bindings, "--format", "csv"]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    out, terminal = _on_a_terminal(args, {}, tmp_path)
    assert out.startswith("node,op,expr") and "gradtrace: " in terminal
    assert COLOUR.search(terminal)
    out_plain, terminal_plain = _on_a_terminal(args, {"NO_COLOR": "1"}, tmp_path)
    assert out_plain == out and "gradtrace: " in terminal_plain and not COLOUR.search(terminal_plain)
    piped = subprocess.run([sys.executable, "-m", "gradtrace", *args], capture_output=True, text=True, env=env)
    assert piped.stdout == out and piped.stderr == ""


def test_grade_counts_the_files_on_the_terminal_and_its_report_stays_clean(gt, tmp_path, monkeypatch):
    files = []
    for k in range(30):
        path = tmp_path / f"s{k}.toml"
        path.write_text('expression = "x*y"\nbindings = { x = 1, y = 2 }\n[answers]\nx = 2\ny = 1\n')
        files.append(str(path))
    terminal = _Screen()
    console = Console(file=terminal, force_terminal=True, width=100)
    monkeypatch.setattr(progress, "for_terminal", lambda stream=None: progress.DelayedProgress(0, console))
    result = gt("grade", *files, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)
    assert any(re.search(r"gradtrace: grading the files .* \d+/30", line) for line in terminal.seen)
    assert all(not line.strip() for line in terminal.screen.display)
