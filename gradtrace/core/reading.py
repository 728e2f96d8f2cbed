"""Reading what someone else wrote: the one way gradtrace reads a file a user or a submission
names (a program, bindings, answers, a problems file, an array, a submission), with a size cap
while it reads, so an endless device or a FIFO that nothing writes to can't stall or exhaust a
run, while a pipe with a writer (a shell's <(...)) is read. Writing outputs is
gradtrace/cli/files.py's."""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from ..i18n import N_, _
from .errors import GradtraceError

MAX_TEXT = 64 << 20  # bytes of a program, bindings or answers named on the command line (10^6 terms: 15 MB)
FIFO_WAIT = 2.0      # seconds a FIFO that nothing has opened for writing is given for a writer to come

_KINDS = [(stat.S_ISFIFO, N_("FIFO")), (stat.S_ISCHR, N_("character device")), (stat.S_ISBLK, N_("block device")),
          (stat.S_ISSOCK, N_("socket")), (stat.S_ISDIR, N_("folder"))]


def read_input(source: str | BinaryIO, limit: int, regular: bool = False) -> bytes:
    """The bytes of a file someone named, read to at most limit bytes: the one way gradtrace reads
    a program, bindings, answers, a problems file, an array or a submission. source is a path, or
    an open binary stream (standard input). A regular file larger than limit is refused unread;
    anything else (a pipe, a FIFO, a device) is read while it stays within limit, so /dev/zero
    ends at the cap. A FIFO is opened without blocking: one that nothing opens for writing within
    FIFO_WAIT seconds is refused, while one with a writer (a shell's <(...)) is read to its end.
    regular=True (a student's file) takes only a regular file. Every problem is a GradtraceError
    that names the path."""
    if not isinstance(source, str):
        return _read_stream(source, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(source, flags)
    except OSError as exc:
        raise _unreadable(source, exc) from None
    try:
        info = os.fstat(fd)  # of the file opened, so the file checked is the file read
        mode = info.st_mode
        if not stat.S_ISREG(mode) and (regular or not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode))):
            raise _not_a_file(source, mode)
        if stat.S_ISREG(mode) and info.st_size > limit:
            raise _too_large(source, limit)
        return _read_capped(source, fd, limit, fifo=stat.S_ISFIFO(mode))
    finally:
        os.close(fd)


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of the regular file at path, of at most limit bytes (read_input, regular only)."""
    return read_input(path, limit, regular=True)


def _read_capped(path: str, fd: int, limit: int, fifo: bool) -> bytes:
    """Read fd to its end, refusing it once it holds more than limit bytes. A read that would block
    waits for data (a writer is there); an end before any writer came waits FIFO_WAIT for one."""
    chunks: list[bytes] = []
    size = 0
    written = not fifo  # only a FIFO reads as ended while nothing has opened it for writing yet
    while True:
        try:
            chunk = os.read(fd, min(limit + 1 - size, 1 << 20))
        except BlockingIOError:  # a writer is there and has written nothing yet: wait, as cat would
            written = True
            _wait(fd, None)
            continue
        except OSError as exc:
            raise _unreadable(path, exc) from None
        if chunk:
            written = True
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise _too_large(path, limit)
            continue
        if written:
            return b"".join(chunks)
        if not _wait(fd, FIFO_WAIT):
            raise _nothing_writes(path)
        written = True  # data came, or a writer that closed it again: the next read tells which


def _wait(fd: int, seconds: float | None) -> bool:
    """Wait until fd can be read (or its writer has gone), at most seconds (None: as long as it
    takes); False if the time ran out. Without poll (Windows) there is no waiting to do."""
    import select

    if not hasattr(select, "poll"):  # pragma: no cover - Windows
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if seconds is None else int(seconds * 1000)))


def _read_stream(stream: BinaryIO, limit: int) -> bytes:
    """An open stream (standard input) to its end, refusing it past limit bytes; its own mode
    (blocking or not) is left as it is, since other programs may share it."""
    chunks: list[bytes] = []
    size, path = 0, "-"
    while True:
        try:
            chunk = stream.read(min(limit + 1 - size, 1 << 20))
        except BlockingIOError:
            chunk = None
        except OSError as exc:
            raise _unreadable(path, exc) from None
        if chunk is None:  # a stream in non-blocking mode with nothing in it yet
            _wait(stream.fileno(), None)
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(path, limit)


def _unreadable(path: str, exc: OSError) -> Exception:
    if exc.errno == errno.ENXIO:  # a socket can't be opened: say what it is
        try:
            return _not_a_file(path, os.stat(path).st_mode)
        except OSError:
            pass
    return GradtraceError(_("{path}: {value}").format(path=path, value=exc.strerror or exc))


def _not_a_file(path: str, mode: int) -> Exception:
    kind = next((k for test, k in _KINDS if test(mode)), N_("special file"))
    return GradtraceError(
        _("{path}: not a regular file but a {kind}, so it is not read").format(path=path, kind=_(kind)))


def _nothing_writes(path: str) -> Exception:
    return GradtraceError(
        _("{path}: a FIFO that nothing is writing to (waited {seconds:g} seconds for a writer)").format(
            path=path, seconds=FIFO_WAIT),
        hint=_("start the program that writes it first, or name a file"))


def _too_large(path: str, limit: int) -> Exception:
    size = f"{limit / (1 << 20):g} MB" if limit >= 1 << 20 else f"{limit:,} bytes"
    return GradtraceError(_("{path}: too large to read (more than {size})").format(path=path, size=size))
