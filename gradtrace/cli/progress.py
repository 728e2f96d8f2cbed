"""A progress display for long runs, on stderr and only on a terminal.

The core reports progress through a plain callback, report(phase, done, total), and knows nothing
of terminals; this module turns those calls into a rich progress display. The display appears only
once a run has taken DELAY seconds, so the usual sub-second run never flickers, and never when
stderr is not a terminal (a script's stderr stays clean).
"""

from __future__ import annotations

import sys
import time
from typing import Any

DELAY = 1.0      # seconds of work before the display appears


def for_terminal(stream: Any = None) -> DelayedProgress | None:
    """A reporter when stream (stderr) is a terminal, else None: no display and no cost."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return DelayedProgress() if isatty is not None and isatty() else None


class DelayedProgress:
    """Callable as report(phase, done, total); shows a rich Progress once DELAY has passed."""

    def __init__(self, delay: float | None = None, console: Any = None):
        self.delay = DELAY if delay is None else delay
        self.started = time.monotonic()
        self.console = console
        self.progress: Any = None
        self.tasks: dict[str, tuple[Any, int]] = {}  # phase -> (rich task id, total)

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.progress is None:
            if time.monotonic() - self.started < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("gradtrace: {task.description}"), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=self.console or Console(stderr=True), transient=True,
                                     redirect_stdout=False, redirect_stderr=False)
            self.progress.start()
        if phase not in self.tasks:
            for earlier, earlier_total in self.tasks.values():  # a new phase: the earlier ones are done
                self.progress.update(earlier, completed=earlier_total)
                self.progress.stop_task(earlier)
            self.tasks[phase] = (self.progress.add_task(phase, total=total), total)
        self.progress.update(self.tasks[phase][0], completed=done, total=total)

    def close(self) -> None:
        """Take the display off the screen (it is transient)."""
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
