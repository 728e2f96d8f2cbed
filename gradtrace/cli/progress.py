"""A progress display for long runs, on stderr and only on a terminal.

The core reports progress through a plain callback, report(phase, done, total), and knows nothing
of terminals; this module turns those calls into a rich progress display. The display appears only
once a run has taken DELAY seconds, so the usual sub-second run never flickers, and never when
stderr is not a terminal (a script's stderr stays clean).
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from ..i18n import N_, _

DELAY = 1.0      # seconds of work before the display appears

# The phases the core and the commands report, in English as they name them; the display shows
# each in the language of the run (listed here so that the translation workflow finds them).
PHASES = (N_("reading the program"), N_("reading the bindings"), N_("forward pass"), N_("backward pass"),
          N_("gradient check"), N_("writing the output"), N_("writing JSON"), N_("grading the files"),
          N_("drawing the pictures"), N_("making the PDFs"))


def for_terminal(stream: Any = None) -> DelayedProgress | None:
    """A reporter when stream (stderr) is a terminal, else None: no display and no cost."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return DelayedProgress() if isatty is not None and isatty() else None


class DelayedProgress:
    """Callable as report(phase, done, total); shows a rich Progress once DELAY has passed.

    A timer brings the display up on time even when no report comes (reading a 17 MB --vars file
    makes none): it shows the last phase heard. rich redraws it REFRESH times a second from its own
    thread, so a report costs a lock and a few assignments, and a run is not slowed by drawing."""

    REFRESH = 4  # frames a second

    def __init__(self, delay: float | None = None, console: Any = None):
        self.delay = DELAY if delay is None else delay
        self.started = time.monotonic()
        self.console = console
        self.progress: Any = None
        self.tasks: dict[str, tuple[Any, int | None]] = {}  # phase -> (rich task id, total)
        self.last: tuple[str, int, int | None] | None = None
        self.closed = False
        self.lock = threading.Lock()
        self.timer = threading.Timer(self.delay, self._appear)
        self.timer.daemon = True
        self.timer.start()

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        with self.lock:
            self.last = (phase, done, total)
            if self.progress is None:
                if self.closed or time.monotonic() - self.started < self.delay:
                    return
                self._start()
            self._show(phase, done, total)

    def _appear(self) -> None:
        """The timer's: the display comes up with the last phase heard, if the run is still going."""
        with self.lock:
            if self.closed or self.progress is not None:
                return
            self._start()
            if self.last is not None:
                self._show(*self.last)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("gradtrace: {task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=self.console or Console(stderr=True), transient=True,
                                 redirect_stdout=False, redirect_stderr=False, refresh_per_second=self.REFRESH)
        self.progress.start()

    def _show(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self.tasks:
            for earlier, earlier_total in self.tasks.values():  # a new phase: the earlier ones are done
                self.progress.update(earlier, completed=earlier_total or 1, total=earlier_total or 1)
                self.progress.stop_task(earlier)
            self.tasks[phase] = (self.progress.add_task(_(phase), total=total), total)
        self.progress.update(self.tasks[phase][0], completed=done, total=total)

    def close(self) -> None:
        """Take the display off the screen (it is transient), and keep it off."""
        self.timer.cancel()
        with self.lock:
            self.closed = True
            if self.progress is not None:
                self.progress.stop()
                self.progress = None
