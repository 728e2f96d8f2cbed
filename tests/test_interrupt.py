"""Ctrl-C at a terminal: gradtrace stops with exit 130 and one line on stderr ("gradtrace:
interrupted"), never a traceback, and never the exit code of a finished run (quiz's 3 means the
answers stopped early, not that the user pressed Ctrl-C). tests/test_trust.py interrupts a long
trace the same way."""

import os
import select
import signal
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs POSIX")


def _read_until(fd: int, marker: bytes, seconds: float = 60) -> bytes:
    """What the program writes to its terminal, up to and including marker."""
    seen = b""
    end = time.monotonic() + seconds
    while marker not in seen:
        left = end - time.monotonic()
        assert left > 0, f"no {marker!r} within {seconds} s; the terminal showed: {seen.decode(errors='replace')}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the other side closed
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _rest(fd: int) -> bytes:
    out = b""
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 5)
            chunk = os.read(fd, 4096) if ready else b""
        except OSError:
            return out
        if not chunk:
            return out
        out += chunk


def _at_a_terminal(args: list[str], waiting_for: bytes, interrupt: str) -> tuple[int, str]:
    """Run gradtrace on a pseudo-terminal (stdin, stdout and stderr all the terminal), wait until it
    shows waiting_for, then press Ctrl-C (the terminal's ^C, which the line discipline turns into
    SIGINT for the foreground process group) or send SIGINT itself. Returns (exit status, screen)."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: a session of its own, the pty as its controlling terminal
        env = {**os.environ, "NO_COLOR": "1", "LANG": "C.UTF-8", "COLUMNS": "100", "TERM": "dumb"}
        env.pop("LC_ALL", None)
        env.pop("LC_MESSAGES", None)
        os.execve(sys.executable, [sys.executable, "-m", "gradtrace", *args], env)
    try:
        shown = _read_until(fd, waiting_for)
        time.sleep(0.2)  # the prompt is drawn; the read is about to block (or already does)
        if interrupt == "^C":
            os.write(fd, b"\x03")
        else:
            os.kill(pid, signal.SIGINT)
        shown += _rest(fd)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", errors="replace")


@pytest.mark.parametrize("interrupt", ["^C", "SIGINT"])
def test_ctrl_c_at_the_quiz_prompt_exits_130(interrupt):
    code, screen = _at_a_terminal(["quiz", "--seed", "1"], b"stops).", interrupt)
    after = screen[screen.index("stops).") + len("stops)."):]
    assert code == 130, screen
    assert "gradtrace: interrupted" in after and "Traceback" not in screen and "Aborted" not in screen
    assert "score" not in after  # not the early stop's summary: that is exit 3, for answers that ran out
    lines = [line for line in after.replace("\r", "").splitlines() if line.strip() and line.strip() != "^C"]
    assert lines[-1] == "gradtrace: interrupted", lines


def test_a_quiz_whose_answers_run_out_still_exits_3(gt):
    """The other way a quiz stops early, distinct from Ctrl-C: stdin ends."""
    done = gt("quiz", "--seed", "1", input="")
    assert done.exit_code == 3
