"""Writing outputs safely. A file is written to a temporary file beside it and renamed into place,
so a half-written file never appears. A symlink at the path is the user's: the file or folder it
points to is written (made, if the link dangles), and the link stays. A target that is not a
regular file is never replaced: a character device (/dev/null, a terminal) or a FIFO is written
through, as the shell's '>' would, and anything else is refused. A folder of files is built beside
its target and swapped in whole, and only over a folder that is empty or holds nothing but files
gradtrace wrote there (its manifest lists them), unless the caller asks to replace it. Writers of
one folder take turns, so concurrent runs end with one whole result. (Reading is
core/reading.py's: the core reads @W.npy files too.)"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from ..core.errors import OutputError
from ..i18n import _


def write_file(path: str, data: bytes) -> None:
    """Write data to path atomically; an unwritable path or a full disk is an OutputError. A
    symlink at path is followed: the file it points to is replaced (keeping its permissions), the
    link stays. A character device or a FIFO at path (or a symlink to one) is written through,
    never replaced; a block device or a socket is refused."""
    import tempfile  # here: reading a program through this module needs neither this nor shutil

    real = _through_links(path, _("can't write {path}: {value}"))
    target = Path(real)
    if target.is_dir():
        raise OutputError(_("can't write {path}: it is a folder").format(path=path))
    if _special(real) and _write_through(real, data):
        return
    directory = target.parent if str(target.parent) else Path(".")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".part")
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        try:  # a file that is there keeps its permissions; a new one gets the umask's
            mode = stat.S_IMODE(os.stat(real).st_mode) & 0o777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        if _special(real):  # it became a device or a FIFO while the file was written
            raise OutputError(_("can't write {path}: it changed into a special file while it was written")
                              .format(path=path))
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(_("can't write {path}: {value}").format(path=path, value=exc.strerror or exc)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _through_links(path: str, message: str) -> str:
    """Where path leads: path itself, or for a symlink (a chain of them) the path it points to,
    which may not exist yet. A loop of links is an OutputError, given message ({path}, {value})."""
    if not os.path.islink(path):
        return path
    real = os.path.realpath(path)
    if os.path.islink(real):  # realpath stops at a loop and returns a link
        raise OutputError(message.format(path=path, value=os.strerror(errno.ELOOP)))
    return real


def _special(path: str) -> bool:
    """Whether path names (itself or through symlinks) something that exists and is neither a
    regular file nor a folder: a device, a FIFO or a socket."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False  # missing, a dangling link, or unreachable: the atomic path says what is wrong
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_through(path: str, data: bytes) -> bool:
    """Write data into the character device or FIFO at path with a plain open, as '>' would (a
    FIFO only if something reads it: opened without blocking, it never hangs the run). False,
    having written nothing, if what got opened is a regular file after all."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    mode = os.stat(path).st_mode
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        kind = _("a block device") if stat.S_ISBLK(mode) else _("a socket")
        raise OutputError(_("can't write {path}: it is {kind}, and gradtrace writes only files, character devices "
                            "and FIFOs").format(path=path, kind=kind), hint=_("choose another path"))
    try:
        fd = os.open(path, flags | (getattr(os, "O_NONBLOCK", 0) if stat.S_ISFIFO(mode) else 0))
    except OSError as exc:
        if stat.S_ISFIFO(mode) and exc.errno == errno.ENXIO:  # no reader at the other end
            raise OutputError(_("can't write {path}: it is a FIFO and nothing is reading it").format(path=path),
                              hint=_("start the program that reads it first")) from None
        raise OutputError(_("can't write {path}: {value}").format(path=path, value=exc.strerror or exc)) from None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # replaced by a file since: write it the atomic way
            return False
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise OutputError(_("can't write {path}: {value}").format(path=path, value=exc.strerror or exc)) from None
    finally:
        os.close(fd)
    return True


MANIFEST = ".gradtrace-files"  # in a folder gradtrace wrote: the names of the files it wrote there


def write_folder(path: str, files: dict[str, bytes], replace: bool = False) -> None:
    """Replace the folder at path with exactly these files (and the manifest that lists them), or
    change nothing: the new folder is built beside it and swapped in. An existing folder is
    replaced only when it is empty or holds only files its manifest lists, so a mistyped --out
    never deletes other files; replace=True replaces it whatever it holds. A symlink at path is
    followed: the folder it points to is what is written, under the same rules, and the link
    stays. Writers of one folder take turns (a lock on the folder around it), so the last one's
    folder is what is left."""
    import shutil
    import tempfile

    target = Path(_through_links(path, _("can't write the folder {path}: {value}")))
    parent = target.parent if str(target.parent) else Path(".")
    fresh = old = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".part"))
        os.chmod(fresh, 0o777 & ~_umask())
        for name, data in files.items():
            (fresh / name).write_bytes(data)
        (fresh / MANIFEST).write_text("# written by gradtrace, which replaces this folder only while it holds just "
                                      "these files\n" + "".join(f"{name}\n" for name in sorted(files)),
                                      encoding="utf-8")
        with _turn(parent):
            if os.path.lexists(target):
                if not target.is_dir() or target.is_symlink():  # a link made since it was followed: not ours
                    raise OutputError(_("can't write the folder {path}: a file of that name is in the way")
                                      .format(path=path))
                strangers = [] if replace else _strangers(target)
                if strangers:
                    shown = ", ".join(strangers[:3]) + (", …" if len(strangers) > 3 else "")
                    raise OutputError(
                        _("{path} holds files gradtrace did not write ({names}); it replaces only a folder it wrote "
                          "itself").format(path=path, names=shown),
                        hint=_("choose a new or empty folder, or add --replace to replace this one, and everything "
                               "in it, whole"))
                old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".old"))
                os.rmdir(old)
                os.replace(target, old)
            try:
                os.replace(fresh, target)
            except OSError:
                if old is not None and not os.path.lexists(target):
                    os.replace(old, target)  # put the old sheet back: all or nothing
                    old = None
                raise
            fresh = None
    except OSError as exc:
        raise OutputError(
            _("can't write the folder {path}: {value}").format(path=path, value=exc.strerror or exc)
        ) from None
    finally:
        for leftover in (fresh, old):
            if leftover is not None:
                shutil.rmtree(leftover, ignore_errors=True)


def _strangers(folder: Path) -> list[str]:
    """What in folder gradtrace did not write: every entry but the manifest and the regular files
    it lists (a sub-folder or a link is never gradtrace's), sorted."""
    try:
        listed = set((folder / MANIFEST).read_text(encoding="utf-8").splitlines()[1:])
    except (OSError, UnicodeError):
        listed = set()
    out = []
    for entry in os.scandir(folder):
        if entry.name == MANIFEST and entry.is_file(follow_symlinks=False):
            continue
        if entry.name not in listed or not entry.is_file(follow_symlinks=False):
            out.append(entry.name + ("/" if entry.is_dir(follow_symlinks=False) else ""))
    return sorted(out)


@contextlib.contextmanager
def _turn(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on folder (the target's parent) while a folder is swapped in, so two
    writers never move one target at once. Where there are no such locks (Windows), no wait."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the last descriptor lets the lock go


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
